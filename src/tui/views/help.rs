//! Overlays: the key help (built from the key table) and the explanation of a namespace type.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::clear;
use crate::model::NsType;
use crate::tui::explain;
use crate::tui::keys::{BINDINGS, Scope, keys_label};
use crate::tui::theme::Theme;

pub fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for scope in [Scope::Everywhere, Scope::Trees, Scope::Graph] {
        lines.push(Line::styled(scope.title().to_string(), theme.heading));
        for b in BINDINGS.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<14}", keys_label(b)), theme.key),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::styled("Marks", theme.heading));
    lines.push(Line::raw(
        "  ◆              differs from the host's initial namespace",
    ));
    lines.push(Line::raw(
        "  new / gone     appeared or vanished in the last scan",
    ));
    lines.push(Line::raw(
        "  UmpnuiCT       process cells: user mnt pid net uts ipc cgroup time;",
    ));
    lines.push(Line::raw(
        "                 · as the host, letter: differs, filled: differs from parent",
    ));
    lines
}

pub fn render_help(area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    clear(area, buf);
    Paragraph::new(help_lines(theme))
        .block(
            Block::bordered()
                .title(Span::styled(" Keys (any other key closes) ", theme.title))
                .border_style(theme.border_selected),
        )
        .scroll((scroll, 0))
        .render(area, buf);
}

pub fn render_explain(t: NsType, area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
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
                    format!(" The {} namespace (any other key closes) ", t.long_name()),
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
