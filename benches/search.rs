//! Search benchmark: progressive typing over a synthetic 100,000-entity catalog.
//!
//! `cargo bench --bench search` prints `name: value unit` lines. Times are process CPU time
//! (stable on a busy machine) and wall time. A nucleo-matcher pass over the same names is
//! printed beside ours as a baseline ratio.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

/// The allocator the portal uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idp_tui::catalog::Catalog;
use idp_tui::search::{Query, SearchIndex, Searcher};
use std::time::Instant;

fn thread_cpu() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let entities = idp_tui::synthetic::generate(n, 1);
    let t = Instant::now();
    let catalog = Catalog::from_entities(entities, vec![]);
    println!("catalog_build: {:.1} ms", ms(t.elapsed()));
    let t = Instant::now();
    let index = SearchIndex::build(&catalog);
    println!("index_build: {:.1} ms", ms(t.elapsed()));
    let mut searcher = Searcher::new(index);
    // The portal opens on an empty query: the browsing order is sorted then, once.
    let t = Instant::now();
    std::hint::black_box(searcher.search(&Query::parse(""), 200));
    println!("first_empty_query: {:.1} ms", ms(t.elapsed()));
    let names: Vec<String> = catalog
        .entities()
        .iter()
        .map(|e| e.metadata.name.clone())
        .collect();

    for query in [
        "payments",
        "settlmnt",
        "ledgrwrk",
        "paymntsv",
        "kind:api fraud",
    ] {
        let mut cpu = Vec::new();
        let mut wall = Vec::new();
        let mut nucleo = Vec::new();
        let mut skim = Vec::new();
        for end in 1..=query.len() {
            let Some(prefix) = query.get(..end) else {
                continue;
            };
            let q = Query::parse(prefix);
            let (c0, w0) = (thread_cpu(), Instant::now());
            // The portal asks for the rows it can show, and narrows as the user types.
            let r = searcher.search(&q, 200);
            cpu.push(ms(thread_cpu() - c0));
            if std::env::var_os("IDP_BENCH_VERBOSE").is_some() {
                eprintln!(
                    "  {prefix:?}: {:.2} ms, {} matches",
                    cpu[cpu.len() - 1],
                    r.total
                );
            }
            wall.push(ms(w0.elapsed()));
            std::hint::black_box(r);
            nucleo.push(nucleo_names(&names, prefix));
            skim.push(skim_names(&names, prefix));
        }
        let worst = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
        let mut sorted = cpu.clone();
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let label = query.replace([' ', ':'], "_");
        println!("keystroke_worst_cpu[{label}]: {:.2} ms", worst(&cpu));
        println!(
            "keystroke_median_cpu[{label}]: {:.2} ms",
            sorted[sorted.len() / 2]
        );
        println!("keystroke_worst_wall[{label}]: {:.2} ms", worst(&wall));
        println!("nucleo_names_worst_cpu[{label}]: {:.2} ms", worst(&nucleo));
        println!(
            "fuzzy_matcher_names_worst_cpu[{label}]: {:.2} ms",
            worst(&skim)
        );
        println!(
            "ratio_ours_to_nucleo_names[{label}]: {:.2} x",
            worst(&cpu) / worst(&nucleo).max(0.001)
        );
    }
}

/// nucleo-matcher scoring every name for one pattern: the baseline.
fn nucleo_names(names: &[String], pattern: &str) -> f64 {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(pattern, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let c0 = thread_cpu();
    let mut hits = 0usize;
    for n in names {
        if pattern
            .score(Utf32Str::new(n, &mut buf), &mut matcher)
            .is_some()
        {
            hits += 1;
        }
    }
    std::hint::black_box(hits);
    ms(thread_cpu() - c0)
}

/// fuzzy-matcher's SkimMatcherV2 over every name: the matcher we started with.
fn skim_names(names: &[String], pattern: &str) -> f64 {
    use fuzzy_matcher::skim::SkimMatcherV2;
    use fuzzy_matcher::FuzzyMatcher;
    let m = SkimMatcherV2::default().ignore_case();
    let c0 = thread_cpu();
    let hits = names
        .iter()
        .filter(|n| m.fuzzy_match(n, pattern).is_some())
        .count();
    std::hint::black_box(hits);
    ms(thread_cpu() - c0)
}
