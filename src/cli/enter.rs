//! `nsviz enter` (nsenter's personality) and its conversion to the core's [`EnterSpec`].

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use clap::Args;

use super::NsSelection;
use crate::model::NsType;
use crate::ns::spec::{EnterDir, EnterFrom, EnterId, EnterSpec};

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
#[command(after_help = "\
A namespace flag's FILE may be :ID, a namespace id as `nsviz list` shows it (NS inode number \
or NSID): --net=:4026532001 enters that network namespace wherever it is held (a process, a \
thread, an open file descriptor, a bind mount). --ns ID does the same without naming the type.

Examples:
  nsviz enter -t 1234 -a                     all namespaces of PID 1234, run $SHELL
  nsviz enter -t 1234 -n -u -- hostname      its net and uts namespaces
  nsviz enter -t 1234 -m -r -w               its mount namespace, root and working directory
  nsviz enter --net=/run/netns/blue -- ip a  a namespace bound to a file
  nsviz enter --ns 4026532001 -- ip a        a namespace by its id, wherever it is held")]
pub struct EnterArgs {
    /// The process whose namespaces to enter; PID:INODE also checks its pidfs inode (as
    /// `getino` prints it), so a PID reused by another process is refused.
    #[arg(short = 't', long = "target", value_name = "PID[:INODE]", value_parser = parse_target)]
    pub target: Option<(i32, Option<u64>)>,

    /// Enter every namespace of the target that differs from ours.
    #[arg(short = 'a', long)]
    pub all: bool,

    #[command(flatten)]
    pub ns: NsSelection,

    /// Enter the namespace with this id (inode number or NSID, as `nsviz list` shows them), wherever it is held.
    #[arg(long = "ns", value_name = "ID")]
    pub ids: Vec<u64>,

    /// Enter the network namespace of the target's socket at this file descriptor.
    #[arg(
        short = 'N',
        long = "net-socket",
        value_name = "FD",
        conflicts_with = "net"
    )]
    pub net_socket: Option<i32>,

    /// Enter the parent of the user namespace (of -U, else of the other namespaces' owner).
    #[arg(long)]
    pub user_parent: bool,

    /// Set the user id inside (default with -U: 0); `follow`: the target's.
    #[arg(short = 'S', long = "setuid", value_name = "UID", value_parser = parse_id)]
    pub setuid: Option<EnterId>,

    /// Set the group id inside and drop supplementary groups (default with -U: 0); `follow`: the target's.
    #[arg(short = 'G', long = "setgid", value_name = "GID", value_parser = parse_id)]
    pub setgid: Option<EnterId>,

    /// Keep the current uid, gid and groups when entering a user namespace.
    #[arg(long)]
    pub preserve_credentials: bool,

    /// Keep the capabilities the entered user namespace gives, for the command too.
    #[arg(long)]
    pub keep_caps: bool,

    /// Root directory: the target's, or DIR opened before entering (default: the mount namespace's root).
    #[arg(short = 'r', long = "root", value_name = "DIR", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = dir_or_target())]
    pub root: Option<EnterDir>,

    /// Working directory: the target's, or DIR opened before entering (default: the root).
    #[arg(short = 'w', long = "wd", value_name = "DIR", num_args = 0..=1, require_equals = true, default_missing_value = "", value_parser = dir_or_target(), conflicts_with = "wdns")]
    pub wd: Option<EnterDir>,

    /// Working directory, looked up after entering and changing root.
    #[arg(short = 'W', long = "wdns", value_name = "DIR")]
    pub wdns: Option<PathBuf>,

    /// Run the command with the target's environment.
    #[arg(short = 'e', long = "env")]
    pub env: bool,

    /// Move into the target's cgroup.
    #[arg(short = 'c', long = "join-cgroup")]
    pub join_cgroup: bool,

    /// Do not fork before running the command, even after entering a PID namespace.
    #[arg(short = 'F', long = "no-fork")]
    pub no_fork: bool,

    /// Run the command in the target's SELinux context (needs SELinux enabled).
    #[arg(short = 'Z', long = "follow-context")]
    pub follow_context: bool,

    /// The command to run (default: $SHELL, else /bin/sh).
    ///
    /// Options are read up to the first word that is not one, or up to `--`; everything from
    /// there on is the command and its arguments.
    #[arg(value_name = "CMD", trailing_var_arg = true)]
    pub command: Vec<OsString>,
}

fn parse_id(text: &str) -> Result<EnterId, String> {
    if text == "follow" {
        return Ok(EnterId::Follow);
    }
    text.parse().map(EnterId::Id).map_err(|_| {
        format!(
            "'{}' is not a number or `follow`",
            crate::sanitize::for_terminal(text)
        )
    })
}

/// `PID` or `PID:INODE` (nsenter 2.42): the inode of the process's pidfd, never reused
/// while the system runs.
fn parse_target(text: &str) -> Result<(i32, Option<u64>), String> {
    let bad = || {
        format!(
            "'{}' is not a PID or PID:INODE",
            crate::sanitize::for_terminal(text)
        )
    };
    let (pid, inode) = match text.split_once(':') {
        Some((pid, inode)) => (pid, Some(inode.parse().map_err(|_| bad())?)),
        None => (text, None),
    };
    Ok((pid.parse().map_err(|_| bad())?, inode))
}

/// An optional directory: given without a value, the target's.
fn dir_or_target() -> impl clap::builder::TypedValueParser<Value = EnterDir> {
    use clap::builder::TypedValueParser;
    clap::builder::OsStringValueParser::new().map(|v| {
        if v.is_empty() {
            EnterDir::Target
        } else {
            EnterDir::Path(PathBuf::from(v))
        }
    })
}

/// `:ID` in a namespace flag's value: a namespace by id. A file of that name is `./:ID`.
fn namespace_id(value: &OsStr) -> Option<u64> {
    let digits = value.as_bytes().strip_prefix(b":")?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

impl EnterArgs {
    /// The request for the core: the namespace flags become where each namespace comes from.
    pub fn to_spec(&self) -> EnterSpec {
        let mut namespaces: std::collections::BTreeMap<NsType, EnterFrom> = self
            .ns
            .selected()
            .into_iter()
            .map(|(t, file)| {
                let from = match file {
                    Some(f) => match namespace_id(f.as_os_str()) {
                        Some(id) => EnterFrom::Id(id),
                        None => EnterFrom::File(f.clone()),
                    },
                    None => EnterFrom::Target,
                };
                (t, from)
            })
            .collect();
        if let Some(fd) = self.net_socket {
            namespaces.insert(NsType::Net, EnterFrom::Socket(fd));
        }
        EnterSpec {
            target: self.target.map(|(pid, _)| pid),
            target_inode: self.target.and_then(|(_, inode)| inode),
            all: self.all,
            namespaces,
            ids: self.ids.clone(),
            user_parent: self.user_parent,
            setuid: self.setuid,
            setgid: self.setgid,
            preserve_credentials: self.preserve_credentials,
            keep_caps: self.keep_caps,
            root: self.root.clone(),
            wd: self.wd.clone(),
            wdns: self.wdns.clone(),
            env: self.env,
            join_cgroup: self.join_cgroup,
            no_fork: self.no_fork,
            follow_context: self.follow_context,
            command: self.command.clone(),
        }
    }
}

/// Short options whose value is optional and attached, as nsenter's getopt reads them
/// (`-m/run/netns/x`, `-w/`), with the long name clap knows them by.
const OPTIONAL_VALUE: [(u8, &str); 10] = [
    (b'm', "mount"),
    (b'u', "uts"),
    (b'i', "ipc"),
    (b'n', "net"),
    (b'p', "pid"),
    (b'U', "user"),
    (b'C', "cgroup"),
    (b'T', "time"),
    (b'r', "root"),
    (b'w', "wd"),
];
/// Short options without a value.
const FLAGS: &[u8] = b"aeFcZVh";
/// Short and long options whose value may be the next word.
const VALUE_SHORT: &[u8] = b"tSGNW";
const VALUE_LONG: [&str; 6] = [
    "--target",
    "--setuid",
    "--setgid",
    "--net-socket",
    "--wdns",
    "--ns",
];

/// Rewrites the words of `nsviz ... enter ARGS` so clap reads them as nsenter's getopt does:
/// in `-XVALUE` where X takes an optional value, VALUE is X's (`-w/` is `--wd=/`), unless
/// VALUE is made only of option letters, which is a cluster (`-unim`: -u -n -i -m). Other
/// words are left alone; nothing after the command's first word or `--` is touched.
pub fn nsenter_words(args: Vec<OsString>) -> Vec<OsString> {
    let Some(start) = args.iter().position(|a| a == "enter") else {
        return args;
    };
    // Only when `enter` is the subcommand: every word before it is an option.
    if !args[1..start]
        .iter()
        .all(|a| a.as_bytes().starts_with(b"-"))
    {
        return args;
    }
    let mut out: Vec<OsString> = args[..=start].to_vec();
    let mut rest = args[start + 1..].iter();
    while let Some(word) = rest.next() {
        let bytes = word.as_bytes();
        if bytes == b"--" || !bytes.starts_with(b"-") || bytes == b"-" {
            out.push(word.clone());
            out.extend(rest.cloned());
            break;
        }
        if bytes.starts_with(b"--") {
            out.push(word.clone());
            if VALUE_LONG.iter().any(|l| l.as_bytes() == bytes) {
                out.extend(rest.next().cloned());
            }
            continue;
        }
        let (words, takes_next) = split_cluster(&bytes[1..]);
        out.extend(words);
        if takes_next {
            out.extend(rest.next().cloned());
        }
    }
    out
}

/// One short-option word (without its dash) as separate words; true when its last option
/// takes the next word as its value.
fn split_cluster(letters: &[u8]) -> (Vec<OsString>, bool) {
    let is_option_letter = |b: &u8| FLAGS.contains(b) || OPTIONAL_VALUE.iter().any(|(l, _)| l == b);
    let mut words = Vec::new();
    for (i, &letter) in letters.iter().enumerate() {
        let after = &letters[i + 1..];
        if VALUE_SHORT.contains(&letter) {
            let mut w = vec![b'-', letter];
            w.extend_from_slice(after);
            words.push(OsString::from(OsStr::from_bytes(&w)));
            return (words, after.is_empty());
        }
        if let Some((_, long)) = OPTIONAL_VALUE.iter().find(|(l, _)| *l == letter)
            && !after.is_empty()
            && !after.iter().all(is_option_letter)
        {
            let mut w = format!("--{long}=").into_bytes();
            w.extend_from_slice(after.strip_prefix(b"=").unwrap_or(after));
            words.push(OsString::from(OsStr::from_bytes(&w)));
            return (words, false);
        }
        words.push(OsString::from(OsStr::from_bytes(&[b'-', letter])));
    }
    (words, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        let args = line.split(' ').map(OsString::from).collect();
        nsenter_words(args)
            .into_iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn attached_values_are_read_as_getopt_does() {
        assert_eq!(
            words("nsviz enter -t1 -w/ pwd"),
            ["nsviz", "enter", "-t1", "--wd=/", "pwd"]
        );
        assert_eq!(
            words("nsviz enter -t 1 -w / pwd"),
            ["nsviz", "enter", "-t", "1", "-w", "/", "pwd"]
        );
        assert_eq!(
            words("nsviz enter -m/run/x -r"),
            ["nsviz", "enter", "--mount=/run/x", "-r"]
        );
        assert_eq!(
            words("nsviz enter -unim true"),
            ["nsviz", "enter", "-u", "-n", "-i", "-m", "true"]
        );
        assert_eq!(
            words("nsviz enter -Ft 5 -W /x"),
            ["nsviz", "enter", "-F", "-t", "5", "-W", "/x"]
        );
        assert_eq!(
            words("nsviz enter -n:42 true"),
            ["nsviz", "enter", "--net=:42", "true"]
        );
        assert_eq!(
            words("nsviz enter -u -- -w/"),
            ["nsviz", "enter", "-u", "--", "-w/"]
        );
        assert_eq!(words("nsviz spawn -w/"), ["nsviz", "spawn", "-w/"]);
    }

    #[test]
    fn ids_follow_and_dirs() {
        assert_eq!(parse_id("follow"), Ok(EnterId::Follow));
        assert_eq!(parse_id("7"), Ok(EnterId::Id(7)));
        assert!(parse_id("x").is_err());
        assert_eq!(parse_target("12"), Ok((12, None)));
        assert_eq!(parse_target("12:345"), Ok((12, Some(345))));
        for bad in ["", "x", "12:", ":3", "12:x", "1:2:3"] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
        assert_eq!(namespace_id(OsStr::new(":4026531840")), Some(4026531840));
        assert_eq!(namespace_id(OsStr::new("./:1")), None);
    }
}
