//! Helpers shared by the integration tests: the built binary, root checks, and guards that
//! clean up what a test creates even when the test fails.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The nsviz binary cargo built for these tests.
pub fn nsviz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nsviz"))
}

pub fn nsviz_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nsviz"))
}

/// True when running as root. Tests that need root call this first and return early otherwise:
/// `if !common::require_root("why") { return; }`
pub fn require_root(why: &str) -> bool {
    if rustix::process::geteuid().is_root() {
        return true;
    }
    eprintln!("skipped: needs root to {why}");
    false
}

/// Runs a command to completion and returns its output; panics with its stderr if it fails.
pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed with {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stdout_of(cmd: &mut Command) -> String {
    String::from_utf8(run_ok(cmd).stdout).expect("utf-8 output")
}

/// Wraps `setpriv` so the command runs as nobody (65534) with no groups.
pub fn as_nobody(program: &str) -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", program]);
    cmd
}

/// A background process killed (with its whole process group) when dropped.
pub struct Background {
    pub child: Child,
}

impl Background {
    /// Starts `cmd` in a new process group, stdin closed.
    pub fn spawn(cmd: &mut Command) -> Background {
        use std::os::unix::process::CommandExt;
        cmd.stdin(Stdio::null()).process_group(0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        Background { child }
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let pgid = self.child.id() as i32;
        // SAFETY: kill(2) on our own child's process group has no memory-safety preconditions.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// Runs a closure when dropped: cleanup that must happen also when an assertion fails.
pub struct Cleanup<F: FnMut()>(pub F);

impl<F: FnMut()> Drop for Cleanup<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

/// Polls `cond` every 20 ms until it is true or `timeout` passes; returns whether it became true.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

/// The inode in a /proc/PID/ns/TYPE link, read by the test itself as a witness.
pub fn ns_inode(pid: i32, ns_type: &str) -> Option<u64> {
    let link = std::fs::read_link(format!("/proc/{pid}/ns/{ns_type}")).ok()?;
    let text = link.to_str()?;
    let start = text.find('[')? + 1;
    let end = text.find(']')?;
    text[start..end].parse().ok()
}

/// Whether `pid` is in a `ns_type` namespace other than this test's own; false while either
/// link cannot be read. (PID 1 may be unreadable from inside a container, so the test process is
/// the reference.)
pub fn in_other_ns(pid: i32, ns_type: &str) -> bool {
    match (
        ns_inode(pid, ns_type),
        ns_inode(std::process::id() as i32, ns_type),
    ) {
        (Some(theirs), Some(ours)) => theirs != ours,
        _ => false,
    }
}

/// A name unique to this test run, for netns names, hostnames and temp paths.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `unshare` making one namespace of every type, root mapped, with its own /proc, running
/// `sleep 100` (as PID 1 of the new PID namespace's child).
pub fn unshare_every_type() -> Command {
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-U",
        "-r",
        "-p",
        "-f",
        "-m",
        "-u",
        "-i",
        "-n",
        "-C",
        "-T",
        "--mount-proc",
        "sleep",
        "100",
    ]);
    cmd
}

/// Moves the viewer's selection to `key` with Home and Down, as a user would.
pub fn select_row(app: &mut nsviz::tui::app::App, key: nsviz::graph::NodeKey) {
    use nsviz::tui::keys::Action;
    app.apply(Action::Home);
    for _ in 0..app.tree.rows.len() {
        if app.selected() == Some(key) {
            return;
        }
        app.apply(Action::Down);
    }
    panic!("{key:?} not among the rows");
}

/// The demo plus pid 5100 "curl", in every host namespace but docker web's network
/// namespace (as `nsenter --net=/proc/WEB/ns/net curl ...` would be).
pub fn demo_with_a_joiner() -> nsviz::model::Snapshot {
    use nsviz::model::NsType;
    let mut s = nsviz::source::read_file(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo-snapshot.json"),
    )
    .expect("demo snapshot loads");
    let web_net = 4026532206;
    let mut p = s.process(5000).expect("pid 5000 in the demo").clone();
    p.pid = 5100;
    p.ppid = 5000;
    p.comm = "curl".into();
    p.attribution = None;
    p.cgroup = None;
    p.cmdline = vec!["curl".into(), "http://172.17.0.2/".into()];
    p.ns.insert(NsType::Net, web_net);
    for ns in &mut s.namespaces {
        // Its set already holds web's net: it joins the namespaces of its set.
        if p.ns.get(&ns.ns_type) == Some(&ns.id) {
            ns.processes.push(5100);
        }
    }
    s.processes.push(p);
    s.normalize();
    nsviz::model::label::assign(&mut s);
    s
}

/// The demo plus fifty rootless containers: each a user namespace of its own (a child of
/// the host's) owning mnt, pid, net, uts, ipc and cgroup namespaces, with one process whose
/// hostname is c1..c50. Made from podman alpine-box's namespaces with fresh ids.
pub fn demo_with_fifty_containers() -> nsviz::model::Snapshot {
    use nsviz::model::NsType;
    let mut s = nsviz::source::read_file(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo-snapshot.json"),
    )
    .expect("demo snapshot loads");
    let template_user = 4026532301;
    let template: Vec<nsviz::model::Namespace> = s
        .namespaces
        .iter()
        .filter(|n| {
            n.id == template_user || (n.owner == Some(template_user) && n.ns_type != NsType::User)
        })
        .cloned()
        .collect();
    let template_process = s.process(3040).expect("pid 3040 in the demo").clone();
    for k in 1..=50u64 {
        let base = 5_000_000_000 + k * 100;
        let pid = 10_000 + k as i32;
        let mut p = template_process.clone();
        p.pid = pid;
        p.ppid = 1;
        p.comm = format!("app{k}");
        p.attribution = None;
        p.cgroup = None;
        for (i, ns) in template.iter().enumerate() {
            let mut n = ns.clone();
            n.id = base + i as u64;
            n.nsid = None;
            n.processes = vec![pid];
            n.tasks = Vec::new();
            n.for_children = Vec::new();
            if n.ns_type == NsType::User {
                n.owner = ns.owner;
            } else {
                n.owner = Some(base);
            }
            if let Some(uts) = n.details.as_mut().and_then(|d| d.uts.as_mut()) {
                uts.hostname = format!("c{k}");
            }
            p.ns.insert(n.ns_type, n.id);
            s.namespaces.push(n);
        }
        s.processes.push(p);
    }
    s.normalize();
    nsviz::model::label::assign(&mut s);
    s
}

/// Starts a command in the background and returns it with the first line it prints (bounded).
pub fn start_reporting(cmd: &mut Command) -> (Background, String) {
    use std::io::{BufRead, BufReader};
    cmd.stdout(Stdio::piped());
    let mut bg = Background::spawn(cmd);
    let stdout = bg.child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{cmd:?} reported nothing"));
    assert!(!line.is_empty(), "{cmd:?} exited before reporting");
    (bg, line.trim().to_string())
}

/// Makes sure `program` is in $PATH, installing the Debian `package` that has it (as root, with
/// apt-get) when it is not: this is how the suite gets what a fresh machine lacks. Returns
/// false, after saying why the caller skips, when it cannot be had here.
pub fn ensure_program(program: &str, package: &str) -> bool {
    let in_path = || {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .any(|dir| dir.join(program).is_file())
    };
    if in_path() {
        return true;
    }
    if !require_root(&format!("install {package} for {program}")) {
        return false;
    }
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .output()
    };
    let install = ["install", "-y", "-q", "--no-install-recommends", package];
    let mut result = apt(&install);
    if !matches!(&result, Ok(out) if out.status.success()) {
        // A fresh machine may not have the package lists yet.
        let _ = apt(&["update", "-q"]);
        result = apt(&install);
    }
    match result {
        Ok(out) if out.status.success() && in_path() => true,
        Ok(out) => {
            let said = String::from_utf8_lossy(&out.stderr);
            eprintln!(
                "skipped: {program} is missing and `apt-get install {package}` failed: {}",
                said.lines().last().unwrap_or("no reason given")
            );
            false
        }
        Err(e) => {
            eprintln!("skipped: {program} is missing and apt-get cannot run here: {e}");
            false
        }
    }
}

/// The children of a (single-threaded) process, from /proc/PID/task/PID/children; empty when
/// it has none or is gone.
pub fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .map(|text| {
            text.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}
