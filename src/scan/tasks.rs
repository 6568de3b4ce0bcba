//! Threads: a thread can unshare a namespace on its own, leaving its process behind.

use std::os::fd::AsFd;

use rustix::fs::{Mode, OFlags};

use super::fds::list_dir;
use super::{Held, Hold, Scan, links};
use crate::model::Pid;

impl Scan {
    /// Threads whose namespaces differ from their process's (only processes with more than
    /// one thread get here: reading every task's links would double the cost of a scan).
    /// Returns those threads' ids.
    pub(super) fn scan_tasks(
        &mut self,
        dir: impl AsFd,
        pid: Pid,
        process: &links::Links,
    ) -> Vec<Pid> {
        let mut apart = Vec::new();
        let tids = match list_dir(dir.as_fd(), "task") {
            Ok(tids) => tids,
            Err(_) => {
                self.skipped.tasks += 1;
                return apart;
            }
        };
        for tid in tids.into_iter().filter(|&tid| tid != pid) {
            let path = format!("task/{tid}");
            // A thread that exited meanwhile is a race, not a skip.
            let Ok(task_dir) = rustix::fs::openat(
                dir.as_fd(),
                path.as_str(),
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            ) else {
                continue;
            };
            let task = links::read(&task_dir);
            for (ns_type, id) in task.ns {
                if process.get(ns_type) != Some(id) {
                    let how = Hold::Task(tid);
                    self.hold(pid, Held { ns_type, id, how }, None);
                    if !apart.contains(&tid) {
                        apart.push(tid);
                    }
                }
            }
        }
        apart
    }
}
