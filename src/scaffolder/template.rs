//! A Template entity (`scaffolder.backstage.io/v1beta3`) read into its parts: the form pages
//! (`spec.parameters`, one object or an array of pages), the steps and the output.

use crate::catalog::{Entity, EntityRef, Origin, SpecValue};
use serde_json::{Map, Value};

/// The only template apiVersion the scaffolder runs (Backstage retired the older ones).
pub const API_VERSION: &str = "scaffolder.backstage.io/v1beta3";

/// Why an entity cannot be used as a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The entity is not of kind Template.
    #[error("{entity} is a {kind}, not a Template")]
    NotATemplate {
        /// The entity.
        entity: EntityRef,
        /// Its kind.
        kind: String,
    },
    /// A Template of an apiVersion Backstage no longer runs (v1beta2, v1alpha1).
    #[error("{origin}: {entity} uses apiVersion {api_version}, which is unsupported: only {API_VERSION} templates can run (Backstage's migration guide explains the upgrade)")]
    UnsupportedApiVersion {
        /// The entity.
        entity: EntityRef,
        /// Where it was read.
        origin: Origin,
        /// Its apiVersion.
        api_version: String,
    },
    /// A part of the spec has the wrong shape.
    #[error("{origin}: {entity}: {message}")]
    Invalid {
        /// The entity.
        entity: EntityRef,
        /// Where it was read.
        origin: Origin,
        /// What is wrong.
        message: String,
    },
}

/// One page of the form: a JSON Schema object with a title.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page title (`Page N` when the template gives none).
    pub title: String,
    /// The page description, if any.
    pub description: Option<String>,
    /// The page's JSON Schema (`properties`, `required`, `dependencies`, `ui:*`).
    pub schema: Value,
    /// `when:` (or the older `if:`): the page is shown only when this is true.
    pub condition: Option<Value>,
}

/// One step of the template.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step id (`step-N` when the template gives none), used in `steps.ID.output`.
    pub id: String,
    /// The step's display name (the action when none).
    pub name: String,
    /// The action id, such as `fetch:template`.
    pub action: String,
    /// The unrendered input.
    pub input: Value,
    /// The unrendered `if:` condition.
    pub condition: Option<Value>,
    /// `each:` (a loop over a list); not run locally.
    pub each: Option<Value>,
}

/// A template ready to become a form and a plan.
#[derive(Debug, Clone)]
pub struct Template {
    /// The template's entity reference.
    pub entity_ref: EntityRef,
    /// Its title (or name).
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// The file it was read from: skeleton `url`s are relative to it.
    pub origin: Origin,
    /// The form pages.
    pub pages: Vec<Page>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The unrendered `output` (`links`, `text`).
    pub output: Value,
}

impl Template {
    /// Reads a Template entity. Older apiVersions get a clear "unsupported" error.
    pub fn from_entity(entity: &Entity) -> Result<Template, TemplateError> {
        let entity_ref = entity.entity_ref().clone();
        if !entity.kind.eq_ignore_ascii_case("template") {
            return Err(TemplateError::NotATemplate {
                entity: entity_ref,
                kind: entity.kind.clone(),
            });
        }
        let invalid = |message: String| TemplateError::Invalid {
            entity: entity_ref.clone(),
            origin: entity.origin.clone(),
            message,
        };
        if entity.api_version != API_VERSION {
            return Err(TemplateError::UnsupportedApiVersion {
                entity: entity_ref.clone(),
                origin: entity.origin.clone(),
                api_version: entity.api_version.clone(),
            });
        }
        let pages = match entity.spec.get("parameters").map(SpecValue::to_value) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(pages)) => pages
                .iter()
                .enumerate()
                .map(|(i, p)| page(p, i).map_err(&invalid))
                .collect::<Result<_, _>>()?,
            Some(one @ Value::Object(_)) => vec![page(&one, 0).map_err(&invalid)?],
            Some(other) => {
                return Err(invalid(format!(
                    "spec.parameters must be an object or a list of pages, not {}",
                    crate::catalog::entity::type_name(&other)
                )))
            }
        };
        let steps = match entity.spec.get("steps").map(SpecValue::to_value) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(steps)) => steps
                .iter()
                .enumerate()
                .map(|(i, s)| step(s, i).map_err(&invalid))
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(invalid(format!(
                    "spec.steps must be a list, not {}",
                    crate::catalog::entity::type_name(&other)
                )))
            }
        };
        Ok(Template {
            title: entity.display_name().to_string(),
            description: entity.metadata.description.clone(),
            origin: entity.origin.clone(),
            output: entity
                .spec
                .get("output")
                .map_or(Value::Null, SpecValue::to_value),
            entity_ref,
            pages,
            steps,
        })
    }
}

fn page(value: &Value, index: usize) -> Result<Page, String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "spec.parameters[{index}] must be an object, not {}",
            crate::catalog::entity::type_name(value)
        ));
    };
    if let Some(props) = map.get("properties") {
        if !props.is_object() {
            return Err(format!(
                "spec.parameters[{index}].properties must be an object"
            ));
        }
    }
    let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Page {
        title: text("title").unwrap_or_else(|| format!("Page {}", index + 1)),
        description: text("description"),
        condition: map.get("when").or_else(|| map.get("if")).cloned(),
        schema: Value::Object(map.clone()),
    })
}

fn step(value: &Value, index: usize) -> Result<Step, String> {
    let Value::Object(map) = value else {
        return Err(format!("spec.steps[{index}] must be an object"));
    };
    let action = map
        .get("action")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("spec.steps[{index}] has no action"))?
        .to_string();
    let id = map
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("step-{}", index + 1));
    Ok(Step {
        name: map
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| action.clone()),
        input: map
            .get("input")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new())),
        condition: map.get("if").cloned(),
        each: map.get("each").cloned(),
        action,
        id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entity(doc: Value) -> Entity {
        Entity::from_value(doc, Origin::new("t/template.yaml", Some(1)))
            .unwrap()
            .0
    }

    fn template(spec: Value) -> Value {
        json!({"apiVersion": API_VERSION, "kind": "Template",
               "metadata": {"name": "t"}, "spec": spec})
    }

    #[test]
    fn one_object_parameters_is_one_page() {
        let t = Template::from_entity(&entity(template(json!({
            "parameters": {"title": "Only", "properties": {"a": {"type": "string"}}},
            "steps": [{"action": "debug:log"}]
        }))))
        .unwrap();
        assert_eq!(t.pages.len(), 1);
        assert_eq!(t.pages[0].title, "Only");
        assert_eq!(t.steps[0].id, "step-1");
        assert_eq!(t.steps[0].name, "debug:log");
    }

    #[test]
    fn page_when_and_if_are_conditions() {
        let t = Template::from_entity(&entity(template(json!({
            "parameters": [{"properties": {}}, {"when": "${{ parameters.x }}"}, {"if": true}],
        }))))
        .unwrap();
        assert_eq!(t.pages[0].title, "Page 1");
        assert_eq!(t.pages[1].condition, Some(json!("${{ parameters.x }}")));
        assert_eq!(t.pages[2].condition, Some(json!(true)));
    }

    #[test]
    fn old_api_version_is_unsupported_with_a_clear_message() {
        let mut doc = template(json!({}));
        doc["apiVersion"] = json!("backstage.io/v1beta2");
        let err = Template::from_entity(&entity(doc)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unsupported"), "{msg}");
        assert!(msg.contains("t/template.yaml:1"), "{msg}");
    }

    #[test]
    fn step_without_action_and_wrong_shapes_are_errors() {
        let e = Template::from_entity(&entity(template(json!({"steps": [{"id": "x"}]}))));
        assert!(e.unwrap_err().to_string().contains("has no action"));
        let e = Template::from_entity(&entity(template(json!({"parameters": "nope"}))));
        assert!(e.unwrap_err().to_string().contains("not a string"));
        let e = Template::from_entity(&entity(template(
            json!({"parameters": [{"properties": []}]}),
        )));
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("properties must be an object"));
    }

    #[test]
    fn a_component_is_not_a_template() {
        let doc = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                         "metadata": {"name": "c"}, "spec": {}});
        assert!(matches!(
            Template::from_entity(&entity(doc)),
            Err(TemplateError::NotATemplate { .. })
        ));
    }
}
