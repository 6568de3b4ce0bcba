//! The user section: uid_map, gid_map and setgroups of a member process.

use std::os::fd::OwnedFd;

use super::read_file;
use crate::model::details::{IdRange, UserDetails};

/// A map has at most 340 lines (user_namespaces(7)); 64 KiB is far more than that takes.
const MAP_CAP: usize = 64 * 1024;

/// Reads the maps through `dir` (/proc/PID of a member).
pub fn read(dir: &OwnedFd) -> Result<UserDetails, String> {
    let uid_map = parse_map(&read_file(dir, "uid_map", MAP_CAP)?)
        .ok_or_else(|| "uid_map is not in the kernel's format".to_string())?;
    let gid_map = parse_map(&read_file(dir, "gid_map", MAP_CAP)?)
        .ok_or_else(|| "gid_map is not in the kernel's format".to_string())?;
    // setgroups is a word; an error reading it (the process just exited) only leaves it out.
    let setgroups = read_file(dir, "setgroups", 64)
        .ok()
        .and_then(|text| parse_setgroups(&text));
    Ok(UserDetails {
        uid_map: Some(uid_map),
        gid_map: Some(gid_map),
        setgroups,
        ..UserDetails::default()
    })
}

/// Lines of "inside outside count"; an empty file (no map written yet) is an empty map.
fn parse_map(text: &[u8]) -> Option<Vec<IdRange>> {
    let text = std::str::from_utf8(text).ok()?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut numbers = line.split_whitespace().map(|w| w.parse::<u32>().ok());
            let range = IdRange {
                inside: numbers.next()??,
                outside: numbers.next()??,
                count: numbers.next()??,
            };
            numbers.next().is_none().then_some(range)
        })
        .collect()
}

/// "allow" or "deny".
fn parse_setgroups(text: &[u8]) -> Option<String> {
    match std::str::from_utf8(text).ok()?.trim() {
        word @ ("allow" | "deny") => Some(word.to_string()),
        _ => None,
    }
}

/// Details of a user namespace whose maps cannot be read, saying why.
pub fn unknown(why: String) -> UserDetails {
    UserDetails {
        maps_unknown: Some(why),
        ..UserDetails::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_maps() {
        let text = b"         0      65534          1\n         1     100000      65536\n";
        assert_eq!(
            parse_map(text),
            Some(vec![
                IdRange {
                    inside: 0,
                    outside: 65534,
                    count: 1
                },
                IdRange {
                    inside: 1,
                    outside: 100000,
                    count: 65536
                },
            ])
        );
        // The host's map, and a map not written yet.
        assert_eq!(
            parse_map(b"         0          0 4294967295\n").map(|m| m[0].count),
            Some(u32::MAX)
        );
        assert_eq!(parse_map(b""), Some(vec![]));
        assert_eq!(parse_map(b"0 1\n"), None);
        assert_eq!(parse_map(b"0 1 2 3\n"), None);
        assert_eq!(parse_map(b"0 -1 2\n"), None);
    }

    #[test]
    fn parses_setgroups() {
        assert_eq!(parse_setgroups(b"deny\n").as_deref(), Some("deny"));
        assert_eq!(parse_setgroups(b"allow\n").as_deref(), Some("allow"));
        assert_eq!(parse_setgroups(b"maybe\n"), None);
    }
}
