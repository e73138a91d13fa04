//! Reading a descriptor file: YAML (behind the [`yaml`](crate::yaml) guard, merge keys
//! applied) or JSON into a JSON value, the lines of its keys for problems, and small
//! null-tolerant accessors the format modules share.

use super::{Draft, Format, RepoOwner};
use crate::catalog::{Origin, Problem};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A YAML text as a JSON value, with `<<:` merge keys applied (real OpsLevel files use them;
/// serde_yaml does not apply them by itself). Keys that are not strings become their text.
pub(super) fn yaml(path: &Arc<str>, text: &str) -> Result<Value, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let at = |line: usize| Some(Origin::new(path.clone(), Some(line as u32)));
    crate::yaml::check(text)
        .map_err(|r| Problem::error(at(r.line()), format!("YAML is not read: {r}")))?;
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line());
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        Problem::error(at(line), format!("YAML does not parse: {msg}"))
    })?;
    value.apply_merge().map_err(|e| {
        Problem::error(
            at(line_of(text, "<<", 1).unwrap_or(1) as usize),
            format!("merge key `<<` cannot be applied: {e}"),
        )
    })?;
    Ok(to_json(value))
}

/// A JSON text as a value; an error names its line.
pub(super) fn json(path: &Arc<str>, text: &str) -> Result<Value, Problem> {
    serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).map_err(|e| {
        Problem::error(
            Some(Origin::new(path.clone(), Some(e.line() as u32))),
            format!("JSON does not parse: {e}"),
        )
    })
}

/// serde_yaml's value as JSON: tags dropped, non-string keys written as text, non-finite
/// numbers as null.
fn to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect(),
        ),
        Y::Tagged(tagged) => to_json(tagged.value),
    }
}

fn key_text(key: serde_yaml::Value) -> String {
    match to_json(key) {
        Value::String(s) => s,
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// The 1-based line of the first `key:` at or after line `from` (a mapping key, possibly the
/// first of a list item, quoted or not). Lines are for people; a key written some other way
/// falls back to the caller's line.
pub(super) fn line_of(text: &str, key: &str, from: u32) -> Option<u32> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1) as usize)
        .find(|(_, line)| {
            let t = line.trim_start();
            let t = t.strip_prefix("- ").map_or(t, str::trim_start);
            [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
                .iter()
                .any(|k| {
                    t.strip_prefix(k.as_str())
                        .is_some_and(|r| r.starts_with(':'))
                })
        })
        .map(|(i, _)| i as u32 + 1)
}

/// The first line from `from` on where `key:` is written holding `value` (a list item's own
/// line, as `- tag: billing`), when there is one.
pub(super) fn line_of_value(text: &str, key: &str, from: u32, value: &str) -> Option<u32> {
    let mut at = from;
    while let Some(line) = line_of(text, key, at) {
        let written = text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .is_some_and(|t| t.contains(value));
        if written {
            return Some(line);
        }
        at = line + 1;
    }
    None
}

/// What a format module fills while mapping one file.
pub(super) struct Ctx<'t> {
    /// The file's format.
    pub format: Format,
    /// The file.
    pub path: Arc<str>,
    /// Its text, to find lines in.
    pub text: &'t str,
    /// The entities mapped so far.
    pub drafts: Vec<Draft>,
    /// The problems found so far.
    pub problems: Vec<Problem>,
    /// OpsLevel repository ownership records.
    pub repositories: Vec<RepoOwner>,
    /// Compass team map entries (`compass-teams.yaml`): team id → Backstage group reference.
    pub teams: Vec<(String, String)>,
    /// Port blueprints read from the file.
    pub blueprints: Vec<super::blueprint::Blueprint>,
    /// Port entities' properties and relations, mapped once every file's blueprints are known.
    pub port: Vec<super::port::Deferred>,
}

impl<'t> Ctx<'t> {
    pub fn new(format: Format, path: Arc<str>, text: &'t str) -> Self {
        Ctx {
            format,
            path,
            text,
            drafts: Vec::new(),
            problems: Vec::new(),
            repositories: Vec::new(),
            teams: Vec::new(),
            blueprints: Vec::new(),
            port: Vec::new(),
        }
    }

    /// The line of `key` at or after `from`, else `from`.
    pub fn line(&self, key: &str, from: u32) -> u32 {
        line_of(self.text, key, from).unwrap_or(from)
    }

    pub fn origin(&self, line: u32) -> Option<Origin> {
        Some(Origin::new(self.path.clone(), Some(line)))
    }

    pub fn error(&mut self, line: u32, message: impl Into<String>) {
        let p = Problem::error(self.origin(line), message);
        self.problems.push(p);
    }

    pub fn warn(&mut self, line: u32, message: impl Into<String>) {
        let p = Problem::warning(self.origin(line), message);
        self.problems.push(p);
    }

    /// A new entity of this file's format at `line`.
    pub fn draft(&self, kind: &str, name: &str, line: u32) -> Draft {
        Draft::new(self.format, kind, name, line)
    }
}

/// A scalar as text: strings as they are, numbers and booleans written out; `None` for null,
/// empty strings, lists and mappings.
pub(super) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A field as a list: a list as it is, null or absent as empty, and a single other value as
/// a list of one (real files write `team: a` for `team: [a]`).
pub(super) fn list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter(|v| !v.is_null()).collect(),
        Some(other) => vec![other],
    }
}

/// A field as a mapping (`None` for null, absent, or another type).
pub(super) fn object(value: Option<&Value>) -> Option<&Map<String, Value>> {
    value?.as_object()
}

/// True when a value holds nothing worth keeping (null, empty string, list or mapping).
pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_empty),
        Value::Object(m) => m.values().all(is_empty),
        _ => false,
    }
}

/// OpsLevel reads its files as YAML 1.1, where unquoted `yes`, `no`, `on`, `off`, `y` and `n`
/// are booleans; idp-tui reads YAML 1.2, where they are strings. Each such scalar is a warning
/// at its line, so the two readings never differ silently.
pub(super) fn yaml11_lint(ctx: &mut Ctx<'_>) {
    const WORDS: [&str; 6] = ["yes", "no", "on", "off", "y", "n"];
    let mut found = Vec::new();
    for (i, line) in ctx.text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or(line).trim();
        let value = match code.split_once(": ") {
            Some((_, v)) => v.trim(),
            None => match code.strip_prefix("- ") {
                Some(v) if !v.contains(':') => v.trim(),
                _ => continue,
            },
        };
        if WORDS.iter().any(|w| w.eq_ignore_ascii_case(value)) {
            found.push((i as u32 + 1, value.to_string()));
        }
    }
    for (line, value) in found {
        ctx.warn(
            line,
            format!(
                "unquoted `{value}`: OpsLevel reads YAML 1.1, where it is a boolean; idp-tui reads the text {value:?}. Quote it to mean the text"
            ),
        );
    }
}
