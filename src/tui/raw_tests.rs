//! The raw view (palette `raw`) as a user sees it: the entity as YAML, `r` for the JSON the
//! catalog API returns, `/` to find a word (the view jumps to it, `n` goes on), `Esc` clears
//! the find and then leaves.

use super::action::Action;
use super::app::{update, App};
use super::snapshot_tests::draw;
use super::state_tests::{demo, type_text};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn press(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        update(app, action);
    }
}

fn screen(app: &mut App) -> String {
    format!("{}", draw(app, 100, 12).backend())
}

fn status(app: &App) -> String {
    app.status().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn the_raw_view_shows_yaml_then_json_and_finds_a_word() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    update(&mut app, Action::RunCommand("raw".into()));
    let s = screen(&mut app);
    assert!(
        s.contains("Search › ledger-writer › raw ledger-writer"),
        "{s}"
    );
    assert!(s.contains("apiVersion: backstage.io/v1alpha1"), "YAML: {s}");
    assert!(s.contains("kind: Component"), "{s}");
    // `r`: the JSON the catalog API returns, from its first line.
    press(&mut app, KeyCode::Char('r'));
    let s = screen(&mut app);
    assert!(
        s.contains(r#""apiVersion": "backstage.io/v1alpha1","#),
        "JSON: {s}"
    );
    assert!(status(&app).contains("JSON"), "{}", status(&app));
    // `/`, a word, Enter: the view moves to the line holding it, below the first screen.
    assert!(!s.contains("pagerduty.com/service-id"), "{s}");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "PagerDuty");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app);
    assert!(
        s.contains(r#""pagerduty.com/service-id": "PLW2X9C""#),
        "{s}"
    );
    assert_eq!(
        status(&app),
        r#"1 line(s) hold "pagerduty" · n/N next/previous"#
    );
    // Esc clears the find first, then leaves the view.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.stack().len(), 2);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.stack().len(), 1);
}
