//! `idp-tui docs REF` for an entity from a Backstage source: the TechDocs the backend
//! publishes, rendered as text; without published docs, where its source is.

use super::docs::Args;
use crate::backstage::techdocs::{self, RemoteDocsError};
use crate::catalog::Entity;
use crate::source::BackstageSource;
use std::io::IsTerminal;
use std::process::ExitCode;

/// Runs `docs` against the entity's Backstage source.
pub fn run(source: &BackstageSource, entity: &Entity, args: &Args) -> color_eyre::Result<ExitCode> {
    let reference = entity.entity_ref().clone();
    let width = args.width.unwrap_or_else(|| {
        if std::io::stdout().is_terminal() {
            crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w))
        } else {
            80
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let page_arg = args.page.clone();
    let list_only = args.list;
    let fetched = runtime.block_on(async {
        // The metadata is optional (older backends, or none built yet): the page decides.
        let site = match techdocs::metadata(source, &reference).await {
            Err(e @ RemoteDocsError::NotPublished { .. }) => return Err(e),
            other => other,
        };
        if list_only {
            return Ok((site, None));
        }
        let path = page_arg.as_deref().unwrap_or("index.html");
        let page = techdocs::page(source, &reference, path, width).await?;
        Ok((site, Some(page)))
    });
    let (site, page) = match fetched {
        Ok(found) => found,
        Err(e) => {
            tell!("idp-tui: {e}");
            if matches!(e, RemoteDocsError::NotPublished { .. }) {
                match techdocs::source_location(entity) {
                    Some(loc) => tell!("idp-tui: its source is at {loc}"),
                    None => tell!(
                        "idp-tui: it has no {} annotation to open instead",
                        techdocs::SOURCE_LOCATION
                    ),
                }
            }
            return Ok(ExitCode::from(1));
        }
    };
    let site = match site {
        Ok(site) => Some(site),
        Err(e) => {
            tell!("idp-tui: no TechDocs metadata ({e}); showing the page alone");
            None
        }
    };
    if let Some(page) = &page {
        for line in &page.lines {
            say!("{line}");
        }
    }
    if page.is_none() || args.page.is_none() {
        let pages: Vec<String> = match (&site, &page) {
            (Some(s), _) if !s.pages.is_empty() => s.pages.clone(),
            (_, Some(p)) => p.nav.clone(),
            _ => Vec::new(),
        };
        if page.is_some() {
            say!();
        }
        let name = site
            .as_ref()
            .map_or(entity.metadata.name.as_str(), |s| s.name.as_str());
        say!("Pages of {name} ({reference}, from {}):", source.name);
        if pages.is_empty() {
            say!("  (the server lists none)");
        }
        for p in &pages {
            say!("  {}  ({p})", techdocs::page_title(p));
        }
    }
    Ok(ExitCode::SUCCESS)
}
