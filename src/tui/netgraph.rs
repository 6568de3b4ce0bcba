//! The graph's network mode: network namespaces as boxes listing their interfaces and
//! addresses, linked where a veth pair joins two of them (`Interface.peer.netns` names the
//! other end's namespace). Built as a tree from the host's namespace outwards over veth
//! pairs; a namespace no veth reaches stands on its own at the top. Where the upper end of a
//! veth is a port of a bridge (`Interface.master`), the link goes through that bridge: the
//! lower box names it with its addresses, and the bridge's own line counts its ports.

fn safe(text: &str) -> String {
    crate::sanitize::for_terminal(text).into_owned()
}

use std::collections::{HashMap, HashSet, VecDeque};

use super::graph_view::{BoxLine, GraphBox, GraphLayout, wrapped};
use crate::graph::NodeKey;
use crate::model::details::Interface;
use crate::model::{Namespace, NsId, NsType, Snapshot};

/// Interfaces listed in a box before "+N more interfaces".
const MAX_INTERFACES: usize = 6;
const MAX_TEXT: usize = 46;

/// The veth pairs between network namespaces: (one end's namespace, its interface name,
/// the other's namespace, its interface name).
fn veth_links(snapshot: &Snapshot) -> Vec<(NsId, String, NsId, String)> {
    let mut links = Vec::new();
    for ns in snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::Net)
    {
        let Some(net) = ns.details.as_ref().and_then(|d| d.net.as_ref()) else {
            continue;
        };
        for i in &net.interfaces {
            let Some(peer) = &i.peer else { continue };
            let Some(other) = peer.netns else { continue };
            // Each pair once: from the lower inode (or the lower index within one).
            if other > ns.id || (other == ns.id && peer.index > i.index) {
                let name = peer
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("if{}", peer.index));
                links.push((ns.id, i.name.clone(), other, name));
            }
        }
    }
    links
}

pub fn layout(snapshot: &Snapshot, room: i32) -> GraphLayout {
    let nets: Vec<&Namespace> = snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::Net)
        .collect();
    let mut adjacent: HashMap<NsId, Vec<(NsId, String, String)>> = HashMap::new();
    for (a, an, b, bn) in veth_links(snapshot) {
        adjacent
            .entry(a)
            .or_default()
            .push((b, an.clone(), bn.clone()));
        adjacent.entry(b).or_default().push((a, bn, an));
    }
    let host = snapshot.initial.get(&NsType::Net).copied();
    // Breadth-first from the host's namespace, then from each one not reached yet: first
    // those that hold a bridge (the hub its ports' namespaces hang below), then the others.
    let has_bridge = |n: &Namespace| interfaces(n).iter().any(|i| i.kind == "bridge");
    let mut order: Vec<NsId> = host.into_iter().collect();
    let others = nets.iter().filter(|n| Some(n.id) != host);
    order.extend(others.clone().filter(|n| has_bridge(n)).map(|n| n.id));
    order.extend(others.filter(|n| !has_bridge(n)).map(|n| n.id));
    let mut seen = HashSet::new();
    let mut boxes: Vec<GraphBox> = Vec::new();
    let mut children: Vec<Vec<usize>> = Vec::new();
    let mut roots = Vec::new();
    for start in order {
        if !seen.insert(start) {
            continue;
        }
        // (namespace, (parent box, its interface, the parent's end, the parent's id), depth)
        let mut queue = VecDeque::from([(start, None::<(usize, String, String, NsId)>, 0usize)]);
        while let Some((id, via, depth)) = queue.pop_front() {
            let Some(ns) = snapshot.namespace(NsType::Net, id) else {
                continue;
            };
            let parent = via.as_ref().map(|v| v.0);
            let mut b = net_box(snapshot, ns, via.as_ref().map(|v| (&v.1, &v.2, v.3)));
            b.parent = parent;
            b.depth = depth;
            boxes.push(b);
            children.push(Vec::new());
            let me = boxes.len() - 1;
            match parent {
                Some(p) => children[p].push(me),
                None => roots.push(me),
            }
            for (other, mine, theirs) in adjacent.get(&id).into_iter().flatten() {
                if seen.insert(*other) {
                    let via = (me, theirs.clone(), mine.clone(), id);
                    queue.push_back((*other, Some(via), depth + 1));
                }
            }
        }
    }
    // Depth-first order for ↑/↓ and for placing: renumber.
    let mut dfs = Vec::new();
    fn walk(i: usize, children: &[Vec<usize>], out: &mut Vec<usize>) {
        out.push(i);
        for &c in &children[i] {
            walk(c, children, out);
        }
    }
    for &r in &roots {
        walk(r, &children, &mut dfs);
    }
    let mut new_index = vec![0; boxes.len()];
    for (n, &old) in dfs.iter().enumerate() {
        new_index[old] = n;
    }
    let mut sorted: Vec<GraphBox> = dfs.iter().map(|&i| boxes[i].clone()).collect();
    for b in &mut sorted {
        b.parent = b.parent.map(|p| new_index[p]);
    }
    let sorted_children: Vec<Vec<usize>> = dfs
        .iter()
        .map(|&i| children[i].iter().map(|&c| new_index[c]).collect())
        .collect();
    let sorted_roots: Vec<usize> = roots.iter().map(|&r| new_index[r]).collect();
    wrapped(sorted, &sorted_children, &sorted_roots, room)
}

fn clip(s: String) -> String {
    if s.chars().count() > MAX_TEXT {
        let mut t: String = s.chars().take(MAX_TEXT - 1).collect();
        t.push('…');
        t
    } else {
        s
    }
}

/// Addresses worth showing (link-local IPv6 ones are on every interface).
fn addresses(i: &Interface) -> String {
    let mut text = String::new();
    for a in i.addresses.iter().filter(|a| !a.starts_with("fe80:")) {
        text.push(' ');
        text.push_str(&safe(a));
    }
    text
}

fn interfaces(ns: &Namespace) -> &[Interface] {
    ns.details
        .as_ref()
        .and_then(|d| d.net.as_ref())
        .map_or(&[], |n| n.interfaces.as_slice())
}

/// The bridge the interface `name` of network namespace `id` is a port of.
fn bridge_of<'a>(snapshot: &'a Snapshot, id: NsId, name: &str) -> Option<&'a Interface> {
    let all = interfaces(snapshot.namespace(NsType::Net, id)?);
    let master = all.iter().find(|i| i.name == name)?.master.as_deref()?;
    all.iter().find(|i| i.name == master && i.kind == "bridge")
}

/// One namespace's box: its label, the veth that links it to its parent box (and the bridge
/// that end is a port of), then its interfaces with their addresses.
fn net_box(snapshot: &Snapshot, ns: &Namespace, via: Option<(&String, &String, NsId)>) -> GraphBox {
    let differs = snapshot.differs_from_initial(NsType::Net, ns.id);
    let mut title = format!("net {}", ns.id);
    if differs {
        title.push_str(" ◆");
    }
    let mut lines = vec![BoxLine {
        badge: None,
        text: clip(safe(&ns.label)),
        differs,
    }];
    if let Some((mine, theirs, parent)) = via {
        lines.push(BoxLine {
            badge: None,
            text: clip(format!("↑ {} ⇄ {} above", safe(mine), safe(theirs))),
            differs: false,
        });
        if let Some(bridge) = bridge_of(snapshot, parent, theirs) {
            lines.push(BoxLine {
                badge: None,
                text: clip(format!(
                    "  via bridge {}{}",
                    safe(&bridge.name),
                    addresses(bridge)
                )),
                differs: false,
            });
        }
    }
    if let Some(net) = ns.details.as_ref().and_then(|d| d.net.as_ref()) {
        let shown: Vec<_> = net
            .interfaces
            .iter()
            .filter(|i| i.kind != "loopback" || net.interfaces.len() == 1)
            .collect();
        for i in shown.iter().take(MAX_INTERFACES) {
            let mut text = format!("{} {}", safe(&i.name), i.kind);
            if let Some(m) = &i.master {
                text.push_str(&format!(" in {}", safe(m)));
            }
            text.push_str(&addresses(i));
            if i.kind == "bridge" {
                let ports = net
                    .interfaces
                    .iter()
                    .filter(|p| p.master.as_deref() == Some(i.name.as_str()))
                    .count();
                let noun = if ports == 1 { "port" } else { "ports" };
                text.push_str(&format!(", {ports} {noun}"));
            }
            if i.state != "up" && i.state != "unknown" {
                text.push_str(&format!(" ({})", i.state));
            }
            lines.push(BoxLine {
                badge: None,
                text: clip(text),
                differs: false,
            });
        }
        if shown.len() > MAX_INTERFACES {
            lines.push(BoxLine {
                badge: None,
                text: format!("+{} more interfaces", shown.len() - MAX_INTERFACES),
                differs: false,
            });
        }
    } else {
        lines.push(BoxLine {
            badge: None,
            text: "interfaces not read".into(),
            differs: false,
        });
    }
    let inner = lines
        .iter()
        .map(|l| l.text.chars().count() as i32)
        .chain([title.chars().count() as i32 + 2])
        .max()
        .unwrap_or(0);
    GraphBox {
        key: NodeKey::Namespace(NsType::Net, ns.id),
        h: lines.len() as i32 + 2,
        title,
        lines,
        parent: None,
        depth: 0,
        x: 0,
        y: 0,
        w: inner + 4,
        more: 0,
    }
}
