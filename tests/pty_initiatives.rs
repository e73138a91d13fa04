//! The Initiatives pane as a user meets it in the demo: opened from the palette, both built-in
//! initiatives listed with their status, one opened (owners, action items, burn-up), an owner
//! opened from it, and back. And the Teams pane's burn-ups read from a catalog's git history.

#![cfg(unix)]
#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod git_repo;
mod pty_spawn;

use git_repo::git_at;
use pty_spawn::{Driven, Portal};

const ROWS: u16 = 40;
const COLS: u16 = 120;

#[test]
fn the_demo_initiatives_open_from_the_palette_and_drill_down_to_an_owner() {
    let home = tempfile::tempdir().expect("home");
    let mut s = Portal::start(&[], &[], home.path(), COLS, ROWS);
    s.wait_for("89 of 89");
    s.send("\x10"); // Ctrl-P
    s.wait_for("Commands");
    s.send("initiatives\r");
    s.wait_for("2 initiative(s) · 1 delayed");
    let screen = s.screen();
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_string()
    };
    // The demo's dates move with the clock, so these two statuses hold whatever today is
    // (src/governance/demo.yaml).
    assert!(row("production-basics").contains("in progress"), "{screen}");
    assert!(row("oncall-and-runbooks").contains("delayed"), "{screen}");
    // `/` filters (letters are typed, not bound), Enter opens the one left.
    s.send("/oncall");
    s.wait_for("1 of 2");
    s.send("\r");
    s.wait_for("Owners (most failing first)");
    // Written as due 2027-06-30 for 2026-12-07: 205 days from today. (Should the day turn
    // between the portal's start and here, it is one day later.)
    let due = idp_tui::scorecard::Date::today().add_days(205);
    s.wait_for(&format!("must pass by {due}"));
    // A private HOME has no recorded runs: one dim line, not an empty chart.
    s.wait_for("burn-up: no history yet");
    // The first owner is selected: Enter opens its page, Esc comes back.
    s.send("\r");
    s.wait_for("[Group]");
    s.send("\x1b");
    s.wait_for("Owners (most failing first)");
    s.send("\x1b");
    s.wait_for("/oncall  1 of 2");
    s.send("\x03");
    let status = s.exit_status();
    assert!(status.success(), "{status:?}");
}

fn service(name: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec: {{type: service, lifecycle: production, system: core, owner: team-a}}\n"
    )
}

#[test]
fn the_teams_burn_ups_come_from_the_catalogs_git_history() {
    let home = tempfile::tempdir().expect("home");
    let root = home.path();
    let catalog = root.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    git_at(root, "2027-01-01T09:00:00Z", &["init", "-q", "-b", "main"]);
    std::fs::write(
        catalog.join("team.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: core}\nspec: {owner: team-a}\n",
    )
    .unwrap();
    std::fs::write(
        catalog.join("api.yaml"),
        service("api", "The API serving everything to everyone."),
    )
    .unwrap();
    git_at(root, "2027-01-01T09:00:00Z", &["add", "-A"]);
    git_at(root, "2027-01-01T09:00:00Z", &["commit", "-q", "-m", "api"]);
    // The next day a service too briefly described for Bronze: team-a at 100%, then 50%.
    std::fs::write(catalog.join("worker.yaml"), service("worker", "Works.")).unwrap();
    git_at(root, "2027-01-02T09:00:00Z", &["add", "-A"]);
    git_at(
        root,
        "2027-01-02T09:00:00Z",
        &["commit", "-q", "-m", "worker"],
    );

    let mut s = Portal::start(&["--catalog", "catalog"], &[], root, COLS, ROWS);
    s.wait_for("4 of 4");
    s.send("\x10"); // Ctrl-P
    s.wait_for("Commands");
    s.send("teams\r");
    s.wait_for("burn-ups: share at a scorecard's first level, per day of git history");
    s.wait_for("█▅  50%  group:team-a");
    // Each day's commit was evaluated once, into the private cache.
    let cached = std::fs::read_dir(root.join("xdg_cache_home/idp-tui/history"))
        .expect("the history cache")
        .count();
    assert_eq!(cached, 2);
    s.send("\x03");
    let status = s.exit_status();
    assert!(status.success(), "{status:?}");
}
