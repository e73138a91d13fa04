//! The cache of file sources: a second load of unchanged files parses nothing; changed, new and
//! deleted files, changed `$text` targets and Location targets are seen; problems survive a
//! cached load; a broken or unwritable cache is a warning, never a failure.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{Catalog, Entity, EntityRef, Problem};
use idp_tui::source::cache::files::{self, Previous, Record};
use idp_tui::source::file::{self, LoadStats};
use idp_tui::source::{load_blocking_with, LoadMode, LoadOptions, SourceSpec};
use std::path::{Path, PathBuf};

mod support;
use support::write_old;

fn component(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{extra}"
    )
}

/// One load through the file cache, as the file source does it: previous cache in, new cache
/// written. Returns what was loaded and how many files were parsed or served from the cache.
struct Run {
    entities: Vec<Entity>,
    problems: Vec<Problem>,
    stats: LoadStats,
}

fn run(catalog: &Path, cache: &Path) -> Run {
    let paths = vec![catalog.to_string_lossy().to_string()];
    let (cache_file, key) = files::location(cache, "local", &paths).unwrap();
    let previous = Previous::open(&cache_file, &key).unwrap();
    let mut records: Vec<Record> = Vec::new();
    let mut entities = Vec::new();
    let mut problems = Vec::new();
    let stats = file::load_with(&paths, previous.as_ref(), true, |mut b| {
        records.extend(b.record.take());
        entities.extend(b.entities);
        problems.extend(b.problems);
    });
    files::write(&cache_file, &key, previous.as_ref(), records).unwrap();
    Run {
        entities,
        problems,
        stats,
    }
}

/// How many files a load parsed and how many it took from the cache.
fn loaded(parsed: usize, cached: usize) -> LoadStats {
    LoadStats { parsed, cached }
}

fn names(entities: &[Entity]) -> Vec<String> {
    entities.iter().map(|e| e.metadata.name.clone()).collect()
}

fn three_files(dir: &Path) {
    write_old(&dir.join("a.yaml"), &component("alpha", ""));
    write_old(&dir.join("b.yaml"), &component("bravo", ""));
    write_old(&dir.join("sub/c.yaml"), &component("charlie", ""));
}

#[test]
fn unchanged_files_are_served_from_the_cache_and_not_parsed() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    let first = run(cat.path(), cache.path());
    assert_eq!(first.stats, loaded(3, 0));
    let second = run(cat.path(), cache.path());
    assert_eq!(second.stats, loaded(0, 3));
    assert_eq!(
        second.entities, first.entities,
        "same entities, origins included"
    );
    assert_eq!(names(&second.entities), ["alpha", "bravo", "charlie"]);
    assert_eq!(second.entities[0].origin.line, Some(1));
}

#[test]
fn a_changed_file_is_parsed_again_even_at_the_same_size() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    run(cat.path(), cache.path());
    // Same length, new content, and the old modification time put back: the change time and
    // the stamp still differ.
    write_old(&cat.path().join("b.yaml"), &component("bravx", ""));
    let after = run(cat.path(), cache.path());
    assert_eq!(after.stats, loaded(1, 2));
    assert_eq!(names(&after.entities), ["alpha", "bravx", "charlie"]);
    let again = run(cat.path(), cache.path());
    assert_eq!(again.stats, loaded(0, 3));
    assert_eq!(names(&again.entities), ["alpha", "bravx", "charlie"]);
}

#[test]
fn new_and_deleted_files_are_seen() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    run(cat.path(), cache.path());
    std::fs::remove_file(cat.path().join("a.yaml")).unwrap();
    write_old(&cat.path().join("d.yaml"), &component("delta", ""));
    let after = run(cat.path(), cache.path());
    assert_eq!(after.stats, loaded(1, 2));
    assert_eq!(names(&after.entities), ["bravo", "delta", "charlie"]);
    let again = run(cat.path(), cache.path());
    assert_eq!(again.stats, loaded(0, 3));
}

#[test]
fn a_file_with_problems_still_shows_them_on_a_cached_load() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let broken = format!(
        "{}---\nkey: [unclosed\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: tagged\n  tags: oops\nspec: {{}}\n",
        component("fine", "")
    );
    write_old(&cat.path().join("broken.yaml"), &broken);
    let first = run(cat.path(), cache.path());
    // The YAML error, and the rejected `tagged`'s tags and its three missing spec fields.
    assert_eq!(first.problems.len(), 5, "{:?}", first.problems);
    let second = run(cat.path(), cache.path());
    assert_eq!(second.stats.parsed, 0);
    assert_eq!(second.problems, first.problems);
    let shown: Vec<String> = second.problems.iter().map(|p| p.to_string()).collect();
    assert!(
        shown.iter().any(|p| p.contains("YAML does not parse")),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|p| p.contains("metadata.tags must be a list")),
        "{shown:?}"
    );
    assert!(second
        .problems
        .iter()
        .all(|p| p.origin.as_ref().is_some_and(|o| o.line.is_some())));
}

#[test]
fn a_changed_text_placeholder_target_invalidates_the_file_that_reads_it() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./defs/orders.txt\n";
    write_old(&cat.path().join("api.yaml"), api);
    write_old(&cat.path().join("defs/orders.txt"), "version one");
    write_old(&cat.path().join("other.yaml"), &component("other", ""));
    let first = run(cat.path(), cache.path());
    assert_eq!(
        first.entities[0].spec_str("definition"),
        Some("version one")
    );
    write_old(&cat.path().join("defs/orders.txt"), "version two, longer");
    let after = run(cat.path(), cache.path());
    assert_eq!(after.stats, loaded(1, 1));
    assert_eq!(
        after.entities[0].spec_str("definition"),
        Some("version two, longer")
    );
}

#[test]
fn a_missing_placeholder_target_that_appears_invalidates_the_file() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./later.txt\n";
    write_old(&cat.path().join("api.yaml"), api);
    let first = run(cat.path(), cache.path());
    assert!(first
        .problems
        .iter()
        .any(|p| p.message.contains("cannot read ./later.txt")));
    let cached = run(cat.path(), cache.path());
    assert_eq!(cached.stats.parsed, 0);
    assert_eq!(cached.problems, first.problems, "the problem is cached too");
    write_old(&cat.path().join("later.txt"), "here now");
    let after = run(cat.path(), cache.path());
    assert_eq!(after.stats.parsed, 1);
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    assert_eq!(after.entities[0].spec_str("definition"), Some("here now"));
}

#[test]
fn location_targets_are_followed_on_a_cached_load_and_their_changes_seen() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let root = cat.path().join("all.yaml");
    write_old(
        &root,
        // Optional: a missing required target would reject the Location, as in Backstage.
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  presence: optional\n  targets:\n    - ./teams/a.yaml\n    - ./teams/b.yaml\n",
    );
    write_old(&cat.path().join("teams/a.yaml"), &component("alpha", ""));
    let paths = |p: &PathBuf| p.to_string_lossy().to_string();
    // Loaded through the Location file alone: its targets are not in any directory walk.
    let run_root = || {
        let list = vec![paths(&root)];
        let (file, key) = files::location(cache.path(), "local", &list).unwrap();
        let previous = Previous::open(&file, &key).unwrap();
        let mut records = Vec::new();
        let mut got = (Vec::new(), Vec::new());
        let stats = file::load_with(&list, previous.as_ref(), true, |mut b| {
            records.extend(b.record.take());
            got.0.extend(b.entities);
            got.1.extend(b.problems);
        });
        files::write(&file, &key, previous.as_ref(), records).unwrap();
        (names(&got.0), got.1, stats)
    };
    let (first, problems, _) = run_root();
    assert_eq!(first, ["all", "alpha"]);
    assert!(problems
        .iter()
        .any(|p| p.message.contains("does not exist")));
    let (cached, problems, stats) = run_root();
    assert_eq!(stats, loaded(0, 2));
    assert_eq!(cached, ["all", "alpha"]);
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("does not exist")),
        "the missing target is still reported on a cached load"
    );
    write_old(&cat.path().join("teams/b.yaml"), &component("bravo", ""));
    write_old(&cat.path().join("teams/a.yaml"), &component("alpha2", ""));
    let (after, problems, stats) = run_root();
    assert_eq!(stats, loaded(2, 1));
    assert_eq!(after, ["all", "alpha2", "bravo"]);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_file_modified_just_now_is_not_cached_yet() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    // Written now: a second write within the same clock tick could keep its stamp.
    std::fs::write(cat.path().join("a.yaml"), component("fresh", "")).unwrap();
    run(cat.path(), cache.path());
    let second = run(cat.path(), cache.path());
    assert_eq!(second.stats, loaded(1, 2));
    assert_eq!(second.entities[0].metadata.name, "fresh");
}

fn options(cache: &Path) -> LoadOptions {
    LoadOptions {
        mode: LoadMode::Startup,
        offline: false,
        cache_dir: Some(cache.to_path_buf()),
    }
}

fn load(cat: &Path, cache: &Path) -> Catalog {
    load_blocking_with(
        &[SourceSpec::Files {
            name: "local".into(),
            paths: vec![cat.to_string_lossy().to_string()],
        }],
        &options(cache),
    )
    .catalog
}

fn cache_file(cat: &Path, cache: &Path) -> PathBuf {
    files::location(cache, "local", &[cat.to_string_lossy().to_string()])
        .unwrap()
        .0
}

/// The problems about the cache (the test entities' owners do not exist, which is beside the
/// point here).
fn warnings(c: &Catalog) -> Vec<String> {
    c.problems()
        .map(|p| p.to_string())
        .filter(|p| p.contains("cache"))
        .collect()
}

#[test]
fn the_source_writes_a_private_cache_and_reads_it_back_whole() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    let first = load(cat.path(), cache.path());
    let path = cache_file(cat.path(), cache.path());
    assert!(
        path.starts_with(cache.path().join("files")),
        "{}",
        path.display()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    let second = load(cat.path(), cache.path());
    assert_eq!(second.entities(), first.entities());
    assert!(warnings(&second).is_empty(), "{:?}", warnings(&second));
    assert!(second
        .id_of(&EntityRef::new("component", "default", "charlie"))
        .is_some());
    // Nothing changed: the cache is not rewritten.
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        written
    );
}

#[test]
fn a_corrupt_or_old_cache_is_a_warning_and_the_files_still_load() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    load(cat.path(), cache.path());
    let path = cache_file(cat.path(), cache.path());
    let good = std::fs::read(&path).unwrap();

    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let c = load(cat.path(), cache.path());
    assert_eq!(c.len(), 3);
    let w = warnings(&c);
    assert!(w.iter().any(|m| m.contains("cache is damaged")), "{w:?}");
    // ... and the cache was written anew.
    assert!(warnings(&load(cat.path(), cache.path())).is_empty());

    let mut old = good.clone();
    old[8] = 2;
    std::fs::write(&path, &old).unwrap();
    let c = load(cat.path(), cache.path());
    assert_eq!(c.len(), 3);
    assert!(warnings(&c).iter().any(|m| m.contains("another version")));

    std::fs::write(&path, b"not a cache").unwrap();
    let c = load(cat.path(), cache.path());
    assert_eq!(c.len(), 3);
    assert!(warnings(&c)
        .iter()
        .any(|m| m.contains("not an idp-tui cache")));
}

#[test]
fn a_chunk_damaged_inside_is_parsed_again() {
    let (cat, cache) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    three_files(cat.path());
    load(cat.path(), cache.path());
    let path = cache_file(cat.path(), cache.path());
    let mut bytes = std::fs::read(&path).unwrap();
    // Garble the last chunk's body (the table of contents stays readable).
    let n = bytes.len();
    for b in &mut bytes[n - 40..] {
        *b = 0xc1; // never valid MessagePack
    }
    std::fs::write(&path, &bytes).unwrap();
    let c = load(cat.path(), cache.path());
    assert_eq!(c.len(), 3, "{:?}", warnings(&c));
}

#[cfg(unix)]
#[test]
fn an_unwritable_cache_directory_is_a_warning_and_the_files_still_load() {
    let cat = tempfile::tempdir().unwrap();
    three_files(cat.path());
    let c = load(cat.path(), Path::new("/proc/idp-tui-no-cache-here"));
    assert_eq!(c.len(), 3);
    let w = warnings(&c);
    assert!(w.iter().any(|m| m.contains("cache not written")), "{w:?}");
}

#[test]
fn the_embedded_demo_writes_no_cache() {
    let cache = tempfile::tempdir().unwrap();
    let c = load_blocking_with(&[SourceSpec::demo()], &options(cache.path())).catalog;
    assert!(c.len() > 50);
    assert!(!cache.path().join("files").exists());
}
