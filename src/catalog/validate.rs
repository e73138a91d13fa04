//! Backstage's validation rules for entities: names, namespaces, kinds, labels, annotations,
//! tags, links and each kind's required spec fields.
//!
//! The rules follow `@backstage/catalog-model` (`KubernetesValidatorFunctions`,
//! `CommonValidatorFunctions` and the per-kind JSON schemas).

use super::{schema, Entity, Field, Problem, SpecValue};

// The rules below were regular expressions; they are checked byte by byte instead because
// validation runs for every entity of a 100,000-entity load. The expressions they implement
// are quoted on each function, and a test compares both on tricky input.

/// `[A-Za-z0-9]`
fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`
fn is_name_shape(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            alnum(first)
                && alnum(last)
                && b.iter()
                    .all(|&c| alnum(c) || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// `^[a-z0-9]+(?:-+[a-z0-9]+)*$`, on the ASCII-lowercased text when `fold` is set.
fn is_dns_label_shape(s: &str, fold: bool) -> bool {
    let lower = |c: u8| if fold { c.to_ascii_lowercase() } else { c };
    let word = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            word(lower(first))
                && word(lower(last))
                && b.iter().all(|&c| word(lower(c)) || c == b'-')
        }
        _ => false,
    }
}

/// `^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$`
fn is_tag_shape(s: &str) -> bool {
    let word =
        |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b':' | b'+' | b'#');
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            word(first)
                && word(last)
                && b.iter().all(|&c| word(c) || c == b'-')
                && !s.contains("--")
        }
        _ => false,
    }
}

/// `^[a-zA-Z0-9]+$`
fn is_version_shape(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(alnum)
}

/// The kinds Backstage's core model defines, in lowercase.
pub const KNOWN_KINDS: [&str; 9] = [
    "component",
    "api",
    "resource",
    "system",
    "domain",
    "group",
    "user",
    "location",
    "template",
];

/// An entity name: at most 63 characters, letters, digits and `-_.`, starting and ending with a
/// letter or digit.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 63 && is_name_shape(name)
}

/// A namespace: a DNS label (lowercase letters, digits and dashes, at most 63 characters).
pub fn is_valid_namespace(namespace: &str) -> bool {
    !namespace.is_empty()
        && namespace.len() <= 63
        && if namespace.is_ascii() {
            is_dns_label_shape(namespace, true)
        } else {
            // Some non-ASCII letters lowercase to ASCII ones (the Kelvin sign to `k`).
            is_dns_label_shape(&namespace.to_lowercase(), false)
        }
}

/// A DNS subdomain: dot-separated DNS labels, at most 253 characters.
fn is_valid_dns_subdomain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 253
        && value
            .split('.')
            .all(|l| l.len() <= 63 && is_dns_label_shape(l, false))
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain.
pub fn is_valid_key(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => is_valid_dns_subdomain(prefix) && is_valid_name(name),
        None => is_valid_name(key),
    }
}

/// A label value: empty, or shaped like a name.
pub fn is_valid_label_value(value: &str) -> bool {
    value.is_empty() || is_valid_name(value)
}

/// A tag: lowercase words of `a-z0-9:+#` joined by single dashes, at most 63 characters.
pub fn is_valid_tag(tag: &str) -> bool {
    !tag.is_empty() && tag.len() <= 63 && is_tag_shape(tag)
}

/// An apiVersion: `[group/]version`.
pub fn is_valid_api_version(value: &str) -> bool {
    match value.split_once('/') {
        Some((group, version)) => is_valid_dns_subdomain(group) && is_version_shape(version),
        None => is_version_shape(value),
    }
}

/// Checks an entity against Backstage's rules. Unknown kinds give one warning and are not
/// checked further.
pub fn validate(entity: &Entity) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut error = |field: Field, msg: String| {
        out.push(
            Problem::error(Some(entity.origin.clone()), msg)
                .with_entity(entity.entity_ref().clone())
                .at_field(field),
        )
    };
    let m = &entity.metadata;
    if !is_valid_api_version(&entity.api_version) {
        error(
            Field::at(&["apiVersion"]),
            format!(
                "apiVersion {:?} is not of the form group/version",
                entity.api_version
            ),
        );
    }
    if !super::entity_ref::is_valid_kind(&entity.kind) {
        error(
            Field::at(&["kind"]),
            format!(
                "kind {:?} must be letters and digits, starting with a letter",
                entity.kind
            ),
        );
    }
    if !is_valid_name(&m.name) {
        error(
            Field::at(&["metadata", "name"]),
            format!(
                "metadata.name {:?} is not valid: at most 63 characters of letters, digits and -_., starting and ending with a letter or digit",
                m.name
            ),
        );
    }
    if !is_valid_namespace(&m.namespace) {
        error(
            Field::at(&["metadata", "namespace"]),
            format!(
                "metadata.namespace {:?} is not valid: lowercase letters, digits and dashes, at most 63 characters",
                m.namespace
            ),
        );
    }
    for (key, value) in &m.labels {
        let field = || Field::at(&["metadata", "labels", key]);
        if !is_valid_key(key) {
            error(field(), format!("metadata.labels key {key:?} is not valid"));
        }
        if !is_valid_label_value(value) {
            error(
                field(),
                format!("metadata.labels.{key} value {value:?} is not valid"),
            );
        }
    }
    for key in m.annotations.keys() {
        if !is_valid_key(key) {
            error(
                Field::at(&["metadata", "annotations", key]),
                format!("metadata.annotations key {key:?} is not valid"),
            );
        }
    }
    for tag in &m.tags {
        if !is_valid_tag(tag) {
            error(
                Field::item(&["metadata", "tags"], tag),
                format!(
                    "metadata.tags: {tag:?} is not valid: lowercase letters, digits and :+#, words joined by single dashes, at most 63 characters"
                ),
            );
        }
    }
    let kind = entity.kind_lower();
    if !KNOWN_KINDS.contains(&kind) {
        out.push(
            Problem::warning(
                Some(entity.origin.clone()),
                format!(
                    "unknown kind {:?}: the entity is listed but not validated",
                    entity.kind
                ),
            )
            .with_entity(entity.entity_ref().clone())
            .at_field(Field::at(&["kind"])),
        );
        return out;
    }
    let allowed = schema::api_versions(kind);
    if !allowed.contains(&entity.api_version.as_str()) {
        // Backstage: "No processor recognized the entity … as valid, possibly caused by a
        // foreign kind or apiVersion".
        error(
            Field::at(&["apiVersion"]),
            format!(
                "apiVersion {:?} is not one Backstage reads for a {}: {}",
                entity.api_version,
                entity.kind,
                allowed.join(" or ")
            ),
        );
        return out;
    }
    if !entity.spec.is_null() && !entity.spec.is_object() {
        // Reported where the document was read ("spec must be a mapping").
        return out;
    }
    if entity.spec.is_null() {
        error(
            Field::at(&["spec"]),
            format!("{} needs a spec (a mapping)", entity.kind),
        );
        return out;
    }
    for rule in schema::spec_rules(kind) {
        let field = rule.field;
        let at = || Field::at(&["spec", field]);
        match entity.spec.get(field) {
            None if rule.required => error(
                at(),
                format!("spec.{field} is required for a {}", entity.kind),
            ),
            None => {}
            Some(v) if rule.shape.accepts(v) => {}
            // A `$text`/`$json`/`$yaml` placeholder whose remote target the file source does
            // not fetch: reported as a warning where the file was read.
            Some(v) if kind == "api" && field == "definition" && is_placeholder(v) => {}
            Some(SpecValue::String(s)) if rule.shape == schema::Shape::Text && s.is_empty() => {
                error(at(), format!("spec.{field} must not be empty"))
            }
            Some(v) => error(
                at(),
                format!(
                    "spec.{field} must be {}, found {}",
                    rule.shape.describe(),
                    describe_value(v)
                ),
            ),
        }
    }
    out
}

/// True for a `{$text|$json|$yaml: …}` mapping.
fn is_placeholder(value: &SpecValue) -> bool {
    value.as_object().is_some_and(|o| {
        o.len() == 1
            && o.iter()
                .any(|(k, _)| matches!(&**k, "$text" | "$json" | "$yaml"))
    })
}

/// What a value is, for messages: its type, or "a list holding an empty or non-string item".
fn describe_value(value: &SpecValue) -> String {
    match value {
        SpecValue::Array(_) => "a list with an empty or non-string item".to_string(),
        SpecValue::Object(_) => "a mapping (or one with a non-string value)".to_string(),
        other => other.type_name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use serde_json::{json, Value};

    #[test]
    fn byte_checks_agree_with_backstage_expressions() {
        use regex::Regex;
        let name = Regex::new(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$").unwrap();
        let label = Regex::new(r"^[a-z0-9]+(?:-+[a-z0-9]+)*$").unwrap();
        let tag = Regex::new(r"^[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*$").unwrap();
        let version = Regex::new(r"^[a-zA-Z0-9]+$").unwrap();
        let cases = [
            "", "a", "-", "a-", "-a", "a--b", "a-b", "A_b.C", "a.", "_a", "a_", "ab\n", "a\nb",
            "é", "aé", "a#b", "c++", "a:b", "#", "a- b", "UP", "x1-2-3", "a---b", "1", "a b",
            "k8s", "tag-", "a-#", "\u{212a}",
        ];
        for c in cases {
            assert_eq!(is_name_shape(c), name.is_match(c), "name {c:?}");
            assert_eq!(
                is_dns_label_shape(c, false),
                label.is_match(c),
                "label {c:?}"
            );
            assert_eq!(is_tag_shape(c), tag.is_match(c), "tag {c:?}");
            assert_eq!(is_version_shape(c), version.is_match(c), "version {c:?}");
            assert_eq!(
                is_valid_namespace(c),
                !c.is_empty() && c.len() <= 63 && label.is_match(&c.to_lowercase()),
                "namespace {c:?}"
            );
        }
    }

    #[test]
    fn backstage_name_examples() {
        for ok in ["a", "abc", "a-b", "a.b_c", "A1", "x".repeat(63).as_str()] {
            assert!(is_valid_name(ok), "{ok:?} should be valid");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "a b",
            "_a",
            "a/b",
            "a:b",
            "x".repeat(64).as_str(),
            "ä",
        ] {
            assert!(!is_valid_name(bad), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn namespaces_are_dns_labels() {
        assert!(is_valid_namespace("default"));
        assert!(is_valid_namespace("team-a"));
        assert!(!is_valid_namespace("team_a"));
        assert!(!is_valid_namespace("-a"));
    }

    #[test]
    fn keys_tags_and_versions() {
        assert!(is_valid_key("backstage.io/techdocs-ref"));
        assert!(is_valid_key("simple"));
        assert!(!is_valid_key("Bad_Prefix/x"));
        assert!(!is_valid_key("a/b/c"));
        assert!(is_valid_tag("java"));
        assert!(is_valid_tag("c++"));
        assert!(!is_valid_tag("go 1.15.3"));
        assert!(!is_valid_tag("Java"));
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("scaffolder.backstage.io/v1beta3"));
        assert!(!is_valid_api_version("backstage.io/"));
    }

    fn problems(v: Value) -> Vec<String> {
        let (e, _) = Entity::from_value(v, Origin::new("f.yaml", Some(1))).unwrap();
        validate(&e).into_iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn component_requires_type_lifecycle_owner() {
        let p = problems(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "x"}, "spec": {"type": "service"}}),
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("spec.lifecycle is required"));
        assert!(p[1].contains("spec.owner is required"));
        assert!(
            p[0].starts_with("f.yaml:1: error: component:default/x:"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn api_needs_definition_and_group_needs_children() {
        let p = problems(json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API",
            "metadata": {"name": "x"}, "spec": {"type": "openapi", "lifecycle": "production", "owner": "a"}}));
        assert!(
            p.iter().any(|m| m.contains("spec.definition is required")),
            "{p:?}"
        );
        let p = problems(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "g"}, "spec": {"type": "team"}}),
        );
        assert!(
            p.iter().any(|m| m.contains("spec.children is required")),
            "{p:?}"
        );
        let p = problems(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "g"}, "spec": {"type": "team", "children": []}}),
        );
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn url_placeholder_definition_is_accepted() {
        let p = problems(json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API",
            "metadata": {"name": "x"}, "spec": {"type": "openapi", "lifecycle": "production",
            "owner": "a", "definition": {"$text": "https://example.com/api.yaml"}}}));
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn invalid_name_and_tag_are_errors() {
        // Backstage's own intentionally invalid example.
        let p = problems(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "invalid component", "tags": ["go 1.15.3"]},
            "spec": {"type": "service", "lifecycle": "experimental", "owner": "a"}}),
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("metadata.name"));
        assert!(p[1].contains("metadata.tags"));
    }

    #[test]
    fn unknown_kind_is_a_warning() {
        let p = problems(
            json!({"apiVersion": "example.com/v1", "kind": "Environment",
            "metadata": {"name": "dev"}}),
        );
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("warning: ") && p[0].contains("unknown kind"),
            "{p:?}"
        );
    }
}
