//! The only code that reads /proc: namespace links of processes and threads, nsfs file
//! descriptors and sockets, nsfs bind mounts in every mount namespace, and the nsfs ioctls
//! that tell parents, owners and ids.
//!
//! One pass over the processes collects every namespace with a "holder" (a path or an open fd
//! through which it can be opened); a second pass opens each namespace once for the ioctls and
//! follows parents and owners up to the root, which brings in namespaces no process is in.
//!
//! The viewer rescans through a [`Rescanner`], which remembers what each process held and
//! reads again only new processes and a rotating share of the known ones.

pub mod attribution;
pub mod details;
mod fds;
mod ioctl;
pub mod links;
pub mod mounts;
pub mod process;
mod rescan;
mod tasks;
pub mod users;

pub use rescan::{Rescanned, Rescanner};

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rustix::fs::{Mode, OFlags};

use crate::error::{Error, Result};
use crate::model::{
    FdRef, HostInfo, Namespace, NsId, NsType, Pid, Process, SNAPSHOT_VERSION, Skipped, Snapshot,
};

/// Hashes pids and (type, inode) keys with one multiply per word. SipHash's defence against
/// chosen keys buys nothing here (the kernel picks the keys), and a rescan of a large host
/// looks up a hundred thousand of them.
#[derive(Default, Clone, Copy)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n as u32));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;
type FastSet<K> = HashSet<K, BuildHasherDefault<WordHasher>>;

/// What to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Root of the proc filesystem (a fixture tree in tests).
    pub proc_root: PathBuf,
    /// Also read what is inside each namespace, whose each process is, and label both.
    pub details: bool,
    /// Where the engines keep their local files (container names): `/` on a host.
    pub engine_root: PathBuf,
}

impl ScanOptions {
    pub fn new(proc_root: &Path) -> Self {
        ScanOptions {
            proc_root: proc_root.to_path_buf(),
            details: false,
            engine_root: PathBuf::from("/"),
        }
    }

    /// The same, reading details too.
    pub fn with_details(mut self) -> Self {
        self.details = true;
        self
    }
}

/// Where a namespace can be opened for the ioctls: the first holder the scan met.
enum Holder {
    Path(String),
    Fd(OwnedFd),
}

struct Found {
    ns: Namespace,
    holder: Option<Holder>,
}

/// How a process holds a namespace. One read of a process yields a list of these, which a
/// rescan replays for a process it does not read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    /// `/proc/PID/ns/TYPE`.
    Member,
    /// `pid_for_children` or `time_for_children`, where it differs from the process's own.
    ForChildren,
    /// A thread (this tid) in another namespace than its process.
    Task(Pid),
    /// An open nsfs file descriptor.
    Fd(i32),
    /// A socket created in another network namespace.
    Socket(i32),
}

impl Hold {
    /// The path that opens the namespace (for a socket, the socket itself: it does not open,
    /// and the ioctls then come from a rescan's memory or are left out).
    fn path(self, root: &str, pid: Pid, ns_type: NsType) -> String {
        match self {
            Hold::Member => format!("{root}/{pid}/ns/{ns_type}"),
            Hold::ForChildren => format!("{root}/{pid}/ns/{ns_type}_for_children"),
            Hold::Task(tid) => format!("{root}/{pid}/task/{tid}/ns/{ns_type}"),
            Hold::Fd(fd) | Hold::Socket(fd) => format!("{root}/{pid}/fd/{fd}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    ns_type: NsType,
    id: NsId,
    how: Hold,
}

/// What one read of a process found, kept for the next rescan.
#[derive(Clone, Debug)]
struct Remembered {
    /// Index of the process in its snapshot's `processes`.
    index: usize,
    /// Inode number of its /proc directory (a pid reused by a new process has another one).
    ino: u64,
    held: Arc<[Held]>,
    skipped: Skipped,
}

/// What the previous scan found, for a rescan to reuse.
struct Reuse<'a> {
    previous: &'a Snapshot,
    remembered: &'a FastMap<Pid, Remembered>,
    /// Read this known process again.
    recheck: &'a dyn Fn(Pid) -> bool,
    /// Take parents, owners and ids of namespaces still held by a process not read again from
    /// the previous snapshot instead of asking the kernel (false: ask for every namespace).
    known_ioctls: bool,
}

/// State of one scan.
struct Scan {
    /// The proc root as text, for the paths recorded in the snapshot.
    root: String,
    /// True when the root is the procfs of our own pid namespace: only then do pids mean the
    /// same to pidfd_open as to the tree, so only then are sockets looked at.
    live: bool,
    scanner_pid: Pid,
    found: FastMap<(NsType, NsId), Found>,
    processes: Vec<Process>,
    skipped: Skipped,
    /// Record what each process held (for a [`Rescanner`]).
    remember: bool,
    /// The holds of the process being read.
    current: Vec<Held>,
    remembered: FastMap<Pid, Remembered>,
    /// Namespaces held by a process that was not read again: they are the ones the previous
    /// scan saw (an nsfs inode is not reused while something holds it).
    vouched: FastSet<(NsType, NsId)>,
    /// Processes read afresh.
    read: usize,
    /// Read each process's cgroup (for attribution).
    details: bool,
}

impl Scan {
    fn new(root_fd: &OwnedFd, root: String, remember: bool, processes: usize) -> Scan {
        let scanner_pid = rustix::fs::readlinkat(root_fd, "self", Vec::new())
            .ok()
            .and_then(|t| t.to_str().ok()?.parse().ok())
            .unwrap_or(0);
        let is_procfs =
            rustix::fs::fstatfs(root_fd).is_ok_and(|fs| fs.f_type == rustix::fs::PROC_SUPER_MAGIC);
        Scan {
            root,
            live: is_procfs && scanner_pid == rustix::process::getpid().as_raw_nonzero().get(),
            scanner_pid,
            found: FastMap::default(),
            processes: Vec::with_capacity(processes),
            skipped: Skipped::default(),
            remember,
            current: Vec::new(),
            remembered: FastMap::default(),
            vouched: FastSet::default(),
            read: 0,
            details: false,
        }
    }

    /// The namespace record, created on first sight with `holder` as its way in.
    fn found(
        &mut self,
        ns_type: NsType,
        id: NsId,
        holder: impl FnOnce(&str) -> Holder,
    ) -> &mut Namespace {
        let entry = self.found.entry((ns_type, id)).or_insert_with(|| Found {
            ns: Namespace::new(id, ns_type),
            holder: None,
        });
        if entry.holder.is_none() {
            entry.holder = Some(holder(&self.root));
        }
        &mut entry.ns
    }

    /// Records that `pid` holds a namespace; `fd` is a way in when the hold gives no path.
    fn hold(&mut self, pid: Pid, held: Held, fd: Option<OwnedFd>) {
        let Held { ns_type, id, how } = held;
        let ns = self.found(ns_type, id, |root| match fd {
            Some(fd) => Holder::Fd(fd),
            None => Holder::Path(how.path(root, pid, ns_type)),
        });
        match how {
            Hold::Member => ns.processes.push(pid),
            Hold::ForChildren => ns.for_children.push(pid),
            Hold::Task(tid) => ns.tasks.push(tid),
            Hold::Fd(fd) => ns.fds.push(FdRef { pid, fd }),
            Hold::Socket(fd) => ns.sockets.push(FdRef { pid, fd }),
        }
        if self.remember {
            self.current.push(held);
        }
    }
}

/// Scan the host. Fails only when the proc root itself cannot be read; everything else that
/// cannot be read is counted in `Snapshot::skipped`.
pub fn scan(options: &ScanOptions) -> Result<Snapshot> {
    run(options, false, None).map(|outcome| outcome.snapshot)
}

struct Outcome {
    snapshot: Snapshot,
    remembered: FastMap<Pid, Remembered>,
    /// Processes read afresh (not replayed).
    read: usize,
}

/// One scan; with `remember`, also what each process held; with `reuse`, known processes
/// that need no fresh read are taken from the previous scan.
fn run(options: &ScanOptions, remember: bool, reuse: Option<Reuse>) -> Result<Outcome> {
    let start = Instant::now();
    let root_path = &options.proc_root;
    let root_text = root_path
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    let root_fd =
        open_root(root_path).and_then(|fd| fds::list_pids(fd.as_fd()).map(|pids| (fd, pids)));
    let (root_fd, mut pids) = match root_fd {
        Ok(found) => found,
        Err(e) => {
            let err = Error::os(format!("cannot read {}", root_path.display()), e);
            // The default is /proc; any other root was named by the user.
            return Err(if root_path == Path::new("/proc") {
                err
            } else {
                Error::usage(err.message())
            });
        }
    };
    pids.sort_unstable();

    let mut scan = Scan::new(&root_fd, root_text.clone(), remember, pids.len());
    scan.details = options.details;
    let scanner_pid = scan.scanner_pid;
    let users = users::read_passwd("/etc/passwd");
    let mut buf = Vec::with_capacity(4096);
    for (pid, ino) in pids {
        let known = reuse
            .as_ref()
            .filter(|r| !(r.recheck)(pid))
            .and_then(|r| Some((r.previous, r.remembered.get(&pid)?)))
            .filter(|(_, remembered)| remembered.ino == ino);
        match known {
            Some((previous, remembered)) => scan.replay(pid, previous, remembered),
            None => scan.scan_process(&root_fd, pid, ino, &users, &mut buf),
        }
    }
    scan.scan_mounts(&mut buf);
    let known = reuse.filter(|r| r.known_ioctls).map(|r| r.previous);
    scan.follow_ioctls(known);
    let vouched = std::mem::take(&mut scan.vouched);
    let live = scan.live;

    let mut namespaces: Vec<Namespace> = scan.found.into_values().map(|f| f.ns).collect();
    namespaces.sort_by_key(|n| (n.ns_type, n.id));
    for ns in &mut namespaces {
        ns.tasks.sort_unstable();
        ns.fds.sort();
        ns.sockets.sort();
    }
    let mut snapshot = Snapshot {
        version: SNAPSHOT_VERSION,
        host: host_info(root_text, scanner_pid),
        initial: BTreeMap::new(),
        namespaces,
        processes: scan.processes,
        skipped: scan.skipped,
        scan_micros: 0,
    };
    snapshot.initial = initial_namespaces(&snapshot);
    if options.details {
        let mut names = attribution::Names::new(&options.engine_root);
        for p in &mut snapshot.processes {
            if let Some(a) = p.attribution.as_mut() {
                names.complete(a);
            }
        }
        let cx = details::Context {
            root: &root_fd,
            live,
            previous: known,
            vouched: &|t, id| vouched.contains(&(t, id)),
            users: &users,
        };
        details::read(&mut snapshot, &cx);
        crate::model::label::assign(&mut snapshot);
    }
    snapshot.scan_micros = start.elapsed().as_micros() as u64;
    Ok(Outcome {
        snapshot,
        remembered: scan.remembered,
        read: scan.read,
    })
}

impl Scan {
    fn scan_process(
        &mut self,
        root: &OwnedFd,
        pid: Pid,
        ino: u64,
        users: &HashMap<u32, String>,
        buf: &mut Vec<u8>,
    ) {
        self.current.clear();
        self.read += 1;
        let skipped_before = self.skipped.clone();
        let dir = match rustix::fs::openat(
            root,
            pid.to_string().as_str(),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(dir) => dir,
            Err(_) => {
                self.skipped.processes += 1;
                return;
            }
        };
        let status = process::read_at(&dir, "status", buf)
            .ok()
            .and_then(|()| process::parse_status(buf));
        let Some(status) = status else {
            self.skipped.processes += 1;
            return;
        };
        let links = links::read(&dir);
        // A zombie's links are gone with its namespaces: nothing was missed.
        if !status.is_zombie() {
            self.skipped.links += u64::from(links.failed);
        }
        let kernel_thread = status.kthread || pid == 2 || status.ppid == 2;
        let cmdline = if kernel_thread || status.is_zombie() {
            Vec::new()
        } else {
            process::read_at(&dir, "cmdline", buf)
                .map(|()| process::parse_cmdline(buf))
                .unwrap_or_default()
        };

        for &(ns_type, id) in &links.ns {
            let how = Hold::Member;
            self.hold(pid, Held { ns_type, id, how }, None);
        }
        let for_children = [
            (NsType::Pid, links.pid_for_children),
            (NsType::Time, links.time_for_children),
        ];
        for (ns_type, id) in for_children {
            if let Some(id) = id {
                let how = Hold::ForChildren;
                self.hold(pid, Held { ns_type, id, how }, None);
            }
        }
        // Our own fds are the scan's, not the host's.
        let ours = self.live && pid == self.scanner_pid;
        if !kernel_thread && !status.is_zombie() && !ours {
            self.scan_fds(&dir, pid, links.get(NsType::Net));
        }
        let threads_apart = if status.threads > 1 {
            self.scan_tasks(&dir, pid, &links)
        } else {
            Vec::new()
        };
        let cgroup = if self.details && !kernel_thread && !status.is_zombie() {
            process::read_at(&dir, "cgroup", buf)
                .ok()
                .and_then(|()| attribution::parse_cgroup(buf))
        } else {
            None
        };
        let attribution = cgroup.as_deref().and_then(attribution::attribute);
        self.processes.push(Process {
            pid,
            ppid: status.ppid,
            uid: status.uid,
            user: users.get(&status.uid).cloned(),
            comm: status.name,
            cmdline,
            ns: links.ns.iter().copied().collect(),
            pid_for_children: links.pid_for_children,
            time_for_children: links.time_for_children,
            nspid: status.nspid,
            cgroup,
            attribution,
            label: String::new(),
            threads_apart,
        });
        if self.remember {
            let remembered = Remembered {
                index: self.processes.len() - 1,
                ino,
                held: Arc::from(self.current.as_slice()),
                skipped: self.skipped.since(&skipped_before),
            };
            self.remembered.insert(pid, remembered);
        }
    }

    /// A known process not read again: what the previous scan found for it.
    fn replay(&mut self, pid: Pid, previous: &Snapshot, remembered: &Remembered) {
        self.processes
            .push(previous.processes[remembered.index].clone());
        for &held in remembered.held.iter() {
            self.hold(pid, held, None);
            self.vouched.insert((held.ns_type, held.id));
        }
        self.skipped.add(&remembered.skipped);
        if self.remember {
            let mut again = remembered.clone();
            again.index = self.processes.len() - 1;
            self.remembered.insert(pid, again);
        }
    }

    /// nsfs bind mounts of every mount namespace a process is in.
    fn scan_mounts(&mut self, buf: &mut Vec<u8>) {
        let own_mnt = self
            .processes
            .binary_search_by_key(&self.scanner_pid, |p| p.pid)
            .ok()
            .and_then(|i| self.processes[i].ns.get(&NsType::Mnt).copied());
        let mnt_namespaces: Vec<(NsId, Vec<Pid>)> = self
            .found
            .values()
            .filter(|f| f.ns.ns_type == NsType::Mnt && !f.ns.processes.is_empty())
            .map(|f| (f.ns.id, f.ns.processes.clone()))
            .collect();
        let (mounts, unreadable) =
            nsfs_mounts(&self.root, self.scanner_pid, own_mnt, mnt_namespaces, buf);
        self.skipped.mountinfo += u64::from(unreadable);
        for (ns_type, id, path) in mounts {
            let holder = path.clone();
            self.found(ns_type, id, |_| Holder::Path(holder))
                .mounts
                .push(path);
        }
    }

    /// Opens each namespace once through its holder for the ioctls, and follows parents and
    /// owners to the root: namespaces found that way (no process left in them) join the scan.
    /// On a fixture tree nothing opens, and the ioctl fields stay empty. With `known` (the
    /// previous snapshot), a namespace still held by a process not read again takes them from
    /// there, and so do its parents and owners, which live at least as long.
    fn follow_ioctls(&mut self, known: Option<&Snapshot>) {
        let mut queue: Vec<(NsType, NsId)> = self.found.keys().copied().collect();
        let mut nsid_query = None;
        while let Some(key) = queue.pop() {
            if let Some(before) = known
                .filter(|_| self.vouched.contains(&key))
                .and_then(|k| k.namespace(key.0, key.1))
            {
                self.copy_ioctls(key, before, &mut queue);
                continue;
            }
            let Some(holder) = self.found.get_mut(&key).and_then(|f| f.holder.take()) else {
                continue;
            };
            let fd = match holder {
                Holder::Fd(fd) => fd,
                Holder::Path(path) => match rustix::fs::open(
                    path.as_str(),
                    OFlags::RDONLY | OFlags::CLOEXEC,
                    Mode::empty(),
                ) {
                    Ok(fd) => fd,
                    Err(_) => continue,
                },
            };
            // The holder may have changed under us (a process exited, its pid reused).
            if ioctl::inode(&fd) != Some(key.1) {
                continue;
            }
            let (ns_type, _) = key;
            let owner = ioctl::owner(&fd).and_then(|o| self.related(NsType::User, o, &mut queue));
            let parent = if ns_type.is_hierarchical() {
                ioctl::parent(&fd).and_then(|p| self.related(ns_type, p, &mut queue))
            } else {
                None
            };
            let owner_uid = (ns_type == NsType::User)
                .then(|| ioctl::owner_uid(&fd))
                .flatten();
            let netnsid = if ns_type == NsType::Net {
                nsid_query
                    .get_or_insert_with(ioctl::NsidQuery::new)
                    .as_mut()
                    .and_then(|q| q.get(&fd))
            } else {
                None
            };
            let nsid = ioctl::ns_id(&fd);
            if let Some(found) = self.found.get_mut(&key) {
                let ns = &mut found.ns;
                (ns.owner, ns.parent, ns.owner_uid, ns.netnsid, ns.nsid) =
                    (owner, parent, owner_uid, netnsid, nsid);
            }
        }
    }

    /// Parent, owner and ids as the previous scan found them; a parent or owner not met yet
    /// joins the scan, vouched for, and is queued.
    fn copy_ioctls(
        &mut self,
        key: (NsType, NsId),
        before: &Namespace,
        queue: &mut Vec<(NsType, NsId)>,
    ) {
        let related = [(NsType::User, before.owner), (key.0, before.parent)];
        for (ns_type, id) in related {
            let Some(id) = id else { continue };
            if let Entry::Vacant(entry) = self.found.entry((ns_type, id)) {
                let ns = Namespace::new(id, ns_type);
                entry.insert(Found { ns, holder: None });
                self.vouched.insert((ns_type, id));
                queue.push((ns_type, id));
            }
        }
        if let Some(found) = self.found.get_mut(&key) {
            let ns = &mut found.ns;
            (ns.owner, ns.parent, ns.owner_uid, ns.netnsid, ns.nsid) = (
                before.owner,
                before.parent,
                before.owner_uid,
                before.netnsid,
                before.nsid,
            );
        }
    }

    /// The id of a parent or owner the kernel handed us as an fd; a namespace not met before
    /// is added (with that fd as its holder) and queued, so its own parents follow.
    fn related(
        &mut self,
        ns_type: NsType,
        fd: OwnedFd,
        queue: &mut Vec<(NsType, NsId)>,
    ) -> Option<NsId> {
        let id = ioctl::inode(&fd)?;
        if !self.found.contains_key(&(ns_type, id)) {
            self.found(ns_type, id, |_| Holder::Fd(fd));
            queue.push((ns_type, id));
        }
        Some(id)
    }
}

fn open_root(path: &Path) -> rustix::io::Result<OwnedFd> {
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// nsfs bind mounts, read once per mount namespace through one of its processes: (type, id,
/// path), and how many mount namespaces could not be read. Mounts of our own mount namespace
/// keep their path; others are reached through /proc/PID/root. A mount seen at the same place
/// in several mount namespaces (copied when one was made from the other) is given once, ours
/// first.
fn nsfs_mounts(
    root: &str,
    scanner_pid: Pid,
    own_mnt: Option<NsId>,
    mut mnt_namespaces: Vec<(NsId, Vec<Pid>)>,
    buf: &mut Vec<u8>,
) -> (Vec<(NsType, NsId, String)>, u32) {
    mnt_namespaces.sort_by_key(|(id, _)| (Some(*id) != own_mnt, *id));
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let mut unreadable = 0;
    for (mnt, mut pids) in mnt_namespaces {
        if Some(mnt) == own_mnt {
            pids.insert(0, scanner_pid);
        }
        // The first process may exit under us; try a few.
        let Some(pid) = pids.iter().take(3).copied().find(|pid| {
            let path = format!("{root}/{pid}/mountinfo");
            process::read_at(rustix::fs::CWD, path.as_str(), buf).is_ok()
        }) else {
            unreadable += 1;
            continue;
        };
        for mount in mounts::parse_mountinfo(buf) {
            if !seen.insert((mount.ns_type, mount.id, mount.mount_point.clone())) {
                continue;
            }
            let path = if Some(mnt) == own_mnt {
                mount.mount_point
            } else {
                format!("{root}/{pid}/root{}", mount.mount_point)
            };
            found.push((mount.ns_type, mount.id, path));
        }
    }
    (found, unreadable)
}

/// For a rescan that knows no process started or ended since `previous`: re-reads the known
/// processes `recheck` picks and the nsfs mounts, and returns how many processes it read when
/// all is as `previous` shows (the snapshot can then be kept as it is), None otherwise.
fn unchanged(
    options: &ScanOptions,
    previous: &Snapshot,
    remembered: &FastMap<Pid, Remembered>,
    recheck: &dyn Fn(Pid) -> bool,
) -> Option<usize> {
    let root_fd = open_root(&options.proc_root).ok()?;
    let mut scan = Scan::new(&root_fd, previous.host.proc_root.clone(), true, 64);
    scan.details = options.details;
    if scan.scanner_pid != previous.host.scanner_pid {
        return None;
    }
    let users = users::read_passwd("/etc/passwd");
    let mut buf = Vec::with_capacity(4096);
    for (&pid, before) in remembered.iter().filter(|&(&pid, _)| recheck(pid)) {
        scan.scan_process(&root_fd, pid, before.ino, &users, &mut buf);
        let now = scan.remembered.get(&pid)?;
        let same = now.held == before.held
            && now.skipped == before.skipped
            && same_reading(
                scan.processes.get(now.index),
                previous.processes.get(before.index),
            );
        if !same {
            return None;
        }
    }
    let own_mnt = previous
        .process(previous.host.scanner_pid)
        .and_then(|p| p.ns.get(&NsType::Mnt).copied());
    let mnt_namespaces = previous
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::Mnt && !n.processes.is_empty())
        .map(|n| (n.id, n.processes.clone()))
        .collect();
    let (mut mounts, unreadable) = nsfs_mounts(
        &scan.root,
        scan.scanner_pid,
        own_mnt,
        mnt_namespaces,
        &mut buf,
    );
    let mut before: Vec<(NsType, NsId, String)> = previous
        .namespaces
        .iter()
        .flat_map(|n| n.mounts.iter().map(|m| (n.ns_type, n.id, m.clone())))
        .collect();
    mounts.sort();
    before.sort();
    (mounts == before && u64::from(unreadable) == previous.skipped.mountinfo).then_some(scan.read)
}

/// Whether a fresh read of a process found what the previous scan did. Its label and its
/// container's name are filled in after a scan, not by the read: they are left out.
fn same_reading(fresh: Option<&Process>, before: Option<&Process>) -> bool {
    let (Some(fresh), Some(before)) = (fresh, before) else {
        return false;
    };
    let engine_and_id = |p: &Process| p.attribution.as_ref().map(|a| (a.engine, a.id.clone()));
    Process {
        label: String::new(),
        attribution: None,
        ..before.clone()
    } == Process {
        label: String::new(),
        attribution: None,
        ..fresh.clone()
    } && engine_and_id(fresh) == engine_and_id(before)
}

/// The host's namespaces: those of PID 2 (kthreadd), else PID 1. Where neither could be read
/// (an unprivileged scan), the root of the user namespace tree, and for the other types the
/// namespace owned by it that holds the most processes.
fn initial_namespaces(snapshot: &Snapshot) -> BTreeMap<NsType, NsId> {
    let mut initial = BTreeMap::new();
    for ns_type in NsType::ALL {
        let from_process = [2, 1]
            .into_iter()
            .find_map(|pid| snapshot.process(pid)?.ns.get(&ns_type).copied());
        if let Some(id) = from_process {
            initial.insert(ns_type, id);
        }
    }
    let most_processes = |ns_type: NsType, owner: Option<NsId>| {
        snapshot
            .namespaces
            .iter()
            .filter(|n| n.ns_type == ns_type)
            .filter(|n| match ns_type {
                NsType::User => n.parent.is_none(),
                _ => n.owner == owner,
            })
            .max_by_key(|n| (n.processes.len(), std::cmp::Reverse(n.id)))
            .map(|n| n.id)
    };
    if !initial.contains_key(&NsType::User)
        && let Some(id) = most_processes(NsType::User, None)
    {
        initial.insert(NsType::User, id);
    }
    let root_user = initial.get(&NsType::User).copied();
    for ns_type in NsType::ALL {
        if !initial.contains_key(&ns_type)
            && let Some(id) = most_processes(ns_type, root_user)
        {
            initial.insert(ns_type, id);
        }
    }
    initial
}

fn host_info(proc_root: String, scanner_pid: Pid) -> HostInfo {
    let read = |path: &str| {
        std::fs::read(path)
            .map(|b| crate::sanitize::text_from_bytes(b.trim_ascii()))
            .unwrap_or_default()
    };
    HostInfo {
        hostname: read("/proc/sys/kernel/hostname"),
        kernel: read("/proc/sys/kernel/osrelease"),
        taken_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        proc_root,
        scanner_uid: rustix::process::geteuid().as_raw(),
        scanner_pid,
    }
}
