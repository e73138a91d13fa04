//! `idp-tui stats`: platform insights (completeness per team, ownership coverage, template
//! adoption, problems by class); and `idp-tui export`: the catalog or its scores as CSV or
//! JSON for spreadsheets.

use super::output::{emit, emit_json};
use super::Settings;
use crate::catalog::Catalog;
use crate::governance::stats::{Completeness, Stats, FACTS, SOURCE_TEMPLATE};
use crate::scorecard::{self, Date, Report};
use serde_json::{json, Value};
use std::process::ExitCode;

/// Arguments of `stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    /// One row per entity: reference, kind, type, lifecycle, owner, system, …
    Catalog,
    /// One row per entity and scorecard: level, score, failing rules.
    Scores,
}

/// The file format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
    /// A JSON array of objects.
    Json,
}

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to export.
    #[arg(value_enum, default_value = "catalog")]
    pub what: What,
    /// The format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// A scorecard file or directory for `export scores` (repeatable).
    #[arg(long = "scorecard", value_name = "PATH")]
    pub scorecards: Vec<String>,
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        100.0
    } else {
        (n as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

fn completeness_json(c: &Completeness) -> Value {
    let mut facts = serde_json::Map::new();
    for f in FACTS {
        let n = c.have.get(f).copied().unwrap_or(0);
        facts.insert(
            f.into(),
            json!({"count": n, "percent": percent(n, c.components)}),
        );
    }
    json!({
        "components": c.components,
        "percent": (c.percent() * 10.0).round() / 10.0,
        "facts": facts,
    })
}

/// Runs `stats`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let catalog = super::load(settings)?;
    let s = Stats::build(&catalog);
    if args.json {
        let teams: serde_json::Map<String, Value> = s
            .completeness_by_team
            .iter()
            .map(|(t, c)| (t.clone(), completeness_json(c)))
            .collect();
        emit_json(&json!({
            "entities": s.entities,
            "completeness": completeness_json(&s.completeness),
            "completeness_by_team": teams,
            "ownership": {"ownable": s.ownable, "owned": s.owned, "percent": percent(s.owned, s.ownable)},
            "templates": {"by_template": s.templates, "without": s.without_template},
            "problems": s.problems,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let total: usize = s.entities.values().sum();
    outln!(
        out,
        "{total} entities: {}",
        s.entities
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    );
    outln!(
        out,
        "ownership: {}/{} ownable entities have an owner that resolves ({:.1}%)",
        s.owned,
        s.ownable,
        s.ownership_percent()
    );
    outln!(out);
    outln!(out, "completeness of components (share with each fact):");
    let width = s
        .completeness_by_team
        .keys()
        .map(|t| crate::text::width(t))
        .max()
        .unwrap_or(4)
        .max(9);
    let mut header = format!("  {:<width$}  {:>5}  {:>6}", "TEAM", "COMPS", "TOTAL");
    for f in FACTS {
        header.push_str(&format!("  {f:>11}"));
    }
    outln!(out, "{header}");
    let row = |name: &str, c: &Completeness| {
        let mut line = format!(
            "  {name:<width$}  {:>5}  {:>5.0}%",
            c.components,
            c.percent()
        );
        for f in FACTS {
            let n = c.have.get(f).copied().unwrap_or(0);
            line.push_str(&format!("  {:>11}", format!("{n}/{}", c.components)));
        }
        line
    };
    outln!(out, "{}", row("(all)", &s.completeness));
    let mut teams: Vec<(&String, &Completeness)> = s.completeness_by_team.iter().collect();
    teams.sort_by(|a, b| a.1.percent().total_cmp(&b.1.percent()).then(a.0.cmp(b.0)));
    for (t, c) in teams {
        outln!(out, "{}", row(t, c));
    }
    outln!(out);
    outln!(out, "template adoption ({SOURCE_TEMPLATE}):");
    for (t, n) in &s.templates {
        outln!(out, "  {t}: {n}");
    }
    outln!(out, "  (none): {}", s.without_template);
    outln!(out);
    outln!(out, "problems by class:");
    if s.problems.is_empty() {
        outln!(out, "  none");
    }
    for (class, c) in &s.problems {
        outln!(
            out,
            "  {class}: {} error(s), {} warning(s)",
            c.errors,
            c.warnings
        );
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// A CSV field: quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-` or
/// `@` is prefixed with `'` so a spreadsheet never runs catalog text as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(rows: &[Value]) -> String {
    let Some(Value::Object(first)) = rows.first() else {
        return String::new();
    };
    let headers: Vec<&String> = first.keys().collect();
    let mut out = headers
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = headers
            .iter()
            .map(|h| match &row[h.as_str()] {
                Value::Null => String::new(),
                Value::String(s) => csv_field(s),
                Value::Array(items) => csv_field(
                    &items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                other => csv_field(&other.to_string()),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn catalog_rows(catalog: &Catalog) -> Vec<Value> {
    let mut ids: Vec<_> = catalog.ids().collect();
    ids.sort_by_key(|&id| catalog.ref_order()[id.index()]);
    ids.into_iter()
        .map(|id| {
            let e = catalog.get(id);
            json!({
                "ref": e.entity_ref().as_str(),
                "kind": e.kind,
                "namespace": e.metadata.namespace,
                "name": e.metadata.name,
                "title": e.metadata.title,
                "type": e.spec_str("type"),
                "lifecycle": e.spec_str("lifecycle"),
                "owner": catalog.owner_ref(id).map(|r| r.as_str()),
                "system": e.spec_str("system"),
                "tags": e.metadata.tags,
                "source_template": e.metadata.annotations.get(SOURCE_TEMPLATE),
                "description": e.metadata.description.as_deref().map(crate::text::one_line),
                "file": e.origin.to_string(),
            })
        })
        .collect()
}

fn score_rows(catalog: &Catalog, cards: &[scorecard::Scorecard]) -> Vec<Value> {
    let today = Date::today();
    let mut out = Vec::new();
    for card in cards {
        for s in Report::build(card, catalog, today).scores {
            let failing: Vec<&str> = card
                .rules
                .iter()
                .zip(&s.outcomes)
                .filter(|(_, o)| !o.counts_as_passed())
                .map(|(r, _)| r.id.as_str())
                .collect();
            out.push(json!({
                "ref": catalog.get(s.entity).entity_ref().as_str(),
                "owner": catalog.owner_ref(s.entity).map(|r| r.as_str()),
                "scorecard": card.name,
                "level": s.level.map(|l| card.level_name(l)),
                "score": (s.score * 10.0).round() / 10.0,
                "failing": failing,
            }));
        }
    }
    out
}

/// Runs `export`.
pub fn export(settings: &Settings, args: &ExportArgs) -> color_eyre::Result<ExitCode> {
    let mut failed = false;
    let cards = if args.what == What::Scores {
        let loaded = scorecard::load_paths(&settings.scorecards);
        for e in &loaded.errors {
            tell!("idp-tui: scorecard not loaded: {e}");
        }
        failed = !loaded.errors.is_empty();
        loaded.scorecards
    } else {
        Vec::new()
    };
    let catalog = super::load(settings)?;
    let rows = match args.what {
        What::Catalog => catalog_rows(&catalog),
        What::Scores => score_rows(&catalog, &cards),
    };
    match args.format {
        ExportFormat::Json => emit_json(&rows)?,
        ExportFormat::Csv => emit(&csv(&rows))?,
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_object() {
        let rows = vec![
            json!({"ref": "component:default/a", "tags": ["go", "grpc"], "title": null}),
            json!({"ref": "component:default/b", "tags": [], "title": "B, the second"}),
        ];
        assert_eq!(
            csv(&rows),
            "ref,tags,title\r\ncomponent:default/a,go grpc,\r\ncomponent:default/b,,\"B, the second\"\r\n"
        );
    }
}
