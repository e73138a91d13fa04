//! The JavaScript methods a Backstage template may call on strings, numbers and lists
//! (`name.toUpperCase()`, `repo.split("/")`, `tags.join(", ")`): the closed list that
//! scaffolder-backend 4.2's template engine (nunjitsu) allows, computed as JavaScript does,
//! with string positions in UTF-16 units.
//!
//! The list methods that change the list in place (`push`, `pop`, `sort`, …) are refused:
//! template values here cannot be changed.

use super::js::{self, to_number};
use super::limits::{charge, ensure_text, too_many, Capped, ITEM_COST, MAX_ITEMS, MAX_TEXT};
use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind, State};

/// The methods Backstage allows on strings.
const STRING_METHODS: &[&str] = &[
    "charAt",
    "charCodeAt",
    "concat",
    "endsWith",
    "includes",
    "indexOf",
    "lastIndexOf",
    "replace",
    "slice",
    "split",
    "startsWith",
    "substring",
    "toLowerCase",
    "toUpperCase",
    "trim",
    "trimEnd",
    "trimStart",
];

/// Calls `receiver.name(args)` (minijinja's callback for methods it does not know).
pub fn call(_state: &State, receiver: &Value, name: &str, args: &[Value]) -> Result<Value, Error> {
    match receiver.kind() {
        ValueKind::String if STRING_METHODS.contains(&name) => {
            string_method(receiver.as_str().unwrap_or_default(), name, args)
        }
        ValueKind::Number => number_method(to_number(receiver), name, args),
        ValueKind::Seq | ValueKind::Iterable => list_method(receiver, name, args),
        _ => Err(unknown(receiver, name)),
    }
}

fn unknown(receiver: &Value, name: &str) -> Error {
    Error::new(
        ErrorKind::UnknownMethod,
        format!(
            "{} has no method `{name}` in Backstage's templates",
            receiver.kind()
        ),
    )
}

/// JavaScript's `ToIntegerOrInfinity`, saturated to `i64` (`NaN` and undefined are 0).
fn integer(value: Option<&Value>) -> Option<i64> {
    let v = value.filter(|v| !v.is_undefined())?;
    let n = to_number(v);
    Some(if n.is_nan() { 0 } else { n.trunc() as i64 })
}

/// A relative index (`-1` is the last) clamped into `0..=len`, as `slice` reads it.
fn relative(index: Option<i64>, len: usize, default: usize) -> usize {
    match index {
        None => default,
        Some(i) if i < 0 => len.saturating_sub(i.unsigned_abs() as usize),
        Some(i) => (i as usize).min(len),
    }
}

/// A plain index clamped into `0..=len`, as `substring`, `indexOf` and friends read it.
fn clamped(index: Option<i64>, len: usize, default: usize) -> usize {
    index.map_or(default, |i| i.clamp(0, len as i64) as usize)
}

fn arg_text(args: &[Value], i: usize) -> Result<Vec<u16>, Error> {
    let text = match args.get(i) {
        Some(v) => js::text(v, "a method's argument")?,
        None => "undefined".to_string(),
    };
    Ok(text.encode_utf16().collect())
}

fn from_units(units: &[u16]) -> Value {
    Value::from(String::from_utf16_lossy(units))
}

fn find(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from.min(hay.len()));
    }
    (from..=hay.len().checked_sub(needle.len())?).find(|&i| hay[i..].starts_with(needle))
}

fn rfind(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    let last = hay.len().checked_sub(needle.len())?.min(from);
    (0..=last).rev().find(|&i| hay[i..].starts_with(needle))
}

fn index_value(found: Option<usize>) -> Value {
    found.map_or(Value::from(-1), Value::from)
}

fn string_method(text: &str, name: &str, args: &[Value]) -> Result<Value, Error> {
    charge(text.len())?;
    match name {
        "toLowerCase" => return Ok(Value::from(text.to_lowercase())),
        "toUpperCase" => return Ok(Value::from(text.to_uppercase())),
        "trim" => return Ok(Value::from(text.trim_matches(is_js_space))),
        "trimStart" => return Ok(Value::from(text.trim_start_matches(is_js_space))),
        "trimEnd" => return Ok(Value::from(text.trim_end_matches(is_js_space))),
        "concat" => {
            let mut out = Capped {
                out: text.to_string(),
                len: text.len(),
                limit: MAX_TEXT,
            };
            for a in args {
                js::write_text(a, &mut out)
                    .map_err(|_| super::limits::too_long("the text joined with `concat`"))?;
            }
            charge(out.len)?;
            return Ok(Value::from(out.out));
        }
        _ => {}
    }
    let units: Vec<u16> = text.encode_utf16().collect();
    let len = units.len();
    let first = integer(args.first());
    Ok(match name {
        "charAt" => {
            let i = first.unwrap_or(0);
            usize::try_from(i)
                .ok()
                .and_then(|i| units.get(i))
                .map_or(Value::from(""), |u| from_units(std::slice::from_ref(u)))
        }
        "charCodeAt" => {
            let i = first.unwrap_or(0);
            usize::try_from(i)
                .ok()
                .and_then(|i| units.get(i))
                .map_or(Value::from(f64::NAN), |u| Value::from(*u))
        }
        "includes" | "indexOf" => {
            let found = find(
                &units,
                &arg_text(args, 0)?,
                clamped(integer(args.get(1)), len, 0),
            );
            if name == "includes" {
                Value::from(found.is_some())
            } else {
                index_value(found)
            }
        }
        "lastIndexOf" => index_value(rfind(
            &units,
            &arg_text(args, 0)?,
            clamped(integer(args.get(1)), len, len),
        )),
        "startsWith" => {
            let from = clamped(integer(args.get(1)), len, 0);
            Value::from(units[from..].starts_with(&arg_text(args, 0)?))
        }
        "endsWith" => {
            let end = clamped(integer(args.get(1)), len, len);
            Value::from(units[..end].ends_with(&arg_text(args, 0)?))
        }
        "slice" => {
            let start = relative(first, len, 0);
            let end = relative(integer(args.get(1)), len, len);
            from_units(units.get(start..end.max(start)).unwrap_or_default())
        }
        "substring" => {
            let a = clamped(first, len, 0);
            let b = clamped(integer(args.get(1)), len, len);
            from_units(&units[a.min(b)..a.max(b)])
        }
        "replace" => {
            let needle = arg_text(args, 0)?;
            let with = arg_text(args, 1)?;
            match find(&units, &needle, 0) {
                Some(at) => {
                    ensure_text(
                        text.len().saturating_add(with.len() * 3),
                        "the replaced text",
                    )?;
                    let mut out = units[..at].to_vec();
                    out.extend_from_slice(&with);
                    out.extend_from_slice(&units[at + needle.len()..]);
                    from_units(&out)
                }
                None => Value::from(text),
            }
        }
        "split" => split(&units, args)?,
        _ => return Err(unknown(&Value::from(text), name)),
    })
}

fn split(units: &[u16], args: &[Value]) -> Result<Value, Error> {
    let limit = match args.get(1).filter(|v| !v.is_undefined()) {
        // JavaScript reads the limit as an unsigned 32-bit number.
        Some(v) => to_number(v).trunc().rem_euclid(4_294_967_296.0) as usize,
        None => usize::MAX,
    };
    let parts: Vec<Value> = match args.first().filter(|v| !v.is_undefined()) {
        None => vec![from_units(units)],
        Some(_) => {
            let sep = arg_text(args, 0)?;
            if sep.is_empty() {
                units
                    .iter()
                    .take(limit.min(MAX_ITEMS + 1))
                    .map(|u| from_units(std::slice::from_ref(u)))
                    .collect()
            } else {
                let mut out = Vec::new();
                let mut start = 0;
                while let Some(at) = find(units, &sep, start) {
                    out.push(from_units(&units[start..at]));
                    start = at + sep.len();
                    if out.len() > MAX_ITEMS {
                        break;
                    }
                }
                out.push(from_units(&units[start..]));
                out
            }
        }
    };
    let parts: Vec<Value> = parts.into_iter().take(limit).collect();
    if parts.len() > MAX_ITEMS {
        return Err(too_many("the list `split` makes"));
    }
    charge(parts.len().saturating_mul(ITEM_COST))?;
    Ok(Value::from(parts))
}

/// JavaScript's white space for `trim` (Unicode white space and the byte-order mark).
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn number_method(n: f64, name: &str, args: &[Value]) -> Result<Value, Error> {
    match name {
        "toString" if integer(args.first()).map_or(true, |radix| radix == 10) => {
            Ok(Value::from(js::number_text(n)))
        }
        "toFixed" => {
            let digits = integer(args.first()).unwrap_or(0);
            if !(0..=100).contains(&digits) || !n.is_finite() || n.abs() >= 1e21 {
                return Ok(Value::from(js::number_text(n)));
            }
            Ok(Value::from(format!("{n:.*}", digits as usize)))
        }
        _ => Err(Error::new(
            ErrorKind::UnknownMethod,
            format!("number method `{name}` (with these arguments) is not supported by idp-tui"),
        )),
    }
}

fn items(list: &Value) -> Result<Vec<Value>, Error> {
    let n = list.len().unwrap_or(0);
    if n > MAX_ITEMS {
        return Err(too_many("the list"));
    }
    charge(n.saturating_mul(ITEM_COST))?;
    Ok(list.try_iter()?.collect())
}

fn list_method(list: &Value, name: &str, args: &[Value]) -> Result<Value, Error> {
    let items = items(list)?;
    let len = items.len();
    let first = integer(args.first());
    Ok(match name {
        "at" => {
            let i = first.unwrap_or(0);
            let i = if i < 0 { len as i64 + i } else { i };
            usize::try_from(i)
                .ok()
                .and_then(|i| items.get(i).cloned())
                .unwrap_or(Value::UNDEFINED)
        }
        "includes" | "indexOf" => {
            let needle = args.first().cloned().unwrap_or(Value::UNDEFINED);
            let from = relative(integer(args.get(1)), len, 0);
            let found = items.iter().skip(from).position(|v| *v == needle);
            if name == "includes" {
                Value::from(found.is_some())
            } else {
                index_value(found.map(|i| i + from))
            }
        }
        "lastIndexOf" => {
            let needle = args.first().cloned().unwrap_or(Value::UNDEFINED);
            index_value(items.iter().rposition(|v| *v == needle))
        }
        "join" => {
            let sep = match args.first().filter(|v| !v.is_undefined()) {
                Some(v) => js::text(v, "the separator")?,
                None => ",".to_string(),
            };
            let mut out = Capped {
                out: String::new(),
                len: 0,
                limit: MAX_TEXT,
            };
            for (i, item) in items.iter().enumerate() {
                let wrote = if i > 0 {
                    std::fmt::Write::write_str(&mut out, &sep)
                } else {
                    Ok(())
                };
                wrote
                    .and_then(|()| js::write_item(item, &mut out))
                    .map_err(|_| super::limits::too_long("the joined text"))?;
            }
            charge(out.len)?;
            Value::from(out.out)
        }
        "slice" => {
            let start = relative(first, len, 0);
            let end = relative(integer(args.get(1)), len, len);
            Value::from(items.get(start..end.max(start)).unwrap_or_default().to_vec())
        }
        "concat" => {
            let mut out = items;
            for a in args {
                match a.kind() {
                    ValueKind::Seq | ValueKind::Iterable => out.extend(self::items(a)?),
                    _ => out.push(a.clone()),
                }
                if out.len() > MAX_ITEMS {
                    return Err(too_many("the list `concat` makes"));
                }
            }
            Value::from(out)
        }
        "flat" => {
            let mut out = Vec::new();
            for item in items {
                match item.kind() {
                    ValueKind::Seq | ValueKind::Iterable => out.extend(self::items(&item)?),
                    _ => out.push(item),
                }
                if out.len() > MAX_ITEMS {
                    return Err(too_many("the list `flat` makes"));
                }
            }
            Value::from(out)
        }
        _ => {
            return Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("list method `{name}` is not supported by idp-tui (template values cannot be changed)"),
            ))
        }
    })
}
