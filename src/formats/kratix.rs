//! Kratix Promises (`kind: Promise`, `platform.kratix.io/v1alpha1`): a platform capability
//! offered as a Kubernetes API. A Promise document in a catalog file becomes two Backstage
//! entities: an `API` (`type: kratix-promise`) whose definition is the Promise's CRD, and a
//! Software Template `request-<promise>` whose form is generated from the CRD's
//! `openAPIV3Schema` and whose one step writes the resource request
//! (`apiVersion: <group>/<version>`, `kind`, `metadata.name/namespace`, `spec`). So a Promise
//! appears in the Templates pane as "request <kind>", with the scaffolder's form, validation
//! and drafts.

use serde_json::{json, Map, Value};

/// The annotation naming the Promise's owner (Promises have no owner field).
pub const OWNER_ANNOTATION: &str = "idp-tui/owner";

/// The Backstage namespace of everything made from a Promise.
pub const NAMESPACE: &str = "kratix";

/// What a Promise offers: its CRD's group, version and kind, and the schema of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Crd {
    /// The API group (`marketplace.kratix.io`).
    pub group: String,
    /// The served version (the storage version, else the first served one).
    pub version: String,
    /// The kind a request has.
    pub kind: String,
    /// The `openAPIV3Schema` of that version (`{}` when none).
    pub schema: Value,
}

impl Crd {
    /// The schema of a request's `spec` (`{}` when the CRD does not describe it).
    pub fn spec_schema(&self) -> Value {
        self.schema
            .get("properties")
            .and_then(|p| p.get("spec"))
            .cloned()
            .unwrap_or_else(|| json!({"type": "object"}))
    }
}

/// True for a Kratix Promise document.
pub fn is_promise(doc: &Value) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some("Promise")
        && doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("platform.kratix.io/"))
}

/// The CRD a Promise offers, from `spec.api`.
pub fn crd_of(promise: &Value) -> Result<Crd, String> {
    let api = promise
        .get("spec")
        .and_then(|s| s.get("api"))
        .ok_or("the Promise has no spec.api (the CRD it offers)")?;
    crd_from(api)
}

/// A CRD's group, version, kind and schema (what a Promise's API entity holds as its
/// definition).
pub fn crd_from(api: &Value) -> Result<Crd, String> {
    let spec = api.get("spec").ok_or("spec.api has no spec")?;
    let group = spec
        .get("group")
        .and_then(Value::as_str)
        .ok_or("spec.api.spec.group is missing")?;
    let kind = spec
        .get("names")
        .and_then(|n| n.get("kind"))
        .and_then(Value::as_str)
        .ok_or("spec.api.spec.names.kind is missing")?;
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .ok_or("spec.api.spec.versions is missing")?;
    let version = versions
        .iter()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .or_else(|| {
            versions
                .iter()
                .find(|v| v.get("served").and_then(Value::as_bool) != Some(false))
        })
        .ok_or("spec.api.spec.versions has no served version")?;
    let name = version
        .get("name")
        .and_then(Value::as_str)
        .ok_or("a version of spec.api has no name")?;
    let schema = version
        .get("schema")
        .and_then(|s| s.get("openAPIV3Schema"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    Ok(Crd {
        group: group.to_string(),
        version: name.to_string(),
        kind: kind.to_string(),
        schema,
    })
}

/// The Backstage documents a Promise becomes: the API it offers and the Template that
/// requests it.
pub fn to_entities(promise: &Value) -> Result<Vec<Value>, String> {
    let crd = crd_of(promise)?;
    let meta = promise.get("metadata").cloned().unwrap_or(json!({}));
    let name = meta
        .get("name")
        .and_then(Value::as_str)
        .ok_or("the Promise has no metadata.name")?;
    let owner = meta
        .get("annotations")
        .and_then(|a| a.get(OWNER_ANNOTATION))
        .and_then(Value::as_str)
        .unwrap_or("group:kratix/unowned")
        .to_string();
    let description = meta
        .get("annotations")
        .and_then(|a| a.get("idp-tui/description"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "Kratix Promise {name}: request a {} from the platform.",
                crd.kind
            )
        });
    let definition = serde_yaml::to_string(
        promise
            .get("spec")
            .and_then(|s| s.get("api"))
            .unwrap_or(&Value::Null),
    )
    .unwrap_or_default();
    let annotations = json!({
        super::FORMAT_ANNOTATION: "kratix",
        super::SOURCE_ID_ANNOTATION: format!("promise/{name}"),
        "kratix.io/crd-group": crd.group,
        "kratix.io/crd-version": crd.version,
        "kratix.io/crd-kind": crd.kind,
    });
    let api = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {
            "name": name,
            "namespace": NAMESPACE,
            "title": format!("{} (Kratix Promise)", crd.kind),
            "description": description,
            "tags": ["kratix", "promise"],
            "annotations": annotations,
        },
        "spec": {
            "type": "kratix-promise",
            "lifecycle": "production",
            "owner": owner,
            "definition": definition,
        },
    });
    let keys = metadata_keys(&crd);
    let spec_values: Map<String, Value> = crd
        .spec_schema()
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .keys()
                .map(|k| {
                    (
                        k.clone(),
                        Value::String(format!("${{{{ parameters.{k} }}}}")),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let template = json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {
            "name": format!("request-{name}"),
            "namespace": NAMESPACE,
            "title": format!("request {}", crd.kind),
            "description": description,
            "tags": ["kratix", "promise"],
            "annotations": annotations,
        },
        "spec": {
            "owner": owner,
            "type": "resource-request",
            "parameters": form_of(&crd, &keys),
            "steps": [{
                "id": "request",
                "name": format!("Write the {} request", crd.kind),
                "action": "catalog:write",
                "input": {
                    "filePath": format!("${{{{ parameters.{} }}}}-{}.yaml", keys.0, crd.kind.to_lowercase()),
                    "entity": {
                        "apiVersion": format!("{}/{}", crd.group, crd.version),
                        "kind": crd.kind,
                        "metadata": {
                            "name": format!("${{{{ parameters.{} }}}}", keys.0),
                            "namespace": format!("${{{{ parameters.{} }}}}", keys.1),
                        },
                        // A property left empty is undefined, and so left out, as in Backstage.
                        "spec": spec_values,
                    },
                },
            }],
        },
    });
    Ok(vec![api, template])
}

/// The parameters holding a request's name and namespace: `name` and `namespace`, unless the
/// spec has properties of those names.
fn metadata_keys(crd: &Crd) -> (String, String) {
    let spec = crd.spec_schema();
    let taken = |k: &str| spec.get("properties").and_then(|p| p.get(k)).is_some();
    let pick = |k: &str| {
        if taken(k) {
            format!("metadata_{k}")
        } else {
            k.to_string()
        }
    };
    (pick("name"), pick("namespace"))
}

/// The form of a request: a page for its name and namespace, and a page with the spec's
/// properties as the CRD describes them (types, enums, defaults, required, bounds, patterns;
/// the form engine makes a nested object's properties fields of their own).
fn form_of(crd: &Crd, keys: &(String, String)) -> Value {
    let spec = crd.spec_schema();
    let mut page = json!({
        "title": "Spec",
        "properties": spec.get("properties").cloned().unwrap_or(json!({})),
    });
    if let Some(required) = spec.get("required") {
        page["required"] = required.clone();
    }
    let mut first = Map::new();
    first.insert(
        keys.0.clone(),
        json!({
            "type": "string",
            "title": "Name",
            "description": format!("metadata.name of the {}", crd.kind),
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "maxLength": 63,
        }),
    );
    first.insert(
        keys.1.clone(),
        json!({"type": "string", "title": "Namespace", "default": "default"}),
    );
    json!([
        {
            "title": format!("{} request", crd.kind),
            "required": [keys.0, keys.1],
            "properties": first,
        },
        page,
    ])
}

/// The resource request for `values` (as the form keeps them: `name`, `namespace` and the
/// spec's properties): the spec's defaults
/// filled in and checked against the CRD's schema. Every error, when it does not validate.
pub fn request(crd: &Crd, values: &Map<String, Value>) -> Result<Value, Vec<String>> {
    let mut errors = Vec::new();
    let keys = metadata_keys(crd);
    let name = values
        .get(&keys.0)
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !crate::catalog::validate::is_valid_namespace(name) {
        errors.push(format!("name: {name:?} is not a valid Kubernetes name (lowercase letters, digits and dashes, at most 63)"));
    }
    let namespace = values
        .get(&keys.1)
        .and_then(Value::as_str)
        .unwrap_or("default");
    let schema = crd.spec_schema();
    // The values as the form keeps them: the spec's properties beside the name and namespace.
    let mut spec = Value::Object(
        values
            .iter()
            .filter(|(k, _)| **k != keys.0 && **k != keys.1)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    );
    fill_defaults(&schema, &mut spec, 0);
    match jsonschema::validator_for(&schema) {
        Ok(validator) => {
            for e in validator.iter_errors(&spec) {
                let at = e.instance_path.to_string();
                let at = if at.is_empty() {
                    "spec".to_string()
                } else {
                    format!("spec{}", at.replace('/', "."))
                };
                errors.push(format!("{at}: {e}"));
            }
        }
        Err(e) => errors.push(format!("the CRD's schema cannot be used: {e}")),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(json!({
        "apiVersion": format!("{}/{}", crd.group, crd.version),
        "kind": crd.kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }))
}

/// Fills `default`s of the schema's properties into `value` (nested objects too).
fn fill_defaults(schema: &Value, value: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object_mut(),
    ) else {
        return;
    };
    for (key, prop) in props {
        if !obj.contains_key(key) {
            if let Some(default) = prop.get("default") {
                obj.insert(key.clone(), default.clone());
            } else if prop.get("properties").is_some() {
                // A nested object the values leave out gets its properties' defaults, as the
                // form (and Backstage's) fills them in.
                let mut nested = Value::Object(Map::new());
                fill_defaults(prop, &mut nested, depth + 1);
                if nested.as_object().is_some_and(|o| !o.is_empty()) {
                    obj.insert(key.clone(), nested);
                }
            }
        }
        if let Some(child) = obj.get_mut(key) {
            fill_defaults(prop, child, depth + 1);
        }
    }
}
