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
