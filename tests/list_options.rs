//! `nsviz list` with lsns's options, each against `lsns` itself (util-linux 2.38) on
//! namespaces the test makes: -r, -l, -n, -u, -T[=REL], -o with -J, a NAMESPACE argument,
//! truncation to the terminal's width (through `script`, which gives both a terminal), the
//! escaping of hostile command lines; and nsviz's -P, -H and the footer on stderr.

mod common;
mod ns_common;

use std::process::Command;
use std::time::Duration;

use ns_common::{BindFile, nsviz, run};
use serde_json::Value;

/// The fixture: one namespace of every type, root mapped (unshare, which stays outside the new
/// PID namespace, and its child `sleep`). Returns the guard and the sleeper's pid.
fn every_type() -> (common::Background, i32) {
    let bg = common::Background::spawn(&mut common::unshare_every_type());
    let parent = bg.pid();
    let mut sleeper = None;
    assert!(common::wait_until(Duration::from_secs(10), || {
        sleeper = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .ok()
            .and_then(|c| c.split_whitespace().next().and_then(|p| p.parse().ok()))
            .filter(|p: &i32| {
                std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c == "sleep\n")
            });
        sleeper.is_some()
    }));
    (bg, sleeper.unwrap())
}

/// A table with each run of spaces made one: lsns's width hints (libsmartcols) sometimes pad
/// TYPE, PID or PPID by a space or two more than nsviz does, depending on the whole table
/// (docs/compat.md, D13). Values, their order, the tree marks and the escapes still count.
fn spaces_collapsed(table: &str) -> String {
    table
        .lines()
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `lsns ARGS` and `nsviz list ARGS` back to back until their standard outputs agree
/// (other tests start and stop processes meanwhile); panics with the last pair otherwise.
fn same_as_lsns(args: &[&str]) -> String {
    let mut last = (String::new(), String::new());
    for _ in 0..5 {
        let theirs = run(Command::new("lsns").args(args)).ok().out;
        let mut ours_args = vec!["list"];
        ours_args.extend_from_slice(args);
        let ours = nsviz(&ours_args).ok().out;
        let raw = args.iter().any(|a| *a == "-r" || *a == "--raw");
        if ours == theirs || (!raw && spaces_collapsed(&ours) == spaces_collapsed(&theirs)) {
            return ours;
        }
        last = (ours, theirs);
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{args:?} differs\nnsviz:\n{}\nlsns:\n{}", last.0, last.1);
}

/// The same for JSON, compared as values (lsns indents with three spaces, nsviz with two).
fn same_json_as_lsns(args: &[&str]) -> Value {
    let mut last = (Value::Null, Value::Null);
    for _ in 0..5 {
        // lsns gives up a whole run (exit 1, nothing printed) when a process of another test
        // vanishes under it: ask again.
        let lsns = run(Command::new("lsns").args(args));
        if lsns.code != Some(0) {
            std::thread::sleep(Duration::from_millis(100));
            continue;
        }
        let theirs: Value = serde_json::from_str(&lsns.out).unwrap();
        let mut ours_args = vec!["list"];
        ours_args.extend_from_slice(args);
        let mut ours: Value = serde_json::from_str(&nsviz(&ours_args).ok().out).unwrap();
        if let Some(map) = ours.as_object_mut() {
            map.remove("skipped");
        }
        if ours == theirs {
            return ours;
        }
        last = (ours, theirs);
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{args:?} differs\nnsviz:\n{:#}\nlsns:\n{:#}",
        last.0, last.1
    );
}

#[test]
fn table_options_as_lsns_prints_them() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let (_guard, sleeper) = every_type();
    let pid = sleeper.to_string();
    let lsns_default = "NS,TYPE,NPROCS,PID,USER,COMMAND";
    for args in [
        // lsns 2.38 draws the process tree in COMMAND: the pid namespace's sleep is a child
        // of the unshare above it.
        &["-o", lsns_default][..],
        &["-l", "-o", lsns_default],
        &["-r", "-o", lsns_default],
        &["-n", "-o", lsns_default],
        &["-r", "-n", "-l", "-o", lsns_default],
        &["-T", "-o", lsns_default],
        &["--tree=owner", "-r", "-o", lsns_default],
        &["--tree=parent", "-o", "NS,TYPE,PNS,ONS"],
        &["-T=parent", "-o", "NS,TYPE,PNS"],
        &["--tree=process", "-o", "NS,TYPE,PID,PPID"],
        &["-o", "NS,PATH,UID,USER,PPID,NPROCS"],
        &[
            "-t",
            "user",
            "-t",
            "cgroup",
            "-o",
            "NS,TYPE,PID,USER,COMMAND",
        ],
        &["-u", "-W", "-o", lsns_default],
    ] {
        let mut args = args.to_vec();
        args.extend(["-p", &pid]);
        let out = same_as_lsns(&args);
        assert!(out.lines().count() >= 2, "{args:?}: {out}");
    }
}

#[test]
fn json_honours_columns_and_nests_trees() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let (_guard, sleeper) = every_type();
    let pid = sleeper.to_string();
    let flat = same_json_as_lsns(&["-J", "-o", "NS,TYPE,PID,COMMAND", "-l", "-p", &pid]);
    assert_eq!(flat["namespaces"].as_array().unwrap().len(), 8);
    // The keys in the order of -o, as lsns writes them.
    let text = nsviz(&["list", "-J", "-o", "NS,TYPE,PID,COMMAND", "-p", &pid])
        .ok()
        .out;
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
    assert!(at("ns") < at("type") && at("type") < at("pid") && at("pid") < at("command"));

    let tree = same_json_as_lsns(&["-J", "-T", "-o", "NS,TYPE,ONS", "-p", &pid]);
    // The host's user namespace (not one of the process's, but its owner's owner) is the root,
    // as in lsns: our user namespace under it, and our seven others under that.
    let top = tree["namespaces"].as_array().unwrap();
    assert_eq!(top.len(), 1, "{tree:#}");
    let ours = &top[0]["children"][0];
    assert_eq!(ours["type"], "user");
    assert_eq!(ours["children"].as_array().unwrap().len(), 7);
    same_json_as_lsns(&["-J", "--tree=parent", "-o", "NS,TYPE,PNS", "-p", &pid]);
}

#[test]
fn a_namespace_argument_lists_its_processes() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let (_guard, sleeper) = every_type();
    let user = common::ns_inode(sleeper, "user").unwrap().to_string();
    let pid_ns = common::ns_inode(sleeper, "pid").unwrap().to_string();
    // The user namespace holds unshare and its child sleep: a tree of two.
    let out = same_as_lsns(&[&user]);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.contains("└─sleep 100"), "{out}");
    same_as_lsns(&["-l", &user]);
    same_as_lsns(&["-r", &user]);
    same_as_lsns(&["-o", "PID,NS,COMMAND", &user]);
    same_as_lsns(&[&pid_ns]);
    let json = same_json_as_lsns(&["-J", &user]);
    assert_eq!(json["namespaces"][0]["children"][0]["command"], "sleep 100");

    // A namespace nobody has: lsns and nsviz both fail with status 1.
    let theirs = run(Command::new("lsns").arg("1"));
    let ours = nsviz(&["list", "1"]);
    assert_eq!(ours.code, theirs.code);
    assert_eq!(ours.one_error_line(), "nsviz: no namespace 1 found");
}

/// `script` runs the command on a terminal of COLUMNS columns; returns what it printed.
fn on_terminal(columns: &str, command: &str) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-qc", command, "/dev/null"])
        .env("COLUMNS", columns);
    run(&mut cmd).ok().out
}

#[test]
fn command_is_cut_to_the_terminal_width_as_lsns_cuts_it() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let (_guard, sleeper) = every_type();
    let nsviz = common::nsviz_path();
    let nsviz = nsviz.to_str().unwrap();
    for (columns, options) in [
        ("50", "-o NS,TYPE,NPROCS,PID,USER,COMMAND"),
        ("45", "-o NS,COMMAND,PID"),
        ("50", "-u -o NS,TYPE,COMMAND"),
        ("200", "-o NS,TYPE,COMMAND"),
    ] {
        let args = format!("{options} -p {sleeper}");
        // lsns gives up on a whole run when a process of another test vanishes under it:
        // ask again (a few times) rather than compare with nothing.
        let theirs = (0..5)
            .map(|_| on_terminal(columns, &format!("lsns {args}")))
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        // On a terminal nsviz colours headings and types (lsns does not): the bytes compare
        // with colour off; the colours themselves are tested in tui_e2e.
        let ours = on_terminal(
            columns,
            &format!("{nsviz} --color never list {args} 2>/dev/null"),
        );
        assert_eq!(ours, theirs, "{columns} columns, {options}");
        let cut = theirs
            .lines()
            .all(|l| l.trim_end_matches('\r').chars().count() <= 50);
        assert_eq!(cut, columns != "200" && !options.contains("-u"), "{theirs}");
    }
}

#[test]
fn hostile_command_lines_are_escaped_as_lsns_escapes_them() {
    if !common::require_root("create a uts namespace") {
        return;
    }
    // argv[0] with ESC, a backslash, a space, BEL and a non-ASCII letter.
    let script = "import os; os.execv('/bin/sleep', ['sle\\x1bep\\\\x a\\x07\\u00e9', '100'])";
    let bg =
        common::Background::spawn(Command::new("unshare").args(["-u", "python3", "-c", script]));
    let pid = bg.pid();
    assert!(common::wait_until(Duration::from_secs(10), || {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.starts_with("sle"))
    }));
    let pid = pid.to_string();
    let out = same_as_lsns(&["-p", &pid, "-t", "uts", "-o", "NS,COMMAND"]);
    assert!(out.contains("sle\\x1bep\\x5cx a\\x07\u{e9} 100"), "{out}");
    assert!(!out.contains('\x1b'));
    let out = same_as_lsns(&["-r", "-p", &pid, "-t", "uts", "-o", "NS,COMMAND"]);
    assert!(
        out.contains("sle\\x1bep\\x5cx\\x20a\\x07\\xc3\\xa9\\x20100"),
        "{out}"
    );
    same_json_as_lsns(&["-J", "-p", &pid, "-t", "uts", "-o", "NS,COMMAND"]);
}

#[test]
fn persistent_lists_only_namespaces_no_process_is_in() {
    if !common::require_root("bind a namespace to a file") {
        return;
    }
    let file = BindFile::new("uts");
    std::fs::write(&file.path, "").unwrap();
    run(Command::new("unshare")
        .arg(format!("--uts={}", file.as_str()))
        .arg("true"))
    .ok();
    let id = std::fs::metadata(&file.path)
        .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
        .unwrap();
    let out = nsviz(&["list", "-P", "-n", "-o", "NS,NPROCS,NSFS"])
        .ok()
        .out;
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        rows.iter()
            .any(|r| r[0] == id.to_string() && r.get(2) == Some(&file.as_str())),
        "{out}"
    );
    assert!(rows.iter().all(|r| r[1] == "0"), "{out}");
    // Without -P the namespaces with processes are there too.
    let all = nsviz(&["list", "-n", "-o", "NS,NPROCS"]).ok().out;
    assert!(
        all.lines()
            .any(|l| l.split_whitespace().nth(1) != Some("0"))
    );
}

#[test]
fn list_columns_short_h_and_the_footer_on_stderr() {
    let long = nsviz(&["list", "--list-columns"]).ok();
    let short = nsviz(&["list", "-H"]).ok();
    assert_eq!(long.out, short.out);
    assert!(long.out.contains("COMMAND"), "{}", long.out);

    // As nobody, the processes of other users cannot all be read: the footer says so on
    // stderr, and stdout is the table alone.
    let r = ns_common::nsviz_as_nobody(&["list", "-o", "NS,TYPE"]).ok();
    assert!(!r.out.contains("could not be read"), "{}", r.out);
    assert!(
        r.out
            .lines()
            .skip(1)
            .all(|l| l.split_whitespace().count() == 2),
        "{}",
        r.out
    );
    assert!(r.err.contains("could not be read"), "{}", r.err);
}

#[test]
fn filter_keeps_the_rows_its_expression_selects() {
    if !common::require_root("create namespaces of every type") {
        return;
    }
    let (_guard, sleeper) = every_type();
    let pid = sleeper.to_string();
    // lsns 2.38 has no -Q: its rows are the witness, the expression is applied to them here.
    let rows: Vec<(String, String, u32)> =
        run(Command::new("lsns").args(["-p", &pid, "-n", "-r", "-o", "NS,TYPE,NPROCS"]))
            .ok()
            .out
            .lines()
            .map(|l| {
                let w: Vec<&str> = l.split(' ').collect();
                (w[0].to_string(), w[1].to_string(), w[2].parse().unwrap())
            })
            .collect();
    assert_eq!(rows.len(), 8);
    type Pick = fn(&str, u32) -> bool;
    let cases: [(&str, Pick); 6] = [
        (r#"TYPE == "uts""#, |t, _| t == "uts"),
        (r#"NPROCS > 1 && TYPE != "pid""#, |t, n| n > 1 && t != "pid"),
        (r#"TYPE =~ "^(u|n)""#, |t, _| {
            t.starts_with('u') || t.starts_with('n')
        }),
        (r#"not (TYPE eq "pid") and NPROCS ge 2"#, |t, n| {
            t != "pid" && n >= 2
        }),
        (r#"TYPE == 'mnt' || TYPE == 'net'"#, |t, _| {
            t == "mnt" || t == "net"
        }),
        (r#"TYPE !~ "e""#, |t, _| !t.contains('e')),
    ];
    for (expr, pick) in cases {
        let mut expected: Vec<String> = rows
            .iter()
            .filter(|(_, t, n)| pick(t, *n))
            .map(|(ns, _, _)| ns.clone())
            .collect();
        expected.sort();
        let out = nsviz(&["list", "-p", &pid, "-n", "-o", "NS", "-Q", expr])
            .ok()
            .out;
        let got: Vec<String> = out.lines().map(|l| l.trim().to_string()).collect();
        assert_eq!(got, expected, "{expr}");
        assert!(
            !got.is_empty() || expr.contains("!~"),
            "{expr} selects nothing"
        );
    }
    let bad = nsviz(&["list", "-Q", "TYPE =="]);
    assert_eq!(bad.code, Some(2));
    assert_eq!(
        bad.one_error_line(),
        "nsviz: bad filter expression: it ends where a value is expected"
    );
    let unknown = nsviz(&["list", "-Q", "BOGUS == 1"]);
    assert_eq!(unknown.code, Some(2));
    assert!(unknown.one_error_line().contains("unknown column 'BOGUS'"));
}
