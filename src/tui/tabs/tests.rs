//! The Overview, Docs and API tabs, drawn with `TestBackend` at fixed sizes (one tiny) and driven by keys.

use crate::tui::action::Action;
use crate::tui::app::{update, App};
use crate::tui::state_tests::{demo, type_text};
use crate::tui::tabs::docs_page::{PageRequest, Read};
use crate::tui::task::Task;
use crate::tui::test_screen::{draw, press, screen, settle, text_of};
use crate::tui::ui;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// The entity view of `name` on the tab called `tab`.
fn on_tab(name: &str, tab: &str) -> App {
    let mut app = App::loaded(demo());
    type_text(&mut app, name);
    press(&mut app, KeyCode::Enter);
    for _ in 0..4 {
        if screen(&mut app, 100, 30).contains(&format!("▸{tab}")) {
            return app;
        }
        press(&mut app, KeyCode::Tab);
    }
    panic!("{name} has no {tab} tab:\n{}", screen(&mut app, 100, 30));
}

#[test]
fn docs_tab_shows_the_page_list_and_the_index_page() {
    let mut app = on_tab("ledger-writer", "Docs");
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn docs_tab_in_a_tiny_terminal() {
    let mut app = on_tab("ledger-writer", "Docs");
    insta::assert_snapshot!(draw(&mut app, 30, 10).backend());
}

#[test]
fn docs_tab_pages_and_links_are_followed_by_keys() {
    let mut app = on_tab("ledger-writer", "Docs");
    press(&mut app, KeyCode::Char(']'));
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("Write path"), "{s}");
    press(&mut app, KeyCode::Char('['));
    assert!(screen(&mut app, 100, 30).contains("At a glance"));
    // The index page's links: Architecture, then the runbook.
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("Paged for ledger-writer"), "{s}");
    // Scrolling moves the page.
    for _ in 0..5 {
        press(&mut app, KeyCode::Down);
    }
    assert!(!screen(&mut app, 100, 30).contains("On-call runbook\n"));
}

#[test]
fn docs_tab_follows_a_link_to_an_anchor_on_another_page() {
    let mut app = on_tab("ledger-writer", "Docs");
    press(&mut app, KeyCode::Char(']')); // architecture.md
    let _ = screen(&mut app, 100, 30);
    // Its only link: runbook.md#database-connections-exhausted.
    press(&mut app, KeyCode::Char('n'));
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(draw(&mut app, 100, 20).backend());
}

#[test]
fn entities_without_docs_have_no_docs_tab() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-reader");
    press(&mut app, KeyCode::Enter);
    assert!(!screen(&mut app, 100, 30).contains("Docs"));
}

#[test]
fn api_tab_lists_operations_and_expands_one() {
    let mut app = on_tab("identity-api", "API");
    insta::assert_snapshot!("api_tab_operations", draw(&mut app, 100, 30).backend());
    press(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("api_tab_expanded", draw(&mut app, 100, 30).backend());
}

#[test]
fn api_tab_outlines_a_grpc_definition() {
    let mut app = on_tab("fraud-scoring-grpc", "API");
    insta::assert_snapshot!(draw(&mut app, 80, 20).backend());
}

#[test]
fn api_tab_in_a_tiny_terminal() {
    let mut app = on_tab("ledger-api", "API");
    insta::assert_snapshot!(draw(&mut app, 30, 10).backend());
}

#[test]
fn hostile_docs_and_definitions_leave_no_control_character_in_any_cell() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: evil}\nspec: {type: openapi, lifecycle: production, owner: a, definition: {$text: ./evil.yaml}}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("evil.yaml"),
        "openapi: 3.0.0\ninfo: {title: \"T\\e]0;pwned\\a\", version: '1'}\npaths:\n  \"/x\\e[2J\":\n    get: {summary: \"s\\e[31m\", responses: {}}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("README.md"),
        "# Title\u{1b}]0;pwned\u{7}\n\ntext \u{1b}[31mred\u{1b}[0m [x](http://e\u{1b}[1m.example)\n\n```\ncode\u{1b}[2J\n```\n",
    )
    .expect("write");
    let catalog = crate::source::load_blocking(&[crate::source::SourceSpec::Files {
        name: "t".into(),
        paths: vec![dir.path().to_string_lossy().into()],
    }]);
    let mut app = App::loaded(catalog);
    type_text(&mut app, "evil");
    press(&mut app, KeyCode::Enter);
    let tabs = screen(&mut app, 80, 24);
    assert!(tabs.contains("Docs") && tabs.contains("API"), "{tabs}");
    for _ in 0..3 {
        let s = screen(&mut app, 80, 24);
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Tab);
    }
}

#[test]
fn find_in_page_jumps_between_matches_and_esc_clears_it() {
    let mut app = on_tab("ledger-writer", "Docs");
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']')); // the runbook
    let _ = screen(&mut app, 100, 20);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "kubectl");
    insta::assert_snapshot!("find_prompt_open", draw(&mut app, 100, 20).backend());
    press(&mut app, KeyCode::Enter);
    let first = screen(&mut app, 100, 20);
    assert!(first.contains("match 1 of"), "{first}");
    press(&mut app, KeyCode::Char('n'));
    let second = screen(&mut app, 100, 20);
    assert!(second.contains("match 2 of"), "{second}");
    press(&mut app, KeyCode::Char('N'));
    assert!(screen(&mut app, 100, 20).contains("match 1 of"));
    // The prompt took `k` (move up in the entity view) as text: see the snapshot.
    press(&mut app, KeyCode::Esc); // clears the search, stays on the page
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("▸Docs"), "{s}");
    press(&mut app, KeyCode::Char('n')); // back to selecting links
    assert!(!screen(&mut app, 100, 20).contains("match"));
}

#[test]
fn a_search_with_no_match_says_so() {
    let mut app = on_tab("ledger-writer", "Docs");
    let _ = screen(&mut app, 100, 20);
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "zzzq");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 100, 20).contains("no match for \"zzzq\""));
}

/// A catalog of one group that owns `owned` components, and a lone component with a long
/// description and no relations.
fn big_group_catalog(owned: usize) -> crate::catalog::Catalog {
    use crate::catalog::{Catalog, Entity, Origin};
    use serde_json::json;
    let entity = |v: serde_json::Value| {
        Entity::from_value(v, Origin::new("t.yaml", None))
            .unwrap()
            .0
    };
    let mut entities = vec![
        entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "platform"}, "spec": {"type": "team", "children": []}}),
        ),
        entity(
            // A user in no group: an entity without relations (a component has an owner).
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "User",
            "metadata": {"name": "lonely",
                "description": (0..80).map(|i| format!("word{i:02}")).collect::<Vec<_>>().join(" ")},
            "spec": {"memberOf": []}}),
        ),
    ];
    entities.extend((0..owned).map(|i| {
        entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": format!("svc-{i:05}")},
            "spec": {"type": "service", "lifecycle": "production", "owner": "group:platform"}}),
        )
    }));
    Catalog::from_entities(entities, vec![])
}

#[test]
fn overview_of_a_group_owning_thousands_pages_to_the_last_one() {
    let mut app = App::loaded(big_group_catalog(5_000));
    type_text(&mut app, "kind:group platform");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 80, 20);
    assert!(
        s.contains("ownerOf") && s.contains("▶ component:default/svc-00000"),
        "{s}"
    );
    press(&mut app, KeyCode::End);
    let s = screen(&mut app, 80, 20);
    assert!(s.contains("▶ component:default/svc-04999"), "{s}");
    assert!(!s.contains("svc-00000"), "{s}");
    press(&mut app, KeyCode::PageUp);
    let s = screen(&mut app, 80, 20);
    let selected: usize = s
        .split("▶ component:default/svc-")
        .nth(1)
        .and_then(|rest| rest.get(..5))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a selected row:\n{s}"));
    assert!(
        (4_950..4_999).contains(&selected),
        "PageUp moves a page up: {s}"
    );
    // Enter opens the selected one.
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert!(
        app.breadcrumbs().ends_with("svc-00001"),
        "{}",
        app.breadcrumbs()
    );
}

#[test]
fn overview_without_relations_scrolls_up_at_once_after_end() {
    let mut app = App::loaded(big_group_catalog(0));
    type_text(&mut app, "lonely");
    press(&mut app, KeyCode::Enter);
    // 10 rows of body: the description wraps to many more lines than fit.
    let top = screen(&mut app, 30, 14);
    assert!(
        top.contains("Description") && top.contains("word00"),
        "{top}"
    );
    press(&mut app, KeyCode::End);
    let end = screen(&mut app, 30, 14);
    assert!(end.contains("(none)") && !end.contains("word00"), "{end}");
    press(&mut app, KeyCode::Up);
    let up = screen(&mut app, 30, 14);
    assert_ne!(up, end, "Up after End moves at once");
    press(&mut app, KeyCode::Home);
    assert_eq!(screen(&mut app, 30, 14), top);
}

#[test]
fn a_docs_page_says_loading_until_its_answer_and_a_stale_answer_is_dropped() {
    let mut app = on_tab("ledger-writer", "Docs");
    // `]` asks for architecture.md; `]` again, before the answer, asks for the runbook.
    let key = |app: &mut App| {
        let event =
            KeyEvent::new_with_kind(KeyCode::Char(']'), KeyModifiers::NONE, KeyEventKind::Press);
        let action = app.action_for_key(&event).expect("bound");
        match update(app, action).into_iter().next() {
            Some(Task::ReadDocsPage(request)) => request,
            other => panic!("expected a page read, got {other:?}"),
        }
    };
    let architecture = key(&mut app);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("loading…"), "{s}");
    let runbook = key(&mut app);
    let path = |request: &PageRequest| match &request.read {
        Read::Page { path, .. } => path.clone(),
        Read::Site(_) | Read::Search(_) => panic!("the site is open: {request:?}"),
    };
    assert_eq!(path(&architecture), "architecture.md");
    assert_eq!(path(&runbook), "runbook.md");
    // The first answer arrives late: the user has moved on, so it is dropped.
    let next = update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(architecture.run())),
    );
    settle(&mut app, next);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("loading…") && !s.contains("Write path"), "{s}");
    let next = update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(runbook.run())),
    );
    settle(&mut app, next);
    let s = screen(&mut app, 100, 30);
    assert!(
        !s.contains("loading…") && s.contains("On-call runbook"),
        "{s}"
    );
}

#[test]
fn an_answer_for_a_closed_entity_is_dropped_quietly() {
    let mut app = on_tab("ledger-writer", "Docs");
    let event =
        KeyEvent::new_with_kind(KeyCode::Char(']'), KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event).expect("bound");
    let Some(Task::ReadDocsPage(request)) = update(&mut app, action).into_iter().next() else {
        panic!("expected a page read");
    };
    press(&mut app, KeyCode::Esc);
    let before = app.breadcrumbs();
    assert!(update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(request.run()))
    )
    .is_empty());
    assert_eq!(app.breadcrumbs(), before);
}

/// A catalog root with a service whose docs live two folders up (inside the root), and one
/// whose techdocs-ref leaves the root.
fn shared_docs_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("catalog");
    for sub in ["services/svc", "services/escaper", "shared-docs/docs"] {
        std::fs::create_dir_all(root.join(sub)).expect("mkdir");
    }
    std::fs::create_dir_all(dir.path().join("outside/docs")).expect("mkdir");
    let entity = |name: &str, docs: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:{docs}\nspec: {{type: service, lifecycle: production, owner: a}}\n")
    };
    std::fs::write(
        root.join("services/svc/catalog-info.yaml"),
        entity("svc", "../../shared-docs"),
    )
    .expect("write");
    std::fs::write(
        root.join("services/escaper/catalog-info.yaml"),
        entity("escaper", "../../../outside"),
    )
    .expect("write");
    for site in [root.join("shared-docs"), dir.path().join("outside")] {
        std::fs::write(
            site.join("mkdocs.yml"),
            "site_name: Shared\nnav:\n  - Home: index.md\n",
        )
        .expect("write");
        std::fs::write(site.join("docs/index.md"), "# Shared handbook\n\nHello.\n").expect("write");
    }
    dir
}

fn app_over_root(dir: &tempfile::TempDir) -> App {
    let root = dir.path().join("catalog").to_string_lossy().to_string();
    let sources = [crate::source::SourceSpec::Files {
        name: "t".into(),
        paths: vec![root],
    }];
    let catalog = crate::source::load_blocking(&sources);
    App::new(
        catalog,
        &sources,
        crate::tui::theme::Theme::default(),
        crate::tui::keymap::Keymap::default(),
    )
}

fn docs_screen_of(app: &mut App, name: &str) -> String {
    type_text(app, name);
    press(app, KeyCode::Enter);
    for _ in 0..4 {
        let s = screen(app, 100, 20);
        if s.contains("▸Docs") {
            return s;
        }
        press(app, KeyCode::Tab);
    }
    panic!("{name} has no Docs tab:\n{}", screen(app, 100, 20));
}

#[test]
fn docs_tab_reads_a_techdocs_ref_outside_the_entitys_folder_inside_the_catalog_root() {
    let dir = shared_docs_root();
    let mut app = app_over_root(&dir);
    let s = docs_screen_of(&mut app, "svc");
    assert!(s.contains("Shared handbook"), "{s}");
}

#[test]
fn docs_tab_refuses_a_techdocs_ref_that_leaves_the_catalog_root() {
    let dir = shared_docs_root();
    let mut app = app_over_root(&dir);
    let s = docs_screen_of(&mut app, "escaper");
    // The message wraps; it names the ref and the root.
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("../../../outside is outside the catalog root"),
        "{s}"
    );
    assert!(!s.contains("Shared handbook"), "{s}");
}

#[test]
fn enter_on_a_web_link_in_a_page_asks_to_open_it() {
    let mut app = on_tab("ledger-writer", "Docs");
    press(&mut app, KeyCode::Char(']'));
    press(&mut app, KeyCode::Char(']')); // the runbook: its first link is the dashboard
    let _ = screen(&mut app, 100, 30);
    press(&mut app, KeyCode::Char('n'));
    let event = KeyEvent::new_with_kind(KeyCode::Enter, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event).expect("bound");
    assert!(
        matches!(update(&mut app, action).into_iter().next(), Some(Task::OpenUrl(value)) if value == "https://grafana.northwind.example/d/ledger-writer")
    );
}

/// Presses a key and hands back the effect, without carrying it out.
fn key_effect(app: &mut App, code: KeyCode) -> Option<Task> {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    let action = app.action_for_key(&event).expect("bound");
    update(app, action).into_iter().next()
}

/// The request to find a site that an effect carries (and fails the test for anything else).
fn site_request(effect: Option<Task>) -> PageRequest {
    match effect {
        Some(Task::ReadDocsPage(request)) if matches!(request.read, Read::Site(_)) => request,
        other => panic!("expected the site to be read in the background, got {other:?}"),
    }
}

/// Draws the app as it is, without carrying out any request.
fn drawn(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    terminal
}

/// Opens the entity `name` from the search pane and goes `tabs` tabs right, returning the
/// effect of the last key (not carried out).
fn open_and_tab(app: &mut App, name: &str, tabs: usize) -> Option<Task> {
    type_text(app, name);
    let mut effect = key_effect(app, KeyCode::Enter);
    for _ in 0..tabs {
        settle(app, effect);
        effect = key_effect(app, KeyCode::Tab);
    }
    effect
}

#[test]
fn the_docs_site_is_found_in_the_background_and_the_tab_says_loading_until_then() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::Resize(60, 12));
    // Overview, Ownership, Dependencies, Docs: the site is read only once the tab is shown.
    let request = site_request(open_and_tab(&mut app, "ledger-writer", 3));
    let waiting = drawn(&app, 60, 12);
    insta::assert_snapshot!(waiting.backend());
    let s = text_of(&waiting);
    assert!(s.contains("▸Docs") && s.contains("loading…"), "{s}");
    let next = update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(request.run())),
    );
    settle(&mut app, next);
    let s = text_of(&drawn(&app, 60, 12));
    assert!(
        s.contains("Architecture") && s.contains("the only service") && !s.contains("loading…"),
        "{s}"
    );
}

#[test]
fn a_site_answer_for_an_entity_left_since_is_dropped() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::Resize(100, 30));
    let ledger = site_request(open_and_tab(&mut app, "ledger-writer", 3));
    key_effect(&mut app, KeyCode::Esc);
    // payments-api's techdocs-ref is a url: its Docs tab shows why it cannot be read.
    app.open_entity_tab(id_of(&app, "component", "payments-api"), "Docs");
    let payments = site_request(update(&mut app, Action::Tick).into_iter().next());
    assert_ne!(ledger.token, payments.token);
    assert!(update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(ledger.run()))
    )
    .is_empty());
    let s = text_of(&drawn(&app, 100, 30));
    assert!(
        s.contains("▸Docs") && s.contains("loading…") && !s.contains("At a glance"),
        "{s}"
    );
    let next = update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(payments.run())),
    );
    settle(&mut app, next);
    let s = text_of(&drawn(&app, 100, 30));
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        joined.contains("open them there or in Backstage") && !s.contains("loading…"),
        "{s}"
    );
}

#[test]
fn a_readme_docs_tab_appears_once_the_readme_is_found() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::Resize(100, 30));
    // The demo's Location has no techdocs-ref but a README beside its file: the search for
    // it starts on opening, though the Overview is on screen, and the tab waits for it.
    let request = site_request(open_and_tab(&mut app, "northwind-demo", 0));
    let s = text_of(&drawn(&app, 100, 30));
    assert!(s.contains("▸Overview") && !s.contains("Docs"), "{s}");
    let next = update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(request.run())),
    );
    settle(&mut app, next);
    let s = text_of(&drawn(&app, 100, 30));
    assert!(s.contains("▸Overview") && s.contains(" Docs"), "{s}");
}

#[test]
fn an_entity_without_docs_never_shows_a_docs_tab_even_when_asked_for_by_name() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::Resize(100, 30));
    app.open_entity_tab(id_of(&app, "user", "marcus.johnson"), "Docs");
    let effect = update(&mut app, Action::Tick);
    let request = site_request(effect.into_iter().next());
    let s = text_of(&drawn(&app, 100, 30));
    assert!(s.contains("▸Docs") && s.contains("loading…"), "{s}");
    let next = update(
        &mut app,
        Action::Reply(crate::tui::reply::Reply::DocsPage(request.run())),
    );
    settle(&mut app, next);
    let s = text_of(&drawn(&app, 100, 30));
    assert!(s.contains("▸Overview") && !s.contains("Docs"), "{s}");
    // Tab goes round the tabs that apply, never to the hidden one.
    for _ in 0..6 {
        let effect = key_effect(&mut app, KeyCode::Tab);
        settle(&mut app, effect);
        let s = text_of(&drawn(&app, 100, 30));
        assert!(!s.contains("Docs"), "{s}");
    }
}

fn id_of(app: &App, kind: &str, name: &str) -> crate::catalog::EntityId {
    let reference = crate::catalog::EntityRef::new(kind, "default", name);
    app.catalog().id_of(&reference).expect("in the demo")
}

#[test]
fn api_tab_keeps_the_indentation_of_raw_asyncapi_and_graphql() {
    let mut app = on_tab("payment-events", "API");
    let mut seen = String::new();
    for _ in 0..12 {
        seen.push_str(&screen(&mut app, 100, 40));
        press(&mut app, KeyCode::PageDown);
    }
    assert!(seen.contains("\n  production:"), "{seen}");
    assert!(
        seen.contains("\n    url: kafka-1.internal.northwind.example:9093"),
        "{seen}"
    );
    let mut app = on_tab("merchant-graphql", "API");
    let mut seen = String::new();
    for _ in 0..12 {
        seen.push_str(&screen(&mut app, 100, 40));
        press(&mut app, KeyCode::PageDown);
    }
    assert!(seen.contains("\n  query: Query"), "{seen}");
    assert!(seen.contains("\n  amount: Int!"), "{seen}");
}

#[test]
fn raw_view_shows_yaml_or_json_and_finds_a_word() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    let effect = update(&mut app, Action::RunCommand("raw".into()));
    settle(&mut app, effect);
    let s = screen(&mut app, 100, 30);
    assert!(
        s.contains("Search › ledger-writer › raw ledger-writer"),
        "{s}"
    );
    assert!(s.contains("apiVersion: backstage.io/v1alpha1"), "{s}");
    assert!(
        s.contains("  name: ledger-writer"),
        "indentation kept:\n{s}"
    );
    press(&mut app, KeyCode::Char('r'));
    let s = screen(&mut app, 100, 30);
    assert!(
        s.contains("\"apiVersion\": \"backstage.io/v1alpha1\","),
        "{s}"
    );
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('/'));
    type_text(&mut app, "pagerduty");
    assert!(screen(&mut app, 100, 30).contains("Find: pagerduty"));
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("    pagerduty.com/service-id: PLW2X9C"), "{s}");
    assert!(!s.contains("apiVersion"), "scrolled to the match:\n{s}");
    assert!(s.contains("line(s) hold \"pagerduty\""), "{s}");
    press(&mut app, KeyCode::Esc);
    assert!(
        screen(&mut app, 100, 30).contains("raw ledger-writer"),
        "Esc clears the find first"
    );
    press(&mut app, KeyCode::Esc);
    assert!(!screen(&mut app, 100, 30).contains("raw ledger-writer"));
}

#[test]
fn a_port_entitys_kept_properties_show_under_their_blueprint_titles() {
    // The demo's Port service: its blueprint (blueprints.json beside its port.yml) titles the
    // properties that have no Backstage field.
    let mut app = on_tab("statement-reports", "Overview");
    let text = screen(&mut app, 100, 40);
    assert!(text.contains("Port properties"), "{text}");
    assert!(
        text.contains("On-call rotation  reporting-primary"),
        "{text}"
    );
    assert!(text.contains("Language          Python"), "{text}");
}
