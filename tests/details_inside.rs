//! What the scanner reads from inside uts, ipc, net and cgroup namespaces, against what
//! util-linux, iproute2 and procps say about namespaces the tests make.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Background, Cleanup};
use nsviz::model::details::{Details, NetDetails};
use nsviz::model::{NsType, Snapshot};
use nsviz::scan::{ScanOptions, scan};
use serde_json::Value;

fn scan_with_details() -> Snapshot {
    scan(&ScanOptions::new(Path::new("/proc")).with_details()).expect("scan /proc")
}

/// The details the scan gives the namespace with inode `id`.
fn details_of(snapshot: &Snapshot, ns_type: NsType, id: u64) -> Details {
    snapshot
        .namespace(ns_type, id)
        .unwrap_or_else(|| panic!("{ns_type:?} namespace {id} not found"))
        .details
        .clone()
        .unwrap_or_else(|| panic!("{ns_type:?} namespace {id} has no details"))
}

/// Starts `cmd` and waits until its process is in a `ns_type` namespace of its own.
fn start_in_new_ns(cmd: &mut Command, ns_type: &str) -> (Background, u64) {
    let bg = Background::spawn(cmd);
    let pid = bg.pid();
    assert!(
        common::wait_until(Duration::from_secs(10), || common::in_other_ns(
            pid, ns_type
        )),
        "{cmd:?} did not get its own {ns_type} namespace"
    );
    let id = common::ns_inode(pid, ns_type).expect("namespace inode");
    (bg, id)
}

fn nsenter_out(pid: i32, flag: &str, args: &[&str]) -> String {
    common::stdout_of(
        Command::new("nsenter")
            .args(["-t", &pid.to_string(), flag, "--"])
            .args(args),
    )
}

#[test]
fn uts_hostname_and_domainname_are_read_inside() {
    if !common::require_root("make a UTS namespace") {
        return;
    }
    let name = common::unique("c2");
    let (bg, id) = start_in_new_ns(
        Command::new("unshare").args([
            "-u",
            "sh",
            "-c",
            &format!("hostname {name}; exec sleep 100"),
        ]),
        "uts",
    );
    let pid = bg.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        nsenter_out(pid, "-u", &["hostname"]).trim() == name
    }));
    let own_before = std::fs::read_link("/proc/thread-self/ns/uts").unwrap();
    let details = details_of(&scan_with_details(), NsType::Uts, id);
    // The scan entered the namespace on a thread of its own, not on the caller's.
    assert_eq!(
        std::fs::read_link("/proc/thread-self/ns/uts").unwrap(),
        own_before
    );
    let uts = details
        .uts
        .unwrap_or_else(|| panic!("{:?}", details.unreadable));
    assert_eq!(uts.hostname, nsenter_out(pid, "-u", &["hostname"]).trim());
    assert_eq!(
        uts.domainname,
        nsenter_out(pid, "-u", &["cat", "/proc/sys/kernel/domainname"]).trim()
    );
}

/// How many objects `ipcs -m|-s|-q` lists inside the IPC namespace of `pid`.
fn ipcs_count(pid: i32, kind: &str) -> u32 {
    nsenter_out(pid, "-i", &["ipcs", kind])
        .lines()
        .filter(|l| l.starts_with("0x"))
        .count() as u32
}

/// The POSIX queues of `pid`'s IPC namespace, listed by mounting its mqueue filesystem in a
/// throwaway mount namespace.
fn posix_queues_witness(pid: i32) -> u32 {
    // The mount is made in a new mount namespace, so it vanishes with it.
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "mount -t mqueue none '{0}' && ls -A '{0}'",
        dir.path().display()
    );
    nsenter_out(pid, "-i", &["unshare", "-m", "sh", "-c", &script])
        .lines()
        .count() as u32
}

#[test]
fn ipc_objects_are_counted_inside() {
    if !common::require_root("make an IPC namespace") {
        return;
    }
    let make_queue = "import ctypes, os\n\
                      libc = ctypes.CDLL(None, use_errno=True)\n\
                      fd = libc.mq_open(b'/nsviz-q', os.O_CREAT | os.O_RDWR, 0o600, None)\n\
                      assert fd >= 0, os.strerror(ctypes.get_errno())\n";
    let script = format!(
        "ipcmk -M 4096 >/dev/null && ipcmk -S 2 >/dev/null && ipcmk -Q >/dev/null && \
         python3 -c \"{make_queue}\" && exec sleep 100"
    );
    let (bg, id) = start_in_new_ns(
        Command::new("unshare").args(["-i", "sh", "-c", &script]),
        "ipc",
    );
    let pid = bg.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        comm_of(pid) == "sleep"
    }));
    let (shm, sem, msg) = (
        ipcs_count(pid, "-m"),
        ipcs_count(pid, "-s"),
        ipcs_count(pid, "-q"),
    );
    assert_eq!((shm, sem, msg), (1, 1, 1), "witness");
    let posix = posix_queues_witness(pid);
    assert_eq!(posix, 1, "witness");

    let details = details_of(&scan_with_details(), NsType::Ipc, id);
    let ipc = details
        .ipc
        .unwrap_or_else(|| panic!("{:?}", details.unreadable));
    assert_eq!(
        (ipc.shm_segments, ipc.semaphore_sets, ipc.message_queues),
        (shm, sem, msg)
    );
    assert_eq!(ipc.posix_queues, Some(posix));
}

#[test]
fn an_empty_ipc_namespace_has_no_objects_and_zero_posix_queues() {
    if !common::require_root("make an IPC namespace") {
        return;
    }
    let (bg, id) = start_in_new_ns(Command::new("unshare").args(["-i", "sleep", "100"]), "ipc");
    assert_eq!(posix_queues_witness(bg.pid()), 0, "witness");
    let details = details_of(&scan_with_details(), NsType::Ipc, id);
    let ipc = details
        .ipc
        .unwrap_or_else(|| panic!("{:?}", details.unreadable));
    assert_eq!(
        (ipc.shm_segments, ipc.semaphore_sets, ipc.message_queues),
        (0, 0, 0)
    );
    assert_eq!(ipc.posix_queues, Some(0));
}

fn comm_of(pid: i32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A network namespace `ip netns add` made, deleted on drop (with its interfaces).
struct NetNs {
    name: String,
}

impl NetNs {
    fn new() -> NetNs {
        let name = common::unique("nsviz-det");
        common::run_ok(Command::new("ip").args(["netns", "add", &name]));
        NetNs { name }
    }

    fn ip(&self, args: &[&str]) -> String {
        common::stdout_of(Command::new("ip").args(["-n", &self.name]).args(args))
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["-j"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ip(&all)).expect("ip -j output")
    }

    /// The namespace's inode, by `stat -L` of its bind mount.
    fn inode(&self) -> u64 {
        common::stdout_of(Command::new("stat").args([
            "-L",
            "-c",
            "%i",
            &format!("/run/netns/{}", self.name),
        ]))
        .trim()
        .parse()
        .unwrap()
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Checks every interface of `net` against `ip -d -j link` and `ip -j addr` of `ns`.
fn check_interfaces(ns: &NetNs, net: &NetDetails) {
    let links = ns.json(&["-d", "link", "show"]);
    let addrs = ns.json(&["addr", "show"]);
    assert_eq!(net.interfaces.len(), links.len());
    for link in &links {
        let index = link["ifindex"].as_u64().unwrap() as u32;
        let ours = net
            .interfaces
            .iter()
            .find(|i| i.index == index)
            .unwrap_or_else(|| panic!("interface {index} missing: {net:?}"));
        assert_eq!(ours.name, link["ifname"].as_str().unwrap());
        assert_eq!(
            ours.state,
            link["operstate"].as_str().unwrap().to_lowercase()
        );
        assert_eq!(u64::from(ours.mtu), link["mtu"].as_u64().unwrap());
        assert_eq!(ours.mac.as_deref(), link["address"].as_str());
        let flags: Vec<&str> = link["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(ours.admin_up, flags.contains(&"UP"), "{}", ours.name);
        let kind = link["linkinfo"]["info_kind"]
            .as_str()
            .or(link["link_type"].as_str())
            .unwrap();
        assert_eq!(ours.kind, kind);
        assert_eq!(ours.master.as_deref(), link["master"].as_str());
        let want: BTreeSet<String> = addrs
            .iter()
            .filter(|a| a["ifindex"].as_u64() == Some(u64::from(index)))
            .flat_map(|a| a["addr_info"].as_array().unwrap().clone())
            .map(|i| format!("{}/{}", i["local"].as_str().unwrap(), i["prefixlen"]))
            .collect();
        let got: BTreeSet<String> = ours.addresses.iter().cloned().collect();
        assert_eq!(got, want, "addresses of {}", ours.name);
    }
}

#[test]
fn net_interfaces_routes_sockets_and_veth_peers() {
    if !common::require_root("make network namespaces and a veth pair") {
        return;
    }
    let a = NetNs::new();
    let b = NetNs::new();
    // Unusual characters the kernel allows in an interface name.
    let end_a = "v-ü.x!#+=";
    let end_b = common::unique("vb")
        .chars()
        .rev()
        .take(12)
        .collect::<String>();
    let end_b = format!("b{}", end_b.replace('-', "_"));
    common::run_ok(Command::new("ip").args([
        "link", "add", end_a, "netns", &a.name, "type", "veth", "peer", "name", &end_b, "netns",
        &b.name,
    ]));
    for (ns, dev, v4, v6) in [
        (&a, end_a, "10.201.7.1/24", "fd00:7::1/64"),
        (&b, end_b.as_str(), "10.201.7.2/24", "fd00:7::2/64"),
    ] {
        // No link-local address appears by itself: only the addresses given here.
        ns.ip(&["link", "set", dev, "addrgenmode", "none"]);
        ns.ip(&["addr", "add", v4, "dev", dev]);
        ns.ip(&["addr", "add", v6, "dev", dev, "nodad"]);
        ns.ip(&["link", "set", dev, "up"]);
        ns.ip(&["link", "set", "lo", "up"]);
    }
    b.ip(&["route", "add", "default", "via", "10.201.7.1"]);
    assert!(
        common::wait_until(Duration::from_secs(10), || {
            [(&a, end_a), (&b, end_b.as_str())]
                .iter()
                .all(|(ns, dev)| ns.json(&["link", "show", "dev", dev])[0]["operstate"] == "UP")
        }),
        "the veth pair did not come up"
    );
    let listener = "import socket, time\n\
                    t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()\n\
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))\n\
                    print('ready', flush=True); time.sleep(100)\n";
    let mut listen = Command::new("ip");
    listen
        .args(["netns", "exec", &a.name, "python3", "-c", listener])
        .stdout(std::process::Stdio::piped());
    let mut bg = Background::spawn(&mut listen);
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(bg.child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line.trim(), "ready");

    let snapshot = scan_with_details();
    let (id_a, id_b) = (a.inode(), b.inode());
    let details_a = details_of(&snapshot, NsType::Net, id_a);
    let details_b = details_of(&snapshot, NsType::Net, id_b);
    let net_a = details_a
        .net
        .clone()
        .unwrap_or_else(|| panic!("{:?}", details_a.unreadable));
    let net_b = details_b
        .net
        .clone()
        .unwrap_or_else(|| panic!("{:?}", details_b.unreadable));
    check_interfaces(&a, &net_a);
    check_interfaces(&b, &net_b);

    // Each veth names the other end: its namespace's inode, index and name.
    let index_in = |ns: &NetNs, dev: &str| {
        ns.json(&["link", "show", "dev", dev])[0]["ifindex"]
            .as_u64()
            .unwrap() as u32
    };
    for (net, dev, other_id, other_ns, other_dev) in [
        (&net_a, end_a, id_b, &b, end_b.as_str()),
        (&net_b, end_b.as_str(), id_a, &a, end_a),
    ] {
        let iface = net.interfaces.iter().find(|i| i.name == dev).unwrap();
        let peer = iface.peer.as_ref().expect("a veth has a peer");
        assert_eq!(peer.netns, Some(other_id), "{dev}");
        assert_eq!(peer.index, index_in(other_ns, other_dev));
        assert_eq!(peer.name.as_deref(), Some(other_dev));
    }
    assert!(
        net_a
            .interfaces
            .iter()
            .all(|i| i.kind != "veth" || i.peer.is_some())
    );

    // Default routes: none in A, the one given in B.
    assert!(
        net_a.default_routes.is_empty(),
        "{:?}",
        net_a.default_routes
    );
    let witness = b.json(&["route", "show", "default"]);
    assert_eq!(net_b.default_routes.len(), witness.len());
    assert_eq!(net_b.default_routes[0].family, "inet");
    assert_eq!(
        net_b.default_routes[0].gateway.as_deref(),
        witness[0]["gateway"].as_str()
    );
    assert_eq!(
        net_b.default_routes[0].dev.as_deref(),
        witness[0]["dev"].as_str()
    );

    // Sockets, against ss run in the namespace.
    let ss_count = |args: &[&str]| {
        common::stdout_of(
            Command::new("ip")
                .args(["netns", "exec", &a.name, "ss", "-H"])
                .args(args),
        )
        .lines()
        .count() as u32
    };
    assert_eq!(net_a.listening_tcp, ss_count(&["-ltn"]));
    assert_eq!(net_a.listening_udp, ss_count(&["-lun"]));
    assert_eq!((net_a.listening_tcp, net_a.listening_udp), (1, 1));
    assert_eq!((net_b.listening_tcp, net_b.listening_udp), (0, 0));
    drop(bg);
}

/// Where the cgroup v2 hierarchy is mounted here, and the cgroup path of its mount root.
fn cgroup2_mount() -> Option<(PathBuf, String)> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    text.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        if right.split(' ').next()? != "cgroup2" {
            return None;
        }
        let fields: Vec<&str> = left.split(' ').collect();
        Some((PathBuf::from(fields.get(4)?), fields.get(3)?.to_string()))
    })
}

#[test]
fn cgroup_root_is_the_cgroup_the_namespace_was_made_in() {
    if !common::require_root("make a cgroup and a cgroup namespace") {
        return;
    }
    let Some((mount, mount_root)) = cgroup2_mount() else {
        eprintln!("skipped: no cgroup2 hierarchy is mounted");
        return;
    };
    let name = common::unique("nsviz-cg");
    let dir = mount.join(&name);
    std::fs::create_dir(&dir).unwrap();
    let _remove = Cleanup(|| {
        // Kill what is in it first: a cgroup with processes cannot be removed.
        if let Ok(procs) = std::fs::read_to_string(dir.join("cgroup.procs")) {
            for pid in procs
                .split_whitespace()
                .filter_map(|p| p.parse::<i32>().ok())
            {
                // SAFETY: kill(2) has no memory-safety preconditions.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        common::wait_until(Duration::from_secs(5), || {
            std::fs::remove_dir(&dir).is_ok() || !dir.exists()
        });
    });
    let script = format!(
        "echo $$ > '{}/cgroup.procs' && exec unshare -C sleep 100",
        dir.display()
    );
    // Dropped before `_remove`: the process goes first, then its cgroup.
    let (_sleeper, id) = start_in_new_ns(Command::new("sh").args(["-c", &script]), "cgroup");
    let expected = if mount_root == "/" {
        format!("/{name}")
    } else {
        format!("{mount_root}/{name}")
    };
    let details = details_of(&scan_with_details(), NsType::Cgroup, id);
    let cgroup = details
        .cgroup
        .unwrap_or_else(|| panic!("{:?}", details.unreadable));
    assert_eq!(cgroup.root, expected);
}

#[test]
fn the_host_cgroup_namespace_root_is_slash() {
    if !common::require_root("enter the host's cgroup namespace") {
        return;
    }
    let own = common::ns_inode(std::process::id() as i32, "cgroup").unwrap();
    let details = details_of(&scan_with_details(), NsType::Cgroup, own);
    let root = details
        .cgroup
        .unwrap_or_else(|| panic!("{:?}", details.unreadable))
        .root;
    // Seen from our own namespace, a member's path outside and inside is the same.
    assert_eq!(root, "/");
}

#[test]
fn veth_peers_with_the_same_indexes_are_told_apart() {
    if !common::require_root("make network namespaces and veth pairs") {
        return;
    }
    // Two pairs whose four ends all have index 2 and peer index 2: only the ids each
    // namespace gave the other tell which end belongs to which.
    let spaces: Vec<NetNs> = (0..4).map(|_| NetNs::new()).collect();
    for pair in spaces.chunks(2) {
        common::run_ok(Command::new("ip").args([
            "link",
            "add",
            "x",
            "netns",
            &pair[0].name,
            "type",
            "veth",
            "peer",
            "name",
            "y",
            "netns",
            &pair[1].name,
        ]));
    }
    let index_of =
        |ns: &NetNs, dev: &str| ns.json(&["link", "show", "dev", dev])[0]["ifindex"].clone();
    let indexes: Vec<Value> = spaces
        .iter()
        .zip(["x", "y", "x", "y"])
        .map(|(ns, dev)| index_of(ns, dev))
        .collect();
    let snapshot = scan_with_details();
    for (i, ns) in spaces.iter().enumerate() {
        let other = &spaces[i ^ 1];
        let (dev, other_dev) = if i % 2 == 0 { ("x", "y") } else { ("y", "x") };
        let details = details_of(&snapshot, NsType::Net, ns.inode());
        let net = details
            .net
            .unwrap_or_else(|| panic!("{:?}", details.unreadable));
        let iface = net.interfaces.iter().find(|i| i.name == dev).unwrap();
        let peer = iface.peer.as_ref().expect("a veth has a peer");
        assert_eq!(peer.netns, Some(other.inode()), "end {i} ({indexes:?})");
        assert_eq!(Value::from(peer.index), index_of(other, other_dev));
        assert_eq!(peer.name.as_deref(), Some(other_dev));
    }
}
