//! The one event type the viewer's loop handles, and the threads that produce events: the
//! input reader and the scanner.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cli::SourceArgs;
use crate::model::Snapshot;
use crate::source;

pub enum Event {
    /// A key, a mouse action or a resize from the terminal.
    Input(crossterm::event::Event),
    /// A finished scan (or why it failed).
    Snapshot(Result<Arc<Snapshot>, String>),
    /// Time passed (highlights expire).
    Tick,
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Signal(i32),
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
                    Ok(true) => match crossterm::event::read() {
                        Ok(ev) => {
                            if tx.send(Event::Input(ev)).is_err() {
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

/// Requests to the scanner thread.
pub enum ScanRequest {
    Now,
    Pause,
    Resume,
}

/// Scans in the background and sends each whole snapshot. A `--from` file is read once.
pub fn start_scanner(
    source: SourceArgs,
    interval: Duration,
    tx: Sender<Event>,
    requests: Receiver<ScanRequest>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let live = source.from.is_none();
        let mut paused = false;
        loop {
            let result = source::load(&source)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            if tx.send(Event::Snapshot(result)).is_err() {
                return;
            }
            // Wait for the next reason to scan.
            loop {
                let request = if paused || !live {
                    requests.recv().map_err(|_| RecvTimeoutError::Disconnected)
                } else {
                    requests.recv_timeout(interval)
                };
                match request {
                    Ok(ScanRequest::Now) | Err(RecvTimeoutError::Timeout) => break,
                    Ok(ScanRequest::Pause) => paused = true,
                    Ok(ScanRequest::Resume) => {
                        paused = false;
                        break;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        }
    })
}
