//! A custom action with inputs as a user meets it in the portal: its key opens a form (the
//! template form), the review shows the command the values render to, the confirmation shows
//! the `confirm:` message, and the command runs with each value as one inert argument.

#![cfg(unix)]

mod pty_spawn;

use pty_spawn::{Driven, Portal};

const ROWS: u16 = 30;
const COLS: u16 = 110;

const CONFIG: &str = r#"actions:
  - key: S
    title: Scale deployment
    kinds: [component]
    command: printf '[%s]\n' deploy/${{ metadata.name }} --replicas=${{ inputs.replicas }} -- ${{ inputs.reason }}
    mode: terminal
    confirm: Scale ${{ metadata.name }} to ${{ inputs.replicas }} replicas?
    inputs:
      type: object
      required: [replicas, reason]
      properties:
        replicas: {type: integer, title: Replicas, minimum: 0, maximum: 50, default: 2}
        reason: {type: string, title: Reason}
"#;

#[test]
fn an_action_with_inputs_asks_in_a_form_confirms_the_command_and_runs_it() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("actions.yaml");
    std::fs::write(&config, CONFIG).expect("config");
    let pwned = home.path().join("pwned");
    let config = config.to_string_lossy().to_string();
    let mut s = Portal::start(&["--config", &config], &[], home.path(), COLS, ROWS);
    s.wait_for("89 of 89");
    s.send("ledger-writer\r");
    s.wait_for("component:default/ledger-writer");
    s.send("S");
    s.wait_for("Page 1/1");
    s.wait_for("Replicas");
    // Over the bound: refused on the page.
    s.send("\x7f60");
    s.send("\x0e"); // Ctrl-N
    s.wait_for("must be at most 50");
    s.send("\x7f\x7f7\t");
    let hostile = format!("x; touch {} $(id)", pwned.display());
    s.send(&hostile);
    s.wait_for("$(id)");
    s.send("\x0e");
    s.wait_for("Review the command");
    s.wait_for("'--replicas=7' -- 'x; touch");
    s.send("\r");
    s.wait_for("Scale ledger-writer to 7 replicas?");
    s.wait_for("Enter/y run the command");
    s.send("y");
    // The program got the value as one argument: printed whole, between brackets.
    s.wait_for(&format!("[{hostile}]"));
    s.wait_for("press Enter to return");
    assert!(!pwned.exists(), "the value ran as code");
    s.send("\r");
    s.wait_for("Scale deployment: exit 0");
    s.send("q");
    assert!(s.exit_status().success());
}
