//! The Sources pane (palette `sources`): each source with its state, entity count, last refresh
//! or cache age, location and error. `R` refreshes them all; palette `refresh NAME` one.

use super::{Ctx, Outcome, View};
use crate::source::cache::human_age;
use crate::source::{SourceState, SourceStatus};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::wrap::{safe_line, wrap};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::time::{Duration, SystemTime};

/// The Sources pane: a snapshot of the statuses, kept current by the app.
#[derive(Debug)]
pub struct SourcesView {
    statuses: Vec<SourceStatus>,
    /// The `/` filter and the selection.
    list: FilteredList,
}

impl SourcesView {
    /// A pane over these statuses, the first selected.
    pub fn new(statuses: Vec<SourceStatus>) -> Self {
        let list = FilteredList::new(statuses.len());
        Self { statuses, list }
    }

    /// The selected source's name.
    pub fn selected_name(&self) -> Option<&str> {
        self.selected().map(|s| s.name.as_str())
    }

    fn selected(&self) -> Option<&SourceStatus> {
        self.list.selected_row().and_then(|i| self.statuses.get(i))
    }
}

/// What the `/` filter matches a source on: name, kind, state, location and error.
fn source_text(s: &SourceStatus) -> String {
    format!(
        "{} {} {} {} {}",
        s.name,
        s.kind,
        state_text(s).0,
        s.location,
        s.error.as_deref().unwrap_or_default()
    )
}

/// When the source's data is from: `refreshed 4 min ago`, `cached, 3 h old`, `never`.
fn freshness(s: &SourceStatus, now: SystemTime) -> String {
    let ago = |t: SystemTime| human_age(now.duration_since(t).unwrap_or(Duration::ZERO));
    match (s.cached_at, s.last_refresh) {
        (Some(t), _) => format!("cached, {} old", ago(t)),
        (None, Some(t)) => format!("refreshed {} ago", ago(t)),
        (None, None) => "not loaded yet".into(),
    }
}

fn state_text(s: &SourceStatus) -> (&'static str, String) {
    match s.state {
        SourceState::Loading => (
            "loading",
            match s.progress {
                Some((done, Some(total))) if total > 0 => format!(" {done}/{total}"),
                Some((done, _)) if done > 0 => format!(" {done}"),
                _ => String::new(),
            },
        ),
        SourceState::Ready => ("ready", String::new()),
        SourceState::Failed => ("failed", String::new()),
    }
}

impl View for SourcesView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Sources".into()
    }

    fn mode(&self) -> Mode {
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        super::PaneKeys::moves_and(&["filter"])
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::SourcesChanged(statuses) = action {
            self.statuses = statuses.clone();
            let statuses = &self.statuses;
            self.list
                .set_rows(statuses.len(), |i| source_text(&statuses[i]));
            return Outcome::Consumed;
        }
        let statuses = &self.statuses;
        if self
            .list
            .handle(action, ctx.page, |i| source_text(&statuses[i]))
        {
            return Outcome::Consumed;
        }
        Outcome::Ignored
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let now = ctx.now;
        let width = area.width as usize;
        let detail_rows = if area.height >= 12 { 5 } else { 0 };
        let [head, list, foot, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
            Constraint::Length(detail_rows),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let failed = self
            .statuses
            .iter()
            .filter(|s| s.state == SourceState::Failed)
            .count();
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    "{} source(s), {failed} failed — R refreshes all",
                    self.statuses.len()
                ),
                theme.style(Token::Title),
            )),
            head,
        );
        if self.statuses.is_empty() {
            return;
        }
        let Some(selected) = self.list.selected_row() else {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "  (no source matches the filter · Esc clears it)",
                    theme.style(Token::Muted),
                )),
                list,
            );
            return;
        };
        let lines: Vec<Line> = self
            .list
            .visible_in(list)
            .into_iter()
            .filter_map(|i| Some((i, self.statuses.get(i)?)))
            .map(|(i, s)| {
                let (base, marker) = theme.row_start(i == selected);
                let (state, progress) = state_text(s);
                let state_style = match s.state {
                    SourceState::Loading => theme.style(Token::Accent),
                    SourceState::Ready => theme.style(Token::Ok),
                    SourceState::Failed => theme.style(Token::Error),
                };
                let mut spans = vec![
                    marker,
                    Span::styled(format!("{:<16} ", safe_line(&s.name)), base),
                    Span::styled(
                        format!("{:<10}", s.kind),
                        theme.on_row(base, theme.style(Token::Muted)),
                    ),
                    Span::styled(
                        format!("{state}{progress}"),
                        theme.on_row(base, state_style),
                    ),
                    Span::styled(format!("  {} entities", s.entities), base),
                    Span::styled(
                        format!("  {}", freshness(s, now)),
                        theme.on_row(base, theme.style(Token::Muted)),
                    ),
                ];
                if let Some(e) = &s.error {
                    spans.push(Span::styled(
                        format!("  {}", safe_line(e)),
                        theme.on_row(base, theme.style(Token::Error)),
                    ));
                }
                super::entity::clip(spans, width)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
        if let Some(s) = self.statuses.get(selected).filter(|_| detail.height > 0) {
            let mut full = format!("{} ({}): {}", s.name, s.kind, s.location);
            if let Some(e) = &s.error {
                full.push_str(&format!(" — {e}"));
            }
            let mut lines = vec![Line::styled("─".repeat(width), theme.style(Token::Border))];
            lines.extend(
                wrap(&safe_line(&full), width)
                    .into_iter()
                    .take(detail.height as usize - 1)
                    .map(Line::raw),
            );
            frame.render_widget(Paragraph::new(lines), detail);
        }
    }
}
