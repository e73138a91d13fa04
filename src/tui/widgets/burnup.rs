//! Burn-up sparklines from the recorded history (`idp-tui score --record` appends one line per
//! scorecard and initiative and run to `history.jsonl` in the state directory; see
//! `docs/insights.md`). The file is read off the UI thread (`Task::ReadHistory`, answered with
//! `Reply::History`); panes keep the [`Burnup`] it gives and draw one line per initiative or
//! owner, or one dim line saying there is no history yet.

use crate::governance::history::{self, Series};
use crate::text;
use crate::tui::theme::{Theme, Token};
use ratatui::text::{Line, Span};
use std::path::PathBuf;
use std::sync::Arc;

/// Most points drawn in one sparkline (the latest ones).
pub const MAX_POINTS: usize = 60;

/// Reading the history file, to run off the UI thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRequest {
    /// Tells the answer to this request from others.
    pub token: u64,
    /// The history file.
    pub path: PathBuf,
}

impl HistoryRequest {
    /// A request for the history file in the state directory, with a new token.
    pub fn recorded() -> Self {
        HistoryRequest {
            token: crate::tui::tabs::docs_page::next_token(),
            path: crate::config::state_dir().join(history::FILE_NAME),
        }
    }

    /// Reads the file and groups its records into series (a missing file has none).
    pub fn run(self) -> HistoryLoaded {
        let result = history::read(&self.path)
            .map(|(records, _skipped)| Arc::new(history::series(records, None)))
            .map_err(|e| format!("{}: {e}", self.path.display()));
        HistoryLoaded {
            token: self.token,
            result,
        }
    }
}

/// The answer to a [`HistoryRequest`].
#[derive(Debug, Clone)]
pub struct HistoryLoaded {
    /// The request's token.
    pub token: u64,
    /// The series, or why the file could not be read.
    pub result: Result<Arc<Vec<Series>>, String>,
}

/// What a pane knows of the history.
#[derive(Debug, Clone, Default)]
pub enum Burnup {
    /// Asked for, not read yet.
    #[default]
    Loading,
    /// The file could not be read.
    Failed(String),
    /// The series read (possibly none).
    Loaded(Arc<Vec<Series>>),
}

impl Burnup {
    /// Takes an answer.
    pub fn from_loaded(loaded: HistoryLoaded) -> Self {
        match loaded.result {
            Ok(series) => Burnup::Loaded(series),
            Err(e) => Burnup::Failed(crate::tui::widgets::wrap::safe_line(&e)),
        }
    }

    /// An initiative's series, when it has points.
    pub fn initiative(&self, name: &str) -> Option<&Series> {
        match self {
            Burnup::Loaded(all) => all
                .iter()
                .find(|s| s.kind == "initiative" && s.name == name && !s.points.is_empty()),
            _ => None,
        }
    }

    /// The burn-up line of an initiative: `burn-up ▁▃▅▆ 12% → 55% (9 runs since DATE)`, or a
    /// dim line saying why there is none.
    pub fn initiative_line(&self, theme: &Theme, name: &str, width: usize) -> Line<'static> {
        let muted = theme.style(Token::Muted);
        let text_line = |t: &str| Line::styled(text::truncate(t, width).into_owned(), muted);
        match self {
            Burnup::Loading => text_line("burn-up: reading the history…"),
            Burnup::Failed(e) => text_line(&format!("burn-up: history not read: {e}")),
            Burnup::Loaded(_) => match self.initiative(name) {
                None => text_line(
                    "burn-up: no history yet — `idp-tui score --record` (daily, from cron or CI) records it",
                ),
                Some(series) => {
                    let values: Vec<f64> = series.points.iter().map(|p| p.percent()).collect();
                    let (first, last) = (
                        series.points.first().map_or(String::new(), |p| p.date.clone()),
                        values.last().copied().unwrap_or(0.0),
                    );
                    let label = "burn-up ";
                    let tail = format!(
                        " {:.0}% → {last:.0}% ({} day(s) since {first})",
                        values.first().copied().unwrap_or(0.0),
                        values.len()
                    );
                    let room = width
                        .saturating_sub(label.len() + text::width(&tail))
                        .min(MAX_POINTS);
                    crate::tui::panes::entity::clip(
                        vec![
                            Span::styled(label, muted),
                            Span::styled(spark(&values, room, theme), theme.style(Token::Accent)),
                            Span::raw(tail),
                        ],
                        width,
                    )
                }
            },
        }
    }

    /// An owner's sparkline within an initiative (from each run's per-owner counts), at most
    /// `room` cells; empty when there is no history for them.
    pub fn owner_spark(&self, theme: &Theme, initiative: &str, owner: &str, room: usize) -> String {
        let Some(series) = self.initiative(initiative) else {
            return String::new();
        };
        let values: Vec<f64> = series
            .points
            .iter()
            .filter_map(|p| p.by_owner.get(owner))
            .map(|[passing, total]| {
                if *total == 0 {
                    100.0
                } else {
                    *passing as f64 * 100.0 / *total as f64
                }
            })
            .collect();
        spark(&values, room, theme)
    }
}

/// The latest `room` values as a sparkline (ASCII digits 0-9 in the mono theme).
fn spark(values: &[f64], room: usize, theme: &Theme) -> String {
    let start = values.len().saturating_sub(room);
    let values = values.get(start..).unwrap_or_default();
    if theme.name == "mono" {
        values
            .iter()
            .map(|v| {
                let digit = (v.clamp(0.0, 100.0) / 100.0 * 9.0).round() as u32;
                char::from_digit(digit, 10).unwrap_or('9')
            })
            .collect()
    } else {
        history::sparkline(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::history::Record;
    use std::collections::BTreeMap;

    fn record(date: &str, passing: usize, owner: [usize; 2]) -> Record {
        Record {
            date: date.into(),
            source: "run".into(),
            commit: None,
            kind: "initiative".into(),
            name: "i".into(),
            total: 4,
            passing,
            levels: BTreeMap::new(),
            by_owner: BTreeMap::from([("group:default/a".to_string(), owner)]),
        }
    }

    #[test]
    fn a_recorded_history_becomes_a_sparkline_and_none_a_dim_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        let theme = Theme::default();
        let none = Burnup::from_loaded(
            HistoryRequest {
                token: 1,
                path: path.clone(),
            }
            .run(),
        );
        let line = none.initiative_line(&theme, "i", 120).to_string();
        assert!(line.contains("no history yet"), "{line}");
        history::append(
            &path,
            &[
                record("2026-11-01", 0, [0, 2]),
                record("2026-11-02", 2, [1, 2]),
                record("2026-11-03", 4, [2, 2]),
            ],
        )
        .unwrap();
        let loaded = HistoryRequest { token: 7, path }.run();
        assert_eq!(loaded.token, 7);
        let burnup = Burnup::from_loaded(loaded);
        let line = burnup.initiative_line(&theme, "i", 120).to_string();
        assert_eq!(line, "burn-up ▁▅█ 0% → 100% (3 day(s) since 2026-11-01)");
        assert_eq!(burnup.owner_spark(&theme, "i", "group:default/a", 2), "▅█");
        assert_eq!(burnup.owner_spark(&theme, "i", "group:default/b", 9), "");
        let mono = Theme::builtin("mono").unwrap();
        assert_eq!(burnup.owner_spark(&mono, "i", "group:default/a", 9), "059");
        // Another initiative has no points.
        assert!(burnup
            .initiative_line(&theme, "other", 120)
            .to_string()
            .contains("no history yet"));
    }
}
