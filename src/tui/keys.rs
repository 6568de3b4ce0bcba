//! The key table: data, not code. The dispatcher, the help overlay and the status bar hint are
//! all built from [`BINDINGS`], so they cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything a user can ask the viewer to do. Pure data: `App::apply` gives it meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// q: quit from the main screen; in an overlay it closes the overlay.
    Quit,
    /// Ctrl-c: quit from anywhere.
    QuitNow,
    /// Esc: close the overlay, dialog or filter; never quits.
    Back,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Expand,
    Collapse,
    Toggle,
    Parent,
    ExpandAll,
    NextView,
    ShowNamespaces,
    ShowProcesses,
    ShowGraph,
    ShowSandboxes,
    /// The change log overlay.
    ShowChanges,
    /// Select the newest change's namespace or sandbox.
    NewestChange,
    ToggleGrouping,
    StartFilter,
    ClearFilter,
    Help,
    Explain,
    /// Enter: open the selection's details (the pane shows and takes the focus); in the pane,
    /// jump to the process or namespace the focused line names.
    OpenDetail,
    /// The detail pane: wide, hidden, back to normal.
    CycleDetail,
    /// Scroll the detail pane (long mount diffs, interface lists).
    DetailDown,
    DetailUp,
    Pause,
    Rescan,
    ZoomIn,
    ZoomOut,
    ZoomFit,
    /// The graph's network mode (net namespaces and veth pairs) on or off.
    ToggleNetwork,
    PanLeft,
    PanRight,
    PanUp,
    PanDown,
    EnterSelected,
    SpawnDialog,
    /// Delete a kept set (/run/nsviz/NAME), after a confirmation.
    DeleteKept,
    // In a dialog (see DIALOG_BINDINGS).
    NextField,
    PrevField,
    /// Space: tick or untick the focused box.
    Check,
    /// Enter: run what the dialog shows (or confirm).
    Run,
    /// y in a confirmation.
    Confirm,
    DialogInput(char),
    DialogBackspace,
    // Not in the key table: produced by the filter line, the mouse and the terminal.
    FilterInput(char),
    FilterBackspace,
    FilterAccept,
    Click {
        column: u16,
        row: u16,
    },
    ScrollUp,
    ScrollDown,
    Resize {
        width: u16,
        height: u16,
    },
}

/// One key: a code and whether Ctrl is held. Shift is part of the character ('G', '?').
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

impl Key {
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Backspace => "Backspace".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// Where a binding applies, for the help overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Trees,
    Graph,
    /// The detail pane, while it has the focus (after Enter).
    Detail,
    Dialog,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Everywhere => "Everywhere",
            Scope::Trees => "Namespace and process trees",
            Scope::Graph => "Graph",
            Scope::Detail => "Detail pane, after Enter",
            Scope::Dialog => "Enter and spawn dialogs",
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    pub scope: Scope,
    /// Shown in the status bar hint (short form).
    pub hint: Option<&'static str>,
}

const fn b(
    keys: &'static [Key],
    action: Action,
    scope: Scope,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding {
        keys,
        action,
        help,
        scope,
        hint,
    }
}

use Action as A;
use Scope as S;

pub static BINDINGS: &[Binding] = &[
    b(
        &[k('q')],
        A::Quit,
        S::Everywhere,
        "quit (in an overlay: close it)",
        Some("quit"),
    ),
    b(
        &[ctrl('c')],
        A::QuitNow,
        S::Everywhere,
        "quit, from anywhere",
        None,
    ),
    b(
        &[code(KeyCode::Esc)],
        A::Back,
        S::Everywhere,
        "close the overlay, cancel or clear the filter (never quits)",
        None,
    ),
    b(&[k('?')], A::Help, S::Everywhere, "this help", Some("help")),
    b(
        &[k('n')],
        A::ShowChanges,
        S::Everywhere,
        "change log: namespaces and sandboxes that appeared or vanished",
        Some("changes"),
    ),
    b(
        &[k('N')],
        A::NewestChange,
        S::Everywhere,
        "jump to the newest change",
        None,
    ),
    b(
        &[code(KeyCode::Tab)],
        A::NextView,
        S::Everywhere,
        "next view",
        Some("view"),
    ),
    b(
        &[k('1')],
        A::ShowNamespaces,
        S::Everywhere,
        "namespaces view",
        None,
    ),
    b(
        &[k('2')],
        A::ShowProcesses,
        S::Everywhere,
        "processes view",
        None,
    ),
    b(&[k('3')], A::ShowGraph, S::Everywhere, "graph view", None),
    b(
        &[k('4')],
        A::ShowSandboxes,
        S::Everywhere,
        "sandboxes view: processes that share the same namespaces",
        None,
    ),
    b(
        &[code(KeyCode::Up), k('k')],
        A::Up,
        S::Everywhere,
        "select previous",
        None,
    ),
    b(
        &[code(KeyCode::Down), k('j')],
        A::Down,
        S::Everywhere,
        "select next",
        None,
    ),
    b(
        &[code(KeyCode::PageUp)],
        A::PageUp,
        S::Everywhere,
        "page up",
        None,
    ),
    b(
        &[code(KeyCode::PageDown)],
        A::PageDown,
        S::Everywhere,
        "page down",
        None,
    ),
    b(
        &[code(KeyCode::Home), k('g')],
        A::Home,
        S::Everywhere,
        "first row",
        None,
    ),
    b(
        &[code(KeyCode::End), k('G')],
        A::End,
        S::Everywhere,
        "last row",
        None,
    ),
    b(
        &[k('/')],
        A::StartFilter,
        S::Everywhere,
        "filter: words that must all match what a row shows; type:net for a type",
        Some("filter"),
    ),
    b(
        &[k('c')],
        A::ClearFilter,
        S::Everywhere,
        "clear the filter",
        None,
    ),
    b(
        &[k('i')],
        A::Explain,
        S::Everywhere,
        "explain the selected namespace's type",
        Some("explain"),
    ),
    b(
        &[code(KeyCode::Enter)],
        A::OpenDetail,
        S::Everywhere,
        "details: the pane takes the focus (its keys are below); on a graph's +N more box: open it",
        Some("details"),
    ),
    b(
        &[k(']')],
        A::DetailDown,
        S::Everywhere,
        "scroll the details down",
        None,
    ),
    b(
        &[k('[')],
        A::DetailUp,
        S::Everywhere,
        "scroll the details up",
        None,
    ),
    b(
        &[k('d')],
        A::CycleDetail,
        S::Everywhere,
        "detail pane: wide, hidden, normal again (cycles)",
        None,
    ),
    b(
        &[k('p')],
        A::Pause,
        S::Everywhere,
        "pause / resume live rescanning",
        None,
    ),
    b(&[k('r')], A::Rescan, S::Everywhere, "rescan now", None),
    b(
        &[k('e')],
        A::EnterSelected,
        S::Everywhere,
        "enter the selected namespaces or process (a dialog picks the types)",
        Some("enter"),
    ),
    b(
        &[k('s')],
        A::SpawnDialog,
        S::Everywhere,
        "spawn a shell in new namespaces (a dialog picks them)",
        Some("spawn"),
    ),
    b(
        &[k('D')],
        A::DeleteKept,
        S::Everywhere,
        "delete the kept set (/run/nsviz/NAME) holding the selected namespace",
        None,
    ),
    b(
        &[code(KeyCode::Right), k('l')],
        A::Expand,
        S::Trees,
        "expand (or go to first child)",
        None,
    ),
    b(
        &[code(KeyCode::Left), k('h')],
        A::Collapse,
        S::Trees,
        "collapse (or go to parent)",
        None,
    ),
    b(&[k(' ')], A::Toggle, S::Trees, "expand / collapse", None),
    b(&[k('u')], A::Parent, S::Everywhere, "jump to parent", None),
    b(&[k('*')], A::ExpandAll, S::Trees, "expand all", None),
    b(
        &[k('t')],
        A::ToggleGrouping,
        S::Trees,
        "group namespaces by owner / by type",
        Some("group"),
    ),
    b(
        &[k('+'), k('=')],
        A::ZoomIn,
        S::Graph,
        "zoom in (more detail)",
        Some("zoom in"),
    ),
    b(
        &[k('-')],
        A::ZoomOut,
        S::Graph,
        "zoom out (less detail)",
        Some("zoom out"),
    ),
    b(
        &[k('0')],
        A::ZoomFit,
        S::Graph,
        "fit to screen",
        Some("fit"),
    ),
    b(
        &[k('w')],
        A::ToggleNetwork,
        S::Graph,
        "network mode: net namespaces linked by veth pairs (w again: user namespaces)",
        Some("network"),
    ),
    b(&[k('H')], A::PanLeft, S::Graph, "pan left", None),
    b(&[k('L')], A::PanRight, S::Graph, "pan right", None),
    b(&[k('K')], A::PanUp, S::Graph, "pan up", None),
    b(&[k('J')], A::PanDown, S::Graph, "pan down", None),
];

/// The keys of the enter/spawn dialogs and the delete confirmation. While a text field has
/// the focus, plain characters are text instead.
pub static DIALOG_BINDINGS: &[Binding] = &[
    b(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        A::NextField,
        S::Dialog,
        "next field",
        Some("next"),
    ),
    b(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        A::PrevField,
        S::Dialog,
        "previous field",
        None,
    ),
    b(
        &[k(' ')],
        A::Check,
        S::Dialog,
        "tick / untick the box",
        Some("tick"),
    ),
    b(
        &[code(KeyCode::Enter)],
        A::Run,
        S::Dialog,
        "run the command shown (in a confirmation: yes)",
        Some("run"),
    ),
    b(
        &[k('D')],
        A::DeleteKept,
        S::Dialog,
        "on a kept set in the spawn dialog: delete it (asks first)",
        None,
    ),
    b(
        &[k('y')],
        A::Confirm,
        S::Dialog,
        "yes (in a confirmation)",
        None,
    ),
    b(
        &[code(KeyCode::Backspace)],
        A::DialogBackspace,
        S::Dialog,
        "delete a character of the text field",
        None,
    ),
    b(
        &[code(KeyCode::Esc)],
        A::Back,
        S::Dialog,
        "close the dialog (in a confirmation: no)",
        Some("cancel"),
    ),
    b(&[ctrl('c')], A::QuitNow, S::Dialog, "quit", None),
];

/// The keys of the detail pane while it has the focus; any other key gives the focus back to
/// the list and does what BINDINGS says.
pub static DETAIL_BINDINGS: &[Binding] = &[
    b(
        &[code(KeyCode::Up), k('k')],
        A::Up,
        S::Detail,
        "pick the previous line that names a process or namespace",
        None,
    ),
    b(
        &[code(KeyCode::Down), k('j')],
        A::Down,
        S::Detail,
        "pick the next one",
        Some("pick"),
    ),
    b(
        &[code(KeyCode::Enter), code(KeyCode::Right), k('l')],
        A::OpenDetail,
        S::Detail,
        "jump to it: a process in the process tree, a namespace in the namespace tree",
        Some("jump"),
    ),
    b(
        &[code(KeyCode::Esc), code(KeyCode::Left), k('h')],
        A::Back,
        S::Detail,
        "give the focus back to the list",
        Some("back"),
    ),
];

/// The detail pane's footer hint while it has the focus: "↓ pick  Enter jump  Esc back".
pub fn detail_hint() -> Vec<(String, &'static str)> {
    DETAIL_BINDINGS
        .iter()
        .filter_map(|b| b.hint.map(|h| (b.keys[0].label(), h)))
        .collect()
}

/// While the detail pane has the focus: its keys, else the normal table's.
pub fn detail_action_for(event: &KeyEvent) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    find(DETAIL_BINDINGS, event.code, ctrl).or_else(|| action_for(event))
}

/// The dialogs' footer hint: "Tab next  Space tick  Enter run  Esc cancel".
pub fn dialog_hint() -> Vec<(String, &'static str)> {
    DIALOG_BINDINGS
        .iter()
        .filter_map(|b| b.hint.map(|h| (b.keys[0].label(), h)))
        .collect()
}

/// Every binding: the normal table, the detail pane's, then the dialogs'.
pub fn all_bindings() -> impl Iterator<Item = &'static Binding> {
    BINDINGS
        .iter()
        .chain(DETAIL_BINDINGS)
        .chain(DIALOG_BINDINGS)
}

fn find(table: &[Binding], code: KeyCode, ctrl: bool) -> Option<Action> {
    table
        .iter()
        .find(|b| b.keys.iter().any(|k| k.code == code && k.ctrl == ctrl))
        .map(|b| b.action)
}

/// In a dialog: text while a text field has the focus, else the dialog table.
pub fn dialog_action_for(event: &KeyEvent, text_focus: bool) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    match event.code {
        KeyCode::Char(c) if text_focus && !ctrl => Some(Action::DialogInput(c)),
        code => find(DIALOG_BINDINGS, code, ctrl),
    }
}

/// The action bound to a key in the normal mode, if any.
pub fn action_for(event: &KeyEvent) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let code = match event.code {
        // Terminals report Shift+Tab differently; treat it as Tab.
        KeyCode::BackTab => KeyCode::Tab,
        c => c,
    };
    find(BINDINGS, code, ctrl)
}

/// While the filter line is being edited, keys are text.
pub fn filter_action_for(event: &KeyEvent) -> Option<Action> {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    match event.code {
        KeyCode::Char('c') if ctrl => Some(Action::QuitNow),
        KeyCode::Char(c) if !ctrl => Some(Action::FilterInput(c)),
        KeyCode::Backspace => Some(Action::FilterBackspace),
        KeyCode::Enter => Some(Action::FilterAccept),
        KeyCode::Esc => Some(Action::Back),
        _ => None,
    }
}

/// "q, Ctrl-c" for a binding.
pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Actions that need a live host (a snapshot file is read-only and does not change).
pub fn needs_live(action: Action) -> bool {
    matches!(
        action,
        Action::EnterSelected | Action::SpawnDialog | Action::DeleteKept | Action::Pause
    )
}

/// The status bar hint: "q quit  ? help  / filter ...", only with keys that work where the
/// user is: in `scope` (trees or graph) and, on a snapshot file, none that need a live host.
pub fn hint_line(live: bool, scope: Scope) -> Vec<(String, &'static str)> {
    BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Everywhere || b.scope == scope)
        .filter(|b| live || !needs_live(b.action))
        .filter_map(|b| b.hint.map(|h| (b.keys[0].label(), h)))
        .collect()
}

/// The key table as Markdown, for docs/tui.md (`nsviz` prints nothing of it; a test compares).
pub fn markdown_table() -> String {
    let mut out = String::from("| Keys | Where | What |\n|---|---|---|\n");
    for b in all_bindings() {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            keys_label(b).replace('|', "\\|"),
            b.scope.title(),
            b.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        for table in [BINDINGS, DETAIL_BINDINGS, DIALOG_BINDINGS] {
            let mut seen = Vec::new();
            for b in table {
                for key in b.keys {
                    assert!(!seen.contains(key), "{} bound twice", key.label());
                    seen.push(*key);
                }
            }
        }
    }

    #[test]
    fn dialog_keys_are_text_in_a_text_field() {
        let d = KeyEvent::new(KeyCode::Char('D'), KeyModifiers::SHIFT);
        assert_eq!(dialog_action_for(&d, true), Some(Action::DialogInput('D')));
        assert_eq!(dialog_action_for(&d, false), Some(Action::DeleteKept));
        let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(dialog_action_for(&space, false), Some(Action::Check));
        let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(dialog_action_for(&tab, true), Some(Action::NextField));
    }

    #[test]
    fn the_detail_pane_takes_its_keys_and_passes_on_the_others() {
        let right = KeyEvent::new(KeyCode::Right, KeyModifiers::NONE);
        assert_eq!(detail_action_for(&right), Some(Action::OpenDetail));
        assert_eq!(action_for(&right), Some(Action::Expand));
        let left = KeyEvent::new(KeyCode::Left, KeyModifiers::NONE);
        assert_eq!(detail_action_for(&left), Some(Action::Back));
        let two = KeyEvent::new(KeyCode::Char('2'), KeyModifiers::NONE);
        assert_eq!(detail_action_for(&two), Some(Action::ShowProcesses));
    }

    #[test]
    fn dispatch_uses_the_table() {
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ev), Some(Action::QuitNow));
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&ev), Some(Action::End));
        let ev = KeyEvent::new(KeyCode::Char('Z'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&ev), None);
    }
}
