//! `nsviz spawn` and networking: a veth pair with addresses, joining an existing network
//! namespace, a name for `ip netns`, and bad input.
//!
//! Every veth and address lives in network namespaces the test made: each test makes an outer
//! one with `ip netns add nsviz-t-...` and runs nsviz in it with `ip netns exec`, so nothing
//! touches this machine's own network namespace. iproute2 and python3 are the witnesses.

mod common;
mod ns_common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use ns_common::{Run, run};
use serde_json::Value;

/// A network namespace made with `ip netns add`, deleted on drop (with every veth in it).
struct Netns {
    name: String,
}

impl Netns {
    fn new() -> Netns {
        let name = common::unique("nsviz-t");
        common::run_ok(Command::new("ip").args(["netns", "add", &name]));
        Netns { name }
    }

    /// `ip netns exec NAME nsviz ARGS...`, run to completion.
    fn nsviz(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name])
            .arg(common::nsviz_path())
            .args(args);
        run(&mut cmd)
    }

    /// The interfaces here, as `ip -j addr` tells: (name, up, addresses).
    fn interfaces(&self) -> Vec<(String, bool, Vec<String>)> {
        let text = common::stdout_of(Command::new("ip").args(["-n", &self.name, "-j", "addr"]));
        interfaces_of(&text)
    }

    fn names(&self) -> Vec<String> {
        self.interfaces().into_iter().map(|(n, _, _)| n).collect()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.name])
            .output();
    }
}

/// Parses `ip -j addr` output into (name, up, "addr/prefix" list), sorted by name.
fn interfaces_of(json: &str) -> Vec<(String, bool, Vec<String>)> {
    let value: Value = serde_json::from_str(json.trim())
        .unwrap_or_else(|e| panic!("ip -j addr printed no JSON ({e}): {json}"));
    let mut found: Vec<(String, bool, Vec<String>)> = value
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|i| {
            let name = i["ifname"].as_str().unwrap_or_default().to_string();
            let up = i["flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f == "UP"));
            let addrs = i["addr_info"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|a| {
                            format!("{}/{}", a["local"].as_str().unwrap_or(""), a["prefixlen"])
                        })
                        .collect()
                })
                .unwrap_or_default();
            (name, up, addrs)
        })
        .collect();
    found.sort();
    found
}

fn find<'a>(
    interfaces: &'a [(String, bool, Vec<String>)],
    name: &str,
) -> &'a (String, bool, Vec<String>) {
    interfaces
        .iter()
        .find(|i| i.0 == name)
        .unwrap_or_else(|| panic!("no interface {name} in {interfaces:?}"))
}

/// Inside the new namespace: print `ip -j addr` on one line, then accept two TCP connections
/// on port 5099 (IPv4 and IPv6, each bounded), printing what each peer sent.
const INSIDE_SCRIPT: &str = r#"
import socket, subprocess, sys
print(subprocess.run(["ip", "-j", "addr"], capture_output=True, text=True, check=True).stdout.strip(), flush=True)
srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
srv.bind(("::", 5099))
srv.listen(2)
srv.settimeout(20)
print("listening", flush=True)
for _ in range(2):
    conn, peer = srv.accept()
    conn.settimeout(5)
    print("got", conn.recv(100).decode(), "from", peer[0], flush=True)
    conn.close()
"#;

/// From the outer namespace: connect to ADDR:5099 and send a word.
fn connect_from(outer: &Netns, addr: &str, word: &str) {
    let script = format!(
        "import socket\ns = socket.create_connection(('{addr}', 5099), timeout=5)\ns.sendall(b'{word}')\ns.close()"
    );
    common::run_ok(
        Command::new("timeout")
            .args(["20", "ip", "netns", "exec", &outer.name, "python3", "-c"])
            .arg(script),
    );
}

#[test]
fn a_veth_pair_with_addresses_carries_tcp_and_goes_with_the_namespace() {
    if !common::require_root("create network namespaces and veth pairs") {
        return;
    }
    let outer = Netns::new();
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", &outer.name])
        .arg(common::nsviz_path())
        .args([
            "spawn",
            "--veth=nsvt-out:nsvt-in",
            "--addr",
            "10.77.0.2/24",
            "--addr",
            "fd77::2/64",
            "--peer-addr",
            "10.77.0.1/24",
            "--peer-addr",
            "fd77::1/64",
            "--route",
            "--",
            "timeout",
            "40",
            "python3",
            "-c",
            INSIDE_SCRIPT,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut bg = common::Background::spawn(&mut cmd);
    let mut lines = BufReader::new(bg.child.stdout.take().unwrap()).lines();
    let mut next = || {
        lines
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("the spawned command stopped early"))
    };

    // Inside: lo and the inside end up, with the addresses.
    let inside = interfaces_of(&next());
    let lo = find(&inside, "lo");
    assert!(lo.1, "lo is down inside: {inside:?}");
    let end = find(&inside, "nsvt-in");
    assert!(end.1, "the inside end is down: {inside:?}");
    assert!(end.2.contains(&"10.77.0.2/24".to_string()), "{inside:?}");
    assert!(end.2.contains(&"fd77::2/64".to_string()), "{inside:?}");
    assert_eq!(next(), "listening");

    // Outside, in the test's outer namespace: the other end, up, with its addresses.
    let outside = outer.interfaces();
    let end = find(&outside, "nsvt-out");
    assert!(end.1, "the outside end is down: {outside:?}");
    assert!(end.2.contains(&"10.77.0.1/24".to_string()), "{outside:?}");
    assert!(end.2.contains(&"fd77::1/64".to_string()), "{outside:?}");

    // TCP across the pair, over IPv4 and IPv6.
    connect_from(&outer, "10.77.0.2", "four");
    assert_eq!(next(), "got four from ::ffff:10.77.0.1");
    connect_from(&outer, "fd77::2", "six");
    assert_eq!(next(), "got six from fd77::1");

    let status = bg.child.wait().unwrap();
    assert!(status.success(), "nsviz spawn failed: {status}");
    // The namespace is gone with its command, and the pair with it (the kernel frees it a
    // moment later).
    assert!(
        common::wait_until(Duration::from_secs(10), || !outer
            .names()
            .contains(&"nsvt-out".to_string())),
        "the veth outlived its namespace: {:?}",
        outer.names()
    );
}

#[test]
fn the_default_route_goes_through_the_outside_end() {
    if !common::require_root("create network namespaces and veth pairs") {
        return;
    }
    let outer = Netns::new();
    let r = outer
        .nsviz(&[
            "spawn",
            "--veth",
            "--addr",
            "10.78.0.2/24",
            "--peer-addr",
            "10.78.0.1/24",
            "--route",
            "--",
            "ip",
            "-j",
            "route",
            "show",
            "default",
        ])
        .ok();
    let routes: Value = serde_json::from_str(r.out.trim()).unwrap();
    let route = &routes[0];
    assert_eq!(route["gateway"], "10.78.0.1", "{routes}");
    assert_eq!(route["dev"], "eth0", "{routes}");
}

/// The PID of the single child of `pid`, once it has one.
fn only_child(pid: i32) -> i32 {
    let path = format!("/proc/{pid}/task/{pid}/children");
    let mut found = None;
    common::wait_until(Duration::from_secs(10), || {
        found = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.split_whitespace().next().and_then(|p| p.parse().ok()));
        found.is_some()
    });
    found.unwrap_or_else(|| panic!("{pid} has no child"))
}

#[test]
fn join_shares_a_network_namespace_while_creating_the_others() {
    if !common::require_root("create network namespaces") {
        return;
    }
    let outer = Netns::new();
    // Something to recognise the namespace by: a pair with both ends in it, no address.
    common::run_ok(Command::new("ip").args([
        "-n",
        &outer.name,
        "link",
        "add",
        "nsvt-j0",
        "type",
        "veth",
        "peer",
        "name",
        "nsvt-j1",
    ]));
    let file = format!("/run/netns/{}", outer.name);
    let join = format!("net={file}");
    let mut cmd = common::nsviz();
    cmd.args([
        "spawn",
        "-U",
        "-r",
        "-m",
        "-p",
        "--mount-proc",
        "--join",
        &join,
        "--",
        "sh",
        "-c",
        "ip -j addr; echo; echo ready; sleep 30",
    ])
    .stdout(Stdio::piped());
    let mut bg = common::Background::spawn(&mut cmd);
    let mut lines = BufReader::new(bg.child.stdout.take().unwrap()).lines();
    let json = lines
        .next()
        .and_then(Result::ok)
        .expect("ip -j addr inside");
    let names: Vec<String> = interfaces_of(&json).into_iter().map(|i| i.0).collect();
    assert_eq!(names, ["lo", "nsvt-j0", "nsvt-j1"]);
    while let Some(Ok(line)) = lines.next() {
        if line == "ready" {
            break;
        }
    }

    // nsviz -> sh (PID 1 of the new PID namespace).
    let sh = only_child(bg.pid());
    let netns_inode = std::fs::metadata(&file).unwrap().ino();
    assert_eq!(common::ns_inode(sh, "net"), Some(netns_inode));
    for t in ["user", "mnt", "pid"] {
        assert!(common::in_other_ns(sh, t), "{t} is not new");
    }
    for t in ["uts", "ipc", "cgroup"] {
        assert!(!common::in_other_ns(sh, t), "{t} changed");
    }
}

#[test]
fn join_takes_a_process_too() {
    if !common::require_root("create network namespaces") {
        return;
    }
    let outer = Netns::new();
    let mut holder = Command::new("ip");
    holder.args(["netns", "exec", &outer.name, "sleep", "30"]);
    let holder = common::Background::spawn(&mut holder);
    assert!(common::wait_until(Duration::from_secs(5), || {
        common::in_other_ns(holder.pid(), "net")
    }));
    let join = format!("net={}", holder.pid());
    let r = ns_common::nsviz(&[
        "spawn",
        "-u",
        "--join",
        &join,
        "--",
        "readlink",
        "/proc/self/ns/net",
    ])
    .ok();
    assert_eq!(r.out.trim(), ns_common::link(Some(holder.pid()), "net"));
}

#[test]
fn a_netns_name_is_seen_by_ip_netns_until_forgotten() {
    if !common::require_root("bind namespaces under /run/netns") {
        return;
    }
    // Run from this mount namespace, not through `ip netns exec` (which makes a mount
    // namespace of its own, where the name would be bound out of sight). No interface or
    // address is made here: the new namespace has only its loopback.
    let name = common::unique("nsviz-t");
    let _cleanup = common::Cleanup({
        let name = name.clone();
        move || {
            let _ = Command::new("ip").args(["netns", "delete", &name]).output();
        }
    });
    ns_common::nsviz(&["spawn", "--netns-name", &name, "--", "true"]).ok();
    let list = common::stdout_of(Command::new("ip").args(["netns", "list"]));
    assert!(
        list.lines()
            .any(|l| l.split_whitespace().next() == Some(&name)),
        "{list}"
    );
    let inside =
        common::stdout_of(Command::new("ip").args(["netns", "exec", &name, "ip", "-j", "addr"]));
    let names: Vec<String> = interfaces_of(&inside).into_iter().map(|i| i.0).collect();
    assert_eq!(names, ["lo"]);

    // A second one of that name is refused.
    let r = ns_common::nsviz(&["spawn", "--netns-name", &name, "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.one_error_line(),
        format!("nsviz: a network namespace named {name} already exists (ip netns delete {name})")
    );

    ns_common::nsviz(&["forget", &name]).ok();
    let list = common::stdout_of(Command::new("ip").args(["netns", "list"]));
    assert!(!list.contains(&name), "{list}");
    assert!(!Path::new("/run/netns").join(&name).exists());
}

/// Asserts a failed run: this exit code, one line on stderr containing `says`.
fn fails(r: &Run, code: i32, says: &str) {
    assert_eq!(r.code, Some(code), "stdout: {}\nstderr: {}", r.out, r.err);
    let line = r.err.trim_end();
    assert!(!line.contains("panicked"), "{line}");
    assert!(line.contains(says), "{line:?} does not say {says:?}");
}

#[test]
fn bad_input_is_one_sentence_and_leaves_nothing_behind() {
    if !common::require_root("create network namespaces") {
        return;
    }
    let outer = Netns::new();
    let named = common::unique("nsviz-t");
    let _cleanup = common::Cleanup({
        let named = named.clone();
        move || {
            let _ = Command::new("ip")
                .args(["netns", "delete", &named])
                .output();
        }
    });
    let nothing_left = |outer: &Netns, expected: &[&str]| {
        assert_eq!(outer.names(), expected);
        assert!(!Path::new("/run/netns").join(&named).exists());
    };

    // An address that does not parse (clap's usage error: it names the value).
    let r = outer.nsviz(&["spawn", "--veth", "--addr", "10.1.2/24", "--", "true"]);
    fails(&r, 2, "'10.1.2/24' is not an address with a prefix length");
    let r = outer.nsviz(&[
        "spawn",
        "--veth",
        "--peer-addr",
        "10.1.2.3/33",
        "--",
        "true",
    ]);
    fails(
        &r,
        2,
        "'10.1.2.3/33' is not an address with a prefix length",
    );
    nothing_left(&outer, &["lo"]);

    // A bridge that does not exist; also with a name that would have been bound.
    let r = outer.nsviz(&[
        "spawn",
        "--veth",
        "--bridge",
        "nsvt-nobr",
        "--netns-name",
        &named,
        "--",
        "true",
    ]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: there is no bridge named nsvt-nobr"
    );
    nothing_left(&outer, &["lo"]);

    // A name already taken in the outer namespace.
    common::run_ok(Command::new("ip").args([
        "-n",
        &outer.name,
        "link",
        "add",
        "nsvt-taken",
        "type",
        "veth",
        "peer",
        "name",
        "nsvt-taken2",
    ]));
    let r = outer.nsviz(&["spawn", "--veth=nsvt-taken", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: an interface named nsvt-taken already exists here: choose another with --veth=OUTSIDE[:INSIDE]"
    );
    // The bridge is a veth, not a bridge.
    let r = outer.nsviz(&["spawn", "--veth", "--bridge", "nsvt-taken", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(r.one_error_line(), "nsviz: nsvt-taken is not a bridge");
    nothing_left(&outer, &["lo", "nsvt-taken", "nsvt-taken2"]);

    // A file that is not a network namespace, and one that is no namespace at all.
    let uts = format!("net=/proc/{}/ns/uts", std::process::id());
    let r = outer.nsviz(&["spawn", "-U", "-r", "-m", "--join", &uts, "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        format!(
            "nsviz: /proc/{}/ns/uts is a uts namespace, not a net namespace",
            std::process::id()
        )
    );
    let r = outer.nsviz(&["spawn", "-m", "--join", "net=/etc/hostname", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: /etc/hostname is not a namespace file"
    );
    // Joining and creating one type at once.
    let join = format!("net=/run/netns/{}", outer.name);
    let r = outer.nsviz(&["spawn", "--veth", "--join", &join, "--", "true"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.one_error_line()
            .starts_with("nsviz: cannot both join and create a net namespace"),
        "{}",
        r.err
    );

    // An unprivileged user adding a veth to a namespace it does not own.
    let mut cmd = Command::new("ip");
    cmd.args([
        "netns",
        "exec",
        &outer.name,
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ])
    .arg(common::nsviz_path())
    .args([
        "spawn",
        "-r",
        "--veth",
        "--addr",
        "10.79.0.2/24",
        "--",
        "true",
    ]);
    let r = run(&mut cmd);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: cannot create the veth pair nsviz0/eth0: operation not permitted (it needs CAP_NET_ADMIN in this network namespace; as a non-root user, use --pasta)"
    );
    nothing_left(&outer, &["lo", "nsvt-taken", "nsvt-taken2"]);
    // No mount of ours was left behind either.
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mountinfo.contains(&named), "{mountinfo}");
}

#[test]
fn the_outside_end_joins_an_existing_bridge() {
    if !common::require_root("create network namespaces and bridges") {
        return;
    }
    let outer = Netns::new();
    common::run_ok(Command::new("ip").args([
        "-n",
        &outer.name,
        "link",
        "add",
        "nsvt-br",
        "type",
        "bridge",
    ]));
    let ports = format!("ip -n {} -j link show master nsvt-br", outer.name);
    let r = outer
        .nsviz(&[
            "spawn",
            "--veth=nsvt-port",
            "--bridge",
            "nsvt-br",
            "--",
            "sh",
            "-c",
            &ports,
        ])
        .ok();
    let ports: Value = serde_json::from_str(r.out.trim()).unwrap();
    let names: Vec<&str> = ports
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["ifname"].as_str())
        .collect();
    assert_eq!(names, ["nsvt-port"]);
}
