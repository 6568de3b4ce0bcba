//! What the viewer draws, for each view and overlay, on a TestBackend (insta snapshots). The
//! demo snapshot's ids and pids are fixed, so nothing needs filtering except the live error.

mod common;

use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use nsviz::graph::NodeKey;
use nsviz::model::{NsType, Snapshot};
use nsviz::tui::app::App;
use nsviz::tui::keys::Action;

fn demo() -> Snapshot {
    nsviz::source::read_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-snapshot.json"),
    )
    .expect("demo snapshot loads")
}

fn app_sized(snapshot: Snapshot, w: u16, h: u16) -> App {
    App::with_snapshot(snapshot, "demo-snapshot.json", Rect::new(0, 0, w, h))
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.width, app.size.height)).unwrap();
    terminal.draw(|f| f.render_widget(app, f.area())).unwrap();
    terminal.backend().to_string()
}

#[test]
fn namespaces_view_80x24() {
    let app = app_sized(demo(), 80, 24);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn namespaces_view_120x40() {
    let app = app_sized(demo(), 120, 40);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn processes_and_graph_80x24() {
    let mut app = app_sized(demo(), 80, 24);
    app.apply(Action::ShowProcesses);
    insta::assert_snapshot!("processes_80x24", draw(&app));
    app.apply(Action::ShowGraph);
    insta::assert_snapshot!("graph_80x24", draw(&app));
}

#[test]
fn namespaces_by_type() {
    let mut app = app_sized(demo(), 100, 30);
    app.apply(Action::ToggleGrouping);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn processes_view_with_detail() {
    let mut app = app_sized(demo(), 120, 30);
    app.apply(Action::ShowProcesses);
    common::select_row(&mut app, NodeKey::Process(3101));
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn graph_view_fit_and_zoomed() {
    let mut app = app_sized(demo(), 120, 40);
    app.apply(Action::ShowGraph);
    insta::assert_snapshot!("graph_fit", draw(&app));
    app.apply(Action::ZoomIn);
    app.apply(Action::ZoomIn);
    app.apply(Action::Down);
    insta::assert_snapshot!("graph_zoom_2", draw(&app));
}

#[test]
fn detail_of_a_namespace_held_by_a_mount() {
    let mut app = app_sized(demo(), 120, 30);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Net, 4026532601));
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn detail_of_a_container_network_namespace_names_the_veth_peer() {
    let mut app = app_sized(demo(), 120, 50);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Net, 4026532206));
    let text = draw(&app);
    assert!(
        text.contains("whose     docker web (3f2a9c1b7d4e)"),
        "{text}"
    );
    assert!(text.contains("172.17.0.2/16"), "{text}");
    assert!(
        text.contains("peer veth3a1f2b0 in net 4026531840"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn detail_of_a_user_namespace_says_who_root_is() {
    let mut app = app_sized(demo(), 120, 50);
    common::select_row(&mut app, NodeKey::Namespace(NsType::User, 4026532301));
    let text = draw(&app);
    assert!(text.contains("root inside is uid 1000 outside"), "{text}");
    assert!(text.contains("0 → 1000, 1-65536 → 100000-165535"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn detail_of_a_mount_namespace_lists_its_difference_and_scrolls() {
    let mut app = app_sized(demo(), 120, 24);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Mnt, 4026532101));
    let top = draw(&app);
    assert!(top.contains("tmpfs → /tmp (tmpfs, rw)"), "{top}");
    for _ in 0..3 {
        app.apply(Action::DetailDown);
    }
    let scrolled = draw(&app);
    assert!(scrolled.contains("more ([)"), "{scrolled}");
    assert!(
        scrolled.contains("was /dev/vda1:/usr → /usr (ext4,"),
        "{scrolled}"
    );
    insta::assert_snapshot!(scrolled);
    // Another selection starts at the top again.
    app.apply(Action::Down);
    assert!(!draw(&app).contains("more ([)"));
}

#[test]
fn a_refresh_marks_new_and_gone_namespaces() {
    let mut app = app_sized(demo(), 100, 44);
    let mut next = demo();
    next.namespaces.retain(|n| n.id != 4026532603);
    let mut fresh = nsviz::model::Namespace::new(4026532999, NsType::Net);
    fresh.owner = Some(4026531837);
    fresh.mounts.push("/run/netns/red".into());
    next.namespaces.push(fresh);
    next.normalize();
    app.set_snapshot(std::sync::Arc::new(next), std::time::Instant::now());
    let text = draw(&app);
    assert!(text.contains("4026532999 ◆ new mounted at /run/netns/red"));
    assert!(text.contains("4026532603 gone (was: fd 5 of PID 820)"));
    insta::assert_snapshot!(text);
}

#[test]
fn help_overlay() {
    let mut app = app_sized(demo(), 100, 50);
    app.apply(Action::Help);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn explain_overlay() {
    let mut app = app_sized(demo(), 100, 40);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Pid, 4026532204));
    app.apply(Action::Explain);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn filter_while_typing() {
    let mut app = app_sized(demo(), 100, 24);
    app.apply(Action::StartFilter);
    for c in "sleep".chars() {
        app.apply(Action::FilterInput(c));
    }
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn too_small_terminal() {
    let app = app_sized(demo(), 40, 10);
    let text = draw(&app);
    assert!(text.contains("too small"));
    insta::assert_snapshot!(text);
}

#[test]
fn live_mode_before_the_first_scan_and_after_a_failed_one() {
    let mut app = App::new("live".into(), true);
    app.size = Rect::new(0, 0, 80, 24);
    insta::assert_snapshot!("live_scanning", draw(&app));
    app.set_error("scan failed: cannot read /proc: permission denied".into());
    let text = draw(&app);
    assert!(text.contains("scan failed: cannot read /proc"));
    insta::assert_snapshot!("live_error", text);
}

#[test]
fn hostile_process_names_are_shown_escaped() {
    let mut s = demo();
    // A label made from a hostile hostname.
    for n in &mut s.namespaces {
        if n.id == 4026532404 {
            n.label = "box\x1b]0;pwned\x07".into();
        }
    }
    for p in &mut s.processes {
        if p.pid == 3101 {
            p.comm = "evil\x1b[2J\x07".into();
            // The scanner keeps invalid UTF-8 as \xNN text; bidi and C1 controls come raw.
            p.cmdline = vec![
                "sleep\x1b]0;pwned\x07".into(),
                "\\xff\\xfe".into(),
                "\u{202e}gpj.exe".into(),
                "\u{9b}31m".into(),
            ];
        }
    }
    let mut app = app_sized(s, 160, 30);
    app.apply(Action::ShowProcesses);
    common::select_row(&mut app, NodeKey::Process(3101));
    let text = draw(&app);
    for raw in ['\x1b', '\x07', '\u{202e}', '\u{9b}'] {
        assert!(!text.contains(raw), "raw {raw:?} reached the screen");
    }
    assert!(text.contains("sleep\\e]0;pwned\\x07 \\xff\\xfe \\u{202e}gpj.exe"));
    assert!(text.contains("evil\\e[2J\\x07"));
    insta::assert_snapshot!(text);
    // The namespace tree shows labels escaped.
    app.apply(Action::ShowNamespaces);
    let text = draw(&app);
    assert!(!text.contains('\x1b'));
    assert!(text.contains("box\\e]0;pwned\\x07"), "{text}");
}

/// A live app on the demo plus a set kept under /run/nsviz/old (enter and spawn need live).
fn live_sized(w: u16, h: u16) -> App {
    let mut s = demo();
    let mut ns = nsviz::model::Namespace::new(4026533001, NsType::Uts);
    ns.owner = Some(4026531837);
    ns.mounts = vec!["/run/nsviz/old/uts".into()];
    s.namespaces.push(ns);
    s.normalize();
    let mut app = App::new("live".into(), true);
    app.size = Rect::new(0, 0, w, h);
    app.set_snapshot(std::sync::Arc::new(s), std::time::Instant::now());
    app
}

#[test]
fn enter_dialog() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = live_sized(w, h);
        app.apply(Action::ShowProcesses);
        common::select_row(&mut app, NodeKey::Process(3101));
        app.apply(Action::EnterSelected);
        app.apply(Action::Down);
        insta::assert_snapshot!(format!("enter_dialog_{w}x{h}"), draw(&app));
    }
    // A namespace held only by a bind mount: entered through the file.
    let mut app = live_sized(80, 24);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Net, 4026532601));
    app.apply(Action::EnterSelected);
    insta::assert_snapshot!("enter_dialog_through_a_file", draw(&app));
}

#[test]
fn spawn_dialog() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = live_sized(w, h);
        app.apply(Action::SpawnDialog);
        for _ in 0..9 {
            app.apply(Action::NextField);
        }
        for c in "box".chars() {
            app.apply(Action::DialogInput(c));
        }
        for _ in 0..4 {
            app.apply(Action::NextField);
        }
        app.apply(Action::Check);
        app.apply(Action::NextField);
        for c in "demo".chars() {
            app.apply(Action::DialogInput(c));
        }
        // bwrap needs a command: the line shows $SHELL, which differs between machines.
        let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into());
        // Same width, so the rest of the line (spaces up to the border) is unchanged.
        let screen = draw(&app).replace(&shell, &format!("{:<1$}", "$SHELL", shell.len()));
        insta::assert_snapshot!(format!("spawn_dialog_{w}x{h}"), screen);
    }
}

#[test]
fn delete_confirmation() {
    let mut app = live_sized(80, 24);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Uts, 4026533001));
    app.apply(Action::DeleteKept);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn status_line_shows_how_scanning_keeps_to_its_budget() {
    let mut app = app_sized(demo(), 160, 24);
    assert!(!draw(&app).contains("rescan"), "within budget: no note");
    app.pace = Some(nsviz::tui::event::Pace {
        every: std::time::Duration::from_millis(1_200),
        full_pass: std::time::Duration::from_millis(83_100),
    });
    let screen = draw(&app);
    let status = screen.lines().rev().nth(1).unwrap_or_default();
    assert!(
        status.contains("rescan 2 s, full 84 s"),
        "status line: {status}"
    );
}

/// NO_COLOR / TERM=dumb: the selected row carries a marker on the border and reverse video,
/// the active tab is bracketed, and the screen has no colour at all.
#[test]
fn no_color_keeps_the_selection_and_the_active_tab_visible() {
    use ratatui::style::{Color, Modifier};
    for view in [
        Action::ShowNamespaces,
        Action::ShowProcesses,
        Action::ShowGraph,
    ] {
        let mut app = app_sized(demo(), 100, 30);
        app.colors = false;
        app.apply(view);
        app.apply(Action::Down);
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
        let buf = terminal.backend().buffer().clone();
        assert!(
            buf.content()
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
            "a colour under NO_COLOR in {view:?}"
        );
        if view != Action::ShowGraph {
            assert!(
                buf.content()
                    .iter()
                    .any(|c| c.modifier.contains(Modifier::REVERSED)),
                "no reverse video in {view:?}"
            );
        }
        let name = format!("no_color_{view:?}");
        insta::assert_snapshot!(name, terminal.backend().to_string());
    }
}

#[test]
fn help_scrolled_at_80x24() {
    let mut app = app_sized(demo(), 80, 24);
    app.apply(Action::Help);
    insta::assert_snapshot!("help_top_80x24", draw(&app));
    app.apply(Action::PageDown);
    insta::assert_snapshot!("help_page_down_80x24", draw(&app));
    app.apply(Action::End);
    insta::assert_snapshot!("help_end_80x24", draw(&app));
}

/// At 60 columns the status line drops whole parts (the counts per type give way to their
/// total) instead of cutting a word, and a long message ends in "…" at a word boundary.
#[test]
fn narrow_status_line_keeps_its_important_parts() {
    let mut app = app_sized(demo(), 60, 20);
    app.apply(Action::EnterSelected);
    let text = draw(&app);
    let lines: Vec<&str> = text.lines().collect();
    let status = lines[lines.len() - 2];
    let message = lines[lines.len() - 1];
    assert!(
        status.contains("demo-snapshot.json") && status.contains("procs"),
        "{status}"
    );
    assert!(
        status.contains("namespaces") && !status.contains(" net "),
        "{status}"
    );
    assert!(message.contains('…'), "{message}");
    insta::assert_snapshot!(text);
}

/// The sandboxes view on the demo plus a process that joined only docker web's network
/// namespace: it stands out ("⇄ net with docker web"); web's members are listed below.
#[test]
fn sandboxes_view() {
    let mut app = app_sized(common::demo_with_a_joiner(), 120, 40);
    app.apply(Action::ShowSandboxes);
    while app.selected() != Some(NodeKey::Process(2120)) {
        app.apply(Action::Down);
    }
    insta::assert_snapshot!("sandboxes_120x40", draw(&app));
    let mut app = app_sized(common::demo_with_a_joiner(), 80, 24);
    app.apply(Action::ShowSandboxes);
    app.apply(Action::End);
    insta::assert_snapshot!("sandboxes_80x24", draw(&app));
}

/// The change log after a scan where journald's mount namespace vanished and a netns
/// appeared, at a fixed wall-clock time.
#[test]
fn change_log_overlay() {
    use std::time::{Duration, Instant, SystemTime};
    let mut app = app_sized(demo(), 120, 30);
    let now = Instant::now();
    app.epoch = (
        SystemTime::UNIX_EPOCH + Duration::from_secs(12 * 3600 + 34 * 60 + 5),
        now,
    );
    let mut next = demo();
    next.namespaces.retain(|n| n.id != 4026532101);
    for p in &mut next.processes {
        if p.pid == 412 {
            p.ns.insert(NsType::Mnt, 4026531841);
        }
    }
    let mut fresh = nsviz::model::Namespace::new(4026532999, NsType::Net);
    fresh.owner = Some(4026531837);
    fresh.mounts.push("/run/netns/red".into());
    next.namespaces.push(fresh);
    next.normalize();
    nsviz::model::label::assign(&mut next);
    app.set_snapshot(std::sync::Arc::new(next), now);
    insta::assert_snapshot!("namespaces_with_a_new_and_a_gone_row", draw(&app));
    app.apply(Action::ShowChanges);
    insta::assert_snapshot!("change_log", draw(&app));
}

/// Fifty rootless containers at 200x50: fit folds the user namespaces that do not fit into a
/// "+N more" box and says so; Enter on it shows them; `+` adds detail from there.
#[test]
fn graph_with_fifty_containers_fits_and_zooms() {
    let mut app = app_sized(common::demo_with_fifty_containers(), 200, 50);
    app.apply(Action::ShowGraph);
    insta::assert_snapshot!("graph_fifty_fit_200x50", draw(&app));
    app.apply(Action::ZoomIn);
    insta::assert_snapshot!("graph_fifty_zoom_in_200x50", draw(&app));
    let app = app_sized(common::demo_with_fifty_containers(), 120, 40);
    let mut app = app;
    app.apply(Action::ShowGraph);
    insta::assert_snapshot!("graph_fifty_fit_120x40", draw(&app));
}

/// The graph's network mode on the demo: docker web's namespace hangs below the host's by
/// its veth pair (eth0 ⇄ veth3a1f2b0), with interfaces and addresses in each box.
#[test]
fn graph_network_mode() {
    let mut app = app_sized(demo(), 120, 40);
    app.apply(Action::ShowGraph);
    app.apply(Action::ToggleNetwork);
    insta::assert_snapshot!("graph_network_120x40", draw(&app));
}

#[test]
fn namespaces_80x24_with_the_detail_pane_hidden() {
    let mut app = app_sized(demo(), 80, 24);
    app.apply(Action::CycleDetail);
    app.apply(Action::CycleDetail);
    insta::assert_snapshot!(draw(&app));
}

/// The host's namespaces with 78 more kernel threads: the detail pane says "79 kernel
/// threads" in one line instead of listing them.
#[test]
fn kernel_threads_are_summarised_in_the_detail_pane() {
    let mut s = demo();
    let template = s.process(2).expect("kthreadd in the demo").clone();
    for i in 0..78 {
        let mut p = template.clone();
        p.pid = 100 + i;
        p.ppid = 2;
        p.comm = format!("kworker/{i}");
        for ns in &mut s.namespaces {
            if p.ns.get(&ns.ns_type) == Some(&ns.id) {
                ns.processes.push(p.pid);
                ns.processes.sort_unstable();
            }
        }
        s.processes.push(p);
    }
    s.normalize();
    nsviz::model::label::assign(&mut s);
    let app = app_sized(s, 120, 40);
    let text = draw(&app);
    assert!(text.contains("79 kernel threads"), "{text}");
    assert!(!text.contains("kworker/"), "{text}");
    assert!(text.contains("process 1 root systemd"), "{text}");
}

/// Enter on a namespace: the pane takes the focus, its title says so, and the picked holder
/// is drawn selected (with a marker on the border).
#[test]
fn detail_pane_with_the_focus_on_a_holder() {
    let mut app = app_sized(demo(), 100, 30);
    common::select_row(&mut app, NodeKey::Namespace(NsType::User, 4026532301));
    app.apply(Action::OpenDetail);
    app.apply(Action::Down);
    let text = draw(&app);
    assert!(text.contains("Enter jumps, Esc returns"), "{text}");
    insta::assert_snapshot!(text);
}

/// A process in a user namespace whose parent no process holds: the pane names that hidden
/// ancestor; a thread holder is shown with its process.
#[test]
fn detail_names_hidden_ancestors_and_a_threads_process() {
    let mut app = app_sized(demo(), 120, 40);
    app.apply(Action::ShowProcesses);
    common::select_row(&mut app, NodeKey::Process(3101));
    let text = draw(&app);
    assert!(text.contains("hidden ancestor user namespaces"), "{text}");
    assert!(text.contains("4026532401"), "{text}");

    let mut s = demo();
    let blue = s
        .namespaces
        .iter_mut()
        .find(|n| n.ns_type == NsType::Net && n.id == 4026532601)
        .unwrap();
    blue.tasks.push(3105);
    s.processes
        .iter_mut()
        .find(|p| p.pid == 3101)
        .unwrap()
        .threads_apart
        .push(3105);
    let mut app = app_sized(s, 120, 40);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Net, 4026532601));
    let text = draw(&app);
    assert!(text.contains("thread 3105 of process 3101"), "{text}");
}
