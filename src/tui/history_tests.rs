//! Burn-ups from the catalog's git history in the portal: the Initiatives pane and the Teams
//! pane ask for the history when they open (`Task::ReadHistory`, on the background pool), the
//! answer evaluates each day's last commit of a repository built here, and the sparklines show
//! one point per commit day, saying they come from git. TestBackend snapshots of the Teams
//! pane at 120x40, 80x24 and 30 columns.

use super::action::Action;
use super::app::{update, App};
use super::clock::Clock;
use super::reply::Reply;
use super::snapshot_tests::{assert_clean, draw};
use super::task::{Pool, Task};
use super::test_screen::run_tasks;
use super::widgets::burnup::HistoryRequest;
use crate::governance::git_fixture::catalog_history;
use crate::scorecard::{self, Date};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::time::{Duration, UNIX_EPOCH};

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    assert_clean(terminal.backend().buffer());
    format!("{}", terminal.backend())
}

/// The portal over the work tree of the repository built by [`catalog_history`], with the
/// built-in scorecard and the demo's initiatives, on 2027-01-04; its file source is the
/// repository's `catalog/` directory.
fn portal(repo: &tempfile::TempDir) -> App {
    let catalog_dir = repo.path().join("catalog").to_string_lossy().into_owned();
    let catalog = crate::source::load_blocking(&[crate::source::SourceSpec::Files {
        name: "catalog".into(),
        paths: vec![catalog_dir.clone()],
    }]);
    let mut app = App::loaded(catalog);
    let day = Date::parse("2027-01-04").unwrap().days_since_epoch();
    app.set_clock(Clock::fixed(
        UNIX_EPOCH + Duration::from_secs(day as u64 * 86_400 + 12 * 3600),
    ));
    app.set_scorecards(scorecard::Loaded {
        scorecards: scorecard::default_scorecards(),
        errors: Vec::new(),
    });
    app.set_initiatives(crate::governance::load_for(
        &[],
        true,
        Date::parse("2026-12-07").unwrap(),
    ));
    app.set_catalog_paths(vec![catalog_dir]);
    app.clear_status();
    app
}

/// `update`, then every task run as the executor would, except the history read, which is
/// returned (with its pool checked).
fn act(app: &mut App, action: Action) -> Vec<HistoryRequest> {
    let mut asked = Vec::new();
    let tasks = update(app, action);
    run_tasks(app, tasks, |app, task| {
        let pool = task.pool();
        match task {
            Task::FigureInitiatives(job) => {
                Ok(update(app, Action::Reply(Reply::Initiatives(job.run()))))
            }
            Task::ReadHistory(request) => {
                assert_eq!(pool, Pool::Background, "evaluating commits is CPU work");
                asked.push(request);
                Ok(Vec::new())
            }
            _ => Ok(Vec::new()),
        }
    });
    asked
}

fn press(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        act(app, action);
    }
}

/// Runs the history read the pane asked for, with the cache and the recorded runs' file in
/// `scratch` (not the user's), and gives the answer to the app.
fn answer(app: &mut App, mut asked: Vec<HistoryRequest>, scratch: &std::path::Path) {
    let mut request = asked
        .pop()
        .expect("the pane asks for the history when it opens");
    assert!(asked.is_empty());
    request.path = scratch.join("history.jsonl");
    let git = request
        .git
        .as_mut()
        .expect("the file source's paths go with the request");
    git.cache = scratch.join("cache");
    update(app, Action::Reply(Reply::History(request.run())));
}

#[test]
fn the_initiative_burn_up_is_read_from_the_catalogs_git_history_one_point_per_commit_day() {
    let repo = catalog_history();
    let scratch = tempfile::tempdir().unwrap();
    let mut app = portal(&repo);
    let asked = act(&mut app, Action::RunCommand("initiatives".into()));
    let git = asked[0].git.as_ref().unwrap();
    assert_eq!(git.catalogs, app.prefs().catalog_paths);
    assert_eq!(git.initiatives.len(), 2);
    answer(&mut app, asked, scratch.path());
    // The list says it under the initiative's title.
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("Production basics everywhere · run by group:developer-experience · burn-up ▅▆█ (git history)"),
        "{s}"
    );
    for c in "/basics".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 40);
    // 1 of 2, 2 of 3 (the 2nd of January's last commit), 3 of 3.
    assert!(
        s.contains("burn-up ▅▆█ 50% → 100% (3 day(s) of git history since 2027-01-01)"),
        "{s}"
    );
    let team_a = s.lines().find(|l| l.contains("group:team-a")).unwrap();
    assert!(team_a.contains("▅██"), "{team_a}");
    let team_b = s.lines().find(|l| l.contains("group:team-b")).unwrap();
    assert!(team_b.contains("▁█"), "{team_b}");
    // Each day's last commit was evaluated once and cached.
    let cached = std::fs::read_dir(scratch.path().join("cache"))
        .unwrap()
        .count();
    assert_eq!(cached, 3);
    insta::assert_snapshot!(s);
}

/// The Teams pane over the repository, its history answered.
fn teams_with_history() -> (App, tempfile::TempDir) {
    let repo = catalog_history();
    let scratch = tempfile::tempdir().unwrap();
    let mut app = portal(&repo);
    let asked = act(&mut app, Action::RunCommand("teams".into()));
    answer(&mut app, asked, scratch.path());
    (app, repo)
}

#[test]
fn each_team_row_draws_its_burn_up_from_git_and_a_dim_dot_without_one() {
    let (mut app, _repo) = teams_with_history();
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("burn-ups: share at a scorecard's first level, per day of git history"),
        "{s}"
    );
    let row = |s: &str, team: &str| {
        s.lines()
            .find(|l| l.contains(team))
            .unwrap_or_default()
            .to_string()
    };
    // team-a: 1/2, 2/2, 1/1; team-b: 0/1 then 2/2; team-c owns nothing.
    assert!(
        row(&s, "group:team-a").contains("     ▅██ 100%  group:team-a"),
        "{s}"
    );
    assert!(
        row(&s, "group:team-b").contains("      ▁█ 100%  group:team-b"),
        "{s}"
    );
    assert!(
        row(&s, "group:team-c").contains("            ·  group:team-c"),
        "{s}"
    );
    insta::assert_snapshot!("teams_burn_ups_120x40", s);
    let s = screen(&mut app, 80, 24);
    assert!(
        row(&s, "group:team-a").contains("▅██ 100%  group:team-a"),
        "{s}"
    );
    insta::assert_snapshot!("teams_burn_ups_80x24", s);
    // 30 columns: four cells of sparkline, no share.
    let s = screen(&mut app, 30, 10);
    assert!(
        row(&s, "group:team-a").contains(" ▅██  group:team-a"),
        "{s}"
    );
    insta::assert_snapshot!("teams_burn_ups_30x10", s);
}

#[test]
fn teams_without_any_history_get_one_dim_line_and_no_column() {
    let scratch = tempfile::tempdir().unwrap();
    let repo = catalog_history();
    let mut app = portal(&repo);
    // The catalog is not in git (only its copy is), and nothing was recorded.
    app.set_catalog_paths(vec![scratch.path().to_string_lossy().into_owned()]);
    let asked = act(&mut app, Action::RunCommand("teams".into()));
    let s = screen(&mut app, 120, 20);
    assert!(s.contains("burn-ups: reading the history…"), "{s}");
    answer(&mut app, asked, scratch.path());
    let s = screen(&mut app, 120, 20);
    assert!(
        s.contains("burn-ups: no history yet — `idp-tui score --record`"),
        "{s}"
    );
    let team_a = s.lines().find(|l| l.contains("group:team-a")).unwrap();
    assert!(team_a.starts_with("\"▶ group:team-a  team"), "{team_a}");
    assert!(!s.contains("·  group:"), "{s}");
}
