//! Searching while loading and on the worker: results follow batches at a bounded rate, a
//! keystroke never waits for matching, and answers to stale queries are dropped.

use super::action::Action;
use super::app::{update, App};
use super::keymap::Keymap;
use super::reply::Reply;
use super::search_worker::{SearchDone, SearchWorker};
use super::state_tests::{demo, type_text};
use super::task::Task;
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
        app.search().results.total,
        10,
        "the first batch shows at once"
    );
    update(&mut app, batch(second.to_vec()));
    update(&mut app, Action::Tick);
    assert_eq!(app.index().len(), 20, "the index grows with every batch");
    assert_eq!(
        app.search().results.total,
        10,
        "no re-search per batch within the interval"
    );
    app.set_load_search_interval(Duration::ZERO);
    update(&mut app, Action::Tick);
    assert_eq!(
        app.search().results.total,
        20,
        "a tick past the interval catches up"
    );
    app.set_load_search_interval(Duration::from_secs(3600));
    update(&mut app, batch(third.to_vec()));
    assert_eq!(app.search().results.total, 20);
    update(
        &mut app,
        Action::Load(LoadEvent::Done {
            source: 0,
            error: None,
        }),
    );
    assert_eq!(
        app.search().results.total,
        entities.len(),
        "the end of loading always brings every entity in"
    );
}

/// An app whose searches run on a real worker, as the executor runs them: every
/// [`Task::Search`] that `update` returns is handed to the worker.
struct OnWorker {
    app: App,
    worker: SearchWorker,
    answers: mpsc::Receiver<SearchDone>,
}

impl OnWorker {
    fn new() -> Self {
        let mut app = App::loaded(demo());
        app.search_in_background();
        let (tx, answers) = mpsc::channel();
        let worker = SearchWorker::spawn(move |d| {
            let _ = tx.send(d);
        })
        .expect("thread starts");
        Self {
            app,
            worker,
            answers,
        }
    }

    fn update(&mut self, action: Action) {
        for task in update(&mut self.app, action) {
            if let Task::Search(request) = task {
                assert!(self.worker.submit(request).is_ok(), "the worker runs");
            }
        }
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.update(Action::Input(c));
        }
    }

    fn answer(&self) -> SearchDone {
        self.answers
            .recv_timeout(Duration::from_secs(30))
            .expect("the worker answers")
    }

    /// Applies answers until the latest query's is in.
    fn settle(&mut self) {
        while self.app.is_searching() {
            let done = self.answer();
            self.update(Action::Reply(Reply::Search(done)));
        }
    }
}

#[test]
fn on_the_worker_a_keystroke_asks_for_a_search_task_and_returns_before_matching() {
    let mut w = OnWorker::new();
    let all = w.app.catalog().len();
    let tasks = update(&mut w.app, Action::Input('l'));
    let searches: Vec<&Task> = tasks
        .iter()
        .filter(|t| matches!(t, Task::Search(_)))
        .collect();
    assert_eq!(searches.len(), 1, "one search per keystroke: {tasks:?}");
    assert!(matches!(searches[0], Task::Search(r) if r.query.words == ["l"]));
    assert_eq!(
        w.app.search().query.text(),
        "l",
        "the query line updates at once"
    );
    assert!(w.app.is_searching());
    assert_eq!(
        w.app.search().results.total,
        all,
        "old results stay until new ones come"
    );
}

#[test]
fn with_a_worker_a_keystroke_returns_before_matching_and_results_arrive_as_an_event() {
    let mut w = OnWorker::new();
    let all = w.app.catalog().len();
    w.type_text("ledgr");
    assert_eq!(
        w.app.search().query.text(),
        "ledgr",
        "the query line updates at once"
    );
    assert!(w.app.is_searching());
    assert_eq!(
        w.app.search().results.total,
        all,
        "old results stay until new ones come"
    );
    w.settle();
    let first = w.app.search().selected_id().expect("a result");
    assert_eq!(w.app.catalog().get(first).metadata.name, "ledger-writer");
    assert_eq!(w.app.search().selected, 0);
}

#[test]
fn an_answer_to_a_query_the_user_has_typed_past_is_dropped() {
    let mut w = OnWorker::new();
    let all = w.app.catalog().len();
    w.type_text("zzqqxxjj");
    // Wait for the worker to answer the whole query, but apply it only after more typing.
    let mut stale = w.answer();
    while stale.results.total != 0 {
        stale = w.answer();
    }
    w.update(Action::ClearInput);
    w.update(Action::Reply(Reply::Search(stale)));
    assert_eq!(
        w.app.search().results.total,
        all,
        "no-match results for the old query never show"
    );
    assert!(
        w.app.is_searching(),
        "the cleared query's answer is still awaited"
    );
    w.settle();
    assert_eq!(w.app.search().results.total, all);
}

#[test]
fn enter_right_after_typing_opens_what_the_query_finds_not_the_old_first_row() {
    let mut w = OnWorker::new();
    w.type_text("ledgr");
    w.update(Action::Open);
    let opened = w.app.current_entity().expect("an entity view");
    assert_eq!(w.app.catalog().get(opened).metadata.name, "ledger-writer");
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
    let names = app.search().results.hits.iter();
    names
        .map(|h| app.catalog().get(h.id).metadata.name.clone())
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
    assert_eq!(app.search().query.text(), "kind:component ");
    let alt_bs =
        KeyEvent::new_with_kind(KeyCode::Backspace, KeyModifiers::ALT, KeyEventKind::Press);
    let action = app.action_for_key(&alt_bs).expect("Alt-Backspace is bound");
    update(&mut app, action);
    assert_eq!(app.search().query.text(), "");
}

#[test]
fn a_query_matching_more_than_the_list_holds_says_only_the_best_are_listed() {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    let many = crate::synthetic::generate(super::panes::search::RESULT_LIMIT + 500, 2);
    let all = many.len();
    let mut app = App::loaded(Catalog::from_entities(many, vec![]));
    update(&mut app, Action::Resize(100, 16));
    let header = |app: &App| {
        let mut terminal = Terminal::new(TestBackend::new(100, 16)).expect("test backend");
        terminal.draw(|f| super::ui::render(app, f)).expect("draws");
        let buffer = terminal.backend().buffer();
        buffer.content()[..100]
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
    };
    let limit = super::panes::search::RESULT_LIMIT;
    assert_eq!(app.search().results.hits.len(), limit);
    assert!(
        header(&app).ends_with(&format!(" best {limit} listed · {all} of {all}")),
        "{}",
        header(&app)
    );
    // A query the list holds whole: the plain count.
    type_text(&mut app, "kind:system");
    let systems = app.search().results.total;
    assert!(systems > 0 && systems < limit, "{systems}");
    assert!(
        header(&app).ends_with(&format!(" {systems} of {all}")),
        "{}",
        header(&app)
    );
}

#[test]
fn facets_are_counted_only_while_their_panel_is_shown() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger");
    assert!(
        app.search().results.facets.kinds.is_empty(),
        "a closed panel costs no counting"
    );
    let selected = app.search().selected_id();
    update(&mut app, Action::Facets);
    let kinds = &app.search().results.facets.kinds;
    assert!(
        kinds.iter().any(|(k, n)| k == "component" && *n > 0),
        "{kinds:?}"
    );
    assert_eq!(app.search().selected_id(), selected, "the selection stays");
    // On the worker: opening the panel asks for a search that counts them.
    let mut w = OnWorker::new();
    w.type_text("ledger");
    w.settle();
    let tasks = update(&mut w.app, Action::Facets);
    assert!(
        tasks
            .iter()
            .any(|t| matches!(t, Task::Search(r) if r.facets)),
        "{tasks:?}"
    );
    let typed = update(&mut w.app, Action::Input('x'));
    assert!(
        typed
            .iter()
            .any(|t| matches!(t, Task::Search(r) if r.facets)),
        "while shown, every search counts them"
    );
}
