//! Scenario 2: a non-root user creates user+pid+mount+uts+ipc+net namespaces in one go, is
//! root inside, and drops every capability. (docs/tutorials/2-unprivileged-sandbox.md)

mod common;
mod ns_common;

use ns_common::{PRINT_LINKS, hostname, link, nsviz_as_nobody, parse_links};

fn status_field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {key} in {text}"))
}

#[test]
fn nobody_gets_six_namespaces_root_inside_and_no_capabilities() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let host_name = hostname();
    let script = format!(
        "id -u; hostname; grep -E '^Cap(Eff|Bnd):' /proc/self/status; \
         echo NET; tail -n +3 /proc/net/dev; echo PS; ps -e -o pid=,comm=; echo NS $NSVIZ_NS; {PRINT_LINKS}"
    );
    let r = nsviz_as_nobody(&[
        "spawn",
        "-r",
        "-p",
        "--mount-proc",
        "-u",
        "--hostname",
        "sandbox",
        "-i",
        "-n",
        "--drop-caps",
        "--",
        "sh",
        "-c",
        &script,
    ])
    .ok();
    let mut lines = r.out.lines();
    assert_eq!(lines.next(), Some("0"), "not root inside:\n{}", r.out);
    assert_eq!(lines.next(), Some("sandbox"));
    assert_eq!(status_field(&r.out, "CapEff:"), "0000000000000000");
    assert_eq!(status_field(&r.out, "CapBnd:"), "0000000000000000");

    // A new network namespace has only a loopback device.
    let net = r
        .out
        .split("NET\n")
        .nth(1)
        .unwrap()
        .split("PS\n")
        .next()
        .unwrap();
    let devices: Vec<&str> = net
        .lines()
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .collect();
    assert_eq!(devices, ["lo"], "{net}");

    // The command is PID 1 of the new PID namespace, as with unshare -fp.
    let ps = r.out.split("PS\n").nth(1).unwrap();
    assert!(ps.lines().next().unwrap().trim() == "1 sh", "{ps}");
    assert!(r.out.contains("NS user,mnt,pid,net,uts,ipc\n"), "{}", r.out);

    // Six types differ from the test's own (the host's); cgroup and time do not.
    for (t, inside) in parse_links(&r.out) {
        let host = link(None, &t);
        if t == "cgroup" || t == "time" {
            assert_eq!(inside, host, "{t}");
        } else {
            assert_ne!(inside, host, "{t} was not new");
        }
    }
    // Outside nothing changed.
    assert_eq!(hostname(), host_name);
}

#[test]
fn without_drop_caps_root_inside_has_capabilities() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let r = nsviz_as_nobody(&["spawn", "-r", "--", "grep", "^CapEff:", "/proc/self/status"]).ok();
    assert_ne!(status_field(&r.out, "CapEff:"), "0000000000000000");
}

#[test]
fn without_a_user_namespace_nobody_is_told_what_to_add() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let r = nsviz_as_nobody(&["spawn", "-n", "-u", "--", "true"]);
    assert_eq!(r.code, Some(125));
    assert_eq!(
        r.one_error_line(),
        "nsviz: creating net,uts namespaces (as a non-root user, add -U or -r): operation not permitted"
    );
}

#[test]
fn no_new_privs_is_set_only_when_asked() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let field = |args: &[&str]| {
        let mut all = vec!["spawn", "-r"];
        all.extend(args);
        all.extend(["--", "grep", "^NoNewPrivs:", "/proc/self/status"]);
        let r = nsviz_as_nobody(&all).ok();
        status_field(&r.out, "NoNewPrivs:").to_string()
    };
    assert_eq!(field(&["--no-new-privs"]), "1");
    assert_eq!(field(&[]), "0");
}

#[test]
fn map_current_user_keeps_the_uid() {
    if !common::require_root("run as nobody with setpriv") {
        return;
    }
    let r = nsviz_as_nobody(&[
        "spawn",
        "--map-current-user",
        "--",
        "sh",
        "-c",
        "id -u; cat /proc/self/uid_map",
    ])
    .ok();
    let words = r.words();
    assert_eq!(words, vec![vec!["65534"], vec!["65534", "65534", "1"]]);
}
