//! One place for every colour and style the viewer uses.

use ratatui::style::{Color, Modifier, Style};

use crate::model::NsType;

#[derive(Clone, Debug)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub border_selected: Style,
    pub selected: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub differs: Style,
    pub appeared: Style,
    /// A highlight in the second half of its time.
    pub fading: Style,
    pub gone: Style,
    pub error: Style,
    pub message: Style,
    pub key: Style,
    pub filter: Style,
    pub heading: Style,
    pub cell_same: Style,
    /// A namespace's or process's label (container, service, hostname).
    pub label: Style,
    /// False under NO_COLOR or TERM=dumb: no colours, and markers where colour would tell.
    pub colors: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::Gray),
            border_selected: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            tab: Style::new().fg(Color::Gray),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
            differs: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            appeared: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            fading: Style::new().fg(Color::Green),
            gone: Style::new()
                .fg(Color::Red)
                .add_modifier(Modifier::CROSSED_OUT),
            error: Style::new().fg(Color::White).bg(Color::Red),
            message: Style::new().fg(Color::Cyan),
            key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            filter: Style::new().fg(Color::Black).bg(Color::Yellow),
            heading: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            cell_same: Style::new().fg(Color::DarkGray),
            label: Style::new()
                .fg(Color::LightCyan)
                .add_modifier(Modifier::BOLD),
            colors: true,
        }
    }
}

impl Theme {
    pub fn new(colors: bool) -> Theme {
        if colors {
            Theme::default()
        } else {
            Theme::plain()
        }
    }

    /// Without colours: only bold, underline and reverse video, so that the selection, the
    /// active tab and marks stay visible on a monochrome terminal.
    pub fn plain() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let reversed = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        Theme {
            text: Style::new(),
            dim: Style::new(),
            title: bold,
            border: Style::new(),
            border_selected: bold,
            selected: reversed,
            tab: Style::new(),
            tab_active: reversed,
            differs: bold,
            appeared: bold.add_modifier(Modifier::UNDERLINED),
            fading: Style::new().add_modifier(Modifier::UNDERLINED),
            gone: Style::new().add_modifier(Modifier::CROSSED_OUT),
            error: reversed,
            message: bold,
            key: bold,
            filter: reversed,
            heading: bold.add_modifier(Modifier::UNDERLINED),
            cell_same: Style::new(),
            label: bold,
            colors: false,
        }
    }

    /// The colour of a namespace type, used by badges and process cells.
    pub fn type_color(&self, t: NsType) -> Color {
        match t {
            NsType::User => Color::Magenta,
            NsType::Mnt => Color::Blue,
            NsType::Pid => Color::Green,
            NsType::Net => Color::Cyan,
            NsType::Uts => Color::Yellow,
            NsType::Ipc => Color::Red,
            NsType::Cgroup => Color::LightBlue,
            NsType::Time => Color::LightMagenta,
        }
    }

    /// A coloured badge: " user " on the type colour.
    pub fn badge(&self, t: NsType) -> Style {
        if !self.colors {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        Style::new().fg(Color::Black).bg(self.type_color(t))
    }
}
