//! The one layer of system calls: thin, safe wrappers for the namespace core (`ns`), the
//! scanner (`scan`) and the viewer, each returning `io::Result`. The only module allowed
//! `unsafe` (the crate denies it elsewhere). It calls rustix or nix wherever they have the
//! call, and raw libc only where neither does (each such place says so).

use std::ffi::{CStr, CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use nix::sched::CloneFlags;
use nix::sys::signal::{SigHandler, SigmaskHow, Signal};
use nix::unistd::{Gid, Uid};

/// A path as a C string; a NUL byte inside is an error, not a panic.
pub fn cstr(path: impl AsRef<OsStr>) -> io::Result<CString> {
    CString::new(path.as_ref().as_bytes()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn pid_arg(pid: i32) -> io::Result<rustix::process::Pid> {
    rustix::process::Pid::from_raw(pid).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))
}

fn signal_arg(sig: libc::c_int) -> io::Result<Signal> {
    Signal::try_from(sig).map_err(io::Error::from)
}

/// A pidfd for `pid`: holds the process, so its PID cannot be reused under us.
pub fn pidfd_open(pid: i32) -> io::Result<OwnedFd> {
    Ok(rustix::process::pidfd_open(
        pid_arg(pid)?,
        rustix::process::PidfdFlags::empty(),
    )?)
}

/// Blocks until the process behind `pidfd` has exited (a pidfd becomes readable then).
pub fn wait_for_exit(pidfd: BorrowedFd<'_>) -> io::Result<()> {
    use rustix::event::{PollFd, PollFlags, poll};
    loop {
        let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
        match poll(&mut fds, None) {
            Ok(_) if !fds[0].revents().is_empty() => return Ok(()),
            Ok(_) | Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// True if the process behind `pidfd` has exited (its pidfd is readable); does not block.
pub fn has_exited(pidfd: BorrowedFd<'_>) -> io::Result<bool> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    Ok(poll(&mut fds, Some(&now))? > 0)
}

/// pidfd_send_signal(2): signals the process a pidfd holds (no PID reuse race).
pub fn pidfd_signal(pidfd: BorrowedFd<'_>, sig: libc::c_int) -> io::Result<()> {
    let sig = rustix::process::Signal::from_named_raw(sig)
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    Ok(rustix::process::pidfd_send_signal(pidfd, sig)?)
}

/// setns(2): `fd` is a namespace file or a pidfd; `nstype` CLONE_NEW* flags (0: any).
pub fn setns(fd: BorrowedFd<'_>, nstype: libc::c_int) -> io::Result<()> {
    Ok(nix::sched::setns(fd, CloneFlags::from_bits_retain(nstype))?)
}

pub fn unshare(flags: libc::c_int) -> io::Result<()> {
    Ok(nix::sched::unshare(CloneFlags::from_bits_retain(flags))?)
}

/// fork(2). Returns 0 in the child and the child's pid in the parent.
///
/// Only called while the process is single-threaded, so the child may run any code.
pub fn fork() -> io::Result<i32> {
    use nix::unistd::ForkResult;
    // SAFETY: the process is single-threaded (enter/spawn never start threads), so the child
    // inherits no locks held by other threads.
    match unsafe { nix::unistd::fork() }? {
        ForkResult::Child => Ok(0),
        ForkResult::Parent { child } => Ok(child.as_raw()),
    }
}

pub fn mount(
    src: Option<&Path>,
    target: &Path,
    fstype: Option<&str>,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    Ok(nix::mount::mount(
        src,
        target,
        fstype,
        nix::mount::MsFlags::from_bits_retain(flags),
        data,
    )?)
}

pub fn umount2(target: &Path, flags: libc::c_int) -> io::Result<()> {
    Ok(nix::mount::umount2(
        target,
        nix::mount::MntFlags::from_bits_retain(flags),
    )?)
}

pub fn pivot_root(new_root: &Path, put_old: &Path) -> io::Result<()> {
    Ok(nix::unistd::pivot_root(new_root, put_old)?)
}

pub fn chroot(path: &Path) -> io::Result<()> {
    Ok(nix::unistd::chroot(path)?)
}

pub fn fchdir(fd: BorrowedFd<'_>) -> io::Result<()> {
    Ok(rustix::process::fchdir(fd)?)
}

pub fn sethostname(name: &str) -> io::Result<()> {
    Ok(nix::unistd::sethostname(name)?)
}

pub fn setresuid(uid: u32) -> io::Result<()> {
    let uid = Uid::from_raw(uid);
    Ok(nix::unistd::setresuid(uid, uid, uid)?)
}

pub fn setresgid(gid: u32) -> io::Result<()> {
    let gid = Gid::from_raw(gid);
    Ok(nix::unistd::setresgid(gid, gid, gid)?)
}

/// Drops every supplementary group.
pub fn clear_groups() -> io::Result<()> {
    Ok(nix::unistd::setgroups(&[])?)
}

pub fn geteuid() -> u32 {
    rustix::process::geteuid().as_raw()
}

pub fn getegid() -> u32 {
    rustix::process::getegid().as_raw()
}

pub fn getpid() -> i32 {
    rustix::process::getpid().as_raw_nonzero().get()
}

/// Names the calling thread (comm), as `ps` shows it.
pub fn set_name(name: &str) -> io::Result<()> {
    Ok(rustix::thread::set_name(&cstr(name)?)?)
}

/// Kills this process with SIGKILL when its parent dies.
pub fn die_with_parent() -> io::Result<()> {
    Ok(rustix::process::set_parent_process_death_signal(Some(
        rustix::process::Signal::KILL,
    ))?)
}

/// This process gets `sig` when its parent (the thread that forked it) dies.
pub fn set_parent_death_signal(sig: libc::c_int) -> io::Result<()> {
    let sig = rustix::process::Signal::from_named_raw(sig)
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    Ok(rustix::process::set_parent_process_death_signal(Some(sig))?)
}

pub fn clear_ambient_caps() -> io::Result<()> {
    Ok(rustix::thread::clear_ambient_capability_set()?)
}

/// Whether capability number `cap` is in the bounding set; EINVAL past the kernel's last.
/// Raw prctl: rustix and nix name only the capabilities they know, the kernel may have more.
pub fn bounding_set_has(cap: u32) -> io::Result<bool> {
    // SAFETY: PR_CAPBSET_READ takes an integer argument only.
    let ret = unsafe { libc::prctl(libc::PR_CAPBSET_READ, libc::c_ulong::from(cap), 0, 0, 0) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(ret != 0)
}

/// Drops capability number `cap` from the bounding set (raw prctl, as above).
pub fn bounding_set_drop(cap: u32) -> io::Result<()> {
    // SAFETY: PR_CAPBSET_DROP takes an integer argument only.
    let ret = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, libc::c_ulong::from(cap), 0, 0, 0) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Sets the effective, permitted and inheritable capability sets to empty.
pub fn capset_empty() -> io::Result<()> {
    use rustix::thread::{CapabilitySet, CapabilitySets};
    let empty = CapabilitySets {
        effective: CapabilitySet::empty(),
        permitted: CapabilitySet::empty(),
        inheritable: CapabilitySet::empty(),
    };
    Ok(rustix::thread::set_capabilities(None, empty)?)
}

/// The real user id (bwrap's test for a root caller).
pub fn getuid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The effective, permitted and inheritable capability sets, as bit masks.
pub fn capability_sets() -> io::Result<(u64, u64, u64)> {
    let sets = rustix::thread::capabilities(None)?;
    Ok((
        sets.effective.bits(),
        sets.permitted.bits(),
        sets.inheritable.bits(),
    ))
}

/// Sets the effective, permitted and inheritable sets to this one mask.
pub fn set_capability_sets(mask: u64) -> io::Result<()> {
    use rustix::thread::{CapabilitySet, CapabilitySets};
    let set = CapabilitySet::from_bits_retain(mask);
    Ok(rustix::thread::set_capabilities(
        None,
        CapabilitySets {
            effective: set,
            permitted: set,
            inheritable: set,
        },
    )?)
}

/// Raises capability number `cap` in the ambient set (raw prctl, as for the bounding set).
pub fn raise_ambient(cap: u32) -> io::Result<()> {
    // SAFETY: PR_CAP_AMBIENT_RAISE takes integer arguments only.
    let ret = unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
            libc::c_ulong::from(cap),
            0,
            0,
        )
    };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Loads a classic-BPF seccomp filter: `program` is an array of `struct sock_filter` (8
/// bytes each: code u16, jt u8, jf u8, k u32, in this machine's byte order). Raw prctl:
/// neither rustix nor nix loads seccomp filters. Needs no_new_privs or CAP_SYS_ADMIN.
pub fn load_seccomp_filter(program: &[u8]) -> io::Result<()> {
    if program.is_empty() || !program.len().is_multiple_of(8) {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    let mut filter: Vec<libc::sock_filter> = program
        .chunks_exact(8)
        .map(|c| libc::sock_filter {
            code: u16::from_ne_bytes([c[0], c[1]]),
            jt: c[2],
            jf: c[3],
            k: u32::from_ne_bytes([c[4], c[5], c[6], c[7]]),
        })
        .collect();
    let len =
        u16::try_from(filter.len()).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    let prog = libc::sock_fprog {
        len,
        filter: filter.as_mut_ptr(),
    };
    // SAFETY: `prog` points at `len` initialised filters that outlive the call; the kernel
    // copies them.
    let ret = unsafe {
        libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER as libc::c_ulong,
            &prog as *const libc::sock_fprog,
            0,
            0,
        )
    };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub fn set_no_new_privs() -> io::Result<()> {
    Ok(rustix::thread::set_no_new_privs(true)?)
}

/// The fds from 3 up that are open and not close-on-exec. Asked before enter or spawn opens
/// anything: they are the ones the caller meant the command to have (`3<file`), as unshare,
/// nsenter and bwrap pass them on; nsviz's own fds are all close-on-exec.
pub fn inheritable_fds() -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    let mut fds: Vec<i32> = dir
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd >= 3)
        .filter(|&fd| {
            // SAFETY: fcntl(F_GETFD) only reads the fd's flags (-1 for a closed one, such as
            // the directory listing's own, gone by now).
            let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
            flags != -1 && flags & libc::FD_CLOEXEC == 0
        })
        .collect();
    fds.sort_unstable();
    fds
}

/// Lets an fd the user handed over reach the command: clears its close-on-exec flag.
pub fn pass_on_exec(fd: i32) -> io::Result<()> {
    with_user_fd(fd, |fd| {
        let flags = rustix::io::fcntl_getfd(fd)?;
        Ok(rustix::io::fcntl_setfd(
            fd,
            flags - rustix::io::FdFlags::CLOEXEC,
        )?)
    })
}

/// Marks every fd from 3 up close-on-exec, so nothing of nsviz leaks into the command.
/// Raw libc: neither rustix nor nix has close_range.
pub fn cloexec_from_3() -> io::Result<()> {
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags on our own fds.
    let ret = unsafe { libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as _) };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// An in-memory file (not close-on-exec: it is meant for the command to read).
pub fn memfd(name: &str) -> io::Result<OwnedFd> {
    Ok(rustix::fs::memfd_create(
        name,
        rustix::fs::MemfdFlags::empty(),
    )?)
}

// nsfs and socket ioctls from <linux/nsfs.h> and <linux/sockios.h>: no crate wraps them, so
// nix's macros declare them (each generated function is unsafe: see the wrappers below).
nix::ioctl_none_bad!(ns_get_userns_ioctl, 0xb701);
nix::ioctl_none_bad!(ns_get_parent_ioctl, 0xb702);
nix::ioctl_none_bad!(ns_get_nstype_ioctl, 0xb703);
nix::ioctl_read_bad!(ns_get_owner_uid_ioctl, 0xb704, libc::uid_t);
nix::ioctl_read!(ns_get_id_ioctl, 0xb7, 0x0d, u64);
nix::ioctl_none_bad!(siocgskns_ioctl, 0x894c);

/// Takes ownership of an fd an ioctl returned, so it is closed on every path.
fn owned(fd: libc::c_int) -> OwnedFd {
    // SAFETY: the kernel just returned this fd to us and nothing else owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// The nstype (CLONE_NEW*) of a namespace file (NS_GET_NSTYPE).
pub fn ns_get_nstype(fd: BorrowedFd<'_>) -> io::Result<libc::c_int> {
    // SAFETY: NS_GET_NSTYPE takes no argument and returns the type or -1.
    Ok(unsafe { ns_get_nstype_ioctl(fd.as_raw_fd()) }?)
}

/// The owning user namespace of a namespace (NS_GET_USERNS), as a new fd.
pub fn ns_get_userns(ns: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    // SAFETY: NS_GET_USERNS takes no argument and returns a new fd or -1.
    Ok(owned(unsafe { ns_get_userns_ioctl(ns.as_raw_fd()) }?))
}

/// The parent of a user or pid namespace (NS_GET_PARENT), as a new fd.
pub fn ns_get_parent(ns: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    // SAFETY: NS_GET_PARENT takes no argument and returns a new fd or -1.
    Ok(owned(unsafe { ns_get_parent_ioctl(ns.as_raw_fd()) }?))
}

/// The uid that created a user namespace (NS_GET_OWNER_UID).
pub fn ns_get_owner_uid(ns: BorrowedFd<'_>) -> io::Result<u32> {
    let mut uid: libc::uid_t = 0;
    // SAFETY: NS_GET_OWNER_UID writes one uid_t through the pointer, which is valid.
    unsafe { ns_get_owner_uid_ioctl(ns.as_raw_fd(), &mut uid) }?;
    Ok(uid)
}

/// The kernel's 64-bit namespace id (NS_GET_ID).
pub fn ns_get_id(ns: BorrowedFd<'_>) -> io::Result<u64> {
    let mut id: u64 = 0;
    // SAFETY: NS_GET_ID writes one u64 through the pointer, which is valid.
    unsafe { ns_get_id_ioctl(ns.as_raw_fd(), &mut id) }?;
    Ok(id)
}

/// The network namespace a socket was created in (SIOCGSKNS), as a new nsfs fd.
pub fn socket_netns(socket: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    // SAFETY: SIOCGSKNS takes no argument and returns a new fd or -1.
    Ok(owned(unsafe { siocgskns_ioctl(socket.as_raw_fd()) }?))
}

/// pidfd_getfd(2): a duplicate of fd number `fd` of the process behind `pidfd`.
pub fn pidfd_getfd(pidfd: BorrowedFd<'_>, fd: i32) -> io::Result<OwnedFd> {
    let fd = rustix::fd::RawFd::from(fd);
    Ok(rustix::process::pidfd_getfd(
        pidfd,
        fd,
        rustix::process::PidfdGetfdFlags::empty(),
    )?)
}

/// The (uid, gid) owning what `fd` refers to, as seen from our user namespace now.
pub fn fd_owner(fd: BorrowedFd<'_>) -> io::Result<(u32, u32)> {
    let st = rustix::fs::fstat(fd)?;
    Ok((st.st_uid, st.st_gid))
}

/// Makes the permitted capabilities survive exec under a non-zero uid: copies them to the
/// inheritable set, then raises each in the ambient set. Raw prctl for the ambient set:
/// rustix names only the capabilities it knows, the kernel may have more.
pub fn keep_caps_across_exec() -> io::Result<()> {
    use rustix::thread::{CapabilitySets, capabilities, set_capabilities};
    let sets = capabilities(None)?;
    set_capabilities(
        None,
        CapabilitySets {
            effective: sets.effective,
            permitted: sets.permitted,
            inheritable: sets.permitted,
        },
    )?;
    let bits = sets.permitted.bits();
    for cap in (0..64u32).filter(|c| bits & (1u64 << c) != 0) {
        // SAFETY: PR_CAP_AMBIENT takes integer arguments only.
        let ret = unsafe {
            libc::prctl(
                libc::PR_CAP_AMBIENT,
                libc::PR_CAP_AMBIENT_RAISE as libc::c_ulong,
                libc::c_ulong::from(cap),
                0,
                0,
            )
        };
        if ret == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A raw NETLINK_ROUTE socket, close-on-exec.
pub fn netlink_route_socket() -> io::Result<OwnedFd> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType};
    // No protocol is NETLINK_ROUTE (0).
    Ok(rustix::net::socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        None,
    )?)
}

/// send(2) of one buffer; returns the bytes sent.
pub fn send(socket: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
    Ok(rustix::net::send(
        socket,
        buf,
        rustix::net::SendFlags::empty(),
    )?)
}

/// recv(2) into `buf`; returns the bytes received.
pub fn recv(socket: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    let (received, _) = rustix::net::recv(socket, buf, rustix::net::RecvFlags::empty())?;
    Ok(received)
}

/// CPU time used by the whole process so far.
pub fn process_cpu_time() -> Duration {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

pub fn kill(pid: i32, sig: libc::c_int) -> io::Result<()> {
    Ok(nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        signal_arg(sig)?,
    )?)
}

/// waitpid; `pid` -1 means any child. Returns (pid, raw status), pid 0 when WNOHANG found
/// nothing.
pub fn waitpid(pid: i32, flags: libc::c_int) -> io::Result<(i32, libc::c_int)> {
    let options = rustix::process::WaitOptions::from_bits_retain(flags as u32);
    // rustix's waitpid(None) is wait4(0): only our process group, and a command that took
    // the terminal has its own. wait() is wait4(-1): any child.
    let waited = if pid == -1 {
        rustix::process::wait(options)?
    } else {
        rustix::process::waitpid(Some(pid_arg(pid)?), options)?
    };
    match waited {
        Some((pid, status)) => Ok((pid.as_raw_nonzero().get(), status.as_raw())),
        None => Ok((0, 0)),
    }
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
    let Ok(signal) = signal_arg(sig) else {
        return;
    };
    // SAFETY: SIG_DFL installs no handler, so no handler can run code unsafe in one.
    let _ = unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) };
    let mut set = nix::sys::signal::SigSet::empty();
    set.add(signal);
    let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
    let _ = nix::sys::signal::raise(signal);
}

/// A set of signals.
#[derive(Clone, Copy)]
pub struct SigSet(nix::sys::signal::SigSet);

impl SigSet {
    pub fn of(signals: &[libc::c_int]) -> SigSet {
        let mut set = nix::sys::signal::SigSet::empty();
        for signal in signals.iter().filter_map(|&s| Signal::try_from(s).ok()) {
            set.add(signal);
        }
        SigSet(set)
    }

    /// Blocks these signals; returns the previous mask.
    pub fn block(&self) -> SigSet {
        let mut old = nix::sys::signal::SigSet::empty();
        // Cannot fail with a valid `how`.
        let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_BLOCK, Some(&self.0), Some(&mut old));
        SigSet(old)
    }

    /// Makes this the signal mask.
    pub fn set_mask(&self) {
        let _ = nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&self.0), None);
    }

    /// Waits for one of these (blocked) signals; returns (signal, si_code).
    /// Raw libc: nix's SigSet::wait is sigwait, which does not tell who sent the signal.
    pub fn wait(&self) -> io::Result<(libc::c_int, libc::c_int)> {
        loop {
            // SAFETY: siginfo_t is plain data filled in by the kernel.
            let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
            // SAFETY: a valid set and out-pointer.
            let sig = unsafe { libc::sigwaitinfo(self.0.as_ref(), &mut info) };
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
/// Raw libc: neither rustix (without its runtime feature) nor nix has _exit.
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit has no preconditions; stderr is unbuffered, nothing is lost.
    unsafe { libc::_exit(code) }
}

/// A pipe whose both ends are close-on-exec.
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)?)
}

/// The (st_dev, st_ino) of what a path points to: identifies a namespace behind an ns link.
pub fn ns_identity(path: &Path) -> io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

/// Sets mount attributes (MOUNT_ATTR_*) on the mount at `path` and every mount below it.
/// Raw syscall: neither rustix nor nix has mount_setattr.
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
    let ret = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            path.as_ptr(),
            libc::AT_RECURSIVE as libc::c_uint,
            &attr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if ret == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The mount flags (ST_*) of the filesystem at `path`, from statvfs.
pub fn statvfs_flags(path: &Path) -> io::Result<libc::c_ulong> {
    Ok(rustix::fs::statvfs(path)?.f_flag.bits() as libc::c_ulong)
}

/// Whether `path` is a namespace file (on nsfs, as a bound namespace is).
pub fn is_nsfs(path: &Path) -> bool {
    rustix::fs::statfs(path).is_ok_and(|st| st.f_type == libc::NSFS_MAGIC)
}

/// execve(2); returns only on failure.
pub fn execve(program: &CStr, argv: &[CString], env: &[CString]) -> io::Error {
    match nix::unistd::execve(program, argv, env) {
        Err(errno) => errno.into(),
        Ok(never) => match never {},
    }
}

/// Whether we may execute `path` (access(2) with X_OK, for our real ids).
pub fn executable(path: &Path) -> bool {
    rustix::fs::access(path, rustix::fs::Access::EXEC_OK).is_ok()
}

/// A file descriptor the user handed over by number (bwrap's --file, --info-fd...), borrowed
/// for as long as `f` runs; EBADF if it is not open.
fn with_user_fd<T>(fd: i32, f: impl FnOnce(BorrowedFd<'_>) -> io::Result<T>) -> io::Result<T> {
    // F_GETFD tells whether the number names an open fd before it is borrowed.
    // SAFETY: fcntl(F_GETFD) only reads the fd's flags.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: the fd is open (checked above), and this single-threaded process closes nothing
    // while `f` runs; the borrow does not outlive `f`.
    f(unsafe { BorrowedFd::borrow_raw(fd) })
}

/// Reads an fd the user handed over to its end.
pub fn read_user_fd(fd: i32) -> io::Result<Vec<u8>> {
    with_user_fd(fd, |fd| {
        let mut out = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match rustix::io::read(fd, &mut buf) {
                Ok(0) => return Ok(out),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    })
}

/// Waits until an fd the user handed over has something to read (or its end), and reads one
/// byte of it (bwrap's --block-fd).
pub fn wait_user_fd(fd: i32) -> io::Result<()> {
    with_user_fd(fd, |fd| {
        let mut byte = [0u8; 1];
        loop {
            match rustix::io::read(fd, &mut byte) {
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    })
}

/// A close-on-exec copy of an fd the user handed over (from 3 up), kept after nsviz is done
/// with the user's number.
pub fn dup_user_fd(fd: i32) -> io::Result<OwnedFd> {
    with_user_fd(fd, |fd| Ok(rustix::io::fcntl_dupfd_cloexec(fd, 3)?))
}

/// A POSIX read lock on the whole file open as `fd` (fcntl F_SETLK, as bwrap's --lock-file),
/// held by this process until it closes the fd or exits.
pub fn read_lock(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: an all-zero struct flock is valid; the fields that matter are set below.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_RDLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETLK(&lock))?;
    Ok(())
}

/// The namespace type (CLONE_NEW*) of an fd the user handed over.
pub fn user_fd_nstype(fd: i32) -> io::Result<libc::c_int> {
    with_user_fd(fd, ns_get_nstype)
}

/// setns(2) into the namespace open as an fd the user handed over.
pub fn setns_user_fd(fd: i32, nstype: libc::c_int) -> io::Result<()> {
    with_user_fd(fd, |fd| setns(fd, nstype))
}

/// Whether an fd the user handed over is open.
pub fn user_fd_is_open(fd: i32) -> bool {
    with_user_fd(fd, |_| Ok(())).is_ok()
}

/// Writes all of `bytes` to an fd the user handed over.
pub fn write_user_fd(fd: i32, mut bytes: &[u8]) -> io::Result<()> {
    with_user_fd(fd, |fd| {
        while !bytes.is_empty() {
            match rustix::io::write(fd, bytes) {
                Ok(0) => return Err(io::Error::from_raw_os_error(libc::EIO)),
                Ok(n) => bytes = &bytes[n..],
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    })
}

/// Changes this process's environment: clears it (all but PWD) if `clear`, then removes and
/// sets variables. Only for the single-threaded process about to exec the command (the
/// environment is not safe to change while another thread may read it).
pub fn change_env(
    clear: bool,
    unset: &[std::ffi::OsString],
    set: &[(std::ffi::OsString, std::ffi::OsString)],
) {
    if clear {
        for (key, _) in std::env::vars_os() {
            if key != "PWD" {
                // SAFETY: the caller is single-threaded (see above).
                unsafe { std::env::remove_var(key) };
            }
        }
    }
    for key in unset {
        // SAFETY: as above; the names were checked (no '=', no NUL) when parsed.
        unsafe { std::env::remove_var(key) };
    }
    for (key, value) in set {
        // SAFETY: as above.
        unsafe { std::env::set_var(key, value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked_mask() -> String {
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        status
            .lines()
            .find(|l| l.starts_with("SigBlk:"))
            .unwrap()
            .to_string()
    }

    #[test]
    fn blocking_signals_shows_in_the_mask_and_restores() {
        let before = blocked_mask();
        let old = SigSet::of(&[libc::SIGUSR1, libc::SIGCHLD]).block();
        let during = blocked_mask();
        old.set_mask();
        assert_ne!(before, during, "{during}");
        assert_eq!(before, blocked_mask());
    }
}
