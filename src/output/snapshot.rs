//! `nsviz snapshot`: the whole picture as one JSON document (schema: docs/snapshot.md).

use std::io::Write;

use crate::cli::SnapshotArgs;
use crate::error::{Error, Result};
use crate::model::Snapshot;

pub fn write(snapshot: &Snapshot, args: &SnapshotArgs, out: &mut dyn Write) -> Result<()> {
    let written = if args.compact {
        super::json::to_writer(&mut *out, snapshot)
    } else {
        super::json::to_writer_pretty(&mut *out, snapshot)
    };
    written
        .map_err(|e| Error::failed(format!("cannot write the snapshot: {e}")))
        .and_then(|()| writeln!(out).map_err(|e| Error::os("cannot write the snapshot", e)))
}
