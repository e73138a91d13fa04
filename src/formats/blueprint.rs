//! Port blueprints: what a Port entity's properties and relations mean. A blueprint names its
//! properties (with a title, a type, a format, an enum) and its relations (with the blueprint
//! they point at); when blueprints are read, the target blueprint of a relation decides which
//! Backstage field it fills, and each property value is checked against its declared type.

use super::read::{list, object, text, Ctx};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One blueprint, as read from a blueprint JSON file or a Port export's `blueprints`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Blueprint {
    /// Its identifier (`service`, `microservice`, `_team`, …), what entities name in `blueprint`.
    pub identifier: String,
    /// `schema.properties`, by key.
    pub properties: BTreeMap<String, Property>,
    /// `schema.required`: the properties every entity must hold.
    pub required: Vec<String>,
    /// `relations`, by name.
    pub relations: BTreeMap<String, Relation>,
    /// The file it was read from.
    pub path: Arc<str>,
    /// The line of its `identifier`.
    pub line: u32,
}

/// A property a blueprint declares.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Property {
    /// Its title, shown instead of the key when there is one.
    pub title: Option<String>,
    /// `string`, `number`, `boolean`, `array` or `object` (`None` when not written).
    pub kind: Option<String>,
    /// `url`, `email`, `date-time`, `markdown`, … for strings.
    pub format: Option<String>,
    /// The values allowed, when the blueprint lists them.
    pub allowed: Vec<Value>,
}

/// A relation a blueprint declares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Relation {
    /// Its title.
    pub title: Option<String>,
    /// The blueprint its targets belong to.
    pub target: String,
    /// True when it holds a list of targets.
    pub many: bool,
    /// True when every entity must set it.
    pub required: bool,
}

/// True when a JSON object is a blueprint rather than an entity: it has a `schema` and names
/// no `blueprint` of its own.
pub(super) fn is_blueprint(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("schema") && !o.contains_key("blueprint"))
}

/// Reads one blueprint found at or after line `from`; returns the line to look for the next
/// one from. A blueprint without an identifier, or a relation without a target, is an error
/// at its line and is left out.
pub(super) fn read(ctx: &mut Ctx<'_>, value: &Value, from: u32) -> u32 {
    let line = ctx.line("identifier", from);
    let next = line + 1;
    let Some(obj) = value.as_object() else {
        ctx.error(line, "a Port blueprint must be a mapping");
        return next;
    };
    let Some(identifier) = text(obj.get("identifier")) else {
        ctx.error(
            line,
            "a Port blueprint without an `identifier`: it was not read",
        );
        return next;
    };
    let schema = object(obj.get("schema"));
    let mut properties = BTreeMap::new();
    let schema_properties = schema.and_then(|s| s.get("properties"));
    if schema_properties.is_some_and(|p| !p.is_object() && !p.is_null()) {
        ctx.error(
            ctx.line("properties", line),
            format!("blueprint {identifier}: `schema.properties` must be a mapping of property definitions"),
        );
    }
    for (key, def) in object(schema_properties).into_iter().flatten() {
        let Some(def) = def.as_object() else {
            ctx.error(
                ctx.line(key, line),
                format!("blueprint {identifier}: property `{key}` must be a mapping"),
            );
            continue;
        };
        properties.insert(
            key.clone(),
            Property {
                title: text(def.get("title")),
                kind: text(def.get("type")).map(|t| t.to_lowercase()),
                format: text(def.get("format")).map(|f| f.to_lowercase()),
                allowed: list(def.get("enum")).into_iter().cloned().collect(),
            },
        );
    }
    let required = list(schema.and_then(|s| s.get("required")))
        .into_iter()
        .filter_map(|r| text(Some(r)))
        .collect();
    let mut relations = BTreeMap::new();
    for (name, def) in object(obj.get("relations")).into_iter().flatten() {
        let Some(target) = text(def.get("target")) else {
            ctx.error(
                ctx.line(name, line),
                format!("blueprint {identifier}: relation `{name}` has no `target` blueprint: it was not read"),
            );
            continue;
        };
        relations.insert(
            name.clone(),
            Relation {
                title: text(def.get("title")),
                target,
                many: def.get("many").and_then(Value::as_bool).unwrap_or(false),
                required: def
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            },
        );
    }
    ctx.blueprints.push(Blueprint {
        identifier,
        properties,
        required,
        relations,
        path: ctx.path.clone(),
        line,
    });
    next
}

/// The Backstage kind a Port blueprint's entities become, by the blueprint's identifier
/// (case folded); any blueprint not in the table is a `Resource` of that type.
pub(super) fn kind_of(blueprint: &str) -> &'static str {
    match blueprint.to_lowercase().as_str() {
        "component" | "service" | "_service" | "microservice" => "Component",
        "api" => "API",
        "resource" => "Resource",
        "system" => "System",
        "domain" => "Domain",
        "group" | "_team" | "team" => "Group",
        "user" | "_user" => "User",
        _ => "Resource",
    }
}

/// What a relation means in Backstage, decided by the kind of the entity that holds it and the
/// kind its target blueprint maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meaning {
    /// A spec field to fill with the target's reference, of the given kinds.
    Field(super::RefField, &'static [&'static str]),
    /// A System listing what belongs to it: written on each target as `spec.system`.
    PartOf,
    /// No Backstage field; kept as an annotation (the reason says why).
    Kept(&'static str),
}

/// The meaning of relation `name` (titled `title`) from an entity of `kind` to entities of
/// blueprint `target` — the table in docs/formats.md ("Port blueprints").
pub(super) fn meaning(kind: &str, name: &str, title: Option<&str>, target: &str) -> Meaning {
    use super::RefField as F;
    let words = format!("{name} {}", title.unwrap_or_default()).to_lowercase();
    let says = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    match (kind_of(target), kind) {
        ("Group", _) => Meaning::Field(F::Owner, &["group"]),
        ("User", _) => Meaning::Field(F::Owner, &["user"]),
        ("System", "Component" | "API" | "Resource") => Meaning::Field(F::System, &["system"]),
        ("Domain", "System") => Meaning::Field(F::Domain, &["domain"]),
        ("Domain", "Domain") => Meaning::Field(F::SubdomainOf, &["domain"]),
        ("API", "Component") if says(&["consum", "uses", "calls"]) => {
            Meaning::Field(F::ConsumesApis, &["api"])
        }
        ("API", "Component") if says(&["provid", "expos", "implement", "serve", "offer"]) => {
            Meaning::Field(F::ProvidesApis, &["api"])
        }
        ("API", "Component") => Meaning::Kept(
            "a relation to an API whose name and title say neither provides nor consumes",
        ),
        ("Component", "Component") if says(&["subcomponent", "parent", "partof", "part of"]) => {
            Meaning::Field(F::SubcomponentOf, &["component"])
        }
        ("Component", "Component" | "Resource") => Meaning::Field(F::DependsOn, &["component"]),
        ("Resource", "Component" | "Resource") => Meaning::Field(F::DependsOn, &["resource"]),
        ("Component" | "API" | "Resource", "System") => Meaning::PartOf,
        _ => Meaning::Kept("Backstage has no field for this relation between these kinds"),
    }
}

/// Why a property value does not fit its declared type, when it does not.
pub(super) fn mismatch(def: &Property, value: &Value) -> Option<String> {
    let kind = def.kind.as_deref()?;
    let found = match value {
        Value::Null => return None,
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let fits = match kind {
        "string" => value.is_string(),
        "number" | "integer" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    };
    if !fits {
        return Some(format!("is {found}, but the blueprint declares a {kind}"));
    }
    if !def.allowed.is_empty() && !def.allowed.contains(value) {
        let allowed: Vec<String> = def.allowed.iter().map(Value::to_string).collect();
        return Some(format!(
            "is {value}, not one of the blueprint's values ({})",
            allowed.join(", ")
        ));
    }
    let s = value.as_str()?;
    let ok = match def.format.as_deref() {
        Some("url") => s.starts_with("https://") || s.starts_with("http://"),
        Some("email") => s
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.')),
        _ => true,
    };
    (!ok).then(|| {
        format!(
            "is {value}, not a valid {}",
            def.format.as_deref().unwrap_or_default()
        )
    })
}
