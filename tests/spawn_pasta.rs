//! `nsviz spawn --pasta`: a new network namespace reaches the host through pasta (package
//! passt, installed by `common::ensure_program` when missing), for a non-root user and for root.
//!
//! No traffic leaves the machine: the test listens on this machine's loopback, and the command
//! inside connects to 127.0.0.1 in its own namespace, which pasta forwards to the host's
//! loopback (its default `-T auto`). No address is assigned anywhere by the test.

mod common;
mod ns_common;

use std::io::Write;
use std::net::TcpListener;
use std::process::Command;
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ns_common::{Run, run};

/// One pasta test at a time: each checks that the pasta it started is gone afterwards.
static ONE_PASTA: Mutex<()> = Mutex::new(());

/// A listener on the host's loopback that greets the first connection with `word`, for up to
/// 40 s; joined, it tells whether anyone came.
struct Greeter {
    port: u16,
    done: JoinHandle<bool>,
}

impl Greeter {
    fn start(word: &str) -> Greeter {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let line = format!("{word}\n");
        let done = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(40);
            while Instant::now() < deadline {
                if let Ok((mut stream, _)) = listener.accept() {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.write_all(line.as_bytes());
                    return true;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            false
        });
        Greeter { port, done }
    }
}

/// The command run inside: connect to 127.0.0.1:PORT (retrying while pasta sets up its
/// forwarding) and print what the host said.
fn client(port: u16) -> String {
    format!(
        "for i in $(seq 100); do \
           if exec 3<>/dev/tcp/127.0.0.1/{port}; then read -r line <&3; echo \"host said: $line\"; exit 0; fi 2>/dev/null; \
           sleep 0.1; \
         done; echo 'no connection'; exit 7"
    )
}

/// pasta daemons now running (their pids), to check that one started by a test is gone.
/// Matched by command line: pasta may re-execute itself under another name (passt.avx2).
fn pastas() -> Vec<String> {
    let out = Command::new("pgrep")
        .args(["-f", "pasta --config-net"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn no_new_pasta_left(before: &[String]) {
    let gone = common::wait_until(Duration::from_secs(10), || {
        pastas().iter().all(|p| before.contains(p))
    });
    assert!(gone, "a pasta outlived its namespace: {:?}", pastas());
}

fn connected(r: &Run, greeter: Greeter, word: &str) {
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.out.contains(&format!("host said: {word}")),
        "stdout: {}\nstderr: {}",
        r.out,
        r.err
    );
    assert!(greeter.done.join().unwrap(), "the host saw no connection");
    // pasta's own chatter (syslog, daemonizing) is not shown when it works.
    assert!(!r.err.contains("syslog"), "{}", r.err);
}

#[test]
fn a_non_root_users_namespace_reaches_the_host_through_pasta() {
    if !common::require_root("give nobody a usable /dev/net/tun in a private mount namespace") {
        return;
    }
    if !common::ensure_program("pasta", "passt") {
        return;
    }
    let _one = ONE_PASTA.lock().unwrap_or_else(|e| e.into_inner());
    let before = pastas();
    let word = common::unique("pasta-nobody");
    let greeter = Greeter::start(&word);
    // pasta opens /dev/net/tun as the user; on machines where it is 0600 (not the usual 0666),
    // a private mount namespace gets a 0666 node for this test only.
    let tun_dir = ns_common::open_tempdir();
    let script = format!(
        "mount -t tmpfs nsviz-tun {dir} && mknod -m 666 {dir}/tun c 10 200 \
         && mount --bind {dir}/tun /dev/net/tun \
         && exec setpriv --reuid=65534 --regid=65534 --clear-groups \"$0\" spawn -r --pasta -- bash -c \"$1\"",
        dir = tun_dir.path().display()
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "--propagation", "private", "sh", "-c", &script])
        .arg(common::nsviz_path())
        .arg(client(greeter.port));
    let r = run(&mut cmd);
    connected(&r, greeter, &word);
    no_new_pasta_left(&before);
}

#[test]
fn roots_new_user_namespace_reaches_the_host_through_pasta() {
    if !common::require_root("run pasta as root") {
        return;
    }
    if !common::ensure_program("pasta", "passt") {
        return;
    }
    let _one = ONE_PASTA.lock().unwrap_or_else(|e| e.into_inner());
    let before = pastas();
    let word = common::unique("pasta-root");
    let greeter = Greeter::start(&word);
    let script = client(greeter.port);
    let r = ns_common::nsviz(&["spawn", "-r", "--pasta", "--", "bash", "-c", &script]);
    connected(&r, greeter, &word);
    no_new_pasta_left(&before);

    // Without a user namespace pasta cannot reach the new one: said before anything is made.
    let r = ns_common::nsviz(&["spawn", "-n", "--pasta", "--", "true"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(
        r.one_error_line(),
        "nsviz: --pasta needs a new user namespace (-r, -c or -U): pasta gives up its privileges and can then reach only a network namespace inside a user namespace its user owns"
    );
    no_new_pasta_left(&before);

    // pasta's connection lasts as long as the command: keeping the namespace is refused.
    for keep in [
        ["--keep", "pasta-kept"],
        ["--netns-name", "nsviz-pasta-kept"],
    ] {
        let mut args = vec!["spawn", "-r", "--pasta"];
        args.extend(keep);
        args.extend(["--", "true"]);
        let r = ns_common::nsviz(&args);
        assert_eq!(r.code, Some(2), "{r:?}");
        assert_eq!(
            r.one_error_line(),
            "nsviz: --pasta connects the network namespace only while the command runs, so it cannot be kept (--keep, --net=FILE, --netns-name)"
        );
    }
    assert!(!std::path::Path::new("/run/nsviz/pasta-kept").exists());
    assert!(!std::path::Path::new("/run/netns/nsviz-pasta-kept").exists());
    no_new_pasta_left(&before);
}

#[test]
fn pasta_says_how_to_get_it_when_missing() {
    // A $PATH without pasta, whatever this machine has.
    let empty = ns_common::open_tempdir();
    // Not through `run`: its `timeout` would be looked up in that $PATH too. This fails at
    // once, before anything is made.
    let out = common::nsviz()
        .env("PATH", empty.path())
        .args(["spawn", "-r", "--pasta", "--", "true"])
        .output()
        .unwrap();
    let r = Run {
        code: out.status.code(),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.one_error_line(),
        "nsviz: --pasta needs pasta, which is not installed (Debian and Ubuntu: apt install passt; Fedora: dnf install passt)"
    );
}
