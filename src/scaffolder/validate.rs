//! Validation of form values: per field as the user types (with a message for the field), and
//! the whole submission against each page's JSON Schema (draft 7, as Backstage's ajv) before a
//! template runs.

use super::form::{is_empty, Field, FieldKind, Form, Values};
use crate::expr::RepoUrl;
use serde_json::Value;

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field key (`parameters.KEY`).
    pub key: String,
    /// The field's title.
    pub title: String,
    /// What is wrong, for the line under the field.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.key, self.message)
    }
}

/// The first problem with one field's value, or `None` when it is fine.
pub fn check_field(field: &Field, value: Option<&Value>) -> Option<String> {
    let value = match value {
        Some(v) if !is_empty(v) => v,
        _ if field.required => return Some("is required".into()),
        _ => return None,
    };
    let s = &field.schema;
    match &field.kind {
        FieldKind::Number { integer } => {
            let Some(n) = value.as_f64() else {
                return Some("must be a number".into());
            };
            if *integer && n.fract() != 0.0 {
                return Some("must be a whole number".into());
            }
            return check_range(s, n);
        }
        FieldKind::Boolean => {
            return (!value.is_boolean()).then(|| "must be true or false".into());
        }
        FieldKind::Select { choices } => {
            return (!choices.iter().any(|c| c.value == *value)).then(|| {
                let list: Vec<_> = choices.iter().map(|c| c.label.as_str()).collect();
                format!("must be one of: {}", list.join(", "))
            });
        }
        FieldKind::MultiSelect { choices } => {
            let Some(items) = value.as_array() else {
                return Some("must be a list".into());
            };
            if let Some(bad) = items
                .iter()
                .find(|i| !choices.iter().any(|c| c.value == **i))
            {
                return Some(format!("{bad} is not one of the choices"));
            }
            return check_items(s, items);
        }
        FieldKind::List | FieldKind::EntityPicker { multi: true, .. } => {
            let Some(items) = value.as_array() else {
                return Some("must be a list".into());
            };
            if items.iter().any(|i| !i.is_string()) {
                return Some("must be a list of strings".into());
            }
            return check_items(s, items);
        }
        FieldKind::Json | FieldKind::Hidden => return None,
        _ => {}
    }
    let Some(text) = value.as_str() else {
        return Some("must be text".into());
    };
    check_string(s, text).or_else(|| match &field.kind {
        FieldKind::EntityName if !super::form::is_entity_name(text) => Some(
            "must be 1-63 characters of a-z, 0-9, `-`, `_` and `.`, starting and ending with a letter or digit"
                .into(),
        ),
        FieldKind::RepoUrl {
            allowed_hosts,
            allowed_owners,
        } => check_repo_url(text, allowed_hosts, allowed_owners),
        _ => None,
    })
}

fn check_repo_url(text: &str, hosts: &[String], owners: &[String]) -> Option<String> {
    let url = match RepoUrl::parse(text) {
        Ok(url) => url,
        Err(e) => return Some(e),
    };
    if !hosts.is_empty() && !hosts.contains(&url.host) {
        return Some(format!(
            "host {} is not allowed (allowed: {})",
            url.host,
            hosts.join(", ")
        ));
    }
    let owner = url.owner.unwrap_or_default();
    if !owners.is_empty() && !owners.contains(&owner) {
        return Some(format!(
            "owner {owner} is not allowed (allowed: {})",
            owners.join(", ")
        ));
    }
    None
}

fn check_range(s: &Value, n: f64) -> Option<String> {
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    if let Some(min) = num("minimum").filter(|m| n < *m) {
        return Some(format!("must be at least {min}"));
    }
    if let Some(max) = num("maximum").filter(|m| n > *m) {
        return Some(format!("must be at most {max}"));
    }
    if let Some(min) = num("exclusiveMinimum").filter(|m| n <= *m) {
        return Some(format!("must be more than {min}"));
    }
    if let Some(max) = num("exclusiveMaximum").filter(|m| n >= *m) {
        return Some(format!("must be less than {max}"));
    }
    None
}

fn check_items(s: &Value, items: &[Value]) -> Option<String> {
    let num = |k: &str| s.get(k).and_then(Value::as_u64);
    if let Some(min) = num("minItems").filter(|m| (items.len() as u64) < *m) {
        return Some(format!("choose at least {min}"));
    }
    if let Some(max) = num("maxItems").filter(|m| items.len() as u64 > *m) {
        return Some(format!("choose at most {max}"));
    }
    if s.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        for (i, a) in items.iter().enumerate() {
            if items[..i].contains(a) {
                return Some(format!("{a} is listed twice"));
            }
        }
    }
    None
}

fn check_string(s: &Value, text: &str) -> Option<String> {
    let len = text.chars().count() as u64;
    let num = |k: &str| s.get(k).and_then(Value::as_u64);
    if let Some(min) = num("minLength").filter(|m| len < *m) {
        return Some(format!("must be at least {min} characters"));
    }
    if let Some(max) = num("maxLength").filter(|m| len > *m) {
        return Some(format!("must be at most {max} characters"));
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        // A pattern Rust's regex cannot compile (lookaround) is left to the schema check.
        if let Ok(re) = regex::Regex::new(pattern) {
            if !re.is_match(text) {
                return Some(format!("must match the pattern {pattern}"));
            }
        }
    }
    let format = s.get("format").and_then(Value::as_str)?;
    let ok = match format {
        "email" => regex_ok(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text),
        "uri" | "url" => regex_ok(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$", text),
        "date" => is_date(text),
        "date-time" => is_date_time(text),
        "time" => is_time(text),
        "hostname" => regex_ok(
            r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$",
            text,
        ),
        "ipv4" => text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<std::net::Ipv6Addr>().is_ok(),
        _ => true,
    };
    (!ok).then(|| {
        let what = match format {
            "email" => "an email address",
            "uri" | "url" => "a URL such as https://example.com",
            "date" => "a date such as 2026-01-31",
            "date-time" => "a date and time such as 2026-01-31T09:30:00Z",
            "time" => "a time such as 09:30:00",
            "hostname" => "a host name",
            "ipv4" => "an IPv4 address",
            _ => "an IPv6 address",
        };
        format!("must be {what}")
    })
}

fn regex_ok(pattern: &str, text: &str) -> bool {
    regex::Regex::new(pattern).is_ok_and(|re| re.is_match(text))
}

/// `YYYY-MM-DD` naming a day of the calendar (checked by the `time` crate). Backstage's
/// server checks the shape only and also takes `2026-02-30`.
fn is_date(text: &str) -> bool {
    static DATE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = DATE.get_or_init(|| regex::Regex::new(r"^(\d{4})-(\d{2})-(\d{2})$").ok());
    let Some(c) = re.as_ref().and_then(|re| re.captures(text)) else {
        return false;
    };
    let part = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u16>().ok());
    let (Some(y), Some(m), Some(d)) = (part(1), part(2), part(3)) else {
        return false;
    };
    let Ok(month) = time::Month::try_from(u8::try_from(m).unwrap_or(0)) else {
        return false;
    };
    time::Date::from_calendar_date(i32::from(y), month, u8::try_from(d).unwrap_or(0)).is_ok()
}

/// Backstage's `time` (jsonschema 1.5, which its server validates with): `hh:mm:ss`, no
/// fraction and no zone (`24:00:00` and a leap second `:60` are taken, as there).
const TIME: &str = r"(?:2[0-4]|[01]\d):[0-5]\d:(?:60|[0-5]\d)";

fn is_time(text: &str) -> bool {
    regex_ok(&format!("^{TIME}$"), text)
}

/// Backstage's `date-time`: a date, `T` or a space, a time with an optional fraction, and a
/// zone (`Z` or `+hh:mm`); the date must be a real one (see [`is_date`]).
fn is_date_time(text: &str) -> bool {
    let shape = format!(
        r"^(\d{{4}}-\d{{2}}-\d{{2}})[Tt ]{TIME}(?:\.\d+)?(?:[Zz]|[+-][0-5]\d:(?:60|[0-5]\d))$"
    );
    let Some(c) = regex::Regex::new(&shape)
        .ok()
        .and_then(|re| re.captures(text))
    else {
        return false;
    };
    c.get(1).is_some_and(|date| is_date(date.as_str()))
}

/// The problems of one page's shown fields, in field order.
pub fn check_page(form: &Form, page: usize, values: &Values) -> Vec<FieldError> {
    let Some(p) = form.pages.get(page) else {
        return Vec::new();
    };
    p.visible_fields(values)
        .filter_map(|f| {
            let shown = f.as_shown(&p.schema, values);
            let f = shown.as_ref().unwrap_or(f);
            check_field(f, values.get(&f.key)).map(|message| FieldError {
                key: f.key.clone(),
                title: f.title.clone(),
                message,
            })
        })
        .collect()
}

/// Every problem of the whole submission: each shown page's fields, then each shown page's
/// JSON Schema (which also catches what the per-field checks do not model). One message per
/// field.
pub fn check_all(form: &Form, values: &Values) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let (parameters, secrets) = form.submission(values);
    let mut submitted = parameters;
    submitted.extend(secrets);
    for page in form.shown_pages(values) {
        let page_errors = check_page(form, page, values);
        let page_ok = page_errors.is_empty();
        errors.extend(page_errors);
        for mut e in schema_errors(&form.pages[page].schema, &submitted) {
            let key = field_of(form, &e.key);
            if key != e.key && e.message == "is required" {
                // A property missing inside a JSON field: say which.
                let inner = e.key.strip_prefix(&format!("{key}.")).unwrap_or(&e.key);
                e.message = format!("{inner} is required");
            }
            e.key = key;
            // A whole-object error (a failed `oneOf`) usually restates a field's error: it is
            // reported only when no field of the page has one.
            let restated = e.key.is_empty() && !page_ok;
            if !restated && !errors.iter().any(|x: &FieldError| x.key == e.key) {
                let title = match form.field(&e.key) {
                    Some(f) => f.title.clone(),
                    None if e.key.is_empty() => form.pages[page].title.clone(),
                    None => e.key.clone(),
                };
                errors.push(FieldError { title, ..e });
            }
        }
    }
    errors
}

/// The field a value's path (`database.size`, `tags.0`) belongs to: the longest leading part of
/// it that is a field's key, else its first name.
fn field_of(form: &Form, path: &str) -> String {
    let names: Vec<&str> = path.split('.').collect();
    (1..=names.len())
        .rev()
        .map(|n| names.get(..n).unwrap_or_default().join("."))
        .find(|key| form.field(key).is_some())
        .unwrap_or_else(|| names.first().copied().unwrap_or_default().to_string())
}

/// The page schema without our UI-only keys, so the validator sees plain JSON Schema.
fn plain_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with("ui:") && *k != "when" && *k != "if")
                .map(|(k, v)| {
                    // `properties` maps names to schemas: names are kept as they are.
                    let v = match (k.as_str(), v) {
                        ("properties" | "dependencies", Value::Object(props)) => Value::Object(
                            props
                                .iter()
                                .map(|(k, v)| (k.clone(), plain_schema(v)))
                                .collect(),
                        ),
                        _ => plain_schema(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(plain_schema).collect()),
        other => other.clone(),
    }
}

fn schema_errors(schema: &Value, values: &Values) -> Vec<FieldError> {
    let schema = plain_schema(schema);
    let validator = match jsonschema::draft7::options()
        .should_validate_formats(true)
        // Backstage's verdicts for these formats, not RFC 3339's.
        .with_format("date", is_date)
        .with_format("time", is_time)
        .with_format("date-time", is_date_time)
        .build(&schema)
    {
        Ok(v) => v,
        Err(e) => {
            return vec![FieldError {
                key: String::new(),
                title: "template".into(),
                message: format!("the page schema is invalid: {e}"),
            }]
        }
    };
    let instance = Value::Object(values.clone());
    validator
        .iter_errors(&instance)
        .map(|e| {
            let path = e.instance_path.as_str();
            // A property missing from the whole object (`required`, `dependencies`) is that
            // field's error, so the form can show it under the field and go to it.
            let segments: Vec<String> = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect();
            if let jsonschema::error::ValidationErrorKind::Required { property } = &e.kind {
                if let Some(name) = property.as_str() {
                    // Keyed by the whole path: a nested object's field is `parent.child`.
                    let mut at = segments.clone();
                    at.push(name.to_string());
                    let key = at.join(".");
                    return FieldError {
                        title: key.clone(),
                        key,
                        message: "is required".into(),
                    };
                }
            }
            // The whole path: `check_all` keeps the longest part of it that is a field.
            let key = segments.join(".");
            // The message quotes the value: keep it short and never print a secret in full.
            let message =
                crate::text::truncate(&crate::text::one_line(&e.to_string()), 200).into_owned();
            FieldError {
                title: key.clone(),
                key,
                message,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffolder::form::{Choice, Condition};
    use serde_json::json;

    fn field(kind: FieldKind, schema: Value, required: bool) -> Field {
        Field {
            key: "f".into(),
            title: "F".into(),
            description: None,
            help: None,
            placeholder: None,
            default: None,
            kind,
            required,
            autofocus: false,
            condition: None,
            note: None,
            schema,
            path: vec!["f".into()],
            required_parents: Vec::new(),
        }
    }

    #[test]
    fn required_field_rejects_missing_and_blank() {
        let f = field(FieldKind::Text, json!({}), true);
        assert_eq!(check_field(&f, None).as_deref(), Some("is required"));
        assert_eq!(
            check_field(&f, Some(&json!("  "))).as_deref(),
            Some("is required")
        );
        assert_eq!(check_field(&f, Some(&json!("x"))), None);
    }

    #[test]
    fn pattern_and_lengths_have_messages() {
        let f = field(
            FieldKind::Text,
            json!({"pattern": "^[a-z]+$", "minLength": 3, "maxLength": 5}),
            false,
        );
        assert!(check_field(&f, Some(&json!("ab")))
            .unwrap()
            .contains("at least 3"));
        assert!(check_field(&f, Some(&json!("abcdef")))
            .unwrap()
            .contains("at most 5"));
        assert!(check_field(&f, Some(&json!("AbC")))
            .unwrap()
            .contains("pattern"));
        assert!(check_field(&f, Some(&json!(42))).unwrap().contains("text"));
    }

    #[test]
    fn numbers_check_type_range_and_integer() {
        let f = field(
            FieldKind::Number { integer: true },
            json!({"minimum": 1024, "maximum": 65535}),
            false,
        );
        assert!(check_field(&f, Some(&json!(80)))
            .unwrap()
            .contains("at least 1024"));
        assert!(check_field(&f, Some(&json!(70000)))
            .unwrap()
            .contains("at most"));
        assert!(check_field(&f, Some(&json!(8080.5)))
            .unwrap()
            .contains("whole"));
        assert!(check_field(&f, Some(&json!("8080")))
            .unwrap()
            .contains("number"));
        assert_eq!(check_field(&f, Some(&json!(8080))), None);
    }

    #[test]
    fn formats_reject_malformed_values() {
        let cases = [
            ("email", "not-an-email", "alice@example.com"),
            ("uri", "no scheme", "https://example.com/x"),
            ("date", "2026-02-30", "2024-02-29"),
            ("date-time", "2026-01-01", "2026-01-01T10:00:00Z"),
            ("time", "25h", "09:30:00"),
            // Backstage's server: a time has seconds and no zone; a date-time may use a space.
            ("time", "09:30:00Z", "24:00:00"),
            ("time", "09:30", "23:59:60"),
            ("date-time", "2026-01-31T09:30Z", "2026-01-31 09:30:00Z"),
            (
                "date-time",
                "2026-01-31T09:30:00",
                "2026-01-31t09:30:00.5+02:00",
            ),
            ("date-time", "2026-13-01T09:30:00Z", "2026-01-31T09:30:00Z"),
        ];
        for (format, bad, good) in cases {
            let f = field(FieldKind::Text, json!({ "format": format }), false);
            assert!(
                check_field(&f, Some(&json!(bad))).is_some(),
                "{format} {bad}"
            );
            assert_eq!(check_field(&f, Some(&json!(good))), None, "{format} {good}");
        }
    }

    #[test]
    fn a_multi_byte_character_in_a_date_time_is_refused_not_a_panic() {
        // `é` takes bytes 9 and 10: a check that slices the text at byte 10 would panic.
        let f = field(FieldKind::Text, json!({ "format": "date-time" }), false);
        for text in ["2026-01-3é:30:00Z", "2026-01-0€T09:30:00Z", "éééééééééééé"] {
            let message = check_field(&f, Some(&json!(text)));
            assert!(
                message
                    .as_deref()
                    .is_some_and(|m| m.contains("date and time")),
                "{text}: {message:?}"
            );
        }
    }

    #[test]
    fn select_and_multi_select_accept_only_choices() {
        let choices = vec![
            Choice {
                value: json!("a"),
                label: "Alpha".into(),
            },
            Choice {
                value: json!("b"),
                label: "Beta".into(),
            },
        ];
        let f = field(
            FieldKind::Select {
                choices: choices.clone(),
            },
            json!({}),
            false,
        );
        assert!(check_field(&f, Some(&json!("c")))
            .unwrap()
            .contains("Alpha, Beta"));
        let m = field(
            FieldKind::MultiSelect { choices },
            json!({"uniqueItems": true}),
            false,
        );
        assert!(check_field(&m, Some(&json!(["a", "a"])))
            .unwrap()
            .contains("twice"));
        assert!(check_field(&m, Some(&json!(["z"])))
            .unwrap()
            .contains("not one of"));
        assert_eq!(check_field(&m, Some(&json!(["a", "b"]))), None);
    }

    #[test]
    fn entity_name_and_repo_url_follow_backstage_rules() {
        let n = field(FieldKind::EntityName, json!({}), false);
        assert!(check_field(&n, Some(&json!("-bad-"))).is_some());
        assert!(check_field(&n, Some(&json!("x".repeat(64)))).is_some());
        assert_eq!(check_field(&n, Some(&json!("good-name"))), None);
        let r = field(
            FieldKind::RepoUrl {
                allowed_hosts: vec!["github.com".into()],
                allowed_owners: vec![],
            },
            json!({}),
            false,
        );
        assert!(check_field(&r, Some(&json!("gitlab.com?owner=a&repo=b")))
            .unwrap()
            .contains("not allowed"));
        assert!(check_field(&r, Some(&json!("github.com?owner=a")))
            .unwrap()
            .contains("missing repo"));
        assert_eq!(
            check_field(&r, Some(&json!("github.com?owner=a&repo=b"))),
            None
        );
    }

    fn dependent_form() -> Form {
        let t = crate::scaffolder::template::Template::from_entity(
            &crate::catalog::Entity::from_value(
                json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                "metadata": {"name": "t"}, "spec": {"parameters": [{
                    "required": ["db"],
                    "properties": {"db": {"type": "string", "enum": ["none", "pg"]}},
                    "dependencies": {"db": {"oneOf": [
                        {"properties": {"db": {"const": "none"}}},
                        {"properties": {"db": {"const": "pg"},
                                        "size": {"type": "string", "enum": ["s", "l"]}},
                         "required": ["size"]}
                    ]}}
                }]}}),
                crate::catalog::Origin::new("t.yaml", None),
            )
            .unwrap()
            .0,
        )
        .unwrap();
        Form::from_template(&t)
    }

    #[test]
    fn conditional_required_field_only_counts_when_shown() {
        let form = dependent_form();
        assert_eq!(
            form.pages[0].fields[1].condition,
            Some(Condition {
                field: "db".into(),
                one_of: Some(vec![json!("pg")])
            })
        );
        let mut values = Values::new();
        values.insert("db".into(), json!("none"));
        assert!(check_all(&form, &values).is_empty());
        values.insert("db".into(), json!("pg"));
        let errors = check_all(&form, &values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].key, "size");
    }

    #[test]
    fn schema_check_catches_what_fields_do_not_model() {
        let form = dependent_form();
        let mut values = Values::new();
        values.insert("db".into(), json!("pg"));
        values.insert("size".into(), json!("s"));
        assert!(check_all(&form, &values).is_empty());
        // A wrong type in an unknown extra key is fine; a wrong enum in a shown field is not.
        values.insert("db".into(), json!("mysql"));
        let errors = check_all(&form, &values);
        assert!(errors.iter().any(|e| e.key == "db"), "{errors:?}");
    }
}
