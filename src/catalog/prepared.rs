//! What inserting entities into the catalog needs from each entity alone (validation, the
//! relations it states), prepared before the wiring, on two threads for a large batch.

use super::{relations, validate, Entity, Problem, RelationType};

/// What inserting a run of entities needs that depends on each entity alone: its validation
/// problems and the relations its spec (or the server) states, with their targets as
/// canonical text (looked up in the index as text: no reference is allocated per relation).
/// Held flat for the whole run, so preparing allocates a few buffers, not a few per entity.
#[derive(Default)]
pub(super) struct Prepared {
    pub(super) problems: Vec<Problem>,
    pub(super) stated: Vec<(RelationType, Stated)>,
    /// The canonical text of every target read from a spec, one after another.
    pub(super) targets: String,
    /// Per entity, in order: how many of `problems` and of `stated` are its.
    pub(super) counts: Vec<(u32, u32)>,
}

/// Where a stated relation's target reference is.
#[derive(Clone, Copy)]
pub(super) enum Stated {
    /// The entity's server relation at this index.
    Server(u32),
    /// This byte range of [`Prepared::targets`].
    Spec(u32, u32),
}

impl Prepared {
    /// Prepares each of `entities`, in order.
    pub(super) fn all(entities: &[Entity]) -> Self {
        let mut out = Prepared {
            counts: Vec::with_capacity(entities.len()),
            ..Prepared::default()
        };
        for entity in entities {
            out.add(entity);
        }
        out
    }

    fn add(&mut self, entity: &Entity) {
        let (problems, stated) = (self.problems.len(), self.stated.len());
        self.problems.extend(validate::validate(entity));
        match &entity.server_relations {
            Some(rels) => self.stated.extend(
                rels.iter()
                    .enumerate()
                    .filter_map(|(i, (t, _))| Some((t.relation()?, Stated::Server(i as u32)))),
            ),
            None => {
                let found =
                    relations::spec_relation_texts(entity, &mut self.targets, &mut self.problems);
                self.stated.extend(
                    found
                        .into_iter()
                        .map(|(relation, start, end)| (relation, Stated::Spec(start, end))),
                );
            }
        }
        self.counts.push((
            (self.problems.len() - problems) as u32,
            (self.stated.len() - stated) as u32,
        ));
    }

    /// The canonical text of a stated relation's target (`targets`: the run's spec targets).
    pub(super) fn target<'a>(targets: &'a str, entity: &'a Entity, stated: Stated) -> &'a str {
        match stated {
            Stated::Server(i) => entity
                .server_relations
                .as_ref()
                .and_then(|rels| rels.get(i as usize))
                .map_or("", |(_, r)| r.as_str()),
            Stated::Spec(start, end) => targets.get(start as usize..end as usize).unwrap_or(""),
        }
    }
}
