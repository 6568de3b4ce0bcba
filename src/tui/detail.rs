//! The detail pane's state: how far it is scrolled and, while it has the focus, which of its
//! links (lines naming a process or a namespace) is picked. Both are tied to the selection
//! they were made for, so another selection starts at the top with the focus on the list.

use crate::graph::NodeKey;

/// A line of the pane that leads somewhere: Enter on it jumps to `target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// Index of the line among the pane's lines.
    pub line: usize,
    pub target: NodeKey,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DetailState {
    /// How far the pane is scrolled, and for which selection.
    pub scroll: (Option<NodeKey>, u16),
    /// The picked link while the pane has the focus, and for which selection.
    pub focus: Option<(NodeKey, usize)>,
}

impl DetailState {
    /// The picked link's index, if the pane has the focus for `selected`.
    pub fn focus_for(&self, selected: Option<NodeKey>) -> Option<usize> {
        match (self.focus, selected) {
            (Some((key, i)), Some(sel)) if key == sel => Some(i),
            _ => None,
        }
    }

    /// The scroll for `selected` (another selection's scroll does not carry over).
    pub fn scroll_for(&self, selected: Option<NodeKey>) -> u16 {
        match self.scroll {
            (key, scroll) if key == selected => scroll,
            _ => 0,
        }
    }

    /// Moves the focus by `delta` links, staying within `count`.
    pub fn move_focus(&mut self, delta: isize, count: usize) {
        if let Some((key, i)) = self.focus {
            let last = count.saturating_sub(1) as isize;
            let next = (i as isize).saturating_add(delta).clamp(0, last.max(0));
            self.focus = Some((key, next as usize));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NsType;

    #[test]
    fn focus_and_scroll_belong_to_their_selection() {
        let a = NodeKey::Process(1);
        let b = NodeKey::Namespace(NsType::Net, 7);
        let mut state = DetailState {
            scroll: (Some(a), 6),
            focus: Some((a, 0)),
        };
        assert_eq!(state.focus_for(Some(a)), Some(0));
        assert_eq!(state.focus_for(Some(b)), None);
        assert_eq!(state.scroll_for(Some(a)), 6);
        assert_eq!(state.scroll_for(Some(b)), 0);
        state.move_focus(5, 3);
        assert_eq!(state.focus_for(Some(a)), Some(2));
        state.move_focus(-9, 3);
        assert_eq!(state.focus_for(Some(a)), Some(0));
    }
}
