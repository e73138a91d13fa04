//! The start-up snapshot: the portal's state once every source has loaded (the catalog's
//! entities in id order with their problems and relations as ids, the search index's prepared
//! haystacks, and which source sent what), so the next start on the same sources builds
//! [`Catalog`] and [`SearchIndex`] straight from it: no validation, no reference lookups, no
//! haystack preparation. The sources then only confirm that nothing changed
//! ([`LoadMode::Confirm`](crate::source::LoadMode::Confirm)).
//!
//! A snapshot is keyed by the list of sources and each source's cache as it stands on disk
//! (path and stamp of a file source's file cache, of a remote source's offline cache): a
//! source's cache is rewritten whenever its data changes, so an unchanged key means the
//! snapshot holds what the caches would give. Sources without a cache (the embedded demo) are
//! never snapshotted.
//!
//! The file: a header (magic, format version, where the table of contents is), the entity
//! chunks (one per run of entities from the same file, at most [`cache::CHUNK`], in the
//! caches' own encoding, so they decode on every core), the wiring and problems, the search
//! index, then the table of contents (the key, each part's length). The table comes last so
//! the parts are written as they are encoded, never all held in memory at once. Written to a
//! temporary file and renamed, mode 0600 like the caches. A snapshot that is damaged, from another version or for other sources
//! or caches is ignored, never trusted.

use crate::catalog::{Catalog, Entity, Problem, RefIndex, Wiring};
use crate::search::{IndexSnapshot, SearchIndex};
use crate::source::cache::{self, files, CacheError};
use crate::source::{SourceId, SourceSpec};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The snapshot format version; a file with another is ignored (and replaced after the load).
pub const VERSION: u32 = 3;

const MAGIC: &[u8; 8] = b"IDPTUISN";
/// Magic, version, length of the table of contents, where it starts.
const HEADER_LEN: usize = 8 + 4 + 4 + 8;

/// The header's version, the table of contents' length and where it starts.
fn header_fields(header: &[u8]) -> (u32, u64, u64) {
    let word = |at: usize, len: usize| {
        header[at..at + len]
            .iter()
            .rev()
            .fold(0u64, |n, &b| n << 8 | u64::from(b))
    };
    (word(8, 4) as u32, word(12, 4), word(16, 8))
}

/// Why a snapshot was not used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read or written, is damaged, or is from another version.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// The snapshot is for other sources, or a source's cache changed since it was written
    /// (another process refreshed it, or the config changed): the normal load runs.
    #[error("{0}: snapshot is out of date (a source or its cache changed); ignoring it")]
    Stale(String),
}

/// A snapshot read back: the state to start from.
#[derive(Debug)]
pub struct Snapshot {
    /// The catalog, relations resolved and problems found.
    pub catalog: Catalog,
    /// The search index over it.
    pub index: SearchIndex,
    /// The source of each entity, by id.
    pub owner: Vec<Option<SourceId>>,
    /// Each source's load problems.
    pub problems: Vec<Vec<Problem>>,
}

/// What a snapshot is written from: the portal's state when a load completed, shared so it is
/// encoded off the UI thread.
#[derive(Debug, Clone)]
pub struct Contents {
    /// The catalog.
    pub catalog: Arc<Catalog>,
    /// Its search index (complete: as many entities as the catalog).
    pub index: Arc<SearchIndex>,
    /// The source of each entity, by id (every entity must have one).
    pub owner: Vec<Option<SourceId>>,
    /// Each source's load problems.
    pub problems: Vec<Vec<Problem>>,
}

/// Where the snapshot of these sources lives, and the key it must carry to be used: `None`
/// when the sources cannot be snapshotted (no sources, the embedded demo, a file source
/// without a file cache yet).
pub fn locate(specs: &[SourceSpec], cache_dir: &Path) -> Option<(PathBuf, String)> {
    if specs.is_empty() {
        return None;
    }
    let mut sources = String::new();
    let mut caches = String::new();
    for spec in specs {
        match spec {
            SourceSpec::Files { name, paths } => {
                let (path, key) = files::location(cache_dir, name, paths)?;
                let stamp = files::Stamp::of(&path.to_string_lossy())?;
                sources.push_str(&format!("files {name:?}\n{key}\n"));
                caches.push_str(&format!("{}\n{stamp:?}\n", path.display()));
            }
            SourceSpec::Backstage(remote) => {
                let url = remote.shown_url();
                let path = cache::path_for(cache_dir, &remote.name, &url);
                let stamp = files::Stamp::of(&path.to_string_lossy());
                sources.push_str(&format!("backstage {:?}\n{url}\n", remote.name));
                caches.push_str(&format!("{}\n{stamp:?}\n", path.display()));
            }
        }
    }
    let file = format!("sources-{:016x}.snapshot", cache::fnv1a(sources.as_bytes()));
    Some((
        cache_dir.join("snapshot").join(file),
        format!("{sources}--\n{caches}"),
    ))
}

/// Reads the snapshot of these sources, if there is one that matches their caches.
/// `Ok(None)` when there is none (or the sources cannot have one).
pub fn open(specs: &[SourceSpec], cache_dir: &Path) -> Result<Option<Snapshot>, SnapshotError> {
    match locate(specs, cache_dir) {
        Some((path, key)) => read(&path, &key),
        None => Ok(None),
    }
}

/// True when a snapshot of these sources is on disk under the key they have now, judged from
/// its header and table of contents alone (a few kilobytes): the sources can start confirming
/// it while it decodes. Whether it decodes is only known from [`open`].
pub fn present(specs: &[SourceSpec], cache_dir: &Path) -> bool {
    use std::io::Read;
    let Some((path, key)) = locate(specs, cache_dir) else {
        return false;
    };
    let Ok(mut file) = std::fs::File::open(&path) else {
        return false;
    };
    use std::io::{Seek, SeekFrom};
    let mut header = [0u8; HEADER_LEN];
    if file.read_exact(&mut header).is_err() || &header[..8] != MAGIC {
        return false;
    }
    let (version, table_len, table_at) = header_fields(&header);
    let size = file.metadata().map_or(0, |m| m.len());
    if version != VERSION
        || table_at < HEADER_LEN as u64
        || table_at.checked_add(table_len) != Some(size)
    {
        return false;
    }
    let mut table = vec![0u8; table_len as usize];
    if file.seek(SeekFrom::Start(table_at)).is_err() || file.read_exact(&mut table).is_err() {
        return false;
    }
    rmp_serde::from_slice::<Table>(&table).is_ok_and(|t| t.key == key)
}

/// Writes the snapshot of these sources from `contents`, keyed by their caches as they are
/// now. Does nothing when the sources cannot be snapshotted.
pub fn save(
    specs: &[SourceSpec],
    cache_dir: &Path,
    contents: &Contents,
) -> Result<(), SnapshotError> {
    match locate(specs, cache_dir) {
        Some((path, key)) => Ok(write(&path, &key, contents)?),
        None => Ok(()),
    }
}

/// The table of contents.
#[derive(serde::Serialize, serde::Deserialize)]
struct Table {
    key: String,
    /// Per entity chunk: the origin path of its entities, its length in bytes, its entities.
    chunks: Vec<(String, u64, u32)>,
    /// Length of the wiring and problems.
    state: u64,
    /// Length of the search index.
    index: u64,
}

/// The catalog's state besides its entities; problem lists are encoded as cache records.
#[derive(serde::Serialize, serde::Deserialize)]
struct State {
    wiring: Wiring,
    /// The source of each entity, by id.
    owner: Vec<u32>,
    problems: Vec<u8>,
    reference_problems: Vec<u8>,
    source_problems: Vec<Vec<u8>>,
}

/// Runs of entities from the same file, at most [`cache::CHUNK`] long: (start, end).
fn runs(entities: &[Entity]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entities.len() {
        let split = i == entities.len()
            || i - start >= cache::CHUNK
            || entities[i].origin.path != entities[start].origin.path;
        if split {
            out.push((start, i));
            start = i;
        }
    }
    out
}

/// Writes a snapshot atomically, readable only by the user.
pub fn write(path: &Path, key: &str, contents: &Contents) -> Result<(), CacheError> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| CacheError::Io {
        path: shown.clone(),
        action: "written",
        source,
    };
    let failed = |e: String| io(std::io::Error::other(e));
    let catalog = &contents.catalog;
    let entities = catalog.entities();
    if contents.owner.len() != entities.len() || contents.index.len() != entities.len() {
        return Err(failed("the state is incomplete (a load is running)".into()));
    }
    let owner = contents
        .owner
        .iter()
        .map(|o| o.map(|s| s as u32))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| failed("entities not from a source (registered in this session)".into()))?;
    let runs = runs(entities);
    let problems = |list: &[Problem]| cache::encode_records(&[], list, "");
    let (load_problems, reference_problems) = catalog.problem_lists();
    let state = State {
        wiring: catalog.wiring(),
        owner,
        problems: problems(load_problems).map_err(failed)?,
        reference_problems: problems(reference_problems).map_err(failed)?,
        source_problems: contents
            .problems
            .iter()
            .map(|p| problems(p))
            .collect::<Result<_, _>>()
            .map_err(failed)?,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    remove_abandoned(dir, path);
    // NamedTempFile creates the file with mode 0600.
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let mut w = Counted {
        out: std::io::BufWriter::with_capacity(1 << 20, tmp.as_file_mut()),
        written: 0,
    };
    // The header's place; it is written last, when the table's place is known.
    w.write_all(&[0; HEADER_LEN]).map_err(io)?;
    // Each chunk written as soon as it is encoded (on every core, handed over in order).
    let mut lengths = Vec::with_capacity(runs.len());
    let mut error = None;
    let buffers = cache::Buffers::default();
    crate::source::ordered::for_each_ordered(
        runs.len(),
        |i| {
            let (start, end) = runs[i];
            let path = &entities[start].origin.path;
            cache::encode_records_in(&buffers, &entities[start..end], path)
        },
        |_, encoded| match encoded {
            Ok(bytes) if error.is_none() => match w.write_all(&bytes) {
                Ok(()) => {
                    lengths.push(bytes.len() as u64);
                    buffers.give(bytes);
                }
                Err(e) => error = Some(io(e)),
            },
            Ok(_) => {}
            Err(e) => error = Some(failed(e)),
        },
    );
    if let Some(e) = error {
        return Err(e);
    }
    let state = encode_counted(&mut w, &state).map_err(|e| failed(e.to_string()))?;
    let index =
        encode_counted(&mut w, &contents.index.to_snapshot()).map_err(|e| failed(e.to_string()))?;
    let table = Table {
        key: key.to_string(),
        chunks: runs
            .iter()
            .zip(&lengths)
            .map(|(&(start, end), &len)| {
                (
                    entities[start].origin.path.to_string(),
                    len,
                    (end - start) as u32,
                )
            })
            .collect(),
        state,
        index,
    };
    let table_at = w.written;
    let table = rmp_serde::to_vec(&table).map_err(|e| failed(e.to_string()))?;
    let table_len = u32::try_from(table.len()).map_err(|_| failed("table too large".into()))?;
    w.write_all(&table).map_err(io)?;
    w.out.flush().map_err(io)?;
    drop(w);
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    header.extend_from_slice(&table_len.to_le_bytes());
    header.extend_from_slice(&table_at.to_le_bytes());
    {
        use std::io::{Seek, SeekFrom};
        let file = tmp.as_file_mut();
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&header).map_err(io)?;
    }
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A writer that counts what goes through it.
struct Counted<W> {
    out: W,
    written: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The state and the index are encoded in one call each (tens of milliseconds on
        // 100,000 entities): written after a load, they pause here while the user types, at
        // every 64 KiB (the encoder writes each marker and string on its own).
        if self.written >> 16 != (self.written + buf.len() as u64) >> 16 {
            crate::background::yield_to_user();
        }
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Encodes `value` (MessagePack) onto `w`; returns how many bytes it took.
fn encode_counted<W: Write, T: serde::Serialize + ?Sized>(
    w: &mut Counted<W>,
    value: &T,
) -> Result<u64, rmp_serde::encode::Error> {
    let start = w.written;
    rmp_serde::encode::write(w, value)?;
    Ok(w.written - start)
}

/// Removes what nobody will read again, each as large as a snapshot: temporary files of
/// writes that never finished (the portal quit while writing) older than a few minutes (so a
/// write running in another idp-tui is left alone), and snapshots of other lists of sources
/// not written for a month (an old config's).
fn remove_abandoned(dir: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let older_than = |entry: &std::fs::DirEntry, secs: u64| {
        entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > secs))
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let abandoned = (name.starts_with(".tmp") && older_than(&entry, 600))
            || (name.ends_with(".snapshot")
                && entry.path() != current
                && older_than(&entry, 30 * 86_400));
        if abandoned {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Reads a snapshot written with `key`, decoding its entities on every core while the search
/// index and the wiring decode beside them. `Ok(None)` when there is none.
pub fn read(path: &Path, key: &str) -> Result<Option<Snapshot>, SnapshotError> {
    let shown = path.display().to_string();
    let Some(bytes) = crate::source::cache::read_if_there(path)? else {
        return Ok(None);
    };
    let corrupt = |detail: String| CacheError::Corrupt {
        path: shown.clone(),
        detail,
    };
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(corrupt("not an idp-tui snapshot".into()).into());
    }
    let (version, table_len, table_at) = header_fields(&bytes);
    if version != VERSION {
        return Err(CacheError::Version {
            path: shown,
            found: version,
        }
        .into());
    }
    let table_range = usize::try_from(table_at)
        .ok()
        .filter(|&at| at >= HEADER_LEN)
        .and_then(|at| Some(at..at.checked_add(usize::try_from(table_len).ok()?)?))
        .filter(|r| r.end == bytes.len())
        .ok_or_else(|| corrupt("truncated: the table of contents is not at the end".into()))?;
    let parts_end = table_range.start;
    let table: Table =
        rmp_serde::from_slice(&bytes[table_range]).map_err(|e| corrupt(e.to_string()))?;
    if table.key != key {
        return Err(SnapshotError::Stale(shown));
    }
    // Where each part starts and ends; all must fit exactly before the table.
    let mut at = HEADER_LEN;
    let mut take = |len: u64| -> Result<std::ops::Range<usize>, CacheError> {
        let start = at;
        at = usize::try_from(len)
            .ok()
            .and_then(|len| at.checked_add(len))
            .filter(|&end| end <= parts_end)
            .ok_or_else(|| corrupt("truncated: a part runs past the table".into()))?;
        Ok(start..at)
    };
    let chunks = table
        .chunks
        .iter()
        .map(|(path, len, _)| Ok((Arc::<str>::from(path.as_str()), take(*len)?)))
        .collect::<Result<Vec<_>, CacheError>>()?;
    let state_at = take(table.state)?;
    let index_at = take(table.index)?;
    if at != parts_end {
        return Err(corrupt("stray bytes between the search index and the table".into()).into());
    }
    // Each count is checked against its chunk's bytes before anything is reserved for it: a
    // forged count of four billion aborted the process.
    if table
        .chunks
        .iter()
        .any(|c| u64::from(c.2) * cache::MIN_ENTITY_BYTES > c.1)
    {
        return Err(corrupt("a chunk claims more entities than its bytes can hold".into()).into());
    }
    let total: usize = table.chunks.iter().map(|c| c.2 as usize).sum();
    let (entities, rest) = std::thread::scope(|scope| {
        // The index and the wiring beside the entities, which take every core.
        let rest = scope.spawn(|| -> Result<_, String> {
            let index: IndexSnapshot =
                rmp_serde::from_slice(&bytes[index_at]).map_err(|e| e.to_string())?;
            let index = SearchIndex::from_snapshot(index)?;
            let mut state: State =
                rmp_serde::from_slice(&bytes[state_at]).map_err(|e| e.to_string())?;
            let wired = std::mem::take(&mut state.wiring).resolve(total)?;
            Ok((index, state, wired))
        });
        let mut entities = Vec::with_capacity(total);
        // Indexed by reference here, as chunks arrive, while the next ones decode.
        let mut refs = RefIndex::with_capacity(total);
        let mut failed = None;
        crate::source::ordered::for_each_ordered(
            chunks.len(),
            |i| {
                let (path, range) = &chunks[i];
                cache::decode_records(&bytes[range.clone()], path)
            },
            |_, decoded| match decoded {
                Ok((e, _)) if failed.is_none() => {
                    if let Err(e) = refs.add(&e) {
                        failed = Some(e);
                    }
                    entities.extend(e);
                }
                Ok(_) => {}
                Err(e) => failed = Some(e),
            },
        );
        let rest = rest
            .join()
            .unwrap_or_else(|_| Err("decoding the search index failed".into()));
        (failed.map_or(Ok((entities, refs)), Err), rest)
    });
    let (entities, refs) = entities.map_err(corrupt)?;
    let (index, state, wired) = rest.map_err(corrupt)?;
    let problems = |bytes: &[u8]| {
        cache::decode_records(bytes, &Arc::from(""))
            .map(|(_, p)| p)
            .map_err(corrupt)
    };
    let owner = state.owner.iter().map(|&s| Some(s as SourceId)).collect();
    let source_problems = state
        .source_problems
        .iter()
        .map(|p| problems(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (load_problems, reference_problems) = (
        problems(&state.problems)?,
        problems(&state.reference_problems)?,
    );
    if entities.len() != total || index.len() != total || state.owner.len() != total {
        return Err(corrupt("entity counts differ between parts".into()).into());
    }
    let catalog = Catalog::assemble(entities, refs, wired, load_problems, reference_problems)
        .map_err(corrupt)?;
    Ok(Some(Snapshot {
        catalog,
        index,
        owner,
        problems: source_problems,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A snapshot file laid out as [`write`] lays it out, with a table of contents that says
    /// whatever the test wants.
    fn forged(path: &Path, key: &str, chunks: Vec<(String, u64, u32)>) {
        let parts: u64 = chunks.iter().map(|c| c.1).sum();
        let table = rmp_serde::to_vec(&Table {
            key: key.into(),
            chunks,
            state: 1,
            index: 1,
        })
        .unwrap();
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&(table.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&(HEADER_LEN as u64 + parts + 2).to_le_bytes());
        bytes.resize(HEADER_LEN + parts as usize + 2, 0xc0);
        bytes.extend_from_slice(&table);
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_forged_entity_count_is_damage_not_an_abort() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.snapshot");
        // Four billion entities in 16 bytes, a thousand times over: reserving room for them
        // first aborted the process.
        forged(&path, "k", vec![("p".into(), 16, u32::MAX); 1000]);
        let Err(err) = read(&path, "k") else {
            panic!("a forged count was read as a snapshot");
        };
        let err = err.to_string();
        assert!(err.contains("damaged"), "{err}");
    }
}
