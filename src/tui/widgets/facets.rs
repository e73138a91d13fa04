//! The facet panel of the search pane (`F2`): how many of the query's matches have each kind,
//! owner, lifecycle and tag (counted where the search ran, off the UI thread; see
//! [`crate::search::Facets`]). `Tab`/`Shift-Tab` highlight a value, `Enter` adds it to the
//! query as a filter (`kind:component`), `Esc` drops the highlight; a click on a value adds it.

use crate::search::Facets;
use crate::text;
use crate::tui::action::{Action, Mouse};
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::cell::RefCell;

/// What a key or click did to the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacetStep {
    /// Not the panel's: the search pane handles it.
    Ignored,
    /// Used (the panel opened, closed or moved its highlight).
    Consumed,
    /// Add this filter (`key:value`) to the query.
    Add(String),
}

/// Where each value was drawn: its row, first and past-the-last column, and its filter.
type Drawn = Vec<(u16, u16, u16, String)>;

/// The panel's state: open or not, the highlighted value.
#[derive(Debug, Default)]
pub struct FacetPanel {
    open: bool,
    /// Index of the highlighted value among all the values listed, in order.
    cursor: Option<usize>,
    /// Where the values were last drawn, for clicks.
    drawn: RefCell<Drawn>,
}

/// Every value listed, in order, as its filter (`key:value`).
fn filters(facets: &Facets) -> Vec<String> {
    facets
        .groups()
        .iter()
        .flat_map(|(key, values)| values.iter().map(move |(v, _)| format!("{key}:{v}")))
        .collect()
}

/// A filter value as the query takes it: one word (a value with spaces cannot be one).
fn usable(value: &str) -> bool {
    !value.is_empty() && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl FacetPanel {
    /// True while the panel is shown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The highlighted value's filter, if one is highlighted.
    pub fn highlighted(&self, facets: &Facets) -> Option<String> {
        self.cursor.and_then(|c| filters(facets).into_iter().nth(c))
    }

    /// Handles the panel's keys and clicks (see the module doc).
    pub fn handle(&mut self, action: &Action, facets: &Facets) -> FacetStep {
        if let Action::Facets = action {
            self.open = !self.open;
            self.cursor = None;
            return FacetStep::Consumed;
        }
        if !self.open {
            return FacetStep::Ignored;
        }
        let all = filters(facets);
        match action {
            Action::NextTab | Action::PrevTab if !all.is_empty() => {
                let n = all.len();
                self.cursor = Some(match (self.cursor, matches!(action, Action::NextTab)) {
                    (None, true) => 0,
                    (None, false) => n - 1,
                    (Some(c), true) => (c + 1) % n,
                    (Some(c), false) => (c + n - 1) % n,
                });
                FacetStep::Consumed
            }
            Action::Open if self.cursor.is_some() => {
                let chosen = self.cursor.take().and_then(|c| all.into_iter().nth(c));
                match chosen {
                    Some(f) if usable(f.split_once(':').map_or("", |(_, v)| v)) => {
                        FacetStep::Add(f)
                    }
                    _ => FacetStep::Consumed,
                }
            }
            Action::Back if self.cursor.is_some() => {
                self.cursor = None;
                FacetStep::Consumed
            }
            Action::Mouse(Mouse::Click { column, row }) => {
                let hit = self
                    .drawn
                    .borrow()
                    .iter()
                    .find(|(y, from, to, _)| y == row && (*from..*to).contains(column))
                    .map(|(_, _, _, f)| f.clone());
                match hit {
                    Some(f) if usable(f.split_once(':').map_or("", |(_, v)| v)) => {
                        FacetStep::Add(f)
                    }
                    Some(_) => FacetStep::Consumed,
                    None => FacetStep::Ignored,
                }
            }
            // Typing goes on into the query; the highlight would point at other counts.
            Action::Input(_) | Action::DeleteChar | Action::DeleteWord | Action::ClearInput => {
                self.cursor = None;
                FacetStep::Ignored
            }
            _ => FacetStep::Ignored,
        }
    }

    /// Rows the panel takes: one per facet with values, while open.
    pub fn height(&self, facets: &Facets) -> u16 {
        if !self.open {
            return 0;
        }
        let rows = facets
            .groups()
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .count();
        // An empty result still says why the panel is empty.
        rows.max(1) as u16
    }

    /// Draws the panel into `area` (as tall as [`FacetPanel::height`]).
    pub fn render(&self, theme: &Theme, facets: &Facets, area: Rect, frame: &mut Frame) {
        let mut drawn = Drawn::new();
        let width = area.width as usize;
        let mut lines = Vec::new();
        let mut index = 0;
        for (key, values) in facets.groups() {
            if values.is_empty() {
                continue;
            }
            let y = area.y + lines.len() as u16;
            let label = format!("{key:<10}");
            let mut used = text::width(&label);
            let mut spans = vec![Span::styled(label, theme.style(Token::Muted))];
            for (value, count) in values {
                let shown = format!("{} {count}", safe_line(value));
                let w = text::width(&shown);
                if used + w + 2 > width {
                    index += 1;
                    continue;
                }
                let style = if self.cursor == Some(index) {
                    theme.style(Token::Selection)
                } else {
                    theme.style(Token::Accent)
                };
                let x = area.x + used as u16;
                drawn.push((y, x, x + w as u16, format!("{key}:{value}")));
                spans.push(Span::styled(shown, style));
                spans.push(Span::raw("  "));
                used += w + 2;
                index += 1;
            }
            lines.push(Line::from(spans));
        }
        if lines.is_empty() {
            lines.push(Line::styled(
                "no match to count · F2 hides this",
                theme.style(Token::Muted),
            ));
        }
        *self.drawn.borrow_mut() = drawn;
        frame.render_widget(Paragraph::new(lines), area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facets() -> Facets {
        Facets {
            kinds: vec![("component".into(), 5), ("api".into(), 2)],
            owners: vec![("ledger-team".into(), 4)],
            lifecycles: vec![],
            tags: vec![("has space".into(), 1)],
        }
    }

    #[test]
    fn tab_highlights_values_in_order_and_enter_adds_the_filter() {
        let f = facets();
        let mut panel = FacetPanel::default();
        assert_eq!(panel.handle(&Action::NextTab, &f), FacetStep::Ignored);
        assert_eq!(panel.handle(&Action::Facets, &f), FacetStep::Consumed);
        assert_eq!(panel.height(&f), 3);
        panel.handle(&Action::NextTab, &f);
        panel.handle(&Action::NextTab, &f);
        assert_eq!(panel.highlighted(&f).as_deref(), Some("kind:api"));
        panel.handle(&Action::PrevTab, &f);
        panel.handle(&Action::PrevTab, &f);
        assert_eq!(panel.highlighted(&f).as_deref(), Some("tag:has space"));
        // A value with a space cannot be one filter word: nothing is added.
        assert_eq!(panel.handle(&Action::Open, &f), FacetStep::Consumed);
        panel.handle(&Action::NextTab, &f);
        panel.handle(&Action::NextTab, &f);
        panel.handle(&Action::NextTab, &f);
        assert_eq!(
            panel.handle(&Action::Open, &f),
            FacetStep::Add("owner:ledger-team".into())
        );
        // Esc drops a highlight first; without one, Esc is the pane's.
        panel.handle(&Action::NextTab, &f);
        assert_eq!(panel.handle(&Action::Back, &f), FacetStep::Consumed);
        assert_eq!(panel.handle(&Action::Back, &f), FacetStep::Ignored);
        assert_eq!(panel.handle(&Action::Open, &f), FacetStep::Ignored);
        assert_eq!(panel.handle(&Action::Facets, &f), FacetStep::Consumed);
        assert_eq!(panel.height(&f), 0);
    }
}
