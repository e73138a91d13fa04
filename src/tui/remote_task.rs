//! Work the portal asks of a Backstage backend, off the UI thread: a template run (the job the
//! form asks for, the updates the background task sends back as replies, and the task that
//! submits and follows it), and a remote Docs tab's page fetches.

use crate::backstage::tasks::{
    self, FieldError, FollowOptions, SubmitError, TaskEvent, TaskRequest, TaskResult,
};
use crate::backstage::techdocs::{self, RemoteDocsError, RemotePage, RemoteSite};
use crate::catalog::EntityRef;
use crate::scaffolder::Values;
use crate::source::BackstageSource;
use tokio::sync::{mpsc, oneshot};

/// What the form hands over to run a template remotely.
pub struct RemoteRun {
    /// `template:namespace/name`.
    pub template_ref: String,
    /// The template's title, for the progress pane.
    pub title: String,
    /// The URL of the source the template came from (its origin).
    pub server: String,
    /// The template's steps: id and name, in order.
    pub steps: Vec<(String, String)>,
    /// The parameters.
    pub values: Values,
    /// `ui:field: Secret` values: sent to the server only.
    pub secrets: Values,
}

/// A run waiting for the event loop to start it.
pub struct RemoteJob {
    /// Which progress pane its updates go to.
    pub job: u64,
    /// The URL of the source to run it on.
    pub server: String,
    /// What to submit.
    pub request: TaskRequest,
    /// Resolves (with an error) when the progress pane is closed: following stops, the task
    /// goes on on the server.
    pub closed: oneshot::Receiver<()>,
}

/// What a running job reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteUpdate {
    /// The server accepted the task.
    Submitted(String),
    /// A log line or a step change.
    Event(TaskEvent),
    /// The server refused the values (a 400): each error with its field.
    Invalid(Vec<FieldError>),
    /// The task was not started, or following it failed (the message says whether it still
    /// runs on the server).
    Failed(String),
    /// The task finished (completed, failed or cancelled).
    Finished(TaskResult),
}

/// Submits the job to `source` and follows it, sending every update as `Reply::TemplateRun` until
/// the task finishes, following fails, or the pane is closed.
pub async fn drive(
    source: BackstageSource,
    job: RemoteJob,
    options: FollowOptions,
    tx: mpsc::UnboundedSender<crate::tui::action::Action>,
) {
    let RemoteJob {
        job,
        request,
        mut closed,
        ..
    } = job;
    let send = |u: RemoteUpdate| {
        let _ = tx.send(crate::tui::action::Action::Reply(
            crate::tui::reply::Reply::TemplateRun(job, u),
        ));
    };
    let id = tokio::select! {
        submitted = tasks::submit(&source, &request) => match submitted {
            Ok(id) => id,
            Err(SubmitError::Invalid { errors, .. }) => return send(RemoteUpdate::Invalid(errors)),
            Err(SubmitError::Server(e)) => {
                return send(RemoteUpdate::Failed(format!("the task was not started: {e}")))
            }
        },
        // Closed before the server answered: the task may or may not exist; nobody waits.
        _ = &mut closed => return,
    };
    drop(request);
    send(RemoteUpdate::Submitted(id.clone()));
    let followed = tokio::select! {
        r = tasks::follow(&source, &id, options, |e| send(RemoteUpdate::Event(e))) => r,
        _ = &mut closed => {
            tracing::info!(task = %id, "stopped following a remote task (it goes on on the server)");
            return;
        }
    };
    match followed {
        Ok(result) => send(RemoteUpdate::Finished(result)),
        Err(e) => send(RemoteUpdate::Failed(e.to_string())),
    }
}

/// A remote Docs tab asks for a page (and, the first time, the site's metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsRequest {
    /// The URL of the source the entity came from.
    pub server: String,
    /// The entity.
    pub entity: EntityRef,
    /// Also fetch the site's metadata (name, pages).
    pub metadata: bool,
    /// The page's path under the site.
    pub page: String,
    /// Columns to render at (the app fills it in from the terminal's width).
    pub width: usize,
}

/// What came back for a [`DocsRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsFetched {
    /// The source's URL, as requested.
    pub server: String,
    /// The entity, as requested.
    pub entity: EntityRef,
    /// The page, as requested.
    pub page: String,
    /// The metadata, when it was asked for.
    pub site: Option<Result<RemoteSite, String>>,
    /// The page, or the message and whether nothing is published (a 404).
    pub page_result: Result<RemotePage, (String, bool)>,
}

/// Fetches a Docs tab's request from `source`.
pub async fn fetch_docs(source: BackstageSource, request: DocsRequest) -> DocsFetched {
    let site = match request.metadata {
        true => Some(
            techdocs::metadata(&source, &request.entity)
                .await
                .map_err(|e| e.to_string()),
        ),
        false => None,
    };
    let page_result = techdocs::page(&source, &request.entity, &request.page, request.width)
        .await
        .map_err(|e| {
            let missing = matches!(e, RemoteDocsError::NotPublished { .. });
            (e.to_string(), missing)
        });
    DocsFetched {
        server: request.server,
        entity: request.entity,
        page: request.page,
        site,
        page_result,
    }
}
