//! The change log's state: every namespace and sandbox that appeared or vanished between two
//! scans, with when, its type, its label and the process that made it. Kept for the session
//! (the newest `LIMIT`), shown by the change log overlay (`n`).

use std::collections::HashSet;
use std::time::SystemTime;

use super::sandboxes::{NsSet, Sandbox, group};
use crate::model::{Namespace, NsId, NsType, Pid, Snapshot};

/// Older entries are dropped beyond this many.
pub const LIMIT: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Appeared,
    Vanished,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    Namespace(NsType, NsId),
    /// A set of namespaces some processes share (see sandboxes.rs).
    Sandbox(NsSet),
}

#[derive(Clone, Debug)]
pub struct Change {
    pub at: SystemTime,
    pub kind: Kind,
    pub subject: Subject,
    /// Raw, untrusted text (a label).
    pub label: String,
    /// The process that made it (the member whose parent is not a member) and its command,
    /// raw; None when no process is in it (bound to a file, held by an fd).
    pub by: Option<(Pid, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct ChangeLog {
    /// Oldest first.
    pub entries: Vec<Change>,
    /// The sandboxes of the last scan recorded, so each scan is grouped once.
    last_sandboxes: Option<Vec<Sandbox>>,
}

impl ChangeLog {
    /// Notes what differs between two scans; returns how many entries that added (the newest
    /// ones, at the end).
    pub fn record(&mut self, old: &Snapshot, new: &Snapshot, at: SystemTime) -> usize {
        let count_before = self.entries.len();
        // Sandboxes first: within one scan the namespaces count as the newest, so that
        // `N` lands on a namespace.
        let before = self.last_sandboxes.take().unwrap_or_else(|| group(old));
        let after = group(new);
        let sets =
            |list: &[Sandbox]| -> HashSet<NsSet> { list.iter().map(|s| s.ns.clone()).collect() };
        let (before_sets, after_sets) = (sets(&before), sets(&after));
        for (list, snapshot, others, kind) in [
            (&after, new, &before_sets, Kind::Appeared),
            (&before, old, &after_sets, Kind::Vanished),
        ] {
            for s in list.iter().filter(|s| !others.contains(&s.ns)) {
                self.entries.push(Change {
                    at,
                    kind,
                    subject: Subject::Sandbox(s.ns.clone()),
                    label: s.label.clone(),
                    by: snapshot.process(s.leader).map(|p| (p.pid, p.command())),
                });
            }
        }
        for ns in &new.namespaces {
            if old.namespace(ns.ns_type, ns.id).is_none() {
                self.entries
                    .push(namespace_change(new, ns, Kind::Appeared, at));
            }
        }
        for ns in &old.namespaces {
            if new.namespace(ns.ns_type, ns.id).is_none() {
                self.entries
                    .push(namespace_change(old, ns, Kind::Vanished, at));
            }
        }
        self.last_sandboxes = Some(after);
        let added = self.entries.len() - count_before;
        if self.entries.len() > LIMIT {
            let extra = self.entries.len() - LIMIT;
            self.entries.drain(..extra);
        }
        added.min(self.entries.len())
    }

    /// The newest change whose namespace or sandbox `snapshot` still has.
    pub fn newest_present(&self, snapshot: &Snapshot) -> Option<&Change> {
        self.entries.iter().rev().find(|c| match &c.subject {
            Subject::Namespace(t, id) => snapshot.namespace(*t, *id).is_some(),
            Subject::Sandbox(set) => snapshot.processes.iter().any(|p| &p.ns == set),
        })
    }
}

fn namespace_change(snapshot: &Snapshot, ns: &Namespace, kind: Kind, at: SystemTime) -> Change {
    Change {
        at,
        kind,
        subject: Subject::Namespace(ns.ns_type, ns.id),
        label: ns.label.clone(),
        by: creator(snapshot, ns).map(|p| (p, command_of(snapshot, p))),
    }
}

fn command_of(snapshot: &Snapshot, pid: Pid) -> String {
    snapshot
        .process(pid)
        .map(|p| p.command())
        .unwrap_or_default()
}

/// The first member whose parent is not a member: the one that unshared or cloned it.
pub fn creator(snapshot: &Snapshot, ns: &Namespace) -> Option<Pid> {
    ns.processes.iter().copied().find(|&pid| {
        snapshot
            .process(pid)
            .is_none_or(|p| !ns.processes.contains(&p.ppid))
    })
}

/// "20:34:05" (UTC) of a wall-clock time.
pub fn clock(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = secs % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
}
