//! The Ownership and Dependencies tabs and the Teams pane: state tests through `update` and
//! snapshots with `TestBackend` over the demo catalog and the fixtures in tests/data/.

use super::action::Action;
use super::app::{update, App};
use super::state_tests::{demo, type_text};
use super::task::Task;
use super::ui;
use crate::fixtures::fixture;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Option<Task> {
    let event = KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press);
    let action = app.action_for_key(&event)?;
    update(app, action).into_iter().next()
}

fn press(app: &mut App, code: KeyCode) -> Option<Task> {
    key(app, code, KeyModifiers::NONE)
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    update(app, Action::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| ui::render(app, frame))
        .expect("drawing never fails on a test backend");
    for cell in terminal.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control character in cell {:?}",
            cell.symbol()
        );
    }
    terminal
}

/// The screen as text, one line per row.
fn screen(app: &mut App, width: u16, height: u16) -> String {
    let terminal = draw(app, width, height);
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..height {
        for x in 0..width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn current_ref(app: &App) -> Option<String> {
    app.current_entity()
        .map(|id| app.catalog().get(id).entity_ref().to_string())
}

/// Searches for `query` and opens the first result's ownership with Ctrl-O.
fn ownership_of(app: &mut App, query: &str) {
    type_text(app, query);
    key(app, KeyCode::Char('o'), KeyModifiers::CONTROL);
}

/// Opens an entity from search and moves to its Dependencies (or Structure) tab.
fn dependencies_of(app: &mut App, query: &str) {
    type_text(app, query);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Tab);
    press(app, KeyCode::Tab);
}

#[test]
fn ctrl_o_on_a_search_result_opens_its_ownership_and_esc_goes_back() {
    let mut app = App::loaded(demo());
    ownership_of(&mut app, "ledger-writer");
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("component:default/ledger-writer")
    );
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("▸Ownership"), "{s}");
    assert!(
        s.contains("group:ledger-team  Ledger Team <team-ledger@northwind.example>"),
        "{s}"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(current_ref(&app), None);
    assert!(app.stack().is_empty());
}

#[test]
fn o_in_the_entity_view_jumps_to_the_ownership_tab() {
    let mut app = App::loaded(demo());
    type_text(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains("▸Overview"));
    press(&mut app, KeyCode::Char('o'));
    assert!(screen(&mut app, 100, 30).contains("▸Ownership"));
}

#[test]
fn y_copies_the_highlighted_member_email_and_enter_opens_the_member() {
    let mut app = App::loaded(demo());
    ownership_of(&mut app, "ledger-writer");
    // Owner, parents (2), the Members heading, then the first member.
    for _ in 0..5 {
        press(&mut app, KeyCode::Down);
    }
    assert!(
        matches!(press(&mut app, KeyCode::Char('y')), Some(Task::Copy(value)) if value == "emma.lindqvist@northwind.example")
    );
    let status = app.status().cloned().expect("a status line");
    assert!(
        status.text.contains("emma.lindqvist@northwind.example"),
        "{status:?}"
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("user:default/emma.lindqvist")
    );
}

#[test]
fn y_on_a_link_copies_its_url() {
    let mut app = App::loaded(demo());
    ownership_of(&mut app, "ledger-writer");
    press(&mut app, KeyCode::End);
    assert!(
        matches!(press(&mut app, KeyCode::Char('y')), Some(Task::Copy(value)) if value == "https://northwind.pagerduty.com/schedules/PSLDG01")
    );
}

#[test]
fn unresolved_owner_and_gap_are_shown_in_the_ownership_tab() {
    let mut app = App::loaded(fixture("ownership-gaps.yaml"));
    ownership_of(&mut app, "ghost-owned-service");
    let s = screen(&mut app, 100, 20);
    assert!(
        s.contains("group:ghost-team  [unresolved: not in the catalog]"),
        "{s}"
    );
    press(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    ownership_of(&mut app, "unstaffed-db");
    let s = screen(&mut app, 100, 20);
    assert!(
        s.contains("no members in this group or any group below it"),
        "{s}"
    );
}

#[test]
fn group_ownership_toggles_to_include_child_groups() {
    let mut app = App::loaded(fixture("group-hierarchy-3-levels.yaml"));
    ownership_of(&mut app, "acme");
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("Owns (0)"), "{s}");
    press(&mut app, KeyCode::Char('r'));
    let s = screen(&mut app, 100, 30);
    assert!(s.contains("Owns (3)"), "{s}");
    assert!(
        s.contains("component:payments-api  (via group:payments-team)"),
        "{s}"
    );
}

#[test]
fn dependencies_tab_toggles_to_reverse_with_blast_radius_and_teams() {
    let mut app = App::loaded(demo());
    dependencies_of(&mut app, "ledger-db");
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("▸Dependencies"), "{s}");
    assert!(
        s.contains("Forward: what it needs · depth 5 · 0 dependencies"),
        "{s}"
    );
    press(&mut app, KeyCode::Char('r'));
    let s = screen(&mut app, 120, 40);
    assert!(
        s.contains("Reverse: what needs it · depth 5 · blast radius 18"),
        "{s}"
    );
    assert!(s.contains("Teams to notify (4)"), "{s}");
    assert!(s.contains("group:payments-team  7 affected"), "{s}");
    press(&mut app, KeyCode::Char('+'));
    let s = screen(&mut app, 120, 40);
    assert!(s.contains("depth 6"), "{s}");
    press(&mut app, KeyCode::Char('r'));
    assert!(screen(&mut app, 120, 40).contains("Forward: what it needs · depth 6"));
}

#[test]
fn dependencies_tree_folds_unfolds_and_opens_nodes() {
    let mut app = App::loaded(fixture("diamond.yaml"));
    dependencies_of(&mut app, "top");
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("└── ▾ dependsOn component:bottom"), "{s}");
    // Down to `left`, fold it: its child disappears.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Left);
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("├── ▸ dependsOn component:left"), "{s}");
    assert_eq!(s.matches("component:bottom").count(), 1, "{s}");
    press(&mut app, KeyCode::Right);
    assert_eq!(
        screen(&mut app, 100, 20)
            .matches("component:bottom")
            .count(),
        2
    );
    assert!(
        matches!(press(&mut app, KeyCode::Char('y')), Some(Task::Copy(value)) if value == "component:default/left")
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(current_ref(&app).as_deref(), Some("component:default/left"));
}

#[test]
fn missing_node_says_so_when_opened_and_cycle_is_marked() {
    let mut app = App::loaded(fixture("dangling-ref.yaml"));
    dependencies_of(&mut app, "needs-ghost");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        current_ref(&app).as_deref(),
        Some("component:default/needs-ghost")
    );
    let status = app.status().cloned().expect("a status line");
    assert!(status.text.contains("is not in the catalog"), "{status:?}");

    let mut app = App::loaded(fixture("dependency-cycle.yaml"));
    dependencies_of(&mut app, "cycle-entry");
    let s = screen(&mut app, 100, 20);
    assert!(s.contains("component:cycle-a  ↺ cycle back-edge"), "{s}");
    assert!(s.contains("1 cycle edge(s)"), "{s}");
}

#[test]
fn depth_stays_between_one_and_twenty() {
    let mut app = App::loaded(fixture("diamond.yaml"));
    dependencies_of(&mut app, "top");
    for _ in 0..10 {
        press(&mut app, KeyCode::Char('-'));
    }
    let s = screen(&mut app, 100, 20);
    assert!(
        s.contains("depth 1 · 2 dependencies · 2 cut at depth 1"),
        "{s}"
    );
    for _ in 0..30 {
        press(&mut app, KeyCode::Char('='));
    }
    assert!(screen(&mut app, 100, 20).contains("depth 20"));
}

#[test]
fn teams_pane_flags_the_memberless_team_and_opens_ownership() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("teams".into()));
    let s = screen(&mut app, 120, 30);
    assert!(
        s.contains("16 groups · 1 with nobody in them or below them"),
        "{s}"
    );
    assert!(s.contains("group:data-platform-team"), "{s}");
    let line = s
        .lines()
        .find(|l| l.contains("group:data-platform-team"))
        .unwrap_or_default();
    assert!(line.contains("no members in it or below it"), "{line}");
    press(&mut app, KeyCode::Enter);
    let s = screen(&mut app, 120, 30);
    assert!(s.contains("▸Ownership"), "{s}");
    assert!(s.contains("Teams ›"), "{s}");
}

#[test]
fn empty_catalog_tabs_and_teams_never_panic() {
    let mut app = App::loaded(crate::catalog::Catalog::new());
    key(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert!(app.stack().is_empty());
    update(&mut app, Action::RunCommand("teams".into()));
    for code in [
        KeyCode::Enter,
        KeyCode::Down,
        KeyCode::Char('y'),
        KeyCode::Left,
    ] {
        press(&mut app, code);
    }
    assert!(screen(&mut app, 60, 10).contains("the catalog has no groups"));
}

#[test]
fn ownership_tab_snapshot() {
    let mut app = App::loaded(demo());
    ownership_of(&mut app, "ledger-writer");
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn dependencies_tab_reverse_snapshot() {
    let mut app = App::loaded(demo());
    dependencies_of(&mut app, "ledger-db");
    press(&mut app, KeyCode::Char('r'));
    insta::assert_snapshot!(draw(&mut app, 100, 30).backend());
}

#[test]
fn dependencies_tab_in_a_tiny_terminal_snapshot() {
    let mut app = App::loaded(demo());
    dependencies_of(&mut app, "checkout-web");
    insta::assert_snapshot!(draw(&mut app, 30, 10).backend());
}

#[test]
fn teams_pane_snapshot() {
    let mut app = App::loaded(demo());
    update(&mut app, Action::RunCommand("teams".into()));
    insta::assert_snapshot!(draw(&mut app, 100, 20).backend());
}
