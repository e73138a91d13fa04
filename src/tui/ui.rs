//! Drawing: a pure function of the [`App`]. The focused pane fills the screen above the status
//! bar, panes on the stack get a breadcrumb line, overlays float above.

use super::app::{App, Overlay};
use super::theme::Token;
use super::widgets::status_bar;
use crate::text;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The smallest terminal the portal draws in; below it a message asks for more room.
pub const MIN_SIZE: (u16, u16) = (30, 10);

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(app, area, frame);
        return;
    }
    let [body, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let ctx = app.ctx();
    match app.stack().last() {
        None => app.search().render(&ctx, body, frame),
        Some(view) => {
            let [crumbs, pane] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
            let trail = text::truncate(&app.breadcrumbs(), crumbs.width as usize).into_owned();
            frame.render_widget(
                Paragraph::new(Line::styled(trail, app.theme().style(Token::Muted))),
                crumbs,
            );
            view.render(&ctx, pane, frame);
        }
    }
    status_bar::render(app, status, frame);
    match &app.overlay() {
        Some(Overlay::Help(help)) => help.render(app.keymap(), app.theme(), body, frame),
        Some(Overlay::Palette(palette)) => palette.render(app.theme(), body, frame),
        None => {}
    }
}

fn too_small(app: &App, area: Rect, frame: &mut Frame) {
    let width = area.width as usize;
    let lines: Vec<Line> = [
        "terminal too small".to_string(),
        format!(
            "{}x{}, need {}x{}",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        ),
        "Ctrl-C quits".to_string(),
    ]
    .iter()
    .map(|l| {
        Line::styled(
            text::truncate(l, width).into_owned(),
            app.theme().style(Token::Warning),
        )
    })
    .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
