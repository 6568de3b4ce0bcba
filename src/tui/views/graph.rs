//! Draws the graph view from its state (tui/graph_view.rs): boxes and the lines between
//! them, through the pan offset; everything outside the pane is clipped.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Widget};

use crate::tui::graph_view::{GraphBox, GraphLayout, GraphState, MAX_ZOOM};
use crate::tui::theme::Theme;

/// Draws into `area` with the layout's point `pan` at the top-left corner; everything outside
/// is clipped.
struct Canvas<'a> {
    buf: &'a mut Buffer,
    area: Rect,
    pan: (i32, i32),
}

impl Canvas<'_> {
    fn put(&mut self, x: i32, y: i32, text: &str, style: Style) {
        let sy = y - self.pan.1;
        if sy < 0 || sy >= i32::from(self.area.height) {
            return;
        }
        for (i, ch) in text.chars().enumerate() {
            let sx = x + i as i32 - self.pan.0;
            if sx < 0 || sx >= i32::from(self.area.width) {
                continue;
            }
            let pos = (self.area.x + sx as u16, self.area.y + sy as u16);
            if let Some(cell) = self.buf.cell_mut(pos) {
                cell.set_char(ch).set_style(style);
            }
        }
    }
}

pub fn render(state: &GraphState, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let zoom = match state.zoom {
        _ if state.network => "network: veth pairs, w for owners".to_string(),
        None => format!("fit, detail {}", state.fit_level),
        Some(z) => format!("detail {z} of {MAX_ZOOM}"),
    };
    let layout = &state.layout;
    let block = Block::bordered()
        .title(Span::styled(format!(" Graph ({zoom}) "), theme.title))
        .title_bottom(
            ratatui::text::Line::styled(position(state, layout, area), theme.dim).right_aligned(),
        )
        .border_style(theme.border);
    let inner = block.inner(area);
    block.render(area, buf);
    if layout.boxes.is_empty() {
        buf.set_stringn(
            inner.x,
            inner.y,
            "nothing to show",
            usize::from(inner.width),
            theme.dim,
        );
        return;
    }
    let mut c = Canvas {
        buf,
        area: inner,
        pan: state.pan,
    };
    draw_links(&mut c, layout, theme);
    for b in &layout.boxes {
        let selected = state.selected == Some(b.key);
        let border = if selected {
            theme.border_selected
        } else {
            theme.border
        };
        // Without colours the selected box has a double border instead.
        draw_box(&mut c, b, border, theme, selected && !theme.colors);
    }
    // The links touch box borders: redraw the junctions on top.
    for b in &layout.boxes {
        if let Some(p) = b.parent {
            let pb = &layout.boxes[p];
            c.put(link_x(pb), pb.y + pb.h - 1, "┬", theme.border);
            c.put(link_x(b), b.y, "┴", theme.border);
        }
    }
}

/// " box 3/13 · more → ↓ ": which box is selected, and where the picture goes on beyond
/// the pane.
fn position(state: &GraphState, layout: &GraphLayout, area: Rect) -> String {
    let n = layout.boxes.len();
    if n == 0 {
        return String::new();
    }
    let i = layout
        .boxes
        .iter()
        .position(|b| Some(b.key) == state.selected)
        .map_or(0, |i| i + 1);
    let (w, h) = (
        i32::from(area.width.saturating_sub(2)),
        i32::from(area.height.saturating_sub(2)),
    );
    let (px, py) = state.pan;
    let mut more = String::new();
    for (cond, arrow) in [
        (px > 0, " ←"),
        (px + w < layout.width, " →"),
        (py > 0, " ↑"),
        (py + h < layout.height, " ↓"),
    ] {
        if cond {
            more.push_str(arrow);
        }
    }
    let hidden: usize = layout.boxes.iter().map(|b| b.more).sum();
    let mut text = format!(" box {i}/{n}");
    if hidden > 0 {
        text.push_str(&format!(" · {hidden} folded"));
    }
    if !more.is_empty() {
        text.push_str(&format!(" · more{more}"));
    }
    text.push(' ');
    text
}

/// Where links leave a box below and enter it from above: left of the title (at x + 2).
fn link_x(b: &GraphBox) -> i32 {
    b.x + 1
}

fn draw_box(c: &mut Canvas, b: &GraphBox, border: Style, theme: &Theme, double: bool) {
    let inner = (b.w - 2).max(0) as usize;
    let [tl, tr, bl, br, h, v] = if double {
        ["╔", "╗", "╚", "╝", "═", "║"]
    } else {
        ["┌", "┐", "└", "┘", "─", "│"]
    };
    c.put(b.x, b.y, &format!("{tl}{}{tr}", h.repeat(inner)), border);
    c.put(b.x + 2, b.y, &format!(" {} ", b.title), border);
    for (i, line) in b.lines.iter().enumerate() {
        let y = b.y + 1 + i as i32;
        c.put(b.x, y, &format!("{v}{}{v}", " ".repeat(inner)), border);
        let mut x = b.x + 2;
        if let Some(t) = line.badge {
            c.put(x, y, &format!("{:^6}", t.name()), theme.badge(t));
            x += 7;
        }
        let style = if line.differs {
            theme.differs
        } else {
            theme.text
        };
        c.put(x, y, &line.text, style);
    }
    c.put(
        b.x,
        b.y + b.h - 1,
        &format!("{bl}{}{br}", h.repeat(inner)),
        border,
    );
}

fn draw_links(c: &mut Canvas, layout: &GraphLayout, theme: &Theme) {
    for (p, pb) in layout.boxes.iter().enumerate() {
        let kids: Vec<&GraphBox> = layout
            .boxes
            .iter()
            .filter(|b| b.parent == Some(p))
            .collect();
        if kids.is_empty() {
            continue;
        }
        // Rows of children (wrapped ones hang below each other off the parent's line).
        let mut rows: Vec<i32> = kids.iter().map(|b| b.y).collect();
        rows.sort_unstable();
        rows.dedup();
        let pcx = link_x(pb);
        let last_bus = rows.last().map_or(pb.y + pb.h, |y| y - 2);
        for y in pb.y + pb.h..last_bus {
            c.put(pcx, y, "│", theme.border);
        }
        for (r, &top) in rows.iter().enumerate() {
            let bus = top - 2;
            let more_rows = r + 1 < rows.len();
            let xs: Vec<i32> = kids
                .iter()
                .filter(|b| b.y == top)
                .map(|b| link_x(b))
                .collect();
            let lo = xs.iter().copied().chain([pcx]).min().unwrap_or(pcx);
            let hi = xs.iter().copied().chain([pcx]).max().unwrap_or(pcx);
            for x in lo..=hi {
                let up = x == pcx;
                let down = xs.contains(&x) || (x == pcx && more_rows);
                let (l, r) = (x > lo, x < hi);
                let ch = match (l, r, up, down) {
                    (true, true, true, true) => "┼",
                    (true, true, true, false) => "┴",
                    (true, true, false, true) => "┬",
                    (true, true, false, false) => "─",
                    (false, true, true, true) => "├",
                    (false, true, true, false) => "└",
                    (false, true, false, _) => "┌",
                    (true, false, true, true) => "┤",
                    (true, false, true, false) => "┘",
                    (true, false, false, _) => "┐",
                    (false, false, _, _) => "│",
                };
                c.put(x, bus, ch, theme.border);
            }
            for &x in &xs {
                c.put(x, top - 1, "│", theme.border);
            }
            if more_rows {
                // The parent's line goes on down past this row to the next.
                for y in bus + 1..rows[r + 1] - 2 {
                    c.put(pcx, y, "│", theme.border);
                }
            }
        }
    }
}
