//! The command line: every subcommand and flag. These definitions also feed --help, the
//! manual pages and the completions.
//!
//! One file per personality: [`spawn`] (unshare, bwrap), [`enter`] (nsenter), [`list`] (lsns
//! and the other views); here the top level and what they share. `spawn` and `enter` turn their
//! flags into the core's specs ([`SpawnSpec`], [`EnterSpec`]); checks about the command line
//! itself happen there, those about what the kernel allows in the core.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::NsType;
use crate::output::color::ColorWhen;

pub mod bwrap;
pub mod enter;
pub mod list;
pub mod spawn;

pub use enter::EnterArgs;
pub use list::{GraphArgs, GraphFormat, ListArgs, SnapshotArgs, TreeArgs, TreeBy};
pub use spawn::{Join, MountOps, NetworkArgs, SpawnArgs, propagation_name, setgroups_name};

const ABOUT: &str = "Inspect, visualize, enter and create Linux namespaces";

const LONG_ABOUT: &str = "\
nsviz finds every namespace on this host (mnt, net, pid, user, uts, ipc, cgroup, time): those \
with processes in them, and those kept alive only by a bind mount, an open file descriptor, a \
socket, a single thread, or a child namespace. It shows how they nest and who owns them.

Run without a subcommand to open the interactive viewer; from there a key enters the namespaces \
of a process or spawns a shell in new ones.";

const AFTER_HELP: &str = "\
Examples:
  nsviz                          open the viewer on this host
  nsviz list -t net              network namespaces, like lsns -t net
  nsviz list --json              lsns -J --output-all compatible JSON
  nsviz tree --by owner          user namespaces and what they own
  nsviz snapshot > host.json     save everything; open it later with --from host.json
  nsviz enter -t 1234 -n -- ip addr
  nsviz spawn -r -pmun --mount-proc --hostname box";

#[derive(Debug, Parser)]
#[command(name = "nsviz", version, propagate_version = true, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Viewer only: rescan the host every MS milliseconds. Scanning may use about 2% of one
    /// core: on a large host a rescan reads new processes and a rotating share of the known
    /// ones, and rescans may come less often (the status line says so).
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(50..=3_600_000))]
    pub interval: u64,

    /// Colour in the viewer and in `list` and `tree` text: auto (on a terminal, unless
    /// NO_COLOR is set or TERM is dumb), always or never.
    #[arg(long, value_enum, value_name = "WHEN", global = true, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// Where the picture comes from: a live scan, or a saved snapshot.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Read a snapshot saved by `nsviz snapshot` instead of scanning this host ("-": standard
    /// input).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// The proc filesystem to scan.
    #[arg(
        long = "proc",
        value_name = "DIR",
        default_value = "/proc",
        hide_default_value = true
    )]
    pub proc_root: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List namespaces as a table (like lsns), or as lsns-compatible JSON.
    List(ListArgs),
    /// Show the namespace hierarchy as a text tree.
    Tree(TreeArgs),
    /// Print everything found as one JSON document (schema: docs/snapshot.md).
    Snapshot(SnapshotArgs),
    /// Print the namespace graph for Graphviz (dot) or Markdown (mermaid).
    Graph(GraphArgs),
    /// Run a command in namespaces of a process, or in namespaces bound to files.
    Enter(EnterArgs),
    /// Run a command in new namespaces.
    Spawn(SpawnArgs),
    /// Unbind namespaces kept with `spawn --keep NAME`, or list the kept sets.
    Forget(ForgetArgs),
    /// Print shell completions (bash, zsh, fish), made from these same definitions.
    Completions(CompletionsArgs),
    /// Print a manual page (roff): nsviz(1), or nsviz-SUBCOMMAND(1).
    Man(ManArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  nsviz completions bash > /etc/bash_completion.d/nsviz
  nsviz completions zsh > \"${fpath[1]}/_nsviz\"
  nsviz completions fish > ~/.config/fish/completions/nsviz.fish")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  nsviz man | man -l -
  nsviz man spawn > /usr/local/share/man/man1/nsviz-spawn.1")]
pub struct ManArgs {
    /// The subcommand whose page to print (list, tree, snapshot, graph, enter, spawn, forget,
    /// completions, man); without one, nsviz(1).
    #[arg(value_name = "SUBCOMMAND")]
    pub subcommand: Option<String>,
}

/// For each namespace type, an optional flag that takes an optional `=FILE`. For `enter`, `-n`
/// means "the target's net namespace" and `--net=/run/netns/x` "the one bound there"; for
/// `spawn`, `-n` means "a new net namespace" and `--net=FILE` "a new one, kept bound at FILE".
/// A flag given without FILE is stored as an empty path (see [`NsSelection::selected`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct NsSelection {
    /// Mount namespace (of the target, or the one bound at FILE).
    #[arg(short = 'm', long = "mount", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub mnt: Option<PathBuf>,
    /// UTS namespace: hostname and domain name (of the target, or the one bound at FILE).
    #[arg(short = 'u', long = "uts", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub uts: Option<PathBuf>,
    /// IPC namespace: System V IPC, POSIX message queues (of the target, or the one at FILE).
    #[arg(short = 'i', long = "ipc", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub ipc: Option<PathBuf>,
    /// Network namespace (of the target, or the one bound at FILE).
    #[arg(short = 'n', long = "net", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub net: Option<PathBuf>,
    /// PID namespace (of the target, or the one bound at FILE); the command runs in a child.
    #[arg(short = 'p', long = "pid", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub pid: Option<PathBuf>,
    /// User namespace (of the target, or the one bound at FILE).
    #[arg(short = 'U', long = "user", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub user: Option<PathBuf>,
    /// Cgroup namespace (of the target, or the one bound at FILE).
    #[arg(short = 'C', long = "cgroup", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub cgroup: Option<PathBuf>,
    /// Time namespace: clock offsets (of the target, or the one bound at FILE).
    #[arg(short = 'T', long = "time", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = path_or_empty())]
    pub time: Option<PathBuf>,
}

/// A path that may be empty: a namespace flag given without `=FILE` stores "" (clap's own
/// PathBuf parser refuses empty values).
fn path_or_empty() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().map(PathBuf::from)
}

impl NsSelection {
    /// The selected types, each with its FILE if one was given.
    pub fn selected(&self) -> Vec<(NsType, Option<&PathBuf>)> {
        NsType::ALL
            .into_iter()
            .filter_map(|t| {
                self.get(t).map(|p| {
                    (
                        t,
                        if p.as_os_str().is_empty() {
                            None
                        } else {
                            Some(p)
                        },
                    )
                })
            })
            .collect()
    }

    pub fn get(&self, t: NsType) -> Option<&PathBuf> {
        match t {
            NsType::Mnt => self.mnt.as_ref(),
            NsType::Uts => self.uts.as_ref(),
            NsType::Ipc => self.ipc.as_ref(),
            NsType::Net => self.net.as_ref(),
            NsType::Pid => self.pid.as_ref(),
            NsType::User => self.user.as_ref(),
            NsType::Cgroup => self.cgroup.as_ref(),
            NsType::Time => self.time.as_ref(),
        }
    }

    /// Selects type `t`, bound at `file` (None: no file, the flag alone).
    pub fn set(&mut self, t: NsType, file: Option<PathBuf>) {
        let value = Some(file.unwrap_or_default());
        match t {
            NsType::Mnt => self.mnt = value,
            NsType::Uts => self.uts = value,
            NsType::Ipc => self.ipc = value,
            NsType::Net => self.net = value,
            NsType::Pid => self.pid = value,
            NsType::User => self.user = value,
            NsType::Cgroup => self.cgroup = value,
            NsType::Time => self.time = value,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ForgetArgs {
    /// Names given to `nsviz spawn --keep NAME` (or `--netns-name NAME`: unbinds /run/netns/NAME); without any, list the kept sets.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}
