//! Any YAML as a Template's `spec.parameters`: read as a template, turned into a form, its
//! initial values validated and stripped of secrets. Nothing may panic.
#![no_main]

use idp_tui::catalog::{Entity, Origin};
use idp_tui::scaffolder::{validate, Form, Template};
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::Arc;

fuzz_target!(|s: &str| {
    let Ok(parameters) = serde_yaml::from_str::<serde_json::Value>(s) else {
        return;
    };
    let value = json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "fuzz"},
        "spec": {"type": "service", "parameters": parameters, "steps": []},
    });
    let Ok((entity, _)) = Entity::from_value(value, Origin::new(Arc::from("fuzz.yaml"), Some(1)))
    else {
        return;
    };
    let Ok(template) = Template::from_entity(&entity) else {
        return;
    };
    let form = Form::from_template(&template);
    let values = form.initial_values();
    for page in form.shown_pages(&values) {
        for e in validate::check_page(&form, page, &values) {
            let _ = format!("{e:?}");
        }
    }
    let _ = validate::check_all(&form, &values);
    let _ = form.submission(&values);
    let _ = form.without_secrets(&values);
});
