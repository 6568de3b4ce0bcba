//! The change log overlay: newest first, one line a change. Draws from the log alone.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::{clear, safe};
use crate::tui::changelog::{ChangeLog, Kind, Subject, clock};
use crate::tui::theme::Theme;

pub const TITLE: &str =
    " Changes, newest first · ↑↓ scroll · N jumps to the newest · Esc, q or n closes ";

pub fn lines(log: &ChangeLog, theme: &Theme) -> Vec<Line<'static>> {
    if log.entries.is_empty() {
        return vec![Line::styled(
            "Nothing has appeared or vanished since the viewer started.",
            theme.dim,
        )];
    }
    log.entries
        .iter()
        .rev()
        .map(|c| {
            let (mark, style) = match c.kind {
                Kind::Appeared => ("+ new ", theme.appeared),
                Kind::Vanished => ("- gone", theme.gone),
            };
            let what = match &c.subject {
                Subject::Namespace(t, id) => format!("{:<7}{id}", t.name()),
                Subject::Sandbox(_) => "sandbox".to_string(),
            };
            let mut spans = vec![
                Span::styled(format!("{} UTC ", clock(c.at)), theme.dim),
                Span::styled(mark, style),
                Span::raw(format!(" {what:<18} ")),
                Span::styled(safe(&c.label), theme.label),
            ];
            if let Some((pid, command)) = &c.by {
                spans.push(Span::styled(
                    format!("  by {pid} {}", safe(command)),
                    theme.dim,
                ));
            }
            Line::from(spans)
        })
        .collect()
}

pub fn render(log: &ChangeLog, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    clear(area, buf);
    let lines = lines(log, theme);
    let visible = usize::from(area.height.saturating_sub(2));
    let max = lines.len().saturating_sub(visible);
    let scroll = usize::from(scroll).min(max);
    let position = if lines.len() > visible {
        format!(
            " {}–{} of {} ",
            scroll + 1,
            (scroll + visible).min(lines.len()),
            lines.len()
        )
    } else {
        String::new()
    };
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(Span::styled(TITLE, theme.title))
                .title_bottom(Line::styled(position, theme.dim).right_aligned())
                .border_style(theme.border_selected),
        )
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
        .render(area, buf);
}
