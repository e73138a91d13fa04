//! `idp-tui validate [PATH]...`: every problem as `path:line: severity: message`; exit 1 on
//! any error. What a team runs in CI over its catalog files.

use super::ci_report::{self, Check, Failure, Format, Level, RuleInfo};
use super::output::{emit, emit_json};
use super::Settings;
use crate::catalog::{Catalog, Problem, Severity};
use crate::source::SourceSpec;
use std::process::ExitCode;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories to check (default: the configured catalog).
    pub paths: Vec<String>,
    /// Print problems as a JSON array (same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// List the rejected entities (not in the catalog because of an error), each with its
    /// errors, instead of every problem; with `--json`, as `[{"ref", "problems"}]`.
    #[arg(long)]
    pub rejected: bool,
    /// Output format: text, json, github, junit, sarif or markdown.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `validate`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let sources = if args.paths.is_empty() {
        settings.sources.clone()
    } else {
        vec![SourceSpec::Files {
            name: "validate".into(),
            paths: args.paths.clone(),
        }]
    };
    let loaded = super::load_sources(&sources, settings);
    super::report_sources(&sources, &loaded);
    let catalog = loaded.catalog;
    if args.rejected {
        return print_rejected(&catalog, args.json);
    }
    let mut problems: Vec<_> = catalog.problems().collect();
    problems.sort_by(|a, b| {
        let key = |p: &crate::catalog::Problem| {
            p.origin
                .as_ref()
                .map(|o| (o.path.to_string(), o.line.unwrap_or(0)))
        };
        key(a).cmp(&key(b))
    });
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let tool = "idp-tui validate";
    let format = Format::pick(args.format, args.json);
    match format {
        Format::Json => super::print_json(&problems)?,
        Format::Text => {
            for p in &problems {
                say!("{p}");
            }
        }
        Format::Github => emit(&ci_report::github(tool, &checks(&catalog, &problems)))?,
        Format::Junit => emit(&ci_report::junit(tool, &checks(&catalog, &problems)))?,
        Format::Sarif => emit_json(&ci_report::sarif(
            "idp-tui",
            &checks(&catalog, &problems),
            &[RuleInfo {
                id: "catalog".into(),
                title: "Catalog files are valid Backstage entities".into(),
                help: None,
            }],
        ))?,
        Format::Markdown => emit(&ci_report::markdown(
            "Catalog validation",
            &checks(&catalog, &problems),
        ))?,
    }
    if format != Format::Json {
        tell!(
            "{} entities, {errors} error(s), {} warning(s)",
            catalog.len(),
            problems.len() - errors
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the rejected entities with their errors; exit 1 when there is one.
fn print_rejected(catalog: &crate::catalog::Catalog, json: bool) -> color_eyre::Result<ExitCode> {
    let rejected = catalog.rejected();
    if json {
        let list: Vec<serde_json::Value> = rejected
            .iter()
            .map(|(reference, problems)| {
                serde_json::json!({ "ref": reference.as_str(), "problems": problems })
            })
            .collect();
        super::print_json(&list)?;
    } else {
        for (reference, problems) in &rejected {
            say!("{reference}: rejected");
            for p in problems {
                say!("  {p}");
            }
        }
        tell!("{} entities, {} rejected", catalog.len(), rejected.len());
    }
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One check per entity (passed when no problem names it) and one failed check per problem,
/// grouped by file: what the CI formats print.
pub(crate) fn checks(catalog: &Catalog, problems: &[&Problem]) -> Vec<Check> {
    let mut out: Vec<Check> = problems
        .iter()
        .map(|p| Check {
            suite: p
                .origin
                .as_ref()
                .map_or_else(|| "catalog".to_string(), |o| o.path.to_string()),
            subject: p
                .entity
                .as_ref()
                .map_or_else(|| "file".to_string(), |e| e.to_string()),
            rule: "catalog".into(),
            file: p.origin.as_ref().map(|o| o.path.to_string()),
            line: p.origin.as_ref().and_then(|o| o.line),
            failure: Some(Failure {
                level: match p.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                },
                message: crate::text::one_line(&p.message),
            }),
        })
        .collect();
    let named: std::collections::HashSet<&crate::catalog::EntityRef> =
        problems.iter().filter_map(|p| p.entity.as_ref()).collect();
    let mut clean: Vec<Check> = catalog
        .entities()
        .iter()
        .filter(|e| !named.contains(e.entity_ref()))
        .map(|e| Check {
            suite: e.origin.path.to_string(),
            subject: e.entity_ref().to_string(),
            rule: "catalog".into(),
            file: Some(e.origin.path.to_string()),
            line: e.origin.line,
            failure: None,
        })
        .collect();
    clean.sort_by(|a, b| (&a.suite, a.line, &a.subject).cmp(&(&b.suite, b.line, &b.subject)));
    out.extend(clean);
    out
}
