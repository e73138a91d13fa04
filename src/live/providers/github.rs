//! GitHub Actions: the newest run of each workflow on the default branch of the repository
//! named by `github.com/project-slug`. Directly, or through a Backstage proxy entry
//! (Backstage itself has no backend route: its plugin calls GitHub from the browser).

use super::{list, plural, text};
use crate::live::access::Access;
use crate::live::error::LiveError;
use crate::live::model::{Answer, Item, Severity, Signal};
use crate::live::subject::Subject;
use std::collections::HashSet;

const NAME: &str = "github";
const SLUG: &str = "github.com/project-slug";

/// True when the entity names a repository.
pub fn applies(subject: &Subject) -> bool {
    subject.own(&[SLUG]).is_some()
}

/// Fetches the latest run per workflow on the default branch.
pub async fn fetch(access: &Access, subject: &Subject) -> Result<Answer, LiveError> {
    let slug = subject.own(&[SLUG]).map(|f| f.value).unwrap_or_default();
    let (owner, repo) = match slug.split_once('/') {
        Some((o, r)) if !o.is_empty() && !r.is_empty() && !r.contains('/') => (o, r),
        _ => {
            return Err(LiveError::Config(format!(
                "{SLUG} `{}` is not owner/repo",
                crate::live::model::tidy(&slug)
            )))
        }
    };
    let e = &access.endpoint;
    let repository = e.get(&["repos", owner, repo], &[]).await?;
    let branch = text(&repository, "/default_branch").unwrap_or_else(|| "main".into());
    let runs = e
        .get(
            &["repos", owner, repo, "actions", "runs"],
            &[
                ("branch", &branch),
                ("per_page", "50"),
                ("exclude_pull_requests", "true"),
            ],
        )
        .await?;
    // Runs come newest first: the first of each workflow is its latest.
    let mut seen = HashSet::new();
    let latest: Vec<_> = list(&runs, "/workflow_runs")
        .iter()
        .filter(|r| seen.insert(text(r, "/workflow_id").or_else(|| text(r, "/name"))))
        .collect();
    let failed = |r: &&&serde_json::Value| {
        matches!(
            text(r, "/conclusion").as_deref(),
            Some("failure" | "timed_out")
        )
    };
    let red = latest.iter().filter(failed).count();
    let running = latest
        .iter()
        .filter(|r| text(r, "/status").as_deref() != Some("completed"))
        .count();
    let (severity, headline) = if latest.is_empty() {
        (Severity::Unknown, format!("no workflow runs on {branch}"))
    } else if red > 0 {
        (
            Severity::Crit,
            format!(
                "{} of {} failing on {branch}",
                red,
                plural(latest.len(), "workflow")
            ),
        )
    } else {
        let mut h = format!("{} green on {branch}", plural(latest.len(), "workflow"));
        if running > 0 {
            h.push_str(&format!(" · {running} running"));
        }
        (Severity::Ok, h)
    };
    let items = latest
        .iter()
        .map(|r| Item {
            title: text(r, "/name").unwrap_or_else(|| "workflow".into()),
            detail: match (text(r, "/status"), text(r, "/conclusion")) {
                (_, Some(c)) => format!("{c} · {}", text(r, "/display_title").unwrap_or_default()),
                (Some(s), None) => s.replace('_', " "),
                (None, None) => "unknown".into(),
            },
            url: text(r, "/html_url"),
            when: text(r, "/updated_at").or_else(|| text(r, "/created_at")),
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
