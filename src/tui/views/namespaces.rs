//! The namespace tree: a badge, the id, a mark where it differs from the host's initial
//! namespace, its label, the most telling thing inside it, and what holds it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{render_rows, safe};
use crate::graph::{Hierarchy, NodeKey};
use crate::model::{Namespace, NsType, Snapshot};
use crate::tui::theme::Theme;
use crate::tui::tree::{Highlights, Row, Trees};

pub fn render(
    trees: &Trees,
    highlights: &Highlights,
    snapshot: &Snapshot,
    filtered: bool,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    let title = match trees.grouping {
        Hierarchy::Type => " Namespaces by type ".to_string(),
        _ => " Namespaces by owner ".to_string(),
    };
    let rows = super::Rows {
        trees,
        state: &trees.namespaces,
        filtered,
        title,
    };
    render_rows(&rows, area, buf, theme, &|row| {
        row_line(highlights, snapshot, row, theme)
    });
}

pub fn badge(t: NsType, theme: &Theme) -> Span<'static> {
    Span::styled(format!("{:^6}", t.name()), theme.badge(t))
}

fn row_line(
    highlights: &Highlights,
    snapshot: &Snapshot,
    row: &Row,
    theme: &Theme,
) -> Line<'static> {
    let mut spans = vec![Span::styled(row.guides.clone(), theme.dim)];
    let expander = match (row.has_children, row.expanded) {
        (false, _) => "  ",
        (true, true) => "▾ ",
        (true, false) => "▸ ",
    };
    spans.push(Span::raw(expander));
    match row.key {
        NodeKey::Group(t) => {
            let count = snapshot
                .namespaces
                .iter()
                .filter(|n| n.ns_type == t)
                .count();
            spans.push(badge(t, theme));
            spans.push(Span::styled(
                format!(" {} {count}", t.long_name()),
                theme.title,
            ));
        }
        NodeKey::Namespace(t, id) => {
            spans.push(badge(t, theme));
            spans.push(Span::raw(format!(" {id} ")));
            if row.gone {
                spans.push(Span::styled("gone", theme.gone));
                if let Some(g) = highlights.gone_namespace(&row.key) {
                    spans.push(Span::styled(
                        format!(" (was: {})", safe(&g.summary)),
                        theme.dim,
                    ));
                }
                return Line::from(spans);
            }
            let differs = snapshot.differs_from_initial(t, id);
            spans.push(if differs {
                Span::styled("◆ ", theme.differs)
            } else {
                Span::raw("  ")
            });
            if highlights.is_new(&row.key) {
                let style = if highlights.is_fading(&row.key) {
                    theme.fading
                } else {
                    theme.appeared
                };
                spans.push(Span::styled("new ", style));
            }
            if let Some(ns) = snapshot.namespace(t, id) {
                if !ns.label.is_empty() {
                    spans.push(Span::styled(format!("{} ", safe(&ns.label)), theme.label));
                }
                let brief = crate::describe::brief(ns);
                if !brief.is_empty() {
                    spans.push(Span::styled(format!("{} ", safe(&brief)), theme.text));
                }
                if let Some(holders) = holders(snapshot, ns) {
                    let dot = if ns.label.is_empty() && brief.is_empty() {
                        ""
                    } else {
                        "· "
                    };
                    spans.push(Span::styled(format!("{dot}{holders}"), theme.dim));
                }
            }
        }
        NodeKey::Process(pid) => spans.push(Span::raw(format!("PID {pid}"))),
    }
    Line::from(spans)
}

/// The holder summary, safe to show.
pub fn summary(snapshot: &Snapshot, ns: &Namespace) -> String {
    safe(&snapshot.holder_summary(ns))
}

/// What holds it, after the label: a count of processes (the label already names who), or
/// the other holder; None for a hidden namespace (its label says so).
fn holders(snapshot: &Snapshot, ns: &Namespace) -> Option<String> {
    match ns.processes.len() {
        0 if ns.is_hidden() => None,
        0 => Some(summary(snapshot, ns)).filter(|s| *s != safe(&ns.label)),
        1 => Some("1 process".to_string()),
        n => Some(format!("{n} processes")),
    }
}
