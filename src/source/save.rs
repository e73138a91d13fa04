//! Keeping a remote source's load in its cache, written from the catalog that holds it.
//!
//! A remote source does not encode its pages for the cache while they arrive: that work would
//! compete with decoding the next page and with folding this one into the catalog, on a load
//! whose every millisecond shows, and the encoded pages would be held until the end. Instead it
//! sends a [`Save`] once its data is complete, and whoever owns the catalog writes the cache
//! from it afterwards, off the path to a usable catalog: the portal on a background thread of
//! lower priority, just before the start-up snapshot (whose key names the cache as written), the
//! command line before it returns.

use super::cache::{self, Encoding};
use super::SourceId;
use crate::catalog::{Catalog, Entity, Origin, Problem};
use std::path::PathBuf;

/// How a warning about a kept cache says it can be replaced (`fetch` looks for it).
pub const EMPTY_HINT: &str = "`idp-tui fetch --accept-empty` replaces it";

/// A source's request to keep what it loaded in its cache file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Save {
    source: SourceId,
    path: PathBuf,
    key: String,
}

impl Save {
    /// The cache file at `path`, written for the source known to the cache by `key` (its URL).
    pub fn new(source: SourceId, path: PathBuf, key: String) -> Self {
        Save { source, path, key }
    }

    /// The source whose data is saved.
    pub fn source(&self) -> SourceId {
        self.source
    }

    /// The cache file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Writes the entities that `owner` gives to this source (in catalog order) and the
    /// source's load problems, atomically. Returns the warning to show when the cache could not
    /// be written; the catalog is untouched either way.
    pub fn write(
        &self,
        catalog: &Catalog,
        owner: &[Option<SourceId>],
        problems: &[Vec<Problem>],
    ) -> Option<Problem> {
        let entities: Vec<&Entity> = catalog
            .entities()
            .iter()
            .zip(owner)
            .filter(|(_, o)| **o == Some(self.source))
            .map(|(e, _)| e)
            .collect();
        let problems = problems.get(self.source).map_or(&[][..], Vec::as_slice);
        if entities.is_empty() {
            // A server that answers with nothing (a wrong token scope, a half-migrated
            // catalog) must not silently replace a good copy: it is kept, with a warning.
            if let Ok(Some(old)) = cache::open_table(&self.path, &self.key) {
                if old.entities() > 0 {
                    let message = format!(
                        "{}: the server returned no entities; the cached copy of {} entities was kept ({EMPTY_HINT})",
                        self.path.display(),
                        old.entities()
                    );
                    tracing::warn!("{message}");
                    return Some(Problem::warning(
                        Some(Origin::new(self.path.display().to_string(), None)),
                        message,
                    ));
                }
            }
        }
        let written = cache::write(
            &self.path,
            &self.key,
            &entities,
            problems,
            Encoding::MessagePack,
        );
        let error = written.err()?;
        tracing::warn!("{error}");
        Some(Problem::warning(
            Some(Origin::new(self.path.display().to_string(), None)),
            error.to_string(),
        ))
    }
}

/// Writes every cache in `saves` from `catalog` (see [`Save::write`]); returns the warnings
/// of those that could not be written.
pub fn write_all(
    saves: &[Save],
    catalog: &Catalog,
    owner: &[Option<SourceId>],
    problems: &[Vec<Problem>],
) -> Vec<Problem> {
    saves
        .iter()
        .filter_map(|save| save.write(catalog, owner, problems))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(name: &str) -> Entity {
        Entity::from_value(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                   "metadata": {"name": name},
                   "spec": {"type": "service", "lifecycle": "production", "owner": "team"}}),
            Origin::new("https://bs.example.com", None),
        )
        .unwrap()
        .0
    }

    #[test]
    fn only_the_sources_own_entities_and_problems_are_saved_in_catalog_order() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::from_entities(["a", "local", "b", "c"].map(entity), Vec::new());
        let owner = [Some(1), Some(0), Some(1), None];
        let problems = vec![
            vec![Problem::warning(None, "the file source's")],
            vec![Problem::warning(None, "the server's")],
        ];
        let path = dir.path().join("prod.cache");
        let save = Save::new(1, path.clone(), "https://bs.example.com".into());
        assert_eq!(save.write(&catalog, &owner, &problems), None);
        let back = cache::read(&path, "https://bs.example.com")
            .unwrap()
            .unwrap();
        let names: Vec<&str> = back
            .entities
            .iter()
            .map(|e| e.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        let messages: Vec<&str> = back.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, ["the server's"]);
    }

    #[test]
    fn a_refused_write_is_a_warning_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let not_a_dir = dir.path().join("file");
        std::fs::write(&not_a_dir, "x").unwrap();
        let catalog = Catalog::from_entities([entity("a")], Vec::new());
        let save = Save::new(0, not_a_dir.join("prod.cache"), "k".into());
        let warning = save
            .write(&catalog, &[Some(0)], &[Vec::new()])
            .expect("refused");
        assert_eq!(warning.severity, crate::catalog::Severity::Warning);
        assert!(
            warning.message.contains("cache not written"),
            "{}",
            warning.message
        );
        assert!(
            warning.message.contains("prod.cache"),
            "{}",
            warning.message
        );
        assert_eq!(std::fs::read(&not_a_dir).unwrap(), b"x");
    }

    #[test]
    fn an_empty_answer_keeps_a_good_cache_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prod.cache");
        let key = "https://bs.example.com";
        let save = Save::new(0, path.clone(), key.into());
        let full = Catalog::from_entities([entity("a"), entity("b")], Vec::new());
        assert_eq!(save.write(&full, &[Some(0), Some(0)], &[Vec::new()]), None);
        let empty = Catalog::from_entities(Vec::<Entity>::new(), Vec::new());
        let warning = save.write(&empty, &[], &[Vec::new()]).expect("warned");
        assert!(
            warning.message.contains("no entities"),
            "{}",
            warning.message
        );
        assert!(warning.message.contains("kept"), "{}", warning.message);
        assert_eq!(cache::read(&path, key).unwrap().unwrap().entities.len(), 2);
        // With no good copy to lose, an empty answer is written as it is.
        let other = Save::new(0, dir.path().join("new.cache"), key.into());
        assert_eq!(other.write(&empty, &[], &[Vec::new()]), None);
    }
}
