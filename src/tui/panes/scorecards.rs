//! The Scorecards pane (palette: `scorecards`): for one scorecard at a time, how many entities
//! stand at each level, a leaderboard of owners (average score, entities per level), and per
//! rule the entities failing it. Up/Down select an owner or an entity, Enter opens it,
//! Tab/Shift-Tab switch scorecards. A click selects an owner or entity, a double click opens
//! it.
//!
//! The rows are derived when the pane opens or switches scorecard (in `handle`, never while
//! drawing), so a frame only lays out the visible ones.

use super::{Ctx, Outcome, View};
use crate::catalog::EntityId;
use crate::scorecard::Scorecard;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::list::{window, RowsDrawn};
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Most failing entities listed under one rule; the rest are counted.
pub const MAX_FAILING_SHOWN: usize = 25;

/// One row of the pane's list.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    /// A section heading.
    Heading(String),
    /// A muted line of text.
    Note(String),
    /// An owner on the leaderboard: its name, entity (when in the catalog), average, entity
    /// count and entities per level (index 0: none).
    Owner {
        name: String,
        id: Option<EntityId>,
        average: f64,
        entities: usize,
        levels: Vec<usize>,
    },
    /// A rule and how many entities fail it.
    Rule { index: usize, failing: usize },
    /// An entity failing the rule above.
    Failing(EntityId),
}

impl Row {
    /// The entity Enter opens, if any.
    fn target(&self) -> Option<EntityId> {
        match self {
            Row::Owner { id, .. } => *id,
            Row::Failing(id) => Some(*id),
            _ => None,
        }
    }
}

/// The Scorecards pane's state.
#[derive(Debug)]
pub struct ScorecardsView {
    card: usize,
    rows: Vec<Row>,
    /// Indices of the rows Enter can open.
    selectable: Vec<usize>,
    /// The `/` filter over the selectable rows, and the selection (an index into
    /// `selectable`).
    list: FilteredList,
    /// Where the rows of [`ScorecardsView::drawn_rows`] were last drawn, for clicks.
    drawn: RowsDrawn,
}

impl ScorecardsView {
    /// The pane on the first scorecard.
    pub fn new(ctx: &Ctx) -> Self {
        let mut view = Self {
            card: 0,
            rows: Vec::new(),
            selectable: Vec::new(),
            list: FilteredList::new(0),
            drawn: RowsDrawn::default(),
        };
        view.derive(ctx);
        view
    }

    fn derive(&mut self, ctx: &Ctx) {
        self.rows = rows(ctx, self.card);
        self.selectable = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.target().is_some())
            .map(|(i, _)| i)
            .collect();
        self.refilter(ctx);
        self.list.select_row(0);
    }

    /// Filters the selectable rows again (the rows or the scores changed).
    fn refilter(&mut self, ctx: &Ctx) {
        let texts = self.row_texts(ctx);
        self.list.set_rows(texts.len(), |i| texts[i].clone());
    }

    /// What the `/` filter matches each selectable row on: an owner's name, or a failing
    /// entity's ref with the rule it fails.
    fn row_texts(&self, ctx: &Ctx) -> Vec<String> {
        let mut rule = String::new();
        let mut texts = Vec::with_capacity(self.selectable.len());
        for (i, row) in self.rows.iter().enumerate() {
            match row {
                Row::Rule { index, .. } => {
                    rule = self
                        .current(ctx)
                        .and_then(|c| c.rules.get(*index))
                        .map(|r| r.id.clone())
                        .unwrap_or_default();
                }
                Row::Heading(_) => rule.clear(),
                _ => {}
            }
            if self.selectable.binary_search(&i).is_err() {
                continue;
            }
            texts.push(match row {
                Row::Owner { name, .. } => name.clone(),
                Row::Failing(id) => format!("{} {rule}", ctx.catalog.get(*id).entity_ref()),
                _ => String::new(),
            });
        }
        texts
    }

    /// The rows to draw: all of them, or with a filter the selectable ones that pass, each
    /// under its heading and rule.
    fn drawn_rows(&self) -> Vec<usize> {
        if !self.list.filter().active() {
            return (0..self.rows.len()).collect();
        }
        let passing: std::collections::BTreeSet<usize> = self
            .list
            .shown()
            .iter()
            .filter_map(|&s| self.selectable.get(s).copied())
            .collect();
        let mut out = Vec::new();
        let mut heading = None;
        let mut rule = None;
        for (i, row) in self.rows.iter().enumerate() {
            match row {
                Row::Heading(_) => {
                    heading = Some(i);
                    rule = None;
                }
                Row::Rule { .. } => rule = Some(i),
                _ if passing.contains(&i) => {
                    for context in [heading.take(), rule.take()].into_iter().flatten() {
                        out.push(context);
                    }
                    out.push(i);
                }
                _ => {}
            }
        }
        out
    }

    fn current<'a>(&self, ctx: &Ctx<'a>) -> Option<&'a Scorecard> {
        ctx.scores.cards.get(self.card)
    }
}

fn rows(ctx: &Ctx, card_index: usize) -> Vec<Row> {
    let (Some(card), Some(report)) = (
        ctx.scores.cards.get(card_index),
        ctx.scores.reports.get(card_index),
    ) else {
        return Vec::new();
    };
    let mut out = vec![Row::Heading("Owners (best average first)".into())];
    let owners = report.by_owner(card, ctx.catalog);
    if owners.is_empty() {
        out.push(Row::Note(
            "no entity matches this scorecard's filter".into(),
        ));
    }
    for o in owners {
        out.push(Row::Owner {
            name: o
                .owner
                .as_ref()
                .map_or_else(|| "(no owner)".to_string(), |r| r.short()),
            id: o.owner.as_ref().and_then(|r| ctx.catalog.id_of(r)),
            average: o.average,
            entities: o.entities,
            levels: o.levels,
        });
    }
    out.push(Row::Heading("Rules and the entities failing them".into()));
    for (index, failing) in report.failing_by_rule().into_iter().enumerate() {
        out.push(Row::Rule {
            index,
            failing: failing.len(),
        });
        let shown = failing.len().min(MAX_FAILING_SHOWN);
        out.extend(failing[..shown].iter().map(|&id| Row::Failing(id)));
        if failing.len() > shown {
            out.push(Row::Note(format!(
                "… and {} more (idp-tui score --json lists them all)",
                failing.len() - shown
            )));
        }
    }
    if report.scores.is_empty() {
        // failing_by_rule has nothing to go on: still list the rules.
        out.extend((0..card.rules.len()).map(|index| Row::Rule { index, failing: 0 }));
    }
    out
}

impl ScorecardsView {
    /// A click on screen row `row`: selects the owner or entity drawn there (headings, rules
    /// and notes are not the pane's to select).
    fn click(&mut self, row: u16) -> Outcome {
        let hit = self
            .drawn
            .hit(row)
            .and_then(|at| self.drawn_rows().get(at).copied())
            .and_then(|i| self.selectable.binary_search(&i).ok())
            .filter(|s| self.list.shown().contains(s));
        match hit {
            Some(s) => {
                self.list.select_row(s);
                Outcome::Consumed
            }
            None => Outcome::Ignored,
        }
    }

    /// The scorecards were evaluated again: the rows are derived again, the selection kept.
    fn scores_changed(&mut self, ctx: &Ctx) {
        let selected = self.list.selected_row().unwrap_or(0);
        self.derive(ctx);
        self.list.select_row(selected);
    }
}

impl View for ScorecardsView {
    fn title(&self, ctx: &Ctx) -> String {
        match self.current(ctx) {
            Some(card) => format!("Scorecards: {}", card.name),
            None => "Scorecards".into(),
        }
    }

    fn mode(&self) -> Mode {
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        super::PaneKeys::moves_and(&["open", "filter", "next_tab", "prev_tab"])
    }

    fn remap(&mut self, ctx: &Ctx, remap: &dyn Fn(EntityId) -> Option<EntityId>) -> bool {
        let _ = remap;
        // The rows name entities by their old numbers: derived again from the new results.
        self.scores_changed(ctx);
        true
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::ScoresChanged = action {
            self.scores_changed(ctx);
            return Outcome::Consumed;
        }
        if let Action::Mouse(crate::tui::action::Mouse::Click { row, .. }) = action {
            return self.click(*row);
        }
        let cards = ctx.scores.cards.len();
        match action {
            Action::NextTab | Action::PrevTab if cards > 1 => {
                self.card = if matches!(action, Action::NextTab) {
                    (self.card + 1) % cards
                } else {
                    (self.card + cards - 1) % cards
                };
                self.derive(ctx);
                return Outcome::Consumed;
            }
            _ => {}
        }
        let texts = if matches!(
            action,
            Action::Input(_)
                | Action::Paste(_)
                | Action::DeleteChar
                | Action::DeleteWord
                | Action::ClearInput
                | Action::Back
        ) {
            self.row_texts(ctx)
        } else {
            Vec::new()
        };
        if self.list.handle(action, ctx.page, |i| {
            texts.get(i).cloned().unwrap_or_default()
        }) {
            return Outcome::Consumed;
        }
        match action {
            Action::Open => {
                let row = self
                    .list
                    .selected_row()
                    .and_then(|s| self.selectable.get(s))
                    .map(|&i| &self.rows[i]);
                match row.and_then(Row::target) {
                    Some(id) => Outcome::OpenEntity(id),
                    None => Outcome::Status("nothing to open here".into()),
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let errors = &ctx.scores.errors;
        let [head, list, foot] = Layout::vertical([
            Constraint::Length(3 + errors.len().min(3) as u16),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let Some(card) = self.current(ctx) else {
            let mut lines = vec![Line::styled(
                "No scorecard loaded.",
                theme.style(Token::Title),
            )];
            lines.extend(errors.iter().map(|e| {
                Line::styled(
                    text::truncate(&safe_line(e), width).into_owned(),
                    theme.style(Token::Error),
                )
            }));
            frame.render_widget(Paragraph::new(lines), area);
            return;
        };
        let Some(report) = ctx.scores.reports.get(self.card) else {
            let lines = vec![
                Line::styled(card.title.clone(), theme.style(Token::Title)),
                Line::styled("Scoring the catalog…", theme.style(Token::Muted)),
            ];
            frame.render_widget(Paragraph::new(lines), area);
            return;
        };
        let counts = report.distribution(card);
        let mut header = vec![crate::tui::panes::entity::clip(
            vec![
                Span::styled(card.title.clone(), theme.style(Token::Title)),
                Span::styled(
                    match ctx.scores.cards.len() {
                        1 => String::new(),
                        n => format!("  {} of {n}  (Tab: next scorecard)", self.card + 1),
                    },
                    theme.style(Token::Muted),
                ),
            ],
            width,
        )];
        header.push(crate::tui::panes::entity::clip(
            vec![
                Span::styled(
                    format!("{} entities: ", report.scores.len()),
                    theme.style(Token::Muted),
                ),
                Span::raw(card.distribution_text(&counts)),
            ],
            width,
        ));
        header.push(level_bar(ctx, card, &counts, width));
        for e in errors.iter().take(3) {
            header.push(Line::styled(
                text::truncate(&format!("not loaded: {}", safe_line(e)), width).into_owned(),
                theme.style(Token::Error),
            ));
        }
        frame.render_widget(Paragraph::new(header), head);

        let selected_row = self
            .list
            .selected_row()
            .and_then(|s| self.selectable.get(s))
            .copied();
        let drawn = self.drawn_rows();
        let anchor = selected_row
            .and_then(|row| drawn.iter().position(|&r| r == row))
            .unwrap_or(0);
        let name_width = self
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Owner { name, .. } => Some(text::width(name)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            .min(width / 2);
        let range = window(anchor, drawn.len(), list.height as usize);
        self.drawn.record(list, range.start);
        let lines: Vec<Line> = range
            .filter_map(|at| drawn.get(at).copied())
            .map(|i| {
                let is_selected = Some(i) == selected_row;
                let (base, marker) = theme.row_start(is_selected);
                let spans = match &self.rows[i] {
                    Row::Heading(t) => vec![Span::styled(t.clone(), theme.style(Token::Title))],
                    Row::Note(t) => vec![Span::styled(format!("  {t}"), theme.style(Token::Muted))],
                    Row::Owner {
                        name,
                        average,
                        entities,
                        levels,
                        ..
                    } => vec![
                        marker,
                        Span::styled(
                            crate::tui::panes::search::fit(name, name_width),
                            theme.on_row(base, theme.kind("group")),
                        ),
                        Span::styled(format!("  {average:>5.1}"), base),
                        Span::styled(
                            format!(
                                "  {entities:>4} {}  ",
                                if *entities == 1 {
                                    "entity  "
                                } else {
                                    "entities"
                                }
                            ),
                            theme.on_row(base, theme.style(Token::Muted)),
                        ),
                        Span::styled(card.distribution_text(levels), base),
                    ],
                    Row::Rule { index, failing } => {
                        let rule = &card.rules[*index];
                        let token = if *failing == 0 {
                            Token::Ok
                        } else {
                            Token::Warning
                        };
                        vec![
                            Span::styled(
                                format!("  {} ", card.level_name(rule.level)),
                                theme.style(Token::Muted),
                            ),
                            Span::styled(rule.id.clone(), theme.style(Token::Text)),
                            Span::styled(format!("  {failing} failing"), theme.style(token)),
                        ]
                    }
                    Row::Failing(id) => {
                        let e = ctx.catalog.get(*id);
                        vec![
                            Span::raw("  "),
                            marker,
                            Span::styled(
                                e.entity_ref().short(),
                                theme.on_row(base, theme.kind(e.kind_lower())),
                            ),
                        ]
                    }
                };
                crate::tui::panes::entity::clip(spans, width)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
    }
}

/// A bar as wide as the pane, split in proportion to the entities at each level (highest
/// level first), each part labelled with its level's initial.
fn level_bar(ctx: &Ctx, card: &Scorecard, counts: &[usize], width: usize) -> Line<'static> {
    let total: usize = counts.iter().sum();
    if total == 0 || width < 4 {
        return Line::raw("");
    }
    let theme = ctx.theme;
    // Highest level first, then "none".
    let order: Vec<usize> = (1..counts.len()).rev().chain([0]).collect();
    let mut cells: Vec<usize> = order.iter().map(|&i| counts[i] * width / total).collect();
    // Rounding leftovers go to the biggest group.
    let leftover = width - cells.iter().sum::<usize>();
    if let Some(biggest) = (0..order.len()).max_by_key(|&n| counts[order[n]]) {
        cells[biggest] += leftover;
    }
    let fill = if theme.name == "mono" { "#" } else { "█" };
    let mut spans = Vec::new();
    for (&i, &n) in order.iter().zip(&cells) {
        if n == 0 {
            continue;
        }
        let (label, token) = if i == 0 {
            ('-', Token::Error)
        } else if i == counts.len() - 1 {
            (card.levels[i - 1].chars().next().unwrap_or('?'), Token::Ok)
        } else {
            (
                card.levels[i - 1].chars().next().unwrap_or('?'),
                Token::Accent,
            )
        };
        spans.push(Span::styled(
            format!("{label}{}", fill.repeat(n - 1)),
            theme.style(token),
        ));
    }
    Line::from(spans)
}
