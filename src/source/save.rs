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
