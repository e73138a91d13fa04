//! Tests of the import pipeline over the fixtures in tests/data/formats/.

use super::*;
use crate::catalog::{validate, Entity, Severity};
use serde_json::Value;
use std::sync::Arc;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats");

/// Every descriptor file under a fixture folder, as a walk finds them (plus `export.json`).
fn files(dir: &str) -> Vec<(Format, String)> {
    let dir = format!("{DATA}/{dir}");
    let mut out: Vec<(Format, String)> = crate::vfs::yaml_files(&dir)
        .unwrap()
        .into_iter()
        .filter_map(|p| Some((Format::detect(&p)?, p)))
        .collect();
    if std::path::Path::new(&format!("{dir}/export.json")).exists() {
        out.push((Format::Port, format!("{dir}/export.json")));
    }
    out
}

fn run(dir: &str) -> Vec<Resolved> {
    import(&files(dir), |p| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    })
}

/// The entity `kind:namespace/name` as a Backstage document.
pub(super) fn entity(resolved: &[Resolved], reference: &str) -> Value {
    resolved
        .iter()
        .flat_map(|r| &r.drafts)
        .find(|d| d.reference() == reference)
        .unwrap_or_else(|| panic!("no {reference}"))
        .to_value()
}

/// Every problem as `file-tail:line: severity: message`, the file relative to the fixtures.
fn problems(resolved: &[Resolved]) -> Vec<String> {
    problems_under(resolved, DATA)
}

/// Every problem as `file-tail:line: severity: message`, the file relative to `dir`.
pub(super) fn problems_under(resolved: &[Resolved], dir: &str) -> Vec<String> {
    resolved
        .iter()
        .flat_map(|r| &r.problems)
        .map(|p| p.to_string().replace(&format!("{dir}/"), ""))
        .collect()
}

fn annotation<'a>(e: &'a Value, key: &str) -> Option<&'a str> {
    e["metadata"]["annotations"][key].as_str()
}

#[test]
fn cortex_service_maps_owner_dependencies_system_links_and_integrations() {
    let r = run("cortex");
    let payments = entity(&r, "component:cortex/payments");
    assert_eq!(payments["metadata"]["title"], "Payments Service");
    assert_eq!(payments["spec"]["owner"], "group:cortex/payments-team");
    assert_eq!(payments["spec"]["lifecycle"], "production");
    // `ledger` is defined in another file: resolved in the second pass.
    assert_eq!(
        payments["spec"]["dependsOn"],
        serde_json::json!(["component:cortex/ledger"])
    );
    // `finance` holds services, so it is a System.
    assert_eq!(payments["spec"]["system"], "system:cortex/finance");
    assert_eq!(
        payments["metadata"]["tags"],
        serde_json::json!(["payments", "exposure:external-ship"])
    );
    assert_eq!(
        annotation(&payments, "pagerduty.com/service-id"),
        Some("P123ABC")
    );
    assert_eq!(
        annotation(&payments, "github.com/project-slug"),
        Some("acme/payments")
    );
    assert_eq!(
        annotation(&payments, "backstage.io/source-location"),
        Some("url:https://github.com/acme/payments/tree/HEAD/services/payments")
    );
    assert_eq!(
        annotation(&payments, "sonarqube.org/project-key"),
        Some("acme_payments")
    );
    assert_eq!(annotation(&payments, "jira/project-key"), Some("PAY"));
    assert_eq!(
        annotation(&payments, "backstage.io/kubernetes-id"),
        Some("payments-api")
    );
    assert_eq!(annotation(&payments, FORMAT_ANNOTATION), Some("cortex"));
    assert_eq!(
        annotation(&payments, SOURCE_ID_ANNOTATION),
        Some("payments")
    );
    // Nothing without a Backstage field is dropped: kept under idp-tui/raw.*.
    assert_eq!(
        annotation(&payments, "idp-tui/raw.apm"),
        Some(r#"{"datadog":{"serviceName":"payments"}}"#)
    );
    assert!(annotation(&payments, "idp-tui/raw.owners")
        .unwrap()
        .contains("acme/finance-leads"));
    assert!(annotation(&payments, "idp-tui/raw.dependency")
        .unwrap()
        .contains("\"method\":\"POST\""));
    assert_eq!(payments["metadata"]["labels"]["cost-center"], "cc-1234");
    assert_eq!(
        annotation(&payments, "idp-tui/raw.meta.limits"),
        Some(r#"{"rps":300}"#)
    );
    let links = payments["metadata"]["links"].as_array().unwrap();
    assert!(links
        .iter()
        .any(|l| l["title"] == "Runbook" && l["type"] == "runbook"));
    assert!(links.iter().any(|l| l["title"] == "#payments-oncall"));
    // The per-field report says where each field went.
    let draft = r
        .iter()
        .flat_map(|f| &f.drafts)
        .find(|d| d.name == "payments")
        .unwrap();
    let fate = |field: &str| {
        draft
            .fates
            .iter()
            .filter(|f| f.field == field)
            .map(|f| f.fate)
            .collect::<Vec<_>>()
    };
    assert!(fate("info.x-cortex-apm").contains(&Fate::Annotation));
    assert!(fate("info.x-cortex-oncall.pagerduty").contains(&Fate::Mapped));
}

#[test]
fn cortex_domains_teams_and_children_settle_across_files() {
    let r = run("cortex");
    let finance = entity(&r, "system:cortex/finance");
    assert_eq!(finance["spec"]["owner"], "group:cortex/payments-team");
    // `ledger` does not name its parent: the domain's `x-cortex-children` does.
    let ledger = entity(&r, "component:cortex/ledger");
    assert_eq!(ledger["spec"]["system"], "system:cortex/finance");
    assert_eq!(
        annotation(&ledger, "idp-tui/opsgenie-schedule-id"),
        Some("4242")
    );
    // A real OpenAPI document (non-empty paths) is also an API the component provides.
    let api = entity(&r, "api:cortex/ledger");
    assert_eq!(api["spec"]["type"], "openapi");
    assert!(api["spec"]["definition"]
        .as_str()
        .unwrap()
        .contains("/entries"));
    assert_eq!(
        ledger["spec"]["providesApis"],
        serde_json::json!(["api:cortex/ledger"])
    );
    let team = entity(&r, "group:cortex/payments-team");
    assert_eq!(
        team["spec"]["members"],
        serde_json::json!(["user:cortex/ada", "user:cortex/grace"])
    );
    let ada = entity(&r, "user:cortex/ada");
    assert_eq!(ada["spec"]["profile"]["email"], "ada@example.com");
    assert_eq!(
        ada["spec"]["memberOf"],
        serde_json::json!(["group:cortex/payments-team"])
    );
}

#[test]
fn cortex_problems_have_file_and_line_and_never_stop_the_other_files() {
    let r = run("cortex");
    let all = problems(&r);
    assert!(all.contains(&"cortex/empty-tag/cortex.yaml:4: error: x-cortex-tag is missing or empty: a Cortex entity needs a tag; the file was not read".to_string()), "{all:#?}");
    assert!(
        all.iter()
            .any(|p| p.starts_with("cortex/broken/cortex.yaml:6: error: YAML does not parse")),
        "{all:#?}"
    );
    assert!(all.contains(&"cortex/payments/cortex.yaml:38: warning: dangling reference: info.x-cortex-dependency \"fraud-check\" matches no cortex entity in the files read; kept as annotation idp-tui/unresolved.dependsOn".to_string()), "{all:#?}");
    // Nulls everywhere: read, with only the missing owner to say.
    let nulls = entity(&r, "component:cortex/null-everywhere");
    assert_eq!(nulls["spec"]["owner"], "group:cortex/unowned");
    assert!(all.contains(&"cortex/nulls/cortex.yaml:2: warning: null-everywhere has no owner in the file: spec.owner is set to group:cortex/unowned".to_string()), "{all:#?}");
    assert_eq!(all.len(), 4, "{all:#?}");
    assert_eq!(
        annotation(
            &entity(&r, "component:cortex/payments"),
            "idp-tui/unresolved.dependsOn"
        ),
        Some("fraud-check")
    );
}

#[test]
fn opslevel_merge_keys_duplicate_tags_aliases_and_repository_owners() {
    let r = run("opslevel");
    let checkout = entity(&r, "component:opslevel/checkout-service");
    // From `<<: *DEFAULT`.
    assert_eq!(checkout["spec"]["owner"], "group:opslevel/checkout_team");
    assert_eq!(
        checkout["metadata"]["labels"]["opslevel.com/tier"],
        "tier_1"
    );
    assert_eq!(checkout["spec"]["lifecycle"], "production");
    assert_eq!(
        checkout["metadata"]["labels"]["opslevel.com/lifecycle"],
        "generally_available"
    );
    // `shopping_cart` is an alias declared in cart's own file.
    assert_eq!(
        checkout["spec"]["dependsOn"],
        serde_json::json!(["component:opslevel/cart"])
    );
    assert_eq!(checkout["spec"]["system"], "system:opslevel/shop_platform");
    let system = entity(&r, "system:opslevel/shop_platform");
    assert_eq!(system["spec"]["owner"], "group:opslevel/checkout_team");
    // A key used twice is not a label; both values are tags, and the raw list is kept.
    let tags = checkout["metadata"]["tags"].as_array().unwrap();
    assert!(
        tags.contains(&"db:mysql".into()) && tags.contains(&"db:snowflake".into()),
        "{tags:?}"
    );
    assert!(checkout["metadata"]["labels"].get("db").is_none());
    assert!(annotation(&checkout, "idp-tui/raw.tags")
        .unwrap()
        .contains("Snowflake"));
    assert_eq!(checkout["metadata"]["labels"]["team-size"], "5");
    assert_eq!(
        annotation(&checkout, "pagerduty.com/service-id"),
        Some("PCHK001")
    );
    assert_eq!(
        annotation(&checkout, "opslevel.com/property.sla"),
        Some(r#"{"p99_ms":250}"#)
    );
    assert_eq!(
        annotation(&checkout, "idp-tui/raw.alert_sources"),
        Some(r#"[{"type":"datadog","external_id":"12345"}]"#)
    );
    let links = checkout["metadata"]["links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "a tool without a url is lost: {links:?}");
    assert_eq!(links[0]["title"], "Grafana (production)");
    let cart = entity(&r, "component:opslevel/cart");
    assert_eq!(cart["spec"]["type"], "library");
    assert_eq!(cart["spec"]["lifecycle"], "experimental");
    // No owner in the file: the `repository:` file above it owns the repository.
    let web = entity(&r, "component:opslevel/web-front");
    assert_eq!(web["spec"]["owner"], "group:opslevel/web_team");
    let all = problems(&r);
    assert!(all.contains(&"opslevel/checkout/opslevel.yml:23: warning: unquoted `yes`: OpsLevel reads YAML 1.1, where it is a boolean; idp-tui reads the text \"yes\". Quote it to mean the text".to_string()), "{all:#?}");
    assert!(all.iter().any(|p| p.starts_with("opslevel/checkout/opslevel.yml:40: warning: dangling reference: service.dependencies \"payments_gateway\"")), "{all:#?}");
    assert!(
        all.iter().any(|p| p
            .starts_with("opslevel/duplicate-key/opslevel.yml:3: error: YAML does not parse")
            && p.contains("duplicate entry with key \"owner\"")),
        "{all:#?}"
    );
    assert_eq!(all.len(), 3, "{all:#?}");
}

#[test]
fn opslevel_yaml_extension_is_read_with_a_warning() {
    let p = parse(
        Format::OpsLevel,
        &Arc::from("x/opslevel.yaml"),
        "version: 1\nservice:\n  name: A\n  owner: t\n",
    );
    assert_eq!(p.drafts.len(), 1);
    assert_eq!(p.problems.len(), 1);
    assert!(p.problems[0]
        .message
        .contains("OpsLevel reads only `opslevel.yml`"));
}

#[test]
fn compass_ids_resolve_across_files_and_unknown_ones_are_dangling() {
    let r = run("compass");
    let web = entity(&r, "component:compass/storefront-web");
    assert_eq!(web["metadata"]["title"], "Storefront Web");
    assert_eq!(web["spec"]["type"], "website");
    assert_eq!(web["spec"]["lifecycle"], "production");
    assert_eq!(
        web["spec"]["dependsOn"],
        serde_json::json!(["component:compass/search-api"])
    );
    assert_eq!(web["spec"]["owner"], "group:compass/team-5c1a9d3e");
    assert_eq!(web["metadata"]["labels"]["compass.atlassian.com/tier"], "1");
    assert_eq!(
        annotation(&web, "github.com/project-slug"),
        Some("acme/storefront")
    );
    assert_eq!(
        annotation(&web, "compass.atlassian.com/field.Cost-Center"),
        Some("cc-55")
    );
    assert_eq!(
        web["metadata"]["tags"],
        serde_json::json!(["language:typescript", "source:github"])
    );
    let search = entity(&r, "component:compass/search-api");
    assert_eq!(search["spec"]["lifecycle"], "unknown");
    let all = problems(&r);
    assert!(all.iter().any(|p| p.starts_with("compass/storefront/compass.yml:23: warning: dangling reference: relationships.DEPENDS_ON") && p.contains("deadbeef")), "{all:#?}");
    // The team id is kept; the catalog reports the placeholder owner if no Group defines it.
    assert_eq!(
        annotation(&web, "idp-tui/owner-id"),
        Some("ari:cloud:identity::team/5c1a9d3e-1111-4a2b-9c3d-000000000001")
    );
    assert_eq!(all.len(), 2, "{all:#?}");
}

#[test]
fn port_lists_single_entities_and_exports() {
    let r = run("port");
    let inv = entity(&r, "component:port/inventory");
    assert_eq!(inv["spec"]["owner"], "group:port/shop-team");
    assert_eq!(inv["spec"]["lifecycle"], "production");
    assert_eq!(inv["spec"]["system"], "system:port/shop");
    assert_eq!(
        inv["spec"]["providesApis"],
        serde_json::json!(["api:port/inventory-api"])
    );
    assert_eq!(
        inv["spec"]["dependsOn"],
        serde_json::json!(["resource:port/inventory-db"])
    );
    assert_eq!(annotation(&inv, "port.io/property.replicas"), Some("3"));
    assert_eq!(
        annotation(&inv, SOURCE_ID_ANNOTATION),
        Some("service/inventory")
    );
    let api = entity(&r, "api:port/inventory-api");
    assert_eq!(api["spec"]["type"], "openapi");
    assert!(api["spec"]["definition"]
        .as_str()
        .unwrap()
        .starts_with("openapi: 3.0.0"));
    assert_eq!(entity(&r, "group:port/shop-team")["spec"]["type"], "team");
    // One entity, `team` a string, an identifier Backstage would refuse as a name.
    let sync = entity(&r, "component:port/warehouse-sync");
    assert_eq!(sync["spec"]["owner"], "group:port/shop-team");
    assert_eq!(sync["spec"]["system"], "system:port/shop");
    assert_eq!(
        annotation(&sync, SOURCE_ID_ANNOTATION),
        Some("microservice/Warehouse Sync!")
    );
    // The export: teams become Groups, an unknown blueprint a Resource of that type.
    assert_eq!(
        entity(&r, "group:port/platform")["metadata"]["description"],
        "The platform team"
    );
    let billing = entity(&r, "component:port/billing");
    assert_eq!(billing["spec"]["lifecycle"], "experimental");
    assert_eq!(billing["spec"]["owner"], "group:port/platform");
    assert_eq!(
        entity(&r, "resource:port/billing-queue")["spec"]["type"],
        "kafkatopic"
    );
    let all = problems(&r);
    assert!(
        all.iter()
            .any(|p| p.starts_with("port/broken/port.yml:3: error: YAML does not parse")),
        "{all:#?}"
    );
    assert!(
        all.iter().any(|p| p.starts_with(
            "port/shop/port.yml:21: warning: dangling reference: relations.dependsOn \"warehouse\""
        )),
        "{all:#?}"
    );
    assert_eq!(all.len(), 2, "{all:#?}");
}

#[test]
fn every_imported_entity_is_a_valid_backstage_entity() {
    for dir in ["cortex", "opslevel", "compass", "port"] {
        for file in run(dir) {
            for draft in &file.drafts {
                let origin = crate::catalog::Origin::new(file.path.clone(), Some(draft.line));
                let (e, problems) = Entity::from_value(draft.to_value(), origin).unwrap();
                let mut all: Vec<_> = problems;
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
}

#[test]
fn files_are_recognised_by_name_and_json_only_when_it_is_not_backstage() {
    assert_eq!(Format::detect("a/b/cortex.yaml"), Some(Format::Cortex));
    assert_eq!(
        Format::detect("repo/.cortex/teams/x.yaml"),
        Some(Format::Cortex)
    );
    assert_eq!(Format::detect("opslevel.yml"), Some(Format::OpsLevel));
    assert_eq!(Format::detect("svc/compass.yaml"), Some(Format::Compass));
    assert_eq!(Format::detect("port.yml"), Some(Format::Port));
    assert_eq!(Format::detect("catalog-info.yaml"), None);
    assert_eq!(Format::detect("port-app-config.yml"), None);
    assert_eq!(
        Format::detect_named("export.json", "{\"entities\": []}"),
        Some(Format::Port)
    );
    assert_eq!(
        Format::detect_named("c.json", "{\"apiVersion\": \"backstage.io/v1alpha1\"}"),
        None
    );
}

#[test]
fn hostile_input_is_a_problem_not_a_panic() {
    let cases = [
        "info: [1, 2]",
        "info:\n  x-cortex-tag: [a]\n",
        "info:\n  x-cortex-tag: \"!!!\"\n",
        "- 1\n- null\n- [x]\n",
        "version: 1\nservice: [1]\n",
        "version: 1\nservice:\n  name: null\n",
        "identifier: {a: 1}\n",
        "a: &x [*x]\n",
        "\u{1b}]52;c;aGk=\u{7}: 1\n",
    ];
    for text in cases {
        for format in Format::ALL {
            let p = parse(format, &Arc::from("f.yaml"), text);
            // Whatever it gave, it gave without panicking; an entity-less file says why.
            if p.drafts.is_empty() {
                assert!(!p.problems.is_empty(), "{format:?} {text:?}: silent");
            }
        }
    }
}

#[test]
fn a_promise_that_cannot_be_read_says_why() {
    use super::kratix::{crd_of, is_promise, to_entities};
    let promise = |api: Value| {
        serde_json::json!({
        "apiVersion": "platform.kratix.io/v1alpha1", "kind": "Promise",
        "metadata": {"name": "p"}, "spec": {"api": api}})
    };
    assert!(is_promise(&promise(Value::Null)));
    assert!(!is_promise(
        &serde_json::json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Promise"})
    ));
    let no_api = serde_json::json!({"apiVersion": "platform.kratix.io/v1alpha1", "kind": "Promise", "metadata": {"name": "p"}, "spec": {}});
    assert_eq!(
        to_entities(&no_api).unwrap_err(),
        "the Promise has no spec.api (the CRD it offers)"
    );
    let no_versions =
        promise(serde_json::json!({"spec": {"group": "g.io", "names": {"kind": "K"}}}));
    assert_eq!(
        crd_of(&no_versions).unwrap_err(),
        "spec.api.spec.versions is missing"
    );
    let served = promise(
        serde_json::json!({"spec": {"group": "g.io", "names": {"kind": "K"},
        "versions": [{"name": "v1", "served": false}, {"name": "v2"}]}}),
    );
    let crd = crd_of(&served).unwrap();
    assert_eq!((crd.version.as_str(), crd.kind.as_str()), ("v2", "K"));
    // No schema: any spec, and the form has only the name and namespace.
    let entities = to_entities(&served).unwrap();
    assert_eq!(entities[1]["metadata"]["title"], "request K");
    assert_eq!(
        entities[1]["spec"]["parameters"][1]["properties"],
        serde_json::json!({})
    );
}

#[test]
fn a_port_blueprint_alone_holds_no_entity_and_is_kept_for_the_mapping() {
    let text = r#"{"identifier": "service", "title": "Service", "schema": {"properties": {}}}"#;
    let p = parse(Format::Port, &Arc::from("bp.json"), text);
    assert!(p.drafts.is_empty());
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(p.blueprints.len(), 1);
    assert_eq!(p.blueprints[0].identifier, "service");
}

#[test]
fn each_dependency_points_at_its_own_line() {
    let text = "x-cortex-dependency:\n  cortex:\n    - tag: billing\n      method: GET\n    - tag: ledger\n";
    assert_eq!(
        super::read::line_of_value(text, "tag", 1, "billing"),
        Some(3)
    );
    assert_eq!(
        super::read::line_of_value(text, "tag", 1, "ledger"),
        Some(5)
    );
    assert_eq!(super::read::line_of_value(text, "tag", 1, "absent"), None);
}
