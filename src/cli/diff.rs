//! `idp-tui diff REV_A [REV_B]`: what a change does to a catalog kept in git — entities added,
//! removed and changed, relations, ownership moves, scorecard levels, problems new and fixed.
//! Each revision's files are read with git without checking anything out; without REV_B the
//! work tree is the second side.
//!
//! Exit codes: 0, 1 when the change adds error-level problems; an error (not a git
//! repository, an unknown revision, no `git`) is reported once with the CLI's error code.

use super::ci_report::{self, md_cell, md_table, Check, Failure, Format, Level, RuleInfo};
use super::output::{emit, emit_json};
use super::Settings;
use crate::catalog::Severity;
use crate::governance::diff::{CatalogDiff, ProblemChange, Side};
use crate::governance::revision;
use crate::scorecard::{self, Date};
use color_eyre::eyre::eyre;
use std::process::ExitCode;

/// Arguments of `diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The revision before the change (a commit, branch or tag, e.g. `origin/main`).
    pub rev_a: String,
    /// The revision after it (default: the work tree as it is on disk).
    pub rev_b: Option<String>,
    /// Print JSON (same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// Output format: text, json, github, junit, sarif or markdown (for a pull-request comment).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Loads local catalog files with the file source: the
/// Runs `diff`; `catalogs` are the `--catalog` paths (default: the current directory).
pub fn run(settings: &Settings, catalogs: &[String], args: &Args) -> color_eyre::Result<ExitCode> {
    let paths: Vec<String> = if catalogs.is_empty() {
        vec![".".into()]
    } else {
        catalogs.to_vec()
    };
    if let Some(url) = paths.iter().find(|p| p.contains("://")) {
        return Err(eyre!(
            "diff compares files in a git repository, not a server: {url}"
        ));
    }
    let located = revision::locate(&paths)?;
    let cards = scorecard::load_paths(&settings.scorecards);
    for e in &cards.errors {
        tell!("idp-tui: scorecard not loaded: {e}");
    }
    let before = located.load(Some(&args.rev_a), &crate::source::load_files_blocking)?;
    let after = located.load(args.rev_b.as_deref(), &crate::source::load_files_blocking)?;
    let diff = CatalogDiff::compare(
        &Side {
            catalog: &before.catalog,
            root: &before.root,
        },
        &Side {
            catalog: &after.catalog,
            root: &after.root,
        },
        &cards.scorecards,
        Date::today(),
    );
    let b_name = args.rev_b.as_deref().unwrap_or("work tree");
    let title = format!("{} → {b_name}", args.rev_a);
    match Format::pick(args.format, args.json) {
        Format::Text => emit(&text(&diff, &title))?,
        Format::Json => emit_json(&diff)?,
        Format::Markdown => emit(&markdown(&diff, &title))?,
        Format::Github => emit(&ci_report::github("idp-tui diff", &checks(&diff)))?,
        Format::Junit => emit(&ci_report::junit("idp-tui diff", &checks(&diff)))?,
        Format::Sarif => emit_json(&ci_report::sarif(
            "idp-tui",
            &checks(&diff),
            &[RuleInfo {
                id: "catalog".into(),
                title: "A change adds no catalog problem".into(),
                help: None,
            }],
        ))?,
    }
    let errors = diff.new_errors();
    if errors > 0 {
        tell!("idp-tui: the change adds {errors} error(s) to the catalog");
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn problem_line(p: &ProblemChange) -> String {
    let place = match (&p.file, p.line) {
        (Some(f), Some(l)) => format!("{f}:{l}: "),
        (Some(f), None) => format!("{f}: "),
        _ => String::new(),
    };
    let entity = p
        .entity
        .as_deref()
        .map_or(String::new(), |e| format!("{e}: "));
    format!(
        "{place}{}: {entity}{}",
        p.severity,
        crate::text::one_line(&p.message)
    )
}

fn level_text(level: &Option<String>) -> &str {
    level.as_deref().unwrap_or("(out of scope)")
}

fn owner_text(owner: &Option<String>) -> &str {
    owner.as_deref().unwrap_or("(no owner)")
}

fn text(diff: &CatalogDiff, title: &str) -> String {
    let mut out = String::new();
    outln!(out, "catalog diff {title}");
    if diff.is_empty() {
        outln!(out, "no change");
        return out;
    }
    let section = |out: &mut String, name: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            outln!(out, "{name} ({}):", lines.len());
            for l in lines {
                outln!(out, "  {l}");
            }
        }
    };
    section(&mut out, "added", diff.added.clone());
    section(&mut out, "removed", diff.removed.clone());
    section(
        &mut out,
        "changed",
        diff.changed
            .iter()
            .map(|c| format!("{}: {}", c.entity, c.fields.join(", ")))
            .collect(),
    );
    let rel = |r: &crate::governance::diff::RelationChange| {
        format!("{} {} {}", r.source, r.relation, r.target)
    };
    section(
        &mut out,
        "relations added",
        diff.relations_added.iter().map(rel).collect(),
    );
    section(
        &mut out,
        "relations removed",
        diff.relations_removed.iter().map(rel).collect(),
    );
    section(
        &mut out,
        "ownership moved",
        diff.ownership
            .iter()
            .map(|o| {
                format!(
                    "{}: {} → {}",
                    o.entity,
                    owner_text(&o.from),
                    owner_text(&o.to)
                )
            })
            .collect(),
    );
    section(
        &mut out,
        "scorecard levels",
        diff.levels
            .iter()
            .map(|l| {
                format!(
                    "{} {}: {} → {}",
                    l.entity,
                    l.scorecard,
                    level_text(&l.from),
                    level_text(&l.to)
                )
            })
            .collect(),
    );
    section(
        &mut out,
        "problems new",
        diff.problems_new.iter().map(problem_line).collect(),
    );
    section(
        &mut out,
        "problems fixed",
        diff.problems_fixed.iter().map(problem_line).collect(),
    );
    out
}

fn markdown(diff: &CatalogDiff, title: &str) -> String {
    let mut out = format!("### Catalog changes ({})\n\n", md_cell(title));
    if diff.is_empty() {
        out.push_str("No change to the catalog.\n");
        return out;
    }
    outln!(
        out,
        "**{}** added · **{}** removed · **{}** changed · **{}** ownership move(s) · **{}** level change(s) · **{}** new problem(s) ({} error(s)) · **{}** fixed\n",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len(),
        diff.ownership.len(),
        diff.levels.len(),
        diff.problems_new.len(),
        diff.new_errors(),
        diff.problems_fixed.len()
    );
    let mut entities: Vec<Vec<String>> = Vec::new();
    entities.extend(
        diff.added
            .iter()
            .map(|e| vec!["added".into(), e.clone(), String::new()]),
    );
    entities.extend(
        diff.removed
            .iter()
            .map(|e| vec!["removed".into(), e.clone(), String::new()]),
    );
    entities.extend(
        diff.changed
            .iter()
            .map(|c| vec!["changed".into(), c.entity.clone(), c.fields.join(", ")]),
    );
    if !entities.is_empty() {
        out.push_str("#### Entities\n\n");
        out.push_str(&md_table(&["Change", "Entity", "Fields"], &entities));
        out.push('\n');
    }
    let mut rels: Vec<Vec<String>> = Vec::new();
    for (change, list) in [
        ("added", &diff.relations_added),
        ("removed", &diff.relations_removed),
    ] {
        rels.extend(list.iter().map(|r| {
            vec![
                change.into(),
                r.source.clone(),
                r.relation.clone(),
                r.target.clone(),
            ]
        }));
    }
    if !rels.is_empty() {
        out.push_str("#### Relations\n\n");
        out.push_str(&md_table(
            &["Change", "Source", "Relation", "Target"],
            &rels,
        ));
        out.push('\n');
    }
    if !diff.ownership.is_empty() {
        out.push_str("#### Ownership\n\n");
        let rows: Vec<Vec<String>> = diff
            .ownership
            .iter()
            .map(|o| {
                vec![
                    o.entity.clone(),
                    owner_text(&o.from).into(),
                    owner_text(&o.to).into(),
                ]
            })
            .collect();
        out.push_str(&md_table(&["Entity", "From", "To"], &rows));
        out.push('\n');
    }
    if !diff.levels.is_empty() {
        out.push_str("#### Scorecard levels\n\n");
        let rows: Vec<Vec<String>> = diff
            .levels
            .iter()
            .map(|l| {
                vec![
                    l.entity.clone(),
                    l.scorecard.clone(),
                    level_text(&l.from).into(),
                    level_text(&l.to).into(),
                ]
            })
            .collect();
        out.push_str(&md_table(
            &["Entity", "Scorecard", "Before", "After"],
            &rows,
        ));
        out.push('\n');
    }
    let mut problems: Vec<Vec<String>> = Vec::new();
    for (change, list) in [("new", &diff.problems_new), ("fixed", &diff.problems_fixed)] {
        problems.extend(list.iter().map(|p| {
            vec![
                change.into(),
                p.severity.to_string(),
                p.entity.clone().unwrap_or_default(),
                p.message.clone(),
                match (&p.file, p.line) {
                    (Some(f), Some(l)) => format!("{f}:{l}"),
                    (Some(f), None) => f.clone(),
                    _ => String::new(),
                },
            ]
        }));
    }
    if !problems.is_empty() {
        out.push_str("#### Problems\n\n");
        out.push_str(&md_table(
            &["", "Severity", "Entity", "Message", "Where"],
            &problems,
        ));
    }
    out
}

/// The new problems, as failed checks (the CI formats report what a change breaks).
fn checks(diff: &CatalogDiff) -> Vec<Check> {
    diff.problems_new
        .iter()
        .map(|p| Check {
            suite: "catalog diff".into(),
            subject: p.entity.clone().unwrap_or_else(|| "file".into()),
            rule: "catalog".into(),
            file: p.file.clone(),
            line: p.line,
            failure: Some(Failure {
                level: match p.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                },
                message: crate::text::one_line(&p.message),
            }),
        })
        .collect()
}
