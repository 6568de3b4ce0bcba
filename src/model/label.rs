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
use super::{Namespace, NsId, NsType, Pid, Process, Snapshot};

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
        let attribution = agreed(members.iter().map(|p| p.attribution.as_ref()));
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
        labels.push((attribution.cloned(), label));
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
