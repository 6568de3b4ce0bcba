//! `nsviz list`, `tree`, `snapshot` and `graph`: what to show of the picture, and how.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::SourceArgs;
use crate::model::NsType;

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Only namespaces of this type (repeatable): user, mnt, pid, net, uts, ipc, cgroup, time.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub types: Vec<NsType>,

    /// Only the namespaces of this process.
    #[arg(short = 'p', long = "task", value_name = "PID")]
    pub pid: Option<i32>,

    /// Columns to show, comma separated (see --list-columns); a leading + adds to the default.
    #[arg(short = 'o', long = "output", value_name = "COLS")]
    pub columns: Option<String>,

    /// Show every column.
    #[arg(long)]
    pub output_all: bool,

    /// Print the columns that -o accepts, with a description of each.
    #[arg(short = 'H', long)]
    pub list_columns: bool,

    /// Print JSON with the keys and conventions of lsns -J: the columns of -o, else those of
    /// `lsns -J --output-all`; nested under "children" with --tree.
    #[arg(short = 'J', long)]
    pub json: bool,

    /// Raw output: one space between columns, no alignment, spaces and non-ASCII escaped.
    #[arg(short = 'r', long, conflicts_with = "json")]
    pub raw: bool,

    /// A flat list: with a NAMESPACE, its processes without the tree of parent and child.
    #[arg(short = 'l', long)]
    pub list: bool,

    /// Do not truncate COMMAND (and the other long columns) to the terminal's width.
    #[arg(short = 'u', long)]
    pub notruncate: bool,

    /// Accepted for lsns: nsviz never splits a cell over several lines (NSFS is comma separated).
    #[arg(short = 'W', long)]
    pub nowrap: bool,

    /// Show namespaces as a tree: under their owner (user namespace, the default), their parent
    /// (user and pid), or flat by process, as lsns does.
    #[arg(short = 'T', long, value_enum, value_name = "REL", num_args = 0..=1,
          require_equals = true, default_missing_value = "owner")]
    pub tree: Option<TreeBy>,

    /// Only namespaces no process is in (kept by a bind mount, an fd, a socket, a thread, a
    /// child namespace).
    #[arg(short = 'P', long)]
    pub persistent: bool,

    /// Only the rows for which EXPR is true: lsns 2.41's filter language, e.g.
    /// 'TYPE == "net" && NPROCS > 1', 'COMMAND =~ "^sleep"', 'not (PID eq 1)' (docs/list.md).
    #[arg(short = 'Q', long, value_name = "EXPR")]
    pub filter: Option<String>,

    /// Do not print the header line.
    #[arg(short = 'n', long)]
    pub noheadings: bool,

    /// A namespace (inode number): list the processes in it, as a tree of parent and child
    /// (default columns PID PPID USER COMMAND), as `lsns NS` does.
    #[arg(value_name = "NAMESPACE")]
    pub namespace: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TreeBy {
    /// User namespaces with the namespaces they own beneath them.
    Owner,
    /// Parent/child hierarchy of user and pid namespaces.
    Parent,
    /// The process tree, each process with the namespaces where it differs from its parent.
    Process,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// How to arrange the tree.
    #[arg(long, value_enum, default_value_t = TreeBy::Owner)]
    pub by: TreeBy,

    /// Only namespaces of this type (repeatable); their ancestors are kept for context.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub types: Vec<NsType>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// One line instead of indented JSON.
    #[arg(long)]
    pub compact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz: `nsviz graph | dot -Tsvg > ns.svg`.
    Dot,
    /// Mermaid flowchart, for Markdown pages.
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    /// Only namespaces of this type (repeatable); user namespaces are always kept as the frame.
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub types: Vec<NsType>,

    /// Leave out the initial (host) namespaces other than the root user namespace.
    #[arg(long)]
    pub hide_initial: bool,
}
