//! Local catalog files watched: an edit, a new file or a deleted one under a `--catalog`
//! directory (or a catalog file itself) reloads its source without `R`. The `notify` crate
//! reports the changes on its own thread; a thread here gathers them until 300 ms pass
//! without another (an editor's save, a `git checkout` of many files: one reload) and sends
//! the sources to reload as one `Action::Reply(Reply::FilesChanged)` on the executor's
//! results channel: the one road back, as every background answer. Off with `watch: false`.
//!
//! Each source comes with when its last change was seen ([`Change`]), so `update` can tell a
//! change that a refresh started since will read anyway (the reload after `e`: the editor's
//! save is seen here ~300 ms after the portal already reloaded the file) from one made during
//! or after a refresh, which must be read again.
//!
//! Only catalog-like files count (`.yaml`, `.yml`, `.json`): an editor's swap or backup file
//! reloads nothing. A file source is watched through its directory, so an editor that saves
//! by writing a new file and renaming it over the old one is seen too.

use crate::source::{SourceId, SourceSpec};
use crate::tui::action::Action;
use crate::tui::reply::Reply;
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How long the files must stay quiet before the reload.
pub const QUIET: Duration = Duration::from_millis(300);

/// A source whose files changed, and when the watcher last saw one of them change (the
/// monotonic clock, as the app's [`crate::tui::clock::Clock::instant`] reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// The source.
    pub source: SourceId,
    /// When its last change in the burst was seen.
    pub seen: Instant,
}

/// The watches; dropping it stops them.
pub struct Watching {
    _watcher: notify::RecommendedWatcher,
}

/// What a source watches: a directory (with everything below it) or one file.
#[derive(Debug, Clone)]
struct Watched {
    source: SourceId,
    path: PathBuf,
    dir: bool,
}

/// Starts watching the file sources' paths (the embedded demo and remote sources have none).
/// `Ok(None)` when there is nothing to watch.
pub fn start(
    specs: &[SourceSpec],
    results: mpsc::UnboundedSender<Action>,
) -> Result<Option<Watching>, String> {
    let watched: Vec<Watched> = specs
        .iter()
        .enumerate()
        .filter_map(|(source, spec)| match spec {
            SourceSpec::Files { paths, .. } => Some((source, paths)),
            SourceSpec::Backstage(_) => None,
        })
        .flat_map(|(source, paths)| {
            paths
                .iter()
                .filter(|p| !p.starts_with("embedded:"))
                .filter_map(move |p| {
                    let path = std::fs::canonicalize(p).ok()?;
                    Some(Watched {
                        source,
                        dir: path.is_dir(),
                        path,
                    })
                })
        })
        .collect();
    if watched.is_empty() {
        return Ok(None);
    }
    let (tx, rx) = std_mpsc::channel::<(Vec<SourceId>, Instant)>();
    let targets = watched.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else {
            return;
        };
        if !counts(&event.kind) {
            return;
        }
        let ids = sources_of(&targets, &event.paths);
        if !ids.is_empty() {
            let _ = tx.send((ids, Instant::now()));
        }
    })
    .map_err(|e| format!("cannot watch the catalog files: {e}"))?;
    for w in &watched {
        let (path, mode) = if w.dir {
            (w.path.as_path(), RecursiveMode::Recursive)
        } else {
            (
                w.path.parent().unwrap_or(Path::new("/")),
                RecursiveMode::NonRecursive,
            )
        };
        watcher
            .watch(path, mode)
            .map_err(|e| format!("cannot watch {}: {e}", path.display()))?;
    }
    std::thread::Builder::new()
        .name("idp-watch".into())
        .spawn(move || debounce(&rx, &results))
        .map_err(|e| format!("cannot start the file watcher: {e}"))?;
    Ok(Some(Watching { _watcher: watcher }))
}

/// A change worth a reload: content written, a file made, removed or renamed (not an access
/// or a change of permissions).
fn counts(kind: &EventKind) -> bool {
    use notify::event::ModifyKind;
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        _ => false,
    }
}

/// The sources a change of these paths concerns (catalog-like files only).
fn sources_of(watched: &[Watched], paths: &[PathBuf]) -> Vec<SourceId> {
    let mut ids: Vec<SourceId> = paths
        .iter()
        .filter(|p| catalog_like(p))
        .flat_map(|p| {
            watched
                .iter()
                .filter(move |w| {
                    if w.dir {
                        p.starts_with(&w.path)
                    } else {
                        *p == w.path
                    }
                })
                .map(|w| w.source)
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn catalog_like(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

/// Gathers changes until [`QUIET`] passes without one, then sends one reload of every source
/// they touched, each with when its last change was seen. Ends when the watcher or the portal
/// is gone.
fn debounce(
    changes: &std_mpsc::Receiver<(Vec<SourceId>, Instant)>,
    results: &mpsc::UnboundedSender<Action>,
) {
    while let Ok(first) = changes.recv() {
        let mut seen: BTreeMap<SourceId, Instant> = BTreeMap::new();
        let mut note = |(ids, at): (Vec<SourceId>, Instant)| {
            for id in ids {
                let last = seen.entry(id).or_insert(at);
                *last = (*last).max(at);
            }
        };
        note(first);
        loop {
            match changes.recv_timeout(QUIET) {
                Ok(more) => note(more),
                Err(std_mpsc::RecvTimeoutError::Timeout) => break,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        let changed = seen
            .into_iter()
            .map(|(source, seen)| Change { source, seen })
            .collect();
        if results
            .send(Action::Reply(Reply::FilesChanged(changed)))
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// The sources of the next reload the watcher sends, waiting at most `limit` (each change
    /// was seen by now, not in the future).
    fn next(rx: &mut mpsc::UnboundedReceiver<Action>, limit: Duration) -> Option<Vec<SourceId>> {
        let start = Instant::now();
        while start.elapsed() < limit {
            match rx.try_recv() {
                Ok(Action::Reply(Reply::FilesChanged(changes))) => {
                    assert!(changes.iter().all(|c| c.seen <= Instant::now()));
                    return Some(changes.iter().map(|c| c.source).collect());
                }
                Ok(_) => {}
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        None
    }

    #[test]
    fn an_edit_under_a_catalog_dir_is_one_reload_of_its_source_even_in_a_burst() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "kind: Component\n").unwrap();
        let specs = [
            SourceSpec::demo(),
            SourceSpec::Files {
                name: "other".into(),
                paths: vec![other.path().to_string_lossy().into_owned()],
            },
            SourceSpec::Files {
                name: "mine".into(),
                paths: vec![dir.path().to_string_lossy().into_owned()],
            },
        ];
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _watching = start(&specs, tx).unwrap().expect("something to watch");
        // A burst of writes, an add and a delete: one reload of source 2 only. Slow CI
        // boxes get a generous wait; the debounce is what is checked.
        for i in 0..10 {
            std::fs::write(
                dir.path().join("a.yaml"),
                format!("kind: Component\n# {i}\n"),
            )
            .unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
        std::fs::write(dir.path().join("b.yml"), "kind: Group\n").unwrap();
        std::fs::remove_file(dir.path().join("b.yml")).unwrap();
        assert_eq!(next(&mut rx, Duration::from_secs(20)), Some(vec![2]));
        assert_eq!(
            next(&mut rx, QUIET * 3),
            None,
            "a burst of writes is one reload"
        );
        // An editor's swap file reloads nothing.
        std::fs::write(dir.path().join(".a.yaml.swp"), "x").unwrap();
        assert_eq!(next(&mut rx, QUIET * 3), None);
    }

    #[test]
    fn a_catalog_file_is_watched_through_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog-info.yaml");
        std::fs::write(&file, "kind: Component\n").unwrap();
        std::fs::write(dir.path().join("unrelated.yaml"), "kind: Component\n").unwrap();
        let specs = [SourceSpec::Files {
            name: "file".into(),
            paths: vec![file.to_string_lossy().into_owned()],
        }];
        let (tx, mut rx) = mpsc::unbounded_channel();
        let _watching = start(&specs, tx).unwrap().expect("something to watch");
        // A file beside it is not the catalog.
        std::fs::write(dir.path().join("unrelated.yaml"), "kind: Group\n").unwrap();
        assert_eq!(next(&mut rx, QUIET * 3), None);
        // Saved the way editors do: a new file renamed over the old one.
        let tmp = dir.path().join("catalog-info.yaml.tmp");
        std::fs::write(&tmp, "kind: Component\n# edited\n").unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        assert_eq!(next(&mut rx, Duration::from_secs(20)), Some(vec![0]));
    }

    #[test]
    fn nothing_to_watch_for_the_demo() {
        let (tx, _rx) = mpsc::unbounded_channel();
        assert!(start(&[SourceSpec::demo()], tx).unwrap().is_none());
    }
}
