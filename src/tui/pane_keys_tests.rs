//! Help (F1/?) and the hint bar show the keys of the pane or tab on screen, not every key of
//! its mode: drawn with `TestBackend`, as a user sees them.

use super::action::Action;
use super::app::{update, App};
use super::state_tests::{demo, type_text};
use super::test_screen::help_rows;
use super::test_screen::{press, screen};
use crossterm::event::KeyCode;

fn has(rows: &[String], what: &str) -> bool {
    rows.iter().any(|r| r.contains(what))
}

fn hint_bar(app: &mut App) -> String {
    screen(app, 160, 30)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

fn on_tab(app: &mut App, tab: &str) {
    for _ in 0..8 {
        if screen(app, 120, 30).contains(&format!("▸{tab}")) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("no {tab} tab");
}

#[test]
fn help_lists_the_keys_of_the_tab_on_screen() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);

    let overview = help_rows(&mut app);
    assert!(has(&overview, "/ filter the list"), "{overview:#?}");
    assert!(has(&overview, "Tab next tab"), "{overview:#?}");
    assert!(!has(&overview, "one level deeper"), "{overview:#?}");
    assert!(!has(&overview, "next page"), "{overview:#?}");
    assert!(!has(&overview, "unfold the tree node"), "{overview:#?}");

    on_tab(&mut app, "Dependencies");
    let deps = help_rows(&mut app);
    assert!(has(&deps, "one level deeper"), "{deps:#?}");
    assert!(has(&deps, "unfold the tree node"), "{deps:#?}");
    assert!(!has(&deps, "select the next link"), "{deps:#?}");
    assert!(has(&deps, "filter the list"), "the tree filters: {deps:#?}");
    assert!(
        has(&deps, "switch forward / reverse"),
        "a component's tree turns round: {deps:#?}"
    );

    on_tab(&mut app, "Docs");
    let docs = help_rows(&mut app);
    assert!(has(&docs, "next page"), "{docs:#?}");
    assert!(has(&docs, "select the next link"), "{docs:#?}");
    assert!(!has(&docs, "one level deeper"), "{docs:#?}");

    // The overlay names the pane it lists.
    press(&mut app, KeyCode::F(1));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Keys: ledger-writer"), "{s}");
}

#[test]
fn the_hint_bar_follows_the_tab_and_the_filter_line() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    let overview = hint_bar(&mut app);
    assert!(overview.contains("/ filter"), "{overview}");
    on_tab(&mut app, "Ownership");
    let ownership = hint_bar(&mut app);
    assert!(ownership.contains("/ filter"), "{ownership}");
    assert!(ownership.contains("Tab tabs"), "{ownership}");

    // The teams list with its filter line open: typing keys, not the search pane's.
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("teams".into()));
    press(&mut app, KeyCode::Char('/'));
    let bar = hint_bar(&mut app);
    assert!(bar.contains("Enter open"), "{bar}");
    assert!(!bar.contains("Ctrl-O"), "{bar}");
    let rows = help_rows(&mut app);
    assert!(has(&rows, "type into the filter"), "{rows:#?}");
    assert!(has(&rows, "delete a word"), "{rows:#?}");
    assert!(!has(&rows, "open ownership"), "{rows:#?}");
}

#[test]
fn help_over_a_form_lists_the_focused_fields_own_keys() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("templates".into()));
    type_text(&mut app, "go service");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.pane_mode(),
        super::keymap::Mode::Form,
        "the form is open"
    );
    let rows = help_rows(&mut app);
    assert!(has(&rows, "next field"), "{rows:#?}");
    assert!(has(&rows, "edit the field"), "{rows:#?}");
    assert!(
        !has(&rows, "move up"),
        "the form has no such binding: {rows:#?}"
    );
    // The next fields: a multi-line description, then an owner picker.
    press(&mut app, KeyCode::Tab);
    let rows = help_rows(&mut app);
    assert!(has(&rows, "a new line"), "{rows:#?}");
    press(&mut app, KeyCode::Tab);
    let rows = help_rows(&mut app);
    assert!(has(&rows, "filter the candidates"), "{rows:#?}");
    assert!(has(&rows, "pick the candidate"), "{rows:#?}");
    assert!(!has(&rows, "a new line"), "{rows:#?}");
}

#[test]
fn t_is_listed_only_on_a_templates_page_and_e_only_with_a_file_to_edit() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    let rows = help_rows(&mut app);
    assert!(!has(&rows, "fill this template's form"), "{rows:#?}");
    assert!(has(&rows, "star / unstar as a favourite"), "{rows:#?}");
    // The demo is compiled in: nothing to edit, so `e` is not offered.
    assert!(!has(&rows, "edit the file in $EDITOR"), "{rows:#?}");
    press(&mut app, KeyCode::Char('s'));
    update(&mut app, Action::ClearInput);
    type_text(&mut app, "kind:template go-service");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 120, 30).contains("[Template] go-service"));
    let rows = help_rows(&mut app);
    assert!(has(&rows, "t fill this template's form"), "{rows:#?}");
    // And `t` does what help says.
    press(&mut app, KeyCode::Char('t'));
    assert_eq!(app.pane_mode(), super::keymap::Mode::Form);
}

#[test]
fn e_is_listed_on_the_page_of_an_entity_read_from_a_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("catalog-info.yaml");
    std::fs::write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: alpha\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    )
    .expect("the file is written");
    let path = file.to_string_lossy().into_owned();
    let catalog = crate::source::load_blocking(&[crate::source::SourceSpec::Files {
        name: "files".into(),
        paths: vec![path],
    }]);
    let mut app = App::loaded(catalog);
    type_text(&mut app, "alpha");
    press(&mut app, KeyCode::Enter);
    let rows = help_rows(&mut app);
    assert!(has(&rows, "e edit the file in $EDITOR"), "{rows:#?}");
    assert!(!has(&rows, "fill this template's form"), "{rows:#?}");
}

#[test]
fn initiatives_insights_and_teams_list_their_own_keys_only() {
    for (command, wanted, not) in [
        (
            "initiatives",
            &["filter the list", "open"][..],
            &["switch forward / reverse", "star / unstar"][..],
        ),
        ("insights", &["move down"], &["filter the list", "open"]),
        (
            "teams",
            &[
                "filter the list",
                "copy the entity ref",
                "open the selected item",
            ],
            &["switch forward / reverse", "one level deeper"],
        ),
    ] {
        let mut app = App::loaded(demo());
        update(&mut app, Action::RunCommand(command.into()));
        let rows = help_rows(&mut app);
        for w in wanted {
            assert!(has(&rows, w), "{command} lists {w}: {rows:#?}");
        }
        for n in not {
            assert!(!has(&rows, n), "{command} does not list {n}: {rows:#?}");
        }
    }
}
