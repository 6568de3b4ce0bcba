//! Scenario 5: a filesystem view: a new root on tmpfs assembled from bind mounts (some
//! read-only), entered with pivot_root, the old root detached. (docs/tutorials/5-new-root.md)

mod common;
mod ns_common;

use std::path::Path;

use ns_common::{Run, is_mount_point, nsviz, nsviz_as_nobody};

const SCRIPT: &str = "ls -A /; \
    if touch /usr/nsviz-write-test 2>/dev/null; then echo USR-WRITABLE; else echo USR-READ-ONLY; fi; \
    if touch /tmp/x; then echo TMP-WRITABLE; fi; \
    grep -c oldroot /proc/self/mountinfo || true";

fn new_root_args(user_ns: bool) -> Vec<&'static str> {
    let mut args = vec!["spawn"];
    if user_ns {
        args.push("-r");
    }
    args.extend([
        "-p",
        "--new-root",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--symlink",
        "usr/lib",
        "/lib",
    ]);
    if Path::new("/usr/lib64").is_dir() {
        args.extend(["--symlink", "usr/lib64", "/lib64"]);
    }
    args.extend([
        "--tmpfs", "/tmp", "--proc", "/proc", "--", "sh", "-c", SCRIPT,
    ]);
    args
}

fn check(r: Run) {
    let r = r.ok();
    let mut expected = vec!["bin", "lib", "proc", "sbin", "tmp", "usr"];
    if Path::new("/usr/lib64").is_dir() {
        expected.push("lib64");
    }
    expected.sort();
    let lines: Vec<&str> = r.out.lines().collect();
    let mut listed: Vec<&str> = lines[..lines.len() - 3].to_vec();
    listed.sort();
    assert_eq!(listed, expected, "{}", r.out);
    assert_eq!(
        &lines[lines.len() - 3..],
        ["USR-READ-ONLY", "TMP-WRITABLE", "0"],
        "{}",
        r.out
    );
    // Outside: nothing written to /usr, no trace of the build in /tmp.
    assert!(!Path::new("/usr/nsviz-write-test").exists());
    assert!(!Path::new("/tmp/oldroot").exists());
}

#[test]
fn new_root_as_nobody_shows_only_what_was_put_there() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let tmp_was_mount = is_mount_point(Path::new("/tmp"));
    check(nsviz_as_nobody(&new_root_args(true)));
    assert_eq!(is_mount_point(Path::new("/tmp")), tmp_was_mount);
}

#[test]
fn new_root_as_root_keeps_usr_read_only() {
    if !common::require_root("build a new root") {
        return;
    }
    check(nsviz(&new_root_args(false)));
}

#[test]
fn a_minimal_dev_works_in_the_new_root() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let mut args = new_root_args(true);
    let at = args.iter().position(|a| *a == "--").unwrap();
    args.truncate(at);
    args.extend([
        "--dev",
        "/dev",
        "--",
        "sh",
        "-c",
        "ls /dev; echo x > /dev/null && echo NULL-OK; head -c 4 /dev/zero | od -An -tx1",
    ]);
    let r = nsviz_as_nobody(&args).ok();
    for node in ["null", "zero", "urandom", "pts", "ptmx", "shm", "fd"] {
        assert!(
            r.out.lines().any(|l| l == node),
            "no /dev/{node}:\n{}",
            r.out
        );
    }
    assert!(r.out.contains("NULL-OK"));
    assert!(r.out.contains("00 00 00 00"), "{}", r.out);
}
