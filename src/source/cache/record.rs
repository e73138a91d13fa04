//! Entities and problems as a cache stores them: their typed fields, already cleaned, so reading
//! them back needs no second parse or validation of the text.
//!
//! Entities go through these records rather than a derive on [`Entity`], so the catalog's
//! in-memory representation can change without changing what is on disk; a change here bumps
//! [`super::VERSION`].

use super::Encoding;
use crate::catalog::{
    Entity, EntityRef, Link, Metadata, Origin, Problem, RelationName, Severity, SpecValue,
    StringMap,
};
use serde::ser::{SerializeSeq, Serializer};
use std::borrow::Borrow;
use std::sync::Arc;

/// One entity as stored: its typed fields, borrowed for writing.
#[derive(serde::Serialize)]
struct EntityOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: &'a str,
    title: Option<&'a str>,
    description: Option<&'a str>,
    labels: &'a StringMap,
    annotations: &'a StringMap,
    tags: &'a [String],
    links: Vec<LinkRecord<'a>>,
    uid: Option<&'a str>,
    extra: &'a SpecValue,
    spec: &'a SpecValue,
    relations: Option<Vec<(&'a str, &'a str)>>,
    line: Option<u32>,
}

/// A link as stored: url, title, icon, type.
type LinkRecord<'a> = (&'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// A link read back: url, title, icon, type.
type LinkOwned = (String, Option<String>, Option<String>, Option<String>);

/// One entity as stored, read back.
#[derive(serde::Deserialize)]
struct EntityIn {
    api_version: String,
    kind: String,
    name: String,
    namespace: String,
    title: Option<String>,
    description: Option<String>,
    labels: StringMap,
    annotations: StringMap,
    tags: Vec<String>,
    links: Vec<LinkOwned>,
    uid: Option<String>,
    extra: SpecValue,
    spec: SpecValue,
    relations: Option<Vec<(String, String)>>,
    line: Option<u32>,
}

impl<'a> EntityOut<'a> {
    fn new(e: &'a Entity) -> Self {
        let m = &e.metadata;
        EntityOut {
            api_version: &e.api_version,
            kind: &e.kind,
            name: &m.name,
            namespace: &m.namespace,
            title: m.title.as_deref(),
            description: m.description.as_deref(),
            labels: &m.labels,
            annotations: &m.annotations,
            tags: &m.tags,
            links: m
                .links
                .iter()
                .map(|l| {
                    (
                        l.url.as_str(),
                        l.title.as_deref(),
                        l.icon.as_deref(),
                        l.link_type.as_deref(),
                    )
                })
                .collect(),
            uid: m.uid.as_deref(),
            extra: &m.extra,
            spec: &e.spec,
            relations: e.server_relations.as_ref().map(|r| {
                r.iter()
                    .map(|(t, target)| (t.as_str(), target.as_str()))
                    .collect()
            }),
            line: e.origin.line,
        }
    }
}

impl EntityIn {
    fn into_entity(self, path: &Arc<str>) -> Entity {
        let metadata = Metadata {
            name: self.name,
            namespace: self.namespace,
            title: self.title,
            description: self.description,
            labels: self.labels,
            annotations: self.annotations,
            tags: self.tags,
            links: self
                .links
                .into_iter()
                .map(|(url, title, icon, link_type)| Link {
                    url,
                    title,
                    icon,
                    link_type,
                })
                .collect(),
            uid: self.uid,
            extra: self.extra,
        };
        let relations = self.relations.map(|r| {
            r.into_iter()
                .filter_map(|(t, target)| {
                    EntityRef::parse(&target, None, crate::catalog::DEFAULT_NAMESPACE)
                        .ok()
                        .map(|target| (RelationName::new(&t), target))
                })
                .collect()
        });
        Entity::from_parts(
            self.api_version,
            self.kind,
            metadata,
            self.spec,
            relations,
            Origin::new(path.clone(), self.line),
        )
    }
}

/// A load problem as stored. The origin's path is left out when it is the chunk's own.
#[derive(serde::Serialize, serde::Deserialize)]
struct ProblemRecord {
    warning: bool,
    entity: Option<String>,
    message: String,
    /// `None`: no origin; `Some((None, line))`: the chunk's path.
    origin: Option<(Option<String>, Option<u32>)>,
}

impl ProblemRecord {
    fn new(p: &Problem, path: &str) -> Self {
        ProblemRecord {
            warning: p.severity == Severity::Warning,
            entity: p.entity.as_ref().map(|e| e.as_str().to_string()),
            message: p.message.clone(),
            origin: p.origin.as_ref().map(|o| {
                let other = (&*o.path != path).then(|| o.path.to_string());
                (other, o.line)
            }),
        }
    }

    fn into_problem(self, path: &Arc<str>) -> Problem {
        let origin = self
            .origin
            .map(|(other, line)| Origin::new(other.map_or_else(|| path.clone(), Arc::from), line));
        let mut problem = if self.warning {
            Problem::warning(origin, self.message)
        } else {
            Problem::error(origin, self.message)
        };
        problem.entity = self
            .entity
            .and_then(|e| EntityRef::parse(&e, None, crate::catalog::DEFAULT_NAMESPACE).ok());
        problem
    }
}

/// Entities to encode, owned or borrowed from a catalog, serialised one at a time so writing
/// never holds them all twice.
struct Entities<'a, E>(&'a [E]);

impl<E: Borrow<Entity>> serde::Serialize for Entities<'_, E> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0 {
            seq.serialize_element(&EntityOut::new(e.borrow()))?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
#[serde(bound = "E: Borrow<Entity>")]
struct ChunkOut<'a, E> {
    entities: Entities<'a, E>,
    problems: Vec<ProblemRecord>,
}

#[derive(serde::Deserialize)]
struct ChunkIn {
    entities: Vec<EntityIn>,
    problems: Vec<ProblemRecord>,
}

/// Encodes one chunk: entities and problems whose origins are (mostly) `path`.
pub(super) fn encode<E: Borrow<Entity>>(
    entities: &[E],
    problems: &[Problem],
    path: &str,
    encoding: Encoding,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    encode_into(&mut out, entities, problems, path, encoding)?;
    Ok(out)
}

/// [`encode`], appending to `out` (a buffer kept from one chunk to the next).
pub(super) fn encode_into<E: Borrow<Entity>>(
    out: &mut Vec<u8>,
    entities: &[E],
    problems: &[Problem],
    path: &str,
    encoding: Encoding,
) -> Result<(), String> {
    let chunk = ChunkOut {
        entities: Entities(entities),
        problems: problems
            .iter()
            .map(|p| ProblemRecord::new(p, path))
            .collect(),
    };
    match encoding {
        Encoding::MessagePack => rmp_serde::encode::write(out, &chunk).map_err(|e| e.to_string()),
        Encoding::Json => serde_json::to_writer(out, &chunk).map_err(|e| e.to_string()),
    }
}

/// Decodes one chunk; entities and problems without a path of their own get `path`.
pub(super) fn decode(
    bytes: &[u8],
    path: &Arc<str>,
    encoding: Encoding,
) -> Result<(Vec<Entity>, Vec<Problem>), String> {
    let chunk: ChunkIn = match encoding {
        Encoding::MessagePack => rmp_serde::from_slice(bytes).map_err(|e| e.to_string())?,
        Encoding::Json => serde_json::from_slice(bytes).map_err(|e| e.to_string())?,
    };
    let entities = chunk
        .entities
        .into_iter()
        .map(|e| e.into_entity(path))
        .collect();
    let problems = chunk
        .problems
        .into_iter()
        .map(|p| p.into_problem(path))
        .collect();
    Ok((entities, problems))
}
