//! The /proc file parsers (status, cmdline, mountinfo, cgroup and the attribution of its path)
//! and passwd, on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = nsviz::scan::process::parse_status(data);
    let _ = nsviz::scan::process::parse_cmdline(data);
    let _ = nsviz::scan::mounts::parse_mountinfo(data);
    let _ = nsviz::scan::mounts::parse_mounts(data);
    if let Some(path) = nsviz::scan::attribution::parse_cgroup(data) {
        let _ = nsviz::scan::attribution::attribute(&path);
    }
    let _ = nsviz::scan::users::parse_passwd(data);
});
