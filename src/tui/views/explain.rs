//! The explanation overlay of a namespace type (texts from assets/explain/).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::clear;
use crate::model::NsType;
use crate::tui::explain;
use crate::tui::theme::Theme;

pub fn render(t: NsType, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    clear(area, buf);
    let lines: Vec<Line> = reflow(explain::text(t))
        .into_iter()
        .map(|(heading, text)| {
            if heading {
                Line::styled(text, theme.heading)
            } else {
                Line::raw(text)
            }
        })
        .collect();
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(Span::styled(
                    format!(
                        " The {} namespace · ↑↓ PgUp PgDn scroll · Esc, q or i closes ",
                        t.long_name()
                    ),
                    theme.title,
                ))
                .border_style(theme.border_selected),
        )
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(area, buf);
}

/// Markdown paragraphs joined into one line each (the widget wraps them to the width);
/// headings marked; indented code lines and blank lines kept as they are.
pub fn reflow(markdown: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut in_paragraph = false;
    for line in markdown.lines() {
        if let Some(h) = line.strip_prefix("# ").or_else(|| line.strip_prefix("## ")) {
            out.push((true, h.to_string()));
            in_paragraph = false;
        } else if line.trim().is_empty() || line.starts_with("    ") {
            out.push((false, line.to_string()));
            in_paragraph = false;
        } else if in_paragraph && let Some((_, last)) = out.last_mut() {
            last.push(' ');
            last.push_str(line.trim());
        } else {
            out.push((false, line.to_string()));
            in_paragraph = !line.starts_with("- ");
        }
    }
    out
}
