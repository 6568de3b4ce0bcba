//! Command-line compatibility with util-linux: options are options up to the first word that is
//! not one (or `--`), unknown and conflicting options are one-sentence errors in every
//! subcommand, and unshare's spellings (`-f`, clustered short options, `-c`, `-V`) mean what
//! they mean there. unshare and nsenter themselves are the witnesses.

mod common;
mod ns_common;

use std::process::Command;
use std::time::Duration;

use ns_common::{link, nsviz, nsviz_as_nobody, run};

/// Every subcommand, and the bare command (the viewer).
const SUBCOMMANDS: [&[&str]; 10] = [
    &[],
    &["list"],
    &["tree"],
    &["snapshot"],
    &["graph"],
    &["enter"],
    &["spawn"],
    &["forget"],
    &["completions", "bash"],
    &["man"],
];

#[test]
fn an_unknown_option_is_one_sentence_in_every_subcommand() {
    for sub in SUBCOMMANDS {
        let mut args = sub.to_vec();
        args.push("--bogus-option");
        let r = nsviz(&args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.err);
        assert!(r.out.is_empty(), "{args:?}: {}", r.out);
        let line = r.one_error_line();
        assert!(
            line.starts_with("nsviz: unexpected argument '--bogus-option'"),
            "{args:?}: {line}"
        );
        let help = match sub.first() {
            Some(s) => format!("see 'nsviz {s} --help'."),
            None => "see 'nsviz --help'.".to_string(),
        };
        assert!(line.ends_with(&help), "{args:?}: {line}");
    }
}

#[test]
fn an_unknown_option_before_the_command_is_never_run() {
    // Before: `nsviz spawn -U --bogus` ran a program called --bogus.
    for args in [
        &["spawn", "-U", "--bogus", "true"][..],
        &["spawn", "-U", "-Z", "true"],
        &["enter", "-t", "1", "-u", "--bogus", "true"],
    ] {
        let r = nsviz(args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.err);
        let line = r.one_error_line();
        assert!(line.contains("unexpected argument"), "{args:?}: {line}");
        assert!(!line.contains("cannot run"), "{args:?}: {line}");
    }
}

/// Every subcommand with options that exclude each other (tree, graph, snapshot, forget,
/// completions and man have none).
#[test]
fn conflicting_options_are_one_sentence() {
    for args in [
        // (-r and -c do not conflict: the later one wins, as in unshare.)
        &["spawn", "--veth", "--pasta", "true"][..],
        &["spawn", "--init", "--as-pid-1", "true"],
        &["spawn", "--new-root", "--chdir", "/", "-w", "/", "true"],
        &["enter", "-t", "1", "-u", "-w/", "-W", "/", "true"],
        &["enter", "-t", "1", "-N", "3", "--net", "true"],
        &["list", "-J", "-r"],
    ] {
        let r = nsviz(args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.err);
        let line = r.one_error_line();
        assert!(line.contains("cannot be used with"), "{args:?}: {line}");
        let help = format!("see 'nsviz {} --help'.", args[0]);
        assert!(line.ends_with(&help), "{line}");
    }
}

#[test]
fn version_on_every_subcommand() {
    let version = env!("CARGO_PKG_VERSION");
    for sub in SUBCOMMANDS {
        for flag in ["-V", "--version"] {
            let mut args = sub.to_vec();
            args.push(flag);
            let r = nsviz(&args).ok();
            assert!(r.out.trim_end().ends_with(version), "{args:?}: {:?}", r.out);
        }
    }
}

#[test]
fn options_after_the_command_belong_to_it() {
    if !common::require_root("create namespaces as root (the unprivileged case is below)") {
        return;
    }
    // `echo -n --hostname x`: -n and --hostname are echo's, as with unshare.
    let witness = run(Command::new("unshare").args(["-u", "echo", "-n", "--hostname", "x"])).ok();
    let r = nsviz(&["spawn", "-u", "echo", "-n", "--hostname", "x"]).ok();
    assert_eq!(r.out, witness.out);
    assert_eq!(r.out, "--hostname x");

    // The same for enter, against nsenter, into the uts namespace of a sleeping process.
    let target = common::Background::spawn(Command::new("unshare").args(["-u", "sleep", "300"]));
    let pid = target.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        common::in_other_ns(pid, "uts")
    }));
    let me = pid.to_string();
    let witness = run(Command::new("nsenter").args(["-t", &me, "-u", "echo", "-n", "-a", "-u"]));
    let r = nsviz(&["enter", "-t", &me, "-u", "echo", "-n", "-a", "-u"]).ok();
    assert_eq!(r.out, witness.ok().out);
    assert_eq!(r.out, "-a -u");

    // After `--`, a word starting with `-` is the command.
    let r = nsviz(&["spawn", "-u", "--", "--no-such-program"]);
    assert_eq!(r.code, Some(127), "{}", r.err);
    assert!(
        r.one_error_line().contains("cannot run --no-such-program"),
        "{}",
        r.err
    );
}

#[test]
fn fork_is_accepted_and_the_command_runs_in_the_new_pid_namespace() {
    if !common::require_root("create a PID namespace as root") {
        return;
    }
    // unshare's man page: `unshare --fork --pid --mount-proc readlink /proc/self`.
    let r = nsviz(&[
        "spawn",
        "--fork",
        "--pid",
        "--mount-proc",
        "readlink",
        "/proc/self",
    ])
    .ok();
    let pid: u32 = r
        .out
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{:?}", r.out));
    // A PID of the new namespace: its first few, not one of the host's.
    assert!(pid <= 2, "{pid}");
    let r = nsviz(&[
        "spawn",
        "-f",
        "-p",
        "--mount-proc",
        "readlink",
        "/proc/self",
    ])
    .ok();
    assert!(
        r.out.trim().parse::<u32>().is_ok_and(|p| p <= 2),
        "{}",
        r.out
    );
}

#[test]
fn clustered_short_options_as_unshare_reads_them() {
    if !common::require_root("create namespaces as root") {
        return;
    }
    // -Urnf: user namespace, root mapped, new net namespace, fork.
    let witness = run(Command::new("unshare").args(["-Urnf", "id"])).ok();
    let r = nsviz(&["spawn", "-Urnf", "id"]).ok();
    assert_eq!(r.out, witness.out);

    // -imnpuf: every one of those types is new; the command sees none of ours.
    let script = "for t in ipc mnt net pid uts; do readlink /proc/self/ns/$t; done";
    let r = nsviz(&["spawn", "-imnpuf", "--mount-proc", "sh", "-c", script]).ok();
    let ours: Vec<String> = ["ipc", "mnt", "net", "pid", "uts"]
        .iter()
        .map(|t| link(None, t))
        .collect();
    let theirs: Vec<&str> = r.out.lines().collect();
    assert_eq!(theirs.len(), 5, "{}", r.out);
    for (mine, inside) in ours.iter().zip(&theirs) {
        assert_ne!(mine, inside);
    }
}

#[test]
fn clustered_options_and_map_current_user_unprivileged() {
    // As nobody, against unshare run as nobody.
    for args in [&["-Urnf", "id"][..], &["-c", "id"], &["-cn", "id", "-u"]] {
        let mut witness = common::as_nobody("unshare");
        let witness = run(witness.args(args)).ok();
        let mut nsviz_args = vec!["spawn"];
        nsviz_args.extend_from_slice(args);
        let r = nsviz_as_nobody(&nsviz_args).ok();
        assert_eq!(r.out, witness.out, "{args:?}");
    }
}
