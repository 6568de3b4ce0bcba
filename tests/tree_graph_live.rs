//! `nsviz tree`, `graph` and `snapshot` against namespaces this test creates.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Background, Cleanup, ns_inode, nsviz, stdout_of, unique};

/// Starts `unshare ARGS sleep N` and waits until its innermost process is in new namespaces.
/// Returns the guard and the pid of the sleep.
fn hold(args: &[&str], marker: &str) -> (Background, i32) {
    let bg = Background::spawn(Command::new("unshare").args(args).args(["sleep", marker]));
    let mut sleeper = 0;
    let found = common::wait_until(Duration::from_secs(10), || {
        sleeper = find_process(&format!("sleep {marker}")).unwrap_or(0);
        sleeper != 0
    });
    assert!(found, "sleep {marker} did not start");
    (bg, sleeper)
}

/// The pid of the process whose command line is exactly `command`.
fn find_process(command: &str) -> Option<i32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        (text.trim_end() == command).then_some(pid)
    })
}

#[test]
fn tree_shows_mounted_and_nested_namespaces() {
    if !common::require_root("create network and user namespaces") {
        return;
    }
    let name = unique("nsviz-tree");
    common::run_ok(Command::new("ip").args(["netns", "add", &name]));
    let _netns = Cleanup(|| {
        let _ = Command::new("ip").args(["netns", "del", &name]).status();
    });
    let net_id = std::fs::metadata(format!("/run/netns/{name}")).map(|m| {
        use std::os::unix::fs::MetadataExt;
        m.ino()
    });
    let net_id = net_id.expect("netns file");
    let marker = format!("{}", 900_000 + std::process::id() % 99_999);
    let (_bg, sleeper) = hold(&["-U", "-r", "-p", "-f", "-u"], &marker);
    let user_id = ns_inode(sleeper, "user").unwrap();
    let pid_id = ns_inode(sleeper, "pid").unwrap();

    let tree = stdout_of(nsviz().args(["tree", "--by", "owner"]));
    assert!(
        tree.contains(&format!(
            "net {net_id} * [netns {name}] mounted at /run/netns/{name}"
        )),
        "{tree}"
    );
    let user_line = tree
        .lines()
        .find(|l| l.contains(&format!("user {user_id} *")))
        .expect("user ns line");
    assert!(user_line.contains("(owner uid 0)"), "{user_line}");
    // The pid namespace is owned by the new user namespace, so it sits beneath it.
    let lines: Vec<&str> = tree.lines().collect();
    let u = lines
        .iter()
        .position(|l| l.contains(&format!("user {user_id} *")))
        .unwrap();
    let p = lines
        .iter()
        .position(|l| l.contains(&format!("pid {pid_id} *")))
        .expect("pid ns line");
    assert!(p > u, "{tree}");
    let indent = |l: &str| l.chars().take_while(|c| !c.is_alphanumeric()).count();
    assert!(indent(lines[p]) > indent(lines[u]), "{tree}");

    let by_type = stdout_of(nsviz().args(["tree", "--by", "parent", "-t", "pid"]));
    assert!(
        by_type.contains(&format!(
            "pid {pid_id} * [sleep {marker}] 1 process: sleep {marker}: PID 1 is"
        )),
        "{by_type}"
    );
    assert!(!by_type.contains("net "), "{by_type}");

    let procs = stdout_of(nsviz().args(["tree", "--by", "process"]));
    let line = procs
        .lines()
        .find(|l| l.contains(&format!("{sleeper} sleep {marker}")))
        .expect("sleep line");
    assert!(line.ends_with(" [pid]"), "{line}");
    let unshare_line = procs
        .lines()
        .find(|l| l.contains("unshare -U -r -p -f -u sleep"))
        .expect("unshare line");
    assert!(unshare_line.ends_with(" [user uts]"), "{unshare_line}");
}

/// `nsviz snapshot -o FILE` of this host, and what FILE holds as JSON.
fn snapshot_to(file: &std::path::Path) -> serde_json::Value {
    common::run_ok(nsviz().args(["snapshot", "-o"]).arg(file));
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

#[test]
fn snapshot_round_trips_through_from() {
    if !common::require_root("read every process") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("host.json");
    let json = snapshot_to(&file);
    assert_eq!(json["version"], 2);
    assert!(json["namespaces"].as_array().unwrap().len() >= 8);
    let initial_user = json["initial"]["user"].as_u64().unwrap();
    assert_eq!(
        Some(initial_user),
        ns_inode(std::process::id() as i32, "user")
    );

    // Every command reads the file the same way it reads the host; two reads agree.
    let tree = |f: &std::path::Path| stdout_of(nsviz().args(["tree", "--from"]).arg(f));
    assert_eq!(tree(&file), tree(&file));
    let again = dir.path().join("again.json");
    common::run_ok(
        nsviz()
            .args(["snapshot", "--compact", "-o"])
            .arg(&again)
            .arg("--from")
            .arg(&file),
    );
    let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!(a, json);
}

#[test]
fn graph_formats_cover_every_namespace_shown() {
    if !common::require_root("read every process") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("host.json");
    let json = snapshot_to(&file);
    let ids: Vec<u64> = json["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_u64().unwrap())
        .collect();
    let dot = stdout_of(nsviz().args(["graph", "--from"]).arg(&file));
    let mermaid = stdout_of(
        nsviz()
            .args(["graph", "-f", "mermaid", "--from"])
            .arg(&file),
    );
    for id in ids {
        assert!(dot.contains(&format!("  ns{id} [label=")), "dot lacks {id}");
        assert!(
            mermaid.contains(&format!("  ns{id}[\"")),
            "mermaid lacks {id}"
        );
    }
}
