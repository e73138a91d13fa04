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
    super::report_sources(&sources, &loaded);
    let catalog = loaded.catalog;
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
            say!("{p}");
        }
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
