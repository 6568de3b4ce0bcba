//! Capabilities and privileges of the command: --drop-caps, --no-new-privs, and bwrap's
//! --cap-add and --cap-drop ([`CapPlan`]).

use std::io;

use super::spec::CapChange;
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

/// The capabilities' names, by number (capabilities(7)).
pub const NAMES: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// A capability as bwrap takes it: `ALL`, a name with its `CAP_` prefix (any case), or a
/// number (up to 63, newer than this list). None inside means ALL.
pub fn parse(text: &str) -> Result<Option<u8>, String> {
    if text.eq_ignore_ascii_case("ALL") {
        return Ok(None);
    }
    if let Some(cap) = NAMES.iter().position(|n| n.eq_ignore_ascii_case(text)) {
        return Ok(u8::try_from(cap).ok());
    }
    match text.parse::<u8>() {
        Ok(cap) if cap < 64 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(cap)),
        _ => Err(format!(
            "'{}' is not a capability: ALL, a name like CAP_NET_ADMIN, or a number",
            crate::sanitize::for_terminal(text)
        )),
    }
}

/// How a capability renders on a command line: its name, else its number.
pub fn name(cap: Option<u8>) -> String {
    match cap {
        None => "ALL".into(),
        Some(cap) => NAMES
            .get(usize::from(cap))
            .map_or_else(|| cap.to_string(), |n| (*n).to_string()),
    }
}

/// What bwrap's personality does with the command's capabilities, worked out in nsviz's
/// first process, before any namespace changes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapPlan {
    /// The capabilities the command keeps.
    pub keep: u64,
    /// Set the effective, permitted, inheritable and ambient sets to `keep` (bwrap leaves a
    /// root caller's sets alone when no --cap-add or --cap-drop asks for a change).
    pub set: bool,
    /// Lower the bounding set to `keep`: only with a new user namespace.
    pub bounding: bool,
}

impl CapPlan {
    /// bwrap's rule: a root caller (real uid 0) starts from its effective set, anyone else
    /// from nothing; then each change in order. ALL means every capability the kernel has.
    pub fn new(
        changes: &[CapChange],
        caller_uid: u32,
        caller_effective: u64,
        last_cap: u32,
        new_user: bool,
    ) -> CapPlan {
        let all = if last_cap >= 63 {
            u64::MAX
        } else {
            (1u64 << (last_cap + 1)) - 1
        };
        let mut keep = if caller_uid == 0 { caller_effective } else { 0 };
        for change in changes {
            let bits = change.cap.map_or(all, |c| 1u64 << c);
            if change.add {
                keep |= bits;
            } else {
                keep &= !bits;
            }
        }
        CapPlan {
            keep,
            set: !(changes.is_empty() && caller_uid == 0),
            bounding: new_user,
        }
    }

    /// Reads the caller's real uid, effective set and the kernel's last capability.
    pub fn for_caller(changes: &[CapChange], new_user: bool) -> io::Result<CapPlan> {
        let (effective, _, _) = sys::capability_sets()?;
        Ok(CapPlan::new(
            changes,
            sys::getuid(),
            effective,
            last_cap(),
            new_user,
        ))
    }

    /// Lowers the bounding set; needs CAP_SETPCAP, so before the uid changes. As bwrap, a
    /// capability the kernel does not have (EINVAL) or cannot drop (EPERM) is passed over.
    pub fn apply_bounding(&self) -> io::Result<()> {
        if !self.bounding {
            return Ok(());
        }
        for cap in (0..64u32).filter(|c| self.keep & (1u64 << c) == 0) {
            match sys::bounding_set_drop(cap) {
                Ok(()) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EPERM)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sets the effective, permitted and inheritable sets to what is kept (of what is still
    /// permitted: a set cannot grow), and raises those in the ambient set so that the exec
    /// keeps them whatever the command's uid.
    pub fn apply_sets(&self) -> io::Result<()> {
        if !self.set {
            return Ok(());
        }
        let (_, permitted, _) = sys::capability_sets()?;
        let keep = self.keep & permitted;
        sys::set_capability_sets(keep)?;
        for cap in (0..64u32).filter(|c| keep & (1u64 << c) != 0) {
            match sys::raise_ambient(cap) {
                Ok(()) => {}
                Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EPERM)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// The kernel's highest capability number (/proc/sys/kernel/cap_last_cap; 40 in Linux 6.x).
fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .filter(|&n: &u32| n < 64)
        .unwrap_or(40)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(add: bool, cap: &str) -> CapChange {
        CapChange {
            add,
            cap: parse(cap).unwrap(),
        }
    }

    #[test]
    fn names_numbers_and_all_parse_and_others_do_not() {
        assert_eq!(parse("CAP_NET_ADMIN"), Ok(Some(12)));
        assert_eq!(parse("cap_chown"), Ok(Some(0)));
        assert_eq!(parse("all"), Ok(None));
        assert_eq!(parse("40"), Ok(Some(40)));
        for bad in [
            "NET_ADMIN",
            "CAP_BOGUS",
            "",
            "64",
            "+1",
            "CAP_CHOWN,CAP_KILL",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(name(Some(21)), "CAP_SYS_ADMIN");
        assert_eq!(name(Some(50)), "50");
        assert_eq!(name(None), "ALL");
    }

    #[test]
    fn root_keeps_its_own_others_nothing_then_changes_apply_in_order() {
        let full = (1u64 << 41) - 1;
        let root = CapPlan::new(&[], 0, full, 40, false);
        assert_eq!((root.keep, root.set, root.bounding), (full, false, false));
        let user = CapPlan::new(&[], 1000, 0, 40, true);
        assert_eq!((user.keep, user.set, user.bounding), (0, true, true));
        let added = CapPlan::new(&[change(true, "CAP_NET_ADMIN")], 1000, 0, 40, true);
        assert_eq!(added.keep, 1 << 12);
        let order = [change(false, "ALL"), change(true, "CAP_CHOWN")];
        assert_eq!(CapPlan::new(&order, 0, full, 40, false).keep, 1);
        let reversed = [change(true, "CAP_CHOWN"), change(false, "ALL")];
        assert_eq!(CapPlan::new(&reversed, 0, full, 40, false).keep, 0);
        let all = CapPlan::new(&[change(true, "ALL")], 1000, 0, 40, true);
        assert_eq!(all.keep, full);
    }
}
