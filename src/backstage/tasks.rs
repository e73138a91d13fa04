//! Running a Software Template on the Backstage backend it came from: `POST
//! /api/scaffolder/v2/tasks` submits it (here), then [`follow`] follows the task's events until
//! it completes and reads its output links.
//!
//! A 400 carries the server's JSON Schema errors, which are mapped back to form fields. See
//! <https://backstage.io/docs/features/software-templates/writing-templates> and the scaffolder
//! backend's router (`/v2/tasks`).

mod follow;

pub use follow::{
    follow, FollowError, FollowOptions, StepState, TaskEvent, TaskResult, MAX_LOG_LINE,
};

use super::error::{server_message, status_error, transport_error};
use super::{api_url, build_post_client, read_body, BodyError};
use super::{BackstageError, BackstageSource};
use crate::text::{clean, one_line, truncate};
use reqwest::header::ACCEPT;
use serde_json::{json, Map, Value};

/// Largest answer to the task submission read, in bytes.
const MAX_SUBMIT_BODY: usize = 1024 * 1024;

/// What to run: the template's reference and the form's values, with `ui:field: Secret` values
/// apart (Backstage keeps those out of the task's stored spec).
pub struct TaskRequest {
    /// `template:namespace/name`.
    pub template_ref: String,
    /// The parameters.
    pub values: Map<String, Value>,
    /// The secrets: sent to the server and nowhere else.
    pub secrets: Map<String, Value>,
}

impl std::fmt::Debug for TaskRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskRequest")
            .field("template_ref", &self.template_ref)
            .field("values", &self.values)
            .field("secrets", &format_args!("{} hidden", self.secrets.len()))
            .finish()
    }
}

/// One validation error of the server, mapped to the form field it names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's key (the top-level property), or `None` for an error about the whole form.
    pub field: Option<String>,
    /// The server's message, cleaned.
    pub message: String,
}

/// Why a submission failed.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// 400: the server checked the values against the template and refused them.
    #[error("{url} refused the values: {}", summary(.errors))]
    Invalid {
        /// The server.
        url: String,
        /// Each error, with its field.
        errors: Vec<FieldError>,
    },
    /// Anything else: auth, network, server errors, garbage.
    #[error(transparent)]
    Server(#[from] BackstageError),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| match &e.field {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Submits a task; returns its id.
pub async fn submit(
    source: &BackstageSource,
    request: &TaskRequest,
) -> Result<String, SubmitError> {
    let shown = source.shown_url();
    let url = api_url(source, &["api", "scaffolder", "v2", "tasks"])?;
    let client = build_post_client(source)?;
    let token = source.token.resolve().map_err(|e| BackstageError::Token {
        url: shown.clone(),
        source: e,
    })?;
    let body = json!({
        "templateRef": request.template_ref,
        "values": request.values,
        "secrets": request.secrets,
    });
    let mut post = client
        .post(url)
        .header(ACCEPT, "application/json")
        .json(&body);
    if let Some(token) = &token {
        post = post.bearer_auth(token.expose());
    }
    // Never retried: a POST that reached the server may have started a task already.
    let response = post
        .send()
        .await
        .map_err(|e| transport_error(&e, source, &shown))?;
    let status = response.status();
    let bytes = match read_body(response, MAX_SUBMIT_BODY).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Err(BackstageError::TooLarge {
                url: shown,
                limit: MAX_SUBMIT_BODY,
            }
            .into())
        }
        Err(BodyError::Http(e)) => return Err(transport_error(&e, source, &shown).into()),
    };
    match status.as_u16() {
        200..=299 => serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string))
            .filter(|id| !id.trim().is_empty())
            .map(|id| clean(&id).into_owned())
            .ok_or_else(|| {
                BackstageError::BadBody {
                    url: shown.clone(),
                    detail: "the answer to the task submission has no task id".into(),
                }
                .into()
            }),
        400 => {
            let errors = validation_errors(&bytes);
            if errors.is_empty() {
                Err(status_error(status, &bytes, source, &shown).into())
            } else {
                Err(SubmitError::Invalid { url: shown, errors })
            }
        }
        404 => Err(BackstageError::NotFound {
            url: shown,
            what: format!("{} (or the scaffolder API)", request.template_ref),
            detail: server_message(&bytes),
        }
        .into()),
        _ => Err(status_error(status, &bytes, source, &shown).into()),
    }
}

/// Reads `{"errors": [...]}` of a 400: the `jsonschema` errors Backstage returns for values
/// that do not match the template's parameters. Each names its field by `argument` (for
/// `required`), `path[0]`, or `property` (`instance.name`).
pub fn validation_errors(body: &[u8]) -> Vec<FieldError> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let Some(items) = v.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .take(100)
        .filter_map(|e| {
            let message = e
                .get("message")
                .and_then(Value::as_str)
                .or_else(|| e.get("stack").and_then(Value::as_str))
                .or_else(|| e.as_str())?;
            let message = truncate(&one_line(&clean(message)), 300).into_owned();
            let required = e.get("name").and_then(Value::as_str) == Some("required");
            let field = required
                .then(|| e.get("argument").and_then(Value::as_str))
                .flatten()
                .map(str::to_string)
                .or_else(|| match e.get("path").and_then(Value::as_array) {
                    Some(p) => p.first().and_then(Value::as_str).map(str::to_string),
                    None => None,
                })
                .or_else(|| {
                    let property = e.get("property").and_then(Value::as_str)?;
                    let rest = property.strip_prefix("instance")?;
                    let rest = rest.trim_start_matches('.');
                    let first = rest.split(['.', '[']).next()?;
                    (!first.is_empty()).then(|| first.to_string())
                })
                .map(|f| clean(&f).into_owned());
            Some(FieldError { field, message })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_their_fields() {
        let body = br#"{"errors":[
            {"property":"instance","message":"requires property \"owner\"","name":"required","argument":"owner","path":[]},
            {"property":"instance.name","message":"does not match pattern \"^[a-z]+$\"","name":"pattern","path":["name"]},
            {"property":"instance.repo.host","message":"is not allowed","path":[]},
            {"message":"the form is wrong\u001b[31m"}
        ]}"#;
        let errors = validation_errors(body);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref()).collect();
        assert_eq!(
            fields,
            [Some("owner"), Some("name"), Some("repo"), None],
            "{errors:?}"
        );
        assert_eq!(errors[1].message, "does not match pattern \"^[a-z]+$\"");
        assert!(!errors[3].message.contains('\u{1b}'));
        assert!(validation_errors(b"not json").is_empty());
        assert!(validation_errors(br#"{"errors":"x"}"#).is_empty());
    }

    #[test]
    fn the_request_never_debug_prints_secrets() {
        let mut secrets = Map::new();
        secrets.insert("token".into(), json!("s3cr3t"));
        let r = TaskRequest {
            template_ref: "template:default/x".into(),
            values: Map::new(),
            secrets,
        };
        let shown = format!("{r:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("1 hidden"));
    }
}
