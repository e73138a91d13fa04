//! Favourites and recent entities: a star key marks an entity (shown `★` in the results), and
//! the empty query lists the favourites, then the last entities opened, above everything else.
//! Kept by entity reference in `favourites.json` in the state directory (beside the drafts and
//! the log), read once at start and written atomically (a temporary file renamed over it) by a
//! task after each change. A file that cannot be read is a one-line warning and an empty list,
//! never a crash.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Most recent entities kept.
pub const RECENT: usize = 20;

/// Most favourites kept (a file edited by hand must not make every frame slow).
const MOST_FAVOURITES: usize = 500;

/// The file's name in the state directory.
pub const FILE: &str = "favourites.json";

/// The favourite and recent entities, by reference (`component:default/ledger`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    /// Starred entities, in the order they were starred.
    #[serde(default)]
    pub favourites: Vec<String>,
    /// Entities opened, most recent first, at most [`RECENT`].
    #[serde(default)]
    pub recent: Vec<String>,
    /// Where the marks are kept (`None`: not kept, as in tests).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    /// Changed since the last save was asked for.
    #[serde(skip)]
    dirty: bool,
}

/// A save to carry out: the file and its new content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Save {
    /// The file.
    pub path: PathBuf,
    /// Its content (JSON).
    pub bytes: Vec<u8>,
}

impl Marks {
    /// The marks kept at `path`; a missing file is no marks, a file that cannot be read or
    /// parsed is no marks and a one-line warning (the file is left as it is until the next
    /// change replaces it).
    pub fn load(path: &Path) -> (Marks, Option<String>) {
        let (mut marks, warning) = match std::fs::read(path) {
            Ok(bytes) => match serde_json::from_slice::<Marks>(&bytes) {
                Ok(marks) => (marks, None),
                Err(e) => (
                    Marks::default(),
                    Some(format!(
                        "favourites: {} is not valid JSON ({e}); starting with none",
                        path.display()
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Marks::default(), None),
            Err(e) => (
                Marks::default(),
                Some(format!(
                    "favourites: cannot read {}: {e}; starting with none",
                    path.display()
                )),
            ),
        };
        marks.favourites.truncate(MOST_FAVOURITES);
        marks.recent.truncate(RECENT);
        marks.path = Some(path.to_path_buf());
        (
            marks,
            warning.map(|w| crate::text::one_line(&crate::text::clean(&w))),
        )
    }

    /// True when `entity_ref` is a favourite.
    pub fn is_favourite(&self, entity_ref: &str) -> bool {
        self.favourites.iter().any(|f| f == entity_ref)
    }

    /// Stars or unstars an entity; returns true when it is now a favourite.
    pub fn toggle_favourite(&mut self, entity_ref: &str) -> bool {
        self.dirty = true;
        if let Some(i) = self.favourites.iter().position(|f| f == entity_ref) {
            self.favourites.remove(i);
            return false;
        }
        if self.favourites.len() >= MOST_FAVOURITES {
            self.favourites.remove(0);
        }
        self.favourites.push(entity_ref.to_string());
        true
    }

    /// Notes that an entity was opened: first of the recent list.
    pub fn opened(&mut self, entity_ref: &str) {
        if self.recent.first().is_some_and(|r| r == entity_ref) {
            return;
        }
        self.recent.retain(|r| r != entity_ref);
        self.recent.insert(0, entity_ref.to_string());
        self.recent.truncate(RECENT);
        self.dirty = true;
    }

    /// The save a change asks for (once per change), when the marks are kept in a file.
    pub fn take_save(&mut self) -> Option<Save> {
        if !std::mem::replace(&mut self.dirty, false) {
            return None;
        }
        let path = self.path.clone()?;
        let bytes = serde_json::to_vec_pretty(self).ok()?;
        Some(Save { path, bytes })
    }
}

/// Writes the marks atomically: a temporary file in the same directory, renamed over the old
/// one, so a crash or a full disk leaves the old file whole.
pub fn write(save: &Save) -> std::io::Result<()> {
    use std::io::Write;
    let dir = save.path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(&save.bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&save.path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corrupt_file_is_a_one_line_warning_and_no_marks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        std::fs::write(&path, "{\"favourites\": [1, \n").unwrap();
        let (marks, warning) = Marks::load(&path);
        assert!(marks.favourites.is_empty() && marks.recent.is_empty());
        let warning = warning.expect("a warning");
        assert!(
            warning.contains("favourites") && !warning.contains('\n'),
            "{warning}"
        );
        let (marks, warning) = Marks::load(&dir.path().join("missing.json"));
        assert_eq!((marks.favourites.len(), warning), (0, None));
    }

    #[test]
    fn marks_round_trip_through_an_atomic_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/favourites.json");
        let (mut marks, _) = Marks::load(&path);
        assert!(marks.toggle_favourite("component:default/a"));
        for i in 0..30 {
            marks.opened(&format!("component:default/e{i}"));
        }
        marks.opened("component:default/e3");
        let save = marks.take_save().expect("a save after a change");
        assert!(marks.take_save().is_none(), "one save per change");
        write(&save).unwrap();
        let (again, warning) = Marks::load(&path);
        assert_eq!(warning, None);
        assert_eq!(again.favourites, ["component:default/a"]);
        assert_eq!(again.recent.len(), RECENT);
        assert_eq!(again.recent[0], "component:default/e3");
        assert_eq!(again.recent[1], "component:default/e29");
        let mut again = again;
        assert!(
            !again.toggle_favourite("component:default/a"),
            "a second star removes it"
        );
        assert!(!again.is_favourite("component:default/a"));
    }
}
