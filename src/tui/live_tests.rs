//! Live data on the one road: opening an entity asks for a `Task::FetchLive`, its replies
//! come back as `Reply::Live` and are kept by the app, and every view reads them: the Live tab,
//! the Ownership tab's "On call now", the status bar's age and the search markers. Leaving the
//! entity cancels the fetch.

use super::action::Action;
use super::app::{update, App};
use super::reply::Reply;
use super::state_tests::{demo, type_text};
use super::tabs::live::{LiveHandle, LiveRequest};
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
    app.set_live_service(LiveHandle(Arc::new(live)));
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
    report_at(entity, person, Severity::Ok, None, None)
}

fn report_at(
    entity: &str,
    person: &str,
    severity: Severity,
    fetched_at: Option<std::time::SystemTime>,
    from: Option<&str>,
) -> Report {
    let mut answer = Answer::signal("pagerduty", severity, "no open incident");
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
            fetched_at,
            stale: false,
            error: None,
            via: "direct".into(),
            from: from.map(str::to_string),
        }],
    }
}

fn screen(app: &mut App) -> String {
    update(app, Action::Resize(140, 60));
    let mut terminal = Terminal::new(TestBackend::new(140, 60)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    let buffer = terminal.backend().buffer();
    (0..60)
        .map(|y| {
            (0..140)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

fn live_reply(report: Report) -> Action {
    Action::Reply(Reply::Live(Box::new(report)))
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
    // Another entity's report is not this one's.
    update(
        &mut app,
        live_reply(report("component:default/ledger-reader", "Someone Else")),
    );
    assert!(!screen(&mut app).contains("Someone Else"));
    update(
        &mut app,
        live_reply(report("component:default/ledger-writer", "Ada")),
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
    // The answer of a fetch already under way is kept (for the next visit) and opens nothing.
    let late = report("component:default/ledger-writer", "Late");
    assert!(update(&mut app, live_reply(late)).is_empty());
    assert!(app.stack().is_empty());
    assert!(!screen(&mut app).contains("Late"));
}

#[test]
fn the_ownership_tab_names_who_is_on_call_now_where_it_came_from_and_how_old_it_is() {
    let mut app = portal();
    app.set_clock(crate::tui::clock::Clock::fixed(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000),
    ));
    open(&mut app, "ledger-writer");
    update(&mut app, Action::Ownership);
    let before = screen(&mut app);
    assert!(before.contains("On call now"), "{before}");
    assert!(before.contains("asking the live providers…"), "{before}");
    let fetched = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000 - 90);
    update(
        &mut app,
        live_reply(report_at(
            "component:default/ledger-writer",
            "Grace Hopper",
            Severity::Ok,
            Some(fetched),
            Some("group:default/ledger-team"),
        )),
    );
    let after = screen(&mut app);
    assert!(
        after.contains(
            "Grace Hopper · level 1 · Ledger escalation (pagerduty, from group:default/ledger-team) · 1 min ago"
        ),
        "{after}"
    );
    assert!(!after.contains("asking the live providers…"), "{after}");
    // The status bar says how old the entity's live data is.
    assert!(after.contains("live 1 min ago"), "{after}");
    update(&mut app, Action::Resize(100, 34));
    let mut terminal = Terminal::new(TestBackend::new(100, 34)).expect("test backend");
    terminal
        .draw(|frame| ui::render(&app, frame))
        .expect("drawing never fails on a test backend");
    insta::assert_snapshot!("ownership_on_call_now", terminal.backend());
}

#[test]
fn search_rows_carry_the_live_severity_of_entities_whose_status_is_known() {
    let mut app = portal();
    update(
        &mut app,
        live_reply(report_at(
            "component:default/ledger-writer",
            "Ada",
            Severity::Crit,
            None,
            None,
        )),
    );
    type_text(&mut app, "ledger");
    let shown = screen(&mut app);
    // The row whose name column is `name` (after the two marker columns and the kind).
    let row = |name: &str| {
        shown
            .lines()
            .find(|l| {
                l.chars()
                    .skip(2)
                    .collect::<String>()
                    .split_whitespace()
                    .nth(1)
                    == Some(name)
            })
            .unwrap_or_else(|| panic!("no row for {name}:\n{shown}"))
            .to_string()
    };
    assert!(
        row("ledger-writer").starts_with("▶✗") || row("ledger-writer").starts_with(" ✗"),
        "{shown}"
    );
    // No live data, no mark.
    assert!(row("ledger-db").starts_with("  resource"), "{shown}");
}

#[test]
fn background_scoring_checks_live_rules_on_the_live_data_the_portal_has() {
    let mut app = portal();
    let card = "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata: {name: live}\nspec:\n  levels: [Silver]\n  rules:\n    - {id: pd-healthy, level: Silver, check: {live: pagerduty}}\n";
    let (scorecards, errors) = crate::scorecard::parse_file("live.yaml", card);
    assert!(errors.is_empty(), "{errors:?}");
    app.set_scorecards(crate::scorecard::Loaded {
        scorecards,
        errors: Vec::new(),
    });
    let id = app
        .catalog()
        .id_of(&crate::catalog::EntityRef::new(
            "component",
            "default",
            "ledger-writer",
        ))
        .expect("the demo has ledger-writer");
    let outcome = |app: &App| {
        let scores = app.scores().for_entity(id);
        let (_, score) = scores.first().expect("the card applies");
        score.outcomes.first().cloned().expect("one rule")
    };
    assert!(
        matches!(outcome(&app), crate::scorecard::Verdict::Unknown(_)),
        "no live data yet: unknown"
    );
    update(
        &mut app,
        live_reply(report_at(
            "component:default/ledger-writer",
            "Ada",
            Severity::Crit,
            None,
            None,
        )),
    );
    // Scored again after the next frame, on the data that came in.
    update(&mut app, Action::Drawn);
    assert_eq!(
        outcome(&app),
        crate::scorecard::Verdict::Failed("live pagerduty is crit: no open incident".into())
    );
}

#[test]
fn the_blast_radius_names_who_is_on_call_now_for_the_teams_to_notify() {
    let mut app = portal();
    let id = app
        .catalog()
        .id_of(&crate::catalog::EntityRef::new(
            "resource",
            "default",
            "ledger-db",
        ))
        .expect("the demo has ledger-db");
    app.open_entity_tab(id, "Dependencies");
    let forward = update(&mut app, Action::Tick);
    assert!(
        !forward.iter().any(|t| matches!(t, Task::FetchLive(_))),
        "the forward tree has no teams to notify: nothing is asked"
    );
    // Reverse: the teams to notify, and who is on call for them is asked of the providers.
    let asked: Vec<LiveRequest> = update(&mut app, Action::ToggleView)
        .into_iter()
        .filter_map(|t| match t {
            Task::FetchLive(request) => Some(*request),
            _ => None,
        })
        .collect();
    assert!(!asked.is_empty(), "the teams' on-call is asked for");
    let before = screen(&mut app);
    assert!(before.contains("Teams to notify"), "{before}");
    assert!(!before.contains("on call now:"), "{before}");
    for request in &asked {
        update(
            &mut app,
            live_reply(report(request.subject.entity(), "Grace Hopper")),
        );
    }
    let after = screen(&mut app);
    let team = after
        .lines()
        .find(|l| l.contains("group:ledger-team") && l.contains("affected"))
        .unwrap_or_else(|| panic!("no ledger-team line:\n{after}"));
    assert!(team.contains("on call now: Grace Hopper"), "{after}");
    // Asked once: a deeper tree does not ask again for the same teams.
    let again = update(&mut app, Action::DepthMore);
    assert!(
        !again.iter().any(|t| matches!(t, Task::FetchLive(_))),
        "{again:?}"
    );
}
