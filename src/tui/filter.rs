//! What the filter line matches: a command or label (substring), a pid, a user name or uid, a
//! namespace id (substring of the inode or kernel id), a type name, and what is inside a
//! namespace (hostname, addresses, container name or id). The query is lower case.

use crate::graph::NodeKey;
use crate::model::{Namespace, Process, Snapshot};

/// Does this row match on its own? (Its ancestors are kept by `filter_forest`.)
pub fn matches(snapshot: &Snapshot, key: &NodeKey, query: &str, for_processes: bool) -> bool {
    match *key {
        NodeKey::Group(t) => t.name() == query,
        NodeKey::Namespace(t, id) => {
            let Some(ns) = snapshot.namespace(t, id) else {
                return false;
            };
            namespace_matches(snapshot, ns, query)
        }
        NodeKey::Process(pid) => {
            let Some(p) = snapshot.process(pid) else {
                return false;
            };
            process_matches(p, query)
                || p.ns.iter().any(|(t, id)| {
                    id.to_string().contains(query)
                        || (for_processes
                            && t.name() == query
                            && snapshot.differs_from_initial(*t, *id))
                })
        }
    }
}

fn namespace_matches(snapshot: &Snapshot, ns: &Namespace, query: &str) -> bool {
    ns.ns_type.name() == query
        || ns.id.to_string().contains(query)
        || ns.nsid.is_some_and(|n| n.to_string() == query)
        || ns
            .processes
            .iter()
            .filter_map(|&pid| snapshot.process(pid))
            .any(|p| process_matches(p, query))
        || ns.mounts.iter().any(|m| m.to_lowercase().contains(query))
        || contains(&ns.label, query)
        || ns
            .attribution
            .as_ref()
            .is_some_and(|a| attribution_matches(a, query))
        || crate::describe::hostname(snapshot, ns).is_some_and(|h| contains(&h, query))
        || (ns.ns_type == crate::model::NsType::Net
            && crate::describe::addresses(snapshot, ns)
                .iter()
                .any(|a| contains(a, query)))
}

fn contains(text: &str, query: &str) -> bool {
    text.to_lowercase().contains(query)
}

/// By engine, id (any part) or container name.
fn attribution_matches(a: &crate::model::Attribution, query: &str) -> bool {
    a.engine.name() == query
        || contains(&a.id, query)
        || a.name.as_deref().is_some_and(|n| contains(n, query))
}

/// A process matches by pid, user (name or uid), or command.
pub fn process_matches(p: &Process, query: &str) -> bool {
    p.pid.to_string() == query
        || p.uid.to_string() == query
        || p.user
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(query))
        || p.comm.to_lowercase().contains(query)
        || p.cmdline.iter().any(|a| a.to_lowercase().contains(query))
        || contains(&p.label, query)
        || p.attribution
            .as_ref()
            .is_some_and(|a| attribution_matches(a, query))
}
