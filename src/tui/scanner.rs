//! The scanner thread: scans off the UI thread and sends each whole, immutable snapshot.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use super::event::Event;
use crate::cli::SourceArgs;
use crate::source;

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
