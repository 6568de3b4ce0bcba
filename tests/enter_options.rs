//! `nsviz enter` options beyond the basic ones, each against real namespaces and, where
//! nsenter 2.38 has the option, against nsenter: working directory and root (-w, -r, -W, the
//! namespace's root by default), -F, -e, -c, -N, --user-parent, -S follow, namespaces by id
//! (--ns ID, --TYPE=:ID, also one only a bind mount holds), nested user namespaces.

mod common;
mod ns_common;

use std::process::Command;
use std::time::Duration;

use ns_common::{link, nsviz, run};

/// `unshare ARGS sleep 300` started in /usr; waits until its `ns` differs from ours.
fn target(args: &[&str], ns: &str) -> common::Background {
    let bg = common::Background::spawn(
        Command::new("unshare")
            .args(args)
            .args(["sleep", "300"])
            .current_dir("/usr"),
    );
    let pid = bg.pid();
    let ready = common::wait_until(Duration::from_secs(10), || {
        common::in_other_ns(pid, ns)
            && std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
    });
    assert!(ready, "target did not start");
    bg
}

fn nsenter(args: &[&str]) -> ns_common::Run {
    run(Command::new("nsenter").args(args))
}

/// The first child of `parent` once it is running `sleep` and `ready` says yes (10 s at most).
fn sleep_child(parent: i32, ready: impl Fn(i32) -> bool) -> i32 {
    let mut pid = 0;
    let found = common::wait_until(Duration::from_secs(10), || {
        pid = common::children(parent).first().copied().unwrap_or(0);
        pid > 0
            && std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
            && ready(pid)
    });
    assert!(found, "no sleep under {parent}");
    pid
}

#[test]
fn working_directory_and_root_follow_nsenter() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = target(&["--mount", "--uts"], "mnt");
    let pid = t.pid().to_string();
    for extra in [
        &["-m", "pwd"][..],
        &["-m", "-w", "pwd"],
        &["-m", "-w/etc", "pwd"],
        &["-m", "--wd=/etc", "pwd"],
        &["-m", "-W", "/var", "pwd"],
        &["-m", "-r", "-w", "pwd"],
        &["-m", "--root", "pwd"],
        &["-u", "-w", "pwd"],
    ] {
        let args: Vec<&str> = ["-t", &pid]
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect();
        let theirs = nsenter(&args).ok();
        let ours = nsviz(&[&["enter"][..], &args].concat()).ok();
        assert_eq!(ours.out, theirs.out, "{args:?}");
    }
    // Without -w, the mount namespace's root, not the target's directory (/usr).
    assert_eq!(nsviz(&["enter", "-t", &pid, "-m", "pwd"]).ok().out, "/\n");
}

#[test]
fn no_fork_execs_in_place_and_env_is_the_targets() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = common::Background::spawn(Command::new("unshare").args([
        "--pid",
        "--fork",
        "--uts",
        "env",
        "-i",
        "MARK=target",
        "sleep",
        "300",
    ]));
    let outer = t.pid();
    let pid = sleep_child(outer, |_| true);
    let p = pid.to_string();
    // -F: the command itself is not in the PID namespace (only its children would be).
    let same = nsenter(&["-t", &p, "-p", "-F", "readlink", "/proc/self/ns/pid"]).ok();
    let ours = nsviz(&[
        "enter",
        "-t",
        &p,
        "-p",
        "-F",
        "readlink",
        "/proc/self/ns/pid",
    ])
    .ok();
    assert_eq!(ours.out, same.out);
    assert_eq!(ours.out.trim(), link(None, "pid"));
    let env = nsviz(&["enter", "-t", &p, "-u", "-e", "printenv", "MARK"]).ok();
    assert_eq!(env.out, "target\n");
}

#[test]
fn net_socket_and_namespaces_by_id() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = common::Background::spawn(Command::new("unshare").args([
        "--net",
        "python3",
        "-c",
        "import socket,time\ns=socket.socket()\nprint(s.fileno(),flush=True)\ntime.sleep(300)",
    ]).stdout(std::process::Stdio::piped()));
    let pid = t.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        common::in_other_ns(pid, "net")
    }));
    let theirs = link(Some(pid), "net");
    let p = pid.to_string();
    // python3's first socket is fd 3.
    assert!(common::wait_until(Duration::from_secs(10), || {
        std::fs::read_link(format!("/proc/{pid}/fd/3"))
            .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
    }));
    let via_socket = nsviz(&[
        "enter",
        "-t",
        &p,
        "-N",
        "3",
        "readlink",
        "/proc/self/ns/net",
    ])
    .ok();
    assert_eq!(via_socket.out.trim(), theirs);
    let id = common::ns_inode(pid, "net").unwrap().to_string();
    let by_type = format!("--net=:{id}");
    for args in [&["--ns", &id][..], &[&by_type]] {
        let args = [&["enter"][..], args, &["readlink", "/proc/self/ns/net"]].concat();
        assert_eq!(nsviz(&args).ok().out.trim(), theirs);
    }
    let missing = nsviz(&["enter", "--ns", "18446744073709551614", "true"]);
    assert_eq!(missing.code, Some(125), "{missing:?}");
    assert!(missing.one_error_line().contains("id 18446744073709551614"));
}

#[test]
fn a_namespace_only_a_bind_mount_holds_is_entered_by_id() {
    if !common::require_root("bind a namespace to a file") {
        return;
    }
    let name = common::unique("enter-id");
    let file = format!("/run/{name}");
    std::fs::write(&file, "").unwrap();
    let _cleanup = common::Cleanup(|| {
        let _ = Command::new("umount").arg(&file).status();
        let _ = std::fs::remove_file(&file);
    });
    run(Command::new("unshare").args([&format!("--uts={file}"), "hostname", "boundbox"])).ok();
    let id = std::fs::metadata(&file)
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap();
    let out = nsviz(&["enter", "--ns", &id.to_string(), "hostname"]).ok();
    assert_eq!(out.out, "boundbox\n");
}

#[test]
fn nested_user_namespaces_are_entered_level_by_level() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    // As nobody: an outer user namespace owning a mount namespace, a process in an inner
    // user namespace. nsenter enters the inner user namespace, then may not enter the mount
    // namespace (util-linux issue #1592).
    let t = common::Background::spawn(common::as_nobody("unshare").args([
        "-U",
        "-r",
        "-m",
        "sh",
        "-c",
        "unshare -U -r sleep 300; :",
    ]));
    // setpriv and unshare exec, so `outer` is the shell in the outer user namespace.
    let outer = t.pid();
    let pid = sleep_child(outer, |pid| {
        link(Some(pid), "user") != link(Some(outer), "user")
    });
    let p = pid.to_string();
    let cmd = ["readlink", "/proc/self/ns/mnt", "/proc/self/ns/user"];
    let plain = run(common::as_nobody("nsenter")
        .args(["-t", &p, "-U", "-m"])
        .args(cmd));
    assert_ne!(plain.code, Some(0), "nsenter now manages: {plain:?}");
    let ours = run(common::as_nobody(&common::nsviz_path().to_string_lossy())
        .args(["enter", "-t", &p, "-U", "-m"])
        .args(cmd))
    .ok();
    assert_eq!(
        ours.out,
        format!("{}\n{}\n", link(Some(pid), "mnt"), link(Some(pid), "user"))
    );
    // --user-parent: the outer one.
    let parent = run(
        common::as_nobody(&common::nsviz_path().to_string_lossy()).args([
            "enter",
            "-t",
            &p,
            "-U",
            "--user-parent",
            "readlink",
            "/proc/self/ns/user",
        ]),
    )
    .ok();
    assert_eq!(parent.out.trim(), link(Some(outer), "user"));
}

#[test]
fn join_cgroup_moves_into_the_targets_cgroup_and_follow_takes_its_ids() {
    if !common::require_root("make a cgroup") {
        return;
    }
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let Some(mount) = mountinfo
        .lines()
        .filter(|l| l.contains(" - cgroup2 "))
        .filter_map(|l| l.split(' ').nth(4))
        .min_by_key(|p| p.len())
    else {
        eprintln!("skipped: no cgroup v2 hierarchy");
        return;
    };
    let name = common::unique("nsviz-enter");
    let dir = format!("{mount}/{name}");
    std::fs::create_dir(&dir).unwrap();
    let cleanup = common::Cleanup(|| {
        let _ = std::fs::remove_dir(&dir);
    });
    let t = target(&["--uts"], "uts");
    std::fs::write(format!("{dir}/cgroup.procs"), t.pid().to_string()).unwrap();
    let p = t.pid().to_string();
    let out = nsviz(&["enter", "-t", &p, "-u", "-c", "cat", "/proc/self/cgroup"]).ok();
    assert!(out.out.contains(&format!("0::/{name}\n")), "{}", out.out);
    drop(t);
    // Nothing is left in it: the cgroup goes with the guard.
    drop(cleanup);
    assert!(!std::path::Path::new(&dir).exists(), "{dir} is left");
    let nobody = common::Background::spawn(
        common::as_nobody("unshare").args(["-U", "-r", "--uts", "sleep", "300"]),
    );
    let np = nobody.pid();
    assert!(common::wait_until(
        Duration::from_secs(10),
        || common::in_other_ns(np, "uts")
            && std::fs::read_to_string(format!("/proc/{np}/comm")).is_ok_and(|c| c == "sleep\n")
    ));
    let ids = nsviz(&[
        "enter",
        "-t",
        &np.to_string(),
        "-U",
        "-S",
        "follow",
        "-G",
        "follow",
        "id",
        "-u",
    ])
    .ok();
    assert_eq!(ids.out, "0\n");
}

#[test]
fn option_errors_are_usage_errors() {
    for (args, says) in [
        (&["enter", "-e", "-n/run/x", "true"][..], "-e"),
        (
            &["enter", "-t", "1", "-w/", "-W", "/", "-u", "true"],
            "cannot be used with",
        ),
        (&["enter", "-t", "1", "--bogus", "true"], "--bogus"),
        (
            &["enter", "-t", "1", "-S", "nobody", "-u", "true"],
            "follow",
        ),
        (
            &["enter", "-t", "1", "-N", "3", "--net", "true"],
            "cannot be used with",
        ),
    ] {
        let r = nsviz(args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(r.one_error_line().contains(says), "{args:?}: {}", r.err);
    }
}
