//! Open file descriptors that keep namespaces alive: nsfs fds (`readlink` shows `net:[...]`)
//! and sockets, whose network namespace lives as long as the socket does.

use std::fmt::Write;
use std::os::fd::AsFd;

use rustix::fs::{Dir, Mode, OFlags};
use rustix::process::PidfdGetfdFlags;

use super::{Held, Hold, Scan, ioctl, links};
use crate::model::{NsId, NsType, Pid};

impl Scan {
    /// Reads the fd table of `pid` (its /proc directory is `dir`). `own_net` is the process's
    /// own network namespace: only sockets of another namespace are recorded, since those are
    /// the ones that keep a namespace alive that nothing else may show.
    pub(super) fn scan_fds(&mut self, dir: impl AsFd, pid: Pid, own_net: Option<NsId>) {
        // Links are read relative to the open `fd` directory: one path component each.
        let listed = open_dir(dir.as_fd(), "fd").and_then(|mut fd_dir| {
            let entries = read_numbers(&mut fd_dir)?;
            Ok((fd_dir, entries))
        });
        let (fd_dir, entries) = match listed {
            Ok(listed) => listed,
            Err(_) => {
                self.skipped.fds += 1;
                return;
            }
        };
        let mut sockets = Vec::new();
        let mut buf = [0u8; 64];
        let mut name = String::new();
        for fd in entries {
            name.clear();
            write!(name, "{fd}").ok();
            // The fd may be closed meanwhile: that is a race, not something to count.
            let Ok(len) = fd_dir
                .fd()
                .and_then(|d| rustix::fs::readlinkat_raw(d, name.as_str(), &mut buf[..]))
            else {
                continue;
            };
            let target = &buf[..len];
            if target.starts_with(b"socket:[") {
                sockets.push(fd);
            } else if let Some((ns_type, id)) = links::parse_target(target) {
                let how = Hold::Fd(fd);
                self.hold(pid, Held { ns_type, id, how }, None);
            }
        }
        if self.live && !sockets.is_empty() {
            self.scan_sockets(pid, &sockets, own_net);
        }
    }

    /// One pidfd for the process; each socket is borrowed with pidfd_getfd and asked for its
    /// network namespace (SIOCGSKNS).
    fn scan_sockets(&mut self, pid: Pid, sockets: &[i32], own_net: Option<NsId>) {
        let Ok(pidfd) = crate::sys::pidfd_open(pid) else {
            return;
        };
        for &fd in sockets {
            let Ok(socket) = rustix::process::pidfd_getfd(&pidfd, fd, PidfdGetfdFlags::empty())
            else {
                continue;
            };
            let Some(netns) = ioctl::socket_netns(&socket) else {
                continue;
            };
            let Some(id) = ioctl::inode(&netns) else {
                continue;
            };
            if Some(id) != own_net {
                let (ns_type, how) = (NsType::Net, Hold::Socket(fd));
                self.hold(pid, Held { ns_type, id, how }, Some(netns));
            }
        }
    }
}

/// The numeric entries of a directory below `dir` (fd numbers, thread ids, pids).
pub(super) fn list_dir(
    dir: std::os::fd::BorrowedFd<'_>,
    name: &str,
) -> rustix::io::Result<Vec<i32>> {
    read_numbers(&mut open_dir(dir, name)?)
}

fn open_dir(dir: std::os::fd::BorrowedFd<'_>, name: &str) -> rustix::io::Result<Dir> {
    let fd = rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Dir::new(fd)
}

/// The numeric entries of an open directory (which stays open for reads relative to it).
fn read_numbers(dir: &mut Dir) -> rustix::io::Result<Vec<i32>> {
    read_numbered(dir, |n, _| n)
}

/// The numeric entries of the proc root with their inode numbers. A process's directory
/// keeps its inode number while the process lives and a new process gets a new one, so the
/// pair tells a known process from a new one that reuses its pid.
pub(super) fn list_pids(root: std::os::fd::BorrowedFd<'_>) -> rustix::io::Result<Vec<(i32, u64)>> {
    read_numbered(&mut open_dir(root, ".")?, |n, ino| (n, ino))
}

/// `entry(number, inode)` for each numeric entry of an open directory.
fn read_numbered<T>(dir: &mut Dir, entry: impl Fn(i32, u64) -> T) -> rustix::io::Result<Vec<T>> {
    let mut entries = Vec::new();
    while let Some(e) = dir.read() {
        let e = e?;
        if let Some(n) = e.file_name().to_str().ok().and_then(|s| s.parse().ok()) {
            entries.push(entry(n, e.ino()));
        }
    }
    Ok(entries)
}
