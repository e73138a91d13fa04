//! The entity view's tabs, one file each, and the registry that lists them.
//!
//! # Adding a tab
//! 1. Create `tabs/<name>.rs` with a struct holding the tab's own state (selection, scroll)
//!    for one entity, and `impl EntityTab for it`.
//! 2. Write a factory `pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>>`
//!    that returns `None` when the tab does not apply (an API tab for a User, say).
//! 3. Add `pub mod <name>;` and the factory to [`REGISTRY`] below, in the order the tabs
//!    should appear. Overview stays first.
//!
//! A tab draws from `&self` and the [`Ctx`] only, and answers actions with an [`Outcome`]
//! (`Ignored` lets the entity view handle Esc, Tab and the rest). Background work it needs
//! (a page to read, live data) it returns from [`EntityTab::take_tasks`]; the answer comes
//! back to its `handle` as `Action::Reply`.

pub mod api;
pub mod dependencies;
pub mod docs;
pub mod docs_page;
pub mod live;
pub mod overview;
pub mod ownership;
pub mod remote_docs;
pub mod scorecard;

use crate::catalog::EntityId;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::panes::{Ctx, Outcome, PaneKeys};
use crate::tui::task::Task;
use ratatui::layout::Rect;
use ratatui::Frame;

/// One tab of the entity view, for one entity.
pub trait EntityTab: Send {
    /// The tab's label, such as `Overview`.
    fn title(&self) -> &str;
    /// Handles an action; movement keys reach the tab before the entity view.
    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome;
    /// Draws the tab's body. Must not mutate anything.
    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame);
    /// Whether the tab bar lists the tab. A tab that learns in the background whether it
    /// applies (the Docs tab of an entity without a techdocs-ref) is hidden until it knows.
    fn shown(&self) -> bool {
        true
    }
    /// The keymap mode while the tab has focus, when it is not the entity view's (a tab with a
    /// text field, such as the Docs tab's find prompt, asks for [`Mode::Search`]).
    fn mode(&self) -> Option<Mode> {
        None
    }
    /// The keys the tab answers now, for the help overlay and the hint bar (the entity view
    /// adds its own: tabs, copy, ownership, links); by default the moves and Enter.
    fn keys(&self) -> PaneKeys {
        PaneKeys::moves_and(&["open"])
    }
    /// Work the tab asked for since it was last asked (a docs page to read, live data to
    /// fetch), given the width of the area it is drawn in and whether it is on screen; the
    /// answers come back to [`EntityTab::handle`] as `Action::Reply`.
    fn take_tasks(&mut self, area_width: u16, on_screen: bool) -> Vec<Task> {
        let _ = (area_width, on_screen);
        Vec::new()
    }
}

/// Makes a tab for an entity, or `None` when the tab does not apply to it.
pub type TabFactory = fn(&Ctx, EntityId) -> Option<Box<dyn EntityTab>>;

/// Every tab, in display order.
pub const REGISTRY: &[TabFactory] = &[
    overview::make,
    ownership::make,
    dependencies::make,
    docs::make,
    remote_docs::make,
    api::make,
    scorecard::make,
    live::make,
];

/// The tabs that apply to an entity.
pub fn tabs_for(ctx: &Ctx, id: EntityId) -> Vec<Box<dyn EntityTab>> {
    REGISTRY.iter().filter_map(|make| make(ctx, id)).collect()
}

#[cfg(test)]
pub(crate) mod tests;
