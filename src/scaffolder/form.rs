//! The form model: a template's pages turned into fields a front end can draw and edit, with
//! the conditions (`dependencies`/`oneOf`, page `when`) that decide which fields are shown.
//!
//! Values are a JSON object keyed by field, exactly what Backstage sends as `parameters`.

use super::fieldset::{ensure_object, expand, put, MAX_NESTING};
use super::picker::picker_filter;
pub use super::picker::{candidates, stored_ref, Candidate, CatalogFilter};
use super::template::Template;
use crate::catalog::validate::is_valid_name;
use crate::expr::Expr;
use serde_json::{json, Map, Value};

/// The form's values, keyed by field (Backstage's `parameters`).
pub type Values = Map<String, Value>;

/// One choice of a select or multi-select.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Choice {
    /// The value stored.
    pub value: Value,
    /// What the user sees (`enumNames`, a `oneOf` title, or the value).
    pub label: String,
}

/// How a field is edited.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum FieldKind {
    /// A single-line string.
    Text,
    /// A multi-line string (`ui:widget: textarea`).
    TextArea {
        /// Suggested height (`ui:options.rows`).
        rows: u16,
    },
    /// A masked string (`ui:widget: password`, `ui:field: Secret`): never stored in drafts.
    Secret {
        /// True for `ui:field: Secret`: the value goes to `secrets`, not `parameters`.
        secret_store: bool,
    },
    /// A number (`integer` true for `type: integer`).
    Number {
        /// Whole numbers only.
        integer: bool,
    },
    /// A yes/no toggle.
    Boolean,
    /// One of a list (`enum`/`enumNames`, or `oneOf` with `const`).
    Select {
        /// The choices.
        choices: Vec<Choice>,
    },
    /// Several of a list (`type: array`, `items.enum`, usually `uniqueItems`).
    MultiSelect {
        /// The choices.
        choices: Vec<Choice>,
    },
    /// A free list of strings (an array without `enum`; `EntityTagsPicker`).
    List,
    /// A catalog entity (`EntityPicker`, `OwnerPicker` and friends).
    EntityPicker {
        /// Several entities (`MultiEntityPicker`).
        multi: bool,
        /// Which entities are offered.
        filter: CatalogFilter,
        /// The kind left out of the stored reference (`ui:options.defaultKind`).
        default_kind: Option<String>,
        /// The namespace left out of the stored reference.
        default_namespace: Option<String>,
    },
    /// A new entity's name, checked against the catalog naming rules.
    EntityName,
    /// A repository location stored as `host?owner=o&repo=r`.
    RepoUrl {
        /// Hosts the user may choose (`ui:options.allowedHosts`); empty: any.
        allowed_hosts: Vec<String>,
        /// Owners the user may choose (`ui:options.allowedOwners`); empty: any.
        allowed_owners: Vec<String>,
    },
    /// Anything else structured (objects, lists of objects): edited as JSON text.
    Json,
    /// `ui:widget: hidden`: not shown, its default is submitted.
    Hidden,
}

/// When a conditional field (from `dependencies`) is shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Condition {
    /// The field whose value decides.
    pub field: String,
    /// The values that show this field; `None`: any non-empty value.
    pub one_of: Option<Vec<Value>>,
}

impl Condition {
    /// True when the deciding field's value shows the field.
    pub fn holds(&self, values: &Values) -> bool {
        let v = values.get(&self.field);
        match &self.one_of {
            None => v.is_some_and(|v| !is_empty(v)),
            Some(allowed) => v.is_some_and(|v| allowed.contains(v)),
        }
    }
}

/// One field of a page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Field {
    /// The key in the values (`parameters.KEY`).
    pub key: String,
    /// The label (`title`, else the key).
    pub title: String,
    /// `description`.
    pub description: Option<String>,
    /// `ui:help`.
    pub help: Option<String>,
    /// `ui:placeholder`.
    pub placeholder: Option<String>,
    /// `default`.
    pub default: Option<Value>,
    /// How it is edited.
    pub kind: FieldKind,
    /// Listed in the page's `required` (or the `oneOf` branch's, while shown).
    pub required: bool,
    /// `ui:autofocus`.
    pub autofocus: bool,
    /// Shown only when this holds (from `dependencies`).
    pub condition: Option<Condition>,
    /// A remark for the user, such as an unknown `ui:field` shown as plain text.
    pub note: Option<String>,
    /// The property's JSON Schema, for validation.
    pub schema: Value,
    /// Where the value goes in the submitted parameters: the property names from the page
    /// down (`["database", "size"]` for a property of a nested object, whose key is
    /// `database.size`); one name for a page's own properties.
    #[serde(skip_serializing_if = "is_top_level")]
    pub path: Vec<String>,
    /// For each nested object above the field, whether that object is required where it
    /// sits (such an object is submitted even when empty).
    #[serde(skip)]
    pub required_parents: Vec<bool>,
}

fn is_top_level(path: &[String]) -> bool {
    path.len() <= 1
}

impl Field {
    /// The field as the `dependencies` branch of `page_schema` that applies to `values`
    /// defines it, when several branches define it differently (`size` an enum in one, a
    /// pattern in another): JSON Schema's `oneOf` checks it against that branch, not the
    /// first. `None` when no other branch applies.
    pub fn as_shown(&self, page_schema: &Value, values: &Values) -> Option<Field> {
        let cond = self.condition.as_ref()?;
        let branches = page_schema
            .get("dependencies")?
            .get(&cond.field)?
            .get("oneOf")?
            .as_array()?;
        let trigger = values.get(&cond.field);
        branches.iter().find_map(|branch| {
            let props = branch.get("properties")?;
            let prop = props.get(&self.key)?;
            let applies = match props.get(&cond.field) {
                Some(t) => match (t.get("const"), t.get("enum").and_then(Value::as_array)) {
                    (Some(c), _) => trigger == Some(c),
                    (None, Some(allowed)) => trigger.is_some_and(|v| allowed.contains(v)),
                    (None, None) => trigger.is_some_and(|v| !is_empty(v)),
                },
                None => trigger.is_some_and(|v| !is_empty(v)),
            };
            applies.then(|| {
                let required = required_of(branch).contains(&self.key);
                field(&self.key, prop, required, Some(cond.clone()))
            })
        })
    }

    /// True for values that must never be saved or shown (password, Secret).
    pub fn is_secret(&self) -> bool {
        matches!(self.kind, FieldKind::Secret { .. })
    }

    /// True when the user can see and edit it.
    pub fn is_visible(&self, values: &Values) -> bool {
        !matches!(self.kind, FieldKind::Hidden)
            && self.condition.as_ref().map_or(true, |c| c.holds(values))
    }

    /// True when it is submitted: shown, or hidden with a default.
    fn is_active(&self, values: &Values) -> bool {
        self.condition.as_ref().map_or(true, |c| c.holds(values))
    }
}

/// One page of the form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FormPage {
    /// The page title.
    pub title: String,
    /// The page description.
    pub description: Option<String>,
    /// `when:`/`if:`: the page is shown only when this is true.
    pub condition: Option<Value>,
    /// The fields, in display order (`ui:order`, conditional fields after the field they
    /// depend on).
    pub fields: Vec<Field>,
    /// The page's JSON Schema, for whole-page validation.
    #[serde(skip)]
    pub schema: Value,
}

impl FormPage {
    /// The fields shown for these values.
    pub fn visible_fields<'a>(&'a self, values: &'a Values) -> impl Iterator<Item = &'a Field> {
        self.fields.iter().filter(|f| f.is_visible(values))
    }
}

/// A template's form.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Form {
    /// The pages, in order.
    pub pages: Vec<FormPage>,
}

impl Form {
    /// Builds the form of a template.
    pub fn from_template(template: &Template) -> Form {
        Form {
            pages: template
                .pages
                .iter()
                .map(|p| FormPage {
                    title: p.title.clone(),
                    description: p.description.clone(),
                    condition: p.condition.clone(),
                    fields: fields_of(&p.schema),
                    schema: p.schema.clone(),
                })
                .collect(),
        }
    }

    /// Every field of every page.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.pages.iter().flat_map(|p| p.fields.iter())
    }

    /// The field with this key.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().find(|f| f.key == key)
    }

    /// The values a new form starts with: every field's `default`.
    pub fn initial_values(&self) -> Values {
        self.fields()
            .filter_map(|f| Some((f.key.clone(), f.default.clone()?)))
            .collect()
    }

    /// True when a page is shown for these values (its `when:` holds). A condition that does
    /// not evaluate hides nothing: the page is shown.
    pub fn page_shown(&self, index: usize, values: &Values) -> bool {
        let Some(cond) = self.pages.get(index).and_then(|p| p.condition.as_ref()) else {
            return self.pages.get(index).is_some();
        };
        Expr::shared()
            .condition(cond, &json!({ "parameters": self.nested(values) }))
            .unwrap_or(true)
    }

    /// The indices of the pages shown for these values.
    pub fn shown_pages(&self, values: &Values) -> Vec<usize> {
        (0..self.pages.len())
            .filter(|&i| self.page_shown(i, values))
            .collect()
    }

    /// The values submitted to the steps: fields on shown pages whose conditions hold, with
    /// `ui:field: Secret` values moved out into the second map (Backstage's `secrets`).
    pub fn submission(&self, values: &Values) -> (Values, Values) {
        let mut parameters = Values::new();
        let mut secrets = Values::new();
        for i in self.shown_pages(values) {
            for f in self.pages[i].fields.iter().filter(|f| f.is_active(values)) {
                let Some(v) = values.get(&f.key).or(f.default.as_ref()) else {
                    continue;
                };
                match f.kind {
                    FieldKind::Secret { secret_store: true } => {
                        put(&mut secrets, &f.path, v.clone());
                    }
                    _ => {
                        put(&mut parameters, &f.path, v.clone());
                    }
                }
            }
            // A required nested object is submitted even when none of its fields has a value.
            for f in self.pages[i].fields.iter().filter(|f| f.is_active(values)) {
                for depth in 1..f.path.len() {
                    if f.required_parents.get(depth - 1).copied().unwrap_or(false) {
                        if let Some(parent) = f.path.get(..depth) {
                            ensure_object(&mut parameters, parent);
                        }
                    }
                }
            }
        }
        (parameters, secrets)
    }

    /// The values with the fields of nested objects put back in their objects
    /// (`database.size` → `{"database": {"size": …}}`): what expressions see as `parameters`
    /// (or an action's `inputs`). Keys that name no field are kept as they are.
    pub fn nested(&self, values: &Values) -> Values {
        let mut out = Values::new();
        for (key, value) in values {
            match self.field(key) {
                Some(f) if f.path.len() > 1 => put(&mut out, &f.path, value.clone()),
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        out
    }

    /// Values given as Backstage takes them (a nested object as a mapping) made the form's:
    /// a mapping under a key that is no field but holds fields of a nested object is spread
    /// into those fields (`{"database": {"size": 5}}` → `database.size: 5`). Other keys are
    /// kept as they are.
    pub fn flatten(&self, values: Values) -> Values {
        let mut out = Values::new();
        for (key, value) in values {
            self.spread(key, value, &mut out, 0);
        }
        out
    }

    fn spread(&self, key: String, value: Value, out: &mut Values, depth: usize) {
        let nested = depth < MAX_NESTING
            && self.field(&key).is_none()
            && self.fields().any(|f| f.key.starts_with(&format!("{key}.")));
        match value {
            Value::Object(map) if nested => {
                for (k, v) in map {
                    self.spread(format!("{key}.{k}"), v, out, depth + 1);
                }
            }
            value => {
                out.insert(key, value);
            }
        }
    }

    /// The values without secrets: what a draft may hold.
    pub fn without_secrets(&self, values: &Values) -> Values {
        values
            .iter()
            .filter(|(k, _)| !self.field(k).is_some_and(Field::is_secret))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// True for null, an empty string and an empty list.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

pub(super) fn required_of(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The fields of a page schema: its properties, then the conditional fields of
/// `dependencies` placed right after the field they depend on, then `ui:order`.
fn fields_of(schema: &Value) -> Vec<Field> {
    let required = required_of(schema);
    let mut fields: Vec<Field> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .flat_map(|(k, s)| expand(k, s, required.contains(k), None))
                .collect()
        })
        .unwrap_or_default();
    if let Some(deps) = schema.get("dependencies").and_then(Value::as_object) {
        for (trigger, dep) in deps {
            for (key, prop, req, cond) in dependent_fields(trigger, dep) {
                // The same field in several branches: shown when any branch holds. A nested
                // object is the fields under it.
                let mut seen = false;
                for existing in fields
                    .iter_mut()
                    .filter(|f| f.path.first().map_or(f.key == key, |p| *p == key))
                {
                    merge_condition(existing, &cond);
                    match existing.required_parents.first_mut() {
                        Some(parent) if existing.path.len() > 1 => *parent |= req,
                        _ => existing.required |= req,
                    }
                    seen = true;
                }
                if seen {
                    continue;
                }
                let at = fields
                    .iter()
                    .rposition(|f| {
                        f.key == *trigger
                            || f.condition.as_ref().is_some_and(|c| c.field == *trigger)
                    })
                    .map_or(fields.len(), |i| i + 1);
                fields.splice(at..at, expand(&key, &prop, req, Some(cond)));
            }
        }
    }
    if let Some(order) = schema.get("ui:order").and_then(Value::as_array) {
        apply_order(&mut fields, order);
    }
    fields
}

fn merge_condition(field: &mut Field, cond: &Condition) {
    if let Some(existing) = &mut field.condition {
        match (&mut existing.one_of, &cond.one_of) {
            (Some(a), Some(b)) => a.extend(b.iter().cloned()),
            (a, _) => *a = None,
        }
    }
}

/// The fields a `dependencies` entry adds, each with its condition.
fn dependent_fields(trigger: &str, dep: &Value) -> Vec<(String, Value, bool, Condition)> {
    let mut out = Vec::new();
    let mut add = |branch: &Value, one_of: Option<Vec<Value>>| {
        let req = required_of(branch);
        if let Some(props) = branch.get("properties").and_then(Value::as_object) {
            for (k, s) in props.iter().filter(|(k, _)| *k != trigger) {
                let cond = Condition {
                    field: trigger.to_string(),
                    one_of: one_of.clone(),
                };
                out.push((k.clone(), s.clone(), req.contains(k), cond));
            }
        }
    };
    match dep.get("oneOf").and_then(Value::as_array) {
        Some(branches) => {
            for b in branches {
                let t = b.get("properties").and_then(|p| p.get(trigger));
                let one_of = t.and_then(|t| {
                    t.get("const")
                        .map(|c| vec![c.clone()])
                        .or_else(|| t.get("enum").and_then(Value::as_array).cloned())
                });
                add(b, one_of);
            }
        }
        // `dependencies: { a: { properties: … } }`: shown whenever `a` has a value.
        None if dep.is_object() => add(dep, None),
        None => {}
    }
    out
}

fn apply_order(fields: &mut [Field], order: &[Value]) {
    let order: Vec<&str> = order.iter().filter_map(Value::as_str).collect();
    let rank = |key: &str| {
        let star = order.iter().position(|k| *k == "*").unwrap_or(order.len());
        order.iter().position(|k| *k == key).unwrap_or(star)
    };
    // A stable sort keeps the schema order among fields with the same rank (the `*` group);
    // the fields of a nested object go where the object is listed.
    fields.sort_by_key(|f| rank(f.path.first().map_or(f.key.as_str(), String::as_str)));
}

pub(super) fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn choices(schema: &Value) -> Option<Vec<Choice>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let names = strings(schema.get("enumNames"));
        return Some(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Choice {
                    value: v.clone(),
                    label: names.get(i).cloned().unwrap_or_else(|| label_of(v)),
                })
                .collect(),
        );
    }
    let one_of = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    let list: Vec<Choice> = one_of
        .iter()
        .filter_map(|o| {
            let value = o.get("const")?.clone();
            let label = o
                .get("title")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| label_of(&value));
            Some(Choice { value, label })
        })
        .collect();
    (!list.is_empty()).then_some(list)
}

fn label_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn field(
    key: &str,
    schema: &Value,
    required: bool,
    condition: Option<Condition>,
) -> Field {
    let text = |k: &str| schema.get(k).and_then(Value::as_str).map(str::to_string);
    let options = schema.get("ui:options").cloned().unwrap_or(Value::Null);
    let ty = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string");
    let ui_field = text("ui:field");
    let ui_widget = text("ui:widget");
    let mut note = None;
    let picker = |multi: bool, kinds: &[&str]| FieldKind::EntityPicker {
        multi,
        filter: picker_filter(&options, kinds),
        default_kind: options
            .get("defaultKind")
            .and_then(Value::as_str)
            .map(str::to_string),
        default_namespace: options
            .get("defaultNamespace")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    let kind = match ui_field.as_deref() {
        Some("EntityPicker") => picker(false, &[]),
        Some("OwnerPicker") => picker(false, &["Group", "User"]),
        Some("MultiEntityPicker") => picker(true, &[]),
        Some("MyGroupsPicker") => {
            note = Some("lists every group (membership is not known offline)".into());
            picker(false, &["Group"])
        }
        Some("OwnedEntityPicker") => {
            note = Some("lists every matching entity (ownership is not checked)".into());
            picker(false, &[])
        }
        Some("EntityNamePicker") => FieldKind::EntityName,
        Some("EntityTagsPicker") => FieldKind::List,
        Some("RepoUrlPicker") => FieldKind::RepoUrl {
            allowed_hosts: strings(options.get("allowedHosts")),
            allowed_owners: strings(options.get("allowedOwners")),
        },
        Some("RepoOwnerPicker") => match strings(options.get("allowedOwners")) {
            owners if !owners.is_empty() => FieldKind::Select {
                choices: owners
                    .into_iter()
                    .map(|o| Choice {
                        value: Value::String(o.clone()),
                        label: o,
                    })
                    .collect(),
            },
            _ => FieldKind::Text,
        },
        Some("Secret") => FieldKind::Secret { secret_store: true },
        Some(other) => {
            let fallback = basic_kind(ty, schema, ui_widget.as_deref(), &options);
            if other != "AccordionField" && other != "RepoBranchPicker" {
                note = Some(format!(
                    "`{other}` is a web-only field: entered as {}",
                    if fallback == FieldKind::Json {
                        "JSON"
                    } else {
                        "plain text"
                    }
                ));
            }
            fallback
        }
        None => basic_kind(ty, schema, ui_widget.as_deref(), &options),
    };
    if matches!(ui_widget.as_deref(), Some("data-url" | "file"))
        || text("format").as_deref() == Some("data-url")
    {
        note = Some("file uploads are entered as a data: URL".into());
    }
    Field {
        key: key.to_string(),
        title: text("title").unwrap_or_else(|| key.to_string()),
        description: text("description"),
        help: text("ui:help"),
        placeholder: text("ui:placeholder"),
        default: schema.get("default").cloned(),
        required,
        autofocus: schema.get("ui:autofocus").and_then(Value::as_bool) == Some(true),
        condition,
        note,
        schema: schema.clone(),
        kind,
        path: vec![key.to_string()],
        required_parents: Vec::new(),
    }
}

fn basic_kind(ty: &str, schema: &Value, widget: Option<&str>, options: &Value) -> FieldKind {
    if widget == Some("hidden") {
        return FieldKind::Hidden;
    }
    match ty {
        "boolean" => FieldKind::Boolean,
        "number" | "integer" => match choices(schema) {
            Some(choices) => FieldKind::Select { choices },
            None => FieldKind::Number {
                integer: ty == "integer",
            },
        },
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            match choices(&items) {
                Some(choices) => FieldKind::MultiSelect { choices },
                None if matches!(
                    items.get("type").and_then(Value::as_str),
                    None | Some("string")
                ) && items.get("properties").is_none() =>
                {
                    FieldKind::List
                }
                None => FieldKind::Json,
            }
        }
        "object" => FieldKind::Json,
        _ => match (choices(schema), widget) {
            (Some(choices), _) => FieldKind::Select { choices },
            (None, Some("textarea")) => FieldKind::TextArea {
                rows: options
                    .get("rows")
                    .and_then(Value::as_u64)
                    .map_or(5, |r| r.clamp(2, 20) as u16),
            },
            (None, Some("password")) => FieldKind::Secret {
                secret_store: false,
            },
            _ => FieldKind::Text,
        },
    }
}

/// True when a string is a valid new entity name (EntityNamePicker).
pub fn is_entity_name(s: &str) -> bool {
    is_valid_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entity, Origin};

    fn form(parameters: Value) -> Form {
        let e = Entity::from_value(
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                   "metadata": {"name": "t"}, "spec": {"parameters": parameters}}),
            Origin::new("t.yaml", None),
        )
        .unwrap()
        .0;
        Form::from_template(&Template::from_entity(&e).unwrap())
    }

    #[test]
    fn unknown_field_extension_falls_back_to_text_with_a_note() {
        let f = form(json!({"properties": {"x": {"type": "string", "ui:field": "AcmeWidget"}}}));
        let x = f.field("x").unwrap();
        assert_eq!(x.kind, FieldKind::Text);
        assert!(x.note.as_deref().unwrap().contains("AcmeWidget"));
    }

    #[test]
    fn secret_fields_go_to_secrets_and_never_to_drafts() {
        let f = form(json!({"properties": {
            "name": {"type": "string"},
            "token": {"type": "string", "ui:field": "Secret"},
            "pw": {"type": "string", "ui:widget": "password"}}}));
        let mut v = Values::new();
        for (k, x) in [("name", "n"), ("token", "t"), ("pw", "p")] {
            v.insert(k.into(), json!(x));
        }
        let (params, secrets) = f.submission(&v);
        assert_eq!(secrets.get("token"), Some(&json!("t")));
        assert!(!params.contains_key("token"));
        assert_eq!(
            params.get("pw"),
            Some(&json!("p")),
            "password stays a parameter"
        );
        let kept: Vec<_> = f.without_secrets(&v).keys().cloned().collect();
        assert_eq!(kept, ["name"]);
    }

    #[test]
    fn dependencies_without_one_of_show_fields_when_the_trigger_has_a_value() {
        let f = form(json!({
            "properties": {"a": {"type": "string"}, "z": {"type": "string"}},
            "dependencies": {"a": {"properties": {"b": {"type": "string"}}, "required": ["b"]}}}));
        let keys: Vec<_> = f.pages[0].fields.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "z"]);
        let mut v = Values::new();
        assert_eq!(f.pages[0].visible_fields(&v).count(), 2);
        v.insert("a".into(), json!("x"));
        assert_eq!(f.pages[0].visible_fields(&v).count(), 3);
        assert!(f.field("b").unwrap().required);
    }

    #[test]
    fn field_in_two_branches_is_shown_for_either_value() {
        let f = form(json!({
            "properties": {"db": {"enum": ["none", "pg", "my"]}},
            "dependencies": {"db": {"oneOf": [
                {"properties": {"db": {"const": "pg"}, "size": {"type": "string"}}},
                {"properties": {"db": {"const": "my"}, "size": {"type": "string"}}}]}}}));
        let size = f.field("size").unwrap();
        let mut v = Values::new();
        for (db, shown) in [("none", false), ("pg", true), ("my", true)] {
            v.insert("db".into(), json!(db));
            assert_eq!(size.is_visible(&v), shown, "{db}");
        }
    }

    #[test]
    fn page_condition_that_fails_to_evaluate_shows_the_page() {
        let f = form(json!([{"properties": {}}, {"when": "${{ ((( }}"}, {"when": false}]));
        assert_eq!(f.shown_pages(&Values::new()), [0, 1]);
    }

    #[test]
    fn empty_parameters_make_an_empty_form() {
        let f = form(Value::Null);
        assert!(f.pages.is_empty());
        assert!(f.initial_values().is_empty());
    }
}
