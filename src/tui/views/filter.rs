//! The filter line, at the right of the tab line while typing or while a filter is set.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::safe;
use crate::tui::theme::Theme;

/// The filter at the header's right end: `text`, with a cursor while it is `editing`.
pub fn render(text: &str, editing: bool, area: Rect, buf: &mut Buffer, theme: &Theme) {
    if editing || !text.is_empty() {
        let cursor = if editing { "▏" } else { "" };
        let text = format!(" /{}{cursor} ", safe(text));
        let w = (text.chars().count() as u16).min(area.width / 2);
        let x = area.x + area.width - w;
        buf.set_stringn(x, area.y, &text, usize::from(w), theme.filter);
    }
}
