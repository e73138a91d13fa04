//! Ownership gaps: entities nobody can be called about.

use super::{descendants, is_party_kind, owner_edge};
use crate::catalog::{Catalog, EntityId, EntityRef, RelationType, Target};
use std::collections::HashMap;

/// Kinds that must name an owner (Backstage requires `spec.owner` on these).
const OWNED_KINDS: [&str; 5] = ["component", "api", "resource", "system", "domain"];

/// Why an entity is an ownership gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapReason {
    /// The entity names no owner.
    NoOwner,
    /// The owner reference resolves to nothing in the catalog.
    UnresolvedOwner,
    /// The owner is a group with no member in it or in any group below it.
    OwnerHasNoMembers,
    /// The owner resolves, but to something that is neither a Group nor a User.
    OwnerNotAGroupOrUser,
}

impl GapReason {
    /// A short name for the reason, as `--gaps` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoOwner => "no-owner",
            Self::UnresolvedOwner => "unresolved-owner",
            Self::OwnerHasNoMembers => "owner-has-no-members",
            Self::OwnerNotAGroupOrUser => "owner-not-a-group-or-user",
        }
    }
}

/// One entity whose ownership does not lead to a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Gap {
    /// The entity.
    #[serde(rename = "ref")]
    pub entity: EntityRef,
    /// The entity's id.
    #[serde(skip)]
    pub id: EntityId,
    /// Why it is a gap.
    pub reason: GapReason,
    /// The owner it names, when it names one.
    pub owner: Option<EntityRef>,
    /// A sentence saying what is wrong.
    pub message: String,
    /// Where the entity is defined (`path:line`).
    pub origin: String,
}

/// Every ownership gap in the catalog, sorted by reason then reference.
///
/// Membership counts users from both a group's `spec.members` and users' `spec.memberOf`, in
/// the group and every group below it; a member reference that resolves to no user does not
/// count. Templates are checked only when they name an owner (Backstage does not require one).
pub fn gaps(catalog: &Catalog) -> Vec<Gap> {
    let mut memo: HashMap<EntityId, bool> = HashMap::new();
    let mut out = Vec::new();
    for id in catalog.ids() {
        let e = catalog.get(id);
        let kind = e.kind_lower();
        let required = OWNED_KINDS.contains(&kind);
        if !required && kind != "template" {
            continue;
        }
        let gap = |reason, owner: Option<EntityRef>, message: String| Gap {
            entity: e.entity_ref().clone(),
            id,
            reason,
            owner,
            message,
            origin: e.origin.to_string(),
        };
        match owner_edge(catalog, id).as_ref() {
            None if required => out.push(gap(
                GapReason::NoOwner,
                None,
                "spec.owner is missing or not a reference".into(),
            )),
            None => {}
            Some(Target::Missing(r)) => out.push(gap(
                GapReason::UnresolvedOwner,
                Some(r.clone()),
                format!("owner {r} is not in the catalog"),
            )),
            Some(Target::Resolved(owner)) => {
                let owner_entity = catalog.get(*owner);
                let owner_ref = owner_entity.entity_ref().clone();
                let owner_kind = owner_entity.kind_lower();
                if !is_party_kind(owner_kind) {
                    out.push(gap(
                        GapReason::OwnerNotAGroupOrUser,
                        Some(owner_ref.clone()),
                        format!("owner {owner_ref} is a {owner_kind}, not a Group or User"),
                    ));
                } else if owner_kind == "group" {
                    let has_people = *memo
                        .entry(*owner)
                        .or_insert_with(|| staffed(catalog, *owner));
                    if !has_people {
                        out.push(gap(
                            GapReason::OwnerHasNoMembers,
                            Some(owner_ref.clone()),
                            format!("owner {owner_ref} has no members, nor has any group below it"),
                        ));
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| (a.reason, &a.entity).cmp(&(b.reason, &b.entity)));
    out
}

/// True when the group, or any group below it, has a member that is a user in the catalog:
/// someone can be called about what it owns.
pub fn staffed(catalog: &Catalog, group: EntityId) -> bool {
    let has_user = |g: EntityId| {
        catalog
            .related(g, RelationType::HasMember)
            .any(|u| catalog.get(u).kind_lower() == "user")
    };
    has_user(group) || descendants(catalog, group).into_iter().any(has_user)
}
