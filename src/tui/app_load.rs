//! The app's side of loading: sources' events folded into the catalog and the search index,
//! a start from a snapshot, what to write once a load is complete (the sources' caches and the
//! next snapshot), and refreshes.

use super::{App, Effect, SearchIndex, RESULT_LIMIT};
use crate::catalog::{Catalog, EntityId, EntityRef, Problem};
use crate::source::save::Save;
use crate::source::{LoadEvent, SourceId};
use std::sync::Arc;

/// What to write once every source is done, off the UI thread: the caches the sources asked
/// for (from the catalog that holds their data), then the snapshot, whose key names those
/// caches as written.
pub struct AfterLoad {
    /// The caches to write.
    pub saves: Vec<Save>,
    /// The catalog they are written from.
    pub catalog: Arc<Catalog>,
    /// The source of each entity, by id.
    pub owner: Vec<Option<SourceId>>,
    /// Each source's load problems.
    pub problems: Vec<Vec<Problem>>,
    /// The snapshot, when one is due.
    pub snapshot: Option<crate::snapshot::Contents>,
}

impl AfterLoad {
    /// Writes the caches; returns the warnings of those that could not be written.
    pub fn write_saves(&self) -> Vec<Problem> {
        crate::source::save::write_all(&self.saves, &self.catalog, &self.owner, &self.problems)
    }
}

impl App {
    /// Starts from a snapshot of an earlier load (see [`crate::snapshot`]): its catalog, search
    /// index and record of which source sent what replace the (empty) state. The sources are
    /// still loading: they confirm the snapshot or replace their part of it. Refused (and the
    /// state left as it was) when the snapshot is not for these sources.
    pub fn restore(&mut self, snapshot: crate::snapshot::Snapshot) -> Result<(), String> {
        let crate::snapshot::Snapshot {
            catalog,
            index,
            owner,
            problems,
        } = snapshot;
        self.sources.restore(owner, problems)?;
        self.catalog = Arc::new(catalog);
        self.index = Arc::new(index);
        self.searching.version += 1;
        self.searching.behind = false;
        self.searching.load_due = true;
        self.search_loaded();
        Ok(())
    }

    /// What to write now that a load is complete (see [`AfterLoad`]): `None` while loading,
    /// while the index is behind the catalog (the snapshot needs it), or when nothing is due.
    pub fn take_writes(&mut self) -> Option<AfterLoad> {
        if self.is_loading() || self.index.len() != self.catalog.len() {
            return None;
        }
        let saves = self.sources.take_saves();
        let snapshot = self.take_snapshot();
        if saves.is_empty() && snapshot.is_none() {
            return None;
        }
        let (owner, problems) = self.sources.origins();
        Some(AfterLoad {
            saves,
            catalog: self.catalog.clone(),
            owner: owner.to_vec(),
            problems: problems.to_vec(),
            snapshot,
        })
    }

    /// The state to write as the next start's snapshot, once per completed load that changed
    /// it (not after a start whose sources all confirmed the snapshot). `None` while loading,
    /// while the index is behind the catalog, or when the catalog holds entities no source
    /// sent (registered in this session).
    pub fn take_snapshot(&mut self) -> Option<crate::snapshot::Contents> {
        if !self.snapshot.due || self.is_loading() || self.index.len() != self.catalog.len() {
            return None;
        }
        self.snapshot.due = false;
        let (owner, problems) = self.sources.origins();
        if owner.len() != self.catalog.len() || owner.iter().any(Option::is_none) {
            return None;
        }
        Some(crate::snapshot::Contents {
            catalog: self.catalog.clone(),
            index: self.index.clone(),
            owner: owner.to_vec(),
            problems: problems.to_vec(),
        })
    }

    /// True while any source is still loading (the spinner ticks only then).
    pub fn is_loading(&self) -> bool {
        self.sources.loading()
    }

    /// Folds a source's event into the catalog, the search index and the open views.
    pub(super) fn load(&mut self, event: LoadEvent) {
        let replace = matches!(event, LoadEvent::Replace { .. });
        // A replacement rebuilds the catalog and renumbers every entity: remember what the user
        // is looking at by reference, to find it again.
        let old_refs: Vec<EntityRef> = if replace {
            self.catalog
                .entities()
                .iter()
                .map(|e| e.entity_ref().clone())
                .collect()
        } else {
            Vec::new()
        };
        let done = matches!(event, LoadEvent::Done { .. });
        let alters = match &event {
            LoadEvent::Batch {
                entities, problems, ..
            } => !entities.is_empty() || !problems.is_empty(),
            LoadEvent::Replace { .. } => true,
            _ => false,
        };
        self.snapshot.dirty |= alters;
        let changed = match event {
            // These never touch the catalog: no need to take it from a snapshot writer.
            LoadEvent::Progress { .. } | LoadEvent::Cached { .. } | LoadEvent::Save(_) => {
                self.sources.apply(&mut Catalog::new(), event)
            }
            event => self.sources.apply(Arc::make_mut(&mut self.catalog), event),
        };
        if done && !self.is_loading() && self.snapshot.dirty {
            self.snapshot.due = true;
            self.snapshot.dirty = false;
        }
        if replace || (done && !self.is_loading()) {
            // Score once the whole catalog is in (relations only resolve then), and again after
            // a replacement renumbered the entities; after the frame that shows the catalog,
            // so a start is usable before the scorecards are in.
            self.scores_due = true;
        }
        if replace {
            self.catalog_replaced(&old_refs);
        } else {
            if changed {
                // The index grows with every batch; the results follow at a bounded rate.
                self.extend_index();
                self.searching.load_due = true;
            }
            self.search_loaded();
        }
        let statuses = self.sources.statuses().to_vec();
        for view in &mut self.stack {
            view.sources_changed(&statuses);
        }
    }

    /// After a source's data was swapped in: a new search index, the same query, and the same
    /// selected and open entities where they still exist.
    fn catalog_replaced(&mut self, old_refs: &[EntityRef]) {
        let remap = |id: EntityId| old_refs.get(id.index()).and_then(|r| self.catalog.id_of(r));
        let selected = self.search.selected_id().and_then(remap);
        self.index = Arc::new(SearchIndex::build(&self.catalog));
        self.searching.version += 1;
        self.searching.behind = false;
        // Built while other sources may still load: ranked again once they are in.
        self.searching.ranks_stale = true;
        self.searching.load_due = false;
        // Inline: the results on screen name entities by their old numbers.
        let results = self.searching.narrowing.search(
            &self.index,
            self.searching.version,
            &self.search.parsed_query(),
            RESULT_LIMIT,
        );
        self.searching.awaiting = None;
        self.search.set_results(results, None);
        if let Some(pos) =
            selected.and_then(|id| self.search.results.hits.iter().position(|h| h.id == id))
        {
            self.search.selected = pos;
        }
        let before = self.stack.len();
        let mut stack = std::mem::take(&mut self.stack);
        let ctx = self.ctx();
        stack.retain_mut(|view| view.remap(&ctx, &remap));
        self.stack = stack;
        if self.stack.len() < before {
            self.status_info("refreshed: an entity you had open is no longer in the catalog");
        }
    }

    /// Asks for a refresh of every source (`name` empty) or of the one named.
    pub fn refresh(&mut self, name: &str) -> Result<Option<Effect>, String> {
        let ids: Vec<SourceId> = (0..self.sources.statuses().len())
            .filter(|&i| name.is_empty() || self.sources.statuses()[i].name == name)
            .collect();
        if ids.is_empty() {
            let names: Vec<&str> = self
                .sources
                .statuses()
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(if names.is_empty() {
                "there is no source to refresh".into()
            } else {
                format!(
                    "no source named {:?} (sources: {})",
                    crate::tui::widgets::wrap::safe_line(name),
                    names.join(", ")
                )
            });
        }
        for &id in &ids {
            self.sources.start_refresh(id);
        }
        self.status_info(format!(
            "refreshing {}",
            if name.is_empty() { "all sources" } else { name }
        ));
        Ok(Some(Effect::Refresh(ids)))
    }
}
