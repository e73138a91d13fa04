//! The app's side of loading: the catalog state (`crate::startup::state`, the reducer the
//! command line shares) folds the sources' events and swaps replacements in; here the app adds
//! what the screen needs: the search index extended and the results recomputed, scoring due,
//! the open panes told, what the user was looking at found again after a replacement.

use super::{App, Task, RESULT_LIMIT};
use crate::catalog::{Catalog, Entity, EntityId};
use crate::source::{LoadEvent, SourceId};
use crate::startup::state::{Applied, BuiltReplacement, Held};
use std::sync::Arc;

impl App {
    /// Starts from a snapshot of an earlier load (see [`crate::snapshot`]): its catalog, search
    /// index and record of which source sent what replace the (empty) state. The sources are
    /// still loading: they confirm the snapshot or replace their part of it. Refused (and the
    /// state left as it was) when the snapshot is not for these sources.
    pub fn restore(&mut self, snapshot: crate::snapshot::Snapshot) -> Result<(), String> {
        self.data.load.restore(snapshot)?;
        self.pending.searching.version += 1;
        self.pending.searching.behind = false;
        self.pending.searching.load_due = true;
        self.search_loaded();
        Ok(())
    }

    /// What to write now that a load is complete (see [`crate::startup::state::AfterLoad`]).
    pub(super) fn writes_due(&mut self) -> Option<crate::startup::state::AfterLoad> {
        self.data.load.writes_due()
    }

    /// The state to write as the next start's snapshot (see
    /// [`crate::startup::state::CatalogState::take_snapshot`]).
    pub fn take_snapshot(&mut self) -> Option<crate::snapshot::Contents> {
        self.data.load.take_snapshot()
    }

    /// True while any source is still loading (the spinner ticks only then).
    pub fn is_loading(&self) -> bool {
        self.data.load.is_loading()
    }

    /// Folds a source's event into the catalog, the search index and the open views. A
    /// replacement of a source's data is built off the UI thread when the loop does that (see
    /// `Task::Rebuild`); until it is swapped in, later events wait, in order.
    pub(super) fn load(&mut self, event: LoadEvent) {
        match self.data.load.apply(event) {
            Applied::Held | Applied::Nothing => {}
            Applied::Rebuild(job) => self.pending.asked.push(Task::Rebuild(job)),
            Applied::Replaced(old) => self.replaced(&old),
            Applied::Folded { changed, complete } => {
                if complete {
                    // Score once the whole catalog is in (relations only resolve then), after
                    // the frame that shows it, so a start is usable before the scorecards are in.
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
        }
    }

    /// Catalogs replaced since the last call, to drop off the UI thread (100,000 entities take
    /// tens of milliseconds to free).
    pub(super) fn retired_catalogs(&mut self) -> Vec<Arc<Catalog>> {
        self.data.load.retired_catalogs()
    }

    /// Swaps in a rebuilt catalog and its index, finds what the user was looking at again, and
    /// lets through what waited for it.
    pub(super) fn rebuilt(&mut self, done: BuiltReplacement) {
        let old = self.data.load.rebuilt(done);
        self.replaced(&old);
    }

    /// After a replacement was swapped in: scores again, the same query and selection, then
    /// what waited for it.
    fn replaced(&mut self, old: &Catalog) {
        // The results name entities by their old numbers: dropped, and scored again after the
        // frame that shows the new data.
        self.data.scores.set_pending();
        self.pending.scores_due = true;
        self.catalog_replaced(old);
        self.search_loaded();
        self.sources_changed();
        while let Some(held) = self.data.load.next_held() {
            match held {
                Held::Load(event) => self.load(event),
                Held::Register { entities, message } => self.register(entities, message),
            }
        }
    }

    /// Adds entities to the catalog that no source sent (a template run registered them),
    /// after any replacement being built.
    pub(crate) fn register(&mut self, entities: Vec<Entity>, message: String) {
        let count = entities.len();
        let Some(message) = self.data.load.register(entities, message) else {
            // Held until the replacement being built is swapped in.
            return;
        };
        self.data.scores.forget_catalog();
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
        let statuses = self.data.load.sources().statuses().to_vec();
        self.tell_panes(&crate::tui::action::Action::SourcesChanged(statuses));
    }

    /// After a source's data was swapped in (the index already rebuilt): the same query, and
    /// the same selected and open entities where they still exist.
    fn catalog_replaced(&mut self, old: &Catalog) {
        let remap = |id: EntityId| {
            let e = old.entities().get(id.index())?;
            self.data.load.catalog().id_of(e.entity_ref())
        };
        let selected = self.screen.search.selected_id().and_then(remap);
        self.pending.searching.version += 1;
        self.pending.searching.behind = false;
        // Built while other sources may still load: ranked again once they are in.
        self.pending.searching.ranks_stale = true;
        self.pending.searching.load_due = false;
        // Inline: the results on screen name entities by their old numbers.
        let mut results = self.pending.searching.narrowing.search(
            self.data.load.index(),
            self.pending.searching.version,
            &self.screen.search.parsed_query(),
            RESULT_LIMIT,
        );
        if self.screen.search.facets.is_open() {
            results.facets = self
                .pending
                .searching
                .narrowing
                .facets(self.data.load.index(), self.pending.searching.version);
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
        let ids: Vec<SourceId> = (0..self.data.load.sources().statuses().len())
            .filter(|&i| name.is_empty() || self.data.load.sources().statuses()[i].name == name)
            .collect();
        if ids.is_empty() {
            let names: Vec<&str> = self
                .data
                .load
                .sources()
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
            self.start_refresh(id);
        }
        self.status_info(format!(
            "refreshing {}",
            if name.is_empty() { "all sources" } else { name }
        ));
        Ok(Some(Task::Refresh(ids)))
    }
}
