//! Reading a catalog as it was at a git revision, without checking anything out: the `git`
//! binary lists the revision's files (`ls-tree`) and prints their content (`cat-file --batch`),
//! and the catalog files are written to a temporary directory that the file source loads.
//! Neither the working tree nor the index is touched.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why a revision could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The `git` binary is not installed or not on `PATH`.
    #[error("the git program was not found: `idp-tui diff` and `history` need git on PATH ({0})")]
    Missing(std::io::Error),
    /// A git command failed: which, and what git said.
    #[error("git {command}: {message}")]
    Failed {
        /// The command line, after `git`.
        command: String,
        /// Git's error output, one line.
        message: String,
    },
    /// A catalog path is not inside the repository the first one is in.
    #[error("{path} is not inside the git repository at {root}")]
    Outside {
        /// The catalog path.
        path: String,
        /// The repository's top directory.
        root: String,
    },
    /// Writing the temporary copy failed.
    #[error("cannot write a temporary copy of the catalog: {0}")]
    Io(#[from] std::io::Error),
}

/// A git work tree, and where in it the catalog is.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The work tree's top directory.
    pub root: PathBuf,
}

/// Extensions of the files copied out of a revision: entity files and the documents they
/// reference with `$text`/`$json`/`$yaml`.
const COPIED: &[&str] = &[".yaml", ".yml", ".json", ".md", ".graphql", ".proto"];

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitError::Missing)?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(GitError::Failed {
            command: args.join(" "),
            message: crate::text::one_line(&String::from_utf8_lossy(&out.stderr)),
        })
    }
}

impl Repo {
    /// The repository that holds `path` (a file or directory).
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        let dir = if path.is_dir() {
            path
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        let top = git(dir, &["rev-parse", "--show-toplevel"])?;
        Ok(Repo {
            root: PathBuf::from(String::from_utf8_lossy(&top).trim()),
        })
    }

    /// The full commit id a revision names (`HEAD~1`, a branch, a tag…).
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        if rev.starts_with('-') {
            return Err(GitError::Failed {
                command: "rev-parse".into(),
                message: format!("{rev:?} is not a revision"),
            });
        }
        let out = git(
            &self.root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| GitError::Failed {
            command: format!("rev-parse {rev}"),
            message: format!("no commit named {rev:?} in {}", self.root.display()),
        })?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// A path inside the work tree, relative to its top (`/`-separated), for `ls-tree`.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let abs = std::fs::canonicalize(path).ok()?;
        let root = std::fs::canonicalize(&self.root).ok()?;
        let rel = abs.strip_prefix(root).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// Writes the catalog files under `prefix` (a repository-relative directory, empty for the
    /// whole repository) as they are at `commit` into `into`, keeping their relative paths.
    /// Returns how many files were written.
    pub fn copy_out(&self, commit: &str, prefix: &str, into: &Path) -> Result<usize, GitError> {
        let mut args = vec!["ls-tree", "-r", "-z", "--name-only", commit];
        if !prefix.is_empty() {
            args.extend(["--", prefix]);
        }
        let listing = git(&self.root, &args)?;
        let files: Vec<String> = listing
            .split(|&b| b == 0)
            .filter_map(|p| std::str::from_utf8(p).ok())
            .filter(|p| {
                let lower = p.to_ascii_lowercase();
                !p.is_empty() && !p.contains('\n') && COPIED.iter().any(|e| lower.ends_with(e))
            })
            .map(str::to_string)
            .collect();
        if files.is_empty() {
            return Ok(0);
        }
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(GitError::Missing)?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| GitError::Io(std::io::Error::other("git cat-file has no input")))?;
        let names = files.clone();
        let commit_owned = commit.to_string();
        // Feed the names from another thread so a large output never deadlocks the pipes.
        let feeder = std::thread::spawn(move || {
            for f in &names {
                if writeln!(stdin, "{commit_owned}:{f}").is_err() {
                    break;
                }
            }
        });
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| GitError::Io(std::io::Error::other("git cat-file has no output")))?;
        let mut reader = BufReader::new(stdout);
        let mut written = 0;
        for f in &files {
            let mut header = String::new();
            reader.read_line(&mut header)?;
            let mut parts = header.split_whitespace();
            let (_, kind, size) = (parts.next(), parts.next(), parts.next());
            let Some(size) = size.and_then(|s| s.parse::<usize>().ok()) else {
                continue; // "missing": a submodule or a name git could not find.
            };
            let mut content = vec![0; size];
            reader.read_exact(&mut content)?;
            let mut newline = [0u8; 1];
            reader.read_exact(&mut newline)?;
            if kind != Some("blob") {
                continue;
            }
            // Names come from git's own listing, but a hostile tree may still hold `..`.
            if f.split('/').any(|c| c == ".." || c.is_empty()) {
                continue;
            }
            let target = into.join(f);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, &content)?;
            written += 1;
        }
        let _ = feeder.join();
        let _ = child.wait();
        Ok(written)
    }

    /// The commits that touched any of these repository-relative paths (all of them when the
    /// list holds an empty path), newest first, with their commit dates; only those on or
    /// after `since` when given.
    pub fn commits_touching(
        &self,
        paths: &[String],
        since: Option<crate::scorecard::Date>,
    ) -> Result<Vec<(String, crate::scorecard::Date)>, GitError> {
        let mut args = vec!["log".to_string(), "--format=%H %cs".to_string()];
        if let Some(since) = since {
            args.push(format!("--since={since}T00:00:00"));
        }
        args.push("--".into());
        for p in paths {
            args.push(if p.is_empty() { ".".into() } else { p.clone() });
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = git(&self.root, &args)?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| {
                let (commit, date) = l.split_once(' ')?;
                Some((
                    commit.to_string(),
                    crate::scorecard::Date::parse(date.trim())?,
                ))
            })
            .collect())
    }
}
