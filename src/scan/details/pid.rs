//! The pid section: from the snapshot itself (NSpid of the members).

use crate::model::details::PidDetails;
use crate::model::{Namespace, NsType, Snapshot};

pub fn details(snapshot: &Snapshot, ns: &Namespace) -> PidDetails {
    let level = level(snapshot, ns);
    // Its init: the member that is PID 1 at this namespace's level (a member deeper down is
    // PID 1 of a namespace nested in this one only if its NSpid is longer).
    let init = level.and_then(|level| {
        ns.processes
            .iter()
            .filter_map(|&pid| snapshot.process(pid))
            .find(|p| p.nspid.len() == level as usize + 1 && p.nspid.last() == Some(&1))
    });
    PidDetails {
        level: level.unwrap_or(0),
        init_pid: init.map(|p| p.pid),
        init_command: init.map(|p| p.command()),
    }
}

/// How deep the namespace is: a member's NSpid has one entry per level; a process whose
/// pid_for_children it is has one fewer; else count the parents.
fn level(snapshot: &Snapshot, ns: &Namespace) -> Option<u32> {
    let from_members = ns
        .processes
        .iter()
        .filter_map(|&pid| snapshot.process(pid))
        .find(|p| !p.nspid.is_empty())
        .map(|p| p.nspid.len() - 1);
    let from_forkers = || {
        ns.for_children
            .iter()
            .filter_map(|&pid| snapshot.process(pid))
            .find(|p| p.pid_for_children == Some(ns.id) && !p.nspid.is_empty())
            .map(|p| p.nspid.len())
    };
    let from_parents = || {
        let mut depth = 0usize;
        let mut at = ns;
        while let Some(parent) = at.parent.and_then(|id| snapshot.namespace(NsType::Pid, id)) {
            depth += 1;
            at = parent;
            // The kernel nests at most 32 levels; a crafted snapshot may loop.
            if depth > 32 {
                return None;
            }
        }
        Some(depth)
    };
    from_members
        .or_else(from_forkers)
        .or_else(from_parents)
        .and_then(|l| u32::try_from(l).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::sample;

    #[test]
    fn level_and_init_from_nspid_and_parents() {
        let mut s = sample();
        // Process 3 is PID 1 of pid ns 11 (one level down) and made 12 for its children.
        s.processes[2].nspid = vec![3, 1];
        let of = |s: &Snapshot, id| details(s, s.namespace(NsType::Pid, id).unwrap());
        let host = of(&s, 10);
        assert_eq!((host.level, host.init_pid), (0, Some(1)));
        assert_eq!(host.init_command.as_deref(), Some("p1"));
        let inner = of(&s, 11);
        assert_eq!((inner.level, inner.init_pid), (1, Some(3)));
        assert_eq!(inner.init_command.as_deref(), Some("sleep 100"));
        // No member yet: the level from its forker, no init.
        let unborn = of(&s, 12);
        assert_eq!((unborn.level, unborn.init_pid), (2, None));

        // Without the forker, the parents count.
        s.namespace_mut(NsType::Pid, 12).for_children.clear();
        assert_eq!(of(&s, 12).level, 2);
        // A member that is not PID 1 is not the init.
        s.processes[2].nspid = vec![3, 7];
        assert_eq!(of(&s, 11).init_pid, None);
    }
}
