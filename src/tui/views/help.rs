//! The key help overlay, built from the key table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::clear;
use crate::tui::keys::{Scope, all_bindings, keys_label};
use crate::tui::theme::Theme;

pub fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for scope in [Scope::Everywhere, Scope::Trees, Scope::Graph, Scope::Dialog] {
        lines.push(Line::styled(scope.title().to_string(), theme.heading));
        for b in all_bindings().filter(|b| b.scope == scope) {
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
