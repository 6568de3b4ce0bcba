//! `nsviz tree`: the hierarchy as a text tree, like `lsns --tree` but with every namespace,
//! each line saying what holds it.

use std::io::Write;

use crate::cli::{TreeArgs, TreeBy};
use crate::error::{Error, Result};
use crate::graph::{self, Hierarchy, NodeKey, NsGraph, TreeNode};
use crate::model::{NsType, Snapshot};
use crate::sanitize::for_terminal;

use super::color::Palette;

pub fn write(
    snapshot: &Snapshot,
    args: &TreeArgs,
    palette: Palette,
    out: &mut dyn Write,
) -> Result<()> {
    let text = render(snapshot, args.by, &args.types, palette);
    out.write_all(text.as_bytes())
        .map_err(|e| Error::os("cannot write the tree", e))
}

/// The whole tree as text, one line a node, with a footer when something could not be read.
pub fn render(snapshot: &Snapshot, by: TreeBy, types: &[NsType], palette: Palette) -> String {
    let g = NsGraph::build(snapshot);
    let wanted = |t: NsType| types.is_empty() || types.contains(&t);
    let forest = match by {
        TreeBy::Owner | TreeBy::Parent => {
            let how = if by == TreeBy::Owner {
                Hierarchy::Owner
            } else {
                Hierarchy::Parent
            };
            let all = g.namespace_forest(how);
            if types.is_empty() {
                all
            } else {
                graph::filter_forest(
                    &all,
                    &|k| matches!(k, NodeKey::Namespace(t, _) if wanted(*t)),
                )
            }
        }
        TreeBy::Process => g.process_forest(),
    };
    let mut text = String::new();
    let mut prefix = String::new();
    for node in &forest {
        text.push_str(&label(snapshot, node.key, types, palette));
        text.push('\n');
        write_children(snapshot, node, types, palette, &mut prefix, &mut text);
    }
    if let Some(footer) = super::skipped_footer(snapshot) {
        text.push_str(&footer);
        text.push('\n');
    }
    text
}

fn write_children(
    snapshot: &Snapshot,
    node: &TreeNode,
    types: &[NsType],
    palette: Palette,
    prefix: &mut String,
    text: &mut String,
) {
    let count = node.children.len();
    for (i, child) in node.children.iter().enumerate() {
        let last = i + 1 == count;
        text.push_str(prefix);
        text.push_str(if last { "└─" } else { "├─" });
        text.push_str(&label(snapshot, child.key, types, palette));
        text.push('\n');
        let saved = prefix.len();
        prefix.push_str(if last { "  " } else { "│ " });
        write_children(snapshot, child, types, palette, prefix, text);
        prefix.truncate(saved);
    }
}

/// One line: `net 4026532305 * [netns blue] mounted at /run/netns/blue: lo, veth1 10.0.0.2/24`.
/// `*` marks a namespace that is not one of the host's initial ones; the label is in brackets
/// and the brief of what is inside follows a colon.
fn label(snapshot: &Snapshot, key: NodeKey, types: &[NsType], palette: Palette) -> String {
    match key {
        NodeKey::Namespace(t, id) => {
            let kind = palette.ns_type(t, t.name());
            let id_text = palette.dim(&id.to_string());
            let mark = if snapshot.differs_from_initial(t, id) {
                format!(" {}", palette.mark("*"))
            } else {
                String::new()
            };
            let Some(ns) = snapshot.namespace(t, id) else {
                return format!("{kind} {id_text}{mark}");
            };
            let owner_uid = match ns.owner_uid {
                Some(uid) if t == NsType::User => format!(" (owner uid {uid})"),
                _ => String::new(),
            };
            let label = match ns.label.as_str() {
                "" => String::new(),
                label => format!(" [{}]", palette.strong(&for_terminal(label))),
            };
            let brief = match crate::describe::brief(ns) {
                b if b.is_empty() => String::new(),
                b => format!(": {}", for_terminal(&b)),
            };
            format!(
                "{kind} {id_text}{mark}{label} {}{owner_uid}{brief}",
                for_terminal(&snapshot.holder_summary(ns))
            )
        }
        NodeKey::Process(pid) => process_label(snapshot, pid, types, palette),
        NodeKey::Group(t) => format!("{} namespaces", palette.ns_type(t, t.name())),
    }
}

/// `123 sleep 100 [net uts]`: the namespaces (of the chosen types) where the process differs
/// from its parent.
fn process_label(snapshot: &Snapshot, pid: i32, types: &[NsType], palette: Palette) -> String {
    let Some(p) = snapshot.process(pid) else {
        return pid.to_string();
    };
    let parent = snapshot.process(p.ppid);
    let differs: Vec<String> = NsType::ALL
        .into_iter()
        .filter(|t| types.is_empty() || types.contains(t))
        .filter(
            |t| match (p.ns.get(t), parent.and_then(|pp| pp.ns.get(t))) {
                (Some(mine), Some(theirs)) => mine != theirs,
                (Some(mine), None) => snapshot.differs_from_initial(*t, *mine) && parent.is_none(),
                _ => false,
            },
        )
        .map(|t| palette.ns_type(t, t.name()))
        .collect();
    let mark = if differs.is_empty() {
        String::new()
    } else {
        format!(" [{}]", differs.join(" "))
    };
    // The label where it says more than the command name (a container, service or hostname).
    let label = if p.label.is_empty() || p.label == p.comm {
        String::new()
    } else {
        format!(" ({})", palette.strong(&for_terminal(&p.label)))
    };
    format!(
        "{} {}{label}{mark}",
        palette.dim(&pid.to_string()),
        for_terminal(&p.command())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Namespace;
    use crate::model::fixture::sample;

    #[test]
    fn owner_tree_says_what_holds_each_namespace() {
        let text = render(&sample(), TreeBy::Owner, &[], Palette::PLAIN);
        assert_eq!(
            text,
            "\
user 1 3 processes: p1
├─user 2 * 1 process: sleep 100
│ ├─user 3 * nothing left: hidden
│ ├─pid 11 * 1 process: sleep 100
│ │ └─pid 12 * pid_for_children of PID 3
│ └─net 21 * 1 process: sleep 100
├─pid 10 3 processes: p1
└─net 20 3 processes: p1
"
        );
    }

    #[test]
    fn lines_carry_labels_and_what_is_inside() {
        use crate::model::details::{Details, UtsDetails};
        let mut s = sample();
        s.namespaces.push(Namespace::new(30, NsType::Uts));
        s.namespace_mut(NsType::Uts, 30).processes = vec![3];
        s.namespace_mut(NsType::Uts, 30).owner = Some(2);
        s.namespace_mut(NsType::Uts, 30).details = Some(Details {
            uts: Some(UtsDetails {
                hostname: "c2\x1b".into(),
                domainname: "(none)".into(),
            }),
            ..Details::default()
        });
        s.processes[2].ns.insert(NsType::Uts, 30);
        s.normalize();
        crate::model::label::assign(&mut s);
        let text = render(&s, TreeBy::Owner, &[NsType::Uts], Palette::PLAIN);
        assert!(text.starts_with("user 1 [host] 3 processes"), "{text}");
        assert!(
            text.contains("uts 30 [c2\\e] 1 process: sleep 100: hostname c2\\e"),
            "{text}"
        );
        let text = render(&s, TreeBy::Process, &[], Palette::PLAIN);
        assert!(
            text.contains("3 sleep 100 (c2\\e) [user pid net]"),
            "{text}"
        );

        // In colour the same words, painted: the hostile hostname is escaped before it is
        // painted, so the only escape sequences are nsviz's own.
        let coloured = render(&s, TreeBy::Owner, &[NsType::Uts], Palette::new(true));
        assert!(
            coloured.contains("\x1b[33muts\x1b[0m \x1b[2m30\x1b[0m"),
            "{coloured:?}"
        );
        assert!(coloured.contains("[\x1b[1mc2\\e\x1b[0m]"), "{coloured:?}");
        let plain = render(&s, TreeBy::Owner, &[NsType::Uts], Palette::PLAIN);
        assert_eq!(strip_sgr(&coloured), plain);
    }

    /// The text without SGR sequences (`ESC [ ... m`).
    fn strip_sgr(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn type_filter_keeps_ancestors_for_context() {
        let text = render(&sample(), TreeBy::Owner, &[NsType::Net], Palette::PLAIN);
        assert_eq!(
            text,
            "user 1 3 processes: p1\n├─user 2 * 1 process: sleep 100\n│ └─net 21 * 1 process: sleep 100\n└─net 20 3 processes: p1\n"
        );
    }

    #[test]
    fn process_tree_marks_where_a_process_differs_from_its_parent() {
        let text = render(&sample(), TreeBy::Process, &[], Palette::PLAIN);
        assert_eq!(
            text,
            "1 p1\n├─2 p2\n│ └─3 sleep 100 [user pid net]\n└─4 p4\n"
        );
    }

    #[test]
    fn hostile_names_are_escaped_and_skips_reported() {
        let mut s = sample();
        s.processes[0].cmdline = vec!["\x1b]0;pwned\x07evil".into()];
        s.skipped.links = 2;
        s.host.scanner_uid = 65534;
        let text = render(&s, TreeBy::Parent, &[NsType::User], Palette::PLAIN);
        assert!(!text.contains('\x1b'), "{text:?}");
        assert!(text.contains("\\e]0;pwned\\x07evil"), "{text}");
        assert!(text.ends_with(
            "2 items could not be read (2 namespace links): permission denied or vanished; run as root to see everything\n"
        ));
    }
}
