//! The compiled scorecard: its ladder of levels, its filter and its rules.

use super::check::Check;
use super::path::Path;
use crate::catalog::{Entity, Origin};

/// A level on a scorecard's ladder: an index, 0 for the first (lowest) level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(pub u8);

impl Level {
    /// The index into the scorecard's `levels`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One rule: a check at a level, with a weight in the score and a text telling how to fix it.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule's id, unique in its scorecard (used in waivers and output).
    pub id: String,
    /// A human title (the id when none was written).
    pub title: String,
    /// The level this rule belongs to.
    pub level: Level,
    /// The rule's weight in the score (default 1).
    pub weight: f64,
    /// What is tested.
    pub check: Check,
    /// How to make the rule pass, shown when it fails.
    pub fix: Option<String>,
    /// The annotation that waives this rule.
    pub waiver_key: String,
}

/// One filter key: the values a path must reach (any of them, case-insensitively).
#[derive(Debug, Clone)]
pub struct FilterTerm {
    /// Where to look.
    pub path: Path,
    /// The accepted values, lowercase.
    pub values: Vec<String>,
}

impl FilterTerm {
    /// A term from a filter entry as written in YAML: a path and a value or list of values
    /// (strings, numbers or booleans). The error says what is wrong, for the caller to place.
    pub fn parse(key: &str, values: &serde_json::Value) -> Result<FilterTerm, String> {
        let path = Path::parse(key).map_err(|e| e.to_string())?;
        let one = std::slice::from_ref(values);
        let values = match values {
            serde_json::Value::Array(many) => many.as_slice(),
            _ => one,
        };
        let values = values
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Some(s.to_lowercase()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| "filter values must be strings".to_string())?;
        Ok(FilterTerm { path, values })
    }

    /// True when the value the path reaches in the entity (or one of them) equals one of the
    /// term's values, ignoring case.
    pub fn matches(&self, entity: &Entity) -> bool {
        self.path.resolve(entity).iter().any(|found| {
            found
                .as_scalar_str()
                .is_some_and(|s| self.values.iter().any(|v| v.eq_ignore_ascii_case(&s)))
        })
    }
}

/// A scorecard: which entities it applies to, its levels and its rules.
#[derive(Debug, Clone)]
pub struct Scorecard {
    /// The name (`metadata.name`), used in waivers and output.
    pub name: String,
    /// A human title (the name when none was written).
    pub title: String,
    /// A description, when written.
    pub description: Option<String>,
    /// The level names, lowest first.
    pub levels: Vec<String>,
    /// Every term must match for the scorecard to apply to an entity.
    pub filter: Vec<FilterTerm>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// The file and line the scorecard was read from.
    pub origin: Origin,
}

impl Scorecard {
    /// True when every filter term matches the entity: the value its path reaches (or one of
    /// them) equals one of the term's values, ignoring case.
    pub fn applies_to(&self, entity: &Entity) -> bool {
        self.filter.iter().all(|term| term.matches(entity))
    }

    /// The name of a level.
    pub fn level_name(&self, level: Level) -> &str {
        self.levels.get(level.index()).map_or("?", String::as_str)
    }

    /// The level with this name, ignoring case.
    pub fn level_by_name(&self, name: &str) -> Option<Level> {
        self.levels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(name.trim()))
            .map(|i| Level(i as u8))
    }

    /// Entities per level in words, highest level first: `Gold 1 · Silver 15 · Bronze 1 · none 1`.
    /// `counts` is indexed as [`crate::scorecard::Report::distribution`] gives it (0: below
    /// the first level).
    pub fn distribution_text(&self, counts: &[usize]) -> String {
        let mut parts: Vec<String> = self
            .levels
            .iter()
            .enumerate()
            .rev()
            .map(|(i, name)| format!("{name} {}", counts.get(i + 1).copied().unwrap_or(0)))
            .collect();
        parts.push(format!("none {}", counts.first().copied().unwrap_or(0)));
        parts.join(" · ")
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
