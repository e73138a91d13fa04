//! Templates run on a Backstage server from the portal: the review's choice, the progress
//! pane (snapshots while running, finished, failed and tiny), a 400 mapped back onto the
//! form, leaving a running task, copying an output link, and the log's bound.

use super::action::Action;
use super::app::{update, App};
use super::panes::form::FormView;
use super::panes::task::{TaskView, MAX_LOG_LINES};
use super::panes::{Ctx, Outcome, View};
use super::remote_task::{RemoteRun, RemoteUpdate};
use super::state_tests::demo;
use super::task::Task;
use super::theme::Theme;
use crate::backstage::tasks::{FieldError, StepState, TaskEvent, TaskResult};
use crate::catalog::{Catalog, Entity, Origin};
use crate::scaffolder::render::{Output, OutputLink};
use crate::scaffolder::session::Stage;
use crate::scaffolder::Template;
use crate::search::SearchIndex;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::Duration;

const SERVER: &str = "https://backstage.example.com";

const TEMPLATE: &str = r#"
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: go-service, title: Go microservice}
spec:
  owner: group:default/platform-team
  type: service
  parameters:
    - title: Service
      required: [name]
      properties:
        name: {title: Name, type: string}
        token: {title: Token, type: string, ui:field: Secret}
  steps:
    - {id: fetch, name: Fetch skeleton, action: fetch:template, input: {url: ./skeleton}}
    - {id: publish, name: Publish, action: publish:github, input: {repoUrl: x}}
    - {id: register, name: Register, action: catalog:register, input: {}}
"#;

fn template(origin: &str) -> Template {
    let doc: serde_json::Value = serde_yaml::from_str(TEMPLATE).expect("test template");
    let e = Entity::from_value(doc, Origin::new(origin, None))
        .expect("entity")
        .0;
    Template::from_entity(&e).expect("template")
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new_with_kind(
        code,
        modifiers,
        KeyEventKind::Press,
    ))
}

fn run() -> RemoteRun {
    RemoteRun {
        template_ref: "template:default/go-service".into(),
        title: "Go microservice".into(),
        server: SERVER.into(),
        steps: vec![
            ("fetch".into(), "Fetch skeleton".into()),
            ("publish".into(), "Publish".into()),
            ("register".into(), "Register".into()),
        ],
        values: Default::default(),
        secrets: Default::default(),
    }
}

fn step(id: &str, state: StepState) -> RemoteUpdate {
    RemoteUpdate::Event(TaskEvent::Step {
        step: id.into(),
        state,
    })
}

fn log(step: &str, line: &str) -> RemoteUpdate {
    RemoteUpdate::Event(TaskEvent::Log {
        step: Some(step.into()),
        line: line.into(),
    })
}

fn running() -> TaskView {
    let mut v = TaskView::new(1, &run(), Duration::from_secs(1800), None);
    for u in [
        RemoteUpdate::Submitted("a1b2c3".into()),
        step("fetch", StepState::Processing),
        log("fetch", "Fetching template content from ./skeleton"),
        step("fetch", StepState::Completed),
        step("publish", StepState::Processing),
        log("publish", "Creating repository acme/billing"),
    ] {
        assert!(v.apply(&u));
    }
    v
}

fn finished() -> TaskView {
    let mut v = running();
    v.apply(&step("publish", StepState::Completed));
    v.apply(&step("register", StepState::Completed));
    v.apply(&RemoteUpdate::Finished(TaskResult {
        id: "a1b2c3".into(),
        status: "completed".into(),
        output: Output {
            links: vec![
                OutputLink {
                    title: "Repository".into(),
                    url: Some("https://github.com/acme/billing".into()),
                    entity_ref: None,
                    icon: None,
                },
                OutputLink {
                    title: "Open in catalog".into(),
                    url: None,
                    entity_ref: Some("component:default/billing".into()),
                    icon: None,
                },
            ],
            text: Vec::new(),
        },
        error: None,
    }));
    v
}

use super::form_tests::Fixture;

fn draw(view: &dyn View, width: u16, height: u16) -> Terminal<TestBackend> {
    let fx = Fixture::new();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
    terminal
        .draw(|frame| view.render(&fx.ctx(), frame.area(), frame))
        .expect("draw");
    for cell in terminal.backend().buffer().content() {
        assert!(!cell.symbol().chars().any(char::is_control));
    }
    terminal
}

/// Every cell's symbol, row after row.
fn text_of(t: &Terminal<TestBackend>) -> String {
    t.backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect()
}

#[test]
fn progress_while_running() {
    insta::assert_snapshot!(draw(&running(), 80, 16).backend());
}

#[test]
fn progress_finished_with_links() {
    insta::assert_snapshot!(draw(&finished(), 80, 18).backend());
}

#[test]
fn progress_lost_in_a_tiny_terminal() {
    let mut v = running();
    v.apply(&RemoteUpdate::Failed(
        "lost track of task a1b2c3: cannot reach https://backstage.example.com; it may still be running on the server".into(),
    ));
    insta::assert_snapshot!(draw(&v, 30, 8).backend());
}

#[test]
fn hostile_log_lines_never_reach_a_cell_as_controls() {
    let mut v = running();
    v.apply(&log(
        "fetch\u{1b}[2J",
        "evil\u{1b}]0;title\u{7} line\r\u{9b}31m",
    ));
    let t = draw(&v, 60, 16);
    let screen = text_of(&t);
    assert!(screen.contains("evil"), "{screen}");
}

#[test]
fn the_log_is_bounded_and_says_how_much_was_dropped() {
    let mut v = running();
    for i in 0..MAX_LOG_LINES + 10 {
        v.apply(&log("fetch", &format!("line {i}")));
    }
    assert_eq!(v.log.len(), MAX_LOG_LINES);
    assert_eq!(
        v.log.back().unwrap(),
        &format!("fetch: line {}", MAX_LOG_LINES + 9)
    );
    let t = draw(&v, 80, 16);
    let screen = text_of(&t);
    assert!(screen.contains("12 older dropped"), "{screen}");
}

#[test]
fn steps_follow_the_events_and_unknown_steps_are_added() {
    let mut v = running();
    v.apply(&step("extra", StepState::Skipped));
    let states: Vec<_> = v.steps.iter().map(|s| (s.id.as_str(), s.state)).collect();
    assert_eq!(
        states,
        [
            ("fetch", Some(StepState::Completed)),
            ("publish", Some(StepState::Processing)),
            ("register", None),
            ("extra", Some(StepState::Skipped)),
        ]
    );
}

#[test]
fn esc_while_running_leaves_the_task_running_and_names_it() {
    let fx = Fixture::new();
    let mut v = running();
    let Outcome::PopWith(message) = v.handle(&Action::Back, &fx.ctx()) else {
        panic!("Esc should close the pane with a message");
    };
    assert_eq!(
        message,
        "task a1b2c3 keeps running on https://backstage.example.com; this portal stopped following it"
    );
    // Finished: Esc is the ordinary back.
    let mut v = finished();
    assert!(matches!(
        v.handle(&Action::Back, &fx.ctx()),
        Outcome::Ignored
    ));
}

#[test]
fn y_copies_the_selected_output_link() {
    let fx = Fixture::new();
    let mut v = running();
    assert!(matches!(
        v.handle(&Action::CopyRef, &fx.ctx()),
        Outcome::Status(_)
    ));
    let mut v = finished();
    let Outcome::Copy { text, .. } = v.handle(&Action::CopyRef, &fx.ctx()) else {
        panic!("y should copy");
    };
    assert_eq!(text, "https://github.com/acme/billing");
    v.handle(&Action::NextTab, &fx.ctx());
    let Outcome::Copy { text, .. } = v.handle(&Action::CopyRef, &fx.ctx()) else {
        panic!("y should copy");
    };
    assert_eq!(text, "component:default/billing");
}

/// A form of a template from `origin`, its one required field and its secret filled, at the
/// review.
fn form_at_review(fx: &Fixture, origin: &str) -> FormView {
    let ctx = fx.ctx();
    let mut view = FormView::new(template(origin), &ctx, None);
    for c in "billing".chars() {
        view.handle(&key(KeyCode::Char(c), KeyModifiers::NONE), &ctx);
    }
    view.handle(&Action::NextField, &ctx);
    for c in "s3cret".chars() {
        view.handle(&key(KeyCode::Char(c), KeyModifiers::NONE), &ctx);
    }
    view.handle(&Action::NextPage, &ctx);
    assert_eq!(view.session.stage, Stage::Review);
    view
}

fn server_refusal() -> Vec<FieldError> {
    vec![
        FieldError {
            field: Some("name".into()),
            message: "does not match pattern".into(),
        },
        FieldError {
            field: None,
            message: "the form is odd".into(),
        },
    ]
}

#[test]
fn a_remote_template_runs_on_its_server_by_default_with_secrets_apart() {
    let fx = Fixture::new();
    let mut view = form_at_review(&fx, SERVER);
    assert!(view.run_remote);
    let Outcome::RunRemote(run) = view.handle(&Action::Open, &fx.ctx()) else {
        panic!("Enter should run the template on its server");
    };
    assert_eq!(run.server, SERVER);
    assert_eq!(run.template_ref, "template:default/go-service");
    assert_eq!(run.values["name"], "billing");
    assert!(!run.values.contains_key("token"));
    assert_eq!(run.secrets["token"], "s3cret");
    let steps: Vec<_> = run.steps.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(steps, ["fetch", "publish", "register"]);
}

#[test]
fn a_400_marks_the_refused_field_and_keeps_the_values() {
    let fx = Fixture::new();
    let mut view = form_at_review(&fx, SERVER);
    let refused = Action::Reply(crate::tui::reply::Reply::TemplateRun(
        1,
        RemoteUpdate::Invalid(server_refusal()),
    ));
    let Outcome::Error(message) = view.handle(&refused, &fx.ctx()) else {
        panic!("the form did not take the refusal");
    };
    assert_eq!(
        message,
        "the server refused 2 value(s): fix the marked fields: the form is odd"
    );
    assert_eq!(view.session.stage, Stage::Fill);
    assert_eq!(view.session.focused().map(|f| f.key.as_str()), Some("name"));
    assert_eq!(
        view.session.errors.get("name").map(String::as_str),
        Some("the server says: does not match pattern")
    );
    assert_eq!(
        view.session.values["name"], "billing",
        "the user's value stays"
    );
}

#[test]
fn ctrl_t_switches_a_remote_template_to_a_local_run_and_local_templates_never_go_remote() {
    let fx = Fixture::new();
    let mut view = form_at_review(&fx, SERVER);
    view.handle(&key(KeyCode::Char('t'), KeyModifiers::CONTROL), &fx.ctx());
    assert!(!view.run_remote);
    assert!(!matches!(
        view.handle(&Action::Open, &fx.ctx()),
        Outcome::RunRemote(_)
    ));

    let mut view = form_at_review(&fx, "/srv/catalog/templates.yaml");
    assert!(view.server.is_none() && !view.run_remote);
    view.handle(&key(KeyCode::Char('t'), KeyModifiers::CONTROL), &fx.ctx());
    assert!(!view.run_remote);
    assert!(!matches!(
        view.handle(&Action::Open, &fx.ctx()),
        Outcome::RunRemote(_)
    ));
}

/// An app with the form of a remote template at its review.
fn app_at_review() -> App {
    let fx = Fixture::new();
    let mut app = App::loaded(demo());
    app.push(Box::new(form_at_review(&fx, SERVER)));
    app
}

/// The template runs among the tasks `update` returned.
fn remote_runs(tasks: Vec<Task>) -> Vec<super::remote_task::RemoteJob> {
    tasks
        .into_iter()
        .filter_map(|t| match t {
            Task::RunTemplate(job) => Some(*job),
            _ => None,
        })
        .collect()
}

#[test]
fn the_app_opens_a_progress_pane_and_a_400_closes_it_onto_the_form() {
    let mut app = app_at_review();
    let jobs = remote_runs(update(&mut app, Action::Open));
    assert_eq!(
        app.stack().len(),
        2,
        "a progress pane opened above the form"
    );
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].server, SERVER);
    assert_eq!(jobs[0].request.secrets["token"], "s3cret");
    assert!(
        remote_runs(update(&mut app, Action::Tick)).is_empty(),
        "asked for once"
    );
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::TemplateRun(
            jobs[0].job,
            RemoteUpdate::Invalid(server_refusal()),
        )),
    );
    assert_eq!(app.stack().len(), 1, "the progress pane closed");
    let status = app.status().expect("a status");
    assert!(status.error);
    // The form's own message: it took the errors.
    assert_eq!(
        status.text,
        "the server refused 2 value(s): fix the marked fields: the form is odd"
    );
}

#[test]
fn updates_reach_the_pane_of_their_job_and_a_closed_pane_is_not_an_error() {
    let mut app = app_at_review();
    let job = remote_runs(update(&mut app, Action::Open))[0].job;
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::TemplateRun(
            job,
            RemoteUpdate::Submitted("t-1".into()),
        )),
    );
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::TemplateRun(
            job + 7,
            RemoteUpdate::Failed("other".into()),
        )),
    );
    update(&mut app, Action::Back);
    assert_eq!(app.stack().len(), 1);
    assert!(app
        .status()
        .is_some_and(|s| s.text.starts_with("task t-1 keeps running on")));
    // The task's later news has no pane to go to: dropped quietly.
    update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::TemplateRun(
            job,
            log("fetch", "late"),
        )),
    );
    assert_eq!(app.stack().len(), 1);
}

#[test]
fn review_shows_where_the_template_runs() {
    let fx = Fixture::new();
    let view = form_at_review(&fx, SERVER);
    insta::assert_snapshot!(draw(&view, 80, 12).backend());
}

#[test]
fn copy_effect_reaches_the_loop() {
    let mut app = App::loaded(demo());
    app.push(Box::new(finished()));
    assert!(matches!(
        update(&mut app, Action::CopyRef).into_iter().next(),
        Some(Task::Copy(t)) if t == "https://github.com/acme/billing"
    ));
}

// --- The remote Docs tab ---------------------------------------------------------------

mod docs_tab {
    use super::*;
    use crate::backstage::techdocs::{RemotePage, RemoteSite};
    use crate::catalog::EntityId;
    use crate::tui::remote_task::DocsFetched;
    use crate::tui::tabs::remote_docs::{self, State};
    use crate::tui::tabs::EntityTab;

    fn catalog_with(origin: &str) -> (Catalog, EntityId) {
        let doc = serde_json::json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "orders", "annotations": {
                "backstage.io/source-location": "url:https://github.com/acme/orders/",
                "backstage.io/techdocs-ref": "url:https://github.com/acme/orders/"}},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
        });
        let e = Entity::from_value(doc, Origin::new(origin, None))
            .unwrap()
            .0;
        let mut catalog = Catalog::default();
        let id = catalog.insert(e).unwrap();
        (catalog, id)
    }

    struct Tab {
        catalog: Catalog,
        index: SearchIndex,
        theme: Theme,
        scores: crate::scorecard::Scoreboard,
        tab: Box<dyn EntityTab>,
    }

    impl Tab {
        fn new() -> Self {
            let (catalog, id) = catalog_with(SERVER);
            let index = SearchIndex::build(&catalog);
            let theme = Theme::default();
            let scores = crate::scorecard::Scoreboard::default();
            let ctx = Ctx {
                catalog: &catalog,
                index: &index,
                theme: &theme,
                scores: &scores,
                page: 10,
                prefs: &crate::tui::panes::DEFAULT_PREFS,
                live: &crate::live::NO_REPORTS,
                now: std::time::SystemTime::now(),
                initiatives: &crate::tui::panes::NO_INITIATIVES,
            };
            let tab = remote_docs::make(&ctx, id).expect("a remote entity has the tab");
            Tab {
                catalog,
                index,
                theme,
                scores,
                tab,
            }
        }

        fn ctx(&self) -> Ctx<'_> {
            Ctx {
                catalog: &self.catalog,
                index: &self.index,
                theme: &self.theme,
                scores: &self.scores,
                page: 10,
                prefs: &crate::tui::panes::DEFAULT_PREFS,
                live: &crate::live::NO_REPORTS,
                now: std::time::SystemTime::now(),
                initiatives: &crate::tui::panes::NO_INITIATIVES,
            }
        }

        fn handle(&mut self, action: Action) -> Outcome {
            // Field by field: the tab is borrowed mutably beside the context.
            let ctx = Ctx {
                catalog: &self.catalog,
                index: &self.index,
                theme: &self.theme,
                scores: &self.scores,
                page: 10,
                prefs: &crate::tui::panes::DEFAULT_PREFS,
                live: &crate::live::NO_REPORTS,
                now: std::time::SystemTime::now(),
                initiatives: &crate::tui::panes::NO_INITIATIVES,
            };
            self.tab.handle(&action, &ctx)
        }

        fn screen(&self, w: u16, h: u16) -> Terminal<TestBackend> {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| self.tab.render(&self.ctx(), f.area(), f))
                .unwrap();
            for cell in t.backend().buffer().content() {
                assert!(!cell.symbol().chars().any(char::is_control));
            }
            t
        }
    }

    fn fetched(page: &str, result: Result<RemotePage, (String, bool)>, site: bool) -> DocsFetched {
        DocsFetched {
            server: SERVER.into(),
            entity: crate::catalog::EntityRef::new("Component", "default", "orders"),
            page: page.into(),
            site: site.then(|| {
                Ok(RemoteSite {
                    name: "Orders".into(),
                    description: None,
                    pages: vec!["index.html".into(), "runbook/index.html".into()],
                })
            }),
            page_result: result,
        }
    }

    #[test]
    fn only_remote_entities_get_the_remote_docs_tab_and_never_two_docs_tabs() {
        for (origin, remote) in [(SERVER, true), ("/srv/catalog/orders.yaml", false)] {
            let (catalog, id) = catalog_with(origin);
            let index = SearchIndex::build(&catalog);
            let (theme, scores) = (Theme::default(), crate::scorecard::Scoreboard::default());
            let ctx = Ctx {
                catalog: &catalog,
                index: &index,
                theme: &theme,
                scores: &scores,
                page: 10,
                prefs: &crate::tui::panes::DEFAULT_PREFS,
                live: &crate::live::NO_REPORTS,
                now: std::time::SystemTime::now(),
                initiatives: &crate::tui::panes::NO_INITIATIVES,
            };
            let docs = crate::tui::tabs::tabs_for(&ctx, id)
                .iter()
                .filter(|t| t.title() == "Docs")
                .count();
            assert_eq!(remote_docs::make(&ctx, id).is_some(), remote, "{origin}");
            assert_eq!(docs, 1, "{origin}: one Docs tab");
        }
    }

    /// A fetch's answer as the action that carries it to the tab.
    fn docs_reply(fetched: crate::tui::remote_task::DocsFetched) -> Action {
        Action::Reply(crate::tui::reply::Reply::RemoteDocs(Box::new(fetched)))
    }

    #[test]
    fn enter_fetches_then_the_page_shows_and_pages_move_with_brackets() {
        let mut tab = Tab::new();
        insta::assert_snapshot!("remote_docs_idle", tab.screen(60, 5).backend());
        let Outcome::FetchDocs(request) = tab.handle(Action::Open) else {
            panic!("Enter should fetch");
        };
        assert_eq!(request.page, "index.html");
        assert!(request.metadata);
        assert_eq!(request.server, SERVER);
        tab.handle(docs_reply(fetched(
            "index.html",
            Ok(RemotePage {
                path: "index.html".into(),
                lines: vec!["# Orders".into(), "".into(), "Takes orders.".into()],
                nav: Vec::new(),
            }),
            true,
        )));
        insta::assert_snapshot!("remote_docs_page", tab.screen(60, 5).backend());
        let Outcome::FetchDocs(request) = tab.handle(Action::NextPage) else {
            panic!("] should fetch the next page");
        };
        assert_eq!(request.page, "runbook/index.html");
        assert!(!request.metadata, "the metadata is fetched once");
        // A late answer for another page is not shown.
        let late = tab.handle(docs_reply(fetched(
            "index.html",
            Err(("late".into(), false)),
            false,
        )));
        assert!(
            matches!(late, Outcome::Ignored),
            "a page not asked for is not taken"
        );
        let screen = format!("{:?}", tab.screen(60, 5).backend());
        assert!(screen.contains("fetching runbook"), "{screen}");
    }

    #[test]
    fn nothing_published_shows_the_source_location_and_y_copies_it() {
        let mut tab = Tab::new();
        tab.handle(Action::Open);
        tab.handle(docs_reply(fetched(
            "index.html",
            Err((
                "no TechDocs published for component:default/orders on prod".into(),
                true,
            )),
            false,
        )));
        insta::assert_snapshot!("remote_docs_not_published", tab.screen(70, 4).backend());
        let Outcome::Copy { text, .. } = tab.handle(Action::CopyRef) else {
            panic!("y should copy the source location");
        };
        assert_eq!(text, "https://github.com/acme/orders/");
    }

    #[test]
    fn the_app_queues_the_fetch_at_the_terminal_width_and_routes_the_answer() {
        let (catalog, id) = catalog_with(SERVER);
        let mut app = App::loaded(catalog);
        update(&mut app, Action::Resize(100, 30));
        app.open_entity_tab(id, "Docs");
        let requests: Vec<_> = update(&mut app, Action::Open)
            .into_iter()
            .filter_map(|t| match t {
                crate::tui::task::Task::FetchRemoteDocs(request) => Some(request),
                _ => None,
            })
            .collect();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].width, 96);
        update(
            &mut app,
            Action::Reply(crate::tui::reply::Reply::RemoteDocs(Box::new(fetched(
                "index.html",
                Err(("boom".into(), false)),
                false,
            )))),
        );
        let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
        t.draw(|f| crate::tui::ui::render(&app, f)).unwrap();
        let screen = format!("{:?}", t.backend());
        assert!(
            screen.contains("boom") && screen.contains("Enter tries again"),
            "{screen}"
        );
        let _ = State::Idle;
    }
}
