//! Ctrl-C quits the portal right after a custom action ran in the terminal (`mode: terminal`):
//! the portal gave the terminal to the command, took it back after Enter, and must hear keys
//! as before (an engineer once saw only `q` work there).

#![cfg(unix)]

mod pty_spawn;

use pty_spawn::{Driven, Portal};

const ROWS: u16 = 30;
const COLS: u16 = 110;

const CONFIG: &str = r#"actions:
  - key: X
    title: Say hello
    kinds: [component]
    command: printf 'hello from %s\n' ${{ metadata.name }}
    mode: terminal
"#;

/// Starts the demo with the action, opens ledger-writer and runs the action: the command's
/// output and the prompt to return are on screen.
fn at_the_prompt(home: &std::path::Path) -> Portal {
    let config = home.join("actions.yaml");
    std::fs::write(&config, CONFIG).expect("config");
    let config = config.to_string_lossy().to_string();
    let mut s = Portal::start(&["--config", &config], &[], home, COLS, ROWS);
    s.wait_for("89 of 89");
    s.send("ledger-writer\r");
    s.wait_for("component:default/ledger-writer");
    s.send("X");
    s.wait_for("hello from ledger-writer");
    s.wait_for("press Enter to return");
    s
}

/// Waits until the portal's own screen is back: its status bar, with the action's summary.
fn back_in_the_portal(s: &Portal) {
    s.wait_for("89 entities");
    s.wait_for("Say hello: exit 0 ");
}

#[test]
fn ctrl_c_quits_once_back_from_a_terminal_action() {
    let home = tempfile::tempdir().expect("home");
    let mut s = at_the_prompt(home.path());
    s.send("\r");
    back_in_the_portal(&s);
    s.send("\x03");
    let status = s.exit_status();
    assert!(status.success(), "{status:?}");
}

#[test]
fn ctrl_c_typed_right_after_the_enter_that_returns_quits() {
    let home = tempfile::tempdir().expect("home");
    let mut s = at_the_prompt(home.path());
    // One burst, as a quick hand (or a paste) types it: neither key may be lost on the way
    // back from the command to the portal.
    s.send("\r\x03");
    let status = s.exit_status();
    assert!(status.success(), "{status:?}");
}

#[test]
fn ctrl_c_at_the_prompt_returns_to_the_portal_and_then_quits_it() {
    let home = tempfile::tempdir().expect("home");
    let mut s = at_the_prompt(home.path());
    s.send("\x03");
    back_in_the_portal(&s);
    s.wait_for("component:default/ledger-writer");
    s.send("\x03");
    let status = s.exit_status();
    assert!(status.success(), "{status:?}");
}
