//! The command line's start: the portal's machine ([`Startup`]) and reducer
//! ([`CatalogState`]) driven to the end on the caller's thread. The snapshot of the last load
//! is read first (no source runs meanwhile, so nothing is held); restored, the sources only
//! confirm it; otherwise they load. Once they are done, what a complete load leaves behind is
//! written as the portal writes it: the sources' caches, then the next start's snapshot.

use super::state::CatalogState;
use super::{Event, Startup, Step};
use crate::catalog::Catalog;
use crate::source::{LoadOptions, Loaded, SourceSpec};
use std::collections::VecDeque;

/// A load run to the end by [`load_blocking`].
#[derive(Debug)]
pub struct Finished {
    /// The catalog and each source's final status.
    pub loaded: Loaded,
    /// Whether it started from the snapshot of an earlier load.
    pub from_snapshot: bool,
    /// What the user should be told (a damaged snapshot), one line each.
    pub warnings: Vec<String>,
}

/// Loads `specs` to the end through the start-up machine: from the snapshot in
/// `options.cache_dir` when one matches the sources' caches (the sources then confirm it,
/// replacing what changed), else in `options.mode`. With a remote source and the network
/// allowed, no snapshot is read or written (the fetch replaces it all). Writes the caches the sources asked for
/// (a cache that cannot be written is a problem in the catalog) and, after a load that changed
/// something, the next start's snapshot (a failure is only logged: the next start loads from
/// the caches). May be called from anywhere, an async context included.
pub fn load_blocking(specs: &[SourceSpec], options: &LoadOptions) -> Finished {
    let mut startup = Startup::loading_in(options.mode);
    let mut state = CatalogState::new(Catalog::new(), specs);
    // A remote source fetched now replaces all a snapshot holds: one read would be decoded
    // and thrown away, and one written would cost as much again, on every command.
    let snapshot_dir = options
        .cache_dir
        .as_deref()
        .filter(|_| options.offline || !specs.iter().any(SourceSpec::is_remote));
    let read = match snapshot_dir {
        Some(dir) => crate::snapshot::open(specs, dir).map(|s| s.map(Box::new)),
        None => Ok(None),
    };
    let mut from_snapshot = false;
    let mut warnings = Vec::new();
    let mut steps: VecDeque<Step> = startup.step(Event::SnapshotRead(read)).into();
    while let Some(step) = steps.pop_front() {
        match step {
            Step::Restore(snapshot) => {
                let restored = state.restore(*snapshot);
                from_snapshot = restored.is_ok();
                steps.extend(startup.step(Event::Restored(restored)));
            }
            // The snapshot was read before any source started: there is nothing to hold.
            Step::StartSources { mode, .. } => {
                let options = LoadOptions {
                    mode,
                    ..options.clone()
                };
                crate::source::run_blocking(specs, &options, &mut |event| {
                    state.apply(event);
                });
            }
            Step::ReleaseHeld | Step::DropHeld => {}
            Step::Log(message) => tracing::info!("{message}"),
            Step::Warn(message) => warnings.push(message),
        }
    }
    state.finish();
    write_after_load(specs, snapshot_dir, &mut state);
    Finished {
        loaded: state.into_loaded(),
        from_snapshot,
        warnings,
    }
}

/// Writes the caches due, then the snapshot into `snapshot_dir` when one is due.
fn write_after_load(
    specs: &[SourceSpec],
    snapshot_dir: Option<&std::path::Path>,
    state: &mut CatalogState,
) {
    if snapshot_dir.is_none() {
        state.forgo_snapshot();
    } else if state.snapshot_due() {
        state.complete_index();
    }
    let Some(writes) = state.writes_due() else {
        return;
    };
    for warning in writes.write_saves() {
        state.add_problem(warning);
    }
    if let (Some(contents), Some(dir)) = (writes.snapshot, snapshot_dir) {
        if let Err(e) = crate::snapshot::save(specs, dir, &contents) {
            tracing::warn!("{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{LoadMode, SourceState};
    use std::path::Path;

    fn component(name: &str) -> String {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        )
    }

    /// Writes a file last modified `age` seconds ago: settled, so the caches trust its stamp,
    /// and a rewrite gets another stamp.
    fn write(path: &Path, text: &str, age: u64) {
        std::fs::write(path, text).expect("a test file");
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(age);
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("the test file");
        file.set_modified(then).expect("a new mtime");
    }

    fn names(loaded: &Loaded) -> Vec<String> {
        let mut names: Vec<String> = loaded
            .catalog
            .entities()
            .iter()
            .map(|e| e.metadata.name.clone())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_command_line_loads_then_starts_from_the_snapshot_then_sees_a_changed_file() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let cache = tempfile::tempdir().expect("a temp dir");
        let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
        write(&a, &component("alpha"), 60);
        write(&b, &component("beta"), 60);
        let specs = vec![
            SourceSpec::Files {
                name: "a".into(),
                paths: vec![a.to_string_lossy().into()],
            },
            SourceSpec::Files {
                name: "b".into(),
                paths: vec![b.to_string_lossy().into()],
            },
        ];
        let options = LoadOptions {
            mode: LoadMode::NetworkFirst,
            offline: true,
            cache_dir: Some(cache.path().to_path_buf()),
        };
        let first = load_blocking(&specs, &options);
        assert!(!first.from_snapshot, "no snapshot yet");
        assert!(first.warnings.is_empty(), "{:?}", first.warnings);
        assert_eq!(names(&first.loaded), ["alpha", "beta"]);
        assert!(
            crate::snapshot::present(&specs, cache.path()),
            "the first load leaves a snapshot, as the portal's does"
        );

        let second = load_blocking(&specs, &options);
        assert!(second.from_snapshot, "the sources confirmed the snapshot");
        assert_eq!(names(&second.loaded), ["alpha", "beta"]);
        assert!(second
            .loaded
            .sources
            .iter()
            .all(|s| s.state == SourceState::Ready && s.entities == 1));

        write(&b, &component("gamma"), 30);
        let third = load_blocking(&specs, &options);
        assert_eq!(
            names(&third.loaded),
            ["alpha", "gamma"],
            "a changed file is read again, never the snapshot's copy"
        );
        let fourth = load_blocking(&specs, &options);
        assert!(fourth.from_snapshot, "and the new state is snapshotted");
        assert_eq!(names(&fourth.loaded), ["alpha", "gamma"]);
    }

    #[test]
    fn without_a_cache_directory_the_sources_simply_load() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let a = dir.path().join("a.yaml");
        write(&a, &component("alpha"), 60);
        let specs = vec![SourceSpec::Files {
            name: "a".into(),
            paths: vec![a.to_string_lossy().into()],
        }];
        let finished = load_blocking(
            &specs,
            &LoadOptions {
                mode: LoadMode::NetworkFirst,
                offline: true,
                cache_dir: None,
            },
        );
        assert!(!finished.from_snapshot);
        assert_eq!(names(&finished.loaded), ["alpha"]);
    }
}
