//! The Insights pane (palette: `insights`): what `idp-tui stats` counts, as bar charts —
//! completeness of components (overall, per fact, per team, least complete first), ownership
//! coverage, template adoption and problems by class. Up/Down scroll.
//!
//! Counting walks the whole catalog, so it runs off the UI thread: the palette command returns
//! a [`StatsJob`] (`Task::CountStats`, on the background pool) holding the catalog, and the
//! answer comes back to this pane as `Reply::Stats`, known by its token. The bars are laid out
//! then, once; a frame draws the visible ones.

use super::{Ctx, Outcome, View};
use crate::catalog::Catalog;
use crate::governance::stats::{Stats, FACTS};
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::reply::Reply;
use crate::tui::theme::Token;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;

/// Most teams listed; the rest are counted.
pub const MAX_TEAMS_SHOWN: usize = 200;

/// Counting the insights of a catalog, to run off the UI thread.
#[derive(Debug)]
pub struct StatsJob {
    /// Tells this count's answer from others.
    pub token: u64,
    /// The catalog to count.
    pub catalog: Arc<Catalog>,
}

impl StatsJob {
    /// Counts.
    pub fn run(self) -> StatsCounted {
        StatsCounted {
            token: self.token,
            stats: Box::new(Stats::build(&self.catalog)),
        }
    }
}

/// The answer to a [`StatsJob`].
#[derive(Debug)]
pub struct StatsCounted {
    /// The job's token.
    pub token: u64,
    /// What was counted.
    pub stats: Box<Stats>,
}

/// One row of the pane.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    /// A section heading.
    Heading(String),
    /// A muted line.
    Note(String),
    /// A bar: its label, how full (0 to 1), the figures after it, and its colour.
    Bar {
        label: String,
        share: f64,
        figures: String,
        token: Token,
    },
}

/// The Insights pane's state.
#[derive(Debug)]
pub struct InsightsView {
    token: u64,
    /// `None` until the count comes back.
    rows: Option<Vec<Row>>,
    /// The catalog changed since the count.
    stale: bool,
    scroll: TextScroll,
}

/// A team's name as `stats` keys it (`group:default/payments`), shortened (`payments`).
fn team_label(key: &str) -> String {
    let key = key.strip_prefix("group:").unwrap_or(key);
    let key = key.strip_prefix("default/").unwrap_or(key);
    safe_line(key)
}

/// A share of 0 to 100 in the theme's words: low is an error, middling a warning, high fine.
fn share_token(percent: f64) -> Token {
    match percent {
        p if p >= 80.0 => Token::Ok,
        p if p >= 50.0 => Token::Warning,
        _ => Token::Error,
    }
}

fn percent_bar(label: String, have: usize, of: usize) -> Row {
    let percent = if of == 0 {
        100.0
    } else {
        have as f64 * 100.0 / of as f64
    };
    Row::Bar {
        label,
        share: percent / 100.0,
        figures: format!("{percent:>3.0}%  {have}/{of}"),
        token: share_token(percent),
    }
}

/// The rows for counted insights.
fn rows(stats: &Stats) -> Vec<Row> {
    let mut out = Vec::new();
    let kinds: Vec<String> = stats
        .entities
        .iter()
        .map(|(k, n)| format!("{} {n}", safe_line(k)))
        .collect();
    out.push(Row::Note(format!(
        "{} entities: {}",
        stats.entities.values().sum::<usize>(),
        kinds.join(" · ")
    )));
    let c = &stats.completeness;
    out.push(Row::Heading(format!(
        "Completeness of components ({} components)",
        c.components
    )));
    let all = c.percent();
    out.push(Row::Bar {
        label: "all facts".into(),
        share: all / 100.0,
        figures: format!("{all:>3.0}%"),
        token: share_token(all),
    });
    for fact in FACTS {
        let have = c.have.get(fact).copied().unwrap_or(0);
        out.push(percent_bar(format!("has {fact}"), have, c.components));
    }
    out.push(Row::Heading(
        "Completeness per team (least complete first)".into(),
    ));
    let mut teams: Vec<(&String, f64, usize)> = stats
        .completeness_by_team
        .iter()
        .map(|(team, c)| (team, c.percent(), c.components))
        .collect();
    teams.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    for (team, percent, components) in teams.iter().take(MAX_TEAMS_SHOWN) {
        out.push(Row::Bar {
            label: team_label(team),
            share: percent / 100.0,
            figures: format!("{percent:>3.0}%  {components} component(s)"),
            token: share_token(*percent),
        });
    }
    if teams.len() > MAX_TEAMS_SHOWN {
        out.push(Row::Note(format!(
            "… and {} more teams (idp-tui stats --json lists them all)",
            teams.len() - MAX_TEAMS_SHOWN
        )));
    }
    out.push(Row::Heading("Ownership coverage".into()));
    out.push(percent_bar(
        "owner resolves".into(),
        stats.owned,
        stats.ownable,
    ));
    out.push(Row::Heading(
        "Template adoption (entities made from each)".into(),
    ));
    let mut templates: Vec<(String, usize)> = stats
        .templates
        .iter()
        .map(|(t, n)| (safe_line(t), *n))
        .collect();
    templates.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    templates.push(("(no template)".into(), stats.without_template));
    let most = templates.iter().map(|t| t.1).max().unwrap_or(0).max(1);
    for (template, n) in templates {
        let template = template
            .strip_prefix("template:default/")
            .map(str::to_string)
            .unwrap_or(template);
        out.push(Row::Bar {
            label: template,
            share: n as f64 / most as f64,
            figures: format!("{n}"),
            token: Token::Accent,
        });
    }
    out.push(Row::Heading("Problems by class".into()));
    if stats.problems.is_empty() {
        out.push(Row::Note("none".into()));
    }
    let most = stats
        .problems
        .values()
        .map(|p| p.errors + p.warnings)
        .max()
        .unwrap_or(0)
        .max(1);
    for (class, count) in &stats.problems {
        out.push(Row::Bar {
            label: (*class).to_string(),
            share: (count.errors + count.warnings) as f64 / most as f64,
            figures: format!("{} error(s), {} warning(s)", count.errors, count.warnings),
            token: if count.errors > 0 {
                Token::Error
            } else {
                Token::Warning
            },
        });
    }
    out
}

impl InsightsView {
    /// The pane, waiting for the count `job` will make; the palette command returns the job
    /// as `Task::CountStats`.
    pub fn counting(catalog: Arc<Catalog>) -> (Self, StatsJob) {
        let token = crate::tui::tabs::docs_page::next_token();
        (
            InsightsView {
                token,
                rows: None,
                stale: false,
                scroll: TextScroll::default(),
            },
            StatsJob { token, catalog },
        )
    }
}

impl View for InsightsView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Insights".into()
    }

    fn mode(&self) -> Mode {
        Mode::List
    }

    fn keys(&self) -> super::PaneKeys {
        super::PaneKeys::moves_and(&[])
    }

    fn remap(
        &mut self,
        _ctx: &Ctx,
        _remap: &dyn Fn(crate::catalog::EntityId) -> Option<crate::catalog::EntityId>,
    ) -> bool {
        // The figures name no entity; they describe the catalog as it was counted.
        self.stale = true;
        true
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        match action {
            Action::Reply(Reply::Stats(counted)) if counted.token == self.token => {
                self.rows = Some(rows(&counted.stats));
                Outcome::Consumed
            }
            Action::Reply(_) => Outcome::Ignored,
            action if self.scroll.handle(action, ctx.page) => Outcome::Consumed,
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let Some(rows) = &self.rows else {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "Counting the catalog…",
                    theme.style(Token::Muted),
                )),
                area,
            );
            return;
        };
        let mut all: Vec<&Row> = rows.iter().collect();
        let stale = Row::Note("the catalog changed since: reopen to count again".into());
        if self.stale {
            all.insert(0, &stale);
        }
        let label_width = rows
            .iter()
            .filter_map(|r| match r {
                Row::Bar { label, .. } => Some(text::width(label)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            .min(width / 3)
            .max(1);
        let figures_width = rows
            .iter()
            .filter_map(|r| match r {
                Row::Bar { figures, .. } => Some(text::width(figures)),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        // Label, two spaces, bar, two spaces, figures: the bar takes what is left (at most 40).
        let bar_width = width
            .saturating_sub(label_width + figures_width + 6)
            .min(40);
        let (full, empty) = if theme.name == "mono" {
            ("#", "-")
        } else {
            ("█", "░")
        };
        let start = self.scroll.start(all.len(), area.height as usize);
        let lines: Vec<Line> = all
            .iter()
            .skip(start)
            .take(area.height as usize)
            .map(|row| match row {
                Row::Heading(t) => Line::styled(
                    text::truncate(t, width).into_owned(),
                    theme.style(Token::Title),
                ),
                Row::Note(t) => Line::styled(
                    text::truncate(&format!("  {t}"), width).into_owned(),
                    theme.style(Token::Muted),
                ),
                Row::Bar {
                    label,
                    share,
                    figures,
                    token,
                } => {
                    let filled = (share.clamp(0.0, 1.0) * bar_width as f64).round() as usize;
                    crate::tui::panes::entity::clip(
                        vec![
                            Span::raw(format!(
                                "  {}  ",
                                crate::tui::panes::search::fit(label, label_width)
                            )),
                            Span::styled(full.repeat(filled), theme.style(*token)),
                            Span::styled(
                                empty.repeat(bar_width - filled),
                                theme.style(Token::Muted),
                            ),
                            Span::raw(format!("  {figures}")),
                        ],
                        width,
                    )
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}
