//! Short human labels for namespaces and processes: what users recognise a sandbox by.
//!
//! A process is labelled by whose it is (its attribution: "docker web (3f2a9c1b7d4e)"), else
//! by the hostname of its UTS namespace where that differs from the host's, else by its
//! command name. A namespace takes the attribution its processes agree on, else the hostname
//! they agree on, else the command of its leading process (the member whose parent is not a
//! member); one no process is in is named by what holds it ("netns blue", "kept box",
//! "fd of sleep"); the host's own namespaces are "host". Labels are raw, untrusted text.

use std::collections::HashMap;

use super::holder::Holder;
use super::{Attribution, Namespace, NsId, NsType, Pid, Process, Snapshot};

/// Where `ip netns add NAME` binds a network namespace.
const NETNS_DIR: &str = "/run/netns/";
/// Where `nsviz spawn --keep NAME` binds (ns::keep::KEEP_DIR; the model may not depend on ns).
const KEEP_DIR: &str = "/run/nsviz/";

/// Fills `label` (and a namespace's `attribution`) of every namespace and process.
pub fn assign(snapshot: &mut Snapshot) {
    let hostnames = hostnames(snapshot);
    for p in &mut snapshot.processes {
        p.label = process_label(p, &hostnames);
    }
    let processes = &snapshot.processes;
    let by_pid = |pid: Pid| {
        processes
            .binary_search_by_key(&pid, |p| p.pid)
            .ok()
            .map(|i| &processes[i])
    };
    let mut labels = Vec::with_capacity(snapshot.namespaces.len());
    for ns in &snapshot.namespaces {
        let initial = snapshot.initial.get(&ns.ns_type) == Some(&ns.id);
        let members: Vec<&Process> = ns.processes.iter().filter_map(|&p| by_pid(p)).collect();
        let attribution = agreed_attribution(&members);
        let label = if initial {
            "host".to_string()
        } else if let Some(a) = &attribution {
            a.describe()
        } else if let Some(name) = agreed(members.iter().map(|p| hostname_of(p, &hostnames))) {
            name.to_string()
        } else if let Some(p) = leader(&members) {
            p.command()
        } else {
            holder_label(ns, &by_pid)
        };
        labels.push((attribution, label));
    }
    for (ns, (attribution, label)) in snapshot.namespaces.iter_mut().zip(labels) {
        ns.attribution = attribution;
        ns.label = label;
    }
}

/// Hostnames of UTS namespaces that differ from the host's (read in their details).
fn hostnames(snapshot: &Snapshot) -> HashMap<NsId, String> {
    let host = snapshot
        .initial
        .get(&NsType::Uts)
        .and_then(|&id| snapshot.namespace(NsType::Uts, id))
        .and_then(uts_hostname)
        .unwrap_or(snapshot.host.hostname.as_str());
    snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::Uts)
        .filter_map(|n| Some((n.id, uts_hostname(n)?)))
        .filter(|(_, name)| *name != host && !name.is_empty())
        .map(|(id, name)| (id, name.to_string()))
        .collect()
}

fn uts_hostname(ns: &Namespace) -> Option<&str> {
    Some(ns.details.as_ref()?.uts.as_ref()?.hostname.as_str())
}

fn hostname_of<'a>(p: &Process, hostnames: &'a HashMap<NsId, String>) -> Option<&'a String> {
    hostnames.get(p.ns.get(&NsType::Uts)?)
}

fn process_label(p: &Process, hostnames: &HashMap<NsId, String>) -> String {
    if let Some(a) = &p.attribution {
        return a.describe();
    }
    if let Some(name) = hostname_of(p, hostnames) {
        return name.clone();
    }
    p.comm.clone()
}

/// The attribution members agree on: the same engine and id (a container's processes may sit
/// in different cgroups below its scope; a pod's containers each have their own), with the
/// cgroup they all are in. Members whose cgroup was not read (zombies, kernel threads) have
/// no say.
fn agreed_attribution(members: &[&Process]) -> Option<Attribution> {
    let mut read = members.iter().filter(|p| p.cgroup.is_some());
    let first = read.next()?.attribution.as_ref()?;
    let mut common: Vec<&str> = first.cgroup.split('/').collect();
    for p in read {
        let a = p.attribution.as_ref()?;
        if (a.engine, &a.id) != (first.engine, &first.id) {
            return None;
        }
        let shared = common
            .iter()
            .zip(a.cgroup.split('/'))
            .take_while(|(x, y)| *x == y)
            .count();
        common.truncate(shared);
    }
    let mut agreed = first.clone();
    agreed.cgroup = match common.join("/") {
        path if path.is_empty() => "/".to_string(),
        path => path,
    };
    Some(agreed)
}

/// The value every item has, when all have the same one (and there is at least one).
fn agreed<'a, T: PartialEq + ?Sized + 'a>(
    mut items: impl Iterator<Item = Option<&'a T>>,
) -> Option<&'a T> {
    let first = items.next()??;
    items.all(|i| i == Some(first)).then_some(first)
}

/// The member whose parent is not a member (the lowest such pid).
fn leader<'a>(members: &[&'a Process]) -> Option<&'a Process> {
    let pids: std::collections::HashSet<Pid> = members.iter().map(|p| p.pid).collect();
    members
        .iter()
        .find(|p| !pids.contains(&p.ppid))
        .or(members.first())
        .copied()
}

/// A label for a namespace no process is in, from what holds it.
fn holder_label<'a>(ns: &Namespace, by_pid: &impl Fn(Pid) -> Option<&'a Process>) -> String {
    let Some(holder) = ns.holders().next() else {
        return "hidden".to_string();
    };
    let name = |pid: Pid| by_pid(pid).map_or_else(|| format!("PID {pid}"), |p| p.label.clone());
    match holder {
        Holder::Mount(path) => {
            let path = in_own_root(path);
            if let Some(name) = path.strip_prefix(NETNS_DIR) {
                format!("netns {name}")
            } else if let Some(rest) = path.strip_prefix(KEEP_DIR) {
                format!("kept {}", rest.split('/').next().unwrap_or(rest))
            } else {
                path.to_string()
            }
        }
        Holder::Fd(f) => format!("fd of {}", name(f.pid)),
        Holder::Socket(f) => format!("socket of {}", name(f.pid)),
        Holder::Thread(tid) => format!("thread {tid}"),
        Holder::ForChildren(pid) => format!("children of {}", name(pid)),
        Holder::Process(pid) => name(pid),
    }
}

/// A mount seen only in another mount namespace is given as `/proc/PID/root/PATH`: the PATH.
fn in_own_root(path: &str) -> &str {
    let Some(rest) = path.strip_prefix("/proc/") else {
        return path;
    };
    let Some((pid, rest)) = rest.split_once('/') else {
        return path;
    };
    match rest.strip_prefix("root") {
        Some(inner) if pid.bytes().all(|b| b.is_ascii_digit()) && inner.starts_with('/') => inner,
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::details::{Details, Engine, UtsDetails};
    use crate::model::fixture::{ns, process, sample};
    use crate::model::{FdRef, Snapshot};

    const ID: &str = "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

    fn docker(cgroup: &str) -> Attribution {
        Attribution {
            engine: Engine::Docker,
            id: ID.to_string(),
            name: Some("web".to_string()),
            cgroup: cgroup.to_string(),
        }
    }

    fn attribute(p: &mut Process, a: Option<Attribution>) {
        p.cgroup = Some(a.as_ref().map_or("/init.scope", |a| &a.cgroup).to_string());
        p.attribution = a;
    }

    /// The sample, with processes 3 and 5 (a child of 3) both in user 2, pid 11 and net 21,
    /// and a UTS namespace each: the host's (30) for 1, 2 and 4; 31 for 3 and 5.
    fn two_in_a_box() -> Snapshot {
        let mut s = sample();
        let mut five = process(5, 3);
        five.ns = s.processes[2].ns.clone();
        s.processes.push(five);
        for id in [2, 11, 21] {
            s.namespaces
                .iter_mut()
                .find(|n| n.id == id)
                .unwrap()
                .processes
                .push(5);
        }
        let mut host_uts = ns(NsType::Uts, 30, None, Some(1), &[1, 2, 4]);
        host_uts.details = Some(uts("host-machine"));
        s.namespaces.push(host_uts);
        s.namespaces
            .push(ns(NsType::Uts, 31, None, Some(2), &[3, 5]));
        s.initial.insert(NsType::Uts, 30);
        s.host.hostname = "host-machine".to_string();
        for p in &mut s.processes {
            let inner = p.pid == 3 || p.pid == 5;
            p.ns.insert(NsType::Uts, if inner { 31 } else { 30 });
        }
        s.normalize();
        s
    }

    fn uts(hostname: &str) -> Details {
        Details {
            uts: Some(UtsDetails {
                hostname: hostname.to_string(),
                domainname: "(none)".to_string(),
            }),
            ..Details::default()
        }
    }

    fn label(s: &Snapshot, t: NsType, id: NsId) -> &str {
        &s.namespace(t, id).unwrap().label
    }

    #[test]
    fn processes_agreeing_on_an_attribution_label_their_namespace() {
        let mut s = two_in_a_box();
        let scope = format!("/system.slice/docker-{ID}.scope");
        attribute(
            s.process_mut(3),
            Some(docker(&format!("{scope}/init.scope"))),
        );
        attribute(
            s.process_mut(5),
            Some(docker(&format!("{scope}/system.slice/a.service"))),
        );
        assign(&mut s);
        assert_eq!(label(&s, NsType::Net, 21), "docker web (3f2a9c1b7d4e)");
        let agreed = s
            .namespace(NsType::Net, 21)
            .unwrap()
            .attribution
            .clone()
            .unwrap();
        assert_eq!((agreed.engine, agreed.id.as_str()), (Engine::Docker, ID));
        // The cgroup both are in.
        assert_eq!(agreed.cgroup, scope);
        assert_eq!(s.process(5).unwrap().label, "docker web (3f2a9c1b7d4e)");
        // The host's are the host's, whatever runs there.
        assert_eq!(label(&s, NsType::Net, 20), "host");
        assert_eq!(s.namespace(NsType::Net, 20).unwrap().attribution, None);
    }

    #[test]
    fn a_member_not_read_has_no_say() {
        let mut s = two_in_a_box();
        attribute(s.process_mut(3), Some(docker("/docker/x")));
        // Process 5 is a zombie: its cgroup was not read.
        s.process_mut(5).cgroup = None;
        assign(&mut s);
        assert_eq!(label(&s, NsType::Net, 21), "docker web (3f2a9c1b7d4e)");
    }

    #[test]
    fn disagreeing_processes_fall_back_to_the_hostname_then_the_leader() {
        let mut s = two_in_a_box();
        attribute(s.process_mut(3), Some(docker("/docker/x")));
        attribute(s.process_mut(5), None);
        s.namespace_mut(NsType::Uts, 31).details = Some(uts("box"));
        assign(&mut s);
        assert_eq!(label(&s, NsType::Net, 21), "box");
        assert_eq!(s.namespace(NsType::Net, 21).unwrap().attribution, None);
        assert_eq!(s.process(5).unwrap().label, "box");
        assert_eq!(s.process(3).unwrap().label, "docker web (3f2a9c1b7d4e)");

        // Same hostname as the host's: no hostname to go by, so the leading command (3's
        // parent is not a member; 5's is).
        s.namespace_mut(NsType::Uts, 31).details = Some(uts("host-machine"));
        assign(&mut s);
        assert_eq!(label(&s, NsType::Net, 21), "sleep 100");
        assert_eq!(s.process(5).unwrap().label, "p5");
    }

    #[test]
    fn held_only_namespaces_are_named_by_their_holder() {
        let mut s = two_in_a_box();
        let held = |s: &mut Snapshot, id: NsId| {
            s.namespaces.push(ns(NsType::Net, id, None, Some(1), &[]));
            s.normalize();
        };
        held(&mut s, 40);
        s.namespace_mut(NsType::Net, 40)
            .mounts
            .push("/run/netns/blue".to_string());
        held(&mut s, 41);
        s.namespace_mut(NsType::Net, 41)
            .mounts
            .push("/run/nsviz/box/net".to_string());
        held(&mut s, 42);
        s.namespace_mut(NsType::Net, 42)
            .fds
            .push(FdRef { pid: 3, fd: 5 });
        held(&mut s, 43);
        let other_root = "/proc/77/root/run/netns/red".to_string();
        s.namespace_mut(NsType::Net, 43).mounts.push(other_root);
        held(&mut s, 44);
        s.namespace_mut(NsType::Net, 44)
            .mounts
            .push("/srv/ns/net".to_string());
        attribute(s.process_mut(3), Some(docker("/docker/x")));
        assign(&mut s);
        assert_eq!(label(&s, NsType::Net, 40), "netns blue");
        assert_eq!(label(&s, NsType::Net, 41), "kept box");
        assert_eq!(
            label(&s, NsType::Net, 42),
            "fd of docker web (3f2a9c1b7d4e)"
        );
        assert_eq!(label(&s, NsType::Net, 43), "netns red");
        assert_eq!(label(&s, NsType::Net, 44), "/srv/ns/net");
        // A user namespace nothing holds any more.
        assert_eq!(label(&s, NsType::User, 3), "hidden");
    }

    #[test]
    fn the_hosts_namespaces_are_host() {
        let mut s = two_in_a_box();
        assign(&mut s);
        for (t, id) in [
            (NsType::User, 1),
            (NsType::Pid, 10),
            (NsType::Net, 20),
            (NsType::Uts, 30),
        ] {
            assert_eq!(label(&s, t, id), "host");
        }
        assert_eq!(s.process(1).unwrap().label, "p1");
    }

    impl Snapshot {
        fn process_mut(&mut self, pid: Pid) -> &mut Process {
            self.processes.iter_mut().find(|p| p.pid == pid).unwrap()
        }
    }
}
