//! The command line: every subcommand and flag. These definitions also feed --help.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::NsType;

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
#[command(name = "nsviz", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Viewer only: rescan the host every MS milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(50..=3_600_000))]
    pub interval: u64,
}

/// Where the picture comes from: a live scan, or a saved snapshot.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Read a snapshot saved by `nsviz snapshot` instead of scanning this host.
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
}

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
    #[arg(long)]
    pub list_columns: bool,

    /// Print JSON with the keys and conventions of `lsns -J --output-all`.
    #[arg(short = 'J', long)]
    pub json: bool,

    /// Do not print the header line.
    #[arg(short = 'n', long)]
    pub noheadings: bool,
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

/// For each namespace type, an optional flag that takes an optional `=FILE`:
/// `-n` means "the target's net namespace", `--net=/run/netns/x` means "the one bound there".
#[derive(Debug, Clone, Default, Args)]
pub struct NsSelection {
    /// Mount namespace (of the target, or bound at FILE).
    #[arg(short = 'm', long = "mount", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub mnt: Option<PathBuf>,
    /// UTS namespace: hostname and domain name.
    #[arg(short = 'u', long = "uts", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub uts: Option<PathBuf>,
    /// IPC namespace: System V IPC and POSIX message queues.
    #[arg(short = 'i', long = "ipc", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub ipc: Option<PathBuf>,
    /// Network namespace.
    #[arg(short = 'n', long = "net", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub net: Option<PathBuf>,
    /// PID namespace.
    #[arg(short = 'p', long = "pid", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub pid: Option<PathBuf>,
    /// User namespace.
    #[arg(short = 'U', long = "user", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub user: Option<PathBuf>,
    /// Cgroup namespace.
    #[arg(short = 'C', long = "cgroup", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub cgroup: Option<PathBuf>,
    /// Time namespace.
    #[arg(short = 'T', long = "time", value_name = "FILE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub time: Option<PathBuf>,
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

    fn get(&self, t: NsType) -> Option<&PathBuf> {
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
}

#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  nsviz enter -t 1234 -a                     all namespaces of PID 1234, run $SHELL
  nsviz enter -t 1234 -n -u -- hostname      its net and uts namespaces
  nsviz enter --net=/run/netns/blue -- ip a  a namespace bound to a file")]
pub struct EnterArgs {
    /// The process whose namespaces to enter.
    #[arg(short = 't', long = "target", value_name = "PID")]
    pub target: Option<i32>,

    /// Enter every namespace of the target that differs from ours.
    #[arg(short = 'a', long)]
    pub all: bool,

    #[command(flatten)]
    pub ns: NsSelection,

    /// Set the user id inside (default with -U: 0).
    #[arg(short = 'S', long = "setuid", value_name = "UID")]
    pub setuid: Option<u32>,

    /// Set the group id inside (default with -U: 0).
    #[arg(short = 'G', long = "setgid", value_name = "GID")]
    pub setgid: Option<u32>,

    /// Keep the current uid, gid and groups when entering a user namespace.
    #[arg(long)]
    pub preserve_credentials: bool,

    /// Working directory inside (default: the target's, when entering its mount namespace).
    #[arg(short = 'w', long = "wd", value_name = "DIR")]
    pub wd: Option<PathBuf>,

    /// The command to run (default: $SHELL, else /bin/sh).
    #[arg(
        value_name = "CMD",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<OsString>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Setgroups {
    Allow,
    Deny,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Propagation {
    Private,
    Slave,
    Shared,
    Unchanged,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Filesystem flags (--bind, --ro-bind, --tmpfs, --symlink, --proc, --dev) are applied in the
order given. With --new-root they build a new root on tmpfs, and only they are visible.

Examples:
  nsviz spawn -r -pmuin --mount-proc --hostname box --drop-caps
  nsviz spawn -m --ro-bind /tmp/fake-issue /etc/issue -- cat /etc/issue
  nsviz spawn --uts=/tmp/keep-uts --hostname kept -- true
  nsviz spawn -r --new-root --ro-bind /usr /usr --symlink usr/bin /bin --proc /proc --tmpfs /tmp")]
pub struct SpawnArgs {
    #[command(flatten)]
    pub ns: NsSelection,

    /// Map the current user to root in a new user namespace (implies -U).
    #[arg(short = 'r', long)]
    pub map_root_user: bool,

    /// Map the current user to itself in a new user namespace (implies -U).
    #[arg(long)]
    pub map_current_user: bool,

    /// Whether setgroups(2) is allowed in the new user namespace.
    #[arg(long, value_enum, value_name = "allow|deny")]
    pub setgroups: Option<Setgroups>,

    /// Set the hostname in a new UTS namespace (implies -u).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,

    /// Mount a fresh /proc for the new PID namespace (implies -m and -p).
    #[arg(long)]
    pub mount_proc: bool,

    /// Mount propagation for the new mount namespace.
    #[arg(long, value_enum, default_value_t = Propagation::Private)]
    pub propagation: Propagation,

    /// Bind-mount SRC on DST (implies -m).
    #[arg(long, num_args = 2, value_names = ["SRC", "DST"], action = clap::ArgAction::Append)]
    pub bind: Vec<PathBuf>,

    /// Bind-mount SRC on DST read-only, nosuid, nodev (implies -m).
    #[arg(long, num_args = 2, value_names = ["SRC", "DST"], action = clap::ArgAction::Append)]
    pub ro_bind: Vec<PathBuf>,

    /// Mount an empty tmpfs on DST (implies -m).
    #[arg(long, value_name = "DST", action = clap::ArgAction::Append)]
    pub tmpfs: Vec<PathBuf>,

    /// Create a symbolic link LINK pointing at TARGET (with --new-root, inside the new root).
    #[arg(long, num_args = 2, value_names = ["TARGET", "LINK"], action = clap::ArgAction::Append)]
    pub symlink: Vec<PathBuf>,

    /// Mount procfs on DST (implies -m).
    #[arg(long = "proc", value_name = "DST", action = clap::ArgAction::Append)]
    pub proc_mounts: Vec<PathBuf>,

    /// Mount a minimal /dev (null, zero, full, random, urandom, tty, pts) on DST (implies -m).
    #[arg(long, value_name = "DST", action = clap::ArgAction::Append)]
    pub dev: Vec<PathBuf>,

    /// Build a new root on tmpfs from the filesystem flags only, pivot into it, detach the old.
    #[arg(long)]
    pub new_root: bool,

    /// Run the command as this uid (inside the new user namespace, if any).
    #[arg(long, value_name = "UID")]
    pub setuid: Option<u32>,

    /// Run the command as this gid (inside the new user namespace, if any).
    #[arg(long, value_name = "GID")]
    pub setgid: Option<u32>,

    /// Clear every capability set, bounding and ambient included, before running the command.
    #[arg(long)]
    pub drop_caps: bool,

    /// Set no_new_privs: the command cannot gain privileges through setuid files.
    #[arg(long)]
    pub no_new_privs: bool,

    /// Offset of CLOCK_MONOTONIC in a new time namespace, in seconds (implies -T).
    #[arg(long, value_name = "SECS", allow_hyphen_values = true)]
    pub monotonic: Option<i64>,

    /// Offset of CLOCK_BOOTTIME in a new time namespace, in seconds (implies -T).
    #[arg(long, value_name = "SECS", allow_hyphen_values = true)]
    pub boottime: Option<i64>,

    /// Working directory inside.
    #[arg(short = 'w', long = "wd", value_name = "DIR")]
    pub wd: Option<PathBuf>,

    /// The command to run (default: $SHELL, else /bin/sh).
    #[arg(
        value_name = "CMD",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<OsString>,
}
