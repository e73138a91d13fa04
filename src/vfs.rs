//! Files a source reads: the real filesystem, or the demo catalog compiled into the binary
//! (paths starting with `embedded:`). Paths are UTF-8 strings so they can travel in origins and
//! messages unchanged.

use include_dir::{include_dir, Dir};
use std::io;
use std::path::{Component, Path, PathBuf};

/// The demo catalog compiled into the binary.
static DEMO: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/examples/demo");

/// The prefix of paths inside the embedded demo catalog.
pub const EMBEDDED_PREFIX: &str = "embedded:";

/// The entry point of the embedded demo catalog.
pub const DEMO_ROOT: &str = "embedded:all.yaml";

/// Directories never searched for catalog files: dependencies, build output, and template
/// skeletons (their YAML is a template, not catalog data, until rendered).
const SKIPPED_DIRS: [&str; 3] = ["node_modules", "target", "skeleton"];

/// Reads a file, from disk or from the embedded demo.
pub fn read(path: &str) -> io::Result<Vec<u8>> {
    match path.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => DEMO
            .get_file(normalise(rel))
            .map(|f| f.contents().to_vec())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such embedded file")),
        None => std::fs::read(path),
    }
}

/// The size of a file in bytes, without reading it.
pub fn size(path: &str) -> io::Result<u64> {
    match path.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => DEMO
            .get_file(normalise(rel))
            .map(|f| f.contents().len() as u64)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such embedded file")),
        None => std::fs::metadata(path).map(|m| m.len()),
    }
}

/// True when the path is a directory.
pub fn is_dir(path: &str) -> bool {
    match path.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => {
            let rel = normalise(rel);
            rel.as_os_str().is_empty() || DEMO.get_dir(rel).is_some()
        }
        None => Path::new(path).is_dir(),
    }
}

/// Every `*.yaml`/`*.yml` file under a directory, sorted, skipping hidden directories (but
/// [`SCANNED_HIDDEN_DIRS`]), `node_modules`, `target` and `skeleton`.
pub fn yaml_files(dir: &str) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    match dir.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => embedded_walk(embedded_dir(&normalise(rel))?, &mut out),
        None => disk_walk(Path::new(dir), &mut out, 0)?,
    }
    out.sort();
    Ok(out)
}

/// A directory of the embedded demo (its root for an empty path).
fn embedded_dir(rel: &Path) -> io::Result<&'static Dir<'static>> {
    if rel.as_os_str().is_empty() {
        return Ok(&DEMO);
    }
    DEMO.get_dir(rel)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such embedded directory"))
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// Hidden directories that hold catalog files by convention, and are walked.
pub const SCANNED_HIDDEN_DIRS: [&str; 1] = [".backstage"];

fn skipped(name: &str) -> bool {
    (name.starts_with('.') && !SCANNED_HIDDEN_DIRS.contains(&name)) || SKIPPED_DIRS.contains(&name)
}

fn embedded_walk(dir: &Dir<'static>, out: &mut Vec<String>) {
    for f in dir.files() {
        let p = f.path().to_string_lossy();
        if is_yaml(&p) {
            out.push(format!("{EMBEDDED_PREFIX}{p}"));
        }
    }
    for d in dir.dirs() {
        let name = d
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if !skipped(&name) {
            embedded_walk(d, out);
        }
    }
}

fn disk_walk(dir: &Path, out: &mut Vec<String>, depth: usize) -> io::Result<()> {
    if depth > 64 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        // file_type does not follow symlinks: a link loop cannot recurse forever.
        let ft = entry.file_type()?;
        if ft.is_dir() {
            if !skipped(&name) {
                disk_walk(&entry.path(), out, depth + 1)?;
            }
        } else if is_yaml(&name) && (ft.is_file() || entry.path().is_file()) {
            out.push(entry.path().to_string_lossy().to_string());
        }
    }
    Ok(())
}

/// One entry of a directory tree listed by [`list_tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeEntry {
    /// A file, by its path relative to the listed directory (`/`-separated).
    File(String),
    /// A symbolic link, by its relative path; `inside` is true when its target resolves to a
    /// file inside the listed directory (it can then be read like a file).
    Symlink {
        /// The link's relative path.
        path: String,
        /// True when the link points to a file inside the listed directory.
        inside: bool,
    },
}

/// Every file under a directory (hidden files included), sorted, from disk or from the
/// embedded demo: what a template skeleton holds. Symbolic links are reported, not followed.
pub fn list_tree(dir: &str) -> io::Result<Vec<TreeEntry>> {
    let mut out = Vec::new();
    match dir.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => {
            let rel = normalise(rel);
            embedded_tree(embedded_dir(&rel)?, &rel, &mut out);
        }
        None => {
            let root = Path::new(dir);
            if !root.is_dir() {
                return Err(io::Error::new(io::ErrorKind::NotFound, "no such directory"));
            }
            let canonical_root = root.canonicalize()?;
            disk_tree(root, &canonical_root, "", &mut out, 0)?;
        }
    }
    out.sort_by(|a, b| tree_path(a).cmp(tree_path(b)));
    Ok(out)
}

fn tree_path(e: &TreeEntry) -> &str {
    match e {
        TreeEntry::File(p) | TreeEntry::Symlink { path: p, .. } => p,
    }
}

fn embedded_tree(dir: &Dir<'static>, base: &Path, out: &mut Vec<TreeEntry>) {
    for f in dir.files() {
        if let Ok(rel) = f.path().strip_prefix(base) {
            out.push(TreeEntry::File(rel.to_string_lossy().replace('\\', "/")));
        }
    }
    for d in dir.dirs() {
        embedded_tree(d, base, out);
    }
}

fn disk_tree(
    dir: &Path,
    root: &Path,
    prefix: &str,
    out: &mut Vec<TreeEntry>,
    depth: usize,
) -> io::Result<()> {
    if depth > 64 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let ft = entry.file_type()?;
        if ft.is_symlink() {
            let inside = entry
                .path()
                .canonicalize()
                .is_ok_and(|t| t.starts_with(root) && t.is_file());
            out.push(TreeEntry::Symlink { path: rel, inside });
        } else if ft.is_dir() {
            disk_tree(&entry.path(), root, &rel, out, depth + 1)?;
        } else if ft.is_file() {
            out.push(TreeEntry::File(rel));
        }
    }
    Ok(())
}

/// Every file under a directory whose name ends with one of `extensions`, sorted, skipping
/// hidden directories; paths are as [`join`] produces them. Used to list a TechDocs `docs/`
/// folder.
pub fn files_with_extensions(dir: &str, extensions: &[&str]) -> io::Result<Vec<String>> {
    let wanted = |name: &str| {
        let lower = name.to_ascii_lowercase();
        extensions.iter().any(|e| lower.ends_with(e))
    };
    let mut out = Vec::new();
    match dir.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => {
            let rel = normalise(rel);
            let d = if rel.as_os_str().is_empty() {
                &DEMO
            } else {
                DEMO.get_dir(&rel).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, "no such embedded dir")
                })?
            };
            let mut stack = vec![d];
            while let Some(d) = stack.pop() {
                for f in d.files() {
                    let p = f.path().to_string_lossy();
                    if wanted(&p) {
                        out.push(format!("{EMBEDDED_PREFIX}{p}"));
                    }
                }
                stack.extend(d.dirs().filter(|sub| {
                    !sub.path()
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                }));
            }
        }
        None => {
            let mut stack = vec![(PathBuf::from(dir), 0usize)];
            while let Some((d, depth)) = stack.pop() {
                for entry in std::fs::read_dir(&d)? {
                    let entry = entry?;
                    let name = entry.file_name().to_string_lossy().to_string();
                    // file_type does not follow symlinks: a link loop cannot recurse forever.
                    let ft = entry.file_type()?;
                    if ft.is_dir() {
                        if !name.starts_with('.') && depth < 32 {
                            stack.push((entry.path(), depth + 1));
                        }
                    } else if wanted(&name) {
                        out.push(entry.path().to_string_lossy().to_string());
                    }
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Resolves `relative` against the directory holding `file`, folding `.` and `..`.
pub fn join(file: &str, relative: &str) -> String {
    let (prefix, file) = match file.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => (EMBEDDED_PREFIX, rel),
        None => ("", file),
    };
    let rel = Path::new(relative);
    let joined = if rel.is_absolute() {
        rel.to_path_buf()
    } else {
        Path::new(file).parent().unwrap_or(Path::new("")).join(rel)
    };
    format!(
        "{prefix}{}",
        normalise(&joined.to_string_lossy()).to_string_lossy()
    )
}

/// The directory a path sits in (the path itself when it is a directory).
pub fn root_of(path: &str) -> String {
    if is_dir(path) {
        return path.to_string();
    }
    let (prefix, p) = match path.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => (EMBEDDED_PREFIX, rel),
        None => ("", path),
    };
    let parent = Path::new(p)
        .parent()
        .map(|d| d.to_string_lossy().to_string())
        .unwrap_or_default();
    format!("{prefix}{parent}")
}

/// True when `path` lies inside `root` (both as [`join`] produces them).
pub fn is_within(path: &str, root: &str) -> bool {
    let abs = |p: &str| -> PathBuf {
        let (_, p) = p.split_at(if p.starts_with(EMBEDDED_PREFIX) {
            EMBEDDED_PREFIX.len()
        } else {
            0
        });
        let p = Path::new(p);
        let p = if p.is_absolute() || root.starts_with(EMBEDDED_PREFIX) {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalise(&p.to_string_lossy())
    };
    path.starts_with(EMBEDDED_PREFIX) == root.starts_with(EMBEDDED_PREFIX)
        && abs(path).starts_with(abs(root))
}

/// Folds `.` and `..` without touching the filesystem.
fn normalise(path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_is_relative_to_the_file_directory() {
        assert_eq!(join("cat/all.yaml", "./teams/a.yaml"), "cat/teams/a.yaml");
        assert_eq!(join("cat/sub/x.yaml", "../y.yaml"), "cat/y.yaml");
        assert_eq!(
            join("embedded:all.yaml", "./org/teams.yaml"),
            "embedded:org/teams.yaml"
        );
        assert_eq!(join("cat/x.yaml", "/etc/passwd"), "/etc/passwd");
    }

    #[test]
    fn within_root() {
        assert!(is_within("cat/teams/a.yaml", "cat"));
        assert!(!is_within("cat/../../x.yaml", "cat"));
        assert!(!is_within("/etc/passwd", "cat"));
        assert!(is_within("embedded:org/a.yaml", "embedded:"));
    }

    #[test]
    fn embedded_skeleton_tree_lists_files_relative_to_it() {
        let tree = list_tree("embedded:templates/go-service/skeleton").unwrap();
        assert!(tree.contains(&TreeEntry::File("static/logo.txt".into())));
        assert!(tree.contains(&TreeEntry::File("cmd/${{ values.name }}/main.go".into())));
        assert!(list_tree("embedded:templates/nope").is_err());
    }

    #[test]
    fn disk_tree_reports_symlinks_and_whether_they_escape() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("skel");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("out")).unwrap();
            std::os::unix::fs::symlink("sub/a.txt", root.join("in")).unwrap();
        }
        let tree = list_tree(&root.to_string_lossy()).unwrap();
        assert!(tree.contains(&TreeEntry::File("sub/a.txt".into())));
        #[cfg(unix)]
        {
            assert!(tree.contains(&TreeEntry::Symlink {
                path: "out".into(),
                inside: false
            }));
            assert!(tree.contains(&TreeEntry::Symlink {
                path: "in".into(),
                inside: true
            }));
        }
    }

    #[test]
    fn embedded_demo_is_present() {
        assert!(read(DEMO_ROOT).is_ok());
        assert!(!yaml_files("embedded:").unwrap().is_empty());
    }
}
