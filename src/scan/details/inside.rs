//! Reading from inside a namespace: a short-lived thread joins it (setns), reads, and ends.
//! The thread joins nothing else, runs no code from inside the namespace, and cannot change
//! the namespaces of the scanner's other threads (setns affects only the calling thread).
//!
//! Two threads at most per scan: one walks the network namespaces (the most work), the other
//! the uts, ipc and cgroup ones; each moves from one namespace of a type to the next with
//! setns. Once all network namespaces are read, veth peers are matched across them.

use std::os::fd::{AsFd, OwnedFd};

use rustix::io::Errno;
use rustix::thread::LinkNameSpaceType;

use super::{Section, cgroup, ipc, net, uts};
use crate::model::details::NetDetails;
use crate::model::{NsId, NsType, Pid, Snapshot};

/// A namespace to read from inside.
pub struct Target {
    /// Index of the namespace in the snapshot.
    pub index: usize,
    pub ns_type: NsType,
    pub id: NsId,
    /// The namespace, opened.
    pub fd: OwnedFd,
    /// A process in it, where one is.
    pub member: Option<Pid>,
}

type Results = Vec<(usize, Result<Section, String>)>;

/// Reads every target from inside; returns (index, section or why not).
/// `kept_nets`: network namespaces whose details were kept from an earlier scan, where veth
/// peers may be.
pub fn read_all(
    targets: Vec<Target>,
    snapshot: &Snapshot,
    kept_nets: &[(NsId, &NetDetails)],
) -> Results {
    let (nets, others): (Vec<Target>, Vec<Target>) =
        targets.into_iter().partition(|t| t.ns_type == NsType::Net);
    // A few members of each cgroup namespace, to read its root through.
    let members: Vec<Vec<Pid>> = others
        .iter()
        .map(|t| match snapshot.namespaces.get(t.index) {
            Some(ns) if t.ns_type == NsType::Cgroup => {
                ns.processes.iter().copied().take(3).collect()
            }
            _ => t.member.into_iter().collect(),
        })
        .collect();

    let (mut net_reads, results) = std::thread::scope(|s| {
        let net_worker = on_thread(s, !nets.is_empty(), || read_nets(&nets));
        let other_worker = on_thread(s, !others.is_empty(), || read_others(&others, &members));
        (
            joined(net_worker, nets.len()),
            joined(other_worker, others.len()),
        )
    });

    resolve_peers(&nets, &mut net_reads, kept_nets);
    let mut out: Results = Vec::with_capacity(nets.len() + others.len());
    out.extend(
        nets.iter()
            .zip(net_reads)
            .map(|(t, r)| (t.index, r.map(|read| Section::Net(read.details)))),
    );
    out.extend(others.iter().map(|t| t.index).zip(results));
    out
}

type Worker<'scope, T> = Option<std::io::Result<std::thread::ScopedJoinHandle<'scope, Vec<T>>>>;

/// Starts `work` on a helper thread, when there is work.
fn on_thread<'scope, 'env, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    wanted: bool,
    work: impl FnOnce() -> Vec<T> + Send + 'scope,
) -> Worker<'scope, T> {
    wanted.then(|| {
        std::thread::Builder::new()
            .name("nsviz-inside".to_string())
            .spawn_scoped(s, work)
    })
}

/// The worker's results, or one error per target when it could not run.
fn joined<T>(worker: Worker<'_, Result<T, String>>, count: usize) -> Vec<Result<T, String>> {
    let why = match worker {
        None => return Vec::new(),
        Some(Ok(handle)) => match handle.join() {
            Ok(results) if results.len() == count => return results,
            _ => "not read: the thread reading it stopped unexpectedly".to_string(),
        },
        Some(Err(e)) => format!(
            "not read: no thread could be started to enter it ({})",
            crate::error::describe_io(&e)
        ),
    };
    (0..count).map(|_| Err(why.clone())).collect()
}

/// What a section is about, to begin its error sentences.
fn subject(ns_type: NsType) -> &'static str {
    match ns_type {
        NsType::Uts => "hostname",
        NsType::Ipc => "ipc objects",
        NsType::Net => "interfaces",
        NsType::Cgroup => "cgroup root",
        _ => "contents",
    }
}

/// Why a namespace could not be entered, as one sentence starting with what was not read.
pub fn entering_error(subject: &str, err: Errno) -> String {
    match err {
        Errno::PERM | Errno::ACCESS => format!("{subject}: permission denied entering it"),
        other => format!(
            "{subject}: cannot enter it ({})",
            crate::error::describe_io(&other.into())
        ),
    }
}

/// Joins the target's namespace (this thread only).
fn enter(target: &Target) -> Result<(), String> {
    let kind = match target.ns_type {
        NsType::Uts => LinkNameSpaceType::HostNameAndNISDomainName,
        NsType::Ipc => LinkNameSpaceType::InterProcessCommunication,
        NsType::Net => LinkNameSpaceType::Network,
        NsType::Cgroup => LinkNameSpaceType::ControlGroup,
        _ => return Err(format!("{}: not read from inside", subject(target.ns_type))),
    };
    rustix::thread::move_into_link_name_space(target.fd.as_fd(), Some(kind))
        .map_err(|e| entering_error(subject(target.ns_type), e))
}

/// Runs on the net helper thread.
fn read_nets(targets: &[Target]) -> Vec<Result<net::NetRead, String>> {
    targets
        .iter()
        .map(|t| {
            enter(t)?;
            net::read()
        })
        .collect()
}

/// Runs on the other helper thread. Every cgroup member is read from outside first: once the
/// thread is in a cgroup namespace, paths are relative to its root.
fn read_others(targets: &[Target], members: &[Vec<Pid>]) -> Vec<Result<Section, String>> {
    let cgroup_members: Vec<Option<Result<cgroup::Member, String>>> = targets
        .iter()
        .zip(members)
        .map(|(t, pids)| (t.ns_type == NsType::Cgroup).then(|| cgroup::open_member(pids, t.id)))
        .collect();
    targets
        .iter()
        .zip(cgroup_members)
        .map(|(t, member)| {
            if let Some(Err(why)) = member {
                return Err(why);
            }
            enter(t)?;
            match (t.ns_type, member) {
                (NsType::Uts, _) => Ok(Section::Uts(uts::read())),
                (NsType::Ipc, _) => ipc::read().map(Section::Ipc),
                (NsType::Cgroup, Some(Ok(member))) => {
                    cgroup::read_inside(&member).map(Section::Cgroup)
                }
                _ => Err(format!("{}: not read from inside", subject(t.ns_type))),
            }
        })
        .collect()
}

/// Finds every veth's peer among the network namespaces read now and those whose details
/// were kept from an earlier scan (`kept`), and fills it in.
fn resolve_peers(
    targets: &[Target],
    reads: &mut [Result<net::NetRead, String>],
    kept: &[(NsId, &NetDetails)],
) {
    let mut ok: Vec<(&Target, &mut net::NetRead)> = targets
        .iter()
        .zip(reads.iter_mut())
        .filter_map(|(t, r)| r.as_mut().ok().map(|r| (t, r)))
        .collect();
    let mut ids: Vec<NsId> = ok.iter().map(|(t, _)| t.id).collect();
    let mut ends: Vec<Vec<net::VethEnd>> = ok.iter().map(|(_, r)| r.veths.clone()).collect();
    for (id, details) in kept {
        ids.push(*id);
        ends.push(net::kept_ends(*id, details));
    }
    // The nsid sockets were opened inside each namespace: asking through them needs no setns.
    let mut queries: Vec<Option<crate::scan::ioctl::NsidQuery>> =
        ok.iter_mut().map(|(_, r)| r.nsid.take()).collect();
    let matches = net::match_peers(&ids, &ends, ok.len(), |a, b| {
        let fd = ok.get(b)?.0.fd.as_fd();
        queries.get_mut(a)?.as_mut()?.get(fd)
    });
    let mut known: Vec<(NsId, &NetDetails)> = ok.iter().map(|(t, r)| (t.id, &r.details)).collect();
    known.extend_from_slice(kept);
    let names = net::names_of(&known);
    let mut reads: Vec<&mut net::NetRead> = ok.into_iter().map(|(_, r)| r).collect();
    net::fill_peers(&mut reads, matches, &names);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_denied_is_one_sentence_naming_what_was_not_read() {
        assert_eq!(
            entering_error("hostname", Errno::PERM),
            "hostname: permission denied entering it"
        );
        assert_eq!(
            entering_error("interfaces", Errno::INVAL),
            "interfaces: cannot enter it (invalid argument)"
        );
    }
}
