//! Scenario 3: a PID namespace with /proc remounted, the command switched to an unprivileged
//! uid: ps shows only PID 1 and its children. (docs/tutorials/3-pid-namespace.md)

mod common;
mod ns_common;

use ns_common::{link, nsviz};

/// The scenario's spawn: new pid (with its /proc) and ipc namespaces, the command as 65534.
fn as_nobody_in_new_pid_ns(command: &[&str]) -> ns_common::Run {
    let mut args = vec![
        "spawn",
        "-p",
        "-i",
        "--mount-proc",
        "--setuid",
        "65534",
        "--setgid",
        "65534",
        "--",
    ];
    args.extend(command);
    nsviz(&args).ok()
}

#[test]
fn ps_sees_only_the_command_running_as_nobody_as_pid_1() {
    if !common::require_root("create PID namespaces and switch uid") {
        return;
    }
    let r = as_nobody_in_new_pid_ns(&["ps", "-e", "-o", "pid=,uid=,comm="]);
    let rows = r.words();
    assert_eq!(rows, vec![vec!["1", "65534", "ps"]], "{}", r.out);
}

#[test]
fn the_command_has_the_ids_and_namespaces_asked_for() {
    if !common::require_root("create PID namespaces and switch uid") {
        return;
    }
    let r = as_nobody_in_new_pid_ns(&[
        "sh",
        "-c",
        "id -u; id -g; id -G; echo $$; readlink /proc/self/ns/ipc /proc/self/ns/pid",
    ]);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(&lines[..4], ["65534", "65534", "65534", "1"], "{}", r.out);
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
    let r = nsviz(&[
        "spawn",
        "-p",
        "--init",
        "--mount-proc",
        "--",
        "sh",
        "-c",
        script,
    ])
    .ok();
    assert_eq!(r.out.trim(), "NO-ZOMBIES", "{}", r.out);
    // With --init, the command is its child.
    let r = nsviz(&[
        "spawn",
        "-p",
        "--init",
        "--mount-proc",
        "--",
        "sh",
        "-c",
        "echo $$; cat /proc/1/comm",
    ])
    .ok();
    assert_eq!(r.out, "2\nnsviz-init\n");
}

#[test]
fn exit_status_and_signals_pass_through_init() {
    if !common::require_root("create PID namespaces") {
        return;
    }
    let r = nsviz(&["spawn", "-p", "--", "sh", "-c", "exit 7"]);
    assert_eq!(r.code, Some(7));

    // SIGTERM sent to nsviz reaches the command (PID 1, with a handler), also through the init.
    let code = ns_common::exit_code_after_sigterm(&["spawn", "-p"], 42);
    assert_eq!(code, Some(42));
    let code = ns_common::exit_code_after_sigterm(&["spawn", "-p", "--init"], 42);
    assert_eq!(code, Some(42));
}
