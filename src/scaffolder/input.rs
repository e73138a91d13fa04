//! Between what a person types and the form's typed values: parsing a field's text into JSON
//! (a number stays a number, a list a list) and showing a value as text, with secrets masked.
//! The TUI form uses these; the CLI reads typed values from YAML directly.

use super::form::{Choice, Field, FieldKind};
use crate::expr::RepoUrl;
use serde_json::Value;

/// What a masked value shows.
pub const MASK: &str = "••••••••";

/// Parses what was typed into a field. `Ok(None)` means empty (the field is unset).
pub fn parse_input(field: &Field, text: &str) -> Result<Option<Value>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() && !matches!(field.kind, FieldKind::Boolean) {
        return Ok(None);
    }
    let value = match &field.kind {
        FieldKind::Number { integer } => {
            if *integer {
                let n: i64 = trimmed.parse().map_err(|_| "must be a whole number")?;
                Value::from(n)
            } else {
                let n: f64 = trimmed.parse().map_err(|_| "must be a number")?;
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .ok_or("must be a finite number")?
            }
        }
        FieldKind::Boolean => Value::Bool(matches!(
            trimmed.to_ascii_lowercase().as_str(),
            "true" | "yes" | "y" | "on" | "1" | "x"
        )),
        FieldKind::Select { choices } => choice(choices, trimmed)?,
        FieldKind::MultiSelect { choices } => Value::Array(
            split_list(trimmed)
                .map(|item| choice(choices, item))
                .collect::<Result<_, _>>()?,
        ),
        FieldKind::List | FieldKind::EntityPicker { multi: true, .. } => Value::Array(
            split_list(trimmed)
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        // JSON, read as JSON: its error names the line and column, never a YAML term.
        FieldKind::Json => serde_json::from_str::<Value>(text).map_err(|e| {
            format!(
                "is not valid JSON: {}",
                crate::text::one_line(&e.to_string())
            )
        })?,
        // Multi-line text keeps its inner spacing; single-line fields are trimmed.
        FieldKind::TextArea { .. } | FieldKind::Secret { .. } => Value::String(text.to_string()),
        _ => Value::String(trimmed.to_string()),
    };
    Ok(Some(value))
}

fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn choice(choices: &[Choice], typed: &str) -> Result<Value, String> {
    // A number or boolean choice can be typed as it prints.
    let literal = serde_json::from_str::<Value>(typed).ok();
    choices
        .iter()
        .find(|c| {
            c.label == typed
                || c.value.as_str() == Some(typed)
                || literal.as_ref() == Some(&c.value)
        })
        .map(|c| c.value.clone())
        .ok_or_else(|| format!("{typed} is not one of the choices"))
}

/// A value as a person reads it: choices by label, lists comma-separated, secrets masked.
pub fn display_value(field: &Field, value: Option<&Value>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let label = |v: &Value, choices: &[Choice]| {
        choices
            .iter()
            .find(|c| c.value == *v)
            .map_or_else(|| plain(v), |c| c.label.clone())
    };
    let text = match (&field.kind, value) {
        (FieldKind::Secret { .. }, Value::String(s)) if s.is_empty() => String::new(),
        (FieldKind::Secret { .. }, _) => MASK.to_string(),
        (FieldKind::Select { choices }, v) => label(v, choices),
        (FieldKind::MultiSelect { choices }, Value::Array(items)) => items
            .iter()
            .map(|v| label(v, choices))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Boolean, v) => if v.as_bool() == Some(true) {
            "yes"
        } else {
            "no"
        }
        .to_string(),
        (FieldKind::Json, v) => serde_json::to_string(v).unwrap_or_default(),
        (_, Value::Array(items)) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        (_, v) => plain(v),
    };
    crate::text::clean_owned(text)
}

/// The text to put in an editor for a value (secrets included: the editor masks them).
pub fn edit_text(field: &Field, value: Option<&Value>) -> String {
    match (&field.kind, value) {
        (FieldKind::Secret { .. }, Some(Value::String(s))) => s.clone(),
        (FieldKind::Json, Some(v)) => serde_json::to_string_pretty(v).unwrap_or_default(),
        (_, Some(Value::Array(items))) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        (_, v) => display_value(field, v),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The host, owner and repository of a RepoUrlPicker value (empty parts when unset).
pub fn repo_url_parts(value: Option<&Value>) -> (String, String, String) {
    match value.and_then(Value::as_str).map(RepoUrl::parse) {
        Some(Ok(r)) => (r.host, r.owner.unwrap_or_default(), r.repo),
        // A half-typed value: keep what can be read.
        Some(Err(_)) => {
            let s = value.and_then(Value::as_str).unwrap_or_default();
            let host = s.split('?').next().unwrap_or_default().to_string();
            (host, String::new(), String::new())
        }
        None => Default::default(),
    }
}

/// The RepoUrlPicker value for three parts; `None` while the host is empty.
pub fn repo_url_value(host: &str, owner: &str, repo: &str) -> Option<Value> {
    let host = host.trim();
    (!host.is_empty()).then(|| Value::String(RepoUrl::format(host, owner.trim(), repo.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(kind: FieldKind) -> Field {
        Field {
            key: "k".into(),
            title: "K".into(),
            description: None,
            help: None,
            placeholder: None,
            default: None,
            kind,
            required: false,
            autofocus: false,
            condition: None,
            note: None,
            schema: json!({}),
            path: vec!["k".into()],
            required_parents: Vec::new(),
        }
    }

    fn choices() -> Vec<Choice> {
        vec![
            Choice {
                value: json!("s"),
                label: "Small".into(),
            },
            Choice {
                value: json!("l"),
                label: "Large".into(),
            },
        ]
    }

    #[test]
    fn numbers_parse_to_numbers_and_reject_words() {
        let f = field(FieldKind::Number { integer: true });
        assert_eq!(parse_input(&f, " 8080 ").unwrap(), Some(json!(8080)));
        assert!(parse_input(&f, "80.5").unwrap_err().contains("whole"));
        assert!(parse_input(&f, "eighty").is_err());
        assert_eq!(parse_input(&f, "  ").unwrap(), None);
        let f = field(FieldKind::Number { integer: false });
        assert_eq!(parse_input(&f, "0.5").unwrap(), Some(json!(0.5)));
        assert!(parse_input(&f, "NaN").is_err());
    }

    #[test]
    fn selects_accept_labels_or_values_and_show_labels() {
        let f = field(FieldKind::Select { choices: choices() });
        assert_eq!(parse_input(&f, "Large").unwrap(), Some(json!("l")));
        assert_eq!(parse_input(&f, "s").unwrap(), Some(json!("s")));
        assert!(parse_input(&f, "medium").is_err());
        assert_eq!(display_value(&f, Some(&json!("l"))), "Large");
        let m = field(FieldKind::MultiSelect { choices: choices() });
        assert_eq!(
            parse_input(&m, "Small, l").unwrap(),
            Some(json!(["s", "l"]))
        );
        assert_eq!(display_value(&m, Some(&json!(["s", "l"]))), "Small, Large");
    }

    #[test]
    fn secrets_are_masked_for_display_but_kept_for_editing() {
        let f = field(FieldKind::Secret { secret_store: true });
        let v = parse_input(&f, "tok en").unwrap();
        assert_eq!(display_value(&f, v.as_ref()), MASK);
        assert_eq!(edit_text(&f, v.as_ref()), "tok en");
    }

    #[test]
    fn lists_and_json_round_trip() {
        let l = field(FieldKind::List);
        let v = parse_input(&l, "a, b\nc,,").unwrap();
        assert_eq!(v, Some(json!(["a", "b", "c"])));
        assert_eq!(edit_text(&l, v.as_ref()), "a, b, c");
        let j = field(FieldKind::Json);
        assert_eq!(
            parse_input(&j, "{\"a\": 1}").unwrap(),
            Some(json!({"a": 1}))
        );
        let unfinished = parse_input(&j, "{\"displayName\": \"Alice\"").unwrap_err();
        assert!(unfinished.contains("not valid JSON"), "{unfinished}");
        assert!(unfinished.contains("line 1"), "{unfinished}");
        assert!(!unfinished.to_lowercase().contains("yaml"), "{unfinished}");
        let flow = parse_input(&j, "a: [1, 2").unwrap_err();
        assert!(!flow.to_lowercase().contains("yaml"), "{flow}");
    }

    #[test]
    fn repo_url_parts_compose_and_split() {
        let v = repo_url_value("github.com", "acme", "svc").unwrap();
        assert_eq!(v, json!("github.com?owner=acme&repo=svc"));
        assert_eq!(
            repo_url_parts(Some(&v)),
            ("github.com".into(), "acme".into(), "svc".into())
        );
        assert_eq!(repo_url_value(" ", "a", "b"), None);
        assert_eq!(
            repo_url_parts(Some(&json!("gitlab.com?owner=x"))).0,
            "gitlab.com"
        );
    }

    #[test]
    fn displayed_text_has_no_control_characters() {
        let f = field(FieldKind::Text);
        let shown = display_value(&f, Some(&json!("a\u{1b}[31mred\u{7}")));
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
    }
}
