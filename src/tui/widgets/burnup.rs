//! Burn-up sparklines from the catalog's git history, or from recorded runs. When the file
//! sources' paths are inside a git repository, the scorecards and initiatives are evaluated at
//! the commits that touched them (the last commit of each day, cached by commit in the cache
//! directory, as `idp-tui history` does: `governance::revision`); otherwise, or when git has
//! no commit for them, the runs `idp-tui score --record` appended to `history.jsonl` in the
//! state directory are read (see `docs/insights.md`). Either is read off the UI thread
//! (`Task::ReadHistory`, on the background pool, answered with `Reply::History`); panes keep
//! the [`Burnup`] it gives and draw one line per initiative, owner or team, saying which source
//! it shows, or one dim line saying there is no history yet.

use crate::governance::history::{self, Series};
use crate::governance::revision::{self, Located};
use crate::governance::Initiative;
use crate::scorecard::Scorecard;
use crate::text;
use crate::tui::panes::Ctx;
use crate::tui::theme::{Theme, Token};
use ratatui::text::{Line, Span};
use std::path::PathBuf;
use std::sync::Arc;

/// Most points drawn in one sparkline (the latest ones).
pub const MAX_POINTS: usize = 60;

/// Reading the history, to run off the UI thread.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    /// Tells the answer to this request from others.
    pub token: u64,
    /// The recorded runs' file.
    pub path: PathBuf,
    /// What to evaluate at the catalog's commits; `None`: read the recorded runs only.
    pub git: Option<GitHistory>,
}

/// What the portal evaluates at each commit of a catalog kept in git.
#[derive(Debug, Clone)]
pub struct GitHistory {
    /// The local paths of the file sources.
    pub catalogs: Vec<String>,
    /// The scorecards, as loaded.
    pub cards: Vec<Scorecard>,
    /// The initiatives, as loaded.
    pub initiatives: Vec<Initiative>,
    /// Where each commit's evaluation is cached (shared with `idp-tui history`).
    pub cache: PathBuf,
}

/// Where the series shown come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistorySource {
    /// Evaluated at the catalog's commits.
    Git,
    /// The runs `score --record` recorded; with why the catalog's git history was not read,
    /// when it is in a repository that could not be read.
    Recorded(Option<String>),
}

impl HistorySource {
    /// Its name: `git history`, `recorded runs`.
    pub fn name(&self) -> &'static str {
        match self {
            HistorySource::Git => "git history",
            HistorySource::Recorded(_) => "recorded runs",
        }
    }

    /// How a burn-up line names its points: `of git history`, `of recorded runs`.
    pub fn words(&self) -> &'static str {
        match self {
            HistorySource::Git => "of git history",
            HistorySource::Recorded(_) => "of recorded runs",
        }
    }
}

/// The paths of the file sources that are on disk (not the embedded demo, not a URL): where
/// the git history is looked for.
pub fn local_paths(sources: &[crate::source::SourceSpec]) -> Vec<String> {
    sources
        .iter()
        .flat_map(|s| match s {
            crate::source::SourceSpec::Files { paths, .. } => paths.clone(),
            crate::source::SourceSpec::Backstage(_) => Vec::new(),
        })
        .filter(|p| !p.starts_with(crate::vfs::EMBEDDED_PREFIX) && !p.contains("://"))
        .collect()
}

impl GitHistory {
    /// Evaluates the commits: `Ok(None)` when the catalog is not in a git repository.
    fn read(&self) -> Result<Option<Vec<Series>>, String> {
        let located: Located = match revision::locate(&self.catalogs) {
            Ok(l) => l,
            Err(crate::governance::git::GitError::Missing(e)) => {
                return Err(format!("the git program was not found ({e})"))
            }
            Err(_) => return Ok(None),
        };
        let records = located
            .history(
                &self.cards,
                &self.initiatives,
                None,
                Some(MAX_POINTS),
                &self.cache,
                &crate::source::load_files_blocking,
            )
            .map_err(|e| e.to_string())?;
        Ok(Some(history::series(records, None)))
    }
}

impl HistoryRequest {
    /// A request for the recorded runs in the state directory only, with a new token.
    pub fn recorded() -> Self {
        HistoryRequest {
            token: crate::tui::tabs::docs_page::next_token(),
            path: crate::config::state_dir().join(history::FILE_NAME),
            git: None,
        }
    }

    /// A request for the history of the portal's catalog: its git history when the file
    /// sources are in a repository, else the recorded runs; with a new token.
    pub fn new(ctx: &Ctx) -> Self {
        let catalogs = &ctx.prefs.catalog_paths;
        HistoryRequest {
            git: (!catalogs.is_empty()).then(|| GitHistory {
                catalogs: catalogs.clone(),
                cards: ctx.scores.cards.clone(),
                initiatives: ctx.initiatives.initiatives.clone(),
                cache: crate::config::cache_dir().join(revision::CACHE_DIR_NAME),
            }),
            ..Self::recorded()
        }
    }

    /// Reads the history: the catalog's commits when it is in git and they have any, else
    /// the recorded runs (a missing file has none), grouped into series.
    pub fn run(self) -> HistoryLoaded {
        let mut git_error = None;
        if let Some(git) = &self.git {
            match git.read() {
                Ok(Some(series)) if !series.is_empty() => {
                    return HistoryLoaded {
                        token: self.token,
                        result: Ok((Arc::new(series), HistorySource::Git)),
                    }
                }
                Ok(_) => {}
                // Git's words name paths and revisions from outside: cleaned like any text.
                Err(e) => git_error = Some(crate::tui::widgets::wrap::safe_line(&e)),
            }
        }
        let result = history::read(&self.path)
            .map(|(records, _skipped)| {
                (
                    Arc::new(history::series(records, None)),
                    HistorySource::Recorded(git_error),
                )
            })
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
    /// The series and where they come from, or why the recorded runs could not be read.
    pub result: Result<(Arc<Vec<Series>>, HistorySource), String>,
}

/// What a pane knows of the history.
#[derive(Debug, Clone, Default)]
pub enum Burnup {
    /// Asked for, not read yet.
    #[default]
    Loading,
    /// The file could not be read.
    Failed(String),
    /// The series read (possibly none), and where they come from.
    Loaded(Arc<Vec<Series>>, HistorySource),
}

impl Burnup {
    /// Takes an answer.
    pub fn from_loaded(loaded: HistoryLoaded) -> Self {
        match loaded.result {
            Ok((series, from)) => Burnup::Loaded(series, from),
            Err(e) => Burnup::Failed(crate::tui::widgets::wrap::safe_line(&e)),
        }
    }

    /// An initiative's series, when it has points.
    pub fn initiative(&self, name: &str) -> Option<&Series> {
        match self {
            Burnup::Loaded(all, _) => all
                .iter()
                .find(|s| s.kind == "initiative" && s.name == name && !s.points.is_empty()),
            _ => None,
        }
    }

    /// A dim line saying why there is nothing to draw (`what` names the burn-ups: `burn-up`,
    /// `burn-ups`).
    fn missing_line(
        &self,
        what: &str,
        width: usize,
        muted: ratatui::style::Style,
    ) -> Line<'static> {
        let words = match self {
            Burnup::Loading => format!("{what}: reading the history…"),
            Burnup::Failed(e) => format!("{what}: history not read: {e}"),
            Burnup::Loaded(_, HistorySource::Recorded(Some(e))) => format!(
                "{what}: git history not read ({e}) and no recorded run — `idp-tui score --record` records them"
            ),
            Burnup::Loaded(..) => format!(
                "{what}: no history yet — `idp-tui score --record` (daily, from cron or CI) records it"
            ),
        };
        Line::styled(text::truncate(&words, width).into_owned(), muted)
    }

    /// The burn-up line of an initiative: `burn-up ▁▃▅▆ 12% → 55% (9 day(s) of git history
    /// since DATE)`, or a dim line saying why there is none.
    pub fn initiative_line(&self, theme: &Theme, name: &str, width: usize) -> Line<'static> {
        let muted = theme.style(Token::Muted);
        let (Burnup::Loaded(_, from), Some(series)) = (self, self.initiative(name)) else {
            return self.missing_line("burn-up", width, muted);
        };
        let values: Vec<f64> = series.points.iter().map(|p| p.percent()).collect();
        let (first, last) = (
            series
                .points
                .first()
                .map_or(String::new(), |p| p.date.clone()),
            values.last().copied().unwrap_or(0.0),
        );
        let label = "burn-up ";
        let tail = format!(
            " {:.0}% → {last:.0}% ({} day(s) {} since {first})",
            values.first().copied().unwrap_or(0.0),
            values.len(),
            from.words()
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

    /// An initiative's burn-up in a few words for a list row — `burn-up ▅▆█ (git history)`, at
    /// most `cells` points, one a day — or `None` when the history has none of it.
    pub fn initiative_words(&self, theme: &Theme, name: &str, cells: usize) -> Option<String> {
        let (Burnup::Loaded(_, from), Some(series)) = (self, self.initiative(name)) else {
            return None;
        };
        let values: Vec<f64> = series.points.iter().map(|p| p.percent()).collect();
        Some(format!(
            "burn-up {} ({})",
            spark(&values, cells, theme),
            from.name()
        ))
    }

    /// The line above a list of teams saying what their burn-ups show and where they come
    /// from, or why there are none.
    pub fn teams_line(&self, theme: &Theme, width: usize) -> Line<'static> {
        let muted = theme.style(Token::Muted);
        let Burnup::Loaded(all, from) = self else {
            return self.missing_line("burn-ups", width, muted);
        };
        if !all
            .iter()
            .any(|s| s.kind == "scorecard" && !s.points.is_empty())
        {
            return self.missing_line("burn-ups", width, muted);
        }
        let mut words = format!(
            "burn-ups: share at a scorecard's first level, per day {}",
            from.words()
        );
        if let HistorySource::Recorded(Some(e)) = from {
            words.push_str(&format!(" (git history not read: {e})"));
        }
        Line::styled(text::truncate(&words, width).into_owned(), muted)
    }

    /// A team's share over time: each day's entities it owns at a scorecard's first level or
    /// above, over those in scope, summed over the scorecards (oldest first); empty when the
    /// history has none of its entities.
    pub fn team_values(&self, owner: &str) -> Vec<f64> {
        let Burnup::Loaded(all, _) = self else {
            return Vec::new();
        };
        let mut days: std::collections::BTreeMap<&str, [usize; 2]> = Default::default();
        for s in all.iter().filter(|s| s.kind == "scorecard") {
            for p in &s.points {
                if let Some([passing, total]) = p.by_owner.get(owner) {
                    let day = days.entry(p.date.as_str()).or_default();
                    day[0] += passing;
                    day[1] += total;
                }
            }
        }
        days.values()
            .map(|&[passing, total]| share(passing, total))
            .collect()
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
            .map(|&[passing, total]| share(passing, total))
            .collect();
        spark(&values, room, theme)
    }
}

/// `passing` of `total` as a share, 0 to 100 (100 when nothing is in scope).
fn share(passing: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        passing as f64 * 100.0 / total as f64
    }
}

/// The latest `room` values as a sparkline (ASCII digits 0-9 in the mono theme).
pub fn spark(values: &[f64], room: usize, theme: &Theme) -> String {
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
                git: None,
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
        let loaded = HistoryRequest {
            token: 7,
            path,
            git: None,
        }
        .run();
        assert_eq!(loaded.token, 7);
        let burnup = Burnup::from_loaded(loaded);
        let line = burnup.initiative_line(&theme, "i", 120).to_string();
        assert_eq!(
            line,
            "burn-up ▁▅█ 0% → 100% (3 day(s) of recorded runs since 2026-11-01)"
        );
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

#[cfg(test)]
mod source_tests {
    use super::*;
    use crate::governance::history::Record;

    fn run_for(catalogs: Vec<String>, scratch: &std::path::Path) -> HistoryLoaded {
        HistoryRequest {
            token: 3,
            path: scratch.join("history.jsonl"),
            git: Some(GitHistory {
                catalogs,
                cards: crate::scorecard::default_scorecards(),
                initiatives: Vec::new(),
                cache: scratch.join("cache"),
            }),
        }
        .run()
    }

    #[test]
    fn a_catalog_outside_git_or_without_commits_falls_back_to_the_recorded_runs() {
        let scratch = tempfile::tempdir().unwrap();
        let record = Record {
            date: "2026-11-01".into(),
            source: "run".into(),
            commit: None,
            kind: "scorecard".into(),
            name: "production-readiness".into(),
            total: 2,
            passing: 1,
            levels: Default::default(),
            by_owner: Default::default(),
        };
        history::append(&scratch.path().join("history.jsonl"), &[record]).unwrap();
        let outside = tempfile::tempdir().unwrap();
        let loaded = run_for(
            vec![outside.path().to_string_lossy().into_owned()],
            scratch.path(),
        );
        let (series, from) = loaded.result.unwrap();
        assert_eq!(from, HistorySource::Recorded(None));
        assert_eq!(series[0].points[0].source, "run");

        // In a repository, but not committed yet: no commit, so the recorded runs.
        let repo = crate::governance::git_fixture::catalog_history();
        let fresh = repo.path().join("fresh");
        std::fs::create_dir_all(&fresh).unwrap();
        let loaded = run_for(vec![fresh.to_string_lossy().into_owned()], scratch.path());
        let (series, from) = loaded.result.unwrap();
        assert_eq!(from, HistorySource::Recorded(None));
        assert_eq!(series.len(), 1);

        // Committed: the git history wins.
        let catalog = repo.path().join("catalog");
        let loaded = run_for(vec![catalog.to_string_lossy().into_owned()], scratch.path());
        let (series, from) = loaded.result.unwrap();
        assert_eq!(from, HistorySource::Git);
        assert_eq!(series[0].points.len(), 3);
        assert!(series[0].points.iter().all(|p| p.source == "git"));
    }

    #[test]
    fn a_git_history_that_could_not_be_read_is_said_beside_the_recorded_runs() {
        let theme = Theme::default();
        let why = HistorySource::Recorded(Some("the git program was not found".into()));
        let none = Burnup::Loaded(Arc::new(Vec::new()), why.clone());
        let line = none.teams_line(&theme, 200).to_string();
        assert!(
            line.contains(
                "git history not read (the git program was not found) and no recorded run"
            ),
            "{line}"
        );
        assert!(none
            .initiative_line(&theme, "i", 200)
            .to_string()
            .contains("git history not read"));
        let record = Record {
            date: "2026-11-01".into(),
            source: "run".into(),
            commit: None,
            kind: "scorecard".into(),
            name: "c".into(),
            total: 2,
            passing: 1,
            levels: Default::default(),
            by_owner: [("group:default/a".to_string(), [1, 2])].into(),
        };
        let some = Burnup::Loaded(Arc::new(history::series(vec![record], None)), why);
        let line = some.teams_line(&theme, 200).to_string();
        assert!(
            line.contains(
                "per day of recorded runs (git history not read: the git program was not found)"
            ),
            "{line}"
        );
        assert_eq!(some.team_values("group:default/a"), [50.0]);
        assert!(some.team_values("group:default/b").is_empty());
    }
}
