//! `nsviz list`: the lsns-like table, and JSON with the keys and value conventions of
//! `lsns -J --output-all`, plus the namespaces lsns cannot see (docs/list.md).

use std::io::Write;

use serde::Serialize;

use crate::cli::ListArgs;
use crate::describe;
use crate::error::{Error, Result};
use crate::model::holder::Holder;
use crate::model::{Namespace, NsType, Process, Snapshot};
use crate::sanitize::for_terminal;

/// Every column `-o` accepts, in the order `--output-all` shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Ns,
    Type,
    Path,
    Nprocs,
    Pid,
    Ppid,
    Command,
    Uid,
    User,
    Netnsid,
    Nsfs,
    Pns,
    Ons,
    Nsid,
    Holders,
    Label,
    Whose,
    Details,
    Hostname,
    Addresses,
    Map,
}

const ALL_COLUMNS: [Column; 21] = [
    Column::Ns,
    Column::Type,
    Column::Path,
    Column::Nprocs,
    Column::Pid,
    Column::Ppid,
    Column::Command,
    Column::Uid,
    Column::User,
    Column::Netnsid,
    Column::Nsfs,
    Column::Pns,
    Column::Ons,
    Column::Nsid,
    Column::Holders,
    Column::Label,
    Column::Whose,
    Column::Details,
    Column::Hostname,
    Column::Addresses,
    Column::Map,
];

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Ns => "NS",
            Column::Type => "TYPE",
            Column::Path => "PATH",
            Column::Nprocs => "NPROCS",
            Column::Pid => "PID",
            Column::Ppid => "PPID",
            Column::Command => "COMMAND",
            Column::Uid => "UID",
            Column::User => "USER",
            Column::Netnsid => "NETNSID",
            Column::Nsfs => "NSFS",
            Column::Pns => "PNS",
            Column::Ons => "ONS",
            Column::Nsid => "NSID",
            Column::Holders => "HOLDERS",
            Column::Label => "LABEL",
            Column::Whose => "WHOSE",
            Column::Details => "DETAILS",
            Column::Hostname => "HOSTNAME",
            Column::Addresses => "ADDRESSES",
            Column::Map => "MAP",
        }
    }

    fn help(self) -> &'static str {
        match self {
            Column::Ns => "namespace identifier (inode number)",
            Column::Type => "kind of namespace",
            Column::Path => "path to the namespace (a process link, fd, mount or thread link)",
            Column::Nprocs => "number of processes in the namespace",
            Column::Pid => "lowest PID in the namespace",
            Column::Ppid => "PPID of the PID",
            Column::Command => "command line of the PID",
            Column::Uid => "UID of the PID",
            Column::User => "username of the PID",
            Column::Netnsid => "namespace ID as used by network subsystem",
            Column::Nsfs => "nsfs mountpoint (usually used network subsystem)",
            Column::Pns => "parent namespace identifier (inode number)",
            Column::Ons => "owner namespace identifier (inode number)",
            Column::Nsid => "the kernel's 64-bit namespace id (NS_GET_ID), never reused",
            Column::Holders => "what else keeps it alive: mounts, fds, sockets, threads, children",
            Column::Label => "a short name: container, service, hostname or command",
            Column::Whose => "the engine and container (or service) its processes belong to",
            Column::Details => "the most telling thing inside it (hostname, addresses, map...)",
            Column::Hostname => "hostname of the UTS namespace (of its first process)",
            Column::Addresses => "addresses of the network namespace (of its first process)",
            Column::Map => "uid map of the user namespace (of its owner)",
        }
    }

    /// Columns that need what is inside each namespace (a slower scan).
    fn needs_details(self) -> bool {
        matches!(
            self,
            Column::Label
                | Column::Whose
                | Column::Details
                | Column::Hostname
                | Column::Addresses
                | Column::Map
        )
    }

    fn right_aligned(self) -> bool {
        matches!(
            self,
            Column::Ns
                | Column::Nprocs
                | Column::Pid
                | Column::Ppid
                | Column::Uid
                | Column::Netnsid
                | Column::Pns
                | Column::Ons
                | Column::Nsid
        )
    }

    fn parse(name: &str) -> Result<Column> {
        ALL_COLUMNS
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown column '{}' (see nsviz list --list-columns)",
                    for_terminal(name)
                ))
            })
    }
}

/// True when the chosen columns show what is inside namespaces (the lsns-compatible JSON and
/// the default columns do not).
pub fn needs_details(args: &ListArgs) -> Result<bool> {
    if args.json || args.list_columns {
        return Ok(false);
    }
    Ok(columns(args)?.iter().any(|c| c.needs_details()))
}

pub fn write(snapshot: &Snapshot, args: &ListArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(pid) = args.pid.filter(|&pid| snapshot.process(pid).is_none()) {
        return Err(Error::usage(format!("no process with PID {pid}")));
    }
    let result = if args.list_columns {
        write_column_list(out)
    } else {
        let rows = rows(snapshot, args);
        if args.json {
            write_json(snapshot, &rows, out)
        } else {
            let columns = columns(args)?;
            let layout = Layout {
                noheadings: args.noheadings,
                raw: args.raw,
                max_pad: terminal_width(),
            };
            write_table(snapshot, &rows, &columns, layout, out)
        }
    };
    result.map_err(|e| Error::os("cannot write the list", e))
}

/// One namespace with the process lsns would show for it: the one with the lowest PID.
struct Row<'a> {
    ns: &'a Namespace,
    process: Option<&'a Process>,
}

fn rows<'a>(snapshot: &'a Snapshot, args: &ListArgs) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = snapshot
        .namespaces
        .iter()
        .filter(|ns| args.types.is_empty() || args.types.contains(&ns.ns_type))
        .filter(|ns| args.pid.is_none_or(|pid| ns.processes.contains(&pid)))
        .map(|ns| Row {
            ns,
            process: ns.processes.first().and_then(|&pid| snapshot.process(pid)),
        })
        .collect();
    // lsns orders by inode number alone.
    rows.sort_by_key(|r| (r.ns.id, r.ns.ns_type));
    rows
}

fn columns(args: &ListArgs) -> Result<Vec<Column>> {
    if args.output_all {
        return Ok(ALL_COLUMNS.to_vec());
    }
    let mut columns = vec![
        Column::Ns,
        Column::Type,
        Column::Nprocs,
        Column::Pid,
        Column::User,
    ];
    if args.types == [NsType::Net] {
        columns.extend([Column::Netnsid, Column::Nsfs]);
    }
    columns.extend([Column::Holders, Column::Command]);
    match &args.columns {
        None => Ok(columns),
        Some(list) => {
            let (add, list) = match list.strip_prefix('+') {
                Some(rest) => (true, rest),
                None => (false, list.as_str()),
            };
            let chosen = list
                .split(',')
                .filter(|c| !c.is_empty())
                .map(Column::parse)
                .collect::<Result<Vec<_>>>()?;
            if add {
                columns.extend(chosen);
                Ok(columns)
            } else if chosen.is_empty() {
                Err(Error::usage("no columns given to -o"))
            } else {
                Ok(chosen)
            }
        }
    }
}

/// The path lsns shows (`/proc/PID/ns/TYPE`), or for a namespace no process is in, a path
/// that opens it: a bind mount, an nsfs fd, a thread's link, a pid_for_children link.
/// None for a namespace only a socket or a child namespace knows.
fn path(snapshot: &Snapshot, row: &Row) -> Option<String> {
    let root = &snapshot.host.proc_root;
    let ns = row.ns;
    if let Some(p) = row.process {
        return Some(format!("{root}/{}/ns/{}", p.pid, ns.ns_type));
    }
    ns.open_path(root)
}

/// A short description of what keeps a namespace alive besides its processes.
fn holders(snapshot: &Snapshot, ns: &Namespace) -> String {
    let mut items: Vec<String> = Vec::new();
    let mut socket_pids = Vec::new();
    for holder in ns.other_holders() {
        // One entry per process for sockets: a server holds many.
        if let Holder::Socket(f) = holder {
            if socket_pids.contains(&f.pid) {
                continue;
            }
            socket_pids.push(f.pid);
        }
        items.push(holder.describe(ns.ns_type, |pid| format!("PID {pid}")));
    }
    if ns.is_hidden() {
        let child = snapshot
            .namespaces
            .iter()
            .find(|n| n.parent == Some(ns.id) && n.ns_type == ns.ns_type)
            .map(|n| format!("hidden (parent of {})", n.id))
            .or_else(|| {
                snapshot
                    .namespaces
                    .iter()
                    .find(|n| n.owner == Some(ns.id) && ns.ns_type == NsType::User)
                    .map(|n| format!("hidden (owner of {})", n.id))
            });
        items.push(child.unwrap_or_else(|| "hidden".into()));
    }
    const SHOWN: usize = 3;
    if items.len() > SHOWN {
        let more = items.len() - SHOWN;
        items.truncate(SHOWN);
        items.push(format!("+{more} more"));
    }
    items.join(", ")
}

/// lsns's NETNSID: the id, "unassigned", or nothing where it is not known.
fn netnsid(ns: &Namespace) -> Option<String> {
    match ns.netnsid {
        _ if ns.ns_type != NsType::Net => None,
        Some(-1) => Some("unassigned".into()),
        Some(id) if id >= 0 => Some(id.to_string()),
        _ => None,
    }
}

fn user(p: &Process) -> String {
    p.user.clone().unwrap_or_else(|| p.uid.to_string())
}

fn cell(snapshot: &Snapshot, row: &Row, column: Column) -> String {
    let ns = row.ns;
    let p = row.process;
    let text = match column {
        Column::Ns => ns.id.to_string(),
        Column::Type => ns.ns_type.name().to_string(),
        Column::Path => path(snapshot, row).unwrap_or_default(),
        Column::Nprocs => ns.processes.len().to_string(),
        Column::Pid => p.map(|p| p.pid.to_string()).unwrap_or_default(),
        Column::Ppid => p.map(|p| p.ppid.to_string()).unwrap_or_default(),
        Column::Command => p.map(Process::command).unwrap_or_default(),
        Column::Uid => p.map(|p| p.uid.to_string()).unwrap_or_default(),
        Column::User => p.map(user).unwrap_or_default(),
        Column::Netnsid => netnsid(ns).unwrap_or_default(),
        Column::Nsfs => ns.mounts.join(","),
        Column::Pns => ns.parent.unwrap_or(0).to_string(),
        Column::Ons => ns.owner.unwrap_or(0).to_string(),
        Column::Nsid => ns.nsid.map(|id| id.to_string()).unwrap_or_default(),
        Column::Holders => holders(snapshot, ns),
        Column::Label => ns.label.clone(),
        Column::Whose => ns
            .attribution
            .as_ref()
            .map(|a| a.describe())
            .unwrap_or_default(),
        Column::Details => describe::brief(ns),
        Column::Hostname => describe::hostname(snapshot, ns).unwrap_or_default(),
        Column::Addresses => describe::addresses(snapshot, ns).join(","),
        Column::Map => describe::uid_map(snapshot, ns).unwrap_or_default(),
    };
    for_terminal(&text).into_owned()
}

/// How a table is laid out.
#[derive(Clone, Copy)]
struct Layout {
    noheadings: bool,
    /// No padding at all (lsns -r).
    raw: bool,
    /// A column is padded to at most this width: one long value (a command line of a megabyte)
    /// must not pad every row to its length.
    max_pad: usize,
}

/// The terminal's width when standard output is one; else 80, libsmartcols' default.
fn terminal_width() -> usize {
    let stdout = std::io::stdout();
    rustix::termios::tcgetwinsize(&stdout)
        .ok()
        .map(|size| usize::from(size.ws_col))
        .filter(|&cols| cols > 0)
        .unwrap_or(80)
}

fn write_table(
    snapshot: &Snapshot,
    rows: &[Row],
    columns: &[Column],
    layout: Layout,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let noheadings = layout.noheadings;
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
    if !noheadings {
        lines.push(columns.iter().map(|c| c.name().to_string()).collect());
    }
    for row in rows {
        lines.push(columns.iter().map(|&c| cell(snapshot, row, c)).collect());
    }
    if layout.raw {
        for line in &lines {
            let values: Vec<String> = line.iter().map(|v| v.replace(' ', "\\x20")).collect();
            writeln!(out, "{}", values.join(" "))?;
        }
        return Ok(());
    }
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            lines
                .iter()
                .map(|l| l[i].chars().count())
                .max()
                .unwrap_or(0)
                .min(layout.max_pad)
        })
        .collect();
    for line in &lines {
        let mut text = String::new();
        for (i, value) in line.iter().enumerate() {
            let last = i + 1 == columns.len();
            if i > 0 {
                text.push(' ');
            }
            let pad = widths[i].saturating_sub(value.chars().count());
            if columns[i].right_aligned() {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(value);
            } else {
                text.push_str(value);
                if !last {
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    if !noheadings && let Some(footer) = super::skipped_footer(snapshot) {
        writeln!(out, "{footer}")?;
    }
    Ok(())
}

/// One namespace in `lsns -J --output-all` form: same keys, same order, same value types.
#[derive(Serialize)]
struct JsonNamespace {
    ns: u64,
    #[serde(rename = "type")]
    ns_type: &'static str,
    path: Option<String>,
    nprocs: usize,
    pid: i32,
    ppid: i32,
    command: Option<String>,
    uid: Option<u32>,
    user: Option<String>,
    netnsid: Option<String>,
    nsfs: Option<String>,
    pns: u64,
    ons: u64,
}

#[derive(Serialize)]
struct JsonList {
    namespaces: Vec<JsonNamespace>,
    /// Items the scan could not read (Snapshot::skipped, summed); lsns has no such figure.
    skipped: u64,
}

fn write_json(snapshot: &Snapshot, rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let namespaces = rows
        .iter()
        .map(|row| {
            let ns = row.ns;
            let p = row.process;
            JsonNamespace {
                ns: ns.id,
                ns_type: ns.ns_type.name(),
                path: path(snapshot, row),
                nprocs: ns.processes.len(),
                pid: p.map_or(0, |p| p.pid),
                ppid: p.map_or(0, |p| p.ppid),
                command: p.map(Process::command),
                uid: p.map(|p| p.uid),
                user: p.map(user),
                netnsid: netnsid(ns),
                nsfs: (!ns.mounts.is_empty()).then(|| ns.mounts.join("\n")),
                pns: ns.parent.unwrap_or(0),
                ons: ns.owner.unwrap_or(0),
            }
        })
        .collect();
    let list = JsonList {
        namespaces,
        skipped: snapshot.skipped.total(),
    };
    super::json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}

fn write_column_list(out: &mut dyn Write) -> std::io::Result<()> {
    for column in ALL_COLUMNS {
        writeln!(out, "{:>8}  {}", column.name(), column.help())?;
    }
    Ok(())
}
