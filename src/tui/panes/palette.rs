//! The command palette (Ctrl-P): a fuzzy-filtered list of the commands in
//! [`crate::tui::commands`]. Typing filters, Enter runs the selected entry (or the typed line
//! when nothing matches), Esc closes.

use crate::text;
use crate::tui::action::Action;
use crate::tui::commands;
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::line_edit::{Edit, LineEditor};
use crate::tui::widgets::list::{move_selection, window};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// The palette's state.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PaletteOverlay {
    /// What was typed, with its cursor.
    pub input: LineEditor,
    selected: usize,
}

/// What the palette asks of the app.
#[derive(Debug, PartialEq, Eq)]
pub enum PaletteOutcome {
    /// Stay open.
    Open,
    /// Close without running anything.
    Close,
    /// Close and run this command line.
    Run(String),
}

/// One line of the palette: the command line it runs and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The command line, e.g. `theme light`.
    pub line: String,
    /// What it does.
    pub description: &'static str,
}

/// Scores a palette line against the input: a substring match beats a scattered one, and an
/// earlier start beats a later one. `None` when the input's characters are not all there in
/// order. The list is a few dozen lines, so a simple matcher is enough.
pub fn score(line: &str, input: &str) -> Option<i64> {
    let line = line.to_lowercase();
    let input = input.to_lowercase();
    if let Some(at) = line.find(&input) {
        return Some(1000 - at as i64);
    }
    let mut rest = line.chars();
    let mut gaps = 0i64;
    for wanted in input.chars() {
        let mut skipped = 0;
        loop {
            match rest.next() {
                Some(c) if c == wanted => break,
                Some(_) => skipped += 1,
                None => return None,
            }
        }
        gaps += skipped;
    }
    Some(500 - gaps)
}

impl PaletteOverlay {
    /// An empty palette.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries matching the input, best first.
    pub fn entries(&self) -> Vec<Entry> {
        let all = commands::entries();
        let input = self.input.text().trim();
        if input.is_empty() {
            return all;
        }
        let mut scored: Vec<(i64, usize, Entry)> = all
            .into_iter()
            .enumerate()
            .filter_map(|(i, e)| score(&e.line, input).map(|s| (s, i, e)))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, _, e)| e).collect()
    }

    /// Handles an action.
    pub fn handle(&mut self, action: &Action, page: usize) -> PaletteOutcome {
        let entries = self.entries();
        if move_selection(&mut self.selected, entries.len(), action, page) {
            return PaletteOutcome::Open;
        }
        match self.input.handle(action) {
            Edit::Changed => {
                self.selected = 0;
                return PaletteOutcome::Open;
            }
            Edit::Kept => return PaletteOutcome::Open,
            Edit::Ignored => {}
        }
        match action {
            Action::Back | Action::Palette | Action::Quit => return PaletteOutcome::Close,
            Action::Open => {
                return match entries.get(self.selected) {
                    Some(e) => PaletteOutcome::Run(e.line.clone()),
                    None if !self.input.text().trim().is_empty() => {
                        PaletteOutcome::Run(self.input.text().trim().to_string())
                    }
                    None => PaletteOutcome::Close,
                }
            }
            _ => {}
        }
        PaletteOutcome::Open
    }

    /// Draws the palette near the top of `area`.
    pub fn render(&self, theme: &Theme, area: Rect, frame: &mut Frame) {
        let entries = self.entries();
        let height = (entries.len() as u16 + 4).clamp(5, 16);
        let width = 60.min(area.width);
        let popup = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + area.height.saturating_sub(height).min(2),
            width,
            height.min(area.height),
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Token::Accent))
            .title(Span::styled(" Commands ", theme.style(Token::Title)));
        let inner = block.inner(popup);
        frame.render_widget(Clear, popup);
        frame.render_widget(block, popup);
        let [input_area, list_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let w = inner.width as usize;
        let view = self.input.view(w.saturating_sub(2));
        let cursor = 2 + view.cursor;
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("> ", theme.style(Token::Accent)),
                Span::raw(view.shown),
            ])),
            input_area,
        );
        frame.set_cursor_position(Position::new(
            input_area.x + cursor.min(input_area.width.saturating_sub(1)),
            input_area.y,
        ));
        if entries.is_empty() {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "no command matches; Enter runs the line as typed",
                    theme.style(Token::Muted),
                )),
                list_area,
            );
            return;
        }
        let selected = self.selected.min(entries.len() - 1);
        let name_width = entries
            .iter()
            .map(|e| text::width(&e.line))
            .max()
            .unwrap_or(0)
            .min(w / 2);
        let lines: Vec<Line> = window(selected, entries.len(), list_area.height as usize)
            .map(|i| {
                let e = &entries[i];
                let (base, marker) = theme.row_start(i == selected);
                super::entity::clip(
                    vec![
                        marker,
                        Span::styled(
                            format!("{}  ", super::search::fit(&e.line, name_width)),
                            base,
                        ),
                        Span::styled(e.description, theme.on_row(base, theme.style(Token::Muted))),
                    ],
                    w,
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list_area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_matching_prefers_substrings_and_rejects_missing_letters() {
        assert!(score("theme light", "light").unwrap() > score("theme light", "tl").unwrap());
        assert!(score("problems", "prb").is_some());
        assert!(score("problems", "xyz").is_none());
        assert!(score("quit", "QUIT").is_some());
    }

    #[test]
    fn typing_narrows_the_entries_and_enter_runs_the_best() {
        let mut p = PaletteOverlay::new();
        for c in "light".chars() {
            p.handle(&Action::Input(c), 10);
        }
        assert_eq!(p.entries()[0].line, "theme light");
        assert_eq!(
            p.handle(&Action::Open, 10),
            PaletteOutcome::Run("theme light".into())
        );
        let mut none = PaletteOverlay::new();
        for c in "zzz 1".chars() {
            none.handle(&Action::Input(c), 10);
        }
        assert!(none.entries().is_empty());
        assert_eq!(
            none.handle(&Action::Open, 10),
            PaletteOutcome::Run("zzz 1".into())
        );
    }
}
