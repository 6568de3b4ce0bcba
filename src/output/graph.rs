//! `nsviz graph`: the namespace graph for Graphviz (dot) or Mermaid.
//!
//! Namespaces are the nodes, coloured by type, each labelled with what holds it (processes are
//! summarised, never drawn one by one). Solid edges go from a parent to its child namespace,
//! dashed ones from a user namespace to the namespaces it owns, so the hierarchy reads top
//! to bottom.

use std::fmt::Write as _;
use std::io::Write;

use crate::cli::{GraphArgs, GraphFormat};
use crate::error::{Error, Result};
use crate::model::{Namespace, NsType, Snapshot};
use crate::sanitize::for_terminal;

/// Fill colours, one per type (light enough for black text).
pub fn type_colour(t: NsType) -> &'static str {
    match t {
        NsType::User => "#f4cccc",
        NsType::Mnt => "#fce5cd",
        NsType::Pid => "#fff2cc",
        NsType::Net => "#d9ead3",
        NsType::Uts => "#d0e0e3",
        NsType::Ipc => "#cfe2f3",
        NsType::Cgroup => "#d9d2e9",
        NsType::Time => "#ead1dc",
    }
}

pub fn write(snapshot: &Snapshot, args: &GraphArgs, out: &mut dyn Write) -> Result<()> {
    let text = render(snapshot, args.format, &args.types, args.hide_initial);
    out.write_all(text.as_bytes())
        .map_err(|e| Error::os("cannot write the graph", e))
}

/// An edge between two drawn namespaces.
struct Link {
    from: u64,
    to: u64,
    owner: bool,
}

pub fn render(
    snapshot: &Snapshot,
    format: GraphFormat,
    types: &[NsType],
    hide_initial: bool,
) -> String {
    let root_user = snapshot.initial.get(&NsType::User).copied();
    let shown: Vec<&Namespace> = snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::User || types.is_empty() || types.contains(&n.ns_type))
        .filter(|n| {
            !hide_initial
                || Some(n.id) == root_user
                || snapshot.initial.get(&n.ns_type).is_none_or(|&i| i != n.id)
        })
        .collect();
    // A set, not a search of `shown` per edge: linear in the number of namespaces.
    let drawn_ids: std::collections::HashSet<u64> = shown.iter().map(|n| n.id).collect();
    let drawn = |id: u64| drawn_ids.contains(&id);
    let mut links = Vec::new();
    for n in &shown {
        if let Some(parent) = n.parent.filter(|&p| drawn(p)) {
            links.push(Link {
                from: parent,
                to: n.id,
                owner: false,
            });
        }
        // A user namespace's owner is its parent: one edge says it.
        if let Some(owner) = n.owner.filter(|&o| n.ns_type != NsType::User && drawn(o)) {
            links.push(Link {
                from: owner,
                to: n.id,
                owner: true,
            });
        }
    }
    let label = |n: &Namespace| {
        let mark = if snapshot.differs_from_initial(n.ns_type, n.id) {
            ""
        } else {
            " (initial)"
        };
        // The label and what is inside say most; the holders where there is no label.
        let brief = crate::describe::brief(n);
        let summary = match (n.label.as_str(), brief.is_empty()) {
            ("", _) => snapshot.holder_summary(n),
            (label, true) => label.to_string(),
            (label, false) => format!("{label}: {brief}"),
        };
        let summary = for_terminal(&summary).into_owned();
        let summary = if summary.chars().count() > 48 {
            format!("{}…", summary.chars().take(47).collect::<String>())
        } else {
            summary
        };
        (format!("{} {}{mark}", n.ns_type, n.id), summary)
    };
    match format {
        GraphFormat::Dot => dot(&shown, &links, &label),
        GraphFormat::Mermaid => mermaid(&shown, &links, &label),
    }
}

fn dot(
    shown: &[&Namespace],
    links: &[Link],
    label: &dyn Fn(&Namespace) -> (String, String),
) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from(
        "digraph namespaces {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\"];\n",
    );
    for n in shown {
        let (title, summary) = label(n);
        let _ = writeln!(
            out,
            "  ns{} [label=\"{}\\n{}\", fillcolor=\"{}\"{}];",
            n.id,
            esc(&title),
            esc(&summary),
            type_colour(n.ns_type),
            if n.ns_type == NsType::User {
                ", penwidth=2"
            } else {
                ""
            }
        );
    }
    for l in links {
        let style = if l.owner {
            " [style=dashed, color=\"#888888\"]"
        } else {
            ""
        };
        let _ = writeln!(out, "  ns{} -> ns{}{style};", l.from, l.to);
    }
    out.push_str("}\n");
    out
}

fn mermaid(
    shown: &[&Namespace],
    links: &[Link],
    label: &dyn Fn(&Namespace) -> (String, String),
) -> String {
    // Mermaid labels take entity codes for the characters that end or break a label.
    let esc = |s: &str| {
        s.replace('#', "#35;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let mut out = String::from("flowchart TB\n");
    for n in shown {
        let (title, summary) = label(n);
        let _ = writeln!(
            out,
            "  ns{}[\"{}<br/>{}\"]:::{}",
            n.id,
            esc(&title),
            esc(&summary),
            n.ns_type
        );
    }
    for l in links {
        let arrow = if l.owner { "-.->" } else { "-->" };
        let _ = writeln!(out, "  ns{} {arrow} ns{}", l.from, l.to);
    }
    for t in NsType::ALL {
        let _ = writeln!(
            out,
            "  classDef {t} fill:{},stroke:#333,color:#000",
            type_colour(t)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::sample;

    #[test]
    fn dot_draws_parents_solid_and_owners_dashed() {
        let text = render(&sample(), GraphFormat::Dot, &[], false);
        assert!(text.starts_with("digraph namespaces {\n  rankdir=TB;"));
        assert!(text.contains("ns1 -> ns2;\n"), "{text}");
        assert!(text.contains("ns10 -> ns11;\n"), "{text}");
        assert!(text.contains("ns2 -> ns21 [style=dashed"), "{text}");
        assert!(
            text.contains("ns3 [label=\"user 3\\nnothing left: hidden\""),
            "{text}"
        );
        assert!(text.contains(
            "ns20 [label=\"net 20 (initial)\\n3 processes: p1\", fillcolor=\"#d9ead3\"]"
        ));
        assert!(text.trim_end().ends_with('}'));
    }

    #[test]
    fn mermaid_escapes_labels_and_filters_types() {
        let mut s = sample();
        s.processes[2].cmdline = vec!["a\"b<c>#".into()];
        let text = render(&s, GraphFormat::Mermaid, &[NsType::Net], true);
        assert!(text.starts_with("flowchart TB\n"));
        assert!(
            text.contains("ns21[\"net 21<br/>1 process: a#quot;b#lt;c#gt;#35;\"]:::net"),
            "{text}"
        );
        assert!(!text.contains("ns20["), "initial net hidden: {text}");
        assert!(!text.contains("ns11["), "pid filtered out: {text}");
        assert!(text.contains("ns2 -.-> ns21\n"), "{text}");
        assert!(
            text.contains("ns1[\"user 1 (initial)"),
            "root user kept: {text}"
        );
    }
}
