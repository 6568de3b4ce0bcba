//! Text outputs of a snapshot: the lsns-like table and JSON, the tree, the snapshot document,
//! and the graph for Graphviz or Mermaid.

pub mod graph;
pub mod list;
pub mod snapshot;
pub mod tree;
