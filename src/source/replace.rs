//! One source's data swapped for new data (a refresh, or a start that showed the cache first):
//! the catalog is rebuilt with that source's new entities and every other source's kept.
//!
//! At 100,000 entities the rebuild takes a few hundred milliseconds, so it is split in three:
//! [`SourceTracker::replacement`] takes what the rebuild needs (the current catalog is shared,
//! not copied), [`Replacement::build`] builds the new catalog on any thread, and
//! [`SourceTracker::swap_in`] records the result in the tracker. The portal builds off the UI
//! thread and keeps showing the current catalog meanwhile.

use super::{SourceId, SourceTracker};
use crate::catalog::{Catalog, Entity, Problem};
use std::sync::Arc;

/// What rebuilding the catalog for one source's new data needs.
#[derive(Debug)]
pub struct Replacement {
    /// The catalog the new data replaces its source's part of.
    base: Arc<Catalog>,
    /// The source of each of `base`'s entities, by index (`None`: not sent by a source).
    owner: Vec<Option<SourceId>>,
    /// Every source's load problems, the replaced source's new ones included.
    problems: Vec<Vec<Problem>>,
    /// The source replaced.
    source: SourceId,
    /// Its new entities.
    entities: Vec<Entity>,
}

/// A rebuilt catalog, to be recorded with [`SourceTracker::swap_in`].
#[derive(Debug)]
pub struct Rebuilt {
    /// The new catalog.
    pub catalog: Catalog,
    /// The source of each of its entities, by index.
    owner: Vec<Option<SourceId>>,
    /// Each source's entity count in it.
    counts: Vec<usize>,
    /// Every source's load problems.
    problems: Vec<Vec<Problem>>,
    /// The source replaced.
    source: SourceId,
}

impl Replacement {
    /// The catalog this replacement was taken from.
    pub fn base(&self) -> &Arc<Catalog> {
        &self.base
    }

    /// Builds the new catalog: entities no source sent first (a catalog the caller started
    /// with, or registered in this session), then each source's in source order, the replaced
    /// one's being the new entities; references checked. The base is only read.
    pub fn build(self) -> Rebuilt {
        let Replacement {
            base,
            owner: base_owner,
            problems,
            source: replaced,
            entities,
        } = self;
        let mut untracked: Vec<&Entity> = Vec::new();
        let mut by_source: Vec<Vec<&Entity>> = vec![Vec::new(); problems.len()];
        for (i, e) in base.entities().iter().enumerate() {
            match base_owner.get(i).copied().flatten() {
                Some(s) if s == replaced => {}
                Some(s) => by_source[s].push(e),
                None => untracked.push(e),
            }
        }
        let mut catalog = Catalog::new();
        for p in problems.iter().flatten() {
            catalog.add_problem(p.clone());
        }
        let kept: usize = by_source.iter().map(Vec::len).sum();
        let total = untracked.len() + kept + entities.len();
        catalog.reserve(total);
        let mut owner = Vec::with_capacity(total);
        for e in untracked {
            if catalog.insert(e.clone()).is_some() {
                owner.push(None);
            }
        }
        let mut counts = vec![0; problems.len()];
        let mut new = Some(entities);
        for (s, kept) in by_source.into_iter().enumerate() {
            let list: Vec<Entity> = if s == replaced {
                new.take().unwrap_or_default()
            } else {
                kept.into_iter().cloned().collect()
            };
            // In one batch, so a large source's entities are prepared on two threads.
            catalog.insert_batch(list, |_| {
                owner.push(Some(s));
                counts[s] += 1;
            });
        }
        catalog.check_references();
        super::file::place_problems(&mut catalog);
        Rebuilt {
            catalog,
            owner,
            counts,
            problems,
            source: replaced,
        }
    }
}

impl SourceTracker {
    /// What rebuilding `base` (the catalog this tracker folded events into) with `source`'s
    /// new data needs; `None` for a source this tracker does not know.
    pub fn replacement(
        &self,
        base: Arc<Catalog>,
        source: SourceId,
        entities: Vec<Entity>,
        problems: Vec<Problem>,
    ) -> Option<Replacement> {
        if source >= self.statuses.len() {
            return None;
        }
        let mut all = self.problems.clone();
        all[source] = problems;
        Some(Replacement {
            base,
            owner: self.owner.clone(),
            problems: all,
            source,
            entities,
        })
    }

    /// Records a rebuilt catalog (see [`Replacement::build`]) and returns it: which source sent
    /// what, each source's entity count and problems, and the replaced source's data marked
    /// fresh (unless the replacement came from its cache).
    pub fn swap_in(&mut self, rebuilt: Rebuilt) -> Catalog {
        let Rebuilt {
            catalog,
            owner,
            counts,
            problems,
            source,
        } = rebuilt;
        for (status, count) in self.statuses.iter_mut().zip(counts) {
            status.entities = count;
        }
        self.owner = owner;
        self.problems = problems;
        self.statuses[source].cached_at = self.from_cache[source].take();
        catalog
    }
}
