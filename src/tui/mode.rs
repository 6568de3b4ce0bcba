//! What the screen shows: which view, and which overlay above it. Shared by the app, which
//! changes them, and the drawing, which follows them.

use crate::model::NsType;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Namespaces,
    Processes,
    Graph,
    Sandboxes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help {
        scroll: u16,
    },
    Explain {
        ns_type: NsType,
        scroll: u16,
    },
    /// The change log, newest first.
    Changes {
        scroll: u16,
    },
}
