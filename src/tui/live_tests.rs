//! The Live tab on the one road: opening an entity asks for a `Task::FetchLive`, its replies
//! come back as `Reply::Live` to the tab that asked (and to no other), and leaving the entity
//! cancels the fetch.

use super::action::Action;
use super::app::{update, App};
use super::reply::Reply;
use super::state_tests::{demo, type_text};
use super::tabs::live::{LiveFetched, LiveHandle, LiveRequest};
use super::task::Task;
use super::ui;
use crate::live::{Answer, OnCallEntry, ProviderResult, Report, Severity};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;

/// A portal over the demo catalog with PagerDuty configured (never reached: the tests answer
/// for it).
fn portal() -> App {
    let config = crate::config::Config::parse(
        "live.yaml",
        "integrations:\n  pagerduty: {base_url: 'http://127.0.0.1:9/pd', token_command: 'printf x'}\n",
    )
    .expect("the config parses");
    let live = crate::live::Live::new(config.integrations.clone(), Vec::new(), None, true);
    let mut app = App::loaded(demo());
    app.prefs.live = Some(LiveHandle(Arc::new(live)));
    app
}

/// Opens the first result for `query`; returns the live fetch the view asked for.
fn open(app: &mut App, query: &str) -> LiveRequest {
    type_text(app, query);
    let tasks = update(app, Action::Open);
    let mut fetches: Vec<LiveRequest> = tasks
        .into_iter()
        .filter_map(|t| match t {
            Task::FetchLive(request) => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(fetches.len(), 1, "one live fetch per entity view");
    fetches.remove(0)
}

fn report(entity: &str, person: &str) -> Report {
    let mut answer = Answer::signal("pagerduty", Severity::Ok, "no open incident");
    answer.oncall.push(OnCallEntry {
        provider: "pagerduty".into(),
        target: "Ledger escalation".into(),
        level: Some(1),
        name: person.into(),
        email: None,
        until: None,
        url: None,
    });
    Report {
        entity: entity.into(),
        results: vec![ProviderResult {
            provider: "pagerduty".into(),
            answer,
            fetched_at: None,
            stale: false,
            error: None,
            via: "direct".into(),
            from: None,
        }],
    }
}

fn screen(app: &mut App) -> String {
    update(app, Action::Resize(100, 24));
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    let buffer = terminal.backend().buffer();
    (0..24)
        .map(|y| {
            (0..100)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

fn live_reply(token: u64, report: Report) -> Action {
    Action::Reply(Reply::Live(Box::new(LiveFetched { token, report })))
}

#[test]
fn opening_an_entity_asks_for_its_live_data_and_the_reply_reaches_its_live_tab() {
    let mut app = portal();
    let request = open(&mut app, "ledger-writer");
    assert_eq!(request.subject.entity(), "component:default/ledger-writer");
    // Asked for once: the next update asks for nothing more.
    assert!(update(&mut app, Action::Tick).is_empty());
    update(&mut app, Action::PrevTab); // round to the last tab, Live
    assert!(screen(&mut app).contains("Asking the live providers…"));
    // A reply for another tab's token is not this tab's.
    update(
        &mut app,
        live_reply(request.token + 1000, report("x", "Someone Else")),
    );
    assert!(!screen(&mut app).contains("Someone Else"));
    update(
        &mut app,
        live_reply(
            request.token,
            report("component:default/ledger-writer", "Ada"),
        ),
    );
    let shown = screen(&mut app);
    assert!(shown.contains("On call now"), "{shown}");
    assert!(
        shown.contains("Ada · level 1 · Ledger escalation (pagerduty)"),
        "{shown}"
    );
}

#[test]
fn leaving_the_entity_cancels_its_live_fetch_and_a_late_reply_is_dropped() {
    let mut app = portal();
    let mut request = open(&mut app, "ledger-writer");
    assert!(
        matches!(
            request.closed.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Empty)
        ),
        "the fetch goes on while the entity is open"
    );
    update(&mut app, Action::Back);
    assert!(
        matches!(
            request.closed.try_recv(),
            Err(tokio::sync::oneshot::error::TryRecvError::Closed)
        ),
        "leaving the entity stops the fetch"
    );
    // The answer of a fetch already under way finds nobody: dropped, nothing opens.
    assert!(update(&mut app, live_reply(request.token, report("y", "Late"))).is_empty());
    assert!(app.stack.is_empty());
    assert!(!screen(&mut app).contains("Late"));
}
