//! The Insights pane: the palette command hands the count to the background pool, the answer
//! fills the pane; snapshots over the demo at 120x40, 80x24 and 30x10.

use super::action::Action;
use super::app::{update, App};
use super::reply::Reply;
use super::snapshot_tests::{assert_clean, draw};
use super::state_tests::{demo, tasks_of};
use super::task::Task;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

fn screen(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    assert_clean(terminal.backend().buffer());
    format!("{}", terminal.backend())
}

/// The pane opened from the palette, with the count it asked for run and answered.
fn insights() -> App {
    let mut app = App::loaded(demo());
    app.clear_status();
    let tasks = update(&mut app, Action::RunCommand("insights".into()));
    let job = tasks_of(tasks, |t| match t {
        Task::CountStats(job) => Some(job),
        _ => None,
    })
    .pop()
    .expect("the count is a background task");
    assert_eq!(
        Task::CountStats(job_clone(&job)).pool(),
        super::task::Pool::Background
    );
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Counting the catalog…"), "{s}");
    update(&mut app, Action::Reply(Reply::Stats(job.run())));
    app
}

fn job_clone(job: &super::panes::insights::StatsJob) -> super::panes::insights::StatsJob {
    super::panes::insights::StatsJob {
        token: job.token,
        catalog: job.catalog.clone(),
    }
}

#[test]
fn insights_show_completeness_ownership_templates_and_problems_as_bars() {
    let mut app = insights();
    let s = screen(&mut app, 120, 40);
    assert_eq!(app.breadcrumbs(), "Search › Insights");
    assert!(
        s.contains("Completeness of components (26 components)"),
        "{s}"
    );
    assert!(s.contains("has owner"), "{s}");
    assert!(
        s.contains("Completeness per team (least complete first)"),
        "{s}"
    );
    assert!(s.contains('█'), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn insights_are_readable_at_80x24_and_scroll_to_the_end() {
    let mut app = insights();
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("has description"), "{s}");
    insta::assert_snapshot!(s);
    let event = KeyEvent::new_with_kind(KeyCode::End, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event).expect("End is bound");
    update(&mut app, action);
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Problems by class"), "{s}");
    assert!(s.contains("reference"), "{s}");
    assert!(s.contains("Template adoption"), "{s}");
}

#[test]
fn insights_in_a_tiny_terminal() {
    let mut app = insights();
    insta::assert_snapshot!(screen(&mut app, 30, 10));
}

#[test]
fn a_count_for_another_pane_is_not_taken() {
    let mut app = App::loaded(demo());
    let tasks = update(&mut app, Action::RunCommand("insights".into()));
    let mut job = tasks_of(tasks, |t| match t {
        Task::CountStats(job) => Some(job),
        _ => None,
    })
    .pop()
    .expect("a count");
    job.token += 1_000_000;
    update(&mut app, Action::Reply(Reply::Stats(job.run())));
    assert!(screen(&mut app, 80, 24).contains("Counting the catalog…"));
}
