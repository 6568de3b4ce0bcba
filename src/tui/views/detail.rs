//! The pane beside every view: everything known about the selected namespace or process.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::namespaces::badge;
use super::processes::{cell, cell_span};
use super::safe;
use crate::graph::NodeKey;
use crate::model::holder::Holder;
use crate::model::{Namespace, NsType, Pid, Process, Snapshot};
use crate::tui::detail::{DetailState, Link};
use crate::tui::theme::Theme;

/// Long holder lists (the host namespaces hold every process) are cut here.
const MAX_ITEMS: usize = 100;

/// What the pane is about: the selection and what is known of it.
pub struct Subject<'a> {
    pub snapshot: &'a Snapshot,
    pub key: NodeKey,
    /// Appeared since the previous scans (still highlighted).
    pub new: bool,
    /// Vanished in the last scan: what it was.
    pub gone: Option<&'a Namespace>,
}

/// The pane's lines, and those of them that lead to a process or a namespace.
#[derive(Default)]
pub struct Content {
    pub lines: Vec<Line<'static>>,
    pub links: Vec<Link>,
}

impl Content {
    fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }

    /// A line that Enter follows to `target` while the pane has the focus.
    fn push_link(&mut self, line: Line<'static>, target: Option<NodeKey>) {
        if let Some(target) = target {
            self.links.push(Link {
                line: self.lines.len(),
                target,
            });
        }
        self.lines.push(line);
    }
}

/// Draws the pane; `subject` is None while nothing is selected, `loading` before a first scan.
pub fn render(
    subject: Option<Subject>,
    loading: bool,
    state: &DetailState,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let selected = subject.as_ref().map(|s| s.key);
    let focus = state.focus_for(selected);
    let title = if focus.is_some() {
        " Details: Enter jumps, Esc returns "
    } else {
        " Details "
    };
    let border = if focus.is_some() {
        theme.border_selected
    } else {
        theme.border
    };
    let block = Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(border);
    let content = match subject {
        _ if loading => Content {
            lines: vec![Line::raw("")],
            links: Vec::new(),
        },
        Some(subject) => content(&subject, theme),
        None => Content {
            lines: vec![Line::styled("nothing selected", theme.dim)],
            links: Vec::new(),
        },
    };
    let Content { mut lines, links } = content;
    let scroll = state.scroll_for(selected);
    let (scroll, picked_row) = placement(&lines, &links, scroll, focus, area);
    if let Some(link) = focus.and_then(|i| picked(&links, i)) {
        let line = std::mem::take(&mut lines[link.line]);
        lines[link.line] = line.patch_style(theme.selected);
    }
    let visible = area.height.saturating_sub(2);
    let block = if scroll > 0 {
        block.title_bottom(Span::styled(format!(" ↑ {scroll} more ([) "), theme.dim))
    } else {
        block
    };
    Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
    // A marker on the border: the picked line without colour or reverse video.
    if let Some(row) = picked_row
        && row >= scroll
        && row - scroll < visible
    {
        buf.set_string(area.x, area.y + 1 + row - scroll, "▶", theme.selected);
    }
}

fn field(name: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<8}"), theme.dim),
        Span::raw(value),
    ])
}

fn process_label(snapshot: &Snapshot, pid: Pid) -> String {
    match snapshot.process(pid) {
        // The short name: lists stay one line each; the command is in the process's own detail.
        Some(p) => format!(
            "{pid} {} {}",
            safe(p.user.as_deref().unwrap_or(&p.uid.to_string())),
            safe(&p.comm)
        ),
        None => format!("{pid}"),
    }
}

/// The link focus `i` picks (the last one when the list got shorter).
fn picked(links: &[Link], i: usize) -> Option<&Link> {
    links.get(i.min(links.len().saturating_sub(1)))
}

/// Rows that lines take once wrapped in a pane of `area`, as the pane's paragraph wraps them.
fn wrapped_rows(lines: &[Line<'static>], area: Rect) -> u16 {
    let inner_width = area.width.saturating_sub(2).max(1);
    let count = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(inner_width);
    u16::try_from(count).unwrap_or(u16::MAX)
}

/// How far the pane is scrolled, and the row (from the top of the lines) of the picked link:
/// the picked link is kept in view, and past the end the last lines stay in view.
fn placement(
    lines: &[Line<'static>],
    links: &[Link],
    mut scroll: u16,
    focus: Option<usize>,
    area: Rect,
) -> (u16, Option<u16>) {
    let visible = area.height.saturating_sub(2);
    let mut picked_row = None;
    if let Some(link) = focus.and_then(|i| picked(links, i)) {
        let row = wrapped_rows(&lines[..link.line], area);
        if row < scroll {
            scroll = row;
        } else if row >= scroll.saturating_add(visible) {
            scroll = row + 1 - visible.max(1);
        }
        picked_row = Some(row);
    }
    let scroll = scroll.min(wrapped_rows(lines, area).saturating_sub(visible));
    (scroll, picked_row)
}

/// The link drawn at screen row `row` of a pane of `area` showing `selected`, if any.
pub fn link_at(
    content: &Content,
    state: &DetailState,
    selected: Option<NodeKey>,
    area: Rect,
    row: u16,
) -> Option<usize> {
    if row <= area.y || row >= area.y + area.height.saturating_sub(1) {
        return None;
    }
    let focus = state.focus_for(selected);
    let scroll = state.scroll_for(selected);
    let (scroll, _) = placement(&content.lines, &content.links, scroll, focus, area);
    let wanted = scroll + (row - area.y - 1);
    content.links.iter().position(|link| {
        let top = wrapped_rows(&content.lines[..link.line], area);
        let bottom = wrapped_rows(&content.lines[..=link.line], area);
        (top..bottom).contains(&wanted)
    })
}

/// The pane's lines for one selection.
pub fn content(subject: &Subject, theme: &Theme) -> Content {
    let snapshot = subject.snapshot;
    let mut out = Content::default();
    match subject.key {
        NodeKey::Namespace(t, id) => match (snapshot.namespace(t, id), subject.gone) {
            (Some(ns), _) => namespace_lines(&mut out, snapshot, ns, theme, subject.new),
            (None, Some(ns)) => {
                namespace_lines(&mut out, snapshot, ns, theme, false);
                out.lines.insert(
                    1,
                    Line::styled("gone: vanished in the last scan", theme.gone),
                );
                for link in &mut out.links {
                    link.line += 1;
                }
            }
            (None, None) => out.push(Line::raw(format!("{t} {id}"))),
        },
        NodeKey::Process(pid) => match snapshot.process(pid) {
            Some(p) => process_lines(&mut out, snapshot, p, theme),
            None => out.push(Line::raw(format!("PID {pid}"))),
        },
        NodeKey::Group(t) => {
            let n = snapshot
                .namespaces
                .iter()
                .filter(|n| n.ns_type == t)
                .count();
            let differ = snapshot
                .namespaces
                .iter()
                .filter(|n| n.ns_type == t && snapshot.differs_from_initial(t, n.id))
                .count();
            out.push(Line::from(vec![
                badge(t, theme),
                Span::raw(format!(" {} namespaces", t.long_name())),
            ]));
            out.push(Line::raw(format!(
                "{n} found, {differ} differ from the host"
            )));
            out.push(Line::styled("i explains this type", theme.dim));
        }
    }
    out
}

/// A namespace's key, when the snapshot lists it (a link to nothing leads nowhere).
fn namespace_key(snapshot: &Snapshot, t: NsType, id: u64) -> Option<NodeKey> {
    snapshot.namespace(t, id).map(|_| NodeKey::Namespace(t, id))
}

fn process_key(snapshot: &Snapshot, pid: Pid) -> Option<NodeKey> {
    snapshot.process(pid).map(|_| NodeKey::Process(pid))
}

/// The user namespaces above `user` that nothing holds (known only through the ownership
/// chain), nearest first.
pub fn hidden_ancestors(snapshot: &Snapshot, user: u64) -> Vec<&Namespace> {
    let mut found = Vec::new();
    let mut next = snapshot
        .namespace(NsType::User, user)
        .and_then(|n| n.parent);
    // The chain is at most 33 deep (the kernel's limit); a crafted snapshot may loop.
    for _ in 0..64 {
        let Some(ns) = next.and_then(|id| snapshot.namespace(NsType::User, id)) else {
            break;
        };
        if ns.is_hidden() {
            found.push(ns);
        }
        next = ns.parent;
    }
    found
}

fn namespace_lines(
    out: &mut Content,
    snapshot: &Snapshot,
    ns: &Namespace,
    theme: &Theme,
    new: bool,
) {
    let t = ns.ns_type;
    out.push(Line::from(vec![
        badge(t, theme),
        Span::raw(format!(" {} namespace", t.long_name())),
    ]));
    if new {
        out.push(Line::styled("new since the last scan", theme.appeared));
    }
    out.push(field("inode", ns.id.to_string(), theme));
    if let Some(nsid) = ns.nsid {
        out.push(field("ns id", nsid.to_string(), theme));
    }
    let host = if snapshot.differs_from_initial(t, ns.id) {
        Span::styled("◆ differs from the host", theme.differs)
    } else if snapshot.initial.get(&t) == Some(&ns.id) {
        Span::raw("the host's initial namespace")
    } else {
        Span::styled("host namespace unknown", theme.dim)
    };
    out.push(Line::from(host));
    if let Some(parent) = ns.parent {
        out.push_link(
            field("parent", format!("{t} {parent}"), theme),
            namespace_key(snapshot, t, parent),
        );
    }
    if let Some(owner) = ns.owner.filter(|_| t != NsType::User) {
        let uid = snapshot
            .namespace(NsType::User, owner)
            .and_then(|u| u.owner_uid)
            .map(|u| format!(" (uid {u})"))
            .unwrap_or_default();
        out.push_link(
            field("owner", format!("user {owner}{uid}"), theme),
            namespace_key(snapshot, NsType::User, owner),
        );
    }
    if let Some(uid) = ns.owner_uid {
        out.push(field("creator", format!("uid {uid}"), theme));
    }
    if let Some(n) = ns.netnsid {
        out.push(field("netnsid", n.to_string(), theme));
    }
    // With an attribution the section below says whose it is; the label would repeat it.
    if !ns.label.is_empty() && ns.attribution.is_none() {
        out.push(field("label", safe(&ns.label), theme));
    }
    out.push(Line::styled("inside", theme.heading));
    for f in crate::describe::section(snapshot, ns) {
        let style = if f.name == "unread" {
            theme.dim
        } else {
            theme.text
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:<9} ", f.name), theme.dim),
            Span::styled(safe(&f.value), style),
        ]));
    }
    out.push(Line::styled("held by", theme.heading));
    // Kernel threads (kthreadd and its children) are summarised in one line: the host's
    // namespaces would otherwise list dozens of them before anything telling.
    let is_kernel_thread = |pid: Pid| {
        snapshot
            .process(pid)
            .is_some_and(|p| p.pid == 2 || (p.ppid == 2 && p.cmdline.is_empty()))
    };
    let kernel_threads = ns
        .holders()
        .filter(|h| matches!(h, Holder::Process(pid) if is_kernel_thread(*pid)))
        .count();
    // Each holder with the process it leads to (a thread's is its thread group's).
    let mut items: Vec<(String, Option<NodeKey>)> = ns
        .holders()
        .filter(|h| !matches!(h, Holder::Process(pid) if is_kernel_thread(*pid)))
        .map(|h| match h {
            Holder::Thread(tid) => match snapshot.process_of_thread(tid) {
                Some(p) => (
                    format!("thread {tid} of process {}", process_label(snapshot, p.pid)),
                    Some(NodeKey::Process(p.pid)),
                ),
                None => (format!("thread {tid}"), None),
            },
            h => (
                safe(&h.describe(t, |pid| process_label(snapshot, pid))),
                h.pid().and_then(|pid| process_key(snapshot, pid)),
            ),
        })
        .collect();
    if kernel_threads > 0 {
        let noun = if kernel_threads == 1 {
            "thread"
        } else {
            "threads"
        };
        items.insert(
            0,
            (
                format!("{kernel_threads} kernel {noun} (kthreadd and its children)"),
                process_key(snapshot, 2),
            ),
        );
    }
    if items.is_empty() {
        out.push(Line::styled(
            "  nothing left: hidden (known only as a parent or owner)",
            theme.dim,
        ));
    }
    let total = items.len();
    for (item, target) in items.into_iter().take(MAX_ITEMS) {
        out.push_link(Line::raw(format!("  {item}")), target);
    }
    if total > MAX_ITEMS {
        out.push(Line::styled(
            format!("  … {} more", total - MAX_ITEMS),
            theme.dim,
        ));
    }
    if t == NsType::User {
        let owned = snapshot
            .namespaces
            .iter()
            .filter(|n| n.owner == Some(ns.id) && n.ns_type != NsType::User)
            .count();
        let children = snapshot
            .namespaces
            .iter()
            .filter(|n| n.ns_type == NsType::User && n.parent == Some(ns.id))
            .count();
        out.push(field(
            "owns",
            format!("{owned} namespaces, {children} child user namespaces"),
            theme,
        ));
    }
    out.push(Line::styled("i explains this type", theme.dim));
}

/// " alone", " with 2151 nginx", " with 2151 nginx +17".
fn shared_with(snapshot: &Snapshot, others: &[Pid]) -> String {
    let Some(&first) = others.first() else {
        return " alone".to_string();
    };
    let name = snapshot
        .process(first)
        .map(|q| safe(&q.comm))
        .unwrap_or_default();
    match others.len() - 1 {
        0 => format!(" with {first} {name}"),
        more => format!(" with {first} {name} +{more}"),
    }
}

fn process_lines(out: &mut Content, snapshot: &Snapshot, p: &Process, theme: &Theme) {
    out.push(Line::styled(format!("PID {}", p.pid), theme.title));
    out.push(field("command", safe(&p.command()), theme));
    out.push(field("comm", safe(&p.comm), theme));
    out.push(field(
        "user",
        format!("{} ({})", safe(p.user.as_deref().unwrap_or("?")), p.uid),
        theme,
    ));
    out.push_link(
        field("parent", process_label(snapshot, p.ppid), theme),
        process_key(snapshot, p.ppid),
    );
    if let Some(a) = &p.attribution {
        out.push(field("whose", safe(&a.describe()), theme));
    } else if !p.label.is_empty() && p.label != p.comm {
        out.push(field("label", safe(&p.label), theme));
    }
    if let Some(cgroup) = &p.cgroup {
        out.push(field("cgroup", safe(cgroup), theme));
    }
    if p.nspid.len() > 1 {
        let chain: Vec<String> = p.nspid.iter().map(|n| n.to_string()).collect();
        out.push(field("nspid", chain.join(" → "), theme));
    }
    out.push(Line::styled("namespaces", theme.heading));
    for t in NsType::ALL {
        let mut spans = vec![
            cell_span(cell(snapshot, p, t), t, theme),
            Span::raw(" "),
            badge(t, theme),
        ];
        let mut target = None;
        match p.ns.get(&t) {
            Some(&id) => {
                spans.push(Span::raw(format!(" {id}")));
                let others: Vec<Pid> = snapshot
                    .namespace(t, id)
                    .map(|ns| {
                        ns.processes
                            .iter()
                            .copied()
                            .filter(|&q| q != p.pid)
                            .collect()
                    })
                    .unwrap_or_default();
                spans.push(Span::styled(shared_with(snapshot, &others), theme.dim));
                target = namespace_key(snapshot, t, id);
            }
            None => spans.push(Span::styled(" unreadable", theme.dim)),
        }
        out.push_link(Line::from(spans), target);
    }
    if let Some(id) = p.pid_for_children {
        out.push_link(
            field("children", format!("pid {id}"), theme),
            namespace_key(snapshot, NsType::Pid, id),
        );
    }
    if let Some(id) = p.time_for_children {
        out.push_link(
            field("children", format!("time {id}"), theme),
            namespace_key(snapshot, NsType::Time, id),
        );
    }
    // User namespaces between it and the host that no process holds any more: lsns cannot
    // list them, yet they own what this process is in.
    if let Some(&user) = p.ns.get(&NsType::User) {
        let hidden = hidden_ancestors(snapshot, user);
        if !hidden.is_empty() {
            out.push(Line::styled(
                "hidden ancestor user namespaces",
                theme.heading,
            ));
        }
        for ns in hidden {
            let uid = ns
                .owner_uid
                .map(|u| format!(" made by uid {u}"))
                .unwrap_or_default();
            out.push_link(
                Line::from(vec![
                    badge(NsType::User, theme),
                    Span::raw(format!(" {}", ns.id)),
                    Span::styled(uid, theme.dim),
                ]),
                Some(NodeKey::Namespace(NsType::User, ns.id)),
            );
        }
    }
}
