//! Following a submitted task: its events (`GET …/tasks/{id}/events?after=N`) until it
//! completes, each log line and step change handed on as it comes, then its output links.
//!
//! Polling backs off while nothing happens and stops at a total timeout; stopping early never
//! cancels the task on the server.

use crate::backstage::{api_url, build_client, get_with_retries, Expect};
use crate::backstage::{BackstageError, BackstageSource};
use crate::scaffolder::render::{Output, OutputLink, OutputText};
use crate::text::{clean, one_line, truncate};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Longest log line kept, in characters; longer ones are cut with `…`.
pub const MAX_LOG_LINE: usize = 2_000;

/// How long and how often to poll a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowOptions {
    /// The wait after a poll that brought news.
    pub poll_min: Duration,
    /// The longest wait between polls, reached by doubling while nothing happens.
    pub poll_max: Duration,
    /// When to stop following (the task goes on on the server).
    pub timeout: Duration,
}

impl Default for FollowOptions {
    fn default() -> Self {
        Self {
            poll_min: Duration::from_millis(500),
            poll_max: Duration::from_secs(5),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// The state of one step, from the events' `body.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    /// Not started.
    Open,
    /// Running.
    Processing,
    /// Done.
    Completed,
    /// Failed.
    Failed,
    /// Its `if` was false.
    Skipped,
    /// Cancelled.
    Cancelled,
}

impl StepState {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "open" => Self::Open,
            "processing" => Self::Processing,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "skipped" => Self::Skipped,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// A short word for the step list.
    pub fn word(self) -> &'static str {
        match self {
            Self::Open => "pending",
            Self::Processing => "running",
            Self::Completed => "done",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What following a task reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskEvent {
    /// One line of the log (cleaned, cut to [`MAX_LOG_LINE`]).
    Log {
        /// The step that logged it.
        step: Option<String>,
        /// The line.
        line: String,
    },
    /// A step changed state.
    Step {
        /// The step's id.
        step: String,
        /// Its new state.
        state: StepState,
    },
}

/// A finished task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskResult {
    /// The task's id.
    pub id: String,
    /// `completed`, `failed`, `cancelled` (the server's word).
    pub status: String,
    /// Its output links and text.
    pub output: Output,
    /// The failure's message, for a failed task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl TaskResult {
    /// True when the task completed.
    pub fn succeeded(&self) -> bool {
        self.status == "completed"
    }
}

/// Why following a task stopped before it finished. The task goes on on the server in every
/// case, and each message says so with its id.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// The server stopped answering, or answered with garbage.
    #[error("lost track of task {id}: {source}; it may still be running on the server")]
    Lost {
        /// The task.
        id: String,
        /// Why.
        source: BackstageError,
    },
    /// The total timeout passed.
    #[error("task {id} had not finished after {} ({url}); it is still running there", crate::source::cache::human_age(*.after))]
    TimedOut {
        /// The task.
        id: String,
        /// The server.
        url: String,
        /// The timeout.
        after: Duration,
    },
}

/// Follows a task until it completes, handing each log line and step change to `on_event`.
pub async fn follow(
    source: &BackstageSource,
    id: &str,
    options: FollowOptions,
    mut on_event: impl FnMut(TaskEvent),
) -> Result<TaskResult, FollowError> {
    let shown = source.shown_url();
    let lost = |e: BackstageError| FollowError::Lost {
        id: id.to_string(),
        source: match e {
            BackstageError::NoCatalogApi { url } => BackstageError::NotFound {
                url,
                what: format!("task {id}"),
                detail: String::new(),
            },
            other => other,
        },
    };
    let client = build_client(source).map_err(lost)?;
    let token = source
        .token
        .resolve()
        .map_err(|e| BackstageError::Token {
            url: shown.clone(),
            source: e,
        })
        .map_err(lost)?;
    let deadline = Instant::now() + options.timeout;
    let mut cursor = EventCursor::default();
    let mut wait = options.poll_min;
    let completion = loop {
        let mut url =
            api_url(source, &["api", "scaffolder", "v2", "tasks", id, "events"]).map_err(lost)?;
        if let Some(after) = &cursor.after {
            url.query_pairs_mut().append_pair("after", after);
        }
        let body = get_with_retries(&client, url, token.as_ref(), source, &shown, Expect::Json)
            .await
            .map_err(lost)?;
        let events: Vec<Value> = serde_json::from_slice(&body).map_err(|e| {
            lost(BackstageError::BadBody {
                url: shown.clone(),
                detail: format!(
                    "the task's events are not a JSON array: {}",
                    one_line(&clean(&e.to_string()))
                ),
            })
        })?;
        let mut news = false;
        let mut completion = None;
        for event in &events {
            if !cursor.is_new(event) {
                continue;
            }
            news = true;
            if let Some(done) = read_event(event, &mut on_event) {
                completion = Some(done);
            }
        }
        if let Some(done) = completion {
            break done;
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(FollowError::TimedOut {
                id: id.to_string(),
                url: shown,
                after: options.timeout,
            });
        }
        wait = if news {
            options.poll_min
        } else {
            (wait * 2).min(options.poll_max)
        };
        tokio::time::sleep(wait.min(deadline - now)).await;
    };
    // The task itself says how it ended; the completion event is the fallback.
    let task = api_url(source, &["api", "scaffolder", "v2", "tasks", id])
        .ok()
        .map(|url| get_with_retries(&client, url, token.as_ref(), source, &shown, Expect::Json));
    let task: Option<Value> = match task {
        Some(request) => request
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok()),
        None => None,
    };
    let error = completion
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(|m| truncate(&one_line(&clean(m)), 500).into_owned());
    let status = task
        .as_ref()
        .and_then(|t| t.get("status"))
        .and_then(Value::as_str)
        .filter(|s| matches!(*s, "completed" | "failed" | "cancelled"))
        .map(str::to_string)
        .or_else(|| {
            completion
                .get("status")
                .and_then(Value::as_str)
                .map(|s| clean(s).into_owned())
        })
        .unwrap_or_else(|| {
            if error.is_some() {
                "failed"
            } else {
                "completed"
            }
            .into()
        });
    let output = completion
        .get("output")
        .or_else(|| task.as_ref().and_then(|t| t.get("output")))
        .map(read_output)
        .unwrap_or_default();
    Ok(TaskResult {
        id: id.to_string(),
        status,
        output,
        error,
    })
}

/// Remembers the last event id, so a server that ignores `after` and sends everything again
/// does not repeat the log.
#[derive(Default)]
struct EventCursor {
    after: Option<String>,
    last_number: Option<u64>,
}

impl EventCursor {
    fn is_new(&mut self, event: &Value) -> bool {
        match event.get("id") {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(n) if self.last_number.is_some_and(|last| n <= last) => false,
                Some(n) => {
                    self.last_number = Some(n);
                    self.after = Some(n.to_string());
                    true
                }
                None => true,
            },
            Some(Value::String(s)) => {
                let s = clean(s).into_owned();
                if self.after.as_deref() == Some(s.as_str()) {
                    return false;
                }
                if let Ok(n) = s.parse::<u64>() {
                    if self.last_number.is_some_and(|last| n <= last) {
                        return false;
                    }
                    self.last_number = Some(n);
                }
                self.after = Some(s);
                true
            }
            _ => event.is_object(),
        }
    }
}

/// Reports one event; returns the completion event's body when it is one.
fn read_event(event: &Value, on_event: &mut impl FnMut(TaskEvent)) -> Option<Value> {
    let kind = event.get("type").and_then(Value::as_str).unwrap_or("log");
    let body = event.get("body").unwrap_or(&Value::Null);
    let step = body
        .get("stepId")
        .and_then(Value::as_str)
        .map(|s| one_line(&clean(s)));
    if let Some(message) = body.get("message").and_then(Value::as_str) {
        for line in clean(message).lines().filter(|l| !l.trim().is_empty()) {
            on_event(TaskEvent::Log {
                step: step.clone(),
                line: truncate(line.trim_end(), MAX_LOG_LINE).into_owned(),
            });
        }
    }
    match kind {
        "completion" => Some(body.clone()),
        "cancelled" => {
            Some(json!({ "status": "cancelled", "error": {"message": "the task was cancelled"} }))
        }
        _ => {
            if let (Some(step), Some(state)) = (
                step,
                body.get("status")
                    .and_then(Value::as_str)
                    .and_then(StepState::parse),
            ) {
                on_event(TaskEvent::Step { step, state });
            }
            None
        }
    }
}

/// The task's `output`: `links` (title, url, entityRef, icon) and `text` (title, content).
fn read_output(output: &Value) -> Output {
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .map(|s| truncate(&one_line(&clean(s)), 2_000).into_owned())
            .filter(|s| !s.trim().is_empty())
    };
    let list = |key: &str| {
        output
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().take(100).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let links = list("links")
        .into_iter()
        .filter_map(|l| {
            let url = text(l, "url");
            let entity_ref = text(l, "entityRef");
            let title = text(l, "title")
                .or_else(|| url.clone())
                .or_else(|| entity_ref.clone())?;
            Some(OutputLink {
                title,
                url,
                entity_ref,
                icon: text(l, "icon"),
            })
        })
        .collect();
    let text = list("text")
        .into_iter()
        .filter_map(|t| {
            let content = t.get("content").and_then(Value::as_str)?;
            Some(OutputText {
                title: text(t, "title").unwrap_or_default(),
                content: truncate(&crate::text::clean_lines(content), 20_000).into_owned(),
            })
        })
        .collect();
    Output { links, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_ignores_after_does_not_repeat_events() {
        let mut c = EventCursor::default();
        assert!(c.is_new(&json!({"id": 1})));
        assert!(c.is_new(&json!({"id": 2})));
        assert!(!c.is_new(&json!({"id": 1})));
        assert!(!c.is_new(&json!({"id": "2"})));
        assert!(c.is_new(&json!({"id": "3"})));
        assert_eq!(c.after.as_deref(), Some("3"));
        assert!(!c.is_new(&json!(42)), "a number is not an event");
    }

    #[test]
    fn output_keeps_titled_links_and_cleans_them() {
        let out = read_output(&json!({
            "links": [
                {"title": "Repository\u{1b}]0;x\u{7}", "url": "https://github.com/acme/x"},
                {"url": "https://ci/x"},
                {"title": "Open in catalog", "entityRef": "component:default/x"},
                {"icon": "no target"},
                "garbage"
            ],
            "text": [{"title": "Next", "content": "run make"}]
        }));
        let titles: Vec<_> = out.links.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles, ["Repository", "https://ci/x", "Open in catalog"]);
        assert_eq!(out.text[0].content, "run make");
    }
}
