//! Drawing, one module per view, each from its own state (the tree views from `tree::Trees`,
//! the graph from `GraphState`, ...). Nothing here knows the app: `screen` gathers each
//! view's state and calls these.

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
use ratatui::widgets::{Block, Clear, Widget};

use super::mode::View;
use super::theme::Theme;
use super::tree::{Row, TreeState, Trees};
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

pub const TABS: [(View, &str); 4] = [
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

/// The height of the help and explain overlays on a screen of this size.
pub fn popup_height(screen: Rect) -> u16 {
    screen.height.saturating_sub(2)
}

/// A rectangle of at most `width` x `height` in the middle of `area`, cleared.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
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

/// A tree list to draw: the rows, the tree whose selection and scroll apply, whether a
/// filter is set (to say why nothing shows), and the title.
pub struct Rows<'a> {
    pub trees: &'a Trees,
    pub state: &'a TreeState,
    pub filtered: bool,
    pub title: String,
}

/// Draws the rows of a tree list: `line_of` makes the text of one row.
pub fn render_rows(
    list: &Rows,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    line_of: &dyn Fn(&Row) -> Line<'static>,
) {
    let rows = &list.trees.rows;
    let offset = list.state.offset;
    let block = Block::bordered()
        .title(Span::styled(list.title.clone(), theme.title))
        .border_style(theme.border);
    let inner = block.inner(area);
    block.render(area, buf);
    if rows.is_empty() {
        let text = if list.filtered {
            "nothing matches the filter (c clears it)"
        } else {
            "nothing to show"
        };
        buf.set_stringn(inner.x, inner.y, text, usize::from(inner.width), theme.dim);
        return;
    }
    let selected = list.trees.selected_index(list.state);
    for (i, row) in rows
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
    if rows.len() > usize::from(inner.height) {
        let pos = format!(" {}/{} ", selected.map_or(0, |s| s + 1), rows.len());
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
