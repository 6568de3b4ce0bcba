//! The command line: every subcommand and flag. These definitions also feed --help.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::model::NsType;
use crate::ns::join::both_join_and_create;
pub use crate::ns::spec::{
    EnterFrom, EnterSpec, IfAddr, JoinFrom, Mapping, NetworkSpec, Propagation, Setgroups,
    SetupStep, SpawnNs, SpawnSpec, VethNames, check_ifname,
};

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

/// Help for the namespace flags when they create namespaces (spawn) rather than join them.
/// The same [`NsSelection`] parses both; only the wording differs.
fn spawn_ns_help_args(arg: clap::Arg) -> clap::Arg {
    let text = match arg.get_id().as_str() {
        "mnt" => "New mount namespace; =FILE also binds it to FILE to keep it",
        "uts" => "New UTS namespace (hostname); =FILE also binds it to FILE",
        "ipc" => "New IPC namespace; =FILE also binds it to FILE",
        "net" => "New network namespace (only a loopback, down); =FILE also binds it to FILE",
        "pid" => "New PID namespace, the command under a small init as PID 1; =FILE binds it",
        "user" => "New user namespace; =FILE also binds it to FILE",
        "cgroup" => "New cgroup namespace; =FILE also binds it to FILE",
        "time" => "New time namespace (see --monotonic, --boottime); =FILE also binds it to FILE",
        _ => return arg,
    };
    arg.help(text)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
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
    ///
    /// Options are read up to the first word that is not one, or up to `--`; everything from
    /// there on is the command and its arguments.
    #[arg(value_name = "CMD", trailing_var_arg = true)]
    pub command: Vec<OsString>,
}

impl ValueEnum for Setgroups {
    fn value_variants<'a>() -> &'a [Self] {
        &[Setgroups::Allow, Setgroups::Deny]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(setgroups_name(*self)))
    }
}

/// The value of `--setgroups`.
pub fn setgroups_name(s: Setgroups) -> &'static str {
    match s {
        Setgroups::Allow => "allow",
        Setgroups::Deny => "deny",
    }
}

impl ValueEnum for Propagation {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Propagation::Private,
            Propagation::Slave,
            Propagation::Shared,
            Propagation::Unchanged,
        ]
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(propagation_name(*self)))
    }
}

/// The value of `--propagation`.
pub fn propagation_name(p: Propagation) -> &'static str {
    match p {
        Propagation::Private => "private",
        Propagation::Slave => "slave",
        Propagation::Shared => "shared",
        Propagation::Unchanged => "unchanged",
    }
}

/// The filesystem flags of `spawn`, kept in command-line order.
///
/// clap's derive gives one Vec per flag and loses the order across flags, so this type
/// implements [`Args`] by hand: it declares the six flags and, after parsing, merges their
/// values by position (`ArgMatches::indices_of`). Code that builds a [`SpawnArgs`] (the
/// viewer) fills `mount_ops.0` directly, in the order it wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountOps(pub Vec<SetupStep>);

/// (arg id, long flag, value names, help)
const MOUNT_FLAGS: [(&str, &[&str], &str); 6] = [
    (
        "bind",
        &["SRC", "DST"],
        "Bind-mount SRC on DST (implies -m)",
    ),
    (
        "ro-bind",
        &["SRC", "DST"],
        "Bind-mount SRC on DST read-only, nosuid, nodev (implies -m)",
    ),
    (
        "tmpfs",
        &["DST"],
        "Mount an empty tmpfs on DST (implies -m)",
    ),
    (
        "symlink",
        &["TARGET", "LINK"],
        "Create a symbolic link LINK pointing at TARGET (with --new-root, inside the new root)",
    ),
    (
        "proc",
        &["DST"],
        "Mount procfs on DST (implies -m; with -p it shows the new PID namespace)",
    ),
    (
        "dev",
        &["DST"],
        "Mount a minimal /dev (null, zero, full, random, urandom, tty, pts) on DST (implies -m)",
    ),
];

impl clap::FromArgMatches for MountOps {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut found: Vec<(usize, SetupStep)> = Vec::new();
        for (id, names, _) in MOUNT_FLAGS {
            let (Some(values), Some(indices)) = (m.get_many::<PathBuf>(id), m.indices_of(id))
            else {
                continue;
            };
            let values: Vec<PathBuf> = values.cloned().collect();
            let indices: Vec<usize> = indices.collect();
            for (chunk, index) in values.chunks(names.len()).zip(indices.chunks(names.len())) {
                let first = chunk[0].clone();
                let second = || chunk.get(1).cloned().unwrap_or_default();
                let op = match id {
                    "bind" => SetupStep::Bind {
                        src: first,
                        dst: second(),
                    },
                    "ro-bind" => SetupStep::RoBind {
                        src: first,
                        dst: second(),
                    },
                    "tmpfs" => SetupStep::Tmpfs { dst: first },
                    "symlink" => SetupStep::Symlink {
                        target: first,
                        link: second(),
                    },
                    "proc" => SetupStep::Proc { dst: first },
                    _ => SetupStep::Dev { dst: first },
                };
                found.push((index[0], op));
            }
        }
        found.sort_by_key(|(index, _)| *index);
        Ok(MountOps(found.into_iter().map(|(_, op)| op).collect()))
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for MountOps {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        MOUNT_FLAGS.into_iter().fold(cmd, |cmd, (id, names, help)| {
            cmd.arg(
                clap::Arg::new(id)
                    .long(id)
                    .num_args(names.len())
                    .value_names(names)
                    .value_parser(clap::value_parser!(PathBuf))
                    // A path may start with "-": the argv the viewer renders must parse back.
                    .allow_hyphen_values(true)
                    .action(clap::ArgAction::Append)
                    .help(help),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
#[command(mut_args(spawn_ns_help_args))]
#[command(after_help = "\
Filesystem flags (--bind, --ro-bind, --tmpfs, --symlink, --proc, --dev) are applied in the
order given. With --new-root they build a new root on tmpfs, and only they are visible.

Examples:
  nsviz spawn -r -pmuin --mount-proc --hostname box --drop-caps
  nsviz spawn -m --ro-bind /tmp/fake-issue /etc/issue -- cat /etc/issue
  nsviz spawn --uts=/tmp/keep-uts --hostname kept -- true
  nsviz spawn -r --new-root --ro-bind /usr /usr --symlink usr/bin /bin --proc /proc --tmpfs /tmp
  nsviz spawn --veth --addr 10.0.0.2/24 --peer-addr 10.0.0.1/24 --route -- ip addr
  nsviz spawn -U -r -m -p --mount-proc --join net=/run/netns/blue")]
pub struct SpawnArgs {
    #[command(flatten)]
    pub ns: NsSelection,

    /// Accepted for unshare compatibility: nsviz always forks where a new PID namespace needs it.
    #[arg(short = 'f', long)]
    pub fork: bool,

    /// Map the current user to root in a new user namespace (implies -U).
    #[arg(short = 'r', long)]
    pub map_root_user: bool,

    /// Map the current user to itself in a new user namespace (implies -U).
    #[arg(short = 'c', long, conflicts_with = "map_root_user")]
    pub map_current_user: bool,

    /// Whether setgroups(2) is allowed in the new user namespace (default with a map: deny).
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

    #[command(flatten)]
    pub mount_ops: MountOps,

    /// Build a new root on tmpfs from the filesystem flags only, pivot into it, detach the old.
    #[arg(long)]
    pub new_root: bool,

    /// Run the command as this uid (inside the new user namespace, if any).
    #[arg(short = 'S', long, value_name = "UID")]
    pub setuid: Option<u32>,

    /// Run the command as this gid (inside the new user namespace, if any).
    #[arg(short = 'G', long, value_name = "GID")]
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

    /// Keep every new namespace bound under /run/nsviz/NAME/ (remove with `nsviz forget NAME`).
    #[arg(long, value_name = "NAME")]
    pub keep: Option<String>,

    /// Join an existing namespace instead of creating one: TYPE=FILE (/run/netns/blue, a kept
    /// file) or TYPE=PID (repeatable; e.g. --join net=/run/netns/blue).
    #[arg(long = "join", value_name = "TYPE=FILE|PID", value_parser = join_parser())]
    pub joins: Vec<Join>,

    #[command(flatten)]
    pub network: Box<NetworkArgs>,

    /// Working directory inside.
    #[arg(short = 'w', long = "wd", value_name = "DIR")]
    pub wd: Option<PathBuf>,

    /// The command to run (default: $SHELL, else /bin/sh).
    ///
    /// Options are read up to the first word that is not one, or up to `--`; everything from
    /// there on is the command and its arguments.
    #[arg(value_name = "CMD", trailing_var_arg = true)]
    pub command: Vec<OsString>,
}

#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct ForgetArgs {
    /// Names given to `nsviz spawn --keep NAME` (or `--netns-name NAME`: unbinds /run/netns/NAME); without any, list the kept sets.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

/// `--join TYPE=FILE|PID`: a namespace to join rather than create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub ns_type: NsType,
    pub from: JoinFrom,
}

fn join_parser() -> impl clap::builder::TypedValueParser<Value = Join> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().try_map(|v| parse_join(&v))
}

fn parse_join(value: &std::ffi::OsStr) -> Result<Join, String> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = value.as_bytes();
    let split = bytes.iter().position(|&b| b == b'=');
    let Some(at) = split else {
        return Err("expected TYPE=FILE or TYPE=PID, e.g. net=/run/netns/blue".into());
    };
    let name = String::from_utf8_lossy(&bytes[..at]);
    let ns_type: NsType = name.parse().map_err(|_| {
        format!(
            "unknown namespace type '{}'",
            crate::sanitize::for_terminal(&name)
        )
    })?;
    let rest = &bytes[at + 1..];
    if rest.is_empty() {
        return Err("expected a file or a PID after '='".into());
    }
    let from = match std::str::from_utf8(rest)
        .ok()
        .and_then(|t| t.parse::<i32>().ok())
    {
        Some(pid) if pid > 0 => JoinFrom::Pid(pid),
        _ => JoinFrom::File(PathBuf::from(std::ffi::OsStr::from_bytes(rest))),
    };
    Ok(Join { ns_type, from })
}

/// Connecting a new network namespace (spawn): a veth pair, or pasta; a name for `ip netns`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct NetworkArgs {
    /// Connect the new network namespace (implies -n) to this one with a veth pair: OUTSIDE
    /// stays here, INSIDE moves in (default: the first free nsvizN, and eth0).
    #[arg(long, value_name = "OUTSIDE[:INSIDE]", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = parse_veth)]
    pub veth: Option<VethNames>,

    /// Address of the inside end, ADDR/PREFIX, IPv4 or IPv6 (repeatable; needs --veth).
    #[arg(long = "addr", value_name = "ADDR/PFX", requires = "veth")]
    pub addrs: Vec<IfAddr>,

    /// Address of the outside end, ADDR/PREFIX (repeatable; needs --veth).
    #[arg(long = "peer-addr", value_name = "ADDR/PFX", requires = "veth")]
    pub peer_addrs: Vec<IfAddr>,

    /// Inside, a default route through the outside end's address of each family (needs --peer-addr).
    #[arg(long, requires = "peer_addrs")]
    pub route: bool,

    /// Attach the outside end to this existing bridge (needs --veth).
    #[arg(long, value_name = "BRIDGE", requires = "veth")]
    pub bridge: Option<String>,

    /// Name the new network namespace for ip netns: bind it at /run/netns/NAME (implies -n;
    /// remove with `nsviz forget NAME` or `ip netns delete NAME`).
    #[arg(long, value_name = "NAME")]
    pub netns_name: Option<String>,

    /// Connect the new network namespace (implies -n) to the outside through pasta (package
    /// passt), also for a non-root user.
    #[arg(long, conflicts_with = "veth")]
    pub pasta: bool,
}

fn parse_veth(value: &str) -> Result<VethNames, String> {
    let (outside, inside) = match value.split_once(':') {
        Some((o, i)) => (o, Some(i)),
        None => (value, None),
    };
    let name = |n: &str| -> Result<Option<String>, String> {
        if n.is_empty() {
            return Ok(None);
        }
        check_ifname(n)?;
        Ok(Some(n.to_string()))
    };
    Ok(VethNames {
        outside: name(outside)?,
        inside: match inside {
            Some(i) => name(i)?,
            None => None,
        },
    })
}

impl EnterArgs {
    /// The request for the core: the namespace flags become where each namespace comes from.
    pub fn to_spec(&self) -> EnterSpec {
        let namespaces = self
            .ns
            .selected()
            .into_iter()
            .map(|(t, file)| {
                let from = match file {
                    Some(f) => EnterFrom::File(f.clone()),
                    None => EnterFrom::Target,
                };
                (t, from)
            })
            .collect();
        EnterSpec {
            target: self.target,
            all: self.all,
            namespaces,
            setuid: self.setuid,
            setgid: self.setgid,
            preserve_credentials: self.preserve_credentials,
            wd: self.wd.clone(),
            command: self.command.clone(),
        }
    }
}

impl SpawnArgs {
    /// The request for the core. Refuses what only the command line can get wrong: a type
    /// both joined and named to be created, or joined twice.
    pub fn to_spec(&self) -> Result<SpawnSpec, Error> {
        let mut namespaces: std::collections::BTreeMap<NsType, SpawnNs> = self
            .ns
            .selected()
            .into_iter()
            .map(|(t, file)| {
                let ns = match file {
                    Some(f) => SpawnNs::NewBoundAt(f.clone()),
                    None => SpawnNs::New,
                };
                (t, ns)
            })
            .collect();
        for join in &self.joins {
            let t = join.ns_type;
            match namespaces.get(&t) {
                Some(SpawnNs::Join(_)) => {
                    return Err(Error::usage(format!("--join {t} is given twice")));
                }
                Some(_) => return Err(both_join_and_create(t)),
                None => {
                    namespaces.insert(t, SpawnNs::Join(join.from.clone()));
                }
            }
        }
        let mapping = if self.map_root_user {
            Mapping::Root
        } else if self.map_current_user {
            Mapping::Current
        } else {
            Mapping::None
        };
        Ok(SpawnSpec {
            namespaces,
            mapping,
            setgroups: self.setgroups,
            hostname: self.hostname.clone(),
            mount_proc: self.mount_proc,
            propagation: self.propagation,
            setup: self.mount_ops.0.clone(),
            new_root: self.new_root,
            setuid: self.setuid,
            setgid: self.setgid,
            drop_caps: self.drop_caps,
            no_new_privs: self.no_new_privs,
            monotonic: self.monotonic,
            boottime: self.boottime,
            keep: self.keep.clone(),
            network: self.network.to_spec(),
            wd: self.wd.clone(),
            command: self.command.clone(),
        })
    }
}

impl NetworkArgs {
    pub fn to_spec(&self) -> NetworkSpec {
        NetworkSpec {
            veth: self.veth.clone(),
            addrs: self.addrs.clone(),
            peer_addrs: self.peer_addrs.clone(),
            route: self.route,
            bridge: self.bridge.clone(),
            netns_name: self.netns_name.clone(),
            pasta: self.pasta,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ns::network::{Connect, DEFAULT_INSIDE};
    use crate::ns::spawn::Plan;
    use clap::Parser;

    fn spawn(args: &[&str]) -> std::result::Result<SpawnArgs, clap::Error> {
        let argv = ["nsviz", "spawn"].iter().chain(args);
        match Cli::try_parse_from(argv)?.command {
            Some(Command::Spawn(a)) => Ok(a),
            other => panic!("{other:?}"),
        }
    }

    fn spec(args: &[&str]) -> std::result::Result<SpawnSpec, clap::Error> {
        Ok(spawn(args)?.to_spec().expect("a spec"))
    }

    #[test]
    fn veth_names_default_and_are_checked() {
        let a = spawn(&["--veth"]).unwrap();
        let veth = a.network.veth.clone().unwrap();
        assert_eq!((veth.outside, veth.inside), (None, None));
        let a = spawn(&["--veth=out0:in0"]).unwrap();
        let veth = a.network.veth.clone().unwrap();
        assert_eq!(
            (veth.outside.as_deref(), veth.inside.as_deref()),
            (Some("out0"), Some("in0"))
        );
        assert!(spawn(&["--veth=a/b"]).is_err());
        assert!(spawn(&["--veth=sixteen-chars-xx"]).is_err());
        // The address flags need --veth, --route needs an outside address.
        assert!(spawn(&["-n", "--addr", "10.0.0.2/24"]).is_err());
        assert!(spawn(&["--veth", "--route"]).is_err());
        assert!(spawn(&["--veth", "--pasta"]).is_err());
    }

    #[test]
    fn joins_name_a_type_and_a_file_or_pid() {
        let a = spawn(&["--join", "net=/run/netns/blue", "--join", "ipc=42"]).unwrap();
        assert_eq!(a.joins[0].ns_type, NsType::Net);
        assert_eq!(a.joins[0].from, JoinFrom::File("/run/netns/blue".into()));
        assert_eq!(a.joins[1].from, JoinFrom::Pid(42));
        for bad in ["net", "bogus=1", "net="] {
            assert!(spawn(&["--join", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn plans_imply_a_network_namespace_and_refuse_joining_one_made() {
        let plan = Plan::new(&spec(&["--veth", "-U"]).unwrap()).unwrap();
        assert_eq!(plan.types, vec![NsType::User, NsType::Net]);
        let Some(Connect::Veth(veth)) = plan.connect else {
            panic!("no veth")
        };
        assert_eq!(veth.inside, DEFAULT_INSIDE);

        let plan = Plan::new(&spec(&["-U", "--join", "net=/run/netns/blue"]).unwrap()).unwrap();
        assert_eq!(plan.types, vec![NsType::User]);
        assert_eq!(plan.joined, vec![NsType::Net]);

        let err = Plan::new(&spec(&["--veth", "--join", "net=1"]).unwrap()).unwrap_err();
        let explicit = spawn(&["-n", "--join", "net=1"])
            .unwrap()
            .to_spec()
            .unwrap_err();
        assert_eq!(explicit.message(), err.message());
        assert_eq!(err.code(), crate::error::exit::USAGE);
        assert!(
            err.message()
                .starts_with("cannot both join and create a net namespace")
        );
        let err = Plan::new(&spec(&["--veth=x:x"]).unwrap()).unwrap_err();
        assert_eq!(err.code(), crate::error::exit::USAGE);
        let err = Plan::new(
            &spec(&[
                "--veth",
                "--addr",
                "fd00::2/64",
                "--peer-addr",
                "10.0.0.1/24",
                "--route",
            ])
            .unwrap(),
        )
        .unwrap_err();
        assert!(
            err.message()
                .contains("needs an inside address of the same family")
        );
    }
}
