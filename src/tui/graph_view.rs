//! The graph view's state: the layout of its boxes (a pure function of the snapshot, the
//! owner forest and the zoom, computed once per change), the selection, pan and zoom. User
//! namespaces are boxes, layered top to bottom by nesting, each listing the namespaces it
//! owns; child user namespaces hang below. views/graph.rs draws from this state alone.

use std::collections::HashSet;

use ratatui::layout::Rect;

use crate::graph::{NodeKey, TreeNode};
use crate::model::{NsType, Snapshot};

/// Untrusted text made safe for the terminal.
fn safe(text: &str) -> String {
    crate::sanitize::for_terminal(text).into_owned()
}

#[derive(Clone, Debug, Default)]
pub struct GraphState {
    pub selected: Option<NodeKey>,
    /// Top-left of the viewport in layout coordinates.
    pub pan: (i32, i32),
    /// None: pick the most detailed level that fits.
    pub zoom: Option<u8>,
    /// The level "fit" picked: `+` and `-` step from it.
    pub fit_level: u8,
    /// Boxes whose "+N more" was opened: they show all their children.
    pub expanded: HashSet<NodeKey>,
    /// Network mode: network namespaces linked by veth pairs instead of user namespaces.
    pub network: bool,
    /// Rebuilt when the snapshot, the filter, the zoom or the mode change, never per frame.
    pub layout: GraphLayout,
}

impl GraphState {
    /// The zoom level shown: the one asked for, else the one fit picked.
    pub fn zoom_level(&self) -> u8 {
        self.zoom.unwrap_or(self.fit_level)
    }

    /// Lays out `forest` (the owner forest, filtered) for a pane of `area`: at the zoom asked
    /// for, else the most detail that fits. The selection stays on its box, else the first.
    pub fn rebuild(&mut self, snapshot: &Snapshot, forest: &[TreeNode], area: Rect) {
        self.layout = layout(snapshot, forest, self.zoom_level());
        if self.zoom.is_none() {
            self.fit(snapshot, forest, area);
        }
        self.keep_selection(area);
    }

    /// Network mode's layout for a pane of `area`.
    pub fn rebuild_network(&mut self, snapshot: &Snapshot, area: Rect) {
        let room = i32::from(area.width.saturating_sub(2));
        self.layout = super::netgraph::layout(snapshot, room);
        self.keep_selection(area);
    }

    fn keep_selection(&mut self, area: Rect) {
        let keys: Vec<NodeKey> = self.layout.boxes.iter().map(|b| b.key).collect();
        if !self.selected.is_some_and(|s| keys.contains(&s)) {
            self.selected = keys.first().copied();
        }
        self.pan_to_selected(area);
    }

    /// Picks the most detailed zoom level whose layout fits `area`; when even the least
    /// detailed is too wide, children that do not fit fold into "+N more" boxes.
    fn fit(&mut self, snapshot: &Snapshot, forest: &[TreeNode], area: Rect) {
        // Inside the pane's border.
        let (w, h) = (
            i32::from(area.width.saturating_sub(2)),
            i32::from(area.height.saturating_sub(2)),
        );
        // The most detail that fits: as laid out, else wrapped into rows without folding
        // anything; failing both, the least detail, wrapped and folded.
        let mut fitted = None;
        for level in (0..=MAX_ZOOM).rev() {
            let plain = layout(snapshot, forest, level);
            if plain.width <= w && plain.height <= h {
                fitted = Some((level, plain));
                break;
            }
            let wrapped = layout_within(snapshot, forest, level, Some((w, h)), &self.expanded);
            if wrapped.height <= h && wrapped.boxes.iter().all(|b| b.more == 0) {
                fitted = Some((level, wrapped));
                break;
            }
        }
        let (level, fitted) = fitted.unwrap_or_else(|| {
            let folded = layout_within(snapshot, forest, 0, Some((w, h)), &self.expanded);
            (0, folded)
        });
        self.fit_level = level;
        self.layout = fitted;
        self.pan = (0, 0);
    }

    /// Pans so that the selected box is in a pane of `area`.
    pub fn pan_to_selected(&mut self, area: Rect) {
        let Some(b) = self
            .layout
            .boxes
            .iter()
            .find(|b| Some(b.key) == self.selected)
        else {
            return;
        };
        let (w, h) = (i32::from(area.width), i32::from(area.height));
        let (px, py) = &mut self.pan;
        if b.x < *px || b.x + b.w > *px + w {
            *px = (b.x + b.w / 2 - w / 2).max(0);
        }
        if b.y < *py || b.y + b.h > *py + h {
            *py = (b.y - 1).max(0);
        }
    }

    /// Pans by (dx, dy), keeping at least half a pane of `area` of the layout in view.
    pub fn pan_by(&mut self, dx: i32, dy: i32, area: Rect) {
        let max_x = (self.layout.width - i32::from(area.width) / 2).max(0);
        let max_y = (self.layout.height - i32::from(area.height) / 2).max(0);
        self.pan.0 = (self.pan.0 + dx).clamp(0, max_x);
        self.pan.1 = (self.pan.1 + dy).clamp(0, max_y);
    }

    /// Selects the box `delta` places away in walking order.
    pub fn move_by(&mut self, delta: isize, area: Rect) {
        let keys: Vec<NodeKey> = self.layout.boxes.iter().map(|b| b.key).collect();
        if keys.is_empty() {
            return;
        }
        let i = keys
            .iter()
            .position(|k| Some(*k) == self.selected)
            .unwrap_or(0);
        let j = (i as isize)
            .saturating_add(delta)
            .clamp(0, keys.len() as isize - 1);
        self.selected = keys.get(j as usize).copied();
        self.pan_to_selected(area);
    }

    /// On a "+N more" box: its parent will show all its children (true; the layout must be
    /// rebuilt). False elsewhere.
    pub fn open_more(&mut self) -> bool {
        let sel = self.selected;
        let Some(b) = self
            .layout
            .boxes
            .iter()
            .find(|b| Some(b.key) == sel && b.more > 0)
        else {
            return false;
        };
        if let Some(p) = b.parent {
            let parent = self.layout.boxes[p].key;
            self.expanded.insert(parent);
        }
        true
    }

    /// The selected box's parent box.
    pub fn parent_of_selected(&self) -> Option<NodeKey> {
        let sel = self.selected?;
        self.layout
            .boxes
            .iter()
            .find(|b| b.key == sel)
            .and_then(|b| b.parent)
            .map(|p| self.layout.boxes[p].key)
    }

    /// The selected box's first child box.
    pub fn first_child_of_selected(&self) -> Option<NodeKey> {
        let i = self
            .layout
            .boxes
            .iter()
            .position(|b| Some(b.key) == self.selected);
        self.layout
            .boxes
            .iter()
            .find(|b| b.parent.is_some() && b.parent == i)
            .map(|b| b.key)
    }

    /// The box at (x, y) of the layout.
    pub fn box_at(&self, x: i32, y: i32) -> Option<NodeKey> {
        self.layout
            .boxes
            .iter()
            .find(|b| x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h)
            .map(|b| b.key)
    }
}

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
