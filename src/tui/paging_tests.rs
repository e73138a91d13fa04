//! Paging in every kind of scrolling view, as a user sees it: PageDown past the end stops at
//! the last line, Up from there moves at once, `End`/`G` land on the same screen and
//! `Home`/`g` return to the top. One test per kind of view: a list pane, a text view (raw
//! YAML, a docs page), the Overview (text above a list), the API tab without operations, the
//! help overlay and the output of a command.

use super::action::Action;
use super::app::{update, App};
use super::state_tests::{demo, type_text};
use super::test_screen::{press, screen};
use crossterm::event::KeyCode;

/// Pages through the view on screen and checks both ends: PageDown (many times) stops with
/// `last` on screen, once more changes nothing, Up moves at once, `End` (and `G` when
/// `letters`) shows the same end, `Home` (and `g`) the first screen again.
fn pages_stop_at_both_ends(app: &mut App, size: (u16, u16), last: &str, letters: bool) {
    pages_stop_at_both_ends_with(app, size, last, letters, true);
}

/// As [`pages_stop_at_both_ends`]; without `home_end` (a pane whose query line takes Home and
/// End, like fzf's), only the paging and arrow keys are tried.
fn pages_stop_at_both_ends_with(
    app: &mut App,
    size: (u16, u16),
    last: &str,
    letters: bool,
    home_end: bool,
) {
    let (w, h) = size;
    let top = screen(app, w, h);
    assert!(
        !top.contains(last),
        "the end is not on the first screen:\n{top}"
    );
    for _ in 0..200 {
        press(app, KeyCode::PageDown);
        let _ = screen(app, w, h);
    }
    let end = screen(app, w, h);
    assert!(end.contains(last), "PageDown reaches the last line:\n{end}");
    press(app, KeyCode::PageDown);
    assert_eq!(screen(app, w, h), end, "PageDown past the end stays there");
    press(app, KeyCode::Down);
    assert_eq!(screen(app, w, h), end, "Down past the end stays there");
    press(app, KeyCode::Up);
    let up = screen(app, w, h);
    assert_ne!(up, end, "Up at the end moves at once:\n{up}");
    if home_end {
        press(app, KeyCode::End);
        assert_eq!(screen(app, w, h), end, "End shows the end");
        press(app, KeyCode::Home);
    } else {
        for _ in 0..200 {
            press(app, KeyCode::PageUp);
        }
    }
    assert_eq!(screen(app, w, h), top, "back at the top");
    press(app, KeyCode::PageUp);
    assert_eq!(screen(app, w, h), top, "PageUp at the top stays there");
    if letters {
        press(app, KeyCode::Char('G'));
        assert_eq!(screen(app, w, h), end, "G shows the end");
        press(app, KeyCode::Char('g'));
        assert_eq!(screen(app, w, h), top, "g returns to the top");
    }
}

fn entity(name: &str) -> App {
    let mut app = App::loaded(demo());
    type_text(&mut app, name);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.stack().len(), 1, "{name} opened");
    app
}

fn on_tab(name: &str, tab: &str) -> App {
    let mut app = entity(name);
    for _ in 0..8 {
        if screen(&mut app, 100, 30).contains(&format!("▸{tab}")) {
            return app;
        }
        press(&mut app, KeyCode::Tab);
    }
    panic!("{name} has no {tab} tab");
}

#[test]
fn a_list_pane_pages_to_its_last_row_and_back() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("teams".into()));
    pages_stop_at_both_ends(&mut app, (80, 12), "▶ group:port/reporting", true);
}

#[test]
fn the_search_results_page_to_the_last_result_and_back() {
    let mut app = App::loaded(demo());
    let row = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("▶ "))
            .map(str::to_string)
            .unwrap_or_default()
    };
    for _ in 0..200 {
        press(&mut app, KeyCode::PageDown);
    }
    let end = screen(&mut app, 100, 14);
    assert!(end.contains("89 of 89"), "every result is listed:\n{end}");
    for _ in 0..200 {
        press(&mut app, KeyCode::PageUp);
    }
    // Home and End move the query line's cursor here (as in fzf), and g and G are typed.
    let selected_last = row(&end);
    pages_stop_at_both_ends_with(&mut app, (100, 14), selected_last.trim_end(), false, false);
}

#[test]
fn the_raw_view_pages_to_its_last_line_and_back() {
    let mut app = entity("ledger-writer");
    update(&mut app, Action::RunCommand("raw".into()));
    let last = app
        .stack()
        .last()
        .map(|_| {
            let ctx = app.ctx();
            let id = app.current_entity().expect("an entity");
            crate::tui::panes::raw::RawView::new(&ctx, id)
                .shown_text()
                .lines()
                .last()
                .unwrap_or_default()
                .to_string()
        })
        .expect("the raw view");
    pages_stop_at_both_ends(&mut app, (100, 12), &last, true);
}

#[test]
fn the_overview_pages_to_its_last_relation_and_back_to_the_description() {
    let mut app = entity("ledger-writer");
    let s = screen(&mut app, 80, 14);
    assert!(s.contains("Description"), "{s}");
    pages_stop_at_both_ends(&mut app, (80, 14), "▶ api:default/ledger-api", true);
}

#[test]
fn a_docs_page_pages_to_its_last_line_and_back() {
    let mut app = on_tab("ledger-writer", "Docs");
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']')); // the runbook: a long page
    let s = screen(&mut app, 100, 14);
    assert!(s.contains("unbook"), "{s}");
    let mut bottom = String::new();
    for _ in 0..200 {
        press(&mut app, KeyCode::PageDown);
        bottom = screen(&mut app, 100, 14);
    }
    // The last text line of the page, whatever it says.
    let last = bottom
        .lines()
        .rev()
        .skip(1) // the status bar
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string();
    press(&mut app, KeyCode::Home);
    pages_stop_at_both_ends(&mut app, (100, 14), &last, true);
}

#[test]
fn the_api_tab_without_operations_scrolls_to_its_end_and_back() {
    let mut app = on_tab("fraud-scoring-grpc", "API");
    let mut bottom = String::new();
    for _ in 0..200 {
        press(&mut app, KeyCode::PageDown);
        bottom = screen(&mut app, 100, 12);
    }
    let last = bottom
        .lines()
        .rev()
        .skip(1)
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .to_string();
    press(&mut app, KeyCode::Home);
    pages_stop_at_both_ends(&mut app, (100, 12), &last, true);
}

#[test]
fn the_help_overlay_pages_to_its_last_key_and_back() {
    let mut app = entity("ledger-writer");
    press(&mut app, KeyCode::Char('?'));
    pages_stop_at_both_ends(&mut app, (80, 14), "quit from anywhere", true);
}
