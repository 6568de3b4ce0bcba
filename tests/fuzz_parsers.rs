//! A short deterministic fuzz pass (fixed seed, a few thousand inputs each) over every parser
//! of untrusted input: snapshot JSON (and the outputs drawn from what it accepts), /proc/PID/
//! status and cmdline, mountinfo (nsfs and full), cgroup paths and their attribution, passwd;
//! and the viewer's views of what it accepts. None may
//! panic. Longer runs: fuzz/ (cargo-fuzz).

use clap::Parser;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use serde_json::{Value, json};

use nsviz::cli::{Cli, Command, TreeBy};
use nsviz::model::Snapshot;
use nsviz::tui::app::App;
use nsviz::tui::keys::Action;

/// xorshift64*: small, fast, and the same sequence on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes parsers tend to trip over.
const TOKENS: &[&[u8]] = &[
    b"\0",
    b"\n",
    b"\t",
    b" ",
    b":",
    b"\\",
    b"\\0",
    b"\\12",
    b"\\777",
    b"-",
    b"(",
    b")",
    b"4294967295",
    b"18446744073709551616",
    b"-1",
    b"0",
    b"\xff",
    b"\xc3",
    b"\xe2\x80\xae",
    b"\xc2\x9b",
    b"nsfs",
    b"net:[",
    b"]",
    b" - ",
    b"\x1b[2J",
    b"9999999999999999999999",
];

/// Mutates `seed` a few times: flips, inserts, deletes, duplicates, truncates.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = rng.pick(TOKENS);
                data.splice(at..at, token.iter().copied());
            }
            2 if at < data.len() => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 if at < data.len() => {
                let end = (at + rng.below(64)).min(data.len());
                let copy = data[at..end].to_vec();
                data.splice(at..at, copy);
            }
            4 => data.truncate(at),
            _ => data.insert(at.min(data.len()), rng.next() as u8),
        }
    }
    data
}

const STATUS: &[u8] = b"Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\nNgid:\t0\n\
Pid:\t42\nPPid:\t1\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\n\
Groups:\t\nNStgid:\t42\t1\nNSpid:\t42\t1\nNSpgid:\t42\t1\nNSsid:\t42\t1\nKthread:\t0\n\
Threads:\t1\n";

const CMDLINE: &[u8] = b"/usr/bin/python3\0-c\0print('x')\0\0";

const MOUNTINFO: &[u8] = b"22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n\
530 22 0:4 net:[4026532300] /run/netns/blue rw shared:5 - nsfs nsfs rw\n\
531 22 0:4 uts:[4026532301] /tmp/with\\040space rw - nsfs nsfs rw\n\
99 22 0:5 / /proc rw,nosuid - proc proc rw\n";

const CGROUP: &[u8] = b"12:memory:/docker/3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8\n\
1:name=systemd:/system.slice/docker-3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8.scope\n\
0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b1c2d3e_1111_2222_3333_444455556666.slice/cri-containerd-3f2a9c1b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8.scope\n";

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/sbin/nologin\n\
# comment\nbad\n:x:1:1::/:/x\n";

#[test]
fn proc_file_parsers_never_panic() {
    let mut rng = Rng(0x5eed_0001);
    for _ in 0..3000 {
        let status = mutate(&mut rng, STATUS);
        let _ = nsviz::scan::process::parse_status(&status);
        let cmdline = mutate(&mut rng, CMDLINE);
        let _ = nsviz::scan::process::parse_cmdline(&cmdline);
        let mountinfo = mutate(&mut rng, MOUNTINFO);
        let _ = nsviz::scan::mounts::parse_mountinfo(&mountinfo);
        let _ = nsviz::scan::mounts::parse_mounts(&mountinfo);
        let cgroup = mutate(&mut rng, CGROUP);
        if let Some(path) = nsviz::scan::attribution::parse_cgroup(&cgroup) {
            let _ = nsviz::scan::attribution::attribute(&path);
        }
        let passwd = mutate(&mut rng, PASSWD);
        let _ = nsviz::scan::users::parse_passwd(&passwd);
    }
}

fn demo_text() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/demo-snapshot.json"
    ))
    .unwrap()
}

/// Values a hostile snapshot may hold where a number, a string or a list is expected.
fn odd_value(rng: &mut Rng, current: &Value) -> Value {
    let options = [
        json!(null),
        json!(0),
        json!(-1),
        json!(u64::MAX),
        json!(u32::MAX),
        json!(1.5),
        json!(""),
        json!("\u{1b}]0;x\u{7}\u{9b}\u{202e}"),
        json!([]),
        json!({}),
        json!([1, 1, 1]),
        json!("user"),
        json!("pid"),
        current.clone(),
    ];
    rng.pick(&options).clone()
}

/// Replaces one value somewhere in the document (a structural mutation: the text stays JSON,
/// so the mutations reach past the parser into the model and the outputs).
fn mutate_value(rng: &mut Rng, value: &mut Value, depth: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(rng.below(map.len())).unwrap().clone();
            let child = map.get_mut(&key).unwrap();
            if depth > 0 && rng.below(3) != 0 {
                mutate_value(rng, child, depth - 1);
            } else {
                *child = odd_value(rng, child);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = rng.below(items.len());
            match rng.below(4) {
                0 => {
                    let copy = items[i].clone();
                    items.push(copy);
                }
                1 => {
                    items.remove(i);
                }
                _ => mutate_value(rng, &mut items[i], depth.saturating_sub(1)),
            }
        }
        other => *other = odd_value(rng, other),
    }
}

fn args_of(line: &[&str]) -> Command {
    Cli::try_parse_from(line).unwrap().command.unwrap()
}

/// Every text output of an accepted snapshot; none may panic.
fn draw_everything(snapshot: &Snapshot) {
    let mut out = Vec::new();
    if let Command::List(args) = args_of(&["nsviz", "list", "--output-all"]) {
        let _ = nsviz::output::list::write(
            snapshot,
            &args,
            None,
            nsviz::output::color::Palette::new(true),
            &mut out,
        );
    }
    if let Command::List(args) = args_of(&["nsviz", "list", "--json"]) {
        let _ = nsviz::output::list::write(
            snapshot,
            &args,
            None,
            nsviz::output::color::Palette::new(true),
            &mut out,
        );
    }
    for by in [TreeBy::Owner, TreeBy::Parent, TreeBy::Process] {
        let _ = nsviz::output::tree::render(
            snapshot,
            by,
            &[],
            nsviz::output::color::Palette::new(true),
        );
    }
    if let Command::Graph(args) = args_of(&["nsviz", "graph"]) {
        let _ = nsviz::output::graph::write(snapshot, &args, &mut out);
    }
    if let Command::Snapshot(args) = args_of(&["nsviz", "snapshot"]) {
        let _ = nsviz::output::snapshot::write(snapshot, &args, &mut out);
    }
    // The viewer: each view, and the detail and explain panes of a selected row.
    let mut app = App::with_snapshot(snapshot.clone(), "fuzz", Rect::new(0, 0, 100, 30));
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    for action in [
        Action::ExpandAll,
        Action::Down,
        Action::Explain,
        Action::Back,
        Action::ToggleGrouping,
        Action::ShowProcesses,
        Action::ExpandAll,
        Action::End,
        Action::ShowGraph,
        Action::ZoomIn,
    ] {
        app.apply(action);
        terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
    }
}

#[test]
fn snapshot_parser_and_outputs_never_panic() {
    let text = demo_text();
    let document: Value = serde_json::from_slice(&text).unwrap();
    let mut rng = Rng(0x5eed_0002);
    let mut accepted = 0;
    for round in 0..2000 {
        let input = if round % 2 == 0 {
            mutate(&mut rng, &text)
        } else {
            let mut value = document.clone();
            for _ in 0..=rng.below(4) {
                mutate_value(&mut rng, &mut value, 4);
            }
            serde_json::to_vec(&value).unwrap()
        };
        if let Ok(snapshot) = nsviz::source::parse(&input, "fuzz") {
            accepted += 1;
            draw_everything(&snapshot);
        }
    }
    // The structural half must mostly reach the outputs, or this pass tests only the parser.
    assert!(accepted > 100, "only {accepted} inputs were accepted");
}
