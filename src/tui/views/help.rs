//! The key help overlay, built from the key table, then what no key table says: the mouse,
//! snapshot files, the filter's syntax and the marks.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::clear;
use crate::tui::keys::{Scope, all_bindings, keys_label};
use crate::tui::theme::Theme;

/// Title of the help overlay: the keys that work in it, and nothing else.
pub const TITLE: &str = " Keys · ↑↓ PgUp PgDn Home End scroll · Esc, q or ? closes ";

const NOTES: &[(&str, &[&str])] = &[
    (
        "Mouse",
        &[
            "  click          select a row, a graph box or a tab; in the details,",
            "                 pick a holder (a second click jumps to it)",
            "  wheel          move the selection (graph: pan; overlays: scroll)",
        ],
    ),
    (
        "Snapshot files (nsviz --from FILE)",
        &[
            "  read-only: enter, spawn, delete and pause need a live host",
            "  the footer lists only the keys that work",
        ],
    ),
    (
        "Filter (/)",
        &[
            "  words, all of which must match what a row shows: command, label,",
            "  hostname, address, container, mount, pid, user, inode, and what",
            "  holds it (hidden, fd, mounted, thread)",
            "  type:net (type:user, ...) keeps namespaces of that type; in the",
            "  process tree, processes that differ from the host in it",
            "  the selection moves to the first match; Enter keeps the filter,",
            "  Esc or c clears it",
        ],
    ),
    (
        "Marks",
        &[
            "  ◆              differs from the host's initial namespace",
            "  new / gone     appeared or vanished in the last 10 s (fades after 5 s);",
            "                 n lists every change of the session, N jumps to the newest",
            "  UmpnuiCT       process cells: user mnt pid net uts ipc cgroup time;",
            "                 · as the host, letter: differs, filled: differs from parent",
            "  ▶ [1 ...]      selection and active tab without colours (NO_COLOR)",
        ],
    ),
];

/// Room for a binding's text in the 78-column popup, after its borders and the keys column.
const HELP_TEXT_WIDTH: usize = 60;

/// `text` in lines of at most `width` characters, broken between words.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

pub fn help_lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for scope in [
        Scope::Everywhere,
        Scope::Trees,
        Scope::Graph,
        Scope::Detail,
        Scope::Dialog,
    ] {
        lines.push(Line::styled(scope.title().to_string(), theme.heading));
        for b in all_bindings().filter(|b| b.scope == scope) {
            // Long texts go on under themselves rather than past the popup's edge.
            for (i, part) in wrap_words(b.help, HELP_TEXT_WIDTH).into_iter().enumerate() {
                let keys = if i == 0 { keys_label(b) } else { String::new() };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<14}"), theme.key),
                    Span::raw(part),
                ]));
            }
        }
    }
    for (heading, notes) in NOTES {
        lines.push(Line::styled(heading.to_string(), theme.heading));
        lines.extend(notes.iter().map(|n| Line::raw(n.to_string())));
    }
    lines
}

/// How many lines the help has (the same for every theme).
pub fn line_count() -> usize {
    help_lines(&Theme::default()).len()
}

/// The furthest the help scrolls in a popup of this height (borders included).
pub fn max_scroll(popup_height: u16) -> u16 {
    let visible = usize::from(popup_height.saturating_sub(2));
    u16::try_from(line_count().saturating_sub(visible)).unwrap_or(u16::MAX)
}

pub fn render_help(area: Rect, buf: &mut Buffer, theme: &Theme, scroll: u16) {
    clear(area, buf);
    let lines = help_lines(theme);
    let total = lines.len();
    let scroll = scroll.min(max_scroll(area.height));
    let visible = usize::from(area.height.saturating_sub(2));
    let first = usize::from(scroll) + 1;
    let last = (usize::from(scroll) + visible).min(total);
    let position = if total > visible {
        let more = if last < total { " ↓ more" } else { "" };
        format!(" lines {first}–{last} of {total}{more} ")
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
        .scroll((scroll, 0))
        .render(area, buf);
}
