//! Refreshing sources in the portal: new data swapped in without losing the user's place, a
//! failed refresh keeping the cached data, the status bar's account of each source, and the
//! Sources pane.

use super::action::Action;
use super::app::{update, App};
use super::keymap::Keymap;
use super::state_tests::{demo, rebuild_in, type_text};
use super::task::Task;
use super::ui;
use crate::catalog::{Catalog, Entity};
use crate::source::{LoadEvent, SourceSpec, SourceState};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, SystemTime};

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Option<Task> {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    let action = app.action_for_key(&event)?;
    update(app, action).into_iter().next()
}

fn press(app: &mut App, code: KeyCode) -> Option<Task> {
    key(app, code, KeyModifiers::NONE)
}

fn load(app: &mut App, event: LoadEvent) -> Vec<Task> {
    update(app, Action::Load(event))
}

/// Source 0's new data arrives, whole; returns the tasks `update` asked for.
fn replace(app: &mut App, entities: Vec<Entity>) -> Vec<Task> {
    load(
        app,
        LoadEvent::Replace {
            source: 0,
            entities,
            problems: vec![],
        },
    )
}

/// Source 0 says it is done.
fn done(app: &mut App) {
    load(
        app,
        LoadEvent::Done {
            source: 0,
            error: None,
        },
    );
}

/// An app whose one source (`demo`) has loaded the demo catalog through load events.
pub(crate) fn loaded_app() -> (App, Vec<Entity>) {
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
    done(&mut app);
    (app, entities)
}

/// The names of the catalog's entities, in catalog order.
fn names(app: &App) -> Vec<&str> {
    app.catalog()
        .entities()
        .iter()
        .map(|e| e.metadata.name.as_str())
        .collect()
}

fn selected_name(app: &App) -> String {
    let id = app.search().selected_id().expect("a selection");
    app.catalog().get(id).metadata.name.clone()
}

fn open_ref(app: &App) -> Option<String> {
    app.current_entity()
        .map(|id| app.catalog().get(id).entity_ref().to_string())
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

    assert!(
        matches!(press(&mut app, KeyCode::Char('R')), Some(Task::Refresh(value)) if *value == vec![0])
    );
    assert!(app.is_loading());
    assert_eq!(
        app.catalog().len(),
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
    replace(&mut app, fresh);
    done(&mut app);
    assert_eq!(app.catalog().len(), entities.len() - 1);
    assert_eq!(app.search().query.text(), "ledger");
    assert_eq!(open_ref(&app).as_deref(), Some(open.as_str()));
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected_name(&app), chosen);
    assert!(!app.is_loading());
    assert_eq!(app.sources().statuses()[0].state, SourceState::Ready);
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
    replace(&mut app, fresh);
    assert_eq!(app.current_entity(), None);
    let status = app.status().expect("a message");
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
    assert_eq!(app.catalog().len(), entities.len());
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
fn ages_on_screen_come_from_the_apps_clock_not_the_wall() {
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    let mut app = App::new(
        Catalog::new(),
        &[SourceSpec::demo()],
        Default::default(),
        Keymap::default(),
    );
    app.set_clock(super::clock::Clock::fixed(start));
    load(
        &mut app,
        LoadEvent::Cached {
            source: 0,
            saved_at: start - Duration::from_secs(3 * 3600 + 60),
        },
    );
    load(
        &mut app,
        LoadEvent::Batch {
            source: 0,
            entities: demo().entities().to_vec(),
            problems: vec![],
        },
    );
    let bar = status_bar(&app);
    assert!(bar.contains("demo: cached, 3 h old"), "{bar}");
    assert_eq!(status_bar(&app), bar, "the same state draws the same frame");
    // Two hours pass on the app's clock: the next update reads it, the next frame shows it.
    app.advance_clock(Duration::from_secs(2 * 3600));
    update(&mut app, Action::Tick);
    let bar = status_bar(&app);
    assert!(bar.contains("demo: cached, 5 h old"), "{bar}");
}

#[test]
fn ctrl_r_refreshes_from_the_search_field_without_typing() {
    let (mut app, _) = loaded_app();
    type_text(&mut app, "led");
    assert!(
        matches!(key(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL), Some(Task::Refresh(value)) if *value == vec![0])
    );
    assert_eq!(app.search().query.text(), "led");
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

    assert!(
        matches!(update(&mut app, Action::RunCommand("refresh demo".into())).into_iter().next(), Some(Task::Refresh(value)) if *value == vec![0])
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

    assert!(update(&mut app, Action::RunCommand("refresh nope".into())).is_empty());
    let status = app.status().unwrap();
    assert!(status.error);
    assert!(status.text.contains("no source named"), "{status:?}");
}

#[test]
fn a_replacement_built_in_the_background_keeps_the_old_data_usable_until_it_is_swapped_in() {
    let (mut app, entities) = loaded_app();
    app.work_in_background();
    type_text(&mut app, "ledger");
    press(&mut app, KeyCode::Down);
    let chosen = selected_name(&app);
    press(&mut app, KeyCode::Enter);
    let open = open_ref(&app).expect("an entity is open");
    press(&mut app, KeyCode::Char('R'));

    let mut fresh: Vec<Entity> = entities.iter().rev().cloned().collect();
    fresh.retain(|e| e.metadata.name != "data-platform-team");
    let job = rebuild_in(replace(&mut app, fresh)).expect("update asks for the rebuild");
    // Meanwhile the old catalog is shown, and what arrives waits for the new one, in order.
    assert!(
        rebuild_in(load(
            &mut app,
            LoadEvent::Done {
                source: 0,
                error: None,
            },
        ))
        .is_none(),
        "asked for once"
    );
    let registered = Entity::from_value(
        serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "fresh-from-a-template"},
            "spec": {"type": "service", "lifecycle": "experimental", "owner": "payments-team"},
        }),
        crate::catalog::Origin::new(std::sync::Arc::from("registered"), None),
    )
    .unwrap()
    .0;
    app.register(vec![registered], "Wrote 3 file(s)".into());
    assert_eq!(app.catalog().len(), entities.len(), "the old data stays");
    assert!(
        app.is_loading(),
        "still refreshing until the new data is in"
    );
    assert!(app
        .catalog()
        .entities()
        .iter()
        .any(|e| e.metadata.name == "data-platform-team"));
    assert_eq!(open_ref(&app).as_deref(), Some(open.as_str()));
    // The user can go on searching over it.
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected_name(&app), chosen);
    assert!(screen(&mut app, 80, 24).contains(&chosen));
    press(&mut app, KeyCode::Enter);

    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Rebuilt(Box::new(job.run()))),
    );
    // Swapped in: one entity less from the source, the registration after it, the place kept.
    assert_eq!(app.catalog().len(), entities.len());
    let names = names(&app);
    assert!(!names.contains(&"data-platform-team"), "{names:?}");
    assert!(names.contains(&"fresh-from-a-template"), "{names:?}");
    assert_eq!(
        app.index().len(),
        app.catalog().len(),
        "the index covers both"
    );
    assert_eq!(open_ref(&app).as_deref(), Some(open.as_str()));
    assert!(!app.is_loading(), "the held Done was applied");
    assert_eq!(app.sources().statuses()[0].state, SourceState::Ready);
    assert_eq!(app.sources().statuses()[0].entities, entities.len() - 1);
    let status = app.status().expect("the registration's message");
    assert!(status.text.contains("1 entity(ies) added"), "{status:?}");
    // After the next frame, the old catalog is handed over to be freed elsewhere.
    let retired: Vec<usize> =
        super::state_tests::tasks_of(update(&mut app, Action::Drawn), |t| match t {
            Task::Retire(catalogs) => Some(catalogs.len()),
            _ => None,
        });
    assert_eq!(retired, vec![1], "the old catalog is freed elsewhere");
    press(&mut app, KeyCode::Esc);
    assert_eq!(selected_name(&app), chosen);
}

#[test]
fn a_second_replacement_arriving_during_a_rebuild_is_built_after_it() {
    let (mut app, entities) = loaded_app();
    app.work_in_background();
    let without = |name: &str| -> Vec<Entity> {
        entities
            .iter()
            .filter(|e| e.metadata.name != name)
            .cloned()
            .collect()
    };
    let first = rebuild_in(replace(&mut app, without("ledger-writer"))).expect("the first");
    assert!(
        rebuild_in(replace(&mut app, without("data-platform-team"))).is_none(),
        "the second waits for the first"
    );
    let second = rebuild_in(update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Rebuilt(Box::new(first.run()))),
    ))
    .expect("then the second is asked for");
    let writer = crate::catalog::EntityRef::new("component", "default", "ledger-writer");
    assert!(app.catalog().id_of(&writer).is_none(), "the first is in");
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Rebuilt(Box::new(second.run()))),
    );
    // The last one sent wins.
    let names = names(&app);
    assert!(names.contains(&"ledger-writer"), "{names:?}");
    assert!(!names.contains(&"data-platform-team"), "{names:?}");
    assert_eq!(app.catalog().len(), entities.len() - 1);
}
