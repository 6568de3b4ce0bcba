//! The scanner thread: scans off the UI thread and sends each whole, immutable snapshot
//! (only when it differs from the last one: taking one in costs the UI time on a large host).
//!
//! Its background cost is bounded by design. Rescans read only new processes and a rotating
//! share of the known ones ([`Rescanner`]): the share is set so that re-reading takes at most
//! half of [`CPU_BUDGET`], from what the last full scan cost. As a backstop, a rescan that
//! took T of CPU time is followed by a wait of at least T / [`CPU_BUDGET`]. So on a huge host
//! new processes still show up every interval, and the scanner never takes a whole core. A
//! rescan asked for (`r`, after enter/spawn, resuming) is a full scan and runs at once.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::event::{Event, Pace};
use crate::model::Snapshot;
use crate::scan::{Rescanner, ScanOptions};

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

/// Over how many rescans to spread re-reading every known process, after a full scan that
/// took `full_scan_cpu`: re-reading then takes at most half the budget of one interval (the
/// rest is for what every rescan does: listing /proc, mountinfo, building the snapshot).
pub fn passes(interval: Duration, full_scan_cpu: Duration) -> u64 {
    let share = interval.mul_f64(CPU_BUDGET / 2.0);
    (full_scan_cpu.as_secs_f64() / share.as_secs_f64())
        .ceil()
        .clamp(1.0, 1000.0) as u64
}

/// True when two scans saw the same host (scan time and clock aside).
fn same_host(a: &Arc<Snapshot>, b: &Arc<Snapshot>) -> bool {
    Arc::ptr_eq(a, b)
        || a.processes == b.processes
            && a.namespaces == b.namespaces
            && a.skipped == b.skipped
            && a.initial == b.initial
}

/// CPU time (user + system) the whole process has used so far. A scan with details runs
/// short-lived helper threads (to read namespaces from inside) whose time counts against the
/// budget too; the UI thread's own time, small while the user is idle, only makes the pace
/// more careful.
fn process_cpu_time() -> Duration {
    crate::sys::process_cpu_time()
}

/// Scans the live host in the background and sends each snapshot that differs from the last.
/// (A `--from` file is read once, before the viewer starts: no scanner runs then.)
pub fn start_scanner(
    options: ScanOptions,
    interval: Duration,
    tx: Sender<Event>,
    requests: Receiver<ScanRequest>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut rescanner = Rescanner::new(options);
        let mut paused = false;
        let mut full = true;
        let mut spread = 1;
        let mut last: Option<Arc<Snapshot>> = None;
        loop {
            let cpu_before = process_cpu_time();
            let result = rescanner
                .scan(if full { 1 } else { spread })
                .map(|r| r.snapshot);
            let cpu = process_cpu_time().saturating_sub(cpu_before);
            // A full scan is the first one or one asked for: it sets the share of re-reads
            // and is not held against the budget (the user asked; the next rescans are cheap).
            let wait = if full {
                spread = passes(interval, cpu);
                interval
            } else {
                pace(interval, cpu)
            };
            full = false;
            let pace = (wait > interval || spread > 1).then(|| Pace {
                every: wait,
                full_pass: wait * u32::try_from(spread).unwrap_or(u32::MAX),
            });
            if tx.send(Event::Pace(pace)).is_err() {
                return;
            }
            let changed = match (&result, &last) {
                (Ok(new), Some(old)) => !same_host(new, old),
                _ => true,
            };
            if changed {
                if let Ok(snapshot) = &result {
                    last = Some(Arc::clone(snapshot));
                }
                if tx
                    .send(Event::Snapshot(result.map_err(|e| e.to_string())))
                    .is_err()
                {
                    return;
                }
            }
            // Wait for the next reason to scan.
            let next = Instant::now() + wait;
            loop {
                let request = if paused {
                    requests.recv().map_err(|_| RecvTimeoutError::Disconnected)
                } else {
                    requests.recv_timeout(next.saturating_duration_since(Instant::now()))
                };
                match request {
                    Err(RecvTimeoutError::Timeout) => break,
                    Ok(ScanRequest::Now) => {
                        full = true;
                        break;
                    }
                    Ok(ScanRequest::Pause) => paused = true,
                    Ok(ScanRequest::Resume) => {
                        paused = false;
                        full = true;
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

    #[test]
    fn passes_keep_rereading_within_half_the_budget() {
        let second = Duration::from_secs(1);
        assert_eq!(passes(second, Duration::from_millis(3)), 1);
        assert_eq!(passes(second, Duration::from_millis(10)), 1);
        assert_eq!(passes(second, Duration::from_millis(11)), 2);
        assert_eq!(passes(second, Duration::from_millis(700)), 70);
        assert_eq!(
            passes(Duration::from_secs(10), Duration::from_millis(700)),
            7
        );
        assert_eq!(passes(second, Duration::from_secs(3600)), 1000);
    }
}
