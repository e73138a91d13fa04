//! The mouse (with capture on, `mouse: true`, the default): the wheel scrolls what is on
//! screen (three rows a notch, as the arrow keys do), a click selects the row under it or
//! switches to the tab under it, and a second click on the same cell soon after opens the row
//! (as Enter).

use super::{update_state, App};
use crate::tui::action::{Action, Mouse};
use crate::tui::panes::Outcome;
use crate::tui::task::Task;
use std::time::Duration;

/// Two clicks on one cell closer than this are a double click.
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// Rows one notch of the wheel moves.
const WHEEL_ROWS: usize = 3;

impl App {
    /// Acts on a mouse event; returns the task of what it opened, if any.
    pub(super) fn mouse(&mut self, mouse: Mouse) -> Option<Task> {
        match mouse {
            Mouse::ScrollUp { .. } | Mouse::ScrollDown { .. } => {
                let up = matches!(mouse, Mouse::ScrollUp { .. });
                let mut task = None;
                for _ in 0..WHEEL_ROWS {
                    let step = if up { Action::Up } else { Action::Down };
                    task = update_state(self, step).or(task);
                }
                task
            }
            Mouse::Click { column, row } => {
                let now = self.clock().now();
                let double = self.screen.last_click.is_some_and(|(at, cell)| {
                    cell == (column, row) && now.duration_since(at).is_ok_and(|d| d <= DOUBLE_CLICK)
                });
                // A third click starts again.
                self.screen.last_click = (!double).then_some((now, (column, row)));
                if self.screen.overlay.is_some() {
                    return None;
                }
                self.screen.status = None;
                let action = Action::Mouse(mouse);
                let (stack, search, ctx) = self.panes_and_ctx();
                let outcome = match stack.last_mut() {
                    Some(view) => view.handle(&action, &ctx),
                    None => search.handle(&action, &ctx),
                };
                let hit = matches!(outcome, Outcome::Consumed);
                let task = self.apply(outcome, action);
                if double && hit {
                    return update_state(self, Action::Open).or(task);
                }
                task
            }
        }
    }
}
