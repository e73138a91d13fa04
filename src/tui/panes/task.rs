//! The progress of a template running on a Backstage backend: the task id, each step's state
//! (from the template's steps and the task's events), the log (scrollable, bounded, cleaned),
//! and at the end the output links (`y` copies the selected one with OSC 52).
//!
//! Esc leaves the pane and q quits the portal; either way the task goes on running on the
//! server, and the pane says so with the task id.

use super::{Ctx, Outcome, View};
use crate::backstage::tasks::{StepState, TaskEvent, TaskResult};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::remote_task::{RemoteRun, RemoteUpdate};
use crate::tui::reply::Reply;
use crate::tui::theme::Token;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::collections::VecDeque;
use std::time::Duration;

/// Log lines kept; older ones are dropped (and counted).
pub const MAX_LOG_LINES: usize = 5_000;

/// One step of the template, as the task reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// The step's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its state, once the task reported one.
    pub state: Option<StepState>,
}

/// Where the run is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Sent; the server has not answered yet.
    Submitting,
    /// Accepted: being followed.
    Running(String),
    /// Finished on the server.
    Finished(TaskResult),
    /// Not started, or lost track of (the message says which).
    Failed {
        /// The task, when it was started.
        task: Option<String>,
        /// What happened.
        message: String,
    },
}

/// The progress pane's state.
pub struct TaskView {
    job: u64,
    title: String,
    server: String,
    timeout: Duration,
    /// Where the run is.
    pub phase: Phase,
    /// The steps, in the template's order (steps only the events name are added at the end).
    pub steps: Vec<StepRow>,
    /// The last [`MAX_LOG_LINES`] log lines, each `step: line`.
    pub log: VecDeque<String>,
    dropped: usize,
    /// Lines scrolled up from the end of the log (0 follows the end).
    back: usize,
    /// The selected output link.
    link: usize,
    /// Dropping it tells the background task to stop following.
    _closed: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TaskView {
    /// The pane of a run just submitted.
    pub fn new(
        job: u64,
        run: &RemoteRun,
        timeout: Duration,
        closed: Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Self {
        Self {
            job,
            title: safe_line(&run.title),
            server: safe_line(&run.server),
            timeout,
            phase: Phase::Submitting,
            steps: run
                .steps
                .iter()
                .map(|(id, name)| StepRow {
                    id: safe_line(id),
                    name: safe_line(name),
                    state: None,
                })
                .collect(),
            log: VecDeque::new(),
            dropped: 0,
            back: 0,
            link: 0,
            _closed: closed,
        }
    }

    /// The job this pane follows.
    pub fn job(&self) -> u64 {
        self.job
    }

    /// True while the task runs (or may run) on the server.
    fn running(&self) -> bool {
        matches!(self.phase, Phase::Submitting | Phase::Running(_))
    }

    fn task_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::Running(id) => Some(id),
            Phase::Finished(r) => Some(&r.id),
            Phase::Failed { task, .. } => task.as_deref(),
            Phase::Submitting => None,
        }
    }

    fn push_log(&mut self, line: String) {
        if self.log.len() == MAX_LOG_LINES {
            self.log.pop_front();
            self.dropped += 1;
        }
        self.log.push_back(line);
        // Someone reading further up keeps their place.
        if self.back > 0 {
            self.back = (self.back + 1).min(self.log.len());
        }
    }

    /// Applies an update of this pane's job. Returns false when the pane should close (the
    /// server refused the values: the form underneath shows why).
    pub fn apply(&mut self, update: &RemoteUpdate) -> bool {
        match update {
            RemoteUpdate::Submitted(id) => self.phase = Phase::Running(safe_line(id)),
            RemoteUpdate::Event(TaskEvent::Log { step, line }) => {
                let line = match step {
                    Some(s) => format!("{}: {}", safe_line(s), safe_line(line)),
                    None => safe_line(line),
                };
                self.push_log(line);
            }
            RemoteUpdate::Event(TaskEvent::Step { step, state }) => {
                let step = safe_line(step);
                if let Some(row) = self.steps.iter_mut().find(|s| s.id == step) {
                    row.state = Some(*state);
                } else if self.steps.len() < 500 {
                    self.steps.push(StepRow {
                        name: step.clone(),
                        id: step,
                        state: Some(*state),
                    });
                }
            }
            RemoteUpdate::Invalid(_) => return false,
            RemoteUpdate::Failed(message) => {
                self.phase = Phase::Failed {
                    task: self.task_id().map(str::to_string),
                    message: safe_line(message),
                }
            }
            RemoteUpdate::Finished(result) => self.phase = Phase::Finished(result.clone()),
        }
        true
    }

    fn links(&self) -> &[crate::scaffolder::render::OutputLink] {
        match &self.phase {
            Phase::Finished(r) => &r.output.links,
            _ => &[],
        }
    }
}

impl View for TaskView {
    fn title(&self, _ctx: &Ctx) -> String {
        format!("{} (remote)", self.title)
    }

    fn mode(&self) -> Mode {
        Mode::Entity
    }

    fn keys(&self) -> super::PaneKeys {
        super::PaneKeys::moves_and(&["next_tab", "prev_tab", "copy_ref"])
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::Reply(Reply::TemplateRun(job, update)) = action {
            return match (*job == self.job, update) {
                (false, _) => Outcome::Ignored,
                // Refused: this pane closes and the form below marks the fields.
                (true, RemoteUpdate::Invalid(_)) => Outcome::PassDown,
                (true, update) if !self.apply(update) => Outcome::Pop,
                (true, RemoteUpdate::Finished(r)) => {
                    Outcome::Status(format!("remote task {}", safe_line(&r.status)))
                }
                (true, _) => Outcome::Consumed,
            };
        }
        let page = ctx.page.max(1);
        let len = self.log.len();
        match action {
            Action::Up => self.back = (self.back + 1).min(len),
            Action::Down => self.back = self.back.saturating_sub(1),
            Action::PageUp => self.back = (self.back + page).min(len),
            Action::PageDown => self.back = self.back.saturating_sub(page),
            Action::Home => self.back = len,
            Action::End => self.back = 0,
            Action::NextTab | Action::PrevTab => {
                let n = self.links().len().max(1);
                self.link = if matches!(action, Action::NextTab) {
                    (self.link + 1) % n
                } else {
                    (self.link + n - 1) % n
                };
            }
            Action::CopyRef => {
                let Some(l) = self.links().get(self.link) else {
                    return Outcome::Status("no output link to copy yet".into());
                };
                let text = l
                    .url
                    .clone()
                    .or_else(|| l.entity_ref.clone())
                    .unwrap_or_default();
                return Outcome::Copy {
                    what: format!("the link {:?}", l.title),
                    text,
                };
            }
            Action::Back if self.running() => {
                return Outcome::PopWith(match self.task_id() {
                    Some(id) => format!(
                        "task {id} keeps running on {}; this portal stopped following it",
                        self.server
                    ),
                    None => format!(
                        "stopped waiting for {}: the task may have started there",
                        self.server
                    ),
                });
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let cut = |s: String| crate::text::truncate(&s, width).into_owned();
        let (state, token) = match &self.phase {
            Phase::Submitting => (format!("submitting to {}…", self.server), Token::Accent),
            Phase::Running(id) => (
                format!("task {id} running on {}", self.server),
                Token::Accent,
            ),
            Phase::Finished(r) if r.succeeded() => (
                format!("task {} completed on {}", r.id, self.server),
                Token::Ok,
            ),
            Phase::Finished(r) => (
                format!(
                    "task {} {} on {}{}",
                    r.id,
                    safe_line(&r.status),
                    self.server,
                    r.error
                        .as_deref()
                        .map(|e| format!(": {}", safe_line(e)))
                        .unwrap_or_default()
                ),
                Token::Error,
            ),
            Phase::Failed { message, .. } => (message.clone(), Token::Error),
        };
        let mut head = vec![
            Line::styled(
                cut(format!("{} — on {}", self.title, self.server)),
                theme.style(Token::Title).add_modifier(Modifier::BOLD),
            ),
            Line::styled(cut(state), theme.style(token)),
        ];
        if self.running() {
            head.push(Line::styled(
                cut(format!(
                    "following for up to {} · Esc/q leave it running on the server",
                    crate::source::cache::human_age(self.timeout)
                )),
                theme.style(Token::Muted),
            ));
        }
        head.push(Line::styled("Steps", theme.style(Token::Title)));
        for s in &self.steps {
            let (mark, token) = match s.state {
                None | Some(StepState::Open) => ("  ·", Token::Muted),
                Some(StepState::Processing) => ("  ▶", Token::Accent),
                Some(StepState::Completed) => ("  ✓", Token::Ok),
                Some(StepState::Failed) => ("  ✗", Token::Error),
                Some(StepState::Skipped) | Some(StepState::Cancelled) => ("  –", Token::Muted),
            };
            let word = s.state.map_or("pending", StepState::word);
            head.push(super::entity::clip(
                vec![
                    Span::styled(format!("{mark} {word:<9}"), theme.style(token)),
                    Span::raw(format!("{} ({})", s.name, s.id)),
                ],
                width,
            ));
        }
        let links = self.links();
        let mut tail: Vec<Line> = Vec::new();
        if let Phase::Finished(r) = &self.phase {
            if !links.is_empty() {
                tail.push(Line::styled(
                    "Output (Tab selects, y copies)",
                    theme.style(Token::Title),
                ));
            }
            for (i, l) in links.iter().enumerate() {
                let to = l.target();
                let style = if i == self.link {
                    theme.style(Token::Selection)
                } else {
                    ratatui::style::Style::default()
                };
                let marker = if i == self.link { "▶ " } else { "  " };
                tail.push(Line::styled(
                    cut(format!(
                        "{marker}{}: {}",
                        safe_line(&l.title),
                        safe_line(to)
                    )),
                    style,
                ));
            }
            for t in &r.output.text {
                tail.push(Line::styled(
                    cut(format!("  {}", safe_line(&t.title))),
                    theme.style(Token::Accent),
                ));
                for l in t.content.lines().take(20) {
                    tail.push(Line::raw(cut(format!("    {}", safe_line(l)))));
                }
            }
        }
        let head_rows = (head.len() as u16).min(area.height / 2);
        let tail_rows = (tail.len() as u16).min(area.height.saturating_sub(head_rows) / 2);
        let [head_area, log_label, log_area, tail_area] = Layout::vertical([
            Constraint::Length(head_rows),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(tail_rows),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(head), head_area);
        let label = match (self.dropped, self.back) {
            (0, 0) => format!("Log ({} lines; Up/Down scroll)", self.log.len()),
            (d, 0) => format!("Log (last {} lines, {d} older dropped)", self.log.len()),
            (_, b) => format!("Log ({b} lines up; End follows)"),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(cut(label), theme.style(Token::Muted))),
            log_label,
        );
        let rows = log_area.height as usize;
        let end = self.log.len().saturating_sub(self.back);
        let start = end.saturating_sub(rows);
        let lines: Vec<Line> = self
            .log
            .range(start..end)
            .map(|l| Line::raw(cut(format!("  {l}"))))
            .collect();
        frame.render_widget(Paragraph::new(lines), log_area);
        frame.render_widget(Paragraph::new(tail), tail_area);
    }
}
