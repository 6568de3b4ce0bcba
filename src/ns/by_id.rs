//! Namespaces named by id (`enter --net=:ID`, `enter --ns ID`): a scan finds where each is held
//! (a process, a thread, a `*_for_children` link, an open fd, a socket, a bind mount) and the
//! first holder that opens gives an nsfs fd. So a namespace no process is in can be entered.
//!
//! The id is the nsfs inode number or the kernel's 64-bit namespace id, as `nsviz list` shows
//! them. Every fd opened is checked to be that namespace, since holders change under us.

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Namespace, NsType, Snapshot};

use crate::scan::{ScanOptions, scan};

use super::{setup_error, sys};

/// One namespace found by id, open.
pub struct Found {
    pub ns_type: NsType,
    pub fd: OwnedFd,
}

/// Scans once and opens every asked id; `want` pairs an id with the type it must have
/// (None: any).
pub fn open_all(want: &[(u64, Option<NsType>)]) -> Result<Vec<Found>> {
    if want.is_empty() {
        return Ok(Vec::new());
    }
    let snapshot = scan(&ScanOptions::new(Path::new("/proc")))
        .map_err(|e| Error::setup(format!("cannot scan for namespaces: {}", e.message())))?;
    want.iter()
        .map(|&(id, t)| open_one(&snapshot, id, t))
        .collect()
}

fn open_one(snapshot: &Snapshot, id: u64, want_type: Option<NsType>) -> Result<Found> {
    let ns = find(snapshot, id, want_type)?;
    let what = || {
        format!(
            "no {} namespace with id {id} is held by anything nsviz can see",
            ns.ns_type
        )
    };
    let mut last_err = None;
    for attempt in holders(ns) {
        match attempt().and_then(|fd| check(fd, ns)) {
            Ok(fd) => {
                return Ok(Found {
                    ns_type: ns.ns_type,
                    fd,
                });
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(match last_err {
        Some(e) => setup_error(format!("cannot open the {} namespace {id}", ns.ns_type), e),
        None => Error::setup(what()),
    })
}

/// The one namespace `id` names, as an inode number or an NSID. Small NSIDs and inode numbers
/// live in different ranges but nothing forbids one namespace's NSID from equalling another's
/// inode: then both are named, with the other id of each, which is unambiguous.
fn find(snapshot: &Snapshot, id: u64, want_type: Option<NsType>) -> Result<&Namespace> {
    let found: Vec<&Namespace> = snapshot
        .namespaces
        .iter()
        .filter(|ns| {
            (ns.id == id || ns.nsid == Some(id)) && want_type.is_none_or(|t| ns.ns_type == t)
        })
        .collect();
    match found.as_slice() {
        [] => Err(Error::setup(match want_type {
            Some(t) => format!("no {t} namespace with id {id} is held by anything nsviz can see"),
            None => format!("no namespace with id {id} is held by anything nsviz can see"),
        })),
        [one] => Ok(*one),
        several => {
            let named: Vec<String> = several
                .iter()
                .map(|ns| {
                    let other = if ns.id == id {
                        ns.nsid.map(|n| format!("NSID {n}"))
                    } else {
                        Some(format!("inode {}", ns.id))
                    };
                    let how = if ns.id == id { "inode" } else { "NSID" };
                    match other {
                        Some(other) => {
                            format!("the {} namespace with {how} {id} ({other})", ns.ns_type)
                        }
                        None => format!("the {} namespace with {how} {id}", ns.ns_type),
                    }
                })
                .collect();
            Err(Error::usage(format!(
                "id {id} is ambiguous, it names {}: give the other id of the one you mean",
                named.join(" and ")
            )))
        }
    }
}

type Opener = Box<dyn Fn() -> std::io::Result<OwnedFd>>;

/// Ways to open the namespace, most direct first.
fn holders(ns: &Namespace) -> Vec<Opener> {
    let name = ns.ns_type.name();
    let mut ways: Vec<Opener> = Vec::new();
    let link = |path: String| -> Opener { Box::new(move || open_link(&path)) };
    for pid in &ns.processes {
        ways.push(link(format!("/proc/{pid}/ns/{name}")));
    }
    for tid in &ns.tasks {
        ways.push(link(format!("/proc/{tid}/ns/{name}")));
    }
    for pid in &ns.for_children {
        ways.push(link(format!("/proc/{pid}/ns/{name}_for_children")));
    }
    for held in &ns.fds {
        ways.push(link(format!("/proc/{}/fd/{}", held.pid, held.fd)));
    }
    for held in &ns.sockets {
        let (pid, fd) = (held.pid, held.fd);
        ways.push(Box::new(move || {
            let pidfd = sys::pidfd_open(pid)?;
            let socket = sys::pidfd_getfd(pidfd.as_fd(), fd)?;
            sys::socket_netns(socket.as_fd())
        }));
    }
    for mount in &ns.mounts {
        let (t, path) = (ns.ns_type, mount.clone());
        ways.push(Box::new(move || {
            super::enter::open_ns_file(t, Path::new(&path))
                .map_err(|_| std::io::Error::from_raw_os_error(libc::ENOENT))
        }));
    }
    ways
}

fn open_link(path: &str) -> std::io::Result<OwnedFd> {
    Ok(fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(path)?
        .into())
}

/// The holder may have moved on since the scan: the fd must be this very namespace.
fn check(fd: OwnedFd, ns: &Namespace) -> std::io::Result<OwnedFd> {
    let same_type = sys::ns_get_nstype(fd.as_fd())? == ns.ns_type.clone_flag();
    let ino = rustix::fs::fstat(&fd)?.st_ino;
    if same_type && ino == ns.id {
        Ok(fd)
    } else {
        Err(std::io::Error::from_raw_os_error(libc::ESTALE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No live system can be made to give one namespace's NSID to another's inode number, so
    /// this case is a snapshot built by hand.
    #[test]
    fn an_id_naming_two_namespaces_names_both() {
        let mut snapshot = Snapshot::default();
        let mut uts = Namespace::new(4026531838, NsType::Uts);
        uts.nsid = Some(7);
        let mut net = Namespace::new(7, NsType::Net);
        net.nsid = Some(4099);
        snapshot.namespaces = vec![uts, net];
        let err = find(&snapshot, 7, None).unwrap_err();
        assert_eq!(err.code(), crate::error::exit::USAGE);
        assert_eq!(
            err.message(),
            "id 7 is ambiguous, it names the uts namespace with NSID 7 (inode 4026531838) and \
             the net namespace with inode 7 (NSID 4099): give the other id of the one you mean"
        );
        // A type settles it; so does the other id.
        assert_eq!(find(&snapshot, 7, Some(NsType::Net)).unwrap().id, 7);
        assert_eq!(find(&snapshot, 4099, None).unwrap().ns_type, NsType::Net);
        assert!(find(&snapshot, 8, None).is_err());
    }
}
