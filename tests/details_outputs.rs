//! What is inside namespaces, as the text outputs show it: list's detail columns, the
//! lsns-compatible outputs left as they were, and snapshot files of both versions.

mod common;

use common::{nsviz, stdout_of};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-snapshot.json");
const V1: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/snapshot-v1.json"
);

/// The line of `text` that starts with the namespace id `id`.
fn line<'a>(text: &'a str, id: &str) -> &'a str {
    text.lines()
        .find(|l| l.trim_start().starts_with(id))
        .unwrap_or_else(|| panic!("no line for {id} in:\n{text}"))
}

#[test]
fn detail_columns_show_labels_hostnames_addresses_and_maps() {
    let text = stdout_of(nsviz().args([
        "list",
        "--from",
        DEMO,
        "-o",
        "NS,TYPE,LABEL,WHOSE,HOSTNAME,ADDRESSES,MAP,DETAILS",
    ]));
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NS",
            "TYPE",
            "LABEL",
            "WHOSE",
            "HOSTNAME",
            "ADDRESSES",
            "MAP",
            "DETAILS"
        ]
    );
    let net = line(&text, "4026532206");
    assert!(net.contains("docker web (3f2a9c1b7d4e)"), "{net}");
    assert!(net.contains("172.17.0.2/16"), "{net}");
    assert!(net.contains("3f2a9c1b7d4e"), "{net}");
    let uts = line(&text, "4026532303");
    assert!(uts.contains("alpine-box"), "{uts}");
    let user = line(&text, "4026532301");
    assert!(user.contains("0 → 1000, 1-65536 → 100000-165535"), "{user}");
    let blue = line(&text, "4026532601");
    assert!(blue.contains("netns blue"), "{blue}");
    assert!(blue.contains("10.200.0.2/24"), "{blue}");
    let time = line(&text, "4026532501");
    assert!(time.contains("boottime +86400s"), "{time}");
    // The detail columns are nsviz's own: --list-columns describes them.
    let columns = stdout_of(nsviz().args(["list", "--list-columns"]));
    for name in ["LABEL", "WHOSE", "DETAILS", "HOSTNAME", "ADDRESSES", "MAP"] {
        assert!(columns.contains(name), "{columns}");
    }
}

#[test]
fn default_columns_and_json_stay_as_lsns_prints_them() {
    let text = stdout_of(nsviz().args(["list", "--from", DEMO]));
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NS", "TYPE", "NPROCS", "PID", "USER", "HOLDERS", "COMMAND"]
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(nsviz().args(["list", "--json", "--from", DEMO]))).unwrap();
    let mut keys: Vec<&String> = json["namespaces"][0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "command", "netnsid", "nprocs", "ns", "nsfs", "ons", "path", "pid", "pns", "ppid",
            "type", "uid", "user"
        ]
    );
}

#[test]
fn version_1_snapshots_are_still_read_and_labelled() {
    let text = stdout_of(nsviz().args(["list", "--from", V1, "-o", "NS,LABEL,DETAILS"]));
    assert!(line(&text, "4026531837").contains("host"), "{text}");
    assert!(line(&text, "4026532601").contains("netns blue"), "{text}");
    // No details in a version 1 file: the column is empty, not made up.
    let docker = line(&text, "4026532206");
    assert!(
        docker
            .trim_end()
            .ends_with("nginx: master process nginx -g daemon off;"),
        "{text}"
    );
    let tree = stdout_of(nsviz().args(["tree", "--from", V1]));
    assert!(
        tree.contains("[netns blue] mounted at /run/netns/blue"),
        "{tree}"
    );
}

#[test]
fn a_snapshot_of_another_version_is_refused_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v3.json");
    let text =
        std::fs::read_to_string(DEMO)
            .unwrap()
            .replacen("\"version\": 2", "\"version\": 3", 1);
    std::fs::write(&file, text).unwrap();
    let out = nsviz()
        .args(["list", "--from"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is a version 3 snapshot; this nsviz reads versions 1 to 2"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_version_2_snapshot_round_trips_with_its_details() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("again.json");
    common::run_ok(nsviz().args(["snapshot", "--from", DEMO, "-o"]).arg(&file));
    let before: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let net = |v: &serde_json::Value| {
        v["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == 4026532206u64)
            .cloned()
            .unwrap()
    };
    assert_eq!(net(&before)["details"], net(&after)["details"]);
    assert_eq!(net(&after)["label"], "docker web (3f2a9c1b7d4e)");
    assert_eq!(
        net(&after)["details"]["net"]["interfaces"][1]["peer"]["netns"],
        4026531840u64
    );
}
