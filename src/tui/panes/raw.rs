//! The raw view (palette: `raw`): the entity as YAML, or (`r`) as the JSON the catalog API returns, with `/` to
//! find a word (`Enter` jumps to the first line holding it, `n`/`N` to the next and previous,
//! `Esc` clears). The text is laid out once when the tab is made; drawing only slices it.

use super::{Ctx, Outcome, View};
use crate::catalog::EntityId;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::code_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The raw view of one entity.
#[derive(Debug)]
pub struct RawView {
    id: EntityId,
    yaml: Vec<String>,
    json: Vec<String>,
    /// JSON shown rather than YAML.
    as_json: bool,
    scroll: TextScroll,
    /// The find prompt, while it is open.
    find: Option<crate::tui::widgets::line_edit::LineEditor>,
    /// The word found (lower case), highlighted until `Esc`.
    query: Option<String>,
}

impl RawView {
    /// The entity as YAML (the text laid out once, here).
    pub fn new(ctx: &Ctx, id: EntityId) -> Self {
        let value = ctx.catalog.get(id).to_value();
        let lines = |text: String| text.lines().map(code_line).collect::<Vec<_>>();
        RawView {
            id,
            yaml: lines(serde_yaml::to_string(&value).unwrap_or_default()),
            json: lines(serde_json::to_string_pretty(&value).unwrap_or_default()),
            as_json: false,
            scroll: TextScroll::default(),
            find: None,
            query: None,
        }
    }

    fn lines(&self) -> &[String] {
        if self.as_json {
            &self.json
        } else {
            &self.yaml
        }
    }

    /// The text's lines (YAML or JSON, as shown), for tests and copying.
    pub fn shown_text(&self) -> String {
        self.lines().join("\n")
    }

    /// Moves to the next (or previous) line holding the query, wrapping around.
    fn jump(&mut self, forward: bool) -> Outcome {
        let Some(query) = self.query.clone() else {
            return Outcome::Ignored;
        };
        let lines = self.lines();
        let n = lines.len();
        let at = self.scroll.offset().min(n.saturating_sub(1));
        let found = (1..=n)
            .map(|step| {
                if forward {
                    (at + step) % n.max(1)
                } else {
                    (at + n - step % n.max(1)) % n.max(1)
                }
            })
            .find(|&i| lines[i].to_lowercase().contains(&query));
        let count = lines
            .iter()
            .filter(|l| l.to_lowercase().contains(&query))
            .count();
        match found {
            Some(i) => {
                self.scroll.set(i);
                Outcome::Status(format!(
                    "{count} line(s) hold {query:?} · n/N next/previous"
                ))
            }
            None => Outcome::Status(format!("no line holds {query:?}")),
        }
    }

    fn handle_find(&mut self, action: &Action) -> Outcome {
        let Some(find) = &mut self.find else {
            return Outcome::Ignored;
        };
        if find.handle(action) != crate::tui::widgets::line_edit::Edit::Ignored {
            return Outcome::Consumed;
        }
        match action {
            Action::Back => self.find = None,
            Action::Open => {
                let query = self
                    .find
                    .take()
                    .map(|f| f.text().trim().to_lowercase())
                    .unwrap_or_default();
                if query.is_empty() {
                    return Outcome::Consumed;
                }
                self.query = Some(query);
                // From the line above the top, so a match on the top line counts.
                let from = self.scroll.offset();
                self.scroll.set(
                    from.checked_sub(1)
                        .unwrap_or(self.lines().len().saturating_sub(1)),
                );
                return self.jump(true);
            }
            _ => {}
        }
        Outcome::Consumed
    }
}

impl View for RawView {
    fn title(&self, ctx: &Ctx) -> String {
        format!("raw {}", ctx.catalog.get(self.id).metadata.name)
    }

    fn mode(&self) -> Mode {
        // The entity view's keys: `r` switches, `/` finds, `n`/`N` move between matches.
        if self.find.is_some() {
            Mode::Search
        } else {
            Mode::Entity
        }
    }

    fn keys(&self) -> super::PaneKeys {
        if self.find.is_some() {
            return super::PaneKeys::moves_and(&["open"])
                .and(&super::PaneKeys::TYPING)
                .own("letters", "the word to find (Enter finds, Esc closes)");
        }
        super::PaneKeys::moves_and(&["toggle_view", "filter", "next_link", "prev_link"])
    }

    fn entity(&self) -> Option<EntityId> {
        Some(self.id)
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if self.find.is_some() {
            return self.handle_find(action);
        }
        if self.scroll.handle(action, ctx.page) {
            return Outcome::Consumed;
        }
        match action {
            Action::ToggleView => {
                self.as_json = !self.as_json;
                self.scroll.set(0);
                Outcome::Status(if self.as_json {
                    "as the JSON the catalog API returns · r: YAML".into()
                } else {
                    "as YAML · r: JSON".into()
                })
            }
            Action::Filter => {
                self.find = Some(Default::default());
                Outcome::Consumed
            }
            Action::NextLink if self.query.is_some() => self.jump(true),
            Action::PrevLink if self.query.is_some() => self.jump(false),
            Action::Back if self.query.is_some() => {
                self.query = None;
                Outcome::Consumed
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(u16::from(self.find.is_some())),
        ])
        .areas(area);
        let what = if self.as_json {
            "JSON (as the catalog API returns it) · r YAML · / find"
        } else {
            "YAML · r JSON (as the catalog API returns it) · / find"
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(what, width).into_owned(),
                theme.style(Token::Muted),
            )),
            head,
        );
        let lines = self.lines();
        let height = body.height as usize;
        let start = self.scroll.start(lines.len(), height);
        let shown: Vec<Line> = lines
            .iter()
            .skip(start)
            .take(height)
            .map(|l| {
                let hit = self
                    .query
                    .as_ref()
                    .is_some_and(|q| l.to_lowercase().contains(q));
                let style = if hit {
                    theme.style(Token::Match)
                } else {
                    theme.style(Token::Text)
                };
                Line::styled(text::truncate(l, width).into_owned(), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(shown), body);
        if let Some(find) = &self.find {
            find.render(
                ratatui::text::Span::styled("Find: ", theme.style(Token::Accent)),
                theme.style(Token::Accent),
                foot,
                frame,
            );
        }
    }
}
