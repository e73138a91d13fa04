//! State tests: actions fed to `update` over the embedded demo catalog, no terminal.

use super::action::Action;
use super::app::{update, App};
use super::keymap::{Keymap, Mode};
use super::panes::entity::EntityView;
use super::tabs::overview::relation_targets;
use super::task::Task;
use crate::catalog::{Catalog, RelationType, Target};
use crate::source::SourceState;
use crate::source::{self, LoadEvent, SourceSpec};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::BTreeMap;

pub(crate) fn demo() -> Catalog {
    source::load_blocking(&[SourceSpec::demo()])
}

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Option<Task> {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    let action = app.action_for_key(&event)?;
    update(app, action).into_iter().next()
}

/// The tasks of one kind among those `update` returned, taken out by `pick`.
pub(crate) fn tasks_of<T>(tasks: Vec<Task>, pick: impl Fn(Task) -> Option<T>) -> Vec<T> {
    tasks.into_iter().filter_map(pick).collect()
}

/// The rebuild among the tasks, if `update` asked for one.
pub(crate) fn rebuild_in(tasks: Vec<Task>) -> Option<crate::tui::app::RebuildJob> {
    tasks_of(tasks, |t| match t {
        Task::Rebuild(job) => Some(job),
        _ => None,
    })
    .pop()
}

fn press(app: &mut App, code: KeyCode) -> Option<Task> {
    key(app, code, KeyModifiers::NONE)
}

fn ctrl(app: &mut App, c: char) -> Option<Task> {
    key(app, KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub(crate) fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn selected_name(app: &App) -> String {
    let id = app.search().selected_id().expect("a selection");
    app.catalog().get(id).metadata.name.clone()
}

fn current_ref(app: &App) -> Option<String> {
    app.current_entity()
        .map(|id| app.catalog().get(id).entity_ref().to_string())
}

/// Moves the Overview selection onto the first relation of a type whose target has `name`.
fn select_relation(app: &mut App, relation: RelationType, name: &str) {
    let id = app.current_entity().expect("an entity view");
    let targets = relation_targets(&app.ctx(), id);
    let index = targets
        .iter()
        .position(|(r, t)| *r == relation && app.catalog().target_ref(t).name() == name)
        .unwrap_or_else(|| panic!("no {relation} {name}"));
    press(app, KeyCode::Home);
    for _ in 0..index {
        press(app, KeyCode::Down);
    }
}

#[test]
fn typing_a_misspelt_name_puts_the_entity_first() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledgr");
    assert_eq!(app.search().query.text(), "ledgr");
    assert_eq!(selected_name(&app), "ledger-writer");
    assert!(app.search().results.total < app.catalog().len());
}

#[test]
fn enter_opens_the_selected_entity_and_esc_returns_to_the_query() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledgr");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("component:default/ledger-writer")
    );
    assert_eq!(app.mode(), Mode::Entity);
    assert_eq!(app.breadcrumbs(), "Search › ledger-writer");
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());
    assert_eq!(
        app.search().query.text(),
        "ledgr",
        "the query survives the round trip"
    );
}

#[test]
fn esc_clears_a_non_empty_query_before_anything_else() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "zzzz-nothing");
    assert_eq!(app.search().results.total, 0);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.search().query.text(), "");
    assert_eq!(app.search().results.total, app.catalog().len());
}

#[test]
fn list_keys_move_and_jump_within_the_results() {
    let mut app = App::loaded(demo());
    let last = app.search().results.hits.len() - 1;
    press(&mut app, KeyCode::Down);
    ctrl(&mut app, 'j');
    assert_eq!(app.search().selected, 2);
    press(&mut app, KeyCode::Up);
    assert_eq!(app.search().selected, 1);
    // Home/End and Ctrl-K edit the query line (readline); the pages clamp at the ends.
    for _ in 0..=last {
        press(&mut app, KeyCode::PageDown);
    }
    assert_eq!(app.search().selected, last);
    for _ in 0..=last {
        press(&mut app, KeyCode::PageUp);
    }
    press(&mut app, KeyCode::Up);
    assert_eq!(app.search().selected, 0);
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.search().selected, app.page());
}

#[test]
fn following_relations_builds_a_back_stack() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    select_relation(&mut app, RelationType::OwnedBy, "ledger-team");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("group:default/ledger-team")
    );
    assert_eq!(app.breadcrumbs(), "Search › ledger-writer › ledger-team");
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("component:default/ledger-writer")
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.stack().is_empty());
}

#[test]
fn s_returns_to_search_from_deep_in_the_stack() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    select_relation(&mut app, RelationType::OwnedBy, "ledger-team");
    press(&mut app, KeyCode::Enter);
    // `/` filters the relations here (see list_filter_tests); `s` goes to search.
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.stack().len(), 2);
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('s'));
    assert!(app.stack().is_empty());
    assert_eq!(app.mode(), Mode::Search);
}

#[test]
fn a_missing_relation_target_is_marked_and_says_so_when_opened() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "settlement-batch");
    press(&mut app, KeyCode::Enter);
    let id = app.current_entity().unwrap();
    let missing = relation_targets(&app.ctx(), id)
        .into_iter()
        .any(|(_, t)| matches!(t, Target::Missing(r) if r.name() == "legacy-mainframe-bridge"));
    assert!(missing);
    select_relation(&mut app, RelationType::DependsOn, "legacy-mainframe-bridge");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.stack().len(), 1, "nothing was opened");
    let status = app.status().cloned().expect("a status message");
    assert!(
        status.text.contains("legacy-mainframe-bridge"),
        "{status:?}"
    );
    assert!(status.text.contains("not in the catalog"));
}

#[test]
fn the_cycle_can_be_walked_round_without_trouble() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "fraud-scoring");
    press(&mut app, KeyCode::Enter);
    for name in ["risk-rules", "fraud-scoring", "risk-rules"] {
        select_relation(&mut app, RelationType::DependsOn, name);
        press(&mut app, KeyCode::Enter);
        assert_eq!(
            app.catalog()
                .get(app.current_entity().unwrap())
                .metadata
                .name,
            name
        );
    }
    assert_eq!(app.stack().len(), 4);
}

#[test]
fn tab_keys_cycle_and_stay_on_the_only_tab() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::BackTab, KeyModifiers::SHIFT);
    let ctx = app.ctx();
    let view = EntityView::new(&ctx, app.current_entity().unwrap());
    assert_eq!(view.tab_titles()[0], "Overview");
    assert_eq!(view.active_tab(), 0);
}

#[test]
fn y_copies_the_entity_ref_and_says_what_was_copied() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledgr");
    press(&mut app, KeyCode::Enter);
    let effect = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(effect, Some(Task::Copy(value)) if value == "component:default/ledger-writer")
    );
    let status = app.status().cloned().unwrap();
    assert!(status
        .text
        .contains("copied component:default/ledger-writer"));
}

#[test]
fn q_quits_outside_text_fields_but_is_typed_in_the_query() {
    let mut app = App::loaded(demo());
    assert!(press(&mut app, KeyCode::Char('q')).is_none());
    assert_eq!(app.search().query.text(), "q");
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Enter);
    assert!(matches!(
        press(&mut app, KeyCode::Char('q')),
        Some(Task::Quit)
    ));
}

#[test]
fn ctrl_c_quits_from_every_pane_and_overlay() {
    let mut app = App::loaded(demo());
    assert!(matches!(ctrl(&mut app, 'c'), Some(Task::Quit)));
    ctrl(&mut app, 'p');
    assert_eq!(app.mode(), Mode::Palette);
    assert!(matches!(ctrl(&mut app, 'c'), Some(Task::Quit)));
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.mode(), Mode::Help);
    assert!(matches!(ctrl(&mut app, 'c'), Some(Task::Quit)));
}

#[test]
fn help_lists_the_keys_of_the_pane_underneath() {
    let mut app = App::loaded(demo());
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(
        app.search().query.text(),
        "?",
        "? is typed in the search field"
    );
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('?'));
    match &app.overlay() {
        Some(super::app::Overlay::Help(h)) => assert_eq!(h.mode, Mode::Entity),
        _ => panic!("help is not open"),
    }
    press(&mut app, KeyCode::Esc);
    assert!(app.overlay().is_none());
    assert_eq!(app.mode(), Mode::Entity);
}

#[test]
fn palette_problems_lists_problems_and_opens_their_entity() {
    let mut app = App::loaded(demo());
    ctrl(&mut app, 'p');
    type_text(&mut app, "problems");
    press(&mut app, KeyCode::Enter);
    assert!(app.overlay().is_none());
    assert_eq!(app.mode(), Mode::List);
    assert_eq!(app.breadcrumbs(), "Search › Problems");
    // The demo's dangling reference is a problem that names settlement-batch.
    let ctx = app.ctx();
    let problems = super::panes::problems::sorted(&ctx);
    let index = problems
        .iter()
        .position(|p| p.message.contains("legacy-mainframe-bridge"))
        .expect("the dangling ref is a problem");
    for _ in 0..index {
        press(&mut app, KeyCode::Down);
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("component:default/settlement-batch")
    );
}

#[test]
fn palette_switches_themes_and_reports_unknown_ones() {
    let mut app = App::loaded(demo());
    ctrl(&mut app, 'p');
    type_text(&mut app, "theme light");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.theme().name, "light");
    update(&mut app, Action::RunCommand("theme mono".into()));
    assert_eq!(app.theme().name, "mono");
    update(&mut app, Action::RunCommand("theme neon".into()));
    assert_eq!(app.theme().name, "mono");
    let status = app.status().cloned().unwrap();
    assert!(
        status.error && status.text.contains("unknown theme"),
        "{status:?}"
    );
    update(&mut app, Action::RunCommand("launch rockets".into()));
    assert!(app
        .status()
        .cloned()
        .unwrap()
        .text
        .contains("unknown command"));
}

#[test]
fn palette_esc_closes_without_running_anything() {
    let mut app = App::loaded(demo());
    ctrl(&mut app, 'p');
    type_text(&mut app, "quit");
    assert!(press(&mut app, KeyCode::Esc).is_none());
    assert!(app.overlay().is_none());
    ctrl(&mut app, 'p');
    type_text(&mut app, "quit");
    assert!(matches!(press(&mut app, KeyCode::Enter), Some(Task::Quit)));
}

#[test]
fn key_overrides_from_the_config_take_effect() {
    let overrides = BTreeMap::from([(
        "entity".to_string(),
        BTreeMap::from([
            ("c".to_string(), "copy_ref".to_string()),
            ("y".to_string(), "none".to_string()),
        ]),
    )]);
    let (keymap, errors) = Keymap::with_overrides(&overrides);
    assert!(errors.is_empty());
    let mut app = App::new(demo(), &[], Default::default(), keymap);
    type_text(&mut app, "ledgr");
    press(&mut app, KeyCode::Enter);
    assert!(press(&mut app, KeyCode::Char('y')).is_none());
    assert!(matches!(
        press(&mut app, KeyCode::Char('c')),
        Some(Task::Copy(_))
    ));
}

#[test]
fn entities_stream_in_and_the_query_reruns_as_they_arrive() {
    let full = demo();
    let entities = full.entities().to_vec();
    let spec = SourceSpec::demo();
    let mut app = App::new(
        Catalog::new(),
        std::slice::from_ref(&spec),
        Default::default(),
        Keymap::default(),
    );
    assert!(app.is_loading());
    type_text(&mut app, "ledgr");
    assert_eq!(app.search().results.total, 0);
    let (first, second): (Vec<_>, Vec<_>) = entities
        .into_iter()
        .partition(|e| e.metadata.name == "ledger-writer");
    update(
        &mut app,
        Action::Load(LoadEvent::Progress {
            source: 0,
            done: 1,
            total: Some(2),
        }),
    );
    update(
        &mut app,
        Action::Load(LoadEvent::Batch {
            source: 0,
            entities: first,
            problems: vec![],
        }),
    );
    assert_eq!(selected_name(&app), "ledger-writer");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.current_entity().is_some(),
        "usable before the load ends"
    );
    update(
        &mut app,
        Action::Load(LoadEvent::Batch {
            source: 0,
            entities: second,
            problems: vec![],
        }),
    );
    update(
        &mut app,
        Action::Load(LoadEvent::Done {
            source: 0,
            error: None,
        }),
    );
    assert!(!app.is_loading());
    assert_eq!(app.sources().statuses()[0].state, SourceState::Ready);
    assert_eq!(app.catalog().len(), full.len());
    assert_eq!(app.catalog().problem_count(), full.problem_count());
}

#[test]
fn a_failed_source_keeps_the_others_entities_and_shows_why() {
    let specs = [SourceSpec::demo(), SourceSpec::demo()];
    let mut app = App::new(demo(), &specs, Default::default(), Keymap::default());
    update(
        &mut app,
        Action::Load(LoadEvent::Done {
            source: 1,
            error: Some("connection refused\u{1b}[2J".into()),
        }),
    );
    let failed = &app.sources().statuses()[1];
    assert_eq!(failed.state, SourceState::Failed);
    let bar: String = crate::tui::widgets::status_bar::summary(&app)
        .iter()
        .map(|s| s.content.to_string())
        .collect();
    assert!(bar.contains("demo ✗ connection refused"), "{bar}");
    assert!(!bar.contains('\u{1b}'), "{bar}");
    assert!(app.is_loading(), "source 0 has not finished");
    assert!(!app.catalog().is_empty());
}

#[test]
fn an_empty_catalog_never_panics_on_any_key() {
    let mut app = App::loaded(Catalog::new());
    for code in [
        KeyCode::Enter,
        KeyCode::Down,
        KeyCode::End,
        KeyCode::PageDown,
        KeyCode::Up,
        KeyCode::Esc,
    ] {
        press(&mut app, code);
    }
    assert!(app.stack().is_empty());
    update(&mut app, Action::Problems);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::End);
    assert_eq!(app.mode(), Mode::List);
}

#[test]
fn pasted_text_is_cleaned_into_one_line() {
    let mut app = App::loaded(demo());
    update(
        &mut app,
        Action::Paste("ledger\n\u{1b}]0;pwned\u{7}writer\t".into()),
    );
    // A tab is a space like a newline: the pasted line is kept as pasted, not trimmed.
    assert_eq!(app.search().query.text(), "ledger writer ");
    update(&mut app, Action::Paste("x".repeat(10_000)));
    assert!(app.search().query.text().chars().count() <= 256);
}

#[test]
fn ticks_and_resizes_change_only_the_spinner_and_size() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::Tick);
    update(&mut app, Action::Resize(30, 10));
    assert_eq!(app.spinner(), 1);
    assert_eq!(app.size(), (30, 10));
    assert_eq!(app.page(), 4);
}

#[test]
fn scores_follow_the_first_frame_of_a_loaded_catalog_or_the_next_key() {
    let loaded = || {
        let spec = SourceSpec::demo();
        let mut app = App::new(
            Catalog::new(),
            std::slice::from_ref(&spec),
            Default::default(),
            Keymap::default(),
        );
        for event in [
            LoadEvent::Batch {
                source: 0,
                entities: demo().entities().to_vec(),
                problems: vec![],
            },
            LoadEvent::Done {
                source: 0,
                error: None,
            },
        ] {
            update(&mut app, Action::Load(event));
        }
        assert!(!app.is_loading());
        app
    };
    let scored = |app: &App| {
        let crate::catalog::Lookup::Found(id) = app.catalog().lookup("payments-api") else {
            panic!("payments-api is in the demo");
        };
        !app.scores().for_entity(id).is_empty()
    };
    // The event loop draws the loaded catalog, then scores it and draws again.
    let mut app = loaded();
    assert!(!scored(&app), "scoring waits for the frame");
    assert!(app.run_deferred());
    assert!(scored(&app));
    assert!(!app.run_deferred(), "nothing left to do");
    // A key pressed before that sees the scores too.
    let mut app = loaded();
    press(&mut app, KeyCode::Down);
    assert!(scored(&app));
}

/// A snapshot of `catalog` claiming `sources` sources.
fn snapshot_of(catalog: Catalog, sources: usize) -> Box<crate::snapshot::Snapshot> {
    let index = crate::search::SearchIndex::build(&catalog);
    let owner = vec![None; catalog.len()];
    Box::new(crate::snapshot::Snapshot {
        catalog,
        index,
        owner,
        problems: vec![Vec::new(); sources],
    })
}

#[test]
fn the_start_up_snapshot_is_restored_through_update_which_answers_for_the_start_up_machine() {
    let mut app = App::loaded(Catalog::new());
    let tasks = update(&mut app, Action::Restore(snapshot_of(demo(), 0)));
    assert!(
        matches!(tasks.as_slice(), [Task::Restored(Ok(()))]),
        "{tasks:?}"
    );
    assert_eq!(
        app.catalog().len(),
        demo().len(),
        "the snapshot's catalog is shown"
    );
    // A snapshot for other sources is refused, and the state stays as it was.
    let mut app = App::loaded(Catalog::new());
    let tasks = update(&mut app, Action::Restore(snapshot_of(demo(), 3)));
    assert!(
        matches!(tasks.as_slice(), [Task::Restored(Err(why))] if why.contains("not for these")),
        "{tasks:?}"
    );
    assert!(app.catalog().is_empty());
}
