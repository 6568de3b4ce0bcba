//! The interactive viewer.
//!
//! Threads: the UI thread owns the terminal and the [`app::App`]; an input reader and a
//! scanner send [`event::Event`]s over one channel. The UI redraws only when an event changed
//! something, and waits without a timeout when no highlight is about to expire.

pub mod app;
pub mod changelog;
pub mod detail;
pub mod dialog;
pub mod equivalent;
pub mod event;
pub mod explain;
pub mod filter;
pub mod graph_view;
pub mod keys;
pub mod mode;
pub mod netgraph;
pub mod sandboxes;
pub mod scanner;
pub mod screen;
pub mod terminal;
pub mod theme;
pub mod tree;
pub mod views;

use crate::output::color::ColorWhen;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use crossterm::event::{Event as Term, KeyEventKind, MouseEventKind};

use crate::cli::SourceArgs;
use crate::error::{Error, Result};
use app::{App, Request};
use event::{Event, InputReader};
use keys::Action;
use scanner::ScanRequest;
use terminal::TerminalGuard;

/// Signals whose default action ends the process (those that can be caught and are not faults
/// of the process itself): each restores the terminal, and the viewer exits with 128 + n.
const ENDING_SIGNALS: [i32; 13] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGUSR1,
    libc::SIGUSR2,
    libc::SIGALRM,
    libc::SIGTERM,
    libc::SIGVTALRM,
    libc::SIGPROF,
    libc::SIGXCPU,
    libc::SIGXFSZ,
    libc::SIGIO,
    libc::SIGPWR,
];

/// The signal that ended the viewer, 0 for none.
static ENDED_BY: AtomicI32 = AtomicI32::new(0);

/// True once a signal that ends the viewer has arrived (waits elsewhere give up then).
fn ending() -> bool {
    ENDED_BY.load(Ordering::SeqCst) != 0
}

/// Runs the viewer; returns the exit status: 0, or 128 + n after signal n.
pub fn run(source: &SourceArgs, interval_ms: u64, color: ColorWhen) -> Result<i32> {
    // A bad snapshot file is a usage error before the screen changes.
    let first = match &source.from {
        Some(_) => Some(Arc::new(crate::source::load(source, true)?)),
        None => None,
    };
    let label = match &source.from {
        Some(path) => crate::sanitize::for_terminal(&path.display().to_string()).into_owned(),
        None => "live".to_string(),
    };
    let mut app = App::new(label, source.from.is_none());
    // The viewer draws on a terminal: `auto` then means colour unless NO_COLOR or TERM=dumb.
    app.colors = crate::output::color::wanted(color, true);
    // Caught from before the terminal changes, so none can end the process with it unrestored;
    // a signal that comes early waits in `signals` until the loop below reads it.
    let signals = signal_hook::iterator::Signals::new(ENDING_SIGNALS);
    let mut guard = TerminalGuard::new()?;
    let size = guard
        .terminal
        .size()
        .map_err(|e| Error::os("cannot read the terminal size", e))?;
    app.apply(Action::Resize {
        width: size.width,
        height: size.height,
    });
    if let Some(snapshot) = first {
        app.set_snapshot(snapshot, Instant::now());
    }
    // The first frame ("scanning…" in live mode) appears before any scan.
    draw(&mut guard, &app)?;
    // Debug builds only: lets the end-to-end test check that a panic restores the terminal.
    if cfg!(debug_assertions) && std::env::var_os("NSVIZ_DEBUG_PANIC").is_some() {
        panic!("NSVIZ_DEBUG_PANIC is set");
    }

    let (tx, rx) = mpsc::channel();
    let input = InputReader::start(tx.clone());
    let (scan_tx, scan_rx) = mpsc::channel();
    if source.from.is_none() {
        scanner::start_scanner(
            crate::scan::ScanOptions::new(&source.proc_root).with_details(),
            Duration::from_millis(interval_ms.max(50)),
            tx.clone(),
            scan_rx,
        );
    }
    let mut signal_handle = None;
    if let Ok(mut signals) = signals {
        signal_handle = Some(signals.handle());
        let tx = tx.clone();
        std::thread::spawn(move || {
            for sig in signals.forever() {
                if sig == signal_hook::consts::SIGINT
                    && terminal::CHILD_RUNNING.load(Ordering::SeqCst)
                {
                    continue;
                }
                ENDED_BY.store(sig, Ordering::SeqCst);
                let _ = tx.send(Event::Signal(sig));
                break;
            }
        });
    }

    loop {
        let timeout = app
            .next_deadline()
            .map(|d| d.saturating_duration_since(Instant::now()) + Duration::from_millis(10))
            .unwrap_or(Duration::from_secs(3600));
        let event = match rx.recv_timeout(timeout) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) => Event::Tick,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut dirty = handle(&mut app, event);
        // Take whatever else is already queued before drawing once.
        while let Ok(ev) = rx.try_recv() {
            dirty |= handle(&mut app, ev);
        }
        if app.quit {
            break;
        }
        // Handling a request may make another (a child's end asks for a rescan).
        while !app.requests.is_empty() {
            for request in std::mem::take(&mut app.requests) {
                dirty |= serve(&mut app, request, &mut guard, &input, &scan_tx, source);
            }
        }
        if dirty {
            draw(&mut guard, &app)?;
        }
    }
    if let Some(h) = signal_handle {
        h.close();
    }
    drop(guard);
    Ok(match ENDED_BY.load(Ordering::SeqCst) {
        0 => 0,
        sig => 128 + sig,
    })
}

/// Does what the app asked for; true when a redraw is due.
fn serve(
    app: &mut App,
    request: Request,
    guard: &mut TerminalGuard,
    input: &InputReader,
    scan_tx: &mpsc::Sender<ScanRequest>,
    source: &SourceArgs,
) -> bool {
    match request {
        Request::Rescan => {
            if source.from.is_some() {
                app.message = Some("a snapshot file does not change".into());
            }
            let _ = scan_tx.send(ScanRequest::Now);
            false
        }
        Request::Pause => {
            let _ = scan_tx.send(ScanRequest::Pause);
            false
        }
        Request::Resume => {
            let _ = scan_tx.send(ScanRequest::Resume);
            false
        }
        Request::RunChild(args) => {
            let status = guard.run_child(input, &args).map_err(|e| e.to_string());
            app.child_finished(&args, status, Instant::now());
            true
        }
        Request::DeleteKept(name) => {
            app.message = Some(match crate::ns::keep::delete_kept(&name) {
                Ok(()) => format!("deleted the kept namespaces {name}"),
                Err(e) => e.to_string(),
            });
            let _ = scan_tx.send(ScanRequest::Now);
            true
        }
    }
}

fn draw(guard: &mut TerminalGuard, app: &App) -> Result<()> {
    guard
        .terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .map_err(|e| Error::os("cannot draw on the terminal", e))?;
    Ok(())
}

/// Applies one event; true when a redraw is due.
fn handle(app: &mut App, event: Event) -> bool {
    match event {
        Event::Input(Term::Key(key)) if key.kind != KeyEventKind::Release => {
            let action = if app.dialog.is_some() {
                keys::dialog_action_for(&key, app.dialog_text_focus())
            } else if app.filter_editing {
                keys::filter_action_for(&key)
            } else if app.detail_focused() && app.overlay == app::Overlay::None {
                keys::detail_action_for(&key)
            } else {
                keys::action_for(&key)
            };
            action.is_some_and(|a| app.apply(a))
        }
        Event::Input(Term::Mouse(m)) => match m.kind {
            MouseEventKind::Down(_) => app.apply(Action::Click {
                column: m.column,
                row: m.row,
            }),
            MouseEventKind::ScrollUp => app.apply(Action::ScrollUp),
            MouseEventKind::ScrollDown => app.apply(Action::ScrollDown),
            _ => false,
        },
        Event::Resize(width, height) => app.apply(Action::Resize { width, height }),
        Event::Input(_) => false,
        Event::Snapshot(Ok(snapshot)) => {
            app.set_snapshot(snapshot, Instant::now());
            true
        }
        Event::Pace(pace) => {
            let changed = app.pace != pace;
            app.pace = pace;
            changed
        }
        Event::Snapshot(Err(e)) => {
            app.set_error(format!("scan failed: {e}"));
            true
        }
        Event::Tick => app.tick(Instant::now()),
        Event::Signal(_) => {
            app.quit = true;
            false
        }
    }
}
