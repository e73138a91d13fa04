//! Platform insights: how complete the catalog is (per team), how much of it has an owner that
//! resolves, which Software Templates made its entities, and its problems by class — the
//! adoption figures a platform team reports.

use crate::catalog::{Catalog, EntityId, Problem, RelationType, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

/// The annotation Backstage's scaffolder writes on what a template created.
pub const SOURCE_TEMPLATE: &str = "backstage.io/source-template";

/// The facts counted for each component, in output order.
pub const FACTS: [&str; 6] = [
    "owner",
    "description",
    "system",
    "lifecycle",
    "docs",
    "oncall",
];

/// The completeness of a set of components: how many have each fact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Completeness {
    /// The components counted.
    pub components: usize,
    /// Per fact (as [`FACTS`] names them), how many components have it.
    pub have: BTreeMap<&'static str, usize>,
}

impl Completeness {
    fn add(&mut self, facts: [bool; 6]) {
        self.components += 1;
        for (name, has) in FACTS.iter().zip(facts) {
            *self.have.entry(name).or_insert(0) += usize::from(has);
        }
    }

    /// The share of facts present over all components and facts, 0 to 100 (100 when empty).
    pub fn percent(&self) -> f64 {
        let possible = self.components * FACTS.len();
        if possible == 0 {
            return 100.0;
        }
        self.have.values().sum::<usize>() as f64 * 100.0 / possible as f64
    }
}

/// Problems of one class, by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProblemCount {
    /// Error-level problems.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// The insights over a catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Entities per kind (lowercase).
    pub entities: BTreeMap<String, usize>,
    /// Every component's completeness.
    pub completeness: Completeness,
    /// Completeness per owner (as the components name it; `(no owner)` for none).
    pub completeness_by_team: BTreeMap<String, Completeness>,
    /// Entities that can have an owner (everything but users, groups and locations).
    pub ownable: usize,
    /// How many of them have an owner that resolves to an entity in the catalog.
    pub owned: usize,
    /// Entities per `backstage.io/source-template` annotation value.
    pub templates: BTreeMap<String, usize>,
    /// Ownable entities without that annotation.
    pub without_template: usize,
    /// Problems per class: `file` (a file or document that did not load), `entity` (an entity
    /// that failed a rule), `reference` (a relation to an entity that is not in the catalog).
    pub problems: BTreeMap<&'static str, ProblemCount>,
}

/// The class of a problem, as [`Stats::problems`] counts it.
pub fn problem_class(p: &Problem) -> &'static str {
    if p.message.ends_with("no such entity in the catalog") {
        "reference"
    } else if p.entity.is_some() {
        "entity"
    } else {
        "file"
    }
}

fn facts(catalog: &Catalog, id: EntityId) -> [bool; 6] {
    let e = catalog.get(id);
    let annotation = |k: &str| {
        e.metadata
            .annotations
            .get(k)
            .is_some_and(|v| !v.trim().is_empty())
    };
    let spec = |k: &str| e.spec_str(k).is_some_and(|v| !v.trim().is_empty());
    [
        catalog.related(id, RelationType::OwnedBy).next().is_some(),
        e.metadata
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty()),
        spec("system"),
        spec("lifecycle"),
        annotation("backstage.io/techdocs-ref"),
        annotation("pagerduty.com/service-id") || annotation("opsgenie.com/team"),
    ]
}

impl Stats {
    /// Counts the insights of a catalog.
    pub fn build(catalog: &Catalog) -> Stats {
        let mut s = Stats::default();
        for id in catalog.ids() {
            let e = catalog.get(id);
            let kind = e.kind_lower();
            *s.entities.entry(kind.to_string()).or_insert(0) += 1;
            if matches!(kind, "user" | "group" | "location") {
                continue;
            }
            s.ownable += 1;
            s.owned += usize::from(catalog.related(id, RelationType::OwnedBy).next().is_some());
            match e.metadata.annotations.get(SOURCE_TEMPLATE) {
                Some(t) if !t.trim().is_empty() => {
                    *s.templates.entry(t.trim().to_string()).or_insert(0) += 1
                }
                _ => s.without_template += 1,
            }
            if kind == "component" {
                let f = facts(catalog, id);
                s.completeness.add(f);
                let team = catalog
                    .owner_ref(id)
                    .map_or_else(|| "(no owner)".to_string(), |r| r.to_string());
                s.completeness_by_team.entry(team).or_default().add(f);
            }
        }
        for p in catalog.problems() {
            let c = s.problems.entry(problem_class(p)).or_default();
            match p.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
            }
        }
        s
    }

    /// The share of ownable entities whose owner resolves, 0 to 100 (100 when there are none).
    pub fn ownership_percent(&self) -> f64 {
        if self.ownable == 0 {
            100.0
        } else {
            self.owned as f64 * 100.0 / self.ownable as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(
        kind: &str,
        name: &str,
        metadata: serde_json::Value,
        spec: serde_json::Value,
    ) -> crate::catalog::Entity {
        let mut m = serde_json::json!({"name": name});
        if let (serde_json::Value::Object(m), serde_json::Value::Object(extra)) = (&mut m, metadata)
        {
            m.extend(extra);
        }
        crate::catalog::Entity::from_value(
            serde_json::json!({"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": m, "spec": spec}),
            crate::catalog::Origin::new("cat.yaml", Some(1)),
        )
        .unwrap()
        .0
    }

    #[test]
    fn templates_owners_and_facts_are_counted_per_team() {
        let made_by = |t: &str| serde_json::json!({"annotations": {SOURCE_TEMPLATE: t}});
        let catalog = Catalog::from_entities(
            vec![
                entity(
                    "Group",
                    "team-a",
                    serde_json::json!({}),
                    serde_json::json!({"type": "team", "children": []}),
                ),
                entity(
                    "Component",
                    "a",
                    made_by("template:default/go-service"),
                    serde_json::json!({"type": "service", "owner": "team-a", "lifecycle": "production", "system": "s"}),
                ),
                entity(
                    "Component",
                    "b",
                    made_by("template:default/go-service"),
                    serde_json::json!({"type": "service", "owner": "team-gone", "lifecycle": "experimental"}),
                ),
                entity(
                    "API",
                    "c",
                    serde_json::json!({"description": "An API."}),
                    serde_json::json!({"type": "openapi", "owner": "team-a", "lifecycle": "production", "definition": "x"}),
                ),
            ],
            vec![],
        );
        let s = Stats::build(&catalog);
        assert_eq!(s.templates.get("template:default/go-service"), Some(&2));
        assert_eq!(s.without_template, 1);
        assert_eq!((s.owned, s.ownable), (2, 3));
        let a = &s.completeness_by_team["group:default/team-a"];
        assert_eq!(a.components, 1);
        assert_eq!(
            (a.have["owner"], a.have["system"], a.have["description"]),
            (1, 1, 0)
        );
        let gone = &s.completeness_by_team["group:default/team-gone"];
        assert_eq!(gone.have["owner"], 0);
        assert!((a.percent() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn the_demo_counts_owners_templates_and_completeness() {
        let s = Stats::build(&crate::fixtures::demo());
        assert_eq!(s.entities["component"], 26);
        assert_eq!(s.completeness.components, 26);
        // deploy-bot is owned by a user that resolves: owned, but the scorecard wants a group.
        assert!(s.owned <= s.ownable && s.owned > 0);
        let team_total: usize = s.completeness_by_team.values().map(|c| c.components).sum();
        assert_eq!(team_total, 26);
        assert!(s.completeness.percent() > 0.0 && s.completeness.percent() < 100.0);
        assert_eq!(
            s.templates.values().sum::<usize>() + s.without_template,
            s.ownable
        );
        // The demo's deliberate oddities include a dangling reference.
        assert!(s.problems.get("reference").is_some_and(|c| c.warnings > 0));
    }
}
