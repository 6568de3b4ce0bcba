//! Plain data: what a scan finds. Serializable, so a snapshot taken on one host can be studied
//! on another (`nsviz snapshot > FILE`, then `--from FILE`). The schema is in docs/snapshot.md.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub mod details;
pub mod holder;
pub mod label;

pub use details::{Attribution, Details};

/// Inode number of a namespace on nsfs: what /proc/PID/ns/* links show (`net:[4026531840]`).
pub type NsId = u64;
pub type Pid = i32;

/// The eight namespace types, in the order nsviz shows them everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NsType {
    User,
    Mnt,
    Pid,
    Net,
    Uts,
    Ipc,
    Cgroup,
    Time,
}

impl NsType {
    pub const ALL: [NsType; 8] = [
        NsType::User,
        NsType::Mnt,
        NsType::Pid,
        NsType::Net,
        NsType::Uts,
        NsType::Ipc,
        NsType::Cgroup,
        NsType::Time,
    ];

    /// The name used by /proc/PID/ns, lsns and this tool's flags.
    pub fn name(self) -> &'static str {
        match self {
            NsType::User => "user",
            NsType::Mnt => "mnt",
            NsType::Pid => "pid",
            NsType::Net => "net",
            NsType::Uts => "uts",
            NsType::Ipc => "ipc",
            NsType::Cgroup => "cgroup",
            NsType::Time => "time",
        }
    }

    /// A human name for prose ("mount namespace").
    pub fn long_name(self) -> &'static str {
        match self {
            NsType::User => "user",
            NsType::Mnt => "mount",
            NsType::Pid => "PID",
            NsType::Net => "network",
            NsType::Uts => "UTS",
            NsType::Ipc => "IPC",
            NsType::Cgroup => "cgroup",
            NsType::Time => "time",
        }
    }

    /// The nsenter/unshare short option letter (`-U`, `-m`, ...).
    pub fn flag_letter(self) -> char {
        match self {
            NsType::User => 'U',
            NsType::Mnt => 'm',
            NsType::Pid => 'p',
            NsType::Net => 'n',
            NsType::Uts => 'u',
            NsType::Ipc => 'i',
            NsType::Cgroup => 'C',
            NsType::Time => 'T',
        }
    }

    /// The CLONE_NEW* flag that creates (and, for setns, selects) this type.
    pub fn clone_flag(self) -> libc::c_int {
        match self {
            NsType::User => libc::CLONE_NEWUSER,
            NsType::Mnt => libc::CLONE_NEWNS,
            NsType::Pid => libc::CLONE_NEWPID,
            NsType::Net => libc::CLONE_NEWNET,
            NsType::Uts => libc::CLONE_NEWUTS,
            NsType::Ipc => libc::CLONE_NEWIPC,
            NsType::Cgroup => libc::CLONE_NEWCGROUP,
            NsType::Time => libc::CLONE_NEWTIME,
        }
    }

    pub fn from_clone_flag(flag: libc::c_int) -> Option<NsType> {
        NsType::ALL.into_iter().find(|t| t.clone_flag() == flag)
    }

    /// Types that form a hierarchy the kernel reports with NS_GET_PARENT.
    pub fn is_hierarchical(self) -> bool {
        matches!(self, NsType::User | NsType::Pid)
    }
}

impl fmt::Display for NsType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NsType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = match s {
            "user" => NsType::User,
            "mnt" | "mount" => NsType::Mnt,
            "pid" => NsType::Pid,
            "net" | "network" => NsType::Net,
            "uts" => NsType::Uts,
            "ipc" => NsType::Ipc,
            "cgroup" => NsType::Cgroup,
            "time" => NsType::Time,
            _ => {
                return Err(format!(
                    "unknown namespace type '{s}' (expected one of: user, mnt, pid, net, uts, ipc, cgroup, time)"
                ));
            }
        };
        Ok(t)
    }
}

/// A file descriptor of a process: an nsfs fd, or a socket holding a network namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FdRef {
    pub pid: Pid,
    pub fd: i32,
}

/// One namespace and everything found holding it alive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Namespace {
    /// Inode number on nsfs (reused by the kernel once the namespace is gone).
    pub id: NsId,
    #[serde(rename = "type")]
    pub ns_type: NsType,
    /// The kernel's 64-bit namespace id (NS_GET_ID), never reused; None where the kernel lacks it.
    #[serde(default)]
    pub nsid: Option<u64>,
    /// Parent namespace (user and pid namespaces only).
    #[serde(default)]
    pub parent: Option<NsId>,
    /// Owning user namespace (for a user namespace: the same as its parent).
    #[serde(default)]
    pub owner: Option<NsId>,
    /// For user namespaces: the uid of the process that created it (NS_GET_OWNER_UID).
    #[serde(default)]
    pub owner_uid: Option<u32>,
    /// PIDs whose /proc/PID/ns/TYPE points here.
    #[serde(default)]
    pub processes: Vec<Pid>,
    /// Thread ids in this namespace whose process (thread group leader) is not.
    #[serde(default)]
    pub tasks: Vec<Pid>,
    /// PIDs whose pid_for_children / time_for_children points here while their own ns does not.
    #[serde(default)]
    pub for_children: Vec<Pid>,
    /// Paths where this namespace is bind-mounted (nsfs entries in some mountinfo). A mount
    /// seen only in another mount namespace is given as /proc/PID/root/PATH through a process
    /// of that mount namespace.
    #[serde(default)]
    pub mounts: Vec<String>,
    /// Open nsfs file descriptors pointing at this namespace.
    #[serde(default)]
    pub fds: Vec<FdRef>,
    /// Sockets created in this network namespace (net namespaces only).
    #[serde(default)]
    pub sockets: Vec<FdRef>,
    /// The id the scanner's network namespace assigned to this one (RTM_GETNSID): `Some(-1)`
    /// when it has none (lsns: "unassigned"), None when it could not be asked (fixture tree).
    #[serde(default)]
    pub netnsid: Option<i32>,
    /// What is inside it (read when details were asked for; None in version 1 snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Details>,
    /// Whose it is: the attribution its processes agree on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// A short human name: the attribution, else its hostname, else its leading command or
    /// the file it is bound to (see `label.rs`). Untrusted text.
    #[serde(default)]
    pub label: String,
}

impl Namespace {
    pub fn new(id: NsId, ns_type: NsType) -> Self {
        Namespace {
            id,
            ns_type,
            nsid: None,
            parent: None,
            owner: None,
            owner_uid: None,
            processes: Vec::new(),
            tasks: Vec::new(),
            for_children: Vec::new(),
            mounts: Vec::new(),
            fds: Vec::new(),
            sockets: Vec::new(),
            netnsid: None,
            details: None,
            attribution: None,
            label: String::new(),
        }
    }
}

/// One process (thread group) as the scan saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub pid: Pid,
    pub ppid: Pid,
    pub uid: u32,
    /// User name of `uid` from the scanner's /etc/passwd, if it has one.
    #[serde(default)]
    pub user: Option<String>,
    /// Kernel task name (/proc/PID/comm). Untrusted: escape before display.
    pub comm: String,
    /// Arguments (/proc/PID/cmdline); empty for kernel threads and zombies. Untrusted.
    /// Bytes that are not UTF-8 are kept as `\xNN` escapes.
    #[serde(default)]
    pub cmdline: Vec<String>,
    /// The namespace of each type, where its link could be read.
    pub ns: BTreeMap<NsType, NsId>,
    /// pid_for_children, only where it differs from `ns[pid]` (after unshare(CLONE_NEWPID)).
    #[serde(default)]
    pub pid_for_children: Option<NsId>,
    /// time_for_children, only where it differs from `ns[time]`.
    #[serde(default)]
    pub time_for_children: Option<NsId>,
    /// The PID in each nested pid namespace, outermost first (NSpid in /proc/PID/status).
    #[serde(default)]
    pub nspid: Vec<Pid>,
    /// Its cgroup: the cgroup v2 path, else that of the v1 name=systemd hierarchy, as the
    /// scanner's cgroup namespace shows it (read when details were asked for). Untrusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    /// Whose it is, told from `cgroup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// A short human name (see `label.rs`). Untrusted text.
    #[serde(default)]
    pub label: String,
    /// Its threads whose namespaces differ from its own: the thread ids that hold namespaces
    /// as `Holder::Thread`, so a thread holder can be shown with its process.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threads_apart: Vec<Pid>,
}

impl Process {
    /// The command as lsns shows it: the command line joined by spaces, else the comm.
    pub fn command(&self) -> String {
        if self.cmdline.is_empty() {
            self.comm.clone()
        } else {
            self.cmdline.join(" ")
        }
    }
}

/// What could not be read. Races and permission limits are normal; they are counted, not fatal.
/// Counts are u64 and add up saturating: a crafted snapshot cannot overflow them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Processes that vanished or could not be read at all.
    pub processes: u64,
    /// Namespace links that could not be read (EACCES, ENOENT on a zombie, ...).
    pub links: u64,
    /// Processes whose threads could not be listed.
    pub tasks: u64,
    /// Processes whose fd table could not be read.
    pub fds: u64,
    /// Mount namespaces whose mountinfo could not be read.
    pub mountinfo: u64,
    /// Namespaces some of whose details could not be read (each says why in
    /// `details.unreadable`).
    #[serde(default)]
    pub details: u64,
}

impl Skipped {
    fn counts(&self) -> [u64; 6] {
        [
            self.processes,
            self.links,
            self.tasks,
            self.fds,
            self.mountinfo,
            self.details,
        ]
    }

    fn from_counts(c: [u64; 6]) -> Skipped {
        let [processes, links, tasks, fds, mountinfo, details] = c;
        Skipped {
            processes,
            links,
            tasks,
            fds,
            mountinfo,
            details,
        }
    }

    pub fn total(&self) -> u64 {
        self.counts().into_iter().fold(0, u64::saturating_add)
    }

    pub fn add(&mut self, other: &Skipped) {
        let (a, b) = (self.counts(), other.counts());
        *self = Skipped::from_counts(std::array::from_fn(|i| a[i].saturating_add(b[i])));
    }

    /// What was counted since `before` (an earlier state of the same count).
    pub fn since(&self, before: &Skipped) -> Skipped {
        let (a, b) = (self.counts(), before.counts());
        Skipped::from_counts(std::array::from_fn(|i| a[i].saturating_sub(b[i])))
    }
}

/// Where and when a snapshot was taken.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    pub hostname: String,
    pub kernel: String,
    /// Seconds since the Unix epoch.
    pub taken_at: u64,
    pub proc_root: String,
    /// The uid the scan ran as: an unprivileged scan sees less.
    pub scanner_uid: u32,
    /// The scanning process itself (its namespaces are "ours").
    pub scanner_pid: Pid,
}

/// Everything one scan found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Schema version of this document.
    pub version: u32,
    pub host: HostInfo,
    /// The initial (host) namespaces, taken from kernel threads (PID 2), else PID 1, else the
    /// root of the user namespace tree; a namespace differs from the host when it is not here.
    pub initial: BTreeMap<NsType, NsId>,
    /// Sorted by (type, id).
    pub namespaces: Vec<Namespace>,
    /// Sorted by pid.
    pub processes: Vec<Process>,
    pub skipped: Skipped,
    /// How long the scan took, in microseconds.
    #[serde(default)]
    pub scan_micros: u64,
}

/// Version 2 added `details`, `attribution` and `label` (namespaces and processes), `cgroup`
/// (processes) and `skipped.details`; version 1 files are still read.
pub const SNAPSHOT_VERSION: u32 = 2;
/// The oldest snapshot version this nsviz reads.
pub const OLDEST_SNAPSHOT_VERSION: u32 = 1;

impl Snapshot {
    pub fn namespace(&self, ns_type: NsType, id: NsId) -> Option<&Namespace> {
        self.namespaces
            .binary_search_by(|n| (n.ns_type, n.id).cmp(&(ns_type, id)))
            .ok()
            .map(|i| &self.namespaces[i])
    }

    /// Any namespace with this inode (inodes are unique across types on one nsfs).
    pub fn namespace_by_id(&self, id: NsId) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.id == id)
    }

    /// The process a thread belongs to, for a thread that holds a namespace its process is not in.
    pub fn process_of_thread(&self, tid: Pid) -> Option<&Process> {
        self.processes
            .iter()
            .find(|p| p.threads_apart.contains(&tid))
    }

    pub fn process(&self, pid: Pid) -> Option<&Process> {
        self.processes
            .binary_search_by_key(&pid, |p| p.pid)
            .ok()
            .map(|i| &self.processes[i])
    }

    /// The PID `pid` has inside the pid namespace `ns`: its NSpid entry at that namespace's
    /// level, found by walking up from the process's own pid namespace. None when `ns` is not
    /// the process's namespace or one of its ancestors (or the process is unknown).
    pub fn pid_inside(&self, pid: Pid, ns: NsId) -> Option<Pid> {
        let process = self.process(pid)?;
        let mut at = *process.ns.get(&NsType::Pid)?;
        // NSpid is outermost first: the process's own namespace is the last entry.
        for up in 0..process.nspid.len() {
            if at == ns {
                return Some(process.nspid[process.nspid.len() - 1 - up]);
            }
            at = self.namespace(NsType::Pid, at)?.parent?;
        }
        None
    }

    /// True when `id` is not one of the host's initial namespaces.
    pub fn differs_from_initial(&self, ns_type: NsType, id: NsId) -> bool {
        self.initial.get(&ns_type).is_some_and(|&init| init != id)
    }

    /// Restore the sort orders the lookups rely on (after loading a file, say).
    pub fn normalize(&mut self) {
        self.namespaces.sort_by_key(|n| (n.ns_type, n.id));
        self.processes.sort_by_key(|p| p.pid);
    }

    /// What keeps a namespace alive, in a few words: "3 processes: sleep 100",
    /// "mounted at /run/netns/x", "fd 5 of PID 123", "thread 456",
    /// "pid_for_children of PID 9", "socket fd 3 of PID 12", or "nothing left: hidden".
    /// Text is raw (untrusted command); escape it before display.
    pub fn holder_summary(&self, ns: &Namespace) -> String {
        if let Some(&first) = ns.processes.first() {
            let command = self
                .process(first)
                .map(Process::command)
                .unwrap_or_default();
            let count = ns.processes.len();
            let noun = if count == 1 { "process" } else { "processes" };
            return format!("{count} {noun}: {command}");
        }
        match ns.other_holders().next() {
            Some(holder) => holder.describe(ns.ns_type, |pid| format!("PID {pid}")),
            None => "nothing left: hidden".to_string(),
        }
    }
}

/// Small hand-made snapshots for unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub fn ns(
        t: NsType,
        id: NsId,
        parent: Option<NsId>,
        owner: Option<NsId>,
        procs: &[Pid],
    ) -> Namespace {
        let mut n = Namespace::new(id, t);
        n.parent = parent;
        n.owner = owner;
        n.processes = procs.to_vec();
        n
    }

    pub fn process(pid: Pid, ppid: Pid) -> Process {
        Process {
            pid,
            ppid,
            uid: 0,
            user: Some("root".into()),
            comm: format!("p{pid}"),
            cmdline: Vec::new(),
            ns: BTreeMap::new(),
            pid_for_children: None,
            time_for_children: None,
            nspid: vec![pid],
            cgroup: None,
            attribution: None,
            label: String::new(),
            threads_apart: Vec::new(),
        }
    }

    /// Root user ns 1 owns pid 10 and net 20; user 2 (child of 1) owns pid 11 (child of 10),
    /// pid 12 (child of 11) and net 21; user 3 (child of 2) has no process left.
    /// Processes: 1 -> 2 -> 3, and 1 -> 4. Process 3 runs `sleep 100` and made pid ns 12 for
    /// its children.
    pub fn sample() -> Snapshot {
        let mut s = Snapshot {
            version: SNAPSHOT_VERSION,
            namespaces: vec![
                ns(NsType::User, 1, None, None, &[1, 2, 4]),
                ns(NsType::User, 2, Some(1), Some(1), &[3]),
                ns(NsType::User, 3, Some(2), Some(2), &[]),
                ns(NsType::Pid, 10, None, Some(1), &[1, 2, 4]),
                ns(NsType::Pid, 11, Some(10), Some(2), &[3]),
                ns(NsType::Pid, 12, Some(11), Some(2), &[]),
                ns(NsType::Net, 20, None, Some(1), &[1, 2, 4]),
                ns(NsType::Net, 21, None, Some(2), &[3]),
            ],
            processes: vec![process(1, 0), process(2, 1), process(3, 2), process(4, 1)],
            initial: [(NsType::User, 1), (NsType::Pid, 10), (NsType::Net, 20)]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        for p in &mut s.processes {
            let inner = p.pid == 3;
            p.ns.insert(NsType::User, if inner { 2 } else { 1 });
            p.ns.insert(NsType::Pid, if inner { 11 } else { 10 });
            p.ns.insert(NsType::Net, if inner { 21 } else { 20 });
        }
        s.processes[2].cmdline = vec!["sleep".into(), "100".into()];
        s.processes[2].pid_for_children = Some(12);
        s.normalize();
        s.namespace_mut(NsType::Pid, 12).for_children.push(3);
        s
    }

    impl Snapshot {
        pub fn namespace_mut(&mut self, t: NsType, id: NsId) -> &mut Namespace {
            self.namespaces
                .iter_mut()
                .find(|n| n.ns_type == t && n.id == id)
                .expect("fixture namespace")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::sample;

    #[test]
    fn pid_inside_reads_nspid_at_the_namespace_level() {
        let mut s = sample();
        // Process 3 is in pid ns 11 (a child of 10) as PID 1 there.
        s.processes[2].nspid = vec![3, 1];
        assert_eq!(s.pid_inside(3, 11), Some(1));
        assert_eq!(s.pid_inside(3, 10), Some(3));
        // Not in ns 12 (only its children will be), and 1 is not inside 11.
        assert_eq!(s.pid_inside(3, 12), None);
        assert_eq!(s.pid_inside(1, 11), None);
        assert_eq!(s.pid_inside(1, 10), Some(1));
        assert_eq!(s.pid_inside(99, 10), None);
    }
}
