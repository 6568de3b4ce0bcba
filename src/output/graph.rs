use std::io::Write;

use crate::cli::GraphArgs;
use crate::error::{Error, Result};
use crate::model::Snapshot;

pub fn write(snapshot: &Snapshot, args: &GraphArgs, out: &mut dyn Write) -> Result<()> {
    let _ = (snapshot, args, out);
    Err(Error::failed("not built yet"))
}
