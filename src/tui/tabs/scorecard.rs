//! The Scorecard tab: for each scorecard that applies to the entity, the level reached, the
//! score, "to reach <next level>: …" with exactly the failing rules of that level, then every
//! rule with ✔/✖ (`+`/`x` in the mono theme), why it failed, its fix, and waivers with their
//! reason. Up/Down scroll. Above them, the entity's action items for every initiative that
//! includes it and that it does not yet meet (rule, deadline, days left, fix).

use super::EntityTab;
use crate::catalog::EntityId;
use crate::scorecard::{EntityScore, Scorecard, Verdict};
use crate::tui::action::Action;
use crate::tui::panes::{Ctx, Outcome};
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::{safe_line, wrap};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The Scorecard tab's state for one entity: only the scroll position.
#[derive(Debug)]
pub struct ScorecardTab {
    id: EntityId,
    scroll: TextScroll,
}

/// The tab applies to entities that at least one scorecard scores (decided by the
/// scorecards' filters, so it is there while the catalog is still being scored).
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    let entity = ctx.catalog.get(id);
    if !ctx.scores.cards.iter().any(|card| card.applies_to(entity)) {
        return None;
    }
    Some(Box::new(ScorecardTab {
        id,
        scroll: TextScroll::default(),
    }))
}

/// The marks for passed, failed and waived rules: ASCII in the mono theme (terminals without
/// colour are often without good fonts too).
pub fn marks(theme: &Theme) -> [&'static str; 3] {
    if theme.name == "mono" {
        ["+", "x", "~"]
    } else {
        ["✔", "✖", "~"]
    }
}

/// The lines for one entity's result on one scorecard, at a width.
pub fn result_lines(
    theme: &Theme,
    card: &Scorecard,
    score: &EntityScore,
    width: usize,
) -> Vec<Line<'static>> {
    let [pass, fail, waived] = marks(theme);
    let mut lines = Vec::new();
    let level = score
        .level
        .map_or_else(|| "none".to_string(), |l| card.level_name(l).to_string());
    lines.push(Line::from(vec![
        Span::styled(card.title.clone(), theme.style(Token::Title)),
        Span::styled("  level ", theme.style(Token::Muted)),
        Span::styled(
            level,
            theme.style(if score.level.is_some() {
                Token::Ok
            } else {
                Token::Error
            }),
        ),
        Span::styled("  score ", theme.style(Token::Muted)),
        Span::raw(format!("{:.1}", score.score)),
    ]));
    match score.next_level(card) {
        Some((next, rules)) => {
            let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
            let text = format!("to reach {}: {}", card.level_name(next), ids.join(", "));
            for l in wrap(&text, width.saturating_sub(2)) {
                lines.push(Line::styled(format!("  {l}"), theme.style(Token::Warning)));
            }
        }
        None => lines.push(Line::styled("  top level reached", theme.style(Token::Ok))),
    }
    let level_width = card
        .levels
        .iter()
        .map(|l| crate::text::width(l))
        .max()
        .unwrap_or(0);
    for (rule, outcome) in card.rules.iter().zip(&score.outcomes) {
        let (mark, style) = match outcome {
            Verdict::Passed => (pass, theme.style(Token::Ok)),
            Verdict::Failed(_) => (fail, theme.style(Token::Error)),
            Verdict::Waived { .. } => (waived, theme.style(Token::Warning)),
            Verdict::Unknown(_) => ("?", theme.style(Token::Muted)),
        };
        let level = crate::tui::panes::search::fit(card.level_name(rule.level), level_width);
        lines.push(crate::tui::panes::entity::clip(
            vec![
                Span::styled(format!("  {mark} "), style),
                Span::styled(format!("{level}  "), theme.style(Token::Muted)),
                Span::raw(rule.title.clone()),
                Span::styled(format!("  {}", rule.id), theme.style(Token::Muted)),
            ],
            width,
        ));
        let indent = "      ";
        let room = width.saturating_sub(indent.len());
        let mut detail = |text: &str, token: Token| {
            for l in wrap(&safe_line(text), room) {
                lines.push(Line::styled(format!("{indent}{l}"), theme.style(token)));
            }
        };
        match outcome {
            Verdict::Passed => {}
            Verdict::Waived { reason, until } => {
                detail(&format!("waived until {until}: {reason}"), Token::Warning)
            }
            Verdict::Unknown(why) => detail(&format!("unknown: {why}"), Token::Muted),
            Verdict::Failed(why) => {
                detail(why, Token::Text);
                if let Some(fix) = &rule.fix {
                    detail(&format!("fix: {fix}"), Token::Muted);
                }
            }
        }
    }
    lines
}

/// The entity's action items for every initiative that includes it and that it does not yet
/// meet: per initiative its deadline and days left, then each failing rule with why and its
/// fix. Listed first, since they have a date. Empty when there are none.
pub fn initiative_lines(ctx: &Ctx, id: EntityId, width: usize) -> Vec<Line<'static>> {
    let theme = ctx.theme;
    let [_, fail, _] = marks(theme);
    let items = crate::governance::board_action_items(
        &ctx.initiatives.initiatives,
        ctx.scores,
        ctx.catalog,
        id,
    );
    let today = crate::tui::panes::initiatives::today(ctx);
    let mut lines = Vec::new();
    let mut last: Option<&str> = None;
    for (initiative, item) in &items {
        if last != Some(initiative.name.as_str()) {
            last = Some(initiative.name.as_str());
            let days = initiative.schedule.days_left(today);
            let token = if days < 0 {
                Token::Error
            } else {
                Token::Warning
            };
            lines.push(crate::tui::panes::entity::clip(
                vec![
                    Span::styled("Initiative ", theme.style(Token::Muted)),
                    Span::styled(initiative.title.clone(), theme.style(Token::Title)),
                    Span::styled(
                        format!(
                            "  due {} · {}",
                            initiative.schedule.deadline,
                            crate::governance::days_text(days)
                        ),
                        theme.style(token),
                    ),
                ],
                width,
            ));
        }
        lines.push(crate::tui::panes::entity::clip(
            vec![
                Span::styled(format!("  {fail} "), theme.style(Token::Error)),
                Span::raw(format!("rule {} must pass by {}: ", item.rule.id, item.due)),
                Span::raw(safe_line(&item.rule.title)),
            ],
            width,
        ));
        let indent = "      ";
        let room = width.saturating_sub(indent.len());
        let mut detail = |text: &str, token: Token| {
            for l in wrap(&safe_line(text), room) {
                lines.push(Line::styled(format!("{indent}{l}"), theme.style(token)));
            }
        };
        if let Some(why) = &item.message {
            detail(why, Token::Text);
        }
        if let Some(fix) = &item.rule.fix {
            detail(&format!("fix: {fix}"), Token::Muted);
        }
    }
    lines
}

impl ScorecardTab {
    fn lines(&self, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
        if ctx.scores.is_pending() {
            return vec![Line::styled(
                "Scoring the catalog…",
                ctx.theme.style(Token::Muted),
            )];
        }
        let mut lines = initiative_lines(ctx, self.id, width);
        for (card, score) in ctx.scores.for_entity(self.id) {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.extend(result_lines(ctx.theme, card, score, width));
        }
        lines
    }
}

impl EntityTab for ScorecardTab {
    fn title(&self) -> &str {
        "Scorecard"
    }

    fn keys(&self) -> crate::tui::panes::PaneKeys {
        crate::tui::panes::PaneKeys::moves_and(&[])
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if self.scroll.handle(action, ctx.page) {
            return Outcome::Consumed;
        }
        Outcome::Ignored
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let lines = self.lines(ctx, area.width as usize);
        let start = self.scroll.start(lines.len(), area.height as usize);
        let visible: Vec<Line> = lines
            .into_iter()
            .skip(start)
            .take(area.height as usize)
            .collect();
        frame.render_widget(Paragraph::new(visible), area);
    }
}
