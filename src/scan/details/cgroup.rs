//! The cgroup section, read from inside (see inside.rs). /proc/PID/cgroup shows paths relative
//! to the *reader's* cgroup namespace root, so a member's path read from outside ends with the
//! path read from inside the namespace, and what comes before is the namespace's root.
//! The cgroup v2 line (`0::`) is used where present, else the v1 `name=systemd` one.

use std::os::fd::OwnedFd;

use rustix::fs::{Mode, OFlags};

use crate::model::details::CgroupDetails;
use crate::model::{NsId, Pid};
use crate::sanitize::text_from_bytes;

/// A member process, opened from outside the namespace, with its cgroup path as seen there.
pub struct Member {
    dir: OwnedFd,
    outside: Vec<u8>,
}

/// Opens /proc/PID of the first of `pids` that is still in cgroup namespace `id`, and reads its
/// cgroup path from outside. Must run before the thread enters any cgroup namespace.
pub fn open_member(pids: &[Pid], id: NsId) -> Result<Member, String> {
    if pids.is_empty() {
        return Err("cgroup root: no process is in it to read it through".to_string());
    }
    let mut why = "cgroup root: no process in it could be read".to_string();
    for pid in pids {
        match open_one(*pid, id) {
            Ok(member) => return Ok(member),
            Err(e) => why = e,
        }
    }
    Err(why)
}

fn open_one(pid: Pid, id: NsId) -> Result<Member, String> {
    let gone = |e: rustix::io::Errno| {
        format!(
            "cgroup root: its process {pid} could not be read ({})",
            crate::error::describe_io(&e.into())
        )
    };
    let dir = rustix::fs::open(
        format!("/proc/{pid}").as_str(),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )
    .map_err(gone)?;
    let outside = read_path(&dir).map_err(gone)?;
    // The PID may have been reused: the directory fd is that process for as long as it lives.
    let link = rustix::fs::readlinkat(&dir, "ns/cgroup", Vec::new()).map_err(gone)?;
    if link.as_bytes() != format!("cgroup:[{id}]").as_bytes() {
        return Err(format!("cgroup root: its process {pid} has left it"));
    }
    Ok(Member { dir, outside })
}

/// The member's path as seen from the calling thread's cgroup namespace.
fn read_path(dir: &OwnedFd) -> rustix::io::Result<Vec<u8>> {
    let fd = rustix::fs::openat(
        dir,
        "cgroup",
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::empty(),
    )?;
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = rustix::io::read(&fd, &mut buf)?;
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
    }
    pick_path(&text)
        .map(<[u8]>::to_vec)
        .ok_or(rustix::io::Errno::NODATA)
}

/// Reads the root, once the calling thread is in the member's cgroup namespace.
pub fn read_inside(member: &Member) -> Result<CgroupDetails, String> {
    let inside = read_path(&member.dir).map_err(|e| {
        format!(
            "cgroup root: its process could not be read from inside ({})",
            crate::error::describe_io(&e.into())
        )
    })?;
    root_of(&member.outside, &inside).map(|root| CgroupDetails {
        root: text_from_bytes(&root),
    })
}

/// The path of the cgroup v2 line of a /proc/PID/cgroup text, else of the v1 `name=systemd`
/// line.
pub fn pick_path(text: &[u8]) -> Option<&[u8]> {
    let lines = || {
        text.split(|&b| b == b'\n').filter_map(|line| {
            let mut fields = line.splitn(3, |&b| b == b':');
            Some((fields.next()?, fields.next()?, fields.next()?))
        })
    };
    lines()
        .find(|(id, controllers, _)| *id == b"0" && controllers.is_empty())
        .or_else(|| {
            lines().find(|(_, controllers, _)| {
                controllers
                    .split(|&b| b == b',')
                    .any(|c| c == b"name=systemd")
            })
        })
        .map(|(_, _, path)| path)
}

/// The namespace's root: the path seen from outside without the path seen from inside.
pub fn root_of(outside: &[u8], inside: &[u8]) -> Result<Vec<u8>, String> {
    if !inside.starts_with(b"/") || inside.starts_with(b"/..") {
        return Err("cgroup root: its process is in a cgroup outside the namespace's root".into());
    }
    if inside == b"/" {
        return Ok(outside.to_vec());
    }
    let root = outside
        .strip_suffix(inside)
        .filter(|root| !root.ends_with(b"/") && (root.is_empty() || root.starts_with(b"/")))
        .ok_or_else(|| {
            "cgroup root: the paths seen from outside and inside do not agree".to_string()
        })?;
    Ok(if root.is_empty() {
        b"/".to_vec()
    } else {
        root.to_vec()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_outside_path_without_the_inside_one() {
        assert_eq!(root_of(b"/a/b/c", b"/c").unwrap(), b"/a/b");
        assert_eq!(root_of(b"/a/b/c", b"/b/c").unwrap(), b"/a");
        assert_eq!(root_of(b"/a/b", b"/").unwrap(), b"/a/b");
        assert_eq!(root_of(b"/", b"/").unwrap(), b"/");
        assert_eq!(root_of(b"/c", b"/c").unwrap(), b"/");
        // A suffix that is not whole path components does not count.
        assert!(root_of(b"/a/bc", b"/c").is_err());
        assert!(root_of(b"/a/b", b"/x").is_err());
        assert!(root_of(b"/a/b", b"/../../x").is_err());
    }

    #[test]
    fn the_v2_line_wins_else_name_systemd() {
        let hybrid =
            b"12:cpu,cpuacct:/x\n1:name=systemd:/user.slice/s.scope\n0::/user.slice/s.scope\n";
        assert_eq!(pick_path(hybrid), Some(&b"/user.slice/s.scope"[..]));
        let v1 = b"3:memory:/m\n1:name=systemd:/system.slice/a:b.service\n";
        assert_eq!(pick_path(v1), Some(&b"/system.slice/a:b.service"[..]));
        assert_eq!(pick_path(b"0::/\n"), Some(&b"/"[..]));
        assert_eq!(pick_path(b"3:memory:/m\n"), None);
    }
}
