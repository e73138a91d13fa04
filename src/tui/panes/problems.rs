//! The problems pane: every catalog problem as `path:line severity message ref`, errors first.
//! Enter on a problem that names an entity in the catalog opens it.

use super::{Ctx, Outcome, View};
use crate::catalog::{Problem, Severity};
use crate::text;
use crate::tui::action::Action;
use crate::tui::editing::EditRequest;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::wrap::{safe_line, wrap};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The problems pane's state: the `/` filter and the selection; the list is read from the
/// catalog.
#[derive(Debug, Default)]
pub struct ProblemsView {
    list: FilteredList,
    /// The selected problem has a local file, so `e` opens it (help lists `e` only then).
    editable: bool,
}

impl ProblemsView {
    /// A problems pane with the first problem selected.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The catalog's problems, errors before warnings, each group in load order.
pub fn sorted<'a>(ctx: &Ctx<'a>) -> Vec<&'a Problem> {
    let mut problems: Vec<&Problem> = ctx.catalog.problems().collect();
    problems.sort_by_key(|p| p.severity != Severity::Error);
    problems
}

/// What the `/` filter matches a problem on: where, severity, message and entity.
fn problem_text(p: &Problem) -> String {
    let mut out = format!("{} {} {}", at_of(p), p.severity, p.message);
    if let Some(r) = &p.entity {
        out.push_str(&format!(" {r}"));
    }
    out
}

/// Where a problem is, as `path:line`, or `-` when unknown.
fn at_of(p: &Problem) -> String {
    p.origin
        .as_ref()
        .map(|o| safe_line(&o.to_string()))
        .unwrap_or_else(|| "-".into())
}

impl View for ProblemsView {
    fn title(&self, _ctx: &Ctx) -> String {
        "Problems".into()
    }

    fn mode(&self) -> Mode {
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        let edit: &[&'static str] = if self.editable { &["edit"] } else { &[] };
        super::PaneKeys::moves_and(&["open", "filter"]).and(edit)
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let problems = sorted(ctx);
        let text_of = |i: usize| problems.get(i).map(|p| problem_text(p)).unwrap_or_default();
        if self.list.total() != problems.len() {
            // The catalog changed since the rows were filtered (a reload, a first key).
            self.list.set_rows(problems.len(), text_of);
        }
        let used = self.list.handle(action, ctx.page, text_of);
        self.editable = self
            .list
            .selected_row()
            .and_then(|i| problems.get(i))
            .and_then(|p| p.origin.as_ref())
            .is_some_and(|o| EditRequest::for_origin(o, "").is_ok());
        if used {
            return Outcome::Consumed;
        }
        match action {
            Action::Open => {
                let Some(p) = self.list.selected_row().and_then(|i| problems.get(i)) else {
                    return Outcome::Status("no problem selected".into());
                };
                match p.entity.as_ref().map(|r| (r, ctx.catalog.id_of(r))) {
                    Some((_, Some(id))) => Outcome::OpenEntity(id),
                    Some((r, None)) => Outcome::Status(format!("{r} was not loaded")),
                    None => Outcome::Status("this problem names no entity".into()),
                }
            }
            // `e`: the problem's file, at its line.
            Action::Edit => {
                let Some(p) = self.list.selected_row().and_then(|i| problems.get(i)) else {
                    return Outcome::Status("no problem selected".into());
                };
                let what = p
                    .entity
                    .as_ref()
                    .map_or_else(|| "this problem".to_string(), |r| r.to_string());
                match &p.origin {
                    Some(origin) => match EditRequest::for_origin(origin, &what) {
                        Ok(request) => Outcome::Edit(request),
                        Err(why) => Outcome::Status(why),
                    },
                    None => Outcome::Status("this problem has no file".into()),
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let problems = sorted(ctx);
        let errors = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        // The selected problem in full below the list, when there is room for it.
        let detail_rows = if area.height >= 16 { 4 } else { 0 };
        let [head, list, foot, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
            Constraint::Length(detail_rows),
        ])
        .areas(area);
        // Before the first key the filter has not seen the rows: every problem is shown.
        let unfiltered = FilteredList::new(problems.len());
        let rows = if self.list.total() == problems.len() {
            &self.list
        } else {
            &unfiltered
        };
        if let Some(line) = rows.footer(theme, area.width as usize) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let summary = format!(
            "{} problem(s): {errors} error(s), {} warning(s)",
            problems.len(),
            problems.len() - errors
        );
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(&summary, area.width as usize).into_owned(),
                theme.style(Token::Title),
            )),
            head,
        );
        if problems.is_empty() {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "✓ the catalog has no problems",
                    theme.style(Token::Ok),
                )),
                list,
            );
            return;
        }
        let width = area.width as usize;
        let Some(selected) = rows.selected_row() else {
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "  (no problem matches the filter · Esc clears it)",
                    theme.style(Token::Muted),
                )),
                list,
            );
            return;
        };
        let lines: Vec<Line> = rows
            .visible_in(list)
            .into_iter()
            .filter_map(|i| Some((i, *problems.get(i)?)))
            .map(|(i, p)| {
                let (base, marker) = theme.row_start(i == selected);
                let (sev, sev_style) = match p.severity {
                    Severity::Error => ("error  ", theme.style(Token::Error)),
                    Severity::Warning => ("warning", theme.style(Token::Warning)),
                };
                let at = at_of(p);
                let mut message = safe_line(&p.message);
                if let Some(r) = &p.entity {
                    message.push_str(&format!("  [{r}]"));
                }
                let spans = vec![
                    marker,
                    Span::styled(
                        format!("{at} "),
                        theme.on_row(base, theme.style(Token::Muted)),
                    ),
                    Span::styled(sev, theme.on_row(base, sev_style)),
                    Span::styled(format!(" {message}"), base),
                ];
                super::entity::clip(spans, width)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), list);
        if let Some(p) = problems.get(selected).filter(|_| detail.height > 0) {
            let mut full = format!("{} {}: {}", p.severity, at_of(p), p.message);
            if let Some(r) = &p.entity {
                full.push_str(&format!(" [{r}]"));
            }
            let mut detail_lines =
                vec![Line::styled("─".repeat(width), theme.style(Token::Border))];
            detail_lines.extend(
                wrap(&full, width)
                    .into_iter()
                    .take(detail.height as usize - 1)
                    .map(Line::raw),
            );
            frame.render_widget(Paragraph::new(detail_lines), detail);
        }
    }
}
