//! `idp-tui score [REF]`: scorecard results per entity, per owner, and a CI gate
//! (`--min-level`).
//!
//! Exit codes: 0 when all is well, 2 when `--min-level` finds an entity below it (or REF names
//! nothing), 1 when a scorecard failed to load — a gate must not pass because its rules did not
//! load, so that wins over everything else.

use super::ci_report::{self, Check, Failure, Format, Level as CiLevel, RuleInfo};
use super::output::{emit, emit_json};
use super::{load, print_json, show::resolve, Settings};
use crate::catalog::Catalog;
use crate::scorecard::{self, Date, EntityScore, Level, Report, Scorecard, Verdict};
use crate::text::one_line;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Score only this entity (`kind:namespace/name`, or a unique name), rule by rule.
    pub reference: Option<String>,
    /// A scorecard file or directory (repeatable; adds to any given before `score`).
    #[arg(long = "scorecard", value_name = "PATH")]
    pub scorecards: Vec<String>,
    /// Print JSON: per entity and scorecard `{ref, scorecard, level, score, rules}`.
    #[arg(long)]
    pub json: bool,
    /// Roll results up per owner: entities, average score, entities per level.
    #[arg(long)]
    pub by_owner: bool,
    /// Append one line per scorecard and initiative to the history file in the state
    /// directory (what `idp-tui history` reads when the catalog is not in git).
    #[arg(long)]
    pub record: bool,
    /// Output format: text, json, github, junit, sarif or markdown.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Exit 2 and list the entities below this level (the CI gate), e.g. `--min-level Silver`.
    #[arg(long, value_name = "LEVEL")]
    pub min_level: Option<String>,
}

/// One scorecard with its results.
struct Scored<'a> {
    card: &'a Scorecard,
    report: Report,
}

/// Runs `score`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let loaded = scorecard::load_paths(&settings.scorecards);
    for e in &loaded.errors {
        tell!("idp-tui: scorecard not loaded: {e}");
    }
    let load_failed = !loaded.errors.is_empty();
    if load_failed {
        tell!(
            "idp-tui: {} scorecard error(s); `score` exits 1 so a gate never passes on rules that did not load",
            loaded.errors.len()
        );
    }
    let catalog = load(settings)?;
    let today = Date::today();
    let only = match &args.reference {
        Some(r) => match resolve(&catalog, r) {
            Ok(id) => Some(id),
            Err(code) => return Ok(if load_failed { ExitCode::FAILURE } else { code }),
        },
        None => None,
    };
    // Live rules read the live cache; `score REF` asks the providers for that one entity.
    let uses_live = loaded
        .scorecards
        .iter()
        .any(|c| c.rules.iter().any(|r| r.check.uses_live()));
    let live = if uses_live {
        Some(settings.live_service())
    } else {
        None
    };
    let subject = |id| crate::live::Subject::of(&catalog, id);
    let one_live = match (only, &live) {
        (Some(id), Some(live)) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            Some(runtime.block_on(live.fetch(&subject(id), false)))
        }
        _ => None,
    };
    let scored: Vec<Scored<'_>> = loaded
        .scorecards
        .iter()
        .map(|card| Scored {
            card,
            report: match only {
                Some(id) => Report {
                    scores: if card.applies_to(catalog.get(id)) {
                        vec![scorecard::evaluate_live(
                            card,
                            &catalog,
                            id,
                            today,
                            one_live.as_ref(),
                        )]
                    } else {
                        Vec::new()
                    },
                },
                None => Report::build_live(card, &catalog, today, |id| {
                    live.as_ref().map(|l| l.cached(&subject(id)))
                }),
            },
        })
        .collect();

    if args.record {
        super::history::record(settings, &catalog, &loaded.scorecards)?;
    }
    let gate = match &args.min_level {
        Some(name) => match gate_levels(&scored, name) {
            Some(levels) => Some(levels),
            None => {
                tell!("idp-tui: no scorecard has a level named {name:?}");
                return Ok(ExitCode::FAILURE);
            }
        },
        None => None,
    };

    let format = Format::pick(args.format, args.json);
    let tool = "idp-tui score";
    if !matches!(format, Format::Text | Format::Json) {
        let checks = checks(&scored, &catalog, gate.as_deref());
        match format {
            Format::Github => emit(&ci_report::github(tool, &checks))?,
            Format::Junit => emit(&ci_report::junit(tool, &checks))?,
            Format::Sarif => {
                let rules: Vec<RuleInfo> = scored.iter().flat_map(|s| rule_infos(s.card)).collect();
                emit_json(&ci_report::sarif("idp-tui", &checks, &rules))?;
            }
            _ => emit(&markdown(&scored, &catalog))?,
        }
    } else if format == Format::Json && args.by_owner {
        print_json(&owners_json(&scored, &catalog))?;
    } else if format == Format::Json {
        print_json(&entities_json(&scored, &catalog))?;
    } else if args.by_owner {
        print_owners(&scored, &catalog);
    } else if let Some(id) = only {
        print_entity(&scored, &catalog, id);
    } else {
        print_overview(&scored, &catalog);
    }

    let mut below = Vec::new();
    if let Some(levels) = &gate {
        for (s, level) in scored.iter().zip(levels) {
            let Some(level) = level else { continue };
            for e in s.report.scores.iter().filter(|e| !e.reaches(*level)) {
                below.push((s.card, e, *level));
            }
        }
        if !below.is_empty() {
            tell!(
                "idp-tui: {} entity result(s) below the minimum level:",
                below.len()
            );
            for (card, e, level) in &below {
                tell!(
                    "  {}  {}: {} (needs {})",
                    catalog.get(e.entity).entity_ref(),
                    card.name,
                    level_name(card, e.level),
                    card.level_name(*level)
                );
            }
        }
    }
    Ok(if load_failed {
        ExitCode::FAILURE
    } else if !below.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The `--min-level` per scorecard (`None` for scorecards without that level); `None` overall
/// when no scorecard has it.
fn gate_levels(scored: &[Scored<'_>], name: &str) -> Option<Vec<Option<Level>>> {
    let levels: Vec<Option<Level>> = scored.iter().map(|s| s.card.level_by_name(name)).collect();
    levels.iter().any(Option::is_some).then_some(levels)
}

fn level_name(card: &Scorecard, level: Option<Level>) -> String {
    level.map_or_else(|| "-".to_string(), |l| card.level_name(l).to_string())
}

fn round(score: f64) -> f64 {
    (score * 10.0).round() / 10.0
}

fn entities_json(scored: &[Scored<'_>], catalog: &Catalog) -> Value {
    let mut out = Vec::new();
    for s in scored {
        for e in &s.report.scores {
            out.push(entity_json(s.card, e, catalog));
        }
    }
    Value::Array(out)
}

fn entity_json(card: &Scorecard, e: &EntityScore, catalog: &Catalog) -> Value {
    let rules: Vec<Value> = card
        .rules
        .iter()
        .zip(&e.outcomes)
        .map(|(rule, o)| {
            let mut v = json!({
                "id": rule.id,
                "title": rule.title,
                "level": card.level_name(rule.level),
                "passed": o.counts_as_passed(),
                "message": o.message(),
            });
            if let Verdict::Unknown(_) = o {
                v["unknown"] = true.into();
            }
            if let Verdict::Waived { reason, until } = o {
                v["waived"] = json!({"reason": reason, "until": until.to_string()});
            }
            if let (Verdict::Failed(_), Some(fix)) = (o, &rule.fix) {
                v["fix"] = fix.as_str().into();
            }
            v
        })
        .collect();
    let next = e.next_level(card).map(|(level, rules)| {
        json!({"level": card.level_name(level), "failing": rules.iter().map(|r| &r.id).collect::<Vec<_>>()})
    });
    json!({
        "ref": catalog.get(e.entity).entity_ref().as_str(),
        "scorecard": card.name,
        "level": e.level.map(|l| card.level_name(l)),
        "score": round(e.score),
        "next": next,
        "rules": rules,
    })
}

fn owners_json(scored: &[Scored<'_>], catalog: &Catalog) -> Value {
    let mut out = Vec::new();
    for s in scored {
        for o in s.report.by_owner(s.card, catalog) {
            let mut levels = serde_json::Map::new();
            levels.insert("none".into(), o.levels[0].into());
            for (i, name) in s.card.levels.iter().enumerate() {
                levels.insert(name.clone(), o.levels[i + 1].into());
            }
            out.push(json!({
                "scorecard": s.card.name,
                "owner": o.owner.as_ref().map(|r| r.as_str()),
                "entities": o.entities,
                "average": round(o.average),
                "levels": levels,
            }));
        }
    }
    Value::Array(out)
}

fn print_overview(scored: &[Scored<'_>], catalog: &Catalog) {
    for (n, s) in scored.iter().enumerate() {
        if n > 0 {
            say!();
        }
        let counts = s.report.distribution(s.card);
        say!(
            "{} ({}): {} entities — {}",
            s.card.title,
            s.card.name,
            s.report.scores.len(),
            s.card.distribution_text(&counts)
        );
        if s.report.scores.is_empty() {
            say!("  no entity in the catalog matches this scorecard's filter");
            continue;
        }
        let mut rows: Vec<&EntityScore> = s.report.scores.iter().collect();
        rows.sort_by(|a, b| {
            b.level
                .cmp(&a.level)
                .then(b.score.total_cmp(&a.score))
                .then_with(|| {
                    catalog
                        .get(a.entity)
                        .entity_ref()
                        .cmp(catalog.get(b.entity).entity_ref())
                })
        });
        let names: Vec<String> = rows
            .iter()
            .map(|e| catalog.get(e.entity).entity_ref().short())
            .collect();
        let width = names
            .iter()
            .map(|n| crate::text::width(n))
            .max()
            .unwrap_or(6)
            .max(6);
        let level_width = s
            .card
            .levels
            .iter()
            .map(|l| crate::text::width(l))
            .max()
            .unwrap_or(5)
            .max(5);
        say!(
            "  {:<width$}  {:<level_width$}  {:>5}  FAILING",
            "ENTITY",
            "LEVEL",
            "SCORE"
        );
        for (e, name) in rows.iter().zip(&names) {
            let failing: Vec<&str> = s
                .card
                .rules
                .iter()
                .zip(&e.outcomes)
                .filter(|(_, o)| !o.counts_as_passed())
                .map(|(r, _)| r.id.as_str())
                .collect();
            let row = format!(
                "  {name:<width$}  {:<level_width$}  {:>5.1}  {}",
                level_name(s.card, e.level),
                e.score,
                failing.join(", ")
            );
            say!("{}", row.trim_end());
        }
    }
}

fn print_entity(scored: &[Scored<'_>], catalog: &Catalog, id: crate::catalog::EntityId) {
    let mut any = false;
    for s in scored {
        let Some(e) = s.report.scores.first() else {
            continue;
        };
        if any {
            say!();
        }
        any = true;
        say!(
            "{} — {}: level {}, score {:.1}",
            catalog.get(id).entity_ref(),
            s.card.title,
            level_name(s.card, e.level),
            e.score
        );
        for (rule, o) in s.card.rules.iter().zip(&e.outcomes) {
            let mark = match o {
                Verdict::Passed => "✔",
                Verdict::Waived { .. } => "~",
                Verdict::Failed(_) => "✖",
                Verdict::Unknown(_) => "?",
            };
            say!(
                "  {mark} {:<8} {} ({})",
                s.card.level_name(rule.level),
                rule.title,
                rule.id
            );
            if let Some(m) = o.message() {
                say!("      {}", one_line(&m));
            }
            if let (Verdict::Failed(_), Some(fix)) = (o, &rule.fix) {
                say!("      fix: {}", one_line(fix));
            }
        }
        match e.next_level(s.card) {
            Some((level, rules)) => say!(
                "  to reach {}: {}",
                s.card.level_name(level),
                rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => say!("  top level reached"),
        }
    }
    if !any {
        say!(
            "no scorecard applies to {} (their filters exclude it)",
            catalog.get(id).entity_ref()
        );
    }
}

fn print_owners(scored: &[Scored<'_>], catalog: &Catalog) {
    for (n, s) in scored.iter().enumerate() {
        if n > 0 {
            say!();
        }
        say!("{} ({}): by owner", s.card.title, s.card.name);
        let owners = s.report.by_owner(s.card, catalog);
        if owners.is_empty() {
            say!("  no entity in the catalog matches this scorecard's filter");
            continue;
        }
        let names: Vec<String> = owners
            .iter()
            .map(|o| {
                o.owner
                    .as_ref()
                    .map_or_else(|| "(no owner)".to_string(), |r| r.short())
            })
            .collect();
        let width = names
            .iter()
            .map(|n| crate::text::width(n))
            .max()
            .unwrap_or(5)
            .max(5);
        say!(
            "  {:<width$}  {:>8}  {:>7}  LEVELS",
            "OWNER",
            "ENTITIES",
            "AVERAGE"
        );
        for (o, name) in owners.iter().zip(&names) {
            say!(
                "  {name:<width$}  {:>8}  {:>7.1}  {}",
                o.entities,
                o.average,
                s.card.distribution_text(&o.levels)
            );
        }
    }
}

/// A scorecard's rules, described for SARIF's rule table.
pub(crate) fn rule_infos(card: &Scorecard) -> Vec<super::ci_report::RuleInfo> {
    card.rules
        .iter()
        .map(|r| super::ci_report::RuleInfo {
            id: r.id.clone(),
            title: r.title.clone(),
            help: r.fix.clone(),
        })
        .collect()
}

/// One check per entity, scorecard and rule. A failing rule is a warning, or an error when
/// `--min-level` is given and the rule keeps the entity below it.
fn checks(scored: &[Scored<'_>], catalog: &Catalog, gate: Option<&[Option<Level>]>) -> Vec<Check> {
    let mut out = Vec::new();
    for (n, s) in scored.iter().enumerate() {
        let gate_level = gate.and_then(|g| g.get(n).copied().flatten());
        for e in &s.report.scores {
            let entity = catalog.get(e.entity);
            for (rule, o) in s.card.rules.iter().zip(&e.outcomes) {
                let failure = match o {
                    Verdict::Failed(why) => Some(Failure {
                        level: if gate_level.is_some_and(|g| rule.level <= g) {
                            CiLevel::Error
                        } else {
                            CiLevel::Warning
                        },
                        message: match &rule.fix {
                            Some(fix) => format!(
                                "{} ({}). Fix: {}",
                                rule.title,
                                one_line(why),
                                one_line(fix)
                            ),
                            None => format!("{} ({})", rule.title, one_line(why)),
                        },
                    }),
                    _ => None,
                };
                out.push(Check {
                    suite: s.card.name.clone(),
                    subject: entity.entity_ref().to_string(),
                    rule: rule.id.clone(),
                    file: Some(entity.origin.path.to_string()),
                    line: entity.origin.line,
                    failure,
                });
            }
        }
    }
    out
}

/// Per scorecard, a Markdown table of entities with their level, score and failing rules.
fn markdown(scored: &[Scored<'_>], catalog: &Catalog) -> String {
    let mut out = String::new();
    for s in scored {
        let counts = s.report.distribution(s.card);
        out.push_str(&format!(
            "### {}\n\n{} entities: {}\n\n",
            ci_report::md_cell(&s.card.title),
            s.report.scores.len(),
            s.card.distribution_text(&counts)
        ));
        let rows: Vec<Vec<String>> = s
            .report
            .scores
            .iter()
            .map(|e| {
                let failing: Vec<&str> = s
                    .card
                    .rules
                    .iter()
                    .zip(&e.outcomes)
                    .filter(|(_, o)| !o.counts_as_passed())
                    .map(|(r, _)| r.id.as_str())
                    .collect();
                vec![
                    catalog.get(e.entity).entity_ref().short(),
                    level_name(s.card, e.level),
                    format!("{:.1}", e.score),
                    failing.join(", "),
                ]
            })
            .collect();
        out.push_str(&ci_report::md_table(
            &["Entity", "Level", "Score", "Failing"],
            &rows,
        ));
        out.push('\n');
    }
    out
}
