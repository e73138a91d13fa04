//! Dependency and ownership benchmark over a synthetic 100,000-entity catalog.
//!
//! `cargo bench --bench graph` prints `name: value unit` lines: the median thread CPU time of
//! several runs of each view (stable on a shared machine; `name_wall` lines give wall time), with
//! the size of what was built. `IDP_BENCH_ENTITIES` changes the catalog size.

/// The allocator the portal uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use idp_tui::catalog::{Catalog, EntityId, RelationType};
use idp_tui::graph::{self, export, DEFAULT_DEPTH};
use idp_tui::ownership;
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs `f` several times; returns the median CPU milliseconds, median wall milliseconds and
/// the last result.
fn median_ms<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut cpu = Vec::with_capacity(runs);
    let mut wall = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let (c, t) = (thread_cpu(), Instant::now());
        let out = black_box(f());
        wall.push(t.elapsed());
        cpu.push(thread_cpu() - c);
        last = Some(out);
    }
    cpu.sort();
    wall.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let out = last.expect("at least one run");
    (ms(cpu[runs / 2]), ms(wall[runs / 2]), out)
}

/// Times `f` and prints `name: cpu ms` and `name_wall: wall ms`.
fn timed<T>(name: &str, runs: usize, f: impl FnMut() -> T) -> T {
    let (cpu, wall, out) = median_ms(runs, f);
    println!("{name}: {cpu:.3} ms");
    println!("{name}_wall: {wall:.3} ms");
    out
}

/// The entity with the most edges of one relation: the hub of the power law.
fn hub(catalog: &Catalog, kind: &str, relation: RelationType) -> EntityId {
    catalog
        .ids()
        .filter(|&id| catalog.get(id).kind_lower() == kind)
        .max_by_key(|&id| catalog.related(id, relation).count())
        .expect("the catalog has entities of this kind")
}

fn main() {
    let n: usize = std::env::var("IDP_BENCH_ENTITIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let entities = idp_tui::synthetic::generate(n, 1);
    let (t, cpu) = (Instant::now(), thread_cpu());
    let catalog = Catalog::from_entities(entities, vec![]);
    let build_cpu = thread_cpu() - cpu;
    println!("entities: {} count", catalog.len());
    println!("catalog_build: {:.1} ms", build_cpu.as_secs_f64() * 1000.0);
    println!(
        "catalog_build_wall: {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    // Trees list children in reference order; the catalog ranks all refs once, on first use.
    let cpu = thread_cpu();
    black_box(catalog.ref_order());
    println!(
        "ref_order_first_use: {:.1} ms",
        (thread_cpu() - cpu).as_secs_f64() * 1000.0
    );

    let dep_hub = hub(&catalog, "component", RelationType::DependencyOf);
    println!(
        "hub_direct_dependents: {} count",
        catalog.related(dep_hub, RelationType::DependencyOf).count()
    );
    let tree = timed("reverse_tree_depth5_hub", RUNS, || {
        graph::reverse(&catalog, dep_hub, DEFAULT_DEPTH)
    });
    println!("reverse_tree_depth5_hub_nodes: {} count", tree.nodes.len());
    println!(
        "reverse_tree_depth5_hub_blast_radius: {} count",
        tree.size()
    );
    println!(
        "reverse_tree_depth5_hub_cycle_edges: {} count",
        tree.cycles()
    );
    let impact = timed("impact_owners_hub", RUNS, || graph::impact(&catalog, &tree));
    println!("impact_owners_hub_teams: {} count", impact.owners.len());
    let json = timed("reverse_tree_hub_to_json", 5, || {
        export::to_json(&catalog, &tree)
    });
    black_box(json);
    let text = timed("reverse_tree_hub_to_text", 5, || {
        export::to_text(&catalog, &tree)
    });
    println!(
        "reverse_tree_hub_text_lines: {} count",
        text.lines().count()
    );

    let tree = timed("reverse_tree_depth10_hub", 5, || {
        graph::reverse(&catalog, dep_hub, 10)
    });
    println!("reverse_tree_depth10_hub_nodes: {} count", tree.nodes.len());

    let api_hub = hub(&catalog, "api", RelationType::ApiConsumedBy);
    let tree = timed("reverse_tree_depth5_api_hub", RUNS, || {
        graph::reverse(&catalog, api_hub, DEFAULT_DEPTH)
    });
    println!(
        "reverse_tree_depth5_api_hub_nodes: {} count",
        tree.nodes.len()
    );

    // A leaf-ish component (the last one generated) that depends on hubs.
    let consumer = catalog
        .ids()
        .filter(|&id| catalog.get(id).kind_lower() == "component")
        .last()
        .expect("components exist");
    let tree = timed("forward_tree_depth5_leaf", RUNS, || {
        graph::forward(&catalog, consumer, DEFAULT_DEPTH)
    });
    println!("forward_tree_depth5_leaf_nodes: {} count", tree.nodes.len());
    let dep_heavy = hub(&catalog, "component", RelationType::DependsOn);
    let tree = timed("forward_tree_depth5_most_deps", RUNS, || {
        graph::forward(&catalog, dep_heavy, DEFAULT_DEPTH)
    });
    println!(
        "forward_tree_depth5_most_deps_nodes: {} count",
        tree.nodes.len()
    );

    let card = timed("owner_card", RUNS, || {
        ownership::owner_card(&catalog, consumer)
    });
    black_box(card);
    let root_group = catalog
        .ids()
        .find(|&id| catalog.get(id).kind_lower() == "group")
        .expect("groups exist");
    let owned = timed("owned_by_root_group_with_children", 5, || {
        ownership::owned_by(&catalog, root_group, true)
    });
    println!(
        "owned_by_root_group_with_children_items: {} count",
        owned.len()
    );
    let gaps = timed("ownership_gaps_whole_catalog", 5, || {
        ownership::gaps(&catalog)
    });
    println!("ownership_gaps_found: {} count", gaps.len());

    let domain = graph::structure_roots(&catalog)[0];
    let tree = timed("structure_tree_domain", RUNS, || {
        graph::structure(&catalog, domain, DEFAULT_DEPTH)
    });
    println!("structure_tree_domain_nodes: {} count", tree.nodes.len());

    // The portal's Dependencies tab on the hub: building the reverse tree with its teams and
    // rows (on a key press), then drawing one 120x40 frame (only the visible rows).
    let index = idp_tui::search::SearchIndex::build(&catalog);
    let theme = idp_tui::tui::theme::Theme::default();
    let scores = idp_tui::scorecard::Scoreboard::default();
    let ctx = idp_tui::tui::panes::Ctx {
        catalog: &catalog,
        index: &index,
        theme: &theme,
        scores: &scores,
        page: 30,
        prefs: &idp_tui::tui::panes::DEFAULT_PREFS,
        live: &idp_tui::live::NO_REPORTS,
        now: std::time::SystemTime::now(),
        initiatives: &idp_tui::tui::panes::NO_INITIATIVES,
    };
    use idp_tui::tui::tabs::{dependencies::Dependencies, EntityTab};
    let tab = timed("tui_dependencies_tab_reverse_hub_open", 5, || {
        Dependencies::new(&ctx, dep_hub, graph::Direction::Reverse)
    });
    println!(
        "tui_dependencies_tab_reverse_hub_rows: {} count",
        tab.row_count()
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40))
        .expect("a test backend");
    timed("tui_dependencies_tab_frame", RUNS, || {
        terminal
            .draw(|frame| tab.render(&ctx, frame.area(), frame))
            .map(|_| ())
            .expect("drawing on a test backend never fails")
    });
    server_hub();
}

/// A hub as a Backstage server sends it: listed first with every dependent in its relations
/// (each still missing then), the dependents following in pages of 500. Each page resolves
/// some of the hub's waiting edges; they are dropped once per page, not once per dependent.
fn server_hub() {
    use idp_tui::catalog::{Entity, Origin};
    use serde_json::json;
    let n = 20_000;
    let server = |name: String, relations: Vec<serde_json::Value>| {
        let doc = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": name},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team"},
            "relations": relations});
        Entity::from_value(doc, Origin::new("https://backstage.example.com", None))
            .expect("a valid entity")
            .0
    };
    let relation = |t: &str, target: String| json!({"type": t, "targetRef": target});
    let mut entities = vec![server(
        "hub".into(),
        (0..n)
            .map(|i| relation("dependencyOf", format!("component:default/dep-{i}")))
            .collect(),
    )];
    entities.extend((0..n).map(|i| {
        server(
            format!("dep-{i}"),
            vec![relation("dependsOn", "component:default/hub".into())],
        )
    }));
    let catalog = timed("server_hub_pages", 5, || {
        let mut catalog = Catalog::new();
        for page in entities.chunks(500) {
            catalog.insert_batch(page.to_vec(), |_| {});
        }
        catalog
    });
    assert_eq!(
        catalog
            .related(EntityId(0), RelationType::DependencyOf)
            .count(),
        n
    );
    println!("server_hub_pages_dependents: {n} count");
}
