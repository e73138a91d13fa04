//! Clicks where lists are drawn by hand — the Scorecards pane, the Ownership and Dependencies
//! trees, the Docs tab's page list and links, the API tab's operations — fed to `update` as
//! synthetic mouse events over a drawn screen: a click selects the row under it, a double click
//! opens it, the wheel scrolls.

use super::action::{Action, Mouse};
use super::app::{update, App, DOUBLE_CLICK};
use super::clock::Clock;
use super::state_tests::{demo, type_text};
use super::test_screen::{screen, settle};
use std::time::{Duration, UNIX_EPOCH};

/// The demo on a fixed clock, so clicks are as far apart as the test says.
fn app() -> App {
    let mut app = App::loaded(demo());
    app.set_clock(Clock::fixed(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    app
}

/// The demo on `name`'s page, on the tab called `tab`.
fn on_tab(name: &str, tab: &str) -> App {
    let mut app = app();
    type_text(&mut app, name);
    let tasks = update(&mut app, Action::Open);
    settle(&mut app, tasks);
    for _ in 0..8 {
        if screen(&mut app, 100, 30).contains(&format!("▸{tab}")) {
            return app;
        }
        let tasks = update(&mut app, Action::NextTab);
        settle(&mut app, tasks);
    }
    panic!("{name} has no {tab} tab:\n{}", screen(&mut app, 100, 30));
}

/// The screen cell where `text` is first drawn at or below row `from`: (column, row).
fn cell_below(s: &str, text: &str, from: usize) -> (u16, u16) {
    s.lines()
        .enumerate()
        .skip(from)
        .find_map(|(row, line)| {
            line.find(text).map(|byte| {
                let column = line.get(..byte).unwrap_or_default().chars().count();
                (column as u16, row as u16)
            })
        })
        .unwrap_or_else(|| panic!("{text:?} is not on the screen:\n{s}"))
}

fn cell_of(s: &str, text: &str) -> (u16, u16) {
    cell_below(s, text, 0)
}

/// One click; returns the tasks it asked for, carried out.
fn click(app: &mut App, (column, row): (u16, u16)) {
    let tasks = update(app, Action::Mouse(Mouse::Click { column, row }));
    settle(app, tasks);
}

/// Two clicks on one cell a moment apart.
fn double_click(app: &mut App, at: (u16, u16)) {
    click(app, at);
    app.advance_clock(DOUBLE_CLICK / 2);
    click(app, at);
}

/// The line of the screen at `row`.
fn line(s: &str, row: u16) -> &str {
    s.lines().nth(row as usize).unwrap_or_default()
}

#[test]
fn a_click_in_the_scorecards_pane_selects_an_owner_and_a_double_click_opens_it() {
    let mut app = app();
    update(&mut app, Action::RunCommand("scorecards".into()));
    let s = screen(&mut app, 120, 40);
    let at = cell_of(&s, "group:fraud-team");
    assert!(!line(&s, at.1).contains('▶'), "{s}");
    click(&mut app, at);
    let s = screen(&mut app, 120, 40);
    assert!(line(&s, at.1).contains("▶ group:fraud-team"), "{s}");
    assert_eq!(app.stack().len(), 1, "one click only selects");
    // A heading is not a row to select: the selection stays.
    click(&mut app, cell_of(&s, "Rules and the entities failing them"));
    let s = screen(&mut app, 120, 40);
    assert!(line(&s, at.1).contains("▶ group:fraud-team"), "{s}");
    app.advance_clock(DOUBLE_CLICK * 2);
    double_click(&mut app, at);
    assert_eq!(app.stack().len(), 2);
    assert!(screen(&mut app, 120, 40).contains("[Group] fraud-team"));
}

#[test]
fn a_click_in_the_dependencies_tree_selects_a_node_and_a_double_click_opens_it() {
    let mut app = on_tab("payments-api", "Dependencies");
    let s = screen(&mut app, 100, 30);
    let at = cell_below(&s, "resource:ledger-db", 5);
    click(&mut app, at);
    let s = screen(&mut app, 100, 30);
    assert!(line(&s, at.1).starts_with('▶'), "{s}");
    // The wheel moves the selection three rows a notch, and back.
    let (column, row) = at;
    update(&mut app, Action::Mouse(Mouse::ScrollUp { column, row }));
    let s = screen(&mut app, 100, 30);
    assert!(!line(&s, at.1).starts_with('▶'), "{s}");
    update(&mut app, Action::Mouse(Mouse::ScrollDown { column, row }));
    let s = screen(&mut app, 100, 30);
    assert!(line(&s, at.1).starts_with('▶'), "{s}");
    app.advance_clock(DOUBLE_CLICK * 2);
    double_click(&mut app, at);
    assert!(screen(&mut app, 100, 30).contains("[Resource] ledger-db"));
}

#[test]
fn a_click_in_the_ownership_tab_selects_a_member_and_a_double_click_opens_them() {
    let mut app = on_tab("ledger-writer", "Ownership");
    let s = screen(&mut app, 100, 30);
    let at = cell_of(&s, "user:emma.lindqvist");
    click(&mut app, at);
    let s = screen(&mut app, 100, 30);
    assert!(line(&s, at.1).starts_with("▶ user:emma.lindqvist"), "{s}");
    app.advance_clock(DOUBLE_CLICK * 2);
    double_click(&mut app, at);
    assert!(screen(&mut app, 100, 30).contains("[User] emma.lindqvist"));
}

#[test]
fn a_click_on_a_docs_page_in_the_list_opens_it_and_on_a_link_selects_it() {
    let mut app = on_tab("ledger-writer", "Docs");
    let s = screen(&mut app, 100, 30);
    click(&mut app, cell_of(&s, "Architecture "));
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("Write path"), "the Architecture page: {s}");
    // Back to the index page by its list entry; its links are further down.
    click(&mut app, cell_below(&s, "Overview ", 5));
    let s = screen(&mut app, 100, 60);
    let at = cell_of(&s, "On-call runbook - what");
    click(&mut app, at);
    // Selected, not followed yet: the index page is still on screen.
    let s = screen(&mut app, 100, 60);
    assert!(s.contains("At a glance"), "{s}");
    double_click(&mut app, at);
    let s = screen(&mut app, 100, 60);
    assert!(s.contains("Paged for ledger-writer"), "the runbook: {s}");
}

#[test]
fn a_click_on_an_api_operation_selects_it_and_a_double_click_expands_it() {
    let mut app = on_tab("identity-api", "API");
    let s = screen(&mut app, 100, 30);
    let at = cell_of(&s, "/users/{userId}");
    assert!(!line(&s, at.1).starts_with('▶'), "{s}");
    click(&mut app, at);
    let s = screen(&mut app, 100, 30);
    assert!(line(&s, at.1).starts_with('▶'), "{s}");
    app.advance_clock(DOUBLE_CLICK * 2);
    double_click(&mut app, at);
    let s = screen(&mut app, 100, 30);
    assert!(line(&s, at.1).starts_with("▶▾"), "expanded: {s}");
    assert!(s.contains("Responses"), "expanded: {s}");
}

#[test]
fn a_click_below_an_api_tabs_text_selects_nothing() {
    let mut app = on_tab("identity-api", "API");
    let s = screen(&mut app, 100, 40);
    let selected = |s: &str| s.lines().position(|l| l.starts_with('▶'));
    let before = selected(&s);
    assert!(before.is_some(), "{s}");
    // The last screen row above the hint bar: empty below the few operations.
    let below = 38;
    assert!(line(&s, below).trim().is_empty(), "{s}");
    click(&mut app, (10, below));
    app.advance_clock(DOUBLE_CLICK * 2);
    double_click(&mut app, (10, below));
    let s = screen(&mut app, 100, 40);
    assert_eq!(selected(&s), before, "{s}");
    assert!(!s.contains("Responses"), "nothing expanded: {s}");
}
