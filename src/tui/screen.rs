//! The whole screen: the app routes each part of it to the view that draws it, giving each
//! view its own state. The only place where the app and the drawing meet.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::app::App;
use super::keys::Scope;
use super::mode::{Overlay, View};
use super::theme::Theme;
use super::views::{
    MIN_HEIGHT, MIN_WIDTH, TABS, areas, centered, changelog, detail, dialog, explain, filter,
    graph, help, namespaces, popup_height, processes, safe, sandboxes, status,
};

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
        let filtered = !self.filter.is_empty();
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
                View::Namespaces => namespaces::render(
                    &self.tree,
                    &self.highlights,
                    &self.snapshot,
                    filtered,
                    a.main,
                    buf,
                    &theme,
                ),
                View::Processes => {
                    processes::render(&self.tree, &self.snapshot, filtered, a.main, buf, &theme)
                }
                View::Graph => graph::render(&self.graph, a.main, buf, &theme),
                View::Sandboxes => sandboxes::render(
                    &self.sandboxes,
                    &self.snapshot,
                    filtered,
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
        status::render(&status_of(self), a.status, buf, &theme);
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

/// What the status lines tell for the app as it is now.
fn status_of(app: &App) -> status::Status<'_> {
    status::Status {
        source: &app.source,
        snapshot: &app.snapshot,
        loading: app.loading,
        live: app.live,
        paused: app.paused,
        pace: app.pace,
        shown: app.shown(),
        error: app.error.as_deref(),
        message: app.message.as_deref(),
        filter_editing: app.filter_editing,
        scope: match app.view {
            _ if app.detail_focused() => Scope::Detail,
            View::Graph => Scope::Graph,
            View::Sandboxes => Scope::Everywhere,
            View::Namespaces | View::Processes => Scope::Trees,
        },
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
        let how = match app.tree.grouping {
            crate::graph::Hierarchy::Type => " by type",
            _ => " by owner",
        };
        spans.push(Span::styled(how, theme.dim));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    filter::render(&app.filter, app.filter_editing, area, buf, theme);
}
