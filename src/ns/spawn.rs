//! `nsviz spawn`: create namespaces and run a command in them.
//!
//! Order of work, in one single-threaded process P:
//! 1. plan: which types (the flags, plus what other flags imply), which files to bind;
//! 2. block the signals a waiter forwards, fork the binder if namespaces are to be kept
//!    (it stays in the original namespaces, see [`super::keep`]);
//! 3. unshare every type at once (the user namespace first, by the kernel's rule, so an
//!    unprivileged user owns the others), write the id maps, the time offsets, set the mount
//!    propagation and the hostname;
//! 4. a new PID or time namespace only applies to children: fork. With a PID namespace the
//!    child is PID 1, a small init (`nsviz-init`) that lets the binder bind (a PID namespace
//!    can be bound only once it has a PID 1), builds the filesystem (a fresh /proc must be
//!    mounted from inside the namespace), forks the command and reaps every orphan. Without
//!    a fork, P itself lets the binder bind and builds the filesystem;
//! 5. the command's process drops capabilities, switches ids, sets no_new_privs, tells the
//!    binder it is about to exec (the binder keeps its work only once the exec succeeded), and
//!    execs. P waits, forwarding signals, and returns the command's status.

use crate::error::{Error, Result};
use crate::model::NsType;

use super::exec::{self, Launch};
use super::idmap::{self, IdMaps, Mapper, Mapping, Outside};
use super::keep::{self, Binder, Binding};
use super::network::{self, Connect, Connector};
use super::spec::{PidOne, Setgroups, SpawnSpec};
use super::{caps, die, init, join, mounts, ns_label, sandbox, setup_error, sys};

/// What a SpawnSpec asks for, with every implication spelled out. Pure: built and checked
/// before anything changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Types to create, in NsType order.
    pub types: Vec<NsType>,
    pub mapping: Mapping,
    pub bindings: Vec<Binding>,
    /// Types joined (`--join`) rather than created.
    pub joined: Vec<NsType>,
    /// How the new network namespace is connected (`--veth`, `--pasta`).
    pub connect: Option<Connect>,
}

impl Plan {
    pub fn new(args: &SpawnSpec) -> Result<Plan> {
        let mut types: Vec<NsType> = args.named_new();
        let mut imply = |cond: bool, t: NsType| {
            if cond && !types.contains(&t) {
                types.push(t);
            }
        };
        let maps_ids = args.mapping != Mapping::None
            || args.map_user.is_some()
            || args.map_group.is_some()
            || !args.map_users.is_empty()
            || !args.map_groups.is_empty()
            || args.owner.is_some();
        imply(maps_ids, NsType::User);
        // bwrap's rule: without root, a new root comes with a user namespace of its own.
        let implicit_user =
            args.new_root && sys::geteuid() != 0 && !args.namespaces.contains_key(&NsType::User);
        imply(implicit_user, NsType::User);
        imply(args.hostname.is_some(), NsType::Uts);
        imply(
            !args.setup.is_empty() || args.mount_proc.is_some() || args.new_root,
            NsType::Mnt,
        );
        imply(args.mount_proc.is_some(), NsType::Pid);
        imply(
            args.monotonic.is_some() || args.boottime.is_some(),
            NsType::Time,
        );
        let net = &args.network;
        imply(net.wants_new_net(), NsType::Net);
        types.sort();
        let joins = args.joins();
        join::check(&joins, &types)?;
        let joined: Vec<NsType> = joins.iter().map(|(t, _)| *t).collect();
        if args.setgroups.is_some() && !types.contains(&NsType::User) {
            return Err(Error::usage(
                "--setgroups needs a new user namespace (-U, -r or --map-current-user)",
            ));
        }
        if args.mapping == Mapping::Root
            && args.setgroups == Some(Setgroups::Allow)
            && sys::geteuid() != 0
        {
            return Err(Error::usage(
                "--setgroups allow needs root: an unprivileged user may map ids only with setgroups denied",
            ));
        }
        if (args.sandbox.uid.is_some() || args.sandbox.gid.is_some())
            && !types.contains(&NsType::User)
            && !joined.contains(&NsType::User)
        {
            return Err(Error::usage(
                "--uid and --gid need a new user namespace (--unshare-user) or --userns",
            ));
        }
        if args.sandbox.disable_userns && !types.contains(&NsType::User) {
            return Err(Error::usage(
                "--disable-userns needs a new user namespace (--unshare-user)",
            ));
        }
        if !args.sandbox.lock_files.is_empty()
            && types.contains(&NsType::Pid)
            && args.pid_one == PidOne::Command
        {
            return Err(Error::usage(
                "--lock-file needs the init as PID 1 of the new PID namespace: the init holds the locks (drop --as-pid-1, or add --init)",
            ));
        }
        if let Some(sig) = args.kill_child
            && sig != libc::SIGKILL
            && !init::can_pass_on(sig)
            && args.pid_one == PidOne::Init
            && types.contains(&NsType::Pid)
        {
            let name = nix::sys::signal::Signal::try_from(sig).map_or("?", |s| s.as_str());
            return Err(Error::usage(format!(
                "--kill-child={name} cannot be passed on to the command by the init (--init)"
            )));
        }
        let mapping = match args.mapping {
            Mapping::None if implicit_user => Mapping::Current,
            m => m,
        };
        let mut bindings: Vec<Binding> = args
            .bound_files()
            .into_iter()
            .map(|(t, f)| Binding {
                ns_type: t,
                file: f.clone(),
            })
            .collect();
        if let Some(name) = &args.keep {
            keep::validate_name(name)?;
            let dir = std::path::Path::new(keep::KEEP_DIR).join(name);
            if dir.exists() {
                return Err(Error::usage(format!(
                    "kept namespaces named {name} already exist (nsviz forget {name})"
                )));
            }
            bindings.extend(types.iter().map(|&t| Binding {
                ns_type: t,
                file: dir.join(t.name()),
            }));
        }
        if let Some(name) = &net.netns_name {
            bindings.push(Binding {
                ns_type: NsType::Net,
                file: network::check_netns_name(name)?,
            });
        }
        let connect = Connect::from_spec(net)?;
        let owns_user_ns = types.contains(&NsType::User) || joined.contains(&NsType::User);
        if matches!(connect, Some(Connect::Pasta(_))) && !owns_user_ns {
            return Err(Error::usage(
                "--pasta needs a new user namespace (-r, -c or -U): pasta gives up its privileges and can then reach only a network namespace inside a user namespace its user owns",
            ));
        }
        if matches!(connect, Some(Connect::Pasta(_)))
            && bindings.iter().any(|b| b.ns_type == NsType::Net)
        {
            return Err(Error::usage(
                "--pasta connects the network namespace only while the command runs, so it cannot be kept (--keep, --net=FILE, --netns-name)",
            ));
        }
        Ok(Plan {
            types,
            mapping,
            bindings,
            joined,
            connect,
        })
    }

    fn has(&self, t: NsType) -> bool {
        self.types.contains(&t)
    }
}

/// Returns the exit status of the command.
pub fn run(args: &SpawnSpec) -> Result<i32> {
    if args.sandbox.level_prefix {
        super::set_level_prefix(true);
    }
    let plan = Plan::new(args)?;
    sandbox::check_sync_fd(&args.sandbox)?;
    sandbox::check_userns2(&args.sandbox)?;
    sandbox::die_with_caller(&args.sandbox)?;
    let joins = join::open_all(&args.joins())?;
    if args.network.netns_name.is_some() {
        network::prepare_netns_dir()?;
    }
    let outside = Outside {
        uid: sys::geteuid(),
        gid: sys::getegid(),
    };
    let maps = if plan.has(NsType::User) {
        IdMaps::resolve(args, plan.mapping, outside)?
    } else {
        IdMaps {
            uid: idmap::IdMap::None,
            gid: idmap::IdMap::None,
        }
    };
    let foreground = exec::in_foreground();
    let blocked = init::block_signals();
    let mut binder = if plan.bindings.is_empty() {
        None
    } else {
        Some(Binder::start(plan.bindings.clone(), args.keep.as_deref())?)
    };
    // Helpers fork first: they stay in the original namespaces.
    let connector = match plan.connect.clone() {
        Some(connect) => Some(Connector::start(connect)?),
        None => None,
    };
    let result = join::enter_all(&joins).and_then(|()| {
        drop(joins);
        let mapper = Mapper::start(&maps)?;
        let ids = (&maps, mapper, outside);
        let confine = sandbox::Confinement::new(args, plan.has(NsType::User))?;
        create_and_run(
            args,
            &plan,
            ids,
            &blocked,
            (&mut binder, &confine),
            connector,
            foreground,
        )
    });
    // Whatever happened, wait for the binder to keep or undo its work before we report.
    if let Some(b) = binder {
        b.finish();
    }
    result
}

fn create_and_run(
    args: &SpawnSpec,
    plan: &Plan,
    (maps, mapper, outside): (&IdMaps, Option<Mapper>, Outside),
    blocked: &init::Blocked,
    (binder, confine): (&mut Option<Binder>, &sandbox::Confinement),
    connector: Option<Connector>,
    foreground: bool,
) -> Result<i32> {
    if let Some((uid, gid)) = args.owner {
        // The user namespace belongs to whoever creates it: become the owner first.
        exec::set_ids(Some(uid), Some(gid), true)?;
    }
    let flags = plan.types.iter().fold(0, |f, t| f | t.clone_flag());
    sys::unshare(flags).map_err(|e| {
        let hint =
            if e.raw_os_error() == Some(libc::EPERM) && outside.uid != 0 && !plan.has(NsType::User)
            {
                " (as a non-root user, add -U or -r)"
            } else {
                ""
            };
        setup_error(
            format!("creating {} namespaces{hint}", ns_label(&plan.types)),
            e,
        )
    })?;
    if plan.has(NsType::User) {
        idmap::write_maps(maps, mapper, args.setgroups, outside)?;
    }
    if args.new_root && plan.has(NsType::Net) && plan.connect.is_none() {
        network::loopback_up()?;
    }
    if let Some(connector) = connector {
        connector.connect()?;
        if let Some(Connect::Veth(veth)) = &plan.connect {
            network::configure_inside(veth)?;
        }
    }
    if plan.has(NsType::Time) {
        set_time_offsets(args.monotonic, args.boottime)?;
    }
    if plan.has(NsType::Mnt) {
        mounts::set_propagation(args.propagation)?;
    }
    if let Some(name) = &args.hostname {
        sys::sethostname(name)
            .map_err(|e| setup_error(format!("cannot set hostname {name:?}"), e))?;
    }

    let launch = Launch {
        command: &args.command,
        label: ns_label(&plan.types),
        wd: args.wd.as_deref(),
        own_terminal: foreground && args.command.is_empty() && plan.has(NsType::Pid),
        env: None,
        argv0: args.sandbox.argv0.as_deref(),
        pass_fds: exec::inherited_fds(&args.consumed_fds()),
    };
    // Only children enter a new PID or time namespace, or a joined PID namespace; only a
    // child can be signalled when nsviz dies; a JSON status needs a parent left to report
    // the exit code; --sync-fd stays open in nsviz until the command ends.
    let forks = plan.has(NsType::Pid)
        || args.sandbox.sync_fd.is_some()
        || !args.sandbox.lock_files.is_empty()
        || plan.has(NsType::Time)
        || plan.joined.contains(&NsType::Pid)
        || args.kill_child.is_some()
        || args.sandbox.json_status_fd.is_some();
    let namespace_ids = sandbox::namespace_ids(&plan.types);
    if !forks {
        let members = sandbox::report(sys::getpid(), &namespace_ids);
        sandbox::write_report(&args.sandbox, &members)?;
        sandbox::block(&args.sandbox)?;
        bind(binder)?;
        let limit = sandbox::prepare_disable_userns(&args.sandbox)?;
        let mut links = build_filesystem(args, plan)?;
        let disabled = sandbox::disable_userns(limit)
            .and_then(|()| sandbox::switch_userns2(&args.sandbox))
            .and_then(|()| sandbox::assert_userns_disabled(&args.sandbox));
        if let Err(e) = disabled {
            links.remove();
            return Err(e);
        }
        return Err(run_command(
            args,
            &launch,
            blocked,
            (binder, confine),
            &mut links,
        ));
    }
    // PID 1 cannot die of a signal sent from inside its namespace, not even its own: it tells
    // the command's status through this pipe, so that a signal is not mistaken for a code.
    // --lock-file: the init holds the locks, also without a PID namespace (then it is only
    // the command's parent, as bwrap's monitor).
    let with_init = (plan.has(NsType::Pid) && args.pid_one == PidOne::Init)
        || !args.sandbox.lock_files.is_empty();
    // Opened before the fork: the command checks through it that nsviz did not die before
    // the command asked to be signalled when it does.
    let nsviz = match args.kill_child {
        Some(_) => Some(
            sys::pidfd_open(sys::getpid()).map_err(|e| setup_error("cannot open a pidfd", e))?,
        ),
        None => None,
    };
    let status_pipe = if with_init {
        Some(sys::pipe().map_err(|e| setup_error("cannot create a pipe", e))?)
    } else {
        None
    };
    let child = sys::fork().map_err(|e| setup_error("cannot fork into the new namespaces", e))?;
    if child == 0 {
        if with_init {
            init::set_name("nsviz-init");
            init::die_with_parent();
        }
        // With an init, the init takes the signal and passes it on to the command: were the
        // init to die of it, the kernel would kill everything in its PID namespace first.
        let kill_signal = match args.kill_child {
            Some(sig) if with_init && init::can_pass_on(sig) => {
                init::block_also(sig);
                Some(sig)
            }
            // SIGKILL (the plan refuses the other signals the init cannot pass on).
            Some(_) if with_init => Some(libc::SIGKILL),
            other => other,
        };
        if let (Some(sig), Some(nsviz)) = (kill_signal, &nsviz)
            && let Err(e) = kill_with_parent(sig, nsviz)
        {
            die(e);
        }
        // The binder binds now: a PID namespace can be bound only once its PID 1 exists.
        let built = sandbox::block(&args.sandbox)
            .and_then(|()| bind(binder))
            .and_then(|()| sandbox::prepare_disable_userns(&args.sandbox))
            .and_then(|limit| {
                let mut links = build_filesystem(args, plan)?;
                let disabled = sandbox::disable_userns(limit)
                    .and_then(|()| sandbox::switch_userns2(&args.sandbox))
                    .and_then(|()| sandbox::assert_userns_disabled(&args.sandbox));
                if let Err(e) = disabled {
                    links.remove();
                    return Err(e);
                }
                Ok(links)
            });
        let mut links = match built {
            Ok(links) => links,
            Err(e) => die(e),
        };
        if let Some((_, status_out)) = status_pipe {
            let _locks = match sandbox::take_locks(&args.sandbox) {
                Ok(locks) => locks,
                Err(e) => {
                    links.remove();
                    die(e)
                }
            };
            die_or_exit(
                pid_one(args, &launch, blocked, (binder, confine), &mut links),
                status_out,
            );
        }
        die(run_command(
            args,
            &launch,
            blocked,
            (binder, confine),
            &mut links,
        ));
    }
    drop(nsviz);
    if let Some(b) = binder.as_mut() {
        b.close();
    }
    if let Err(e) = sandbox::write_report(&args.sandbox, &sandbox::report(child, &namespace_ids)) {
        let _ = sys::kill(child, libc::SIGKILL);
        let _ = launch.wait(child, blocked);
        return Err(e);
    }
    let status_in = status_pipe.map(|(status_in, _)| status_in);
    let status = launch.wait(child, blocked)?;
    let status = status_in
        .and_then(|pipe| status_from_init(&pipe))
        .unwrap_or(status);
    sandbox::write_exit(&args.sandbox, status);
    Ok(status)
}

/// The command's status as PID 1 wrote it before exiting; None if it wrote none (it failed
/// before the command ran, and its own exit code tells why).
fn status_from_init(pipe: &std::os::fd::OwnedFd) -> Option<i32> {
    use std::io::Read;
    let mut bytes = [0u8; 4];
    let mut file = std::fs::File::from(pipe.try_clone().ok()?);
    file.read_exact(&mut bytes).ok()?;
    Some(i32::from_le_bytes(bytes))
}

fn bind(binder: &mut Option<Binder>) -> Result<()> {
    match binder.as_mut() {
        Some(b) => b.bind(),
        None => Ok(()),
    }
}

/// The mounts, then `--root`: the proc mount goes after the chroot, in the new root (as
/// unshare mounts it).
fn build_filesystem(args: &SpawnSpec, plan: &Plan) -> Result<mounts::HostLinks> {
    let proc_dir = args.mount_proc.as_deref();
    let Some(root) = &args.root else {
        if plan.has(NsType::Mnt) {
            return mounts::apply(&args.setup, args.new_root, proc_dir);
        }
        return Ok(mounts::HostLinks::default());
    };
    let mut links = if plan.has(NsType::Mnt) {
        mounts::apply(&args.setup, args.new_root, None)?
    } else {
        mounts::HostLinks::default()
    };
    let shown = crate::sanitize::for_terminal(&root.to_string_lossy()).into_owned();
    let entered = sys::chroot(root)
        .and_then(|()| std::env::set_current_dir("/"))
        .map_err(|e| setup_error(format!("cannot change root directory to {shown}"), e));
    if let Err(e) = entered {
        links.remove();
        return Err(e);
    }
    if proc_dir.is_some() {
        // The links made before are in the old root, out of reach now: they stay.
        mounts::apply(&[], false, proc_dir)?;
    }
    Ok(links)
}

/// `--kill-child`: this process gets `sig` when nsviz dies; exits if nsviz died already.
fn kill_with_parent(sig: i32, nsviz: &std::os::fd::OwnedFd) -> Result<()> {
    use std::os::fd::AsFd;
    sys::set_parent_death_signal(sig)
        .map_err(|e| setup_error("cannot ask for a signal when nsviz dies", e))?;
    if sys::has_exited(nsviz.as_fd()).unwrap_or(false) {
        sys::exit_now(1);
    }
    Ok(())
}

/// PID 1 of the new PID namespace: runs the command as its child, reaps every orphan that
/// the namespace reparents to it, forwards signals, and exits with the command's status
/// (when it exits the kernel kills what is left in the namespace).
fn pid_one(
    args: &SpawnSpec,
    launch: &Launch,
    blocked: &init::Blocked,
    (binder, confine): (&mut Option<Binder>, &sandbox::Confinement),
    links: &mut mounts::HostLinks,
) -> Result<i32> {
    let child = sys::fork().map_err(|e| setup_error("cannot start the command", e))?;
    if child == 0 {
        die(run_command(args, launch, blocked, (binder, confine), links));
    }
    if let Some(b) = binder.as_mut() {
        b.close();
    }
    let passed_on = args.kill_child.filter(|&sig| init::can_pass_on(sig));
    init::wait_forwarding_also(child, blocked, passed_on)
}

/// PID 1's end: writes the command's status for the parent, then exits with it (128 + the
/// signal for a command killed by one, for a reader that has no pipe).
fn die_or_exit(result: Result<i32>, status_out: std::os::fd::OwnedFd) -> ! {
    use std::io::Write;
    match result {
        Ok(status) => {
            let _ = std::fs::File::from(status_out).write_all(&status.to_le_bytes());
            sys::exit_now(if status < 0 { 128 - status } else { status })
        }
        Err(e) => die(e),
    }
}

/// In the command's process: privileges, ids, then exec. Returns only the error.
fn run_command(
    args: &SpawnSpec,
    launch: &Launch,
    blocked: &init::Blocked,
    (binder, confine): (&mut Option<Binder>, &sandbox::Confinement),
    links: &mut mounts::HostLinks,
) -> Error {
    let prepare = || -> Result<()> {
        if args.drop_caps {
            caps::drop_bounding_and_ambient()
                .map_err(|e| setup_error("cannot drop capabilities", e))?;
        }
        confine.before_ids()?;
        // In a joined user namespace (bwrap's --userns) --uid and --gid are ids to take there;
        // in a new one they are in its map already.
        let joined_user = args.joins().iter().any(|(t, _)| *t == NsType::User);
        let (uid, gid) = if joined_user {
            (
                args.setuid.or(args.sandbox.uid),
                args.setgid.or(args.sandbox.gid),
            )
        } else {
            (args.setuid, args.setgid)
        };
        let switching = uid.is_some() || gid.is_some();
        exec::set_ids(uid, gid, switching)?;
        if args.drop_caps {
            caps::drop_process_sets().map_err(|e| setup_error("cannot drop capabilities", e))?;
        }
        confine.after_ids()?;
        if args.keep_caps {
            keep_caps(args)?;
        }
        if args.no_new_privs || confine.no_new_privs {
            caps::set_no_new_privs().map_err(|e| setup_error("cannot set no_new_privs", e))?;
        }
        sandbox::prepare_command(&args.sandbox)
    };
    if let Err(e) = prepare() {
        links.remove();
        return e;
    }
    let commit = || {
        if let Some(b) = binder.as_mut() {
            b.commit();
        }
    };
    let error = exec::exec_then(launch, Some(blocked), commit, || confine.load_seccomp());
    // The exec failed: undo what outlives us; the binder before the error is reported.
    links.remove();
    if let Some(b) = binder.take() {
        b.abort();
    }
    error
}

/// `--keep-caps`: with a new user namespace, the capabilities we have there survive the
/// exec (raised as ambient ones); without one, nothing to keep, as with unshare.
fn keep_caps(args: &SpawnSpec) -> Result<()> {
    let new_user = Plan::new(args).is_ok_and(|p| p.has(NsType::User));
    if new_user {
        sys::keep_caps_across_exec().map_err(|e| setup_error("cannot keep the capabilities", e))?;
    }
    Ok(())
}

/// Offsets of the new time namespace; must be written before any process is in it.
fn set_time_offsets(monotonic: Option<i64>, boottime: Option<i64>) -> Result<()> {
    let mut text = String::new();
    for (clock, secs) in [("monotonic", monotonic), ("boottime", boottime)] {
        if let Some(secs) = secs {
            text.push_str(&format!("{clock} {secs} 0\n"));
        }
    }
    if text.is_empty() {
        return Ok(());
    }
    std::fs::write("/proc/self/timens_offsets", text)
        .map_err(|e| setup_error("cannot set the time namespace's clock offsets", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ns::spec::{SetupStep, SpawnNs};
    use std::path::PathBuf;

    #[test]
    fn flags_imply_the_types_they_need() {
        let args = SpawnSpec {
            mapping: Mapping::Root,
            hostname: Some("box".into()),
            mount_proc: Some(PathBuf::from("/proc")),
            monotonic: Some(5),
            ..SpawnSpec::default()
        };
        let plan = Plan::new(&args).unwrap();
        use NsType::*;
        assert_eq!(plan.types, vec![User, Mnt, Pid, Uts, Time]);
        assert_eq!(plan.mapping, Mapping::Root);
        assert!(plan.bindings.is_empty());

        let binds = SpawnSpec {
            setup: vec![SetupStep::Tmpfs {
                dst: PathBuf::from("/tmp"),
            }],
            ..SpawnSpec::default()
        };
        assert_eq!(Plan::new(&binds).unwrap().types, vec![Mnt]);
    }

    #[test]
    fn no_type_runs_the_command_in_our_namespaces() {
        let plan = Plan::new(&SpawnSpec::default()).unwrap();
        assert!(plan.types.is_empty() && plan.joined.is_empty());
        let mapped = SpawnSpec {
            map_group: Some(0),
            ..SpawnSpec::default()
        };
        assert_eq!(Plan::new(&mapped).unwrap().types, vec![NsType::User]);
    }

    #[test]
    fn files_and_keep_become_bindings() {
        let mut args = SpawnSpec {
            keep: Some("k1".into()),
            ..SpawnSpec::default()
        };
        args.namespaces
            .insert(NsType::Uts, SpawnNs::NewBoundAt(PathBuf::from("/tmp/u")));
        args.namespaces.insert(NsType::Net, SpawnNs::New);
        let plan = Plan::new(&args).unwrap();
        let files: Vec<(NsType, PathBuf)> = plan
            .bindings
            .iter()
            .map(|b| (b.ns_type, b.file.clone()))
            .collect();
        assert_eq!(
            files,
            vec![
                (NsType::Uts, PathBuf::from("/tmp/u")),
                (NsType::Net, PathBuf::from("/run/nsviz/k1/net")),
                (NsType::Uts, PathBuf::from("/run/nsviz/k1/uts")),
            ]
        );
    }
}
