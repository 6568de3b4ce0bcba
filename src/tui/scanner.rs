//! The scanner thread: scans off the UI thread and sends each whole, immutable snapshot.
//!
//! Its background cost is bounded by design: a scan that took T of CPU time is followed by a
//! wait of at least T / [`CPU_BUDGET`], so on a huge host scans come less often instead of
//! taking a whole core. A rescan asked for (`r`, after enter/spawn) still runs at once.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::event::Event;
use crate::cli::SourceArgs;
use crate::source;

/// The share of one core that live scanning may use.
pub const CPU_BUDGET: f64 = 0.02;

/// Requests to the scanner thread.
pub enum ScanRequest {
    Now,
    Pause,
    Resume,
}

/// The wait before the next scan, after one that took `scan_cpu` of CPU time.
pub fn pace(interval: Duration, scan_cpu: Duration) -> Duration {
    interval.max(scan_cpu.div_f64(CPU_BUDGET))
}

/// CPU time (user + system) this thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through the pointer, which is valid.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
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
            let cpu_before = thread_cpu_time();
            let result = source::load(&source)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            let wait = pace(interval, thread_cpu_time().saturating_sub(cpu_before));
            let stretched = (live && wait > interval).then_some(wait);
            if tx.send(Event::Pace(stretched)).is_err() || tx.send(Event::Snapshot(result)).is_err()
            {
                return;
            }
            // Wait for the next reason to scan.
            let next = Instant::now() + wait;
            loop {
                let request = if paused || !live {
                    requests.recv().map_err(|_| RecvTimeoutError::Disconnected)
                } else {
                    requests.recv_timeout(next.saturating_duration_since(Instant::now()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_keeps_the_interval_for_cheap_scans_and_stretches_it_for_costly_ones() {
        let second = Duration::from_secs(1);
        assert_eq!(pace(second, Duration::from_millis(5)), second);
        assert_eq!(pace(second, Duration::from_millis(20)), second);
        assert_eq!(
            pace(second, Duration::from_millis(400)),
            Duration::from_secs(20)
        );
        assert_eq!(
            pace(Duration::from_secs(60), Duration::from_millis(400)),
            Duration::from_secs(60)
        );
    }
}
