//! Refreshing sources in the portal: new data swapped in without losing the user's place, a
//! failed refresh keeping the cached data, the status bar's account of each source, and the
//! Sources pane.

use super::action::Action;
use super::app::{update, App, Effect};
use super::keymap::Keymap;
use super::state_tests::{demo, type_text};
use super::ui;
use crate::catalog::{Catalog, Entity};
use crate::source::{LoadEvent, SourceSpec, SourceState};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, SystemTime};

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Option<Effect> {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    let action = app.action_for_key(&event)?;
    update(app, action)
}

fn press(app: &mut App, code: KeyCode) -> Option<Effect> {
    key(app, code, KeyModifiers::NONE)
}

fn load(app: &mut App, event: LoadEvent) {
    update(app, Action::Load(event));
}

/// An app whose one source (`demo`) has loaded the demo catalog through load events.
fn loaded_app() -> (App, Vec<Entity>) {
    let entities = demo().entities().to_vec();
    let mut app = App::new(
        Catalog::new(),
        &[SourceSpec::demo()],
        Default::default(),
        Keymap::default(),
    );
    load(
        &mut app,
        LoadEvent::Batch {
            source: 0,
            entities: entities.clone(),
            problems: vec![],
        },
    );
    load(
        &mut app,
        LoadEvent::Done {
            source: 0,
            error: None,
        },
    );
    (app, entities)
}

fn selected_name(app: &App) -> String {
    let id = app.search.selected_id().expect("a selection");
    app.catalog.get(id).metadata.name.clone()
}

fn open_ref(app: &App) -> Option<String> {
    app.current_entity()
        .map(|id| app.catalog.get(id).entity_ref().to_string())
}

fn status_bar(app: &App) -> String {
    crate::tui::widgets::status_bar::summary(app)
        .iter()
        .map(|s| s.content.to_string())
        .collect()
}

fn screen(app: &mut App, width: u16, height: u16) -> String {
    update(app, Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn r_refreshes_and_the_new_data_keeps_query_selection_and_open_entity() {
    let (mut app, entities) = loaded_app();
    type_text(&mut app, "ledger");
    let first = selected_name(&app);
    press(&mut app, KeyCode::Down);
    let chosen = selected_name(&app);
    assert_ne!(first, chosen);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    let open = open_ref(&app).expect("an entity is open");

    assert_eq!(
        press(&mut app, KeyCode::Char('R')),
        Some(Effect::Refresh(vec![0]))
    );
    assert!(app.is_loading());
    assert_eq!(
        app.catalog.len(),
        entities.len(),
        "old data stays meanwhile"
    );

    // The refreshed load comes back in another order (every id changes) and one entity less.
    let mut fresh: Vec<Entity> = entities.iter().rev().cloned().collect();
    let dropped = fresh
        .iter()
        .position(|e| e.metadata.name == "data-platform-team")
        .unwrap();
    fresh.remove(dropped);
    load(
        &mut app,
        LoadEvent::Replace {
            source: 0,
            entities: fresh,
            problems: vec![],
        },
    );
    load(
        &mut app,
        LoadEvent::Done {
            source: 0,
            error: None,
        },
    );
    assert_eq!(app.catalog.len(), entities.len() - 1);
    assert_eq!(app.search.query, "ledger");
    assert_eq!(open_ref(&app).as_deref(), Some(open.as_str()));
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected_name(&app), chosen);
    assert!(!app.is_loading());
    assert_eq!(app.sources.statuses()[0].state, SourceState::Ready);
}

#[test]
fn an_open_entity_that_a_refresh_removed_is_closed_and_said_so() {
    let (mut app, entities) = loaded_app();
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    assert!(app.current_entity().is_some());
    let fresh: Vec<Entity> = entities
        .into_iter()
        .filter(|e| e.metadata.name != "ledger-writer")
        .collect();
    load(
        &mut app,
        LoadEvent::Replace {
            source: 0,
            entities: fresh,
            problems: vec![],
        },
    );
    assert_eq!(app.current_entity(), None);
    let status = app.status.as_ref().expect("a message");
    assert!(
        status.text.contains("no longer in the catalog"),
        "{status:?}"
    );
    // The search pane still works on the new catalog.
    press(&mut app, KeyCode::Enter);
}

#[test]
fn cached_data_says_its_age_while_refreshing_and_stays_when_the_refresh_fails() {
    let entities = demo().entities().to_vec();
    let mut app = App::new(
        Catalog::new(),
        &[SourceSpec::demo()],
        Default::default(),
        Keymap::default(),
    );
    load(
        &mut app,
        LoadEvent::Cached {
            source: 0,
            saved_at: SystemTime::now() - Duration::from_secs(3 * 3600 + 60),
        },
    );
    load(
        &mut app,
        LoadEvent::Batch {
            source: 0,
            entities: entities.clone(),
            problems: vec![],
        },
    );
    let bar = status_bar(&app);
    assert!(bar.contains("demo: cached, 3 h old — refreshing"), "{bar}");
    load(
        &mut app,
        LoadEvent::Done {
            source: 0,
            error: Some("token rejected by https://bs.example.com (HTTP 401)".into()),
        },
    );
    assert_eq!(app.catalog.len(), entities.len());
    let bar = status_bar(&app);
    assert!(
        bar.contains(
            "demo ✗ token rejected by https://bs.example.com (HTTP 401) (cached, 3 h old)"
        ),
        "{bar}"
    );
    assert!(!app.is_loading());
}

#[test]
fn ctrl_r_refreshes_from_the_search_field_without_typing() {
    let (mut app, _) = loaded_app();
    type_text(&mut app, "led");
    assert_eq!(
        key(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL),
        Some(Effect::Refresh(vec![0]))
    );
    assert_eq!(app.search.query, "led");
}

#[test]
fn palette_sources_shows_each_source_and_refresh_names_one() {
    let (mut app, entities) = loaded_app();
    update(&mut app, Action::RunCommand("sources".into()));
    let text = screen(&mut app, 100, 20);
    assert!(text.contains("Sources"), "{text}");
    assert!(
        text.contains(&format!("ready  {} entities", entities.len())),
        "{text}"
    );
    assert!(text.contains("refreshed 0 s ago"), "{text}");

    assert_eq!(
        update(&mut app, Action::RunCommand("refresh demo".into())),
        Some(Effect::Refresh(vec![0]))
    );
    // The open pane follows the source's state.
    load(
        &mut app,
        LoadEvent::Progress {
            source: 0,
            done: 10,
            total: Some(77),
        },
    );
    let text = screen(&mut app, 100, 20);
    assert!(text.contains("loading 10/77"), "{text}");
    load(
        &mut app,
        LoadEvent::Done {
            source: 0,
            error: Some("cannot reach http://x\u{1b}[2J".into()),
        },
    );
    let text = screen(&mut app, 100, 20);
    assert!(text.contains("failed"), "{text}");
    assert!(text.contains("cannot reach http://x"), "{text}");
    assert!(!text.contains('\u{1b}'));

    assert_eq!(
        update(&mut app, Action::RunCommand("refresh nope".into())),
        None
    );
    let status = app.status.as_ref().unwrap();
    assert!(status.error);
    assert!(status.text.contains("no source named"), "{status:?}");
}
