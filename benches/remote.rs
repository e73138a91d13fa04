//! Loading a large remote catalog: 100,000 synthetic entities served by a local test server as
//! Backstage by-query pages of 500 (with server relations), then the same catalog from the
//! offline cache in both encodings. Prints `name: value unit` lines.
//!
//! The server runs in this process; every timed load runs in a child process against it, so
//! the figures compared (`remote_fetch`, `remote_load_total`) each count one client's CPU and
//! compete with the same server for the cores.
//!
//! Run with `cargo bench --bench remote` (`IDP_BENCH_ENTITIES=20000` for a quicker run).

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

/// The allocator the portal uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idp_tui::backstage;
use idp_tui::catalog::relations::spec_relations;
use idp_tui::catalog::Catalog;
use idp_tui::search::SearchIndex;
use idp_tui::source::{
    cache, load_blocking_with, spawn_with, BackstageSource, LoadEvent, LoadMode, LoadOptions,
    SourceSpec, SourceState, SourceTracker,
};
use serde_json::{json, Value};
use std::time::Instant;
use wiremock::matchers::{method, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGE: usize = 500;

/// A memory figure of this process from `/proc/self/status`, in MiB (Linux; `None` elsewhere):
/// `VmHWM:` the peak resident memory, `VmRSS:` the resident memory now.
fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds used by this process so far (user + system).
fn cpu_s() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU seconds used by the calling thread so far.
fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn report(name: &str, value: f64, unit: &str) {
    println!("{name}: {value:.3} {unit}");
}

fn report_peak(name: &str) {
    if let Some(mib) = status_mib("VmHWM:") {
        report(name, mib, "MiB");
    }
}

/// One figure a child printed: name, value, unit.
type Figure = (String, f64, String);

/// Runs one load in a child process, so its peak memory is its own, and returns its lines,
/// with `…_server_cpu`: what this process (the test server) spent meanwhile, which
/// shares the two cores with the child.
fn child_figures(
    phase: &str,
    url: &str,
    cache_dir: &std::path::Path,
    expected: usize,
) -> Vec<Figure> {
    let server_cpu = cpu_s();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--phase", phase, url])
        .arg(cache_dir)
        .arg(expected.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{phase}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server_cpu = cpu_s() - server_cpu;
    let mut figures: Vec<Figure> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(": ")?;
            let (value, unit) = rest.split_once(' ')?;
            Some((name.to_string(), value.parse().ok()?, unit.to_string()))
        })
        .collect();
    let name = match phase {
        "fetch" => "remote_fetch",
        "remote" => "remote_load",
        "cli" => "remote_load_cli",
        _ => "cache_startup",
    };
    figures.push((format!("{name}_server_cpu"), server_cpu, "s".into()));
    figures
}

/// Runs one load in a child process and passes on its lines.
fn in_child_n(phase: &str, url: &str, cache_dir: &std::path::Path, expected: usize) {
    for (name, value, unit) in child_figures(phase, url, cache_dir, expected) {
        report(&name, value, &unit);
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Each figure's median over the runs, in the order the first run printed them.
fn report_medians(runs: &[Vec<Figure>]) {
    for (name, _, unit) in &runs[0] {
        let values = runs
            .iter()
            .filter_map(|run| run.iter().find(|f| &f.0 == name).map(|f| f.1))
            .collect();
        report(name, median(values), unit);
    }
}

/// The value of `name` in one run's figures.
fn figure(run: &[Figure], name: &str) -> f64 {
    run.iter().find(|f| f.0 == name).map_or(f64::NAN, |f| f.1)
}

/// The source the children load: the test server, pages of `PAGE`, no token.
fn bench_source(url: &str) -> BackstageSource {
    let mut source = BackstageSource::from_url(url);
    source.name = "bench".into();
    source.token = idp_tui::source::TokenSource::None;
    source.http.page_size = PAGE;
    source
}

/// A child's work: one complete load, timed, then its peak memory.
///
/// - `fetch`: every page fetched and decoded into entities, nothing else: the baseline.
/// - `remote`: a first start of the portal on the server (no cache yet): the source streams
///   pages as events, which are folded into the catalog and the search index as they arrive,
///   as the portal's loop does. `remote_load_total` is the moment the data is in (`Done`
///   applied: catalog complete, references checked, index extended and its ties ranked); the
///   cache is written after that from the catalog, as the portal writes it (`source::save`),
///   and `remote_load_cache_written` is when it is on disk.
/// - `cli`: the same load as the command line does it (`load_blocking_with`, which returns once
///   the cache is written, so its warnings are counted).
/// - `cache`: start-up from the cache, offline.
fn child(phase: &str, url: &str, cache_dir: &str, expected: usize) {
    let source = bench_source(url);
    let started = Instant::now();
    let cpu0 = cpu_s();
    match phase {
        "fetch" => {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let mut fetched = Vec::with_capacity(expected);
            let mut first_page = None;
            runtime
                .block_on(backstage::fetch(&source, |page| {
                    first_page.get_or_insert_with(|| started.elapsed());
                    fetched.extend(page.entities);
                }))
                .unwrap();
            report("remote_fetch", started.elapsed().as_secs_f64(), "s");
            report("remote_fetch_cpu", cpu_s() - cpu0, "s");
            report(
                "remote_first_page",
                first_page.unwrap_or_default().as_secs_f64() * 1e3,
                "ms",
            );
            report_peak("remote_fetch_peak_rss");
            assert_eq!(fetched.len(), expected);
        }
        "remote" => {
            // The portal's runtime: two workers; the loop folds events on this thread.
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let spec = SourceSpec::Backstage(source);
            let mut tracker = SourceTracker::new(std::slice::from_ref(&spec));
            let mut catalog = Catalog::new();
            let mut index = SearchIndex::build(&catalog);
            let options = LoadOptions {
                mode: LoadMode::Startup,
                offline: false,
                cache_dir: Some(cache_dir.into()),
            };
            let mut done_at = None;
            let mut done_sent = None;
            let mut folding = (0.0, 0.0);
            runtime.block_on(async {
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                spawn_with(0, spec, tx, options);
                while let Some(event) = rx.recv().await {
                    let done = matches!(event, LoadEvent::Done { .. });
                    if done {
                        done_sent = Some(started.elapsed());
                    }
                    let t = thread_cpu_s();
                    let changed = tracker.apply(&mut catalog, event);
                    let u = thread_cpu_s();
                    folding.0 += u - t;
                    if changed {
                        index.extend(&catalog);
                    }
                    if done {
                        // As the portal does once nothing is loading: ties ranked again with
                        // every dependent in (see `App::extend_index`).
                        index.refresh_ranks(&catalog);
                    }
                    folding.1 += thread_cpu_s() - u;
                    if done {
                        done_at = Some((started.elapsed(), cpu_s() - cpu0));
                    }
                }
            });
            // What the folding thread spent, of the process CPU above: the catalog (with the
            // tracker) and the search index.
            report("remote_load_fold_catalog_cpu", folding.0, "s");
            report("remote_load_fold_index_cpu", folding.1, "s");
            let (wall, cpu) = done_at.expect("the source said it was done");
            if let Some(sent) = done_sent {
                // `Done` applied: the references checked over the whole catalog.
                report(
                    "remote_load_done_applied",
                    (wall - sent).as_secs_f64() * 1e3,
                    "ms",
                );
            }
            report("remote_load_total", wall.as_secs_f64(), "s");
            report("remote_load_total_cpu", cpu, "s");
            // What stays resident once the pages are folded: the catalog and the index.
            if let Some(mib) = status_mib("VmRSS:") {
                report("remote_load_rss_loaded", mib, "MiB");
            }
            // Then the cache, from the catalog, as the portal writes it after a load.
            let warnings = tracker.write_saves(&catalog);
            assert!(warnings.is_empty(), "{warnings:?}");
            report(
                "remote_load_cache_written",
                started.elapsed().as_secs_f64(),
                "s",
            );
            report("remote_load_cache_written_cpu", cpu_s() - cpu0, "s");
            report_peak("remote_load_total_peak_rss");
            assert_eq!(catalog.len(), expected);
            assert_eq!(index.len(), expected);
            assert_eq!(tracker.statuses()[0].state, SourceState::Ready);
            let written = cache::path_for(std::path::Path::new(cache_dir), "bench", url);
            assert!(written.is_file(), "the cache was written");
            assert!(!catalog.problems().any(|p| p.message.contains("cache")));
        }
        "cli" | "cache" => {
            let options = LoadOptions {
                mode: if phase == "cli" {
                    LoadMode::NetworkFirst
                } else {
                    LoadMode::Startup
                },
                offline: phase == "cache",
                cache_dir: Some(cache_dir.into()),
            };
            let loaded = load_blocking_with(&[SourceSpec::Backstage(source)], &options);
            let name = if phase == "cli" {
                "remote_load_cli"
            } else {
                "cache_startup_total"
            };
            report(name, started.elapsed().as_secs_f64(), "s");
            report(&format!("{name}_cpu"), cpu_s() - cpu0, "s");
            report_peak(&format!("{name}_peak_rss"));
            assert_eq!(loaded.catalog.len(), expected);
        }
        other => panic!("unknown phase {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        let expected = args[i + 4].parse().unwrap();
        child(&args[i + 1], &args[i + 2], &args[i + 3], expected);
        return;
    }
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let entities = idp_tui::synthetic::generate(n, 42);
    let n = entities.len();
    report("entities", n as f64, "count");

    // The server's pages: each entity as Backstage serves it, with its relations.
    let docs: Vec<Value> = entities
        .iter()
        .map(|e| {
            let mut doc = e.to_value();
            let (relations, _) = spec_relations(e);
            doc["relations"] = relations
                .iter()
                .map(|(t, r)| json!({"type": t.as_str(), "targetRef": r.as_str()}))
                .collect();
            doc
        })
        .collect();
    let pages: Vec<Vec<u8>> = docs
        .chunks(PAGE)
        .enumerate()
        .map(|(i, chunk)| {
            let mut body = json!({"items": chunk, "totalItems": n, "pageInfo": {}});
            if (i + 1) * PAGE < n {
                body["pageInfo"]["nextCursor"] = json!(format!("page-{}", i + 1));
            }
            serde_json::to_vec(&body).unwrap()
        })
        .collect();
    drop(docs);
    let wire: usize = pages.iter().map(Vec::len).sum();
    report("served_json", wire as f64 / 1e6, "MB");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        for (i, body) in pages.into_iter().enumerate() {
            let mock = Mock::given(method("GET"));
            let mock = if i == 0 {
                mock.and(query_param_is_missing("cursor"))
            } else {
                mock.and(query_param("cursor", format!("page-{i}")))
            };
            mock.respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
                .mount(&server)
                .await;
        }
        server
    });
    let source = bench_source(&server.uri());

    drop(entities);

    // 0. Paging alone: every page requested and its cursor read, nothing decoded: the floor
    // a load from the server is compared with.
    let started = Instant::now();
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!(
                "{}/api/catalog/entities/by-query?limit={PAGE}",
                server.uri()
            );
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let body = client.get(url).send().await.unwrap().bytes().await.unwrap();
            #[derive(serde::Deserialize)]
            struct Head {
                #[serde(rename = "pageInfo")]
                page_info: Value,
            }
            let head: Head = serde_json::from_slice(&body).unwrap();
            match head.page_info.get("nextCursor").and_then(Value::as_str) {
                Some(next) => cursor = Some(next.to_string()),
                None => break,
            }
        }
    });
    let paging = started.elapsed().as_secs_f64();
    report("remote_paging", paging, "s");

    let dir = tempfile::tempdir().unwrap();
    let key = source.shown_url();
    // 1. Fetch only (HTTP, JSON and entity parsing, page by page) against the whole load as
    // the portal does it (fetch, catalog, index; the cache written after), each in a child
    // process for a clean peak-memory figure, taking turns: this machine's speed drifts by up to
    // 2x within a minute, so one run of each compares two different machines. Each load starts
    // without a cache, as a first start does.
    let rounds: usize = std::env::var("IDP_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let (mut fetches, mut loads, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let fresh = tempfile::tempdir().unwrap();
        let fetch = child_figures("fetch", &key, fresh.path(), n);
        let load = child_figures("remote", &key, fresh.path(), n);
        ratios.push(figure(&load, "remote_load_total") / figure(&fetch, "remote_fetch"));
        fetches.push(fetch);
        loads.push(load);
    }
    report("remote_rounds", rounds as f64, "count");
    report_medians(&fetches);
    report_medians(&loads);
    report("remote_load_ratio", median(ratios.clone()), "x");
    report(
        "remote_load_ratio_best",
        ratios.iter().copied().fold(f64::INFINITY, f64::min),
        "x",
    );
    report(
        "remote_load_ratio_worst",
        ratios.iter().copied().fold(0.0, f64::max),
        "x",
    );
    println!("(remote_load_ratio: the median over the rounds of the load's time over the fetch's; the target is at most 1.2x)");

    // The entities again, here, for the catalog and cache figures below (not timed).
    let mut fetched = Vec::with_capacity(n);
    runtime
        .block_on(backstage::fetch(&source, |page| {
            fetched.extend(page.entities)
        }))
        .unwrap();
    assert_eq!(fetched.len(), n);

    // 2. The catalog built from them (server relations, no derivation).
    let started = Instant::now();
    let catalog = Catalog::from_entities(fetched.iter().cloned(), vec![]);
    report("catalog_build", started.elapsed().as_secs_f64(), "s");
    drop(catalog);

    // 3. The load as the command line does it, which writes the cache the next phases read.
    in_child_n("cli", &key, dir.path(), n);

    // 4. The cache alone, in both encodings: write, size, read.
    for (label, encoding) in [
        ("msgpack", cache::Encoding::MessagePack),
        ("json", cache::Encoding::Json),
    ] {
        let path = dir.path().join(format!("bench-{label}.cache"));
        let started = Instant::now();
        cache::write(&path, &key, &fetched, &[], encoding).unwrap();
        report(
            &format!("cache_write_{label}"),
            started.elapsed().as_secs_f64(),
            "s",
        );
        let size = std::fs::metadata(&path).unwrap().len();
        report(&format!("cache_size_{label}"), size as f64 / 1e6, "MB");
        let started = Instant::now();
        let back = cache::read(&path, &key).unwrap().unwrap();
        report(
            &format!("cache_read_{label}"),
            started.elapsed().as_secs_f64(),
            "s",
        );
        assert_eq!(back.entities.len(), n);
    }
    drop(fetched);

    // 5. Start-up from the cache, offline: read and catalog, what the portal shows first.
    in_child_n("cache", &key, dir.path(), n);
    drop(server);
}
