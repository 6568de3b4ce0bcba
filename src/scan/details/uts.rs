//! The uts section, read from inside (see inside.rs): uname(2) answers for the calling
//! thread's UTS namespace.

use crate::model::details::UtsDetails;
use crate::sanitize::text_from_bytes;

/// The names of the UTS namespace the calling thread is in.
pub fn read() -> UtsDetails {
    let names = rustix::system::uname();
    UtsDetails {
        hostname: text_from_bytes(names.nodename().to_bytes()),
        domainname: text_from_bytes(names.domainname().to_bytes()),
    }
}
