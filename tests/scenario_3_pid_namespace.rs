//! Scenario 3: a PID namespace with /proc remounted, the command switched to an unprivileged
//! uid: ps shows only PID 1 and its children. (docs/tutorials/3-pid-namespace.md)

mod common;
mod ns_common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use ns_common::{link, nsviz};

#[test]
fn ps_sees_only_init_and_the_command_running_as_nobody() {
    if !common::require_root("create PID namespaces and switch uid") {
        return;
    }
    let r = nsviz(&[
        "spawn",
        "-p",
        "-i",
        "--mount-proc",
        "--setuid",
        "65534",
        "--setgid",
        "65534",
        "--",
        "ps",
        "-e",
        "-o",
        "pid=,uid=,comm=",
    ])
    .ok();
    let rows: Vec<Vec<&str>> = r
        .out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        vec![vec!["1", "0", "nsviz-init"], vec!["2", "65534", "ps"]],
        "{}",
        r.out
    );
}

#[test]
fn the_command_has_the_ids_and_namespaces_asked_for() {
    if !common::require_root("create PID namespaces and switch uid") {
        return;
    }
    let r = nsviz(&[
        "spawn",
        "-p",
        "-i",
        "--mount-proc",
        "--setuid",
        "65534",
        "--setgid",
        "65534",
        "--",
        "sh",
        "-c",
        "id -u; id -g; id -G; echo $$; readlink /proc/self/ns/ipc /proc/self/ns/pid",
    ])
    .ok();
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(&lines[..4], ["65534", "65534", "65534", "2"], "{}", r.out);
    assert_ne!(lines[4], link(None, "ipc"));
    assert_ne!(lines[5], link(None, "pid"));
}

#[test]
fn init_reaps_orphans() {
    if !common::require_root("create PID namespaces") {
        return;
    }
    // The subshell exits at once, leaving `sleep` to be reparented to PID 1. Once it has
    // exited, an init that did not reap would leave it as a zombie (state Z).
    let script = "(sleep 0.2 &); while [ -n \"$(ps -e -o comm= | grep -x sleep)\" ] && \
                  ! ps -e -o stat=,comm= | grep -q '^Z'; do sleep 0.05; done; \
                  ps -e -o stat=,comm= | grep '^Z' || echo NO-ZOMBIES";
    let r = nsviz(&["spawn", "-p", "--mount-proc", "--", "sh", "-c", script]).ok();
    assert_eq!(r.out.trim(), "NO-ZOMBIES", "{}", r.out);
}

#[test]
fn exit_status_and_signals_pass_through_init() {
    if !common::require_root("create PID namespaces") {
        return;
    }
    let r = nsviz(&["spawn", "-p", "--", "sh", "-c", "exit 7"]);
    assert_eq!(r.code, Some(7));

    // SIGTERM sent to nsviz reaches the command through nsviz and its init.
    let mut cmd = common::nsviz();
    cmd.args([
        "spawn",
        "-p",
        "--",
        "sh",
        "-c",
        "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done",
    ])
    .stdout(Stdio::piped());
    let mut bg = common::Background::spawn(&mut cmd);
    let mut line = String::new();
    BufReader::new(bg.child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    // SAFETY: kill(2) on our own child has no memory-safety preconditions.
    unsafe { libc::kill(bg.pid(), libc::SIGTERM) };
    let mut status = None;
    assert!(common::wait_until(Duration::from_secs(30), || {
        status = bg.child.try_wait().unwrap();
        status.is_some()
    }));
    assert_eq!(status.unwrap().code(), Some(42));
}
