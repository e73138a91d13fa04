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
            Kind::Scalar { anchor, len } => {
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

/// What [`check_with`] needs of one parser event.
struct Event {
    kind: Kind,
    /// 1-based.
    line: usize,
}

enum Kind {
    Start { anchor: Option<Vec<u8>> },
    Close,
    Scalar { anchor: Option<Vec<u8>>, len: u64 },
    Alias { anchor: Vec<u8> },
    Other,
    End,
}

/// libyaml's event parser over a borrowed text.
struct Parser<'a> {
    sys: Box<MaybeUninit<unsafe_yaml::yaml_parser_t>>,
    _text: &'a [u8],
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
        Some(Parser { sys, _text: text })
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
                },
                unsafe_yaml::YAML_ALIAS_EVENT => Kind::Alias {
                    anchor: anchor(e.data.alias.anchor).unwrap_or_default(),
                },
                _ => Kind::Other,
            };
            let line = usize::try_from(e.start_mark.line)
                .unwrap_or(usize::MAX)
                .saturating_add(1);
            unsafe_yaml::yaml_event_delete(event);
            Some(Event { kind, line })
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (a parser is only built when that succeeded).
        unsafe { unsafe_yaml::yaml_parser_delete(self.sys.as_mut_ptr()) }
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
    fn syntax_errors_are_left_to_the_parse() {
        assert_eq!(check("a: [unclosed\nb: 2\n"), Ok(()));
        let err = from_str::<serde_json::Value>("a: [unclosed\nb: 2\n").unwrap_err();
        assert!(err.location().is_some(), "{err}");
    }
}
