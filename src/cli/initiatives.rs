//! `idp-tui initiatives [NAME]`: each initiative's progress, status and days left; with NAME,
//! its owners (most failing first) and every entity's action items. `--fail-if delayed` makes
//! it a CI gate.
//!
//! Exit codes: 0 when all is well, 2 when `--fail-if` finds an initiative in that status (or
//! NAME names none), 1 when an initiative or scorecard failed to load.

use super::ci_report::{self, Check, Failure, Format, Level as CiLevel, RuleInfo};
use super::output::{emit, emit_json};
use super::Settings;
use crate::catalog::Catalog;
use crate::governance::{self, days_text, Goal, Initiative, Progress, Status, Target};
use crate::scorecard::{self, Date, Scorecard};
use crate::text::one_line;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Arguments of `initiatives`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show one initiative in detail: per owner and per entity action items.
    pub name: Option<String>,
    /// A scorecard file or directory holding scorecards and initiatives (repeatable; adds to
    /// any given before the command).
    #[arg(long = "scorecard", value_name = "PATH")]
    pub scorecards: Vec<String>,
    /// Print JSON (same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// Output format: text, json, github, junit, sarif or markdown.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Exit 2 when an initiative (the named one, or any) is in this status, e.g. `delayed`.
    #[arg(long, value_enum, value_name = "STATUS")]
    pub fail_if: Option<Status>,
    /// Evaluate as of this day (YYYY-MM-DD) instead of today: for what-if and reproducible
    /// reports.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,
}

/// Parses a `YYYY-MM-DD` argument.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text.trim()).ok_or_else(|| format!("{text:?} is not a date: write YYYY-MM-DD"))
}

/// The initiatives for these settings: those in the scorecard paths, or the demo's (dated
/// around `today`) when the catalog is the embedded demo and no scorecards are named.
pub(crate) fn load_initiatives(settings: &Settings, today: Date) -> governance::LoadedInitiatives {
    governance::load_for(
        &settings.scorecards,
        settings.sources == [crate::source::SourceSpec::demo()],
        today,
    )
}

/// Runs `initiatives`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let cards = scorecard::load_paths(&settings.scorecards);
    for e in &cards.errors {
        tell!("idp-tui: scorecard not loaded: {e}");
    }
    let today = args.today.unwrap_or_else(Date::today);
    let loaded = load_initiatives(settings, today);
    let mut failed = !cards.errors.is_empty() || !loaded.errors.is_empty();
    for e in &loaded.errors {
        tell!("idp-tui: initiative not loaded: {e}");
    }
    let selected: Vec<&Initiative> = match &args.name {
        Some(name) => match loaded.initiatives.iter().find(|i| &i.name == name) {
            Some(i) => vec![i],
            None => {
                let names: Vec<&str> = loaded.initiatives.iter().map(|i| i.name.as_str()).collect();
                tell!(
                    "idp-tui: no initiative named {name:?}{}",
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" (there are: {})", names.join(", "))
                    }
                );
                return Ok(ExitCode::from(if failed { 1 } else { 2 }));
            }
        },
        None => loaded.initiatives.iter().collect(),
    };
    let catalog = super::load(settings)?;
    let mut progress = Vec::new();
    for i in selected {
        match Progress::evaluate(i, &cards.scorecards, &catalog, today) {
            Ok(p) => progress.push(p),
            Err(e) => {
                tell!("idp-tui: initiative not evaluated: {e}");
                failed = true;
            }
        }
    }
    let detail = args.name.is_some();
    let text = match Format::pick(args.format, args.json) {
        Format::Text if detail => progress
            .first()
            .map(|p| detail_text(p, &catalog, today))
            .unwrap_or_default(),
        Format::Text => overview_text(&progress),
        Format::Json => {
            let all: Vec<Value> = progress
                .iter()
                .map(|p| to_json(p, &catalog, detail))
                .collect();
            emit_json(&all)?;
            String::new()
        }
        Format::Github => ci_report::github("idp-tui initiatives", &checks(&progress, &catalog)),
        Format::Junit => ci_report::junit("idp-tui initiatives", &checks(&progress, &catalog)),
        Format::Sarif => {
            emit_json(&ci_report::sarif(
                "idp-tui",
                &checks(&progress, &catalog),
                &rule_infos(&progress),
            ))?;
            String::new()
        }
        Format::Markdown => markdown(&progress, &catalog, detail),
    };
    emit(&text)?;
    let tripped: Vec<&Progress<'_>> = progress
        .iter()
        .filter(|p| Some(p.status) == args.fail_if)
        .collect();
    for p in &tripped {
        tell!("idp-tui: initiative {} is {}", p.initiative.name, p.status);
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else if !tripped.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The target in words: `level Silver` or `rules a, b`.
fn target_text(p: &Progress<'_>) -> String {
    match (&p.goal, &p.initiative.target) {
        (Goal::Level(level), _) => format!("level {}", p.scorecard.level_name(*level)),
        (_, Target::Rules(ids)) => format!("rules {}", ids.join(", ")),
        (_, Target::Level(name)) => format!("level {name}"),
    }
}

fn owner_name(owner: Option<&crate::catalog::EntityRef>) -> String {
    owner.map_or_else(|| "(no owner)".to_string(), |r| r.short())
}

fn overview_text(progress: &[Progress<'_>]) -> String {
    let mut out = String::new();
    if progress.is_empty() {
        outln!(
            out,
            "no initiatives: write `kind: Initiative` files beside your scorecards (docs/initiatives.md)"
        );
        return out;
    }
    let width = progress
        .iter()
        .map(|p| crate::text::width(&p.initiative.name))
        .max()
        .unwrap_or(4)
        .max(4);
    outln!(
        out,
        "{:<width$}  {:<11}  {:>12}  {:<10}  {:<17}  TITLE",
        "NAME",
        "STATUS",
        "PASSING",
        "DEADLINE",
        "DAYS"
    );
    for p in progress {
        let row = format!(
            "{:<width$}  {:<11}  {:>12}  {:<10}  {:<17}  {}",
            p.initiative.name,
            p.status.as_str(),
            format!("{}/{} {:>3.0}%", p.passing, p.total(), p.percent()),
            p.initiative.schedule.deadline,
            days_text(p.days_left),
            p.initiative.title
        );
        outln!(out, "{}", row.trim_end());
    }
    out
}

fn detail_text(p: &Progress<'_>, catalog: &Catalog, today: Date) -> String {
    let mut out = String::new();
    let i = p.initiative;
    outln!(out, "{} ({}): {}", i.title, i.name, p.status);
    if let Some(d) = &i.description {
        outln!(out, "  {}", one_line(d));
    }
    outln!(
        out,
        "  scorecard {}, target {}; owner {}",
        p.scorecard.name,
        target_text(p),
        owner_name(i.owner.as_ref())
    );
    outln!(
        out,
        "  {} to {}, {} (as of {today})",
        i.schedule.start,
        i.schedule.deadline,
        days_text(p.days_left)
    );
    for m in &i.schedule.milestones {
        outln!(out, "  milestone {}: {}%", m.date, m.percent);
    }
    outln!(
        out,
        "  passing {}/{} ({:.1}%), expected by today {:.1}%",
        p.passing,
        p.total(),
        p.percent(),
        p.expected * 100.0
    );
    let owners = p.by_owner();
    if !owners.is_empty() {
        outln!(out);
        let names: Vec<String> = owners
            .iter()
            .map(|o| owner_name(o.owner.as_ref()))
            .collect();
        let width = names
            .iter()
            .map(|n| crate::text::width(n))
            .max()
            .unwrap_or(5)
            .max(5);
        outln!(
            out,
            "  {:<width$}  {:>7}  {:>7}  {:>5}",
            "OWNER",
            "FAILING",
            "PASSING",
            "TOTAL"
        );
        for (o, name) in owners.iter().zip(&names) {
            outln!(
                out,
                "  {name:<width$}  {:>7}  {:>7}  {:>5}",
                o.failing(),
                o.passing,
                o.total
            );
        }
    }
    let items = p.action_items();
    if !items.is_empty() {
        outln!(out);
        outln!(out, "  ACTION ITEMS");
        let mut last = None;
        for a in &items {
            if last != Some(a.entity) {
                last = Some(a.entity);
                outln!(
                    out,
                    "  {} (owner {})",
                    catalog.get(a.entity).entity_ref(),
                    owner_name(catalog.owner_ref(a.entity))
                );
            }
            outln!(
                out,
                "    ✖ rule {} must pass by {}: {}",
                a.rule.id,
                a.due,
                a.rule.title
            );
            if let Some(m) = &a.message {
                outln!(out, "      {}", one_line(m));
            }
            if let Some(fix) = &a.rule.fix {
                outln!(out, "      fix: {}", one_line(fix));
            }
        }
    }
    out
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// One initiative as JSON; with `detail`, its owners and entities with their action items.
fn to_json(p: &Progress<'_>, catalog: &Catalog, detail: bool) -> Value {
    let i = p.initiative;
    let target = match (&p.goal, &i.target) {
        (Goal::Level(level), _) => json!({ "level": p.scorecard.level_name(*level) }),
        (_, Target::Rules(ids)) => json!({ "rules": ids }),
        (_, Target::Level(name)) => json!({ "level": name }),
    };
    let mut v = json!({
        "name": i.name,
        "title": i.title,
        "scorecard": p.scorecard.name,
        "target": target,
        "owner": i.owner.as_ref().map(|r| r.as_str()),
        "status": p.status,
        "start": i.schedule.start.to_string(),
        "deadline": i.schedule.deadline.to_string(),
        "days_left": p.days_left,
        "passing": p.passing,
        "total": p.total(),
        "percent": round(p.percent()),
        "expected_percent": round(p.expected * 100.0),
        "milestones": i.schedule.milestones.iter().map(|m| json!({"date": m.date.to_string(), "percent": m.percent})).collect::<Vec<_>>(),
    });
    if detail {
        v["owners"] = p
            .by_owner()
            .iter()
            .map(|o| {
                json!({
                    "owner": o.owner.as_ref().map(|r| r.as_str()),
                    "failing": o.failing(),
                    "passing": o.passing,
                    "total": o.total,
                })
            })
            .collect();
        let items = p.action_items();
        v["entities"] = p
            .entities
            .iter()
            .map(|e| {
                let actions: Vec<Value> = items
                    .iter()
                    .filter(|a| a.entity == e.entity)
                    .map(|a| {
                        json!({
                            "rule": a.rule.id,
                            "title": a.rule.title,
                            "due": a.due.to_string(),
                            "message": a.message,
                            "fix": a.rule.fix,
                        })
                    })
                    .collect();
                json!({
                    "ref": catalog.get(e.entity).entity_ref().as_str(),
                    "owner": e.owner.as_ref().map(|r| r.as_str()),
                    "passing": e.passing(),
                    "action_items": actions,
                })
            })
            .collect();
    }
    v
}

/// One check per entity in scope and initiative: failed (an error when the initiative is
/// delayed, else a warning) with its action items, or passed.
fn checks(progress: &[Progress<'_>], catalog: &Catalog) -> Vec<Check> {
    let mut out = Vec::new();
    for p in progress {
        let level = if p.status == Status::Delayed {
            CiLevel::Error
        } else {
            CiLevel::Warning
        };
        for e in &p.entities {
            let entity = catalog.get(e.entity);
            let base = Check {
                suite: p.initiative.name.clone(),
                subject: entity.entity_ref().to_string(),
                rule: String::new(),
                file: Some(entity.origin.path.to_string()),
                line: entity.origin.line,
                failure: None,
            };
            if e.passing() {
                out.push(Check {
                    rule: p.initiative.name.clone(),
                    ..base
                });
                continue;
            }
            for &r in &e.missing {
                let Some(rule) = p.scorecard.rules.get(r) else {
                    continue;
                };
                let mut message = format!(
                    "{}: rule {} must pass by {} ({})",
                    p.initiative.title, rule.id, p.initiative.schedule.deadline, rule.title
                );
                if let Some(fix) = &rule.fix {
                    message.push_str(&format!(". Fix: {}", one_line(fix)));
                }
                out.push(Check {
                    rule: rule.id.clone(),
                    failure: Some(Failure { level, message }),
                    ..base.clone()
                });
            }
        }
    }
    out
}

fn rule_infos(progress: &[Progress<'_>]) -> Vec<RuleInfo> {
    let mut cards: Vec<&Scorecard> = progress.iter().map(|p| p.scorecard).collect();
    cards.dedup_by_key(|c| c.name.clone());
    cards
        .iter()
        .flat_map(|c| super::score::rule_infos(c))
        .collect()
}

fn markdown(progress: &[Progress<'_>], catalog: &Catalog, detail: bool) -> String {
    let mut out = String::from("### Initiatives\n\n");
    let rows: Vec<Vec<String>> = progress
        .iter()
        .map(|p| {
            vec![
                p.initiative.title.clone(),
                p.status.as_str().to_string(),
                format!("{}/{} ({:.0}%)", p.passing, p.total(), p.percent()),
                p.initiative.schedule.deadline.to_string(),
                days_text(p.days_left),
            ]
        })
        .collect();
    out.push_str(&ci_report::md_table(
        &["Initiative", "Status", "Passing", "Deadline", "Days"],
        &rows,
    ));
    if detail {
        for p in progress {
            let rows: Vec<Vec<String>> = p
                .by_owner()
                .iter()
                .map(|o| {
                    vec![
                        owner_name(o.owner.as_ref()),
                        o.failing().to_string(),
                        format!("{}/{}", o.passing, o.total),
                    ]
                })
                .collect();
            out.push_str(&format!(
                "\n#### {} by owner\n\n",
                ci_report::md_cell(&p.initiative.title)
            ));
            out.push_str(&ci_report::md_table(
                &["Owner", "Failing", "Passing"],
                &rows,
            ));
            let items: Vec<Vec<String>> = p
                .action_items()
                .iter()
                .map(|a| {
                    vec![
                        catalog.get(a.entity).entity_ref().short(),
                        a.rule.id.clone(),
                        a.due.to_string(),
                        a.rule.fix.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            if !items.is_empty() {
                out.push_str("\n#### Action items\n\n");
                out.push_str(&ci_report::md_table(
                    &["Entity", "Rule", "Due", "Fix"],
                    &items,
                ));
            }
        }
    }
    out
}
