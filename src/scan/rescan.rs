//! Rescans for the live viewer. A full scan of a host with 10,000 processes costs most of a
//! second of CPU time, almost all of it in the kernel reading ten links per process. A rescan
//! reads afresh only processes it has not seen, and a rotating share of the known ones (those
//! whose pid modulo `passes` equals the round); every other known process is replayed from
//! what its last read found. Every process is read again at least once every `passes` scans,
//! so a change inside a long-running process (setns, a new nsfs fd) shows up within that many
//! scans, while new processes and exits show up at once.

use std::sync::Arc;

use super::{FastMap, Remembered, Reuse, ScanOptions, run};
use crate::error::Result;
use crate::model::{Pid, Snapshot};

/// Carries what one scan found to the next.
pub struct Rescanner {
    options: ScanOptions,
    previous: Option<(Arc<Snapshot>, FastMap<Pid, Remembered>)>,
    round: u64,
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
        let reuse = self
            .previous
            .as_ref()
            .filter(|_| passes > 1)
            .map(|(previous, remembered)| Reuse {
                previous,
                remembered,
                recheck: &recheck,
                // A full pass just ended: ask the kernel again (an RTM_GETNSID id may have
                // been assigned since).
                known_ioctls: round != 0,
            });
        let outcome = run(&self.options, true, reuse)?;
        let snapshot = Arc::new(outcome.snapshot);
        self.previous = Some((Arc::clone(&snapshot), outcome.remembered));
        Ok(Rescanned {
            snapshot,
            read: outcome.read,
        })
    }
}
