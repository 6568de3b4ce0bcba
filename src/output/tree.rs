use std::io::Write;

use crate::cli::TreeArgs;
use crate::error::{Error, Result};
use crate::model::Snapshot;

pub fn write(snapshot: &Snapshot, args: &TreeArgs, out: &mut dyn Write) -> Result<()> {
    let _ = (snapshot, args, out);
    Err(Error::failed("not built yet"))
}
