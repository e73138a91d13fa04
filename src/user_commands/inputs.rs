//! A user command's `inputs:` (Port's self-service actions with a form): a JSON Schema object whose
//! properties the user fills before the action runs. The schema is read by the scaffolder's
//! form engine, so the subset is the one templates have (types, enums, defaults, `required`,
//! minimum/maximum, lengths, `pattern`, `format`, nested objects asked field by field), and the
//! values are checked by the same validation. The portal fills them in the template form
//! pane; `idp-tui action` takes them from `--values FILE` and `--set KEY=VALUE`.

use super::{UserCommand, Values};
use crate::catalog::{Entity, EntityRef, Origin};
use crate::scaffolder::form::Form;
use crate::scaffolder::input::parse_input;
use crate::scaffolder::template::{Page, Template};
use crate::scaffolder::validate::{check_all, check_field, FieldError};
use serde_json::Value;

/// The types an input may have.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "array", "object"];

/// Checks an `inputs:` schema when the config is loaded: an object of properties the form can
/// show, a `required` list naming them, keywords of the right shape (a valid JSON Schema, its
/// patterns compiling), and defaults that pass their own checks.
pub fn check_schema(schema: &Value) -> Result<(), String> {
    let Some(object) = schema.as_object() else {
        return Err("inputs: must be a JSON Schema object (with `properties:`)".into());
    };
    if let Some(kind) = object.get("type").filter(|t| t.as_str() != Some("object")) {
        return Err(format!("inputs: type must be object, not {kind}"));
    }
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        return Err("inputs: has no `properties:` (one per value the form asks for)".into());
    };
    if properties.is_empty() {
        return Err("inputs: `properties:` is empty".into());
    }
    for (key, property) in properties {
        check_property(&format!("inputs.{key}"), property)?;
    }
    match object.get("required") {
        None => {}
        Some(Value::Array(names)) => {
            for name in names {
                let Some(name) = name.as_str() else {
                    return Err(format!("inputs: required: {name} is not a property name"));
                };
                if !properties.contains_key(name) {
                    return Err(format!("inputs: required: no property {name:?}"));
                }
            }
        }
        Some(other) => return Err(format!("inputs: required must be a list, not {other}")),
    }
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| format!("inputs: not a valid JSON Schema: {e}"))?;
    let form = form_of("inputs", schema);
    for field in form.fields() {
        if let Some(default) = &field.default {
            if let Some(message) = check_field(field, Some(default)) {
                return Err(format!(
                    "inputs.{}: the default {default} {message}",
                    field.key
                ));
            }
        }
    }
    Ok(())
}

/// One property (and, for an object, its own properties): a known type, and keywords of the
/// right shape.
fn check_property(path: &str, property: &Value) -> Result<(), String> {
    let Some(object) = property.as_object() else {
        return Err(format!("{path}: must be a mapping (a JSON Schema)"));
    };
    match object.get("type") {
        None => {}
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => {}
        Some(other) => {
            return Err(format!(
                "{path}: type {other} is not one of {}",
                TYPES.join(", ")
            ))
        }
    }
    for key in [
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
    ] {
        if let Some(v) = object.get(key).filter(|v| !v.is_number()) {
            return Err(format!("{path}: {key} must be a number, not {v}"));
        }
    }
    if let Some(v) = object.get("enum").filter(|v| !v.is_array()) {
        return Err(format!("{path}: enum must be a list, not {v}"));
    }
    if let Some(pattern) = object.get("pattern") {
        let text = pattern
            .as_str()
            .ok_or_else(|| format!("{path}: pattern must be text"))?;
        regex::Regex::new(text).map_err(|e| {
            format!(
                "{path}: pattern {text:?} does not compile: {}",
                crate::text::one_line(&e.to_string())
            )
        })?;
    }
    if let Some(props) = object.get("properties").and_then(Value::as_object) {
        for (key, inner) in props {
            check_property(&format!("{path}.{key}"), inner)?;
        }
    }
    Ok(())
}

/// The form of a schema: one page.
fn form_of(title: &str, schema: &Value) -> Form {
    Form::from_template(&template_of(
        EntityRef::new("action", "default", "inputs"),
        title,
        schema,
        String::new(),
    ))
}

fn template_of(entity_ref: EntityRef, title: &str, schema: &Value, about: String) -> Template {
    let page_title = schema
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or(title)
        .to_string();
    let description = schema
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| (!about.is_empty()).then_some(about));
    Template {
        entity_ref,
        title: title.to_string(),
        description: description.clone(),
        origin: Origin::new("config", None),
        pages: vec![Page {
            title: page_title,
            description,
            schema: schema.clone(),
            condition: None,
        }],
        steps: Vec::new(),
        output: Value::Null,
    }
}

impl UserCommand {
    /// The form of the action's inputs (`None` when it declares none).
    pub fn input_form(&self) -> Option<Form> {
        self.inputs.as_ref().map(|s| form_of(&self.title, s))
    }

    /// The action's inputs as a template for the portal's form pane, on one entity: its draft
    /// is kept per action and entity (`None` when the action declares no inputs).
    pub fn input_template(&self, entity: &Entity) -> Option<Template> {
        let schema = self.inputs.as_ref()?;
        let target = entity.entity_ref();
        let name: String = format!("{}@{}", self.title, target)
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '-' })
            .collect();
        Some(template_of(
            EntityRef::new("action", "default", &name.to_lowercase()),
            &self.title,
            schema,
            format!("on {target}"),
        ))
    }
}

/// The values of a user command's inputs from the command line: the defaults, then `file` (the
/// `--values` mapping), then each `KEY=VALUE` of `sets` (typed as the form types what is
/// typed: a number for an integer input, a list split at commas, JSON for an object). Every
/// problem is returned, each naming its input once: unknown keys, text that does not parse,
/// and whatever the form's validation refuses.
pub fn values_from(form: &Form, file: Values, sets: &[String]) -> Result<Values, Vec<String>> {
    let mut values = form.initial_values();
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    // A nested object's values may be given as a mapping, as Backstage takes them.
    for (key, value) in form.flatten(file) {
        if form.field(&key).is_none() {
            errors.push(format!("{key}: no input of that name"));
            continue;
        }
        values.insert(key, value);
    }
    for set in sets {
        let Some((key, text)) = set.split_once('=') else {
            errors.push(format!("--set {set:?}: expected KEY=VALUE"));
            continue;
        };
        let key = key.trim();
        let Some(field) = form.field(key) else {
            errors.push(format!("{key}: no input of that name"));
            continue;
        };
        match parse_input(field, text) {
            Ok(Some(value)) => {
                values.insert(key.to_string(), value);
            }
            Ok(None) => {
                values.remove(key);
            }
            Err(message) => {
                errors.push(format!("{} ({key}): {message}", field.title));
                values.remove(key);
                failed.push(key.to_string());
            }
        }
    }
    // The checks of the values that did parse; a value that did not is reported once, above.
    errors.extend(
        check_all(form, &values)
            .iter()
            .filter(|e| !failed.contains(&e.key))
            .map(FieldError::to_string),
    );
    if errors.is_empty() {
        // What `${{ inputs.… }}` sees: a nested object's fields back in their object.
        Ok(form.nested(&values))
    } else {
        Err(errors)
    }
}

/// The inputs a command refers to (`inputs.KEY`, `inputs.KEY.SUB` in its expressions) that
/// the schema does not declare: a typo there would only show when the action runs. A path is
/// followed as far as the schema lists properties (below a free-form object nothing is known).
pub(super) fn undeclared(action: &UserCommand, used: &[String]) -> Result<(), String> {
    for name in used {
        let Some(rest) = name.strip_prefix("inputs") else {
            continue;
        };
        let Some(mut schema) = action.inputs.as_ref() else {
            return Err(format!(
                "the command uses {name} but the action declares no `inputs:`"
            ));
        };
        let mut path = String::from("inputs");
        for segment in rest.split('.').filter(|s| !s.is_empty()) {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                break;
            };
            path.push('.');
            path.push_str(segment);
            match properties.get(segment) {
                Some(inner) => schema = inner,
                None => {
                    return Err(format!(
                        "the command uses {path}, which `inputs:` does not declare"
                    ))
                }
            }
        }
    }
    Ok(())
}
