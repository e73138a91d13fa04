//! Caches of loaded sources, kept in the cache directory: the last complete load of each remote
//! source (so the portal starts from it instantly and keeps working when the server does not
//! answer), and the parsed files of each file source (so an unchanged file is never parsed
//! twice; see [`files`]).
//!
//! A cache file is a small header (magic, format version, time saved), a table of contents, then
//! chunks of entities and their load problems back to back. Each chunk is encoded on its own
//! (MessagePack by default, see `benches/remote.rs` and docs/performance.md for the measured
//! alternatives), so chunks are decoded on every core at once and streamed into the catalog while
//! the rest are still decoding, and a file source rewrites only the chunks of files that changed.
//! Entities are stored as the typed fields they were loaded into, already cleaned ([`record`]),
//! so reading needs no second parse.
//!
//! The file is the user's own (mode 0600 in their cache directory). Files are written to a
//! temporary file and renamed, so a reader never sees half a cache. A file that is corrupt, from
//! another version or for another source is ignored with a warning, never trusted.

pub mod files;
mod record;

use crate::catalog::{Entity, Problem};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The cache format version; a file with another is ignored (and replaced on the next load).
pub const VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"IDPTUIC\n";
/// Magic, version, time saved, length of the table of contents.
const HEADER_LEN: usize = 8 + 4 + 8 + 4;

/// Entities per chunk when a whole source is written at once.
pub const CHUNK: usize = 5_000;

/// How a chunk's entities are encoded.
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

    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(Encoding::MessagePack),
            2 => Some(Encoding::Json),
            _ => None,
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

/// Encodes entities and problems as a cache chunk does (MessagePack of their typed fields),
/// for other stores of loaded entities (the start-up snapshot); `path` is the origin of most.
pub fn encode_records(
    entities: &[Entity],
    problems: &[Problem],
    path: &str,
) -> Result<Vec<u8>, String> {
    record::encode(entities, problems, path, Encoding::MessagePack)
}

/// [`encode_records`] into a buffer of `buffers`, for a writer that hands it back once written.
pub fn encode_records_in(
    buffers: &Buffers,
    entities: &[Entity],
    path: &str,
) -> Result<Vec<u8>, String> {
    let mut out = buffers.take();
    record::encode_into(&mut out, entities, &[], path, Encoding::MessagePack)?;
    Ok(out)
}

/// Buffers passed from the threads that encode a snapshot's chunks to the one that writes
/// them, and back once written, so each is allocated once per write rather than once per
/// chunk: memory freed on another thread than the one that allocated it is not reused at
/// once. (The caches are encoded on one thread instead, see [`write`]; for the snapshot,
/// encoding on every core measured the lower peak memory.)
#[derive(Default)]
pub struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// An empty buffer: one handed back, or a new one.
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default()
    }

    /// Hands a buffer back, emptied, for the next chunk.
    pub fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buffer);
    }
}

/// Decodes what [`encode_records`] wrote; entities and problems without a path of their own
/// get `path`.
pub fn decode_records(
    bytes: &[u8],
    path: &Arc<str>,
) -> Result<(Vec<Entity>, Vec<Problem>), String> {
    record::decode(bytes, path, Encoding::MessagePack)
}

/// A cache read back whole.
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
    dir.join("sources").join(file_name(name, key))
}

/// A file name from a source's name (made safe) and a hash of its key.
fn file_name(name: &str, key: &str) -> String {
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
    format!("{safe}-{:016x}.cache", fnv1a(key.as_bytes()))
}

/// FNV-1a: stable across Rust versions, unlike the standard hasher.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One encoded chunk, ready to be written (or kept from an earlier cache unchanged).
#[derive(Debug, Clone)]
pub struct Chunk {
    entry: Entry,
    bytes: Vec<u8>,
}

impl Chunk {
    /// Encodes entities and their problems; `path` is the origin of most of them (a file, or
    /// the source's URL) and is stored once.
    pub fn encode<E: std::borrow::Borrow<Entity>>(
        entities: &[E],
        problems: &[Problem],
        path: &str,
        encoding: Encoding,
    ) -> Result<Chunk, String> {
        let mut bytes = Vec::new();
        let entry = Self::encode_into(&mut bytes, entities, problems, path, encoding)?;
        Ok(Chunk { entry, bytes })
    }

    /// Encodes a chunk's bytes into `bytes` (emptied first) and returns its table entry.
    fn encode_into<E: std::borrow::Borrow<Entity>>(
        bytes: &mut Vec<u8>,
        entities: &[E],
        problems: &[Problem],
        path: &str,
        encoding: Encoding,
    ) -> Result<Entry, String> {
        bytes.clear();
        record::encode_into(bytes, entities, problems, path, encoding)?;
        Ok(Entry {
            len: bytes.len() as u64,
            encoding: encoding.tag(),
            entities: entities.len() as u32,
            path: path.to_string(),
            file: None,
        })
    }

    /// The chunk's encoded size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }
}

/// A chunk in the table of contents.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Entry {
    len: u64,
    encoding: u8,
    entities: u32,
    /// The origin of the chunk's entities.
    path: String,
    /// For a file source: the file's stamp and what it read besides.
    file: Option<files::FileKey>,
}

#[derive(serde::Serialize)]
struct TableOut<'a> {
    source: &'a str,
    chunks: Vec<&'a Entry>,
}

#[derive(serde::Deserialize)]
struct TableIn {
    source: String,
    chunks: Vec<Entry>,
}

/// Writes chunks atomically (temporary file, then rename), readable only by the user.
pub fn write_chunks(path: &Path, source: &str, chunks: &[Chunk]) -> Result<(), CacheError> {
    let entries: Vec<&Entry> = chunks.iter().map(|c| &c.entry).collect();
    assemble(path, source, &entries, |w| {
        chunks.iter().try_for_each(|c| w.write_all(&c.bytes))
    })
}

/// Writes a cache file atomically: the header, the table of contents of `entries`, then the
/// chunks themselves, which `body` writes.
fn assemble(
    path: &Path,
    source: &str,
    entries: &[&Entry],
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CacheError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| CacheError::Io {
        path: shown.clone(),
        action: "written",
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let table = rmp_serde::to_vec(&TableOut {
        source,
        chunks: entries.to_vec(),
    })
    .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    let table_len = u32::try_from(table.len())
        .map_err(|_| io(std::io::Error::other("table of contents too large")))?;
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
        w.write_all(&saved.to_le_bytes()).map_err(io)?;
        w.write_all(&table_len.to_le_bytes()).map_err(io)?;
        w.write_all(&table).map_err(io)?;
        body(&mut w).map_err(io)?;
        w.flush().map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Writes a source's entities atomically, in chunks of [`CHUNK`] encoded on every core.
///
/// The table of contents comes first in the file and needs every chunk's size, so the encoded
/// chunks go to an unnamed scratch file beside the cache as they come (in order), and the
/// cache is assembled from it: at most a chunk per core is held in memory, not the whole
/// source's encoding (56 MB for 100,000 entities).
pub fn write<E: std::borrow::Borrow<Entity> + Sync>(
    path: &Path,
    source: &str,
    entities: &[E],
    problems: &[Problem],
    encoding: Encoding,
) -> Result<(), CacheError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| CacheError::Io {
        path: shown.clone(),
        action: "written",
        source,
    };
    let parts: Vec<&[E]> = if entities.is_empty() {
        vec![&[]]
    } else {
        entities.chunks(CHUNK).collect()
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut scratch = tempfile::tempfile_in(dir).map_err(io)?;
    let mut entries = Vec::with_capacity(parts.len());
    let mut failed: Option<std::io::Error> = None;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, &mut scratch);
        // One thread, one buffer: encoding on every core freed each chunk's buffer on another
        // thread than the one that allocated it, which the allocator does not reuse at once,
        // and made the write's peak memory about the whole encoding (50-65 MB per 100,000
        // entities) for no time gained (the writes happen off the UI thread, after a load).
        let mut buffer = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            // The load's problems travel with the first chunk.
            let problems = if i == 0 { problems } else { &[] };
            let written = Chunk::encode_into(&mut buffer, part, problems, source, encoding)
                .map_err(std::io::Error::other)
                .and_then(|entry| out.write_all(&buffer).map(|()| entry));
            match written {
                Ok(entry) => entries.push(entry),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if failed.is_none() {
            failed = out.flush().err();
        }
    }
    if let Some(e) = failed {
        return Err(io(e));
    }
    scratch.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
    let entries: Vec<&Entry> = entries.iter().collect();
    assemble(path, source, &entries, |w| {
        std::io::copy(&mut scratch, w).map(drop)
    })
}

/// A cache file opened and checked, its chunks not yet decoded.
#[derive(Debug)]
pub struct CacheFile {
    /// When it was written.
    pub saved_at: SystemTime,
    shown: String,
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// Where each chunk starts in `bytes`.
    offsets: Vec<usize>,
    /// False when only the table of contents was read ([`open_table`]): no chunk is there.
    read: bool,
}

impl CacheFile {
    /// The number of chunks.
    pub fn chunks(&self) -> usize {
        self.entries.len()
    }

    /// The number of entities in all chunks.
    pub fn entities(&self) -> usize {
        self.entries.iter().map(|e| e.entities as usize).sum()
    }

    /// Decodes chunk `i`: its entities and problems.
    pub fn decode(&self, i: usize) -> Result<(Vec<Entity>, Vec<Problem>), CacheError> {
        let corrupt = |detail: String| CacheError::Corrupt {
            path: self.shown.clone(),
            detail,
        };
        let entry = self
            .entries
            .get(i)
            .ok_or_else(|| corrupt(format!("no chunk {i}")))?;
        let encoding = Encoding::from_tag(entry.encoding)
            .ok_or_else(|| corrupt(format!("unknown encoding {}", entry.encoding)))?;
        if !self.read {
            return Err(corrupt("only the table of contents was read".into()));
        }
        let start = self.offsets[i];
        let bytes = &self.bytes[start..start + entry.len as usize];
        let path: Arc<str> = entry.path.as_str().into();
        record::decode(bytes, &path, encoding).map_err(corrupt)
    }

    /// Chunk `i` as it is, to write into a new cache unchanged.
    pub fn chunk(&self, i: usize) -> Option<Chunk> {
        let entry = self.entries.get(i).filter(|_| self.read)?;
        let start = self.offsets[i];
        Some(Chunk {
            entry: entry.clone(),
            bytes: self.bytes[start..start + entry.len as usize].to_vec(),
        })
    }

    /// Decodes every chunk on every core, handing each to `sink` in order. Stops at the first
    /// damaged chunk and returns its error (the chunks before it were handed on).
    pub fn decode_each(
        &self,
        mut sink: impl FnMut(usize, Vec<Entity>, Vec<Problem>),
    ) -> Result<(), CacheError> {
        let mut failed = None;
        super::ordered::for_each_ordered(
            self.chunks(),
            |i| self.decode(i),
            |i, decoded| match decoded {
                Ok((entities, problems)) if failed.is_none() => sink(i, entities, problems),
                Ok(_) => {}
                Err(e) => {
                    failed.get_or_insert(e);
                }
            },
        );
        failed.map_or(Ok(()), Err)
    }
}

/// Opens a source's cache and checks its header and table of contents. `Ok(None)` when there
/// is none; an error when there is one that cannot be used.
pub fn open(path: &Path, source: &str) -> Result<Option<CacheFile>, CacheError> {
    let shown = path.display().to_string();
    let Some(bytes) = read_if_there(path)? else {
        return Ok(None);
    };
    let (saved_at, table_len) = header(&bytes, &shown)?;
    let table = HEADER_LEN
        .checked_add(table_len)
        .and_then(|end| bytes.get(HEADER_LEN..end))
        .ok_or_else(|| corrupt(&shown, "truncated table of contents"))?;
    let (entries, offsets) = table_of_contents(table, bytes.len() as u64, source, &shown)?;
    Ok(Some(CacheFile {
        saved_at,
        shown,
        bytes,
        entries,
        offsets,
        read: true,
    }))
}

/// When the cache of a source was saved, reading only its header and table of contents (so a
/// start from a snapshot learns the cache's age without reading its entities). `Ok(None)` when
/// there is none.
pub fn saved_at(path: &Path, source: &str) -> Result<Option<SystemTime>, CacheError> {
    Ok(open_table(path, source)?.map(|f| f.saved_at))
}

/// Opens a source's cache reading only its header and table of contents, checked as [`open`]
/// checks them: what its chunks are, not what they hold (decoding one is an error).
pub fn open_table(path: &Path, source: &str) -> Result<Option<CacheFile>, CacheError> {
    use std::io::Read;
    let shown = path.display().to_string();
    let io = |e: std::io::Error| CacheError::Io {
        path: shown.clone(),
        action: "read",
        source: e,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let mut head = Vec::with_capacity(HEADER_LEN);
    (&mut file)
        .take(HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    let (saved_at, table_len) = header(&head, &shown)?;
    let size = file.metadata().map_err(io)?.len();
    if (HEADER_LEN + table_len) as u64 > size {
        return Err(corrupt(&shown, "truncated table of contents"));
    }
    let mut table = vec![0u8; table_len];
    file.read_exact(&mut table).map_err(io)?;
    let (entries, offsets) = table_of_contents(&table, size, source, &shown)?;
    Ok(Some(CacheFile {
        saved_at,
        shown,
        bytes: Vec::new(),
        entries,
        offsets,
        read: false,
    }))
}

/// A whole file's bytes; `Ok(None)` when there is no such file.
pub(crate) fn read_if_there(path: &Path) -> Result<Option<Vec<u8>>, CacheError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CacheError::Io {
            path: path.display().to_string(),
            action: "read",
            source: e,
        }),
    }
}

fn corrupt(shown: &str, detail: &str) -> CacheError {
    CacheError::Corrupt {
        path: shown.to_string(),
        detail: detail.to_string(),
    }
}

/// Checks a cache's header (at least its first `HEADER_LEN` bytes): the magic and the version.
/// Returns when the cache was saved and how long its table of contents is.
fn header(bytes: &[u8], shown: &str) -> Result<(SystemTime, usize), CacheError> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(corrupt(shown, "not an idp-tui cache file"));
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
            path: shown.to_string(),
            found: version,
        });
    }
    if bytes.len() < HEADER_LEN {
        return Err(corrupt(shown, "truncated header"));
    }
    Ok((saved_time(word(12, 8), shown)?, word(20, 4) as usize))
}

/// The time a header says the cache was saved, checked: one flipped bit there used to panic
/// the thread reading it (a time past what `SystemTime` holds) at every start.
fn saved_time(secs: u64, shown: &str) -> Result<SystemTime, CacheError> {
    // A day of clock skew between machines sharing a cache directory is allowed.
    let latest = SystemTime::now() + Duration::from_secs(86_400);
    UNIX_EPOCH
        .checked_add(Duration::from_secs(secs))
        .filter(|t| *t <= latest)
        .ok_or_else(|| corrupt(shown, "its saved time is in the future"))
}

/// The fewest bytes one entity takes in a chunk (a record of 15 fields, each at least a
/// byte, in an array): a count the bytes cannot hold is damage, refused before anything is
/// reserved for it.
pub(crate) const MIN_ENTITY_BYTES: u64 = 16;

/// Checks a table of contents (the bytes after the header) against the source it must be for
/// and the size of the whole file, and lays the chunks out after it: the entries and where
/// each chunk starts. The chunks must fill the rest of the file exactly.
fn table_of_contents(
    table: &[u8],
    size: u64,
    source: &str,
    shown: &str,
) -> Result<(Vec<Entry>, Vec<usize>), CacheError> {
    let table_in: TableIn =
        rmp_serde::from_slice(table).map_err(|e| corrupt(shown, &e.to_string()))?;
    if table_in.source != source {
        return Err(CacheError::OtherSource {
            path: shown.to_string(),
            found: crate::text::clean(&table_in.source).into_owned(),
        });
    }
    let mut offsets = Vec::with_capacity(table_in.chunks.len());
    let mut at = (HEADER_LEN + table.len()) as u64;
    for entry in &table_in.chunks {
        if u64::from(entry.entities) * MIN_ENTITY_BYTES > entry.len {
            return Err(corrupt(
                shown,
                "a chunk claims more entities than its bytes can hold",
            ));
        }
        offsets.push(at as usize);
        at = at
            .checked_add(entry.len)
            .filter(|&end| end <= size)
            .ok_or_else(|| corrupt(shown, "truncated: a chunk runs past the end"))?;
    }
    if at != size {
        return Err(corrupt(shown, "trailing bytes after the last chunk"));
    }
    Ok((table_in.chunks, offsets))
}

/// Reads a source's whole cache (decoding on every core). `Ok(None)` when there is none; an
/// error when there is one that cannot be used.
pub fn read(path: &Path, source: &str) -> Result<Option<Cached>, CacheError> {
    let Some(file) = open(path, source)? else {
        return Ok(None);
    };
    let mut entities = Vec::with_capacity(file.entities());
    let mut problems = Vec::new();
    file.decode_each(|_, e, p| {
        entities.extend(e);
        problems.extend(p);
    })?;
    Ok(Some(Cached {
        saved_at: file.saved_at,
        entities,
        problems,
    }))
}

pub use crate::text::human_age;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{EntityRef, Link, Origin, RelationName, Severity};
    use serde_json::json;

    #[test]
    fn a_reused_buffer_encodes_each_chunk_as_a_fresh_one_would() {
        let entities = [entity("a"), entity("b")];
        let mut buffer = Vec::new();
        let entry =
            Chunk::encode_into(&mut buffer, &entities, &[], "x", Encoding::MessagePack).unwrap();
        let alone = Chunk::encode(&entities, &[], "x", Encoding::MessagePack).unwrap();
        assert_eq!(buffer, alone.bytes);
        assert_eq!(entry.len, alone.entry.len);
        let at = buffer.as_ptr();
        Chunk::encode_into(&mut buffer, &entities[..1], &[], "x", Encoding::MessagePack).unwrap();
        assert_eq!(buffer.as_ptr(), at, "the same allocation");
        let one = Chunk::encode(&entities[..1], &[], "x", Encoding::MessagePack).unwrap();
        assert_eq!(buffer, one.bytes, "emptied before reuse");
    }

    #[test]
    fn a_buffer_handed_back_is_taken_again_empty() {
        let buffers = Buffers::default();
        let entities = [entity("a")];
        let first = encode_records_in(&buffers, &entities, "x").unwrap();
        assert_eq!(first, encode_records(&entities, &[], "x").unwrap());
        let at = first.as_ptr();
        buffers.give(first);
        let again = buffers.take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), at, "the same allocation");
    }

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
    fn many_chunks_written_from_borrowed_entities_read_back_in_order_and_leave_no_scratch() {
        let dir = tempfile::tempdir().unwrap();
        let entities: Vec<Entity> = (0..CHUNK * 2 + 345)
            .map(|i| entity(&format!("svc-{i}")))
            .collect();
        // As a catalog hands them over: references, not copies.
        let borrowed: Vec<&Entity> = entities.iter().collect();
        let problems = vec![Problem::warning(None, "one load problem")];
        let path = path_for(dir.path(), "prod", "https://bs.example.com");
        write(
            &path,
            "https://bs.example.com",
            &borrowed,
            &problems,
            Encoding::MessagePack,
        )
        .unwrap();
        let file = open(&path, "https://bs.example.com").unwrap().unwrap();
        assert_eq!(file.chunks(), 3);
        let back = read(&path, "https://bs.example.com").unwrap().unwrap();
        assert_eq!(back.entities, entities);
        assert_eq!(back.problems.len(), 1);
        // Only the cache itself is left: the scratch file had no name, the temporary file
        // became the cache.
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [path.file_name().unwrap().to_owned()]);
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
        // A plugin's relation and one in another case come back as written.
        let relations = a.server_relations.as_mut().unwrap();
        for (name, target) in [
            ("deployedTo", "resource:default/cluster"),
            ("OWNEDBY", "group:default/x"),
        ] {
            relations.push((
                RelationName::new(name),
                EntityRef::parse(target, None, "default").unwrap(),
            ));
        }
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
    fn a_damaged_timestamp_or_entity_count_is_damage_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cache");
        write(&path, "s", &[entity("a")], &[], Encoding::MessagePack).unwrap();
        let good = std::fs::read(&path).unwrap();
        // One bit: the saved time's top bit, or a time far in the future.
        for (at, byte) in [(19, 0x80), (17, 0x7f)] {
            let mut bad = good.clone();
            bad[at] = byte;
            std::fs::write(&path, &bad).unwrap();
            for err in [
                read(&path, "s").unwrap_err(),
                open_table(&path, "s").unwrap_err(),
            ] {
                assert!(err.to_string().contains("damaged"), "{err}");
            }
        }
        // A table of contents that claims four billion entities in a chunk of a few bytes.
        let table_len = u32::from_le_bytes(good[20..24].try_into().unwrap()) as usize;
        let mut table: TableIn =
            rmp_serde::from_slice(&good[HEADER_LEN..HEADER_LEN + table_len]).unwrap();
        for chunk in &mut table.chunks {
            chunk.entities = u32::MAX;
        }
        let forged = rmp_serde::to_vec(&TableOut {
            source: "s",
            chunks: table.chunks.iter().collect(),
        })
        .unwrap();
        let mut bad = good[..20].to_vec();
        bad.extend_from_slice(&(forged.len() as u32).to_le_bytes());
        bad.extend_from_slice(&forged);
        bad.extend_from_slice(&good[HEADER_LEN + table_len..]);
        std::fs::write(&path, &bad).unwrap();
        let err = read(&path, "s").unwrap_err();
        assert!(err.to_string().contains("damaged"), "{err}");
    }

    #[test]
    fn reading_the_table_alone_refuses_what_a_whole_read_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cache");
        write(&path, "s", &[entity("a")], &[], Encoding::MessagePack).unwrap();
        let full = std::fs::read(&path).unwrap();
        let mut old = full.clone();
        old[8] = 0;
        let damaged: [(&str, Vec<u8>); 6] = [
            ("garbage", b"not a cache".to_vec()),
            ("a header cut short", full[..16].to_vec()),
            ("a table cut short", full[..HEADER_LEN + 2].to_vec()),
            ("a chunk cut short", full[..full.len() - 3].to_vec()),
            ("trailing bytes", [full.as_slice(), b"xyz"].concat()),
            ("another version", old),
        ];
        for (what, bytes) in damaged {
            std::fs::write(&path, &bytes).unwrap();
            let whole = open(&path, "s").map(|_| ()).unwrap_err().to_string();
            let table = open_table(&path, "s").map(|_| ()).unwrap_err().to_string();
            assert_eq!(whole, table, "{what}");
        }
        std::fs::write(&path, &full).unwrap();
        let table = open_table(&path, "s").unwrap().unwrap();
        assert_eq!(table.chunks(), open(&path, "s").unwrap().unwrap().chunks());
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
        let err = write::<Entity>(
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
