//! The readline keys in every one-line field, fed through the real keymap to `update`: the
//! search query, the palette, the templates filter, the find prompts and the form's fields;
//! the cursor drawn where the user types.

use super::action::Action;
use super::app::{update, App, Overlay};
use super::snapshot_tests::draw;
use super::state_tests::{demo, type_text};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Position;

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        update(app, action);
    }
}

fn press(app: &mut App, code: KeyCode) {
    key(app, code, KeyModifiers::NONE);
}

fn ctrl(app: &mut App, c: char) {
    key(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}

fn selected_name(app: &App) -> String {
    let id = app.search().selected_id().expect("a selection");
    app.catalog().get(id).metadata.name.clone()
}

/// The cursor's place after drawing the app at `width` x `height`.
fn cursor(app: &mut App, width: u16, height: u16) -> Position {
    let mut terminal = draw(app, width, height);
    terminal.get_cursor_position().expect("a cursor")
}

#[test]
fn a_typo_in_the_middle_of_the_query_is_fixed_with_left_and_typing() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ldger writer");
    for _ in 0.."dger writer".len() {
        press(&mut app, KeyCode::Left);
    }
    type_text(&mut app, "e");
    assert_eq!(app.search().query.text(), "ledger writer");
    assert_eq!(app.search().query.cursor_chars(), 2);
    assert_eq!(selected_name(&app), "ledger-writer", "the query ran again");
    // "Search: " is 8 columns: the cursor sits after "le".
    assert_eq!(cursor(&mut app, 100, 30), Position::new(10, 0));
}

#[test]
fn home_end_ctrl_a_ctrl_e_ctrl_k_ctrl_u_delete_and_the_word_keys() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "kind:component ledger");
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Delete);
    assert_eq!(app.search().query.text(), "ind:component ledger");
    ctrl(&mut app, 'e');
    key(&mut app, KeyCode::Backspace, KeyModifiers::ALT);
    assert_eq!(app.search().query.text(), "ind:component ");
    type_text(&mut app, "ledger");
    ctrl(&mut app, 'a');
    type_text(&mut app, "k");
    assert_eq!(app.search().query.text(), "kind:component ledger");
    // Ctrl-K deletes from the cursor to the end.
    press(&mut app, KeyCode::End);
    for _ in 0.."ledger".len() {
        press(&mut app, KeyCode::Left);
    }
    ctrl(&mut app, 'k');
    assert_eq!(app.search().query.text(), "kind:component ");
    // Ctrl-W deletes the word before the cursor, Ctrl-U all that is before it.
    type_text(&mut app, "ledger");
    for _ in 0.."ledger".len() {
        press(&mut app, KeyCode::Left);
    }
    ctrl(&mut app, 'w');
    assert_eq!(app.search().query.text(), "ledger");
    press(&mut app, KeyCode::Right);
    ctrl(&mut app, 'u');
    assert_eq!(app.search().query.text(), "edger");
    assert_eq!(app.search().query.cursor_chars(), 0);
}

#[test]
fn the_cursor_is_drawn_after_wide_and_combining_characters() {
    let mut app = App::loaded(demo());
    // Two wide characters (two columns each) and an e with a combining accent (one column).
    type_text(&mut app, "日本e\u{301}x");
    assert_eq!(cursor(&mut app, 100, 30), Position::new(8 + 6, 0));
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    assert_eq!(
        cursor(&mut app, 100, 30),
        Position::new(8 + 4, 0),
        "one Left steps over the accented e, the next over x"
    );
}

#[test]
fn a_long_query_scrolls_to_show_the_cursor() {
    let mut app = App::loaded(demo());
    type_text(
        &mut app,
        "kind:component owner:payments-team lifecycle:production ledger",
    );
    press(&mut app, KeyCode::Home);
    let terminal = draw(&mut app, 40, 10);
    insta::assert_snapshot!(terminal.backend());
    press(&mut app, KeyCode::End);
    let mut terminal = draw(&mut app, 40, 10);
    let row: String = (0..40)
        .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_string())
        .collect();
    assert!(row.contains("…"), "{row}");
    assert!(row.contains("ledger"), "{row}");
    let at = terminal.get_cursor_position().expect("a cursor");
    assert_eq!(at.y, 0);
    assert!(at.x < 40);
}

#[test]
fn a_paste_with_newlines_is_one_line_with_spaces_at_the_cursor() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "writer");
    press(&mut app, KeyCode::Home);
    update(&mut app, Action::Paste("ledger\n".into()));
    assert_eq!(app.search().query.text(), "ledgerwriter");
    update(&mut app, Action::Paste("a\nb\r\nc\td".into()));
    assert_eq!(app.search().query.text(), "ledgera b c dwriter");
}

#[test]
fn the_palette_takes_the_same_keys() {
    let mut app = App::loaded(demo());
    ctrl(&mut app, 'p');
    type_text(&mut app, "thme light");
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    type_text(&mut app, "e");
    press(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Backspace, KeyModifiers::ALT);
    type_text(&mut app, "mono");
    let Some(Overlay::Palette(palette)) = &app.overlay() else {
        panic!("the palette is open");
    };
    assert_eq!(palette.input.text(), "theme mono");
    // "> " then the text: the cursor after "theme mono".
    let at = cursor(&mut app, 100, 30);
    let mut terminal = draw(&mut app, 100, 30);
    let row: String = (0..100)
        .map(|x| terminal.backend().buffer()[(x, at.y)].symbol().to_string())
        .collect();
    assert!(row.contains("> theme mono"), "{row}");
    assert_eq!(terminal.get_cursor_position().expect("cursor"), at);
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay().is_none());
}

#[test]
fn the_templates_filter_and_the_raw_find_prompt_take_the_same_keys() {
    let mut app = App::loaded(demo());
    ctrl(&mut app, 'p');
    type_text(&mut app, "templates");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "srvice");
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Right);
    type_text(&mut app, "e");
    let mut terminal = draw(&mut app, 100, 30);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("filter › service"), "{screen}");
    assert_eq!(
        terminal.get_cursor_position().expect("cursor"),
        Position::new(text_width("filter › ") + 2, 1),
        "after \"se\""
    );
    // The raw view's find prompt (`/`).
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'p');
    type_text(&mut app, "raw");
    press(&mut app, KeyCode::Enter);
    type_text(&mut app, "/");
    type_text(&mut app, "ownr");
    press(&mut app, KeyCode::Left);
    type_text(&mut app, "e");
    let terminal = draw(&mut app, 100, 30);
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("Find: owner"), "{screen}");
}

fn text_width(s: &str) -> u16 {
    crate::text::width(s) as u16
}
