//! The entity envelope: `apiVersion`, `kind`, `metadata` and `spec`, as Backstage defines it.
//!
//! Well-known metadata fields are typed; `spec` and unknown metadata fields are kept as raw JSON
//! values so nothing the user wrote is dropped. Every string is cleaned of control characters
//! and escape sequences on the way in (see [`crate::text`]).

use super::problem::{Field, Origin, Problem};
use super::{EntityRef, RelationName};
use super::{SpecValue, StringMap};
use crate::text::clean_owned;
use serde_json::{Map, Value};

/// A link in `metadata.links`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Where the link points (required by Backstage).
    pub url: String,
    /// Text to show instead of the URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// An icon name, such as `chat` or `dashboard`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// A machine-readable link type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub link_type: Option<String>,
}

/// An entity's `metadata`.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The name, unique within kind and namespace.
    pub name: String,
    /// The namespace (`default` when not written).
    pub namespace: String,
    /// A human-friendly title.
    pub title: Option<String>,
    /// A description, often Markdown.
    pub description: Option<String>,
    /// Labels (`key: value` strings).
    pub labels: StringMap,
    /// Annotations (`key: value` strings).
    pub annotations: StringMap,
    /// Tags.
    pub tags: Vec<String>,
    /// Links.
    pub links: Vec<Link>,
    /// The server-assigned uid, for entities from a Backstage backend.
    pub uid: Option<String>,
    /// Any other metadata field, kept as written: always a mapping (empty when there are
    /// none), held compactly like `spec`.
    pub extra: SpecValue,
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata {
            name: String::new(),
            namespace: String::new(),
            title: None,
            description: None,
            labels: StringMap::new(),
            annotations: StringMap::new(),
            tags: Vec::new(),
            links: Vec::new(),
            uid: None,
            extra: SpecValue::Object(Box::default()),
        }
    }
}

/// One catalog entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// `apiVersion`, e.g. `backstage.io/v1alpha1`.
    pub api_version: String,
    /// The kind as written, e.g. `Component`.
    pub kind: String,
    /// The metadata.
    pub metadata: Metadata,
    /// The raw `spec` (an object, or `Null` when absent), held compactly.
    pub spec: SpecValue,
    /// Relations given by a server (`relations[]`), used instead of deriving them when present.
    pub server_relations: Option<Vec<(RelationName, EntityRef)>>,
    /// Where the entity was read from.
    pub origin: Origin,
    reference: EntityRef,
}

impl Entity {
    /// Reads an entity from a parsed document. Fields of the wrong type are dropped and
    /// reported; a document that is not an entity at all is one error.
    pub fn from_value(value: Value, origin: Origin) -> Result<(Entity, Vec<Problem>), Problem> {
        let mut problems = Vec::new();
        let Value::Object(mut root) = value else {
            return Err(Problem::error(
                Some(origin),
                format!(
                    "document is not an entity: expected a mapping with apiVersion, kind, metadata and spec, found {}",
                    type_name(&value)
                ),
            ));
        };
        let api_version = take_string(&mut root, "apiVersion");
        let kind = take_string(&mut root, "kind");
        let (api_version, kind) = match (api_version, kind) {
            (Some(Ok(a)), Some(Ok(k))) if !a.is_empty() && !k.is_empty() => (a, k),
            (a, k) => {
                let mut missing = Vec::new();
                if !matches!(a, Some(Ok(ref s)) if !s.is_empty()) {
                    missing.push("apiVersion");
                }
                if !matches!(k, Some(Ok(ref s)) if !s.is_empty()) {
                    missing.push("kind");
                }
                let first = missing.first().copied().unwrap_or("kind");
                return Err(Problem::error(
                    Some(origin),
                    format!(
                        "document is not an entity: {} missing or not a string",
                        missing.join(" and ")
                    ),
                )
                .at_field(Field::at(&[first])));
            }
        };
        let metadata = match root.remove("metadata") {
            Some(Value::Object(m)) => m,
            Some(other) => {
                return Err(Problem::error(
                    Some(origin),
                    format!(
                        "{kind}: metadata must be a mapping, found {}",
                        type_name(&other)
                    ),
                )
                .at_field(Field::at(&["metadata"])))
            }
            None => {
                return Err(Problem::error(
                    Some(origin),
                    format!("{kind}: metadata is missing"),
                ))
            }
        };
        let metadata = read_metadata(metadata, &kind, &origin, &mut problems)?;
        let spec = match root.remove("spec") {
            None | Some(Value::Null) => Value::Null,
            Some(Value::Object(m)) => clean_value(Value::Object(m)),
            Some(other) => {
                problems.push(
                    Problem::error(
                        Some(origin.clone()),
                        format!("spec must be a mapping, found {}", type_name(&other)),
                    )
                    .at_field(Field::at(&["spec"])),
                );
                Value::Null
            }
        };
        let server_relations = match root.remove("relations") {
            Some(Value::Array(items)) => Some(
                items
                    .into_iter()
                    .filter_map(|r| {
                        let t = RelationName::new(r.get("type")?.as_str()?);
                        let target = r.get("targetRef")?.as_str()?;
                        EntityRef::parse(target, None, super::DEFAULT_NAMESPACE)
                            .ok()
                            .map(|target| (t, target))
                    })
                    .collect(),
            ),
            _ => None,
        };
        let entity = Entity::from_parts(
            api_version,
            kind,
            metadata,
            SpecValue::from(spec),
            server_relations,
            origin,
        );
        let problems = problems
            .into_iter()
            .map(|p| p.with_entity(entity.reference.clone()))
            .collect();
        Ok((entity, problems))
    }

    /// Builds an entity from fields that were already read and cleaned (the offline cache
    /// stores entities this way); the reference is derived as [`Entity::from_value`] does.
    pub fn from_parts(
        api_version: String,
        kind: String,
        metadata: Metadata,
        spec: impl Into<SpecValue>,
        server_relations: Option<Vec<(RelationName, EntityRef)>>,
        origin: Origin,
    ) -> Entity {
        let reference = match EntityRef::parse(
            &format!("{kind}:{}/{}", metadata.namespace, metadata.name),
            None,
            super::DEFAULT_NAMESPACE,
        ) {
            Ok(r) => r,
            Err(_) => {
                // The name or namespace breaks the rules: keep the entity, under a ref that
                // still identifies it, and let validation report why.
                EntityRef::new(&kind, &metadata.namespace, &metadata.name)
            }
        };
        Entity {
            api_version,
            kind,
            metadata,
            spec: spec.into(),
            server_relations,
            origin,
            reference,
        }
    }

    /// The entity's canonical reference.
    pub fn entity_ref(&self) -> &EntityRef {
        &self.reference
    }

    /// The title when there is one, else the name.
    pub fn display_name(&self) -> &str {
        self.metadata
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.metadata.name)
    }

    /// A string field of the spec, such as `type`, `lifecycle` or `owner`.
    pub fn spec_str(&self, field: &str) -> Option<&str> {
        self.spec.get(field).and_then(SpecValue::as_str)
    }

    /// The lowercase kind, as refs use it.
    pub fn kind_lower(&self) -> &str {
        self.reference.kind()
    }

    /// The entity back as the JSON document Backstage would serve.
    pub fn to_value(&self) -> Value {
        let m = &self.metadata;
        let mut meta = Map::new();
        meta.insert("name".into(), m.name.clone().into());
        meta.insert("namespace".into(), m.namespace.clone().into());
        if let Some(t) = &m.title {
            meta.insert("title".into(), t.clone().into());
        }
        if let Some(d) = &m.description {
            meta.insert("description".into(), d.clone().into());
        }
        if !m.labels.is_empty() {
            meta.insert(
                "labels".into(),
                serde_json::to_value(&m.labels).unwrap_or_default(),
            );
        }
        if !m.annotations.is_empty() {
            meta.insert(
                "annotations".into(),
                serde_json::to_value(&m.annotations).unwrap_or_default(),
            );
        }
        if !m.tags.is_empty() {
            meta.insert(
                "tags".into(),
                serde_json::to_value(&m.tags).unwrap_or_default(),
            );
        }
        if !m.links.is_empty() {
            meta.insert(
                "links".into(),
                serde_json::to_value(&m.links).unwrap_or_default(),
            );
        }
        if let Some(uid) = &m.uid {
            meta.insert("uid".into(), uid.clone().into());
        }
        for (k, v) in m.extra.as_object().unwrap_or_default() {
            meta.insert(k.to_string(), v.to_value());
        }
        let mut root = Map::new();
        root.insert("apiVersion".into(), self.api_version.clone().into());
        root.insert("kind".into(), self.kind.clone().into());
        root.insert("metadata".into(), Value::Object(meta));
        if !self.spec.is_null() {
            root.insert("spec".into(), self.spec.to_value());
        }
        Value::Object(root)
    }
}

fn read_metadata(
    mut raw: Map<String, Value>,
    kind: &str,
    origin: &Origin,
    problems: &mut Vec<Problem>,
) -> Result<Metadata, Problem> {
    let name = match take_string(&mut raw, "name") {
        Some(Ok(n)) if !n.is_empty() => n,
        Some(Ok(_)) | None => {
            return Err(Problem::error(
                Some(origin.clone()),
                format!("{kind}: metadata.name is missing"),
            )
            .at_field(Field::at(&["metadata", "name"])))
        }
        Some(Err(found)) => {
            return Err(Problem::error(
                Some(origin.clone()),
                format!("{kind}: metadata.name must be a string, found {found}"),
            )
            .at_field(Field::at(&["metadata", "name"])))
        }
    };
    let mut wrong = |field: &str, expected: &str, found: &str| {
        problems.push(
            Problem::error(
                Some(origin.clone()),
                format!("metadata.{field} must be {expected}, found {found}"),
            )
            .at_field(Field::at(&["metadata", field])),
        );
    };
    let mut opt_string = |raw: &mut Map<String, Value>, field: &str| match take_string(raw, field) {
        Some(Ok(s)) => Some(s),
        Some(Err(found)) => {
            wrong(field, "a string", found);
            None
        }
        None => None,
    };
    let namespace = opt_string(&mut raw, "namespace");
    let title = opt_string(&mut raw, "title");
    let description = opt_string(&mut raw, "description");
    let uid = opt_string(&mut raw, "uid");
    for (field, value) in [("namespace", &namespace), ("title", &title)] {
        // Backstage: "/metadata/namespace must NOT have fewer than 1 characters".
        if value.as_deref() == Some("") {
            problems.push(
                Problem::error(
                    Some(origin.clone()),
                    format!("metadata.{field} must not be empty"),
                )
                .at_field(Field::at(&["metadata", field])),
            );
        }
    }
    let namespace = namespace
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| super::DEFAULT_NAMESPACE.to_string());
    let labels = string_map(&mut raw, "labels", origin, problems);
    let annotations = string_map(&mut raw, "annotations", origin, problems);
    let mut tags = match raw.remove("tags") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .filter_map(|(i, t)| match t {
                Value::String(s) => Some(clean_owned(s)),
                other => {
                    problems.push(
                        Problem::error(
                            Some(origin.clone()),
                            format!(
                                "metadata.tags items must be strings, found {}",
                                type_name(&other)
                            ),
                        )
                        .at_field(Field::at(&[
                            "metadata",
                            "tags",
                            &i.to_string(),
                        ])),
                    );
                    None
                }
            })
            .collect(),
        Some(other) => {
            problems.push(
                Problem::error(
                    Some(origin.clone()),
                    format!("metadata.tags must be a list, found {}", type_name(&other)),
                )
                .at_field(Field::at(&["metadata", "tags"])),
            );
            Vec::new()
        }
    };
    // Collected through a filter, so the list has room to spare: entities keep it for life.
    tags.shrink_to_fit();
    let links = read_links(raw.remove("links"), origin, problems);
    // Fields were removed from the map it came in: rebuild what is left at its exact size
    // (usually nothing, which allocates nothing).
    let raw = SpecValue::Object(
        raw.into_iter()
            .map(|(key, value)| (key.into_boxed_str(), clean_value(value).into()))
            .collect(),
    );
    Ok(Metadata {
        name,
        namespace,
        title,
        description,
        labels,
        annotations,
        tags,
        links,
        uid,
        extra: raw,
    })
}

fn read_links(raw: Option<Value>, origin: &Origin, problems: &mut Vec<Problem>) -> Vec<Link> {
    let items = match raw {
        None => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.push(
                Problem::error(
                    Some(origin.clone()),
                    format!("metadata.links must be a list, found {}", type_name(&other)),
                )
                .at_field(Field::at(&["metadata", "links"])),
            );
            return Vec::new();
        }
    };
    let mut links = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let index = i.to_string();
        let at = |key: Option<&str>| match key {
            Some(key) => Field::at(&["metadata", "links", &index, key]),
            None => Field::at(&["metadata", "links", &index]),
        };
        let Value::Object(mut m) = item else {
            problems.push(
                Problem::error(
                    Some(origin.clone()),
                    format!("metadata.links[{i}] must be a mapping with a url"),
                )
                .at_field(at(None)),
            );
            continue;
        };
        let mut field = |m: &mut Map<String, Value>, k: &str| match take_string(m, k) {
            Some(Ok(s)) if !s.is_empty() => Some(s),
            Some(Ok(_)) if k == "url" => None,
            Some(Ok(_)) => {
                problems.push(
                    Problem::error(
                        Some(origin.clone()),
                        format!("metadata.links[{i}].{k} must not be empty"),
                    )
                    .at_field(at(Some(k))),
                );
                None
            }
            Some(Err(found)) => {
                problems.push(
                    Problem::error(
                        Some(origin.clone()),
                        format!("metadata.links[{i}].{k} must be a string, found {found}"),
                    )
                    .at_field(at(Some(k))),
                );
                None
            }
            None => None,
        };
        match field(&mut m, "url").filter(|u| !u.trim().is_empty()) {
            Some(url) => links.push(Link {
                url,
                title: field(&mut m, "title"),
                icon: field(&mut m, "icon"),
                link_type: field(&mut m, "type"),
            }),
            None => problems.push(
                Problem::error(
                    Some(origin.clone()),
                    format!("metadata.links[{i}] needs a url (a non-empty string)"),
                )
                .at_field(at(Some("url"))),
            ),
        }
    }
    links
}

fn string_map(
    raw: &mut Map<String, Value>,
    field: &str,
    origin: &Origin,
    problems: &mut Vec<Problem>,
) -> StringMap {
    match raw.remove(field) {
        None => StringMap::new(),
        // Backstage adds its own annotations before checking, so `annotations: null` passes;
        // `labels: null` does not.
        Some(Value::Null) if field == "annotations" => StringMap::new(),
        Some(Value::Object(m)) => m
            .into_iter()
            .filter_map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    // Backstage requires strings, also of `replicas: 3` or `enabled: true`.
                    other => {
                        problems.push(
                            Problem::error(
                                Some(origin.clone()),
                                format!(
                                    "metadata.{field}.{k} must be a string, found {}",
                                    type_name(&other)
                                ),
                            )
                            .at_field(Field::at(&["metadata", field, &k])),
                        );
                        return None;
                    }
                };
                Some((clean_owned(k), clean_owned(v)))
            })
            .collect(),
        Some(other) => {
            problems.push(
                Problem::error(
                    Some(origin.clone()),
                    format!(
                        "metadata.{field} must be a mapping, found {}",
                        type_name(&other)
                    ),
                )
                .at_field(Field::at(&["metadata", field])),
            );
            StringMap::new()
        }
    }
}

/// Removes a field and returns it as a cleaned string, or `Err(type name)` when it is not one.
fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<Result<String, &'static str>> {
    match map.remove(key)? {
        Value::String(s) => Some(Ok(clean_owned(s))),
        // An explicit null is not an absent field: Backstage refuses it as of the wrong type.
        other => Some(Err(type_name(&other))),
    }
}

/// Cleans every string (keys included) in a JSON value, in place: clean values (the common
/// case) are not copied.
pub fn clean_value(mut value: Value) -> Value {
    clean_in_place(&mut value);
    value
}

fn clean_in_place(value: &mut Value) {
    match value {
        // A long multi-line string is a document (an API definition read through `$text`):
        // cleaned line by line rather than cut at the single-string limit.
        Value::String(s) if s.len() > crate::text::MAX_TEXT_LEN && s.contains('\n') => {
            *s = crate::text::clean_lines(s);
        }
        Value::String(s) => {
            if let std::borrow::Cow::Owned(c) = crate::text::clean(s) {
                *s = c;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(clean_in_place),
        Value::Object(map) => {
            if map
                .keys()
                .any(|k| matches!(crate::text::clean(k), std::borrow::Cow::Owned(_)))
            {
                let old = std::mem::take(map);
                *map = old.into_iter().map(|(k, v)| (clean_owned(k), v)).collect();
            }
            map.values_mut().for_each(clean_in_place);
        }
        _ => {}
    }
}

/// A short name for a JSON value's type, for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn origin() -> Origin {
        Origin::new("catalog-info.yaml", Some(3))
    }

    #[test]
    fn reads_envelope_and_keeps_unknown_fields() {
        let (e, problems) = Entity::from_value(
            json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": "Payments", "custom": {"a": 1}, "tags": ["java"]},
                "spec": {"type": "service", "x-extra": [1, 2]}
            }),
            origin(),
        )
        .unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(e.entity_ref().as_str(), "component:default/payments");
        assert_eq!(e.metadata.extra["custom"], json!({"a": 1}));
        assert_eq!(e.spec["x-extra"], json!([1, 2]));
        assert_eq!(e.to_value()["spec"]["x-extra"], json!([1, 2]));
    }

    #[test]
    fn not_a_mapping_is_not_an_entity() {
        let err = Entity::from_value(json!(["a"]), origin()).unwrap_err();
        assert!(err.message.contains("not an entity"), "{}", err.message);
        assert_eq!(err.origin.unwrap().line, Some(3));
    }

    #[test]
    fn missing_kind_is_named() {
        let err = Entity::from_value(
            json!({"apiVersion": "v1", "metadata": {"name": "x"}}),
            origin(),
        )
        .unwrap_err();
        assert!(err.message.contains("kind"), "{}", err.message);
    }

    #[test]
    fn wrong_types_are_reported_as_errors() {
        let (e, problems) = Entity::from_value(
            json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": "x", "title": 5, "tags": "java", "links": [{"title": "no url"}],
                             "annotations": {"a": "b", "n": 3, "bad": [1]}},
                "spec": {"type": "service"}
            }),
            origin(),
        )
        .unwrap();
        assert_eq!(e.metadata.title, None);
        // Backstage refuses a number where a string is required (`n: 3`), and so do we.
        assert_eq!(e.metadata.annotations.get("n"), None);
        let text: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            text.iter()
                .any(|m| m.contains("metadata.title must be a string")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|m| m.contains("metadata.tags must be a list")),
            "{text:?}"
        );
        assert!(text.iter().any(|m| m.contains("needs a url")), "{text:?}");
        assert!(
            text.iter()
                .any(|m| m.contains("annotations.n must be a string, found a number")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|m| m.contains("annotations.bad")),
            "{text:?}"
        );
        assert!(problems.iter().all(|p| p.entity.is_some()));
    }

    #[test]
    fn control_sequences_are_cleaned_on_the_way_in() {
        let (e, _) = Entity::from_value(
            json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": "x", "description": "hi\u{1b}]0;title\u{7} there"},
                "spec": {"type": "se\u{1b}[2Jrvice"}
            }),
            origin(),
        )
        .unwrap();
        assert_eq!(e.metadata.description.as_deref(), Some("hi there"));
        assert_eq!(e.spec_str("type"), Some("service"));
    }
}
