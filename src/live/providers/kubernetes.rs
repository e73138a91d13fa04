//! Kubernetes: the workloads labelled for the entity (`backstage.io/kubernetes-label-selector`,
//! else `backstage.io/kubernetes-id`): ready against desired, restarts, crash loops. Through
//! Backstage's kubernetes backend (`POST /api/kubernetes/resources/workloads/query`, which asks
//! every configured cluster with its own credentials) or directly against one API server.

use super::{list, plural, text};
use crate::live::access::{Access, Route};
use crate::live::error::LiveError;
use crate::live::model::{Answer, Item, Severity, Signal};
use crate::live::subject::Subject;
use serde_json::{json, Value};

const NAME: &str = "kubernetes";
const ID: &str = "backstage.io/kubernetes-id";
const SELECTOR: &str = "backstage.io/kubernetes-label-selector";

/// Waiting reasons that are part of a normal start, not a failure.
const STARTING: [&str; 2] = ["ContainerCreating", "PodInitializing"];

/// Restarts of one pod past which it is worth a look.
const MANY_RESTARTS: u64 = 10;

/// True when the entity names its workloads.
pub fn applies(subject: &Subject) -> bool {
    subject.own(&[SELECTOR, ID]).is_some()
}

/// Fetches pods and deployments.
pub async fn fetch(access: &Access, subject: &Subject) -> Result<Answer, LiveError> {
    let (pods, deployments) = match access.route {
        Route::Plugin => {
            let body = access
                .endpoint
                .post(
                    &["api", "kubernetes", "resources", "workloads", "query"],
                    &json!({ "entityRef": subject.entity() }),
                )
                .await?;
            let mut pods = Vec::new();
            let mut deployments = Vec::new();
            for cluster in list(&body, "/items") {
                for group in list(cluster, "/resources") {
                    let into = match text(group, "/type").as_deref() {
                        Some("pods") => &mut pods,
                        Some("deployments") => &mut deployments,
                        _ => continue,
                    };
                    into.extend(list(group, "/resources").iter().cloned());
                }
            }
            (pods, deployments)
        }
        Route::Upstream { .. } => {
            let selector = match subject.own(&[SELECTOR, ID]) {
                Some(f) if f.key == SELECTOR => f.value,
                Some(f) => format!("{ID}={}", f.value),
                None => return Err(LiveError::Config("no kubernetes annotation".into())),
            };
            let namespace = subject
                .annotation("backstage.io/kubernetes-namespace")
                .map(str::to_string)
                .or_else(|| access.namespace.clone());
            let (pods_path, deploy_path): (Vec<&str>, Vec<&str>) = match &namespace {
                Some(ns) => (
                    vec!["api", "v1", "namespaces", ns, "pods"],
                    vec!["apis", "apps", "v1", "namespaces", ns, "deployments"],
                ),
                None => (
                    vec!["api", "v1", "pods"],
                    vec!["apis", "apps", "v1", "deployments"],
                ),
            };
            let (pods, deployments) = futures::join!(
                list_all(access, &pods_path, &selector),
                list_all(access, &deploy_path, &selector)
            );
            (pods?, deployments?)
        }
    };
    Ok(Answer {
        signal: signal(&pods, &deployments),
        oncall: Vec::new(),
        incidents: Vec::new(),
    })
}

/// Items listed per page, and pages read at most (5,000 pods is more than one entity runs).
const PAGE: &str = "500";
const PAGES: usize = 10;

/// Lists every item at `path` matching `selector`, following the API's `continue` token from
/// page to page. An expired token (`410 Gone`: the list changed too much meanwhile) starts the
/// list again, once.
async fn list_all(access: &Access, path: &[&str], selector: &str) -> Result<Vec<Value>, LiveError> {
    let mut restarted = false;
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    let mut page = 0;
    while page < PAGES {
        let mut query = vec![("labelSelector", selector), ("limit", PAGE)];
        if let Some(t) = &token {
            query.push(("continue", t.as_str()));
        }
        let body = match access.endpoint.get(path, &query).await {
            Ok(body) => body,
            Err(LiveError::Status { status: 410, .. }) if token.is_some() && !restarted => {
                restarted = true;
                (items, token, page) = (Vec::new(), None, 0);
                continue;
            }
            Err(e) => return Err(e),
        };
        items.extend(list(&body, "/items").iter().cloned());
        token = text(&body, "/metadata/continue");
        if token.is_none() {
            break;
        }
        page += 1;
    }
    Ok(items)
}

/// A pod's trouble, if any: a waiting reason that is not a normal start, or a non-zero exit.
fn trouble(pod: &Value) -> Option<String> {
    list(pod, "/status/containerStatuses").iter().find_map(|c| {
        if let Some(reason) = text(c, "/state/waiting/reason") {
            if !STARTING.contains(&reason.as_str()) {
                return Some(reason);
            }
        }
        let code = c
            .pointer("/state/terminated/exitCode")
            .and_then(Value::as_i64);
        match code {
            Some(code) if code != 0 => {
                Some(text(c, "/state/terminated/reason").unwrap_or_else(|| format!("exit {code}")))
            }
            _ => None,
        }
    })
}

fn restarts(pod: &Value) -> u64 {
    list(pod, "/status/containerStatuses")
        .iter()
        .filter_map(|c| c.get("restartCount").and_then(Value::as_u64))
        .sum()
}

fn ready(pod: &Value) -> bool {
    let statuses = list(pod, "/status/containerStatuses");
    !statuses.is_empty()
        && statuses
            .iter()
            .all(|c| c.get("ready").and_then(Value::as_bool) == Some(true))
}

fn signal(pods: &[Value], deployments: &[Value]) -> Signal {
    let mut items = Vec::new();
    let mut short_deploys = 0;
    for d in deployments {
        let desired = d
            .pointer("/spec/replicas")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        let available = d
            .pointer("/status/availableReplicas")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if available < desired {
            short_deploys += 1;
        }
        items.push(Item {
            title: format!(
                "deployment {}",
                text(d, "/metadata/name").unwrap_or_default()
            ),
            detail: format!("{available}/{desired} available"),
            url: None,
            when: None,
        });
    }
    let mut failing = Vec::new();
    let mut total_restarts = 0;
    let mut restless = 0;
    for p in pods {
        let n = restarts(p);
        total_restarts += n;
        if n >= MANY_RESTARTS {
            restless += 1;
        }
        let problem = trouble(p);
        if let Some(reason) = &problem {
            failing.push(reason.clone());
        }
        let state = problem
            .or_else(|| text(p, "/status/phase"))
            .unwrap_or_else(|| "Unknown".into());
        items.push(Item {
            title: format!("pod {}", text(p, "/metadata/name").unwrap_or_default()),
            detail: format!(
                "{state} · {} · {}",
                if ready(p) { "ready" } else { "not ready" },
                plural(n as usize, "restart")
            ),
            url: None,
            when: text(p, "/metadata/creationTimestamp"),
        });
    }
    let ready_pods = pods.iter().filter(|p| ready(p)).count();
    let severity = if pods.is_empty() && deployments.is_empty() {
        Severity::Unknown
    } else if !failing.is_empty() {
        Severity::Crit
    } else if short_deploys > 0 || restless > 0 || ready_pods < pods.len() {
        Severity::Warn
    } else {
        Severity::Ok
    };
    let headline = if pods.is_empty() && deployments.is_empty() {
        "no workloads found".to_string()
    } else {
        let mut h = format!("{ready_pods}/{} pods ready", pods.len());
        if let Some(reason) = failing.first() {
            h = format!("{} failing ({reason}) · {h}", plural(failing.len(), "pod"));
        }
        if total_restarts > 0 {
            h.push_str(&format!(
                " · {}",
                plural(total_restarts as usize, "restart")
            ));
        }
        h
    };
    Signal {
        provider: NAME.into(),
        severity,
        headline,
        items,
    }
}
