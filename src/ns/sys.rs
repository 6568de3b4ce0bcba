//! Thin, safe wrappers over the system calls the core needs, each returning `io::Result`.
//! Kept in one place so the unsafe blocks are few and the rest of `ns` reads as plain logic.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// -1 → the errno as an io::Error.
fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn check_int(ret: libc::c_int) -> io::Result<libc::c_int> {
    check(ret.into()).map(|r| r as libc::c_int)
}

/// A path as a C string; a NUL byte inside is an error, not a panic.
pub fn cstr(path: impl AsRef<OsStr>) -> io::Result<CString> {
    CString::new(path.as_ref().as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

pub fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new fd we then own.
    let fd = check(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })?;
    // SAFETY: the kernel just returned this fd to us; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

pub fn setns(fd: BorrowedFd<'_>, nstype: libc::c_int) -> io::Result<()> {
    // SAFETY: setns has no memory-safety preconditions; fd is a valid open fd.
    check_int(unsafe { libc::setns(fd.as_raw_fd(), nstype) }).map(drop)
}

pub fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: no memory-safety preconditions; the process is single-threaded (see ns/mod.rs).
    check_int(unsafe { libc::unshare(flags) }).map(drop)
}

/// fork(2). Returns 0 in the child and the child's pid in the parent.
///
/// Only called while the process is single-threaded, so the child may run any code.
pub fn fork() -> io::Result<i32> {
    // SAFETY: the process is single-threaded (enter/spawn never start threads), so the child
    // inherits no locks held by other threads.
    check_int(unsafe { libc::fork() })
}

pub fn mount(
    src: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let src = src.map(cstr).transpose()?;
    let target = cstr(target)?;
    let fstype = fstype.map(cstr).transpose()?;
    let data = data.map(cstr).transpose()?;
    let ptr = |c: &Option<CString>| c.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    // SAFETY: every pointer is either null or a NUL-terminated string alive for the call.
    check_int(unsafe {
        libc::mount(
            ptr(&src),
            target.as_ptr(),
            ptr(&fstype),
            flags,
            ptr(&data).cast(),
        )
    })
    .map(drop)
}

pub fn umount2(target: &Path, flags: libc::c_int) -> io::Result<()> {
    let target = cstr(target)?;
    // SAFETY: target is a valid C string.
    check_int(unsafe { libc::umount2(target.as_ptr(), flags) }).map(drop)
}

pub fn pivot_root(new_root: &Path, put_old: &Path) -> io::Result<()> {
    let (new_root, put_old) = (cstr(new_root)?, cstr(put_old)?);
    // SAFETY: both are valid C strings.
    check(unsafe { libc::syscall(libc::SYS_pivot_root, new_root.as_ptr(), put_old.as_ptr()) })
        .map(drop)
}

pub fn chroot(path: &Path) -> io::Result<()> {
    let path = cstr(path)?;
    // SAFETY: path is a valid C string.
    check_int(unsafe { libc::chroot(path.as_ptr()) }).map(drop)
}

pub fn fchdir(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: fd is a valid open fd.
    check_int(unsafe { libc::fchdir(fd.as_raw_fd()) }).map(drop)
}

pub fn sethostname(name: &str) -> io::Result<()> {
    // SAFETY: the pointer and length describe `name`'s bytes.
    check_int(unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) }).map(drop)
}

pub fn setresuid(uid: u32) -> io::Result<()> {
    // SAFETY: no memory-safety preconditions.
    check_int(unsafe { libc::setresuid(uid, uid, uid) }).map(drop)
}

pub fn setresgid(gid: u32) -> io::Result<()> {
    // SAFETY: no memory-safety preconditions.
    check_int(unsafe { libc::setresgid(gid, gid, gid) }).map(drop)
}

/// Drops every supplementary group.
pub fn clear_groups() -> io::Result<()> {
    // SAFETY: a zero-length list with a null pointer is valid for setgroups.
    check_int(unsafe { libc::setgroups(0, std::ptr::null()) }).map(drop)
}

pub fn geteuid() -> u32 {
    // SAFETY: always succeeds.
    unsafe { libc::geteuid() }
}

pub fn getegid() -> u32 {
    // SAFETY: always succeeds.
    unsafe { libc::getegid() }
}

pub fn prctl(option: libc::c_int, arg2: libc::c_ulong) -> io::Result<libc::c_int> {
    // SAFETY: the options used here take integer arguments only.
    check_int(unsafe { libc::prctl(option, arg2, 0 as libc::c_ulong, 0 as libc::c_ulong, 0) })
}

pub fn prctl3(option: libc::c_int, arg2: libc::c_ulong, arg3: libc::c_ulong) -> io::Result<()> {
    // SAFETY: the options used here take integer arguments only.
    check_int(unsafe { libc::prctl(option, arg2, arg3, 0 as libc::c_ulong, 0) }).map(drop)
}

/// Sets the effective, permitted and inheritable capability sets to empty.
pub fn capset_empty() -> io::Result<()> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let mut header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let data = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: header and two data structs (version 3 layout) are valid for the call.
    check(unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) }).map(drop)
}

/// Marks every fd from 3 up close-on-exec, so nothing of nsviz leaks into the command.
pub fn cloexec_from_3() -> io::Result<()> {
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags on our own fds.
    check_int(unsafe { libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as _) })
        .map(drop)
}

/// An in-memory file (not close-on-exec: it is meant for the command to read).
pub fn memfd(name: &str) -> io::Result<OwnedFd> {
    let name = cstr(name)?;
    // SAFETY: name is a valid C string; the returned fd is ours.
    let fd = check_int(unsafe { libc::memfd_create(name.as_ptr(), 0) })?;
    // SAFETY: just returned by the kernel, owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The nstype (CLONE_NEW*) of a namespace file, via the NS_GET_NSTYPE ioctl.
pub fn ns_get_nstype(fd: BorrowedFd<'_>) -> io::Result<libc::c_int> {
    const NS_GET_NSTYPE: libc::c_ulong = 0xb703;
    // SAFETY: NS_GET_NSTYPE takes no argument and returns the type.
    check_int(unsafe { libc::ioctl(fd.as_raw_fd(), NS_GET_NSTYPE as _) })
}

pub fn kill(pid: i32, sig: libc::c_int) -> io::Result<()> {
    // SAFETY: no memory-safety preconditions.
    check_int(unsafe { libc::kill(pid, sig) }).map(drop)
}

/// waitpid; returns (pid, raw status), pid 0 when WNOHANG found nothing.
pub fn waitpid(pid: i32, flags: libc::c_int) -> io::Result<(i32, libc::c_int)> {
    let mut status = 0;
    // SAFETY: status is a valid out-pointer.
    let pid = check_int(unsafe { libc::waitpid(pid, &mut status, flags) })?;
    Ok((pid, status))
}

/// A raw wait status as nsviz passes it on: the exit code, or minus the signal that killed
/// the process (see `ns::finish_like`).
pub fn exit_status(status: libc::c_int) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else if libc::WIFSIGNALED(status) {
        -libc::WTERMSIG(status)
    } else {
        1
    }
}

/// Dies of `sig`, as the command did: its default action restored, unblocked, sent to
/// ourselves. Returns if the signal's default is not to terminate (SIGCHLD, SIGWINCH...).
pub fn die_of_signal(sig: libc::c_int) {
    // SAFETY: signal() with SIG_DFL installs no handler; sigset_t is plain data initialized by
    // sigemptyset before use; kill and getpid have no memory-safety preconditions.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::kill(libc::getpid(), sig);
    }
}

/// A set of signals.
#[derive(Clone, Copy)]
pub struct SigSet(libc::sigset_t);

impl SigSet {
    pub fn of(signals: &[libc::c_int]) -> SigSet {
        // SAFETY: sigset_t is plain data; sigemptyset initializes it before use.
        let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: set is a valid sigset_t.
        unsafe {
            libc::sigemptyset(&mut set);
            for &s in signals {
                libc::sigaddset(&mut set, s);
            }
        }
        SigSet(set)
    }

    /// Blocks these signals; returns the previous mask.
    pub fn block(&self) -> SigSet {
        // SAFETY: both pointers are valid sigset_t values.
        let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: as above; sigprocmask cannot fail with a valid `how`.
        unsafe { libc::sigprocmask(libc::SIG_BLOCK, &self.0, &mut old) };
        SigSet(old)
    }

    /// Makes this the signal mask.
    pub fn set_mask(&self) {
        // SAFETY: a valid sigset_t; a null old-set pointer is allowed.
        unsafe { libc::sigprocmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut()) };
    }

    /// Waits for one of these (blocked) signals; returns (signal, si_code).
    pub fn wait(&self) -> io::Result<(libc::c_int, libc::c_int)> {
        loop {
            // SAFETY: siginfo_t is plain data filled in by the kernel.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: valid set and out-pointer.
            let sig = unsafe { libc::sigwaitinfo(&self.0, &mut info) };
            if sig >= 0 {
                return Ok((sig, info.si_code));
            }
            let err = io::Error::last_os_error();
            if err.raw_os_error() != Some(libc::EINTR) {
                return Err(err);
            }
        }
    }
}

/// Exits the (forked) process at once, without running Rust's exit path twice.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit has no preconditions; stderr is unbuffered, nothing is lost.
    unsafe { libc::_exit(code) }
}

/// A pipe whose both ends are close-on-exec.
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds is a valid array of two ints.
    check_int(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: both fds were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The (st_dev, st_ino) of what a path points to: identifies a namespace behind an ns link.
pub fn ns_identity(path: &Path) -> io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

/// Sets mount attributes (MOUNT_ATTR_*) on the mount at `path` and every mount below it.
pub fn mount_setattr_recursive(path: &Path, attr_set: u64) -> io::Result<()> {
    #[repr(C)]
    struct MountAttr {
        attr_set: u64,
        attr_clr: u64,
        propagation: u64,
        userns_fd: u64,
    }
    let path = cstr(path)?;
    let attr = MountAttr {
        attr_set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: path is a valid C string, attr a valid mount_attr of the size passed.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &attr,
            std::mem::size_of::<MountAttr>(),
        )
    })
    .map(drop)
}

/// The mount flags (ST_*) of the filesystem at `path`, from statvfs.
pub fn statvfs_flags(path: &Path) -> io::Result<libc::c_ulong> {
    let path = cstr(path)?;
    // SAFETY: statvfs is plain data filled in by the call.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid C string and out-pointer.
    check_int(unsafe { libc::statvfs(path.as_ptr(), &mut st) })?;
    Ok(st.f_flag)
}

/// Whether `path` is a namespace file (on nsfs, as a bound namespace is).
pub fn is_nsfs(path: &Path) -> bool {
    let Ok(c) = cstr(path) else {
        return false;
    };
    // SAFETY: statfs is plain data filled in by the call.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: valid C string and out-pointer.
    let ok = unsafe { libc::statfs(c.as_ptr(), &mut st) } == 0;
    ok && st.f_type == libc::NSFS_MAGIC
}

pub fn getpid() -> i32 {
    // SAFETY: always succeeds.
    unsafe { libc::getpid() }
}

/// execve(2); returns only on failure.
pub fn execve(program: &CString, argv: &[CString], env: &[CString]) -> io::Error {
    let mut argv_ptrs: Vec<*const libc::c_char> = argv.iter().map(|c| c.as_ptr()).collect();
    argv_ptrs.push(std::ptr::null());
    let mut env_ptrs: Vec<*const libc::c_char> = env.iter().map(|c| c.as_ptr()).collect();
    env_ptrs.push(std::ptr::null());
    // SAFETY: program, argv and env are NUL-terminated strings in null-terminated arrays, all
    // alive across the call.
    unsafe { libc::execve(program.as_ptr(), argv_ptrs.as_ptr(), env_ptrs.as_ptr()) };
    io::Error::last_os_error()
}

/// Whether we may execute `path` (access(2) with X_OK, for our real ids).
pub fn executable(path: &Path) -> bool {
    let Ok(c) = cstr(path) else {
        return false;
    };
    // SAFETY: c is a valid C string.
    unsafe { libc::access(c.as_ptr(), libc::X_OK) == 0 }
}
