//! One JSON naming convention across the CLI's `--json` outputs, walked over the demo: every
//! key idp-tui writes is snake_case (`depth_limit`, `days_left`), and list rows name their
//! entity `ref`. `show --json` is the exception by design: it prints the entity as
//! Backstage's catalog API returns it (`apiVersion`, `spec.dependsOn`, `relations[].targetRef`).
//! Keys holding a `/` or a `.` are data (annotation names), not ours.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use serde_json::Value;
use std::process::Command;

/// Runs `idp-tui ARGS` over the demo with a private HOME; returns its stdout as JSON.
fn json_of(args: &[&str]) -> Value {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idp-tui"));
    cmd.args(args)
        .env("HOME", home.path())
        .current_dir(home.path());
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
    ] {
        cmd.env(var, home.path().join(var.to_lowercase()));
    }
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Every key of every object in `value` that is not snake_case, with where it is.
fn not_snake_case(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let data = key.contains('/') || key.contains('.');
                let snake = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !data && !snake {
                    out.push(format!("{at}.{key}"));
                }
                not_snake_case(inner, &format!("{at}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                not_snake_case(item, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

const COMMANDS: &[&[&str]] = &[
    &["search", "ledger", "--json"],
    &["search", "kind:component", "--json"],
    &["validate", "--json"],
    &["owner", "ledger-writer", "--json"],
    &["owner", "--gaps", "--json"],
    &["deps", "ledger-writer", "--json"],
    &["deps", "ledger-writer", "--reverse", "--json"],
    &["score", "--json"],
    &["initiatives", "--json"],
    &["stats", "--json"],
    &["templates", "--json"],
    &["history", "--json"],
];

#[test]
fn every_json_output_of_the_demo_uses_snake_case_keys() {
    let mut bad = Vec::new();
    for args in COMMANDS {
        let value = json_of(args);
        not_snake_case(&value, &args.join(" "), &mut bad);
    }
    assert!(bad.is_empty(), "keys that are not snake_case: {bad:#?}");
}

#[test]
fn list_rows_name_their_entity_ref() {
    for args in [
        &["search", "ledger", "--json"][..],
        &["templates", "--json"],
        &["owner", "--gaps", "--json"],
    ] {
        let value = json_of(args);
        let rows = value
            .as_array()
            .or_else(|| value["results"].as_array())
            .unwrap_or_else(|| panic!("{args:?}: rows: {value}"));
        assert!(!rows.is_empty(), "{args:?}");
        for row in rows {
            assert!(row["ref"].is_string(), "{args:?}: {row}");
        }
    }
    assert!(json_of(&["owner", "ledger-writer", "--json"])["ref"].is_string());
}

#[test]
fn show_prints_the_entity_as_backstage_returns_it() {
    let value = json_of(&["show", "ledger-writer", "--json"]);
    assert_eq!(value["apiVersion"], "backstage.io/v1alpha1", "{value}");
    assert!(value["relations"][0]["targetRef"].is_string(), "{value}");
}
