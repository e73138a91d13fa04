//! Favourites and recent entities as a user meets them: the star key in the entity view and
//! on a search result, `★` in the results, and the empty query listing "★ Favourites" then
//! "Recent" above everything; each change saved by a task.

use super::action::Action;
use super::app::{update, App};
use super::marks::Marks;
use super::snapshot_tests::draw;
use super::state_tests::{demo, type_text};
use super::task::Task;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Task> {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    match app.action_for_key(&event) {
        Some(action) => update(app, action),
        None => Vec::new(),
    }
}

fn press(app: &mut App, code: KeyCode) -> Vec<Task> {
    key(app, code, KeyModifiers::NONE)
}

fn open(app: &mut App, name: &str) {
    update(app, Action::FocusSearch);
    press(app, KeyCode::Esc);
    type_text(app, name);
    press(app, KeyCode::Enter);
}

fn saves(tasks: &[Task]) -> Vec<String> {
    tasks
        .iter()
        .filter_map(|t| match t {
            Task::SaveMarks(save) => Some(String::from_utf8_lossy(&save.bytes).into_owned()),
            _ => None,
        })
        .collect()
}

/// The favourites of a saved file.
fn favourites(json: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("JSON");
    serde_json::from_value(value["favourites"].clone()).expect("a list")
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_star_key_marks_a_favourite_and_saves_it() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut app = App::loaded(demo());
    app.set_marks(Marks::load(&dir.path().join("favourites.json")).0);
    open(&mut app, "ledger-writer");
    let tasks = press(&mut app, KeyCode::Char('*'));
    let saved = saves(&tasks);
    assert_eq!(saved.len(), 1, "{tasks:?}");
    assert_eq!(favourites(&saved[0]), ["component:default/ledger-writer"]);
    assert!(app
        .status()
        .is_some_and(|s| s.text.contains("is a favourite")));
    // A second star removes it, and saves again.
    let saved = saves(&press(&mut app, KeyCode::Char('*')));
    assert_eq!(saved.len(), 1);
    assert!(favourites(&saved[0]).is_empty(), "{}", saved[0]);
}

#[test]
fn the_empty_query_lists_favourites_then_recent_above_everything() {
    let mut app = App::loaded(demo());
    open(&mut app, "payments-api");
    open(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Char('*'));
    open(&mut app, "checkout-web");
    // Back to the search pane with the query cleared.
    update(&mut app, Action::FocusSearch);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.search().query.text(), "");
    let shown = screen(&mut app, 100, 16);
    insta::assert_snapshot!(shown);
    let fav = shown.find("★ Favourites").expect("a favourites heading");
    let recent = shown.find("Recent").expect("a recent heading");
    let all = shown.find("All entities").expect("the rest below");
    assert!(fav < recent && recent < all, "{shown}");
    // The first row is the favourite: Enter opens it.
    let first = app.search().selected_id().expect("a selection");
    assert_eq!(app.catalog().get(first).metadata.name, "ledger-writer");
    press(&mut app, KeyCode::Down);
    let second = app.search().selected_id().expect("a selection");
    assert_eq!(
        app.catalog().get(second).metadata.name,
        "checkout-web",
        "the last opened comes first among the recent"
    );
    // A query shows only its matches, with the favourite starred.
    type_text(&mut app, "ledger-wr");
    let shown = screen(&mut app, 100, 16);
    assert!(
        !shown.contains("Favourites") && !shown.contains("Recent"),
        "{shown}"
    );
    assert!(shown.contains("★ ledger-writer"), "{shown}");
}

#[test]
fn ctrl_s_stars_the_selected_search_result() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    key(&mut app, KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(app.search().query.text(), "ledger-writer", "not typed");
    assert_eq!(
        app.search().marks.favourites,
        ["component:default/ledger-writer"]
    );
}
