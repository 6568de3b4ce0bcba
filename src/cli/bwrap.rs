//! bwrap's options of `nsviz spawn` (its bwrap personality, `nsviz spawn --new-root`): the
//! namespace and process options ([`BwrapArgs`], flattened into `SpawnArgs`), and the
//! filesystem options that join the ordered setup steps ([`SETUP_FLAGS`], read by `MountOps`).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;

use crate::error::Error;
use crate::model::NsType;
use crate::ns::caps;
use crate::ns::join::both_join_and_create;
use crate::ns::spec::{
    BindKind, CapChange, DataBind, JoinFrom, Mapping, PidOne, SetupStep, SpawnNs, SpawnSpec,
};

/// bwrap's namespace and process options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
#[command(next_help_heading = "bwrap options")]
pub struct BwrapArgs {
    /// Create every namespace bwrap's --unshare-all does: user, ipc, pid, net, uts, cgroup.
    #[arg(long)]
    pub unshare_all: bool,
    /// New user namespace, the caller's ids mapped to themselves (or to --uid, --gid).
    #[arg(long)]
    pub unshare_user: bool,
    /// Same as --unshare-user (user namespaces are always available to nsviz's kernels).
    #[arg(long)]
    pub unshare_user_try: bool,
    /// New IPC namespace (as -i).
    #[arg(long)]
    pub unshare_ipc: bool,
    /// New PID namespace (as -p).
    #[arg(long)]
    pub unshare_pid: bool,
    /// New network namespace (as -n).
    #[arg(long)]
    pub unshare_net: bool,
    /// New UTS namespace (as -u).
    #[arg(long)]
    pub unshare_uts: bool,
    /// New cgroup namespace (as -C).
    #[arg(long)]
    pub unshare_cgroup: bool,
    /// Same as --unshare-cgroup.
    #[arg(long)]
    pub unshare_cgroup_try: bool,
    /// Keep the network namespace, overriding --unshare-all.
    #[arg(long)]
    pub share_net: bool,
    /// The user id of the command inside the new user namespace, mapped to the caller's.
    #[arg(long, value_name = "UID")]
    pub uid: Option<u32>,
    /// The group id of the command inside the new user namespace, mapped to the caller's.
    #[arg(long, value_name = "GID")]
    pub gid: Option<u32>,
    /// Working directory inside (as -w).
    #[arg(long, value_name = "DIR", conflicts_with = "wd")]
    pub chdir: Option<PathBuf>,
    /// Set an environment variable of the command (repeatable; after --unsetenv, --clearenv).
    #[arg(long, num_args = 2, value_names = ["VAR", "VALUE"], allow_hyphen_values = true, action = clap::ArgAction::Append)]
    pub setenv: Vec<OsString>,
    /// Unset an environment variable of the command (repeatable; after --clearenv).
    #[arg(long, value_name = "VAR")]
    pub unsetenv: Vec<OsString>,
    /// Start the command with no environment variable but PWD (and those of --setenv).
    #[arg(long)]
    pub clearenv: bool,
    /// Kill the command (SIGKILL) when its parent dies.
    #[arg(long)]
    pub die_with_parent: bool,
    /// Run the command in a new session (setsid): it has no controlling terminal.
    #[arg(long)]
    pub new_session: bool,
    /// Write the command's pid and the new namespaces' inode numbers as JSON to this open fd.
    #[arg(long, value_name = "FD")]
    pub info_fd: Option<i32>,
    /// Write the same as one JSON line to this open fd, then the exit code as another.
    #[arg(long, value_name = "FD")]
    pub json_status_fd: Option<i32>,
    /// With --new-root and a new PID namespace, the command itself is PID 1 (with --new-root
    /// a reaping init is, as in bwrap).
    #[arg(long, conflicts_with = "init")]
    pub as_pid_1: bool,
    #[command(flatten)]
    pub caps: CapOps,
    /// Load this classic-BPF seccomp program (an array of struct sock_filter, read from the
    /// open fd FD) right before running the command; sets no_new_privs.
    #[arg(long, value_name = "FD")]
    pub seccomp: Option<i32>,
    /// Load the classic-BPF seccomp program read from the open fd FD (repeatable: each one
    /// is loaded, in order, and the kernel applies them all).
    #[arg(long, value_name = "FD", conflicts_with = "seccomp")]
    pub add_seccomp_fd: Vec<i32>,
    /// Run the command with VALUE as its argv[0] (the program is still found by its name).
    #[arg(long, value_name = "VALUE", allow_hyphen_values = true)]
    pub argv0: Option<OsString>,
    /// Once the namespaces exist (and --info-fd is written), wait until the open fd FD has
    /// something to read, or ends, before setting up the filesystem and running the command.
    #[arg(long, value_name = "FD")]
    pub block_fd: Option<i32>,
    /// Keep the open fd FD open until the command ends (the command does not get it), so
    /// whoever holds its other end sees it close then.
    #[arg(long, value_name = "FD")]
    pub sync_fd: Option<i32>,
    /// Join the user namespace open as fd FD instead of creating one (--uid and --gid are
    /// then ids to take there).
    #[arg(long, value_name = "FD")]
    pub userns: Option<i32>,
    /// Join the PID namespace open as fd FD (the command runs in it, as a child of nsviz).
    #[arg(long, value_name = "FD")]
    pub pidns: Option<i32>,
    /// Once the filesystem is built, switch to the user namespace open as fd FD (a child of
    /// the one the sandbox is in, as with --userns).
    #[arg(long, value_name = "FD")]
    pub userns2: Option<i32>,
    /// Hold a read lock (fcntl) on the existing file DST (in the new root) while the command
    /// runs (repeatable); nsviz's init holds it, so the command must not be PID 1.
    #[arg(long, value_name = "DST")]
    pub lock_file: Vec<PathBuf>,
    /// Allow the command no further user namespace: the new one's limit becomes 1 and the
    /// command runs in a nested one (needs --unshare-user).
    #[arg(long)]
    pub disable_userns: bool,
    /// Fail (exit 125) unless creating a user namespace fails once the sandbox is set up
    /// (after --disable-userns, or in a --userns that disabled them).
    #[arg(long)]
    pub assert_userns_disabled: bool,
    /// Start each error line with its sd-daemon level, <3> (not usage errors clap reports).
    #[arg(long)]
    pub level_prefix: bool,
}

/// `--cap-add` and `--cap-drop`, kept in command-line order (each changes what the one
/// before it left).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapOps(pub Vec<CapChange>);

impl clap::FromArgMatches for CapOps {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut found: Vec<(usize, CapChange)> = Vec::new();
        for (id, add) in [("cap-add", true), ("cap-drop", false)] {
            let (Some(values), Some(indices)) = (m.get_many::<String>(id), m.indices_of(id)) else {
                continue;
            };
            for (value, index) in values.zip(indices) {
                let cap = caps::parse(value).map_err(|e| {
                    clap::Error::raw(clap::error::ErrorKind::ValueValidation, e + "\n")
                })?;
                found.push((index, CapChange { add, cap }));
            }
        }
        found.sort_by_key(|(index, _)| *index);
        Ok(CapOps(found.into_iter().map(|(_, c)| c).collect()))
    }

    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl Args for CapOps {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let help = [
            (
                "cap-add",
                "Keep capability CAP (a name like CAP_NET_ADMIN, or ALL) in every set of the command (in order with --cap-drop)",
            ),
            (
                "cap-drop",
                "Take capability CAP (or ALL) away from the command (in order with --cap-add)",
            ),
        ];
        help.into_iter().fold(cmd, |cmd, (id, help)| {
            cmd.arg(
                clap::Arg::new(id)
                    .long(id)
                    .value_name("CAP")
                    .action(clap::ArgAction::Append)
                    .conflicts_with("drop_caps")
                    .help(help),
            )
        })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl BwrapArgs {
    /// Adds what these options ask for to a spec built from the other options.
    pub fn apply_to(&self, spec: &mut SpawnSpec) -> Result<(), Error> {
        // bwrap's personality keeps bwrap's init (the command is PID 2) unless --as-pid-1.
        if spec.new_root && !self.as_pid_1 {
            spec.pid_one = PidOne::Init;
        }
        let all = self.unshare_all;
        // --userns, --pidns: join through the fd instead of creating.
        for (t, fd, flag) in [
            (NsType::User, self.userns, "--userns"),
            (NsType::Pid, self.pidns, "--pidns"),
        ] {
            let Some(fd) = fd else { continue };
            if fd < 0 {
                return Err(Error::usage(format!(
                    "{flag}: '{fd}' is not a file descriptor number"
                )));
            }
            if spec.namespaces.contains_key(&t) {
                return Err(Error::usage(format!(
                    "{flag} cannot be combined with another option for the {t} namespace"
                )));
            }
            spec.namespaces.insert(t, SpawnNs::Join(JoinFrom::Fd(fd)));
        }
        let wanted = [
            (
                NsType::User,
                all || self.unshare_user || self.unshare_user_try,
            ),
            (NsType::Ipc, all || self.unshare_ipc),
            (NsType::Pid, all || self.unshare_pid),
            (NsType::Net, self.unshare_net || (all && !self.share_net)),
            (NsType::Uts, all || self.unshare_uts),
            (
                NsType::Cgroup,
                all || self.unshare_cgroup || self.unshare_cgroup_try,
            ),
        ];
        for (t, want) in wanted {
            if !want {
                continue;
            }
            match spec.namespaces.get(&t) {
                Some(SpawnNs::Join(JoinFrom::Fd(_))) => {
                    // bwrap creates a PID namespace inside the one of --pidns; nsviz joins it.
                    let (flag, hint) = if t == NsType::User {
                        (
                            "--userns",
                            "it joins a user namespace instead of creating one",
                        )
                    } else {
                        (
                            "--pidns",
                            "a new PID namespace inside the joined one is not supported",
                        )
                    };
                    return Err(Error::usage(format!(
                        "{flag} cannot be combined with --unshare-{} or --unshare-all: {hint}",
                        t.name()
                    )));
                }
                Some(SpawnNs::Join(_)) => return Err(both_join_and_create(t)),
                Some(_) => {}
                None => {
                    spec.namespaces.insert(t, SpawnNs::New);
                }
            }
        }
        // bwrap maps the caller's ids to themselves (or to --uid, --gid); `-U` alone does not.
        let bwrap_user = all || self.unshare_user || self.unshare_user_try;
        if bwrap_user && spec.mapping == Mapping::None {
            spec.mapping = Mapping::Current;
        }
        if let Some(dir) = &self.chdir {
            spec.wd = Some(dir.clone());
        }
        let sandbox = &mut spec.sandbox;
        sandbox.uid = self.uid;
        sandbox.gid = self.gid;
        sandbox.clearenv = self.clearenv;
        sandbox.unsetenv = self.unsetenv.clone();
        sandbox.setenv = self
            .setenv
            .chunks(2)
            .map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or_default()))
            .collect();
        for (var, _) in &sandbox.setenv {
            check_env_name(var)?;
        }
        for var in &sandbox.unsetenv {
            check_env_name(var)?;
        }
        sandbox.die_with_parent = self.die_with_parent;
        sandbox.new_session = self.new_session;
        sandbox.info_fd = self.info_fd;
        sandbox.json_status_fd = self.json_status_fd;
        sandbox.caps = self.caps.0.clone();
        sandbox.seccomp_fd = self.seccomp;
        sandbox.add_seccomp_fds = self.add_seccomp_fd.clone();
        sandbox.argv0 = self.argv0.clone();
        sandbox.block_fd = self.block_fd;
        sandbox.sync_fd = self.sync_fd;
        sandbox.lock_files = self.lock_file.clone();
        sandbox.disable_userns = self.disable_userns;
        sandbox.userns2 = self.userns2;
        sandbox.assert_userns_disabled = self.assert_userns_disabled;
        sandbox.level_prefix = self.level_prefix;
        Ok(())
    }
}

/// setenv(3) refuses an empty name or one with '='; so does nsviz, as a usage error.
fn check_env_name(var: &OsString) -> Result<(), Error> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = var.as_bytes();
    if bytes.is_empty() || bytes.contains(&b'=') || bytes.contains(&0) {
        return Err(Error::usage(format!(
            "'{}' is not an environment variable name",
            crate::sanitize::for_terminal(&var.to_string_lossy())
        )));
    }
    Ok(())
}

/// bwrap's filesystem options that are setup steps: (arg id, value names, help). `MountOps`
/// declares them with its own and keeps them all in command-line order.
pub const SETUP_FLAGS: [(&str, &[&str], &str); 15] = [
    (
        "dev-bind",
        &["SRC", "DST"],
        "Bind-mount SRC on DST nosuid only: devices on it stay usable (--bind adds nodev)",
    ),
    (
        "bind-try",
        &["SRC", "DST"],
        "As --bind, but a missing SRC is skipped",
    ),
    (
        "dev-bind-try",
        &["SRC", "DST"],
        "As --dev-bind, but a missing SRC is skipped",
    ),
    (
        "ro-bind-try",
        &["SRC", "DST"],
        "As --ro-bind, but a missing SRC is skipped",
    ),
    (
        "dir",
        &["DST"],
        "Create a directory DST (mode 0755, or the --perms before it)",
    ),
    (
        "remount-ro",
        &["DST"],
        "Make the mount on DST read-only (only that mount)",
    ),
    (
        "perms",
        &["OCTAL"],
        "The mode of what the next --dir, --tmpfs, --file, --bind-data or --ro-bind-data creates",
    ),
    (
        "chmod",
        &["OCTAL", "PATH"],
        "Set the permissions of the existing PATH",
    ),
    (
        "file",
        &["FD", "DST"],
        "Create the file DST holding what is read from the open fd FD (mode 0666)",
    ),
    (
        "bind-data",
        &["FD", "DST"],
        "Bind-mount on DST a file holding what is read from the open fd FD (mode 0600)",
    ),
    ("ro-bind-data", &["FD", "DST"], "As --bind-data, read-only"),
    (
        "size",
        &["BYTES"],
        "The size limit of the tmpfs the next --tmpfs mounts",
    ),
    (
        "mqueue",
        &["DST"],
        "Mount the IPC namespace's POSIX message queues (mqueue) on DST",
    ),
    (
        "bind-fd",
        &["FD", "DST"],
        "Bind-mount what the open fd FD names (a directory or O_PATH fd) on DST, as --bind",
    ),
    (
        "ro-bind-fd",
        &["FD", "DST"],
        "As --bind-fd, read-only (as --ro-bind)",
    ),
];

/// Turns bwrap's ordered filesystem flags, and spawn's own (`Bind`, `Tmpfs`...: passed in
/// `own` as already built steps), into the steps, in order. `--perms` becomes the mode of the
/// step right after it (`--size` may come between), `--size` the size of the next `--tmpfs`.
pub fn ordered_steps(
    flags: Vec<(String, Vec<PathBuf>, Option<SetupStep>)>,
) -> Result<Vec<SetupStep>, String> {
    let mut steps = Vec::new();
    let mut perms: Option<u32> = None;
    let mut size: Option<u64> = None;
    for (id, values, own) in flags {
        let first = values.first().cloned().unwrap_or_default();
        match id.as_str() {
            "perms" => {
                if perms.is_some() {
                    return Err(refuse_perms("perms"));
                }
                perms = Some(parse_octal(&first)?);
                continue;
            }
            "size" => {
                if size.is_some() {
                    return Err("--size given twice before the same --tmpfs".into());
                }
                size = Some(parse_size(&first)?);
                continue;
            }
            _ => {}
        }
        let mode = perms.take();
        let size = size.take();
        if size.is_some() && !matches!(own, Some(SetupStep::Tmpfs { .. })) {
            return Err(format!(
                "--size cannot apply to --{id}: it sets the size of the next --tmpfs"
            ));
        }
        let step = match own {
            Some(SetupStep::Tmpfs { dst }) => match (mode, size) {
                (None, None) => SetupStep::Tmpfs { dst },
                (mode, size) => SetupStep::TmpfsMode { dst, mode, size },
            },
            Some(step) => {
                if mode.is_some() {
                    return Err(refuse_perms(&id));
                }
                step
            }
            None => {
                let second = || values.get(1).cloned().unwrap_or_default();
                let data = |bind| -> Result<SetupStep, String> {
                    Ok(SetupStep::Data {
                        fd: parse_fd(&first)?,
                        dst: second(),
                        bind,
                        mode,
                    })
                };
                match id.as_str() {
                    "dir" => SetupStep::Dir {
                        dst: first.clone(),
                        mode,
                    },
                    "file" => data(DataBind::Copy)?,
                    "bind-data" => data(DataBind::Bind)?,
                    "ro-bind-data" => data(DataBind::RoBind)?,
                    other => {
                        if mode.is_some() {
                            return Err(refuse_perms(other));
                        }
                        match other {
                            "dev-bind" => SetupStep::DevBind {
                                src: first,
                                dst: second(),
                            },
                            "bind-try" | "dev-bind-try" | "ro-bind-try" => SetupStep::TryBind {
                                src: first,
                                dst: second(),
                                kind: match other {
                                    "bind-try" => BindKind::Plain,
                                    "dev-bind-try" => BindKind::Dev,
                                    _ => BindKind::ReadOnly,
                                },
                            },
                            "bind-fd" | "ro-bind-fd" => SetupStep::BindFd {
                                fd: parse_fd(&first)?,
                                dst: second(),
                                read_only: other == "ro-bind-fd",
                            },
                            "mqueue" => SetupStep::Mqueue { dst: first },
                            "remount-ro" => SetupStep::RemountRo { dst: first },
                            "chmod" => SetupStep::Chmod {
                                mode: parse_octal(&first)?,
                                path: second(),
                            },
                            _ => return Err(format!("unknown filesystem option --{other}")),
                        }
                    }
                }
            }
        };
        steps.push(step);
    }
    if perms.is_some() {
        return Err(
            "--perms must be followed by --dir, --tmpfs, --file, --bind-data or --ro-bind-data"
                .into(),
        );
    }
    if size.is_some() {
        return Err("--size must be followed by --tmpfs".into());
    }
    Ok(steps)
}

fn refuse_perms(id: &str) -> String {
    format!(
        "--perms cannot apply to --{id}: it sets the mode of the next --dir, --tmpfs, --file, --bind-data or --ro-bind-data"
    )
}

/// `--size`: a number of bytes above 0 (as bwrap, no suffix).
fn parse_size(value: &std::path::Path) -> Result<u64, String> {
    let text = value.to_string_lossy();
    match text.parse::<u64>() {
        Ok(size) if size > 0 => Ok(size),
        _ => Err(format!(
            "'{}' is not a size in bytes above 0",
            crate::sanitize::for_terminal(&text)
        )),
    }
}

fn parse_octal(value: &std::path::Path) -> Result<u32, String> {
    let text = value.to_string_lossy();
    match u32::from_str_radix(&text, 8) {
        Ok(mode) if mode <= 0o7777 => Ok(mode),
        _ => Err(format!(
            "'{}' is not a mode in octal, like 0755",
            crate::sanitize::for_terminal(&text)
        )),
    }
}

fn parse_fd(value: &std::path::Path) -> Result<i32, String> {
    let text = value.to_string_lossy();
    match text.parse::<i32>() {
        Ok(fd) if fd >= 0 => Ok(fd),
        _ => Err(format!(
            "'{}' is not a file descriptor number",
            crate::sanitize::for_terminal(&text)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn spec(args: &[&str]) -> Result<SpawnSpec, String> {
        let argv = ["nsviz", "spawn", "--new-root"].iter().chain(args);
        match Cli::try_parse_from(argv)
            .map_err(|e| e.to_string())?
            .command
        {
            Some(Command::Spawn(a)) => a.to_spec().map_err(|e| e.message().to_string()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn perms_sets_the_mode_of_the_next_step_only() {
        let s = spec(&[
            "--perms", "0700", "--dir", "/a", "--dir", "/b", "--perms", "1777", "--tmpfs", "/t",
            "--tmpfs", "/u", "--chmod", "0644", "/a",
        ])
        .unwrap();
        assert_eq!(
            s.setup,
            vec![
                SetupStep::Dir {
                    dst: "/a".into(),
                    mode: Some(0o700)
                },
                SetupStep::Dir {
                    dst: "/b".into(),
                    mode: None
                },
                SetupStep::TmpfsMode {
                    dst: "/t".into(),
                    mode: Some(0o1777),
                    size: None,
                },
                SetupStep::Tmpfs { dst: "/u".into() },
                SetupStep::Chmod {
                    mode: 0o644,
                    path: "/a".into()
                },
            ]
        );
        for bad in [
            &["--perms", "0700", "true"][..],
            &["--perms", "0700", "--ro-bind", "/", "/", "true"],
            &["--perms", "0700", "--perms", "0700", "--dir", "/a"],
            &["--perms", "8", "--dir", "/a"],
            &["--chmod", "u+x", "/a"],
        ] {
            assert!(spec(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn size_applies_to_the_next_tmpfs_only() {
        let s = spec(&[
            "--size",
            "4096",
            "--perms",
            "0700",
            "--tmpfs",
            "/t",
            "--size",
            "8192",
            "--tmpfs",
            "/u",
            "--tmpfs",
            "/v",
            "--mqueue",
            "/m",
            "--ro-bind-fd",
            "3",
            "/r",
        ])
        .unwrap();
        assert_eq!(
            s.setup,
            vec![
                SetupStep::TmpfsMode {
                    dst: "/t".into(),
                    mode: Some(0o700),
                    size: Some(4096)
                },
                SetupStep::TmpfsMode {
                    dst: "/u".into(),
                    mode: None,
                    size: Some(8192)
                },
                SetupStep::Tmpfs { dst: "/v".into() },
                SetupStep::Mqueue { dst: "/m".into() },
                SetupStep::BindFd {
                    fd: 3,
                    dst: "/r".into(),
                    read_only: true
                },
            ]
        );
        for bad in [
            &["--size", "0", "--tmpfs", "/t"][..],
            &["--size", "1k", "--tmpfs", "/t"],
            &["--size", "10", "--size", "10", "--tmpfs", "/t"],
            &["--size", "10", "--dir", "/d"],
            &["--size", "10", "true"],
            &["--bind-fd", "-1", "/d"],
        ] {
            assert!(spec(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bwrap_steps_keep_their_place_among_spawns_own() {
        let s = spec(&[
            "--ro-bind-try",
            "/x",
            "/y",
            "--ro-bind",
            "/",
            "/",
            "--dev-bind",
            "/dev",
            "/dev",
            "--file",
            "3",
            "/f",
            "--remount-ro",
            "/",
        ])
        .unwrap();
        let flags: Vec<String> = s
            .setup
            .iter()
            .map(|step| format!("{step:?}").split(' ').next().unwrap().to_string())
            .collect();
        assert_eq!(flags, ["TryBind", "RoBind", "DevBind", "Data", "RemountRo"]);
    }

    #[test]
    fn unshare_all_makes_bwraps_set_and_share_net_keeps_the_network() {
        let s = spec(&["--unshare-all", "--share-net", "--uid", "5"]).unwrap();
        let types: Vec<NsType> = s.namespaces.keys().copied().collect();
        use NsType::*;
        assert_eq!(types, vec![User, Pid, Uts, Ipc, Cgroup]);
        assert_eq!(s.mapping, Mapping::Current);
        assert_eq!(s.sandbox.uid, Some(5));
        // -U alone keeps unshare's meaning: no map.
        assert_eq!(spec(&["-U"]).unwrap().mapping, Mapping::None);
        let err = spec(&["--join", "net=1", "--unshare-net"]).unwrap_err();
        assert!(err.starts_with("cannot both join and create"), "{err}");
    }
}
