//! `nsviz enter`: run a command in namespaces of a process, or in namespaces bound to files.
//!
//! Order of work (all before any fork, while single-threaded):
//! 1. resolve what to enter: pidfd of the target, namespace files opened, the target's root
//!    and working directory opened (we may lose access to them once in its user namespace);
//! 2. enter: with only a target, one setns(pidfd, flags) enters every namespace at once; else
//!    (or if the kernel refuses) one fd per type, in two passes as nsenter does: everything but
//!    the user namespace, then the user namespace and whatever needed its privileges;
//! 3. root and working directory, then uid/gid (0 inside a user namespace unless told);
//! 4. fork if a PID namespace was entered (only children of setns(pid) are in it), the parent
//!    waiting and forwarding signals; otherwise exec the command directly.

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::NsType;
use crate::sanitize::for_terminal;

use super::exec::{self, Launch};
use super::spec::{EnterFrom, EnterSpec};
use super::{die, init, ns_label, setup_error, sys};

/// Where one namespace comes from.
enum Source {
    Target,
    File(PathBuf),
}

/// One namespace to enter.
struct Wanted {
    ns_type: NsType,
    source: Source,
    /// An open nsfs fd (always for files; for the target only when falling back).
    fd: Option<OwnedFd>,
}

/// Returns the exit status of the command.
pub fn run(args: &EnterSpec) -> Result<i32> {
    let foreground = exec::in_foreground();
    let blocked = init::block_signals();
    let target = args.target.map(Target::open).transpose()?;
    let mut wanted = select(args, target.as_ref())?;
    if wanted.is_empty() && !args.all {
        return Err(Error::usage(
            "nothing to enter: name namespace types (-m, -u, -i, -n, -p, -U, -C, -T) or -a",
        ));
    }
    // The target's root and cwd, opened now: after entering its user namespace we may not be
    // allowed to open them any more.
    let enters_target_mnt = wanted
        .iter()
        .any(|w| w.ns_type == NsType::Mnt && matches!(w.source, Source::Target));
    let fs_of_target = match (&target, enters_target_mnt) {
        (Some(t), true) => Some(t.root_and_cwd()?),
        _ => None,
    };
    let cwd_before = std::env::current_dir().ok();

    enter_all(&mut wanted, target.as_ref())?;
    let entered: Vec<NsType> = wanted.iter().map(|w| w.ns_type).collect();
    drop(wanted);

    // Root and working directory.
    if let Some((root, cwd)) = fs_of_target {
        sys::fchdir(root.as_fd())
            .and_then(|()| sys::chroot(Path::new(".")))
            .and_then(|()| sys::fchdir(cwd.as_fd()))
            .map_err(|e| setup_error("cannot change to the target's root directory", e))?;
    } else if entered.contains(&NsType::Mnt) {
        // setns(mnt) put us at the namespace's root; keep our path if it exists there.
        if let Some(dir) = cwd_before {
            let _ = std::env::set_current_dir(dir);
        }
    }

    // Credentials: as nsenter, root inside an entered user namespace unless told otherwise.
    let in_user = entered.contains(&NsType::User);
    let keep = args.preserve_credentials;
    let uid = args.setuid.or((in_user && !keep).then_some(0));
    let gid = args.setgid.or((in_user && !keep).then_some(0));
    let switching = args.setuid.is_some() || args.setgid.is_some();
    exec::set_ids(uid, gid, (in_user && !keep) || switching)?;

    let launch = Launch {
        command: &args.command,
        label: ns_label(&entered),
        wd: args.wd.as_deref(),
        own_terminal: foreground && args.command.is_empty() && entered.contains(&NsType::Pid),
    };
    if !entered.contains(&NsType::Pid) {
        return Err(exec::exec(&launch, Some(&blocked), || {}));
    }
    let forked = sys::fork().map_err(|e| {
        if e.raw_os_error() == Some(libc::ENOMEM) {
            // The kernel's answer for a PID namespace whose PID 1 is gone.
            Error::setup("cannot run in that PID namespace: its PID 1 has exited, so it cannot take new processes")
        } else {
            setup_error("cannot fork into the PID namespace", e)
        }
    })?;
    match forked {
        0 => die(exec::exec(&launch, Some(&blocked), || {})),
        child => launch.wait(child, &blocked),
    }
}

/// A process whose namespaces we enter, held by a pidfd so its PID cannot be reused under us.
struct Target {
    pid: i32,
    pidfd: OwnedFd,
}

impl Target {
    fn open(pid: i32) -> Result<Target> {
        if pid <= 0 {
            return Err(Error::usage(format!("invalid PID {pid}")));
        }
        match sys::pidfd_open(pid) {
            Ok(pidfd) => Ok(Target { pid, pidfd }),
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {
                Err(Error::setup(format!("no process with PID {pid}")))
            }
            Err(e) => Err(setup_error(format!("cannot open process {pid}"), e)),
        }
    }

    fn link(&self, t: NsType) -> PathBuf {
        PathBuf::from(format!("/proc/{}/ns/{}", self.pid, t.name()))
    }

    fn root_and_cwd(&self) -> Result<(OwnedFd, OwnedFd)> {
        let open = |what: &str| -> Result<OwnedFd> {
            let path = format!("/proc/{}/{what}", self.pid);
            fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
                .open(&path)
                .map(OwnedFd::from)
                .map_err(|e| setup_error(format!("cannot open {path}"), e))
        };
        Ok((open("root")?, open("cwd")?))
    }

    /// "entering net namespace of 123: permission denied"
    fn error(&self, t: NsType, err: std::io::Error) -> Error {
        if err.raw_os_error() == Some(libc::ESRCH) || err.raw_os_error() == Some(libc::ENOENT) {
            return Error::setup(format!("no process with PID {}", self.pid));
        }
        setup_error(format!("entering {t} namespace of {}", self.pid), err)
    }
}

/// The namespaces to enter: flags with files, flags naming the target's, or (-a) all of the
/// target's that differ from ours. The target's that equal ours are skipped (entering one's
/// own user namespace is an error, the rest would change nothing).
fn select(args: &EnterSpec, target: Option<&Target>) -> Result<Vec<Wanted>> {
    let mut wanted = Vec::new();
    let mut from_target: Vec<NsType> = Vec::new();
    for (&t, from) in &args.namespaces {
        match from {
            EnterFrom::File(path) => wanted.push(Wanted {
                ns_type: t,
                source: Source::File(path.clone()),
                fd: Some(open_ns_file(t, path)?),
            }),
            EnterFrom::Target if target.is_none() => {
                return Err(Error::usage(format!(
                    "-{} needs a target (-t PID) or a file (--{}=FILE)",
                    t.flag_letter(),
                    long_flag(t)
                )));
            }
            EnterFrom::Target => from_target.push(t),
        }
    }
    if args.all {
        let Some(_) = target else {
            return Err(Error::usage("-a needs a target (-t PID)"));
        };
        for t in NsType::ALL {
            if !from_target.contains(&t) && !wanted.iter().any(|w: &Wanted| w.ns_type == t) {
                from_target.push(t);
            }
        }
    }
    if let Some(target) = target {
        for t in from_target {
            let theirs = match sys::ns_identity(&target.link(t)) {
                Ok(id) => id,
                // -a takes what exists; a named type must be readable.
                Err(e)
                    if args.all
                        && !args.namespaces.contains_key(&t)
                        && e.kind() == std::io::ErrorKind::NotFound =>
                {
                    continue;
                }
                Err(e) if args.all && !args.namespaces.contains_key(&t) => {
                    return Err(setup_error(
                        format!("reading the namespaces of {}", target.pid),
                        e,
                    ));
                }
                Err(e) => return Err(target.error(t, e)),
            };
            let ours = sys::ns_identity(Path::new(&format!("/proc/self/ns/{}", t.name())));
            if ours.is_ok_and(|o| o == theirs) {
                continue;
            }
            wanted.push(Wanted {
                ns_type: t,
                source: Source::Target,
                fd: None,
            });
        }
    }
    wanted.sort_by_key(|w| w.ns_type);
    Ok(wanted)
}

fn long_flag(t: NsType) -> &'static str {
    if t == NsType::Mnt { "mount" } else { t.name() }
}

/// Opens a namespace file and checks it holds a namespace of the expected type.
pub(crate) fn open_ns_file(t: NsType, path: &Path) -> Result<OwnedFd> {
    let shown = for_terminal(&path.to_string_lossy()).into_owned();
    // A link another user planted in a shared directory could lead to a namespace of theirs.
    let fd = super::open_without_planted_links(
        path,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
    )
    .map_err(|e| setup_error(format!("cannot open {shown}"), e))?;
    match sys::ns_get_nstype(fd.as_fd()) {
        Ok(kind) if kind == t.clone_flag() => Ok(fd),
        Ok(kind) => Err(Error::setup(format!(
            "{shown} is a {} namespace, not a {t} namespace",
            NsType::from_clone_flag(kind).map_or("different", NsType::name)
        ))),
        Err(_) => Err(Error::setup(format!("{shown} is not a namespace file"))),
    }
}

/// Enters every wanted namespace.
fn enter_all(wanted: &mut [Wanted], target: Option<&Target>) -> Result<()> {
    let all_from_target = wanted.iter().all(|w| matches!(w.source, Source::Target));
    if let (Some(target), true) = (target, all_from_target) {
        let flags = wanted.iter().fold(0, |f, w| f | w.ns_type.clone_flag());
        // All at once; nothing changes if it fails, and per type we learn which one failed.
        if sys::setns(target.pidfd.as_fd(), flags).is_ok() {
            return Ok(());
        }
    }
    for w in wanted.iter_mut() {
        if w.fd.is_none() {
            let Some(target) = target else { continue };
            let file = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_CLOEXEC)
                .open(target.link(w.ns_type))
                .map_err(|e| target.error(w.ns_type, e))?;
            w.fd = Some(file.into());
        }
    }
    // Two passes as nsenter: without the user namespace first (works when we are privileged,
    // and entering the user namespace would drop that privilege); then the user namespace and
    // whatever still failed (entering a user namespace we own grants the privilege).
    let mut pending: Vec<bool> = vec![true; wanted.len()];
    for pass in 0..2 {
        for (i, w) in wanted.iter().enumerate() {
            if !pending[i] || (pass == 0 && w.ns_type == NsType::User) {
                continue;
            }
            let Some(fd) = &w.fd else { continue };
            match sys::setns(fd.as_fd(), w.ns_type.clone_flag()) {
                Ok(()) => pending[i] = false,
                Err(_) if pass == 0 => {}
                Err(e) => {
                    let without_user = !wanted.iter().any(|w| w.ns_type == NsType::User);
                    return Err(entry_error(w, target, e, without_user));
                }
            }
        }
    }
    Ok(())
}

/// `without_user`: no user namespace was to be entered; if the target's is not ours, that is
/// the likely reason for EPERM, and the fix is -U.
fn entry_error(
    w: &Wanted,
    target: Option<&Target>,
    err: std::io::Error,
    without_user: bool,
) -> Error {
    match (&w.source, target) {
        (Source::Target, Some(t)) if without_user && err.raw_os_error() == Some(libc::EPERM) => {
            let theirs = sys::ns_identity(&t.link(NsType::User)).ok();
            let ours = sys::ns_identity(Path::new("/proc/self/ns/user")).ok();
            if theirs.is_some() && theirs != ours {
                setup_error(
                    format!(
                        "entering {} namespace of {} (it belongs to another user namespace: add -U)",
                        w.ns_type, t.pid
                    ),
                    err,
                )
            } else {
                t.error(w.ns_type, err)
            }
        }
        (Source::Target, Some(t)) => t.error(w.ns_type, err),
        (Source::File(path), _) => setup_error(
            format!(
                "entering {} namespace at {}",
                w.ns_type,
                for_terminal(&path.to_string_lossy())
            ),
            err,
        ),
        (Source::Target, None) => setup_error(format!("entering {} namespace", w.ns_type), err),
    }
}
