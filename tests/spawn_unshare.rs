//! `nsviz spawn` with unshare(1)'s options: id maps through newuidmap/newgidmap for a user
//! that is not root (compared with the real unshare run the same way), `--kill-child` with and
//! without `--init`, `--owner`, and the one-sentence usage errors of bad values.

mod common;
mod ns_common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use ns_common::{Run, nsviz, run};

/// A throwaway system user with one block of subordinate uids and one of gids. Dropping it
/// removes exactly the lines it added to /etc/subuid and /etc/subgid (whatever else changed in
/// them meanwhile stays), then the user.
struct SubidUser {
    name: String,
    uid: u32,
    gid: u32,
    /// (file, the text appended to it)
    added: Vec<(PathBuf, String)>,
    subuid_start: u32,
    subgid_start: u32,
    count: u32,
}

impl SubidUser {
    fn create() -> SubidUser {
        let name = format!("nsvz{}", std::process::id());
        common::run_ok(Command::new("useradd").args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            &name,
        ]));
        let id = |flag: &str| -> u32 {
            let out = common::stdout_of(Command::new("id").args([flag, &name]));
            out.trim().parse().expect("a numeric id")
        };
        // Blocks far above the ids in use, distinct for uids and gids, so that a mix-up shows.
        let mut user = SubidUser {
            uid: id("-u"),
            gid: id("-g"),
            name,
            added: Vec::new(),
            subuid_start: 3_000_000_000,
            subgid_start: 3_100_000_000,
            count: 65536,
        };
        for (file, start) in [
            ("/etc/subuid", user.subuid_start),
            ("/etc/subgid", user.subgid_start),
        ] {
            user.append(
                Path::new(file),
                &format!("{}:{start}:{}", user.name, user.count),
            );
        }
        user
    }

    /// Appends `line` (O_APPEND: no other line is rewritten), after a newline if the file
    /// does not end with one.
    fn append(&mut self, file: &Path, line: &str) {
        let before = std::fs::read(file).unwrap_or_default();
        let text = if before.is_empty() || before.ends_with(b"\n") {
            format!("{line}\n")
        } else {
            format!("\n{line}\n")
        };
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(file)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", file.display()));
        f.write_all(text.as_bytes())
            .unwrap_or_else(|e| panic!("cannot append to {}: {e}", file.display()));
        self.added.push((file.to_path_buf(), text));
    }

    /// `program` run as this user, with no supplementary groups.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            &format!("--reuid={}", self.uid),
            &format!("--regid={}", self.gid),
            "--clear-groups",
            program,
        ])
        .current_dir("/");
        cmd
    }
}

impl Drop for SubidUser {
    fn drop(&mut self) {
        for (file, text) in &self.added {
            let Ok(now) = std::fs::read_to_string(file) else {
                continue;
            };
            if let Some(at) = now.find(text.as_str()) {
                let restored = format!("{}{}", &now[..at], &now[at + text.len()..]);
                if let Err(e) = std::fs::write(file, restored) {
                    eprintln!("cannot restore {}: {e}", file.display());
                }
            }
        }
        let _ = Command::new("userdel").arg(&self.name).output();
    }
}

/// The maps and setgroups as the command sees them.
const SHOW_MAPS: &str = "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups";

fn maps_of(user: &SubidUser, program: &str, args: &[&str]) -> Run {
    let mut cmd = user.command(program);
    cmd.args(args).args(["sh", "-c", SHOW_MAPS]);
    run(&mut cmd)
}

/// Map lines as words, whatever the kernel's column widths.
fn numbers(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn a_user_maps_subordinate_ids_through_newuidmap_as_with_unshare() {
    if !common::require_root("create a user and give it subordinate ids") {
        return;
    }
    if !common::ensure_program("newuidmap", "uidmap")
        || !common::ensure_program("newgidmap", "uidmap")
    {
        return;
    }
    let user = SubidUser::create();
    let nsviz_bin = common::nsviz_path();
    let nsviz_bin = nsviz_bin.to_str().unwrap();
    let (su, sg, n) = (user.subuid_start, user.subgid_start, user.count);
    let subids_users = format!("--map-users={su},{su},{n}");
    let subids_groups = format!("--map-groups={sg},{sg},{n}");
    let range_users = format!("--map-users=0:{su}:{n}");
    let range_users_old = format!("--map-users={su},0,{n}");
    let range_groups = format!("--map-groups=0:{sg}:{n}");
    let range_groups_old = format!("--map-groups={sg},0,{n}");
    // (nsviz's options, the same request as the test machine's unshare spells it: 2.38 has
    // neither --map-subids nor the auto|subids values nor INNER:OUTER:COUNT)
    let cases: [(Vec<&str>, Vec<&str>); 4] = [
        (vec!["--map-auto"], vec!["--map-auto"]),
        (
            vec!["--map-users=auto", "--map-groups=auto"],
            vec!["--map-auto"],
        ),
        (vec!["--map-subids"], vec![&subids_users, &subids_groups]),
        (
            vec![&range_users, &range_groups],
            vec![&range_users_old, &range_groups_old],
        ),
    ];
    for (ours, theirs) in &cases {
        let mut args = vec!["spawn"];
        args.extend(ours);
        let got = maps_of(&user, nsviz_bin, &args);
        let want = maps_of(&user, "unshare", theirs);
        assert_eq!(want.code, Some(0), "unshare {theirs:?}: {}", want.err);
        assert_eq!(got.code, Some(0), "nsviz {ours:?}: {}", got.err);
        assert_eq!(
            got.out, want.out,
            "nsviz {ours:?} against unshare {theirs:?}"
        );
        // The helper really wrote the blocks: not just our own id.
        assert!(numbers(&got.out)[0][2] == n.to_string(), "{}", got.out);
    }

    // With our own id mapped too (-r), util-linux 2.42 keeps the whole auto block and moves
    // its inner ids up past root (2.38 drops its top id: D40 in docs/compat.md).
    let got = maps_of(&user, nsviz_bin, &["spawn", "-r", "--map-auto"]).ok();
    let line = |inner: u32, outer: u32, count: u32| {
        vec![inner.to_string(), outer.to_string(), count.to_string()]
    };
    assert_eq!(
        numbers(&got.out),
        vec![
            line(0, user.uid, 1),
            line(1, su, n),
            line(0, user.gid, 1),
            line(1, sg, n),
            vec!["allow".to_string()],
        ]
    );
}

#[test]
fn without_subordinate_ids_the_file_is_named() {
    if !common::require_root("run nsviz as nobody") {
        return;
    }
    let subuid = std::fs::read_to_string("/etc/subuid").unwrap_or_default();
    if subuid
        .lines()
        .any(|l| l.starts_with("nobody:") || l.starts_with("65534:"))
    {
        eprintln!("skipped: nobody has subordinate ids here");
        return;
    }
    let r = ns_common::nsviz_as_nobody(&["spawn", "--map-auto", "--", "true"]);
    assert_eq!(r.code, Some(125), "{}", r.err);
    assert_eq!(
        r.one_error_line(),
        "nsviz: /etc/subuid has no subordinate ids for user 65534"
    );
}

/// Starts `nsviz spawn ARGS -- sh` whose shell traps `sig` (writing `got SIG` to a file and
/// exiting), kills nsviz alone with SIGKILL, and returns what the file holds after a while.
fn trapped_after_nsviz_dies(args: &[&str], sig: &str) -> Option<String> {
    let dir = ns_common::open_tempdir();
    let file = dir.path().join("trapped");
    let script = format!(
        "trap 'echo got {sig} > {}; exit 0' {sig}; echo ready; while :; do sleep 0.05; done",
        file.display()
    );
    let mut cmd = common::nsviz();
    cmd.arg("spawn")
        .args(args)
        .args(["--", "sh", "-c", &script]);
    let (bg, line) = common::start_reporting(&mut cmd);
    assert_eq!(line, "ready");
    common::run_ok(Command::new("kill").args(["-KILL", &bg.pid().to_string()]));
    common::wait_until(Duration::from_secs(10), || file.exists());
    // The shell writes, then exits: give the write a moment to finish.
    std::thread::sleep(Duration::from_millis(100));
    let text = std::fs::read_to_string(&file).ok();
    drop(bg);
    text
}

#[test]
fn kill_child_signals_the_command_when_nsviz_dies() {
    // -r: a user namespace, so this runs without root too.
    let got = trapped_after_nsviz_dies(&["-r", "--kill-child=TERM"], "TERM");
    assert_eq!(
        got.as_deref(),
        Some("got TERM\n"),
        "the command as nsviz's child"
    );
    let got = trapped_after_nsviz_dies(&["-r", "-p", "--kill-child=TERM"], "TERM");
    assert_eq!(got.as_deref(), Some("got TERM\n"), "the command as PID 1");
}

#[test]
fn with_an_init_kill_child_reaches_the_command_through_it() {
    // SIGTERM is among the signals the init always forwards; SIGALRM and SIGWINCH are not:
    // the init takes them only for --kill-child (SIGALRM would otherwise kill the init, and
    // with it everything in the namespace, with SIGKILL; SIGWINCH it would ignore).
    for sig in ["TERM", "ALRM", "WINCH"] {
        let kill = format!("--kill-child={sig}");
        let got = trapped_after_nsviz_dies(&["-r", "-p", "--init", &kill], sig);
        assert_eq!(
            got,
            Some(format!("got {sig}\n")),
            "--kill-child={sig} --init"
        );
    }
}

#[test]
fn with_an_init_the_default_kill_child_ends_the_namespace() {
    let mut cmd = common::nsviz();
    cmd.args(["spawn", "-r", "-p", "--init", "--kill-child", "--"])
        .args(["sh", "-c", "echo ready; exec sleep 100"]);
    let (bg, line) = common::start_reporting(&mut cmd);
    assert_eq!(line, "ready");
    let init = children_of(bg.pid()).next().expect("the init");
    let command = children_of(init).next().expect("the command");
    common::run_ok(Command::new("kill").args(["-KILL", &bg.pid().to_string()]));
    let gone = common::wait_until(Duration::from_secs(10), || {
        is_zombie(init) && is_zombie(command)
    });
    assert!(gone, "the init or the command outlived nsviz");
    drop(bg);
}

fn children_of(pid: i32) -> impl Iterator<Item = i32> {
    let path = format!("/proc/{pid}/task/{pid}/children");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect::<Vec<i32>>()
        .into_iter()
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(true)
}

#[test]
fn owner_creates_the_user_namespace_as_that_user() {
    if !common::require_root("create a user namespace owned by another user") {
        return;
    }
    if !common::ensure_program("python3", "python3-minimal") {
        return;
    }
    let mut cmd = common::nsviz();
    cmd.args(["spawn", "--owner=1000:1000", "-U", "--"]).args([
        "sh",
        "-c",
        "echo ready; exec sleep 100",
    ]);
    let (bg, line) = common::start_reporting(&mut cmd);
    assert_eq!(line, "ready");
    // Without a fork, the command is nsviz's process. The witness: NS_GET_OWNER_UID from here.
    let owner = common::stdout_of(Command::new("python3").args([
        "-c",
        "import fcntl, os, struct, sys\n\
         fd = os.open(sys.argv[1], os.O_RDONLY)\n\
         print(struct.unpack('I', fcntl.ioctl(fd, 0xb704, bytes(4)))[0])",
        &format!("/proc/{}/ns/user", bg.pid()),
    ]));
    assert_eq!(owner.trim(), "1000");
    assert!(common::in_other_ns(bg.pid(), "user"));
    drop(bg);

    // With a map of our (root's) id, as unshare: root's 0 shows as --map-user's id.
    let r = nsviz(&[
        "spawn",
        "--owner=1000:1000",
        "--map-user=0",
        "--map-group=0",
        "--",
        "cat",
        "/proc/self/uid_map",
    ])
    .ok();
    assert_eq!(numbers(&r.out), vec![vec!["0", "0", "1"]]);
}

#[test]
fn bad_values_are_one_sentence_and_exit_2() {
    let cases: [(&[&str], &str); 12] = [
        (&["--map-users=1:2"], "'1:2' is not INNER:OUTER:COUNT"),
        (&["--map-users=a:b:c"], "'a:b:c' is not INNER:OUTER:COUNT"),
        (&["--map-users=0:100000:0"], "(numbers, COUNT above 0)"),
        (&["--map-groups=0:0:4294967296"], "is not INNER:OUTER:COUNT"),
        (
            &["--map-users=4294967295:0:2"],
            "'4294967295:0:2' runs past the last id, 4294967294",
        ),
        (
            &["--map-user=nsviz-no-such-user"],
            "no user named 'nsviz-no-such-user'",
        ),
        (&["--owner=x"], "'x' is not UID:GID (two numbers)"),
        (&["--owner=1:"], "'1:' is not UID:GID (two numbers)"),
        (&["--kill-child=NOSUCH"], "unknown signal: NOSUCH"),
        (
            &["--load-interp=:qemu:M::x::/q:"],
            "--mount-binfmt and --load-interp are not supported",
        ),
        (
            &["-p", "--init", "--kill-child=STOP"],
            "--kill-child=SIGSTOP cannot be passed on to the command by the init",
        ),
        (&["--init", "--as-pid-1"], "'--init' cannot be used with"),
    ];
    for (args, says) in cases {
        let mut argv = vec!["spawn"];
        argv.extend(args);
        argv.extend(["--", "true"]);
        let r = nsviz(&argv);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.err);
        let line = r.one_error_line();
        assert!(line.starts_with("nsviz: "), "{line}");
        assert!(line.contains(says), "{args:?}: {line}");
    }
}

#[test]
fn keep_caps_without_a_user_namespace_keeps_nothing_as_unshare() {
    // unshare accepts it and has nothing to keep: the command runs, its ambient set as ours.
    let ours = run(Command::new("grep").args(["CapAmb", "/proc/self/status"])).ok();
    let r = nsviz(&[
        "spawn",
        "--keep-caps",
        "--",
        "grep",
        "CapAmb",
        "/proc/self/status",
    ])
    .ok();
    assert_eq!(r.out, ours.out);
}
