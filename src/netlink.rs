//! One netlink exchange, shared by the scanner (reading a network namespace) and the core
//! (connecting one): send a request built with the rust-netlink crates, hand each reply to a
//! callback, and stop where the kernel says the exchange is over.

use std::fmt::Debug;
use std::io;

use netlink_packet_core::{
    NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NetlinkBuffer, NetlinkHeader, NetlinkMessage,
    NetlinkPayload, NetlinkSerializable,
};
use netlink_sys::Socket;

/// Sends `request` (with NLM_F_REQUEST and `flags`: NLM_F_DUMP for a dump, NLM_F_ACK for a
/// change) and hands each reply of sequence `seq` (type, payload) to `each`, until NLMSG_DONE
/// or an acknowledgement; a kernel error is returned as the error it names.
pub fn exchange<T: NetlinkSerializable + Debug>(
    sock: &Socket,
    seq: u32,
    flags: u16,
    request: T,
    mut each: impl FnMut(u16, &[u8]),
) -> io::Result<()> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | flags;
    header.sequence_number = seq;
    let mut msg = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(request));
    msg.finalize();
    let mut buf = vec![0u8; msg.buffer_len()];
    msg.serialize(&mut buf);
    sock.send(&buf, 0)?;
    loop {
        let (data, _) = sock.recv_from_full()?;
        if data.is_empty() {
            return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
        }
        let mut at = 0;
        while at < data.len() {
            let msg = NetlinkBuffer::new_checked(&data[at..])
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))?;
            let len = msg.length() as usize;
            if msg.sequence_number() == seq {
                match msg.message_type() {
                    NLMSG_DONE => return Ok(()),
                    NLMSG_ERROR => {
                        // An error message with code 0 is the acknowledgement.
                        let code = msg
                            .payload()
                            .get(..4)
                            .and_then(|b| b.try_into().ok())
                            .map(i32::from_ne_bytes)
                            .unwrap_or(0);
                        return match code {
                            0 => Ok(()),
                            code => Err(io::Error::from_raw_os_error(code.saturating_neg())),
                        };
                    }
                    kind => each(kind, msg.payload()),
                }
            }
            // Messages are 4-byte aligned; a length of 0 would loop for ever.
            at += len.max(16).next_multiple_of(4);
        }
    }
}
