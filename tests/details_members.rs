//! Details read from a member process's /proc files (user, mnt, time) and from the snapshot
//! (pid), on real namespaces this test makes, against witnesses: the files read by the test
//! itself, findmnt, nsenter.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Background, in_other_ns, start_reporting, wait_until};
use nsviz::model::details::Details;
use nsviz::model::{NsType, Pid, Snapshot};
use nsviz::scan::{ScanOptions, scan};

fn scan_details() -> Snapshot {
    scan(&ScanOptions::new(Path::new("/proc")).with_details()).expect("scan /proc")
}

/// The details of `pid`'s namespace of type `t`.
fn details_of(s: &Snapshot, pid: Pid, t: NsType) -> Details {
    let id = s.process(pid).expect("process scanned").ns[&t];
    s.namespace(t, id)
        .expect("namespace scanned")
        .details
        .clone()
        .expect("details read")
}

fn comm(pid: Pid) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn first_child(pid: Pid) -> Option<Pid> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Waits until `pid` runs sleep in a namespace of type `t` other than the test's.
fn wait_sleeping_in(pid: Pid, t: &str) {
    assert!(
        wait_until(Duration::from_secs(20), || comm(pid) == "sleep"
            && in_other_ns(pid, t)),
        "{pid} never ran sleep in a new {t} namespace"
    );
}

/// Starts `cmd` and waits until its first child runs sleep in a new `t` namespace.
fn child_sleeping_in(cmd: &mut Command, t: &str) -> (Background, Pid) {
    let bg = Background::spawn(cmd);
    let mut child = None;
    assert!(
        wait_until(Duration::from_secs(20), || {
            child = first_child(bg.pid());
            child.is_some_and(|c| comm(c) == "sleep" && in_other_ns(c, t))
        }),
        "{cmd:?}: no child sleeping in a new {t} namespace"
    );
    (bg, child.unwrap())
}

/// Lines of "a b c" numbers, as the test reads uid_map itself.
fn number_lines(text: &str) -> Vec<Vec<u64>> {
    text.lines()
        .map(|l| l.split_whitespace().map(|n| n.parse().unwrap()).collect())
        .collect()
}

#[test]
fn user_maps_of_an_unprivileged_namespace() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let mut cmd = common::as_nobody("unshare");
    cmd.args(["-U", "-r", "sleep", "100"]);
    let bg = Background::spawn(&mut cmd);
    let pid = bg.pid();
    wait_sleeping_in(pid, "user");

    let s = scan_details();
    let user = details_of(&s, pid, NsType::User)
        .user
        .expect("user section");
    for (map, file) in [(&user.uid_map, "uid_map"), (&user.gid_map, "gid_map")] {
        let witness =
            number_lines(&std::fs::read_to_string(format!("/proc/{pid}/{file}")).unwrap());
        let ours: Vec<Vec<u64>> = map
            .as_ref()
            .expect("map read")
            .iter()
            .map(|r| vec![r.inside.into(), r.outside.into(), r.count.into()])
            .collect();
        assert_eq!(ours, witness, "{file}");
    }
    assert_eq!(
        user.setgroups.as_deref(),
        Some(
            std::fs::read_to_string(format!("/proc/{pid}/setgroups"))
                .unwrap()
                .trim()
        )
    );
    assert_eq!(user.setgroups.as_deref(), Some("deny"));
    assert_eq!(
        user.root_sentence().as_deref(),
        Some("root inside is uid 65534 outside")
    );
    assert_eq!(user.maps_unknown, None);
}

#[test]
fn a_user_namespace_with_no_map_yet_has_empty_maps() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    // Without -r nothing writes the maps.
    let mut cmd = common::as_nobody("unshare");
    cmd.args(["-U", "sleep", "100"]);
    let bg = Background::spawn(&mut cmd);
    let pid = bg.pid();
    wait_sleeping_in(pid, "user");
    assert_eq!(
        std::fs::read_to_string(format!("/proc/{pid}/uid_map")).unwrap(),
        ""
    );

    let user = details_of(&scan_details(), pid, NsType::User)
        .user
        .expect("user section");
    assert_eq!(user.uid_map, Some(vec![]));
    assert_eq!(user.gid_map, Some(vec![]));
    assert_eq!(user.setgroups.as_deref(), Some("allow"));
    assert_eq!(user.root_sentence(), None);
}

/// The number of lines of /proc/PID/mountinfo, as findmnt counts them.
fn findmnt_count(pid: Pid) -> u32 {
    let out = common::stdout_of(Command::new("findmnt").args(["-N", &pid.to_string(), "-l", "-n"]));
    out.lines().count() as u32
}

#[test]
fn seed_000_a_bind_mount_in_a_new_mount_namespace_is_the_one_added() {
    if !common::require_root("make a mount namespace") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("first"), "FIRST\n").unwrap();
    std::fs::write(dir.path().join("second"), "SECOND\n").unwrap();
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        "mount --bind second first; exec sleep 100",
    ])
    .current_dir(dir.path());
    let bg = Background::spawn(&mut cmd);
    let pid = bg.pid();
    wait_sleeping_in(pid, "mnt");
    // Witness: the bind mount is seen inside, not outside.
    let inside = common::stdout_of(Command::new("nsenter").args([
        "-t",
        &pid.to_string(),
        "-m",
        "cat",
        dir.path().join("first").to_str().unwrap(),
    ]));
    assert_eq!(inside, "SECOND\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("first")).unwrap(),
        "FIRST\n"
    );

    let s = scan_details();
    let d = details_of(&s, pid, NsType::Mnt);
    let mnt = d.mnt.expect("mnt section");
    assert!(d.unreadable.is_empty(), "{:?}", d.unreadable);
    assert_eq!(mnt.added.len(), 1, "{:#?}", mnt.added);
    let added = &mnt.added[0];
    assert!(added.target.ends_with("/first"), "{added:?}");
    assert_eq!(Path::new(&added.target), dir.path().join("first"));
    assert!(added.bind);
    assert!(added.source.ends_with("/second"), "{added:?}");
    assert!(!mnt.new_root);
    assert!(mnt.changed.is_empty(), "{:#?}", mnt.changed);
    assert_eq!(mnt.propagation, "private");
    assert_eq!(mnt.root.as_deref(), Some("/"));
    assert_eq!(mnt.mount_count, findmnt_count(pid));

    // The host's own namespace differs from itself in nothing.
    let host = details_of(&s, std::process::id() as Pid, NsType::Mnt)
        .mnt
        .expect("host mnt section");
    assert!(host.added.is_empty() && host.removed.is_empty() && host.changed.is_empty());
    assert_eq!(host.mount_count, findmnt_count(std::process::id() as Pid));
}

#[test]
fn a_mount_remounted_read_only_inside_shows_as_changed() {
    if !common::require_root("make a mount namespace") {
        return;
    }
    // Witness: the host's /proc is writable.
    let host_options =
        common::stdout_of(Command::new("findmnt").args(["-n", "-o", "OPTIONS", "/proc"]));
    assert!(host_options.starts_with("rw"), "{host_options}");
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        "mount -o remount,ro,bind /proc; exec sleep 100",
    ]);
    let bg = Background::spawn(&mut cmd);
    let pid = bg.pid();
    wait_sleeping_in(pid, "mnt");
    let inside = common::stdout_of(Command::new("findmnt").args([
        "-N",
        &pid.to_string(),
        "-n",
        "-o",
        "OPTIONS",
        "/proc",
    ]));
    assert!(inside.starts_with("ro"), "{inside}");

    let mnt = details_of(&scan_details(), pid, NsType::Mnt)
        .mnt
        .expect("mnt section");
    let change = mnt
        .changed
        .iter()
        .find(|c| c.after.target == "/proc")
        .unwrap_or_else(|| panic!("/proc not changed: {:#?}", mnt.changed));
    assert!(!change.before.read_only && change.after.read_only);
    assert_eq!(change.before.device, change.after.device);
    assert!(mnt.added.is_empty(), "{:#?}", mnt.added);
    assert!(!mnt.new_root);
}

#[test]
fn seed_004_a_pivoted_root_shows_its_few_mounts() {
    if !common::require_root("build a new root") {
        return;
    }
    let mut cmd = common::nsviz();
    cmd.args([
        "spawn",
        "--new-root",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/lib",
        "/lib",
    ]);
    if Path::new("/usr/lib64").is_dir() {
        cmd.args(["--symlink", "usr/lib64", "/lib64"]);
    }
    cmd.args(["--tmpfs", "/tmp", "--proc", "/proc", "--", "sleep", "100"]);
    let bg = Background::spawn(&mut cmd);
    let pid = bg.pid();
    wait_sleeping_in(pid, "mnt");
    // Witness: the table findmnt shows through the process.
    let targets = common::stdout_of(Command::new("findmnt").args([
        "-N",
        &pid.to_string(),
        "-l",
        "-n",
        "-o",
        "TARGET",
    ]));
    let mut targets: Vec<&str> = targets.lines().collect();
    targets.sort();
    assert_eq!(targets, ["/", "/proc", "/tmp", "/usr"]);

    let s = scan_details();
    let mnt = details_of(&s, pid, NsType::Mnt).mnt.expect("mnt section");
    assert!(mnt.new_root);
    assert_eq!(mnt.mount_count, 4);
    assert_eq!(mnt.mount_count, findmnt_count(pid));
    let mut added: Vec<&str> = mnt.added.iter().map(|m| m.target.as_str()).collect();
    added.sort();
    assert_eq!(added, targets);
    assert!(mnt.removed.is_empty() && mnt.changed.is_empty());
    let usr = mnt.added.iter().find(|m| m.target == "/usr").unwrap();
    assert!(usr.bind && usr.read_only, "{usr:?}");
    let root = mnt.added.iter().find(|m| m.target == "/").unwrap();
    assert_eq!(root.fstype, "tmpfs");
    // Its root is a tmpfs only its own namespace has: not reachable from here.
    assert_eq!(mnt.root, None);
}

/// Seconds of /proc/uptime, read in `pid`'s time namespace (nsenter) or here.
fn uptime(pid: Option<Pid>) -> f64 {
    let text = match pid {
        Some(pid) => common::stdout_of(Command::new("nsenter").args([
            "-t",
            &pid.to_string(),
            "-T",
            "cat",
            "/proc/uptime",
        ])),
        None => std::fs::read_to_string("/proc/uptime").unwrap(),
    };
    text.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn time_offsets_of_a_new_time_namespace() {
    if !common::require_root("make a time namespace") {
        return;
    }
    let mut cmd = Command::new("unshare");
    cmd.args([
        "-T",
        "-f",
        "--boottime",
        "1000",
        "--monotonic",
        "500",
        "sleep",
        "100",
    ]);
    let (_bg, sleeper) = child_sleeping_in(&mut cmd, "time");
    let ahead = uptime(Some(sleeper)) - uptime(None);
    assert!(
        (999.0..1001.0).contains(&ahead),
        "boottime ahead by {ahead}"
    );

    let time = details_of(&scan_details(), sleeper, NsType::Time)
        .time
        .expect("time section");
    assert_eq!((time.boottime.secs, time.boottime.nanos), (1000, 0));
    assert_eq!((time.monotonic.secs, time.monotonic.nanos), (500, 0));
}

#[test]
fn time_offsets_are_read_through_a_process_whose_time_for_children_it_is() {
    if !common::require_root("make time namespaces") {
        return;
    }
    // python3 is the only member of namespace A (monotonic +500); it then unshares B
    // (monotonic +77) without exec'ing: its timens_offsets shows B's, not A's.
    let code = "import ctypes, os, time\n\
                libc = ctypes.CDLL(None, use_errno=True)\n\
                assert libc.unshare(0x80) == 0, os.strerror(ctypes.get_errno())\n\
                open('/proc/self/timens_offsets', 'w').write('monotonic 77 0\\n')\n\
                print(os.readlink('/proc/self/ns/time'), os.readlink('/proc/self/ns/time_for_children'), flush=True)\n\
                time.sleep(100)\n";
    let mut cmd = Command::new("unshare");
    cmd.args(["-T", "-f", "--monotonic", "500", "python3", "-c", code]);
    let (bg, line) = start_reporting(&mut cmd);
    let python = first_child(bg.pid()).expect("python3 runs");
    assert_eq!(
        line,
        format!(
            "{} {}",
            std::fs::read_link(format!("/proc/{python}/ns/time"))
                .unwrap()
                .display(),
            std::fs::read_link(format!("/proc/{python}/ns/time_for_children"))
                .unwrap()
                .display()
        )
    );

    let s = scan_details();
    let process = s.process(python).expect("python3 scanned");
    let a = process.ns[&NsType::Time];
    let b = process
        .time_for_children
        .expect("a time_for_children of its own");
    assert_ne!(a, b);
    let offsets = |id| {
        s.namespace(NsType::Time, id)
            .and_then(|n| n.details.clone())
            .and_then(|d| d.time)
            .unwrap_or_else(|| panic!("no offsets for {id}"))
    };
    assert_eq!(offsets(a).monotonic.secs, 500);
    assert_eq!(offsets(b).monotonic.secs, 77);
    assert_eq!(offsets(b).boottime.secs, 0);
}

#[test]
fn pid_namespace_init_and_level() {
    if !common::require_root("make a pid namespace") {
        return;
    }
    let mut cmd = Command::new("unshare");
    cmd.args(["-p", "-f", "--mount-proc", "sleep", "100"]);
    let (_bg, sleeper) = child_sleeping_in(&mut cmd, "pid");
    // Witness: NSpid says it is PID 1 one level down.
    let status = std::fs::read_to_string(format!("/proc/{sleeper}/status")).unwrap();
    let nspid: Vec<&str> = status
        .lines()
        .find_map(|l| l.strip_prefix("NSpid:"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(nspid, [sleeper.to_string().as_str(), "1"]);

    let s = scan_details();
    let ns = s.process(sleeper).unwrap().ns[&NsType::Pid];
    let pid = details_of(&s, sleeper, NsType::Pid)
        .pid
        .expect("pid section");
    assert_eq!(pid.level, 1);
    assert_eq!(pid.init_pid, Some(sleeper));
    assert_eq!(pid.init_command.as_deref(), Some("sleep 100"));
    assert_eq!(s.pid_inside(sleeper, ns), Some(1));
    assert_eq!(
        s.pid_inside(sleeper, s.initial[&NsType::Pid]),
        Some(sleeper)
    );

    let host = details_of(&s, std::process::id() as Pid, NsType::Pid)
        .pid
        .expect("host pid section");
    assert_eq!(host.level, 0);

    // --mount-proc put a new proc on /proc: another filesystem at the same target.
    let mnt = details_of(&s, sleeper, NsType::Mnt)
        .mnt
        .expect("mnt section");
    let change = mnt
        .changed
        .iter()
        .find(|c| c.after.target == "/proc")
        .unwrap_or_else(|| panic!("/proc not changed: {:#?}", mnt.changed));
    let witness = common::stdout_of(Command::new("findmnt").args([
        "-N",
        &sleeper.to_string(),
        "-n",
        "-o",
        "MAJ:MIN",
        "/proc",
    ]));
    assert_eq!(change.after.device, witness.lines().last().unwrap().trim());
    assert_ne!(change.before.device, change.after.device);
}
