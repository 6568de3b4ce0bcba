//! nsfs bind mounts (`ip netns add`, `unshare --net=FILE`) found in a mountinfo file.

use crate::model::{NsId, NsType};
use crate::sanitize::text_from_bytes;

/// One nsfs mount: which namespace, and the mount point as the mount namespace sees it.
#[derive(Debug, PartialEq, Eq)]
pub struct NsfsMount {
    pub ns_type: NsType,
    pub id: NsId,
    pub mount_point: String,
}

/// The nsfs entries of a mountinfo text, in file order.
pub fn parse_mountinfo(text: &[u8]) -> Vec<NsfsMount> {
    let mut found = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
        // id parent dev root mountpoint options [optional...] - fstype source superoptions
        let Some(dash) = fields.iter().position(|f| *f == b"-") else {
            continue;
        };
        if dash < 6 || fields.get(dash + 1) != Some(&&b"nsfs"[..]) {
            continue;
        }
        if let Some((ns_type, id)) = super::links::parse_target(fields[3]) {
            found.push(NsfsMount {
                ns_type,
                id,
                mount_point: text_from_bytes(&unescape_octal(fields[4])),
            });
        }
    }
    found
}

/// mountinfo writes space, tab, newline and backslash in paths as `\ooo`.
fn unescape_octal(field: &[u8]) -> Vec<u8> {
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
}
