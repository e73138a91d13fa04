//! `idp-tui history [--since 90d]`: scorecards and initiatives over time, as series with a
//! burn-up sparkline. From the catalog's git history when `--catalog` is inside a git
//! repository (each commit that touched it, evaluated once and cached by commit), else from
//! the runs `idp-tui score --record` appended to the history file in the state directory.

use super::output::{emit, emit_json};
use super::Settings;
use crate::governance::history::{self, Record, Series};
use crate::governance::revision;
use crate::scorecard::{self, Date};
use color_eyre::eyre::{eyre, WrapErr};
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only since this long ago (`90d`, `12w`) or this day (`YYYY-MM-DD`).
    #[arg(long, value_name = "AGE|DATE")]
    pub since: Option<String>,
    /// Print JSON: one series per scorecard and initiative, with its points.
    #[arg(long)]
    pub json: bool,
    /// Read the recorded runs even when the catalog is in git.
    #[arg(long)]
    pub recorded: bool,
    /// A scorecard file or directory holding scorecards and initiatives (repeatable).
    #[arg(long = "scorecard", value_name = "PATH")]
    pub scorecards: Vec<String>,
}

/// The history file `score --record` appends to.
pub fn history_file() -> PathBuf {
    crate::config::state_dir().join(history::FILE_NAME)
}

/// Parses `--since`: `Nd`, `Nw` or a date.
fn since(text: &str, today: Date) -> color_eyre::Result<Date> {
    let text = text.trim();
    if let Some(d) = Date::parse(text) {
        return Ok(d);
    }
    let refused = || {
        eyre!("--since {text:?}: write a number of days (90d), weeks (12w) or a date (YYYY-MM-DD)")
    };
    // `strip_suffix`, not slicing: the text may end in any character.
    let (number, days_per) = match (text.strip_suffix('d'), text.strip_suffix('w')) {
        (Some(n), _) => (n, 1),
        (_, Some(n)) => (n, 7),
        _ => return Err(refused()),
    };
    let n: u32 = number.parse().map_err(|_| refused())?;
    Ok(today.add_days(-i64::from(n) * days_per))
}

/// Appends one record per scorecard and initiative to the history file (`score --record`).
pub(crate) fn record(
    settings: &Settings,
    catalog: &crate::catalog::Catalog,
    cards: &[scorecard::Scorecard],
) -> color_eyre::Result<()> {
    let today = Date::today();
    let initiatives = super::initiatives::load_initiatives(settings, today).initiatives;
    let records = history::evaluate(catalog, cards, &initiatives, today, "run", None);
    let path = history_file();
    history::append(&path, &records)
        .wrap_err_with(|| format!("recording the scores in {}", path.display()))?;
    tell!(
        "idp-tui: recorded {} line(s) in {}",
        records.len(),
        path.display()
    );
    Ok(())
}

/// The records of the commits that touched the catalog (the last of each day), from the cache
/// or evaluated now.
fn from_git(
    settings: &Settings,
    located: &revision::Located,
    since: Option<Date>,
) -> color_eyre::Result<Vec<Record>> {
    let cards = scorecard::load_paths(&settings.scorecards);
    for e in &cards.errors {
        tell!("idp-tui: scorecard not loaded: {e}");
    }
    let initiatives = super::initiatives::load_initiatives(settings, Date::today()).initiatives;
    let cache = crate::config::cache_dir().join(revision::CACHE_DIR_NAME);
    Ok(located.history(
        &cards.scorecards,
        &initiatives,
        since,
        None,
        &cache,
        &crate::source::load_files_blocking,
    )?)
}

/// Runs `history`; `catalogs` are the `--catalog` paths.
pub fn run(settings: &Settings, catalogs: &[String], args: &Args) -> color_eyre::Result<ExitCode> {
    let today = Date::today();
    let since = args.since.as_deref().map(|s| since(s, today)).transpose()?;
    let local = !catalogs.is_empty() && catalogs.iter().all(|c| !c.contains("://"));
    let located = if local && !args.recorded {
        revision::locate(catalogs).ok()
    } else {
        None
    };
    let (records, origin) = if let Some(located) = located {
        (
            from_git(settings, &located, since)?,
            "the catalog's git history".to_string(),
        )
    } else {
        let path = history_file();
        let (records, skipped) =
            history::read(&path).wrap_err_with(|| format!("reading {}", path.display()))?;
        if skipped > 0 {
            tell!(
                "idp-tui: {}: {skipped} line(s) were not records and were skipped",
                path.display()
            );
        }
        (records, path.display().to_string())
    };
    let series = history::series(records, since);
    if args.json {
        emit_json(&json!({"from": origin, "series": series}))?;
    } else {
        emit(&text(&series, &origin))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn text(series: &[Series], origin: &str) -> String {
    let mut out = String::new();
    outln!(out, "history from {origin}");
    if series.is_empty() {
        outln!(
            out,
            "no records yet: run `idp-tui score --record` (from cron, or in CI on the main branch)"
        );
        return out;
    }
    let width = series
        .iter()
        .map(|s| crate::text::width(&s.name))
        .max()
        .unwrap_or(4)
        .max(4);
    outln!(
        out,
        "{:<10}  {:<width$}  {:>6}  {:<10}  {:<10}  {:>13}  BURN-UP",
        "KIND",
        "NAME",
        "POINTS",
        "FROM",
        "TO",
        "PASSING"
    );
    for s in series {
        let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else {
            continue;
        };
        let shares: Vec<f64> = s.points.iter().map(Record::percent).collect();
        outln!(
            out,
            "{:<10}  {:<width$}  {:>6}  {:<10}  {:<10}  {:>13}  {}",
            s.kind,
            s.name,
            s.points.len(),
            first.date,
            last.date,
            format!("{:.0}% → {:.0}%", first.percent(), last.percent()),
            history::sparkline(&shares)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_days_weeks_or_a_date_and_refuses_anything_else_without_panicking() {
        let today = Date::parse("2027-01-31").unwrap();
        let day = |s: &str| Date::parse(s).unwrap();
        assert_eq!(since("90d", today).unwrap(), day("2026-11-02"));
        assert_eq!(since(" 12w ", today).unwrap(), day("2026-11-08"));
        assert_eq!(since("2026-10-01", today).unwrap(), day("2026-10-01"));
        // Before: `9é` split inside `é` and the command panicked.
        for bad in ["9é", "é", "90", "d", "", "3m", "-", "1.5d"] {
            let err = since(bad, today).unwrap_err().to_string();
            assert!(
                err.contains("write a number of days (90d)"),
                "{bad:?}: {err}"
            );
        }
    }
}
