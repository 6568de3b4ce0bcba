//! The same request in other words, for the viewer's enter/spawn dialog: the argv that runs
//! our own binary (`/proc/self/exe` + [`enter_argv`] / [`spawn_argv`]), and the command lines
//! util-linux (nsenter, unshare) and bubblewrap would need, with notes where they fall short.
//! Pure functions of the core's specs ([`SpawnSpec`], [`EnterSpec`]); `cli` parses each argv
//! back to the same spec (tested).

use std::ffi::{OsStr, OsString};
use std::path::Path;

use crate::cli::{propagation_name, setgroups_name};
use crate::model::NsType;
use crate::ns::keep::KEEP_DIR;
use crate::ns::spec::{
    BindKind, DataBind, EnterDir, EnterFrom, EnterSpec, JoinFrom, Mapping, PidOne, Propagation,
    SandboxSpec, SetupStep, SpawnNs, SpawnSpec,
};
use crate::sanitize::for_terminal;

/// A command line for display, and what it cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equivalent {
    /// Shell-quoted, safe to print on a terminal.
    pub line: String,
    /// One sentence per thing the tool does differently or not at all.
    pub notes: Vec<String>,
}

/// Arguments after the program name: `enter -t 123 -n -- ip a`. Run them as
/// `Command::new("/proc/self/exe").args(enter_argv(&args))`.
pub fn enter_argv(a: &EnterSpec) -> Vec<OsString> {
    let mut v = Words::from(["enter"]);
    target_flag(&mut v, a);
    if a.all {
        v.push("--all");
    }
    enter_ns_flags(&mut v, a);
    for id in &a.ids {
        v.push(format!("--ns={id}"));
    }
    enter_common_flags(&mut v, a);
    command(&mut v, &a.command);
    v.0
}

/// Arguments after the program name: `spawn -U -m --map-root-user ... -- CMD`.
pub fn spawn_argv(a: &SpawnSpec) -> Vec<OsString> {
    let mut v = Words::from(["spawn"]);
    for (t, ns) in &a.namespaces {
        match ns {
            SpawnNs::New => v.push(format!("-{}", t.flag_letter())),
            SpawnNs::NewBoundAt(p) => {
                v.push_joined(&format!("--{}=", long_name(*t)), p.as_os_str())
            }
            SpawnNs::Join(_) => {}
        }
    }
    map_flags(&mut v, a.mapping);
    if let Some(s) = a.setgroups {
        v.push(format!("--setgroups={}", setgroups_name(s)));
    }
    if let Some(h) = &a.hostname {
        v.push(format!("--hostname={h}"));
    }
    mount_proc_flag(&mut v, a);
    if a.propagation != Propagation::Private {
        v.push(format!("--propagation={}", propagation_name(a.propagation)));
    }
    if a.new_root {
        v.push("--new-root");
    }
    for step in &a.setup {
        v.0.extend(step_args(step));
    }
    if let Some(uid) = a.setuid {
        v.push(format!("--setuid={uid}"));
    }
    if let Some(gid) = a.setgid {
        v.push(format!("--setgid={gid}"));
    }
    if a.drop_caps {
        v.push("--drop-caps");
    }
    if a.no_new_privs {
        v.push("--no-new-privs");
    }
    if let Some(s) = a.monotonic {
        v.push(format!("--monotonic={s}"));
    }
    if let Some(s) = a.boottime {
        v.push(format!("--boottime={s}"));
    }
    if let Some(k) = &a.keep {
        v.push(format!("--keep={k}"));
    }
    // With --new-root the init is the default (as in bwrap), without it the command.
    match (a.pid_one, a.new_root) {
        (PidOne::Init, false) => v.push("--init"),
        (PidOne::Command, true) => v.push("--as-pid-1"),
        _ => {}
    }
    unshare_only_flags(&mut v, a);
    network_argv(&mut v, a);
    if let Some(wd) = &a.wd {
        v.push_joined("--wd=", wd.as_os_str());
    }
    v.0.extend(sandbox_args(&a.sandbox));
    command(&mut v, &a.command);
    v.0
}

/// `--mount-proc`, or `--mount-proc=DIR` for another directory than /proc.
fn mount_proc_flag(v: &mut Words, a: &SpawnSpec) {
    match &a.mount_proc {
        Some(dir) if dir == Path::new("/proc") => v.push("--mount-proc"),
        Some(dir) => v.push_joined("--mount-proc=", dir.as_os_str()),
        None => {}
    }
}

/// The flags nsviz spawn and unshare(1) spell the same: id maps, owner, --kill-child, --root,
/// --keep-caps.
fn unshare_only_flags(v: &mut Words, a: &SpawnSpec) {
    if let Some(uid) = a.map_user {
        v.push(format!("--map-user={uid}"));
    }
    if let Some(gid) = a.map_group {
        v.push(format!("--map-group={gid}"));
    }
    for block in &a.map_users {
        v.push(format!("--map-users={block}"));
    }
    for block in &a.map_groups {
        v.push(format!("--map-groups={block}"));
    }
    if let Some((uid, gid)) = a.owner {
        v.push(format!("--owner={uid}:{gid}"));
    }
    if let Some(sig) = a.kill_child {
        v.push(format!("--kill-child={}", signal_name(sig)));
    }
    if let Some(root) = &a.root {
        v.push_joined("--root=", root.as_os_str());
    }
    if a.keep_caps {
        v.push("--keep-caps");
    }
}

/// SIGTERM for 15; the number if the signal has no name.
fn signal_name(sig: i32) -> String {
    nix::sys::signal::Signal::try_from(sig)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|_| sig.to_string())
}

/// bwrap's process options, in the words both spawn and bwrap take.
fn sandbox_args(s: &SandboxSpec) -> Vec<OsString> {
    let mut v: Vec<OsString> = Vec::new();
    let mut number = |flag: &str, n: Option<String>| {
        if let Some(n) = n {
            v.extend([OsString::from(flag), OsString::from(n)]);
        }
    };
    number("--uid", s.uid.map(|n| n.to_string()));
    number("--gid", s.gid.map(|n| n.to_string()));
    number("--info-fd", s.info_fd.map(|n| n.to_string()));
    number("--json-status-fd", s.json_status_fd.map(|n| n.to_string()));
    number("--seccomp", s.seccomp_fd.map(|n| n.to_string()));
    for fd in &s.add_seccomp_fds {
        number("--add-seccomp-fd", Some(fd.to_string()));
    }
    for change in &s.caps {
        let flag = if change.add {
            "--cap-add"
        } else {
            "--cap-drop"
        };
        v.extend([flag.into(), crate::ns::caps::name(change.cap).into()]);
    }
    if s.clearenv {
        v.push("--clearenv".into());
    }
    for var in &s.unsetenv {
        v.extend(["--unsetenv".into(), var.clone()]);
    }
    for (var, value) in &s.setenv {
        v.extend(["--setenv".into(), var.clone(), value.clone()]);
    }
    if s.die_with_parent {
        v.push("--die-with-parent".into());
    }
    if s.new_session {
        v.push("--new-session".into());
    }
    if let Some(argv0) = &s.argv0 {
        v.extend(["--argv0".into(), argv0.clone()]);
    }
    for (flag, fd) in [("--block-fd", s.block_fd), ("--sync-fd", s.sync_fd)] {
        if let Some(fd) = fd {
            v.extend([flag.into(), fd.to_string().into()]);
        }
    }
    for file in &s.lock_files {
        v.extend(["--lock-file".into(), file.clone().into_os_string()]);
    }
    if s.disable_userns {
        v.push("--disable-userns".into());
    }
    if let Some(fd) = s.userns2 {
        v.extend(["--userns2".into(), fd.to_string().into()]);
    }
    if s.assert_userns_disabled {
        v.push("--assert-userns-disabled".into());
    }
    if s.level_prefix {
        v.push("--level-prefix".into());
    }
    v
}

/// bwrap's flag joining a namespace of this type open as a file descriptor.
fn fd_join_flag(t: NsType) -> Option<&'static str> {
    match t {
        NsType::User => Some("--userns"),
        NsType::Pid => Some("--pidns"),
        _ => None,
    }
}

/// `--join`, `--veth` and the other network flags of spawn_argv.
fn network_argv(v: &mut Words, a: &SpawnSpec) {
    for (t, from) in a.joins() {
        match (from, fd_join_flag(t)) {
            (JoinFrom::Pid(pid), _) => v.push(format!("--join={t}={pid}")),
            (JoinFrom::File(f), _) => v.push_joined(&format!("--join={t}="), f.as_os_str()),
            (JoinFrom::Fd(fd), Some(flag)) => v.0.extend([flag.into(), fd.to_string().into()]),
            (JoinFrom::Fd(fd), None) => v.push(format!("--join={t}=/proc/self/fd/{fd}")),
        }
    }
    let n = &a.network;
    if let Some(names) = &n.veth {
        v.push(match (&names.outside, &names.inside) {
            (None, None) => "--veth".to_string(),
            (o, None) => format!("--veth={}", o.as_deref().unwrap_or_default()),
            (o, Some(i)) => format!("--veth={}:{i}", o.as_deref().unwrap_or_default()),
        });
    }
    for addr in &n.addrs {
        v.push(format!("--addr={addr}"));
    }
    for addr in &n.peer_addrs {
        v.push(format!("--peer-addr={addr}"));
    }
    if n.route {
        v.push("--route");
    }
    if let Some(b) = &n.bridge {
        v.push(format!("--bridge={b}"));
    }
    if let Some(name) = &n.netns_name {
        v.push(format!("--netns-name={name}"));
    }
    if n.pasta {
        v.push("--pasta");
    }
}

/// `nsviz enter ...` as one line for display.
pub fn nsviz_enter_line(a: &EnterSpec) -> String {
    shell_line(std::iter::once(OsString::from("nsviz")).chain(enter_argv(a)))
}

/// `nsviz spawn ...` as one line for display.
pub fn nsviz_spawn_line(a: &SpawnSpec) -> String {
    shell_line(std::iter::once(OsString::from("nsviz")).chain(spawn_argv(a)))
}

/// The nsenter(1) command doing what `enter` does.
pub fn nsenter(a: &EnterSpec) -> Equivalent {
    let mut v = Words::from(["nsenter"]);
    let mut notes = Vec::new();
    target_flag(&mut v, a);
    if a.all {
        v.push("--all");
    }
    enter_ns_flags(&mut v, a);
    if !a.ids.is_empty() || a.namespaces.values().any(|f| matches!(f, EnterFrom::Id(_))) {
        notes.push(
            "nsenter 2.38 cannot enter a namespace by id (2.42's --TYPE=:ID needs the kernel's \
             NSID); nsviz finds where it is held."
                .into(),
        );
    }
    if a.target_inode.is_some() {
        notes.push("nsenter 2.38 takes no PID:INODE target (2.42 does).".into());
    }
    enter_common_flags(&mut v, a);
    v.equivalent(&a.command, notes)
}

/// The unshare(1) command doing what `spawn` does, as far as it can.
pub fn unshare(a: &SpawnSpec) -> Equivalent {
    let mut v = Words::from(["unshare"]);
    let mut notes = Vec::new();
    let types = implied_types(a);
    let kept = |t: NsType| {
        a.keep
            .as_ref()
            .map(|k| Path::new(KEEP_DIR).join(k).join(t.name()))
    };
    for t in NsType::ALL {
        if !types.contains(&t) {
            continue;
        }
        let bound = match a.namespaces.get(&t) {
            Some(SpawnNs::NewBoundAt(file)) => Some(file.clone()),
            _ => None,
        };
        match bound.or(kept(t)) {
            Some(file) => v.push_joined(&format!("--{}=", long_name(t)), file.as_os_str()),
            None => v.push(format!("--{}", long_name(t))),
        }
    }
    if a.keep.is_some() {
        notes.push(format!(
            "unshare does not create the directory {KEEP_DIR}/NAME or make it a private mount; \
             nsviz does."
        ));
    }
    if types.contains(&NsType::Pid) || types.contains(&NsType::Time) {
        v.push("--fork");
        if a.pid_one == PidOne::Init && types.contains(&NsType::Pid) {
            notes.push(
                "unshare has no init (--init): with --fork the command itself is PID 1.".into(),
            );
        }
    }
    map_flags(&mut v, a.mapping);
    if let Some(s) = a.setgroups {
        v.push(format!("--setgroups={}", setgroups_name(s)));
    }
    mount_proc_flag(&mut v, a);
    unshare_only_flags(&mut v, a);
    if types.contains(&NsType::Mnt) && a.propagation != Propagation::Private {
        v.push(format!("--propagation={}", propagation_name(a.propagation)));
    }
    if let Some(s) = a.monotonic {
        v.push(format!("--monotonic={s}"));
    }
    if let Some(s) = a.boottime {
        v.push(format!("--boottime={s}"));
    }
    if let Some(uid) = a.setuid {
        v.push(format!("--setuid={uid}"));
    }
    if let Some(gid) = a.setgid {
        v.push(format!("--setgid={gid}"));
    }
    if let Some(wd) = &a.wd {
        v.push_joined("--wd=", wd.as_os_str());
    }
    if let Some(h) = &a.hostname {
        notes.push(format!(
            "unshare cannot set a hostname: run `hostname {}` first inside.",
            shell_word(OsStr::new(h))
        ));
    }
    if !a.setup.is_empty() || a.new_root {
        notes.push(
            "unshare has no filesystem flags: use mount --bind / mount -t tmpfs inside, or the \
             bwrap line."
                .into(),
        );
    }
    let n = &a.network;
    if n.wants_new_net() || !a.joins().is_empty() {
        notes.push(
            "unshare cannot connect, name or join a network namespace: see the ip line.".into(),
        );
    }
    if a.drop_caps || a.no_new_privs {
        notes.push(
            "unshare cannot drop capabilities or set no_new_privs: wrap the command in \
             setpriv --bounding-set=-all --inh-caps=-all --no-new-privs (before any --setuid)."
                .into(),
        );
    }
    if !a.sandbox.caps.is_empty()
        || a.sandbox.seccomp_fd.is_some()
        || !a.sandbox.add_seccomp_fds.is_empty()
    {
        notes.push(
            "unshare cannot add or drop single capabilities or load a seccomp program: see the \
             bwrap line."
                .into(),
        );
    }
    if a.sandbox.argv0.is_some() {
        notes
            .push("unshare cannot set the command's argv[0] (--argv0): see the bwrap line.".into());
    }
    v.equivalent(&a.command, notes)
}

/// The network flags by hand: `ip netns` and `ip link`/`ip addr`/`ip route` lines, then the
/// command in the named namespace (through `unshare` for the other new types, `nsenter` for the
/// joined ones), joined with `&&` into one line. None when no network flag is given.
pub fn ip_sequence(a: &SpawnSpec) -> Option<Equivalent> {
    let n = &a.network;
    let joins = a.joins();
    let joins_net = joins.iter().any(|(t, _)| *t == NsType::Net);
    if !n.wants_new_net() && joins.is_empty() {
        return None;
    }
    let mut steps: Vec<Vec<OsString>> = Vec::new();
    let mut notes = Vec::new();
    let step = |words: &[&str]| words.iter().map(OsString::from).collect::<Vec<_>>();
    let types = implied_types(a);
    let new_net = types.contains(&NsType::Net) && !joins_net;
    let name = n.netns_name.clone().unwrap_or_else(|| "NAME".into());
    if new_net && !n.pasta {
        steps.push(step(&["ip", "netns", "add", &name]));
    }
    if let Some(veth) = &n.veth {
        let outside = veth.outside.clone().unwrap_or_else(|| "nsviz0".into());
        let inside = veth
            .inside
            .clone()
            .unwrap_or_else(|| crate::ns::network::DEFAULT_INSIDE.into());
        steps.push(step(&[
            "ip", "link", "add", &outside, "type", "veth", "peer", "name", &inside, "netns", &name,
        ]));
        for addr in &n.peer_addrs {
            steps.push(step(&[
                "ip",
                "addr",
                "add",
                &addr.to_string(),
                "dev",
                &outside,
            ]));
        }
        if let Some(bridge) = &n.bridge {
            steps.push(step(&["ip", "link", "set", &outside, "master", bridge]));
        }
        steps.push(step(&["ip", "link", "set", &outside, "up"]));
        steps.push(step(&["ip", "-n", &name, "link", "set", "lo", "up"]));
        for addr in &n.addrs {
            let mut words = step(&["ip", "-n", &name, "addr", "add", &addr.to_string()]);
            if addr.addr.is_ipv6() {
                words.push("nodad".into());
            }
            words.extend(step(&["dev", &inside]));
            steps.push(words);
        }
        steps.push(step(&["ip", "-n", &name, "link", "set", &inside, "up"]));
        if n.route {
            let mut families = Vec::new();
            for peer in &n.peer_addrs {
                if !families.contains(&peer.addr.is_ipv4()) {
                    families.push(peer.addr.is_ipv4());
                    let gateway = peer.addr.to_string();
                    steps.push(step(&[
                        "ip", "-n", &name, "route", "add", "default", "via", &gateway,
                    ]));
                }
            }
        }
    }
    // The command: in the named namespace (ip netns exec), in the joined ones (nsenter), in
    // the other new ones (unshare).
    let mut last: Vec<OsString> = Vec::new();
    if new_net && !n.pasta {
        last.extend(step(&["ip", "netns", "exec", &name]));
    }
    if !joins.is_empty() {
        last.push("nsenter".into());
        for (t, from) in &joins {
            let flag = format!("--{}", long_name(*t));
            match from {
                JoinFrom::Pid(pid) => last.push(format!("{flag}=/proc/{pid}/ns/{t}").into()),
                JoinFrom::Fd(fd) => last.push(format!("{flag}=/proc/self/fd/{fd}").into()),
                JoinFrom::File(f) => {
                    let mut w = OsString::from(format!("{flag}="));
                    w.push(f.as_os_str());
                    last.push(w);
                }
            }
        }
    }
    let others: Vec<NsType> = types
        .iter()
        .copied()
        .filter(|t| *t != NsType::Net || n.pasta)
        .collect();
    if !others.is_empty() {
        // The same request without the network flags and joins, creating only the others.
        let mut rest = a.clone();
        rest.network = Default::default();
        rest.keep = None;
        rest.namespaces = others.iter().map(|t| (*t, SpawnNs::New)).collect();
        if n.pasta {
            notes.push(
                "pasta attaches to a running process: start the command with unshare, then run \
                 `pasta --config-net PID` from outside."
                    .into(),
            );
        }
        // Its notes are those of the unshare line, shown there.
        last.extend(unshare_words(&rest));
    } else {
        if a.command.is_empty() {
            last.push("sh".into());
        } else {
            last.extend(a.command.iter().cloned());
        }
    }
    steps.push(last);
    if new_net && !n.pasta && n.netns_name.is_none() && a.keep.is_none() {
        steps.push(step(&["ip", "netns", "delete", &name]));
        notes.push(
            "ip netns needs a name: NAME stands for one, deleted at the end (nsviz's namespace \
             has none unless --netns-name is given)."
                .into(),
        );
    }
    let line = steps
        .into_iter()
        .map(shell_line)
        .collect::<Vec<_>>()
        .join(" && ");
    Some(Equivalent { line, notes })
}

/// The words of the unshare line, command included.
fn unshare_words(a: &SpawnSpec) -> Vec<OsString> {
    let mut v = Words::from(["unshare"]);
    let types = implied_types(a);
    for t in NsType::ALL.into_iter().filter(|t| types.contains(t)) {
        v.push(format!("--{}", long_name(t)));
    }
    if types.contains(&NsType::Pid) || types.contains(&NsType::Time) {
        v.push("--fork");
    }
    if a.mapping == Mapping::Root {
        v.push("--map-root-user");
    }
    mount_proc_flag(&mut v, a);
    unshare_only_flags(&mut v, a);
    let mut words = v.0;
    if a.command.is_empty() {
        return words;
    }
    words.push("--".into());
    words.extend(a.command.iter().cloned());
    words
}

/// The bwrap(1) command doing what `spawn` does, as far as it can. bwrap always creates a
/// mount namespace and a new root; without --new-root, `--dev-bind / /` stands for the host's
/// (devices usable; bwrap adds nosuid to it).
pub fn bwrap(a: &SpawnSpec) -> Equivalent {
    let mut v = Words::from(["bwrap"]);
    let mut notes = Vec::new();
    let types = implied_types(a);
    let unshare_flags = [
        (NsType::User, "--unshare-user"),
        (NsType::Pid, "--unshare-pid"),
        (NsType::Net, "--unshare-net"),
        (NsType::Uts, "--unshare-uts"),
        (NsType::Ipc, "--unshare-ipc"),
        (NsType::Cgroup, "--unshare-cgroup"),
    ];
    for (t, flag) in unshare_flags {
        if types.contains(&t) {
            v.push(flag);
        }
    }
    // bwrap takes option values as separate words, never `--opt=value`; it sets ids only
    // inside a user namespace of its own.
    if types.contains(&NsType::User) && a.sandbox.uid.is_none() && a.sandbox.gid.is_none() {
        if let Some(uid) = a.setuid.or((a.mapping == Mapping::Root).then_some(0)) {
            v.0.extend(["--uid".into(), uid.to_string().into()]);
        }
        if let Some(gid) = a.setgid.or((a.mapping == Mapping::Root).then_some(0)) {
            v.0.extend(["--gid".into(), gid.to_string().into()]);
        }
    } else if a.setuid.is_some() || a.setgid.is_some() {
        notes.push(
            "bwrap sets the uid and gid only with --unshare-user (--setuid, --setgid).".into(),
        );
    }
    if let Some(h) = &a.hostname {
        v.0.extend(["--hostname".into(), OsString::from(h)]);
    }
    if !a.new_root {
        v.0.extend(["--dev-bind", "/", "/"].map(OsString::from));
    }
    if let Some(dir) = &a.mount_proc {
        v.0.extend([OsString::from("--proc"), dir.clone().into_os_string()]);
    }
    if a.pid_one == PidOne::Command && types.contains(&NsType::Pid) {
        v.push("--as-pid-1");
    }
    if a.kill_child.is_some() {
        v.push("--die-with-parent");
    }
    if !a.map_users.is_empty()
        || !a.map_groups.is_empty()
        || a.map_user.is_some()
        || a.map_group.is_some()
        || a.owner.is_some()
        || a.root.is_some()
        || a.keep_caps
    {
        notes.push(
            "bwrap has no --map-user(s)/--map-group(s), --owner, --root or --keep-caps: see \
             the unshare line."
                .into(),
        );
    }
    let mut other_joins = false;
    for (t, from) in a.joins() {
        match (from, fd_join_flag(t)) {
            (JoinFrom::Fd(fd), Some(flag)) => v.0.extend([flag.into(), fd.to_string().into()]),
            _ => other_joins = true,
        }
    }
    if other_joins {
        notes.push(
            "bwrap joins only a user or PID namespace, open as a file descriptor (--userns FD, \
             --pidns FD)."
                .into(),
        );
    }
    for step in &a.setup {
        // bwrap has the same six flags with the same arguments.
        v.0.extend(step_args(step));
    }
    if a.drop_caps {
        v.0.extend(["--cap-drop", "ALL"].map(OsString::from));
    }
    v.0.extend(sandbox_args(&a.sandbox));
    if let Some(wd) = &a.wd {
        v.0.extend([OsString::from("--chdir"), wd.clone().into_os_string()]);
    }
    if types.contains(&NsType::Time) {
        notes.push("bwrap has no time namespace (--monotonic, --boottime, -T).".into());
    }
    if a.keep.is_some() || !a.bound_files().is_empty() {
        notes.push("bwrap cannot bind the new namespaces to files (--TYPE=FILE, --keep).".into());
    }
    if types.contains(&NsType::Mnt) && a.propagation != Propagation::Private {
        notes.push("bwrap chooses mount propagation itself (--propagation).".into());
    }
    if !a.no_new_privs && !a.new_root {
        notes.push("bwrap always sets no_new_privs.".into());
    }
    if a.command.is_empty() {
        // bwrap needs a command; nsviz's default is the user's shell.
        v.push(std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into()));
    }
    v.equivalent(&a.command, notes)
}

/// The types `spawn` will create: the same rules as [`crate::ns::spawn::Plan`], which also
/// checks them; an argv that fails the check yields the types as given.
fn implied_types(a: &SpawnSpec) -> Vec<NsType> {
    crate::ns::spawn::Plan::new(a)
        .map(|p| p.types)
        .unwrap_or_else(|_| a.named_new())
}

fn long_name(t: NsType) -> &'static str {
    if t == NsType::Mnt { "mount" } else { t.name() }
}

/// `-m` for the target's namespace, `--mount=FILE` for one bound to a file, `--net=:ID` by
/// id, `--net-socket=FD` through a socket.
fn enter_ns_flags(v: &mut Words, a: &EnterSpec) {
    for (t, from) in &a.namespaces {
        match from {
            EnterFrom::Target => v.push(format!("-{}", t.flag_letter())),
            EnterFrom::File(p) => v.push_joined(&format!("--{}=", long_name(*t)), p.as_os_str()),
            EnterFrom::Id(id) => v.push(format!("--{}=:{id}", long_name(*t))),
            EnterFrom::Socket(fd) => v.push(format!("--net-socket={fd}")),
        }
    }
}

/// `--target=PID`, or `--target=PID:INODE` with the pidfs inode to check.
fn target_flag(v: &mut Words, a: &EnterSpec) {
    match (a.target, a.target_inode) {
        (Some(pid), Some(inode)) => v.push(format!("--target={pid}:{inode}")),
        (Some(pid), None) => v.push(format!("--target={pid}")),
        (None, _) => {}
    }
}

/// The options nsenter and `nsviz enter` share, spelled the same.
fn enter_common_flags(v: &mut Words, a: &EnterSpec) {
    if a.user_parent {
        v.push("--user-parent");
    }
    if let Some(uid) = a.setuid {
        v.push(format!("--setuid={uid}"));
    }
    if let Some(gid) = a.setgid {
        v.push(format!("--setgid={gid}"));
    }
    if a.preserve_credentials {
        v.push("--preserve-credentials");
    }
    if a.keep_caps {
        v.push("--keep-caps");
    }
    let dir = |v: &mut Words, flag: &str, d: &EnterDir| match d {
        EnterDir::Target => v.push(format!("--{flag}")),
        EnterDir::Path(p) => v.push_joined(&format!("--{flag}="), p.as_os_str()),
    };
    if let Some(root) = &a.root {
        dir(v, "root", root);
    }
    if let Some(wd) = &a.wd {
        dir(v, "wd", wd);
    }
    if let Some(wdns) = &a.wdns {
        v.push_joined("--wdns=", wdns.as_os_str());
    }
    if a.env {
        v.push("--env");
    }
    if a.join_cgroup {
        v.push("--join-cgroup");
    }
    if a.no_fork {
        v.push("--no-fork");
    }
    if a.follow_context {
        v.push("--follow-context");
    }
}

fn map_flags(v: &mut Words, mapping: Mapping) {
    match mapping {
        Mapping::Root => v.push("--map-root-user"),
        Mapping::Current => v.push("--map-current-user"),
        Mapping::None => {}
    }
}

/// A setup step as its spawn flag and arguments (bwrap's flags are the same).
pub fn step_args(step: &SetupStep) -> Vec<OsString> {
    let octal = |mode: &u32| OsString::from(format!("{mode:04o}"));
    let perms = |mode: &Option<u32>| match mode {
        Some(m) => vec![OsString::from("--perms"), octal(m)],
        None => Vec::new(),
    };
    let path = |p: &std::path::PathBuf| p.clone().into_os_string();
    let words = |flag: &str, rest: Vec<OsString>| {
        std::iter::once(OsString::from(flag)).chain(rest).collect()
    };
    let (flag, values): (&str, Vec<&std::path::PathBuf>) = match step {
        SetupStep::TryBind { src, dst, kind } => {
            let flag = match kind {
                BindKind::Plain => "--bind-try",
                BindKind::ReadOnly => "--ro-bind-try",
                BindKind::Dev => "--dev-bind-try",
            };
            return words(flag, vec![path(src), path(dst)]);
        }
        SetupStep::TmpfsMode { dst, mode, size } => {
            let size = match size {
                Some(size) => vec![OsString::from("--size"), OsString::from(size.to_string())],
                None => Vec::new(),
            };
            return [perms(mode), size, words("--tmpfs", vec![path(dst)])].concat();
        }
        SetupStep::Mqueue { dst } => return words("--mqueue", vec![path(dst)]),
        SetupStep::BindFd { fd, dst, read_only } => {
            let flag = if *read_only {
                "--ro-bind-fd"
            } else {
                "--bind-fd"
            };
            return words(flag, vec![OsString::from(fd.to_string()), path(dst)]);
        }
        SetupStep::Dir { dst, mode } => {
            return [perms(mode), words("--dir", vec![path(dst)])].concat();
        }
        SetupStep::RemountRo { dst } => return words("--remount-ro", vec![path(dst)]),
        SetupStep::Chmod { mode, path: p } => return words("--chmod", vec![octal(mode), path(p)]),
        SetupStep::Data {
            fd,
            dst,
            bind,
            mode,
        } => {
            let flag = match bind {
                DataBind::Copy => "--file",
                DataBind::Bind => "--bind-data",
                DataBind::RoBind => "--ro-bind-data",
            };
            let fd = OsString::from(fd.to_string());
            return [perms(mode), words(flag, vec![fd, path(dst)])].concat();
        }
        SetupStep::Bind { src, dst } => ("--bind", vec![src, dst]),
        SetupStep::RoBind { src, dst } => ("--ro-bind", vec![src, dst]),
        SetupStep::DevBind { src, dst } => ("--dev-bind", vec![src, dst]),
        SetupStep::Tmpfs { dst } => ("--tmpfs", vec![dst]),
        SetupStep::Symlink { target, link } => ("--symlink", vec![target, link]),
        SetupStep::Proc { dst } => ("--proc", vec![dst]),
        SetupStep::Dev { dst } => ("--dev", vec![dst]),
    };
    std::iter::once(OsString::from(flag))
        .chain(values.into_iter().map(|p| p.clone().into_os_string()))
        .collect()
}

fn command(v: &mut Words, cmd: &[OsString]) {
    if !cmd.is_empty() {
        v.push("--");
        v.0.extend(cmd.iter().cloned());
    }
}

struct Words(Vec<OsString>);

impl<const N: usize> From<[&str; N]> for Words {
    fn from(words: [&str; N]) -> Words {
        Words(words.iter().map(OsString::from).collect())
    }
}

impl Words {
    /// The finished line, with the command after `--` (nothing when it is empty).
    fn equivalent(mut self, cmd: &[OsString], notes: Vec<String>) -> Equivalent {
        command(&mut self, cmd);
        Equivalent {
            line: shell_line(self.0),
            notes,
        }
    }

    fn push(&mut self, w: impl Into<OsString>) {
        self.0.push(w.into());
    }

    fn push_joined(&mut self, prefix: &str, value: &OsStr) {
        let mut w = OsString::from(prefix);
        w.push(value);
        self.0.push(w);
    }
}

/// Words joined into one line a POSIX shell would split back the same way, escaped for a
/// terminal (control characters shown as escapes, never sent raw).
pub fn shell_line(words: impl IntoIterator<Item = OsString>) -> String {
    words
        .into_iter()
        .map(|w| shell_word(&w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_word(w: &OsStr) -> String {
    let text = w.to_string_lossy();
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b));
    let quoted = if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    };
    for_terminal(&quoted).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::ns::spec::EnterId;
    use crate::ns::spec::{NetworkSpec, Setgroups, VethNames};
    use clap::Parser;
    use std::path::PathBuf;

    fn parse(argv: Vec<OsString>) -> Command {
        let full = std::iter::once(OsString::from("nsviz")).chain(argv);
        Cli::try_parse_from(full)
            .unwrap_or_else(|e| panic!("{e}"))
            .command
            .expect("a subcommand")
    }

    /// The spec the command line gives for `argv`.
    fn spec_of(argv: Vec<OsString>) -> std::result::Result<SpawnSpec, String> {
        match parse(argv) {
            Command::Spawn(a) => a.to_spec().map_err(|e| e.to_string()),
            other => panic!("{other:?}"),
        }
    }

    fn full_spawn() -> SpawnSpec {
        let mut a = SpawnSpec {
            mapping: Mapping::Root,
            setgroups: Some(Setgroups::Deny),
            hostname: Some("box".into()),
            mount_proc: Some("/proc".into()),
            propagation: Propagation::Slave,
            setup: vec![
                SetupStep::Tmpfs { dst: "/tmp".into() },
                SetupStep::RoBind {
                    src: "/usr".into(),
                    dst: "/usr".into(),
                },
                SetupStep::Symlink {
                    target: "usr/bin".into(),
                    link: "/bin".into(),
                },
                SetupStep::Bind {
                    src: "/a b".into(),
                    dst: "/c".into(),
                },
                SetupStep::Proc {
                    dst: "/proc".into(),
                },
                SetupStep::Dev { dst: "/dev".into() },
                SetupStep::TryBind {
                    src: "/opt".into(),
                    dst: "/opt".into(),
                    kind: BindKind::ReadOnly,
                },
                SetupStep::TryBind {
                    src: "/srv".into(),
                    dst: "/srv".into(),
                    kind: BindKind::Plain,
                },
                SetupStep::TryBind {
                    src: "/var".into(),
                    dst: "/var".into(),
                    kind: BindKind::Dev,
                },
                SetupStep::DevBind {
                    src: "/dev".into(),
                    dst: "/dev2".into(),
                },
                SetupStep::TmpfsMode {
                    dst: "/run".into(),
                    mode: Some(0o700),
                    size: None,
                },
                SetupStep::TmpfsMode {
                    dst: "/run2".into(),
                    mode: None,
                    size: Some(1 << 20),
                },
                SetupStep::TmpfsMode {
                    dst: "/run3".into(),
                    mode: Some(0o1777),
                    size: Some(4096),
                },
                SetupStep::Mqueue {
                    dst: "/dev/mqueue".into(),
                },
                SetupStep::BindFd {
                    fd: 9,
                    dst: "/b".into(),
                    read_only: false,
                },
                SetupStep::BindFd {
                    fd: 10,
                    dst: "/rb".into(),
                    read_only: true,
                },
                SetupStep::Dir {
                    dst: "/work".into(),
                    mode: Some(0o750),
                },
                SetupStep::Dir {
                    dst: "/w2".into(),
                    mode: None,
                },
                SetupStep::RemountRo { dst: "/usr".into() },
                SetupStep::Chmod {
                    mode: 0o1777,
                    path: "/run".into(),
                },
                SetupStep::Data {
                    fd: 3,
                    dst: "/etc/passwd".into(),
                    bind: DataBind::Copy,
                    mode: None,
                },
                SetupStep::Data {
                    fd: 4,
                    dst: "/etc/group".into(),
                    bind: DataBind::Bind,
                    mode: Some(0o644),
                },
                SetupStep::Data {
                    fd: 5,
                    dst: "/etc/x".into(),
                    bind: DataBind::RoBind,
                    mode: None,
                },
            ],
            sandbox: SandboxSpec {
                uid: Some(5),
                gid: Some(6),
                clearenv: true,
                unsetenv: vec!["LANG".into()],
                setenv: vec![("A".into(), "b c".into()), ("D".into(), "-e".into())],
                die_with_parent: true,
                new_session: true,
                info_fd: Some(7),
                json_status_fd: Some(8),
                add_seccomp_fds: vec![12, 13],
                ..SandboxSpec::default()
            },
            new_root: true,
            setuid: Some(1000),
            setgid: Some(1000),
            drop_caps: true,
            no_new_privs: true,
            monotonic: Some(-5),
            boottime: Some(86400),
            keep: Some("k".into()),
            wd: Some("/tmp".into()),
            command: vec!["sh".into(), "-c".into(), "echo 'hi' --x".into()],
            ..SpawnSpec::default()
        };
        a.namespaces.insert(NsType::Pid, SpawnNs::New);
        a.namespaces
            .insert(NsType::Uts, SpawnNs::NewBoundAt(PathBuf::from("/tmp/u ts")));
        a.namespaces.insert(NsType::Cgroup, SpawnNs::New);
        a
    }

    /// Joins and the network flags, with a user, mount and PID namespace to create.
    fn network_spawn() -> SpawnSpec {
        let mut a = SpawnSpec {
            mapping: Mapping::Root,
            mount_proc: Some("/proc".into()),
            command: vec!["ip".into(), "addr".into()],
            ..SpawnSpec::default()
        };
        a.namespaces
            .insert(NsType::Ipc, SpawnNs::Join(JoinFrom::Pid(77)));
        a.namespaces.insert(
            NsType::Uts,
            SpawnNs::Join(JoinFrom::File("/run/x y".into())),
        );
        a.network = NetworkSpec {
            veth: Some(VethNames {
                outside: None,
                inside: Some("in0".into()),
            }),
            addrs: vec![
                "10.0.0.2/24".parse().unwrap(),
                "fd00::2/64".parse().unwrap(),
            ],
            peer_addrs: vec!["10.0.0.1/24".parse().unwrap()],
            route: true,
            bridge: Some("br0".into()),
            netns_name: Some("blue".into()),
            pasta: false,
        };
        a
    }

    /// Only filesystem steps, a current-user map, a pasta connection, a bound net namespace.
    fn steps_only_spawn() -> SpawnSpec {
        let mut a = SpawnSpec {
            mapping: Mapping::Current,
            setgroups: Some(Setgroups::Allow),
            propagation: Propagation::Unchanged,
            setup: vec![
                SetupStep::Dev {
                    dst: "/d ev".into(),
                },
                SetupStep::Bind {
                    src: "/x".into(),
                    dst: "/y".into(),
                },
                SetupStep::Tmpfs { dst: "/t".into() },
                SetupStep::Bind {
                    src: "--odd".into(),
                    dst: "/z".into(),
                },
            ],
            network: NetworkSpec {
                pasta: true,
                ..NetworkSpec::default()
            },
            ..SpawnSpec::default()
        };
        a.namespaces
            .insert(NsType::Net, SpawnNs::NewBoundAt("/run/n=et".into()));
        a.namespaces.insert(
            NsType::Time,
            SpawnNs::Join(JoinFrom::File("/k/time".into())),
        );
        a
    }

    use crate::ns::spec::IdBlock;

    /// unshare(1)'s id maps, owner, --kill-child, --root, --keep-caps, and the init.
    fn unshare_options_spawn() -> SpawnSpec {
        let mut a = SpawnSpec {
            mount_proc: Some("/mnt/p roc".into()),
            pid_one: PidOne::Init,
            map_user: Some(0),
            map_group: Some(100),
            map_users: vec![
                IdBlock::Range {
                    inner: 1,
                    outer: 100000,
                    count: 65536,
                },
                IdBlock::Auto,
            ],
            map_groups: vec![IdBlock::Subids, IdBlock::All],
            owner: Some((1000, 1000)),
            kill_child: Some(libc::SIGTERM),
            root: Some("/srv/ro-ot".into()),
            keep_caps: true,
            ..SpawnSpec::default()
        };
        a.namespaces.insert(NsType::Pid, SpawnNs::New);
        a
    }

    /// bwrap's capability changes and seccomp program.
    fn confinement_spawn() -> SpawnSpec {
        use crate::ns::spec::CapChange;
        SpawnSpec {
            new_root: true,
            sandbox: SandboxSpec {
                caps: vec![
                    CapChange {
                        add: false,
                        cap: None,
                    },
                    CapChange {
                        add: true,
                        cap: Some(12),
                    },
                    CapChange {
                        add: true,
                        cap: Some(50),
                    },
                    CapChange {
                        add: false,
                        cap: Some(0),
                    },
                ],
                seccomp_fd: Some(9),
                argv0: Some("-sh".into()),
                block_fd: Some(10),
                sync_fd: Some(11),
                lock_files: vec!["/run/a lock".into(), "/b".into()],
                disable_userns: true,
                assert_userns_disabled: true,
                userns2: Some(14),
                level_prefix: true,
                ..SandboxSpec::default()
            },
            command: vec!["true".into()],
            ..SpawnSpec::default()
        }
    }

    #[test]
    fn spawn_spec_round_trips_through_the_command_line() {
        for a in [
            confinement_spawn(),
            full_spawn(),
            network_spawn(),
            steps_only_spawn(),
            unshare_options_spawn(),
            fd_joins_spawn(),
            SpawnSpec::default(),
        ] {
            assert_eq!(spec_of(spawn_argv(&a)), Ok(a));
        }
    }

    /// bwrap's --userns and --pidns: a user and a PID namespace joined through fds.
    fn fd_joins_spawn() -> SpawnSpec {
        let mut a = SpawnSpec {
            new_root: true,
            pid_one: PidOne::Init,
            setup: vec![SetupStep::RoBind {
                src: "/".into(),
                dst: "/".into(),
            }],
            sandbox: SandboxSpec {
                uid: Some(0),
                ..SandboxSpec::default()
            },
            command: vec!["id".into()],
            ..SpawnSpec::default()
        };
        a.namespaces
            .insert(NsType::User, SpawnNs::Join(JoinFrom::Fd(3)));
        a.namespaces
            .insert(NsType::Pid, SpawnNs::Join(JoinFrom::Fd(4)));
        a
    }

    #[test]
    fn fd_joins_are_bwraps_userns_and_pidns() {
        let b = bwrap(&fd_joins_spawn());
        assert!(b.line.contains("--userns 3 --pidns 4"), "{}", b.line);
        assert!(b.notes.is_empty(), "{:?}", b.notes);
        let argv = ["spawn", "--new-root", "--userns", "3", "--unshare-user"]
            .map(OsString::from)
            .to_vec();
        let err = spec_of(argv).unwrap_err();
        assert!(err.starts_with("--userns cannot be combined"), "{err}");
        let argv = ["spawn", "--new-root", "--pidns", "3", "--unshare-all"]
            .map(OsString::from)
            .to_vec();
        let err = spec_of(argv).unwrap_err();
        assert!(err.starts_with("--pidns cannot be combined"), "{err}");
    }

    #[test]
    fn a_type_joined_and_created_does_not_come_back_as_a_spec() {
        let argv = ["spawn", "-n", "--join=net=1"].map(OsString::from).to_vec();
        let err = spec_of(argv).unwrap_err();
        assert!(
            err.contains("cannot both join and create a net namespace"),
            "{err}"
        );
        let argv = ["spawn", "--join=net=1", "--join=net=2"]
            .map(OsString::from)
            .to_vec();
        assert!(spec_of(argv).unwrap_err().contains("given twice"));
    }

    #[test]
    fn enter_argv_round_trips() {
        let mut a = EnterSpec {
            target: Some(42),
            target_inode: Some(7001),
            all: true,
            setuid: Some(EnterId::Id(7)),
            setgid: Some(EnterId::Follow),
            preserve_credentials: true,
            wd: Some(EnterDir::Path("/x=y".into())),
            root: Some(EnterDir::Target),
            ids: vec![4026531840, 9],
            user_parent: true,
            keep_caps: true,
            env: true,
            join_cgroup: true,
            no_fork: true,
            follow_context: true,
            command: vec!["--weird".into(), "arg".into()],
            ..EnterSpec::default()
        };
        a.namespaces
            .insert(NsType::Net, EnterFrom::File("/run/netns/blue".into()));
        a.namespaces.insert(NsType::Mnt, EnterFrom::Target);
        a.namespaces.insert(NsType::Uts, EnterFrom::Id(4026531838));
        let mut b = EnterSpec {
            root: Some(EnterDir::Path("/r".into())),
            wd: Some(EnterDir::Target),
            setuid: Some(EnterId::Follow),
            setgid: Some(EnterId::Id(0)),
            ..EnterSpec::default()
        };
        b.namespaces.insert(NsType::Net, EnterFrom::Socket(3));
        let c = EnterSpec {
            wdns: Some("/in side".into()),
            ..EnterSpec::default()
        };
        for a in [a, b, c, EnterSpec::default()] {
            match parse(enter_argv(&a)) {
                Command::Enter(back) => assert_eq!(back.to_spec(), a),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn command_line_order_of_filesystem_flags_is_kept() {
        let argv = [
            "spawn",
            "--tmpfs",
            "/a",
            "--bind",
            "/s",
            "/d",
            "--tmpfs",
            "/b",
            "--symlink",
            "t",
            "/l",
        ]
        .map(OsString::from)
        .to_vec();
        let Command::Spawn(a) = parse(argv) else {
            panic!()
        };
        let dsts: Vec<String> = a
            .mount_ops
            .0
            .iter()
            .map(|step| step_args(step)[1].to_string_lossy().into_owned())
            .collect();
        assert_eq!(dsts, ["/a", "/s", "/b", "t"]);
    }

    #[test]
    fn nsenter_line() {
        let mut a = EnterSpec {
            target: Some(123),
            ..EnterSpec::default()
        };
        a.namespaces.insert(NsType::Mnt, EnterFrom::Target);
        a.namespaces.insert(NsType::Net, EnterFrom::Target);
        a.command = vec!["ip".into(), "a".into()];
        assert_eq!(nsenter(&a).line, "nsenter --target=123 -m -n -- ip a");
        assert_eq!(
            nsviz_enter_line(&a),
            "nsviz enter --target=123 -m -n -- ip a"
        );
    }

    #[test]
    fn unshare_and_bwrap_lines() {
        let a = SpawnSpec {
            mapping: Mapping::Root,
            mount_proc: Some("/proc".into()),
            hostname: Some("box".into()),
            drop_caps: true,
            command: vec!["id".into()],
            ..SpawnSpec::default()
        };
        let u = unshare(&a);
        assert_eq!(
            u.line,
            "unshare --user --mount --pid --uts --fork --map-root-user --mount-proc -- id"
        );
        assert!(u.notes.iter().any(|n| n.contains("hostname box")));
        let b = bwrap(&a);
        assert_eq!(
            b.line,
            "bwrap --unshare-user --unshare-pid --unshare-uts --uid 0 --gid 0 --hostname box \
             --dev-bind / / --proc /proc --as-pid-1 --cap-drop ALL -- id"
        );
        let full = bwrap(&full_spawn());
        assert!(
            full.line.contains(
                "--tmpfs /tmp --ro-bind /usr /usr --symlink usr/bin /bin --bind '/a b' /c"
            )
        );
        assert!(full.notes.iter().any(|n| n.contains("time namespace")));
        let confined = bwrap(&confinement_spawn());
        assert!(
            confined.line.contains(
                "--seccomp 9 --cap-drop ALL --cap-add CAP_NET_ADMIN --cap-add 50 --cap-drop CAP_CHOWN"
            ),
            "{}",
            confined.line
        );
        assert!(!confined.notes.iter().any(|n| n.contains("no_new_privs")));
    }

    #[test]
    fn ip_sequence_builds_the_veth_by_hand() {
        assert_eq!(ip_sequence(&full_spawn()), None);
        let a = SpawnSpec {
            mapping: Mapping::Root,
            command: vec!["ip".into(), "addr".into()],
            network: NetworkSpec {
                veth: Some(VethNames::default()),
                addrs: vec!["10.0.0.2/24".parse().unwrap()],
                peer_addrs: vec!["10.0.0.1/24".parse().unwrap()],
                route: true,
                netns_name: Some("nsviz-eq-blue".into()),
                ..NetworkSpec::default()
            },
            ..SpawnSpec::default()
        };
        let eq = ip_sequence(&a).unwrap();
        assert_eq!(
            eq.line,
            "ip netns add nsviz-eq-blue && ip link add nsviz0 type veth peer name eth0 netns nsviz-eq-blue && \
             ip addr add 10.0.0.1/24 dev nsviz0 && ip link set nsviz0 up && \
             ip -n nsviz-eq-blue link set lo up && ip -n nsviz-eq-blue addr add 10.0.0.2/24 dev eth0 && \
             ip -n nsviz-eq-blue link set eth0 up && ip -n nsviz-eq-blue route add default via 10.0.0.1 && \
             ip netns exec nsviz-eq-blue unshare --user --map-root-user -- ip addr"
        );

        let mut joined = SpawnSpec {
            mount_proc: Some("/proc".into()),
            ..SpawnSpec::default()
        };
        joined.namespaces.insert(
            NsType::Net,
            SpawnNs::Join(JoinFrom::File("/run/netns/blue".into())),
        );
        assert_eq!(
            ip_sequence(&joined).unwrap().line,
            "nsenter --net=/run/netns/blue unshare --mount --pid --fork --mount-proc"
        );
    }

    #[test]
    fn shell_words_are_quoted_and_safe() {
        assert_eq!(shell_word(OsStr::new("plain/path-1")), "plain/path-1");
        assert_eq!(shell_word(OsStr::new("it's")), r"'it'\''s'");
        assert_eq!(shell_word(OsStr::new("")), "''");
        assert!(!shell_word(OsStr::new("a\x1b[31mb")).contains('\x1b'));
    }
}
