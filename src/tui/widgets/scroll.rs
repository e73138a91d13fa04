//! Scrolling through text whose length is only known when it is drawn (a rendered page, a
//! scorecard, a command's output).

use crate::tui::action::Action;
use std::cell::Cell;

/// Before the first draw the length is unknown: scrolling is bounded by this, and drawing
/// clamps it.
const UNKNOWN: usize = usize::MAX / 4;

/// A scroll offset, and the largest offset the last draw allowed, so that `End` then `Up`
/// moves up at once instead of first walking back from past the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextScroll {
    offset: usize,
    /// Set while drawing (drawing has `&self`): the length is only known at the drawn width.
    max: Cell<usize>,
}

impl Default for TextScroll {
    fn default() -> Self {
        Self {
            offset: 0,
            max: Cell::new(UNKNOWN),
        }
    }
}

impl TextScroll {
    /// Moves for Up, Down, PageUp, PageDown, Home and End; false for any other action.
    pub fn handle(&mut self, action: &Action, page: usize) -> bool {
        let max = self.max.get();
        let page = page.max(1);
        self.offset = match action {
            Action::Up => self.offset.min(max).saturating_sub(1),
            Action::Down => (self.offset + 1).min(max),
            Action::PageUp => self.offset.min(max).saturating_sub(page),
            Action::PageDown => (self.offset + page).min(max),
            Action::Home => 0,
            Action::End => max,
            _ => return false,
        };
        true
    }

    /// The offset as set by keys or by a jump (a search match, a link, an anchor).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Jumps to a line.
    pub fn set(&mut self, offset: usize) {
        self.offset = offset;
    }

    /// The first line to draw for `len` lines in `height` rows; remembers the largest offset.
    pub fn start(&self, len: usize, height: usize) -> usize {
        let max = len.saturating_sub(height);
        self.max.set(max);
        self.offset.min(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_after_end_moves_up_at_once() {
        let mut s = TextScroll::default();
        assert_eq!(s.start(100, 10), 0);
        assert!(s.handle(&Action::End, 10));
        assert_eq!(s.start(100, 10), 90);
        assert!(s.handle(&Action::Up, 10));
        assert_eq!(s.start(100, 10), 89);
        assert!(s.handle(&Action::PageDown, 10));
        assert_eq!(s.offset(), 90);
        assert!(!s.handle(&Action::Open, 10));
    }

    #[test]
    fn end_before_the_first_draw_is_clamped_when_drawn() {
        let mut s = TextScroll::default();
        s.handle(&Action::End, 10);
        assert_eq!(s.start(30, 10), 20);
        s.handle(&Action::Up, 10);
        assert_eq!(s.start(30, 10), 19);
    }
}
