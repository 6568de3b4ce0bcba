//! The filter line, at the right of the tab line while typing or while a filter is set.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::safe;
use crate::tui::app::App;
use crate::tui::theme::Theme;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if app.filter_editing || !app.filter.is_empty() {
        let cursor = if app.filter_editing { "▏" } else { "" };
        let text = format!(" /{}{cursor} ", safe(&app.filter));
        let w = (text.chars().count() as u16).min(area.width / 2);
        let x = area.x + area.width - w;
        buf.set_stringn(x, area.y, &text, usize::from(w), theme.filter);
    }
}
