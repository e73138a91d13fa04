//! `idp-tui show REF`: one entity with its relations.

use super::{load_entity, print_json, Settings};
use crate::catalog::{Catalog, EntityId, Lookup, RelationType, Target};
use std::process::ExitCode;

/// Arguments of `show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entity: `kind:namespace/name`, or just `name` when that is unambiguous.
    pub reference: String,
    /// Print JSON: the entity, its relations and its problems.
    #[arg(long)]
    pub json: bool,
}

/// Most candidates listed for a name that matches no entity.
const MAX_CANDIDATES: usize = 20;

/// Finds the entity a person named, or prints why not (to stderr) and returns the exit code.
pub fn resolve(catalog: &Catalog, input: &str) -> Result<EntityId, ExitCode> {
    match catalog.lookup(input) {
        Lookup::Found(id) => Ok(id),
        Lookup::Ambiguous(refs) => {
            tell!("idp-tui: {input:?} is ambiguous; it could be:");
            for r in refs {
                tell!("  {r}");
            }
            Err(ExitCode::from(2))
        }
        Lookup::NotFound => {
            let rejected = catalog.lookup_rejected(input);
            if rejected.is_empty() {
                tell!("idp-tui: no entity matches {input:?} (try `idp-tui search {input}`)");
                // A part of a name: list the entities whose name holds it.
                let needle = input.to_lowercase();
                let mut candidates: Vec<String> = catalog
                    .ids()
                    .map(|id| catalog.get(id))
                    .filter(|e| {
                        !needle.is_empty() && e.metadata.name.to_lowercase().contains(&needle)
                    })
                    .map(|e| e.entity_ref().as_str().to_string())
                    .collect();
                candidates.sort();
                if !candidates.is_empty() {
                    tell!("idp-tui: entities whose name holds {input:?}:");
                    for c in candidates.iter().take(MAX_CANDIDATES) {
                        tell!("  {c}");
                    }
                    if candidates.len() > MAX_CANDIDATES {
                        tell!("  … and {} more", candidates.len() - MAX_CANDIDATES);
                    }
                }
                return Err(ExitCode::from(2));
            }
            // Rejected entities are not in the catalog, but the user wrote them: say why.
            for (reference, reasons) in rejected {
                tell!("idp-tui: {reference}: rejected: not in the catalog, because:");
                for p in reasons {
                    tell!("  {p}");
                }
            }
            Err(ExitCode::from(1))
        }
    }
}

/// Runs `show`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let (catalog, id) = match load_entity(settings, &args.reference) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let e = catalog.get(id);
    let relations: Vec<serde_json::Value> = catalog
        .edges(id)
        .map(|edge| {
            serde_json::json!({
                "type": edge.relation,
                "targetRef": catalog.target_ref(&edge.target),
                "resolved": matches!(edge.target, Target::Resolved(_)),
            })
        })
        .collect();
    if args.json {
        let mut v = e.to_value();
        v["relations"] = relations.into();
        v["ref"] = e.entity_ref().as_str().into();
        v["origin"] = e.origin.to_string().into();
        v["problems"] = serde_json::to_value(
            catalog
                .problems()
                .filter(|p| p.entity.as_ref() == Some(e.entity_ref()))
                .collect::<Vec<_>>(),
        )?;
        print_json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let line = crate::text::one_line;
    say!("{}  {}", e.kind, e.entity_ref());
    if let Some(t) = &e.metadata.title {
        say!("title:       {}", line(t));
    }
    for field in ["type", "lifecycle", "owner", "system", "domain"] {
        if let Some(v) = e.spec_str(field) {
            say!("{:<13}{}", format!("{field}:"), line(v));
        }
    }
    if !e.metadata.tags.is_empty() {
        say!("tags:        {}", e.metadata.tags.join(", "));
    }
    say!("defined at:  {}", e.origin);
    if let Some(d) = &e.metadata.description {
        say!("\n{}", d.trim_end());
    }
    if !e.metadata.links.is_empty() {
        say!("\nlinks:");
        for l in &e.metadata.links {
            say!(
                "  {}  {}",
                l.title.as_deref().map(line).unwrap_or_default(),
                l.url
            );
        }
    }
    if !e.metadata.annotations.is_empty() {
        say!("\nannotations:");
        for (k, v) in &e.metadata.annotations {
            say!("  {k}: {}", line(v));
        }
    }
    if catalog.edges(id).len() > 0 {
        say!("\nrelations:");
        for rel in RelationType::ALL {
            for edge in catalog.edges(id).filter(|x| x.relation == rel) {
                let missing = if matches!(edge.target, Target::Missing(_)) {
                    "  (missing)"
                } else {
                    ""
                };
                say!(
                    "  {:<14}{}{missing}",
                    rel.as_str(),
                    catalog.target_ref(&edge.target)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
