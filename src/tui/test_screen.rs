//! The app drawn and driven for tests, as the event loop would: the size set through
//! `update`, the docs pages it asks for read at once, one frame on a `TestBackend`, and the
//! cells as text. Shared by the test files that look at the screen.

use super::action::Action;
use super::app::{update, App};
use super::task::Task;
use super::ui;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// Carries out the docs page reads among `tasks` the way the event loop does (here, at once),
/// and what follows from them; other tasks are dropped.
pub(crate) fn settle(app: &mut App, tasks: impl IntoIterator<Item = Task>) {
    for task in tasks {
        if let Task::ReadDocsPage(request) = task {
            let next = update(
                app,
                Action::Reply(crate::tui::reply::Reply::DocsPage(request.run())),
            );
            settle(app, next);
        }
    }
}

/// Presses `code` (no modifiers) and settles what it asks for.
pub(crate) fn press(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        let tasks = update(app, action);
        settle(app, tasks);
    }
}

/// One frame of the app at `width` x `height` (the size told to `update` first).
pub(crate) fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    let tasks = update(app, Action::Resize(width, height));
    settle(app, tasks);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    terminal
}

/// The characters on a terminal's screen, its rows joined by newlines.
pub(crate) fn text_of(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    buffer
        .content()
        .chunks(usize::from(buffer.area.width).max(1))
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The screen as a user sees it at `width` x `height`.
pub(crate) fn screen(app: &mut App, width: u16, height: u16) -> String {
    text_of(&draw(app, width, height))
}

/// What help (F1) lists for the pane on screen, one `keys description` line a row; help is
/// closed again after.
pub(crate) fn help_rows(app: &mut App) -> Vec<String> {
    press(app, KeyCode::F(1));
    let rows = match &app.overlay() {
        Some(super::app::Overlay::Help(help)) => help
            .rows(app.keymap())
            .into_iter()
            .map(|(keys, what)| format!("{} {what}", keys.join(", ")))
            .collect(),
        _ => panic!("F1 opens help"),
    };
    press(app, KeyCode::Esc);
    rows
}

/// Carries out tasks as the executor would, until none is left: `run` carries one out and
/// returns the tasks that follow from it, or hands it back (`Err`) to be returned.
pub(crate) fn run_tasks(
    app: &mut App,
    mut tasks: Vec<Task>,
    mut run: impl FnMut(&mut App, Task) -> Result<Vec<Task>, Box<Task>>,
) -> Vec<Task> {
    let mut rest = Vec::new();
    while !tasks.is_empty() {
        let mut next = Vec::new();
        for task in tasks {
            match run(app, task) {
                Ok(more) => next.extend(more),
                Err(task) => rest.push(*task),
            }
        }
        tasks = next;
    }
    rest
}
