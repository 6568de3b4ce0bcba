//! The time section: /proc/PID/timens_offsets.

use std::os::fd::OwnedFd;

use crate::model::details::TimeDetails;

pub fn read(dir: &OwnedFd) -> Result<TimeDetails, String> {
    let _ = dir;
    Err("not read yet".to_string())
}
