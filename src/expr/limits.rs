//! What one render of a template author's text may cost, and the checks that hold it to that.
//!
//! minijinja's own operators and filters can build values far larger than their source: `*`
//! repeats lists and strings, `~` and `+` double a value each time they run in a loop, and
//! `replace`, `indent`, `join`, `format`, `batch` or `tojson(indent=…)` grow text by an
//! argument. [`super::guard`] routes every one of those through the functions here, which
//! check the size of the result *before* it is built, and keep a per-render account of the
//! work done, so a hostile template ends with an error naming it instead of exhausting memory.

use minijinja::value::{Rest, Value, ValueKind};
use minijinja::{Error, ErrorKind, State};
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
    /// The work done by the render in progress on this thread.
    static WORK: Cell<usize> = const { Cell::new(0) };
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
    previous: usize,
}

impl Scope {
    /// Starts the account of a render.
    pub fn enter() -> Self {
        Self {
            previous: WORK.with(|w| w.replace(0)),
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

fn too_long(what: &str) -> Error {
    too_expensive(format_args!(
        "{what} would be longer than {} MB",
        MAX_TEXT / (1024 * 1024)
    ))
}

fn too_many(what: &str) -> Error {
    too_expensive(format_args!(
        "{what} would hold more than {MAX_ITEMS} items"
    ))
}

/// Counts work against [`MAX_WORK`].
pub fn charge(units: usize) -> Result<(), Error> {
    WORK.with(|w| {
        let total = w.get().saturating_add(units);
        w.set(total);
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
    WORK.with(Cell::get)
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
struct Size {
    items: usize,
    text: usize,
}

impl Size {
    fn walk(&mut self, v: &Value, depth: usize) -> Result<(), Error> {
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
fn printed_len(value: &Value, limit: usize, pretty: bool) -> Result<usize, Error> {
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
fn text_len(value: Option<&Value>) -> Result<usize, Error> {
    value.map_or(Ok(0), |v| printed_len(v, MAX_TEXT, false))
}

fn ensure_text(len: usize, what: &str) -> Result<(), Error> {
    if len > MAX_TEXT {
        Err(too_long(what))
    } else {
        Ok(())
    }
}

/// `a ~ b`: both as text, refused when the result would pass [`MAX_TEXT`]. Prints each side
/// into a capped buffer, so a value that prints huge is refused before it is built.
pub fn concat(left: &Value, right: &Value) -> Result<Value, Error> {
    let mut out = Capped {
        out: String::new(),
        len: 0,
        limit: MAX_TEXT,
    };
    write!(out, "{left}{right}").map_err(|_| too_long("the text joined with `~`"))?;
    charge(out.len)?;
    Ok(Value::from(out.out))
}

/// A number from a value as JavaScript's `*` reads it: numbers as they are, a string holding
/// a number as that number (`" 8 "` is 8, `""` is 0), anything else none.
fn js_number(value: &Value) -> Option<Value> {
    match value.kind() {
        ValueKind::Number | ValueKind::Bool => Some(value.clone()),
        ValueKind::String => {
            let s = value.as_str()?.trim();
            if s.is_empty() {
                Some(Value::from(0))
            } else if let Ok(i) = s.parse::<i64>() {
                Some(Value::from(i))
            } else if s
                .bytes()
                .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
            {
                s.parse::<f64>().ok().map(Value::from)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// `a * b` as nunjucks (Backstage) does it: multiplication of numbers, never repetition.
/// Strings holding numbers count as those numbers; lists and other strings are an error.
pub fn mul(left: &Value, right: &Value) -> Result<Value, Error> {
    match (js_number(left), js_number(right)) {
        (Some(a), Some(b)) => raw_binop("*", &a, &b),
        _ => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "`*` multiplies numbers only, as in Backstage (got {} * {})",
                left.kind(),
                right.kind()
            ),
        )),
    }
}

/// `a + b`: numbers add, strings and lists join as in minijinja, refused when the result
/// would pass [`MAX_TEXT`] or [`MAX_ITEMS`].
pub fn add(left: &Value, right: &Value) -> Result<Value, Error> {
    let is_seq = |v: &Value| matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable);
    if is_seq(left) && is_seq(right) {
        let (Some(a), Some(b)) = (left.len(), right.len()) else {
            return Err(too_expensive("`+` joins lists of known length only"));
        };
        if a.saturating_add(b) > MAX_ITEMS {
            return Err(too_many("the list joined with `+`"));
        }
        charge(a.saturating_add(b).saturating_mul(ITEM_COST))?;
    } else if let (Some(a), Some(b)) = (left.as_str(), right.as_str()) {
        ensure_text(a.len().saturating_add(b.len()), "the text joined with `+`")?;
        charge(a.len() + b.len())?;
    }
    raw_binop("+", left, right)
}

/// `a in b`: refused when looking would print a large value or walk a long list.
pub fn contains(needle: &Value, haystack: &Value) -> Result<Value, Error> {
    if haystack.kind() == ValueKind::String {
        printed_len(needle, MAX_TEXT, false)?;
        charge(haystack.as_str().map_or(0, str::len))?;
    } else if let Some(n) = haystack.len() {
        charge(n.saturating_mul(ITEM_COST))?;
    }
    raw_binop("in", needle, haystack)
}

/// Work for comparing or searching values: their size, walked (bounded by [`MAX_ITEMS`]).
fn charge_compare(values: &[Value]) -> Result<(), Error> {
    for v in values {
        match v.kind() {
            ValueKind::String => charge(v.as_str().map_or(0, str::len))?,
            ValueKind::Seq | ValueKind::Iterable | ValueKind::Map => {
                let mut size = Size::default();
                let walked = size.walk(v, 0);
                charge(size.items.saturating_mul(ITEM_COST))?;
                walked?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=` as minijinja computes them, after counting the work.
pub fn compare(op: &str, left: &Value, right: &Value) -> Result<Value, Error> {
    charge_compare(&[left.clone(), right.clone()])?;
    Ok(Value::from(match op {
        "==" => left == right,
        "!=" => left != right,
        "<" => left < right,
        "<=" => left <= right,
        ">" => left > right,
        _ => left >= right,
    }))
}

/// Runs one of minijinja's own binary operators on values already checked, through a plain
/// engine that knows no template's text.
fn raw_binop(op: &str, left: &Value, right: &Value) -> Result<Value, Error> {
    use std::sync::OnceLock;
    static RAW: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    let env = RAW.get_or_init(minijinja::Environment::new);
    let expr = match op {
        "*" => "a * b",
        "+" => "a + b",
        _ => "a in b",
    };
    env.compile_expression(expr)?
        .eval(minijinja::context! { a => left, b => right })
}

/// The builtin filters, each under the name a patched template calls it by
/// (`replace` is called as `__idp_f_replace`, which checks and then delegates).
pub const GUARDED_FILTERS: &[(&str, &str)] = &[
    ("safe", "__idp_f_safe"),
    ("escape", "__idp_f_escape"),
    ("e", "__idp_f_e"),
    ("lower", "__idp_f_lower"),
    ("upper", "__idp_f_upper"),
    ("title", "__idp_f_title"),
    ("capitalize", "__idp_f_capitalize"),
    ("replace", "__idp_f_replace"),
    ("length", "__idp_f_length"),
    ("count", "__idp_f_count"),
    ("dictsort", "__idp_f_dictsort"),
    ("items", "__idp_f_items"),
    ("reverse", "__idp_f_reverse"),
    ("trim", "__idp_f_trim"),
    ("join", "__idp_f_join"),
    ("split", "__idp_f_split"),
    ("lines", "__idp_f_lines"),
    ("default", "__idp_f_default"),
    ("d", "__idp_f_d"),
    ("round", "__idp_f_round"),
    ("abs", "__idp_f_abs"),
    ("int", "__idp_f_int"),
    ("float", "__idp_f_float"),
    ("attr", "__idp_f_attr"),
    ("first", "__idp_f_first"),
    ("last", "__idp_f_last"),
    ("min", "__idp_f_min"),
    ("max", "__idp_f_max"),
    ("sort", "__idp_f_sort"),
    ("list", "__idp_f_list"),
    ("string", "__idp_f_string"),
    ("bool", "__idp_f_bool"),
    ("batch", "__idp_f_batch"),
    ("slice", "__idp_f_slice"),
    ("sum", "__idp_f_sum"),
    ("indent", "__idp_f_indent"),
    ("select", "__idp_f_select"),
    ("reject", "__idp_f_reject"),
    ("selectattr", "__idp_f_selectattr"),
    ("rejectattr", "__idp_f_rejectattr"),
    ("map", "__idp_f_map"),
    ("groupby", "__idp_f_groupby"),
    ("unique", "__idp_f_unique"),
    ("chain", "__idp_f_chain"),
    ("zip", "__idp_f_zip"),
    ("pprint", "__idp_f_pprint"),
    ("format", "__idp_f_format"),
    ("tojson", "__idp_f_tojson"),
];

/// The builtin tests (`is …`), each under the name a patched template calls it by: comparing
/// or searching large values costs work like everything else.
pub const GUARDED_TESTS: &[(&str, &str)] = &[
    ("undefined", "__idp_t_undefined"),
    ("defined", "__idp_t_defined"),
    ("none", "__idp_t_none"),
    ("safe", "__idp_t_safe"),
    ("escaped", "__idp_t_escaped"),
    ("boolean", "__idp_t_boolean"),
    ("odd", "__idp_t_odd"),
    ("even", "__idp_t_even"),
    ("divisibleby", "__idp_t_divisibleby"),
    ("number", "__idp_t_number"),
    ("integer", "__idp_t_integer"),
    ("int", "__idp_t_int"),
    ("float", "__idp_t_float"),
    ("string", "__idp_t_string"),
    ("sequence", "__idp_t_sequence"),
    ("iterable", "__idp_t_iterable"),
    ("mapping", "__idp_t_mapping"),
    ("startingwith", "__idp_t_startingwith"),
    ("endingwith", "__idp_t_endingwith"),
    ("lower", "__idp_t_lower"),
    ("upper", "__idp_t_upper"),
    ("sameas", "__idp_t_sameas"),
    ("eq", "__idp_t_eq"),
    ("equalto", "__idp_t_equalto"),
    ("==", "__idp_t_eq_op"),
    ("ne", "__idp_t_ne"),
    ("!=", "__idp_t_ne_op"),
    ("lt", "__idp_t_lt"),
    ("lessthan", "__idp_t_lessthan"),
    ("<", "__idp_t_lt_op"),
    ("le", "__idp_t_le"),
    ("<=", "__idp_t_le_op"),
    ("gt", "__idp_t_gt"),
    ("greaterthan", "__idp_t_greaterthan"),
    (">", "__idp_t_gt_op"),
    ("ge", "__idp_t_ge"),
    (">=", "__idp_t_ge_op"),
    ("in", "__idp_t_in"),
    ("true", "__idp_t_true"),
    ("false", "__idp_t_false"),
    ("filter", "__idp_t_filter"),
    ("test", "__idp_t_test"),
];

/// Filters that take a constant time whatever their input's size.
const CHEAP_FILTERS: &[&str] = &["length", "count", "default", "d", "safe", "bool", "first"];

/// Filters that print their input (or its items) as text.
const PRINTING_FILTERS: &[&str] = &[
    "escape",
    "e",
    "lower",
    "upper",
    "title",
    "capitalize",
    "replace",
    "trim",
    "join",
    "split",
    "lines",
    "string",
    "indent",
    "format",
];

/// A builtin filter behind its checks: the size of what it would build is estimated from its
/// arguments first, then minijinja's filter runs (and its result is checked like every value
/// the template builds).
pub fn guarded_filter(state: &State, name: &str, args: &[Value]) -> Result<Value, Error> {
    let value = args.first();
    let arg = |i: usize| args.get(i).filter(|v| !is_kwargs(v));
    if !CHEAP_FILTERS.contains(&name) {
        for a in args {
            let units = match a.kind() {
                ValueKind::String => a.as_str().map_or(0, str::len),
                ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => {
                    a.len().unwrap_or(0).saturating_mul(ITEM_COST)
                }
                _ => 0,
            };
            charge(units)?;
        }
    }
    if PRINTING_FILTERS.contains(&name) {
        if let Some(v) = value {
            if name == "join" {
                printed_len(v, MAX_TEXT, false)?;
            } else {
                text_len(Some(v))?;
            }
        }
    }
    match name {
        "replace" => {
            let text = value.and_then(Value::as_str).unwrap_or_default();
            let from = arg(1).map(Value::to_string).unwrap_or_default();
            let to = text_len(arg(2))?;
            let mut times = if from.is_empty() {
                text.chars().count() + 1
            } else {
                text.matches(from.as_str()).count()
            };
            if let Some(n) = arg(3).and_then(Value::as_usize) {
                times = times.min(n);
            }
            ensure_text(
                text.len().saturating_add(times.saturating_mul(to)),
                "the text from `replace`",
            )?;
        }
        "indent" => {
            let text = value.and_then(Value::as_str).unwrap_or_default();
            let width = match arg(1) {
                Some(w) if w.kind() == ValueKind::String => w.as_str().map_or(0, str::len),
                Some(w) => w.as_usize().unwrap_or(0),
                None => 0,
            };
            let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
            ensure_text(
                text.len().saturating_add(lines.saturating_mul(width)),
                "the text from `indent`",
            )?;
        }
        "join" => {
            let sep = text_len(arg(1))?;
            let n = value.and_then(Value::len).unwrap_or(0);
            ensure_text(n.saturating_mul(sep), "the text from `join`")?;
        }
        "format" => {
            let pattern = value.and_then(Value::as_str).unwrap_or_default();
            let mut len = pattern.len();
            // Widths and precisions (`%99999999d`) pad the text by that much.
            for digits in pattern.split(|c: char| !c.is_ascii_digit()) {
                if !digits.is_empty() {
                    len = len.saturating_add(digits.parse::<usize>().unwrap_or(usize::MAX));
                }
            }
            for a in args.iter().skip(1) {
                len = len.saturating_add(text_len(Some(a))?);
            }
            ensure_text(len, "the text from `format`")?;
        }
        "batch" | "slice" => {
            if arg(1).and_then(Value::as_usize).unwrap_or(0) > MAX_ITEMS {
                return Err(too_many(&format!("the list from `{name}`")));
            }
        }
        "split" | "lines" | "list" if value.is_some_and(|v| v.kind() == ValueKind::String) => {
            let text = value.and_then(Value::as_str).unwrap_or_default();
            let parts = match (name, arg(1).and_then(Value::as_str)) {
                ("list", _) => text.chars().count(),
                ("lines", _) => text.bytes().filter(|&b| b == b'\n').count() + 1,
                (_, Some(sep)) if !sep.is_empty() => text.matches(sep).count() + 1,
                _ => text.split_whitespace().count(),
            };
            if parts > MAX_ITEMS {
                return Err(too_many(&format!("the list from `{name}`")));
            }
        }
        "tojson" | "pprint" => {
            let indent = arg(1)
                .cloned()
                .or_else(|| kwarg(args, "indent"))
                .and_then(|v| v.as_usize())
                .unwrap_or(2);
            if let Some(v) = value {
                // Every item may start a line indented by its depth.
                let items = printed_items(v);
                let pad = items.saturating_mul(indent.min(MAX_TEXT)).saturating_mul(4);
                ensure_text(
                    printed_len(v, MAX_TEXT, name == "pprint")?.saturating_add(pad),
                    &format!("the text from `{name}`"),
                )?;
            }
        }
        _ => {}
    }
    state.apply_filter(name, args)
}

/// How many items a value holds at every depth (the caller has checked it is bounded).
fn printed_items(v: &Value) -> usize {
    let mut size = Size::default();
    let _ = size.walk(v, 0);
    size.items
}

fn is_kwargs(v: &Value) -> bool {
    v.kind() == ValueKind::Map && v.is_kwargs()
}

fn kwarg(args: &[Value], key: &str) -> Option<Value> {
    args.last()
        .filter(|v| is_kwargs(v))
        .and_then(|v| v.get_attr(key).ok())
        .filter(|v| !v.is_undefined())
}

/// Registers the operators, the size check and the guarded filters on an environment.
pub fn register(env: &mut minijinja::Environment<'static>) {
    env.add_function("__idp_mul", |a: Value, b: Value| mul(&a, &b));
    env.add_function("__idp_add", |a: Value, b: Value| add(&a, &b));
    env.add_function("__idp_concat", |a: Value, b: Value| concat(&a, &b));
    env.add_function("__idp_in", |a: Value, b: Value| contains(&a, &b));
    env.add_function("__idp_check", |v: Value| check(&v).map(|()| v));
    env.add_function("__idp_cost", |v: Value| {
        charge_compare(std::slice::from_ref(&v)).map(|()| Value::UNDEFINED)
    });
    for (name, op) in [
        ("__idp_eq", "=="),
        ("__idp_ne", "!="),
        ("__idp_lt", "<"),
        ("__idp_lte", "<="),
        ("__idp_gt", ">"),
        ("__idp_gte", ">="),
    ] {
        env.add_function(name, move |a: Value, b: Value| compare(op, &a, &b));
    }
    for &(name, guarded) in GUARDED_TESTS {
        env.add_test(guarded, move |state: &State, args: Rest<Value>| {
            charge_compare(&args)?;
            state.perform_test(name, &args)
        });
    }
    for &(name, guarded) in GUARDED_FILTERS {
        env.add_filter(guarded, move |state: &State, args: Rest<Value>| {
            guarded_filter(state, name, &args)
        });
    }
    // `debug()` prints the whole context at each call; Backstage has no such function.
    env.remove_global("debug");
}
