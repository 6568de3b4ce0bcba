//! The sandboxes view: one row per set of namespaces shared by some processes, with a cell
//! per type (· the host's, own, ⇄ shared with another sandbox), and below, the selected
//! sandbox's namespaces and processes. Draws from its own state only.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::safe;
use crate::model::{NsType, Snapshot};
use crate::tui::sandboxes::{Sandbox, SandboxesState, Share};
use crate::tui::theme::Theme;

/// The list's part of the view: its rows are what a page and a click count.
pub fn list_area(area: Rect) -> Rect {
    split(area)[0]
}

fn split(area: Rect) -> [Rect; 2] {
    let members = (area.height * 2 / 5).clamp(6.min(area.height), 16);
    Layout::vertical([Constraint::Min(0), Constraint::Length(members)]).areas(area)
}

pub fn render(
    state: &SandboxesState,
    snapshot: &Snapshot,
    filtered: bool,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let [list, members] = split(area);
    render_list(state, filtered, list, buf, theme);
    render_members(state, snapshot, members, buf, theme);
}

fn render_list(
    state: &SandboxesState,
    filtered: bool,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let block = Block::bordered()
        .title(Span::styled(
            format!(" Sandboxes {} ", state.list.len()),
            theme.title,
        ))
        .border_style(theme.border);
    let wide = block.inner(area).width >= 64;
    let legend = if wide {
        " · host's  own: only its own  ⇄ shared with another sandbox "
    } else {
        " · host's  letter: own  ⇄ shared "
    };
    let block = block.title_bottom(Line::styled(legend, theme.dim));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    // Narrow: one letter a cell (the process cells' letters), so the labels keep room.
    let wide = inner.width >= 64;
    let mut header = String::new();
    for t in NsType::ALL {
        if wide {
            header.push_str(&format!(" {:^3}", short_name(t)));
        } else {
            header.push_str(&format!(" {}", t.flag_letter()));
        }
    }
    header.push_str(" procs  sandbox");
    buf.set_stringn(
        inner.x,
        inner.y,
        &header,
        usize::from(inner.width),
        theme.heading,
    );
    if state.list.is_empty() {
        let text = if filtered {
            "nothing matches the filter (c clears it)"
        } else {
            "nothing to show"
        };
        buf.set_stringn(
            inner.x,
            inner.y + 1,
            text,
            usize::from(inner.width),
            theme.dim,
        );
        return;
    }
    let rows = usize::from(inner.height - 1);
    let selected = state.selected_index();
    for (i, s) in state.list.iter().enumerate().skip(state.offset).take(rows) {
        let y = inner.y + 1 + (i - state.offset) as u16;
        buf.set_line(
            inner.x,
            y,
            &row_line(s, &state.list, wide, theme),
            inner.width,
        );
        if Some(i) == selected {
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), theme.selected);
            if !theme.colors {
                buf.set_string(area.x, y, "▶", theme.selected);
            }
        }
    }
    if state.list.len() > rows {
        let pos = format!(" {}/{} ", selected.map_or(0, |s| s + 1), state.list.len());
        let w = pos.chars().count() as u16;
        if area.width > w + 2 {
            buf.set_string(area.x + area.width - w - 1, area.y, pos, theme.dim);
        }
    }
}

/// Three letters for the wide header: "usr", "mnt", ..., "cgr", "tim".
fn short_name(t: NsType) -> &'static str {
    match t {
        NsType::User => "usr",
        NsType::Cgroup => "cgr",
        NsType::Time => "tim",
        other => other.name(),
    }
}

fn cell(share: &Share, t: NsType, wide: bool, theme: &Theme) -> Span<'static> {
    let letter = t.flag_letter().to_string();
    let (text, style) = match share {
        Share::Host => ("·", theme.cell_same),
        Share::Own if wide => ("own", theme.badge(t)),
        Share::Own => (letter.as_str(), theme.badge(t)),
        Share::Shared(_) => ("⇄", theme.differs),
        Share::Unknown => ("?", theme.dim),
    };
    if wide {
        // A space and three characters ("own"), under the header's three-letter names.
        Span::styled(format!(" {text:^3}"), style)
    } else {
        Span::styled(format!(" {text}"), style)
    }
}

fn row_line(s: &Sandbox, all: &[Sandbox], wide: bool, theme: &Theme) -> Line<'static> {
    let mut spans: Vec<Span> = NsType::ALL
        .iter()
        .zip(&s.cells)
        .map(|(&t, c)| cell(c, t, wide, theme))
        .collect();
    spans.push(Span::raw(format!(" {:>5}  ", s.pids.len())));
    let label_style = if s.is_host() {
        theme.dim
    } else if s.joined() {
        theme.differs
    } else {
        theme.label
    };
    spans.push(Span::styled(safe(&s.label), label_style));
    if s.joined() {
        spans.push(Span::styled(
            format!("  joined {}", shared_with(s, all)),
            theme.differs,
        ));
    } else if s.shares() {
        spans.push(Span::styled(
            format!("  ⇄ {}", shared_with(s, all)),
            theme.dim,
        ));
    }
    Line::from(spans)
}

/// "net of docker web (3f2a9c1b7d4e)", "mnt pid of sandbox-a, sandbox-b": escaped.
fn shared_with(s: &Sandbox, all: &[Sandbox]) -> String {
    let mut parts: Vec<(Vec<&str>, Vec<usize>)> = Vec::new();
    for (&t, c) in NsType::ALL.iter().zip(&s.cells) {
        if let Share::Shared(others) = c {
            match parts.iter_mut().find(|(_, o)| o == others) {
                Some((types, _)) => types.push(t.name()),
                None => parts.push((vec![t.name()], others.clone())),
            }
        }
    }
    parts
        .iter()
        .map(|(types, others)| {
            let names: Vec<String> = others
                .iter()
                .filter_map(|&j| all.get(j))
                .map(|o| safe(&o.label))
                .collect();
            format!("{} of {}", types.join(" "), names.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn render_members(
    state: &SandboxesState,
    snapshot: &Snapshot,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let Some(s) = state.selected_sandbox() else {
        Block::bordered()
            .border_style(theme.border)
            .render(area, buf);
        return;
    };
    let noun = if s.pids.len() == 1 {
        "process"
    } else {
        "processes"
    };
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {}: {} {noun} ", safe(&s.label), s.pids.len()),
            theme.title,
        ))
        .border_style(theme.border);
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines = vec![Line::styled("namespaces", theme.heading)];
    for (&t, c) in NsType::ALL.iter().zip(&s.cells) {
        let Some(&id) = s.ns.get(&t) else {
            continue;
        };
        let how = match c {
            Share::Host => Span::styled("host's", theme.dim),
            Share::Own => Span::raw("own"),
            Share::Shared(others) => Span::styled(
                format!(
                    "⇄ {}",
                    others
                        .iter()
                        .filter_map(|&j| state.list.get(j))
                        .map(|o| safe(&o.label))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                theme.differs,
            ),
            // Shared with a sandbox the filter hides: still shared.
            Share::Unknown => Span::styled("?", theme.dim),
        };
        lines.push(Line::from(vec![
            super::namespaces::badge(t, theme),
            Span::raw(format!(" {id} ")),
            how,
        ]));
    }
    // The namespaces take what they need, up to three fifths; the processes the rest.
    let needed = lines.iter().map(Line::width).max().unwrap_or(0) + 2;
    let left_width = (needed as u16).min(inner.width * 3 / 5);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(0)]).areas(inner);
    draw_lines(&lines, left, buf);
    let mut procs = vec![Line::styled("processes (* leads)", theme.heading)];
    let room = usize::from(right.height.saturating_sub(1));
    for (n, &pid) in s.pids.iter().enumerate() {
        if n + 1 == room && s.pids.len() > room {
            procs.push(Line::styled(
                format!("… {} more", s.pids.len() - n),
                theme.dim,
            ));
            break;
        }
        let Some(p) = snapshot.process(pid) else {
            continue;
        };
        let user = p.user.clone().unwrap_or_else(|| p.uid.to_string());
        let mark = if pid == s.leader { "*" } else { " " };
        procs.push(Line::from(vec![
            Span::styled(format!("{mark}{pid:>7} "), Style::new()),
            Span::styled(format!("{} ", safe(&user)), theme.dim),
            Span::raw(safe(&p.command())),
        ]));
    }
    draw_lines(&procs, right, buf);
}

fn draw_lines(lines: &[Line], area: Rect, buf: &mut Buffer) {
    for (i, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        buf.set_line(area.x, area.y + i as u16, line, area.width);
    }
}
