//! The namespace graph built from a snapshot, and the queries views need.
//!
//! Nodes are namespaces and processes; edges say how they relate (membership, parent,
//! ownership, holding). Views ask for forests: the namespace hierarchy arranged by owner, by
//! parent or by type, and the process tree. Tree nodes carry stable keys (type+inode, pid) so a
//! view's selection and expansion survive a rescan.

use std::collections::{HashMap, HashSet};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::{NsId, NsType, Pid, Snapshot};

/// A node of the graph, and the stable key of a tree row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKey {
    Namespace(NsType, NsId),
    Process(Pid),
    /// A heading that groups namespaces of one type (the by-type arrangement).
    Group(NsType),
}

/// How a relation links two nodes. Edges point from the dependent to what it depends on:
/// process -> namespace, child -> parent, namespace -> owning user namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The process is in the namespace.
    Member,
    /// The process holds the namespace through an open nsfs fd or a socket, or its
    /// children are born in it (pid_for_children, time_for_children).
    Holds,
    /// Child namespace -> parent namespace (user and pid).
    Parent,
    /// Namespace -> the user namespace that owns it.
    Owner,
    /// Process -> its parent process.
    ChildOf,
}

/// How to arrange namespaces into a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hierarchy {
    /// User namespaces at the top, the namespaces each owns beneath it; nested user and pid
    /// namespaces under their parents.
    Owner,
    /// Only the parent relation: user and pid namespaces nested, the other types flat.
    Parent,
    /// One group per type.
    Type,
}

/// One row of a tree and the rows beneath it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeNode {
    pub key: NodeKey,
    pub children: Vec<TreeNode>,
}

/// Deeper trees than this are cut and their remainder shown as extra roots, so a hostile
/// snapshot file cannot exhaust the stack.
const MAX_DEPTH: usize = 256;

pub struct NsGraph {
    pub graph: DiGraph<NodeKey, Relation>,
    index: HashMap<NodeKey, NodeIndex>,
}

impl NsGraph {
    pub fn build(snapshot: &Snapshot) -> NsGraph {
        let mut g = NsGraph {
            graph: DiGraph::new(),
            index: HashMap::new(),
        };
        for ns in &snapshot.namespaces {
            g.node(NodeKey::Namespace(ns.ns_type, ns.id));
        }
        for p in &snapshot.processes {
            g.node(NodeKey::Process(p.pid));
        }
        for ns in &snapshot.namespaces {
            let key = NodeKey::Namespace(ns.ns_type, ns.id);
            if let Some(parent) = ns.parent {
                g.link(
                    key,
                    NodeKey::Namespace(ns.ns_type, parent),
                    Relation::Parent,
                );
            }
            if let Some(owner) = ns.owner.filter(|_| ns.ns_type != NsType::User) {
                g.link(
                    key,
                    NodeKey::Namespace(NsType::User, owner),
                    Relation::Owner,
                );
            }
            for &pid in &ns.processes {
                g.link(NodeKey::Process(pid), key, Relation::Member);
            }
            // Fds, sockets and for_children links are held by a process; mounts and threads
            // are not (a thread's process is found through /proc when needed).
            let holders = ns.other_holders().filter_map(|h| h.pid());
            for pid in holders {
                g.link(NodeKey::Process(pid), key, Relation::Holds);
            }
        }
        for p in &snapshot.processes {
            if p.ppid != p.pid {
                g.link(
                    NodeKey::Process(p.pid),
                    NodeKey::Process(p.ppid),
                    Relation::ChildOf,
                );
            }
        }
        g
    }

    fn node(&mut self, key: NodeKey) -> NodeIndex {
        *self
            .index
            .entry(key)
            .or_insert_with(|| self.graph.add_node(key))
    }

    /// Adds an edge when both ends exist (a parent outside the snapshot is simply not linked).
    fn link(&mut self, from: NodeKey, to: NodeKey, relation: Relation) {
        if let (Some(&a), Some(&b)) = (self.index.get(&from), self.index.get(&to)) {
            self.graph.add_edge(a, b, relation);
        }
    }

    pub fn contains(&self, key: NodeKey) -> bool {
        self.index.contains_key(&key)
    }

    /// Nodes that point at `key` with `relation` (the children, the owned, the members).
    pub fn incoming(&self, key: NodeKey, relation: Relation) -> Vec<NodeKey> {
        self.neighbors(key, relation, Direction::Incoming)
    }

    /// Nodes `key` points at with `relation` (its parent, its owner, its namespaces).
    pub fn outgoing(&self, key: NodeKey, relation: Relation) -> Vec<NodeKey> {
        self.neighbors(key, relation, Direction::Outgoing)
    }

    fn neighbors(&self, key: NodeKey, relation: Relation, dir: Direction) -> Vec<NodeKey> {
        let Some(&i) = self.index.get(&key) else {
            return Vec::new();
        };
        let mut out: Vec<NodeKey> = self
            .graph
            .edges_directed(i, dir)
            .filter(|e| *e.weight() == relation)
            .map(|e| {
                self.graph[if dir == Direction::Incoming {
                    e.source()
                } else {
                    e.target()
                }]
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The node under which `key` sits in the owner arrangement: a pid namespace sits under
    /// its parent pid namespace when both have the same owner, else under its owner; a user
    /// namespace under its parent; anything else under its owner.
    fn owner_place(&self, key: NodeKey) -> Option<NodeKey> {
        let NodeKey::Namespace(t, _) = key else {
            return None;
        };
        let parent = self.outgoing(key, Relation::Parent).into_iter().next();
        if t == NsType::User {
            return parent;
        }
        let owner = self.outgoing(key, Relation::Owner).into_iter().next();
        match parent {
            Some(p) if self.outgoing(p, Relation::Owner).into_iter().next() == owner => Some(p),
            _ => owner,
        }
    }

    /// The namespaces arranged as a forest. Roots and siblings are sorted by (type, id).
    pub fn namespace_forest(&self, how: Hierarchy) -> Vec<TreeNode> {
        let mut namespaces: Vec<NodeKey> = self
            .graph
            .node_weights()
            .copied()
            .filter(|k| matches!(k, NodeKey::Namespace(..)))
            .collect();
        namespaces.sort();
        if how == Hierarchy::Type {
            let mut groups: Vec<TreeNode> = Vec::new();
            for key in namespaces {
                let NodeKey::Namespace(t, _) = key else {
                    continue;
                };
                let leaf = TreeNode {
                    key,
                    children: Vec::new(),
                };
                match groups.last_mut() {
                    Some(g) if g.key == NodeKey::Group(t) => g.children.push(leaf),
                    _ => groups.push(TreeNode {
                        key: NodeKey::Group(t),
                        children: vec![leaf],
                    }),
                }
            }
            return groups;
        }
        let place = |key: NodeKey| match how {
            Hierarchy::Owner => self.owner_place(key),
            _ => self.outgoing(key, Relation::Parent).into_iter().next(),
        };
        let mut children: HashMap<NodeKey, Vec<NodeKey>> = HashMap::new();
        let mut roots = Vec::new();
        for &key in &namespaces {
            match place(key) {
                Some(up) => children.entry(up).or_default().push(key),
                None => roots.push(key),
            }
        }
        assemble(roots, &children, &namespaces)
    }

    /// The process tree, like pstree: roots are processes whose parent is not in the snapshot.
    pub fn process_forest(&self) -> Vec<TreeNode> {
        let mut processes: Vec<NodeKey> = self
            .graph
            .node_weights()
            .copied()
            .filter(|k| matches!(k, NodeKey::Process(_)))
            .collect();
        processes.sort();
        let mut children: HashMap<NodeKey, Vec<NodeKey>> = HashMap::new();
        let mut roots = Vec::new();
        for &key in &processes {
            match self.outgoing(key, Relation::ChildOf).into_iter().next() {
                Some(parent) => children.entry(parent).or_default().push(key),
                None => roots.push(key),
            }
        }
        assemble(roots, &children, &processes)
    }
}

/// Builds trees from roots and a children map. Every node appears exactly once: nodes caught
/// in a cycle (possible only in a corrupt snapshot file) or below MAX_DEPTH become roots.
fn assemble(
    roots: Vec<NodeKey>,
    children: &HashMap<NodeKey, Vec<NodeKey>>,
    all: &[NodeKey],
) -> Vec<TreeNode> {
    let mut placed = HashSet::new();
    let mut deferred = Vec::new();
    let mut forest: Vec<TreeNode> = roots
        .into_iter()
        .map(|r| grow(r, children, &mut placed, &mut deferred, 0))
        .collect();
    // Nodes not reached from a root are in cycles; `all` is walked once to find them, so a
    // snapshot of many namespaces that are their own parent stays linear.
    let mut unplaced = all.iter().copied();
    loop {
        let next: Vec<NodeKey> = deferred.drain(..).filter(|k| !placed.contains(k)).collect();
        let next = if next.is_empty() {
            unplaced.find(|k| !placed.contains(k)).into_iter().collect()
        } else {
            next
        };
        if next.is_empty() {
            break;
        }
        for key in next {
            if !placed.contains(&key) {
                forest.push(grow(key, children, &mut placed, &mut deferred, 0));
            }
        }
    }
    forest
}

fn grow(
    key: NodeKey,
    children: &HashMap<NodeKey, Vec<NodeKey>>,
    placed: &mut HashSet<NodeKey>,
    deferred: &mut Vec<NodeKey>,
    depth: usize,
) -> TreeNode {
    placed.insert(key);
    let mut node = TreeNode {
        key,
        children: Vec::new(),
    };
    for &child in children.get(&key).map(Vec::as_slice).unwrap_or_default() {
        if placed.contains(&child) {
            continue;
        }
        if depth + 1 >= MAX_DEPTH {
            deferred.push(child);
        } else {
            node.children
                .push(grow(child, children, placed, deferred, depth + 1));
        }
    }
    node
}

/// The namespace forest of a snapshot (builds the graph; views that ask several questions
/// should build an [`NsGraph`] once instead).
pub fn namespace_forest(snapshot: &Snapshot, how: Hierarchy) -> Vec<TreeNode> {
    NsGraph::build(snapshot).namespace_forest(how)
}

pub fn process_forest(snapshot: &Snapshot) -> Vec<TreeNode> {
    NsGraph::build(snapshot).process_forest()
}

/// Keeps the nodes for which `keep` is true and their ancestors, so a filtered tree still
/// shows where each match sits.
pub fn filter_forest(forest: &[TreeNode], keep: &dyn Fn(&NodeKey) -> bool) -> Vec<TreeNode> {
    forest
        .iter()
        .filter_map(|node| {
            let children = filter_forest(&node.children, keep);
            (keep(&node.key) || !children.is_empty()).then_some(TreeNode {
                key: node.key,
                children,
            })
        })
        .collect()
}

/// Visits every node depth-first with its depth.
pub fn walk<'a>(forest: &'a [TreeNode], visit: &mut dyn FnMut(&'a TreeNode, usize)) {
    fn go<'a>(nodes: &'a [TreeNode], depth: usize, visit: &mut dyn FnMut(&'a TreeNode, usize)) {
        for n in nodes {
            visit(n, depth);
            go(&n.children, depth + 1, visit);
        }
    }
    go(forest, 0, visit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{process, sample};

    fn render(forest: &[TreeNode]) -> String {
        let mut out = String::new();
        walk(forest, &mut |n, depth| {
            let label = match n.key {
                NodeKey::Namespace(t, id) => format!("{t}:{id}"),
                NodeKey::Process(p) => format!("pid {p}"),
                NodeKey::Group(t) => format!("[{t}]"),
            };
            out.push_str(&format!("{}{label}\n", "  ".repeat(depth)));
        });
        out
    }

    #[test]
    fn owner_arrangement_nests_owned_and_child_namespaces() {
        let forest = namespace_forest(&sample(), Hierarchy::Owner);
        assert_eq!(
            render(&forest),
            "user:1\n  user:2\n    user:3\n    pid:11\n      pid:12\n    net:21\n  pid:10\n  net:20\n"
        );
    }

    #[test]
    fn parent_arrangement_keeps_only_parent_links() {
        let forest = namespace_forest(&sample(), Hierarchy::Parent);
        assert_eq!(
            render(&forest),
            "user:1\n  user:2\n    user:3\npid:10\n  pid:11\n    pid:12\nnet:20\nnet:21\n"
        );
    }

    #[test]
    fn type_arrangement_groups() {
        let forest = namespace_forest(&sample(), Hierarchy::Type);
        assert_eq!(
            render(&forest),
            "[user]\n  user:1\n  user:2\n  user:3\n[pid]\n  pid:10\n  pid:11\n  pid:12\n[net]\n  net:20\n  net:21\n"
        );
    }

    #[test]
    fn process_tree_and_filter_keeps_ancestors() {
        let forest = process_forest(&sample());
        assert_eq!(render(&forest), "pid 1\n  pid 2\n    pid 3\n  pid 4\n");
        let only3 = filter_forest(&forest, &|k| *k == NodeKey::Process(3));
        assert_eq!(render(&only3), "pid 1\n  pid 2\n    pid 3\n");
        assert!(filter_forest(&forest, &|_| false).is_empty());
    }

    #[test]
    fn cycles_in_a_corrupt_snapshot_do_not_hang_or_lose_nodes() {
        let mut s = sample();
        s.processes = vec![process(5, 6), process(6, 5)];
        let forest = process_forest(&s);
        let mut seen = Vec::new();
        walk(&forest, &mut |n, _| seen.push(n.key));
        seen.sort();
        assert_eq!(seen, vec![NodeKey::Process(5), NodeKey::Process(6)]);
    }

    #[test]
    fn deep_chains_are_cut_not_overflowed() {
        let s = Snapshot {
            processes: (1..=2000).map(|p| process(p, p - 1)).collect(),
            ..Default::default()
        };
        let forest = process_forest(&s);
        let mut count = 0;
        let mut max_depth = 0;
        walk(&forest, &mut |_, d| {
            count += 1;
            max_depth = max_depth.max(d);
        });
        assert_eq!(count, 2000);
        assert!(max_depth < MAX_DEPTH);
    }

    #[test]
    fn queries_follow_relations() {
        let g = NsGraph::build(&sample());
        assert_eq!(
            g.incoming(NodeKey::Namespace(NsType::Net, 21), Relation::Member),
            vec![NodeKey::Process(3)]
        );
        assert_eq!(
            g.outgoing(NodeKey::Namespace(NsType::Pid, 11), Relation::Parent),
            vec![NodeKey::Namespace(NsType::Pid, 10)]
        );
        assert_eq!(
            g.incoming(NodeKey::Namespace(NsType::User, 2), Relation::Owner),
            vec![
                NodeKey::Namespace(NsType::Pid, 11),
                NodeKey::Namespace(NsType::Pid, 12),
                NodeKey::Namespace(NsType::Net, 21)
            ]
        );
    }
}
