//! Reading scorecard files: YAML documents of `kind: Scorecard`, checked field by field so that
//! every mistake is reported with its file, line and field, and one broken scorecard never stops
//! the others from loading.

use super::compile::{compile, OneOrMany, RawCheck};
use super::model::{FilterTerm, Level, Rule, Scorecard};
use super::waiver::Waiver;
use crate::catalog::Origin;
use crate::text::{clean, one_line};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// The `apiVersion` scorecard files carry.
pub const API_VERSION: &str = "idp-tui/v1";

/// Most levels a scorecard may have.
pub const MAX_LEVELS: usize = 16;

/// The built-in production-readiness scorecard, used when none is configured.
const DEFAULT_SCORECARD: &str = include_str!("default.yaml");

/// A scorecard that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScorecardError {
    /// The file or directory could not be read.
    #[error("{path}: cannot read scorecard: {source}")]
    Read {
        /// The file or directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML does not parse, or a field is missing, unknown or wrong.
    #[error("{path}:{line}: {field}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The 1-based line.
        line: u32,
        /// The field at fault, e.g. `spec.rules[2].check` or `rule has-oncall: level`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawScorecard {
    api_version: String,
    kind: String,
    metadata: RawMetadata,
    spec: RawSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetadata {
    name: String,
    title: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    #[serde(default)]
    filter: BTreeMap<String, OneOrMany>,
    levels: Vec<String>,
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    title: Option<String>,
    level: String,
    weight: Option<f64>,
    check: RawCheck,
    fix: Option<String>,
}

/// Everything read from a set of paths: the scorecards that loaded and the errors of those that
/// did not.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The scorecards that loaded, in path order.
    pub scorecards: Vec<Scorecard>,
    /// Why the others did not.
    pub errors: Vec<ScorecardError>,
}

/// The built-in production-readiness scorecard.
pub fn default_scorecards() -> Vec<Scorecard> {
    // The built-in file is tested to parse; should it ever not, no scorecard is better than a
    // panic.
    let (cards, errors) = parse_file("built-in:production-readiness.yaml", DEFAULT_SCORECARD);
    debug_assert!(errors.is_empty(), "{errors:?}");
    cards
}

/// Loads scorecards from files and directories (every `*.yaml`/`*.yml` below a directory).
/// With no paths, the built-in default applies. Scorecard names must be unique: a second one
/// with the same name is an error.
pub fn load_paths(paths: &[String]) -> Loaded {
    if paths.is_empty() {
        return Loaded {
            scorecards: default_scorecards(),
            errors: Vec::new(),
        };
    }
    let mut out = Loaded::default();
    let mut files = Vec::new();
    for p in paths {
        if crate::vfs::is_dir(p) {
            match crate::vfs::yaml_files(p) {
                Ok(found) => files.extend(found),
                Err(source) => out.errors.push(ScorecardError::Read {
                    path: p.clone(),
                    source,
                }),
            }
        } else {
            files.push(p.clone());
        }
    }
    let mut names = HashSet::new();
    for file in files {
        let text = match crate::vfs::read(&file) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(source) => {
                out.errors.push(ScorecardError::Read { path: file, source });
                continue;
            }
        };
        let (cards, errors) = parse_file(&file, &text);
        out.errors.extend(errors);
        for card in cards {
            if names.insert(card.name.clone()) {
                out.scorecards.push(card);
            } else {
                out.errors.push(ScorecardError::Invalid {
                    path: file.clone(),
                    line: card.origin.line.unwrap_or(1),
                    field: "metadata.name".into(),
                    message: format!(
                        "a scorecard named {:?} was already loaded; this one was ignored",
                        card.name
                    ),
                });
            }
        }
    }
    out
}

/// Parses every scorecard document of a file's text; `path` is only used in messages.
pub fn parse_file(path: &str, text: &str) -> (Vec<Scorecard>, Vec<ScorecardError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut cards = Vec::new();
    let mut errors = Vec::new();
    let mut others = 0;
    for (start, chunk) in crate::documents::split(text) {
        if chunk.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            continue;
        }
        // Initiatives live beside the scorecards they drive (crate::governance reads them).
        if document_kind(chunk).as_deref() == Some(INITIATIVE_KIND) {
            others += 1;
            continue;
        }
        match parse_document(path, start, chunk) {
            Ok(card) => cards.push(card),
            Err(e) => errors.push(e),
        }
    }
    if cards.is_empty() && errors.is_empty() && others == 0 {
        errors.push(invalid(path, 1, "file", "no scorecard in this file".into()));
    }
    (cards, errors)
}

/// The `kind` of documents that scorecard files may hold beside scorecards: initiatives.
pub const INITIATIVE_KIND: &str = "Initiative";

/// The `kind:` a YAML document declares, when it parses as a mapping with a string `kind`.
pub fn document_kind(chunk: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct KindOnly {
        kind: Option<String>,
    }
    crate::yaml::from_str::<KindOnly>(chunk).ok()?.kind
}

fn invalid(path: &str, line: u32, field: &str, message: String) -> ScorecardError {
    ScorecardError::Invalid {
        path: path.to_string(),
        line,
        field: field.to_string(),
        message: one_line(&clean(&message)),
    }
}

fn parse_document(path: &str, start: u32, chunk: &str) -> Result<Scorecard, ScorecardError> {
    let raw: RawScorecard = crate::yaml::from_str(chunk).map_err(|e| {
        let line = e.location().map_or(start, |l| start + l.line() as u32 - 1);
        let msg = e.to_string();
        let msg = msg
            .find(" at line ")
            .map_or(&*msg, |i| msg.get(..i).unwrap_or(msg.as_str()));
        // serde_yaml puts the field path first: `spec.rules[0].check: unknown field …`.
        let (field, message) = match msg.split_once(": ") {
            Some((f, m)) if !f.contains(' ') => (f.to_string(), m.to_string()),
            _ => ("document".to_string(), msg.to_string()),
        };
        invalid(path, line, &field, message)
    })?;
    let lines = Lines { chunk, start };
    let at = |field: &str, line: u32, message: String| invalid(path, line, field, message);
    if raw.api_version != API_VERSION {
        return Err(at(
            "apiVersion",
            lines.key(0, "apiVersion"),
            format!("expected {API_VERSION}, found {:?}", raw.api_version),
        ));
    }
    if raw.kind != "Scorecard" {
        return Err(at(
            "kind",
            lines.key(0, "kind"),
            format!("expected Scorecard, found {:?}", raw.kind),
        ));
    }
    let name = raw.metadata.name.trim().to_string();
    if !is_id(&name) {
        return Err(at(
            "metadata.name",
            lines.key(0, "name"),
            format!("{name:?} is not a valid name: use letters, digits, - and _"),
        ));
    }
    let mut levels: Vec<String> = Vec::new();
    for l in &raw.spec.levels {
        let l = one_line(&clean(l));
        if l.is_empty() || levels.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
            return Err(at(
                "spec.levels",
                lines.key(0, "levels"),
                format!("level names must be non-empty and distinct; {l:?} is not"),
            ));
        }
        levels.push(l);
    }
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return Err(at(
            "spec.levels",
            lines.key(0, "levels"),
            format!("a scorecard needs between 1 and {MAX_LEVELS} levels"),
        ));
    }
    let mut filter = Vec::new();
    let filter_line = lines.key(0, "filter");
    for (key, values) in raw.spec.filter {
        let line = lines.key(filter_line, &key);
        let field = format!("spec.filter.{key}");
        let values = match values {
            OneOrMany::One(v) => v,
            OneOrMany::Many(v) => Value::Array(v),
        };
        filter.push(FilterTerm::parse(&key, &values).map_err(|e| at(&field, line, e))?);
    }
    if raw.spec.rules.is_empty() {
        return Err(at(
            "spec.rules",
            lines.key(0, "rules"),
            "a scorecard needs at least one rule".into(),
        ));
    }
    let mut rules = Vec::new();
    let mut ids = HashSet::new();
    for (i, r) in raw.spec.rules.into_iter().enumerate() {
        let id_line = lines.rule(&r.id);
        let field = |f: &str| format!("spec.rules[{i}] ({}): {f}", one_line(&clean(&r.id)));
        let id = r.id.trim().to_string();
        if !is_id(&id) {
            return Err(at(
                &field("id"),
                id_line,
                format!("{id:?} is not a valid rule id: use letters, digits, - and _"),
            ));
        }
        if !ids.insert(id.clone()) {
            return Err(at(
                &field("id"),
                id_line,
                format!("rule id {id:?} is used twice"),
            ));
        }
        let level = levels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(r.level.trim()))
            .map(|i| Level(i as u8))
            .ok_or_else(|| {
                at(
                    &field("level"),
                    lines.key(id_line, "level"),
                    format!(
                        "unknown level {:?}; the levels are {}",
                        one_line(&clean(&r.level)),
                        levels.join(", ")
                    ),
                )
            })?;
        let weight = r.weight.unwrap_or(1.0);
        if !(weight.is_finite() && weight > 0.0) {
            return Err(at(
                &field("weight"),
                lines.key(id_line, "weight"),
                format!("weight must be a positive number, found {weight}"),
            ));
        }
        let check = compile(&r.check).map_err(|(key, message)| {
            let (name, line_key) = match key.as_str() {
                "" => ("check".to_string(), "check"),
                k => (format!("check.{k}"), key_name(k)),
            };
            at(&field(&name), lines.key(id_line, line_key), message)
        })?;
        rules.push(Rule {
            waiver_key: Waiver::key(&name, &id),
            title: r
                .title
                .map(|t| one_line(&clean(&t)))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| id.clone()),
            id,
            level,
            weight,
            check,
            fix: r
                .fix
                .map(|f| clean(f.trim()).into_owned())
                .filter(|f| !f.is_empty()),
        });
    }
    Ok(Scorecard {
        title: raw
            .metadata
            .title
            .map(|t| one_line(&clean(&t)))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| name.clone()),
        description: raw
            .metadata
            .description
            .map(|d| clean(d.trim()).into_owned()),
        name,
        levels,
        filter,
        rules,
        origin: Origin::new(Arc::<str>::from(path), Some(lines.first_content())),
    })
}

/// The key a check error points at, for finding its line: `matches` in `any[1].matches`.
fn key_name(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Finds the lines of keys in a document's text, for errors found after parsing.
struct Lines<'a> {
    chunk: &'a str,
    start: u32,
}

impl Lines<'_> {
    fn first_content(&self) -> u32 {
        let offset = self
            .chunk
            .lines()
            .position(|l| {
                let t = l.trim();
                !(t.is_empty() || t.starts_with('#'))
            })
            .unwrap_or(0);
        self.start + offset as u32
    }

    /// The file line of the first `key:` at or after file line `from` (0: the document start).
    /// Falls back to `from` (or the document start) when the key is not written on its own.
    fn key(&self, from: u32, key: &str) -> u32 {
        let skip = from.saturating_sub(self.start) as usize;
        for (i, line) in self.chunk.lines().enumerate().skip(skip) {
            let t = line.trim_start().trim_start_matches(['-', ' ', '{']);
            let t = t.trim_start_matches(['"', '\'']);
            let own_line = t.starts_with(key)
                && t.get(key.len()..)
                    .unwrap_or_default()
                    .trim_start_matches(['"', '\''])
                    .starts_with(':');
            // Also `check: { path: x, matches: … }` written on one line.
            let inline = line.contains(&format!(" {key}:")) || line.contains(&format!("{{{key}:"));
            if own_line || inline {
                return self.start + i as u32;
            }
        }
        if from == 0 {
            self.first_content()
        } else {
            from
        }
    }

    /// The file line of the rule with this id.
    fn rule(&self, id: &str) -> u32 {
        for (i, line) in self.chunk.lines().enumerate() {
            let t = line.trim_start().trim_start_matches(['-', ' ', '{']);
            if let Some(rest) = t.strip_prefix("id:") {
                let v = rest
                    .split([',', '}', '#'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']);
                if v == id.trim() {
                    return self.start + i as u32;
                }
            }
        }
        self.first_content()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "apiVersion: idp-tui/v1\nkind: Scorecard\nmetadata:\n  name: t\nspec:\n  levels: [Bronze, Gold]\n  rules:\n";

    /// Parses HEAD followed by `rules` and returns the single error as text.
    fn error(rules: &str) -> String {
        let (cards, errors) = parse_file("sc.yaml", &format!("{HEAD}{rules}"));
        assert!(cards.is_empty(), "expected no scorecard");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].to_string()
    }

    #[test]
    fn bad_yaml_names_the_file_and_line() {
        let e = error("    - id: a\n      level: Bronze\n      check: { path: x, exists: true\n");
        assert!(e.starts_with("sc.yaml:"), "{e}");
        let line: u32 = e.split(':').nth(1).unwrap().parse().unwrap();
        assert!((10..=11).contains(&line), "{e}");
    }

    #[test]
    fn an_unknown_check_is_named_with_its_line() {
        let e = error("    - id: a\n      level: Bronze\n      check:\n        path: x\n        present: true\n");
        assert!(
            e.starts_with("sc.yaml:12: spec.rules[0].check: unknown field `present`"),
            "{e}"
        );
    }

    #[test]
    fn a_wrong_type_is_named_with_its_line() {
        let e = error("    - id: a\n      level: Bronze\n      weight: heavy\n      check: { path: x, exists: true }\n");
        assert!(
            e.starts_with("sc.yaml:10: spec.rules[0].weight: invalid type"),
            "{e}"
        );
        let e =
            error("    - id: a\n      level: Bronze\n      check: { path: x, min_length: -1 }\n");
        assert!(
            e.starts_with("sc.yaml:10: spec.rules[0].check.min_length"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_level_lists_the_levels() {
        let e = error("    - id: a\n      level: Bronze\n      check: { path: x, exists: true }\n    - id: b\n      level: Platinum\n      check: { path: x, exists: true }\n");
        assert_eq!(
            e,
            "sc.yaml:12: spec.rules[1] (b): level: unknown level \"Platinum\"; the levels are Bronze, Gold"
        );
    }

    #[test]
    fn a_bad_regex_is_reported_where_it_is_written() {
        let e = error(
            "    - id: a\n      level: Bronze\n      check: { path: x, matches: '(unclosed' }\n",
        );
        assert!(
            e.starts_with("sc.yaml:10: spec.rules[0] (a): check.matches: bad regular expression"),
            "{e}"
        );
        let e = error("    - id: a\n      level: Bronze\n      check:\n        any:\n          - { path: x, exists: true }\n          - { path: y, matches: '[z' }\n");
        assert!(
            e.starts_with("sc.yaml:13: spec.rules[0] (a): check.any[1].matches: bad regular"),
            "{e}"
        );
    }

    #[test]
    fn checks_with_no_or_two_operators_are_rejected() {
        let e = error("    - id: a\n      level: Bronze\n      check: { path: x }\n");
        assert!(e.contains("(a): check: no operator"), "{e}");
        let e = error(
            "    - id: a\n      level: Bronze\n      check: { path: x, exists: true, equals: 1 }\n",
        );
        assert!(e.contains("has exists and equals"), "{e}");
        let e = error("    - id: a\n      level: Bronze\n      check: { exists: true }\n");
        assert!(e.contains("exists needs a path"), "{e}");
        let e = error("    - id: a\n      level: Bronze\n      check: { path: x, exists: true, resolves: true }\n");
        assert!(e.contains("resolves only goes with relation"), "{e}");
    }

    #[test]
    fn relation_checks_are_validated() {
        let e = error("    - id: a\n      level: Bronze\n      check: { relation: ownedby2, resolves: true }\n");
        assert!(
            e.contains("unknown relation \"ownedby2\"; expected one of ownedBy"),
            "{e}"
        );
        let e = error("    - id: a\n      level: Bronze\n      check: { relation: ownedBy }\n");
        assert!(e.contains("needs resolves: true or min_count"), "{e}");
        let e = error("    - id: a\n      level: Bronze\n      check: { relation: ownedBy, resolves: false }\n");
        assert!(e.contains("resolves: false is not a test"), "{e}");
    }

    #[test]
    fn rule_ids_must_be_unique_and_weights_positive() {
        let e = error("    - id: a\n      level: Bronze\n      check: { path: x, exists: true }\n    - id: a\n      level: Gold\n      check: { path: y, exists: true }\n");
        assert!(e.starts_with("sc.yaml:8: "), "{e}");
        assert!(e.contains("used twice"), "{e}");
        let e = error("    - id: a\n      level: Bronze\n      weight: 0\n      check: { path: x, exists: true }\n");
        assert!(
            e.starts_with(
                "sc.yaml:10: spec.rules[0] (a): weight: weight must be a positive number"
            ),
            "{e}"
        );
    }

    #[test]
    fn wrong_kind_or_version_is_an_error() {
        let (_, errors) = parse_file("sc.yaml", &HEAD.replace("idp-tui/v1", "v2"));
        assert!(
            errors[0]
                .to_string()
                .starts_with("sc.yaml:1: apiVersion: expected idp-tui/v1"),
            "{errors:?}"
        );
        let (_, errors) = parse_file("sc.yaml", "");
        assert_eq!(
            errors[0].to_string(),
            "sc.yaml:1: file: no scorecard in this file"
        );
    }

    #[test]
    fn one_broken_document_does_not_stop_the_next() {
        let good =
            format!("{HEAD}    - {{ id: a, level: Bronze, check: {{ path: x, exists: true }} }}\n");
        let text = format!("{good}---\n{HEAD}    - {{ id: a, level: Nope, check: {{ path: x, exists: true }} }}\n---\n{}", good.replace("name: t", "name: u"));
        let (cards, errors) = parse_file("sc.yaml", &text);
        assert_eq!(
            cards.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["t", "u"]
        );
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().starts_with("sc.yaml:17: "),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn loading_a_directory_reads_every_file_and_reports_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let good =
            format!("{HEAD}    - {{ id: a, level: Bronze, check: {{ path: x, exists: true }} }}\n");
        std::fs::write(dir.path().join("a.yaml"), &good).unwrap();
        std::fs::write(dir.path().join("b.yaml"), &good).unwrap();
        std::fs::write(dir.path().join("c.yaml"), "spec: [").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let loaded = load_paths(&[dir.path().to_string_lossy().into_owned()]);
        assert_eq!(loaded.scorecards.len(), 1);
        let errors: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0]
                .contains("b.yaml:1: metadata.name: a scorecard named \"t\" was already loaded"),
            "{errors:?}"
        );
        assert!(errors[1].contains("c.yaml:"), "{errors:?}");
        let missing = load_paths(&["/nonexistent/sc.yaml".to_string()]);
        assert!(missing.errors[0]
            .to_string()
            .starts_with("/nonexistent/sc.yaml: cannot read scorecard"));
        assert!(load_paths(&[]).scorecards[0].name == "production-readiness");
    }

    #[test]
    fn control_characters_in_titles_and_fixes_are_removed() {
        let text = format!("{HEAD}    - id: a\n      title: \"evil\\e[2Jtitle\"\n      fix: \"do\\u0007 this\"\n      level: Bronze\n      check: {{ path: x, exists: true }}\n");
        let (cards, errors) = parse_file("sc.yaml", &text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cards[0].rules[0].title, "eviltitle");
        assert_eq!(cards[0].rules[0].fix.as_deref(), Some("do this"));
    }
}
