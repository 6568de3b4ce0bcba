//! Rendering: a pure function of the app state (`impl Widget for &App`).

pub mod changelog;
pub mod detail;
pub mod dialog;
pub mod explain;
pub mod filter;
pub mod graph;
pub mod help;
pub mod namespaces;
pub mod processes;
pub mod sandboxes;
pub mod status;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::app::{App, Overlay, View};
use super::theme::Theme;
use crate::sanitize::for_terminal;

/// Below this the viewer says so instead of drawing a cramped picture.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// The screen's parts; clicks and page sizes use the same arithmetic as drawing.
#[derive(Clone, Copy, Debug)]
pub struct Areas {
    pub header: Rect,
    pub main: Rect,
    pub detail: Rect,
    pub status: Rect,
}

/// How much room the detail pane takes (`d` cycles through them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DetailPane {
    /// 48 columns from 120 up, else two fifths of the width.
    #[default]
    Normal,
    /// Three fifths of the width.
    Wide,
    Hidden,
}

pub fn areas(area: Rect, pane: DetailPane) -> Areas {
    let [header, middle, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area);
    let detail_width = match pane {
        DetailPane::Hidden => 0,
        DetailPane::Wide => area.width * 3 / 5,
        DetailPane::Normal if area.width >= 120 => 48,
        DetailPane::Normal => (area.width * 2 / 5).max(24),
    };
    let [main, detail] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(detail_width)]).areas(middle);
    Areas {
        header,
        main,
        detail,
        status,
    }
}

const TABS: [(View, &str); 4] = [
    (View::Namespaces, " 1 Namespaces "),
    (View::Processes, " 2 Processes "),
    (View::Graph, " 3 Graph "),
    (View::Sandboxes, " 4 Sandboxes "),
];

/// The view whose tab is at this column of the header.
pub fn tab_at(column: u16) -> Option<View> {
    let mut x = 0u16;
    for (view, label) in TABS {
        let w = label.chars().count() as u16;
        if column >= x && column < x + w {
            return Some(view);
        }
        x += w + 1;
    }
    None
}

/// Untrusted text made safe for the terminal, as an owned span.
pub fn safe(text: &str) -> String {
    for_terminal(text).into_owned()
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = Theme::new(self.colors);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let text = format!(
                "The terminal is too small for nsviz: it needs {MIN_WIDTH}x{MIN_HEIGHT}, this one is {}x{}. Enlarge it or press q.",
                area.width, area.height
            );
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(theme.differs)
                .render(area, buf);
            return;
        }
        let a = areas(area, self.detail_pane);
        render_header(self, a.header, buf, &theme);
        if self.loading {
            let text = match &self.error {
                Some(e) => format!("No snapshot: {}", safe(e)),
                None => "scanning…".to_string(),
            };
            Paragraph::new(text)
                .block(Block::bordered().border_style(theme.border))
                .render(a.main, buf);
        } else {
            match self.view {
                View::Namespaces => namespaces::render(self, a.main, buf, &theme),
                View::Processes => processes::render(self, a.main, buf, &theme),
                View::Graph => graph::render(&self.graph, a.main, buf, &theme),
                View::Sandboxes => sandboxes::render(
                    &self.sandboxes,
                    &self.snapshot,
                    !self.filter.is_empty(),
                    a.main,
                    buf,
                    &theme,
                ),
            }
        }
        if a.detail.width > 0 {
            detail::render(
                self.detail_subject(),
                self.loading,
                &self.detail,
                a.detail,
                buf,
                &theme,
            );
        }
        status::render(self, a.status, buf, &theme);
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help { scroll } => {
                let popup = centered(area, 78, popup_height(area));
                help::render_help(popup, buf, &theme, *scroll);
            }
            Overlay::Changes { scroll } => {
                let popup = centered(
                    area,
                    area.width.saturating_sub(4).min(110),
                    popup_height(area),
                );
                changelog::render(&self.changes, popup, buf, &theme, *scroll);
            }
            Overlay::Explain { ns_type, scroll } => {
                let popup = centered(area, 78, popup_height(area));
                explain::render(*ns_type, popup, buf, &theme, *scroll);
            }
        }
        if let Some(d) = &self.dialog {
            dialog::render(d, area, buf, &theme);
        }
    }
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut spans = Vec::new();
    for (view, label) in TABS {
        let active = view == app.view;
        let style = if active { theme.tab_active } else { theme.tab };
        if active && !theme.colors {
            // Brackets in place of the label's padding: the active tab without colour.
            let inner = label.trim();
            spans.push(Span::styled(format!("[{inner}]"), style));
        } else {
            spans.push(Span::styled(label, style));
        }
        spans.push(Span::raw(" "));
    }
    if app.view == View::Namespaces {
        let how = match app.grouping {
            crate::graph::Hierarchy::Type => " by type",
            _ => " by owner",
        };
        spans.push(Span::styled(how, theme.dim));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    filter::render(app, area, buf, theme);
}

/// The height of the help and explain overlays on a screen of this size.
pub fn popup_height(screen: Rect) -> u16 {
    screen.height.saturating_sub(2)
}

/// A rectangle of at most `width` x `height` in the middle of `area`, cleared.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears a popup's area before drawing it.
pub fn clear(area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
}

/// Draws the rows of a tree list: `line_of` makes the text of one row.
pub fn render_rows(
    app: &App,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    title: String,
    offset: usize,
    line_of: &dyn Fn(&super::app::Row) -> Line<'static>,
) {
    let block = Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(theme.border);
    let inner = block.inner(area);
    block.render(area, buf);
    if app.rows.is_empty() {
        let text = if app.filter.is_empty() {
            "nothing to show"
        } else {
            "nothing matches the filter (c clears it)"
        };
        buf.set_stringn(inner.x, inner.y, text, usize::from(inner.width), theme.dim);
        return;
    }
    let selected = app.selected_index();
    for (i, row) in app
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(usize::from(inner.height))
    {
        let y = inner.y + (i - offset) as u16;
        let mut line = line_of(row);
        if !row.matched {
            // Kept only to show where a match sits.
            line = line.patch_style(theme.dim);
        }
        buf.set_line(inner.x, y, &line, inner.width);
        if Some(i) == selected {
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), theme.selected);
            if !theme.colors {
                // A marker on the border: the selection without colour or reverse video.
                buf.set_string(area.x, y, "▶", theme.selected);
            }
        }
    }
    if app.rows.len() > usize::from(inner.height) {
        let pos = format!(" {}/{} ", selected.map_or(0, |s| s + 1), app.rows.len());
        let w = pos.chars().count() as u16;
        if area.width > w + 2 {
            buf.set_string(
                area.x + area.width - w - 1,
                area.y + area.height - 1,
                pos,
                theme.dim,
            );
        }
    }
}
