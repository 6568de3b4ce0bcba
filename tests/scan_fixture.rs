//! The scanner on fixture proc trees: parsing, grouping, and the cases a live host makes hard
//! to arrange (a vanished process, unreadable links, a zombie, odd link targets).

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;

use nsviz::model::{FdRef, NsType};
use nsviz::scan::{ScanOptions, scan};

const HOST: [(&str, u64); 8] = [
    ("user", 4026531837),
    ("mnt", 4026531841),
    ("pid", 4026531836),
    ("net", 4026531840),
    ("uts", 4026531838),
    ("ipc", 4026531839),
    ("cgroup", 4026531835),
    ("time", 4026531834),
];

/// A process directory: status, cmdline, an empty fd/ and ns links (the host's, with overrides).
fn process(root: &Path, pid: i32, name: &str, extra_status: &str, ns: &[(&str, &str)]) {
    let dir = root.join(pid.to_string());
    std::fs::create_dir_all(dir.join("ns")).unwrap();
    std::fs::create_dir_all(dir.join("fd")).unwrap();
    std::fs::write(
        dir.join("status"),
        format!("Name:\t{name}\nState:\tS (sleeping)\nPPid:\t1\nUid:\t0\t0\t0\t0\n{extra_status}"),
    )
    .unwrap();
    std::fs::write(dir.join("cmdline"), format!("{name}\0--flag\0")).unwrap();
    for (ty, id) in HOST {
        let target = ns
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, target)| target.to_string())
            .unwrap_or_else(|| format!("{ty}:[{id}]"));
        symlink(&target, dir.join("ns").join(ty)).unwrap();
    }
    for (ty, target) in ns.iter().filter(|(t, _)| t.ends_with("_for_children")) {
        symlink(target, dir.join("ns").join(ty)).unwrap();
    }
}

fn build_tree(root: &Path) {
    symlink("100", root.join("self")).unwrap();
    std::fs::create_dir_all(root.join("sys")).unwrap();
    process(root, 1, "init", "", &[]);
    process(root, 2, "kthreadd", "PPid:\t0\nKthread:\t1\n", &[]);
    // The scanner itself: own net ns, an nsfs fd, a socket, a second thread in another uts ns,
    // and an nsfs bind mount in its (the host's) mount namespace.
    process(
        root,
        100,
        "nsviz",
        "Threads:\t2\n",
        &[("net", "net:[4026532000]")],
    );
    let me = root.join("100");
    symlink("net:[4026532500]", me.join("fd/3")).unwrap();
    symlink("socket:[123]", me.join("fd/4")).unwrap();
    symlink("/dev/null", me.join("fd/5")).unwrap();
    std::fs::write(
        me.join("mountinfo"),
        "22 1 0:21 / /proc rw - proc proc rw\n\
         600 30 0:4 uts:[4026532600] /run/x rw shared:7 - nsfs nsfs rw\n",
    )
    .unwrap();
    std::fs::create_dir_all(me.join("task/100")).unwrap();
    std::fs::create_dir_all(me.join("task/101/ns")).unwrap();
    for (ty, id) in HOST {
        let id = if ty == "uts" { 4026532700 } else { id };
        symlink(format!("{ty}:[{id}]"), me.join(format!("task/101/ns/{ty}"))).unwrap();
    }
    // A zombie: its links are gone, and that is not a skip.
    let zombie = root.join("200");
    std::fs::create_dir_all(zombie.join("ns")).unwrap();
    std::fs::write(
        zombie.join("status"),
        "Name:\tdead\nState:\tZ (zombie)\nPPid:\t1\n",
    )
    .unwrap();
    // Vanished: the directory is there, nothing in it can be read.
    std::fs::create_dir_all(root.join("300")).unwrap();
    // Unreadable and odd links: a target that is no namespace, and one of the wrong type.
    process(
        root,
        400,
        "odd",
        "",
        &[("net", "garbage"), ("user", "net:[5]")],
    );
    // After unshare(CLONE_NEWPID): pid_for_children differs.
    process(
        root,
        500,
        "unsharer",
        "",
        &[
            ("pid_for_children", "pid:[4026532800]"),
            ("time_for_children", "time:[4026531834]"),
        ],
    );
    // Untrusted bytes in names and arguments.
    process(
        root,
        600,
        "bad\u{1b}name",
        "Uid:\t65534\t65534\t65534\t65534\n",
        &[],
    );
    std::fs::write(root.join("600/cmdline"), b"a\xffb\0").unwrap();
    // Another mount namespace: its own nsfs mount, and a copy of ours (deduplicated).
    process(root, 700, "other", "", &[("mnt", "mnt:[4026532900]")]);
    std::fs::write(
        root.join("700/mountinfo"),
        "601 30 0:4 net:[4026533000] /run/netns/other rw - nsfs nsfs rw\n\
         602 30 0:4 uts:[4026532600] /run/x rw - nsfs nsfs rw\n",
    )
    .unwrap();
    // A process whose fd table and thread list cannot be read.
    process(root, 800, "nofds", "Threads:\t3\n", &[]);
    std::fs::remove_dir(root.join("800/fd")).unwrap();
}

#[test]
fn fixture_tree_is_grouped_with_every_holder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_tree(root);
    let snap = scan(&ScanOptions::new(root)).unwrap();
    let roots = root.to_str().unwrap();

    let pids: Vec<i32> = snap.processes.iter().map(|p| p.pid).collect();
    assert_eq!(pids, [1, 2, 100, 200, 400, 500, 600, 700, 800]);
    assert_eq!(snap.skipped.processes, 1, "300 vanished");
    assert_eq!(snap.skipped.links, 2, "400: garbage and a wrong type");
    assert_eq!(snap.skipped.fds, 1, "800 has no fd table");
    assert_eq!(snap.skipped.tasks, 1, "800 has threads but no task list");
    assert_eq!(snap.skipped.mountinfo, 0);
    assert_eq!(snap.host.scanner_pid, 100);
    assert_eq!(snap.host.proc_root, roots);

    // Sorted, and the host namespaces from kthreadd.
    let keys: Vec<_> = snap.namespaces.iter().map(|n| (n.ns_type, n.id)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(snap.initial.get(&NsType::Net), Some(&4026531840));
    assert_eq!(snap.initial.get(&NsType::Mnt), Some(&4026531841));

    let host_net = snap.namespace(NsType::Net, 4026531840).unwrap();
    assert_eq!(host_net.processes, [1, 2, 500, 600, 700, 800]);
    let host_user = snap.namespace(NsType::User, 4026531837).unwrap();
    assert_eq!(
        host_user.processes,
        [1, 2, 100, 500, 600, 700, 800],
        "400's user link is odd"
    );
    assert!(snap.namespace(NsType::Net, 5).is_none());

    let p400 = snap.process(400).unwrap();
    assert!(!p400.ns.contains_key(&NsType::Net) && !p400.ns.contains_key(&NsType::User));
    assert_eq!(p400.ns.len(), 6);
    let zombie = snap.process(200).unwrap();
    assert!(zombie.ns.is_empty() && zombie.cmdline.is_empty());

    let fd_held = snap.namespace(NsType::Net, 4026532500).unwrap();
    assert_eq!(fd_held.fds, [FdRef { pid: 100, fd: 3 }]);
    assert!(fd_held.processes.is_empty());
    assert!(
        fd_held.sockets.is_empty(),
        "no socket work on a fixture tree"
    );

    let mounted = snap.namespace(NsType::Uts, 4026532600).unwrap();
    assert_eq!(
        mounted.mounts,
        ["/run/x"],
        "ours as-is, the copy in 700 deduplicated"
    );
    let foreign = snap.namespace(NsType::Net, 4026533000).unwrap();
    assert_eq!(
        foreign.mounts,
        [format!("{roots}/700/root/run/netns/other")]
    );

    let thread = snap.namespace(NsType::Uts, 4026532700).unwrap();
    assert_eq!(thread.tasks, [101]);
    assert!(thread.processes.is_empty());

    let p500 = snap.process(500).unwrap();
    assert_eq!(p500.pid_for_children, Some(4026532800));
    assert_eq!(
        p500.time_for_children, None,
        "same as its own: not recorded"
    );
    let child_pid = snap.namespace(NsType::Pid, 4026532800).unwrap();
    assert_eq!(child_pid.for_children, [500]);

    let p600 = snap.process(600).unwrap();
    assert_eq!(p600.cmdline, ["a\\xffb"]);
    assert_eq!(
        p600.comm, "bad\u{1b}name",
        "kept as read; escaped on display"
    );
    assert_eq!(p600.uid, 65534);
    assert_eq!(snap.process(100).unwrap().cmdline, ["nsviz", "--flag"]);

    // No ioctl could apply: the relations are simply unknown.
    assert!(
        snap.namespaces
            .iter()
            .all(|n| n.parent.is_none() && n.owner.is_none())
    );
}

#[test]
fn list_on_a_fixture_tree_shows_holders_and_the_skipped_footer() {
    let dir = tempfile::tempdir().unwrap();
    build_tree(dir.path());
    let rootp = dir.path().to_str().unwrap();
    let listed = common::run_ok(common::nsviz().args(["list", "--proc", rootp]));
    let table = String::from_utf8(listed.stdout).unwrap();
    let stderr = String::from_utf8(listed.stderr).unwrap();
    let line = |id: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("{id} missing:\n{table}"))
            .to_string()
    };
    assert!(line("4026532500").contains("fd 3 of PID 100"), "{table}");
    assert!(line("4026532600").contains("mounted at /run/x"), "{table}");
    assert!(line("4026532700").contains("thread 101"), "{table}");
    assert!(
        line("4026532800").contains("pid_for_children of PID 500"),
        "{table}"
    );
    assert!(
        !table.contains('\u{1b}'),
        "terminal escapes must be escaped:\n{table}"
    );
    // The footer is on stderr (the table stays lsns's); its hint depends on who runs the test.
    let footer = stderr.lines().last().unwrap_or_default();
    assert!(
        footer.starts_with(
            "5 items could not be read (1 process, 2 namespace links, 1 thread list, 1 fd table): "
        ),
        "{stderr}"
    );

    let json: serde_json::Value = serde_json::from_str(&common::stdout_of(
        common::nsviz().args(["list", "--json", "--proc", rootp]),
    ))
    .unwrap();
    assert_eq!(json["skipped"], 5);
    let entry = json["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["ns"] == 4026532500u64)
        .unwrap();
    assert_eq!(entry["nprocs"], 0);
    assert_eq!(entry["pid"], 0);
    assert_eq!(entry["path"], format!("{rootp}/100/fd/3"));
    assert_eq!(
        entry["netnsid"],
        serde_json::Value::Null,
        "unknown on a fixture"
    );

    // -p keeps the namespaces the process is in (400 has six readable links).
    let of_400 = common::stdout_of(
        common::nsviz().args(["list", "-n", "-p", "400", "-o", "type", "--proc", rootp]),
    );
    assert_eq!(of_400.lines().count(), 6, "{of_400}");
    assert!(
        !of_400.contains("net") && !of_400.contains("user"),
        "{of_400}"
    );

    let net_only = common::stdout_of(common::nsviz().args([
        "list",
        "-n",
        "-t",
        "net",
        "-o",
        "ns,nprocs",
        "--proc",
        rootp,
    ]));
    let rows: Vec<&str> = net_only.lines().collect();
    assert_eq!(rows.len(), 4, "{net_only}");
    assert!(
        rows.iter()
            .any(|r| r.split_whitespace().collect::<Vec<_>>() == ["4026531840", "6"])
    );
}

#[test]
fn unreadable_proc_root_is_one_sentence() {
    let out = common::nsviz()
        .args(["list", "--proc", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "nsviz: cannot read /nonexistent: no such file or directory"
    );
    let bad_col = common::nsviz()
        .args(["list", "-o", "ns,bogus"])
        .output()
        .unwrap();
    assert_eq!(bad_col.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_col.stderr).contains("unknown column 'bogus'"));
}

/// A snapshot with the fields that differ between two scans of the same tree cleared.
fn timeless(mut snap: nsviz::model::Snapshot) -> nsviz::model::Snapshot {
    snap.scan_micros = 0;
    snap.host.taken_at = 0;
    snap
}

/// The viewer's rescans replay known processes instead of reading them again: on an unchanged
/// tree the result is exactly a full scan's (holders of every kind and the skipped counts
/// included); a process that appears is read at once, one that vanishes is gone at once.
#[test]
fn a_rescan_replays_known_processes_and_reads_new_ones() {
    use nsviz::scan::Rescanner;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_tree(root);
    let full = timeless(scan(&ScanOptions::new(root)).unwrap());
    let mut rescanner = Rescanner::new(ScanOptions::new(root));
    let first = rescanner.scan(1000).unwrap();
    assert_eq!(first.read, 10, "the first scan reads every pid directory");
    // Round 1 of 1000: pid 1 is due; the unreadable 300 is tried again; the rest is replayed.
    let second = rescanner.scan(1000).unwrap();
    assert_eq!(second.read, 2, "pids 1 and 300");
    assert_eq!(timeless((*second.snapshot).clone()), full);

    // A new process in a new uts namespace; the odd one (400) is gone.
    process(root, 900, "newcomer", "", &[("uts", "uts:[4026533100]")]);
    std::fs::remove_dir_all(root.join("400")).unwrap();
    let third = rescanner.scan(1000).unwrap();
    assert_eq!(
        third.read, 3,
        "pid 2 (due in round 2), the new 900, the unreadable 300"
    );
    assert_eq!(
        timeless((*third.snapshot).clone()),
        timeless(scan(&ScanOptions::new(root)).unwrap())
    );
    let uts = third.snapshot.namespace(NsType::Uts, 4026533100).unwrap();
    assert_eq!(uts.processes, vec![900]);
    assert!(third.snapshot.process(400).is_none());

    // Pid 600 exits and a new process gets its pid (a new directory, so a new inode number):
    // it is read, not replayed, though pid 600 is not due.
    process(root, 601, "reuser", "", &[("ipc", "ipc:[4026533500]")]);
    std::fs::remove_dir_all(root.join("600")).unwrap();
    std::fs::rename(root.join("601"), root.join("600")).unwrap();
    let fourth = rescanner.scan(1000).unwrap();
    let reused = fourth.snapshot.process(600).unwrap();
    assert_eq!(reused.comm, "reuser");
    assert_eq!(reused.ns[&NsType::Ipc], 4026533500);
    assert_eq!(
        timeless((*fourth.snapshot).clone()),
        timeless(scan(&ScanOptions::new(root)).unwrap())
    );
}

/// A known process changing namespace in place (setns, or unshare then exec) is not seen by a
/// rescan that replays it; every process is read again within `passes` rescans.
#[test]
fn a_rescan_reads_every_known_process_again_within_its_passes() {
    use nsviz::scan::Rescanner;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_tree(root);
    let mut rescanner = Rescanner::new(ScanOptions::new(root));
    rescanner.scan(3).unwrap();
    let link = root.join("700/ns/uts");
    std::fs::remove_file(&link).unwrap();
    symlink("uts:[4026533200]", &link).unwrap();
    let uts_of_700 = |snap: &nsviz::model::Snapshot| snap.process(700).unwrap().ns[&NsType::Uts];
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(uts_of_700(&rescanner.scan(3).unwrap().snapshot));
    }
    // 700 % 3 == 1: rounds 1 and 2 follow the first scan, then 0; it is read in the first.
    assert_eq!(seen, vec![4026533200; 3]);
    let mut other = Rescanner::new(ScanOptions::new(root));
    other.scan(3).unwrap();
    std::fs::remove_file(&link).unwrap();
    symlink("uts:[4026533300]", &link).unwrap();
    let _ = other.scan(3).unwrap(); // round 1: 700 is read
    std::fs::remove_file(&link).unwrap();
    symlink("uts:[4026533400]", &link).unwrap();
    let stale = uts_of_700(&other.scan(3).unwrap().snapshot); // round 2: replayed
    let fresh = uts_of_700(&other.scan(3).unwrap().snapshot); // round 0: replayed
    let again = uts_of_700(&other.scan(3).unwrap().snapshot); // round 1: read
    assert_eq!((stale, fresh, again), (4026533300, 4026533300, 4026533400));
}

/// When /proc/loadavg says no process started or ended, a rescan re-reads only the processes
/// due and the nsfs mounts, and keeps the last snapshot (the same one) if they are unchanged.
#[test]
fn a_quiet_rescan_keeps_the_snapshot_until_something_it_reads_changes() {
    use nsviz::scan::Rescanner;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    build_tree(root);
    let loadavg = |tasks: u32, last: u32| {
        std::fs::write(
            root.join("loadavg"),
            format!("0.00 0.01 0.05 1/{tasks} {last}\n"),
        )
        .unwrap()
    };
    loadavg(10, 800);
    let mut rescanner = Rescanner::new(ScanOptions::new(root));
    let first = rescanner.scan(3).unwrap(); // round 0: full
    let quiet = rescanner.scan(3).unwrap(); // round 1: pids 1, 100, 400, 700 are due
    assert!(Arc::ptr_eq(&first.snapshot, &quiet.snapshot));
    assert_eq!(quiet.read, 4);

    // A new nsfs mount: seen at once, though no process is due for it.
    std::fs::write(
        root.join("100/mountinfo"),
        "22 1 0:21 / /proc rw - proc proc rw\n\
         600 30 0:4 uts:[4026532600] /run/x rw shared:7 - nsfs nsfs rw\n\
         610 30 0:4 ipc:[4026533600] /run/y rw - nsfs nsfs rw\n",
    )
    .unwrap();
    let mounted = rescanner.scan(3).unwrap(); // round 2
    assert!(!Arc::ptr_eq(&quiet.snapshot, &mounted.snapshot));
    let ipc = mounted.snapshot.namespace(NsType::Ipc, 4026533600).unwrap();
    assert_eq!(ipc.mounts, vec!["/run/y".to_string()]);

    // Pid 700 moves to another uts namespace in place: seen in round 1, when it is due.
    let link = root.join("700/ns/uts");
    std::fs::remove_file(&link).unwrap();
    symlink("uts:[4026533700]", &link).unwrap();
    let uts_of_700 = |snap: &nsviz::model::Snapshot| snap.process(700).unwrap().ns[&NsType::Uts];
    let round_0 = rescanner.scan(3).unwrap();
    assert_eq!(uts_of_700(&round_0.snapshot), 4026531838, "replayed");
    let round_1 = rescanner.scan(3).unwrap();
    assert_eq!(uts_of_700(&round_1.snapshot), 4026533700, "read again");

    // A new process with loadavg saying so: read at once.
    process(root, 901, "later", "", &[]);
    loadavg(11, 901);
    let started = rescanner.scan(3).unwrap();
    assert!(started.snapshot.process(901).is_some());
    assert_eq!(
        timeless((*started.snapshot).clone()),
        timeless(scan(&ScanOptions::new(root)).unwrap())
    );
}
