//! A deterministic synthetic catalog, for benchmarks and scale tests: realistic names, a group
//! hierarchy with users, domains, systems, components, APIs and resources, and dependency edges
//! with power-law fan-in (a few hubs that many things need) and a few cycles.
//!
//! The same `(entities, seed)` always gives the same catalog, so benchmark runs compare.

use crate::catalog::{Entity, Origin};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

const WORDS: [&str; 48] = [
    "ledger",
    "payments",
    "checkout",
    "billing",
    "invoice",
    "fraud",
    "risk",
    "identity",
    "auth",
    "session",
    "profile",
    "search",
    "catalog",
    "inventory",
    "pricing",
    "orders",
    "cart",
    "shipping",
    "tracking",
    "notify",
    "email",
    "sms",
    "audit",
    "report",
    "analytics",
    "metrics",
    "gateway",
    "router",
    "config",
    "feature",
    "flags",
    "scheduler",
    "batch",
    "export",
    "import",
    "settlement",
    "refund",
    "wallet",
    "rewards",
    "loyalty",
    "merchant",
    "onboarding",
    "kyc",
    "compliance",
    "tax",
    "currency",
    "ledgerline",
    "statement",
];
const SUFFIXES: [&str; 10] = [
    "service", "api", "worker", "web", "sync", "engine", "store", "proxy", "lib", "job",
];
const TAGS: [&str; 12] = [
    "java",
    "go",
    "python",
    "typescript",
    "kotlin",
    "rust",
    "kafka",
    "postgres",
    "redis",
    "pci",
    "grpc",
    "graphql",
];
const LIFECYCLES: [&str; 3] = ["production", "experimental", "deprecated"];

/// A small, fast, deterministic random number generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index skewed towards 0: a few early items are picked very often (power law).
    fn skewed(&mut self, n: usize) -> usize {
        ((self.unit().powf(3.0)) * n as f64) as usize % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// How many entities of each kind a catalog of `n` entities has.
struct Mix {
    domains: usize,
    systems: usize,
    groups: usize,
    users: usize,
    apis: usize,
    resources: usize,
    components: usize,
}

impl Mix {
    fn for_total(n: usize) -> Self {
        let domains = (n / 1000).max(1);
        let systems = (n / 40).max(1);
        let groups = (n / 60).max(2);
        let users = n / 8;
        let apis = n / 8;
        let resources = n / 10;
        let fixed = domains + systems + groups + users + apis + resources;
        Self {
            domains,
            systems,
            groups,
            users,
            apis,
            resources,
            components: n.saturating_sub(fixed).max(1),
        }
    }
}

fn name(prefix: &str, i: usize, rng: &mut Rng) -> String {
    let a = rng.pick(&WORDS);
    let b = rng.pick(&SUFFIXES);
    format!("{prefix}{a}-{b}-{i}")
}

fn entity(v: Value, file: &str) -> Entity {
    // The generator builds valid documents; a failure here is a bug in this module.
    Entity::from_value(v, Origin::new(file, Some(1)))
        .expect("synthetic entities are well formed")
        .0
}

/// Generates a catalog of about `entities` entities.
pub fn generate(entities: usize, seed: u64) -> Vec<Entity> {
    let mut rng = Rng(seed ^ 0x5eed);
    let mix = Mix::for_total(entities);
    let mut out = Vec::with_capacity(entities + 8);
    let file = "synthetic.yaml";
    let group_name = |i: usize| format!("team-{}-{i}", WORDS[i % WORDS.len()]);
    // Groups: a tree, each group's parent an earlier group.
    for i in 0..mix.groups {
        let parent = (i > 0).then(|| group_name((i - 1) / 4));
        let children: Vec<String> = (i * 4 + 1..(i * 4 + 5).min(mix.groups))
            .map(group_name)
            .collect();
        let mut spec = json!({"type": if i == 0 { "organization" } else { "team" }, "children": children,
            "profile": {"displayName": format!("Team {}", group_name(i)), "email": format!("{}@example.com", group_name(i))}});
        if let Some(p) = parent {
            spec["parent"] = p.into();
        }
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Group",
                "metadata": {"name": group_name(i), "annotations": {"pagerduty.com/service-id": format!("P{i:06}")},
                    "links": [{"url": format!("https://chat.example.com/{}", group_name(i)), "title": format!("#{}", group_name(i)), "icon": "chat"}]},
                "spec": spec}),
            file,
        ));
    }
    for i in 0..mix.users {
        let g = group_name(rng.below(mix.groups));
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "User",
                "metadata": {"name": format!("user-{i}")},
                "spec": {"profile": {"displayName": format!("User {i}"), "email": format!("user-{i}@example.com")}, "memberOf": [g]}}),
            file,
        ));
    }
    let owner =
        |rng: &mut Rng| group_name(1 + rng.below(mix.groups.saturating_sub(1)).min(mix.groups - 1));
    for i in 0..mix.domains {
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Domain",
                "metadata": {"name": format!("domain-{i}"), "description": format!("Business domain {i}")},
                "spec": {"owner": owner(&mut rng)}}),
            file,
        ));
    }
    let systems: Vec<String> = (0..mix.systems)
        .map(|i| name("sys-", i, &mut rng))
        .collect();
    for s in &systems {
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "System",
                "metadata": {"name": s, "description": format!("The {s} system")},
                "spec": {"owner": owner(&mut rng), "domain": format!("domain-{}", rng.below(mix.domains))}}),
            file,
        ));
    }
    let resources: Vec<String> = (0..mix.resources)
        .map(|i| name("res-", i, &mut rng))
        .collect();
    for r in &resources {
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Resource",
                "metadata": {"name": r, "description": "A datastore", "tags": [rng.pick(&["postgres", "redis", "kafka"])]},
                "spec": {"type": "database", "owner": owner(&mut rng), "system": systems[rng.below(systems.len())]}}),
            file,
        ));
    }
    let apis: Vec<String> = (0..mix.apis).map(|i| name("api-", i, &mut rng)).collect();
    for a in &apis {
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API",
                "metadata": {"name": a, "description": format!("HTTP interface of {a}")},
                "spec": {"type": "openapi", "lifecycle": "production", "owner": owner(&mut rng),
                    "system": systems[rng.below(systems.len())],
                    "definition": "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n"}}),
            file,
        ));
    }
    let components: Vec<String> = (0..mix.components).map(|i| name("", i, &mut rng)).collect();
    for (i, c) in components.iter().enumerate() {
        let mut deps: Vec<String> = Vec::new();
        for _ in 0..rng.below(5) {
            let t = rng.skewed(components.len());
            if t != i {
                deps.push(format!("component:{}", components[t]));
            }
        }
        // A few cycles: hubs depend back on a later component now and then.
        if i < 10 && components.len() > 100 {
            deps.push(format!(
                "component:{}",
                components[components.len() / 2 + i]
            ));
        }
        if !resources.is_empty() && rng.below(2) == 0 {
            deps.push(format!(
                "resource:{}",
                resources[rng.skewed(resources.len())]
            ));
        }
        let provides: Vec<&String> = (!apis.is_empty() && rng.below(3) == 0)
            .then(|| &apis[rng.below(apis.len())])
            .into_iter()
            .collect();
        let consumes: Vec<&String> = (0..rng.below(3))
            .filter(|_| !apis.is_empty())
            .map(|_| &apis[rng.skewed(apis.len())])
            .collect();
        let tags: Vec<&str> = (0..1 + rng.below(3))
            .map(|_| rng.pick(&TAGS))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut annotations =
            json!({"backstage.io/source-location": format!("url:https://git.example.com/{c}")});
        if rng.below(3) > 0 {
            annotations["pagerduty.com/service-id"] = format!("PX{i:05}").into();
        }
        let mut description = String::new();
        let _ = write!(
            description,
            "{} {} for the {} team; handles {} traffic.",
            rng.pick(&["Owns", "Serves", "Runs", "Computes"]),
            rng.pick(&WORDS),
            rng.pick(&WORDS),
            rng.pick(&["internal", "customer", "partner", "batch"])
        );
        out.push(entity(
            json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                "metadata": {"name": c, "title": format!("{} {}", c.split('-').next().unwrap_or(c), rng.pick(&SUFFIXES)),
                    "description": description, "tags": tags, "annotations": annotations},
                "spec": {"type": rng.pick(&["service", "website", "library"]), "lifecycle": LIFECYCLES[rng.skewed(3)],
                    "owner": owner(&mut rng), "system": systems[rng.below(systems.len())],
                    "dependsOn": deps, "providesApis": provides, "consumesApis": consumes}}),
            file,
        ));
    }
    out
}

/// Writes entities as multi-document `catalog-info.yaml` files, `per_file` entities each, into
/// `dir` (created if needed), spread over subdirectories of 100 files.
pub fn write_yaml(dir: &Path, entities: &[Entity], per_file: usize) -> std::io::Result<usize> {
    let mut files = 0;
    for (i, chunk) in entities.chunks(per_file.max(1)).enumerate() {
        let sub = dir.join(format!("part-{:04}", i / 100));
        std::fs::create_dir_all(&sub)?;
        let mut text = String::new();
        for e in chunk {
            text.push_str("---\n");
            text.push_str(&serde_yaml::to_string(&e.to_value()).map_err(std::io::Error::other)?);
        }
        std::fs::write(sub.join(format!("catalog-info-{i:05}.yaml")), text)?;
        files += 1;
    }
    Ok(files)
}

/// Writes entities as Backstage `by-query` response pages (`page-00000.json`, …) of `limit`
/// items, each with `totalItems` and a `pageInfo.nextCursor` naming the next page.
pub fn write_pages(dir: &Path, entities: &[Entity], limit: usize) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let chunks: Vec<&[Entity]> = entities.chunks(limit.max(1)).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let mut page = json!({
            "items": chunk.iter().map(Entity::to_value).collect::<Vec<_>>(),
            "totalItems": entities.len(),
            "pageInfo": {}
        });
        if i + 1 < chunks.len() {
            page["pageInfo"]["nextCursor"] = format!("page-{:05}", i + 1).into();
        }
        std::fs::write(
            dir.join(format!("page-{i:05}.json")),
            serde_json::to_vec(&page)?,
        )?;
    }
    Ok(chunks.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, RelationType};

    #[test]
    fn same_seed_same_catalog() {
        let a = generate(500, 7);
        let b = generate(500, 7);
        assert_eq!(a, b);
        assert_ne!(a, generate(500, 8));
    }

    #[test]
    fn catalog_is_valid_and_connected() {
        let entities = generate(2_000, 1);
        assert!(
            (1_900..=2_100).contains(&entities.len()),
            "{}",
            entities.len()
        );
        let catalog = Catalog::from_entities(entities, vec![]);
        let errors: Vec<String> = catalog
            .problems()
            .filter(|p| p.severity == crate::catalog::Severity::Error)
            .map(|p| p.to_string())
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        // Power law: the most depended-on component has many dependents.
        let max_fan_in = catalog
            .ids()
            .map(|id| catalog.related(id, RelationType::DependencyOf).count())
            .max()
            .unwrap();
        assert!(max_fan_in > 20, "max fan-in {max_fan_in}");
    }

    #[test]
    fn yaml_round_trips_through_the_file_source() {
        let dir = tempfile::tempdir().unwrap();
        let entities = generate(300, 3);
        write_yaml(dir.path(), &entities, 50).unwrap();
        let (loaded, problems) =
            crate::source::file::load_all(&[dir.path().to_string_lossy().to_string()]);
        assert!(
            problems.is_empty(),
            "{:?}",
            &problems[..problems.len().min(3)]
        );
        assert_eq!(loaded.len(), entities.len());
    }
}
