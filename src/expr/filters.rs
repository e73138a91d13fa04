//! minijinja's builtin filters and tests behind guards: a patched template calls each by a
//! reserved name (`replace` as `__idp_f_replace`), and the guard estimates from the arguments
//! how much the filter would build, refuses what would pass the limits, counts the work, and
//! only then runs minijinja's own filter.

use super::limits::{
    charge, ensure_text, printed_len, text_len, too_many, Size, ITEM_COST, MAX_ITEMS, MAX_TEXT,
};
use minijinja::value::{Value, ValueKind};
use minijinja::{Error, State};

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
        "batch" | "slice" if arg(1).and_then(Value::as_usize).unwrap_or(0) > MAX_ITEMS => {
            return Err(too_many(&format!("the list from `{name}`")));
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
        // JavaScript's `String()`: `true`, `2`, `a,b` (minijinja's would print `True`).
        "string" => {
            if let Some(v) = value {
                return super::js::text(v, "the text from `string`").map(Value::from);
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
