//! `nsviz enter`: namespaces of a process (chosen types, --all), files, errors, exit status,
//! signals, and no leaked fds. Every target is a real process in real namespaces.

mod common;
mod ns_common;

use std::process::Command;
use std::time::Duration;

use ns_common::{PRINT_LINKS, link, nsviz, nsviz_as_nobody, parse_links, run};

/// A sleeping process in new net, uts, ipc and mount namespaces (unshare execs sleep, so the
/// PID is the target). Killed on drop.
fn target() -> common::Background {
    let bg = common::Background::spawn(
        Command::new("unshare").args(["--net", "--uts", "--ipc", "--mount", "sleep", "300"]),
    );
    let pid = bg.pid();
    let ready = common::wait_until(Duration::from_secs(10), || {
        common::in_other_ns(pid, "uts")
            && std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
    });
    assert!(ready, "target did not start");
    bg
}

/// A process that is PID 1 of a new PID namespace (with its own /proc), and its pid outside.
fn pid_ns_target() -> (common::Background, i32) {
    let bg = common::Background::spawn(Command::new("unshare").args([
        "--pid",
        "--fork",
        "--mount-proc",
        "sleep",
        "300",
    ]));
    let parent = bg.pid();
    let mut child = None;
    let found = common::wait_until(Duration::from_secs(10), || {
        child = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|p| p.parse().ok()))
            .filter(|p: &i32| {
                std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c == "sleep\n")
            });
        child.is_some()
    });
    assert!(found, "pid namespace target did not start");
    (bg, child.unwrap())
}

#[test]
fn chosen_types_are_the_targets_and_the_rest_ours() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = target();
    let pid = t.pid().to_string();
    let r = nsviz(&[
        "enter",
        "-t",
        &pid,
        "-n",
        "-u",
        "--",
        "sh",
        "-c",
        PRINT_LINKS,
    ])
    .ok();
    let links = parse_links(&r.out);
    assert_eq!(links.len(), 8);
    for (ty, l) in links {
        let expect = if ty == "net" || ty == "uts" {
            link(Some(t.pid()), &ty)
        } else {
            link(None, &ty)
        };
        assert_eq!(l, expect, "{ty}");
    }
}

#[test]
fn all_enters_every_namespace_of_the_target() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = target();
    let pid = t.pid().to_string();
    let r = nsviz(&["enter", "-t", &pid, "--all", "--", "sh", "-c", PRINT_LINKS]).ok();
    let links = parse_links(&r.out);
    assert_eq!(links.len(), 8);
    for (ty, l) in links {
        assert_eq!(l, link(Some(t.pid()), &ty), "{ty}");
    }
}

#[test]
fn entering_a_pid_namespace_runs_the_command_inside_it() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let (_bg, sleeper) = pid_ns_target();
    let pid = sleeper.to_string();
    let r = nsviz(&[
        "enter",
        "-t",
        &pid,
        "-a",
        "--",
        "sh",
        "-c",
        "readlink /proc/self/ns/pid; ps -e -o pid=,comm= | head -1",
    ])
    .ok();
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], link(Some(sleeper), "pid"));
    // With its mount namespace we see its /proc: the target is PID 1 there.
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["1", "sleep"]
    );
}

#[test]
fn user_namespace_entry_makes_root_inside() {
    if !common::require_root("enter user namespaces") {
        return;
    }
    let bg =
        common::Background::spawn(common::as_nobody("unshare").args(["-r", "-n", "sleep", "300"]));
    let pid = bg.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
    }));
    let r = nsviz(&[
        "enter",
        "-t",
        &pid.to_string(),
        "-U",
        "-n",
        "--",
        "sh",
        "-c",
        "id -u; readlink /proc/self/ns/user",
    ])
    .ok();
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], "0");
    assert_eq!(lines[1], link(Some(pid), "user"));
    // --preserve-credentials keeps our uid (root outside maps to nobody inside).
    let r = nsviz(&[
        "enter",
        "-t",
        &pid.to_string(),
        "-U",
        "--preserve-credentials",
        "--",
        "id",
        "-u",
    ])
    .ok();
    assert_eq!(r.out.trim(), "65534");
}

#[test]
fn a_pid_that_does_not_exist_is_named() {
    // The highest PID the kernel can give is pid_max - 1; find a free one below.
    let max: i32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let free = (1..max)
        .rev()
        .find(|p| !std::path::Path::new(&format!("/proc/{p}")).exists())
        .unwrap();
    let r = nsviz(&["enter", "-t", &free.to_string(), "-n", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: no process with PID {free}")
    );
}

#[test]
fn nobody_entering_roots_namespaces_is_refused_by_name() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let t = target();
    let pid = t.pid();
    let r = nsviz_as_nobody(&["enter", "-t", &pid.to_string(), "-n", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: entering net namespace of {pid}: permission denied")
    );
}

#[test]
fn file_errors_name_the_file() {
    let r = nsviz(&["enter", "--net=/nonexistent/netns/x", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot open /nonexistent/netns/x: no such file or directory"
    );
    let r = nsviz(&["enter", "--net=/proc/self/ns/uts", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: /proc/self/ns/uts is a uts namespace, not a net namespace"
    );
    let plain = tempfile::NamedTempFile::new().unwrap();
    let shown = plain.path().display().to_string();
    let r = nsviz(&["enter", &format!("--net={shown}"), "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: {shown} is not a namespace file")
    );
    let r = nsviz(&["enter", "-n", "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.one_error_line(),
        "nsviz: -n needs a target (-t PID) or a file (--net=FILE)"
    );
}

#[test]
fn exit_status_passes_through() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let t = target();
    let pid = t.pid().to_string();
    assert_eq!(
        nsviz(&["enter", "-t", &pid, "-n", "--", "sh", "-c", "exit 7"]).code,
        Some(7)
    );
    let (_bg, sleeper) = pid_ns_target();
    let sp = sleeper.to_string();
    // Through the fork a PID namespace needs, too.
    assert_eq!(
        nsviz(&["enter", "-t", &sp, "-p", "--", "sh", "-c", "exit 7"]).code,
        Some(7)
    );
    // A command killed by a signal kills nsviz with it, as nsenter (tests/exit_status.rs).
    let killed = common::nsviz()
        .args(["enter", "-t", &sp, "-p", "--", "sh", "-c", "kill -9 $$"])
        .status()
        .unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&killed),
        Some(libc::SIGKILL)
    );

    let missing = nsviz(&["enter", "-t", &pid, "-n", "--", "no-such-command-nsviz"]);
    assert_eq!(missing.code, Some(127));
    assert_eq!(
        missing.one_error_line(),
        "nsviz: cannot run no-such-command-nsviz: command not found"
    );
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("not-executable");
    std::fs::write(&script, "#!/bin/sh\n").unwrap();
    let denied = nsviz(&["enter", "-t", &pid, "-n", "--", script.to_str().unwrap()]);
    assert_eq!(denied.code, Some(126));
    assert!(
        denied.one_error_line().ends_with(": permission denied"),
        "{}",
        denied.err
    );
}

#[test]
fn no_fd_of_nsviz_reaches_the_command() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let (_bg, sleeper) = pid_ns_target();
    // fd 7 is open (not close-on-exec) when nsviz starts: the caller's, for the command; nsviz
    // opens more (pidfd, ns files), which the command must not get.
    let nsviz_path = common::nsviz_path();
    let script = format!(
        "exec 7</dev/null; exec {} enter -t {sleeper} -a -- ls /proc/self/fd",
        nsviz_path.display()
    );
    let r = run(Command::new("sh").args(["-c", &script])).ok();
    let fds: Vec<&str> = r.out.lines().collect();
    // 0, 1, 2, the directory ls itself opened to list, and the caller's: 7, and whatever the
    // test runner was started with (the witness gets those too). Nothing of nsviz's.
    assert!(fds.contains(&"7"), "{}", r.out);
    let witness = format!("exec 7</dev/null; exec nsenter -t {sleeper} -a -- ls /proc/self/fd");
    let theirs = run(Command::new("sh").args(["-c", &witness])).ok();
    assert_eq!(r.out, theirs.out);
}

#[test]
fn sigterm_reaches_the_command_in_a_pid_namespace() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let (_bg, sleeper) = pid_ns_target();
    let target = sleeper.to_string();
    let code = ns_common::exit_code_after_sigterm(&["enter", "-t", &target, "-p"], 43);
    assert_eq!(code, Some(43));
}

#[test]
fn nobody_enters_its_own_sandbox() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let bg = common::Background::spawn(
        common::as_nobody("unshare").args(["-r", "-n", "-u", "sleep", "300"]),
    );
    let pid = bg.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c == "sleep\n")
    }));
    let p = pid.to_string();
    let r = nsviz_as_nobody(&["enter", "-t", &p, "-a", "--", "sh", "-c", PRINT_LINKS]).ok();
    for (ty, l) in parse_links(&r.out) {
        assert_eq!(l, link(Some(pid), &ty), "{ty}");
    }
    // Without its user namespace, nobody has no right to its net namespace; nsviz says why.
    let r = nsviz_as_nobody(&["enter", "-t", &p, "-n", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        format!(
            "nsviz: entering net namespace of {pid} (it belongs to another user namespace: add -U): operation not permitted"
        )
    );
}
