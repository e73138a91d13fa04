//! Schemas as indented lines (`id*: integer (int64)`), following local `$ref`s and stopping at
//! reference cycles.

use serde::Serialize;
use serde_json::Value;

/// Most lines one schema is expanded to; a huge schema is cut with `…`.
const MAX_LINES: usize = 400;
/// Deepest nesting expanded.
const MAX_DEPTH: usize = 12;
/// Most `$ref` hops followed to reach a non-reference.
const MAX_HOPS: usize = 32;

/// One line of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaLine {
    /// Nesting depth, 0 for the schema itself.
    pub depth: usize,
    /// `name*: type — description` (`*` marks a required property).
    pub text: String,
}

/// Follows a local `$ref` (`#/components/schemas/Pet`); returns the value itself when it is not
/// a reference or the reference leads nowhere.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..MAX_HOPS {
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| pointer(doc, r))
        {
            Some(next) => current = next,
            None => return current,
        }
    }
    current
}

/// Looks up a local reference: `#` followed by a JSON pointer.
fn pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let path = reference.strip_prefix('#')?;
    doc.pointer(path)
}

/// The last part of a reference: `#/components/schemas/Pet` → `Pet`.
fn ref_name(reference: &str) -> String {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    crate::text::clean(&name.replace("~1", "/").replace("~0", "~")).into_owned()
}

/// Expands a schema into lines.
pub fn lines(doc: &Value, schema: &Value) -> Vec<SchemaLine> {
    let mut out = Vec::new();
    let mut stack = Vec::new();
    walk(doc, schema, None, false, 0, &mut stack, &mut out);
    out
}

fn walk(
    doc: &Value,
    schema: &Value,
    name: Option<&str>,
    required: bool,
    depth: usize,
    stack: &mut Vec<String>,
    out: &mut Vec<SchemaLine>,
) {
    if out.len() >= MAX_LINES {
        if !out.last().is_some_and(|l| l.text == "…") {
            out.push(SchemaLine {
                depth,
                text: "…".into(),
            });
        }
        return;
    }
    let label = match name {
        Some(n) => format!(
            "{}{}: ",
            crate::text::clean(n),
            if required { "*" } else { "" }
        ),
        None => String::new(),
    };
    let push = |out: &mut Vec<SchemaLine>, text: String| {
        out.push(SchemaLine {
            depth,
            text: crate::text::one_line(&text),
        })
    };
    if depth > MAX_DEPTH {
        push(out, format!("{label}…"));
        return;
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let rname = ref_name(reference);
        if stack.iter().any(|r| r == reference) {
            push(out, format!("{label}{rname} (recursive, see above)"));
            return;
        }
        let Some(target) = pointer(doc, reference) else {
            let why = if reference.starts_with('#') {
                "unresolved"
            } else {
                "external, not followed"
            };
            push(
                out,
                format!("{label}{} ({why})", crate::text::clean(reference)),
            );
            return;
        };
        stack.push(reference.to_string());
        if target.get("$ref").is_some() {
            // A reference to a reference: follow it, still watching for a cycle.
            walk(doc, target, name, required, depth, stack, out);
        } else {
            walk_resolved(doc, target, &label, Some(&rname), depth, stack, out);
        }
        stack.pop();
        return;
    }
    walk_resolved(doc, schema, &label, None, depth, stack, out);
}

fn walk_resolved(
    doc: &Value,
    schema: &Value,
    label: &str,
    rname: Option<&str>,
    depth: usize,
    stack: &mut Vec<String>,
    out: &mut Vec<SchemaLine>,
) {
    let mut text = format!("{label}{}", type_of(schema));
    if let Some(r) = rname {
        text.push_str(&format!(" ({r})"));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let shown: Vec<String> = values.iter().take(12).map(short).collect();
        let more = if values.len() > 12 { ", …" } else { "" };
        text.push_str(&format!(" one of {}{more}", shown.join(", ")));
    }
    if let Some(d) = schema.get("description").and_then(Value::as_str) {
        text.push_str(" — ");
        text.push_str(&crate::text::truncate(
            &crate::text::one_line(&crate::text::clean(d)),
            120,
        ));
    }
    out.push(SchemaLine {
        depth,
        text: crate::text::one_line(&text),
    });
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (k, v) in props {
            walk(
                doc,
                v,
                Some(k),
                required.contains(&k.as_str()),
                depth + 1,
                stack,
                out,
            );
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        if expandable(doc, items) {
            walk(doc, items, Some("[]"), false, depth + 1, stack, out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(parts)) = schema.get(key) {
            for part in parts {
                walk(doc, part, Some(key), false, depth + 1, stack, out);
            }
        }
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        if expandable(doc, extra) {
            walk(doc, extra, Some("{*}"), false, depth + 1, stack, out);
        }
    }
}

/// True when a schema has structure worth its own lines (not a plain `type: string`).
fn expandable(doc: &Value, schema: &Value) -> bool {
    let s = resolve(doc, schema);
    schema.get("$ref").is_some()
        || ["properties", "items", "allOf", "oneOf", "anyOf", "enum"]
            .iter()
            .any(|k| s.get(k).is_some())
}

/// `integer (int64)`, `string | null`, `array of Pet`, `object`.
fn type_of(schema: &Value) -> String {
    let mut t = match schema.get("type") {
        Some(Value::String(s)) => crate::text::clean(s).into_owned(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ if schema.get("properties").is_some() => "object".into(),
        _ if schema.get("oneOf").is_some() => "one of".into(),
        _ if schema.get("anyOf").is_some() => "any of".into(),
        _ if schema.get("allOf").is_some() => "all of".into(),
        _ => "any".into(),
    };
    if t == "array" {
        if let Some(items) = schema.get("items") {
            let inner = match items.get("$ref").and_then(Value::as_str) {
                Some(r) => ref_name(r),
                None => type_of(items),
            };
            t = format!("array of {inner}");
        }
    }
    if let Some(f) = schema.get("format").and_then(Value::as_str) {
        t.push_str(&format!(" ({})", crate::text::clean(f)));
    }
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        t.push_str(" | null");
    }
    t
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    crate::text::truncate(&crate::text::one_line(&crate::text::clean(&s)), 40).into_owned()
}
