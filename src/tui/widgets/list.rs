//! A selection over a list of known length, and the window of rows to draw for it. Panes keep
//! only the selected index; the visible window is derived per frame, so nothing is mutated
//! while drawing.

use crate::tui::action::Action;
use std::ops::Range;

/// Moves `selected` within `len` rows for a movement action. Returns false when the action is
/// not a movement.
pub fn move_selection(selected: &mut usize, len: usize, action: &Action, page: usize) -> bool {
    let last = len.saturating_sub(1);
    let page = page.max(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(page),
        Action::PageDown => (*selected + page).min(last),
        Action::Home => 0,
        Action::End => last,
        _ => return false,
    };
    true
}

/// Where a list's rows were last drawn (drawing has `&self`), so a mouse click on a screen row
/// can be turned into the list row under it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RowsDrawn(std::cell::Cell<(u16, u16, usize)>);

impl RowsDrawn {
    /// Remembers that rows from `first` on were drawn from the top of `area`, one a line.
    pub fn record(&self, area: ratatui::layout::Rect, first: usize) {
        self.0.set((area.y, area.height, first));
    }

    /// The list row drawn on screen row `row`, if the last draw put one there (the caller
    /// checks it is below the list's length).
    pub fn hit(&self, row: u16) -> Option<usize> {
        let (y, height, first) = self.0.get();
        (row >= y && row < y + height).then(|| first + usize::from(row - y))
    }
}

/// The rows to draw so the selected one is visible in `height` rows: the selection sits on the
/// last row once it is past the first page.
pub fn window(selected: usize, len: usize, height: usize) -> Range<usize> {
    if height == 0 || len == 0 {
        return 0..0;
    }
    let start = (selected + 1)
        .saturating_sub(height)
        .min(len.saturating_sub(1));
    start..(start + height).min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_stays_within_the_list() {
        let mut s = 0;
        assert!(move_selection(&mut s, 5, &Action::Up, 3));
        assert_eq!(s, 0);
        move_selection(&mut s, 5, &Action::PageDown, 3);
        assert_eq!(s, 3);
        move_selection(&mut s, 5, &Action::PageDown, 3);
        assert_eq!(s, 4);
        move_selection(&mut s, 5, &Action::Home, 3);
        assert_eq!(s, 0);
        move_selection(&mut s, 5, &Action::End, 3);
        assert_eq!(s, 4);
        let mut empty = 0;
        move_selection(&mut empty, 0, &Action::End, 3);
        assert_eq!(empty, 0);
        assert!(!move_selection(&mut s, 5, &Action::Open, 3));
    }

    #[test]
    fn window_keeps_the_selection_visible() {
        assert_eq!(window(0, 100, 10), 0..10);
        assert_eq!(window(9, 100, 10), 0..10);
        assert_eq!(window(10, 100, 10), 1..11);
        assert_eq!(window(99, 100, 10), 90..100);
        assert_eq!(window(2, 3, 10), 0..3);
        assert_eq!(window(0, 0, 10), 0..0);
        assert_eq!(window(5, 10, 0), 0..0);
    }
}
