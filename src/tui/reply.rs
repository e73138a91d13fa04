//! The one road back: whatever a [`Task`](super::task::Task) finds comes back to `update` as
//! [`Action::Reply`](super::action::Action::Reply) carrying a [`Reply`], on the executor's one
//! results channel. `update` routes it to whoever asked: the app itself (a rebuilt catalog,
//! scores, search results) or the pane or tab that asked (a docs page, a template run's
//! progress, a scaffold job, live data), which takes it in its `handle` like any other action
//! and knows it by the token, job number or entity it asked with. A reply nobody waits for any
//! more (the pane was closed) is dropped.

use crate::scaffolder::jobs::JobDone;
use crate::scorecard::board::Rescored;
use crate::tui::app::BuiltReplacement;
use crate::tui::remote_task::{DocsFetched, RemoteUpdate};
use crate::tui::search_worker::SearchDone;
use crate::tui::tabs::docs_page::PageLoaded;
use crate::user_commands::{CommandOutput, PreparedCommand};

/// What a task found, for the part of the state that asked.
#[derive(Debug)]
pub enum Reply {
    /// A docs page read from disk (`Task::ReadDocsPage`), for the Docs tab waiting for its
    /// token.
    DocsPage(PageLoaded),
    /// A remote entity's TechDocs page (`Task::FetchRemoteDocs`), for the tab showing it.
    RemoteDocs(Box<DocsFetched>),
    /// Progress of a template run on a Backstage server (`Task::RunTemplate`): the job number
    /// and the update, for the pane following that job.
    TemplateRun(u64, RemoteUpdate),
    /// A scaffold job answered (`Task::Scaffold`: a draft saved or loaded, a plan, a write),
    /// for the form that asked.
    Scaffold(JobDone),
    /// Local catalog files changed (the watcher, `tui::watch`): these sources reload.
    FilesChanged(Vec<crate::tui::watch::Change>),
    /// The editor opened on a file returned (`Task::Edit`): its source is reloaded.
    Edited(crate::tui::editing::Edited),
    /// A user command run in the background finished (`Task::RunCommand`).
    Command(PreparedCommand, CommandOutput),
    /// A source's replacement catalog was built (`Task::Rebuild`).
    Rebuilt(Box<BuiltReplacement>),
    /// The scorecards were evaluated (`Task::Rescore`).
    Scored(Box<Rescored>),
    /// The search worker answered a query.
    Search(SearchDone),
    /// Live data for an entity (`Task::FetchLive`): the app keeps the latest report of each
    /// entity, which every pane reads (`Ctx::live`).
    Live(Box<crate::live::Report>),
    /// The score history (`Task::ReadHistory`), for the panes drawing burn-ups.
    History(crate::tui::widgets::burnup::HistoryLoaded),
    /// The catalog's insights (`Task::CountStats`), for the Insights pane.
    Stats(crate::tui::panes::insights::StatsCounted),
    /// The Initiatives panes' figures (`Task::FigureInitiatives`), for the pane with the token.
    Initiatives(crate::tui::panes::initiatives::Figured),
}

impl Reply {
    /// The reply's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Reply::DocsPage(_) => "docs-page",
            Reply::RemoteDocs(_) => "remote-docs",
            Reply::TemplateRun(..) => "template-run",
            Reply::Scaffold(_) => "scaffold",
            Reply::Edited(_) => "edited",
            Reply::FilesChanged(_) => "files-changed",
            Reply::Command(..) => "command",
            Reply::Rebuilt(_) => "rebuilt",
            Reply::Scored(_) => "scored",
            Reply::Search(_) => "search",
            Reply::Live(_) => "live",
            Reply::History(_) => "history",
            Reply::Stats(_) => "stats",
            Reply::Initiatives(_) => "initiatives",
        }
    }
}
