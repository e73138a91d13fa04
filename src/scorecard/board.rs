//! Every loaded scorecard evaluated over one catalog: what the portal's Scorecard tab and
//! Scorecards pane read from, built once per catalog load (not per frame).

use super::evaluate::{EntityScore, Report};
use super::load::Loaded;
use super::model::Scorecard;
use super::waiver::Date;
use crate::catalog::{Catalog, EntityId};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The scorecards, their reports over a catalog, and the load errors to show.
#[derive(Debug, Default)]
pub struct Scoreboard {
    /// The scorecards, in load order.
    pub cards: Vec<Scorecard>,
    /// One report per scorecard, same order; shared, so work off the UI thread can read them
    /// (see [`Scoreboard::share`]).
    pub reports: Arc<Vec<Report>>,
    /// The catalog the reports were computed over, when a [`Rescore`] computed them (the
    /// catalog it delivers back), or as set by [`Scoreboard::scored_over`].
    over: Option<Arc<Catalog>>,
    /// Scorecards that did not load, as `file:line: field: message` lines.
    pub errors: Vec<String>,
    /// Which board this is (each built one has its own), so results computed for another
    /// board's scorecards are never taken.
    id: u64,
}

impl Scoreboard {
    /// Evaluates the loaded scorecards over the catalog as of `today`.
    pub fn build(loaded: Loaded, catalog: &Catalog, today: Date) -> Scoreboard {
        static BUILT: AtomicU64 = AtomicU64::new(1);
        let mut board = Scoreboard {
            cards: loaded.scorecards,
            reports: Arc::default(),
            over: None,
            errors: loaded.errors.iter().map(|e| e.to_string()).collect(),
            id: BUILT.fetch_add(1, Ordering::Relaxed),
        };
        board.rescore(catalog, today);
        board
    }

    /// Evaluates the scorecards again, after the catalog changed.
    pub fn rescore(&mut self, catalog: &Catalog, today: Date) {
        self.over = None;
        self.reports = Arc::new(
            self.cards
                .iter()
                .map(|card| Report::build(card, catalog, today))
                .collect(),
        );
    }

    /// Says which shared catalog the reports were just computed over (by
    /// [`Scoreboard::build`] or [`Scoreboard::rescore`], which only borrow it), so
    /// [`Scoreboard::share`] can hand both to another thread.
    pub fn scored_over(&mut self, catalog: Arc<Catalog>) {
        if !self.is_pending() {
            self.over = Some(catalog);
        }
    }

    /// Lets go of the shared catalog before it changes in place (so changing it copies
    /// nothing); [`Scoreboard::share`] says `None` until the next scoring.
    pub fn forget_catalog(&mut self) {
        self.over = None;
    }

    /// The scores and the catalog they were computed over, to read on another thread: the
    /// scorecards cloned, the reports and the catalog shared (nothing per entity is copied).
    /// `None` while scoring, or when the catalog is not known (see [`Scoreboard::scored_over`]).
    pub fn share(&self) -> Option<(Scoreboard, Arc<Catalog>)> {
        let catalog = self.over.clone().filter(|_| !self.is_pending())?;
        let board = Scoreboard {
            cards: self.cards.clone(),
            reports: Arc::clone(&self.reports),
            over: Some(Arc::clone(&catalog)),
            errors: Vec::new(),
            id: self.id,
        };
        Some((board, catalog))
    }

    /// True while the scorecards have not been evaluated over the catalog as it is now (see
    /// [`Scoreboard::set_pending`]): there are no results to show yet.
    pub fn is_pending(&self) -> bool {
        self.reports.len() < self.cards.len()
    }

    /// Drops the results: the catalog was rebuilt and renumbered, so they no longer name the
    /// right entities. Until the next evaluation, [`Scoreboard::is_pending`] is true.
    pub fn set_pending(&mut self) {
        self.reports = Arc::default();
        self.over = None;
    }

    /// What evaluating the scorecards over `catalog` needs, to run on another thread.
    pub fn rescore_job(&self, catalog: Arc<Catalog>, today: Date) -> Rescore {
        Rescore {
            board: self.id,
            cards: self.cards.clone(),
            catalog,
            today,
            live: LiveFacts::default(),
        }
    }

    /// True when a scorecard has a rule on live data: new live data calls for scoring again.
    pub fn uses_live(&self) -> bool {
        self.cards
            .iter()
            .any(|card| card.rules.iter().any(|r| r.check.uses_live()))
    }

    /// Takes the results of a [`Rescore`] if they are of these scorecards over `catalog` (the
    /// catalog shown now: not one replaced or changed since). Returns whether it took them.
    pub fn take(&mut self, rescored: Rescored, catalog: &Arc<Catalog>) -> bool {
        let current = rescored.board == self.id && Arc::ptr_eq(&rescored.catalog, catalog);
        if current {
            self.reports = Arc::new(rescored.reports);
            self.over = Some(rescored.catalog);
        }
        current
    }

    /// The results of one entity on every scorecard that applies to it.
    pub fn for_entity(&self, id: EntityId) -> Vec<(&Scorecard, &EntityScore)> {
        self.cards
            .iter()
            .zip(self.reports.iter())
            .filter_map(|(card, report)| report.get(id).map(|s| (card, s)))
            .collect()
    }
}

/// The live data a scoring reads for live rules: the reports a session already has, then
/// what the live cache on disk holds. Without either, live rules say "unknown".
#[derive(Debug, Default)]
pub struct LiveFacts {
    /// The reports fetched in this session, by entity.
    pub known: crate::live::Reports,
    /// The live service, whose cache answers for the other entities.
    pub service: Option<Arc<crate::live::Live>>,
}

impl LiveFacts {
    /// An entity's live report: the session's, else the cache's (`None` when neither has
    /// anything).
    fn report_for(&self, catalog: &Catalog, id: EntityId) -> Option<crate::live::Report> {
        let entity = catalog.get(id).entity_ref().to_string();
        if let Some(report) = self.known.get(&entity) {
            return Some(report.clone());
        }
        let cached = self
            .service
            .as_ref()?
            .cached(&crate::live::Subject::of(catalog, id));
        (!cached.results.is_empty()).then_some(cached)
    }
}

/// Evaluating scorecards over a catalog, away from the board (see [`Scoreboard::rescore_job`]).
#[derive(Debug)]
pub struct Rescore {
    board: u64,
    cards: Vec<Scorecard>,
    catalog: Arc<Catalog>,
    today: Date,
    live: LiveFacts,
}

impl Rescore {
    /// Scores live rules on these facts (without, they say "unknown").
    pub fn with_live(mut self, live: LiveFacts) -> Self {
        self.live = live;
        self
    }

    /// Evaluates every scorecard (about 0.1 s over 100,000 entities).
    pub fn run(self) -> Rescored {
        let reports = self
            .cards
            .iter()
            .map(|card| {
                Report::build_live(card, &self.catalog, self.today, |id| {
                    self.live.report_for(&self.catalog, id)
                })
            })
            .collect();
        Rescored {
            board: self.board,
            catalog: self.catalog,
            reports,
        }
    }
}

/// The results of a [`Rescore`], for [`Scoreboard::take`].
#[derive(Debug)]
pub struct Rescored {
    board: u64,
    catalog: Arc<Catalog>,
    reports: Vec<Report>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::load::{load_paths, parse_file};

    #[test]
    fn entity_results_come_from_every_scorecard_that_applies() {
        let catalog = crate::source::load_blocking(&[crate::source::SourceSpec::demo()]);
        let mut loaded = load_paths(&[]);
        let (extra, errors) = parse_file(
            "groups.yaml",
            "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata: {name: groups}\nspec:\n  filter: {kind: group}\n  levels: [One]\n  rules:\n    - {id: r, level: One, check: {path: kind, exists: true}}\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        loaded.scorecards.extend(extra);
        let board = Scoreboard::build(loaded, &catalog, Date::today());
        let writer = match catalog.lookup("ledger-writer") {
            crate::catalog::Lookup::Found(id) => id,
            other => panic!("{other:?}"),
        };
        let results = board.for_entity(writer);
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].0.name, "production-readiness");
        assert_eq!(board.reports[1].scores.len(), 16, "the demo's 16 groups");
        assert!(board.errors.is_empty());
    }

    #[test]
    fn results_computed_elsewhere_are_taken_only_for_the_same_board_and_catalog() {
        let catalog = Arc::new(crate::source::load_blocking(&[
            crate::source::SourceSpec::demo(),
        ]));
        let today = Date::today();
        let mut board = Scoreboard::build(load_paths(&[]), &catalog, today);
        let expected = board.reports[0].scores.len();
        assert!(expected > 0);
        board.set_pending();
        assert!(board.is_pending());
        // Over another catalog (replaced meanwhile, even with the same entities): refused.
        let other = Arc::new((*catalog).clone());
        assert!(!board.take(board.rescore_job(other, today).run(), &catalog));
        assert!(board.is_pending());
        // For a board since replaced (other scorecards loaded): refused.
        let stale = board.rescore_job(catalog.clone(), today).run();
        let mut replaced = Scoreboard::build(load_paths(&[]), &catalog, today);
        replaced.set_pending();
        assert!(!replaced.take(stale, &catalog));
        // The same board over the catalog shown: taken.
        assert!(board.take(board.rescore_job(catalog.clone(), today).run(), &catalog));
        assert!(!board.is_pending());
        assert_eq!(board.reports[0].scores.len(), expected);
    }
}
