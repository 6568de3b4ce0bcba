//! Work grows linearly with crafted snapshots: 4x the namespaces may cost at most 5x the time
//! (linear work measures 4x here, quadratic work 16x) in `tree`, `graph` and the viewer's
//! first frame. Measured as a ratio of two sizes on the same machine, never absolute times, and
//! in CPU time (of the child, or of this thread), which other work on the machine inflates far
//! less than wall time.

mod common;

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use serde_json::{Value, json};

use nsviz::tui::app::App;

/// A snapshot of `n` pid namespaces; `shape` decides each one's parent.
fn crafted(n: u64, parent: impl Fn(u64) -> Value) -> Value {
    let namespaces: Vec<Value> = (0..n)
        .map(|i| {
            let id = 4_000_000_000 + i;
            json!({"id": id, "type": "pid", "parent": parent(id), "owner": null,
                   "processes": [], "tasks": [], "for_children": [], "fds": [], "sockets": [],
                   "mounts": []})
        })
        .collect();
    json!({"version": 2, "host": {"hostname": "h", "kernel": "k", "taken_at": 0,
           "proc_root": "/proc", "scanner_uid": 0, "scanner_pid": 1},
           "initial": {}, "namespaces": namespaces, "processes": [],
           "skipped": {"processes": 0, "links": 0, "tasks": 0, "fds": 0, "mountinfo": 0}})
}

fn own_parent(id: u64) -> Value {
    json!(id)
}

fn dangling_parent(id: u64) -> Value {
    json!(id + 1_000_000_000)
}

/// CPU time (user + system) used so far by the children this process has waited for.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we pass; no other preconditions.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let of = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    of(usage.ru_utime) + of(usage.ru_stime)
}

/// CPU time used so far by the calling thread.
fn thread_cpu() -> Duration {
    // SAFETY: clock_gettime writes into the zeroed struct we pass; no other preconditions.
    let now = unsafe {
        let mut now: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now);
        now
    };
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

fn time_of(args: &[&str], file: &std::path::Path) -> Duration {
    let before = children_cpu();
    let out = common::nsviz()
        .args(args)
        .arg("--from")
        .arg(file)
        .output()
        .unwrap();
    let took = children_cpu() - before;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

/// The best of three runs, to keep noise from other work on the machine out of the ratio.
fn best(mut f: impl FnMut() -> Duration) -> Duration {
    (0..3).map(|_| f()).min().unwrap()
}

fn assert_linear(what: &str, small: Duration, large: Duration) {
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
    eprintln!("{what}: {small:?} -> {large:?}, {ratio:.1}x");
    assert!(
        ratio < 5.0,
        "{what}: 4x the input took {ratio:.1}x the time ({small:?} -> {large:?})"
    );
}

#[test]
fn tree_graph_and_first_frame_grow_linearly() {
    let dir = tempfile::tempdir().unwrap();
    for (shape, parent) in [
        ("own-parent", own_parent as fn(u64) -> Value),
        ("dangling", dangling_parent),
    ] {
        let mut files = Vec::new();
        for n in [10_000, 40_000] {
            let path = dir.path().join(format!("{shape}-{n}.json"));
            std::fs::write(&path, serde_json::to_vec(&crafted(n, parent)).unwrap()).unwrap();
            files.push(path);
        }
        for args in [&["tree"][..], &["graph"][..]] {
            let small = best(|| time_of(args, &files[0]));
            let large = best(|| time_of(args, &files[1]));
            assert_linear(&format!("{args:?} {shape}"), small, large);
        }
        let frame = |path: &std::path::Path| {
            best(|| {
                let snapshot = nsviz::source::read_file(path).unwrap();
                let start = thread_cpu();
                let app = App::with_snapshot(snapshot, "crafted", Rect::new(0, 0, 120, 40));
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
                terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
                thread_cpu() - start
            })
        };
        assert_linear(
            &format!("first frame {shape}"),
            frame(&files[0]),
            frame(&files[1]),
        );
    }
}
