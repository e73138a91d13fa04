//! Loading benchmark: a directory of catalog YAML files into the catalog and search index,
//! and the memory that holds.
//!
//! `cargo bench --bench load` generates (once) a synthetic catalog of `IDP_BENCH_ENTITIES`
//! entities (default 100,000) under the system temp dir and prints `name: value unit` lines.

use idp_tui::catalog::Catalog;
use idp_tui::search::SearchIndex;
use std::time::Instant;

/// Resident and peak memory of this process, from /proc (Linux); zero elsewhere.
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::temp_dir().join(format!("idp-tui-bench-catalog-{n}"));
    if !dir.join(".complete").exists() {
        let entities = idp_tui::synthetic::generate(n, 1);
        idp_tui::synthetic::write_yaml(&dir, &entities, 100).expect("write catalog");
        std::fs::write(dir.join(".complete"), "").expect("mark complete");
    }
    let (rss0, _) = memory_mb();
    let path = dir.to_string_lossy().to_string();

    let t = Instant::now();
    let (entities, problems) = idp_tui::source::file::load_all(std::slice::from_ref(&path));
    let parse = t.elapsed().as_secs_f64();
    assert!(
        problems.is_empty(),
        "{:?}",
        &problems[..problems.len().min(3)]
    );
    let count = entities.len();
    println!("rss_entities: {:.0} MB", memory_mb().0 - rss0);
    println!("parse_yaml_dir: {:.0} entities/s", count as f64 / parse);

    let t = Instant::now();
    let catalog = Catalog::from_entities(entities, problems);
    let build = t.elapsed().as_secs_f64();
    println!("catalog_build: {:.0} ms", build * 1000.0);
    println!("rss_catalog: {:.0} MB", memory_mb().0 - rss0);
    println!(
        "load_yaml_dir_total: {:.0} entities/s",
        count as f64 / (parse + build)
    );

    let t = Instant::now();
    let index = SearchIndex::build(&catalog);
    println!("index_build: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let (rss, peak) = memory_mb();
    println!("entities: {count} count");
    println!("rss_catalog_and_index: {:.0} MB", rss - rss0);
    println!("peak_rss: {peak:.0} MB");
    std::hint::black_box((&catalog, &index));
}
