//! `nsviz list`: the lsns-like table, and JSON with the keys and value conventions of
//! `lsns -J --output-all`, plus the namespaces lsns cannot see (docs/list.md).

use std::io::Write;

use serde::Serialize;

use super::color::Palette;
use super::filter::Filter;
use crate::cli::ListArgs;
use crate::cli::TreeBy;
use crate::describe;
use crate::error::{Error, Result};
use crate::model::holder::Holder;
use crate::model::{Namespace, NsType, Process, Snapshot};
use crate::sanitize::{for_terminal, lsns_escape};
use serde_json::Value;

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
    /// The columns fitted to the terminal's width, in the order they give way.
    const TRUNCATED: [Column; 8] = [
        Column::Command,
        Column::Holders,
        Column::Details,
        Column::Addresses,
        Column::Whose,
        Column::Label,
        Column::Nsfs,
        Column::Path,
    ];

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

    /// lsns's width hints: the narrowest these columns are in its table.
    fn min_width(self) -> usize {
        match self {
            Column::Ns | Column::Pns | Column::Ons => 10,
            Column::Nprocs | Column::Pid => 5,
            _ => 0,
        }
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
    if args.list_columns {
        return Ok(false);
    }
    let in_filter = match filter(args)? {
        Some(f) => f
            .columns()
            .iter()
            .any(|c| Column::parse(c).is_ok_and(|c| c.needs_details())),
        None => false,
    };
    Ok(in_filter || columns(args)?.iter().any(|c| c.needs_details()))
}

/// The -Q expression, parsed against the column names.
fn filter(args: &ListArgs) -> Result<Option<Filter>> {
    let is_column = |name: &str| Column::parse(name).is_ok();
    args.filter
        .as_deref()
        .map(|text| Filter::parse(text, &is_column))
        .transpose()
}

/// The width to fit the table to: only when standard output is a terminal (as lsns), from
/// COLUMNS if set, else from the terminal itself, else 80.
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let from_env = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0);
    let from_terminal = || {
        crossterm::terminal::size()
            .ok()
            .map(|(c, _)| usize::from(c))
    };
    Some(from_env.or_else(from_terminal).unwrap_or(80))
}

/// Writes the list to `out`. `width` is the terminal's (see [`terminal_width`]); the table is
/// fitted to it unless --notruncate, --raw or --json.
/// `palette` colours the table's headings and TYPE cells (never JSON or --raw output).
pub fn write(
    snapshot: &Snapshot,
    args: &ListArgs,
    width: Option<usize>,
    palette: Palette,
    out: &mut dyn Write,
) -> Result<()> {
    if let Some(pid) = args.pid.filter(|&pid| snapshot.process(pid).is_none()) {
        return Err(Error::usage(format!("no process with PID {pid}")));
    }
    if args.list_columns {
        return write_column_list(out).map_err(|e| Error::os("cannot write the list", e));
    }
    let rows = rows(snapshot, args)?;
    let columns = columns(args)?;
    let tree = tree_order(&rows, args);
    let result = if args.json {
        write_json(
            snapshot,
            &rows,
            &columns,
            &tree,
            args.namespace.is_none(),
            out,
        )
    } else {
        // Off a terminal, 80: libsmartcols' default.
        let max_pad = width.unwrap_or(80);
        let width = width.filter(|_| !args.notruncate && !args.raw);
        let tree_column = tree_column(args);
        let table = Table {
            columns: &columns,
            noheadings: args.noheadings,
            raw: args.raw,
            width,
            max_pad,
            tree_column,
            palette,
        };
        table.write(snapshot, &rows, &tree, out)
    };
    result.map_err(|e| Error::os("cannot write the list", e))
}

/// The footer saying what the scan could not read, for standard error: only under a table
/// with headings (the JSON has its own `skipped` figure).
pub fn footer(snapshot: &Snapshot, args: &ListArgs) -> Option<String> {
    if args.noheadings || args.json || args.list_columns {
        return None;
    }
    super::skipped_footer(snapshot)
}

/// One namespace with the process lsns would show for it (the one with the lowest PID); with
/// a NAMESPACE argument, one row per process in it.
struct Row<'a> {
    ns: &'a Namespace,
    process: Option<&'a Process>,
    /// Shown only as the owner or parent of another row (a tree with -p).
    related_only: bool,
}

fn rows<'a>(snapshot: &'a Snapshot, args: &ListArgs) -> Result<Vec<Row<'a>>> {
    if let Some(id) = args.namespace {
        let ns = snapshot
            .namespaces
            .iter()
            .find(|ns| ns.id == id)
            .ok_or_else(|| Error::failed(format!("no namespace {id} found")))?;
        let mut rows: Vec<Row<'a>> = ns
            .processes
            .iter()
            .filter_map(|&pid| snapshot.process(pid))
            .map(|p| Row {
                ns,
                process: Some(p),
                related_only: false,
            })
            .collect();
        rows.sort_by_key(|r| r.process.map(|p| p.pid));
        keep_matching(snapshot, args, &mut rows)?;
        return Ok(rows);
    }
    let mut rows: Vec<Row<'a>> = snapshot
        .namespaces
        .iter()
        .filter(|ns| args.types.is_empty() || args.types.contains(&ns.ns_type))
        .filter(|ns| args.pid.is_none_or(|pid| ns.processes.contains(&pid)))
        .filter(|ns| !args.persistent || ns.processes.is_empty())
        .map(|ns| Row {
            ns,
            process: ns.processes.first().and_then(|&pid| snapshot.process(pid)),
            related_only: false,
        })
        .collect();
    keep_matching(snapshot, args, &mut rows)?;
    // A tree shows the owner (or parent) of each row even when -p left it out: lsns 2.38
    // adds it to its table first.
    if args.pid.is_some() && matches!(args.tree, Some(TreeBy::Owner | TreeBy::Parent)) {
        let mut next = 0;
        while next < rows.len() {
            let ns = rows[next].ns;
            let related = match args.tree {
                Some(TreeBy::Parent) if ns.parent.is_some() => ns.parent.map(|p| (p, ns.ns_type)),
                _ => ns.owner.map(|o| (o, NsType::User)),
            };
            let missing = related.filter(|&(id, t)| {
                (args.types.is_empty() || args.types.contains(&t))
                    && !rows.iter().any(|r| r.ns.id == id && r.ns.ns_type == t)
            });
            if let Some(ns) = missing.and_then(|(id, t)| {
                snapshot
                    .namespaces
                    .iter()
                    .find(|n| n.id == id && n.ns_type == t)
            }) {
                rows.push(Row {
                    ns,
                    process: ns.processes.first().and_then(|&pid| snapshot.process(pid)),
                    related_only: true,
                });
            }
            next += 1;
        }
    }
    // lsns orders by inode number alone.
    rows.sort_by_key(|r| (r.ns.id, r.ns.ns_type));
    Ok(rows)
}

/// Keeps the rows for which the -Q expression is true.
fn keep_matching(snapshot: &Snapshot, args: &ListArgs, rows: &mut Vec<Row>) -> Result<()> {
    if let Some(filter) = filter(args)? {
        rows.retain(|row| {
            filter.matches(&|name: &str| {
                Column::parse(name)
                    .map(|c| cell(snapshot, row, c))
                    .unwrap_or_default()
            })
        });
    }
    Ok(())
}

/// The rows in the order shown, each with its depth and whether it is the last of its
/// siblings (for the tree marks); depth 0 everywhere for a flat list.
struct TreeEntry {
    row: usize,
    /// For each ancestor level and then this row: whether it is the last child there.
    lasts: Vec<bool>,
}

/// Which row is each row's parent in the tree, as lsns 2.38 draws it:
/// - `--tree` (owner) and `--tree=parent`: under the owner (ONS) or parent (PNS) namespace;
/// - otherwise (lsns's default, and `--tree=process`): under the row above it whose process is
///   its process's parent, the marks drawn in COMMAND; `--list` turns this one off, and so
///   does `--json` without `--tree` (scripts read a flat array; lsns 2.38 would nest it);
/// - with a NAMESPACE, its processes under their parent process unless `--list`.
///
/// Also, for each row, the row lsns adds to its table first: the parent, else (with
/// `--tree=parent`) the owner. That is why the user namespaces come first in lsns's trees.
fn tree_links(rows: &[Row], args: &ListArgs) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let find_ns = |id: Option<u64>, ns_type: NsType| {
        id.and_then(|id| {
            rows.iter()
                .position(|r| r.ns.id == id && r.ns.ns_type == ns_type)
        })
    };
    let by_process = args.tree.is_some() || !args.json || args.namespace.is_some();
    let links = rows.iter().enumerate().map(|(i, row)| {
        if args.namespace.is_none() && matches!(args.tree, Some(TreeBy::Owner | TreeBy::Parent)) {
            let owner = find_ns(row.ns.owner, NsType::User);
            return if args.tree == Some(TreeBy::Owner) {
                (owner, owner)
            } else {
                let parent = find_ns(row.ns.parent, row.ns.ns_type);
                (parent, parent.or(owner))
            };
        }
        if args.list || !by_process {
            return (None, None);
        }
        // A process is never its own parent (a hand-made snapshot might say so).
        let Some(ppid) = row.process.filter(|p| p.ppid != p.pid).map(|p| p.ppid) else {
            return (None, None);
        };
        // The last row above with the parent process (lsns remembers each process's last line).
        let parent = rows[..i]
            .iter()
            .rposition(|r| r.process.is_some_and(|p| p.pid == ppid));
        (parent, parent)
    });
    links.unzip()
}

fn tree_order(rows: &[Row], args: &ListArgs) -> Vec<TreeEntry> {
    let (parents, first) = tree_links(rows, args);
    // The order lsns adds rows in: each row after the one it names first.
    let mut added: Vec<usize> = Vec::with_capacity(rows.len());
    let mut started = vec![false; rows.len()];
    for i in (0..rows.len()).filter(|&i| !rows[i].related_only) {
        let mut chain = vec![i];
        while let Some(&top) = chain.last() {
            match first[top] {
                Some(before) if !started[before] && !chain.contains(&before) => chain.push(before),
                _ => break,
            }
        }
        for row in chain.into_iter().rev() {
            if !started[row] {
                started[row] = true;
                added.push(row);
            }
        }
    }
    let children = |of: Option<usize>| -> Vec<usize> {
        added
            .iter()
            .copied()
            .filter(|&i| parents[i] == of && Some(i) != of)
            .collect()
    };
    let mut order = Vec::with_capacity(rows.len());
    let mut seen = vec![false; rows.len()];
    // Rows whose parent chain loops (possible in a hand-made snapshot) are shown as roots.
    let mut pending: Vec<usize> = children(None);
    loop {
        let count = pending.len();
        for (n, root) in pending.into_iter().enumerate() {
            visit(root, vec![n + 1 == count], &children, &mut seen, &mut order);
        }
        let unseen = added
            .iter()
            .copied()
            .chain(0..rows.len())
            .find(|&i| !seen[i]);
        match unseen {
            Some(i) => pending = vec![i],
            None => break,
        }
    }
    order
}

fn visit(
    row: usize,
    lasts: Vec<bool>,
    children: &dyn Fn(Option<usize>) -> Vec<usize>,
    seen: &mut [bool],
    order: &mut Vec<TreeEntry>,
) {
    if seen[row] {
        return;
    }
    seen[row] = true;
    order.push(TreeEntry {
        row,
        lasts: lasts.clone(),
    });
    let kids: Vec<usize> = children(Some(row))
        .into_iter()
        .filter(|&k| !seen[k])
        .collect();
    let count = kids.len();
    for (n, kid) in kids.into_iter().enumerate() {
        let mut below = lasts.clone();
        below.push(n + 1 == count);
        visit(kid, below, children, seen, order);
    }
}

/// The tree marks before a cell: `│ ` or two spaces per ancestor level below the roots, then
/// `├─` or `└─` (lsns's).
fn tree_marks(lasts: &[bool]) -> String {
    let mut marks = String::new();
    if lasts.len() < 2 {
        return marks;
    }
    for &last in &lasts[1..lasts.len() - 1] {
        marks.push_str(if last { "  " } else { "│ " });
    }
    marks.push_str(if lasts[lasts.len() - 1] {
        "└─"
    } else {
        "├─"
    });
    marks
}

/// The column that carries the tree marks: NS for the trees of namespaces, else COMMAND.
fn tree_column(args: &ListArgs) -> Column {
    match args.tree {
        Some(TreeBy::Owner | TreeBy::Parent) if args.namespace.is_none() => Column::Ns,
        _ => Column::Command,
    }
}

fn default_columns(args: &ListArgs) -> Vec<Column> {
    if args.namespace.is_some() {
        return vec![Column::Pid, Column::Ppid, Column::User, Column::Command];
    }
    if args.json {
        // `lsns -J --output-all`: what scripts written against lsns read.
        return ALL_COLUMNS[..13].to_vec();
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
    columns
}

fn columns(args: &ListArgs) -> Result<Vec<Column>> {
    if args.output_all {
        // The lsns-compatible JSON never reads inside namespaces (docs/list.md).
        let all = if args.json { 13 } else { ALL_COLUMNS.len() };
        return Ok(ALL_COLUMNS[..all].to_vec());
    }
    let mut columns = default_columns(args);
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

/// A cell's text, unescaped (escaping depends on raw or aligned output).
fn cell(snapshot: &Snapshot, row: &Row, column: Column) -> String {
    let ns = row.ns;
    let p = row.process;
    match column {
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
    }
}

/// How the table is laid out.
struct Table<'c> {
    columns: &'c [Column],
    noheadings: bool,
    raw: bool,
    /// Fit every line to this many characters by truncating the long columns (COMMAND first).
    width: Option<usize>,
    /// A column is padded to at most this width: one long value (a command line of a megabyte)
    /// must not pad every row to its length.
    max_pad: usize,
    tree_column: Column,
    /// Headings strong, TYPE cells in their type's colour; painted after padding, so that
    /// the escape sequences take no width.
    palette: Palette,
}

impl Table<'_> {
    fn write(
        &self,
        snapshot: &Snapshot,
        rows: &[Row],
        tree: &[TreeEntry],
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let columns = self.columns;
        let mut lines: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
        if !self.noheadings {
            lines.push(columns.iter().map(|c| c.name().to_string()).collect());
        }
        for entry in tree {
            let row = &rows[entry.row];
            lines.push(
                columns
                    .iter()
                    .map(|&c| {
                        let mut text = String::new();
                        if c == self.tree_column {
                            text.push_str(&tree_marks(&entry.lasts));
                        }
                        text.push_str(&cell(snapshot, row, c));
                        lsns_escape(&text, self.raw)
                    })
                    .collect(),
            );
        }
        if self.raw {
            for line in &lines {
                writeln!(out, "{}", line.join(" "))?;
            }
            return Ok(());
        }
        let count = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = (0..columns.len())
            .map(|i| {
                // The name counts even with --noheadings, as in lsns.
                let widest = lines.iter().map(|l| count(&l[i])).max().unwrap_or(0);
                widest
                    .max(columns[i].min_width())
                    .max(count(columns[i].name()))
            })
            .collect();
        if let Some(limit) = self.width {
            fit(columns, &mut widths, limit);
        }
        let tree_shown = tree.iter().any(|e| e.lasts.len() > 1);
        for (n, line) in lines.iter().enumerate() {
            let heading = n == 0 && !self.noheadings;
            let mut text = String::new();
            let mut cut_last = false;
            for (i, value) in line.iter().enumerate() {
                let last = i + 1 == columns.len();
                if i > 0 {
                    text.push(' ');
                }
                let value: String = if count(value) > widths[i] {
                    cut_last = last;
                    value.chars().take(widths[i]).collect()
                } else {
                    value.clone()
                };
                let pad = widths[i].min(self.max_pad).saturating_sub(count(&value));
                let right =
                    columns[i].right_aligned() && !(tree_shown && columns[i] == self.tree_column);
                let value = match value.parse::<NsType>() {
                    _ if heading => self.palette.strong(&value),
                    Ok(t) if columns[i] == Column::Type => self.palette.ns_type(t, &value),
                    _ => value,
                };
                if right {
                    text.extend(std::iter::repeat_n(' ', pad));
                    text.push_str(&value);
                } else {
                    text.push_str(&value);
                    if !last {
                        text.extend(std::iter::repeat_n(' ', pad));
                    }
                }
            }
            // A cut last cell keeps its trailing space, as lsns prints it.
            let text = if cut_last { &text[..] } else { text.trim_end() };
            writeln!(out, "{text}")?;
        }
        Ok(())
    }
}

/// Shrinks the long columns (COMMAND first, then HOLDERS, DETAILS, ...) until a line fits in
/// `limit` characters; none goes below the width of its name.
fn fit(columns: &[Column], widths: &mut [usize], limit: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + w.len().saturating_sub(1);
    for shrinkable in Column::TRUNCATED {
        let Some(i) = columns.iter().position(|&c| c == shrinkable) else {
            continue;
        };
        let excess = total(widths).saturating_sub(limit);
        if excess == 0 {
            return;
        }
        let floor = shrinkable.name().len().min(widths[i]);
        widths[i] -= excess.min(widths[i] - floor);
    }
}

/// One row in lsns's JSON: its columns in order, then its children when there is a tree.
struct JsonRow {
    cells: Vec<(String, Value)>,
    children: Option<Vec<JsonRow>>,
}

impl Serialize for JsonRow {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in &self.cells {
            map.serialize_entry(key, value)?;
        }
        if let Some(children) = &self.children {
            map.serialize_entry("children", children)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct JsonList {
    namespaces: Vec<JsonRow>,
    /// Items the scan could not read (Snapshot::skipped, summed); lsns has no such figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u64>,
}

/// A cell as lsns -J types it: numbers for ids and counts (0 for "none" where lsns prints 0),
/// null where lsns has no value.
fn json_value(snapshot: &Snapshot, row: &Row, column: Column) -> Value {
    let ns = row.ns;
    let p = row.process;
    let text = |s: String| {
        if s.is_empty() {
            Value::Null
        } else {
            Value::String(s)
        }
    };
    match column {
        Column::Ns => ns.id.into(),
        Column::Nprocs => ns.processes.len().into(),
        Column::Pid => p.map_or(0, |p| p.pid).into(),
        Column::Ppid => p.map_or(0, |p| p.ppid).into(),
        Column::Uid => p.map_or(Value::Null, |p| p.uid.into()),
        Column::Pns => ns.parent.unwrap_or(0).into(),
        Column::Ons => ns.owner.unwrap_or(0).into(),
        Column::Nsid => ns.nsid.map_or(Value::Null, Value::from),
        Column::Path => path(snapshot, row).map_or(Value::Null, Value::String),
        Column::Command => p.map_or(Value::Null, |p| Value::String(p.command())),
        Column::User => p.map_or(Value::Null, |p| Value::String(user(p))),
        Column::Netnsid => netnsid(ns).map_or(Value::Null, Value::String),
        Column::Nsfs => text(ns.mounts.join("\n")),
        _ => text(cell(snapshot, row, column)),
    }
}

fn write_json(
    snapshot: &Snapshot,
    rows: &[Row],
    columns: &[Column],
    tree: &[TreeEntry],
    with_skipped: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let json_row = |entry: &TreeEntry| JsonRow {
        cells: columns
            .iter()
            .map(|&c| {
                let key = c.name().to_ascii_lowercase();
                (key, json_value(snapshot, &rows[entry.row], c))
            })
            .collect(),
        children: None,
    };
    // The tree order is depth first: each entry's children follow it, one level deeper.
    let mut stack: Vec<(usize, JsonRow)> = Vec::new();
    let mut top: Vec<JsonRow> = Vec::new();
    let close = |stack: &mut Vec<(usize, JsonRow)>, top: &mut Vec<JsonRow>, depth: usize| {
        while stack.last().is_some_and(|(d, _)| *d >= depth) {
            let Some((_, done)) = stack.pop() else { break };
            match stack.last_mut() {
                Some((_, parent)) => parent.children.get_or_insert_with(Vec::new).push(done),
                None => top.push(done),
            }
        }
    };
    for entry in tree {
        let depth = entry.lasts.len();
        close(&mut stack, &mut top, depth);
        stack.push((depth, json_row(entry)));
    }
    close(&mut stack, &mut top, 0);
    let list = JsonList {
        namespaces: top,
        skipped: with_skipped.then(|| snapshot.skipped.total()),
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
