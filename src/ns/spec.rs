//! What the core is asked to do, as plain data: a [`SpawnSpec`] (create namespaces and run a
//! command in them) and an [`EnterSpec`] (join namespaces and run a command there).
//!
//! The command-line parsers (the `cli` module) and the viewer's dialogs build these; the core only
//! reads them. A spec holds the request as given: what one option implies for another (a
//! hostname needs a UTS namespace) and what the kernel refuses are the core's to work out and
//! check ([`super::spawn::Plan`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::model::NsType;

/// What `spawn` does with one namespace type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpawnNs {
    /// Create a new one.
    New,
    /// Create a new one and bind it at this file, so that it outlives its processes.
    NewBoundAt(PathBuf),
    /// Join one that exists instead of creating one.
    Join(JoinFrom),
}

/// Where a namespace to join comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinFrom {
    /// The namespace of that type of a running process.
    Pid(i32),
    /// The namespace bound at (or open as) a file.
    File(PathBuf),
    /// The namespace open as this file descriptor of ours (bwrap's `--userns FD`,
    /// `--pidns FD`).
    Fd(i32),
}

/// How ids map into a new user namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mapping {
    /// No map (like `unshare -U`): every id shows as the overflow id (65534) inside.
    #[default]
    None,
    /// Our uid and gid become 0 inside (`-r`).
    Root,
    /// Our uid and gid stay themselves inside (`--map-current-user`).
    Current,
}

/// Who is PID 1 of a new PID namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PidOne {
    /// The command itself, as with `unshare -fp`.
    #[default]
    Command,
    /// A small init (`nsviz-init`) that runs the command as its child, reaps orphans and
    /// forwards signals, as bwrap does by default.
    Init,
}

/// One block of ids to map into a new user namespace (`--map-users`, `--map-groups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdBlock {
    /// `count` ids from `outer` (outside) show as the ids from `inner` inside.
    Range { inner: u32, outer: u32, count: u32 },
    /// The first block of subordinate ids of the user (/etc/subuid, /etc/subgid), from 0.
    Auto,
    /// The same block, mapped to itself.
    Subids,
    /// Every id of the current user namespace, mapped to itself.
    All,
}

impl std::str::FromStr for IdBlock {
    type Err = String;
    /// `INNER:OUTER:COUNT`, `auto`, `subids` or `all`, as unshare(1) since util-linux 2.39.
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => return Ok(IdBlock::Auto),
            "subids" => return Ok(IdBlock::Subids),
            "all" => return Ok(IdBlock::All),
            _ => {}
        }
        // Before util-linux 2.39: OUTER,INNER,COUNT (still accepted, deprecated).
        let old_form = text.contains(',');
        let numbers: Vec<Option<u32>> = text
            .split(if old_form { ',' } else { ':' })
            .map(|n| n.parse().ok())
            .collect();
        match numbers[..] {
            [Some(first), Some(second), Some(count)] if count > 0 => {
                let (inner, outer) = if old_form {
                    (second, first)
                } else {
                    (first, second)
                };
                // The kernel refuses a block that runs past the last id, 4294967294.
                let end = u64::from(inner.max(outer)) + u64::from(count);
                if end > u64::from(u32::MAX) {
                    return Err(format!(
                        "'{}' runs past the last id, {}",
                        crate::sanitize::for_terminal(text),
                        u32::MAX - 1
                    ));
                }
                Ok(IdBlock::Range {
                    inner,
                    outer,
                    count,
                })
            }
            _ => Err(format!(
                "'{}' is not INNER:OUTER:COUNT (numbers, COUNT above 0), auto, subids or all",
                crate::sanitize::for_terminal(text)
            )),
        }
    }
}

impl std::fmt::Display for IdBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdBlock::Range {
                inner,
                outer,
                count,
            } => write!(f, "{inner}:{outer}:{count}"),
            IdBlock::Auto => f.write_str("auto"),
            IdBlock::Subids => f.write_str("subids"),
            IdBlock::All => f.write_str("all"),
        }
    }
}

/// Whether setgroups(2) is allowed in a new user namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setgroups {
    Allow,
    Deny,
}

/// Mount propagation of a new mount namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Propagation {
    #[default]
    Private,
    Slave,
    Shared,
    Unchanged,
}

/// One filesystem setup step of `spawn`. They run in the order of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStep {
    /// Bind-mount `src` on `dst`, nosuid and nodev (as bwrap's `--bind`).
    Bind { src: PathBuf, dst: PathBuf },
    /// Bind-mount read-only, nosuid, nodev.
    RoBind { src: PathBuf, dst: PathBuf },
    /// Bind-mount nosuid only: devices stay usable (bwrap's `--dev-bind`).
    DevBind { src: PathBuf, dst: PathBuf },
    /// An empty tmpfs on `dst`.
    Tmpfs { dst: PathBuf },
    /// A symbolic link `link` pointing at `target`.
    Symlink { target: PathBuf, link: PathBuf },
    /// procfs on `dst`.
    Proc { dst: PathBuf },
    /// A minimal /dev on `dst`.
    Dev { dst: PathBuf },
    // bwrap's steps (`nsviz spawn --new-root`); `mode` is set by a `--perms` before them.
    /// Like Bind, RoBind or DevBind (`kind`), but a missing `src` skips the step.
    TryBind {
        src: PathBuf,
        dst: PathBuf,
        kind: BindKind,
    },
    /// An empty tmpfs on `dst` whose root has `mode` (else 0755), at most `size` bytes big
    /// (`--perms`, `--size` before `--tmpfs`).
    TmpfsMode {
        dst: PathBuf,
        mode: Option<u32>,
        size: Option<u64>,
    },
    /// A new mqueue filesystem on `dst` (the IPC namespace's POSIX message queues).
    Mqueue { dst: PathBuf },
    /// Bind-mount what the open file descriptor `fd` names (a path or directory fd) on `dst`,
    /// nosuid and nodev, read-only with `read_only`.
    BindFd {
        fd: i32,
        dst: PathBuf,
        read_only: bool,
    },
    /// A directory at `dst` (with its parents); `mode` applies only if it is created.
    Dir { dst: PathBuf, mode: Option<u32> },
    /// Make the mount on `dst` read-only (that mount only, not those below it).
    RemountRo { dst: PathBuf },
    /// Set the permissions of an existing `path`.
    Chmod { mode: u32, path: PathBuf },
    /// A file at `dst` holding what is read from the open file descriptor `fd` (default
    /// mode 0666); with `bind`, a file of ours bind-mounted on `dst` (default mode 0600).
    Data {
        fd: i32,
        dst: PathBuf,
        bind: DataBind,
        mode: Option<u32>,
    },
}

/// The mount flags a bind mount gets, as bwrap gives them: nosuid always, nodev unless the
/// devices are wanted, read-only when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindKind {
    /// nosuid, nodev (`--bind`).
    Plain,
    /// nosuid, nodev, read-only (`--ro-bind`).
    ReadOnly,
    /// nosuid only (`--dev-bind`).
    Dev,
}

/// How a [`SetupStep::Data`] file gets to its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataBind {
    /// Written in place (`--file`).
    Copy,
    /// Bind-mounted on it (`--bind-data`).
    Bind,
    /// Bind-mounted read-only (`--ro-bind-data`).
    RoBind,
}

/// bwrap's process options (`nsviz spawn --new-root`), applied to the command's process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxSpec {
    /// The user and group id the command has inside the new user namespace, mapped to the
    /// caller's (default: the caller's own).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Environment changes, applied in this order: clear (all but PWD), unset, set.
    pub clearenv: bool,
    pub unsetenv: Vec<OsString>,
    pub setenv: Vec<(OsString, OsString)>,
    /// SIGKILL the command when its parent dies.
    pub die_with_parent: bool,
    /// A new session (setsid): no controlling terminal.
    pub new_session: bool,
    /// Write the command's pid and the new namespaces' inode numbers as JSON to this fd.
    pub info_fd: Option<i32>,
    /// The same as one JSON line, then the exit code as another.
    pub json_status_fd: Option<i32>,
    /// `--cap-add`, `--cap-drop`, in command-line order: they change the capabilities the
    /// command keeps (bwrap's rule: all of a root caller's, none of another user's).
    pub caps: Vec<CapChange>,
    /// A classic-BPF seccomp program (an array of `struct sock_filter`) read from this fd and
    /// loaded right before the exec.
    pub seccomp_fd: Option<i32>,
    /// More such programs (`--add-seccomp-fd`, not with `--seccomp`), loaded in this order;
    /// the kernel applies them all.
    pub add_seccomp_fds: Vec<i32>,
    /// The command's argv[0], instead of its name (`--argv0`).
    pub argv0: Option<OsString>,
    /// Before the filesystem is set up, wait until this fd has something to read (or ends).
    pub block_fd: Option<i32>,
    /// Keep this fd open (in nsviz, not in the command) until the command ends.
    pub sync_fd: Option<i32>,
    /// Files (in the new root) the init holds a read lock on while the command runs.
    pub lock_files: Vec<PathBuf>,
    /// Once the filesystem is built, allow no further user namespace: the new one's limit
    /// becomes 1, used by a nested one the command runs in.
    pub disable_userns: bool,
    /// Once the filesystem is built, switch to the user namespace open as this fd.
    pub userns2: Option<i32>,
    /// Once the filesystem is built, fail unless creating a user namespace fails.
    pub assert_userns_disabled: bool,
    /// Error lines start with `<3>` (sd-daemon's level), as with bwrap's --level-prefix.
    pub level_prefix: bool,
}

/// One `--cap-add` (`add`) or `--cap-drop`: a capability number, or None for ALL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapChange {
    pub add: bool,
    pub cap: Option<u8>,
}

/// The two names of a veth pair; None: pick one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VethNames {
    pub outside: Option<String>,
    pub inside: Option<String>,
}

/// An interface address with its prefix length: `10.0.0.1/24`, `fd00::1/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfAddr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl std::str::FromStr for IfAddr {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "'{}' is not an address with a prefix length, like 10.0.0.1/24 or fd00::1/64",
                crate::sanitize::for_terminal(text)
            )
        };
        let (addr, prefix) = text.split_once('/').ok_or_else(bad)?;
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let prefix: u8 = prefix.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return Err(bad());
        }
        Ok(IfAddr { addr, prefix })
    }
}

impl std::fmt::Display for IfAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// An interface name as the kernel accepts it: 1 to 15 bytes, no '/', ':' or white space.
pub fn check_ifname(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'/' && b != b':');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{}' is not a valid interface name (1 to 15 characters, no '/', ':' or spaces)",
            crate::sanitize::for_terminal(name)
        ))
    }
}

/// Connecting a new network namespace: a veth pair, or pasta; a name for `ip netns`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkSpec {
    /// A veth pair to this namespace.
    pub veth: Option<VethNames>,
    /// Addresses of the inside end.
    pub addrs: Vec<IfAddr>,
    /// Addresses of the outside end.
    pub peer_addrs: Vec<IfAddr>,
    /// Inside, a default route through the outside end's address of each family.
    pub route: bool,
    /// An existing bridge the outside end joins.
    pub bridge: Option<String>,
    /// Bind the new network namespace at /run/netns/NAME.
    pub netns_name: Option<String>,
    /// Connect through pasta instead of a veth pair.
    pub pasta: bool,
}

impl NetworkSpec {
    /// True when something asks for a new network namespace.
    pub fn wants_new_net(&self) -> bool {
        self.veth.is_some() || self.pasta || self.netns_name.is_some()
    }
}

/// Create namespaces and run a command in them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpawnSpec {
    /// The types named explicitly, and what to do with each.
    pub namespaces: BTreeMap<NsType, SpawnNs>,
    /// The id map of a new user namespace (implies one unless None).
    pub mapping: Mapping,
    pub setgroups: Option<Setgroups>,
    pub hostname: Option<String>,
    /// A fresh proc mount for the new PID namespace, at this directory (normally /proc).
    pub mount_proc: Option<PathBuf>,
    pub propagation: Propagation,
    /// The filesystem setup, in order.
    pub setup: Vec<SetupStep>,
    /// Build a new root on tmpfs from `setup` only, pivot into it, detach the old one.
    pub new_root: bool,
    pub setuid: Option<u32>,
    pub setgid: Option<u32>,
    /// Clear every capability set before running the command.
    pub drop_caps: bool,
    pub no_new_privs: bool,
    /// Clock offsets of a new time namespace, in seconds.
    pub monotonic: Option<i64>,
    pub boottime: Option<i64>,
    /// Keep every new namespace bound under /run/nsviz/NAME/.
    pub keep: Option<String>,
    pub network: NetworkSpec,
    /// Working directory inside.
    pub wd: Option<PathBuf>,
    // The rest of unshare(1)'s options.
    /// Who is PID 1 of a new PID namespace.
    pub pid_one: PidOne,
    /// Inside id of our uid / gid (`--map-user`, `--map-group`); overrides `mapping`'s.
    pub map_user: Option<u32>,
    pub map_group: Option<u32>,
    /// Blocks of ids to map besides our own, written through newuidmap/newgidmap when not root.
    pub map_users: Vec<IdBlock>,
    pub map_groups: Vec<IdBlock>,
    /// Create the user namespace as this uid and gid (`--owner`, root only).
    pub owner: Option<(u32, u32)>,
    /// The signal the command gets when nsviz dies (`--kill-child`).
    pub kill_child: Option<i32>,
    /// Change the root directory to this one before the command (`--root`), after the mounts.
    pub root: Option<PathBuf>,
    /// With a new user namespace, the command keeps its capabilities as ambient ones.
    pub keep_caps: bool,
    /// bwrap's process options.
    pub sandbox: SandboxSpec,
    /// Empty: the user's shell.
    pub command: Vec<OsString>,
}

impl SpawnSpec {
    /// The fds of the caller's that nsviz's own options read or write (`--seccomp 3`,
    /// `--info-fd 4`, `--userns 5`...): the command does not get them, as with bwrap.
    pub fn consumed_fds(&self) -> Vec<i32> {
        let s = &self.sandbox;
        let mut fds: Vec<i32> = [
            s.info_fd,
            s.json_status_fd,
            s.seccomp_fd,
            s.block_fd,
            s.sync_fd,
            s.userns2,
        ]
        .into_iter()
        .flatten()
        .chain(s.add_seccomp_fds.iter().copied())
        .collect();
        for step in &self.setup {
            if let SetupStep::BindFd { fd, .. } | SetupStep::Data { fd, .. } = step {
                fds.push(*fd);
            }
        }
        for ns in self.namespaces.values() {
            if let SpawnNs::Join(JoinFrom::Fd(fd)) = ns {
                fds.push(*fd);
            }
        }
        fds
    }

    /// The types named to be created (bound to a file or not), in NsType order.
    pub fn named_new(&self) -> Vec<NsType> {
        self.namespaces
            .iter()
            .filter(|(_, ns)| !matches!(ns, SpawnNs::Join(_)))
            .map(|(t, _)| *t)
            .collect()
    }

    /// The namespaces to join, in NsType order.
    pub fn joins(&self) -> Vec<(NsType, &JoinFrom)> {
        self.namespaces
            .iter()
            .filter_map(|(t, ns)| match ns {
                SpawnNs::Join(from) => Some((*t, from)),
                _ => None,
            })
            .collect()
    }

    /// The new namespaces to bind to a file, with the file.
    pub fn bound_files(&self) -> Vec<(NsType, &PathBuf)> {
        self.namespaces
            .iter()
            .filter_map(|(t, ns)| match ns {
                SpawnNs::NewBoundAt(file) => Some((*t, file)),
                _ => None,
            })
            .collect()
    }
}

/// Where one namespace to enter comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnterFrom {
    /// The target process's namespace of that type.
    Target,
    /// The namespace bound at (or open as) a file.
    File(PathBuf),
    /// The namespace with this id (nsfs inode number or the kernel's 64-bit namespace id),
    /// wherever a scan finds it held: a process, a thread, an open fd, a bind mount.
    Id(u64),
    /// The network namespace of the target's socket at this fd (`-N FD`; net only).
    Socket(i32),
}

/// A directory to change to (`-r`, `-w`): the target's, or a path opened before entering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnterDir {
    Target,
    Path(PathBuf),
}

/// A uid or gid to take inside (`-S`, `-G`): a number, or the target's (`follow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterId {
    Id(u32),
    Follow,
}

impl std::fmt::Display for EnterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnterId::Id(id) => write!(f, "{id}"),
            EnterId::Follow => f.write_str("follow"),
        }
    }
}

/// Enter namespaces of a process, or bound to files, and run a command there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnterSpec {
    /// The process whose namespaces to enter.
    pub target: Option<i32>,
    /// The pidfs inode the target must have (`-t PID:INODE`), so a reused PID is refused.
    pub target_inode: Option<u64>,
    /// Every namespace of the target that differs from ours, besides those named.
    pub all: bool,
    /// The types named explicitly, and where each comes from.
    pub namespaces: BTreeMap<NsType, EnterFrom>,
    /// Namespaces named by id alone (`--ns ID`): their type is what a scan finds.
    pub ids: Vec<u64>,
    /// Enter the parent of the user namespace that would be entered (`--user-parent`).
    pub user_parent: bool,
    pub setuid: Option<EnterId>,
    pub setgid: Option<EnterId>,
    /// Keep the current uid, gid and groups when entering a user namespace.
    pub preserve_credentials: bool,
    /// Keep the capabilities a user namespace grants across exec (`--keep-caps`).
    pub keep_caps: bool,
    /// Root directory (`-r`); None: the entered mount namespace's root.
    pub root: Option<EnterDir>,
    /// Working directory (`-w`), opened before entering; None: see `wdns`.
    pub wd: Option<EnterDir>,
    /// Working directory resolved inside, after every namespace change and the chroot (`-W`).
    pub wdns: Option<PathBuf>,
    /// Run the command with the target's environment (`-e`).
    pub env: bool,
    /// Move into the target's cgroup (`-c`).
    pub join_cgroup: bool,
    /// Exec without forking even after entering a PID namespace (`-F`).
    pub no_fork: bool,
    /// Run the command in the target's SELinux context (`-Z`).
    pub follow_context: bool,
    /// Empty: the user's shell.
    pub command: Vec<OsString>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_need_a_prefix_length_in_range() {
        let a: IfAddr = "10.0.0.1/24".parse().unwrap();
        assert_eq!((a.addr.to_string(), a.prefix), ("10.0.0.1".into(), 24));
        assert_eq!("fd00::1/128".parse::<IfAddr>().unwrap().prefix, 128);
        for bad in [
            "10.0.0.1",
            "10.0.0/24",
            "10.0.0.1/33",
            "fd00::1/129",
            "x/1",
            "10.0.0.1/-1",
        ] {
            assert!(bad.parse::<IfAddr>().is_err(), "{bad}");
        }
    }
}
