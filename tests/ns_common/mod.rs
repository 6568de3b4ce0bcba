//! Helpers for the enter/spawn tests (on top of tests/common): run the binary and look at
//! namespaces and mounts from outside.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A finished run: exit code, stdout, stderr.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub out: String,
    pub err: String,
}

impl Run {
    /// Panics with everything that was printed unless the command exited 0.
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "stdout:\n{}\nstderr:\n{}",
            self.out,
            self.err
        );
        self
    }

    /// Standard output as lines of whitespace-separated words.
    pub fn words(&self) -> Vec<Vec<&str>> {
        self.out
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect()
    }

    /// The one line nsviz printed to stderr (asserting it is one line).
    pub fn one_error_line(&self) -> &str {
        let text = self.err.trim_end();
        assert_eq!(text.lines().count(), 1, "not one line: {text:?}");
        assert!(!text.contains("panicked"), "{text}");
        text
    }
}

pub fn run(cmd: &mut Command) -> Run {
    // Every run is bounded: nothing in these tests may hang the suite.
    let mut bounded = Command::new("timeout");
    bounded
        .arg("60")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => bounded.env(k, v),
            None => bounded.env_remove(k),
        };
    }
    let out: Output = bounded
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Run {
        code: out.status.code(),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `nsviz ARGS...` run to completion (within 60 s).
pub fn nsviz(args: &[&str]) -> Run {
    run(super::common::nsviz().args(args))
}

/// `nsviz ARGS...` run as nobody (65534, no groups).
pub fn nsviz_as_nobody(args: &[&str]) -> Run {
    let mut cmd = super::common::as_nobody(super::common::nsviz_path().to_str().unwrap());
    run(cmd.args(args))
}

/// The target of /proc/PID/ns/TYPE ("net:[4026531840]"), or of /proc/self/ns/TYPE.
pub fn link(pid: Option<i32>, ns: &str) -> String {
    let proc = match pid {
        Some(p) => format!("/proc/{p}/ns/{ns}"),
        None => format!("/proc/self/ns/{ns}"),
    };
    std::fs::read_link(&proc)
        .unwrap_or_else(|e| panic!("readlink {proc}: {e}"))
        .to_string_lossy()
        .into_owned()
}

/// The eight types, as /proc/PID/ns names them.
pub const TYPES: [&str; 8] = ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"];

/// A shell snippet printing `TYPE LINK` for each of the eight types.
pub const PRINT_LINKS: &str = "for t in cgroup ipc mnt net pid time user uts; do echo \"$t $(readlink /proc/self/ns/$t)\"; done";

/// Parses PRINT_LINKS output into (type, link) pairs.
pub fn parse_links(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(t, _)| TYPES.contains(t))
        .map(|(t, l)| (t.to_string(), l.to_string()))
        .collect()
}

/// Whether `path` is a mount point in the test's (the host's) mount namespace.
pub fn is_mount_point(path: &Path) -> bool {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let want = path.to_str().unwrap();
    text.lines()
        .any(|line| line.split(' ').nth(4) == Some(want))
}

/// A temporary directory anyone may enter (for runs as nobody), removed on drop.
pub fn open_tempdir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// Unmounts (lazily) and removes a file a test bound a namespace to; for Cleanup guards.
pub fn unbind(path: &Path) {
    let _ = Command::new("umount").arg("-l").arg(path).output();
    let _ = std::fs::remove_file(path);
}

/// The host's hostname, read by the test as a witness.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

/// Runs `nsviz ARGS -- sh -c ...` where the shell exits with `code` on SIGTERM, sends SIGTERM
/// to nsviz once the shell runs, and returns nsviz's exit code: the signal must reach the
/// command through nsviz (and an init, in a new PID namespace).
pub fn exit_code_after_sigterm(args: &[&str], code: i32) -> Option<i32> {
    let script = format!("trap 'exit {code}' TERM; echo ready; while :; do sleep 0.05; done");
    let mut cmd = crate::common::nsviz();
    cmd.args(args)
        .args(["--", "sh", "-c", &script])
        .stdout(Stdio::piped());
    let mut bg = crate::common::Background::spawn(&mut cmd);
    let mut line = String::new();
    BufReader::new(bg.child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    // SAFETY: kill(2) on our own child has no memory-safety preconditions.
    unsafe { libc::kill(bg.pid(), libc::SIGTERM) };
    let mut status = None;
    assert!(crate::common::wait_until(Duration::from_secs(30), || {
        status = bg.child.try_wait().unwrap();
        status.is_some()
    }));
    status.unwrap().code()
}

/// A file in a fresh temporary directory for a test to bind a namespace to; unbound and
/// removed when dropped, also when the test fails.
pub struct BindFile {
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl BindFile {
    pub fn new(name: &str) -> BindFile {
        let dir = tempfile::tempdir().unwrap();
        BindFile {
            path: dir.path().join(name),
            _dir: dir,
        }
    }

    pub fn as_str(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

impl Drop for BindFile {
    fn drop(&mut self) {
        unbind(&self.path);
    }
}
