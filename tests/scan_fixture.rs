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
    let table = common::stdout_of(common::nsviz().args(["list", "--proc", rootp]));
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
    // The last line is the footer; its hint depends on who runs the test.
    let footer = table.lines().last().unwrap();
    assert!(
        footer.starts_with(
            "5 items could not be read (1 process, 2 namespace links, 1 thread list, 1 fd table): "
        ),
        "{table}"
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
