//! OSC 8 hyperlinks in the panes, and the links list: `TestBackend` frames with hyperlinks off
//! (the default: nothing changes) and on (the cells carry the links, the text and widths stay),
//! hostile URLs, and the links list's keys.

use super::action::Action;
use super::app::{update, App};
use super::state_tests::{demo, type_text};
use super::task::Task;
use super::ui;
use super::widgets::hyperlink::{safe_url, strip_links, visible_row};
use crate::catalog::Catalog;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

/// Carries out docs page reads at once, as the event loop would in the background.
fn settle(app: &mut App, tasks: impl IntoIterator<Item = Task>) -> Option<Task> {
    match tasks.into_iter().next() {
        Some(Task::ReadDocsPage(request)) => {
            let next = update(
                app,
                Action::Reply(crate::tui::reply::Reply::DocsPage(request.run())),
            );
            settle(app, next)
        }
        other => other,
    }
}

fn press(app: &mut App, code: KeyCode) -> Option<Task> {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event)?;
    let effect = update(app, action);
    settle(app, effect)
}

/// One frame as ratatui rendered it (with each cell's `skip` flag).
fn frame(app: &mut App, width: u16, height: u16) -> Buffer {
    let effect = update(app, Action::Resize(width, height));
    settle(app, effect);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend")
        .buffer
        .clone()
}

/// The frame with hyperlinks off and on; asserts the text a reader sees is the same in both.
fn off_and_on(app: &mut App, width: u16, height: u16) -> (Buffer, Buffer) {
    app.set_hyperlinks(false);
    let off = frame(app, width, height);
    app.set_hyperlinks(true);
    let on = frame(app, width, height);
    app.set_hyperlinks(false);
    for cell in off.content() {
        assert!(
            !cell.symbol().contains('\x1b') && !cell.skip,
            "hyperlinks off, yet a cell holds {:?}",
            cell.symbol()
        );
    }
    for y in 0..height {
        assert_eq!(visible_row(&on, y), visible_row(&off, y), "row {y} changed");
    }
    assert_well_formed(&on);
    (off, on)
}

/// Every escape in the frame is an OSC 8 link to a safe URL around plain text.
fn assert_well_formed(buf: &Buffer) {
    for cell in buf.content() {
        let s = cell.symbol();
        assert!(
            !strip_links(s).chars().any(char::is_control),
            "a control character outside a link: {s:?}"
        );
        for part in s.split("\x1b]8;;").skip(1) {
            let url = part.split("\x1b\\").next().unwrap_or_default();
            assert!(
                url.is_empty() || safe_url(url).is_some(),
                "unsafe link {url:?}"
            );
        }
    }
}

/// The URLs the frame links to, in order of appearance (each chunk once).
fn linked_urls(buf: &Buffer) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cell in buf.content() {
        if let Some(rest) = cell.symbol().strip_prefix("\x1b]8;;") {
            let url = rest.split("\x1b\\").next().unwrap_or_default().to_string();
            if out.last() != Some(&url) {
                out.push(url);
            }
        }
    }
    out
}

fn open(app: &mut App, query: &str) {
    type_text(app, query);
    press(app, KeyCode::Enter);
    assert!(app.current_entity().is_some(), "{query} did not open");
}

fn to_tab(app: &mut App, tab: &str) {
    for _ in 0..6 {
        let shown = (0..5)
            .map(|y| visible_row(&frame(app, 100, 30), y))
            .collect::<String>();
        if shown.contains(&format!("▸{tab}")) {
            return;
        }
        press(app, KeyCode::Tab);
    }
    panic!("no {tab} tab");
}

#[test]
fn hyperlinks_are_off_by_default() {
    let app = App::loaded(demo());
    assert!(!app.prefs().hyperlinks);
}

#[test]
fn ownership_tab_links_emails_as_mailto_and_the_owners_links() {
    let mut app = App::loaded(demo());
    open(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Char('o'));
    let (_, on) = off_and_on(&mut app, 100, 40);
    let urls = linked_urls(&on);
    assert!(
        urls.contains(&"mailto:emma.lindqvist@northwind.example".to_string()),
        "{urls:?}"
    );
    assert!(
        urls.contains(&"https://northwind.pagerduty.com/schedules/PSLDG01".to_string()),
        "{urls:?}"
    );
}

#[test]
fn overview_links_metadata_links_and_url_annotations() {
    let mut app = App::loaded(demo());
    open(&mut app, "ledger-writer");
    let (_, on) = off_and_on(&mut app, 120, 40);
    let urls = linked_urls(&on);
    for url in [
        "https://grafana.northwind.example/d/ledger-writer",
        "https://runbooks.northwind.example/ledger/ledger-writer",
        "https://github.com/northwind/ledger-writer/",
    ] {
        assert!(urls.contains(&url.to_string()), "{url} not in {urls:?}");
    }
}

#[test]
fn docs_tab_links_web_links_but_not_links_between_pages() {
    let mut app = App::loaded(demo());
    open(&mut app, "ledger-writer");
    to_tab(&mut app, "Docs");
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']')); // the runbook
    let (_, on) = off_and_on(&mut app, 120, 40);
    let urls = linked_urls(&on);
    assert_eq!(
        urls,
        ["https://grafana.northwind.example/d/ledger-writer"],
        "{urls:?}"
    );
}

#[test]
fn api_tab_links_openapi_servers() {
    let mut app = App::loaded(demo());
    open(&mut app, "payments-v1-api");
    to_tab(&mut app, "API");
    let (_, on) = off_and_on(&mut app, 100, 30);
    assert!(linked_urls(&on).contains(&"https://api.northwind.example/v1".to_string()));
}

fn hostile(dir: &std::path::Path) -> Catalog {
    std::fs::write(
        dir.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile
  annotations:
    backstage.io/view-url: \"https://evil.example/\\e]8;;https://bank.example\\e\\\\\"
    backstage.io/edit-url: \"https://evil.example/\\a\"
  links:
    - url: javascript:alert(1)
      title: Click me
    - url: \"https://evil.example/\\e[2J\"
    - url: https://fine.example/ok
spec:
  type: service
  lifecycle: production
  owner: nobody
",
    )
    .expect("write the fixture");
    crate::source::load_blocking(&[crate::source::SourceSpec::Files {
        name: "t".into(),
        paths: vec![dir.to_string_lossy().into()],
    }])
}

#[test]
fn hostile_urls_are_never_linked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = App::loaded(hostile(dir.path()));
    open(&mut app, "hostile");
    let (_, on) = off_and_on(&mut app, 120, 30);
    // The loader already cut the escape sequences out of the URLs (what is left is a plain
    // https URL); `javascript:` is drawn as text.
    let mut urls = linked_urls(&on);
    urls.sort();
    urls.dedup();
    assert_eq!(
        urls,
        ["https://evil.example/", "https://fine.example/ok"],
        "{urls:?}"
    );
    // The links list never offers them either.
    press(&mut app, KeyCode::Char('O'));
    let (_, on) = off_and_on(&mut app, 120, 30);
    let urls = linked_urls(&on);
    assert!(urls.iter().all(|u| !u.contains("javascript")), "{urls:?}");
}

#[test]
fn the_status_line_links_the_url_it_names() {
    let mut app = App::loaded(demo());
    app.status_info("copied https://ex.example/x to the clipboard (OSC 52)");
    let (_, on) = off_and_on(&mut app, 100, 20);
    assert_eq!(linked_urls(&on), ["https://ex.example/x"]);
}

#[test]
fn links_list_opens_with_o_and_enter_opens_y_copies_esc_returns() {
    let mut app = App::loaded(demo());
    open(&mut app, "ledger-writer");
    assert!(press(&mut app, KeyCode::Char('O')).is_none());
    assert!(
        app.breadcrumbs().ends_with("› Links"),
        "{}",
        app.breadcrumbs()
    );
    insta::assert_snapshot!(
        "links_list",
        Terminal::new(TestBackend::new(80, 12))
            .map(|mut t| {
                update(&mut app, Action::Resize(80, 12));
                t.draw(|f| ui::render(&app, f)).expect("draw");
                t
            })
            .expect("test backend")
            .backend()
    );
    assert!(
        matches!(press(&mut app, KeyCode::Enter), Some(Task::OpenUrl(value)) if value == "https://github.com/northwind/ledger-writer/")
    );
    press(&mut app, KeyCode::Down);
    assert!(
        matches!(press(&mut app, KeyCode::Char('y')), Some(Task::Copy(value)) if value == "https://grafana.northwind.example/d/ledger-writer")
    );
    assert!(app
        .status()
        .as_ref()
        .is_some_and(|s| s.text.contains("grafana.northwind.example")));
    press(&mut app, KeyCode::Esc);
    assert!(
        app.breadcrumbs().ends_with("ledger-writer"),
        "{}",
        app.breadcrumbs()
    );
}

#[test]
fn palette_links_lists_the_selected_search_results_links() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    update(&mut app, Action::RunCommand("links".into()));
    assert!(
        app.breadcrumbs().ends_with("› Links"),
        "{}",
        app.breadcrumbs()
    );
    let shown = (0..12)
        .map(|y| visible_row(&frame(&mut app, 80, 12), y))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        shown.contains("Links of component:default/ledger-writer"),
        "{shown}"
    );
    assert!(
        shown.contains("Runbook  https://runbooks.northwind.example"),
        "{shown}"
    );
}

#[test]
fn an_entity_without_links_says_so_and_enter_does_nothing() {
    let mut app = App::loaded(crate::fixtures::fixture("ownership-gaps.yaml"));
    open(&mut app, "ownerless-template");
    press(&mut app, KeyCode::Char('O'));
    let shown = (0..12)
        .map(|y| visible_row(&frame(&mut app, 80, 12), y))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(shown.contains("no links"), "{shown}");
    assert!(press(&mut app, KeyCode::Enter).is_none());
    assert!(app
        .status()
        .as_ref()
        .is_some_and(|s| s.text == "this entity has no links"));
}

#[test]
fn the_help_overlay_lists_the_links_key() {
    let mut app = App::loaded(demo());
    open(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Char('?'));
    let shown = (0..40)
        .map(|y| visible_row(&frame(&mut app, 100, 40), y))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        shown.contains("O                the entity's links to open"),
        "{shown}"
    );
}
