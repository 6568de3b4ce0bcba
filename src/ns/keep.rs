//! Namespaces that outlive their processes: `spawn --TYPE=FILE` and `spawn --keep NAME` bind
//! each new namespace to a file, and `nsviz forget NAME` (or [`delete_kept`]) lets them go.
//!
//! The bind mounts must exist in the *original* mount namespace, where everyone sees them, but
//! spawn moves itself into new namespaces. So a helper process is forked first (the binder):
//! it stays behind, binds /proc/SPAWN/ns/TYPE onto each file once spawn has unshared, and then
//! waits for the command to start. If setup fails before that, it unmounts and removes
//! everything it made, so a failed spawn leaves nothing behind.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use crate::cli::ForgetArgs;
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
        let path = entry.path();
        match sys::umount2(&path, libc::MNT_DETACH) {
            Err(e) if e.raw_os_error() != Some(libc::EINVAL) => {
                return Err(Error::os(format!("cannot unmount {}", path.display()), e));
            }
            _ => {}
        }
        fs::remove_file(&path)
            .map_err(|e| Error::os(format!("cannot remove {}", path.display()), e))?;
    }
    fs::remove_dir(&dir).map_err(|e| Error::os(format!("cannot remove {}", dir.display()), e))
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

/// `nsviz forget [NAME...]`: delete the named sets, or list them all.
pub fn forget(args: &ForgetArgs, out: &mut Vec<u8>) -> Result<()> {
    if args.names.is_empty() {
        for set in list_kept() {
            let types: Vec<&str> = set.types.iter().map(|t| t.name()).collect();
            let _ = writeln!(
                out,
                "{}\t{}\t{}",
                set.name,
                types.join(","),
                set.path.display()
            );
        }
        return Ok(());
    }
    for name in &args.names {
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

/// The forked helper that binds the new namespaces in the original mount namespace.
pub struct Binder {
    pid: i32,
    /// To the binder: b'g' = "unshared, bind now", b'c' = "committed"; EOF = "undo".
    to_binder: Option<OwnedFd>,
    /// From the binder: one line, empty on success, else the error.
    from_binder: Option<OwnedFd>,
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
                binder_main(spawner, &bindings, keep, go_read, res_write)
            }
            pid => Ok(Binder {
                pid,
                to_binder: Some(go_write),
                from_binder: Some(res_read),
            }),
        }
    }

    /// Asks the binder to bind the namespaces of this process (now unshared); waits for it.
    pub fn bind(&mut self) -> Result<()> {
        self.send(b'g');
        let mut line = String::new();
        if let Some(fd) = self.from_binder.take() {
            let _ = BufReader::new(fs::File::from(fd)).read_line(&mut line);
        }
        match line.strip_suffix('\n') {
            Some("") => Ok(()),
            Some(message) => Err(Error::setup(message)),
            None => Err(Error::setup("the namespace binder stopped unexpectedly")),
        }
    }

    /// Tells the binder that the command is about to run: the bindings stay. In the process
    /// that forked the binder this also reaps it, so the command inherits no zombie.
    pub fn commit(&mut self) {
        self.send(b'c');
        self.close();
        let _ = sys::waitpid(self.pid, 0);
    }

    /// Closes this process's end of the pipe (after fork, in the process that will not
    /// commit): once every end is closed without a commit, the binder undoes its work.
    pub fn close(&mut self) {
        self.to_binder = None;
        self.from_binder = None;
    }

    /// Closes our end and waits for the binder to finish (committing or undoing).
    pub fn finish(mut self) {
        self.close();
        let _ = sys::waitpid(self.pid, 0);
    }

    fn send(&mut self, byte: u8) {
        if let Some(fd) = &self.to_binder
            && let Ok(clone) = fd.try_clone()
        {
            let _ = fs::File::from(clone).write_all(&[byte]);
        }
    }
}

/// The binder process. Never returns.
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
    drop(result);
    if go.read_exact(&mut byte).is_err() || byte[0] != b'c' {
        made.undo();
    }
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
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&b.file)
        {
            Ok(_) => self.files.push(b.file.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(setup_error(format!("cannot create {shown}"), e)),
        }
        let source = PathBuf::from(format!(
            "/proc/{spawner}/ns/{}",
            for_children_link(b.ns_type)
        ));
        sys::mount(Some(&source), &b.file, None, libc::MS_BIND, None).map_err(|e| {
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
            let _ = sys::umount2(&m, libc::MNT_DETACH);
        }
        for f in self.files.drain(..).rev() {
            let _ = fs::remove_file(f);
        }
        if let Some(dir) = self.dir.take() {
            let _ = fs::remove_dir(dir);
        }
    }
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
