//! The nsfs ioctls (parent, owner, owner uid, 64-bit id), SIOCGSKNS (the network namespace of a
//! socket) and RTM_GETNSID (the id our network namespace gives another one). No crate wraps
//! them: the system-call layer (`crate::sys`) declares them with nix's ioctl macros.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use crate::sys;

use crate::model::NsId;

/// The inode of an open namespace file: its namespace id.
pub fn inode(fd: impl AsFd) -> Option<NsId> {
    rustix::fs::fstat(fd).ok().map(|st| st.st_ino)
}

/// The owning user namespace (NS_GET_USERNS). None at the root or outside our scope (EPERM).
pub fn owner(ns: impl AsFd) -> Option<OwnedFd> {
    sys::ns_get_userns(ns.as_fd()).ok()
}

/// The parent of a user or pid namespace (NS_GET_PARENT). None at the root or out of scope.
pub fn parent(ns: impl AsFd) -> Option<OwnedFd> {
    sys::ns_get_parent(ns.as_fd()).ok()
}

/// The uid that created a user namespace (NS_GET_OWNER_UID).
pub fn owner_uid(ns: impl AsFd) -> Option<u32> {
    sys::ns_get_owner_uid(ns.as_fd()).ok()
}

/// The kernel's 64-bit namespace id (NS_GET_ID); None on kernels without it (ENOTTY).
pub fn ns_id(ns: impl AsFd) -> Option<u64> {
    sys::ns_get_id(ns.as_fd()).ok()
}

/// The network namespace a socket was created in (SIOCGSKNS), as an open nsfs fd.
pub fn socket_netns(socket: impl AsFd) -> Option<OwnedFd> {
    sys::socket_netns(socket.as_fd()).ok()
}

/// A NETLINK_ROUTE socket that asks for network namespace ids, as `lsns` does for NETNSID.
pub struct NsidQuery {
    sock: OwnedFd,
    seq: u32,
}

const RTM_NEWNSID: u16 = 88;
const RTM_GETNSID: u16 = 90;
const NETNSA_NSID: u16 = 1;
const NETNSA_FD: u16 = 3;

impl NsidQuery {
    pub fn new() -> Option<NsidQuery> {
        let sock = sys::netlink_route_socket().ok()?;
        Some(NsidQuery { sock, seq: 0 })
    }

    /// The id our network namespace assigned to the one `netns` refers to: `Some(-1)` when it
    /// has none (lsns: "unassigned"), None when the kernel would not say.
    pub fn get(&mut self, netns: impl AsFd) -> Option<i32> {
        self.seq += 1;
        // nlmsghdr (16) + rtgenmsg padded to 4 + one rtattr carrying NETNSA_FD (8).
        let mut req = [0u8; 28];
        req[0..4].copy_from_slice(&28u32.to_ne_bytes());
        req[4..6].copy_from_slice(&RTM_GETNSID.to_ne_bytes());
        req[6..8].copy_from_slice(&(libc::NLM_F_REQUEST as u16).to_ne_bytes());
        req[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        req[16] = libc::AF_UNSPEC as u8;
        req[20..22].copy_from_slice(&8u16.to_ne_bytes());
        req[22..24].copy_from_slice(&NETNSA_FD.to_ne_bytes());
        req[24..28].copy_from_slice(&(netns.as_fd().as_raw_fd() as u32).to_ne_bytes());
        let sent = sys::send(self.sock.as_fd(), &req).ok()?;
        if sent != req.len() {
            return None;
        }
        let mut res = [0u8; 256];
        let len = sys::recv(self.sock.as_fd(), &mut res).ok()?;
        let res = res.get(..len)?;
        parse_nsid_reply(res, self.seq)
    }
}

/// Finds NETNSA_NSID in an RTM_NEWNSID reply (an error reply yields None).
fn parse_nsid_reply(res: &[u8], seq: u32) -> Option<i32> {
    let u16_at = |i: usize| Some(u16::from_ne_bytes(res.get(i..i + 2)?.try_into().ok()?));
    let u32_at = |i: usize| Some(u32::from_ne_bytes(res.get(i..i + 4)?.try_into().ok()?));
    let msg_len = (u32_at(0)? as usize).min(res.len());
    if u16_at(4)? != RTM_NEWNSID || u32_at(8)? != seq {
        return None;
    }
    let mut at = 20;
    while at + 4 <= msg_len {
        let attr_len = u16_at(at)? as usize;
        if attr_len < 4 {
            return None;
        }
        if u16_at(at + 2)? == NETNSA_NSID {
            return Some(u32_at(at + 4)? as i32);
        }
        at += (attr_len + 3) & !3;
    }
    None
}
