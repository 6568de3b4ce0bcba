//! `nsviz spawn` against path tricks and failures: a symlink planted by another user is never
//! followed, `..` never creates anything outside a tmpfs of spawn's own, and a spawn that fails
//! (also at exec) leaves no kept namespace, bound file or symlink behind.

mod common;
mod ns_common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use ns_common::{is_mount_point, nsviz, unbind};

/// A temporary directory with a sticky, world-writable `pub` inside (like /tmp).
struct Sticky {
    dir: tempfile::TempDir,
}

impl Sticky {
    fn new() -> Sticky {
        let dir = ns_common::open_tempdir();
        let public = dir.path().join("pub");
        std::fs::create_dir(&public).unwrap();
        std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o1777)).unwrap();
        Sticky { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }
}

/// `ln -s TARGET LINK` run as nobody.
fn plant_link_as_nobody(target: &Path, link: &Path) {
    let out = common::as_nobody("ln")
        .arg("-s")
        .arg(target)
        .arg(link)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_planted_symlink_is_not_followed_by_spawn_type_file() {
    if !common::require_root("bind namespaces to files") {
        return;
    }
    let t = Sticky::new();
    let victim = t.path("victim");
    std::fs::write(&victim, "secret").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = t.path("pub/netfile");
    plant_link_as_nobody(&victim, &link);
    let _guard = common::Cleanup(|| unbind(&victim));

    let r = nsviz(&[
        "spawn",
        &format!("--net={}", t.s("pub/netfile")),
        "--",
        "true",
    ]);
    assert!(!is_mount_point(&victim), "the victim was over-mounted");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "secret");
    assert_eq!(r.code, Some(125), "{}", r.err);
    let line = r.one_error_line();
    assert!(line.contains("symbolic link"), "{line}");
}

#[test]
fn dot_dot_creates_no_mount_point_outside_a_tmpfs() {
    if !common::require_root("create mount namespaces") {
        return;
    }
    let t = Sticky::new();
    std::fs::create_dir(t.path("t")).unwrap();
    std::fs::create_dir(t.path("src")).unwrap();
    let r = nsviz(&[
        "spawn",
        "--tmpfs",
        &t.s("t"),
        "--bind",
        &t.s("src"),
        &format!("{}/../created-on-host", t.s("t")),
        "--",
        "true",
    ]);
    assert!(
        !t.path("created-on-host").exists(),
        "a mount point was made on the host"
    );
    assert_eq!(r.code, Some(125), "{}", r.err);
    r.one_error_line();

    let r = nsviz(&[
        "spawn",
        "--tmpfs",
        &t.s("t"),
        "--symlink",
        "x",
        &format!("{}/../newdir/lnk", t.s("t")),
        "--",
        "true",
    ]);
    assert!(
        !t.path("newdir").exists(),
        "a directory was made on the host"
    );
    assert_eq!(r.code, Some(125), "{}", r.err);
    r.one_error_line();
}

#[test]
fn a_symlink_inside_the_tmpfs_cannot_lead_mount_points_outside() {
    if !common::require_root("create mount namespaces") {
        return;
    }
    let t = Sticky::new();
    std::fs::create_dir(t.path("t")).unwrap();
    std::fs::create_dir(t.path("src")).unwrap();
    let r = nsviz(&[
        "spawn",
        "--tmpfs",
        &t.s("t"),
        "--symlink",
        t.dir.path().to_str().unwrap(),
        &format!("{}/out", t.s("t")),
        "--bind",
        &t.s("src"),
        &format!("{}/out/escaped", t.s("t")),
        "--",
        "true",
    ]);
    assert!(
        !t.path("escaped").exists(),
        "a mount point was made through a symlink"
    );
    assert_eq!(r.code, Some(125), "{}", r.err);
    r.one_error_line();
}

#[test]
fn a_command_that_cannot_be_executed_keeps_nothing() {
    if !common::require_root("keep namespaces") {
        return;
    }
    let t = Sticky::new();
    let script = t.path("not-executable");
    std::fs::write(&script, "#!/bin/sh\ntrue\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let name = common::unique("h4k");
    let _forget = common::Cleanup(|| {
        let _ = common::nsviz().args(["forget", &name]).output();
    });
    let r = nsviz(&[
        "spawn",
        "-u",
        "-n",
        "--keep",
        &name,
        "--",
        t.s("not-executable").as_str(),
    ]);
    assert_eq!(r.code, Some(126), "{}", r.err);
    r.one_error_line();
    assert!(
        !Path::new("/run/nsviz").join(&name).exists(),
        "the kept namespaces were left behind"
    );

    let bound = t.path("netfile");
    let _unbind = common::Cleanup(|| unbind(&bound));
    let r = nsviz(&[
        "spawn",
        &format!("--net={}", bound.display()),
        "--",
        t.s("not-executable").as_str(),
    ]);
    assert_eq!(r.code, Some(126), "{}", r.err);
    assert!(!is_mount_point(&bound), "the bound file was left mounted");
    assert!(!bound.exists(), "the file nsviz created was left behind");

    // A command that runs keeps them.
    let r = nsviz(&["spawn", "-u", "--keep", &name, "--", "true"]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(Path::new("/run/nsviz").join(&name).join("uts").exists());
}

#[test]
fn a_symlink_made_before_a_failing_flag_is_removed() {
    if !common::require_root("create mount namespaces") {
        return;
    }
    let t = Sticky::new();
    std::fs::create_dir(t.path("t")).unwrap();
    let r = nsviz(&[
        "spawn",
        "--symlink",
        "/etc/passwd",
        &t.s("lnk"),
        "--bind",
        "/nonexistent/nsviz-src",
        &t.s("t"),
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(125), "{}", r.err);
    r.one_error_line();
    assert!(
        std::fs::symlink_metadata(t.path("lnk")).is_err(),
        "the symlink was left behind"
    );
}

#[test]
fn a_symlink_made_before_a_failing_exec_is_removed() {
    if !common::require_root("create mount namespaces") {
        return;
    }
    let t = Sticky::new();
    let script = t.path("not-executable");
    std::fs::write(&script, "#!/bin/sh\ntrue\n").unwrap();
    for extra in [&[][..], &["-p"][..]] {
        let mut args = vec!["spawn"];
        args.extend_from_slice(extra);
        let link = t.s("lnk");
        let program = t.s("not-executable");
        args.extend_from_slice(&["--symlink", "/etc/passwd", &link, "--", &program]);
        let r = nsviz(&args);
        assert_eq!(r.code, Some(126), "{extra:?}: {}", r.err);
        r.one_error_line();
        assert!(
            std::fs::symlink_metadata(t.path("lnk")).is_err(),
            "{extra:?}: the symlink was left behind"
        );
    }
    // A command that runs keeps it: that is what --symlink is for.
    let r = nsviz(&[
        "spawn",
        "--symlink",
        "/etc/passwd",
        &t.s("lnk"),
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(std::fs::symlink_metadata(t.path("lnk")).is_ok());
}

#[test]
fn a_planted_symlink_earlier_in_the_path_is_not_followed() {
    if !common::require_root("bind namespaces to files") {
        return;
    }
    let t = Sticky::new();
    let victim_dir = t.path("victim-dir");
    std::fs::create_dir(&victim_dir).unwrap();
    std::fs::set_permissions(&victim_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    plant_link_as_nobody(&victim_dir, &t.path("pub/d"));
    let r = nsviz(&[
        "spawn",
        &format!("--uts={}", t.s("pub/d/utsfile")),
        "--",
        "true",
    ]);
    let created = victim_dir.join("utsfile");
    let _guard = common::Cleanup(|| unbind(&created));
    assert!(
        !created.exists(),
        "a file was created through the planted link"
    );
    assert_eq!(r.code, Some(125), "{}", r.err);
    let line = r.one_error_line();
    assert!(line.contains("symbolic link"), "{line}");

    // A link of the user's own in the same directory is followed, as the kernel's
    // protected_symlinks rule does.
    std::os::unix::fs::symlink(&victim_dir, t.path("pub/mine")).unwrap();
    let own = victim_dir.join("own");
    let _guard = common::Cleanup(|| unbind(&own));
    let r = nsviz(&[
        "spawn",
        &format!("--uts={}", t.s("pub/mine/own")),
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(is_mount_point(&own));
}

#[test]
fn enter_type_file_does_not_follow_a_planted_symlink() {
    if !common::require_root("enter namespaces") {
        return;
    }
    let t = Sticky::new();
    plant_link_as_nobody(Path::new("/proc/self/ns/net"), &t.path("pub/netfile"));
    let r = nsviz(&[
        "enter",
        &format!("--net={}", t.s("pub/netfile")),
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(125), "{}", r.err);
    let line = r.one_error_line();
    assert!(line.contains("symbolic link"), "{line}");

    // Our own link, and a /proc link named directly, are followed.
    std::os::unix::fs::symlink("/proc/self/ns/net", t.path("pub/mine")).unwrap();
    let r = nsviz(&["enter", &format!("--net={}", t.s("pub/mine")), "--", "true"]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let r = nsviz(&["enter", "--net=/proc/self/ns/net", "--", "true"]);
    assert_eq!(r.code, Some(0), "{}", r.err);
}
