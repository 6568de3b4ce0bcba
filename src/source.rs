//! Where a snapshot comes from: a live scan of a proc filesystem, or a file saved earlier.

use std::io::Read;
use std::path::Path;

use crate::cli::SourceArgs;
use crate::error::{Error, Result};
use crate::model::{OLDEST_SNAPSHOT_VERSION, SNAPSHOT_VERSION, Snapshot};
use crate::sanitize::for_terminal;
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

/// The largest snapshot read (a scan of 10,000 processes writes about 10 MiB).
pub const MAX_SNAPSHOT_BYTES: u64 = 256 << 20;

/// Read a snapshot written by `nsviz snapshot`; `-` is standard input. Pipes work; at most
/// [`MAX_SNAPSHOT_BYTES`] are read.
pub fn read_file(path: &Path) -> Result<Snapshot> {
    let shown = for_terminal(&path.to_string_lossy()).into_owned();
    let cannot = |e: std::io::Error| {
        Error::usage(format!(
            "cannot read snapshot {shown}: {}",
            crate::error::describe_io(&e)
        ))
    };
    let text = if path == Path::new("-") {
        read_bounded(std::io::stdin().lock())
    } else {
        std::fs::File::open(path).and_then(read_bounded)
    }
    .map_err(cannot)?
    .ok_or_else(|| {
        Error::usage(format!(
            "{shown} is larger than {} MiB, more than any nsviz snapshot",
            MAX_SNAPSHOT_BYTES >> 20
        ))
    })?;
    parse(&text, &shown)
}

/// Everything `reader` gives, or None if that is more than [`MAX_SNAPSHOT_BYTES`].
fn read_bounded(reader: impl Read) -> std::io::Result<Option<Vec<u8>>> {
    let mut text = Vec::new();
    reader.take(MAX_SNAPSHOT_BYTES + 1).read_to_end(&mut text)?;
    Ok((text.len() as u64 <= MAX_SNAPSHOT_BYTES).then_some(text))
}

/// Parses the text of a snapshot; `shown` names where it came from (already escaped).
pub fn parse(text: &[u8], shown: &str) -> Result<Snapshot> {
    let mut snapshot: Snapshot = serde_json::from_slice(text).map_err(|e| {
        Error::usage(format!(
            "{shown} is not an nsviz snapshot: {}",
            for_terminal(&e.to_string())
        ))
    })?;
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
