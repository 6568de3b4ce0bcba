//! What is inside each namespace (docs/snapshot.md, `details`), read from the cheapest source
//! that is correct:
//! - files of a member process: uid_map, gid_map and setgroups (user), mountinfo (mnt),
//!   timens_offsets (time); the pid section comes from the snapshot itself;
//! - inside the namespace, on a short-lived thread that joins it and nothing else
//!   ([`inside`]): the hostname (uts), System V and POSIX IPC objects (ipc), interfaces,
//!   addresses, routes and sockets through netlink (net), and the cgroup root (cgroup).
//!
//! What cannot be read is said in `Details::unreadable` and counted in `skipped.details`.
//! A rescan takes the details of a namespace it vouches for (still held by a process not read
//! again) from the previous snapshot.

mod cgroup;
mod inside;
mod ipc;
mod mnt;
pub(crate) mod net;
mod pid;
mod time;
mod user;
mod uts;

use std::collections::HashMap;
use std::os::fd::OwnedFd;

use rustix::fs::{Mode, OFlags};

use super::ioctl;
use crate::model::details::Mount;
use crate::model::holder::Holder;
use crate::model::{Details, Namespace, NsId, NsType, Pid, Snapshot};

/// What a details pass may use besides the snapshot.
pub struct Context<'a> {
    /// The proc root the snapshot was scanned from.
    pub root: &'a OwnedFd,
    /// True when the root is our own procfs: only then can namespaces be entered.
    pub live: bool,
    /// Namespaces whose details the previous snapshot has and that are still the same
    /// (held by a process not read again): their details are copied from there.
    pub previous: Option<&'a Snapshot>,
    pub vouched: &'a dyn Fn(NsType, NsId) -> bool,
    /// uid -> user name.
    pub users: &'a HashMap<u32, String>,
}

/// Fills `details` of every namespace in `snapshot`, and counts what could not be read.
pub fn read(snapshot: &mut Snapshot, cx: &Context) {
    let mut found: Vec<Details> = vec![Details::default(); snapshot.namespaces.len()];
    let mut to_enter: Vec<inside::Target> = Vec::new();
    let host_mounts = host_mounts(snapshot, cx);
    for (i, ns) in snapshot.namespaces.iter().enumerate() {
        if let Some(before) = cx
            .previous
            .filter(|_| (cx.vouched)(ns.ns_type, ns.id))
            .and_then(|p| p.namespace(ns.ns_type, ns.id))
            .and_then(|n| n.details.clone())
        {
            found[i] = before;
            continue;
        }
        let d = &mut found[i];
        match ns.ns_type {
            NsType::User => read_user(snapshot, ns, cx, d),
            NsType::Mnt => read_mnt(snapshot, ns, cx, host_mounts.as_deref(), d),
            NsType::Pid => d.pid = Some(pid::details(snapshot, ns)),
            NsType::Time => read_time(snapshot, ns, cx, d),
            NsType::Uts | NsType::Ipc | NsType::Net | NsType::Cgroup => match open_ns(ns, cx) {
                Ok(fd) => to_enter.push(inside::Target {
                    index: i,
                    ns_type: ns.ns_type,
                    id: ns.id,
                    fd,
                    member: ns.processes.first().copied(),
                }),
                Err(why) => d.unreadable.push(why),
            },
        }
    }
    let kept_nets: Vec<(NsId, &crate::model::details::NetDetails)> = snapshot
        .namespaces
        .iter()
        .zip(&found)
        .filter_map(|(ns, d)| Some((ns.id, d.net.as_ref()?)))
        .collect();
    let results = inside::read_all(to_enter, snapshot, &kept_nets);
    for (index, result) in results {
        let d = &mut found[index];
        match result {
            Ok(section) => section.store(d),
            Err(why) => d.unreadable.push(why),
        }
    }
    let mut unreadable = 0u64;
    for (ns, d) in snapshot.namespaces.iter_mut().zip(found) {
        if !d.unreadable.is_empty() {
            unreadable += 1;
        }
        ns.details = Some(d);
    }
    snapshot.skipped.details = snapshot.skipped.details.saturating_add(unreadable);
}

/// One section read from inside a namespace.
pub enum Section {
    Uts(crate::model::details::UtsDetails),
    Ipc(crate::model::details::IpcDetails),
    Net(crate::model::details::NetDetails),
    Cgroup(crate::model::details::CgroupDetails),
}

impl Section {
    fn store(self, d: &mut Details) {
        match self {
            Section::Uts(s) => d.uts = Some(s),
            Section::Ipc(s) => d.ipc = Some(s),
            Section::Net(s) => d.net = Some(s),
            Section::Cgroup(s) => d.cgroup = Some(s),
        }
    }
}

/// Opens /proc/PID (relative to the proc root) of a namespace's first member that opens.
fn member_dir(ns: &Namespace, cx: &Context) -> Option<(Pid, OwnedFd)> {
    first_dir(ns.processes.iter().copied(), cx)
}

/// Opens /proc/PID of the first of (at most three of) `pids` that opens.
fn first_dir(pids: impl Iterator<Item = Pid>, cx: &Context) -> Option<(Pid, OwnedFd)> {
    pids.take(3).find_map(|pid| {
        let dir = rustix::fs::openat(
            cx.root,
            pid.to_string().as_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok()?;
        Some((pid, dir))
    })
}

/// Opens the namespace itself through its first holder that opens and is still it.
fn open_ns(ns: &Namespace, cx: &Context) -> Result<OwnedFd, String> {
    if !cx.live {
        return Err("not read: the snapshot is not of this host's live /proc".to_string());
    }
    let mut last = None;
    for holder in ns.holders().take(4) {
        let Some(path) = holder.path("/proc", ns.ns_type) else {
            continue;
        };
        // /proc/PID/ns/* and /proc/PID/fd/* are the kernel's magic links, which no user can
        // plant and O_NOFOLLOW would refuse; a bind mount is a file, never a symlink.
        let flags = match holder {
            Holder::Mount(_) => OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
            _ => OFlags::RDONLY | OFlags::CLOEXEC,
        };
        match rustix::fs::open(path.as_str(), flags, Mode::empty()) {
            Ok(fd) if ioctl::inode(&fd) == Some(ns.id) => return Ok(fd),
            Ok(_) => last = Some(rustix::io::Errno::NOENT),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => format!(
            "not read: cannot open it ({})",
            crate::error::describe_io(&e.into())
        ),
        None => "not read: nothing holds it that could be opened".to_string(),
    })
}

fn read_user(snapshot: &Snapshot, ns: &Namespace, cx: &Context, d: &mut Details) {
    let mut details = match member_dir(ns, cx) {
        Some((_, dir)) => user::read(&dir).unwrap_or_else(|why| {
            d.unreadable.push(format!("id maps: {why}"));
            user::unknown(why)
        }),
        None => user::unknown(
            "no process is in it, and the kernel shows a user namespace's maps only through \
             a process in it"
                .to_string(),
        ),
    };
    let _ = snapshot;
    details.owner_user = ns.owner_uid.and_then(|uid| cx.users.get(&uid).cloned());
    d.user = Some(details);
}

fn read_mnt(
    snapshot: &Snapshot,
    ns: &Namespace,
    cx: &Context,
    host: Option<&[Mount]>,
    d: &mut Details,
) {
    let Some((pid, dir)) = member_dir(ns, cx) else {
        d.unreadable
            .push("mounts: no process is in it to read its mount table through".to_string());
        return;
    };
    match mnt::read_mounts(&dir) {
        Ok(mounts) => {
            let root = mnt::root(cx.root, pid);
            let is_host = snapshot.initial.get(&NsType::Mnt) == Some(&ns.id);
            let host = match host {
                Some(host) => host,
                None if is_host => &mounts,
                None => {
                    d.unreadable.push(
                        "mounts: the host's mount table could not be read to compare with"
                            .to_string(),
                    );
                    &mounts
                }
            };
            d.mnt = Some(mnt::details(host, &mounts, root));
        }
        Err(why) => d.unreadable.push(format!("mounts: {why}")),
    }
}

fn read_time(snapshot: &Snapshot, ns: &Namespace, cx: &Context, d: &mut Details) {
    // timens_offsets shows the offsets of the reader's time_for_children namespace: read it
    // through a member whose time_for_children is its own, or a process whose
    // time_for_children is this namespace (after unshare(CLONE_NEWTIME), before exec).
    let time_for_children_here = |&pid: &Pid| {
        snapshot
            .process(pid)
            .is_some_and(|p| match p.time_for_children {
                None => p.ns.get(&NsType::Time) == Some(&ns.id),
                Some(id) => id == ns.id,
            })
    };
    let readers = ns
        .processes
        .iter()
        .chain(&ns.for_children)
        .filter(|pid| time_for_children_here(pid))
        .copied();
    match first_dir(readers, cx) {
        Some((_, dir)) => match time::read(&dir) {
            Ok(t) => d.time = Some(t),
            Err(why) => d.unreadable.push(format!("offsets: {why}")),
        },
        None => d.unreadable.push(
            "offsets: no process to read them through (the kernel shows them only through \
             a process whose time namespace for children it is)"
                .to_string(),
        ),
    }
}

/// Reads the file `name` of `dir` (/proc/PID), refusing more than `cap` bytes (a file of
/// /proc is small; a bound keeps a crafted or runaway table from taking the scanner's memory).
/// The error is one short clause ("permission denied", "the process exited").
fn read_file(dir: &OwnedFd, name: &str, cap: usize) -> Result<Vec<u8>, String> {
    let clause = |e: rustix::io::Errno| match e {
        rustix::io::Errno::NOENT | rustix::io::Errno::SRCH => "the process exited".to_string(),
        rustix::io::Errno::ACCESS | rustix::io::Errno::PERM => "permission denied".to_string(),
        e => crate::error::describe_io(&e.into()),
    };
    let fd = rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )
    .map_err(clause)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = rustix::io::read(&fd, &mut chunk).map_err(clause)?;
        if n == 0 {
            return Ok(buf);
        }
        if buf.len() + n > cap {
            return Err(format!("{name} is larger than {} KiB", cap / 1024));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The mount table of the host's initial mount namespace, for the diffs.
fn host_mounts(snapshot: &Snapshot, cx: &Context) -> Option<Vec<Mount>> {
    let id = *snapshot.initial.get(&NsType::Mnt)?;
    let ns = snapshot.namespace(NsType::Mnt, id)?;
    let (_, dir) = member_dir(ns, cx)?;
    mnt::read_mounts(&dir).ok()
}
