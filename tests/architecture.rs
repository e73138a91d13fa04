//! The module boundaries of `docs/architecture.md`, enforced: every `crate::…` path in `src/`
//! (outside test code) must point in an allowed direction. A new import that breaks a rule fails
//! here with the file and the rule; a rule that no longer needs its recorded exception fails too,
//! so the list of exceptions only shrinks.
//!
//! Test code is left out (files named `tests.rs`, `*_tests.rs`, `fixtures.rs`, and inline
//! `#[cfg(test)] mod … {` blocks): tests may build their data with any module.

#![allow(clippy::string_slice)] // test code reading our own ASCII source: a bad index is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The base modules: every layer may use them; they use nothing of ours.
const BASE: &[&str] = &["text", "vfs", "token", "background", "yaml", "documents"];

/// For each top-level module, the modules of ours it may import besides [`BASE`]. The table is
/// the one in `docs/architecture.md`; keep them the same.
const ALLOWED: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("vfs", &[]),
    ("token", &[]),
    ("background", &[]),
    ("yaml", &[]),
    ("documents", &[]),
    ("catalog", &[]),
    ("synthetic", &["catalog"]),
    ("expr", &["catalog"]),
    ("markdown", &[]),
    ("openapi", &["catalog"]),
    ("search", &["catalog", "formats"]),
    ("ownership", &["catalog"]),
    ("graph", &["catalog", "ownership"]),
    ("scorecard", &["catalog", "documents", "live"]),
    ("governance", &["catalog", "documents", "scorecard"]),
    ("techdocs", &["catalog", "markdown"]),
    ("actions", &["catalog", "scaffolder"]),
    ("governance", &["catalog", "scorecard"]),
    ("scaffolder", &["catalog", "expr"]),
    ("backstage", &["catalog"]),
    ("live", &["catalog", "backstage"]),
    ("formats", &["catalog"]),
    ("source", &["catalog", "documents", "backstage", "formats"]),
    ("snapshot", &["catalog", "search", "source"]),
    ("startup", &["catalog", "search", "source", "snapshot"]),
    ("config", &["source", "backstage", "actions", "live"]),
    (
        "cli",
        &[
            "actions",
            "backstage",
            "catalog",
            "config",
            "documents",
            "expr",
            "formats",
            "governance",
            "graph",
            "live",
            "markdown",
            "openapi",
            "ownership",
            "scaffolder",
            "scorecard",
            "search",
            "snapshot",
            "source",
            "startup",
            "synthetic",
            "techdocs",
        ],
    ),
    (
        "tui",
        &[
            "actions",
            "backstage",
            "catalog",
            "config",
            "documents",
            "expr",
            "formats",
            "governance",
            "graph",
            "live",
            "markdown",
            "openapi",
            "ownership",
            "scaffolder",
            "scorecard",
            "search",
            "snapshot",
            "source",
            "startup",
            "synthetic",
            "techdocs",
        ],
    ),
];

/// Imports that break a rule today, each with the reason it is still there. Remove an entry
/// when its import goes; adding one needs the same argument in review as changing a rule.
const KNOWN_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "documents",
        "catalog",
        "the splitter reports catalog `Problem`s at catalog `Origin`s",
    ),
    (
        "documents",
        "yaml",
        "the splitter parses each document through the YAML guard",
    ),
    (
        "backstage",
        "scaffolder",
        "a followed task's output is read into the scaffolder's `Output` type",
    ),
    (
        "backstage",
        "source",
        "a task error words its age with the cache's `human_age`",
    ),
    (
        "backstage",
        "config",
        "the CA file path is expanded (`~`) by the client, not resolved in settings",
    ),
    (
        "techdocs",
        "source",
        "the docs roots are read from the `SourceSpec`s, not passed in as paths",
    ),
    (
        "scaffolder",
        "config",
        "the drafts directory is asked of the config, not passed in",
    ),
    (
        "tui",
        "cli",
        "`tui::run` takes the parsed command line (`cli::Cli`)",
    ),
];

/// One import in a direction no rule allows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    from: String,
    to: String,
}

/// The top-level module a file under `src/` belongs to (`catalog/entity.rs` → `catalog`,
/// `text.rs` → `text`); `None` for the crate roots.
fn top_module(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    match name {
        "lib" | "main" => None,
        _ => Some(name.to_string()),
    }
}

/// True when the file is test code as a whole.
fn is_test_file(relative: &Path) -> bool {
    let name = relative.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs" || name.ends_with("_tests.rs") || name == "fixtures.rs"
}

/// The source without comments and without inline test modules (`#[cfg(test)]` followed by
/// `mod name {`, up to its closing brace).
fn production_code(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            let opens_block = lines.peek().is_some_and(|next| {
                let next = next.trim_start();
                (next.starts_with("mod ") || next.starts_with("pub mod ")) && next.contains('{')
            });
            if opens_block {
                let mut depth = 0i32;
                for inner in lines.by_ref() {
                    depth += inner.matches('{').count() as i32;
                    depth -= inner.matches('}').count() as i32;
                    if depth <= 0 && inner.contains('}') {
                        break;
                    }
                }
                continue;
            }
        }
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The modules of ours a file names: `crate::name`, `crate::{a, b::c}`, and (in a file
/// directly under `src/`, whose parent is the crate) `super::name`.
fn referenced_modules(code: &str, parent_is_crate: bool) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut prefixes = vec!["crate::"];
    if parent_is_crate {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                // Only the first segment of each item: `{a::b, c}` names `a` and `c`.
                let mut depth = 0;
                let mut item_start = true;
                for (i, c) in group[..end].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if item_start && (c.is_alphabetic() || c == '_') => {
                            item_start = false;
                            found.insert(ident_at(&group[i..]));
                        }
                        _ => {}
                    }
                }
            } else {
                let name = ident_at(rest);
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

fn ident_at(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every import under `root` (a `src/` directory) that no rule and no exception allows, and
/// the exceptions no import needs any more.
fn check(root: &Path) -> (Vec<Violation>, Vec<String>, Vec<String>) {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut violations = Vec::new();
    let mut unknown = BTreeSet::new();
    let mut used_exceptions = BTreeSet::new();
    for file in rust_files(root) {
        let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        let Some(from) = top_module(&relative) else {
            continue;
        };
        if is_test_file(&relative) {
            continue;
        }
        let Some(rules) = allowed.get(from.as_str()) else {
            unknown.insert(from);
            continue;
        };
        let parent_is_crate = relative.components().count() == 1
            || relative.file_name().is_some_and(|n| n == "mod.rs")
                && relative.components().count() == 2;
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        for to in referenced_modules(&production_code(&source), parent_is_crate) {
            let ok = to == from
                || BASE.contains(&to.as_str()) && !BASE.contains(&from.as_str())
                || rules.contains(&to.as_str())
                // `crate::` paths that are not our modules (macros, re-exports at the root).
                || !allowed.contains_key(to.as_str()) && to != "fixtures";
            if ok {
                continue;
            }
            if KNOWN_EXCEPTIONS
                .iter()
                .any(|(f, t, _)| *f == from && *t == to)
            {
                used_exceptions.insert((from.clone(), to.clone()));
                continue;
            }
            violations.push(Violation {
                file: relative.display().to_string(),
                from: from.clone(),
                to,
            });
        }
    }
    violations.sort();
    let stale = KNOWN_EXCEPTIONS
        .iter()
        .filter(|(f, t, _)| !used_exceptions.contains(&(f.to_string(), t.to_string())))
        .map(|(f, t, why)| format!("{f} -> {t} ({why})"))
        .collect();
    (violations, unknown.into_iter().collect(), stale)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_import_in_src_points_in_an_allowed_direction() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (violations, unknown, stale) = check(&root);
    let lines: Vec<String> = violations
        .iter()
        .map(|v| {
            format!(
                "  {}: `{}` may not import `{}` (see docs/architecture.md)",
                v.file, v.from, v.to
            )
        })
        .collect();
    assert!(
        lines.is_empty(),
        "imports against the module rules:\n{}",
        lines.join("\n")
    );
    assert!(
        unknown.is_empty(),
        "modules with no rule in tests/architecture.rs and docs/architecture.md: {unknown:?}"
    );
    assert!(
        stale.is_empty(),
        "exceptions no import needs any more (remove them here and in docs/architecture.md): {stale:?}"
    );
}

#[test]
fn a_core_module_importing_the_tui_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog");
    std::fs::create_dir(&catalog).unwrap();
    std::fs::write(
        catalog.join("mod.rs"),
        "use crate::text::clean;\nuse crate::{tui::app::App, vfs};\n// crate::cli is only a comment\n\
         #[cfg(test)]\nmod tests {\n    use crate::source::load_blocking;\n}\n",
    )
    .unwrap();
    std::fs::write(
        catalog.join("entity.rs"),
        "fn f() { crate::scorecard::x(); }\n",
    )
    .unwrap();
    let (violations, _, _) = check(dir.path());
    let found: Vec<(&str, &str)> = violations
        .iter()
        .map(|v| (v.file.as_str(), v.to.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("catalog/entity.rs", "scorecard"),
            ("catalog/mod.rs", "tui")
        ]
    );
}

#[test]
fn a_base_module_may_not_import_another_layer() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("vfs.rs"),
        "use super::catalog::Entity;\nuse super::text;\n",
    )
    .unwrap();
    let (violations, _, _) = check(dir.path());
    let found: Vec<&str> = violations.iter().map(|v| v.to.as_str()).collect();
    assert_eq!(found, vec!["catalog", "text"]);
}
