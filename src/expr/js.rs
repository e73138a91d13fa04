//! JavaScript's value semantics, which Backstage's templates get from Nunjucks: how values turn
//! into text and numbers, the arithmetic operators (`undefined + 1` is `NaN`, `"a" + undefined`
//! is `"aundefined"`, `6 / 4` is `1.5`, `4 / 2` prints `2`), and the `.length` property.
//!
//! Every function here builds at most [`MAX_TEXT`] bytes of text and counts the work it does,
//! so the limits of [`super::limits`] hold for them as for the rest of the language.

use super::limits::{charge, too_long, Capped, MAX_TEXT};
use minijinja::value::{Value, ValueKind};
use minijinja::Error;
use std::fmt::Write;

/// Largest integer a JavaScript number holds exactly (2^53).
const SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

/// A number as JavaScript prints it: `2` (not `2.0`), `NaN`, `Infinity`, `1e+21`, `1e-7`.
pub fn number_text(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        // `-0` prints as `0` in JavaScript.
        return "0".into();
    }
    let abs = n.abs();
    if (1e-6..1e21).contains(&abs) {
        // Rust prints the shortest text that reads back as the same number, as JavaScript does.
        return format!("{n}");
    }
    // Exponent form: Rust's `1e21` is JavaScript's `1e+21`.
    let text = format!("{n:e}");
    match text.split_once('e') {
        Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
        _ => text,
    }
}

/// A number from a value as JavaScript's `Number()` reads it: `undefined` is `NaN`, `null` and
/// `""` are `0`, `"12"` is `12`, `[5]` is `5`, an object is `NaN`.
pub fn to_number(value: &Value) -> f64 {
    match value.kind() {
        ValueKind::Undefined => f64::NAN,
        ValueKind::None => 0.0,
        ValueKind::Bool => f64::from(u8::from(value.is_true())),
        ValueKind::Number => f64::try_from(value.clone()).unwrap_or(f64::NAN),
        ValueKind::String => value.as_str().map_or(f64::NAN, text_number),
        // An array reads as the number its text (`[5]` → "5") reads as.
        ValueKind::Seq | ValueKind::Iterable => {
            let mut text = Capped {
                out: String::new(),
                len: 0,
                limit: 64,
            };
            match write_text(value, &mut text) {
                Ok(()) => text_number(&text.out),
                Err(_) => f64::NAN,
            }
        }
        _ => f64::NAN,
    }
}

/// JavaScript's reading of text as a number (`" 8 "` → 8, `""` → 0, `"0x10"` → 16, `"1e3"` →
/// 1000, anything else `NaN`).
fn text_number(text: &str) -> f64 {
    let s = text.trim();
    if s.is_empty() {
        return 0.0;
    }
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).map_or(f64::NAN, |n| n as f64);
    }
    match s.trim_start_matches(['+', '-']) {
        "Infinity" if s.starts_with('-') => f64::NEG_INFINITY,
        "Infinity" => f64::INFINITY,
        // Rust also reads `inf` and `nan`, which JavaScript does not.
        rest if rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b)) =>
        {
            s.parse::<f64>().unwrap_or(f64::NAN)
        }
        _ => f64::NAN,
    }
}

/// A number as a template value: a whole number within JavaScript's exact range becomes an
/// integer (so it prints `2` and serialises as `2`), anything else a float.
pub fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() <= SAFE_INTEGER {
        // In range and whole: the conversion is exact.
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// Writes a value as JavaScript's `String()` does: `undefined`, `null`, `true`, `2`, lists
/// comma-joined (their `undefined` and `null` items empty), objects `[object Object]`.
pub fn write_text(value: &Value, out: &mut impl Write) -> std::fmt::Result {
    match value.kind() {
        ValueKind::Undefined => out.write_str("undefined"),
        ValueKind::None => out.write_str("null"),
        _ => write_item(value, out),
    }
}

/// Writes a value as it prints inside a list or a template's output (`undefined` and `null`
/// print nothing).
pub fn write_item(value: &Value, out: &mut impl Write) -> std::fmt::Result {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => Ok(()),
        ValueKind::Bool => out.write_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.write_str(&number_text(to_number(value))),
        ValueKind::String => out.write_str(value.as_str().unwrap_or_default()),
        // Known empty: never iterate (an empty list repeated many times spins without yielding).
        ValueKind::Seq | ValueKind::Iterable if value.len() == Some(0) => Ok(()),
        ValueKind::Seq | ValueKind::Iterable => {
            let Ok(items) = value.try_iter() else {
                return Ok(());
            };
            for (i, item) in items.enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_item(&item, out)?;
            }
            Ok(())
        }
        ValueKind::Map => out.write_str("[object Object]"),
        _ => write!(out, "{value}"),
    }
}

/// A value's JavaScript text, refused past [`MAX_TEXT`]; the length is counted as work.
pub fn text(value: &Value, what: &str) -> Result<String, Error> {
    if let Some(s) = value.as_str() {
        charge(s.len())?;
        return Ok(s.to_string());
    }
    let mut out = Capped {
        out: String::new(),
        len: 0,
        limit: MAX_TEXT,
    };
    write_text(value, &mut out).map_err(|_| too_long(what))?;
    charge(out.len)?;
    Ok(out.out)
}

/// Whether `+` joins as text: when either side is text, a list or an object (which
/// JavaScript's `+` turns into text first).
fn joins_as_text(value: &Value) -> bool {
    matches!(
        value.kind(),
        ValueKind::String | ValueKind::Seq | ValueKind::Iterable | ValueKind::Map
    )
}

/// `a + b` as JavaScript computes it: text when either side is text (or a list or object),
/// else numbers (`undefined + 1` is `NaN`, `true + 1` is `2`).
pub fn add(left: &Value, right: &Value) -> Result<Value, Error> {
    if joins_as_text(left) || joins_as_text(right) {
        return concat(left, right);
    }
    Ok(number(to_number(left) + to_number(right)))
}

/// `a ~ b`: both sides as JavaScript text, joined (`undefined ~ "/"` is `"undefined/"`).
pub fn concat(left: &Value, right: &Value) -> Result<Value, Error> {
    let mut out = Capped {
        out: String::new(),
        len: 0,
        limit: MAX_TEXT,
    };
    write_text(left, &mut out)
        .and_then(|()| write_text(right, &mut out))
        .map_err(|_| too_long("the joined text"))?;
    charge(out.len)?;
    Ok(Value::from(out.out))
}

/// `-`, `*`, `/`, `//`, `%` and `**` on JavaScript numbers: never an error, `NaN` when a side
/// is not a number (`undefined - 1`), `Infinity` on division by zero.
pub fn arithmetic(op: &str, left: &Value, right: &Value) -> Value {
    let (a, b) = (to_number(left), to_number(right));
    number(match op {
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        "//" => (a / b).floor(),
        // JavaScript's `%` keeps the sign of the dividend, as Rust's does.
        "%" => a % b,
        _ => a.powf(b),
    })
}

/// `-a`: the negated number (`NaN` for `undefined`).
pub fn negate(value: &Value) -> Value {
    number(-to_number(value))
}

/// JavaScript's truthiness: false for `undefined`, `null`, `false`, `0`, `NaN` and `""`; true
/// for everything else, empty lists and objects included.
pub fn truthy(value: &Value) -> bool {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => false,
        ValueKind::Bool => value.is_true(),
        ValueKind::Number => {
            let n = to_number(value);
            n != 0.0 && !n.is_nan()
        }
        ValueKind::String => value.as_str().is_some_and(|s| !s.is_empty()),
        _ => true,
    }
}

/// `value.length`: a string's length in UTF-16 units and a list's item count, as in
/// JavaScript; an object's own `length` key, else undefined.
pub fn length(value: &Value) -> Value {
    match value.kind() {
        ValueKind::String => {
            let s = value.as_str().unwrap_or_default();
            // The count walks the text once.
            let _ = charge(s.len());
            Value::from(s.encode_utf16().count())
        }
        ValueKind::Seq | ValueKind::Iterable => value.len().map_or(Value::UNDEFINED, Value::from),
        _ => value.get_attr("length").unwrap_or(Value::UNDEFINED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_in_javascript() {
        for (n, text) in [
            (2.0, "2"),
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (123456789.0, "123456789"),
        ] {
            assert_eq!(number_text(n), text, "{n}");
        }
    }

    #[test]
    fn values_read_as_numbers_as_in_javascript() {
        let nan = |v: Value| to_number(&v).is_nan();
        assert!(nan(Value::UNDEFINED));
        assert!(nan(Value::from("ab")));
        assert!(nan(Value::from("inf")));
        assert_eq!(to_number(&Value::from(())), 0.0);
        assert_eq!(to_number(&Value::from(" 8 ")), 8.0);
        assert_eq!(to_number(&Value::from("")), 0.0);
        assert_eq!(to_number(&Value::from("0x10")), 16.0);
        assert_eq!(to_number(&Value::from(vec![5])), 5.0);
        assert_eq!(to_number(&Value::from(true)), 1.0);
    }

    #[test]
    fn plus_joins_text_or_adds_numbers() {
        let add = |a: Value, b: Value| add(&a, &b).unwrap().to_string();
        assert_eq!(add(Value::UNDEFINED, Value::from("/")), "undefined/");
        assert_eq!(add(Value::from(()), Value::from("x")), "nullx");
        assert_eq!(add(Value::from(3), Value::from("1")), "31");
        assert_eq!(add(Value::from(vec![1, 2]), Value::from(vec![3])), "1,23");
        assert_eq!(add(Value::from(true), Value::from(1)), "2");
        assert_eq!(
            number_text(to_number(&add_value(Value::UNDEFINED, Value::from(1)))),
            "NaN"
        );
    }

    fn add_value(a: Value, b: Value) -> Value {
        add(&a, &b).unwrap()
    }

    #[test]
    fn length_counts_utf16_units_and_items() {
        assert_eq!(length(&Value::from("héllo")).to_string(), "5");
        assert_eq!(length(&Value::from("😀")).to_string(), "2");
        assert_eq!(length(&Value::from(vec![1, 2, 3])).to_string(), "3");
        assert!(length(&Value::UNDEFINED).is_undefined());
    }
}
