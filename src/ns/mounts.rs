//! The filesystem side of `spawn`: mount propagation, the ordered filesystem flags, --mount-proc
//! and --new-root. Runs inside the new mount namespace only, so nothing here is seen outside
//! (except --symlink without --new-root or --tmpfs around it, which writes where it is told).

use std::fs;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use crate::cli::{MountOp, Propagation};
use crate::error::Result;
use crate::sanitize::for_terminal;

use super::{setup_error, sys};

/// Where the new root is assembled (a tmpfs mounted over it, in our mount namespace only), and
/// where the old root waits under it until it is detached. The same choice as bwrap's.
const NEW_ROOT_BASE: &str = "/tmp";
const OLD_ROOT: &str = "/oldroot";

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

/// Builds the filesystem: with `new_root`, a tmpfs root holding only what `ops` put there;
/// otherwise `ops` change the existing tree. `mount_proc` adds a proc mount on /proc (first
/// without a new root, like unshare; last with one, once /proc can be created).
pub fn apply(ops: &[MountOp], new_root: bool, mount_proc: bool) -> Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let mut fs = Fs {
        new_root,
        cwd,
        scratch: Vec::new(),
    };
    let proc_op = MountOp::Proc {
        dst: PathBuf::from("/proc"),
    };
    if mount_proc && !new_root {
        fs.apply(&proc_op)?;
    }
    if new_root {
        enter_new_root()?;
    }
    for op in ops {
        fs.apply(op)?;
    }
    if new_root {
        if mount_proc {
            fs.apply(&proc_op)?;
        }
        leave_old_root()?;
    }
    Ok(())
}

/// Mounts a tmpfs on NEW_ROOT_BASE and pivots into it; the old root is then at OLD_ROOT, where
/// the sources of binds are found.
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

/// Detaches the old root: from now on only the new root is reachable.
fn leave_old_root() -> Result<()> {
    let old = Path::new(OLD_ROOT);
    sys::umount2(old, libc::MNT_DETACH)
        .map_err(|e| setup_error("cannot detach the old root", e))?;
    fs::remove_dir(old).map_err(|e| setup_error("cannot remove the old root's mount point", e))
}

/// How paths are resolved: sources in the old root (under OLD_ROOT with a new root), targets
/// in the tree being built. Relative paths are relative to the starting directory.
struct Fs {
    new_root: bool,
    cwd: PathBuf,
    /// tmpfs mounts made by earlier flags: mount points may be created inside them.
    scratch: Vec<PathBuf>,
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

    /// The proc filesystem we can use now (the old root's, while building a new root).
    fn proc(&self) -> PathBuf {
        if self.new_root {
            Path::new(OLD_ROOT).join("proc")
        } else {
            PathBuf::from("/proc")
        }
    }

    /// Creates a missing mount point (and its parents), but only on a tmpfs of ours: the new
    /// root, or a `--tmpfs` given earlier. The host's own tree is never changed, so elsewhere
    /// the mount point must exist.
    fn mount_point(&self, dst: &Path, kind: Kind) -> std::io::Result<()> {
        let ours = self.new_root || self.scratch.iter().any(|t| dst.starts_with(t));
        if !ours || dst.exists() {
            return Ok(());
        }
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent)?;
        }
        match kind {
            Kind::Dir => fs::create_dir(dst),
            Kind::File => fs::File::create(dst).map(drop),
        }
    }

    fn apply(&mut self, op: &MountOp) -> Result<()> {
        match op {
            MountOp::Bind { src, dst } => self.bind(src, dst, false),
            MountOp::RoBind { src, dst } => self.bind(src, dst, true),
            MountOp::Tmpfs { dst } => {
                let target = self.target(dst);
                let what = format!("cannot mount a tmpfs on {}", shown(dst));
                self.mount_point(&target, Kind::Dir)
                    .map_err(|e| setup_error(&what, e))?;
                sys::mount(
                    Some(Path::new("tmpfs")),
                    &target,
                    Some("tmpfs"),
                    libc::MS_NOSUID | libc::MS_NODEV,
                    Some("mode=0755"),
                )
                .map_err(|e| setup_error(&what, e))?;
                self.scratch.push(target);
                Ok(())
            }
            MountOp::Symlink { target, link } => {
                let path = self.target(link);
                let what = format!("cannot create symlink {}", shown(link));
                if (self.new_root || self.scratch.iter().any(|t| path.starts_with(t)))
                    && let Some(parent) = path.parent()
                {
                    fs::create_dir_all(parent).map_err(|e| setup_error(&what, e))?;
                }
                std::os::unix::fs::symlink(target, &path).map_err(|e| setup_error(&what, e))
            }
            MountOp::Proc { dst } => {
                let target = self.target(dst);
                let what = format!("cannot mount proc on {}", shown(dst));
                self.mount_point(&target, Kind::Dir)
                    .map_err(|e| setup_error(&what, e))?;
                sys::mount(
                    Some(Path::new("proc")),
                    &target,
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
            MountOp::Dev { dst } => self.dev(dst),
        }
    }

    fn bind(&self, src: &Path, dst: &Path, read_only: bool) -> Result<()> {
        let source = self.source(src);
        let meta = fs::metadata(&source)
            .map_err(|e| setup_error(format!("cannot bind {}", shown(src)), e))?;
        let target = self.target(dst);
        let what = format!("cannot bind {} on {}", shown(src), shown(dst));
        let kind = if meta.is_dir() { Kind::Dir } else { Kind::File };
        self.mount_point(&target, kind)
            .map_err(|e| setup_error(&what, e))?;
        sys::mount(
            Some(&source),
            &target,
            None,
            libc::MS_BIND | libc::MS_REC,
            None,
        )
        .map_err(|e| setup_error(&what, e))?;
        if read_only {
            make_read_only(&target)
                .map_err(|e| setup_error(format!("cannot make {} read-only", shown(dst)), e))?;
        }
        Ok(())
    }

    /// A minimal /dev: a tmpfs with the harmless device nodes bound from the host's /dev (a
    /// user namespace may not create device nodes), a private devpts, and the usual links.
    fn dev(&self, dst: &Path) -> Result<()> {
        let target = self.target(dst);
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
        self.mount_point(&target, Kind::Dir).map_err(err)?;
        sys::mount(
            Some(Path::new("tmpfs")),
            &target,
            Some("tmpfs"),
            libc::MS_NOSUID | libc::MS_NOEXEC,
            Some("mode=0755"),
        )
        .map_err(err)?;
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

/// Makes a bind mount and every mount below it read-only, nosuid and nodev. mount_setattr only
/// adds these flags, so flags the kernel locked in a user namespace are kept; before Linux 5.12
/// a remount of the top mount repeats its current flags (statvfs), or the kernel says EPERM.
fn make_read_only(target: &Path) -> std::io::Result<()> {
    const RDONLY_NOSUID_NODEV: u64 = 0x1 | 0x2 | 0x4;
    match sys::mount_setattr_recursive(target, RDONLY_NOSUID_NODEV) {
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
        other => return other,
    }
    let current = sys::statvfs_flags(target)?;
    let keep = [
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ]
    .into_iter()
    .filter(|(st, _)| current & st != 0)
    .fold(0, |acc, (_, ms)| acc | ms);
    sys::mount(
        None,
        target,
        None,
        libc::MS_BIND
            | libc::MS_REMOUNT
            | libc::MS_RDONLY
            | libc::MS_NOSUID
            | libc::MS_NODEV
            | keep,
        None,
    )
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
