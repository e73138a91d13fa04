//! The entity a live fetch is about, lifted out of the catalog: its reference, annotations and
//! owner, and the annotations of its owner and the owner's parents (for on-call), so providers
//! and plugins never need the catalog itself.

use crate::catalog::{Catalog, EntityId, RelationType, Target};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// One entity carrying annotations: the subject itself, its owner, or a parent group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// Its reference, `kind:namespace/name`.
    pub entity: String,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
}

/// What live providers know of an entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// The entity itself.
    pub this: Holder,
    /// Its owner's reference, when it has one.
    pub owner: Option<String>,
    /// The owner, then the owner's parents, nearest first (only those in the catalog).
    pub owners: Vec<Holder>,
}

/// An annotation found for a provider, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The annotation key.
    pub key: &'static str,
    /// Its value, trimmed.
    pub value: String,
    /// The entity that carries it (the subject, its owner, or a parent).
    pub from: String,
}

impl Subject {
    /// The subject for a catalog entity: annotations of the entity, of its owner and of the
    /// owner's parents (a parent loop is walked once).
    pub fn of(catalog: &Catalog, id: EntityId) -> Self {
        let holder = |id: EntityId| {
            let e = catalog.get(id);
            Holder {
                entity: e.entity_ref().to_string(),
                annotations: e
                    .metadata
                    .annotations
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }
        };
        let owner_target = crate::ownership::owner_edge(catalog, id);
        let owner = owner_target.as_ref().map(|t| match t {
            Target::Resolved(o) => catalog.get(*o).entity_ref().to_string(),
            Target::Missing(r) => r.to_string(),
        });
        let mut owners = Vec::new();
        if let Some(Target::Resolved(mut current)) = owner_target {
            let mut seen = HashSet::from([id]);
            while seen.insert(current) {
                owners.push(holder(current));
                let parent = catalog
                    .edges(current)
                    .filter(|e| e.relation == RelationType::ChildOf)
                    .find_map(|e| match e.target {
                        Target::Resolved(p) => Some(p),
                        Target::Missing(_) => None,
                    });
                match parent {
                    Some(p) => current = p,
                    None => break,
                }
            }
        }
        Self {
            this: holder(id),
            owner,
            owners,
        }
    }

    /// The entity's reference.
    pub fn entity(&self) -> &str {
        &self.this.entity
    }

    /// The first of `keys` set on the entity itself.
    pub fn own(&self, keys: &[&'static str]) -> Option<Found> {
        find_in(&self.this, keys)
    }

    /// The first of `keys` on the entity, else on its owner, else on the nearest parent that
    /// has one: where on-call is usually written.
    pub fn inherited(&self, keys: &[&'static str]) -> Option<Found> {
        std::iter::once(&self.this)
            .chain(&self.owners)
            .find_map(|h| find_in(h, keys))
    }

    /// An annotation of the entity itself, trimmed, when set.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.this
            .annotations
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn find_in(holder: &Holder, keys: &[&'static str]) -> Option<Found> {
    keys.iter().find_map(|&key| {
        let value = holder.annotations.get(key)?.trim();
        (!value.is_empty()).then(|| Found {
            key,
            value: value.to_string(),
            from: holder.entity.clone(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(entity: &str, pairs: &[(&str, &str)]) -> Holder {
        Holder {
            entity: entity.into(),
            annotations: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn on_call_comes_from_the_nearest_holder_and_says_which() {
        let s = Subject {
            this: holder(
                "component:default/pay",
                &[("github.com/project-slug", "a/b")],
            ),
            owner: Some("group:default/payments".into()),
            owners: vec![
                holder("group:default/payments", &[]),
                holder(
                    "group:default/fintech",
                    &[("pagerduty.com/service-id", " P1 ")],
                ),
            ],
        };
        let found = s.inherited(&["pagerduty.com/service-id"]).unwrap();
        assert_eq!(found.value, "P1");
        assert_eq!(found.from, "group:default/fintech");
        assert_eq!(s.own(&["pagerduty.com/service-id"]), None);
    }

    #[test]
    fn owner_chain_is_walked_from_the_catalog_and_stops_at_a_loop() {
        let catalog = crate::fixtures::fixture("live/owner-chain.yaml");
        let id = crate::fixtures::id(&catalog, "component:default/svc");
        let s = Subject::of(&catalog, id);
        assert_eq!(s.owner.as_deref(), Some("group:default/team-a"));
        let names: Vec<&str> = s.owners.iter().map(|h| h.entity.as_str()).collect();
        assert_eq!(names, ["group:default/team-a", "group:default/org"]);
        assert_eq!(
            s.inherited(&["opsgenie.com/team"]).unwrap().from,
            "group:default/org"
        );
    }
}
