//! The enter and spawn dialogs, and the confirmation before a kept set is deleted: plain state
//! that builds the core's specs (`EnterSpec`, `SpawnSpec`). The command lines they show and
//! the argv they run are rendered from those specs by [`super::equivalent`], so what the user
//! reads is what runs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::model::{Namespace, NsId, NsType, Pid, Snapshot};
use crate::ns::spec::{
    EnterFrom, EnterSpec, IfAddr, JoinFrom, Mapping, SetupStep, SpawnNs, SpawnSpec, VethNames,
};

use super::equivalent::{self, Equivalent};
use crate::ns::keep::{KEEP_DIR, validate_name};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dialog {
    Enter(EnterDialog),
    Spawn(SpawnDialog),
    /// "Delete the kept set NAME?": y deletes, anything else keeps it.
    ConfirmDelete(KeptSet),
}

/// A set of namespaces kept under KEEP_DIR/NAME, as the scan saw it (its bind mounts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptSet {
    pub name: String,
    pub types: Vec<NsType>,
}

/// The kept set a namespace is bound in, if one of its mounts is KEEP_DIR/NAME/TYPE.
pub fn kept_name(ns: &Namespace) -> Option<String> {
    ns.mounts.iter().find_map(|m| {
        let rest = Path::new(m).strip_prefix(KEEP_DIR).ok()?;
        let mut parts = rest.iter();
        let name = parts.next()?.to_str()?;
        (parts.next().is_some() && parts.next().is_none() && validate_name(name).is_ok())
            .then(|| name.to_string())
    })
}

/// Every kept set in the snapshot, sorted by name, each with its types in NsType order.
pub fn kept_sets(snapshot: &Snapshot) -> Vec<KeptSet> {
    let mut sets: Vec<KeptSet> = Vec::new();
    for ns in &snapshot.namespaces {
        let Some(name) = kept_name(ns) else { continue };
        match sets.iter_mut().find(|s| s.name == name) {
            Some(s) => s.types.push(ns.ns_type),
            None => sets.push(KeptSet {
                name,
                types: vec![ns.ns_type],
            }),
        }
    }
    for s in &mut sets {
        s.types.sort();
        s.types.dedup();
    }
    sets.sort_by(|a, b| a.name.cmp(&b.name));
    sets
}

/// A network namespace of the host the spawn dialog offers to join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetChoice {
    /// Its label and how it is reached, as the dialog shows it (untrusted text: escape it).
    pub shown: String,
    pub from: JoinFrom,
}

/// The host's network namespaces but the viewer's own, to pick one to join: through the file
/// one is bound to (`/run/netns/NAME`, a kept set: these first, by path), else through a
/// process in it (by label). A namespace only an fd holds is left out: it has no path to join.
pub fn net_choices(snapshot: &Snapshot) -> Vec<NetChoice> {
    let own = snapshot
        .process(snapshot.host.scanner_pid)
        .and_then(|p| p.ns.get(&NsType::Net).copied());
    let mut by_file = Vec::new();
    let mut by_process = Vec::new();
    for ns in snapshot
        .namespaces
        .iter()
        .filter(|ns| ns.ns_type == NsType::Net)
    {
        if Some(ns.id) == own {
            continue;
        }
        // Labels repeat (two containers of one image): the inode tells them apart.
        let label = if ns.label.is_empty() {
            format!("net:[{}]", ns.id)
        } else {
            format!("{} net:[{}]", ns.label, ns.id)
        };
        if let Some(file) = ns.mounts.iter().min() {
            by_file.push(NetChoice {
                shown: format!("{file} ({label})"),
                from: JoinFrom::File(PathBuf::from(file)),
            });
        } else if let Some(&pid) = ns.processes.first() {
            by_process.push(NetChoice {
                shown: format!("{label} through pid {pid}"),
                from: JoinFrom::Pid(pid),
            });
        }
    }
    by_file.sort_by(|a, b| a.shown.cmp(&b.shown));
    by_process.sort_by(|a, b| a.shown.cmp(&b.shown));
    by_file.extend(by_process);
    by_file
}

/// One namespace type the enter dialog offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterChoice {
    pub ns_type: NsType,
    pub id: NsId,
    /// Entered through this file (no process holds the namespace).
    pub file: Option<PathBuf>,
    /// Not one of ours (the namespaces of the scanning process, i.e. the viewer).
    pub differs: bool,
    pub checked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterDialog {
    /// What is entered, for the title ("PID 3101 sleep 100").
    pub what: String,
    pub target: Option<Pid>,
    pub choices: Vec<EnterChoice>,
    pub focus: usize,
}

/// Our own namespaces: those of the scanning process, else the host's initial ones.
fn ours(snapshot: &Snapshot) -> std::collections::BTreeMap<NsType, NsId> {
    snapshot
        .process(snapshot.host.scanner_pid)
        .map(|p| p.ns.clone())
        .unwrap_or_else(|| snapshot.initial.clone())
}

impl EnterDialog {
    /// A process: every namespace it has, those that differ from ours ticked.
    pub fn for_process(snapshot: &Snapshot, pid: Pid) -> Result<EnterDialog, String> {
        let p = snapshot
            .process(pid)
            .ok_or_else(|| format!("process {pid} is gone"))?;
        Ok(Self::of_process(
            snapshot,
            pid,
            format!("PID {pid} {}", p.command()),
            None,
        ))
    }

    fn of_process(
        snapshot: &Snapshot,
        pid: Pid,
        what: String,
        only: Option<NsType>,
    ) -> EnterDialog {
        let ours = ours(snapshot);
        let p = snapshot.process(pid);
        let choices = NsType::ALL
            .into_iter()
            .filter_map(|t| {
                let id = *p?.ns.get(&t)?;
                let differs = ours.get(&t) != Some(&id);
                Some(EnterChoice {
                    ns_type: t,
                    id,
                    file: None,
                    differs,
                    checked: match only {
                        Some(o) => o == t,
                        None => differs,
                    },
                })
            })
            .collect::<Vec<_>>();
        let focus = choices.iter().position(|c| c.checked).unwrap_or(0);
        EnterDialog {
            what,
            target: Some(pid),
            choices,
            focus,
        }
    }

    /// A namespace: through a process in it (whose other namespaces can be ticked too), else
    /// through the file that holds it (a bind mount, an open fd, a thread's link).
    pub fn for_namespace(snapshot: &Snapshot, t: NsType, id: NsId) -> Result<EnterDialog, String> {
        let ns = snapshot
            .namespace(t, id)
            .ok_or_else(|| format!("{t} namespace {id} is gone"))?;
        let what = format!("{} {id}", t.long_name());
        if let Some(&pid) = ns.processes.first() {
            return Ok(Self::of_process(
                snapshot,
                pid,
                format!("{what} (through PID {pid})"),
                Some(t),
            ));
        }
        let Some(path) = ns.open_path("/proc") else {
            return Err(format!(
                "nothing holds {t} namespace {id} that could be opened to enter it"
            ));
        };
        Ok(EnterDialog {
            what,
            target: None,
            choices: vec![EnterChoice {
                ns_type: t,
                id,
                file: Some(PathBuf::from(path)),
                differs: ours(snapshot).get(&t) != Some(&id),
                checked: true,
            }],
            focus: 0,
        })
    }

    /// A kept set (KEEP_DIR/NAME): every namespace bound there, each through its file, all
    /// ticked, so the set is entered as it was kept.
    pub fn for_kept_set(snapshot: &Snapshot, name: &str) -> Result<EnterDialog, String> {
        let dir = Path::new(KEEP_DIR).join(name);
        let ours = ours(snapshot);
        let mut choices: Vec<EnterChoice> = snapshot
            .namespaces
            .iter()
            .filter(|ns| kept_name(ns).as_deref() == Some(name))
            .filter_map(|ns| {
                let file = ns.mounts.iter().find(|m| Path::new(m).starts_with(&dir))?;
                Some(EnterChoice {
                    ns_type: ns.ns_type,
                    id: ns.id,
                    file: Some(PathBuf::from(file)),
                    differs: ours.get(&ns.ns_type) != Some(&ns.id),
                    checked: true,
                })
            })
            .collect();
        if choices.is_empty() {
            return Err(format!("the kept set {name} is gone"));
        }
        choices.sort_by_key(|c| c.ns_type);
        Ok(EnterDialog {
            what: format!("the kept set {}", dir.display()),
            target: None,
            choices,
            focus: 0,
        })
    }

    pub fn toggle(&mut self) {
        if let Some(c) = self.choices.get_mut(self.focus) {
            c.checked = !c.checked;
        }
    }

    pub fn move_focus(&mut self, delta: isize) {
        self.focus = step(self.focus, delta, self.choices.len());
    }

    /// The request for `nsviz enter`; an error when no type is ticked.
    pub fn spec(&self) -> Result<EnterSpec, String> {
        let mut a = EnterSpec {
            target: self.target,
            ..EnterSpec::default()
        };
        for c in self.choices.iter().filter(|c| c.checked) {
            let from = match &c.file {
                Some(file) => EnterFrom::File(file.clone()),
                None => EnterFrom::Target,
            };
            a.namespaces.insert(c.ns_type, from);
        }
        if a.namespaces.is_empty() {
            return Err("tick at least one namespace type to enter (Space)".into());
        }
        Ok(a)
    }

    /// The `nsviz enter` and `nsenter` lines for what is ticked now.
    pub fn lines(&self) -> Result<(String, Equivalent), String> {
        let a = self.spec()?;
        Ok((equivalent::nsviz_enter_line(&a), equivalent::nsenter(&a)))
    }
}

/// The fields of the spawn dialog, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnField {
    Type(NsType),
    MapRoot,
    Hostname,
    MountProc,
    Binds,
    NewRoot,
    DropCaps,
    Keep,
    /// "ADDR/PFX [PEER/PFX]": a veth pair with these addresses (inside, outside).
    Veth,
    /// Space cycles through the host's network namespaces bound to files.
    JoinNet,
    /// A kept set listed for deletion (D).
    Kept(usize),
}

impl SpawnField {
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SpawnField::Hostname | SpawnField::Binds | SpawnField::Keep | SpawnField::Veth
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnDialog {
    /// Ticked types (each a new namespace).
    pub types: Vec<NsType>,
    pub map_root: bool,
    pub hostname: String,
    pub mount_proc: bool,
    /// "SRC DST; SRC DST": bind mounts, in this order.
    pub binds: String,
    pub new_root: bool,
    pub drop_caps: bool,
    /// Keep the new namespaces under KEEP_DIR/NAME.
    pub keep: String,
    /// Sets kept now, listed so one can be deleted.
    pub kept: Vec<KeptSet>,
    /// "ADDR/PFX [PEER/PFX]": connect the new network namespace with a veth pair.
    pub veth: String,
    /// The host's network namespaces one can join (see [`net_choices`]).
    pub net_choices: Vec<NetChoice>,
    /// 0: join none; i: join net_choices[i - 1].
    pub join_net: usize,
    pub focus: usize,
}

impl SpawnDialog {
    /// A private mount, pid (with its /proc) and uts namespace; a user who is not root also
    /// gets a user namespace with root mapped, as nothing else works without privileges.
    pub fn new(snapshot: &Snapshot) -> SpawnDialog {
        SpawnDialog {
            types: vec![NsType::Mnt, NsType::Pid, NsType::Uts],
            map_root: snapshot.host.scanner_uid != 0,
            hostname: String::new(),
            mount_proc: true,
            binds: String::new(),
            new_root: false,
            drop_caps: false,
            keep: String::new(),
            kept: kept_sets(snapshot),
            veth: String::new(),
            net_choices: net_choices(snapshot),
            join_net: 0,
            focus: 0,
        }
    }

    pub fn fields(&self) -> Vec<SpawnField> {
        let mut f: Vec<SpawnField> = NsType::ALL.into_iter().map(SpawnField::Type).collect();
        f.extend([
            SpawnField::MapRoot,
            SpawnField::Hostname,
            SpawnField::MountProc,
            SpawnField::Binds,
            SpawnField::NewRoot,
            SpawnField::DropCaps,
            SpawnField::Keep,
            SpawnField::Veth,
            SpawnField::JoinNet,
        ]);
        f.extend((0..self.kept.len()).map(SpawnField::Kept));
        f
    }

    pub fn focused(&self) -> SpawnField {
        let fields = self.fields();
        fields[self.focus.min(fields.len() - 1)]
    }

    pub fn move_focus(&mut self, delta: isize) {
        self.focus = step(self.focus, delta, self.fields().len());
    }

    /// Space on a box flips it (a no-op elsewhere).
    pub fn toggle(&mut self) {
        match self.focused() {
            SpawnField::Type(t) => {
                if let Some(i) = self.types.iter().position(|x| *x == t) {
                    self.types.remove(i);
                } else {
                    self.types.push(t);
                    self.types.sort();
                }
            }
            SpawnField::MapRoot => self.map_root = !self.map_root,
            SpawnField::MountProc => self.mount_proc = !self.mount_proc,
            SpawnField::NewRoot => self.new_root = !self.new_root,
            SpawnField::DropCaps => self.drop_caps = !self.drop_caps,
            SpawnField::JoinNet => {
                self.join_net = (self.join_net + 1) % (self.net_choices.len() + 1)
            }
            _ => {}
        }
    }

    fn text_mut(&mut self) -> Option<&mut String> {
        match self.focused() {
            SpawnField::Hostname => Some(&mut self.hostname),
            SpawnField::Binds => Some(&mut self.binds),
            SpawnField::Keep => Some(&mut self.keep),
            SpawnField::Veth => Some(&mut self.veth),
            _ => None,
        }
    }

    pub fn input(&mut self, c: char) {
        if let Some(text) = self.text_mut()
            && !c.is_control()
            && text.chars().count() < 200
        {
            text.push(c);
        }
    }

    pub fn backspace(&mut self) {
        if let Some(text) = self.text_mut() {
            text.pop();
        }
    }

    /// The request for `nsviz spawn`; an error names the field that is wrong.
    pub fn spec(&self) -> Result<SpawnSpec, String> {
        let mut a = SpawnSpec {
            mapping: if self.map_root {
                Mapping::Root
            } else {
                Mapping::None
            },
            mount_proc: self.mount_proc.then(|| PathBuf::from("/proc")),
            new_root: self.new_root,
            drop_caps: self.drop_caps,
            ..SpawnSpec::default()
        };
        for t in &self.types {
            a.namespaces.insert(*t, SpawnNs::New);
        }
        let hostname = self.hostname.trim();
        if !hostname.is_empty() {
            a.hostname = Some(hostname.to_string());
        }
        for pair in self
            .binds
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let words: Vec<&str> = pair.split_whitespace().collect();
            let [src, dst] = words[..] else {
                return Err(format!(
                    "binds: '{pair}' is not SRC DST (two paths; separate binds with ';')"
                ));
            };
            a.setup.push(SetupStep::Bind {
                src: src.into(),
                dst: dst.into(),
            });
        }
        self.network_spec(&mut a)?;
        // The core's own rules (what implies what, what is missing), without touching files.
        let plan = crate::ns::spawn::Plan::new(&a).map_err(|e| e.to_string())?;
        // The command line runs a command with no new namespace as it is; this dialog is for
        // creating some.
        if plan.types.is_empty() && plan.joined.is_empty() {
            return Err("nothing to create: tick a namespace type".into());
        }
        let keep = self.keep.trim();
        if !keep.is_empty() {
            validate_name(keep).map_err(|e| e.to_string())?;
            if self.kept.iter().any(|k| k.name == keep) {
                return Err(format!("kept namespaces named {keep} already exist"));
            }
            a.keep = Some(keep.to_string());
        }
        Ok(a)
    }

    /// The veth and join fields.
    fn network_spec(&self, a: &mut SpawnSpec) -> Result<(), String> {
        let words: Vec<&str> = self.veth.split_whitespace().collect();
        if let Some((inside, outside)) = words.split_first() {
            let parse = |w: &str| w.parse::<IfAddr>().map_err(|e| format!("veth: {e}"));
            if outside.len() > 1 {
                return Err(
                    "veth: give ADDR/PFX (inside) and at most one PEER/PFX (outside)".into(),
                );
            }
            let net = &mut a.network;
            net.veth = Some(VethNames::default());
            net.addrs.push(parse(inside)?);
            if let Some(outside) = outside.first() {
                net.peer_addrs.push(parse(outside)?);
                // With both ends addressed, route through the outside one (as seed 002 does).
                net.route = net.addrs[0].addr.is_ipv4() == net.peer_addrs[0].addr.is_ipv4();
            }
        }
        if let Some(choice) = self
            .join_net
            .checked_sub(1)
            .and_then(|i| self.net_choices.get(i))
        {
            if a.namespaces.contains_key(&NsType::Net) {
                return Err(crate::ns::join::both_join_and_create(NsType::Net).to_string());
            }
            a.namespaces
                .insert(NsType::Net, SpawnNs::Join(choice.from.clone()));
        }
        Ok(())
    }

    /// The `ip` sequence doing the network part by hand, when there is one.
    pub fn ip_line(&self) -> Option<Equivalent> {
        self.spec().ok().and_then(|a| equivalent::ip_sequence(&a))
    }

    /// The types spawn will create with these settings (ticked or implied by an option).
    pub fn implied_types(&self) -> Vec<NsType> {
        let mut a = match self.spec() {
            Ok(a) => a,
            Err(_) => return self.types.clone(),
        };
        a.keep = None;
        crate::ns::spawn::Plan::new(&a)
            .map(|p| p.types)
            .unwrap_or_else(|_| self.types.clone())
    }

    /// The `nsviz spawn`, `unshare` and `bwrap` lines for the current settings.
    pub fn lines(&self) -> Result<(String, Equivalent, Equivalent), String> {
        let a = self.spec()?;
        Ok((
            equivalent::nsviz_spawn_line(&a),
            equivalent::unshare(&a),
            equivalent::bwrap(&a),
        ))
    }

    pub fn argv(&self) -> Result<Vec<OsString>, String> {
        self.spec().map(|a| equivalent::spawn_argv(&a))
    }
}

/// Moves a focus index by `delta`, wrapping around.
fn step(focus: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (focus as isize + delta).rem_euclid(len as isize) as usize
}
