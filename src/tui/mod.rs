//! The interactive portal: logging and the event loop (the terminal itself, its guard, panic
//! hook and signals are in `terminal.rs`).
//!
//! The shape is Elm's: terminal events, load events, signals and the spinner clock become
//! [`action::Action`]s; [`app::update`] changes the [`app::App`] and returns the
//! [`task::Task`]s to run, which the executor (`executor.rs`) runs on their pools and answers
//! with one action, `Action::Reply` ([`reply::Reply`]), on one results channel; `update` routes
//! each reply to whoever asked. [`ui::render`] draws from the state alone. The screen is redrawn only after
//! something changed, and pending events are applied before the next frame, so a burst of keys
//! or load batches costs one redraw. With nothing loading, the loop sleeps: no ticks, no CPU.
//!
//! Extension points for other features:
//! - entity view tabs: [`tabs`] (a registry of tab factories; see its module docs),
//! - panes reachable from the palette: [`panes`] (the `View` trait),
//! - palette commands: [`commands`] (the `COMMANDS` registry),
//! - key bindings: [`keymap`] (per-mode lists; the help overlay is generated from them),
//! - background work: [`task`] (one variant per kind of work; see docs/architecture.md),
//! - the clipboard: [`clipboard`].

pub mod action;
pub mod app;
pub mod clipboard;
pub mod clock;
pub mod commands;
pub mod editing;
mod executor;
pub mod jobs;
pub mod keymap;
mod logging;
pub mod marks;
pub mod opener;
pub mod panes;
pub mod remote_task;
pub mod reply;
pub mod search_worker;
pub mod tabs;
pub mod task;
mod terminal;
pub mod theme;
pub mod ui;
pub mod watch;
pub mod widgets;

use crate::catalog::Catalog;
use crate::cli::Cli;
use crate::source::LoadEvent;
use crate::startup::{Event as StartupEvent, Startup, Step};
use crate::user_commands::PreparedCommand;
use action::Action;
use app::{update, App};
use color_eyre::eyre::{eyre, WrapErr};
use crossterm::event::{Event, KeyEventKind};
use executor::{Executor, Ran};
use keymap::Keymap;
use ratatui::DefaultTerminal;
use std::process::ExitCode;
use std::time::Duration;
use task::Task;
use terminal::{
    draw_frame, edit_in_terminal, run_in_terminal, terminal_events, Signals, TerminalGuard,
};
use tokio::sync::mpsc;

pub use logging::LOG_FILE;

/// How often the spinner moves while a source loads.
const TICK: Duration = Duration::from_millis(120);

/// Most events applied before a redraw, so a flood of input still shows progress.
const MAX_BATCH: usize = 256;

/// The longest the exit waits for files being written and drafts being saved.
const EXIT_WAIT: Duration = Duration::from_secs(5);

/// The status line on the embedded demo catalog.
pub const DEMO_LINE: &str =
    "Demo catalog — `idp-tui --catalog PATH` for yours · F1 keys · Ctrl-C quits";

/// Opens the portal on the command line's sources and runs it until the user quits.
pub fn run(cli: &Cli) -> color_eyre::Result<ExitCode> {
    let settings = cli.settings()?;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, theme_warning) = theme::choose(
        cli.theme.as_deref(),
        no_color,
        settings.config.theme.as_deref(),
    )
    .map_err(|e| eyre!(e))
    .wrap_err("choosing the theme")?;
    // The user's own mistakes (config, theme) are named first; then `ssh host idp-tui`
    // without `-t`, or a pipe: there is nothing to draw on.
    {
        use std::io::IsTerminal;
        if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
            return Err(eyre!(crate::cli::needs_a_terminal()));
        }
    }
    let (keymap, key_errors) = Keymap::with_overrides(&settings.config.keys);
    let (_log_guard, log_path, log_failures) = logging::init();
    tracing::info!(sources = settings.sources.len(), theme = %theme.name, "starting");

    let mut app = App::new(Catalog::new(), &settings.sources, theme, keymap);
    app.set_user_commands(settings.config.actions.clone());
    app.set_hyperlinks(cli.hyperlinks || settings.config.hyperlinks);
    let live = settings.live_service();
    if !live.is_empty() {
        app.set_live_service(tabs::live::LiveHandle(std::sync::Arc::new(live)));
    }
    app.set_scorecards(crate::scorecard::load_paths(&settings.scorecards));
    app.set_initiatives(crate::governance::load_for(
        &settings.scorecards,
        settings.sources == [crate::source::SourceSpec::demo()],
        app.clock().today(),
    ));
    let action_conflicts = app.keymap().custom_key_conflicts(app.user_commands());
    let (marks, marks_warning) = marks::Marks::load(&crate::config::state_dir().join(marks::FILE));
    app.set_marks(marks);
    // The config's own warnings (an unknown section) were said on stderr, which the portal's
    // screen hides: the status line says them too.
    let warnings: Vec<String> = settings
        .config
        .warnings
        .iter()
        .cloned()
        .chain(theme_warning)
        .chain(key_errors)
        .chain(action_conflicts)
        .chain(marks_warning)
        .collect();
    for w in &warnings {
        tracing::warn!("{w}");
    }
    if !warnings.is_empty() {
        app.status_error(warnings.join("; "));
    } else if settings.sources == [crate::source::SourceSpec::demo()] {
        // A first start (no config, no --catalog): say what this is and the way out.
        app.status_info(DEMO_LINE);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("starting the async runtime")?;
    // Every answer of background work comes back on this one channel, as an action.
    let (results_tx, results) = mpsc::unbounded_channel();
    let search_tx = results_tx.clone();
    let search = search_worker::SearchWorker::spawn(move |done| {
        let _ = search_tx.send(Action::Reply(reply::Reply::Search(done)));
    });
    // Without a worker thread the executor searches on tokio's blocking pool instead.
    let search = search
        .inspect_err(|e| tracing::warn!("no search worker ({e}); searching on the pool"))
        .ok();
    app.search_in_background();
    let workers = jobs::Workers::start(results_tx.clone());
    let flusher = workers.flusher();
    // Mouse capture unless `mouse: false` (capture stops the terminal's own text selection).
    let mouse = settings.config.mouse.unwrap_or(true);
    let mut terminal = TerminalGuard::enter(log_path.clone(), flusher.clone(), mouse)?;
    let result = runtime.block_on(async {
        let (loads_tx, loads) = mpsc::unbounded_channel();
        // The log file cannot be written: said in the status line, like any other warning.
        let warnings = results_tx.clone();
        let mut log_failures = log_failures;
        tokio::spawn(async move {
            while let Some(warning) = log_failures.recv().await {
                let _ = warnings.send(Action::Warn(warning));
            }
        });
        let mut executor = Executor::new(
            settings.sources.clone(),
            settings.offline,
            loads_tx,
            results_tx,
            workers,
            search,
        );
        // The snapshot of the last load is read first (off this thread); the sources start
        // when it is in, to confirm it, or at once without one.
        // Local catalog files watched: a change comes back as a reply on the results channel.
        let _watching = if settings.config.watch() {
            watch::start(&settings.sources, executor.results())
                .inspect_err(|e| tracing::warn!("{e}"))
                .ok()
                .flatten()
        } else {
            None
        };
        let snapshot = read_snapshot(executor.specs());
        let channels = Channels {
            snapshot,
            loads,
            results,
        };
        let result = event_loop(&mut terminal.terminal, &mut app, channels, &mut executor).await;
        // Quit, SIGHUP, SIGTERM or an error: whatever the user typed reaches the disk first
        // (quitting again hands over the panes' last drafts; nothing else runs now).
        for task in update(&mut app, Action::Quit) {
            if let Task::Scaffold(job) = task {
                let _ = executor.run(Task::Scaffold(job));
            }
        }
        executor.finish(EXIT_WAIT).await;
        result
    });
    drop(terminal);
    // The terminal is given back: the writes after a load may take their time now.
    crate::background::stop_yielding();
    executor::drain_background(EXIT_WAIT);
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => {
            tracing::info!("quit");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            tracing::error!("{e:#}");
            Err(e.wrap_err(format!("the log is at {}", log_path.display())))
        }
    }
}

/// Maps a terminal event to an action (key presses only, not releases or repeats of them).
fn event_action(app: &App, event: Event) -> Option<Action> {
    if is_user_input(&event) {
        // Work that can wait (writes, scoring) pauses while the user types.
        crate::background::user_input();
    }
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => app.action_for_key(&key),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Mouse(mouse) => mouse_action(&mouse).map(Action::Mouse),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Whether an event is the user at work, which work that can wait steps aside for: a key
/// press, a paste, a click or the wheel. Not a pointer moving over the window (mouse capture
/// reports every motion), a key's release, a resize or focus.
fn is_user_input(event: &Event) -> bool {
    match event {
        Event::Key(key) => key.kind == KeyEventKind::Press,
        Event::Paste(_) => true,
        Event::Mouse(mouse) => mouse_action(mouse).is_some(),
        _ => false,
    }
}

/// The mouse events the portal acts on: the wheel, and the left button going down.
fn mouse_action(event: &crossterm::event::MouseEvent) -> Option<action::Mouse> {
    use crossterm::event::{MouseButton, MouseEventKind};
    let (column, row) = (event.column, event.row);
    match event.kind {
        MouseEventKind::ScrollUp => Some(action::Mouse::ScrollUp { column, row }),
        MouseEventKind::ScrollDown => Some(action::Mouse::ScrollDown { column, row }),
        MouseEventKind::Down(MouseButton::Left) => Some(action::Mouse::Click { column, row }),
        _ => None,
    }
}

/// What the loop receives besides terminal events and signals.
struct Channels {
    /// The start-up snapshot, read off the UI thread.
    snapshot: mpsc::UnboundedReceiver<SnapshotRead>,
    /// The sources' load events.
    loads: mpsc::UnboundedReceiver<LoadEvent>,
    /// Every answer of background work (the executor's tasks, the search worker, the draft
    /// writer) and every warning, already an action.
    results: mpsc::UnboundedReceiver<Action>,
}

/// What the snapshot reader reports at start-up.
enum SnapshotRead {
    /// A snapshot matching the sources is on disk and being decoded: the sources may start
    /// confirming it (their events wait until it is restored).
    Present,
    /// The snapshot, or why there is none to use.
    Read(Result<Option<Box<crate::snapshot::Snapshot>>, crate::snapshot::SnapshotError>),
}

/// Reads the snapshot of the sources on a blocking task; the answer arrives on the channel
/// returned (at once when the sources cannot have one).
fn read_snapshot(specs: &[crate::source::SourceSpec]) -> mpsc::UnboundedReceiver<SnapshotRead> {
    let (tx, rx) = mpsc::unbounded_channel();
    let specs = specs.to_vec();
    tokio::task::spawn_blocking(move || {
        let dir = crate::config::cache_dir();
        if crate::snapshot::present(&specs, &dir) {
            let _ = tx.send(SnapshotRead::Present);
        }
        let read = crate::snapshot::open(&specs, &dir).map(|s| s.map(Box::new));
        let _ = tx.send(SnapshotRead::Read(read));
    });
    rx
}

/// What the loop itself does after the tasks of an update ran.
#[derive(Default)]
struct ForTheLoop {
    /// Commands to run with the terminal (the loop owns it).
    commands: Vec<PreparedCommand>,
    /// Files to open in the editor, with the terminal.
    edits: Vec<editing::EditRequest>,
    /// How restoring the start-up snapshot went, for the start-up machine.
    restored: Option<Result<(), String>>,
}

/// Applies an action and runs the tasks `update` returns; returns true when the app should
/// quit. What only the loop can do is left in `later`.
fn apply(
    app: &mut App,
    action: Action,
    executor: &mut Executor,
    later: &mut ForTheLoop,
) -> color_eyre::Result<bool> {
    if let Action::Failed(what) = action {
        return Err(eyre!(what));
    }
    let mut quit = false;
    // The debug log times each action (`IDP_TUI_LOG=debug`): CPU and wall time on this thread.
    let label = tracing::enabled!(tracing::Level::DEBUG).then(|| short_debug(&action));
    let started = label.as_ref().and_then(|_| Timing::start());
    // Every task runs, those after a quit too: a pane's last draft save reaches the disk.
    for task in update(app, action) {
        match executor.run(task)? {
            Ran::Done => {}
            Ran::Quit => quit = true,
            Ran::InTerminal(plan) => later.commands.push(plan),
            Ran::Edit(request) => later.edits.push(request),
            Ran::Restored(result) => later.restored = Some(result),
        }
    }
    if let Some(label) = label {
        Timing::log(&started, &label);
    }
    Ok(quit)
}

/// CPU and wall time from a start, for the debug log.
pub(crate) struct Timing {
    cpu: Duration,
    wall: std::time::Instant,
}

impl Timing {
    /// Starts timing on this thread when the debug log is on; otherwise nothing is read (it
    /// runs on every key, frame and search).
    pub(crate) fn start() -> Option<Self> {
        tracing::enabled!(tracing::Level::DEBUG).then(|| Timing {
            cpu: crate::background::thread_cpu_time(),
            wall: std::time::Instant::now(),
        })
    }

    /// Logs (at debug) the CPU and wall time since `started`, with what was timed.
    pub(crate) fn log(started: &Option<Self>, what: &str) {
        let Some(started) = started else { return };
        let cpu = crate::background::thread_cpu_time().saturating_sub(started.cpu);
        tracing::debug!(
            cpu_us = cpu.as_micros() as u64,
            wall_us = started.wall.elapsed().as_micros() as u64,
            "{what}"
        );
    }
}

/// An action's name for the debug log: its variant and, when it wraps another (a reply, a load
/// event), that one's name: `Reply(Search`, `Input`. Never what it carries (typed text, a
/// pasted secret, thousands of entities); and the rest of the debug form is never built.
fn short_debug(action: &Action) -> String {
    struct Name(String);
    impl std::fmt::Write for Name {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0.push_str(s);
            // Enough to hold two names: stop formatting there.
            if self.0.len() >= 64 {
                return Err(std::fmt::Error);
            }
            Ok(())
        }
    }
    let mut out = Name(String::new());
    let _ = std::fmt::write(&mut out, format_args!("{action:?}"));
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let outer = word(&out.0);
    let rest = out.0.get(outer.len()..).unwrap_or_default();
    // A name inside starts with a letter: quoted text and numbers are left out.
    let inner = rest
        .strip_prefix('(')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()))
        .map(word);
    match inner {
        Some(inner) => format!("apply {outer}({inner}"),
        None => format!("apply {outer}"),
    }
}

/// The loop: receive → update → run the tasks → draw when something changed.
async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    channels: Channels,
    executor: &mut Executor,
) -> color_eyre::Result<()> {
    let Channels {
        mut snapshot,
        mut loads,
        mut results,
    } = channels;
    let (mut events, mut reader) = terminal_events();
    let mut later = ForTheLoop::default();
    // The start-up choreography (`crate::startup`): the sources start once the snapshot is
    // known to be there (to confirm it while it decodes; their events wait in `confirms`
    // until it is restored) or not.
    let mut startup = Startup::new();
    let (confirm_tx, mut confirms) = mpsc::unbounded_channel();
    let mut held = true;
    let mut signals = Signals::new()?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    if let Ok(size) = terminal.size() {
        apply(
            app,
            Action::Resize(size.width, size.height),
            executor,
            &mut later,
        )?;
    }
    // Test-only: a way to prove the panic hook through the real binary (tests/pty.rs,
    // tests/pty_form.rs); see docs/security.md. `1`: the first key; `f12`: F12 only (so a form
    // can be filled first); `thread`: the first key, on a worker thread. Nothing else can make
    // the portal panic on purpose.
    let panic_on = std::env::var("IDP_TUI_PANIC_ON_KEY").ok();
    // Only a key the user pressed: not loads, search answers, ticks or resizes. Checked
    // wherever a key is read (a key can arrive in a burst with other events).
    let panic_if_asked = |code: crossterm::event::KeyCode| {
        let asked = match panic_on.as_deref() {
            Some("1" | "thread") => true,
            Some("f12") => code == crossterm::event::KeyCode::F(12),
            _ => false,
        };
        if !asked {
            return;
        }
        if panic_on.as_deref() == Some("thread") {
            // `thread`: on a worker thread, as a damaged cache once did.
            std::thread::spawn(|| {
                panic!("IDP_TUI_PANIC_ON_KEY=thread: panicking on a worker thread, as asked")
            });
        } else {
            panic!("IDP_TUI_PANIC_ON_KEY is set: panicking on a key press, as asked");
        }
    };
    // A source's replacement and scoring run off this thread; their answers come back here.
    app.work_in_background();
    let mut dirty = true;
    loop {
        if dirty {
            let started = Timing::start();
            draw_frame(terminal, |frame| ui::render(app, frame)).wrap_err("drawing")?;
            Timing::log(&started, "draw");
            dirty = false;
            // Work put off until the screen showed the catalog (scoring it, the writes after
            // a load) starts now.
            if apply(app, Action::Drawn, executor, &mut later)? {
                return Ok(());
            }
        }
        let mut key_press = None;
        let action = tokio::select! {
            event = events.recv() => match event {
                Some(Ok(event)) => {
                    if let crossterm::event::Event::Key(k) = &event {
                        key_press = Some(k.code);
                    }
                    event_action(app, event)
                }
                Some(Err(e)) => return Err(e).wrap_err("reading the terminal"),
                None => Some(Action::Quit),
            },
            Some(event) = loads.recv() => Some(Action::Load(event)),
            Some(result) = results.recv() => Some(result),
            Some(event) = confirms.recv(), if !held => Some(Action::Load(event)),
            read = snapshot.recv(), if startup.waiting() => {
                let event = match read {
                    Some(SnapshotRead::Present) => StartupEvent::SnapshotPresent,
                    Some(SnapshotRead::Read(read)) => StartupEvent::SnapshotRead(read),
                    None => StartupEvent::ReaderGone,
                };
                let mut steps: std::collections::VecDeque<Step> = startup.step(event).into();
                while let Some(step) = steps.pop_front() {
                    match step {
                        Step::StartSources { mode, hold: true } => {
                            executor.start_all(mode, &confirm_tx);
                        }
                        Step::StartSources { mode, hold: false } => executor.load_all(mode),
                        Step::Restore(snapshot) => {
                            if apply(app, Action::Restore(snapshot), executor, &mut later)? {
                                return Ok(());
                            }
                            let restored = later
                                .restored
                                .take()
                                .unwrap_or_else(|| Err("the snapshot was not restored".into()));
                            if restored.is_ok() {
                                tracing::info!(
                                    entities = app.catalog().len(),
                                    "started from the snapshot; sources confirming"
                                );
                            }
                            steps.extend(startup.step(StartupEvent::Restored(restored)));
                        }
                        Step::ReleaseHeld => held = false,
                        // Confirmations of a snapshot not used are dropped with their channel.
                        Step::DropHeld => confirms = mpsc::unbounded_channel().1,
                        Step::Log(message) => tracing::warn!("{message}"),
                        Step::Warn(message) => {
                            if apply(app, Action::Warn(message), executor, &mut later)? {
                                return Ok(());
                            }
                        }
                    }
                }
                dirty = true;
                continue;
            }
            _ = tick.tick(), if app.is_loading() => Some(Action::Tick),
            signal = signals.recv() => {
                tracing::info!("{signal}: quitting");
                Some(Action::Quit)
            }
        };
        let Some(action) = action else { continue };
        if let Some(code) = key_press {
            panic_if_asked(code);
        }
        if apply(app, action, executor, &mut later)? {
            return Ok(());
        }
        dirty = true;
        // Apply whatever else is ready before drawing again: one frame for a burst.
        for _ in 0..MAX_BATCH {
            let next = if let Ok(result) = results.try_recv() {
                Some(result)
            } else if let Ok(event) = loads.try_recv() {
                Some(Action::Load(event))
            } else if let Some(Ok(event)) = (!held).then(|| confirms.try_recv()) {
                Some(Action::Load(event))
            } else {
                match events.try_recv() {
                    Ok(Ok(event)) => {
                        if let crossterm::event::Event::Key(k) = &event {
                            panic_if_asked(k.code);
                        }
                        event_action(app, event)
                    }
                    Ok(Err(e)) => return Err(e).wrap_err("reading the terminal"),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => Some(Action::Quit),
                }
            };
            if let Some(action) = next {
                if apply(app, action, executor, &mut later)? {
                    return Ok(());
                }
            }
        }
        for plan in std::mem::take(&mut later.commands) {
            // Stop reading the terminal so the command gets every key.
            reader.abort();
            let _ = (&mut reader).await;
            let summary = run_in_terminal(terminal, &plan)?;
            (events, reader) = terminal_events();
            if apply(app, Action::Info(summary), executor, &mut later)? {
                return Ok(());
            }
        }
        for request in std::mem::take(&mut later.edits) {
            // The editor gets every key, as a terminal-mode command does.
            reader.abort();
            let _ = (&mut reader).await;
            let edited = edit_in_terminal(terminal, request)?;
            (events, reader) = terminal_events();
            let back = Action::Reply(reply::Reply::Edited(edited));
            if apply(app, back, executor, &mut later)? {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod click_tests;
#[cfg(test)]
mod custom_action_tests;
#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod history_tests;
#[cfg(test)]
mod hyperlink_tests;
#[cfg(test)]
mod initiative_tests;
#[cfg(test)]
mod insights_tests;
#[cfg(test)]
mod line_edit_tests;
#[cfg(test)]
mod list_filter_tests;
#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod marks_tests;
#[cfg(test)]
mod mouse_tests;
#[cfg(test)]
mod ownership_tests;
#[cfg(test)]
mod paging_tests;
#[cfg(test)]
mod pane_keys_tests;
#[cfg(test)]
mod raw_tests;
#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod remote_tests;
#[cfg(test)]
mod scorecard_tests;
#[cfg(test)]
mod screens_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod state_tests;
#[cfg(test)]
mod test_screen;

#[cfg(test)]
mod debug_log_tests {
    use super::*;

    #[test]
    fn the_debug_log_names_actions_without_what_the_user_typed() {
        assert_eq!(short_debug(&Action::Input('p')), "apply Input");
        let pasted = short_debug(&Action::Paste("hunter2 my password".into()));
        assert_eq!(pasted, "apply Paste");
        assert_eq!(short_debug(&Action::Resize(120, 40)), "apply Resize");
        assert_eq!(short_debug(&Action::Quit), "apply Quit");
        let click = Action::Mouse(action::Mouse::Click { column: 3, row: 4 });
        assert_eq!(short_debug(&click), "apply Mouse(Click");
    }
}

#[cfg(test)]
mod input_tests {
    use super::is_user_input;
    use crossterm::event::{
        Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent,
        MouseEventKind,
    };

    fn mouse(kind: MouseEventKind) -> Event {
        Event::Mouse(MouseEvent {
            kind,
            column: 3,
            row: 4,
            modifiers: KeyModifiers::NONE,
        })
    }

    #[test]
    fn keys_pastes_clicks_and_the_wheel_are_input_a_moving_pointer_is_not() {
        let key = |kind| {
            Event::Key(KeyEvent::new_with_kind(
                KeyCode::Char('p'),
                KeyModifiers::NONE,
                kind,
            ))
        };
        assert!(is_user_input(&key(KeyEventKind::Press)));
        assert!(is_user_input(&Event::Paste("x".into())));
        assert!(is_user_input(&mouse(MouseEventKind::Down(
            MouseButton::Left
        ))));
        assert!(is_user_input(&mouse(MouseEventKind::ScrollDown)));
        // Mouse capture reports every motion: a pointer resting on the window must not hold
        // the writes after a load back.
        assert!(!is_user_input(&mouse(MouseEventKind::Moved)));
        assert!(!is_user_input(&mouse(MouseEventKind::Drag(
            MouseButton::Left
        ))));
        assert!(!is_user_input(&key(KeyEventKind::Release)));
        assert!(!is_user_input(&Event::Resize(80, 24)));
        assert!(!is_user_input(&Event::FocusGained));
    }
}
