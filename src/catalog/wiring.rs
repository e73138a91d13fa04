//! The catalog's resolved state in integer form, so a start from a snapshot (see
//! [`crate::snapshot`]) rebuilds a [`Catalog`] without validating entities or looking up a
//! single reference: relations are stored as entity ids, unresolved targets by their text.

use super::{
    Catalog, Entity, EntityId, EntityRef, Problem, RelationType, Stored, Waiting, MISSING,
};
use foldhash::{HashMap, HashMapExt};

/// Every entity's relations as integers: what [`Catalog::from_wiring`] needs besides the
/// entities and problems.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wiring {
    /// Per entity, in id order: how many edges it has.
    pub edge_counts: Vec<u32>,
    /// Per edge: its relation, as an index into [`RelationType::ALL`].
    pub relations: Vec<u8>,
    /// Per edge: the target's id, or (at `entities + i`) the `i`th of `missing`.
    pub targets: Vec<u32>,
    /// References nothing in the catalog has, in canonical form.
    pub missing: Vec<String>,
}

fn relation_code(r: RelationType) -> u8 {
    RelationType::ALL
        .iter()
        .position(|x| *x == r)
        .unwrap_or_default() as u8
}

impl Catalog {
    /// The relations of every entity as integers, for a snapshot.
    pub fn wiring(&self) -> Wiring {
        let n = self.entities.len() as u32;
        let total: usize = self.edges.iter().map(Vec::len).sum();
        let mut wiring = Wiring {
            edge_counts: Vec::with_capacity(self.edges.len()),
            relations: Vec::with_capacity(total),
            targets: Vec::with_capacity(total),
            missing: Vec::new(),
        };
        // Each missing reference's number in the catalog, to its number in the wiring.
        let mut missing: HashMap<u32, u32> = HashMap::new();
        for list in &self.edges {
            wiring.edge_counts.push(list.len() as u32);
            for &link in list {
                wiring.relations.push(relation_code(link.relation));
                wiring.targets.push(match link.missing() {
                    None => link.target,
                    Some(slot) => {
                        let next = missing.len() as u32;
                        let i = *missing.entry(slot).or_insert_with(|| {
                            let r = &self.missing[slot as usize];
                            wiring.missing.push(r.as_str().to_string());
                            next
                        });
                        n + i
                    }
                });
            }
        }
        wiring
    }

    /// Load and validation problems, then the unresolved-reference warnings, as two lists.
    pub fn problem_lists(&self) -> (&[Problem], &[Problem]) {
        (&self.problems, &self.reference_problems)
    }

    /// Rebuilds a catalog from what [`Catalog::wiring`] and [`Catalog::problem_lists`] gave for
    /// these entities (in id order): no validation, no reference lookups. Fails on anything
    /// that does not fit together (an id out of range, an unknown relation, a duplicate
    /// reference), so a damaged snapshot is refused rather than trusted.
    pub fn from_wiring(
        entities: Vec<Entity>,
        wiring: Wiring,
        problems: Vec<Problem>,
        reference_problems: Vec<Problem>,
    ) -> Result<Catalog, String> {
        let mut index = RefIndex::with_capacity(entities.len());
        index.add(&entities)?;
        let wired = wiring.resolve(entities.len())?;
        Catalog::assemble(entities, index, wired, problems, reference_problems)
    }

    /// [`Catalog::from_wiring`] from parts prepared separately (on other threads, as entities
    /// arrive): the entities, their reference index and their resolved wiring.
    pub fn assemble(
        entities: Vec<Entity>,
        index: RefIndex,
        wired: Wired,
        problems: Vec<Problem>,
        reference_problems: Vec<Problem>,
    ) -> Result<Catalog, String> {
        if index.0.len() != entities.len() || wired.edges.len() != entities.len() {
            return Err("relations do not match the entities".into());
        }
        Ok(Catalog {
            entities,
            index: index.0,
            edges: wired.edges,
            resolved: None,
            dangling: wired.dangling,
            missing: wired.missing,
            free: Vec::new(),
            problems,
            reference_problems,
            ref_order: std::sync::OnceLock::new(),
        })
    }
}

/// The catalog's index of entities by reference, built as entities arrive in id order.
#[derive(Debug, Default)]
pub struct RefIndex(HashMap<EntityRef, EntityId>);

impl RefIndex {
    /// An empty index with room for `n` entities.
    pub fn with_capacity(n: usize) -> Self {
        RefIndex(HashMap::with_capacity(n))
    }

    /// Indexes the next entities (their ids follow the ones indexed so far). Fails on a
    /// reference indexed before.
    pub fn add(&mut self, entities: &[Entity]) -> Result<(), String> {
        for e in entities {
            let id = EntityId(self.0.len() as u32);
            if self.0.insert(e.entity_ref().clone(), id).is_some() {
                return Err(format!("{} appears twice", e.entity_ref()));
            }
        }
        Ok(())
    }
}

/// Every entity's relations resolved from a [`Wiring`]: edges by id, and the references that
/// still wait for an entity.
#[derive(Debug)]
pub struct Wired {
    edges: Vec<Vec<Stored>>,
    dangling: HashMap<EntityRef, Waiting>,
    missing: Vec<EntityRef>,
}

impl Wiring {
    /// Resolves the wiring of a catalog of `n` entities into edges; fails when it does not
    /// fit (ids out of range, unknown relations, counts that do not add up).
    pub fn resolve(self, n: usize) -> Result<Wired, String> {
        let Wiring {
            edge_counts,
            relations,
            targets,
            missing,
        } = self;
        if edge_counts.len() != n || relations.len() != targets.len() {
            return Err("relations do not match the entities".into());
        }
        if n >= MISSING as usize || missing.len() >= MISSING as usize {
            return Err("more entities or missing references than a catalog holds".into());
        }
        let missing: Vec<EntityRef> = missing
            .iter()
            .map(|m| EntityRef::parse(m, None, super::DEFAULT_NAMESPACE).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        let mut edges = Vec::with_capacity(n);
        let mut dangling: HashMap<EntityRef, Waiting> = HashMap::new();
        let mut at = 0usize;
        for (source, &count) in edge_counts.iter().enumerate() {
            let end = at
                .checked_add(count as usize)
                .filter(|&end| end <= targets.len())
                .ok_or("more edges than stored")?;
            let mut list = Vec::with_capacity(count as usize);
            for (&code, &target) in relations[at..end].iter().zip(&targets[at..end]) {
                let relation = *RelationType::ALL
                    .get(code as usize)
                    .ok_or_else(|| format!("unknown relation {code}"))?;
                let at = target as usize;
                let target = if at < n {
                    target
                } else {
                    let slot = at - n;
                    let r = missing.get(slot).ok_or("edge target out of range")?;
                    // A reference listed twice (a damaged snapshot) waits under its first
                    // number, so its links are all dropped when its entity arrives.
                    let waiting = dangling.entry(r.clone()).or_insert_with(|| Waiting {
                        slot: slot as u32,
                        sources: Vec::new(),
                    });
                    waiting.sources.push((EntityId(source as u32), relation));
                    MISSING | waiting.slot
                };
                list.push(Stored { relation, target });
            }
            edges.push(list);
            at = end;
        }
        if at != targets.len() {
            return Err("fewer edges than stored".into());
        }
        Ok(Wired {
            edges,
            dangling,
            missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Target;

    fn component(name: &str, depends_on: &[&str]) -> Entity {
        Entity::from_value(
            serde_json::json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                "metadata": {"name": name},
                "spec": {"type": "service", "lifecycle": "production", "owner": "nobody",
                         "dependsOn": depends_on}}),
            super::super::Origin::new("late.yaml", Some(1)),
        )
        .unwrap()
        .0
    }

    #[test]
    fn a_catalog_rebuilt_from_its_wiring_is_the_same_catalog() {
        let mut entities = crate::synthetic::generate(3_000, 3);
        let dup = entities[5].clone();
        entities.push(dup);
        entities.push(component("lonely", &["component:default/ghost"]));
        let original = Catalog::from_entities(entities, vec![Problem::error(None, "a bad file")]);
        let (problems, refs) = original.problem_lists();
        assert!(problems.iter().any(|p| p.message.contains("duplicate")));
        assert!(refs
            .iter()
            .any(|p| p.message.contains("dependsOn component:default/ghost")));
        let rebuilt = Catalog::from_wiring(
            original.entities().to_vec(),
            original.wiring(),
            problems.to_vec(),
            refs.to_vec(),
        )
        .unwrap();
        assert_eq!(rebuilt.entities(), original.entities());
        for id in original.ids() {
            assert_eq!(
                rebuilt.edges(id).collect::<Vec<_>>(),
                original.edges(id).collect::<Vec<_>>()
            );
            assert_eq!(rebuilt.id_of(original.get(id).entity_ref()), Some(id));
        }
        let text = |c: &Catalog| c.problems().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(text(&rebuilt), text(&original));
        // Unresolved references still wait for their entity: inserting it resolves them.
        let lonely = rebuilt
            .id_of(&EntityRef::new("component", "default", "lonely"))
            .unwrap();
        let mut rebuilt = rebuilt;
        let ghost = rebuilt.insert(component("ghost", &[])).unwrap();
        assert!(rebuilt
            .edges(lonely)
            .any(|e| e.relation == RelationType::DependsOn && e.target == Target::Resolved(ghost)));
        // The edge that waited for it is gone, not kept beside the resolved one.
        assert!(!rebuilt.edges(lonely).any(
            |e| matches!(&e.target, Target::Missing(r) if r.as_str() == "component:default/ghost")
        ));
        assert!(rebuilt
            .related(ghost, RelationType::DependencyOf)
            .any(|id| id == lonely));
        rebuilt.check_references();
        assert!(!text(&rebuilt)
            .iter()
            .any(|p| p.contains("dependsOn component:default/ghost")));
    }

    #[test]
    fn wiring_that_does_not_fit_is_refused() {
        let original = Catalog::from_entities(crate::synthetic::generate(50, 1), vec![]);
        let mut wiring = original.wiring();
        wiring.targets[0] = 10_000;
        let err = Catalog::from_wiring(original.entities().to_vec(), wiring, vec![], vec![]);
        assert!(err.is_err());
        let mut wiring = original.wiring();
        wiring.relations[0] = 200;
        assert!(
            Catalog::from_wiring(original.entities().to_vec(), wiring, vec![], vec![]).is_err()
        );
        let mut wiring = original.wiring();
        wiring.edge_counts.pop();
        assert!(
            Catalog::from_wiring(original.entities().to_vec(), wiring, vec![], vec![]).is_err()
        );
        let mut twice = original.entities().to_vec();
        twice[1] = twice[0].clone();
        assert!(Catalog::from_wiring(twice, original.wiring(), vec![], vec![]).is_err());
    }
}
