//! One error type for everything a user can cause: a sentence naming the thing, and an exit code.

use std::fmt;

/// Exit codes. 2 is for bad input (as clap uses); enter/spawn return the command's own status,
/// so their own failures use the codes env(1) and chroot(1) use.
pub mod exit {
    /// Something failed at run time (a scan, a write, the terminal).
    pub const FAILURE: i32 = 1;
    /// Bad flags or values, a missing or malformed input file.
    pub const USAGE: i32 = 2;
    /// enter/spawn could not set up the namespaces.
    pub const SETUP: i32 = 125;
    /// The command was found but could not be run.
    pub const CANNOT_EXEC: i32 = 126;
    /// The command was not found.
    pub const NOT_FOUND: i32 = 127;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    code: i32,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Bad input: flags, values, files the user named.
    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            code: exit::USAGE,
        }
    }

    /// A run-time failure.
    pub fn failed(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            code: exit::FAILURE,
        }
    }

    /// A failure to set up namespaces for enter/spawn.
    pub fn setup(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            code: exit::SETUP,
        }
    }

    pub fn with_code(message: impl Into<String>, code: i32) -> Self {
        Error {
            message: message.into(),
            code,
        }
    }

    /// `what: reason`, with the OS error in plain words ("permission denied").
    pub fn os(what: impl fmt::Display, err: impl Into<std::io::Error>) -> Self {
        Error::failed(format!("{what}: {}", describe_io(&err.into())))
    }

    pub fn code(&self) -> i32 {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<nix::Error> for Error {
    fn from(e: nix::Error) -> Self {
        Error::failed(describe_io(&std::io::Error::from(e)))
    }
}

/// An OS error as lower-case words without the "(os error N)" suffix.
pub fn describe_io(err: &std::io::Error) -> String {
    let text = match err.raw_os_error() {
        Some(code) => nix::errno::Errno::from_raw(code).desc().to_string(),
        None => err.to_string(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}
