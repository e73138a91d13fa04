//! Running sources: each as a background task that sends [`LoadEvent`]s, with the cache read
//! before and written after a remote load; and a blocking form for the command line.

use super::cache::{self, files};
use super::{file, LoadEvent, LoadMode, LoadOptions, SourceId, SourceSet, SourceSpec};
use crate::backstage::{self, BackstageSource};
use crate::catalog::{Catalog, Origin, Problem};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// Starts a source in the background with default options (start-up mode, no cache); events
/// arrive on `tx` until [`LoadEvent::Done`].
pub fn spawn(source: SourceId, spec: SourceSpec, tx: UnboundedSender<LoadEvent>) {
    spawn_with(source, spec, tx, LoadOptions::default());
}

/// Starts a source in the background; events arrive on `tx` until [`LoadEvent::Done`]. Must be
/// called inside a tokio runtime.
pub fn spawn_with(
    source: SourceId,
    spec: SourceSpec,
    tx: UnboundedSender<LoadEvent>,
    options: LoadOptions,
) {
    drop(start(source, spec, tx, options));
}

fn start(
    source: SourceId,
    spec: SourceSpec,
    tx: UnboundedSender<LoadEvent>,
    options: LoadOptions,
) -> tokio::task::JoinHandle<()> {
    match spec {
        SourceSpec::Files { name, paths } => {
            tokio::task::spawn_blocking(move || load_files(source, &name, &paths, &tx, &options))
        }
        SourceSpec::Backstage(remote) => {
            tokio::spawn(async move { load_backstage(source, remote, tx, options).await })
        }
    }
}

/// Entities gathered into one batch event by a file source.
const BATCH_ENTITIES: usize = 5_000;

/// Longest a file source holds entities before sending them on.
const BATCH_INTERVAL: Duration = Duration::from_millis(50);

/// Loads a file source: unchanged files from its cache, the others parsed; then writes the
/// cache again if anything changed. A cache that cannot be read or written is a warning.
fn load_files(
    source: SourceId,
    name: &str,
    paths: &[String],
    tx: &UnboundedSender<LoadEvent>,
    options: &LoadOptions,
) {
    let mode = options.mode;
    let cache = options
        .cache_dir
        .as_deref()
        .and_then(|dir| files::location(dir, name, paths));
    let mut warnings = Vec::new();
    let warn = |warnings: &mut Vec<Problem>, path: &std::path::Path, e: cache::CacheError| {
        tracing::warn!("{e}");
        warnings.push(Problem::warning(
            Some(Origin::new(path.display().to_string(), None)),
            e.to_string(),
        ));
    };
    // To confirm a snapshot, the cache's table says which files are unchanged; its entities
    // are read only if one turns out to be needed.
    let open = match mode {
        LoadMode::Confirm => files::Previous::open_table,
        _ => files::Previous::open,
    };
    let previous = cache
        .as_ref()
        .and_then(|(path, key)| match open(path, key) {
            Ok(p) => p,
            Err(e) => {
                warn(&mut warnings, path, e);
                None
            }
        });
    if mode == LoadMode::Confirm {
        // The snapshot the portal started from holds this source's data as of the cache.
        if previous.as_ref().is_some_and(|p| file::unchanged(paths, p)) {
            let _ = tx.send(LoadEvent::Done {
                source,
                error: None,
            });
            return;
        }
        tracing::info!(source = name, "files changed since the snapshot: reloading");
    }
    // After a snapshot that turned out stale, the whole source is swapped in as a refresh is.
    let mode = match mode {
        LoadMode::Confirm => LoadMode::Refresh,
        other => other,
    };
    let mut all = (Vec::new(), Vec::new());
    let mut records = Vec::new();
    let mut complete = true;
    // Files are sent on in batches of a few thousand entities (or whatever arrived within
    // BATCH_INTERVAL), not one event per file: every event costs the portal an index update
    // and possibly a frame, which for 1,000 small files was most of a cached start.
    let mut last_sent = Instant::now();
    let mut progress = (0, 0);
    let send = |all: &mut (Vec<_>, Vec<_>), progress: (usize, usize)| {
        let _ = tx.send(LoadEvent::Progress {
            source,
            done: progress.0,
            total: Some(progress.1),
        });
        if mode != LoadMode::Refresh && !(all.0.is_empty() && all.1.is_empty()) {
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities: std::mem::take(&mut all.0),
                problems: std::mem::take(&mut all.1),
            });
        }
    };
    let stats = file::load_with(paths, previous.as_ref(), cache.is_some(), |mut batch| {
        match batch.record.take() {
            Some(r) => records.push(r),
            None => complete = false,
        }
        progress = batch.progress;
        all.0.extend(batch.entities);
        all.1.extend(batch.problems);
        if all.0.len() >= BATCH_ENTITIES || last_sent.elapsed() >= BATCH_INTERVAL {
            send(&mut all, progress);
            last_sent = Instant::now();
        }
    });
    send(&mut all, progress);
    tracing::info!(
        source = name,
        parsed = stats.parsed,
        cached = stats.cached,
        "files loaded"
    );
    if let Some((path, key)) = &cache {
        // Nothing parsed and the same files as last time: the cache on disk is already right.
        let unchanged = complete
            && stats.parsed == 0
            && previous.as_ref().is_some_and(|p| p.files() == stats.cached);
        if !unchanged {
            if let Err(e) = files::write(path, key, previous.as_ref(), records) {
                warn(&mut warnings, path, e);
            }
        }
    }
    if mode == LoadMode::Refresh {
        all.1.extend(warnings);
        let _ = tx.send(LoadEvent::Replace {
            source,
            entities: all.0,
            problems: all.1,
        });
    } else if !warnings.is_empty() {
        let _ = tx.send(LoadEvent::Batch {
            source,
            entities: Vec::new(),
            problems: warnings,
        });
    }
    // A path given that is not there is a failed source, not an empty one: what was found
    // under the other paths stays, and the status says which path is missing.
    let _ = tx.send(LoadEvent::Done {
        source,
        error: missing_paths(paths),
    });
}

/// Why some of a file source's paths cannot be read (`None` when all are there).
fn missing_paths(paths: &[String]) -> Option<String> {
    let problems: Vec<String> = paths
        .iter()
        .filter(|p| !crate::vfs::is_dir(p))
        .filter_map(|p| match crate::vfs::size(p) {
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some(format!("{} does not exist", crate::text::one_line(p)))
            }
            Err(e) => Some(format!("cannot read {}: {e}", crate::text::one_line(p))),
        })
        .collect();
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// Sends the cache of a source, if there is a usable one: at start-up chunk by chunk as they
/// are decoded (on every core), so the portal indexes the first while the rest decode; or as a
/// replacement of what the source sent before. A broken cache becomes a warning. Returns
/// whether entities were sent.
async fn send_cache(
    source: SourceId,
    path: PathBuf,
    key: String,
    tx: &UnboundedSender<LoadEvent>,
    replace: bool,
) -> bool {
    let shown = path.display().to_string();
    let sender = tx.clone();
    let read = tokio::task::spawn_blocking(move || {
        let tx = sender;
        let Some(file) = cache::open(&path, &key)? else {
            return Ok((false, None));
        };
        let _ = tx.send(LoadEvent::Cached {
            source,
            saved_at: file.saved_at,
        });
        let total = file.entities();
        if replace {
            let mut entities = Vec::with_capacity(total);
            let mut problems = Vec::new();
            file.decode_each(|_, e, p| {
                entities.extend(e);
                problems.extend(p);
            })?;
            let _ = tx.send(LoadEvent::Replace {
                source,
                entities,
                problems,
            });
            return Ok((true, None));
        }
        let mut done = 0;
        let decoded = file.decode_each(|_, entities, problems| {
            done += entities.len();
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities,
                problems,
            });
            let _ = tx.send(LoadEvent::Progress {
                source,
                done,
                total: Some(total),
            });
        });
        // Chunks sent before a damaged one stay (the refresh replaces them all).
        Ok::<_, cache::CacheError>((done > 0 || decoded.is_ok(), decoded.err()))
    })
    .await;
    let read = read.map(|r| match r {
        Ok((sent, None)) => Ok(sent),
        Ok((sent, Some(e))) => Err((e, sent)),
        Err(e) => Err((e, false)),
    });
    match read {
        Ok(Ok(sent)) => sent,
        Ok(Err((e, sent))) => {
            tracing::warn!("{e}");
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities: Vec::new(),
                problems: vec![Problem::warning(
                    Some(Origin::new(shown, None)),
                    e.to_string(),
                )],
            });
            sent
        }
        Err(join) => {
            tracing::warn!("reading the cache failed: {join}");
            false
        }
    }
}

async fn load_backstage(
    source: SourceId,
    remote: BackstageSource,
    tx: UnboundedSender<LoadEvent>,
    options: LoadOptions,
) {
    let key = remote.shown_url();
    let cache_path = options
        .cache_dir
        .as_ref()
        .map(|d| cache::path_for(d, &remote.name, &key));
    let done = |error: Option<String>| {
        let _ = tx.send(LoadEvent::Done { source, error });
    };

    let mut have_data = options.mode == LoadMode::Refresh;
    if options.mode == LoadMode::Confirm {
        // The snapshot holds the cached data already: only say how old it is.
        if let Some(path) = &cache_path {
            match cache::saved_at(path, &key) {
                Ok(Some(saved_at)) => {
                    let _ = tx.send(LoadEvent::Cached { source, saved_at });
                    // Empty: marks the data shown as the cached copy.
                    let _ = tx.send(LoadEvent::Batch {
                        source,
                        entities: Vec::new(),
                        problems: Vec::new(),
                    });
                    have_data = true;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }
    if options.mode == LoadMode::Startup || options.offline && options.mode != LoadMode::Confirm {
        if let Some(path) = &cache_path {
            let replace = options.mode == LoadMode::Refresh;
            have_data |= send_cache(source, path.clone(), key.clone(), &tx, replace).await;
        }
    }
    if options.offline {
        return done((!have_data).then(|| {
            "offline and no cached copy yet; run `idp-tui fetch` while online".to_string()
        }));
    }

    // Stream pages only when nothing is shown yet; otherwise keep the shown data until the new
    // load is complete.
    // From a snapshot, whatever it held of this source is replaced at the end, never added to.
    let stream = !have_data && !matches!(options.mode, LoadMode::Refresh | LoadMode::Confirm);
    let mut entities = Vec::new();
    let mut problems = Vec::new();
    let mut streamed = false;
    let _ = tx.send(LoadEvent::Progress {
        source,
        done: 0,
        total: None,
    });
    let result = backstage::fetch(&remote, |page| {
        let _ = tx.send(LoadEvent::Progress {
            source,
            done: page.loaded,
            total: page.total,
        });
        if stream {
            streamed = true;
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities: page.entities,
                problems: page.problems,
            });
        } else {
            entities.extend(page.entities);
            problems.extend(page.problems);
        }
    })
    .await;

    match result {
        Ok(_) => {
            if !stream {
                let _ = tx.send(LoadEvent::Replace {
                    source,
                    entities,
                    problems,
                });
            }
            // The data is in: the cache is written from the catalog by whoever folds these
            // events, off the path to a usable catalog (see `source::save`).
            if let Some(path) = cache_path {
                let _ = tx.send(LoadEvent::Save(super::save::Save::new(source, path, key)));
            }
            done(None);
        }
        Err(e) => {
            tracing::warn!(source = %remote.name, "{e}");
            if options.mode == LoadMode::NetworkFirst {
                if let Some(path) = cache_path {
                    // Pages already streamed in are replaced by the cached copy, if any.
                    send_cache(source, path, key, &tx, streamed).await;
                }
            }
            done(Some(e.to_string()))
        }
    }
}

/// A finished blocking load: the catalog and each source's final status.
#[derive(Debug)]
pub struct Loaded {
    /// The catalog of every source.
    pub catalog: Catalog,
    /// Each source's status, in the order given.
    pub sources: Vec<super::SourceStatus>,
}

/// Loads every source to the end, without caching: what simple callers and tests use.
pub fn load_blocking(specs: &[SourceSpec]) -> Catalog {
    load_blocking_with(
        specs,
        &LoadOptions {
            mode: LoadMode::NetworkFirst,
            ..LoadOptions::default()
        },
    )
    .catalog
}

/// Loads catalog files (`paths`, files or directories) as one file source called `name`, to
/// the end and without caching: how a catalog at a git revision is read (the
/// `governance::revision::LoadCatalogFiles` that `diff`, `history` and the burn-ups pass).
pub fn load_files_blocking(name: &str, paths: Vec<String>) -> Catalog {
    load_blocking(&[SourceSpec::Files {
        name: name.to_string(),
        paths,
    }])
}

/// Loads every source to the end and reports how each went. Runs its own runtime on a helper
/// thread, so it may be called from anywhere, an async context included.
pub fn load_blocking_with(specs: &[SourceSpec], options: &LoadOptions) -> Loaded {
    let mut set = SourceSet::new(specs);
    run_blocking(specs, options, &mut |event| {
        set.apply(event);
    });
    set.into_loaded()
}

/// Runs every source to the end, handing each event to `fold` in the order they arrive. Runs
/// its own runtime on a helper thread, so it may be called from anywhere, an async context
/// included. Without a remote source no runtime is needed: the files are read on this thread.
pub fn run_blocking(
    specs: &[SourceSpec],
    options: &LoadOptions,
    fold: &mut (dyn FnMut(LoadEvent) + Send),
) {
    if specs.iter().all(|s| !s.is_remote()) {
        let (tx, mut rx) = unbounded_channel();
        // Files only confirm a snapshot or load: there is no network to go to first.
        let options = LoadOptions {
            mode: match options.mode {
                LoadMode::Confirm => LoadMode::Confirm,
                _ => LoadMode::Startup,
            },
            ..options.clone()
        };
        for (id, spec) in specs.iter().enumerate() {
            if let SourceSpec::Files { name, paths } = spec {
                load_files(id, name, paths, &tx, &options);
            }
        }
        drop(tx);
        while let Ok(event) = rx.try_recv() {
            fold(event);
        }
        return;
    }
    // The whole load, event folding included, runs on a helper thread with its own runtime, so
    // this works from plain code and from inside an async context alike. The sources run on the
    // runtime's own worker thread, so folding entities into the catalog (on this helper thread)
    // overlaps with fetching the next page rather than holding it up.
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build();
            match runtime {
                Ok(rt) => rt.block_on(async move {
                    let (tx, mut rx) = unbounded_channel();
                    for (id, spec) in specs.iter().enumerate() {
                        start(id, spec.clone(), tx.clone(), options.clone());
                    }
                    drop(tx);
                    // Every sender is gone once each task has finished (or panicked).
                    while let Some(event) = rx.recv().await {
                        fold(event);
                    }
                }),
                Err(e) => {
                    for id in 0..specs.len() {
                        fold(LoadEvent::Done {
                            source: id,
                            error: Some(format!("cannot start the network runtime: {e}")),
                        });
                    }
                }
            }
        });
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
}
