//! Compiling the `check` of a scorecard rule from its YAML form: exactly one operator, the
//! keys it needs, regexes compiled and relation names checked, with the key at fault named.

use super::check::Check;
use super::path::Path;
use crate::catalog::RelationType;
use crate::text::{clean, one_line};
use serde::Deserialize;
use serde_json::Value;

/// A value written alone or as a list (`kind: api` or `kind: [api, component]`).
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum OneOrMany {
    /// A list.
    Many(Vec<Value>),
    /// A single value.
    One(Value),
}

/// A check as written in YAML; [`compile`] turns it into a [`Check`].
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCheck {
    path: Option<String>,
    exists: Option<bool>,
    equals: Option<Value>,
    #[serde(rename = "in")]
    in_: Option<Vec<Value>>,
    matches: Option<String>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    relation: Option<String>,
    resolves: Option<bool>,
    min_count: Option<usize>,
    kind: Option<OneOrMany>,
    all: Option<Vec<RawCheck>>,
    any: Option<Vec<RawCheck>>,
    not: Option<Box<RawCheck>>,
    live: Option<String>,
    severity: Option<OneOrMany>,
    high_incidents: Option<usize>,
}

/// Turns a raw check into a compiled one, or names the key at fault and why.
pub(super) fn compile(raw: &RawCheck) -> Result<Check, (String, String)> {
    let err = |k: &str, m: String| Err((k.to_string(), m));
    let mut ops: Vec<&str> = Vec::new();
    for (present, name) in [
        (raw.exists.is_some(), "exists"),
        (raw.equals.is_some(), "equals"),
        (raw.in_.is_some(), "in"),
        (raw.matches.is_some(), "matches"),
        (
            raw.min_length.is_some() || raw.max_length.is_some(),
            "min_length/max_length",
        ),
        (raw.relation.is_some(), "relation"),
        (raw.all.is_some(), "all"),
        (raw.any.is_some(), "any"),
        (raw.not.is_some(), "not"),
        (raw.live.is_some(), "live"),
    ] {
        if present {
            ops.push(name);
        }
    }
    let op = match ops.as_slice() {
        [one] => *one,
        [] => {
            return err(
                "",
                "no operator: use one of exists, equals, in, matches, min_length, max_length, relation, live, all, any, not".into(),
            )
        }
        many => {
            return err(
                many[1],
                format!(
                    "one check has one operator, this one has {}; combine them with all: [...]",
                    many.join(" and ")
                ),
            )
        }
    };
    let relation_only = raw.resolves.is_some() || raw.min_count.is_some() || raw.kind.is_some();
    if relation_only && op != "relation" {
        let key = if raw.resolves.is_some() {
            "resolves"
        } else if raw.min_count.is_some() {
            "min_count"
        } else {
            "kind"
        };
        return err(key, format!("{key} only goes with relation"));
    }
    let live_only = raw.severity.is_some() || raw.high_incidents.is_some();
    if live_only && op != "live" {
        let key = if raw.severity.is_some() {
            "severity"
        } else {
            "high_incidents"
        };
        return err(key, format!("{key} only goes with live"));
    }
    let path = || -> Result<Path, (String, String)> {
        let Some(p) = &raw.path else {
            return Err(("path".into(), format!("{op} needs a path")));
        };
        Path::parse(p).map_err(|e| ("path".to_string(), e.to_string()))
    };
    let nested = |name: &str, list: &[RawCheck]| -> Result<Vec<Check>, (String, String)> {
        if raw.path.is_some() {
            return Err((
                "path".into(),
                format!("{name} takes no path; give each check its own"),
            ));
        }
        if list.is_empty() {
            return Err((name.into(), format!("{name} needs at least one check")));
        }
        list.iter()
            .enumerate()
            .map(|(i, c)| compile(c).map_err(|(k, m)| (join_key(&format!("{name}[{i}]"), &k), m)))
            .collect()
    };
    Ok(match op {
        "exists" => Check::Exists {
            path: path()?,
            expected: raw.exists.unwrap_or(true),
        },
        "equals" => Check::Equals {
            path: path()?,
            value: raw.equals.clone().unwrap_or(Value::Null),
        },
        "in" => {
            let values = raw.in_.clone().unwrap_or_default();
            if values.is_empty() {
                return err("in", "in needs at least one value".into());
            }
            Check::In {
                path: path()?,
                values,
            }
        }
        "matches" => {
            let pattern = raw.matches.as_deref().unwrap_or_default();
            let regex = regex::RegexBuilder::new(pattern)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| {
                    (
                        "matches".to_string(),
                        format!("bad regular expression: {}", one_line(&e.to_string())),
                    )
                })?;
            Check::Matches {
                path: path()?,
                regex,
            }
        }
        "min_length/max_length" => {
            if let (Some(a), Some(b)) = (raw.min_length, raw.max_length) {
                if a > b {
                    return err(
                        "max_length",
                        format!("max_length {b} is below min_length {a}"),
                    );
                }
            }
            Check::Length {
                path: path()?,
                min: raw.min_length,
                max: raw.max_length,
            }
        }
        "relation" => {
            let name = raw.relation.as_deref().unwrap_or_default();
            let relation = RelationType::parse(name.trim()).ok_or_else(|| {
                (
                    "relation".to_string(),
                    format!(
                        "unknown relation {:?}; expected one of {}",
                        one_line(&clean(name)),
                        RelationType::ALL.map(|r| r.as_str()).join(", ")
                    ),
                )
            })?;
            if raw.path.is_some() {
                return err("path", "relation takes no path".into());
            }
            if raw.resolves == Some(false) {
                return err(
                    "resolves",
                    "resolves: false is not a test; write not: { relation: …, resolves: true }"
                        .into(),
                );
            }
            if raw.resolves.is_none() && raw.min_count.is_none() {
                return err(
                    "relation",
                    "relation needs resolves: true or min_count".into(),
                );
            }
            let kinds = match &raw.kind {
                None => Vec::new(),
                Some(OneOrMany::One(v)) => vec![v.clone()],
                Some(OneOrMany::Many(v)) => v.clone(),
            };
            let kinds = kinds
                .iter()
                .map(|k| k.as_str().map(|s| s.trim().to_lowercase()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    (
                        "kind".to_string(),
                        "kind must be a string or a list of strings".to_string(),
                    )
                })?;
            Check::Relation {
                relation,
                resolves: raw.resolves == Some(true),
                min_count: raw.min_count,
                kinds,
            }
        }
        "live" => {
            if raw.path.is_some() {
                return err("path", "live takes no path".into());
            }
            let provider = raw.live.as_deref().unwrap_or_default().trim().to_string();
            if provider.is_empty() {
                return err("live", "live needs a provider name, such as github".into());
            }
            let words = match &raw.severity {
                None => vec![Value::from("ok")],
                Some(OneOrMany::One(v)) => vec![v.clone()],
                Some(OneOrMany::Many(v)) => v.clone(),
            };
            let accept = words
                .iter()
                .map(|w| w.as_str().and_then(crate::live::Severity::parse))
                .collect::<Option<Vec<_>>>()
                .filter(|a| !a.is_empty())
                .ok_or_else(|| {
                    (
                        "severity".to_string(),
                        "severity must be ok, warn, crit or unknown, or a list of them".to_string(),
                    )
                })?;
            Check::Live {
                provider,
                accept,
                high_incidents: raw.high_incidents,
            }
        }
        "all" => Check::All(nested("all", raw.all.as_deref().unwrap_or_default())?),
        "any" => Check::Any(nested("any", raw.any.as_deref().unwrap_or_default())?),
        _ => {
            if raw.path.is_some() {
                return err(
                    "path",
                    "not takes no path; put it in the inner check".into(),
                );
            }
            let inner = raw
                .not
                .as_deref()
                .map(compile)
                .unwrap_or_else(|| Err(("not".into(), "not needs a check".into())));
            Check::Not(Box::new(inner.map_err(|(k, m)| (join_key("not", &k), m))?))
        }
    })
}

fn join_key(outer: &str, inner: &str) -> String {
    if inner.is_empty() {
        outer.to_string()
    } else {
        format!("{outer}.{inner}")
    }
}
