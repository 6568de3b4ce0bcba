//! `nsviz spawn` (unshare's and bwrap's personality): its flags, the ordered filesystem flags
//! (clap glue that keeps their command-line order), the network flags, and the conversion to
//! the core's [`SpawnSpec`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::NsSelection;
use super::bwrap::{self, BwrapArgs};
use crate::error::Error;
use crate::model::NsType;
use crate::ns::join::both_join_and_create;
use crate::ns::spec::{
    IdBlock, IfAddr, JoinFrom, Mapping, NetworkSpec, PidOne, Propagation, Setgroups, SetupStep,
    SpawnNs, SpawnSpec, VethNames, check_ifname,
};

/// Help for the namespace flags when they create namespaces (spawn) rather than join them.
/// The same [`NsSelection`] parses both; only the wording differs.
fn spawn_ns_help_args(arg: clap::Arg) -> clap::Arg {
    let text = match arg.get_id().as_str() {
        "mnt" => "New mount namespace; =FILE also binds it to FILE to keep it",
        "uts" => "New UTS namespace (hostname); =FILE also binds it to FILE",
        "ipc" => "New IPC namespace; =FILE also binds it to FILE",
        "net" => "New network namespace (only a loopback, down); =FILE also binds it to FILE",
        "pid" => "New PID namespace, the command its PID 1 (see --init); =FILE binds it",
        "user" => "New user namespace; =FILE also binds it to FILE",
        "cgroup" => "New cgroup namespace; =FILE also binds it to FILE",
        "time" => "New time namespace (see --monotonic, --boottime); =FILE also binds it to FILE",
        _ => return arg,
    };
    arg.help(text)
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
        "Bind-mount SRC on DST nosuid, nodev, as bwrap does (implies -m)",
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
        // (position, flag, values, the step of one of spawn's own flags)
        let mut found: Vec<(usize, String, Vec<PathBuf>, Option<SetupStep>)> = Vec::new();
        let flags = MOUNT_FLAGS
            .iter()
            .map(|(id, names, _)| (*id, names.len(), true));
        let bwrap_flags = bwrap::SETUP_FLAGS
            .iter()
            .map(|(id, names, _)| (*id, names.len(), false));
        for (id, arity, own) in flags.chain(bwrap_flags) {
            let (Some(values), Some(indices)) = (m.get_many::<PathBuf>(id), m.indices_of(id))
            else {
                continue;
            };
            let values: Vec<PathBuf> = values.cloned().collect();
            let indices: Vec<usize> = indices.collect();
            for (chunk, index) in values.chunks(arity).zip(indices.chunks(arity)) {
                let first = chunk[0].clone();
                let second = || chunk.get(1).cloned().unwrap_or_default();
                let op = match id {
                    _ if !own => None,
                    "bind" => Some(SetupStep::Bind {
                        src: first,
                        dst: second(),
                    }),
                    "ro-bind" => Some(SetupStep::RoBind {
                        src: first,
                        dst: second(),
                    }),
                    "tmpfs" => Some(SetupStep::Tmpfs { dst: first }),
                    "symlink" => Some(SetupStep::Symlink {
                        target: first,
                        link: second(),
                    }),
                    "proc" => Some(SetupStep::Proc { dst: first }),
                    _ => Some(SetupStep::Dev { dst: first }),
                };
                found.push((index[0], id.to_string(), chunk.to_vec(), op));
            }
        }
        found.sort_by_key(|(index, ..)| *index);
        let flags = found
            .into_iter()
            .map(|(_, id, values, op)| (id, values, op))
            .collect();
        bwrap::ordered_steps(flags)
            .map(MountOps)
            .map_err(|e| clap::Error::raw(clap::error::ErrorKind::ValueValidation, e + "\n"))
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for MountOps {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let all = MOUNT_FLAGS.into_iter().chain(bwrap::SETUP_FLAGS);
        all.fold(cmd, |cmd, (id, names, help)| {
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

    #[command(flatten)]
    pub unshare: Box<UnshareArgs>,

    /// Map the current user to root in a new user namespace (implies -U; the last of -r, -c,
    /// --map-user, --map-group wins, as in unshare).
    #[arg(short = 'r', long, overrides_with = "map_current_user")]
    pub map_root_user: bool,

    /// Map the current user to itself in a new user namespace (implies -U; the last of -r,
    /// -c, --map-user, --map-group wins).
    #[arg(short = 'c', long, overrides_with = "map_root_user")]
    pub map_current_user: bool,

    /// Whether setgroups(2) is allowed in the new user namespace (default with a map: deny).
    #[arg(long, value_enum, value_name = "allow|deny")]
    pub setgroups: Option<Setgroups>,

    /// Set the hostname in a new UTS namespace (implies -u).
    #[arg(long, value_name = "NAME")]
    pub hostname: Option<String>,

    /// Mount a fresh proc filesystem at DIR (default /proc) for the new PID namespace (implies
    /// -m and -p).
    #[arg(long, value_name = "DIR", num_args = 0..=1, require_equals = true, default_missing_value = "/proc")]
    pub mount_proc: Option<PathBuf>,

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

    #[command(flatten)]
    pub bwrap: Box<BwrapArgs>,

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

/// The rest of unshare(1)'s options (util-linux 2.42), and `--init`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct UnshareArgs {
    // First: the derived parsers take the values out of the matches as they read them.
    #[command(flatten)]
    pub own_id_order: OwnIdOrder,

    /// With a new PID namespace, run a small init as PID 1 that reaps orphans and forwards
    /// signals, the command its child (bwrap's default; without it the command is PID 1).
    #[arg(long)]
    pub init: bool,

    /// Map our user to UID (a number or a user name) in a new user namespace (implies -U;
    /// overrides an earlier -r or -c, a later one overrides it).
    #[arg(long, value_name = "UID|NAME", value_parser = parse_user)]
    pub map_user: Option<u32>,

    /// Map our group to GID (a number or a group name) in a new user namespace (implies -U;
    /// overrides an earlier -r or -c, a later one overrides it).
    #[arg(long, value_name = "GID|NAME", value_parser = parse_group)]
    pub map_group: Option<u32>,

    /// Map COUNT uids from OUTER to INNER, or auto (the first block of /etc/subuid from 0),
    /// subids (that block to itself), all (every uid to itself); repeatable; through newuidmap
    /// when not root (implies -U).
    #[arg(long, value_name = "INNER:OUTER:COUNT|auto|subids|all")]
    pub map_users: Vec<IdBlock>,

    /// As --map-users, for group ids (/etc/subgid, newgidmap).
    #[arg(long, value_name = "INNER:OUTER:COUNT|auto|subids|all")]
    pub map_groups: Vec<IdBlock>,

    /// --map-users=auto --map-groups=auto.
    #[arg(long)]
    pub map_auto: bool,

    /// --map-users=subids --map-groups=subids.
    #[arg(long)]
    pub map_subids: bool,

    /// Create the user namespace as UID:GID, who then owns it (root only; implies -U).
    #[arg(long, value_name = "UID:GID", value_parser = parse_owner)]
    pub owner: Option<(u32, u32)>,

    /// Send SIGNAL (default SIGKILL) to the command when nsviz dies.
    #[arg(long, value_name = "SIGNAL", num_args = 0..=1, require_equals = true, default_missing_value = "KILL", value_parser = parse_signal)]
    pub kill_child: Option<i32>,

    /// Accepted for unshare compatibility: nsviz always forwards SIGINT, SIGTERM, SIGHUP,
    /// SIGQUIT, SIGUSR1 and SIGUSR2 to the command.
    #[arg(long)]
    pub forward_signals: bool,

    /// Run the command with its root directory set to DIR (chroot, after the mounts).
    #[arg(short = 'R', long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// With a new user namespace, the command keeps its capabilities there (as ambient ones).
    #[arg(long)]
    pub keep_caps: bool,

    /// Not supported: binfmt_misc mounts (see docs/compat.md).
    #[arg(long, value_name = "DIR", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub mount_binfmt: Option<OsString>,

    /// Not supported: binfmt_misc interpreters (see docs/compat.md).
    #[arg(short = 'l', long, value_name = "STRING")]
    pub load_interp: Option<OsString>,
}

/// Which of `--map-user` and `--map-group` a later `-r` or `-c` overrides: unshare(1) keeps the
/// last of them, which clap's derive cannot tell (it keeps no order across flags), so this type
/// declares no flag and reads the positions of those four from the matches. Code that builds a
/// [`SpawnArgs`] itself leaves it at its default: nothing overridden.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnIdOrder {
    pub map_user_overridden: bool,
    pub map_group_overridden: bool,
}

impl clap::FromArgMatches for OwnIdOrder {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        // Only what the command line gave: a flag's default has a position too.
        let last = |id: &str| match m.value_source(id) {
            Some(clap::parser::ValueSource::CommandLine) => m.indices_of(id)?.max(),
            _ => None,
        };
        let whole = last("map_root_user").max(last("map_current_user"));
        let overridden = |id: &str| matches!((last(id), whole), (Some(at), Some(w)) if at < w);
        Ok(OwnIdOrder {
            map_user_overridden: overridden("map_user"),
            map_group_overridden: overridden("map_group"),
        })
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for OwnIdOrder {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd
    }
}

/// A user id, or a user name looked up in the user database.
fn parse_user(text: &str) -> Result<u32, String> {
    if let Ok(uid) = text.parse() {
        return Ok(uid);
    }
    match nix::unistd::User::from_name(text) {
        Ok(Some(user)) => Ok(user.uid.as_raw()),
        _ => Err(format!(
            "no user named '{}'",
            crate::sanitize::for_terminal(text)
        )),
    }
}

/// A group id, or a group name looked up in the group database.
fn parse_group(text: &str) -> Result<u32, String> {
    if let Ok(gid) = text.parse() {
        return Ok(gid);
    }
    match nix::unistd::Group::from_name(text) {
        Ok(Some(group)) => Ok(group.gid.as_raw()),
        _ => Err(format!(
            "no group named '{}'",
            crate::sanitize::for_terminal(text)
        )),
    }
}

fn parse_owner(text: &str) -> Result<(u32, u32), String> {
    text.split_once(':')
        .and_then(|(u, g)| Some((u.parse().ok()?, g.parse().ok()?)))
        .ok_or_else(|| {
            format!(
                "'{}' is not UID:GID (two numbers)",
                crate::sanitize::for_terminal(text)
            )
        })
}

/// A signal by name (KILL, SIGKILL) or number.
pub fn parse_signal(text: &str) -> Result<i32, String> {
    use std::str::FromStr;
    let upper = text.to_ascii_uppercase();
    let name = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    let number = text
        .parse::<i32>()
        .ok()
        .and_then(|n| nix::sys::signal::Signal::try_from(n).ok());
    number
        .or_else(|| nix::sys::signal::Signal::from_str(&name).ok())
        .map(|s| s as i32)
        .ok_or_else(|| format!("unknown signal: {}", crate::sanitize::for_terminal(text)))
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
    /// passt), also for a non-root user; needs a new user namespace (-r, -c, -U); the
    /// connection ends with the command.
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
        let u = &self.unshare;
        if u.mount_binfmt.is_some() || u.load_interp.is_some() {
            return Err(Error::usage(
                "--mount-binfmt and --load-interp are not supported: nsviz does not mount binfmt_misc (see docs/compat.md)",
            ));
        }
        let mut map_users = u.map_users.clone();
        let mut map_groups = u.map_groups.clone();
        for (on, block) in [(u.map_auto, IdBlock::Auto), (u.map_subids, IdBlock::Subids)] {
            if on {
                map_users.push(block);
                map_groups.push(block);
            }
        }
        let mapping = if self.map_root_user {
            Mapping::Root
        } else if self.map_current_user {
            Mapping::Current
        } else {
            Mapping::None
        };
        let mut spec = SpawnSpec {
            namespaces,
            mapping,
            setgroups: self.setgroups,
            hostname: self.hostname.clone(),
            mount_proc: self.mount_proc.clone(),
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
            pid_one: if u.init {
                PidOne::Init
            } else {
                PidOne::Command
            },
            map_user: u.map_user.filter(|_| !u.own_id_order.map_user_overridden),
            map_group: u.map_group.filter(|_| !u.own_id_order.map_group_overridden),
            map_users,
            map_groups,
            owner: u.owner,
            kill_child: u.kill_child,
            root: u.root.clone(),
            keep_caps: u.keep_caps,
            sandbox: Default::default(),
            command: self.command.clone(),
        };
        self.bwrap.apply_to(&mut spec)?;
        Ok(spec)
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
    use crate::cli::{Cli, Command};
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
    fn the_last_of_the_own_id_flags_wins_as_in_unshare() {
        let own = |args: &[&str]| {
            let s = spec(args).unwrap();
            (s.mapping, s.map_user, s.map_group)
        };
        // -r then --map-user: the uid from --map-user, the gid still from -r.
        assert_eq!(own(&["-r", "--map-user=5"]), (Mapping::Root, Some(5), None));
        // --map-user then -r: -r maps both.
        assert_eq!(own(&["--map-user=5", "-r"]), (Mapping::Root, None, None));
        assert_eq!(
            own(&["--map-group=7", "-c", "--map-user=5"]),
            (Mapping::Current, Some(5), None)
        );
        assert_eq!(
            own(&["--map-user=5", "--map-group=7"]),
            (Mapping::None, Some(5), Some(7))
        );
        // -r and -c: the later one.
        assert_eq!(own(&["-r", "-c"]).0, Mapping::Current);
        assert_eq!(own(&["-c", "-r"]).0, Mapping::Root);
        assert_eq!(own(&["-rc"]).0, Mapping::Current);
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
