//! Loading catalogs from files: Backstage's own examples, broken files, Locations.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, EntityRef, RelationType, Severity};
use idp_tui::source::{self, SourceSpec};

fn load(paths: &[&str]) -> Catalog {
    source::load_blocking(&[SourceSpec::Files {
        name: "test".into(),
        paths: paths.iter().map(|p| p.to_string()).collect(),
    }])
}

#[path = "support/corpus.rs"]
mod corpus;

fn messages(c: &Catalog) -> Vec<String> {
    c.problems().map(|p| p.to_string()).collect()
}

fn has(c: &Catalog, r: &str) -> bool {
    c.by_ref(&EntityRef::parse(r, None, "default").unwrap())
        .is_some()
}

#[test]
fn backstage_example_catalog_loads_through_its_locations() {
    let Some(files) = corpus::strings(&[
        "catalog-model-examples/all.yaml",
        "catalog-model-examples/acme-corp.yaml",
    ]) else {
        return;
    };
    let c = load(&[&files[0], &files[1]]);
    let errors: Vec<String> = c
        .problems()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect();
    // Backstage rejects one of its own examples, an `mcp-server` API without a `definition`
    // (checked on plugin-catalog-backend 4.0 with catalog-dump.py); so do we.
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("api:default/backstage-mcp-server: spec.definition is required"),
        "{errors:#?}"
    );
    // Only the AiResource kind (not in the core model) and the URL placeholders the file
    // source does not fetch are warned about.
    for p in c.problems().filter(|p| p.severity == Severity::Warning) {
        assert!(
            p.message.contains("unknown kind \"AiResource\"")
                || p.message.contains("is a URL: not fetched"),
            "unexpected: {p}"
        );
    }
    for r in [
        "group:default/team-a",
        "user:default/guest",
        "user:development/guest",
        "component:default/wayback-archive-ingestion",
        "api:default/petstore-webhook",
        "domain:default/artists",
        "resource:default/artists-db",
        "location:default/example-groups",
    ] {
        assert!(has(&c, r), "{r} missing");
    }
    assert!(c.len() >= 60, "{} entities", c.len());
}

#[test]
fn relative_text_placeholder_is_read_into_the_definition() {
    let Some(all) = corpus::string("catalog-model-examples/all.yaml") else {
        return;
    };
    let c = load(&[&all]);
    let api = c
        .by_ref(&EntityRef::new("api", "default", "petstore-webhook"))
        .unwrap();
    let def = api
        .spec_str("definition")
        .expect("definition resolved to text");
    assert!(def.contains("openapi"), "{def:.80}");
}

#[test]
fn cross_namespace_members_resolve() {
    let Some(acme) = corpus::string("catalog-model-examples/acme-corp.yaml") else {
        return;
    };
    let c = load(&[&acme]);
    let guest = c
        .id_of(&EntityRef::new("user", "development", "guest"))
        .unwrap();
    let groups: Vec<String> = c
        .related(guest, RelationType::MemberOf)
        .map(|g| c.get(g).entity_ref().to_string())
        .collect();
    assert_eq!(groups, ["group:default/team-a"]);
}

#[test]
fn intentionally_invalid_component_is_reported_by_rule() {
    let Some(file) =
        corpus::string("catalog-model-examples-unreferenced/components/invalid-component.yaml")
    else {
        return;
    };
    let c = load(&[&file]);
    let m = messages(&c);
    assert!(
        m.iter()
            .any(|p| p.contains("error") && p.contains("metadata.name \"invalid component\"")),
        "{m:#?}"
    );
    assert!(
        m.iter().any(|p| p.contains("metadata.tags: \"go 1.15.3\"")),
        "{m:#?}"
    );
    assert!(
        m.iter().all(|p| p.contains("invalid-component.yaml:")),
        "{m:#?}"
    );
    // Backstage rejects it ("Policy check failed"): it is not in the catalog.
    assert_eq!(c.len(), 0, "the invalid entity is rejected");
    assert_eq!(c.rejected().len(), 1);
}

#[test]
fn other_namespace_and_kindless_owner() {
    let Some(file) =
        corpus::string("catalog-model-examples-unreferenced/components/different-namespace.yaml")
    else {
        return;
    };
    let c = load(&[&file]);
    let e = &c.entities()[0];
    assert_eq!(e.entity_ref().namespace(), "alternative");
    assert_eq!(
        c.owner_ref(c.ids().next().unwrap()).unwrap().as_str(),
        "group:default/team-a"
    );
}

#[test]
fn every_corpus_template_loads_as_an_entity() {
    let Some(dirs) = corpus::strings(&["software-templates", "scaffolder-sample-templates"]) else {
        return;
    };
    let c = load(&[&dirs[0], &dirs[1]]);
    for name in [
        "create-react-app-template",
        "docs-template",
        "bui-kitchen-sink-demo",
        "conditional-parameters-demo",
    ] {
        assert!(
            has(&c, &format!("template:default/{name}")),
            "{name}: {:#?}",
            messages(&c)
        );
    }
}

#[test]
fn broken_documents_never_hide_their_neighbours() {
    let c = load(&["tests/data/broken/mixed.yaml"]);
    for r in [
        "component:default/good-before",
        "component:default/good-after",
        "group:default/team-x",
    ] {
        assert!(has(&c, r), "{r} missing");
    }
    assert!(
        has(&c, "gizmo:default/unknown-kind"),
        "unknown kinds are kept"
    );
    let m = messages(&c);
    let find = |needle: &str| {
        m.iter()
            .find(|p| p.contains(needle))
            .unwrap_or_else(|| panic!("no problem mentions {needle:?}: {m:#?}"))
    };
    assert!(find("YAML does not parse").starts_with("tests/data/broken/mixed.yaml:16: error:"));
    assert!(find("not an entity").contains("mixed.yaml:19"), "{m:#?}");
    assert!(find("unknown kind").contains("warning"));
    assert!(find("spec.lifecycle is required").contains("component:default/missing-fields"));
    assert!(find("no such entity").contains("component:default/nowhere"));
    let good = c
        .by_ref(&EntityRef::new("component", "default", "good-after"))
        .unwrap();
    assert_eq!(good.metadata.description.as_deref(), Some("Sneaky  title"));
}

#[test]
fn invalid_utf8_is_reported_with_its_line() {
    let c = load(&["tests/data/broken"]);
    let m = messages(&c);
    assert!(
        m.iter().any(|p| p
            .starts_with("tests/data/broken/invalid-utf8.yaml:4: error: file is not valid UTF-8")),
        "{m:#?}"
    );
    assert!(
        has(&c, "component:default/good-before"),
        "other files still load"
    );
}

#[test]
fn locations_are_followed_once_and_never_outside_the_root() {
    let c = load(&["tests/data/locations/root.yaml"]);
    assert!(has(&c, "system:default/sys-a"));
    assert!(
        has(&c, "user:default/ann"),
        "directory targets are searched"
    );
    assert!(has(&c, "location:default/loop"));
    let m = messages(&c);
    assert!(
        m.iter().any(|p| p.contains("outside the catalog root")),
        "{m:#?}"
    );
    assert!(
        m.iter()
            .any(|p| p.contains("target ./missing.yaml does not exist")),
        "{m:#?}"
    );
    assert!(
        c.rejected()
            .iter()
            .any(|(r, _)| r.as_str() == "location:default/broken-root"),
        "a Location with a missing target is rejected"
    );
    assert!(
        !m.iter().any(|p| p.contains("duplicate")),
        "a loop must not load files twice: {m:#?}"
    );
}

#[test]
fn empty_catalog_is_empty_not_an_error() {
    let c = load(&["tests/data/empty"]);
    assert!(c.is_empty());
    assert_eq!(c.problem_count(), 0);
}

#[test]
fn missing_path_is_a_problem() {
    let c = load(&["tests/data/does-not-exist.yaml"]);
    assert!(
        messages(&c)[0].contains("cannot read file"),
        "{:?}",
        messages(&c)
    );
}

#[test]
fn embedded_demo_is_a_rich_valid_catalog() {
    let c = source::load_blocking(&[SourceSpec::demo()]);
    assert!(c.len() >= 60, "{}", c.len());
    let errors: Vec<String> = c
        .problems()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    for kind in [
        "component",
        "api",
        "resource",
        "system",
        "domain",
        "group",
        "user",
        "location",
        "template",
    ] {
        assert!(
            c.entities().iter().any(|e| e.kind_lower() == kind),
            "no {kind} in the demo"
        );
    }
    // The one deliberate dangling reference is reported.
    assert_eq!(c.problem_count(), 1, "{:#?}", messages(&c));
}

/// A catalog folder with a secret beside it (outside the catalog root) and `files` in it.
#[cfg(unix)]
fn catalog_beside_a_secret(files: &[(&str, &str)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET-LINE\n").unwrap();
    std::fs::write(
        dir.path().join("outside.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: from-outside\nspec:\n  type: service\n  lifecycle: production\n  owner: x\n",
    )
    .unwrap();
    let root = dir.path().join("catalog");
    std::fs::create_dir(&root).unwrap();
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
    let root = root.to_string_lossy().to_string();
    (dir, root)
}

#[cfg(unix)]
#[test]
fn a_placeholder_through_a_committed_symlink_cannot_read_outside_the_root() {
    let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: leaky\nspec:\n  type: openapi\n  lifecycle: production\n  owner: x\n  definition:\n    $text: ./docs/definition.yaml\n";
    let (dir, root) = catalog_beside_a_secret(&[("api.yaml", api)]);
    std::fs::create_dir(format!("{root}/docs")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        format!("{root}/docs/definition.yaml"),
    )
    .unwrap();
    let c = load(&[&root]);
    // A placeholder that cannot be resolved rejects its entity, as in Backstage: the API is
    // not in the catalog, and nothing of the secret is anywhere.
    let leaky = EntityRef::new("api", "default", "leaky");
    assert!(
        c.by_ref(&leaky).is_none(),
        "a rejected API is not in the catalog"
    );
    assert!(
        c.rejected().iter().any(|(r, _)| **r == leaky),
        "the API is listed as rejected"
    );
    let shown = format!("{:?}", messages(&c));
    assert!(!shown.contains("TOP-SECRET"), "{shown}");
    assert!(
        messages(&c)
            .iter()
            .any(|m| m.contains("$text: ./docs/definition.yaml is outside the catalog root")),
        "{:#?}",
        messages(&c)
    );
}

#[cfg(unix)]
#[test]
fn a_location_through_a_committed_symlink_is_not_followed_out_of_the_root() {
    let location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./team.yaml]\n";
    let (dir, root) = catalog_beside_a_secret(&[("all.yaml", location)]);
    std::os::unix::fs::symlink(dir.path().join("outside.yaml"), format!("{root}/team.yaml"))
        .unwrap();
    // Named as the entry point and walked as a folder: neither reads the linked file.
    for path in [format!("{root}/all.yaml"), root.clone()] {
        let c = load(&[&path]);
        assert!(
            !has(&c, "component:default/from-outside"),
            "{path}: {:#?}",
            messages(&c)
        );
    }
    let c = load(&[&format!("{root}/all.yaml")]);
    assert!(
        messages(&c)
            .iter()
            .any(|m| m.contains("target ./team.yaml is outside the catalog root")),
        "{:#?}",
        messages(&c)
    );
}

#[test]
fn a_missing_path_fails_its_source_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone").display().to_string();
    let loaded = source::load_blocking_with(
        &[SourceSpec::Files {
            name: "catalog".into(),
            paths: vec![missing.clone()],
        }],
        &source::LoadOptions::default(),
    );
    let status = &loaded.sources[0];
    assert_eq!(status.state, source::SourceState::Failed);
    let error = status.error.clone().unwrap_or_default();
    assert!(
        error.contains(&missing) && error.contains("does not exist"),
        "{error}"
    );
    // The status bar's account of it is the reason, not an entity count.
    let now = std::time::SystemTime::now();
    assert!(status.summary(now).contains("does not exist"));
    // A missing path beside one that loads: the source says so, the entities stay.
    let loaded = source::load_blocking_with(
        &[SourceSpec::Files {
            name: "catalog".into(),
            paths: vec![missing, "embedded:all.yaml".into()],
        }],
        &source::LoadOptions::default(),
    );
    assert_eq!(loaded.sources[0].state, source::SourceState::Failed);
    assert!(loaded.catalog.len() > 10);
}
