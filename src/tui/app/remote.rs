//! The app's side of work on a Backstage server: a run from the form opens a progress pane and
//! returns the run as a task (its updates come back as `Reply::TemplateRun` to the pane
//! following the job, see `replies.rs`); a remote Docs tab's fetch is returned as a task too.

use super::App;
use crate::backstage::tasks::{FollowOptions, TaskRequest};
use crate::tui::panes::task::TaskView;
use crate::tui::remote_task::{DocsRequest, RemoteJob, RemoteRun};
use crate::tui::task::Task;

/// Remote runs: the last job number given.
#[derive(Default)]
pub struct RemoteJobs {
    next: u64,
}

impl App {
    /// Opens the progress pane of a run; returns the run, for the executor.
    pub fn start_remote(&mut self, run: RemoteRun) -> Task {
        self.pending.remote.next += 1;
        let job = self.pending.remote.next;
        let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
        let view = TaskView::new(job, &run, FollowOptions::default().timeout, Some(closed_tx));
        self.push(Box::new(view));
        self.status_info(format!(
            "submitting {} to {}…",
            crate::tui::widgets::wrap::safe_line(&run.template_ref),
            crate::tui::widgets::wrap::safe_line(&run.server)
        ));
        Task::RunTemplate(Box::new(RemoteJob {
            job,
            server: run.server,
            request: TaskRequest {
                template_ref: run.template_ref,
                values: run.values,
                secrets: run.secrets,
            },
            closed: closed_rx,
        }))
    }

    /// A remote docs fetch, rendered to the terminal's width.
    pub fn fetch_docs(&mut self, mut request: DocsRequest) -> Task {
        request.width = usize::from(self.screen.size.0).saturating_sub(4).max(20);
        Task::FetchRemoteDocs(request)
    }
}
