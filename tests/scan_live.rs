//! The scanner on this host finds what lsns cannot: namespaces held only by a bind mount, an
//! open fd, a socket, a single thread, a pid_for_children link, or a child namespace.
//! Each test makes its namespaces with ip/unshare/python3 and removes them when it ends.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Background, Cleanup, start_reporting};
use nsviz::model::{FdRef, NsType, Snapshot};
use nsviz::scan::{ScanOptions, scan};

fn scan_host() -> Snapshot {
    scan(&ScanOptions::new(std::path::Path::new("/proc"))).expect("scan /proc")
}

/// python3 with ctypes' unshare/setns (os.unshare needs Python 3.12).
fn python(code: &str) -> Command {
    let mut cmd = Command::new("python3");
    let prelude = "import ctypes, os, socket, sys, threading, time\n\
                   libc = ctypes.CDLL(None, use_errno=True)\n\
                   def check(r):\n    assert r == 0, os.strerror(ctypes.get_errno())\n";
    cmd.args(["-c", &format!("{prelude}{code}")]);
    cmd
}

fn first_child(pid: i32) -> Option<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn comm(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn numbers(line: &str) -> Vec<u64> {
    line.split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn netns_held_only_by_a_bind_mount() {
    if !common::require_root("run ip netns add") {
        return;
    }
    let name = common::unique("nsviz-scan");
    common::run_ok(Command::new("ip").args(["netns", "add", &name]));
    let _del = Cleanup(|| {
        let _ = Command::new("ip").args(["netns", "del", &name]).status();
    });
    let path = format!("/run/netns/{name}");
    let id = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
    let snap = scan_host();
    let ns = snap.namespace(NsType::Net, id).expect("bind-mounted netns");
    assert!(ns.processes.is_empty());
    assert!(ns.mounts.contains(&path), "{:?}", ns.mounts);
    assert_eq!(ns.owner, snap.initial.get(&NsType::User).copied());
    assert_eq!(ns.netnsid, Some(-1), "a new netns has no id in ours");
}

#[test]
fn uts_held_only_by_an_open_fd() {
    if !common::require_root("unshare a uts namespace") {
        return;
    }
    let (bg, line) = start_reporting(&mut python(
        "back = os.open('/proc/self/ns/uts', os.O_RDONLY)\n\
         check(libc.unshare(0x04000000))\n\
         fd = os.open('/proc/self/ns/uts', os.O_RDONLY)\n\
         check(libc.setns(back, 0x04000000))\n\
         print(os.fstat(fd).st_ino, fd, flush=True)\n\
         time.sleep(100)",
    ));
    let [id, fd] = numbers(&line)[..] else {
        panic!("{line}")
    };
    let snap = scan_host();
    let ns = snap
        .namespace(NsType::Uts, id)
        .expect("fd-held uts namespace");
    assert!(ns.processes.is_empty(), "{ns:?}");
    assert!(
        ns.fds.contains(&FdRef {
            pid: bg.pid(),
            fd: fd as i32
        }),
        "{ns:?}"
    );
    assert_eq!(ns.owner, snap.initial.get(&NsType::User).copied());
}

#[test]
fn uts_namespace_of_a_single_thread() {
    if !common::require_root("unshare a uts namespace in a thread") {
        return;
    }
    let (bg, line) = start_reporting(&mut python(
        "def run():\n    check(libc.unshare(0x04000000))\n    \
         tid = threading.get_native_id()\n    \
         print(os.stat(f'/proc/self/task/{tid}/ns/uts').st_ino, tid, flush=True)\n    \
         time.sleep(100)\n\
         threading.Thread(target=run).start()",
    ));
    let [id, tid] = numbers(&line)[..] else {
        panic!("{line}")
    };
    let snap = scan_host();
    let ns = snap
        .namespace(NsType::Uts, id)
        .expect("thread's uts namespace");
    assert_eq!(ns.tasks, [tid as i32]);
    assert!(ns.processes.is_empty());
    // The thread is shown with its process: the python that started it.
    let process = snap
        .process_of_thread(tid as i32)
        .expect("the thread's process is known");
    assert_eq!(process.pid, bg.pid());
}

#[test]
fn netns_kept_only_by_a_socket() {
    if !common::require_root("unshare a network namespace") {
        return;
    }
    let (bg, line) = start_reporting(&mut python(
        "back = os.open('/proc/self/ns/net', os.O_RDONLY)\n\
         check(libc.unshare(0x40000000))\n\
         ino = os.stat('/proc/self/ns/net').st_ino\n\
         s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
         check(libc.setns(back, 0x40000000))\n\
         os.close(back)\n\
         print(ino, s.fileno(), flush=True)\n\
         time.sleep(100)",
    ));
    let [id, fd] = numbers(&line)[..] else {
        panic!("{line}")
    };
    let snap = scan_host();
    let ns = snap.namespace(NsType::Net, id).expect("socket-held netns");
    assert_eq!(
        ns.sockets,
        [FdRef {
            pid: bg.pid(),
            fd: fd as i32
        }]
    );
    assert!(ns.processes.is_empty() && ns.fds.is_empty());
    // Sockets in the process's own namespace are not recorded.
    let own = common::ns_inode(bg.pid(), "net").unwrap();
    assert!(
        snap.namespace(NsType::Net, own)
            .unwrap()
            .sockets
            .iter()
            .all(|s| s.pid != bg.pid())
    );
}

#[test]
fn pid_for_children_that_differs() {
    if !common::require_root("unshare a pid namespace") {
        return;
    }
    // The link only opens once the namespace has its init, so a child is forked into it.
    let (bg, line) = start_reporting(&mut python(
        "check(libc.unshare(0x20000000))\n\
         child = os.fork()\n\
         if child == 0:\n    time.sleep(100)\n    os._exit(0)\n\
         time.sleep(0.2)\n\
         print(os.stat('/proc/self/ns/pid_for_children').st_ino, child, flush=True)\n\
         time.sleep(100)",
    ));
    let [id, child] = numbers(&line)[..] else {
        panic!("{line}")
    };
    let snap = scan_host();
    let p = snap.process(bg.pid()).unwrap();
    assert_eq!(p.pid_for_children, Some(id));
    assert_ne!(p.ns.get(&NsType::Pid), Some(&id));
    let ns = snap.namespace(NsType::Pid, id).unwrap();
    assert_eq!(ns.for_children, [bg.pid()]);
    assert_eq!(ns.processes, [child as i32]);
    assert_eq!(ns.parent, snap.initial.get(&NsType::Pid).copied());
    assert_eq!(snap.process(child as i32).unwrap().nspid, [child as i32, 1]);
}

#[test]
fn hidden_user_namespace_and_nested_pid_parents() {
    if !common::require_root("create nested user namespaces") {
        return;
    }
    // exec keeps one process, which moves on into the inner user namespace: the middle one
    // has no process left, only its child.
    let hidden = Background::spawn(Command::new("unshare").args([
        "-U",
        "-r",
        "sh",
        "-c",
        "exec unshare -U -r sleep 100",
    ]));
    // Two nested pid namespaces, each in a new user namespace.
    let nested = Background::spawn(Command::new("unshare").args([
        "-U", "-r", "-p", "-f", "unshare", "-U", "-r", "-p", "-f", "sleep", "100",
    ]));
    let host_user = common::ns_inode(std::process::id() as i32, "user").unwrap();
    assert!(common::wait_until(Duration::from_secs(10), || {
        let inner = common::ns_inode(hidden.pid(), "user");
        inner.is_some_and(|i| i != host_user) && comm(hidden.pid()) == "sleep"
    }));
    // unshare → (fork, exec) unshare → (fork, exec) sleep.
    let chain = || {
        let unshare2 = first_child(nested.pid())?;
        Some((unshare2, first_child(unshare2)?))
    };
    assert!(common::wait_until(Duration::from_secs(10), || {
        chain().is_some_and(|(_, s)| comm(s) == "sleep")
    }));
    let (unshare2, sleep_pid) = chain().unwrap();

    let snap = scan_host();
    // The hidden middle user namespace: parent of the inner one, no process.
    let inner_user = common::ns_inode(hidden.pid(), "user").unwrap();
    let inner = snap.namespace(NsType::User, inner_user).unwrap();
    let middle = snap
        .namespace(NsType::User, inner.parent.expect("inner has a parent"))
        .expect("hidden middle namespace is listed");
    assert!(middle.is_hidden(), "{middle:?}");
    assert_eq!(middle.parent, Some(host_user));
    assert_eq!(
        middle.owner,
        Some(host_user),
        "a user ns is owned by its parent"
    );
    assert_eq!(middle.owner_uid, Some(0));
    // Witness: lsns names the hidden namespace as the parent (PNS) and does not list it.
    let lsns = common::stdout_of(Command::new("lsns").args(["-n", "-o", "NS,PNS", "-t", "user"]));
    let pns_of = |id: u64| {
        lsns.lines()
            .map(|l| {
                l.split_whitespace()
                    .map(|n| n.parse::<u64>().unwrap())
                    .collect::<Vec<_>>()
            })
            .find(|v| v[0] == id)
            .map(|v| v[1])
    };
    assert_eq!(pns_of(inner_user), Some(middle.id));
    assert_eq!(pns_of(middle.id), None);

    // Nested pid namespaces: sleep's is the child of the second unshare's, which is the
    // child of the host's.
    let inner_pid = common::ns_inode(sleep_pid, "pid").unwrap();
    let outer_pid = common::ns_inode(unshare2, "pid").unwrap();
    assert_ne!(inner_pid, outer_pid);
    assert_eq!(
        snap.namespace(NsType::Pid, inner_pid).unwrap().parent,
        Some(outer_pid)
    );
    assert_eq!(
        snap.namespace(NsType::Pid, outer_pid).unwrap().parent,
        snap.initial.get(&NsType::Pid).copied()
    );
    let sleep = snap.process(sleep_pid).unwrap();
    assert_eq!(sleep.nspid.len(), 3, "{:?}", sleep.nspid);
    assert_eq!(sleep.nspid[0], sleep_pid);
}

#[test]
fn namespaces_made_in_a_user_namespace_are_owned_by_it() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let bg = Background::spawn(&mut common::unshare_every_type());
    let host_user = common::ns_inode(std::process::id() as i32, "user").unwrap();
    let child = || first_child(bg.pid());
    assert!(common::wait_until(Duration::from_secs(10), || {
        child().is_some_and(|c| comm(c) == "sleep")
    }));
    let sleep = child().unwrap();
    let snap = scan_host();
    let user = common::ns_inode(sleep, "user").unwrap();
    assert_ne!(user, host_user);
    assert_eq!(
        snap.namespace(NsType::User, user).unwrap().owner,
        Some(host_user)
    );
    for ns_type in NsType::ALL.into_iter().filter(|&t| t != NsType::User) {
        let id = common::ns_inode(sleep, ns_type.name()).unwrap();
        assert!(snap.differs_from_initial(ns_type, id), "{ns_type}");
        let ns = snap.namespace(ns_type, id).unwrap();
        assert_eq!(ns.owner, Some(user), "{ns_type}");
        assert!(ns.processes.contains(&sleep));
        assert!(ns.nsid.is_some(), "6.18 has NS_GET_ID");
    }
}

/// The viewer's rescans on the live host: a process started after the first scan is read at
/// once with its new namespace; a known one is replayed, and the kernel facts of its
/// namespaces (parent, owner, owner uid, ids) come from the previous scan and match a full
/// scan's; a process that exits is gone at the next rescan.
#[test]
fn a_rescan_of_the_host_matches_a_full_scan() {
    if !common::require_root("unshare user, uts and net namespaces") {
        return;
    }
    use nsviz::scan::Rescanner;
    let wait = Duration::from_secs(20);
    let known = Background::spawn(Command::new("unshare").args(["-U", "-u", "sleep", "1000"]));
    let a = known.pid();
    assert!(
        common::wait_until(wait, || common::in_other_ns(a, "uts")),
        "no uts ns"
    );
    let mut rescanner = Rescanner::new(ScanOptions::new(std::path::Path::new("/proc")));
    let first = rescanner.scan(1000).expect("scan");
    assert!(first.snapshot.process(a).is_some());

    let mut newcomer = Background::spawn(Command::new("unshare").args(["-n", "sleep", "1000"]));
    let b = newcomer.pid();
    assert!(
        common::wait_until(wait, || common::in_other_ns(b, "net")),
        "no net ns"
    );
    let again = rescanner.scan(1000).expect("rescan");
    let full = scan_host();
    assert!(
        again.read < again.snapshot.processes.len(),
        "most processes are replayed: read {} of {}",
        again.read,
        again.snapshot.processes.len()
    );
    let facts = |snap: &Snapshot, ty: NsType, id: u64| {
        let ns = snap
            .namespace(ty, id)
            .unwrap_or_else(|| panic!("{ty} {id} missing"));
        (ns.parent, ns.owner, ns.owner_uid, ns.nsid, ns.netnsid)
    };
    for (pid, ty, name) in [
        (a, NsType::User, "user"),
        (a, NsType::Uts, "uts"),
        (b, NsType::Net, "net"),
    ] {
        let id = common::ns_inode(pid, name).unwrap();
        let seen = again.snapshot.process(pid).expect("process in the rescan");
        assert_eq!(seen.ns.get(&ty), Some(&id));
        assert_eq!(
            facts(&again.snapshot, ty, id),
            facts(&full, ty, id),
            "{ty} {id}"
        );
        assert!(
            facts(&again.snapshot, ty, id).1.is_some(),
            "{ty} {id} has an owner"
        );
    }

    let net = common::ns_inode(b, "net").unwrap();
    let _ = newcomer.child.kill();
    let _ = newcomer.child.wait();
    let after = rescanner.scan(1000).expect("rescan");
    assert!(after.snapshot.process(b).is_none());
    assert!(
        after
            .snapshot
            .namespace(NsType::Net, net)
            .is_none_or(|ns| !ns.processes.contains(&b)),
        "the exited process still holds its net namespace"
    );
}
