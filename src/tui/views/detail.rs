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
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Long holder lists (the host namespaces hold every process) are cut here.
const MAX_ITEMS: usize = 100;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let block = Block::bordered()
        .title(Span::styled(" Details ", theme.title))
        .border_style(theme.border);
    let lines = match app.selected() {
        _ if app.loading => vec![Line::raw("")],
        Some(key) => lines_for(app, key, theme),
        None => vec![Line::styled("nothing selected", theme.dim)],
    };
    let scroll = match app.detail_scroll {
        (key, scroll) if key == app.selected() => scroll,
        _ => 0,
    };
    // Past the end, the last lines stay in view (counting the rows wrapped lines take).
    let inner_width = usize::from(area.width.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let visible = area.height.saturating_sub(2);
    let scroll = scroll.min(
        u16::try_from(rows)
            .unwrap_or(u16::MAX)
            .saturating_sub(visible),
    );
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

pub fn lines_for(app: &App, key: NodeKey, theme: &Theme) -> Vec<Line<'static>> {
    let snapshot = &app.snapshot;
    match key {
        NodeKey::Namespace(t, id) => match snapshot.namespace(t, id) {
            Some(ns) => namespace_lines(snapshot, ns, theme, app.is_new(&key)),
            None => match app.gone_namespace(&key) {
                Some(g) => {
                    let mut lines = namespace_lines(snapshot, &g.ns, theme, false);
                    lines.insert(
                        1,
                        Line::styled("gone: vanished in the last scan", theme.gone),
                    );
                    lines
                }
                None => vec![Line::raw(format!("{t} {id}"))],
            },
        },
        NodeKey::Process(pid) => match snapshot.process(pid) {
            Some(p) => process_lines(snapshot, p, theme),
            None => vec![Line::raw(format!("PID {pid}"))],
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
            vec![
                Line::from(vec![
                    badge(t, theme),
                    Span::raw(format!(" {} namespaces", t.long_name())),
                ]),
                Line::raw(format!("{n} found, {differ} differ from the host")),
                Line::styled("i explains this type", theme.dim),
            ]
        }
    }
}

fn namespace_lines(
    snapshot: &Snapshot,
    ns: &Namespace,
    theme: &Theme,
    new: bool,
) -> Vec<Line<'static>> {
    let t = ns.ns_type;
    let mut lines = vec![Line::from(vec![
        badge(t, theme),
        Span::raw(format!(" {} namespace", t.long_name())),
    ])];
    if new {
        lines.push(Line::styled("new since the last scan", theme.appeared));
    }
    lines.push(field("inode", ns.id.to_string(), theme));
    if let Some(nsid) = ns.nsid {
        lines.push(field("ns id", nsid.to_string(), theme));
    }
    let host = if snapshot.differs_from_initial(t, ns.id) {
        Span::styled("◆ differs from the host", theme.differs)
    } else if snapshot.initial.get(&t) == Some(&ns.id) {
        Span::raw("the host's initial namespace")
    } else {
        Span::styled("host namespace unknown", theme.dim)
    };
    lines.push(Line::from(host));
    if let Some(parent) = ns.parent {
        lines.push(field("parent", format!("{t} {parent}"), theme));
    }
    if let Some(owner) = ns.owner.filter(|_| t != NsType::User) {
        let uid = snapshot
            .namespace(NsType::User, owner)
            .and_then(|u| u.owner_uid)
            .map(|u| format!(" (uid {u})"))
            .unwrap_or_default();
        lines.push(field("owner", format!("user {owner}{uid}"), theme));
    }
    if let Some(uid) = ns.owner_uid {
        lines.push(field("creator", format!("uid {uid}"), theme));
    }
    if let Some(n) = ns.netnsid {
        lines.push(field("netnsid", n.to_string(), theme));
    }
    // With an attribution the section below says whose it is; the label would repeat it.
    if !ns.label.is_empty() && ns.attribution.is_none() {
        lines.push(field("label", safe(&ns.label), theme));
    }
    lines.push(Line::styled("inside", theme.heading));
    for f in crate::describe::section(snapshot, ns) {
        let style = if f.name == "unread" {
            theme.dim
        } else {
            theme.text
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<9} ", f.name), theme.dim),
            Span::styled(safe(&f.value), style),
        ]));
    }
    lines.push(Line::styled("held by", theme.heading));
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
    let mut items: Vec<String> = ns
        .holders()
        .filter(|h| !matches!(h, Holder::Process(pid) if is_kernel_thread(*pid)))
        .map(|h| safe(&h.describe(t, |pid| process_label(snapshot, pid))))
        .collect();
    if kernel_threads > 0 {
        let noun = if kernel_threads == 1 {
            "thread"
        } else {
            "threads"
        };
        items.insert(
            0,
            format!("{kernel_threads} kernel {noun} (kthreadd and its children)"),
        );
    }
    if items.is_empty() {
        lines.push(Line::styled(
            "  nothing left: hidden (known only as a parent or owner)",
            theme.dim,
        ));
    }
    let total = items.len();
    for item in items.into_iter().take(MAX_ITEMS) {
        lines.push(Line::raw(format!("  {item}")));
    }
    if total > MAX_ITEMS {
        lines.push(Line::styled(
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
        lines.push(field(
            "owns",
            format!("{owned} namespaces, {children} child user namespaces"),
            theme,
        ));
    }
    lines.push(Line::styled("i explains this type", theme.dim));
    lines
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

fn process_lines(snapshot: &Snapshot, p: &Process, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::styled(format!("PID {}", p.pid), theme.title),
        field("command", safe(&p.command()), theme),
        field("comm", safe(&p.comm), theme),
        field(
            "user",
            format!("{} ({})", safe(p.user.as_deref().unwrap_or("?")), p.uid),
            theme,
        ),
        field("parent", process_label(snapshot, p.ppid), theme),
    ];
    if let Some(a) = &p.attribution {
        lines.push(field("whose", safe(&a.describe()), theme));
    } else if !p.label.is_empty() && p.label != p.comm {
        lines.push(field("label", safe(&p.label), theme));
    }
    if let Some(cgroup) = &p.cgroup {
        lines.push(field("cgroup", safe(cgroup), theme));
    }
    if p.nspid.len() > 1 {
        let chain: Vec<String> = p.nspid.iter().map(|n| n.to_string()).collect();
        lines.push(field("nspid", chain.join(" → "), theme));
    }
    lines.push(Line::styled("namespaces", theme.heading));
    for t in NsType::ALL {
        let mut spans = vec![
            cell_span(cell(snapshot, p, t), t, theme),
            Span::raw(" "),
            badge(t, theme),
        ];
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
            }
            None => spans.push(Span::styled(" unreadable", theme.dim)),
        }
        lines.push(Line::from(spans));
    }
    if let Some(id) = p.pid_for_children {
        lines.push(field("children", format!("pid {id}"), theme));
    }
    if let Some(id) = p.time_for_children {
        lines.push(field("children", format!("time {id}"), theme));
    }
    lines
}
