//! A Kratix Promise as a user meets it in the portal: listed with the templates as
//! "request <kind>", its form generated from the CRD's schema, checked as the scaffolder checks.

#![cfg(unix)]

mod pty_spawn;

use pty_spawn::{Driven, Portal};

const ROWS: u16 = 40;
const COLS: u16 = 110;

#[test]
fn a_promise_opens_as_a_form_generated_from_its_crd() {
    let home = tempfile::tempdir().expect("home");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats/kratix");
    let mut s = Portal::start(&["--catalog", catalog], &[], home.path(), COLS, ROWS);
    s.wait_for("catalog ✓");
    s.open_template("request postgresql", "request-postgresql");
    s.wait_for("Page 1/2");
    // A name Kubernetes refuses is refused by the form, from the CRD page's pattern.
    s.send("Orders DB");
    s.send("\x0e"); // Ctrl-N: next page
    s.wait_for("must match the pattern");
    for _ in 0.."Orders DB".len() {
        s.send("\x7f");
    }
    s.send("orders-db");
    s.wait_for("orders-db");
    s.send("\x0e");
    // The spec's page: the CRD's properties, with their enum default.
    s.wait_for("Page 2/2");
    let screen = s.screen();
    for field in ["teamId", "dbName", "env", "sizeGb", "dev"] {
        assert!(screen.contains(field), "{field} not on the form:\n{screen}");
    }
    s.send("\x03");
    s.exit_status();
}

#[test]
fn a_nested_object_of_the_crd_is_filled_field_by_field() {
    let home = tempfile::tempdir().expect("home");
    let catalog = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats/kratix");
    let mut s = Portal::start(&["--catalog", catalog], &[], home.path(), COLS, ROWS);
    s.wait_for("catalog ✓");
    s.open_template("request postgresql", "request-postgresql");
    s.wait_for("Page 1/2");
    s.send("analytics");
    s.wait_for("analytics");
    s.send("\x0e");
    s.wait_for("Page 2/2");
    // The CRD's `backups` object: a field per property, labelled with its path.
    s.wait_for("backups › enabled");
    s.wait_for("backups › retentionDays");
    s.send("data-team");
    s.wait_for("data-team");
    s.send("\t");
    s.send("events");
    s.wait_for("events");
    // env, sizeGb, backups › enabled, then backups › retentionDays (its default, 7).
    s.send("\t\t\t\t");
    s.send("\x7f0");
    s.send("\x0e");
    s.wait_for("must be at least 1");
    s.send("\x7f14");
    s.send("\x0e");
    // The review lists the nested values under their paths.
    s.wait_for("backups › retentionDays: 14");
    s.wait_for("backups › enabled: yes");
    s.send("\x03");
    s.exit_status();
}
