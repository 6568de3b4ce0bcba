//! User and group id maps of a new user namespace, written by the process that created it.

use crate::error::Result;

use super::setup_error;
pub use super::spec::Mapping;
use super::spec::Setgroups;

/// The ids outside, read before unshare (afterwards they read as the overflow id).
#[derive(Debug, Clone, Copy)]
pub struct Outside {
    pub uid: u32,
    pub gid: u32,
}

/// Writes /proc/self/setgroups, uid_map and gid_map. With a map, setgroups is denied unless
/// asked otherwise: an unprivileged process must deny it before it may write gid_map.
/// `inside` overrides the uid and gid the map gives the caller inside (bwrap's --uid, --gid).
pub fn write_maps(
    mapping: Mapping,
    setgroups: Option<Setgroups>,
    outside: Outside,
    inside: (Option<u32>, Option<u32>),
) -> Result<()> {
    let setgroups = match (setgroups, mapping) {
        (Some(s), _) => Some(s),
        (None, Mapping::None) => None,
        (None, _) => Some(Setgroups::Deny),
    };
    if let Some(s) = setgroups {
        let text = if s == Setgroups::Deny {
            "deny"
        } else {
            "allow"
        };
        write("/proc/self/setgroups", text)?;
    }
    let (uid_inside, gid_inside) = match mapping {
        Mapping::None => return Ok(()),
        Mapping::Root => (0, 0),
        Mapping::Current => (outside.uid, outside.gid),
    };
    let uid_inside = inside.0.unwrap_or(uid_inside);
    let gid_inside = inside.1.unwrap_or(gid_inside);
    write(
        "/proc/self/uid_map",
        &format!("{uid_inside} {} 1", outside.uid),
    )?;
    write(
        "/proc/self/gid_map",
        &format!("{gid_inside} {} 1", outside.gid),
    )
}

fn write(path: &str, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| {
        let hint = if path.ends_with("gid_map") && e.raw_os_error() == Some(libc::EPERM) {
            " (without root, setgroups must be denied: --setgroups deny)"
        } else {
            ""
        };
        setup_error(format!("cannot write {text:?} to {path}{hint}"), e)
    })
}
