//! The cache of a file source: each file's entities and problems as parsed, keyed by the file's
//! path and stamp (size, modification and change times, inode, device), with the stamps of the
//! files it pulled in through `$text`, `$json` and `$yaml`. A file whose stamp and whose
//! dependencies' stamps are unchanged is served from the cache and never parsed again; any other
//! file is parsed, and the cache rewritten with what changed.
//!
//! Locations need no entry of their own: a Location's targets are worked out again on every load
//! from its (cached) entity, and each target is a file with its own stamp, so a changed, new or
//! deleted target is seen like any other file.
//!
//! A file modified less than [`SETTLE`] before it was read is not cached: a second change within
//! the filesystem's clock tick could leave its stamp unchanged (git calls this "racy").

use super::{CacheError, CacheFile, Chunk, Encoding};
use crate::catalog::{Entity, Problem};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long after its last modification a file must have been read for its entry to be kept.
pub const SETTLE: Duration = Duration::from_secs(1);

/// What a file looked like when it was read. Any write changes the modification time or the
/// size; a write that restores an old modification time still changes the change time; a file
/// replaced by another (a `git checkout`, an editor's rename) changes the inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    len: u64,
    modified: (i64, u32),
    changed: (i64, u32),
    inode: u64,
    device: u64,
}

impl Stamp {
    /// The stamp of a file on disk; `None` when it cannot be read (missing) or is embedded in
    /// the binary (never cached).
    pub fn of(path: &str) -> Option<Stamp> {
        if path.starts_with(crate::vfs::EMBEDDED_PREFIX) {
            return None;
        }
        let meta = std::fs::metadata(path).ok()?;
        Some(Self::from_metadata(&meta))
    }

    #[cfg(unix)]
    fn from_metadata(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: (meta.mtime(), meta.mtime_nsec() as u32),
            changed: (meta.ctime(), meta.ctime_nsec() as u32),
            inode: meta.ino(),
            device: meta.dev(),
        }
    }

    #[cfg(not(unix))]
    fn from_metadata(meta: &std::fs::Metadata) -> Stamp {
        let time = |t: std::io::Result<SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()))
        };
        Stamp {
            len: meta.len(),
            modified: time(meta.modified()),
            changed: time(meta.created()),
            inode: 0,
            device: 0,
        }
    }

    /// True when the file was last modified at least [`SETTLE`] ago (so a stamp taken now
    /// identifies its content).
    pub fn settled(&self) -> bool {
        // Checked: a file stamped far in the future (a hostile archive) must not panic.
        let Some(modified) = UNIX_EPOCH
            .checked_add(Duration::from_secs(self.modified.0.max(0) as u64))
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(self.modified.1))))
        else {
            return false;
        };
        SystemTime::now()
            .duration_since(modified)
            .is_ok_and(|age| age >= SETTLE)
    }
}

/// What a cached file's entry depends on: the file itself and the files it read besides
/// (`None`: a dependency that did not exist, so its appearing also counts as a change).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileKey {
    stamp: Stamp,
    deps: Vec<(String, Option<Stamp>)>,
    /// Whether the file holds a Location, whose targets a check for changes must follow.
    /// Caches written before this was recorded read as `true`: their entry is decoded to see.
    #[serde(default = "may_hold_locations")]
    locations: bool,
}

fn may_hold_locations() -> bool {
    true
}

impl FileKey {
    /// The key of a file just read, if it may be cached: it and its dependencies had settled.
    pub fn settled(stamp: Option<Stamp>, deps: &[(String, Option<Stamp>)]) -> Option<FileKey> {
        let stamp = stamp.filter(Stamp::settled)?;
        if deps.iter().any(|(_, s)| s.is_some_and(|s| !s.settled())) {
            return None;
        }
        Some(FileKey {
            stamp,
            deps: deps.to_vec(),
            locations: true,
        })
    }

    /// True when the file and every dependency are as they were.
    fn fresh(&self, path: &str) -> bool {
        Stamp::of(path) == Some(self.stamp) && self.deps.iter().all(|(dep, s)| Stamp::of(dep) == *s)
    }
}

/// A file's entry for the next cache: kept from the previous one, or newly encoded.
#[derive(Debug)]
pub enum Record {
    /// Chunk `n` of the previous cache, unchanged.
    Kept(usize),
    /// A file parsed on this load.
    New(Chunk),
}

impl Record {
    /// Encodes a file just parsed, if it may be cached.
    pub fn encode(
        path: &str,
        key: Option<FileKey>,
        entities: &[Entity],
        problems: &[Problem],
    ) -> Option<Record> {
        let mut key = key?;
        key.locations = entities.iter().any(|e| e.kind_lower() == "location");
        let mut chunk = Chunk::encode(entities, problems, path, Encoding::MessagePack).ok()?;
        chunk.entry.file = Some(key);
        Some(Record::New(chunk))
    }
}

/// A file source's previous cache, opened: each file's chunk by path.
#[derive(Debug)]
pub struct Previous {
    file: CacheFile,
    by_path: HashMap<String, usize>,
    /// Where it is and its key, to read its chunks after opening only its table.
    at: (PathBuf, String),
    /// The whole file, read on first need after [`Previous::open_table`].
    whole: std::sync::OnceLock<Option<CacheFile>>,
}

impl Previous {
    /// Opens the cache at `path` written for the source `key`. `Ok(None)` when there is none.
    pub fn open(path: &Path, key: &str) -> Result<Option<Previous>, CacheError> {
        let file = super::open(path, key)?;
        Ok(file.map(|file| Previous::new(file, path, key)))
    }

    /// Opens only the table of contents of the cache at `path`: enough to tell which files are
    /// unchanged ([`Previous::is_fresh`]); a file's entities are read from the whole cache on
    /// first need.
    pub fn open_table(path: &Path, key: &str) -> Result<Option<Previous>, CacheError> {
        let file = super::open_table(path, key)?;
        Ok(file.map(|file| Previous::new(file, path, key)))
    }

    fn new(file: CacheFile, path: &Path, key: &str) -> Previous {
        let by_path = file
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.file.is_some())
            .map(|(i, e)| (e.path.clone(), i))
            .collect();
        Previous {
            file,
            by_path,
            at: (path.to_path_buf(), key.to_string()),
            whole: std::sync::OnceLock::new(),
        }
    }

    /// The cache with its chunks: this one, or (opened with only its table) the whole file,
    /// read once; `None` when that fails or the file changed since its table was read.
    fn chunks(&self) -> Option<&CacheFile> {
        if self.file.read {
            return Some(&self.file);
        }
        self.whole
            .get_or_init(|| {
                let whole = super::open(&self.at.0, &self.at.1).ok().flatten()?;
                let same = whole.entries.len() == self.file.entries.len()
                    && whole
                        .entries
                        .iter()
                        .zip(&self.file.entries)
                        .all(|(a, b)| a.path == b.path && a.len == b.len && a.file == b.file);
                same.then_some(whole)
            })
            .as_ref()
    }

    /// The number of files in the cache.
    pub fn files(&self) -> usize {
        self.by_path.len()
    }

    /// True when the cache holds `path` and it and everything it read are unchanged.
    pub fn is_fresh(&self, path: &str) -> bool {
        self.by_path
            .get(path)
            .and_then(|&i| self.file.entries[i].file.as_ref())
            .is_some_and(|key| key.fresh(path))
    }

    /// False when the cached entry of `path` certainly holds no Location (so a check for
    /// changes need not decode it to follow its targets).
    pub fn may_hold_locations(&self, path: &str) -> bool {
        self.by_path
            .get(path)
            .and_then(|&i| self.file.entries[i].file.as_ref())
            .is_some_and(|key| key.locations)
    }

    /// A file's entities and problems from the cache, when it and everything it read are
    /// unchanged (and the entry decodes).
    pub fn reuse(&self, path: &str) -> Option<(Record, Vec<Entity>, Vec<Problem>)> {
        let &i = self.by_path.get(path)?;
        if !self.file.entries[i].file.as_ref()?.fresh(path) {
            return None;
        }
        match self.chunks()?.decode(i) {
            Ok((entities, problems)) => Some((Record::Kept(i), entities, problems)),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    }
}

/// The cache file of a file source, and the key that identifies its paths (as spelled, and as
/// they resolve from the current directory). `None` for the embedded demo.
pub fn location(dir: &Path, name: &str, paths: &[String]) -> Option<(PathBuf, String)> {
    if paths.is_empty()
        || paths
            .iter()
            .any(|p| p.starts_with(crate::vfs::EMBEDDED_PREFIX))
    {
        return None;
    }
    let resolved: Vec<String> = paths
        .iter()
        .map(|p| {
            std::fs::canonicalize(p)
                .map(|c| c.to_string_lossy().to_string())
                .unwrap_or_else(|_| p.clone())
        })
        .collect();
    let key = format!("files\n{}\n{}", paths.join("\n"), resolved.join("\n"));
    let path = dir.join("files").join(super::file_name(name, &key));
    Some((path, key))
}

/// Writes a file source's cache: the records in load order, kept ones copied from `previous`.
pub fn write(
    path: &Path,
    key: &str,
    previous: Option<&Previous>,
    records: Vec<Record>,
) -> Result<(), CacheError> {
    let chunks: Vec<Chunk> = records
        .into_iter()
        .filter_map(|r| match r {
            Record::Kept(i) => previous.and_then(|p| p.chunks()?.chunk(i)),
            Record::New(c) => Some(c),
        })
        .collect();
    super::write_chunks(path, key, &chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_written_before_locations_were_recorded_may_hold_one() {
        let stamp = Stamp {
            len: 1,
            modified: (2, 3),
            changed: (4, 5),
            inode: 6,
            device: 7,
        };
        let deps: Vec<(String, Option<Stamp>)> = vec![("x.md".into(), None)];
        let old = rmp_serde::to_vec(&(stamp, deps.clone())).unwrap();
        let key: FileKey = rmp_serde::from_slice(&old).unwrap();
        assert!(key.locations, "unknown: decoded to follow its targets");
        assert_eq!((key.stamp, &key.deps), (stamp, &deps));
        let none = FileKey {
            locations: false,
            ..key
        };
        let back: FileKey = rmp_serde::from_slice(&rmp_serde::to_vec(&none).unwrap()).unwrap();
        assert!(!back.locations);
    }
}
