//! Nested objects as fields of their own: the form a template with a nested object gets, the
//! values submitted, checked, kept in drafts and given on the command line.

use super::draft::{DraftLoad, Drafts};
use super::form::{FieldKind, Form, Values};
use super::validate::check_all;
use super::Template;
use crate::catalog::{Entity, EntityRef, Origin};
use serde_json::{json, Value};

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

/// A page with a nested object (its own `required`, an enum, a default, a number with bounds,
/// an object nested in it, and a default given by the object), and objects that stay JSON.
fn database() -> Form {
    form(json!({
        "required": ["name", "database"],
        "ui:order": ["database", "*"],
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "database": {
                "type": "object",
                "title": "Database",
                "required": ["engine"],
                "default": {"size": 20},
                "properties": {
                    "engine": {"type": "string", "enum": ["postgres", "mysql"], "default": "postgres"},
                    "size": {"type": "integer", "title": "Size (GB)", "minimum": 1, "maximum": 500},
                    "backup": {
                        "type": "object",
                        "properties": {
                            "enabled": {"type": "boolean", "default": true},
                            "schedule": {"type": "string", "pattern": "^[0-9*/ ,-]+$"}
                        }
                    }
                }
            },
            "labels": {"type": "object", "additionalProperties": {"type": "string"}, "properties": {"team": {"type": "string"}}},
            "extra": {"type": "object"}
        }
    }))
}

#[test]
fn a_nested_objects_properties_are_fields_labelled_with_their_path() {
    let f = database();
    let shown: Vec<(String, String)> = f.pages[0]
        .fields
        .iter()
        .map(|x| (x.key.clone(), x.title.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            ("database.engine", "Database › engine"),
            ("database.size", "Database › Size (GB)"),
            ("database.backup.enabled", "Database › backup › enabled"),
            ("database.backup.schedule", "Database › backup › schedule"),
            ("name", "Name"),
            ("labels", "labels"),
            ("extra", "extra"),
        ]
        .map(|(k, t)| (k.to_string(), t.to_string()))
    );
    let engine = f.field("database.engine").unwrap();
    assert!(engine.required);
    assert!(matches!(engine.kind, FieldKind::Select { .. }));
    assert_eq!(engine.default, Some(json!("postgres")));
    // The object's own default gives its properties theirs.
    assert_eq!(f.field("database.size").unwrap().default, Some(json!(20)));
    assert!(matches!(
        f.field("database.size").unwrap().kind,
        FieldKind::Number { integer: true }
    ));
    assert!(!f.field("database.size").unwrap().required);
    assert_eq!(
        f.field("database.backup.enabled").unwrap().kind,
        FieldKind::Boolean
    );
    // Open or shapeless objects stay one JSON field.
    assert_eq!(f.field("labels").unwrap().kind, FieldKind::Json);
    assert_eq!(f.field("extra").unwrap().kind, FieldKind::Json);
}

#[test]
fn the_values_are_submitted_in_their_nested_object() {
    let f = database();
    let mut values = f.initial_values();
    values.insert("name".into(), json!("orders"));
    values.insert("database.backup.schedule".into(), json!("0 3 * * *"));
    let (params, secrets) = f.submission(&values);
    assert!(secrets.is_empty());
    assert_eq!(
        Value::Object(params),
        json!({
            "name": "orders",
            "database": {
                "engine": "postgres",
                "size": 20,
                "backup": {"enabled": true, "schedule": "0 3 * * *"}
            }
        })
    );
    assert!(
        check_all(&f, &values).is_empty(),
        "{:?}",
        check_all(&f, &values)
    );
    // A required object with no value in any field is still submitted (as `{}`).
    let bare = form(json!({
        "required": ["db"],
        "properties": {"db": {"type": "object", "properties": {"note": {"type": "string"}}}}
    }));
    assert_eq!(
        Value::Object(bare.submission(&Values::new()).0),
        json!({"db": {}})
    );
    assert!(check_all(&bare, &Values::new()).is_empty());
}

#[test]
fn each_nested_field_is_checked_and_its_errors_name_it() {
    let f = database();
    let mut values = f.initial_values();
    values.insert("name".into(), json!("orders"));
    values.insert("database.size".into(), json!(0));
    values.insert("database.engine".into(), json!("oracle"));
    values.insert("database.backup.schedule".into(), json!("at noon"));
    let errors = check_all(&f, &values);
    let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "database.engine",
            "database.size",
            "database.backup.schedule"
        ],
        "{errors:#?}"
    );
    assert_eq!(errors[1].title, "Database › Size (GB)");
    assert_eq!(errors[1].message, "must be at least 1");
    values.remove("database.engine");
    let errors = check_all(&f, &values);
    assert_eq!(errors[0].key, "database.engine");
    assert_eq!(errors[0].message, "is required");
}

#[test]
fn page_conditions_and_given_values_see_the_nested_object() {
    let f = form(json!([
        {"properties": {"db": {"type": "object", "properties": {"engine": {"type": "string"}}}}},
        {"title": "Postgres", "when": "${{ parameters.db.engine == 'postgres' }}", "properties": {"ext": {"type": "string"}}}
    ]));
    let mut values = Values::new();
    values.insert("db.engine".into(), json!("mysql"));
    assert_eq!(f.shown_pages(&values), [0]);
    values.insert("db.engine".into(), json!("postgres"));
    assert_eq!(f.shown_pages(&values), [0, 1]);
    // Values given as Backstage takes them (a mapping) become the form's fields.
    let given: Values =
        serde_json::from_value(json!({"db": {"engine": "mysql"}, "ext": "x"})).unwrap();
    let flat = f.flatten(given);
    assert_eq!(flat.get("db.engine"), Some(&json!("mysql")));
    assert_eq!(flat.get("ext"), Some(&json!("x")));
    assert_eq!(
        Value::Object(f.nested(&flat)),
        json!({"db": {"engine": "mysql"}, "ext": "x"})
    );
}

#[test]
fn a_draft_keeps_nested_fields_and_an_older_draft_of_the_whole_object_is_spread() {
    let dir = tempfile::tempdir().unwrap();
    let drafts = Drafts::in_dir(dir.path());
    let template = EntityRef::new("template", "default", "t");
    std::fs::create_dir_all(dir.path()).unwrap();
    let f = database();
    let mut values = f.initial_values();
    values.insert("database.size".into(), json!(42));
    drafts.save(&template, &f, &values).unwrap();
    let DraftLoad::Found(loaded, _) = drafts.load(&template, &f) else {
        panic!("no draft");
    };
    assert_eq!(loaded.get("database.size"), Some(&json!(42)));
    // A draft written when the object was one JSON field.
    let mut old = Values::new();
    old.insert("database".into(), json!({"size": 7, "engine": "mysql"}));
    std::fs::write(
        drafts.path_for(&template),
        serde_json::to_vec(&json!({"values": old})).unwrap(),
    )
    .unwrap();
    let DraftLoad::Found(loaded, _) = drafts.load(&template, &f) else {
        panic!("no draft");
    };
    assert_eq!(loaded.get("database.size"), Some(&json!(7)));
    assert_eq!(loaded.get("database.engine"), Some(&json!("mysql")));
}

#[test]
fn a_nested_object_in_two_branches_of_a_dependency_is_asked_once() {
    let f = form(json!({
        "properties": {"kind": {"type": "string", "enum": ["a", "b", "c"]}},
        "dependencies": {"kind": {"oneOf": [
            {"properties": {"kind": {"enum": ["a"]},
                            "db": {"type": "object", "properties": {"x": {"type": "string"}}}}},
            {"properties": {"kind": {"enum": ["b"]},
                            "db": {"type": "object", "properties": {"x": {"type": "string"}}}},
             "required": ["db"]},
        ]}},
    }));
    let keys: Vec<&str> = f.fields().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["kind", "db.x"], "{keys:?}");
    let x = f.fields().find(|f| f.key == "db.x").unwrap();
    // Shown for either branch; the object is required in the second.
    let condition = x.condition.as_ref().unwrap();
    assert_eq!(condition.field, "kind");
    assert_eq!(condition.one_of, Some(vec![json!("a"), json!("b")]));
    assert_eq!(x.required_parents, [true]);
}
