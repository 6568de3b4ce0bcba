//! Text outputs of a snapshot: the lsns-like table and JSON, the tree, the snapshot document,
//! and the graph for Graphviz or Mermaid.

pub mod color;
pub mod filter;
pub mod graph;
pub mod json;
pub mod list;
pub mod snapshot;
pub mod tree;

use crate::model::Snapshot;

/// The footer line of a table or tree when the scan could not read everything.
pub fn skipped_footer(snapshot: &Snapshot) -> Option<String> {
    let s = &snapshot.skipped;
    let total = s.total();
    if total == 0 {
        return None;
    }
    let parts: Vec<String> = [
        (s.processes, "process", "processes"),
        (s.links, "namespace link", "namespace links"),
        (s.tasks, "thread list", "thread lists"),
        (s.fds, "fd table", "fd tables"),
        (s.mountinfo, "mount table", "mount tables"),
        (s.details, "namespace's details", "namespaces' details"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
    .collect();
    let hint = if snapshot.host.scanner_uid == 0 {
        "they vanished or are protected"
    } else {
        "permission denied or vanished; run as root to see everything"
    };
    Some(format!(
        "{total} {} could not be read ({}): {hint}",
        if total == 1 { "item" } else { "items" },
        parts.join(", ")
    ))
}
