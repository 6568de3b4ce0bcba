//! The net section, read from inside (see inside.rs): interfaces, addresses and default routes
//! through a NETLINK_ROUTE socket opened in the namespace, listening sockets from
//! /proc/thread-self/net/*, and the veth ends whose peers are matched once every namespace is
//! read ([`match_peers`]).

use std::collections::HashMap;
use std::io;

use netlink_packet_core::{
    NLM_F_DUMP, NetlinkSerializable, NlaBuffer, NlasIterator, Parseable, ParseableParametrized,
};
use netlink_packet_route::address::{AddressAttribute, AddressHeader, AddressMessage};
use netlink_packet_route::link::{
    InfoKind, LinkAttribute, LinkFlags, LinkHeader, LinkInfo, LinkLayerType, LinkMessage,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{
    AF_INET, AF_INET6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DIAG_BY_FAMILY,
};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::{
    Socket,
    protocols::{NETLINK_ROUTE, NETLINK_SOCK_DIAG},
};

use crate::model::NsId;
use crate::model::details::{Interface, NetDetails, Peer, Route};
use crate::sanitize::text_from_bytes;
use crate::scan::ioctl::NsidQuery;

// From <linux/rtnetlink.h> and <linux/if_link.h>.
const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const IFLA_IFNAME: u16 = 3;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const LINK_HEADER_LEN: usize = 16;
const ADDRESS_HEADER_LEN: usize = 8;

/// One end of a veth pair, as its own namespace describes the other end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VethEnd {
    pub index: u32,
    /// IFLA_LINK: the peer's index in the peer's namespace.
    pub peer_index: u32,
    pub peer_at: PeerAt,
}

/// Where the other end of a veth is, as far as its namespace tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerAt {
    /// In the same namespace (no IFLA_LINK_NETNSID).
    Here,
    /// In the namespace this one gave that id (IFLA_LINK_NETNSID).
    Nsid(i32),
    /// In that namespace: details kept from an earlier scan said so.
    Known(NsId),
    /// In another namespace, not told which (details kept from an earlier scan).
    Elsewhere,
}

/// The veth ends of a namespace whose details were kept from an earlier scan, so a namespace
/// read now can still find its peers there.
pub fn kept_ends(own: NsId, details: &NetDetails) -> Vec<VethEnd> {
    details
        .interfaces
        .iter()
        .filter_map(|i| {
            let peer = i.peer.as_ref()?;
            Some(VethEnd {
                index: i.index,
                peer_index: peer.index,
                peer_at: match peer.netns {
                    Some(ns) if ns == own => PeerAt::Here,
                    Some(ns) => PeerAt::Known(ns),
                    None => PeerAt::Elsewhere,
                },
            })
        })
        .collect()
}

/// What reading one network namespace gives, before peers are matched.
pub struct NetRead {
    pub details: NetDetails,
    pub veths: Vec<VethEnd>,
    /// A socket of this namespace, to ask it which id it gave another namespace.
    pub nsid: Option<NsidQuery>,
}

/// Reads the network namespace the calling thread is in.
pub fn read() -> Result<NetRead, String> {
    let sock = Socket::new(NETLINK_ROUTE)
        .map_err(|e| format!("interfaces: no netlink socket ({})", describe(&e)))?;
    let mut links: Vec<Link> = Vec::new();
    dump(
        &sock,
        1,
        RouteNetlinkMessage::GetLink(LinkMessage::default()),
        |kind, payload| {
            if kind == RTM_NEWLINK
                && let Some(link) = parse_link(payload)
            {
                links.push(link);
            }
        },
    )
    .map_err(|e| format!("interfaces: netlink would not list them ({})", describe(&e)))?;
    links.sort_by_key(|l| l.index);

    let mut addresses: HashMap<u32, Vec<String>> = HashMap::new();
    dump(
        &sock,
        2,
        RouteNetlinkMessage::GetAddress(AddressMessage::default()),
        |kind, payload| {
            if kind == RTM_NEWADDR
                && let Some((index, address)) = parse_address(payload)
            {
                addresses.entry(index).or_default().push(address);
            }
        },
    )
    .map_err(|e| format!("addresses: netlink would not list them ({})", describe(&e)))?;

    let mut routes: Vec<(String, Option<String>, Option<u32>)> = Vec::new();
    dump(
        &sock,
        3,
        RouteNetlinkMessage::GetRoute(RouteMessage::default()),
        |kind, payload| {
            if kind == RTM_NEWROUTE
                && let Some(route) = parse_default_route(payload)
            {
                routes.push(route);
            }
        },
    )
    .map_err(|e| format!("routes: netlink would not list them ({})", describe(&e)))?;

    let names: HashMap<u32, &str> = links.iter().map(|l| (l.index, l.name.as_str())).collect();
    let name_of = |index: u32| names.get(&index).map(|n| n.to_string());
    let default_routes = routes
        .into_iter()
        .map(|(family, gateway, oif)| Route {
            family,
            gateway,
            dev: oif.and_then(name_of),
        })
        .collect();
    let mut veths = Vec::new();
    let interfaces = links
        .iter()
        .map(|l| {
            let mut peer = None;
            if l.kind == "veth"
                && let Some(peer_index) = l.link
            {
                veths.push(VethEnd {
                    index: l.index,
                    peer_index,
                    peer_at: l.link_netnsid.map_or(PeerAt::Here, PeerAt::Nsid),
                });
                // A peer in this same namespace is named at once; others once all are read.
                peer = Some(Peer {
                    netns: None,
                    index: peer_index,
                    name: if l.link_netnsid.is_none() {
                        name_of(peer_index)
                    } else {
                        None
                    },
                });
            }
            Interface {
                index: l.index,
                name: l.name.clone(),
                kind: l.kind.clone(),
                state: l.state.clone(),
                admin_up: l.admin_up,
                mac: l.mac.clone(),
                mtu: l.mtu,
                addresses: addresses.remove(&l.index).unwrap_or_default(),
                master: l.master.and_then(name_of),
                peer,
            }
        })
        .collect();

    let has_remote_veth = veths.iter().any(|v| matches!(v.peer_at, PeerAt::Nsid(_)));
    let (listening_tcp, listening_udp) = count_sockets()?;
    Ok(NetRead {
        details: NetDetails {
            interfaces,
            default_routes,
            listening_tcp,
            listening_udp,
        },
        veths,
        // Only a namespace with a veth elsewhere may need asking.
        nsid: if has_remote_veth {
            NsidQuery::new()
        } else {
            None
        },
    })
}

fn describe(e: &io::Error) -> String {
    crate::error::describe_io(e)
}

/// One dump: each reply message (type, payload) goes to `each`.
fn dump<T: NetlinkSerializable + std::fmt::Debug>(
    sock: &Socket,
    seq: u32,
    request: T,
    each: impl FnMut(u16, &[u8]),
) -> io::Result<()> {
    crate::netlink::exchange(sock, seq, NLM_F_DUMP, request, each)
}

/// One interface as RTM_NEWLINK describes it.
#[derive(Debug, Default)]
struct Link {
    index: u32,
    name: String,
    kind: String,
    state: String,
    admin_up: bool,
    mac: Option<String>,
    mtu: u32,
    master: Option<u32>,
    link: Option<u32>,
    link_netnsid: Option<i32>,
}

/// Parses one RTM_NEWLINK payload attribute by attribute, so one the crate cannot decode (an
/// interface name that is not UTF-8, a link kind it does not know) loses only itself.
fn parse_link(payload: &[u8]) -> Option<Link> {
    let header = LinkHeader::parse(payload).ok()?;
    let mut link = Link {
        index: header.index,
        admin_up: header.flags.contains(LinkFlags::Up),
        ..Link::default()
    };
    let mut kind = None;
    for nla in NlasIterator::new(payload.get(LINK_HEADER_LEN..)?) {
        let Ok(nla) = nla else { break };
        match nla.kind() {
            IFLA_IFNAME => link.name = text_from_bytes(trim_nul(nla.value())),
            IFLA_LINKINFO => kind = link_kind(&nla),
            _ => match LinkAttribute::parse_with_param(&nla, header.interface_family) {
                Ok(LinkAttribute::Mtu(mtu)) => link.mtu = mtu,
                Ok(LinkAttribute::Address(mac)) if !mac.is_empty() => link.mac = Some(hex(&mac)),
                Ok(LinkAttribute::OperState(state)) => {
                    link.state = state.to_string().to_lowercase()
                }
                Ok(LinkAttribute::Controller(master)) => link.master = Some(master),
                Ok(LinkAttribute::Link(peer)) => link.link = Some(peer),
                Ok(LinkAttribute::LinkNetNsId(id)) => link.link_netnsid = Some(id),
                _ => {}
            },
        }
    }
    link.kind = kind.unwrap_or_else(|| match header.link_layer_type {
        LinkLayerType::Loopback => "loopback".to_string(),
        LinkLayerType::Ether => "ether".to_string(),
        other => format!("{other:?}").to_lowercase(),
    });
    Some(link)
}

/// IFLA_INFO_KIND inside IFLA_LINKINFO, through the crate where it decodes the whole
/// attribute, else read raw.
pub(crate) fn link_kind(nla: &NlaBuffer<&[u8]>) -> Option<String> {
    if let Ok(LinkAttribute::LinkInfo(infos)) =
        LinkAttribute::parse_with_param(nla, AddressFamily::Unspec)
    {
        return infos.into_iter().find_map(|info| match info {
            LinkInfo::Kind(InfoKind::Other(text)) => Some(text),
            LinkInfo::Kind(kind) => Some(kind.to_string()),
            _ => None,
        });
    }
    NlasIterator::new(nla.value())
        .filter_map(Result::ok)
        .find(|inner| inner.kind() == IFLA_INFO_KIND)
        .map(|inner| text_from_bytes(trim_nul(inner.value())))
}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    &bytes[..end]
}

/// "aa:bb:cc:dd:ee:ff", as `ip link` shows a link address.
fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// (interface index, "address/prefix") of one RTM_NEWADDR payload.
fn parse_address(payload: &[u8]) -> Option<(u32, String)> {
    let header = AddressHeader::parse(payload).ok()?;
    let mut address = None;
    let mut local = None;
    for nla in NlasIterator::new(payload.get(ADDRESS_HEADER_LEN..)?) {
        let Ok(nla) = nla else { break };
        match AddressAttribute::parse(&nla) {
            Ok(AddressAttribute::Address(a)) => address = Some(a),
            Ok(AddressAttribute::Local(a)) => local = Some(a),
            _ => {}
        }
    }
    // On a point-to-point IPv4 link IFA_ADDRESS is the far end; IFA_LOCAL is ours.
    let ours = local.or(address)?;
    Some((header.index, format!("{ours}/{}", header.prefix_len)))
}

/// (family, gateway, outgoing interface index) of a default route of the main table.
fn parse_default_route(payload: &[u8]) -> Option<(String, Option<String>, Option<u32>)> {
    let route = RouteMessage::parse(payload).ok()?;
    let family = match route.header.address_family {
        AddressFamily::Inet => "inet",
        AddressFamily::Inet6 => "inet6",
        _ => return None,
    };
    let table = route
        .attributes
        .iter()
        .find_map(|a| match a {
            RouteAttribute::Table(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(u32::from(route.header.table));
    if table != u32::from(RouteHeader::RT_TABLE_MAIN)
        || route.header.destination_prefix_length != 0
        || route.header.kind != RouteType::Unicast
    {
        return None;
    }
    let mut gateway = None;
    let mut oif = None;
    for attribute in &route.attributes {
        match attribute {
            RouteAttribute::Gateway(RouteAddress::Inet(a)) => gateway = Some(a.to_string()),
            RouteAttribute::Gateway(RouteAddress::Inet6(a)) => gateway = Some(a.to_string()),
            RouteAttribute::Oif(index) => oif = Some(*index),
            _ => {}
        }
    }
    Some((family.to_string(), gateway, oif))
}

/// (TCP sockets listening, UDP sockets bound and unconnected) of the calling thread's network
/// namespace, through sock_diag. Reading /proc/net/tcp instead walks the whole established
/// hash table: 3.3 ms a read here, measured, against microseconds for a dump filtered to
/// LISTEN, which the kernel answers from the listening table alone.
fn count_sockets() -> Result<(u32, u32), String> {
    let sock = Socket::new(NETLINK_SOCK_DIAG)
        .map_err(|e| format!("sockets: no sock_diag socket ({})", describe(&e)))?;
    let count = |seq: u32, family: u8, protocol: u8, states: StateFlags| {
        let socket_id = if family == AF_INET {
            SocketId::new_v4()
        } else {
            SocketId::new_v6()
        };
        let request = SockDiagMessage::InetRequest(InetRequest {
            family,
            protocol,
            extensions: ExtensionFlags::empty(),
            states,
            socket_id,
        });
        let mut found = 0u32;
        dump(&sock, seq, request, |kind, _| {
            if kind == SOCK_DIAG_BY_FAMILY {
                found = found.saturating_add(1);
            }
        })
        .map(|()| found)
        .map_err(|e| format!("sockets: sock_diag would not list them ({})", describe(&e)))
    };
    let tcp = count(1, AF_INET, IPPROTO_TCP, StateFlags::LISTEN)?.saturating_add(count(
        2,
        AF_INET6,
        IPPROTO_TCP,
        StateFlags::LISTEN,
    )?);
    // An unconnected UDP socket stays in TCP_CLOSE; connect() moves it to ESTABLISHED.
    let udp = count(3, AF_INET, IPPROTO_UDP, StateFlags::CLOSE)?.saturating_add(count(
        4,
        AF_INET6,
        IPPROTO_UDP,
        StateFlags::CLOSE,
    )?);
    Ok((tcp, udp))
}

/// Where each veth end's peer is: `(namespace, index)` per end, for the first `read`
/// namespaces (those read now), in the order of their ends. `ends[a]` are the veth ends
/// namespace `a` (inode `ids[a]`) has; those past `read` were kept from an earlier scan.
/// `ask_nsid(a, b)` is the id namespace `a` gives namespace `b`, where it can say.
///
/// A peer in another namespace is the veth there whose index is our peer index and whose peer
/// index is ours; where several namespaces have such a veth, the one namespace `a` gave the
/// id in IFLA_LINK_NETNSID is it.
pub fn match_peers(
    ids: &[NsId],
    ends: &[Vec<VethEnd>],
    read: usize,
    mut ask_nsid: impl FnMut(usize, usize) -> Option<i32>,
) -> Vec<Vec<Option<(NsId, u32)>>> {
    ends.iter()
        .take(read)
        .enumerate()
        .map(|(a, mine)| {
            mine.iter()
                .map(|end| {
                    let nsid = match end.peer_at {
                        PeerAt::Here => return Some((ids[a], end.peer_index)),
                        PeerAt::Known(ns) => return Some((ns, end.peer_index)),
                        PeerAt::Elsewhere => None,
                        PeerAt::Nsid(nsid) => Some(nsid),
                    };
                    let points_back = |other: &VethEnd| {
                        other.index == end.peer_index
                            && other.peer_index == end.index
                            && match other.peer_at {
                                PeerAt::Here => false,
                                PeerAt::Nsid(_) | PeerAt::Elsewhere => true,
                                PeerAt::Known(ns) => ns == ids[a],
                            }
                    };
                    let candidates: Vec<usize> = (0..ends.len())
                        .filter(|&b| b != a && ends[b].iter().any(points_back))
                        .collect();
                    let found = match candidates.as_slice() {
                        [only] => Some(*only),
                        several => several
                            .iter()
                            .copied()
                            .find(|&b| nsid.is_some() && ask_nsid(a, b) == nsid),
                    }?;
                    Some((ids[found], end.peer_index))
                })
                .collect()
        })
        .collect()
}

/// Fills each veth's peer namespace and name from the matches of [`match_peers`]; `names`
/// has the interface names of every namespace known, by (namespace, index).
pub fn fill_peers(
    reads: &mut [&mut NetRead],
    matches: Vec<Vec<Option<(NsId, u32)>>>,
    names: &HashMap<(NsId, u32), String>,
) {
    for (read, found) in reads.iter_mut().zip(matches) {
        let ends: Vec<u32> = read.veths.iter().map(|e| e.index).collect();
        for (index, found) in ends.into_iter().zip(found) {
            let Some(interface) = read
                .details
                .interfaces
                .iter_mut()
                .find(|i| i.index == index)
            else {
                continue;
            };
            if let (Some(peer), Some((netns, peer_index))) = (interface.peer.as_mut(), found) {
                peer.netns = Some(netns);
                peer.name = names.get(&(netns, peer_index)).cloned();
            }
        }
    }
}

/// (namespace, index) -> interface name, for `fill_peers`.
pub fn names_of(namespaces: &[(NsId, &NetDetails)]) -> HashMap<(NsId, u32), String> {
    namespaces
        .iter()
        .flat_map(|(id, details)| {
            details
                .interfaces
                .iter()
                .map(move |i| ((*id, i.index), i.name.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(index: u32, peer_index: u32, peer_nsid: Option<i32>) -> VethEnd {
        VethEnd {
            index,
            peer_index,
            peer_at: peer_nsid.map_or(PeerAt::Here, PeerAt::Nsid),
        }
    }

    #[test]
    fn peers_in_the_same_namespace_need_no_matching() {
        let found = match_peers(
            &[10],
            &[vec![end(2, 3, None), end(3, 2, None)]],
            1,
            |_, _| None,
        );
        assert_eq!(found, vec![vec![Some((10, 3)), Some((10, 2))]]);
    }

    #[test]
    fn one_candidate_is_the_peer() {
        let ids = [10, 20, 30];
        let ends = vec![
            vec![end(2, 5, Some(0))],
            vec![end(5, 2, Some(0))],
            vec![end(5, 9, Some(1))], // index 5 but its peer is not ours
        ];
        let found = match_peers(&ids, &ends, 3, |_, _| panic!("no need to ask"));
        assert_eq!(found[0], vec![Some((20, 5))]);
        assert_eq!(found[1], vec![Some((10, 2))]);
        assert_eq!(found[2], vec![None]);
    }

    #[test]
    fn several_candidates_are_told_apart_by_the_nsid() {
        // Namespace 0 has two veths (index 2 and 3) whose peers both have index 2, one in
        // namespace 1, one in namespace 2; namespace 3 mirrors namespace 1, which makes the
        // first end ambiguous. Ids namespace 0 gave: 1 -> 7, 2 -> 8, 3 -> 9.
        let ids = [10, 20, 30, 40];
        let ends = vec![
            vec![end(2, 2, Some(7)), end(3, 2, Some(8))],
            vec![end(2, 2, Some(0))],
            vec![end(2, 3, Some(0))],
            vec![end(2, 2, Some(0))],
        ];
        let given = |a: usize, b: usize| match (a, b) {
            (0, 1) => Some(7),
            (0, 2) => Some(8),
            (0, 3) => Some(9),
            _ => None,
        };
        let found = match_peers(&ids, &ends, 4, given);
        assert_eq!(found[0], vec![Some((20, 2)), Some((30, 2))]);
        // No id answers: the ambiguous end is not told; the other needs no asking.
        let found = match_peers(&ids, &ends, 4, |_, _| None);
        assert_eq!(found[0], vec![None, Some((30, 2))]);
    }

    #[test]
    fn peer_in_a_namespace_not_read_is_unknown() {
        let found = match_peers(&[10], &[vec![end(4, 7, Some(3))]], 1, |_, _| Some(3));
        assert_eq!(found, vec![vec![None]]);
    }

    #[test]
    fn peers_are_found_in_namespaces_kept_from_an_earlier_scan() {
        // Namespace 10 is read now; 20 and 30 were kept. 20's veth 5 says its peer is index 2
        // in namespace 10; 30's veth 5 points at index 2 of namespace 99.
        let kept_20 = NetDetails {
            interfaces: vec![Interface {
                index: 5,
                name: "b".into(),
                kind: "veth".into(),
                peer: Some(Peer {
                    netns: Some(10),
                    index: 2,
                    name: Some("a".into()),
                }),
                ..Interface::default()
            }],
            ..NetDetails::default()
        };
        let mut kept_30 = kept_20.clone();
        kept_30.interfaces[0].peer.as_mut().unwrap().netns = Some(99);
        let ends = vec![
            vec![end(2, 5, Some(4))],
            kept_ends(20, &kept_20),
            kept_ends(30, &kept_30),
        ];
        let found = match_peers(&[10, 20, 30], &ends, 1, |_, _| None);
        assert_eq!(found, vec![vec![Some((20, 5))]]);
        let names = names_of(&[(20, &kept_20)]);
        assert_eq!(names.get(&(20, 5)).map(String::as_str), Some("b"));
    }
}
