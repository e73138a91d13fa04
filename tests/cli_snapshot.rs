//! The command line shares the portal's start: it reads the last load's snapshot when it still
//! matches the sources' caches, and leaves one after a load that changed something. Run as a
//! user would: the built binary over a catalog directory, with its own cache directory.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn idp(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .output()
        .expect("binary runs")
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// Writes a file last modified `age` seconds ago: settled, so the caches trust its stamp (a
/// file modified a moment ago is read again every time), and a rewrite gets another stamp.
fn write(path: &Path, text: &str, age: u64) {
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age))
        .unwrap();
}

/// The snapshot files under the cache directory.
fn snapshots(home: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![home.join("cache")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "snapshot") {
                found.push(path);
            }
        }
    }
    found
}

fn names(o: &Output) -> Vec<String> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut names: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_query_leaves_a_snapshot_answers_the_same_from_it_and_sees_a_changed_file() {
    let home = tempfile::tempdir().unwrap();
    let catalog = tempfile::tempdir().unwrap();
    write(&catalog.path().join("a.yaml"), &component("pay-alpha"), 60);
    write(&catalog.path().join("b.yaml"), &component("pay-beta"), 60);
    let dir = catalog.path().to_str().unwrap();
    let query = ["--catalog", dir, "search", "pay", "--json"];

    let first = idp(home.path(), &query);
    assert_eq!(names(&first), ["pay-alpha", "pay-beta"]);
    let written = snapshots(home.path());
    assert_eq!(written.len(), 1, "the load leaves a snapshot: {written:?}");
    let stamp = std::fs::metadata(&written[0]).unwrap().modified().unwrap();

    let second = idp(home.path(), &query);
    assert_eq!(names(&second), ["pay-alpha", "pay-beta"]);
    assert_eq!(
        std::fs::metadata(&written[0]).unwrap().modified().unwrap(),
        stamp,
        "a snapshot the sources confirmed is not written again"
    );

    write(&catalog.path().join("b.yaml"), &component("pay-gamma"), 30);
    let third = idp(home.path(), &query);
    assert_eq!(
        names(&third),
        ["pay-alpha", "pay-gamma"],
        "a changed file is read again, never the snapshot's copy"
    );
}

#[test]
fn validate_lists_the_same_problems_from_the_snapshot_as_from_the_files() {
    let home = tempfile::tempdir().unwrap();
    let args = ["validate", "tests/data/hostile", "--json"];
    let first = idp(home.path(), &args);
    assert_eq!(
        snapshots(home.path()).len(),
        1,
        "the load leaves a snapshot"
    );
    let second = idp(home.path(), &args);
    let problems: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert!(
        problems.as_array().is_some_and(|p| p.len() > 3),
        "the hostile files have problems to list: {problems}"
    );
    assert_eq!(
        String::from_utf8_lossy(&second.stdout),
        String::from_utf8_lossy(&first.stdout)
    );
    assert_eq!(second.status.code(), first.status.code());
}
