//! The interactive viewer.

use crate::cli::SourceArgs;
use crate::error::{Error, Result};

pub fn run(source: &SourceArgs, interval_ms: u64) -> Result<()> {
    let _ = (source, interval_ms);
    Err(Error::failed("viewer not built yet"))
}
