//! The load-event reducer both front ends share: what a source's [`LoadEvent`] does to the
//! catalog and the sources' record, a start from a snapshot, a source's data replaced (built
//! here or off the caller's thread), and what to write once a load is complete (the sources'
//! caches and the next start's snapshot). No terminal: the TUI's `App` keeps one and adds what
//! the screen needs (the search results, the open panes); the command line folds a whole load
//! into one (see [`super::load_blocking`]).

use crate::catalog::{Catalog, Entity, Problem};
use crate::search::SearchIndex;
use crate::source::replace::Replacement;
use crate::source::save::Save;
use crate::source::{LoadEvent, SourceId, SourceSpec, SourceTracker};
use std::collections::VecDeque;
use std::sync::Arc;

/// The catalog, its search index and the sources' record, with the bookkeeping of a load.
pub struct CatalogState {
    /// The catalog loaded so far; shared (read-only) with the snapshot writer after a load.
    catalog: Arc<Catalog>,
    /// The search index over it. The reducer only swaps it (a restore, a replacement); a front
    /// end that searches while sources load extends it ([`CatalogState::index_mut`]).
    index: Arc<SearchIndex>,
    /// The sources: each one's state, entity count, last refresh and error.
    sources: SourceTracker,
    /// Whether the state differs from the snapshot on disk, and a write is due.
    snapshot: SnapshotState,
    /// A source's replacement being built, and what waits for it.
    replacing: Replacing,
    /// A replacement is returned to be built off the caller's thread
    /// ([`Applied::Rebuild`]); otherwise it is built at once.
    background: bool,
}

/// When the state should be written as the next start's snapshot.
#[derive(Debug, Default)]
struct SnapshotState {
    /// Sources changed the catalog since the snapshot the state started from (if any).
    dirty: bool,
    /// Every source is done and the state is dirty: written at the next chance.
    due: bool,
}

/// A source's data being swapped for new data (see [`crate::source::replace`]), and what
/// waits for it.
#[derive(Default)]
struct Replacing {
    /// A replacement is being built: the catalog must not change until it is swapped in.
    building: bool,
    /// What arrived meanwhile, in order.
    held: VecDeque<Held>,
    /// Catalogs replaced, to drop off the caller's thread.
    retired: Vec<Arc<Catalog>>,
}

/// A change to the catalog that waited for a replacement being built, handed back in order by
/// [`CatalogState::next_held`] once it is swapped in.
#[derive(Debug)]
pub enum Held {
    /// A source's event.
    Load(LoadEvent),
    /// Entities no source sent (a template run registered them), with what to tell the user.
    Register {
        /// The entities.
        entities: Vec<Entity>,
        /// The message for the user.
        message: String,
    },
}

/// What an event did, for the front end to follow up.
#[derive(Debug)]
pub enum Applied {
    /// A replacement is being built: the event waits (see [`CatalogState::next_held`]).
    Held,
    /// Nothing to follow up (a replacement the sources' record refused).
    Nothing,
    /// A replacement to build off the caller's thread; its result goes to
    /// [`CatalogState::rebuilt`], and until then later events wait.
    Rebuild(RebuildJob),
    /// A replacement was built and swapped in at once: the catalog it replaced (ids changed).
    Replaced(Arc<Catalog>),
    /// The event was folded into the catalog or only into the sources' statuses.
    Folded {
        /// The catalog changed.
        changed: bool,
        /// The event was a source's last and no source is loading any more.
        complete: bool,
    },
}

/// A replacement to build: the catalog with one source's new data, then its search index.
pub struct RebuildJob(Replacement);

impl std::fmt::Debug for RebuildJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RebuildJob").finish_non_exhaustive()
    }
}

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

/// A built replacement: the new catalog (with what the sources' tracker records of it,
/// [`crate::source::replace::Rebuilt`]) and its search index.
pub struct BuiltReplacement {
    /// The catalog it was built from, which must still be the state's.
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

impl CatalogState {
    /// A state over a catalog, with sources still to report (each starts as loading).
    pub fn new(catalog: Catalog, sources: &[SourceSpec]) -> Self {
        let index = Arc::new(SearchIndex::build(&catalog));
        CatalogState {
            catalog: Arc::new(catalog),
            index,
            sources: SourceTracker::new(sources),
            snapshot: SnapshotState::default(),
            replacing: Replacing::default(),
            background: false,
        }
    }

    /// Returns replacements to be built off the caller's thread from now on
    /// ([`Applied::Rebuild`]); without this they are built at once.
    pub fn rebuild_in_background(&mut self) {
        self.background = true;
    }

    /// The catalog loaded so far.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The search index (it may lag behind the catalog while sources load).
    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// The catalog and the search index to extend in place, when nobody else holds the index
    /// (a search worker does while it searches).
    pub fn index_mut(&mut self) -> (&Catalog, Option<&mut SearchIndex>) {
        (&self.catalog, Arc::get_mut(&mut self.index))
    }

    /// The sources: each one's state, entity count, last refresh and error.
    pub fn sources(&self) -> &SourceTracker {
        &self.sources
    }

    /// Marks a source as loading again (a refresh was started); its data stays.
    pub fn start_refresh(&mut self, source: SourceId) {
        self.sources.start_refresh(source);
    }

    /// True while any source is still loading.
    pub fn is_loading(&self) -> bool {
        self.sources.loading()
    }

    /// True while a replacement is being built (and events wait for it).
    pub fn is_rebuilding(&self) -> bool {
        self.replacing.building
    }

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
        Ok(())
    }

    /// Folds a source's event into the catalog and the sources' record. While a replacement is
    /// being built the event waits, in order.
    pub fn apply(&mut self, event: LoadEvent) -> Applied {
        if self.replacing.building {
            self.replacing.held.push_back(Held::Load(event));
            return Applied::Held;
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
    fn fold(&mut self, event: LoadEvent) -> Applied {
        let done = matches!(event, LoadEvent::Done { .. });
        if let LoadEvent::Batch {
            entities, problems, ..
        } = &event
        {
            self.snapshot.dirty |= !entities.is_empty() || !problems.is_empty();
        }
        let changed = match event {
            // These never touch the catalog: no need to take it from a snapshot writer.
            LoadEvent::Progress { .. } | LoadEvent::Cached { .. } | LoadEvent::Save(_) => {
                self.sources.apply(&mut Catalog::new(), event)
            }
            event => self.sources.apply(Arc::make_mut(&mut self.catalog), event),
        };
        let complete = done && !self.is_loading();
        if complete && self.snapshot.dirty {
            self.snapshot.due = true;
            self.snapshot.dirty = false;
        }
        Applied::Folded { changed, complete }
    }

    /// Starts swapping a source's data for new data: built here, or returned as a job.
    fn replace(
        &mut self,
        source: SourceId,
        entities: Vec<Entity>,
        problems: Vec<Problem>,
    ) -> Applied {
        let Some(replacement) =
            self.sources
                .replacement(self.catalog.clone(), source, entities, problems)
        else {
            return Applied::Nothing;
        };
        self.snapshot.dirty = true;
        let job = RebuildJob(replacement);
        if self.background {
            self.replacing.building = true;
            Applied::Rebuild(job)
        } else {
            Applied::Replaced(self.rebuilt(job.run()))
        }
    }

    /// Swaps in a rebuilt catalog and its index; returns the catalog it replaced (entity ids
    /// changed). What waited for it is then handed out by [`CatalogState::next_held`].
    pub fn rebuilt(&mut self, done: BuiltReplacement) -> Arc<Catalog> {
        let BuiltReplacement {
            base,
            catalog,
            index,
        } = done;
        let catalog = self.sources.swap_in(catalog);
        let old = std::mem::replace(&mut self.catalog, Arc::new(catalog));
        debug_assert!(
            Arc::ptr_eq(&old, &base),
            "the catalog changed while rebuilt"
        );
        drop(base);
        self.index = Arc::new(index);
        if self.background {
            self.replacing.retired.push(Arc::clone(&old));
        }
        self.replacing.building = false;
        old
    }

    /// The next change that waited for a replacement, once none is being built.
    pub fn next_held(&mut self) -> Option<Held> {
        if self.replacing.building {
            return None;
        }
        self.replacing.held.pop_front()
    }

    /// Adds entities no source sent (a template run registered them) and checks references
    /// again; returns the message to tell the user. While a replacement is being built they
    /// wait, with the message, and `None` is returned (see [`CatalogState::next_held`]).
    pub fn register(&mut self, entities: Vec<Entity>, message: String) -> Option<String> {
        if self.replacing.building {
            self.replacing
                .held
                .push_back(Held::Register { entities, message });
            return None;
        }
        let catalog = Arc::make_mut(&mut self.catalog);
        for e in entities {
            catalog.insert(e);
        }
        catalog.check_references();
        Some(message)
    }

    /// Catalogs replaced since the last call, to drop off the caller's thread (100,000 entities
    /// take tens of milliseconds to free).
    pub fn retired_catalogs(&mut self) -> Vec<Arc<Catalog>> {
        std::mem::take(&mut self.replacing.retired)
    }

    /// Brings the search index up to the catalog when it lags (the command line does not
    /// search while loading; the snapshot needs a complete index).
    pub fn complete_index(&mut self) {
        if self.index.len() >= self.catalog.len() {
            return;
        }
        match Arc::get_mut(&mut self.index) {
            Some(index) => {
                index.extend(&self.catalog);
                index.refresh_ranks(&self.catalog);
            }
            None => self.index = Arc::new(SearchIndex::build(&self.catalog)),
        }
    }

    /// True when the load is complete, changed the state, and its snapshot is still to be
    /// taken (see [`CatalogState::take_snapshot`]).
    pub fn snapshot_due(&self) -> bool {
        self.snapshot.due
    }

    /// Ends a load that must be over (the command line's): a source that never said it was
    /// done is marked failed, and references and problems are checked once more.
    pub fn finish(&mut self) {
        self.sources.finish();
        let catalog = Arc::make_mut(&mut self.catalog);
        catalog.check_references();
        crate::source::file::place_problems(catalog);
    }

    /// The catalog and each source's final status, for a caller done with the state.
    pub fn into_loaded(self) -> crate::source::Loaded {
        let catalog = Arc::try_unwrap(self.catalog).unwrap_or_else(|shared| (*shared).clone());
        crate::source::Loaded {
            catalog,
            sources: self.sources.statuses().to_vec(),
        }
    }

    /// Adds a problem found after the load (a cache that could not be written).
    pub fn add_problem(&mut self, problem: Problem) {
        Arc::make_mut(&mut self.catalog).add_problem(problem);
    }

    /// What to write now that a load is complete (see [`AfterLoad`]): `None` while loading,
    /// while a snapshot is due and the index is behind the catalog (the snapshot needs it, and
    /// is written after the caches it names), or when nothing is due.
    pub fn writes_due(&mut self) -> Option<AfterLoad> {
        if self.is_loading() || self.snapshot.due && self.index.len() != self.catalog.len() {
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

    /// No snapshot will be written for this load (the caller keeps none): the caches it
    /// asked for are then due without waiting for the index a snapshot needs.
    pub fn forgo_snapshot(&mut self) {
        self.snapshot.due = false;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use serde_json::json;

    fn entity(name: &str) -> Entity {
        Entity::from_value(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                   "metadata": {"name": name},
                   "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}}),
            Origin::new(format!("{name}.yaml"), Some(1)),
        )
        .expect("a valid entity")
        .0
    }

    fn specs() -> Vec<SourceSpec> {
        ["one", "two"]
            .iter()
            .map(|name| SourceSpec::Files {
                name: (*name).into(),
                paths: vec![format!("{name}.yaml")],
            })
            .collect()
    }

    fn batch(source: SourceId, names: &[&str]) -> LoadEvent {
        LoadEvent::Batch {
            source,
            entities: names.iter().map(|n| entity(n)).collect(),
            problems: Vec::new(),
        }
    }

    fn done(source: SourceId) -> LoadEvent {
        LoadEvent::Done {
            source,
            error: None,
        }
    }

    fn replace(source: SourceId, names: &[&str]) -> LoadEvent {
        LoadEvent::Replace {
            source,
            entities: names.iter().map(|n| entity(n)).collect(),
            problems: Vec::new(),
        }
    }

    fn names(state: &CatalogState) -> Vec<String> {
        let mut names: Vec<String> = state
            .catalog()
            .entities()
            .iter()
            .map(|e| e.metadata.name.clone())
            .collect();
        names.sort();
        names
    }

    /// A state restored from a snapshot of `names`, all sent by source 0.
    fn restored(names: &[&str]) -> CatalogState {
        let mut first = CatalogState::new(Catalog::new(), &specs());
        first.apply(batch(0, names));
        first.apply(done(0));
        first.apply(done(1));
        first.complete_index();
        let contents = first
            .take_snapshot()
            .expect("a complete load is snapshotted");
        let mut state = CatalogState::new(Catalog::new(), &specs());
        let snapshot = crate::snapshot::Snapshot {
            catalog: (*contents.catalog).clone(),
            index: SearchIndex::build(&contents.catalog),
            owner: contents.owner,
            problems: contents.problems,
        };
        state
            .restore(snapshot)
            .expect("the snapshot is for these sources");
        state
    }

    #[test]
    fn batches_fill_the_catalog_and_the_last_done_completes_the_load_with_a_snapshot_due() {
        let mut state = CatalogState::new(Catalog::new(), &specs());
        assert!(matches!(
            state.apply(batch(0, &["a", "b"])),
            Applied::Folded {
                changed: true,
                complete: false
            }
        ));
        assert!(matches!(
            state.apply(done(0)),
            Applied::Folded {
                complete: false,
                ..
            }
        ));
        assert!(state.is_loading(), "source two has not said it is done");
        assert!(
            state.writes_due().is_none(),
            "nothing is written while loading"
        );
        state.apply(batch(1, &["c"]));
        assert!(matches!(
            state.apply(done(1)),
            Applied::Folded { complete: true, .. }
        ));
        assert_eq!(names(&state), ["a", "b", "c"]);
        assert!(state.snapshot_due());
        assert!(
            state.writes_due().is_none(),
            "the snapshot waits for the search index to cover the catalog"
        );
        state.complete_index();
        let writes = state.writes_due().expect("the snapshot is due");
        let snapshot = writes.snapshot.expect("the snapshot");
        assert_eq!(snapshot.catalog.len(), 3);
        assert_eq!(snapshot.index.len(), 3);
        assert_eq!(snapshot.owner, [Some(0), Some(0), Some(1)]);
        assert!(
            state.writes_due().is_none(),
            "the snapshot is taken once per load"
        );
    }

    #[test]
    fn a_start_from_a_snapshot_that_the_sources_confirm_writes_nothing_again() {
        let mut state = restored(&["a", "b"]);
        assert_eq!(names(&state), ["a", "b"]);
        assert_eq!(state.sources().statuses()[0].entities, 2);
        assert!(state.is_loading(), "the sources still have to confirm it");
        state.apply(done(0));
        state.apply(done(1));
        assert!(!state.is_loading());
        assert!(!state.snapshot_due());
        assert!(state.writes_due().is_none());
    }

    #[test]
    fn a_snapshot_for_other_sources_is_refused_and_leaves_the_state_alone() {
        let mut state = restored(&["a"]);
        let other = crate::snapshot::Snapshot {
            catalog: Catalog::new(),
            index: SearchIndex::build(&Catalog::new()),
            owner: vec![Some(5)],
            problems: vec![Vec::new(); 3],
        };
        assert!(state.restore(other).is_err());
        assert_eq!(names(&state), ["a"]);
    }

    #[test]
    fn a_replacement_built_inline_swaps_one_sources_data_and_dirties_the_snapshot() {
        let mut state = restored(&["a", "b"]);
        state.apply(batch(1, &["c"]));
        let Applied::Replaced(old) = state.apply(replace(0, &["a", "z"])) else {
            panic!("built at once without background work");
        };
        assert_eq!(old.len(), 3, "the catalog it replaced");
        assert_eq!(names(&state), ["a", "c", "z"], "source two's entity stays");
        assert_eq!(state.index().len(), 3, "the index is rebuilt with it");
        state.apply(done(0));
        state.apply(done(1));
        assert!(
            state.snapshot_due(),
            "the snapshot on disk no longer matches"
        );
    }

    #[test]
    fn while_a_replacement_is_built_elsewhere_later_changes_wait_and_follow_in_order() {
        let mut state = restored(&["a"]);
        state.rebuild_in_background();
        let Applied::Rebuild(job) = state.apply(replace(0, &["b"])) else {
            panic!("the replacement is handed out to build");
        };
        assert!(state.is_rebuilding());
        assert!(matches!(state.apply(batch(1, &["c"])), Applied::Held));
        assert!(state
            .register(vec![entity("d")], "registered".into())
            .is_none());
        assert!(matches!(state.apply(done(0)), Applied::Held));
        assert!(
            state.next_held().is_none(),
            "nothing leaves before the swap"
        );
        assert_eq!(names(&state), ["a"], "the catalog waits for the swap");
        let old = state.rebuilt(job.run());
        assert_eq!(old.len(), 1);
        assert_eq!(names(&state), ["b"]);
        assert_eq!(
            state.retired_catalogs().len(),
            1,
            "the old catalog, to drop"
        );
        let mut order = Vec::new();
        while let Some(held) = state.next_held() {
            order.push(match held {
                Held::Load(LoadEvent::Batch { .. }) => "batch",
                Held::Load(LoadEvent::Done { .. }) => "done",
                Held::Load(_) => "other",
                Held::Register { .. } => "register",
            });
        }
        assert_eq!(order, ["batch", "register", "done"]);
    }

    #[test]
    fn entities_registered_by_hand_keep_the_load_from_being_snapshotted() {
        let mut state = CatalogState::new(Catalog::new(), &specs());
        state.apply(batch(0, &["a"]));
        assert_eq!(
            state.register(vec![entity("made")], "made".into()),
            Some("made".into())
        );
        state.apply(done(0));
        state.apply(done(1));
        state.complete_index();
        assert!(state.snapshot_due());
        assert!(
            state.take_snapshot().is_none(),
            "no source sent `made`: the next start must not restore it"
        );
    }
}
