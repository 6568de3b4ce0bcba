mod common;

#[test]
fn bad_flag_is_one_sentence_and_exit_2() {
    let out = common::nsviz()
        .args(["list", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--no-such-flag"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_type_names_the_value() {
    let out = common::nsviz()
        .args(["list", "-t", "bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown namespace type 'bogus'"), "{err}");
}

#[test]
fn missing_from_file_is_exit_2() {
    let out = common::nsviz()
        .args(["list", "--from", "/nonexistent/snap.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "nsviz: cannot read snapshot /nonexistent/snap.json: no such file or directory"
    );
}

#[test]
fn malformed_snapshot_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{ not json").unwrap();
    let out = common::nsviz()
        .arg("tree")
        .arg("--from")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not an nsviz snapshot"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn list_of_a_missing_pid_names_it() {
    // PIDs wrap at pid_max (at most 2^22), so this one cannot exist.
    let out = common::nsviz()
        .args(["list", "-p", "99999999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "nsviz: no process with PID 99999999"
    );
}
