//! `idp-tui deps REF`: what an entity depends on, or with `--reverse` what depends on it (the
//! blast radius and the teams to notify), as a tree, JSON, DOT or Mermaid.

use super::output::{emit, emit_json};
use super::show::resolve;
use super::{load, Settings};
use crate::catalog::Catalog;
use crate::graph::{self, export, Direction, Tree};
use crate::text::one_line;
use clap::builder::TypedValueParser;
use std::process::ExitCode;

/// The deepest tree the command builds (deeper trees are cut there and say so).
pub const MAX_DEPTH: usize = 100;

/// Arguments of `deps`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("format").args(["json", "dot", "mermaid"]))]
pub struct Args {
    /// The entity: `kind:namespace/name`, or just `name` when that is unambiguous. With
    /// `--structure` and no entity, every top-level domain and domain-less system.
    #[arg(required_unless_present = "structure")]
    pub reference: Option<String>,
    /// What depends on the entity (impact analysis), instead of what it depends on.
    #[arg(long, conflicts_with = "structure")]
    pub reverse: bool,
    /// The domain → system → component structure below the entity instead of dependencies.
    #[arg(long)]
    pub structure: bool,
    /// How many levels to follow (0 to 100); deeper nodes are cut and reported.
    #[arg(long, default_value_t = graph::DEFAULT_DEPTH,
          value_parser = clap::value_parser!(u16).range(0..=MAX_DEPTH as i64).map(usize::from))]
    pub depth: usize,
    /// Print the tree as JSON: `{ref, relation, missing?, cycle?, seen?, truncated?, children[]}`.
    #[arg(long)]
    pub json: bool,
    /// Print a Graphviz DOT graph.
    #[arg(long)]
    pub dot: bool,
    /// Print a Mermaid flowchart.
    #[arg(long)]
    pub mermaid: bool,
}

/// Runs `deps`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let catalog = load(settings);
    let direction = if args.structure {
        Direction::Structure
    } else if args.reverse {
        Direction::Reverse
    } else {
        Direction::Forward
    };
    let roots = match &args.reference {
        Some(input) => match resolve(&catalog, input) {
            Ok(id) => vec![id],
            Err(code) => return Ok(code),
        },
        None => graph::structure_roots(&catalog),
    };
    let trees: Vec<Tree> = roots
        .into_iter()
        .map(|root| graph::build(&catalog, root, direction, args.depth))
        .collect();
    if args.json {
        let mut docs: Vec<serde_json::Value> =
            trees.iter().map(|t| tree_json(&catalog, t)).collect();
        if args.reference.is_some() && docs.len() == 1 {
            emit_json(&docs.remove(0))?;
        } else {
            emit_json(&docs)?;
        }
    } else if args.dot || args.mermaid {
        let mut out = String::new();
        for t in &trees {
            if args.dot {
                out.push_str(&export::to_dot(&catalog, t));
            } else {
                out.push_str(&export::to_mermaid(&catalog, t));
            }
        }
        emit(&out)?;
    } else {
        let mut out = String::new();
        if trees.is_empty() {
            tell!("idp-tui: the catalog has no domains or systems");
        }
        for t in &trees {
            print_text(&mut out, &catalog, t);
        }
        emit(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON document for one tree: the root node plus the tree's figures, and for a reverse
/// tree the owners to notify.
fn tree_json(catalog: &Catalog, tree: &Tree) -> serde_json::Value {
    let mut v = export::to_json(catalog, tree);
    v["direction"] = serde_json::to_value(tree.direction).unwrap_or_default();
    v["depth_limit"] = tree.depth_limit.into();
    v["size"] = tree.size().into();
    v["truncated"] = tree.truncated().into();
    v["cycles"] = tree.cycles().into();
    v["missing_refs"] = tree
        .missing()
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .into();
    if tree.direction == Direction::Reverse {
        let impact = graph::impact(catalog, tree);
        v["affected_owners"] = serde_json::to_value(&impact.owners).unwrap_or_default();
        v["unowned"] = impact.unowned.into();
    }
    v
}

fn print_text(out: &mut String, catalog: &Catalog, tree: &Tree) {
    out.push_str(&export::to_text(catalog, tree));
    let what = match tree.direction {
        Direction::Forward => "dependencies",
        Direction::Reverse => "entities depend on it (blast radius)",
        Direction::Structure => "parts",
    };
    let mut summary = format!("{} {what}", tree.size());
    let missing = tree.missing().len();
    if missing > 0 {
        summary.push_str(&format!(", {missing} missing"));
    }
    if tree.cycles() > 0 {
        summary.push_str(&format!(", {} cycle edge(s)", tree.cycles()));
    }
    if tree.truncated() > 0 {
        summary.push_str(&format!(
            ", {} node(s) cut at depth {} (use --depth to see more)",
            tree.truncated(),
            tree.depth_limit
        ));
    }
    outln!(out, "\n{summary}");
    if tree.direction != Direction::Reverse {
        return;
    }
    let impact = graph::impact(catalog, tree);
    if impact.owners.is_empty() {
        return;
    }
    outln!(out, "\nteams to notify ({}):", impact.owners.len());
    for o in &impact.owners {
        let mut line = format!("  {}  ({} affected)", o.owner.reference, o.entities);
        if !o.owner.resolved {
            line.push_str("  [unresolved: not in the catalog]");
        }
        let contact = o.owner.contact();
        if !contact.is_empty() {
            line.push_str("  ");
            line.push_str(&one_line(&contact));
        }
        outln!(out, "{line}");
        for oc in &o.oncall {
            outln!(
                out,
                "      {:<32} {}  (on {})",
                oc.annotation,
                one_line(&oc.value),
                oc.from
            );
        }
    }
    if impact.unowned > 0 {
        outln!(
            out,
            "  {} affected entit(ies) with no owner",
            impact.unowned
        );
    }
}
