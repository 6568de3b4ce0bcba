//! Shell completions and manual pages shipped in assets/ are what the clap definitions make
//! today (regenerate with `NSVIZ_UPDATE_ASSETS=1 cargo test --test conventions`), the
//! subcommands print them, and the bash script loads in bash. Also: the licence files, the
//! changelog and an honest rust-version are there.

mod common;

use std::path::{Path, PathBuf};

use nsviz::cli::CompletionShell;
use nsviz::conventions;

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

/// Compares a shipped file with what the definitions make (or rewrites it when asked).
fn check(path: &Path, made: &[u8]) {
    if std::env::var_os("NSVIZ_UPDATE_ASSETS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, made).unwrap();
        return;
    }
    let shipped = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        shipped == made,
        "{} is out of date with src/cli/: run NSVIZ_UPDATE_ASSETS=1 cargo test --test conventions",
        path.display()
    );
}

const SHELLS: [(CompletionShell, &str); 3] = [
    (CompletionShell::Bash, "bash"),
    (CompletionShell::Zsh, "zsh"),
    (CompletionShell::Fish, "fish"),
];

#[test]
fn shipped_completions_are_up_to_date() {
    for (shell, name) in SHELLS {
        let made = conventions::completion(shell);
        check(
            &assets()
                .join("completions")
                .join(conventions::completion_file(shell)),
            &made,
        );
        let printed = common::run_ok(common::nsviz().args(["completions", name])).stdout;
        assert_eq!(printed, made, "{name}");
        // Every subcommand and a few options are offered.
        let text = String::from_utf8(made).unwrap();
        for word in ["spawn", "enter", "list", "map-root-user", "notruncate"] {
            assert!(text.contains(word), "{name}: {word}");
        }
    }
}

#[test]
fn shipped_man_pages_are_up_to_date() {
    let pages = conventions::man_pages().unwrap();
    let dir = assets().join("man");
    for (name, page) in &pages {
        check(&dir.join(name), page);
    }
    let mut names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    if std::env::var_os("NSVIZ_UPDATE_ASSETS").is_none() {
        let mut shipped: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        shipped.sort();
        assert_eq!(shipped, names, "a page no subcommand has, or one missing");
    }
    for sub in [
        "list", "spawn", "enter", "tree", "snapshot", "graph", "forget",
    ] {
        assert!(names.contains(&format!("nsviz-{sub}.1")), "{sub}");
    }
    let printed = common::run_ok(common::nsviz().args(["man", "spawn"])).stdout;
    assert_eq!(
        &printed,
        &pages.iter().find(|(n, _)| n == "nsviz-spawn.1").unwrap().1
    );
    let printed = common::run_ok(common::nsviz().arg("man")).stdout;
    assert_eq!(printed, pages[0].1);
    let text = String::from_utf8_lossy(&printed);
    assert!(text.contains(".TH nsviz 1"), "{text}");
}

#[test]
fn an_unknown_man_page_is_one_sentence() {
    let out = common::nsviz().args(["man", "bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "nsviz: no manual page for 'bogus' (see nsviz --help for the subcommands)"
    );
}

#[test]
fn the_bash_completion_loads_and_completes_subcommands() {
    let script = assets().join("completions/nsviz.bash");
    let probe = format!(
        "source {}; COMP_WORDS=(nsviz sp); COMP_CWORD=1; _nsviz nsviz sp nsviz; echo \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = common::stdout_of(std::process::Command::new("bash").args(["-c", &probe]));
    assert_eq!(out.trim(), "spawn");
}

#[test]
fn licences_changelog_and_rust_version_are_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mit = std::fs::read_to_string(root.join("LICENSE-MIT")).unwrap();
    assert!(mit.contains("Permission is hereby granted, free of charge"));
    let apache = std::fs::read_to_string(root.join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(changelog.contains("## [Unreleased]"));
    // The code uses let chains (`if a && let Some(b) = c`), stable since Rust 1.88.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(
        manifest.contains("rust-version = \"1.88\""),
        "rust-version must be 1.88"
    );
}
