//! Port blueprints steering the mapping, over tests/data/port-blueprints/ (outside
//! tests/data/formats/, whose walk is frozen against a real Backstage ingest in
//! tests/formats.rs).

use super::tests::{entity, problems_under};
use super::*;
use crate::catalog::{validate, Entity, Severity};
use serde_json::{json, Value};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/port-blueprints");

fn read(p: &str) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| e.to_string())
}

fn export() -> Vec<Resolved> {
    import(&[(Format::Port, format!("{DATA}/export.json"))], read)
}

/// The `repo/` folder as a walk finds it: its port.yml and the blueprint files beside it.
fn repo() -> Vec<Resolved> {
    let port = format!("{DATA}/repo/port.yml");
    let mut files = vec![(Format::Port, port.clone())];
    files.extend(companions(&port).into_iter().map(|c| (Format::Port, c)));
    import(&files, read)
}

fn problems(resolved: &[Resolved]) -> Vec<String> {
    problems_under(resolved, DATA)
}

#[test]
fn relations_mean_what_their_target_blueprint_says() {
    let r = export();
    let checkout = entity(&r, "component:port/checkout");
    // None of these relation names is one the name-based mapping knows.
    assert_eq!(checkout["spec"]["owner"], "group:port/payments");
    assert_eq!(checkout["spec"]["system"], "system:port/shop");
    assert_eq!(
        checkout["spec"]["providesApis"],
        json!(["api:port/checkout-api"])
    );
    assert_eq!(
        checkout["spec"]["consumesApis"],
        json!(["api:port/cart-api"])
    );
    assert_eq!(
        checkout["spec"]["dependsOn"],
        json!(["component:port/cart", "resource:port/orders-db"])
    );
    // A relation to a blueprint no file defines: taken as a Resource, dangling here.
    assert_eq!(
        checkout["metadata"]["annotations"]["idp-tui/unresolved.dependsOn"],
        "datadogMonitor/checkout-latency"
    );
    // A System's relation to a domain blueprint, and the services it lists.
    let shop = entity(&r, "system:port/shop");
    assert_eq!(shop["spec"]["domain"], "domain:port/commerce");
    let cart = entity(&r, "component:port/cart");
    assert_eq!(cart["spec"]["system"], "system:port/shop");
    assert_eq!(
        entity(&r, "resource:port/orders-db")["spec"]["type"],
        "database"
    );
}

#[test]
fn properties_are_checked_against_the_blueprint_and_keep_its_titles() {
    let r = export();
    let checkout = entity(&r, "component:port/checkout");
    // A `format: url` property is a link titled as the blueprint titles it.
    assert_eq!(
        checkout["metadata"]["links"],
        json!([{"url": "https://checkout.example.com/health", "title": "Health check"}])
    );
    assert_eq!(
        checkout["metadata"]["annotations"]["port.io/property.replicas"],
        "3"
    );
    // The per-field report carries the blueprint's titles.
    let draft = r
        .iter()
        .flat_map(|f| &f.drafts)
        .find(|d| d.name == "checkout")
        .unwrap();
    let fate = draft
        .fates
        .iter()
        .find(|f| f.field == "properties.pagerDuty")
        .unwrap();
    assert_eq!(fate.fate, Fate::Annotation);
    assert_eq!(fate.to, "port.io/property.pagerDuty");
    assert_eq!(fate.title.as_deref(), Some("PagerDuty service"));
    let report = serde_json::to_value(fate).unwrap();
    assert_eq!(report["title"], "PagerDuty service");
    // The entity keeps the titles of its kept properties, for the entity page.
    let titles: Value = serde_json::from_str(
        checkout["metadata"]["annotations"][PORT_TITLES_ANNOTATION]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        titles,
        json!({
            "port.io/property.language": "Language",
            "port.io/property.replicas": "Replica count",
            "port.io/property.pagerDuty": "PagerDuty service"
        })
    );

    let all = problems(&r);
    let expected = [
        "export.json:86: error: cart: property `language` is \"Rust\", not one of the blueprint's values (\"Go\", \"Python\", \"Java\") (blueprint microservice); Port would reject the entity",
        "export.json:87: error: cart: property `replicas` is a string, but the blueprint declares a number (blueprint microservice); Port would reject the entity",
        "export.json:95: error: orphan: property `language` is required by blueprint microservice, and not set (Port would reject the entity)",
        "export.json:95: error: orphan: relation `squad` is required by blueprint microservice, and not set (Port would reject the entity)",
        "export.json:102: error: orphan: relation `belongsTo` holds 2 targets, but its blueprint allows one (`many: false`)",
        "export.json:78: warning: checkout: relation `monitoredBy` targets blueprint datadogMonitor, which is not among the blueprints read: its targets are taken as Resource entities",
    ];
    for e in expected {
        assert!(all.iter().any(|p| p == e), "missing {e}\nin {all:#?}");
    }
}

#[test]
fn blueprint_files_beside_a_port_yml_are_read_and_a_broken_one_is_an_error_at_its_line() {
    let port = format!("{DATA}/repo/port.yml");
    let found: Vec<String> = companions(&port)
        .into_iter()
        .map(|c| c.replace(&format!("{DATA}/"), ""))
        .collect();
    assert_eq!(
        found,
        [
            "repo/blueprints.json",
            "repo/broken.blueprint.json",
            "repo/queue.blueprint.json"
        ]
    );
    assert!(companions(&format!("{DATA}/export.json")).is_empty());
    let r = repo();
    let search = entity(&r, "component:port/search");
    // `owner` to the `_team` blueprint, `queues` to the `queue` blueprint (a Resource).
    assert_eq!(search["spec"]["owner"], "group:port/search-team");
    assert_eq!(
        search["spec"]["dependsOn"],
        json!(["resource:port/reindex"])
    );
    assert_eq!(
        search["metadata"]["annotations"]["port.io/property.tier"],
        "1"
    );
    let all = problems(&r);
    assert!(
        all.iter()
            .any(|p| p.starts_with("repo/broken.blueprint.json:4: error: JSON does not parse")),
        "{all:#?}"
    );
    assert!(
        all.contains(&"repo/port.yml:9: error: search: property `dashboard` is \"grafana.example.com/d/search\", not a valid url (blueprint service); Port would reject the entity".to_string()),
        "{all:#?}"
    );
    assert_eq!(all.len(), 2, "{all:#?}");
}

#[test]
fn without_blueprints_relations_are_mapped_by_their_names() {
    // The same port.yml alone: `queues` means nothing by its name and is kept.
    let r = import(&[(Format::Port, format!("{DATA}/repo/port.yml"))], read);
    let search = entity(&r, "component:port/search");
    assert_eq!(search["spec"]["owner"], "group:port/search-team");
    assert!(search["spec"].get("dependsOn").is_none());
    assert_eq!(
        search["metadata"]["annotations"]["idp-tui/raw.relations.queues"],
        "[\"reindex\"]"
    );
    assert!(problems(&r).is_empty(), "{:#?}", problems(&r));
}

#[test]
fn an_entity_whose_blueprint_is_not_read_is_mapped_by_names() {
    let text = r#"[
  {"identifier": "queue", "schema": {"properties": {}}, "relations": {}},
  {"identifier": "svc", "blueprint": "service", "team": "a", "relations": {"system": "s"}}
]"#;
    let p = parse(Format::Port, &Arc::from("mixed.json"), text);
    let r = resolve(vec![p]);
    let svc = r[0].drafts[0].to_value();
    assert_eq!(svc["spec"]["owner"], "group:port/a");
    assert_eq!(
        svc["metadata"]["annotations"]["idp-tui/unresolved.system"],
        "s"
    );
    let blueprint = r[0].drafts[0]
        .fates
        .iter()
        .find(|f| f.field == "blueprint")
        .unwrap();
    assert!(
        blueprint.to.contains("not among those read"),
        "{blueprint:?}"
    );
    assert_eq!(problems(&r).len(), 1, "{:#?}", problems(&r));
}

#[test]
fn every_entity_mapped_with_blueprints_is_a_valid_backstage_entity() {
    for file in export().into_iter().chain(repo()) {
        for draft in &file.drafts {
            let origin = crate::catalog::Origin::new(file.path.clone(), Some(draft.line));
            let (e, mut all) = Entity::from_value(draft.to_value(), origin).unwrap();
            all.extend(validate::validate(&e));
            let errors: Vec<String> = all
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .map(ToString::to_string)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", draft.reference());
        }
    }
}

#[test]
fn a_blueprint_defined_twice_keeps_the_first_and_says_so_at_the_second() {
    let first =
        r#"{"identifier": "service", "schema": {"properties": {"tier": {"type": "number"}}}}"#;
    let second =
        r#"{"identifier": "service", "schema": {"properties": {"tier": {"type": "string"}}}}"#;
    let entity = "identifier: a\nblueprint: service\nteam: t\nproperties:\n  tier: 1\n";
    let r = resolve(vec![
        parse(Format::Port, &Arc::from("one.blueprint.json"), first),
        parse(Format::Port, &Arc::from("two.blueprint.json"), second),
        parse(Format::Port, &Arc::from("port.yml"), entity),
    ]);
    // `tier: 1` fits the first definition (a number): no mismatch.
    assert_eq!(
        problems(&r),
        ["two.blueprint.json:1: warning: blueprint service is also defined in one.blueprint.json:1: this one is ignored"]
    );
}

#[test]
fn hostile_blueprints_are_problems_not_panics() {
    let blueprints = [
        r#"{"identifier": "a", "schema": "x"}"#,
        r#"{"identifier": "a", "schema": {"properties": [1, 2]}}"#,
        r#"{"identifier": "a", "schema": {"properties": {"p": 5, "q": {"type": 7, "enum": "x"}}, "required": {"a": 1}}}"#,
        r#"{"identifier": "a", "schema": {}, "relations": {"r": {"target": null}, "s": [1], "t": {"target": "a", "many": "yes"}}}"#,
        r#"{"identifier": ["a"], "schema": {}}"#,
        r#"[{"schema": {}}, null, 3, {"identifier": "a", "schema": {}}]"#,
        r#"{"blueprints": "x", "entities": {"identifier": "a"}}"#,
    ];
    let entity = "identifier: e\nblueprint: a\nproperties:\n  p: [1]\n  q: \"\\e[31m\"\nrelations:\n  r: [x, y]\n  s: {a: 1}\n  t: [e, e]\n";
    for text in blueprints {
        let r = resolve(vec![
            parse(Format::Port, &Arc::from("bp.json"), text),
            parse(Format::Port, &Arc::from("port.yml"), entity),
        ]);
        // Whatever it gave, it gave without panicking, and the entity is still read.
        assert_eq!(r[1].drafts.len(), 1, "{text}");
    }
}

#[test]
fn a_property_that_records_nothing_lends_its_title_to_no_other() {
    // `tags: []` maps to nothing: its title once went to the property before it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let export = json!({
        "blueprints": [{
            "identifier": "microservice",
            "title": "Microservice",
            "schema": {"properties": {
                "language": {"title": "Language", "type": "string"},
                "tags": {"title": "Tags", "type": "array"},
            }},
        }],
        "entities": [{
            "identifier": "checkout",
            "blueprint": "microservice",
            "properties": {"language": "Go", "tags": []},
        }],
    });
    std::fs::write(&file, export.to_string()).unwrap();
    let r = import(&[(Format::Port, file.to_string_lossy().into_owned())], read);
    let checkout = entity(&r, "component:port/checkout");
    let titles: Value = serde_json::from_str(
        checkout["metadata"]["annotations"][PORT_TITLES_ANNOTATION]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(titles, json!({"port.io/property.language": "Language"}));
    let draft = r.iter().flat_map(|f| &f.drafts).next().unwrap();
    let language = draft
        .fates
        .iter()
        .find(|f| f.field == "properties.language")
        .unwrap();
    assert_eq!(language.title.as_deref(), Some("Language"));
}
