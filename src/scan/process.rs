//! Process metadata from /proc/PID/status and /proc/PID/cmdline, read as raw bytes so names
//! that are not UTF-8 keep their bytes as `\xNN` (procfs would replace them).

use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{Mode, OFlags};

use crate::model::Pid;
use crate::sanitize::text_from_bytes;

/// The fields of /proc/PID/status the scan needs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub name: String,
    /// First letter of State: R, S, Z, ...
    pub state: u8,
    pub ppid: Pid,
    /// Effective uid (what owns /proc/PID, which lsns shows).
    pub uid: u32,
    pub nspid: Vec<Pid>,
    pub threads: u32,
    pub kthread: bool,
}

impl Status {
    pub fn is_zombie(&self) -> bool {
        matches!(self.state, b'Z' | b'X')
    }
}

/// Parses status; None when the Name line is missing (not a status file).
pub fn parse_status(text: &[u8]) -> Option<Status> {
    let mut status = Status {
        threads: 1,
        ..Status::default()
    };
    let mut has_name = false;
    for line in text.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (key, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b"\t").unwrap_or(value);
        let mut numbers = std::str::from_utf8(value)
            .unwrap_or("")
            .split_ascii_whitespace()
            .map(|n| n.parse::<i64>().ok());
        match key {
            b"Name" => {
                status.name = unescape_name(value);
                has_name = true;
            }
            b"State" => status.state = value.first().copied().unwrap_or(b'?'),
            b"PPid" => status.ppid = numbers.next().flatten().unwrap_or(0) as Pid,
            b"Uid" => status.uid = numbers.nth(1).flatten().unwrap_or(0) as u32,
            b"NSpid" => status.nspid = numbers.map_while(|n| n.map(|n| n as Pid)).collect(),
            b"Threads" => status.threads = numbers.next().flatten().unwrap_or(1) as u32,
            b"Kthread" => status.kthread = value.first() == Some(&b'1'),
            _ => {}
        }
    }
    has_name.then_some(status)
}

/// The kernel escapes `\` and newline in the Name line (as `\\` and `\n`); undo that, keep
/// other bytes as they are.
fn unescape_name(value: &[u8]) -> String {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        match (value[i], value.get(i + 1)) {
            (b'\\', Some(b'n')) => {
                out.push(b'\n');
                i += 2;
            }
            (b'\\', Some(b'\\')) => {
                out.push(b'\\');
                i += 2;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    text_from_bytes(&out)
}

/// Splits a NUL-separated command line into arguments.
pub fn parse_cmdline(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes.split(|&b| b == 0).map(text_from_bytes).collect()
}

/// The most read of one proc file: more than any status, cmdline (ARG_MAX) or mountinfo of
/// a sane host; a file that goes on is an error, not an ever growing buffer.
pub const MAX_PROC_FILE: usize = 32 << 20;

/// Reads a whole file below an open directory into `buf` (cleared first); a file of more
/// than [`MAX_PROC_FILE`] bytes is an error (EFBIG).
pub fn read_at(dir: impl AsFd, name: &str, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    let fd: OwnedFd =
        // NONBLOCK: a FIFO in a proc tree given with --proc must not hang the scan (it reads
        // as empty, or fails); proc and regular files ignore the flag.
        rustix::fs::openat(
            dir,
            name,
            OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::empty(),
        )?;
    // Plain reads: File::read_to_end would add a statx and an lseek per file for its size
    // hint, which on /proc is always 0.
    let mut chunk = [0u8; 4096];
    loop {
        let n = rustix::io::read(&fd, &mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        if buf.len() + n > MAX_PROC_FILE {
            buf.clear();
            return Err(std::io::Error::from_raw_os_error(libc::EFBIG));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_fields() {
        let text = b"Name:\tmy\\\\proc\\n\nUmask:\t0022\nState:\tZ (zombie)\nTgid:\t7\nPPid:\t3\n\
Uid:\t1000\t1001\t1001\t1001\nNSpid:\t7\t1\nThreads:\t4\nKthread:\t0\n";
        let s = parse_status(text).unwrap();
        assert_eq!(s.name, "my\\proc\n");
        assert!(s.is_zombie());
        assert_eq!((s.ppid, s.uid, s.threads, s.kthread), (3, 1001, 4, false));
        assert_eq!(s.nspid, vec![7, 1]);
        assert_eq!(parse_status(b"garbage"), None);
    }

    #[test]
    fn splits_cmdline() {
        assert_eq!(parse_cmdline(b"sleep\0x\0"), vec!["sleep", "x"]);
        assert_eq!(parse_cmdline(b"a\xff\0\0b\0"), vec!["a\\xff", "", "b"]);
        assert!(parse_cmdline(b"").is_empty());
    }
}
