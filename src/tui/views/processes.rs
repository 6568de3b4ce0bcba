//! The process tree (like pstree). Eight cells per row, one per namespace type, show where the
//! process differs from the host's initial namespaces and from its parent.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use super::{render_rows, safe};
use crate::graph::NodeKey;
use crate::model::{NsType, Process, Snapshot};
use crate::tui::theme::Theme;
use crate::tui::tree::{Row, Trees};

pub fn render(
    trees: &Trees,
    snapshot: &Snapshot,
    filtered: bool,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let letters: String = NsType::ALL.iter().map(|t| t.flag_letter()).collect();
    let rows = super::Rows {
        trees,
        state: &trees.processes,
        filtered,
        title: format!(" Processes  {letters} "),
    };
    render_rows(&rows, area, buf, theme, &|row| {
        row_line(snapshot, row, theme)
    });
}

/// How one namespace of a process compares with the host and with its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The link could not be read.
    Unknown,
    /// Same as the host's initial namespace and as the parent's.
    Host,
    /// Differs from the host, same as the parent (inherited isolation).
    Inherited,
    /// Differs from the parent: this process is where the switch happened.
    Switched,
}

pub fn cell(snapshot: &Snapshot, p: &Process, t: NsType) -> Cell {
    let Some(&id) = p.ns.get(&t) else {
        return Cell::Unknown;
    };
    let parent_id = snapshot
        .process(p.ppid)
        .and_then(|pp| pp.ns.get(&t).copied());
    if parent_id.is_some_and(|pid| pid != id) {
        Cell::Switched
    } else if snapshot.differs_from_initial(t, id) {
        Cell::Inherited
    } else {
        Cell::Host
    }
}

pub fn cell_span(c: Cell, t: NsType, theme: &Theme) -> Span<'static> {
    let letter = t.flag_letter().to_string();
    match c {
        Cell::Unknown => Span::styled("?", theme.dim),
        Cell::Host => Span::styled("·", theme.cell_same),
        // Without colours: a plain letter differs, an underlined one differs from the parent.
        Cell::Inherited if !theme.colors => Span::raw(letter),
        Cell::Switched if !theme.colors => Span::styled(
            letter,
            Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED),
        ),
        Cell::Inherited => Span::styled(letter, Style::new().fg(theme.type_color(t))),
        Cell::Switched => Span::styled(
            letter,
            Style::new().fg(Color::Black).bg(theme.type_color(t)),
        ),
    }
}

fn row_line(snapshot: &Snapshot, row: &Row, theme: &Theme) -> Line<'static> {
    let NodeKey::Process(pid) = row.key else {
        return Line::raw("");
    };
    let Some(p) = snapshot.process(pid) else {
        return Line::raw(format!("PID {pid}"));
    };
    let mut spans: Vec<Span<'static>> = NsType::ALL
        .iter()
        .map(|&t| cell_span(cell(snapshot, p, t), t, theme))
        .collect();
    spans.push(Span::raw(" "));
    spans.push(Span::styled(row.guides.clone(), theme.dim));
    spans.push(Span::raw(match (row.has_children, row.expanded) {
        (false, _) => "  ",
        (true, true) => "▾ ",
        (true, false) => "▸ ",
    }));
    spans.push(Span::styled(format!("{pid} "), theme.title));
    // The label where it says more than the command name (a container, service, hostname).
    if !p.label.is_empty() && p.label != p.comm {
        spans.push(Span::styled(format!("{} ", safe(&p.label)), theme.label));
    }
    spans.push(Span::raw(safe(&p.command())));
    let user = p.user.clone().unwrap_or_else(|| p.uid.to_string());
    spans.push(Span::styled(format!(" ({})", safe(&user)), theme.dim));
    Line::from(spans)
}
