//! `nsviz enter`: run a command in namespaces of a process, in namespaces bound to files, or
//! in namespaces found by id.
//!
//! Order of work (all before any fork, while single-threaded):
//! 1. resolve what to enter: pidfd of the target, namespace files opened, namespaces by id
//!    found (a scan), the directories of -r/-w opened, the target's environment, ids and cgroup
//!    read (we may lose access to them once in its user namespace);
//! 2. enter: with only a target, one setns(pidfd, flags) enters every namespace at once; else
//!    (or if the kernel refuses) one fd per type: everything but the user namespace, then the
//!    chain of user namespaces from ours down to the one asked, entering after each level
//!    whatever it gives us the rights for (a sandbox nested in user namespaces);
//! 3. root and working directory as nsenter: after setns(mnt) both are the namespace's root;
//!    -r and -w change them, -W looks up a directory inside; then uid/gid;
//! 4. fork if a PID namespace was entered (only children of setns(pid) are in it), the parent
//!    waiting and forwarding signals; otherwise (or with -F) exec the command directly.

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::NsType;
use crate::sanitize::for_terminal;

use super::exec::{self, Launch};
use super::spec::{EnterDir, EnterFrom, EnterId, EnterSpec};
use super::{by_id, die, init, ns_label, setup_error, sys};

/// Where one namespace comes from.
enum Source {
    Target,
    File(PathBuf),
    Id(u64),
    Socket(i32),
    /// The parent (or owner) user namespace of another (--user-parent).
    Parent,
}

/// One namespace to enter.
struct Wanted {
    ns_type: NsType,
    source: Source,
    /// An open nsfs fd (always but for the target's; for those only when falling back).
    fd: Option<OwnedFd>,
}

/// Returns the exit status of the command.
pub fn run(args: &EnterSpec) -> Result<i32> {
    let foreground = exec::in_foreground();
    let blocked = init::block_signals();
    let target = args
        .target
        .map(|pid| Target::open(pid, args.target_inode))
        .transpose()?;
    check_needs_target(args, target.as_ref())?;
    // The target's SELinux context, read while its /proc is ours to read.
    let context = match (&target, args.follow_context) {
        (Some(t), true) => Some(t.selinux_context()?),
        _ => None,
    };
    let mut wanted = select(args, target.as_ref())?;
    if args.user_parent {
        add_user_parent(&mut wanted, target.as_ref())?;
    }
    if wanted.is_empty() && !args.all {
        return Err(Error::usage(
            "nothing to enter: name namespace types (-m, -u, -i, -n, -p, -U, -C, -T), --ns ID or -a",
        ));
    }
    // Everything of the target and of our side is opened or read now: after entering its user
    // or mount namespace we may not reach it any more.
    let dir = |d: &EnterDir, what: &str| -> Result<OwnedFd> {
        match (d, &target) {
            (EnterDir::Target, Some(t)) => open_dir(Path::new(&format!("/proc/{}/{what}", t.pid))),
            (EnterDir::Path(p), _) => open_dir(p),
            (EnterDir::Target, None) => {
                Err(Error::usage("-r and -w without DIR need a target (-t PID)"))
            }
        }
    };
    let root = args.root.as_ref().map(|d| dir(d, "root")).transpose()?;
    let wd = args.wd.as_ref().map(|d| dir(d, "cwd")).transpose()?;
    let environment = match (&target, args.env) {
        (Some(t), true) => Some(t.environment()?),
        _ => None,
    };
    // The target's /proc directory: its owner read after entering is its uid as seen there.
    let follow = matches!(args.setuid, Some(EnterId::Follow))
        || matches!(args.setgid, Some(EnterId::Follow));
    let target_dir = match (&target, follow) {
        (Some(t), true) => Some(open_dir(Path::new(&format!("/proc/{}", t.pid)))?),
        _ => None,
    };
    if let (Some(t), true) = (&target, args.join_cgroup) {
        t.join_cgroup()?;
    }
    if let Some(context) = &context {
        // As setexeccon(3): the context the next exec runs in, set on this thread.
        fs::write("/proc/thread-self/attr/exec", context)
            .map_err(|e| setup_error("cannot set the SELinux context for the command", e))?;
    }

    enter_all(&mut wanted, target.as_ref())?;
    let entered: Vec<NsType> = wanted.iter().map(|w| w.ns_type).collect();
    drop(wanted);

    // Root and working directory, as nsenter: -r chroots keeping the directory we are in
    // (the namespace's root after setns(mnt)) unless -w names another.
    if let Some(root) = root {
        let here = open_dir(Path::new("."))?;
        sys::fchdir(root.as_fd())
            .and_then(|()| sys::chroot(Path::new(".")))
            .and_then(|()| sys::fchdir(wd.as_ref().unwrap_or(&here).as_fd()))
            .map_err(|e| setup_error("cannot change the root directory", e))?;
    } else if let Some(wd) = &wd {
        sys::fchdir(wd.as_fd())
            .map_err(|e| setup_error("cannot change the working directory", e))?;
    }

    // Credentials: as nsenter, root inside an entered user namespace unless told otherwise.
    let in_user = entered.contains(&NsType::User);
    let keep = args.preserve_credentials;
    let target_ids = target_dir
        .map(|d| sys::fd_owner(d.as_fd()))
        .transpose()
        .map_err(|e| setup_error("cannot read the target's user and group ids", e))?;
    let resolve = |given: Option<EnterId>, pick: fn((u32, u32)) -> u32| match given {
        Some(EnterId::Id(id)) => Some(id),
        Some(EnterId::Follow) => target_ids.map(pick),
        None => (in_user && !keep).then_some(0),
    };
    let uid = resolve(args.setuid, |ids| ids.0);
    let gid = resolve(args.setgid, |ids| ids.1);
    let switching = args.setuid.is_some() || args.setgid.is_some();
    exec::set_ids(uid, gid, (in_user && !keep) || switching)?;
    // As nsenter: only capabilities an entered user namespace gave are kept.
    if args.keep_caps && in_user {
        sys::keep_caps_across_exec()
            .map_err(|e| setup_error("cannot keep the capabilities across exec", e))?;
    }

    let launch = Launch {
        command: &args.command,
        label: ns_label(&entered),
        wd: args.wdns.as_deref(),
        own_terminal: foreground
            && args.command.is_empty()
            && entered.contains(&NsType::Pid)
            && !args.no_fork,
        env: environment.as_deref(),
        argv0: None,
        pass_fds: exec::inherited_fds(&[]),
    };
    if !entered.contains(&NsType::Pid) || args.no_fork {
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

/// Options that read the target refuse to go without one.
fn check_needs_target(args: &EnterSpec, target: Option<&Target>) -> Result<()> {
    if target.is_some() {
        return Ok(());
    }
    let needs = [
        (args.env, "-e (--env)"),
        (args.join_cgroup, "-c (--join-cgroup)"),
        (matches!(args.setuid, Some(EnterId::Follow)), "-S follow"),
        (matches!(args.setgid, Some(EnterId::Follow)), "-G follow"),
        (
            args.namespaces
                .values()
                .any(|f| matches!(f, EnterFrom::Socket(_))),
            "-N (--net-socket)",
        ),
        (args.follow_context, "-Z (--follow-context)"),
    ];
    match needs.iter().find(|(given, _)| *given) {
        Some((_, option)) => Err(Error::usage(format!("{option} needs a target (-t PID)"))),
        None => Ok(()),
    }
}

fn open_dir(path: &Path) -> Result<OwnedFd> {
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC)
        .open(path)
        .map(OwnedFd::from)
        .map_err(|e| {
            setup_error(
                format!(
                    "cannot open directory {}",
                    for_terminal(&path.to_string_lossy())
                ),
                e,
            )
        })
}

/// --user-parent: the parent of the user namespace to enter (-U), else the owner of the
/// other namespaces, replaces or joins the list as the user namespace to enter.
fn add_user_parent(wanted: &mut Vec<Wanted>, target: Option<&Target>) -> Result<()> {
    for w in wanted.iter_mut() {
        open_fd(w, target)?;
    }
    let parent = match wanted.iter().position(|w| w.ns_type == NsType::User) {
        Some(i) => {
            let user = wanted.remove(i);
            let fd = user.fd.as_ref().map(|fd| sys::ns_get_parent(fd.as_fd()));
            fd.ok_or_else(|| Error::setup("no user namespace to take the parent of"))?
                .map_err(|e| setup_error("cannot get the parent user namespace", e))?
        }
        None => {
            let Some(fd) = wanted.iter().find_map(|w| w.fd.as_ref()) else {
                return Err(Error::usage(
                    "--user-parent needs a namespace to take the user namespace of (-U, -m, -n...)",
                ));
            };
            sys::ns_get_userns(fd.as_fd())
                .map_err(|e| setup_error("cannot get the owning user namespace", e))?
        }
    };
    wanted.push(Wanted {
        ns_type: NsType::User,
        source: Source::Parent,
        fd: Some(parent),
    });
    wanted.sort_by_key(|w| w.ns_type);
    Ok(())
}

/// A process whose namespaces we enter, held by a pidfd so its PID cannot be reused under us.
struct Target {
    pid: i32,
    pidfd: OwnedFd,
}

impl Target {
    /// `inode`: the pidfs inode the process must have (`-t PID:INODE`).
    fn open(pid: i32, inode: Option<u64>) -> Result<Target> {
        if pid <= 0 {
            return Err(Error::usage(format!("invalid PID {pid}")));
        }
        let pidfd = match sys::pidfd_open(pid) {
            Ok(pidfd) => pidfd,
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {
                return Err(Error::setup(format!("no process with PID {pid}")));
            }
            Err(e) => return Err(setup_error(format!("cannot open process {pid}"), e)),
        };
        if let Some(inode) = inode {
            check_pidfs_inode(pid, &pidfd, inode)?;
        }
        Ok(Target { pid, pidfd })
    }

    /// Its SELinux context (-Z); a usage error where SELinux is off.
    fn selinux_context(&self) -> Result<Vec<u8>> {
        if !Path::new("/sys/fs/selinux").exists() {
            return Err(Error::usage(
                "-Z (--follow-context) is not supported here: SELinux is not enabled",
            ));
        }
        let path = format!("/proc/{}/attr/current", self.pid);
        let mut context =
            fs::read(&path).map_err(|e| setup_error(format!("cannot read {path}"), e))?;
        // The kernel ends it with a NUL (and some versions a newline); the write wants it bare.
        while matches!(context.last(), Some(b'\0' | b'\n')) {
            context.pop();
        }
        Ok(context)
    }

    fn link(&self, t: NsType) -> PathBuf {
        PathBuf::from(format!("/proc/{}/ns/{}", self.pid, t.name()))
    }

    /// Its environment (NAME=VALUE words), read before entering anything.
    fn environment(&self) -> Result<Vec<std::ffi::OsString>> {
        let path = format!("/proc/{}/environ", self.pid);
        let bytes = fs::read(&path).map_err(|e| setup_error(format!("cannot read {path}"), e))?;
        Ok(bytes
            .split(|&b| b == 0)
            .filter(|w| w.contains(&b'='))
            .map(|w| std::ffi::OsStr::from_bytes(w).to_os_string())
            .collect())
    }

    /// Moves this process into the target's cgroup (cgroup v2; on a hybrid layout the
    /// unified hierarchy). Before any namespace change: the path is relative to our cgroup
    /// namespace and our mounts.
    fn join_cgroup(&self) -> Result<()> {
        let path = format!("/proc/{}/cgroup", self.pid);
        let text = fs::read(&path).map_err(|e| setup_error(format!("cannot read {path}"), e))?;
        let unified = text
            .split(|&b| b == b'\n')
            .find_map(|line| line.strip_prefix(b"0::"))
            .ok_or_else(|| {
                Error::setup(format!("process {} is in no cgroup v2 hierarchy", self.pid))
            })?;
        let relative = std::ffi::OsStr::from_bytes(unified);
        let relative = Path::new(relative);
        // Kernel text, but no step may climb out of the hierarchy.
        if relative
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(Error::setup(format!(
                "process {} has an odd cgroup path",
                self.pid
            )));
        }
        let mount = cgroup2_mount()?;
        let procs = mount
            .join(relative.strip_prefix("/").unwrap_or(relative))
            .join("cgroup.procs");
        fs::write(&procs, format!("{}\n", sys::getpid())).map_err(|e| {
            setup_error(
                format!(
                    "cannot join the cgroup {}",
                    for_terminal(&relative.to_string_lossy())
                ),
                e,
            )
        })
    }

    /// "entering net namespace of 123: permission denied"
    fn error(&self, t: NsType, err: std::io::Error) -> Error {
        if err.raw_os_error() == Some(libc::ESRCH) || err.raw_os_error() == Some(libc::ENOENT) {
            return Error::setup(format!("no process with PID {}", self.pid));
        }
        setup_error(format!("entering {t} namespace of {}", self.pid), err)
    }
}

/// `-t PID:INODE`: the pidfd must be on pidfs (Linux 6.9), whose inode numbers are never
/// reused while the system runs, and have that inode; else the PID is another process's now.
fn check_pidfs_inode(pid: i32, pidfd: &OwnedFd, inode: u64) -> Result<()> {
    const PIDFS_MAGIC: u64 = 0x5049_4446;
    let on_pidfs = rustix::fs::fstatfs(pidfd)
        .map(|st| st.f_type as u64 == PIDFS_MAGIC)
        .map_err(|e| setup_error(format!("cannot inspect the pidfd of process {pid}"), e))?;
    if !on_pidfs {
        return Err(Error::usage(
            "-t PID:INODE needs pidfs (Linux 6.9 or later) to name a process by its inode",
        ));
    }
    let actual = rustix::fs::fstat(pidfd)
        .map_err(|e| setup_error(format!("cannot inspect the pidfd of process {pid}"), e))?
        .st_ino;
    if actual == inode {
        Ok(())
    } else {
        Err(Error::setup(format!(
            "process {pid} has pidfs inode {actual}, not {inode}: that PID now names another process"
        )))
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
            EnterFrom::File(path) => {
                // `--net=:x`: a mistyped id rather than a file, unless there is such a file.
                if path.as_os_str().as_bytes().starts_with(b":") && !path.exists() {
                    let shown = for_terminal(&path.to_string_lossy()).into_owned();
                    return Err(Error::usage(format!(
                        "{shown} is not a namespace id (digits after ':') nor a file"
                    )));
                }
                wanted.push(Wanted {
                    ns_type: t,
                    source: Source::File(path.clone()),
                    fd: Some(open_ns_file(t, path)?),
                })
            }
            EnterFrom::Id(id) => wanted.push(Wanted {
                ns_type: t,
                source: Source::Id(*id),
                fd: None,
            }),
            EnterFrom::Socket(fd) => wanted.push(Wanted {
                ns_type: t,
                source: Source::Socket(*fd),
                fd: None,
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
                        format!("cannot read the namespaces of process {}", target.pid),
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
    // Namespaces by id: one scan finds them all.
    let mut by_ids: Vec<(u64, Option<NsType>)> = wanted
        .iter()
        .filter_map(|w| match w.source {
            Source::Id(id) => Some((id, Some(w.ns_type))),
            _ => None,
        })
        .collect();
    by_ids.extend(args.ids.iter().map(|&id| (id, None)));
    let found = by_id::open_all(&by_ids)?;
    wanted.retain(|w| !matches!(w.source, Source::Id(_)));
    for (f, (id, _)) in found.into_iter().zip(by_ids) {
        if wanted.iter().any(|w| w.ns_type == f.ns_type) {
            return Err(Error::usage(format!(
                "two {} namespaces to enter: the one with id {id} and another",
                f.ns_type
            )));
        }
        wanted.push(Wanted {
            ns_type: f.ns_type,
            source: Source::Id(id),
            fd: Some(f.fd),
        });
    }
    for w in wanted.iter_mut() {
        if let (Source::Socket(fd), Some(t)) = (&w.source, target) {
            let socket = sys::pidfd_getfd(t.pidfd.as_fd(), *fd).map_err(|e| {
                setup_error(
                    format!("cannot get file descriptor {fd} of process {}", t.pid),
                    e,
                )
            })?;
            w.fd = Some(sys::socket_netns(socket.as_fd()).map_err(|e| {
                setup_error(
                    format!("file descriptor {fd} of process {} is not a socket", t.pid),
                    e,
                )
            })?);
        }
    }
    wanted.sort_by_key(|w| w.ns_type);
    Ok(wanted)
}

/// The mount point of the cgroup v2 hierarchy: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
/// a hybrid layout, else wherever mountinfo has one.
fn cgroup2_mount() -> Result<PathBuf> {
    let mountinfo = fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| setup_error("cannot read /proc/self/mountinfo", e))?;
    let mut found: Vec<&str> = mountinfo
        .lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            (right.split(' ').next()? == "cgroup2").then(|| left.split(' ').nth(4))?
        })
        .collect();
    found.sort_by_key(|p| p.len());
    found
        .first()
        .map(|p| PathBuf::from(p.replace("\\040", " ")))
        .ok_or_else(|| Error::setup("no cgroup v2 hierarchy is mounted"))
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

/// Opens the nsfs fd of a namespace of the target, if not open yet.
fn open_fd(w: &mut Wanted, target: Option<&Target>) -> Result<()> {
    if w.fd.is_some() {
        return Ok(());
    }
    let Some(target) = target else { return Ok(()) };
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(target.link(w.ns_type))
        .map_err(|e| target.error(w.ns_type, e))?;
    w.fd = Some(file.into());
    Ok(())
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
        open_fd(w, target)?;
    }
    // Every type but user first: works when we are privileged, and entering the user
    // namespace would drop that privilege over namespaces it does not own.
    let mut pending: Vec<bool> = vec![true; wanted.len()];
    let try_pending = |pending: &mut Vec<bool>| {
        for (i, w) in wanted.iter().enumerate() {
            if pending[i]
                && w.ns_type != NsType::User
                && let Some(fd) = &w.fd
                && sys::setns(fd.as_fd(), w.ns_type.clone_flag()).is_ok()
            {
                pending[i] = false;
            }
        }
    };
    try_pending(&mut pending);
    if let Some(u) = wanted.iter().position(|w| w.ns_type == NsType::User)
        && let Some(user_fd) = &wanted[u].fd
    {
        // Then the user namespaces from ours down to the one asked: each level gives us the
        // rights over what it owns (a sandbox's mount namespace may belong to an outer level
        // while its processes are in an inner one).
        for level in user_chain(user_fd) {
            let fd = level.as_ref().unwrap_or(user_fd);
            sys::setns(fd.as_fd(), libc::CLONE_NEWUSER)
                .map_err(|e| entry_error(&wanted[u], target, e, false))?;
            try_pending(&mut pending);
        }
        pending[u] = false;
    }
    match pending.iter().position(|&p| p) {
        None => Ok(()),
        Some(i) => {
            let w = &wanted[i];
            let Some(fd) = &w.fd else { return Ok(()) };
            let err = sys::setns(fd.as_fd(), w.ns_type.clone_flag())
                .err()
                .unwrap_or_else(|| std::io::Error::from_raw_os_error(libc::EPERM));
            let without_user = !wanted.iter().any(|w| w.ns_type == NsType::User);
            Err(entry_error(w, target, err, without_user))
        }
    }
}

/// The user namespaces to enter in turn, ours excluded, ending with `user` (None stands for
/// `user` itself). Only the ancestors between ours and it; if ours is not an ancestor (or
/// the kernel hides the parents), just `user`.
fn user_chain(user: &OwnedFd) -> Vec<Option<OwnedFd>> {
    let identity = |fd: &OwnedFd| rustix::fs::fstat(fd).map(|st| (st.st_dev, st.st_ino)).ok();
    let ours = sys::ns_identity(Path::new("/proc/self/ns/user")).ok();
    let mut ancestors: Vec<OwnedFd> = Vec::new();
    let mut current = sys::ns_get_parent(user.as_fd());
    while let Ok(parent) = current {
        if identity(&parent) == ours {
            ancestors.reverse();
            return ancestors.into_iter().map(Some).chain([None]).collect();
        }
        current = sys::ns_get_parent(parent.as_fd());
        ancestors.push(parent);
    }
    vec![None]
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
        (Source::Id(id), _) => setup_error(format!("entering {} namespace {id}", w.ns_type), err),
        (Source::Socket(fd), _) => setup_error(
            format!("entering the network namespace of socket {fd}"),
            err,
        ),
        (Source::Parent, _) => setup_error("entering the parent user namespace", err),
    }
}
