//! The real terminal: set up, always restored (normal exit, error, panic, signal), and lent to
//! a child process for actions that run a program on it.

use std::ffi::OsString;
use std::io::{IsTerminal, Stdout, Write, stdout};
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::event::InputReader;
use crate::error::{Error, Result};

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// True while a child owns the terminal: a Ctrl-C typed then is the child's SIGINT (the
/// terminal sends it to the whole foreground group), not a request to quit the viewer.
pub static CHILD_RUNNING: AtomicBool = AtomicBool::new(false);

fn enter() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        crossterm::cursor::Hide
    )
}

/// Puts the terminal back as the shell expects it. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = out.flush();
}

/// Owns the terminal while the viewer runs; restores it when dropped (also while unwinding).
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    pub fn new() -> Result<TerminalGuard> {
        if !stdout().is_terminal() {
            return Err(Error::failed(
                "the viewer needs a terminal and standard output is not one (nsviz list and nsviz tree print text)",
            ));
        }
        install_panic_hook();
        if let Err(e) = enter() {
            restore();
            return Err(Error::os("cannot set up the terminal", e));
        }
        match Terminal::new(CrosstermBackend::new(stdout())) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(Error::os("cannot set up the terminal", e))
            }
        }
    }

    /// Hands the terminal to `current_exe ARGS` and takes it back afterwards: the input reader
    /// is stopped first (so it does not steal the child's keys), the alternate screen and raw
    /// mode are left, and on return the screen is cleared and stray input drained. The caller
    /// asks for a rescan, since the child probably changed namespaces.
    pub fn run_child(&mut self, input: &InputReader, args: &[OsString]) -> Result<ExitStatus> {
        input.pause();
        restore();
        CHILD_RUNNING.store(true, Ordering::SeqCst);
        let status = std::env::current_exe()
            .map_err(|e| Error::os("cannot find the nsviz binary", e))
            .and_then(|exe| {
                std::process::Command::new(&exe)
                    .args(args)
                    .status()
                    .map_err(|e| Error::os(format!("cannot run {}", exe.display()), e))
            });
        CHILD_RUNNING.store(false, Ordering::SeqCst);
        // An interactive shell run in a new PID namespace cannot hand the terminal's
        // foreground back on exit (our group has no number there): take it, as a shell does
        // after a job, else reading the terminal fails with EIO.
        crate::ns::exec::give_terminal_back();
        // nsviz's own failures (setup 125, cannot run 126, not found 127) printed one sentence
        // on the terminal: let it be read before the viewer covers it.
        if let Ok(s) = &status
            && s.code().is_some_and(|c| (125..=127).contains(&c))
        {
            wait_for_a_key(s);
        }
        let back = enter().map_err(|e| Error::os("cannot set up the terminal", e));
        let _ = self.terminal.clear();
        while !hung_up() && crossterm::event::poll(std::time::Duration::ZERO).is_ok_and(|r| r) {
            let _ = crossterm::event::read();
        }
        input.resume();
        back?;
        status
    }
}

/// True when the terminal on stdin hung up (its tmux or terminal emulator is gone). Such a
/// terminal reads as ready for ever, and crossterm's read then spins on end-of-file: ask
/// this before reading through crossterm.
pub fn hung_up() -> bool {
    let stdin = std::io::stdin();
    let mut fds = [rustix::event::PollFd::new(
        &stdin,
        rustix::event::PollFlags::IN,
    )];
    let zero = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    rustix::event::poll(&mut fds, Some(&zero)).is_ok()
        && fds[0]
            .revents()
            .intersects(rustix::event::PollFlags::HUP | rustix::event::PollFlags::ERR)
}

/// "press any key": in raw mode, so any key will do; gives up when the terminal is gone.
fn wait_for_a_key(status: &ExitStatus) {
    let mut out = stdout();
    let _ = write!(
        out,
        "\r\nnsviz: the command ended with {status}; press any key to return to the viewer"
    );
    let _ = out.flush();
    if enable_raw_mode().is_err() {
        return;
    }
    // Read from stdin directly: on a terminal that hung up, crossterm's read spins on
    // end-of-file for ever (seen: a viewer left at 100% CPU after its tmux was killed). A
    // signal that ends the viewer ends the wait too.
    let stdin = std::io::stdin();
    let tick = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 200_000_000,
    };
    while !super::ending() {
        let mut fds = [rustix::event::PollFd::new(
            &stdin,
            rustix::event::PollFlags::IN,
        )];
        match rustix::event::poll(&mut fds, Some(&tick)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            Ok(_) => {}
            Err(_) => break,
        }
        let mut byte = [0u8; 64];
        match rustix::io::read(&stdin, &mut byte) {
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => continue,
            // A key (raw mode: any byte), end-of-file or an error: done waiting.
            _ => break,
        }
    }
    let _ = disable_raw_mode();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal before the panic message is printed, so it is readable.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
