//! Text outputs of a snapshot: the lsns-like table and JSON, the tree, the snapshot document,
//! and the graph for Graphviz or Mermaid.

pub mod graph;
pub mod list;
pub mod snapshot;
pub mod tree;

use crate::model::Snapshot;

/// The line tables and trees end with when the scan could not read everything.
pub fn skipped_footer(snapshot: &Snapshot) -> String {
    let s = &snapshot.skipped;
    let mut parts = Vec::new();
    for (n, what) in [
        (s.processes, "processes"),
        (s.links, "namespace links"),
        (s.tasks, "thread lists"),
        (s.fds, "fd tables"),
        (s.mountinfo, "mount tables"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let hint = if snapshot.host.scanner_uid != 0 {
        "; run as root to see everything"
    } else {
        ""
    };
    format!(
        "(could not read {}: vanished or permission denied{hint})",
        parts.join(", ")
    )
}
