//! The file source: catalog YAML files and directories on disk (or embedded), following
//! Location entities and resolving `$text`/`$json`/`$yaml` placeholders.

use super::cache::files::{FileKey, Previous, Record, Stamp};
use crate::catalog::{Entity, Origin, Problem, SpecValue};
use crate::documents::parse_documents;
use crate::vfs;
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// Largest catalog file read; larger files are reported and skipped.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Entities and problems read from one file.
#[derive(Debug, Default)]
pub struct FileBatch {
    /// The file read.
    pub path: String,
    /// Its entities, in document order.
    pub entities: Vec<Entity>,
    /// What went wrong in it.
    pub problems: Vec<Problem>,
    /// Files read so far and files known so far (for progress).
    pub progress: (usize, usize),
    /// The file's stamp, taken before it was read (`None`: missing or embedded).
    pub stamp: Option<Stamp>,
    /// Files it read besides (`$text`, `$json`, `$yaml`), each with its stamp.
    pub deps: Vec<(String, Option<Stamp>)>,
    /// True when it came from the cache rather than being parsed.
    pub from_cache: bool,
    /// Its entry for the next cache, when caching.
    pub record: Option<Record>,
}

/// How a load of files went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Files parsed.
    pub parsed: usize,
    /// Files served from the cache.
    pub cached: usize,
}

/// Loads catalog files from the given paths (files or directories), following Locations, and
/// hands each file's entities to `sink` as soon as the file is read.
pub fn load(paths: &[String], sink: impl FnMut(FileBatch)) {
    load_with(paths, None, false, sink);
}

/// [`load`], serving unchanged files from a previous cache, and (with `record`) giving every
/// batch its entry for the next cache.
pub fn load_with(
    paths: &[String],
    previous: Option<&Previous>,
    record: bool,
    sink: impl FnMut(FileBatch),
) -> LoadStats {
    walk(
        paths,
        |path, root, walked| read_cached(path, root, walked, previous, record),
        sink,
    )
}

/// True when a load of `paths` would serve every file from `previous` and find no other file:
/// none changed, appeared or went (Locations followed as a load follows them). Parses nothing
/// and decodes only the cached files that may hold a Location; what a start from a snapshot
/// checks before trusting it.
pub fn unchanged(paths: &[String], previous: &Previous) -> bool {
    let mut same = true;
    let stats = walk(
        paths,
        |path, _, _| {
            let mut batch = FileBatch {
                path: path.to_string(),
                ..FileBatch::default()
            };
            if !previous.is_fresh(path) {
                return batch;
            }
            batch.from_cache = true;
            // Only a Location's targets matter here; most files hold none, so stay encoded.
            if previous.may_hold_locations(path) {
                if let Some((_, entities, _)) = previous.reuse(path) {
                    batch.entities = entities;
                } else {
                    batch.from_cache = false;
                }
            }
            batch
        },
        |batch| {
            // A directory that could not be read is a problem batch of no file.
            if batch.path.is_empty() {
                same = false;
            }
        },
    );
    same && stats.parsed == 0 && stats.cached == previous.files()
}

/// Finds the files of `paths` (directories walked, Locations followed), reads each with `read`
/// on every core and hands the batches to `sink` in a stable order.
fn walk(
    paths: &[String],
    read: impl Fn(&str, &str, bool) -> FileBatch + Sync,
    mut sink: impl FnMut(FileBatch),
) -> LoadStats {
    let mut stats = LoadStats::default();
    // (file, catalog root, found by walking a directory rather than named)
    let mut queue: VecDeque<(String, String, bool)> = VecDeque::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut start_problems = Vec::new();
    for path in paths {
        let root = vfs::root_of(path);
        if vfs::is_dir(path) {
            match vfs::yaml_files(path) {
                Ok(files) => queue.extend(files.into_iter().map(|f| (f, root.clone(), true))),
                Err(e) => start_problems.push(Problem::error(
                    Some(Origin::new(path.as_str(), None)),
                    format!("cannot read directory: {e}"),
                )),
            }
        } else {
            queue.push_back((path.clone(), root, false));
        }
    }
    if !start_problems.is_empty() {
        sink(FileBatch {
            path: String::new(),
            problems: start_problems,
            ..FileBatch::default()
        });
    }
    // Files are parsed in waves: every file known so far in parallel, then the targets of the
    // Locations found in them. Results are handed on in queue order, so the first definition of
    // a duplicated entity is always the same one, however the threads ran.
    let mut done = 0;
    let mut wave: Vec<(String, String, bool)> = queue.into_iter().collect();
    while !wave.is_empty() {
        wave.retain(|(path, _, _)| seen.insert(identity(path)));
        let mut next: Vec<(String, String, bool)> = Vec::new();
        let known = done + wave.len();
        let read_one = |i: usize| {
            let (path, root, walked) = &wave[i];
            read(path, root, *walked)
        };
        super::ordered::for_each_ordered(wave.len(), read_one, |i, mut batch| {
            if batch.from_cache {
                stats.cached += 1;
            } else {
                stats.parsed += 1;
            }
            let root = &wave[i].1;
            for e in &batch.entities {
                if e.kind_lower() == "location" {
                    for target in location_targets(e, root, &mut batch.problems) {
                        if !seen.contains(&identity(&target)) {
                            next.push((target, root.clone(), false));
                        }
                    }
                }
            }
            done += 1;
            batch.progress = (done, known + next.len());
            sink(batch);
        });
        wave = next;
    }
    stats
}

/// A file's batch from the cache when it is unchanged, else parsed (and encoded for the next
/// cache when `record`). Runs on the worker threads, so decoding and encoding use every core.
fn read_cached(
    path: &str,
    root: &str,
    walked: bool,
    previous: Option<&Previous>,
    record: bool,
) -> FileBatch {
    if let Some((kept, entities, problems)) = previous.and_then(|p| p.reuse(path)) {
        return FileBatch {
            path: path.to_string(),
            entities,
            problems,
            from_cache: true,
            record: Some(kept),
            ..FileBatch::default()
        };
    }
    let mut batch = read_file(path, root, walked);
    if record {
        let key = FileKey::settled(batch.stamp, &batch.deps);
        batch.record = Record::encode(path, key, &batch.entities, &batch.problems);
    }
    batch
}

/// Loads everything at once: all entities and problems.
pub fn load_all(paths: &[String]) -> (Vec<Entity>, Vec<Problem>) {
    let mut entities = Vec::new();
    let mut problems = Vec::new();
    load(paths, |b| {
        entities.extend(b.entities);
        problems.extend(b.problems);
    });
    (entities, problems)
}

/// A key that is the same for two spellings of one file.
fn identity(path: &str) -> String {
    if path.starts_with(vfs::EMBEDDED_PREFIX) {
        return path.to_string();
    }
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().to_string())
        .unwrap_or_else(|_| path.to_string())
}

/// Reads and parses one file into entities. A file found by walking a directory that holds no
/// entity-shaped document (an `mkdocs.yml`, an OpenAPI file) is not a catalog file and is
/// skipped quietly; a named file is always reported on.
pub fn read_file(path: &str, root: &str, walked: bool) -> FileBatch {
    let shared: Arc<str> = Arc::from(path);
    let mut batch = FileBatch {
        path: path.to_string(),
        ..FileBatch::default()
    };
    let at = |line| Some(Origin::new(shared.clone(), line));
    // Taken before reading: a change while reading then shows as a changed stamp next time.
    batch.stamp = Stamp::of(path);
    match vfs::size(path) {
        Ok(n) if n > MAX_FILE_BYTES => {
            batch.problems.push(Problem::error(
                at(None),
                format!("file is {n} bytes, over the {MAX_FILE_BYTES}-byte limit: not read"),
            ));
            return batch;
        }
        Err(e) => {
            batch
                .problems
                .push(Problem::error(at(None), format!("cannot read file: {e}")));
            return batch;
        }
        Ok(_) => {}
    }
    let bytes = match vfs::read(path) {
        Ok(b) => b,
        Err(e) => {
            batch
                .problems
                .push(Problem::error(at(None), format!("cannot read file: {e}")));
            return batch;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u32
                + 1;
            batch.problems.push(Problem::error(
                at(Some(line)),
                format!("file is not valid UTF-8 (byte {valid}): not read"),
            ));
            return batch;
        }
    };
    let (docs, problems) = parse_documents(&shared, &text);
    if walked
        && problems.is_empty()
        && !docs
            .iter()
            .any(|d| d.value.get("apiVersion").is_some() && d.value.get("kind").is_some())
    {
        return batch;
    }
    batch.problems.extend(problems);
    for doc in docs {
        let origin = Origin::new(shared.clone(), Some(doc.line));
        let mut value = doc.value;
        if let Some(spec) = value.get_mut("spec") {
            let found = Found {
                problems: &mut batch.problems,
                deps: &mut batch.deps,
            };
            resolve_placeholders(spec, path, root, &origin, found, 0);
        }
        match Entity::from_value(value, origin) {
            Ok((entity, problems)) => {
                batch.problems.extend(problems);
                batch.entities.push(entity);
            }
            Err(problem) => batch.problems.push(problem),
        }
    }
    batch
}

/// The files a Location points at, resolved against its file. Targets outside the catalog
/// root, URLs and unknown location types are reported and not followed.
fn location_targets(location: &Entity, root: &str, problems: &mut Vec<Problem>) -> Vec<String> {
    let spec = &location.spec;
    let kind = spec
        .get("type")
        .and_then(SpecValue::as_str)
        .unwrap_or("file");
    let mut raw: Vec<&str> = Vec::new();
    if let Some(t) = spec.get("target").and_then(SpecValue::as_str) {
        raw.push(t);
    }
    if let Some(ts) = spec.get("targets").and_then(SpecValue::as_array) {
        raw.extend(ts.iter().filter_map(SpecValue::as_str));
    }
    let warn = |problems: &mut Vec<Problem>, msg: String| {
        problems.push(
            Problem::warning(Some(location.origin.clone()), msg)
                .with_entity(location.entity_ref().clone()),
        )
    };
    if kind != "file" {
        if !raw.is_empty() {
            warn(
                problems,
                format!(
                    "Location of type {kind:?} is not followed by the file source ({} targets)",
                    raw.len()
                ),
            );
        }
        return Vec::new();
    }
    let mut out = Vec::new();
    for target in raw {
        if target.contains("://") {
            warn(
                problems,
                format!("target {target}: URLs are not followed by the file source"),
            );
            continue;
        }
        let resolved = vfs::join(&location.origin.path, target);
        if !vfs::is_within(&resolved, root) {
            warn(
                problems,
                format!("target {target} is outside the catalog root {root}: not followed"),
            );
            continue;
        }
        if target.contains(['*', '?', '[']) {
            match expand_glob(&resolved) {
                Ok(files) if files.is_empty() => {
                    warn(problems, format!("target {target} matches no file"))
                }
                Ok(files) => out.extend(files),
                Err(e) => warn(problems, format!("target {target}: {e}")),
            }
        } else if !vfs::is_dir(&resolved) && vfs::size(&resolved).is_err() {
            problems.push(
                Problem::error(
                    Some(location.origin.clone()),
                    format!("target {target} does not exist ({resolved})"),
                )
                .with_entity(location.entity_ref().clone()),
            );
        } else if vfs::is_dir(&resolved) {
            out.extend(vfs::yaml_files(&resolved).unwrap_or_default());
        } else {
            out.push(resolved);
        }
    }
    out
}

/// Files matching a glob: the fixed directory part is walked, the rest matched.
fn expand_glob(pattern: &str) -> Result<Vec<String>, String> {
    let first_glob = pattern.find(['*', '?', '[']).unwrap_or(pattern.len());
    let base_end = pattern
        .get(..first_glob)
        .unwrap_or(pattern)
        .rfind('/')
        .map_or(0, |i| i + 1);
    let base = pattern.get(..base_end).unwrap_or_default();
    let matcher = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| e.to_string())?
        .compile_matcher();
    let files =
        vfs::yaml_files(if base.is_empty() { "." } else { base }).map_err(|e| e.to_string())?;
    Ok(files.into_iter().filter(|f| matcher.is_match(f)).collect())
}

/// What resolving placeholders finds besides values: problems, and the files read.
struct Found<'a> {
    problems: &'a mut Vec<Problem>,
    deps: &'a mut Vec<(String, Option<Stamp>)>,
}

/// Replaces `{$text: ./file}` (and `$json`, `$yaml`) in a spec with the file's content. Paths
/// resolve against the entity's file and must stay inside the catalog root; URLs are left for
/// the views to show as links. Every file read (or missed) is recorded as a dependency.
fn resolve_placeholders(
    value: &mut Value,
    path: &str,
    root: &str,
    origin: &Origin,
    found: Found<'_>,
    depth: usize,
) {
    let Found { problems, deps } = found;
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (key, target) = map
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default();
            let kind = match key.as_str() {
                "$text" | "$json" | "$yaml" => key,
                _ => {
                    for v in map.values_mut() {
                        let found = Found {
                            problems: &mut *problems,
                            deps: &mut *deps,
                        };
                        resolve_placeholders(v, path, root, origin, found, depth + 1);
                    }
                    return;
                }
            };
            let Some(target) = target.as_str() else {
                problems.push(Problem::error(
                    Some(origin.clone()),
                    format!("{kind} placeholder must be a string"),
                ));
                return;
            };
            if target.contains("://") {
                return;
            }
            let file = vfs::join(path, target);
            if !vfs::is_within(&file, root) {
                problems.push(Problem::error(
                    Some(origin.clone()),
                    format!("{kind}: {target} is outside the catalog root: not read"),
                ));
                return;
            }
            deps.push((file.clone(), Stamp::of(&file)));
            let text = match vfs::size(&file) {
                Ok(n) if n > MAX_FILE_BYTES => {
                    Err(format!("file is over the {MAX_FILE_BYTES}-byte limit"))
                }
                _ => vfs::read(&file)
                    .map_err(|e| e.to_string())
                    .and_then(|b| String::from_utf8(b).map_err(|_| "not valid UTF-8".to_string())),
            };
            let text = match text {
                Ok(t) => t,
                Err(e) => {
                    problems.push(Problem::error(
                        Some(origin.clone()),
                        format!("{kind}: cannot read {target}: {e}"),
                    ));
                    return;
                }
            };
            *value = match kind.as_str() {
                "$text" => Value::String(text),
                "$json" => match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(Problem::error(
                            Some(origin.clone()),
                            format!("$json: {target}: {e}"),
                        ));
                        return;
                    }
                },
                _ => match serde_yaml::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(Problem::error(
                            Some(origin.clone()),
                            format!("$yaml: {target}: {e}"),
                        ));
                        return;
                    }
                },
            };
        }
        Value::Object(map) => {
            for v in map.values_mut() {
                let found = Found {
                    problems: &mut *problems,
                    deps: &mut *deps,
                };
                resolve_placeholders(v, path, root, origin, found, depth + 1);
            }
        }
        Value::Array(items) => {
            for v in items {
                let found = Found {
                    problems: &mut *problems,
                    deps: &mut *deps,
                };
                resolve_placeholders(v, path, root, origin, found, depth + 1);
            }
        }
        _ => {}
    }
}
