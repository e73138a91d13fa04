//! The shape Backstage requires of each field of an entity: the root keys, the metadata
//! fields and each kind's spec fields, in one table ([`RULES`]).
//!
//! The table follows `@backstage/catalog-model`'s JSON schemas (`Entity`, `EntityMeta` and
//! `kinds/*.v1alpha1.schema.json`) and the scaffolder's `Template.v1beta3` schema, checked
//! against a real catalog backend (see `tests/data/parity/`). `docs/validation.md` lists the
//! same rules with Backstage's wording next to ours; a test keeps the two together.

use super::SpecValue;

/// Where a field lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A key of the document's root.
    Root,
    /// A key of `metadata`.
    Metadata,
    /// A key of `spec`, for these kinds (lowercase).
    Spec(&'static [&'static str]),
}

/// The shape a field's value must have. `null` has none of them: an explicit `null` is a type
/// error, as in Backstage, not the same as leaving the field out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A non-empty string.
    Text,
    /// A string, possibly empty.
    AnyText,
    /// A list of non-empty strings.
    TextList,
    /// A list of anything.
    List,
    /// A mapping.
    Map,
    /// A mapping of string values.
    StringMap,
    /// A mapping or a list (a Template's `parameters`).
    MapOrList,
    /// One of these strings.
    OneOf(&'static [&'static str]),
}

impl Shape {
    /// What a value of this shape is, for messages: "a non-empty string".
    pub fn describe(self) -> &'static str {
        match self {
            Shape::Text => "a non-empty string",
            Shape::AnyText => "a string",
            Shape::TextList => "a list of non-empty strings",
            Shape::List => "a list",
            Shape::Map => "a mapping",
            Shape::StringMap => "a mapping of strings",
            Shape::MapOrList => "a mapping or a list",
            Shape::OneOf(_) => "one of the allowed values",
        }
    }

    /// True when `value` has this shape.
    pub fn accepts(self, value: &SpecValue) -> bool {
        let text = |v: &SpecValue| v.as_str().is_some_and(|s| !s.is_empty());
        match self {
            Shape::Text => text(value),
            Shape::AnyText => value.as_str().is_some(),
            Shape::TextList => value.as_array().is_some_and(|items| items.iter().all(text)),
            Shape::List => value.is_array(),
            Shape::Map => value.is_object(),
            Shape::StringMap => value
                .as_object()
                .is_some_and(|o| o.iter().all(|(_, v)| v.as_str().is_some())),
            Shape::MapOrList => value.is_object() || value.is_array(),
            Shape::OneOf(allowed) => value.as_str().is_some_and(|s| allowed.contains(&s)),
        }
    }
}

/// One rule of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Where the field is.
    pub scope: Scope,
    /// The field's key.
    pub field: &'static str,
    /// The shape its value must have.
    pub shape: Shape,
    /// True when the field must be present.
    pub required: bool,
    /// What Backstage says when the rule is broken (its JSON-schema wording).
    pub backstage: &'static str,
}

const fn rule(
    scope: Scope,
    field: &'static str,
    shape: Shape,
    required: bool,
    backstage: &'static str,
) -> Rule {
    Rule {
        scope,
        field,
        shape,
        required,
        backstage,
    }
}

use Scope::{Metadata as Meta, Root, Spec};
use Shape::*;

const CATALOG: &[&str] = &["component", "api", "resource", "system", "domain"];
const WITH_TYPE: &[&str] = &["component", "api", "resource", "group", "template"];
const WITH_LIFECYCLE: &[&str] = &["component", "api"];
const IN_SYSTEM: &[&str] = &["component", "api", "resource"];
const DEPENDING: &[&str] = &["component", "resource"];
const WITH_PROFILE: &[&str] = &["group", "user"];
const TYPED_OPTIONAL: &[&str] = &["system", "domain"];

/// Every rule, in the order `docs/validation.md` lists them.
pub const RULES: &[Rule] = &[
    rule(
        Root,
        "apiVersion",
        Text,
        true,
        "must have required property 'apiVersion'",
    ),
    rule(
        Root,
        "kind",
        Text,
        true,
        "must have required property 'kind'",
    ),
    rule(
        Root,
        "metadata",
        Map,
        true,
        "must have required property 'metadata'",
    ),
    rule(Root, "spec", Map, false, "/spec must be object"),
    rule(
        Meta,
        "name",
        Text,
        true,
        "/metadata must have required property 'name'",
    ),
    rule(
        Meta,
        "namespace",
        Text,
        false,
        "/metadata/namespace must be string",
    ),
    rule(Meta, "title", Text, false, "/metadata/title must be string"),
    rule(
        Meta,
        "description",
        AnyText,
        false,
        "/metadata/description must be string",
    ),
    rule(Meta, "uid", Text, false, "/metadata/uid must be string"),
    rule(Meta, "etag", Text, false, "/metadata/etag must be string"),
    rule(
        Meta,
        "labels",
        StringMap,
        false,
        "/metadata/labels must be object",
    ),
    // `annotations: null` passes: the catalog adds its own annotations before checking.
    rule(
        Meta,
        "annotations",
        StringMap,
        false,
        "/metadata/annotations/<key> must be string",
    ),
    rule(
        Meta,
        "tags",
        TextList,
        false,
        "/metadata/tags must be array",
    ),
    rule(Meta, "links", List, false, "/metadata/links must be array"),
    rule(
        Spec(WITH_TYPE),
        "type",
        Text,
        true,
        "/spec must have required property 'type'",
    ),
    rule(
        Spec(TYPED_OPTIONAL),
        "type",
        Text,
        false,
        "/spec/type must be string",
    ),
    rule(
        Spec(WITH_LIFECYCLE),
        "lifecycle",
        Text,
        true,
        "/spec must have required property 'lifecycle'",
    ),
    rule(
        Spec(CATALOG),
        "owner",
        Text,
        true,
        "/spec must have required property 'owner'",
    ),
    rule(
        Spec(&["api"]),
        "definition",
        Text,
        true,
        "/spec must have required property 'definition'",
    ),
    rule(
        Spec(IN_SYSTEM),
        "system",
        Text,
        false,
        "/spec/system must be string",
    ),
    rule(
        Spec(&["component"]),
        "subcomponentOf",
        Text,
        false,
        "/spec/subcomponentOf must be string",
    ),
    rule(
        Spec(&["component"]),
        "providesApis",
        TextList,
        false,
        "/spec/providesApis must be array",
    ),
    rule(
        Spec(&["component"]),
        "consumesApis",
        TextList,
        false,
        "/spec/consumesApis must be array",
    ),
    rule(
        Spec(DEPENDING),
        "dependsOn",
        TextList,
        false,
        "/spec/dependsOn must be array",
    ),
    rule(
        Spec(&["system"]),
        "domain",
        Text,
        false,
        "/spec/domain must be string",
    ),
    rule(
        Spec(&["domain"]),
        "subdomainOf",
        Text,
        false,
        "/spec/subdomainOf must be string",
    ),
    rule(
        Spec(&["group"]),
        "children",
        TextList,
        true,
        "/spec must have required property 'children'",
    ),
    rule(
        Spec(&["group"]),
        "parent",
        Text,
        false,
        "/spec/parent must be string",
    ),
    rule(
        Spec(&["group"]),
        "members",
        TextList,
        false,
        "/spec/members must be array",
    ),
    rule(
        Spec(WITH_PROFILE),
        "profile",
        Map,
        false,
        "/spec/profile must be object",
    ),
    rule(
        Spec(&["user"]),
        "memberOf",
        TextList,
        true,
        "/spec must have required property 'memberOf'",
    ),
    rule(
        Spec(&["location"]),
        "type",
        Text,
        false,
        "/spec/type must be string",
    ),
    rule(
        Spec(&["location"]),
        "target",
        Text,
        false,
        "/spec/target must be string",
    ),
    rule(
        Spec(&["location"]),
        "targets",
        TextList,
        false,
        "/spec/targets must be array",
    ),
    rule(
        Spec(&["location"]),
        "presence",
        OneOf(&["required", "optional"]),
        false,
        "/spec/presence must be equal to one of the allowed values",
    ),
    rule(
        Spec(&["template"]),
        "steps",
        List,
        true,
        "/spec must have required property 'steps'",
    ),
    rule(
        Spec(&["template"]),
        "parameters",
        MapOrList,
        false,
        "/spec/parameters must match exactly one schema in oneOf",
    ),
    rule(
        Spec(&["template"]),
        "owner",
        Text,
        false,
        "/spec/owner must be string",
    ),
    rule(
        Spec(&["template"]),
        "lifecycle",
        Text,
        false,
        "/spec/lifecycle must be string",
    ),
    rule(
        Spec(&["template"]),
        "output",
        Map,
        false,
        "/spec/output must be object",
    ),
];

/// The root keys an entity read from a file may have. A server's entities also carry
/// `relations` and `status`, which the catalog computed; in a file Backstage refuses them
/// ("Unknown field relations").
pub const FILE_ROOT_KEYS: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];

/// The apiVersions Backstage reads for a core kind (lowercase): its processors recognise
/// nothing else ("No processor recognized the entity … as valid, possibly caused by a foreign
/// kind or apiVersion"), checked with `catalog-dump.py` on `tests/data/parity/api-version/`.
pub fn api_versions(kind: &str) -> &'static [&'static str] {
    match kind {
        "template" => &["scaffolder.backstage.io/v1beta3"],
        _ => &["backstage.io/v1alpha1", "backstage.io/v1beta1"],
    }
}

/// The spec rules for a kind (lowercase), in table order.
pub fn spec_rules(kind: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .filter(move |r| matches!(r.scope, Spec(kinds) if kinds.contains(&kind)))
}

/// The rule for a metadata field, if the table has one.
pub fn metadata_rule(field: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.scope == Meta && r.field == field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_has_no_shape() {
        let shapes = [
            Text,
            AnyText,
            TextList,
            List,
            Map,
            StringMap,
            MapOrList,
            OneOf(&["a"]),
        ];
        for shape in shapes {
            assert!(!shape.accepts(&SpecValue::Null), "{shape:?} accepted null");
        }
    }

    #[test]
    fn text_lists_refuse_empty_and_non_string_items() {
        let list = |v: serde_json::Value| SpecValue::from(v);
        assert!(TextList.accepts(&list(serde_json::json!(["a", "b"]))));
        assert!(!TextList.accepts(&list(serde_json::json!([""]))));
        assert!(!TextList.accepts(&list(serde_json::json!([3]))));
        assert!(!TextList.accepts(&list(serde_json::json!("a"))));
    }

    #[test]
    fn every_known_kind_has_its_required_fields() {
        let required = |kind: &str| -> Vec<&str> {
            spec_rules(kind)
                .filter(|r| r.required)
                .map(|r| r.field)
                .collect()
        };
        assert_eq!(required("component"), ["type", "lifecycle", "owner"]);
        assert_eq!(
            required("api"),
            ["type", "lifecycle", "owner", "definition"]
        );
        assert_eq!(required("resource"), ["type", "owner"]);
        assert_eq!(required("group"), ["type", "children"]);
        assert_eq!(required("user"), ["memberOf"]);
        assert_eq!(required("location"), Vec::<&str>::new());
        assert_eq!(required("template"), ["type", "steps"]);
    }
}
