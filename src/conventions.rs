//! Shell completions and manual pages, generated from the clap definitions in [`crate::cli`]
//! (clap_complete, clap_mangen). The copies shipped in assets/ are checked against these by
//! tests/conventions.rs, so they cannot drift from `--help`.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionShell};
use crate::error::{Error, Result};
use crate::sanitize::for_terminal;

/// The completion script for `shell`.
pub fn completion(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    match shell {
        CompletionShell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "nsviz", &mut out)
        }
        CompletionShell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, "nsviz", &mut out)
        }
        CompletionShell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "nsviz", &mut out)
        }
    }
    out
}

/// The file name each completion script is shipped under in assets/completions/.
pub fn completion_file(shell: CompletionShell) -> &'static str {
    match shell {
        CompletionShell::Bash => "nsviz.bash",
        CompletionShell::Zsh => "_nsviz",
        CompletionShell::Fish => "nsviz.fish",
    }
}

/// Every manual page: (file name, roff text), nsviz.1 first, then nsviz-SUBCOMMAND.1.
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut pages = vec![("nsviz.1".to_string(), render(&cmd)?)];
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("nsviz-{}", sub.get_name());
        // The page's own name, so its NAME and SYNOPSIS read "nsviz-list".
        let page = sub.clone().name(name.clone()).bin_name(name.clone());
        pages.push((format!("{name}.1"), render(&page)?));
    }
    Ok(pages)
}

fn render(cmd: &clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(|e| Error::os("cannot render the manual page", e))?;
    Ok(out)
}

/// `nsviz man [SUBCOMMAND]`: writes that page.
pub fn write_man(subcommand: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let wanted = match subcommand {
        None => "nsviz.1".to_string(),
        Some(sub) => format!("nsviz-{sub}.1"),
    };
    let pages = man_pages()?;
    let (_, page) = pages
        .iter()
        .find(|(name, _)| *name == wanted)
        .ok_or_else(|| {
            Error::usage(format!(
                "no manual page for '{}' (see nsviz --help for the subcommands)",
                for_terminal(subcommand.unwrap_or_default())
            ))
        })?;
    out.write_all(page)
        .map_err(|e| Error::os("cannot write the manual page", e))
}
