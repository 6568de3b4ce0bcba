use std::io::Write;

use crate::cli::ListArgs;
use crate::error::{Error, Result};
use crate::model::Snapshot;

pub fn write(snapshot: &Snapshot, args: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let _ = (snapshot, args, out);
    Err(Error::failed("not built yet"))
}
