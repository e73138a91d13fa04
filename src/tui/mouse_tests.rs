//! The mouse, with synthetic events fed to `update` over a drawn screen: the wheel scrolls, a
//! click selects the row under it or switches tab, a double click opens.

use super::action::{Action, Mouse};
use super::app::{update, App, DOUBLE_CLICK};
use super::clock::Clock;
use super::state_tests::{demo, type_text};
use super::test_screen::screen;
use std::time::{Duration, UNIX_EPOCH};

/// The app on a fixed clock, so clicks are as far apart as the test says.
fn app() -> App {
    let mut app = App::loaded(demo());
    app.set_clock(Clock::fixed(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    app
}

/// The screen cell where `text` is drawn: (column, row).
fn cell_of(s: &str, text: &str) -> (u16, u16) {
    s.lines()
        .enumerate()
        .find_map(|(row, line)| {
            line.find(text).map(|byte| {
                let column = line.get(..byte).unwrap_or_default().chars().count();
                (column as u16, row as u16)
            })
        })
        .unwrap_or_else(|| panic!("{text:?} is not on the screen:\n{s}"))
}

fn click(app: &mut App, (column, row): (u16, u16)) {
    update(app, Action::Mouse(Mouse::Click { column, row }));
}

fn selected_name(app: &App) -> String {
    let id = app.search().selected_id().expect("a selection");
    app.catalog().get(id).metadata.name.clone()
}

#[test]
fn a_click_selects_the_result_under_it_and_a_double_click_opens_it() {
    let mut app = app();
    let s = screen(&mut app, 100, 30);
    let at = cell_of(&s, "card-vault");
    assert_ne!(selected_name(&app), "card-vault");
    click(&mut app, at);
    assert_eq!(selected_name(&app), "card-vault");
    assert!(app.stack().is_empty(), "one click only selects");
    // The second click a moment later, on the same cell: opened.
    app.advance_clock(DOUBLE_CLICK / 2);
    click(&mut app, at);
    assert_eq!(app.stack().len(), 1);
    assert!(screen(&mut app, 100, 30).contains("[Component] card-vault"));
}

#[test]
fn two_clicks_far_apart_or_on_nothing_open_nothing() {
    let mut app = app();
    let s = screen(&mut app, 100, 30);
    let at = cell_of(&s, "card-vault");
    click(&mut app, at);
    app.advance_clock(DOUBLE_CLICK * 2);
    click(&mut app, at);
    assert!(app.stack().is_empty(), "too slow for a double click");
    // The query line and the header are no rows: nothing selected, nothing opened.
    let selected = selected_name(&app);
    for _ in 0..2 {
        click(&mut app, (3, 0));
    }
    assert_eq!(selected_name(&app), selected);
    assert!(app.stack().is_empty());
}

#[test]
fn the_wheel_scrolls_the_view_under_the_pointer() {
    let mut app = app();
    let _ = screen(&mut app, 100, 30);
    update(
        &mut app,
        Action::Mouse(Mouse::ScrollDown { column: 5, row: 10 }),
    );
    assert_eq!(app.search().selected, 3, "three rows a notch");
    update(
        &mut app,
        Action::Mouse(Mouse::ScrollUp { column: 5, row: 10 }),
    );
    update(
        &mut app,
        Action::Mouse(Mouse::ScrollUp { column: 5, row: 10 }),
    );
    assert_eq!(app.search().selected, 0, "stops at the top");
    // Over the help overlay the wheel scrolls the help, not the list below it.
    update(&mut app, Action::Help);
    let before = screen(&mut app, 80, 12);
    update(
        &mut app,
        Action::Mouse(Mouse::ScrollDown { column: 40, row: 6 }),
    );
    let after = screen(&mut app, 80, 12);
    assert_ne!(before, after, "the help scrolled");
    assert_eq!(app.search().selected, 0);
}

#[test]
fn a_click_on_a_tab_switches_to_it_and_on_a_relation_selects_it() {
    let mut app = app();
    type_text(&mut app, "ledger-writer");
    update(&mut app, Action::Open);
    let s = screen(&mut app, 100, 40);
    click(&mut app, cell_of(&s, "Dependencies"));
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("▸Dependencies"), "{s}");
    click(&mut app, cell_of(&s, "Overview"));
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("▸Overview"), "{s}");
    // A relation: selected by a click, opened by a double click.
    let at = cell_of(&s, "system:default/ledger");
    click(&mut app, at);
    let s = screen(&mut app, 100, 40);
    let line = s.lines().nth(at.1 as usize).unwrap_or_default();
    assert!(line.contains("▶ system:default/ledger"), "{line}");
    click(&mut app, at);
    assert_eq!(app.stack().len(), 2);
    assert!(screen(&mut app, 100, 40).contains("[System] ledger"));
}

#[test]
fn a_click_selects_a_team_and_a_double_click_opens_its_ownership() {
    let mut app = app();
    update(&mut app, Action::RunCommand("teams".into()));
    let s = screen(&mut app, 100, 30);
    let at = cell_of(&s, "group:fraud-team");
    click(&mut app, at);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("▶ group:fraud-team"), "{s}");
    click(&mut app, at);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("▸Ownership") && s.contains("fraud-team"), "{s}");
}

#[test]
fn f2_shows_facet_counts_and_tab_enter_or_a_click_adds_the_filter() {
    let mut app = app();
    type_text(&mut app, "ledger");
    let before = screen(&mut app, 120, 30);
    assert!(!before.contains("lifecycle "), "{before}");
    update(&mut app, Action::Facets);
    let s = screen(&mut app, 120, 30);
    let kinds = s
        .lines()
        .find(|l| l.starts_with("kind "))
        .unwrap_or_else(|| panic!("a kind line:\n{s}"));
    assert!(kinds.contains("component "), "{kinds}");
    assert!(s.lines().any(|l| l.starts_with("owner ")), "{s}");
    // Keyed: the first value is the most common kind; Enter adds it to the query.
    update(&mut app, Action::NextTab);
    update(&mut app, Action::Open);
    assert!(
        app.stack().is_empty(),
        "Enter added the filter, it opened nothing"
    );
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("Search: ledger kind:component"), "{s}");
    let components = app
        .search()
        .results
        .hits
        .iter()
        .all(|h| app.catalog().get(h.id).kind_lower() == "component");
    assert!(components, "the results are filtered");
    // Clicked: an owner value adds `owner:NAME`.
    let s = screen(&mut app, 120, 30);
    let at = cell_of(&s, "ledger-team ");
    click(&mut app, at);
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains("Search: ledger kind:component owner:ledger-team"),
        "{s}"
    );
}
