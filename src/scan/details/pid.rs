//! The pid section: from the snapshot itself (NSpid of the members).

use crate::model::details::PidDetails;
use crate::model::{Namespace, Snapshot};

pub fn details(snapshot: &Snapshot, ns: &Namespace) -> PidDetails {
    let _ = (snapshot, ns);
    PidDetails::default()
}
