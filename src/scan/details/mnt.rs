//! The mnt section: a member's mountinfo, compared with the host's.

use std::collections::HashMap;
use std::os::fd::OwnedFd;

use rustix::fs::{AtFlags, Mode, OFlags};

use super::read_file;
use crate::model::Pid;
use crate::model::details::{MntDetails, Mount, MountChange};
use crate::sanitize::text_from_bytes;
use crate::scan::mounts::parse_mounts;

/// A host with thousands of mounts (a busy container host) has a table of a few MiB.
const MOUNTINFO_CAP: usize = 16 * 1024 * 1024;

/// Every mount of `dir`'s (/proc/PID) mount namespace, in mountinfo order.
pub fn read_mounts(dir: &OwnedFd) -> Result<Vec<Mount>, String> {
    Ok(parse_mounts(&read_file(dir, "mountinfo", MOUNTINFO_CAP)?))
}

/// The root directory of `pid`, as the host sees it, where reachable: the path the kernel
/// gives for /proc/PID/root, kept only when that path names the same directory from here
/// (after pivot_root the kernel gives a path within a filesystem we may not see at all).
pub fn root(proc_root: &OwnedFd, pid: Pid) -> Option<String> {
    let link = format!("{pid}/root");
    // readlinkat does not follow the link itself; the path it returns is only compared.
    let path = rustix::fs::readlinkat(proc_root, link.as_str(), Vec::new()).ok()?;
    let path = path.as_bytes();
    if !path.starts_with(b"/") {
        return None;
    }
    let theirs = rustix::fs::statat(proc_root, link.as_str(), AtFlags::empty()).ok()?;
    let dir = rustix::fs::open(
        path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let ours = rustix::fs::fstat(&dir).ok()?;
    (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino).then(|| text_from_bytes(path))
}

/// The section: `mounts` compared with `host` (the host's initial mount namespace's table).
pub fn details(host: &[Mount], mounts: &[Mount], root: Option<String>) -> MntDetails {
    let visible = visible(mounts);
    let host_visible = visible_by_target(host);
    let root_mount = visible.iter().find(|m| m.target == "/");
    let host_root = host_visible.get("/");
    // No mount at "/": the member's root is a directory below a mount's root (a chroot), and
    // mountinfo shows only the mounts under it, relative to it.
    let new_root = match (root_mount, host_root) {
        (Some(ours), Some(theirs)) => !same_root(ours, theirs),
        (None, Some(_)) => true,
        (_, None) => false,
    };
    let mut details = MntDetails {
        root,
        mount_count: u32::try_from(mounts.len()).unwrap_or(u32::MAX),
        propagation: root_mount
            .map(|m| m.propagation.clone())
            .unwrap_or_default(),
        new_root,
        ..MntDetails::default()
    };
    if new_root {
        details.added = visible.into_iter().cloned().collect();
        return details;
    }
    let ours_by_target: HashMap<&str, &Mount> =
        visible.iter().map(|m| (m.target.as_str(), *m)).collect();
    for &mount in &visible {
        match host_visible.get(mount.target.as_str()) {
            None => details.added.push(mount.clone()),
            Some(before) if differs(before, mount) => details.changed.push(MountChange {
                before: (*before).clone(),
                after: mount.clone(),
            }),
            Some(_) => {}
        }
    }
    details.removed = self::visible(host)
        .into_iter()
        .filter(|m| !ours_by_target.contains_key(m.target.as_str()))
        .cloned()
        .collect();
    details
}

/// The visible mounts, in file order: of several mounts on one target, the last.
fn visible(mounts: &[Mount]) -> Vec<&Mount> {
    let last: HashMap<&str, usize> = mounts
        .iter()
        .enumerate()
        .map(|(i, m)| (m.target.as_str(), i))
        .collect();
    mounts
        .iter()
        .enumerate()
        .filter(|(i, m)| last.get(m.target.as_str()) == Some(i))
        .map(|(_, m)| m)
        .collect()
}

fn visible_by_target(mounts: &[Mount]) -> HashMap<&str, &Mount> {
    // Later entries overwrite earlier ones: the last mount on a target is the visible one.
    mounts.iter().map(|m| (m.target.as_str(), m)).collect()
}

/// Whether two root mounts show the same directory of the same filesystem.
fn same_root(a: &Mount, b: &Mount) -> bool {
    a.device == b.device && a.source == b.source && a.fstype == b.fstype
}

/// Whether the mount at one target is another one, or the same one made different.
fn differs(a: &Mount, b: &Mount) -> bool {
    a.source != b.source
        || a.fstype != b.fstype
        || a.device != b.device
        || a.read_only != b.read_only
        || a.options != b.options
        || a.bind != b.bind
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &[u8] =
        b"22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
28 27 0:23 / /tmp rw,nosuid,nodev shared:7 - tmpfs tmpfs rw,size=1024k
40 28 0:30 / /tmp rw,relatime shared:8 - tmpfs tmpfs rw,size=2048k
30 27 0:24 / /mnt/usb rw,relatime shared:9 - vfat /dev/sdb1 rw
31 27 0:25 / /mnt/lock rw shared:10 - tmpfs tmpfs rw
";

    /// The host's table after `unshare -m --propagation private`, `mount --bind second first`
    /// in /root/my dir, `mount -o remount,ro,bind /mnt/usb`, `umount /mnt/lock`.
    const COPY: &[u8] = b"522 521 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
521 520 254:1 / / rw,relatime - ext4 /dev/vda1 rw,errors=remount-ro
523 521 0:23 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=1024k
524 523 0:30 / /tmp rw,relatime - tmpfs tmpfs rw,size=2048k
525 521 0:24 / /mnt/usb ro,relatime - vfat /dev/sdb1 rw
530 521 254:1 /root/my\\040dir/second /root/my\\040dir/first rw,relatime - ext4 /dev/vda1 rw,errors=remount-ro
";

    /// A new root on tmpfs, entered with pivot_root, the old root detached.
    const PIVOTED: &[u8] = b"700 650 0:40 / / rw,relatime - tmpfs tmpfs rw,size=1024k
701 700 254:1 /usr /usr ro,nosuid,relatime - ext4 /dev/vda1 rw,errors=remount-ro
702 700 0:41 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
703 700 0:42 / /tmp rw - tmpfs tmpfs rw
";

    #[test]
    fn the_host_against_itself_differs_in_nothing() {
        let host = parse_mounts(HOST);
        let d = details(&host, &host, Some("/".into()));
        assert_eq!(d.mount_count, 6);
        assert_eq!(d.propagation, "shared");
        assert!(!d.new_root);
        assert!(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty());
    }

    #[test]
    fn a_copy_shows_the_bind_mount_the_remount_and_the_unmount() {
        let (host, copy) = (parse_mounts(HOST), parse_mounts(COPY));
        let d = details(&host, &copy, None);
        assert_eq!(d.mount_count, 6);
        assert_eq!(d.propagation, "private");
        assert!(!d.new_root);
        assert_eq!(d.added.len(), 1, "{:?}", d.added);
        assert_eq!(d.added[0].target, "/root/my dir/first");
        assert_eq!(d.added[0].source, "/dev/vda1:/root/my dir/second");
        assert!(d.added[0].bind);
        assert_eq!(d.changed.len(), 1, "{:?}", d.changed);
        assert_eq!(d.changed[0].after.target, "/mnt/usb");
        assert!(!d.changed[0].before.read_only && d.changed[0].after.read_only);
        let removed: Vec<&str> = d.removed.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(removed, ["/mnt/lock"]);
    }

    #[test]
    fn the_last_of_stacked_mounts_is_the_one_compared() {
        let host = parse_mounts(HOST);
        // Only the lower /tmp left: the visible /tmp changed.
        let lower_only: Vec<Mount> = host
            .iter()
            .filter(|m| m.device != "0:30")
            .cloned()
            .collect();
        let d = details(&host, &lower_only, None);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].before.options, "rw,relatime,size=2048k");
        assert_eq!(d.changed[0].after.options, "rw,nosuid,nodev,size=1024k");
        assert!(d.added.is_empty() && d.removed.is_empty());
    }

    #[test]
    fn a_new_root_lists_its_own_mounts_only() {
        let (host, pivoted) = (parse_mounts(HOST), parse_mounts(PIVOTED));
        let d = details(&host, &pivoted, None);
        assert!(d.new_root);
        assert_eq!(d.mount_count, 4);
        let added: Vec<&str> = d.added.iter().map(|m| m.target.as_str()).collect();
        assert_eq!(added, ["/", "/usr", "/proc", "/tmp"]);
        assert!(d.added[1].bind && d.added[1].read_only);
        assert!(d.removed.is_empty() && d.changed.is_empty());
    }

    #[test]
    fn a_table_without_a_root_mount_is_a_new_root() {
        // Seen through a chrooted member: only the mounts below its root, relative to it.
        let host = parse_mounts(HOST);
        let chrooted = parse_mounts(b"800 27 0:50 / /proc rw,relatime - proc proc rw\n");
        let d = details(&host, &chrooted, None);
        assert!(d.new_root);
        assert_eq!(d.added.len(), 1);
        assert!(d.removed.is_empty() && d.changed.is_empty());
        assert_eq!(d.propagation, "");
    }

    #[test]
    fn the_hosts_root_resolves_to_itself() {
        let proc_root = rustix::fs::open(
            "/proc",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap();
        let me = std::process::id() as Pid;
        assert_eq!(root(&proc_root, me).as_deref(), Some("/"));
        assert_eq!(root(&proc_root, -5), None);
    }
}
