use std::io::Write;

use crate::cli::SnapshotArgs;
use crate::error::{Error, Result};
use crate::model::Snapshot;

pub fn write(snapshot: &Snapshot, args: &SnapshotArgs, out: &mut dyn Write) -> Result<()> {
    let _ = (snapshot, args, out);
    Err(Error::failed("not built yet"))
}
