//! The blast radius of a reverse tree: how many entities are affected and which teams to tell.

use super::Tree;
use crate::catalog::{Catalog, EntityRef, Target};
use crate::ownership::{oncall_of, owner_edge, OnCall, Party};
use std::collections::{HashMap, HashSet};

/// An owner with entities in a tree, and how to page them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AffectedOwner {
    /// The owner (a Group or User, resolved or not).
    #[serde(flatten)]
    pub owner: Party,
    /// How many of the tree's entities it owns.
    pub entities: usize,
    /// On-call annotations on the owner, then on the affected entities it owns.
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

/// Sums up a tree: size, and the distinct owners of its entities with their on-call.
pub fn impact(catalog: &Catalog, tree: &Tree) -> Impact {
    let mut owners: Vec<AffectedOwner> = Vec::new();
    let mut index: HashMap<EntityRef, usize> = HashMap::new();
    let mut seen_oncall: Vec<HashSet<(String, String)>> = Vec::new();
    let mut unowned = 0;
    for id in tree.entities() {
        let Some(target) = owner_edge(catalog, id) else {
            unowned += 1;
            continue;
        };
        let reference = catalog.target_ref(target).clone();
        let slot = *index.entry(reference).or_insert_with(|| {
            let mut oncall = Vec::new();
            if let Target::Resolved(owner) = target {
                oncall = oncall_of(catalog, *owner);
            }
            seen_oncall.push(
                oncall
                    .iter()
                    .map(|o| (o.annotation.clone(), o.value.clone()))
                    .collect(),
            );
            owners.push(AffectedOwner {
                owner: Party::from_target(catalog, target),
                entities: 0,
                oncall,
            });
            owners.len() - 1
        });
        owners[slot].entities += 1;
        for o in oncall_of(catalog, id) {
            if seen_oncall[slot].insert((o.annotation.clone(), o.value.clone())) {
                owners[slot].oncall.push(o);
            }
        }
    }
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
