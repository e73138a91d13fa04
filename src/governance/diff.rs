//! What changed in a catalog between two versions: entities added, removed and changed (which
//! fields), relations added and removed, ownership moves, scorecard level changes, and
//! problems new and fixed. A pure comparison of two loaded catalogs; `git.rs` provides the
//! versions.

use crate::catalog::{relations::spec_relations, Catalog, EntityRef, Problem, Severity};
use crate::scorecard::{Date, Report, Scorecard};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// An entity whose content changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The entity.
    #[serde(rename = "ref")]
    pub entity: String,
    /// The fields that differ, as dotted paths (`spec.owner`, `metadata.annotations.x`).
    pub fields: Vec<String>,
}

/// A relation an entity states in its spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RelationChange {
    /// The entity stating it.
    pub source: String,
    /// The relation, e.g. `dependsOn`.
    pub relation: String,
    /// The entity it points at.
    pub target: String,
}

/// An entity whose owner changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerMove {
    /// The entity.
    #[serde(rename = "ref")]
    pub entity: String,
    /// The owner before (`None`: none).
    pub from: Option<String>,
    /// The owner after.
    pub to: Option<String>,
}

/// An entity whose level on a scorecard changed (or that entered or left its scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelChange {
    /// The entity.
    #[serde(rename = "ref")]
    pub entity: String,
    /// The scorecard.
    pub scorecard: String,
    /// The level before: a level name, `none` below the first, `None` out of scope.
    pub from: Option<String>,
    /// The level after, likewise.
    pub to: Option<String>,
}

/// A problem, placed without line numbers (which move with every edit).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ProblemChange {
    /// Error or warning.
    pub severity: Severity,
    /// The entity, when known.
    #[serde(rename = "ref")]
    pub entity: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The file, relative to the catalog's root, when known.
    pub file: Option<String>,
    /// The line in the version where the problem is (after for new, before for fixed).
    pub line: Option<u32>,
}

/// The difference between two versions of a catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CatalogDiff {
    /// Entities only in the second version.
    pub added: Vec<String>,
    /// Entities only in the first.
    pub removed: Vec<String>,
    /// Entities in both whose content differs.
    pub changed: Vec<Changed>,
    /// Relations stated only in the second version.
    pub relations_added: Vec<RelationChange>,
    /// Relations stated only in the first.
    pub relations_removed: Vec<RelationChange>,
    /// Entities in both whose owner differs.
    pub ownership: Vec<OwnerMove>,
    /// Scorecard levels that differ.
    pub levels: Vec<LevelChange>,
    /// Problems only in the second version.
    pub problems_new: Vec<ProblemChange>,
    /// Problems only in the first.
    pub problems_fixed: Vec<ProblemChange>,
}

/// One side of a comparison: a catalog and the directory prefix its files were loaded under,
/// removed from paths so both sides name files alike.
pub struct Side<'a> {
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The prefix to strip from origins and messages (a temporary directory, or the work
    /// tree's root), ending with `/`.
    pub root: &'a str,
}

impl Side<'_> {
    fn path(&self, path: &str) -> String {
        path.strip_prefix(self.root).unwrap_or(path).to_string()
    }

    fn problem(&self, p: &Problem) -> ProblemChange {
        ProblemChange {
            severity: p.severity,
            entity: p.entity.as_ref().map(|e| e.to_string()),
            message: p.message.replace(self.root, ""),
            file: p.origin.as_ref().map(|o| self.path(&o.path)),
            line: p.origin.as_ref().and_then(|o| o.line),
        }
    }
}

/// Leaf values of a JSON document by dotted path; arrays are compared whole.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", before, &mut a);
    flatten("", after, &mut b);
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

fn relations(catalog: &Catalog) -> BTreeSet<RelationChange> {
    let mut out = BTreeSet::new();
    for e in catalog.entities() {
        for (relation, target) in spec_relations(e).0 {
            out.insert(RelationChange {
                source: e.entity_ref().to_string(),
                relation: relation.as_str().to_string(),
                target: target.to_string(),
            });
        }
    }
    out
}

/// Each entity's level per scorecard: `Some("none")` below the first level.
fn levels(
    catalog: &Catalog,
    cards: &[Scorecard],
    today: Date,
) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for card in cards {
        for s in Report::build(card, catalog, today).scores {
            let level = s
                .level
                .map_or_else(|| "none".to_string(), |l| card.level_name(l).to_string());
            out.insert(
                (
                    catalog.get(s.entity).entity_ref().to_string(),
                    card.name.clone(),
                ),
                level,
            );
        }
    }
    out
}

impl CatalogDiff {
    /// Compares two versions of a catalog; levels are computed with the same scorecards on
    /// both sides, as of `today`.
    pub fn compare(before: &Side<'_>, after: &Side<'_>, cards: &[Scorecard], today: Date) -> Self {
        let mut diff = CatalogDiff::default();
        let index = |c: &Catalog| -> BTreeMap<EntityRef, crate::catalog::EntityId> {
            c.ids()
                .map(|id| (c.get(id).entity_ref().clone(), id))
                .collect()
        };
        let (a, b) = (index(before.catalog), index(after.catalog));
        for (r, &ia) in &a {
            let Some(&ib) = b.get(r) else {
                diff.removed.push(r.to_string());
                continue;
            };
            let fields = changed_fields(
                &before.catalog.get(ia).to_value(),
                &after.catalog.get(ib).to_value(),
            );
            if !fields.is_empty() {
                diff.changed.push(Changed {
                    entity: r.to_string(),
                    fields,
                });
            }
            let (oa, ob) = (before.catalog.owner_ref(ia), after.catalog.owner_ref(ib));
            if oa != ob {
                diff.ownership.push(OwnerMove {
                    entity: r.to_string(),
                    from: oa.map(|o| o.to_string()),
                    to: ob.map(|o| o.to_string()),
                });
            }
        }
        diff.added = b
            .keys()
            .filter(|r| !a.contains_key(*r))
            .map(|r| r.to_string())
            .collect();
        let (ra, rb) = (relations(before.catalog), relations(after.catalog));
        diff.relations_added = rb.difference(&ra).cloned().collect();
        diff.relations_removed = ra.difference(&rb).cloned().collect();
        let (la, lb) = (
            levels(before.catalog, cards, today),
            levels(after.catalog, cards, today),
        );
        let keys: BTreeSet<&(String, String)> = la.keys().chain(lb.keys()).collect();
        for key in keys {
            let (from, to) = (la.get(key), lb.get(key));
            if from != to {
                diff.levels.push(LevelChange {
                    entity: key.0.clone(),
                    scorecard: key.1.clone(),
                    from: from.cloned(),
                    to: to.cloned(),
                });
            }
        }
        // Problems match on severity, entity, file and message: not on lines, which move.
        let key = |p: &ProblemChange| {
            (
                p.severity,
                p.entity.clone(),
                p.file.clone(),
                p.message.clone(),
            )
        };
        let pa: Vec<ProblemChange> = before
            .catalog
            .problems()
            .map(|p| before.problem(p))
            .collect();
        let pb: Vec<ProblemChange> = after.catalog.problems().map(|p| after.problem(p)).collect();
        let ka: BTreeSet<_> = pa.iter().map(key).collect();
        let kb: BTreeSet<_> = pb.iter().map(key).collect();
        diff.problems_new = pb.into_iter().filter(|p| !ka.contains(&key(p))).collect();
        diff.problems_fixed = pa.into_iter().filter(|p| !kb.contains(&key(p))).collect();
        diff.problems_new.sort();
        diff.problems_fixed.sort();
        diff
    }

    /// How many new problems are errors: a change that adds any should not merge.
    pub fn new_errors(&self) -> usize {
        self.problems_new
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == CatalogDiff::default()
    }
}
