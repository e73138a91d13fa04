//! Nunjucks' own filters, where they differ from Jinja's or Jinja has none: `wordcount`,
//! `truncate`, `urlencode`, `center`, `nl2br`, `striptags`, `title` and `capitalize`, written
//! from Nunjucks' definitions (`src/filters.js`) and checked against Backstage's scaffolder
//! (`tests/data/scaffold-parity/09-template-language/`). Lengths count characters, where
//! JavaScript counts UTF-16 units: they differ only outside the Basic Multilingual Plane.

use super::limits::ensure_text;
use minijinja::value::{Value, ValueKind};
use minijinja::Error;
use regex::Regex;
use std::sync::OnceLock;

/// The text of a filter's input: nothing for undefined or none, else the value as printed.
fn text(value: &Value) -> String {
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => String::new(),
        _ => value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string),
    }
}

/// `str.toLowerCase()` with its first character upper-cased.
fn capitalize_text(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `capitalize`: the first character upper-cased, the rest lower-cased.
pub fn capitalize(value: Value) -> String {
    capitalize_text(&text(&value))
}

/// `title`: each space-separated word capitalized (a hyphen or an apostrophe does not start a
/// word, unlike Jinja's).
pub fn title(value: Value) -> String {
    text(&value)
        .split(' ')
        .map(capitalize_text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `wordcount`: how many runs of `[A-Za-z0-9_]` the text holds; none prints nothing.
pub fn wordcount(value: Value) -> Value {
    let s = text(&value);
    let count = s
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .count();
    if count == 0 {
        Value::from(())
    } else {
        Value::from(count)
    }
}

/// `truncate(length=255, killwords=false, end="...")`: a text longer than `length` is cut at
/// the last space before it (or at `length` with `killwords`), and `end` added.
pub fn truncate(
    value: Value,
    length: Option<usize>,
    killwords: Option<bool>,
    end: Option<String>,
) -> String {
    let s = text(&value);
    let length = length.unwrap_or(255);
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= length {
        return s;
    }
    let cut = if killwords.unwrap_or(false) {
        length
    } else {
        // JavaScript's `lastIndexOf(' ', length)`: a space at `length` itself counts.
        chars
            .iter()
            .take(length.saturating_add(1))
            .rposition(|&c| c == ' ')
            .unwrap_or(length)
    };
    let mut out: String = chars.iter().take(cut).collect();
    out.push_str(end.as_deref().unwrap_or("..."));
    out
}

/// JavaScript's `encodeURIComponent`: every byte but `A-Za-z0-9-_.!~*'()` percent-encoded.
fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `urlencode`: a text encoded as a URI component; a mapping as `key=value` pairs joined by
/// `&`, and a list of `[key, value]` pairs likewise.
pub fn urlencode(value: Value) -> Result<String, Error> {
    let pair = |k: &Value, v: &Value| {
        format!(
            "{}={}",
            encode_uri_component(&text(k)),
            encode_uri_component(
                &super::js::text(v, "the text from `urlencode`").unwrap_or_default()
            )
        )
    };
    let out = match value.kind() {
        ValueKind::Map => value
            .try_iter()?
            .map(|k| {
                let v = value.get_item(&k).unwrap_or_default();
                pair(&k, &v)
            })
            .collect::<Vec<_>>()
            .join("&"),
        ValueKind::Seq => value
            .try_iter()?
            .map(|item| {
                let k = item.get_item_by_index(0).unwrap_or_default();
                let v = item.get_item_by_index(1).unwrap_or_default();
                pair(&k, &v)
            })
            .collect::<Vec<_>>()
            .join("&"),
        _ => encode_uri_component(&text(&value)),
    };
    Ok(out)
}

/// `center(width=80)`: the text padded with spaces on both sides to `width` (the odd space
/// goes after).
pub fn center(value: Value, width: Option<usize>) -> Result<String, Error> {
    let s = text(&value);
    let width = width.unwrap_or(80);
    let len = s.chars().count();
    if len >= width {
        return Ok(s);
    }
    ensure_text(width.saturating_add(s.len()), "the text from `center`")?;
    let spaces = width - len;
    let post = spaces.div_ceil(2);
    let pre = spaces - post;
    Ok(format!("{}{s}{}", " ".repeat(pre), " ".repeat(post)))
}

/// `nl2br`: each line break (`\n` or `\r\n`) becomes `<br />` and a `\n`.
pub fn nl2br(value: Value) -> Result<String, Error> {
    let s = text(&value);
    let breaks = s.matches('\n').count();
    ensure_text(
        s.len().saturating_add(breaks.saturating_mul(6)),
        "the text from `nl2br`",
    )?;
    Ok(s.replace("\r\n", "\n").replace('\n', "<br />\n"))
}

fn regex(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

/// `striptags(preserve_linebreaks=false)`: HTML tags and comments removed, the text trimmed
/// and its runs of white space made one space (or, keeping line breaks, spaces at line ends
/// removed and runs of blank lines shortened to one).
pub fn striptags(value: Value, preserve_linebreaks: Option<bool>) -> String {
    static TAGS: OnceLock<Option<Regex>> = OnceLock::new();
    static LINE_ENDS: OnceLock<Option<Regex>> = OnceLock::new();
    static SPACES: OnceLock<Option<Regex>> = OnceLock::new();
    static BLANK_LINES: OnceLock<Option<Regex>> = OnceLock::new();
    static WHITE: OnceLock<Option<Regex>> = OnceLock::new();
    let s = text(&value);
    let stripped = match regex(&TAGS, r"(?i)</?[a-z][a-z0-9]*\b[^>]*>|<!--[\s\S]*?-->") {
        Some(re) => re.replace_all(&s, "").into_owned(),
        None => s,
    };
    let trimmed = stripped.trim();
    if preserve_linebreaks.unwrap_or(false) {
        let mut out = trimmed.to_string();
        if let Some(re) = regex(&LINE_ENDS, r"(?m)^ +| +$") {
            out = re.replace_all(&out, "").into_owned();
        }
        if let Some(re) = regex(&SPACES, r" +") {
            out = re.replace_all(&out, " ").into_owned();
        }
        out = out.replace("\r\n", "\n");
        if let Some(re) = regex(&BLANK_LINES, r"\n\n\n+") {
            out = re.replace_all(&out, "\n\n").into_owned();
        }
        out
    } else {
        match regex(&WHITE, r"\s+") {
            Some(re) => re.replace_all(trimmed, " ").into_owned(),
            None => trimmed.to_string(),
        }
    }
}

/// What `{% for k, v in value %}` walks: an object's `[key, value]` entries in their order
/// (Nunjucks' loop over an object); any other value as it is.
pub fn pairs(value: &Value) -> Result<Value, Error> {
    if value.kind() != ValueKind::Map {
        return Ok(value.clone());
    }
    let entries = value
        .try_iter()?
        .map(|k| {
            let v = value.get_item(&k).unwrap_or_default();
            Value::from(vec![k, v])
        })
        .collect::<Vec<_>>();
    Ok(Value::from(entries))
}

/// `groupby(attribute)`: an object whose keys are the attribute's values (as text; a missing
/// one is `undefined`) in the order they first appear, each holding its items (Nunjucks', not
/// Jinja's sorted list of groups). `attribute` may be a dotted path.
pub fn groupby(value: Value, attribute: String) -> Result<Value, Error> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in value.try_iter()? {
        let mut key = item.clone();
        for part in attribute.split('.') {
            key = key.get_attr(part).unwrap_or(Value::UNDEFINED);
        }
        let key = if key.is_undefined() {
            "undefined".to_string()
        } else {
            super::js::text(&key, "the key from `groupby`")?
        };
        match index.get(&key).and_then(|&i| groups.get_mut(i)) {
            Some((_, items)) => items.push(item),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![item]));
            }
        }
    }
    Ok(Value::from_iter(
        groups.into_iter().map(|(k, items)| (k, Value::from(items))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_at_a_word_as_nunjucks() {
        let t = |s: &str, n, k, e: Option<&str>| {
            truncate(Value::from(s), Some(n), Some(k), e.map(str::to_string))
        };
        assert_eq!(t("hello wonderful world", 9, false, None), "hello...");
        assert_eq!(t("hello wonderful world", 9, true, Some("!")), "hello won!");
        assert_eq!(t("nospaceshere", 4, false, None), "nosp...");
        assert_eq!(t("short", 9, false, None), "short");
    }

    #[test]
    fn center_puts_the_odd_space_after() {
        assert_eq!(center(Value::from("abc"), Some(8)).unwrap(), "  abc   ");
        assert!(center(Value::from("a"), Some(usize::MAX)).is_err());
    }

    #[test]
    fn undefined_inputs_print_nothing() {
        assert_eq!(title(Value::UNDEFINED), "");
        assert!(wordcount(Value::UNDEFINED).is_none());
        assert_eq!(nl2br(Value::UNDEFINED).unwrap(), "");
    }
}
