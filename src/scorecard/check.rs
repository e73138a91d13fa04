//! Checks: what a rule tests about an entity, and why it failed when it does.

use super::path::{Found, Path};
use crate::catalog::{Catalog, EntityId, RelationType, Target};
use regex::Regex;
use serde_json::Value;

/// One test of an entity, compiled from a scorecard file (regexes compiled, paths parsed).
#[derive(Debug, Clone)]
pub enum Check {
    /// The path reaches a value that is not null nor a blank string (or, with `false`, it does
    /// not).
    Exists {
        /// Where to look.
        path: Path,
        /// Whether the value must be there (`true`) or absent (`false`).
        expected: bool,
    },
    /// The value equals this one (strings exactly).
    Equals {
        /// Where to look.
        path: Path,
        /// The value it must equal.
        value: Value,
    },
    /// The value equals one of these.
    In {
        /// Where to look.
        path: Path,
        /// The allowed values.
        values: Vec<Value>,
    },
    /// The value is a string (or number, or boolean) matching a regular expression.
    Matches {
        /// Where to look.
        path: Path,
        /// The pattern, compiled once when the scorecard loads.
        regex: Regex,
    },
    /// A string's length in characters, or a list's or mapping's number of entries, is within
    /// bounds.
    Length {
        /// Where to look.
        path: Path,
        /// The least length allowed.
        min: Option<usize>,
        /// The greatest length allowed.
        max: Option<usize>,
    },
    /// The entity has relations of a type: all resolving (`resolves`), at least `min_count`
    /// resolved ones, optionally to entities of given kinds.
    Relation {
        /// The relation type, e.g. `ownedBy`.
        relation: RelationType,
        /// Every such relation must resolve to an entity in the catalog (and there must be one).
        resolves: bool,
        /// At least this many resolved relations.
        min_count: Option<usize>,
        /// When not empty, only relations to these kinds (lowercase) count, and a resolved
        /// relation to another kind fails `resolves`.
        kinds: Vec<String>,
    },
    /// A live signal (see `docs/scorecards.md`, "Live rules"): the provider's severity is one
    /// of `accept`, and at most `high_incidents` high-urgency incidents are open. When the
    /// provider's answer is not known, the rule is unknown, neither passed nor failed.
    Live {
        /// The provider (`github`, `pagerduty`, or a plugin's name).
        provider: String,
        /// The severities that pass (default: ok).
        accept: Vec<crate::live::Severity>,
        /// The most open high-urgency incidents allowed, when set.
        high_incidents: Option<usize>,
    },
    /// Every check passes.
    All(Vec<Check>),
    /// At least one check passes.
    Any(Vec<Check>),
    /// The check fails.
    Not(Box<Check>),
}

/// What a check is evaluated against.
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    /// The catalog, for relations.
    pub catalog: &'a Catalog,
    /// The entity's id in the catalog.
    pub id: EntityId,
    /// The entity's live data, when known (live rules are unknown without it).
    pub live: Option<&'a crate::live::Report>,
}

impl Check {
    /// Evaluates the check: `Ok` when it passes, else why not, naming the path and what was
    /// found.
    pub fn eval(&self, s: Subject<'_>) -> Result<(), String> {
        let entity = s.catalog.get(s.id);
        match self {
            Check::Exists { path, expected } => {
                let found = path.resolve(entity);
                let present = found.iter().find(|f| !f.is_blank());
                match (present, expected) {
                    (Some(_), true) | (None, false) => Ok(()),
                    (None, true) => Err(match found.first() {
                        Some(f) => format!("{path} is empty (found {})", f.describe()),
                        None => format!("{path} is missing"),
                    }),
                    (Some(f), false) => Err(format!(
                        "{path} is set (found {}) but must not be",
                        f.describe()
                    )),
                }
            }
            Check::Equals { path, value } => value_check(
                path,
                entity,
                |f| f.equals(value),
                || format!("expected {value}"),
            ),
            Check::In { path, values } => value_check(
                path,
                entity,
                |f| values.iter().any(|v| f.equals(v)),
                || format!("expected one of {}", list(values)),
            ),
            Check::Matches { path, regex } => value_check(
                path,
                entity,
                |f| f.as_scalar_str().is_some_and(|s| regex.is_match(&s)),
                || format!("expected a match for /{}/", regex.as_str()),
            ),
            Check::Length { path, min, max } => {
                let ok = |n: usize| min.map_or(true, |m| n >= m) && max.map_or(true, |m| n <= m);
                let bounds = match (min, max) {
                    (Some(a), Some(b)) => format!("a length between {a} and {b}"),
                    (Some(a), None) => format!("a length of at least {a}"),
                    (None, Some(b)) => format!("a length of at most {b}"),
                    (None, None) => "any length".into(),
                };
                let found = path.resolve(entity);
                if found.iter().any(|f| f.length().is_some_and(ok)) {
                    return Ok(());
                }
                Err(match found.first() {
                    None => format!("{path} is missing, expected {bounds}"),
                    Some(f) => match f.length() {
                        Some(n) => format!(
                            "{path} has length {n} (found {}), expected {bounds}",
                            f.describe()
                        ),
                        None => format!(
                            "{path} is {}, which has no length; expected {bounds}",
                            f.describe()
                        ),
                    },
                })
            }
            Check::Relation {
                relation,
                resolves,
                min_count,
                kinds,
            } => relation_check(s, *relation, *resolves, *min_count, kinds),
            Check::Live {
                provider,
                accept,
                high_incidents,
            } => live_check(s, provider, accept, *high_incidents).unwrap_or(Ok(())),
            Check::All(checks) => {
                let failures: Vec<String> = checks.iter().filter_map(|c| c.eval(s).err()).collect();
                if failures.is_empty() {
                    Ok(())
                } else {
                    Err(failures.join("; "))
                }
            }
            Check::Any(checks) => {
                let mut failures = Vec::with_capacity(checks.len());
                for c in checks {
                    match c.eval(s) {
                        Ok(()) => return Ok(()),
                        Err(e) => failures.push(e),
                    }
                }
                Err(format!("none of these holds: {}", failures.join("; ")))
            }
            Check::Not(inner) => match inner.eval(s) {
                Ok(()) => Err(format!("{} holds, but must not", inner.describe())),
                Err(_) => Ok(()),
            },
        }
    }

    /// True when the check reads live data (anywhere inside it).
    pub fn uses_live(&self) -> bool {
        match self {
            Check::Live { .. } => true,
            Check::All(c) | Check::Any(c) => c.iter().any(Check::uses_live),
            Check::Not(c) => c.uses_live(),
            _ => false,
        }
    }

    /// Why the check cannot be decided for this entity, when it cannot: a live rule whose
    /// provider has no known answer (anywhere inside the check).
    pub fn unknown(&self, s: Subject<'_>) -> Option<String> {
        match self {
            Check::Live {
                provider,
                accept,
                high_incidents,
            } => match live_check(s, provider, accept, *high_incidents) {
                None => Some(
                    match s
                        .live
                        .and_then(|r| r.results.iter().find(|r| &r.provider == provider))
                    {
                        Some(r) => r
                            .error
                            .clone()
                            .unwrap_or_else(|| format!("{provider} is unknown")),
                        None => format!("no live {provider} data"),
                    },
                ),
                Some(_) => None,
            },
            Check::All(c) | Check::Any(c) => c.iter().find_map(|c| c.unknown(s)),
            Check::Not(c) => c.unknown(s),
            _ => None,
        }
    }

    /// The check in words, for `not` failures and help texts: `spec.lifecycle in [production]`.
    pub fn describe(&self) -> String {
        match self {
            Check::Live {
                provider,
                accept,
                high_incidents,
            } => {
                let words: Vec<&str> = accept.iter().map(|a| a.as_str()).collect();
                let mut s = format!("live {provider} is {}", words.join(" or "));
                if let Some(n) = high_incidents {
                    s.push_str(&format!(" with at most {n} high-urgency incident(s)"));
                }
                s
            }
            Check::Exists {
                path,
                expected: true,
            } => format!("{path} exists"),
            Check::Exists {
                path,
                expected: false,
            } => format!("{path} is absent"),
            Check::Equals { path, value } => format!("{path} equals {value}"),
            Check::In { path, values } => format!("{path} in [{}]", list(values)),
            Check::Matches { path, regex } => format!("{path} matches /{}/", regex.as_str()),
            Check::Length { path, min, max } => {
                let mut s = format!("length of {path}");
                if let Some(m) = min {
                    s.push_str(&format!(" >= {m}"));
                }
                if let Some(m) = max {
                    s.push_str(&format!(" <= {m}"));
                }
                s
            }
            Check::Relation {
                relation,
                resolves,
                min_count,
                kinds,
            } => {
                let mut s = format!("{relation}");
                if !kinds.is_empty() {
                    s.push_str(&format!(" to {}", kinds.join("/")));
                }
                if *resolves {
                    s.push_str(" resolves");
                }
                if let Some(n) = min_count {
                    s.push_str(&format!(" at least {n} time(s)"));
                }
                s
            }
            Check::All(c) => format!(
                "all of ({})",
                c.iter().map(Check::describe).collect::<Vec<_>>().join(", ")
            ),
            Check::Any(c) => format!(
                "any of ({})",
                c.iter().map(Check::describe).collect::<Vec<_>>().join(", ")
            ),
            Check::Not(c) => format!("not ({})", c.describe()),
        }
    }
}

/// A check on the values a path reaches: passes when any of them passes.
fn value_check(
    path: &Path,
    entity: &crate::catalog::Entity,
    test: impl Fn(&Found<'_>) -> bool,
    expected: impl Fn() -> String,
) -> Result<(), String> {
    let found = path.resolve(entity);
    if found.iter().any(test) {
        return Ok(());
    }
    Err(match found.as_slice() {
        [] => format!("{path} is missing, {}", expected()),
        [one] => format!("{path} is {}, {}", one.describe(), expected()),
        many => format!(
            "{path} has {} values ({}), none fits: {}",
            many.len(),
            many.iter()
                .take(5)
                .map(Found::describe)
                .collect::<Vec<_>>()
                .join(", "),
            expected()
        ),
    })
}

fn relation_check(
    s: Subject<'_>,
    relation: RelationType,
    resolves: bool,
    min_count: Option<usize>,
    kinds: &[String],
) -> Result<(), String> {
    let catalog = s.catalog;
    let edges = catalog.edges(s.id).filter(|e| e.relation == relation);
    let kind_ok =
        |t: &Target| kinds.is_empty() || kinds.iter().any(|k| catalog.target_ref(t).kind() == k);
    let mut total = 0usize;
    let mut resolved = 0usize;
    let mut problems = Vec::new();
    for edge in edges {
        total += 1;
        let target = catalog.target_ref(&edge.target);
        match &edge.target {
            Target::Missing(_) => {
                if resolves {
                    problems.push(format!(
                        "{relation} {target} does not resolve (no such entity in the catalog)"
                    ));
                }
            }
            t @ Target::Resolved(_) if kind_ok(t) => resolved += 1,
            Target::Resolved(_) => {
                if resolves {
                    problems.push(format!(
                        "{relation} {target} is a {}, expected {}",
                        target.kind(),
                        kinds.join(" or ")
                    ));
                }
            }
        }
    }
    if resolves && total == 0 {
        problems.push(format!("no {relation} relation"));
    }
    if let Some(n) = min_count {
        if resolved < n {
            let to = if kinds.is_empty() {
                String::new()
            } else {
                format!(" to {}", kinds.join("/"))
            };
            problems.push(format!(
                "{resolved} resolved {relation} relation(s){to}, expected at least {n}"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn list(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A live rule: `None` when the provider's answer is not known, else passed or why not.
fn live_check(
    s: Subject<'_>,
    provider: &str,
    accept: &[crate::live::Severity],
    high_incidents: Option<usize>,
) -> Option<Result<(), String>> {
    let result = s.live?.results.iter().find(|r| r.provider == provider)?;
    let signal = &result.answer.signal;
    if signal.severity == crate::live::Severity::Unknown && !accept.contains(&signal.severity) {
        return None;
    }
    if !accept.contains(&signal.severity) {
        return Some(Err(format!(
            "live {provider} is {}: {}",
            signal.severity.as_str(),
            signal.headline
        )));
    }
    if let Some(max) = high_incidents {
        let high = result
            .answer
            .incidents
            .iter()
            .filter(|i| i.is_high())
            .count();
        if high > max {
            return Some(Err(format!(
                "{high} open high-urgency incident(s) on {provider} (at most {max} allowed)"
            )));
        }
    }
    Some(Ok(()))
}
