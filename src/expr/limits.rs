//! What one render of a template author's text may cost, and the checks that hold it to that.
//!
//! minijinja's own operators and filters can build values far larger than their source: `*`
//! repeats lists and strings, `~` and `+` double a value each time they run in a loop, and
//! `replace`, `indent`, `join`, `format`, `batch` or `tojson(indent=…)` grow text by an
//! argument. [`super::guard`] routes every one of those through checked operators
//! ([`super::operators`]) and filters ([`super::filters`]), which use the measures here to
//! refuse a result *before* it is built, and keep a per-render account of the work done, so a
//! hostile template ends with an error naming it instead of exhausting memory.

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};
use std::cell::Cell;
use std::fmt::{self, Write};

/// The most items (list elements, object entries, at every depth) one value may hold.
pub const MAX_ITEMS: usize = 100_000;

/// The longest text (in bytes) one value, or one rendered file or expression, may hold.
pub const MAX_TEXT: usize = 10 * 1024 * 1024;

/// The deepest nesting of lists and objects a value may have (deeper values would make
/// printing, comparing and dropping them recurse without bound).
pub const MAX_DEPTH: usize = 128;

/// The work one render may do, in bytes of text built plus [`ITEM_COST`] per list or object
/// item built or walked: a bound on the memory a render can hold and on the time its filters and
/// operators take.
pub const MAX_WORK: usize = 128 * 1024 * 1024;

/// What one list or object item built or walked counts against [`MAX_WORK`].
pub const ITEM_COST: usize = 16;

/// The instructions one render may run (minijinja's fuel: about one per operator, filter call,
/// variable lookup or loop iteration). The Backstage sample and demo templates use at most a
/// few thousand per render (see `docs/security.md`).
pub const FUEL: u64 = 2_000_000;

thread_local! {
    /// The work done by the render in progress on this thread (none outside a render).
    static WORK: Cell<Option<usize>> = const { Cell::new(None) };
    /// The most fuel and work one render on this thread has used (for measuring templates).
    static PEAK: Cell<(u64, usize)> = const { Cell::new((0, 0)) };
}

/// Notes what a finished render used.
pub(super) fn record(fuel: u64) {
    let work = work_done();
    PEAK.with(|p| {
        let (f, w) = p.get();
        p.set((f.max(fuel), w.max(work)));
    });
}

/// The most fuel and work (see [`MAX_WORK`]) one render on this thread has used since the last
/// call, for measuring how far real templates are from the limits.
pub fn take_peak() -> (u64, usize) {
    PEAK.with(|p| p.replace((0, 0)))
}

/// The account of one render: work starts at zero and the previous account (a render started
/// from within a render) is restored when the scope ends.
pub struct Scope {
    previous: Option<usize>,
}

impl Scope {
    /// Starts the account of a render.
    pub fn enter() -> Self {
        Self {
            previous: WORK.with(|w| w.replace(Some(0))),
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        WORK.with(|w| w.set(self.previous));
    }
}

/// The message prefix of every refusal, so callers and users can recognise them.
pub const TOO_EXPENSIVE: &str = "template too expensive";

/// An error saying the template asked for too much.
pub fn too_expensive(what: impl fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("{TOO_EXPENSIVE}: {what}"),
    )
}

pub(super) fn too_long(what: &str) -> Error {
    too_expensive(format_args!(
        "{what} would be longer than {} MB",
        MAX_TEXT / (1024 * 1024)
    ))
}

pub(super) fn too_many(what: &str) -> Error {
    too_expensive(format_args!(
        "{what} would hold more than {MAX_ITEMS} items"
    ))
}

/// Counts work against [`MAX_WORK`].
pub fn charge(units: usize) -> Result<(), Error> {
    WORK.with(|w| {
        // Outside a render nothing is counted (and nothing accumulates across renders).
        let Some(done) = w.get() else {
            return Ok(());
        };
        let total = done.saturating_add(units);
        w.set(Some(total));
        if total > MAX_WORK {
            Err(too_expensive(format_args!(
                "it builds more than {} MB of values",
                MAX_WORK / (1024 * 1024)
            )))
        } else {
            Ok(())
        }
    })
}

/// The work done so far by the render in progress (for measuring templates).
pub fn work_done() -> usize {
    WORK.with(Cell::get).unwrap_or(0)
}

/// Checks a value built by the template (after a literal list or map, a filter, a function
/// call or a captured block): at most [`MAX_ITEMS`] items, [`MAX_TEXT`] of text and
/// [`MAX_DEPTH`] levels, counting shared parts each time they appear, so `[l, l, l]` of a large
/// `l` is as large as it prints. The walk itself is counted as work.
pub fn check(value: &Value) -> Result<(), Error> {
    let mut size = Size::default();
    let walked = size.walk(value, 0);
    charge(size.items.saturating_mul(ITEM_COST))?;
    walked
}

#[derive(Default)]
pub(super) struct Size {
    pub(super) items: usize,
    pub(super) text: usize,
}

impl Size {
    pub(super) fn walk(&mut self, v: &Value, depth: usize) -> Result<(), Error> {
        match v.kind() {
            ValueKind::String | ValueKind::Bytes => {
                let len = v
                    .as_str()
                    .map(str::len)
                    .or_else(|| v.as_bytes().map(<[u8]>::len))
                    .unwrap_or(0);
                self.text = self.text.saturating_add(len);
                if self.text > MAX_TEXT {
                    return Err(too_long("a value"));
                }
            }
            ValueKind::Seq | ValueKind::Iterable | ValueKind::Map => {
                if depth >= MAX_DEPTH {
                    return Err(too_expensive(format_args!(
                        "a value would nest more than {MAX_DEPTH} levels deep"
                    )));
                }
                match v.len() {
                    // Known empty: never iterate (an empty list repeated a billion times
                    // would spin that long yielding nothing).
                    Some(0) => return Ok(()),
                    Some(n) if self.items.saturating_add(n) > MAX_ITEMS => {
                        return Err(too_many("a value"))
                    }
                    _ => {}
                }
                let Ok(items) = v.try_iter() else {
                    return Ok(());
                };
                let is_map = v.kind() == ValueKind::Map;
                for item in items {
                    self.items += 1;
                    if self.items > MAX_ITEMS {
                        return Err(too_many("a value"));
                    }
                    let inner = if is_map {
                        v.get_item(&item).unwrap_or_default()
                    } else {
                        item
                    };
                    self.walk(&inner, depth + 1)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A writer that refuses to grow past a limit, so printing a value can never build more text
/// than that, however large the value would print.
pub struct Capped<W> {
    /// Where the text goes.
    pub out: W,
    /// Bytes written so far.
    pub len: usize,
    /// The most bytes it accepts.
    pub limit: usize,
}

impl<W: Write> Write for Capped<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.len = self.len.saturating_add(s.len());
        if self.len > self.limit {
            return Err(fmt::Error);
        }
        self.out.write_str(s)
    }
}

/// Discards text (for measuring).
struct Sink;

impl Write for Sink {
    fn write_str(&mut self, _: &str) -> fmt::Result {
        Ok(())
    }
}

/// How long a value prints (`Display`, or `Debug` with `pretty`), counted without building
/// the text, refused past `limit`. The count is work.
pub(super) fn printed_len(value: &Value, limit: usize, pretty: bool) -> Result<usize, Error> {
    if let Some(s) = value.as_str() {
        return Ok(s.len());
    }
    let mut sink = Capped {
        out: Sink,
        len: 0,
        limit,
    };
    let written = if pretty {
        write!(sink, "{value:#?}")
    } else {
        write!(sink, "{value}")
    };
    charge(sink.len.min(limit))?;
    match written {
        Ok(()) => Ok(sink.len),
        Err(_) => Err(too_long("the text")),
    }
}

/// How long a value is as a string argument (a string's length; anything else as it prints).
pub(super) fn text_len(value: Option<&Value>) -> Result<usize, Error> {
    value.map_or(Ok(0), |v| printed_len(v, MAX_TEXT, false))
}

pub(super) fn ensure_text(len: usize, what: &str) -> Result<(), Error> {
    if len > MAX_TEXT {
        Err(too_long(what))
    } else {
        Ok(())
    }
}
