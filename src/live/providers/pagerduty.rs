//! PagerDuty: the service named by `pagerduty.com/service-id` (or found by
//! `pagerduty.com/integration-key`), who is on call now at the lowest level of its escalation
//! policy, its open incidents and its recent change events (deploys, flag flips: what changed
//! before it caught fire). Directly (REST API v2) or through
//! `@pagerduty/backstage-plugin-backend`'s `/api/pagerduty/…` routes.

use super::{list, plural, text};
use crate::live::access::{Access, Route};
use crate::live::error::LiveError;
use crate::live::model::{Answer, Incident, Item, OnCallEntry, Severity, Signal};
use crate::live::subject::{Found, Subject};
use serde_json::Value;
use std::collections::HashSet;

/// The annotations PagerDuty is found by, in order of preference.
pub const ANNOTATIONS: [&str; 2] = ["pagerduty.com/service-id", "pagerduty.com/integration-key"];

const NAME: &str = "pagerduty";

/// The on-call pages read at most (100 entries a page).
const MAX_PAGES: usize = 5;

/// The recent change events listed (as the official backend asks).
const CHANGES: &str = "5";

/// True when the entity, its owner or a parent names a PagerDuty service.
pub fn applies(subject: &Subject) -> bool {
    subject.inherited(&ANNOTATIONS).is_some()
}

/// Fetches the service, its on-call and its open incidents.
pub async fn fetch(access: &Access, subject: &Subject) -> Result<Answer, LiveError> {
    let found = subject
        .inherited(&ANNOTATIONS)
        .ok_or_else(|| LiveError::Config("no pagerduty.com annotation".into()))?;
    let found = &found;
    let service = service(access, found).await?;
    let service_id = text(&service, "/id").ok_or_else(|| bad(access, "the service has no id"))?;
    let policy = text(&service, "/escalation_policy/id");
    let policy_name = text(&service, "/escalation_policy/summary")
        .or_else(|| text(&service, "/escalation_policy/name"))
        .unwrap_or_else(|| "escalation policy".into());
    let oncall = async {
        match &policy {
            Some(p) => oncall(access, p, &policy_name).await,
            None => Ok(Vec::new()),
        }
    };
    let (oncall, incidents, changes) = futures::join!(
        oncall,
        incidents(access, &service_id),
        changes(access, &service_id)
    );
    let (oncall, incidents) = (oncall?, incidents?);
    let mut signal = signal(&service, &oncall, &incidents);
    signal.items.extend(changes);
    Ok(Answer {
        signal,
        oncall,
        incidents,
    })
}

fn bad(access: &Access, detail: &str) -> LiveError {
    LiveError::BadBody {
        host: access.endpoint.host(),
        detail: detail.into(),
    }
}

async fn service(access: &Access, found: &Found) -> Result<Value, LiveError> {
    let e = &access.endpoint;
    let by_key = found.key == "pagerduty.com/integration-key";
    let body = match (access.route, by_key) {
        (Route::Plugin, false) => {
            e.get(&["api", "pagerduty", "services", &found.value], &[])
                .await?
        }
        (Route::Plugin, true) => {
            e.get(
                &["api", "pagerduty", "services"],
                &[("integration_key", &found.value)],
            )
            .await?
        }
        (Route::Upstream { .. }, false) => {
            e.get(
                &["services", &found.value],
                &[("time_zone", "UTC"), ("include[]", "escalation_policies")],
            )
            .await?
        }
        (Route::Upstream { .. }, true) => {
            let body = e
                .get(
                    &["services"],
                    &[
                        ("query", &found.value),
                        ("time_zone", "UTC"),
                        ("include[]", "integrations"),
                        ("include[]", "escalation_policies"),
                    ],
                )
                .await?;
            // The search is by text: keep the service whose integration has exactly this key.
            let matching = list(&body, "/services").iter().find(|s| {
                list(s, "/integrations")
                    .iter()
                    .any(|i| text(i, "/integration_key").as_deref() == Some(found.value.as_str()))
            });
            return matching.cloned().ok_or_else(|| LiveError::NotFound {
                host: e.host(),
                what: "a service with this integration key".into(),
            });
        }
    };
    body.get("service")
        .filter(|s| s.is_object())
        .cloned()
        .ok_or_else(|| bad(access, "no `service` in the answer"))
}

async fn oncall(
    access: &Access,
    policy: &str,
    policy_name: &str,
) -> Result<Vec<OnCallEntry>, LiveError> {
    let e = &access.endpoint;
    if access.route == Route::Plugin {
        // The plugin has already kept the lowest level and removed duplicates.
        let body = e
            .get(
                &["api", "pagerduty", "oncall-users"],
                &[("escalation_policy_ids[]", policy)],
            )
            .await?;
        return Ok(list(&body, "/users")
            .iter()
            .filter_map(|u| {
                Some(OnCallEntry {
                    provider: NAME.into(),
                    target: policy_name.to_string(),
                    level: None,
                    name: text(u, "/name").or_else(|| text(u, "/summary"))?,
                    email: text(u, "/email"),
                    until: None,
                    url: text(u, "/html_url"),
                })
            })
            .collect());
    }
    let mut all = Vec::new();
    for page in 0..MAX_PAGES {
        let offset = (page * 100).to_string();
        let body = e
            .get(
                &["oncalls"],
                &[
                    ("time_zone", "UTC"),
                    ("include[]", "users"),
                    ("escalation_policy_ids[]", policy),
                    ("limit", "100"),
                    ("offset", &offset),
                ],
            )
            .await?;
        all.extend(list(&body, "/oncalls").iter().cloned());
        if body.get("more").and_then(Value::as_bool) != Some(true) {
            break;
        }
    }
    let level = |o: &Value| o.get("escalation_level").and_then(Value::as_u64);
    let lowest = all.iter().filter_map(level).min();
    let mut seen = HashSet::new();
    Ok(all
        .iter()
        .filter(|o| level(o) == lowest)
        .filter(|o| seen.insert(text(o, "/user/id")))
        .filter_map(|o| {
            Some(OnCallEntry {
                provider: NAME.into(),
                target: text(o, "/schedule/summary")
                    .or_else(|| text(o, "/escalation_policy/summary"))
                    .unwrap_or_else(|| policy_name.to_string()),
                level: level(o).and_then(|l| u32::try_from(l).ok()),
                name: text(o, "/user/name").or_else(|| text(o, "/user/summary"))?,
                email: text(o, "/user/email"),
                until: text(o, "/end"),
                url: text(o, "/user/html_url"),
            })
        })
        .collect())
}

async fn incidents(access: &Access, service: &str) -> Result<Vec<Incident>, LiveError> {
    let e = &access.endpoint;
    let body = match access.route {
        Route::Plugin => {
            e.get(&["api", "pagerduty", "services", service, "incidents"], &[])
                .await?
        }
        Route::Upstream { .. } => {
            e.get(
                &["incidents"],
                &[
                    ("time_zone", "UTC"),
                    ("sort_by", "created_at"),
                    ("statuses[]", "triggered"),
                    ("statuses[]", "acknowledged"),
                    ("service_ids[]", service),
                    ("limit", "100"),
                ],
            )
            .await?
        }
    };
    Ok(list(&body, "/incidents")
        .iter()
        .filter(|i| text(i, "/status").as_deref() != Some("resolved"))
        .filter_map(|i| {
            Some(Incident {
                provider: NAME.into(),
                id: text(i, "/id")?,
                title: text(i, "/title")
                    .or_else(|| text(i, "/summary"))
                    .unwrap_or_default(),
                status: text(i, "/status").unwrap_or_default(),
                urgency: text(i, "/urgency").unwrap_or_default(),
                created_at: text(i, "/created_at"),
                url: text(i, "/html_url"),
            })
        })
        .collect())
}

/// The service's recent change events, newest first, as items (`change: <summary>`). They
/// only add context: when they cannot be read (an older plugin without the route, a token
/// without the scope) the rest of the answer stands without them.
async fn changes(access: &Access, service: &str) -> Vec<Item> {
    let e = &access.endpoint;
    let body = match access.route {
        Route::Plugin => {
            e.get(
                &["api", "pagerduty", "services", service, "change-events"],
                &[],
            )
            .await
        }
        Route::Upstream { .. } => {
            e.get(
                &["services", service, "change_events"],
                &[("limit", CHANGES), ("sort_by", "timestamp")],
            )
            .await
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => {
            tracing::debug!(service, "pagerduty change events not read: {err}");
            return Vec::new();
        }
    };
    let mut events: Vec<&Value> = list(&body, "/change_events").iter().collect();
    events.sort_by_key(|c| std::cmp::Reverse(text(c, "/timestamp")));
    events
        .into_iter()
        .take(5)
        .filter_map(|c| {
            Some(Item {
                title: format!("change: {}", text(c, "/summary")?),
                detail: text(c, "/source").unwrap_or_default(),
                url: list(c, "/links").first().and_then(|l| text(l, "/href")),
                when: text(c, "/timestamp"),
            })
        })
        .collect()
}

fn signal(service: &Value, oncall: &[OnCallEntry], incidents: &[Incident]) -> Signal {
    let status = text(service, "/status").unwrap_or_default();
    let high = incidents.iter().filter(|i| i.is_high()).count();
    let severity = if high > 0 || status == "critical" {
        Severity::Crit
    } else if !incidents.is_empty()
        || matches!(status.as_str(), "warning" | "maintenance" | "disabled")
    {
        Severity::Warn
    } else {
        Severity::Ok
    };
    let mut headline = match incidents.len() {
        0 => "no open incidents".to_string(),
        n => format!("{} ({high} high)", plural(n, "open incident")),
    };
    if !status.is_empty() && status != "active" {
        headline.push_str(&format!(" · service {status}"));
    }
    match oncall.first() {
        Some(o) => headline.push_str(&format!(" · on call: {}", o.name)),
        None => headline.push_str(" · nobody on call"),
    }
    Signal {
        provider: NAME.into(),
        severity,
        headline,
        items: incidents
            .iter()
            .map(|i| Item {
                title: format!("#{} {}", i.id, i.title),
                detail: format!("{} · {}", i.status, i.urgency),
                url: i.url.clone(),
                when: i.created_at.clone(),
            })
            .collect(),
    }
}
