//! Namespaces that outlive their processes: `spawn --TYPE=FILE` and `spawn --keep NAME` bind
//! each new namespace to a file, and `nsviz forget NAME` (or [`delete_kept`]) lets them go.
//!
//! The bind mounts must exist in the *original* mount namespace, where everyone sees them, but
//! spawn moves itself into new namespaces. So a helper process is forked first (the binder):
//! it stays behind, binds /proc/SPAWN/ns/TYPE onto each file once spawn has unshared, and then
//! waits until the command's exec has succeeded. If setup or the exec fails, it unmounts and
//! removes everything it made, so a failed spawn leaves nothing behind.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::NsType;
use crate::sanitize::for_terminal;

use super::{for_children_link, setup_error, sys};

/// Where `--keep NAME` binds: KEEP_DIR/NAME/TYPE. The directory is a private mount of itself,
/// as a mount namespace may only be bound on a mount that does not propagate.
pub const KEEP_DIR: &str = "/run/nsviz";

/// A set of namespaces kept under KEEP_DIR/NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptSet {
    pub name: String,
    pub path: PathBuf,
    /// The types still bound there, in NsType order.
    pub types: Vec<NsType>,
}

/// Every kept set, sorted by name. A missing KEEP_DIR means none.
pub fn list_kept() -> Vec<KeptSet> {
    let Ok(entries) = fs::read_dir(KEEP_DIR) else {
        return Vec::new();
    };
    let mut sets: Vec<KeptSet> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            validate_name(&name).ok()?;
            let path = e.path();
            let types = NsType::ALL
                .into_iter()
                .filter(|t| sys::is_nsfs(&path.join(t.name())))
                .collect();
            Some(KeptSet { name, path, types })
        })
        .collect();
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    sets
}

/// Unmounts every namespace kept under NAME and removes its files and directory.
pub fn delete_kept(name: &str) -> Result<()> {
    validate_name(name)?;
    let dir = Path::new(KEEP_DIR).join(name);
    let entries = fs::read_dir(&dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::usage(format!("no kept namespaces named {name}"))
        } else {
            Error::os(format!("cannot read {}", dir.display()), e)
        }
    })?;
    for entry in entries.filter_map(|e| e.ok()) {
        unbind_file(&entry.path())?;
    }
    fs::remove_dir(&dir).map_err(|e| Error::os(format!("cannot remove {}", dir.display()), e))
}

/// Unmounts a namespace bound to `path` (a file no longer mounted is fine) and removes the
/// file.
pub(crate) fn unbind_file(path: &Path) -> Result<()> {
    match sys::umount2(path, libc::MNT_DETACH) {
        Err(e) if e.raw_os_error() != Some(libc::EINVAL) => {
            return Err(Error::os(format!("cannot unmount {}", path.display()), e));
        }
        _ => {}
    }
    fs::remove_file(path).map_err(|e| Error::os(format!("cannot remove {}", path.display()), e))
}

/// A name for `--keep`: letters, digits, `.`, `_`, `-`; not starting with `.`; at most 64.
pub fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "invalid name '{}' for kept namespaces (use letters, digits, '.', '_', '-')",
            for_terminal(name)
        )))
    }
}

/// Lets go of NAME: the set kept under KEEP_DIR/NAME, the `ip netns` name NAME, or both.
pub fn forget(name: &str) -> Result<()> {
    let kept = Path::new(KEEP_DIR).join(name).exists();
    let named = super::network::forget_netns_name(name)?;
    if kept || !named {
        delete_kept(name)?;
    }
    Ok(())
}

/// One namespace to bind: the new namespace of `ns_type` onto `file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub ns_type: NsType,
    pub file: PathBuf,
}

/// The forked helper that binds the new namespaces in the original mount namespace. It is
/// not our child (forked twice): it outlives our exec, and the command inherits no zombie.
pub struct Binder {
    /// To the binder: b'g' = "unshared, bind now"; then b'x' = "about to exec" and b'u' =
    /// "the exec failed". When every end is closed: it keeps the bindings if the last byte was
    /// b'x' (the end is close-on-exec, so the exec succeeded), else undoes them.
    to_binder: Option<OwnedFd>,
    /// From the binder: one line, empty on success, else the error; EOF once it has finished.
    from_binder: Option<fs::File>,
}

impl Binder {
    /// Forks the binder. Call before unshare, with signals blocked.
    pub fn start(bindings: Vec<Binding>, keep: Option<&str>) -> Result<Binder> {
        let fail = |e| setup_error("cannot start the namespace binder", e);
        let (go_read, go_write) = sys::pipe().map_err(fail)?;
        let (res_read, res_write) = sys::pipe().map_err(fail)?;
        let spawner = sys::getpid();
        match sys::fork().map_err(fail)? {
            0 => {
                drop(go_write);
                drop(res_read);
                match sys::fork() {
                    Ok(0) => binder_main(spawner, &bindings, keep, go_read, res_write),
                    Ok(_) => sys::exit_now(0),
                    Err(_) => sys::exit_now(1),
                }
            }
            pid => {
                let reaped = sys::waitpid(pid, 0);
                if !matches!(reaped, Ok((_, 0))) {
                    return Err(Error::setup("cannot start the namespace binder"));
                }
                Ok(Binder {
                    to_binder: Some(go_write),
                    from_binder: Some(fs::File::from(res_read)),
                })
            }
        }
    }

    /// Asks the binder to bind the namespaces of this process (now unshared); waits for it.
    pub fn bind(&mut self) -> Result<()> {
        self.send(b'g');
        let mut line = Vec::new();
        if let Some(file) = self.from_binder.as_mut() {
            let mut byte = [0u8];
            while line.len() < 4096 && matches!(file.read(&mut byte), Ok(1)) {
                if byte[0] == b'\n' {
                    line.push(byte[0]);
                    break;
                }
                line.push(byte[0]);
            }
        }
        let line = String::from_utf8_lossy(&line);
        match line.strip_suffix('\n') {
            Some("") => Ok(()),
            Some(message) => Err(Error::setup(message)),
            None => Err(Error::setup("the namespace binder stopped unexpectedly")),
        }
    }

    /// Tells the binder that the command is about to be executed: the bindings stay if the
    /// exec succeeds (this end, close-on-exec, then closes with that as the last word).
    pub fn commit(&mut self) {
        self.send(b'x');
    }

    /// The exec failed after [`Binder::commit`]: undo, and wait until that is done.
    pub fn abort(mut self) {
        self.send(b'u');
        self.finish_in_place();
    }

    /// Closes this process's end of the pipe to the binder (after fork, in the process that
    /// will not exec): once every end is closed, the binder keeps or undoes its work.
    pub fn close(&mut self) {
        self.to_binder = None;
    }

    /// Closes our end and waits for the binder to finish (keeping or undoing).
    pub fn finish(mut self) {
        self.finish_in_place();
    }

    fn finish_in_place(&mut self) {
        self.close();
        if let Some(mut file) = self.from_binder.take() {
            let mut rest = [0u8; 64];
            while matches!(file.read(&mut rest), Ok(n) if n > 0) {}
        }
    }

    fn send(&mut self, byte: u8) {
        if let Some(fd) = &self.to_binder
            && let Ok(clone) = fd.try_clone()
        {
            let _ = fs::File::from(clone).write_all(&[byte]);
        }
    }
}

/// The binder process. Never returns. Its end of the result pipe closes only when it exits,
/// which tells [`Binder::finish`] that everything is kept or undone.
fn binder_main(
    spawner: i32,
    bindings: &[Binding],
    keep: Option<&str>,
    go: OwnedFd,
    result: OwnedFd,
) -> ! {
    let mut go = fs::File::from(go);
    let mut result = fs::File::from(result);
    let mut byte = [0u8];
    if go.read_exact(&mut byte).is_err() || byte[0] != b'g' {
        sys::exit_now(0); // spawn failed before unsharing: nothing to do
    }
    let mut made = Made::default();
    match made.bind_all(spawner, bindings, keep) {
        Ok(()) => {
            let _ = result.write_all(b"\n");
        }
        Err(e) => {
            made.undo();
            let _ = result.write_all(format!("{e}\n").as_bytes());
            sys::exit_now(1);
        }
    }
    let mut last = 0u8;
    while matches!(go.read(&mut byte), Ok(1)) {
        last = byte[0];
    }
    if last != b'x' {
        made.undo();
    }
    drop(result);
    sys::exit_now(0)
}

/// What the binder made, to undo it.
#[derive(Default)]
struct Made {
    mounts: Vec<PathBuf>,
    files: Vec<PathBuf>,
    dir: Option<PathBuf>,
}

impl Made {
    fn bind_all(&mut self, spawner: i32, bindings: &[Binding], keep: Option<&str>) -> Result<()> {
        if let Some(name) = keep {
            let dir = Path::new(KEEP_DIR).join(name);
            prepare_keep_root()?;
            fs::DirBuilder::new()
                .mode(0o755)
                .create(&dir)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Error::setup(format!(
                            "kept namespaces named {name} already exist (nsviz forget {name})"
                        ))
                    } else {
                        setup_error(format!("cannot create {}", dir.display()), e)
                    }
                })?;
            self.dir = Some(dir);
        }
        for b in bindings {
            self.bind(spawner, b)?;
        }
        Ok(())
    }

    fn bind(&mut self, spawner: i32, b: &Binding) -> Result<()> {
        let shown = for_terminal(&b.file.to_string_lossy()).into_owned();
        let what = format!("cannot bind the new {} namespace to {shown}", b.ns_type);
        let (target, created) = open_bind_target(&b.file)
            .map_err(|e| setup_error(format!("cannot create {shown}"), e))?;
        if created {
            self.files.push(b.file.clone());
        }
        if !target.is_file {
            return Err(Error::setup(format!(
                "{what}: it is {} (nsviz never follows a symbolic link there)",
                target.kind
            )));
        }
        let source = PathBuf::from(format!(
            "/proc/{spawner}/ns/{}",
            for_children_link(b.ns_type)
        ));
        // Mount on the file that was opened, not on the path again: the path may have been
        // changed meanwhile.
        let opened = PathBuf::from(format!("/proc/self/fd/{}", target.fd.as_raw_fd()));
        sys::mount(Some(&source), &opened, None, libc::MS_BIND, None).map_err(|e| {
            if b.ns_type == NsType::Mnt && e.raw_os_error() == Some(libc::EINVAL) {
                setup_error(
                    format!("{what} (its mount must be private: mount --make-private)"),
                    e,
                )
            } else {
                setup_error(&what, e)
            }
        })?;
        self.mounts.push(b.file.clone());
        Ok(())
    }

    fn undo(&mut self) {
        for m in self.mounts.drain(..).rev() {
            let _ = sys::umount2(&m, libc::MNT_DETACH | libc::UMOUNT_NOFOLLOW);
        }
        for f in self.files.drain(..).rev() {
            let _ = fs::remove_file(f);
        }
        if let Some(dir) = self.dir.take() {
            let _ = fs::remove_dir(dir);
        }
    }
}

/// The file a namespace is bound to, opened without following a symbolic link in its last
/// component (one planted by another user in a shared directory must not redirect the mount).
struct BindTarget {
    fd: OwnedFd,
    is_file: bool,
    /// What it is, when not a regular file: "a symbolic link", "a directory"...
    kind: &'static str,
}

/// Opens `path` (creating it if missing, then `true` is returned too) with O_NOFOLLOW, in its
/// directory opened by [`super::open_without_planted_links`].
fn open_bind_target(path: &Path) -> std::io::Result<(BindTarget, bool)> {
    use rustix::fs::{FileType, Mode, OFlags, openat};
    let Some(name) = path.file_name() else {
        return Err(std::io::Error::from_raw_os_error(libc::EISDIR));
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = super::open_without_planted_links(
        parent,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
    )?;
    let create =
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let (fd, created) = match openat(&dir, name, create, Mode::from_raw_mode(0o644)) {
        Ok(fd) => (fd, true),
        Err(rustix::io::Errno::EXIST) => {
            let existing = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            (openat(&dir, name, existing, Mode::empty())?, false)
        }
        Err(e) => return Err(e.into()),
    };
    let file_type = FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode);
    let kind = match file_type {
        FileType::RegularFile => "a regular file",
        FileType::Symlink => "a symbolic link",
        FileType::Directory => "a directory",
        _ => "not a regular file",
    };
    let is_file = file_type == FileType::RegularFile;
    Ok((BindTarget { fd, is_file, kind }, created))
}

/// Creates KEEP_DIR and makes it a private mount of itself (once), like `ip netns` does for
/// /run/netns: a mount namespace can be bound there, and the binds do not propagate.
fn prepare_keep_root() -> Result<()> {
    let root = Path::new(KEEP_DIR);
    let fail = |e| setup_error(format!("cannot prepare {KEEP_DIR}"), e);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(root)
        .map_err(fail)?;
    if !is_mount_point(root) {
        sys::mount(Some(root), root, None, libc::MS_BIND, None).map_err(fail)?;
    }
    sys::mount(None, root, None, libc::MS_PRIVATE, None).map_err(fail)
}

fn is_mount_point(path: &Path) -> bool {
    let Ok(text) = fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = path.to_string_lossy();
    text.lines()
        .any(|line| line.split(' ').nth(4) == Some(want.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(validate_name("box-1.a_b").is_ok());
        for bad in ["", ".hidden", "a/b", "..", "x y", &"n".repeat(65)] {
            let err = validate_name(bad).unwrap_err();
            assert_eq!(err.code(), crate::error::exit::USAGE, "{bad}");
        }
    }
}
