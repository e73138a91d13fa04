//! `idp-tui api REF`: an API entity's definition: OpenAPI operations (method, path, summary,
//! and with `--full` their parameters, bodies and responses), or the table of contents of an
//! AsyncAPI, GraphQL or gRPC definition.

use super::{load_entity, print_json, Settings};
use crate::openapi::{self, ApiView, MediaType, SchemaLine};
use crate::text::one_line;
use std::process::ExitCode;

/// Arguments of `api`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The API entity: `api:namespace/name`, or just `name` when that is unambiguous.
    pub reference: String,
    /// Also show each operation's parameters, request body and responses.
    #[arg(long)]
    pub full: bool,
    /// Print the definition as written after the outline.
    #[arg(long)]
    pub raw: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `api`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let (catalog, id) = match load_entity(settings, &args.reference) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let entity = catalog.get(id);
    if entity.kind_lower() != "api" {
        tell!(
            "idp-tui: {} is a {}, not an API; its APIs: `idp-tui show {}`",
            entity.entity_ref(),
            entity.kind,
            entity.entity_ref()
        );
        return Ok(ExitCode::from(2));
    }
    let view = openapi::view(entity);
    if args.json {
        print_json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    match view {
        ApiView::OpenApi(api) => {
            say!(
                "{} {} (OpenAPI {})",
                one_line(&api.title),
                api.version,
                api.spec_version
            );
            for s in &api.servers {
                say!("server: {s}");
            }
            say!();
            let width = api
                .operations
                .iter()
                .map(|o| o.path.len())
                .max()
                .unwrap_or(0);
            for (label, ops) in [("", &api.operations), ("webhook ", &api.webhooks)] {
                for op in ops {
                    let summary = op.summary.as_deref().map(one_line).unwrap_or_default();
                    let deprecated = if op.deprecated { "  (deprecated)" } else { "" };
                    say!(
                        "{label}{:<7} {:<width$}  {summary}{deprecated}",
                        op.method,
                        op.path
                    );
                    if args.full {
                        print_details(op);
                    }
                }
            }
        }
        ApiView::Outline {
            format,
            title,
            version,
            toc,
            raw,
        } => {
            let title = title.unwrap_or_else(|| entity.display_name().to_string());
            let heading = [Some(title), version]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            say!("{heading} ({format})");
            for e in &toc {
                let detail = e
                    .detail
                    .as_deref()
                    .map(|d| format!("  {d}"))
                    .unwrap_or_default();
                say!(
                    "{:>5}  {}{} {}{detail}",
                    e.line,
                    "  ".repeat(e.depth),
                    e.kind,
                    e.name
                );
            }
            if args.raw {
                say!("\n{raw}");
            }
        }
        ApiView::Raw { format, raw, error } => {
            if let Some(error) = &error {
                tell!("idp-tui: the {format} definition could not be read: {error}");
            }
            say!("{raw}");
            if error.is_some() {
                return Ok(ExitCode::from(1));
            }
        }
        ApiView::Remote { url } => say!("definition at {url}"),
        ApiView::Missing => {
            tell!("idp-tui: {} has no spec.definition", entity.entity_ref());
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_schema(lines: &[SchemaLine], indent: usize) {
    for l in lines {
        say!("{}{}", " ".repeat(indent + 2 * l.depth), l.text);
    }
}

fn print_media(content: &[MediaType], indent: usize) {
    for m in content {
        say!("{}{}:", " ".repeat(indent), m.media_type);
        print_schema(&m.schema, indent + 2);
    }
}

fn print_details(op: &openapi::Operation) {
    if let Some(d) = &op.description {
        say!("    {}", one_line(d));
    }
    if !op.parameters.is_empty() {
        say!("    parameters:");
        for p in &op.parameters {
            let req = if p.required { " (required)" } else { "" };
            let ty = p.schema.first().map(|s| s.text.as_str()).unwrap_or("");
            let desc = p
                .description
                .as_deref()
                .map(|d| format!(" — {}", one_line(d)))
                .unwrap_or_default();
            say!("      {} in {}: {ty}{req}{desc}", p.name, p.location);
        }
    }
    if let Some(body) = &op.request_body {
        let req = if body.required { " (required)" } else { "" };
        say!("    request body{req}:");
        print_media(&body.content, 6);
    }
    if !op.responses.is_empty() {
        say!("    responses:");
        for r in &op.responses {
            let desc = r.description.as_deref().map(one_line).unwrap_or_default();
            say!("      {} {desc}", r.status);
            print_media(&r.content, 8);
        }
    }
    say!();
}
