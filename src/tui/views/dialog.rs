//! The enter and spawn dialogs and the delete confirmation, drawn over the views. The command
//! lines come from `tui::equivalent` (already shell-quoted and safe for a terminal).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::{centered, clear, namespaces::badge, safe};
use crate::model::NsType;
use crate::ns::keep::KEEP_DIR;
use crate::tui::dialog::{Dialog, EnterDialog, KeptSet, SpawnDialog, SpawnField};
use crate::tui::equivalent::Equivalent;
use crate::tui::keys::dialog_hint;
use crate::tui::theme::Theme;

pub fn render(dialog: &Dialog, area: Rect, buf: &mut Buffer, theme: &Theme) {
    match dialog {
        Dialog::Enter(d) => render_enter(d, area, buf, theme),
        Dialog::Spawn(d) => render_spawn(d, area, buf, theme),
        Dialog::ConfirmDelete(set) => render_confirm(set, area, buf, theme),
    }
}

/// The popup: up to 100 columns wide, as tall as `wanted` allows, bordered and cleared.
fn popup(area: Rect, wanted: u16, title: String, buf: &mut Buffer, theme: &Theme) -> Rect {
    let width = area.width.saturating_sub(2).min(100);
    let rect = centered(area, width, wanted.min(area.height.saturating_sub(2)));
    clear(rect, buf);
    let block = Block::bordered()
        .title(Span::styled(title, theme.title))
        .border_style(theme.border_selected);
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

/// Rows a paragraph of these lines takes at this width, wrapped.
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let w = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(w) as u16)
        .sum()
}

fn hint(theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, what) in dialog_hint() {
        spans.push(Span::styled(format!("{key} "), theme.key));
        spans.push(Span::raw(format!("{what}  ")));
    }
    Line::from(spans)
}

/// The command lines first (each with its label), then every note, dimmed: on a small
/// screen the lines are what must show.
fn command_lines(commands: &[(&str, &Equivalent)], theme: &Theme, out: &mut Vec<Line<'static>>) {
    for (label, eq) in commands {
        out.push(Line::from(vec![
            Span::styled(format!("{label:<8}"), theme.dim),
            Span::styled(eq.line.clone(), theme.text),
        ]));
    }
    for (label, eq) in commands {
        for note in &eq.notes {
            out.push(Line::styled(format!("{label}: {note}"), theme.dim));
        }
    }
}

/// What each type isolates, in a few words.
fn isolates(t: NsType) -> &'static str {
    match t {
        NsType::User => "uids, capabilities",
        NsType::Mnt => "mounts",
        NsType::Pid => "process ids",
        NsType::Net => "network",
        NsType::Uts => "hostname",
        NsType::Ipc => "SysV IPC, mqueues",
        NsType::Cgroup => "cgroup root",
        NsType::Time => "clocks",
    }
}

fn checkbox(on: bool) -> &'static str {
    if on { "[x] " } else { "[ ] " }
}

fn focus_mark(focused: bool, theme: &Theme) -> (Span<'static>, Style) {
    if focused {
        (Span::styled("▸ ", theme.key), theme.selected)
    } else {
        (Span::raw("  "), theme.text)
    }
}

fn render_enter(d: &EnterDialog, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let mut lines = vec![Line::styled(
        "Namespaces to enter (◆ differs from the viewer's own):",
        theme.heading,
    )];
    for (i, c) in d.choices.iter().enumerate() {
        let (mark, style) = focus_mark(i == d.focus, theme);
        let mut spans = vec![
            mark,
            Span::styled(checkbox(c.checked), style),
            badge(c.ns_type, theme),
            Span::styled(format!(" {}", c.id), style),
        ];
        if c.differs {
            spans.push(Span::styled(" ◆", theme.differs));
        }
        if let Some(f) = &c.file {
            spans.push(Span::styled(
                format!("  through {}", safe(&f.to_string_lossy())),
                theme.dim,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    match d.lines() {
        Ok((nsviz, nsenter)) => {
            let nsviz = Equivalent {
                line: nsviz,
                notes: Vec::new(),
            };
            command_lines(
                &[("nsviz", &nsviz), ("nsenter", &nsenter)],
                theme,
                &mut lines,
            );
        }
        Err(e) => lines.push(Line::styled(e, theme.differs)),
    }
    lines.push(Line::raw(""));
    lines.push(hint(theme));
    let width = area.width.saturating_sub(4).min(98);
    let wanted = wrapped_height(&lines, width) + 2;
    let inner = popup(
        area,
        wanted,
        format!(" Enter {} ", safe(&d.what)),
        buf,
        theme,
    );
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

fn field_line(d: &SpawnDialog, i: usize, f: SpawnField, theme: &Theme) -> Line<'static> {
    let (mark, style) = focus_mark(i == d.focus, theme);
    let text = |label: &str, value: &str, empty: &str| -> Vec<Span<'static>> {
        let shown = if value.is_empty() && i != d.focus {
            Span::styled(empty.to_string(), theme.dim)
        } else {
            Span::styled(safe(value), theme.filter)
        };
        let mut spans = vec![Span::styled(format!("{label} "), style), shown];
        if i == d.focus {
            spans.push(Span::styled("▏", theme.key));
        }
        spans
    };
    let mut spans = vec![mark];
    match f {
        SpawnField::Type(t) => {
            let ticked = d.types.contains(&t);
            let implied = !ticked && d.implied_types().contains(&t);
            spans.push(Span::styled(
                if implied { "[+] " } else { checkbox(ticked) },
                style,
            ));
            spans.push(badge(t, theme));
            spans.push(Span::styled(format!(" {}", isolates(t)), style));
            if implied {
                spans.push(Span::styled(" (implied)", theme.dim));
            }
        }
        SpawnField::MapRoot => spans.push(Span::styled(
            format!("{}map your user to root (-r)", checkbox(d.map_root)),
            style,
        )),
        SpawnField::Hostname => spans.extend(text("hostname", &d.hostname, "(unchanged)")),
        SpawnField::MountProc => spans.push(Span::styled(
            format!("{}mount a new /proc", checkbox(d.mount_proc)),
            style,
        )),
        SpawnField::Binds => spans.extend(text("binds", &d.binds, "SRC DST; SRC DST")),
        SpawnField::NewRoot => spans.push(Span::styled(
            format!("{}new root: only the binds", checkbox(d.new_root)),
            style,
        )),
        SpawnField::DropCaps => spans.push(Span::styled(
            format!("{}drop every capability", checkbox(d.drop_caps)),
            style,
        )),
        SpawnField::Keep => spans.extend(text("keep as", &d.keep, &format!("{KEEP_DIR}/NAME"))),
        SpawnField::Veth => spans.extend(text("veth", &d.veth, "ADDR/PFX [PEER/PFX]")),
        SpawnField::JoinNet => {
            let chosen = d.join_net.checked_sub(1).and_then(|i| d.net_choices.get(i));
            spans.push(Span::styled("join net ", style));
            match chosen {
                Some(choice) => spans.push(Span::styled(safe(&choice.shown), theme.filter)),
                None => spans.push(Span::styled(
                    format!("(none of {}: Space picks)", d.net_choices.len()),
                    theme.dim,
                )),
            }
        }
        SpawnField::Kept(k) => {
            let set = &d.kept[k];
            let types: Vec<&str> = set.types.iter().map(|t| t.name()).collect();
            spans.push(Span::styled(format!("kept {} ", set.name), style));
            spans.push(Span::styled(format!("({})", types.join(",")), theme.dim));
            if i == d.focus {
                spans.push(Span::styled("  D deletes", theme.key));
            }
        }
    }
    Line::from(spans)
}

fn render_spawn(d: &SpawnDialog, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let fields = d.fields();
    let types: Vec<Line> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| matches!(f, SpawnField::Type(_)))
        .map(|(i, f)| field_line(d, i, *f, theme))
        .collect();
    let options: Vec<Line> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| !matches!(f, SpawnField::Type(_)))
        .map(|(i, f)| field_line(d, i, *f, theme))
        .collect();
    let mut below = vec![Line::raw("")];
    match d.lines() {
        Ok((nsviz, unshare, bwrap)) => {
            let nsviz = Equivalent {
                line: nsviz,
                notes: Vec::new(),
            };
            let ip = d.ip_line();
            let mut commands = vec![("nsviz", &nsviz), ("unshare", &unshare), ("bwrap", &bwrap)];
            if let Some(ip) = &ip {
                commands.push(("ip", ip));
            }
            command_lines(&commands, theme, &mut below);
        }
        Err(e) => below.push(Line::styled(e, theme.differs)),
    }
    let width = area.width.saturating_sub(4).min(98);
    let top = 1 + types.len().max(options.len()) as u16;
    let wanted = top + wrapped_height(&below, width) + 2 + 2;
    let inner = popup(
        area,
        wanted,
        " Spawn a shell in new namespaces ".into(),
        buf,
        theme,
    );
    buf.set_stringn(
        inner.x,
        inner.y,
        "New namespaces:",
        usize::from(inner.width),
        theme.heading,
    );
    let left_w = 34.min(inner.width);
    for (row, line) in types.iter().enumerate() {
        let y = inner.y + 1 + row as u16;
        if y < inner.y + inner.height {
            buf.set_line(inner.x, y, line, left_w);
        }
    }
    for (row, line) in options.iter().enumerate() {
        let y = inner.y + 1 + row as u16;
        if y < inner.y + inner.height {
            buf.set_line(inner.x + left_w, y, line, inner.width - left_w);
        }
    }
    // The hint keeps the last row; the command lines get what is between.
    let rest_y = inner.y + top.min(inner.height);
    let rest_h = (inner.y + inner.height).saturating_sub(rest_y + 1);
    Paragraph::new(below)
        .wrap(Wrap { trim: false })
        .render(Rect::new(inner.x, rest_y, inner.width, rest_h), buf);
    if inner.height > 0 {
        buf.set_line(
            inner.x,
            inner.y + inner.height - 1,
            &hint(theme),
            inner.width,
        );
    }
}

fn render_confirm(set: &KeptSet, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let types: Vec<&str> = set.types.iter().map(|t| t.name()).collect();
    let lines = vec![
        Line::raw(format!(
            "Unmount and remove {KEEP_DIR}/{} ({})?",
            set.name,
            types.join(", ")
        )),
        Line::styled("Namespaces with no process left in them end.", theme.dim),
        Line::raw(""),
        Line::from(vec![
            Span::styled("y ", theme.key),
            Span::raw("delete  "),
            Span::styled("Enter ", theme.key),
            Span::raw("delete  "),
            Span::styled("Esc ", theme.key),
            Span::raw("keep it"),
        ]),
    ];
    let inner = popup(
        area,
        lines.len() as u16 + 2,
        format!(" Delete kept namespaces {} ", set.name),
        buf,
        theme,
    );
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
