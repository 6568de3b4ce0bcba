//! The filesystem side of `spawn`: mount propagation, the ordered filesystem flags, --mount-proc
//! and --new-root. Runs inside the new mount namespace only, so nothing here is seen outside
//! (except --symlink without --new-root or --tmpfs around it, which writes where it is told).

use std::fs;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use rustix::fs::ResolveFlags;

use crate::error::{Error, Result};
use crate::sanitize::for_terminal;

use super::spec::{BindKind, DataBind, Propagation, SetupStep};
use super::{setup_error, sys};

/// Where the new root is assembled: a tmpfs mounted on NEW_ROOT_BASE (in our mount namespace
/// only) becomes the root for a while, holding the old root at OLD_ROOT and the new one at
/// NEW_ROOT, side by side, so that the new root may itself be a bind of the old `/` (even a
/// read-only one). The same choice as bwrap's.
const NEW_ROOT_BASE: &str = "/tmp";
const OLD_ROOT: &str = "/oldroot";
const NEW_ROOT: &str = "/newroot";

/// Applies the propagation type to every mount of the new mount namespace.
pub fn set_propagation(propagation: Propagation) -> Result<()> {
    let flag = match propagation {
        Propagation::Private => libc::MS_PRIVATE,
        Propagation::Slave => libc::MS_SLAVE,
        Propagation::Shared => libc::MS_SHARED,
        Propagation::Unchanged => return Ok(()),
    };
    sys::mount(None, Path::new("/"), None, libc::MS_REC | flag, None)
        .map_err(|e| setup_error("cannot change mount propagation of /", e))
}

fn shown(p: &Path) -> String {
    for_terminal(&p.to_string_lossy()).into_owned()
}

/// Symlinks `--symlink` made in the host's tree (not in a tmpfs of ours): the only changes a
/// spawn makes that outlive it, so a spawn that fails later (at exec) removes them. Each is
/// held by its directory, opened when it was made, so a mount made since cannot hide it.
#[derive(Default)]
pub struct HostLinks(Vec<(OwnedFd, std::ffi::OsString)>);

impl HostLinks {
    /// Removes every link, newest first.
    pub fn remove(&mut self) {
        for (dir, name) in self.0.drain(..).rev() {
            let _ = rustix::fs::unlinkat(&dir, name.as_os_str(), rustix::fs::AtFlags::empty());
        }
    }
}

/// Builds the filesystem: with `new_root`, a tmpfs root holding only what `ops` put there;
/// otherwise `ops` change the existing tree. `mount_proc` adds a proc mount there (first
/// without a new root, like unshare; last with one, once /proc can be created).
/// Returns the symlinks made in the host's tree; if a flag fails, they are removed first.
pub fn apply(ops: &[SetupStep], new_root: bool, mount_proc: Option<&Path>) -> Result<HostLinks> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut fs = Fs {
        new_root,
        cwd,
        scratch: Vec::new(),
        host_links: HostLinks::default(),
        data_files: 0,
    };
    match fs.build(ops, new_root, mount_proc) {
        Ok(()) => Ok(fs.host_links),
        Err(e) => {
            fs.host_links.remove();
            Err(e)
        }
    }
}

impl Fs {
    fn build(
        &mut self,
        ops: &[SetupStep],
        new_root: bool,
        mount_proc: Option<&Path>,
    ) -> Result<()> {
        let fs = self;
        let proc_op = mount_proc.map(|dst| SetupStep::Proc {
            dst: dst.to_path_buf(),
        });
        if let (Some(proc_op), false) = (&proc_op, new_root) {
            fs.apply(proc_op)?;
        }
        if new_root {
            enter_new_root()?;
        }
        for op in ops {
            fs.apply(op)?;
        }
        if new_root {
            if let Some(proc_op) = &proc_op {
                fs.apply(proc_op)?;
            }
            leave_old_root()?;
            // As bwrap: stay in the starting directory if the new root has it, else go home.
            if std::env::set_current_dir(&fs.cwd).is_err()
                && let Some(home) = std::env::var_os("HOME")
            {
                let _ = std::env::set_current_dir(home);
            }
        }
        Ok(())
    }
}

/// Mounts a tmpfs on NEW_ROOT_BASE and pivots into it; the old root is then at OLD_ROOT, where
/// the sources of binds are found, and the new root is built at NEW_ROOT (a mount point of its
/// own, so that a bind on it replaces it whole).
fn enter_new_root() -> Result<()> {
    let base = Path::new(NEW_ROOT_BASE);
    sys::mount(
        Some(Path::new("tmpfs")),
        base,
        Some("tmpfs"),
        libc::MS_NOSUID | libc::MS_NODEV,
        Some("mode=0755"),
    )
    .map_err(|e| {
        setup_error(
            format!("cannot mount a tmpfs for the new root on {NEW_ROOT_BASE}"),
            e,
        )
    })?;
    let fail = |e| setup_error("cannot pivot into the new root", e);
    std::env::set_current_dir(base).map_err(fail)?;
    fs::create_dir("oldroot").map_err(fail)?;
    fs::create_dir("newroot").map_err(fail)?;
    sys::mount(
        Some(Path::new("newroot")),
        Path::new("newroot"),
        None,
        libc::MS_BIND | libc::MS_REC,
        None,
    )
    .map_err(fail)?;
    sys::pivot_root(Path::new("."), Path::new("oldroot")).map_err(|e| {
        if e.raw_os_error() == Some(libc::EINVAL) {
            setup_error(
                "cannot pivot into the new root (--new-root needs --propagation private or slave)",
                e,
            )
        } else {
            fail(e)
        }
    })?;
    std::env::set_current_dir("/").map_err(fail)
}

/// Detaches the old root, then pivots into NEW_ROOT and detaches the scaffolding tmpfs: from
/// now on only the new root is reachable.
fn leave_old_root() -> Result<()> {
    let old = Path::new(OLD_ROOT);
    sys::umount2(old, libc::MNT_DETACH)
        .map_err(|e| setup_error("cannot detach the old root", e))?;
    let fail = |e| setup_error("cannot pivot into the new root", e);
    std::env::set_current_dir(NEW_ROOT).map_err(fail)?;
    // pivot_root(".", ".") stacks the scaffolding on top of the new root, at "."; detaching
    // "." then leaves the new root alone (pivot_root(2), NOTES).
    sys::pivot_root(Path::new("."), Path::new(".")).map_err(fail)?;
    sys::umount2(Path::new("."), libc::MNT_DETACH)
        .map_err(|e| setup_error("cannot detach the old root", e))?;
    std::env::set_current_dir("/").map_err(fail)
}

/// How paths are resolved: sources in the old root (under OLD_ROOT with a new root), targets
/// in the tree being built. Relative paths are relative to the starting directory.
struct Fs {
    new_root: bool,
    cwd: PathBuf,
    /// tmpfs mounts made by earlier flags: mount points may be created inside them.
    scratch: Vec<PathBuf>,
    /// Symlinks made in the host's tree, removed again if a later flag fails.
    host_links: HostLinks,
    /// Files of --bind-data made so far in the scaffolding.
    data_files: u32,
}

/// Where a target is: in a tree of ours (the new root, or a tmpfs of an earlier flag), where
/// missing mount points may be created, resolved by the kernel beneath that tree's root; or in
/// the host's tree, where it must exist and nothing is created.
enum Place {
    Ours {
        root: PathBuf,
        rel: PathBuf,
        resolve: ResolveFlags,
    },
    Host(PathBuf),
}

/// A mount target: the opened mount point (mounted on through /proc/self/fd), or a host path.
enum Target {
    /// The opened file (kept open while its /proc/self/fd path is used), that path, and the
    /// path it was opened by.
    Opened {
        _fd: OwnedFd,
        via: PathBuf,
        dst: PathBuf,
    },
    Host(PathBuf),
}

impl Target {
    /// The path to give mount(2).
    fn path(&self) -> &Path {
        match self {
            Target::Opened { via, .. } => via,
            Target::Host(p) => p,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Dir,
    File,
}

impl Fs {
    fn source(&self, p: &Path) -> PathBuf {
        let abs = self.cwd.join(p);
        if self.new_root {
            Path::new(OLD_ROOT).join(relative(&abs))
        } else {
            abs
        }
    }

    fn target(&self, p: &Path) -> PathBuf {
        if self.new_root {
            Path::new("/").join(relative(p))
        } else {
            self.cwd.join(p)
        }
    }

    /// Which tree `p` is in. In a new root, symlinks resolve as in a chroot (RESOLVE_IN_ROOT);
    /// in a tmpfs of an earlier flag, nothing may lead out of it (RESOLVE_BENEATH), and a path
    /// that names it with `..` is taken as a host path.
    fn place(&self, p: &Path) -> Place {
        if self.new_root {
            return Place::Ours {
                root: PathBuf::from(NEW_ROOT),
                rel: relative(p),
                resolve: ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS,
            };
        }
        let path = self.cwd.join(p);
        for t in self.scratch.iter().rev() {
            let Ok(rel) = path.strip_prefix(t) else {
                continue;
            };
            if rel.components().all(|c| matches!(c, Component::Normal(_))) {
                return Place::Ours {
                    root: t.clone(),
                    rel: rel.to_path_buf(),
                    resolve: ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
                };
            }
        }
        Place::Host(path)
    }

    /// The mount point for `dst`: opened (and created if missing) beneath a tree of ours, or
    /// the host path as given.
    fn mount_point(&self, dst: &Path, kind: Kind) -> std::io::Result<Target> {
        match self.place(dst) {
            Place::Host(p) => Ok(Target::Host(p)),
            Place::Ours { root, rel, resolve } => {
                let fd = open_beneath(&root, &rel, Some(kind), resolve)?;
                let via = self.proc().join(format!("self/fd/{}", fd.as_raw_fd()));
                Ok(Target::Opened {
                    _fd: fd,
                    via,
                    dst: dst.to_path_buf(),
                })
            }
        }
    }

    /// Opens again, beneath its tree, the path a target was opened by: after a mount on it,
    /// this reaches the new mount's root.
    fn mount_point_existing(&self, target: &Target) -> std::io::Result<Target> {
        let Target::Opened { dst, .. } = target else {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        };
        self.existing(dst)
    }

    /// The proc filesystem we can use now (the old root's, while building a new root).
    fn proc(&self) -> PathBuf {
        if self.new_root {
            Path::new(OLD_ROOT).join("proc")
        } else {
            PathBuf::from("/proc")
        }
    }

    fn apply(&mut self, op: &SetupStep) -> Result<()> {
        match op {
            SetupStep::Bind { src, dst } => self.bind(src, dst, BindKind::Plain),
            SetupStep::RoBind { src, dst } => self.bind(src, dst, BindKind::ReadOnly),
            SetupStep::DevBind { src, dst } => self.bind(src, dst, BindKind::Dev),
            SetupStep::Tmpfs { dst } => self.tmpfs(dst, 0o755, None),
            SetupStep::TmpfsMode { dst, mode, size } => {
                self.tmpfs(dst, mode.unwrap_or(0o755), *size)
            }
            SetupStep::Mqueue { dst } => self.mqueue(dst),
            SetupStep::BindFd { fd, dst, read_only } => self.bind_fd(*fd, dst, *read_only),
            SetupStep::TryBind { src, dst, kind } => match fs::metadata(self.source(src)) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                _ => self.bind(src, dst, *kind),
            },
            SetupStep::Dir { dst, mode } => {
                let what = format!("cannot create directory {}", shown(dst));
                self.dir(dst, *mode).map_err(|e| setup_error(&what, e))
            }
            SetupStep::RemountRo { dst } => {
                let what = format!("cannot make {} read-only", shown(dst));
                self.remount_ro(dst).map_err(|e| setup_error(&what, e))
            }
            SetupStep::Chmod { mode, path } => {
                let what = format!("cannot change the permissions of {}", shown(path));
                self.chmod(path, *mode).map_err(|e| setup_error(&what, e))
            }
            SetupStep::Data {
                fd,
                dst,
                bind,
                mode,
            } => self.data(*fd, dst, *bind, *mode),
            SetupStep::Symlink { target, link } => {
                let what = format!("cannot create symlink {}", shown(link));
                self.symlink(target, link)
                    .map_err(|e| setup_error(&what, e))
            }
            SetupStep::Proc { dst } => {
                let what = format!("cannot mount proc on {}", shown(dst));
                let target = self
                    .mount_point(dst, Kind::Dir)
                    .map_err(|e| setup_error(&what, e))?;
                sys::mount(
                    Some(Path::new("proc")),
                    target.path(),
                    Some("proc"),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    None,
                )
                .map_err(|e| {
                    // Only the owner of a PID namespace may mount its proc.
                    let hint = if e.raw_os_error() == Some(libc::EPERM) {
                        " (a new user namespace needs its own PID namespace for this: add -p)"
                    } else {
                        ""
                    };
                    setup_error(format!("{what}{hint}"), e)
                })
            }
            SetupStep::Dev { dst } => self.dev(dst),
        }
    }

    fn tmpfs(&mut self, dst: &Path, mode: u32, size: Option<u64>) -> Result<()> {
        let what = format!("cannot mount a tmpfs on {}", shown(dst));
        let target = self
            .mount_point(dst, Kind::Dir)
            .map_err(|e| setup_error(&what, e))?;
        sys::mount(
            Some(Path::new("tmpfs")),
            target.path(),
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NODEV,
            Some(&match size {
                Some(size) => format!("mode={mode:04o},size={size}"),
                None => format!("mode={mode:04o}"),
            }),
        )
        .map_err(|e| setup_error(&what, e))?;
        self.scratch.push(self.target(dst));
        Ok(())
    }

    /// `--mqueue DST`: the message queues of the IPC namespace we are in, as bwrap mounts them.
    fn mqueue(&self, dst: &Path) -> Result<()> {
        let what = format!("cannot mount mqueue on {}", shown(dst));
        let target = self
            .mount_point(dst, Kind::Dir)
            .map_err(|e| setup_error(&what, e))?;
        sys::mount(
            Some(Path::new("mqueue")),
            target.path(),
            Some("mqueue"),
            0,
            None,
        )
        .map_err(|e| setup_error(&what, e))
    }

    /// `--bind-fd FD DST`, `--ro-bind-fd FD DST`: the fd's mount belongs to the namespace
    /// it was opened in, which mount(2) refuses as a source; so, as bwrap, bind the path the
    /// fd names, then check that what got mounted is the fd's file (nothing replaced it).
    fn bind_fd(&self, fd: i32, dst: &Path, read_only: bool) -> Result<()> {
        let what = format!("cannot bind file descriptor {fd} on {}", shown(dst));
        let link = self.proc().join(format!("self/fd/{fd}"));
        let opened = fs::metadata(&link).map_err(|e| setup_error(&what, e))?;
        let path = fs::read_link(&link).map_err(|e| setup_error(&what, e))?;
        if !path.is_absolute() || !fs::exists(self.source(&path)).unwrap_or(false) {
            return Err(Error::setup(format!(
                "{what}: it names no file or directory that can be reached by path"
            )));
        }
        let kind = if read_only {
            BindKind::ReadOnly
        } else {
            BindKind::Plain
        };
        self.bind(&path, dst, kind)?;
        let mounted = self
            .existing(dst)
            .and_then(|t| fs::metadata(t.path()))
            .map_err(|e| setup_error(&what, e))?;
        if (mounted.dev(), mounted.ino()) != (opened.dev(), opened.ino()) {
            return Err(Error::setup(format!(
                "{what}: {} was replaced while it was being bound",
                shown(&path)
            )));
        }
        Ok(())
    }

    /// An existing path, opened beneath its tree (or the host path), for chmod and remount.
    fn existing(&self, p: &Path) -> std::io::Result<Target> {
        match self.place(p) {
            Place::Host(path) => Ok(Target::Host(path)),
            Place::Ours { root, rel, resolve } => {
                let fd = open_beneath(&root, &rel, None, resolve)?;
                let via = self.proc().join(format!("self/fd/{}", fd.as_raw_fd()));
                Ok(Target::Opened {
                    _fd: fd,
                    via,
                    dst: p.to_path_buf(),
                })
            }
        }
    }

    /// `--dir DST`: made with its parents if missing; an existing directory is left as it is.
    fn dir(&self, dst: &Path, mode: Option<u32>) -> std::io::Result<()> {
        if self.existing(dst).is_ok() {
            return Ok(());
        }
        let made = match self.place(dst) {
            Place::Host(path) => {
                fs::create_dir_all(&path)?;
                Target::Host(path)
            }
            Place::Ours { .. } => self.mount_point(dst, Kind::Dir)?,
        };
        if let Some(mode) = mode {
            set_mode(made.path(), mode)?;
        }
        Ok(())
    }

    fn chmod(&self, path: &Path, mode: u32) -> std::io::Result<()> {
        set_mode(self.existing(path)?.path(), mode)
    }

    /// `--remount-ro DST`: only the mount on DST, keeping the flags the kernel may have
    /// locked (nosuid, nodev, noexec, atime) so that a user namespace may remount it.
    fn remount_ro(&self, dst: &Path) -> std::io::Result<()> {
        let target = self.existing(dst)?;
        let keep = current_mount_flags(target.path())? & !libc::MS_RDONLY;
        sys::mount(
            None,
            target.path(),
            None,
            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | keep,
            None,
        )
    }

    /// `--file FD DST`, `--bind-data FD DST`, `--ro-bind-data FD DST`: a file with what is
    /// read from FD, written at DST (in a tree of ours only), or made in the scaffolding of
    /// the new root and bind-mounted on DST.
    fn data(&mut self, fd: i32, dst: &Path, bind: DataBind, mode: Option<u32>) -> Result<()> {
        use std::io::Write;
        let what = format!("cannot create {}", shown(dst));
        let err = |e| setup_error(&what, e);
        let content = sys::read_user_fd(fd)
            .map_err(|e| setup_error(format!("cannot read file descriptor {fd}"), e))?;
        let write_file = |path: &Path, mode: u32| -> std::io::Result<()> {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            file.write_all(&content)?;
            set_mode(path, mode)
        };
        if bind == DataBind::Copy {
            if matches!(self.place(dst), Place::Host(_)) {
                return Err(setup_error(
                    &what,
                    std::io::Error::other("--file writes only inside --new-root or a --tmpfs"),
                ));
            }
            let target = self.mount_point(dst, Kind::File).map_err(err)?;
            return write_file(target.path(), mode.unwrap_or(0o666)).map_err(err);
        }
        if !self.new_root {
            return Err(setup_error(
                &what,
                std::io::Error::other("--bind-data and --ro-bind-data need --new-root"),
            ));
        }
        // The scaffolding tmpfs is our root while the new root is built.
        self.data_files += 1;
        let source = PathBuf::from(format!("/bind-data-{}", self.data_files));
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&source)
            .map_err(err)?;
        write_file(&source, mode.unwrap_or(0o600)).map_err(err)?;
        let target = self.mount_point(dst, Kind::File).map_err(err)?;
        sys::mount(Some(&source), target.path(), None, libc::MS_BIND, None).map_err(err)?;
        if bind == DataBind::RoBind {
            let mounted = self.mounted(target).map_err(err)?;
            make_read_only(mounted.path()).map_err(err)?;
        }
        Ok(())
    }

    /// `--symlink TARGET LINK`: in a tree of ours, the directories above LINK are created and
    /// the link is made in the directory opened beneath that tree; in the host's tree the
    /// directory must exist, and the link is remembered so that a later failure removes it.
    fn symlink(&mut self, target: &Path, link: &Path) -> std::io::Result<()> {
        match self.place(link) {
            Place::Host(path) => {
                use rustix::fs::{Mode, OFlags};
                let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
                    return Err(std::io::Error::from_raw_os_error(libc::EEXIST));
                };
                let dir = rustix::fs::open(
                    parent,
                    OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    Mode::empty(),
                )?;
                rustix::fs::symlinkat(target, &dir, name)?;
                self.host_links.0.push((dir, name.to_os_string()));
                Ok(())
            }
            Place::Ours { root, rel, resolve } => {
                let (Some(parent), Some(name)) = (rel.parent(), rel.file_name()) else {
                    return Err(std::io::Error::from_raw_os_error(libc::EEXIST));
                };
                let dir = open_beneath(&root, parent, Some(Kind::Dir), resolve)?;
                rustix::fs::symlinkat(target, &dir, name)?;
                Ok(())
            }
        }
    }

    /// What is mounted on `target` now (the root of the new mount, not the mount point
    /// underneath), as a path to give mount(2) and friends.
    fn mounted(&self, target: Target) -> std::io::Result<Target> {
        match target {
            Target::Host(p) => Ok(Target::Host(p)),
            Target::Opened { .. } => self.mount_point_existing(&target),
        }
    }

    fn bind(&self, src: &Path, dst: &Path, bind: BindKind) -> Result<()> {
        let source = self.source(src);
        let meta = fs::metadata(&source)
            .map_err(|e| setup_error(format!("cannot bind {}", shown(src)), e))?;
        let what = format!("cannot bind {} on {}", shown(src), shown(dst));
        let kind = if meta.is_dir() { Kind::Dir } else { Kind::File };
        let target = self
            .mount_point(dst, kind)
            .map_err(|e| setup_error(&what, e))?;
        sys::mount(
            Some(&source),
            target.path(),
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )
        .map_err(|e| setup_error(&what, e))?;
        // bwrap's flags: nosuid always, nodev unless --dev-bind, read-only for --ro-bind; on
        // the mount and every mount below it.
        let (flags, flags_what) = match bind {
            BindKind::Plain => (RestrictFlags::NOSUID_NODEV, "nosuid and nodev"),
            BindKind::ReadOnly => (RestrictFlags::READ_ONLY, "read-only"),
            BindKind::Dev => (RestrictFlags::NOSUID, "nosuid"),
        };
        let flags_what = format!("cannot make {} {flags_what}", shown(dst));
        let mounted = self
            .mounted(target)
            .map_err(|e| setup_error(&flags_what, e))?;
        restrict_recursive(mounted.path(), flags).map_err(|e| setup_error(&flags_what, e))
    }

    /// A minimal /dev: a tmpfs with the harmless device nodes bound from the host's /dev (a
    /// user namespace may not create device nodes), a private devpts, and the usual links.
    fn dev(&self, dst: &Path) -> Result<()> {
        let what = format!("cannot mount a /dev on {}", shown(dst));
        let err = |e| setup_error(&what, e);
        // Open the host's nodes first: the tmpfs may cover them (`--dev /dev`).
        let host_dev = self.source(Path::new("/dev"));
        let nodes = ["null", "zero", "full", "random", "urandom", "tty"];
        let mut opened: Vec<(&str, OwnedFd)> = Vec::new();
        for name in nodes {
            let file = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
                .open(host_dev.join(name))
                .map_err(|e| setup_error(format!("cannot open /dev/{name}"), e))?;
            opened.push((name, file.into()));
        }
        let mount_point = self.mount_point(dst, Kind::Dir).map_err(err)?;
        sys::mount(
            Some(Path::new("tmpfs")),
            mount_point.path(),
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NOEXEC,
            Some("mode=0755"),
        )
        .map_err(err)?;
        // The nodes go into the new tmpfs, reached the way its mount point was.
        let mounted = self.mounted(mount_point).map_err(err)?;
        let target = mounted.path();
        let proc = self.proc();
        for (name, fd) in &opened {
            let node = target.join(name);
            fs::File::create(&node).map_err(err)?;
            let via = proc.join(format!("self/fd/{}", fd.as_raw_fd()));
            sys::mount(Some(&via), &node, None, libc::MS_BIND, None).map_err(err)?;
        }
        let pts = target.join("pts");
        fs::create_dir(&pts).map_err(err)?;
        sys::mount(
            Some(Path::new("devpts")),
            &pts,
            Some("devpts"),
            libc::MS_NOSUID | libc::MS_NOEXEC,
            Some("newinstance,ptmxmode=0666,mode=620"),
        )
        .map_err(err)?;
        fs::create_dir(target.join("shm")).map_err(err)?;
        let links = [
            ("ptmx", "pts/ptmx"),
            ("fd", "/proc/self/fd"),
            ("stdin", "/proc/self/fd/0"),
            ("stdout", "/proc/self/fd/1"),
            ("stderr", "/proc/self/fd/2"),
        ];
        for (name, to) in links {
            std::os::unix::fs::symlink(to, target.join(name)).map_err(err)?;
        }
        Ok(())
    }
}

/// Makes a bind mount and every mount below it read-only, nosuid and nodev.
fn make_read_only(target: &Path) -> std::io::Result<()> {
    restrict_recursive(target, RestrictFlags::READ_ONLY)
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// Mount flags a bind mount gets: the MOUNT_ATTR_* bits for mount_setattr(2) and the MS_*
/// ones for the remount fallback.
#[derive(Clone, Copy)]
struct RestrictFlags {
    attr: u64,
    ms: libc::c_ulong,
}

impl RestrictFlags {
    const NOSUID: Self = Self {
        attr: 0x2,
        ms: libc::MS_NOSUID,
    };
    const NOSUID_NODEV: Self = Self {
        attr: 0x2 | 0x4,
        ms: libc::MS_NOSUID | libc::MS_NODEV,
    };
    const READ_ONLY: Self = Self {
        attr: 0x1 | 0x2 | 0x4,
        ms: libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV,
    };
}

/// The mount flags (MS_*) of the mount at `path` that a remount must repeat: those the kernel
/// may have locked in a user namespace (read-only, nosuid, nodev, noexec, the atime ones).
fn current_mount_flags(path: &Path) -> std::io::Result<libc::c_ulong> {
    let current = sys::statvfs_flags(path)?;
    Ok([
        (libc::ST_RDONLY, libc::MS_RDONLY),
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ]
    .into_iter()
    .filter(|(st, _)| current & st != 0)
    .fold(0, |acc, (_, ms)| acc | ms))
}

/// Adds `flags` to a bind mount and every mount below it. mount_setattr only adds flags, so
/// flags the kernel locked in a user namespace are kept; before Linux 5.12 a remount of the
/// top mount repeats its current flags (statvfs) besides these, or the kernel says EPERM.
fn restrict_recursive(target: &Path, flags: RestrictFlags) -> std::io::Result<()> {
    match sys::mount_setattr_recursive(target, flags.attr) {
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
        other => return other,
    }
    let keep = current_mount_flags(target)?;
    sys::mount(
        None,
        target,
        None,
        libc::MS_BIND | libc::MS_REMOUNT | flags.ms | keep,
        None,
    )
}

/// Opens `rel` beneath `root` with the kernel keeping the lookup inside it (`resolve`), never
/// following a symlink in the last component. With `create`, missing directories on the way
/// are made (0755), and a missing last component as a directory or an empty file.
fn open_beneath(
    root: &Path,
    rel: &Path,
    create: Option<Kind>,
    resolve: ResolveFlags,
) -> std::io::Result<OwnedFd> {
    use rustix::fs::{Mode, OFlags, mkdirat, openat, openat2};
    let root_fd = rustix::fs::open(
        root,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let outside = |e: rustix::io::Errno| -> std::io::Error {
        if e == rustix::io::Errno::XDEV {
            std::io::Error::other(format!("{} leads outside {}", shown(rel), shown(root)))
        } else {
            e.into()
        }
    };
    let names: Vec<&std::ffi::OsStr> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n),
            _ => None,
        })
        .collect();
    // The directory reached so far (None: the root).
    let mut dir: Option<OwnedFd> = None;
    let mut walked = PathBuf::new();
    for (i, name) in names.iter().enumerate() {
        let last = i + 1 == names.len();
        walked.push(name);
        let open_flags = if last {
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC
        } else {
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC
        };
        match openat2(&root_fd, &walked, open_flags, Mode::empty(), resolve) {
            Ok(fd) => {
                dir = Some(fd);
                continue;
            }
            Err(rustix::io::Errno::NOENT) if create.is_some() => {}
            Err(e) => return Err(outside(e)),
        }
        // Missing: make it in the directory opened so far (which was resolved beneath root).
        let parent = dir.as_ref().map_or(root_fd.as_fd(), |d| d.as_fd());
        let made = if last && create == Some(Kind::File) {
            openat(
                parent,
                *name,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o644),
            )
            .map(drop)
        } else {
            mkdirat(parent, *name, Mode::from_raw_mode(0o755))
        };
        match made {
            Ok(()) | Err(rustix::io::Errno::EXIST) => {}
            Err(e) => return Err(e.into()),
        }
        dir =
            Some(openat2(&root_fd, &walked, open_flags, Mode::empty(), resolve).map_err(outside)?);
    }
    Ok(dir.unwrap_or(root_fd))
}

/// `/a/b` → `a/b`, dropping `.` and any `..` that would climb above the root.
fn relative(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_stays_below_the_root() {
        assert_eq!(relative(Path::new("/usr/bin")), PathBuf::from("usr/bin"));
        assert_eq!(
            relative(Path::new("/../../etc/./x")),
            PathBuf::from("etc/x")
        );
        assert_eq!(relative(Path::new("/")), PathBuf::new());
    }

    #[test]
    fn sources_come_from_the_old_root_when_building_a_new_one() {
        let fs = Fs {
            new_root: true,
            cwd: PathBuf::from("/home/u"),
            scratch: Vec::new(),
            host_links: HostLinks::default(),
            data_files: 0,
        };
        assert_eq!(fs.source(Path::new("/usr")), PathBuf::from("/oldroot/usr"));
        assert_eq!(
            fs.source(Path::new("rel")),
            PathBuf::from("/oldroot/home/u/rel")
        );
        assert_eq!(fs.target(Path::new("/usr")), PathBuf::from("/usr"));
        let plain = Fs {
            new_root: false,
            cwd: PathBuf::from("/home/u"),
            scratch: Vec::new(),
            host_links: HostLinks::default(),
            data_files: 0,
        };
        assert_eq!(plain.source(Path::new("rel")), PathBuf::from("/home/u/rel"));
    }

    #[test]
    fn error_type_is_the_crate_one() {
        let e: crate::error::Error =
            setup_error("x", std::io::Error::from_raw_os_error(libc::ENOENT));
        assert_eq!(e.message(), "x: no such file or directory");
        assert_eq!(e.code(), crate::error::exit::SETUP);
    }
}
