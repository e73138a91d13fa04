//! The templates pane and the template form: state tests driven by key actions, and
//! `TestBackend` snapshots of each field kind, a validation error and the review page.

use super::action::Action;
use super::app::{update, App};
use super::panes::form::{FormView, Step};
use super::panes::{Ctx, Outcome, View};
use super::state_tests::demo;
use super::theme::Theme;
use super::ui;
use crate::catalog::{Catalog, Entity, Origin};
use crate::scaffolder::draft::Drafts;
use crate::scaffolder::session::Stage;
use crate::scaffolder::Template;
use crate::search::SearchIndex;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;

/// A template with one field of each kind on its first page and a required field on the
/// second.
const WIDGETS: &str = r#"
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: widgets, title: Every widget}
spec:
  owner: group:default/platform-team
  type: service
  parameters:
    - title: Kinds
      required: [name]
      properties:
        name: {title: Name, type: string, ui:field: EntityNamePicker, ui:autofocus: true, description: The new name.}
        notes: {title: Notes, type: string, ui:widget: textarea, ui:options: {rows: 2}}
        token: {title: Token, type: string, ui:field: Secret}
        port: {title: Port, type: integer, default: 8080, minimum: 1024}
        metrics: {title: Metrics, type: boolean, default: true}
        size: {title: Size, type: string, enum: [s, l], enumNames: [Small, Large], default: s}
        features: {title: Features, type: array, uniqueItems: true, items: {type: string, enum: [logs, traces]}}
        labels: {title: Labels, type: array, items: {type: string}}
        owner: {title: Owner, type: string, ui:field: OwnerPicker, ui:options: {catalogFilter: {kind: Group}}}
        repoUrl: {title: Repository, type: string, ui:field: RepoUrlPicker, ui:options: {allowedHosts: [github.com]}}
        extra: {title: Extra, type: object, ui:field: AcmeThing}
    - title: More
      required: [reason]
      properties:
        reason: {title: Reason, type: string, ui:help: Why this exists.}
  steps:
    - id: log
      name: Say hello
      action: debug:log
      input: {message: 'creating ${{ parameters.name }} with token ${{ secrets.token }}'}
    - id: publish
      action: publish:github
      input: {repoUrl: '${{ parameters.repoUrl }}'}
"#;

fn widgets() -> Template {
    let doc: serde_json::Value = serde_yaml::from_str(WIDGETS).expect("test template");
    let e = Entity::from_value(doc, Origin::new("widgets.yaml", Some(1)))
        .expect("entity")
        .0;
    Template::from_entity(&e).expect("template")
}

/// The demo catalog and what a pane needs to draw over it (shared with `remote_tests`).
pub(crate) struct Fixture {
    pub(crate) catalog: Catalog,
    pub(crate) index: SearchIndex,
    pub(crate) theme: Theme,
    pub(crate) scores: crate::scorecard::Scoreboard,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        let catalog = demo();
        let index = SearchIndex::build(&catalog);
        Fixture {
            catalog,
            index,
            theme: Theme::default(),
            scores: crate::scorecard::Scoreboard::default(),
        }
    }

    pub(crate) fn ctx(&self) -> Ctx<'_> {
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
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new_with_kind(
        code,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    ))
}

fn type_in(view: &mut FormView, ctx: &Ctx, text: &str) {
    for c in text.chars() {
        view.handle(&key(KeyCode::Char(c)), ctx);
    }
}

/// The scaffold jobs among the tasks the form asked for (a form asks for nothing else).
fn jobs_of(view: &mut FormView) -> Vec<crate::scaffolder::jobs::Job> {
    use crate::tui::panes::View;
    view.take_tasks(80)
        .into_iter()
        .map(|task| match task {
            crate::tui::task::Task::Scaffold(job) => *job,
            other => panic!("a form asked for {other:?}"),
        })
        .collect()
}

/// Runs the jobs the form queued here, as the loop's workers would, and hands their answers
/// back; returns the outcome of the last answer the form used.
fn settle(view: &mut FormView, ctx: &Ctx) -> Option<Outcome> {
    let mut last = None;
    loop {
        let jobs = jobs_of(view);
        if jobs.is_empty() {
            return last;
        }
        for job in jobs {
            if let Some(done) = job.run_here() {
                let out = view.handle(
                    &Action::Reply(crate::tui::reply::Reply::Scaffold(done)),
                    ctx,
                );
                if !matches!(out, Outcome::Ignored) {
                    last = Some(out);
                }
            }
        }
    }
}

fn focus(view: &mut FormView, ctx: &Ctx, field: &str) {
    for _ in 0..20 {
        if view.session.focused().is_some_and(|f| f.key == field) {
            return;
        }
        view.handle(&Action::NextField, ctx);
    }
    panic!("no field {field}");
}

fn draw(view: &FormView, fx: &Fixture, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("backend");
    terminal
        .draw(|frame| view.render(&fx.ctx(), frame.area(), frame))
        .expect("draw");
    for cell in terminal.backend().buffer().content() {
        assert!(!cell.symbol().chars().any(char::is_control));
    }
    terminal
}

fn filled(fx: &Fixture) -> FormView {
    let ctx = fx.ctx();
    let mut v = FormView::new(widgets(), &ctx, None);
    type_in(&mut v, &ctx, "orders");
    focus(&mut v, &ctx, "token");
    type_in(&mut v, &ctx, "hunter22");
    v
}

#[test]
fn every_field_kind_on_one_page() {
    let fx = Fixture::new();
    let v = filled(&fx);
    insta::assert_snapshot!(draw(&v, &fx, 100, 44).backend());
}

#[test]
fn focused_picker_lists_catalog_candidates_filtered_by_typing() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    focus(&mut v, &ctx, "owner");
    type_in(&mut v, &ctx, "pay");
    assert!(v.filtered().iter().all(|c| c.value.contains("pay")));
    v.handle(&Action::Open, &ctx);
    assert_eq!(
        v.session.values.get("owner"),
        Some(&json!("group:default/payments-team"))
    );
    focus(&mut v, &ctx, "owner");
    insta::assert_snapshot!(draw(&v, &fx, 100, 44).backend());
}

#[test]
fn choices_toggles_and_numbers_change_with_keys() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    focus(&mut v, &ctx, "size");
    v.handle(&key(KeyCode::Right), &ctx);
    assert_eq!(v.session.values.get("size"), Some(&json!("l")));
    focus(&mut v, &ctx, "metrics");
    v.handle(&key(KeyCode::Char(' ')), &ctx);
    assert_eq!(v.session.values.get("metrics"), Some(&json!(false)));
    focus(&mut v, &ctx, "features");
    v.handle(&key(KeyCode::Right), &ctx);
    v.handle(&key(KeyCode::Char(' ')), &ctx);
    assert_eq!(v.session.values.get("features"), Some(&json!(["traces"])));
    focus(&mut v, &ctx, "port");
    v.handle(&key(KeyCode::Backspace), &ctx);
    assert_eq!(v.session.values.get("port"), Some(&json!(808)));
    assert!(v.session.errors["port"].contains("at least 1024"));
    type_in(&mut v, &ctx, "x");
    assert!(v.session.errors["port"].contains("whole number"));
    focus(&mut v, &ctx, "repoUrl");
    type_in(&mut v, &ctx, "/acme/orders");
    assert_eq!(
        v.session.values.get("repoUrl"),
        Some(&json!("github.com?owner=acme&repo=orders"))
    );
}

#[test]
fn page_with_an_error_cannot_be_left_and_shows_the_message() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = FormView::new(widgets(), &ctx, None);
    type_in(&mut v, &ctx, "Bad Name");
    let out = v.handle(&Action::NextPage, &ctx);
    let said = status(&out);
    assert!(said.contains("fix before leaving the page: Name"), "{said}");
    assert_eq!(v.session.page, 0);
    insta::assert_snapshot!(draw(&v, &fx, 80, 16).backend());
}

#[test]
fn paste_goes_into_the_focused_field_cleaned() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = FormView::new(widgets(), &ctx, None);
    v.handle(&Action::Paste("ord\u{1b}[31mers\nx".into()), &ctx);
    let name = v
        .session
        .values
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap();
    assert!(!name.chars().any(char::is_control), "{name:?}");
    assert!(name.starts_with("ord") && name.contains("ers"), "{name:?}");
    focus(&mut v, &ctx, "notes");
    v.handle(&Action::Paste("line one\r\nline two".into()), &ctx);
    assert_eq!(
        v.session.values.get("notes"),
        Some(&json!("line one\nline two"))
    );
}

#[test]
fn review_masks_secrets_and_shows_the_plan() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    v.handle(&Action::NextPage, &ctx);
    type_in(&mut v, &ctx, "because");
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.stage, Stage::Review);
    let waiting = format!("{}", draw(&v, &fx, 100, 30).backend());
    assert!(waiting.contains("working… computing the plan"), "{waiting}");
    settle(&mut v, &ctx);
    let screen = draw(&v, &fx, 100, 30);
    let text = format!("{}", screen.backend());
    assert!(!text.contains("hunter22"), "{text}");
    insta::assert_snapshot!(screen.backend());
}

#[test]
fn create_writes_the_files_and_registers_nothing_without_catalog_register() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let dir = tempfile::tempdir().expect("tempdir");
    let drafts = Drafts::in_dir(dir.path().join("drafts"));
    let t = crate::scaffolder::template::Template::from_entity(
        fx.catalog
            .by_ref(&crate::catalog::EntityRef::new(
                "template",
                "default",
                "docs-site",
            ))
            .expect("demo docs-site"),
    )
    .expect("template");
    let mut v = FormView::new(t, &ctx, Some(drafts.clone()));
    type_in(&mut v, &ctx, "handbook");
    v.handle(&Action::NextField, &ctx);
    type_in(&mut v, &ctx, "payments-team");
    v.handle(&Action::Open, &ctx);
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.stage, Stage::Review, "{:?}", v.session.errors);
    let target = dir.path().join("out");
    v.editor = tui_textarea::TextArea::new(vec![target.to_string_lossy().into_owned()]);
    // Enter before the plan is in: the write waits for it, then runs.
    let out = v.handle(&Action::Open, &ctx);
    assert!(matches!(out, Outcome::Status(ref m) if m == "working…"));
    assert!(!target.exists(), "nothing is written on the UI thread");
    let out = settle(&mut v, &ctx);
    assert!(matches!(out, Some(Outcome::Register { .. })));
    assert!(matches!(v.step, Step::Done { .. }));
    assert!(target.join("catalog-info.yaml").is_file());
    assert!(target.join("mkdocs.yml").is_file());
    let draft = drafts.path_for(&crate::catalog::EntityRef::new(
        "template",
        "default",
        "docs-site",
    ));
    assert!(
        !draft.exists(),
        "the draft is deleted after a successful run"
    );
}

#[test]
fn templates_palette_command_opens_the_list_and_enter_the_form() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("templates".into()));
    assert_eq!(app.breadcrumbs(), "Search › Templates");
    for c in "go-serv".chars() {
        let ev = KeyEvent::new_with_kind(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press);
        if let Some(a) = app.action_for_key(&ev) {
            update(&mut app, a);
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(80, 12)).expect("backend");
    terminal.draw(|f| ui::render(&app, f)).expect("draw");
    insta::assert_snapshot!(terminal.backend());
    update(&mut app, Action::Open);
    assert_eq!(app.mode(), super::keymap::Mode::Form);
    assert!(app.breadcrumbs().ends_with("Go microservice"));
}

#[test]
fn form_draws_at_any_size_without_panicking() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    focus(&mut v, &ctx, "notes");
    for (w, h) in [(1, 1), (10, 3), (20, 6), (30, 10), (200, 5)] {
        draw(&v, &fx, w, h);
    }
    v.handle(&Action::NextPage, &ctx);
    type_in(&mut v, &ctx, "because");
    v.handle(&Action::NextPage, &ctx);
    settle(&mut v, &ctx);
    for (w, h) in [(1, 1), (10, 3), (30, 10)] {
        draw(&v, &fx, w, h);
    }
    // A fresh review in a tiny terminal (the editor keeps its scroll between frames, so the
    // snapshot is not taken after the 1-column frames above).
    let mut fresh = filled(&fx);
    fresh.handle(&Action::NextPage, &ctx);
    type_in(&mut fresh, &ctx, "because");
    fresh.handle(&Action::NextPage, &ctx);
    settle(&mut fresh, &ctx);
    insta::assert_snapshot!(draw(&fresh, &fx, 30, 10).backend());
}

#[test]
fn resume_prompt_restores_or_discards_the_draft() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let dir = tempfile::tempdir().expect("tempdir");
    let drafts = Drafts::in_dir(dir.path());
    let mut first = FormView::new(widgets(), &ctx, Some(drafts.clone()));
    type_in(&mut first, &ctx, "orders");
    settle(&mut first, &ctx);
    let mut second = FormView::new(widgets(), &ctx, Some(drafts.clone()));
    // The draft is read by a job, not on the UI thread: offered once its answer comes.
    assert!(matches!(second.step, Step::Form));
    let jobs = jobs_of(&mut second);
    assert!(
        matches!(
            jobs.as_slice(),
            [crate::scaffolder::jobs::Job::LoadDraft(_)]
        ),
        "{jobs:?}"
    );
    for job in jobs {
        let done = job.run_here().expect("a draft read answers");
        second.handle(
            &Action::Reply(crate::tui::reply::Reply::Scaffold(done)),
            &ctx,
        );
    }
    assert!(matches!(second.step, Step::Resume(_)));
    second.handle(&Action::Open, &ctx);
    assert_eq!(second.session.values.get("name"), Some(&json!("orders")));
    assert_eq!(
        second.editor_text(),
        "orders",
        "the editor shows the resumed value"
    );
    let mut third = FormView::new(widgets(), &ctx, Some(drafts.clone()));
    settle(&mut third, &ctx);
    third.handle(&key(KeyCode::Char('n')), &ctx);
    settle(&mut third, &ctx);
    assert!(matches!(third.step, Step::Form));
    assert!(third.session.values.get("name").is_none());
    let mut fourth = FormView::new(widgets(), &ctx, Some(drafts));
    settle(&mut fourth, &ctx);
    assert!(
        matches!(fourth.step, Step::Form),
        "a discarded draft is not offered again"
    );
}

#[test]
fn only_the_newest_plan_is_computed_and_shown() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    v.handle(&Action::NextPage, &ctx);
    type_in(&mut v, &ctx, "because");
    v.handle(&Action::NextPage, &ctx);
    // Two edits of the target directory: three plans asked for, only the last one counts.
    type_in(&mut v, &ctx, "xy");
    let jobs = jobs_of(&mut v);
    let plans: Vec<_> = jobs
        .into_iter()
        .filter(|j| matches!(j, crate::scaffolder::jobs::Job::Plan(_)))
        .collect();
    assert_eq!(plans.len(), 3);
    let answers: Vec<_> = plans.into_iter().filter_map(|j| j.run_here()).collect();
    assert_eq!(answers.len(), 1, "overtaken plans skip their work");
    v.handle(
        &Action::Reply(crate::tui::reply::Reply::Scaffold(
            answers.into_iter().next().unwrap(),
        )),
        &ctx,
    );
    assert!(v.planning.is_none());
    assert!(matches!(v.plan, Some(Ok(_))));
}

#[test]
fn while_files_are_written_keys_wait_and_a_failure_keeps_the_form() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut v = filled(&fx);
    v.handle(&Action::NextPage, &ctx);
    type_in(&mut v, &ctx, "because");
    v.handle(&Action::NextPage, &ctx);
    settle(&mut v, &ctx);
    // A target below a regular file: the write must fail.
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let target = dir.path().join("file/out");
    v.editor = tui_textarea::TextArea::new(vec![target.to_string_lossy().into_owned()]);
    v.handle(&Action::Open, &ctx);
    assert!(v.writing.is_some());
    let out = v.handle(&Action::Back, &ctx);
    assert!(
        matches!(out, Outcome::Status(ref m) if m.contains("working")),
        "Esc waits for the write"
    );
    assert!(matches!(v.handle(&Action::Quit, &ctx), Outcome::Ignored));
    let out = settle(&mut v, &ctx);
    assert!(
        matches!(out, Some(Outcome::Status(ref m)) if m.starts_with("nothing was written")),
        "the failure is said"
    );
    assert!(v.writing.is_none());
    assert_eq!(
        v.session.stage,
        Stage::Review,
        "the form stays for another try"
    );
}

#[test]
fn a_closed_form_still_hands_over_its_last_draft() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = App::loaded(demo());
    let ctx = app.ctx();
    let view = FormView::new(widgets(), &ctx, Some(Drafts::in_dir(dir.path())));
    app.push(Box::new(view));
    let typed = update(&mut app, key(KeyCode::Char('o')));
    let closed = update(&mut app, Action::Back);
    assert!(app.stack().is_empty());
    let drafts = |tasks: Vec<crate::tui::task::Task>| {
        tasks
            .into_iter()
            .filter(|t| {
                matches!(t, crate::tui::task::Task::Scaffold(job)
                    if matches!(**job, crate::scaffolder::jobs::Job::Draft(_)))
            })
            .count()
    };
    assert_eq!(
        drafts(typed) + drafts(closed),
        1,
        "the draft save of the closed form still runs"
    );
    assert_eq!(drafts(update(&mut app, Action::Tick)), 0);
}

fn status(out: &Outcome) -> String {
    match out {
        Outcome::Status(m) => m.clone(),
        _ => "(no status)".to_string(),
    }
}

fn text_of(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn unfinished_json_stays_in_the_field_with_its_error_and_in_the_draft() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let dir = tempfile::tempdir().expect("tempdir");
    let drafts = Drafts::in_dir(dir.path());
    let mut v = FormView::new(widgets(), &ctx, Some(drafts.clone()));
    settle(&mut v, &ctx);
    focus(&mut v, &ctx, "extra");
    let typed = r#"{"displayName": "Alice""#;
    type_in(&mut v, &ctx, typed);
    v.handle(&Action::NextField, &ctx);
    v.handle(&Action::PrevField, &ctx);
    assert_eq!(v.session.focused().map(|f| f.key.as_str()), Some("extra"));
    assert_eq!(
        v.editor_text(),
        typed,
        "the typed text is back in the field"
    );
    let error = v.session.errors.get("extra").cloned().unwrap_or_default();
    assert!(error.contains("is not valid JSON"), "{error}");
    assert!(!error.to_lowercase().contains("yaml"), "{error}");
    assert_eq!(v.session.values.get("extra"), None, "no value is submitted");
    // Unfocused, the field shows the typed text and its error.
    focus(&mut v, &ctx, "name");
    let screen = text_of(&draw(&v, &fx, 100, 44));
    assert!(screen.contains(r#"{"displayName": "Alice""#), "{screen}");
    assert!(screen.contains("✗ is not valid JSON"), "{screen}");
    settle(&mut v, &ctx);
    let saved = std::fs::read_to_string(drafts.path_for(&widgets().entity_ref)).expect("draft");
    assert!(saved.contains("displayName"), "{saved}");
    // A new form offers it back, in the field, with its error.
    let mut again = FormView::new(widgets(), &ctx, Some(drafts));
    settle(&mut again, &ctx);
    again.handle(&Action::Open, &ctx);
    focus(&mut again, &ctx, "extra");
    assert_eq!(again.editor_text(), typed);
    assert!(again.session.errors["extra"].contains("not valid JSON"));
}

#[test]
fn a_page_with_text_that_does_not_parse_cannot_be_left_either_way() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    focus(&mut v, &ctx, "extra");
    type_in(&mut v, &ctx, r#"{"a": 1}"#);
    assert_eq!(v.session.values.get("extra"), Some(&json!({"a": 1})));
    // Breaking it: the old valid value is not kept behind the text on screen.
    v.handle(&key(KeyCode::Backspace), &ctx);
    assert_eq!(v.session.values.get("extra"), None);
    focus(&mut v, &ctx, "name");
    let out = v.handle(&Action::NextPage, &ctx);
    let said = status(&out);
    assert!(
        said.contains("Extra") && said.contains("not valid JSON"),
        "{said}"
    );
    assert_eq!(v.session.page, 0, "Ctrl-N does not leave the page");
    assert_eq!(
        v.session.focused().map(|f| f.key.as_str()),
        Some("extra"),
        "the focus goes to the field"
    );
    type_in(&mut v, &ctx, "}");
    assert_eq!(v.session.values.get("extra"), Some(&json!({"a": 1})));
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.page, 1);
    // Back on the first page, text that does not parse stops Ctrl-B as well as Ctrl-N.
    v.handle(&Action::PrevPage, &ctx);
    focus(&mut v, &ctx, "port");
    type_in(&mut v, &ctx, "x");
    focus(&mut v, &ctx, "name");
    let out = v.handle(&Action::PrevPage, &ctx);
    let said = status(&out);
    assert!(
        said.contains("Port") && said.contains("whole number"),
        "{said}"
    );
    assert_eq!(v.session.focused().map(|f| f.key.as_str()), Some("port"));
}

#[test]
fn a_multi_line_field_shows_the_line_being_edited() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    focus(&mut v, &ctx, "notes");
    for line in ["first", "second", "third", "fourth", "fifth"] {
        type_in(&mut v, &ctx, line);
        v.handle(&Action::Open, &ctx);
    }
    type_in(&mut v, &ctx, "sixth-being-typed");
    let screen = text_of(&draw(&v, &fx, 100, 44));
    assert!(screen.contains("sixth-being-typed"), "{screen}");
    // In a short terminal too.
    let screen = text_of(&draw(&v, &fx, 60, 12));
    assert!(screen.contains("sixth-being-typed"), "{screen}");
}

const TIMES: &str = r#"
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: times, title: Times}
spec:
  owner: group:default/platform-team
  type: service
  parameters:
    - title: When
      properties:
        at: {title: At, type: string, format: time}
        when: {title: When, type: string, format: date-time}
    - title: Name
      required: [name]
      properties:
        name: {title: Name, type: string}
  steps:
    - id: log
      action: debug:log
      input: {message: 'hi ${{ parameters.name }}'}
"#;

fn times() -> Template {
    let doc: serde_json::Value = serde_yaml::from_str(TIMES).expect("test template");
    let e = Entity::from_value(doc, Origin::new("times.yaml", Some(1)))
        .expect("entity")
        .0;
    Template::from_entity(&e).expect("template")
}

#[test]
fn time_and_date_time_are_checked_on_their_page() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = FormView::new(times(), &ctx, None);
    focus(&mut v, &ctx, "at");
    type_in(&mut v, &ctx, "9:30");
    focus(&mut v, &ctx, "when");
    type_in(&mut v, &ctx, "tomorrow");
    let said = status(&v.handle(&Action::NextPage, &ctx));
    assert!(said.contains("fix before leaving the page"), "{said}");
    assert_eq!(v.session.page, 0);
    let screen = text_of(&draw(&v, &fx, 100, 30));
    assert!(
        screen.contains("✗ must be a time such as 09:30:00"),
        "{screen}"
    );
    assert!(screen.contains("✗ must be a date and time"), "{screen}");
}

const LINKED: &str = r#"
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: linked, title: Linked}
spec:
  owner: group:default/platform-team
  type: service
  parameters:
    - title: Schedule
      properties:
        start: {title: Start, type: string, format: date}
        end: {title: End, type: string, format: date}
      dependencies:
        start: [end]
    - title: Name
      properties:
        name: {title: Name, type: string}
  steps:
    - id: log
      action: debug:log
      input: {message: 'hi'}
"#;

#[test]
fn review_lists_the_errors_at_its_top_and_enter_goes_to_the_field() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let doc: serde_json::Value = serde_yaml::from_str(LINKED).expect("test template");
    let e = Entity::from_value(doc, Origin::new("linked.yaml", Some(1)))
        .expect("entity")
        .0;
    let mut v = FormView::new(Template::from_entity(&e).expect("template"), &ctx, None);
    type_in(&mut v, &ctx, "2026-01-31");
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.page, 1, "each field alone is fine");
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.stage, Stage::Review);
    settle(&mut v, &ctx);
    let screen = text_of(&draw(&v, &fx, 100, 30));
    assert!(
        screen.contains("✗ 1 value(s) to fix before creating — Enter goes to the first field:"),
        "{screen}"
    );
    assert!(screen.contains("✗ Schedule › End: "), "{screen}");
    assert!(screen.contains("Enter go to the field to fix"), "{screen}");
    let said = status(&v.handle(&Action::Open, &ctx));
    assert!(said.starts_with("fix End: "), "{said}");
    assert_eq!(v.session.stage, Stage::Fill);
    assert_eq!(v.session.page, 0);
    assert_eq!(v.session.focused().map(|f| f.key.as_str()), Some("end"));
    let screen = text_of(&draw(&v, &fx, 100, 30));
    assert!(
        screen.contains("✗ is required"),
        "the message is under the field too:\n{screen}"
    );
}

#[test]
fn esc_in_an_open_picker_closes_the_picker_not_the_form() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = filled(&fx);
    focus(&mut v, &ctx, "owner");
    type_in(&mut v, &ctx, "pay");
    assert!(v.picker_open());
    let shown = text_of(&draw(&v, &fx, 100, 44));
    assert!(shown.contains("pick: "), "{shown}");
    // The first Esc closes the candidate row: the form stays, the typed text too.
    let out = v.handle(&Action::Back, &ctx);
    assert!(
        !matches!(out, Outcome::Ignored | Outcome::Pop),
        "the form stays"
    );
    assert!(!v.picker_open());
    assert_eq!(v.editor_text(), "pay");
    let shown = text_of(&draw(&v, &fx, 100, 44));
    assert!(!shown.contains("pick: "), "{shown}");
    // Typing opens it again; with it closed, a second Esc is the form's (the app closes it).
    type_in(&mut v, &ctx, "m");
    assert!(v.picker_open());
    v.handle(&Action::Back, &ctx);
    assert!(matches!(v.handle(&Action::Back, &ctx), Outcome::Ignored));
}

#[test]
fn t_on_a_template_entity_page_opens_its_form() {
    use crate::tui::keymap::Mode;
    let press = |app: &mut App, c: char| {
        let event =
            KeyEvent::new_with_kind(KeyCode::Char(c), KeyModifiers::NONE, KeyEventKind::Press);
        if let Some(action) = app.action_for_key(&event) {
            update(app, action);
        }
    };
    let enter = |app: &mut App| {
        let event =
            KeyEvent::new_with_kind(KeyCode::Enter, KeyModifiers::NONE, KeyEventKind::Press);
        if let Some(action) = app.action_for_key(&event) {
            update(app, action);
        }
    };
    let mut app = App::loaded(demo());
    for c in "kind:template".chars() {
        press(&mut app, c);
    }
    enter(&mut app);
    let id = app.current_entity().expect("a template's page");
    let title = app.catalog().get(id).display_name().to_string();
    press(&mut app, 't');
    assert_eq!(app.mode(), Mode::Form, "the form is open");
    assert!(
        app.stack()
            .last()
            .is_some_and(|v| v.title(&app.ctx()) == title),
        "the form of that template"
    );
    // Esc closes the form: back on the template's page.
    let back = KeyEvent::new_with_kind(KeyCode::Esc, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&back) {
        update(&mut app, action);
    }
    assert_eq!(app.current_entity(), Some(id));
    // Not a template: it says so.
    let mut app = App::loaded(demo());
    for c in "ledger-writer".chars() {
        press(&mut app, c);
    }
    enter(&mut app);
    press(&mut app, 't');
    assert_eq!(app.mode(), Mode::Entity);
    assert!(app
        .status()
        .is_some_and(|s| s.text.contains("not a Template")));
}

#[test]
fn a_one_line_field_takes_the_readline_keys_with_ctrl_u_deleting_to_the_start() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = FormView::new(widgets(), &ctx, None);
    type_in(&mut v, &ctx, "ordrs-api");
    let ctrl = |c: char| {
        Action::Key(KeyEvent::new_with_kind(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        ))
    };
    // Ctrl-A, Right ×3, type: the typo fixed in the middle.
    v.handle(&ctrl('a'), &ctx);
    for _ in 0..3 {
        v.handle(&key(KeyCode::Right), &ctx);
    }
    type_in(&mut v, &ctx, "e");
    assert_eq!(v.editor_text(), "orders-api");
    // Ctrl-E, Alt-Backspace deletes the last word; Ctrl-U what is before the cursor.
    v.handle(&ctrl('e'), &ctx);
    v.handle(
        &Action::Key(KeyEvent::new_with_kind(
            KeyCode::Backspace,
            KeyModifiers::ALT,
            KeyEventKind::Press,
        )),
        &ctx,
    );
    assert_eq!(v.editor_text(), "orders-");
    v.handle(&key(KeyCode::Left), &ctx);
    v.handle(&ctrl('u'), &ctx);
    assert_eq!(
        v.editor_text(),
        "-",
        "Ctrl-U is readline's, not tui-textarea's undo"
    );
    assert_eq!(v.session.values.get("name"), Some(&json!("-")));
    // A pasted text with newlines is one line with spaces.
    v.handle(&Action::Paste("a\nb\n".into()), &ctx);
    assert_eq!(v.editor_text(), "a b-");
}

/// The request form of the Kratix Promise fixture (a CRD with a nested `backups` object).
fn promise_form() -> Template {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/formats/kratix/promise.yaml"
    ))
    .expect("fixture");
    let promise: serde_json::Value = serde_yaml::from_str(&text).expect("yaml");
    let entities = crate::formats::kratix::to_entities(&promise).expect("a promise");
    let e = Entity::from_value(entities[1].clone(), Origin::new("promise.yaml", Some(1)))
        .expect("entity")
        .0;
    Template::from_entity(&e).expect("template")
}

#[test]
fn a_nested_objects_fields_are_filled_checked_and_submitted_in_the_object() {
    let fx = Fixture::new();
    let ctx = fx.ctx();
    let mut v = FormView::new(promise_form(), &ctx, None);
    type_in(&mut v, &ctx, "analytics");
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.page, 1);
    let screen = text_of(&draw(&v, &fx, 100, 30));
    assert!(screen.contains("backups › enabled"), "{screen}");
    assert!(screen.contains("backups › retentionDays"), "{screen}");
    focus(&mut v, &ctx, "teamId");
    type_in(&mut v, &ctx, "data-team");
    focus(&mut v, &ctx, "dbName");
    type_in(&mut v, &ctx, "events");
    // The nested number starts at its default (7): replaced by 0, under its minimum.
    focus(&mut v, &ctx, "backups.retentionDays");
    v.handle(&key(KeyCode::Backspace), &ctx);
    type_in(&mut v, &ctx, "0");
    let said = status(&v.handle(&Action::NextPage, &ctx));
    assert!(said.contains("fix before leaving the page"), "{said}");
    let screen = text_of(&draw(&v, &fx, 100, 30));
    assert!(screen.contains("✗ must be at least 1"), "{screen}");
    v.handle(&key(KeyCode::Backspace), &ctx);
    type_in(&mut v, &ctx, "14");
    v.handle(&Action::NextPage, &ctx);
    assert_eq!(v.session.stage, Stage::Review, "{:?}", v.session.errors);
    assert_eq!(
        v.session.values.get("backups.retentionDays"),
        Some(&json!(14))
    );
    settle(&mut v, &ctx);
    let Some(Ok(plan)) = &v.plan else {
        panic!("no plan: {:?}", v.plan);
    };
    let request = plan
        .files
        .iter()
        .find(|f| f.path == "analytics-postgresql.yaml")
        .expect("the request file");
    let doc: serde_json::Value =
        serde_yaml::from_slice(&request.contents).expect("the request is YAML");
    assert_eq!(
        doc["spec"]["backups"],
        json!({"enabled": true, "retentionDays": 14})
    );
    assert_eq!(doc["spec"]["teamId"], "data-team");
}
