//! One initiative in detail (Enter in the Initiatives pane): its schedule, gauge and status,
//! then per owner (most failing first) how many of their entities meet the target, then per
//! failing entity its action items: "rule R must pass by DATE" with why it fails and the rule's
//! fix. Up/Down select an owner or an entity; Enter opens it.
//!
//! Rows are derived from the app's scores when the pane opens and when they change; at most
//! [`MAX_ENTITIES_SHOWN`] failing entities are listed (the rest are counted, and
//! `idp-tui initiatives NAME --json` lists them all).

use super::initiatives::{gauge, status_style, FiguresJob, Standing};
use super::{Ctx, Outcome, View};
use crate::catalog::Catalog;
use crate::catalog::{EntityId, EntityRef};
use crate::governance::Initiative;
use crate::governance::{days_text, Goal, Progress, Target};
use crate::scorecard::{Date, Scoreboard};
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::reply::Reply;
use crate::tui::theme::Token;
use crate::tui::widgets::burnup::Burnup;
use crate::tui::widgets::list::{move_selection, window};
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Most failing entities listed; the rest are counted.
pub const MAX_ENTITIES_SHOWN: usize = 200;

/// One row of the detail list.
#[derive(Debug, Clone, PartialEq)]
enum Row {
    /// A section heading.
    Heading(String),
    /// A muted note.
    Note(String),
    /// An owner: name, entity (when in the catalog), failing, passing, total.
    Owner {
        name: String,
        /// The owner as the history's per-owner counts name it.
        key: String,
        id: Option<EntityId>,
        failing: usize,
        passing: usize,
        total: usize,
    },
    /// An entity that fails the target, and how many rules it misses.
    Entity { id: EntityId, missing: usize },
    /// One action item of the entity above: the rule's id and title, and the due day.
    Item {
        rule: String,
        title: String,
        due: String,
    },
    /// Under an item: why the rule fails, or (`fix`) how to make it pass.
    Detail { text: String, fix: bool },
}

impl Row {
    fn target(&self) -> Option<EntityId> {
        match self {
            Row::Owner { id, .. } => *id,
            Row::Entity { id, .. } => Some(*id),
            _ => None,
        }
    }
}

/// The detail pane's state.
#[derive(Debug)]
pub struct InitiativeView {
    /// Index into the loaded initiatives.
    index: usize,
    /// The standing on the day of derivation (`None` while scoring, an error when unbound).
    standing: Option<Result<Standing, String>>,
    /// The target in words, e.g. `level Bronze`.
    target: String,
    rows: Vec<Row>,
    /// Indices of the rows Enter opens.
    selectable: Vec<usize>,
    /// Index into `selectable`.
    selected: usize,
    /// The recorded history (as the list had it), and the token of the read it waits for.
    burnup: Burnup,
    history_token: u64,
    /// The figures asked for, until `take_tasks` hands the job out.
    job: Option<FiguresJob>,
    /// The token of the figures awaited; answers for another are dropped.
    token: u64,
    /// True from asking until the answer comes.
    counting: bool,
}

/// What the detail shows, worked out off the UI thread ([`figure`]).
#[derive(Debug, Clone)]
pub struct Detail {
    standing: Option<Result<Standing, String>>,
    target: String,
    rows: Vec<Row>,
}

fn owner_name(owner: Option<&EntityRef>) -> String {
    owner.map_or_else(|| "(no owner)".to_string(), |r| r.short())
}

impl InitiativeView {
    /// The pane for the initiative at `index` of [`Ctx::initiatives`].
    /// `burnup` is the history as the list has it; while it is still being read, the answer
    /// (`history_token`) is taken here too.
    pub fn new(ctx: &Ctx, index: usize, burnup: Burnup, history_token: u64) -> Self {
        let mut view = InitiativeView {
            index,
            standing: None,
            target: String::new(),
            rows: Vec::new(),
            selectable: Vec::new(),
            selected: 0,
            burnup,
            history_token,
            job: None,
            token: 0,
            counting: false,
        };
        view.ask(ctx);
        view
    }

    /// Asks for the figures again (the scores or the catalog changed): the job goes out with
    /// the next [`View::take_tasks`]; until it answers, the pane says it is counting (or, while
    /// the catalog is being scored, scoring).
    fn ask(&mut self, ctx: &Ctx) {
        self.job = FiguresJob::new(ctx, Some(self.index));
        self.token = self.job.as_ref().map_or(0, |j| j.token);
        self.counting = self.job.is_some();
        self.standing = None;
        self.rows.clear();
        self.select();
    }

    /// Takes the answer of the job last asked for.
    pub(super) fn take(&mut self, detail: Detail) {
        self.counting = false;
        self.standing = detail.standing;
        self.target = detail.target;
        self.rows = detail.rows;
        self.select();
    }

    fn select(&mut self) {
        self.selectable = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.target().is_some())
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.selectable.len().saturating_sub(1));
    }

    /// The header lines: title and status, schedule, gauge.
    fn header(&self, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
        let theme = ctx.theme;
        let Some(i) = ctx.initiatives.initiatives.get(self.index) else {
            return Vec::new();
        };
        let clip = crate::tui::panes::entity::clip;
        let mut lines = Vec::new();
        let mut title = vec![Span::styled(i.title.clone(), theme.style(Token::Title))];
        match &self.standing {
            Some(Ok(s)) => title.push(Span::styled(
                format!("  {}", s.status),
                status_style(theme, s.status),
            )),
            Some(Err(e)) => title.push(Span::styled(format!("  {e}"), theme.style(Token::Error))),
            None => title.push(Span::styled(
                if self.counting {
                    "  counting…"
                } else {
                    "  scoring the catalog…"
                },
                theme.style(Token::Muted),
            )),
        }
        lines.push(clip(title, width));
        let owner = i
            .owner
            .as_ref()
            .map(|o| format!("; run by {}", o.short()))
            .unwrap_or_default();
        lines.push(Line::styled(
            text::truncate(
                &format!("scorecard {}, target {}{owner}", i.scorecard, self.target),
                width,
            )
            .into_owned(),
            theme.style(Token::Muted),
        ));
        let mut when = format!("{} → {}", i.schedule.start, i.schedule.deadline);
        if let Some(Ok(s)) = &self.standing {
            when.push_str(&format!(
                " · {} · {:.0}% expected by now",
                days_text(s.days_left),
                s.expected
            ));
        }
        for m in &i.schedule.milestones {
            when.push_str(&format!(" · milestone {}: {}%", m.date, m.percent));
        }
        lines.push(Line::styled(
            text::truncate(&when, width).into_owned(),
            theme.style(Token::Muted),
        ));
        if let Some(Ok(s)) = &self.standing {
            let figures = format!(
                "  {:.0}% · {}/{} meet the target",
                s.percent, s.passing, s.total
            );
            let room = width.saturating_sub(text::width(&figures)).min(40);
            let mut spans = gauge(theme, s.percent, room, status_style(theme, s.status));
            spans.push(Span::raw(figures));
            lines.push(clip(spans, width));
        }
        lines.push(self.burnup.initiative_line(theme, &i.name, width));
        lines
    }
}

/// Works out the detail of `initiative` from the scores on `today` (off the UI thread: see
/// [`FiguresJob`](super::initiatives::FiguresJob)); `None`: the initiative is no longer loaded.
pub(super) fn figure(
    initiative: Option<&Initiative>,
    board: &Scoreboard,
    catalog: &Catalog,
    today: Date,
) -> Detail {
    let mut detail = Detail {
        standing: None,
        target: String::new(),
        rows: Vec::new(),
    };
    let Some(initiative) = initiative else {
        detail.standing = Some(Err("the initiative is no longer loaded".into()));
        return detail;
    };
    let progress = Progress::from_board(initiative, board, catalog, today);
    detail.standing = progress.as_ref().map(|r| {
        r.as_ref()
            .map(Standing::of)
            .map_err(|e| safe_line(&e.to_string()))
    });
    let Some(Ok(p)) = progress else {
        detail.target = match &initiative.target {
            Target::Level(l) => format!("level {l}"),
            Target::Rules(r) => format!("rules {}", r.join(", ")),
        };
        return detail;
    };
    detail.target = match (&p.goal, &initiative.target) {
        (Goal::Level(level), _) => format!("level {}", p.scorecard.level_name(*level)),
        (_, Target::Rules(ids)) => format!("rules {}", ids.join(", ")),
        (_, Target::Level(name)) => format!("level {name}"),
    };
    detail
        .rows
        .push(Row::Heading("Owners (most failing first)".into()));
    let owners = p.by_owner();
    if owners.is_empty() {
        detail
            .rows
            .push(Row::Note("no entity is in this initiative's scope".into()));
    }
    for o in owners {
        detail.rows.push(Row::Owner {
            name: owner_name(o.owner.as_ref()),
            key: o
                .owner
                .as_ref()
                .map_or_else(|| "(no owner)".to_string(), |r| r.to_string()),
            id: o.owner.as_ref().and_then(|r| catalog.id_of(r)),
            failing: o.failing(),
            passing: o.passing,
            total: o.total,
        });
    }
    detail.rows.push(Row::Heading("Action items".into()));
    let failing = p.total() - p.passing;
    if failing == 0 {
        detail.rows.push(Row::Note(
            "none: every entity in scope meets the target".into(),
        ));
    }
    let items = p.action_items();
    let due = initiative.schedule.deadline.to_string();
    let mut shown = 0;
    let mut at = 0;
    for e in p.entities.iter().filter(|e| !e.passing()) {
        if shown == MAX_ENTITIES_SHOWN {
            break;
        }
        shown += 1;
        detail.rows.push(Row::Entity {
            id: e.entity,
            missing: e.missing.len(),
        });
        // Items come in entity order: skip to this entity's.
        while items.get(at).is_some_and(|a| a.entity != e.entity) {
            at += 1;
        }
        while let Some(a) = items.get(at).filter(|a| a.entity == e.entity) {
            detail.rows.push(Row::Item {
                rule: a.rule.id.clone(),
                title: a.rule.title.clone(),
                due: due.clone(),
            });
            if let Some(why) = &a.message {
                detail.rows.push(Row::Detail {
                    text: safe_line(why),
                    fix: false,
                });
            }
            if let Some(fix) = &a.rule.fix {
                detail.rows.push(Row::Detail {
                    text: format!("fix: {}", safe_line(fix)),
                    fix: true,
                });
            }
            at += 1;
        }
    }
    if failing > shown {
        detail.rows.push(Row::Note(format!(
            "… and {} more (idp-tui initiatives {} --json lists them all)",
            failing - shown,
            initiative.name
        )));
    }
    detail
}

impl View for InitiativeView {
    fn title(&self, ctx: &Ctx) -> String {
        ctx.initiatives
            .initiatives
            .get(self.index)
            .map_or_else(|| "Initiative".into(), |i| i.name.clone())
    }

    fn mode(&self) -> Mode {
        Mode::List
    }

    fn keys(&self) -> super::PaneKeys {
        super::PaneKeys::moves_and(&["open"])
    }

    fn remap(&mut self, ctx: &Ctx, remap: &dyn Fn(EntityId) -> Option<EntityId>) -> bool {
        let _ = remap;
        // The rows name entities by their old numbers: figured again over the new catalog.
        self.ask(ctx);
        true
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        match action {
            Action::ScoresChanged => {
                self.ask(ctx);
                return Outcome::Consumed;
            }
            Action::Reply(Reply::Initiatives(figured)) if figured.token == self.token => {
                if let Some(detail) = figured.detail() {
                    self.take(detail);
                }
                return Outcome::Consumed;
            }
            Action::Reply(Reply::History(loaded)) if loaded.token == self.history_token => {
                self.burnup = Burnup::from_loaded(loaded.clone());
                // Not consumed: the list below keeps it too.
                return Outcome::Ignored;
            }
            Action::Reply(_) => return Outcome::Ignored,
            _ => {}
        }
        if move_selection(&mut self.selected, self.selectable.len(), action, ctx.page) {
            return Outcome::Consumed;
        }
        match action {
            Action::Open => {
                let row = self.selectable.get(self.selected).map(|&i| &self.rows[i]);
                match row.and_then(Row::target) {
                    Some(id) => Outcome::OpenEntity(id),
                    None => Outcome::Status("nothing to open here".into()),
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn take_tasks(&mut self, _area_width: u16) -> Vec<crate::tui::task::Task> {
        self.job
            .take()
            .map(crate::tui::task::Task::FigureInitiatives)
            .into_iter()
            .collect()
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let mut header = self.header(ctx, width);
        if area.height < 16 && header.len() > 3 {
            // Little room: the title, the gauge and the burn-up, the list below.
            let burnup = header.pop();
            let gauge = header.pop();
            header.truncate(1);
            header.extend(gauge);
            header.extend(burnup);
        }
        let [head, list] =
            Layout::vertical([Constraint::Length(header.len() as u16), Constraint::Min(0)])
                .areas(area);
        frame.render_widget(Paragraph::new(header), head);
        let selected_row = self.selectable.get(self.selected).copied();
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
        let [_, fail, _] = crate::tui::tabs::scorecard::marks(theme);
        let initiative_name = ctx
            .initiatives
            .initiatives
            .get(self.index)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        let mut lines = Vec::new();
        for i in window(
            selected_row.unwrap_or(0),
            self.rows.len(),
            list.height as usize,
        ) {
            let is_selected = Some(i) == selected_row;
            let (base, marker) = theme.row_start(is_selected);
            let spans = match &self.rows[i] {
                Row::Heading(t) => vec![Span::styled(t.clone(), theme.style(Token::Title))],
                Row::Note(t) => vec![Span::styled(format!("  {t}"), theme.style(Token::Muted))],
                Row::Owner {
                    name,
                    key,
                    failing,
                    passing,
                    total,
                    ..
                } => {
                    let token = if *failing == 0 {
                        Token::Ok
                    } else {
                        Token::Warning
                    };
                    vec![
                        marker,
                        Span::styled(
                            crate::tui::panes::search::fit(name, name_width),
                            theme.on_row(base, theme.kind("group")),
                        ),
                        Span::styled(
                            format!("  {failing:>4} failing"),
                            theme.on_row(base, theme.style(token)),
                        ),
                        Span::styled(format!("  {passing:>3}/{total:<3} pass  "), base),
                        Span::styled(
                            self.burnup.owner_spark(theme, &initiative_name, key, 30),
                            theme.style(Token::Accent),
                        ),
                    ]
                }
                Row::Entity { id, missing } => {
                    let e = ctx.catalog.get(*id);
                    vec![
                        marker,
                        Span::styled(
                            safe_line(&e.entity_ref().short()),
                            theme.on_row(base, theme.kind(e.kind_lower())),
                        ),
                        Span::styled(
                            format!(
                                "  owner {} · {missing} rule(s) to fix",
                                owner_name(ctx.catalog.owner_ref(*id))
                            ),
                            theme.on_row(base, theme.style(Token::Muted)),
                        ),
                    ]
                }
                Row::Item { rule, title, due } => vec![
                    Span::styled(format!("    {fail} "), theme.style(Token::Error)),
                    Span::raw(format!("rule {rule} must pass by {due}: ")),
                    Span::styled(safe_line(title), theme.style(Token::Text)),
                ],
                Row::Detail { text, fix } => vec![Span::styled(
                    format!("        {text}"),
                    theme.style(if *fix { Token::Warning } else { Token::Muted }),
                )],
            };
            lines.push(crate::tui::panes::entity::clip(spans, width));
        }
        frame.render_widget(Paragraph::new(lines), list);
    }
}
