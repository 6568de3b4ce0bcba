//! The one mountinfo parser: [`fields`] splits a line without allocating (the nsfs scan reads
//! every mount namespace's table and keeps only nsfs lines), [`parse_mounts`] builds every
//! [`Mount`] of a table for the details, and [`parse_mountinfo`] finds the nsfs bind mounts
//! (`ip netns add`, `unshare --net=FILE`).

use std::collections::HashSet;

use crate::model::details::Mount;
use crate::model::{NsId, NsType};
use crate::sanitize::text_from_bytes;

/// One nsfs mount: which namespace, and the mount point as the mount namespace sees it.
#[derive(Debug, PartialEq, Eq)]
pub struct NsfsMount {
    pub ns_type: NsType,
    pub id: NsId,
    pub mount_point: String,
}

/// The fields of one mountinfo line (proc(5)), still escaped:
/// `id parent major:minor root mount-point mount-options [optional...] - fstype source super-options`.
#[derive(Debug, PartialEq, Eq)]
pub struct Fields<'a> {
    pub device: &'a [u8],
    pub root: &'a [u8],
    pub mount_point: &'a [u8],
    pub mount_options: &'a [u8],
    /// The optional fields ("shared:5 master:1"), space-separated; empty when there are none.
    pub optional: &'a [u8],
    pub fstype: &'a [u8],
    pub source: &'a [u8],
    pub super_options: &'a [u8],
}

/// Splits one mountinfo line; None for a line that is not one.
pub fn fields(line: &[u8]) -> Option<Fields<'_>> {
    let mut words = line.split(|&b| b == b' ');
    let _id = words.next()?;
    let _parent = words.next()?;
    let device = words.next()?;
    let root = words.next()?;
    let mount_point = words.next()?;
    let mount_options = words.next()?;
    // The optional fields run up to the lone "-"; keep them as one slice of the line.
    let optional_start = offset_in(line, words.clone().next()?);
    let mut optional_end = optional_start;
    loop {
        let word = words.next()?;
        if word == b"-" {
            break;
        }
        optional_end = offset_in(line, word) + word.len();
    }
    let fstype = words.next()?;
    let source = words.next()?;
    let super_options = words.next().unwrap_or_default();
    Some(Fields {
        device,
        root,
        mount_point,
        mount_options,
        optional: &line[optional_start..optional_end.max(optional_start)],
        fstype,
        source,
        super_options,
    })
}

/// Where `part` (a subslice of `whole`) starts within it.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// The nsfs entries of a mountinfo text, in file order.
pub fn parse_mountinfo(text: &[u8]) -> Vec<NsfsMount> {
    let mut found = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let Some(f) = fields(line) else {
            continue;
        };
        if f.fstype != b"nsfs" {
            continue;
        }
        if let Some((ns_type, id)) = super::links::parse_target(f.root) {
            found.push(NsfsMount {
                ns_type,
                id,
                mount_point: text_from_bytes(&unescape_octal(f.mount_point)),
            });
        }
    }
    found
}

/// Every mount of a mountinfo text, in file order (see [`Mount`] for what each field holds).
pub fn parse_mounts(text: &[u8]) -> Vec<Mount> {
    let mut devices_seen: HashSet<&[u8]> = HashSet::new();
    let mut mounts = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let Some(f) = fields(line) else {
            continue;
        };
        // A bind mount shows a directory of its filesystem as root, or mounts a filesystem
        // already mounted earlier in the table again.
        let bind = f.root != b"/" || !devices_seen.insert(f.device);
        let source = text_from_bytes(&unescape_octal(f.source));
        let source = if f.root == b"/" {
            source
        } else {
            format!("{source}:{}", text_from_bytes(&unescape_octal(f.root)))
        };
        let has = |options: &[u8], word: &[u8]| options.split(|&b| b == b',').any(|o| o == word);
        let read_only = has(f.mount_options, b"ro") || has(f.super_options, b"ro");
        mounts.push(Mount {
            target: text_from_bytes(&unescape_octal(f.mount_point)),
            source,
            fstype: text_from_bytes(&unescape_octal(f.fstype)),
            read_only,
            bind,
            propagation: propagation(f.optional).to_string(),
            options: options(f.mount_options, f.super_options),
            device: text_from_bytes(f.device),
        });
    }
    mounts
}

/// The propagation type the optional fields give (shared:N, master:N, unbindable).
fn propagation(optional: &[u8]) -> &'static str {
    let (mut shared, mut slave, mut unbindable) = (false, false, false);
    for tag in optional.split(|&b| b == b' ') {
        shared |= tag.starts_with(b"shared:");
        slave |= tag.starts_with(b"master:");
        unbindable |= tag == b"unbindable";
    }
    match (shared, slave, unbindable) {
        (true, true, _) => "shared,slave",
        (true, false, _) => "shared",
        (false, true, _) => "slave",
        (false, false, true) => "unbindable",
        (false, false, false) => "private",
    }
}

/// Per-mount options, then the superblock options not already said, as findmnt shows them.
fn options(per_mount: &[u8], superblock: &[u8]) -> String {
    let per_mount = text_from_bytes(&unescape_octal(per_mount));
    let superblock = text_from_bytes(&unescape_octal(superblock));
    let mut all: Vec<&str> = per_mount.split(',').filter(|o| !o.is_empty()).collect();
    for o in superblock.split(',') {
        if !o.is_empty() && !all.contains(&o) {
            all.push(o);
        }
    }
    all.join(",")
}

/// mountinfo writes space, tab, newline and backslash in paths as `\ooo`.
pub fn unescape_octal(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let digits = field.get(i + 1..i + 4);
        match digits {
            Some(d) if field[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)) => {
                out.push(
                    d.iter()
                        .fold(0u8, |acc, c| acc.wrapping_mul(8) + (c - b'0')),
                );
                i += 4;
            }
            _ => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nsfs_entries() {
        let text = b"22 1 0:21 / /proc rw,nosuid shared:5 - proc proc rw\n\
613 30 0:4 net:[4026532177] /run/netns/blue rw shared:7 - nsfs nsfs rw\n\
614 30 0:4 uts:[4026532300] /tmp/my\\040file rw - nsfs nsfs rw\n";
        let found = parse_mountinfo(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0],
            NsfsMount {
                ns_type: NsType::Net,
                id: 4026532177,
                mount_point: "/run/netns/blue".into()
            }
        );
        assert_eq!(found[1].mount_point, "/tmp/my file");
    }

    #[test]
    fn splits_fields_with_and_without_optional_ones() {
        let f = fields(b"30 27 0:24 / /mnt/usb rw,relatime shared:9 master:3 - vfat /dev/sdb1 rw")
            .unwrap();
        assert_eq!(f.optional, b"shared:9 master:3");
        assert_eq!(
            (f.fstype, f.source, f.super_options),
            (&b"vfat"[..], &b"/dev/sdb1"[..], &b"rw"[..])
        );
        let f = fields(b"22 27 0:21 / /proc rw,relatime - proc proc rw").unwrap();
        assert_eq!(f.optional, b"");
        assert_eq!(
            (f.device, f.root, f.mount_point),
            (&b"0:21"[..], &b"/"[..], &b"/proc"[..])
        );
        assert_eq!(fields(b"22 27 0:21 / /proc rw,relatime proc proc rw"), None);
        assert_eq!(fields(b""), None);
        assert_eq!(fields(b"22 27 0:21 / /proc"), None);
    }

    #[test]
    fn parses_every_mount() {
        let text = b"22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n\
27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n\
28 27 0:23 / /tmp rw,nosuid,nodev shared:7 - tmpfs tmpfs rw,size=1024k\n\
29 27 254:1 /srv/my\\040data /srv/data\\011tab ro,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n\
30 27 0:24 / /mnt/usb rw,relatime shared:9 master:3 - vfat /dev/sdb1 rw\n\
31 27 0:25 / /mnt/lock rw unbindable - tmpfs tmpfs ro\n\
32 27 0:26 / /mnt/slave rw master:2 - tmpfs tmpfs rw\n\
33 27 0:21 / /mnt/proc2 rw - proc proc rw\n";
        let m = parse_mounts(text);
        assert_eq!(m.len(), 8);
        assert_eq!(
            m[1],
            Mount {
                target: "/".into(),
                source: "/dev/vda1".into(),
                fstype: "ext4".into(),
                read_only: false,
                bind: false,
                propagation: "shared".into(),
                options: "rw,relatime,errors=remount-ro".into(),
                device: "254:1".into(),
            }
        );
        // A directory of a filesystem: a bind mount; octal escapes undone in paths.
        assert_eq!(m[3].target, "/srv/data\ttab");
        assert_eq!(m[3].source, "/dev/vda1:/srv/my data");
        assert!(m[3].bind && m[3].read_only);
        assert_eq!(m[3].options, "ro,relatime,rw,errors=remount-ro");
        // Read-only by the superblock alone.
        assert!(m[5].read_only);
        assert!(!m[0].bind && !m[2].bind);
        let propagation: Vec<&str> = m.iter().map(|m| m.propagation.as_str()).collect();
        assert_eq!(
            propagation,
            [
                "shared",
                "shared",
                "shared",
                "shared",
                "shared,slave",
                "unbindable",
                "slave",
                "private"
            ]
        );
        // The same filesystem root mounted a second time is a bind mount too.
        assert!(m[7].bind);
        assert_eq!(m[7].source, "proc");
    }
}
