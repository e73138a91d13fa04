//! `idp-tui scaffold TEMPLATE --remote [SOURCE]`: runs a Software Template on the Backstage
//! backend it came from (or the named source), streams each step's progress to stderr and
//! prints the output links.

use super::print_json;
use crate::backstage::tasks::{
    self, FollowError, FollowOptions, SubmitError, TaskEvent, TaskRequest,
};
use crate::catalog::Entity;
use crate::scaffolder::{Form, Template, Values};
use crate::source::{BackstageSource, SourceSpec};
use serde_json::json;
use std::process::ExitCode;
use std::time::Duration;

/// The Backstage source a template runs on: the one named, else the one it was loaded from.
/// The error is a message for the user.
pub fn remote_source(
    sources: &[SourceSpec],
    entity: &Entity,
    name: Option<&str>,
) -> Result<BackstageSource, String> {
    let remotes = || {
        sources.iter().filter_map(|s| match s {
            SourceSpec::Backstage(b) => Some(b),
            SourceSpec::Files { .. } => None,
        })
    };
    match name.filter(|n| !n.is_empty()) {
        Some(name) => remotes().find(|b| b.name == name).cloned().ok_or_else(|| {
            let names: Vec<_> = remotes().map(|b| b.name.as_str()).collect();
            format!(
                "no Backstage source named {name:?} (Backstage sources: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )
        }),
        None => crate::source::backstage_origin(sources, entity).cloned().ok_or_else(|| {
            format!(
                "{} came from {}, not from a Backstage source: run it locally (--out DIR), or name a source with --remote SOURCE",
                entity.entity_ref(),
                entity.origin.path
            )
        }),
    }
}

/// The task to submit for these values: parameters and `ui:field: Secret` values apart.
pub fn task_request(template: &Template, form: &Form, values: &Values) -> TaskRequest {
    let (values, secrets) = form.submission(values);
    TaskRequest {
        template_ref: template.entity_ref.as_str().to_string(),
        values,
        secrets,
    }
}

/// Submits and follows the task; returns the exit code.
pub fn run(
    source: &BackstageSource,
    template: &Template,
    form: &Form,
    values: &Values,
    timeout: Duration,
    json: bool,
) -> color_eyre::Result<ExitCode> {
    let request = task_request(template, form, values);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let titles: Vec<(String, String)> = template
        .steps
        .iter()
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    let name = source.name.clone();
    let outcome = runtime.block_on(async {
        let id = match tasks::submit(source, &request).await {
            Ok(id) => id,
            Err(e) => return Err(e),
        };
        tell!(
            "idp-tui: task {id} started on {name}; following it for up to {} (Ctrl-C stops following, not the task)",
            crate::source::cache::human_age(timeout)
        );
        let options = FollowOptions {
            timeout,
            ..FollowOptions::default()
        };
        let followed = tasks::follow(source, &id, options, |event| match event {
            TaskEvent::Step { step, state } => {
                let title = titles
                    .iter()
                    .find(|(id, _)| *id == step)
                    .map(|(_, t)| format!(" — {t}"))
                    .unwrap_or_default();
                tell!("[{:<7}] {step}{title}", state.word());
            }
            TaskEvent::Log { step, line } => match step {
                Some(s) => tell!("          {s}: {line}"),
                None => tell!("          {line}"),
            },
        })
        .await;
        Ok((id, followed))
    });
    match outcome {
        Err(SubmitError::Invalid { url, errors }) => {
            if json {
                print_json(&json!({ "ok": false, "server": url, "errors": errors }))?;
            } else {
                tell!("idp-tui: {url} refused the values:");
                for e in &errors {
                    match &e.field {
                        Some(f) => tell!("  {f}: {}", e.message),
                        None => tell!("  {}", e.message),
                    }
                }
            }
            Ok(ExitCode::from(1))
        }
        Err(SubmitError::Server(e)) => {
            if json {
                print_json(&json!({ "ok": false, "error": e.to_string() }))?;
            } else {
                tell!("idp-tui: the task was not started: {e}");
            }
            Ok(ExitCode::from(1))
        }
        Ok((id, Err(e))) => {
            if json {
                let status = match e {
                    FollowError::TimedOut { .. } => "timed-out",
                    FollowError::Lost { .. } => "unknown",
                };
                print_json(
                    &json!({ "ok": false, "task_id": id, "status": status, "error": e.to_string() }),
                )?;
            } else {
                tell!("idp-tui: {e}");
            }
            Ok(ExitCode::from(1))
        }
        Ok((_, Ok(result))) => {
            let ok = result.succeeded();
            if json {
                print_json(&json!({
                    "ok": ok,
                    "task_id": result.id,
                    "status": result.status,
                    "error": result.error,
                    "links": result.output.links,
                    "text": result.output.text,
                }))?;
            } else {
                match &result.error {
                    Some(e) => tell!("idp-tui: task {} {}: {e}", result.id, result.status),
                    None => tell!("idp-tui: task {} {}", result.id, result.status),
                }
                super::scaffold::print_output(&result.output, "");
            }
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
