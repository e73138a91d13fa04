//! The app's side of searching: the index shared with the search worker, the query whose
//! answer is awaited, and how often results are recomputed while sources load.

use super::{App, Narrowing, SearchDone, SearchRequest, RESULT_LIMIT};
use crate::catalog::EntityId;
use crate::tui::task::Task;
use std::time::{Duration, Instant};

/// How often, at most, the results are recomputed while sources load: often enough to see the
/// catalog arrive, rarely enough that 1,000 batches do not cost 1,000 searches.
pub const LOAD_SEARCH_INTERVAL: Duration = Duration::from_millis(100);

/// Which row to select when results arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Select {
    /// The first (a new query).
    First,
    /// Whatever is selected when the results arrive, if it is still a result.
    Current,
}

/// The app's side of searching.
#[derive(Debug)]
pub(super) struct Searching {
    /// Names the index's contents; bumped on every change, so narrowing is never used across
    /// changes.
    pub(super) version: u64,
    /// The catalog has entities the index lacks, or ranks to refresh (the worker held the
    /// index when they came).
    pub(super) behind: bool,
    /// Entities were prepared since the ranks were last computed from the whole catalog.
    pub(super) ranks_stale: bool,
    /// Narrowing memory for inline searches.
    pub(super) narrowing: Narrowing,
    /// Searches go out as [`Task::Search`] for the executor's worker; without (state tests,
    /// benchmarks), they run inline in `update`.
    pub(super) on_worker: bool,
    /// The generation of the last request.
    pub(super) generation: u64,
    /// The request whose results are awaited, and how to select when they come.
    pub(super) awaiting: Option<(u64, Select)>,
    /// Entities arrived since the results were last recomputed.
    pub(super) load_due: bool,
    /// When the results were last recomputed because entities arrived.
    pub(super) load_last: Option<Instant>,
    /// See [`LOAD_SEARCH_INTERVAL`].
    pub(super) load_interval: Duration,
}

impl App {
    /// Runs searches off the UI thread from now on, so no keystroke waits on matching: each
    /// search is a [`Task::Search`] that `update` returns, and its results come back as
    /// `Reply::Search`; until then the previous results stay on screen.
    pub fn search_in_background(&mut self) {
        self.pending.searching.on_worker = true;
    }

    /// Sets how often, at most, results are recomputed while sources load (tests set it long
    /// to see coalescing, or zero).
    pub fn set_load_search_interval(&mut self, interval: Duration) {
        self.pending.searching.load_interval = interval;
    }

    /// True while results for the current query are still being computed by the worker.
    pub fn is_searching(&self) -> bool {
        self.pending.searching.awaiting.is_some()
    }

    /// Prepares the entities added to the catalog, in place when nobody else holds the index;
    /// otherwise later (the worker lets go of it when it answers).
    /// Once no source is loading, also ranks every entity again: ties between equal matches
    /// are then broken the same way whatever order the batches came in.
    pub(super) fn extend_index(&mut self) {
        let grow = self.data.load.index().len() < self.data.load.catalog().len();
        let loading = self.is_loading();
        let rerank = self.pending.searching.ranks_stale && !loading;
        if !grow && !rerank {
            self.pending.searching.behind = false;
            return;
        }
        let ranks_stale = self.pending.searching.ranks_stale;
        match self.data.load.index_mut() {
            (catalog, Some(index)) => {
                if grow {
                    index.extend(catalog);
                }
                if (grow || ranks_stale) && !loading {
                    index.refresh_ranks(catalog);
                }
                let s = &mut self.pending.searching;
                s.ranks_stale = (grow || ranks_stale) && loading;
                s.version += 1;
                s.behind = false;
            }
            (_, None) => self.pending.searching.behind = true,
        }
    }

    /// Recomputes the results of the query: on the worker when there is one, else inline.
    /// `inline` forces the latter (after a replacement, old results name other entities).
    pub(super) fn request_search(&mut self, select: Select, inline: bool) {
        let s = &mut self.pending.searching;
        s.generation += 1;
        // A new query still waiting keeps its claim to select the first row.
        let select = match s.awaiting {
            Some((_, Select::First)) => Select::First,
            _ => select,
        };
        let query = self.screen.search.parsed_query();
        let facets = self.screen.search.facets.is_open();
        if !inline && s.on_worker {
            self.pending.asked.push(Task::Search(SearchRequest {
                generation: s.generation,
                index: self.data.load.index().clone(),
                version: s.version,
                query,
                limit: RESULT_LIMIT,
                facets,
            }));
            s.awaiting = Some((s.generation, select));
            return;
        }
        s.awaiting = None;
        let mut results =
            s.narrowing
                .search(self.data.load.index(), s.version, &query, RESULT_LIMIT);
        if facets {
            results.facets = s.narrowing.facets(self.data.load.index(), s.version);
        }
        self.screen.search.set_results(results, self.keep(select));
    }

    /// Computes the awaited results now, on this thread; the worker's answer will be dropped.
    pub(super) fn finish_search(&mut self) {
        if let Some((_, select)) = self.pending.searching.awaiting {
            self.request_search(select, true);
        }
    }

    fn keep(&self, select: Select) -> Option<EntityId> {
        match select {
            Select::First => None,
            Select::Current => self.screen.search.selected_id(),
        }
    }

    /// The worker's answer: shown when it is for the latest request, dropped otherwise.
    pub(super) fn search_done(&mut self, done: SearchDone) {
        match self.pending.searching.awaiting {
            Some((generation, select)) if generation == done.generation => {
                self.pending.searching.awaiting = None;
                let keep = self.keep(select);
                self.screen.search.set_results(done.results, keep);
            }
            _ => {}
        }
        if self.pending.searching.behind {
            self.extend_index();
            if !self.pending.searching.behind {
                self.pending.searching.load_due = true;
            }
        }
        self.search_loaded();
    }

    /// Recomputes the results after entities arrived: at most every `load_interval` while
    /// sources load, and at once when the last one is done.
    pub(super) fn search_loaded(&mut self) {
        if !self.pending.searching.load_due || self.pending.searching.behind && self.is_searching()
        {
            return;
        }
        let now = self.settings.clock.instant();
        let due = !self.is_loading()
            || self.pending.searching.load_last.map_or(true, |t| {
                now.duration_since(t) >= self.pending.searching.load_interval
            });
        if due {
            self.pending.searching.load_due = false;
            self.pending.searching.load_last = Some(now);
            self.request_search(Select::Current, false);
        }
    }
}
