//! Attribution on this host: the test makes cgroups named as Docker and systemd name theirs,
//! moves a `sleep` into each, and checks what a scan with details says of it. Root only.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Background, require_root, wait_until};
use nsviz::model::details::Engine;
use nsviz::model::{NsType, Snapshot};
use nsviz::scan::{ScanOptions, scan};

/// Where a cgroup filesystem is mounted, from /proc/self/mountinfo: the cgroup2 one, or the
/// v1 hierarchy whose super options include `name=systemd`.
fn cgroup_mount(v2: bool) -> Option<PathBuf> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    mountinfo.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        let mut right = right.split_whitespace();
        let fstype = right.next()?;
        let options = right.nth(1)?;
        let point = left.split_whitespace().nth(4)?;
        let wanted = if v2 {
            fstype == "cgroup2"
        } else {
            fstype == "cgroup" && options.split(',').any(|o| o == "name=systemd")
        };
        wanted.then(|| PathBuf::from(point))
    })
}

/// A cgroup the test made, removed when dropped (after the processes in it are gone).
struct TestCgroup {
    dir: PathBuf,
}

impl TestCgroup {
    fn new(mount: &Path, name: &str) -> TestCgroup {
        let dir = mount.join(name);
        std::fs::create_dir(&dir).unwrap_or_else(|e| panic!("cannot make {}: {e}", dir.display()));
        TestCgroup { dir }
    }

    fn enter(&self, pid: i32) {
        let procs = self.dir.join("cgroup.procs");
        std::fs::write(&procs, pid.to_string())
            .unwrap_or_else(|e| panic!("cannot move {pid} into {}: {e}", procs.display()));
    }
}

impl Drop for TestCgroup {
    fn drop(&mut self) {
        // The kernel lets go of an exited process's cgroup a moment after it is reaped.
        let gone = wait_until(Duration::from_secs(5), || {
            std::fs::remove_dir(&self.dir).is_ok() || !self.dir.exists()
        });
        if !gone {
            eprintln!("could not remove {}", self.dir.display());
        }
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("read /dev/urandom");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sleep 100` in new network and UTS namespaces (unshare execs it: the pid is the sleep's).
fn boxed_sleep() -> Background {
    let sleep = Background::spawn(Command::new("unshare").args(["--net", "--uts", "sleep", "100"]));
    let pid = sleep.pid();
    assert!(
        wait_until(Duration::from_secs(10), || common::in_other_ns(pid, "net")
            && std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c == "sleep\n")),
        "unshare did not start sleep in a new network namespace"
    );
    sleep
}

fn scan_details() -> Snapshot {
    scan(&ScanOptions::new(Path::new("/proc")).with_details()).expect("scan /proc with details")
}

/// Checks the attribution of `pid` and the label of its network namespace.
fn check(snapshot: &Snapshot, pid: i32, engine: Engine, id: &str, short: &str, cgroup: &str) {
    let p = snapshot
        .process(pid)
        .unwrap_or_else(|| panic!("the scan did not see PID {pid}"));
    assert_eq!(p.cgroup.as_deref(), Some(cgroup), "PID {pid}");
    let a = p
        .attribution
        .as_ref()
        .unwrap_or_else(|| panic!("PID {pid} in {cgroup} has no attribution"));
    assert_eq!((a.engine, a.id.as_str(), a.short_id()), (engine, id, short));
    assert_eq!(a.cgroup, cgroup);
    let label = format!("{} {short}", engine.name());
    assert_eq!(p.label, label);
    let net = p.ns.get(&NsType::Net).expect("net link read");
    let ns = snapshot
        .namespace(NsType::Net, *net)
        .expect("its net namespace");
    assert_eq!(ns.label, label, "label of the sleep's network namespace");
    assert_eq!(
        ns.attribution.as_ref().map(|a| (a.engine, a.id.as_str())),
        Some((engine, id))
    );
}

#[test]
fn processes_in_engine_named_cgroups_are_attributed_and_labelled() {
    if !require_root("make cgroups and move processes into them") {
        return;
    }
    let Some(v2) = cgroup_mount(true) else {
        eprintln!("skipped: no cgroup2 hierarchy mounted");
        return;
    };
    let docker_id = random_hex();
    let service = format!("nsviztest-{}", &random_hex()[..12]);
    // Guards first: dropped last, after the processes in them are killed and reaped.
    let docker_cgroup = TestCgroup::new(&v2, &format!("docker-{docker_id}.scope"));
    let service_cgroup = TestCgroup::new(&v2, &format!("{service}.service"));
    let in_docker = boxed_sleep();
    let in_service = boxed_sleep();
    docker_cgroup.enter(in_docker.pid());
    service_cgroup.enter(in_service.pid());

    // Hybrid and v1 hosts: one more, moved only in the name=systemd hierarchy, where cgroup v2
    // shows nothing (the v2 root) or the test's own cgroup.
    let v1 = cgroup_mount(false).map(|mount| {
        let id = random_hex();
        let cgroup = TestCgroup::new(&mount, &format!("docker-{id}.scope"));
        let sleep = boxed_sleep();
        cgroup.enter(sleep.pid());
        // A tuple drops its fields in order: the sleep before its cgroup.
        (id, sleep, cgroup)
    });

    let snapshot = scan_details();
    let short = &docker_id[..12];
    let path = format!("/docker-{docker_id}.scope");
    check(
        &snapshot,
        in_docker.pid(),
        Engine::Docker,
        &docker_id,
        short,
        &path,
    );
    let path = format!("/{service}.service");
    check(
        &snapshot,
        in_service.pid(),
        Engine::Service,
        &service,
        &service,
        &path,
    );
    match &v1 {
        Some((id, sleep, _)) => {
            let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
            // Only where the test's own v2 cgroup tells nothing more than a v1 one.
            if own.lines().any(|l| l == "0::/") {
                let path = format!("/docker-{id}.scope");
                check(&snapshot, sleep.pid(), Engine::Docker, id, &id[..12], &path);
            } else {
                eprintln!("name=systemd case not checked: the test's cgroup v2 path is not /");
            }
        }
        None => eprintln!("no name=systemd hierarchy: pure cgroup v2 host"),
    }
    // The test itself is no container.
    let own = snapshot
        .process(std::process::id() as i32)
        .expect("the test process");
    assert!(
        own.attribution
            .as_ref()
            .is_none_or(|a| matches!(a.engine, Engine::Service | Engine::Session)),
        "the test attributed to {:?}",
        own.attribution
    );
}
