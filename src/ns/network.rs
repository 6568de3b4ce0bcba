//! Connecting a new network namespace: `spawn --veth` (a veth pair, addresses, a default route,
//! a bridge), `spawn --pasta`, and `--netns-name` (a name `ip netns` knows).
//!
//! The outside end of a veth must be made in the spawner's *original* network namespace, which
//! spawn leaves when it unshares. So, as for the binder (see [`super::keep`]), a helper is forked
//! first (the connector): once spawn has unshared, it creates the pair in its own namespace with
//! the inside end moved at once into /proc/SPAWN/ns/net (IFLA_NET_NS_FD), configures the outside
//! end, reports, and exits. Spawn, now inside, brings up the loopback and the inside end, adds
//! its addresses and the route. Whoever fails deletes the pair (deleting either end deletes both);
//! later the pair goes away with the namespace.
//!
//! Everything goes through NETLINK_ROUTE messages (netlink-packet-route over netlink-sys), never
//! through `ip`.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use netlink_packet_core::{NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{AddressAttribute, AddressHeaderFlags, AddressMessage};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoVeth, LinkAttribute, LinkFlags, LinkHeader, LinkInfo, LinkMessage,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{Socket, protocols::NETLINK_ROUTE};

use crate::error::{Error, Result};
use crate::sanitize::for_terminal;

use super::spec::{IfAddr, NetworkSpec};
use super::{setup_error, sys};

/// Where `ip netns` keeps its names.
pub const NETNS_DIR: &str = "/run/netns";
/// The inside end's name when none is given: a fresh namespace has only `lo`.
pub const DEFAULT_INSIDE: &str = "eth0";

const RTM_NEWLINK: u16 = 16;

/// How the new network namespace is connected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connect {
    Veth(Veth),
    /// pasta, found at this path.
    Pasta(PathBuf),
}

/// A veth pair to make, with everything to set on each end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veth {
    /// None: the first free `nsvizN`.
    pub outside: Option<String>,
    pub inside: String,
    pub addrs: Vec<IfAddr>,
    pub peer_addrs: Vec<IfAddr>,
    /// Default routes inside, through these outside addresses.
    pub gateways: Vec<IpAddr>,
    pub bridge: Option<String>,
}

impl Connect {
    /// What the network flags ask for; None when they ask for no connection.
    pub fn from_spec(args: &NetworkSpec) -> Result<Option<Connect>> {
        if args.pasta {
            return find_pasta().map(|p| Some(Connect::Pasta(p)));
        }
        let Some(names) = &args.veth else {
            return Ok(None);
        };
        let inside = names
            .inside
            .clone()
            .unwrap_or_else(|| DEFAULT_INSIDE.to_string());
        if names.outside.as_deref() == Some(inside.as_str()) {
            // Legal (they live in different namespaces), but the kernel checks both names here.
            return Err(Error::usage(
                "the two ends of the veth need different names (--veth=OUTSIDE:INSIDE)",
            ));
        }
        let mut gateways: Vec<IpAddr> = Vec::new();
        if args.route {
            for peer in &args.peer_addrs {
                if !gateways.iter().any(|g| g.is_ipv4() == peer.addr.is_ipv4()) {
                    gateways.push(peer.addr);
                }
            }
            for gateway in &gateways {
                let reachable = args
                    .addrs
                    .iter()
                    .any(|a| a.addr.is_ipv4() == gateway.is_ipv4());
                if !reachable {
                    return Err(Error::usage(format!(
                        "--route through {gateway} needs an inside address of the same family (--addr)"
                    )));
                }
            }
        }
        Ok(Some(Connect::Veth(Veth {
            outside: names.outside.clone(),
            inside,
            addrs: args.addrs.clone(),
            peer_addrs: args.peer_addrs.clone(),
            gateways,
            bridge: args.bridge.clone(),
        })))
    }
}

/// pasta in $PATH, or an error that says how to get it.
fn find_pasta() -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join("pasta"))
        .find(|p| sys::executable(p))
        .ok_or_else(|| {
            Error::usage(
                "--pasta needs pasta, which is not installed (Debian and Ubuntu: apt install passt; Fedora: dnf install passt)",
            )
        })
}

/// Checks a name for `--netns-name` and that `ip netns` does not know it yet.
pub fn check_netns_name(name: &str) -> Result<PathBuf> {
    super::keep::validate_name(name)?;
    let file = Path::new(NETNS_DIR).join(name);
    if file.symlink_metadata().is_ok() {
        return Err(Error::usage(format!(
            "a network namespace named {name} already exists (ip netns delete {name})"
        )));
    }
    Ok(file)
}

/// Makes /run/netns as `ip netns add` does: a directory that is a shared mount of its own, so
/// names bound there appear in every mount namespace that copies it.
pub fn prepare_netns_dir() -> Result<()> {
    let dir = Path::new(NETNS_DIR);
    let fail = |e| setup_error(format!("cannot prepare {NETNS_DIR}"), e);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(fail)?;
    let shared = || sys::mount(None, dir, None, libc::MS_SHARED | libc::MS_REC, None);
    match shared() {
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            // Not a mount point yet.
            sys::mount(Some(dir), dir, None, libc::MS_BIND | libc::MS_REC, None).map_err(fail)?;
            shared().map_err(fail)
        }
        other => other.map_err(fail),
    }
}

/// `nsviz forget NAME` for a name given with `--netns-name`: unbinds /run/netns/NAME. False
/// when there is no such namespace file.
pub fn forget_netns_name(name: &str) -> Result<bool> {
    if super::keep::validate_name(name).is_err() {
        return Ok(false);
    }
    let file = Path::new(NETNS_DIR).join(name);
    if !sys::is_nsfs(&file) {
        return Ok(false);
    }
    super::keep::unbind_file(&file)?;
    Ok(true)
}

/// The forked helper that connects the new network namespace from the original one.
pub struct Connector {
    pid: i32,
    /// To the connector: b'g' = "unshared, connect now"; EOF = "nothing to do".
    to_connector: Option<OwnedFd>,
    /// From the connector: one line, empty on success, else the error.
    from_connector: Option<OwnedFd>,
}

impl Connector {
    /// Forks the connector. Call before unshare, with signals blocked.
    pub fn start(connect: Connect) -> Result<Connector> {
        let fail = |e| setup_error("cannot start the network helper", e);
        let (go_read, go_write) = sys::pipe().map_err(fail)?;
        let (res_read, res_write) = sys::pipe().map_err(fail)?;
        let spawner = sys::getpid();
        match sys::fork().map_err(fail)? {
            0 => {
                drop(go_write);
                drop(res_read);
                connector_main(spawner, &connect, go_read, res_write)
            }
            pid => Ok(Connector {
                pid,
                to_connector: Some(go_write),
                from_connector: Some(res_read),
            }),
        }
    }

    /// Asks the connector to connect this process's (new) network namespace; waits for it.
    pub fn connect(mut self) -> Result<()> {
        if let Some(fd) = self.to_connector.take() {
            let _ = fs::File::from(fd).write_all(b"g");
        }
        let mut line = String::new();
        if let Some(fd) = self.from_connector.take() {
            let _ = BufReader::new(fs::File::from(fd)).read_line(&mut line);
        }
        match line.strip_suffix('\n') {
            Some("") => Ok(()),
            Some(message) => Err(Error::setup(message)),
            None => Err(Error::setup("the network helper stopped unexpectedly")),
        }
    }
}

impl Drop for Connector {
    fn drop(&mut self) {
        self.to_connector = None;
        self.from_connector = None;
        let _ = sys::waitpid(self.pid, 0);
    }
}

/// The connector process. Never returns.
fn connector_main(spawner: i32, connect: &Connect, go: OwnedFd, result: OwnedFd) -> ! {
    let mut go = fs::File::from(go);
    let mut result = fs::File::from(result);
    let mut byte = [0u8];
    if go.read_exact(&mut byte).is_err() || byte[0] != b'g' {
        sys::exit_now(0); // spawn failed before unsharing: nothing to do
    }
    let outcome = match connect {
        Connect::Veth(veth) => make_veth(spawner, veth),
        Connect::Pasta(pasta) => run_pasta(spawner, pasta).and_then(|pasta| watch(spawner, pasta)),
    };
    let line = match &outcome {
        Ok(()) => "\n".to_string(),
        Err(e) => format!("{e}\n"),
    };
    let _ = result.write_all(line.as_bytes());
    sys::exit_now(i32::from(outcome.is_err()))
}

/// In the connector, once pasta runs: leaves a watcher that stops pasta when the spawner (the
/// command, or nsviz waiting for it) exits. pasta would otherwise outlive the namespace: it
/// quits by itself only for a namespace bound to a file, and while it runs it holds the
/// namespace alive.
fn watch(spawner: i32, pasta: OwnedFd) -> Result<()> {
    let stop_pasta = |e: io::Error| {
        let _ = sys::pidfd_signal(pasta.as_fd(), libc::SIGTERM);
        setup_error("cannot watch pasta", e)
    };
    let spawner = sys::pidfd_open(spawner).map_err(stop_pasta)?;
    match sys::fork().map_err(stop_pasta)? {
        0 => {
            // Signals stay blocked here (as in the connector): a Ctrl-C for the command must
            // not stop the watcher before it stops pasta.
            let _ = sys::wait_for_exit(spawner.as_fd());
            let _ = sys::pidfd_signal(pasta.as_fd(), libc::SIGTERM);
            sys::exit_now(0)
        }
        _ => Ok(()),
    }
}

/// In the connector: the pair, with the inside end in the spawner's network namespace, and the
/// outside end configured. Deletes the pair again if any step fails.
fn make_veth(spawner: i32, veth: &Veth) -> Result<()> {
    let netns = format!("/proc/{spawner}/ns/net");
    let netns: OwnedFd = fs::File::open(&netns)
        .map_err(|e| setup_error("cannot open the new network namespace", e))?
        .into();
    let mut rtnl = Rtnl::open().map_err(|e| setup_error("cannot open a netlink socket", e))?;
    let bridge = match &veth.bridge {
        Some(name) => Some(bridge_index(&mut rtnl, name)?),
        None => None,
    };
    let outside = match &veth.outside {
        Some(name) => {
            if rtnl.index_of(name).ok().flatten().is_some() {
                return Err(name_taken(name));
            }
            name.clone()
        }
        None => free_name(&mut rtnl),
    };
    let pair = format!("{}/{}", for_terminal(&outside), for_terminal(&veth.inside));
    rtnl.create_veth(&outside, &veth.inside, &netns)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::EEXIST) => name_taken(&outside),
            Some(libc::EPERM) => Error::setup(format!(
                "cannot create the veth pair {pair}: {} (it needs CAP_NET_ADMIN in this network namespace; as a non-root user, use --pasta)",
                crate::error::describe_io(&e)
            )),
            _ => setup_error(format!("cannot create the veth pair {pair}"), e),
        })?;
    let configured = (|| -> Result<()> {
        let index = rtnl
            .index_of(&outside)
            .ok()
            .flatten()
            .ok_or_else(|| Error::setup(format!("the new veth {pair} vanished")))?;
        let shown = for_terminal(&outside).into_owned();
        for addr in &veth.peer_addrs {
            rtnl.add_address(index, addr)
                .map_err(|e| setup_error(format!("cannot add {addr} to {shown}"), e))?;
        }
        if let (Some(bridge), Some(name)) = (bridge, &veth.bridge) {
            rtnl.set_master(index, bridge).map_err(|e| {
                setup_error(
                    format!("cannot attach {shown} to the bridge {}", for_terminal(name)),
                    e,
                )
            })?;
        }
        rtnl.set_up(index)
            .map_err(|e| setup_error(format!("cannot bring {shown} up"), e))
    })();
    if configured.is_err()
        && let Ok(Some(index)) = rtnl.index_of(&outside)
    {
        let _ = rtnl.delete_link(index);
    }
    configured
}

fn name_taken(name: &str) -> Error {
    Error::setup(format!(
        "an interface named {} already exists here: choose another with --veth=OUTSIDE[:INSIDE]",
        for_terminal(name)
    ))
}

/// The index of an existing bridge, or why it cannot be used.
fn bridge_index(rtnl: &mut Rtnl, name: &str) -> Result<u32> {
    let shown = for_terminal(name);
    match rtnl.link(name) {
        Ok(Some((index, kind))) if kind.as_deref() == Some("bridge") => Ok(index),
        Ok(Some(_)) => Err(Error::setup(format!("{shown} is not a bridge"))),
        Ok(None) => Err(Error::setup(format!("there is no bridge named {shown}"))),
        Err(e) => Err(setup_error(format!("cannot look up the bridge {shown}"), e)),
    }
}

/// The first `nsvizN` no interface here is named.
fn free_name(rtnl: &mut Rtnl) -> String {
    (0u32..)
        .map(|n| format!("nsviz{n}"))
        .find(|name| !matches!(rtnl.index_of(name), Ok(Some(_))))
        .unwrap_or_else(|| "nsviz".to_string())
}

/// In the connector: pasta attaches to the spawner's user and network namespaces, configures
/// the interface like the host's, and stays in the background until the namespace goes.
///
/// pasta's own messages go to a memory file and are shown only when it fails: on success it
/// talks of syslog and daemonizing, which is not the user's business (a pipe would not do: the
/// daemon it leaves keeps the write end open until the namespace goes).
fn run_pasta(spawner: i32, pasta: &Path) -> Result<OwnedFd> {
    let fail = |e| setup_error("cannot run pasta", e);
    let log = fs::File::from(sys::memfd("pasta-log").map_err(fail)?);
    let pid_file = fs::File::from(sys::memfd("pasta-pid").map_err(fail)?);
    // pasta gives up every capability but the network ones, and as root it would also switch
    // to nobody: it can then open only a user namespace its own user owns, so it runs as us.
    let runas = format!("{}:{}", sys::geteuid(), sys::getegid());
    // pasta writes its daemon's PID to a file it opens by name: /proc/self/fd/N is its own
    // copy of our memory file (not close-on-exec), so no path in a shared directory is used.
    let pid_path = format!("/proc/self/fd/{}", pid_file.as_raw_fd());
    let mut command = std::process::Command::new(pasta);
    command
        .args([
            "--config-net",
            "--quiet",
            "--runas",
            &runas,
            "--pid",
            &pid_path,
        ])
        .arg(spawner.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log.try_clone().map_err(fail)?);
    // The connector blocks nsviz's signals, and the mask is inherited across exec: pasta needs
    // SIGTERM (to be stopped) and SIGCHLD (to reap its helpers) delivered.
    let saved = sys::SigSet::of(&[]).block();
    sys::SigSet::of(&[]).set_mask();
    let status = command.status();
    saved.set_mask();
    let status = status.map_err(fail)?;
    let mut log = log;
    if status.success() {
        return pasta_daemon(pid_file);
    }
    let mut said = Vec::new();
    let _ = io::Seek::seek(&mut log, io::SeekFrom::Start(0));
    let _ = (&mut log).take(4096).read_to_end(&mut said);
    let said = String::from_utf8_lossy(&said);
    let reason = said
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("Failed to send"))
        .map(|l| format!(": {}", for_terminal(l)))
        .unwrap_or_default();
    Err(Error::setup(format!(
        "pasta could not connect the new network namespace ({status}){reason}"
    )))
}

/// The pasta daemon, from the PID file it wrote, held by a pidfd.
fn pasta_daemon(mut pid_file: fs::File) -> Result<OwnedFd> {
    let mut text = String::new();
    let _ = io::Seek::seek(&mut pid_file, io::SeekFrom::Start(0));
    let _ = (&mut pid_file).take(64).read_to_string(&mut text);
    let pid: i32 = text.trim().parse().map_err(|_| {
        Error::setup("pasta did not say which process it runs as (its --pid file is empty)")
    })?;
    sys::pidfd_open(pid).map_err(|e| setup_error("cannot follow pasta", e))
}

/// In spawn, inside the new network namespace once the connector made the pair: loopback and
/// the inside end up, addresses, default routes. Deletes the pair if a step fails.
/// bwrap's personality (`--new-root`) brings the new network namespace's loopback up, as
/// bwrap does (unshare leaves it down).
pub fn loopback_up() -> Result<()> {
    let mut rtnl = Rtnl::open().map_err(|e| setup_error("cannot open a netlink socket", e))?;
    if let Ok(Some(lo)) = rtnl.index_of("lo") {
        rtnl.set_up(lo)
            .map_err(|e| setup_error("cannot bring lo up", e))?;
    }
    Ok(())
}

pub fn configure_inside(veth: &Veth) -> Result<()> {
    let mut rtnl = Rtnl::open().map_err(|e| setup_error("cannot open a netlink socket", e))?;
    let shown = for_terminal(&veth.inside).into_owned();
    let index = match rtnl.index_of(&veth.inside) {
        Ok(Some(index)) => index,
        _ => return Err(Error::setup(format!("the veth end {shown} did not arrive"))),
    };
    let result = (|| -> Result<()> {
        if let Ok(Some(lo)) = rtnl.index_of("lo") {
            rtnl.set_up(lo)
                .map_err(|e| setup_error("cannot bring lo up", e))?;
        }
        for addr in &veth.addrs {
            rtnl.add_address(index, addr)
                .map_err(|e| setup_error(format!("cannot add {addr} to {shown}"), e))?;
        }
        rtnl.set_up(index)
            .map_err(|e| setup_error(format!("cannot bring {shown} up"), e))?;
        for gateway in &veth.gateways {
            rtnl.add_default_route(*gateway, index).map_err(|e| {
                setup_error(format!("cannot add a default route through {gateway}"), e)
            })?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = rtnl.delete_link(index);
    }
    result
}

/// A NETLINK_ROUTE socket of the calling thread's network namespace, for one request at a time.
struct Rtnl {
    sock: Socket,
    seq: u32,
}

impl Rtnl {
    fn open() -> io::Result<Rtnl> {
        Ok(Rtnl {
            sock: Socket::new(NETLINK_ROUTE)?,
            seq: 0,
        })
    }

    /// Sends one request asking for an acknowledgement; returns the payloads of the
    /// RTM_NEWLINK replies before it (for a get), or the kernel's error.
    fn request(&mut self, message: RouteNetlinkMessage, flags: u16) -> io::Result<Vec<Vec<u8>>> {
        self.seq += 1;
        let mut replies = Vec::new();
        crate::netlink::exchange(
            &self.sock,
            self.seq,
            NLM_F_ACK | flags,
            message,
            |kind, payload| {
                if kind == RTM_NEWLINK {
                    replies.push(payload.to_vec());
                }
            },
        )?;
        Ok(replies)
    }

    /// The index and kind of the interface with this name, None if there is none.
    fn link(&mut self, name: &str) -> io::Result<Option<(u32, Option<String>)>> {
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::IfName(name.to_string()));
        match self.request(RouteNetlinkMessage::GetLink(msg), 0) {
            Ok(replies) => Ok(replies.first().and_then(|payload| {
                let header = LinkHeader::parse(payload).ok()?;
                let kind = parse_kind(payload);
                Some((header.index, kind))
            })),
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn index_of(&mut self, name: &str) -> io::Result<Option<u32>> {
        Ok(self.link(name)?.map(|(index, _)| index))
    }

    fn create_veth(&mut self, outside: &str, inside: &str, netns: &OwnedFd) -> io::Result<()> {
        let mut peer = LinkMessage::default();
        peer.attributes
            .push(LinkAttribute::IfName(inside.to_string()));
        peer.attributes
            .push(LinkAttribute::NetNsFd(netns.as_raw_fd()));
        let mut msg = LinkMessage::default();
        msg.attributes
            .push(LinkAttribute::IfName(outside.to_string()));
        msg.attributes.push(LinkAttribute::LinkInfo(vec![
            LinkInfo::Kind(InfoKind::Veth),
            LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer))),
        ]));
        self.request(RouteNetlinkMessage::NewLink(msg), NLM_F_CREATE | NLM_F_EXCL)
            .map(drop)
    }

    fn set_up(&mut self, index: u32) -> io::Result<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.header.flags = LinkFlags::Up;
        msg.header.change_mask = LinkFlags::Up;
        self.request(RouteNetlinkMessage::SetLink(msg), 0).map(drop)
    }

    fn set_master(&mut self, index: u32, bridge: u32) -> io::Result<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.attributes.push(LinkAttribute::Controller(bridge));
        self.request(RouteNetlinkMessage::SetLink(msg), 0).map(drop)
    }

    fn delete_link(&mut self, index: u32) -> io::Result<()> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        self.request(RouteNetlinkMessage::DelLink(msg), 0).map(drop)
    }

    fn add_address(&mut self, index: u32, addr: &IfAddr) -> io::Result<()> {
        let mut msg = AddressMessage::default();
        msg.header.family = family(addr.addr);
        msg.header.prefix_len = addr.prefix;
        msg.header.index = index;
        msg.attributes.push(AddressAttribute::Local(addr.addr));
        msg.attributes.push(AddressAttribute::Address(addr.addr));
        if addr.addr.is_ipv6() {
            // Usable at once: no duplicate address detection on a link made a moment ago.
            msg.header.flags = AddressHeaderFlags::Nodad;
        }
        self.request(
            RouteNetlinkMessage::NewAddress(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(drop)
    }

    fn add_default_route(&mut self, gateway: IpAddr, index: u32) -> io::Result<()> {
        let mut msg = RouteMessage::default();
        msg.header.address_family = family(gateway);
        msg.header.table = RouteHeader::RT_TABLE_MAIN;
        msg.header.protocol = RouteProtocol::Boot;
        msg.header.scope = RouteScope::Universe;
        msg.header.kind = RouteType::Unicast;
        let gateway = match gateway {
            IpAddr::V4(a) => RouteAddress::Inet(a),
            IpAddr::V6(a) => RouteAddress::Inet6(a),
        };
        msg.attributes.push(RouteAttribute::Gateway(gateway));
        msg.attributes.push(RouteAttribute::Oif(index));
        self.request(
            RouteNetlinkMessage::NewRoute(msg),
            NLM_F_CREATE | NLM_F_EXCL,
        )
        .map(drop)
    }
}

fn family(addr: IpAddr) -> AddressFamily {
    if addr.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    }
}

/// IFLA_INFO_KIND of an RTM_NEWLINK payload ("bridge", "veth"), if any.
fn parse_kind(payload: &[u8]) -> Option<String> {
    const LINK_HEADER_LEN: usize = 16;
    const IFLA_LINKINFO: u16 = 18;
    netlink_packet_core::NlasIterator::new(payload.get(LINK_HEADER_LEN..)?)
        .filter_map(std::result::Result::ok)
        .find(|nla| nla.kind() == IFLA_LINKINFO)
        .and_then(|nla| crate::scan::details::net::link_kind(&nla))
}
