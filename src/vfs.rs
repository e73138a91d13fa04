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

/// Largest file [`read`] returns: above every reader's own limit, a last bound for any other.
pub const MAX_READ_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file, from disk or from the embedded demo. Only regular files are read, and at most
/// [`MAX_READ_BYTES`] of them: a FIFO would hang the reader, `/dev/zero` would fill memory.
pub fn read(path: &str) -> io::Result<Vec<u8>> {
    match path.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => DEMO
            .get_file(normalise(rel))
            .map(|f| f.contents().to_vec())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such embedded file")),
        None => read_regular(Path::new(path), MAX_READ_BYTES),
    }
}

/// Reads a regular file of at most `limit` bytes. Opened without blocking (a FIFO with no
/// writer would block the open itself), then checked on the open handle, so a file swapped
/// for a device after a check is still refused.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a device, FIFO or socket): not read",
        ));
    }
    if meta.len() > limit {
        return Err(too_big(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(limit));
    }
    Ok(bytes)
}

fn too_big(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("over the {limit}-byte limit: not read"),
    )
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
        None => {
            let real_dir = Path::new(dir).canonicalize()?;
            disk_walk(Path::new(dir), &real_dir, &mut out, 0)?
        }
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

/// Hidden directories that hold catalog files by convention, and are walked (`.cortex/`
/// holds Cortex descriptors: `.cortex/catalog/`, `.cortex/domains/`, `.cortex/teams/`).
pub const SCANNED_HIDDEN_DIRS: [&str; 2] = [".backstage", ".cortex"];

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

/// Walks `dir` for YAML files. A symbolic link to a file is listed only when it resolves
/// inside `real_root` (the walked directory, canonical): a committed link cannot bring a file
/// from elsewhere into the catalog.
fn disk_walk(dir: &Path, real_root: &Path, out: &mut Vec<String>, depth: usize) -> io::Result<()> {
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
                disk_walk(&entry.path(), real_root, out, depth + 1)?;
            }
        } else if is_yaml(&name) && (ft.is_file() || link_inside(&entry.path(), real_root)) {
            out.push(entry.path().to_string_lossy().to_string());
        }
    }
    Ok(())
}

/// True when a symbolic link resolves to a regular file inside `real_root`.
fn link_inside(link: &Path, real_root: &Path) -> bool {
    link.canonicalize()
        .is_ok_and(|t| t.starts_with(real_root) && t.is_file())
}

/// True when `path` is a file on disk with an execute bit set (an embedded file never is).
pub fn is_executable(path: &str) -> bool {
    if path.starts_with(EMBEDDED_PREFIX) {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
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

/// The files directly in a directory (not below it), sorted, from disk or from the embedded
/// demo; paths are as [`join`] produces them. Used to find the Port blueprint files beside a
/// `port.yml`.
pub fn dir_files(dir: &str) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    match dir.strip_prefix(EMBEDDED_PREFIX) {
        Some(rel) => {
            for f in embedded_dir(&normalise(rel))?.files() {
                out.push(format!("{EMBEDDED_PREFIX}{}", f.path().to_string_lossy()));
            }
        }
        None => {
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                if entry.file_type()?.is_file() {
                    out.push(entry.path().to_string_lossy().to_string());
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
    let joined = normalise(&joined.to_string_lossy());
    if prefix.is_empty() && joined.as_os_str().is_empty() {
        // The current directory: an empty path names nothing on disk.
        return ".".to_string();
    }
    format!("{prefix}{}", joined.to_string_lossy())
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
    if prefix.is_empty() && parent.is_empty() {
        // `catalog-info.yaml` alone: its folder is the current directory.
        return ".".to_string();
    }
    format!("{prefix}{parent}")
}

/// True when `path` lies inside `root` (both as [`join`] produces them): as written, and on
/// disk after following every symbolic link, so a link committed inside a catalog cannot lead
/// out of it. A path that does not exist is judged as written (reading it fails anyway).
pub fn is_within(path: &str, root: &str) -> bool {
    written_within(path, root) && really_within(path, root)
}

fn written_within(path: &str, root: &str) -> bool {
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

/// The real (canonical) paths compared: what a read of `path` would open.
fn really_within(path: &str, root: &str) -> bool {
    if path.starts_with(EMBEDDED_PREFIX) {
        return true;
    }
    let on_disk = |p: &str| {
        if p.is_empty() {
            ".".to_string()
        } else {
            p.to_string()
        }
    };
    match std::fs::canonicalize(on_disk(path)) {
        Ok(real) => std::fs::canonicalize(on_disk(root)).is_ok_and(|r| real.starts_with(r)),
        // A dangling link is refused; a missing file is reported when it is read.
        Err(_) => std::fs::symlink_metadata(on_disk(path)).is_err(),
    }
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
        assert_eq!(join("catalog-info.yaml", "."), ".");
        assert_eq!(join("catalog-info.yaml", "./docs"), "docs");
    }

    #[test]
    fn a_file_named_without_a_directory_is_rooted_in_the_current_one() {
        assert_eq!(root_of("catalog-info.yaml"), ".");
        assert!(is_dir(&root_of("catalog-info.yaml")));
        assert_eq!(root_of("embedded:all.yaml"), "embedded:");
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

    #[cfg(unix)]
    #[test]
    fn fifos_and_devices_are_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Before: the open blocked forever waiting for a writer.
        let err = read(&fifo.to_string_lossy()).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        // Before: /dev/zero was read until memory ran out.
        let err = read("/dev/zero").unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        std::fs::write(dir.path().join("big"), vec![b'x'; 11]).unwrap();
        let err = read_regular(&dir.path().join("big"), 10).unwrap_err();
        assert!(err.to_string().contains("over the 10-byte limit"), "{err}");
        assert_eq!(read_regular(&dir.path().join("big"), 11).unwrap().len(), 11);
    }

    #[test]
    fn embedded_demo_is_present() {
        assert!(read(DEMO_ROOT).is_ok());
        assert!(!yaml_files("embedded:").unwrap().is_empty());
    }
}
