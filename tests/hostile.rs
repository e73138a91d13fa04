//! Hostile and broken catalog files: each is reported where it is, the rest of the catalog
//! loads, and nothing with a control character gets into the model.

use idp_tui::catalog::{Catalog, EntityRef, Severity};
use idp_tui::source::{self, SourceSpec};
use std::path::Path;

const GOOD: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: survivor\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: ann\nspec: {}\n";

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
fn billion_laughs_is_refused() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let (_, m) = load_with("bomb.yaml", text.as_bytes());
    assert_reported(&m, "bomb.yaml:", "YAML does not parse");
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!(
        "apiVersion: v1\nkind: Component\nspec: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (_, m) = load_with("deep.yaml", text.as_bytes());
    assert_reported(&m, "deep.yaml:", "YAML does not parse");
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
fn nul_byte_is_reported() {
    let (_, m) = load_with(
        "nul.yaml",
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\0b\n",
    );
    assert_reported(&m, "nul.yaml:", "error");
}

#[test]
fn bom_crlf_and_tabs_load() {
    let text = "\u{feff}apiVersion: backstage.io/v1alpha1\r\nkind: Component\r\nmetadata:\r\n  name: crlf\r\n  description: \"tab\\there\"\r\nspec:\r\n  type: service\r\n  lifecycle: production\r\n  owner: user:ann\r\n";
    let (c, m) = load_with("crlf.yaml", text.as_bytes());
    let e = c
        .by_ref(&EntityRef::new("component", "default", "crlf"))
        .unwrap_or_else(|| panic!("{m:#?}"));
    assert_eq!(e.metadata.description.as_deref(), Some("tab\there"));
}

#[test]
fn every_control_and_escape_sequence_is_stripped() {
    let mut desc = String::new();
    for c in (0u32..0x20).chain(0x7f..0xa0) {
        if let Some(ch) = char::from_u32(c) {
            desc.push(ch);
        }
    }
    desc.push_str(
        "\u{1b}[2J\u{1b}]0;title\u{7}\u{1b}P1$r\u{1b}\\\u{1b}_apc\u{1b}\\\u{202e}evil\u{200b}",
    );
    // A YAML double-quoted scalar with every control written as an escape.
    let mut yaml_desc = String::from("\"");
    for ch in desc.chars() {
        match ch {
            '"' => yaml_desc.push_str("\\\""),
            '\\' => yaml_desc.push_str("\\\\"),
            c if c.is_control() || !c.is_ascii() => {
                yaml_desc.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => yaml_desc.push(c),
        }
    }
    yaml_desc.push('"');
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ctl\n  description: {yaml_desc}\n  annotations:\n    x: {yaml_desc}\n  tags: [ok]\nspec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n  custom: {yaml_desc}\n"
    );
    let (c, m) = load_with("ctl.yaml", text.as_bytes());
    assert!(
        c.by_ref(&EntityRef::new("component", "default", "ctl"))
            .is_some(),
        "{m:#?}"
    );
    assert_no_controls(&c);
}

#[test]
fn wrong_types_everywhere_keep_the_entity_and_name_the_field() {
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: typed\n  title: [a]\n  description: {a: 1}\n  labels: [x]\n  annotations: 5\n  tags: {a: b}\n  links: yes\nspec:\n  type: 1\n  lifecycle: []\n  owner: {}\n  dependsOn: component:x\n  providesApis: 7\n";
    let (c, m) = load_with("typed.yaml", text.as_bytes());
    assert!(c
        .by_ref(&EntityRef::new("component", "default", "typed"))
        .is_some());
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
        assert_reported(&m, "typed.yaml:1", field);
    }
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
            assert_reported(&m, "missing.yaml:1", &format!("spec.{missing} is required"));
        }
    }
}

#[test]
fn ten_thousand_links_and_self_dependency() {
    let mut text = String::from("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: selfish\n  links:\n");
    for i in 0..10_000 {
        text.push_str(&format!("    - url: https://example.com/{i}\n"));
    }
    text.push_str("spec:\n  type: service\n  lifecycle: production\n  owner: user:ann\n  dependsOn: [component:selfish]\n");
    let (c, _) = load_with("links.yaml", text.as_bytes());
    let id = c
        .id_of(&EntityRef::new("component", "default", "selfish"))
        .unwrap();
    assert_eq!(c.get(id).metadata.links.len(), 10_000);
    assert!(c
        .related(id, idp_tui::catalog::RelationType::DependsOn)
        .any(|t| t == id));
}

#[test]
fn odd_refs_are_reported_or_dangling_never_a_crash() {
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: odd\nspec:\n  type: service\n  lifecycle: production\n  owner: ':'\n  dependsOn: ['/x', 'a:b:c/d/e', '', 'component:', ':x']\n";
    let (c, m) = load_with("odd.yaml", text.as_bytes());
    assert!(c
        .by_ref(&EntityRef::new("component", "default", "odd"))
        .is_some());
    assert!(
        m.iter()
            .filter(|p| p.contains("odd.yaml:1") && p.contains("error"))
            .count()
            >= 5,
        "{m:#?}"
    );
    assert!(
        m.iter()
            .any(|p| p.contains("a:b:c/d/e") && p.contains("no such entity")),
        "{m:#?}"
    );
    let _ = Severity::Error;
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
