//! Under heavy process churn (a helper forks, as fast as it can, processes that unshare, setns
//! and open nsfs fds, then exit), `nsviz list --json` and `nsviz snapshot` run again and again
//! and never fail: vanished processes and fds are counted, not fatal.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

/// The churning helper: python3 (a witness tool, not nsviz) calling libc through ctypes.
/// Bounded in time by itself, and killed with its process group when the guard drops.
const CHURN: &str = r#"
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
NEWUTS, NEWIPC, NEWNET = 0x04000000, 0x08000000, 0x40000000
own_uts = os.open("/proc/self/ns/uts", os.O_RDONLY)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    pid = os.fork()
    if pid == 0:
        try:
            libc.unshare(NEWUTS | NEWIPC | NEWNET)
            held = os.open("/proc/self/ns/net", os.O_RDONLY)
            also = os.open("/proc/self/ns/ipc", os.O_RDONLY)
            libc.setns(own_uts, NEWUTS)
            if os.fork() == 0:
                libc.unshare(NEWUTS)
                os._exit(0)
            os.wait()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
"#;

#[test]
fn list_and_snapshot_never_fail_under_churn() {
    if !common::require_root("create namespaces in the churning helper") {
        return;
    }
    let mut churn = common::Background::spawn(Command::new("python3").args(["-c", CHURN, "60"]));
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_secs(8) || runs < 6 {
        let args: &[&str] = if runs % 2 == 0 {
            &["list", "--json"]
        } else {
            &["snapshot", "--compact"]
        };
        let out = common::nsviz().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed under churn: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} wrote invalid JSON under churn: {e}"));
        assert!(
            value["namespaces"]
                .as_array()
                .is_some_and(|n| !n.is_empty())
        );
        runs += 1;
    }
    // The helper churned all along (it did not stop on an error).
    assert!(
        churn.child.try_wait().unwrap().is_none(),
        "the churning helper ended early"
    );
}

/// Resident memory of this process, in KiB (the test harness, with the viewer inside it).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split(' ').nth(1).unwrap().parse().unwrap();
    pages * 4
}

#[test]
fn the_viewer_keeps_running_with_bounded_memory_under_churn() {
    if !common::require_root("create namespaces in the churning helper") {
        return;
    }
    let mut churn = common::Background::spawn(Command::new("python3").args(["-c", CHURN, "60"]));
    let options = nsviz::scan::ScanOptions::new(std::path::Path::new("/proc"));
    let mut app = nsviz::tui::app::App::with_snapshot(
        nsviz::scan::scan(&options).unwrap(),
        "live",
        Rect::new(0, 0, 120, 40),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut frame = |app: &nsviz::tui::app::App| {
        terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    };
    // Warm up (allocator pools, first scans), then measure growth over many more rescans.
    for _ in 0..5 {
        app.set_snapshot(
            Arc::new(nsviz::scan::scan(&options).unwrap()),
            Instant::now(),
        );
        frame(&app);
    }
    let before = rss_kib();
    let start = Instant::now();
    let mut scans = 0;
    while start.elapsed() < Duration::from_secs(8) || scans < 10 {
        let snapshot = nsviz::scan::scan(&options).expect("a scan under churn");
        app.set_snapshot(Arc::new(snapshot), Instant::now());
        app.tick(Instant::now());
        frame(&app);
        scans += 1;
    }
    let grown = rss_kib().saturating_sub(before);
    assert!(
        grown < 32 * 1024,
        "memory grew by {grown} KiB over {scans} rescans"
    );
    assert!(
        churn.child.try_wait().unwrap().is_none(),
        "the churning helper ended early"
    );
}
