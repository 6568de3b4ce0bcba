//! Colour in text output and the viewer: `--color auto|always|never`, NO_COLOR (no-color.org)
//! and TERM=dumb. Only what nsviz writes itself is painted, after it is escaped and padded:
//! untrusted text never carries its own escape sequences to the terminal.

use anstyle::{AnsiColor, Style};

use crate::model::NsType;

/// When to colour (`--color`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set (not empty) or TERM is dumb.
    #[default]
    Auto,
    Always,
    Never,
}

/// Whether to colour output going to a terminal (`terminal`) or not.
pub fn wanted(when: ColorWhen, terminal: bool) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            terminal && !no_color && !dumb
        }
    }
}

/// The styles of text output; all plain when colour is off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Palette {
    on: bool,
}

impl Palette {
    pub const PLAIN: Palette = Palette { on: false };

    pub fn new(on: bool) -> Palette {
        Palette { on }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if !self.on || text.is_empty() {
            return text.to_string();
        }
        format!("{}{text}{}", style.render(), style.render_reset())
    }

    /// Table headings and labels.
    pub fn strong(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    /// Ids and other figures that matter less than the words around them.
    pub fn dim(&self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    /// The `*` of a namespace that is not one of the host's initial ones.
    pub fn mark(&self, text: &str) -> String {
        self.paint(
            Style::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
            text,
        )
    }

    /// A namespace type's name, in the colour the viewer gives that type.
    pub fn ns_type(&self, t: NsType, text: &str) -> String {
        let color = match t {
            NsType::User => AnsiColor::Magenta,
            NsType::Mnt => AnsiColor::Blue,
            NsType::Pid => AnsiColor::Green,
            NsType::Net => AnsiColor::Cyan,
            NsType::Uts => AnsiColor::Yellow,
            NsType::Ipc => AnsiColor::Red,
            NsType::Cgroup => AnsiColor::BrightBlue,
            NsType::Time => AnsiColor::BrightMagenta,
        };
        self.paint(Style::new().fg_color(Some(color.into())), text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paints_nothing_and_colour_wraps_in_one_reset() {
        assert_eq!(Palette::PLAIN.ns_type(NsType::Net, "net"), "net");
        let painted = Palette::new(true).ns_type(NsType::Net, "net");
        assert_eq!(painted, "\x1b[36mnet\x1b[0m");
        assert_eq!(Palette::new(true).strong(""), "");
    }

    #[test]
    fn always_and_never_ignore_the_terminal() {
        assert!(wanted(ColorWhen::Always, false));
        assert!(!wanted(ColorWhen::Never, true));
        assert!(!wanted(ColorWhen::Auto, false));
    }
}
