//! Scenario 1: a private mount namespace where one file is bind-mounted over another; everyone
//! else still sees the original. (docs/tutorials/1-file-override.md)

mod common;
mod ns_common;

use std::path::Path;

use ns_common::{is_mount_point, link, nsviz, nsviz_as_nobody, open_tempdir};

#[test]
fn read_only_bind_over_etc_issue_is_seen_only_inside() {
    if !common::require_root("bind-mount over /etc/issue in a new mount namespace") {
        return;
    }
    let issue = Path::new("/etc/issue");
    let Ok(before) = std::fs::read(issue) else {
        eprintln!("skipped: this host has no /etc/issue");
        return;
    };
    let dir = open_tempdir();
    let fake = dir.path().join("fake-issue");
    std::fs::write(&fake, "a fake issue for one program\n").unwrap();

    let script = "cat /etc/issue; readlink /proc/self/ns/mnt; \
                  if echo changed > /etc/issue; then echo WRITABLE; else echo READ-ONLY; fi";
    let r = nsviz(&[
        "spawn",
        "-m",
        "--ro-bind",
        fake.to_str().unwrap(),
        "/etc/issue",
        "--",
        "sh",
        "-c",
        script,
    ])
    .ok();
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], "a fake issue for one program", "{}", r.out);
    assert_ne!(lines[1], link(None, "mnt"), "not in a new mount namespace");
    assert_eq!(lines[2], "READ-ONLY", "{}\n{}", r.out, r.err);

    // Outside: the original, untouched, and nothing left mounted.
    assert_eq!(std::fs::read(issue).unwrap(), before);
    assert_eq!(
        std::fs::read_to_string(&fake).unwrap(),
        "a fake issue for one program\n"
    );
    assert!(!is_mount_point(issue));
}

#[test]
fn writable_bind_over_a_temp_file_changes_only_the_replacement() {
    if !common::require_root("bind-mount in a new mount namespace") {
        return;
    }
    let dir = open_tempdir();
    let original = dir.path().join("config");
    let replacement = dir.path().join("config.override");
    std::fs::write(&original, "original\n").unwrap();
    std::fs::write(&replacement, "override\n").unwrap();

    let o = original.to_str().unwrap();
    let script = format!("cat {o}; echo written-inside > {o}");
    let r = nsviz(&[
        "spawn",
        "--bind",
        replacement.to_str().unwrap(),
        o,
        "--",
        "sh",
        "-c",
        &script,
    ])
    .ok();
    assert_eq!(r.out, "override\n");
    // The write went through the bind into the replacement; the original never changed.
    assert_eq!(std::fs::read_to_string(&original).unwrap(), "original\n");
    assert_eq!(
        std::fs::read_to_string(&replacement).unwrap(),
        "written-inside\n"
    );
    assert!(!is_mount_point(&original));
}

#[test]
fn an_unprivileged_user_can_override_a_file_too() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let dir = open_tempdir();
    let original = dir.path().join("motd");
    let fake = dir.path().join("motd.fake");
    std::fs::write(&original, "real\n").unwrap();
    std::fs::write(&fake, "fake\n").unwrap();
    let r = nsviz_as_nobody(&[
        "spawn",
        "-r",
        "--ro-bind",
        fake.to_str().unwrap(),
        original.to_str().unwrap(),
        "--",
        "cat",
        original.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(r.out, "fake\n");
    assert_eq!(std::fs::read_to_string(&original).unwrap(), "real\n");
    assert!(!is_mount_point(&original));
}
