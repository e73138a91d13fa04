//! Catalog pickers (`EntityPicker`, `OwnerPicker`, `MultiEntityPicker`, …): which entities a
//! field offers, honouring `ui:options.catalogFilter`, and how a choice is stored.

use super::form::{strings, Field, FieldKind};
use crate::catalog::{Catalog, EntityId, EntityRef};
use serde_json::Value;

/// Which catalog entities a picker offers.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CatalogFilter {
    /// Alternatives (Backstage: a list of filters is an OR); each maps a field such as `kind`
    /// or `spec.type` to the accepted values (lowercase). Empty: every entity.
    pub any_of: Vec<Vec<(String, Vec<String>)>>,
}

pub(super) fn picker_filter(options: &Value, default_kinds: &[&str]) -> CatalogFilter {
    let one = |f: &Value| -> Vec<(String, Vec<String>)> {
        f.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let vals = strings(Some(v)).iter().map(|s| s.to_lowercase()).collect();
                        (k.clone(), vals)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let any_of: Vec<_> = match options.get("catalogFilter") {
        Some(Value::Array(list)) => list.iter().map(one).collect(),
        Some(f @ Value::Object(_)) => vec![one(f)],
        // The older `allowedKinds` option.
        _ => {
            let mut kinds = strings(options.get("allowedKinds"));
            if kinds.is_empty() {
                kinds = default_kinds.iter().map(|s| s.to_string()).collect();
            }
            if kinds.is_empty() {
                Vec::new()
            } else {
                vec![vec![(
                    "kind".to_string(),
                    kinds.iter().map(|k| k.to_lowercase()).collect(),
                )]]
            }
        }
    };
    CatalogFilter { any_of }
}

/// An entity a picker offers.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// What is stored (`kind:namespace/name`, shortened by `defaultKind`/`defaultNamespace`).
    pub value: String,
    /// The entity's title or name.
    pub title: String,
    /// The catalog entity.
    #[serde(skip)]
    pub id: EntityId,
}

/// The entities a picker field offers, sorted by stored value. Empty for other kinds.
pub fn candidates(field: &Field, catalog: &Catalog) -> Vec<Candidate> {
    let FieldKind::EntityPicker {
        filter,
        default_kind,
        default_namespace,
        ..
    } = &field.kind
    else {
        return Vec::new();
    };
    let mut out: Vec<Candidate> = catalog
        .ids()
        .filter(|&id| filter_matches(filter, catalog, id))
        .map(|id| {
            let e = catalog.get(id);
            Candidate {
                value: stored_ref(
                    e.entity_ref(),
                    default_kind.as_deref(),
                    default_namespace.as_deref(),
                ),
                title: e.display_name().to_string(),
                id,
            }
        })
        .collect();
    out.sort_by(|a, b| a.value.cmp(&b.value));
    out
}

/// How a picker stores a reference: `kind:namespace/name`, leaving out the default kind and
/// the default namespace as Backstage's pickers do.
pub fn stored_ref(r: &EntityRef, default_kind: Option<&str>, default_ns: Option<&str>) -> String {
    let kind_is_default = default_kind.is_some_and(|k| k.eq_ignore_ascii_case(r.kind()));
    let ns_is_default = r.namespace() == default_ns.unwrap_or(crate::catalog::DEFAULT_NAMESPACE);
    match (kind_is_default, ns_is_default) {
        (true, true) => r.name().to_string(),
        (true, false) => format!("{}/{}", r.namespace(), r.name()),
        _ => r.as_str().to_string(),
    }
}

fn filter_matches(filter: &CatalogFilter, catalog: &Catalog, id: EntityId) -> bool {
    if filter.any_of.is_empty() {
        return true;
    }
    let doc = catalog.get(id).to_value();
    filter.any_of.iter().any(|all| {
        all.iter().all(|(path, accepted)| {
            let mut v = &doc;
            for part in path.split('.') {
                match v.get(part) {
                    Some(next) => v = next,
                    None => return false,
                }
            }
            let found: Vec<String> = strings(Some(v)).iter().map(|s| s.to_lowercase()).collect();
            accepted.is_empty() || found.iter().any(|f| accepted.contains(f))
        })
    })
}
