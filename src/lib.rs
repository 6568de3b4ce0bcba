//! nsviz: find every Linux namespace on a host, show how they relate, enter or create them.
//!
//! Data flows one way: [`scan`] reads /proc into a [`model::Snapshot`], [`graph`] builds the
//! relations views need, and [`output`] / [`tui`] present them. Changing namespaces goes only
//! through [`ns`]. System calls go through `sys`, the only module allowed `unsafe`.

#![deny(unsafe_code)]

pub mod cli;
pub mod conventions;
pub mod describe;
pub mod error;
pub mod graph;
pub mod model;
pub mod netlink;
pub mod ns;
pub mod output;
pub mod sanitize;
pub mod scan;
pub mod source;
#[allow(unsafe_code)]
pub(crate) mod sys;
pub mod tui;
