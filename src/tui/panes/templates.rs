//! The templates pane (palette: `templates`): the catalog's Software Templates with title,
//! description, owner and tags, filtered fuzzily as you type (the list's filter is always
//! open here). Enter opens the template's form; Esc clears the filter first, then leaves.

use super::form::FormView;
use super::{Ctx, Outcome, View};
use crate::catalog::EntityId;
use crate::scaffolder::draft::Drafts;
use crate::scaffolder::Template;
use crate::search::Query;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::line_edit::{Edit, LineEditor};
use crate::tui::widgets::list::{move_selection, window};
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The longest filter kept.
const MAX_QUERY: usize = 128;

/// The templates pane's state: the filter, the selection, and the matching templates (found
/// when the pane opens and after every key, so drawing does no searching).
#[derive(Debug)]
pub struct TemplatesView {
    query: LineEditor,
    selected: usize,
    found: Vec<EntityId>,
    /// How many templates the catalog has, filtered or not.
    total: usize,
}

impl TemplatesView {
    /// The pane with an empty filter, listing every template.
    pub fn new(ctx: &Ctx) -> Self {
        let mut view = TemplatesView {
            query: LineEditor::with_limit(MAX_QUERY),
            selected: 0,
            found: Vec::new(),
            total: 0,
        };
        view.refresh(ctx);
        view
    }

    /// Finds the templates matching the filter, best first.
    fn refresh(&mut self, ctx: &Ctx) {
        let query = Query::parse(&format!("kind:template {}", self.query.text()));
        let result = ctx.index.search(&query, 1000);
        self.found = result.hits.into_iter().map(|h| h.id).collect();
        // Counted without a filter (templates arriving while one is typed count at Esc).
        self.total = if self.query.text().trim().is_empty() {
            result.total
        } else {
            self.total.max(result.total)
        };
        self.selected = self.selected.min(self.found.len().saturating_sub(1));
    }
}

impl View for TemplatesView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Templates".into()
    }

    fn mode(&self) -> Mode {
        Mode::Search
    }

    fn keys(&self) -> super::PaneKeys {
        super::PaneKeys::moves_and(&["open"])
            .and(&super::PaneKeys::TYPING)
            .own("letters", "filter the templates (Esc clears, then leaves)")
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        // Templates may have arrived from a source since the last key.
        self.refresh(ctx);
        let found = self.found.clone();
        if move_selection(&mut self.selected, found.len(), action, ctx.page) {
            return Outcome::Consumed;
        }
        let outcome = match (self.query.handle(action), action) {
            (Edit::Changed, _) => {
                self.selected = 0;
                Outcome::Consumed
            }
            (Edit::Kept, _) => Outcome::Consumed,
            // Esc clears the filter first; only then does it leave.
            (_, Action::Back) if !self.query.is_empty() => {
                self.query.clear();
                self.selected = 0;
                Outcome::Consumed
            }
            (_, Action::Open) => {
                let Some(&id) = found.get(self.selected.min(found.len().saturating_sub(1))) else {
                    return Outcome::Status("no template selected".into());
                };
                match Template::from_entity(ctx.catalog.get(id)) {
                    Ok(t) => Outcome::Push(Box::new(FormView::new(
                        t,
                        ctx,
                        Some(Drafts::open_default()),
                    ))),
                    Err(e) => Outcome::Status(safe_line(&e.to_string())),
                }
            }
            _ => Outcome::Ignored,
        };
        self.refresh(ctx);
        outcome
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let found = &self.found;
        let [input, head, list] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let width = area.width as usize;
        self.query.render(
            Span::styled("filter › ", theme.style(Token::Accent)),
            Style::default(),
            input,
            frame,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(
                if self.query.text().trim().is_empty() {
                    format!("{} template(s) — Enter opens the form", found.len())
                } else {
                    format!(
                        "{} of {} template(s) — Enter opens the form · Esc clears the filter",
                        found.len(),
                        self.total
                    )
                },
                theme.style(Token::Muted),
            )),
            head,
        );
        if found.is_empty() {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "no template matches",
                    theme.style(Token::Muted),
                )),
                list,
            );
            return;
        }
        // Each template takes two rows: title line, then description.
        let rows = (list.height as usize / 2).max(1);
        let selected = self.selected.min(found.len() - 1);
        let mut lines = Vec::new();
        for i in window(selected, found.len(), rows) {
            let e = ctx.catalog.get(found[i]);
            let is_sel = i == selected;
            let (base, marker) = theme.row_start(is_sel);
            let owner = ctx
                .catalog
                .owner_ref(found[i])
                .map(|r| r.short())
                .unwrap_or_else(|| "no owner".into());
            let tags = e.metadata.tags.join(", ");
            lines.push(crate::tui::panes::entity::clip(
                vec![
                    marker,
                    Span::styled(
                        safe_line(e.display_name()),
                        base.add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(
                        format!("  {}", e.entity_ref().short()),
                        theme.on_row(base, theme.style(Token::Muted)),
                    ),
                    Span::styled(format!("  owner {owner}"), base),
                    Span::styled(
                        if tags.is_empty() {
                            String::new()
                        } else {
                            format!("  [{}]", safe_line(&tags))
                        },
                        theme.on_row(base, theme.style(Token::Muted)),
                    ),
                ],
                width,
            ));
            let description = e.metadata.description.as_deref().unwrap_or_default();
            lines.push(Line::styled(
                format!(
                    "    {}",
                    text::truncate(&safe_line(description), width.saturating_sub(4))
                ),
                theme.style(Token::Muted),
            ));
        }
        frame.render_widget(Paragraph::new(lines), list);
    }
}
