//! What is inside namespaces, through the built binary on real namespaces: hostile content
//! shown escaped everywhere, and an unprivileged run that reports what it could not read.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Background, nsviz, stdout_of};

/// Starts `unshare -u` with a hostname made of escape sequences, and waits until it is set.
fn hostile_uts() -> (Background, u64) {
    // ESC ] 0 ; pwned BEL: retitles a terminal that writes it raw. hostname(1) refuses such
    // a name; the system call does not.
    let script = "import os, socket; socket.sethostname(b'box\\x1b]0;pwned\\x07'); \
                  os.execvp('sleep', ['sleep', '300'])";
    let bg = Background::spawn(Command::new("unshare").args(["-u", "python3", "-c", script]));
    let pid = bg.pid();
    let ready = common::wait_until(Duration::from_secs(10), || {
        common::in_other_ns(pid, "uts")
            && std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
    });
    assert!(ready, "the unshare -u sleeper did not start");
    (bg, common::ns_inode(pid, "uts").expect("uts link"))
}

#[test]
fn a_hostile_hostname_is_escaped_in_every_output() {
    if !common::require_root("set a hostname in a new UTS namespace") {
        return;
    }
    let (_bg, uts) = hostile_uts();
    let id = uts.to_string();
    let list = stdout_of(nsviz().args(["list", "-t", "uts", "-o", "NS,LABEL,HOSTNAME,DETAILS"]));
    let line = list.lines().find(|l| l.contains(&id)).expect("uts row");
    assert!(!list.contains('\x1b') && !list.contains('\x07'), "{list:?}");
    // The table escapes as lsns does (ESC is \x1b); the tree keeps its own \e.
    assert!(line.contains("box\\x1b]0;pwned\\x07"), "{line}");
    let tree = stdout_of(nsviz().args(["tree", "-t", "uts"]));
    assert!(!tree.contains('\x1b') && !tree.contains('\x07'), "{tree:?}");
    assert!(
        tree.contains(&format!("uts {id} * [box\\e]0;pwned\\x07]")),
        "{tree}"
    );
    // JSON carries the hostname as it is, escaped by JSON itself.
    let json = stdout_of(nsviz().arg("snapshot"));
    assert!(!json.contains('\x1b'), "raw escape in the snapshot");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ns = doc["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == uts)
        .expect("uts namespace in the snapshot");
    assert_eq!(ns["details"]["uts"]["hostname"], "box\x1b]0;pwned\x07");
    assert_eq!(ns["label"], "box\x1b]0;pwned\x07");
}

#[test]
fn an_unprivileged_run_reports_what_it_could_not_read_and_never_fails() {
    if !common::require_root("start namespaces nobody cannot enter") {
        return;
    }
    let (_bg, uts) = hostile_uts();
    let out = common::as_nobody(common::nsviz_path().to_str().unwrap())
        .arg("snapshot")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["skipped"]["details"].as_u64().unwrap() > 0,
        "{}",
        doc["skipped"]
    );
    // The root-owned uts namespace, if nobody could see it at all, says why it is unread.
    if let Some(ns) = doc["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == uts)
    {
        let unread = ns["details"]["unreadable"].to_string();
        assert!(unread.contains("hostname"), "{unread}");
        assert!(ns["details"]["uts"].is_null(), "{ns}");
    }
    // nobody's own namespaces (the host's, which it is in) are still read where allowed.
    let list = common::as_nobody(common::nsviz_path().to_str().unwrap())
        .args(["list", "-o", "NS,TYPE,DETAILS"])
        .output()
        .unwrap();
    assert!(list.status.success());
    // The footer is on stderr, so the table on stdout stays lsns's.
    let text = String::from_utf8_lossy(&list.stderr);
    assert!(text.contains("could not be read"), "{text}");
    assert!(
        text.contains("namespaces' details") || text.contains("namespace's details"),
        "{text}"
    );
}
