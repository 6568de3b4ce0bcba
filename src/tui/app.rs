//! The viewer's state and what each action does to it. No terminal here: tests drive an `App`
//! with actions and snapshots, and rendering (views/) is a pure function of it.

use std::ffi::OsString;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use ratatui::layout::Rect;

use super::changelog::ChangeLog;
use super::detail::{DetailState, Link};
use super::dialog::{Dialog, EnterDialog, SpawnDialog, SpawnField, kept_name};
use super::filter;
use super::graph_view::{self, GraphState};
use super::keys::Action;
pub use super::mode::{Overlay, View};
use super::sandboxes::SandboxesState;
use super::tree::{Forests, TreeKind};
pub use super::tree::{Gone, HIGHLIGHT, Highlights, Row, TreeState, Trees};
use super::views;
use crate::graph::{Hierarchy, NodeKey, NsGraph, filter_forest};
use crate::model::{NsType, Snapshot};

/// After a shell from the viewer ends, what it created stays highlighted longer: the user
/// was away and needs a moment to look.
pub const HIGHLIGHT_AFTER_CHILD: Duration = Duration::from_secs(20);
/// Scans that arrive this soon after a child ended use the longer highlight.
const AFTER_CHILD_WINDOW: Duration = Duration::from_secs(5);

/// Why enter, spawn and delete are refused on a snapshot file.
pub const NEEDS_LIVE: &str =
    "entering, spawning and deleting kept namespaces need a live host (this is a snapshot file)";

/// Work the event loop does for the app (the app itself touches no thread or terminal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Rescan,
    Pause,
    Resume,
    /// Run nsviz with these arguments on the terminal (enter/spawn).
    RunChild(Vec<OsString>),
    /// Unbind the namespaces kept under /run/nsviz/NAME (ns::keep::delete_kept).
    DeleteKept(String),
}

pub struct App {
    pub snapshot: Arc<Snapshot>,
    /// "live" or the file name.
    pub source: String,
    pub live: bool,
    /// No snapshot yet: the first scan is running.
    pub loading: bool,
    pub error: Option<String>,
    pub message: Option<String>,
    pub view: View,
    /// The namespace and process trees.
    pub tree: Trees,
    pub graph: GraphState,
    pub sandboxes: SandboxesState,
    pub filter: String,
    pub filter_editing: bool,
    pub overlay: Overlay,
    /// The enter or spawn dialog, or a confirmation; it takes every key while open.
    pub dialog: Option<Dialog>,
    /// What to select once the scan after a spawn is shown (what it kept).
    pending_selection: Option<NodeKey>,
    /// Until when scans count as "right after a child ended" (longer highlight).
    pub after_child_until: Option<Instant>,
    /// The subcommand of the child that just ended ("spawn", "enter"), until the next scan
    /// tells what it left behind.
    child_command: Option<String>,
    /// The last child from the viewer failed: its status stays the message after it.
    child_failed: bool,
    /// More scans to wait for what a spawn kept before saying it kept nothing.
    child_scans_left: u8,
    /// When the last child from the viewer was started (wall clock, as the change log's).
    child_started: std::time::SystemTime,
    /// Every namespace and sandbox that appeared or vanished this session.
    pub changes: ChangeLog,
    /// A wall-clock time and the instant it was read: change times are derived from the
    /// `now` instants the app is given (tests set it to get fixed times).
    pub epoch: (SystemTime, Instant),
    pub paused: bool,
    /// How live scanning keeps to its CPU budget on a large host, when it has to.
    pub pace: Option<crate::tui::event::Pace>,
    pub quit: bool,
    pub requests: Vec<Request>,
    /// New and vanished namespaces, marked for a while.
    pub highlights: Highlights,
    pub size: Rect,
    /// The detail pane's scroll and focus.
    pub detail: DetailState,
    /// False under NO_COLOR, TERM=dumb or `--color never` (see `output::color::wanted`).
    pub colors: bool,
    /// How wide the detail pane is, or whether it is hidden.
    pub detail_pane: views::DetailPane,
}

impl App {
    pub fn new(source: String, live: bool) -> App {
        App {
            snapshot: Arc::new(Snapshot::default()),
            source,
            live,
            loading: true,
            error: None,
            message: None,
            view: View::Namespaces,
            tree: Trees::default(),
            graph: GraphState::default(),
            sandboxes: SandboxesState::default(),
            filter: String::new(),
            filter_editing: false,
            overlay: Overlay::None,
            dialog: None,
            after_child_until: None,
            child_command: None,
            child_failed: false,
            child_scans_left: 0,
            child_started: std::time::UNIX_EPOCH,
            pending_selection: None,
            changes: ChangeLog::default(),
            epoch: (SystemTime::now(), Instant::now()),
            paused: false,
            pace: None,
            quit: false,
            requests: Vec::new(),
            highlights: Highlights::new(Instant::now()),
            size: Rect::new(0, 0, 80, 24),
            detail: DetailState::default(),
            colors: true,
            detail_pane: views::DetailPane::Normal,
        }
    }

    /// An app showing `snapshot` (tests, and `--from`).
    pub fn with_snapshot(snapshot: Snapshot, source: &str, size: Rect) -> App {
        let mut app = App::new(source.to_string(), false);
        app.size = size;
        app.set_snapshot(Arc::new(snapshot), Instant::now());
        app
    }

    /// Swaps in a new scan: forests are rebuilt once here; new and vanished namespaces are
    /// noted; selections stay on the same keys.
    pub fn set_snapshot(&mut self, snapshot: Arc<Snapshot>, now: Instant) {
        if !self.loading {
            let old = &self.snapshot;
            let highlight = if self.after_child_until.is_some_and(|until| now <= until) {
                HIGHLIGHT_AFTER_CHILD
            } else {
                HIGHLIGHT
            };
            for ns in &snapshot.namespaces {
                if old.namespace(ns.ns_type, ns.id).is_none() {
                    self.highlights
                        .appeared
                        .insert(NodeKey::Namespace(ns.ns_type, ns.id), now + highlight);
                }
            }
            for ns in &old.namespaces {
                if snapshot.namespace(ns.ns_type, ns.id).is_none() {
                    self.highlights.gone.push(Gone {
                        ns: ns.clone(),
                        summary: old.holder_summary(ns),
                        until: now + HIGHLIGHT,
                    });
                }
            }
            let wall = self.epoch.0 + now.saturating_duration_since(self.epoch.1);
            let new_changes = self.changes.record(old, &snapshot, wall);
            if let Some(command) = self.child_command.take() {
                // A scan under way when the child ended may not show what it kept yet: a
                // spawn that seems to have kept nothing waits for a few more scans.
                let settled = self.after_child_scan(&command, &snapshot, new_changes);
                if !settled && self.child_scans_left > 0 {
                    self.child_scans_left -= 1;
                    self.child_command = Some(command);
                }
            }
        }
        self.highlights.clock = self.highlights.clock.max(now);
        // A namespace that came back (or an inode reused) is no longer gone.
        self.highlights
            .gone
            .retain(|g| snapshot.namespace(g.ns.ns_type, g.ns.id).is_none());
        let graph = NsGraph::build(&snapshot);
        self.tree.forests = Forests {
            owner: graph.namespace_forest(Hierarchy::Owner),
            by_type: graph.namespace_forest(Hierarchy::Type),
            processes: graph.process_forest(),
        };
        self.snapshot = snapshot;
        self.loading = false;
        self.error = None;
        self.refresh();
        if let Some(key) = self.pending_selection.take() {
            self.jump_to(key);
        }
    }

    /// Shows `key` in the view that lists it, selected: a namespace in the namespace tree
    /// (expanding and unfiltering as needed), a process in the process tree.
    pub fn jump_to(&mut self, key: NodeKey) {
        let view = match key {
            NodeKey::Process(_) => View::Processes,
            _ => View::Namespaces,
        };
        if self.view != view {
            self.view = view;
            self.refresh();
        }
        if !self.tree.rows.iter().any(|r| r.key == key) {
            self.filter.clear();
            self.filter_editing = false;
            self.tree_state_mut().collapsed.clear();
            self.refresh();
        }
        if self.tree.rows.iter().any(|r| r.key == key) {
            self.select_key(key);
        }
    }

    /// While the filter is typed: onto the first row that matches (not an ancestor kept only
    /// to show where a match sits), unless the selection is on a match already.
    fn select_first_match(&mut self) {
        if self.view == View::Graph || self.view == View::Sandboxes || self.filter.is_empty() {
            return;
        }
        let on_match = self
            .selected_index()
            .is_some_and(|i| self.tree.rows[i].matched);
        if !on_match && let Some(i) = self.tree.rows.iter().position(|r| r.matched) {
            self.select_index(i);
        }
    }

    /// `N`: selects the newest change's namespace or sandbox, wherever it is listed.
    fn jump_to_newest_change(&mut self) {
        use super::changelog::Subject;
        if self.changes.entries.is_empty() {
            self.message = Some("no change yet since the viewer started".into());
            return;
        }
        let Some(change) = self.changes.newest_present(&self.snapshot).cloned() else {
            self.message = Some("everything that changed has vanished again (n lists it)".into());
            return;
        };
        match change.subject {
            Subject::Namespace(t, id) => self.jump_to(NodeKey::Namespace(t, id)),
            Subject::Sandbox(set) => {
                self.view = View::Sandboxes;
                self.filter.clear();
                self.sandboxes.selected = Some(set);
                self.refresh();
            }
        }
    }

    pub fn set_error(&mut self, message: String) {
        self.error = Some(message);
    }

    /// Drops expired highlights; true when something changed (a redraw is due).
    pub fn tick(&mut self, now: Instant) -> bool {
        let fading_before = self
            .highlights
            .appeared
            .keys()
            .filter(|k| self.is_fading(k))
            .count();
        self.highlights.clock = self.highlights.clock.max(now);
        let fading_now = self
            .highlights
            .appeared
            .keys()
            .filter(|k| self.is_fading(k))
            .count();
        let before = (self.highlights.appeared.len(), self.highlights.gone.len());
        self.highlights.appeared.retain(|_, until| *until > now);
        self.highlights.gone.retain(|g| g.until > now);
        let changed = before != (self.highlights.appeared.len(), self.highlights.gone.len())
            || fading_before != fading_now;
        if changed {
            self.refresh();
        }
        changed
    }

    /// The next instant a highlight expires.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.highlights.next_deadline()
    }

    /// In the second half of its highlight: drawn weaker.
    pub fn is_fading(&self, key: &NodeKey) -> bool {
        self.highlights.is_fading(key)
    }

    pub fn is_new(&self, key: &NodeKey) -> bool {
        self.highlights.is_new(key)
    }

    pub fn gone_namespace(&self, key: &NodeKey) -> Option<&Gone> {
        self.highlights.gone_namespace(key)
    }

    /// The tree the current view shows (the namespace tree's state also serves the graph's
    /// and the sandboxes' carry-over).
    fn tree_kind(&self) -> TreeKind {
        match self.view {
            View::Processes => TreeKind::Processes,
            _ => TreeKind::Namespaces,
        }
    }

    fn tree_state(&self) -> &TreeState {
        self.tree.state(self.tree_kind())
    }

    fn tree_state_mut(&mut self) -> &mut TreeState {
        self.tree.state_mut(self.tree_kind())
    }

    /// The key under the cursor in the current view.
    pub fn selected(&self) -> Option<NodeKey> {
        match self.view {
            View::Graph => self.graph.selected,
            // A sandbox is entered and described through its leading process.
            View::Sandboxes => self
                .sandboxes
                .selected_sandbox()
                .map(|s| NodeKey::Process(s.leader)),
            _ => self.tree_state().selected,
        }
    }

    pub fn selected_index(&self) -> Option<usize> {
        self.tree.selected_row(self.tree_kind())
    }

    /// Rebuilds the visible rows (and graph layout) from forests, filter and expansion, and
    /// keeps the selection on its key (or near its old row when the key is gone for good).
    pub fn refresh(&mut self) {
        let query = self.filter.trim().to_lowercase();
        let snapshot = Arc::clone(&self.snapshot);
        if self.view == View::Sandboxes {
            let keep = |s: &super::sandboxes::Sandbox| {
                query.is_empty()
                    || s.label.to_lowercase().contains(&query)
                    || s.pids.iter().any(|&pid| {
                        filter::matches(&snapshot, &NodeKey::Process(pid), &query, true)
                    })
            };
            self.sandboxes.rebuild(&snapshot, &keep);
            let page = self.page_height();
            if let Some(i) = self.sandboxes.selected_index() {
                self.sandboxes.select_index(i, page);
            }
            self.tree.rows.clear();
            return;
        }
        if self.view == View::Graph {
            let area = self.main_area();
            if self.graph.network {
                self.graph.rebuild_network(&snapshot, area);
            } else {
                let forest = if query.is_empty() {
                    self.tree.forests.owner.clone()
                } else {
                    filter_forest(&self.tree.forests.owner, &|key| {
                        filter::matches(&snapshot, key, &query, false)
                    })
                };
                self.graph.rebuild(&snapshot, &forest, area);
            }
            self.tree.rows.clear();
            return;
        }
        let (kind, page) = (self.tree_kind(), self.page_height());
        self.tree
            .rebuild(kind, &snapshot, &query, &self.highlights.gone, page);
    }

    /// The area of the view (the list, the graph), beside the detail pane.
    fn main_area(&self) -> Rect {
        views::areas(self.size, self.detail_pane).main
    }

    /// Rows the tree area shows at once.
    pub fn page_height(&self) -> usize {
        let main = views::areas(self.size, self.detail_pane).main;
        if self.view == View::Sandboxes {
            // Borders and the column header.
            let list = views::sandboxes::list_area(main);
            return usize::from(list.height.saturating_sub(3)).max(1);
        }
        usize::from(main.height.saturating_sub(2)).max(1)
    }

    fn scroll_to_selected(&mut self) {
        let page = self.page_height();
        self.tree.scroll_to_selected(self.tree_kind(), page);
    }

    fn pan_to_selected(&mut self) {
        let area = self.main_area();
        self.graph.pan_to_selected(area);
    }

    fn select_index(&mut self, i: usize) {
        let page = self.page_height();
        self.tree.select_row(self.tree_kind(), i, page);
    }

    fn move_by(&mut self, delta: isize) {
        if self.view == View::Sandboxes {
            let page = self.page_height();
            self.sandboxes.move_by(delta, page);
            return;
        }
        if self.view == View::Graph {
            let area = self.main_area();
            self.graph.move_by(delta, area);
            return;
        }
        if self.tree.rows.is_empty() {
            return;
        }
        let i = self.selected_index().unwrap_or(0) as isize;
        let j = (i + delta).clamp(0, self.tree.rows.len() as isize - 1);
        self.select_index(j as usize);
    }

    fn parent_of_selected(&self) -> Option<NodeKey> {
        if self.view == View::Graph {
            return self.graph.parent_of_selected();
        }
        let i = self.selected_index()?;
        let depth = self.tree.rows[i].depth;
        self.tree.rows[..i]
            .iter()
            .rev()
            .find(|r| r.depth < depth)
            .map(|r| r.key)
    }

    fn select_key(&mut self, key: NodeKey) {
        if self.view == View::Graph {
            self.graph.selected = Some(key);
            self.pan_to_selected();
        } else {
            self.tree_state_mut().selected = Some(key);
            self.scroll_to_selected();
        }
    }

    fn set_view(&mut self, view: View) {
        // Carry the selection over where the other view shows the same thing.
        let from = self.selected();
        self.view = view;
        if let Some(NodeKey::Namespace(NsType::User, id)) = from {
            if view == View::Graph {
                self.graph.selected = Some(NodeKey::Namespace(NsType::User, id));
            } else if view == View::Namespaces {
                self.tree.namespaces.selected = from;
            }
        }
        self.refresh();
    }

    fn set_collapsed(&mut self, key: NodeKey, collapsed: bool) {
        let state = self.tree_state_mut();
        if collapsed {
            state.collapsed.insert(key);
        } else {
            state.collapsed.remove(&key);
        }
        self.refresh();
    }

    /// The namespace the cursor is on (the graph's user namespace box included).
    pub fn selected_namespace(&self) -> Option<(NsType, u64)> {
        match self.selected()? {
            NodeKey::Namespace(t, id) => Some((t, id)),
            NodeKey::Group(_) | NodeKey::Process(_) => None,
        }
    }

    /// Applies one action. Returns whether anything visible may have changed.
    pub fn apply(&mut self, action: Action) -> bool {
        // Any key clears the last message; a new one may be set below.
        if !matches!(
            action,
            Action::Resize { .. } | Action::ScrollUp | Action::ScrollDown
        ) {
            self.message = None;
        }
        if self.dialog.is_some() {
            return self.apply_dialog(action);
        }
        if self.overlay != Overlay::None {
            return self.apply_overlay(action);
        }
        if self.detail_focused() && self.apply_detail_focus(action) {
            return true;
        }
        match action {
            Action::Quit | Action::QuitNow => self.quit = true,
            Action::Back
            | Action::FilterInput(_)
            | Action::FilterBackspace
            | Action::FilterAccept
            | Action::StartFilter
            | Action::ClearFilter => self.apply_filter(action),
            Action::Up
            | Action::Down
            | Action::ScrollUp
            | Action::ScrollDown
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End
            | Action::Expand
            | Action::Collapse
            | Action::Toggle
            | Action::Parent
            | Action::ExpandAll
            | Action::NewestChange
            | Action::Click { .. } => self.apply_move(action),
            Action::NextView
            | Action::ShowNamespaces
            | Action::ShowProcesses
            | Action::ShowGraph
            | Action::ShowSandboxes
            | Action::ToggleGrouping
            | Action::ZoomIn
            | Action::ZoomOut
            | Action::ZoomFit
            | Action::ToggleNetwork
            | Action::PanLeft
            | Action::PanRight
            | Action::PanUp
            | Action::PanDown
            | Action::Resize { .. } => self.apply_view(action),
            Action::Help
            | Action::ShowChanges
            | Action::Explain
            | Action::CycleDetail
            | Action::DetailDown
            | Action::DetailUp
            | Action::OpenDetail => self.apply_panes(action),
            Action::Pause
            | Action::Rescan
            | Action::EnterSelected
            | Action::SpawnDialog
            | Action::DeleteKept => self.apply_command(action),
            // Only meaningful in a dialog.
            Action::NextField
            | Action::PrevField
            | Action::Check
            | Action::Run
            | Action::Confirm
            | Action::DialogInput(_)
            | Action::DialogBackspace => return false,
        }
        true
    }

    /// The filter: typing, keeping and clearing it. Esc never quits: it cancels the filter
    /// being typed, clears a kept one, or does nothing.
    fn apply_filter(&mut self, action: Action) {
        match action {
            Action::Back if self.filter_editing || !self.filter.is_empty() => {
                self.filter_editing = false;
                self.filter.clear();
                self.refresh();
            }
            Action::FilterInput(c) => {
                self.filter.push(c);
                self.refresh();
                self.select_first_match();
            }
            Action::FilterBackspace => {
                self.filter.pop();
                self.refresh();
                self.select_first_match();
            }
            Action::FilterAccept => self.filter_editing = false,
            Action::StartFilter => {
                self.filter_editing = true;
                self.filter.clear();
                self.refresh();
            }
            Action::ClearFilter => {
                self.filter.clear();
                self.filter_editing = false;
                self.refresh();
            }
            _ => {}
        }
    }

    /// Moving the selection, and opening or closing what it is on.
    fn apply_move(&mut self, action: Action) {
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::ScrollUp if self.view == View::Graph => self.pan(0, -3),
            Action::ScrollDown if self.view == View::Graph => self.pan(0, 3),
            Action::ScrollUp => self.move_by(-3),
            Action::ScrollDown => self.move_by(3),
            Action::PageUp => self.move_by(-(self.page_height() as isize)),
            Action::PageDown => self.move_by(self.page_height() as isize),
            Action::Home => self.move_by(isize::MIN / 2),
            Action::End => self.move_by(isize::MAX / 2),
            Action::Expand => self.expand(),
            Action::Collapse => self.collapse(),
            Action::Toggle if self.view == View::Graph => {
                self.open_more();
            }
            Action::Toggle => {
                if let Some(i) = self.selected_index() {
                    let row = self.tree.rows[i].clone();
                    if row.has_children {
                        self.set_collapsed(row.key, row.expanded);
                    }
                }
            }
            Action::Parent => match self.parent_of_selected() {
                Some(p) => self.select_key(p),
                None => self.message = Some("already at the top".into()),
            },
            Action::ExpandAll => {
                self.tree_state_mut().collapsed.clear();
                self.refresh();
            }
            Action::NewestChange => self.jump_to_newest_change(),
            Action::Click { column, row } => self.click(column, row),
            _ => {}
        }
    }

    /// Which view shows, how it is grouped, zoomed and panned, and the terminal's size.
    fn apply_view(&mut self, action: Action) {
        match action {
            Action::NextView => self.set_view(match self.view {
                View::Namespaces => View::Processes,
                View::Processes => View::Graph,
                View::Graph => View::Sandboxes,
                View::Sandboxes => View::Namespaces,
            }),
            Action::ShowNamespaces => self.set_view(View::Namespaces),
            Action::ShowProcesses => self.set_view(View::Processes),
            Action::ShowGraph => self.set_view(View::Graph),
            Action::ShowSandboxes => self.set_view(View::Sandboxes),
            Action::ToggleGrouping => {
                if self.view != View::Namespaces {
                    self.set_view(View::Namespaces);
                }
                self.tree.grouping = match self.tree.grouping {
                    Hierarchy::Type => Hierarchy::Owner,
                    _ => Hierarchy::Type,
                };
                self.refresh();
            }
            Action::ZoomIn | Action::ZoomOut | Action::ZoomFit => self.zoom(action),
            Action::ToggleNetwork => {
                self.graph.network = !self.graph.network;
                if self.view != View::Graph {
                    self.set_view(View::Graph);
                } else {
                    self.refresh();
                }
            }
            Action::PanLeft => self.pan(-8, 0),
            Action::PanRight => self.pan(8, 0),
            Action::PanUp => self.pan(0, -4),
            Action::PanDown => self.pan(0, 4),
            Action::Resize { width, height } => {
                self.size = Rect::new(0, 0, width, height);
                if self.view == View::Graph && self.graph.zoom.is_none() {
                    self.refresh();
                } else {
                    self.scroll_to_selected();
                }
            }
            _ => {}
        }
    }

    /// The overlays (help, change log, explanation) and the detail pane.
    fn apply_panes(&mut self, action: Action) {
        match action {
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::ShowChanges => self.overlay = Overlay::Changes { scroll: 0 },
            Action::Explain => match self.explain_type() {
                Some(ns_type) => self.overlay = Overlay::Explain { ns_type, scroll: 0 },
                None => self.message = Some("select a namespace to explain".into()),
            },
            Action::CycleDetail => {
                use views::DetailPane;
                self.detail_pane = match self.detail_pane {
                    DetailPane::Normal => DetailPane::Wide,
                    DetailPane::Wide => DetailPane::Hidden,
                    DetailPane::Hidden => DetailPane::Normal,
                };
                // Page sizes, the graph's fit and the sandboxes' split follow the new width.
                self.refresh();
            }
            Action::DetailDown | Action::DetailUp => {
                let key = self.selected();
                let now = self.detail.scroll_for(key);
                let next = if action == Action::DetailDown {
                    now.saturating_add(3)
                } else {
                    now.saturating_sub(3)
                };
                self.detail.scroll = (key, next);
            }
            Action::OpenDetail => self.open_detail(),
            _ => {}
        }
    }

    /// What reaches beyond the screen: the scanner, and enter/spawn/delete (live only).
    fn apply_command(&mut self, action: Action) {
        match action {
            Action::Pause => {
                if !self.live {
                    self.message = Some("a snapshot file does not change".into());
                } else {
                    self.paused = !self.paused;
                    self.requests.push(if self.paused {
                        Request::Pause
                    } else {
                        Request::Resume
                    });
                }
            }
            Action::Rescan => self.requests.push(Request::Rescan),
            Action::EnterSelected | Action::SpawnDialog | Action::DeleteKept if !self.live => {
                self.message = Some(NEEDS_LIVE.into());
            }
            Action::EnterSelected => match self.enter_dialog() {
                Ok(d) => self.dialog = Some(Dialog::Enter(d)),
                Err(e) => self.message = Some(e),
            },
            Action::SpawnDialog => {
                self.dialog = Some(Dialog::Spawn(SpawnDialog::new(&self.snapshot)));
            }
            Action::DeleteKept => {
                let set = self.selected_namespace().and_then(|(t, id)| {
                    let name = kept_name(self.snapshot.namespace(t, id)?)?;
                    super::dialog::kept_sets(&self.snapshot)
                        .into_iter()
                        .find(|k| k.name == name)
                });
                match set {
                    Some(set) => self.dialog = Some(Dialog::ConfirmDelete(set)),
                    None => self.message = Some(
                        "select a namespace kept under /run/nsviz/NAME to delete its set (s, keep)"
                            .into(),
                    ),
                }
            }
            _ => {}
        }
    }

    fn apply_overlay(&mut self, action: Action) -> bool {
        let help = matches!(self.overlay, Overlay::Help { .. });
        let max = if help {
            views::help::max_scroll(views::popup_height(self.size))
        } else {
            u16::MAX
        };
        let changes = matches!(self.overlay, Overlay::Changes { .. });
        let scroll = match &mut self.overlay {
            Overlay::Help { scroll }
            | Overlay::Explain { scroll, .. }
            | Overlay::Changes { scroll } => scroll,
            Overlay::None => return false,
        };
        match action {
            Action::QuitNow => self.quit = true,
            Action::Up | Action::ScrollUp => *scroll = scroll.saturating_sub(1),
            Action::Down | Action::ScrollDown => *scroll = scroll.saturating_add(1).min(max),
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll = scroll.saturating_add(10).min(max),
            Action::Home => *scroll = 0,
            Action::End => *scroll = max,
            Action::Resize { width, height } => self.size = Rect::new(0, 0, width, height),
            // What the overlay's title promises closes it: Esc, q, the key that opened it
            // (? or i), and a click.
            Action::Back | Action::Quit | Action::Click { .. } => self.overlay = Overlay::None,
            Action::Help if help => self.overlay = Overlay::None,
            Action::ShowChanges if changes => self.overlay = Overlay::None,
            Action::Explain if !help && !changes => self.overlay = Overlay::None,
            Action::NewestChange if changes => {
                self.overlay = Overlay::None;
                self.jump_to_newest_change();
            }
            // Every other key does nothing here (it is not swallowed into another action).
            _ => return false,
        }
        true
    }

    /// What the current view shows, from the latest scan and filter: how many rows (boxes,
    /// sandboxes) and, while a filter is set, how many of them match it.
    pub fn shown(&self) -> (usize, &'static str, Option<usize>) {
        let filtering = !self.filter.trim().is_empty();
        match self.view {
            View::Graph => (self.graph.layout.boxes.len(), "boxes", None),
            View::Sandboxes => {
                let n = self.sandboxes.list.len();
                (n, "sandboxes", filtering.then_some(n))
            }
            View::Namespaces | View::Processes => {
                let matches = self
                    .tree
                    .rows
                    .iter()
                    .filter(|r| r.matched && !r.gone)
                    .count();
                (self.tree.rows.len(), "shown", filtering.then_some(matches))
            }
        }
    }

    /// What the detail pane is about: the selection, with what the app knows of it.
    pub fn detail_subject(&self) -> Option<views::detail::Subject<'_>> {
        let key = self.selected()?;
        Some(views::detail::Subject {
            snapshot: &self.snapshot,
            key,
            new: self.is_new(&key),
            gone: self.gone_namespace(&key).map(|g| &g.ns),
        })
    }

    /// The lines of the detail pane that lead to a process or a namespace.
    pub fn detail_links(&self) -> Vec<Link> {
        let theme = super::theme::Theme::new(self.colors);
        self.detail_subject()
            .map(|s| views::detail::content(&s, &theme).links)
            .unwrap_or_default()
    }

    /// True while the detail pane has the focus (for the current selection).
    pub fn detail_focused(&self) -> bool {
        self.detail.focus_for(self.selected()).is_some()
    }

    /// Enter: a graph's "+N more" box opens; else the details show (the pane comes back if
    /// hidden) and take the focus, on their first link.
    fn open_detail(&mut self) {
        if self.view == View::Graph && self.open_more() {
            return;
        }
        if self.detail_pane == views::DetailPane::Hidden {
            self.detail_pane = views::DetailPane::Normal;
            self.refresh();
        }
        let Some(key) = self.selected() else {
            self.message = Some("nothing selected to show the details of".into());
            return;
        };
        if self.detail_links().is_empty() {
            self.message = Some("nothing in these details leads to a process or namespace".into());
            return;
        }
        self.detail.focus = Some((key, 0));
    }

    /// Keys while the detail pane has the focus: moves pick a link, Enter (or →) jumps to it,
    /// Esc (or ←) gives the focus back to the list. False for any other key, which drops
    /// the focus and does what it does on the list.
    fn apply_detail_focus(&mut self, action: Action) -> bool {
        let links = self.detail_links();
        let page = self.page_height() as isize;
        let delta = match action {
            Action::Up | Action::ScrollUp => -1,
            Action::Down | Action::ScrollDown => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Home => isize::MIN / 2,
            Action::End => isize::MAX / 2,
            Action::OpenDetail | Action::Expand => {
                let picked = self
                    .detail
                    .focus_for(self.selected())
                    .and_then(|i| links.get(i.min(links.len().saturating_sub(1))));
                self.detail.focus = None;
                if let Some(link) = picked {
                    self.jump_to(link.target);
                }
                return true;
            }
            Action::Back | Action::Collapse => {
                self.detail.focus = None;
                return true;
            }
            // These leave the focus where it is.
            Action::Resize { .. }
            | Action::Quit
            | Action::QuitNow
            | Action::Help
            | Action::Explain
            | Action::DetailDown
            | Action::DetailUp
            | Action::Pause
            | Action::Rescan
            // A click decides for itself (on the pane it picks, elsewhere it returns).
            | Action::Click { .. } => return false,
            _ => {
                self.detail.focus = None;
                return false;
            }
        };
        self.detail.move_focus(delta, links.len());
        true
    }

    /// The enter dialog for the selection: a process (its namespaces that differ from ours
    /// ticked), a kept set (all of it), or one namespace (through a process in it, else the
    /// file that holds it).
    pub fn enter_dialog(&self) -> std::result::Result<EnterDialog, String> {
        match self.selected() {
            Some(NodeKey::Process(pid)) => EnterDialog::for_process(&self.snapshot, pid),
            // A namespace of a kept set: the whole set, as it was kept together.
            Some(NodeKey::Namespace(t, id)) => {
                match self.snapshot.namespace(t, id).and_then(kept_name) {
                    Some(name) => EnterDialog::for_kept_set(&self.snapshot, &name),
                    None => EnterDialog::for_namespace(&self.snapshot, t, id),
                }
            }
            _ => Err("select a namespace or a process to enter".into()),
        }
    }

    /// The `nsviz enter ...` arguments the enter dialog starts with for the selection.
    pub fn enter_args(&self) -> std::result::Result<Vec<OsString>, String> {
        let spec = self.enter_dialog()?.spec()?;
        Ok(super::equivalent::enter_argv(&spec))
    }

    /// True while the focused dialog field takes text (keys are characters then).
    pub fn dialog_text_focus(&self) -> bool {
        matches!(&self.dialog, Some(Dialog::Spawn(d)) if d.focused().is_text())
    }

    fn apply_dialog(&mut self, action: Action) -> bool {
        let Some(dialog) = self.dialog.as_mut() else {
            return false;
        };
        match action {
            Action::QuitNow => self.quit = true,
            Action::Back => self.dialog = None,
            Action::Resize { width, height } => self.size = Rect::new(0, 0, width, height),
            Action::NextField | Action::PrevField => {
                let delta = if action == Action::NextField { 1 } else { -1 };
                match dialog {
                    Dialog::Enter(d) => d.move_focus(delta),
                    Dialog::Spawn(d) => d.move_focus(delta),
                    Dialog::ConfirmDelete(_) => {}
                }
            }
            Action::Check => match dialog {
                Dialog::Enter(d) => d.toggle(),
                Dialog::Spawn(d) => d.toggle(),
                Dialog::ConfirmDelete(_) => {}
            },
            Action::DialogInput(c) => {
                if let Dialog::Spawn(d) = dialog {
                    d.input(c);
                }
            }
            Action::DialogBackspace => {
                if let Dialog::Spawn(d) = dialog {
                    d.backspace();
                }
            }
            Action::DeleteKept => {
                if let Dialog::Spawn(d) = dialog
                    && let SpawnField::Kept(i) = d.focused()
                {
                    let set = d.kept[i].clone();
                    self.dialog = Some(Dialog::ConfirmDelete(set));
                }
            }
            Action::Run | Action::Confirm => {
                let run = match dialog {
                    Dialog::Enter(d) if action == Action::Run => d
                        .spec()
                        .map(|a| Request::RunChild(super::equivalent::enter_argv(&a))),
                    Dialog::Spawn(d) if action == Action::Run => d.argv().map(Request::RunChild),
                    Dialog::ConfirmDelete(set) => Ok(Request::DeleteKept(set.name.clone())),
                    _ => return false,
                };
                // What the child makes is whatever the change log records from now on.
                self.child_started = self.epoch.0
                    + self
                        .highlights
                        .clock
                        .saturating_duration_since(self.epoch.1);
                match run {
                    Ok(request) => {
                        self.requests.push(request);
                        self.dialog = None;
                    }
                    // The dialog shows the same error where the command lines would be.
                    Err(e) => self.message = Some(e),
                }
            }
            _ => return false,
        }
        true
    }

    /// A child run from a dialog ended (or could not start): say how in the status line, and
    /// highlight what it created for longer.
    pub fn child_finished(
        &mut self,
        args: &[OsString],
        status: std::result::Result<std::process::ExitStatus, String>,
        now: Instant,
    ) {
        use std::os::unix::process::ExitStatusExt;
        let what = format!(
            "nsviz {}",
            args.first()
                .map(|a| a.to_string_lossy())
                .unwrap_or_default()
        );
        // What a child that succeeded left behind is told when the next scan arrives
        // (after_child_scan); a failure's status stays the message.
        let succeeded = matches!(&status, Ok(s) if s.success());
        self.message = Some(match status {
            Ok(s) if s.success() => format!("back from {what}"),
            Ok(s) => match (s.code(), s.signal()) {
                (Some(code), _) => format!("{what} exited with status {code}"),
                (None, Some(sig)) => format!("{what} was killed by signal {sig}"),
                _ => format!("{what} ended with {s}"),
            },
            Err(e) => e,
        });
        self.after_child_until = Some(now + AFTER_CHILD_WINDOW);
        self.child_failed = !succeeded;
        self.child_command = args.first().map(|a| a.to_string_lossy().into_owned());
        self.child_scans_left = 2;
        self.requests.push(Request::Rescan);
    }

    /// A scan after a child from the viewer: after a spawn, select what it kept and say so;
    /// say nothing more after an enter, which creates nothing. False while a spawn seems to
    /// have kept nothing and more scans may still show it (`child_scans_left`).
    fn after_child_scan(&mut self, command: &str, snapshot: &Snapshot, new_changes: usize) -> bool {
        if command != "spawn" {
            return true;
        }
        // Scans may have run while the child did: every change since it started counts.
        let since = self.changes.entries.len() - new_changes;
        let first = self
            .changes
            .entries
            .iter()
            .position(|c| c.at >= self.child_started)
            .unwrap_or(since)
            .min(since);
        let recent = &self.changes.entries[first..];
        let kept: Vec<NodeKey> = recent
            .iter()
            .filter(|c| c.kind == super::changelog::Kind::Appeared)
            .filter_map(|c| match c.subject {
                super::changelog::Subject::Namespace(t, id) => {
                    let ns = snapshot.namespace(t, id)?;
                    kept_name(ns).map(|_| NodeKey::Namespace(t, id))
                }
                super::changelog::Subject::Sandbox(_) => None,
            })
            .collect();
        let names: std::collections::BTreeSet<String> = kept
            .iter()
            .filter_map(|k| match *k {
                NodeKey::Namespace(t, id) => snapshot.namespace(t, id).and_then(kept_name),
                _ => None,
            })
            .collect();
        match kept.first() {
            Some(&first) => {
                self.pending_selection = Some(first);
                let noun = if kept.len() == 1 {
                    "namespace"
                } else {
                    "namespaces"
                };
                self.message = Some(format!(
                    "back from nsviz spawn: {} new kept {noun} in {}, selected (n lists changes)",
                    kept.len(),
                    names
                        .iter()
                        .map(|n| format!("/run/nsviz/{n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            // A failure's status stays the message.
            None if self.child_failed => {}
            None if self.child_scans_left > 0 => return false,
            None => {
                self.message = Some(
                    "back from nsviz spawn; it kept nothing, so nothing it made is left".into(),
                )
            }
        }
        true
    }

    fn explain_type(&self) -> Option<NsType> {
        match self.selected()? {
            NodeKey::Namespace(t, _) | NodeKey::Group(t) => Some(t),
            NodeKey::Process(_) => None,
        }
    }

    /// In the graph: opens the selected "+N more" box (its parent shows all its children).
    fn open_more(&mut self) -> bool {
        let opened = self.graph.open_more();
        if opened {
            self.refresh();
        }
        opened
    }

    fn expand(&mut self) {
        if self.view == View::Graph && self.open_more() {
            return;
        }
        if self.view == View::Graph {
            // Right in the graph: the first child box.
            if let Some(child) = self.graph.first_child_of_selected() {
                self.select_key(child);
            }
            return;
        }
        let Some(i) = self.selected_index() else {
            return;
        };
        let row = self.tree.rows[i].clone();
        if !row.has_children {
            return;
        }
        if row.expanded {
            self.select_index(i + 1);
        } else {
            self.set_collapsed(row.key, false);
        }
    }

    fn collapse(&mut self) {
        if self.view != View::Graph
            && let Some(i) = self.selected_index()
        {
            let row = self.tree.rows[i].clone();
            if row.has_children && row.expanded {
                self.set_collapsed(row.key, true);
                return;
            }
        }
        if let Some(p) = self.parent_of_selected() {
            self.select_key(p);
        }
    }

    fn zoom(&mut self, action: Action) {
        if self.view != View::Graph {
            self.set_view(View::Graph);
        }
        if self.graph.network {
            // Zoom is the user-namespace picture's: leave network mode for it.
            self.graph.network = false;
        }
        let level = self.graph.zoom_level();
        // `+` always adds detail and `-` always removes it, starting from what fit chose.
        self.graph.zoom = match action {
            Action::ZoomIn if level >= graph_view::MAX_ZOOM => {
                self.message = Some("the graph shows every detail already (0 fits)".into());
                Some(level)
            }
            Action::ZoomOut if level == 0 => {
                self.message = Some("the graph shows the least detail already (0 fits)".into());
                Some(level)
            }
            Action::ZoomIn => Some(level + 1),
            Action::ZoomOut => Some(level - 1),
            _ => {
                self.graph.expanded.clear();
                None
            }
        };
        self.refresh();
    }

    fn pan(&mut self, dx: i32, dy: i32) {
        if self.view != View::Graph {
            self.message = Some("panning works in the graph view (3)".into());
            return;
        }
        let area = self.main_area();
        self.graph.pan_by(dx, dy, area);
    }

    /// A click on a line of the detail pane that names a process or namespace picks it
    /// (the pane takes the focus); a click on the picked one jumps to it.
    fn click_detail(&mut self, area: Rect, row: u16) {
        let Some(subject) = self.detail_subject() else {
            return;
        };
        let theme = super::theme::Theme::new(self.colors);
        let content = views::detail::content(&subject, &theme);
        let key = subject.key;
        let Some(i) = views::detail::link_at(&content, &self.detail, Some(key), area, row) else {
            return;
        };
        if self.detail.focus_for(Some(key)) == Some(i) {
            self.detail.focus = None;
            self.jump_to(content.links[i].target);
        } else {
            self.detail.focus = Some((key, i));
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        let areas = views::areas(self.size, self.detail_pane);
        let main = areas.main;
        if row == areas.header.y {
            if let Some(view) = views::tab_at(column) {
                self.set_view(view);
            }
            return;
        }
        if areas.detail.contains((column, row).into()) {
            self.click_detail(areas.detail, row);
            return;
        }
        self.detail.focus = None;
        if !main.contains((column, row).into()) {
            return;
        }
        if self.view == View::Sandboxes {
            // Below the list's top border and column header.
            let list = views::sandboxes::list_area(main);
            if row >= list.y + 2 && row < list.y + list.height.saturating_sub(1) {
                let i = self.sandboxes.offset + usize::from(row - list.y - 2);
                let page = self.page_height();
                self.sandboxes.select_index(i, page);
            }
            return;
        }
        if self.view == View::Graph {
            let x = i32::from(column - main.x) + self.graph.pan.0;
            let y = i32::from(row - main.y) + self.graph.pan.1;
            if let Some(key) = self.graph.box_at(x, y) {
                self.graph.selected = Some(key);
            }
            return;
        }
        // The tree sits in a bordered block: the first row is one line below the top border.
        if row > main.y && row < main.y + main.height - 1 {
            let i = self.tree_state().offset + usize::from(row - main.y - 1);
            self.select_index(i);
        }
    }
}
