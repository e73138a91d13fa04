//! The app's side of templates run on a Backstage server: a run from the form opens a
//! progress pane and waits for the loop to start it; updates go to the pane following the
//! job, and a 400 closes that pane and hands the errors to the form underneath.

use super::App;
use crate::backstage::tasks::{FollowOptions, TaskRequest};
use crate::tui::panes::task::TaskView;
use crate::tui::remote_task::{DocsRequest, RemoteJob, RemoteRun, RemoteUpdate};

/// Remote runs: the next job number, and the runs the loop has yet to start; and the remote
/// docs fetches it has yet to start.
#[derive(Default)]
pub struct RemoteJobs {
    next: u64,
    pending: Vec<RemoteJob>,
    docs: Vec<DocsRequest>,
}

impl App {
    /// Opens the progress pane of a run and queues the run for the loop.
    pub fn start_remote(&mut self, run: RemoteRun) {
        self.remote.next += 1;
        let job = self.remote.next;
        let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
        let view = TaskView::new(job, &run, FollowOptions::default().timeout, Some(closed_tx));
        self.push(Box::new(view));
        self.status_info(format!(
            "submitting {} to {}…",
            crate::tui::widgets::wrap::safe_line(&run.template_ref),
            crate::tui::widgets::wrap::safe_line(&run.server)
        ));
        self.remote.pending.push(RemoteJob {
            job,
            server: run.server,
            request: TaskRequest {
                template_ref: run.template_ref,
                values: run.values,
                secrets: run.secrets,
            },
            closed: closed_rx,
        });
    }

    /// Queues a remote docs fetch, rendered to the terminal's width.
    pub fn fetch_docs(&mut self, mut request: DocsRequest) {
        request.width = usize::from(self.size.0).saturating_sub(4).max(20);
        self.remote.docs.push(request);
    }

    /// The docs fetches to start, for the loop.
    pub(super) fn take_docs_requests(&mut self) -> Vec<DocsRequest> {
        std::mem::take(&mut self.remote.docs)
    }

    /// The runs to start, for the loop (which knows the sources' tokens).
    pub(super) fn take_remote_jobs(&mut self) -> Vec<RemoteJob> {
        std::mem::take(&mut self.remote.pending)
    }

    /// Applies an update to the pane following its job. When the server refused the values,
    /// that pane closes and the pane below it (the form) marks the fields.
    pub fn remote_update(&mut self, job: u64, update: RemoteUpdate) {
        let found = self
            .stack
            .iter_mut()
            .enumerate()
            .find_map(|(i, v)| v.remote_task(job, &update).map(|keep| (i, keep)));
        // None: the pane was closed; the task goes on on the server, nobody is watching.
        let Some((i, keep)) = found else { return };
        if keep {
            if let RemoteUpdate::Finished(r) = &update {
                let word = crate::tui::widgets::wrap::safe_line(&r.status);
                self.status_info(format!("remote task {word}"));
            }
            return;
        }
        self.stack.remove(i);
        let RemoteUpdate::Invalid(errors) = &update else {
            return;
        };
        let (stack, _, ctx) = self.panes_and_ctx();
        let message = match i.checked_sub(1).and_then(|below| stack.get_mut(below)) {
            Some(form) => form.server_errors(errors, &ctx),
            None => None,
        };
        let text = message.unwrap_or_else(|| {
            format!(
                "the server refused the values: {}",
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        });
        self.status_error(text);
    }
}
