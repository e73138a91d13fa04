//! SonarQube: the quality gate and key measures of the project named by
//! `sonarqube.org/project-key` (`[instance/]key`). Through the Backstage sonarqube backend
//! (`/api/sonarqube/findings`) or directly (`/api/measures/component`).

use super::{list, text};
use crate::live::access::{Access, Route};
use crate::live::error::LiveError;
use crate::live::model::{Answer, Item, Severity, Signal};
use crate::live::subject::Subject;

const NAME: &str = "sonarqube";
const KEY: &str = "sonarqube.org/project-key";
const METRICS: &str =
    "alert_status,bugs,vulnerabilities,code_smells,coverage,duplicated_lines_density";

/// True when the entity names a project.
pub fn applies(subject: &Subject) -> bool {
    subject.own(&[KEY]).is_some()
}

/// Fetches the measures.
pub async fn fetch(access: &Access, subject: &Subject) -> Result<Answer, LiveError> {
    let value = subject.own(&[KEY]).map(|f| f.value).unwrap_or_default();
    // `instance/key`: a key may itself hold no slash, so the first one splits.
    let (instance, key) = value.split_once('/').unwrap_or(("", value.as_str()));
    let (measures, when) = match access.route {
        Route::Plugin => {
            let body = access
                .endpoint
                .get(
                    &["api", "sonarqube", "findings"],
                    &[("componentKey", key), ("instanceKey", instance)],
                )
                .await?;
            if body.is_null() {
                return Err(LiveError::NotFound {
                    host: access.endpoint.host(),
                    what: format!("SonarQube project {}", crate::live::model::tidy(key)),
                });
            }
            (
                list(&body, "/measures").to_vec(),
                text(&body, "/analysisDate"),
            )
        }
        Route::Upstream { .. } => {
            let body = access
                .endpoint
                .get(
                    &["api", "measures", "component"],
                    &[("component", key), ("metricKeys", METRICS)],
                )
                .await?;
            (list(&body, "/component/measures").to_vec(), None)
        }
    };
    let measure = |metric: &str| {
        measures
            .iter()
            .find(|m| text(m, "/metric").as_deref() == Some(metric))
            .and_then(|m| text(m, "/value"))
    };
    let gate = measure("alert_status");
    let severity = match gate.as_deref() {
        Some("OK") => Severity::Ok,
        Some("WARN") => Severity::Warn,
        Some("ERROR") => Severity::Crit,
        _ => Severity::Unknown,
    };
    let mut headline = match gate.as_deref() {
        Some("OK") => "quality gate passed".to_string(),
        Some("ERROR") => "quality gate failed".to_string(),
        Some(other) => format!("quality gate {other}"),
        None => "no quality gate".to_string(),
    };
    if let Some(c) = measure("coverage") {
        headline.push_str(&format!(" · coverage {c}%"));
    }
    let items = METRICS
        .split(',')
        .skip(1)
        .filter_map(|m| {
            Some(Item {
                title: m.replace('_', " "),
                detail: measure(m)?,
                url: None,
                when: when.clone(),
            })
        })
        .collect();
    Ok(Answer {
        signal: Signal {
            provider: NAME.into(),
            severity,
            headline,
            items,
        },
        oncall: Vec::new(),
        incidents: Vec::new(),
    })
}
