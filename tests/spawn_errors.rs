//! `nsviz spawn`: errors name what failed in one sentence, and leave nothing behind; exit
//! status; the environment that tells where you are; no leaked fds.

mod common;
mod ns_common;

use std::path::Path;
use std::process::Command;

use ns_common::{BindFile, is_mount_point, nsviz, run};

#[test]
fn a_missing_bind_source_is_named() {
    if !common::require_root("create mount namespaces") {
        return;
    }
    let r = nsviz(&[
        "spawn",
        "--bind",
        "/nonexistent/nsviz-src",
        "/tmp",
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot bind /nonexistent/nsviz-src: no such file or directory"
    );
}

#[test]
fn a_failed_spawn_leaves_no_bound_file_behind() {
    if !common::require_root("bind namespaces to files") {
        return;
    }
    let bound = BindFile::new("uts");
    let (file, f) = (&bound.path, bound.as_str());

    // Fails after the binder bound the namespace (a mount error, then a missing command).
    let r = nsviz(&[
        "spawn",
        &format!("--uts={f}"),
        "--tmpfs",
        "/nonexistent/nsviz-dst",
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert!(
        r.one_error_line()
            .starts_with("nsviz: cannot mount a tmpfs on /nonexistent/nsviz-dst")
    );
    assert!(!is_mount_point(file));
    assert!(!file.exists(), "the file nsviz created was left behind");

    let r = nsviz(&[
        "spawn",
        &format!("--uts={f}"),
        "-p",
        "--",
        "no-such-command-nsviz",
    ]);
    assert_eq!(r.code, Some(127));
    assert!(!is_mount_point(file));
    assert!(!file.exists());

    let name = common::unique("failed");
    let r = nsviz(&[
        "spawn",
        "-u",
        "--keep",
        &name,
        "--",
        "no-such-command-nsviz",
    ]);
    assert_eq!(r.code, Some(127));
    assert!(!Path::new("/run/nsviz").join(&name).exists());
}

#[test]
fn a_mount_namespace_needs_a_private_mount_to_be_kept_on() {
    if !common::require_root("mount a shared tmpfs") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let point = dir.path().to_str().unwrap().to_string();
    let file = dir.path().join("mnt");
    let p = point.clone();
    let _cleanup = common::Cleanup(|| {
        let _ = Command::new("umount").args(["-R", "-l", &p]).output();
    });
    common::run_ok(Command::new("mount").args(["-t", "tmpfs", "nsviz-test", &point]));
    common::run_ok(Command::new("mount").args(["--make-shared", &point]));
    let r = nsviz(&[
        "spawn",
        &format!("--mount={}", file.display()),
        "--propagation",
        "unchanged",
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(125));
    assert!(r.one_error_line().contains("must be private"), "{}", r.err);
    assert!(!is_mount_point(&file));
}

#[test]
fn exit_status_with_and_without_fork() {
    if !common::require_root("create namespaces") {
        return;
    }
    assert_eq!(
        nsviz(&["spawn", "-u", "--", "sh", "-c", "exit 7"]).code,
        Some(7)
    );
    assert_eq!(
        nsviz(&["spawn", "-T", "--", "sh", "-c", "exit 8"]).code,
        Some(8)
    );
    assert_eq!(
        nsviz(&["spawn", "-p", "--", "sh", "-c", "exit 9"]).code,
        Some(9)
    );
    let r = nsviz(&["spawn", "-u", "--", "no-such-command-nsviz"]);
    assert_eq!(r.code, Some(127));
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot run no-such-command-nsviz: command not found"
    );
}

#[test]
fn no_namespace_type_runs_the_command_where_it_is() {
    // As `unshare CMD`: nothing is created, the command runs in nsviz's own namespaces.
    let r = nsviz(&[
        "spawn",
        "--",
        "readlink",
        "/proc/self/ns/uts",
        "/proc/self/ns/mnt",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let ours: Vec<String> = ["uts", "mnt"]
        .iter()
        .map(|t| {
            std::fs::read_link(format!("/proc/self/ns/{t}"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(r.out.lines().collect::<Vec<_>>(), ours);
    assert_eq!(nsviz(&["spawn", "--", "sh", "-c", "exit 4"]).code, Some(4));
}

#[test]
fn the_environment_says_where_you_are() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let r = ns_common::nsviz_as_nobody(&[
        "spawn",
        "-r",
        "-pmu",
        "--mount-proc",
        "--",
        "sh",
        "-c",
        "echo $NSVIZ_NS",
    ])
    .ok();
    assert_eq!(r.out, "user,mnt,pid,uts\n");
}

#[test]
fn an_interactive_shell_shows_the_namespaces_in_its_prompt() {
    if !common::require_root("create namespaces") {
        return;
    }
    if !Path::new("/bin/bash").exists() || !Path::new("/usr/bin/script").exists() {
        eprintln!("skipped: needs bash and script(1)");
        return;
    }
    // script(1) gives the shell a terminal, so it is interactive and prints its prompt.
    let cmd = format!("{} spawn -u -i", common::nsviz_path().display());
    let mut c = Command::new("sh");
    c.args(["-c", &format!("printf 'echo done-$NSVIZ_NS\\nexit 3\\n' | SHELL=/bin/bash script -qec '{cmd}' /dev/null")]);
    let r = run(&mut c);
    assert!(r.out.contains("[nsviz:uts,ipc] "), "{}", r.out);
    assert!(r.out.contains("done-uts,ipc"), "{}", r.out);
    assert_eq!(r.code, Some(3));
}

#[test]
fn no_fd_of_nsviz_reaches_the_command() {
    if !common::require_root("bind namespaces to files") {
        return;
    }
    let bound = BindFile::new("uts");
    let f = bound.as_str();
    // With a binder (pipes) and an init (whose fds the command must not get), and fd 7
    // inherited from the caller.
    let script = format!(
        "exec 7</dev/null; exec {} spawn -p --uts={f} -- ls /proc/self/fd",
        common::nsviz_path().display()
    );
    let r = run(Command::new("sh").args(["-c", &script])).ok();
    let fds: Vec<&str> = r.out.lines().collect();
    // 0, 1, 2, the directory ls itself opened to list, and the caller's: 7, and whatever the
    // test runner was started with (the witness gets those too). Nothing of nsviz's.
    assert!(fds.contains(&"7"), "{}", r.out);
    let witness = "exec 7</dev/null; exec unshare -p -f -- ls /proc/self/fd";
    let theirs = run(Command::new("sh").args(["-c", witness])).ok();
    assert_eq!(r.out, theirs.out);
}

#[test]
fn filesystem_flags_apply_in_command_line_order() {
    if !common::require_root("create mount namespaces") {
        return;
    }
    let src_dir = tempfile::tempdir().unwrap();
    let src = src_dir.path().join("payload");
    std::fs::write(&src, "payload\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let s = src.to_str().unwrap();

    // tmpfs first, then a bind inside it: the mount point is created on our tmpfs.
    let inner = format!("{d}/sub/file");
    let r = nsviz(&[
        "spawn", "--tmpfs", d, "--bind", s, &inner, "--", "cat", &inner,
    ])
    .ok();
    assert_eq!(r.out, "payload\n");
    assert!(
        !Path::new(&inner).exists(),
        "a mount point was created on the host"
    );

    // The other way round the tmpfs covers the bind.
    let host_file = format!("{d}/file");
    std::fs::write(&host_file, "host\n").unwrap();
    let r = nsviz(&[
        "spawn", "--bind", s, &host_file, "--tmpfs", d, "--", "ls", "-A", d,
    ])
    .ok();
    assert_eq!(r.out, "");
    // And without a tmpfs, a missing mount point is an error, never created on the host.
    let missing = format!("{d}/missing");
    let r = nsviz(&["spawn", "--bind", s, &missing, "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: cannot bind {s} on {missing}: no such file or directory")
    );
    assert!(!Path::new(&missing).exists());
    assert!(!is_mount_point(Path::new(&host_file)));
}
