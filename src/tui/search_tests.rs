//! Searching while loading and on the worker: results follow batches at a bounded rate, a
//! keystroke never waits for matching, and answers to stale queries are dropped.

use super::action::Action;
use super::app::{update, App};
use super::keymap::Keymap;
use super::search_worker::{SearchDone, SearchWorker};
use super::state_tests::{demo, type_text};
use crate::catalog::Catalog;
use crate::source::{LoadEvent, SourceSpec};
use std::sync::mpsc;
use std::time::Duration;

fn loading_app() -> App {
    App::new(
        Catalog::new(),
        &[SourceSpec::demo()],
        Default::default(),
        Keymap::default(),
    )
}

fn batch(entities: Vec<crate::catalog::Entity>) -> Action {
    Action::Load(LoadEvent::Batch {
        source: 0,
        entities,
        problems: vec![],
    })
}

#[test]
fn while_loading_batches_grow_the_index_but_results_follow_at_a_bounded_rate() {
    let entities = demo().entities().to_vec();
    let (first, rest) = entities.split_at(10);
    let (second, third) = rest.split_at(10);
    let mut app = loading_app();
    app.set_load_search_interval(Duration::from_secs(3600));
    update(&mut app, batch(first.to_vec()));
    assert_eq!(
        app.search.results.total, 10,
        "the first batch shows at once"
    );
    update(&mut app, batch(second.to_vec()));
    update(&mut app, Action::Tick);
    assert_eq!(app.index.len(), 20, "the index grows with every batch");
    assert_eq!(
        app.search.results.total, 10,
        "no re-search per batch within the interval"
    );
    app.set_load_search_interval(Duration::ZERO);
    update(&mut app, Action::Tick);
    assert_eq!(
        app.search.results.total, 20,
        "a tick past the interval catches up"
    );
    app.set_load_search_interval(Duration::from_secs(3600));
    update(&mut app, batch(third.to_vec()));
    assert_eq!(app.search.results.total, 20);
    update(
        &mut app,
        Action::Load(LoadEvent::Done {
            source: 0,
            error: None,
        }),
    );
    assert_eq!(
        app.search.results.total,
        entities.len(),
        "the end of loading always brings every entity in"
    );
}

fn worker_app() -> (App, mpsc::Receiver<SearchDone>) {
    let mut app = App::loaded(demo());
    let (tx, rx) = mpsc::channel();
    app.use_worker(
        SearchWorker::spawn(move |d| {
            let _ = tx.send(d);
        })
        .expect("thread starts"),
    );
    (app, rx)
}

fn answer(rx: &mpsc::Receiver<SearchDone>) -> SearchDone {
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the worker answers")
}

#[test]
fn with_a_worker_a_keystroke_returns_before_matching_and_results_arrive_as_an_event() {
    let (mut app, rx) = worker_app();
    let all = app.catalog.len();
    type_text(&mut app, "ledgr");
    assert_eq!(
        app.search.query.text(),
        "ledgr",
        "the query line updates at once"
    );
    assert!(app.is_searching());
    assert_eq!(
        app.search.results.total, all,
        "old results stay until new ones come"
    );
    while app.is_searching() {
        let done = answer(&rx);
        update(
            &mut app,
            Action::Reply(crate::tui::reply::Reply::Search(done)),
        );
    }
    let first = app.search.selected_id().expect("a result");
    assert_eq!(app.catalog.get(first).metadata.name, "ledger-writer");
    assert_eq!(app.search.selected, 0);
}

#[test]
fn an_answer_to_a_query_the_user_has_typed_past_is_dropped() {
    let (mut app, rx) = worker_app();
    let all = app.catalog.len();
    type_text(&mut app, "zzqqxxjj");
    // Wait for the worker to answer the whole query, but apply it only after more typing.
    let mut stale = answer(&rx);
    while stale.results.total != 0 {
        stale = answer(&rx);
    }
    update(&mut app, Action::ClearInput);
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::Search(stale)),
    );
    assert_eq!(
        app.search.results.total, all,
        "no-match results for the old query never show"
    );
    assert!(
        app.is_searching(),
        "the cleared query's answer is still awaited"
    );
    while app.is_searching() {
        let done = answer(&rx);
        update(
            &mut app,
            Action::Reply(crate::tui::reply::Reply::Search(done)),
        );
    }
    assert_eq!(app.search.results.total, all);
}

#[test]
fn enter_right_after_typing_opens_what_the_query_finds_not_the_old_first_row() {
    let (mut app, _rx) = worker_app();
    type_text(&mut app, "ledgr");
    update(&mut app, Action::Open);
    let opened = app.current_entity().expect("an entity view");
    assert_eq!(app.catalog.get(opened).metadata.name, "ledger-writer");
}

fn component(name: &str, depends_on: &[&str]) -> crate::catalog::Entity {
    let value = serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": name},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a",
                 "dependsOn": depends_on},
    });
    crate::catalog::Entity::from_value(value, crate::catalog::Origin::new("t.yaml", None))
        .expect("a valid entity")
        .0
}

/// The names of the results of `query` once every batch is in and the source is done.
fn ranked_after(batches: Vec<Vec<crate::catalog::Entity>>, query: &str) -> Vec<String> {
    let mut app = loading_app();
    app.set_load_search_interval(Duration::ZERO);
    for b in batches {
        update(&mut app, batch(b));
    }
    update(
        &mut app,
        Action::Load(LoadEvent::Done {
            source: 0,
            error: None,
        }),
    );
    type_text(&mut app, query);
    let names = app.search.results.hits.iter();
    names
        .map(|h| app.catalog.get(h.id).metadata.name.clone())
        .collect()
}

#[test]
fn equal_matches_rank_the_same_whatever_order_the_batches_came_in() {
    // `ledger-writer` has a dependent, so it outranks `ledger-reader` among equal matches;
    // the dependent arrives in a later batch than the two it ranks.
    let ledgers = || {
        vec![
            component("ledger-reader", &[]),
            component("ledger-writer", &[]),
        ]
    };
    let dependent = || vec![component("payments", &["component:ledger-writer"])];
    let together = ranked_after(vec![[ledgers(), dependent()].concat()], "ledger");
    let apart = ranked_after(vec![ledgers(), dependent()], "ledger");
    assert_eq!(together, ["ledger-writer", "ledger-reader"]);
    assert_eq!(apart, together);
}

#[test]
fn ctrl_w_and_alt_backspace_delete_the_last_word_of_the_query() {
    use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
    let mut app = App::loaded(demo());
    type_text(&mut app, "kind:component ledger  ");
    let ctrl_w = KeyEvent::new_with_kind(
        KeyCode::Char('w'),
        KeyModifiers::CONTROL,
        KeyEventKind::Press,
    );
    let action = app.action_for_key(&ctrl_w).expect("Ctrl-W is bound");
    update(&mut app, action);
    assert_eq!(app.search.query.text(), "kind:component ");
    let alt_bs =
        KeyEvent::new_with_kind(KeyCode::Backspace, KeyModifiers::ALT, KeyEventKind::Press);
    let action = app.action_for_key(&alt_bs).expect("Alt-Backspace is bound");
    update(&mut app, action);
    assert_eq!(app.search.query.text(), "");
}
