//! Initiatives end to end over small catalogs: parsing and its errors, binding to a scorecard,
//! scope, per-owner roll-ups, action items, and the demo's two initiatives.

use super::*;
use crate::catalog::{Catalog, Entity, EntityRef, Origin};
use crate::scorecard::{self, Date, Scorecard};
use serde_json::{json, Value};

const CARD: &str = "apiVersion: idp-tui/v1
kind: Scorecard
metadata: {name: basics}
spec:
  filter: {kind: component}
  levels: [Bronze, Silver]
  rules:
    - {id: has-description, level: Bronze, check: {path: metadata.description, exists: true}, fix: Write a description.}
    - {id: has-tags, level: Silver, check: {path: metadata.tags, min_length: 1}, fix: Add tags.}
    - {id: in-production, level: Silver, check: {path: spec.lifecycle, equals: production}}
";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn component(name: &str, owner: &str, metadata: Value, lifecycle: &str) -> Entity {
    let mut m = json!({"name": name});
    if let (Value::Object(m), Value::Object(extra)) = (&mut m, metadata) {
        m.extend(extra);
    }
    Entity::from_value(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": m,
               "spec": {"type": "service", "lifecycle": lifecycle, "owner": owner}}),
        Origin::new("cat.yaml", Some(1)),
    )
    .unwrap()
    .0
}

/// a: Silver (team-a); b: Bronze, untagged and experimental (team-a); c and d: nothing (team-b).
fn catalog() -> Catalog {
    let full = json!({"description": "x", "tags": ["go"]});
    Catalog::from_entities(
        vec![
            component("a", "team-a", full.clone(), "production"),
            component("b", "team-a", json!({"description": "x"}), "experimental"),
            component("c", "team-b", json!({}), "production"),
            component("d", "team-b", json!({}), "production"),
        ],
        vec![],
    )
}

fn cards() -> Vec<Scorecard> {
    let (cards, errors) = scorecard::parse_file("card.yaml", CARD);
    assert!(errors.is_empty(), "{errors:?}");
    cards
}

fn initiative(spec: &str) -> Initiative {
    let text = format!(
        "apiVersion: idp-tui/v1\nkind: Initiative\nmetadata: {{name: i, title: The initiative}}\nspec:\n  scorecard: basics\n  start: 2027-01-01\n  deadline: 2027-12-31\n{spec}"
    );
    let (mut found, errors) = parse_file("i.yaml", &text);
    assert!(errors.is_empty(), "{errors:?}");
    found.remove(0)
}

fn error(spec: &str) -> String {
    let text = format!(
        "apiVersion: idp-tui/v1\nkind: Initiative\nmetadata: {{name: i}}\nspec:\n  scorecard: basics\n{spec}"
    );
    let (found, errors) = parse_file("i.yaml", &text);
    assert!(found.is_empty());
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors[0].to_string()
}

#[test]
fn a_level_target_counts_entities_at_or_above_it() {
    let cards = cards();
    let catalog = catalog();
    let i = initiative("  target: {level: bronze}\n");
    let p = Progress::evaluate(&i, &cards, &catalog, d("2027-02-01")).unwrap();
    assert_eq!((p.passing, p.total()), (2, 4));
    assert_eq!(p.percent(), 50.0);
    assert_eq!(p.status, Status::InProgress);
    assert_eq!(p.days_left, 333);
    let s = initiative("  target: {level: Silver}\n");
    let p = Progress::evaluate(&s, &cards, &catalog, d("2027-02-01")).unwrap();
    assert_eq!(p.passing, 1);
}

#[test]
fn a_rules_target_and_a_filter_narrow_what_counts() {
    let cards = cards();
    let catalog = catalog();
    let i = initiative("  target: {rules: [has-tags]}\n  filter: {spec.lifecycle: production}\n");
    let p = Progress::evaluate(&i, &cards, &catalog, d("2027-12-01")).unwrap();
    // b is experimental: out of scope. a has tags; c and d do not.
    assert_eq!((p.passing, p.total()), (1, 3));
    assert_eq!(p.status, Status::Delayed);
    let items = p.action_items();
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .all(|a| a.rule.id == "has-tags" && a.due == d("2027-12-31")));
    assert_eq!(items[0].rule.fix.as_deref(), Some("Add tags."));
}

#[test]
fn owners_are_sorted_by_most_failing_and_items_name_each_missing_rule() {
    let cards = cards();
    let catalog = catalog();
    let i = initiative("  target: {level: Silver}\n");
    let p = Progress::evaluate(&i, &cards, &catalog, d("2027-03-01")).unwrap();
    let owners = p.by_owner();
    let team = |n: &str| Some(EntityRef::new("group", "default", n));
    assert_eq!(owners[0].owner, team("team-b"));
    assert_eq!((owners[0].failing(), owners[0].passing), (2, 0));
    assert_eq!(owners[1].owner, team("team-a"));
    assert_eq!((owners[1].failing(), owners[1].passing), (1, 1));
    let c = catalog
        .id_of(&EntityRef::new("component", "default", "c"))
        .unwrap();
    let ids: Vec<&str> = p
        .action_items_for(c)
        .iter()
        .map(|a| a.rule.id.as_str())
        .collect();
    assert_eq!(ids, ["has-description", "has-tags"]);
    let b = catalog
        .id_of(&EntityRef::new("component", "default", "b"))
        .unwrap();
    let b_items = p.action_items_for(b);
    let ids: Vec<&str> = b_items.iter().map(|a| a.rule.id.as_str()).collect();
    assert_eq!(ids, ["has-tags", "in-production"]);
    assert!(b_items[1]
        .message
        .as_deref()
        .unwrap()
        .contains("experimental"));
}

#[test]
fn an_unknown_scorecard_level_or_rule_is_reported_at_the_initiative() {
    let cards = cards();
    let catalog = catalog();
    let today = d("2027-01-01");
    let i = initiative("  target: {level: Platinum}\n");
    let e = Progress::evaluate(&i, &cards, &catalog, today).unwrap_err();
    assert_eq!(e.field, "spec.target.level");
    assert!(e.message.contains("Bronze, Silver"), "{e}");
    let i = initiative("  target: {rules: [has-tags, nope]}\n");
    let e = Progress::evaluate(&i, &cards, &catalog, today).unwrap_err();
    assert!(e.message.contains("no rule \"nope\""), "{e}");
    let mut i = initiative("  target: {level: Bronze}\n");
    i.scorecard = "other".into();
    let e = Progress::evaluate(&i, &cards, &catalog, today).unwrap_err();
    assert_eq!(
        e.to_string(),
        "i.yaml:1: spec.scorecard: no scorecard named \"other\" is loaded (loaded: basics)"
    );
}

#[test]
fn file_mistakes_name_the_field_and_line() {
    let e = error("  target: {level: Bronze}\n  start: 2027-01-01\n  deadline: 2026-12-31\n");
    assert_eq!(
        e,
        "i.yaml:8: spec.deadline: the deadline 2026-12-31 is before the start 2027-01-01"
    );
    let e = error("  target: {}\n  start: 2027-01-01\n  deadline: 2027-12-31\n");
    assert!(e.starts_with("i.yaml:6: spec.target: write either"), "{e}");
    let e = error("  target: {level: A}\n  start: 2027-02-30\n  deadline: 2027-12-31\n");
    assert_eq!(
        e,
        "i.yaml:7: spec.start: \"2027-02-30\" is not a date: write YYYY-MM-DD"
    );
    let e = error("  target: {level: A}\n  start: 2027-01-01\n  deadline: 2027-12-31\n  milestones: [{date: 2028-01-01, percent: 50}]\n");
    assert!(
        e.contains("spec.milestones[0]: 2028-01-01 is outside"),
        "{e}"
    );
    let e =
        error("  target: {level: A}\n  start: 2027-01-01\n  deadline: 2027-12-31\n  colour: red\n");
    assert!(e.contains("unknown field `colour`"), "{e}");
}

#[test]
fn scorecard_files_may_hold_initiatives_beside_scorecards() {
    let text = format!(
        "{CARD}---\napiVersion: idp-tui/v1\nkind: Initiative\nmetadata: {{name: i}}\nspec: {{scorecard: basics, target: {{level: Bronze}}, start: 2027-01-01, deadline: 2027-02-01}}\n"
    );
    let (cards, errors) = scorecard::parse_file("both.yaml", &text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(cards.len(), 1);
    let (found, errors) = parse_file("both.yaml", &text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].origin.line, Some(12));
}

#[test]
fn the_demo_has_one_initiative_in_progress_and_one_delayed_whatever_the_date() {
    let catalog = crate::fixtures::demo();
    let cards = scorecard::default_scorecards();
    // As written in demo.yaml, on the day it is written for.
    let written = demo_initiatives(d(super::initiative::DEMO_WRITTEN_FOR));
    let deadlines: Vec<String> = written
        .iter()
        .map(|i| i.schedule.deadline.to_string())
        .collect();
    assert_eq!(deadlines, ["2028-06-30", "2027-06-30"]);
    assert_eq!(written[1].schedule.milestones[0].date, d("2026-09-30"));
    // Any day, the real clock's included: the dates move with it, the statuses stay.
    for today in [
        Date::today(),
        d("2026-12-07"),
        d("2027-06-30"),
        d("2028-07-01"),
        d("2031-02-28"),
        d("2099-12-31"),
        d("2020-02-29"),
    ] {
        let initiatives = demo_initiatives(today);
        let figures: Vec<(Status, i64)> = initiatives
            .iter()
            .map(|i| {
                let p = Progress::evaluate(i, &cards, &catalog, today).unwrap();
                (p.status, p.days_left)
            })
            .collect();
        assert_eq!(
            figures,
            [(Status::InProgress, 571), (Status::Delayed, 205)],
            "on {today}"
        );
    }
}

#[test]
fn one_entitys_action_items_match_the_whole_initiatives_and_skip_drafts() {
    let cards = cards();
    let catalog = catalog();
    let today = d("2027-03-01");
    let silver = initiative("  target: {level: Silver}\n");
    let mut draft = initiative("  target: {rules: [has-description]}\n");
    draft.schedule.draft = true;
    let all = [silver.clone(), draft];
    let c = catalog
        .id_of(&EntityRef::new("component", "default", "c"))
        .unwrap();
    let items = entity_action_items(&all, &cards, &catalog, c, today);
    let whole = Progress::evaluate(&silver, &cards, &catalog, today)
        .unwrap()
        .action_items_for(c);
    let ids: Vec<&str> = items.iter().map(|(_, a)| a.rule.id.as_str()).collect();
    let expected: Vec<&str> = whole.iter().map(|a| a.rule.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(ids, ["has-description", "has-tags"]);
    assert!(items
        .iter()
        .all(|(i, a)| i.name == "i" && a.due == d("2027-12-31")));
}

#[test]
fn progress_read_from_a_scoreboard_matches_a_fresh_evaluation() {
    let catalog = crate::fixtures::demo();
    let today = d("2026-12-07");
    let loaded = scorecard::Loaded {
        scorecards: scorecard::default_scorecards(),
        errors: Vec::new(),
    };
    let mut board = scorecard::Scoreboard::build(loaded, &catalog, today);
    let cards = board.cards.clone();
    let initiatives = demo_initiatives(today);
    for i in &initiatives {
        let fresh = Progress::evaluate(i, &cards, &catalog, today).unwrap();
        let read = Progress::from_board(i, &board, &catalog, today)
            .expect("the board has results")
            .unwrap();
        assert_eq!(read.entities, fresh.entities, "{}", i.name);
        assert_eq!((read.passing, read.status), (fresh.passing, fresh.status));
        assert_eq!(read.by_owner(), fresh.by_owner());
        assert_eq!(
            tally_from_board(i, &board, &catalog).unwrap().unwrap(),
            (fresh.passing, fresh.total())
        );
        let messages = |p: &Progress<'_>| -> Vec<Option<String>> {
            p.action_items().into_iter().map(|a| a.message).collect()
        };
        assert_eq!(messages(&read), messages(&fresh));
        // Entity by entity, the board's items are the fresh ones.
        for e in &fresh.entities {
            let from_board: Vec<&str> =
                board_action_items(std::slice::from_ref(i), &board, &catalog, e.entity)
                    .iter()
                    .map(|(_, a)| a.rule.id.as_str())
                    .collect();
            let expected: Vec<&str> = fresh
                .action_items_for(e.entity)
                .iter()
                .map(|a| a.rule.id.as_str())
                .collect();
            assert_eq!(from_board, expected);
        }
    }
    // While the board is scoring there is nothing to read yet.
    board.set_pending();
    assert!(Progress::from_board(&initiatives[0], &board, &catalog, today).is_none());
    assert!(board_action_items(
        &initiatives,
        &board,
        &catalog,
        catalog.ids().next().unwrap()
    )
    .is_empty());
}

#[test]
fn the_demo_initiatives_are_used_only_with_the_demo_and_no_scorecards() {
    let today = d("2026-12-07");
    assert_eq!(load_for(&[], true, today).initiatives.len(), 2);
    assert!(load_for(&[], false, today).initiatives.is_empty());
    let dir = tempfile::tempdir().unwrap();
    assert!(
        load_for(&[dir.path().to_string_lossy().into_owned()], true, today)
            .initiatives
            .is_empty()
    );
}
