//! Scenario 4: namespaces that outlive their processes (bound to files), entered later; mount
//! propagation; --map-root-user with setgroups denied; all eight types at once.
//! (docs/tutorials/4-persistent-namespaces.md)

mod common;
mod ns_common;

use std::path::Path;
use std::process::Command;

use ns_common::{
    BindFile, PRINT_LINKS, hostname, is_mount_point, link, nsviz, nsviz_as_nobody, parse_links,
};

#[test]
fn uts_bound_to_a_file_outlives_the_command_and_can_be_entered() {
    if !common::require_root("bind namespaces to files") {
        return;
    }
    let bound = BindFile::new("uts");
    let (file, f) = (&bound.path, bound.as_str());
    let name = common::unique("kept");
    let host_name = hostname();

    nsviz(&[
        "spawn",
        &format!("--uts={f}"),
        "--hostname",
        &name,
        "--",
        "true",
    ])
    .ok();
    assert!(is_mount_point(file), "{f} is not bound");
    assert_eq!(hostname(), host_name);

    let ours = nsviz(&["enter", &format!("--uts={f}"), "--", "hostname"]).ok();
    assert_eq!(ours.out.trim(), name);
    let theirs = common::stdout_of(
        Command::new("nsenter")
            .arg(format!("--uts={f}"))
            .arg("hostname"),
    );
    assert_eq!(theirs.trim(), name);
}

#[test]
fn time_offsets_are_visible_inside() {
    if !common::require_root("create time namespaces") {
        return;
    }
    let uptime = |text: &str| -> f64 { text.split_whitespace().next().unwrap().parse().unwrap() };
    let host_before = uptime(&std::fs::read_to_string("/proc/uptime").unwrap());
    let r = nsviz(&[
        "spawn",
        "--monotonic",
        "86400",
        "--boottime",
        "172800",
        "--",
        "sh",
        "-c",
        "cat /proc/self/timens_offsets; cat /proc/uptime",
    ])
    .ok();
    let lines = r.words();
    assert_eq!(lines[0], ["monotonic", "86400", "0"], "{}", r.out);
    assert_eq!(lines[1], ["boottime", "172800", "0"], "{}", r.out);
    // /proc/uptime is CLOCK_BOOTTIME: two days ahead of the host's.
    assert!(
        uptime(r.out.lines().nth(2).unwrap()) >= host_before + 172800.0,
        "{}",
        r.out
    );
}

/// The optional fields (shared:N, master:N) of the mount at `point` in a mountinfo text.
fn optional_fields(mountinfo: &str, point: &str) -> String {
    let line = mountinfo
        .lines()
        .find(|l| l.split(' ').nth(4) == Some(point))
        .unwrap_or_else(|| panic!("{point} not in\n{mountinfo}"));
    let fields: Vec<&str> = line.split(' ').collect();
    let end = fields.iter().position(|f| *f == "-").unwrap();
    fields[6..end].join(" ")
}

#[test]
fn mount_propagation_private_slave_shared() {
    if !common::require_root("mount a shared tmpfs") {
        return;
    }
    // A shared mount of our own, so the result does not depend on the host's setup.
    let dir = tempfile::tempdir().unwrap();
    let point = dir.path().to_str().unwrap().to_string();
    let _cleanup = common::Cleanup(|| {
        let _ = Command::new("umount").arg("-l").arg(&point).output();
    });
    common::run_ok(Command::new("mount").args(["-t", "tmpfs", "nsviz-test", &point]));
    common::run_ok(Command::new("mount").args(["--make-shared", &point]));
    let host = optional_fields(
        &std::fs::read_to_string("/proc/self/mountinfo").unwrap(),
        &point,
    );
    assert!(host.starts_with("shared:"), "{host}");

    for (propagation, expect) in [("private", ""), ("slave", "master:"), ("shared", "shared:")] {
        let r = nsviz(&[
            "spawn",
            "-m",
            "--propagation",
            propagation,
            "--",
            "cat",
            "/proc/self/mountinfo",
        ])
        .ok();
        let inside = optional_fields(&r.out, &point);
        if expect.is_empty() {
            assert_eq!(inside, "", "{propagation}");
        } else {
            assert!(inside.starts_with(expect), "{propagation}: {inside}");
        }
    }
    // A slave receives the host's peer group as its master.
    let r = nsviz(&[
        "spawn",
        "-m",
        "--propagation",
        "slave",
        "--",
        "cat",
        "/proc/self/mountinfo",
    ])
    .ok();
    let group = host.trim_start_matches("shared:");
    assert_eq!(optional_fields(&r.out, &point), format!("master:{group}"));
}

#[test]
fn map_root_user_denies_setgroups() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let r = nsviz_as_nobody(&[
        "spawn",
        "--map-root-user",
        "--",
        "sh",
        "-c",
        "cat /proc/self/setgroups /proc/self/uid_map /proc/self/gid_map; id -u",
    ])
    .ok();
    let words = r.words();
    assert_eq!(
        words,
        vec![
            vec!["deny"],
            vec!["0", "65534", "1"],
            vec!["0", "65534", "1"],
            vec!["0"]
        ]
    );
}

#[test]
fn all_eight_types_at_once_kept_and_entered_then_forgotten() {
    if !common::require_root("bind namespaces under /run/nsviz") {
        return;
    }
    let name = common::unique("all8");
    let keep_dir = Path::new("/run/nsviz").join(&name);
    let n = name.clone();
    let _cleanup = common::Cleanup(|| {
        let _ = common::nsviz().args(["forget", &n]).output();
    });
    let host_name = hostname();
    let r = nsviz(&[
        "spawn",
        "-U",
        "-m",
        "-p",
        "-n",
        "-u",
        "-i",
        "-C",
        "-T",
        "-r",
        "--mount-proc",
        "--hostname",
        &name,
        "--keep",
        &name,
        "--",
        "sh",
        "-c",
        PRINT_LINKS,
    ])
    .ok();
    let inside = parse_links(&r.out);
    assert_eq!(inside.len(), 8, "{}", r.out);
    for (t, l) in &inside {
        assert_ne!(*l, link(None, t), "{t} was not new");
    }

    // Every type is still there after the command exited, bound to the very same namespace.
    let listed = nsviz(&["forget"]).ok();
    let row = listed
        .out
        .lines()
        .find(|l| l.starts_with(&format!("{name}\t")))
        .unwrap_or_else(|| panic!("{name} not listed:\n{}", listed.out));
    assert_eq!(
        row.split('\t').nth(1),
        Some("user,mnt,pid,net,uts,ipc,cgroup,time")
    );
    for (t, l) in &inside {
        let file = keep_dir.join(if t == "mnt" { "mnt" } else { t });
        assert!(is_mount_point(&file), "{} not bound", file.display());
        let bound = common::stdout_of(Command::new("stat").args(["-L", "-c", "%i"]).arg(&file));
        assert!(
            l.contains(&format!("[{}]", bound.trim())),
            "{t}: {l} vs inode {bound}"
        );
    }

    // Entered later: by nsviz and by util-linux.
    let uts = keep_dir.join("uts");
    let user = keep_dir.join("user");
    let net = keep_dir.join("net");
    let r = nsviz(&[
        "enter",
        &format!("--user={}", user.display()),
        &format!("--uts={}", uts.display()),
        &format!("--net={}", net.display()),
        "--",
        "sh",
        "-c",
        "hostname; id -u; readlink /proc/self/ns/net",
    ])
    .ok();
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], name);
    assert_eq!(lines[1], "0");
    assert_eq!(
        Some(lines[2]),
        inside
            .iter()
            .find(|(t, _)| t == "net")
            .map(|(_, l)| l.as_str())
    );
    let theirs = common::stdout_of(
        Command::new("nsenter")
            .arg(format!("--uts={}", uts.display()))
            .arg("hostname"),
    );
    assert_eq!(theirs.trim(), name);
    assert_eq!(hostname(), host_name);

    nsviz(&["forget", &name]).ok();
    assert!(!keep_dir.exists());
    assert!(!nsviz(&["forget"]).ok().out.contains(&name));
}
