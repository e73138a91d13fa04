//! The terminal while the portal runs: the guard that takes it and gives it back on every exit
//! path, the panic hook (drafts first, then the terminal, then where the log is), the signals
//! that quit (SIGHUP, SIGTERM), suspending around a child program, the reader of terminal
//! events, and drawing a frame inside synchronized output.

use crate::text;
use crate::user_commands::PreparedCommand;
use color_eyre::eyre::WrapErr;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream,
};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;

/// Whether the portal captures the mouse (`mouse: true`, the default): set when the terminal
/// is taken, read when it is taken back after a child program.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Gives the terminal's modes back: paste and mouse capture off. Turning mouse capture off when
/// it was never on is harmless, so every exit path does it.
fn modes_off() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture
    );
}

/// Gives the whole terminal back in one write: paste and mouse capture off, raw mode off, the
/// main screen, the cursor shown. One flush, so whoever reads the terminal never sees the main
/// screen with the cursor still hidden.
fn give_back() {
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Turns on what the portal reads: bracketed paste, and the mouse when it is wanted.
fn modes_on() -> std::io::Result<()> {
    crossterm::execute!(std::io::stdout(), EnableBracketedPaste)?;
    if MOUSE.load(Ordering::Relaxed) {
        crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Owns the terminal while the portal runs; restores it when dropped (on quit and on errors).
/// Panics are covered by the hook installed in [`TerminalGuard::enter`].
pub(super) struct TerminalGuard {
    /// The terminal ratatui draws on.
    pub(super) terminal: DefaultTerminal,
}

impl TerminalGuard {
    /// Takes the terminal (raw mode, alternate screen, bracketed paste, mouse capture when
    /// `mouse`) and installs the panic hook that saves the drafts, then restores the terminal,
    /// then says where the log is.
    pub(super) fn enter(
        log_path: PathBuf,
        drafts: Option<crate::scaffolder::draft_writer::DraftFlusher>,
        mouse: bool,
    ) -> color_eyre::Result<Self> {
        // try_init: raw mode, alternate screen, and a panic hook that restores both first.
        let terminal = ratatui::try_init().wrap_err("setting up the terminal")?;
        MOUSE.store(mouse, Ordering::Relaxed);
        modes_on().wrap_err("enabling bracketed paste and the mouse")?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The drafts first: restoring the terminal can block on a dead connection.
            if let Some(d) = &drafts {
                d.flush(Duration::from_secs(2));
            }
            modes_off();
            // ratatui's hook leaves the alternate screen and prints the panic.
            previous(info);
            let _ = crossterm::execute!(std::io::stdout(), crossterm::cursor::Show);
            eprintln!("idp-tui crashed; the log is at {}", log_path.display());
            // A panic on any thread ends the process: a worker that died left the portal
            // drawing on a restored terminal, deaf to Ctrl-C.
            std::process::exit(101);
        }));
        Ok(Self { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // The panic hook already restored the terminal and printed where the log is; leaving
        // the alternate screen a second time would move the cursor back above that message.
        if std::thread::panicking() {
            return;
        }
        give_back();
    }
}

/// SIGHUP (a dropped ssh connection) and SIGTERM: both quit cleanly.
pub(super) struct Signals {
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    _interrupt: tokio::signal::unix::Signal,
}

impl Signals {
    /// Starts listening (SIGINT too, so it no longer stops the portal).
    pub(super) fn new() -> color_eyre::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                hangup: signal(SignalKind::hangup()).wrap_err("listening for SIGHUP")?,
                terminate: signal(SignalKind::terminate()).wrap_err("listening for SIGTERM")?,
                // Never read: listening replaces the default action, so Ctrl-C in a command
                // run with `terminal` mode stops that command, not the portal around it.
                _interrupt: signal(SignalKind::interrupt()).wrap_err("listening for SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The next quitting signal's name.
    pub(super) async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.hangup.recv() => "SIGHUP",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// Gives the terminal back for a child program: main screen, cooked mode, cursor shown.
pub(super) fn suspend() {
    give_back();
}

/// Takes the terminal back after [`suspend`] and clears it, so the next frame is drawn whole.
pub(super) fn resume(terminal: &mut DefaultTerminal) -> color_eyre::Result<()> {
    crossterm::terminal::enable_raw_mode().wrap_err("returning to raw mode")?;
    crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen)
        .wrap_err("returning to the alternate screen")?;
    modes_on().wrap_err("enabling bracketed paste and the mouse")?;
    terminal.clear().wrap_err("clearing the screen")?;
    Ok(())
}

/// Draws one frame inside synchronized output (`CSI ? 2026 h` … `l`): a terminal that knows
/// the mode shows the frame at once, so a slow link never shows half a frame; others ignore it.
pub(super) fn draw_frame(
    terminal: &mut DefaultTerminal,
    render: impl FnOnce(&mut ratatui::Frame),
) -> std::io::Result<()> {
    // The backend writes to the same process-wide stdout buffer, so the order holds.
    crossterm::queue!(std::io::stdout(), BeginSynchronizedUpdate)?;
    let drawn = terminal.draw(render).map(|_| ());
    let ended = crossterm::execute!(std::io::stdout(), EndSynchronizedUpdate);
    drawn.and(ended)
}

/// Runs a `terminal` action: the TUI steps aside (cooked mode, main screen), the command runs
/// with the terminal, and after Enter (or Ctrl-C) the TUI comes back. Returns a line for the
/// status bar.
///
/// The prompt to return is read in raw mode, through the same reader as the portal's keys: in
/// cooked mode a Ctrl-C typed right after that Enter was a SIGINT (which the portal ignores)
/// that also flushed the Enter from the line, so the portal sat at the prompt, deaf to it; now
/// the Enter returns and the Ctrl-C after it reaches the portal as its key.
pub(super) fn run_in_terminal(
    terminal: &mut DefaultTerminal,
    plan: &PreparedCommand,
) -> color_eyre::Result<String> {
    use std::io::Write;
    suspend();
    println!("$ {}", text::one_line(&plan.shell_line()));
    let result = tokio::task::block_in_place(|| crate::user_commands::execute(plan));
    let summary = match &result {
        Ok(o) => o
            .code
            .map_or("killed by a signal".to_string(), |c| format!("exit {c}")),
        Err(e) => e.to_string(),
    };
    // Raw before the prompt shows, so no key typed after it is cooked (raw output: `\r\n`).
    crossterm::terminal::enable_raw_mode().wrap_err("returning to raw mode")?;
    print!(
        "\r\n[{}: {summary}; press Enter to return to idp-tui] ",
        plan.title
    );
    let _ = std::io::stdout().flush();
    tokio::task::block_in_place(wait_for_return).wrap_err("reading the terminal")?;
    resume(terminal)?;
    Ok(format!("{}: {summary}", text::one_line(&plan.title)))
}

/// Waits, in raw mode, for Enter or Ctrl-C. Keys typed after it stay queued in crossterm's
/// reader, for the portal's next event stream.
fn wait_for_return() -> std::io::Result<()> {
    use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
    loop {
        if let Event::Key(key) = crossterm::event::read()? {
            let ctrl_c =
                key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
            if key.kind == KeyEventKind::Press && (key.code == KeyCode::Enter || ctrl_c) {
                return Ok(());
            }
        }
    }
}

/// Opens a file in the editor: the TUI steps aside (cooked mode, main screen), the editor runs
/// with the terminal, and the TUI comes back as soon as it exits (no Enter to press: the
/// editor's own screen is all the user saw).
pub(super) fn edit_in_terminal(
    terminal: &mut DefaultTerminal,
    request: crate::tui::editing::EditRequest,
) -> color_eyre::Result<crate::tui::editing::Edited> {
    suspend();
    let edited = tokio::task::block_in_place(|| crate::tui::editing::run(request));
    resume(terminal)?;
    Ok(edited)
}

/// Reads the terminal in its own task and forwards events over a channel, so the loop can
/// take whatever is pending without polling the stream with a throwaway waker.
pub(super) fn terminal_events() -> (
    mpsc::UnboundedReceiver<std::io::Result<Event>>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(event) = stream.next().await {
            let failed = event.is_err();
            if tx.send(event).is_err() || failed {
                break;
            }
        }
    });
    (rx, reader)
}
