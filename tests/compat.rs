//! The drop-in corpus (tests/compat/corpus.txt): command lines of unshare, nsenter, lsns and
//! bwrap, each run with the original tool and with nsviz on fixtures this test makes; exit
//! status and standard output must agree, or the difference must be one docs/compat.md lists.

mod common;
mod ns_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ns_common::{BindFile, run};

/// A network namespace bound under /run/netns, deleted on drop.
struct NetNs(String);

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// The first child of `parent` once it runs `comm`.
fn child_running(parent: i32, comm: &str) -> i32 {
    let mut child = None;
    assert!(common::wait_until(Duration::from_secs(10), || {
        child = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .ok()
            .and_then(|c| c.split_whitespace().next().and_then(|p| p.parse().ok()))
            .filter(|p: &i32| {
                std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == comm)
            });
        child.is_some()
    }));
    child.unwrap()
}

/// Replaces the program name the way a user switching tools would.
fn as_nsviz(line: &str, nsviz: &str) -> String {
    let (tool, rest) = line.split_once(' ').unwrap_or((line, ""));
    let sub = match tool {
        "unshare" => "spawn",
        "nsenter" => "enter",
        "lsns" => "list",
        "bwrap" => "spawn --new-root",
        other => panic!("unknown tool {other}"),
    };
    format!("{nsviz} {sub} {rest}").trim_end().to_string()
}

/// Namespace inode numbers differ from run to run: masked before comparing.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("4026") {
        let digits = rest[at..].chars().take_while(char::is_ascii_digit).count();
        out.push_str(&rest[..at]);
        out.push_str(if digits == 10 {
            "NS"
        } else {
            &rest[at..at + digits]
        });
        rest = &rest[at + digits..];
    }
    out.push_str(rest);
    out
}

fn outcome(line: &str) -> (Option<i32>, String) {
    let r = run(Command::new("sh").args(["-c", line]));
    let mut out = masked(&r.out);
    // lsns's width hints pad TYPE, PID or PPID by a space or two depending on the whole table
    // (docs/compat.md, D13): its aligned tables are compared with runs of spaces collapsed.
    let aligned_table = line.contains(" list ") || line.starts_with("lsns ");
    if aligned_table && !line.contains(" -r") && !line.contains("--raw") && !line.contains(" -J") {
        out = out
            .lines()
            .map(|l| {
                l.split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    (r.code, out)
}

#[test]
fn corpus_runs_the_same_or_its_difference_is_documented() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::fs::read_to_string(root.join("tests/compat/corpus.txt")).unwrap();
    let compat = std::fs::read_to_string(root.join("docs/compat.md")).unwrap();

    // Fixtures.
    let target = common::Background::spawn(Command::new("unshare").args([
        "--uts",
        "--ipc",
        "--net",
        "--mount",
        "--pid",
        "--fork",
        "--mount-proc",
        "sh",
        "-c",
        "hostname corpusbox; exec sleep 300",
    ]));
    let pid = child_running(target.pid(), "sleep");
    let user_target = common::Background::spawn(Command::new("unshare").args([
        "-U",
        "-r",
        "-u",
        "sh",
        "-c",
        "hostname userbox; exec sleep 300",
    ]));
    let upid = user_target.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        std::fs::read_to_string(format!("/proc/{upid}/comm")).is_ok_and(|c| c == "sleep\n")
    }));
    let netname = common::unique("corpus");
    common::run_ok(Command::new("ip").args(["netns", "add", &netname]));
    let _netns = NetNs(netname.clone());
    let utsfile = BindFile::new("uts");
    std::fs::write(&utsfile.path, "").unwrap();
    common::run_ok(Command::new("unshare").args([
        &format!("--uts={}", utsfile.as_str()),
        "hostname",
        "keptbox",
    ]));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("hello.txt"), "hello\n").unwrap();
    // Lines may bind namespaces under {tmp} (`--uts={tmp}/uts-keep`): unmounted before the
    // directory goes (dropped first, being declared after it).
    let _unmount = UnmountBelow(tmp.path().to_path_buf());

    let nsviz = common::nsviz_path();
    let nsviz = nsviz.to_str().unwrap();
    let fill = |line: &str| {
        line.replace("{pid}", &pid.to_string())
            .replace("{upid}", &upid.to_string())
            .replace("{netns}", &format!("/run/netns/{netname}"))
            .replace("{netname}", &netname)
            .replace("{utsfile}", utsfile.as_str())
            .replace("{tmp}", tmp.path().to_str().unwrap())
    };

    let have_bwrap = Command::new("bwrap").arg("--version").output().is_ok();
    if !have_bwrap {
        eprintln!("skipped: the bwrap lines need bubblewrap installed as their witness");
    }
    let mut lines = 0;
    let mut failures = Vec::new();
    for entry in corpus
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (expect, line) = entry.split_once('\t').expect("EXPECTATION<TAB>LINE");
        lines += 1;
        if expect != "same"
            && (!compat.contains(&format!("**{expect}**")) || !compat.contains(line))
        {
            failures.push(format!(
                "docs/compat.md does not list `{line}` under {expect}"
            ));
            continue;
        }
        if line.starts_with("bwrap ") && !have_bwrap {
            continue;
        }
        let documented = line;
        let line = fill(line);
        if expect != "same" {
            // A documented difference must still be one: the docs stay true.
            if outcome(&line) == outcome(&as_nsviz(&line, nsviz)) {
                failures.push(format!(
                    "{documented}\n  now runs the same: mark it `same` and narrow {expect} in docs/compat.md"
                ));
            }
            continue;
        }
        let mut theirs = outcome(&line);
        let mut ours = outcome(&as_nsviz(&line, nsviz));
        // lsns counts processes other tests start and stop: retry a differing pair.
        for _ in 0..3 {
            if ours == theirs || !line.starts_with("lsns") {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            theirs = outcome(&line);
            ours = outcome(&as_nsviz(&line, nsviz));
        }
        if ours != theirs {
            failures.push(format!(
                "{line}\n  original: {:?} {:?}\n  nsviz:    {:?} {:?}",
                theirs.0, theirs.1, ours.0, ours.1
            ));
        }
    }
    assert!(lines >= 100, "the corpus has {lines} lines");
    assert!(
        failures.is_empty(),
        "{} of {lines} lines differ without a documented reason:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Lazily unmounts every mount at or below a directory, deepest first, when dropped.
struct UnmountBelow(PathBuf);

impl Drop for UnmountBelow {
    fn drop(&mut self) {
        let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
            return;
        };
        let mut points: Vec<&str> = mountinfo
            .lines()
            .filter_map(|l| l.split(' ').nth(4))
            .filter(|p| Path::new(p).starts_with(&self.0))
            .collect();
        points.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for point in points {
            let _ = Command::new("umount").args(["-l", point]).output();
        }
    }
}
