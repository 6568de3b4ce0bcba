//! What is inside a namespace, in words: the one-line brief that tree lines, list columns and
//! viewer rows show, and the full per-type section of the viewer's detail pane. One home for
//! the kinds of detail: a new detail is added to the model and described here.
//!
//! Text returned here is raw (hostnames, interface names, mount paths and container names are
//! untrusted): escape it before display.

use crate::model::details::{IdRange, Interface, Mount, TimeOffset, UserDetails};
use crate::model::{Namespace, NsType, Snapshot};

/// One line of a detail section: a field name (empty for a continuation) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub value: String,
}

fn field(name: &'static str, value: impl Into<String>) -> Field {
    Field {
        name,
        value: value.into(),
    }
}

/// The most telling detail of a namespace in a few words ("hostname c2",
/// "veth0 10.1.0.1/24 ↔ net 4026532290", "root is uid 65534", "1 added, 0 removed, 0 changed
/// mounts"); empty where there is nothing to say.
pub fn brief(ns: &Namespace) -> String {
    let Some(d) = &ns.details else {
        return String::new();
    };
    match ns.ns_type {
        NsType::Uts => d
            .uts
            .as_ref()
            .map(|u| format!("hostname {}", u.hostname))
            .unwrap_or_default(),
        NsType::Net => d
            .net
            .as_ref()
            .map(|n| interfaces_brief(&n.interfaces))
            .unwrap_or_default(),
        NsType::User => d.user.as_ref().map(map_brief).unwrap_or_default(),
        NsType::Mnt => d
            .mnt
            .as_ref()
            .map(|m| {
                let mounts = match m.mount_count {
                    1 => "1 mount".to_string(),
                    n => format!("{n} mounts"),
                };
                if m.added.is_empty() && m.removed.is_empty() && m.changed.is_empty() {
                    format!("{mounts}, as the host")
                } else {
                    format!(
                        "{mounts}: {} added, {} removed, {} changed",
                        m.added.len(),
                        m.removed.len(),
                        m.changed.len()
                    )
                }
            })
            .unwrap_or_default(),
        NsType::Pid => d
            .pid
            .as_ref()
            .map(|p| match (p.init_pid, &p.init_command) {
                (Some(pid), Some(cmd)) => format!("PID 1 is {pid} {cmd}"),
                (Some(pid), None) => format!("PID 1 is {pid}"),
                _ => format!("level {}, PID 1 not seen", p.level),
            })
            .unwrap_or_default(),
        NsType::Ipc => d
            .ipc
            .as_ref()
            .map(|i| {
                let mut s = format!(
                    "{} shm, {} sem, {} msg",
                    i.shm_segments, i.semaphore_sets, i.message_queues
                );
                if let Some(q) = i.posix_queues {
                    s.push_str(&format!(", {q} mqueue"));
                }
                s
            })
            .unwrap_or_default(),
        NsType::Cgroup => d
            .cgroup
            .as_ref()
            .map(|c| format!("root {}", c.root))
            .unwrap_or_default(),
        NsType::Time => d
            .time
            .as_ref()
            .map(|t| {
                format!(
                    "monotonic {}, boottime {}",
                    offset(t.monotonic),
                    offset(t.boottime)
                )
            })
            .unwrap_or_default(),
    }
}

/// "veth0 10.1.0.1/24, eth1 (down)": the interfaces with their addresses (link-local ones
/// left out); the loopback only where it is all there is.
fn interfaces_brief(interfaces: &[Interface]) -> String {
    let others = interfaces.iter().any(|i| i.kind != "loopback");
    let shown: Vec<String> = interfaces
        .iter()
        .filter(|i| !(others && i.kind == "loopback"))
        .map(|i| {
            let mut s = i.name.clone();
            for a in i.addresses.iter().filter(|a| !a.starts_with("fe80:")) {
                s.push(' ');
                s.push_str(a);
            }
            if i.state == "down" {
                s.push_str(" (down)");
            }
            s
        })
        .collect();
    if shown.is_empty() {
        "no interfaces".to_string()
    } else {
        shown.join(", ")
    }
}

/// "root is uid 1000", "0-65535 → 100000-165535", "all ids, unmapped", "no uid map yet",
/// "maps unknown".
fn map_brief(u: &UserDetails) -> String {
    match &u.uid_map {
        None => "maps unknown".to_string(),
        Some(map) if map.is_empty() => "no uid map yet".to_string(),
        Some(map) if is_identity(map) => "all ids, unmapped".to_string(),
        Some(map) => match UserDetails::outside(map, 0) {
            Some(root) if map.len() == 1 && map[0].count == 1 => format!("root is uid {root}"),
            _ => ranges(map),
        },
    }
}

/// The initial user namespace's map: every id is itself.
fn is_identity(map: &[IdRange]) -> bool {
    map == [IdRange {
        inside: 0,
        outside: 0,
        count: u32::MAX,
    }]
}

/// "0-65535 → 100000-165535, 70000 → 1000".
pub fn ranges(map: &[IdRange]) -> String {
    let one = |r: &IdRange| {
        if r.count <= 1 {
            format!("{} → {}", r.inside, r.outside)
        } else {
            let last = |start: u32| start.saturating_add(r.count - 1);
            format!(
                "{}-{} → {}-{}",
                r.inside,
                last(r.inside),
                r.outside,
                last(r.outside)
            )
        }
    };
    map.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// "+1000s", "-5.250000000s", "0".
pub fn offset(o: TimeOffset) -> String {
    match (o.secs, o.nanos) {
        (0, 0) => "0".to_string(),
        (s, 0) => format!("{s:+}s"),
        (s, n) => format!("{s:+}.{n:09}s"),
    }
}

/// A mount in one line: "/srv/second → /srv/first (ext4, rw, bind)".
pub fn mount_line(m: &Mount) -> String {
    let mut flags = vec![m.fstype.as_str(), if m.read_only { "ro" } else { "rw" }];
    if m.bind {
        flags.push("bind");
    }
    format!("{} → {} ({})", m.source, m.target, flags.join(", "))
}

/// The hostname of a UTS namespace, or of the UTS namespace of a namespace's first process.
pub fn hostname(snapshot: &Snapshot, ns: &Namespace) -> Option<String> {
    let uts = match ns.ns_type {
        NsType::Uts => ns,
        _ => {
            let pid = *ns.processes.first()?;
            let id = *snapshot.process(pid)?.ns.get(&NsType::Uts)?;
            snapshot.namespace(NsType::Uts, id)?
        }
    };
    Some(uts.details.as_ref()?.uts.as_ref()?.hostname.clone())
}

/// Every address of a network namespace (or of the one its first process is in).
pub fn addresses(snapshot: &Snapshot, ns: &Namespace) -> Vec<String> {
    let net = match ns.ns_type {
        NsType::Net => Some(ns),
        _ => ns
            .processes
            .first()
            .and_then(|&pid| snapshot.process(pid)?.ns.get(&NsType::Net).copied())
            .and_then(|id| snapshot.namespace(NsType::Net, id)),
    };
    net.and_then(|n| n.details.as_ref()?.net.as_ref())
        .map(|n| {
            n.interfaces
                .iter()
                .flat_map(|i| i.addresses.iter().cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// The uid map of a user namespace (or of the owner of any other), in brief.
pub fn uid_map(snapshot: &Snapshot, ns: &Namespace) -> Option<String> {
    let user = match ns.ns_type {
        NsType::User => ns,
        _ => snapshot.namespace(NsType::User, ns.owner?)?,
    };
    Some(map_brief(user.details.as_ref()?.user.as_ref()?))
}

/// The full section of a namespace's details, for the detail pane.
pub fn section(snapshot: &Snapshot, ns: &Namespace) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(a) = &ns.attribution {
        out.push(field("whose", a.describe()));
        out.push(field("cgroup", a.cgroup.clone()));
    }
    let Some(d) = &ns.details else {
        out.push(field("", "not read: this snapshot has no details"));
        return out;
    };
    if let Some(u) = &d.uts {
        out.push(field("hostname", u.hostname.clone()));
        out.push(field("domain", u.domainname.clone()));
    }
    if let Some(n) = &d.net {
        net_section(snapshot, n, &mut out);
    }
    if let Some(u) = &d.user {
        user_section(ns, u, &mut out);
    }
    if let Some(m) = &d.mnt {
        if let Some(root) = &m.root {
            out.push(field("root", root.clone()));
        }
        out.push(field("mounts", m.mount_count.to_string()));
        out.push(field("propagation", m.propagation.clone()));
        let diff: [(&'static str, Vec<String>); 3] = [
            ("added", m.added.iter().map(mount_line).collect()),
            ("removed", m.removed.iter().map(mount_line).collect()),
            (
                "changed",
                m.changed
                    .iter()
                    .flat_map(|c| {
                        [
                            mount_line(&c.after),
                            format!("  was {}", mount_line(&c.before)),
                        ]
                    })
                    .collect(),
            ),
        ];
        let counts = [m.added.len(), m.removed.len(), m.changed.len()];
        for ((name, lines), count) in diff.into_iter().zip(counts) {
            out.push(field(name, count.to_string()));
            out.extend(lines.into_iter().map(|l| field("", l)));
        }
    }
    if let Some(p) = &d.pid {
        out.push(field("level", p.level.to_string()));
        match (p.init_pid, &p.init_command) {
            (Some(pid), cmd) => {
                let cmd = cmd.as_deref().unwrap_or("");
                out.push(field("PID 1", format!("{pid} {cmd}")));
            }
            (None, _) => out.push(field("PID 1", "not running (or not seen)")),
        }
        let inside: Vec<String> = ns
            .processes
            .iter()
            .filter_map(|&pid| Some(format!("{pid} → {}", snapshot.process(pid)?.nspid.last()?)))
            .take(20)
            .collect();
        if !inside.is_empty() {
            out.push(field("inside", inside.join(", ")));
        }
    }
    if let Some(i) = &d.ipc {
        out.push(field("shm", i.shm_segments.to_string()));
        out.push(field("sem", i.semaphore_sets.to_string()));
        out.push(field("msg", i.message_queues.to_string()));
        let q = i
            .posix_queues
            .map_or("unknown".to_string(), |q| q.to_string());
        out.push(field("mqueue", q));
    }
    if let Some(c) = &d.cgroup {
        out.push(field("root", c.root.clone()));
    }
    if let Some(t) = &d.time {
        out.push(field("monotonic", offset(t.monotonic)));
        out.push(field("boottime", offset(t.boottime)));
    }
    for why in &d.unreadable {
        out.push(field("unread", why.clone()));
    }
    out
}

fn net_section(snapshot: &Snapshot, n: &crate::model::details::NetDetails, out: &mut Vec<Field>) {
    for i in &n.interfaces {
        let mut head = format!("{} {} {} mtu {}", i.name, i.kind, i.state, i.mtu);
        if let Some(master) = &i.master {
            head.push_str(&format!(" master {master}"));
        }
        out.push(field("iface", head));
        if let Some(mac) = i.mac.as_ref().filter(|m| !m.is_empty()) {
            out.push(field("", format!("  mac {mac}")));
        }
        for a in &i.addresses {
            out.push(field("", format!("  {a}")));
        }
        if let Some(p) = &i.peer {
            let name = p
                .name
                .clone()
                .unwrap_or_else(|| format!("index {}", p.index));
            let place = match p.netns {
                Some(id) => {
                    let label = snapshot
                        .namespace(NsType::Net, id)
                        .map(|n| format!(" ({})", n.label))
                        .filter(|l| l != " ()")
                        .unwrap_or_default();
                    format!("net {id}{label}")
                }
                None => "an unknown namespace".to_string(),
            };
            out.push(field("", format!("  peer {name} in {place}")));
        }
    }
    for r in &n.default_routes {
        let via = r
            .gateway
            .as_ref()
            .map(|g| format!(" via {g}"))
            .unwrap_or_default();
        let dev = r
            .dev
            .as_ref()
            .map(|d| format!(" dev {d}"))
            .unwrap_or_default();
        out.push(field("default", format!("{}{via}{dev}", r.family)));
    }
    out.push(field(
        "listening",
        format!("{} tcp, {} udp", n.listening_tcp, n.listening_udp),
    ));
}

fn user_section(ns: &Namespace, u: &UserDetails, out: &mut Vec<Field>) {
    if let Some(uid) = ns.owner_uid {
        let name = u
            .owner_user
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        out.push(field("owner", format!("uid {uid}{name}")));
    }
    if let Some(sentence) = u
        .root_sentence()
        .filter(|_| !u.uid_map.as_deref().is_some_and(is_identity))
    {
        out.push(field("mapping", sentence));
    }
    let map = |m: &Option<Vec<IdRange>>| match m {
        None => "unknown".to_string(),
        Some(m) if m.is_empty() => "none written yet".to_string(),
        Some(m) if is_identity(m) => "all ids, unmapped".to_string(),
        Some(m) => ranges(m),
    };
    out.push(field("uid map", map(&u.uid_map)));
    out.push(field("gid map", map(&u.gid_map)));
    if let Some(s) = &u.setgroups {
        out.push(field("setgroups", s.clone()));
    }
    if let Some(why) = &u.maps_unknown {
        out.push(field("maps", format!("unknown: {why}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::details::{Details, UtsDetails};

    #[test]
    fn ranges_and_offsets_read_as_words() {
        let map = [
            IdRange {
                inside: 0,
                outside: 100000,
                count: 65536,
            },
            IdRange {
                inside: 70000,
                outside: 1000,
                count: 1,
            },
        ];
        assert_eq!(ranges(&map), "0-65535 → 100000-165535, 70000 → 1000");
        assert_eq!(
            offset(TimeOffset {
                secs: 1000,
                nanos: 0
            }),
            "+1000s"
        );
        assert_eq!(
            offset(TimeOffset {
                secs: -5,
                nanos: 250_000_000
            }),
            "-5.250000000s"
        );
        assert_eq!(offset(TimeOffset::default()), "0");
    }

    #[test]
    fn brief_names_the_hostname_and_root_mapping() {
        let mut uts = Namespace::new(1, NsType::Uts);
        uts.details = Some(Details {
            uts: Some(UtsDetails {
                hostname: "c2".into(),
                domainname: "(none)".into(),
            }),
            ..Details::default()
        });
        assert_eq!(brief(&uts), "hostname c2");
        let mut user = Namespace::new(2, NsType::User);
        user.details = Some(Details {
            user: Some(UserDetails {
                uid_map: Some(vec![IdRange {
                    inside: 0,
                    outside: 65534,
                    count: 1,
                }]),
                ..UserDetails::default()
            }),
            ..Details::default()
        });
        assert_eq!(brief(&user), "root is uid 65534");
        assert_eq!(brief(&Namespace::new(3, NsType::Net)), "");
    }
}
