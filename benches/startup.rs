//! Start-up from the caches: a whole process that loads a 100,000-entity catalog of YAML files
//! the way the portal does (sources as background tasks, events folded into the app, the search
//! index extended per batch, a frame drawn after each burst) and stops at its first usable
//! frame: every source done, the catalog and index complete, the results drawn.
//!
//! `cargo bench --bench startup` prints `name: value unit` lines: the first start (every file
//! parsed, the cache written), the cached start (`cached_start_first_frame`, wall and process
//! CPU, measured from the child's `main`), and where a cached start spends its time (cache
//! decode, catalog build, index build) measured in this process. `IDP_BENCH_ENTITIES` sets the
//! size (default 100,000).

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

/// The portal's start-up path without a terminal: returns the time to the first frame drawn
/// with every source done, the time until the work put off after it (scoring) is done and
/// drawn, and the number of entities in the catalog.
fn start_portal(catalog: &str, cache_dir: &Path) -> (Duration, Duration, usize) {
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
    app.use_worker(worker);
    runtime.block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for (i, spec) in specs.iter().enumerate() {
            idp_tui::source::spawn_with(
                i,
                spec.clone(),
                tx.clone(),
                LoadOptions {
                    mode: LoadMode::Startup,
                    offline: false,
                    cache_dir: Some(cache_dir.to_path_buf()),
                },
            );
        }
        drop(tx);
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
                Some(done) = searches.recv() => Action::SearchDone(done),
                else => break,
            };
            let _ = update(&mut app, action);
            // As the event loop does: apply what else is ready, then draw once.
            for _ in 0..256 {
                let next = if let Ok(done) = searches.try_recv() {
                    Action::SearchDone(done)
                } else if let Ok(event) = rx.try_recv() {
                    Action::Load(event)
                } else {
                    break;
                };
                let _ = update(&mut app, next);
            }
        }
    });
    let first_frame = started.elapsed();
    // As the event loop does next: scoring, then a redraw.
    if app.run_deferred() {
        terminal
            .draw(|f| idp_tui::tui::ui::render(&app, f))
            .unwrap();
    }
    (first_frame, started.elapsed(), app.catalog.len())
}

/// A child process's work: one start, timed from its `main`.
fn child(phase: &str, catalog: &str, cache_dir: &str) {
    let cpu0 = cpu();
    let (wall, settled, count) = start_portal(catalog, Path::new(cache_dir));
    let cpu = cpu() - cpu0;
    println!("{phase}_first_frame: {:.0} ms", wall.as_secs_f64() * 1e3);
    println!(
        "{phase}_scored_and_drawn: {:.0} ms",
        settled.as_secs_f64() * 1e3
    );
    println!("{phase}_first_frame_cpu: {:.0} ms", cpu.as_secs_f64() * 1e3);
    println!("{phase}_peak_rss: {:.0} MiB", peak_mib());
    println!("{phase}_entities: {count} count");
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

    // 2. Cached start, twice (the first warms the page cache like any second start would).
    in_child("cached_start_warmup", &catalog, cache.path());
    in_child("cached_start", &catalog, cache.path());

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
