//! The blast radius of a reverse tree: how many entities are affected and which teams to tell.

use super::{IdMap, Tree};
use crate::catalog::{Catalog, EntityRef, Target};
use crate::ownership::{oncall_annotations, owner_edge, OnCall, Party};
use std::collections::{HashMap, HashSet};

/// An owner with entities in a tree, and how to page them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AffectedOwner {
    /// The owner (a Group or User, resolved or not).
    #[serde(flatten)]
    pub owner: Party,
    /// How many of the tree's entities it owns.
    pub entities: usize,
    /// On-call annotations on the owner, then on the affected entities it owns (each distinct
    /// annotation value once).
    pub oncall: Vec<OnCall>,
}

/// What a tree reaches, summed up: its size and the owners of its entities.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Impact {
    /// Distinct entities in the tree, the root not counted.
    pub size: usize,
    /// Distinct unresolved references in the tree.
    pub missing: usize,
    /// Entities in the tree that name no owner.
    pub unowned: usize,
    /// Nodes the depth limit cut (so the real radius may be larger).
    pub truncated: usize,
    /// The owners of the tree's entities (the root's owner is not counted unless it also owns
    /// another entity in the tree), most entities first.
    pub owners: Vec<AffectedOwner>,
}

/// One owner being summed up; on-call seen so far is kept borrowed to avoid allocating.
struct Tally<'a> {
    owner: AffectedOwner,
    seen: HashSet<(&'a str, &'a str)>,
}

/// Sums up a tree: size, and the distinct owners of its entities with their on-call.
pub fn impact(catalog: &Catalog, tree: &Tree) -> Impact {
    let mut tallies: Vec<Tally> = Vec::new();
    let mut by_id: IdMap<usize> = IdMap::default();
    let mut by_ref: HashMap<EntityRef, usize> = HashMap::new();
    let mut unowned = 0;
    for id in tree.entities() {
        let Some(target) = owner_edge(catalog, id) else {
            unowned += 1;
            continue;
        };
        let known = match &target {
            Target::Resolved(owner) => by_id.get(owner).copied(),
            Target::Missing(r) => by_ref.get(r).copied(),
        };
        let slot = known.unwrap_or_else(|| {
            let mut tally = Tally {
                owner: AffectedOwner {
                    owner: Party::from_target(catalog, &target),
                    entities: 0,
                    oncall: Vec::new(),
                },
                seen: HashSet::new(),
            };
            match &target {
                Target::Resolved(owner) => {
                    let e = catalog.get(*owner);
                    for (key, value) in oncall_annotations(e) {
                        tally.seen.insert((key, value));
                        tally
                            .owner
                            .oncall
                            .push(OnCall::new(key, value, e.entity_ref()));
                    }
                    by_id.insert(*owner, tallies.len());
                }
                Target::Missing(r) => {
                    by_ref.insert(r.clone(), tallies.len());
                }
            }
            tallies.push(tally);
            tallies.len() - 1
        });
        let tally = &mut tallies[slot];
        tally.owner.entities += 1;
        let e = catalog.get(id);
        for (key, value) in oncall_annotations(e) {
            if tally.seen.insert((key, value)) {
                tally
                    .owner
                    .oncall
                    .push(OnCall::new(key, value, e.entity_ref()));
            }
        }
    }
    let mut owners: Vec<AffectedOwner> = tallies.into_iter().map(|t| t.owner).collect();
    owners.sort_by(|a, b| {
        b.entities
            .cmp(&a.entities)
            .then_with(|| a.owner.reference.cmp(&b.owner.reference))
    });
    Impact {
        size: tree.size(),
        missing: tree.missing().len(),
        unowned,
        truncated: tree.truncated(),
        owners,
    }
}
