//! Loading benchmark: a directory of catalog YAML files into the catalog and search index,
//! and the memory that holds.
//!
//! `cargo bench --bench load` generates (once) a synthetic catalog of `IDP_BENCH_ENTITIES`
//! entities (default 100,000) under the system temp dir and prints `name: value unit` lines.
//! A counting allocator also reports the live heap bytes of each stage and, from a second
//! load, where an entity's bytes go (`heap_entity_*`: bytes freed by dropping that field of
//! every entity, divided by the entity count).

use idp_tui::catalog::{Catalog, Entity};
use idp_tui::search::SearchIndex;
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call forwards to the system allocator with the same arguments; the counter is
// only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        INNER.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        INNER.dealloc(ptr, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        INNER.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        INNER.realloc(ptr, layout, new_size)
    }
}

/// The allocator the portal uses (src/main.rs), under the counting.
const INNER: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live_mb() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
}

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

/// CPU time of the whole process (both cores), steadier than wall time on a shared machine.
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Prints the heap bytes per entity freed by clearing one field of every entity.
fn breakdown(mut entities: Vec<Entity>, heap_before_load: isize) {
    let n = entities.len().max(1) as f64;
    let total = LIVE.load(Ordering::Relaxed) - heap_before_load;
    let mut report = |name: &str, clear: &mut dyn FnMut(&mut Entity)| {
        let before = LIVE.load(Ordering::Relaxed);
        entities.iter_mut().for_each(&mut *clear);
        let freed = before - LIVE.load(Ordering::Relaxed);
        println!("heap_entity_{name}: {:.0} bytes", freed as f64 / n);
    };
    report("spec", &mut |e| e.spec = Default::default());
    report("annotations", &mut |e| {
        e.metadata.annotations = Default::default()
    });
    report("labels", &mut |e| e.metadata.labels = Default::default());
    report("metadata_extra", &mut |e| {
        e.metadata.extra = Default::default()
    });
    report("tags", &mut |e| e.metadata.tags = Default::default());
    report("links", &mut |e| e.metadata.links = Default::default());
    report("description", &mut |e| {
        e.metadata.description = Default::default()
    });
    report("title", &mut |e| e.metadata.title = Default::default());
    report("name_namespace", &mut |e| {
        e.metadata.name = Default::default();
        e.metadata.namespace = Default::default();
    });
    report("api_version_kind", &mut |e| {
        e.api_version = Default::default();
        e.kind = Default::default();
    });
    report("server_relations", &mut |e| e.server_relations = None);
    let before = LIVE.load(Ordering::Relaxed);
    drop(entities);
    let rest = before - LIVE.load(Ordering::Relaxed);
    println!(
        "heap_entity_struct_and_ref: {:.0} bytes (size_of Entity {})",
        rest as f64 / n,
        std::mem::size_of::<Entity>()
    );
    println!("heap_entity_total: {:.0} bytes", total as f64 / n);
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
    let heap0 = live_mb();
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
    println!("heap_entities: {:.0} MB", live_mb() - heap0);
    println!("parse_yaml_dir: {:.0} entities/s", count as f64 / parse);

    let (t, cpu) = (Instant::now(), process_cpu());
    let catalog = Catalog::from_entities(entities, problems);
    let build = t.elapsed().as_secs_f64();
    println!(
        "catalog_build_cpu: {:.0} ms",
        (process_cpu() - cpu).as_secs_f64() * 1000.0
    );
    println!("catalog_build: {:.0} ms", build * 1000.0);
    println!("rss_catalog: {:.0} MB", memory_mb().0 - rss0);
    println!("heap_catalog: {:.0} MB", live_mb() - heap0);
    println!(
        "load_yaml_dir_total: {:.0} entities/s",
        count as f64 / (parse + build)
    );

    let t = Instant::now();
    let index = SearchIndex::build(&catalog);
    println!("index_build: {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let (rss, peak) = memory_mb();
    println!("entities: {count} count");
    println!("heap_catalog_and_index: {:.0} MB", live_mb() - heap0);
    println!("rss_catalog_and_index: {:.0} MB", rss - rss0);
    println!("peak_rss: {peak:.0} MB");
    std::hint::black_box((&catalog, &index));
    drop(index);
    drop(catalog);

    // Where an entity's bytes go, from a second load (the first is owned by the catalog).
    let heap = LIVE.load(Ordering::Relaxed);
    let (entities, _) = idp_tui::source::file::load_all(std::slice::from_ref(&path));
    breakdown(entities, heap);
}
