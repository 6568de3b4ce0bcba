//! `nsviz enter` against what nsenter 2.42 documents and against holders nsenter cannot use:
//! --keep-caps (the command's capability sets), -t PID:INODE (the pidfs inode, read by python3
//! as the witness), -Z without SELinux, a namespace held only by another process's open fd,
//! a bwrap sandbox nested in user namespaces (util-linux issue #1592), error messages.

mod common;
mod ns_common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use ns_common::{link, nsviz, nsviz_as_nobody, run};

fn comm_is(pid: i32, name: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim_end() == name)
}

/// A descendant of `pid` that runs `name`, once there is one.
fn descendant_running(pid: i32, name: &str) -> i32 {
    fn search(pid: i32, name: &str) -> Option<i32> {
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
        children
            .split_whitespace()
            .filter_map(|c| c.parse().ok())
            .find_map(|c| {
                if comm_is(c, name) {
                    Some(c)
                } else {
                    search(c, name)
                }
            })
    }
    let mut found = None;
    assert!(
        common::wait_until(Duration::from_secs(10), || {
            found = search(pid, name);
            found.is_some()
        }),
        "no {name} below {pid}"
    );
    found.unwrap()
}

/// `Cap*` lines of the command's /proc/self/status: (name, hex mask).
fn caps(out: &str) -> Vec<(String, u64)> {
    out.lines()
        .filter_map(|l| {
            let (name, hex) = l.split_once(":\t")?;
            Some((name.to_string(), u64::from_str_radix(hex.trim(), 16).ok()?))
        })
        .collect()
}

fn cap(sets: &[(String, u64)], name: &str) -> u64 {
    sets.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn keep_caps_puts_the_permitted_set_in_the_inheritable_and_ambient_ones() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let t =
        common::Background::spawn(common::as_nobody("unshare").args(["-U", "-r", "sleep", "300"]));
    let pid = t.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        comm_is(pid, "sleep") && common::in_other_ns(pid, "user")
    }));
    let p = pid.to_string();
    let status = ["grep", "^Cap", "/proc/self/status"];
    // nsenter 2.42: with --keep-caps and a user namespace entered, inheritable := permitted
    // and every effective capability raised in the ambient set.
    let kept = caps(
        &nsviz_as_nobody(&[&["enter", "-t", &p, "-U", "--keep-caps"][..], &status].concat())
            .ok()
            .out,
    );
    let full = cap(&kept, "CapPrm");
    assert_ne!(full, 0);
    assert_eq!(cap(&kept, "CapEff"), full);
    assert_eq!(cap(&kept, "CapInh"), full);
    assert_eq!(cap(&kept, "CapAmb"), full);
    // Without it, uid 0 inside still has them, but nothing is inheritable or ambient.
    let plain = caps(
        &nsviz_as_nobody(&[&["enter", "-t", &p, "-U"][..], &status].concat())
            .ok()
            .out,
    );
    assert_eq!(cap(&plain, "CapPrm"), full);
    assert_eq!(cap(&plain, "CapInh"), 0);
    assert_eq!(cap(&plain, "CapAmb"), 0);
    // Without a user namespace entered it does nothing, as in nsenter.
    let u = common::Background::spawn(Command::new("unshare").args(["--uts", "sleep", "300"]));
    let up = u.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        comm_is(up, "sleep") && common::in_other_ns(up, "uts")
    }));
    let root = caps(
        &nsviz(
            &[
                &["enter", "-t", &up.to_string(), "-u", "--keep-caps"][..],
                &status,
            ]
            .concat(),
        )
        .ok()
        .out,
    );
    assert_eq!(cap(&root, "CapAmb"), 0);
}

/// The pidfs inode of `pid`'s pidfd, as python3 sees it (getino's number).
fn pidfs_inode(pid: i32) -> u64 {
    let out = common::stdout_of(Command::new("python3").args([
        "-c",
        "import os,sys\nprint(os.fstat(os.pidfd_open(int(sys.argv[1]))).st_ino)",
        &pid.to_string(),
    ]));
    out.trim().parse().unwrap()
}

#[test]
fn a_target_given_as_pid_and_pidfs_inode_must_be_that_process() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = common::Background::spawn(Command::new("unshare").args(["--uts", "sleep", "300"]));
    let pid = t.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        comm_is(pid, "sleep") && common::in_other_ns(pid, "uts")
    }));
    let inode = pidfs_inode(pid);
    let right = format!("{pid}:{inode}");
    let out = nsviz(&["enter", "-t", &right, "-u", "readlink", "/proc/self/ns/uts"]).ok();
    assert_eq!(out.out.trim(), link(Some(pid), "uts"));
    // Another process's inode: as if the PID had been reused.
    let other = pidfs_inode(std::process::id() as i32);
    let wrong = format!("{pid}:{other}");
    let r = nsviz(&["enter", "-t", &wrong, "-u", "true"]);
    assert_eq!(r.code, Some(125), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        format!(
            "nsviz: process {pid} has pidfs inode {inode}, not {other}: that PID now names another process"
        )
    );
    let r = nsviz(&["enter", "-t", &format!("{pid}:x"), "-u", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.one_error_line().contains("is not a PID or PID:INODE"),
        "{r:?}"
    );
}

#[test]
fn follow_context_without_selinux_is_a_usage_error() {
    if std::path::Path::new("/sys/fs/selinux").exists() {
        eprintln!("skipped: SELinux is enabled here");
        return;
    }
    let me = std::process::id().to_string();
    let r = nsviz(&["enter", "-t", &me, "-Z", "-u", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        "nsviz: -Z (--follow-context) is not supported here: SELinux is not enabled"
    );
    let r = nsviz(&["enter", "-Z", "--uts=/proc/self/ns/uts", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        "nsviz: -Z (--follow-context) needs a target (-t PID)"
    );
}

#[test]
fn a_namespace_only_an_open_fd_holds_is_entered_by_id() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let maker = common::Background::spawn(Command::new("unshare").args(["--net", "sleep", "300"]));
    let x = maker.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        comm_is(x, "sleep") && common::in_other_ns(x, "net")
    }));
    let id = common::ns_inode(x, "net").unwrap();
    // python3 opens X's net namespace link and keeps the fd; then X goes.
    let mut holder = common::Background::spawn(
        Command::new("python3")
            .args([
                "-c",
                "import os,sys,time\nfd=os.open(f'/proc/{sys.argv[1]}/ns/net',os.O_RDONLY)\nprint(fd,flush=True)\ntime.sleep(300)",
                &x.to_string(),
            ])
            .stdout(Stdio::piped()),
    );
    let mut line = String::new();
    BufReader::new(holder.child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fd: i32 = line.trim().parse().unwrap();
    drop(maker);
    assert!(!std::path::Path::new(&format!("/proc/{x}")).exists());
    let held = std::fs::read_link(format!("/proc/{}/fd/{fd}", holder.pid())).unwrap();
    assert_eq!(held.to_string_lossy(), format!("net:[{id}]"));
    let out = nsviz(&[
        "enter",
        "--ns",
        &id.to_string(),
        "readlink",
        "/proc/self/ns/net",
    ])
    .ok();
    assert_eq!(out.out.trim(), format!("net:[{id}]"));
    let out = nsviz(&["enter", &format!("--net=:{id}"), "ip", "-o", "link"]).ok();
    assert_eq!(out.out.lines().count(), 1, "only lo: {}", out.out);
    // nobody sees no holder of it, and is told so.
    let r = nsviz_as_nobody(&["enter", "--ns", &id.to_string(), "true"]);
    assert_eq!(r.code, Some(125), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: no namespace with id {id} is held by anything nsviz can see")
    );
}

#[test]
fn a_bwrap_sandbox_nested_in_user_namespaces_is_entered_where_nsenter_fails() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    if !common::ensure_program("bwrap", "bubblewrap") {
        return;
    }
    // As nobody: `unshare -U -r` (outer user namespace), in it bwrap making its own user and
    // PID namespaces, in that a sleep.
    let t = common::Background::spawn(common::as_nobody("unshare").args([
        "-U",
        "-r",
        "sh",
        "-c",
        "bwrap --unshare-user --unshare-pid --ro-bind / / --proc /proc --dev /dev sleep 300; :",
    ]));
    let outer = t.pid();
    let pid = descendant_running(outer, "sleep");
    assert!(common::wait_until(Duration::from_secs(10), || {
        link(Some(pid), "user") != link(Some(outer), "user")
    }));
    let p = pid.to_string();
    let cmd = ["sh", "-c", ns_common::PRINT_LINKS];
    let check = |out: &str| {
        for (ty, l) in ns_common::parse_links(out) {
            assert_eq!(l, link(Some(pid), &ty), "{ty}");
        }
    };
    let plain = run(common::as_nobody("nsenter")
        .args(["-t", &p, "-a"])
        .args(cmd));
    assert_ne!(plain.code, Some(0), "nsenter now manages: {plain:?}");
    let as_owner = nsviz_as_nobody(&[&["enter", "-t", &p, "-a"][..], &cmd].concat()).ok();
    check(&as_owner.out);
    let as_root = nsviz(&[&["enter", "-t", &p, "-a"][..], &cmd].concat()).ok();
    check(&as_root.out);
}

#[test]
fn entry_errors_are_one_sentence_with_the_documented_status() {
    // Ids: not a number (usage), a `:` value that is neither an id nor a file (usage), an id
    // nothing holds (setup).
    let r = nsviz(&["enter", "--ns", "abc", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.one_error_line().contains("'abc'"), "{r:?}");
    let r = nsviz(&["enter", "--net=:abc", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        "nsviz: :abc is not a namespace id (digits after ':') nor a file"
    );
    let r = nsviz(&["enter", "--net=:0", "true"]);
    assert_eq!(r.code, Some(125), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        "nsviz: no net namespace with id 0 is held by anything nsviz can see"
    );
    let r = nsviz(&["enter", "-t", "0", "-u", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.one_error_line(), "nsviz: invalid PID 0");
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    // nobody and root's namespaces: through the target, all of them, and a file.
    let t =
        common::Background::spawn(Command::new("unshare").args(["--uts", "--net", "sleep", "300"]));
    let pid = t.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        comm_is(pid, "sleep") && common::in_other_ns(pid, "net")
    }));
    let p = pid.to_string();
    let r = nsviz_as_nobody(&["enter", "-t", &p, "-a", "true"]);
    assert_eq!(r.code, Some(125), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: cannot read the namespaces of process {pid}: permission denied")
    );
    let file = format!("/proc/{pid}/ns/net");
    let r = nsviz_as_nobody(&["enter", &format!("--net={file}"), "true"]);
    assert_eq!(r.code, Some(125), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: cannot open {file}: permission denied")
    );
    // The target gone between the command line and the entry: named, not a raw errno.
    drop(t);
    let r = nsviz(&["enter", "-t", &p, "-u", "true"]);
    assert_eq!(r.code, Some(125), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: no process with PID {pid}")
    );
}
