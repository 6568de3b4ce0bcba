//! The mnt section: a member's mountinfo, compared with the host's.

use std::os::fd::OwnedFd;

use crate::model::Pid;
use crate::model::details::{MntDetails, Mount};

/// Every mount of `dir`'s (/proc/PID) mount namespace, in mountinfo order.
pub fn read_mounts(dir: &OwnedFd) -> Result<Vec<Mount>, String> {
    let _ = dir;
    Err("not read yet".to_string())
}

/// The root directory of `pid`, as the host sees it, where reachable.
pub fn root(proc_root: &OwnedFd, pid: Pid) -> Option<String> {
    let _ = (proc_root, pid);
    None
}

/// The section: `mounts` compared with `host` (the host's initial mount namespace's table).
pub fn details(host: &[Mount], mounts: &[Mount], root: Option<String>) -> MntDetails {
    let _ = host;
    MntDetails {
        root,
        mount_count: mounts.len() as u32,
        ..MntDetails::default()
    }
}
