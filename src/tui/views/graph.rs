//! The drawn picture: user namespaces as boxes, layered top to bottom by nesting, each listing
//! the namespaces it owns; child user namespaces hang below, linked by lines. The layout is a
//! pure function of (snapshot, owner forest, zoom) computed once per change; drawing only
//! copies it into the buffer through the pan offset.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Widget};

use super::safe;
use std::collections::HashSet;

use crate::graph::{NodeKey, TreeNode};
use crate::model::{NsType, Snapshot};
use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Zoom levels: 0 counts only, 1 lists owned namespaces, 2 adds what holds each.
pub const MAX_ZOOM: u8 = 2;
const GAP_X: i32 = 2;
/// Rows between layers, for the connecting lines.
const GAP_Y: i32 = 3;
const MAX_TEXT: usize = 44;

/// One line inside a box: an optional type badge, then text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoxLine {
    pub badge: Option<NsType>,
    pub text: String,
    pub differs: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphBox {
    /// The user namespace (or `Group(User)` for namespaces whose owner is unknown).
    pub key: NodeKey,
    pub title: String,
    pub lines: Vec<BoxLine>,
    /// Index of the parent box.
    pub parent: Option<usize>,
    pub depth: usize,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
    /// A "+N more" box standing for N children that do not fit (0: a real box). Its key is
    /// the first hidden child's, so the selection stays there once they are shown.
    pub more: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphLayout {
    /// Depth-first order: the order ↑/↓ walk through.
    pub boxes: Vec<GraphBox>,
    pub width: i32,
    pub height: i32,
}

fn text_width(s: &str) -> i32 {
    s.chars().count() as i32
}

fn clip(s: String) -> String {
    if s.chars().count() > MAX_TEXT {
        let mut t: String = s.chars().take(MAX_TEXT - 1).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Lays out the boxes for an owner-arranged forest (see `graph::Hierarchy::Owner`).
pub fn layout(snapshot: &Snapshot, forest: &[TreeNode], zoom: u8) -> GraphLayout {
    layout_within(snapshot, forest, zoom, None, &HashSet::new())
}

/// Like `layout`, but fitted to `room` (width, height) when given: children that do not fit
/// side by side wrap into rows below (indented, hanging off their parent's line), and those
/// that would still make the picture taller than the room stand behind one "+N more" box;
/// boxes whose keys are in `expanded` keep all their children.
pub fn layout_within(
    snapshot: &Snapshot,
    forest: &[TreeNode],
    zoom: u8,
    room: Option<(i32, i32)>,
    expanded: &HashSet<NodeKey>,
) -> GraphLayout {
    let mut boxes = Vec::new();
    let mut children: Vec<Vec<usize>> = Vec::new();
    let mut roots = Vec::new();
    let mut unowned = Vec::new();
    for node in forest {
        match node.key {
            NodeKey::Namespace(NsType::User, _) => roots.push(add_box(
                snapshot,
                node,
                None,
                0,
                zoom,
                &mut boxes,
                &mut children,
            )),
            _ => unowned.push(node),
        }
    }
    if !unowned.is_empty() {
        let mut lines = Vec::new();
        for node in unowned {
            collect_owned(snapshot, node, 0, zoom, &mut lines);
        }
        roots.push(push_box(
            &mut boxes,
            &mut children,
            NodeKey::Group(NsType::User),
            "owner unknown".into(),
            lines,
            None,
            0,
        ));
    }
    if let Some(room) = room {
        (boxes, children, roots) = collapse(boxes, &children, &roots, room, expanded);
        return wrapped(boxes, &children, &roots, room.0);
    }
    // Widths of subtrees, bottom-up (children come after parents in `boxes`).
    let mut sub = vec![0; boxes.len()];
    for i in (0..boxes.len()).rev() {
        let kids: i32 = children[i].iter().map(|&c| sub[c]).sum::<i32>()
            + GAP_X * (children[i].len() as i32 - 1).max(0);
        sub[i] = boxes[i].w.max(kids);
    }
    let max_depth = boxes.iter().map(|b| b.depth).max().unwrap_or(0);
    let mut layer_y = vec![0; max_depth + 2];
    for d in 0..=max_depth {
        let tallest = boxes
            .iter()
            .filter(|b| b.depth == d)
            .map(|b| b.h)
            .max()
            .unwrap_or(0);
        layer_y[d + 1] = layer_y[d] + tallest + GAP_Y;
    }
    let mut left = 0;
    for &r in &roots {
        place(r, left, &sub, &children, &layer_y, &mut boxes);
        left += sub[r] + GAP_X;
    }
    let width = boxes.iter().map(|b| b.x + b.w).max().unwrap_or(0);
    let height = boxes.iter().map(|b| b.y + b.h).max().unwrap_or(0);
    GraphLayout {
        boxes,
        width,
        height,
    }
}

/// The boxes again, in depth-first order, with the children that do not fit in `room`
/// replaced by one "+N more" box per parent.
fn collapse(
    boxes: Vec<GraphBox>,
    children: &[Vec<usize>],
    roots: &[usize],
    room: (i32, i32),
    expanded: &HashSet<NodeKey>,
) -> (Vec<GraphBox>, Vec<Vec<usize>>, Vec<usize>) {
    // Bottom-up: how many children each box keeps so that its subtree, wrapped into the
    // room's width, is no taller than the room; and that subtree's size.
    let (room_w, room_h) = room;
    let mut keep = vec![0; boxes.len()];
    let mut size = vec![(0, 0); boxes.len()];
    for i in (0..boxes.len()).rev() {
        let kids = &children[i];
        let own = (boxes[i].w, boxes[i].h);
        let block = |n: usize| -> (i32, i32) {
            let mut items: Vec<(i32, i32)> = kids[..n].iter().map(|&c| size[c]).collect();
            if n < kids.len() {
                items.push((more_width(kids.len() - n), 3));
            }
            let (_, w, h) = pack(&items, room_w);
            (own.0.max(w), own.1 + h)
        };
        let all = block(kids.len());
        let n = if expanded.contains(&boxes[i].key) || all.1 <= room_h {
            kids.len()
        } else {
            // The most children that still fit (taller with every child: bisect).
            let (mut lo, mut hi) = (0, kids.len());
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if block(mid).1 <= room_h {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            lo
        };
        keep[i] = n;
        size[i] = block(n);
    }
    let mut out = Vec::new();
    let mut out_children = Vec::new();
    let mut out_roots = Vec::new();
    fn copy(
        i: usize,
        parent: Option<usize>,
        boxes: &[GraphBox],
        children: &[Vec<usize>],
        keep: &[usize],
        out: &mut Vec<GraphBox>,
        out_children: &mut Vec<Vec<usize>>,
    ) -> usize {
        let mut b = boxes[i].clone();
        b.parent = parent;
        out.push(b);
        out_children.push(Vec::new());
        let me = out.len() - 1;
        if let Some(p) = parent {
            out_children[p].push(me);
        }
        let kids = &children[i];
        for &c in &kids[..keep[i]] {
            copy(c, Some(me), boxes, children, keep, out, out_children);
        }
        if keep[i] < kids.len() {
            let hidden = kids.len() - keep[i];
            let first = &boxes[kids[keep[i]]];
            out.push(GraphBox {
                key: first.key,
                title: format!("+{hidden} more"),
                lines: vec![BoxLine {
                    badge: None,
                    text: "Enter shows them".into(),
                    differs: false,
                }],
                parent: Some(me),
                depth: first.depth,
                x: 0,
                y: 0,
                w: more_width(hidden),
                h: 3,
                more: hidden,
            });
            out_children.push(Vec::new());
            let m = out.len() - 1;
            out_children[me].push(m);
        }
        me
    }
    for &r in roots {
        out_roots.push(copy(
            r,
            None,
            &boxes,
            children,
            &keep,
            &mut out,
            &mut out_children,
        ));
    }
    (out, out_children, out_roots)
}

/// How far wrapped children sit right of their parent: its line runs down the gap.
const WRAP_INDENT: i32 = 2;

/// Children of sizes `items` in rows: all side by side when they fit in `room` columns, else
/// wrapped into rows `WRAP_INDENT` to the right. Returns the rows (indices into `items`),
/// the block's width and its height (with the gaps above each row).
fn pack(items: &[(i32, i32)], room: i32) -> (Vec<Vec<usize>>, i32, i32) {
    if items.is_empty() {
        return (Vec::new(), 0, 0);
    }
    let one_row: i32 = items.iter().map(|i| i.0).sum::<i32>() + GAP_X * (items.len() as i32 - 1);
    let (indent, room) = if one_row <= room {
        (0, room)
    } else {
        (WRAP_INDENT, room - WRAP_INDENT)
    };
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut x = 0;
    for (i, &(w, _)) in items.iter().enumerate() {
        let row = rows.last_mut().expect("rows start with one");
        if !row.is_empty() && x + GAP_X + w > room {
            rows.push(vec![i]);
            x = w;
        } else {
            x += if row.is_empty() { w } else { GAP_X + w };
            row.push(i);
        }
    }
    let width = rows
        .iter()
        .map(|r| r.iter().map(|&i| items[i].0).sum::<i32>() + GAP_X * (r.len() as i32 - 1))
        .max()
        .unwrap_or(0)
        + indent;
    let height = rows
        .iter()
        .map(|r| GAP_Y + r.iter().map(|&i| items[i].1).max().unwrap_or(0))
        .sum();
    (rows, width, height)
}

/// Places a (folded) forest with wrapped rows of children, in `room` columns.
pub(crate) fn wrapped(
    mut boxes: Vec<GraphBox>,
    children: &[Vec<usize>],
    roots: &[usize],
    room: i32,
) -> GraphLayout {
    let mut size = vec![(0, 0); boxes.len()];
    for i in (0..boxes.len()).rev() {
        let items: Vec<(i32, i32)> = children[i].iter().map(|&c| size[c]).collect();
        let (_, w, h) = pack(&items, room);
        size[i] = (boxes[i].w.max(w), boxes[i].h + h);
    }
    fn put(
        i: usize,
        x: i32,
        y: i32,
        room: i32,
        size: &[(i32, i32)],
        children: &[Vec<usize>],
        boxes: &mut [GraphBox],
    ) {
        boxes[i].x = x;
        boxes[i].y = y;
        let kids = &children[i];
        let items: Vec<(i32, i32)> = kids.iter().map(|&c| size[c]).collect();
        let (rows, _, _) = pack(&items, room);
        let indent = if rows.len() > 1 { WRAP_INDENT } else { 0 };
        let mut row_y = y + boxes[i].h + GAP_Y;
        for row in rows {
            let mut cx = x + indent;
            let mut tallest = 0;
            for k in row {
                let c = kids[k];
                put(c, cx, row_y, room, size, children, boxes);
                cx += size[c].0 + GAP_X;
                tallest = tallest.max(size[c].1);
            }
            row_y += tallest + GAP_Y;
        }
    }
    // Roots side by side, wrapping into rows too (no line joins them).
    let items: Vec<(i32, i32)> = roots.iter().map(|&r| size[r]).collect();
    let (rows, _, _) = pack(&items, room);
    let mut y = 0;
    for row in rows {
        let mut left = 0;
        let mut tallest = 0;
        for k in row {
            let r = roots[k];
            put(r, left, y, room, &size, children, &mut boxes);
            left += size[r].0 + GAP_X;
            tallest = tallest.max(size[r].1);
        }
        y += tallest + 1;
    }
    let width = boxes.iter().map(|b| b.x + b.w).max().unwrap_or(0);
    let height = boxes.iter().map(|b| b.y + b.h).max().unwrap_or(0);
    GraphLayout {
        boxes,
        width,
        height,
    }
}

/// The width of a "+N more" box.
fn more_width(hidden: usize) -> i32 {
    let title = text_width(&format!("+{hidden} more")) + 2;
    title.max(text_width("Enter shows them")) + 4
}

fn place(
    i: usize,
    left: i32,
    sub: &[i32],
    children: &[Vec<usize>],
    layer_y: &[i32],
    boxes: &mut [GraphBox],
) {
    // Left-aligned, like an org chart with a spine: a parent and its first child share their
    // left edge, so chains of single children are straight lines.
    boxes[i].x = left;
    boxes[i].y = layer_y[boxes[i].depth];
    let mut x = left;
    for &c in &children[i] {
        place(c, x, sub, children, layer_y, boxes);
        x += sub[c] + GAP_X;
    }
}

fn push_box(
    boxes: &mut Vec<GraphBox>,
    children: &mut Vec<Vec<usize>>,
    key: NodeKey,
    title: String,
    lines: Vec<BoxLine>,
    parent: Option<usize>,
    depth: usize,
) -> usize {
    let inner = lines
        .iter()
        .map(|l| text_width(&l.text) + if l.badge.is_some() { 7 } else { 0 })
        .chain([text_width(&title) + 2])
        .max()
        .unwrap_or(0);
    let h = lines.len() as i32 + 2;
    boxes.push(GraphBox {
        key,
        title,
        lines,
        parent,
        depth,
        x: 0,
        y: 0,
        w: inner + 4,
        h,
        more: 0,
    });
    children.push(Vec::new());
    let i = boxes.len() - 1;
    if let Some(p) = parent {
        children[p].push(i);
    }
    i
}

fn add_box(
    snapshot: &Snapshot,
    node: &TreeNode,
    parent: Option<usize>,
    depth: usize,
    zoom: u8,
    boxes: &mut Vec<GraphBox>,
    children: &mut Vec<Vec<usize>>,
) -> usize {
    let id = match node.key {
        NodeKey::Namespace(_, id) => id,
        _ => 0,
    };
    let ns = snapshot.namespace(NsType::User, id);
    let mut title = format!("user {id}");
    if let Some(uid) = ns.and_then(|n| n.owner_uid) {
        title.push_str(&format!(" uid {uid}"));
    }
    if snapshot.differs_from_initial(NsType::User, id) {
        title.push_str(" ◆");
    }
    let mut lines = Vec::new();
    if let Some(ns) = ns {
        // Whose it is, and who root inside is: what a box is recognised by.
        if !ns.label.is_empty() && snapshot.differs_from_initial(NsType::User, id) {
            lines.push(BoxLine {
                badge: None,
                text: clip(safe(&ns.label)),
                differs: true,
            });
        }
        let brief = crate::describe::brief(ns);
        if !brief.is_empty() && zoom >= 1 {
            lines.push(BoxLine {
                badge: None,
                text: clip(safe(&brief)),
                differs: false,
            });
        }
        let text = if zoom >= 2 {
            snapshot.holder_summary(ns)
        } else {
            let n = ns.processes.len();
            if ns.is_hidden() {
                "no process left".to_string()
            } else {
                format!("{n} process{}", if n == 1 { "" } else { "es" })
            }
        };
        lines.push(BoxLine {
            badge: None,
            text: clip(safe(&text)),
            differs: false,
        });
    }
    let mut owned = Vec::new();
    for child in &node.children {
        if !matches!(child.key, NodeKey::Namespace(NsType::User, _)) {
            collect_owned(snapshot, child, 0, zoom, &mut owned);
        }
    }
    if zoom == 0 {
        if !owned.is_empty() {
            lines.push(BoxLine {
                badge: None,
                text: format!("owns {} namespaces", owned.len()),
                differs: false,
            });
        }
    } else {
        lines.extend(owned);
    }
    let me = push_box(boxes, children, node.key, title, lines, parent, depth);
    for child in &node.children {
        if matches!(child.key, NodeKey::Namespace(NsType::User, _)) {
            add_box(snapshot, child, Some(me), depth + 1, zoom, boxes, children);
        }
    }
    me
}

/// Lines for an owned namespace and its nested (pid) children, indented.
fn collect_owned(
    snapshot: &Snapshot,
    node: &TreeNode,
    indent: usize,
    zoom: u8,
    out: &mut Vec<BoxLine>,
) {
    let NodeKey::Namespace(t, id) = node.key else {
        return;
    };
    let mut text = format!("{}{id}", " ".repeat(indent));
    if let Some(ns) = snapshot.namespace(t, id) {
        // Its key detail (hostname, addresses, mounts), else its label where it has its own.
        let brief = crate::describe::brief(ns);
        if !brief.is_empty() {
            text.push(' ');
            text.push_str(&safe(&brief));
        } else if zoom >= 2 && ns.label != "host" {
            text.push(' ');
            text.push_str(&safe(&ns.label));
        }
        if zoom >= 2 {
            text.push_str(" · ");
            text.push_str(&safe(&snapshot.holder_summary(ns)));
        }
    }
    out.push(BoxLine {
        badge: Some(t),
        text: clip(text),
        differs: snapshot.differs_from_initial(t, id),
    });
    for child in &node.children {
        if !matches!(child.key, NodeKey::Namespace(NsType::User, _)) {
            collect_owned(snapshot, child, indent + 1, zoom, out);
        }
    }
}

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

pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let zoom = match app.graph.zoom {
        _ if app.graph.network => "network: veth pairs, w for owners".to_string(),
        None => format!("fit, detail {}", app.graph.fit_level),
        Some(z) => format!("detail {z} of {MAX_ZOOM}"),
    };
    let layout = &app.graph_layout;
    let block = Block::bordered()
        .title(Span::styled(format!(" Graph ({zoom}) "), theme.title))
        .title_bottom(
            ratatui::text::Line::styled(position(app, layout, area), theme.dim).right_aligned(),
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
        pan: app.graph.pan,
    };
    draw_links(&mut c, layout, theme);
    for b in &layout.boxes {
        let selected = app.graph.selected == Some(b.key);
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
fn position(app: &App, layout: &GraphLayout, area: Rect) -> String {
    let n = layout.boxes.len();
    if n == 0 {
        return String::new();
    }
    let i = layout
        .boxes
        .iter()
        .position(|b| Some(b.key) == app.graph.selected)
        .map_or(0, |i| i + 1);
    let (w, h) = (
        i32::from(area.width.saturating_sub(2)),
        i32::from(area.height.saturating_sub(2)),
    );
    let (px, py) = app.graph.pan;
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
