//! The enter and spawn dialogs as state: what they tick by default, the command lines they
//! show, the argv they run (parsed back by the real command line), kept sets, and refusals.
//! No terminal involved; tests/tui_e2e.rs runs them for real.

mod common;

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use ratatui::layout::Rect;

use nsviz::cli::{Cli, Command};
use nsviz::graph::NodeKey;
use nsviz::model::{Namespace, NsType, Snapshot};
use nsviz::ns::spec::{EnterFrom, EnterSpec, JoinFrom, SetupStep, SpawnNs, SpawnSpec};
use nsviz::tui::app::{App, HIGHLIGHT_AFTER_CHILD, NEEDS_LIVE, Request};
use nsviz::tui::dialog::{Dialog, SpawnField, kept_sets};
use nsviz::tui::equivalent;
use nsviz::tui::keys::Action;

fn demo() -> Snapshot {
    nsviz::source::read_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-snapshot.json"),
    )
    .expect("demo snapshot loads")
}

/// The demo plus a uts and a net namespace kept under /run/nsviz/old.
fn with_kept() -> Snapshot {
    let mut s = demo();
    for (t, id) in [(NsType::Uts, 4026533001), (NsType::Net, 4026533002)] {
        let mut ns = Namespace::new(id, t);
        ns.owner = Some(4026531837);
        ns.mounts = vec![format!("/run/nsviz/old/{}", t.name())];
        s.namespaces.push(ns);
    }
    s.normalize();
    s
}

/// A live app (enter and spawn allowed) showing `snapshot`.
fn live(snapshot: Snapshot) -> App {
    let mut app = App::new("live".into(), true);
    app.size = Rect::new(0, 0, 120, 40);
    app.set_snapshot(Arc::new(snapshot), Instant::now());
    app
}

fn parse(argv: &[OsString]) -> Command {
    let full = std::iter::once(OsString::from("nsviz")).chain(argv.iter().cloned());
    Cli::try_parse_from(full)
        .unwrap_or_else(|e| panic!("{e}"))
        .command
        .expect("a subcommand")
}

fn enter_lines(app: &App) -> (String, String) {
    let Some(Dialog::Enter(d)) = &app.dialog else {
        panic!("no enter dialog: {:?}", app.dialog)
    };
    let (nsviz, nsenter) = d.lines().expect("lines");
    (nsviz, nsenter.line)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        app.apply(Action::DialogInput(c));
    }
}

/// Moves the spawn dialog's focus to `field`.
fn focus(app: &mut App, field: SpawnField) {
    for _ in 0..40 {
        match &app.dialog {
            Some(Dialog::Spawn(d)) if d.focused() == field => return,
            Some(Dialog::Spawn(_)) => app.apply(Action::NextField),
            other => panic!("no spawn dialog: {other:?}"),
        };
    }
    panic!("{field:?} is not a field");
}

#[test]
fn enter_dialog_on_a_process_ticks_what_differs_and_lines_follow_the_boxes() {
    let mut app = live(demo());
    app.apply(Action::ShowProcesses);
    common::select_row(&mut app, NodeKey::Process(3101));
    app.apply(Action::EnterSelected);
    let Some(Dialog::Enter(d)) = &app.dialog else {
        panic!("no dialog; message {:?}", app.message)
    };
    // Ours are the scanner's (PID 1250): the host's. 3101 differs in all but time.
    let ticked: Vec<NsType> = d
        .choices
        .iter()
        .filter(|c| c.checked)
        .map(|c| c.ns_type)
        .collect();
    let snapshot = demo();
    let (p, me) = (
        snapshot.process(3101).unwrap(),
        snapshot.process(1250).unwrap(),
    );
    let differs: Vec<NsType> = NsType::ALL
        .into_iter()
        .filter(|t| p.ns[t] != me.ns[t])
        .collect();
    assert_eq!(ticked, differs);
    assert!(!ticked.contains(&NsType::Time));
    assert_eq!(
        enter_lines(&app),
        (
            "nsviz enter --target=3101 -U -m -p -n -u -i -C".to_string(),
            "nsenter --target=3101 -U -m -p -n -u -i -C".to_string()
        )
    );
    // Focus starts on the first ticked box (user); Space unticks it.
    app.apply(Action::Check);
    assert_eq!(
        enter_lines(&app).0,
        "nsviz enter --target=3101 -m -p -n -u -i -C"
    );
    // Up wraps to the last box (time); tick it.
    app.apply(Action::PrevField);
    app.apply(Action::Check);
    let (nsviz, nsenter) = enter_lines(&app);
    assert_eq!(nsviz, "nsviz enter --target=3101 -m -p -n -u -i -C -T");
    assert!(nsenter.starts_with("nsenter --target=3101 -m -p -n -u -i -C -T"));
    // Enter runs exactly that, and the real command line reads it back.
    app.apply(Action::Run);
    assert!(app.dialog.is_none());
    let [Request::RunChild(argv)] = &app.requests[..] else {
        panic!("{:?}", app.requests)
    };
    let Command::Enter(back) = parse(argv) else {
        panic!("not enter")
    };
    let mut want = EnterSpec {
        target: Some(3101),
        ..EnterSpec::default()
    };
    for t in [
        NsType::Mnt,
        NsType::Pid,
        NsType::Net,
        NsType::Uts,
        NsType::Ipc,
        NsType::Cgroup,
        NsType::Time,
    ] {
        want.namespaces.insert(t, EnterFrom::Target);
    }
    assert_eq!(back.to_spec(), want);
}

#[test]
fn enter_dialog_on_a_namespace_row() {
    let mut app = live(demo());
    // Held by processes: through the first one, only its type ticked.
    common::select_row(&mut app, NodeKey::Namespace(NsType::Mnt, 4026532201));
    app.apply(Action::EnterSelected);
    assert_eq!(
        enter_lines(&app),
        (
            "nsviz enter --target=2120 -m".to_string(),
            "nsenter --target=2120 -m".to_string()
        )
    );
    app.apply(Action::Back);
    assert!(app.dialog.is_none());
    // Held only by a mount, or only by an fd: through the file.
    common::select_row(&mut app, NodeKey::Namespace(NsType::Net, 4026532601));
    app.apply(Action::EnterSelected);
    assert_eq!(
        enter_lines(&app),
        (
            "nsviz enter --net=/run/netns/blue".to_string(),
            "nsenter --net=/run/netns/blue".to_string()
        )
    );
    app.apply(Action::Back);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Uts, 4026532603));
    app.apply(Action::EnterSelected);
    assert_eq!(enter_lines(&app).0, "nsviz enter --uts=/proc/820/fd/5");
    // Nothing ticked: Enter says so and runs nothing.
    app.apply(Action::Check);
    app.apply(Action::Run);
    assert!(app.requests.is_empty());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("tick at least one")
    );
    assert!(app.dialog.is_some());
    app.apply(Action::Back);
    // A hidden user namespace cannot be entered: the status line says why.
    common::select_row(&mut app, NodeKey::Namespace(NsType::User, 4026532401));
    app.apply(Action::EnterSelected);
    assert!(app.dialog.is_none());
    assert!(app.message.as_deref().unwrap().contains("nothing holds"));
}

#[test]
fn spawn_dialog_fields_make_the_spawn_args_and_lines() {
    let mut app = live(demo());
    app.apply(Action::SpawnDialog);
    let Some(Dialog::Spawn(d)) = &app.dialog else {
        panic!("no spawn dialog")
    };
    // Defaults for root: mnt, pid, uts and a new /proc.
    assert_eq!(d.types, [NsType::Mnt, NsType::Pid, NsType::Uts]);
    assert!(d.mount_proc && !d.map_root);
    assert!(!app.dialog_text_focus());
    // Tick net, untick uts (hostname will imply it again).
    focus(&mut app, SpawnField::Type(NsType::Net));
    app.apply(Action::Check);
    focus(&mut app, SpawnField::Type(NsType::Uts));
    app.apply(Action::Check);
    focus(&mut app, SpawnField::Hostname);
    assert!(app.dialog_text_focus());
    typed(&mut app, "boxx");
    app.apply(Action::DialogBackspace);
    focus(&mut app, SpawnField::Binds);
    typed(&mut app, "/tmp /mnt; /a b");
    focus(&mut app, SpawnField::DropCaps);
    app.apply(Action::Check);
    focus(&mut app, SpawnField::Keep);
    typed(&mut app, "k1");

    let mut want = SpawnSpec {
        hostname: Some("box".into()),
        mount_proc: Some("/proc".into()),
        drop_caps: true,
        keep: Some("k1".into()),
        ..SpawnSpec::default()
    };
    want.setup = vec![
        SetupStep::Bind {
            src: "/tmp".into(),
            dst: "/mnt".into(),
        },
        SetupStep::Bind {
            src: "/a".into(),
            dst: "b".into(),
        },
    ];
    for t in [NsType::Mnt, NsType::Pid, NsType::Net] {
        want.namespaces.insert(t, SpawnNs::New);
    }
    let Some(Dialog::Spawn(d)) = &app.dialog else {
        panic!()
    };
    assert_eq!(d.spec().unwrap(), want);
    // uts is implied by the hostname: shown as such, and created.
    assert!(d.implied_types().contains(&NsType::Uts));
    let (nsviz, unshare, bwrap) = d.lines().unwrap();
    assert_eq!(nsviz, equivalent::nsviz_spawn_line(&want));
    assert_eq!(unshare, equivalent::unshare(&want));
    assert_eq!(bwrap, equivalent::bwrap(&want));
    assert!(unshare.line.contains("--uts=/run/nsviz/k1/uts"));
    assert!(bwrap.line.contains("--hostname box"));

    app.apply(Action::Run);
    let [Request::RunChild(argv)] = &app.requests[..] else {
        panic!("{:?} {:?}", app.requests, app.message)
    };
    assert_eq!(argv, &equivalent::spawn_argv(&want));
    let Command::Spawn(back) = parse(argv) else {
        panic!("not spawn")
    };
    assert_eq!(back.to_spec().unwrap(), want);
}

#[test]
fn spawn_dialog_refuses_bad_fields_with_one_sentence() {
    let mut app = live(with_kept());
    app.apply(Action::SpawnDialog);
    focus(&mut app, SpawnField::Binds);
    typed(&mut app, "/only-one");
    app.apply(Action::Run);
    assert!(app.requests.is_empty());
    assert!(app.message.as_deref().unwrap().contains("is not SRC DST"));
    for _ in 0.."/only-one".len() {
        app.apply(Action::DialogBackspace);
    }
    focus(&mut app, SpawnField::Keep);
    typed(&mut app, "a/b");
    app.apply(Action::Run);
    assert!(app.message.as_deref().unwrap().contains("invalid name"));
    for _ in 0..3 {
        app.apply(Action::DialogBackspace);
    }
    typed(&mut app, "old");
    app.apply(Action::Run);
    assert!(app.message.as_deref().unwrap().contains("already exist"));
    assert!(app.requests.is_empty());
    // Nothing ticked, nothing implied.
    app.apply(Action::Back);
    app.apply(Action::SpawnDialog);
    for t in [NsType::Mnt, NsType::Pid, NsType::Uts] {
        focus(&mut app, SpawnField::Type(t));
        app.apply(Action::Check);
    }
    focus(&mut app, SpawnField::MountProc);
    app.apply(Action::Check);
    app.apply(Action::Run);
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("nothing to create")
    );
    assert!(app.requests.is_empty());
}

#[test]
fn kept_sets_are_listed_and_deleted_after_a_confirmation() {
    let snapshot = with_kept();
    let sets = kept_sets(&snapshot);
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].name, "old");
    assert_eq!(sets[0].types, [NsType::Net, NsType::Uts]);

    // From the namespace tree: D on a kept namespace, Esc keeps it, y deletes.
    let mut app = live(snapshot);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Uts, 4026533001));
    app.apply(Action::DeleteKept);
    assert!(matches!(&app.dialog, Some(Dialog::ConfirmDelete(s)) if s.name == "old"));
    app.apply(Action::Back);
    assert!(app.dialog.is_none() && app.requests.is_empty());
    app.apply(Action::DeleteKept);
    app.apply(Action::Confirm);
    assert_eq!(app.requests, [Request::DeleteKept("old".into())]);
    app.requests.clear();
    // D on a namespace that is not kept says how to make one.
    common::select_row(&mut app, NodeKey::Namespace(NsType::Net, 4026532601));
    app.apply(Action::DeleteKept);
    assert!(app.dialog.is_none());
    assert!(app.message.as_deref().unwrap().contains("/run/nsviz/NAME"));

    // From the spawn dialog's list: D on the kept row, Enter confirms.
    app.apply(Action::SpawnDialog);
    focus(&mut app, SpawnField::Kept(0));
    app.apply(Action::DeleteKept);
    app.apply(Action::Run);
    assert_eq!(app.requests, [Request::DeleteKept("old".into())]);
}

#[test]
fn a_snapshot_file_refuses_enter_spawn_and_delete() {
    let mut app = App::with_snapshot(with_kept(), "demo", Rect::new(0, 0, 120, 40));
    common::select_row(&mut app, NodeKey::Namespace(NsType::Uts, 4026533001));
    for a in [
        Action::EnterSelected,
        Action::SpawnDialog,
        Action::DeleteKept,
    ] {
        app.apply(a);
        assert!(app.dialog.is_none());
        assert_eq!(app.message.as_deref(), Some(NEEDS_LIVE));
    }
    assert!(app.requests.is_empty());
}

#[test]
fn after_a_child_the_status_line_tells_and_new_namespaces_stay_highlighted_longer() {
    let mut app = live(demo());
    let argv: Vec<OsString> = vec!["spawn".into(), "-u".into()];
    let now = Instant::now();
    app.child_finished(&argv, Ok(std::process::ExitStatus::from_raw(125 << 8)), now);
    assert_eq!(
        app.message.as_deref(),
        Some("nsviz spawn exited with status 125")
    );
    assert_eq!(app.requests, [Request::Rescan]);
    app.child_finished(&argv, Ok(std::process::ExitStatus::from_raw(9)), now);
    assert_eq!(
        app.message.as_deref(),
        Some("nsviz spawn was killed by signal 9")
    );
    app.child_finished(&argv, Err("cannot run /x: no such file".into()), now);
    assert_eq!(app.message.as_deref(), Some("cannot run /x: no such file"));
    // The rescan that follows marks what appeared, for longer than usual.
    let snapshot = with_kept();
    app.set_snapshot(Arc::new(snapshot), now);
    let key = NodeKey::Namespace(NsType::Uts, 4026533001);
    assert!(app.is_new(&key));
    assert_eq!(app.highlights.appeared[&key], now + HIGHLIGHT_AFTER_CHILD);
}

#[test]
fn spawn_dialog_connects_a_veth_or_joins_a_network_namespace() {
    let mut app = live(with_kept());
    app.apply(Action::SpawnDialog);
    focus(&mut app, SpawnField::Veth);
    assert!(app.dialog_text_focus());
    typed(&mut app, "10.0.0.2/24 10.0.0.1/24");
    let Some(Dialog::Spawn(d)) = &app.dialog else {
        panic!("no spawn dialog")
    };
    let a = d.spec().unwrap();
    let net = &a.network;
    assert!(net.veth.is_some() && net.route);
    assert_eq!(net.addrs[0].to_string(), "10.0.0.2/24");
    assert_eq!(net.peer_addrs[0].to_string(), "10.0.0.1/24");
    // The veth implies a new network namespace.
    assert!(d.implied_types().contains(&NsType::Net));
    let ip = d.ip_line().expect("an ip line");
    assert!(
        ip.line
            .contains("ip link add nsviz0 type veth peer name eth0 netns NAME"),
        "{}",
        ip.line
    );
    assert!(
        ip.line
            .contains("ip -n NAME route add default via 10.0.0.1")
    );
    let (_, unshare, _) = d.lines().unwrap();
    assert!(unshare.notes.iter().any(|n| n.contains("see the ip line")));

    // A bound net namespace can be joined; joining and creating one is refused.
    focus(&mut app, SpawnField::JoinNet);
    app.apply(Action::Check);
    let Some(Dialog::Spawn(d)) = &app.dialog else {
        panic!()
    };
    // Those of the host bound to files: the demo's `ip netns` one, and the kept one.
    // The host's network namespaces but the viewer's own: those bound to files first (the
    // demo's `ip netns` one and the kept one), then those only processes are in, each
    // through one of its processes.
    let offered: Vec<(&str, &JoinFrom)> = d
        .net_choices
        .iter()
        .map(|c| (c.shown.as_str(), &c.from))
        .collect();
    assert_eq!(
        offered,
        [
            (
                "/run/netns/blue (netns blue net:[4026532601])",
                &JoinFrom::File("/run/netns/blue".into())
            ),
            (
                "/run/nsviz/old/net (net:[4026533002])",
                &JoinFrom::File("/run/nsviz/old/net".into())
            ),
            (
                "docker web (3f2a9c1b7d4e) net:[4026532206] through pid 2120",
                &JoinFrom::Pid(2120)
            ),
            (
                "podman alpine-box (9b8c7d6e5f4a) net:[4026532307] through pid 3040",
                &JoinFrom::Pid(3040)
            ),
            (
                "podman alpine-box (9b8c7d6e5f4a) net:[4026532405] through pid 3100",
                &JoinFrom::Pid(3100)
            ),
        ]
    );
    let err = d.spec().unwrap_err();
    assert!(
        err.contains("cannot both join and create a net namespace"),
        "{err}"
    );
    focus(&mut app, SpawnField::Veth);
    for _ in 0.."10.0.0.2/24 10.0.0.1/24".len() {
        app.apply(Action::DialogBackspace);
    }
    let Some(Dialog::Spawn(d)) = &app.dialog else {
        panic!()
    };
    let a = d.spec().unwrap();
    let joins = a.joins();
    assert_eq!(joins.len(), 1);
    assert_eq!(joins[0].0, NsType::Net);
    app.apply(Action::Run);
    let [Request::RunChild(argv)] = &app.requests[..] else {
        panic!("{:?} {:?}", app.requests, app.message)
    };
    assert!(argv.contains(&OsString::from("--join=net=/run/netns/blue")));
    let Command::Spawn(back) = parse(argv) else {
        panic!("not spawn")
    };
    assert_eq!(back.to_spec().unwrap(), a);

    // A container's network namespace, which no file holds, is joined through its process.
    let mut app = live(demo());
    app.apply(Action::SpawnDialog);
    focus(&mut app, SpawnField::JoinNet);
    let docker = JoinFrom::Pid(2120);
    for _ in 0..10 {
        let Some(Dialog::Spawn(d)) = &app.dialog else {
            panic!()
        };
        let chosen = d.join_net.checked_sub(1).map(|i| &d.net_choices[i].from);
        if chosen == Some(&docker) {
            break;
        }
        app.apply(Action::Check);
    }
    app.apply(Action::Run);
    let [Request::RunChild(argv)] = &app.requests[..] else {
        panic!("{:?} {:?}", app.requests, app.message)
    };
    assert!(
        argv.contains(&OsString::from("--join=net=2120")),
        "{argv:?}"
    );

    // A bad address is one sentence.
    let mut app = live(demo());
    app.apply(Action::SpawnDialog);
    focus(&mut app, SpawnField::Veth);
    typed(&mut app, "10.0.0/24");
    app.apply(Action::Run);
    assert!(app.requests.is_empty());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("is not an address with a prefix length")
    );
}

#[test]
fn entering_a_kept_namespace_offers_its_whole_set() {
    let mut app = live(with_kept());
    // From either namespace of the set: both ticked, each through its file.
    for id in [4026533001, 4026533002] {
        let t = if id == 4026533001 {
            NsType::Uts
        } else {
            NsType::Net
        };
        common::select_row(&mut app, NodeKey::Namespace(t, id));
        app.apply(Action::EnterSelected);
        let Some(Dialog::Enter(d)) = &app.dialog else {
            panic!("an enter dialog")
        };
        let ticked: Vec<(NsType, u64)> = d
            .choices
            .iter()
            .filter(|c| c.checked)
            .map(|c| (c.ns_type, c.id))
            .collect();
        assert_eq!(
            ticked,
            [(NsType::Net, 4026533002), (NsType::Uts, 4026533001)]
        );
        assert!(d.what.contains("/run/nsviz/old"), "{}", d.what);
        let (line, nsenter) = enter_lines(&app);
        assert_eq!(
            line,
            "nsviz enter --net=/run/nsviz/old/net --uts=/run/nsviz/old/uts"
        );
        assert_eq!(
            nsenter,
            "nsenter --net=/run/nsviz/old/net --uts=/run/nsviz/old/uts"
        );
        // What runs is what the dialog shows: the real command line parses it.
        app.apply(Action::Run);
        let [Request::RunChild(argv)] = &app.requests[..] else {
            panic!("{:?}", app.requests)
        };
        assert!(matches!(parse(argv), Command::Enter(_)));
        app.requests.clear();
    }
}

/// A real kept set: e on one of its namespaces in a live scan builds a command that enters
/// every namespace of the set, as the binary shows when it runs it.
#[test]
fn entering_a_real_kept_set_enters_all_of_it() {
    use std::os::unix::fs::MetadataExt;
    if !common::require_root("keep namespaces under /run/nsviz") {
        return;
    }
    let name = common::unique("keptenter");
    let n = name.clone();
    let _cleanup = common::Cleanup(|| {
        let _ = common::nsviz().args(["forget", &n]).output();
    });
    common::run_ok(common::nsviz().args(["spawn", "-u", "-n", "--keep", &name, "--", "true"]));
    let inode = |t: &str| {
        std::fs::metadata(format!("/run/nsviz/{name}/{t}"))
            .expect("kept file")
            .ino()
    };
    let (uts, net) = (inode("uts"), inode("net"));
    let options = nsviz::scan::ScanOptions::new(Path::new("/proc"));
    let snapshot = nsviz::scan::scan(&options).expect("scan");
    let mut app = live(snapshot);
    common::select_row(&mut app, NodeKey::Namespace(NsType::Uts, uts));
    app.apply(Action::EnterSelected);
    app.apply(Action::Run);
    let [Request::RunChild(argv)] = &app.requests[..] else {
        panic!("{:?} {:?}", app.requests, app.message)
    };
    // The viewer runs a shell; here a command that tells where it is.
    let mut argv = argv.clone();
    argv.extend(
        ["--", "readlink", "/proc/self/ns/uts", "/proc/self/ns/net"]
            .iter()
            .map(OsString::from),
    );
    let out = common::stdout_of(common::nsviz().args(&argv));
    assert_eq!(out, format!("uts:[{uts}]\nnet:[{net}]\n"), "{argv:?}");
}
