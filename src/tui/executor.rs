//! The executor: runs every [`Task`] that `update` returns, each on its [`Pool`], and sends what
//! the work finds back to the loop as one action, `Action::Reply` (a [`Reply`]), on one channel
//! (the results channel). The loop never writes to the app itself: a message for the status
//! line comes back as `Action::Info` or `Action::Warn` on the same channel.
//!
//! The pools: `Io` is the tokio runtime (loads, docs pages, remote docs, template runs, live
//! data);
//! `Interactive` is tokio's blocking pool and the draft writer (scaffold jobs); `Background` is
//! threads of lower priority (rebuilds, scoring, the writes after a load, freeing retired
//! catalogs). [`Executor::finish`] is the one shutdown path: it waits, with a timeout, for the
//! scaffold writes and drafts, then for the writes after a load.

use super::action::Action;
use super::app::AfterLoad;
use super::reply::Reply;
use super::search_worker::{SearchDone, SearchRequest, SearchWorker};
use super::task::Task;
use super::{clipboard, jobs, opener, remote_task};
use crate::source::{LoadEvent, LoadMode, LoadOptions, SourceSpec};
use crate::text;
use crate::user_commands::PreparedCommand;
use color_eyre::eyre::WrapErr;
use std::time::Duration;
use tokio::sync::mpsc;

/// What the loop does after a task ran.
pub(super) enum Ran {
    /// Nothing more.
    Done,
    /// Quit: restore the terminal and exit.
    Quit,
    /// Run this command with the terminal (the loop owns it, and suspends the TUI).
    InTerminal(PreparedCommand),
    /// Open this file in the editor with the terminal (the loop suspends the TUI).
    Edit(crate::tui::editing::EditRequest),
    /// Tell the start-up machine how restoring the snapshot went.
    Restored(Result<(), String>),
}

/// Runs the tasks; holds the sources (and so their tokens: the app never sees a token).
pub(super) struct Executor {
    specs: Vec<SourceSpec>,
    offline: bool,
    loads: mpsc::UnboundedSender<LoadEvent>,
    results: mpsc::UnboundedSender<Action>,
    workers: jobs::Workers,
    /// The search worker (a thread that keeps the previous query's matches to narrow).
    search: Option<SearchWorker>,
}

/// The shutdown path, second half (after the terminal is given back, so quitting feels
/// instant): waits, at most `timeout`, for the low-priority writes that follow a load (the
/// caches, the snapshot), or the next start has neither.
pub(super) fn drain_background(timeout: Duration) {
    if !crate::background::wait_for_writes(timeout) {
        tracing::warn!("quit before the cache or the snapshot was written");
    }
}

impl Executor {
    /// An executor for these sources: their load events go to `loads`, every other answer to
    /// `results`.
    pub(super) fn new(
        specs: Vec<SourceSpec>,
        offline: bool,
        loads: mpsc::UnboundedSender<LoadEvent>,
        results: mpsc::UnboundedSender<Action>,
        workers: jobs::Workers,
        search: Option<SearchWorker>,
    ) -> Self {
        Executor {
            specs,
            offline,
            loads,
            results,
            workers,
            search,
        }
    }

    /// The sources.
    pub(super) fn specs(&self) -> &[SourceSpec] {
        &self.specs
    }

    /// The results channel: background work outside the tasks (the file watcher) answers on
    /// it too.
    pub(super) fn results(&self) -> mpsc::UnboundedSender<Action> {
        self.results.clone()
    }

    /// Runs one task on its pool. Errors are the terminal's (copying, opening a link); the
    /// work's own failures come back as actions.
    pub(super) fn run(&mut self, task: Task) -> color_eyre::Result<Ran> {
        tracing::trace!(task = task.name(), pool = ?task.pool(), "task");
        match task {
            Task::Quit => return Ok(Ran::Quit),
            Task::Restored(result) => return Ok(Ran::Restored(result)),
            Task::Copy(text) => {
                clipboard::copy(&mut std::io::stdout(), &text).wrap_err("copying with OSC 52")?;
            }
            Task::OpenUrl(url) => {
                let message = opener::open_or_copy(&url, &mut std::io::stdout())
                    .wrap_err("opening a link")?;
                self.tell(Action::Info(message));
            }
            Task::RunCommand(plan) => return self.run_command(plan),
            Task::Edit(request) => return Ok(Ran::Edit(request)),
            Task::Refresh(sources) => {
                for source in sources {
                    self.start(source, LoadMode::Refresh);
                }
            }
            Task::ReadDocsPage(request) => {
                let tx = self.results.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::Reply(Reply::DocsPage(request.run())));
                });
            }
            Task::FetchRemoteDocs(request) => self.fetch_docs(request),
            Task::RunTemplate(job) => self.run_template(*job),
            Task::Scaffold(job) => self.workers.start_job(*job),
            Task::SaveMarks(save) => {
                let tx = self.results.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::tui::marks::write(&save) {
                        let _ = tx.send(Action::Warn(format!(
                            "favourites not saved to {}: {e}",
                            save.path.display()
                        )));
                    }
                });
            }
            Task::FetchLive(request) => {
                let tx = self.results.clone();
                tokio::spawn(request.run(move |report| {
                    let _ = tx.send(Action::Reply(Reply::Live(Box::new(report))));
                }));
            }
            Task::Rebuild(job) => self
                .low("idp-rebuild", "rebuilding the catalog", move || {
                    Reply::Rebuilt(Box::new(job.run()))
                })
                .wrap_err("starting a thread to rebuild the catalog")?,
            Task::Rescore(job) => self
                .low("idp-score", "scoring the catalog", move || {
                    Reply::Scored(Box::new(job.run()))
                })
                .wrap_err("starting a thread to score the catalog")?,
            Task::CountStats(job) => self
                .low("idp-stats", "counting the catalog's insights", move || {
                    Reply::Stats(job.run())
                })
                .wrap_err("starting a thread to count the catalog's insights")?,
            Task::FigureInitiatives(job) => self
                .low(
                    "idp-initiatives",
                    "working out the initiatives",
                    move || Reply::Initiatives(job.run()),
                )
                .wrap_err("starting a thread to work out the initiatives")?,
            Task::ReadHistory(request) => self
                .low("idp-history", "reading the score history", move || {
                    Reply::History(request.run())
                })
                .wrap_err("starting a thread to read the score history")?,
            Task::WriteAfterLoad(writes) => self.write_after_load(writes),
            Task::Search(request) => self.search(request),
            Task::Retire(catalogs) => {
                // Freed on a thread of lower priority; where none starts, here.
                let _ = crate::background::spawn_low("idp-retire", move || drop(catalogs));
            }
        }
        Ok(Ran::Done)
    }

    /// Hands a query to the search worker; when it is gone, runs it on tokio's blocking pool
    /// (without the worker's narrowing memory: slower, still off the UI thread).
    fn search(&mut self, request: SearchRequest) {
        let request = match &self.search {
            Some(worker) => match worker.submit(request) {
                Ok(()) => return,
                Err(request) => {
                    tracing::warn!("the search worker stopped; searching on the pool");
                    self.search = None;
                    request
                }
            },
            None => request,
        };
        let tx = self.results.clone();
        tokio::task::spawn_blocking(move || {
            let mut narrowing = crate::search::Narrowing::default();
            let mut results = narrowing.search(
                &request.index,
                request.version,
                &request.query,
                request.limit,
            );
            if request.facets {
                results.facets = narrowing.facets(&request.index, request.version);
            }
            let done = SearchDone {
                generation: request.generation,
                results,
            };
            let _ = tx.send(Action::Reply(Reply::Search(done)));
        });
    }

    /// Starts every source, sending its events to `tx`: to confirm the snapshot the app is
    /// restored from (their own channel), or to load.
    pub(super) fn start_all(&self, mode: LoadMode, tx: &mpsc::UnboundedSender<LoadEvent>) {
        for (i, spec) in self.specs.iter().enumerate() {
            crate::source::spawn_with(i, spec.clone(), tx.clone(), self.options(mode));
        }
    }

    /// Starts every source on the load channel.
    pub(super) fn load_all(&self, mode: LoadMode) {
        self.start_all(mode, &self.loads);
    }

    /// The shutdown path, first half (while the terminal is still ours): lets scaffold writes
    /// in flight finish and writes every pending draft, at most `timeout` each.
    pub(super) async fn finish(&mut self, timeout: Duration) {
        self.workers.finish(timeout).await;
    }

    fn options(&self, mode: LoadMode) -> LoadOptions {
        LoadOptions {
            mode,
            offline: self.offline,
            cache_dir: Some(crate::config::cache_dir()),
        }
    }

    fn start(&self, source: usize, mode: LoadMode) {
        if let Some(spec) = self.specs.get(source) {
            crate::source::spawn_with(source, spec.clone(), self.loads.clone(), self.options(mode));
        }
    }

    fn tell(&self, action: Action) {
        let _ = self.results.send(action);
    }

    /// Runs `work` on a thread of lower priority and sends its reply back. The state waits
    /// for that reply (a rebuilt catalog, scores): when the work panics instead (already
    /// reported by the panic hook), `Action::Failed` ends the portal with an error.
    fn low(
        &self,
        thread: &str,
        what: &'static str,
        work: impl FnOnce() -> Reply + Send + 'static,
    ) -> std::io::Result<()> {
        let answer = crate::background::spawn_low(thread, work)?;
        let tx = self.results.clone();
        tokio::spawn(async move {
            let _ = tx.send(match answer.await {
                Ok(reply) => Action::Reply(reply),
                Err(_) => Action::Failed(format!("{what} failed")),
            });
        });
        Ok(())
    }

    /// A user command (a custom action from the config): in the terminal (the loop runs it), in
    /// the background (its output comes back as `Reply::Command`), or a link to open.
    fn run_command(&mut self, plan: PreparedCommand) -> color_eyre::Result<Ran> {
        match plan.mode {
            crate::user_commands::RunMode::Terminal => return Ok(Ran::InTerminal(plan)),
            crate::user_commands::RunMode::Background => {
                self.tell(Action::Info(format!(
                    "running {}…",
                    text::one_line(&plan.title)
                )));
                let tx = self.results.clone();
                tokio::task::spawn_blocking(move || {
                    let finished = crate::user_commands::execute(&plan).unwrap_or_else(|e| {
                        crate::user_commands::CommandOutput {
                            code: None,
                            stdout: String::new(),
                            stderr: e.to_string(),
                        }
                    });
                    let _ = tx.send(Action::Reply(Reply::Command(plan, finished)));
                });
            }
            crate::user_commands::RunMode::Open => {
                // Like the built-in links: opened here, copied over ssh.
                let url = plan.argv.last().cloned().unwrap_or_default();
                let message = opener::open_or_copy(&url, &mut std::io::stdout())
                    .wrap_err("opening a link")?;
                self.tell(Action::Info(format!(
                    "{}: {message}",
                    text::one_line(&plan.title)
                )));
            }
        }
        Ok(Ran::Done)
    }

    /// Runs a template on the Backstage source it came from.
    fn run_template(&self, job: remote_task::RemoteJob) {
        match crate::source::backstage_at(&self.specs, &job.server) {
            Some(source) => {
                tokio::spawn(remote_task::drive(
                    source.clone(),
                    job,
                    crate::backstage::tasks::FollowOptions::default(),
                    self.results.clone(),
                ));
            }
            None => {
                let message = format!(
                    "no configured Backstage source at {}: the template cannot run there",
                    text::one_line(&job.server)
                );
                self.tell(Action::Reply(Reply::TemplateRun(
                    job.job,
                    remote_task::RemoteUpdate::Failed(message),
                )));
            }
        }
    }

    /// Fetches remote docs from the entity's own source.
    fn fetch_docs(&self, request: remote_task::DocsRequest) {
        match crate::source::backstage_at(&self.specs, &request.server) {
            Some(source) => {
                let (source, tx) = (source.clone(), self.results.clone());
                tokio::spawn(async move {
                    let fetched = remote_task::fetch_docs(source, request).await;
                    let _ = tx.send(Action::Reply(Reply::RemoteDocs(Box::new(fetched))));
                });
            }
            None => {
                let message = format!(
                    "no configured Backstage source at {}",
                    text::one_line(&request.server)
                );
                self.tell(Action::Reply(Reply::RemoteDocs(Box::new(
                    remote_task::DocsFetched {
                        server: request.server,
                        entity: request.entity,
                        page: request.page,
                        site: None,
                        page_result: Err((message, false)),
                    },
                ))));
            }
        }
    }

    /// Writes what a complete load leaves behind (the sources' caches, then the next start's
    /// snapshot) on a thread of lower priority, so the user's keys come first; a failure is
    /// logged and sent back as a warning for the status line.
    fn write_after_load(&self, writes: AfterLoad) {
        let specs = self.specs.clone();
        let warn = self.results.clone();
        let pending = crate::background::PendingWrite::start();
        let spawned = crate::background::spawn_low("idp-after-load", move || {
            let _pending = pending;
            for warning in writes.write_saves() {
                let _ = warn.send(Action::Warn(warning.message));
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
                    let _ = warn.send(Action::Warn(format!(
                        "{e} (the next start loads from the caches)"
                    )));
                }
            }
        });
        if let Err(e) = spawned {
            self.tell(Action::Warn(format!(
                "caches and snapshot not written: {e} (the next start loads from the server)"
            )));
        }
    }
}
