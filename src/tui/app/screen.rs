//! The app's screen state: the panes, the overlay, the status line, and how they are drawn.

use super::{Overlay, Status};
use crate::tui::keymap::Keymap;
use crate::tui::panes::search::SearchPane;
use crate::tui::panes::View;
use crate::tui::theme::Theme;

/// What is on screen and how keys and colours map onto it.
pub(super) struct Screen {
    /// The search pane (the root; always there).
    pub(super) search: SearchPane,
    /// Panes above the search pane; the last one has focus.
    pub(super) stack: Vec<Box<dyn View>>,
    /// The overlay above everything, if one is open.
    pub(super) overlay: Option<Overlay>,
    /// The status line message.
    pub(super) status: Option<Status>,
    /// Terminal size (columns, rows).
    pub(super) size: (u16, u16),
    /// The spinner frame, advanced by ticks while something loads.
    pub(super) spinner: usize,
    /// The last mouse click, when and where: a second one there soon after opens the row.
    pub(super) last_click: Option<(std::time::SystemTime, (u16, u16))>,
    /// The colour theme.
    pub(super) theme: Theme,
    /// Key bindings.
    pub(super) keymap: Keymap,
}

impl super::App {
    /// The search pane (the root; always there).
    pub fn search(&self) -> &SearchPane {
        &self.screen.search
    }

    /// Panes above the search pane; the last one has focus.
    pub fn stack(&self) -> &[Box<dyn View>] {
        &self.screen.stack
    }

    /// The overlay above everything, if one is open.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.screen.overlay.as_ref()
    }

    /// The status line message, if any.
    pub fn status(&self) -> Option<&Status> {
        self.screen.status.as_ref()
    }

    /// Clears the status line (tests that look at what comes after start-up messages).
    pub fn clear_status(&mut self) {
        self.screen.status = None;
    }

    /// Terminal size (columns, rows), as last told by `Action::Resize`.
    pub fn size(&self) -> (u16, u16) {
        self.screen.size
    }

    /// The spinner frame, advanced by ticks while something loads.
    pub fn spinner(&self) -> usize {
        self.screen.spinner
    }

    /// The colour theme.
    pub fn theme(&self) -> &Theme {
        &self.screen.theme
    }

    /// Replaces the colour theme (`:theme`, or tests).
    pub fn set_theme(&mut self, theme: Theme) {
        self.screen.theme = theme;
    }

    /// Key bindings.
    pub fn keymap(&self) -> &Keymap {
        &self.screen.keymap
    }

    /// Sets the favourites and recent entities (loaded from the state directory at start).
    pub fn set_marks(&mut self, marks: crate::tui::marks::Marks) {
        self.screen.search.marks = marks;
    }
}
