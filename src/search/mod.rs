//! Fuzzy search over the catalog, with inline filters (`kind:component owner:ledger-team`).
//!
//! The [`SearchIndex`] is built once per catalog change and holds prepared, lowercased
//! haystacks, so a keystroke only scores strings. It is `Send + Sync`, so matching can run on a
//! worker while the UI stays responsive.

use crate::catalog::{Catalog, EntityId, EntityRef, RelationType};
use nucleo_matcher::{Config, Matcher, Utf32String};
use std::sync::Arc;

mod facets;
mod score;
pub use facets::{Facets, FACET_TOP};
mod snapshot;
use score::{
    byte_mask, filter_matches, name_matches, score_word, substring_score, word_matches, Word,
    BEST_WITHOUT_SUBSTRING,
};
pub use snapshot::IndexSnapshot;

/// The filter keys a query understands.
pub const FILTER_KEYS: [&str; 9] = [
    "in",
    "kind",
    "owner",
    "tag",
    "lifecycle",
    "type",
    "namespace",
    "system",
    "format",
];

/// A parsed query: free-text words and `key:value` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Lowercased free-text words; each must match.
    pub words: Vec<String>,
    /// Filters; an entity must match every one (any of a filter's comma-separated values).
    pub filters: Vec<(String, Vec<String>)>,
    /// Hints for the user, such as an unknown filter key.
    pub hints: Vec<String>,
}

impl Query {
    /// Parses a query as typed.
    pub fn parse(input: &str) -> Self {
        let mut q = Query::default();
        for token in input.split_whitespace() {
            if let Some((key, value)) = token.split_once(':') {
                let key = key.to_lowercase();
                if FILTER_KEYS.contains(&key.as_str()) {
                    let values: Vec<String> = value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(str::to_lowercase)
                        .collect();
                    if key == "in" && values.iter().any(|v| v != "docs") {
                        q.hints.push(format!("in:{value}: only in:docs is known"));
                    }
                    if values.is_empty() {
                        q.hints.push(format!(
                            "{key}: needs a value, e.g. {key}:{}",
                            example(&key)
                        ));
                    } else {
                        q.filters.push((key, values));
                    }
                    continue;
                }
                if !key.is_empty() && !value.is_empty() && !key.contains('/') {
                    q.hints.push(format!(
                        "unknown filter {key}: (known: {}); searching for it as text",
                        FILTER_KEYS.join(", ")
                    ));
                }
            }
            q.words.push(token.to_lowercase());
        }
        q
    }

    /// True when the query asks for docs pages (`in:docs`) rather than entities: a front end
    /// then searches a [`crate::techdocs::DocsIndex`], built on demand.
    pub fn in_docs(&self) -> bool {
        self.filters
            .iter()
            .any(|(k, vs)| k == "in" && vs.iter().any(|v| v == "docs"))
    }

    /// True when the query neither filters nor has words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.filters.is_empty()
    }
}

fn example(key: &str) -> &'static str {
    match key {
        "kind" => "component",
        "owner" => "ledger-team",
        "tag" => "java",
        "lifecycle" => "production",
        "type" => "service",
        "namespace" => "default",
        "in" => "docs",
        "format" => "cortex",
        _ => "payments",
    }
}

/// A string the index stores once (a kind, an owner, a tag…): its number in the
/// [`Interner`].
type Sym = u32;

/// Prepared text of one entity: nucleo's UTF-32 form of each fuzzy-matched field, and the
/// numbers of its filter values. Its name, description and tags are in the lists the
/// [`Haystacks`] share, so preparing an entity allocates only for the matcher's fields.
#[derive(Debug, Clone)]
struct Haystack {
    name32: Utf32String,
    title32: Utf32String,
    /// Tags and the owner's name, joined by spaces.
    meta32: Utf32String,
    /// Where the description is in [`Haystacks::descriptions`]. Matched as a substring: fuzzy
    /// matching of long text finds noise and costs time.
    description: (u32, u32),
    kind: Sym,
    namespace: Sym,
    lifecycle: Sym,
    spec_type: Sym,
    owner_ref: Sym,
    system: Sym,
    /// The format the entity was read from: `backstage`, or another portal's (`cortex`, …)
    /// from its `idp-tui/source-format` annotation.
    format: Sym,
    /// Where the tags are in [`Haystacks::tags`].
    tags: (u32, u32),
    /// Which bytes occur in the name, title and meta fields ([`byte_mask`]), so a word with a
    /// letter a field lacks is ruled out without reading the field.
    masks: [u64; 3],
    /// Among equal matches: kind first (components before other kinds), then the entities more
    /// things depend on. Lower sorts first.
    rank: u32,
    /// The browsing order's key, for a query without words: the kind's place in the top byte,
    /// then the name's first seven bytes, so most comparisons are one integer compare.
    browse_key: u64,
}

impl Haystack {
    /// The numbers of its filter values: kind, namespace, lifecycle, type, owner, system,
    /// format (the order a snapshot stores them in).
    fn fields(&self) -> [Sym; 7] {
        [
            self.kind,
            self.namespace,
            self.lifecycle,
            self.spec_type,
            self.owner_ref,
            self.system,
            self.format,
        ]
    }

    /// The same fields, to renumber them.
    fn fields_mut(&mut self) -> [&mut Sym; 7] {
        [
            &mut self.kind,
            &mut self.namespace,
            &mut self.lifecycle,
            &mut self.spec_type,
            &mut self.owner_ref,
            &mut self.system,
            &mut self.format,
        ]
    }
}

/// Every entity's haystack, and the text they keep in shared lists (one buffer each rather
/// than a few small allocations per entity).
#[derive(Debug, Default)]
struct Haystacks {
    items: Vec<Haystack>,
    /// Every lowercase name, each followed by a NUL, so one substring scan finds a word in all
    /// names at once (see [`SearchIndex::name_hits`]).
    names: String,
    /// Where each entity's name starts in `names`.
    name_starts: Vec<usize>,
    /// Every description's searched prefix, in lower case, one after another.
    descriptions: String,
    /// Every entity's tags, one after another.
    tags: Vec<Sym>,
}

/// One entity's prepared text, as scoring reads it: the shared lists are read only for the
/// fields a query gets to (most entities are decided by their name).
struct Text<'a> {
    h: &'a Haystack,
    i: usize,
    hay: &'a Haystacks,
}

impl<'a> Text<'a> {
    fn name(&self) -> &'a str {
        self.hay.name(self.i)
    }

    fn description(&self) -> &'a str {
        let (d0, d1) = self.h.description;
        self.hay
            .descriptions
            .get(d0 as usize..d1 as usize)
            .unwrap_or_default()
    }

    fn tags(&self) -> &'a [Sym] {
        let (t0, t1) = self.h.tags;
        &self.hay.tags[t0 as usize..t1 as usize]
    }
}

impl Haystacks {
    /// The prepared text of entity `i`.
    fn text(&self, i: usize) -> Text<'_> {
        Text {
            h: &self.items[i],
            i,
            hay: self,
        }
    }

    /// The lowercase name of entity `i`.
    fn name(&self, i: usize) -> &str {
        let end = self.name_starts.get(i + 1).map_or(self.names.len(), |&e| e);
        // Less the NUL that ends it.
        self.names
            .get(self.name_starts[i]..end - 1)
            .unwrap_or_default()
    }

    /// Adds a lowercase name, a description (which `description` writes) and tags to the
    /// shared lists; returns where the description and the tags went.
    fn push_text(
        &mut self,
        name: &str,
        description: impl FnOnce(&mut String),
        tags: impl IntoIterator<Item = Sym>,
    ) -> ((u32, u32), (u32, u32)) {
        self.name_starts.push(self.names.len());
        self.names.push_str(name);
        self.names.push('\0');
        let d0 = offset(self.descriptions.len());
        description(&mut self.descriptions);
        let t0 = offset(self.tags.len());
        self.tags.extend(tags);
        (
            (d0, offset(self.descriptions.len())),
            (t0, offset(self.tags.len())),
        )
    }

    /// Adds haystacks prepared on their own (by another thread, with a copy of the interner):
    /// `numbers` gives each of their string numbers as this index numbers it.
    fn append(&mut self, other: Haystacks, numbers: &[Sym]) {
        let (names, descriptions, tags) = (
            self.names.len(),
            offset(self.descriptions.len()),
            offset(self.tags.len()),
        );
        let number = |n: Sym| numbers[n as usize];
        self.names.push_str(&other.names);
        self.name_starts
            .extend(other.name_starts.iter().map(|s| s + names));
        self.descriptions.push_str(&other.descriptions);
        self.tags.extend(other.tags.iter().map(|&t| number(t)));
        self.items.extend(other.items.into_iter().map(|mut h| {
            h.description = (
                h.description.0 + descriptions,
                h.description.1 + descriptions,
            );
            h.tags = (h.tags.0 + tags, h.tags.1 + tags);
            for n in h.fields_mut() {
                *n = number(*n);
            }
            h
        }));
    }
}

/// A position in one of the shared lists. They hold at most a few hundred bytes per entity
/// (descriptions are cut to [`DESCRIPTION_PREFIX`] characters) and entity ids are `u32`, so
/// positions fit in `u32` well past any catalog that fits in memory.
fn offset(len: usize) -> u32 {
    u32::try_from(len).expect("the search index's text fits in 4 GiB")
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The entity.
    pub id: EntityId,
    /// Higher is better.
    pub score: i64,
    /// Character positions in the entity's name that matched, for highlighting.
    pub name_matches: Vec<usize>,
}

/// Results of one query.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// Hits, best first, at most the requested limit.
    pub hits: Vec<Hit>,
    /// How many entities matched in all (before the limit).
    pub total: usize,
    /// Hints about the query.
    pub hints: Vec<String>,
    /// The matches counted by kind, owner, lifecycle and tag (filled by [`Narrowing::search`],
    /// which the portal searches with; empty from [`SearchIndex::search`]).
    pub facets: Facets,
}

/// Prepared haystacks for a catalog.
pub struct SearchIndex {
    hay: Haystacks,
    strings: Interner,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} entities)", self.hay.items.len())
    }
}

/// Numbers each distinct string once: haystacks hold the numbers.
#[derive(Default, Clone)]
struct Interner {
    numbers: foldhash::HashMap<Arc<str>, Sym>,
    texts: Vec<Arc<str>>,
}

impl Interner {
    /// Takes in the strings a copy of this interner numbered since it was made with `base`
    /// strings; returns each of the copy's numbers as this interner numbers it.
    fn absorb(&mut self, other: Interner, base: usize) -> Vec<Sym> {
        let mut numbers: Vec<Sym> = (0..base as Sym).collect();
        numbers.extend(other.texts[base..].iter().map(|t| self.get(t)));
        numbers
    }

    fn get(&mut self, s: &str) -> Sym {
        if let Some(&n) = self.numbers.get(s) {
            return n;
        }
        let n = self.texts.len() as Sym;
        let text: Arc<str> = Arc::from(s);
        self.numbers.insert(text.clone(), n);
        self.texts.push(text);
        n
    }

    /// The number of `s` in lower case (most catalog values already are: no copy then).
    fn get_lower(&mut self, s: &str) -> Sym {
        self.get(&lower(s))
    }

    /// The string numbered `n`.
    fn text(&self, n: Sym) -> &str {
        &self.texts[n as usize]
    }
}

/// `s` in lower case, borrowed when it already is.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// (score, tie-break rank, entity index) of one match.
type Scored = (i64, u32, u32);

/// Below this many candidates, scoring on one thread is faster than starting others.
const PARALLEL_THRESHOLD: usize = 20_000;

/// Keeps the last query's matches so that typing more characters only re-scores them.
///
/// A query narrows the previous one when it has the same filters plus possibly more, and every
/// previous word is a prefix of the word in its place: then its matches are a subset of the
/// previous matches (a fuzzy match of a word implies a match of its prefix).
#[derive(Debug)]
pub struct Searcher {
    index: SearchIndex,
    /// Bumped whenever the index may have changed.
    version: u64,
    narrowing: Narrowing,
}

impl Searcher {
    /// A searcher over an index.
    pub fn new(index: SearchIndex) -> Self {
        Self {
            index,
            version: 0,
            narrowing: Narrowing::default(),
        }
    }

    /// The index, to extend it as entities arrive (which forgets the last matches).
    pub fn index_mut(&mut self) -> &mut SearchIndex {
        self.version += 1;
        &mut self.index
    }

    /// The index.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Runs a query, narrowing the previous one's matches when it can.
    pub fn search(&mut self, query: &Query, limit: usize) -> Results {
        self.narrowing
            .search(&self.index, self.version, query, limit)
    }
}

/// The narrowing memory of a [`Searcher`], detached from the index so that a search worker can
/// keep it while the index itself is shared (`Arc`) and extended between searches. `version`
/// names the index's contents: after the index changed, the memory is not used.
#[derive(Debug, Default)]
pub struct Narrowing {
    last: Option<(u64, Query, Vec<u32>)>,
}

impl Narrowing {
    /// Runs a query over `index` (whose contents are named by `version`), narrowing the
    /// previous query's matches when the index is unchanged and the query extends it.
    pub fn search(
        &mut self,
        index: &SearchIndex,
        version: u64,
        query: &Query,
        limit: usize,
    ) -> Results {
        let within = self
            .last
            .as_ref()
            .filter(|(v, old, _)| *v == version && narrows(old, query))
            .map(|(_, _, matched)| matched.as_slice());
        let (results, matched) = index.search_within(query, limit, within);
        self.last = Some((version, query.clone(), matched));
        results
    }

    /// The last search's matches counted by facet (one pass over them: asked for only while
    /// the counts are shown, as they cost a few ms per keystroke on 100,000 matches); empty
    /// when the index changed since (`version`).
    pub fn facets(&self, index: &SearchIndex, version: u64) -> Facets {
        match &self.last {
            Some((v, _, matched)) if *v == version => index.facets(matched, FACET_TOP),
            _ => Facets::default(),
        }
    }
}

/// True when every match of `new` is a match of `old`.
fn narrows(old: &Query, new: &Query) -> bool {
    new.filters.len() >= old.filters.len()
        && old.filters.iter().zip(&new.filters).all(|(a, b)| a == b)
        && new.words.len() >= old.words.len()
        && old
            .words
            .iter()
            .zip(&new.words)
            .all(|(a, b)| b.starts_with(a.as_str()))
}

/// Longest prefix of a description that is fuzzy-matched; long descriptions cost time per key.
const DESCRIPTION_PREFIX: usize = 240;

impl SearchIndex {
    /// Prepares every entity of a catalog.
    pub fn build(catalog: &Catalog) -> Self {
        let mut index = Self {
            hay: Haystacks::default(),
            strings: Interner::default(),
        };
        index.extend(catalog);
        index
    }

    /// Prepares the entities added to the catalog since the index was built (ids past the
    /// end of the index). Tie-break weights of earlier entities are not updated. A large batch
    /// is prepared on two threads (the second with a copy of the interned strings, merged back
    /// after), since this runs on the UI thread while sources load.
    pub fn extend(&mut self, catalog: &Catalog) {
        let (start, end) = (self.hay.items.len(), catalog.len());
        if end <= start {
            return;
        }
        // Room for every entity the catalog has room for, at once: a large list that grows step
        // by step is copied each time, into fresh memory the system must clear first.
        let room = catalog.capacity().max(end) - start;
        let hay = &mut self.hay;
        hay.items.reserve(room);
        hay.name_starts.reserve(room);
        // Names average about 24 bytes until some are in to tell.
        let average_name = hay.names.len().checked_div(start).map_or(24, |n| n + 1);
        hay.names.reserve(room * average_name);
        let threads = crate::background::cores();
        if end - start < PARALLEL_PREPARE || threads < 2 {
            return prepare(catalog, start..end, &mut self.strings, hay);
        }
        let middle = start + (end - start) / 2;
        let (base, mut second_strings) = (self.strings.texts.len(), self.strings.clone());
        let strings = &mut self.strings;
        let second = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let mut out = Haystacks::default();
                prepare(catalog, middle..end, &mut second_strings, &mut out);
                out
            });
            prepare(catalog, start..middle, strings, hay);
            second.join()
        });
        match second {
            Ok(second) => {
                let numbers = self.strings.absorb(second_strings, base);
                self.hay.append(second, &numbers);
            }
            // Not expected (preparing does not panic on data); do that half here instead.
            Err(_) => prepare(catalog, middle..end, &mut self.strings, &mut self.hay),
        }
    }

    /// Recomputes every entity's tie-break rank from the catalog as it is now. An entity
    /// prepared while sources were loading counted only the dependents already in, so the
    /// order of equal matches would depend on the order batches arrived in.
    pub fn refresh_ranks(&mut self, catalog: &Catalog) {
        for (item, id) in self.hay.items.iter_mut().zip(catalog.ids()) {
            // The kind's place is the browsing key's top byte: the entity is not read again.
            item.rank = rank((item.browse_key >> 56) as usize, catalog, id);
        }
    }

    /// The number of prepared entities.
    pub fn len(&self) -> usize {
        self.hay.items.len()
    }

    /// True when nothing is prepared.
    pub fn is_empty(&self) -> bool {
        self.hay.items.is_empty()
    }

    /// Runs a query and returns at most `limit` hits, best first.
    pub fn search(&self, query: &Query, limit: usize) -> Results {
        self.search_within(query, limit, None).0
    }

    /// Runs a query over all entities, or only over `within` (entity indexes, ascending) when
    /// the caller knows the answer lies there. Also returns every matching index, so a query
    /// that extends this one can be narrowed to them (see [`Searcher`]).
    pub fn search_within(
        &self,
        query: &Query,
        limit: usize,
        within: Option<&[u32]>,
    ) -> (Results, Vec<u32>) {
        let count = within.map_or(self.hay.items.len(), <[u32]>::len);
        // Score on every core of the kept pool: each thread takes a contiguous part, so the
        // matches stay in order.
        let pool = crate::background::interactive().filter(|_| count >= PARALLEL_THRESHOLD);
        let threads = pool.map_or(1, |p| p.current_num_threads().min(4));
        self.search_in_parts(query, limit, within, threads, pool)
    }

    /// [`SearchIndex::search_within`] over `threads` parts of the candidates, on `pool` (or
    /// one after another without it). The answer does not depend on the number of parts.
    fn search_in_parts(
        &self,
        query: &Query,
        limit: usize,
        within: Option<&[u32]>,
        threads: usize,
        pool: Option<&rayon::ThreadPool>,
    ) -> (Results, Vec<u32>) {
        let words: Vec<Word> = query.words.iter().map(|w| Word::new(w)).collect();
        let count = within.map_or(self.hay.items.len(), <[u32]>::len);
        let threads = threads.max(1);
        let chunk = count.div_ceil(threads).max(1);
        let part = |k: usize| match within {
            Some(w) => Candidates::Some(&w[(k * chunk).min(count)..((k + 1) * chunk).min(count)]),
            None => Candidates::Range(
                (k * chunk).min(count) as u32..((k + 1) * chunk).min(count) as u32,
            ),
        };
        let hay = &self.hay;
        let name = |s: &Scored| hay.name(s.2 as usize);
        // Without words, the order is browsing order (kind, then name); with words, the score,
        // then the tie-break rank. Integers decide most comparisons; names break the rest.
        let browse = query.words.is_empty();
        let by_order = |a: &Scored, b: &Scored| {
            let (x, y) = (&hay.items[a.2 as usize], &hay.items[b.2 as usize]);
            x.browse_key
                .cmp(&y.browse_key)
                .then_with(|| name(a).cmp(name(b)))
                .then(a.2.cmp(&b.2))
        };
        // Names compare by their first seven bytes first (kept as an integer in the browsing
        // key), so most ties cost no string comparison.
        let head = |s: &Scored| hay.items[s.2 as usize].browse_key & NAME_HEAD;
        let by_score = |a: &Scored, b: &Scored| {
            (-a.0, a.1, head(a))
                .cmp(&(-b.0, b.1, head(b)))
                .then_with(|| name(a).cmp(name(b)))
                .then(a.2.cmp(&b.2))
        };
        // One total order picks the first `limit` and sorts them, so a shorter list is always
        // the start of a longer one.
        let order = |a: &Scored, b: &Scored| {
            if browse {
                by_order(a, b)
            } else {
                by_score(a, b)
            }
        };
        // The first `limit` of some matches, in no particular order.
        let firsts = |mut scored: Vec<Scored>| {
            if scored.len() > limit && limit > 0 {
                scored.select_nth_unstable_by(limit - 1, order);
            }
            scored.truncate(limit);
            scored
        };
        // Each part finds its words in its names, scores its candidates and picks its own first
        // `limit` (the first `limit` of all are among those), so only a few hundred matches
        // come back to be merged.
        let words = &words;
        let scan = count >= NAME_SCAN_THRESHOLD;
        let score_part = |k: usize| {
            let part = part(k);
            // Many candidates: find each word in all their names with one scan, not one per
            // entity.
            let hits: Vec<Option<NameHits>> = words
                .iter()
                .map(|w| scan.then(|| self.name_hits(w, part.span())).flatten())
                .collect();
            // One word that enough names contain: only those names can reach the first
            // `limit`, so the other matches are counted but not scored (most of a short word's
            // cost).
            let count_only = words.len() == 1
                && query.filters.is_empty()
                && limit > 0
                && hits[0]
                    .as_ref()
                    .is_some_and(|h| self.sure_of_the_top(h, &words[0], &part, limit));
            let (scored, matched) = self.score_all(query, words, &hits, part, count_only);
            (firsts(scored), matched)
        };
        let mut parts: Vec<(Vec<Scored>, Vec<u32>)> = match pool.filter(|_| threads > 1) {
            Some(pool) => {
                use rayon::prelude::*;
                pool.install(|| (0..threads).into_par_iter().map(score_part).collect())
            }
            None => (0..threads).map(score_part).collect(),
        };
        let total = parts.iter().map(|p| p.1.len()).sum();
        let (scored, matched) = match parts.len() {
            1 => parts.pop().unwrap_or_default(),
            _ => {
                let mut matched = Vec::with_capacity(total);
                let mut scored = Vec::with_capacity(parts.len().saturating_mul(limit).min(total));
                for (s, m) in parts {
                    scored.extend(s);
                    matched.extend(m);
                }
                (firsts(scored), matched)
            }
        };
        let mut scored = scored;
        scored.sort_by(order);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let hits = scored
            .into_iter()
            .map(|(score, _, i)| Hit {
                id: EntityId(i),
                score,
                name_matches: name_matches(&mut matcher, &hay.items[i as usize], words),
            })
            .collect();
        (
            Results {
                hits,
                total,
                hints: query.hints.clone(),
                facets: Facets::default(),
            },
            matched,
        )
    }

    /// Scores the given entities; returns the scored matches and every match's index in
    /// candidate order. Those that do not match every filter and word are left out. `hits`
    /// holds, per word, where each name first contains it, when that was found by a scan of
    /// all names ([`SearchIndex::name_hits`]). With `count_only` (one word, see
    /// [`SearchIndex::sure_of_the_top`]), an entity whose name does not contain the word is
    /// only counted among the matches, unscored: it cannot reach the first `limit`.
    fn score_all(
        &self,
        query: &Query,
        words: &[Word],
        hits: &[Option<NameHits>],
        part: Candidates,
        count_only: bool,
    ) -> (Vec<Scored>, Vec<u32>) {
        let mut matcher = Matcher::new(Config::DEFAULT);
        // Room for every candidate at once: growing by doubling copies the list and touches
        // fresh memory at every step (page faults that cost more than the scoring).
        let mut out = Vec::with_capacity(part.len());
        let mut matched = Vec::with_capacity(part.len());
        let mut idx = Vec::new();
        'items: for i in part.ids() {
            let text = self.hay.text(i as usize);
            let mut filters = query.filters.iter();
            if !filters.all(|(k, vs)| filter_matches(&text, &self.strings, k, vs)) {
                continue;
            }
            if count_only {
                let hit = hits.first().and_then(|h| h.as_ref()?.get(i));
                if hit == Some(NO_HIT) {
                    if words
                        .first()
                        .is_some_and(|w| word_matches(&mut matcher, &text, w))
                    {
                        matched.push(i);
                    }
                    continue;
                }
            }
            let mut total = 0i64;
            for (word, hits) in words.iter().zip(hits) {
                let hit = hits.as_ref().and_then(|hits| hits.get(i));
                match score_word(&mut matcher, &mut idx, &text, word, hit) {
                    Some(s) => total += s,
                    None => continue 'items,
                }
            }
            out.push((total, text.h.rank, i));
            matched.push(i);
        }
        (out, matched)
    }
}

impl SearchIndex {
    /// True when at least `limit` of the candidates have names containing `word` at a place
    /// that scores above anything a name without it can ([`BEST_WITHOUT_SUBSTRING`]): the
    /// first `limit` results are then among those names, whatever the others score.
    fn sure_of_the_top(
        &self,
        name_hits: &NameHits,
        word: &Word,
        candidates: &Candidates,
        limit: usize,
    ) -> bool {
        let sure = |&i: &u32| {
            let pos = name_hits.get(i).unwrap_or(NO_HIT);
            pos != NO_HIT
                && substring_score(
                    pos as usize,
                    self.hay.name(i as usize).len(),
                    word.text.len(),
                ) > BEST_WITHOUT_SUBSTRING
        };
        candidates.ids().filter(sure).take(limit).count() >= limit
    }
}

/// Above this many candidates, a word is found in all names by one scan.
const NAME_SCAN_THRESHOLD: usize = 4_000;

/// In [`SearchIndex::name_hits`]: the name does not contain the word.
const NO_HIT: u32 = u32::MAX;

/// Where each name of a stretch of entities first contains a word ([`NO_HIT`]: nowhere), found
/// by one scan of those names ([`SearchIndex::name_hits`]).
struct NameHits {
    /// The first entity of the stretch.
    first: u32,
    /// Per entity of the stretch, in order.
    at: Vec<u32>,
}

impl NameHits {
    /// Where entity `i`'s name first contains the word; None when `i` was not scanned.
    fn get(&self, i: u32) -> Option<u32> {
        self.at.get(i.checked_sub(self.first)? as usize).copied()
    }
}

impl SearchIndex {
    /// Where the name of each entity in `ids` first contains `word`, found by one scan over
    /// their names. None when the scan cannot tell (the word holds the separator byte).
    fn name_hits(&self, word: &Word, ids: std::ops::Range<usize>) -> Option<NameHits> {
        if word.text.is_empty() || word.text.as_bytes().contains(&0) {
            return None;
        }
        let (lo, hi) = (ids.start, ids.end.min(self.hay.items.len()));
        let mut at = vec![NO_HIT; hi.saturating_sub(lo)];
        let starts = &self.hay.name_starts;
        let bytes = self.hay.names.as_bytes();
        let end = starts.get(hi).copied().unwrap_or(bytes.len());
        let (mut e, mut from) = (lo, starts.get(lo).copied().unwrap_or(end));
        while let Some(found) = bytes.get(from..end).and_then(|b| word.finder.find(b)) {
            let pos = from + found;
            // Matches never span a separator: move to the name holding this one.
            while e + 1 < hi && starts[e + 1] <= pos {
                e += 1;
            }
            if let Some(slot) = at.get_mut(e - lo) {
                *slot = (pos - starts[e]) as u32;
            }
            // Only the first place in a name counts: go on from the next name.
            e += 1;
            match starts.get(e) {
                Some(&next) if e < hi => from = next,
                _ => break,
            }
        }
        Some(NameHits {
            first: lo as u32,
            at,
        })
    }
}

/// The entities one scoring thread looks at: a range of ids, or the previous query's matches.
#[derive(Clone)]
enum Candidates<'a> {
    Range(std::ops::Range<u32>),
    Some(&'a [u32]),
}

impl Candidates<'_> {
    /// How many entities.
    fn len(&self) -> usize {
        match self {
            Candidates::Range(r) => r.len(),
            Candidates::Some(ids) => ids.len(),
        }
    }

    /// The entities, ascending.
    fn ids(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Candidates::Range(r) => Box::new(r.clone()),
            Candidates::Some(ids) => Box::new(ids.iter().copied()),
        }
    }

    /// The ids from the first entity to the last (the names one scan reads).
    fn span(&self) -> std::ops::Range<usize> {
        match self {
            Candidates::Range(r) => r.start as usize..r.end as usize,
            Candidates::Some(ids) => match (ids.first(), ids.last()) {
                (Some(&a), Some(&b)) => a as usize..b as usize + 1,
                _ => 0..0,
            },
        }
    }
}

/// Batches below this many entities are prepared on one thread.
const PARALLEL_PREPARE: usize = 4_000;

/// Prepares the entities with ids in `ids` into `out`, interning repeated strings in
/// `strings`.
fn prepare(
    catalog: &Catalog,
    ids: std::ops::Range<usize>,
    strings: &mut Interner,
    out: &mut Haystacks,
) {
    out.items.reserve(ids.len());
    for id in ids.map(|i| EntityId(i as u32)) {
        let e = catalog.get(id);
        let owner_ref = catalog.owner_ref(id).map(EntityRef::as_str).unwrap_or("");
        let owner = owner_ref.rsplit('/').next().unwrap_or("");
        let text = description_prefix(e.metadata.description.as_deref().unwrap_or(""));
        let name = lower(&e.metadata.name);
        let kind_place = kind_rank(e.kind_lower());
        let meta = meta_text(&e.metadata.tags, owner);
        let title = lower(e.metadata.title.as_deref().unwrap_or(""));
        let tags = e.metadata.tags.iter().map(|t| strings.get_lower(t));
        let (description, tags) = out.push_text(&name, |d| lower_into(text, d), tags);
        out.items.push(Haystack {
            masks: [byte_mask(&name), byte_mask(&title), byte_mask(&meta)],
            browse_key: browse_key(kind_place, &name),
            name32: Utf32String::from(name.as_ref()),
            title32: Utf32String::from(title),
            meta32: Utf32String::from(meta),
            description,
            kind: strings.get(e.kind_lower()),
            namespace: strings.get(e.entity_ref().namespace()),
            lifecycle: strings.get_lower(e.spec_str("lifecycle").unwrap_or("")),
            spec_type: strings.get_lower(e.spec_str("type").unwrap_or("")),
            owner_ref: strings.get(owner_ref),
            system: strings.get_lower(e.spec_str("system").unwrap_or("")),
            format: strings.get_lower(
                e.metadata
                    .annotations
                    .get(crate::formats::FORMAT_ANNOTATION)
                    .unwrap_or("backstage"),
            ),
            tags,
            rank: rank(kind_place, catalog, id),
        });
    }
}

/// The first [`DESCRIPTION_PREFIX`] characters of a description (cut on a character).
fn description_prefix(text: &str) -> &str {
    // No longer in bytes, so no longer in characters: most descriptions are not walked.
    if text.len() <= DESCRIPTION_PREFIX {
        return text;
    }
    match text.char_indices().nth(DESCRIPTION_PREFIX) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}

/// Appends `s` in lower case to `out` (as `str::to_lowercase` would, without an allocation
/// when it is ASCII).
fn lower_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        if let Some(tail) = out.get_mut(start..) {
            tail.make_ascii_lowercase();
        }
    } else {
        out.push_str(&s.to_lowercase());
    }
}

/// The tags and the owner's name in lower case, joined by spaces, in one allocation.
fn meta_text(tags: &[String], owner: &str) -> String {
    let words = tags.iter().map(String::as_str).chain([owner]);
    let mut out = String::with_capacity(words.clone().map(|w| w.len() + 1).sum());
    for word in words.filter(|w| !w.trim().is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&lower(word.trim()));
    }
    out
}

/// The tie-break rank of an entity whose kind is in `kind_place` (see [`kind_rank`]): that
/// place, then how many things depend on it or are part of it (more sorts first).
fn rank(kind_place: usize, catalog: &Catalog, id: EntityId) -> u32 {
    let weight = catalog
        .edges(id)
        .filter(|e| {
            matches!(
                e.relation,
                RelationType::DependencyOf | RelationType::ApiConsumedBy | RelationType::HasPart
            )
        })
        .count() as u32;
    (kind_place.min(0xff) as u32) << 24 | (0xff_ffff - weight.min(0xff_ffff))
}

/// The part of a browsing key that holds the name's first seven bytes.
const NAME_HEAD: u64 = (1 << 56) - 1;

/// The browsing order of an entity as one integer: its kind's place, then its name's first
/// seven bytes (big-endian, so integer order is the names' byte order).
fn browse_key(kind_rank: usize, name: &str) -> u64 {
    let mut key = (kind_rank.min(0xff) as u64) << 56;
    for (i, &b) in name.as_bytes().iter().take(7).enumerate() {
        key |= u64::from(b) << (48 - 8 * i);
    }
    key
}

/// Kinds in the order a browsing user expects them; also breaks ties between equal matches,
/// since most searches are for a service.
fn kind_rank(kind: &str) -> usize {
    const ORDER: [&str; 9] = [
        "component",
        "api",
        "resource",
        "system",
        "domain",
        "group",
        "user",
        "template",
        "location",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entity, Origin};
    use serde_json::json;

    fn comp(name: &str, extra: serde_json::Value) -> Entity {
        let mut v = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": name},
            "spec": {"type": "service", "lifecycle": "production", "owner": "ledger-team"}});
        if let Some(m) = extra.get("metadata") {
            for (k, val) in m.as_object().unwrap() {
                v["metadata"][k] = val.clone();
            }
        }
        if let Some(s) = extra.get("spec") {
            for (k, val) in s.as_object().unwrap() {
                v["spec"][k] = val.clone();
            }
        }
        Entity::from_value(v, Origin::new("t.yaml", None))
            .unwrap()
            .0
    }

    fn names(catalog: &Catalog, q: &str) -> Vec<String> {
        let index = SearchIndex::build(catalog);
        index
            .search(&Query::parse(q), 50)
            .hits
            .iter()
            .map(|h| catalog.get(h.id).metadata.name.clone())
            .collect()
    }

    fn catalog() -> Catalog {
        Catalog::from_entities(
            [
                comp("ledger-reader", json!({})),
                comp("ledger-writer", json!({"metadata": {"tags": ["java"]}})),
                comp(
                    "audit-log",
                    json!({"metadata": {"description": "Writes the ledger of changes"}}),
                ),
                comp(
                    "billing",
                    json!({"spec": {"dependsOn": ["component:ledger-writer"], "lifecycle": "experimental", "owner": "billing-team"}}),
                ),
                comp("pay", json!({"metadata": {"title": "Ledger gateway"}})),
            ],
            vec![],
        )
    }

    #[test]
    fn fuzzy_words_match_accented_and_scattered_names() {
        let catalog = Catalog::from_entities(
            [
                // Names are ASCII (Backstage rejects others): accents reach search in titles.
                comp(
                    "payments-zh",
                    json!({"metadata": {"title": "Zürich payments"}}),
                ),
                comp(
                    "settlement-worker",
                    json!({"metadata": {"title": "Nightly Settlement"}}),
                ),
                comp("audit", json!({})),
            ],
            vec![],
        );
        // Accents fold into ASCII letters, so the quick ASCII scan must not rule them out.
        assert_eq!(names(&catalog, "zurich"), ["payments-zh"]);
        // Letters spread over the name, in order, still match; out of order they do not.
        assert_eq!(names(&catalog, "sttlwrk"), ["settlement-worker"]);
        assert!(names(&catalog, "krwltts").is_empty());
        // A title matches when the name does not.
        assert_eq!(names(&catalog, "nghtly"), ["settlement-worker"]);
    }

    #[test]
    fn typo_finds_ledger_writer_first() {
        assert_eq!(names(&catalog(), "ledgr")[0], "ledger-writer");
    }

    #[test]
    fn name_matches_outrank_title_and_description() {
        let n = names(&catalog(), "ledger");
        assert_eq!(n.len(), 4, "{n:?}");
        assert_eq!(n[3], "audit-log", "description match last: {n:?}");
        assert_eq!(n[2], "pay", "title match after names: {n:?}");
    }

    #[test]
    fn exact_name_comes_first() {
        let c = Catalog::from_entities(
            [comp("pay-gateway", json!({})), comp("pay", json!({}))],
            vec![],
        );
        assert_eq!(names(&c, "pay")[0], "pay");
    }

    #[test]
    fn filters_combine_with_text() {
        let c = catalog();
        assert_eq!(names(&c, "lifecycle:experimental"), ["billing"]);
        assert_eq!(names(&c, "tag:java ledger"), ["ledger-writer"]);
        assert_eq!(names(&c, "owner:billing-team"), ["billing"]);
        assert_eq!(names(&c, "owner:group:default/billing-team"), ["billing"]);
        assert_eq!(names(&c, "owner:default/billing-team"), ["billing"]);
        assert!(names(&c, "owner:ult/billing-team").is_empty());
        assert_eq!(names(&c, "kind:api").len(), 0);
        assert_eq!(names(&c, "kind:Component,API").len(), 5);
        assert_eq!(names(&c, "type:service ledger writer"), ["ledger-writer"]);
        // Descriptions match as substrings, below every name, title, tag and owner match.
        assert_eq!(names(&c, "of changes"), ["audit-log"]);
        assert_eq!(names(&c, "chngs").len(), 0);
    }

    #[test]
    fn in_docs_is_a_scope_not_an_entity_filter() {
        let q = Query::parse("in:docs rolling back");
        assert!(q.in_docs());
        assert_eq!(q.words, ["rolling", "back"]);
        assert!(q.hints.is_empty());
        assert!(!Query::parse("rolling").in_docs());
        assert_eq!(
            names(&catalog(), "in:docs ledger-writer"),
            ["ledger-writer"]
        );
        assert!(Query::parse("in:wiki x").hints[0].contains("only in:docs"));
    }

    #[test]
    fn unknown_filter_gives_a_hint() {
        let q = Query::parse("colour:blue ledger");
        assert_eq!(q.hints.len(), 1);
        assert!(q.hints[0].contains("unknown filter colour:"));
        assert!(Query::parse("kind:").hints[0].contains("needs a value"));
    }

    #[test]
    fn empty_query_lists_everything_in_stable_order() {
        let n = names(&catalog(), "");
        assert_eq!(
            n,
            [
                "audit-log",
                "billing",
                "ledger-reader",
                "ledger-writer",
                "pay"
            ]
        );
    }

    #[test]
    fn browsing_orders_by_kind_then_the_whole_name_and_limits_to_the_first() {
        let api = |name: &str| {
            Entity::from_value(
                json!({"apiVersion": "backstage.io/v1alpha1", "kind": "API",
                    "metadata": {"name": name},
                    "spec": {"type": "openapi", "lifecycle": "production", "owner": "x",
                        "definition": "openapi: 3.0.0"}}),
                Origin::new("t.yaml", None),
            )
            .unwrap()
            .0
        };
        // Names that share their first seven bytes, a prefix of another, and a non-ASCII one.
        let catalog = Catalog::from_entities(
            [
                api("aaa-api"),
                comp("payment-z", json!({})),
                comp("payment-a", json!({})),
                comp("payment", json!({})),
                comp("zulu", json!({})),
                comp("a", json!({})),
            ],
            vec![],
        );
        let all = names(&catalog, "");
        assert_eq!(
            all,
            ["a", "payment", "payment-a", "payment-z", "zulu", "aaa-api"]
        );
        let index = SearchIndex::build(&catalog);
        let first: Vec<String> = index
            .search(&Query::parse(""), 3)
            .hits
            .iter()
            .map(|h| catalog.get(h.id).metadata.name.clone())
            .collect();
        assert_eq!(first, all[..3]);
        // A filter without words browses too.
        assert_eq!(names(&catalog, "kind:component").len(), 5);
        assert_eq!(names(&catalog, "kind:component")[..2], ["a", "payment"]);
    }

    #[test]
    fn ranks_refreshed_after_batches_equal_those_of_a_whole_build() {
        // Dependents arrive after the entities they depend on: a batch-by-batch index counts
        // only those already in, until its ranks are refreshed.
        let entities = crate::synthetic::generate(3_000, 5);
        let mut catalog = Catalog::new();
        let mut index = SearchIndex::build(&catalog);
        for batch in entities.chunks(250) {
            catalog.insert_batch(batch.to_vec(), |_| {});
            index.extend(&catalog);
        }
        let whole = SearchIndex::build(&catalog);
        let ranks = |i: &SearchIndex| i.hay.items.iter().map(|h| h.rank).collect::<Vec<_>>();
        assert_ne!(ranks(&index), ranks(&whole), "the batches changed no count");
        index.refresh_ranks(&catalog);
        assert_eq!(ranks(&index), ranks(&whole));
        // Kinds still come first: a component outranks every API, whatever depends on them.
        let kind_of = |id: usize| catalog.get(EntityId(id as u32)).kind_lower();
        let worst_component = (0..catalog.len())
            .filter(|&i| kind_of(i) == "component")
            .map(|i| index.hay.items[i].rank)
            .max();
        let best_api = (0..catalog.len())
            .filter(|&i| kind_of(i) == "api")
            .map(|i| index.hay.items[i].rank)
            .min();
        assert!(worst_component < best_api);
    }

    #[test]
    fn description_prefixes_are_cut_on_the_character_count_whatever_the_byte_count() {
        let ascii = "a".repeat(DESCRIPTION_PREFIX);
        assert_eq!(description_prefix(&ascii), ascii);
        assert_eq!(description_prefix(&format!("{ascii}b")), ascii);
        // Fewer characters than the cut, but more bytes: kept whole.
        let accented = "é".repeat(DESCRIPTION_PREFIX);
        assert_eq!(description_prefix(&accented), accented);
        assert_eq!(description_prefix(&format!("{accented}é")), accented);
        assert_eq!(description_prefix(""), "");
    }

    #[test]
    fn meta_text_joins_tags_and_owner_by_single_spaces_in_lower_case() {
        assert_eq!(
            meta_text(&["PCI".into(), "Σοφία".into()], "team-a"),
            "pci σοφία team-a"
        );
        // Nothing to join: no stray space before the owner or after the tags.
        assert_eq!(meta_text(&[], "team-a"), "team-a");
        assert_eq!(meta_text(&["java".into(), " ".into()], ""), "java");
        assert_eq!(meta_text(&[], ""), "");
    }

    #[test]
    fn fields_in_any_case_are_found_in_lower_case_and_long_descriptions_cut_on_a_character() {
        // Multi-byte characters across the cut: slicing by bytes there would panic.
        let description = "Zürich ".repeat(DESCRIPTION_PREFIX);
        let e = comp(
            "Ledger-Writer",
            json!({"metadata": {"title": "Ledger ÉCRITURE", "tags": ["pci", "java"],
                                "description": description},
                   "spec": {"lifecycle": "Production", "type": "Service", "system": "Core-Ledger"}}),
        );
        let c = Catalog::from_entities([e], vec![]);
        let (mut strings, mut hay) = (Interner::default(), Haystacks::default());
        prepare(&c, 0..1, &mut strings, &mut hay);
        let text = hay.text(0);
        let h = text.h;
        assert_eq!(text.name(), "ledger-writer");
        assert_eq!(h.title32.to_string(), "ledger écriture");
        assert_eq!(h.meta32.to_string(), "pci java ledger-team");
        assert_eq!(
            [h.lifecycle, h.spec_type, h.system].map(|n| strings.text(n)),
            ["production", "service", "core-ledger"]
        );
        let tags: Vec<&str> = text.tags().iter().map(|&t| strings.text(t)).collect();
        assert_eq!(tags, ["pci", "java"]);
        assert_eq!(text.description().chars().count(), DESCRIPTION_PREFIX);
        assert!(text.description().starts_with("zürich zürich"));
        assert_eq!(strings.text(h.owner_ref), "group:default/ledger-team");
        // And as a user types them.
        assert_eq!(
            names(&c, "lifecycle:production écriture"),
            ["Ledger-Writer"]
        );
        assert_eq!(names(&c, "tag:pci system:core-ledger"), ["Ledger-Writer"]);
    }

    #[test]
    fn a_large_batch_prepared_on_two_threads_matches_one_thread() {
        let catalog = Catalog::from_entities(crate::synthetic::generate(9_000, 3), vec![]);
        let parallel = SearchIndex::build(&catalog);
        let (mut strings, mut serial) = (Interner::default(), Haystacks::default());
        prepare(&catalog, 0..catalog.len(), &mut strings, &mut serial);
        assert_eq!(parallel.len(), serial.items.len());
        // The same text, whatever each half numbered its strings.
        let shown = |hay: &Haystacks, strings: &Interner, i: usize| {
            let t = hay.text(i);
            let h = t.h;
            let fields = h.fields();
            let tags: Vec<&str> = t.tags().iter().map(|&n| strings.text(n)).collect();
            format!(
                "{} {:?} {} {} {:?} {:?} {:?} {:?} {} {}",
                t.name(),
                t.description(),
                h.title32,
                h.meta32,
                fields.map(|n| strings.text(n)),
                tags,
                h.name32,
                h.masks,
                h.rank,
                h.browse_key
            )
        };
        for i in 0..serial.items.len() {
            assert_eq!(
                shown(&parallel.hay, &parallel.strings, i),
                shown(&serial, &strings, i)
            );
        }
        // The halves' strings merged: each distinct string is numbered once.
        let texts = &parallel.strings.texts;
        let distinct: std::collections::HashSet<&str> = texts.iter().map(|t| &**t).collect();
        assert_eq!(distinct.len(), texts.len());
        assert_eq!(distinct.len(), strings.texts.len());
    }

    #[test]
    fn highlights_and_limits() {
        let c = catalog();
        let index = SearchIndex::build(&c);
        let r = index.search(&Query::parse("ledger"), 2);
        assert_eq!(r.hits.len(), 2);
        assert_eq!(r.total, 4);
        assert_eq!(r.hits[0].name_matches, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_name_containing_the_word_is_highlighted_where_it_contains_it_and_a_scattered_match_letter_by_letter(
    ) {
        let c = Catalog::from_entities(vec![comp("team-a-writer", serde_json::json!({}))], vec![]);
        let index = SearchIndex::build(&c);
        let shown = |q: &str, name: &str| {
            let r = index.search(&Query::parse(q), 10);
            let hit = r.hits.iter().find(|h| c.get(h.id).metadata.name == name);
            hit.map(|h| h.name_matches.clone()).unwrap_or_default()
        };
        // `a` first occurs in `team`: that place, not a later one.
        assert_eq!(shown("writer", "team-a-writer"), [7, 8, 9, 10, 11, 12]);
        assert_eq!(shown("a", "team-a-writer"), [2]);
        assert_eq!(shown("tmwr", "team-a-writer"), [0, 3, 7, 8]);
    }

    #[test]
    fn narrowing_gives_the_same_results_as_a_fresh_search() {
        let catalog = Catalog::from_entities(crate::synthetic::generate(3_000, 5), vec![]);
        let mut searcher = Searcher::new(SearchIndex::build(&catalog));
        let fresh = SearchIndex::build(&catalog);
        // Typing forward, a filter that changes meaning as it is typed, and backspacing.
        for text in [
            "l",
            "le",
            "led",
            "ledg",
            "ledgr",
            "ledgr k",
            "ledgr kind:",
            "ledgr kind:a",
            "ledgr kind:api",
            "ledgr",
            "pay",
            "pay tag:go",
            "pay tag:go,java",
        ] {
            let q = Query::parse(text);
            let a = searcher.search(&q, 50);
            let b = fresh.search(&q, 50);
            assert_eq!(a.total, b.total, "{text}");
            assert_eq!(a.hits, b.hits, "{text}");
        }
    }

    #[test]
    fn filters_that_change_meaning_do_not_narrow() {
        let q = |t| Query::parse(t);
        assert!(narrows(&q("led"), &q("ledg")));
        assert!(narrows(&q("led"), &q("led kind:api")));
        assert!(!narrows(&q("kind:ap"), &q("kind:api")));
        assert!(!narrows(&q("kind"), &q("kind:")));
        assert!(!narrows(&q("ledg"), &q("led")));
    }

    #[test]
    fn odd_queries_do_not_panic() {
        let index = SearchIndex::build(&catalog());
        for q in [
            "::::",
            "\u{1b}[",
            "日本",
            "a:b:c",
            &"x".repeat(5000),
            ":",
            "kind:,,",
        ] {
            let _ = index.search(&Query::parse(q), 10);
        }
    }

    #[test]
    fn the_byte_prefilter_never_rules_out_a_field_nucleo_matches() {
        let fields = [
            "payments-gateway",
            "ledger writer",
            "java platform-team",
            "x9 rust_api.v2",
            "",
            "zzz",
        ];
        let words = [
            "p", "pa", "pgw", "ldgr", "9", "_", ".", "rs", "a-", "zq", "team",
        ];
        let mut m = Matcher::new(Config::DEFAULT);
        for field in fields {
            let hay = Utf32String::from(field);
            for w in words {
                let word = Word::new(w);
                let nucleo = word.atom.score(hay.slice(..), &mut m).is_some();
                let could = word.could_match(&hay, byte_mask(field));
                assert!(
                    could || !nucleo,
                    "{w:?} in {field:?}: ruled out, but nucleo matches"
                );
                // And it does rule out what cannot match: a letter the field lacks.
                if word.mask & !byte_mask(field) != 0 {
                    assert!(!could, "{w:?} in {field:?}");
                }
            }
        }
    }

    #[test]
    fn one_scan_of_all_names_finds_what_a_search_per_name_finds() {
        let catalog = Catalog::from_entities(crate::synthetic::generate(3_000, 7), vec![]);
        let index = SearchIndex::build(&catalog);
        for w in [
            "p",
            "pa",
            "pay",
            "-",
            "s-",
            "er",
            "zz",
            "ledger-writer",
            "x",
        ] {
            let word = Word::new(w);
            // All names, a stretch in the middle, one name, the last ones, none.
            let n = index.len();
            for span in [0..n, 37..911, 500..501, n - 5..n, 10..10] {
                let hits = index.name_hits(&word, span.clone()).expect("a scan");
                assert_eq!(hits.at.len(), span.len());
                for i in span.clone() {
                    let name = index.hay.name(i);
                    let each = word.finder.find(name.as_bytes()).map(|p| p as u32);
                    let hit = hits.get(i as u32);
                    assert_eq!(hit, Some(each.unwrap_or(NO_HIT)), "{w:?} in {name:?}");
                }
                // Outside the stretch the scan cannot tell.
                assert_eq!(hits.get(span.end as u32), None);
                if span.start > 0 {
                    assert_eq!(hits.get(span.start as u32 - 1), None);
                }
            }
        }
        assert!(index
            .name_hits(&Word::new("a\0b"), 0..index.len())
            .is_none());
    }

    /// What a user sees for a query: the hits in order with their scores, and the count.
    fn shown(r: &Results) -> (Vec<(u32, i64)>, usize) {
        (r.hits.iter().map(|h| (h.id.0, h.score)).collect(), r.total)
    }

    #[test]
    fn a_search_split_into_parts_answers_as_one_part_does() {
        // Large catalogs are scored in parts, each picking its own first `limit`; the merged
        // answer must be the one a single pass gives, for every kind of query and narrowing.
        let mut entities = crate::synthetic::generate(5_000, 9);
        for name in ["päyments-édge", "pay-ñ", "ølpa"] {
            entities.push(comp(name, serde_json::json!({ "title": "Pämt ÜPA" })));
        }
        let catalog = Catalog::from_entities(entities, vec![]);
        let index = SearchIndex::build(&catalog);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .expect("a pool");
        let (_, some) = index.search_within(&Query::parse("e"), 10, None);
        for text in [
            "",
            "p",
            "pa",
            "pay",
            "e",
            "zz",
            "kind:api",
            "kind:api pay",
            "pay ledg",
            "ü",
            "api",
        ] {
            let query = Query::parse(text);
            for limit in [0, 1, 7, 150, usize::MAX] {
                for within in [None, Some(&some[..])] {
                    let one = index.search_in_parts(&query, limit, within, 1, None);
                    for (threads, pool) in [(2, None), (3, Some(&pool)), (7, None)] {
                        let many = index.search_in_parts(&query, limit, within, threads, pool);
                        assert_eq!(shown(&many.0), shown(&one.0), "{text:?} {limit} {threads}");
                        assert_eq!(many.1, one.1, "{text:?}: the matches, in order");
                    }
                }
            }
        }
    }

    #[test]
    fn counting_the_matches_a_short_word_cannot_show_keeps_the_results_and_the_count() {
        let mut entities = crate::synthetic::generate(12_000, 5);
        // Names the byte scan cannot judge alone, beside ASCII ones.
        for name in ["päyments-édge", "pay-ñ", "ølpa"] {
            entities.push(comp(name, serde_json::json!({ "title": "Pämt ÜPA" })));
        }
        let catalog = Catalog::from_entities(entities, vec![]);
        let index = SearchIndex::build(&catalog);
        let limit = 150;
        let mut counted_only = 0;
        for text in ["p", "pa", "pay", "e", "ed", "s", "ü", "pä", "api", "zz"] {
            let query = Query::parse(text);
            let word = Word::new(&query.words[0]);
            let all = Candidates::Range(0..index.len() as u32);
            if let Some(hits) = index.name_hits(&word, all.span()) {
                counted_only += usize::from(index.sure_of_the_top(&hits, &word, &all, limit));
            }
            // Without a limit nothing can be left unscored: the reference answer.
            let all = index.search(&query, usize::MAX);
            let mut expected = shown(&all);
            expected.0.truncate(limit);
            assert_eq!(shown(&index.search(&query, limit)), expected, "{text}");
            // Narrowed from the previous letter: the same again.
            let mut narrowing = Narrowing::default();
            if let Some(first) = text.chars().next() {
                narrowing.search(&index, 1, &Query::parse(&first.to_string()), limit);
            }
            let narrowed = narrowing.search(&index, 1, &query, limit);
            assert_eq!(shown(&narrowed), expected, "{text} narrowed");
        }
        // The shortcut was taken for the short words, so the comparison tested it.
        assert!(counted_only >= 4, "{counted_only}");
    }

    #[test]
    fn a_word_matches_exactly_where_it_scores() {
        let mut entities = crate::synthetic::generate(3_000, 9);
        for name in ["zürich-payments", "ärger", "plain"] {
            entities.push(comp(
                name,
                serde_json::json!({ "description": "Straße nach Ü" }),
            ));
        }
        let catalog = Catalog::from_entities(entities, vec![]);
        let index = SearchIndex::build(&catalog);
        let mut m = Matcher::new(Config::DEFAULT);
        let mut idx = Vec::new();
        for text in [
            "p", "pa", "ledgr", "zü", "ü", "ße", "xq", "team", "-", "ger",
        ] {
            let word = Word::new(text);
            for i in 0..index.len() {
                let t = index.hay.text(i);
                assert_eq!(
                    score::word_matches(&mut m, &t, &word),
                    score_word(&mut m, &mut idx, &t, &word, None).is_some(),
                    "{text} on {}",
                    t.name()
                );
            }
        }
    }
}
