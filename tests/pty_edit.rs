//! Editing flows through the built binary in a pseudo-terminal: the readline keys in the
//! search query (with the cursor where the user types), a bracketed paste with newlines, and
//! `e` opening the entity's file in `$EDITOR`.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason
#![cfg(unix)]

mod pty_spawn;

use pty_spawn::{Driven, Portal};
use std::time::{Duration, Instant};

const ROWS: u16 = 30;
const COLS: u16 = 100;

fn portal(args: &[&str], env: &[(&str, &str)], home: &std::path::Path) -> Portal {
    Portal::start(args, env, home, COLS, ROWS)
}

/// What these flows need beyond [`Driven`]: where the cursor is, and quitting.
trait Cursor: Driven {
    /// The cursor's (row, column) on the screen now.
    fn cursor(&self) -> (u16, u16) {
        let mut parser = vt100::Parser::new(ROWS, COLS, 0);
        parser.process(&self.raw());
        parser.screen().cursor_position()
    }

    /// Waits until `ready` holds for the screen and the cursor.
    fn wait_until(&self, what: &str, ready: impl Fn(&str, (u16, u16)) -> bool) {
        let start = Instant::now();
        loop {
            if ready(&self.screen(), self.cursor()) {
                return;
            }
            assert!(
                start.elapsed() < Self::TIMEOUT,
                "timed out waiting for {what}; cursor {:?}, screen:\n{}",
                self.cursor(),
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Cursor for Portal {}

/// Quits with Ctrl-C and waits for the portal to exit.
fn quit(mut s: Portal) {
    s.send("\x03");
    s.exit_status();
}

const LEFT: &str = "\x1b[D";
const HOME: &str = "\x1b[H";

#[test]
fn a_typo_is_fixed_in_the_middle_of_the_query_and_a_paste_is_one_line() {
    let home = tempfile::tempdir().unwrap();
    let mut s = portal(&[], &[], home.path());
    s.wait_for("89 of 89");
    s.send("ldger-writer");
    s.wait_for("Search: ldger-writer");
    for _ in 0.."dger-writer".len() {
        s.send(LEFT);
    }
    s.send("e");
    // The query is fixed where the cursor was, and the cursor stays after the inserted "e":
    // "Search: " is 8 columns, then "le".
    s.wait_until(
        "the fixed query with the cursor after \"le\"",
        |screen, cursor| screen.contains("Search: ledger-writer") && cursor == (0, 10),
    );
    // Ctrl-E, Ctrl-U empties the line; Ctrl-A then a bracketed paste inserts at the start.
    s.send("\x05\x15");
    s.wait_until("an empty query", |screen, cursor| {
        screen.contains("89 of 89") && cursor == (0, 8)
    });
    s.send("writer");
    s.send(HOME);
    s.send("\x1b[200~ledger\nx\x1b[201~");
    s.wait_for("Search: ledger xwriter");
    quit(s);
}

/// An editor that records its arguments (one a line) and changes the entity's title, as a
/// user would, then exits.
const FAKE_EDITOR: &str = r#"#!/bin/sh
printf '%s\n' "$@" > "$IDP_TEST_ARGS"
for last; do :; done
sed 's/title: Old title/title: New title/' "$last" > "$last.tmp" && mv "$last.tmp" "$last"
"#;

#[test]
fn e_opens_the_file_in_the_editor_as_one_argument_and_the_edit_shows_on_return() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("catalog");
    std::fs::create_dir(&dir).unwrap();
    // A file name that is a shell command: it must reach the editor as one argument.
    let file = dir.join("x; touch pwned.yaml");
    std::fs::write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments-api\n  title: Old title\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    )
    .unwrap();
    // Named vim, so it gets the line as vim does (`+LINE`).
    std::fs::create_dir(home.path().join("bin")).unwrap();
    let editor = home.path().join("bin/vim");
    std::fs::write(&editor, FAKE_EDITOR).unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let args_log = home.path().join("editor-args");
    let mut s = portal(
        &["--catalog", file.to_str().unwrap()],
        &[
            ("EDITOR", editor.to_str().unwrap()),
            ("VISUAL", ""),
            ("IDP_TEST_ARGS", args_log.to_str().unwrap()),
        ],
        home.path(),
    );
    s.wait_for("1 of 1");
    s.send("payments");
    s.wait_for("Old title");
    s.send("\r");
    s.wait_for("component:default/payments-api");
    s.send("e");
    s.wait_for("New title");
    let args = std::fs::read_to_string(&args_log).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        vec!["+1", file.to_str().unwrap()],
        "the editor got the line and the file as one argument"
    );
    assert!(!home.path().join("pwned.yaml").exists());
    assert!(!dir.join("pwned.yaml").exists());
    // Still on the entity, now with its new title.
    assert!(s.screen().contains("component:default/payments-api"));
    quit(s);
}

#[test]
fn a_starred_entity_is_listed_first_on_the_empty_query_and_after_a_restart() {
    let home = tempfile::tempdir().unwrap();
    let mut s = portal(&[], &[], home.path());
    s.wait_for("89 of 89");
    s.send("ledger-writer");
    s.wait_for("Search: ledger-writer");
    s.send("\r");
    s.wait_for("component:default/ledger-writer");
    s.send("*");
    s.wait_for("is a favourite");
    s.send("\x1b"); // Esc: back to the search pane, the query kept
    s.wait_for("Search: ledger-writer");
    s.send("\x15"); // Ctrl-U: the empty query
    s.wait_for("★ Favourites");
    s.wait_for("★ ledger-writer");
    quit(s);
    // Kept in the state directory: a new start lists it too.
    let file = home.path().join("xdg_state_home/idp-tui/favourites.json");
    let start = Instant::now();
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("ledger-writer")) {
        assert!(
            start.elapsed() < Portal::TIMEOUT,
            "{} never written",
            file.display()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    let s = portal(&[], &[], home.path());
    s.wait_for("★ Favourites");
    s.wait_until("the favourite selected at the top", |screen, _| {
        screen
            .lines()
            .find(|l| l.starts_with('▶'))
            .is_some_and(|l| l.contains("★ ledger-writer"))
    });
    // Opened and starred: listed once, as a favourite, not again as recent.
    assert!(!s.screen().contains("Recent"), "{}", s.screen());
    quit(s);
}

#[test]
fn t_on_a_template_page_opens_its_form_and_esc_comes_back() {
    let home = tempfile::tempdir().unwrap();
    let mut s = portal(&[], &[], home.path());
    s.wait_for("89 of 89");
    s.send("kind:template");
    s.wait_for("Search: kind:template");
    s.wait_until("a template selected", |screen, _| {
        screen
            .lines()
            .find(|l| l.starts_with('▶'))
            .is_some_and(|l| l.contains("template"))
    });
    s.send("\r");
    s.wait_for("template:default/");
    s.send("t");
    s.wait_for("Page 1/");
    s.send("\x1b");
    s.wait_until("the template's page again", |screen, _| {
        screen.contains("template:default/") && !screen.contains("Page 1/")
    });
    quit(s);
}

#[test]
fn an_edit_of_a_catalog_file_shows_up_without_r() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("catalog");
    std::fs::create_dir(&dir).unwrap();
    let file = dir.join("catalog-info.yaml");
    let entity = |title: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments-api\n  title: {title}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n")
    };
    std::fs::write(&file, entity("Old title")).unwrap();
    let s = portal(&["--catalog", dir.to_str().unwrap()], &[], home.path());
    s.wait_for("Old title");
    // Saved the way editors do: a new file renamed over the old one.
    let tmp = dir.join(".catalog-info.yaml.new");
    std::fs::write(&tmp, entity("New title")).unwrap();
    std::fs::rename(&tmp, &file).unwrap();
    s.wait_for("New title");
    quit(s);
}
