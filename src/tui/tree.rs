//! The state of the namespace and process trees: the forests a scan gives, the visible rows,
//! each tree's selection, collapsed nodes and scroll, and the namespaces marked new or gone.
//! The tree views draw from this alone.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::filter;
use crate::graph::{Hierarchy, NodeKey, TreeNode, filter_forest};
use crate::model::{Namespace, Snapshot};

/// How long new namespaces stay highlighted and vanished ones stay listed; in the second
/// half of it the highlight fades.
pub const HIGHLIGHT: Duration = Duration::from_secs(10);

/// A namespace that vanished: what it was, what held it then, and until when it is listed.
#[derive(Clone, Debug)]
pub struct Gone {
    pub ns: Namespace,
    pub summary: String,
    pub until: Instant,
}

/// One visible row of a tree view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub key: NodeKey,
    pub depth: usize,
    /// Tree guides drawn before the row ("│ ├─").
    pub guides: String,
    pub has_children: bool,
    pub expanded: bool,
    /// Listed only because it vanished in the last scan.
    pub gone: bool,
    /// False for a row kept only as the ancestor of a filter match.
    pub matched: bool,
}

/// Selection, collapsed nodes and scroll of one tree, keyed by stable ids.
#[derive(Clone, Debug, Default)]
pub struct TreeState {
    pub selected: Option<NodeKey>,
    pub collapsed: HashSet<NodeKey>,
    pub offset: usize,
}

/// Which of the two trees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeKind {
    Namespaces,
    Processes,
}

/// The two trees' state.
pub struct Trees {
    /// The namespace tree's hierarchy: by owner or by type.
    pub grouping: Hierarchy,
    pub namespaces: TreeState,
    pub processes: TreeState,
    /// Visible rows of the current tree view: rebuilt when the snapshot, the filter,
    /// expansion or view change, never per frame.
    pub rows: Vec<Row>,
    pub forests: Forests,
}

impl Default for Trees {
    fn default() -> Trees {
        Trees {
            grouping: Hierarchy::Owner,
            namespaces: TreeState::default(),
            processes: TreeState::default(),
            rows: Vec::new(),
            forests: Forests::default(),
        }
    }
}

impl Trees {
    /// The row of `state`'s selection.
    pub fn selected_index(&self, state: &TreeState) -> Option<usize> {
        let sel = state.selected?;
        self.rows.iter().position(|r| r.key == sel)
    }

    pub fn state(&self, kind: TreeKind) -> &TreeState {
        match kind {
            TreeKind::Namespaces => &self.namespaces,
            TreeKind::Processes => &self.processes,
        }
    }

    pub fn state_mut(&mut self, kind: TreeKind) -> &mut TreeState {
        match kind {
            TreeKind::Namespaces => &mut self.namespaces,
            TreeKind::Processes => &mut self.processes,
        }
    }

    /// The row selected in tree `kind`.
    pub fn selected_row(&self, kind: TreeKind) -> Option<usize> {
        self.selected_index(self.state(kind))
    }

    /// Selects row `i` (if there is one) and scrolls it into a page of `page` rows.
    pub fn select_row(&mut self, kind: TreeKind, i: usize, page: usize) {
        if let Some(row) = self.rows.get(i) {
            let key = row.key;
            self.state_mut(kind).selected = Some(key);
            self.scroll_to_selected(kind, page);
        }
    }

    /// Scrolls so that the selected row is within a page of `page` rows.
    pub fn scroll_to_selected(&mut self, kind: TreeKind, page: usize) {
        let Some(i) = self.selected_row(kind) else {
            self.state_mut(kind).offset = 0;
            return;
        };
        let len = self.rows.len();
        let state = self.state_mut(kind);
        if i < state.offset {
            state.offset = i;
        } else if i >= state.offset + page {
            state.offset = i + 1 - page;
        }
        state.offset = state.offset.min(len.saturating_sub(page));
    }

    /// Rebuilds the visible rows of tree `kind` from its forest, the filter `query`
    /// (lowercase) and what is collapsed; namespaces that vanished (`gone`) are listed at the
    /// end while no filter is set. The selection stays on its key, else near its old row.
    pub fn rebuild(
        &mut self,
        kind: TreeKind,
        snapshot: &Snapshot,
        query: &str,
        gone: &[Gone],
        page: usize,
    ) {
        let old_index = self.selected_row(kind);
        let for_processes = kind == TreeKind::Processes;
        let forest = match (kind, self.grouping) {
            (TreeKind::Processes, _) => &self.forests.processes,
            (_, Hierarchy::Type) => &self.forests.by_type,
            _ => &self.forests.owner,
        };
        let filtered;
        let forest = if query.is_empty() {
            forest
        } else {
            filtered = filter_forest(forest, &|key| {
                filter::matches(snapshot, key, query, for_processes)
            });
            &filtered
        };
        let mut rows = Vec::new();
        flatten(
            forest,
            &self.state(kind).collapsed,
            &mut String::new(),
            0,
            &mut rows,
        );
        if kind == TreeKind::Namespaces && query.is_empty() {
            for Gone { ns, .. } in gone {
                rows.push(Row {
                    key: NodeKey::Namespace(ns.ns_type, ns.id),
                    depth: 0,
                    guides: String::new(),
                    has_children: false,
                    expanded: false,
                    gone: true,
                    matched: true,
                });
            }
        }
        if !query.is_empty() {
            for row in &mut rows {
                row.matched = filter::matches(snapshot, &row.key, query, for_processes);
            }
        }
        self.rows = rows;
        let keep = self
            .state(kind)
            .selected
            .filter(|s| self.rows.iter().any(|r| r.key == *s));
        let selected = keep.or_else(|| {
            let i = old_index
                .unwrap_or(0)
                .min(self.rows.len().saturating_sub(1));
            self.rows.get(i).map(|r| r.key)
        });
        self.state_mut(kind).selected = selected;
        self.scroll_to_selected(kind, page);
    }
}

#[derive(Default)]
/// The trees a scan gives, built once per scan; rows are cut from them.
pub struct Forests {
    pub owner: Vec<TreeNode>,
    pub by_type: Vec<TreeNode>,
    pub processes: Vec<TreeNode>,
}

/// New and vanished namespaces, marked for a while after the scan that showed it.
pub struct Highlights {
    /// Namespaces new since the previous scan, until when they stay highlighted.
    pub appeared: HashMap<NodeKey, Instant>,
    /// Namespaces that vanished in the last scan, shown for a while.
    pub gone: Vec<Gone>,
    /// The latest instant the app was told of (scans, ticks): highlights fade by it.
    pub clock: Instant,
}

impl Highlights {
    pub fn new(now: Instant) -> Highlights {
        Highlights {
            appeared: HashMap::new(),
            gone: Vec::new(),
            clock: now,
        }
    }

    /// The next instant a highlight expires or starts to fade.
    pub fn next_deadline(&self) -> Option<Instant> {
        let fades = self
            .appeared
            .values()
            .map(|&until| until - HIGHLIGHT / 2)
            .filter(|&at| at > self.clock);
        self.appeared
            .values()
            .chain(self.gone.iter().map(|g| &g.until))
            .copied()
            .chain(fades)
            .min()
    }

    /// In the second half of its highlight: drawn weaker.
    pub fn is_fading(&self, key: &NodeKey) -> bool {
        self.appeared
            .get(key)
            .is_some_and(|&until| until.saturating_duration_since(self.clock) < HIGHLIGHT / 2)
    }

    pub fn is_new(&self, key: &NodeKey) -> bool {
        self.appeared.contains_key(key)
    }

    pub fn gone_namespace(&self, key: &NodeKey) -> Option<&Gone> {
        let NodeKey::Namespace(t, id) = *key else {
            return None;
        };
        self.gone
            .iter()
            .find(|g| g.ns.ns_type == t && g.ns.id == id)
    }
}

/// Depth-first rows of the expanded part of a forest, with tree guides.
pub fn flatten(
    nodes: &[TreeNode],
    collapsed: &HashSet<NodeKey>,
    guides: &mut String,
    depth: usize,
    rows: &mut Vec<Row>,
) {
    for (i, node) in nodes.iter().enumerate() {
        let last = i + 1 == nodes.len();
        let expanded = !collapsed.contains(&node.key);
        let mut g = guides.clone();
        if depth > 0 {
            g.push_str(if last { "└─" } else { "├─" });
        }
        rows.push(Row {
            key: node.key,
            depth,
            guides: g,
            has_children: !node.children.is_empty(),
            expanded,
            gone: false,
            matched: true,
        });
        if expanded && !node.children.is_empty() {
            let len = guides.len();
            if depth > 0 {
                guides.push_str(if last { "  " } else { "│ " });
            }
            flatten(&node.children, collapsed, guides, depth + 1, rows);
            guides.truncate(len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NsGraph;
    use crate::model::NsType;
    use crate::model::fixture::sample;

    fn trees(snapshot: &Snapshot) -> Trees {
        let graph = NsGraph::build(snapshot);
        Trees {
            forests: Forests {
                owner: graph.namespace_forest(Hierarchy::Owner),
                by_type: graph.namespace_forest(Hierarchy::Type),
                processes: graph.process_forest(),
            },
            ..Trees::default()
        }
    }

    #[test]
    fn rebuild_keeps_the_selection_collapses_and_filters() {
        let snapshot = sample();
        let mut t = trees(&snapshot);
        let kind = TreeKind::Namespaces;
        t.rebuild(kind, &snapshot, "", &[], 10);
        assert_eq!(t.rows.len(), snapshot.namespaces.len());
        assert_eq!(t.selected_row(kind), Some(0));
        // The nested user namespace 2, selected, then its parent collapsed: the selection
        // falls back near its old row, on a row that is still shown.
        let user2 = NodeKey::Namespace(NsType::User, 2);
        let i = t.rows.iter().position(|r| r.key == user2).unwrap();
        t.select_row(kind, i, 10);
        t.rebuild(kind, &snapshot, "", &[], 10);
        assert_eq!(t.state(kind).selected, Some(user2));
        t.namespaces
            .collapsed
            .insert(NodeKey::Namespace(NsType::User, 1));
        t.rebuild(kind, &snapshot, "", &[], 10);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.selected_row(kind), Some(0));
        // A filter keeps the matches and their ancestors, the latter marked unmatched.
        t.namespaces.collapsed.clear();
        t.rebuild(kind, &snapshot, "type:net", &[], 10);
        assert!(t.rows.iter().any(|r| r.matched));
        for row in &t.rows {
            assert_eq!(
                row.matched,
                matches!(row.key, NodeKey::Namespace(NsType::Net, _)),
                "{row:?}"
            );
        }
    }

    #[test]
    fn scrolling_keeps_the_selection_in_the_page() {
        let snapshot = sample();
        let mut t = trees(&snapshot);
        let kind = TreeKind::Namespaces;
        t.rebuild(kind, &snapshot, "", &[], 2);
        let last = t.rows.len() - 1;
        t.select_row(kind, last, 2);
        assert_eq!(t.namespaces.offset, last - 1);
        t.select_row(kind, 0, 2);
        assert_eq!(t.namespaces.offset, 0);
    }
}
