//! The built-in providers and the plugin road. Each provider turns the provider's (or the
//! Backstage plugin's) JSON into an [`Answer`](super::model::Answer); every string is cleaned
//! where it is read, and a missing field is "not said", never a panic.

pub mod argocd;
pub mod github;
pub mod kubernetes;
pub mod opsgenie;
pub mod pagerduty;
pub mod plugin;
pub mod sonarqube;

use super::model::tidy;
use serde_json::Value;

/// A string (or number) at a JSON pointer, cleaned; `None` when absent or blank.
pub(crate) fn text(v: &Value, pointer: &str) -> Option<String> {
    let found = v.pointer(pointer)?;
    let raw = match found {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(tidy(&raw)).filter(|s| !s.is_empty())
}

/// The array at a JSON pointer; empty when absent or not an array.
pub(crate) fn list<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A count with its noun, `1 pod` / `3 pods`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
