//! The output of a custom action run in the background: its command, exit code, and what it
//! printed (cleaned), scrollable. Esc closes it.

use super::{Ctx, Outcome, View};
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::theme::Token;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::wrap;
use crate::user_commands::{CommandOutput, PreparedCommand};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// One finished background action.
pub struct OutputView {
    title: String,
    command: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    scroll: TextScroll,
}

impl OutputView {
    /// The view of a finished action.
    pub fn new(plan: &PreparedCommand, finished: CommandOutput) -> Self {
        Self {
            title: plan.title.clone(),
            command: crate::text::one_line(&plan.shell_line()),
            code: finished.code,
            stdout: finished.stdout,
            stderr: finished.stderr,
            scroll: TextScroll::default(),
        }
    }
}

impl View for OutputView {
    fn title(&self, _ctx: &Ctx) -> String {
        self.title.clone()
    }

    fn mode(&self) -> Mode {
        Mode::List
    }

    fn keys(&self) -> super::PaneKeys {
        super::PaneKeys::moves_and(&[])
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if self.scroll.handle(action, ctx.page) {
            return Outcome::Consumed;
        }
        Outcome::Ignored
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let code = match self.code {
            Some(0) => ("exit 0".to_string(), Token::Ok),
            Some(c) => (format!("exit {c}"), Token::Error),
            None => ("killed by a signal".to_string(), Token::Error),
        };
        let mut lines = vec![
            Line::styled(
                crate::text::truncate(&format!("{}  ({})", self.title, code.0), width).into_owned(),
                theme.style(code.1),
            ),
            Line::styled(
                crate::text::truncate(&format!("$ {}", self.command), width).into_owned(),
                theme.style(Token::Muted),
            ),
            Line::raw(""),
        ];
        lines.extend(wrap(&self.stdout, width).into_iter().map(Line::raw));
        if !self.stderr.is_empty() {
            lines.extend(
                wrap(&self.stderr, width)
                    .into_iter()
                    .map(|l| Line::styled(l, theme.style(Token::Warning))),
            );
        }
        let height = area.height as usize;
        let start = self.scroll.start(lines.len(), height);
        let visible: Vec<Line> = lines.into_iter().skip(start).take(height).collect();
        frame.render_widget(Paragraph::new(visible), area);
    }
}
