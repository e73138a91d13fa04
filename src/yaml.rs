//! The one guard in front of every YAML read. serde_yaml (libyaml underneath) has two costs a
//! few hostile bytes can blow up:
//!
//! - **Aliases.** Every `*alias` is expanded in full when a value is built, so one
//!   10,000-item anchored list referenced 10,000 times (50 KB) becomes 10⁸ values (3.9 GB).
//!   serde_yaml only bounds how *many* aliases are followed, not how much each one brings.
//! - **Flow nesting.** libyaml checks every pending flow level on every token, so
//!   `[[[[…` nested n deep costs n² before serde_yaml's own recursion limit (128) refuses it:
//!   800 KB took 374 s.
//!
//! [`check`] walks the parser's own events once, before anything is built: it stops at the
//! first collection nested deeper than [`MAX_DEPTH`] (serde_yaml refuses those anyway, so no
//! readable file is lost, and libyaml never sees the deep part), and it adds up what every
//! alias would expand to, refusing a text whose expansion passes [`Budget`] (a multiple of the
//! text's own size). Nothing is expanded to measure it: an anchor's size is remembered when its
//! node ends. [`from_str`] is `serde_yaml::from_str` behind that check.

use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::ffi::CStr;
use std::mem::MaybeUninit;
use unsafe_libyaml as unsafe_yaml;

/// Deepest nesting of collections read: serde_yaml's own recursion limit.
pub const MAX_DEPTH: usize = 128;

/// What one node costs in [`Budget`] units (about the size of a parsed value), besides the
/// bytes of a scalar's text.
const NODE_COST: u64 = 32;

/// Budget units allowed per byte of YAML text: far above what a text without aliases can use
/// (a node takes at least two bytes, so at most ~17 units a byte), and room for ordinary
/// anchors. A 50 KB alias bomb is stopped at ~3 MB.
pub const BUDGET_PER_BYTE: u64 = 64;

/// Budget units every text has whatever its size (small files using anchors).
pub const BUDGET_FLOOR: u64 = 64 * 1024;

/// Why a YAML text was refused before it was parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Collections nest deeper than [`MAX_DEPTH`].
    #[error("collections nested more than {MAX_DEPTH} deep")]
    TooDeep {
        /// The 1-based line of the collection past the limit.
        line: usize,
    },
    /// Aliases expand the text past its budget.
    #[error(
        "too expensive to read: its aliases expand to more than {BUDGET_PER_BYTE} times its size"
    )]
    TooLarge {
        /// The 1-based line where the budget ran out.
        line: usize,
    },
}

impl Refusal {
    /// The 1-based line the refusal points at.
    pub fn line(&self) -> usize {
        match self {
            Refusal::TooDeep { line } | Refusal::TooLarge { line } => *line,
        }
    }
}

/// How much expanded content the texts of one file may still produce. One budget is shared by
/// every document of a file, so splitting a bomb over many documents gains nothing.
#[derive(Debug, Clone)]
pub struct Budget {
    left: u64,
}

impl Budget {
    /// The budget of a file of `len` bytes.
    pub fn for_len(len: usize) -> Budget {
        Budget {
            left: BUDGET_FLOOR.saturating_add(BUDGET_PER_BYTE.saturating_mul(len as u64)),
        }
    }

    fn spend(&mut self, units: u64) -> bool {
        match self.left.checked_sub(units) {
            Some(left) => {
                self.left = left;
                true
            }
            None => {
                self.left = 0;
                false
            }
        }
    }
}

/// Checks a whole text with its own budget; see [`check_with`].
pub fn check(text: &str) -> Result<(), Refusal> {
    check_with(text, &mut Budget::for_len(text.len()))
}

/// Walks the events of `text` (every document), refusing it when collections nest deeper than
/// [`MAX_DEPTH`] or when what it expands to (aliases counted in full) passes `budget`. A syntax
/// error ends the walk quietly: the parse that follows reports it, with its position.
pub fn check_with(text: &str, budget: &mut Budget) -> Result<(), Refusal> {
    let Some(mut parser) = Parser::new(text.as_bytes()) else {
        return Ok(());
    };
    // Open collections: (anchor, units of what they hold so far).
    let mut open: Vec<(Option<Vec<u8>>, u64)> = Vec::new();
    let mut anchors: HashMap<Vec<u8>, u64> = HashMap::new();
    while let Some(event) = parser.next() {
        let line = event.line;
        let units = match event.kind {
            Kind::End => return Ok(()),
            Kind::Other => continue,
            Kind::Start { anchor } => {
                if open.len() >= MAX_DEPTH {
                    return Err(Refusal::TooDeep { line });
                }
                open.push((anchor, NODE_COST));
                if !budget.spend(NODE_COST) {
                    return Err(Refusal::TooLarge { line });
                }
                continue;
            }
            Kind::Close => {
                let Some((anchor, units)) = open.pop() else {
                    continue;
                };
                if let Some(anchor) = anchor {
                    anchors.insert(anchor, units);
                }
                units
            }
            Kind::Scalar { anchor, len, .. } => {
                let units = NODE_COST.saturating_add(len);
                if !budget.spend(units) {
                    return Err(Refusal::TooLarge { line });
                }
                if let Some(anchor) = anchor {
                    anchors.insert(anchor, units);
                }
                units
            }
            Kind::Alias { anchor } => {
                // An unknown anchor is serde_yaml's error to report.
                let units = anchors.get(&anchor).copied().unwrap_or(NODE_COST);
                if !budget.spend(units) {
                    return Err(Refusal::TooLarge { line });
                }
                units
            }
        };
        // What a node holds counts toward every collection around it (an anchored
        // collection's size is what its aliases will replay).
        if let Some((_, holder)) = open.last_mut() {
            *holder = holder.saturating_add(units);
        }
    }
    Ok(())
}

/// `serde_yaml::from_str` behind [`check`]: a refused text is an error whose message says
/// why (it has no position of its own; the message names the line).
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_yaml::Error> {
    check(text).map_err(|r| {
        <serde_yaml::Error as serde::de::Error>::custom(format!("{r} (line {})", r.line()))
    })?;
    serde_yaml::from_str(text)
}

/// Deepest nesting [`field_lines`] records: entity fields that problems name are shallower.
const FIELD_DEPTH: usize = 8;

/// Most fields [`field_lines`] records of one document.
const MAX_FIELDS: usize = 100_000;

/// Where each field of one YAML document is: every mapping key and list item down to
/// [`FIELD_DEPTH`], as a JSON pointer (`/spec/owner`, `/metadata/links/0`) with its 1-based
/// line in the text, and for a list item that is a scalar, its text.
#[derive(Debug, Default)]
pub struct FieldLines {
    fields: Vec<(String, Option<String>, usize)>,
}

impl FieldLines {
    /// The line of the field at `pointer` (for `item`, of the item of that list with this
    /// text), else of its nearest ancestor written in the text; `None` when none is.
    pub fn line(&self, pointer: &str, item: Option<&str>) -> Option<usize> {
        if let Some(item) = item {
            let found = self.fields.iter().find(|(p, text, _)| {
                text.as_deref() == Some(item)
                    && p.strip_prefix(pointer)
                        .and_then(|rest| rest.strip_prefix('/'))
                        .is_some_and(|index| !index.contains('/'))
            });
            if let Some((_, _, line)) = found {
                return Some(*line);
            }
        }
        let mut pointer = pointer;
        while !pointer.is_empty() {
            if let Some((_, _, line)) = self.fields.iter().find(|(p, _, _)| p == pointer) {
                return Some(*line);
            }
            pointer = pointer.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
        None
    }
}

/// What a collection being walked by [`field_lines`] waits for next.
enum Slot {
    /// A mapping's key.
    Key,
    /// A mapping's value for this (escaped) key.
    Value(String),
    /// A list's item at this index.
    Item(usize),
}

/// The fields of the first document of `text` and their lines (see [`FieldLines`]). Meant for
/// a document that passed [`check_with`] (its aliases are not expanded here either); a syntax
/// error ends the walk with what was found before it.
pub fn field_lines(text: &str) -> FieldLines {
    let mut out = FieldLines::default();
    let Some(mut parser) = Parser::new(text.as_bytes()) else {
        return out;
    };
    parser.keep_text = true;
    // Open collections: each one's pointer and what it waits for.
    let mut open: Vec<(String, Slot)> = Vec::new();
    let escape = |key: &[u8]| {
        String::from_utf8_lossy(key)
            .replace('~', "~0")
            .replace('/', "~1")
    };
    while let Some(event) = parser.next() {
        if out.fields.len() >= MAX_FIELDS {
            break;
        }
        let line = event.line;
        let deep = open.len() > FIELD_DEPTH;
        match event.kind {
            Kind::End => break,
            Kind::Other => {}
            Kind::Scalar { text, .. } => {
                let text = text.unwrap_or_default();
                match open.last_mut() {
                    Some((pointer, slot @ Slot::Key)) => {
                        let key = escape(&text);
                        if !deep {
                            out.fields.push((format!("{pointer}/{key}"), None, line));
                        }
                        *slot = Slot::Value(key);
                    }
                    Some((_, slot @ Slot::Value(_))) => *slot = Slot::Key,
                    Some((pointer, Slot::Item(index))) => {
                        if !deep {
                            let item = String::from_utf8_lossy(&text).into_owned();
                            out.fields
                                .push((format!("{pointer}/{index}"), Some(item), line));
                        }
                        *index += 1;
                    }
                    None => {}
                }
            }
            Kind::Alias { .. } => match open.last_mut() {
                Some((_, slot @ Slot::Key)) => *slot = Slot::Value("*".into()),
                Some((_, slot @ Slot::Value(_))) => *slot = Slot::Key,
                Some((_, Slot::Item(index))) => *index += 1,
                None => {}
            },
            // As in `check_with`: libyaml never sees past the limit (deep flow nesting costs
            // it n²), whatever changed since the text was checked.
            Kind::Start { .. } if open.len() >= MAX_DEPTH => break,
            Kind::Start { .. } => {
                let is_list = matches!(event.start, Some(Collection::List));
                let child = match open.last() {
                    // A complex key: its fields are not entity fields.
                    Some((_, Slot::Key)) => "/?".to_string(),
                    Some((pointer, Slot::Value(key))) => format!("{pointer}/{key}"),
                    Some((pointer, Slot::Item(index))) => {
                        let child = format!("{pointer}/{index}");
                        if !deep {
                            out.fields.push((child.clone(), None, line));
                        }
                        child
                    }
                    None => String::new(),
                };
                let slot = if is_list { Slot::Item(0) } else { Slot::Key };
                open.push((child, slot));
            }
            Kind::Close => {
                open.pop();
                match open.last_mut() {
                    Some((_, slot @ Slot::Key)) => *slot = Slot::Value("?".into()),
                    Some((_, slot @ Slot::Value(_))) => *slot = Slot::Key,
                    Some((_, Slot::Item(index))) => *index += 1,
                    None => break,
                }
            }
        }
    }
    out
}

/// Which collection a start event opens.
enum Collection {
    List,
    Map,
}

/// What [`check_with`] needs of one parser event.
struct Event {
    kind: Kind,
    /// For a start event, the collection it opens.
    start: Option<Collection>,
    /// 1-based.
    line: usize,
}

enum Kind {
    Start {
        anchor: Option<Vec<u8>>,
    },
    Close,
    Scalar {
        anchor: Option<Vec<u8>>,
        len: u64,
        /// The scalar's text, when the parser keeps it.
        text: Option<Vec<u8>>,
    },
    Alias {
        anchor: Vec<u8>,
    },
    Other,
    End,
}

/// libyaml's event parser over a borrowed text.
struct Parser<'a> {
    sys: Box<MaybeUninit<unsafe_yaml::yaml_parser_t>>,
    _text: &'a [u8],
    /// Copy each scalar's text into its event.
    keep_text: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a [u8]) -> Option<Parser<'a>> {
        let mut sys = Box::new(MaybeUninit::<unsafe_yaml::yaml_parser_t>::uninit());
        // SAFETY: the parser is initialised in place on the heap (it never moves), reads
        // `text` only while `self` lives (the borrow outlives it), and is deleted in `drop`.
        unsafe {
            if unsafe_yaml::yaml_parser_initialize(sys.as_mut_ptr()).fail {
                return None;
            }
            unsafe_yaml::yaml_parser_set_encoding(
                sys.as_mut_ptr(),
                unsafe_yaml::YAML_UTF8_ENCODING,
            );
            unsafe_yaml::yaml_parser_set_input_string(
                sys.as_mut_ptr(),
                text.as_ptr(),
                text.len() as u64,
            );
        }
        Some(Parser {
            sys,
            _text: text,
            keep_text: false,
        })
    }

    /// The next event; `None` after a syntax error.
    fn next(&mut self) -> Option<Event> {
        let mut event = MaybeUninit::<unsafe_yaml::yaml_event_t>::uninit();
        // SAFETY: the parser was initialised in `new`; a parsed event is read then deleted
        // before it goes out of scope, and its anchors are copied out first.
        unsafe {
            // After a failure the walk ends: `next` is never called again on a failed parser.
            let parser = self.sys.as_mut_ptr();
            let event = event.as_mut_ptr();
            if unsafe_yaml::yaml_parser_parse(parser, event).fail {
                return None;
            }
            let e = &*event;
            let kind = match e.type_ {
                unsafe_yaml::YAML_STREAM_END_EVENT => Kind::End,
                unsafe_yaml::YAML_SEQUENCE_START_EVENT => Kind::Start {
                    anchor: anchor(e.data.sequence_start.anchor),
                },
                unsafe_yaml::YAML_MAPPING_START_EVENT => Kind::Start {
                    anchor: anchor(e.data.mapping_start.anchor),
                },
                unsafe_yaml::YAML_SEQUENCE_END_EVENT | unsafe_yaml::YAML_MAPPING_END_EVENT => {
                    Kind::Close
                }
                unsafe_yaml::YAML_SCALAR_EVENT => Kind::Scalar {
                    anchor: anchor(e.data.scalar.anchor),
                    len: e.data.scalar.length,
                    text: self
                        .keep_text
                        .then(|| scalar_text(e.data.scalar.value, e.data.scalar.length)),
                },
                unsafe_yaml::YAML_ALIAS_EVENT => Kind::Alias {
                    anchor: anchor(e.data.alias.anchor).unwrap_or_default(),
                },
                _ => Kind::Other,
            };
            let line = usize::try_from(e.start_mark.line)
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            let start = match e.type_ {
                unsafe_yaml::YAML_SEQUENCE_START_EVENT => Some(Collection::List),
                unsafe_yaml::YAML_MAPPING_START_EVENT => Some(Collection::Map),
                _ => None,
            };
            unsafe_yaml::yaml_event_delete(event);
            Some(Event { kind, start, line })
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (a parser is only built when that succeeded).
        unsafe { unsafe_yaml::yaml_parser_delete(self.sys.as_mut_ptr()) }
    }
}

/// Copies a scalar's text out of an event.
///
/// # Safety
/// `ptr` is null or points at `len` bytes that live as long as the event.
unsafe fn scalar_text(ptr: *const u8, len: u64) -> Vec<u8> {
    match usize::try_from(len) {
        Ok(len) if !ptr.is_null() => {
            // SAFETY: as the caller promises.
            unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec()
        }
        _ => Vec::new(),
    }
}

/// Copies a NUL-terminated anchor name out of an event.
///
/// # Safety
/// `ptr` is null or points at a NUL-terminated string that lives as long as the event.
unsafe fn anchor(ptr: *const u8) -> Option<Vec<u8>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: as the caller promises.
    Some(unsafe { CStr::from_ptr(ptr.cast()) }.to_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One 10,000-item anchored list referenced 10,000 times: ~50 KB that serde_yaml expands
    /// to 10⁸ values (3.9 GB before this guard).
    pub(crate) fn wide_alias_bomb() -> String {
        let mut text = String::from("items: &a [");
        text.push_str(&vec!["x"; 10_000].join(","));
        text.push_str("]\nrefs: [");
        text.push_str(&vec!["*a"; 10_000].join(","));
        text.push_str("]\n");
        text
    }

    #[test]
    fn the_wide_alias_bomb_is_refused_before_anything_is_built() {
        let text = wide_alias_bomb();
        assert!(text.len() < 60_000, "{}", text.len());
        let err = check(&text).unwrap_err();
        assert!(matches!(err, Refusal::TooLarge { line: 2 }), "{err:?}");
        assert!(
            err.to_string().starts_with("too expensive to read"),
            "{err}"
        );
        assert_eq!(err.line(), 2);
        let err = from_str::<serde_json::Value>(&text).unwrap_err();
        assert!(err.to_string().contains("aliases expand"), "{err}");
        assert!(err.to_string().ends_with("(line 2)"), "{err}");
    }

    #[test]
    fn deep_flow_nesting_is_refused_at_the_limit_with_its_line() {
        let n = 200_000;
        let text = format!("a: 1\nb: {}{}\n", "[".repeat(n), "]".repeat(n));
        assert_eq!(check(&text), Err(Refusal::TooDeep { line: 2 }));
        let deep_map = format!("x: {}1{}\n", "{a: ".repeat(n), "}".repeat(n));
        assert_eq!(check(&deep_map), Err(Refusal::TooDeep { line: 1 }));
    }

    #[test]
    fn ordinary_yaml_with_anchors_passes_and_parses_as_before() {
        let text =
            "base: &base {image: node, port: 8080}\na: *base\nb: *base\nlist: [1, [2, [3]]]\n";
        assert_eq!(check(text), Ok(()));
        let v: serde_json::Value = from_str(text).unwrap();
        assert_eq!(v["b"]["port"], 8080);
        // As deep as serde_yaml reads is still read.
        let n = MAX_DEPTH - 1;
        let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(check(&deep), Ok(()));
    }

    #[test]
    fn a_budget_is_shared_by_the_documents_of_a_file() {
        // Each piece alone passes; the file's budget does not cover all of them.
        let piece = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: [*a, *a, *a, *a, *a, *a, *a, *a]\n";
        assert_eq!(check(piece), Ok(()));
        let mut budget = Budget::for_len(piece.len() * 4);
        let refused = (0..1_000).find(|_| check_with(piece, &mut budget).is_err());
        assert!(refused.is_some(), "the shared budget never ran out");
    }

    #[test]
    fn field_lines_name_keys_and_items_by_pointer() {
        let text = "# c\napiVersion: v1\nmetadata:\n  name: x\n  tags: [a,\n    b]\n  a/b~c: 1\nspec:\n  dependsOn:\n    - one\n    - two\n  links:\n    - url: u\n    - title: t\n      icon: i\n";
        let lines = field_lines(text);
        let at = |p: &str| lines.line(p, None);
        assert_eq!(at("/apiVersion"), Some(2));
        assert_eq!(at("/metadata/name"), Some(4));
        assert_eq!(at("/metadata/tags/1"), Some(6));
        assert_eq!(at("/metadata/a~1b~0c"), Some(7));
        assert_eq!(at("/spec/dependsOn/1"), Some(11));
        assert_eq!(lines.line("/spec/dependsOn", Some("two")), Some(11));
        assert_eq!(lines.line("/spec/dependsOn", Some("three")), Some(9));
        assert_eq!(at("/spec/links/1"), Some(14));
        assert_eq!(at("/spec/links/1/icon"), Some(15));
        // A field that is not written: its nearest ancestor that is.
        assert_eq!(at("/spec/lifecycle"), Some(8));
        assert_eq!(at("/status/x"), None);
    }

    #[test]
    fn field_lines_survive_complex_keys_aliases_and_broken_text() {
        let text = "a: &x {k: 1}\n? [c, d]\n: 2\nb: *x\ne:\n  f: 3\n";
        let lines = field_lines(text);
        assert_eq!(lines.line("/b", None), Some(4));
        assert_eq!(lines.line("/e/f", None), Some(6));
        let broken = field_lines("a: 1\nb: [unclosed\nc: 2\n");
        assert_eq!(broken.line("/a", None), Some(1));
        // Deep nesting ends the walk at the limit, quickly (800 KB took 374 s in libyaml).
        let n = 400_000;
        let deep = format!("a: 1\nb: {}{}\n", "[".repeat(n), "]".repeat(n));
        let started = std::time::Instant::now();
        assert_eq!(field_lines(&deep).line("/a", None), Some(1));
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn syntax_errors_are_left_to_the_parse() {
        assert_eq!(check("a: [unclosed\nb: 2\n"), Ok(()));
        let err = from_str::<serde_json::Value>("a: [unclosed\nb: 2\n").unwrap_err();
        assert!(err.location().is_some(), "{err}");
    }
}
