//! The help overlay: the keys of the pane or tab underneath (the bindings of its mode it
//! answers, generated from the keymap so it can never disagree with what the keys do, and the
//! keys it reads itself, such as a form field's).

use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::{Keymap, Mode};
use crate::tui::panes::PaneKeys;
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::scroll::TextScroll;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// The help overlay's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpOverlay {
    /// The mode whose keys are listed (the pane under the overlay).
    pub mode: Mode,
    /// Clamped at both ends when drawn: End then Up moves up at once.
    scroll: TextScroll,
    /// The keys of the pane underneath: which bindings it answers, and its own keys (the
    /// custom actions of the entity underneath among them).
    keys: PaneKeys,
    /// What the title names: the pane or tab underneath.
    title: String,
}

impl HelpOverlay {
    /// Help for a mode, scrolled to the top.
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            scroll: TextScroll::default(),
            keys: PaneKeys::default(),
            title: mode.as_str().to_string(),
        }
    }

    /// Lists only the keys of the pane on screen, under its name.
    pub fn for_pane(mut self, title: &str, keys: PaneKeys) -> Self {
        self.title = crate::tui::widgets::wrap::safe_line(title);
        self.keys = keys;
        self
    }

    /// Adds rows (key, description) below the keymap's, such as custom actions.
    pub fn with_extra(mut self, extra: Vec<(String, String)>) -> Self {
        self.keys.own.extend(extra);
        self
    }

    /// The rows listed: `(keys, what they do)`.
    pub fn rows(&self, keymap: &Keymap) -> Vec<(Vec<String>, String)> {
        keymap.grouped_for(self.mode, &self.keys)
    }

    /// Handles an action; returns false when the overlay should close.
    pub fn handle(&mut self, action: &Action, keymap: &Keymap, page: usize) -> bool {
        let _ = keymap;
        if self.scroll.handle(action, page) {
            return true;
        }
        !matches!(action, Action::Back | Action::Help | Action::Quit)
    }

    /// Draws the overlay centred in `area`.
    pub fn render(&self, keymap: &Keymap, theme: &Theme, area: Rect, frame: &mut Frame) {
        let rows: Vec<(Vec<String>, String)> = self
            .rows(keymap)
            .into_iter()
            .map(|(k, d)| {
                (
                    k.iter().map(|k| text::one_line(k)).collect(),
                    text::one_line(&d),
                )
            })
            .collect();
        let key_width = rows
            .iter()
            .map(|(k, _)| text::width(&k.join(", ")))
            .max()
            .unwrap_or(0)
            .min(24);
        let popup = centered(area, (key_width as u16 + 34).max(30), rows.len() as u16 + 3);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Token::Accent))
            .title(Span::styled(
                format!(" Keys: {} ", text::truncate(&self.title, 40)),
                theme.style(Token::Title),
            ))
            .title_bottom(Span::styled(" Esc closes ", theme.style(Token::Muted)));
        let inner = block.inner(popup);
        frame.render_widget(Clear, popup);
        frame.render_widget(block, popup);
        let width = inner.width as usize;
        let start = self.scroll.start(rows.len(), inner.height as usize);
        let lines: Vec<Line> = rows
            .iter()
            .skip(start)
            .take(inner.height as usize)
            .map(|(keys, desc)| {
                let keys = crate::tui::panes::search::fit(&keys.join(", "), key_width);
                super::entity::clip(
                    vec![
                        Span::styled(format!(" {keys}  "), theme.style(Token::Key)),
                        Span::styled(desc.as_str(), theme.style(Token::Text)),
                    ],
                    width,
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
