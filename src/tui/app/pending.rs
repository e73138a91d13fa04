//! The app's pending work: what was asked for and not yet handed out, what waits for an answer,
//! and what is due later (the load's own bookkeeping, a replacement being built and the
//! snapshot due, is the catalog state's: see `crate::startup::state`).

use super::remote::RemoteJobs;
use super::searching::Searching;
use crate::tui::task::Task;

/// Work in flight or due.
pub(super) struct Pending {
    /// The tasks asked for while `update` handles an action (a template run, a docs fetch, a
    /// rebuild, scoring, a closed pane's last draft): `update` returns them with the rest.
    pub(super) asked: Vec<Task>,
    /// Remote template runs: the next job number.
    pub(super) remote: RemoteJobs,
    /// The catalog changed and the scores were not yet recomputed: done after the next frame
    /// (see [`super::App::run_deferred`]) or before the next user action, whichever comes first.
    pub(super) scores_due: bool,
    /// A `confirm: true` action waiting for its key to be pressed again.
    pub(super) pending_confirm: Option<usize>,
    /// Search state: versions, the worker, the query awaited, load coalescing.
    pub(super) searching: Searching,
    /// When each source's last refresh started (the app's monotonic clock): a change the
    /// file watcher saw before that is read by that refresh and needs no reload of its own.
    pub(super) refresh_started:
        std::collections::HashMap<crate::source::SourceId, std::time::Instant>,
}
