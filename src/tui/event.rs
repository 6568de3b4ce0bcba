//! The one event type the viewer's loop handles, and the input reader that produces the
//! terminal's events.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::model::Snapshot;

pub enum Event {
    /// A key, a mouse action or a paste from the terminal.
    Input(crossterm::event::Event),
    /// The terminal changed size.
    Resize(u16, u16),
    /// A finished scan (or why it failed).
    Snapshot(Result<Arc<Snapshot>, String>),
    /// How live scanning keeps to its CPU budget on a large host; None while it does not need
    /// to (every scan reads every process, an interval apart).
    Pace(Option<Pace>),
    /// Time passed (highlights expire).
    Tick,
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Signal(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// Time between scans (longer than the interval asked for when even a rescan is costly).
    pub every: Duration,
    /// Time until every process has been read again (new processes are read at once).
    pub full_pass: Duration,
}

/// Reads terminal input on its own thread. It can be paused while a child owns the terminal.
pub struct InputReader {
    state: Arc<(Mutex<ReaderState>, Condvar)>,
    _thread: JoinHandle<()>,
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum ReaderState {
    Running,
    PauseRequested,
    Paused,
}

impl InputReader {
    pub fn start(tx: Sender<Event>) -> InputReader {
        let state = Arc::new((Mutex::new(ReaderState::Running), Condvar::new()));
        let shared = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let (lock, cvar) = &*shared;
            loop {
                {
                    let Ok(mut s) = lock.lock() else { return };
                    if *s == ReaderState::PauseRequested {
                        *s = ReaderState::Paused;
                        cvar.notify_all();
                    }
                    while *s == ReaderState::Paused {
                        let Ok(next) = cvar.wait(s) else { return };
                        s = next;
                    }
                }
                // Poll with a timeout so a pause request is noticed; no busy loop.
                match crossterm::event::poll(Duration::from_millis(200)) {
                    // The terminal is gone: leave as on SIGHUP, rather than spin in read.
                    Ok(true) if super::terminal::hung_up() => {
                        let _ = tx.send(Event::Signal(libc::SIGHUP));
                        return;
                    }
                    Ok(true) => match crossterm::event::read() {
                        Ok(ev) => {
                            let ev = match ev {
                                crossterm::event::Event::Resize(w, h) => Event::Resize(w, h),
                                other => Event::Input(other),
                            };
                            if tx.send(ev).is_err() {
                                return;
                            }
                        }
                        Err(_) => return,
                    },
                    Ok(false) => {}
                    Err(_) => return,
                }
            }
        });
        InputReader {
            state,
            _thread: thread,
        }
    }

    /// Stops reading and returns once the reader no longer touches the terminal.
    pub fn pause(&self) {
        let (lock, cvar) = &*self.state;
        let Ok(mut s) = lock.lock() else { return };
        *s = ReaderState::PauseRequested;
        while *s == ReaderState::PauseRequested {
            match cvar.wait_timeout(s, Duration::from_secs(1)) {
                Ok((next, timeout)) => {
                    s = next;
                    if timeout.timed_out() && *s == ReaderState::PauseRequested {
                        // The reader thread is gone (terminal closed); nothing reads input.
                        break;
                    }
                }
                Err(_) => return,
            }
        }
    }

    pub fn resume(&self) {
        let (lock, cvar) = &*self.state;
        if let Ok(mut s) = lock.lock() {
            *s = ReaderState::Running;
            cvar.notify_all();
        }
    }
}
