use crate::cli::EnterArgs;
use crate::error::{Error, Result};

/// Returns the exit status of the command.
pub fn run(args: &EnterArgs) -> Result<i32> {
    let _ = args;
    Err(Error::failed("not built yet"))
}
