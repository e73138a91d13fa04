//! `idp-tui validate [PATH]...`: every problem as `path:line: severity: message`; exit 1 on
//! any error. What a team runs in CI over its catalog files.

use super::Settings;
use crate::catalog::Severity;
use crate::source::{self, SourceSpec};
use std::process::ExitCode;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or directories to check (default: the configured catalog).
    pub paths: Vec<String>,
    /// Print problems as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// List the rejected entities (not in the catalog because of an error), each with its
    /// errors, instead of every problem; with `--json`, as `[{"ref", "problems"}]`.
    #[arg(long)]
    pub rejected: bool,
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
    let loaded = source::load_blocking_with(&sources, &settings.load_options());
    super::report_sources(&loaded.sources);
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
    if args.json {
        super::print_json(&problems)?;
    } else {
        for p in &problems {
            println!("{p}");
        }
        eprintln!(
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
            println!("{reference}: rejected");
            for p in problems {
                println!("  {p}");
            }
        }
        eprintln!("{} entities, {} rejected", catalog.len(), rejected.len());
    }
    Ok(if rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
