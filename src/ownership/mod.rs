//! Who owns an entity, who is in that team, how to reach them, and who is on call.
//!
//! Everything here is a plain function over a [`Catalog`]: the owner card of one entity
//! ([`owner_card`]), what a group or user owns ([`owned_by`]), a user's groups
//! ([`groups_of`]), and the ownership gaps of a whole catalog ([`gaps`]). Group hierarchies may
//! contain parent loops; every walk keeps a visited set and never loops.

mod gaps;

pub use gaps::{gaps, staffed, Gap, GapReason};

use crate::catalog::{Catalog, Entity, EntityId, EntityRef, Link, RelationType, Target};
use std::collections::HashSet;

/// The annotations that name an on-call rotation, in the order they are shown.
///
/// These are the keys Backstage's PagerDuty and Opsgenie plugins read.
pub const ONCALL_ANNOTATIONS: [&str; 4] = [
    "pagerduty.com/service-id",
    "pagerduty.com/integration-key",
    "opsgenie.com/team",
    "opsgenie.com/component-selector",
];

/// A Group or User (or an unresolved reference to one) with what a person needs to reach it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Party {
    /// The reference, as written (resolved or not).
    #[serde(rename = "ref")]
    pub reference: EntityRef,
    /// True when the reference names an entity in the catalog.
    pub resolved: bool,
    /// `spec.profile.displayName`, else `metadata.title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `spec.profile.email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Party {
    /// The party at the other end of an edge.
    pub fn from_target(catalog: &Catalog, target: &Target) -> Self {
        match target {
            Target::Resolved(id) => Self::of(catalog, *id),
            Target::Missing(r) => Self {
                reference: r.clone(),
                resolved: false,
                name: None,
                email: None,
            },
        }
    }

    /// The party for an entity in the catalog.
    pub fn of(catalog: &Catalog, id: EntityId) -> Self {
        let e = catalog.get(id);
        let profile = |field: &str| {
            e.spec
                .get("profile")
                .and_then(|p| p.get(field))
                .and_then(crate::catalog::SpecValue::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Self {
            reference: e.entity_ref().clone(),
            resolved: true,
            name: profile("displayName").or_else(|| e.metadata.title.clone()),
            email: profile("email"),
        }
    }

    /// `Name <email>`, or whichever of the two exists, or nothing.
    pub fn contact(&self) -> String {
        match (&self.name, &self.email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.clone(),
            (None, Some(e)) => format!("<{e}>"),
            (None, None) => String::new(),
        }
    }
}

/// Which paging service an on-call annotation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnCallProvider {
    /// PagerDuty (`pagerduty.com/…`).
    PagerDuty,
    /// Opsgenie (`opsgenie.com/…`).
    Opsgenie,
}

/// One on-call annotation found on an entity or its owner.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct OnCall {
    /// The paging service.
    pub provider: OnCallProvider,
    /// The annotation key, e.g. `pagerduty.com/service-id`.
    pub annotation: String,
    /// The annotation's value.
    pub value: String,
    /// The entity that carries the annotation.
    pub from: EntityRef,
}

/// The non-empty on-call annotations of an entity as `(key, value)`, in
/// [`ONCALL_ANNOTATIONS`] order, without allocating.
pub fn oncall_annotations(entity: &Entity) -> impl Iterator<Item = (&'static str, &str)> + '_ {
    ONCALL_ANNOTATIONS.iter().filter_map(|&key| {
        let value = entity.metadata.annotations.get(key)?.trim();
        (!value.is_empty()).then_some((key, value))
    })
}

impl OnCall {
    /// An on-call entry for annotation `key` with `value`, found on `from`.
    pub fn new(key: &str, value: &str, from: &EntityRef) -> Self {
        let provider = if key.starts_with("pagerduty.com/") {
            OnCallProvider::PagerDuty
        } else {
            OnCallProvider::Opsgenie
        };
        Self {
            provider,
            annotation: key.to_string(),
            value: value.to_string(),
            from: from.clone(),
        }
    }
}

/// The on-call annotations of one entity, in [`ONCALL_ANNOTATIONS`] order.
pub fn oncall_of(catalog: &Catalog, id: EntityId) -> Vec<OnCall> {
    let e = catalog.get(id);
    oncall_annotations(e)
        .map(|(key, value)| OnCall::new(key, value, e.entity_ref()))
        .collect()
}

/// The owner card of an entity: who owns it and how to reach them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OwnerCard {
    /// The entity the card is about.
    #[serde(rename = "ref")]
    pub entity: EntityRef,
    /// The owner: `spec.owner` for owned kinds, the entity itself for a Group or User. `None`
    /// when an owned entity names no owner.
    pub owner: Option<Party>,
    /// The owner group's parents, nearest first, up to the root (or to where a parent loop or
    /// an unresolved parent stops the walk).
    pub parents: Vec<Party>,
    /// Set when the parent chain loops: the group met a second time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_loop: Option<EntityRef>,
    /// The owner group's direct members (from its `spec.members` and users' `memberOf`).
    pub members: Vec<Party>,
    /// On-call annotations on the entity, then on its owner.
    pub oncall: Vec<OnCall>,
    /// The owner's `metadata.links`: chat channels, runbooks, schedules.
    pub links: Vec<Link>,
}

/// True for kinds that are owners themselves rather than owned.
pub fn is_party_kind(kind: &str) -> bool {
    kind == "group" || kind == "user"
}

/// Builds the owner card of an entity. For a Group or User the card is about that entity
/// itself (its parents, members, links and on-call).
pub fn owner_card(catalog: &Catalog, id: EntityId) -> OwnerCard {
    let entity = catalog.get(id);
    let owner_target: Option<Target> = if is_party_kind(entity.kind_lower()) {
        Some(Target::Resolved(id))
    } else {
        owner_edge(catalog, id)
    };
    let mut card = OwnerCard {
        entity: entity.entity_ref().clone(),
        owner: owner_target
            .as_ref()
            .map(|t| Party::from_target(catalog, t)),
        parents: Vec::new(),
        parent_loop: None,
        members: Vec::new(),
        oncall: oncall_of(catalog, id),
        links: Vec::new(),
    };
    if let Some(Target::Resolved(owner)) = owner_target {
        let (parents, looped) = parent_chain(catalog, owner);
        card.parents = parents;
        card.parent_loop = looped;
        card.members = members_of(catalog, owner);
        card.links = catalog.get(owner).metadata.links.clone();
        if owner != id {
            card.oncall.extend(oncall_of(catalog, owner));
        }
    }
    card
}

/// The entity's `ownedBy` edge; a resolved one is preferred when a server lists several.
pub fn owner_edge(catalog: &Catalog, id: EntityId) -> Option<Target> {
    let mut owners = catalog
        .edges(id)
        .filter(|e| e.relation == RelationType::OwnedBy)
        .map(|e| e.target);
    let first = owners.next()?;
    if matches!(first, Target::Resolved(_)) {
        return Some(first);
    }
    owners
        .find(|t| matches!(t, Target::Resolved(_)))
        .or(Some(first))
}

/// A group's parents, nearest first. Stops at the root, at an unresolved parent (included,
/// marked unresolved), or when a group comes round again (returned as the loop point).
pub fn parent_chain(catalog: &Catalog, group: EntityId) -> (Vec<Party>, Option<EntityRef>) {
    let mut seen = HashSet::from([group]);
    let mut out = Vec::new();
    let mut current = group;
    loop {
        let parent = catalog
            .edges(current)
            .filter(|e| e.relation == RelationType::ChildOf)
            .map(|e| e.target)
            .min_by_key(|t| !matches!(t, Target::Resolved(_)));
        match parent {
            None => return (out, None),
            Some(t @ Target::Missing(_)) => {
                out.push(Party::from_target(catalog, &t));
                return (out, None);
            }
            Some(Target::Resolved(p)) => {
                if !seen.insert(p) {
                    return (out, Some(catalog.get(p).entity_ref().clone()));
                }
                out.push(Party::of(catalog, p));
                current = p;
            }
        }
    }
}

/// A group's direct members, resolved ones first, each sorted by reference. Members come from
/// the group's `spec.members` and from users' `spec.memberOf` (the catalog merges both).
pub fn members_of(catalog: &Catalog, group: EntityId) -> Vec<Party> {
    let mut members: Vec<Party> = catalog
        .edges(group)
        .filter(|e| e.relation == RelationType::HasMember)
        .map(|e| Party::from_target(catalog, &e.target))
        .collect();
    members.sort_by(|a, b| (!a.resolved, &a.reference).cmp(&(!b.resolved, &b.reference)));
    members.dedup_by(|a, b| a.reference == b.reference);
    members
}

/// A group's child groups (resolved), sorted by reference.
pub fn children_of(catalog: &Catalog, group: EntityId) -> Vec<EntityId> {
    let mut out: Vec<EntityId> = catalog.related(group, RelationType::ParentOf).collect();
    out.sort_by(|a, b| {
        catalog
            .get(*a)
            .entity_ref()
            .cmp(catalog.get(*b).entity_ref())
    });
    out.dedup();
    out
}

/// The groups a user is in (from `memberOf` and groups' `members`), resolved or not.
pub fn groups_of(catalog: &Catalog, user: EntityId) -> Vec<Party> {
    let mut out: Vec<Party> = catalog
        .edges(user)
        .filter(|e| e.relation == RelationType::MemberOf)
        .map(|e| Party::from_target(catalog, &e.target))
        .collect();
    out.sort_by(|a, b| a.reference.cmp(&b.reference));
    out.dedup_by(|a, b| a.reference == b.reference);
    out
}

/// Something owned, and through which group when not owned directly.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Owned {
    /// The owned entity.
    #[serde(rename = "ref")]
    pub reference: EntityRef,
    /// The entity's id in the catalog.
    #[serde(skip)]
    pub id: EntityId,
    /// The group that owns it, when that is not the party asked about: a child group (for a
    /// group) or one of the user's groups (for a user).
    pub via: Option<EntityRef>,
}

/// What a Group or User owns. For a group, `through_children` adds what its child groups own,
/// all the way down; for a user, what the user's groups own is always included. Each entity is
/// listed once (the most direct way wins), sorted by reference within each way.
pub fn owned_by(catalog: &Catalog, party: EntityId, through_children: bool) -> Vec<Owned> {
    let mut out = Vec::new();
    let mut listed = HashSet::new();
    let mut add = |out: &mut Vec<Owned>, owner: EntityId, via: Option<EntityRef>| {
        let mut items: Vec<EntityId> = catalog.related(owner, RelationType::OwnerOf).collect();
        items.sort_by(|a, b| {
            catalog
                .get(*a)
                .entity_ref()
                .cmp(catalog.get(*b).entity_ref())
        });
        for id in items {
            if listed.insert(id) {
                out.push(Owned {
                    reference: catalog.get(id).entity_ref().clone(),
                    id,
                    via: via.clone(),
                });
            }
        }
    };
    add(&mut out, party, None);
    if catalog.get(party).kind_lower() == "user" {
        let mut groups: Vec<EntityId> = catalog.related(party, RelationType::MemberOf).collect();
        groups.sort_by(|a, b| {
            catalog
                .get(*a)
                .entity_ref()
                .cmp(catalog.get(*b).entity_ref())
        });
        groups.dedup();
        for g in groups {
            add(&mut out, g, Some(catalog.get(g).entity_ref().clone()));
        }
    } else if through_children {
        for g in descendants(catalog, party) {
            add(&mut out, g, Some(catalog.get(g).entity_ref().clone()));
        }
    }
    out
}

/// Every group below a group, breadth first, each once (parent loops are cut).
pub fn descendants(catalog: &Catalog, group: EntityId) -> Vec<EntityId> {
    let mut seen = HashSet::from([group]);
    let mut out = Vec::new();
    let mut next = 0;
    let mut frontier = vec![group];
    while next < frontier.len() {
        let g = frontier[next];
        next += 1;
        for child in children_of(catalog, g) {
            if seen.insert(child) {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
