//! `e` opens the file behind the screen in the user's editor: the entity's catalog file at its
//! line from the entity view, a problem's file:line from the Problems pane; remote and demo
//! entities say they have no local file; when the editor returns, the file's source reloads.

use super::action::Action;
use super::app::{update, App};
use super::editing::{EditRequest, Edited};
use super::keymap::Keymap;
use super::reply::Reply;
use super::state_tests::{demo, type_text};
use super::task::Task;
use super::test_screen::help_rows;
use super::watch::Change;
use crate::catalog::{Catalog, Entity, Origin, Problem};
use crate::source::{LoadEvent, SourceSpec};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn press(app: &mut App, code: KeyCode) -> Vec<Task> {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    match app.action_for_key(&event) {
        Some(action) => update(app, action),
        None => Vec::new(),
    }
}

fn entity(name: &str, path: &str, line: u32) -> Entity {
    let doc = serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": name},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    });
    Entity::from_value(doc, Origin::new(path, Some(line)))
        .expect("a test entity")
        .0
}

/// Two file sources: `a` holds `alpha` (catalog/a.yaml:3) and a problem in catalog/bad.yaml,
/// `b` holds `beta` (catalog/b.yaml:1).
fn two_sources() -> App {
    let specs = [
        SourceSpec::Files {
            name: "a".into(),
            paths: vec!["catalog/a.yaml".into()],
        },
        SourceSpec::Files {
            name: "b".into(),
            paths: vec!["catalog/b.yaml".into()],
        },
    ];
    let mut app = App::new(
        Catalog::new(),
        &specs,
        Default::default(),
        Keymap::default(),
    );
    let problem = Problem::error(
        Some(Origin::new("catalog/bad.yaml", Some(12))),
        "spec.owner is missing",
    );
    for (source, entities, problems) in [
        (0, vec![entity("alpha", "catalog/a.yaml", 3)], vec![problem]),
        (1, vec![entity("beta", "catalog/b.yaml", 1)], vec![]),
    ] {
        update(
            &mut app,
            Action::Load(LoadEvent::Batch {
                source,
                entities,
                problems,
            }),
        );
        update(
            &mut app,
            Action::Load(LoadEvent::Done {
                source,
                error: None,
            }),
        );
    }
    app
}

fn edits(tasks: Vec<Task>) -> Vec<EditRequest> {
    tasks
        .into_iter()
        .filter_map(|t| match t {
            Task::Edit(request) => Some(request),
            _ => None,
        })
        .collect()
}

fn status(app: &App) -> String {
    app.status().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn e_on_an_entity_opens_its_file_at_its_line_and_reloads_only_its_source() {
    let mut app = two_sources();
    type_text(&mut app, "beta");
    press(&mut app, KeyCode::Enter);
    let asked = edits(press(&mut app, KeyCode::Char('e')));
    assert_eq!(
        asked,
        vec![EditRequest {
            path: "catalog/b.yaml".into(),
            line: Some(1),
            sources: vec![1],
        }]
    );
    // The editor returns: source b reloads, and the status line says so.
    let back = Edited {
        request: asked[0].clone(),
        result: Ok(Some(0)),
    };
    let tasks = update(&mut app, Action::Reply(Reply::Edited(back)));
    assert!(
        tasks
            .iter()
            .any(|t| matches!(t, Task::Refresh(ids) if ids == &vec![1])),
        "{tasks:?}"
    );
    assert_eq!(status(&app), "edited catalog/b.yaml:1: reloading");
}

#[test]
fn e_in_the_problems_pane_opens_the_problems_file_at_its_line() {
    let mut app = two_sources();
    update(&mut app, Action::Problems);
    let asked = edits(press(&mut app, KeyCode::Char('e')));
    assert_eq!(
        asked,
        vec![EditRequest {
            path: "catalog/bad.yaml".into(),
            line: Some(12),
            sources: vec![0],
        }]
    );
}

#[test]
fn demo_and_remote_entities_say_in_one_line_they_have_no_local_file() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    assert!(edits(press(&mut app, KeyCode::Char('e'))).is_empty());
    assert!(status(&app).contains("demo catalog"), "{}", status(&app));
    assert!(!status(&app).contains('\n'));

    let mut app = two_sources();
    let remote = entity("gamma", "https://backstage.example.com/api/catalog", 1);
    update(
        &mut app,
        Action::Load(LoadEvent::Batch {
            source: 1,
            entities: vec![remote],
            problems: vec![],
        }),
    );
    type_text(&mut app, "gamma");
    press(&mut app, KeyCode::Enter);
    assert!(edits(press(&mut app, KeyCode::Char('e'))).is_empty());
    assert!(
        status(&app).contains("Backstage server") && status(&app).contains("no local file"),
        "{}",
        status(&app)
    );
}

#[test]
fn an_editor_that_cannot_start_is_an_error_and_nothing_reloads() {
    let mut app = two_sources();
    let back = Edited {
        request: EditRequest {
            path: "catalog/a.yaml".into(),
            line: None,
            sources: vec![0],
        },
        result: Err("could not start the editor \"nope\": not found".into()),
    };
    let tasks = update(&mut app, Action::Reply(Reply::Edited(back)));
    assert!(!tasks.iter().any(|t| matches!(t, Task::Refresh(_))));
    assert!(app.status().is_some_and(|s| s.error));
}

#[test]
fn a_change_the_watcher_saw_reloads_that_source_with_the_reload_in_the_status_line() {
    let mut app = two_sources();
    let seen = app.clock().instant();
    let tasks = update(
        &mut app,
        Action::Reply(Reply::FilesChanged(vec![Change { source: 1, seen }])),
    );
    assert!(
        tasks
            .iter()
            .any(|t| matches!(t, Task::Refresh(ids) if ids == &vec![1])),
        "{tasks:?}"
    );
    assert_eq!(status(&app), "files changed: reloading b");
    // The status bar says the source is loading again.
    assert!(app.sources().loading());
}

/// The refreshes among `tasks`: the sources each one reloads.
fn refreshes(tasks: &[Task]) -> Vec<Vec<usize>> {
    tasks
        .iter()
        .filter_map(|t| match t {
            Task::Refresh(ids) => Some(ids.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_edit_reloads_its_source_once_not_again_when_the_watcher_sees_the_save() {
    let mut app = two_sources();
    app.set_clock(super::clock::Clock::fixed(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
    ));
    type_text(&mut app, "alpha");
    press(&mut app, KeyCode::Enter);
    let request = match edits(press(&mut app, KeyCode::Char('e'))).pop() {
        Some(request) => request,
        None => panic!("`e` opens the editor"),
    };
    // The editor saves one second in (the watcher sees it then), and returns a second later.
    let saved = app.clock().instant() + std::time::Duration::from_secs(1);
    app.advance_clock(std::time::Duration::from_secs(2));
    let back = Edited {
        request,
        result: Ok(Some(0)),
    };
    let tasks = update(&mut app, Action::Reply(Reply::Edited(back)));
    assert_eq!(refreshes(&tasks), vec![vec![0]], "the edit reloads a");
    // 300 ms later the watcher reports the save: the reload already reads it.
    app.advance_clock(std::time::Duration::from_millis(300));
    let tasks = update(
        &mut app,
        Action::Reply(Reply::FilesChanged(vec![Change {
            source: 0,
            seen: saved,
        }])),
    );
    assert!(refreshes(&tasks).is_empty(), "no second reload: {tasks:?}");
    assert_eq!(status(&app), "edited catalog/a.yaml:3: reloading");
    // A write after the reload started is read again, though a is still loading.
    assert!(app.sources().loading());
    let later = app.clock().instant();
    let tasks = update(
        &mut app,
        Action::Reply(Reply::FilesChanged(vec![
            Change {
                source: 0,
                seen: later,
            },
            Change {
                source: 1,
                seen: saved,
            },
        ])),
    );
    assert_eq!(refreshes(&tasks), vec![vec![0, 1]], "{tasks:?}");
    assert_eq!(status(&app), "files changed: reloading a, b");
}

#[test]
fn help_in_problems_lists_e_only_for_a_problem_with_a_file() {
    let mut app = two_sources();
    update(&mut app, Action::Problems);
    let rows = help_rows(&mut app);
    assert!(
        rows.iter().any(|r| r == "e edit the file in $EDITOR"),
        "{rows:#?}"
    );
    // The demo's problem is in the compiled-in catalog: nothing to edit, nothing listed.
    let mut app = App::loaded(demo());
    update(&mut app, Action::Problems);
    let rows = help_rows(&mut app);
    assert!(!rows.iter().any(|r| r.contains("$EDITOR")), "{rows:#?}");
}
