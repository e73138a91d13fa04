//! Filtering a tree (or a list under headings) as you type, as [`FilteredList`] filters a
//! flat list: `/` opens the prompt, typed text keeps the rows that match **and their
//! ancestors** (a node's parents, a row's heading), so what is left still reads as a tree;
//! `Enter` keeps the filter, `Esc` clears it first, and the footer says `N of M` (rows that
//! match, of all rows). The selection moves over every row shown, ancestors included; a click
//! selects the row under it.
//!
//! The pane keeps its rows, in display order (a parent before its children); this keeps
//! their indices. `parent_of(i)` names row `i`'s parent row, which must come before it.
//!
//! [`FilteredList`]: crate::tui::widgets::filter::FilteredList

use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Theme;
use crate::tui::widgets::filter::{Filter, FilterKey, ShownRows};
use ratatui::layout::Rect;
use ratatui::text::Line;

/// A tree narrowed by a [`Filter`], with a selection over the rows shown.
#[derive(Debug, Default, Clone)]
pub struct FilteredTree {
    filter: Filter,
    /// How many rows the pane had when last filtered.
    total: usize,
    /// The rows that match the filter, in order (every row without a filter).
    matched: Vec<usize>,
    /// The rows shown (those that match and their ancestors, in order) and the selection.
    rows: ShownRows,
}

impl FilteredTree {
    /// Every one of `total` rows shown, the first selected.
    pub fn new(total: usize) -> Self {
        let mut rows = ShownRows::default();
        rows.set((0..total).collect());
        FilteredTree {
            total,
            matched: (0..total).collect(),
            rows,
            ..Default::default()
        }
    }

    /// The filter prompt.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The keymap mode: [`Mode::Search`] while the prompt is open, `idle` otherwise.
    pub fn mode(&self, idle: Mode) -> Mode {
        self.filter.mode(idle)
    }

    /// The rows changed (folded, rebuilt, new live data): filters the `total` rows again,
    /// keeping the selected row (by index) when it is still shown.
    pub fn set_rows(
        &mut self,
        total: usize,
        text_of: impl Fn(usize) -> String,
        parent_of: impl Fn(usize) -> Option<usize>,
    ) {
        let was = self.selected_row();
        self.total = total;
        self.refilter(&text_of, &parent_of);
        if let Some(row) = was {
            self.select_row(row);
        }
    }

    fn refilter(
        &mut self,
        text_of: &dyn Fn(usize) -> String,
        parent_of: &dyn Fn(usize) -> Option<usize>,
    ) {
        if !self.filter.active() {
            self.matched = (0..self.total).collect();
            self.rows.set(self.matched.clone());
        } else {
            self.matched = (0..self.total)
                .filter(|&i| self.filter.matches(&text_of(i)))
                .collect();
            let mut keep = vec![false; self.total];
            for &row in &self.matched {
                let mut at = Some(row);
                // Up to the first row already kept (its ancestors are kept too); a parent
                // must come before its child, so a bad `parent_of` cannot loop.
                while let Some(i) = at.filter(|&i| i < self.total && !keep[i]) {
                    keep[i] = true;
                    at = parent_of(i).filter(|&p| p < i);
                }
            }
            self.rows
                .set((0..self.total).filter(|&i| keep[i]).collect());
        }
    }

    /// Handles the filter's keys, movement over the rows shown and a click on one; returns
    /// true when the action was used. Enter and every other key are the pane's (Enter closes
    /// the prompt first). After the filter text changes, the first matching row is selected.
    pub fn handle(
        &mut self,
        action: &Action,
        page: usize,
        text_of: impl Fn(usize) -> String,
        parent_of: impl Fn(usize) -> Option<usize>,
    ) -> bool {
        match self.filter.handle(action) {
            FilterKey::Changed => {
                self.refilter(&text_of, &parent_of);
                let first = self
                    .matched
                    .first()
                    .and_then(|m| self.rows.shown().iter().position(|r| r == m))
                    .unwrap_or(0);
                self.rows.select_at(first);
                true
            }
            FilterKey::Consumed => true,
            FilterKey::Ignored => self.rows.click_or_move(action, page),
        }
    }

    /// The selected row's index in the pane's rows, if any row is shown.
    pub fn selected_row(&self) -> Option<usize> {
        self.rows.selected_row()
    }

    /// Selects `row` when it is shown, else the first shown after it (or the last).
    pub fn select_row(&mut self, row: usize) {
        self.rows.select_row(row);
    }

    /// Whether `row` matches the filter (every row does without one).
    pub fn is_match(&self, row: usize) -> bool {
        self.matched.binary_search(&row).is_ok()
    }

    /// The rows shown, in order.
    pub fn shown(&self) -> &[usize] {
        self.rows.shown()
    }

    /// The rows to draw in `area`, one a line from its top, with the selection visible;
    /// remembers where they are, so a click selects the row under it.
    pub fn visible_in(&self, area: Rect) -> Vec<usize> {
        self.rows.visible_in(area)
    }

    /// The footer line: the prompt or the filter, and `matching of all`; `None` without a
    /// filter.
    pub fn footer(&self, theme: &Theme, width: usize) -> Option<Line<'static>> {
        self.filter
            .footer(theme, self.matched.len(), self.total, width)
    }

    /// Rows the footer takes: 1 while a filter is open or applies, else 0.
    pub fn footer_height(&self) -> u16 {
        u16::from(self.filter.shown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::action::Mouse;

    /// A little tree, in display order: (text, parent row).
    const ROWS: [(&str, Option<usize>); 7] = [
        ("payments-api", None),
        ("ledger-writer", Some(0)),
        ("ledger-db", Some(1)),
        ("fraud-scorer", Some(0)),
        ("rules-db", Some(3)),
        ("auth-service", Some(0)),
        ("ledger-cache", Some(5)),
    ];

    fn text_of(i: usize) -> String {
        ROWS[i].0.to_string()
    }

    fn parent_of(i: usize) -> Option<usize> {
        ROWS[i].1
    }

    fn handle(tree: &mut FilteredTree, action: Action) -> bool {
        tree.handle(&action, 10, text_of, parent_of)
    }

    fn typed(tree: &mut FilteredTree, s: &str) {
        for c in s.chars() {
            handle(tree, Action::Input(c));
        }
    }

    #[test]
    fn a_filter_keeps_the_matching_rows_and_their_ancestors() {
        let mut tree = FilteredTree::new(ROWS.len());
        assert!(handle(&mut tree, Action::Filter));
        assert_eq!(tree.mode(Mode::Entity), Mode::Search);
        typed(&mut tree, "db");
        // ledger-db under ledger-writer, rules-db under fraud-scorer, all under the root.
        assert_eq!(tree.shown(), &[0, 1, 2, 3, 4]);
        assert!(tree.is_match(2) && !tree.is_match(1));
        // The first match is selected, not its ancestor.
        assert_eq!(tree.selected_row(), Some(2));
        handle(&mut tree, Action::Down);
        assert_eq!(tree.selected_row(), Some(3), "ancestors can be selected");
        let line = tree.footer(&Theme::default(), 80).unwrap().to_string();
        assert!(line.starts_with("/db▏  2 of 7"), "{line}");
        // A deeper match brings its whole path.
        handle(&mut tree, Action::ClearInput);
        typed(&mut tree, "cache");
        assert_eq!(tree.shown(), &[0, 5, 6]);
        assert_eq!(tree.selected_row(), Some(6));
    }

    #[test]
    fn esc_clears_the_filter_first_and_then_is_the_panes() {
        let mut tree = FilteredTree::new(ROWS.len());
        handle(&mut tree, Action::Filter);
        typed(&mut tree, "fraud");
        assert!(
            !handle(&mut tree, Action::Open),
            "Enter goes on to the pane"
        );
        assert_eq!(tree.shown(), &[0, 3]);
        assert!(handle(&mut tree, Action::Back));
        assert_eq!(tree.shown().len(), ROWS.len());
        assert!(!handle(&mut tree, Action::Back));
        assert!(tree.footer(&Theme::default(), 80).is_none());
    }

    #[test]
    fn a_click_selects_the_row_drawn_under_it() {
        let mut tree = FilteredTree::new(ROWS.len());
        let drawn = tree.visible_in(Rect::new(0, 5, 40, 3));
        assert_eq!(drawn, vec![0, 1, 2]);
        assert!(handle(
            &mut tree,
            Action::Mouse(Mouse::Click { column: 3, row: 6 })
        ));
        assert_eq!(tree.selected_row(), Some(1));
        // Outside the rows drawn: not the tree's.
        assert!(!handle(
            &mut tree,
            Action::Mouse(Mouse::Click { column: 3, row: 8 })
        ));
        assert!(!handle(
            &mut tree,
            Action::Mouse(Mouse::Click { column: 3, row: 4 })
        ));
        assert_eq!(tree.selected_row(), Some(1));
    }

    #[test]
    fn rows_changing_keep_the_filter_and_nothing_matching_selects_nothing() {
        let mut tree = FilteredTree::new(3);
        handle(&mut tree, Action::Filter);
        typed(&mut tree, "ledger");
        assert_eq!(tree.shown(), &[0, 1, 2]);
        handle(&mut tree, Action::Down);
        tree.set_rows(ROWS.len(), text_of, parent_of);
        assert_eq!(tree.shown(), &[0, 1, 2, 5, 6]);
        assert_eq!(tree.selected_row(), Some(2), "the selected row is kept");
        typed(&mut tree, "zzz");
        assert_eq!(tree.selected_row(), None);
        assert!(tree.visible_in(Rect::new(0, 0, 10, 5)).is_empty());
        handle(&mut tree, Action::End);
        handle(&mut tree, Action::Down);
        // A parent that does not come before its child is ignored, not followed.
        let mut odd = FilteredTree::new(2);
        odd.handle(&Action::Filter, 10, text_of, |_| Some(1));
        odd.handle(&Action::Input('w'), 10, text_of, |_| Some(1));
        assert_eq!(odd.shown(), &[1]);
    }
}
