//! Scoring one query word against one entity's prepared text: the tiers (name, title, tags
//! and owner, description), the cheap tests that rule a word out before the matcher runs, and
//! the positions to highlight.

use super::{Haystack, Interner, Text, NO_HIT};
use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Matcher, Utf32String};

/// One word of a query, prepared for matching.
pub(super) struct Word {
    pub(super) text: String,
    pub(super) atom: Atom,
    /// Whether the word is ASCII, so a quick byte scan can rule out a fuzzy match.
    pub(super) ascii: bool,
    /// The word's bytes as a [`byte_mask`].
    pub(super) mask: u64,
    /// A prepared substring search for the word (set up once, not per entity).
    pub(super) finder: memchr::memmem::Finder<'static>,
}

impl Word {
    pub(super) fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            ascii: text.is_ascii(),
            mask: byte_mask(text),
            finder: memchr::memmem::Finder::new(text.as_bytes()).into_owned(),
            atom: Atom::new(
                text,
                CaseMatching::Ignore,
                Normalization::Smart,
                AtomKind::Fuzzy,
                false,
            ),
        }
    }
}

impl Word {
    /// False when the word's characters do not all appear, in order, in an ASCII haystack: a
    /// byte scan that spares most of the matcher's work on the many entities a short query
    /// does not match. True when it cannot tell (non-ASCII text), leaving it to the matcher.
    pub(super) fn could_match(&self, hay: &Utf32String, mask: u64) -> bool {
        let Utf32String::Ascii(hay) = hay else {
            return true;
        };
        if !self.ascii {
            return true;
        }
        if self.mask & !mask != 0 {
            return false;
        }
        let mut rest = hay.as_bytes();
        for &c in self.text.as_bytes() {
            // Fields are short: a plain loop beats memchr's set-up here.
            match rest.iter().position(|&b| b == c) {
                Some(at) => rest = &rest[at + 1..],
                None => return false,
            }
        }
        true
    }
}

/// Scores one word against an entity: name matches outrank title matches, which outrank tag
/// and owner matches, which outrank description matches (substring only). Later fields are only looked at when
/// earlier ones do not match, since a better tier always wins.
/// `hit` is where the name first contains the word, when already known ([`NO_HIT`]: nowhere).
pub(super) fn score_word(
    m: &mut Matcher,
    idx: &mut Vec<u32>,
    text: &Text,
    word: &Word,
    hit: Option<u32>,
) -> Option<i64> {
    if let Some(s) = name_score(m, idx, text, word, hit) {
        return Some(s);
    }
    let mut fuzzy = |hay: &Utf32String, mask: u64| {
        if !word.could_match(hay, mask) {
            return None;
        }
        word.atom.score(hay.slice(..), m).map(i64::from)
    };
    let h = text.h;
    if let Some(s) = fuzzy(&h.title32, h.masks[1]) {
        return Some(200_000 + s);
    }
    if let Some(s) = fuzzy(&h.meta32, h.masks[2]) {
        return Some(100_000 + s);
    }
    word.finder
        .find(text.description().as_bytes())
        .map(|pos| 1_000 - pos.min(999) as i64)
}

/// Scores a word against a name in tiers: exact, prefix, substring, then fuzzy matches with
/// the fewest skipped characters (so the typo `ledgr` prefers `ledger-writer`, one skip, over
/// `ledger-reader`, three), each tier above any title, tag or description match.
/// `idx` is scratch space for the matched positions, kept by the caller across entities.
fn name_score(
    m: &mut Matcher,
    idx: &mut Vec<u32>,
    text: &Text,
    word: &Word,
    hit: Option<u32>,
) -> Option<i64> {
    let (h, w) = (text.h, word.text.as_str());
    let found = match hit {
        Some(NO_HIT) => None,
        Some(pos) => Some(pos as usize),
        None => word.finder.find(text.name().as_bytes()),
    };
    // One substring search answers the exact, prefix and substring tiers.
    if let Some(pos) = found {
        return Some(substring_score(pos, text.name().len(), w.len()));
    }
    if !word.could_match(&h.name32, h.masks[0]) {
        return None;
    }
    idx.clear();
    let score = word.atom.indices(h.name32.slice(..), m, idx)?;
    let first = i64::from(*idx.first()?);
    let last = i64::from(*idx.last()?);
    let skipped = first + (last - first + 1 - idx.len() as i64);
    Some(400_000 - skipped * 1_000 + i64::from(score))
}

/// The score of a name that contains the word at byte `pos` (exact, prefix or substring
/// tier); `len` is the name's length and `word_len` the word's, in bytes.
pub(super) fn substring_score(pos: usize, len: usize, word_len: usize) -> i64 {
    match pos {
        0 if len == word_len => 1_000_000,
        0 => 800_000 - len as i64,
        _ => 600_000 - pos as i64 * 10 - len as i64,
    }
}

/// No entity whose name does not contain a word scores above this for it: the fuzzy name tier
/// is 400,000 plus the matcher's score, which is a `u16`; every later tier is lower still.
pub(super) const BEST_WITHOUT_SUBSTRING: i64 = 400_000 + u16::MAX as i64;

/// Whether a word matches an entity at all, in any field, as [`score_word`] would find it
/// (`Some` exactly when this is true), but without scoring: for the many entities a query
/// matches that cannot reach the results shown, only the count needs them. On ASCII text the
/// byte scan decides alone; other text goes to the matcher.
pub(super) fn word_matches(m: &mut Matcher, text: &Text, word: &Word) -> bool {
    let h = text.h;
    let mut fuzzy = |hay: &Utf32String, mask: u64| {
        word.could_match(hay, mask)
            && ((word.ascii && matches!(hay, Utf32String::Ascii(_)))
                || word.atom.score(hay.slice(..), m).is_some())
    };
    fuzzy(&h.name32, h.masks[0])
        || fuzzy(&h.title32, h.masks[1])
        || fuzzy(&h.meta32, h.masks[2])
        || word.finder.find(text.description().as_bytes()).is_some()
}

/// Character positions of the name matched by the query's words, for highlighting.
pub(super) fn name_matches(m: &mut Matcher, h: &Haystack, words: &[Word]) -> Vec<usize> {
    let mut idx = Vec::new();
    for w in words {
        // A name that contains the word shows where (the place its score came from); only
        // scattered matches need the matcher.
        if let (Utf32String::Ascii(name), true) = (&h.name32, w.ascii) {
            if let Some(pos) = w.finder.find(name.as_bytes()) {
                idx.extend((pos..pos + w.text.len()).map(|i| i as u32));
                continue;
            }
        }
        w.atom.indices(h.name32.slice(..), m, &mut idx);
    }
    let mut out: Vec<usize> = idx.into_iter().map(|i| i as usize).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// True when the entity has one of a filter's values (`strings`: the index's interned
/// strings, which the haystack's fields number).
pub(super) fn filter_matches(
    text: &Text,
    strings: &Interner,
    key: &str,
    values: &[String],
) -> bool {
    let h = text.h;
    let s = |n| strings.text(n);
    values.iter().any(|v| match key {
        "kind" => s(h.kind) == v,
        "owner" => {
            let owner = s(h.owner_ref);
            owner == v || owner.rsplit('/').next() == Some(v.as_str()) || ends_after(owner, v, ':')
        }
        "tag" => text.tags().iter().any(|&t| s(t) == v),
        "lifecycle" => s(h.lifecycle) == v,
        "type" => s(h.spec_type) == v,
        "namespace" => s(h.namespace) == v,
        "format" => s(h.format) == v,
        // Where to search, not a property of entities.
        "in" => true,
        "system" => {
            let system = s(h.system);
            system == v || ends_after(system, v, '/') || ends_after(system, v, ':')
        }
        _ => false,
    })
}

/// True when `text` ends with `separator` then `value` (tested per candidate on a keystroke,
/// so nothing is formatted).
fn ends_after(text: &str, value: &str, separator: char) -> bool {
    text.strip_suffix(value)
        .is_some_and(|rest| rest.ends_with(separator))
}

/// A 64-bit summary of which bytes occur in lowercase text: a bit per letter and digit, the
/// other bytes sharing the remaining bits. A word can only match text whose mask holds all of
/// the word's bits.
pub(super) fn byte_mask(text: &str) -> u64 {
    text.bytes().fold(0, |mask, b| {
        let bit = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            _ => 36 + b % 28,
        };
        mask | 1 << bit
    })
}
