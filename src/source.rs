//! Where a snapshot comes from: a live scan of a proc filesystem, or a file saved earlier.

use std::path::Path;

use crate::cli::SourceArgs;
use crate::error::{Error, Result};
use crate::model::{OLDEST_SNAPSHOT_VERSION, SNAPSHOT_VERSION, Snapshot};
use crate::scan;

/// A fresh scan (with what is inside each namespace when `details`), or the snapshot in
/// `--from FILE` (which has details when it was saved with them).
pub fn load(source: &SourceArgs, details: bool) -> Result<Snapshot> {
    match &source.from {
        Some(path) => read_file(path),
        None => {
            let options = scan::ScanOptions::new(&source.proc_root);
            scan::scan(&if details {
                options.with_details()
            } else {
                options
            })
        }
    }
}

/// Read a snapshot written by `nsviz snapshot`.
pub fn read_file(path: &Path) -> Result<Snapshot> {
    let shown = path.display();
    let text = std::fs::read(path).map_err(|e| {
        Error::usage(format!(
            "cannot read snapshot {shown}: {}",
            crate::error::describe_io(&e)
        ))
    })?;
    let mut snapshot: Snapshot = serde_json::from_slice(&text)
        .map_err(|e| Error::usage(format!("{shown} is not an nsviz snapshot: {e}")))?;
    if !(OLDEST_SNAPSHOT_VERSION..=SNAPSHOT_VERSION).contains(&snapshot.version) {
        return Err(Error::usage(format!(
            "{shown} is a version {} snapshot; this nsviz reads versions \
             {OLDEST_SNAPSHOT_VERSION} to {SNAPSHOT_VERSION}",
            snapshot.version
        )));
    }
    snapshot.normalize();
    // Version 1 files carry no labels: make them from what they do carry.
    crate::model::label::assign(&mut snapshot);
    Ok(snapshot)
}
