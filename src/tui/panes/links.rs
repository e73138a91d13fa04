//! The links of an entity: its source location, view and edit URLs and `metadata.links`
//! (the built-in link actions of `idp-tui action`). Enter opens the selected link (or copies
//! it when there is no browser here, e.g. over ssh), `y` copies it, Esc goes back.

use super::{Ctx, Outcome, View};
use crate::catalog::EntityId;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::hyperlink;
use crate::tui::widgets::wrap::safe_line;
use crate::user_commands::{builtin_links, BuiltinLink};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The link list of one entity.
pub struct LinksView {
    id: EntityId,
    links: Vec<BuiltinLink>,
    /// The `/` filter and the selection.
    list: FilteredList,
}

impl LinksView {
    /// The links of an entity, the first one selected.
    pub fn new(ctx: &Ctx, id: EntityId) -> Self {
        let links = builtin_links(ctx.catalog.get(id));
        let list = FilteredList::new(links.len());
        Self { id, links, list }
    }

    /// The links listed, in order.
    pub fn links(&self) -> &[BuiltinLink] {
        &self.links
    }

    /// What the `/` filter matches a link on: its title and URL.
    fn link_text(link: &BuiltinLink) -> String {
        format!("{} {}", link.title, link.url)
    }

    fn row(link: &BuiltinLink) -> String {
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
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        super::PaneKeys::moves_and(&["open", "filter", "copy_ref", "links"])
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
        let links = &self.links;
        self.list
            .set_rows(links.len(), |i| Self::link_text(&links[i]));
        true
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let links = &self.links;
        if self
            .list
            .handle(action, ctx.page, |i| Self::link_text(&links[i]))
        {
            return Outcome::Consumed;
        }
        let link = self.list.selected_row().and_then(|i| self.links.get(i));
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
        let [head, list, foot, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
            Constraint::Length(1),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
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
            let visible = self.list.visible_in(list);
            let selected = self.list.selected_row();
            let lines: Vec<Line> = visible
                .iter()
                .map(|&i| {
                    let mut style = theme.style(Token::Text);
                    let mut row = Self::row(&self.links[i]);
                    if Some(i) == selected {
                        style = style.patch(theme.style(Token::Selection));
                        row = format!("▶{}", row.strip_prefix(' ').unwrap_or(&row));
                    }
                    Line::styled(text::truncate(&row, width).into_owned(), style)
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list);
            if ctx.prefs.hyperlinks {
                for (at, &i) in visible.iter().enumerate() {
                    let url = &self.links[i].url;
                    let row = Rect::new(list.x, list.y + at as u16, list.width, 1);
                    hyperlink::link_text(frame.buffer_mut(), row, &safe_line(url), url);
                }
            }
        }
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(
                    "Enter open (copied over ssh) · y copy · / filter · Esc back",
                    width,
                )
                .into_owned(),
                theme.style(Token::Muted),
            )),
            hint,
        );
    }
}
