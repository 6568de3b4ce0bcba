//! What is inside a namespace, one section per type, and whose it is. Plain serde data, part
//! of the snapshot (schema: docs/snapshot.md). Every text field is untrusted (hostnames,
//! interface names, mount paths and container names are chosen by whoever made them): escape
//! before display.

use serde::{Deserialize, Serialize};

use super::{NsId, Pid};

/// The contents of one namespace. Only the section of the namespace's own type is filled in;
/// `unreadable` says, one sentence each, what could not be read and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uts: Option<UtsDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<NetDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mnt: Option<MntDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<PidDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc: Option<IpcDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<CgroupDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeDetails>,
    /// What could not be read, one sentence each ("hostname: permission denied entering it").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
}

impl Details {
    pub fn is_empty(&self) -> bool {
        *self == Details::default()
    }
}

/// A UTS namespace: the names uname(2) gives inside.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtsDetails {
    pub hostname: String,
    /// The NIS domain name ("(none)" when unset, as the kernel says).
    pub domainname: String,
}

/// A network namespace: its interfaces, default routes and listening sockets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetDetails {
    /// Sorted by interface index.
    pub interfaces: Vec<Interface>,
    /// Default routes (IPv4 and IPv6), main table.
    #[serde(default)]
    pub default_routes: Vec<Route>,
    /// TCP sockets in LISTEN state (IPv4 and IPv6).
    #[serde(default)]
    pub listening_tcp: u32,
    /// UDP sockets bound and not connected (IPv4 and IPv6).
    #[serde(default)]
    pub listening_udp: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub index: u32,
    pub name: String,
    /// "loopback", "ether", or the link kind the kernel reports ("veth", "bridge", "tun",
    /// "macvlan", "vxlan", "wireguard", ...).
    pub kind: String,
    /// Operational state as `ip link` shows it, lower case: "up", "down", "unknown",
    /// "lowerlayerdown", ...
    pub state: String,
    /// True when the interface is administratively up (IFF_UP).
    #[serde(default)]
    pub admin_up: bool,
    #[serde(default)]
    pub mac: Option<String>,
    pub mtu: u32,
    /// Addresses with prefix length ("10.0.0.1/24", "fe80::1/64").
    #[serde(default)]
    pub addresses: Vec<String>,
    /// The bridge (or other master) this interface is attached to, by name.
    #[serde(default)]
    pub master: Option<String>,
    /// For a veth: the other end.
    #[serde(default)]
    pub peer: Option<Peer>,
}

/// The other end of a veth pair.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peer {
    /// The network namespace the peer is in (inode), where it could be told.
    #[serde(default)]
    pub netns: Option<NsId>,
    /// Its interface index in that namespace.
    pub index: u32,
    /// Its name, where the peer's namespace was read.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// "inet" or "inet6".
    pub family: String,
    #[serde(default)]
    pub gateway: Option<String>,
    /// The interface the route goes out of, by name.
    #[serde(default)]
    pub dev: Option<String>,
}

/// One line of uid_map or gid_map: `count` ids from `inside` map to ids from `outside`
/// (outside: as seen from the scanner's user namespace).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRange {
    pub inside: u32,
    pub outside: u32,
    pub count: u32,
}

/// A user namespace: its id maps and whose it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetails {
    /// None when unknown (`maps_unknown` says why); empty when no map was written yet.
    #[serde(default)]
    pub uid_map: Option<Vec<IdRange>>,
    #[serde(default)]
    pub gid_map: Option<Vec<IdRange>>,
    /// "allow" or "deny" (/proc/PID/setgroups).
    #[serde(default)]
    pub setgroups: Option<String>,
    /// The user name of the namespace's owner uid, from the scanner's /etc/passwd.
    #[serde(default)]
    pub owner_user: Option<String>,
    /// Why the maps could not be read.
    #[serde(default)]
    pub maps_unknown: Option<String>,
}

impl UserDetails {
    /// The id outside that `inside` maps to, by `map`.
    pub fn outside(map: &[IdRange], inside: u32) -> Option<u32> {
        map.iter()
            .find(|r| inside >= r.inside && inside - r.inside < r.count)
            .map(|r| r.outside + (inside - r.inside))
    }

    /// "root inside is uid N outside", where the uid map says so.
    pub fn root_sentence(&self) -> Option<String> {
        let outside = Self::outside(self.uid_map.as_deref()?, 0)?;
        Some(format!("root inside is uid {outside} outside"))
    }
}

/// One mount as /proc/PID/mountinfo shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    /// Where it is mounted, as the namespace's processes see it.
    pub target: String,
    /// What is mounted: mountinfo's source field ("/dev/sda1", "tmpfs", "proc"), and where the
    /// mount shows a directory of its filesystem rather than its root, a colon and that
    /// directory ("/dev/sda1:/srv/second").
    pub source: String,
    pub fstype: String,
    /// True when read-only (per-mount or superblock flag).
    pub read_only: bool,
    /// True when it mounts a directory of a filesystem (a bind mount) rather than its root,
    /// or the same filesystem root again.
    pub bind: bool,
    /// "shared", "slave", "shared,slave", "unbindable" or "private".
    pub propagation: String,
    /// The mount options, comma-separated as findmnt shows them: the per-mount options, then
    /// the superblock options not already among them.
    #[serde(default)]
    pub options: String,
    /// The filesystem's device number, "major:minor" (a fresh mount of a pseudo-filesystem,
    /// such as a new proc, gets a new one).
    #[serde(default)]
    pub device: String,
}

/// A mount present in both namespaces at the same target, but different.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountChange {
    pub before: Mount,
    pub after: Mount,
}

/// A mount namespace: how it differs from the host's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MntDetails {
    /// Its root directory as the host sees it (`/proc/PID/root` of a member), where reachable.
    #[serde(default)]
    pub root: Option<String>,
    /// Every line of its mountinfo, hidden (stacked-over) mounts included.
    pub mount_count: u32,
    /// Propagation of its root mount.
    #[serde(default)]
    pub propagation: String,
    /// True when its root mount is not the host's (another filesystem or directory, as after
    /// pivot_root), or its table has no mount at "/" (read through a chrooted member, which
    /// sees only the mounts below its root): then `added` lists all its visible mounts and
    /// `removed` and `changed` are left empty, since comparing with the host's table would
    /// only list the host's mounts.
    #[serde(default)]
    pub new_root: bool,
    /// Against the host's initial mount namespace (empty for the host's own), keyed by target:
    /// where several mounts stack on one target, only the last one in mountinfo order (the
    /// visible one) counts. Added: visible here at a target where the host has none.
    #[serde(default)]
    pub added: Vec<Mount>,
    /// Visible in the host's at a target where this namespace has none.
    #[serde(default)]
    pub removed: Vec<Mount>,
    /// At the same target in both, but another source, filesystem type, device, read-only
    /// flag, options or bind flag (propagation is not compared: `unshare -m` makes every
    /// mount private).
    #[serde(default)]
    pub changed: Vec<MountChange>,
}

/// A PID namespace: its init and how deep it is nested.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PidDetails {
    /// 0 for the host's PID namespace, 1 for one inside it, ...
    pub level: u32,
    /// Host PID of the namespace's PID 1, where it is alive and seen.
    #[serde(default)]
    pub init_pid: Option<Pid>,
    #[serde(default)]
    pub init_command: Option<String>,
}

/// An IPC namespace: how many objects it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpcDetails {
    pub shm_segments: u32,
    pub semaphore_sets: u32,
    pub message_queues: u32,
    /// POSIX message queues; None where they could not be counted.
    #[serde(default)]
    pub posix_queues: Option<u32>,
}

/// A cgroup namespace: the cgroup that is its root ("/" is the host's root).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CgroupDetails {
    pub root: String,
}

/// An offset of a time namespace's clock from the host's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOffset {
    pub secs: i64,
    pub nanos: u32,
}

/// A time namespace: the offsets of its clocks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeDetails {
    pub monotonic: TimeOffset,
    pub boottime: TimeOffset,
}

/// What runs a process, told from its cgroup path (no engine is asked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    Docker,
    Podman,
    Containerd,
    Kubernetes,
    CriO,
    Lxc,
    Incus,
    Nspawn,
    Flatpak,
    Snap,
    /// A systemd service (`NAME.service`).
    Service,
    /// A systemd user session (`session-N.scope`).
    Session,
}

impl Engine {
    /// The word shown in labels.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Docker => "docker",
            Engine::Podman => "podman",
            Engine::Containerd => "containerd",
            Engine::Kubernetes => "k8s",
            Engine::CriO => "cri-o",
            Engine::Lxc => "lxc",
            Engine::Incus => "incus",
            Engine::Nspawn => "nspawn",
            Engine::Flatpak => "flatpak",
            Engine::Snap => "snap",
            Engine::Service => "service",
            Engine::Session => "session",
        }
    }
}

/// Whose a process is: the engine and the id it gives, from the cgroup path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    pub engine: Engine,
    /// The engine's id: a container id, a pod uid, a machine, app or unit name.
    pub id: String,
    /// The container's name, where the engine keeps it in a local file root can read.
    #[serde(default)]
    pub name: Option<String>,
    /// The cgroup path it was told from.
    #[serde(default)]
    pub cgroup: String,
}

impl Attribution {
    /// The id shortened as engines show it (12 characters of a hex id), a pod's UUID to its
    /// first group of 8.
    pub fn short_id(&self) -> &str {
        let hex = self.id.len() >= 32 && self.id.bytes().all(|b| b.is_ascii_hexdigit());
        let uuid = self.id.len() == 36
            && self.id.bytes().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if hex {
            &self.id[..12]
        } else if uuid {
            &self.id[..8]
        } else {
            &self.id
        }
    }

    /// "docker web (3f2a9c1b7d4e)", "service nginx", "k8s pod 5b1c…".
    pub fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {} ({})", self.engine.name(), name, self.short_id()),
            None => format!("{} {}", self.engine.name(), self.short_id()),
        }
    }
}
