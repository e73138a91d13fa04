//! The Teams pane (palette `teams`): every group with its members, what it owns, and whether
//! anyone can be called about it. Enter opens the group on its Ownership tab.

use super::{Ctx, Outcome, View};
use crate::catalog::{EntityId, RelationType};
use crate::ownership;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// One group in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    /// The group.
    pub id: EntityId,
    /// Direct members.
    pub members: usize,
    /// Entities it owns directly.
    pub owns: usize,
    /// True when nobody is in the group or any group below it.
    pub unstaffed: bool,
}

/// The Teams pane's state: the groups (computed when the pane opens), the `/` filter and the
/// selection.
#[derive(Debug, Default)]
pub struct TeamsView {
    rows: Vec<TeamRow>,
    list: FilteredList,
}

impl TeamsView {
    /// The pane over the catalog's groups, sorted by reference.
    pub fn new(ctx: &Ctx) -> Self {
        let catalog = ctx.catalog;
        let mut rows: Vec<TeamRow> = catalog
            .ids()
            .filter(|&id| catalog.get(id).kind_lower() == "group")
            .map(|id| TeamRow {
                id,
                members: ownership::members_of(catalog, id)
                    .iter()
                    .filter(|m| m.resolved)
                    .count(),
                owns: catalog.related(id, RelationType::OwnerOf).count(),
                unstaffed: !ownership::staffed(catalog, id),
            })
            .collect();
        rows.sort_by(|a, b| {
            catalog
                .get(a.id)
                .entity_ref()
                .cmp(catalog.get(b.id).entity_ref())
        });
        let list = FilteredList::new(rows.len());
        TeamsView { rows, list }
    }

    /// The groups listed (all of them, whatever the filter).
    pub fn rows(&self) -> &[TeamRow] {
        &self.rows
    }

    /// The highlighted group, if any passes the filter.
    fn selected(&self) -> Option<&TeamRow> {
        self.list.selected_row().and_then(|i| self.rows.get(i))
    }
}

/// What the `/` filter matches a group on: its ref, title and type.
fn row_text(ctx: &Ctx, row: &TeamRow) -> String {
    let e = ctx.catalog.get(row.id);
    format!(
        "{} {} {}",
        e.entity_ref(),
        e.display_name(),
        e.spec_str("type").unwrap_or_default()
    )
}

impl View for TeamsView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Teams".into()
    }

    fn mode(&self) -> Mode {
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        super::PaneKeys::moves_and(&["open", "filter", "copy_ref", "ownership"])
    }

    fn entity(&self) -> Option<EntityId> {
        self.selected().map(|r| r.id)
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let rows = &self.rows;
        if self
            .list
            .handle(action, ctx.page, |i| row_text(ctx, &rows[i]))
        {
            return Outcome::Consumed;
        }
        match action {
            Action::Open | Action::Ownership => match self.selected() {
                Some(row) => Outcome::OpenEntityTab(row.id, "Ownership"),
                None if !self.rows.is_empty() => {
                    Outcome::Status("no group matches the filter".into())
                }
                None => Outcome::Status("the catalog has no groups".into()),
            },
            Action::CopyRef => match self.selected() {
                Some(row) => {
                    let r = ctx.catalog.get(row.id).entity_ref().to_string();
                    Outcome::Copy {
                        text: r.clone(),
                        what: r,
                    }
                }
                None => Outcome::Consumed,
            },
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let unstaffed = self.rows.iter().filter(|r| r.unstaffed).count();
        let mut summary = format!("{} groups", self.rows.len());
        if unstaffed > 0 {
            summary.push_str(&format!(" · {unstaffed} with nobody in them or below them"));
        }
        summary.push_str(" · Enter: ownership · /: filter");
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(&summary, width).into_owned(),
                theme.style(Token::Muted),
            )),
            head,
        );
        if self.rows.is_empty() {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "  (the catalog has no groups)",
                    theme.style(Token::Muted),
                )),
                body,
            );
            return;
        }
        if self.list.shown().is_empty() {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "  (no group matches the filter · Esc clears it)",
                    theme.style(Token::Muted),
                )),
                body,
            );
            return;
        }
        let selected = self.list.selected_row();
        let lines: Vec<Line> = self
            .list
            .visible_in(body)
            .into_iter()
            .map(|i| {
                let row = &self.rows[i];
                let e = ctx.catalog.get(row.id);
                let name = safe_line(&e.entity_ref().short());
                let kind = e.spec_str("type").map(safe_line).unwrap_or_default();
                let marker = if Some(i) == selected { "▶ " } else { "  " };
                let mut spans = vec![
                    Span::styled(format!("{marker}{name}"), theme.kind("group")),
                    Span::styled(format!("  {kind}"), theme.style(Token::Muted)),
                    Span::raw(format!("  {} member(s) · owns {}", row.members, row.owns)),
                ];
                if row.unstaffed {
                    spans.push(Span::styled(
                        "  no members in it or below it",
                        theme.style(Token::Warning),
                    ));
                }
                let mut line = crate::tui::panes::entity::clip(spans, width);
                if Some(i) == selected {
                    line = theme.select_line(line);
                }
                line
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), body);
    }
}
