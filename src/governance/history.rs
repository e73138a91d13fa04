//! Scores over time. One [`Record`] per scorecard or initiative and evaluation: appended to a
//! history file by `score --record`, or computed from the catalog's git history (each commit
//! that touched catalog files, cached by commit so it is evaluated once). `idp-tui history`
//! reads them back as series, one per scorecard or initiative, for a burn-up.

use super::progress::Progress;
use super::Initiative;
use crate::catalog::Catalog;
use crate::scorecard::{Date, Report, Scorecard};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The history file's name in the state directory (`score --record` appends to it).
pub const FILE_NAME: &str = "history.jsonl";

/// One evaluation of one scorecard or initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The day of the evaluation (a run's day, or a commit's date), `YYYY-MM-DD`.
    pub date: String,
    /// `run` (recorded by `score --record`) or `git` (computed at a commit).
    pub source: String,
    /// The commit, for `git` records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// `scorecard` or `initiative`.
    pub kind: String,
    /// The scorecard's or initiative's name.
    pub name: String,
    /// Entities in scope.
    pub total: usize,
    /// For an initiative, entities meeting its target; for a scorecard, entities at its first
    /// level or above.
    pub passing: usize,
    /// A scorecard's entities per level (`none` below the first); empty for initiatives.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, usize>,
    /// Per owner: `[passing, total]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_owner: BTreeMap<String, [usize; 2]>,
}

impl Record {
    /// The share passing, 0 to 100 (100 when nothing is in scope).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.passing as f64 * 100.0 / self.total as f64
        }
    }
}

/// Evaluates every scorecard and initiative over a catalog: one record each.
pub fn evaluate(
    catalog: &Catalog,
    cards: &[Scorecard],
    initiatives: &[Initiative],
    today: Date,
    source: &str,
    commit: Option<&str>,
) -> Vec<Record> {
    let mut out = Vec::new();
    let owner_name = |o: Option<&crate::catalog::EntityRef>| {
        o.map_or_else(|| "(no owner)".to_string(), |r| r.to_string())
    };
    for card in cards {
        let report = Report::build(card, catalog, today);
        let counts = report.distribution(card);
        let mut levels = BTreeMap::new();
        levels.insert("none".to_string(), counts[0]);
        for (i, name) in card.levels.iter().enumerate() {
            levels.insert(name.clone(), counts[i + 1]);
        }
        let mut by_owner: BTreeMap<String, [usize; 2]> = BTreeMap::new();
        for s in &report.scores {
            let o = by_owner
                .entry(owner_name(catalog.owner_ref(s.entity)))
                .or_default();
            o[0] += usize::from(s.level.is_some());
            o[1] += 1;
        }
        out.push(Record {
            date: today.to_string(),
            source: source.into(),
            commit: commit.map(str::to_string),
            kind: "scorecard".into(),
            name: card.name.clone(),
            total: report.scores.len(),
            passing: report.scores.iter().filter(|s| s.level.is_some()).count(),
            levels,
            by_owner,
        });
    }
    for i in initiatives {
        // An initiative whose scorecard is missing is reported where it is listed.
        let Ok(p) = Progress::evaluate(i, cards, catalog, today) else {
            continue;
        };
        out.push(Record {
            date: today.to_string(),
            source: source.into(),
            commit: commit.map(str::to_string),
            kind: "initiative".into(),
            name: i.name.clone(),
            total: p.total(),
            passing: p.passing,
            levels: BTreeMap::new(),
            by_owner: p
                .by_owner()
                .into_iter()
                .map(|o| (owner_name(o.owner.as_ref()), [o.passing, o.total]))
                .collect(),
        });
    }
    out
}

/// Appends records to a history file (JSON Lines), creating it and its directory.
pub fn append(path: &Path, records: &[Record]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = String::new();
    for r in records {
        text.push_str(&serde_json::to_string(r).map_err(std::io::Error::other)?);
        text.push('\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Reads a history file: its records, and how many lines were not records (skipped). A file
/// that does not exist has none.
pub fn read(path: &Path) -> std::io::Result<(Vec<Record>, usize)> {
    let text = match crate::vfs::read_regular(path, crate::vfs::MAX_READ_BYTES) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Record>(line) {
            Ok(r) if Date::parse(&r.date).is_some() => out.push(r),
            _ => skipped += 1,
        }
    }
    Ok((out, skipped))
}

/// A scorecard's or initiative's records in date order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// `scorecard` or `initiative`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The records, oldest first; of several on one day, the last.
    pub points: Vec<Record>,
}

/// Groups records into series (scorecards first, then initiatives, each by name), keeping
/// those on or after `since`, one per day (the last recorded that day).
pub fn series(records: Vec<Record>, since: Option<Date>) -> Vec<Series> {
    let mut groups: BTreeMap<(String, String), BTreeMap<String, Record>> = BTreeMap::new();
    for r in records {
        if since.is_some_and(|s| Date::parse(&r.date).is_some_and(|d| d < s)) {
            continue;
        }
        groups
            .entry((r.kind.clone(), r.name.clone()))
            .or_default()
            .insert(r.date.clone(), r);
    }
    let mut out: Vec<Series> = groups
        .into_iter()
        .map(|((kind, name), points)| Series {
            kind,
            name,
            points: points.into_values().collect(),
        })
        .collect();
    out.sort_by(|a, b| (a.kind != "scorecard", &a.name).cmp(&(b.kind != "scorecard", &b.name)));
    out
}

/// A sparkline of shares (0 to 100): one block character per value.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| {
            let i = (v.clamp(0.0, 100.0) / 100.0 * 7.0).round() as usize;
            BARS[i.min(7)]
        })
        .collect()
}

/// A stable fingerprint of what evaluation depends on besides the catalog (the scorecards and
/// initiatives), so a cached commit is evaluated again when they change (FNV-1a).
pub fn fingerprint(cards: &[Scorecard], initiatives: &[Initiative]) -> String {
    let text = format!("{cards:?}{initiatives:?}");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_history_file_that_is_a_fifo_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("history.jsonl");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Before: `idp-tui history` blocked forever opening it, waiting for a writer.
        let err = read(&fifo).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    fn record(date: &str, name: &str, passing: usize) -> Record {
        Record {
            date: date.into(),
            source: "run".into(),
            commit: None,
            kind: "initiative".into(),
            name: name.into(),
            total: 4,
            passing,
            levels: BTreeMap::new(),
            by_owner: BTreeMap::new(),
        }
    }

    #[test]
    fn records_round_trip_through_the_file_and_bad_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/history.jsonl");
        append(&path, &[record("2027-01-01", "a", 1)]).unwrap();
        append(&path, &[record("2027-01-02", "a", 2)]).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("not json\n{\"date\": \"yesterday\"}\n");
        std::fs::write(&path, text).unwrap();
        let (records, skipped) = read(&path).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].passing, 2);
        assert_eq!(skipped, 2);
        assert_eq!(read(&dir.path().join("none")).unwrap().0, vec![]);
    }

    #[test]
    fn series_keep_one_point_a_day_since_a_date() {
        let s = series(
            vec![
                record("2027-01-01", "a", 1),
                record("2027-01-02", "a", 2),
                record("2027-01-02", "a", 3),
                record("2026-12-01", "a", 0),
                record("2027-01-02", "b", 4),
            ],
            Date::parse("2027-01-01"),
        );
        assert_eq!(s.len(), 2);
        let passing: Vec<usize> = s[0].points.iter().map(|p| p.passing).collect();
        assert_eq!(passing, [1, 3]);
        assert_eq!(sparkline(&[0.0, 50.0, 100.0]), "▁▅█");
    }
}
