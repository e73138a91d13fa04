//! The API tab: an API entity's definition. OpenAPI: title, version, servers and the
//! operations; Up/Down select an operation and Enter expands it to its parameters, request body
//! and responses (a click selects an operation, a double click opens it). AsyncAPI, GraphQL and
//! gRPC: the table of contents, then the definition.
//! A definition that does not parse is shown as written, under its parse error.

use super::EntityTab;
use crate::catalog::EntityId;
use crate::openapi::{self, ApiView, MediaType, Operation, SchemaLine};
use crate::text;
use crate::tui::action::Action;
use crate::tui::panes::{Ctx, Outcome};
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::hyperlink;
use crate::tui::widgets::list::move_selection;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::{code_line, safe_line, wrap};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::cell::RefCell;
use std::collections::BTreeSet;

/// The API tab's state for one API entity.
pub struct ApiTab {
    view: ApiView,
    /// The selected operation (OpenAPI).
    selected: usize,
    /// The text's scroll when there is no operation to select (other formats).
    scroll: TextScroll,
    /// Operations opened with Enter.
    expanded: BTreeSet<usize>,
    /// Where the last draw put the text: the area its lines took, the first line shown and
    /// each operation's line, so a click finds the operation under it.
    drawn: RefCell<(Rect, usize, Vec<usize>)>,
    /// The first line to show after a click (the view stays put under the pointer, so the
    /// second click of a double click lands on the same operation); keys recentre it.
    pinned: Option<usize>,
}

/// The API tab applies to API entities.
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    let entity = ctx.catalog.get(id);
    (entity.kind_lower() == "api").then(|| {
        let mut view = openapi::view(entity);
        if let ApiView::Outline {
            title: title @ None,
            ..
        } = &mut view
        {
            *title = Some(entity.display_name().to_string());
        }
        Box::new(ApiTab {
            view,
            selected: 0,
            scroll: TextScroll::default(),
            expanded: BTreeSet::new(),
            drawn: RefCell::default(),
            pinned: None,
        }) as Box<dyn EntityTab>
    })
}

fn operations(view: &ApiView) -> Vec<&Operation> {
    match view {
        ApiView::OpenApi(api) => api.operations.iter().chain(&api.webhooks).collect(),
        _ => Vec::new(),
    }
}

fn method_style(theme: &Theme, method: &str) -> Style {
    match method {
        "GET" => theme.style(Token::Ok),
        "DELETE" => theme.style(Token::Error),
        "POST" | "PUT" | "PATCH" => theme.style(Token::Warning),
        _ => theme.style(Token::Accent),
    }
}

fn schema_lines(out: &mut Vec<Line<'static>>, lines: &[SchemaLine], indent: usize, width: usize) {
    for l in lines {
        let line = format!(
            "{}{}",
            " ".repeat(indent + 2 * l.depth.min(12)),
            safe_line(&l.text)
        );
        out.push(Line::raw(text::truncate(&line, width).into_owned()));
    }
}

fn media(
    out: &mut Vec<Line<'static>>,
    theme: &Theme,
    content: &[MediaType],
    indent: usize,
    width: usize,
) {
    for m in content {
        out.push(Line::styled(
            format!("{}{}", " ".repeat(indent), safe_line(&m.media_type)),
            theme.style(Token::Muted),
        ));
        schema_lines(out, &m.schema, indent + 2, width);
    }
}

fn details(out: &mut Vec<Line<'static>>, theme: &Theme, op: &Operation, width: usize) {
    let label = |s: &'static str| Line::styled(format!("      {s}"), theme.style(Token::Title));
    if let Some(d) = &op.description {
        for l in wrap(d, width.saturating_sub(6)) {
            out.push(Line::raw(format!("      {l}")));
        }
    }
    if !op.parameters.is_empty() {
        out.push(label("Parameters"));
        for p in &op.parameters {
            let ty = p.schema.first().map(|s| s.text.as_str()).unwrap_or("");
            let req = if p.required { " required" } else { "" };
            let line = format!("        {} ({}) {ty}{req}", safe_line(&p.name), p.location);
            out.push(Line::raw(text::truncate(&line, width).into_owned()));
        }
    }
    if let Some(body) = &op.request_body {
        out.push(label(if body.required {
            "Request body (required)"
        } else {
            "Request body"
        }));
        media(out, theme, &body.content, 8, width);
    }
    if !op.responses.is_empty() {
        out.push(label("Responses"));
        for r in &op.responses {
            let desc = r.description.as_deref().map(safe_line).unwrap_or_default();
            let line = format!("        {} {desc}", safe_line(&r.status));
            out.push(Line::raw(text::truncate(&line, width).into_owned()));
            media(out, theme, &r.content, 10, width);
        }
    }
}

impl ApiTab {
    /// The tab's lines at a width, and the line of each operation.
    fn layout(&self, theme: &Theme, width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
        let mut out: Vec<Line<'static>> = Vec::new();
        let mut positions = Vec::new();
        match &self.view {
            ApiView::OpenApi(api) => {
                out.push(Line::styled(
                    text::truncate(
                        &format!(
                            "{} {}  (OpenAPI {})",
                            safe_line(&api.title),
                            api.version,
                            api.spec_version
                        ),
                        width,
                    )
                    .into_owned(),
                    theme.style(Token::Title),
                ));
                for s in &api.servers {
                    out.push(Line::styled(
                        text::truncate(&format!("server {}", safe_line(s)), width).into_owned(),
                        theme.style(Token::Muted),
                    ));
                }
                out.push(Line::raw(""));
                if api.operations.is_empty() && api.webhooks.is_empty() {
                    out.push(Line::styled("(no operations)", theme.style(Token::Muted)));
                }
                let path_width = operations(&self.view)
                    .iter()
                    .map(|o| text::width(&o.path))
                    .max()
                    .unwrap_or(0)
                    .min(width / 2);
                for (i, op) in operations(&self.view).into_iter().enumerate() {
                    let selected = i == self.selected;
                    let base = if selected {
                        theme.style(Token::Selection)
                    } else {
                        Style::default()
                    };
                    let open = match (selected, self.expanded.contains(&i)) {
                        (true, true) => "▶▾ ",
                        (true, false) => "▶▸ ",
                        (false, true) => " ▾ ",
                        (false, false) => " ▸ ",
                    };
                    let path = crate::tui::panes::search::fit(&safe_line(&op.path), path_width);
                    let summary = op.summary.as_deref().map(safe_line).unwrap_or_default();
                    let deprecated = if op.deprecated { " (deprecated)" } else { "" };
                    let rest = format!(" {path}  {summary}{deprecated}");
                    positions.push(out.len());
                    out.push(Line::from(vec![
                        Span::styled(open, theme.on_row(base, theme.style(Token::Muted))),
                        Span::styled(
                            format!("{:<7}", op.method),
                            theme.on_row(base, method_style(theme, &op.method)),
                        ),
                        Span::styled(
                            text::truncate(&rest, width.saturating_sub(10)).into_owned(),
                            theme.on_row(base, theme.style(Token::Text)),
                        ),
                    ]));
                    if self.expanded.contains(&i) {
                        details(&mut out, theme, op, width);
                    }
                }
            }
            ApiView::Outline {
                format,
                title,
                version,
                toc,
                raw,
            } => {
                let head = [title.clone(), version.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(Line::styled(
                    format!("{} ({format})", safe_line(&head))
                        .trim()
                        .to_string(),
                    theme.style(Token::Title),
                ));
                for e in toc {
                    let detail = e
                        .detail
                        .as_deref()
                        .map(|d| format!("  {}", safe_line(d)))
                        .unwrap_or_default();
                    let line = format!(
                        "{}{} {}{detail}",
                        "  ".repeat(e.depth + 1),
                        e.kind,
                        safe_line(&e.name)
                    );
                    out.push(Line::raw(text::truncate(&line, width).into_owned()));
                }
                out.push(Line::raw(""));
                for l in raw.lines() {
                    out.push(Line::styled(
                        text::truncate(&code_line(l), width).into_owned(),
                        theme.style(Token::Muted),
                    ));
                }
            }
            ApiView::Raw { format, raw, error } => {
                if let Some(e) = error {
                    for l in wrap(
                        &format!("The {format} definition could not be read: {e}"),
                        width,
                    ) {
                        out.push(Line::styled(l, theme.style(Token::Error)));
                    }
                    out.push(Line::raw(""));
                }
                for l in raw.lines() {
                    out.push(Line::raw(text::truncate(&code_line(l), width).into_owned()));
                }
            }
            ApiView::Remote { url } => {
                out.push(Line::raw(format!("definition at {}", safe_line(url))));
            }
            ApiView::Missing => {
                out.push(Line::styled(
                    "This API has no spec.definition.",
                    theme.style(Token::Muted),
                ));
            }
        }
        (out, positions)
    }
}

impl EntityTab for ApiTab {
    fn title(&self) -> &str {
        "API"
    }

    fn keys(&self) -> crate::tui::panes::PaneKeys {
        // Enter opens an operation; an outline has none.
        let open: &[&'static str] = if operations(&self.view).is_empty() {
            &[]
        } else {
            &["open"]
        };
        crate::tui::panes::PaneKeys::moves_and(open)
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let n = operations(&self.view).len();
        if n == 0 {
            // Nothing to select: movement scrolls (clamped at both ends when drawn).
            return if self.scroll.handle(action, ctx.page) {
                Outcome::Consumed
            } else {
                Outcome::Ignored
            };
        }
        if let Action::Mouse(crate::tui::action::Mouse::Click { row, .. }) = action {
            let (area, start, positions) = &*self.drawn.borrow();
            let line =
                (*row >= area.y && *row < area.bottom()).then(|| start + usize::from(row - area.y));
            // The operation whose lines hold the clicked one.
            let hit = line.and_then(|line| positions.iter().rposition(|&p| p <= line));
            return match hit {
                Some(op) => {
                    self.selected = op;
                    self.pinned = Some(*start);
                    Outcome::Consumed
                }
                None => Outcome::Ignored,
            };
        }
        if move_selection(&mut self.selected, n, action, ctx.page) {
            self.pinned = None;
            return Outcome::Consumed;
        }
        if matches!(action, Action::Open) {
            if !self.expanded.remove(&self.selected) {
                self.expanded.insert(self.selected);
            }
            return Outcome::Consumed;
        }
        Outcome::Ignored
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let (lines, positions) = self.layout(ctx.theme, area.width as usize);
        let height = area.height as usize;
        let max_start = lines.len().saturating_sub(height);
        let start = match (positions.get(self.selected), self.pinned) {
            (Some(_), Some(pinned)) => pinned.min(max_start),
            (Some(&line), None) => line
                .saturating_sub(height.saturating_sub(1) / 2)
                .min(max_start),
            (None, _) => self.scroll.start(lines.len(), height),
        };
        let visible: Vec<Line> = lines.into_iter().skip(start).take(height).collect();
        // Only the lines drawn can be clicked: below the text is no operation.
        let text = Rect {
            height: u16::try_from(visible.len()).unwrap_or(area.height),
            ..area
        };
        *self.drawn.borrow_mut() = (text, start, positions);
        frame.render_widget(Paragraph::new(visible), area);
        if let ApiView::OpenApi(api) = &self.view {
            let servers: Vec<(String, &str)> = api
                .servers
                .iter()
                .filter_map(|s| hyperlink::safe_url(s))
                .map(|u| (safe_line(u), u))
                .collect();
            hyperlink::link_all(
                frame.buffer_mut(),
                area,
                ctx.prefs.hyperlinks,
                servers.iter().map(|(shown, url)| (shown.as_str(), *url)),
            );
        }
    }
}
