//! Sources produce entities: local files (and the embedded demo), a Backstage backend, and the
//! offline cache of remote sources. A source runs as a background task and reports through
//! [`LoadEvent`]s; it never touches the UI. [`SourceSet`] folds the events into a catalog and a
//! status per source.

pub mod cache;
pub mod file;
pub(crate) mod ordered;
pub mod replace;
mod run;
pub mod save;
mod set;

pub use crate::backstage::{BackstageError, BackstageSource, HttpOptions};
pub use crate::token::{Secret, TokenSource};
pub use run::{
    load_blocking, load_blocking_with, load_files_blocking, run_blocking, spawn, spawn_with, Loaded,
};
pub use set::{SourceSet, SourceState, SourceStatus, SourceTracker};

use crate::catalog::{Entity, Problem};
use std::path::PathBuf;
use std::time::SystemTime;

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
    /// A Backstage backend's catalog API.
    Backstage(BackstageSource),
}

impl SourceSpec {
    /// The embedded demo catalog.
    pub fn demo() -> Self {
        Self::Files {
            name: "demo".into(),
            paths: vec![crate::vfs::DEMO_ROOT.into()],
        }
    }

    /// The source's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Files { name, .. } => name,
            Self::Backstage(b) => &b.name,
        }
    }

    /// True for sources read over the network (and so cached).
    pub fn is_remote(&self) -> bool {
        matches!(self, Self::Backstage(_))
    }

    /// Where the source reads from, for people: paths or the server URL.
    pub fn location(&self) -> String {
        match self {
            Self::Files { paths, .. } => paths.join(", "),
            Self::Backstage(b) => b.shown_url(),
        }
    }
}

/// The Backstage source an entity was loaded from, when it came from one: a remote entity's
/// origin is its source's URL, whether it was read from the network or the cache.
pub fn backstage_origin<'a>(
    sources: &'a [SourceSpec],
    entity: &Entity,
) -> Option<&'a BackstageSource> {
    backstage_at(sources, &entity.origin.path)
}

/// The Backstage source whose URL (as shown, without credentials) is `url`.
pub fn backstage_at<'a>(sources: &'a [SourceSpec], url: &str) -> Option<&'a BackstageSource> {
    sources.iter().find_map(|s| match s {
        SourceSpec::Backstage(b) if b.shown_url() == url => Some(b),
        _ => None,
    })
}

/// The server an entity or template was loaded from, when its origin is one: a remote
/// entity's origin is its source's URL (a file's is a path, the demo's `embedded:…`).
pub fn remote_origin(origin: &str) -> Option<&str> {
    let lower = origin.get(..8).unwrap_or(origin).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(origin)
}

/// Index of a source in the list the app was started with.
pub type SourceId = usize;

/// How a load runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadMode {
    /// Start-up in the portal: a remote source sends its cache first (instant), then refreshes
    /// and swaps the new data in with [`LoadEvent::Replace`]. Without a cache, pages stream in
    /// as [`LoadEvent::Batch`]es.
    #[default]
    Startup,
    /// A refresh of a source already loaded: everything is read, then sent as one
    /// [`LoadEvent::Replace`], so the old data stays until the new data is complete.
    Refresh,
    /// The command line: the network first; the cache only when the server fails.
    NetworkFirst,
    /// Start-up from a snapshot that already holds this source's data (see
    /// [`crate::snapshot`]): a file source only checks that its files are unchanged and sends
    /// [`LoadEvent::Done`], or loads everything and sends a [`LoadEvent::Replace`] when one
    /// changed, appeared or went; a remote source marks its data as cached and refreshes as at
    /// start-up, swapping the new data in with a [`LoadEvent::Replace`].
    Confirm,
}

/// Options for a load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// How the load runs.
    pub mode: LoadMode,
    /// Use caches only; never touch the network.
    pub offline: bool,
    /// Where sources keep their caches (remote sources their last load, file sources their
    /// parsed files); `None` disables caching.
    pub cache_dir: Option<PathBuf>,
}

/// What a running source reports.
#[derive(Debug)]
pub enum LoadEvent {
    /// Work done so far, and the total when known.
    Progress {
        /// The source.
        source: SourceId,
        /// Units (files, entities) done.
        done: usize,
        /// Units known in all.
        total: Option<usize>,
    },
    /// The batches that follow (until the next event of another kind) come from the cache
    /// written at `saved_at`.
    Cached {
        /// The source.
        source: SourceId,
        /// When the cached load finished.
        saved_at: SystemTime,
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
    /// Everything this source sent before is replaced by these entities and problems (a
    /// complete refresh).
    Replace {
        /// The source.
        source: SourceId,
        /// All its entities.
        entities: Vec<Entity>,
        /// All its problems.
        problems: Vec<Problem>,
    },
    /// What the source sent is complete and fresh from its server: once it is in the catalog,
    /// it is to be kept in the source's cache (see [`save`]). Sent just before `Done`.
    Save(save::Save),
    /// The source has finished, with an error message if it failed (its earlier data stays).
    Done {
        /// The source.
        source: SourceId,
        /// Why it failed, if it did.
        error: Option<String>,
    },
}
