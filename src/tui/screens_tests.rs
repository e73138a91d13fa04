//! The text captures of the portal in README.md and docs/user-guide.md, drawn here from the
//! real panes over the embedded demo at 120x40 on a fixed day (2026-12-07), so they cannot
//! drift from what the portal shows. In the docs each capture is a ```` ```text ```` block
//! right after a `<!-- screen: NAME -->` line; this test fails when one differs from what its
//! pane draws now. `IDP_TUI_UPDATE_SCREENS=1 cargo test --lib screens_tests` writes them anew
//! (review the diff like code).

use super::action::Action;
use super::app::{update, App};
use super::custom_action_tests::scale_action;
use super::initiative_tests::{demo_on, record};
use super::reply::Reply;
use super::snapshot_tests::{assert_clean, draw};
use super::task::Task;
use super::test_screen::run_tasks;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::Path;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// The docs holding captures, from the crate's root.
const DOCS: [&str; 2] = ["README.md", "docs/user-guide.md"];

/// A capture: its name, and what a user does to get there.
type Screen = (&'static str, fn() -> App);

/// Every capture.
const SCREENS: [Screen; 7] = [
    ("search-facets", search_facets),
    ("teams-filter", teams_filter),
    ("initiatives", initiatives),
    ("initiative", initiative),
    ("insights", insights),
    ("raw", raw),
    ("action-form", action_form),
];

/// The history the panes read (three runs recorded by `score --record`, for the burn-ups),
/// written once into a temporary directory.
fn history() -> &'static Path {
    static HISTORY: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = HISTORY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let team = "group:default/checkout-team";
        let mut records = vec![
            record("2026-11-01", 0, &[(team, [0, 4])]),
            record("2026-11-15", 1, &[(team, [0, 4])]),
            record("2026-12-01", 2, &[(team, [2, 4])]),
        ];
        // The scorecard's runs, per team, for the Teams pane's sparklines.
        for (date, passing) in [("2026-11-01", 1), ("2026-11-15", 2), ("2026-12-01", 4)] {
            let mut r = record(date, passing, &[]);
            r.kind = "scorecard".into();
            r.name = "production-readiness".into();
            r.by_owner = [
                ("group:default/checkout-team".to_string(), [passing, 4]),
                ("group:default/ledger-team".to_string(), [passing.min(3), 3]),
                ("group:default/payments-team".to_string(), [passing / 2, 3]),
            ]
            .into_iter()
            .collect();
            records.push(r);
        }
        crate::governance::history::append(&dir.path().join("history.jsonl"), &records)
            .expect("the history is written");
        dir
    });
    dir.path()
}

/// Carries out the background work the panes ask for (counting, figuring initiatives, reading
/// the history), as the executor would, until none is left; returns the other tasks.
fn settle(app: &mut App, tasks: Vec<Task>) -> Vec<Task> {
    run_tasks(app, tasks, |app, task| match task {
        Task::FigureInitiatives(job) => {
            Ok(update(app, Action::Reply(Reply::Initiatives(job.run()))))
        }
        Task::CountStats(job) => Ok(update(app, Action::Reply(Reply::Stats(job.run())))),
        Task::ReadHistory(mut request) => {
            // The recorded runs above, not the user's, and no git history.
            request.path = history().join("history.jsonl");
            request.git = None;
            let read = request.run();
            Ok(update(app, Action::Reply(Reply::History(read))))
        }
        other => Err(Box::new(other)),
    })
}

fn act(app: &mut App, action: Action) -> Vec<Task> {
    let tasks = update(app, action);
    settle(app, tasks)
}

fn press(app: &mut App, code: KeyCode) {
    let event = KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press);
    if let Some(action) = app.action_for_key(&event) {
        let _ = act(app, action);
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// The demo on the day the captures show, with nothing on the status line.
fn demo() -> App {
    demo_on("2026-12-07")
}

/// `ledger` typed, and F2's facet counts for it.
fn search_facets() -> App {
    let mut app = demo();
    typed(&mut app, "ledger");
    let _ = act(&mut app, Action::Facets);
    app
}

/// The Teams list narrowed with `/`.
fn teams_filter() -> App {
    let mut app = demo();
    let _ = act(&mut app, Action::RunCommand("teams".into()));
    typed(&mut app, "/team");
    app
}

/// The Initiatives pane.
fn initiatives() -> App {
    let mut app = demo();
    let _ = act(&mut app, Action::RunCommand("initiatives".into()));
    app
}

/// One initiative, opened from the list.
fn initiative() -> App {
    let mut app = initiatives();
    typed(&mut app, "/oncall");
    press(&mut app, KeyCode::Enter);
    app
}

/// The Insights pane.
fn insights() -> App {
    let mut app = demo();
    let _ = act(&mut app, Action::RunCommand("insights".into()));
    app
}

/// The raw YAML view of an entity.
fn raw() -> App {
    let mut app = demo();
    typed(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    let _ = act(&mut app, Action::RunCommand("raw".into()));
    app
}

/// A custom action's input form (the "Scale" action of the action tests).
fn action_form() -> App {
    let mut app = demo();
    app.set_user_commands(vec![scale_action()]);
    typed(&mut app, "ledger-writer");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('S'));
    app
}

/// What `app` draws at 120x40, each line without its trailing spaces.
fn capture(app: &mut App) -> String {
    let terminal = draw(app, WIDTH, HEIGHT);
    let buffer = terminal.backend().buffer();
    assert_clean(buffer);
    buffer
        .content()
        .chunks(usize::from(WIDTH))
        .map(|row| {
            let line: String = row.iter().map(|c| c.symbol()).collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The captures in a doc: (name, the block's text, the block's byte range in the doc).
fn captures_in(doc: &str) -> Vec<(String, String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = doc.get(from..).and_then(|rest| rest.find("<!-- screen: ")) {
        let marker = from + at;
        let name_start = marker + "<!-- screen: ".len();
        let name_end = name_start
            + doc
                .get(name_start..)
                .and_then(|rest| rest.find(" -->"))
                .unwrap_or_else(|| panic!("an unclosed screen marker at byte {marker}"));
        let name = doc
            .get(name_start..name_end)
            .unwrap_or_default()
            .to_string();
        let open = "\n```text\n";
        let block_start = name_end + " -->".len();
        assert_eq!(
            doc.get(block_start..block_start + open.len()),
            Some(open),
            "<!-- screen: {name} --> is followed by a ```text block"
        );
        let body_start = block_start + open.len();
        let rest = doc.get(body_start..).unwrap_or_default();
        let body_len = if rest.starts_with("```") {
            0
        } else {
            rest.find("\n```")
                .unwrap_or_else(|| panic!("the {name} capture's block is not closed"))
        };
        let body = doc
            .get(body_start..body_start + body_len)
            .unwrap_or_default();
        out.push((name, body.to_string(), body_start..body_start + body_len));
        from = body_start + body_len;
    }
    out
}

#[test]
fn the_captures_in_the_docs_are_what_the_panes_draw() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let drawn: Vec<(&str, String)> = SCREENS
        .iter()
        .map(|(name, make)| (*name, capture(&mut make())))
        .collect();
    let update_docs = std::env::var_os("IDP_TUI_UPDATE_SCREENS").is_some();
    let mut differ = Vec::new();
    let mut shown = Vec::new();
    for doc in DOCS {
        let path = root.join(doc);
        let mut text = std::fs::read_to_string(&path).expect("the doc is readable");
        // From the end, so the ranges before stay valid while replacing.
        for (name, body, range) in captures_in(&text).into_iter().rev() {
            let Some((_, now)) = drawn.iter().find(|(n, _)| *n == name) else {
                panic!("{doc}: no screen called {name:?}");
            };
            shown.push(name.clone());
            if body != *now {
                differ.push(format!("{doc}: {name}"));
                text.replace_range(range, now);
            }
        }
        if update_docs {
            std::fs::write(&path, text).expect("the doc is writable");
        }
    }
    for (name, _) in SCREENS {
        assert!(
            shown.iter().any(|s| s == name),
            "the {name} capture is in no doc"
        );
    }
    assert!(
        update_docs || differ.is_empty(),
        "captures that differ from what the panes draw (IDP_TUI_UPDATE_SCREENS=1 cargo test \
         --lib screens_tests writes them): {differ:?}"
    );
}

#[test]
fn each_capture_shows_its_pane() {
    let expect = [
        ("search-facets", "kind "),
        ("teams-filter", "/team▏  "),
        ("initiatives", "2 initiative(s)"),
        ("initiative", "burn-up ▁▁▂ 0% → 11%"),
        ("insights", "Completeness of components"),
        ("raw", "apiVersion: backstage.io/v1alpha1"),
        ("action-form", "Replicas"),
    ];
    for (name, make) in SCREENS {
        let s = capture(&mut make());
        let (_, wanted) = expect
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("an expectation for {name}"));
        assert!(s.contains(wanted), "{name}: {wanted:?} not drawn:\n{s}");
        assert_eq!(s.lines().count(), usize::from(HEIGHT), "{name}");
    }
}
