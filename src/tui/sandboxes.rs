//! The sandboxes view's state: processes that share exactly the same eight namespaces form
//! one sandbox, and each of its namespaces is the host's, its own, or shared with another
//! sandbox (a process that joined only a container's network namespace shares that one).

use std::collections::{BTreeMap, HashMap};

use crate::model::{NsId, NsType, Pid, Process, Snapshot};

/// The namespaces a sandbox is made of: its key, stable across scans.
pub type NsSet = BTreeMap<NsType, NsId>;

/// How a sandbox has one of its namespaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Share {
    /// The host's initial namespace of that type.
    Host,
    /// Only this sandbox's processes are in it.
    Own,
    /// Other sandboxes are in it too (indices into the list).
    Shared(Vec<usize>),
    /// The type could not be read for these processes.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Sandbox {
    pub ns: NsSet,
    /// Its leading process's label ("docker web (3f2a9c1b7d4e)", a hostname, a command), or
    /// "host". Raw, untrusted text.
    pub label: String,
    /// Sorted; the first one whose parent is not a member leads.
    pub pids: Vec<Pid>,
    pub leader: Pid,
    /// One per type, in `NsType::ALL` order.
    pub cells: Vec<Share>,
}

impl Sandbox {
    /// Every namespace is the host's.
    pub fn is_host(&self) -> bool {
        self.cells.iter().all(|c| *c == Share::Host)
    }

    /// It shares a namespace with another sandbox: a process that joined a container's
    /// namespace, or two containers that share one. Drawn so that it stands out.
    pub fn shares(&self) -> bool {
        self.cells.iter().any(|c| matches!(c, Share::Shared(_)))
    }

    /// It has no namespace of its own, only the host's and some of other sandboxes': what
    /// `nsenter --net=/proc/PID/ns/net CMD` makes. The view marks it loudest.
    pub fn joined(&self) -> bool {
        self.shares() && !self.cells.contains(&Share::Own)
    }
}

/// Groups the snapshot's processes into sandboxes: the host's first, then by leading pid.
pub fn group(snapshot: &Snapshot) -> Vec<Sandbox> {
    let mut by_set: HashMap<&NsSet, Vec<Pid>> = HashMap::new();
    for p in &snapshot.processes {
        if !p.ns.is_empty() {
            by_set.entry(&p.ns).or_default().push(p.pid);
        }
    }
    let mut list: Vec<Sandbox> = by_set
        .into_iter()
        .map(|(ns, mut pids)| {
            pids.sort_unstable();
            let leader = leader(snapshot, &pids);
            Sandbox {
                ns: ns.clone(),
                label: String::new(),
                pids,
                leader,
                cells: Vec::new(),
            }
        })
        .collect();
    // Which sandboxes are in each namespace.
    let mut users: HashMap<(NsType, NsId), Vec<usize>> = HashMap::new();
    list.sort_by_key(|s| (!is_initial_set(snapshot, &s.ns), s.leader));
    for (i, s) in list.iter().enumerate() {
        for (&t, &id) in &s.ns {
            users.entry((t, id)).or_default().push(i);
        }
    }
    for (i, s) in list.iter_mut().enumerate() {
        s.cells = NsType::ALL
            .iter()
            .map(|&t| match s.ns.get(&t) {
                None => Share::Unknown,
                Some(&id) if !snapshot.differs_from_initial(t, id) => Share::Host,
                Some(&id) => {
                    let others: Vec<usize> = users
                        .get(&(t, id))
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|&j| j != i)
                        .collect();
                    if others.is_empty() {
                        Share::Own
                    } else {
                        Share::Shared(others)
                    }
                }
            })
            .collect();
        s.label = if s.is_host() {
            "host".to_string()
        } else {
            snapshot.process(s.leader).map(label_of).unwrap_or_default()
        };
    }
    list
}

fn is_initial_set(snapshot: &Snapshot, ns: &NsSet) -> bool {
    ns.iter()
        .all(|(&t, &id)| !snapshot.differs_from_initial(t, id))
}

fn label_of(p: &Process) -> String {
    if p.label.is_empty() {
        p.command()
    } else {
        p.label.clone()
    }
}

/// The first member whose parent is not a member (the one that made the sandbox).
fn leader(snapshot: &Snapshot, pids: &[Pid]) -> Pid {
    pids.iter()
        .copied()
        .find(|&pid| {
            snapshot
                .process(pid)
                .is_none_or(|p| pids.binary_search(&p.ppid).is_err())
        })
        .or_else(|| pids.first().copied())
        .unwrap_or_default()
}

/// Selection and scroll of the sandboxes list, keyed by the namespace set.
#[derive(Clone, Debug, Default)]
pub struct SandboxesState {
    /// The sandboxes the filter leaves, rebuilt on every refresh.
    pub list: Vec<Sandbox>,
    pub selected: Option<NsSet>,
    pub offset: usize,
}

impl SandboxesState {
    /// Regroups `snapshot`, keeping the sandboxes `keep` accepts, and the selection on its
    /// namespace set (or near its old row when that sandbox is gone).
    pub fn rebuild(&mut self, snapshot: &Snapshot, keep: &dyn Fn(&Sandbox) -> bool) {
        let old = self.selected_index();
        self.list = group(snapshot).into_iter().filter(|s| keep(s)).collect();
        if self.selected_index().is_none() {
            let i = old.unwrap_or(0).min(self.list.len().saturating_sub(1));
            self.selected = self.list.get(i).map(|s| s.ns.clone());
        }
    }

    pub fn selected_index(&self) -> Option<usize> {
        let sel = self.selected.as_ref()?;
        self.list.iter().position(|s| &s.ns == sel)
    }

    pub fn selected_sandbox(&self) -> Option<&Sandbox> {
        self.selected_index().map(|i| &self.list[i])
    }

    pub fn select_index(&mut self, i: usize, page: usize) {
        if let Some(s) = self.list.get(i) {
            self.selected = Some(s.ns.clone());
            if i < self.offset {
                self.offset = i;
            } else if i >= self.offset + page {
                self.offset = i + 1 - page;
            }
        }
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        if self.list.is_empty() {
            return;
        }
        let i = self.selected_index().unwrap_or(0) as isize;
        let j = (i + delta).clamp(0, self.list.len() as isize - 1);
        self.select_index(j as usize, page);
    }
}
