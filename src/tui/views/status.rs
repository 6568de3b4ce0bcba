//! The two status lines: what is shown (source, counts per type, scan time, unreadable
//! processes), then the last message or error, else the key hint from the key table. When
//! the terminal is narrow, the least important parts go first; nothing is cut mid-word.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::model::{NsType, Snapshot};
use crate::tui::event::Pace;
use crate::tui::keys::{Scope, detail_hint, hint_line};
use crate::tui::theme::Theme;

/// What the status lines tell, gathered for each frame.
pub struct Status<'a> {
    /// "live" or the file name.
    pub source: &'a str,
    pub snapshot: &'a Snapshot,
    /// No scan yet.
    pub loading: bool,
    pub live: bool,
    pub paused: bool,
    pub pace: Option<Pace>,
    /// What the view shows: how many, of what, and how many match the filter (if one is set).
    pub shown: (usize, &'static str, Option<usize>),
    pub error: Option<&'a str>,
    pub message: Option<&'a str>,
    pub filter_editing: bool,
    /// Where the user is, for the key hint.
    pub scope: Scope,
}

/// The eight counts per type, and their total, which replaces them when they do not fit.
const COUNTS: u8 = 3;
const TOTAL: u8 = 100;

/// One part of the first line; parts with a higher `drop_order` go first when narrow.
struct Part {
    drop_order: u8,
    spans: Vec<Span<'static>>,
}

fn part(drop_order: u8, spans: Vec<Span<'static>>) -> Part {
    Part { drop_order, spans }
}

fn width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

pub fn render(app: &Status, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let s = app.snapshot;
    let mut parts = vec![part(
        0,
        vec![Span::styled(format!(" {} ", app.source), theme.tab_active)],
    )];
    if app.paused {
        parts.push(part(0, vec![Span::styled(" paused ", theme.filter)]));
    }
    if !app.loading {
        let mut counts = Vec::new();
        for t in NsType::ALL {
            let n = s.namespaces.iter().filter(|n| n.ns_type == t).count();
            counts.push(Span::styled(format!(" {}", t.name()), theme.dim));
            counts.push(Span::raw(format!(" {n}")));
        }
        // Narrow: the eight counts give way to their total first.
        parts.push(part(COUNTS, counts));
        parts.push(part(
            TOTAL,
            vec![Span::styled(
                format!("  {} namespaces", s.namespaces.len()),
                theme.dim,
            )],
        ));
        parts.push(part(
            2,
            vec![Span::styled(
                format!("  {} procs", s.processes.len()),
                theme.dim,
            )],
        ));
        // What this view shows now, and how much of it the filter matches.
        let (shown, noun, matches) = app.shown;
        if let Some(m) = matches {
            parts.push(part(
                1,
                vec![Span::styled(format!("  {m} match"), theme.filter)],
            ));
        }
        parts.push(part(
            4,
            vec![Span::styled(format!("  {shown} {noun}"), theme.dim)],
        ));
        parts.push(part(
            5,
            vec![Span::styled(
                format!("  scan {:.1} ms", s.scan_micros as f64 / 1000.0),
                theme.dim,
            )],
        ));
        // On a large host: how often it rescans, and how long until every process is read
        // again (docs/tui.md, "Live").
        if let Some(pace) = app.pace {
            let secs = |d: std::time::Duration| d.as_secs_f64().ceil();
            parts.push(part(
                6,
                vec![Span::styled(
                    format!(
                        "  rescan {} s, full {} s",
                        secs(pace.every),
                        secs(pace.full_pass)
                    ),
                    theme.dim,
                )],
            ));
        }
        if s.skipped.processes > 0 {
            parts.push(part(
                1,
                vec![Span::styled(
                    format!("  {} unreadable", s.skipped.processes),
                    theme.differs,
                )],
            ));
        }
    }
    buf.set_line(
        area.x,
        area.y,
        &Line::from(fit_parts(parts, usize::from(area.width))),
        area.width,
    );
    let room = usize::from(area.width);
    let second = if let Some(e) = app.error {
        Line::styled(
            format!(" {}", shorten(&super::safe(e), room.saturating_sub(1))),
            theme.error,
        )
    } else if let Some(m) = app.message {
        Line::styled(
            format!(" {}", shorten(&super::safe(m), room.saturating_sub(1))),
            theme.message,
        )
    } else if app.filter_editing {
        Line::styled(
            shorten(" type to filter, Enter keeps it, Esc cancels", room),
            theme.message,
        )
    } else {
        let hints = match app.scope {
            Scope::Detail => detail_hint(),
            scope => hint_line(app.live, scope),
        };
        let mut spans = Vec::new();
        let mut used = 0;
        for (key, what) in hints {
            let pair = [
                Span::styled(format!(" {key}"), theme.key),
                Span::raw(format!(" {what} ")),
            ];
            used += width(&pair);
            // Whole hints only: the ones that do not fit are left out.
            if used > room {
                break;
            }
            spans.extend(pair);
        }
        Line::from(spans)
    };
    buf.set_line(area.x, area.y + 1, &second, area.width);
}

/// The parts in their order, keeping the most important ones (lowest drop order) that fit.
/// When the eight counts do not fit, their total takes their place.
fn fit_parts(parts: Vec<Part>, room: usize) -> Vec<Span<'static>> {
    let mut by_importance: Vec<usize> = (0..parts.len()).collect();
    by_importance.sort_by_key(|&i| parts[i].drop_order);
    let mut keep = vec![false; parts.len()];
    let mut used = 0;
    for i in by_importance {
        let p = &parts[i];
        if p.drop_order == TOTAL {
            continue;
        }
        let w = width(&p.spans);
        if used + w <= room || p.drop_order == 0 {
            keep[i] = true;
            used += w;
        } else if p.drop_order == COUNTS
            && let Some(t) = parts.iter().position(|p| p.drop_order == TOTAL)
            && used + width(&parts[t].spans) <= room
        {
            keep[t] = true;
            used += width(&parts[t].spans);
        }
    }
    parts
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .flat_map(|(p, _)| p.spans)
        .collect()
}

/// `text` in at most `room` columns, cut at a word boundary with "…" when it must be cut.
pub fn shorten(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_string();
    }
    let budget = room.saturating_sub(1);
    let mut out = String::new();
    for word in text.split(' ') {
        let extra = if out.is_empty() { 0 } else { 1 } + word.chars().count();
        if out.chars().count() + extra > budget {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = text.chars().take(budget).collect();
    }
    out.push('…');
    out
}
