//! Paths into an entity, as scorecard rules and filters write them: `spec.lifecycle`,
//! `metadata.annotations["pagerduty.com/service-id"]`, `metadata.links[0].url`,
//! `metadata.links[*].title`.
//!
//! A path is parsed once when the scorecard loads and resolved against the entity's typed fields
//! directly, so evaluating a rule never rebuilds the entity's JSON document.

use crate::catalog::{Entity, Link, Metadata, SpecValue, StringMap};
use serde_json::Value;
use std::fmt;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key: `spec` or `["pagerduty.com/service-id"]`.
    Key(String),
    /// A list index: `[0]`.
    Index(usize),
    /// Every element of a list or every value of a mapping: `[*]`.
    Each,
}

/// A parsed path; displays as written (normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    segments: Vec<Segment>,
    text: String,
}

/// Why a path does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path {path:?}: {reason}")]
pub struct PathError {
    /// The path as written.
    pub path: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Path {
    /// Parses a path: keys separated by dots, `["quoted keys"]` (or single quotes) for keys with
    /// dots or slashes, `[N]` for a list index and `[*]` for every element.
    pub fn parse(input: &str) -> Result<Path, PathError> {
        let err = |reason: &str| PathError {
            path: input.to_string(),
            reason: reason.to_string(),
        };
        let mut segments = Vec::new();
        let chars: Vec<char> = input.trim().chars().collect();
        if chars.is_empty() {
            return Err(err("the path is empty"));
        }
        let mut i = 0;
        let mut expect_key = true;
        while i < chars.len() {
            match chars[i] {
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some(&q @ ('"' | '\'')) => {
                            let mut key = String::new();
                            i += 1;
                            loop {
                                match chars.get(i) {
                                    None => return Err(err("unclosed quote")),
                                    Some('\\') if chars.get(i + 1).is_some() => {
                                        key.push(chars[i + 1]);
                                        i += 2;
                                    }
                                    Some(&c) if c == q => {
                                        i += 1;
                                        break;
                                    }
                                    Some(&c) => {
                                        key.push(c);
                                        i += 1;
                                    }
                                }
                            }
                            segments.push(Segment::Key(key));
                        }
                        Some('*') => {
                            i += 1;
                            segments.push(Segment::Each);
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let start = i;
                            while chars.get(i).is_some_and(char::is_ascii_digit) {
                                i += 1;
                            }
                            let n: String = chars[start..i].iter().collect();
                            let n = n.parse().map_err(|_| err("index too large"))?;
                            segments.push(Segment::Index(n));
                        }
                        _ => return Err(err("expected a quoted key, an index or * after [")),
                    }
                    if chars.get(i) != Some(&']') {
                        return Err(err("expected ] to close ["));
                    }
                    i += 1;
                    expect_key = false;
                }
                '.' => {
                    if expect_key {
                        return Err(err("empty key (two dots, or a leading dot)"));
                    }
                    i += 1;
                    expect_key = true;
                    if i == chars.len() {
                        return Err(err("the path ends with a dot"));
                    }
                }
                ']' => return Err(err("] without [")),
                _ => {
                    if !expect_key {
                        return Err(err("expected . or [ between keys"));
                    }
                    let start = i;
                    while i < chars.len() && !matches!(chars[i], '.' | '[' | ']') {
                        i += 1;
                    }
                    let key: String = chars[start..i].iter().collect();
                    segments.push(Segment::Key(key.trim().to_string()));
                    expect_key = false;
                }
            }
        }
        let text = display(&segments);
        Ok(Path { segments, text })
    }

    /// The steps of the path.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Every value the path reaches in an entity: none when it leads nowhere, several when it
    /// goes through `[*]`.
    pub fn resolve<'a>(&self, entity: &'a Entity) -> Vec<Found<'a>> {
        let mut current = vec![Found::Entity(entity)];
        let mut next = Vec::new();
        for seg in &self.segments {
            for v in current.drain(..) {
                v.step(seg, &mut next);
            }
            std::mem::swap(&mut current, &mut next);
            if current.is_empty() {
                break;
            }
        }
        current
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn display(segments: &[Segment]) -> String {
    let mut out = String::new();
    for seg in segments {
        match seg {
            Segment::Key(k)
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
            {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Key(k) => {
                out.push_str("[\"");
                out.push_str(&k.replace('\\', "\\\\").replace('"', "\\\""));
                out.push_str("\"]");
            }
            Segment::Index(n) => out.push_str(&format!("[{n}]")),
            Segment::Each => out.push_str("[*]"),
        }
    }
    out
}

/// A value a path reached, borrowed from the entity.
#[derive(Debug, Clone, Copy)]
pub enum Found<'a> {
    /// The whole entity.
    Entity(&'a Entity),
    /// `metadata`.
    Metadata(&'a Metadata),
    /// A string field.
    Str(&'a str),
    /// A list of strings (`metadata.tags`).
    Strs(&'a [String]),
    /// A string map (`metadata.labels`, `metadata.annotations`).
    Map(&'a StringMap),
    /// `metadata.links`.
    Links(&'a [Link]),
    /// One link.
    Link(&'a Link),
    /// A part of `spec` or of an unknown metadata field.
    Json(&'a SpecValue),
}

impl<'a> Found<'a> {
    fn step(self, seg: &Segment, out: &mut Vec<Found<'a>>) {
        match (self, seg) {
            (Found::Entity(e), Segment::Key(k)) => match k.as_str() {
                "apiVersion" => out.push(Found::Str(&e.api_version)),
                "kind" => out.push(Found::Str(&e.kind)),
                "metadata" => out.push(Found::Metadata(&e.metadata)),
                "spec" if !e.spec.is_null() => out.push(Found::Json(&e.spec)),
                _ => {}
            },
            (Found::Metadata(m), Segment::Key(k)) => match k.as_str() {
                "name" => out.push(Found::Str(&m.name)),
                "namespace" => out.push(Found::Str(&m.namespace)),
                "title" => out.extend(m.title.as_deref().map(Found::Str)),
                "description" => out.extend(m.description.as_deref().map(Found::Str)),
                "uid" => out.extend(m.uid.as_deref().map(Found::Str)),
                "labels" => out.push(Found::Map(&m.labels)),
                "annotations" => out.push(Found::Map(&m.annotations)),
                "tags" => out.push(Found::Strs(&m.tags)),
                "links" => out.push(Found::Links(&m.links)),
                other => out.extend(m.extra.get(other).map(Found::Json)),
            },
            (Found::Map(m), Segment::Key(k)) => out.extend(m.get(k).map(Found::Str)),
            (Found::Map(m), Segment::Each) => out.extend(m.values().map(Found::Str)),
            (Found::Strs(s), Segment::Index(i)) => out.extend(s.get(*i).map(|v| Found::Str(v))),
            (Found::Strs(s), Segment::Each) => out.extend(s.iter().map(|v| Found::Str(v))),
            (Found::Links(l), Segment::Index(i)) => out.extend(l.get(*i).map(Found::Link)),
            (Found::Links(l), Segment::Each) => out.extend(l.iter().map(Found::Link)),
            (Found::Link(l), Segment::Key(k)) => match k.as_str() {
                "url" => out.push(Found::Str(&l.url)),
                "title" => out.extend(l.title.as_deref().map(Found::Str)),
                "icon" => out.extend(l.icon.as_deref().map(Found::Str)),
                "type" => out.extend(l.link_type.as_deref().map(Found::Str)),
                _ => {}
            },
            (Found::Json(v), Segment::Key(k)) => out.extend(v.get(k.as_str()).map(Found::Json)),
            (Found::Json(v), Segment::Index(i)) => {
                out.extend(v.as_array().and_then(|a| a.get(*i)).map(Found::Json))
            }
            (Found::Json(SpecValue::Array(a)), Segment::Each) => {
                out.extend(a.iter().map(Found::Json))
            }
            (Found::Json(SpecValue::Object(o)), Segment::Each) => {
                out.extend(o.iter().map(|(_, v)| Found::Json(v)))
            }
            _ => {}
        }
    }

    /// The value as a string, when it is a string, number or boolean.
    pub fn as_scalar_str(&self) -> Option<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow;
        match *self {
            Found::Str(s) => Some(Cow::Borrowed(s)),
            Found::Json(SpecValue::String(s)) => Some(Cow::Borrowed(s)),
            Found::Json(SpecValue::Number(n)) => Some(Cow::Owned(n.to_string())),
            Found::Json(SpecValue::Bool(b)) => Some(Cow::Owned(b.to_string())),
            _ => None,
        }
    }

    /// The value when it is a string.
    pub fn text(&self) -> Option<&'a str> {
        match *self {
            Found::Str(s) => Some(s),
            Found::Json(SpecValue::String(s)) => Some(s),
            _ => None,
        }
    }

    /// True for null and for strings that are empty or only spaces: "not really there".
    pub fn is_blank(&self) -> bool {
        match *self {
            Found::Json(SpecValue::Null) => true,
            _ => self.text().is_some_and(|s| s.trim().is_empty()),
        }
    }

    /// The length of a string (in characters), list or mapping.
    pub fn length(&self) -> Option<usize> {
        if let Some(s) = self.text() {
            return Some(s.chars().count());
        }
        match *self {
            Found::Strs(s) => Some(s.len()),
            Found::Map(m) => Some(m.len()),
            Found::Links(l) => Some(l.len()),
            Found::Json(SpecValue::Array(a)) => Some(a.len()),
            Found::Json(SpecValue::Object(o)) => Some(o.len()),
            _ => None,
        }
    }

    /// True when the value equals a value written in a scorecard. Strings compare exactly;
    /// a number or boolean in the scorecard also matches the same text in a string field
    /// (annotations are always strings).
    pub fn equals(&self, expected: &Value) -> bool {
        match (self, expected) {
            (Found::Json(v), e) if **v == *e => true,
            (Found::Strs(s), Value::Array(e)) => {
                s.len() == e.len() && s.iter().zip(e).all(|(a, b)| b.as_str() == Some(a))
            }
            (_, Value::String(e)) => self.as_scalar_str().is_some_and(|s| s == e.as_str()),
            (_, Value::Number(_) | Value::Bool(_)) => self
                .as_scalar_str()
                .is_some_and(|s| s == expected.to_string()),
            _ => false,
        }
    }

    /// A short description of the value for failure messages: `"experimental"`, `a list of 0`,
    /// `a mapping`.
    pub fn describe(&self) -> String {
        const MAX: usize = 60;
        if let Some(s) = self.text() {
            let s = crate::text::one_line(s);
            return format!("{:?}", crate::text::truncate(&s, MAX));
        }
        match *self {
            Found::Json(SpecValue::Null) => "null".into(),
            Found::Json(SpecValue::Number(n)) => n.to_string(),
            Found::Json(SpecValue::Bool(b)) => b.to_string(),
            Found::Strs(s) => plural(s.len(), "list of", "item"),
            Found::Links(l) => plural(l.len(), "list of", "link"),
            Found::Json(SpecValue::Array(a)) => plural(a.len(), "list of", "item"),
            Found::Map(m) => plural(m.len(), "mapping of", "key"),
            Found::Json(SpecValue::Object(o)) => plural(o.len(), "mapping of", "key"),
            Found::Entity(_) => "the entity".into(),
            Found::Metadata(_) => "the metadata".into(),
            Found::Str(_) | Found::Json(SpecValue::String(_)) => String::new(),
            Found::Link(l) => format!(
                "a link to {:?}",
                crate::text::truncate(&crate::text::one_line(&l.url), MAX)
            ),
        }
    }
}

fn plural(n: usize, what: &str, unit: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("a {what} {n} {unit}{s}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use serde_json::json;

    fn entity() -> Entity {
        Entity::from_value(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                "metadata": {"name": "svc", "description": "Does things",
                    "annotations": {"pagerduty.com/service-id": "P123", "a.b": "dotted"},
                    "tags": ["go", "kafka"],
                    "links": [{"url": "https://x/dash", "title": "Dashboard"}, {"url": "https://x/rb", "title": "Runbook"}],
                    "custom": {"tier": 1}},
                "spec": {"type": "service", "lifecycle": "production", "ports": [80, 443], "nested": {"k.j": true}}}),
            Origin::new("t.yaml", Some(1)),
        )
        .unwrap()
        .0
    }

    fn strings(path: &str) -> Vec<String> {
        let e = entity();
        Path::parse(path)
            .unwrap()
            .resolve(&e)
            .iter()
            .map(|f| {
                f.as_scalar_str()
                    .map(|s| s.into_owned())
                    .unwrap_or_else(|| f.describe())
            })
            .collect()
    }

    #[test]
    fn dotted_paths_reach_typed_metadata_and_raw_spec() {
        assert_eq!(strings("metadata.description"), ["Does things"]);
        assert_eq!(strings("spec.lifecycle"), ["production"]);
        assert_eq!(strings("kind"), ["Component"]);
        assert_eq!(strings("metadata.namespace"), ["default"]);
        assert_eq!(strings("metadata.custom.tier"), ["1"]);
        assert_eq!(strings("spec.ports[1]"), ["443"]);
    }

    #[test]
    fn quoted_keys_hold_dots_and_slashes() {
        assert_eq!(
            strings(r#"metadata.annotations["pagerduty.com/service-id"]"#),
            ["P123"]
        );
        assert_eq!(strings("metadata.annotations['a.b']"), ["dotted"]);
        assert_eq!(strings(r#"spec.nested["k.j"]"#), ["true"]);
    }

    #[test]
    fn each_reaches_every_element() {
        assert_eq!(strings("metadata.links[*].title"), ["Dashboard", "Runbook"]);
        assert_eq!(strings("metadata.tags[*]"), ["go", "kafka"]);
        assert_eq!(strings("metadata.links[1].url"), ["https://x/rb"]);
    }

    #[test]
    fn missing_paths_reach_nothing() {
        assert!(strings("metadata.title").is_empty());
        assert!(strings("spec.lifecycle.deeper").is_empty());
        assert!(strings("metadata.annotations.pagerduty").is_empty());
        assert!(strings("spec.ports[9]").is_empty());
        assert!(strings("nothing").is_empty());
    }

    #[test]
    fn malformed_paths_are_rejected_with_a_reason() {
        for (bad, why) in [
            ("", "empty"),
            ("a..b", "empty key"),
            (".a", "empty key"),
            ("a.", "ends with a dot"),
            ("a[\"b", "unclosed"),
            ("a[x]", "expected a quoted key"),
            ("a[0", "expected ]"),
            ("a]", "without ["),
            ("a[0]b", "expected . or ["),
        ] {
            let e = Path::parse(bad).unwrap_err();
            assert!(e.reason.contains(why), "{bad:?}: {e}");
        }
    }

    #[test]
    fn paths_display_normalised() {
        let p = Path::parse(r#"metadata.annotations["pagerduty.com/service-id"]"#).unwrap();
        assert_eq!(
            p.to_string(),
            r#"metadata.annotations["pagerduty.com/service-id"]"#
        );
        assert_eq!(
            Path::parse("metadata.links[*].title").unwrap().to_string(),
            "metadata.links[*].title"
        );
    }

    #[test]
    fn huge_values_are_described_briefly() {
        let long = "x".repeat(100_000);
        let d = Found::Str(&long).describe();
        assert!(d.chars().count() < 70, "{}", d.len());
    }
}
