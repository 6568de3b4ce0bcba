//! bwrap's process options of `spawn` ([`SandboxSpec`]): the command's environment, session
//! and parent-death signal, and the JSON reports on --info-fd and --json-status-fd.

use std::os::unix::fs::MetadataExt;

use crate::error::{Error, Result};
use crate::model::NsType;

use super::caps::CapPlan;
use super::spec::{SandboxSpec, SpawnSpec};
use super::{setup_error, sys};

/// The kernel's limit on a classic-BPF program (BPF_MAXINSNS).
const MAX_SECCOMP_INSTRUCTIONS: usize = 4096;

/// What the command's process does last to its privileges, worked out in nsviz's first
/// process before any namespace exists: bwrap's capabilities, the seccomp program.
#[derive(Debug, Default)]
pub struct Confinement {
    /// bwrap's capability rule: with --new-root, or a --cap-add/--cap-drop (not with
    /// --drop-caps, which clears everything).
    pub caps: Option<CapPlan>,
    /// The `struct sock_filter` arrays read from --seccomp's fd or each --add-seccomp-fd,
    /// loaded in this order.
    pub seccomp: Vec<Vec<u8>>,
    /// bwrap always sets no_new_privs: with it, an exec as root cannot raise the permitted
    /// set again, and a seccomp program may be loaded without CAP_SYS_ADMIN.
    pub no_new_privs: bool,
}

impl Confinement {
    pub fn new(spec: &SpawnSpec, new_user: bool) -> Result<Confinement> {
        let bwrap_caps = spec.new_root || !spec.sandbox.caps.is_empty();
        let caps = if bwrap_caps && !spec.drop_caps {
            Some(
                CapPlan::for_caller(&spec.sandbox.caps, new_user)
                    .map_err(|e| setup_error("cannot read nsviz's capabilities", e))?,
            )
        } else {
            None
        };
        let seccomp = spec
            .sandbox
            .seccomp_fd
            .iter()
            .chain(&spec.sandbox.add_seccomp_fds)
            .map(|&fd| read_seccomp(fd))
            .collect::<Result<Vec<_>>>()?;
        let no_new_privs = bwrap_caps || !seccomp.is_empty();
        Ok(Confinement {
            caps,
            seccomp,
            no_new_privs,
        })
    }

    /// Before the uid changes (it needs CAP_SETPCAP): the bounding set.
    pub fn before_ids(&self) -> Result<()> {
        if let Some(caps) = &self.caps {
            caps.apply_bounding()
                .map_err(|e| setup_error("cannot lower the capability bounding set", e))?;
        }
        Ok(())
    }

    /// After the uid changes: the other sets.
    pub fn after_ids(&self) -> Result<()> {
        if let Some(caps) = &self.caps {
            caps.apply_sets()
                .map_err(|e| setup_error("cannot set the command's capabilities", e))?;
        }
        Ok(())
    }

    /// Right before the exec, after no_new_privs: the seccomp filters.
    pub fn load_seccomp(&self) -> Result<()> {
        for program in &self.seccomp {
            sys::load_seccomp_filter(program)
                .map_err(|e| setup_error("cannot load the seccomp program", e))?;
        }
        Ok(())
    }
}

/// Reads --seccomp's program whole, and checks it is a whole number of instructions.
fn read_seccomp(fd: i32) -> Result<Vec<u8>> {
    let program = sys::read_user_fd(fd)
        .map_err(|e| setup_error(format!("cannot read the seccomp program from fd {fd}"), e))?;
    let len = program.len();
    if len == 0 || !len.is_multiple_of(8) {
        return Err(Error::setup(format!(
            "the seccomp program read from fd {fd} is {len} bytes long, not a whole number of 8-byte instructions (struct sock_filter)"
        )));
    }
    if len / 8 > MAX_SECCOMP_INSTRUCTIONS {
        return Err(Error::setup(format!(
            "the seccomp program read from fd {fd} has {} instructions, more than the kernel's {MAX_SECCOMP_INSTRUCTIONS}",
            len / 8
        )));
    }
    Ok(program)
}

/// The types bwrap reports, in its order, with the /proc/self/ns link that names the new
/// namespace (a PID namespace is the one of our children).
const REPORTED: [(NsType, &str, &str); 6] = [
    (NsType::Cgroup, "cgroup", "cgroup"),
    (NsType::Ipc, "ipc", "ipc"),
    (NsType::Mnt, "mnt", "mnt"),
    (NsType::Net, "net", "net"),
    (NsType::Pid, "pid", "pid_for_children"),
    (NsType::Uts, "uts", "uts"),
];

/// The inode numbers of the new namespaces bwrap reports ("TYPE-namespace"), read from our
/// own /proc/self/ns links. Read before the command's process is forked: afterwards it may
/// pivot the mount namespace we share into its new root, where /proc is not ours to read.
pub fn namespace_ids(types: &[NsType]) -> Vec<(String, u64)> {
    REPORTED
        .into_iter()
        .filter(|(t, _, _)| types.contains(t))
        .filter_map(|(_, name, link)| {
            let meta = std::fs::metadata(format!("/proc/self/ns/{link}")).ok()?;
            Some((format!("{name}-namespace"), meta.ino()))
        })
        .collect()
}

/// The JSON members bwrap writes about a sandbox: "child-pid", then the namespace ids.
pub fn report(child: i32, ids: &[(String, u64)]) -> Vec<(String, u64)> {
    let mut members = vec![("child-pid".to_string(), u64::try_from(child).unwrap_or(0))];
    members.extend(ids.iter().cloned());
    members
}

/// Writes the report to --info-fd (an indented object, as bwrap does) and --json-status-fd
/// (one line).
pub fn write_report(sandbox: &SandboxSpec, members: &[(String, u64)]) -> Result<()> {
    if let Some(fd) = sandbox.info_fd {
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("    \"{k}\": {v}"))
            .collect();
        let text = format!("{{\n{}\n}}\n", body.join(",\n"));
        sys::write_user_fd(fd, text.as_bytes())
            .map_err(|e| setup_error(format!("cannot write to --info-fd {fd}"), e))?;
    }
    if let Some(fd) = sandbox.json_status_fd {
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v}"))
            .collect();
        let text = format!("{{ {} }}\n", body.join(", "));
        sys::write_user_fd(fd, text.as_bytes())
            .map_err(|e| setup_error(format!("cannot write to --json-status-fd {fd}"), e))?;
    }
    Ok(())
}

/// Writes the command's exit status to --json-status-fd, in the shell's encoding (128 + N
/// for a command killed by signal N; nsviz's statuses are negative for a signal).
pub fn write_exit(sandbox: &SandboxSpec, status: i32) {
    if let Some(fd) = sandbox.json_status_fd {
        let code = if status < 0 { 128 - status } else { status };
        let _ = sys::write_user_fd(fd, format!("{{ \"exit-code\": {code} }}\n").as_bytes());
    }
}

/// --die-with-parent in nsviz's first process too, as bwrap: when it forks (a PID namespace,
/// an init), it dies with its caller, and its children die with it.
pub fn die_with_caller(sandbox: &SandboxSpec) -> Result<()> {
    if sandbox.die_with_parent {
        sys::die_with_parent().map_err(|e| setup_error("cannot ask to die with the parent", e))?;
    }
    Ok(())
}

/// `--sync-fd` must name an open fd: nsviz keeps it (the command does not get it) until the
/// command ends, so whoever holds the other end sees it close then.
pub fn check_sync_fd(sandbox: &SandboxSpec) -> Result<()> {
    match sandbox.sync_fd {
        Some(fd) if !sys::user_fd_is_open(fd) => Err(Error::setup(format!(
            "cannot keep --sync-fd {fd}: it is not an open file descriptor"
        ))),
        _ => Ok(()),
    }
}

/// `--block-fd`: after the namespaces exist and the reports are written, before the
/// filesystem is set up, wait for something to read on the fd (or its end).
pub fn block(sandbox: &SandboxSpec) -> Result<()> {
    if let Some(fd) = sandbox.block_fd {
        sys::wait_user_fd(fd)
            .map_err(|e| setup_error(format!("cannot read --block-fd {fd}"), e))?;
    }
    Ok(())
}

/// `--lock-file`: in the init, once the filesystem is built, a read lock on each file (as
/// bwrap's), held until the init exits. The fds are close-on-exec and a forked child does not
/// inherit the locks, so the command has neither.
pub fn take_locks(sandbox: &SandboxSpec) -> Result<Vec<std::os::fd::OwnedFd>> {
    use std::os::fd::AsFd;
    sandbox
        .lock_files
        .iter()
        .map(|path| {
            let shown = crate::sanitize::for_terminal(&path.to_string_lossy()).into_owned();
            let fd = super::open_without_planted_links(
                path,
                rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
            )
            .map_err(|e| setup_error(format!("cannot open lock file {shown}"), e))?;
            sys::read_lock(fd.as_fd())
                .map_err(|e| setup_error(format!("cannot lock {shown}"), e))?;
            Ok(fd)
        })
        .collect()
}

/// What `--disable-userns` needs from /proc, opened before the new root hides it: the user
/// namespace limit of the new user namespace, and our /proc/self for the nested one's maps.
pub struct UsernsLimit {
    max_user_namespaces: std::fs::File,
    proc_self: std::os::fd::OwnedFd,
}

pub fn prepare_disable_userns(sandbox: &SandboxSpec) -> Result<Option<UsernsLimit>> {
    if !sandbox.disable_userns {
        return Ok(None);
    }
    let err = |e| setup_error("cannot disable user namespaces", e);
    // The user sysctls shown are those of the user namespace of whoever opens them: ours.
    let max_user_namespaces = std::fs::OpenOptions::new()
        .write(true)
        .open("/proc/sys/user/max_user_namespaces")
        .map_err(err)?;
    let proc_self = std::fs::File::open("/proc/self").map_err(err)?.into();
    Ok(Some(UsernsLimit {
        max_user_namespaces,
        proc_self,
    }))
}

/// `--disable-userns`, as bwrap: the new user namespace may hold one user namespace, and
/// the command goes into it (a nested one, our ids mapped to themselves), so that creating
/// any other fails (ENOSPC). After the mounts: the nested namespace has no rights over them.
pub fn disable_userns(limit: Option<UsernsLimit>) -> Result<()> {
    use std::io::Write;
    let Some(mut limit) = limit else {
        return Ok(());
    };
    let err = |e| setup_error("cannot disable user namespaces", e);
    limit.max_user_namespaces.write_all(b"1").map_err(err)?;
    let (uid, gid) = (sys::geteuid(), sys::getegid());
    sys::unshare(libc::CLONE_NEWUSER).map_err(err)?;
    // We hold every capability in the parent namespace, so both maps can be written.
    for (file, line) in [
        ("uid_map", format!("{uid} {uid} 1")),
        ("gid_map", format!("{gid} {gid} 1")),
    ] {
        let fd = rustix::fs::openat(
            &limit.proc_self,
            file,
            rustix::fs::OFlags::WRONLY | rustix::fs::OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )
        .map_err(|e| err(e.into()))?;
        std::fs::File::from(fd)
            .write_all(line.as_bytes())
            .map_err(err)?;
    }
    Ok(())
}

/// `--userns2 FD` must be a user namespace: checked before anything changes.
pub fn check_userns2(sandbox: &SandboxSpec) -> Result<()> {
    let Some(fd) = sandbox.userns2 else {
        return Ok(());
    };
    match sys::user_fd_nstype(fd) {
        Ok(kind) if kind == libc::CLONE_NEWUSER => Ok(()),
        Ok(_) => Err(Error::setup(format!(
            "--userns2: file descriptor {fd} is not a user namespace"
        ))),
        Err(e) if e.raw_os_error() == Some(libc::EBADF) => Err(setup_error(
            format!("--userns2: cannot use file descriptor {fd}"),
            e,
        )),
        Err(_) => Err(Error::setup(format!(
            "--userns2: file descriptor {fd} is not a namespace"
        ))),
    }
}

/// `--userns2`, once the filesystem is built: into that user namespace (the command then has
/// the ids and capabilities it gives).
pub fn switch_userns2(sandbox: &SandboxSpec) -> Result<()> {
    if let Some(fd) = sandbox.userns2 {
        sys::setns_user_fd(fd, libc::CLONE_NEWUSER).map_err(|e| {
            setup_error(
                format!("cannot switch to the user namespace of --userns2 {fd}"),
                e,
            )
        })?;
    }
    Ok(())
}

/// `--assert-userns-disabled`, as bwrap: a user namespace we can still create means the
/// request was not met (had it succeeded, this process is failing anyway).
pub fn assert_userns_disabled(sandbox: &SandboxSpec) -> Result<()> {
    if sandbox.assert_userns_disabled && sys::unshare(libc::CLONE_NEWUSER).is_ok() {
        return Err(Error::setup(
            "creating a user namespace still works: user namespaces were not disabled (--assert-userns-disabled)",
        ));
    }
    Ok(())
}

/// In the command's process, before exec: environment, session, parent-death signal.
pub fn prepare_command(sandbox: &SandboxSpec) -> Result<()> {
    sys::change_env(sandbox.clearenv, &sandbox.unsetenv, &sandbox.setenv);
    if sandbox.new_session {
        rustix::process::setsid()
            .map_err(|e| setup_error("cannot start a new session", std::io::Error::from(e)))?;
    }
    if sandbox.die_with_parent {
        sys::die_with_parent().map_err(|e| setup_error("cannot ask to die with the parent", e))?;
    }
    Ok(())
}

/// What the JSON reports would show: used by tests of the format.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_starts_with_the_child_and_names_only_new_types() {
        let members = report(42, &namespace_ids(&[NsType::Mnt, NsType::User]));
        assert_eq!(members[0], ("child-pid".to_string(), 42));
        let names: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, vec!["child-pid", "mnt-namespace"]);
    }
}
