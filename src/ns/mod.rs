//! The clone/setns core: every namespace change nsviz makes goes through here. It must run in a
//! single-threaded process (setns into a user namespace and unshare(CLONE_NEWUSER) fail with
//! EINVAL otherwise), so the viewer runs its own binary (`nsviz enter|spawn`) to use it.
//!
//! - [`enter`]: join namespaces of a process or bound to files (nsenter).
//! - [`spawn`]: create namespaces and run a command in them (unshare, bwrap).
//! - [`init`]: waiting for the command, forwarding signals, PID 1 of a new PID namespace.
//! - [`exec`]: running the command: path search, environment, prompt, no fd leaks.
//! - [`idmap`], [`mounts`], [`caps`]: user namespace maps, filesystem flags, capabilities.
//! - [`keep`]: binding namespaces to files so they outlive their processes.
//! - [`equivalent`]: the same request as an nsviz argv and as nsenter/unshare/bwrap lines.

pub mod caps;
pub mod enter;
pub mod equivalent;
pub mod exec;
pub mod idmap;
pub mod init;
pub mod keep;
pub mod mounts;
pub mod spawn;
mod sys;

use std::fmt;
use std::io;

use crate::error::{Error, exit};
use crate::model::NsType;

/// A setup failure: "what: reason", exit status 125.
pub(crate) fn setup_error(what: impl fmt::Display, err: impl Into<io::Error>) -> Error {
    Error::with_code(Error::os(what, err).message(), exit::SETUP)
}

/// In a forked child: report the error as nsviz does and exit with its code.
pub(crate) fn die(err: Error) -> ! {
    eprintln!("nsviz: {err}");
    sys::exit_now(err.code())
}

/// nsviz's exit status for the command's `status` (from enter or spawn): the command's code;
/// for a command killed by a signal, nsviz dies of the same signal, as unshare and nsenter do,
/// and only if that signal does not terminate (its default is to ignore it) exits 128 + it.
pub fn finish_like(status: i32) -> i32 {
    if status >= 0 {
        return status;
    }
    let sig = -status;
    sys::die_of_signal(sig);
    128 + sig
}

/// "user,mnt,pid": the label shown in NSVIZ_NS and the prompt.
pub fn ns_label(types: &[NsType]) -> String {
    NsType::ALL
        .into_iter()
        .filter(|t| types.contains(t))
        .map(NsType::name)
        .collect::<Vec<_>>()
        .join(",")
}

/// The name of a type's link under /proc/PID/ns that names the namespace the process's
/// *children* get: after unshare(CLONE_NEWPID|CLONE_NEWTIME) the caller itself stays put.
pub(crate) fn for_children_link(t: NsType) -> &'static str {
    match t {
        NsType::Pid => "pid_for_children",
        NsType::Time => "time_for_children",
        other => other.name(),
    }
}
