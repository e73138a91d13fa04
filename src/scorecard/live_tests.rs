//! Live rules: a provider's signal checked like any other fact, and "unknown" (neither passed
//! nor failed) when the answer is not known.

use super::*;
use crate::catalog::{Catalog, Entity, EntityRef, Origin};
use crate::live::{Answer, Incident, ProviderResult, Report as LiveReport, Severity};
use serde_json::json;

fn catalog() -> Catalog {
    let e = Entity::from_value(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
               "metadata": {"name": "svc"},
               "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}}),
        Origin::new("cat.yaml", Some(1)),
    )
    .unwrap()
    .0;
    Catalog::from_entities(vec![e], vec![])
}

const CARD: &str = "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata: {name: live}\nspec:\n  levels: [Bronze, Silver]\n  rules:\n    - {id: owner, level: Bronze, check: {path: spec.owner, exists: true}}\n    - {id: ci-green, level: Silver, check: {live: github}}\n    - {id: no-high-incident, level: Silver, check: {live: pagerduty, severity: [ok, warn, crit], high_incidents: 0}}\n";

fn result(provider: &str, severity: Severity, high: bool, error: Option<&str>) -> ProviderResult {
    let mut answer = Answer::signal(provider, severity, "h");
    if high {
        answer.incidents.push(Incident {
            provider: provider.into(),
            id: "Q1".into(),
            title: "down".into(),
            status: "triggered".into(),
            urgency: "high".into(),
            created_at: None,
            url: None,
        });
    }
    ProviderResult {
        provider: provider.into(),
        answer,
        fetched_at: None,
        stale: false,
        error: error.map(str::to_string),
        via: "direct".into(),
        from: None,
    }
}

fn score(live: Option<&LiveReport>) -> EntityScore {
    let (cards, errors) = parse_file("card.yaml", CARD);
    assert!(errors.is_empty(), "{errors:?}");
    let c = catalog();
    let id = c
        .id_of(&EntityRef::new("component", "default", "svc"))
        .unwrap();
    evaluate_live(&cards[0], &c, id, Date::parse("2026-06-15").unwrap(), live)
}

#[test]
fn live_rules_pass_and_fail_on_the_signal_and_incidents() {
    let green = LiveReport {
        entity: "component:default/svc".into(),
        results: vec![
            result("github", Severity::Ok, false, None),
            result("pagerduty", Severity::Warn, false, None),
        ],
    };
    let s = score(Some(&green));
    assert_eq!(s.outcomes[1], Verdict::Passed);
    assert_eq!(s.outcomes[2], Verdict::Passed);
    assert_eq!(s.score, 100.0);

    let red = LiveReport {
        entity: "component:default/svc".into(),
        results: vec![
            result("github", Severity::Crit, false, None),
            result("pagerduty", Severity::Crit, true, None),
        ],
    };
    let s = score(Some(&red));
    assert_eq!(
        s.outcomes[1],
        Verdict::Failed("live github is crit: h".into())
    );
    assert_eq!(
        s.outcomes[2],
        Verdict::Failed("1 open high-urgency incident(s) on pagerduty (at most 0 allowed)".into())
    );
}

#[test]
fn unknown_live_data_is_unknown_not_failed_and_leaves_the_score_alone() {
    let s = score(None);
    assert_eq!(
        s.outcomes[1],
        Verdict::Unknown("no live github data".into())
    );
    assert!(!s.outcomes[1].counts_as_passed());
    assert_eq!(
        s.outcomes[1].message().unwrap(),
        "unknown: no live github data"
    );
    assert_eq!(s.score, 100.0, "only the known rule counts");
    assert_eq!(
        s.level,
        Some(Level(0)),
        "Silver is not reached while unknown"
    );

    let timed_out = LiveReport {
        entity: "component:default/svc".into(),
        results: vec![result(
            "github",
            Severity::Unknown,
            false,
            Some("timed out after 10 s"),
        )],
    };
    let s = score(Some(&timed_out));
    assert_eq!(
        s.outcomes[1],
        Verdict::Unknown("timed out after 10 s".into())
    );
}

#[test]
fn live_rule_mistakes_are_named() {
    let (_, errors) = parse_file(
        "card.yaml",
        "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata: {name: x}\nspec:\n  levels: [B]\n  rules:\n    - {id: a, level: B, check: {live: github, severity: purple}}\n",
    );
    assert!(
        errors[0]
            .to_string()
            .contains("severity must be ok, warn, crit or unknown"),
        "{}",
        errors[0]
    );
    let (_, errors) = parse_file(
        "card.yaml",
        "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata: {name: x}\nspec:\n  levels: [B]\n  rules:\n    - {id: a, level: B, check: {path: spec.owner, exists: true, high_incidents: 0}}\n",
    );
    assert!(
        errors[0]
            .to_string()
            .contains("high_incidents only goes with live"),
        "{}",
        errors[0]
    );
}
