//! The Initiatives pane, an initiative's detail and the action items on the Scorecard tab:
//! TestBackend snapshots over the demo (its two built-in initiatives) with a fixed clock, at
//! 120x40 and 30x10, and the keys that filter, drill down and come back.

use super::action::Action;
use super::app::{update, App};
use super::clock::Clock;
use super::panes::initiatives::FiguresJob;
use super::reply::Reply;
use super::snapshot_tests::{assert_clean, draw};
use super::state_tests::demo;
use super::task::{Pool, Task};
use super::test_screen::run_tasks;
use crate::governance::history::Record;
use crate::scorecard::{self, Date};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::time::{Duration, UNIX_EPOCH};

/// The screen as text, after checking no cell holds a control character.
fn screen(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    assert_clean(terminal.backend().buffer());
    format!("{}", terminal.backend())
}

/// Noon UTC on a day.
fn clock_on(day: &str) -> Clock {
    let days = Date::parse(day).expect("a date").days_since_epoch();
    Clock::fixed(UNIX_EPOCH + Duration::from_secs(days as u64 * 86_400 + 12 * 3600))
}

/// The demo with its initiatives and the built-in scorecard, scored on `day`. The initiatives
/// are dated as `demo.yaml` writes them (for 2026-12-07), as if the portal had been started
/// then, so a later `day` can be past their deadlines.
pub(crate) fn demo_on(day: &str) -> App {
    let mut app = App::loaded(demo());
    app.set_clock(clock_on(day));
    app.set_scorecards(scorecard::Loaded {
        scorecards: scorecard::default_scorecards(),
        errors: Vec::new(),
    });
    let written = Date::parse(crate::governance::initiative::DEMO_WRITTEN_FOR).unwrap();
    app.set_initiatives(crate::governance::load_for(&[], true, written));
    app.clear_status();
    app
}

/// `update`, then the figures the panes asked for worked out and answered, as the executor
/// would (on the background pool); the other tasks are returned.
fn act(app: &mut App, action: Action) -> Vec<Task> {
    let tasks = update(app, action);
    run_tasks(app, tasks, |app, task| {
        let pool = task.pool();
        match task {
            Task::FigureInitiatives(job) => {
                assert_eq!(pool, Pool::Background, "off the UI thread");
                Ok(update(app, Action::Reply(Reply::Initiatives(job.run()))))
            }
            other => Err(Box::new(other)),
        }
    })
}

fn press(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        act(app, action);
    }
}

fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The Initiatives pane, opened from the palette.
fn initiatives_pane(day: &str) -> App {
    let mut app = demo_on(day);
    act(&mut app, Action::RunCommand("initiatives".into()));
    assert_eq!(app.breadcrumbs(), "Search › Initiatives");
    app
}

#[test]
fn the_pane_lists_each_initiative_with_its_gauge_status_and_days_left() {
    let mut app = initiatives_pane("2026-12-07");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("2 initiative(s) · 1 delayed"), "{s}");
    let basics = s
        .lines()
        .find(|l| l.contains("production-basics"))
        .expect("a row");
    assert!(basics.contains("in progress"), "{basics}");
    assert!(basics.contains("due 2028-06-30  571 days left"), "{basics}");
    assert!(basics.contains('█'), "a gauge: {basics}");
    let oncall = s
        .lines()
        .find(|l| l.contains("oncall-and-runbooks"))
        .expect("a row");
    assert!(oncall.contains("delayed"), "{oncall}");
    assert!(oncall.contains("due 2027-06-30  205 days left"), "{oncall}");
    insta::assert_snapshot!(s);
}

#[test]
fn the_pane_in_a_tiny_terminal() {
    let mut app = initiatives_pane("2026-12-07");
    let s = screen(&mut app, 30, 10);
    assert!(s.contains("production-basics"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn past_the_deadline_the_days_are_overdue() {
    let mut app = initiatives_pane("2027-07-02");
    let s = screen(&mut app, 120, 40);
    let oncall = s
        .lines()
        .find(|l| l.contains("oncall-and-runbooks"))
        .expect("a row");
    assert!(oncall.contains("delayed"), "{oncall}");
    assert!(oncall.contains("2 days overdue"), "{oncall}");
}

#[test]
fn slash_filters_and_esc_clears_the_filter_then_closes_the_pane() {
    let mut app = initiatives_pane("2026-12-07");
    // After `/`, letters are typed into the filter, not bound.
    type_in(&mut app, "/delayed");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("/delayed▏  1 of 2"), "{s}");
    assert!(s.contains("oncall-and-runbooks"), "{s}");
    assert!(!s.contains("production-basics"), "{s}");
    type_in(&mut app, "zzz");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("no initiative matches the filter"), "{s}");
    // Esc clears the filter and closes the prompt.
    press(&mut app, KeyCode::Esc);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("production-basics") && s.contains("oncall-and-runbooks"));
    assert_eq!(app.breadcrumbs(), "Search › Initiatives", "still open");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.breadcrumbs(), "Search", "closed");
}

/// The delayed initiative opened from the list.
fn oncall_detail() -> App {
    let mut app = initiatives_pane("2026-12-07");
    // Enter keeps the filter and opens the row it leaves selected.
    type_in(&mut app, "/oncall");
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.breadcrumbs(),
        "Search › Initiatives › oncall-and-runbooks"
    );
    app
}

#[test]
fn enter_opens_the_initiative_with_owners_most_failing_first_and_action_items() {
    let mut app = oncall_detail();
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("On-call and runbooks for production  delayed"),
        "{s}"
    );
    assert!(s.contains("target rules has-oncall, has-runbook"), "{s}");
    assert!(s.contains("milestone 2026-09-30: 75%"), "{s}");
    assert!(s.contains("Owners (most failing first)"), "{s}");
    assert!(
        s.contains("rule has-runbook must pass by 2027-06-30"),
        "{s}"
    );
    assert!(s.contains("fix: "), "{s}");
    // Owners come most failing first.
    let failing: Vec<usize> = s
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once(" failing")?;
            let before = l.len() - rest.len() - " failing".len();
            l.get(..before)?.split_whitespace().last()?.parse().ok()
        })
        .collect();
    assert!(failing.len() >= 2, "{s}");
    assert!(failing.windows(2).all(|w| w[0] >= w[1]), "{failing:?}");
    insta::assert_snapshot!(s);
}

#[test]
fn the_initiative_in_a_tiny_terminal() {
    let mut app = oncall_detail();
    insta::assert_snapshot!(screen(&mut app, 30, 10));
}

#[test]
fn enter_on_an_entity_opens_its_page_and_esc_comes_back() {
    let mut app = oncall_detail();
    // Past the owners to the first failing entity.
    let mut opened = None;
    for _ in 0..40 {
        press(&mut app, KeyCode::Down);
        let s = screen(&mut app, 120, 40);
        let selected = s.lines().find(|l| l.contains("▶ ")).unwrap_or_default();
        if selected.contains("rule(s) to fix") {
            opened = Some(selected.to_string());
            break;
        }
    }
    let row = opened.expect("an entity row below the owners");
    press(&mut app, KeyCode::Enter);
    let id = app.current_entity().expect("an entity page");
    let name = app.catalog().get(id).metadata.name.clone();
    assert!(row.contains(&name), "{row} opened {name}");
    assert!(app
        .breadcrumbs()
        .ends_with(&format!("oncall-and-runbooks › {name}")));
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        app.breadcrumbs(),
        "Search › Initiatives › oncall-and-runbooks"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.breadcrumbs(), "Search › Initiatives");
}

#[test]
fn while_the_catalog_is_scored_the_pane_says_so_then_fills_in() {
    let mut app = demo_on("2026-12-07");
    app.set_scores_pending();
    let tasks = update(&mut app, Action::RunCommand("initiatives".into()));
    assert!(
        figures_in(tasks).is_empty(),
        "nothing to count before the scores are in"
    );
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("scoring the catalog…"), "{s}");
    // The scores come back from the scoring task: the pane asks for its figures again.
    let today = app.clock().today();
    let job = app.scores().rescore_job(app.catalog().clone(), today);
    app.rescored(job.run());
    let mut asked = figures_in(update(&mut app, Action::Drawn));
    let job = asked.pop().expect("the pane asks again after new scores");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("counting…"), "{s}");
    update(&mut app, Action::Reply(Reply::Initiatives(job.run())));
    let s = screen(&mut app, 120, 40);
    assert!(
        !s.contains("scoring the catalog…") && !s.contains("counting…"),
        "{s}"
    );
    assert!(s.contains("in progress"), "{s}");
}

/// The figures jobs among the tasks.
fn figures_in(tasks: Vec<Task>) -> Vec<FiguresJob> {
    super::state_tests::tasks_of(tasks, |t| match t {
        Task::FigureInitiatives(job) => Some(job),
        _ => None,
    })
}

#[test]
fn the_figures_are_worked_out_off_the_ui_thread_and_an_old_answer_is_dropped() {
    let mut app = demo_on("2026-12-07");
    let mut asked = figures_in(update(&mut app, Action::RunCommand("initiatives".into())));
    let first = asked
        .pop()
        .expect("the list asks for its figures when it opens");
    assert!(asked.is_empty());
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("counting…"), "no figures until the answer: {s}");
    assert!(!s.contains("in progress"), "{s}");
    // New scores: the pane asks again, and the first answer, now old, is dropped.
    let second = figures_in(update(&mut app, Action::ScoresChanged))
        .pop()
        .expect("asked again after the scores changed");
    assert_ne!(first.token, second.token);
    update(&mut app, Action::Reply(Reply::Initiatives(first.run())));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("counting…"), "an old answer is not shown: {s}");
    update(&mut app, Action::Reply(Reply::Initiatives(second.run())));
    let s = screen(&mut app, 120, 40);
    assert!(!s.contains("counting…"), "{s}");
    assert!(s.contains("2 initiative(s) · 1 delayed"), "{s}");
    let oncall = s
        .lines()
        .find(|l| l.contains("oncall-and-runbooks"))
        .expect("a row");
    assert!(oncall.contains("delayed"), "{oncall}");
    // Enter opens the detail, which asks for its own figures.
    type_in(&mut app, "/oncall");
    let event = KeyEvent::new_with_kind(KeyCode::Enter, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event).expect("Enter is bound");
    let detail = figures_in(update(&mut app, action))
        .pop()
        .expect("the detail asks for its figures");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("counting…"), "{s}");
    assert!(!s.contains("Owners (most failing first)"), "{s}");
    update(&mut app, Action::Reply(Reply::Initiatives(detail.run())));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Owners (most failing first)"), "{s}");
    assert!(s.contains("Action items"), "{s}");
}

#[test]
fn the_scorecard_tab_lists_the_entitys_action_items_with_deadline_and_fix() {
    let mut app = oncall_detail();
    for _ in 0..40 {
        press(&mut app, KeyCode::Down);
        if app
            .stack()
            .last()
            .and_then(|v| v.entity())
            .is_some_and(|id| app.catalog().get(id).kind_lower() == "component")
        {
            break;
        }
    }
    press(&mut app, KeyCode::Enter);
    let id = app.current_entity().expect("an entity page");
    let name = app.catalog().get(id).metadata.name.clone();
    // Scorecard is the last tab but one (Live only shows with integrations): Shift-Tab.
    press(&mut app, KeyCode::BackTab);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("▸Scorecard"), "{s}");
    assert!(
        s.contains(
            "Initiative On-call and runbooks for production  due 2027-06-30 · 205 days left"
        ),
        "{s}"
    );
    assert!(s.contains("must pass by 2027-06-30"), "{s}");
    assert!(s.contains("fix: "), "{s}");
    insta::assert_snapshot!(format!("{name}\n{s}"));
}

#[test]
fn an_entity_meeting_every_initiative_has_no_action_items() {
    let app = demo_on("2026-12-07");
    let ctx = app.ctx();
    let initiatives = &ctx.initiatives.initiatives;
    let met = ctx
        .catalog
        .ids()
        .find(|&id| {
            ctx.scores.for_entity(id).len() == 1
                && crate::governance::board_action_items(initiatives, ctx.scores, ctx.catalog, id)
                    .is_empty()
        })
        .expect("an entity in scope that meets both");
    assert!(super::tabs::scorecard::initiative_lines(&ctx, met, 120).is_empty());
}

/// The history read the pane asked for when it opened, answered with these records.
fn answer_history(app: &mut App, tasks: Vec<super::task::Task>, records: &[Record]) {
    let request = super::state_tests::tasks_of(tasks, |t| match t {
        super::task::Task::ReadHistory(r) => Some(r),
        _ => None,
    })
    .pop()
    .expect("the pane asks for the history when it opens");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.jsonl");
    if !records.is_empty() {
        crate::governance::history::append(&path, records).unwrap();
    }
    let loaded = super::widgets::burnup::HistoryRequest {
        token: request.token,
        path,
        git: None,
    }
    .run();
    update(app, Action::Reply(super::reply::Reply::History(loaded)));
}

pub(crate) fn record(date: &str, passing: usize, owners: &[(&str, [usize; 2])]) -> Record {
    Record {
        date: date.into(),
        source: "run".into(),
        commit: None,
        kind: "initiative".into(),
        name: "oncall-and-runbooks".into(),
        total: 18,
        passing,
        levels: Default::default(),
        by_owner: owners.iter().map(|(o, c)| (o.to_string(), *c)).collect(),
    }
}

#[test]
fn the_initiative_draws_its_burn_up_and_each_owners_from_the_recorded_runs() {
    let mut app = demo_on("2026-12-07");
    let tasks = act(&mut app, Action::RunCommand("initiatives".into()));
    let team = "group:default/checkout-team";
    answer_history(
        &mut app,
        tasks,
        &[
            record("2026-11-01", 0, &[(team, [0, 4])]),
            record("2026-11-15", 1, &[(team, [0, 4])]),
            record("2026-12-01", 2, &[(team, [2, 4])]),
        ],
    );
    type_in(&mut app, "/oncall");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("burn-up ▁▁▂ 0% → 11% (3 day(s) of recorded runs since 2026-11-01)"),
        "{s}"
    );
    let checkout = s
        .lines()
        .find(|l| l.contains("group:checkout-team"))
        .expect("the owner's row");
    assert!(checkout.contains("▁▁▅"), "{checkout}");
    insta::assert_snapshot!(s);
}

#[test]
fn without_history_the_burn_up_is_one_dim_line() {
    let mut app = demo_on("2026-12-07");
    let tasks = act(&mut app, Action::RunCommand("initiatives".into()));
    type_in(&mut app, "/oncall");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("burn-up: reading the history…"), "{s}");
    // The answer reaches the list under the opened initiative too.
    answer_history(&mut app, tasks, &[]);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("burn-up: no history yet"), "{s}");
    assert!(!s.contains('▁'), "no empty chart: {s}");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("burn-up: no history yet"), "{s}");
}

#[test]
fn hostile_text_is_cleaned_and_a_broken_initiative_is_reported_not_dropped() {
    let text = "apiVersion: idp-tui/v1
kind: Initiative
metadata:
  name: hostile
  title: \"Evil \\e[31mred\\e]0;pwned\\a title\"
spec:
  scorecard: production-readiness
  target: { level: Bronze }
  start: 2026-01-01
  deadline: 2027-01-01
---
apiVersion: idp-tui/v1
kind: Initiative
metadata: { name: orphan }
spec:
  scorecard: no-such-card
  target: { level: Gold }
  start: 2026-01-01
  deadline: 2027-01-01
---
apiVersion: idp-tui/v1
kind: Initiative
metadata: { name: broken }
spec:
  scorecard: production-readiness
  target: { level: Bronze }
  start: 2026-01-01
  deadline: someday
";
    let (initiatives, errors) = crate::governance::parse_file("bad.yaml", text);
    assert_eq!(initiatives.len(), 2);
    assert_eq!(errors.len(), 1);
    let mut app = demo_on("2026-12-07");
    app.set_initiatives(crate::governance::LoadedInitiatives {
        initiatives,
        errors,
    });
    assert!(app
        .status()
        .is_some_and(|s| s.error && s.text.contains("initiative not loaded: bad.yaml")));
    act(&mut app, Action::RunCommand("initiatives".into()));
    // `screen` asserts that no cell holds a control character.
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("Evil"), "{s}");
    assert!(s.contains("not loaded: bad.yaml:"), "{s}");
    assert!(s.contains("spec.deadline"), "{s}");
    let orphan = s.lines().find(|l| l.contains("orphan")).expect("listed");
    assert!(orphan.contains("not evaluated"), "{orphan}");
    // Opened, it says why.
    type_in(&mut app, "/orphan");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("no scorecard named \"no-such-card\""), "{s}");
}

#[test]
fn help_over_one_initiative_lists_its_keys_only() {
    let mut app = oncall_detail();
    press(&mut app, KeyCode::F(1));
    let rows: Vec<String> = match &app.overlay() {
        Some(super::app::Overlay::Help(help)) => help
            .rows(app.keymap())
            .into_iter()
            .map(|(keys, what)| format!("{} {what}", keys.join(", ")))
            .collect(),
        _ => panic!("F1 opens help"),
    };
    let has = |what: &str| rows.iter().any(|r| r.contains(what));
    assert!(has("Enter open the selected item"), "{rows:#?}");
    assert!(has("move down"), "{rows:#?}");
    assert!(!has("filter the list"), "nothing to filter here: {rows:#?}");
    assert!(!has("next tab"), "{rows:#?}");
}
