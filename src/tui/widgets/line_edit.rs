//! One line of editable text with a cursor, shared by every one-line field that is a plain
//! string: the search query, the command palette, the templates filter, the find prompts.
//! It takes the readline keys as [`Action`]s (Left/Right, Home/End and Ctrl-A/Ctrl-E, Ctrl-U,
//! Ctrl-W and Alt-Backspace, Ctrl-K, Delete, Backspace) and pasted text (newlines become
//! spaces). The cursor moves by grapheme cluster (an accent typed as a combining character
//! moves with its letter) and is drawn at its display column (wide characters count two).
//!
//! The template form's fields are tui-textarea editors (they can hold several lines); its
//! one-line fields take the same keys through [`textarea_key`].

use crate::text;
use crate::tui::action::Action;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// What an action did to a [`LineEditor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed (a filter or query must be run again).
    Changed,
    /// An editing action that left the text as it was (the cursor may have moved).
    Kept,
    /// Not an editing action: the caller handles it.
    Ignored,
}

/// A one-line text field: the text and a cursor (a byte offset on a grapheme boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEditor {
    text: String,
    cursor: usize,
    /// Most characters kept (a paste of a whole file must not make every keystroke slow).
    limit: Option<usize>,
}

/// What [`LineEditor::view`] shows in a given width: the visible text and where the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineView {
    /// The part of the text that fits, with `…` in front when its start is cut.
    pub shown: String,
    /// The cursor's column from the start of `shown`.
    pub cursor: u16,
}

impl LineEditor {
    /// An empty field.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty field that keeps at most `limit` characters.
    pub fn with_limit(limit: usize) -> Self {
        LineEditor {
            limit: Some(limit),
            ..Self::default()
        }
    }

    /// The text as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor's position, in characters from the start.
    pub fn cursor_chars(&self) -> usize {
        self.text
            .get(..self.cursor)
            .map_or(0, |s| s.chars().count())
    }

    /// Replaces the text (cleaned to one line), the cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.text = self.fit(one_line_paste(text));
        self.cursor = self.text.len();
    }

    /// Empties the field.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Applies an editing action: typed characters, pasted text and the readline keys.
    pub fn handle(&mut self, action: &Action) -> Edit {
        let before = self.text.len();
        match action {
            Action::Input(c) if !c.is_control() => {
                let mut buf = [0u8; 4];
                self.insert(c.encode_utf8(&mut buf));
            }
            Action::Paste(pasted) => self.insert(&one_line_paste(pasted)),
            Action::DeleteChar => {
                let start = self.prev_boundary();
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            Action::DeleteNextChar => {
                let end = self.next_boundary();
                self.text.replace_range(self.cursor..end, "");
            }
            Action::DeleteWord => {
                let start = self.word_start();
                self.text.replace_range(start..self.cursor, "");
                self.cursor = start;
            }
            Action::ClearInput => {
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
            }
            Action::KillToEnd => self.text.truncate(self.cursor),
            Action::CursorLeft => return self.move_to(self.prev_boundary()),
            Action::CursorRight => return self.move_to(self.next_boundary()),
            Action::LineStart => return self.move_to(0),
            Action::LineEnd => return self.move_to(self.text.len()),
            _ => return Edit::Ignored,
        }
        // Same length after an edit means nothing was inserted or deleted.
        if self.text.len() == before {
            Edit::Kept
        } else {
            Edit::Changed
        }
    }

    /// The part of the text that fits in `width` columns with the cursor on screen: all of it
    /// when it fits, else a window that ends at the cursor (or shows the start when the
    /// cursor is there), `…` marking a cut start.
    pub fn view(&self, width: usize) -> LineView {
        let width = width.max(1);
        let graphemes: Vec<(usize, &str)> = self.text.grapheme_indices(true).collect();
        let at = graphemes
            .iter()
            .position(|(i, _)| *i >= self.cursor)
            .unwrap_or(graphemes.len());
        let w = |g: &str| UnicodeWidthStr::width(g);
        let total: usize = graphemes.iter().map(|(_, g)| w(g)).sum();
        // One column is kept for the cursor after the last character.
        if total < width {
            let cursor = graphemes.iter().take(at).map(|(_, g)| w(g)).sum::<usize>();
            return LineView {
                shown: self.text.clone(),
                cursor: cursor as u16,
            };
        }
        // The first grapheme shown: as far left as keeps the cursor's column on screen.
        let mut start = at;
        let mut used = 1; // the cursor's cell
        while start > 0 {
            let g = w(graphemes[start - 1].1);
            let marker = usize::from(start - 1 > 0);
            if used + g + marker > width {
                break;
            }
            used += g;
            start -= 1;
        }
        let marker = usize::from(start > 0);
        let mut shown = String::new();
        if start > 0 {
            shown.push('…');
        }
        let mut col = marker;
        let mut cursor = marker;
        for (i, (_, g)) in graphemes.iter().enumerate().skip(start) {
            if i == at {
                cursor = col;
            }
            if col + w(g) > width {
                break;
            }
            col += w(g);
            shown.push_str(g);
        }
        if at >= graphemes.len() {
            cursor = col;
        }
        LineView {
            shown,
            cursor: cursor.min(width - 1) as u16,
        }
    }

    /// Draws `prompt` then the field on the first row of `area`, and puts the terminal's
    /// cursor at the field's cursor.
    pub fn render(
        &self,
        prompt: ratatui::text::Span<'_>,
        style: ratatui::style::Style,
        area: ratatui::layout::Rect,
        frame: &mut ratatui::Frame,
    ) {
        let prompt_width = text::width(&prompt.content);
        let view = self.view((area.width as usize).saturating_sub(prompt_width));
        let line =
            ratatui::text::Line::from(vec![prompt, ratatui::text::Span::styled(view.shown, style)]);
        frame.render_widget(ratatui::widgets::Paragraph::new(line), area);
        let x = (prompt_width as u16).saturating_add(view.cursor);
        frame.set_cursor_position(ratatui::layout::Position::new(
            area.x + x.min(area.width.saturating_sub(1)),
            area.y,
        ));
    }

    fn insert(&mut self, s: &str) {
        let room = self
            .limit
            .map_or(usize::MAX, |l| l.saturating_sub(self.text.chars().count()));
        let piece: String = s.chars().take(room).collect();
        self.text.insert_str(self.cursor, &piece);
        self.cursor += piece.len();
        // A combining character typed after a letter joins its cluster: keep the cursor on
        // a boundary.
        self.cursor = self.next_boundary_from(self.cursor);
    }

    fn fit(&self, s: String) -> String {
        match self.limit {
            Some(l) => s.chars().take(l).collect(),
            None => s,
        }
    }

    fn move_to(&mut self, to: usize) -> Edit {
        self.cursor = to;
        Edit::Kept
    }

    fn prev_boundary(&self) -> usize {
        self.text
            .grapheme_indices(true)
            .map(|(i, _)| i)
            .take_while(|&i| i < self.cursor)
            .last()
            .unwrap_or(0)
    }

    fn next_boundary(&self) -> usize {
        self.text
            .grapheme_indices(true)
            .map(|(i, g)| i + g.len())
            .find(|&end| end > self.cursor)
            .unwrap_or(self.text.len())
    }

    /// The first grapheme boundary at or after `at`.
    fn next_boundary_from(&self, at: usize) -> usize {
        self.text
            .grapheme_indices(true)
            .map(|(i, _)| i)
            .chain(std::iter::once(self.text.len()))
            .find(|&i| i >= at)
            .unwrap_or(self.text.len())
    }

    /// Where Ctrl-W deletes back to: the spaces before the cursor, then the word before them.
    fn word_start(&self) -> usize {
        let before = self.text.get(..self.cursor).unwrap_or_default();
        let trimmed = before.trim_end_matches(char::is_whitespace);
        trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8())
    }
}

/// Pasted text for a one-line field: escape sequences and control characters dropped, a
/// trailing newline dropped, and each newline or tab inside a space.
pub fn one_line_paste(pasted: &str) -> String {
    let cleaned = text::clean(pasted.trim_end_matches(['\r', '\n']));
    cleaned
        .replace("\r\n", " ")
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect()
}

/// The readline keys a tui-textarea field lacks or binds otherwise: Ctrl-U deletes to the
/// start of the line (tui-textarea's Ctrl-U is undo). Returns true when the key was one of
/// them and the text may have changed. The others (Left/Right, Home/End, Ctrl-A/Ctrl-E,
/// Ctrl-W, Alt-Backspace, Ctrl-K, Delete) are tui-textarea's own.
pub fn textarea_key(
    editor: &mut tui_textarea::TextArea<'_>,
    key: &crossterm::event::KeyEvent,
) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    match (key.code, key.modifiers) {
        (KeyCode::Char('u'), KeyModifiers::CONTROL) => {
            editor.delete_line_by_head();
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineEditor {
        let mut e = LineEditor::new();
        for c in s.chars() {
            e.handle(&Action::Input(c));
        }
        e
    }

    fn keys(e: &mut LineEditor, actions: &[Action]) {
        for a in actions {
            e.handle(a);
        }
    }

    #[test]
    fn left_right_move_and_typing_inserts_at_the_cursor() {
        let mut e = typed("helo");
        keys(&mut e, &[Action::CursorLeft, Action::Input('l')]);
        assert_eq!(e.text(), "hello");
        assert_eq!(e.cursor_chars(), 4);
        keys(&mut e, &[Action::CursorRight, Action::CursorRight]);
        assert_eq!(e.cursor_chars(), 5, "Right stops at the end");
    }

    #[test]
    fn home_end_and_the_kills() {
        let mut e = typed("kind:api owner:team-a");
        keys(&mut e, &[Action::LineStart, Action::Input('x')]);
        assert_eq!(e.text(), "xkind:api owner:team-a");
        keys(&mut e, &[Action::DeleteNextChar]);
        assert_eq!(e.text(), "xind:api owner:team-a");
        keys(&mut e, &[Action::LineEnd, Action::DeleteWord]);
        assert_eq!(e.text(), "xind:api ");
        let mut e = typed("alpha beta gamma");
        for _ in 0..6 {
            e.handle(&Action::CursorLeft);
        }
        keys(&mut e, &[Action::KillToEnd]);
        assert_eq!(e.text(), "alpha beta");
        keys(
            &mut e,
            &[Action::CursorLeft, Action::CursorLeft, Action::ClearInput],
        );
        assert_eq!(e.text(), "ta", "Ctrl-U deletes what is before the cursor");
        assert_eq!(e.cursor_chars(), 0);
        assert_eq!(e.handle(&Action::DeleteChar), Edit::Kept);
        assert_eq!(e.handle(&Action::Open), Edit::Ignored);
    }

    #[test]
    fn ctrl_w_in_the_middle_deletes_the_word_before_the_cursor() {
        let mut e = typed("one two three");
        for _ in 0..5 {
            e.handle(&Action::CursorLeft);
        }
        e.handle(&Action::DeleteWord);
        assert_eq!(e.text(), "one three");
        assert_eq!(e.cursor_chars(), 4);
    }

    #[test]
    fn combining_characters_move_with_their_letter() {
        // "é" written as e + U+0301: one step of the cursor, one Backspace.
        let mut e = typed("cafe\u{301}s");
        keys(&mut e, &[Action::CursorLeft, Action::CursorLeft]);
        assert_eq!(e.cursor_chars(), 3);
        e.handle(&Action::CursorRight);
        e.handle(&Action::DeleteChar);
        assert_eq!(e.text(), "cafs");
    }

    #[test]
    fn the_cursor_is_drawn_at_its_display_column() {
        let mut e = typed("日本x");
        assert_eq!(e.view(20).cursor, 5);
        e.handle(&Action::CursorLeft);
        assert_eq!(e.view(20).cursor, 4, "after two wide characters");
        let mut e = typed("abcdefghij");
        assert_eq!(
            e.view(5),
            LineView {
                shown: "…hij".into(),
                cursor: 4
            }
        );
        e.handle(&Action::LineStart);
        assert_eq!(
            e.view(5),
            LineView {
                shown: "abcde".into(),
                cursor: 0
            }
        );
    }

    #[test]
    fn a_pasted_text_with_newlines_becomes_one_line() {
        let mut e = typed("ab");
        e.handle(&Action::CursorLeft);
        e.handle(&Action::Paste("1\n2\r\n3\x1b[31m\n".into()));
        assert_eq!(e.text(), "a1 2 3b");
        assert_eq!(e.cursor_chars(), 6);
    }

    #[test]
    fn the_limit_holds_for_typing_and_paste() {
        let mut e = LineEditor::with_limit(4);
        e.handle(&Action::Paste("abcdef".into()));
        e.handle(&Action::Input('x'));
        assert_eq!(e.text(), "abcd");
    }

    #[test]
    fn textarea_ctrl_u_deletes_to_the_start_of_the_line() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let mut t = tui_textarea::TextArea::new(vec!["hello world".to_string()]);
        t.move_cursor(tui_textarea::CursorMove::End);
        t.move_cursor(tui_textarea::CursorMove::WordBack);
        let key = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert!(textarea_key(&mut t, &key));
        assert_eq!(t.lines(), ["world"]);
    }
}
