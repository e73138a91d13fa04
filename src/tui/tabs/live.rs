//! The Live tab: who is on call now, open incidents, and every live signal of the entity (CI,
//! deployments, workloads, quality gate, plugins) with its severity, headline and items, and
//! how old the answers are. Shown when a configured provider applies to the entity.
//!
//! The fetch starts when the entity view opens (so the answer is often there by the time the
//! tab is chosen): the tab asks for a `Task::FetchLive`, whose replies (what the live cache
//! holds first, then the fresh answer) come back as `Reply::Live` and are kept by the app, by
//! entity (`crate::live::Reports`, read through `Ctx::live`: this tab, the Ownership tab's "On
//! call now", the status bar and the search markers all read the same reports). The fetch is
//! cancelled when the view is left: the tab holds the sending end of the request's `closed`
//! channel, and dropping it stops the fetch.

use super::EntityTab;
use crate::catalog::EntityId;
use crate::live::{human_age, Live, Report, Severity, Subject};
use crate::tui::action::Action;
use crate::tui::panes::{Ctx, Outcome};
use crate::tui::task::Task;
use crate::tui::theme::Token;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;
use tokio::sync::oneshot;

/// The live service of a session, as the panes see it (compared by identity).
#[derive(Debug, Clone)]
pub struct LiveHandle(pub Arc<Live>);

impl PartialEq for LiveHandle {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LiveHandle {}

/// A Live tab's fetch, for the executor (`Task::FetchLive`).
#[derive(Debug)]
pub struct LiveRequest {
    /// The session's live service.
    pub live: Arc<Live>,
    /// The entity and what its annotations (and its owners') say.
    pub subject: Subject,
    /// Resolves (with an error) when the tab that asked is gone: the fetch stops.
    pub closed: oneshot::Receiver<()>,
}

impl LiveRequest {
    /// Runs the fetch, handing each report to `reply`: the cached one first (when the cache
    /// holds anything), then the fresh one. Stops early when the tab is closed.
    pub async fn run(self, reply: impl Fn(Report)) {
        let LiveRequest {
            live,
            subject,
            mut closed,
        } = self;
        let cached = live.cached(&subject);
        if !cached.results.is_empty() {
            reply(cached);
        }
        tokio::select! {
            fresh = live.fetch(&subject, false) => reply(fresh),
            _ = &mut closed => tracing::debug!(entity = subject.entity(), "live fetch cancelled"),
        }
    }
}

/// The Live tab's state for one entity.
#[derive(Debug)]
pub struct LiveTab {
    /// The entity's ref, whose report the tab shows.
    entity: String,
    /// The fetch to ask for, until the view takes it.
    request: Option<LiveRequest>,
    /// Dropped with the tab: the fetch stops.
    _cancel: oneshot::Sender<()>,
    scroll: TextScroll,
}

/// Whether live providers apply to an entity (a live service is configured and one of its
/// providers or plugins applies to the entity or, for on-call, its owners).
pub fn applies(ctx: &Ctx, id: EntityId) -> bool {
    ctx.prefs
        .live
        .as_ref()
        .is_some_and(|live| !live.0.providers(&Subject::of(ctx.catalog, id)).is_empty())
}

/// A fetch of `subject`'s live data, and the sender whose drop cancels it (the asker keeps
/// it); `None` without a live service.
pub fn fetch(ctx: &Ctx, subject: Subject) -> Option<(LiveRequest, oneshot::Sender<()>)> {
    let live = Arc::clone(&ctx.prefs.live.as_ref()?.0);
    let (cancel, closed) = oneshot::channel();
    Some((
        LiveRequest {
            live,
            subject,
            closed,
        },
        cancel,
    ))
}

/// The tab applies when a configured provider or plugin applies to the entity.
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    let live = Arc::clone(&ctx.prefs.live.as_ref()?.0);
    let subject = Subject::of(ctx.catalog, id);
    if live.providers(&subject).is_empty() {
        return None;
    }
    let (cancel, closed) = oneshot::channel();
    Some(Box::new(LiveTab {
        entity: subject.entity().to_string(),
        request: Some(LiveRequest {
            live,
            subject,
            closed,
        }),
        _cancel: cancel,
        scroll: TextScroll::default(),
    }))
}

fn severity_token(s: Severity) -> Token {
    match s {
        Severity::Ok => Token::Ok,
        Severity::Warn => Token::Warning,
        Severity::Crit => Token::Error,
        Severity::Unknown => Token::Muted,
    }
}

/// The lines of a report, at `now` (for the age).
pub fn report_lines(ctx: &Ctx, report: Option<&Report>) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let Some(report) = report else {
        return vec![Line::styled(
            "Asking the live providers…",
            t.style(Token::Muted),
        )];
    };
    let mut lines = vec![Line::styled("On call now", t.style(Token::Title))];
    let mut any = false;
    for r in &report.results {
        for o in &r.answer.oncall {
            any = true;
            let mut person = o.name.clone();
            if let Some(e) = o.email.as_ref().filter(|e| **e != o.name) {
                person.push_str(&format!(" <{e}>"));
            }
            let mut rest = String::new();
            if let Some(l) = o.level {
                rest.push_str(&format!(" · level {l}"));
            }
            if let Some(u) = &o.until {
                rest.push_str(&format!(" · until {u}"));
            }
            rest.push_str(&format!(" · {} ({})", o.target, o.provider));
            if let Some(from) = &r.from {
                rest.push_str(&format!(" · from {from}"));
            }
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(safe_line(&person), t.style(Token::Text)),
                Span::raw(" "),
                Span::styled(safe_line(&rest), t.style(Token::Muted)),
            ]));
        }
    }
    if !any {
        lines.push(Line::styled("  nobody known", t.style(Token::Muted)));
    }
    let incidents: Vec<_> = report.incidents().collect();
    if !incidents.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Open incidents", t.style(Token::Title)));
        for i in incidents {
            let style = if i.is_high() {
                Token::Error
            } else {
                Token::Warning
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<5}", i.urgency), t.style(style)),
                Span::raw(safe_line(&format!(
                    "#{} {} · {} · {}",
                    i.id,
                    i.title,
                    i.status,
                    i.created_at.as_deref().unwrap_or("")
                ))),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Signals", t.style(Token::Title)));
    for r in &report.results {
        let s = &r.answer.signal;
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<8}", s.severity.as_str()),
                t.style(severity_token(s.severity)),
            ),
            Span::styled(format!("{:<11} ", s.provider), t.style(Token::Text)),
            Span::raw(safe_line(&s.headline)),
            Span::styled(format!("  ({})", r.via), t.style(Token::Muted)),
        ]));
        for i in &s.items {
            let mut text = i.title.clone();
            if !i.detail.is_empty() {
                text.push_str(&format!(": {}", i.detail));
            }
            if let Some(u) = &i.url {
                text.push_str(&format!(" · {u}"));
            }
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(12)),
                Span::styled(safe_line(&text), t.style(Token::Muted)),
            ]));
        }
    }
    if let Some(age) = report.age(ctx.now) {
        let stale = if report.stale() { " (stale)" } else { "" };
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("fetched {} ago{stale}", human_age(age)),
            t.style(if report.stale() {
                Token::Warning
            } else {
                Token::Muted
            }),
        ));
    }
    lines
}

impl EntityTab for LiveTab {
    fn title(&self) -> &str {
        "Live"
    }

    fn take_tasks(&mut self, _area_width: u16, _on_screen: bool) -> Vec<Task> {
        // Asked for at once, on screen or not: the answer is often in when the tab is chosen.
        self.request
            .take()
            .map(|r| Task::FetchLive(Box::new(r)))
            .into_iter()
            .collect()
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
        let lines = report_lines(ctx, ctx.live.get(&self.entity));
        let start = self.scroll.start(lines.len(), area.height as usize);
        let visible: Vec<Line> = lines
            .into_iter()
            .skip(start)
            .take(area.height as usize)
            .collect();
        frame.render_widget(Paragraph::new(visible), area);
    }
}
