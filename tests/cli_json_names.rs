//! One JSON naming convention across the CLI's `--json` outputs, walked over the demo: every
//! key idp-tui writes is snake_case (`depth_limit`, `days_left`), and every row about an entity
//! names it `ref` (never `entity`). `show --json` is the exception by design: it prints the entity as
//! Backstage's catalog API returns it (`apiVersion`, `spec.dependsOn`, `relations[].targetRef`).
//! Keys holding a `/` or a `.` are data (annotation names), not ours.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs `idp-tui ARGS` over the demo with a private HOME; returns its stdout as JSON.
fn json_of(args: &[&str]) -> Value {
    let home = tempfile::tempdir().unwrap();
    json_in(home.path(), home.path(), args)
}

/// Runs `idp-tui ARGS` in `dir` with `home` as HOME (and the XDG directories under it).
fn json_in(dir: &Path, home: &Path, args: &[&str]) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_idp-tui"));
    cmd.args(args).env("HOME", home).current_dir(dir);
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
    ] {
        cmd.env(var, home.join(var.to_lowercase()));
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
    &["initiatives", "production-basics", "--json"],
    &["validate", "--rejected", "--json"],
    &["export", "scores", "--format", "json"],
    &["export", "--format", "json"],
    &["oncall", "ledger-writer", "--json"],
    &["status", "ledger-writer", "--json"],
    &["api", "payments-rest-api", "--json"],
    &["api", "merchant-graphql", "--json"],
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

/// The values `path` selects in `value`: segments split by `.`, a `[]` suffix walks every
/// item of an array (`[]` alone: the items of the value itself; `` (empty): the value).
fn select<'a>(value: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut at = vec![value];
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (key, each) = match segment.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (segment, false),
        };
        at = at
            .into_iter()
            .map(|v| if key.is_empty() { v } else { &v[key] })
            .flat_map(|v| match (each, v.as_array()) {
                (true, Some(items)) => items.iter().collect(),
                (true, None) => Vec::new(),
                (false, _) => vec![v],
            })
            .collect();
    }
    at
}

/// Every object in `value` that has a key `entity`, with where it is.
fn entity_keys(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("entity") {
                out.push(at.to_string());
            }
            for (key, inner) in map {
                entity_keys(inner, &format!("{at}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for item in items {
                entity_keys(item, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

/// Each command with the rows about an entity it prints (`select` paths): every one of them
/// must carry its entity's reference under `ref`.
const ROWS: &[(&[&str], &[&str])] = &[
    (&["search", "ledger", "--json"], &["[]"]),
    (&["templates", "--json"], &["[]"]),
    (&["owner", "--gaps", "--json"], &["[]"]),
    (
        &["owner", "ledger-writer", "--json"],
        &["", "owner", "parents[]", "members[]"],
    ),
    (&["deps", "ledger-writer", "--json"], &["", "children[]"]),
    (
        &["deps", "ledger-writer", "--reverse", "--json"],
        &["", "children[]"],
    ),
    (&["score", "--json"], &["[]"]),
    (&["score", "ledger-writer", "--json"], &["[]"]),
    (
        &["initiatives", "production-basics", "--json"],
        &["[].entities[]"],
    ),
    (&["validate", "--json"], &["[]"]),
    (&["export", "scores", "--format", "json"], &["[]"]),
    (&["export", "--format", "json"], &["[]"]),
    (&["oncall", "ledger-writer", "--json"], &[""]),
    (&["status", "ledger-writer", "--json"], &[""]),
];

#[test]
fn every_row_about_an_entity_names_it_ref() {
    for (args, paths) in ROWS {
        let value = json_of(args);
        for path in *paths {
            let rows = select(&value, path);
            assert!(!rows.is_empty(), "{args:?} {path}: no rows in {value}");
            for row in rows {
                assert!(row["ref"].is_string(), "{args:?} {path}: no ref in {row}");
            }
        }
    }
}

#[test]
fn no_json_output_names_an_entity_entity() {
    let mut found = Vec::new();
    for args in COMMANDS.iter().chain(ROWS.iter().map(|(args, _)| args)) {
        entity_keys(&json_of(args), &args.join(" "), &mut found);
    }
    assert!(found.is_empty(), "objects with an `entity` key: {found:#?}");
}

/// Runs `git ARGS` in `dir` with a fixed author and date; false when git is not there.
fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_AUTHOR_DATE", "2027-01-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2027-01-01T12:00:00Z")
        .status()
        .is_ok_and(|s| s.success())
}

fn component(name: &str, owner: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  \
         description: {description}\nspec:\n  type: service\n  lifecycle: production\n  \
         owner: {owner}\n"
    )
}

#[test]
fn diff_rows_name_their_entity_ref() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    let write = |name: &str, text: &str| std::fs::write(root.join(name), text).unwrap();
    if !git(root, &["init", "-q"]) {
        println!("skipped: no `git` to build a repository with");
        return;
    }
    let team = |name: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n")
    };
    write("team-a.yaml", &team("team-a"));
    write("team-b.yaml", &team("team-b"));
    write(
        "api.yaml",
        &component(
            "api",
            "team-a",
            "The public API of the shop, with its docs and runbook.",
        ),
    );
    assert!(git(root, &["add", "-A"]) && git(root, &["commit", "-q", "-m", "first"]));
    write("api.yaml", &component("api", "team-b", "Short."));
    // A new entity enters the scorecards' scope (a level row) and names a missing dependency
    // (a problem about it).
    write(
        "new.yaml",
        &format!(
            "{}  dependsOn: [component:default/missing]\n",
            component(
                "new",
                "team-b",
                "A brand new service, replacing the old one."
            )
        ),
    );
    write(
        "broken.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {}\nspec: {}\n",
    );
    assert!(git(root, &["add", "-A"]) && git(root, &["commit", "-q", "-m", "second"]));
    let home = tempfile::tempdir().unwrap();
    let value = json_in(
        root,
        home.path(),
        &["--catalog", ".", "diff", "HEAD~1", "HEAD", "--json"],
    );
    for path in ["changed[]", "ownership[]", "levels[]"] {
        let rows = select(&value, path);
        assert!(!rows.is_empty(), "{path}: no rows in {value}");
        for row in rows {
            assert!(row["ref"].is_string(), "{path}: {row}");
        }
    }
    assert_eq!(value["ownership"][0]["ref"], "component:default/api");
    // A problem names its entity `ref` (null for a file that holds no entity).
    let problems = select(&value, "problems_new[]");
    assert!(
        problems.iter().all(|row| row.get("ref").is_some()),
        "{value}"
    );
    assert!(
        problems
            .iter()
            .any(|row| row["ref"] == "component:default/new"),
        "{value}"
    );
    let mut found = Vec::new();
    entity_keys(&value, "diff", &mut found);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn show_prints_the_entity_as_backstage_returns_it() {
    let value = json_of(&["show", "ledger-writer", "--json"]);
    assert_eq!(value["apiVersion"], "backstage.io/v1alpha1", "{value}");
    assert!(value["relations"][0]["targetRef"].is_string(), "{value}");
}
