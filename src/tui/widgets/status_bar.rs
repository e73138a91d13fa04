//! The status bar: a message or key hints on the left; entity count, problem count and each
//! source's state on the right. Problem counts carry text as well as colour.

use crate::catalog::Severity;
use crate::source::SourceState;
use crate::text;
use crate::tui::app::App;
use crate::tui::panes::entity::clip;
use crate::tui::theme::Token;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Spinner frames while a source loads.
const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The right-hand side: counts and source states.
pub fn summary(app: &App) -> Vec<Span<'static>> {
    let theme = app.theme();
    let errors = app
        .catalog()
        .problems()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = app.catalog().problem_count() - errors;
    let mut spans = vec![Span::styled(
        format!("{} entities", app.catalog().len()),
        theme.style(Token::Text),
    )];
    let sep = || Span::styled(" │ ", theme.style(Token::Border));
    spans.push(sep());
    if errors + warnings == 0 {
        spans.push(Span::styled("✓ no problems", theme.style(Token::Ok)));
    } else {
        if errors > 0 {
            spans.push(Span::styled(
                format!("✗ {errors} error{}", plural(errors)),
                theme.style(Token::Error),
            ));
        }
        if warnings > 0 {
            if errors > 0 {
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(
                format!("! {warnings} warning{}", plural(warnings)),
                theme.style(Token::Warning),
            ));
        }
    }
    let now = app.clock().now();
    for s in app.sources().statuses() {
        spans.push(sep());
        let name = crate::tui::widgets::wrap::safe_line(&s.name);
        let (text, style) = match s.state {
            SourceState::Loading if s.cached_at.is_none() => {
                let frame = SPINNER[app.spinner() % SPINNER.len()];
                let progress = match s.progress {
                    Some((done, Some(t))) => format!(" {done}/{t}"),
                    _ => String::new(),
                };
                (
                    format!("{frame} {name}{progress}"),
                    theme.style(Token::Accent),
                )
            }
            SourceState::Loading => {
                // "prod: cached, 3 h old — refreshing"
                let frame = SPINNER[app.spinner() % SPINNER.len()];
                (
                    format!("{frame} {name}: {}", s.summary(now)),
                    theme.style(Token::Accent),
                )
            }
            SourceState::Ready if s.cached_at.is_some() => (
                format!("{name}: {}", s.summary(now)),
                theme.style(Token::Warning),
            ),
            SourceState::Ready => (format!("{name} ✓"), theme.style(Token::Ok)),
            SourceState::Failed => (
                format!(
                    "{name} ✗ {}",
                    crate::tui::widgets::wrap::safe_line(&s.summary(now))
                ),
                theme.style(Token::Error),
            ),
        };
        spans.push(Span::styled(text, style));
    }
    if let Some((text, token)) = live_age(app) {
        spans.push(sep());
        spans.push(Span::styled(text, theme.style(token)));
    }
    spans
}

/// The age of the live data of the entity on screen: `live 12s ago`, or `live 3m old (stale)`
/// when it came from the cache after a failure; `None` without live data for it.
fn live_age(app: &App) -> Option<(String, Token)> {
    let id = app.current_entity()?;
    let report = app
        .live_reports()
        .get(&app.catalog().get(id).entity_ref().to_string())?;
    let age = crate::live::human_age(report.age(app.clock().now())?);
    Some(if report.stale() {
        (format!("live {age} old (stale)"), Token::Warning)
    } else {
        (format!("live {age} ago"), Token::Muted)
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Draws the status bar in one row.
pub fn render(app: &App, area: Rect, frame: &mut Frame) {
    let theme = app.theme();
    let width = area.width as usize;
    let right = summary(app);
    let right_width: usize = right.iter().map(|s| text::width(&s.content)).sum();
    // The summary keeps at most two thirds of the bar; the left side gets the rest. On a
    // narrow terminal the hints give way entirely (a message still shows).
    let right_room = if width < 60 && app.status().is_none() {
        right_width.min(width)
    } else {
        right_width.min(width * 2 / 3)
    };
    let left_room = width.saturating_sub(right_room + 1);
    let left: Vec<Span> = match &app.status() {
        Some(s) => vec![Span::styled(
            s.text.clone(),
            theme.style(if s.error { Token::Error } else { Token::Accent }),
        )],
        None if width < 60 => Vec::new(),
        None => {
            let mut spans = Vec::new();
            for (i, (key, desc)) in app
                .keymap()
                .hints_for(app.mode(), &app.focused_keys())
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    spans.push(Span::styled("  ", theme.style(Token::Muted)));
                }
                spans.push(Span::styled(key, theme.style(Token::Key)));
                spans.push(Span::styled(format!(" {desc}"), theme.style(Token::Muted)));
            }
            spans
        }
    };
    let left = clip(left, left_room);
    let right = clip(right, right_room);
    let pad = width.saturating_sub(left.width() + right.width());
    let mut spans = left.spans;
    spans.push(Span::raw(" ".repeat(pad)));
    spans.extend(right.spans);
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.style(Token::StatusBar)),
        area,
    );
    if let (true, Some(status)) = (app.prefs().hyperlinks, &app.status()) {
        // A URL the message names (an opened or copied link) can be clicked.
        let urls: Vec<&str> = status
            .text
            .split_whitespace()
            .filter_map(crate::tui::widgets::hyperlink::safe_url)
            .collect();
        crate::tui::widgets::hyperlink::link_all(
            frame.buffer_mut(),
            area,
            true,
            urls.iter().map(|u| (*u, *u)),
        );
    }
}
