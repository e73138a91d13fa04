//! Other portals' descriptors (Cortex, OpsLevel, Compass, Port) as a user meets them: loaded
//! by `--catalog DIR` walks beside Backstage files, searched with `format:`, and converted with
//! `idp-tui convert` into files `idp-tui validate` finds clean.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, Severity};
use idp_tui::search::{Query, SearchIndex};
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats");

fn idp(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .output()
        .expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn load(paths: &[&str]) -> Catalog {
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let (entities, problems) = idp_tui::source::file::load_all(&paths);
    Catalog::from_entities(entities, problems)
}

fn refs(catalog: &Catalog, query: &str) -> Vec<String> {
    let index = SearchIndex::build(catalog);
    let mut out: Vec<String> = index
        .search(&Query::parse(query), 500)
        .hits
        .iter()
        .map(|h| catalog.get(h.id).entity_ref().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn a_catalog_walk_reads_every_format_resolves_across_files_and_filters_by_format() {
    let catalog = load(&[DATA]);
    let cortex = refs(&catalog, "format:cortex");
    assert_eq!(
        cortex,
        [
            "api:cortex/ledger",
            "component:cortex/ledger",
            "component:cortex/null-everywhere",
            "component:cortex/payments",
            "group:cortex/payments-team",
            "system:cortex/finance",
            "user:cortex/ada",
            "user:cortex/grace",
        ]
    );
    assert_eq!(refs(&catalog, "format:opslevel").len(), 4);
    assert_eq!(
        refs(&catalog, "format:compass"),
        [
            "component:compass/search-api",
            "component:compass/storefront-web"
        ]
    );
    assert!(refs(&catalog, "format:port").contains(&"component:port/inventory".to_string()));
    assert!(refs(&catalog, "format:backstage").is_empty());
    // References across files are relations in the catalog: payments depends on ledger.
    let payments = catalog
        .by_ref(&idp_tui::catalog::EntityRef::new(
            "component",
            "cortex",
            "payments",
        ))
        .unwrap();
    assert_eq!(payments.spec_str("system"), Some("system:cortex/finance"));
    // Provenance: the file and line it was read from.
    assert!(payments
        .origin
        .path
        .ends_with("cortex/payments/cortex.yaml"));
    assert_eq!(payments.origin.line, Some(2));
    // A broken file next to good ones is one error at its line; its neighbours load.
    let problems: Vec<String> = catalog.problems().map(|p| p.to_string()).collect();
    let broken = format!("{DATA}/cortex/broken/cortex.yaml:6: error: YAML does not parse");
    assert!(
        problems.iter().any(|p| p.starts_with(&broken)),
        "{problems:#?}"
    );
    let tag =
        format!("{DATA}/cortex/empty-tag/cortex.yaml:4: error: x-cortex-tag is missing or empty");
    assert!(
        problems.iter().any(|p| p.starts_with(&tag)),
        "{problems:#?}"
    );
}

#[test]
fn backstage_files_and_foreign_ones_load_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("svc")).unwrap();
    std::fs::write(
        d.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\nspec: {type: website, lifecycle: production, owner: team-a, dependsOn: ['component:opslevel/api-gateway']}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("svc/opslevel.yml"),
        "version: 1\nservice:\n  name: API Gateway\n  owner: team_a\n",
    )
    .unwrap();
    let catalog = load(&[d.to_str().unwrap()]);
    assert_eq!(
        refs(&catalog, "format:backstage"),
        ["component:default/web"]
    );
    assert_eq!(
        refs(&catalog, "format:opslevel"),
        ["component:opslevel/api-gateway"]
    );
    // The Backstage file's reference into the OpsLevel one resolves; only the two owners
    // (no Group file here) are missing.
    let warnings: Vec<String> = catalog
        .problems()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| p.to_string())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings.iter().all(|w| w.contains(": ownedBy group:")),
        "{warnings:#?}"
    );
}

#[test]
fn convert_writes_backstage_files_that_validate_clean() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("converted");
    let port_json = format!("{DATA}/port/export.json");
    let o = idp(&[
        "convert",
        DATA,
        &port_json,
        "--out",
        target.to_str().unwrap(),
    ]);
    // The fixtures hold broken files on purpose: exit 1, each problem at file:line, and every
    // other file still converted.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("cortex/broken/cortex.yaml:6: error: YAML does not parse"),
        "{err}"
    );
    assert!(
        err.contains("idp-tui: wrote 23 entities in 13 file(s)"),
        "{err}"
    );
    let payments =
        std::fs::read_to_string(target.join("cortex/payments/catalog-info.yaml")).unwrap();
    assert!(
        payments.starts_with("# Converted by idp-tui from "),
        "{payments}"
    );
    assert!(
        payments.contains("  - component:cortex/ledger\n"),
        "{payments}"
    );
    assert!(
        target.join("catalog-info.yaml").exists(),
        "the export.json beside nothing else"
    );
    let v = idp(&["validate", target.to_str().unwrap()]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    let listed = text(&v.stdout);
    assert!(!listed.contains(": error:"), "{listed}");
    // Converting again does not overwrite without --force.
    let again = idp(&["convert", DATA, "--out", target.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("not overwritten (--force replaces it)"));
}

#[test]
fn convert_to_stdout_and_its_json_report() {
    let file = format!("{DATA}/opslevel/cart/opslevel.yml");
    let o = idp(&["convert", &file]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let yaml = text(&o.stdout);
    let doc: serde_json::Value =
        serde_yaml::from_str(yaml.lines().skip(1).collect::<Vec<_>>().join("\n").as_str()).unwrap();
    assert_eq!(doc["metadata"]["name"], "cart");
    assert_eq!(doc["spec"]["lifecycle"], "experimental");
    let o = idp(&["convert", &format!("{DATA}/cortex"), "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let files = report["files"].as_array().unwrap();
    let payments = files
        .iter()
        .find(|f| {
            f["source"]
                .as_str()
                .unwrap()
                .ends_with("payments/cortex.yaml")
        })
        .unwrap();
    assert_eq!(payments["format"], "cortex");
    let fields = payments["entities"][0]["fields"].as_array().unwrap();
    let fate = |name: &str| {
        fields
            .iter()
            .filter(|f| f["field"] == name)
            .map(|f| {
                (
                    f["fate"].as_str().unwrap().to_string(),
                    f["to"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(fate("info.x-cortex-apm").contains(&("annotation".into(), "idp-tui/raw.apm".into())));
    assert!(fate("info.title").contains(&("mapped".into(), "metadata.title".into())));
    assert!(fate("info.x-cortex-dependency.aws").is_empty());
    let broken = files
        .iter()
        .find(|f| {
            f["source"]
                .as_str()
                .unwrap()
                .ends_with("broken/cortex.yaml")
        })
        .unwrap();
    assert_eq!(broken["problems"][0]["line"], 6);
    assert_eq!(broken["output"], serde_json::Value::Null);
    // A file idp-tui does not convert is refused by name.
    let o = idp(&["convert", &format!("{DATA}/../catalog-does-not-exist.yaml")]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn converted_files_relate_in_idp_tui_as_a_real_backstage_ingested_them() {
    // Frozen from a real Backstage (see the file's `how`): all 23 entities accepted, none
    // rejected, with these relations.
    let frozen: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DATA}/backstage-ingest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(frozen["rejected"], serde_json::json!([]));
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("converted");
    let port_json = format!("{DATA}/port/export.json");
    idp(&[
        "convert",
        DATA,
        &port_json,
        "--out",
        target.to_str().unwrap(),
    ]);
    let catalog = load(&[target.to_str().unwrap()]);
    let mut ours: Vec<serde_json::Value> = catalog
        .ids()
        .map(|id| {
            let mut relations: Vec<String> = catalog
                .edges(id)
                .map(|edge| {
                    let target = match &edge.target {
                        idp_tui::catalog::Target::Resolved(t) => catalog.get(*t).entity_ref().to_string(),
                        idp_tui::catalog::Target::Missing(r) => r.to_string(),
                    };
                    format!("{} {target}", edge.relation.as_str())
                })
                .collect();
            relations.sort();
            serde_json::json!({"ref": catalog.get(id).entity_ref().to_string(), "relations": relations})
        })
        .collect();
    ours.sort_by_key(|v| v["ref"].as_str().unwrap().to_string());
    assert_eq!(serde_json::Value::Array(ours), frozen["accepted"]);
}

const KRATIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats/kratix");

#[test]
fn a_kratix_promise_is_an_api_and_a_request_template() {
    let catalog = load(&[KRATIX]);
    assert_eq!(
        refs(&catalog, "format:kratix"),
        [
            "api:kratix/postgresql",
            "template:kratix/request-postgresql"
        ]
    );
    let api = catalog
        .by_ref(&idp_tui::catalog::EntityRef::new(
            "api",
            "kratix",
            "postgresql",
        ))
        .unwrap();
    assert_eq!(api.spec_str("type"), Some("kratix-promise"));
    assert_eq!(
        api.spec_str("owner"),
        Some("group:default/data-platform-team")
    );
    assert!(api
        .spec_str("definition")
        .unwrap()
        .contains("openAPIV3Schema"));
    assert_eq!(
        api.metadata.annotations.get("kratix.io/crd-group"),
        Some("marketplace.kratix.io")
    );
    let o = idp(&["--catalog", KRATIX, "templates"]);
    assert!(
        text(&o.stdout).contains("template:kratix/request-postgresql  request postgresql"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn request_writes_the_resource_request_or_lists_every_error() {
    let values = format!("{KRATIX}/values.yaml");
    let o = idp(&[
        "--catalog",
        KRATIX,
        "request",
        "postgresql",
        "--values",
        &values,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let request: serde_json::Value = serde_yaml::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(
        request,
        serde_json::json!({
            "apiVersion": "marketplace.kratix.io/v1alpha1",
            "kind": "postgresql",
            "metadata": {"name": "orders-db", "namespace": "payments"},
            "spec": {
                "teamId": "payments-team", "dbName": "orders", "env": "prod", "sizeGb": 50,
                // The nested object's defaults, as the form fills them in.
                "backups": {"enabled": true, "retentionDays": 7},
            },
        })
    );
    // The same values through the Template (the form engine): the same request.
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        scaffolded_request(&values, out.path(), "orders-db-postgresql.yaml"),
        request
    );
    // --out writes the file; --dry-run writes nothing.
    let file = out.path().join("orders-db.yaml");
    let o = idp(&[
        "--catalog",
        KRATIX,
        "request",
        "postgresql",
        "--values",
        &values,
        "--out",
        file.to_str().unwrap(),
        "--dry-run",
    ]);
    assert!(o.status.success());
    assert!(!file.exists());
    let o = idp(&[
        "--catalog",
        KRATIX,
        "request",
        "api:kratix/postgresql",
        "--values",
        &values,
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(
        serde_yaml::from_str::<serde_json::Value>(&std::fs::read_to_string(&file).unwrap())
            .unwrap(),
        request
    );
    // Invalid values: exit 1 and every error, with where it is.
    let bad = format!("{KRATIX}/bad-values.yaml");
    let o = idp(&[
        "--catalog",
        KRATIX,
        "request",
        "postgresql",
        "--values",
        &bad,
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["request"], serde_json::Value::Null);
    let errors: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    for at in [
        "name:",
        "spec:",
        "spec.teamId:",
        "spec.env:",
        "spec.sizeGb:",
    ] {
        assert!(errors.iter().any(|e| e.starts_with(at)), "{at} {errors:#?}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.contains("\"dbName\" is a required property")),
        "{errors:#?}"
    );
}

#[test]
fn the_example_kratix_actions_load_and_apply_the_demo_promise() {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kratix/actions.yaml");
    // The demo catalog holds the PostgreSQL Promise.
    let o = idp(&[
        "--config",
        config,
        "action",
        "Write request",
        "api:kratix/postgresql",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains(r#"argv: ["idp-tui", "request", "postgresql", "--values", "requests/postgresql.values.yaml", "--out", "gitops/requests/postgresql.yaml"]"#),
        "{}",
        text(&o.stdout)
    );
    let o = idp(&[
        "--config",
        config,
        "action",
        "Apply request",
        "api:kratix/postgresql",
        "--dry-run",
    ]);
    assert!(
        text(&o.stdout)
            .contains(r#"argv: ["kubectl", "apply", "-f", "gitops/requests/postgresql.yaml"]"#),
        "{}",
        text(&o.stdout)
    );
    // With inputs: the request piped to kubectl, each value quoted inside the script.
    let o = idp(&[
        "--config",
        config,
        "action",
        "Request and apply",
        "api:kratix/postgresql",
        "--set",
        "namespace=team-a",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains(
            r#"argv: ["sh", "-c", "idp-tui request 'postgresql' --values requests/'postgresql'.values.yaml | kubectl apply --dry-run='server' --namespace 'team-a' -f -"]"#
        ),
        "{}",
        text(&o.stdout)
    );
    assert!(text(&o.stdout)
        .contains("confirm: Send the postgresql request to namespace team-a (dry run server)?"));
    let o = idp(&[
        "--config",
        config,
        "action",
        "Request and apply",
        "api:kratix/postgresql",
        "--set",
        "namespace=Team A; id",
        "--set",
        "dryRun=always",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("Namespace (namespace)"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains("Dry run (dryRun)"),
        "{}",
        text(&o.stderr)
    );
    let o = idp(&["templates"]);
    assert!(
        text(&o.stdout).contains("template:kratix/request-postgresql  request postgresql"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn a_compass_team_map_turns_team_ids_into_backstage_groups_and_keeps_the_rest() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/compass-teams");
    let catalog = load(&[dir]);
    let owner = |name: &str| {
        let e = catalog
            .entities()
            .iter()
            .find(|e| e.metadata.name == name)
            .unwrap_or_else(|| panic!("{name} loaded"));
        (
            e.spec_str("owner").map(str::to_string),
            e.metadata
                .annotations
                .get("idp-tui/owner-id")
                .map(str::to_string),
        )
    };
    // By the ARI (identity form), and by the uuid alone for a teams-form ARI.
    assert_eq!(
        owner("checkout").0.as_deref(),
        Some("group:default/storefront-team")
    );
    assert_eq!(
        owner("search-api").0.as_deref(),
        Some("group:default/search-team")
    );
    // Not in the map: the placeholder, the id kept as annotation, and a warning at its line.
    let (placeholder, kept) = owner("legacy-billing");
    assert_eq!(placeholder.as_deref(), Some("group:compass/team-0e4b7d21"));
    assert_eq!(
        kept.as_deref(),
        Some("ari:cloud:identity::team/0e4b7d21-9c3a-4f58-b6e1-7a2d5c8f9b03")
    );
    let problems: Vec<String> = catalog.problems().map(|p| p.to_string()).collect();
    let all = problems.join("\n");
    assert!(
        all.contains("unmapped/compass.yml:4:")
            && all.contains(
                "Compass team 0e4b7d21-9c3a-4f58-b6e1-7a2d5c8f9b03 is not in the team map"
            ),
        "{all}"
    );
    // A value that is not a group is an error at its line; the other entries still apply.
    assert!(
        all.contains("compass-teams.yaml:4:") && all.contains("is not a group reference"),
        "{all}"
    );
    // The map is no entity of its own.
    assert_eq!(
        refs(&catalog, "format:compass").len(),
        3,
        "{:?}",
        refs(&catalog, "format:compass")
    );
}

const BLUEPRINTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/port-blueprints");

#[test]
fn a_walk_reads_the_port_blueprints_beside_a_port_yml_and_they_steer_its_relations() {
    let catalog = load(&[&format!("{BLUEPRINTS}/repo")]);
    let search = catalog
        .by_ref(&idp_tui::catalog::EntityRef::new(
            "component",
            "port",
            "search",
        ))
        .unwrap();
    // `queues` targets the `queue` blueprint (queue.blueprint.json): a dependency on a
    // Resource; `owner` targets `_team`.
    assert_eq!(search.spec_str("owner"), Some("group:port/search-team"));
    let depends: Vec<String> = search
        .spec
        .get("dependsOn")
        .and_then(|v| v.as_array())
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(depends, ["resource:port/reindex"]);
    let problems: Vec<String> = catalog
        .problems()
        .map(|p| p.to_string().replace(&format!("{BLUEPRINTS}/"), ""))
        .collect();
    // The broken blueprint file is one error at its line; the good ones beside it apply.
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("repo/broken.blueprint.json:4: error: JSON does not parse")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with(
            "repo/port.yml:9: error: search: property `dashboard` is \"grafana.example.com/d/search\", not a valid url"
        )),
        "{problems:#?}"
    );
}

#[test]
fn a_port_export_with_blueprints_converts_to_files_that_validate_clean() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("converted");
    let export = format!("{BLUEPRINTS}/export.json");
    let repo = format!("{BLUEPRINTS}/repo");
    let o = idp(&["convert", &export, &repo, "--out", target.to_str().unwrap()]);
    // The fixtures break the blueprints' rules on purpose: exit 1, each at its line.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("export.json:87: error: cart: property `replicas` is a string, but the blueprint declares a number"),
        "{err}"
    );
    let v = idp(&["validate", target.to_str().unwrap()]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    assert!(!text(&v.stdout).contains(": error:"), "{}", text(&v.stdout));
    // The report names each kept property with its blueprint title.
    let o = idp(&["convert", &export, "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let checkout = report["files"][0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ref"] == "component:port/checkout")
        .unwrap_or_else(|| panic!("{report:#}"));
    let pager = checkout["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "properties.pagerDuty")
        .unwrap();
    assert_eq!(pager["fate"], "annotation");
    assert_eq!(pager["title"], "PagerDuty service");
}

#[test]
fn request_takes_nested_values_checks_them_and_the_form_makes_the_same_request() {
    let values = format!("{KRATIX}/nested-values.yaml");
    let o = idp(&[
        "--catalog",
        KRATIX,
        "request",
        "postgresql",
        "--values",
        &values,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let request: serde_json::Value = serde_yaml::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(
        request["spec"]["backups"],
        serde_json::json!({"enabled": false, "retentionDays": 30})
    );
    // Through the Template, the nested mapping fills the form's `backups › …` fields.
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        scaffolded_request(&values, out.path(), "analytics-postgresql.yaml"),
        request
    );
    // A nested value out of bounds: exit 1, the error at its path.
    let bad = out.path().join("bad.yaml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&values)
            .unwrap()
            .replace("retentionDays: 30", "retentionDays: 0"),
    )
    .unwrap();
    let o = idp(&[
        "--catalog",
        KRATIX,
        "request",
        "postgresql",
        "--values",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("spec.backups.retentionDays: 0 is less than the minimum of 1"),
        "{}",
        text(&o.stderr)
    );
}

/// The Kratix request the `request-postgresql` Template writes for `values` (scaffolded into
/// `out`), read back from `file` without its annotations (which say where it came from).
fn scaffolded_request(values: &str, out: &std::path::Path, file: &str) -> serde_json::Value {
    let dir = out.join("scaffolded");
    let s = idp(&[
        "--catalog",
        KRATIX,
        "scaffold",
        "request-postgresql",
        "--values",
        values,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(s.status.success(), "{}", text(&s.stderr));
    let mut scaffolded: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    scaffolded["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    scaffolded
}
