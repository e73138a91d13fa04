//! Sources produce entities: local files (and the embedded demo) here, a Backstage backend and
//! caches beside it. A source runs as a background task and reports through [`LoadEvent`]s; it
//! never touches the UI.

pub mod documents;
pub mod file;
pub mod vfs;

use crate::catalog::{Catalog, Entity, Problem};
use tokio::sync::mpsc::UnboundedSender;

/// Where a catalog comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// Catalog files and directories on disk, or the embedded demo (`embedded:` paths).
    Files {
        /// A short name for the status bar and problem list.
        name: String,
        /// Files or directories.
        paths: Vec<String>,
    },
}

impl SourceSpec {
    /// The embedded demo catalog.
    pub fn demo() -> Self {
        Self::Files {
            name: "demo".into(),
            paths: vec![vfs::DEMO_ROOT.into()],
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Files { name, .. } => name,
        }
    }
}

/// Index of a source in the list the app was started with.
pub type SourceId = usize;

/// What a running source reports.
#[derive(Debug)]
pub enum LoadEvent {
    /// Work done so far, and the total when known.
    Progress {
        /// The source.
        source: SourceId,
        /// Units (files, pages) done.
        done: usize,
        /// Units known in all.
        total: Option<usize>,
    },
    /// Entities and problems to add to the catalog.
    Batch {
        /// The source.
        source: SourceId,
        /// New entities.
        entities: Vec<Entity>,
        /// New problems.
        problems: Vec<Problem>,
    },
    /// The source has finished, with an error message if it failed.
    Done {
        /// The source.
        source: SourceId,
        /// Why it failed, if it did.
        error: Option<String>,
    },
}

/// Starts a source in the background; events arrive on `tx` until [`LoadEvent::Done`].
pub fn spawn(source: SourceId, spec: SourceSpec, tx: UnboundedSender<LoadEvent>) {
    match spec {
        SourceSpec::Files { paths, .. } => {
            tokio::task::spawn_blocking(move || {
                file::load(&paths, |batch| {
                    let _ = tx.send(LoadEvent::Progress {
                        source,
                        done: batch.progress.0,
                        total: Some(batch.progress.1),
                    });
                    let _ = tx.send(LoadEvent::Batch {
                        source,
                        entities: batch.entities,
                        problems: batch.problems,
                    });
                });
                let _ = tx.send(LoadEvent::Done {
                    source,
                    error: None,
                });
            });
        }
    }
}

/// Loads every source to the end, without a runtime: what the command line uses.
pub fn load_blocking(specs: &[SourceSpec]) -> Catalog {
    let mut catalog = Catalog::new();
    for spec in specs {
        match spec {
            SourceSpec::Files { paths, .. } => file::load(paths, |batch| {
                for p in batch.problems {
                    catalog.add_problem(p);
                }
                for e in batch.entities {
                    catalog.insert(e);
                }
            }),
        }
    }
    catalog.check_references();
    catalog
}
