//! Screens drawn with ratatui's `TestBackend` at fixed sizes and compared with the reviewed
//! snapshots in `src/tui/snapshots/`, plus the guarantee that no cell holds a control
//! character whatever an entity contains.

use super::action::Action;
use super::app::{update, App};
use super::state_tests::{demo, type_text};
use super::ui;
use crate::catalog::{Entity, Origin};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

pub(super) fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    update(app, Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    terminal
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        update(app, action);
    }
}

fn searched(query: &str) -> App {
    let mut app = App::loaded(demo());
    type_text(&mut app, query);
    app
}

fn entity_view(query: &str) -> App {
    let mut app = searched(query);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    app
}

pub(super) fn assert_clean(buffer: &Buffer) {
    for cell in buffer.content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control character in cell {:?}",
            cell.symbol()
        );
    }
}

#[test]
fn search_pane_with_a_query() {
    let mut app = searched("ledgr");
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn search_pane_on_start_lists_everything() {
    let mut app = App::loaded(demo());
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn search_pane_with_an_unknown_filter_shows_a_hint() {
    let mut app = searched("colour:blue ledger");
    insta::assert_snapshot!(draw(&mut app, 100, 12).backend());
}

#[test]
fn search_pane_in_a_tiny_terminal() {
    let mut app = searched("ledgr");
    insta::assert_snapshot!(draw(&mut app, 30, 10).backend());
}

#[test]
fn entity_view_overview() {
    let mut app = entity_view("ledger-writer");
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn entity_view_in_a_tiny_terminal() {
    let mut app = entity_view("ledger-writer");
    insta::assert_snapshot!(draw(&mut app, 30, 10).backend());
}

#[test]
fn entity_view_marks_a_missing_relation_target() {
    let mut app = entity_view("settlement-batch");
    press(&mut app, KeyCode::End, KeyModifiers::NONE);
    let terminal = draw(&mut app, 100, 30);
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn help_overlay_over_the_entity_view() {
    let mut app = entity_view("ledger-writer");
    press(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn help_overlay_in_a_tiny_terminal() {
    let mut app = App::loaded(demo());
    press(&mut app, KeyCode::F(1), KeyModifiers::NONE);
    insta::assert_snapshot!(draw(&mut app, 30, 10).backend());
}

#[test]
fn problems_pane() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("problems".into()));
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn palette_filtered_to_theme() {
    let mut app = App::loaded(demo());
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    type_text(&mut app, "them");
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn too_small_terminal_says_so() {
    let mut app = searched("ledgr");
    insta::assert_snapshot!(draw(&mut app, 20, 10).backend());
}

#[test]
fn no_size_ever_panics() {
    for (w, h) in [
        (0, 0),
        (1, 1),
        (29, 10),
        (30, 9),
        (30, 10),
        (31, 11),
        (500, 3),
        (3, 500),
    ] {
        for app in [
            &mut searched("ledgr"),
            &mut entity_view("ledger-writer"),
            &mut {
                let mut a = entity_view("ledger-writer");
                press(&mut a, KeyCode::Char('?'), KeyModifiers::NONE);
                a
            },
            &mut {
                let mut a = App::loaded(demo());
                press(&mut a, KeyCode::Char('p'), KeyModifiers::CONTROL);
                a
            },
        ] {
            let terminal = draw(app, w, h);
            assert_clean(terminal.backend().buffer());
        }
    }
}

#[test]
fn a_hostile_entity_never_puts_a_control_character_in_a_cell() {
    let hostile = serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {
            "name": "hostile",
            "title": "Evil\u{1b}[2J\u{1b}]0;pwned\u{7} title\r\n",
            "description": "line one\u{1b}]0;owned title\u{7}\n\ttabbed\u{1b}[31m red \u{9b}1m\r\nrtl \u{202e}reversed\u{202c} and\u{0} nul\u{8}\u{7f}",
            "tags": ["t\u{1b}[5mag"],
            "annotations": {"evil\u{1b}]8;;http://x\u{7}": "v\u{1b}P dcs \u{1b}\\alue\n"},
            "links": [{"url": "https://example.com/\u{1b}[1m", "title": "li\u{7}nk"}]
        },
        "spec": {"type": "service\u{1b}[0m", "lifecycle": "prod\u{1b}uction", "owner": "ledger-team", "dependsOn": ["component:ledger-writer"]}
    });
    let (entity, _) = Entity::from_value(hostile, Origin::new("hostile.yaml", Some(1)))
        .expect("an entity despite the junk");
    let mut catalog = demo();
    catalog.insert(entity);
    catalog.check_references();
    let mut app = App::loaded(catalog);
    type_text(&mut app, "hostile");
    for (w, h) in [(100, 30), (30, 10), (200, 50)] {
        assert_clean(draw(&mut app, w, h).backend().buffer());
    }
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(
        app.current_entity()
            .map(|id| app.catalog().get(id).metadata.name.clone()),
        Some("hostile".into())
    );
    for (w, h) in [(100, 30), (30, 10), (200, 50)] {
        assert_clean(draw(&mut app, w, h).backend().buffer());
    }
    update(&mut app, Action::RunCommand("problems".into()));
    assert_clean(draw(&mut app, 100, 30).backend().buffer());
}

#[test]
fn huge_strings_are_cut_to_the_screen() {
    let long = "x".repeat(200_000);
    let value = serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "long", "title": long, "description": long, "tags": ["a"]},
        "spec": {"type": "service", "lifecycle": "production", "owner": "ledger-team"}
    });
    let (entity, _) = Entity::from_value(value, Origin::new("long.yaml", None)).unwrap();
    let mut catalog = demo();
    catalog.insert(entity);
    let mut app = App::loaded(catalog);
    type_text(&mut app, "long");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let terminal = draw(&mut app, 60, 20);
    let screen = terminal.backend().to_string();
    assert!(screen.contains("[Component] long"), "{screen}");
    press(&mut app, KeyCode::End, KeyModifiers::NONE);
    assert_clean(draw(&mut app, 60, 20).backend().buffer());
}

#[test]
fn mono_theme_marks_the_selection_without_colour() {
    let mut app = searched("ledgr");
    update(&mut app, Action::RunCommand("theme mono".into()));
    let terminal = draw(&mut app, 100, 30);
    let buffer = terminal.backend().buffer();
    let selected_row = (0..30u16)
        .find(|&y| buffer[(0, y)].symbol() == "▶")
        .expect("a marker on the selected row");
    let cell = &buffer[(5, selected_row)];
    assert!(cell.modifier.contains(ratatui::style::Modifier::REVERSED));
    assert!(buffer
        .content()
        .iter()
        .all(|c| c.fg == ratatui::style::Color::Reset && c.bg == ratatui::style::Color::Reset));
}

/// The x of the first cell where `needle` starts on row `y` (wide characters take two cells,
/// the second one empty).
fn column_of(buffer: &Buffer, y: u16, needle: &str) -> Option<u16> {
    let width = buffer.area.width;
    (0..width).find(|&x| {
        let mut s = String::new();
        for cx in x..width {
            s.push_str(buffer[(cx, y)].symbol());
            if s.len() >= needle.len() {
                break;
            }
        }
        s.starts_with(needle)
    })
}

#[test]
fn wide_and_combining_titles_keep_the_result_columns_aligned() {
    let titles = [
        "台北支付服务台北支付服务台北支付服务台北支付服务台北支付服务",
        "🚀 rocket 👩‍👩‍👧 family 🇯🇵 flags 🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀",
        "e\u{301}\u{301}\u{301}cole combining a\u{308}\u{308} marks \u{200b}zero width",
        "ｆｕｌｌｗｉｄｔｈ ＡＢＣ and 한국어 텍스트 and ｶﾀｶﾅ half",
        "plain ascii title",
    ];
    let mut catalog = demo();
    for (i, title) in titles.iter().enumerate() {
        let value = serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": format!("wide-{i}"), "title": title},
            "spec": {"type": "service", "lifecycle": "production", "owner": "ledger-team"}
        });
        let (entity, _) = Entity::from_value(value, Origin::new("wide.yaml", None)).unwrap();
        catalog.insert(entity);
    }
    catalog.check_references();
    let mut app = App::loaded(catalog);
    type_text(&mut app, "wide-");
    for (w, h) in [(100, 20), (140, 20), (75, 20)] {
        let terminal = draw(&mut app, w, h);
        let buffer = terminal.backend().buffer();
        let rows: Vec<u16> = (0..h)
            .filter(|&y| {
                column_of(buffer, y, "wide-").is_some() && column_of(buffer, y, "Search").is_none()
            })
            .collect();
        assert_eq!(rows.len(), titles.len(), "every result shown at {w}x{h}");
        let header = (0..h)
            .find(|&y| column_of(buffer, y, "OWNER").is_some())
            .expect("a header row");
        let owner_x = column_of(buffer, header, "OWNER").unwrap();
        for &y in &rows {
            assert_eq!(
                column_of(buffer, y, "ledger-team"),
                Some(owner_x),
                "owner column moved on row {y} at {w}x{h}:\n{}",
                terminal.backend()
            );
            if let Some(life_x) = column_of(buffer, header, "LIFECYCLE") {
                assert_eq!(column_of(buffer, y, "production"), Some(life_x), "row {y}");
            }
            // The row never spills past the screen: the last cell is padding or content.
            assert!(buffer[(w - 1, y)].symbol().chars().count() <= 1);
        }
    }
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn overview_opens_at_its_top_on_small_terminals_and_scrolls_back() {
    for (width, height) in [(80, 24), (100, 20), (60, 12)] {
        let mut app = entity_view("ledger-writer");
        let shown = screen(&draw(&mut app, width, height));
        assert!(
            shown.contains("Description"),
            "{width}x{height} opens at the top:\n{shown}"
        );
        // Down reaches the relations, with the selection marked.
        for _ in 0..30 {
            press(&mut app, KeyCode::Down, KeyModifiers::NONE);
            draw(&mut app, width, height);
        }
        let shown = screen(&draw(&mut app, width, height));
        assert!(shown.contains('▶'), "{width}x{height}:\n{shown}");
        assert!(!shown.contains("Description"), "{width}x{height}:\n{shown}");
        for (code, times) in [
            (KeyCode::Home, 1),
            (KeyCode::Char('g'), 1),
            (KeyCode::PageUp, 8),
            (KeyCode::Char('k'), 60),
            (KeyCode::Up, 60),
        ] {
            press(&mut app, KeyCode::Char('G'), KeyModifiers::NONE);
            draw(&mut app, width, height);
            let shown = screen(&draw(&mut app, width, height));
            assert!(
                !shown.contains("Description"),
                "G goes to the end:\n{shown}"
            );
            for _ in 0..times {
                press(&mut app, code, KeyModifiers::NONE);
                draw(&mut app, width, height);
            }
            let shown = screen(&draw(&mut app, width, height));
            assert!(
                shown.contains("Description"),
                "{code:?} scrolls back to the top at {width}x{height}:\n{shown}"
            );
        }
    }
}

#[test]
fn in_docs_in_the_portal_finds_the_docs_page_the_cli_finds() {
    let mut app = searched("in:docs hot accounts");
    let shown = screen(&draw(&mut app, 100, 20));
    assert!(
        shown.contains("Enter lists the docs headings holding \"hot accounts\""),
        "{shown}"
    );
    let event = KeyEvent::new_with_kind(KeyCode::Enter, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event).expect("Enter is bound");
    let tasks = update(&mut app, action);
    let request = tasks
        .into_iter()
        .find_map(|t| match t {
            super::task::Task::ReadDocsPage(r) => Some(r),
            _ => None,
        })
        .expect("the docs are searched off the UI thread");
    let shown = screen(&draw(&mut app, 100, 20));
    assert!(shown.contains("searching…"), "{shown}");
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(request.run())),
    );
    let shown = screen(&draw(&mut app, 100, 20));
    assert!(shown.contains("component:default/ledger-writer"), "{shown}");
    assert!(shown.contains("1 heading(s)"), "{shown}");
    assert!(
        shown.contains("runbook.md#hot-accounts  Hot accounts"),
        "{shown}"
    );
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let shown = screen(&draw(&mut app, 100, 20));
    assert!(shown.contains("ledger-writer"), "{shown}");
    assert!(
        shown.contains("▸Docs"),
        "the entity opens on its Docs tab:\n{shown}"
    );
}

/// Screens that show a selected row: the search pane, the entity's relations and dependency
/// tree, and the list panes.
fn selection_screens(theme: &str) -> Vec<(String, Terminal<TestBackend>)> {
    let mut out = Vec::new();
    let themed = |mut app: App| {
        app.set_theme(super::theme::Theme::builtin(theme).expect("a built-in theme"));
        app
    };
    let mut app = themed(searched("ledger"));
    out.push(("search".to_string(), draw(&mut app, 100, 30)));
    let mut app = themed(entity_view("ledger-writer"));
    for _ in 0..20 {
        press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    out.push(("overview".to_string(), draw(&mut app, 100, 30)));
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    out.push(("dependencies".to_string(), draw(&mut app, 100, 30)));
    for command in ["teams", "sources", "problems", "templates", "scorecards"] {
        let mut app = themed(App::loaded(demo()));
        update(&mut app, Action::RunCommand(command.into()));
        press(&mut app, KeyCode::Down, KeyModifiers::NONE);
        out.push((command.to_string(), draw(&mut app, 100, 30)));
    }
    out
}

#[test]
fn selected_rows_are_readable_in_every_theme() {
    use ratatui::style::Color;
    for theme in ["dark", "light", "mono"] {
        let selection = super::theme::Theme::builtin(theme)
            .expect("theme")
            .style(super::theme::Token::Selection);
        for (name, terminal) in selection_screens(theme) {
            let buffer = terminal.backend().buffer();
            let mut selected_cells = 0;
            for cell in buffer.content() {
                if cell.bg != Color::Reset && cell.bg == cell.fg {
                    panic!(
                        "{theme} {name}: {:?} drawn in its background colour {:?}\n{}",
                        cell.symbol(),
                        cell.bg,
                        screen(&terminal)
                    );
                }
                if selection.bg.is_some_and(|bg| bg == cell.bg) && cell.symbol() != " " {
                    selected_cells += 1;
                    assert_eq!(
                        Some(cell.fg),
                        selection.fg,
                        "{theme} {name}: {:?} on the selection is not in the selection's colour",
                        cell.symbol()
                    );
                }
            }
            if theme != "mono" && name != "sources" {
                assert!(
                    selected_cells > 0,
                    "{theme} {name}: no selection drawn\n{}",
                    screen(&terminal)
                );
            }
            // (The Sources pane of a test app lists no source.)
            if theme == "mono" && name != "sources" {
                assert!(
                    screen(&terminal).contains('▶'),
                    "mono {name}: the selection is marked with ▶\n{}",
                    screen(&terminal)
                );
            }
        }
    }
}
