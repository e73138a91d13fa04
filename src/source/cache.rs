//! The offline cache: the last complete load of each remote source, kept in the cache directory
//! so the portal starts from it instantly and keeps working when the server does not answer.
//!
//! A cache file is a small header (magic, format version, encoding, time saved) followed by the
//! entities' fields (with the server's relations) and their load problems, encoded as
//! MessagePack (see `benches/remote.rs` for the measured alternatives). Entities are stored as
//! the typed fields they were loaded into, already cleaned, so reading needs no second parse.
//! The file is the user's own (mode 0600 in their cache directory). Files are written to a
//! temporary file and renamed, so a reader never sees half a cache. A file that is corrupt, from
//! another version or for another server is ignored with a warning, never trusted.

use crate::catalog::{
    Entity, EntityRef, Link, Metadata, Origin, Problem, Severity, SpecValue, StringMap,
};
use serde::ser::{SerializeSeq, Serializer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The cache format version; a file with another is ignored (and replaced on the next load).
pub const VERSION: u32 = 2;

const MAGIC: &[u8; 8] = b"IDPTUIC\n";
const HEADER_LEN: usize = 8 + 4 + 1 + 8;

/// How the entities are encoded after the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// MessagePack (the default: smaller and faster to read).
    MessagePack,
    /// JSON (easy to inspect).
    Json,
}

impl Encoding {
    fn tag(self) -> u8 {
        match self {
            Encoding::MessagePack => 1,
            Encoding::Json => 2,
        }
    }
}

/// A problem with a cache file. Callers treat every one as "no cache" plus a warning.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file or directory could not be read or written.
    #[error("{path}: cache not {action}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// `read` or `written`.
        action: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a cache, or is damaged.
    #[error("{path}: cache is damaged ({detail}); ignoring it")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The file was written by another version of idp-tui.
    #[error("{path}: cache is from another version of idp-tui (format {found}, expected {VERSION}); ignoring it")]
    Version {
        /// The file.
        path: String,
        /// Its format version.
        found: u32,
    },
    /// The file holds another source's entities (renamed source, changed URL).
    #[error("{path}: cache is for {found}, not this source; ignoring it")]
    OtherSource {
        /// The file.
        path: String,
        /// The source it was written for.
        found: String,
    },
}

/// A cache read back.
#[derive(Debug)]
pub struct Cached {
    /// When the load it holds finished.
    pub saved_at: SystemTime,
    /// The entities.
    pub entities: Vec<Entity>,
    /// Problems with the entities (as when they were first loaded).
    pub problems: Vec<Problem>,
}

impl Cached {
    /// How old the cache is (zero if the clock went back).
    pub fn age(&self) -> Duration {
        SystemTime::now()
            .duration_since(self.saved_at)
            .unwrap_or(Duration::ZERO)
    }
}

/// The cache file of a source, from its name and what identifies its content (a URL).
pub fn path_for(dir: &Path, name: &str, key: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    dir.join("sources")
        .join(format!("{safe}-{:016x}.cache", fnv1a(key.as_bytes())))
}

/// FNV-1a: stable across Rust versions, unlike the standard hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

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
        }
    }
}

impl EntityIn {
    fn into_entity(self, origin: Origin) -> Entity {
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
                        .map(|target| (t, target))
                })
                .collect()
        });
        Entity::from_parts(
            self.api_version,
            self.kind,
            metadata,
            self.spec,
            relations,
            origin,
        )
    }
}

/// A load problem as stored: severity, entity and message (the origin is the source).
#[derive(serde::Serialize, serde::Deserialize)]
struct ProblemRecord {
    warning: bool,
    entity: Option<String>,
    message: String,
}

/// Serialises entities one at a time, so writing never holds them all twice.
struct Entities<'a>(&'a [Entity]);

impl serde::Serialize for Entities<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0 {
            seq.serialize_element(&EntityOut::new(e))?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
struct BodyOut<'a> {
    source: &'a str,
    entities: Entities<'a>,
    problems: Vec<ProblemRecord>,
}

#[derive(serde::Deserialize)]
struct BodyIn {
    source: String,
    entities: Vec<EntityIn>,
    problems: Vec<ProblemRecord>,
}

/// Writes a source's entities atomically (temporary file, then rename), readable only by the
/// user.
pub fn write(
    path: &Path,
    source: &str,
    entities: &[Entity],
    problems: &[Problem],
    encoding: Encoding,
) -> Result<(), CacheError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| CacheError::Io {
        path: shown.clone(),
        action: "written",
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    // NamedTempFile creates the file with mode 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    {
        let mut w = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut());
        let saved = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        w.write_all(MAGIC).map_err(io)?;
        w.write_all(&VERSION.to_le_bytes()).map_err(io)?;
        w.write_all(&[encoding.tag()]).map_err(io)?;
        w.write_all(&saved.to_le_bytes()).map_err(io)?;
        let body = BodyOut {
            source,
            entities: Entities(entities),
            problems: problems
                .iter()
                .map(|p| ProblemRecord {
                    warning: p.severity == Severity::Warning,
                    entity: p.entity.as_ref().map(|e| e.as_str().to_string()),
                    message: p.message.clone(),
                })
                .collect(),
        };
        let encoded = match encoding {
            Encoding::MessagePack => rmp_serde::encode::write(&mut w, &body)
                .map_err(|e| std::io::Error::other(e.to_string())),
            Encoding::Json => serde_json::to_writer(&mut w, &body).map_err(std::io::Error::from),
        };
        encoded.map_err(io)?;
        w.flush().map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Reads a source's cache. `Ok(None)` when there is none; an error when there is one that cannot
/// be used.
pub fn read(path: &Path, source: &str) -> Result<Option<Cached>, CacheError> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(CacheError::Io {
                path: shown,
                action: "read",
                source: e,
            })
        }
    };
    let corrupt = |detail: String| CacheError::Corrupt {
        path: shown.clone(),
        detail,
    };
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(corrupt("not an idp-tui cache file".into()));
    }
    let word = |at: usize, n: usize| -> u64 {
        bytes[at..at + n]
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    };
    let version = word(8, 4) as u32;
    if version != VERSION {
        return Err(CacheError::Version {
            path: shown,
            found: version,
        });
    }
    let encoding = bytes[12];
    let saved_at = UNIX_EPOCH + Duration::from_secs(word(13, 8));
    let payload = &bytes[HEADER_LEN..];
    let body: BodyIn = match encoding {
        1 => rmp_serde::from_slice(payload).map_err(|e| corrupt(e.to_string()))?,
        2 => serde_json::from_slice(payload).map_err(|e| corrupt(e.to_string()))?,
        other => return Err(corrupt(format!("unknown encoding {other}"))),
    };
    drop(bytes);
    if body.source != source {
        return Err(CacheError::OtherSource {
            path: shown,
            found: crate::text::clean(&body.source).into_owned(),
        });
    }
    let origin_path: Arc<str> = source.into();
    let origin = || Origin::new(origin_path.clone(), None);
    let entities = body
        .entities
        .into_iter()
        .map(|e| e.into_entity(origin()))
        .collect();
    let problems = body
        .problems
        .into_iter()
        .map(|p| {
            let mut problem = if p.warning {
                Problem::warning(Some(origin()), p.message)
            } else {
                Problem::error(Some(origin()), p.message)
            };
            problem.entity = p
                .entity
                .and_then(|e| EntityRef::parse(&e, None, crate::catalog::DEFAULT_NAMESPACE).ok());
            problem
        })
        .collect();
    Ok(Some(Cached {
        saved_at,
        entities,
        problems,
    }))
}

/// Says how old something is in a few characters: `40 s`, `12 min`, `3 h`, `2 d`.
pub fn human_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(name: &str) -> Entity {
        Entity::from_value(
            json!({
                "apiVersion": "backstage.io/v1alpha1",
                "kind": "Component",
                "metadata": {"name": name, "annotations": {"a": "b"}, "etag": "x"},
                "spec": {"type": "service", "owner": "team-a", "lifecycle": "production"},
                "relations": [{"type": "ownedBy", "targetRef": "group:default/team-a"}]
            }),
            Origin::new("https://bs.example.com", None),
        )
        .unwrap()
        .0
    }

    #[test]
    fn round_trip_keeps_entities_and_server_relations_in_both_encodings() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = entity("a");
        a.metadata.links.push(Link {
            url: "https://x".into(),
            title: Some("X".into()),
            icon: None,
            link_type: Some("docs".into()),
        });
        a.metadata.title = Some("Ä title".into());
        let entities = vec![a, entity("b")];
        let problems = vec![Problem::warning(None, "metadata.title must be a string")
            .with_entity(EntityRef::new("component", "default", "a"))];
        for encoding in [Encoding::MessagePack, Encoding::Json] {
            let path = path_for(dir.path(), "prod", "https://bs.example.com");
            write(
                &path,
                "https://bs.example.com",
                &entities,
                &problems,
                encoding,
            )
            .unwrap();
            let back = read(&path, "https://bs.example.com").unwrap().unwrap();
            assert_eq!(back.entities, entities, "{encoding:?}");
            assert_eq!(back.problems.len(), 1);
            assert_eq!(back.problems[0].message, "metadata.title must be a string");
            assert_eq!(
                back.problems[0].entity.as_ref().map(|e| e.as_str()),
                Some("component:default/a")
            );
            assert_eq!(back.problems[0].severity, Severity::Warning);
            assert!(back.age() < Duration::from_secs(5));
        }
    }

    #[test]
    fn missing_cache_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read(&dir.path().join("nope.cache"), "x").unwrap().is_none());
    }

    #[test]
    fn garbage_truncated_and_old_caches_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cache");
        std::fs::write(&path, b"hello, I am not a cache at all").unwrap();
        assert!(matches!(read(&path, "s"), Err(CacheError::Corrupt { .. })));

        write(
            &path,
            "s",
            &[entity("a"), entity("b")],
            &[],
            Encoding::MessagePack,
        )
        .unwrap();
        let full = std::fs::read(&path).unwrap();
        std::fs::write(&path, &full[..full.len() - 10]).unwrap();
        let err = read(&path, "s").unwrap_err();
        assert!(matches!(err, CacheError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("damaged"), "{err}");

        let mut old = full.clone();
        old[8] = 0;
        std::fs::write(&path, &old).unwrap();
        let err = read(&path, "s").unwrap_err();
        assert!(err.to_string().contains("another version"), "{err}");
    }

    #[test]
    fn a_cache_for_another_server_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cache");
        write(
            &path,
            "https://a.example",
            &[entity("a")],
            &[],
            Encoding::MessagePack,
        )
        .unwrap();
        assert!(matches!(
            read(&path, "https://b.example"),
            Err(CacheError::OtherSource { .. })
        ));
    }

    #[test]
    fn cache_paths_are_stable_and_safe() {
        let p = path_for(Path::new("/c"), "../prod east", "https://x");
        assert_eq!(p.parent().unwrap(), Path::new("/c/sources"));
        let file = p.file_name().unwrap().to_str().unwrap();
        assert!(file.starts_with("___prod_east-"), "{file}");
        assert_eq!(p, path_for(Path::new("/c"), "../prod east", "https://x"));
        assert_ne!(p, path_for(Path::new("/c"), "../prod east", "https://y"));
    }

    #[cfg(unix)]
    #[test]
    fn unwritable_directory_is_an_error_not_a_panic() {
        let err = write(
            Path::new("/proc/idp-tui-cannot-write/x.cache"),
            "s",
            &[],
            &[],
            Encoding::MessagePack,
        )
        .unwrap_err();
        assert!(err.to_string().contains("cache not written"), "{err}");
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(human_age(Duration::from_secs(5)), "5 s");
        assert_eq!(human_age(Duration::from_secs(3 * 3600 + 5)), "3 h");
        assert_eq!(human_age(Duration::from_secs(3 * 86_400)), "3 d");
    }
}
