//! Waiting for the command: the parent forwards signals, and PID 1 of a new PID namespace also
//! reaps orphans. No signal handlers: the signals are blocked and taken with sigwaitinfo, so
//! the single-threaded waiter never runs code at an arbitrary point.

use crate::error::Result;

use super::{setup_error, sys};

/// Signals a waiter passes on to the command.
const FORWARDED: [libc::c_int; 6] = [
    libc::SIGINT,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

/// The signals blocked while waiting: the forwarded ones and SIGCHLD.
fn waited() -> sys::SigSet {
    let mut all = FORWARDED.to_vec();
    all.push(libc::SIGCHLD);
    sys::SigSet::of(&all)
}

/// Blocked signals, restored in the child before it runs the command. Call before fork, so a
/// signal that arrives between fork and the wait loop is kept pending, not lost.
pub struct Blocked {
    old: sys::SigSet,
}

pub fn block_signals() -> Blocked {
    Blocked {
        old: waited().block(),
    }
}

impl Blocked {
    /// In the child: the mask the command must start with.
    pub fn restore(&self) {
        self.old.set_mask();
    }
}

/// Waits until `child` exits and returns its status: the code, or minus the signal that killed
/// it.
/// Every other child that exits meanwhile is reaped too, which makes this the loop of PID 1.
///
/// A forwarded signal sent by a process (kill, si_code <= 0) is passed to `child`. One the
/// kernel generated (a terminal's ^C, si_code SI_KERNEL) is not: the terminal already sent it
/// to the whole foreground process group, the command included.
pub fn wait_forwarding(child: i32, blocked: &Blocked) -> Result<i32> {
    wait_forwarding_also(child, blocked, None)
}

/// Whether PID 1 can take `sig` and pass it on (`--kill-child=SIG` with `--init`): not SIGKILL
/// nor SIGSTOP, which cannot be blocked, nor SIGCHLD, which tells PID 1 of its children.
pub fn can_pass_on(sig: libc::c_int) -> bool {
    ![libc::SIGKILL, libc::SIGSTOP, libc::SIGCHLD].contains(&sig)
}

/// Blocks `sig` too, so that [`wait_forwarding_also`] takes it (in PID 1; the command still
/// starts with the mask [`Blocked`] saved).
pub fn block_also(sig: libc::c_int) {
    sys::SigSet::of(&[sig]).block();
}

/// [`wait_forwarding`], also passing on `extra` (blocked with [`block_also`] first).
pub fn wait_forwarding_also(child: i32, _blocked: &Blocked, extra: Option<i32>) -> Result<i32> {
    let mut signals = FORWARDED.to_vec();
    signals.push(libc::SIGCHLD);
    signals.extend(extra);
    let set = sys::SigSet::of(&signals);
    loop {
        let (sig, code) = set
            .wait()
            .map_err(|e| setup_error("waiting for the command", e))?;
        if sig == libc::SIGCHLD {
            if let Some(status) = reap(child)? {
                return Ok(status);
            }
        } else if code <= 0 {
            // The child may be gone already; its SIGCHLD is then pending.
            let _ = sys::kill(child, sig);
        }
    }
}

/// Reaps every exited child; returns `child`'s status if it was among them.
fn reap(child: i32) -> Result<Option<i32>> {
    let mut found = None;
    loop {
        match sys::waitpid(-1, libc::WNOHANG) {
            Ok((0, _)) => return Ok(found),
            Ok((pid, status)) if pid == child => found = Some(sys::exit_status(status)),
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ECHILD) => return Ok(found),
            Err(e) => return Err(setup_error("waiting for the command", e)),
        }
    }
}

/// Names the process (comm) so `ps` and the viewer show what it is, e.g. "nsviz-init".
pub fn set_name(name: &str) {
    let _ = sys::set_name(name);
}

/// Kills this process when its parent dies, so a PID namespace does not outlive nsviz.
pub fn die_with_parent() {
    let _ = sys::die_with_parent();
}
