//! `idp-tui owner REF`: who owns an entity and how to reach them; `idp-tui owner --gaps`: the
//! entities nobody can be called about (exit 1 when there is any, like `validate`).

use super::output::{emit, emit_json};
use super::show::resolve;
use super::{load, Settings};
use crate::catalog::{Catalog, EntityId};
use crate::ownership::{self, Owned, OwnerCard, Party};
use crate::text::one_line;
use serde_json::json;
use std::process::ExitCode;

/// Arguments of `owner`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entity: `kind:namespace/name`, or just `name` when that is unambiguous. For a Group
    /// or User, the card is about that group or user and lists what it owns.
    #[arg(required_unless_present = "gaps", conflicts_with = "gaps")]
    pub reference: Option<String>,
    /// List ownership gaps instead: no owner, an owner not in the catalog, or an owner group
    /// with no members in it or below it.
    #[arg(long)]
    pub gaps: bool,
    /// For a Group, also list what its child groups own (all the way down).
    #[arg(long)]
    pub include_children: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `owner`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let catalog = load(settings)?;
    if args.gaps {
        return gaps(&catalog, args.json);
    }
    let Some(input) = &args.reference else {
        return Ok(ExitCode::from(2));
    };
    let id = match resolve(&catalog, input) {
        Ok(id) => id,
        Err(code) => return Ok(code),
    };
    let card = ownership::owner_card(&catalog, id);
    let kind = catalog.get(id).kind_lower();
    let party = ownership::is_party_kind(kind);
    let owned = if party {
        ownership::owned_by(&catalog, id, args.include_children)
    } else {
        Vec::new()
    };
    let groups = if kind == "user" {
        ownership::groups_of(&catalog, id)
    } else {
        Vec::new()
    };
    if args.json {
        let mut v = serde_json::to_value(&card)?;
        if party {
            v["owns"] = owned.iter().map(|o| o.reference.as_str()).collect();
            v["owned"] = serde_json::to_value(&owned)?;
        }
        if kind == "user" {
            v["groups"] = serde_json::to_value(&groups)?;
        }
        emit_json(&v)?;
    } else {
        let mut out = String::new();
        print_card(&mut out, &catalog, id, &card, &groups, &owned, party);
        emit(&out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn party_line(p: &Party) -> String {
    let mut s = p.reference.to_string();
    if !p.resolved {
        s.push_str("  [unresolved: not in the catalog]");
    }
    let contact = p.contact();
    if !contact.is_empty() {
        s.push_str("  ");
        s.push_str(&one_line(&contact));
    }
    s
}

fn print_card(
    out: &mut String,
    catalog: &Catalog,
    id: EntityId,
    card: &OwnerCard,
    groups: &[Party],
    owned: &[Owned],
    party: bool,
) {
    let e = catalog.get(id);
    outln!(out, "{}  {}", e.kind, card.entity);
    match &card.owner {
        None => outln!(out, "owner:    none (spec.owner is missing)"),
        Some(owner) if !party => outln!(out, "owner:    {}", party_line(owner)),
        Some(owner) => {
            let contact = owner.contact();
            if !contact.is_empty() {
                outln!(out, "contact:  {}", one_line(&contact));
            }
        }
    }
    if !card.parents.is_empty() {
        let chain: Vec<String> = card.parents.iter().map(party_line).collect();
        outln!(out, "parents:  {}", chain.join("\n       ↑  "));
    }
    if let Some(looped) = &card.parent_loop {
        outln!(out, "          (parent loop: {looped} comes round again)");
    }
    if !groups.is_empty() {
        outln!(out, "groups:");
        for g in groups {
            outln!(out, "  {}", party_line(g));
        }
    }
    if card.owner.as_ref().is_some_and(|o| o.resolved) && card.entity.kind() != "user" {
        let owner_is_user = card
            .owner
            .as_ref()
            .is_some_and(|o| o.reference.kind() == "user");
        if !owner_is_user {
            if card.members.is_empty() {
                outln!(out, "members:  none");
            } else {
                outln!(out, "members:");
                for m in &card.members {
                    outln!(out, "  {}", party_line(m));
                }
            }
        }
    }
    if !card.oncall.is_empty() {
        outln!(out, "on-call:");
        for o in &card.oncall {
            outln!(
                out,
                "  {:<32} {}  (on {})",
                o.annotation,
                one_line(&o.value),
                o.from
            );
        }
    }
    if !card.links.is_empty() {
        outln!(out, "links:");
        for l in &card.links {
            match &l.title {
                Some(t) => outln!(out, "  {}  {}", one_line(t), one_line(&l.url)),
                None => outln!(out, "  {}", one_line(&l.url)),
            }
        }
    }
    if party {
        if owned.is_empty() {
            outln!(out, "owns:     nothing");
        } else {
            outln!(out, "owns:");
            for o in owned {
                match &o.via {
                    Some(via) => outln!(out, "  {}  (via {via})", o.reference),
                    None => outln!(out, "  {}", o.reference),
                }
            }
        }
    }
}

fn gaps(catalog: &Catalog, as_json: bool) -> color_eyre::Result<ExitCode> {
    let gaps = ownership::gaps(catalog);
    // Like `validate`: a gap fails the command, so CI can gate on it without parsing output.
    let code = if gaps.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if as_json {
        emit_json(&json!(gaps))?;
        return Ok(code);
    }
    let mut out = String::new();
    for g in &gaps {
        outln!(
            out,
            "{}: {}  {}: {}",
            g.origin,
            g.entity,
            g.reason.as_str(),
            one_line(&g.message)
        );
    }
    emit(&out)?;
    tell!(
        "{} ownership gap(s) among {} entities",
        gaps.len(),
        catalog.len()
    );
    Ok(code)
}
