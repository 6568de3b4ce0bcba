//! The real binary in a real terminal (tmux): it draws, filters, opens help and explain, quits
//! on q and on SIGTERM, and always gives the terminal back to the shell.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Background, Cleanup, ns_inode, nsviz_path, unique, wait_until};

const WAIT: Duration = Duration::from_secs(15);

/// A tmux server of our own (unique socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` in a detached 120x40 session.
    fn start(command: &str) -> Tmux {
        let tmux = Tmux {
            socket: unique("nsviz-e2e"),
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
        let out = self
            .cmd()
            .args(["display", "-p", "#{alternate_on}"])
            .output()
            .expect("display");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The shell printed DONE after nsviz ended, and the alternate screen is off.
    fn assert_back_at_the_shell(&self) {
        self.wait_for("DONE");
        assert_eq!(self.alternate_on(), "0", "alternate screen left on");
        let screen = self.screen();
        assert!(
            !screen.contains("Namespaces by owner"),
            "the viewer is still on screen:\n{screen}"
        );
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
    tmux.wait_for("mounted at /run/netns/blue");
    tmux.wait_gone("4026532101");
    // The match and its owner are left; select the match (last row) and explain it.
    tmux.text("G");
    tmux.text("i");
    tmux.wait_for("The network namespace");
    tmux.wait_for("CLONE_NEWNET");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("The network namespace");
    tmux.text("?");
    tmux.wait_for("Keys (any other key closes)");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("Keys (any other key closes)");
    tmux.text("c");
    tmux.wait_for("4026532101");
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

/// Live mode: needs the scanner (src/scan) and root to make a UTS namespace.
#[test]
fn live_viewer_finds_a_namespace_the_test_made() {
    if !common::require_root("create a UTS namespace with unshare") {
        return;
    }
    let sleeper = Background::spawn(Command::new("unshare").args(["-u", "sleep", "1234567"]));
    let pid = sleeper.pid();
    let ours = ns_inode(std::process::id() as i32, "uts").expect("our uts namespace");
    assert!(
        wait_until(WAIT, || ns_inode(pid, "uts").is_some_and(|id| id != ours)),
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
    tmux.wait_for("1 process: sleep 1234567");
    // Only the match and its owning user namespace are left: the match is the last row.
    tmux.text("G");
    tmux.text("i");
    tmux.wait_for("The UTS namespace");
    tmux.keys(&["Escape"]);
    tmux.wait_gone("The UTS namespace");
    tmux.text("?");
    tmux.wait_for("Keys (any other key closes)");
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
