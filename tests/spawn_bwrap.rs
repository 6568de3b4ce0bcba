//! `nsviz spawn --new-root` with bwrap's options: what output comparison with bwrap (the
//! corpus) cannot show: the JSON reports, file contents from an fd, and usage errors.

mod common;
mod ns_common;

use std::process::Command;

use ns_common::{Run, run};

const BASE: [&str; 5] = ["spawn", "--new-root", "--ro-bind", "/", "/"];

/// `nsviz spawn --new-root --ro-bind / / ARGS` through sh, so that fds 3 and 4 can be
/// redirected in `redirect`.
fn spawn_sh(args: &str, redirect: &str) -> Run {
    let nsviz = common::nsviz_path();
    let line = format!(
        "{} {} {args} {redirect}",
        nsviz.to_str().unwrap(),
        BASE.join(" ")
    );
    run(Command::new("sh").args(["-c", &line]))
}

fn json_numbers(text: &str) -> Vec<(String, u64)> {
    let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
    value
        .as_object()
        .expect("an object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("a number")))
        .collect()
}

#[test]
fn info_fd_names_the_command_and_its_new_namespaces() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("info");
    let status = dir.path().join("status");
    // The command prints its own namespaces; the report must name the same ones.
    let r = spawn_sh(
        "--unshare-uts --unshare-ipc --info-fd 3 --json-status-fd 4 -- sh -c 'stat -L -c %n=%i /proc/self/ns/ipc /proc/self/ns/mnt /proc/self/ns/uts /proc/self/ns/pid; exit 3'",
        &format!("3>{} 4>{}", info.display(), status.display()),
    );
    assert_eq!(r.code, Some(3), "{}", r.err);
    let inside: std::collections::BTreeMap<String, u64> = r
        .out
        .lines()
        .map(|l| {
            let (path, ino) = l.split_once('=').unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            (name, ino.parse().unwrap())
        })
        .collect();
    let report = json_numbers(&std::fs::read_to_string(&info).unwrap());
    let names: Vec<&str> = report.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "child-pid",
            "ipc-namespace",
            "mnt-namespace",
            "uts-namespace"
        ]
    );
    for (key, ino) in &report[1..] {
        let t = key.trim_end_matches("-namespace");
        assert_eq!(Some(ino), inside.get(t), "{key}");
    }
    // The host's PID namespace was not replaced: not reported.
    assert!(report[0].1 > 1);

    let lines: Vec<String> = std::fs::read_to_string(&status)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(json_numbers(&lines[0]), report);
    assert_eq!(json_numbers(&lines[1]), [("exit-code".to_string(), 3)]);
}

#[test]
fn file_and_bind_data_hold_what_the_fd_gave_with_their_modes() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::write(&content, "line one\nline two\n").unwrap();
    let c = content.display();
    let r = spawn_sh(
        "--tmpfs /mnt --file 3 /mnt/copy --perms 0640 --ro-bind-data 4 /etc/hostname -- sh -c 'cat /mnt/copy /etc/hostname; stat -c %a /mnt/copy /etc/hostname; echo x > /etc/hostname || echo read-only'",
        &format!("3<{c} 4<{c} 2>&1"),
    );
    assert_eq!(r.code, Some(0), "{}", r.out);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(
        &lines[..6],
        ["line one", "line two", "line one", "line two", "666", "640"]
    );
    assert_eq!(lines.last(), Some(&"read-only"));
    // The host's file is untouched.
    assert_ne!(
        std::fs::read_to_string("/etc/hostname").unwrap(),
        "line one\nline two\n"
    );
}

#[test]
fn bad_option_combinations_are_usage_errors() {
    let cases: [&[&str]; 5] = [
        &["--perms", "0700", "true"],
        &["--perms", "0700", "--bind", "/", "/x", "true"],
        &["--perms", "99", "--dir", "/x", "true"],
        &["--file", "x", "/y", "true"],
        &["--setenv", "A=B", "c", "true"],
    ];
    for case in cases {
        let r = run(common::nsviz().args(BASE).args(case));
        assert_eq!(r.code, Some(2), "{case:?}: {}", r.err);
    }
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--chdir", "/", "-w", "/", "true"]));
    assert_eq!(r.code, Some(2), "{}", r.err);
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--unshare-nothing", "true"]));
    assert_eq!(r.code, Some(2), "{}", r.err);
}

#[test]
fn uid_without_a_user_namespace_is_refused_as_root() {
    if !common::require_root("run as root, where bwrap makes no user namespace unasked") {
        return;
    }
    let r = run(common::nsviz().args(BASE).args(["--uid", "5", "true"]));
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(
        r.err.contains("--uid and --gid need a new user namespace"),
        "{}",
        r.err
    );
}

#[test]
fn a_file_descriptor_that_is_not_open_is_named() {
    if !common::require_root("create namespaces") {
        return;
    }
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--file", "57", "/x", "true"]));
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot read file descriptor 57: bad file number"
    );
}

#[test]
fn without_root_a_new_root_gets_a_user_namespace_of_its_own() {
    // As bwrap: the caller's ids map to themselves, and --uid picks another inside.
    let r = ns_common::nsviz_as_nobody(&[
        "spawn",
        "--new-root",
        "--ro-bind",
        "/",
        "/",
        "--uid",
        "7",
        "--",
        "sh",
        "-c",
        "id -u; cat /proc/self/uid_map",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let words = r.words();
    assert_eq!(words[0], ["7"]);
    assert_eq!(words[1], ["7", "65534", "1"]);
}
