//! Relations between entities, derived from spec fields in both directions as Backstage's
//! catalog processors do (`BuiltinKindsEntityProcessor`).

use super::{Entity, EntityRef, Field, Problem, SpecValue};
use std::fmt;

/// A relation's type as a server names it: one of Backstage's, held without its text (a catalog
/// of 100,000 entities from a server holds about half a million), or any other name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelationName {
    /// A name written exactly as Backstage writes one of its relation types.
    Known(RelationType),
    /// Any other name (another case, a plugin's own relation), kept as written.
    Other(Box<str>),
}

impl RelationName {
    /// The name as written.
    pub fn new(name: &str) -> Self {
        match RelationType::exact(name) {
            Some(relation) => Self::Known(relation),
            None => Self::Other(name.into()),
        }
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(relation) => relation.as_str(),
            Self::Other(name) => name,
        }
    }

    /// The relation type it names, in any case (`None` for a type the catalog model lacks).
    pub fn relation(&self) -> Option<RelationType> {
        match self {
            Self::Known(relation) => Some(*relation),
            Self::Other(name) => RelationType::parse(name),
        }
    }
}

/// The relation types of Backstage's catalog model; each has an inverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationType {
    /// `ownedBy`: the target owns the source.
    OwnedBy,
    /// `ownerOf`: the source owns the target.
    OwnerOf,
    /// `dependsOn`: the source needs the target.
    DependsOn,
    /// `dependencyOf`: the target needs the source.
    DependencyOf,
    /// `providesApi`: the source implements the API.
    ProvidesApi,
    /// `apiProvidedBy`: the API is implemented by the target.
    ApiProvidedBy,
    /// `consumesApi`: the source calls the API.
    ConsumesApi,
    /// `apiConsumedBy`: the API is called by the target.
    ApiConsumedBy,
    /// `partOf`: the source belongs to the target (system, domain, parent component).
    PartOf,
    /// `hasPart`: the target belongs to the source.
    HasPart,
    /// `childOf`: the source group's parent is the target.
    ChildOf,
    /// `parentOf`: the target group's parent is the source.
    ParentOf,
    /// `memberOf`: the source user is in the target group.
    MemberOf,
    /// `hasMember`: the target user is in the source group.
    HasMember,
}

impl RelationType {
    /// Every relation type, in display order.
    pub const ALL: [RelationType; 14] = [
        Self::OwnedBy,
        Self::OwnerOf,
        Self::PartOf,
        Self::HasPart,
        Self::DependsOn,
        Self::DependencyOf,
        Self::ProvidesApi,
        Self::ApiProvidedBy,
        Self::ConsumesApi,
        Self::ApiConsumedBy,
        Self::ChildOf,
        Self::ParentOf,
        Self::MemberOf,
        Self::HasMember,
    ];

    /// Backstage's name for the relation, e.g. `ownedBy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwnedBy => "ownedBy",
            Self::OwnerOf => "ownerOf",
            Self::DependsOn => "dependsOn",
            Self::DependencyOf => "dependencyOf",
            Self::ProvidesApi => "providesApi",
            Self::ApiProvidedBy => "apiProvidedBy",
            Self::ConsumesApi => "consumesApi",
            Self::ApiConsumedBy => "apiConsumedBy",
            Self::PartOf => "partOf",
            Self::HasPart => "hasPart",
            Self::ChildOf => "childOf",
            Self::ParentOf => "parentOf",
            Self::MemberOf => "memberOf",
            Self::HasMember => "hasMember",
        }
    }

    /// Parses Backstage's name for a relation (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        // Servers write the names exactly: find those first (a catalog of 100,000 entities
        // holds about half a million relations), then any other case.
        Self::exact(name).or_else(|| {
            Self::ALL
                .into_iter()
                .find(|r| r.as_str().eq_ignore_ascii_case(name))
        })
    }

    /// The relation type with exactly this name (as Backstage writes it).
    fn exact(name: &str) -> Option<Self> {
        Some(match name {
            "ownedBy" => Self::OwnedBy,
            "ownerOf" => Self::OwnerOf,
            "dependsOn" => Self::DependsOn,
            "dependencyOf" => Self::DependencyOf,
            "providesApi" => Self::ProvidesApi,
            "apiProvidedBy" => Self::ApiProvidedBy,
            "consumesApi" => Self::ConsumesApi,
            "apiConsumedBy" => Self::ApiConsumedBy,
            "partOf" => Self::PartOf,
            "hasPart" => Self::HasPart,
            "childOf" => Self::ChildOf,
            "parentOf" => Self::ParentOf,
            "memberOf" => Self::MemberOf,
            "hasMember" => Self::HasMember,
            _ => return None,
        })
    }

    /// The relation seen from the other end.
    pub fn inverse(self) -> Self {
        match self {
            Self::OwnedBy => Self::OwnerOf,
            Self::OwnerOf => Self::OwnedBy,
            Self::DependsOn => Self::DependencyOf,
            Self::DependencyOf => Self::DependsOn,
            Self::ProvidesApi => Self::ApiProvidedBy,
            Self::ApiProvidedBy => Self::ProvidesApi,
            Self::ConsumesApi => Self::ApiConsumedBy,
            Self::ApiConsumedBy => Self::ConsumesApi,
            Self::PartOf => Self::HasPart,
            Self::HasPart => Self::PartOf,
            Self::ChildOf => Self::ParentOf,
            Self::ParentOf => Self::ChildOf,
            Self::MemberOf => Self::HasMember,
            Self::HasMember => Self::MemberOf,
        }
    }
}

impl fmt::Display for RelationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for RelationType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A spec field that names other entities, with the relation it creates and the kind a
/// reference in it defaults to.
struct RefField {
    kinds: &'static [&'static str],
    field: &'static str,
    relation: RelationType,
    default_kind: Option<&'static str>,
    many: bool,
}

const REF_FIELDS: &[RefField] = &[
    RefField {
        kinds: &[
            "component",
            "api",
            "resource",
            "system",
            "domain",
            "template",
        ],
        field: "owner",
        relation: RelationType::OwnedBy,
        default_kind: Some("group"),
        many: false,
    },
    RefField {
        kinds: &["component", "api", "resource"],
        field: "system",
        relation: RelationType::PartOf,
        default_kind: Some("system"),
        many: false,
    },
    RefField {
        kinds: &["system"],
        field: "domain",
        relation: RelationType::PartOf,
        default_kind: Some("domain"),
        many: false,
    },
    RefField {
        kinds: &["component"],
        field: "subcomponentOf",
        relation: RelationType::PartOf,
        default_kind: Some("component"),
        many: false,
    },
    RefField {
        kinds: &["domain"],
        field: "subdomainOf",
        relation: RelationType::PartOf,
        default_kind: Some("domain"),
        many: false,
    },
    RefField {
        kinds: &["component"],
        field: "providesApis",
        relation: RelationType::ProvidesApi,
        default_kind: Some("api"),
        many: true,
    },
    RefField {
        kinds: &["component"],
        field: "consumesApis",
        relation: RelationType::ConsumesApi,
        default_kind: Some("api"),
        many: true,
    },
    RefField {
        kinds: &["component", "resource"],
        field: "dependsOn",
        relation: RelationType::DependsOn,
        default_kind: None,
        many: true,
    },
    RefField {
        kinds: &["component", "resource"],
        field: "dependencyOf",
        relation: RelationType::DependencyOf,
        default_kind: None,
        many: true,
    },
    RefField {
        kinds: &["group"],
        field: "parent",
        relation: RelationType::ChildOf,
        default_kind: Some("group"),
        many: false,
    },
    RefField {
        kinds: &["group"],
        field: "children",
        relation: RelationType::ParentOf,
        default_kind: Some("group"),
        many: true,
    },
    RefField {
        kinds: &["group"],
        field: "members",
        relation: RelationType::HasMember,
        default_kind: Some("user"),
        many: true,
    },
    RefField {
        kinds: &["user"],
        field: "memberOf",
        relation: RelationType::MemberOf,
        default_kind: Some("group"),
        many: true,
    },
];

/// The kind a reference in `spec.<field>` of a `kind` entity defaults to, or `None` when the
/// field has no default (as `dependsOn`). Used by views that resolve spec references.
pub fn default_kind_for(kind: &str, field: &str) -> Option<&'static str> {
    REF_FIELDS
        .iter()
        .find(|f| f.field == field && f.kinds.contains(&kind))
        .and_then(|f| f.default_kind)
}

/// The relations an entity states in its spec, each with its target reference. References that
/// do not parse are returned as problems.
pub fn spec_relations(entity: &Entity) -> (Vec<(RelationType, EntityRef)>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let namespace = entity.metadata.namespace.as_str();
    visit_spec_relations(
        entity,
        |relation, input, default_kind| {
            out.push((relation, EntityRef::parse(input, default_kind, namespace)?));
            Ok(())
        },
        &mut problems,
    );
    (out, problems)
}

/// As [`spec_relations`], with each target written as canonical text into `targets` (one
/// buffer for all of an entity's targets, instead of a reference allocated per relation):
/// returns each relation with the byte range of its target. Problems are appended to
/// `problems`, in the same order.
pub(crate) fn spec_relation_texts(
    entity: &Entity,
    targets: &mut String,
    problems: &mut Vec<Problem>,
) -> Vec<(RelationType, u32, u32)> {
    let mut out = Vec::new();
    let namespace = entity.metadata.namespace.as_str();
    visit_spec_relations(
        entity,
        |relation, input, default_kind| {
            let start = targets.len();
            EntityRef::parse_into(input, default_kind, namespace, targets)?;
            out.push((relation, start as u32, targets.len() as u32));
            Ok(())
        },
        problems,
    );
    out
}

/// The spec field of `entity` that names `target` with `relation`, for a problem about that
/// reference (an item of the list for a field holding many).
pub(crate) fn field_naming(
    entity: &Entity,
    relation: RelationType,
    target: &EntityRef,
) -> Option<Field> {
    let kind = entity.kind_lower();
    let namespace = entity.metadata.namespace.as_str();
    let names = |text: &str, f: &RefField| {
        EntityRef::parse(text, f.default_kind, namespace).is_ok_and(|r| &r == target)
    };
    for f in REF_FIELDS
        .iter()
        .filter(|f| f.relation == relation && f.kinds.contains(&kind))
    {
        match entity.spec.get(f.field) {
            Some(SpecValue::String(s)) if names(s, f) => {
                return Some(Field::at(&["spec", f.field]));
            }
            Some(SpecValue::Array(items)) => {
                let found = items.iter().find_map(|v| match v {
                    SpecValue::String(s) if names(s, f) => Some(s),
                    _ => None,
                });
                if let Some(text) = found {
                    return Some(Field::item(&["spec", f.field], text));
                }
            }
            _ => {}
        }
    }
    None
}

/// Calls `found` with each reference written in the entity's spec fields (its relation, the
/// text as written and the field's default kind), in field order; a reference `found` cannot
/// parse, and a field of the wrong shape, becomes a problem.
fn visit_spec_relations(
    entity: &Entity,
    mut found: impl FnMut(RelationType, &str, Option<&str>) -> Result<(), super::RefError>,
    problems: &mut Vec<Problem>,
) {
    let kind = entity.kind_lower();
    for f in REF_FIELDS.iter().filter(|f| f.kinds.contains(&kind)) {
        let Some(value) = entity.spec.get(f.field) else {
            continue;
        };
        let field = Field::at(&["spec", f.field]);
        let mut push = |v: &SpecValue| match v {
            SpecValue::String(s) => {
                if let Err(e) = found(f.relation, s, f.default_kind) {
                    let at = if f.many {
                        Field::item(&["spec", f.field], s)
                    } else {
                        field.clone()
                    };
                    problems.push(
                        Problem::error(
                            Some(entity.origin.clone()),
                            format!("spec.{}: {e}", f.field),
                        )
                        .with_entity(entity.entity_ref().clone())
                        .at_field(at),
                    )
                }
            }
            SpecValue::Null => {}
            other => problems.push(
                Problem::error(
                    Some(entity.origin.clone()),
                    format!(
                        "spec.{} must hold entity references (strings), found {}",
                        f.field,
                        other.type_name()
                    ),
                )
                .with_entity(entity.entity_ref().clone())
                .at_field(field.clone()),
            ),
        };
        match (value, f.many) {
            (SpecValue::Array(items), true) => items.iter().for_each(&mut push),
            (SpecValue::Array(_), false) => push(value),
            (other, _) if f.many && !other.is_null() => {
                problems.push(
                    Problem::error(
                        Some(entity.origin.clone()),
                        format!(
                            "spec.{} must be a list, found {}",
                            f.field,
                            other.type_name()
                        ),
                    )
                    .with_entity(entity.entity_ref().clone())
                    .at_field(Field::at(&["spec", f.field])),
                );
            }
            (other, _) => push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use serde_json::{json, Value};

    fn entity(v: Value) -> Entity {
        Entity::from_value(v, Origin::new("t.yaml", Some(1)))
            .unwrap()
            .0
    }

    #[test]
    fn every_relation_has_an_inverse_that_maps_back() {
        for r in RelationType::ALL {
            assert_eq!(r.inverse().inverse(), r);
            assert_ne!(r.inverse(), r);
            assert_eq!(RelationType::parse(r.as_str()), Some(r));
            assert_eq!(RelationType::parse(&r.as_str().to_uppercase()), Some(r));
        }
    }

    #[test]
    fn a_server_relation_keeps_its_name_as_written_and_the_type_it_names() {
        for r in RelationType::ALL {
            let exact = RelationName::new(r.as_str());
            assert_eq!(exact, RelationName::Known(r));
            assert_eq!((exact.as_str(), exact.relation()), (r.as_str(), Some(r)));
            // Another case is kept as written, and still names the type.
            let shouted = r.as_str().to_uppercase();
            let other = RelationName::new(&shouted);
            assert_eq!(
                (other.as_str(), other.relation()),
                (shouted.as_str(), Some(r))
            );
        }
        let plugin = RelationName::new("deployedTo");
        assert_eq!((plugin.as_str(), plugin.relation()), ("deployedTo", None));
        // Read from a server's entity, both kinds are kept in order.
        let e = entity(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "a"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team"},
            "relations": [
                {"type": "ownedBy", "targetRef": "group:default/team"},
                {"type": "deployedTo", "targetRef": "resource:default/cluster"}]
        }));
        let names: Vec<&str> = e
            .server_relations
            .iter()
            .flatten()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["ownedBy", "deployedTo"]);
    }

    #[test]
    fn component_fields_use_their_default_kinds() {
        let e = entity(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "c", "namespace": "ops"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a",
                     "system": "sys", "providesApis": ["orders"], "consumesApis": ["default/pay"],
                     "subcomponentOf": "parent", "dependsOn": ["resource:db", "component:default/x"]}
        }));
        let (rels, problems) = spec_relations(&e);
        assert!(problems.is_empty(), "{problems:?}");
        let s: Vec<String> = rels.iter().map(|(r, t)| format!("{r} {t}")).collect();
        assert_eq!(
            s,
            [
                "ownedBy group:ops/team-a",
                "partOf system:ops/sys",
                "partOf component:ops/parent",
                "providesApi api:ops/orders",
                "consumesApi api:default/pay",
                "dependsOn resource:ops/db",
                "dependsOn component:default/x",
            ]
        );
    }

    #[test]
    fn target_texts_are_the_canonical_refs_and_problems_the_same() {
        let e = entity(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "c", "namespace": "Ops"},
            "spec": {"owner": "Team-İ", "system": 7, "providesApis": ["default/Orders", ""],
                     "dependsOn": ["resource:DB", "no-kind"]}
        }));
        let (rels, problems) = spec_relations(&e);
        let (mut targets, mut text_problems) = (String::from("kept"), Vec::new());
        let texts = spec_relation_texts(&e, &mut targets, &mut text_problems);
        let as_text: Vec<(RelationType, &str)> = texts
            .iter()
            .map(|&(r, start, end)| {
                (
                    r,
                    targets
                        .get(start as usize..end as usize)
                        .unwrap_or_default(),
                )
            })
            .collect();
        let expected: Vec<(RelationType, &str)> =
            rels.iter().map(|(r, t)| (*r, t.as_str())).collect();
        assert_eq!(as_text, expected);
        assert_eq!(as_text.len(), 3, "{as_text:?}");
        assert!(targets.starts_with("kept"));
        let messages = |p: &[Problem]| p.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        assert_eq!(messages(&text_problems), messages(&problems));
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn depends_on_without_kind_is_a_problem_not_a_guess() {
        let e = entity(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": "c"},
            "spec": {"dependsOn": ["artists-db"], "owner": 42}
        }));
        let (rels, problems) = spec_relations(&e);
        assert!(rels.is_empty());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("owner"));
        assert!(problems[1].message.contains("has no kind"));
    }

    #[test]
    fn group_and_user_fields() {
        let g = entity(json!({
            "apiVersion": "backstage.io/v1alpha1", "kind": "Group",
            "metadata": {"name": "g"},
            "spec": {"type": "team", "parent": "org", "children": ["sub"], "members": ["ann"]}
        }));
        let (rels, _) = spec_relations(&g);
        let s: Vec<String> = rels.iter().map(|(r, t)| format!("{r} {t}")).collect();
        assert_eq!(
            s,
            [
                "childOf group:default/org",
                "parentOf group:default/sub",
                "hasMember user:default/ann"
            ]
        );
        assert_eq!(default_kind_for("user", "memberOf"), Some("group"));
        assert_eq!(default_kind_for("component", "dependsOn"), None);
    }
}
