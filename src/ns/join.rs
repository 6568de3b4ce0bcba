//! `spawn --join TYPE=FILE|PID`: namespaces that exist, joined while the others are created.
//!
//! Each file is opened and checked (NS_GET_NSTYPE) before anything changes, so a wrong file is
//! one sentence and nothing to undo. The joins happen before `unshare`: after a new user
//! namespace the old ones are out of reach (setns needs capabilities over the target's owner).

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::NsType;

use super::spec::JoinFrom;
use super::{enter, setup_error, sys};

/// A namespace to join, open.
pub struct Joined {
    pub ns_type: NsType,
    fd: OwnedFd,
    shown: String,
}

/// Checks that no type is both joined and created (an option may imply creating one).
pub fn check(joins: &[(NsType, &JoinFrom)], created: &[NsType]) -> Result<()> {
    match joins.iter().find(|(t, _)| created.contains(t)) {
        Some((t, _)) => Err(both_join_and_create(*t)),
        None => Ok(()),
    }
}

/// The error for a type asked both to be joined and to be created.
pub fn both_join_and_create(t: NsType) -> Error {
    Error::usage(format!(
        "cannot both join and create a {t} namespace: drop --join {t}=... or the flag that makes a new one"
    ))
}

/// Opens every namespace to join, checking each holds a namespace of its type.
pub fn open_all(joins: &[(NsType, &JoinFrom)]) -> Result<Vec<Joined>> {
    joins.iter().map(|(t, from)| open(*t, from)).collect()
}

fn open(t: NsType, from: &JoinFrom) -> Result<Joined> {
    match from {
        JoinFrom::File(path) => Ok(Joined {
            ns_type: t,
            fd: enter::open_ns_file(t, path)?,
            shown: crate::sanitize::for_terminal(&path.to_string_lossy()).into_owned(),
        }),
        JoinFrom::Fd(number) => {
            let fd = sys::dup_user_fd(*number)
                .map_err(|e| setup_error(format!("cannot use file descriptor {number}"), e))?;
            match sys::ns_get_nstype(fd.as_fd()) {
                Ok(kind) if kind == t.clone_flag() => Ok(Joined {
                    ns_type: t,
                    fd,
                    shown: format!("of file descriptor {number}"),
                }),
                Ok(kind) => Err(Error::setup(format!(
                    "file descriptor {number} is a {} namespace, not a {t} namespace",
                    NsType::from_clone_flag(kind).map_or("different", NsType::name)
                ))),
                Err(_) => Err(Error::setup(format!(
                    "file descriptor {number} is not a namespace"
                ))),
            }
        }
        JoinFrom::Pid(pid) => {
            let link = PathBuf::from(format!("/proc/{pid}/ns/{}", t.name()));
            let fd: OwnedFd = fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_CLOEXEC)
                .open(&link)
                .map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::setup(format!("no process with PID {pid}"))
                    } else {
                        setup_error(format!("cannot open the {t} namespace of {pid}"), e)
                    }
                })?
                .into();
            Ok(Joined {
                ns_type: t,
                fd,
                shown: format!("of {pid}"),
            })
        }
    }
}

/// Joins them: every type but user first (as root, joining a user namespace first could take
/// the rights to join the others), then the user namespace, then what was refused before it.
pub fn enter_all(joined: &[Joined]) -> Result<()> {
    let mut refused: Vec<&Joined> = Vec::new();
    for j in joined.iter().filter(|j| j.ns_type != NsType::User) {
        if sys::setns(j.fd.as_fd(), j.ns_type.clone_flag()).is_err() {
            refused.push(j);
        }
    }
    for j in joined.iter().filter(|j| j.ns_type == NsType::User) {
        join_one(j)?;
    }
    refused.into_iter().try_for_each(join_one)
}

fn join_one(j: &Joined) -> Result<()> {
    sys::setns(j.fd.as_fd(), j.ns_type.clone_flag()).map_err(|e| {
        setup_error(
            format!("cannot join the {} namespace {}", j.ns_type, j.shown),
            e,
        )
    })
}
