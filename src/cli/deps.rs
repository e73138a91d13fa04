//! `idp-tui deps REF`: what an entity depends on, or with `--reverse` what depends on it (the
//! blast radius and the teams to notify, with who is on call now for each when `integrations:`
//! configures a provider), as a tree, JSON, DOT or Mermaid.

use super::output::{emit, emit_json};
use super::show::resolve;
use super::{load, Settings};
use crate::catalog::Catalog;
use crate::graph::{self, export, Direction, Impact, Tree};
use crate::live::{OnCallEntry, Report, Subject};
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
    let catalog = load(settings)?;
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
        let mut docs: Vec<serde_json::Value> = trees
            .iter()
            .map(|t| tree_json(settings, &catalog, t))
            .collect();
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
            print_text(settings, &mut out, &catalog, t);
        }
        emit(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON document for one tree: the root node plus the tree's figures, and for a reverse
/// tree the owners to notify.
fn tree_json(settings: &Settings, catalog: &Catalog, tree: &Tree) -> serde_json::Value {
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
        if let Some(now) = oncall_now(settings, catalog, &impact) {
            let owners = v["affected_owners"].as_array_mut();
            for (owner, report) in owners.into_iter().flatten().zip(now) {
                let people: Vec<&OnCallEntry> = report.iter().flat_map(Report::oncall).collect();
                owner["oncall_now"] = serde_json::to_value(people).unwrap_or_default();
            }
        }
        v["unowned"] = impact.unowned.into();
    }
    v
}

fn print_text(settings: &Settings, out: &mut String, catalog: &Catalog, tree: &Tree) {
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
    let now = oncall_now(settings, catalog, &impact).unwrap_or_default();
    for (i, o) in impact.owners.iter().enumerate() {
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
        for p in now.get(i).into_iter().flatten().flat_map(Report::oncall) {
            let mut line = format!("      on call now: {}", one_line(&p.name));
            if let Some(email) = p.email.as_ref().filter(|e| **e != p.name) {
                line.push_str(&format!(" <{}>", one_line(email)));
            }
            line.push_str(&format!("  ({}", p.provider));
            if let Some(level) = p.level {
                line.push_str(&format!(", level {level}"));
            }
            if let Some(until) = &p.until {
                line.push_str(&format!(", until {}", one_line(until)));
            }
            line.push(')');
            outln!(out, "{line}");
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

/// The teams to notify whose on-call is asked of the live providers, at most.
const ONCALL_TEAMS: usize = 20;

/// Who is on call now for each team to notify (in the same order; the first
/// [`ONCALL_TEAMS`], asked at once), when `integrations:` configures a provider that applies
/// to the team; `None` without any integration (nothing is asked).
fn oncall_now(
    settings: &Settings,
    catalog: &Catalog,
    impact: &Impact,
) -> Option<Vec<Option<Report>>> {
    let live = settings.live_service();
    if live.is_empty() {
        return None;
    }
    let subjects: Vec<Option<Subject>> = impact
        .owners
        .iter()
        .take(ONCALL_TEAMS)
        .map(|o| {
            let paged_by: Vec<_> = o.oncall.iter().map(|c| &c.from).collect();
            live.oncall_subject(catalog, &o.owner.reference, &paged_by)
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    let asked = subjects.iter().map(|subject| async {
        match subject {
            Some(subject) => Some(live.fetch(subject, false).await),
            None => None,
        }
    });
    Some(runtime.block_on(futures::future::join_all(asked)))
}
