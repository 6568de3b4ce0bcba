//! Running the command: working directory, user and group ids, path search, environment, the
//! prompt of an interactive shell, and the exec itself with no fd of nsviz left open.

use std::ffi::{CString, OsStr, OsString};
use std::io::Write;
use std::os::fd::{AsRawFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, exit};
use crate::sanitize::for_terminal;

use super::{init, setup_error, sys};

/// What to run, and where.
pub struct Launch<'a> {
    /// The command line; empty: the user's shell ($SHELL, else /bin/sh), interactive.
    pub command: &'a [OsString],
    /// The namespaces the command is in ("user,mnt"): NSVIZ_NS and the shell prompt.
    pub label: String,
    /// Working directory to change to, if any (resolved after every namespace change).
    pub wd: Option<&'a Path>,
    /// Give the command a process group of its own that owns the terminal. For an
    /// interactive shell in another PID namespace: it notes the terminal's group when it
    /// starts and gives it back on exit, and a group outside its PID namespace has no number
    /// there (dash then fails: "Cannot set tty process group"). nsviz gives the terminal back
    /// to its own group when the command ends ([`give_terminal_back`]).
    pub own_terminal: bool,
    /// The environment to give the command (NAME=VALUE words); None: ours.
    pub env: Option<&'a [OsString]>,
    /// The command's argv[0], instead of the name it was found by (bwrap's --argv0).
    pub argv0: Option<&'a OsStr>,
    /// Fds of the caller's to leave open for the command (see [`inherited_fds`]); every other
    /// fd above 2 is closed on exec.
    pub pass_fds: Vec<i32>,
}

/// The fds nsviz was started with, from 3 up, that were not close-on-exec.
static INHERITED_FDS: std::sync::OnceLock<Vec<i32>> = std::sync::OnceLock::new();

/// Notes the fds the caller handed nsviz for its command (`3<file`). Called by `main` for
/// enter and spawn, before nsviz opens anything of its own.
pub fn note_inherited_fds() {
    let _ = INHERITED_FDS.set(sys::inheritable_fds());
}

/// The fds noted by [`note_inherited_fds`] but those in `consumed` (fds nsviz's own options
/// read or write, which the command does not get, as with bwrap).
pub fn inherited_fds(consumed: &[i32]) -> Vec<i32> {
    INHERITED_FDS
        .get()
        .map(|fds| {
            fds.iter()
                .copied()
                .filter(|fd| !consumed.contains(fd))
                .collect()
        })
        .unwrap_or_default()
}

/// True when standard input is a terminal whose foreground process group is ours. Asked
/// before any namespace change, while the answer still means something.
pub fn in_foreground() -> bool {
    let stdin = std::io::stdin();
    rustix::termios::tcgetpgrp(&stdin).is_ok_and(|fg| fg == rustix::process::getpgrp())
}

/// Makes this process a group of its own and that group the terminal's foreground one. Best
/// effort: without it the command still runs.
fn take_terminal() {
    if rustix::process::setpgid(None, None).is_ok() {
        set_foreground(rustix::process::getpgrp());
    }
}

/// Makes our process group the terminal's foreground one again. After a command that took
/// the terminal ([`Launch::own_terminal`]), so that whoever started nsviz can read it even if
/// it is not a shell that takes it back itself (a script); and in the viewer after a child.
pub fn give_terminal_back() {
    set_foreground(rustix::process::getpgrp());
}

/// SIGTTOU is blocked meanwhile: a process outside the foreground group may then call
/// tcsetpgrp.
fn set_foreground(group: rustix::process::Pid) {
    use nix::sys::signal::{SigSet, SigmaskHow, Signal, pthread_sigmask};
    let mut ttou = SigSet::empty();
    ttou.add(Signal::SIGTTOU);
    let mut old = SigSet::empty();
    if pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&ttou), Some(&mut old)).is_err() {
        return;
    }
    let _ = rustix::termios::tcsetpgrp(std::io::stdin(), group);
    let _ = pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
}

impl Launch<'_> {
    /// Waits for the child that runs the command (forwarding signals to it), then takes the
    /// terminal back if the command had it.
    pub fn wait(&self, child: i32, blocked: &init::Blocked) -> Result<i32, Error> {
        let status = init::wait_forwarding(child, blocked);
        if self.own_terminal {
            give_terminal_back();
        }
        status
    }
}

/// Sets the group and user ids (group first: afterwards we may no longer be allowed to).
/// `clear_groups` drops supplementary groups; a user namespace with setgroups denied refuses,
/// and there the groups are already as few as they can be, so that refusal is ignored.
pub fn set_ids(uid: Option<u32>, gid: Option<u32>, clear_groups: bool) -> Result<(), Error> {
    if clear_groups
        && let Err(e) = sys::clear_groups()
        && e.raw_os_error() != Some(libc::EPERM)
    {
        return Err(setup_error("cannot clear supplementary groups", e));
    }
    if let Some(gid) = gid {
        sys::setresgid(gid).map_err(|e| setup_error(format!("cannot set group id {gid}"), e))?;
    }
    if let Some(uid) = uid {
        sys::setresuid(uid).map_err(|e| setup_error(format!("cannot set user id {uid}"), e))?;
    }
    Ok(())
}

/// Finds the program, then calls `commit` (the last moment setup can still be undone), then
/// replaces this process with the command. Returns only on failure: 126 (cannot run) or 127
/// (not found), or 125 if the working directory is missing.
pub fn exec(launch: &Launch, blocked: Option<&init::Blocked>, commit: impl FnOnce()) -> Error {
    exec_then(launch, blocked, commit, || Ok(()))
}

/// As [`exec`], with `last` run after everything else, right before the exec itself (a
/// seccomp filter, which could refuse the calls setup still makes).
pub fn exec_then(
    launch: &Launch,
    blocked: Option<&init::Blocked>,
    commit: impl FnOnce(),
    last: impl FnOnce() -> Result<(), Error>,
) -> Error {
    match prepare(launch) {
        Ok(prepared) => {
            if launch.own_terminal {
                take_terminal();
            }
            commit();
            if let Some(blocked) = blocked {
                blocked.restore();
            }
            if let Err(e) = last() {
                return e;
            }
            prepared.exec()
        }
        Err(e) => e,
    }
}

struct Prepared {
    program: PathBuf,
    argv: Vec<OsString>,
    env: Vec<OsString>,
    shown: String,
}

fn prepare(launch: &Launch) -> Result<Prepared, Error> {
    if let Some(dir) = launch.wd {
        std::env::set_current_dir(dir).map_err(|e| {
            setup_error(
                format!(
                    "cannot change directory to {}",
                    for_terminal(&dir.to_string_lossy())
                ),
                e,
            )
        })?;
    }
    let default_shell = launch.command.is_empty();
    let mut argv: Vec<OsString> = if default_shell {
        vec![
            std::env::var_os("SHELL")
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "/bin/sh".into()),
        ]
    } else {
        launch.command.to_vec()
    };
    let shown = for_terminal(&argv[0].to_string_lossy()).into_owned();
    let program = find_program(&argv[0], &shown)?;
    if let Some(argv0) = launch.argv0 {
        argv[0] = argv0.to_os_string();
    }
    let is_bash = program.file_name() == Some(OsStr::new("bash"));

    let keep = |key: &OsStr| key != "NSVIZ_NS" && !(default_shell && key == "PS1");
    let mut env: Vec<OsString> = match launch.env {
        Some(words) => words
            .iter()
            .filter(|w| {
                let key = w
                    .as_bytes()
                    .split(|&b| b == b'=')
                    .next()
                    .unwrap_or_default();
                keep(OsStr::from_bytes(key))
            })
            .cloned()
            .collect(),
        None => std::env::vars_os()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| join_env(&k, &v))
            .collect(),
    };
    env.push(join_env(OsStr::new("NSVIZ_NS"), OsStr::new(&launch.label)));

    // Nothing of nsviz may reach the command: mark every fd above 2 close-on-exec. The rc file
    // below is made afterwards, on purpose, and closes itself.
    sys::cloexec_from_3().map_err(|e| setup_error("cannot close nsviz's files", e))?;
    // ...but the caller's own, which unshare, nsenter and bwrap pass on too.
    for &fd in &launch.pass_fds {
        let _ = sys::pass_on_exec(fd);
    }
    if default_shell {
        let prompt = format!("[nsviz:{}] ", launch.label);
        if is_bash {
            // bash replaces PS1 from the environment with the one from its rc files, so give it
            // an rc file that reads the usual ones and then prefixes the prompt.
            if let Some(rc) = bash_rcfile(&prompt) {
                argv.extend(["--rcfile".into(), rc]);
            }
        } else {
            let sign = if sys::geteuid() == 0 { "# " } else { "$ " };
            env.push(join_env(OsStr::new("PS1"), OsStr::new(&(prompt + sign))));
        }
    }
    Ok(Prepared {
        program,
        argv,
        env,
        shown,
    })
}

impl Prepared {
    fn exec(self) -> Error {
        let to_c = |v: &[OsString]| -> Option<Vec<CString>> {
            v.iter().map(|s| CString::new(s.as_bytes()).ok()).collect()
        };
        let (Some(argv), Some(env), Ok(program)) =
            (to_c(&self.argv), to_c(&self.env), sys::cstr(&self.program))
        else {
            return Error::with_code(
                format!("cannot run {}: an argument contains a NUL byte", self.shown),
                exit::CANNOT_EXEC,
            );
        };
        let err = sys::execve(&program, &argv, &env);
        exec_error(&self.shown, err)
    }
}

fn exec_error(shown: &str, err: std::io::Error) -> Error {
    let code = if err.raw_os_error() == Some(libc::ENOENT) {
        exit::NOT_FOUND
    } else {
        exit::CANNOT_EXEC
    };
    Error::with_code(
        Error::os(format!("cannot run {shown}"), err).message(),
        code,
    )
}

fn join_env(key: &OsStr, value: &OsStr) -> OsString {
    let mut pair = key.to_os_string();
    pair.push("=");
    pair.push(value);
    pair
}

/// Finds the program as execvp would: a name with a slash is a path, else searched in $PATH.
/// Resolving it before exec lets a missing command be reported before setup is committed.
fn find_program(name: &OsStr, shown: &str) -> Result<PathBuf, Error> {
    if name.as_bytes().contains(&b'/') {
        return match std::fs::metadata(name) {
            Ok(_) => Ok(PathBuf::from(name)),
            Err(e) => Err(exec_error(shown, e)),
        };
    }
    let path = std::env::var_os("PATH")
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    let mut denied = None;
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(name);
        let Ok(meta) = std::fs::metadata(&candidate) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        if sys::executable(&candidate) {
            return Ok(candidate);
        }
        denied.get_or_insert(candidate);
    }
    match denied {
        Some(_) => Err(Error::with_code(
            format!("cannot run {shown}: permission denied"),
            exit::CANNOT_EXEC,
        )),
        None => Err(Error::with_code(
            format!("cannot run {shown}: command not found"),
            exit::NOT_FOUND,
        )),
    }
}

/// An rc file for an interactive bash, in memory; returns its path for `--rcfile`. The file
/// first closes the fd it came from, so the shell holds nothing of nsviz afterwards. None when
/// no /proc or /dev/fd is mounted to reach it (the shell then just keeps its own prompt).
fn bash_rcfile(prompt: &str) -> Option<OsString> {
    let dir = ["/proc/self/fd", "/dev/fd"]
        .into_iter()
        .find(|d| Path::new(d).is_dir())?;
    let fd = sys::memfd("nsviz-bashrc").ok()?;
    let n = fd.as_raw_fd();
    let text = format!(
        "exec {n}<&-\n\
         [ -f /etc/bash.bashrc ] && . /etc/bash.bashrc\n\
         [ -f ~/.bashrc ] && . ~/.bashrc\n\
         PS1='{prompt}'\"$PS1\"\n"
    );
    let mut file = std::fs::File::from(fd);
    file.write_all(text.as_bytes()).ok()?;
    // The command reads the file through /proc/self/fd/N: keep N open across exec.
    let n = file.into_raw_fd();
    Some(format!("{dir}/{n}").into())
}
