//! YAML text laid out as Backstage's `catalog:write` writes it (the `yaml` package's
//! `stringify` with its defaults): two-space indents, sequences indented under their key,
//! `[]` and `{}` for empty collections, plain scalars where YAML 1.2 reads them back as the same
//! string, double quotes otherwise, and block literals (`|`) for text of several lines.
//!
//! Not modelled: the `yaml` package folds plain text longer than 80 columns onto several lines
//! and uses folded blocks (`>`) for text with lines over 80 columns; here such text stays on
//! one line, which reads back the same.

use serde_json::Value;
use std::fmt::Write;

/// The document as YAML text, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.push_str(&" ".repeat(indent));
}

/// Writes `key: value` lines at `indent`.
fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        // The first entry of a map inside a list item follows the `- ` on its line.
        if i > 0 || !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str(&key_text(key));
        out.push(':');
        write_value(out, value, indent);
    }
}

/// Writes `- item` lines at `indent`.
fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, indent + 2),
            other => {
                out.push_str(&scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:`: a scalar on the same line, or a collection on the next lines.
fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 2));
            out.push('\n');
        }
    }
}

fn key_text(key: &str) -> String {
    if key.contains('\n') || !plain_ok(key) {
        quoted(key)
    } else {
        key.to_string()
    }
}

/// A scalar's text; `indent` is where the lines of a block literal go.
fn scalar(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (_, Some(u), _) => u.to_string(),
            (_, _, Some(f)) => crate::expr::js_number_text(f),
            _ => n.to_string(),
        },
        Value::String(s) if s.contains('\n') => block_literal(s, indent),
        Value::String(s) if plain_ok(s) => s.clone(),
        Value::String(s) => quoted(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// `|`, `|-` or `|+` after the trailing newlines, then the lines indented.
fn block_literal(s: &str, indent: usize) -> String {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let mut out = String::from(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    // A first line starting with a space needs the indentation spelled out.
    if body.starts_with(' ') {
        out.insert(1, '2');
    }
    out.push('\n');
    let lines: Vec<&str> = s.split('\n').collect();
    // The text after the last newline is empty (that newline ends the last line).
    let count = if trailing > 0 {
        lines.len() - 1
    } else {
        lines.len()
    };
    for (i, line) in lines.iter().take(count).enumerate() {
        if !line.is_empty() {
            pad(&mut out, indent);
            out.push_str(line);
        }
        if i + 1 < count {
            out.push('\n');
        }
    }
    out
}

/// Double quotes (single quotes when the text holds `"` and no `'`), as the `yaml` package
/// quotes.
fn quoted(s: &str) -> String {
    if s.contains('"') && !s.contains('\'') && !s.chars().any(char::is_control) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether text can stand plain (unquoted) and read back as the same string under YAML 1.2.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let last = s.chars().last().unwrap_or(first);
    if "\t ,[]{}#&*!|>'\"%@`".contains(first)
        || matches!(s, "?" | "-")
        || ((first == '?' || first == '-')
            && s.get(1..).unwrap_or_default().starts_with([' ', '\t']))
        || s.contains(": ")
        || s.contains(":\t")
        || s.contains(" #")
        || s.contains("\t#")
        || matches!(last, ' ' | '\t' | ':')
        || s.starts_with("---")
        || s.starts_with("...")
    {
        return false;
    }
    !reads_as_other_type(s)
}

/// Whether YAML 1.2's core schema reads this text as null, a boolean or a number.
fn reads_as_other_type(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let is_float = || {
        let (mantissa, exp) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
            None => (unsigned, None),
        };
        let mantissa_ok = match mantissa.split_once('.') {
            Some((a, b)) => {
                (digits(a) || a.is_empty())
                    && (b.is_empty() || digits(b))
                    && !(a.is_empty() && b.is_empty())
            }
            None => digits(mantissa),
        };
        match exp {
            Some(e) => mantissa_ok && digits(e),
            None => mantissa_ok && mantissa.contains('.'),
        }
    };
    matches!(
        s,
        "~" | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) || matches!(unsigned, ".inf" | ".Inf" | ".INF")
        || digits(unsigned)
        || s.strip_prefix("0o")
            .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)))
        || s.strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
        || is_float()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sequences_sit_under_their_key_and_text_quotes_only_when_needed() {
        let v = json!({
            "metadata": {"name": "orders", "tags": ["java", "on", "42", ""], "d": "A: b # c"},
            "spec": {"dependsOn": [], "links": [{"url": "https://x", "title": "Home"}],
                     "multiline": "one\ntwo\n", "n": 3, "f": 1.5, "t": true, "z": null}
        });
        assert_eq!(
            to_yaml(&v),
            "metadata:\n  name: orders\n  tags:\n    - java\n    - on\n    - \"42\"\n    - \"\"\n  d: \"A: b # c\"\nspec:\n  dependsOn: []\n  links:\n    - url: https://x\n      title: Home\n  multiline: |\n    one\n    two\n  n: 3\n  f: 1.5\n  t: true\n  z: null\n"
        );
    }

    #[test]
    fn text_that_reads_as_another_type_is_quoted() {
        for s in [
            "true", "NULL", "~", "0x1F", "0o17", "-12", "1.5", ".5", "1e3", ".inf", "- x", "#x",
            "x:",
        ] {
            assert!(!plain_ok(s), "{s}");
        }
        for s in ["yes", "on", "1.2.3", "v1", "a-b", "https://x.y/z", "x:y"] {
            assert!(plain_ok(s), "{s}");
        }
    }
}
