//! Catalog files read as a real Backstage catalog backend reads them. Each fixture under
//! `tests/data/parity/` was loaded into plugin-catalog-backend 4.0 with
//! `catalog-dump.py tests/data/parity/<case>` (see `docs/validation.md`); what Backstage
//! accepted and rejected is written next to each test, and idp-tui must agree.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, EntityRef, Problem, RelationType, Severity, Target};
use idp_tui::source::{load_blocking, SourceSpec};
use std::process::{Command, Output};

const PARITY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/parity");

fn load(paths: &[&str]) -> Catalog {
    load_blocking(&[SourceSpec::Files {
        name: "parity".into(),
        paths: paths.iter().map(|p| format!("{PARITY}/{p}")).collect(),
    }])
}

fn reference(text: &str) -> EntityRef {
    EntityRef::parse(text, None, "default").unwrap()
}

/// The errors that rejected `text`, or a panic naming what the catalog holds.
fn rejection<'a>(catalog: &'a Catalog, text: &str) -> Vec<&'a Problem> {
    let r = reference(text);
    assert!(catalog.by_ref(&r).is_none(), "{r} is in the catalog");
    catalog
        .rejected()
        .into_iter()
        .find(|(rejected, _)| **rejected == r)
        .map(|(_, problems)| problems)
        .unwrap_or_else(|| panic!("{r} is not listed as rejected: {:?}", catalog.rejected()))
}

fn messages(problems: &[&Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

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

// (1) Rejected entities. Backstage accepted `survivor` only; `bad name` (Policy check failed),
// `bad-owner-type` (/spec/owner must be string) and `number-annotation`
// (/metadata/annotations/example.com~1replicas must be string) were rejected.

#[test]
fn an_entity_with_an_error_leaves_the_catalog_and_keeps_its_problem_with_file_and_line() {
    let catalog = load(&["rejected"]);
    assert!(catalog.by_ref(&reference("component:survivor")).is_some());
    let name = rejection(&catalog, "component:default/bad name");
    assert!(
        messages(&name).contains("metadata.name"),
        "{}",
        messages(&name)
    );
    let owner = rejection(&catalog, "component:bad-owner-type");
    let owner_text = messages(&owner);
    assert!(owner_text.contains("spec.owner must be"), "{owner_text}");
    assert!(
        // The line of `owner:` (class 8), not the document's first line.
        owner_text.contains("rejected/wrong-type.yaml:8"),
        "{owner_text}"
    );
    let annotation = rejection(&catalog, "component:number-annotation");
    assert!(
        messages(&annotation).contains("example.com/replicas must be a string"),
        "{}",
        messages(&annotation)
    );
    // Exactly these three, and they stay in the problem list.
    assert_eq!(catalog.rejected().len(), 3, "{:?}", catalog.rejected());
    assert!(catalog
        .problems()
        .any(|p| p.severity == Severity::Error && p.message.contains("spec.owner")));
}

#[test]
fn a_rejected_entity_owns_nothing_and_a_reference_to_it_dangles() {
    let catalog = load(&["rejected"]);
    let team = catalog.id_of(&reference("group:team-a")).expect("team-a");
    let owned: Vec<String> = catalog
        .related(team, RelationType::OwnerOf)
        .map(|id| catalog.get(id).entity_ref().to_string())
        .collect();
    assert_eq!(owned, ["component:default/survivor"]);
    let survivor = catalog.id_of(&reference("component:survivor")).unwrap();
    let deps: Vec<_> = catalog
        .edges(survivor)
        .filter(|e| e.relation == RelationType::DependsOn)
        .collect();
    assert_eq!(deps.len(), 1);
    assert!(matches!(&deps[0].target, Target::Missing(r) if r.name() == "bad-owner-type"));
}

#[test]
fn show_of_a_rejected_entity_says_rejected_with_its_reasons_and_exits_1() {
    let dir = format!("{PARITY}/rejected");
    let o = idp(&["--catalog", &dir, "show", "bad-owner-type"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("component:default/bad-owner-type: rejected:"),
        "{err}"
    );
    assert!(err.contains("spec.owner must be"), "{err}");
    assert!(!err.contains("no entity matches"), "{err}");
    // The other views that name one entity say the same.
    for command in ["owner", "deps"] {
        let o = idp(&["--catalog", &dir, command, "bad-owner-type"]);
        assert_eq!(o.status.code(), Some(1), "{command}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains("rejected:"), "{command}");
    }
}

#[test]
fn search_leaves_rejected_entities_out_and_validate_lists_them() {
    let dir = format!("{PARITY}/rejected");
    let o = idp(&["--catalog", &dir, "search", "--json", "--limit", "100"]);
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let refs: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["ref"].as_str())
        .collect();
    assert!(refs.contains(&"component:default/survivor"), "{refs:?}");
    assert!(
        !refs.iter().any(|r| r.contains("bad-owner-type")),
        "{refs:?}"
    );
    let o = idp(&["validate", "--rejected", "--json", &dir]);
    assert_eq!(o.status.code(), Some(1));
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let refs: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["ref"].as_str())
        .collect();
    assert_eq!(
        refs,
        [
            "component:default/bad name",
            "component:default/bad-owner-type",
            "component:default/number-annotation"
        ]
    );
    let first = &listed[1]["problems"][0];
    assert_eq!(first["severity"], "error");
    assert!(first["path"].as_str().unwrap().ends_with("wrong-type.yaml"));
    assert!(first["line"].as_u64().is_some());
}

// (3) The envelope and kind schemas. Backstage accepted only `annotations-null` of `nulls/`.

#[test]
fn an_explicit_null_is_a_type_error_not_an_absent_field() {
    let catalog = load(&["nulls"]);
    let expected = [
        ("component:depends-null", "spec.dependsOn must be a list"),
        (
            "component:description-null",
            "metadata.description must be a string, found null",
        ),
        (
            "component:labels-null",
            "metadata.labels must be a mapping, found null",
        ),
        (
            "component:link-title-null",
            "metadata.links[0].title must be a string, found null",
        ),
        (
            "component:links-null",
            "metadata.links must be a list, found null",
        ),
        (
            "component:namespace-null",
            "metadata.namespace must be a string, found null",
        ),
        (
            "component:owner-null",
            "spec.owner must be a non-empty string, found null",
        ),
        ("user:spec-null", "User needs a spec"),
        (
            "component:system-null",
            "spec.system must be a non-empty string, found null",
        ),
        (
            "component:tags-null",
            "metadata.tags must be a list, found null",
        ),
        (
            "location:targets-null",
            "spec.targets must be a list of non-empty strings",
        ),
        (
            "component:title-null",
            "metadata.title must be a string, found null",
        ),
    ];
    for (r, message) in expected {
        let why = messages(&rejection(&catalog, r));
        assert!(why.contains(message), "{r}: {why}");
    }
    assert!(catalog
        .by_ref(&reference("component:annotations-null"))
        .is_some());
    assert_eq!(catalog.len(), 1, "only annotations-null is accepted");
}

#[test]
fn unknown_root_keys_reject_the_entity() {
    let catalog = load(&["root-keys", "schema-extra/root-status-only.yaml"]);
    let why = messages(&rejection(&catalog, "component:root-depends"));
    assert!(why.contains("unknown root key \"dependsOn\""), "{why}");
    assert!(why.contains("root-depends.yaml:9"), "{why}");
    // Backstage: "Unknown field relations" / "Unknown field status" in a file.
    let why = messages(&rejection(&catalog, "component:root-status"));
    assert!(
        why.contains("\"relations\"") && why.contains("\"status\""),
        "{why}"
    );
    rejection(&catalog, "component:root-status-only");
    assert!(catalog.is_empty());
}

#[test]
fn every_api_type_needs_a_definition_mcp_server_too() {
    let catalog = load(&["api-definition"]);
    for r in ["api:mcp-no-definition", "api:grpc-no-definition"] {
        let why = messages(&rejection(&catalog, r));
        assert!(why.contains("spec.definition is required"), "{why}");
    }
    assert!(catalog.by_ref(&reference("api:with-definition")).is_some());
}

#[test]
fn schema_details_backstage_enforces() {
    let catalog = load(&["schema-extra"]);
    let cases = [
        (
            "user:user-no-memberof",
            "spec.memberOf is required for a User",
        ),
        ("component:empty-title", "metadata.title must not be empty"),
        (
            "component:empty-dependson-item",
            "spec.dependsOn must be a list of non-empty strings",
        ),
        (
            "group:profile-null",
            "spec.profile must be a mapping, found null",
        ),
    ];
    for (r, message) in cases {
        let why = messages(&rejection(&catalog, r));
        assert!(why.contains(message), "{r}: {why}");
    }
    assert!(
        catalog.is_empty(),
        "Backstage accepted none of schema-extra/"
    );
}

#[test]
fn the_rule_table_and_the_docs_agree() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/validation.md"))
        .unwrap();
    for rule in idp_tui::catalog::schema::RULES {
        assert!(
            docs.contains(&format!("`{}`", rule.backstage)),
            "docs/validation.md lacks Backstage's wording {:?} for {}",
            rule.backstage,
            rule.field
        );
    }
}

// (2) Locations. Backstage: empty-spec accepted; github-type ("must be of an allowed type"),
// glob-none and missing (NotFoundError) rejected, and missing's good target not read.

#[test]
fn locations_as_backstage_reads_them() {
    let catalog = load(&[
        "locations/empty-spec.yaml",
        "locations/github-type.yaml",
        "locations/glob-none.yaml",
        "locations/missing.yaml",
        "locations/url-relative.yaml",
    ]);
    assert!(catalog.by_ref(&reference("location:empty-spec")).is_some());
    assert!(!catalog
        .problems()
        .any(|p| p.entity.as_ref().is_some_and(|e| e.name() == "empty-spec")));
    let why = messages(&rejection(&catalog, "location:github-type"));
    assert!(
        why.contains("\"github\" is not an allowed location type"),
        "{why}"
    );
    let why = messages(&rejection(&catalog, "location:glob-none"));
    assert!(why.contains("matches no file"), "{why}");
    let why = messages(&rejection(&catalog, "location:missing-target"));
    assert!(why.contains("./sub/absent.yaml does not exist"), "{why}");
    assert!(
        catalog
            .by_ref(&reference("component:found-by-location"))
            .is_none(),
        "a rejected Location's other targets are not read"
    );
    // A `url` Location's relative target is the file next to it.
    assert!(catalog
        .by_ref(&reference("location:url-relative"))
        .is_some());
    assert!(catalog
        .by_ref(&reference("component:found-by-url"))
        .is_some());
}

// (4) Relation lists, sorted as Backstage sorts them (JavaScript's default order).

#[test]
fn relation_lists_are_sorted_as_backstage_sorts_them() {
    let file = format!("{PARITY}/order/unsorted.yaml");
    let o = idp(&["--catalog", &file, "show", "--json", "component:unsorted"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Backstage's spec, from catalog-dump.py on tests/data/parity/order.
    assert_eq!(
        v["spec"]["dependsOn"],
        serde_json::json!([
            "Component:default/mm-svc",
            "component:aa-svc",
            "resource:bb-db",
            "resource:zz-db"
        ])
    );
    assert_eq!(
        v["spec"]["dependencyOf"],
        serde_json::json!(["component:aa-parent", "component:zz-parent"])
    );
    assert_eq!(
        v["spec"]["providesApis"],
        serde_json::json!(["a-api", "z-api"])
    );
    assert_eq!(
        v["spec"]["consumesApis"],
        serde_json::json!(["b-api", "y-api"])
    );
    let o = idp(&["--catalog", &file, "show", "--json", "group:team-order"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["spec"]["children"],
        serde_json::json!(["aa-child", "zz-child"])
    );
    assert_eq!(v["spec"]["members"], serde_json::json!(["amy", "zed"]));
    let o = idp(&["--catalog", &file, "show", "--json", "user:amy"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["spec"]["memberOf"],
        serde_json::json!(["aa-group", "zz-group"])
    );
    let catalog = load(&["order/unsorted.yaml"]);
    let id = catalog.id_of(&reference("component:unsorted")).unwrap();
    let deps: Vec<String> = catalog
        .edges(id)
        .filter(|e| e.relation == RelationType::DependsOn)
        .map(|e| catalog.target_ref(&e.target).to_string())
        .collect();
    // The spec lists above keep Backstage's sort of the text as written (`Component:` before
    // `component:`); the catalog's relations are listed by type and then canonical target once
    // a load is done, so the entity view does not depend on the order entities arrived in.
    assert_eq!(
        deps,
        [
            "component:default/aa-svc",
            "component:default/mm-svc",
            "resource:default/bb-db",
            "resource:default/zz-db"
        ]
    );
}

// (6) Duplicates in one file: Backstage kept the last copy (description "last copy").

#[test]
fn a_duplicate_in_one_file_keeps_the_last_copy_with_a_warning() {
    let catalog = load(&["duplicates"]);
    let twice = catalog.by_ref(&reference("component:twice")).unwrap();
    assert_eq!(twice.metadata.description.as_deref(), Some("last copy"));
    assert_eq!(twice.spec_str("type"), Some("website"));
    let warning = catalog
        .problems()
        .find(|p| p.message.contains("duplicate entity in this file"))
        .expect("the first copy is reported");
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.origin.as_ref().and_then(|o| o.line), Some(1));
    assert!(warning.message.contains("line 11"), "{}", warning.message);
    assert!(!catalog.problems().any(|p| p.severity == Severity::Error));
}

// (5) Placeholders. Backstage rejected all three (it cannot read the URL here, `$file` is no
// placeholder, and `$text: ./…` needs a url location); idp-tui keeps the URL one with a
// warning and reads the relative one.

#[test]
fn a_url_placeholder_is_reported_and_an_unknown_key_is_an_error() {
    let catalog = load(&["placeholders"]);
    let remote = catalog.by_ref(&reference("api:remote-text")).unwrap();
    assert!(remote.spec.get("definition").is_some_and(|d| d.is_object()));
    let warning = catalog
        .problems()
        .find(|p| p.message.contains("https://example.com/apis/petstore.yaml"))
        .expect("the URL placeholder is reported");
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning.message.contains("not fetched"),
        "{}",
        warning.message
    );
    let why = messages(&rejection(&catalog, "api:unknown-key"));
    assert!(
        why.contains("spec.definition must be a non-empty string"),
        "{why}"
    );
    let relative = catalog.by_ref(&reference("api:relative-text")).unwrap();
    assert!(relative
        .spec_str("definition")
        .is_some_and(|d| d.starts_with("openapi: 3.0.0")));
}

// (7) Discovery. (Backstage reads what is registered; these are idp-tui's walking rules.)

#[test]
fn discovery_walks_dot_backstage_skips_skeletons_and_reports_odd_catalog_files() {
    let catalog = load(&["discovery"]);
    assert!(catalog
        .by_ref(&reference("component:hidden-dir-component"))
        .is_some());
    assert!(catalog
        .by_ref(&reference("component:plain-component"))
        .is_some());
    assert!(catalog
        .by_ref(&reference("template:svc-template"))
        .is_some());
    let problems: Vec<String> = catalog.problems().map(|p| p.to_string()).collect();
    let about =
        |part: &str| -> Vec<&String> { problems.iter().filter(|p| p.contains(part)).collect() };
    // The Template's `url: ./content` and the `skeleton` folder are not read at all.
    assert!(about("svc/content").is_empty(), "{problems:#?}");
    assert!(about("svc/skeleton").is_empty(), "{problems:#?}");
    let loose = about("loose/catalog-info.yaml");
    assert_eq!(loose.len(), 1, "{problems:#?}");
    assert!(
        loose[0].contains("looks like a template skeleton"),
        "{}",
        loose[0]
    );
    assert!(
        loose[0].contains("catalog-info.yaml:4: warning"),
        "{}",
        loose[0]
    );
    let not_entity = about("notentity/catalog-info.yaml");
    assert_eq!(not_entity.len(), 1, "{problems:#?}");
    assert!(
        not_entity[0].contains("holds no entity"),
        "{}",
        not_entity[0]
    );
    assert_eq!(catalog.len(), 3, "{problems:#?}");
}

#[test]
fn a_named_skeleton_file_is_an_error_not_a_yaml_error() {
    let catalog = load(&["discovery/templates/svc/skeleton/catalog-info.yaml"]);
    let problems: Vec<&Problem> = catalog.problems().collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].severity, Severity::Error);
    assert!(problems[0]
        .message
        .contains("looks like a template skeleton"));
    assert!(!problems[0].message.contains("parse"));
}

// (8) Line numbers. `catalog-dump.py tests/data/parity/lines` (plugin-catalog-backend 4.0):
// Backstage accepted `bad-dependency` (a `component:default/a/b` target is a ref to it) and
// `good-one`; it rejected every other entity of `fields.yaml` (tags.1, /spec/owner must be
// string, /spec must have required property 'lifecycle', labels.not a key, "No processor
// recognized the entity", <root> must NOT have additional properties, /metadata/links/1 must
// have required property 'url', "metadata.name" is not valid), `lines-api` (the `$text` file)
// and `lines-targets` (missing.yaml does not exist); `empty-namespace.yaml` lost the whole file
// (/metadata/namespace must NOT have fewer than 1 characters). Backstage gives no line; idp-tui
// gives the line of the field, so an editor jumps to it.

#[test]
fn validate_points_at_the_offending_fields_line() {
    let out = idp(&["validate", &format!("{PARITY}/lines")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let expected = [
        (
            "fields.yaml:8: error: component:default/bad-tag:",
            "metadata.tags",
        ),
        (
            "fields.yaml:21: error: component:default/owner-not-a-string:",
            "spec.owner must be",
        ),
        (
            "fields.yaml:29: error: component:default/no-lifecycle:",
            "spec.lifecycle is required",
        ),
        (
            "fields.yaml:51: error: component:default/bad-label-key:",
            "metadata.labels key \"not a key\"",
        ),
        (
            "fields.yaml:60: error: component:default/foreign-api-version:",
            "apiVersion \"example.com/v1alpha1\"",
        ),
        (
            "fields.yaml:74: error: component:default/root-depends-on:",
            "unknown root key \"dependsOn\"",
        ),
        (
            "fields.yaml:84: error: component:default/link-without-url:",
            "metadata.links[1] needs a url",
        ),
        (
            "fields.yaml:93: error: component:default/bad-name-:",
            "metadata.name \"bad-name-\"",
        ),
        (
            "empty-namespace.yaml:6: error: component:default/empty-namespace:",
            "metadata.namespace must not be empty",
        ),
        ("api.yaml:9: error: api:default/lines-api:", "$text"),
        (
            "location.yaml:9: error: location:default/lines-targets:",
            "missing.yaml does not exist",
        ),
    ];
    for (at, what) in expected {
        let line = stdout
            .lines()
            .find(|l| l.contains(at))
            .unwrap_or_else(|| panic!("no problem at {at}:\n{stdout}"));
        assert!(line.contains(what), "{line}");
    }
    // Two accepted, as Backstage accepted them.
    let summary = text(&out.stderr);
    assert!(summary.contains("2 entities, 12 error(s)"), "{summary}");
}

#[test]
fn a_rejected_field_keeps_its_line_in_the_json_and_after_a_cached_start() {
    let catalog = load(&["lines/fields.yaml"]);
    let tag = rejection(&catalog, "component:bad-tag");
    assert_eq!(tag[0].origin.as_ref().unwrap().line, Some(8), "{tag:?}");
    // A dependency that does not parse points at its item, whatever order the list is sorted
    // into (Backstage sorts `dependsOn`).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deps.yaml");
    std::fs::write(
        &file,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: deps\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  dependsOn:\n    - component:zzz\n    - \"component:\"\n    - component:aaa\n",
    )
    .unwrap();
    let catalog = load_blocking(&[SourceSpec::Files {
        name: "deps".into(),
        paths: vec![file.to_string_lossy().to_string()],
    }]);
    let deps = rejection(&catalog, "component:deps");
    assert_eq!(deps.len(), 1, "{deps:?}");
    assert!(deps[0].message.starts_with("spec.dependsOn:"), "{deps:?}");
    assert_eq!(deps[0].origin.as_ref().unwrap().line, Some(11), "{deps:?}");
}

// The core kinds' apiVersion: `catalog-dump.py tests/data/parity/api-version` accepted the
// seven entities asserted below and rejected the other nine with "No processor recognized the
// entity … as valid, possibly caused by a foreign kind or apiVersion".

#[test]
fn core_kinds_are_read_at_backstages_api_versions_only() {
    let catalog = load(&["api-version"]);
    let mut accepted: Vec<String> = catalog
        .entities()
        .iter()
        .map(|e| e.entity_ref().to_string())
        .collect();
    accepted.sort();
    assert_eq!(
        accepted,
        [
            "api:default/beta-api",
            "component:default/alpha-one",
            "component:default/beta-one",
            "group:default/beta-group",
            "location:default/beta-location",
            "system:default/beta-system",
            "template:default/template-beta-three",
        ]
    );
    for r in [
        "component:beta-two",
        "component:foreign-group",
        "component:no-group",
        "component:scaffolder-group",
        "component:upper-case-version",
        "component:version-one",
        "template:template-alpha-one",
        "template:template-beta-two",
        "template:template-scaffolder-beta-two",
    ] {
        let problems = rejection(&catalog, r);
        assert!(
            messages(&problems).contains("is not one Backstage reads for a"),
            "{}",
            messages(&problems)
        );
    }
}

#[test]
fn warnings_found_after_loading_point_at_their_fields_line() {
    // A reference to no entity and an unknown kind are found by the catalog once every file is
    // in, where no text is at hand; `validate` still names the field's line, as it does for
    // errors. Warnings never reject: both entities stay.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("warned.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: warned\nspec:\n  type: service\n  lifecycle: production\n  owner: team-nobody\n  dependsOn:\n    - component:zzz-gone\n    - component:warned\n    - resource:aaa-gone\n---\napiVersion: example.com/v1\n# a comment first\nkind: Gadget\nmetadata:\n  name: gizmo\n",
    )
    .unwrap();
    let path = dir.path().to_string_lossy().to_string();
    let out = idp(&["validate", &path]);
    let stdout = text(&out.stdout);
    let expected = [
        (
            "warned.yaml:8: warning:",
            "ownedBy group:default/team-nobody",
        ),
        (
            "warned.yaml:10: warning:",
            "dependsOn component:default/zzz-gone",
        ),
        (
            "warned.yaml:12: warning:",
            "dependsOn resource:default/aaa-gone",
        ),
        ("warned.yaml:16: warning:", "unknown kind \"Gadget\""),
    ];
    for (at, what) in expected {
        let line = stdout
            .lines()
            .find(|l| l.contains(at) && l.contains(what))
            .unwrap_or_else(|| panic!("no {what:?} at {at}:\n{stdout}"));
        assert!(line.contains(what), "{line}");
    }
    assert!(
        text(&out.stderr).contains("2 entities, 0 error(s)"),
        "{}",
        text(&out.stderr)
    );
}
