//! Capabilities and privileges of the command: --drop-caps and --no-new-privs.

use std::io;

use super::sys;

/// Empties the bounding and ambient sets. Needs CAP_SETPCAP, so it runs before the uid changes.
pub fn drop_bounding_and_ambient() -> io::Result<()> {
    sys::clear_ambient_caps()?;
    // Capabilities are numbered from 0 up to the kernel's last; reading past it is EINVAL.
    for cap in 0.. {
        match sys::bounding_set_has(cap) {
            Ok(false) => continue,
            Ok(true) => sys::bounding_set_drop(cap)?,
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Empties the effective, permitted and inheritable sets (always allowed: it only lowers).
pub fn drop_process_sets() -> io::Result<()> {
    sys::capset_empty()
}

pub fn set_no_new_privs() -> io::Result<()> {
    sys::set_no_new_privs()
}
