//! The Backstage conformance corpus (Backstage's own example catalogs and templates) is not part
//! of this repository. Tests that read it take its folder from `IDP_TUI_CORPUS` (CI sets it to
//! `../shared/corpus/backstage`; a relative path is taken from the repository root) and are
//! skipped, saying so on the terminal, when it is unset. Everything else a test needs lives in
//! `tests/data/`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// The variable naming the corpus folder.
pub const VAR: &str = "IDP_TUI_CORPUS";

/// The corpus folder, or `None` when `IDP_TUI_CORPUS` is unset or empty. A set variable that
/// names no folder fails the test: a wrong path must never pass as a skip.
pub fn root() -> Option<PathBuf> {
    let value = std::env::var_os(VAR).filter(|v| !v.is_empty())?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(value);
    assert!(
        root.is_dir(),
        "{VAR}={} is not a folder (it should name shared/corpus/backstage)",
        root.display()
    );
    Some(root)
}

/// `rel` inside the corpus; `None` (after printing which test is skipped and why) when
/// `IDP_TUI_CORPUS` is unset. Use as `let Some(path) = corpus::path("…") else { return };`.
pub fn path(rel: &str) -> Option<PathBuf> {
    let Some(root) = root() else {
        skipped();
        return None;
    };
    let path = root.join(rel);
    assert!(
        path.exists(),
        "{} is missing from the corpus",
        path.display()
    );
    Some(path)
}

/// `rel` inside the corpus as a string (the loaders take strings).
pub fn string(rel: &str) -> Option<String> {
    path(rel).map(|p| p.to_string_lossy().into_owned())
}

/// Several corpus paths as strings, or `None` (skipped, said once) when the corpus is unset.
pub fn strings(rels: &[&str]) -> Option<Vec<String>> {
    let Some(root) = root() else {
        skipped();
        return None;
    };
    Some(
        rels.iter()
            .map(|rel| {
                let path = root.join(rel);
                assert!(
                    path.exists(),
                    "{} is missing from the corpus",
                    path.display()
                );
                path.to_string_lossy().into_owned()
            })
            .collect(),
    )
}

/// Prints that the running test is skipped (or, for a test that goes on without the corpus,
/// that its corpus part is). Written to the real stderr, not through `eprintln!`,
/// so the reason shows even though the test harness captures a passing test's output.
pub fn skipped() {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: {VAR} is unset (set it to the shared Backstage corpus, e.g. {VAR}=../shared/corpus/backstage)"
    );
}
