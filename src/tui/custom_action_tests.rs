//! Custom actions in the portal: keys run them on the entity view, `confirm` asks first, the
//! help overlay and the palette list them, and a background action's output opens in a pane.

use super::action::Action;
use super::app::{update, App};
use super::state_tests::{demo, type_text};
use super::task::Task;
use super::ui;
use crate::actions::{ActionConfig, Finished, Mode as RunMode};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn action(key: &str, title: &str, command: &str, mode: RunMode) -> ActionConfig {
    ActionConfig {
        key: Some(key.into()),
        title: title.into(),
        kinds: vec!["component".into()],
        when: Some(r#"metadata.annotations["pagerduty.com/service-id"]"#.into()),
        command: command.into(),
        mode,
        confirm: false.into(),
        inputs: None,
    }
}

fn app_on(name: &str) -> App {
    let mut app = App::loaded(demo());
    let mut commands = vec![
        action(
            "L",
            "Tail logs",
            "printf '%s\\n' ${{ metadata.name }}",
            RunMode::Background,
        ),
        action(
            "X",
            "Restart",
            "kubectl rollout restart deploy/${{ metadata.name }}",
            RunMode::Terminal,
        ),
    ];
    commands[1].confirm = true.into();
    app.set_user_commands(commands);
    type_text(&mut app, name);
    key(&mut app, KeyCode::Enter);
    app
}

fn key(app: &mut App, code: KeyCode) -> Option<Task> {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event)?;
    update(app, action).into_iter().next()
}

fn backend(app: &mut App, width: u16, height: u16) -> TestBackend {
    update(app, Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    terminal.backend().clone()
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    update(app, Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..height {
        for x in 0..width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn an_action_key_on_the_entity_view_runs_it_with_the_entity() {
    let mut app = app_on("ledger-writer");
    match key(&mut app, KeyCode::Char('L')) {
        Some(Task::RunCommand(plan)) => {
            assert_eq!(plan.argv, ["printf", "%s\\n", "ledger-writer"]);
            assert_eq!(plan.mode, RunMode::Background);
        }
        other => panic!("expected a run, got {other:?}"),
    }
}

#[test]
fn an_action_that_does_not_apply_says_so_and_runs_nothing() {
    // A library: no pagerduty annotation, so `when` hides the action.
    let mut app = app_on("telemetry-go");
    assert!(key(&mut app, KeyCode::Char('L')).is_none());
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("does not apply"), "{s}");
}

#[test]
fn a_confirmed_action_runs_on_the_second_press_only() {
    let mut app = app_on("ledger-writer");
    assert!(key(&mut app, KeyCode::Char('X')).is_none());
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("press X again"), "{s}");
    assert!(matches!(
        key(&mut app, KeyCode::Char('X')),
        Some(Task::RunCommand(_))
    ));
    // Any other key in between cancels the confirmation.
    assert!(key(&mut app, KeyCode::Char('X')).is_none());
    key(&mut app, KeyCode::Down);
    assert!(key(&mut app, KeyCode::Char('X')).is_none());
}

#[test]
fn the_help_overlay_lists_the_entitys_actions() {
    let mut app = app_on("ledger-writer");
    key(&mut app, KeyCode::Char('?'));
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("Tail logs (action)"), "{s}");
    assert!(s.contains("Restart (action)"), "{s}");
}

#[test]
fn the_palette_runs_an_action_by_title() {
    let mut app = app_on("ledger-writer");
    let effect = update(&mut app, Action::RunCommand("action tail logs".into()));
    assert!(matches!(effect.first(), Some(Task::RunCommand(p)) if p.title == "Tail logs"));
    let effect = update(&mut app, Action::RunCommand("action nope".into()));
    assert!(effect.is_empty());
    assert!(screen(&mut app, 100, 20).contains("no action \"nope\""));
}

#[test]
fn background_output_opens_in_a_pane() {
    let mut app = app_on("ledger-writer");
    let Some(Task::RunCommand(plan)) = key(&mut app, KeyCode::Char('L')) else {
        panic!("expected a run");
    };
    let finished = crate::actions::execute(&plan).expect("printf runs");
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Command(plan, finished)),
    );
    insta::assert_snapshot!("background_action_output", backend(&mut app, 80, 12));
    let failed = Finished {
        code: Some(3),
        stdout: String::new(),
        stderr: "boom \u{1b}[31m".into(),
    };
    let plan = crate::actions::Plan::open("x", "https://x.example");
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Command(plan, failed)),
    );
    let s = screen(&mut app, 80, 12);
    assert!(s.contains("exit 3") && s.contains("boom"), "{s}");
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'));
}
