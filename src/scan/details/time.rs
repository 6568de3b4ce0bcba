//! The time section: /proc/PID/timens_offsets. The kernel shows there the offsets of the
//! process's time_for_children namespace (which is its own unless it unshared a new one and
//! has not exec'd since), so the caller picks the process accordingly.

use std::os::fd::OwnedFd;

use super::read_file;
use crate::model::details::{TimeDetails, TimeOffset};

pub fn read(dir: &OwnedFd) -> Result<TimeDetails, String> {
    parse(&read_file(dir, "timens_offsets", 4096)?)
        .ok_or_else(|| "timens_offsets is not in the kernel's format".to_string())
}

/// Lines of "CLOCK SECS NANOS" for the monotonic and boottime clocks.
fn parse(text: &[u8]) -> Option<TimeDetails> {
    let text = std::str::from_utf8(text).ok()?;
    let (mut monotonic, mut boottime) = (None, None);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut words = line.split_whitespace();
        let clock = words.next()?;
        let offset = TimeOffset {
            secs: words.next()?.parse().ok()?,
            nanos: words.next()?.parse().ok()?,
        };
        match clock {
            "monotonic" => monotonic = Some(offset),
            "boottime" => boottime = Some(offset),
            // A clock a newer kernel may add.
            _ => {}
        }
    }
    Some(TimeDetails {
        monotonic: monotonic?,
        boottime: boottime?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets() {
        let t =
            parse(b"monotonic         500         0\nboottime       -1000   250000000\n").unwrap();
        assert_eq!(
            t.monotonic,
            TimeOffset {
                secs: 500,
                nanos: 0
            }
        );
        assert_eq!(
            t.boottime,
            TimeOffset {
                secs: -1000,
                nanos: 250_000_000
            }
        );
        assert_eq!(parse(b"monotonic 1 0\n"), None);
        assert_eq!(parse(b"monotonic x 0\nboottime 0 0\n"), None);
    }
}
