//! The links of an entity: its source location, view and edit URLs and `metadata.links`
//! (the built-in link actions of `idp-tui action`). Enter opens the selected link (or copies
//! it when there is no browser here, e.g. over ssh), `y` copies it, Esc goes back.

use super::{Ctx, Outcome, View};
use crate::actions::{builtin_links, LinkAction};
use crate::catalog::EntityId;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::hyperlink;
use crate::tui::widgets::list::{move_selection, window};
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The link list of one entity.
pub struct LinksView {
    id: EntityId,
    links: Vec<LinkAction>,
    selected: usize,
}

impl LinksView {
    /// The links of an entity, the first one selected.
    pub fn new(ctx: &Ctx, id: EntityId) -> Self {
        Self {
            id,
            links: builtin_links(ctx.catalog.get(id)),
            selected: 0,
        }
    }

    /// The links listed, in order.
    pub fn links(&self) -> &[LinkAction] {
        &self.links
    }

    fn row(link: &LinkAction) -> String {
        let title = safe_line(&link.title);
        let url = safe_line(&link.url);
        if title == url {
            format!("  {url}")
        } else {
            format!("  {title}  {url}")
        }
    }
}

impl View for LinksView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Links".into()
    }

    fn mode(&self) -> Mode {
        Mode::List
    }

    fn entity(&self) -> Option<EntityId> {
        Some(self.id)
    }

    fn remap(&mut self, ctx: &Ctx, remap: &dyn Fn(EntityId) -> Option<EntityId>) -> bool {
        let Some(id) = remap(self.id) else {
            return false;
        };
        self.id = id;
        self.links = builtin_links(ctx.catalog.get(id));
        self.selected = self.selected.min(self.links.len().saturating_sub(1));
        true
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if move_selection(&mut self.selected, self.links.len(), action, ctx.page) {
            return Outcome::Consumed;
        }
        let link = self.links.get(self.selected);
        match action {
            Action::Open => match link {
                Some(l) => Outcome::OpenUrl(l.url.clone()),
                None => Outcome::Status("this entity has no links".into()),
            },
            Action::CopyRef => match link {
                Some(l) => Outcome::Copy {
                    text: l.url.clone(),
                    what: format!("link {}", l.url),
                },
                None => Outcome::Status("this entity has no links".into()),
            },
            // `O` again, like Esc, closes the list.
            Action::Links => Outcome::Pop,
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let [head, list, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let entity = ctx.catalog.get(self.id);
        let title = format!("Links of {}", entity.entity_ref());
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(&title, width).into_owned(),
                theme.style(Token::Title),
            )),
            head,
        );
        if self.links.is_empty() {
            let lines = vec![
                Line::styled("  no links", theme.style(Token::Muted)),
                Line::styled(
                    text::truncate(
                        "  (from backstage.io/source-location, view-url, edit-url and metadata.links)",
                        width,
                    )
                    .into_owned(),
                    theme.style(Token::Muted),
                ),
            ];
            frame.render_widget(Paragraph::new(lines), list);
        } else {
            let visible = window(self.selected, self.links.len(), list.height as usize);
            let first = visible.start;
            let lines: Vec<Line> = visible
                .clone()
                .map(|i| {
                    let mut style = theme.style(Token::Text);
                    let mut row = Self::row(&self.links[i]);
                    if i == self.selected {
                        style = style.patch(theme.style(Token::Selection));
                        row = format!("▶{}", row.strip_prefix(' ').unwrap_or(&row));
                    }
                    Line::styled(text::truncate(&row, width).into_owned(), style)
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
            if ctx.prefs.hyperlinks {
                for i in visible {
                    let url = &self.links[i].url;
                    let row = Rect::new(list.x, list.y + (i - first) as u16, list.width, 1);
                    hyperlink::link_text(frame.buffer_mut(), row, &safe_line(url), url);
                }
            }
        }
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate("Enter open (copied over ssh) · y copy · Esc back", width)
                    .into_owned(),
                theme.style(Token::Muted),
            )),
            hint,
        );
    }
}
