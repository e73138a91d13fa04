//! Hostile and broken catalog files: each is reported where it is, the rest of the catalog
//! loads, and nothing with a control character gets into the model.
//!
//! The small inputs are files a reviewer can read in `tests/data/hostile/` (one expectation per
//! file below; a file without one fails the test). Only the huge ones (a 50 MB file, a 1 MB
//! line, 10,000 links) and the combinations (every required field missing in turn) are
//! generated here.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, EntityRef};
use idp_tui::source::{self, SourceSpec};
use std::path::{Path, PathBuf};

const GOOD: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: survivor\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ann\nspec: {memberOf: []}\n";

/// Writes the hostile file beside a good one and loads the directory.
fn load_with(name: &str, content: &[u8]) -> (Catalog, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    std::fs::write(dir.path().join(name), content).unwrap();
    let catalog = source::load_blocking(&[SourceSpec::Files {
        name: "t".into(),
        paths: vec![dir.path().to_string_lossy().to_string()],
    }]);
    let messages = catalog.problems().map(|p| p.to_string()).collect();
    assert!(
        catalog
            .by_ref(&EntityRef::new("component", "default", "survivor"))
            .is_some(),
        "{name}: the good file must still load"
    );
    (catalog, messages)
}

fn hostile_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile")
}

fn entity<'a>(c: &'a Catalog, kind: &str, name: &str) -> Option<&'a idp_tui::catalog::Entity> {
    c.by_ref(&EntityRef::new(kind, "default", name))
}

type Check = fn(&str, &Catalog, &[String]);

/// What must hold for each file of `tests/data/hostile/`, loaded beside a good file.
const EXPECTED: &[(&str, Check)] = &[
    ("alias-bomb.yaml", |f, _, m| {
        assert_reported(m, &format!("{f}:"), "too expensive to read")
    }),
    ("deep-nesting.yaml", |f, c, m| {
        assert_reported(m, &format!("{f}:"), "YAML does not parse");
        assert!(entity(c, "component", "deep").is_none());
    }),
    ("invalid-utf8.yaml", |f, c, m| {
        assert_reported(m, f, "UTF-8");
        assert!(!c
            .entities()
            .iter()
            .any(|e| e.entity_ref().name().starts_with("caf")));
    }),
    ("nul-byte.yaml", |f, _, m| {
        assert_reported(m, &format!("{f}:"), "error")
    }),
    ("crlf-bom-tabs.yaml", |_, c, m| {
        let e = entity(c, "component", "crlf").unwrap_or_else(|| panic!("{m:#?}"));
        assert_eq!(e.metadata.description.as_deref(), Some("tab\there"));
    }),
    ("odd-refs.yaml", |f, c, m| {
        // An empty reference breaks Backstage's schema: the entity is rejected, and each odd
        // reference is still reported.
        assert!(entity(c, "component", "odd").is_none());
        let errors = m.iter().filter(|p| p.contains(f) && p.contains("error"));
        assert!(errors.count() >= 5, "{m:#?}");
        assert!(m.iter().any(|p| p.contains("\"component:\"")), "{m:#?}");
    }),
    ("self-dependency.yaml", |_, c, _| {
        let id = c
            .id_of(&EntityRef::new("component", "default", "selfish"))
            .expect("loads");
        assert!(c
            .related(id, idp_tui::catalog::RelationType::DependsOn)
            .any(|t| t == id));
    }),
    ("location-self.yaml", |f, _, m| {
        assert_reported(m, f, "outside the catalog root");
    }),
    ("rtl-zero-width.yaml", |_, c, m| {
        // The invisible character is dropped where the text enters the model: the name is the
        // one a reader sees, never one that only looks like it.
        assert!(entity(c, "component", "payments").is_some(), "{m:#?}");
        assert!(!c
            .entities()
            .iter()
            .any(|e| e.entity_ref().name().contains('\u{200b}')));
        let spoof = entity(c, "component", "spoof").unwrap_or_else(|| panic!("{m:#?}"));
        for text in [
            spoof.metadata.title.as_deref().unwrap_or_default(),
            spoof.metadata.description.as_deref().unwrap_or_default(),
        ] {
            assert!(
                !text.chars().any(|ch| matches!(ch,
                    '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{2060}')),
                "bidi or zero-width character kept in {text:?}"
            );
        }
    }),
    ("controls-escaped.yaml", |_, c, m| {
        assert!(entity(c, "component", "ctl").is_some(), "{m:#?}");
    }),
    ("controls-raw.yaml", |f, c, m| {
        assert_reported(m, &format!("{f}:"), "YAML does not parse");
        assert!(entity(c, "component", "raw").is_none());
    }),
    ("wrong-types.yaml", |f, c, m| {
        // Rejected, as Backstage rejects it, with every field named.
        assert!(entity(c, "component", "typed").is_none());
        for field in [
            "metadata.title",
            "metadata.description",
            "metadata.labels",
            "metadata.annotations",
            "metadata.tags",
            "metadata.links",
            "spec.type",
            "spec.lifecycle",
            "spec.owner",
            "spec.dependsOn",
            "spec.providesApis",
        ] {
            assert_reported(m, f, field);
        }
    }),
    ("good.yaml", |_, c, _| {
        assert!(entity(c, "user", "ann").is_some());
    }),
];

#[test]
fn every_hostile_file_is_handled_on_its_own() {
    let mut files: Vec<String> = std::fs::read_dir(hostile_dir())
        .expect("tests/data/hostile")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut named: Vec<String> = EXPECTED.iter().map(|(f, _)| f.to_string()).collect();
    named.sort();
    assert_eq!(
        files, named,
        "every hostile file has an expectation, and only those"
    );
    for (file, check) in EXPECTED {
        let bytes = std::fs::read(hostile_dir().join(file)).expect("readable");
        let (catalog, messages) = load_with(file, &bytes);
        check(file, &catalog, &messages);
        assert_no_controls(&catalog);
    }
}

#[test]
fn the_whole_hostile_directory_loads_as_one_catalog() {
    let catalog = source::load_blocking(&[SourceSpec::Files {
        name: "hostile".into(),
        paths: vec![hostile_dir().to_string_lossy().to_string()],
    }]);
    let messages: Vec<String> = catalog.problems().map(|p| p.to_string()).collect();
    for (file, check) in EXPECTED {
        check(file, &catalog, &messages);
    }
    assert_no_controls(&catalog);
    // Every name that reaches the screen is drawn from these cleaned values.
    for e in catalog.entities() {
        assert!(!e.entity_ref().to_string().chars().any(char::is_control));
    }
}

fn assert_reported(messages: &[String], file: &str, needle: &str) {
    assert!(
        messages
            .iter()
            .any(|m| m.contains(file) && m.contains(needle)),
        "expected a problem in {file} mentioning {needle:?}: {messages:#?}"
    );
}

fn assert_no_controls(catalog: &Catalog) {
    for e in catalog.entities() {
        let text = serde_json::to_string(&e.to_value()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        check(&value, &e.entity_ref().to_string());
    }
    fn check(v: &serde_json::Value, at: &str) {
        match v {
            serde_json::Value::String(s) => assert!(
                !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{at}: control character in {s:?}"
            ),
            serde_json::Value::Array(a) => a.iter().for_each(|x| check(x, at)),
            serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
                check(&serde_json::Value::String(k.clone()), at);
                check(x, at)
            }),
            _ => {}
        }
    }
}

#[test]
fn oversized_file_is_skipped_with_a_message() {
    let mut big = String::from("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: huge\n  description: ");
    big.push_str(&"x".repeat(50 * 1024 * 1024));
    let (c, m) = load_with("huge.yaml", big.as_bytes());
    assert_reported(&m, "huge.yaml", "over the");
    assert!(c
        .by_ref(&EntityRef::new("component", "default", "huge"))
        .is_none());
}

#[test]
fn megabyte_line_is_bounded() {
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: long\n  description: {}\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n",
        "y".repeat(1024 * 1024)
    );
    let (c, _) = load_with("long.yaml", text.as_bytes());
    let e = c
        .by_ref(&EntityRef::new("component", "default", "long"))
        .unwrap();
    let d = e.metadata.description.as_deref().unwrap();
    assert!(d.len() <= idp_tui::text::MAX_TEXT_LEN + 4, "{}", d.len());
    assert!(d.ends_with('…'));
}

#[test]
fn each_required_field_missing_in_turn_is_named() {
    let kinds: [(&str, &[&str]); 5] = [
        ("Component", &["type", "lifecycle", "owner"]),
        ("API", &["type", "lifecycle", "owner", "definition"]),
        ("Resource", &["type", "owner"]),
        ("System", &["owner"]),
        ("Group", &["type", "children"]),
    ];
    for (kind, fields) in kinds {
        for missing in fields.iter() {
            let spec: String = fields
                .iter()
                .filter(|f| *f != missing)
                .map(|f| {
                    if *f == "children" {
                        "  children: []\n".to_string()
                    } else {
                        format!("  {f}: x\n")
                    }
                })
                .collect();
            let text = format!("apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: m\nspec:\n{spec}  other: 1\n");
            let (_, m) = load_with("missing.yaml", text.as_bytes());
            // At the line of `spec:`, where the field belongs.
            assert_reported(&m, "missing.yaml:5", &format!("spec.{missing} is required"));
        }
    }
}

#[test]
fn ten_thousand_links_load() {
    let mut text = String::from("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: selfish\n  links:\n");
    for i in 0..10_000 {
        text.push_str(&format!("    - url: https://example.com/{i}\n"));
    }
    text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n");
    let (c, _) = load_with("links.yaml", text.as_bytes());
    let id = c
        .id_of(&EntityRef::new("component", "default", "selfish"))
        .unwrap();
    assert_eq!(c.get(id).metadata.links.len(), 10_000);
}

#[test]
fn unreadable_directory_entries_do_not_stop_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    // A dangling symlink among the files.
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("nowhere.yaml"),
        dir.path().join("broken.yaml"),
    )
    .unwrap();
    let c = source::load_blocking(&[SourceSpec::Files {
        name: "t".into(),
        paths: vec![dir.path().to_string_lossy().to_string()],
    }]);
    assert!(c
        .by_ref(&EntityRef::new("component", "default", "survivor"))
        .is_some());
    let _ = Path::new("");
}

/// One 10,000-item anchored list referenced 10,000 times, as YAML lines indented by `indent`:
/// ~50 KB that serde_yaml alone expands to 10⁸ values (the process aborted at 3.9 GB).
fn wide_alias_bomb(indent: &str) -> String {
    format!(
        "{indent}items: &a [{}]\n{indent}refs: [{}]\n",
        vec!["x"; 10_000].join(","),
        vec!["*a"; 10_000].join(",")
    )
}

#[test]
fn a_wide_alias_bomb_in_a_catalog_file_is_too_expensive_and_the_rest_loads() {
    let bomb = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bomb\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n{}",
        wide_alias_bomb("  ")
    );
    assert!(bomb.len() < 60_000);
    let (c, m) = load_with("wide-bomb.yaml", bomb.as_bytes());
    let reported: Vec<&String> = m.iter().filter(|p| p.contains("wide-bomb.yaml")).collect();
    assert_eq!(reported.len(), 1, "one line for the file: {m:#?}");
    assert!(
        reported[0].contains("wide-bomb.yaml:10: error: too expensive to read"),
        "{m:#?}"
    );
    assert!(entity(&c, "component", "bomb").is_none());
}

#[test]
fn a_wide_alias_bomb_in_an_api_definition_is_an_error_on_the_api_tab() {
    let api = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: bomb-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: user:ann\n  definition: |\n{}",
        wide_alias_bomb("    ")
    );
    let (c, _) = load_with("api.yaml", api.as_bytes());
    let e = entity(&c, "api", "bomb-api").expect("the API loads: its definition is text");
    match idp_tui::openapi::view(e) {
        idp_tui::openapi::ApiView::Raw {
            error: Some(error), ..
        } => assert!(error.contains("too expensive to read"), "{error}"),
        other => panic!("expected the raw definition with an error, got {other:?}"),
    }
}

#[test]
fn a_wide_alias_bomb_in_mkdocs_yml_is_a_docs_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: documented\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mkdocs.yml"),
        format!("site_name: boom\n{}", wide_alias_bomb("")),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/index.md"), "# hi\n").unwrap();
    let root = dir.path().to_string_lossy().to_string();
    let c = source::load_blocking(&[SourceSpec::Files {
        name: "t".into(),
        paths: vec![root.clone()],
    }]);
    let e = entity(&c, "component", "documented").expect("loads");
    let err = idp_tui::techdocs::Site::open(e, &root).expect_err("the site is refused");
    assert!(err.to_string().contains("too expensive to read"), "{err}");
}

#[test]
fn deeply_nested_flow_yaml_is_reported_at_once_and_the_rest_loads() {
    // 800 KB of `[`…`]`: libyaml spent 374 s on this before serde_yaml refused it.
    let n = 400_000;
    let deep = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: deep-flow\nspec: {}{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let (c, m) = load_with("deep-flow.yaml", deep.as_bytes());
    assert_reported(&m, "deep-flow.yaml:5:", "nested more than 128 deep");
    assert!(entity(&c, "component", "deep-flow").is_none());
}
