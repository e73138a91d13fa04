//! `idp-tui search QUERY`: ranked results, as text or JSON.

use super::{load, print_json, Settings};
use crate::search::{Query, SearchIndex};
use std::process::ExitCode;

/// Arguments of `search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query: words and filters (kind:, owner:, tag:, lifecycle:, type:, namespace:,
    /// system:). Empty lists everything.
    pub query: Vec<String>,
    /// Only entities of this kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// At most this many results; 0 means all.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// One result as `--json` prints it.
#[derive(serde::Serialize)]
struct Row<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: &'a str,
    title: Option<&'a str>,
    owner: Option<String>,
    lifecycle: Option<&'a str>,
    #[serde(rename = "type")]
    spec_type: Option<&'a str>,
    description: Option<&'a str>,
    score: i64,
}

/// Runs `search`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let catalog = load(settings)?;
    let mut text = args.query.join(" ");
    if let Some(kind) = &args.kind {
        text.push_str(&format!(" kind:{kind}"));
    }
    let query = Query::parse(&text);
    for hint in &query.hints {
        tell!("idp-tui: {hint}");
    }
    if query.in_docs() {
        return docs_search(settings, &catalog, &query, args);
    }
    let limit = match args.limit {
        0 => catalog.len().max(1),
        n => n,
    };
    let results = SearchIndex::build(&catalog).search(&query, limit);
    let rows: Vec<Row> = results
        .hits
        .iter()
        .map(|h| {
            let e = catalog.get(h.id);
            Row {
                reference: e.entity_ref().as_str(),
                kind: &e.kind,
                name: &e.metadata.name,
                namespace: &e.metadata.namespace,
                title: e.metadata.title.as_deref(),
                owner: catalog.owner_ref(h.id).map(|r| r.to_string()),
                lifecycle: e.spec_str("lifecycle"),
                spec_type: e.spec_str("type"),
                description: e.metadata.description.as_deref(),
                score: h.score,
            }
        })
        .collect();
    if args.json {
        print_json(&rows)?;
        // The array stays an array; a script learns on stderr that it was cut.
        if results.total > rows.len() {
            tell!(
                "idp-tui: {} of {} matches; --limit 0 for all",
                rows.len(),
                results.total
            );
        }
    } else {
        for r in &rows {
            let owner = r.owner.as_deref().unwrap_or("-");
            let title = r
                .title
                .map(|t| format!("  {}", crate::text::one_line(t)))
                .unwrap_or_default();
            say!(
                "{:<11} {}{}  owner={}  {}",
                r.kind,
                r.reference,
                title,
                owner,
                r.lifecycle.unwrap_or("")
            );
        }
        if results.total > rows.len() {
            tell!(
                "({} of {} matches; --limit N for more, --limit 0 for all)",
                rows.len(),
                results.total
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `in:docs`: page titles and headings of every entity's TechDocs.
fn docs_search(
    settings: &Settings,
    catalog: &crate::catalog::Catalog,
    query: &Query,
    args: &Args,
) -> color_eyre::Result<ExitCode> {
    let roots = crate::techdocs::roots(&settings.sources);
    let index = crate::techdocs::DocsIndex::build(catalog, &roots);
    for p in &index.problems {
        tell!("idp-tui: {p}");
    }
    let hits = index.search(
        &query.words,
        if args.limit == 0 {
            usize::MAX
        } else {
            args.limit
        },
    );
    let rows: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            serde_json::json!({
                "ref": catalog.get(h.entity).entity_ref().as_str(),
                "page": h.page,
                "pageTitle": h.page_title,
                "heading": h.heading,
                "anchor": h.anchor,
            })
        })
        .collect();
    if args.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    for h in hits {
        let at = match &h.anchor {
            Some(a) => format!("{}#{a}", h.page),
            None => h.page.clone(),
        };
        say!(
            "docs  {}  {at}  {}",
            catalog.get(h.entity).entity_ref(),
            crate::text::one_line(&h.heading)
        );
    }
    Ok(ExitCode::SUCCESS)
}
