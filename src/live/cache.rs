//! The live cache: each entity's last answer per provider, on disk next to the catalog cache
//! (`<cache dir>/live/`), with the time it was fetched. Answers hold no token (they are built
//! from response bodies only), so nothing secret is written here.

use super::model::Answer;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One provider's last answer about one entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was fetched (seconds since the Unix epoch).
    pub fetched_at: u64,
    /// The answer.
    pub answer: Answer,
    /// The provider's rate limit is spent until then (seconds since the epoch): serve this
    /// entry without asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<u64>,
}

impl Entry {
    /// An entry fetched now.
    pub fn now(answer: Answer, paused_until: Option<SystemTime>) -> Self {
        Self {
            fetched_at: unix(SystemTime::now()),
            answer,
            paused_until: paused_until.map(unix),
        }
    }

    /// When it was fetched.
    pub fn fetched(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.fetched_at)
    }

    /// How old it is at `now`.
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.fetched()).unwrap_or_default()
    }

    /// True while the provider asked us to wait.
    pub fn paused(&self, now: SystemTime) -> bool {
        self.paused_until.is_some_and(|t| unix(now) < t)
    }
}

/// Seconds since the Unix epoch.
pub fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The entries of one entity, by provider.
pub type Entries = BTreeMap<String, Entry>;

/// The file that holds an entity's entries: a readable, safe name plus a hash so that two
/// references that clean to the same name never share a file.
pub fn path_for(dir: &Path, entity: &str) -> PathBuf {
    let safe: String = entity
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    // FNV-1a: stable across builds and platforms, unlike the std hasher.
    let hash = entity.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    dir.join("live").join(format!("{safe}-{hash:016x}.json"))
}

/// Reads an entity's entries; a missing or unreadable file is no entries.
pub fn load(dir: &Path, entity: &str) -> Entries {
    crate::vfs::read_regular(&path_for(dir, entity), crate::vfs::MAX_READ_BYTES)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Writes an entity's entries atomically (a reader never sees half a file), readable only by
/// the user.
pub fn store(dir: &Path, entity: &str, entries: &Entries) -> std::io::Result<()> {
    let path = path_for(dir, entity);
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
    serde_json::to_writer(&mut tmp, entries)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::Severity;

    #[test]
    fn entries_round_trip_and_names_stay_apart() {
        let dir = tempfile::tempdir().unwrap();
        let mut entries = Entries::new();
        entries.insert(
            "github".into(),
            Entry::now(Answer::signal("github", Severity::Ok, "green"), None),
        );
        store(dir.path(), "component:default/a.b", &entries).unwrap();
        assert_eq!(load(dir.path(), "component:default/a.b"), entries);
        assert!(load(dir.path(), "component:default/a_b").is_empty());
        assert_ne!(
            path_for(dir.path(), "component:default/a.b"),
            path_for(dir.path(), "component:default/a_b")
        );
    }

    #[test]
    fn a_garbled_file_is_no_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "x");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{not json").unwrap();
        assert!(load(dir.path(), "x").is_empty());
    }
}
