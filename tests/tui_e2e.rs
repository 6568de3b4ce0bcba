//! The real binary in a real terminal (tmux): it draws, filters, opens help and explain, quits
//! on q and on SIGTERM, and always gives the terminal back to the shell.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Background, Cleanup, ns_inode, nsviz_path, stdout_of, unique, wait_until};

const WAIT: Duration = Duration::from_secs(15);

/// A tmux server of our own (unique socket), killed when dropped.
struct Tmux {
    socket: String,
    /// One viewer at a time: viewers side by side on two cores slow each other past the
    /// waits, and their spawns interleave.
    _alone: std::sync::MutexGuard<'static, ()>,
}

static ONE_VIEWER: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Tmux {
    /// Starts `command` in a detached 120x40 session.
    fn start(command: &str) -> Tmux {
        let tmux = Tmux {
            socket: unique("nsviz-e2e"),
            _alone: ONE_VIEWER.lock().unwrap_or_else(|e| e.into_inner()),
        };
        let ok = tmux
            .cmd()
            .args(["new-session", "-d", "-x", "120", "-y", "40", command])
            .status()
            .expect("tmux runs");
        assert!(ok.success(), "tmux new-session failed");
        tmux
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("timeout");
        c.args(["10", "tmux", "-L", &self.socket]);
        c
    }

    fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p"])
            .output()
            .expect("capture");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen with its colours (`capture-pane -e`: SGR sequences kept).
    fn screen_with_colours(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-e"])
            .output()
            .expect("capture");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let ok = self
            .cmd()
            .arg("send-keys")
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(ok.success());
    }

    /// Types text literally.
    fn text(&self, text: &str) {
        let ok = self
            .cmd()
            .args(["send-keys", "-l", text])
            .status()
            .expect("send-keys");
        assert!(ok.success());
    }

    fn wait_for(&self, what: &str) {
        let found = wait_until(WAIT, || self.screen().contains(what));
        assert!(
            found,
            "{what:?} did not appear; the screen:\n{}",
            self.screen()
        );
    }

    fn wait_gone(&self, what: &str) {
        let gone = wait_until(WAIT, || !self.screen().contains(what));
        assert!(
            gone,
            "{what:?} did not go away; the screen:\n{}",
            self.screen()
        );
    }

    fn alternate_on(&self) -> String {
        self.display("#{alternate_on}")
    }

    /// A tmux format variable of the pane.
    fn display(&self, format: &str) -> String {
        let out = self
            .cmd()
            .args(["display", "-p", format])
            .output()
            .expect("display");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The shell printed DONE after nsviz ended, the alternate screen is off, and the
    /// terminal is out of raw mode (canonical input and echo are back).
    fn assert_back_at_the_shell(&self) {
        self.wait_for("DONE");
        assert_eq!(self.alternate_on(), "0", "alternate screen left on");
        let tty = self.display("#{pane_tty}");
        let modes = stdout_of(Command::new("stty").args(["-a", "-F", &tty]));
        let words: Vec<&str> = modes.split_whitespace().collect();
        assert!(
            words.contains(&"icanon") && words.contains(&"echo"),
            "the terminal is left in raw mode: {modes}"
        );
        let screen = self.screen();
        assert!(
            !screen.contains("Namespaces by owner"),
            "the viewer is still on screen:\n{screen}"
        );
    }

    /// The live viewer, with SHELL=/bin/sh so the shells it runs are the same everywhere.
    fn live_viewer() -> Tmux {
        Tmux::start(&format!(
            "sh -c 'SHELL=/bin/sh {} --interval 300; echo DONE; sleep 100'",
            nsviz_path().display()
        ))
    }

    /// Waits until the viewer has (on) or has not (off) the alternate screen: it is off while
    /// a child has the terminal.
    fn wait_alternate(&self, on: bool) {
        let want = if on { "1" } else { "0" };
        assert!(
            wait_until(WAIT, || self.alternate_on() == want),
            "alternate screen not {want}; the screen:\n{}",
            self.screen()
        );
    }

    /// Types a shell command and Enter.
    fn command(&self, line: &str) {
        self.text(line);
        self.keys(&["Enter"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

fn demo() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo-snapshot.json")
        .display()
        .to_string()
}

#[test]
fn snapshot_file_filter_help_explain_and_quit() {
    let tmux = Tmux::start(&format!(
        "sh -c '{} --from {}; echo DONE; sleep 100'",
        nsviz_path().display(),
        demo()
    ));
    tmux.wait_for("Namespaces by owner");
    tmux.wait_for("4026532101");
    tmux.text("/blue");
    tmux.keys(&["Enter"]);
    tmux.wait_for("◆ netns blue veth-blue 10.200.0.2/24");
    tmux.wait_gone("4026532101");
    // The match and its owner are left; select the match (last row) and explain it.
    tmux.text("G");
    tmux.text("i");
    tmux.wait_for("The network namespace");
    tmux.wait_for("CLONE_NEWNET");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("The network namespace");
    tmux.text("?");
    tmux.wait_for("Esc, q or ? closes");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Esc, q or ? closes");
    // Esc on the main screen clears the kept filter and does not quit.
    tmux.keys(&["Escape"]);
    tmux.wait_for("4026532101");
    tmux.keys(&["Escape"]);
    tmux.text("c");
    tmux.wait_for("Namespaces by owner");
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

#[test]
fn sigterm_restores_the_terminal() {
    let pidfile = std::env::temp_dir().join(unique("nsviz-e2e-pid"));
    let _rm = Cleanup(|| {
        let _ = std::fs::remove_file(&pidfile);
    });
    let tmux = Tmux::start(&format!(
        "sh -c 'sh -c \"echo \\$\\$ > {}; exec {} --from {}\"; echo DONE; sleep 100'",
        pidfile.display(),
        nsviz_path().display(),
        demo()
    ));
    tmux.wait_for("Namespaces by owner");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .expect("pid file")
        .trim()
        .parse()
        .expect("a pid");
    // SAFETY: kill(2) with a pid we started; no memory is involved.
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0);
    tmux.assert_back_at_the_shell();
}

/// A panic (forced in debug builds by NSVIZ_DEBUG_PANIC) leaves the alternate screen and raw
/// mode before its message is printed, so the message is readable at the shell.
#[test]
fn a_panic_restores_the_terminal_and_its_message_is_readable() {
    let tmux = Tmux::start(&format!(
        "sh -c 'NSVIZ_DEBUG_PANIC=1 RUST_BACKTRACE=0 {} --from {}; echo DONE $?; sleep 100'",
        nsviz_path().display(),
        demo()
    ));
    tmux.assert_back_at_the_shell();
    let screen = tmux.screen();
    assert!(screen.contains("NSVIZ_DEBUG_PANIC is set"), "{screen}");
    assert!(screen.contains("DONE 101"), "{screen}");
}

#[test]
fn too_small_terminal_says_so() {
    let tmux = Tmux::start(&format!(
        "sh -c '{} --from {}; echo DONE; sleep 100'",
        nsviz_path().display(),
        demo()
    ));
    tmux.wait_for("Namespaces by owner");
    let ok = tmux
        .cmd()
        .args(["resize-window", "-x", "40", "-y", "10"])
        .status()
        .expect("resize");
    assert!(ok.success());
    tmux.wait_for("too small");
    let ok = tmux
        .cmd()
        .args(["resize-window", "-x", "120", "-y", "40"])
        .status()
        .expect("resize");
    assert!(ok.success());
    tmux.wait_for("Namespaces by owner");
    tmux.keys(&["C-c"]);
    tmux.assert_back_at_the_shell();
}

/// A `sleep TAG` in a new uts namespace, and a live viewer (needs root) filtered down to that
/// namespace: (the sleeper, its pid, the viewer).
fn live_viewer_on_a_uts_sleeper(tag: &str) -> (Background, i32, Tmux) {
    let sleeper = Background::spawn(Command::new("unshare").args(["-u", "sleep", tag]));
    let pid = sleeper.pid();
    assert!(
        wait_until(WAIT, || common::in_other_ns(pid, "uts")),
        "unshare -u did not make a new uts namespace"
    );
    let uts = ns_inode(pid, "uts").expect("its uts namespace").to_string();
    let tmux = Tmux::start(&format!(
        "sh -c '{} --interval 300; echo DONE; sleep 100'",
        nsviz_path().display()
    ));
    // The title appears with the first scan ("scanning…" before it).
    tmux.wait_for("Namespaces by owner");
    tmux.text("/");
    tmux.text(&uts);
    tmux.keys(&["Enter"]);
    // Labelled by its command (its hostname is the host's).
    tmux.wait_for(&format!("◆ sleep {tag}"));
    (sleeper, pid, tmux)
}

/// Live mode: needs the scanner (src/scan) and root to make a UTS namespace.
#[test]
fn live_viewer_finds_a_namespace_the_test_made() {
    if !common::require_root("create a UTS namespace with unshare") {
        return;
    }
    let (sleeper, pid, tmux) = live_viewer_on_a_uts_sleeper("1234567");
    // Only the match and its owning user namespace are left: the match is the last row.
    tmux.text("G");
    tmux.text("i");
    tmux.wait_for("The UTS namespace");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("The UTS namespace");
    tmux.text("?");
    tmux.wait_for("Esc, q or ? closes");
    tmux.keys(&["Escape"]);
    // The process tree shows the sleeper with its uts cell set.
    tmux.text("2");
    tmux.text("/1234567");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("{pid} sleep 1234567"));
    // It vanishes from the live view when it ends.
    drop(sleeper);
    tmux.text("1");
    tmux.text("c");
    tmux.wait_for("gone");
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

/// Live mode: a namespace made while the viewer runs appears in the change log (`n`) with
/// its label and the process that made it, and in the sandboxes view; Esc closes every
/// overlay and never ends the program.
#[test]
fn a_namespace_made_while_the_viewer_runs_is_in_the_change_log() {
    if !common::require_root("create a UTS namespace with unshare") {
        return;
    }
    let tmux = Tmux::start(&format!(
        "sh -c '{} --interval 300; echo DONE; sleep 100'",
        nsviz_path().display()
    ));
    tmux.wait_for("Namespaces by owner");
    tmux.text("n");
    tmux.wait_for("Nothing has appeared or vanished");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Nothing has appeared or vanished");
    let sleeper = Background::spawn(Command::new("unshare").args(["-u", "sleep", "7654321"]));
    let pid = sleeper.pid();
    assert!(
        wait_until(WAIT, || common::in_other_ns(pid, "uts")),
        "unshare -u did not make a new uts namespace"
    );
    let uts = ns_inode(pid, "uts").expect("its uts namespace").to_string();
    tmux.text("n");
    tmux.wait_for(&format!("+ new  uts    {uts}  sleep 7654321"));
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Changes, newest first");
    // N selects it in the namespace tree; the sandboxes view has its row.
    tmux.text("N");
    tmux.wait_for(&format!("uts   {uts} ◆ new sleep 7654321"));
    tmux.text("4");
    // Other tests' sandboxes may fill the screen: filter down to this one.
    tmux.text("/7654321");
    tmux.keys(&["Enter"]);
    tmux.wait_for("sleep 7654321");
    for (open, title) in [("?", "Esc, q or ? closes"), ("n", "Changes, newest first")] {
        tmux.text(open);
        tmux.wait_for(title);
        tmux.keys(&["Escape"]);
        tmux.wait_gone(title);
    }
    // Esc on the main screen does nothing; the viewer still answers.
    tmux.keys(&["Escape"]);
    tmux.text("1");
    tmux.wait_for("Namespaces by owner");
    // On a namespace row, the explanation and both dialogs close with Esc too.
    for (open, title) in [
        ("i", "CLONE_NEW"),
        ("s", "Spawn a shell in new namespaces"),
        ("e", "┌ Enter "),
    ] {
        tmux.text(open);
        tmux.wait_for(title);
        tmux.keys(&["Escape"]);
        tmux.wait_gone(title);
    }
    tmux.text("1");
    tmux.wait_for("Namespaces by owner");
    drop(sleeper);
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

#[test]
fn without_a_terminal_it_says_so_and_writes_no_escape_codes() {
    let out = common::nsviz()
        .args(["--from", &demo()])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("nsviz runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(!err.contains('\x1b'));
}

#[test]
fn a_bad_snapshot_file_fails_before_the_screen_changes() {
    let out = common::nsviz()
        .args(["--from", "/nonexistent/nsviz-snapshot.json"])
        .output()
        .expect("nsviz runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read snapshot /nonexistent/nsviz-snapshot.json"),
        "{err}"
    );
}

/// The spawn dialog end to end: uts with a hostname, pid with its /proc, kept under a unique
/// name; a command in the spawned shell; back in the viewer the kept namespaces are new and
/// mounted under /run/nsviz/NAME, and D deletes the set.
#[test]
fn spawn_dialog_runs_a_shell_in_new_namespaces_and_deletes_the_kept_set() {
    if !common::require_root("spawn namespaces and keep them under /run/nsviz") {
        return;
    }
    let name = unique("e2e-keep");
    let host = unique("nsviz-e2e");
    let dir = Path::new(nsviz::ns::keep::KEEP_DIR).join(&name);
    let _forget = Cleanup(|| {
        if dir.exists() {
            let _ = common::nsviz().args(["forget", &name]).output();
        }
    });
    let tmux = Tmux::live_viewer();
    tmux.wait_for("Namespaces by owner");
    tmux.text("s");
    tmux.wait_for("Spawn a shell in new namespaces");
    // Defaults: mnt, pid (with a new /proc) and uts. The focus starts on user; the hostname
    // field is 9 fields further, keep 5 after it.
    for _ in 0..9 {
        tmux.keys(&["Tab"]);
    }
    tmux.text(&host);
    for _ in 0..5 {
        tmux.keys(&["Tab"]);
    }
    tmux.text(&name);
    tmux.wait_for(&format!("--hostname={host} --mount-proc --keep={name}"));
    tmux.wait_for(&format!("unshare --mount={}/mnt", dir.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_alternate(false);
    tmux.wait_for("[nsviz:mnt,pid,uts]");
    // Inside: the hostname, the shell as PID 1, and a /proc of the new PID namespace.
    tmux.command("echo H=$(hostname) P=$$ C=$(cat /proc/1/comm)");
    tmux.wait_for(&format!("H={host} P=1 C="));
    // A witness from outside: the kept uts namespace has that hostname.
    let uts = dir.join("uts");
    let seen = stdout_of(
        Command::new("timeout")
            .args(["10", "nsenter"])
            .arg(format!("--uts={}", uts.display()))
            .arg("hostname"),
    );
    assert_eq!(seen.trim(), host);
    let inode = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&uts).expect("kept uts file").ino()
    };
    tmux.command("exit");
    tmux.wait_alternate(true);
    tmux.wait_for("back from nsviz spawn");
    // The scan that follows selects what it kept and names the set.
    tmux.wait_for("new kept namespace");
    tmux.wait_for(&format!("/run/nsviz/{name}"));
    // The kept namespaces, marked new, held by their mounts once the shell is gone.
    tmux.text("/");
    tmux.text(&name);
    tmux.keys(&["Enter"]);
    // The label says what holds it: the kept set.
    let row = format!("kept {name}");
    let found = wait_until(WAIT, || {
        tmux.screen()
            .lines()
            .any(|l| l.contains(&inode.to_string()) && l.contains(" new ") && l.contains(&row))
    });
    assert!(
        found,
        "no new row {inode} {row}; the screen:\n{}",
        tmux.screen()
    );
    // The uts row is the last one the filter leaves; D asks, y deletes.
    tmux.text("G");
    tmux.text("D");
    tmux.wait_for(&format!("Delete kept namespaces {name}"));
    tmux.text("y");
    tmux.wait_for(&format!("deleted the kept namespaces {name}"));
    assert!(!dir.exists(), "{} still exists", dir.display());
    tmux.wait_for("nothing matches the filter");
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

/// The enter dialog end to end: a process the test put in a new UTS namespace, found by its
/// command, entered with e and Enter; its hostname inside; the viewer back after exit.
#[test]
fn enter_dialog_enters_a_process_namespaces_and_comes_back() {
    if !common::require_root("create a UTS namespace with unshare") {
        return;
    }
    let host = unique("nsviz-e2e-enter");
    let marker = (7_000_000 + std::process::id()).to_string();
    let sleeper = Background::spawn(Command::new("unshare").args([
        "-u",
        "sh",
        "-c",
        &format!("hostname {host} && exec sleep {marker}"),
    ]));
    let pid = sleeper.pid();
    assert!(
        wait_until(WAIT, || std::fs::read_to_string(format!(
            "/proc/{pid}/comm"
        ))
        .is_ok_and(|c| c.trim() == "sleep")),
        "the sleeper did not start"
    );
    let tmux = Tmux::live_viewer();
    tmux.wait_for("Namespaces by owner");
    tmux.text("2");
    tmux.text("/");
    tmux.text(&marker);
    tmux.keys(&["Enter"]);
    // Labelled by the hostname of its own UTS namespace (the command may be cut off at the
    // pane's edge in a deep process tree; the detail pane shows it whole).
    tmux.wait_for(&format!("{pid} {host}"));
    tmux.wait_for(&format!("command sleep {marker}"));
    // The match is the last row (its ancestors come first).
    tmux.text("G");
    tmux.text("e");
    tmux.wait_for(&format!("Enter PID {pid} sleep {marker}"));
    // Only the uts namespace differs from the viewer's.
    tmux.wait_for(&format!("nsviz enter --target={pid} -u "));
    tmux.wait_for(&format!("nsenter --target={pid} -u "));
    tmux.keys(&["Enter"]);
    tmux.wait_alternate(false);
    tmux.command("echo H=$(hostname)");
    tmux.wait_for(&format!("H={host}"));
    tmux.command("exit");
    tmux.wait_alternate(true);
    tmux.wait_for("back from nsviz enter");
    tmux.wait_for(&format!("{pid} {host}"));
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

/// A spawn that fails (a bind source that does not exist): its one sentence stays on the
/// screen until a key, then the viewer is back, running, with the status in its status line.
#[test]
fn a_failed_spawn_from_the_dialog_is_reported_and_the_viewer_keeps_running() {
    if !common::require_root("spawn a mount namespace") {
        return;
    }
    let missing = format!("/nonexistent-{}", unique("src"));
    let tmux = Tmux::live_viewer();
    tmux.wait_for("Namespaces by owner");
    tmux.text("s");
    tmux.wait_for("Spawn a shell in new namespaces");
    // The binds field is 11 fields after the first (user).
    for _ in 0..11 {
        tmux.keys(&["Tab"]);
    }
    tmux.text(&format!("{missing} /mnt"));
    tmux.wait_for(&format!("--bind {missing} /mnt"));
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("cannot bind {missing}: no such file or directory"));
    tmux.wait_for("press any key to return to the viewer");
    tmux.text("x");
    tmux.wait_alternate(true);
    tmux.wait_for("nsviz spawn exited with status 125");
    // Still running: a key still works.
    tmux.text("2");
    tmux.wait_for("Processes");
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

/// The spawn dialog's veth end to end, in an outer network namespace the test made (so no
/// interface or address touches this machine's own): a shell in a new network namespace
/// connected by a veth pair with addresses, kept so it is still there once the shell is gone;
/// the viewer finds it by its address and its detail pane lists the inside end.
#[test]
fn spawn_dialog_connects_a_veth_and_the_detail_pane_shows_its_addresses() {
    if !common::require_root("create network namespaces and veth pairs") {
        return;
    }
    // The kept set's directory must exist as a mount on the host before `ip netns exec` copies
    // the mount table: made later by a test running beside this one, it would propagate into
    // the viewer's (slave) mount namespace over the private one, where a mount namespace
    // cannot be bound.
    let warm = unique("e2e-warm");
    common::run_ok(common::nsviz().args(["spawn", "-u", "--keep", &warm, "--", "true"]));
    common::run_ok(common::nsviz().args(["forget", &warm]));
    let outer = unique("nsviz-t");
    common::run_ok(Command::new("ip").args(["netns", "add", &outer]));
    let _outer = Cleanup(|| {
        let _ = Command::new("ip")
            .args(["netns", "delete", &outer])
            .output();
    });
    let name = unique("e2e-veth");
    let dir = Path::new(nsviz::ns::keep::KEEP_DIR).join(&name);
    // Also when the test fails: its mounts go with the viewer's mount namespace (made by
    // ip netns exec), the files stay.
    let _forget = Cleanup(|| {
        if dir.exists() {
            let _ = common::nsviz().args(["forget", &name]).output();
        }
    });
    let tmux = Tmux::start(&format!(
        "sh -c 'SHELL=/bin/sh ip netns exec {outer} {} --interval 300; echo DONE; sleep 100'",
        nsviz_path().display()
    ));
    tmux.wait_for("Namespaces by owner");
    tmux.text("s");
    tmux.wait_for("Spawn a shell in new namespaces");
    // No new mount or PID namespace (nor a new /proc): only the network namespace is kept, so
    // nothing but it is bound from inside `ip netns exec` (binding the mount namespace from
    // there failed with EINVAL now and then; see the note on the networking issue).
    tmux.keys(&["Tab"]);
    tmux.text(" ");
    tmux.keys(&["Tab"]);
    tmux.text(" ");
    // From pid (the third field): "mount a new /proc" is 8 fields on, keep 12, veth 13.
    for _ in 0..8 {
        tmux.keys(&["Tab"]);
    }
    tmux.text(" ");
    for _ in 0..4 {
        tmux.keys(&["Tab"]);
    }
    tmux.text(&name);
    tmux.keys(&["Tab"]);
    tmux.text("10.66.0.2/24 10.66.0.1/24");
    tmux.wait_for("--veth --addr=10.66.0.2/24");
    tmux.wait_for("ip link add nsviz0 type veth peer name eth0");
    tmux.keys(&["Enter"]);
    tmux.wait_alternate(false);
    tmux.wait_for("[nsviz:");
    tmux.command("ip -br addr show eth0");
    tmux.wait_for("10.66.0.2/24");
    // A witness from outside: the outside end, in the test's outer namespace.
    let outside =
        stdout_of(Command::new("ip").args(["-n", &outer, "-br", "addr", "show", "nsviz0"]));
    assert!(outside.contains("10.66.0.1/24"), "{outside}");
    tmux.command("exit");
    tmux.wait_alternate(true);
    tmux.wait_for("back from nsviz spawn");
    // Find the kept network namespace by its address; its detail pane lists the inside end.
    tmux.text("/");
    tmux.text("10.66.0.2");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("kept {name} eth0 10.66.0.2/24"));
    tmux.text("G");
    // The detail pane: the inside end, up, its address, its peer, the default route.
    for shown in [
        "eth0 veth up",
        "10.66.0.2/24",
        "peer nsviz0 in net",
        "inet via 10.66.0.1 dev eth0",
    ] {
        tmux.wait_for(shown);
    }
    // Let the kept set go (the veth goes with the namespace), and quit.
    tmux.text("q");
    tmux.assert_back_at_the_shell();
    let forgot = Command::new("ip")
        .args(["netns", "exec", &outer])
        .arg(nsviz_path())
        .args(["forget", &name])
        .output()
        .unwrap();
    assert!(forgot.status.success(), "{forgot:?}");
    assert!(!dir.exists(), "{} still exists", dir.display());
}

/// Every signal that ends a process by default gives the terminal back (no alternate screen,
/// no raw mode, the cursor shown, no mouse tracking), and the exit status is 128 + n.
#[test]
fn ending_signals_restore_the_terminal_and_exit_128_plus_n() {
    for sig in [
        libc::SIGQUIT,
        libc::SIGUSR1,
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGINT,
    ] {
        let pidfile = std::env::temp_dir().join(unique("nsviz-e2e-pid"));
        let _rm = Cleanup(|| {
            let _ = std::fs::remove_file(&pidfile);
        });
        let tmux = Tmux::start(&format!(
            "sh -c 'sh -c \"echo \\$\\$ > {}; exec {} --from {}\"; echo DONE $?; sleep 100'",
            pidfile.display(),
            nsviz_path().display(),
            demo()
        ));
        tmux.wait_for("Namespaces by owner");
        let pid: i32 = std::fs::read_to_string(&pidfile)
            .expect("pid file")
            .trim()
            .parse()
            .expect("a pid");
        // SAFETY: kill(2) with a pid we started; no memory is involved.
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0);
        tmux.assert_back_at_the_shell();
        let screen = tmux.screen();
        assert!(
            screen.contains(&format!("DONE {}", 128 + sig)),
            "signal {sig}: {screen}"
        );
        assert_eq!(
            tmux.display("#{cursor_flag}"),
            "1",
            "signal {sig}: cursor hidden"
        );
        assert_eq!(
            tmux.display("#{mouse_any_flag}"),
            "0",
            "signal {sig}: mouse tracking left on"
        );
    }
}

/// A viewer whose terminal goes away (its tmux is killed) ends, also while it waits for a key
/// after a failed spawn: it must not stay behind spinning on a terminal that reads as ready.
#[test]
fn a_viewer_whose_terminal_hangs_up_ends() {
    if !common::require_root("spawn a mount namespace") {
        return;
    }
    // An interval no other test uses, to find this viewer among the processes.
    let interval = 5_000 + std::process::id() % 1_000;
    let tmux = Tmux::start(&format!(
        "sh -c 'SHELL=/bin/sh {} --interval {interval}; sleep 100'",
        nsviz_path().display()
    ));
    tmux.wait_for("Namespaces by owner");
    let viewer = || {
        let out = Command::new("pgrep")
            .args(["-f", &format!("nsviz --interval {interval}$")])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert!(!viewer().is_empty(), "the viewer is not running");
    tmux.text("s");
    tmux.wait_for("Spawn a shell in new namespaces");
    for _ in 0..11 {
        tmux.keys(&["Tab"]);
    }
    let missing = format!("/nonexistent-{}", unique("src"));
    tmux.text(&format!("{missing} /mnt"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("press any key to return to the viewer");
    drop(tmux);
    assert!(
        wait_until(WAIT, || viewer().is_empty()),
        "the viewer {} is still running after its terminal went away",
        viewer()
    );
}

/// Enter gives the detail pane the focus; a holder picked there jumps to its process in the
/// process tree; Esc gives the focus back.
#[test]
fn enter_on_a_namespace_jumps_through_its_holder_to_the_process() {
    if !common::require_root("create a UTS namespace with unshare") {
        return;
    }
    let (sleeper, pid, tmux) = live_viewer_on_a_uts_sleeper("2345678");
    // The match is the last row; Enter opens its details with the focus in them.
    tmux.text("G");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Enter jumps, Esc returns");
    tmux.wait_for("Esc back");
    // Esc gives the focus back; the viewer keeps running.
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Enter jumps, Esc returns");
    // Again, then past the owner line to the holder, and Enter jumps to the process.
    tmux.keys(&["Enter"]);
    tmux.wait_for("Enter jumps, Esc returns");
    tmux.text("j");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("PID {pid}"));
    tmux.wait_gone("Enter jumps, Esc returns");
    tmux.wait_for("Processes  ");
    drop(sleeper);
    tmux.text("q");
    tmux.assert_back_at_the_shell();
}

/// `list` and `tree` on a terminal are coloured (`--color auto`), and plain under NO_COLOR or
/// `--color never`; the words are the same.
#[test]
fn text_output_on_a_terminal_is_coloured_unless_no_color() {
    let nsviz = nsviz_path().display().to_string();
    let demo = demo();
    let run = |env: &str, args: &str| {
        let tmux = Tmux::start(&format!(
            "sh -c '{env} {nsviz} {args} --from {demo}; echo DONE; sleep 100'"
        ));
        tmux.wait_for("DONE");
        let screen = tmux.screen_with_colours();
        (screen, tmux.screen())
    };
    // Bold headings and the net type in cyan, as the viewer colours it.
    let (coloured, words) = run("", "list -t net");
    assert!(coloured.contains("\x1b[1mNS"), "{coloured:?}");
    assert!(coloured.contains("\x1b[36mnet"), "{coloured:?}");
    let (tree, _) = run("", "tree");
    assert!(tree.contains("\x1b[34mmnt"), "{tree:?}");
    for (env, args) in [
        ("NO_COLOR=1", "list -t net"),
        ("", "--color never list -t net"),
    ] {
        let (plain, plain_words) = run(env, args);
        assert!(!plain.contains("\x1b["), "{env} {args}: {plain:?}");
        assert_eq!(plain_words, words, "{env} {args}");
    }
}
