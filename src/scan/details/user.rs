//! The user section: uid_map, gid_map and setgroups of a member process.

use std::os::fd::OwnedFd;

use crate::model::details::UserDetails;

/// Reads the maps through `dir` (/proc/PID of a member).
pub fn read(dir: &OwnedFd) -> Result<UserDetails, String> {
    let _ = dir;
    Err("not read yet".to_string())
}

/// Details of a user namespace whose maps cannot be read, saying why.
pub fn unknown(why: String) -> UserDetails {
    UserDetails {
        maps_unknown: Some(why),
        ..UserDetails::default()
    }
}
