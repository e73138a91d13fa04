//! Argo CD: sync and health of the application named by `argocd/app-name` (or the ones
//! matched by `argocd/app-selector`), and the last deploy. Directly (`/api/v1/applications`)
//! or through the Backstage proxy (`/api/proxy/argocd/api/applications`, Roadie's layout).

use super::{list, plural, text};
use crate::live::access::{Access, Route};
use crate::live::error::LiveError;
use crate::live::model::{Answer, Item, Severity, Signal};
use crate::live::subject::Subject;
use serde_json::Value;

const NAME: &str = "argocd";
const APP: &str = "argocd/app-name";
const SELECTOR: &str = "argocd/app-selector";

/// True when the entity names an application or a selector.
pub fn applies(subject: &Subject) -> bool {
    subject.own(&[APP, SELECTOR]).is_some()
}

/// Fetches the application(s).
pub async fn fetch(access: &Access, subject: &Subject) -> Result<Answer, LiveError> {
    let found = subject
        .own(&[APP, SELECTOR])
        .ok_or_else(|| LiveError::Config("no argocd annotation".into()))?;
    // The direct API lives under /api/v1; Roadie's proxy entry maps its prefix onto it.
    let mut path: Vec<&str> = match access.route {
        Route::Upstream { proxied: true } => vec!["applications"],
        _ => vec!["api", "v1", "applications"],
    };
    let mut query = Vec::new();
    if let Some(ns) = subject.annotation("argocd/app-namespace") {
        query.push(("appNamespace", ns));
    }
    let apps: Vec<Value> = if found.key == APP {
        path.push(&found.value);
        vec![access.endpoint.get(&path, &query).await?]
    } else {
        query.push(("selector", &found.value));
        let body = access.endpoint.get(&path, &query).await?;
        list(&body, "/items").to_vec()
    };
    Ok(Answer {
        signal: signal(&apps),
        oncall: Vec::new(),
        incidents: Vec::new(),
    })
}

/// Health order from gitops-engine: Healthy < Suspended < Progressing < Missing < Degraded.
fn app_severity(app: &Value) -> Severity {
    let health = text(app, "/status/health/status").unwrap_or_default();
    let sync = text(app, "/status/sync/status").unwrap_or_default();
    let phase = text(app, "/status/operationState/phase").unwrap_or_default();
    match (health.as_str(), sync.as_str(), phase.as_str()) {
        (_, _, "Failed" | "Error") | ("Degraded" | "Missing", _, _) => Severity::Crit,
        ("Unknown" | "", _, _) => Severity::Unknown,
        ("Progressing" | "Suspended", _, _) | (_, "OutOfSync", _) => Severity::Warn,
        ("Healthy", "Synced", _) => Severity::Ok,
        _ => Severity::Warn,
    }
}

fn signal(apps: &[Value]) -> Signal {
    let severity = apps
        .iter()
        .map(app_severity)
        .reduce(Severity::worst)
        .unwrap_or(Severity::Unknown);
    let items: Vec<Item> = apps
        .iter()
        .map(|a| {
            let last_deploy = list(a, "/status/history").last();
            Item {
                title: text(a, "/metadata/name").unwrap_or_else(|| "application".into()),
                detail: format!(
                    "{} · {}{}",
                    text(a, "/status/sync/status").unwrap_or_else(|| "sync unknown".into()),
                    text(a, "/status/health/status").unwrap_or_else(|| "health unknown".into()),
                    text(a, "/status/health/message")
                        .map(|m| format!(" ({m})"))
                        .unwrap_or_default()
                ),
                url: None,
                when: last_deploy
                    .and_then(|h| text(h, "/deployedAt"))
                    .or_else(|| text(a, "/status/operationState/finishedAt")),
            }
        })
        .collect();
    let headline = match items.as_slice() {
        [] => "no application found".to_string(),
        [one] => format!("{}: {}", one.title, one.detail),
        many => format!(
            "{} · worst: {}",
            plural(many.len(), "application"),
            severity.as_str()
        ),
    };
    Signal {
        provider: NAME.into(),
        severity,
        headline,
        items,
    }
}
