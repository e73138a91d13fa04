//! Writing a plan to disk, safely: every path is checked against the target directory before
//! anything is written; the files go to a temporary directory beside the target and are moved
//! into place only when all of them were written. A refused or failed write leaves nothing.

use super::actions::safe_path;
use super::plan::Plan;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Staging directories of the writes in progress. A signal ends the process without running
/// any destructor, so an interrupt handler removes these itself ([`remove_staging`]).
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the staging directory of every write in progress: what an interrupted `scaffold`
/// calls before it exits, so Ctrl-C leaves nothing beside the target.
pub fn remove_staging() {
    // Removed under the list's lock: a writer writes each file under it too, and only while its
    // directory is still listed, so no file written after this recreates the directory.
    let mut listed = STAGING.lock().unwrap_or_else(|p| p.into_inner());
    for dir in listed.drain(..) {
        let _ = fs::remove_dir_all(dir);
    }
}

/// Whether a staging directory is still listed (an interrupt has not removed it).
fn still_listed(listed: &[PathBuf], dir: &Path) -> bool {
    listed.iter().any(|d| d == dir)
}

/// Keeps a staging directory listed in [`STAGING`] while it lives (it is listed by its
/// creator, under the lock, so an interrupt can never miss it).
struct Listed(PathBuf);

impl Drop for Listed {
    fn drop(&mut self) {
        STAGING
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|d| *d != self.0);
    }
}

/// Why a plan was not written. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target has files and overwriting was not confirmed.
    #[error("{}: the target directory is not empty and overwriting was not confirmed", .0.display())]
    NotEmpty(PathBuf),
    /// The target exists and is not a directory.
    #[error("{}: the target exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// A file would land outside the target (`..`, absolute path, symlink in the target).
    #[error("{file}: refused: {reason}")]
    Escape {
        /// The file, relative to the target.
        file: String,
        /// Why.
        reason: String,
    },
    /// The filesystem failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WriteReport {
    /// The target directory.
    pub target: PathBuf,
    /// How many files were written.
    pub files: usize,
    /// How many bytes.
    pub bytes: u64,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// True when the target may be written without asking: it does not exist, or is an empty
/// directory.
pub fn target_is_free(target: &Path) -> bool {
    match fs::symlink_metadata(target) {
        Err(_) => true,
        Ok(m) if m.is_dir() => fs::read_dir(target).is_ok_and(|mut d| d.next().is_none()),
        Ok(_) => false,
    }
}

/// Writes the plan's files under `target`. The target must not exist or be empty unless
/// `overwrite` is true; every file path must stay inside it.
pub fn write(plan: &Plan, target: &Path, overwrite: bool) -> Result<WriteReport, WriteError> {
    // 1. Check everything before writing anything.
    let existing = fs::symlink_metadata(target).ok();
    if let Some(m) = &existing {
        if m.file_type().is_symlink() {
            return Err(WriteError::Escape {
                file: target.display().to_string(),
                reason: "the target directory is a symbolic link".into(),
            });
        }
        if !m.is_dir() {
            return Err(WriteError::NotADirectory(target.to_path_buf()));
        }
        if !overwrite && !target_is_free(target) {
            return Err(WriteError::NotEmpty(target.to_path_buf()));
        }
    }
    let mut paths = Vec::with_capacity(plan.files.len());
    for f in &plan.files {
        let rel = safe_path("", &f.path).map_err(|e| WriteError::Escape {
            file: f.path.clone(),
            reason: match e {
                super::actions::ActionError::PathEscape { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        if rel.is_empty() {
            return Err(WriteError::Escape {
                file: f.path.clone(),
                reason: "the path names the target directory itself".into(),
            });
        }
        if existing.is_some() {
            check_no_symlink(target, &rel)?;
            check_no_file_in_the_way(target, &rel)?;
            if fs::symlink_metadata(target.join(&rel)).is_ok_and(|m| m.is_dir()) {
                return Err(WriteError::Escape {
                    file: rel,
                    reason: "a directory of that name exists in the target".into(),
                });
            }
        }
        paths.push(rel);
    }
    // 2. Write into a temporary directory beside the target.
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let staging = {
        let mut listed = STAGING.lock().unwrap_or_else(|p| p.into_inner());
        let staging = tempfile::Builder::new()
            .prefix(".idp-tui-scaffold-")
            .tempdir_in(&parent)
            .map_err(io_err(&parent))?;
        listed.push(staging.path().to_path_buf());
        staging
    };
    let _listed = Listed(staging.path().to_path_buf());
    let mut bytes = 0;
    for (rel, f) in paths.iter().zip(&plan.files) {
        let path = staging.path().join(rel);
        let listed = STAGING.lock().unwrap_or_else(|p| p.into_inner());
        if !still_listed(&listed, staging.path()) {
            let interrupted =
                io::Error::new(io::ErrorKind::Interrupted, "the write was interrupted");
            return Err(io_err(&path)(interrupted));
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::write(&path, &f.contents).map_err(io_err(&path))?;
        if f.executable {
            make_executable(&path).map_err(io_err(&path))?;
        }
        drop(listed);
        bytes += f.contents.len() as u64;
    }
    // 3. Move into place: the whole directory when the target is new, else file by file.
    if existing.is_none() {
        fs::rename(staging.path(), target).map_err(io_err(target))?;
    } else {
        for rel in &paths {
            let to = target.join(rel);
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).map_err(io_err(dir))?;
            }
            fs::rename(staging.path().join(rel), &to).map_err(io_err(&to))?;
        }
    }
    Ok(WriteReport {
        target: target.to_path_buf(),
        files: paths.len(),
        bytes,
    })
}

/// Refuses a path with an existing file where the plan needs a directory (`src` is a file,
/// the plan writes `src/main.rs`): found while moving files into place, it would leave the
/// target half-written.
/// Adds the execute bits a file's read bits allow (`rw-r--r--` becomes `rwxr-xr-x`), as a
/// skeleton file's mode is kept by Backstage's `fetch:template`.
fn make_executable(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode();
        fs::set_permissions(
            path,
            fs::Permissions::from_mode(mode | ((mode & 0o444) >> 2)),
        )?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn check_no_file_in_the_way(target: &Path, rel: &str) -> Result<(), WriteError> {
    let mut at = target.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Ok(m) if !m.is_dir() => {
                return Err(WriteError::Escape {
                    file: rel.to_string(),
                    reason: format!("{} exists and is not a directory", at.display()),
                })
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// Refuses a path whose existing ancestors (or itself) inside the target are symbolic links:
/// writing through one could land anywhere.
fn check_no_symlink(target: &Path, rel: &str) -> Result<(), WriteError> {
    let mut at = target.to_path_buf();
    for part in rel.split('/') {
        at.push(part);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(WriteError::Escape {
                    file: rel.to_string(),
                    reason: format!("{} is a symbolic link", at.display()),
                })
            }
            Ok(_) => {}
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}
