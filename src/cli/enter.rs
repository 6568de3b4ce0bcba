//! `nsviz enter` (nsenter's personality) and its conversion to the core's [`EnterSpec`].

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Args;

use super::NsSelection;
use crate::ns::spec::{EnterFrom, EnterSpec};

#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
#[command(after_help = "\
Examples:
  nsviz enter -t 1234 -a                     all namespaces of PID 1234, run $SHELL
  nsviz enter -t 1234 -n -u -- hostname      its net and uts namespaces
  nsviz enter --net=/run/netns/blue -- ip a  a namespace bound to a file")]
pub struct EnterArgs {
    /// The process whose namespaces to enter.
    #[arg(short = 't', long = "target", value_name = "PID")]
    pub target: Option<i32>,

    /// Enter every namespace of the target that differs from ours.
    #[arg(short = 'a', long)]
    pub all: bool,

    #[command(flatten)]
    pub ns: NsSelection,

    /// Set the user id inside (default with -U: 0).
    #[arg(short = 'S', long = "setuid", value_name = "UID")]
    pub setuid: Option<u32>,

    /// Set the group id inside (default with -U: 0).
    #[arg(short = 'G', long = "setgid", value_name = "GID")]
    pub setgid: Option<u32>,

    /// Keep the current uid, gid and groups when entering a user namespace.
    #[arg(long)]
    pub preserve_credentials: bool,

    /// Working directory inside (default: the target's, when entering its mount namespace).
    #[arg(short = 'w', long = "wd", value_name = "DIR")]
    pub wd: Option<PathBuf>,

    /// The command to run (default: $SHELL, else /bin/sh).
    ///
    /// Options are read up to the first word that is not one, or up to `--`; everything from
    /// there on is the command and its arguments.
    #[arg(value_name = "CMD", trailing_var_arg = true)]
    pub command: Vec<OsString>,
}

impl EnterArgs {
    /// The request for the core: the namespace flags become where each namespace comes from.
    pub fn to_spec(&self) -> EnterSpec {
        let namespaces = self
            .ns
            .selected()
            .into_iter()
            .map(|(t, file)| {
                let from = match file {
                    Some(f) => EnterFrom::File(f.clone()),
                    None => EnterFrom::Target,
                };
                (t, from)
            })
            .collect();
        EnterSpec {
            target: self.target,
            all: self.all,
            namespaces,
            setuid: self.setuid,
            setgid: self.setgid,
            preserve_credentials: self.preserve_credentials,
            wd: self.wd.clone(),
            command: self.command.clone(),
        }
    }
}
