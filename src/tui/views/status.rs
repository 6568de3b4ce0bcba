//! The two status lines: what is shown (source, counts per type, scan time, unreadable
//! processes), then the last message or error, else the key hint from the key table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::model::NsType;
use crate::tui::app::App;
use crate::tui::keys::hint_line;
use crate::tui::theme::Theme;

pub fn render(app: &App, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let s = &app.snapshot;
    let mut info = vec![Span::styled(format!(" {} ", app.source), theme.tab_active)];
    if app.paused {
        info.push(Span::styled(" paused ", theme.filter));
    }
    if !app.loading {
        for t in NsType::ALL {
            let n = s.namespaces.iter().filter(|n| n.ns_type == t).count();
            info.push(Span::styled(format!(" {}", t.name()), theme.dim));
            info.push(Span::raw(format!(" {n}")));
        }
        info.push(Span::styled(
            format!(
                "  {} procs  scan {:.1} ms",
                s.processes.len(),
                s.scan_micros as f64 / 1000.0
            ),
            theme.dim,
        ));
        // On a large host: how often it rescans, and how long until every process is read
        // again (docs/tui.md, "Live").
        if let Some(pace) = app.pace {
            let secs = |d: std::time::Duration| d.as_secs_f64().ceil();
            info.push(Span::styled(
                format!(
                    "  rescan {} s, full {} s",
                    secs(pace.every),
                    secs(pace.full_pass)
                ),
                theme.dim,
            ));
        }
        if s.skipped.processes > 0 {
            info.push(Span::styled(
                format!("  {} unreadable", s.skipped.processes),
                theme.differs,
            ));
        }
    }
    buf.set_line(area.x, area.y, &Line::from(info), area.width);
    let second = if let Some(e) = &app.error {
        Line::styled(format!(" {}", super::safe(e)), theme.error)
    } else if let Some(m) = &app.message {
        Line::styled(format!(" {}", super::safe(m)), theme.message)
    } else if app.filter_editing {
        Line::styled(
            " type to filter, Enter keeps it, Esc cancels",
            theme.message,
        )
    } else {
        let mut spans = Vec::new();
        for (key, what) in hint_line() {
            spans.push(Span::styled(format!(" {key}"), theme.key));
            spans.push(Span::raw(format!(" {what} ")));
        }
        Line::from(spans)
    };
    buf.set_line(area.x, area.y + 1, &second, area.width);
}
