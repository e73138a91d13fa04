//! The actions a template's steps call, run against an in-memory workspace so a dry run and
//! a real run are the same code and nothing touches the disk until [`super::write`].
//!
//! Local: `fetch:template`, `fetch:template:file`, `fetch:plain`, `fetch:plain:file`,
//! `fs:rename`, `fs:delete`,
//! `debug:log`, `debug:wait`, `catalog:write`, `catalog:register`. Actions that need a server or
//! a remote service (`publish:*`, `github:*`, …) are reported as running on Backstage.

use crate::catalog::{Entity, Origin};
use crate::expr::{Expr, ExprError, Options};
use crate::vfs::{self, TreeEntry};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The files a run has produced so far, by `/`-separated path relative to the target
/// directory. Every path in it has passed [`safe_path`].
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// File contents by relative path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The paths of files to write executable (their skeleton file was, as Backstage's
    /// `fetch:template` keeps a file's mode).
    pub executable: BTreeSet<String>,
}

impl Workspace {
    /// Adds (or replaces) a file, executable or not.
    pub fn insert(&mut self, path: String, contents: Vec<u8>, executable: bool) {
        if executable {
            self.executable.insert(path.clone());
        } else {
            self.executable.remove(&path);
        }
        self.files.insert(path, contents);
    }
}

/// Why an action failed. Each names the file or input at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// A path would land outside the target directory.
    #[error("{file}: refused: {reason}")]
    PathEscape {
        /// The offending path, as rendered.
        file: String,
        /// Why (`..`, absolute path, symlink out of the skeleton).
        reason: String,
    },
    /// The skeleton could not be read.
    #[error("skeleton {path}: {message}")]
    Skeleton {
        /// The skeleton directory or file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A file or file name did not render.
    #[error("{file}: {source}")]
    Render {
        /// The skeleton file.
        file: String,
        /// The template error.
        source: ExprError,
    },
    /// The step's input is missing something or has the wrong shape.
    #[error("input: {0}")]
    Input(String),
    /// `catalog:register` names a file no step has made here.
    #[error("input: catalog:register: {file} is not among the generated files")]
    NotGenerated {
        /// The path relative to the target directory.
        file: String,
    },
}

/// What a step did.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// It ran locally; `output` is its `steps.ID.output`, `messages` what it reports.
    Done {
        /// The step's output object.
        output: Value,
        /// Lines for the plan (files fetched, log messages).
        messages: Vec<String>,
    },
    /// It needs a Backstage server or remote service; nothing happened here.
    RunsOnBackstage(String),
    /// The action is not one we know.
    Unknown(String),
}

/// What an action needs besides its input.
pub struct ActionContext<'a> {
    /// The template engine.
    pub expr: &'a Expr,
    /// The template file (skeleton URLs are relative to it).
    pub template_file: &'a str,
    /// The template's reference, which `catalog:write` records in the entity it writes.
    pub template_ref: &'a str,
    /// Where the files will be written, for registered entities' origins.
    pub target: &'a str,
    /// The files produced so far.
    pub workspace: &'a mut Workspace,
    /// Entities `catalog:register` produced, to add to the open catalog.
    pub registered: &'a mut Vec<Entity>,
}

/// Action prefixes that need a server or a remote service.
const SERVER_PREFIXES: [&str; 14] = [
    "publish:",
    "github:",
    "gitlab:",
    "bitbucket",
    "azure:",
    "gerrit:",
    "gitea:",
    "confluence:",
    "notification:",
    "fetch:cookiecutter",
    "fetch:rails",
    "catalog:fetch",
    "http:",
    "sentry:",
];

/// The actions [`run`] runs here; every other one runs on Backstage or is unknown.
pub const LOCAL_ACTIONS: [&str; 10] = [
    "fetch:template",
    "fetch:template:file",
    "fetch:plain",
    "fetch:plain:file",
    "fs:rename",
    "fs:delete",
    "debug:log",
    "debug:wait",
    "catalog:write",
    "catalog:register",
];

/// Whether [`run`] runs this action here (its input must then render).
pub fn runs_locally(action: &str) -> bool {
    LOCAL_ACTIONS.contains(&action)
}

/// Runs one action on its rendered input.
pub fn run(
    action: &str,
    input: &Value,
    cx: &mut ActionContext<'_>,
) -> Result<StepOutcome, ActionError> {
    match action {
        "fetch:template" => fetch_template(input, cx),
        "fetch:template:file" => fetch_template_file(input, cx),
        "fetch:plain" => fetch_plain(input, cx),
        "fetch:plain:file" => fetch_plain_file(input, cx),
        "fs:rename" => fs_rename(input, cx),
        "fs:delete" => fs_delete(input, cx),
        "debug:log" => Ok(debug_log(input, cx)),
        "debug:wait" => Ok(done(vec!["waited (skipped locally)".into()])),
        "catalog:write" => catalog_write(input, cx),
        "catalog:register" => catalog_register(input, cx),
        a if SERVER_PREFIXES.iter().any(|p| a.starts_with(p)) => Ok(StepOutcome::RunsOnBackstage(
            format!("{a} runs on Backstage: skipped locally"),
        )),
        a => Ok(StepOutcome::Unknown(format!(
            "{a} is not a local action: skipped (it may run on Backstage)"
        ))),
    }
}

fn done(messages: Vec<String>) -> StepOutcome {
    StepOutcome::Done {
        output: json!({}),
        messages,
    }
}

/// The longest file or directory name, in bytes, that common file systems accept.
pub const MAX_NAME: usize = 255;

/// Joins a relative path onto a base inside the target, refusing `..`, absolute paths and
/// drive letters. Returns the normalised `/`-separated path (empty for the target itself).
pub fn safe_path(base: &str, path: &str) -> Result<String, ActionError> {
    let refuse = |reason: &str| ActionError::PathEscape {
        file: crate::text::one_line(path),
        reason: reason.to_string(),
    };
    let looks_absolute = |p: &str| {
        p.starts_with('/')
            || p.starts_with('\\')
            || p.as_bytes().get(1) == Some(&b':') && p.as_bytes()[0].is_ascii_alphabetic()
    };
    if looks_absolute(path) {
        return Err(refuse("absolute paths are not allowed"));
    }
    if path.chars().any(char::is_control) {
        return Err(refuse("file names with control characters are not allowed"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split(['/', '\\']).chain(path.split(['/', '\\'])) {
        match part {
            "" | "." => {}
            ".." => return Err(refuse("`..` would leave the target directory")),
            // What the file system would refuse when writing (ENAMETOOLONG): said in the plan.
            p if p.len() > MAX_NAME => {
                return Err(refuse(&format!(
                    "a file or directory name longer than {MAX_NAME} bytes cannot be written"
                )))
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

fn input_str<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn target_path(input: &Value) -> Result<String, ActionError> {
    safe_path("", input_str(input, "targetPath").unwrap_or("./"))
}

fn is_remote(url: &str) -> bool {
    url.contains("://")
}

fn globs(input: &Value, key: &str) -> Result<GlobSet, ActionError> {
    let mut b = GlobSetBuilder::new();
    for g in input
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(g) = g.as_str() else { continue };
        // `.github/workflows/` names a directory, as `.github/workflows` does.
        let g = g.trim_start_matches("./").trim_end_matches('/');
        // As globby's: `*` stays within one path segment.
        let glob = GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| ActionError::Input(format!("{key}: {e}")))?;
        b.add(glob);
    }
    b.build()
        .map_err(|e| ActionError::Input(format!("{key}: {e}")))
}

/// Whether a skeleton file is matched by a glob set, itself or through a directory it sits in:
/// Backstage (globby with `expandDirectories`) takes a pattern that names a directory to mean
/// everything under it.
fn matches_path_or_parent(set: &GlobSet, rel: &str) -> bool {
    set.is_match(rel)
        || rel
            .match_indices('/')
            .any(|(i, _)| rel.get(..i).is_some_and(|dir| set.is_match(dir)))
}

/// The skeleton's files: `(relative path, contents, executable)`. Symlinks pointing outside
/// the skeleton are refused, naming the link.
fn read_skeleton(dir: &str) -> Result<Vec<(String, Vec<u8>, bool)>, ActionError> {
    let tree = vfs::list_tree(dir).map_err(|e| ActionError::Skeleton {
        path: dir.to_string(),
        message: e.to_string(),
    })?;
    let mut out = Vec::with_capacity(tree.len());
    for entry in tree {
        let rel = match entry {
            TreeEntry::File(rel) => rel,
            TreeEntry::Symlink { path, inside: true } => path,
            TreeEntry::Symlink {
                path,
                inside: false,
            } => {
                return Err(ActionError::PathEscape {
                    file: format!("{dir}/{path}"),
                    reason: "symbolic link pointing outside the skeleton".into(),
                })
            }
        };
        let full = format!("{}/{rel}", dir.trim_end_matches('/'));
        let bytes = vfs::read(&full).map_err(|e| ActionError::Skeleton {
            path: full.clone(),
            message: e.to_string(),
        })?;
        out.push((rel, bytes, vfs::is_executable(&full)));
    }
    Ok(out)
}

/// Where a local `url` of the template leads: inside the template's own folder, after
/// following symbolic links (as Backstage's `resolveSafeChildPath` does for a template read
/// from files), or refused. A template that came from a Backstage server has no folder here:
/// its local paths are all refused, never read from this machine.
fn skeleton_dir(url: &str, cx: &ActionContext<'_>) -> Result<String, ActionError> {
    let refuse = |reason: &str| ActionError::PathEscape {
        file: crate::text::one_line(url),
        reason: reason.to_string(),
    };
    if cx.template_file.contains("://") {
        return Err(refuse(
            "the template came from a Backstage server: it reads no local file",
        ));
    }
    let path = vfs::join(cx.template_file, url);
    if !vfs::is_within(&path, &vfs::root_of(cx.template_file)) {
        return Err(refuse("outside the template's folder"));
    }
    Ok(path)
}

fn fetch_template(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let url =
        input_str(input, "url").ok_or_else(|| ActionError::Input("url is required".into()))?;
    if is_remote(url) {
        return Ok(StepOutcome::RunsOnBackstage(format!(
            "fetches the remote skeleton {url}: runs on Backstage"
        )));
    }
    let dir = skeleton_dir(url, cx)?;
    let target = target_path(input)?;
    let (expr, values) = renderer(input);
    let verbatim = globs(input, "copyWithoutTemplating")?;
    let extension = match input.get("templateFileExtension") {
        Some(Value::Bool(true)) => Some(".njk".to_string()),
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    // Backstage skips a file that is already in the workspace unless `replace: true`.
    let replace = input.get("replace").and_then(Value::as_bool) == Some(true);
    let mut messages = Vec::new();
    let mut count = 0;
    for (rel, bytes, executable) in read_skeleton(&dir)? {
        let render_err = |source| ActionError::Render {
            file: format!("{dir}/{rel}"),
            source,
        };
        let mut name = expr.render_str(&rel, &values).map_err(render_err)?;
        // Backstage skips a file whose rendered path is empty or has an empty segment: that is
        // how `{% if %}` in a file or directory name leaves it out.
        let first_empty = rel
            .split('/')
            .next()
            .is_some_and(|first| expr.render_str(first, &values).is_ok_and(|s| s.is_empty()));
        if name.is_empty() || name.contains("//") || name.ends_with('/') || first_empty {
            messages.push(format!("skipped {rel} (its name rendered empty)"));
            continue;
        }
        let mut render_contents = !matches_path_or_parent(&verbatim, &rel);
        if let Some(ext) = &extension {
            render_contents = render_contents && name.ends_with(ext.as_str());
            if name.ends_with(ext.as_str()) {
                name.truncate(name.len() - ext.len());
            }
        }
        let path = safe_path(&target, &name)?;
        if !replace && cx.workspace.files.contains_key(&path) {
            messages.push(format!(
                "kept {path}: an earlier step wrote it (replace: true overwrites)"
            ));
            continue;
        }
        let contents = match (render_contents, String::from_utf8(bytes)) {
            (true, Ok(text)) => expr
                .render_str(&text, &values)
                .map_err(|source| ActionError::Render {
                    file: format!("{dir}/{rel}"),
                    source,
                })?
                .into_bytes(),
            (_, Ok(text)) => text.into_bytes(),
            (_, Err(binary)) => binary.into_bytes(),
        };
        cx.workspace.insert(path, contents, executable);
        count += 1;
    }
    messages.insert(0, format!("{count} file(s) from {url}"));
    Ok(done(messages))
}

/// The engine and context a `fetch:template`/`fetch:template:file` step renders with: its
/// `trimBlocks`, `lstripBlocks` and `cookiecutterCompat` (values then named `cookiecutter`).
fn renderer(input: &Value) -> (&'static Expr, Value) {
    let flag = |key: &str| input.get(key).and_then(Value::as_bool) == Some(true);
    let options = Options {
        trim_blocks: flag("trimBlocks"),
        lstrip_blocks: flag("lstripBlocks"),
        cookiecutter: flag("cookiecutterCompat"),
    };
    let name = if options.cookiecutter {
        "cookiecutter"
    } else {
        "values"
    };
    let values = input.get("values").cloned().unwrap_or(json!({}));
    (Expr::with_options(options), json!({ name: values }))
}

/// The `url` and the checked `targetPath` of a one-file fetch, or, when the `url` is remote,
/// what the step does instead (it runs on Backstage).
fn one_file(input: &Value) -> Result<Result<(&str, String), StepOutcome>, ActionError> {
    let url =
        input_str(input, "url").ok_or_else(|| ActionError::Input("url is required".into()))?;
    let target = input_str(input, "targetPath")
        .ok_or_else(|| ActionError::Input("targetPath is required".into()))?;
    if is_remote(url) {
        return Ok(Err(StepOutcome::RunsOnBackstage(format!(
            "fetches {url}: runs on Backstage"
        ))));
    }
    Ok(Ok((url, safe_path("", target)?)))
}

/// `fetch:template:file`: renders one file to `targetPath`, unless a file is there already and
/// `replace` is not set (Backstage's `templateFileActionHandler`).
fn fetch_template_file(
    input: &Value,
    cx: &mut ActionContext<'_>,
) -> Result<StepOutcome, ActionError> {
    let (url, path) = match one_file(input)? {
        Ok(found) => found,
        Err(remote) => return Ok(remote),
    };
    let replace = input.get("replace").and_then(Value::as_bool) == Some(true);
    if !replace && cx.workspace.files.contains_key(&path) {
        return Ok(done(vec![format!(
            "kept {path}: an earlier step wrote it (replace: true overwrites)"
        )]));
    }
    let file = skeleton_dir(url, cx)?;
    let bytes = vfs::read(&file).map_err(|e| ActionError::Skeleton {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| ActionError::Skeleton {
        path: file.clone(),
        message: "not UTF-8 text".into(),
    })?;
    let (expr, values) = renderer(input);
    let contents = expr
        .render_str(&text, &values)
        .map_err(|source| ActionError::Render {
            file: file.clone(),
            source,
        })?;
    // Written with the default mode, as Backstage's `outputFile` without one.
    cx.workspace
        .insert(path.clone(), contents.into_bytes(), false);
    Ok(done(vec![format!("rendered {url} to {path}")]))
}

fn fetch_plain(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let url =
        input_str(input, "url").ok_or_else(|| ActionError::Input("url is required".into()))?;
    if is_remote(url) {
        return Ok(StepOutcome::RunsOnBackstage(format!(
            "fetches {url}: runs on Backstage"
        )));
    }
    let dir = skeleton_dir(url, cx)?;
    let target = target_path(input)?;
    let files = read_skeleton(&dir)?;
    let count = files.len();
    for (rel, bytes, executable) in files {
        let path = safe_path(&target, &rel)?;
        cx.workspace.insert(path, bytes, executable);
    }
    Ok(done(vec![format!("{count} file(s) copied from {url}")]))
}

fn fetch_plain_file(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let (url, path) = match one_file(input)? {
        Ok(found) => found,
        Err(remote) => return Ok(remote),
    };
    let file = skeleton_dir(url, cx)?;
    let bytes = vfs::read(&file).map_err(|e| ActionError::Skeleton {
        path: file.clone(),
        message: e.to_string(),
    })?;
    cx.workspace
        .insert(path.clone(), bytes, vfs::is_executable(&file));
    Ok(done(vec![format!("copied {url} to {path}")]))
}

fn fs_rename(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let files = input
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| ActionError::Input("files must be a list of {from, to}".into()))?;
    let mut messages = Vec::new();
    for f in files {
        let (Some(from), Some(to)) = (input_str(f, "from"), input_str(f, "to")) else {
            return Err(ActionError::Input("each file needs from and to".into()));
        };
        let overwrite = f.get("overwrite").and_then(Value::as_bool) == Some(true);
        let from = safe_path("", from)?;
        let to = safe_path("", to)?;
        let moved: Vec<String> = cx
            .workspace
            .files
            .keys()
            .filter(|k| **k == from || k.starts_with(&format!("{from}/")))
            .cloned()
            .collect();
        if moved.is_empty() {
            return Err(ActionError::Input(format!(
                "fs:rename: {from} does not exist"
            )));
        }
        for old in moved {
            let new = format!("{to}{}", old.get(from.len()..).unwrap_or_default());
            if cx.workspace.files.contains_key(&new) && !overwrite {
                return Err(ActionError::Input(format!(
                    "fs:rename: {new} already exists (set overwrite: true)"
                )));
            }
            if let Some(bytes) = cx.workspace.files.remove(&old) {
                let executable = cx.workspace.executable.remove(&old);
                cx.workspace.insert(new, bytes, executable);
            }
        }
        messages.push(format!("renamed {from} to {to}"));
    }
    Ok(done(messages))
}

fn fs_delete(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let patterns = input
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| ActionError::Input("files must be a list of paths or globs".into()))?;
    let mut messages = Vec::new();
    for p in patterns.iter().filter_map(Value::as_str) {
        let clean = safe_path("", p)?;
        let glob = Glob::new(&clean)
            .map_err(|e| ActionError::Input(format!("fs:delete: {e}")))?
            .compile_matcher();
        let before = cx.workspace.files.len();
        let deleted =
            |k: &String| glob.is_match(k) || *k == clean || k.starts_with(&format!("{clean}/"));
        cx.workspace.files.retain(|k, _| !deleted(k));
        cx.workspace.executable.retain(|k| !deleted(k));
        messages.push(format!(
            "deleted {} file(s) matching {clean}",
            before - cx.workspace.files.len()
        ));
    }
    Ok(done(messages))
}

fn debug_log(input: &Value, cx: &mut ActionContext<'_>) -> StepOutcome {
    let mut messages = Vec::new();
    if let Some(m) = input.get("message") {
        let text = match m {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        messages.extend(text.lines().map(str::to_string));
    }
    if input
        .get("listWorkspace")
        .is_some_and(|v| v.as_bool() == Some(true) || v.is_string())
    {
        messages.push("workspace:".into());
        messages.extend(cx.workspace.files.keys().map(|k| format!("  {k}")));
    }
    done(messages)
}

fn catalog_write(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let entity = input
        .get("entity")
        .filter(|e| e.is_object())
        .ok_or_else(|| ActionError::Input("entity must be an object".into()))?;
    let path = safe_path(
        "",
        input_str(input, "filePath").unwrap_or("catalog-info.yaml"),
    )?;
    // As Backstage: the entity records the template that made it.
    let mut entity = entity.clone();
    if let Some(metadata) = entity.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = metadata.entry("annotations").or_insert_with(|| json!({}));
        if let Some(annotations) = annotations.as_object_mut() {
            annotations.insert(
                "backstage.io/source-template".into(),
                Value::String(cx.template_ref.to_string()),
            );
        }
    }
    let yaml = super::catalog_yaml::to_yaml(&entity);
    cx.workspace.files.insert(path.clone(), yaml.into_bytes());
    Ok(done(vec![format!("wrote {path}")]))
}

fn catalog_register(input: &Value, cx: &mut ActionContext<'_>) -> Result<StepOutcome, ActionError> {
    let optional = input.get("optional").and_then(Value::as_bool) == Some(true);
    let path = input_str(input, "catalogInfoPath").unwrap_or("/catalog-info.yaml");
    let path = safe_path("", path.trim_start_matches('/'))?;
    let Some(bytes) = cx.workspace.files.get(&path) else {
        if let Some(url) = input_str(input, "catalogInfoUrl") {
            return Ok(StepOutcome::RunsOnBackstage(format!(
                "registers {url}: runs on Backstage"
            )));
        }
        if optional {
            return Ok(done(vec![format!(
                "catalog:register: {path} is not among the generated files"
            )]));
        }
        return Err(ActionError::NotGenerated { file: path });
    };
    let origin = Origin::new(
        format!("{}/{path}", cx.target.trim_end_matches('/')),
        Some(1),
    );
    let text = String::from_utf8_lossy(bytes);
    // A catalog-info.yaml may hold several entities, as Backstage's catalog reads it.
    let file: std::sync::Arc<str> = origin.path.clone();
    let (docs, problems) = crate::documents::parse_documents(&file, &text);
    if let Some(p) = problems.first() {
        return Err(ActionError::Input(format!(
            "{path} is not valid YAML: {}",
            p.message
        )));
    }
    let mut entities = Vec::with_capacity(docs.len());
    for doc in docs {
        let origin = Origin::new(origin.path.clone(), Some(doc.line));
        let (entity, _warnings) = Entity::from_value(doc.value, origin)
            .map_err(|p| ActionError::Input(format!("{path} is not a valid entity: {p}")))?;
        let errors: Vec<String> = crate::catalog::validate::validate(&entity)
            .into_iter()
            .filter(|p| p.severity == crate::catalog::Severity::Error)
            .map(|p| p.message)
            .collect();
        if !errors.is_empty() {
            return Err(ActionError::Input(format!(
                "{path} is not a valid entity: {}",
                errors.join("; ")
            )));
        }
        entities.push(entity);
    }
    let refs: Vec<String> = entities
        .iter()
        .map(|e| e.entity_ref().to_string())
        .collect();
    // Backstage's output names the first entity that is not a Location.
    let Some(entity_ref) = refs
        .iter()
        .find(|r| !r.starts_with("location:"))
        .or(refs.first())
        .cloned()
    else {
        return Err(ActionError::Input(format!("{path} holds no entity")));
    };
    cx.registered.extend(entities);
    Ok(StepOutcome::Done {
        output: json!({ "entityRef": entity_ref, "catalogInfoUrl": format!("{}/{path}", cx.target) }),
        messages: vec![format!("registers {} in the open catalog", refs.join(", "))],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_path_refuses_parent_and_absolute_paths() {
        assert_eq!(safe_path("a", "./b/c.txt").unwrap(), "a/b/c.txt");
        assert!(matches!(
            safe_path("", "../x"),
            Err(ActionError::PathEscape { .. })
        ));
        assert!(matches!(
            safe_path("", "a/../../x"),
            Err(ActionError::PathEscape { .. })
        ));
        assert!(matches!(
            safe_path("", "/etc/passwd"),
            Err(ActionError::PathEscape { .. })
        ));
        assert!(matches!(
            safe_path("", "C:\\x"),
            Err(ActionError::PathEscape { .. })
        ));
        assert!(matches!(
            safe_path("", "a\\..\\..\\x"),
            Err(ActionError::PathEscape { .. })
        ));
        let err = safe_path("", "../evil").unwrap_err().to_string();
        assert!(err.contains("../evil"), "{err}");
    }

    #[test]
    fn server_and_unknown_actions_are_skipped_with_a_reason() {
        let expr = Expr::new();
        let mut ws = Workspace::default();
        let mut reg = Vec::new();
        let mut cx = ActionContext {
            expr: &expr,
            template_file: "t.yaml",
            template_ref: "template:default/t",
            target: "out",
            workspace: &mut ws,
            registered: &mut reg,
        };
        let o = run("publish:github", &json!({}), &mut cx).unwrap();
        assert!(matches!(o, StepOutcome::RunsOnBackstage(m) if m.contains("runs on Backstage")));
        let o = run("acme:deploy", &json!({}), &mut cx).unwrap();
        assert!(matches!(o, StepOutcome::Unknown(m) if m.contains("acme:deploy")));
    }

    #[test]
    fn rename_and_delete_work_on_files_and_directories() {
        let expr = Expr::new();
        let mut ws = Workspace::default();
        for f in ["gitignore", "docs/a.md", "docs/b.md", "tmp/x"] {
            ws.files.insert(f.into(), b"x".to_vec());
        }
        let mut reg = Vec::new();
        let mut cx = ActionContext {
            expr: &expr,
            template_file: "t.yaml",
            template_ref: "template:default/t",
            target: "out",
            workspace: &mut ws,
            registered: &mut reg,
        };
        run(
            "fs:rename",
            &json!({"files": [{"from": "gitignore", "to": ".gitignore"},
                                         {"from": "docs", "to": "site/docs"}]}),
            &mut cx,
        )
        .unwrap();
        run("fs:delete", &json!({"files": ["tmp"]}), &mut cx).unwrap();
        let e = run(
            "fs:rename",
            &json!({"files": [{"from": "nope", "to": "x"}]}),
            &mut cx,
        );
        assert!(e.unwrap_err().to_string().contains("nope does not exist"));
        let e = run(
            "fs:rename",
            &json!({"files": [{"from": ".gitignore", "to": "../x"}]}),
            &mut cx,
        );
        assert!(matches!(e, Err(ActionError::PathEscape { .. })));
        let keys: Vec<_> = ws.files.keys().cloned().collect();
        assert_eq!(keys, [".gitignore", "site/docs/a.md", "site/docs/b.md"]);
    }
}
