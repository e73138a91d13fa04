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

/// "Scale": an integer `replicas` bounded 0–50 (default 2) and a required `reason`, with a
/// confirmation message.
pub(crate) fn scale_action() -> ActionConfig {
    let mut a = action(
        "S",
        "Scale",
        "kubectl scale deploy/${{ metadata.name }} --replicas=${{ inputs.replicas }} -- ${{ inputs.reason }}",
        RunMode::Terminal,
    );
    a.confirm = crate::actions::Confirm::Message(
        "Scale ${{ metadata.name }} to ${{ inputs.replicas }}?".into(),
    );
    a.inputs = Some(serde_json::json!({
        "type": "object",
        "required": ["replicas", "reason"],
        "properties": {
            "replicas": {"type": "integer", "title": "Replicas", "minimum": 0, "maximum": 50, "default": 2},
            "reason": {"type": "string", "title": "Reason"}
        }
    }));
    a.check().expect("a valid action");
    a
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Task> {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    match app.action_for_key(&event) {
        Some(action) => update(app, action),
        None => Vec::new(),
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

#[test]
fn an_action_with_inputs_opens_its_form_then_confirms_the_rendered_command_and_runs_it() {
    let mut app = App::loaded(demo());
    app.set_user_commands(vec![scale_action()]);
    type_text(&mut app, "ledger-writer");
    key(&mut app, KeyCode::Enter);
    // The key opens the form; nothing runs yet.
    let tasks = press(&mut app, KeyCode::Char('S'), KeyModifiers::NONE);
    assert!(!tasks.iter().any(|t| matches!(t, Task::RunCommand(_))));
    assert_eq!(app.pane_mode(), crate::tui::keymap::Mode::Form);
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("Replicas") && s.contains("Reason"), "{s}");
    assert!(s.contains("on component:default/ledger-writer"), "{s}");
    // Out of bounds: the page cannot be left.
    press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    typed(&mut app, "60");
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("must be at most 50"), "{s}");
    press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    typed(&mut app, "7");
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    typed(&mut app, "x; rm -rf ~ $(id)");
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    // The review shows the command, each value one quoted argument.
    let s = screen(&mut app, 100, 24);
    assert!(
        s.contains("kubectl scale deploy/ledger-writer '--replicas=7' -- 'x; rm -rf ~ $(id)'"),
        "{s}"
    );
    // Enter asks first, with the message; any other key goes back and runs nothing.
    assert!(press(&mut app, KeyCode::Enter, KeyModifiers::NONE).is_empty());
    let s = screen(&mut app, 100, 24);
    assert!(s.contains("Scale ledger-writer to 7?"), "{s}");
    assert!(s.contains("Enter/y run the command"), "{s}");
    insta::assert_snapshot!("action_inputs_confirm", backend(&mut app, 80, 16));
    let tasks = press(&mut app, KeyCode::Char('n'), KeyModifiers::NONE);
    assert!(!tasks.iter().any(|t| matches!(t, Task::RunCommand(_))));
    assert!(screen(&mut app, 100, 24).contains("not run"));
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let tasks = press(&mut app, KeyCode::Char('y'), KeyModifiers::NONE);
    let plan = tasks
        .iter()
        .find_map(|t| match t {
            Task::RunCommand(plan) => Some(plan),
            _ => None,
        })
        .expect("y runs the command");
    assert_eq!(
        plan.argv,
        [
            "kubectl",
            "scale",
            "deploy/ledger-writer",
            "--replicas=7",
            "--",
            "x; rm -rf ~ $(id)"
        ]
    );
    // The form closed (back on the entity), and its draft is dropped.
    assert_eq!(app.pane_mode(), crate::tui::keymap::Mode::Entity);
    assert!(tasks.iter().any(|t| matches!(
        t,
        Task::Scaffold(job) if matches!(**job, crate::scaffolder::jobs::Job::Draft(_))
    )));
}

#[test]
fn an_action_without_inputs_that_asks_with_a_message_shows_it_with_the_command() {
    let mut app = App::loaded(demo());
    let mut restart = action(
        "X",
        "Restart",
        "kubectl rollout restart deploy/${{ metadata.name }}",
        RunMode::Terminal,
    );
    restart.confirm = crate::actions::Confirm::Message("Restart ${{ metadata.name }} now?".into());
    app.set_user_commands(vec![restart]);
    type_text(&mut app, "ledger-writer");
    key(&mut app, KeyCode::Enter);
    assert!(key(&mut app, KeyCode::Char('X')).is_none());
    let s = screen(&mut app, 140, 20);
    assert!(
        s.contains("Restart ledger-writer now? run kubectl rollout restart deploy/ledger-writer? press X again"),
        "{s}"
    );
}
