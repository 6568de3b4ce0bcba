//! Hostile input to the read-only commands: bounded reads, escaped errors, terminal-safe JSON,
//! counters that cannot overflow, output that does not grow with one long value.

mod common;
mod ns_common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ns_common::{nsviz, run};
use serde_json::{Value, json};

/// A live snapshot of this host, as JSON to modify.
fn live_snapshot() -> Value {
    let out = common::stdout_of(common::nsviz().args(["snapshot", "--compact"]));
    serde_json::from_str(&out).unwrap()
}

fn write_snapshot(dir: &Path, name: &str, snapshot: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(snapshot).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

/// Characters a terminal acts on that must never be written raw.
fn is_terminal_control(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn a_snapshot_that_never_ends_is_refused_in_bounded_time() {
    let start = Instant::now();
    let r = nsviz(&["list", "--from", "/dev/zero"]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: /dev/zero is larger than 256 MiB, more than any nsviz snapshot"
    );
    assert!(start.elapsed() < Duration::from_secs(50));
}

#[test]
fn a_snapshot_is_read_from_standard_input_and_from_a_pipe() {
    let text = common::stdout_of(common::nsviz().args(["snapshot", "--compact"]));
    let mut child = common::nsviz()
        .args(["list", "--json", "--from", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!list["namespaces"].as_array().unwrap().is_empty());

    // A pipe named by path, as `--from <(ssh host nsviz snapshot)` gives.
    let script = format!(
        "{} list --json --from <({} snapshot --compact)",
        common::nsviz_path().display(),
        common::nsviz_path().display()
    );
    let r = run(Command::new("bash").args(["-c", &script])).ok();
    let list: Value = serde_json::from_str(&r.out).unwrap();
    assert!(!list["namespaces"].as_array().unwrap().is_empty());
}

#[test]
fn a_proc_status_that_never_ends_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let proc_dir = root.join("7");
    std::fs::create_dir_all(proc_dir.join("ns")).unwrap();
    std::fs::create_dir_all(proc_dir.join("fd")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", proc_dir.join("status")).unwrap();
    // A second process whose status is a FIFO nobody writes: it must not hang the scan.
    let fifo_dir = root.join("8");
    std::fs::create_dir_all(fifo_dir.join("ns")).unwrap();
    let made = Command::new("mkfifo")
        .arg(fifo_dir.join("status"))
        .status()
        .unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", proc_dir.join("cmdline")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", proc_dir.join("mountinfo")).unwrap();
    std::os::unix::fs::symlink("net:[4026531840]", proc_dir.join("ns/net")).unwrap();
    std::os::unix::fs::symlink("7", root.join("self")).unwrap();
    let start = Instant::now();
    let r = nsviz(&["list", "--json", "--proc", root.to_str().unwrap()]);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(!r.err.contains("memory"), "{}", r.err);
    assert!(!r.err.contains("panicked"), "{}", r.err);
}

#[test]
fn untrusted_text_in_error_messages_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = live_snapshot();
    snapshot["namespaces"][0]["type"] = json!("\u{1b}]0;pwned\u{7}");
    let path = write_snapshot(dir.path(), "evil-type.json", &snapshot);
    let r = nsviz(&["list", "--from", &path]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    let line = r.one_error_line();
    assert!(!line.chars().any(is_terminal_control), "{line:?}");
    assert!(line.contains("\\e]0;pwned"), "{line}");

    let evil_path = dir.path().join("missing-\u{1b}[2J-\u{9b}x");
    let r = nsviz(&["list", "--from", evil_path.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    let line = r.one_error_line();
    assert!(!line.chars().any(is_terminal_control), "{line:?}");
    assert!(line.contains("missing-\\e[2J-\\x9bx"), "{line}");
}

#[test]
fn json_output_escapes_c1_controls_del_and_bidi_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "a\u{9b}2J\u{9d}0;x\u{7f}\u{202e}gnp.exe\u{2066}";
    let mut snapshot = live_snapshot();
    for p in snapshot["processes"].as_array_mut().unwrap() {
        p["comm"] = json!(evil);
        p["cmdline"] = json!([evil, "--x"]);
    }
    let path = write_snapshot(dir.path(), "evil-names.json", &snapshot);
    for args in [
        vec!["list", "--json", "--from", &path],
        vec!["snapshot", "--from", &path],
        vec!["snapshot", "--compact", "--from", &path],
    ] {
        let r = nsviz(&args).ok();
        assert!(
            !r.out.chars().any(is_terminal_control),
            "{args:?} wrote a raw control"
        );
        assert!(
            r.out.contains("\\u009b") && r.out.contains("\\u202e"),
            "{args:?}"
        );
        // Still JSON, with the same strings.
        let back: Value = serde_json::from_str(&r.out).unwrap();
        assert!(back.to_string().contains("gnp.exe"), "{args:?}");
        if args[0] == "snapshot" {
            assert_eq!(back["processes"][0]["comm"], json!(evil));
        } else {
            let commands: Vec<&str> = back["namespaces"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|n| n["command"].as_str())
                .collect();
            assert!(commands.iter().any(|c| c.starts_with(evil)), "{commands:?}");
        }
    }
}

#[test]
fn huge_skipped_counts_add_up_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = live_snapshot();
    let max32 = u64::from(u32::MAX);
    snapshot["skipped"] = json!({
        "processes": max32, "links": max32, "tasks": max32, "fds": max32,
        "mountinfo": max32, "details": 0
    });
    let path = write_snapshot(dir.path(), "counts.json", &snapshot);
    // The footer goes to standard error, as the table stays lsns's.
    let r = nsviz(&["list", "--from", &path]).ok();
    assert!(
        r.err.contains("21474836475 items could not be read"),
        "{}",
        r.err
    );
    let r = nsviz(&["list", "--json", "--from", &path]).ok();
    let list: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(list["skipped"], json!(5 * max32));

    snapshot["skipped"] = json!({
        "processes": u64::MAX, "links": u64::MAX, "tasks": 1, "fds": 0,
        "mountinfo": 0, "details": u64::MAX
    });
    let path = write_snapshot(dir.path(), "max.json", &snapshot);
    let r = nsviz(&["list", "--json", "--from", &path]).ok();
    let list: Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(list["skipped"], json!(u64::MAX));
    let r = nsviz(&["tree", "--from", &path]).ok();
    assert!(
        r.out
            .contains(&format!("{} items could not be read", u64::MAX)),
        "{}",
        r.out
    );
}

#[test]
fn one_huge_command_line_does_not_pad_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut snapshot = live_snapshot();
    let huge = "x".repeat(200_000);
    let rows = snapshot["namespaces"].as_array().unwrap().len();
    assert!(rows >= 3, "too few namespaces to see padding");
    for p in snapshot["processes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .take(1)
    {
        p["cmdline"] = json!([huge.clone()]);
        p["comm"] = json!(huge.clone());
    }
    let path = write_snapshot(dir.path(), "huge.json", &snapshot);
    let r = nsviz(&["list", "--output-all", "--from", &path]).ok();
    assert!(
        r.out.len() < 4 * huge.len(),
        "{} bytes of output for {rows} rows",
        r.out.len()
    );
    let r = nsviz(&["list", "--output-all", "--raw", "--from", &path]).ok();
    assert!(r.out.len() < 4 * huge.len(), "{} bytes", r.out.len());
    // Unpadded: every line splits on single spaces into as many values as the header has.
    let header = r.out.lines().next().unwrap().split(' ').count();
    for line in r.out.lines() {
        assert_eq!(line.split(' ').count(), header, "padded: {line:.200}");
    }
}
