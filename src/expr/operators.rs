//! The operators a patched template calls instead of minijinja's (`*`, `+`, `~`, `in`, the
//! comparisons): each checks or counts what it is about to build or walk, then computes what
//! minijinja computes, except the arithmetic, which computes as JavaScript does ([`super::js`]).

use super::js;
use super::limits::{charge, printed_len, Size, ITEM_COST, MAX_TEXT};
use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind};

/// `a ~ b`: both as JavaScript text (`undefined ~ "/"` is `"undefined/"`), refused when the
/// result would pass [`MAX_TEXT`]: each side is printed into a capped buffer, so a value that
/// prints huge is refused before it is built.
pub fn concat(left: &Value, right: &Value) -> Result<Value, Error> {
    js::concat(left, right)
}

/// A number from a value as JavaScript's `*` reads it: numbers as they are, a string holding
/// a number as that number (`" 8 "` is 8, `""` is 0), anything else none.
fn js_number(value: &Value) -> Option<Value> {
    match value.kind() {
        ValueKind::Number | ValueKind::Bool => Some(value.clone()),
        // JavaScript: `undefined * 2` is `NaN`, `null * 2` is `0`.
        ValueKind::Undefined => Some(Value::from(f64::NAN)),
        ValueKind::None => Some(Value::from(0)),
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
        (Some(a), Some(b)) => Ok(js::arithmetic("*", &a, &b)),
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

/// `a + b` as JavaScript computes it (see [`js::add`]): numbers add, anything else joins as
/// text, refused when the text would pass [`MAX_TEXT`].
pub fn add(left: &Value, right: &Value) -> Result<Value, Error> {
    js::add(left, right)
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
pub(super) fn charge_compare(values: &[Value]) -> Result<(), Error> {
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

/// `value[start:stop:step]` as minijinja slices, without its panics: minijinja 2.24 indexes
/// an empty list or string at 0 for a negative step (`[][::-1]`, found by fuzzing:
/// `tests/data/fuzz/expr_render-negative-slice-panic`), and overflows on a stop past the start or
/// on extreme bounds. A negative step is computed here, with minijinja's own rule for which
/// items it takes; a positive one is handed to minijinja with its bounds clamped to where they
/// change nothing.
pub fn slice(value: &Value, start: &Value, stop: &Value, step: &Value) -> Result<Value, Error> {
    const FAR: i64 = 1 << 53;
    let bound = |v: &Value| -> Option<Option<i64>> {
        if v.is_none() {
            Some(None)
        } else {
            i64::try_from(v.clone())
                .ok()
                .map(|n| Some(n.clamp(-FAR, FAR)))
        }
    };
    let (Some(from), Some(to), Some(by)) = (bound(start), bound(stop), bound(step)) else {
        // Not whole numbers: minijinja says why.
        return raw_slice(value, start, stop, step);
    };
    let by = by.unwrap_or(1);
    let clamped = |b: Option<i64>| b.map_or(Value::from(()), Value::from);
    if by >= 0
        || !matches!(
            value.kind(),
            ValueKind::String | ValueKind::Bytes | ValueKind::Seq | ValueKind::Iterable
        )
    {
        return raw_slice(value, &clamped(from), &clamped(to), &Value::from(by));
    }
    let step = usize::try_from(by.unsigned_abs()).unwrap_or(usize::MAX);
    if let Some(text) = value.as_str() {
        let chars: Vec<char> = text.chars().collect();
        let picked: String = backwards(from, to, step, chars.len())
            .map(|i| chars[i])
            .collect();
        return Ok(Value::from(picked));
    }
    if let Some(bytes) = value.as_bytes() {
        let picked: Vec<u8> = backwards(from, to, step, bytes.len())
            .map(|i| bytes[i])
            .collect();
        return Ok(Value::from_bytes(picked));
    }
    let items: Vec<Value> = value.try_iter()?.collect();
    charge(items.len().saturating_mul(ITEM_COST))?;
    let picked: Vec<Value> = backwards(from, to, step, items.len())
        .map(|i| items[i].clone())
        .collect();
    Ok(Value::from(picked))
}

/// The indices minijinja's negative-step slice takes from `end` items (its
/// `range_step_backwards`), every one of them inside `0..end`.
fn backwards(
    start: Option<i64>,
    stop: Option<i64>,
    step: usize,
    end: usize,
) -> impl Iterator<Item = usize> {
    let last = end.saturating_sub(1) as i64;
    let from_end = |i: i64| (end as i64).saturating_add(i).max(0);
    let start = match start {
        None => last,
        Some(s) if s >= 0 => s.min(last),
        Some(s) => from_end(s),
    };
    let stop = match stop {
        None => 0,
        Some(s) if s < 0 => from_end(s),
        Some(s) => s,
    };
    let (start, stop) = (start as usize, stop as usize);
    let length = if end == 0 || stop > start {
        0
    } else if stop == 0 {
        start / step + 1
    } else {
        (start - stop).div_ceil(step)
    };
    (stop..=start).rev().step_by(step).take(length)
}

fn raw_slice(value: &Value, start: &Value, stop: &Value, step: &Value) -> Result<Value, Error> {
    use std::sync::OnceLock;
    static RAW: OnceLock<minijinja::Environment<'static>> = OnceLock::new();
    let env = RAW.get_or_init(minijinja::Environment::new);
    env.compile_expression("v[a:b:c]")?
        .eval(minijinja::context! { v => value, a => start, b => stop, c => step })
}
