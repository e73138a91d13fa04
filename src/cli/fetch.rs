//! `idp-tui fetch [--source NAME]`: reads remote sources from their servers and refreshes their
//! cached copies, non-interactively (for cron on a jump host). Exit 1 when a source failed.

use super::Settings;
use crate::source::{self, LoadMode, LoadOptions, SourceSpec, SourceState};
use color_eyre::eyre::bail;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

/// Arguments of `fetch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this source (by its name in the config file); repeatable.
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Print one JSON object per source.
    #[arg(long)]
    pub json: bool,
    /// Replace a source's cached copy even when the server returned no entities (by default
    /// an empty answer keeps the old copy and fails).
    #[arg(long)]
    pub accept_empty: bool,
}

/// One source in `fetch --json`: what was fetched from where, and how it went.
#[derive(serde::Serialize)]
struct FetchedSource<'a> {
    name: &'a str,
    url: String,
    ok: bool,
    entities: usize,
    seconds: f64,
    cache: Option<String>,
    error: Option<&'a str>,
}

/// Runs `fetch`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    if settings.offline {
        bail!("`fetch` reads from the network; drop --offline");
    }
    for wanted in &args.sources {
        if !settings.sources.iter().any(|s| s.name() == wanted) {
            let names: Vec<&str> = settings.sources.iter().map(SourceSpec::name).collect();
            bail!(
                "no source named `{wanted}`; the sources are: {}",
                names.join(", ")
            );
        }
    }
    let remote: Vec<SourceSpec> = settings
        .sources
        .iter()
        .filter(|s| s.is_remote())
        .filter(|s| args.sources.is_empty() || args.sources.iter().any(|n| n == s.name()))
        .cloned()
        .collect();
    if remote.is_empty() {
        eprintln!("idp-tui: no remote source to fetch (only local files are configured)");
        return Ok(ExitCode::SUCCESS);
    }
    let cache_dir = crate::config::cache_dir();
    let options = LoadOptions {
        mode: LoadMode::Refresh,
        offline: false,
        cache_dir: Some(cache_dir.clone()),
    };
    let mut failed = false;
    let mut outcomes = Vec::new();
    // One at a time, so each time measured is that server's.
    for spec in &remote {
        let started = Instant::now();
        let started_at = SystemTime::now();
        let loaded = source::load_blocking_with(std::slice::from_ref(spec), &options);
        let seconds = started.elapsed().as_secs_f64();
        let mut status = loaded.sources[0].clone();
        let mut ok = status.state == SourceState::Ready;
        let mut cache = None;
        if let (SourceSpec::Backstage(b), true) = (spec, ok) {
            let (path, key) = (
                source::cache::path_for(&cache_dir, &b.name, &b.shown_url()),
                b.shown_url(),
            );
            if let Some(error) =
                check_written(&path, &key, started_at, &loaded.catalog, args.accept_empty)
            {
                ok = false;
                status.error = Some(error);
            } else {
                cache = Some(path.display().to_string());
            }
        }
        failed |= !ok;
        outcomes.push((status, spec.location(), seconds, cache, ok));
    }
    if args.json {
        let json: Vec<FetchedSource> = outcomes
            .iter()
            .map(|(s, url, seconds, cache, ok)| FetchedSource {
                name: &s.name,
                url: url.clone(),
                ok: *ok,
                entities: s.entities,
                seconds: (seconds * 1000.0).round() / 1000.0,
                cache: cache.clone(),
                error: s.error.as_deref(),
            })
            .collect();
        super::print_json(&json)?;
    } else {
        for (s, _, seconds, cache, ok) in &outcomes {
            if *ok {
                println!(
                    "{}: {} entities in {seconds:.1} s, cached in {}",
                    s.name,
                    s.entities,
                    cache.as_deref().unwrap_or("-")
                );
            } else {
                println!(
                    "{}: failed: {}; the cached copy was kept",
                    s.name,
                    s.error.as_deref().unwrap_or("unknown error")
                );
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks that a fetch really left a new cache: the data loaded is worth nothing to cron if it
/// was never kept (a full disk). Returns why not. An empty answer kept the old copy (see
/// [`crate::source::save`]); with `accept_empty` it replaces it here.
fn check_written(
    path: &std::path::Path,
    key: &str,
    started: SystemTime,
    catalog: &crate::catalog::Catalog,
    accept_empty: bool,
) -> Option<String> {
    let shown = path.display().to_string();
    let warning = catalog
        .problems()
        .find(|p| p.origin.as_ref().is_some_and(|o| *o.path == *shown))
        .map(|p| p.message.clone());
    if accept_empty
        && warning
            .as_deref()
            .is_some_and(|w| w.contains(source::save::EMPTY_HINT))
    {
        let none: [&crate::catalog::Entity; 0] = [];
        return source::cache::write(path, key, &none, &[], source::cache::Encoding::MessagePack)
            .err()
            .map(|e| e.to_string());
    }
    // The header's time has whole seconds.
    let since = started
        .checked_sub(Duration::from_secs(1))
        .unwrap_or(started);
    match source::cache::saved_at(path, key) {
        Ok(Some(saved)) if saved >= since && warning.is_none() => None,
        _ => Some(warning.unwrap_or_else(|| format!("{shown}: the cache was not written"))),
    }
}
