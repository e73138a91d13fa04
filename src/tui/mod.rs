//! The interactive portal: logging and the event loop (the terminal itself, its guard, panic
//! hook and signals are in `terminal.rs`).
//!
//! The shape is Elm's: terminal events, load events, signals and the spinner clock become
//! [`action::Action`]s; [`app::update`] changes the [`app::App`] and may hand back an
//! [`app::Effect`]; [`ui::render`] draws from the state alone. The screen is redrawn only after
//! something changed, and pending events are applied before the next frame, so a burst of keys
//! or load batches costs one redraw. With nothing loading, the loop sleeps: no ticks, no CPU.
//!
//! Extension points for other features:
//! - entity view tabs: [`tabs`] (a registry of tab factories; see its module docs),
//! - panes reachable from the palette: [`panes`] (the `View` trait),
//! - palette commands: [`commands`] (the `COMMANDS` registry),
//! - key bindings: [`keymap`] (per-mode lists; the help overlay is generated from them),
//! - the clipboard: [`clipboard`].

pub mod action;
pub mod app;
pub mod clipboard;
pub mod clock;
pub mod commands;
pub mod jobs;
pub mod keymap;
mod logging;
pub mod opener;
pub mod panes;
pub mod remote_task;
pub mod search_worker;
pub mod tabs;
mod terminal;
pub mod theme;
pub mod ui;
pub mod widgets;

use crate::actions::Plan;
use crate::catalog::Catalog;
use crate::cli::Cli;
use crate::source::{LoadMode, LoadOptions};
use crate::text;
use action::Action;
use app::{update, App, Effect};
use color_eyre::eyre::{eyre, WrapErr};
use crossterm::event::{Event, KeyEventKind};
use keymap::Keymap;
use ratatui::DefaultTerminal;
use std::process::ExitCode;
use std::time::Duration;
use terminal::{draw_frame, run_in_terminal, terminal_events, Signals, TerminalGuard};
use tokio::sync::mpsc;

pub use logging::LOG_FILE;

/// How often the spinner moves while a source loads.
const TICK: Duration = Duration::from_millis(120);

/// Most events applied before a redraw, so a flood of input still shows progress.
const MAX_BATCH: usize = 256;

/// The longest the exit waits for files being written and drafts being saved.
const EXIT_WAIT: Duration = Duration::from_secs(5);

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
    let (keymap, key_errors) = Keymap::with_overrides(&settings.config.keys);
    let (_log_guard, log_path, log_failures) = logging::init();
    tracing::info!(sources = settings.sources.len(), theme = %theme.name, "starting");

    let mut app = App::new(Catalog::new(), &settings.sources, theme, keymap);
    app.actions = settings.config.actions.clone();
    app.prefs.hyperlinks = cli.hyperlinks || settings.config.hyperlinks;
    app.set_scorecards(crate::scorecard::load_paths(&settings.scorecards));
    let action_conflicts = app.keymap.custom_key_conflicts(&app.actions);
    let warnings: Vec<String> = theme_warning
        .into_iter()
        .chain(key_errors)
        .chain(action_conflicts)
        .collect();
    for w in &warnings {
        tracing::warn!("{w}");
    }
    if !warnings.is_empty() {
        app.status_error(warnings.join("; "));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("starting the async runtime")?;
    let (search_tx, search_rx) = mpsc::unbounded_channel();
    match search_worker::SearchWorker::spawn(move |done| {
        let _ = search_tx.send(done);
    }) {
        Ok(worker) => app.use_worker(worker),
        // Still usable: searches then run on the UI thread.
        Err(e) => tracing::warn!("no search worker ({e}); searching inline"),
    }
    let (mut workers, job_rx) = jobs::Workers::start();
    let flusher = workers.flusher();
    let mut terminal = TerminalGuard::enter(log_path.clone(), flusher.clone())?;
    let result = runtime.block_on(async {
        let (tx, rx) = mpsc::unbounded_channel();
        let (pages_tx, pages_rx) = mpsc::unbounded_channel();
        let loader = Loader {
            specs: settings.sources.clone(),
            tx,
            offline: settings.offline,
            pages: pages_tx,
        };
        // The snapshot of the last load is read first (off this thread); the sources start
        // when it is in, to confirm it, or at once without one.
        let snapshot = loader.read_snapshot();
        let inbox = Inbox {
            snapshot,
            loads: rx,
            searches: search_rx,
            pages: pages_rx,
            jobs: job_rx,
            log_failures,
        };
        let result = event_loop(
            &mut terminal.terminal,
            &mut app,
            inbox,
            &loader,
            &mut workers,
        )
        .await;
        // Quit, SIGHUP, SIGTERM or an error: whatever the user typed reaches the disk first.
        for job in app.take_jobs() {
            workers.start_job(job);
        }
        workers.finish(EXIT_WAIT).await;
        result
    });
    drop(terminal);
    // A load that just finished may still be writing its cache or the snapshot: let it, or the
    // next start has neither (the terminal is already given back meanwhile).
    if !crate::background::wait_for_writes(EXIT_WAIT) {
        tracing::warn!("quit before the cache or the snapshot was written");
    }
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
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => app.action_for_key(&key),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Starts loads: at start-up (cache first for remote sources) and on refresh; and docs pages.
struct Loader {
    specs: Vec<crate::source::SourceSpec>,
    tx: mpsc::UnboundedSender<crate::source::LoadEvent>,
    offline: bool,
    pages: mpsc::UnboundedSender<tabs::docs_page::PageLoaded>,
}

/// What background work sends the loop.
struct Inbox {
    snapshot: mpsc::UnboundedReceiver<SnapshotRead>,
    loads: mpsc::UnboundedReceiver<crate::source::LoadEvent>,
    searches: mpsc::UnboundedReceiver<search_worker::SearchDone>,
    pages: mpsc::UnboundedReceiver<tabs::docs_page::PageLoaded>,
    jobs: mpsc::UnboundedReceiver<crate::scaffolder::jobs::JobDone>,
    log_failures: mpsc::UnboundedReceiver<String>,
}

/// What the snapshot reader reports at start-up.
enum SnapshotRead {
    /// A snapshot matching the sources is on disk and being decoded: the sources may start
    /// confirming it (their events wait until it is restored).
    Present,
    /// The snapshot, or why there is none to use.
    Read(Result<Option<Box<crate::snapshot::Snapshot>>, crate::snapshot::SnapshotError>),
}

impl Loader {
    /// Reads the snapshot of the sources on a blocking task; the answer arrives on the channel
    /// returned (at once when the sources cannot have one).
    fn read_snapshot(&self) -> mpsc::UnboundedReceiver<SnapshotRead> {
        let (tx, rx) = mpsc::unbounded_channel();
        let specs = self.specs.clone();
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

    /// Starts every source, sending its events to `tx`: to confirm the snapshot the app is
    /// restored from, or to load.
    fn start_all(&self, mode: LoadMode, tx: &mpsc::UnboundedSender<crate::source::LoadEvent>) {
        for (i, spec) in self.specs.iter().enumerate() {
            crate::source::spawn_with(
                i,
                spec.clone(),
                tx.clone(),
                LoadOptions {
                    mode,
                    offline: self.offline,
                    cache_dir: Some(crate::config::cache_dir()),
                },
            );
        }
    }

    /// Writes what a complete load leaves behind (the sources' caches, then the next start's
    /// snapshot) on a thread of lower priority, so the user's keys come first; a failure is
    /// logged and sent back as a warning for the status line.
    fn write_after_load(&self, writes: app::AfterLoad, warn: mpsc::UnboundedSender<String>) {
        let specs = self.specs.clone();
        let failed = warn.clone();
        let pending = crate::background::PendingWrite::start();
        let spawned = crate::background::spawn_low("idp-after-load", move || {
            let _pending = pending;
            for warning in writes.write_saves() {
                let _ = warn.send(warning.message);
            }
            let Some(contents) = writes.snapshot else {
                return;
            };
            // The snapshot holds the catalog: the caches' copy of it is no longer needed.
            drop(writes.catalog);
            let started = std::time::Instant::now();
            match crate::snapshot::save(&specs, &crate::config::cache_dir(), &contents) {
                Ok(()) => tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "snapshot written"
                ),
                Err(e) => {
                    tracing::warn!("{e}");
                    let _ = warn.send(format!("{e} (the next start loads from the caches)"));
                }
            }
        });
        if let Err(e) = spawned {
            let _ = failed.send(format!(
                "caches and snapshot not written: {e} (the next start loads from the server)"
            ));
        }
    }

    /// Reads a docs page on a blocking task; the answer arrives as `Action::DocsPage`.
    fn load_page(&self, request: tabs::docs_page::PageRequest) {
        let tx = self.pages.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(request.run());
        });
    }

    fn start(&self, source: usize, mode: LoadMode) {
        if let Some(spec) = self.specs.get(source) {
            crate::source::spawn_with(
                source,
                spec.clone(),
                self.tx.clone(),
                LoadOptions {
                    mode,
                    offline: self.offline,
                    cache_dir: Some(crate::config::cache_dir()),
                },
            );
        }
    }
}

/// Applies an action and starts the jobs it queued; returns true when the app should quit.
/// Custom actions to run are left in `runs` for the loop, which owns the terminal.
fn apply(
    app: &mut App,
    action: Action,
    loader: &Loader,
    workers: &mut jobs::Workers,
    runs: &mut Vec<Plan>,
) -> color_eyre::Result<bool> {
    let effect = update(app, action);
    for job in app.take_jobs() {
        workers.start_job(job);
    }
    match effect {
        Some(Effect::Quit) => Ok(true),
        Some(Effect::Copy(text)) => {
            clipboard::copy(&mut std::io::stdout(), &text).wrap_err("copying with OSC 52")?;
            Ok(false)
        }
        Some(Effect::OpenUrl(url)) => {
            let message =
                opener::open_or_copy(&url, &mut std::io::stdout()).wrap_err("opening a link")?;
            app.status_info(message);
            Ok(false)
        }
        Some(Effect::Run(plan)) => {
            runs.push(plan);
            Ok(false)
        }
        Some(Effect::LoadDocsPage(request)) => {
            loader.load_page(request);
            Ok(false)
        }
        Some(Effect::Refresh(sources)) => {
            for source in sources {
                loader.start(source, LoadMode::Refresh);
            }
            Ok(false)
        }
        None => Ok(false),
    }
}

/// Heavy work the app hands over (see `App::work_in_background`), each on a thread of lower
/// priority than this one, so the portal stays responsive over what it shows until the answer
/// comes back: a source's replacement, and scoring. A newer job of a kind supersedes the
/// running one (its answer is dropped with its channel).
#[derive(Default)]
struct Heavy {
    rebuilding: Option<tokio::sync::oneshot::Receiver<app::BuiltReplacement>>,
    scoring: Option<tokio::sync::oneshot::Receiver<crate::scorecard::board::Rescored>>,
}

impl Heavy {
    /// Starts what the app handed over since the last call, and frees the catalogs a
    /// replacement retired on another thread.
    fn start(&mut self, app: &mut App) -> color_eyre::Result<()> {
        use crate::background::spawn_low;
        if let Some(job) = app.take_rebuild() {
            let started = spawn_low("idp-rebuild", move || job.run());
            self.rebuilding = Some(started.wrap_err("starting a thread to rebuild the catalog")?);
        }
        if let Some(job) = app.take_score_job() {
            let started = spawn_low("idp-score", move || job.run());
            self.scoring = Some(started.wrap_err("starting a thread to score the catalog")?);
        }
        let retired = app.take_retired();
        if !retired.is_empty() {
            tokio::task::spawn_blocking(move || drop(retired));
        }
        Ok(())
    }
}

/// The answer of a job started by [`Heavy`], once; never ready when none runs.
async fn answer<T>(
    running: &mut Option<tokio::sync::oneshot::Receiver<T>>,
) -> Result<T, tokio::sync::oneshot::error::RecvError> {
    let answer = match running.as_mut() {
        Some(receiver) => receiver.await,
        None => std::future::pending().await,
    };
    *running = None;
    answer
}

/// Starts the template runs the app queued, each on the Backstage source its template came
/// from (the loop holds the sources, and so the tokens; the app never sees a token).
fn start_remote_jobs(
    app: &mut App,
    loader: &Loader,
    tx: &mpsc::UnboundedSender<(u64, remote_task::RemoteUpdate)>,
) {
    for job in app.take_remote_jobs() {
        match crate::source::backstage_at(&loader.specs, &job.server) {
            Some(source) => {
                tokio::spawn(remote_task::drive(
                    source.clone(),
                    job,
                    crate::backstage::tasks::FollowOptions::default(),
                    tx.clone(),
                ));
            }
            None => {
                let message = format!(
                    "no configured Backstage source at {}: the template cannot run there",
                    text::one_line(&job.server)
                );
                let _ = tx.send((job.job, remote_task::RemoteUpdate::Failed(message)));
            }
        }
    }
}

/// Starts the remote docs fetches the app queued, each from the entity's own source.
fn start_docs_fetches(
    app: &mut App,
    loader: &Loader,
    tx: &mpsc::UnboundedSender<remote_task::DocsFetched>,
) {
    for request in app.take_docs_requests() {
        match crate::source::backstage_at(&loader.specs, &request.server) {
            Some(source) => {
                let (source, tx) = (source.clone(), tx.clone());
                tokio::spawn(async move {
                    let _ = tx.send(remote_task::fetch_docs(source, request).await);
                });
            }
            None => {
                let message = format!(
                    "no configured Backstage source at {}",
                    text::one_line(&request.server)
                );
                let _ = tx.send(remote_task::DocsFetched {
                    server: request.server,
                    entity: request.entity,
                    page: request.page,
                    site: None,
                    page_result: Err((message, false)),
                });
            }
        }
    }
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    inbox: Inbox,
    loader: &Loader,
    workers: &mut jobs::Workers,
) -> color_eyre::Result<()> {
    let Inbox {
        mut snapshot,
        mut loads,
        mut searches,
        mut pages,
        jobs: mut job_answers,
        mut log_failures,
    } = inbox;
    let (mut events, mut reader) = terminal_events();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(Plan, crate::actions::Outcome)>();
    let (remote_tx, mut remote_rx) = mpsc::unbounded_channel();
    let (docs_tx, mut docs_rx) = mpsc::unbounded_channel();
    let mut runs: Vec<Plan> = Vec::new();
    let (warn_tx, mut warnings) = mpsc::unbounded_channel();
    // The sources start once the snapshot is known to be there (to confirm it while it
    // decodes; their events wait in `confirms` until it is restored) or not.
    let mut awaiting_snapshot = true;
    let (confirm_tx, mut confirms) = mpsc::unbounded_channel();
    let mut confirming = false;
    let mut restored = false;
    let mut signals = Signals::new()?;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    if let Ok(size) = terminal.size() {
        app.size = (size.width, size.height);
    }
    // Test-only: a way to prove the panic hook through the real binary (tests/pty.rs,
    // tests/pty_form.rs); see docs/security.md. `1`: the first key; `f12`: F12 only (so a form
    // can be filled first); `thread`: the first key, on a worker thread. Nothing else can make
    // the portal panic on purpose.
    let panic_on = std::env::var("IDP_TUI_PANIC_ON_KEY").ok();
    let panics = |code: crossterm::event::KeyCode| match panic_on.as_deref() {
        Some("1" | "thread") => true,
        Some("f12") => code == crossterm::event::KeyCode::F(12),
        _ => false,
    };
    // A source's replacement and scoring run off this thread; their answers come back here.
    app.work_in_background();
    let mut heavy = Heavy::default();
    let mut dirty = true;
    loop {
        if dirty {
            draw_frame(terminal, |frame| ui::render(app, frame)).wrap_err("drawing")?;
            dirty = false;
        }
        // Work put off until the screen showed the catalog (scoring it), then a redraw.
        if app.run_deferred() {
            dirty = true;
            continue;
        }
        heavy.start(app)?;
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
            built = answer(&mut heavy.rebuilding) => {
                // A panic while building (already reported by the panic hook) is a crash.
                let built = built.map_err(|_| eyre!("rebuilding the catalog failed"))?;
                Some(Action::Rebuilt(Box::new(built)))
            },
            scored = answer(&mut heavy.scoring) => {
                let scored = scored.map_err(|_| eyre!("scoring the catalog failed"))?;
                Some(Action::Scored(Box::new(scored)))
            },
            Some(done) = searches.recv() => Some(Action::SearchDone(done)),
            Some(page) = pages.recv() => Some(Action::DocsPage(page)),
            Some((plan, finished)) = done_rx.recv() => Some(Action::CustomFinished(plan, finished)),
            Some((job, update)) = remote_rx.recv() => Some(Action::Remote(job, update)),
            Some(fetched) = docs_rx.recv() => Some(Action::RemoteDocs(Box::new(fetched))),
            Some(done) = job_answers.recv() => Some(Action::JobDone(done)),
            Some(warning) = log_failures.recv() => Some(Action::Warn(warning)),
            Some(warning) = warnings.recv() => Some(Action::Warn(warning)),
            Some(event) = confirms.recv(), if restored => Some(Action::Load(event)),
            read = snapshot.recv(), if awaiting_snapshot => {
                if let Some(SnapshotRead::Present) = read {
                    confirming = true;
                    loader.start_all(LoadMode::Confirm, &confirm_tx);
                    continue;
                }
                awaiting_snapshot = false;
                let mode = match read {
                    // The reader stopped without an answer: load as if there were none.
                    None | Some(SnapshotRead::Present) => LoadMode::Startup,
                    Some(SnapshotRead::Read(Ok(Some(snapshot)))) => match app.restore(*snapshot) {
                        Ok(()) => {
                            tracing::info!(
                                entities = app.catalog.len(),
                                "started from the snapshot; sources confirming"
                            );
                            LoadMode::Confirm
                        }
                        Err(e) => {
                            tracing::warn!("snapshot not used: {e}");
                            LoadMode::Startup
                        }
                    },
                    Some(SnapshotRead::Read(Ok(None))) => LoadMode::Startup,
                    // Out of date, or written by another version of idp-tui (after an
                    // upgrade): expected, so only logged; the next snapshot replaces it.
                    Some(SnapshotRead::Read(Err(
                        e @ (crate::snapshot::SnapshotError::Stale(_)
                        | crate::snapshot::SnapshotError::Cache(
                            crate::source::cache::CacheError::Version { .. },
                        )),
                    ))) => {
                        tracing::warn!("{e}");
                        LoadMode::Startup
                    }
                    Some(SnapshotRead::Read(Err(e))) => {
                        tracing::warn!("{e}");
                        app.status_error(format!("{e} (loading from the caches)"));
                        LoadMode::Startup
                    }
                };
                match (mode, confirming) {
                    // Already confirming: their events are let through from now on.
                    (LoadMode::Confirm, true) => restored = true,
                    (LoadMode::Confirm, false) => loader.start_all(mode, &loader.tx),
                    (_, _) => {
                        // Confirmations of a snapshot not used are dropped with their channel.
                        confirms = mpsc::unbounded_channel().1;
                        loader.start_all(mode, &loader.tx);
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
        // Only a key the user pressed: not loads, search answers, ticks or resizes.
        if key_press.is_some_and(panics) {
            if panic_on.as_deref() == Some("thread") {
                // `thread`: on a worker thread, as a damaged cache once did.
                std::thread::spawn(|| {
                    panic!("IDP_TUI_PANIC_ON_KEY=thread: panicking on a worker thread, as asked")
                });
            } else {
                panic!("IDP_TUI_PANIC_ON_KEY is set: panicking on a key press, as asked");
            }
        }
        if apply(app, action, loader, workers, &mut runs)? {
            return Ok(());
        }
        dirty = true;
        // Apply whatever else is ready before drawing again: one frame for a burst.
        for _ in 0..MAX_BATCH {
            let next = if let Ok(done) = searches.try_recv() {
                Some(Action::SearchDone(done))
            } else if let Ok(event) = loads.try_recv() {
                Some(Action::Load(event))
            } else if let Some(Ok(event)) = restored.then(|| confirms.try_recv()) {
                Some(Action::Load(event))
            } else {
                match events.try_recv() {
                    Ok(Ok(event)) => event_action(app, event),
                    Ok(Err(e)) => return Err(e).wrap_err("reading the terminal"),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => Some(Action::Quit),
                }
            };
            if let Some(action) = next {
                if apply(app, action, loader, workers, &mut runs)? {
                    return Ok(());
                }
            }
        }
        if let Some(writes) = app.take_writes() {
            loader.write_after_load(writes, warn_tx.clone());
        }
        heavy.start(app)?;
        start_remote_jobs(app, loader, &remote_tx);
        start_docs_fetches(app, loader, &docs_tx);
        for plan in runs.drain(..) {
            match plan.mode {
                crate::actions::Mode::Terminal => {
                    // Stop reading the terminal so the command gets every key.
                    reader.abort();
                    let _ = (&mut reader).await;
                    let summary = run_in_terminal(terminal, &plan)?;
                    (events, reader) = terminal_events();
                    app.status_info(summary);
                }
                crate::actions::Mode::Background => {
                    let tx = done_tx.clone();
                    app.status_info(format!("running {}…", text::one_line(&plan.title)));
                    tokio::task::spawn_blocking(move || {
                        let finished = crate::actions::execute(&plan).unwrap_or_else(|e| {
                            crate::actions::Outcome {
                                code: None,
                                stdout: String::new(),
                                stderr: e.to_string(),
                            }
                        });
                        let _ = tx.send((plan, finished));
                    });
                }
                crate::actions::Mode::Open => {
                    // Like the built-in links: opened here, copied over ssh.
                    let url = plan.argv.last().cloned().unwrap_or_default();
                    let message = opener::open_or_copy(&url, &mut std::io::stdout())
                        .wrap_err("opening a link")?;
                    app.status_info(format!("{}: {message}", text::one_line(&plan.title)));
                }
            }
        }
    }
}

#[cfg(test)]
mod custom_action_tests;
#[cfg(test)]
mod form_tests;
#[cfg(test)]
mod hyperlink_tests;
#[cfg(test)]
mod ownership_tests;
#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod remote_tests;
#[cfg(test)]
mod scorecard_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod state_tests;
