//! Folding load events from several sources into one catalog, and keeping each source's status
//! (loading, ready, failed; entity count; last refresh; cache age; error) for the status bar, the
//! Sources pane and the command line.

use super::{cache::human_age, save::Save, LoadEvent, Loaded, SourceId, SourceSpec};
use crate::catalog::{Catalog, Problem};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Where a source is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceState {
    /// A load or refresh is running.
    Loading,
    /// The last load finished.
    Ready,
    /// The last load failed; the data shown (if any) is older.
    Failed,
}

/// One source's status.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourceStatus {
    /// The source's name.
    pub name: String,
    /// `files` or `backstage`.
    pub kind: &'static str,
    /// Paths or the server URL.
    pub location: String,
    /// Loading, ready or failed.
    pub state: SourceState,
    /// Entities of this source in the catalog.
    pub entities: usize,
    /// Progress of the running load: done and total, when known.
    #[serde(skip)]
    pub progress: Option<(usize, Option<usize>)>,
    /// When the data shown was loaded, if it came from the cache.
    #[serde(skip)]
    pub cached_at: Option<SystemTime>,
    /// When the last load from the source itself finished.
    #[serde(skip)]
    pub last_refresh: Option<SystemTime>,
    /// Why the last load failed.
    pub error: Option<String>,
}

impl SourceStatus {
    /// A short account for the status bar: `cached, 3 h old — refreshing`,
    /// `loading 1500/61000`, `failed: token rejected …`, `1200 entities`.
    pub fn summary(&self, now: SystemTime) -> String {
        let age = |t: SystemTime| human_age(now.duration_since(t).unwrap_or(Duration::ZERO));
        let cached = self.cached_at.map(|t| format!("cached, {} old", age(t)));
        match (self.state, cached) {
            (SourceState::Loading, Some(c)) => format!("{c} — refreshing"),
            (SourceState::Loading, None) => match self.progress {
                Some((done, Some(total))) if total > 0 => format!("loading {done}/{total}"),
                Some((done, _)) if done > 0 => format!("loading {done}"),
                _ => "loading".into(),
            },
            (SourceState::Failed, c) => {
                let error = self.error.as_deref().unwrap_or("failed");
                match c {
                    Some(c) => format!("{error} ({c})"),
                    None => error.to_string(),
                }
            }
            (SourceState::Ready, Some(c)) => c,
            (SourceState::Ready, None) => format!("{} entities", self.entities),
        }
    }
}

/// At most this many entities are made room for ahead of their arrival, whatever a server
/// announces: room is address space until it is used, but a wrong total should not claim it.
const MAX_ANNOUNCED: usize = 1_000_000;

/// Each source's status, and which entities and load problems came from which source, so one
/// source's data can be replaced by a refresh while the others' stay. It folds load events into a
/// catalog the caller owns (the portal keeps its catalog beside its search index).
#[derive(Debug)]
pub struct SourceTracker {
    pub(super) statuses: Vec<SourceStatus>,
    /// The source of each entity, by entity index (`None`: put in the catalog by someone else).
    pub(super) owner: Vec<Option<SourceId>>,
    /// Load problems per source (validation problems are recomputed on rebuild).
    pub(super) problems: Vec<Vec<Problem>>,
    /// Per source: the next batch or replacement comes from a cache saved at this time.
    pub(super) from_cache: Vec<Option<SystemTime>>,
    /// Sources whose data is complete and is to be kept in their caches ([`Save`]).
    saves: Vec<Save>,
}

impl SourceTracker {
    /// A tracker for these sources, all loading.
    pub fn new(specs: &[SourceSpec]) -> Self {
        Self {
            statuses: specs
                .iter()
                .map(|s| SourceStatus {
                    name: s.name().to_string(),
                    kind: if s.is_remote() { "backstage" } else { "files" },
                    location: s.location(),
                    state: SourceState::Loading,
                    entities: 0,
                    progress: None,
                    cached_at: None,
                    last_refresh: None,
                    error: None,
                })
                .collect(),
            owner: Vec::new(),
            problems: vec![Vec::new(); specs.len()],
            from_cache: vec![None; specs.len()],
            saves: Vec::new(),
        }
    }

    /// Each source's status, in the order given.
    pub fn statuses(&self) -> &[SourceStatus] {
        &self.statuses
    }

    /// The source of each entity (by id; `None`: not sent by a source) and each source's load
    /// problems: what a snapshot keeps besides the catalog.
    pub fn origins(&self) -> (&[Option<SourceId>], &[Vec<Problem>]) {
        (&self.owner, &self.problems)
    }

    /// The caches due to be written from the catalog (see [`crate::source::save`]), taken
    /// once: what the sources asked for since the last call.
    pub fn take_saves(&mut self) -> Vec<Save> {
        std::mem::take(&mut self.saves)
    }

    /// Writes the caches due (see [`SourceTracker::take_saves`]) from `catalog`, which must be
    /// the catalog this tracker folded the events into. Returns the warnings of those that
    /// could not be written.
    pub fn write_saves(&mut self, catalog: &Catalog) -> Vec<Problem> {
        let saves = self.take_saves();
        super::save::write_all(&saves, catalog, &self.owner, &self.problems)
    }

    /// Takes over a snapshot's record of which source sent each entity and of each source's
    /// load problems (the catalog comes from the snapshot too), so a later replacement of one
    /// source keeps the others'. Sources stay loading until they confirm. Refused when the
    /// record names sources this tracker does not have.
    pub fn restore(
        &mut self,
        owner: Vec<Option<SourceId>>,
        problems: Vec<Vec<Problem>>,
    ) -> Result<(), String> {
        let sources = self.statuses.len();
        if problems.len() != sources || owner.iter().flatten().any(|&s| s >= sources) {
            return Err(format!("the snapshot is not for these {sources} sources"));
        }
        for status in &mut self.statuses {
            status.entities = 0;
        }
        for &s in owner.iter().flatten() {
            self.statuses[s].entities += 1;
        }
        self.owner = owner;
        self.problems = problems;
        Ok(())
    }

    /// Marks a source as loading again (a refresh was started); its data stays.
    pub fn start_refresh(&mut self, source: SourceId) {
        if let Some(s) = self.statuses.get_mut(source) {
            s.state = SourceState::Loading;
            s.progress = None;
        }
    }

    /// True while any source is loading.
    pub fn loading(&self) -> bool {
        self.statuses
            .iter()
            .any(|s| s.state == SourceState::Loading)
    }

    /// One line for the status bar about the sources that need attention (cached, loading,
    /// failed), or `None` when all are simply ready.
    pub fn status_line(&self, now: SystemTime) -> Option<String> {
        let parts: Vec<String> = self
            .statuses
            .iter()
            .filter(|s| s.state != SourceState::Ready || s.cached_at.is_some())
            .map(|s| format!("{}: {}", s.name, s.summary(now)))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// Applies an event to `catalog` (which must only ever receive events through this
    /// tracker). Returns true when the catalog changed.
    pub fn apply(&mut self, catalog: &mut Catalog, event: LoadEvent) -> bool {
        match event {
            LoadEvent::Progress {
                source,
                done,
                total,
            } => {
                if let Some(s) = self.statuses.get_mut(source) {
                    s.progress = Some((done, total));
                }
                false
            }
            LoadEvent::Cached { source, saved_at } => {
                if let Some(slot) = self.from_cache.get_mut(source) {
                    *slot = Some(saved_at);
                }
                false
            }
            LoadEvent::Batch {
                source,
                entities,
                problems,
            } => {
                if source >= self.statuses.len() {
                    return false;
                }
                if let Some(saved_at) = self.from_cache[source].take() {
                    self.statuses[source].cached_at = Some(saved_at);
                }
                let changed = !entities.is_empty() || !problems.is_empty();
                for p in &problems {
                    catalog.add_problem(p.clone());
                }
                self.problems[source].extend(problems);
                // Room for this batch and for what the sources still announce (a server's
                // `totalItems`), so the catalog's lists grow once instead of step by step.
                let coming: usize = self
                    .statuses
                    .iter()
                    .filter_map(|s| match s.progress {
                        Some((done, Some(total))) => Some(total.saturating_sub(done)),
                        _ => None,
                    })
                    .fold(0, usize::saturating_add);
                let room = entities.len() + coming.min(MAX_ANNOUNCED);
                catalog.reserve(room);
                self.owner.reserve(room);
                let (owner, status) = (&mut self.owner, &mut self.statuses[source]);
                catalog.insert_batch(entities, |id| {
                    if owner.len() <= id.index() {
                        owner.resize(id.index() + 1, None);
                    }
                    owner[id.index()] = Some(source);
                    status.entities += 1;
                });
                changed
            }
            LoadEvent::Replace {
                source,
                entities,
                problems,
            } => {
                let base = Arc::new(std::mem::take(catalog));
                match self.replacement(base, source, entities, problems) {
                    Some(replacement) => {
                        *catalog = self.swap_in(replacement.build());
                        true
                    }
                    None => false,
                }
            }
            LoadEvent::Save(save) => {
                if save.source() < self.statuses.len() {
                    self.saves.retain(|s| s.source() != save.source());
                    self.saves.push(save);
                }
                false
            }
            LoadEvent::Done { source, error } => {
                let Some(s) = self.statuses.get_mut(source) else {
                    return false;
                };
                s.progress = None;
                match error {
                    Some(e) => {
                        s.state = SourceState::Failed;
                        s.error = Some(e);
                    }
                    None => {
                        s.state = SourceState::Ready;
                        s.error = None;
                        // Offline, the cached data stays marked as cached; a load from the
                        // server has already cleared the mark with its Replace.
                        if s.cached_at.is_none() {
                            s.last_refresh = Some(SystemTime::now());
                        }
                    }
                }
                catalog.check_references();
                super::file::place_problems(catalog);
                true
            }
        }
    }

    /// Marks every source that never said it was done as failed (its task died).
    pub fn finish(&mut self) {
        for s in &mut self.statuses {
            if s.state == SourceState::Loading {
                s.state = SourceState::Failed;
                s.error = Some(format!("{}: the load stopped unexpectedly", s.name));
            }
        }
    }
}

/// A catalog assembled from several sources, with their tracker: what the command line uses.
#[derive(Debug)]
pub struct SourceSet {
    tracker: SourceTracker,
    catalog: Catalog,
}

impl SourceSet {
    /// A set for these sources, all loading, with an empty catalog.
    pub fn new(specs: &[SourceSpec]) -> Self {
        Self {
            tracker: SourceTracker::new(specs),
            catalog: Catalog::new(),
        }
    }

    /// The catalog as it stands.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Each source's status, in the order given.
    pub fn statuses(&self) -> &[SourceStatus] {
        self.tracker.statuses()
    }

    /// One line for the status bar (see [`SourceTracker::status_line`]).
    pub fn status_line(&self, now: SystemTime) -> Option<String> {
        self.tracker.status_line(now)
    }

    /// Applies an event. Returns true when the catalog changed.
    pub fn apply(&mut self, event: LoadEvent) -> bool {
        self.tracker.apply(&mut self.catalog, event)
    }

    /// Ends a blocking load: a source that never said it was done is marked failed.
    pub fn into_loaded(mut self) -> Loaded {
        self.tracker.finish();
        self.catalog.check_references();
        super::file::place_problems(&mut self.catalog);
        // The caller waits for the caches: a refused write is counted among the problems.
        for warning in self.tracker.write_saves(&self.catalog) {
            self.catalog.add_problem(warning);
        }
        Loaded {
            catalog: self.catalog,
            sources: self.tracker.statuses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entity, Origin};
    use serde_json::json;

    fn e(name: &str, owner: &str) -> Entity {
        Entity::from_value(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                   "metadata": {"name": name},
                   "spec": {"type": "service", "lifecycle": "production", "owner": owner}}),
            Origin::new("x.yaml", Some(1)),
        )
        .unwrap()
        .0
    }

    fn set() -> SourceSet {
        SourceSet::new(&[
            SourceSpec::Files {
                name: "local".into(),
                paths: vec![],
            },
            SourceSpec::Backstage(crate::source::BackstageSource::from_url(
                "https://bs.example.com",
            )),
        ])
    }

    fn batch(source: SourceId, entities: Vec<Entity>) -> LoadEvent {
        LoadEvent::Batch {
            source,
            entities,
            problems: vec![],
        }
    }

    #[test]
    fn replace_swaps_one_source_and_keeps_the_others() {
        let mut s = set();
        s.apply(batch(0, vec![e("local-a", "team")]));
        s.apply(LoadEvent::Cached {
            source: 1,
            saved_at: SystemTime::now() - Duration::from_secs(3 * 3600),
        });
        s.apply(batch(1, vec![e("old-remote", "team")]));
        s.apply(LoadEvent::Done {
            source: 0,
            error: None,
        });
        let now = SystemTime::now();
        assert_eq!(
            s.status_line(now).as_deref(),
            Some("bs.example.com: cached, 3 h old — refreshing")
        );
        s.apply(LoadEvent::Replace {
            source: 1,
            entities: vec![e("new-remote", "team"), e("new-remote-2", "team")],
            problems: vec![],
        });
        s.apply(LoadEvent::Done {
            source: 1,
            error: None,
        });
        let names: Vec<_> = s
            .catalog()
            .entities()
            .iter()
            .map(|e| e.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["local-a", "new-remote", "new-remote-2"]);
        assert_eq!(s.statuses()[1].entities, 2);
        assert_eq!(s.statuses()[0].entities, 1);
        assert_eq!(s.status_line(now), None);
    }

    #[test]
    fn failed_refresh_keeps_cached_data_and_says_why() {
        let mut s = set();
        s.apply(LoadEvent::Cached {
            source: 1,
            saved_at: SystemTime::now() - Duration::from_secs(120),
        });
        s.apply(batch(1, vec![e("cached", "team")]));
        s.apply(LoadEvent::Done {
            source: 1,
            error: Some("token rejected by https://bs.example.com (HTTP 401)".into()),
        });
        assert_eq!(s.catalog().len(), 1);
        let st = &s.statuses()[1];
        assert_eq!(st.state, SourceState::Failed);
        assert_eq!(
            st.summary(SystemTime::now()),
            "token rejected by https://bs.example.com (HTTP 401) (cached, 2 min old)"
        );
    }

    #[test]
    fn replace_drops_the_old_load_problems_of_that_source_only() {
        let mut s = set();
        s.apply(LoadEvent::Batch {
            source: 0,
            entities: vec![],
            problems: vec![Problem::error(None, "local broken file")],
        });
        s.apply(LoadEvent::Batch {
            source: 1,
            entities: vec![],
            problems: vec![Problem::warning(None, "cache is damaged")],
        });
        s.apply(LoadEvent::Replace {
            source: 1,
            entities: vec![e("a", "team")],
            problems: vec![],
        });
        let messages: Vec<_> = s.catalog().problems().map(|p| p.message.clone()).collect();
        assert!(messages.iter().any(|m| m == "local broken file"));
        assert!(
            !messages.iter().any(|m| m.contains("damaged")),
            "{messages:?}"
        );
    }

    #[test]
    fn relations_across_sources_survive_a_replace() {
        let mut s = set();
        let team = Entity::from_value(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
                   "metadata": {"name": "team"}, "spec": {"type": "team", "children": []}}),
            Origin::new("t.yaml", Some(1)),
        )
        .unwrap()
        .0;
        s.apply(batch(0, vec![team]));
        s.apply(LoadEvent::Replace {
            source: 1,
            entities: vec![e("svc", "team")],
            problems: vec![],
        });
        let c = s.catalog();
        let svc = c
            .id_of(&crate::catalog::EntityRef::new(
                "component",
                "default",
                "svc",
            ))
            .unwrap();
        assert_eq!(
            c.owner_ref(svc).map(|r| r.as_str()),
            Some("group:default/team")
        );
        assert!(
            c.related(svc, crate::catalog::RelationType::OwnedBy)
                .count()
                == 1
        );
    }

    #[test]
    fn a_replacement_from_the_cache_stays_marked_as_cached() {
        let mut s = set();
        let saved_at = SystemTime::now() - Duration::from_secs(7200);
        s.apply(batch(1, vec![e("a", "team")]));
        s.apply(LoadEvent::Cached {
            source: 1,
            saved_at,
        });
        s.apply(LoadEvent::Replace {
            source: 1,
            entities: vec![e("b", "team")],
            problems: vec![],
        });
        s.apply(LoadEvent::Done {
            source: 1,
            error: None,
        });
        assert_eq!(s.statuses()[1].cached_at, Some(saved_at));
        assert_eq!(s.statuses()[1].last_refresh, None);
        assert_eq!(s.catalog().len(), 1);
    }

    #[test]
    fn entities_the_caller_started_with_survive_a_replace() {
        let mut tracker = SourceTracker::new(&[SourceSpec::Backstage(
            crate::source::BackstageSource::from_url("https://bs.example.com"),
        )]);
        let mut catalog = Catalog::from_entities([e("preloaded", "team")], vec![]);
        tracker.apply(&mut catalog, batch(0, vec![e("remote-old", "team")]));
        tracker.apply(
            &mut catalog,
            LoadEvent::Replace {
                source: 0,
                entities: vec![e("remote-new", "team")],
                problems: vec![],
            },
        );
        let names: Vec<_> = catalog
            .entities()
            .iter()
            .map(|e| e.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["preloaded", "remote-new"]);
    }

    #[test]
    fn a_replace_counts_only_the_entities_it_added_and_a_later_replace_keeps_them() {
        let mut s = set();
        s.apply(batch(0, vec![e("shared", "team")]));
        // A duplicate of the local entity and one inside the replacement: both reported and
        // left out of the remote source's count; what follows them still belongs to it.
        s.apply(LoadEvent::Replace {
            source: 1,
            entities: vec![
                e("shared", "team"),
                e("r1", "team"),
                e("r1", "team"),
                e("r2", "team"),
            ],
            problems: vec![],
        });
        assert_eq!(s.statuses()[0].entities, 1);
        assert_eq!(s.statuses()[1].entities, 2);
        let duplicates = s
            .catalog()
            .problems()
            .filter(|p| p.message.contains("duplicate entity"))
            .count();
        assert_eq!(duplicates, 2);
        // Replacing the local source keeps r1 and r2: they were recorded as the remote's.
        s.apply(LoadEvent::Replace {
            source: 0,
            entities: vec![],
            problems: vec![],
        });
        let names: Vec<_> = s
            .catalog()
            .entities()
            .iter()
            .map(|e| e.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["r1", "r2"]);
    }

    fn progress(source: SourceId, done: usize, total: usize) -> LoadEvent {
        LoadEvent::Progress {
            source,
            done,
            total: Some(total),
        }
    }

    #[test]
    fn the_first_page_makes_room_for_every_entity_the_server_announced() {
        let mut s = set();
        s.apply(progress(1, 2, 50_000));
        s.apply(batch(1, vec![e("a", "team"), e("b", "team")]));
        assert_eq!(s.catalog.len(), 2);
        assert!(
            s.catalog.capacity() >= 50_000,
            "room for the pages to come: {}",
            s.catalog.capacity()
        );
    }

    #[test]
    fn an_absurd_total_from_a_server_is_not_believed() {
        let mut s = set();
        // Both sources claim the impossible: the sum must not overflow either.
        s.apply(progress(0, 1, usize::MAX));
        s.apply(progress(1, 1, usize::MAX));
        s.apply(batch(1, vec![e("a", "team")]));
        assert_eq!(s.catalog.len(), 1);
        assert!(s.catalog.capacity() <= MAX_ANNOUNCED + 1);
        // The load goes on as usual.
        s.apply(progress(1, 2, usize::MAX));
        s.apply(batch(1, vec![e("b", "team")]));
        assert_eq!(s.catalog.len(), 2);
    }

    #[test]
    fn events_for_unknown_sources_are_ignored() {
        let mut s = set();
        assert!(!s.apply(batch(7, vec![e("x", "t")])));
        assert!(!s.apply(LoadEvent::Done {
            source: 9,
            error: None
        }));
        assert!(s.catalog().is_empty());
    }
}
