//! The clone/setns core: every namespace change nsviz makes goes through here. It must run in a
//! single-threaded process (setns into a user namespace and unshare(CLONE_NEWUSER) fail with
//! EINVAL otherwise), so the viewer runs its own binary (`nsviz enter|spawn`) to use it.
//!
//! - [`spec`]: what is asked, as plain data ([`spec::SpawnSpec`], [`spec::EnterSpec`]), built
//!   by the command-line parsers and the viewer's dialogs; the core takes nothing else.
//! - [`enter`]: join namespaces of a process or bound to files (nsenter).
//! - [`spawn`]: create namespaces and run a command in them (unshare, bwrap).
//! - [`init`]: waiting for the command, forwarding signals, PID 1 of a new PID namespace.
//! - [`exec`]: running the command: path search, environment, prompt, no fd leaks.
//! - [`idmap`], [`mounts`], [`caps`]: user namespace maps, filesystem flags, capabilities.
//! - [`keep`]: binding namespaces to files so they outlive their processes.

pub mod by_id;
pub mod caps;
pub mod enter;
pub mod exec;
pub mod idmap;
pub mod init;
pub mod join;
pub mod keep;
pub mod mounts;
pub mod network;
pub mod sandbox;
pub mod spawn;
pub mod spec;

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, exit};
use crate::model::NsType;
use crate::sys;

/// A setup failure: "what: reason", exit status 125.
pub(crate) fn setup_error(what: impl fmt::Display, err: impl Into<io::Error>) -> Error {
    Error::with_code(Error::os(what, err).message(), exit::SETUP)
}

/// bwrap's --level-prefix: error lines start with sd-daemon's level, `<3>` (LOG_ERR). Set
/// once, before any fork, so forked children report the same way.
static LEVEL_PREFIX: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_level_prefix(on: bool) {
    LEVEL_PREFIX.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// The line nsviz reports an error with: "nsviz: MESSAGE", escaped for a terminal.
pub fn error_line(message: &str) -> String {
    let level = if LEVEL_PREFIX.load(std::sync::atomic::Ordering::Relaxed) {
        "<3>"
    } else {
        ""
    };
    format!("{level}nsviz: {}", crate::sanitize::for_terminal(message))
}

/// In a forked child: report the error as nsviz does (escaped, as main does) and exit with
/// its code.
pub(crate) fn die(err: Error) -> ! {
    eprintln!("{}", error_line(err.message()));
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

/// Opens `path` with `flags` one component at a time, following a symlink only where the
/// kernel's fs.protected_symlinks rule would (that sysctl may be off): a symlink in a sticky,
/// world-writable directory (such as /tmp) is followed only if it belongs to us or to the
/// directory's owner. So a link another user planted there cannot redirect what nsviz, maybe
/// as root, binds or enters, anywhere in the path. Links in /proc (made by the kernel, such as
/// /proc/PID/ns/net) are followed by the kernel.
pub(crate) fn open_without_planted_links(
    path: &Path,
    flags: rustix::fs::OFlags,
) -> io::Result<OwnedFd> {
    use rustix::fs::{FileType, Mode, OFlags, fstat, fstatfs, openat, readlinkat};

    const MAX_LINKS: usize = 40; // as the kernel's MAXSYMLINKS
    let as_dir = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let names = |p: &Path| -> VecDeque<OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect()
    };
    let root = || rustix::fs::open("/", as_dir, Mode::empty());
    let (mut current, mut walked) = if path.is_absolute() {
        (root()?, PathBuf::from("/"))
    } else {
        (
            rustix::fs::open(".", as_dir, Mode::empty())?,
            PathBuf::new(),
        )
    };
    let mut pending = names(path);
    if pending.is_empty() {
        return Ok(openat(&current, ".", flags, Mode::empty())?);
    }
    let mut links = 0;
    let euid = sys::geteuid();
    while let Some(name) = pending.pop_front() {
        let last = pending.is_empty();
        let name = name.as_os_str();
        let next = openat(
            &current,
            name,
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        let stat = fstat(&next)?;
        walked.push(name);
        if FileType::from_raw_mode(stat.st_mode) != FileType::Symlink {
            current = if last {
                // NOFOLLOW: had it become a symlink meanwhile, this fails rather than follow.
                openat(&current, name, flags | OFlags::NOFOLLOW, Mode::empty())?
            } else {
                next
            };
            continue;
        }
        if fstatfs(&current)?.f_type == rustix::fs::PROC_SUPER_MAGIC {
            let follow = if last { flags } else { as_dir };
            current = openat(&current, name, follow, Mode::empty())?;
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(io::Error::from_raw_os_error(libc::ELOOP));
        }
        let parent = fstat(&current)?;
        let shared = parent.st_mode & 0o1002 == 0o1002;
        if shared && stat.st_uid != euid && stat.st_uid != parent.st_uid {
            return Err(io::Error::other(format!(
                "{} is a symbolic link another user made in a shared directory, which nsviz \
                 does not follow",
                crate::sanitize::for_terminal(&walked.to_string_lossy())
            )));
        }
        let target = readlinkat(&current, name, Vec::new())?;
        let target = PathBuf::from(OsStr::from_bytes(target.as_bytes()));
        if target.is_absolute() {
            current = root()?;
        }
        let mut spliced = names(&target);
        if spliced.is_empty() {
            spliced.push_back(".".into());
        }
        spliced.extend(pending);
        pending = spliced;
    }
    Ok(current)
}
