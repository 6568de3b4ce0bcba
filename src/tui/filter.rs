//! What the filter line matches: every word of the query, each a substring of what a row
//! shows — a command or label, a pid, a user name or uid, a namespace id, what is inside a
//! namespace (hostname, addresses, mounts, container name or id) and what holds it ("hidden",
//! "fd", "mounted", "thread") — or the explicit `type:NAME`. The query is lower case.

use crate::graph::NodeKey;
use crate::model::{Namespace, Process, Snapshot};

/// Does this row match on its own? (Its ancestors are kept by `filter_forest`.) Every word
/// of the query must match: `type:NAME` keeps namespaces of that type (in the process tree,
/// processes that differ from the host in it); any other word is a substring of what the
/// row shows.
pub fn matches(snapshot: &Snapshot, key: &NodeKey, query: &str, for_processes: bool) -> bool {
    query
        .split_whitespace()
        .all(|word| word_matches(snapshot, key, word, for_processes))
}

fn word_matches(snapshot: &Snapshot, key: &NodeKey, word: &str, for_processes: bool) -> bool {
    if let Some(name) = word.strip_prefix("type:") {
        return match *key {
            NodeKey::Group(t) | NodeKey::Namespace(t, _) => t.name() == name,
            // In the namespace tree a process row is a holder: it matches by its namespaces.
            NodeKey::Process(_) if !for_processes => false,
            NodeKey::Process(pid) => snapshot.process(pid).is_some_and(|p| {
                p.ns.iter()
                    .any(|(t, id)| t.name() == name && snapshot.differs_from_initial(*t, *id))
            }),
        };
    }
    match *key {
        NodeKey::Group(t) => t.long_name().to_lowercase().contains(word),
        NodeKey::Namespace(t, id) => {
            let Some(ns) = snapshot.namespace(t, id) else {
                return false;
            };
            namespace_matches(snapshot, ns, word)
        }
        NodeKey::Process(pid) => {
            let Some(p) = snapshot.process(pid) else {
                return false;
            };
            process_matches(p, word) || p.ns.values().any(|id| id.to_string().contains(word))
        }
    }
}

fn namespace_matches(snapshot: &Snapshot, ns: &Namespace, query: &str) -> bool {
    ns.id.to_string().contains(query)
        // What holds it, as the row says: "hidden", "fd 5 of PID 12", "mounted at", "thread".
        || contains(&snapshot.holder_summary(ns), query)
        || contains(&crate::describe::brief(ns), query)
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
