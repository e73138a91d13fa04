//! The app's side of `e` (see `tui::editing`): which sources a file belongs to, the task that
//! opens it, and the reload when the editor returns; and of the star key and the recent list
//! (see `tui::marks`).

use super::App;
use crate::source::SourceId;
use crate::tui::editing::{EditRequest, Edited};
use crate::tui::task::Task;
use crate::tui::watch::Change;
use crate::tui::widgets::wrap::safe_line;

impl App {
    /// Notes an entity opened, for the recent list of the empty query.
    pub(super) fn opened(&mut self, id: crate::catalog::EntityId) {
        let entity_ref = self.data.load.catalog().get(id).entity_ref().to_string();
        self.screen.search.marks.opened(&entity_ref);
    }

    /// `t` on a Template's entity page: its form, as from the templates list.
    pub(super) fn launch_template(&mut self) {
        use crate::scaffolder::Template;
        let Some(id) = self.current_entity() else {
            return;
        };
        let entity = self.data.load.catalog().get(id);
        if !entity.kind.eq_ignore_ascii_case("template") {
            self.status_info("t fills a template's form: this entity is not a Template");
            return;
        }
        match Template::from_entity(entity) {
            Ok(template) => {
                let form = crate::tui::panes::form::FormView::new(
                    template,
                    &self.ctx(),
                    Some(crate::scaffolder::draft::Drafts::open_default()),
                );
                self.push(Box::new(form));
            }
            Err(e) => self.status_error(safe_line(&e.to_string())),
        }
    }

    /// The star key: the entity on screen (or the selected result) becomes a favourite, or
    /// stops being one.
    pub(super) fn toggle_favourite(&mut self) {
        let Some(id) = self.current_entity().or_else(|| {
            self.screen
                .stack
                .is_empty()
                .then(|| self.screen.search.selected_id())
                .flatten()
        }) else {
            self.status_info("no entity to star");
            return;
        };
        let entity_ref = self.data.load.catalog().get(id).entity_ref().to_string();
        let starred = self.screen.search.marks.toggle_favourite(&entity_ref);
        self.status_info(if starred {
            format!("★ {entity_ref} is a favourite (listed first on the empty query)")
        } else {
            format!("{entity_ref} is no longer a favourite")
        });
    }

    /// `e` where no pane took it: the current entity's file (the entity view and its tabs).
    pub(super) fn edit_current(&mut self) -> Option<Task> {
        let Some(id) = self.current_entity() else {
            self.status_info("no entity to edit: open one first");
            return None;
        };
        let entity = self.data.load.catalog().get(id);
        let what = entity.entity_ref().to_string();
        match EditRequest::for_origin(&entity.origin, &what) {
            Ok(request) => Some(self.edit(request)),
            Err(why) => {
                self.status_info(safe_line(&why));
                None
            }
        }
    }

    /// The task that opens a file in the editor, with the sources to reload afterwards: those
    /// whose entities or problems come from that file.
    pub(super) fn edit(&mut self, mut request: EditRequest) -> Task {
        request.sources = self.sources_of_file(&request.path);
        Task::Edit(request)
    }

    fn sources_of_file(&self, path: &str) -> Vec<SourceId> {
        let (owners, problems) = self.data.load.sources().origins();
        let mut ids: Vec<SourceId> = self
            .data
            .load
            .catalog()
            .entities()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.origin.path.as_ref() == path)
            .filter_map(|(i, _)| owners.get(i).copied().flatten())
            .collect();
        ids.extend(problems.iter().enumerate().filter_map(|(id, list)| {
            list.iter()
                .any(|p| p.origin.as_ref().is_some_and(|o| o.path.as_ref() == path))
                .then_some(id)
        }));
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Starts a refresh of a source, noting when (see [`App::files_changed`]).
    pub(super) fn start_refresh(&mut self, id: SourceId) {
        self.data.load.start_refresh(id);
        let now = self.settings.clock.instant();
        self.pending.refresh_started.insert(id, now);
    }

    /// The watcher saw the files of these sources change: they reload, and the status line
    /// says so. A source whose refresh started after its change was seen (the reload after
    /// `e`, a `R`) reads that change anyway and is left alone; one refreshing since before the
    /// change (even still loading) reloads again, or it would miss what was written during its
    /// read.
    pub(super) fn files_changed(&mut self, changes: Vec<Change>) {
        let ids: Vec<SourceId> = changes
            .into_iter()
            .filter(|c| {
                self.pending
                    .refresh_started
                    .get(&c.source)
                    .map_or(true, |&started| started <= c.seen)
            })
            .map(|c| c.source)
            .collect();
        let names: Vec<String> = ids
            .iter()
            .filter_map(|&id| {
                self.data
                    .load
                    .sources()
                    .statuses()
                    .get(id)
                    .map(|s| safe_line(&s.name))
            })
            .collect();
        if names.is_empty() {
            return;
        }
        for &id in &ids {
            self.start_refresh(id);
        }
        self.status_info(format!("files changed: reloading {}", names.join(", ")));
        self.pending.asked.push(Task::Refresh(ids));
    }

    /// The editor returned: reload the file's sources (every source when none is known), the
    /// entity view follows its entity into the new catalog.
    pub(super) fn edited(&mut self, edited: Edited) {
        let place = edited.request.place();
        if let Err(e) = &edited.result {
            self.status_error(safe_line(e));
            return;
        }
        let ids = if edited.request.sources.is_empty() {
            (0..self.data.load.sources().statuses().len()).collect()
        } else {
            edited.request.sources
        };
        for &id in &ids {
            self.start_refresh(id);
        }
        let code = match edited.result {
            Ok(Some(0)) => String::new(),
            Ok(Some(code)) => format!(" (the editor exited with {code})"),
            Ok(None) => " (the editor was killed)".to_string(),
            Err(_) => String::new(),
        };
        self.status_info(format!("edited {place}{code}: reloading"));
        self.pending.asked.push(Task::Refresh(ids));
    }
}
