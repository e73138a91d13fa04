//! The app's data: what the portal shows, loaded from the sources and computed over them.

use crate::catalog::Catalog;
use crate::scorecard::Scoreboard;
use crate::search::SearchIndex;
use crate::source::SourceTracker;
use crate::startup::state::CatalogState;
use std::sync::Arc;

/// The catalog and what is computed over it or known of it.
pub(super) struct Data {
    /// The catalog, its search index (shared with the search worker while it searches) and
    /// the sources' record, with the load's bookkeeping: the reducer the command line shares.
    pub(super) load: CatalogState,
    /// The scorecards evaluated over the catalog; re-evaluated when loading finishes.
    pub(super) scores: Scoreboard,
    /// The initiatives (see [`super::App::set_initiatives`]); none until set.
    pub(super) initiatives: crate::governance::LoadedInitiatives,
    /// The latest live report of each entity asked about (see `tabs::live`).
    pub(super) live: crate::live::Reports,
}

impl super::App {
    /// The catalog loaded so far.
    pub fn catalog(&self) -> &Arc<Catalog> {
        self.data.load.catalog()
    }

    /// The search index over the catalog (it may lag a batch behind while the worker holds it).
    pub fn index(&self) -> &Arc<SearchIndex> {
        self.data.load.index()
    }

    /// The sources: each one's state, entity count, last refresh and error.
    pub fn sources(&self) -> &SourceTracker {
        self.data.load.sources()
    }

    /// The scorecards evaluated over the catalog.
    pub fn scores(&self) -> &Scoreboard {
        &self.data.scores
    }

    /// Marks the scores as being recomputed, as a replacement does (tests of what panes show
    /// meanwhile).
    #[cfg(test)]
    pub(crate) fn set_scores_pending(&mut self) {
        self.data.scores.set_pending();
    }
}
