//! The Initiatives pane (palette: `initiatives`): one row per initiative with a gauge of the
//! entities meeting its target, its status (draft, scheduled, in progress, delayed, done) in
//! the theme's colours, its deadline and the days left. `/` filters the list like every list
//! (`widgets/filter.rs`); Enter opens the initiative (`panes/initiative.rs`). Under each, its
//! title and, once the history is read (`widgets/burnup.rs`), its burn-up and whether that is
//! of git history or of recorded runs.
//!
//! The rows are derived from the scores the app already computed off the UI thread (the
//! [`Scoreboard`](crate::scorecard::Scoreboard)): a count over one scorecard's results per
//! initiative (no rule evaluated again, nothing allocated per entity), when the pane opens and
//! when the scores change, never while drawing. "Today" is
//! the app's clock ([`Ctx::now`]), so tests fix it.

use super::initiative::{Detail, InitiativeView};
use super::{Ctx, Outcome, View};
use crate::catalog::Catalog;
use crate::governance::{days_text, tally_from_board, Initiative, Progress, Status};
use crate::scorecard::Date;
use crate::scorecard::Scoreboard;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::reply::Reply;
use crate::tui::task::Task;
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::burnup::{Burnup, HistoryRequest};
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;

/// One initiative evaluated on a day: what its row shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    /// Where it stands.
    pub status: Status,
    /// Entities meeting the target.
    pub passing: usize,
    /// Entities in scope.
    pub total: usize,
    /// `passing` as a share, 0 to 100.
    pub percent: f64,
    /// The share expected by now on the path to the deadline, 0 to 100.
    pub expected: f64,
    /// Days to the deadline (negative once past).
    pub days_left: i64,
}

impl Standing {
    /// The row figures of an evaluated initiative.
    pub fn of(p: &Progress<'_>) -> Self {
        Standing {
            status: p.status,
            passing: p.passing,
            total: p.total(),
            percent: p.percent(),
            expected: p.expected * 100.0,
            days_left: p.days_left,
        }
    }

    /// The row figures from a tally (see [`tally_from_board`]) on `today`.
    pub fn tallied(initiative: &Initiative, passing: usize, total: usize, today: Date) -> Self {
        let schedule = &initiative.schedule;
        Standing {
            status: schedule.status(passing, total, today),
            passing,
            total,
            percent: if total == 0 {
                100.0
            } else {
                passing as f64 * 100.0 / total as f64
            },
            expected: schedule.expected_share(today) * 100.0,
            days_left: schedule.days_left(today),
        }
    }
}

/// Figures for the Initiatives panes, worked out off the UI thread (`Task::FigureInitiatives`,
/// on the background pool) from the shared scores ([`Scoreboard::share`]): the list's rows, or
/// one initiative's detail. The answer comes back as `Reply::Initiatives`, known by its token.
#[derive(Debug)]
pub struct FiguresJob {
    /// Which asking this answers.
    pub token: u64,
    board: Scoreboard,
    catalog: Arc<Catalog>,
    initiatives: Vec<Initiative>,
    today: Date,
    /// `None`: every initiative's row; `Some(i)`: the detail of the initiative at `i`.
    detail: Option<usize>,
}

/// The answer of a [`FiguresJob`].
#[derive(Debug)]
pub struct Figured {
    /// The token of the job.
    pub token: u64,
    answer: Answer,
}

#[derive(Debug)]
enum Answer {
    Rows(Vec<Option<Result<Standing, String>>>),
    Detail(Box<Detail>),
}

impl Figured {
    fn rows(&self) -> Option<&[Option<Result<Standing, String>>]> {
        match &self.answer {
            Answer::Rows(rows) => Some(rows),
            Answer::Detail(_) => None,
        }
    }

    /// The detail, when this answers a detail's job (each reply reaches one pane).
    pub(super) fn detail(&self) -> Option<Detail> {
        match &self.answer {
            Answer::Detail(d) => Some(Detail::clone(d)),
            Answer::Rows(_) => None,
        }
    }
}

impl FiguresJob {
    /// The job for the list (`detail: None`) or one initiative's detail, over the scores as
    /// they are now; `None` while the catalog is being scored (the pane asks again on
    /// `Action::ScoresChanged`).
    pub fn new(ctx: &Ctx, detail: Option<usize>) -> Option<Self> {
        let (board, catalog) = ctx.scores.share()?;
        let initiatives = match detail {
            None => ctx.initiatives.initiatives.clone(),
            Some(i) => ctx
                .initiatives
                .initiatives
                .get(i)
                .cloned()
                .into_iter()
                .collect(),
        };
        Some(FiguresJob {
            token: crate::tui::tabs::docs_page::next_token(),
            board,
            catalog,
            initiatives,
            today: today(ctx),
            detail,
        })
    }

    /// Works the figures out (a pass over one scorecard's results per initiative).
    pub fn run(self) -> Figured {
        let answer = match self.detail {
            Some(_) => Answer::Detail(Box::new(super::initiative::figure(
                self.initiatives.first(),
                &self.board,
                &self.catalog,
                self.today,
            ))),
            None => Answer::Rows(
                self.initiatives
                    .iter()
                    .map(|i| {
                        tally_from_board(i, &self.board, &self.catalog).map(|r| {
                            r.map(|(passing, total)| {
                                Standing::tallied(i, passing, total, self.today)
                            })
                            .map_err(|e| safe_line(&e.to_string()))
                        })
                    })
                    .collect(),
            ),
        };
        Figured {
            token: self.token,
            answer,
        }
    }
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Index into the loaded initiatives ([`Ctx::initiatives`]).
    pub index: usize,
    /// Its standing; `None` while the catalog is being scored; an error when its scorecard,
    /// level or rules are not loaded.
    pub standing: Option<Result<Standing, String>>,
}

/// The Initiatives pane's state: the rows (derived in `handle`, so drawing only lays out the
/// visible ones), and the `/` filter with the selection over them.
#[derive(Debug, Default)]
pub struct InitiativesView {
    rows: Vec<Row>,
    list: FilteredList,
    /// The history (git or recorded runs), for the burn-ups of the initiative opened.
    burnup: Burnup,
    /// The history read asked for, until `take_tasks` hands it out; then its token.
    history: Option<HistoryRequest>,
    history_token: u64,
    /// The figures asked for, until `take_tasks` hands the job out.
    job: Option<FiguresJob>,
    /// The token of the figures awaited; answers for another are dropped.
    token: u64,
    /// True from asking until the answer comes.
    counting: bool,
}

/// The day of the app's clock reading, in UTC.
pub fn today(ctx: &Ctx) -> Date {
    crate::tui::clock::Clock::fixed(ctx.now).today()
}

/// The style of a status: delayed is an error, done is success, in progress is accented,
/// drafts and scheduled ones are muted. The words differ too, so colour is never the only
/// sign.
pub fn status_style(theme: &Theme, status: Status) -> Style {
    match status {
        Status::Draft | Status::Scheduled => theme.style(Token::Muted),
        Status::InProgress => theme.style(Token::Accent),
        Status::Delayed => theme.style(Token::Error).add_modifier(Modifier::BOLD),
        Status::Done => theme.style(Token::Ok),
    }
}

/// A gauge `width` cells wide, filled to `percent` in the status's style (ASCII in the mono
/// theme).
pub fn gauge(theme: &Theme, percent: f64, width: usize, style: Style) -> Vec<Span<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let filled = ((percent.clamp(0.0, 100.0) / 100.0) * width as f64).round() as usize;
    let (full, empty) = if theme.name == "mono" {
        ("#", "-")
    } else {
        ("█", "░")
    };
    vec![
        Span::styled(full.repeat(filled), style),
        Span::styled(
            empty.repeat(width.saturating_sub(filled)),
            theme.style(Token::Muted),
        ),
    ]
}

impl InitiativesView {
    /// The pane over the loaded initiatives, every one listed.
    pub fn new(ctx: &Ctx) -> Self {
        let request = HistoryRequest::new(ctx);
        let mut view = Self {
            history_token: request.token,
            history: Some(request),
            ..Self::default()
        };
        view.ask(ctx);
        view
    }

    /// The rows the filter keeps, in file order.
    pub fn shown(&self) -> Vec<&Row> {
        self.list
            .shown()
            .iter()
            .filter_map(|&i| self.rows.get(i))
            .collect()
    }

    /// Asks for the rows' figures again (the scores or the catalog changed): the job goes out
    /// with the next [`View::take_tasks`]; until it answers, each row says it is counting (or,
    /// while the catalog is being scored, scoring).
    fn ask(&mut self, ctx: &Ctx) {
        self.job = FiguresJob::new(ctx, None);
        self.token = self.job.as_ref().map_or(0, |j| j.token);
        self.counting = self.job.is_some();
        self.rows = (0..ctx.initiatives.initiatives.len())
            .map(|index| Row {
                index,
                standing: None,
            })
            .collect();
        self.refilter(ctx);
    }

    /// Takes the figures of the job last asked for.
    fn take(&mut self, ctx: &Ctx, figures: &[Option<Result<Standing, String>>]) {
        self.counting = false;
        for (row, standing) in self.rows.iter_mut().zip(figures) {
            row.standing = standing.clone();
        }
        self.refilter(ctx);
    }

    fn refilter(&mut self, ctx: &Ctx) {
        let rows = &self.rows;
        self.list
            .set_rows(rows.len(), |n| row_text(ctx, rows.get(n)));
    }
}

/// What the `/` filter matches an initiative on: its name, title, scorecard, deadline,
/// status and owner.
fn row_text(ctx: &Ctx, row: Option<&Row>) -> String {
    let Some((row, i)) = row.and_then(|r| Some((r, ctx.initiatives.initiatives.get(r.index)?)))
    else {
        return String::new();
    };
    let status = match &row.standing {
        Some(Ok(s)) => s.status.as_str(),
        _ => "",
    };
    let owner = i.owner.as_ref().map(|o| o.to_string()).unwrap_or_default();
    format!(
        "{} {} {} {} {status} {owner}",
        i.name, i.title, i.scorecard, i.schedule.deadline
    )
}

impl View for InitiativesView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Initiatives".into()
    }

    fn mode(&self) -> Mode {
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        super::PaneKeys::moves_and(&["open", "filter"])
    }

    fn remap(
        &mut self,
        ctx: &Ctx,
        remap: &dyn Fn(crate::catalog::EntityId) -> Option<crate::catalog::EntityId>,
    ) -> bool {
        let _ = remap;
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
                if let Some(rows) = figured.rows() {
                    self.take(ctx, rows);
                }
                return Outcome::Consumed;
            }
            Action::Reply(Reply::History(loaded)) if loaded.token == self.history_token => {
                self.burnup = Burnup::from_loaded(loaded.clone());
                return Outcome::Consumed;
            }
            Action::Reply(_) => return Outcome::Ignored,
            _ => {}
        }
        let rows = &self.rows;
        if self
            .list
            .handle(action, ctx.page, |n| row_text(ctx, rows.get(n)))
        {
            return Outcome::Consumed;
        }
        match action {
            Action::Open => match self.list.selected_row().and_then(|i| self.rows.get(i)) {
                Some(row) => Outcome::Push(Box::new(InitiativeView::new(
                    ctx,
                    row.index,
                    self.burnup.clone(),
                    self.history_token,
                ))),
                None if ctx.initiatives.initiatives.is_empty() => {
                    Outcome::Status("no initiatives are loaded".into())
                }
                None => Outcome::Status("no initiative matches the filter".into()),
            },
            _ => Outcome::Ignored,
        }
    }

    fn take_tasks(&mut self, _area_width: u16) -> Vec<Task> {
        let history = self.history.take().map(Task::ReadHistory);
        let figures = self.job.take().map(Task::FigureInitiatives);
        history.into_iter().chain(figures).collect()
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let errors = &ctx.initiatives.errors;
        let [head, list, foot] = Layout::vertical([
            Constraint::Length(1 + errors.len().min(2) as u16),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let delayed = self
            .rows
            .iter()
            .filter(|r| matches!(&r.standing, Some(Ok(s)) if s.status == Status::Delayed))
            .count();
        let mut summary = format!("{} initiative(s)", self.rows.len());
        if delayed > 0 {
            summary.push_str(&format!(" · {delayed} delayed"));
        }
        summary.push_str(" · Enter: owners and action items · /: filter");
        let mut head_lines = vec![Line::styled(
            text::truncate(&summary, width).into_owned(),
            theme.style(Token::Muted),
        )];
        head_lines.extend(errors.iter().take(2).map(|e| {
            Line::styled(
                text::truncate(&format!("not loaded: {}", safe_line(&e.to_string())), width)
                    .into_owned(),
                theme.style(Token::Error),
            )
        }));
        frame.render_widget(Paragraph::new(head_lines), head);
        if self.list.shown().is_empty() {
            let note = if self.rows.is_empty() {
                "  no initiatives: write `kind: Initiative` files beside your scorecards (docs/initiatives.md)"
            } else {
                "  (no initiative matches the filter · Esc clears it)"
            };
            frame.render_widget(
                Paragraph::new(Line::styled(
                    text::truncate(note, width).into_owned(),
                    theme.style(Token::Muted),
                )),
                list,
            );
            return;
        }
        let all = &ctx.initiatives.initiatives;
        // Narrow: the name alone on the first row, the figures on the second.
        let narrow = width < 60;
        let name_width = self
            .shown()
            .iter()
            .filter_map(|r| all.get(r.index))
            .map(|i| text::width(&i.name))
            .max()
            .unwrap_or(0)
            .min(if narrow { width } else { width / 3 });
        let gauge_width = match width {
            w if w >= 110 => 20,
            w if w >= 80 => 10,
            _ => 0,
        };
        // Two rows each: the figures, then the title.
        let rows = (list.height as usize / 2).max(1);
        let selected = self.list.selected_row();
        let mut lines = Vec::new();
        for n in self.list.visible(rows) {
            let Some(row) = self.rows.get(n) else {
                continue;
            };
            let Some(initiative) = all.get(row.index) else {
                continue;
            };
            let is_selected = Some(n) == selected;
            let (base, marker) = theme.row_start(is_selected);
            let mut first = vec![
                marker,
                Span::styled(
                    crate::tui::panes::search::fit(&initiative.name, name_width),
                    base.add_modifier(Modifier::BOLD),
                ),
            ];
            let mut figures = Vec::new();
            match &row.standing {
                None => figures.push(Span::styled(
                    if self.counting {
                        "  counting…"
                    } else {
                        "  scoring the catalog…"
                    },
                    theme.style(Token::Muted),
                )),
                Some(Err(_)) => figures.push(Span::styled(
                    "  not evaluated: its scorecard is not loaded",
                    theme.style(Token::Error),
                )),
                Some(Ok(s)) => {
                    let style = status_style(theme, s.status);
                    let status = if narrow {
                        format!("  {}", s.status.as_str())
                    } else {
                        format!("  {:<11}", s.status.as_str())
                    };
                    figures.push(Span::styled(status, style));
                    if gauge_width > 0 {
                        figures.push(Span::raw("  "));
                        figures.extend(gauge(theme, s.percent, gauge_width, style));
                    }
                    figures.push(Span::raw(format!(
                        "  {:>3.0}% {}/{}",
                        s.percent, s.passing, s.total
                    )));
                    let due = if narrow {
                        format!("  {}", days_text(s.days_left))
                    } else {
                        format!(
                            "  due {}  {}",
                            initiative.schedule.deadline,
                            days_text(s.days_left)
                        )
                    };
                    figures.push(Span::styled(due, theme.style(Token::Muted)));
                }
            }
            if narrow {
                lines.push(crate::tui::panes::entity::clip(first, width));
                lines.push(crate::tui::panes::entity::clip(figures, width));
                continue;
            }
            first.extend(
                figures
                    .into_iter()
                    .map(|span| Span::styled(span.content, theme.on_row(base, span.style))),
            );
            lines.push(crate::tui::panes::entity::clip(first, width));
            let mut second = format!("    {}", initiative.title);
            if let Some(o) = &initiative.owner {
                second.push_str(&format!(" · run by {}", o.short()));
            }
            if let Some(Ok(s)) = &row.standing {
                if s.status == Status::Delayed && s.days_left >= 0 {
                    second.push_str(&format!(" · {:.0}% expected by now", s.expected));
                }
            }
            if let Some(words) = self.burnup.initiative_words(theme, &initiative.name, 12) {
                second.push_str(&format!(" · {words}"));
            }
            lines.push(Line::styled(
                text::truncate(&second, width).into_owned(),
                theme.style(Token::Muted),
            ));
        }
        frame.render_widget(Paragraph::new(lines), list);
    }
}
