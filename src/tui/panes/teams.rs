//! The Teams pane (palette `teams`): every group with its members, what it owns, and whether
//! anyone can be called about it. Enter opens the group on its Ownership tab.
//!
//! Each row starts with the team's burn-up: a sparkline of the share of its entities at a
//! scorecard's first level, per day of the catalog's git history or of the recorded runs
//! (read in the background when the pane opens: `widgets/burnup.rs`). A line under the
//! summary says which source it is; without any history that line says so, and the rows have
//! no sparkline column.

use super::{Ctx, Outcome, View};
use crate::catalog::{EntityId, RelationType};
use crate::ownership;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::reply::Reply;
use crate::tui::task::Task;
use crate::tui::theme::Token;
use crate::tui::widgets::burnup::{Burnup, HistoryRequest};
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
/// selection, and the score history for the burn-ups.
#[derive(Debug, Default)]
pub struct TeamsView {
    rows: Vec<TeamRow>,
    list: FilteredList,
    /// The history, once read.
    burnup: Burnup,
    /// Each row's share per day of the history (see [`Burnup::team_values`]), worked out when
    /// it arrives so drawing only lays out the visible rows.
    shares: Vec<Vec<f64>>,
    /// The history read asked for, until `take_tasks` hands it out; then its token.
    history: Option<HistoryRequest>,
    history_token: u64,
}

/// Cells of a row's sparkline (the latest days), and whether its share follows, by the width
/// of the pane.
fn spark_cells(width: usize) -> (usize, bool) {
    if width >= 60 {
        (8, true)
    } else {
        (4, false)
    }
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
        let request = HistoryRequest::new(ctx);
        TeamsView {
            rows,
            list,
            burnup: Burnup::Loading,
            shares: Vec::new(),
            history_token: request.token,
            history: Some(request),
        }
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
        match action {
            Action::Reply(Reply::History(loaded)) if loaded.token == self.history_token => {
                self.burnup = Burnup::from_loaded(loaded.clone());
                self.shares = self
                    .rows
                    .iter()
                    .map(|r| {
                        let owner = ctx.catalog.get(r.id).entity_ref().to_string();
                        self.burnup.team_values(&owner)
                    })
                    .collect();
                return Outcome::Consumed;
            }
            Action::Reply(_) => return Outcome::Ignored,
            _ => {}
        }
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

    fn take_tasks(&mut self, _area_width: u16) -> Vec<Task> {
        self.history
            .take()
            .map(Task::ReadHistory)
            .into_iter()
            .collect()
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let [head, body, foot] = Layout::vertical([
            Constraint::Length(2),
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
            Paragraph::new(vec![
                Line::styled(
                    text::truncate(&summary, width).into_owned(),
                    theme.style(Token::Muted),
                ),
                self.burnup.teams_line(theme, width),
            ]),
            head,
        );
        // The sparkline column, when any team has a history.
        let (cells, with_share) = spark_cells(width);
        let column = self.shares.iter().any(|s| !s.is_empty());
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
                let mut spans = vec![Span::raw(marker)];
                if column {
                    let values = self.shares.get(i).map_or(&[][..], Vec::as_slice);
                    spans.extend(spark_spans(theme, values, cells, with_share));
                }
                spans.extend([
                    Span::styled(name, theme.kind("group")),
                    Span::styled(format!("  {kind}"), theme.style(Token::Muted)),
                    Span::raw(format!("  {} member(s) · owns {}", row.members, row.owns)),
                ]);
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

/// A row's burn-up cells: the sparkline of the latest `cells` days, right-aligned (and the
/// latest share), or a dim `·` where the history has none of the team's entities; two spaces
/// after.
fn spark_spans(
    theme: &crate::tui::theme::Theme,
    values: &[f64],
    cells: usize,
    with_share: bool,
) -> Vec<Span<'static>> {
    let share_cells = if with_share { 5 } else { 0 };
    match values.last() {
        Some(last) => {
            let line = crate::tui::widgets::burnup::spark(values, cells, theme);
            let pad = cells.saturating_sub(text::width(&line));
            let mut spans = vec![Span::styled(
                format!("{}{line}", " ".repeat(pad)),
                theme.style(Token::Accent),
            )];
            if with_share {
                spans.push(Span::raw(format!(" {last:>3.0}%")));
            }
            spans.push(Span::raw("  "));
            spans
        }
        None => vec![Span::styled(
            format!("{:>width$}  ", "·", width = cells + share_cells),
            theme.style(Token::Muted),
        )],
    }
}
