//! Opsgenie: who is on call now in the schedules of the team named by `opsgenie.com/team`
//! (on the entity, its owner or a parent), and the open alerts matched by
//! `opsgenie.com/component-selector`. Directly, or through the Backstage proxy
//! (`/api/proxy/opsgenie/api/…`), which asks the same API.

use super::{list, plural, text};
use crate::live::access::Access;
use crate::live::error::LiveError;
use crate::live::model::{Answer, Incident, Item, OnCallEntry, Severity, Signal};
use crate::live::subject::Subject;
use serde_json::Value;

const NAME: &str = "opsgenie";
const TEAM: &str = "opsgenie.com/team";
const SELECTOR: &str = "opsgenie.com/component-selector";

/// Schedules of one team asked about at most.
const MAX_SCHEDULES: usize = 5;

/// True when the entity has a component selector, or it or an owner names a team.
pub fn applies(subject: &Subject) -> bool {
    subject.inherited(&[TEAM]).is_some() || subject.own(&[SELECTOR]).is_some()
}

/// Fetches on-call and open alerts.
pub async fn fetch(access: &Access, subject: &Subject) -> Result<Answer, LiveError> {
    let team = subject.inherited(&[TEAM]);
    let selector = subject.own(&[SELECTOR]);
    let oncall = async {
        match &team {
            Some(t) => oncall(access, &t.value).await,
            None => Ok(Vec::new()),
        }
    };
    let alerts = async {
        match &selector {
            Some(s) => alerts(access, &s.value).await,
            None => Ok(Vec::new()),
        }
    };
    let (oncall, incidents) = futures::join!(oncall, alerts);
    let (oncall, incidents) = (oncall?, incidents?);
    Ok(Answer {
        signal: signal(&oncall, &incidents, selector.is_some()),
        oncall,
        incidents,
    })
}

async fn oncall(access: &Access, team: &str) -> Result<Vec<OnCallEntry>, LiveError> {
    let e = &access.endpoint;
    let schedules = e.get(&["v2", "schedules"], &[]).await?;
    let owned: Vec<(String, String)> = list(&schedules, "/data")
        .iter()
        .filter(|s| text(s, "/ownerTeam/name").is_some_and(|n| n.eq_ignore_ascii_case(team)))
        .filter_map(|s| Some((text(s, "/id")?, text(s, "/name").unwrap_or_default())))
        .take(MAX_SCHEDULES)
        .collect();
    let mut out = Vec::new();
    for (id, name) in owned {
        let body = e
            .get(
                &["v2", "schedules", &id, "on-calls"],
                &[("scheduleIdentifierType", "id"), ("flat", "false")],
            )
            .await?;
        let target = text(&body, "/data/_parent/name").unwrap_or(name);
        collect_users(list(&body, "/data/onCallParticipants"), &target, &mut out);
    }
    Ok(out)
}

/// Users among participants; an escalation or team participant lists its own participants.
fn collect_users(participants: &[Value], target: &str, out: &mut Vec<OnCallEntry>) {
    for p in participants {
        match text(p, "/type").as_deref() {
            Some("user") => {
                if let Some(name) = text(p, "/name") {
                    if out.iter().any(|o| o.name == name) {
                        continue;
                    }
                    out.push(OnCallEntry {
                        provider: NAME.into(),
                        target: target.to_string(),
                        level: None,
                        email: name.contains('@').then(|| name.clone()),
                        name,
                        until: None,
                        url: None,
                    });
                }
            }
            _ => collect_users(list(p, "/onCallParticipants"), target, out),
        }
    }
}

/// Open alerts read at most: pages of 100 (Opsgenie's largest), five of them.
const ALERT_PAGE: usize = 100;
const ALERT_PAGES: usize = 5;

async fn alerts(access: &Access, selector: &str) -> Result<Vec<Incident>, LiveError> {
    let query = format!("{selector} AND status:open");
    let limit = ALERT_PAGE.to_string();
    let mut data = Vec::new();
    // Paged by offset on the same endpoint: `paging.next` is a full URL from the answer, and
    // following it could send the token to another host.
    for page in 0..ALERT_PAGES {
        let offset = (page * ALERT_PAGE).to_string();
        let body = access
            .endpoint
            .get(
                &["v2", "alerts"],
                &[
                    ("query", &query),
                    ("limit", &limit),
                    ("offset", &offset),
                    ("sort", "createdAt"),
                    ("order", "desc"),
                ],
            )
            .await?;
        let got = list(&body, "/data");
        data.extend(got.iter().cloned());
        let more = body.pointer("/paging/next").is_some_and(|n| !n.is_null());
        if !more || got.len() < ALERT_PAGE {
            break;
        }
    }
    let body = serde_json::json!({ "data": data });
    Ok(list(&body, "/data")
        .iter()
        .filter(|a| text(a, "/status").as_deref() != Some("closed"))
        .filter_map(|a| {
            let acknowledged = a.get("acknowledged").and_then(Value::as_bool) == Some(true);
            Some(Incident {
                provider: NAME.into(),
                id: text(a, "/tinyId").or_else(|| text(a, "/id"))?,
                title: text(a, "/message").unwrap_or_default(),
                status: if acknowledged {
                    "acknowledged".into()
                } else {
                    text(a, "/status").unwrap_or_else(|| "open".into())
                },
                urgency: text(a, "/priority").unwrap_or_default(),
                created_at: text(a, "/createdAt"),
                url: None,
            })
        })
        .collect())
}

fn signal(oncall: &[OnCallEntry], incidents: &[Incident], has_alerts: bool) -> Signal {
    let high = incidents.iter().filter(|i| i.is_high()).count();
    let severity = match (high, incidents.len()) {
        (1.., _) => Severity::Crit,
        (0, 1..) => Severity::Warn,
        _ => Severity::Ok,
    };
    let mut parts = Vec::new();
    if has_alerts {
        parts.push(match incidents.len() {
            0 => "no open alerts".to_string(),
            n => format!("{} ({high} P1/P2)", plural(n, "open alert")),
        });
    }
    parts.push(match oncall.first() {
        Some(o) => format!("on call: {}", o.name),
        None => "nobody on call".into(),
    });
    Signal {
        provider: NAME.into(),
        severity,
        headline: parts.join(" · "),
        items: incidents
            .iter()
            .map(|i| Item {
                title: format!("#{} {}", i.id, i.title),
                detail: format!("{} · {}", i.status, i.urgency),
                url: None,
                when: i.created_at.clone(),
            })
            .collect(),
    }
}
