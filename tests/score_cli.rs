//! `idp-tui score` through the built binary: output, JSON, roll-ups and exit codes, on the
//! embedded demo and on the fixtures in tests/data/scorecards/.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use serde_json::Value;
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/scorecards");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        // Keep a developer's own config file out of the tests.
        .env("XDG_CONFIG_HOME", env!("CARGO_TARGET_TMPDIR"))
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("the binary runs")
}

fn fixture(extra: &[&str]) -> Output {
    let catalog = format!("{DATA}/catalog.yaml");
    let card = format!("{DATA}/basic.yaml");
    let mut args = vec!["--catalog", &catalog, "--scorecard", &card];
    args.extend_from_slice(extra);
    run(&args)
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

/// The JSON result of one entity, by name.
fn result<'a>(all: &'a Value, name: &str) -> &'a Value {
    let wanted = format!("component:default/{name}");
    all.as_array()
        .unwrap()
        .iter()
        .find(|r| r["ref"] == wanted.as_str())
        .unwrap_or_else(|| panic!("no result for {name}"))
}

fn rule<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()
}

#[test]
fn demo_scores_with_the_built_in_scorecard() {
    let o = run(&["score", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = json(&o);
    assert_eq!(all.as_array().unwrap().len(), 22);
    let writer = result(&all, "ledger-writer");
    assert_eq!(writer["scorecard"], "production-readiness");
    assert_eq!(writer["level"], "Gold");
    assert_eq!(writer["score"], 100.0);
    let bot = result(&all, "deploy-bot");
    assert_eq!(bot["level"], Value::Null);
    let owner = rule(bot, "has-owner");
    assert_eq!(owner["passed"], false);
    assert_eq!(
        owner["message"],
        "ownedBy user:default/grace.kim is a user, expected group"
    );
    assert!(owner["fix"].as_str().unwrap().contains("spec.owner"));
    assert_eq!(bot["next"]["level"], "Bronze");
    assert_eq!(bot["next"]["failing"], serde_json::json!(["has-owner"]));
}

#[test]
fn text_output_is_a_table_with_the_level_distribution() {
    let o = run(&["score"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.starts_with("Production Readiness (production-readiness): 22 entities — Gold 1 · Silver 15 · Bronze 1 · none 5"),
        "{out}"
    );
    assert!(out.contains("ENTITY"), "{out}");
    let writer = out.lines().find(|l| l.contains("ledger-writer")).unwrap();
    assert!(
        writer.contains("Gold") && writer.contains("100.0"),
        "{writer}"
    );
}

#[test]
fn levels_scores_and_waivers_on_the_fixture() {
    let o = fixture(&["score", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = json(&o);
    let level = |n: &str| result(&all, n)["level"].clone();
    let score = |n: &str| result(&all, n)["score"].as_f64().unwrap();
    assert_eq!(
        all.as_array().unwrap().len(),
        6,
        "the library is filtered out"
    );
    assert_eq!(level("gold-svc"), "Gold");
    assert_eq!(level("bronze-svc"), "Bronze");
    assert_eq!(score("bronze-svc"), 80.0);
    // Passing Silver and Gold rules do not lift an entity failing Bronze.
    assert_eq!(level("orphan-svc"), Value::Null);
    assert_eq!(score("orphan-svc"), 60.0);

    let waived = rule(result(&all, "waived-svc"), "has-oncall");
    assert_eq!(waived["passed"], true);
    assert_eq!(
        waived["waived"]["reason"],
        "PagerDuty service requested in OPS-42"
    );
    assert_eq!(waived["waived"]["until"], "2099-12-31");
    assert_eq!(level("waived-svc"), "Gold");

    let expired = rule(result(&all, "expired-svc"), "has-oncall");
    assert_eq!(expired["passed"], false);
    assert!(expired.get("waived").is_none());
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .ends_with("(the waiver \"migration\" expired on 2001-01-31)"),
        "{expired}"
    );
    assert_eq!(level("expired-svc"), "Bronze");

    let malformed = rule(result(&all, "malformed-waiver-svc"), "has-oncall");
    assert_eq!(malformed["passed"], false);
    assert!(malformed["message"]
        .as_str()
        .unwrap()
        .contains("idp-tui.dev/exempt.basic.has-oncall is malformed"));
}

#[test]
fn one_entity_is_shown_rule_by_rule_with_what_reaches_the_next_level() {
    let o = fixture(&["score", "bronze-svc"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("level Bronze, score 80.0"), "{out}");
    assert!(out.contains("✖ Silver   has-oncall"), "{out}");
    assert!(
        out.contains("fix: Add the pagerduty.com/service-id annotation."),
        "{out}"
    );
    assert!(out.contains("to reach Silver: has-oncall"), "{out}");
    let lib = fixture(&["score", "some-lib"]);
    assert_eq!(lib.status.code(), Some(0));
    assert!(
        stdout(&lib).contains("no scorecard applies"),
        "{}",
        stdout(&lib)
    );
}

#[test]
fn an_unknown_reference_exits_2() {
    let o = fixture(&["score", "no-such-thing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no entity matches"), "{}", stderr(&o));
}

#[test]
fn by_owner_rolls_up_average_and_levels() {
    let o = fixture(&["score", "--by-owner", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = json(&o);
    let owners: Vec<(String, u64, f64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["owner"].as_str().unwrap().to_string(),
                r["entities"].as_u64().unwrap(),
                r["average"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("group:default/team-a".to_string(), 4, 90.0),
            ("group:default/team-b".to_string(), 1, 80.0),
            ("group:default/ghost-team".to_string(), 1, 60.0),
        ]
    );
    assert_eq!(
        all[0]["levels"],
        serde_json::json!({"none": 0, "Bronze": 2, "Silver": 0, "Gold": 2})
    );
    let text = fixture(&["score", "--by-owner"]);
    let out = stdout(&text);
    let line = out.lines().find(|l| l.contains("team-a")).unwrap();
    assert!(
        line.contains("90.0") && line.contains("Gold 2 · Silver 0 · Bronze 2 · none 0"),
        "{line}"
    );
}

#[test]
fn min_level_gate_exits_2_and_lists_the_entities_below() {
    let o = fixture(&["score", "--min-level", "silver"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for below in [
        "bronze-svc",
        "orphan-svc",
        "expired-svc",
        "malformed-waiver-svc",
    ] {
        assert!(
            err.contains(&format!("component:default/{below}")),
            "{below}: {err}"
        );
    }
    assert!(
        !err.contains("gold-svc") && !err.contains("waived-svc"),
        "{err}"
    );
    assert!(err.contains("orphan-svc  basic: - (needs Silver)"), "{err}");
    // Scoring one entity that reaches the level passes the gate.
    let one = fixture(&["score", "gold-svc", "--min-level", "Gold"]);
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    let unknown = fixture(&["score", "--min-level", "Platinum"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no scorecard has a level named \"Platinum\""));
}

#[test]
fn scorecard_flag_works_before_and_after_the_subcommand() {
    let card = format!("{DATA}/basic.yaml");
    let catalog = format!("{DATA}/catalog.yaml");
    let before = run(&[
        "--scorecard",
        &card,
        "score",
        "--catalog",
        &catalog,
        "--json",
    ]);
    let after = run(&[
        "score",
        "--catalog",
        &catalog,
        "--json",
        "--scorecard",
        &card,
    ]);
    assert_eq!(before.status.code(), Some(0), "{}", stderr(&before));
    assert_eq!(stdout(&before), stdout(&after));
    assert_eq!(json(&before)[0]["scorecard"], "basic");
}

#[test]
fn a_broken_scorecard_is_reported_and_fails_the_run_while_others_still_score() {
    let broken = format!("{DATA}/broken");
    let o = fixture(&[
        "score",
        "--json",
        "--scorecard",
        &broken,
        "--min-level",
        "bronze",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a gate must not pass when rules fail to load"
    );
    let err = stderr(&o);
    assert!(
        err.contains(
            "bad-regex.yaml:10: spec.rules[0] (named): check.matches: bad regular expression"
        ),
        "{err}"
    );
    assert!(
        err.contains("unknown-level.yaml:9: spec.rules[0] (named): level: unknown level \"Platinum\"; the levels are Bronze, Silver"),
        "{err}"
    );
    // The good scorecard still ran.
    assert_eq!(json(&o).as_array().unwrap().len(), 6);
}

#[test]
fn the_config_file_names_scorecards() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!("scorecards:\n  - {DATA}/basic.yaml\nsources:\n  - type: file\n    path: {DATA}/catalog.yaml\n"),
    )
    .unwrap();
    let o = run(&["--config", config.to_str().unwrap(), "score", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(json(&o)[0]["scorecard"], "basic");
}

#[test]
fn an_empty_catalog_scores_nothing_and_passes_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let o = run(&["score", "--catalog", path, "--min-level", "Gold"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 entities")
            && stdout(&o).contains("no entity in the catalog matches this scorecard's filter"),
        "{}",
        stdout(&o)
    );
    let j = run(&["score", "--catalog", path, "--json"]);
    assert_eq!(json(&j), serde_json::json!([]));
}
