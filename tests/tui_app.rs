//! The viewer's state: actions applied to the demo snapshot, and refreshes that add and
//! remove namespaces. No terminal involved.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;

use nsviz::graph::NodeKey;
use nsviz::model::{Namespace, NsType, Snapshot};
use nsviz::tui::app::{App, HIGHLIGHT, Overlay, Request, View};
use nsviz::tui::keys::Action;
use nsviz::tui::views;

const HOST_USER: u64 = 4026531837;

fn demo() -> Snapshot {
    nsviz::source::read_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-snapshot.json"),
    )
    .expect("demo snapshot loads")
}

fn app() -> App {
    App::with_snapshot(demo(), "demo", Rect::new(0, 0, 120, 40))
}

fn ns(t: NsType, id: u64) -> NodeKey {
    NodeKey::Namespace(t, id)
}

fn keys(app: &App) -> Vec<NodeKey> {
    app.tree.rows.iter().map(|r| r.key).collect()
}

fn type_filter(app: &mut App, text: &str) {
    app.apply(Action::StartFilter);
    for c in text.chars() {
        app.apply(Action::FilterInput(c));
    }
    app.apply(Action::FilterAccept);
}

#[test]
fn starts_on_the_namespace_tree_with_the_host_user_namespace_selected() {
    let app = app();
    assert_eq!(app.view, View::Namespaces);
    assert_eq!(app.selected(), Some(ns(NsType::User, HOST_USER)));
    // Every namespace of the snapshot has exactly one row when all is expanded.
    assert_eq!(app.tree.rows.len(), demo().namespaces.len());
    assert_eq!(app.tree.rows[0].depth, 0);
}

#[test]
fn moving_the_selection() {
    let mut app = app();
    app.apply(Action::Down);
    assert_eq!(app.selected(), Some(app.tree.rows[1].key));
    app.apply(Action::End);
    assert_eq!(app.selected(), Some(app.tree.rows.last().unwrap().key));
    app.apply(Action::Down);
    assert_eq!(app.selected(), Some(app.tree.rows.last().unwrap().key));
    app.apply(Action::Home);
    app.apply(Action::Up);
    assert_eq!(app.selected_index(), Some(0));
    app.apply(Action::PageDown);
    assert_eq!(app.selected_index(), Some(app.page_height()));
}

#[test]
fn collapse_expand_parent_and_expand_all() {
    let mut app = app();
    let total = app.tree.rows.len();
    let podman = ns(NsType::User, 4026532301);
    common::select_row(&mut app, podman);
    app.apply(Action::Collapse);
    // The podman user namespace owns 6 namespaces and has 3 nested user namespaces below it
    // with 3 more: 11 rows hidden.
    assert_eq!(app.tree.rows.len(), total - 11);
    assert!(
        !app.tree
            .rows
            .iter()
            .any(|r| r.key == ns(NsType::User, 4026532402))
    );
    assert_eq!(app.selected(), Some(podman));
    app.apply(Action::Expand);
    assert_eq!(app.tree.rows.len(), total);
    // Right on an expanded row goes to its first child; left on a leaf goes to the parent.
    app.apply(Action::Expand);
    assert_eq!(app.selected(), Some(ns(NsType::User, 4026532401)));
    common::select_row(&mut app, ns(NsType::Pid, 4026532404));
    app.apply(Action::Parent);
    assert_eq!(app.selected(), Some(ns(NsType::User, 4026532402)));
    app.apply(Action::Collapse);
    app.apply(Action::Collapse);
    assert_eq!(app.selected(), Some(ns(NsType::User, 4026532401)));
    app.apply(Action::Toggle);
    assert!(app.tree.rows.len() < total);
    app.apply(Action::ExpandAll);
    assert_eq!(app.tree.rows.len(), total);
    app.apply(Action::Home);
    app.apply(Action::Parent);
    assert_eq!(app.message.as_deref(), Some("already at the top"));
}

#[test]
fn filter_keeps_matches_and_their_ancestors_and_clears() {
    let mut app = app();
    let total = app.tree.rows.len();
    type_filter(&mut app, "nginx");
    let shown = keys(&app);
    // The container's namespaces hold nginx; the host user namespace is kept as their owner
    // (and holds nginx too); a namespace of another program is gone.
    assert!(shown.contains(&ns(NsType::Mnt, 4026532201)));
    assert!(shown.contains(&ns(NsType::Pid, 4026532204)));
    assert!(shown.contains(&ns(NsType::User, HOST_USER)));
    assert!(!shown.contains(&ns(NsType::Mnt, 4026532101)));
    assert!(!shown.contains(&ns(NsType::User, 4026532402)));
    assert!(!app.filter_editing);
    app.apply(Action::ClearFilter);
    assert_eq!(app.tree.rows.len(), total);

    // By namespace id: the nested sandbox's pid namespace, with the user namespaces above it.
    type_filter(&mut app, "4026532404");
    assert_eq!(
        keys(&app),
        vec![
            ns(NsType::User, HOST_USER),
            ns(NsType::User, 4026532301),
            ns(NsType::User, 4026532401),
            ns(NsType::User, 4026532402),
            ns(NsType::Pid, 4026532404),
        ]
    );
    // Only the last row matched; the others are there as its ancestors.
    let matched: Vec<bool> = app.tree.rows.iter().map(|r| r.matched).collect();
    assert_eq!(matched, [false, false, false, false, true]);
    // Esc while typing cancels the filter.
    app.apply(Action::StartFilter);
    app.apply(Action::FilterInput('x'));
    app.apply(Action::Back);
    assert!(app.filter.is_empty());
    assert_eq!(app.tree.rows.len(), total);
    assert!(!app.quit);
}

/// The rows the filter matched (not the ancestors kept for context).
fn matched(app: &App) -> Vec<NodeKey> {
    app.tree
        .rows
        .iter()
        .filter(|r| r.matched)
        .map(|r| r.key)
        .collect()
}

#[test]
fn filter_matches_what_is_inside_and_whose_it_is() {
    let mut app = app();
    // A hostname: the podman container's uts namespace (and every namespace of its processes).
    type_filter(&mut app, "alpine-box");
    assert!(matched(&app).contains(&ns(NsType::Uts, 4026532303)));
    assert!(!matched(&app).contains(&ns(NsType::Uts, 4026532202)));
    // An address: the docker container's network namespace, not the host's.
    type_filter(&mut app, "172.17.0.2");
    assert_eq!(matched(&app), vec![ns(NsType::Net, 4026532206)]);
    // A container name and an engine.
    type_filter(&mut app, "web");
    assert!(matched(&app).contains(&ns(NsType::Mnt, 4026532201)));
    assert!(!matched(&app).contains(&ns(NsType::Mnt, 4026532302)));
    type_filter(&mut app, "podman");
    assert!(matched(&app).contains(&ns(NsType::Net, 4026532307)));
    // A label of a namespace no process is in.
    type_filter(&mut app, "netns blue");
    assert_eq!(matched(&app), vec![ns(NsType::Net, 4026532601)]);
    // In the process tree, a container id prefix.
    app.apply(Action::ShowProcesses);
    type_filter(&mut app, "3f2a9c1b7d4e");
    assert_eq!(
        matched(&app),
        [2120, 2151, 2152].map(NodeKey::Process).to_vec()
    );
}

#[test]
fn filter_in_the_process_tree_by_pid_user_and_type() {
    let mut app = app();
    app.apply(Action::ShowProcesses);
    type_filter(&mut app, "3101");
    let pids: Vec<NodeKey> = [1, 3020, 3040, 3100, 3101].map(NodeKey::Process).to_vec();
    assert_eq!(keys(&app), pids);
    type_filter(&mut app, "alice");
    assert!(keys(&app).contains(&NodeKey::Process(4101)));
    assert!(!keys(&app).contains(&NodeKey::Process(930)));
    // type: keeps the processes that differ from the host in that type.
    type_filter(&mut app, "type:time");
    assert_eq!(
        keys(&app),
        [1, 820, 1203, 4100, 4101].map(NodeKey::Process).to_vec()
    );
}

#[test]
fn grouping_by_type() {
    let mut app = app();
    app.apply(Action::ToggleGrouping);
    let groups: Vec<NodeKey> = app
        .tree
        .rows
        .iter()
        .filter(|r| r.depth == 0)
        .map(|r| r.key)
        .collect();
    assert_eq!(groups, NsType::ALL.map(NodeKey::Group).to_vec());
    // The selection stays on the same namespace.
    assert_eq!(app.selected(), Some(ns(NsType::User, HOST_USER)));
    app.apply(Action::ToggleGrouping);
    assert_eq!(app.tree.rows[0].key, ns(NsType::User, HOST_USER));
}

#[test]
fn selection_survives_a_refresh_that_adds_and_removes_namespaces() {
    let mut app = app();
    let blue = ns(NsType::Net, 4026532601);
    common::select_row(&mut app, blue);
    let before = app.selected_index().unwrap();

    let mut next = demo();
    // One namespace vanishes (above the selection), one appears.
    next.namespaces.retain(|n| n.id != 4026532101);
    for p in &mut next.processes {
        if p.pid == 412 {
            p.ns.insert(NsType::Mnt, 4026531841);
        }
    }
    let mut fresh = Namespace::new(4026532999, NsType::Net);
    fresh.owner = Some(HOST_USER);
    fresh.mounts.push("/run/netns/red".into());
    next.namespaces.push(fresh);
    next.normalize();
    let now = Instant::now();
    app.set_snapshot(Arc::new(next.clone()), now);

    assert_eq!(app.selected(), Some(blue));
    assert_ne!(app.selected_index(), Some(before), "rows above it changed");
    assert!(app.is_new(&ns(NsType::Net, 4026532999)));
    let gone = app.tree.rows.iter().find(|r| r.gone).expect("a gone row");
    assert_eq!(gone.key, ns(NsType::Mnt, 4026532101));
    // What held it is remembered from the scan that still saw it.
    assert_eq!(
        app.highlights.gone[0].summary,
        "1 process: /usr/lib/systemd/systemd-journald"
    );

    // The same scan again: nothing new, the gone row stays until it expires.
    app.set_snapshot(Arc::new(next), now + Duration::from_millis(500));
    assert!(app.is_new(&ns(NsType::Net, 4026532999)));
    assert!(app.next_deadline().is_some());
    assert!(app.tick(now + HIGHLIGHT + Duration::from_millis(1)));
    assert!(!app.is_new(&ns(NsType::Net, 4026532999)));
    assert!(!app.tree.rows.iter().any(|r| r.gone));
    assert_eq!(app.selected(), Some(blue));
    assert!(app.next_deadline().is_none());
}

#[test]
fn a_selected_namespace_that_vanishes_stays_selected_while_shown_as_gone() {
    let mut app = app();
    let key = ns(NsType::Uts, 4026532603);
    common::select_row(&mut app, key);
    let mut next = demo();
    next.namespaces.retain(|n| n.id != 4026532603);
    let now = Instant::now();
    app.set_snapshot(Arc::new(next), now);
    assert_eq!(app.selected(), Some(key));
    assert!(app.tree.rows[app.selected_index().unwrap()].gone);
    app.tick(now + HIGHLIGHT * 2);
    // Then the cursor moves to a row that still exists, not off the list.
    let sel = app.selected().unwrap();
    assert_ne!(sel, key);
    assert!(app.tree.rows.iter().any(|r| r.key == sel));
}

#[test]
fn the_first_scan_highlights_nothing() {
    let app = app();
    assert!(app.highlights.appeared.is_empty());
    assert!(app.highlights.gone.is_empty());
}

#[test]
fn explain_and_help_overlays() {
    let mut app = app();
    common::select_row(&mut app, ns(NsType::Net, 4026532601));
    app.apply(Action::Explain);
    assert_eq!(
        app.overlay,
        Overlay::Explain {
            ns_type: NsType::Net,
            scroll: 0
        }
    );
    app.apply(Action::Down);
    assert_eq!(
        app.overlay,
        Overlay::Explain {
            ns_type: NsType::Net,
            scroll: 1
        }
    );
    app.apply(Action::Back);
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.quit, "Esc closes the overlay first");
    app.apply(Action::Help);
    assert!(matches!(app.overlay, Overlay::Help { .. }));
    app.apply(Action::Help);
    assert_eq!(app.overlay, Overlay::None);
    // A process is not a namespace.
    app.apply(Action::ShowProcesses);
    app.apply(Action::Explain);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.message.is_some());
    app.apply(Action::Back);
    assert!(!app.quit, "Esc on a message does not quit");
    app.apply(Action::Quit);
    assert!(app.quit, "q on the main screen quits");
}

/// Esc in every mode: each view, the filter being typed and kept, both overlays, a message,
/// the three dialogs. It closes what is open and never quits.
#[test]
fn esc_never_quits_in_any_mode() {
    let esc_twice = |app: &mut App, what: &str| {
        app.apply(Action::Back);
        assert!(!app.quit, "Esc quit in {what}");
        assert_eq!(
            app.overlay,
            Overlay::None,
            "Esc left an overlay open in {what}"
        );
        assert!(app.dialog.is_none(), "Esc left a dialog open in {what}");
        assert!(!app.filter_editing, "Esc left the filter open in {what}");
        app.apply(Action::Back);
        assert!(!app.quit, "a second Esc quit in {what}");
    };
    let mut app = app();
    for view in [
        Action::ShowNamespaces,
        Action::ShowProcesses,
        Action::ShowGraph,
    ] {
        app.apply(view);
        esc_twice(&mut app, &format!("{view:?}"));
        app.apply(Action::StartFilter);
        app.apply(Action::FilterInput('n'));
        esc_twice(&mut app, "the filter being typed");
        assert!(app.filter.is_empty());
        type_filter(&mut app, "net");
        esc_twice(&mut app, "a kept filter");
        assert!(app.filter.is_empty(), "Esc clears a kept filter");
        app.apply(Action::Help);
        esc_twice(&mut app, "help");
        app.apply(Action::ShowNamespaces);
        common::select_row(&mut app, ns(NsType::Net, 4026532601));
        app.apply(Action::Explain);
        esc_twice(&mut app, "explain");
        app.apply(view);
    }
    // A snapshot refuses enter with a message: Esc on a message.
    app.apply(Action::EnterSelected);
    assert!(app.message.is_some());
    esc_twice(&mut app, "a message");
    // The dialogs need a live host.
    let mut live = App::new("live".into(), true);
    live.size = Rect::new(0, 0, 120, 40);
    live.set_snapshot(Arc::new(demo()), Instant::now());
    live.apply(Action::SpawnDialog);
    assert!(live.dialog.is_some());
    esc_twice(&mut live, "the spawn dialog");
    live.apply(Action::ShowProcesses);
    common::select_row(&mut live, NodeKey::Process(3101));
    live.apply(Action::EnterSelected);
    assert!(live.dialog.is_some());
    esc_twice(&mut live, "the enter dialog");
    // Ctrl-c quits from an overlay; q there only closes it.
    live.apply(Action::Help);
    live.apply(Action::Quit);
    assert!(!live.quit);
    assert_eq!(live.overlay, Overlay::None);
    live.apply(Action::Help);
    live.apply(Action::QuitNow);
    assert!(live.quit);
}

#[test]
fn overlays_ignore_keys_their_title_does_not_name() {
    let mut app = app();
    app.apply(Action::Help);
    for action in [
        Action::StartFilter,
        Action::Explain,
        Action::ShowGraph,
        Action::Toggle,
    ] {
        app.apply(action);
        assert!(
            matches!(app.overlay, Overlay::Help { .. }),
            "{action:?} closed help"
        );
        assert!(!app.filter_editing && app.view == View::Namespaces);
    }
    app.apply(Action::Help);
    assert_eq!(app.overlay, Overlay::None, "? closes the help it opened");
}

#[test]
fn help_scrolls_to_its_last_line_and_no_further() {
    let mut app = App::with_snapshot(demo(), "demo", Rect::new(0, 0, 80, 24));
    app.apply(Action::Help);
    let max = views::help::max_scroll(views::popup_height(app.size));
    assert!(max > 0, "the help is longer than 24 lines");
    for _ in 0..200 {
        app.apply(Action::Down);
    }
    assert_eq!(app.overlay, Overlay::Help { scroll: max });
    app.apply(Action::Up);
    assert_eq!(app.overlay, Overlay::Help { scroll: max - 1 });
    app.apply(Action::Home);
    assert_eq!(app.overlay, Overlay::Help { scroll: 0 });
    app.apply(Action::End);
    assert_eq!(app.overlay, Overlay::Help { scroll: max });
}

#[test]
fn the_footer_offers_only_keys_that_work() {
    use nsviz::tui::keys::{Scope, hint_line};
    let on_file: Vec<&str> = hint_line(false, Scope::Trees)
        .into_iter()
        .map(|h| h.1)
        .collect();
    let live: Vec<&str> = hint_line(true, Scope::Trees)
        .into_iter()
        .map(|h| h.1)
        .collect();
    let graph: Vec<&str> = hint_line(true, Scope::Graph)
        .into_iter()
        .map(|h| h.1)
        .collect();
    assert!(
        !on_file.contains(&"enter") && !on_file.contains(&"spawn"),
        "{on_file:?}"
    );
    assert!(
        live.contains(&"enter") && live.contains(&"spawn"),
        "{live:?}"
    );
    assert!(on_file.contains(&"group") && !on_file.contains(&"zoom in"));
    assert!(
        graph.contains(&"zoom in") && !graph.contains(&"group"),
        "{graph:?}"
    );
}

#[test]
fn explain_texts_exist_for_all_eight_types() {
    for t in NsType::ALL {
        let text = nsviz::tui::explain::text(t);
        let flag = match t {
            NsType::Mnt => "CLONE_NEWNS".to_string(),
            _ => format!("CLONE_NEW{}", t.name().to_uppercase()),
        };
        assert!(text.contains(&flag), "{t}: clone flag");
        assert!(text.contains("unshare"), "{t}: unshare option");
        assert!(
            text.contains(&format!("-{}", t.flag_letter())),
            "{t}: option letter"
        );
        assert!(text.contains("## Try it"), "{t}: something to try");
        assert!(
            text.contains("## Hierarchy and ownership"),
            "{t}: hierarchy"
        );
    }
}

#[test]
fn pause_rescan_and_stubs_make_requests_or_messages() {
    let mut live = App::new("live".into(), true);
    live.apply(Action::Pause);
    assert!(live.paused);
    live.apply(Action::Pause);
    live.apply(Action::Rescan);
    assert_eq!(
        live.requests,
        vec![Request::Pause, Request::Resume, Request::Rescan]
    );
    let mut file = app();
    file.apply(Action::Pause);
    assert!(!file.paused);
}

#[test]
fn clicks_select_rows_and_tabs() {
    let mut app = app();
    let main = views::areas(app.size, app.detail_pane).main;
    app.apply(Action::Click {
        column: main.x + 5,
        row: main.y + 3,
    });
    assert_eq!(app.selected_index(), Some(2));
    app.apply(Action::ScrollDown);
    assert_eq!(app.selected_index(), Some(5));
    // The second tab in the header.
    app.apply(Action::Click { column: 17, row: 0 });
    assert_eq!(app.view, View::Processes);
}

#[test]
fn graph_view_walks_boxes_and_zooms() {
    let mut app = app();
    app.apply(Action::ShowGraph);
    let layout = app.graph.layout.clone();
    let users: Vec<NodeKey> = layout.boxes.iter().map(|b| b.key).collect();
    assert_eq!(
        users,
        [HOST_USER, 4026532301, 4026532401, 4026532402]
            .map(|id| ns(NsType::User, id))
            .to_vec()
    );
    assert_eq!(app.selected(), Some(users[0]));
    app.apply(Action::Down);
    app.apply(Action::Down);
    assert_eq!(app.selected(), Some(users[2]));
    app.apply(Action::Parent);
    assert_eq!(app.selected(), Some(users[1]));
    app.apply(Action::Expand);
    assert_eq!(app.selected(), Some(users[2]));
    app.apply(Action::ZoomOut);
    assert!(app.graph.zoom.is_some());
    app.apply(Action::ZoomIn);
    app.apply(Action::ZoomIn);
    app.apply(Action::ZoomIn);
    assert_eq!(app.graph.zoom, Some(nsviz::tui::graph_view::MAX_ZOOM));
    app.apply(Action::ZoomFit);
    assert_eq!(app.graph.zoom, None);
    // The selection carries into the namespace tree.
    app.apply(Action::ShowNamespaces);
    assert_eq!(app.selected(), Some(users[2]));
}

#[test]
fn graph_layout_boxes_do_not_overlap_and_children_sit_below_parents() {
    let snapshot = demo();
    let forest = nsviz::graph::namespace_forest(&snapshot, nsviz::graph::Hierarchy::Owner);
    for zoom in 0..=nsviz::tui::graph_view::MAX_ZOOM {
        let layout = nsviz::tui::graph_view::layout(&snapshot, &forest, zoom);
        let b = &layout.boxes;
        for (i, x) in b.iter().enumerate() {
            assert!(x.x >= 0 && x.y >= 0);
            assert!(x.x + x.w <= layout.width && x.y + x.h <= layout.height);
            for y in &b[i + 1..] {
                let apart =
                    x.x + x.w <= y.x || y.x + y.w <= x.x || x.y + x.h <= y.y || y.y + y.h <= x.y;
                assert!(apart, "zoom {zoom}: {:?} overlaps {:?}", x.key, y.key);
            }
            if let Some(p) = x.parent {
                assert!(b[p].y + b[p].h < x.y, "zoom {zoom}: child above parent");
            }
        }
        // Each owned namespace is listed once at zoom 1 and 2.
        if zoom > 0 {
            let listed: usize = b
                .iter()
                .map(|x| x.lines.iter().filter(|l| l.badge.is_some()).count())
                .sum();
            let users = snapshot
                .namespaces
                .iter()
                .filter(|n| n.ns_type == NsType::User)
                .count();
            assert_eq!(listed, snapshot.namespaces.len() - users);
        }
    }
}

#[test]
fn help_is_generated_from_the_key_table() {
    let theme = nsviz::tui::theme::Theme::default();
    let text: String = views::help::help_lines(&theme)
        .iter()
        .map(|l| l.to_string() + "\n")
        .collect();
    // Long texts wrap onto the next lines: compare words, not spacing.
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = words(&text);
    for b in nsviz::tui::keys::all_bindings() {
        assert!(flat.contains(&words(b.help)), "help lacks {}", b.help);
        assert!(text.contains(&nsviz::tui::keys::keys_label(b)));
    }
    // And what no key table says.
    for topic in ["Mouse", "Snapshot files", "Filter (/)", "Marks"] {
        assert!(text.contains(topic), "help lacks {topic}");
    }
}

#[test]
fn docs_list_every_key() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tui.md"))
        .expect("docs/tui.md");
    assert!(
        docs.contains(&nsviz::tui::keys::markdown_table()),
        "docs/tui.md: paste the table from nsviz::tui::keys::markdown_table()"
    );
}

#[test]
fn enter_arguments_for_the_selection() {
    let mut app = app();
    let args = |app: &App| -> Vec<String> {
        app.enter_args()
            .unwrap()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    };
    common::select_row(&mut app, ns(NsType::Mnt, 4026532201));
    assert_eq!(args(&app), ["enter", "--target=2120", "-m"]);
    common::select_row(&mut app, ns(NsType::Net, 4026532601));
    assert_eq!(args(&app), ["enter", "--net=/run/netns/blue"]);
    common::select_row(&mut app, ns(NsType::Uts, 4026532603));
    assert_eq!(args(&app), ["enter", "--uts=/proc/820/fd/5"]);
    common::select_row(&mut app, ns(NsType::Pid, 4026532404));
    assert_eq!(args(&app), ["enter", "--target=3101", "-p"]);
    common::select_row(&mut app, ns(NsType::User, 4026532401));
    assert!(app.enter_args().unwrap_err().contains("nothing holds"));
    app.apply(Action::ShowProcesses);
    common::select_row(&mut app, NodeKey::Process(3101));
    // Every type where it differs from the scanner (PID 1250, all host namespaces): not time.
    assert_eq!(
        args(&app),
        [
            "enter",
            "--target=3101",
            "-U",
            "-m",
            "-p",
            "-n",
            "-u",
            "-i",
            "-C"
        ]
    );
}

#[test]
fn keys_on_an_empty_filtered_view_do_nothing_harmful() {
    let mut app = app();
    for view in [
        Action::ShowNamespaces,
        Action::ShowProcesses,
        Action::ShowGraph,
    ] {
        app.apply(view);
        type_filter(&mut app, "no-such-thing-anywhere");
        assert!(app.tree.rows.is_empty());
        for a in [
            Action::Down,
            Action::Up,
            Action::End,
            Action::PageDown,
            Action::Expand,
            Action::Collapse,
            Action::Toggle,
            Action::Parent,
            Action::Explain,
            Action::PanRight,
            Action::ZoomIn,
        ] {
            app.apply(a);
        }
        app.apply(Action::ClearFilter);
    }
    assert!(app.enter_args().is_ok());
}

#[test]
fn sandboxes_group_processes_by_their_eight_namespaces() {
    use nsviz::tui::sandboxes::Share;
    let mut app = App::with_snapshot(
        common::demo_with_a_joiner(),
        "demo",
        Rect::new(0, 0, 120, 40),
    );
    app.apply(Action::ShowSandboxes);
    assert_eq!(app.view, View::Sandboxes);
    let list = &app.sandboxes.list;
    // Every process with known namespaces is in exactly one sandbox.
    let total: usize = list.iter().map(|s| s.pids.len()).sum();
    assert_eq!(total, app.snapshot.processes.len());
    // The host's comes first and is all host cells.
    assert!(list[0].is_host() && list[0].label == "host");
    // docker web: the three container processes, its own namespaces but net, which the
    // joiner shares.
    let web = list
        .iter()
        .find(|s| s.pids == vec![2120, 2151, 2152])
        .expect("docker web's sandbox");
    assert!(web.label.contains("docker web"), "{}", web.label);
    let net = NsType::ALL.iter().position(|&t| t == NsType::Net).unwrap();
    let mnt = NsType::ALL.iter().position(|&t| t == NsType::Mnt).unwrap();
    let user = NsType::ALL.iter().position(|&t| t == NsType::User).unwrap();
    assert_eq!(web.cells[mnt], Share::Own);
    assert_eq!(web.cells[user], Share::Host);
    assert!(matches!(web.cells[net], Share::Shared(_)));
    // The joiner stands out: its only namespace that is not the host's is shared with web.
    let joiner = list.iter().find(|s| s.pids == vec![5100]).expect("curl");
    assert!(joiner.shares());
    assert_eq!(joiner.label, "curl");
    let web_index = list
        .iter()
        .position(|s| s.pids == vec![2120, 2151, 2152])
        .unwrap();
    assert_eq!(joiner.cells[net], Share::Shared(vec![web_index]));
    for (i, c) in joiner.cells.iter().enumerate() {
        if i != net {
            assert_eq!(*c, Share::Host, "{:?}", NsType::ALL[i]);
        }
    }
    // Selecting a sandbox selects its leader (the detail pane and `e` use it).
    while app.sandboxes.selected_sandbox().map(|s| s.pids.clone()) != Some(vec![2120, 2151, 2152]) {
        let before = app.sandboxes.selected_index();
        app.apply(Action::Down);
        assert_ne!(before, app.sandboxes.selected_index(), "web not reached");
    }
    assert_eq!(app.selected(), Some(NodeKey::Process(2120)));
    // The filter keeps the sandboxes whose label or processes match.
    type_filter(&mut app, "curl");
    assert_eq!(app.sandboxes.list.len(), 1);
    assert_eq!(app.sandboxes.list[0].pids, vec![5100]);
    app.apply(Action::Back);
    // The selection follows its namespace set across a rescan, and the view cycles.
    app.set_snapshot(Arc::new(common::demo_with_a_joiner()), Instant::now());
    assert_eq!(app.selected(), Some(NodeKey::Process(5100)));
    app.apply(Action::NextView);
    assert_eq!(app.view, View::Namespaces);
}

/// The demo without journald's mount namespace (412 back in the host's) and with a new
/// network namespace bound at /run/netns/red.
fn demo_changed() -> Snapshot {
    let mut next = demo();
    next.namespaces.retain(|n| n.id != 4026532101);
    for p in &mut next.processes {
        if p.pid == 412 {
            p.ns.insert(NsType::Mnt, 4026531841);
        }
    }
    let mut fresh = Namespace::new(4026532999, NsType::Net);
    fresh.owner = Some(HOST_USER);
    fresh.mounts.push("/run/netns/red".into());
    next.namespaces.push(fresh);
    next.normalize();
    nsviz::model::label::assign(&mut next);
    next
}

#[test]
fn the_change_log_lists_what_appeared_and_vanished_and_n_jumps_to_the_newest() {
    use nsviz::tui::changelog::{Kind, Subject};
    let mut app = app();
    assert!(
        app.changes.entries.is_empty(),
        "the first scan is no change"
    );
    app.apply(Action::NewestChange);
    assert!(app.message.is_some());
    let now = Instant::now();
    app.set_snapshot(Arc::new(demo_changed()), now);
    let log = &app.changes.entries;
    let red = log
        .iter()
        .find(|c| c.subject == Subject::Namespace(NsType::Net, 4026532999))
        .expect("the new netns is logged");
    assert_eq!(red.kind, Kind::Appeared);
    assert_eq!(red.label, "netns red");
    assert_eq!(red.by, None, "no process is in it");
    let journald = log
        .iter()
        .find(|c| c.subject == Subject::Namespace(NsType::Mnt, 4026532101))
        .expect("the vanished mount namespace is logged");
    assert_eq!(journald.kind, Kind::Vanished);
    assert_eq!(journald.label, "service systemd-journald");
    assert_eq!(
        journald.by,
        Some((412, "/usr/lib/systemd/systemd-journald".to_string()))
    );
    // journald's sandbox (its own mount namespace) is gone: 412 joined the host's.
    assert!(log.iter().any(|c| c.kind == Kind::Vanished
        && matches!(&c.subject, Subject::Sandbox(_))
        && c.label == "service systemd-journald"));
    // The same scan again adds nothing.
    let count = log.len();
    app.set_snapshot(Arc::new(demo_changed()), now + Duration::from_secs(1));
    assert_eq!(app.changes.entries.len(), count);
    // n opens it, Esc closes it, N selects the newest change still there: the new netns.
    app.apply(Action::ShowChanges);
    assert_eq!(app.overlay, Overlay::Changes { scroll: 0 });
    app.apply(Action::Back);
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.quit);
    app.apply(Action::ShowGraph);
    type_filter(&mut app, "journald");
    app.apply(Action::NewestChange);
    assert_eq!(app.view, View::Namespaces);
    assert_eq!(app.selected(), Some(ns(NsType::Net, 4026532999)));
    assert!(app.filter.is_empty(), "the filter that hid it is cleared");
    // The highlight lasts HIGHLIGHT, fading in its second half.
    let red_key = ns(NsType::Net, 4026532999);
    assert!(app.is_new(&red_key) && !app.is_fading(&red_key));
    assert!(app.tick(now + HIGHLIGHT / 2 + Duration::from_millis(1)));
    assert!(app.is_new(&red_key) && app.is_fading(&red_key));
    app.tick(now + HIGHLIGHT + Duration::from_millis(1));
    assert!(!app.is_new(&red_key));
}

fn live_app(snapshot: Snapshot) -> App {
    let mut app = App::new("live".into(), true);
    app.size = Rect::new(0, 0, 120, 40);
    app.set_snapshot(Arc::new(snapshot), Instant::now());
    app
}

fn success() -> std::process::ExitStatus {
    std::os::unix::process::ExitStatusExt::from_raw(0)
}

#[test]
fn after_a_spawn_the_selection_moves_to_what_it_kept_and_the_message_is_true() {
    let now = Instant::now();
    // A spawn that kept a set: the next scan selects its namespace and says so.
    let mut app = live_app(demo());
    // A full log (older entries dropped as new ones come) must not hide what is new.
    let filler = nsviz::tui::changelog::Change {
        at: std::time::SystemTime::UNIX_EPOCH,
        kind: nsviz::tui::changelog::Kind::Vanished,
        subject: nsviz::tui::changelog::Subject::Namespace(NsType::Uts, 1),
        label: "old".into(),
        by: None,
    };
    app.changes.entries = vec![filler; nsviz::tui::changelog::LIMIT];
    app.child_finished(&["spawn".into(), "--keep".into()], Ok(success()), now);
    assert_eq!(app.message.as_deref(), Some("back from nsviz spawn"));
    let mut kept = demo();
    let mut uts = Namespace::new(4026533001, NsType::Uts);
    uts.owner = Some(HOST_USER);
    uts.mounts = vec!["/run/nsviz/box/uts".into()];
    kept.namespaces.push(uts);
    kept.normalize();
    nsviz::model::label::assign(&mut kept);
    app.set_snapshot(Arc::new(kept), now);
    assert_eq!(app.selected(), Some(ns(NsType::Uts, 4026533001)));
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("/run/nsviz/box"), "{message}");
    // A spawn that kept nothing: no "marked new", the selection stays.
    let mut app = live_app(demo());
    let before = app.selected();
    app.child_finished(&["spawn".into(), "-u".into()], Ok(success()), now);
    // A scan under way when the child ended may not show what it kept: the message waits
    // for two more scans before it says nothing was kept.
    for _ in 0..2 {
        app.set_snapshot(Arc::new(demo()), now);
        assert_eq!(app.message.as_deref(), Some("back from nsviz spawn"));
    }
    app.set_snapshot(Arc::new(demo()), now);
    let message = app.message.clone().unwrap_or_default();
    assert!(message.contains("kept nothing"), "{message}");
    assert!(!message.contains("marked new"), "{message}");
    assert_eq!(app.selected(), before);
    // An enter creates nothing: only "back from".
    let mut app = live_app(demo());
    app.child_finished(
        &["enter".into(), "-t".into(), "1".into()],
        Ok(success()),
        now,
    );
    app.set_snapshot(Arc::new(demo()), now);
    assert_eq!(app.message.as_deref(), Some("back from nsviz enter"));
}

#[test]
fn graph_fit_folds_what_does_not_fit_and_more_boxes_expand() {
    let mut app = App::with_snapshot(
        common::demo_with_fifty_containers(),
        "demo",
        Rect::new(0, 0, 120, 40),
    );
    app.apply(Action::ShowGraph);
    let layout = &app.graph.layout;
    let more: Vec<_> = layout.boxes.iter().filter(|b| b.more > 0).collect();
    assert_eq!(
        more.len(),
        1,
        "one +N more box under the host's user namespace"
    );
    let hidden = more[0].more;
    let shown = layout.boxes.len() - 1;
    // Every user namespace is either a box or counted in the +N more box.
    let users = app
        .snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::User)
        .count();
    assert_eq!(shown + hidden, users);
    let area = views::areas(app.size, app.detail_pane).main;
    assert!(
        layout.width <= i32::from(area.width) - 2,
        "fit fits the pane's width"
    );
    // Selecting the +N more box and pressing Enter shows its boxes, the selection on the
    // first of them.
    let key = more[0].key;
    while app.graph.selected != Some(key) {
        let before = app.graph.selected;
        app.apply(Action::Down);
        assert_ne!(
            before, app.graph.selected,
            "the +N more box is not reachable"
        );
    }
    app.apply(Action::Toggle);
    assert!(app.graph.layout.boxes.iter().all(|b| b.more == 0));
    assert_eq!(app.graph.layout.boxes.len(), users);
    assert_eq!(app.graph.selected, Some(key));
    let selected = app
        .graph
        .layout
        .boxes
        .iter()
        .find(|b| b.key == key)
        .unwrap();
    assert_eq!(selected.more, 0, "now the real box");
    // + adds detail from what fit chose, - removes it; 0 folds again.
    assert_eq!(app.graph.fit_level, 0);
    app.apply(Action::ZoomOut);
    assert_eq!(app.graph.zoom, Some(0));
    assert!(app.message.is_some(), "no less detail than 0");
    app.apply(Action::ZoomIn);
    assert_eq!(app.graph.zoom, Some(1));
    app.apply(Action::ZoomFit);
    assert_eq!(app.graph.zoom, None);
    assert!(app.graph.layout.boxes.iter().any(|b| b.more > 0));
}

#[test]
fn network_mode_links_namespaces_by_their_veth_pairs() {
    let mut app = app();
    app.apply(Action::ToggleNetwork);
    assert_eq!(app.view, View::Graph);
    let boxes = &app.graph.layout.boxes;
    let nets = app
        .snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::Net)
        .count();
    assert_eq!(boxes.len(), nets, "one box per network namespace");
    let host = boxes
        .iter()
        .position(|b| b.key == ns(NsType::Net, 4026531840))
        .expect("the host's netns");
    let web = boxes
        .iter()
        .find(|b| b.key == ns(NsType::Net, 4026532206))
        .expect("docker web's netns");
    assert_eq!(
        web.parent,
        Some(host),
        "web hangs below the host by its veth"
    );
    assert!(
        web.lines
            .iter()
            .any(|l| l.text.contains("eth0 ⇄ veth3a1f2b0")),
        "{:?}",
        web.lines
    );
    // A zoom key goes back to the user namespaces' picture.
    app.apply(Action::ZoomFit);
    assert!(!app.graph.network);
    assert!(
        app.graph
            .layout
            .boxes
            .iter()
            .all(|b| matches!(b.key, NodeKey::Namespace(NsType::User, _)))
    );
}

#[test]
fn the_detail_pane_widens_hides_and_comes_back() {
    use nsviz::tui::views::DetailPane;
    let mut app = App::with_snapshot(demo(), "demo", Rect::new(0, 0, 80, 24));
    let width = |app: &App| views::areas(app.size, app.detail_pane).main.width;
    let normal = width(&app);
    assert!(normal >= 40, "at 80x24 the list keeps most of the width");
    app.apply(Action::CycleDetail);
    assert_eq!(app.detail_pane, DetailPane::Wide);
    assert!(width(&app) < normal);
    app.apply(Action::CycleDetail);
    assert_eq!(app.detail_pane, DetailPane::Hidden);
    assert_eq!(width(&app), 80);
    app.apply(Action::CycleDetail);
    assert_eq!(width(&app), normal);
}

#[test]
fn filter_words_all_match_type_is_explicit_and_the_selection_lands_on_a_match() {
    let mut app = app();
    // Two words: both must match (the podman box's user namespaces, not its others).
    type_filter(&mut app, "alpine-box type:user");
    assert!(!matched(&app).is_empty());
    for key in matched(&app) {
        assert!(
            matches!(key, NodeKey::Namespace(NsType::User, _)),
            "{key:?}"
        );
    }
    // The selection is on a match, not on an ancestor kept for context.
    let i = app.selected_index().expect("a selection");
    assert!(app.tree.rows[i].matched);
    // Words in any order, each somewhere in what the row shows.
    type_filter(&mut app, "web docker type:uts");
    assert_eq!(matched(&app), vec![ns(NsType::Uts, 4026532202)]);
    // A bare type name is a word like any other; type: is the explicit form.
    type_filter(&mut app, "type:net");
    let nets = app
        .snapshot
        .namespaces
        .iter()
        .filter(|n| n.ns_type == NsType::Net)
        .count();
    assert_eq!(matched(&app).len(), nets);
    type_filter(&mut app, "type:net blue");
    assert_eq!(matched(&app), vec![ns(NsType::Net, 4026532601)]);
    // What holds it, as the row says.
    type_filter(&mut app, "hidden");
    assert!(matched(&app).contains(&ns(NsType::User, 4026532401)));
    type_filter(&mut app, "mounted");
    assert!(matched(&app).contains(&ns(NsType::Net, 4026532601)));
}

#[test]
fn enter_opens_the_details_whose_lines_jump_to_their_process_or_namespace() {
    use nsviz::tui::views::DetailPane;
    let mut app = App::with_snapshot(demo(), "demo", Rect::new(0, 0, 80, 24));
    app.apply(Action::CycleDetail);
    app.apply(Action::CycleDetail);
    assert_eq!(app.detail_pane, DetailPane::Hidden);
    let podman = ns(NsType::User, 4026532301);
    common::select_row(&mut app, podman);
    let rows_before = app.tree.rows.len();
    // Enter shows the hidden pane and gives it the focus; it collapses nothing.
    app.apply(Action::OpenDetail);
    assert_eq!(app.detail_pane, DetailPane::Normal);
    assert!(app.detail_focused());
    assert_eq!(app.tree.rows.len(), rows_before);
    let targets: Vec<NodeKey> = app.detail_links().iter().map(|l| l.target).collect();
    assert_eq!(
        targets,
        vec![ns(NsType::User, HOST_USER), NodeKey::Process(3040)]
    );
    // Esc gives the focus back to the list, which keeps its selection.
    app.apply(Action::Back);
    assert!(!app.detail_focused());
    assert_eq!(app.selected(), Some(podman));
    // ↓ picks the holder; Enter jumps to it in the process tree.
    app.apply(Action::OpenDetail);
    app.apply(Action::Down);
    app.apply(Action::Down);
    app.apply(Action::OpenDetail);
    assert_eq!(app.view, View::Processes);
    assert_eq!(app.selected(), Some(NodeKey::Process(3040)));
    assert!(!app.detail_focused());
    // From a process: its user namespace's line jumps back to the namespace tree.
    app.apply(Action::OpenDetail);
    let links = app.detail_links();
    let at = links
        .iter()
        .position(|l| l.target == podman)
        .expect("the process's user namespace is a link");
    for _ in 0..at {
        app.apply(Action::Down);
    }
    app.apply(Action::OpenDetail);
    assert_eq!(app.view, View::Namespaces);
    assert_eq!(app.selected(), Some(podman));
    // Any other key gives the focus back and does its usual work.
    app.apply(Action::OpenDetail);
    app.apply(Action::ShowProcesses);
    assert!(!app.detail_focused());
    assert_eq!(app.view, View::Processes);
}

#[test]
fn space_collapses_and_enter_does_not() {
    let mut app = app();
    let podman = ns(NsType::User, 4026532301);
    common::select_row(&mut app, podman);
    let total = app.tree.rows.len();
    app.apply(Action::Toggle);
    assert!(app.tree.rows.len() < total);
    app.apply(Action::Toggle);
    assert_eq!(app.tree.rows.len(), total);
    app.apply(Action::OpenDetail);
    assert_eq!(app.tree.rows.len(), total);
}

#[test]
fn a_process_links_to_its_hidden_ancestor_user_namespace() {
    let mut app = app();
    app.apply(Action::ShowProcesses);
    common::select_row(&mut app, NodeKey::Process(3101));
    let hidden = ns(NsType::User, 4026532401);
    assert!(
        app.snapshot
            .namespace(NsType::User, 4026532401)
            .unwrap()
            .is_hidden()
    );
    assert!(app.detail_links().iter().any(|l| l.target == hidden));
    // The host's processes have none.
    common::select_row(&mut app, NodeKey::Process(1));
    assert!(!app.detail_links().iter().any(|l| l.target == hidden));
}

#[test]
fn a_thread_holder_leads_to_its_process() {
    let mut s = demo();
    let blue = s
        .namespaces
        .iter_mut()
        .find(|n| n.ns_type == NsType::Net && n.id == 4026532601)
        .unwrap();
    blue.tasks.push(3105);
    let sleeper = s.processes.iter_mut().find(|p| p.pid == 3101).unwrap();
    sleeper.threads_apart.push(3105);
    let mut app = App::with_snapshot(s, "demo", Rect::new(0, 0, 120, 40));
    common::select_row(&mut app, ns(NsType::Net, 4026532601));
    assert!(
        app.detail_links()
            .iter()
            .any(|l| l.target == NodeKey::Process(3101))
    );
}

/// The status line drawn for the app as it is now.
fn status_text(app: &App) -> String {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.width, app.size.height)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("draws");
    let buffer = terminal.backend().buffer();
    let y = app.size.height - 2;
    (0..app.size.width)
        .map(|x| buffer[(x, y)].symbol().to_string())
        .collect()
}

#[test]
fn the_status_line_counts_the_latest_scan_and_filter() {
    let mut app = App::with_snapshot(demo(), "demo", Rect::new(0, 0, 160, 40));
    let first = demo();
    let nets = |s: &Snapshot| {
        s.namespaces
            .iter()
            .filter(|n| n.ns_type == NsType::Net)
            .count()
    };
    let status = status_text(&app);
    assert!(
        status.contains(&format!("{} procs", first.processes.len())),
        "{status}"
    );
    assert!(
        status.contains(&format!("net {}", nets(&first))),
        "{status}"
    );
    assert!(
        status.contains(&format!("{} shown", app.tree.rows.len())),
        "{status}"
    );
    assert!(!status.contains("match"), "{status}");

    // A scan with one network namespace more, one mount namespace less and a new process.
    let mut next = demo_changed();
    let mut extra = next.process(412).expect("journald").clone();
    extra.pid = 9999;
    next.processes.push(extra);
    next.normalize();
    app.set_snapshot(Arc::new(next.clone()), Instant::now());
    let status = status_text(&app);
    assert!(
        status.contains(&format!("{} procs", first.processes.len() + 1)),
        "{status}"
    );
    assert!(
        status.contains(&format!("net {}", nets(&first) + 1)),
        "{status}"
    );
    // The vanished namespace is listed as gone: one row more than the new scan has.
    assert_eq!(app.tree.rows.len(), next.namespaces.len() + 1);
    assert!(
        status.contains(&format!("{} shown", app.tree.rows.len())),
        "{status}"
    );

    // A filter: how many rows match it, beside how many are shown with their ancestors.
    type_filter(&mut app, "type:net");
    let status = status_text(&app);
    assert!(
        status.contains(&format!("{} match", nets(&next))),
        "{status}"
    );
    assert!(
        status.contains(&format!("{} shown", app.tree.rows.len())),
        "{status}"
    );
    app.apply(Action::ShowSandboxes);
    let status = status_text(&app);
    assert!(
        status.contains(&format!("{} sandboxes", app.sandboxes.list.len())),
        "{status}"
    );
}

/// The demo plus a second container ("db") whose veth's host end is a port of docker0 too.
fn demo_with_a_second_bridged_container() -> Snapshot {
    let mut s = demo();
    let web_id = 4026532206;
    let host_id = 4026531840;
    let web = s.namespace(NsType::Net, web_id).unwrap().clone();
    let mut db = Namespace::new(4026532950, NsType::Net);
    db.owner = web.owner;
    db.label = "docker db".into();
    let mut details = web.details.clone().unwrap();
    let net = details.net.as_mut().unwrap();
    for i in &mut net.interfaces {
        if i.name == "eth0" {
            i.addresses = vec!["172.17.0.3/16".into()];
            let peer = i.peer.as_mut().unwrap();
            peer.index = 21;
            peer.name = Some("vethdb".into());
        }
    }
    db.details = Some(details);
    s.namespaces.push(db);
    let host = s
        .namespaces
        .iter_mut()
        .find(|n| n.ns_type == NsType::Net && n.id == host_id)
        .unwrap();
    let host_net = host.details.as_mut().unwrap().net.as_mut().unwrap();
    let mut port = host_net
        .interfaces
        .iter()
        .find(|i| i.name == "veth3a1f2b0")
        .unwrap()
        .clone();
    port.name = "vethdb".into();
    port.index = 21;
    let peer = port.peer.as_mut().unwrap();
    peer.netns = Some(4026532950);
    host_net.interfaces.push(port);
    s.normalize();
    s
}

#[test]
fn network_mode_links_containers_through_their_bridge() {
    let mut app = App::with_snapshot(
        demo_with_a_second_bridged_container(),
        "demo",
        Rect::new(0, 0, 160, 50),
    );
    app.apply(Action::ToggleNetwork);
    let boxes = &app.graph.layout.boxes;
    let text = |key: NodeKey| -> Vec<String> {
        boxes
            .iter()
            .find(|b| b.key == key)
            .map(|b| b.lines.iter().map(|l| l.text.clone()).collect())
            .unwrap_or_default()
    };
    let host = boxes
        .iter()
        .position(|b| b.key == ns(NsType::Net, 4026531840))
        .unwrap();
    // Both containers hang below the host, each through docker0, with their addresses.
    for (id, end, address) in [
        (4026532206, "veth3a1f2b0", "172.17.0.2/16"),
        (4026532950, "vethdb", "172.17.0.3/16"),
    ] {
        let b = boxes.iter().find(|b| b.key == ns(NsType::Net, id)).unwrap();
        assert_eq!(b.parent, Some(host));
        let lines = text(ns(NsType::Net, id));
        assert!(
            lines.iter().any(|l| l.contains(&format!("eth0 ⇄ {end}"))),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("via bridge docker0 172.17.0.1/16")),
            "{lines:?}"
        );
        assert!(lines.iter().any(|l| l.contains(address)), "{lines:?}");
    }
    // The bridge's own line counts its ports.
    let host_lines = text(ns(NsType::Net, 4026531840));
    assert!(
        host_lines
            .iter()
            .any(|l| l.contains("docker0 bridge 172.17.0.1/16, 2 ports")),
        "{host_lines:?}"
    );
    // A veth that is no bridge's port says nothing of a bridge.
    let blue = text(ns(NsType::Net, 4026532601));
    assert!(!blue.iter().any(|l| l.contains("bridge")), "{blue:?}");
}

/// A network namespace made with `ip netns add`, deleted on drop (with its interfaces).
struct NetNs(String);

impl NetNs {
    fn new(name: String) -> NetNs {
        common::run_ok(std::process::Command::new("ip").args(["netns", "add", &name]));
        NetNs(name)
    }

    fn ip(&self, args: &[&str]) {
        common::run_ok(
            std::process::Command::new("ip")
                .args(["-n", &self.0])
                .args(args),
        );
    }

    fn inode(&self) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(format!("/run/netns/{}", self.0))
            .expect("netns file")
            .ino()
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.0])
            .status();
    }
}

/// Live: a bridge in one network namespace with two veths to two others; network mode hangs
/// both below the bridge's namespace, each link through the bridge, with names and addresses.
#[test]
fn network_mode_draws_a_real_bridge_as_the_link() {
    if !common::require_root("make network namespaces, a bridge and veth pairs") {
        return;
    }
    let tag = std::process::id() % 100_000;
    let hub = NetNs::new(common::unique("nsviz-hub"));
    let left = NetNs::new(common::unique("nsviz-left"));
    let right = NetNs::new(common::unique("nsviz-right"));
    let bridge = format!("nbr{tag}");
    hub.ip(&["link", "add", &bridge, "type", "bridge"]);
    hub.ip(&["addr", "add", "10.77.0.1/24", "dev", &bridge]);
    hub.ip(&["link", "set", &bridge, "up"]);
    for (i, ns) in [&left, &right].into_iter().enumerate() {
        let port = format!("np{i}x{tag}");
        hub.ip(&[
            "link", "add", &port, "type", "veth", "peer", "name", "eth0", "netns", &ns.0,
        ]);
        hub.ip(&["link", "set", &port, "master", &bridge, "up"]);
        ns.ip(&[
            "addr",
            "add",
            &format!("10.77.0.{}/24", i + 2),
            "dev",
            "eth0",
        ]);
        ns.ip(&["link", "set", "eth0", "up"]);
    }
    let options = nsviz::scan::ScanOptions::new(Path::new("/proc")).with_details();
    let snapshot = nsviz::scan::scan(&options).expect("scan");
    let mut app = App::with_snapshot(snapshot, "live", Rect::new(0, 0, 200, 60));
    app.apply(Action::ToggleNetwork);
    let boxes = &app.graph.layout.boxes;
    let find = |id: u64| {
        boxes
            .iter()
            .position(|b| b.key == ns(NsType::Net, id))
            .unwrap_or_else(|| panic!("no box for net {id}"))
    };
    let hub_box = find(hub.inode());
    let hub_lines: Vec<&str> = boxes[hub_box]
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert!(
        hub_lines
            .iter()
            .any(|l| l.contains(&format!("{bridge} bridge 10.77.0.1/24, 2 ports"))),
        "{hub_lines:?}"
    );
    for (i, ns) in [&left, &right].into_iter().enumerate() {
        let b = &boxes[find(ns.inode())];
        assert_eq!(b.parent, Some(hub_box), "{:?}", b.lines);
        let lines: Vec<&str> = b.lines.iter().map(|l| l.text.as_str()).collect();
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("eth0 ⇄ np{i}x{tag} above"))),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("via bridge {bridge} 10.77.0.1/24"))),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("10.77.0.{}/24", i + 2))),
            "{lines:?}"
        );
    }
}

/// The screen row whose text contains `what`, as drawn now.
fn row_of(app: &App, what: &str) -> u16 {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.width, app.size.height)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("draws");
    let buffer = terminal.backend().buffer();
    (0..app.size.height)
        .find(|&y| {
            let line: String = (0..app.size.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            line.contains(what)
        })
        .unwrap_or_else(|| panic!("{what:?} is not on the screen"))
}

#[test]
fn a_click_on_a_holder_picks_it_and_a_second_click_jumps() {
    let mut app = app();
    let podman = ns(NsType::User, 4026532301);
    common::select_row(&mut app, podman);
    let detail = views::areas(app.size, app.detail_pane).detail;
    let row = row_of(&app, "process 3040 alice sh");
    let click = Action::Click {
        column: detail.x + 3,
        row,
    };
    app.apply(click);
    assert!(app.detail_focused());
    assert_eq!(app.selected(), Some(podman));
    let picked = app.detail.focus_for(app.selected()).expect("a picked line");
    assert_eq!(app.detail_links()[picked].target, NodeKey::Process(3040));
    // A click on a line that leads nowhere picks nothing.
    let inode_row = row_of(&app, "inode   4026532301");
    app.apply(Action::Click {
        column: detail.x + 3,
        row: inode_row,
    });
    assert!(app.detail_focused());
    app.apply(click);
    assert_eq!(app.view, View::Processes);
    assert_eq!(app.selected(), Some(NodeKey::Process(3040)));
    assert!(!app.detail_focused());
}
