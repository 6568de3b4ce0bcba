//! User and group id maps of a new user namespace. A map of our own id alone is written by the
//! process that created the namespace; blocks of other ids (`--map-users`, `--map-groups`)
//! are written by a helper process forked before, as root directly, otherwise through the
//! setuid programs newuidmap/newgidmap (package uidmap), which check /etc/subuid and
//! /etc/subgid, as unshare(1) does.

use std::os::fd::OwnedFd;

use crate::error::{Error, Result};

pub use super::spec::Mapping;
use super::spec::{IdBlock, Setgroups, SpawnSpec};
use super::{die, setup_error, sys};

/// The ids outside, read before unshare (afterwards they read as the overflow id).
#[derive(Debug, Clone, Copy)]
pub struct Outside {
    pub uid: u32,
    pub gid: u32,
}

/// One line of uid_map or gid_map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub inner: u32,
    pub outer: u32,
    pub count: u32,
}

/// The map of one kind of id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdMap {
    None,
    /// Our own id only, written by ourselves.
    Own(u32),
    /// Several lines, written by the helper.
    Lines(Vec<Extent>),
}

/// The resolved maps of a new user namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdMaps {
    pub uid: IdMap,
    pub gid: IdMap,
}

impl IdMaps {
    /// Works out the maps of `spec` for a process with the ids `outside`: reads /etc/subuid,
    /// /etc/subgid and our own maps where asked.
    /// `mapping` is the plan's: the spec's, or what the plan implies (bwrap's own user
    /// namespace for a new root).
    pub fn resolve(spec: &SpawnSpec, mapping: Mapping, outside: Outside) -> Result<IdMaps> {
        let (root_uid, root_gid) = match mapping {
            Mapping::None => (None, None),
            Mapping::Root => (Some(0), Some(0)),
            Mapping::Current => (Some(outside.uid), Some(outside.gid)),
        };
        // --map-user (unshare) or --uid (bwrap) give our id another inside id.
        let own_uid = spec.map_user.or(spec.sandbox.uid).or(root_uid);
        let own_gid = spec.map_group.or(spec.sandbox.gid).or(root_gid);
        let owner = spec.owner.is_some();
        let uid = resolve_one(&spec.map_users, own_uid, outside.uid, owner, Kind::User)?;
        let gid = resolve_one(&spec.map_groups, own_gid, outside.gid, owner, Kind::Group)?;
        Ok(IdMaps { uid, gid })
    }

    fn needs_helper(&self) -> bool {
        matches!(self.uid, IdMap::Lines(_)) || matches!(self.gid, IdMap::Lines(_))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    User,
    Group,
}

impl Kind {
    fn subid_file(self) -> &'static str {
        match self {
            Kind::User => "/etc/subuid",
            Kind::Group => "/etc/subgid",
        }
    }
    fn own_map(self) -> &'static str {
        match self {
            Kind::User => "/proc/self/uid_map",
            Kind::Group => "/proc/self/gid_map",
        }
    }
    fn map_file(self) -> &'static str {
        match self {
            Kind::User => "uid_map",
            Kind::Group => "gid_map",
        }
    }
    fn helper(self) -> &'static str {
        match self {
            Kind::User => "newuidmap",
            Kind::Group => "newgidmap",
        }
    }
}

fn resolve_one(
    blocks: &[IdBlock],
    own: Option<u32>,
    outer: u32,
    owner: bool,
    kind: Kind,
) -> Result<IdMap> {
    if blocks.is_empty() && !(owner && own.is_some()) {
        return Ok(own.map_or(IdMap::None, IdMap::Own));
    }
    // (extent, from `auto`: its inner ids shift past our own instead of losing one)
    let mut chain: Vec<(Extent, bool)> = Vec::new();
    for block in blocks {
        match block {
            IdBlock::Range {
                inner,
                outer,
                count,
            } => chain.push((
                Extent {
                    inner: *inner,
                    outer: *outer,
                    count: *count,
                },
                false,
            )),
            IdBlock::Auto | IdBlock::Subids => {
                let (start, count) = first_subid_block(kind)?;
                let auto = *block == IdBlock::Auto;
                let inner = if auto { 0 } else { start };
                chain.push((
                    Extent {
                        inner,
                        outer: start,
                        count,
                    },
                    auto,
                ));
            }
            IdBlock::All => {
                let text = std::fs::read_to_string(kind.own_map())
                    .map_err(|e| setup_error(format!("cannot read {}", kind.own_map()), e))?;
                for line in text.lines() {
                    let numbers: Vec<u32> = line
                        .split_whitespace()
                        .filter_map(|n| n.parse().ok())
                        .collect();
                    if let [start, _, count] = numbers[..] {
                        chain.push((
                            Extent {
                                inner: start,
                                outer: start,
                                count,
                            },
                            false,
                        ));
                    }
                }
            }
        }
    }
    let mut lines = Vec::new();
    if let Some(inner) = own {
        lines.push(Extent {
            inner,
            outer,
            count: 1,
        });
    }
    for (extent, auto) in chain {
        lines.extend(punch_hole(extent, auto, own.map(|inner| (inner, outer))));
    }
    Ok(IdMap::Lines(lines))
}

/// `block` without the ids of our own single map (`own`: inner, outer), so that no id is
/// mapped twice: the ids on each side keep their order and skip the one taken, so the block
/// splits into up to three extents. It loses its topmost id if it overlaps our map, unless it
/// came from `auto`, whose inner ids just move up by one.
fn punch_hole(block: Extent, auto: bool, own: Option<(u32, u32)>) -> Vec<Extent> {
    let Some((inner, outer)) = own else {
        return vec![block];
    };
    let (i0, o0) = (u64::from(block.inner), u64::from(block.outer));
    let (i, o) = (u64::from(inner), u64::from(outer));
    let mut n = u64::from(block.count);
    let overlaps = (o0..o0 + n).contains(&o) || (i0..i0 + n).contains(&i);
    if overlaps && !auto {
        n -= 1;
    }
    // Position in the block from which each side skips our id (n: never).
    let outer_skip = if o >= o0 { (o - o0).min(n) } else { n };
    let inner_skip = if i >= i0 { (i - i0).min(n) } else { n };
    let cuts = [0, outer_skip.min(inner_skip), outer_skip.max(inner_skip), n];
    let mut pieces = Vec::new();
    for pair in cuts.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        if to <= from {
            continue;
        }
        let outer_at = o0 + from + u64::from(from >= outer_skip && outer_skip < n);
        let inner_at = i0 + from + u64::from(from >= inner_skip && inner_skip < n);
        // Ids stay below 2^32: the kernel would refuse anything else anyway.
        let (Ok(outer), Ok(inner), Ok(count)) = (
            u32::try_from(outer_at),
            u32::try_from(inner_at),
            u32::try_from(to - from),
        ) else {
            continue;
        };
        pieces.push(Extent {
            inner,
            outer,
            count,
        });
    }
    pieces
}

/// The first block of subordinate ids of the effective user in /etc/subuid or /etc/subgid
/// (`NAME:START:COUNT` or `UID:START:COUNT`; both files are keyed by the user).
fn first_subid_block(kind: Kind) -> Result<(u32, u32)> {
    let file = kind.subid_file();
    let uid = sys::geteuid();
    let name = nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(uid))
        .ok()
        .flatten()
        .map(|u| u.name);
    let text =
        std::fs::read_to_string(file).map_err(|e| setup_error(format!("cannot read {file}"), e))?;
    for line in text.lines() {
        let fields: Vec<&str> = line.trim().split(':').collect();
        let [who, start, count] = fields[..] else {
            continue;
        };
        let ours = who.parse::<u32>().ok() == Some(uid) || name.as_deref() == Some(who);
        if let (true, Ok(start), Ok(count)) = (ours, start.parse(), count.parse()) {
            return Ok((start, count));
        }
    }
    Err(Error::with_code(
        format!("{file} has no subordinate ids for user {uid}"),
        crate::error::exit::SETUP,
    ))
}

/// The helper that writes multi-line maps once we are in the new user namespace.
pub struct Mapper {
    pid: i32,
    go: OwnedFd,
}

impl Mapper {
    /// Forks the helper if `maps` need one (before unshare: it must stay outside).
    pub fn start(maps: &IdMaps) -> Result<Option<Mapper>> {
        if !maps.needs_helper() {
            return Ok(None);
        }
        let target = sys::getpid();
        let (wait_end, go) = sys::pipe().map_err(|e| setup_error("cannot create a pipe", e))?;
        let pid = sys::fork().map_err(|e| setup_error("cannot fork the id map helper", e))?;
        if pid == 0 {
            drop(go);
            use std::io::Read;
            let mut byte = [0u8; 1];
            if std::fs::File::from(wait_end).read_exact(&mut byte).is_err() {
                // nsviz gave up before creating the namespace.
                sys::exit_now(0);
            }
            for (kind, map) in [(Kind::User, &maps.uid), (Kind::Group, &maps.gid)] {
                if let IdMap::Lines(lines) = map
                    && let Err(e) = write_lines(kind, target, lines)
                {
                    die(e);
                }
            }
            sys::exit_now(0);
        }
        Ok(Some(Mapper { pid, go }))
    }

    /// After unshare: lets the helper write the maps and waits for it.
    pub fn map(self) -> Result<()> {
        use std::io::Write;
        let sent = std::fs::File::from(self.go).write_all(&[1]);
        let (_, status) = sys::waitpid(self.pid, 0)
            .map_err(|e| setup_error("waiting for the id map helper", e))?;
        sent.map_err(|e| setup_error("cannot start the id map helper", e))?;
        match sys::exit_status(status) {
            0 => Ok(()),
            _ => Err(Error::with_code(
                "the id maps could not be written (see above)",
                crate::error::exit::SETUP,
            )),
        }
    }
}

/// In the helper: root writes /proc/PID/uid_map itself, anyone else runs newuidmap.
fn write_lines(kind: Kind, target: i32, lines: &[Extent]) -> Result<()> {
    if sys::geteuid() == 0 {
        let text: String = lines
            .iter()
            .map(|e| format!("{} {} {}\n", e.inner, e.outer, e.count))
            .collect();
        return write(&format!("/proc/{target}/{}", kind.map_file()), &text);
    }
    let program = kind.helper();
    let mut command = std::process::Command::new(program);
    command.arg(target.to_string());
    for e in lines {
        command.args([e.inner, e.outer, e.count].map(|n| n.to_string()));
    }
    let status = command.status().map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            " (install the package uidmap)"
        } else {
            ""
        };
        setup_error(format!("cannot run {program}{hint}"), e)
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::with_code(
            format!("{program} failed: are the ids in {}?", kind.subid_file()),
            crate::error::exit::SETUP,
        ))
    }
}

/// Writes /proc/self/setgroups and the single-id maps; the helper, if any, writes the others
/// (after setgroups, which cannot change once gid_map is written). With our own gid mapped,
/// setgroups is denied unless asked otherwise: an unprivileged process must deny it before it
/// may write gid_map.
pub fn write_maps(
    maps: &IdMaps,
    mapper: Option<Mapper>,
    setgroups: Option<Setgroups>,
    outside: Outside,
) -> Result<()> {
    let setgroups = match (setgroups, &maps.gid) {
        (Some(s), _) => Some(s),
        (None, IdMap::Own(_)) => Some(Setgroups::Deny),
        (None, _) => None,
    };
    if let Some(s) = setgroups {
        let text = if s == Setgroups::Deny {
            "deny"
        } else {
            "allow"
        };
        write("/proc/self/setgroups", text)?;
    }
    if let Some(mapper) = mapper {
        mapper.map()?;
    }
    if let IdMap::Own(inner) = maps.uid {
        write("/proc/self/uid_map", &format!("{inner} {} 1", outside.uid))?;
    }
    if let IdMap::Own(inner) = maps.gid {
        write("/proc/self/gid_map", &format!("{inner} {} 1", outside.gid))?;
    }
    Ok(())
}

fn write(path: &str, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| {
        let hint = if path.ends_with("gid_map") && e.raw_os_error() == Some(libc::EPERM) {
            " (without root, setgroups must be denied: --setgroups deny)"
        } else {
            ""
        };
        setup_error(
            format!("cannot write {:?} to {path}{hint}", text.trim_end()),
            e,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(inner: u32, outer: u32, count: u32) -> Extent {
        Extent {
            inner,
            outer,
            count,
        }
    }

    #[test]
    fn our_map_punches_a_hole_in_a_block() {
        // Root inside is our uid 1000; the block 0..65536 from 100000 loses inner 0.
        assert_eq!(
            punch_hole(e(0, 100000, 65536), false, Some((0, 1000))),
            vec![e(1, 100000, 65535)]
        );
        // auto: the inner ids move up by one and none is lost.
        assert_eq!(
            punch_hole(e(0, 100000, 65536), true, Some((0, 1000))),
            vec![e(1, 100000, 65536)]
        );
        // Identity map of everything with our 1000 as 0: three pieces around both ids.
        assert_eq!(
            punch_hole(e(0, 0, 4000), false, Some((0, 1000))),
            vec![e(1, 0, 1000), e(1001, 1001, 2999)]
        );
        assert_eq!(punch_hole(e(5, 6, 7), false, None), vec![e(5, 6, 7)]);
        // Apart from our ids: unchanged.
        assert_eq!(
            punch_hole(e(10, 200000, 5), false, Some((0, 1000))),
            vec![e(10, 200000, 5)]
        );
    }
}
