//! The Initiatives pane as a user meets it in the demo: opened from the palette, both built-in
//! initiatives listed with their status, one opened (owners, action items, burn-up), an owner
//! opened from it, and back.

#![cfg(unix)]

mod pty_spawn;

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
