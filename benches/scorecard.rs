//! Scorecard benchmark: the built-in production-readiness scorecard over a synthetic
//! 100,000-entity catalog (`IDP_BENCH_ENTITIES` to change the size).
//!
//! `cargo bench --bench scorecard` prints `name: value unit` lines. Evaluation runs on one
//! thread; times are the best of five runs, wall and process CPU time.

/// The allocator the portal uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idp_tui::catalog::Catalog;
use idp_tui::scorecard::{default_scorecards, Date, Report};
use std::time::{Duration, Instant};

fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `f` five times; the best wall and CPU times, and the last result.
fn best<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut wall = Duration::MAX;
    let mut cpu = Duration::MAX;
    let mut out = None;
    for _ in 0..5 {
        let (t, c) = (Instant::now(), process_cpu());
        let r = std::hint::black_box(f());
        wall = wall.min(t.elapsed());
        cpu = cpu.min(process_cpu() - c);
        out = Some(r);
    }
    (wall, cpu, out.expect("ran at least once"))
}

fn main() {
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let entities = idp_tui::synthetic::generate(n, 1);
    let catalog = Catalog::from_entities(entities, vec![]);
    println!("catalog_entities: {} entities", catalog.len());
    let (wall, _, cards) = best(default_scorecards);
    println!("load_default_scorecard: {:.3} ms", ms(wall));
    let card = &cards[0];
    let today = Date::today();

    let (wall, cpu, report) = best(|| Report::build(card, &catalog, today));
    println!("scored_entities: {} entities", report.scores.len());
    println!(
        "rules_evaluated: {} rules",
        report.scores.len() * card.rules.len()
    );
    println!("evaluate_default_wall: {:.1} ms", ms(wall));
    println!("evaluate_default_cpu: {:.1} ms", ms(cpu));
    println!(
        "evaluate_per_entity: {:.2} us",
        wall.as_secs_f64() * 1e6 / report.scores.len().max(1) as f64
    );
    let counts = report.distribution(card);
    println!("below_first_level: {} entities", counts[0]);
    for (i, name) in card.levels.iter().enumerate() {
        println!("level_{}: {} entities", name.to_lowercase(), counts[i + 1]);
    }
    let (wall, _, owners) = best(|| report.by_owner(card, &catalog));
    println!(
        "by_owner_rollup: {:.1} ms ({} owners)",
        ms(wall),
        owners.len()
    );
    let (wall, _, _) = best(|| report.failing_by_rule());
    println!("failing_by_rule: {:.1} ms", ms(wall));
}
