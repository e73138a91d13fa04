//! What live providers answer: signals with a severity, the people on call now, and open
//! incidents. Every string here has been cleaned of control characters where it entered.

use serde::{Deserialize, Serialize};

/// How a signal looks: fine, worth a look, on fire, or not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Healthy.
    Ok,
    /// Degraded, deploying, out of sync, or otherwise worth a look.
    Warn,
    /// Failing: a red build, an open high-urgency incident, a crash loop.
    Crit,
    /// Not known: the provider failed, timed out, or answered something we cannot read.
    Unknown,
}

impl Severity {
    /// The lowercase word used in JSON, the CLI and the TUI.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warn => "warn",
            Severity::Crit => "crit",
            Severity::Unknown => "unknown",
        }
    }

    /// Parses the word a plugin answers with (`ok`, `warn`, `crit`, `unknown`; also `warning`,
    /// `critical`, `error`).
    pub fn parse(word: &str) -> Option<Severity> {
        match word.trim().to_ascii_lowercase().as_str() {
            "ok" | "pass" | "passed" | "healthy" | "green" => Some(Severity::Ok),
            "warn" | "warning" => Some(Severity::Warn),
            "crit" | "critical" | "error" | "fail" | "failed" | "red" => Some(Severity::Crit),
            "unknown" => Some(Severity::Unknown),
            _ => None,
        }
    }

    /// The worse of two known severities (crit > warn > ok); unknown only when both are.
    pub fn worst(self, other: Severity) -> Severity {
        use Severity::*;
        match (self, other) {
            (Crit, _) | (_, Crit) => Crit,
            (Warn, _) | (_, Warn) => Warn,
            (Ok, _) | (_, Ok) => Ok,
            _ => Unknown,
        }
    }
}

/// One row under a signal: a run, an incident, a pod, a measure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// What it is (a workflow name, a pod name, a metric).
    pub title: String,
    /// Its state in a few words.
    #[serde(default)]
    pub detail: String,
    /// Where to see it in a browser.
    #[serde(default)]
    pub url: Option<String>,
    /// When it happened, as the provider wrote it (ISO 8601).
    #[serde(default)]
    pub when: Option<String>,
}

/// One provider's answer about one entity: a severity, one line, and the rows behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// The provider's name (`pagerduty`, `github`, or a plugin's name).
    pub provider: String,
    /// How it looks.
    pub severity: Severity,
    /// One line that says why.
    pub headline: String,
    /// The rows behind it.
    #[serde(default)]
    pub items: Vec<Item>,
}

/// A person on call now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnCallEntry {
    /// `pagerduty` or `opsgenie`.
    pub provider: String,
    /// The schedule or escalation policy the person is on call for.
    pub target: String,
    /// The escalation level (1 is paged first), when the provider says.
    pub level: Option<u32>,
    /// The person's name.
    pub name: String,
    /// Their email, when known.
    pub email: Option<String>,
    /// When the shift ends (ISO 8601); `None` when always on call or not said.
    pub until: Option<String>,
    /// The person's or the schedule's page.
    pub url: Option<String>,
}

/// An open incident or alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// `pagerduty` or `opsgenie`.
    pub provider: String,
    /// The provider's id.
    pub id: String,
    /// What it is about.
    pub title: String,
    /// `triggered`, `acknowledged`, `open`…
    pub status: String,
    /// `high`/`low` (PagerDuty) or `P1`…`P5` (Opsgenie).
    pub urgency: String,
    /// When it was opened (ISO 8601).
    pub created_at: Option<String>,
    /// Its page.
    pub url: Option<String>,
}

impl Incident {
    /// True when the incident should page someone now: PagerDuty `high`, Opsgenie P1 or P2.
    pub fn is_high(&self) -> bool {
        matches!(
            self.urgency.to_ascii_lowercase().as_str(),
            "high" | "p1" | "p2"
        )
    }
}

/// Everything one provider said about one entity in one fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The health signal.
    pub signal: Signal,
    /// People on call now (on-call providers only).
    #[serde(default)]
    pub oncall: Vec<OnCallEntry>,
    /// Open incidents or alerts (on-call providers only).
    #[serde(default)]
    pub incidents: Vec<Incident>,
}

impl Answer {
    /// An answer with only a signal.
    pub fn signal(provider: &str, severity: Severity, headline: impl Into<String>) -> Self {
        Self {
            signal: Signal {
                provider: provider.to_string(),
                severity,
                headline: headline.into(),
                items: Vec::new(),
            },
            oncall: Vec::new(),
            incidents: Vec::new(),
        }
    }
}

/// Cleans a string from a server to one line of at most 500 characters.
pub fn tidy(input: &str) -> String {
    let cleaned = crate::text::one_line(&crate::text::clean(input))
        .trim()
        .to_string();
    if cleaned.chars().count() > 500 {
        let mut cut: String = cleaned.chars().take(499).collect();
        cut.push('…');
        cut
    } else {
        cleaned
    }
}

/// [`tidy`] for an optional string, dropping blanks.
pub fn tidy_opt(input: Option<&str>) -> Option<String> {
    input.map(tidy).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_prefers_known_bad_over_unknown() {
        assert_eq!(Severity::Ok.worst(Severity::Crit), Severity::Crit);
        assert_eq!(Severity::Unknown.worst(Severity::Warn), Severity::Warn);
        assert_eq!(
            Severity::Unknown.worst(Severity::Unknown),
            Severity::Unknown
        );
    }

    #[test]
    fn tidy_removes_escapes_and_newlines() {
        assert_eq!(tidy("a\u{1b}[31mred\u{1b}[0m\nline"), "ared line");
    }
}
