//! Namespace links: `/proc/PID/ns/TYPE` and `/proc/PID/task/TID/ns/TYPE` read with readlinkat
//! relative to an open directory (one syscall a link; no stat, unlike procfs' namespaces()).

use std::io;
use std::os::fd::AsFd;

use crate::model::{NsId, NsType};

/// Parses a link target like `net:[4026531840]` (also what nsfs fds and nsfs mount roots show).
pub fn parse_target(text: &[u8]) -> Option<(NsType, NsId)> {
    let text = std::str::from_utf8(text).ok()?;
    let (name, rest) = text.split_once(":[")?;
    let id = rest.strip_suffix(']')?.parse().ok()?;
    let ns_type = match name {
        "mnt" => NsType::Mnt,
        other => other.parse().ok()?,
    };
    Some((ns_type, id))
}

/// The links of one process or thread, as far as they could be read.
#[derive(Debug, Default)]
pub struct Links {
    pub ns: Vec<(NsType, NsId)>,
    pub pid_for_children: Option<NsId>,
    pub time_for_children: Option<NsId>,
    /// Links of the eight types that exist but could not be read.
    pub failed: u32,
}

impl Links {
    pub fn get(&self, ns_type: NsType) -> Option<NsId> {
        self.ns
            .iter()
            .find(|(t, _)| *t == ns_type)
            .map(|&(_, id)| id)
    }
}

/// Reads `ns/*` below `dir` (a /proc/PID or /proc/PID/task/TID directory).
pub fn read(dir: impl AsFd) -> Links {
    let dir = dir.as_fd();
    let mut links = Links::default();
    let mut buf = [0u8; 64];
    for ns_type in NsType::ALL {
        match read_one(dir, ns_path(ns_type), &mut buf) {
            Ok(Some((t, id))) if t == ns_type => links.ns.push((t, id)),
            _ => links.failed += 1,
        }
    }
    // Only where they differ from the process's own: that is what makes them interesting.
    if let Ok(Some((NsType::Pid, id))) = read_one(dir, "ns/pid_for_children", &mut buf) {
        links.pid_for_children = Some(id).filter(|&id| links.get(NsType::Pid) != Some(id));
    }
    if let Ok(Some((NsType::Time, id))) = read_one(dir, "ns/time_for_children", &mut buf) {
        links.time_for_children = Some(id).filter(|&id| links.get(NsType::Time) != Some(id));
    }
    links
}

fn ns_path(ns_type: NsType) -> &'static str {
    match ns_type {
        NsType::User => "ns/user",
        NsType::Mnt => "ns/mnt",
        NsType::Pid => "ns/pid",
        NsType::Net => "ns/net",
        NsType::Uts => "ns/uts",
        NsType::Ipc => "ns/ipc",
        NsType::Cgroup => "ns/cgroup",
        NsType::Time => "ns/time",
    }
}

fn read_one(
    dir: std::os::fd::BorrowedFd<'_>,
    path: &str,
    buf: &mut [u8; 64],
) -> io::Result<Option<(NsType, NsId)>> {
    let len = rustix::fs::readlinkat_raw(dir, path, &mut buf[..])?;
    Ok(parse_target(&buf[..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_link_targets() {
        assert_eq!(
            parse_target(b"net:[4026531840]"),
            Some((NsType::Net, 4026531840))
        );
        assert_eq!(parse_target(b"mnt:[1]"), Some((NsType::Mnt, 1)));
        assert_eq!(
            parse_target(b"pid_for_children:[5]"),
            None,
            "only type names"
        );
        assert_eq!(parse_target(b"socket:[77]"), None);
        assert_eq!(parse_target(b"net:[x]"), None);
        assert_eq!(parse_target(b"/dev/null"), None);
    }
}
