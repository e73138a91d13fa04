//! What one live fetch came to for one entity: each provider's answer (fresh, from the cache,
//! or unknown with the reason), and the questions the front ends ask of it: who is on call,
//! which incidents are open, how each signal looks, what failed, how old it all is.

use super::model::{Answer, Incident, OnCallEntry, Severity, Signal};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One provider's part of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderResult {
    /// The provider's name.
    pub provider: String,
    /// Its answer; an unknown signal naming the reason when it failed with nothing cached.
    pub answer: Answer,
    /// When the answer was fetched; `None` when there is none.
    pub fetched_at: Option<SystemTime>,
    /// True when the answer is older than the TTL (served from the cache because the provider
    /// failed, the network is down, or `--offline`).
    pub stale: bool,
    /// Why this fetch failed, when it did.
    pub error: Option<String>,
    /// How it was reached: `direct`, `backstage <source>`, `plugin`.
    pub via: String,
    /// The entity whose annotation led here, when not the entity itself (an owner, a parent).
    pub from: Option<String>,
}

impl ProviderResult {
    /// A result with no answer: the signal is unknown and says why.
    pub fn unknown(provider: &str, via: &str, reason: &str) -> Self {
        Self {
            provider: provider.to_string(),
            answer: Answer::signal(provider, Severity::Unknown, format!("unknown: {reason}")),
            fetched_at: None,
            stale: false,
            error: Some(reason.to_string()),
            via: via.to_string(),
            from: None,
        }
    }
}

/// All providers' answers about one entity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// The entity's reference.
    pub entity: String,
    /// One result per provider that applies, in a stable order.
    pub results: Vec<ProviderResult>,
}

impl Report {
    /// Everyone on call now, in provider order.
    pub fn oncall(&self) -> impl Iterator<Item = &OnCallEntry> {
        self.results.iter().flat_map(|r| &r.answer.oncall)
    }

    /// Open incidents and alerts.
    pub fn incidents(&self) -> impl Iterator<Item = &Incident> {
        self.results.iter().flat_map(|r| &r.answer.incidents)
    }

    /// Each provider's signal.
    pub fn signals(&self) -> impl Iterator<Item = &Signal> {
        self.results.iter().map(|r| &r.answer.signal)
    }

    /// The signal of one provider, when it applies.
    pub fn signal(&self, provider: &str) -> Option<&Signal> {
        self.signals().find(|s| s.provider == provider)
    }

    /// `(provider, message)` for each provider whose fetch failed.
    pub fn errors(&self) -> impl Iterator<Item = (&str, &str)> {
        self.results
            .iter()
            .filter_map(|r| Some((r.provider.as_str(), r.error.as_deref()?)))
    }

    /// When the oldest answer shown was fetched; `None` when nothing was.
    pub fn fetched_at(&self) -> Option<SystemTime> {
        self.results.iter().filter_map(|r| r.fetched_at).min()
    }

    /// True when any answer shown is older than the TTL.
    pub fn stale(&self) -> bool {
        self.results.iter().any(|r| r.stale)
    }

    /// The worst known severity over all signals.
    pub fn worst(&self) -> Severity {
        self.signals()
            .map(|s| s.severity)
            .reduce(Severity::worst)
            .unwrap_or(Severity::Unknown)
    }

    /// The age of the oldest answer at `now`, for the status bar.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        self.fetched_at()
            .map(|t| now.duration_since(t).unwrap_or_default())
    }
}

/// A time as RFC 3339 in UTC (`2026-12-07T13:45:00Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil-from-days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_796_651_100);
        assert_eq!(rfc3339(t), "2026-12-07T13:45:00Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn a_failed_provider_is_unknown_with_its_reason() {
        let r = ProviderResult::unknown("argocd", "direct", "timed out after 10 s");
        assert_eq!(r.answer.signal.severity, Severity::Unknown);
        assert_eq!(r.answer.signal.headline, "unknown: timed out after 10 s");
        let report = Report {
            entity: "component:default/x".into(),
            results: vec![r],
        };
        assert_eq!(
            report.errors().collect::<Vec<_>>(),
            [("argocd", "timed out after 10 s")]
        );
        assert_eq!(report.fetched_at(), None);
    }
}

/// The latest report of each entity a session has asked about, by entity ref: what the TUI's
/// Live tab, the Ownership tab's "On call now", the status bar and the search markers read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reports {
    by_entity: std::collections::BTreeMap<String, Report>,
}

/// No reports: what code without a live service reads.
pub static NO_REPORTS: Reports = Reports {
    by_entity: std::collections::BTreeMap::new(),
};

impl Reports {
    /// Keeps `report` as its entity's latest (a fetch answers from the cache first, then
    /// fresh: the last to arrive is the latest).
    pub fn insert(&mut self, report: Report) {
        self.by_entity.insert(report.entity.clone(), report);
    }

    /// The latest report of an entity (`kind:namespace/name`).
    pub fn get(&self, entity: &str) -> Option<&Report> {
        self.by_entity.get(entity)
    }

    /// True when no report is kept.
    pub fn is_empty(&self) -> bool {
        self.by_entity.is_empty()
    }
}
