//! `nsviz spawn --new-root` with bwrap's options: what output comparison with bwrap (the
//! corpus) cannot show: the JSON reports, file contents from an fd, and usage errors.

mod common;
mod ns_common;

use std::process::Command;

use ns_common::{Run, run};

const BASE: [&str; 5] = ["spawn", "--new-root", "--ro-bind", "/", "/"];

/// A child killed and reaped when dropped, also when the test fails.
struct Kill(std::process::Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `nsviz spawn --new-root --ro-bind / / ARGS` through sh, so that fds 3 and 4 can be
/// redirected in `redirect`.
fn spawn_sh(args: &str, redirect: &str) -> Run {
    let nsviz = common::nsviz_path();
    let line = format!(
        "{} {} {args} {redirect}",
        nsviz.to_str().unwrap(),
        BASE.join(" ")
    );
    run(Command::new("sh").args(["-c", &line]))
}

fn json_numbers(text: &str) -> Vec<(String, u64)> {
    let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
    value
        .as_object()
        .expect("an object")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("a number")))
        .collect()
}

#[test]
fn info_fd_names_the_command_and_its_new_namespaces() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("info");
    let status = dir.path().join("status");
    // The command prints its own namespaces; the report must name the same ones.
    let r = spawn_sh(
        "--unshare-uts --unshare-ipc --info-fd 3 --json-status-fd 4 -- sh -c 'stat -L -c %n=%i /proc/self/ns/ipc /proc/self/ns/mnt /proc/self/ns/uts /proc/self/ns/pid; exit 3'",
        &format!("3>{} 4>{}", info.display(), status.display()),
    );
    assert_eq!(r.code, Some(3), "{}", r.err);
    let inside: std::collections::BTreeMap<String, u64> = r
        .out
        .lines()
        .map(|l| {
            let (path, ino) = l.split_once('=').unwrap();
            let name = path.rsplit('/').next().unwrap().to_string();
            (name, ino.parse().unwrap())
        })
        .collect();
    let report = json_numbers(&std::fs::read_to_string(&info).unwrap());
    let names: Vec<&str> = report.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "child-pid",
            "ipc-namespace",
            "mnt-namespace",
            "uts-namespace"
        ]
    );
    for (key, ino) in &report[1..] {
        let t = key.trim_end_matches("-namespace");
        assert_eq!(Some(ino), inside.get(t), "{key}");
    }
    // The host's PID namespace was not replaced: not reported.
    assert!(report[0].1 > 1);

    let lines: Vec<String> = std::fs::read_to_string(&status)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(json_numbers(&lines[0]), report);
    assert_eq!(json_numbers(&lines[1]), [("exit-code".to_string(), 3)]);
}

#[test]
fn file_and_bind_data_hold_what_the_fd_gave_with_their_modes() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::write(&content, "line one\nline two\n").unwrap();
    let c = content.display();
    let r = spawn_sh(
        "--tmpfs /mnt --file 3 /mnt/copy --perms 0640 --ro-bind-data 4 /etc/hostname -- sh -c 'cat /mnt/copy /etc/hostname; stat -c %a /mnt/copy /etc/hostname; echo x > /etc/hostname || echo read-only'",
        &format!("3<{c} 4<{c} 2>&1"),
    );
    assert_eq!(r.code, Some(0), "{}", r.out);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(
        &lines[..6],
        ["line one", "line two", "line one", "line two", "666", "640"]
    );
    assert_eq!(lines.last(), Some(&"read-only"));
    // The host's file is untouched.
    assert_ne!(
        std::fs::read_to_string("/etc/hostname").unwrap(),
        "line one\nline two\n"
    );
}

#[test]
fn bad_option_combinations_are_usage_errors() {
    let cases: [&[&str]; 5] = [
        &["--perms", "0700", "true"],
        &["--perms", "0700", "--bind", "/", "/x", "true"],
        &["--perms", "99", "--dir", "/x", "true"],
        &["--file", "x", "/y", "true"],
        &["--setenv", "A=B", "c", "true"],
    ];
    for case in cases {
        let r = run(common::nsviz().args(BASE).args(case));
        assert_eq!(r.code, Some(2), "{case:?}: {}", r.err);
    }
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--chdir", "/", "-w", "/", "true"]));
    assert_eq!(r.code, Some(2), "{}", r.err);
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--unshare-nothing", "true"]));
    assert_eq!(r.code, Some(2), "{}", r.err);
}

#[test]
fn uid_without_a_user_namespace_is_refused_as_root() {
    if !common::require_root("run as root, where bwrap makes no user namespace unasked") {
        return;
    }
    let r = run(common::nsviz().args(BASE).args(["--uid", "5", "true"]));
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(
        r.err.contains("--uid and --gid need a new user namespace"),
        "{}",
        r.err
    );
}

#[test]
fn a_file_descriptor_that_is_not_open_is_named() {
    if !common::require_root("create namespaces") {
        return;
    }
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--file", "57", "/x", "true"]));
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot read file descriptor 57: bad file number"
    );
}

#[test]
fn without_root_a_new_root_gets_a_user_namespace_of_its_own() {
    // As bwrap: the caller's ids map to themselves, and --uid picks another inside.
    let r = ns_common::nsviz_as_nobody(&[
        "spawn",
        "--new-root",
        "--ro-bind",
        "/",
        "/",
        "--uid",
        "7",
        "--",
        "sh",
        "-c",
        "id -u; cat /proc/self/uid_map",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let words = r.words();
    assert_eq!(words[0], ["7"]);
    assert_eq!(words[1], ["7", "65534", "1"]);
}

/// A seccomp program that makes uname(2) fail with EPERM and allows everything else (on
/// another architecture than the one built for, everything is allowed).
fn uname_eperm_filter() -> Vec<u8> {
    let (arch, uname): (u32, u32) = if cfg!(target_arch = "aarch64") {
        (0xc000_00b7, 160)
    } else {
        (0xc000_003e, 63)
    };
    // (code, jt, jf, k): BPF_LD|BPF_W|BPF_ABS = 0x20, BPF_JMP|BPF_JEQ|BPF_K = 0x15,
    // BPF_RET|BPF_K = 0x06; seccomp_data: nr at 0, arch at 4.
    let program: [(u16, u8, u8, u32); 6] = [
        (0x20, 0, 0, 4),
        (0x15, 0, 3, arch),
        (0x20, 0, 0, 0),
        (0x15, 0, 1, uname),
        (0x06, 0, 0, 0x0005_0000 | libc::EPERM as u32),
        (0x06, 0, 0, 0x7fff_0000),
    ];
    let mut bytes = Vec::new();
    for (code, jt, jf, k) in program {
        bytes.extend(code.to_ne_bytes());
        bytes.extend([jt, jf]);
        bytes.extend(k.to_ne_bytes());
    }
    bytes
}

/// The uname filter in a file of its own directory (kept while the TempDir lives).
fn uname_eperm_filter_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let filter = dir.path().join("filter.bpf");
    std::fs::write(&filter, uname_eperm_filter()).unwrap();
    (dir, filter)
}

/// The two programs compared: nsviz's bwrap personality and bwrap, on `--ro-bind / /`.
fn nsviz_and_bwrap() -> [String; 2] {
    [
        format!("{} {}", common::nsviz_path().display(), BASE.join(" ")),
        "bwrap --ro-bind / /".to_string(),
    ]
}

/// `PROGRAM ARGS uname -s` with fd 3 reading `file`, through sh.
fn with_fd3(program: &str, args: &str, file: &std::path::Path) -> Run {
    run(Command::new("sh").args(["-c", &format!("{program} {args} 3<{}", file.display())]))
}

#[test]
fn seccomp_program_from_an_fd_applies_to_the_command_as_in_bwrap() {
    if !common::require_root("create namespaces") || !common::ensure_program("bwrap", "bubblewrap")
    {
        return;
    }
    let (_dir, filter) = uname_eperm_filter_file();
    let [nsviz, bwrap] = nsviz_and_bwrap();
    for program in [&nsviz, &bwrap] {
        let r = with_fd3(program, "--seccomp 3 -- uname -s", &filter);
        assert_eq!(r.code, Some(1), "{program}: {} {}", r.out, r.err);
        assert!(
            r.err.contains("Operation not permitted"),
            "{program}: {}",
            r.err
        );
        assert_eq!(r.out, "");
        // Other calls still work, and no_new_privs is set (the kernel's condition).
        let r = with_fd3(
            program,
            "--seccomp 3 -- grep -E 'NoNewPrivs|Seccomp:' /proc/self/status",
            &filter,
        );
        assert_eq!(
            r.words(),
            [["NoNewPrivs:", "1"], ["Seccomp:", "2"]],
            "{program}"
        );
        // Without the filter, uname works.
        let r = with_fd3(program, "-- uname -s", &filter);
        assert_eq!(r.out.trim(), "Linux", "{program}");
    }
}

#[test]
fn a_seccomp_program_that_is_not_whole_instructions_or_not_open_is_named() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("odd");
    std::fs::write(&odd, [0u8; 13]).unwrap();
    let nsviz = format!("{} {}", common::nsviz_path().display(), BASE.join(" "));
    let r = with_fd3(&nsviz, "--seccomp 3 -- true", &odd);
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: the seccomp program read from fd 3 is 13 bytes long, not a whole number of 8-byte instructions (struct sock_filter)"
    );
    let r = run(common::nsviz().args(BASE).args(["--seccomp", "57", "true"]));
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert!(
        r.one_error_line()
            .starts_with("nsviz: cannot read the seccomp program from fd 57"),
        "{}",
        r.err
    );
    for bad in [
        &["--seccomp", "x", "true"][..],
        &["--cap-add", "NET_ADMIN", "true"],
        &["--drop-caps", "--cap-add", "ALL", "true"],
    ] {
        let r = run(common::nsviz().args(BASE).args(bad));
        assert_eq!(r.code, Some(2), "{bad:?}: {}", r.err);
    }
}

/// The pids of processes whose command line is exactly `sleep SECONDS`.
fn sleeps(seconds: &str) -> Vec<i32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if cmdline == format!("sleep\0{seconds}\0").as_bytes() {
            found.push(pid);
        }
    }
    found
}

#[test]
fn die_with_parent_kills_the_command_when_the_caller_dies_as_in_bwrap() {
    if !common::require_root("create namespaces") || !common::ensure_program("bwrap", "bubblewrap")
    {
        return;
    }
    let nsviz = format!("{} {}", common::nsviz_path().display(), BASE.join(" "));
    let bwrap = "bwrap --ro-bind / /".to_string();
    // A distinct duration per case names its sleep, whatever PID namespace it is in.
    let cases = [
        (&nsviz, "", "3001"),
        (&nsviz, "--unshare-pid", "3002"),
        (&bwrap, "", "3003"),
        (&bwrap, "--unshare-pid", "3004"),
    ];
    for (program, extra, seconds) in cases {
        // The shell stays the parent (`; true` keeps it from exec'ing the program).
        let line = format!("{program} {extra} --die-with-parent -- sleep {seconds}; true");
        let caller = common::Background::spawn(Command::new("sh").args(["-c", &line]));
        let _kill_leftovers = common::Cleanup(|| {
            for pid in sleeps(seconds) {
                let _ = rustix::process::kill_process(
                    rustix::process::Pid::from_raw(pid).unwrap(),
                    rustix::process::Signal::KILL,
                );
            }
        });
        let started = common::wait_until(std::time::Duration::from_secs(10), || {
            !sleeps(seconds).is_empty()
        });
        assert!(started, "{line}: the command did not start");
        rustix::process::kill_process(
            rustix::process::Pid::from_raw(caller.pid()).unwrap(),
            rustix::process::Signal::KILL,
        )
        .unwrap();
        let gone = common::wait_until(std::time::Duration::from_secs(5), || {
            sleeps(seconds).is_empty()
        });
        assert!(gone, "{line}: the command outlived its caller");
    }
}

/// bwrap's bind flags hold also without --new-root (`-m --bind SRC DST`): --bind adds nosuid
/// and nodev, --dev-bind nosuid only, to the mount and those below it.
#[test]
fn binds_without_a_new_root_get_bwraps_flags() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    let options = |flag: &str, dst: &std::path::Path| {
        let r = run(Command::new(common::nsviz_path()).args([
            "spawn".as_ref(),
            "-m".as_ref(),
            flag.as_ref(),
            "/dev".as_ref(),
            dst.as_os_str(),
            "findmnt".as_ref(),
            "-n".as_ref(),
            "-o".as_ref(),
            "OPTIONS".as_ref(),
            dst.as_os_str(),
        ] as [&std::ffi::OsStr; 10]));
        assert_eq!(r.code, Some(0), "{}", r.err);
        r.out
            .trim()
            .split(',')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let bind = options("--bind", &a);
    assert!(bind.iter().any(|o| o == "nosuid"), "{bind:?}");
    assert!(bind.iter().any(|o| o == "nodev"), "{bind:?}");
    let dev = options("--dev-bind", &b);
    assert!(dev.iter().any(|o| o == "nosuid"), "{dev:?}");
    assert!(!dev.iter().any(|o| o == "nodev"), "{dev:?}");
}

/// --argv0 (bwrap 0.9) names the command's argv[0]; the program is still found by its name.
#[test]
fn argv0_is_what_the_command_sees_as_its_name() {
    if !common::require_root("create namespaces") {
        return;
    }
    let r = run(Command::new(common::nsviz_path()).args(BASE).args([
        "--argv0",
        "-named",
        "cat",
        "/proc/self/cmdline",
    ]));
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert_eq!(r.out, "-named\0/proc/self/cmdline\0");
    // Without it, argv[0] stays the name given.
    let r = run(Command::new(common::nsviz_path())
        .args(BASE)
        .args(["cat", "/proc/self/cmdline"]));
    assert_eq!(r.out, "cat\0/proc/self/cmdline\0");
}

/// --sync-fd: the fd stays open (in nsviz) until the command ends, also when nsviz would
/// otherwise exec the command itself; the reader of its other end sees it close only then.
#[test]
fn sync_fd_closes_when_the_command_ends() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let nsviz = common::nsviz_path();
    // The command's stdout is not the pipe: only fd 3 (nsviz's) keeps it open.
    let line = format!(
        "{{ {} {} --bind {d} {d} --sync-fd 3 sh -c 'sleep 0.3; echo ran > {m}' 3>&1 >/dev/null; }} | {{ cat >/dev/null; cat {m}; }}",
        nsviz.to_str().unwrap(),
        BASE.join(" "),
        d = dir.path().display(),
        m = marker.display()
    );
    let r = run(Command::new("sh").args(["-c", &line]));
    assert_eq!(r.out, "ran\n", "{}", r.err);
    let r = run(common::nsviz().args(BASE).args(["--sync-fd", "57", "true"]));
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot keep --sync-fd 57: it is not an open file descriptor"
    );
}

/// --block-fd: nothing runs until the fd has something to read.
#[test]
fn block_fd_holds_the_command_until_there_is_something_to_read() {
    use std::io::Write;
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let dir_arg = dir.path().to_str().unwrap();
    let script = format!("echo ran > {}", marker.display());
    let mut child = Kill(
        common::nsviz()
            .args(BASE)
            .args(["--bind", dir_arg, dir_arg, "--block-fd", "0"])
            .args(["sh", "-c", &script])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert!(
        !marker.exists(),
        "the command ran before --block-fd had data"
    );
    child.0.stdin.take().unwrap().write_all(b"x").unwrap();
    let status = child.0.wait().unwrap();
    assert!(status.success());
    assert!(marker.exists());
}

/// --userns and --pidns check that the fd is a namespace of their type before anything changes.
#[test]
fn userns_and_pidns_name_an_fd_of_the_wrong_kind() {
    if !common::require_root("create namespaces") {
        return;
    }
    let r = spawn_sh("--pidns 3 true", "3</proc/self/ns/user");
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: file descriptor 3 is a user namespace, not a pid namespace"
    );
    let r = spawn_sh("--userns 3 true", "3</dev/null");
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: file descriptor 3 is not a namespace"
    );
}

/// The lock type another process would meet on `file` (python3 as the witness): "0" for a
/// read lock, "2" for none.
fn lock_seen(file: &std::path::Path) -> String {
    let code = format!(
        "import fcntl,struct,os; fd=os.open('{}',os.O_RDONLY); print(struct.unpack('hhqqi',fcntl.fcntl(fd,fcntl.F_GETLK,struct.pack('hhqqi',fcntl.F_WRLCK,0,0,0,0)))[0])",
        file.display()
    );
    run(Command::new("python3").args(["-c", &code]))
        .out
        .trim()
        .to_string()
}

/// --lock-file: a read lock held while the command runs, by nsviz's init (not the command),
/// gone after; --as-pid-1 leaves nobody to hold it.
#[test]
fn lock_file_is_held_while_the_command_runs() {
    if !common::require_root("create namespaces") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lock");
    std::fs::write(&file, "").unwrap();
    let mut child = Kill(
        common::nsviz()
            .args(BASE)
            .args(["--lock-file", file.to_str().unwrap(), "sleep", "1"])
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(lock_seen(&file), "0");
    assert!(child.0.wait().unwrap().success());
    assert_eq!(lock_seen(&file), "2");
    let r = run(common::nsviz().args(BASE).args([
        "--unshare-pid",
        "--as-pid-1",
        "--lock-file",
        file.to_str().unwrap(),
        "true",
    ]));
    assert_eq!(r.code, Some(2), "{}", r.err);
}

/// --disable-userns, without root: the command keeps its ids but cannot make a user
/// namespace (unshare(1) as the witness); without the flag it can.
#[test]
fn disable_userns_leaves_the_command_no_user_namespace_to_make() {
    let script = "id -u; unshare -U true && echo made || echo refused";
    let base = [
        "spawn",
        "--new-root",
        "--ro-bind",
        "/",
        "/",
        "--unshare-user",
    ];
    let with: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--uid", "7", "--disable-userns", "sh", "-c", script])
        .collect();
    let r = ns_common::nsviz_as_nobody(&with);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert_eq!(r.out, "7\nrefused\n", "{}", r.err);
    let without: Vec<&str> = base.iter().copied().chain(["sh", "-c", script]).collect();
    let r = ns_common::nsviz_as_nobody(&without);
    assert_eq!(r.out, "65534\nmade\n", "{}", r.err);
}

/// --level-prefix (bwrap 0.10): error lines start with <3>, also those of a forked child.
#[test]
fn level_prefix_marks_error_lines() {
    if !common::require_root("create namespaces") {
        return;
    }
    for extra in [&[][..], &["--unshare-pid"]] {
        let r = run(common::nsviz()
            .args(BASE)
            .arg("--level-prefix")
            .args(extra)
            .args(["--lock-file", "/nsviz-no-such-lock", "true"]));
        assert_eq!(r.code, Some(125), "{}", r.err);
        assert_eq!(
            r.one_error_line(),
            "<3>nsviz: cannot open lock file /nsviz-no-such-lock: no such file or directory"
        );
    }
    let r = run(common::nsviz()
        .args(BASE)
        .args(["--lock-file", "/nsviz-no-such-lock", "true"]));
    assert!(r.one_error_line().starts_with("nsviz: "), "{}", r.err);
}

/// --assert-userns-disabled: fine after --disable-userns, a setup error without it.
#[test]
fn assert_userns_disabled_fails_where_user_namespaces_still_work() {
    let base = [
        "spawn",
        "--new-root",
        "--ro-bind",
        "/",
        "/",
        "--unshare-user",
    ];
    let with: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--disable-userns", "--assert-userns-disabled", "true"])
        .collect();
    let r = ns_common::nsviz_as_nobody(&with);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let without: Vec<&str> = base
        .iter()
        .copied()
        .chain(["--assert-userns-disabled", "true"])
        .collect();
    let r = ns_common::nsviz_as_nobody(&without);
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: creating a user namespace still works: user namespaces were not disabled (--assert-userns-disabled)"
    );
}

/// --add-seccomp-fd: every program given is loaded (the kernel counts them), as in bwrap;
/// not with --seccomp.
#[test]
fn add_seccomp_fd_loads_each_program_as_in_bwrap() {
    if !common::require_root("create namespaces") || !common::ensure_program("bwrap", "bubblewrap")
    {
        return;
    }
    let (_dir, filter) = uname_eperm_filter_file();
    let [nsviz, bwrap] = nsviz_and_bwrap();
    let f = filter.display();
    for program in [&nsviz, &bwrap] {
        let line = format!(
            "{program} --add-seccomp-fd 3 --add-seccomp-fd 4 -- grep Seccomp_filters /proc/self/status 3<{f} 4<{f}"
        );
        let r = run(Command::new("sh").args(["-c", &line]));
        assert_eq!(
            r.words(),
            [["Seccomp_filters:", "2"]],
            "{program}: {}",
            r.err
        );
        let r = with_fd3(program, "--add-seccomp-fd 3 -- uname -s", &filter);
        assert_eq!(r.code, Some(1), "{program}: {} {}", r.out, r.err);
    }
    let r = with_fd3(&nsviz, "--seccomp 3 --add-seccomp-fd 3 true", &filter);
    assert_eq!(r.code, Some(2), "{}", r.err);
}

/// --userns2: after setup the command is in that user namespace (a child of --userns's),
/// as in bwrap; an fd of another type is named.
#[test]
fn userns2_moves_the_command_into_a_child_user_namespace_as_in_bwrap() {
    use std::io::BufRead;
    if !common::require_root("create namespaces") || !common::ensure_program("bwrap", "bubblewrap")
    {
        return;
    }
    // A: a user namespace (root mapped) held by sh; B: a child of it held by sleep.
    struct Fixture(std::process::Child, Option<i32>);
    impl Drop for Fixture {
        fn drop(&mut self) {
            // The sleep first: sh's `wait` then reaps it and sh ends.
            if let Some(b) = self.1 {
                let _ = Command::new("kill").arg(b.to_string()).status();
            }
            for _ in 0..50 {
                if matches!(self.0.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut fixture = Fixture(
        Command::new("unshare")
            .args(["-Ur", "sh", "-c", "unshare -U sleep 30 & echo $!; wait"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
        None,
    );
    let a = fixture.0.id();
    let mut line = String::new();
    std::io::BufReader::new(fixture.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let b: i32 = line.trim().parse().unwrap();
    fixture.1 = Some(b);
    // Until unshare has made B, the sleep is still in A.
    let b_link = format!("/proc/{b}/ns/user");
    let a_link = format!("/proc/{a}/ns/user");
    for _ in 0..100 {
        if std::fs::read_link(&b_link).ok() != std::fs::read_link(&a_link).ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let want = std::fs::read_link(&b_link).unwrap();
    let nsviz = format!("{} spawn --new-root", common::nsviz_path().display());
    for program in [nsviz.as_str(), "bwrap"] {
        let line = format!(
            "{program} --userns 3 --userns2 4 --ro-bind / / readlink /proc/self/ns/user 3<{a_link} 4<{b_link}"
        );
        let r = run(Command::new("sh").args(["-c", &line]));
        assert_eq!(r.code, Some(0), "{program}: {}", r.err);
        assert_eq!(r.out.trim(), want.to_str().unwrap(), "{program}");
    }
    let r = spawn_sh("--userns2 3 true", "3</proc/self/ns/pid");
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: --userns2: file descriptor 3 is not a user namespace"
    );
}
