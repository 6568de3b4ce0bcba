//! Whose a process is, told from its cgroup path alone (no engine is asked): Docker, Podman,
//! containerd, Kubernetes, CRI-O, LXC, Incus, systemd-nspawn, Flatpak, Snap, systemd services
//! and sessions. Container names come from files the engines keep locally, where readable.
//!
//! The path is read deepest component first. The deepest sandbox (container, pod, machine,
//! app) wins over any service or session around or inside it: a service running in an nspawn
//! machine is the machine's, and a Docker scope under system.slice is Docker's. A container
//! scope right under a Kubernetes pod's cgroup is the pod's: the attribution's id is the pod
//! uid (dashes restored) so that all containers of a pod, which share its network namespace,
//! agree on it; the container's own id stays visible in `cgroup`.
//!
//! What the path cannot tell: LXC and Incus (and LXD) all place containers in
//! `lxc.payload.NAME`; [`Names::complete`] calls one Incus's when Incus keeps a container of
//! that name. LXD's are left as LXC. Every id is validated (hex ids are hex, names are plain
//! file-name characters) before it is used to build a path. Rules and examples:
//! docs/attribution.md.

use std::collections::HashMap;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};
use serde::Deserialize;

use crate::model::Attribution;
use crate::model::details::Engine;
use crate::sanitize::text_from_bytes;

/// A /proc/PID/cgroup text longer than this is not believed (real ones are a few KiB).
const MAX_CGROUP_TEXT: usize = 64 * 1024;
/// The largest engine file read for names.
const MAX_ENGINE_FILE: u64 = 16 * 1024 * 1024;

/// The cgroup path of a /proc/PID/cgroup text: the cgroup v2 line (`0::PATH`), else the v1
/// name=systemd hierarchy's. On hybrid hosts, where both are there, the name=systemd path is
/// taken only when it tells more (a container where v2 shows a service or nothing, as runc's
/// cgroupfs driver leaves it). None when neither is there or the text is absurd.
pub fn parse_cgroup(text: &[u8]) -> Option<String> {
    if text.len() > MAX_CGROUP_TEXT {
        return None;
    }
    let mut unified = None;
    let mut systemd = None;
    for line in text.split(|&b| b == b'\n') {
        let mut fields = line.splitn(3, |&b| b == b':');
        let (Some(id), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if !path.starts_with(b"/") {
            continue;
        }
        // The kernel marks a removed cgroup v2 this way.
        let path = path.strip_suffix(b" (deleted)").unwrap_or(path);
        if id == b"0" && controllers.is_empty() {
            unified = Some(text_from_bytes(path));
        } else if controllers
            .split(|&b| b == b',')
            .any(|c| c == b"name=systemd")
        {
            systemd = Some(text_from_bytes(path));
        }
    }
    match (unified, systemd) {
        (Some(v2), Some(v1)) if v1 != v2 && rank(&v1) > rank(&v2) => Some(v1),
        (Some(v2), _) => Some(v2),
        (None, v1) => v1,
    }
}

/// How much a cgroup path tells: nothing (the root), a path, a service or session, a sandbox.
fn rank(path: &str) -> u8 {
    match attribute(path) {
        Some(a) if matches!(a.engine, Engine::Service | Engine::Session) => 2,
        Some(_) => 3,
        None if path.trim_matches('/').is_empty() => 0,
        None => 1,
    }
}

/// The attribution a cgroup path shows, if any.
pub fn attribute(cgroup: &str) -> Option<Attribution> {
    let parts: Vec<&str> = cgroup.split('/').filter(|p| !p.is_empty()).collect();
    // The kernel never shows these; a path with them was not written by it.
    if parts.iter().any(|p| *p == "." || *p == "..") {
        return None;
    }
    let make = |engine, id: String| Attribution {
        engine,
        id,
        name: None,
        cgroup: cgroup.to_string(),
    };
    let mut unit = None;
    // A service is whose its own processes are, not of the slices and scopes it holds (a
    // user's service manager holds the user's apps), save its manager's init.scope.
    let mut below_a_slice_or_scope = false;
    for i in (0..parts.len()).rev() {
        let part = parts[i];
        if let Some(uid) = pod_uid(&parts[..=i]) {
            return Some(make(Engine::Kubernetes, uid));
        }
        let parent = i.checked_sub(1).map(|p| parts[p]);
        let found = sandbox(part, parent, i);
        // A container right under a pod's cgroup (cgroupfs: a bare id) is the pod's.
        if (found.is_some() || is_container_id(part))
            && let Some(uid) = pod_uid(&parts[..i])
        {
            return Some(make(Engine::Kubernetes, uid));
        }
        if let Some((engine, id)) = found {
            return Some(make(engine, id));
        }
        if unit.is_none() && !below_a_slice_or_scope {
            unit = systemd_unit(part, parent);
        }
        if (part.ends_with(".slice") || part.ends_with(".scope")) && part != "init.scope" {
            below_a_slice_or_scope = true;
        }
    }
    unit.map(|(engine, id)| make(engine, id))
}

/// The pod uid when the last of `parts` is a Kubernetes pod's cgroup: systemd driver
/// `kubepods-burstable-pod<uid with underscores>.slice` (also `kubelet-kubepods-…` in kind),
/// cgroupfs driver `pod<uid>` below a `kubepods` cgroup.
fn pod_uid(parts: &[&str]) -> Option<String> {
    let (last, above) = parts.split_last()?;
    let uid = if let Some(slice) = last.strip_suffix(".slice") {
        let (prefix, uid) = slice.rsplit_once("-pod")?;
        if !prefix.contains("kubepods") {
            return None;
        }
        uid.replace('_', "-")
    } else {
        let uid = last.strip_prefix("pod")?;
        if !above.iter().any(|p| p.contains("kubepods")) {
            return None;
        }
        uid.to_string()
    };
    is_pod_uid(&uid).then_some(uid)
}

/// A pod uid: a UUID, or 32 hex digits (a static pod's hash).
fn is_pod_uid(uid: &str) -> bool {
    let b = uid.as_bytes();
    match b.len() {
        32 => is_hex(uid),
        36 => b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        }),
        _ => false,
    }
}

/// A container, machine or app scope: its engine and id. `depth` is the component's index.
fn sandbox(part: &str, parent: Option<&str>, depth: usize) -> Option<(Engine, String)> {
    // Systemd-driver scopes and cgroupfs-driver directories named `PREFIX<64 hex>`.
    const HEX_SCOPES: &[(&str, Engine)] = &[
        ("docker-", Engine::Docker),
        ("libpod-conmon-", Engine::Podman),
        ("libpod-payload-", Engine::Podman),
        ("libpod-", Engine::Podman),
        ("cri-containerd-", Engine::Containerd),
        ("nerdctl-", Engine::Containerd),
        ("crio-conmon-", Engine::CriO),
        ("crio-", Engine::CriO),
    ];
    let unscoped = part.strip_suffix(".scope").unwrap_or(part);
    for &(prefix, engine) in HEX_SCOPES {
        if let Some(id) = unscoped.strip_prefix(prefix) {
            return is_container_id(id).then(|| (engine, id.to_string()));
        }
    }
    // Docker's cgroupfs driver: `/docker/<id>`, also nested.
    if parent == Some("docker") && is_container_id(part) {
        return Some((Engine::Docker, part.to_string()));
    }
    // containerd's default namespace with the cgroupfs driver (ctr, nerdctl): `/default/<id>`.
    if depth == 1 && parent == Some("default") && is_containerd_id(part) {
        return Some((Engine::Containerd, part.to_string()));
    }
    for prefix in ["lxc.payload.", "lxc.monitor."] {
        if let Some(name) = part.strip_prefix(prefix) {
            return is_plain_name(name).then(|| (Engine::Lxc, name.to_string()));
        }
    }
    // Old LXC, and Proxmox (`/lxc/<vmid>/ns`).
    if parent == Some("lxc") && depth == 1 && is_plain_name(part) {
        return Some((Engine::Lxc, part.to_string()));
    }
    if let Some(name) = part
        .strip_prefix("systemd-nspawn@")
        .and_then(|s| s.strip_suffix(".service"))
        .or_else(|| part.strip_prefix("machine-")?.strip_suffix(".scope"))
    {
        let name = unescape_unit(name);
        // libvirt registers its virtual machines as machine-qemu-N-NAME.scope.
        if name.starts_with("qemu-") || name.starts_with("lxc-") {
            return None;
        }
        return is_plain_name(&name).then_some((Engine::Nspawn, name));
    }
    if let Some(rest) = unscoped.strip_prefix("app-flatpak-") {
        let (app, n) = rest.rsplit_once('-')?;
        let numbered = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
        return (part.ends_with(".scope") && numbered && is_plain_name(app))
            .then(|| (Engine::Flatpak, app.to_string()));
    }
    // Snap apps (`snap.NAME.APP-<uuid>.scope`, `snap.NAME.hook.HOOK-<uuid>.scope`) and
    // daemons (`snap.NAME.APP.service`): the snap's name, as all its apps share its sandbox.
    if let Some(rest) = part.strip_prefix("snap.")
        && (part.ends_with(".scope") || part.ends_with(".service"))
    {
        let (name, _) = rest.split_once('.')?;
        return is_plain_name(name).then(|| (Engine::Snap, name.to_string()));
    }
    None
}

/// A systemd service or login session: `NAME.service` (system or user), `session-N.scope`.
fn systemd_unit(part: &str, parent: Option<&str>) -> Option<(Engine, String)> {
    if let Some(name) = part.strip_suffix(".service") {
        return is_unit_name(name).then(|| (Engine::Service, name.to_string()));
    }
    let session = part.strip_prefix("session-")?.strip_suffix(".scope")?;
    if session.is_empty() || !session.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let uid = parent
        .and_then(|p| p.strip_prefix("user-")?.strip_suffix(".slice"))
        .filter(|u| u.parse::<u32>().is_ok());
    Some(match uid {
        Some(uid) => (Engine::Session, format!("{session} (uid {uid})")),
        None => (Engine::Session, session.to_string()),
    })
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The 64 hex digits Docker, Podman, containerd and CRI-O give a container.
fn is_container_id(s: &str) -> bool {
    s.len() == 64 && is_hex(s)
}

/// containerd's rule for identifiers: letters and digits, joined by single `.`, `_` or `-`.
fn is_containerd_id(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=76).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.windows(2)
            .all(|w| w[0].is_ascii_alphanumeric() || w[1].is_ascii_alphanumeric())
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

/// A name safe as one path component and to show: ASCII letters, digits and `._-+@:`,
/// not starting with a dot.
fn is_plain_name(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && !s.starts_with('.')
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'+' | b'@' | b':')
        })
}

/// A systemd unit name (before its suffix): the characters systemd allows, escapes included.
fn is_unit_name(s: &str) -> bool {
    (1..=255).contains(&s.len())
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'@' | b':' | b'\\')
        })
}

/// Undoes systemd's `\xNN` escapes in a unit name (`my\x2dbox` is the machine `my-box`).
fn unescape_unit(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let escaped = (b == b'\\' && tail.first() == Some(&b'x'))
            .then(|| tail.get(1..3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                rest = &tail[3..];
            }
            None => {
                out.push(b);
                rest = tail;
            }
        }
    }
    text_from_bytes(&out)
}

/// Docker's per-container config: only the name is wanted.
#[derive(Deserialize)]
struct DockerConfig {
    #[serde(rename = "Name")]
    name: String,
}

/// One entry of containers/storage's containers.json (Podman, CRI-O).
#[derive(Deserialize)]
struct StorageContainer {
    id: String,
    #[serde(default)]
    names: Vec<String>,
}

/// Container names from the engines' local files below `root` (`/` on a host), cached for one
/// scan. Each file is opened without following a symlink in its last component, only for a
/// validated id, and read up to 16 MiB. Rootless Podman's files belong to their users and are
/// not read.
pub struct Names {
    root: PathBuf,
    docker: HashMap<String, Option<String>>,
    /// containers/storage's names by id, read at the first need.
    storage: Option<HashMap<String, String>>,
    /// Kubernetes pods' "namespace/name" by uid, from /var/log/pods, read at the first need.
    pods: Option<HashMap<String, String>>,
    incus: HashMap<String, bool>,
}

impl Names {
    pub fn new(root: &Path) -> Names {
        Names {
            root: root.to_path_buf(),
            docker: HashMap::new(),
            storage: None,
            pods: None,
            incus: HashMap::new(),
        }
    }

    /// Fills in the attribution's name, and tells an Incus container from an LXC one.
    pub fn complete(&mut self, attribution: &mut Attribution) {
        if attribution.engine == Engine::Lxc && self.is_incus(&attribution.id) {
            attribution.engine = Engine::Incus;
        }
        if attribution.name.is_none() {
            attribution.name = self.name(attribution);
        }
    }

    /// The container's name, where its engine keeps one locally.
    pub fn name(&mut self, attribution: &Attribution) -> Option<String> {
        let id = attribution.id.as_str();
        match attribution.engine {
            Engine::Docker if is_container_id(id) => {
                if let Some(known) = self.docker.get(id) {
                    return known.clone();
                }
                let name = self.docker_name(id);
                self.docker.insert(id.to_string(), name.clone());
                name
            }
            Engine::Podman | Engine::CriO if is_container_id(id) => {
                let root = &self.root;
                let storage = self.storage.get_or_insert_with(|| read_storage(root));
                storage.get(id).cloned()
            }
            Engine::Kubernetes if is_pod_uid(id) => {
                let root = &self.root;
                let pods = self.pods.get_or_insert_with(|| read_pods(root));
                pods.get(id).cloned()
            }
            _ => None,
        }
    }

    fn docker_name(&self, id: &str) -> Option<String> {
        let dir = self.root.join("var/lib/docker/containers").join(id);
        let bytes = read_no_follow(&dir, "config.v2.json")?;
        let config: DockerConfig = serde_json::from_slice(&bytes).ok()?;
        let name = config.name.strip_prefix('/').unwrap_or(&config.name);
        (!name.is_empty()).then(|| name.to_string())
    }

    /// Whether Incus keeps a container of this name (`/var/lib/incus/containers/NAME`).
    fn is_incus(&mut self, name: &str) -> bool {
        if !is_plain_name(name) {
            return false;
        }
        if let Some(&known) = self.incus.get(name) {
            return known;
        }
        let path = self.root.join("var/lib/incus/containers").join(name);
        let found = std::fs::symlink_metadata(path).is_ok();
        self.incus.insert(name.to_string(), found);
        found
    }
}

/// Podman's and CRI-O's names by container id (`overlay-containers/containers.json`).
fn read_storage(root: &Path) -> HashMap<String, String> {
    let dir = root.join("var/lib/containers/storage/overlay-containers");
    let Some(bytes) = read_no_follow(&dir, "containers.json") else {
        return HashMap::new();
    };
    let entries: Vec<StorageContainer> = serde_json::from_slice(&bytes).unwrap_or_default();
    entries
        .into_iter()
        .filter(|c| is_container_id(&c.id))
        .filter_map(|c| Some((c.id, c.names.into_iter().next()?)))
        .collect()
}

/// Kubernetes pods by uid, from the kubelet's log directories `NAMESPACE_NAME_UID`.
fn read_pods(root: &Path) -> HashMap<String, String> {
    let Ok(entries) = std::fs::read_dir(root.join("var/log/pods")) else {
        return HashMap::new();
    };
    entries
        .filter_map(Result::ok)
        .take(100_000)
        .filter_map(|entry| {
            let name = text_from_bytes(entry.file_name().as_encoded_bytes());
            let mut fields = name.split('_');
            let (Some(namespace), Some(pod), Some(uid), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return None;
            };
            is_pod_uid(uid).then(|| (uid.to_string(), format!("{namespace}/{pod}")))
        })
        .collect()
}

/// A file's bytes, opened without following a symlink in its last component, at most
/// `MAX_ENGINE_FILE` long (a longer one is not read).
fn read_no_follow(dir: &Path, name: &str) -> Option<Vec<u8>> {
    let fd: OwnedFd = rustix::fs::open(
        dir.join(name),
        OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NONBLOCK,
        Mode::empty(),
    )
    .ok()?;
    let stat = rustix::fs::fstat(&fd).ok()?;
    let regular =
        rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::RegularFile;
    if !regular || stat.st_size as u64 > MAX_ENGINE_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::from(fd)
        .take(MAX_ENGINE_FILE + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_ENGINE_FILE).then_some(bytes)
}
