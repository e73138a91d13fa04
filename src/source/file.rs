//! The file source: catalog YAML files and directories on disk (or embedded), following
//! Location entities and resolving `$text`/`$json`/`$yaml` placeholders.

use super::cache::files::{FileKey, Previous, Record, Stamp};
use crate::catalog::{
    relations, schema, validate, Catalog, Entity, Field, Origin, Problem, Severity, SpecValue,
};
use crate::documents::{locate_fields, parse_documents};
use crate::vfs;
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};
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
    /// Another portal's descriptor (Cortex, OpsLevel, Compass, Port), parsed but held back:
    /// its references resolve only once every file is read, then it becomes a batch of its
    /// own. Never cached, since its entities depend on other files.
    pub foreign: Option<crate::formats::Parsed>,
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
                Ok(mut files) => {
                    // Shallower files first, so a Template is read before the files of its
                    // skeleton directory (below it), which are then skipped.
                    files.sort_by_key(|f| f.matches('/').count());
                    queue.extend(files.into_iter().map(|f| (f, root.clone(), true)))
                }
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
    let mut skeletons: Vec<String> = Vec::new();
    let mut foreign: Vec<FileBatch> = Vec::new();
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
            let (root, walked) = (&wave[i].1, wave[i].2);
            if batch.foreign.is_some() {
                // The Port blueprints beside a port.yml are read with it.
                for companion in crate::formats::companions(&batch.path) {
                    if !seen.contains(&identity(&companion)) {
                        next.push((companion, root.clone(), false));
                    }
                }
                // Handed on after every file is read, its references resolved.
                done += 1;
                foreign.push(batch);
                return;
            }
            let dir = format!("{}/", vfs::join(&batch.path, "."));
            if walked && skeletons.iter().any(|s| dir.starts_with(s.as_str())) {
                // A file a Template copies (its skeleton) is not a catalog file.
                done += 1;
                return;
            }
            skeletons.extend(batch.entities.iter().flat_map(skeleton_dirs));
            // A Location with an error (a missing target, a type Backstage does not allow) is
            // rejected with none of its targets followed, as Backstage rejects it.
            let before = batch.problems.len();
            batch.entities.retain(|e| {
                if e.kind_lower() != "location" {
                    return true;
                }
                let Ok(targets) = location_targets(e, root, &mut batch.problems) else {
                    return false;
                };
                for target in targets {
                    if !seen.contains(&identity(&target)) {
                        next.push((target, root.clone(), false));
                    }
                }
                true
            });
            locate_again(&batch.path, &mut batch.problems[before..]);
            done += 1;
            batch.progress = (done, known + next.len());
            sink(batch);
        });
        wave = next;
    }
    for batch in resolve_foreign(foreign) {
        let mut batch = batch;
        batch.progress = (done, done);
        sink(batch);
    }
    stats
}

/// Moves the catalog's problems that name a field (a reference to no entity, an unknown kind:
/// found after loading, where no text is at hand) to their fields' lines, reading each local
/// file concerned once. A file that cannot be read again (gone, or a server's entity) leaves its
/// problems at their documents' lines.
pub fn place_problems(catalog: &mut Catalog) {
    let mut by_path: HashMap<String, Vec<&mut Problem>> = HashMap::new();
    for problem in catalog.unplaced_problems() {
        let path = problem.origin.as_ref().map(|o| o.path.to_string());
        match path {
            Some(path) => by_path.entry(path).or_default().push(problem),
            None => problem.field = None,
        }
    }
    for (path, problems) in by_path {
        let mut placed: Vec<Problem> = problems.iter().map(|p| (**p).clone()).collect();
        locate_again(&path, &mut placed);
        for (problem, done) in problems.into_iter().zip(placed) {
            *problem = done;
        }
    }
}

/// Moves problems found after a file was read (its Locations' targets) to the lines of their
/// fields, reading the file again only when one names a field.
fn locate_again(path: &str, problems: &mut [Problem]) {
    if !problems.iter().any(|p| p.field.is_some()) {
        return;
    }
    // Read again only while it is still within the size limit of a first read.
    let readable = vfs::size(path).is_ok_and(|n| n <= MAX_FILE_BYTES);
    if let Some(text) = readable
        .then(|| vfs::read(path).ok())
        .flatten()
        .and_then(|bytes| String::from_utf8(bytes).ok())
    {
        locate_fields(path, &text, problems);
    }
    for p in problems.iter_mut() {
        p.field = None;
    }
}

/// The second pass over other portals' files: references resolved across all of them, then
/// each file's entities read as Backstage documents (and rejected as Backstage rejects them).
fn resolve_foreign(held: Vec<FileBatch>) -> Vec<FileBatch> {
    if held.is_empty() {
        return Vec::new();
    }
    let mut stamps: HashMap<String, Option<Stamp>> = HashMap::new();
    let mut parsed = Vec::new();
    for mut batch in held {
        stamps.insert(batch.path.clone(), batch.stamp);
        if let Some(p) = batch.foreign.take() {
            parsed.push(p);
        }
    }
    crate::formats::resolve(parsed)
        .into_iter()
        .map(|file| {
            let path = file.path.to_string();
            let mut batch = FileBatch {
                stamp: stamps.get(&path).copied().flatten(),
                path,
                problems: file.problems,
                ..FileBatch::default()
            };
            for draft in &file.drafts {
                let first = batch.problems.len();
                let origin = Origin::new(file.path.clone(), Some(draft.line));
                admit(&mut batch, draft.to_value(), origin, first);
            }
            keep_last(&mut batch);
            batch
        })
        .collect()
}

/// The first line (not a comment) holding a template placeholder, `${{ … }}` or
/// `{{ cookiecutter… }}`.
fn skeleton_line(text: &str) -> Option<u32> {
    if !text.contains("{{") {
        return None;
    }
    text.lines()
        .position(|l| {
            !l.trim_start().starts_with('#')
                && (l.contains("${{")
                    || l.contains("{{ cookiecutter")
                    || l.contains("{{cookiecutter"))
        })
        .map(|i| i as u32 + 1)
}

/// The directories a Template copies files from: the relative `url` of its `fetch:template`
/// and `fetch:plain` steps, below the Template's own directory, each ending in `/`.
fn skeleton_dirs(template: &Entity) -> Vec<String> {
    if template.kind_lower() != "template" {
        return Vec::new();
    }
    let Some(steps) = template.spec.get("steps").and_then(SpecValue::as_array) else {
        return Vec::new();
    };
    steps
        .iter()
        .filter(|step| {
            matches!(
                step.get("action").and_then(SpecValue::as_str),
                Some("fetch:template" | "fetch:plain")
            )
        })
        .filter_map(|step| step.get("input")?.get("url")?.as_str())
        .filter(|url| !url.contains("://") && !url.contains("${{") && !url.starts_with(".."))
        .map(|url| {
            let dir = vfs::join(&template.origin.path, url);
            format!("{}/", dir.trim_end_matches('/'))
        })
        .collect()
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
    let foreign =
        crate::formats::Format::detect(path).is_some() || crate::formats::is_blueprint_file(path);
    if let Some((kept, entities, problems)) =
        previous.filter(|_| !foreign).and_then(|p| p.reuse(path))
    {
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
    if record && batch.foreign.is_none() {
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
    let format = if walked {
        crate::formats::Format::detect(path)
    } else {
        crate::formats::Format::detect_named(path, &text)
    };
    if let Some(format) = format {
        batch.foreign = Some(crate::formats::parse(format, &shared, &text));
        return batch;
    }
    let (docs, problems) = parse_documents(&shared, &text);
    let is_template = |d: &crate::documents::Document| {
        d.value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.eq_ignore_ascii_case("template"))
    };
    if let Some(line) = skeleton_line(&text).filter(|_| !docs.iter().any(is_template)) {
        // `${{ values.name }}` or `{{ cookiecutter.name }}` in a catalog file: a file a
        // template copies, not one to read (its YAML often does not parse either).
        let message = format!(
            "looks like a template skeleton: it holds a template placeholder (`${{{{ … }}}}` or `{{{{ cookiecutter… }}}}`) at line {line}; not read as a catalog file"
        );
        let origin = at(Some(line));
        batch.problems.push(if walked {
            Problem::warning(origin, message)
        } else {
            Problem::error(origin, message)
        });
        return batch;
    }
    if walked
        && problems.is_empty()
        && !docs
            .iter()
            .any(|d| d.value.get("apiVersion").is_some() && d.value.get("kind").is_some())
    {
        let name = path.rsplit('/').next().unwrap_or(path);
        if matches!(name, "catalog-info.yaml" | "catalog-info.yml") {
            // Named like a catalog file: say why it gave nothing, rather than pass it over.
            batch.problems.push(Problem::warning(
                at(docs.first().map(|d| d.line)),
                "catalog-info file holds no entity (no document with apiVersion and kind): not read",
            ));
        }
        return batch;
    }
    batch.problems.extend(problems);
    for doc in expand_promises(docs, &shared, &mut batch.problems) {
        let origin = Origin::new(shared.clone(), Some(doc.line));
        let first_problem = batch.problems.len();
        let mut value = doc.value;
        if let Some(root) = value.as_object() {
            // A mis-indented `dependsOn:` at the root is a real mistake, not a field to drop.
            for key in root.keys() {
                if !schema::FILE_ROOT_KEYS.contains(&key.as_str()) {
                    batch.problems.push(
                        Problem::error(
                            Some(origin.clone()),
                            format!(
                                "unknown root key {:?}: an entity file has only apiVersion, kind, metadata and spec",
                                crate::text::one_line(key)
                            ),
                        )
                        .at_field(Field::at(&[key])),
                    );
                }
            }
        }
        if let Some(spec) = value.get_mut("spec") {
            sort_relation_lists(spec);
            let found = Found {
                problems: &mut batch.problems,
                deps: &mut batch.deps,
            };
            let at = FieldPath::Key("spec", None);
            resolve_placeholders(spec, path, root, (&origin, &at), found, 0);
        }
        admit(&mut batch, value, origin, first_problem);
    }
    keep_last(&mut batch);
    locate_fields(path, &text, &mut batch.problems);
    batch
}

/// The errors the catalog would reject an entity for (see `catalog::Prepared`): its validation
/// and its references that do not parse.
fn entity_errors(entity: &Entity) -> Vec<Problem> {
    let mut out: Vec<Problem> = validate::validate(entity)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    let mut targets = String::new();
    relations::spec_relation_texts(entity, &mut targets, &mut out);
    out
}

/// Reads one document into an entity and adds it to the batch, or rejects it: an entity with
/// an error (among the batch's problems from `first_problem` on) is not handed on, as
/// Backstage rejects it, and its problems name it.
fn admit(batch: &mut FileBatch, value: Value, origin: Origin, first_problem: usize) {
    match Entity::from_value(value, origin) {
        Ok((entity, problems)) => {
            batch.problems.extend(problems);
            let own = &mut batch.problems[first_problem..];
            for p in own.iter_mut().filter(|p| p.entity.is_none()) {
                p.entity = Some(entity.entity_ref().clone());
            }
            // Its validation errors are found here, where its fields' lines are known, so
            // the catalog (which validates again) never sees it; its warnings are the
            // catalog's to report.
            let errors = entity_errors(&entity);
            if errors.is_empty() && !own.iter().any(|p| p.severity == Severity::Error) {
                batch.entities.push(entity);
            } else {
                // Rejected: only its problems, which name it, go on; with its other
                // errors, so one pass of fixing is enough.
                batch.problems.extend(errors);
            }
        }
        Err(problem) => batch.problems.push(problem),
    }
}

/// Kratix Promises replaced by the Backstage entities they become (an API and a request
/// Template, see [`crate::formats::kratix`]); a Promise that cannot be read is an error at its
/// line.
fn expand_promises(
    docs: Vec<crate::documents::Document>,
    path: &Arc<str>,
    problems: &mut Vec<Problem>,
) -> Vec<crate::documents::Document> {
    use crate::formats::kratix;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        if !kratix::is_promise(&doc.value) {
            out.push(doc);
            continue;
        }
        match kratix::to_entities(&doc.value) {
            Ok(values) => out.extend(values.into_iter().map(|value| crate::documents::Document {
                line: doc.line,
                value,
            })),
            Err(e) => problems.push(Problem::error(
                Some(Origin::new(path.clone(), Some(doc.line))),
                format!("Kratix Promise not read: {e}"),
            )),
        }
    }
    out
}

/// Drops every definition of a reference that the same file defines again later, as Backstage
/// keeps the last copy; each dropped one is reported (a warning).
fn keep_last(batch: &mut FileBatch) {
    if batch.entities.len() < 2 {
        return;
    }
    let mut later: HashMap<&crate::catalog::EntityRef, u32> = HashMap::new();
    let mut dropped = vec![false; batch.entities.len()];
    for (i, e) in batch.entities.iter().enumerate().rev() {
        let line = e.origin.line.unwrap_or(0);
        if let Some(&kept) = later.get(e.entity_ref()) {
            dropped[i] = true;
            batch.problems.push(
                Problem::warning(
                    Some(e.origin.clone()),
                    format!(
                        "duplicate entity in this file: {} is defined again at line {kept}; the last definition is kept, as Backstage keeps it",
                        e.entity_ref()
                    ),
                )
                .with_entity(e.entity_ref().clone()),
            );
        } else {
            later.insert(e.entity_ref(), line);
        }
    }
    let mut dropped = dropped.into_iter();
    batch.entities.retain(|_| !dropped.next().unwrap_or(false));
}

/// The files a Location points at, resolved against its file, as Backstage's
/// `LocationEntityProcessor` reads them: `spec.type` is `file` (the default) or `url`, and a
/// `url` target that is a relative path is a file next to the Location (what Backstage reads
/// when the repository was registered by URL). Absolute URLs and targets outside the catalog
/// root are reported and not followed. `Err` when the Location is rejected: a type other than
/// `file`/`url`, or a target (or glob) that matches nothing, unless `presence: optional`.
fn location_targets(
    location: &Entity,
    root: &str,
    problems: &mut Vec<Problem>,
) -> Result<Vec<String>, ()> {
    let spec = &location.spec;
    let kind = spec
        .get("type")
        .and_then(SpecValue::as_str)
        .unwrap_or("file");
    let optional = spec.get("presence").and_then(SpecValue::as_str) == Some("optional");
    let mut raw: Vec<&str> = Vec::new();
    if let Some(t) = spec.get("target").and_then(SpecValue::as_str) {
        raw.push(t);
    }
    if let Some(ts) = spec.get("targets").and_then(SpecValue::as_array) {
        raw.extend(ts.iter().filter_map(SpecValue::as_str));
    }
    let targets_field = |target: &str| {
        if spec.get("target").and_then(SpecValue::as_str) == Some(target) {
            Field::at(&["spec", "target"])
        } else {
            Field::item(&["spec", "targets"], target)
        }
    };
    let report = |problems: &mut Vec<Problem>, error: bool, field: Field, msg: String| {
        let origin = Some(location.origin.clone());
        let p = if error {
            Problem::error(origin, msg)
        } else {
            Problem::warning(origin, msg)
        };
        problems.push(p.with_entity(location.entity_ref().clone()).at_field(field))
    };
    if kind != "file" && kind != "url" {
        report(
            problems,
            true,
            Field::at(&["spec", "type"]),
            format!("spec.type {kind:?} is not an allowed location type (file or url)"),
        );
        return Err(());
    }
    let mut out = Vec::new();
    let mut rejected = false;
    for target in raw {
        if target.contains("://") {
            report(
                problems,
                false,
                targets_field(target),
                format!("target {target}: URLs are not followed by the file source"),
            );
            continue;
        }
        let resolved = vfs::join(&location.origin.path, target);
        if !vfs::is_within(&resolved, root) {
            report(
                problems,
                false,
                targets_field(target),
                format!("target {target} is outside the catalog root {root}: not followed"),
            );
            continue;
        }
        if target.contains(['*', '?', '[']) {
            match expand_glob(&resolved) {
                Ok(files) if files.is_empty() => {
                    rejected |= !optional;
                    report(
                        problems,
                        !optional,
                        targets_field(target),
                        format!("target {target} matches no file ({resolved})"),
                    )
                }
                Ok(files) => out.extend(files),
                Err(e) => {
                    rejected = true;
                    report(
                        problems,
                        true,
                        targets_field(target),
                        format!("target {target}: {e}"),
                    )
                }
            }
        } else if !vfs::is_dir(&resolved) && vfs::size(&resolved).is_err() {
            rejected |= !optional;
            report(
                problems,
                !optional,
                targets_field(target),
                format!("target {target} does not exist ({resolved})"),
            );
        } else if vfs::is_dir(&resolved) {
            out.extend(vfs::yaml_files(&resolved).unwrap_or_default());
        } else {
            out.push(resolved);
        }
    }
    if rejected {
        Err(())
    } else {
        Ok(out)
    }
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
    let base = if base.is_empty() { "." } else { base };
    if !vfs::is_dir(base) {
        // A glob under a folder that is not there matches nothing, as a missing file.
        return Ok(Vec::new());
    }
    let files = vfs::yaml_files(base).map_err(|e| e.to_string())?;
    Ok(files.into_iter().filter(|f| matcher.is_match(f)).collect())
}

/// The spec lists of references Backstage sorts as it reads an entity (its
/// `BuiltinKindsEntityProcessor.preProcessEntity`), so an entity reads the same from a file as
/// from a server. Only lists of strings are sorted, in JavaScript's default order (UTF-16 code
/// units).
const SORTED_LISTS: [&str; 7] = [
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
    "memberOf",
    "children",
    "members",
];

/// Sorts the [`SORTED_LISTS`] of a spec in place.
fn sort_relation_lists(spec: &mut Value) {
    for field in SORTED_LISTS {
        if let Some(Value::Array(items)) = spec.get_mut(field) {
            if items.iter().all(Value::is_string) {
                items.sort_by(|a, b| {
                    let (a, b) = (a.as_str().unwrap_or(""), b.as_str().unwrap_or(""));
                    a.encode_utf16().cmp(b.encode_utf16())
                });
            }
        }
    }
}

/// Where a value is in a document: its key or index, and the path of what holds it, kept on
/// the stack while a document is walked (nothing is allocated until a problem names it).
enum FieldPath<'a> {
    /// A mapping's key, and the mapping's path (`None` at the root).
    Key(&'a str, Option<&'a FieldPath<'a>>),
    /// A list's index, and the list's path.
    Index(usize, &'a FieldPath<'a>),
}

impl FieldPath<'_> {
    /// The field this path names.
    fn field(&self) -> Field {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            at = match path {
                FieldPath::Key(key, parent) => {
                    segments.push((*key).to_string());
                    *parent
                }
                FieldPath::Index(i, parent) => {
                    segments.push(i.to_string());
                    Some(*parent)
                }
            };
        }
        segments.reverse();
        Field::at(&segments.iter().map(String::as_str).collect::<Vec<_>>())
    }
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
    (origin, at): (&Origin, &FieldPath<'_>),
    found: Found<'_>,
    depth: usize,
) {
    let Found { problems, deps } = found;
    let error =
        |message: String| Problem::error(Some(origin.clone()), message).at_field(at.field());
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
                    for (k, v) in map.iter_mut() {
                        let found = Found {
                            problems: &mut *problems,
                            deps: &mut *deps,
                        };
                        let at = FieldPath::Key(k, Some(at));
                        resolve_placeholders(v, path, root, (origin, &at), found, depth + 1);
                    }
                    return;
                }
            };
            let Some(target) = target.as_str() else {
                problems.push(error(format!("{kind} placeholder must be a string")));
                return;
            };
            if target.contains("://") {
                problems.push(
                    Problem::warning(
                        Some(origin.clone()),
                        format!(
                            "{kind}: {} is a URL: not fetched by the file source",
                            crate::text::one_line(target)
                        ),
                    )
                    .at_field(at.field()),
                );
                return;
            }
            let file = vfs::join(path, target);
            if !vfs::is_within(&file, root) {
                problems.push(error(format!(
                    "{kind}: {target} is outside the catalog root: not read"
                )));
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
                    problems.push(error(format!("{kind}: cannot read {target}: {e}")));
                    return;
                }
            };
            *value = match kind.as_str() {
                "$text" => Value::String(text),
                "$json" => match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(error(format!("$json: {target}: {e}")));
                        return;
                    }
                },
                _ => match crate::yaml::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        problems.push(error(format!("$yaml: {target}: {e}")));
                        return;
                    }
                },
            };
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let found = Found {
                    problems: &mut *problems,
                    deps: &mut *deps,
                };
                let at = FieldPath::Key(k, Some(at));
                resolve_placeholders(v, path, root, (origin, &at), found, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                let found = Found {
                    problems: &mut *problems,
                    deps: &mut *deps,
                };
                let at = FieldPath::Index(i, at);
                resolve_placeholders(v, path, root, (origin, &at), found, depth + 1);
            }
        }
        _ => {}
    }
}
