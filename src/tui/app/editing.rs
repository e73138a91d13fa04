//! The app's side of `e` (see `tui::editing`): which sources a file belongs to, the task that
//! opens it, and the reload when the editor returns.

use super::App;
use crate::source::SourceId;
use crate::tui::editing::{EditRequest, Edited};
use crate::tui::task::Task;
use crate::tui::widgets::wrap::safe_line;

impl App {
    /// `e` where no pane took it: the current entity's file (the entity view and its tabs).
    pub(super) fn edit_current(&mut self) -> Option<Task> {
        let Some(id) = self.current_entity() else {
            self.status_info("no entity to edit: open one first");
            return None;
        };
        let entity = self.catalog.get(id);
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
        let (owners, problems) = self.sources.origins();
        let mut ids: Vec<SourceId> = self
            .catalog
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

    /// The editor returned: reload the file's sources (every source when none is known), the
    /// entity view follows its entity into the new catalog.
    pub(super) fn edited(&mut self, edited: Edited) {
        let place = edited.request.place();
        if let Err(e) = &edited.result {
            self.status_error(safe_line(e));
            return;
        }
        let ids = if edited.request.sources.is_empty() {
            (0..self.sources.statuses().len()).collect()
        } else {
            edited.request.sources
        };
        for &id in &ids {
            self.sources.start_refresh(id);
        }
        let code = match edited.result {
            Ok(Some(0)) => String::new(),
            Ok(Some(code)) => format!(" (the editor exited with {code})"),
            Ok(None) => " (the editor was killed)".to_string(),
            Err(_) => String::new(),
        };
        self.status_info(format!("edited {place}{code}: reloading"));
        self.asked.push(Task::Refresh(ids));
    }
}
