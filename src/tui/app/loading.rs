//! The app's side of loading: sources' events folded into the catalog and the search index,
//! a start from a snapshot, what to write once a load is complete (the sources' caches and the
//! next snapshot), and refreshes.

use super::{App, SearchIndex, Task, RESULT_LIMIT};
use crate::catalog::{Catalog, Entity, EntityId, Problem};
use crate::source::replace::Replacement;
use crate::source::save::Save;
use crate::source::{LoadEvent, SourceId};
use std::collections::VecDeque;
use std::sync::Arc;

/// A source's data being swapped for new data (see [`crate::source::replace`]), and what
/// waits for it.
#[derive(Default)]
pub(super) struct Replacing {
    /// A replacement is being built: the catalog must not change until it is swapped in.
    building: bool,
    /// What arrived meanwhile, in order.
    held: VecDeque<Held>,
    /// Catalogs replaced, to drop off the UI thread after the next frame.
    retired: Vec<Arc<Catalog>>,
}

/// A change to the catalog that waits for a replacement being built.
enum Held {
    Load(LoadEvent),
    Register {
        entities: Vec<Entity>,
        message: String,
    },
}

/// A replacement to build: the catalog with one source's new data, then its search index.
pub struct RebuildJob(Replacement);

impl RebuildJob {
    /// Builds it (a few hundred milliseconds at 100,000 entities: off the UI thread).
    pub fn run(self) -> BuiltReplacement {
        let base = self.0.base().clone();
        let rebuilt = self.0.build();
        let index = SearchIndex::build(&rebuilt.catalog);
        BuiltReplacement {
            base,
            catalog: rebuilt,
            index,
        }
    }
}

/// A built replacement, for `Reply::Rebuilt`: the new catalog (with what the sources'
/// tracker records of it, [`crate::source::replace::Rebuilt`]) and its search index.
pub struct BuiltReplacement {
    /// The catalog it was built from, which must still be the app's.
    base: Arc<Catalog>,
    /// The new catalog, with what the sources' tracker records of it.
    catalog: crate::source::replace::Rebuilt,
    /// Its search index.
    index: SearchIndex,
}

impl std::fmt::Debug for BuiltReplacement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltReplacement")
            .field("entities", &self.catalog.catalog.len())
            .finish_non_exhaustive()
    }
}

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
        self.data.sources.restore(owner, problems)?;
        self.data.catalog = Arc::new(catalog);
        self.data.index = Arc::new(index);
        self.pending.searching.version += 1;
        self.pending.searching.behind = false;
        self.pending.searching.load_due = true;
        self.search_loaded();
        Ok(())
    }

    /// What to write now that a load is complete (see [`AfterLoad`]): `None` while loading,
    /// while the index is behind the catalog (the snapshot needs it), or when nothing is due.
    pub(super) fn writes_due(&mut self) -> Option<AfterLoad> {
        if self.is_loading() || self.data.index.len() != self.data.catalog.len() {
            return None;
        }
        let saves = self.data.sources.take_saves();
        let snapshot = self.take_snapshot();
        if saves.is_empty() && snapshot.is_none() {
            return None;
        }
        let (owner, problems) = self.data.sources.origins();
        Some(AfterLoad {
            saves,
            catalog: self.data.catalog.clone(),
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
        if !self.pending.snapshot.due
            || self.is_loading()
            || self.data.index.len() != self.data.catalog.len()
        {
            return None;
        }
        self.pending.snapshot.due = false;
        let (owner, problems) = self.data.sources.origins();
        if owner.len() != self.data.catalog.len() || owner.iter().any(Option::is_none) {
            return None;
        }
        Some(crate::snapshot::Contents {
            catalog: self.data.catalog.clone(),
            index: self.data.index.clone(),
            owner: owner.to_vec(),
            problems: problems.to_vec(),
        })
    }

    /// True while any source is still loading (the spinner ticks only then).
    pub fn is_loading(&self) -> bool {
        self.data.sources.loading()
    }

    /// Folds a source's event into the catalog, the search index and the open views. A
    /// replacement of a source's data is built off the UI thread when the loop does that (see
    /// `Task::Rebuild`); until it is swapped in, later events wait, in order.
    pub(super) fn load(&mut self, event: LoadEvent) {
        if self.pending.replacing.building {
            self.pending.replacing.held.push_back(Held::Load(event));
            return;
        }
        match event {
            LoadEvent::Replace {
                source,
                entities,
                problems,
            } => self.replace(source, entities, problems),
            event => self.fold(event),
        }
    }

    /// Folds an event that adds to the catalog (or only to the sources' statuses).
    fn fold(&mut self, event: LoadEvent) {
        let done = matches!(event, LoadEvent::Done { .. });
        if let LoadEvent::Batch {
            entities, problems, ..
        } = &event
        {
            self.pending.snapshot.dirty |= !entities.is_empty() || !problems.is_empty();
        }
        let changed = match event {
            // These never touch the catalog: no need to take it from a snapshot writer.
            LoadEvent::Progress { .. } | LoadEvent::Cached { .. } | LoadEvent::Save(_) => {
                self.data.sources.apply(&mut Catalog::new(), event)
            }
            event => self
                .data
                .sources
                .apply(Arc::make_mut(&mut self.data.catalog), event),
        };
        if done && !self.is_loading() {
            if self.pending.snapshot.dirty {
                self.pending.snapshot.due = true;
                self.pending.snapshot.dirty = false;
            }
            // Score once the whole catalog is in (relations only resolve then), after the
            // frame that shows it, so a start is usable before the scorecards are in.
            self.pending.scores_due = true;
        }
        if changed {
            // The index grows with every batch; the results follow at a bounded rate.
            self.extend_index();
            self.pending.searching.load_due = true;
        }
        self.search_loaded();
        self.sources_changed();
    }

    /// Starts swapping a source's data for new data: built here, or asked for as a task.
    fn replace(&mut self, source: SourceId, entities: Vec<Entity>, problems: Vec<Problem>) {
        let Some(replacement) =
            self.data
                .sources
                .replacement(self.data.catalog.clone(), source, entities, problems)
        else {
            return;
        };
        self.pending.snapshot.dirty = true;
        let job = RebuildJob(replacement);
        if self.settings.background {
            self.pending.asked.push(Task::Rebuild(job));
            self.pending.replacing.building = true;
        } else {
            self.rebuilt(job.run());
        }
    }

    /// Catalogs replaced since the last call, to drop off the UI thread (100,000 entities take
    /// tens of milliseconds to free).
    pub(super) fn retired_catalogs(&mut self) -> Vec<Arc<Catalog>> {
        std::mem::take(&mut self.pending.replacing.retired)
    }

    /// Swaps in a rebuilt catalog and its index, finds what the user was looking at again, and
    /// lets through what waited for it.
    pub(super) fn rebuilt(&mut self, done: BuiltReplacement) {
        let BuiltReplacement {
            base,
            catalog,
            index,
        } = done;
        let catalog = self.data.sources.swap_in(catalog);
        let old = std::mem::replace(&mut self.data.catalog, Arc::new(catalog));
        debug_assert!(
            Arc::ptr_eq(&old, &base),
            "the catalog changed while rebuilt"
        );
        drop(base);
        self.data.index = Arc::new(index);
        // The results name entities by their old numbers: dropped, and scored again after the
        // frame that shows the new data.
        self.data.scores.set_pending();
        self.pending.scores_due = true;
        self.catalog_replaced(&old);
        if self.settings.background {
            self.pending.replacing.retired.push(old);
        }
        self.pending.replacing.building = false;
        self.search_loaded();
        self.sources_changed();
        while !self.pending.replacing.building {
            match self.pending.replacing.held.pop_front() {
                Some(Held::Load(event)) => self.load(event),
                Some(Held::Register { entities, message }) => self.register(entities, message),
                None => break,
            }
        }
    }

    /// Adds entities to the catalog that no source sent (a template run registered them),
    /// after any replacement being built.
    pub(crate) fn register(&mut self, entities: Vec<Entity>, message: String) {
        if self.pending.replacing.building {
            self.pending
                .replacing
                .held
                .push_back(Held::Register { entities, message });
            return;
        }
        let count = entities.len();
        self.data.scores.forget_catalog();
        let catalog = Arc::make_mut(&mut self.data.catalog);
        for e in entities {
            catalog.insert(e);
        }
        catalog.check_references();
        self.extend_index();
        self.pending.searching.load_due = true;
        self.search_loaded();
        self.pending.scores_due |= count > 0;
        self.status_info(if count == 0 {
            message
        } else {
            format!("{message}; {count} entity(ies) added to the catalog")
        });
    }

    /// Tells the open views the sources' statuses changed.
    fn sources_changed(&mut self) {
        if self.screen.stack.is_empty() {
            return;
        }
        let statuses = self.data.sources.statuses().to_vec();
        self.tell_panes(&crate::tui::action::Action::SourcesChanged(statuses));
    }

    /// After a source's data was swapped in (the index already rebuilt): the same query, and
    /// the same selected and open entities where they still exist.
    fn catalog_replaced(&mut self, old: &Catalog) {
        let remap = |id: EntityId| {
            let e = old.entities().get(id.index())?;
            self.data.catalog.id_of(e.entity_ref())
        };
        let selected = self.screen.search.selected_id().and_then(remap);
        self.pending.searching.version += 1;
        self.pending.searching.behind = false;
        // Built while other sources may still load: ranked again once they are in.
        self.pending.searching.ranks_stale = true;
        self.pending.searching.load_due = false;
        // Inline: the results on screen name entities by their old numbers.
        let mut results = self.pending.searching.narrowing.search(
            &self.data.index,
            self.pending.searching.version,
            &self.screen.search.parsed_query(),
            RESULT_LIMIT,
        );
        if self.screen.search.facets.is_open() {
            results.facets = self
                .pending
                .searching
                .narrowing
                .facets(&self.data.index, self.pending.searching.version);
        }
        self.pending.searching.awaiting = None;
        self.screen.search.set_results(results, None);
        if let Some(id) = selected {
            self.screen.search.select_id(id);
        }
        let before = self.screen.stack.len();
        let mut stack = std::mem::take(&mut self.screen.stack);
        let ctx = self.ctx();
        stack.retain_mut(|view| view.remap(&ctx, &remap));
        self.screen.stack = stack;
        if self.screen.stack.len() < before {
            self.status_info("refreshed: an entity you had open is no longer in the catalog");
        }
    }

    /// Asks for a refresh of every source (`name` empty) or of the one named.
    pub fn refresh(&mut self, name: &str) -> Result<Option<Task>, String> {
        let ids: Vec<SourceId> = (0..self.data.sources.statuses().len())
            .filter(|&i| name.is_empty() || self.data.sources.statuses()[i].name == name)
            .collect();
        if ids.is_empty() {
            let names: Vec<&str> = self
                .data
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
            self.data.sources.start_refresh(id);
        }
        self.status_info(format!(
            "refreshing {}",
            if name.is_empty() { "all sources" } else { name }
        ));
        Ok(Some(Task::Refresh(ids)))
    }
}
