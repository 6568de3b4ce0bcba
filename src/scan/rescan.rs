//! Rescans for the live viewer. A full scan of a host with 10,000 processes costs most of a
//! second of CPU time, almost all of it in the kernel reading ten links per process. A rescan
//! reads afresh only processes it has not seen, and a rotating share of the known ones (those
//! whose pid modulo `passes` equals the round); every other known process is replayed from
//! what its last read found. Every process is read again at least once every `passes` scans,
//! so a change inside a long-running process (setns, a new nsfs fd) shows up within that many
//! scans, while new processes and exits show up at once.
//!
//! When no process started or ended since the last scan (the task count and the last pid in
//! /proc/loadavg are the same) and the processes due for a read and the nsfs mounts are as the
//! last scan found them, the last snapshot is kept as it is: an idle host costs a rescan
//! only those reads.

use std::path::Path;
use std::sync::Arc;

use super::{FastMap, Remembered, Reuse, ScanOptions, run, unchanged};
use crate::error::Result;
use crate::model::{Pid, Snapshot};

/// Carries what one scan found to the next.
pub struct Rescanner {
    options: ScanOptions,
    previous: Option<Previous>,
    round: u64,
}

struct Previous {
    snapshot: Arc<Snapshot>,
    remembered: FastMap<Pid, Remembered>,
    /// [`task_counter`] just before that scan listed the processes.
    tasks: Option<(u64, u64)>,
}

/// The number of tasks and the last pid handed out, from /proc/loadavg. Both the same: no
/// process or thread started (each takes a new pid, also one in a nested pid namespace) or
/// was reaped (which lowers the count). A process that exited but is not reaped yet is seen
/// when its turn to be read comes.
fn task_counter(proc_root: &Path) -> Option<(u64, u64)> {
    use procfs::FromRead;
    let load = procfs::LoadAverage::from_file(proc_root.join("loadavg")).ok()?;
    Some((u64::from(load.max), u64::from(load.latest_pid)))
}

/// One rescan's result.
pub struct Rescanned {
    pub snapshot: Arc<Snapshot>,
    /// Processes read afresh (the rest were replayed).
    pub read: usize,
}

impl Rescanner {
    pub fn new(options: ScanOptions) -> Self {
        Rescanner {
            options,
            previous: None,
            round: 0,
        }
    }

    /// Scans, reading each known process again once every `passes` scans (1: read all, a
    /// full scan; the first scan is always full).
    pub fn scan(&mut self, passes: u64) -> Result<Rescanned> {
        let passes = passes.max(1);
        let round = self.round % passes;
        self.round = self.round.wrapping_add(1);
        let recheck = |pid: Pid| u64::from(pid.unsigned_abs()) % passes == round;
        let tasks = task_counter(&self.options.proc_root);
        // Round 0 ends a full pass: it always builds (and asks the kernel again, below).
        let quiet = self
            .previous
            .as_ref()
            .filter(|p| passes > 1 && round != 0 && tasks.is_some() && p.tasks == tasks);
        if let Some(p) = quiet
            && let Some(read) = unchanged(&self.options, &p.snapshot, &p.remembered, &recheck)
        {
            return Ok(Rescanned {
                snapshot: Arc::clone(&p.snapshot),
                read,
            });
        }
        let reuse = self
            .previous
            .as_ref()
            .filter(|_| passes > 1)
            .map(|p| Reuse {
                previous: &p.snapshot,
                remembered: &p.remembered,
                recheck: &recheck,
                // A full pass just ended: ask the kernel again (an RTM_GETNSID id may have
                // been assigned since).
                known_ioctls: round != 0,
            });
        let outcome = run(&self.options, true, reuse)?;
        let snapshot = Arc::new(outcome.snapshot);
        self.previous = Some(Previous {
            snapshot: Arc::clone(&snapshot),
            remembered: outcome.remembered,
            tasks,
        });
        Ok(Rescanned {
            snapshot,
            read: outcome.read,
        })
    }
}
