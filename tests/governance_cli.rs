//! Governance commands through the built binary: `initiatives`, `diff` on git repositories
//! built here, `stats`, `export`, and golden outputs of every `--format` of `validate`,
//! `score`, `initiatives` and `diff` (in tests/snapshots/).

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod git_repo;

use git_repo::git_at;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/governance");

/// Runs the binary in `dir` (so paths in its output are relative and stable).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_with_home(dir, Path::new(env!("CARGO_TARGET_TMPDIR")), args)
}

/// Runs the binary in `dir` with its config, state and cache directories under `home`.
fn run_with_home(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .current_dir(dir)
        .args(args)
        // Keep a developer's own config file, state and cache out of the tests.
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .output()
        .expect("the binary runs")
}

/// Runs the binary on the fixture catalog and scorecards, as of 2027-03-01.
fn fixture(args: &[&str]) -> Output {
    let mut all = vec![
        "--catalog",
        "catalog.yaml",
        "--scorecard",
        "scorecards.yaml",
    ];
    all.extend_from_slice(args);
    if args.first() == Some(&"initiatives") {
        all.extend_from_slice(&["--today", "2027-03-01"]);
    }
    run_in(Path::new(DATA), &all)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn initiatives_list_status_progress_and_days_left() {
    let o = fixture(&["initiatives", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = json(&o);
    let describe = &all[0];
    assert_eq!(describe["name"], "describe-everything");
    assert_eq!(describe["status"], "in progress");
    assert_eq!(
        (describe["passing"].as_u64(), describe["total"].as_u64()),
        (Some(3), Some(4))
    );
    assert_eq!(describe["days_left"], 305);
    assert_eq!(describe["owner"], "group:default/team-a");
    let tag = &all[1];
    assert_eq!(tag["status"], "delayed");
    assert_eq!(
        (tag["passing"].as_u64(), tag["total"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(tag["target"]["rules"], serde_json::json!(["has-tags"]));
    assert_eq!(tag["milestones"][0]["percent"], 50.0);
}

#[test]
fn fail_if_delayed_exits_2_and_names_the_initiative() {
    let o = fixture(&["initiatives", "--fail-if", "delayed"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("initiative tag-production is delayed"),
        "{}",
        stderr(&o)
    );
    let o = fixture(&["initiatives", "describe-everything", "--fail-if", "delayed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn one_initiative_lists_owners_by_most_failing_and_action_items() {
    let o = fixture(&["initiatives", "tag-production", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let one = &json(&o)[0];
    assert_eq!(one["owners"][0]["owner"], "group:default/team-b");
    assert_eq!(one["owners"][0]["failing"], 2);
    let web = one["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ref"] == "component:default/web-b")
        .unwrap();
    assert_eq!(web["passing"], false);
    assert_eq!(web["action_items"][0]["rule"], "has-tags");
    assert_eq!(web["action_items"][0]["due"], "2027-03-31");
    assert_eq!(web["action_items"][0]["fix"], "Add metadata.tags.");
    let text = stdout(&fixture(&["initiatives", "tag-production"]));
    assert!(
        text.contains("✖ rule has-tags must pass by 2027-03-31: Is tagged"),
        "{text}"
    );
}

#[test]
fn an_unknown_initiative_exits_2() {
    let o = fixture(&["initiatives", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o)
        .contains("no initiative named \"nope\" (there are: describe-everything, tag-production)"));
}

#[test]
fn the_demo_has_an_initiative_in_progress_and_one_delayed() {
    let o = run_in(
        Path::new(DATA),
        &["initiatives", "--json", "--today", "2026-12-07"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = json(&o);
    let statuses: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["in progress", "delayed"]);
}

#[test]
fn the_demo_has_an_initiative_in_progress_and_one_delayed_today() {
    // The real clock: the demo's dates move with it (src/governance/demo.yaml).
    let o = run_in(Path::new(DATA), &["initiatives", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = json(&o);
    let figures: Vec<(&str, i64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["status"].as_str().unwrap(),
                i["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(figures, [("in progress", 571), ("delayed", 205)]);
}

#[test]
fn score_still_loads_scorecard_files_that_hold_initiatives() {
    let o = fixture(&["score", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o).as_array().unwrap().len(), 4);
}

// Golden outputs: every CI format of every command, on the fixture.

fn golden(name: &str, o: &Output) {
    insta::assert_snapshot!(name, stdout(o));
}

#[test]
fn validate_formats_match_their_golden_files() {
    for format in ["text", "json", "github", "junit", "sarif", "markdown"] {
        let o = fixture(&["validate", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        golden(&format!("validate_{format}"), &o);
    }
}

#[test]
fn score_formats_match_their_golden_files() {
    for format in ["text", "json", "github", "junit", "sarif", "markdown"] {
        let o = fixture(&["score", "--format", format, "--min-level", "bronze"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        golden(&format!("score_{format}"), &o);
    }
}

#[test]
fn initiatives_formats_match_their_golden_files() {
    for format in ["text", "json", "github", "junit", "sarif", "markdown"] {
        let o = fixture(&["initiatives", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        golden(&format!("initiatives_{format}"), &o);
    }
    let o = fixture(&["initiatives", "tag-production", "--format", "markdown"]);
    golden("initiatives_one_markdown", &o);
    let o = fixture(&["initiatives", "tag-production"]);
    golden("initiatives_one_text", &o);
}

// `diff` on a git repository built here.

fn git(dir: &Path, args: &[&str]) {
    git_at(dir, "2027-01-01T12:00:00Z", args)
}

const TEAMS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-b}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: core}\nspec: {owner: team-a}\n";

fn component(name: &str, owner: &str, extra_spec: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec: {{type: service, lifecycle: production, system: core, owner: {owner}{extra_spec}}}\n"
    )
}

/// A repository with a catalog in `catalog/` and two commits: the second adds an entity,
/// changes one's description, moves one to another team, adds a dependency, removes one, and
/// adds a broken document. Also a README outside the catalog.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("catalog")).unwrap();
    let write =
        |file: &str, text: &str| std::fs::write(root.join("catalog").join(file), text).unwrap();
    git(root, &["init", "-q", "-b", "main"]);
    write("teams.yaml", TEAMS);
    write(
        "api.yaml",
        &component(
            "api",
            "team-a",
            "",
            "The API serving everything to everyone.",
        ),
    );
    write("worker.yaml", &component("worker", "team-a", "", "Works."));
    write(
        "old.yaml",
        &component("old", "team-b", "", "Going away soon, replaced by new."),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    write(
        "api.yaml",
        &component(
            "api",
            "team-a",
            ", dependsOn: [component:worker]",
            "The API, rewritten.",
        ),
    );
    write("worker.yaml", &component("worker", "team-b", "", "Works."));
    write(
        "new.yaml",
        &component("new", "team-b", "", "Brand new, replacing the old one."),
    );
    std::fs::remove_file(root.join("catalog/old.yaml")).unwrap();
    write(
        "broken.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {}\nspec: {}\n",
    );
    git(root, &["add", "-A"]);
    git_at(
        root,
        "2027-01-05T12:00:00Z",
        &["commit", "-q", "-m", "second"],
    );
    dir
}

#[test]
fn diff_between_commits_lists_every_kind_of_change() {
    let repo = repository();
    let o = run_in(
        repo.path(),
        &["--catalog", "catalog", "diff", "HEAD~1", "HEAD", "--json"],
    );
    // The second commit adds an error (a component without a name): exit 1.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("adds 1 error(s)"), "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(d["added"], serde_json::json!(["component:default/new"]));
    assert_eq!(d["removed"], serde_json::json!(["component:default/old"]));
    let changed: Vec<&Value> = d["changed"].as_array().unwrap().iter().collect();
    let api = changed
        .iter()
        .find(|c| c["ref"] == "component:default/api")
        .unwrap();
    assert_eq!(
        api["fields"],
        serde_json::json!(["metadata.description", "spec.dependsOn"])
    );
    // The move takes worker's ownedBy from team-a; removing old takes its relations.
    let removed: Vec<(&str, &str, &str)> = d["relations_removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap(),
                r["relation"].as_str().unwrap(),
                r["target"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        removed.contains(&(
            "component:default/worker",
            "ownedBy",
            "group:default/team-a"
        )),
        "{removed:?}"
    );
    assert!(
        removed.contains(&("component:default/old", "ownedBy", "group:default/team-b")),
        "{removed:?}"
    );
    assert_eq!(d["relations_added"][0]["relation"], "dependsOn");
    assert_eq!(
        d["relations_added"][0]["target"],
        "component:default/worker"
    );
    assert_eq!(d["ownership"][0]["ref"], "component:default/worker");
    assert_eq!(d["ownership"][0]["from"], "group:default/team-a");
    assert_eq!(d["ownership"][0]["to"], "group:default/team-b");
    assert_eq!(d["problems_new"][0]["severity"], "error");
    assert_eq!(d["problems_new"][0]["file"], "catalog/broken.yaml");
    // api's new description is too short for the built-in scorecard's Bronze.
    let levels = d["levels"].as_array().unwrap();
    assert!(
        levels
            .iter()
            .any(|l| l["ref"] == "component:default/api" && l["to"] == "none"),
        "{levels:?}"
    );
    assert!(levels
        .iter()
        .any(|l| l["ref"] == "component:default/new" && l["from"].is_null()));
}

#[test]
fn diff_formats_match_their_golden_files() {
    let repo = repository();
    for format in ["text", "json", "markdown", "github", "junit", "sarif"] {
        let o = run_in(
            repo.path(),
            &[
                "--catalog",
                "catalog",
                "diff",
                "HEAD~1",
                "HEAD",
                "--format",
                format,
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        golden(&format!("diff_{format}"), &o);
    }
}

#[test]
fn diff_against_the_work_tree_reads_uncommitted_files_and_fixes_count() {
    let repo = repository();
    std::fs::remove_file(repo.path().join("catalog/broken.yaml")).unwrap();
    let o = run_in(
        repo.path(),
        &["--catalog", "catalog", "diff", "HEAD", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let d = json(&o);
    assert_eq!(d["problems_fixed"][0]["severity"], "error");
    assert_eq!(d["problems_new"], serde_json::json!([]));
    assert_eq!(d["added"], serde_json::json!([]));
    // Nothing was checked out: the deleted file is still deleted.
    assert!(!repo.path().join("catalog/broken.yaml").exists());
}

#[test]
fn diff_outside_a_repository_or_of_an_unknown_revision_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["diff", "HEAD"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("git rev-parse"), "{}", stderr(&o));
    let repo = repository();
    let o = run_in(repo.path(), &["--catalog", "catalog", "diff", "nope"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("no commit named \"nope\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn stats_on_the_demo_count_completeness_ownership_and_problems() {
    let o = run_in(Path::new(DATA), &["stats", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = json(&o);
    assert_eq!(s["entities"]["component"], 26);
    assert_eq!(s["completeness"]["components"], 26);
    assert!(s["ownership"]["owned"].as_u64() <= s["ownership"]["ownable"].as_u64());
    assert_eq!(s["problems"]["reference"]["warnings"], 1);
    let text = stdout(&run_in(Path::new(DATA), &["stats"]));
    assert!(text.contains("completeness of components"), "{text}");
}

#[test]
fn export_writes_csv_and_json() {
    let o = fixture(&["export"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = stdout(&o);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "ref,kind,namespace,name,title,type,lifecycle,owner,system,tags,source_template,description,file"
    );
    assert!(csv.contains("component:default/api-a,Component,default,api-a,,service,production,group:default/team-a,,go,,The A API.,catalog.yaml:"), "{csv}");
    let o = fixture(&["export", "scores", "--format", "json"]);
    let rows = json(&o);
    let web = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ref"] == "component:default/web-b")
        .unwrap();
    assert_eq!(
        web["failing"],
        serde_json::json!(["has-description", "has-tags"])
    );
    assert_eq!(web["level"], Value::Null);
    // The other two: scores as CSV, the catalog as JSON.
    let csv = stdout(&fixture(&["export", "scores"]));
    assert_eq!(
        csv.lines().next().unwrap(),
        "ref,owner,scorecard,level,score,failing"
    );
    assert!(
        csv.contains(
            "component:default/web-b,group:default/team-b,basics,,33.3,has-description has-tags"
        ),
        "{csv}"
    );
    let rows = json(&fixture(&["export", "--format", "json"]));
    let api = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ref"] == "component:default/api-a")
        .unwrap();
    assert_eq!(api["owner"], "group:default/team-a");
    assert_eq!(api["tags"], serde_json::json!(["go"]));
}

#[test]
fn score_record_appends_runs_that_history_reads_back() {
    let home = tempfile::tempdir().unwrap();
    let dir = Path::new(DATA);
    for _ in 0..2 {
        let o = run_with_home(dir, home.path(), &["score", "--record"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stderr(&o).contains("recorded 3 line(s)"), "{}", stderr(&o));
    }
    let file = std::fs::read_to_string(home.path().join("state/idp-tui/history.jsonl")).unwrap();
    assert_eq!(file.lines().count(), 6);
    let o = run_with_home(dir, home.path(), &["history", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let h = json(&o);
    let names: Vec<&str> = h["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "production-readiness",
            "oncall-and-runbooks",
            "production-basics"
        ]
    );
    // Two runs on one day are one point.
    assert_eq!(h["series"][0]["points"].as_array().unwrap().len(), 1);
    assert_eq!(h["series"][0]["points"][0]["total"], 22);
    let text = stdout(&run_with_home(dir, home.path(), &["history"]));
    assert!(text.contains("production-basics"), "{text}");
}

#[test]
fn history_of_a_catalog_in_git_evaluates_each_commit_once() {
    let repo = repository();
    let home = tempfile::tempdir().unwrap();
    let args = [
        "--catalog",
        "catalog",
        "history",
        "--json",
        "--since",
        "2026-12-01",
    ];
    let o = run_with_home(repo.path(), home.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let h = json(&o);
    assert_eq!(h["from"], "the catalog's git history");
    let points = h["series"][0]["points"].as_array().unwrap();
    let dates: Vec<&str> = points.iter().map(|p| p["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2027-01-01", "2027-01-05"]);
    // api and old reach Bronze first; then only new does.
    assert_eq!(
        (points[0]["passing"].as_u64(), points[0]["total"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        (points[1]["passing"].as_u64(), points[1]["total"].as_u64()),
        (Some(1), Some(3))
    );
    let cached = std::fs::read_dir(home.path().join("cache/idp-tui/history"))
        .unwrap()
        .count();
    assert_eq!(cached, 2);
    // The second run reads the cache and says the same.
    let again = run_with_home(repo.path(), home.path(), &args);
    assert_eq!(json(&again), h);
    let o = run_with_home(
        repo.path(),
        home.path(),
        &[
            "--catalog",
            "catalog",
            "history",
            "--since",
            "2027-01-03",
            "--json",
        ],
    );
    assert_eq!(json(&o)["series"][0]["points"].as_array().unwrap().len(), 1);
}
