//! Running the panes' [`Job`]s for the event loop, off the UI thread: drafts go to the
//! debouncing [`DraftWriter`]; plans and writes to tokio's blocking pool. Every answer comes
//! back on the executor's results channel as a [`JobDone`] in
//! [`Reply::Scaffold`](super::reply::Reply::Scaffold).

use super::action::Action;
use super::reply::Reply;
use crate::scaffolder::draft_writer::{DraftFlusher, DraftWriter};
use crate::scaffolder::jobs::{Job, JobDone};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Environment variable: the draft debounce in milliseconds (default 300).
pub const DEBOUNCE_ENV: &str = "IDP_TUI_DRAFT_DEBOUNCE_MS";

/// The draft writer and the scaffold jobs in flight.
pub struct Workers {
    drafts: Option<DraftWriter>,
    tx: mpsc::UnboundedSender<Action>,
    writes: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts the draft writer; its reports, like every other answer, go to `tx` (the
    /// executor's results channel). Without a writer thread, drafts are written on the
    /// blocking pool, undebounced.
    pub fn start(tx: mpsc::UnboundedSender<Action>) -> Workers {
        let debounce = std::env::var(DEBOUNCE_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(
                crate::scaffolder::draft_writer::DEBOUNCE,
                Duration::from_millis,
            );
        let report = tx.clone();
        let drafts = DraftWriter::spawn(debounce, move |saved| {
            let _ = report.send(done(JobDone::Draft(saved)));
        })
        .map_err(|e| tracing::warn!("no draft writer thread ({e}); saving drafts unbatched"))
        .ok();
        Workers {
            drafts,
            tx,
            writes: Vec::new(),
        }
    }

    /// A handle that writes every pending draft now (for the quit path and the panic hook).
    pub fn flusher(&self) -> Option<DraftFlusher> {
        self.drafts.as_ref().map(DraftWriter::flusher)
    }

    /// Starts a job. Must be called inside the tokio runtime.
    pub fn start_job(&mut self, job: Job) {
        if let (Job::Draft(op), Some(writer)) = (&job, &self.drafts) {
            writer.submit(op.clone());
            return;
        }
        let is_write = matches!(job, Job::Write(_));
        let tx = self.tx.clone();
        let handle = tokio::task::spawn_blocking(move || {
            if let Some(answer) = job.run_here() {
                let _ = tx.send(done(answer));
            }
        });
        if is_write {
            self.writes.retain(|h| !h.is_finished());
            self.writes.push(handle);
        }
    }

    /// Before exiting: lets writes in flight finish (at most `timeout`, so a hung disk cannot
    /// hold the exit forever), then writes every pending draft.
    pub async fn finish(&mut self, timeout: Duration) {
        let writes = std::mem::take(&mut self.writes);
        let _ = tokio::time::timeout(timeout, futures::future::join_all(writes)).await;
        if let Some(flusher) = self.flusher() {
            if !flusher.flush(timeout) {
                tracing::warn!("the draft writer did not finish in {timeout:?}");
            }
        }
    }
}

/// A job's answer as the action that carries it back.
fn done(answer: JobDone) -> Action {
    Action::Reply(Reply::Scaffold(answer))
}
