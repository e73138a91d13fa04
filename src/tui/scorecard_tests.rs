//! The Scorecard tab and the Scorecards pane: TestBackend snapshots at fixed sizes (one tiny,
//! one in the mono theme) and the keys that drill down to an entity.

use super::action::Action;
use super::app::{update, App};
use super::snapshot_tests::{assert_clean, draw};
use super::state_tests::{demo, rebuild_in, tasks_of, type_text};
use super::task::Task;
use super::theme::Theme;
use crate::catalog::Lookup;
use crate::scorecard::{load_paths, Loaded};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn press(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        update(app, action);
    }
}

/// The entity view of `name` on its Scorecard tab.
fn scorecard_tab(name: &str) -> App {
    let mut app = App::loaded(demo());
    type_text(&mut app, name);
    press(&mut app, KeyCode::Enter);
    // Scorecard is the last tab: Shift-Tab from Overview wraps round to it.
    press(&mut app, KeyCode::BackTab);
    app
}

/// The screen as text, after checking no cell holds a control character.
fn screen(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    assert_clean(terminal.backend().buffer());
    format!("{}", terminal.backend())
}

fn example_scorecards() -> Loaded {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/scorecards");
    let loaded = load_paths(&[dir.to_string()]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded
}

#[test]
fn scorecard_tab_lists_rules_and_what_reaches_the_next_level() {
    let mut app = scorecard_tab("payments-api");
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("▸Scorecard"), "{s}");
    assert!(s.contains("to reach Gold: has-runbook"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn scorecard_tab_in_the_mono_theme_uses_ascii_marks() {
    let mut app = scorecard_tab("deploy-bot");
    app.set_theme(Theme::builtin("mono").expect("built-in theme"));
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("x Bronze"), "{s}");
    assert!(s.contains("+ Bronze"), "{s}");
    assert!(!s.contains('✔') && !s.contains('✖'), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn scorecard_tab_shows_a_waiver_with_its_reason() {
    let mut catalog = demo();
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: waived-svc\n  description: Waits for its PagerDuty service to be created\n  annotations:\n    idp-tui.dev/exempt.production-readiness.has-oncall: \"PagerDuty requested in OPS-42 until 2099-12-31\"\nspec:\n  type: service\n  lifecycle: production\n  owner: ledger-team\n  system: ledger\n";
    let value: serde_json::Value = serde_yaml::from_str(text).expect("yaml");
    let (entity, _) =
        crate::catalog::Entity::from_value(value, crate::catalog::Origin::new("t.yaml", Some(1)))
            .expect("entity");
    catalog.insert(entity);
    let mut app = App::loaded(catalog);
    type_text(&mut app, "waived-svc");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::BackTab);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("~ Silver  Has an on-call rotation"), "{s}");
    assert!(
        s.contains("waived until 2099-12-31: PagerDuty requested in OPS-42"),
        "{s}"
    );
}

#[test]
fn entities_no_scorecard_applies_to_have_no_scorecard_tab() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-team");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 100, 12);
    assert!(s.contains("Overview") && !s.contains("Scorecard"), "{s}");
}

#[test]
fn scorecards_pane_shows_levels_leaderboard_and_failing_rules() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("scorecards".into()));
    let s = screen(&mut app, 100, 30);
    assert!(
        s.contains("22 entities: Gold 1 · Silver 15 · Bronze 1 · none 5"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn scorecards_pane_in_a_tiny_terminal() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("scorecards".into()));
    insta::assert_snapshot!(screen(&mut app, 40, 10));
}

#[test]
fn enter_on_a_failing_entity_opens_it_and_tab_switches_scorecards() {
    let mut app = App::loaded(demo());
    app.set_scorecards(example_scorecards());
    update(&mut app, Action::RunCommand("scorecards".into()));
    // Examples load in file order: api-quality first.
    assert!(
        app.breadcrumbs().ends_with("Scorecards: api-quality"),
        "{}",
        app.breadcrumbs()
    );
    press(&mut app, KeyCode::Tab);
    assert!(app
        .breadcrumbs()
        .ends_with("Scorecards: production-readiness"));
    // The first selectable rows are the owners; End reaches the last failing entity.
    press(&mut app, KeyCode::Enter);
    let owner = app.current_entity().expect("an owner group opens");
    assert_eq!(app.catalog().get(owner).kind, "Group");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Enter);
    let opened = app.current_entity().expect("a failing entity opens");
    // The last rule is in-production; the last entity failing it (catalog order) is the
    // experimental deploy-bot.
    let expected = match app.catalog().lookup("deploy-bot") {
        Lookup::Found(id) => id,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        app.catalog().get(opened).entity_ref(),
        app.catalog().get(expected).entity_ref()
    );
}

#[test]
fn a_scorecard_that_did_not_load_is_shown_in_the_pane() {
    let mut app = App::loaded(demo());
    let broken = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/scorecards/broken");
    app.set_scorecards(load_paths(&[broken.to_string()]));
    assert!(app.status().is_some_and(|s| s.error));
    update(&mut app, Action::RunCommand("scorecards".into()));
    let s = screen(&mut app, 100, 12);
    assert!(s.contains("No scorecard loaded."), "{s}");
    assert!(s.contains("bad-regex.yaml:10"), "{s}");
}

/// An app whose one source (`demo`) loaded the demo catalog through load events, with the
/// example scorecards.
fn sourced_app() -> (App, Vec<crate::catalog::Entity>) {
    let (mut app, entities) = super::refresh_tests::loaded_app();
    app.set_scorecards(example_scorecards());
    (app, entities)
}

/// The last failing entity of production-readiness, opened from the Scorecards pane, and the
/// one it should be: the last entity failing the last rule, scored afresh over the catalog.
fn last_failing_opened(app: &mut App) -> (String, String) {
    press(app, KeyCode::End);
    press(app, KeyCode::Enter);
    let opened = app.current_entity().expect("a failing entity opens");
    let name = app.catalog().get(opened).metadata.name.clone();
    press(app, KeyCode::Esc);
    let fresh = crate::scorecard::Scoreboard::build(
        example_scorecards(),
        app.catalog(),
        crate::scorecard::Date::today(),
    );
    let failing = fresh.reports[1].failing_by_rule();
    let last = *failing
        .last()
        .unwrap()
        .last()
        .expect("an entity fails the last rule");
    (name, app.catalog().get(last).metadata.name.clone())
}

#[test]
fn after_a_refresh_renumbers_the_catalog_the_scorecards_pane_opens_the_right_entities() {
    use crate::source::LoadEvent;
    let (mut app, entities) = sourced_app();
    update(&mut app, Action::RunCommand("scorecards".into()));
    press(&mut app, KeyCode::Tab);
    let (opened, expected) = last_failing_opened(&mut app);
    assert_eq!(
        (opened.as_str(), expected.as_str()),
        ("deploy-bot", "deploy-bot")
    );
    // The refreshed data comes back in another order: every id changes.
    let reversed: Vec<_> = entities.into_iter().rev().collect();
    update(
        &mut app,
        Action::Load(LoadEvent::Replace {
            source: 0,
            entities: reversed,
            problems: vec![],
        }),
    );
    // Until the new catalog is scored, the pane says so rather than naming entities by their
    // old numbers.
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("Scoring the catalog…"), "{s}");
    assert!(!s.contains("component:"), "{s}");
    // Scored after that frame (or before the next key).
    assert!(app.run_deferred());
    let s = screen(&mut app, 100, 40);
    assert!(s.contains("deploy-bot"), "{s}");
    // The row opens the entity the new results name (another one now: the order changed).
    let (opened, expected) = last_failing_opened(&mut app);
    assert_eq!(opened, expected);
    assert_ne!(opened, "deploy-bot", "the catalog's order changed");
}

#[test]
fn scoring_in_the_background_shows_scoring_then_the_results_and_drops_stale_ones() {
    use crate::source::LoadEvent;
    let (mut app, entities) = sourced_app();
    app.run_deferred();
    app.work_in_background();
    type_text(&mut app, "payments-api");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::BackTab);
    assert!(screen(&mut app, 100, 30).contains("to reach Gold: has-runbook"));
    let replace = |entities: Vec<crate::catalog::Entity>| {
        Action::Load(LoadEvent::Replace {
            source: 0,
            entities,
            problems: vec![],
        })
    };
    let rescore = |tasks: Vec<Task>| {
        tasks_of(tasks, |t| match t {
            Task::Rescore(job) => Some(job),
            _ => None,
        })
        .pop()
    };
    let rebuilt = |app: &mut App, tasks: Vec<Task>| {
        let job = rebuild_in(tasks).expect("a rebuild");
        update(
            app,
            Action::Reply(crate::tui::reply::Reply::Rebuilt(Box::new(job.run()))),
        )
    };
    let tasks = update(&mut app, replace(entities.iter().rev().cloned().collect()));
    let tasks = rebuilt(&mut app, tasks);
    // The UI thread only hands the scoring over: the tab stays, saying it is scoring.
    assert!(rescore(tasks).is_none(), "not before the catalog was drawn");
    let job = rescore(update(&mut app, Action::Drawn)).expect("scoring after the frame");
    assert!(
        rescore(update(&mut app, Action::Drawn)).is_none(),
        "asked for once"
    );
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("▸Scorecard"), "{s}");
    assert!(s.contains("Scoring the catalog…"), "{s}");
    // Scores of a catalog replaced meanwhile are dropped, and scoring is due again.
    let tasks = update(&mut app, replace(entities.clone()));
    rebuilt(&mut app, tasks);
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Scored(Box::new(job.run()))),
    );
    assert!(app.scores().is_pending());
    assert!(screen(&mut app, 100, 30).contains("Scoring the catalog…"));
    let job = rescore(update(&mut app, Action::Drawn)).expect("scored again");
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Scored(Box::new(job.run()))),
    );
    assert!(!app.scores().is_pending());
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("to reach Gold: has-runbook"), "{s}");
}
