//! Loading a large remote catalog: 100,000 synthetic entities served by a local test server as
//! Backstage by-query pages of 500 (with server relations), then the same catalog from the
//! offline cache in both encodings. Prints `name: value unit` lines.
//!
//! Run with `cargo bench --bench remote` (`IDP_BENCH_ENTITIES=20000` for a quicker run).

use idp_tui::catalog::relations::spec_relations;
use idp_tui::catalog::Catalog;
use idp_tui::source::{
    backstage, cache, load_blocking_with, BackstageSource, LoadMode, LoadOptions, SourceSpec,
};
use serde_json::{json, Value};
use std::time::Instant;
use wiremock::matchers::{method, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGE: usize = 500;

/// Peak resident memory since the last reset, in MiB (Linux; `None` elsewhere).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
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

fn report(name: &str, value: f64, unit: &str) {
    println!("{name}: {value:.3} {unit}");
}

fn report_peak(name: &str) {
    if let Some(mib) = peak_mib() {
        report(name, mib, "MiB");
    }
}

/// Runs one load in a child process, so its peak memory is its own, and passes on its lines.
fn in_child_n(phase: &str, url: &str, cache_dir: &std::path::Path, expected: usize) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--phase", phase, url])
        .arg(cache_dir)
        .arg(expected.to_string())
        .output()
        .unwrap();
    print!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "{phase}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A child's work: one complete load, timed, then its peak memory.
fn child(phase: &str, url: &str, cache_dir: &str, expected: usize) {
    let mut source = BackstageSource::from_url(url);
    source.name = "bench".into();
    source.token = idp_tui::source::TokenSource::None;
    source.http.page_size = PAGE;
    let options = LoadOptions {
        mode: if phase == "remote" {
            LoadMode::NetworkFirst
        } else {
            LoadMode::Startup
        },
        offline: phase == "cache",
        cache_dir: Some(cache_dir.into()),
    };
    let started = Instant::now();
    let cpu0 = cpu_s();
    let loaded = load_blocking_with(&[SourceSpec::Backstage(source)], &options);
    let name = if phase == "remote" {
        "remote_load_total"
    } else {
        "cache_startup_total"
    };
    report(name, started.elapsed().as_secs_f64(), "s");
    report(&format!("{name}_cpu"), cpu_s() - cpu0, "s");
    report_peak(&format!("{name}_peak_rss"));
    assert_eq!(loaded.catalog.len(), expected);
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
    let mut source = BackstageSource::from_url(&server.uri());
    source.name = "bench".into();
    source.token = idp_tui::source::TokenSource::None;
    source.http.page_size = PAGE;

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

    // 1. Fetch only: HTTP, JSON and entity parsing, page by page.
    let started = Instant::now();
    let mut fetched = Vec::with_capacity(n);
    let mut first_page = None;
    runtime
        .block_on(backstage::fetch(&source, |page| {
            first_page.get_or_insert_with(|| started.elapsed());
            fetched.extend(page.entities);
        }))
        .unwrap();
    report(
        "remote_first_page",
        first_page.unwrap_or_default().as_secs_f64() * 1e3,
        "ms",
    );
    report("remote_fetch", started.elapsed().as_secs_f64(), "s");
    assert_eq!(fetched.len(), n);

    // 2. The catalog built from them (server relations, no derivation).
    let started = Instant::now();
    let catalog = Catalog::from_entities(fetched.iter().cloned(), vec![]);
    report("catalog_build", started.elapsed().as_secs_f64(), "s");
    drop(catalog);

    // 3. The whole remote load as the command line does it (fetch, cache write, catalog), in a
    // child process for a clean peak-memory figure.
    let dir = tempfile::tempdir().unwrap();
    let key = source.shown_url();
    in_child_n("remote", &key, dir.path(), n);
    println!("(compare remote_load_total with remote_paging: the target is at most 1.2x)");

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
