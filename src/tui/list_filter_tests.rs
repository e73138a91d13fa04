//! The `/` filter in every list pane and tab, as a user sees it: keys fed through the keymap
//! to `update`, the screen read from a `TestBackend`.

use super::action::Action;
use super::app::{update, App};
use super::keymap::Mode;
use super::state_tests::demo;
use super::test_screen::{draw, press, screen};
use crossterm::event::KeyCode;

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn pane(command: &str) -> App {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand(command.into()));
    assert_eq!(app.stack().len(), 1, "{command} opened a pane");
    app
}

/// The rows of the screen that mention `needle`.
fn rows_with(s: &str, needle: &str) -> usize {
    s.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn teams_filter_narrows_counts_and_esc_clears_before_leaving() {
    let mut app = pane("teams");
    let before = screen(&mut app, 120, 30);
    assert!(rows_with(&before, "group:") > 10, "{before}");
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::Search, "typing goes into the filter");
    // `q` is a letter here, not quit; the filter ignores case.
    type_text(&mut app, "PAY");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("group:payments-team"), "{s}");
    assert_eq!(rows_with(&s, "group:"), 1, "{s}");
    assert!(s.contains("/PAY▏  1 of 16"), "{s}");
    // Enter keeps the filter and opens the one team left.
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.stack().len(), 2);
    assert!(screen(&mut app, 120, 30).contains("▸Ownership"));
    press(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("/PAY  1 of 16"), "the filter is kept: {s}");
    // Esc clears the filter first and stays...
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.stack().len(), 1);
    let s = screen(&mut app, 120, 30);
    assert!(!s.contains("of 16"), "{s}");
    assert_eq!(rows_with(&s, "group:"), rows_with(&before, "group:"));
    // ...and only then leaves.
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());
}

#[test]
fn a_filter_that_matches_nothing_says_so_and_keys_do_not_panic() {
    let mut app = pane("teams");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "zzzq");
    for code in [KeyCode::Down, KeyCode::End, KeyCode::PageUp, KeyCode::Enter] {
        press(&mut app, code);
    }
    let s = screen(&mut app, 80, 20);
    assert!(s.contains("no group matches the filter"), "{s}");
    assert!(s.contains("0 of 16"), "{s}");
    assert_eq!(app.stack().len(), 1, "Enter on nothing opens nothing");
}

#[test]
fn problems_filter_by_message_or_file() {
    let mut app = pane("problems");
    let total = app.catalog().problems().count();
    assert_eq!(total, 1, "the demo's one problem");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "payments.yaml mainframe");
    let s = screen(&mut app, 140, 30);
    assert!(s.contains("1 of 1"), "{s}");
    assert!(s.contains("legacy-mainframe-bridge"), "{s}");
    type_text(&mut app, "x");
    let s = screen(&mut app, 140, 30);
    assert!(s.contains("0 of 1"), "{s}");
    assert!(s.contains("no problem matches the filter"), "{s}");
    assert!(!s.contains("legacy-mainframe-bridge: no such"), "{s}");
    press(&mut app, KeyCode::Esc);
    assert!(screen(&mut app, 140, 30).contains("legacy-mainframe-bridge"));
    assert_eq!(app.stack().len(), 1);
}

#[test]
fn sources_links_and_scorecards_filter_the_same_way() {
    // Sources: two named sources, the filter keeps one.
    let files = |name: &str| crate::source::SourceSpec::Files {
        name: name.into(),
        paths: vec![format!("/nowhere/{name}")],
    };
    let mut app = App::new(
        demo(),
        &[files("payments-repo"), files("platform-repo")],
        super::theme::Theme::default(),
        super::keymap::Keymap::default(),
    );
    update(&mut app, Action::RunCommand("sources".into()));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "platform");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("1 of 2"), "{s}");
    assert!(s.contains("▶ platform-repo"), "{s}");
    assert!(!s.lines().any(|l| l.starts_with("  payments-repo")), "{s}");
    type_text(&mut app, "zzz");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("no source matches the filter"), "{s}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());

    // Links of ledger-writer.
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('O'));
    let s = screen(&mut app, 120, 30);
    let total = rows_with(&s, "http");
    assert!(total > 1, "{s}");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "runbook");
    let s = screen(&mut app, 120, 30);
    assert!(s.contains(&format!("1 of {total}")), "{s}");
    assert_eq!(rows_with(&s, "http"), 1, "{s}");

    // Scorecards: a filter keeps the matching owners and failing entities under their
    // headings.
    let mut app = pane("scorecards");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "ledger-team");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Owners (best average first)"), "{s}");
    assert!(s.contains("ledger-team"), "{s}");
    assert!(!s.contains("payments-team"), "{s}");
    assert!(s.contains("1 of "), "{s}");
}

#[test]
fn overview_relations_filter_and_enter_opens_the_one_left() {
    let mut app = App::loaded(demo());
    for c in "ledger-writer".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let before = screen(&mut app, 100, 40);
    assert!(before.contains("Relations"), "{before}");
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::Search);
    type_text(&mut app, "ownedby");
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("group:default/ledger-team"), "{s}");
    assert!(s.contains("1 of "), "{s}");
    assert!(!s.contains("dependsOn"), "{s}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.current_entity()
            .map(|id| app.catalog().get(id).entity_ref().to_string()),
        Some("group:default/ledger-team".to_string())
    );
    press(&mut app, KeyCode::Esc);
    // Back on ledger-writer: Esc clears the relations' filter, then leaves.
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.stack().len(), 1);
    assert!(screen(&mut app, 100, 40).contains("dependsOn"));
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());
}

#[test]
fn s_goes_to_search_from_a_list_and_the_entity_view() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('s'));
    assert!(app.stack().is_empty());
    let mut app = pane("teams");
    press(&mut app, KeyCode::Char('s'));
    assert!(app.stack().is_empty());
}

#[test]
fn templates_esc_clears_the_filter_before_leaving_and_counts_n_of_m() {
    let mut app = pane("templates");
    let s = screen(&mut app, 120, 30);
    let total: usize = s
        .lines()
        .find_map(|l| l.trim().strip_suffix("template(s) — Enter opens the form"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a template count");
    type_text(&mut app, "zzzq");
    assert!(screen(&mut app, 120, 30).contains(&format!("0 of {total} template(s)")));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.stack().len(), 1, "Esc cleared the filter");
    assert!(!screen(&mut app, 120, 30).contains(" of "));
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());
}

#[test]
fn teams_filtered_snapshot() {
    let mut app = pane("teams");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "team");
    press(&mut app, KeyCode::Down);
    insta::assert_snapshot!(draw(&mut app, 80, 14).backend());
}

/// `name`'s page on the tab called `tab` (reached with Tab).
fn on_tab(name: &str, tab: &str) -> App {
    let mut app = App::loaded(demo());
    type_text(&mut app, name);
    press(&mut app, KeyCode::Enter);
    for _ in 0..8 {
        if screen(&mut app, 100, 40).contains(&format!("▸{tab}")) {
            return app;
        }
        press(&mut app, KeyCode::Tab);
    }
    panic!("{name} has no {tab} tab");
}

#[test]
fn dependencies_tree_filter_keeps_the_matches_and_the_path_to_them() {
    let mut app = on_tab("payments-api", "Dependencies");
    let before = screen(&mut app, 100, 40);
    assert!(before.contains("card-vault"), "{before}");
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.mode(), Mode::Search, "typing goes into the filter");
    type_text(&mut app, "-db");
    let s = screen(&mut app, 100, 40);
    // The four nodes on a database, each under the nodes that lead to it; nothing else.
    for kept in [
        "component:payments-api",
        "component:ledger-writer",
        "resource:ledger-db",
        "component:session-service",
        "resource:identity-db",
        "resource:payments-db",
        "api:ledger-api",
        "component:ledger-reader",
    ] {
        assert!(s.contains(kept), "{kept} kept: {s}");
    }
    for gone in [
        "card-vault",
        "fraud-scoring",
        "telemetry-go",
        "identity-api",
    ] {
        assert!(!s.contains(gone), "{gone} filtered out: {s}");
    }
    assert!(s.contains("/-db▏  4 of 25"), "{s}");
    // The first match is selected; Enter keeps the filter and opens it.
    let selected = s.lines().find(|l| l.starts_with('▶')).unwrap_or_default();
    assert!(selected.contains("resource:ledger-db"), "{s}");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 100, 40).contains("[Resource] ledger-db"));
    press(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("/-db  4 of 25"), "the filter is kept: {s}");
    // Esc clears the filter first, then leaves the page.
    press(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("card-vault") && !s.contains("4 of 25"), "{s}");
    assert_eq!(app.stack().len(), 1);
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());
}

#[test]
fn depth_and_direction_keys_work_while_the_tree_filter_matches_nothing() {
    let mut app = on_tab("payments-api", "Dependencies");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "zzz");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 100, 40);
    assert!(
        s.contains("/zzz  0 of 25") && s.contains("· depth 5 ·"),
        "{s}"
    );
    press(&mut app, KeyCode::Char('-'));
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("· depth 4 ·"), "- with no row shown: {s}");
    press(&mut app, KeyCode::Char('+'));
    press(&mut app, KeyCode::Char('+'));
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("· depth 6 ·"), "+ with no row shown: {s}");
    press(&mut app, KeyCode::Char('r'));
    let s = screen(&mut app, 100, 40);
    assert!(
        s.contains("Reverse: what needs it · depth 6"),
        "r with no row shown: {s}"
    );
}

#[test]
fn ownership_filter_keeps_the_matching_rows_under_their_heading() {
    let mut app = on_tab("ledger-writer", "Ownership");
    let before = screen(&mut app, 100, 40);
    assert!(before.contains("On-call"), "{before}");
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "emma");
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("Members ("), "the heading stays: {s}");
    assert!(s.contains("user:emma.lindqvist"), "{s}");
    assert!(!s.contains("On-call") && !s.contains("Parents"), "{s}");
    assert!(s.contains("1 of "), "{s}");
    let selected = s.lines().find(|l| l.starts_with('▶')).unwrap_or_default();
    assert!(selected.contains("emma.lindqvist"), "{s}");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 100, 40).contains("[User] emma.lindqvist"));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(screen(&mut app, 100, 40).contains("On-call"));
    assert_eq!(app.stack().len(), 1);
}
