//! Nested objects in a form: a property of `type: object` with `properties` becomes the
//! fields of its properties (keyed `parent.child`, titled `Parent › Child`), as Backstage's
//! form draws a fieldset for it; the values are put back into the object when submitted.

use super::form::{field, required_of, Condition, Field, Values};
use serde_json::{Map, Value};

/// How deep nested objects are made fields of their own; deeper ones are JSON fields.
pub(super) const MAX_NESTING: usize = 8;

/// Sets `value` at `path` in `map`, making the objects on the way (a value in the way that is
/// not an object is replaced).
pub(super) fn put(map: &mut Values, path: &[String], value: Value) {
    match path {
        [] => {}
        [last] => {
            map.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let slot = map
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                put(inner, rest, value);
            }
        }
    }
}

/// Makes sure an object exists at `path` (an empty one when nothing is there).
pub(super) fn ensure_object(map: &mut Values, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let slot = map
        .entry(first.clone())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(inner) = slot {
        ensure_object(inner, rest);
    }
}

/// True when a property is a nested object whose properties become fields of their own, as
/// Backstage's form draws a fieldset for it: `type: object` with `properties`, and nothing
/// that makes its shape open or conditional (`additionalProperties`, `dependencies`,
/// `oneOf`/`anyOf`/`allOf`, a `ui:field` or `ui:widget` of its own). Any other object stays
/// one JSON field.
fn is_fieldset(schema: &Value) -> bool {
    let has = |k: &str| schema.get(k).is_some();
    schema.get("type").and_then(Value::as_str) == Some("object")
        && schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty())
        && !schema
            .get("additionalProperties")
            .is_some_and(|a| *a != Value::Bool(false))
        && ![
            "dependencies",
            "oneOf",
            "anyOf",
            "allOf",
            "ui:field",
            "ui:widget",
        ]
        .iter()
        .any(|k| has(k))
}

/// A page property's fields: itself, or, for a nested object, the fields of its properties
/// (each keyed `parent.child` and titled `Parent › Child`), depth first in schema order (its
/// own `ui:order` applied).
pub(super) fn expand(
    key: &str,
    schema: &Value,
    required: bool,
    condition: Option<Condition>,
) -> Vec<Field> {
    let mut out = Vec::new();
    let root = Nest {
        path: vec![key.to_string()],
        title: None,
        required_parents: Vec::new(),
        default: None,
    };
    expand_into(&root, schema, required, &condition, &mut out);
    out
}

/// Where a property sits in nested objects.
struct Nest {
    path: Vec<String>,
    /// The titles of the objects above, joined with ` › `.
    title: Option<String>,
    /// For each object above, whether it is required where it sits.
    required_parents: Vec<bool>,
    /// The default the object above gives this property.
    default: Option<Value>,
}

fn expand_into(
    at: &Nest,
    schema: &Value,
    required: bool,
    condition: &Option<Condition>,
    out: &mut Vec<Field>,
) {
    let name = at.path.last().cloned().unwrap_or_default();
    let own_title = schema
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(&name)
        .to_string();
    let title = match &at.title {
        Some(above) => format!("{above} \u{203a} {own_title}"),
        None => own_title,
    };
    if at.path.len() <= MAX_NESTING && is_fieldset(schema) {
        let req = required_of(schema);
        let own_default = schema.get("default").or(at.default.as_ref());
        let mut children: Vec<(&String, &Value)> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().collect())
            .unwrap_or_default();
        if let Some(order) = schema.get("ui:order").and_then(Value::as_array) {
            let order: Vec<&str> = order.iter().filter_map(Value::as_str).collect();
            let star = order.iter().position(|k| *k == "*").unwrap_or(order.len());
            children.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(star));
        }
        for (child, child_schema) in children {
            let mut path = at.path.clone();
            path.push(child.clone());
            let mut required_parents = at.required_parents.clone();
            required_parents.push(required);
            let nest = Nest {
                path,
                title: Some(title.clone()),
                required_parents,
                default: own_default.and_then(|d| d.get(child)).cloned(),
            };
            expand_into(&nest, child_schema, req.contains(child), condition, out);
        }
        return;
    }
    let key = at.path.join(".");
    let mut f = field(&key, schema, required, condition.clone());
    if at.path.len() > 1 {
        f.title = title;
        f.path = at.path.clone();
        f.required_parents = at.required_parents.clone();
        if f.default.is_none() {
            f.default = at.default.clone();
        }
    }
    out.push(f);
}
