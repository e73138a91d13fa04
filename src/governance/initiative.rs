//! The initiative model and its file format: a scorecard target (a level, or a list of rules)
//! that the entities in scope must meet by a deadline (Cortex's initiatives, OpsLevel's and
//! Compass's campaigns). Files are YAML documents of `apiVersion: idp-tui/v1`,
//! `kind: Initiative`, kept beside the scorecards (see `docs/initiatives.md`).

use super::schedule::{Milestone, Schedule};
use crate::catalog::{EntityRef, Origin};
use crate::scorecard::load::{document_kind, API_VERSION, INITIATIVE_KIND};
use crate::scorecard::model::FilterTerm;
use crate::scorecard::Date;
use crate::text::{clean, one_line};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// The embedded demo's initiatives, used with the demo catalog when no scorecards are named.
const DEMO_INITIATIVES: &str = include_str!("demo.yaml");

/// What the entities in scope must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Reach this level of the scorecard (a name, matched without case).
    Level(String),
    /// Pass every one of these rules of the scorecard (by id).
    Rules(Vec<String>),
}

/// One initiative, as written (its scorecard is bound when it is evaluated).
#[derive(Debug, Clone)]
pub struct Initiative {
    /// The name (`metadata.name`), used on the command line.
    pub name: String,
    /// A human title (the name when none was written).
    pub title: String,
    /// A description, when written.
    pub description: Option<String>,
    /// The name of the scorecard it drives.
    pub scorecard: String,
    /// The level or rules to meet.
    pub target: Target,
    /// Narrows the scorecard's own filter: every term must match too.
    pub filter: Vec<FilterTerm>,
    /// Who runs the initiative (a group, usually), when written.
    pub owner: Option<EntityRef>,
    /// Start, deadline, milestones, draft.
    pub schedule: Schedule,
    /// The file and line it was read from.
    pub origin: Origin,
}

/// An initiative that could not be read or bound to its scorecard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {field}: {message}")]
pub struct InitiativeError {
    /// The file.
    pub path: String,
    /// The 1-based line of the document (or the field, when found).
    pub line: u32,
    /// The field at fault, e.g. `spec.deadline`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl InitiativeError {
    /// An error at an initiative's origin.
    pub fn at(origin: &Origin, field: &str, message: impl Into<String>) -> Self {
        InitiativeError {
            path: origin.path.to_string(),
            line: origin.line.unwrap_or(1),
            field: field.to_string(),
            message: one_line(&clean(&message.into())),
        }
    }
}

/// The initiatives read from a set of paths, and the errors of those that were not.
#[derive(Debug, Default)]
pub struct LoadedInitiatives {
    /// The initiatives, in path order.
    pub initiatives: Vec<Initiative>,
    /// Why the others were not read.
    pub errors: Vec<InitiativeError>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawInitiative {
    api_version: String,
    kind: String,
    metadata: RawMetadata,
    spec: RawSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetadata {
    name: String,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    scorecard: String,
    target: RawTarget,
    #[serde(default)]
    filter: BTreeMap<String, Value>,
    owner: Option<String>,
    #[serde(default)]
    draft: bool,
    start: String,
    deadline: String,
    #[serde(default)]
    milestones: Vec<RawMilestone>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    level: Option<String>,
    rules: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    date: String,
    percent: f64,
}

/// The day the demo's dates are written for: on another day they move by as many days, so the
/// demo always shows what it shows on this one.
pub const DEMO_WRITTEN_FOR: &str = "2026-12-07";

/// The demo's initiatives (an in-progress one and a delayed one, on the built-in scorecard),
/// their dates moved from [`DEMO_WRITTEN_FOR`] to `today` so their statuses and days left are
/// the same whatever the date.
pub fn demo_initiatives(today: Date) -> Vec<Initiative> {
    // The embedded file is tested to parse; should it ever not, none is better than a panic.
    let mut initiatives = parse_file("built-in:initiatives.yaml", DEMO_INITIATIVES).0;
    let shift = Date::parse(DEMO_WRITTEN_FOR).map_or(0, |written| today.days_after(written));
    for i in &mut initiatives {
        let s = &mut i.schedule;
        s.start = s.start.add_days(shift);
        s.deadline = s.deadline.add_days(shift);
        for m in &mut s.milestones {
            m.date = m.date.add_days(shift);
        }
    }
    initiatives
}

/// The initiatives a session uses: those in the scorecard paths, or, when none are named and
/// the catalog is the embedded demo, the demo's as of `today` (the CLI and the portal both ask
/// this).
pub fn load_for(scorecard_paths: &[String], demo: bool, today: Date) -> LoadedInitiatives {
    if !scorecard_paths.is_empty() {
        return load_paths(scorecard_paths);
    }
    LoadedInitiatives {
        initiatives: if demo {
            demo_initiatives(today)
        } else {
            Vec::new()
        },
        errors: Vec::new(),
    }
}

/// Reads the initiatives in scorecard files and directories (every `*.yaml`/`*.yml` below a
/// directory); documents of other kinds are skipped. Names must be unique.
pub fn load_paths(paths: &[String]) -> LoadedInitiatives {
    let mut out = LoadedInitiatives::default();
    let mut files = Vec::new();
    for p in paths {
        if crate::vfs::is_dir(p) {
            match crate::vfs::yaml_files(p) {
                Ok(found) => files.extend(found),
                // The scorecard loader reports unreadable paths already.
                Err(_) => continue,
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut names = HashSet::new();
    for file in files {
        // Read as the scorecard loader reads (regular files only, capped); it reports the
        // files it cannot read, so they are not reported twice here.
        let Ok(bytes) = crate::vfs::read(&file) else {
            continue;
        };
        let (found, errors) = parse_file(&file, &String::from_utf8_lossy(&bytes));
        out.errors.extend(errors);
        for initiative in found {
            if names.insert(initiative.name.clone()) {
                out.initiatives.push(initiative);
            } else {
                out.errors.push(InitiativeError::at(
                    &initiative.origin,
                    "metadata.name",
                    format!(
                        "an initiative named {:?} was already loaded; this one was ignored",
                        initiative.name
                    ),
                ));
            }
        }
    }
    out
}

/// Parses the `kind: Initiative` documents of a file's text; `path` is only used in messages.
pub fn parse_file(path: &str, text: &str) -> (Vec<Initiative>, Vec<InitiativeError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (start, chunk) in crate::documents::split(text) {
        if document_kind(chunk).as_deref() != Some(INITIATIVE_KIND) {
            continue;
        }
        match parse_document(path, start, chunk) {
            Ok(i) => found.push(i),
            Err(e) => errors.push(e),
        }
    }
    (found, errors)
}

/// The 1-based file line of the first `key:` in a document, or its first line.
fn key_line(chunk: &str, start: u32, key: &str) -> u32 {
    chunk
        .lines()
        .position(|l| {
            l.trim_start()
                .trim_start_matches(['-', ' '])
                .strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .map_or(start, |i| start + i as u32)
}

fn parse_document(path: &str, start: u32, chunk: &str) -> Result<Initiative, InitiativeError> {
    let at = |key: &str, field: &str, message: String| InitiativeError {
        path: path.to_string(),
        line: key_line(chunk, start, key),
        field: field.to_string(),
        message: one_line(&clean(&message)),
    };
    let raw: RawInitiative = crate::yaml::from_str(chunk).map_err(|e| {
        let line = e.location().map_or(start, |l| start + l.line() as u32 - 1);
        let msg = e.to_string();
        let msg = msg
            .find(" at line ")
            .map_or(&*msg, |i| msg.get(..i).unwrap_or(msg.as_str()));
        let (field, message) = match msg.split_once(": ") {
            Some((f, m)) if !f.contains(' ') => (f.to_string(), m.to_string()),
            _ => ("document".to_string(), msg.to_string()),
        };
        InitiativeError {
            path: path.to_string(),
            line,
            field,
            message: one_line(&clean(&message)),
        }
    })?;
    if raw.api_version != API_VERSION {
        return Err(at(
            "apiVersion",
            "apiVersion",
            format!("expected {API_VERSION}, found {:?}", raw.api_version),
        ));
    }
    let _ = raw.kind; // Checked by the caller: only Initiative documents get here.
    let name = raw.metadata.name.trim().to_string();
    if name.is_empty()
        || name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(at(
            "name",
            "metadata.name",
            format!("{name:?} is not a valid name: use letters, digits, - and _"),
        ));
    }
    let spec = raw.spec;
    let target = match (spec.target.level, spec.target.rules) {
        (Some(level), None) if !level.trim().is_empty() => {
            Target::Level(one_line(&clean(level.trim())))
        }
        (None, Some(rules)) if !rules.is_empty() => {
            Target::Rules(rules.iter().map(|r| r.trim().to_string()).collect())
        }
        _ => {
            return Err(at(
                "target",
                "spec.target",
                "write either `level: <a level of the scorecard>` or `rules: [<rule id>, …]`"
                    .into(),
            ))
        }
    };
    let mut filter = Vec::new();
    for (key, values) in &spec.filter {
        filter.push(
            FilterTerm::parse(key, values)
                .map_err(|e| at(key, &format!("spec.filter.{key}"), e))?,
        );
    }
    let owner = match spec.owner.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(
            EntityRef::parse(text, Some("group"), crate::catalog::DEFAULT_NAMESPACE).map_err(
                |e| {
                    at(
                        "owner",
                        "spec.owner",
                        format!("{text:?} is not an entity reference: {e}"),
                    )
                },
            )?,
        ),
    };
    let date = |key: &str, text: &str| {
        Date::parse(text.trim()).ok_or_else(|| {
            at(
                key,
                &format!("spec.{key}"),
                format!("{text:?} is not a date: write YYYY-MM-DD"),
            )
        })
    };
    let first = date("start", &spec.start)?;
    let deadline = date("deadline", &spec.deadline)?;
    if deadline < first {
        return Err(at(
            "deadline",
            "spec.deadline",
            format!("the deadline {deadline} is before the start {first}"),
        ));
    }
    let mut milestones: Vec<Milestone> = Vec::new();
    for (i, m) in spec.milestones.iter().enumerate() {
        let field = format!("spec.milestones[{i}]");
        let when = Date::parse(m.date.trim())
            .ok_or_else(|| at("milestones", &field, format!("{:?} is not a date", m.date)))?;
        if when < first || when > deadline {
            return Err(at(
                "milestones",
                &field,
                format!("{when} is outside the initiative ({first} to {deadline})"),
            ));
        }
        if !(0.0..=100.0).contains(&m.percent) {
            return Err(at(
                "milestones",
                &field,
                format!("percent must be between 0 and 100, found {}", m.percent),
            ));
        }
        if let Some(prev) = milestones.last() {
            if when <= prev.date || m.percent < prev.percent {
                return Err(at(
                    "milestones",
                    &field,
                    "milestones must be in date order, each expecting at least the previous share"
                        .into(),
                ));
            }
        }
        milestones.push(Milestone {
            date: when,
            percent: m.percent,
        });
    }
    let text = |t: Option<String>| {
        t.map(|t| one_line(&clean(t.trim())))
            .filter(|t| !t.is_empty())
    };
    Ok(Initiative {
        title: text(raw.metadata.title).unwrap_or_else(|| name.clone()),
        description: raw
            .metadata
            .description
            .map(|d| clean(d.trim()).into_owned())
            .filter(|d| !d.is_empty()),
        name,
        scorecard: spec.scorecard.trim().to_string(),
        target,
        filter,
        owner,
        schedule: Schedule {
            draft: spec.draft,
            start: first,
            deadline,
            milestones,
        },
        origin: Origin::new(
            Arc::<str>::from(path),
            Some(key_line(chunk, start, "apiVersion")),
        ),
    })
}
