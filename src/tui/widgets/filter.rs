//! Filtering a list as you type, the same way in every list pane and tab: `/` (the `filter`
//! action) opens the filter
//! prompt, typed text narrows the list (case-insensitive; every word typed must appear in the
//! row), `Enter` keeps the filter and acts on the selected row, and `Esc` clears the filter
//! first and only a second `Esc` leaves. The list's footer shows the filter and `N of M`.
//!
//! Two levels, so a pane picks what fits:
//! - [`Filter`]: the prompt alone (its text, whether it is open, whether a row matches), for a
//!   pane that keeps its own selection (the Overview tab's relations);
//! - [`FilteredList`]: the prompt with the rows it lets through and a selection over them, for
//!   a plain list (Teams, Problems, Sources, Links, docs search results, Scorecards).
//!
//! While the prompt is open the pane asks for [`Mode::Search`] ([`Filter::mode`]), so plain
//! characters are typed rather than bound (`q` is a letter, not quit).

use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::line_edit::{Edit, LineEditor};
use crate::tui::widgets::list::{move_selection, window};
use crate::tui::widgets::wrap::safe_line;
use ratatui::text::{Line, Span};

/// The longest filter kept, in characters.
const MAX_FILTER: usize = 128;

/// What a key did to the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKey {
    /// Not a filter key: the pane handles it.
    Ignored,
    /// Used, and the filter text is unchanged (the prompt opened or closed).
    Consumed,
    /// The filter text changed: the rows must be filtered again.
    Changed,
}

/// The filter prompt: its text and whether it has focus.
#[derive(Debug, Clone)]
pub struct Filter {
    text: LineEditor,
    editing: bool,
    /// The words of `text`, lower case (kept in step with it).
    words: Vec<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            text: LineEditor::with_limit(MAX_FILTER),
            editing: false,
            words: Vec::new(),
        }
    }
}

impl Filter {
    /// The filter text as typed.
    pub fn text(&self) -> &str {
        self.text.text()
    }

    /// True while the prompt has focus (typed characters go into it).
    pub fn editing(&self) -> bool {
        self.editing
    }

    /// True when the filter narrows the list (some text typed).
    pub fn active(&self) -> bool {
        !self.words.is_empty()
    }

    /// True when the footer line is to be drawn: while typing, or while a filter applies.
    pub fn shown(&self) -> bool {
        self.editing || self.active()
    }

    /// The keymap mode: [`Mode::Search`] while typing, `idle` otherwise.
    pub fn mode(&self, idle: Mode) -> Mode {
        if self.editing {
            Mode::Search
        } else {
            idle
        }
    }

    /// Whether a row whose searchable text is `haystack` passes: every word of the filter
    /// appears in it, ignoring case. Everything passes an empty filter.
    pub fn matches(&self, haystack: &str) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let hay = haystack.to_lowercase();
        self.words.iter().all(|w| hay.contains(w.as_str()))
    }

    fn set_text(&mut self, text: &str) {
        self.text.set(text);
        self.words_changed();
    }

    fn words_changed(&mut self) {
        self.words = self
            .text
            .text()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
    }

    /// Handles the filter's keys: `/` (the `filter` action) opens the prompt; while it is open,
    /// typing, pasting and the readline keys edit it and Enter closes it (keeping the filter:
    /// the pane then acts on Enter); Esc clears a filter before anything else.
    pub fn handle(&mut self, action: &Action) -> FilterKey {
        if self.editing {
            return match action {
                Action::Back => {
                    self.editing = false;
                    if self.text.is_empty() {
                        return FilterKey::Consumed;
                    }
                    self.set_text("");
                    FilterKey::Changed
                }
                Action::Open => {
                    // The filter stays; Enter goes on to the pane (opens the selected row).
                    self.editing = false;
                    FilterKey::Ignored
                }
                Action::Filter => FilterKey::Consumed,
                _ => match self.text.handle(action) {
                    Edit::Changed => {
                        self.words_changed();
                        FilterKey::Changed
                    }
                    Edit::Kept => FilterKey::Consumed,
                    Edit::Ignored => FilterKey::Ignored,
                },
            };
        }
        match action {
            Action::Filter => {
                self.editing = true;
                FilterKey::Consumed
            }
            Action::Back if !self.text.is_empty() => {
                self.set_text("");
                FilterKey::Changed
            }
            _ => FilterKey::Ignored,
        }
    }

    /// The footer line: the prompt with its cursor while typing, else the filter that applies,
    /// and `shown of total`; `None` when no filter is open or applies.
    pub fn footer(
        &self,
        theme: &Theme,
        shown: usize,
        total: usize,
        width: usize,
    ) -> Option<Line<'static>> {
        if !self.shown() {
            return None;
        }
        let typed = safe_line(self.text.text());
        let count = format!("  {shown} of {total}");
        let mut spans = vec![Span::styled("/", theme.style(Token::Accent))];
        if self.editing {
            let at = self.text.cursor_chars();
            spans.push(Span::raw(typed.chars().take(at).collect::<String>()));
            spans.push(Span::styled("▏", theme.style(Token::Accent)));
            spans.push(Span::raw(typed.chars().skip(at).collect::<String>()));
            spans.push(Span::styled(count, theme.style(Token::Muted)));
            spans.push(Span::styled(
                "  Enter keep · Esc clear",
                theme.style(Token::Muted),
            ));
        } else {
            spans.push(Span::styled(typed, theme.style(Token::Match)));
            spans.push(Span::styled(count, theme.style(Token::Muted)));
            spans.push(Span::styled(
                "  / edit · Esc clear",
                theme.style(Token::Muted),
            ));
        }
        Some(crate::tui::panes::entity::clip(spans, width))
    }
}

/// The rows a filter lets through (indices into the pane's rows, in order), the selection
/// among them, and where they were last drawn: what [`FilteredList`] and the tree filter
/// (`widgets::tree_filter`) share.
#[derive(Debug, Default, Clone)]
pub(crate) struct ShownRows {
    /// The indices of the rows shown, in order.
    shown: Vec<usize>,
    /// Index into `shown`.
    selected: usize,
    /// Where the rows were last drawn, for mouse clicks.
    drawn: crate::tui::widgets::list::RowsDrawn,
}

impl ShownRows {
    /// Shows `rows` (in order), keeping the selection's place within them.
    pub(crate) fn set(&mut self, rows: Vec<usize>) {
        self.shown = rows;
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// Selects the `at`-th row shown.
    pub(crate) fn select_at(&mut self, at: usize) {
        self.selected = at.min(self.shown.len().saturating_sub(1));
    }

    /// A click on a drawn row selects it (a double click then opens it: the app sends Enter
    /// after a click that selected); other keys move the selection. True when used.
    pub(crate) fn click_or_move(&mut self, action: &Action, page: usize) -> bool {
        match action {
            Action::Mouse(crate::tui::action::Mouse::Click { row, .. }) => {
                match self.drawn.hit(*row).filter(|&at| at < self.shown.len()) {
                    Some(at) => {
                        self.selected = at;
                        true
                    }
                    None => false,
                }
            }
            _ => move_selection(&mut self.selected, self.shown.len(), action, page),
        }
    }

    /// The selected row's index in the pane's rows, if any row is shown.
    pub(crate) fn selected_row(&self) -> Option<usize> {
        self.shown.get(self.selected).copied()
    }

    /// Selects `row` when it is shown, else the first shown after it (or the last).
    pub(crate) fn select_row(&mut self, row: usize) {
        self.selected = self
            .shown
            .iter()
            .position(|&r| r >= row)
            .unwrap_or(self.shown.len().saturating_sub(1));
    }

    /// The indices of the rows shown, in order.
    pub(crate) fn shown(&self) -> &[usize] {
        &self.shown
    }

    /// The rows to draw in `height` lines with the selection visible.
    pub(crate) fn visible(&self, height: usize) -> Vec<usize> {
        window(self.selected, self.shown.len(), height)
            .filter_map(|i| self.shown.get(i).copied())
            .collect()
    }

    /// The rows to draw in `area`, one a line from its top, with the selection visible;
    /// remembers where they are, so a click selects the row under it.
    pub(crate) fn visible_in(&self, area: ratatui::layout::Rect) -> Vec<usize> {
        let range = window(self.selected, self.shown.len(), area.height as usize);
        self.drawn.record(area, range.start);
        range.filter_map(|i| self.shown.get(i).copied()).collect()
    }
}

/// A list narrowed by a [`Filter`], with a selection over the rows it lets through. The pane
/// keeps its rows; this keeps only their indices.
#[derive(Debug, Default, Clone)]
pub struct FilteredList {
    filter: Filter,
    /// How many rows the pane had when last filtered.
    total: usize,
    /// The rows that pass, and the selection among them.
    rows: ShownRows,
}

impl FilteredList {
    /// Every one of `total` rows shown, the first selected.
    pub fn new(total: usize) -> Self {
        let mut rows = ShownRows::default();
        rows.set((0..total).collect());
        FilteredList {
            filter: Filter::default(),
            total,
            rows,
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

    /// The rows changed (a reload, new scores): filters the `total` rows again, keeping the
    /// selected row when it passes.
    pub fn set_rows(&mut self, total: usize, text_of: impl Fn(usize) -> String) {
        let was = self.selected_row();
        self.total = total;
        self.refilter(&text_of);
        if let Some(at) = was.and_then(|row| self.rows.shown().iter().position(|&r| r == row)) {
            self.rows.select_at(at);
        }
    }

    fn refilter(&mut self, text_of: &dyn Fn(usize) -> String) {
        self.rows.set(if self.filter.active() {
            (0..self.total)
                .filter(|&i| self.filter.matches(&text_of(i)))
                .collect()
        } else {
            (0..self.total).collect()
        });
    }

    /// Handles the filter's keys, movement over the rows that pass and a click on one;
    /// `text_of(i)` is row `i`'s searchable text. Returns true when the key was used; Enter
    /// and every other key are the pane's (Enter closes the prompt first).
    pub fn handle(
        &mut self,
        action: &Action,
        page: usize,
        text_of: impl Fn(usize) -> String,
    ) -> bool {
        match self.filter.handle(action) {
            FilterKey::Changed => {
                self.rows.select_at(0);
                self.refilter(&text_of);
                true
            }
            FilterKey::Consumed => true,
            FilterKey::Ignored => self.rows.click_or_move(action, page),
        }
    }

    /// The selected row's index in the pane's rows, if any row passes.
    pub fn selected_row(&self) -> Option<usize> {
        self.rows.selected_row()
    }

    /// Selects the first row that passes at or after `row` (or the last one).
    pub fn select_row(&mut self, row: usize) {
        self.rows.select_row(row);
    }

    /// The indices of the rows that pass, in order.
    pub fn shown(&self) -> &[usize] {
        self.rows.shown()
    }

    /// How many rows the list has, filtered or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The rows to draw in `height` lines with the selection visible, as indices in the
    /// pane's rows.
    pub fn visible(&self, height: usize) -> Vec<usize> {
        self.rows.visible(height)
    }

    /// The rows to draw in `area`, one a line from its top (see [`FilteredList::visible`]);
    /// remembers where they are, so a click selects the row under it.
    pub fn visible_in(&self, area: ratatui::layout::Rect) -> Vec<usize> {
        self.rows.visible_in(area)
    }

    /// The footer line (see [`Filter::footer`]), `None` when there is no filter.
    pub fn footer(&self, theme: &Theme, width: usize) -> Option<Line<'static>> {
        self.filter
            .footer(theme, self.rows.shown().len(), self.total, width)
    }

    /// Rows the footer takes: 1 while a filter is open or applies, else 0.
    pub fn footer_height(&self) -> u16 {
        u16::from(self.filter.shown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: [&str; 5] = [
        "payments-team",
        "ledger-team",
        "Platform",
        "ledger-writer",
        "web",
    ];

    fn text_of(i: usize) -> String {
        ROWS[i].to_string()
    }

    fn typed(list: &mut FilteredList, s: &str) {
        for c in s.chars() {
            list.handle(&Action::Input(c), 10, text_of);
        }
    }

    #[test]
    fn slash_then_typing_narrows_the_list_ignoring_case() {
        let mut list = FilteredList::new(ROWS.len());
        assert_eq!(list.mode(Mode::List), Mode::List);
        // Typing before `/` is not the filter's.
        assert!(!list.handle(&Action::Input('x'), 10, text_of));
        assert!(list.handle(&Action::Filter, 10, text_of));
        assert_eq!(list.mode(Mode::List), Mode::Search);
        typed(&mut list, "LEDGER");
        assert_eq!(list.shown(), &[1, 3]);
        assert_eq!(list.selected_row(), Some(1));
        list.handle(&Action::Down, 10, text_of);
        assert_eq!(list.selected_row(), Some(3));
        // Every word must appear, in any order.
        list.handle(&Action::ClearInput, 10, text_of);
        typed(&mut list, "team pay");
        assert_eq!(list.shown(), &[0]);
        list.handle(&Action::DeleteWord, 10, text_of);
        assert_eq!(list.shown(), &[0, 1]);
    }

    #[test]
    fn esc_clears_the_filter_before_anything_else() {
        let mut list = FilteredList::new(ROWS.len());
        list.handle(&Action::Filter, 10, text_of);
        typed(&mut list, "team");
        // Enter keeps the filter and closes the prompt; the pane still gets Enter.
        assert!(!list.handle(&Action::Open, 10, text_of));
        assert_eq!(list.mode(Mode::List), Mode::List);
        assert_eq!(list.shown().len(), 2);
        // Esc: the filter goes, the pane stays.
        assert!(list.handle(&Action::Back, 10, text_of));
        assert_eq!(list.shown().len(), 5);
        // A second Esc is the pane's (it leaves).
        assert!(!list.handle(&Action::Back, 10, text_of));
        // Esc in an open prompt with text clears it and closes the prompt.
        list.handle(&Action::Filter, 10, text_of);
        typed(&mut list, "web");
        assert!(list.handle(&Action::Back, 10, text_of));
        assert_eq!((list.shown().len(), list.filter().editing()), (5, false));
    }

    #[test]
    fn the_footer_says_the_filter_and_n_of_m() {
        let theme = Theme::default();
        let mut list = FilteredList::new(ROWS.len());
        assert!(list.footer(&theme, 80).is_none());
        assert_eq!(list.footer_height(), 0);
        list.handle(&Action::Filter, 10, text_of);
        typed(&mut list, "ledger");
        let line = list.footer(&theme, 80).unwrap().to_string();
        assert!(line.starts_with("/ledger▏  2 of 5"), "{line}");
        list.handle(&Action::Open, 10, text_of);
        let line = list.footer(&theme, 80).unwrap().to_string();
        assert!(line.starts_with("/ledger  2 of 5"), "{line}");
    }

    #[test]
    fn rows_changing_keep_the_filter_and_the_selected_row() {
        let mut list = FilteredList::new(3);
        list.handle(&Action::Filter, 10, text_of);
        typed(&mut list, "e");
        list.handle(&Action::End, 10, text_of);
        assert_eq!(list.selected_row(), Some(1));
        list.set_rows(ROWS.len(), text_of);
        assert_eq!(list.shown(), &[0, 1, 3, 4]);
        assert_eq!(list.selected_row(), Some(1));
        // A filter matching nothing: no selection, nothing drawn, nothing panics.
        typed(&mut list, "zzz");
        assert_eq!(list.selected_row(), None);
        assert!(list.visible(10).is_empty());
        list.handle(&Action::End, 10, text_of);
        list.handle(&Action::Down, 10, text_of);
    }

    #[test]
    fn control_characters_never_reach_the_filter() {
        let mut list = FilteredList::new(ROWS.len());
        list.handle(&Action::Filter, 10, text_of);
        list.handle(&Action::Paste("le\x1b[31m\ndger".into()), 10, text_of);
        assert!(!list.filter().text().chars().any(char::is_control));
        let line = list.footer(&Theme::default(), 80).unwrap().to_string();
        assert!(!line.chars().any(char::is_control), "{line:?}");
    }
}
