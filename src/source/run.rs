//! Running sources: each as a background task that sends [`LoadEvent`]s, with the cache read
//! before and written after a remote load; and a blocking form for the command line.

use super::backstage::{self, BackstageSource};
use super::{cache, file, LoadEvent, LoadMode, LoadOptions, SourceId, SourceSet, SourceSpec};
use crate::catalog::{Catalog, Origin, Problem};
use std::path::PathBuf;
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
        SourceSpec::Files { paths, .. } => {
            tokio::task::spawn_blocking(move || load_files(source, &paths, &tx, options.mode))
        }
        SourceSpec::Backstage(remote) => {
            tokio::spawn(async move { load_backstage(source, remote, tx, options).await })
        }
    }
}

fn load_files(source: SourceId, paths: &[String], tx: &UnboundedSender<LoadEvent>, mode: LoadMode) {
    let mut all = (Vec::new(), Vec::new());
    file::load(paths, |batch| {
        let _ = tx.send(LoadEvent::Progress {
            source,
            done: batch.progress.0,
            total: Some(batch.progress.1),
        });
        if mode == LoadMode::Refresh {
            all.0.extend(batch.entities);
            all.1.extend(batch.problems);
        } else {
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities: batch.entities,
                problems: batch.problems,
            });
        }
    });
    if mode == LoadMode::Refresh {
        let _ = tx.send(LoadEvent::Replace {
            source,
            entities: all.0,
            problems: all.1,
        });
    }
    let _ = tx.send(LoadEvent::Done {
        source,
        error: None,
    });
}

/// Entities per batch when a cache is sent at start-up.
const CACHE_CHUNK: usize = 10_000;

/// Sends the cache of a source, if there is a usable one, as a batch (or as a replacement of
/// what the source sent before); a broken one becomes a warning. Returns whether entities were
/// sent.
async fn send_cache(
    source: SourceId,
    path: PathBuf,
    key: String,
    tx: &UnboundedSender<LoadEvent>,
    replace: bool,
) -> bool {
    let shown = path.display().to_string();
    let read = tokio::task::spawn_blocking(move || cache::read(&path, &key)).await;
    match read {
        Ok(Ok(Some(cached))) => {
            let _ = tx.send(LoadEvent::Cached {
                source,
                saved_at: cached.saved_at,
            });
            let (entities, problems) = (cached.entities, cached.problems);
            if replace {
                let _ = tx.send(LoadEvent::Replace {
                    source,
                    entities,
                    problems,
                });
                return true;
            }
            // In chunks, so the portal shows the first ones while it indexes the rest.
            let total = entities.len();
            let mut problems = Some(problems);
            let mut rest = entities.into_iter();
            let mut done = 0;
            while done < total || problems.is_some() {
                let chunk: Vec<_> = rest.by_ref().take(CACHE_CHUNK).collect();
                done += chunk.len();
                let _ = tx.send(LoadEvent::Batch {
                    source,
                    entities: chunk,
                    problems: problems.take().unwrap_or_default(),
                });
                let _ = tx.send(LoadEvent::Progress {
                    source,
                    done,
                    total: Some(total),
                });
            }
            true
        }
        Ok(Ok(None)) => false,
        Ok(Err(e)) => {
            tracing::warn!("{e}");
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities: Vec::new(),
                problems: vec![Problem::warning(
                    Some(Origin::new(shown, None)),
                    e.to_string(),
                )],
            });
            false
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
    if options.offline || options.mode == LoadMode::Startup {
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
    let stream = !have_data && options.mode == LoadMode::Startup;
    let mut entities = Vec::new();
    let mut problems = Vec::new();
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
            let _ = tx.send(LoadEvent::Batch {
                source,
                entities: page.entities.clone(),
                problems: page.problems.clone(),
            });
        }
        entities.extend(page.entities);
        problems.extend(page.problems);
    })
    .await;

    match result {
        Ok(_) => {
            let mut warning = None;
            if let Some(path) = cache_path {
                let shown = path.display().to_string();
                let written = tokio::task::spawn_blocking(move || {
                    let r = cache::write(
                        &path,
                        &key,
                        &entities,
                        &problems,
                        cache::Encoding::MessagePack,
                    );
                    (entities, problems, r)
                })
                .await;
                match written {
                    Ok((back, back_problems, r)) => {
                        entities = back;
                        problems = back_problems;
                        if let Err(e) = r {
                            tracing::warn!("{e}");
                            warning = Some(Problem::warning(
                                Some(Origin::new(shown, None)),
                                e.to_string(),
                            ));
                        }
                    }
                    Err(join) => {
                        // The entities went with the failed task; say so rather than lose them.
                        return done(Some(format!("writing the cache failed: {join}")));
                    }
                }
            }
            if stream {
                if let Some(w) = warning {
                    let _ = tx.send(LoadEvent::Batch {
                        source,
                        entities: Vec::new(),
                        problems: vec![w],
                    });
                }
            } else {
                problems.extend(warning);
                let _ = tx.send(LoadEvent::Replace {
                    source,
                    entities,
                    problems,
                });
            }
            done(None)
        }
        Err(e) => {
            tracing::warn!(source = %remote.name, "{e}");
            if options.mode == LoadMode::NetworkFirst {
                if let Some(path) = cache_path {
                    send_cache(source, path, key, &tx, false).await;
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

/// Loads every source to the end and reports how each went. Runs its own runtime on a helper
/// thread, so it may be called from anywhere, an async context included.
pub fn load_blocking_with(specs: &[SourceSpec], options: &LoadOptions) -> Loaded {
    let mut set = SourceSet::new(specs);
    if specs.iter().all(|s| !s.is_remote()) {
        // Local files only: no runtime needed.
        let (tx, mut rx) = unbounded_channel();
        for (id, spec) in specs.iter().enumerate() {
            if let SourceSpec::Files { paths, .. } = spec {
                load_files(id, paths, &tx, LoadMode::Startup);
            }
        }
        drop(tx);
        while let Ok(event) = rx.try_recv() {
            set.apply(event);
        }
        return set.into_loaded();
    }
    let specs = specs.to_vec();
    let options = options.clone();
    // The whole load, event folding included, runs on a helper thread with its own runtime, so
    // this works from plain code and from inside an async context alike.
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        match runtime {
            Ok(rt) => rt.block_on(async move {
                let (tx, mut rx) = unbounded_channel();
                for (id, spec) in specs.into_iter().enumerate() {
                    start(id, spec, tx.clone(), options.clone());
                }
                drop(tx);
                // Every sender is gone once each task has finished (or panicked).
                while let Some(event) = rx.recv().await {
                    set.apply(event);
                }
                set.into_loaded()
            }),
            Err(e) => {
                for id in 0..specs.len() {
                    set.apply(LoadEvent::Done {
                        source: id,
                        error: Some(format!("cannot start the network runtime: {e}")),
                    });
                }
                set.into_loaded()
            }
        }
    });
    match worker.join() {
        Ok(loaded) => loaded,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
