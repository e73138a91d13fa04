//! Start-up from the caches: a whole process that loads a 100,000-entity catalog of YAML files
//! the way the portal does (sources as background tasks, events folded into the app, the search
//! index extended per batch, a frame drawn after each burst) and stops at its first usable
//! frame: every source done, the catalog and index complete, the results drawn.
//!
//! `cargo bench --bench startup` prints `name: value unit` lines: the first start (every file
//! parsed, the cache and the snapshot written), the cached start from the snapshot
//! (`cached_start_first_frame`, wall and process CPU, measured from the child's `main`, with
//! its stages: snapshot read, sources confirming), the same start with the snapshot ignored
//! (`cache_only_start_*`: every file from the file cache, the catalog and index rebuilt), and
//! where a start spends its time measured in this process (snapshot read and write; cache
//! decode, catalog build, index build). `IDP_BENCH_ENTITIES` sets the size (default 100,000).

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

/// The allocator the portal uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idp_tui::catalog::Catalog;
use idp_tui::search::SearchIndex;
use idp_tui::source::cache::files::{self, Previous};
use idp_tui::source::{LoadMode, LoadOptions, SourceSpec};
use idp_tui::tui::action::Action;
use idp_tui::tui::app::{update, App};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;
use std::time::{Duration, Instant};

/// CPU time of this process so far (user + system), from getrusage.
fn cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn specs(catalog: &str) -> Vec<SourceSpec> {
    vec![SourceSpec::Files {
        name: "bench".into(),
        paths: vec![catalog.to_string()],
    }]
}

/// What one start measured.
struct Start {
    /// To the first frame drawn with every source done and the results on screen.
    first_frame: Duration,
    /// Process CPU time (both cores) at that frame, from `main`.
    first_frame_cpu: Duration,
    /// Until the work put off after it (scoring) is done and drawn.
    settled: Duration,
    /// Entities in the catalog.
    entities: usize,
    /// Reading the snapshot (zero without one).
    snapshot_read: Duration,
    /// From the snapshot restored to every source done.
    confirm: Duration,
    /// Whether the start came from the snapshot.
    restored: bool,
}

/// The portal's start-up path without a terminal, as `tui::run` and its loop do it: the
/// snapshot read first (unless `use_snapshot` is false), then the sources started to confirm
/// it or to load. Writes the next start's snapshot after the measurement, as the loop does
/// once loading is complete.
fn start_portal(catalog: &str, cache_dir: &Path, use_snapshot: bool) -> Start {
    let started = Instant::now();
    let specs = specs(catalog);
    let mut app = App::new(
        Catalog::new(),
        &specs,
        idp_tui::tui::theme::Theme::default(),
        idp_tui::tui::keymap::Keymap::default(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let _ = update(&mut app, Action::Resize(120, 40));
    // Searches on a worker thread, as in the portal.
    let (search_tx, mut searches) = tokio::sync::mpsc::unbounded_channel();
    let worker = idp_tui::tui::search_worker::SearchWorker::spawn(move |done| {
        let _ = search_tx.send(done);
    })
    .unwrap();
    app.search_in_background();
    // As the executor does: the searches `update` asks for go to the worker.
    let update = |app: &mut App, action: Action| {
        for task in update(app, action) {
            if let idp_tui::tui::task::Task::Search(request) = task {
                assert!(worker.submit(request).is_ok(), "the worker runs");
            }
        }
    };
    // The loop draws a first (empty) frame while the snapshot is read.
    terminal
        .draw(|f| idp_tui::tui::ui::render(&app, f))
        .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let start_sources = |mode: LoadMode| {
        let _inside = runtime.enter();
        for (i, spec) in specs.iter().enumerate() {
            idp_tui::source::spawn_with(
                i,
                spec.clone(),
                tx.clone(),
                LoadOptions {
                    mode,
                    offline: false,
                    cache_dir: Some(cache_dir.to_path_buf()),
                },
            );
        }
    };
    // As the loop does: when a matching snapshot is on disk, the sources start confirming it
    // while it decodes (their events are applied after it is restored).
    let present = use_snapshot && idp_tui::snapshot::present(&specs, cache_dir);
    if present {
        start_sources(LoadMode::Confirm);
    }
    let read = if use_snapshot {
        idp_tui::snapshot::open(&specs, cache_dir)
    } else {
        Ok(None)
    };
    let snapshot_read = started.elapsed();
    let mode = match read {
        Ok(Some(snapshot)) => {
            app.restore(snapshot).expect("a snapshot for these sources");
            LoadMode::Confirm
        }
        Ok(None) => LoadMode::Startup,
        Err(e) => panic!("snapshot: {e}"),
    };
    let restored = mode == LoadMode::Confirm;
    assert_eq!(present, restored, "a snapshot present is one restored here");
    if !present {
        start_sources(mode);
    }
    drop(tx);
    runtime.block_on(async {
        loop {
            terminal
                .draw(|f| idp_tui::tui::ui::render(&app, f))
                .unwrap();
            // Usable: every source done and the results of the (empty) query on screen.
            if !app.is_loading() && !app.is_searching() {
                break;
            }
            let action = tokio::select! {
                Some(event) = rx.recv() => Action::Load(event),
                Some(done) = searches.recv() => Action::Reply(idp_tui::tui::reply::Reply::Search(done)),
                else => break,
            };
            update(&mut app, action);
            // As the event loop does: apply what else is ready, then draw once.
            for _ in 0..256 {
                let next = if let Ok(done) = searches.try_recv() {
                    Action::Reply(idp_tui::tui::reply::Reply::Search(done))
                } else if let Ok(event) = rx.try_recv() {
                    Action::Load(event)
                } else {
                    break;
                };
                update(&mut app, next);
            }
        }
    });
    let first_frame = started.elapsed();
    let first_frame_cpu = cpu();
    // As the event loop does next: scoring, then a redraw.
    if app.run_deferred() {
        terminal
            .draw(|f| idp_tui::tui::ui::render(&app, f))
            .unwrap();
    }
    let settled = started.elapsed();
    // As the loop does once loading is complete (on a blocking task there).
    if let Some(contents) = app.take_snapshot() {
        idp_tui::snapshot::save(&specs, cache_dir, &contents).expect("snapshot written");
    }
    Start {
        first_frame,
        first_frame_cpu,
        settled,
        entities: app.catalog().len(),
        snapshot_read,
        confirm: first_frame - snapshot_read,
        restored,
    }
}

/// A child process's work: one start, timed from its `main`.
fn child(phase: &str, catalog: &str, cache_dir: &str) {
    let cpu0 = cpu();
    let use_snapshot = phase != "cache_only_start";
    let start = start_portal(catalog, Path::new(cache_dir), use_snapshot);
    let cpu = cpu() - cpu0;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{phase}_first_frame: {:.0} ms", ms(start.first_frame));
    println!("{phase}_scored_and_drawn: {:.0} ms", ms(start.settled));
    println!(
        "{phase}_first_frame_cpu: {:.0} ms",
        ms(start.first_frame_cpu - cpu0)
    );
    // Including scoring after the first frame (and, after a load that changed the state,
    // writing the snapshot): what this line meant before the snapshot.
    println!("{phase}_total_cpu: {:.0} ms", ms(cpu));
    if start.restored {
        println!("{phase}_snapshot_read: {:.0} ms", ms(start.snapshot_read));
        println!("{phase}_sources_confirmed: {:.0} ms", ms(start.confirm));
    }
    println!("{phase}_from_snapshot: {} bool", u8::from(start.restored));
    println!("{phase}_peak_rss: {:.0} MiB", peak_mib());
    println!("{phase}_entities: {} count", start.entities);
}

fn in_child(phase: &str, catalog: &str, cache_dir: &Path) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--phase", phase, catalog])
        .arg(cache_dir)
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "{phase}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        child(&args[i + 1], &args[i + 2], &args[i + 3]);
        return;
    }
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("idp-tui-bench-catalog-{n}"));
    if !dir.join(".complete").exists() {
        let entities = idp_tui::synthetic::generate(n, 1);
        idp_tui::synthetic::write_yaml(&dir, &entities, 100).expect("write catalog");
        std::fs::write(dir.join(".complete"), "").expect("mark complete");
        // Files modified within the last second are not cached (see cache::files::SETTLE).
        std::thread::sleep(files::SETTLE + Duration::from_millis(100));
    }
    let catalog = dir.to_string_lossy().to_string();
    let cache = tempfile::tempdir().unwrap();

    // 1. First start: every file parsed, the cache written.
    in_child("first_start", &catalog, cache.path());
    let paths = vec![catalog.clone()];
    let (cache_file, key) = files::location(cache.path(), "bench", &paths).unwrap();
    let size = std::fs::metadata(&cache_file).map(|m| m.len()).unwrap_or(0);
    println!("file_cache_size: {:.1} MB", size as f64 / 1e6);

    // 2. Cached start from the snapshot, twice (the first warms the page cache like any
    // second start would); then from the file cache alone, the snapshot ignored.
    in_child("cached_start_warmup", &catalog, cache.path());
    in_child("cached_start", &catalog, cache.path());
    in_child("cache_only_start", &catalog, cache.path());
    let specs = specs(&catalog);
    let (snapshot_file, snapshot_key) =
        idp_tui::snapshot::locate(&specs, cache.path()).expect("sources with caches");
    let size = std::fs::metadata(&snapshot_file)
        .map(|m| m.len())
        .unwrap_or(0);
    println!("snapshot_size: {:.1} MB", size as f64 / 1e6);
    let (t, c) = (Instant::now(), cpu());
    let snapshot = idp_tui::snapshot::read(&snapshot_file, &snapshot_key)
        .unwrap()
        .expect("a snapshot after the first start");
    println!(
        "snapshot_read: {:.0} ms ({:.0} ms CPU, both cores)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c).as_secs_f64() * 1e3
    );
    let contents = idp_tui::snapshot::Contents {
        catalog: std::sync::Arc::new(snapshot.catalog),
        index: std::sync::Arc::new(snapshot.index),
        owner: snapshot.owner,
        problems: snapshot.problems,
    };
    let (t, c) = (Instant::now(), cpu());
    idp_tui::snapshot::write(&snapshot_file, &snapshot_key, &contents).unwrap();
    println!(
        "snapshot_write: {:.0} ms ({:.0} ms CPU, off the UI thread)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c).as_secs_f64() * 1e3
    );
    drop(contents);
    let (t, c) = (Instant::now(), cpu());
    let previous = Previous::open_table(&cache_file, &key).unwrap().unwrap();
    assert!(idp_tui::source::file::unchanged(&paths, &previous));
    println!(
        "files_confirm: {:.0} ms ({:.0} ms CPU: cache table read, every file stat-ed)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c).as_secs_f64() * 1e3
    );
    drop(previous);

    // 3. Where a cached start's time goes, step by step, in this process.
    let (t, c) = (Instant::now(), cpu());
    let previous = Previous::open(&cache_file, &key).unwrap().unwrap();
    println!("cache_open: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let _ = c;
    let (t, c) = (Instant::now(), cpu());
    let mut entities = Vec::new();
    let mut problems = Vec::new();
    let stats = idp_tui::source::file::load_with(&paths, Some(&previous), false, |b| {
        entities.extend(b.entities);
        problems.extend(b.problems);
    });
    assert_eq!(stats.parsed, 0, "every file should come from the cache");
    println!(
        "cache_decode_all: {:.0} ms ({:.0} ms CPU, both cores)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c).as_secs_f64() * 1e3
    );
    let (t, c) = (Instant::now(), cpu());
    let catalog = Catalog::from_entities(entities, problems);
    println!(
        "catalog_build: {:.0} ms ({:.0} ms CPU)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c).as_secs_f64() * 1e3
    );
    let (t, c) = (Instant::now(), cpu());
    let index = SearchIndex::build(&catalog);
    println!(
        "index_build: {:.0} ms ({:.0} ms CPU)",
        t.elapsed().as_secs_f64() * 1e3,
        (cpu() - c).as_secs_f64() * 1e3
    );
    std::hint::black_box((&catalog, &index));
}
