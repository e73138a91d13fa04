//! Behaviour of scorecards end to end: parsing, every check operator, levels, weights, filters
//! and waivers, over small catalogs.

use super::*;
use crate::catalog::{Catalog, Entity, EntityId, EntityRef, Origin};
use serde_json::{json, Value};

fn entity(v: Value) -> Entity {
    Entity::from_value(v, Origin::new("cat.yaml", Some(1)))
        .unwrap()
        .0
}

fn component(name: &str, metadata: Value, spec: Value) -> Entity {
    let mut m = json!({"name": name});
    if let (Value::Object(m), Value::Object(extra)) = (&mut m, metadata) {
        m.extend(extra);
    }
    let mut s = json!({"type": "service", "lifecycle": "production", "owner": "team-a"});
    if let (Value::Object(s), Value::Object(extra)) = (&mut s, spec) {
        s.extend(extra);
    }
    entity(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": m, "spec": s}),
    )
}

fn team(name: &str) -> Entity {
    entity(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": name}, "spec": {"type": "team", "children": []}}),
    )
}

fn catalog(entities: Vec<Entity>) -> Catalog {
    Catalog::from_entities(entities, vec![])
}

fn card(text: &str) -> Scorecard {
    let (mut cards, errors) = parse_file("card.yaml", text);
    assert!(errors.is_empty(), "{errors:?}");
    cards.remove(0)
}

/// A one-level scorecard with one rule whose check is `check` (flow YAML).
fn one_rule(check: &str) -> Scorecard {
    card(&format!(
        "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata: {{name: t}}\nspec:\n  levels: [Bronze]\n  rules:\n    - id: r\n      level: Bronze\n      check: {check}\n"
    ))
}

fn today() -> Date {
    Date::parse("2026-06-15").unwrap()
}

fn id(c: &Catalog, name: &str) -> EntityId {
    c.id_of(&EntityRef::new("component", "default", name))
        .unwrap()
}

/// The outcome of a one-rule scorecard's rule for the component `name`.
fn outcome(check: &str, c: &Catalog, name: &str) -> Verdict {
    evaluate(&one_rule(check), c, id(c, name), today())
        .outcomes
        .remove(0)
}

fn sample() -> Catalog {
    catalog(vec![
        team("team-a"),
        component(
            "full",
            json!({"description": "A service that does a lot of things",
                "annotations": {"pagerduty.com/service-id": "P1", "empty": " "},
                "tags": ["go", "kafka"],
                "links": [{"url": "https://r/runbook", "title": "Runbook"}]}),
            json!({"dependsOn": ["component:bare"], "port": 8080, "critical": true}),
        ),
        component(
            "bare",
            json!({}),
            json!({"owner": "ghost-team", "lifecycle": "experimental"}),
        ),
    ])
}

fn failed(o: &Verdict) -> &str {
    match o {
        Verdict::Failed(m) => m,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn exists_passes_on_values_and_fails_on_missing_or_blank() {
    let c = sample();
    let check = "{ path: 'metadata.annotations[\"pagerduty.com/service-id\"]', exists: true }";
    assert_eq!(outcome(check, &c, "full"), Verdict::Passed);
    let why = outcome(check, &c, "bare");
    assert_eq!(
        failed(&why),
        "metadata.annotations[\"pagerduty.com/service-id\"] is missing"
    );
    let blank = outcome(
        "{ path: metadata.annotations.empty, exists: true }",
        &c,
        "full",
    );
    assert!(failed(&blank).contains("is empty"), "{blank:?}");
    assert_eq!(
        outcome("{ path: metadata.title, exists: false }", &c, "full"),
        Verdict::Passed
    );
    let set = outcome("{ path: metadata.description, exists: false }", &c, "full");
    assert!(failed(&set).contains("is set"), "{set:?}");
}

#[test]
fn equals_compares_strings_exactly_and_numbers_as_written() {
    let c = sample();
    assert_eq!(
        outcome("{ path: spec.lifecycle, equals: production }", &c, "full"),
        Verdict::Passed
    );
    let why = outcome("{ path: spec.lifecycle, equals: production }", &c, "bare");
    assert_eq!(
        failed(&why),
        "spec.lifecycle is \"experimental\", expected \"production\""
    );
    assert!(
        !outcome("{ path: spec.lifecycle, equals: Production }", &c, "full").counts_as_passed()
    );
    assert_eq!(
        outcome("{ path: spec.port, equals: 8080 }", &c, "full"),
        Verdict::Passed
    );
    assert_eq!(
        outcome("{ path: spec.critical, equals: true }", &c, "full"),
        Verdict::Passed
    );
    // An annotation holds a string; a number in the scorecard matches its text.
    let c2 = catalog(vec![component(
        "n",
        json!({"annotations": {"tier": "1"}}),
        json!({}),
    )]);
    assert_eq!(
        outcome("{ path: metadata.annotations.tier, equals: 1 }", &c2, "n"),
        Verdict::Passed
    );
}

#[test]
fn in_accepts_any_listed_value_and_lists_them_when_failing() {
    let c = sample();
    let check = "{ path: spec.lifecycle, in: [production, deprecated] }";
    assert_eq!(outcome(check, &c, "full"), Verdict::Passed);
    assert_eq!(
        failed(&outcome(check, &c, "bare")),
        "spec.lifecycle is \"experimental\", expected one of production, deprecated"
    );
    let missing = outcome("{ path: spec.tier, in: [a] }", &c, "full");
    assert_eq!(failed(&missing), "spec.tier is missing, expected one of a");
}

#[test]
fn matches_uses_the_regex_on_any_reached_value() {
    let c = sample();
    let check = "{ path: 'metadata.links[*].title', matches: '(?i)^runbook$' }";
    assert_eq!(outcome(check, &c, "full"), Verdict::Passed);
    assert!(failed(&outcome(check, &c, "bare")).contains("metadata.links[*].title is missing"));
    let why = outcome("{ path: metadata.name, matches: '^svc-' }", &c, "full");
    assert_eq!(
        failed(&why),
        "metadata.name is \"full\", expected a match for /^svc-/"
    );
    let list = outcome(
        "{ path: 'metadata.tags[*]', matches: '^java$' }",
        &c,
        "full",
    );
    assert!(
        failed(&list).contains("has 2 values (\"go\", \"kafka\")"),
        "{list:?}"
    );
}

#[test]
fn lengths_count_characters_of_strings_and_entries_of_lists() {
    let c = sample();
    assert_eq!(
        outcome("{ path: metadata.description, min_length: 20 }", &c, "full"),
        Verdict::Passed
    );
    assert_eq!(
        outcome(
            "{ path: metadata.tags, min_length: 2, max_length: 2 }",
            &c,
            "full"
        ),
        Verdict::Passed
    );
    let short = outcome("{ path: metadata.tags, min_length: 3 }", &c, "full");
    assert_eq!(
        failed(&short),
        "metadata.tags has length 2 (found a list of 2 items), expected a length of at least 3"
    );
    let long = outcome("{ path: metadata.description, max_length: 5 }", &c, "full");
    assert!(
        failed(&long).contains("expected a length of at most 5"),
        "{long:?}"
    );
    let none = outcome("{ path: metadata.tags, min_length: 1 }", &c, "bare");
    assert!(failed(&none).contains("a list of 0 items"), "{none:?}");
    let number = outcome("{ path: spec.port, min_length: 1 }", &c, "full");
    assert!(failed(&number).contains("has no length"), "{number:?}");
}

#[test]
fn relation_resolves_and_min_count_use_the_catalog_edges() {
    let c = sample();
    let owner = "{ relation: ownedBy, resolves: true }";
    assert_eq!(outcome(owner, &c, "full"), Verdict::Passed);
    assert_eq!(
        failed(&outcome(owner, &c, "bare")),
        "ownedBy group:default/ghost-team does not resolve (no such entity in the catalog)"
    );
    assert_eq!(
        outcome(
            "{ relation: ownedBy, resolves: true, kind: group }",
            &c,
            "full"
        ),
        Verdict::Passed
    );
    let wrong_kind = outcome(
        "{ relation: ownedBy, resolves: true, kind: user }",
        &c,
        "full",
    );
    assert!(
        failed(&wrong_kind).contains("is a group, expected user"),
        "{wrong_kind:?}"
    );
    assert_eq!(
        outcome("{ relation: dependsOn, min_count: 1 }", &c, "full"),
        Verdict::Passed
    );
    let none = outcome("{ relation: dependsOn, min_count: 1 }", &c, "bare");
    assert_eq!(
        failed(&none),
        "0 resolved dependsOn relation(s), expected at least 1"
    );
    // The inverse direction is there too: bare is a dependency of full.
    assert_eq!(
        outcome("{ relation: dependencyOf, min_count: 1 }", &c, "bare"),
        Verdict::Passed
    );
    let no_edge = outcome("{ relation: providesApi, resolves: true }", &c, "full");
    assert_eq!(failed(&no_edge), "no providesApi relation");
}

#[test]
fn all_any_and_not_combine_checks() {
    let c = sample();
    let all = "{ all: [ { path: spec.lifecycle, equals: production }, { path: metadata.tags, min_length: 1 } ] }";
    assert_eq!(outcome(all, &c, "full"), Verdict::Passed);
    let why = outcome(all, &c, "bare");
    assert!(
        failed(&why).contains("spec.lifecycle is \"experimental\"")
            && failed(&why).contains("metadata.tags has length 0"),
        "{why:?}"
    );
    let any = "{ any: [ { path: spec.lifecycle, equals: production }, { path: spec.lifecycle, equals: experimental } ] }";
    assert_eq!(outcome(any, &c, "bare"), Verdict::Passed);
    let any_fail = outcome(
        "{ any: [ { path: spec.x, exists: true }, { path: spec.y, exists: true } ] }",
        &c,
        "bare",
    );
    assert_eq!(
        failed(&any_fail),
        "none of these holds: spec.x is missing; spec.y is missing"
    );
    let not = "{ not: { path: spec.lifecycle, equals: experimental } }";
    assert_eq!(outcome(not, &c, "full"), Verdict::Passed);
    assert_eq!(
        failed(&outcome(not, &c, "bare")),
        "spec.lifecycle equals \"experimental\" holds, but must not"
    );
}

const LADDER: &str = "apiVersion: idp-tui/v1
kind: Scorecard
metadata: {name: ladder}
spec:
  filter: { kind: component }
  levels: [Bronze, Silver, Gold]
  rules:
    - id: described
      level: Bronze
      check: { path: metadata.description, exists: true }
    - id: tagged
      level: Silver
      check: { path: metadata.tags, min_length: 1 }
    - id: production
      level: Gold
      weight: 3
      check: { path: spec.lifecycle, equals: production }
";

fn ladder_score(metadata: Value, spec: Value) -> EntityScore {
    let c = catalog(vec![component("x", metadata, spec)]);
    evaluate(&card(LADDER), &c, id(&c, "x"), today())
}

#[test]
fn a_level_needs_every_rule_of_it_and_below() {
    let l = card(LADDER);
    let all = ladder_score(json!({"description": "d", "tags": ["a"]}), json!({}));
    assert_eq!(all.level, l.level_by_name("gold"));
    assert_eq!(all.score, 100.0);
    let no_tags = ladder_score(json!({"description": "d"}), json!({}));
    assert_eq!(no_tags.level, l.level_by_name("Bronze"));
    let (next, missing) = no_tags.next_level(&l).unwrap();
    assert_eq!(l.level_name(next), "Silver");
    assert_eq!(
        missing.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["tagged"]
    );
    assert!(all.next_level(&l).is_none());
}

#[test]
fn passing_gold_rules_never_lift_an_entity_failing_bronze() {
    let l = card(LADDER);
    let s = ladder_score(json!({"tags": ["a"]}), json!({}));
    assert_eq!(s.level, None);
    // Silver and Gold pass; the score shows it, the level does not.
    assert_eq!(s.score, 80.0);
    let (next, missing) = s.next_level(&l).unwrap();
    assert_eq!(l.level_name(next), "Bronze");
    assert_eq!(
        missing.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["described"]
    );
}

#[test]
fn the_score_is_the_weighted_share_of_passed_rules() {
    // Gold weighs 3 of 5: failing it alone leaves 40.
    let s = ladder_score(
        json!({"description": "d", "tags": ["a"]}),
        json!({"lifecycle": "experimental"}),
    );
    assert_eq!(s.score, 40.0);
    assert_eq!(s.level, card(LADDER).level_by_name("Silver"));
}

#[test]
fn filters_match_every_key_ignoring_case() {
    let text = "apiVersion: idp-tui/v1
kind: Scorecard
metadata: {name: f}
spec:
  filter:
    kind: [COMPONENT]
    spec.type: [Service, website]
    'metadata.tags[*]': JAVA
  levels: [One]
  rules:
    - { id: r, level: one, check: { path: kind, exists: true } }
";
    let f = card(text);
    let java = component(
        "a",
        json!({"tags": ["go", "java"]}),
        json!({"type": "SERVICE"}),
    );
    let go = component("b", json!({"tags": ["go"]}), json!({}));
    let lib = component("c", json!({"tags": ["java"]}), json!({"type": "library"}));
    assert!(f.applies_to(&java));
    assert!(!f.applies_to(&go));
    assert!(!f.applies_to(&lib));
    assert!(!f.applies_to(&team("java")));
    let c = catalog(vec![java, go, lib]);
    let report = Report::build(&f, &c, today());
    assert_eq!(report.scores.len(), 1);
}

fn waived(value: &str) -> Verdict {
    let c = catalog(vec![component(
        "x",
        json!({"annotations": {"idp-tui.dev/exempt.t.r": value}}),
        json!({}),
    )]);
    outcome("{ path: spec.oncall, exists: true }", &c, "x")
}

#[test]
fn a_valid_waiver_passes_the_rule_with_its_reason() {
    let o = waived("moving to opsgenie until 2026-06-15");
    assert_eq!(
        o,
        Verdict::Waived {
            reason: "moving to opsgenie".into(),
            until: Date::parse("2026-06-15").unwrap()
        }
    );
    assert!(o.counts_as_passed());
    assert_eq!(
        o.message().unwrap(),
        "waived until 2026-06-15: moving to opsgenie"
    );
}

#[test]
fn an_expired_waiver_fails_with_its_date() {
    let o = waived("moving to opsgenie until 2026-06-14");
    assert_eq!(
        failed(&o),
        "spec.oncall is missing (the waiver \"moving to opsgenie\" expired on 2026-06-14)"
    );
}

#[test]
fn a_malformed_waiver_fails_and_says_how_to_write_it() {
    let o = waived("forever");
    assert!(
        failed(&o).contains("idp-tui.dev/exempt.t.r is malformed"),
        "{o:?}"
    );
    assert!(failed(&o).contains("<reason> until YYYY-MM-DD"), "{o:?}");
}

#[test]
fn a_waiver_for_another_scorecard_does_not_apply() {
    let c = catalog(vec![component(
        "x",
        json!({"annotations": {"idp-tui.dev/exempt.other.r": "why until 2099-01-01"}}),
        json!({}),
    )]);
    assert!(!outcome("{ path: spec.oncall, exists: true }", &c, "x").counts_as_passed());
}

#[test]
fn roll_ups_group_by_owner_and_list_failing_entities_per_rule() {
    let c = catalog(vec![
        team("team-a"),
        component("a1", json!({"description": "d", "tags": ["x"]}), json!({})),
        component("a2", json!({}), json!({})),
        component(
            "b1",
            json!({"description": "d"}),
            json!({"owner": "team-b"}),
        ),
        // Backstage rejects a component without an owner: this one's owner is not in the catalog.
        component("none", json!({}), json!({"owner": "team-c"})),
    ]);
    let l = card(LADDER);
    let r = Report::build(&l, &c, today());
    assert_eq!(r.distribution(&l), [2, 1, 0, 1]);
    let owners = r.by_owner(&l, &c);
    let summary: Vec<(String, usize, f64)> = owners
        .iter()
        .map(|o| {
            (
                o.owner.as_ref().map_or("-".into(), |r| r.to_string()),
                o.entities,
                o.average,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("group:default/team-a".to_string(), 2, 80.0),
            ("group:default/team-b".to_string(), 1, 80.0),
            ("group:default/team-c".to_string(), 1, 60.0),
        ]
    );
    assert_eq!(owners[0].levels, [1, 0, 0, 1]);
    assert_eq!(owners[1].levels, [0, 1, 0, 0]);
    let failing = r.failing_by_rule();
    let names = |ids: &[EntityId]| {
        ids.iter()
            .map(|&i| c.get(i).metadata.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&failing[0]), ["a2", "none"]);
    assert_eq!(names(&failing[1]), ["a2", "b1", "none"]);
    assert!(failing[2].is_empty());
    assert_eq!(
        r.get(id(&c, "b1")).unwrap().level,
        l.level_by_name("Bronze")
    );
}

#[test]
fn an_empty_catalog_gives_an_empty_report() {
    let l = card(LADDER);
    let r = Report::build(&l, &Catalog::new(), today());
    assert!(r.scores.is_empty());
    assert_eq!(r.distribution(&l), [0, 0, 0, 0]);
    assert!(r.by_owner(&l, &Catalog::new()).is_empty());
    assert!(r.failing_by_rule().is_empty());
}

#[test]
fn the_built_in_scorecard_loads_and_separates_good_from_bad() {
    let cards = default_scorecards();
    assert_eq!(cards.len(), 1);
    let d = &cards[0];
    assert_eq!(d.name, "production-readiness");
    assert!(d.rules.len() >= 8);
    let good = component(
        "good",
        json!({"description": "Takes payments for every merchant",
            "tags": ["go"],
            "annotations": {"pagerduty.com/service-id": "P", "backstage.io/source-location": "url:x", "backstage.io/techdocs-ref": "dir:."},
            "links": [{"url": "https://x", "title": "Runbook"}, {"url": "https://y", "icon": "dashboard"}]}),
        json!({"system": "pay"}),
    );
    let sys = entity(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": {"name": "pay"}, "spec": {"owner": "team-a"}}),
    );
    let c = catalog(vec![
        team("team-a"),
        sys,
        good,
        component("bad", json!({}), json!({})),
    ]);
    let r = Report::build(d, &c, today());
    assert_eq!(r.scores.len(), 2);
    assert_eq!(
        r.get(id(&c, "good")).unwrap().level,
        d.level_by_name("Gold")
    );
    assert_eq!(r.get(id(&c, "bad")).unwrap().level, None);
}

#[test]
fn a_huge_value_gives_a_short_failure_message() {
    let huge = "word ".repeat(200_000);
    let c = catalog(vec![component(
        "x",
        json!({"description": huge}),
        json!({}),
    )]);
    let o = outcome("{ path: metadata.description, max_length: 10 }", &c, "x");
    let why = failed(&o);
    assert!(why.len() < 200, "{} bytes", why.len());
    assert!(why.starts_with("metadata.description has length"), "{why}");
}
