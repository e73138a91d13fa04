//! The one road out of `update`: everything the portal asks of the world outside its state is a
//! [`Task`] that [`update`](crate::tui::app::update) returns, and the event loop's executor
//! (`tui::executor`) runs each on its [`Pool`]. Whatever a task finds comes back as an
//! [`Reply`](crate::tui::reply::Reply) in one action, `Action::Reply`, through `update`, to
//! the pane that asked.
//!
//! Adding a background feature: one variant here (with its [`Pool`]), one arm in the executor
//! that runs it and sends its answer back as a `Reply` (one variant there), and the pane that returns the task and
//! takes the answer (see `docs/architecture.md`, "Adding a background feature").

use crate::catalog::Catalog;
use crate::scaffolder::jobs::Job;
use crate::scorecard::board::Rescore;
use crate::source::SourceId;
use crate::tui::app::{AfterLoad, RebuildJob};
use crate::tui::remote_task::{DocsRequest, RemoteJob};
use crate::tui::tabs::docs_page::PageRequest;
use std::sync::Arc;

/// Work `update` asks for; the loop's executor runs it.
pub enum Task {
    /// Restore the terminal and exit.
    Quit,
    /// Tell the start-up machine (`crate::startup`, driven by the loop) how restoring the
    /// snapshot went: the answer to `Action::Restore`.
    Restored(Result<(), String>),
    /// Copy text to the clipboard (OSC 52).
    Copy(String),
    /// Open a URL with the local opener, or copy it over ssh (see `tui::opener`).
    OpenUrl(String),
    /// Run a user command, a custom action from the config (the loop suspends the TUI for
    /// `terminal` mode; one run in the background answers with `Reply::Command`).
    RunCommand(crate::user_commands::PreparedCommand),
    /// Open a file in the user's editor with the terminal (the loop suspends the TUI); what
    /// happened comes back as `Reply::Edited`.
    Edit(crate::tui::editing::EditRequest),
    /// Write the favourites and recent entities (atomically); a failure comes back as
    /// `Action::Warn`.
    SaveMarks(crate::tui::marks::Save),
    /// Reload these sources (their data stays until the new data is in).
    Refresh(Vec<SourceId>),
    /// Read a docs page from disk; the answer comes back as `Reply::DocsPage`.
    ReadDocsPage(PageRequest),
    /// Fetch a remote entity's TechDocs; the answer comes back as `Reply::RemoteDocs`.
    FetchRemoteDocs(DocsRequest),
    /// Run a template on its Backstage server; progress comes back as `Reply::TemplateRun`.
    RunTemplate(Box<RemoteJob>),
    /// Save a draft, compute a plan or write files; the answer comes back as `Reply::Scaffold`.
    Scaffold(Box<Job>),
    /// Build a source's replacement catalog; it comes back as `Reply::Rebuilt`.
    Rebuild(RebuildJob),
    /// Score the catalog; the scores come back as `Reply::Scored`.
    Rescore(Rescore),
    /// Fetch an entity's live data (cached answers first, then fresh ones); each comes back
    /// as `Reply::Live`, until the tab that asked is closed.
    FetchLive(Box<crate::tui::tabs::live::LiveRequest>),
    /// Write the sources' caches and the next start's snapshot after a complete load.
    WriteAfterLoad(AfterLoad),
    /// Run a query on the search worker; the results come back as `Reply::Search`.
    Search(crate::tui::search_worker::SearchRequest),
    /// Free catalogs a replacement retired (100,000 entities take tens of ms to free).
    Retire(Vec<Arc<Catalog>>),
    /// Read the score history for burn-up sparklines (evaluating the catalog's commits when it
    /// is in git, else the recorded runs); it comes back as `Reply::History`.
    ReadHistory(crate::tui::widgets::burnup::HistoryRequest),
    /// Count the catalog's insights for the Insights pane; they come back as `Reply::Stats`.
    CountStats(crate::tui::panes::insights::StatsJob),
    /// Work out the Initiatives panes' figures; they come back as `Reply::Initiatives`.
    FigureInitiatives(crate::tui::panes::initiatives::FiguresJob),
}

/// Where a task runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    /// On the UI thread, at once: it needs the terminal (quit, clipboard, a command run in the
    /// terminal) and is quick.
    Ui,
    /// Network and disk reads on tokio: many at once, mostly waiting.
    Io,
    /// CPU work the user waits for, on tokio's blocking pool (a plan, a draft, a write).
    Interactive,
    /// CPU work the user does not wait for, on threads of lower priority (a rebuild, scoring,
    /// the writes after a load, freeing retired catalogs).
    Background,
}

impl Task {
    /// The pool the executor runs this task on.
    pub fn pool(&self) -> Pool {
        match self {
            Task::Quit
            | Task::Restored(_)
            | Task::Copy(_)
            | Task::OpenUrl(_)
            | Task::RunCommand(_)
            | Task::Edit(_) => Pool::Ui,
            Task::Refresh(_)
            | Task::ReadDocsPage(_)
            | Task::FetchRemoteDocs(_)
            | Task::RunTemplate(_)
            | Task::FetchLive(_) => Pool::Io,
            Task::Scaffold(_) | Task::Search(_) | Task::SaveMarks(_) => Pool::Interactive,
            Task::Rebuild(_)
            | Task::Rescore(_)
            | Task::WriteAfterLoad(_)
            | Task::Retire(_)
            | Task::CountStats(_)
            | Task::ReadHistory(_)
            | Task::FigureInitiatives(_) => Pool::Background,
        }
    }

    /// The task's name, for logs and test messages.
    pub fn name(&self) -> &'static str {
        match self {
            Task::Quit => "quit",
            Task::Restored(_) => "restored",
            Task::Copy(_) => "copy",
            Task::OpenUrl(_) => "open-url",
            Task::RunCommand(_) => "run-command",
            Task::Edit(_) => "edit",
            Task::SaveMarks(_) => "save-marks",
            Task::Refresh(_) => "refresh",
            Task::ReadDocsPage(_) => "read-docs-page",
            Task::FetchRemoteDocs(_) => "fetch-remote-docs",
            Task::RunTemplate(_) => "run-template",
            Task::FetchLive(_) => "fetch-live",
            Task::Scaffold(_) => "scaffold",
            Task::Rebuild(_) => "rebuild",
            Task::Rescore(_) => "rescore",
            Task::WriteAfterLoad(_) => "write-after-load",
            Task::Retire(_) => "retire",
            Task::ReadHistory(_) => "read-history",
            Task::CountStats(_) => "count-stats",
            Task::FigureInitiatives(_) => "figure-initiatives",
            Task::Search(_) => "search",
        }
    }
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Task::Copy(text) | Task::OpenUrl(text) => write!(f, "{}({text:?})", self.name()),
            Task::Refresh(ids) => write!(f, "refresh({ids:?})"),
            Task::RunCommand(plan) => write!(f, "run-command({:?})", plan.title),
            Task::Edit(request) => write!(f, "edit({:?})", request.place()),
            Task::ReadDocsPage(request) => write!(f, "read-docs-page({request:?})"),
            Task::Scaffold(job) => write!(f, "scaffold({job:?})"),
            Task::FetchLive(request) => write!(f, "fetch-live({})", request.subject.entity()),
            Task::Search(request) => write!(f, "search({:?})", request.query.words),
            other => f.write_str(other.name()),
        }
    }
}
