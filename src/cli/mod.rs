//! The command line: arguments, and the non-interactive commands that mirror the panes
//! (`search`, `show`, `validate`, …). Each command prints text, or JSON with `--json`.

#[macro_use]
mod output;
mod action;
mod api;
mod ci_report;
mod convert;
mod deps;
mod diff;
mod docs;
mod docs_remote;
mod fetch;
mod history;
mod initiatives;
pub mod live;
mod owner;
mod request;
mod scaffold;
mod scaffold_remote;
mod score;
mod search;
mod shell;
mod show;
mod stats;
mod validate;

use crate::catalog::{Catalog, Severity};
use crate::config::Config;
use crate::source::{self, BackstageSource, LoadMode, LoadOptions, SourceSpec, SourceState};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

pub use output::{report, EXIT_USER_ERROR};

/// idp-tui: a terminal developer portal for Backstage catalogs.
#[derive(Debug, Parser)]
#[command(name = "idp-tui", version, about, long_about = None)]
pub struct Cli {
    /// A catalog file or directory, or a Backstage backend's URL (http:// or https://, token
    /// from BACKSTAGE_TOKEN); repeatable. Without one, the config file's sources are used, and
    /// without a config file the embedded demo catalog.
    #[arg(long = "catalog", value_name = "PATH|URL", global = true)]
    pub catalogs: Vec<String>,

    /// Use the cached copy of remote sources only; never touch the network.
    #[arg(long, global = true)]
    pub offline: bool,

    /// A scorecard file or directory (repeatable). Without one, the config file's `scorecards`
    /// are used, and without those the built-in production-readiness scorecard.
    /// (`score` also takes it after the command name; both lists are used.)
    #[arg(long = "scorecard", value_name = "PATH")]
    pub scorecards: Vec<String>,

    /// The colour theme: dark, light or mono.
    #[arg(long, value_name = "NAME", global = true)]
    pub theme: Option<String>,

    /// Draw URLs and emails in the portal as OSC 8 hyperlinks (also `hyperlinks: true` in the
    /// config file). Off by default: terminals without OSC 8 support may show stray text.
    #[arg(long)]
    pub hyperlinks: bool,

    /// The config file (default: the platform config directory's idp-tui/config.yaml).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Also say on stderr how many warnings the catalog has (errors are always said).
    #[arg(short, long, global = true)]
    pub verbose: bool,

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
    /// Convert Cortex, OpsLevel, Compass and Port descriptors to Backstage catalog YAML.
    Convert(convert::Args),
    /// A resource request for a Kratix Promise, its values checked against the Promise's CRD.
    Request(request::Args),
    /// Read an entity's TechDocs (or README) as text.
    Docs(docs::Args),
    /// List an API's operations (OpenAPI) or its outline (AsyncAPI, GraphQL, gRPC).
    Api(api::Args),
    /// Run a custom action or built-in link on an entity (--dry-run prints the command).
    Action(action::Args),
    /// Refresh the cached copy of remote sources (for cron on a jump host).
    Fetch(fetch::Args),
    /// Who owns an entity, its team's members, contacts and on-call; or `--gaps`.
    Owner(owner::Args),
    /// What an entity depends on, or with --reverse what depends on it (blast radius).
    Deps(deps::Args),
    /// Score entities against scorecards: levels, scores, per-owner roll-ups, CI gate.
    Score(score::Args),
    /// Scorecard initiatives: progress, status and days left; with NAME, owners and action items.
    Initiatives(initiatives::Args),
    /// What a change does to a catalog in git: entities, relations, owners, levels, problems.
    Diff(diff::Args),
    /// Platform insights: completeness per team, ownership, template adoption, problems.
    Stats(stats::Args),
    /// Export the catalog or its scores as CSV or JSON (for spreadsheets).
    Export(stats::ExportArgs),
    /// Scorecards and initiatives over time (git history, or runs recorded by `score --record`).
    History(history::Args),
    /// Run a Software Template: validate values, plan, and write the files (--dry-run: plan only).
    Scaffold(scaffold::Args),
    /// List the catalog's Software Templates.
    Templates(scaffold::ListArgs),
    /// Who is on call now for an entity, and its open incidents (from `integrations:`).
    Oncall(live::Args),
    /// How an entity looks live: CI, deployments, workloads, quality gate, plugins.
    Status(live::Args),
    /// Print the shell completion script (bash, zsh, fish or powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff): `idp-tui man > idp-tui.1`.
    Man,
}

/// The settings every command and the TUI share: config file and sources.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The config file's content (default when there is none).
    pub config: Config,
    /// The sources to load.
    pub sources: Vec<SourceSpec>,
    /// Use caches only (`--offline`).
    pub offline: bool,
    /// Say the catalog's warning count too (`-v`).
    pub verbose: bool,
    /// Scorecard files and directories: `--scorecard` paths, else the config's; empty means
    /// the built-in default.
    pub scorecards: Vec<String>,
}

impl Settings {
    /// The live service for these settings (the CLI's and the portal's): the config's
    /// `integrations:`, the Backstage sources it may go through, its cache next to the
    /// catalog cache.
    pub fn live_service(&self) -> crate::live::Live {
        let backstages = self
            .sources
            .iter()
            .filter_map(|s| match s {
                SourceSpec::Backstage(b) => Some(b.clone()),
                _ => None,
            })
            .collect();
        crate::live::Live::new(
            self.config.integrations.clone(),
            backstages,
            Some(crate::config::cache_dir()),
            self.offline,
        )
    }

    /// Load options for the command line: network first (cache when the server fails), or cache
    /// only when offline.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            mode: LoadMode::NetworkFirst,
            offline: self.offline,
            cache_dir: Some(crate::config::cache_dir()),
        }
    }
}

/// What to say when the portal is started without a terminal (`ssh host idp-tui` without
/// `-t`, or its output piped): one line, with the subcommands that work without one.
pub fn needs_a_terminal() -> String {
    use clap::CommandFactory;
    let names: Vec<String> = Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    format!(
        "the portal needs a terminal (over ssh: `ssh -t HOST idp-tui`); without one, use a subcommand: {} (see `idp-tui --help`)",
        names.join(", ")
    )
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
        for warning in &config.warnings {
            tell!("idp-tui: warning: {warning}");
        }
        let sources = if !self.catalogs.is_empty() {
            catalog_sources(&self.catalogs)
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
            offline: self.offline,
            verbose: self.verbose,
        })
    }
}

/// The sources `--catalog` names: each URL is a Backstage source, and the paths together are
/// one file source.
fn catalog_sources(catalogs: &[String]) -> Vec<SourceSpec> {
    let is_url = |c: &String| {
        let lower = c.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    };
    let paths: Vec<String> = catalogs.iter().filter(|c| !is_url(c)).cloned().collect();
    let mut sources: Vec<SourceSpec> = catalogs
        .iter()
        .filter(|c| is_url(c))
        .map(|u| SourceSpec::Backstage(BackstageSource::from_url(u)))
        .collect();
    if !paths.is_empty() {
        sources.insert(
            0,
            SourceSpec::Files {
                name: "catalog".into(),
                paths,
            },
        );
    }
    sources
}

/// The settings with a command's own `--scorecard` files added to the global ones: before and
/// after the command's name they add up (clap's global arguments would let the later ones
/// replace the earlier).
fn with_scorecards(mut settings: Settings, cli: &Cli, own: &[String]) -> Settings {
    if !own.is_empty() {
        settings.scorecards = cli.scorecards.iter().chain(own).cloned().collect();
    }
    settings
}

/// Runs a non-interactive command.
pub fn run(cli: &Cli, command: &Command) -> color_eyre::Result<ExitCode> {
    // Generated from the command line alone: no config file is read.
    match command {
        Command::Completions(args) => return shell::completions(args),
        Command::Man => return shell::man(),
        _ => {}
    }
    let settings = cli.settings()?;
    match command {
        Command::Search(args) => search::run(&settings, args),
        Command::Show(args) => show::run(&settings, args),
        Command::Validate(args) => validate::run(&settings, args),
        Command::Convert(args) => convert::run(args),
        Command::Request(args) => request::run(&settings, args),
        Command::Docs(args) => docs::run(&settings, args),
        Command::Api(args) => api::run(&settings, args),
        Command::Action(args) => action::run(&settings, args),
        Command::Fetch(args) => fetch::run(&settings, args),
        Command::Owner(args) => owner::run(&settings, args),
        Command::Deps(args) => deps::run(&settings, args),
        Command::Score(args) => score::run(&with_scorecards(settings, cli, &args.scorecards), args),
        Command::Initiatives(args) => {
            initiatives::run(&with_scorecards(settings, cli, &args.scorecards), args)
        }
        Command::Diff(args) => diff::run(&settings, &cli.catalogs, args),
        Command::Stats(args) => stats::run(&settings, args),
        Command::Export(args) => {
            stats::export(&with_scorecards(settings, cli, &args.scorecards), args)
        }
        Command::History(args) => history::run(
            &with_scorecards(settings, cli, &args.scorecards),
            &cli.catalogs,
            args,
        ),
        Command::Scaffold(args) => scaffold::run(&settings, args),
        Command::Templates(args) => scaffold::list(&settings, args),
        Command::Oncall(args) => live::oncall(&settings, args),
        Command::Status(args) => live::status(&settings, args),
        Command::Completions(_) | Command::Man => Ok(ExitCode::SUCCESS),
    }
}

/// Loads the settings' sources to the end (through [`crate::startup::load_blocking`]) and
/// summarises load problems on stderr, so a broken file never makes a query fail but is never
/// silent either. When no source gave anything (a
/// `--catalog` path that does not exist, a server out of reach with no cached copy), the
/// command fails (exit [`output::EXIT_USER_ERROR`], like every user error): an answer over
/// nothing is not an answer.
pub fn load(settings: &Settings) -> color_eyre::Result<Catalog> {
    // The portal's start-up machine and reducer: from the last load's snapshot when it still
    // matches the sources' caches (the sources confirm it), else a load; then the caches and
    // the next snapshot are written, as the portal writes them.
    let loaded = load_sources(&settings.sources, settings);
    report_sources(&settings.sources, &loaded);
    if !loaded.sources.is_empty()
        && loaded
            .sources
            .iter()
            .all(|s| s.state == SourceState::Failed && s.entities == 0)
    {
        return Err(color_eyre::eyre::eyre!("no source could be loaded"));
    }
    let catalog = loaded.catalog;
    let errors = catalog
        .problems()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = catalog.problem_count() - errors;
    // Warnings alone are counted only when asked (`-v`): a script's stderr stays quiet.
    if errors > 0 || (settings.verbose && warnings > 0) {
        tell!(
            "idp-tui: the catalog has {errors} error(s) and {warnings} warning(s); run `idp-tui validate` to list them"
        );
    }
    Ok(catalog)
}

/// Loads `sources` to the end through the start-up machine ([`crate::startup::load_blocking`]:
/// from the snapshot when it matches, the caches and the next snapshot written after), saying
/// on stderr what the machine says the user should know (a damaged snapshot).
fn load_sources(sources: &[SourceSpec], settings: &Settings) -> source::Loaded {
    let finished = crate::startup::load_blocking(sources, &settings.load_options());
    for warning in &finished.warnings {
        tell!("idp-tui: {warning}");
    }
    finished.loaded
}

/// Says on stderr which sources failed, and whether cached data stands in for them (or why
/// the cached copy could not: a damaged cache is not "no cached copy").
fn report_sources(specs: &[SourceSpec], loaded: &source::Loaded) {
    let now = std::time::SystemTime::now();
    for (i, s) in loaded.sources.iter().enumerate() {
        if s.state == SourceState::Failed {
            let unusable = match specs.get(i) {
                Some(SourceSpec::Backstage(b)) => {
                    let path = source::cache::path_for(
                        &crate::config::cache_dir(),
                        &b.name,
                        &b.shown_url(),
                    )
                    .display()
                    .to_string();
                    loaded
                        .catalog
                        .problems()
                        .find(|p| p.origin.as_ref().is_some_and(|o| *o.path == *path))
                        .map(|p| p.message.clone())
                }
                _ => None,
            };
            let fallback = match (s.cached_at, unusable) {
                (Some(t), _) => format!(
                    "; using the cached copy from {} ago",
                    source::cache::human_age(now.duration_since(t).unwrap_or_default())
                ),
                (None, Some(why)) => format!("; the cached copy cannot be used: {why}"),
                (None, None) => "; no cached copy to fall back on".into(),
            };
            tell!(
                "idp-tui: {}: {}{fallback}",
                s.name,
                s.error.as_deref().unwrap_or("failed")
            );
        } else if let Some(t) = s.cached_at {
            tell!(
                "idp-tui: {}: offline, using the cached copy from {} ago",
                s.name,
                source::cache::human_age(now.duration_since(t).unwrap_or_default())
            );
        }
    }
}

/// Loads the catalog and finds the entity a person named; when there is none (or several),
/// the reason is on stderr and the exit code is the error.
fn load_entity(
    settings: &Settings,
    reference: &str,
) -> Result<(Catalog, crate::catalog::EntityId), ExitCode> {
    let catalog = load(settings).map_err(|e| output::report(&e))?;
    let id = show::resolve(&catalog, reference)?;
    Ok((catalog, id))
}

/// Prints JSON to stdout, exactly.
fn print_json(value: &impl serde::Serialize) -> color_eyre::Result<()> {
    output::emit_json(value)
}
