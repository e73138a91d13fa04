//! The command line: arguments, and the non-interactive commands that mirror the panes
//! (`search`, `show`, `validate`, …). Each command prints text, or JSON with `--json`.

mod deps;
mod output;
mod owner;
mod score;
mod search;
mod show;
mod validate;

use crate::catalog::{Catalog, Severity};
use crate::config::Config;
use crate::source::{self, SourceSpec};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// idp-tui: a terminal developer portal for Backstage catalogs.
#[derive(Debug, Parser)]
#[command(name = "idp-tui", version, about, long_about = None)]
pub struct Cli {
    /// A catalog file or directory (repeatable). Without one, the config file's sources are
    /// used, and without a config file the embedded demo catalog.
    #[arg(long = "catalog", value_name = "PATH", global = true)]
    pub catalogs: Vec<String>,

    /// A scorecard file or directory (repeatable). Without one, the config file's `scorecards`
    /// are used, and without those the built-in production-readiness scorecard.
    /// (`score` also takes it after the command name; both lists are used.)
    #[arg(long = "scorecard", value_name = "PATH")]
    pub scorecards: Vec<String>,

    /// The colour theme: dark, light or mono.
    #[arg(long, value_name = "NAME", global = true)]
    pub theme: Option<String>,

    /// The config file (default: the platform config directory's idp-tui/config.yaml).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// What to do; without a command the portal opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The non-interactive commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search the catalog (fuzzy, with filters such as kind:component owner:team-a).
    Search(search::Args),
    /// Show one entity and its relations.
    Show(show::Args),
    /// Check catalog files and list every problem as path:line: severity: message.
    Validate(validate::Args),
    /// Who owns an entity, its team's members, contacts and on-call; or `--gaps`.
    Owner(owner::Args),
    /// What an entity depends on, or with --reverse what depends on it (blast radius).
    Deps(deps::Args),
    /// Score entities against scorecards: levels, scores, per-owner roll-ups, CI gate.
    Score(score::Args),
}

/// The settings every command and the TUI share: config file and sources.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The config file's content (default when there is none).
    pub config: Config,
    /// The sources to load.
    pub sources: Vec<SourceSpec>,
    /// Scorecard files and directories: `--scorecard` paths, else the config's; empty means
    /// the built-in default.
    pub scorecards: Vec<String>,
}

impl Cli {
    /// Reads the config file and works out which sources to load: `--catalog` paths, else the
    /// config's sources, else the embedded demo.
    pub fn settings(&self) -> color_eyre::Result<Settings> {
        use color_eyre::eyre::WrapErr;
        let config = match &self.config {
            Some(path) => Config::load(path).wrap_err("reading the --config file")?,
            None => match Config::default_path().filter(|p| p.exists()) {
                Some(path) => Config::load(&path).wrap_err("reading the config file")?,
                None => Config::default(),
            },
        };
        let sources = if !self.catalogs.is_empty() {
            vec![SourceSpec::Files {
                name: "catalog".into(),
                paths: self.catalogs.clone(),
            }]
        } else if !config.sources.is_empty() {
            config.source_specs()
        } else {
            vec![SourceSpec::demo()]
        };
        let scorecards = if !self.scorecards.is_empty() {
            self.scorecards.clone()
        } else {
            config
                .scorecards
                .iter()
                .map(|p| crate::config::expand_home(p))
                .collect()
        };
        Ok(Settings {
            config,
            sources,
            scorecards,
        })
    }
}

/// Runs a non-interactive command.
pub fn run(cli: &Cli, command: &Command) -> color_eyre::Result<ExitCode> {
    let settings = cli.settings()?;
    match command {
        Command::Search(args) => search::run(&settings, args),
        Command::Show(args) => show::run(&settings, args),
        Command::Validate(args) => validate::run(&settings, args),
        Command::Owner(args) => owner::run(&settings, args),
        Command::Deps(args) => deps::run(&settings, args),
        Command::Score(args) => {
            let mut settings = settings;
            if !args.scorecards.is_empty() {
                // `--scorecard` before and after `score` add up (clap's global arguments would
                // let the later ones replace the earlier).
                settings.scorecards = cli
                    .scorecards
                    .iter()
                    .chain(&args.scorecards)
                    .cloned()
                    .collect();
            }
            score::run(&settings, args)
        }
    }
}

/// Loads the settings' sources to the end and summarises load problems on stderr, so a broken
/// file never makes a query fail but is never silent either.
pub fn load(settings: &Settings) -> Catalog {
    let catalog = source::load_blocking(&settings.sources);
    let errors = catalog
        .problems()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = catalog.problem_count() - errors;
    if errors + warnings > 0 {
        eprintln!(
            "idp-tui: the catalog has {errors} error(s) and {warnings} warning(s); run `idp-tui validate` to list them"
        );
    }
    catalog
}

/// Prints JSON to stdout.
fn print_json(value: &impl serde::Serialize) -> color_eyre::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
