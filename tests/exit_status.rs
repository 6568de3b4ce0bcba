//! The exit status of `nsviz spawn` and `nsviz enter` as util-linux gives it: the command's
//! code, and for a command killed by a signal, death by the same signal (not 128 + it).
//! unshare and nsenter run the same commands as witnesses. nsviz's own failures keep their
//! documented codes.

mod common;
mod ns_common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

/// Runs a command to completion (bounded) and returns its status.
fn status_of(cmd: &mut Command) -> ExitStatus {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let mut status = None;
    let done = common::wait_until(Duration::from_secs(30), || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    if !done {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{cmd:?} did not finish");
    }
    status.unwrap()
}

fn nsviz_status(args: &[&str]) -> ExitStatus {
    status_of(common::nsviz().args(args))
}

const KILLED_BY_TERM: &str = "kill -TERM $$";

#[test]
fn a_command_killed_by_a_signal_kills_spawn_with_it() {
    if !common::require_root("create namespaces as root") {
        return;
    }
    // Without a new PID namespace unshare execs the command; with -f it waits, as nsviz does.
    for (unshare, nsviz) in [
        (&["-u"][..], &["-u"][..]),
        (&["-f", "-u"], &["-f", "-u", "-i"]),
        // nsviz's command under its init (--init) in a new PID namespace: unshare has no init
        // (its command is PID 1, which its own SIGTERM cannot kill), so -f -u stands in for it.
        (&["-f", "-u"], &["-p", "--init", "--mount-proc"]),
        (&["-f", "-u"], &["-r", "-p", "--init", "-f", "-n"]),
    ] {
        let theirs =
            status_of(
                Command::new("unshare")
                    .args(unshare)
                    .args(["sh", "-c", KILLED_BY_TERM]),
            );
        let mut args = vec!["spawn"];
        args.extend_from_slice(nsviz);
        args.extend(["sh", "-c", KILLED_BY_TERM]);
        let ours = nsviz_status(&args);
        assert_eq!(theirs.signal(), Some(libc::SIGTERM), "unshare {unshare:?}");
        assert_eq!(ours.signal(), theirs.signal(), "{args:?}: {ours}");
        assert_eq!(ours.code(), None, "{args:?}");
    }
}

#[test]
fn a_command_that_is_pid_1_survives_its_own_sigterm_as_with_unshare() {
    if !common::require_root("create namespaces as root") {
        return;
    }
    for flags in [&["-f", "-p"][..], &["-f", "-p", "--mount-proc"]] {
        let theirs =
            status_of(
                Command::new("unshare")
                    .args(flags)
                    .args(["sh", "-c", KILLED_BY_TERM]),
            );
        let mut args = vec!["spawn"];
        args.extend_from_slice(flags);
        args.extend(["sh", "-c", KILLED_BY_TERM]);
        let ours = nsviz_status(&args);
        assert_eq!(theirs.signal(), None, "unshare {flags:?}: {theirs}");
        assert_eq!(
            (ours.code(), ours.signal()),
            (theirs.code(), theirs.signal()),
            "{args:?}"
        );
    }
}

#[test]
fn an_exit_code_of_143_is_a_code_not_a_signal() {
    if !common::require_root("create namespaces as root") {
        return;
    }
    for nsviz in [&["-u"][..], &["-p"], &["-p", "--mount-proc", "-u"]] {
        let theirs = status_of(Command::new("unshare").args(["-f", "-u", "sh", "-c", "exit 143"]));
        let mut args = vec!["spawn"];
        args.extend_from_slice(nsviz);
        args.extend(["sh", "-c", "exit 143"]);
        let ours = nsviz_status(&args);
        assert_eq!(theirs.code(), Some(143));
        assert_eq!(ours.code(), theirs.code(), "{args:?}");
        assert_eq!(ours.signal(), None, "{args:?}");
    }
}

#[test]
fn a_command_killed_by_a_signal_kills_enter_with_it() {
    if !common::require_root("enter other namespaces") {
        return;
    }
    let target = common::Background::spawn(
        Command::new("unshare").args(["--uts", "--pid", "--fork", "sleep", "300"]),
    );
    let parent = target.pid();
    let mut sleeper = None;
    assert!(common::wait_until(Duration::from_secs(10), || {
        sleeper = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .ok()
            .and_then(|c| c.split_whitespace().next().and_then(|p| p.parse().ok()))
            .filter(|p: &i32| common::in_other_ns(*p, "pid"));
        sleeper.is_some()
    }));
    let pid = sleeper.unwrap().to_string();
    // -u: nsviz execs the command; -p: it forks and waits, as nsenter does.
    for types in [&["-u"][..], &["-u", "-p"]] {
        let mut theirs = Command::new("nsenter");
        theirs
            .args(["-t", &pid])
            .args(types)
            .args(["sh", "-c", KILLED_BY_TERM]);
        let theirs = status_of(&mut theirs);
        let mut args = vec!["enter", "-t", &pid];
        args.extend_from_slice(types);
        args.extend(["sh", "-c", KILLED_BY_TERM]);
        let ours = nsviz_status(&args);
        assert_eq!(theirs.signal(), Some(libc::SIGTERM), "nsenter {types:?}");
        assert_eq!(ours.signal(), theirs.signal(), "{args:?}: {ours}");

        let mut args = vec!["enter", "-t", &pid];
        args.extend_from_slice(types);
        args.extend(["sh", "-c", "exit 7"]);
        assert_eq!(nsviz_status(&args).code(), Some(7), "{args:?}");
    }
}

#[test]
fn nsviz_own_failures_keep_their_codes() {
    // Usage errors: 2, whoever runs them.
    assert_eq!(nsviz_status(&["spawn", "--bogus"]).code(), Some(2));
    assert_eq!(nsviz_status(&["enter", "-n"]).code(), Some(2));
    if !common::require_root("create namespaces as root") {
        return;
    }
    // The command cannot be found (127) or run (126); the namespaces cannot be set up (125).
    let missing = nsviz_status(&["spawn", "-u", "/nonexistent/program"]);
    assert_eq!(missing.code(), Some(127));
    let missing_in_pid_ns = nsviz_status(&["spawn", "-p", "/nonexistent/program"]);
    assert_eq!(missing_in_pid_ns.code(), Some(127));
    let not_runnable = nsviz_status(&["spawn", "-u", "/etc/hostname"]);
    assert_eq!(not_runnable.code(), Some(126));
    let no_target = nsviz_status(&["enter", "-t", "99999999", "-u", "true"]);
    assert_eq!(no_target.code(), Some(125));
}
