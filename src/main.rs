//! The nsviz command: parse, dispatch, and turn every error into one sentence and an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use nsviz::cli::{Cli, Command, ForgetArgs};
use nsviz::error::Error;
use nsviz::output::color::{self, Palette};
use nsviz::sanitize::for_terminal;
use nsviz::{conventions, ns, output, source, tui};

fn main() -> ExitCode {
    install_panic_message();
    // nsenter's getopt reads `-w/` as `-w` with `/`; clap is given the words as it would.
    let words = nsviz::cli::enter::nsenter_words(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(words) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints --help/--version to stdout (exit 0); usage errors become one sentence.
            if e.use_stderr() {
                eprintln!("{}", usage_error_sentence(&e));
            } else {
                let _ = e.print();
            }
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            // Messages may quote untrusted text (paths, names, snapshot contents): escaped
            // here once more, so that none reaches the terminal raw. Escaping is idempotent.
            eprintln!("{}", ns::error_line(e.message()));
            ExitCode::from(e.code() as u8)
        }
    }
}

/// Runs the chosen command; returns the exit status (enter/spawn pass their command's on).
fn run(cli: Cli) -> Result<i32, Error> {
    use std::io::IsTerminal;
    let mut text = Vec::new();
    let palette = Palette::new(color::wanted(cli.color, std::io::stdout().is_terminal()));
    match cli.command {
        None => return tui::run(&cli.source, cli.interval, cli.color),
        Some(Command::Enter(args)) => {
            // Nothing of nsviz's is open yet (parsing opens no file): these are the caller's.
            ns::exec::note_inherited_fds();
            return ns::enter::run(&args.to_spec()).map(ns::finish_like);
        }
        Some(Command::Spawn(args)) => {
            ns::exec::note_inherited_fds();
            ns::set_level_prefix(args.bwrap.level_prefix);
            return ns::spawn::run(&args.to_spec()?).map(ns::finish_like);
        }
        Some(Command::Forget(args)) => forget(&args, &mut text)?,
        Some(Command::Completions(args)) => text = conventions::completion(args.shell),
        Some(Command::Man(args)) => conventions::write_man(args.subcommand.as_deref(), &mut text)?,
        Some(Command::List(args)) => {
            let details = output::list::needs_details(&args)?;
            let snapshot = source::load(&args.source, details)?;
            let width = output::list::terminal_width();
            output::list::write(&snapshot, &args, width, palette, &mut text)?;
            print_stdout(&text)?;
            // What could not be read goes to stderr, so that the table stays lsns's.
            if let Some(footer) = output::list::footer(&snapshot, &args) {
                eprintln!("{footer}");
            }
            return Ok(0);
        }
        Some(Command::Tree(args)) => output::tree::write(
            &source::load(&args.source, true)?,
            &args,
            palette,
            &mut text,
        )?,
        Some(Command::Graph(args)) => {
            output::graph::write(&source::load(&args.source, true)?, &args, &mut text)?
        }
        Some(Command::Snapshot(args)) => {
            output::snapshot::write(&source::load(&args.source, true)?, &args, &mut text)?;
            if let Some(path) = &args.output {
                std::fs::write(path, &text)
                    .map_err(|e| Error::os(format!("cannot write {}", path.display()), e))?;
                return Ok(0);
            }
        }
    }
    print_stdout(&text)?;
    Ok(0)
}

/// `nsviz forget [NAME...]`: let go of the named sets, or list them all (name, types, place).
fn forget(args: &ForgetArgs, out: &mut Vec<u8>) -> Result<(), Error> {
    if args.names.is_empty() {
        for set in ns::keep::list_kept() {
            let types: Vec<&str> = set.types.iter().map(|t| t.name()).collect();
            let _ = writeln!(
                out,
                "{}\t{}\t{}",
                set.name,
                types.join(","),
                set.path.display()
            );
        }
        return Ok(());
    }
    args.names
        .iter()
        .try_for_each(|name| ns::keep::forget(name))
}

/// A usage error in one sentence, as util-linux gives it: what is wrong, clap's hints if it has
/// any (possible values, how to pass a word starting with `-` to the command), and which --help
/// to read.
fn usage_error_sentence(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let what = lines
        .next()
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ");
    let hints: Vec<&str> = lines
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(|l| l.trim_start_matches("tip: "))
        .collect();
    let mut sentence = format!("nsviz: {what}");
    if !hints.is_empty() {
        sentence.push_str(&format!(" ({})", hints.join("; ")));
    }
    format!("{sentence}; see '{} --help'.", command_named_in_args())
}

/// "nsviz" and the subcommand named on the command line, if any.
fn command_named_in_args() -> String {
    let cli = <Cli as clap::CommandFactory>::command();
    let sub = std::env::args()
        .skip(1)
        .find(|arg| cli.get_subcommands().any(|s| s.get_name() == arg.as_str()));
    match sub {
        Some(sub) => format!("nsviz {sub}"),
        None => "nsviz".to_string(),
    }
}

/// Writes the whole output at once; a reader that went away (`nsviz list | head`) is not an error.
fn print_stdout(text: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::os("cannot write to standard output", e))
        }
        _ => Ok(()),
    }
}

/// A bug must still end in one sentence, not a backtrace. (The viewer adds its own hook that
/// restores the terminal first.)
fn install_panic_message() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "nsviz: internal error{}: {} (please report this)",
            for_terminal(&place),
            for_terminal(&what)
        );
    }));
}
