//! The state of the namespace and process trees: the forests a scan gives, the visible rows,
//! each tree's selection, collapsed nodes and scroll, and the namespaces marked new or gone.
//! The tree views draw from this alone.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::graph::{Hierarchy, NodeKey, TreeNode};
use crate::model::Namespace;

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
