//! API definitions for the API tab and `idp-tui api`: an OpenAPI document (3.0, 3.1, and
//! Swagger 2.0 as far as it goes) becomes its operations with parameters, request bodies and
//! responses; AsyncAPI, GraphQL and gRPC definitions get a table of contents beside the raw text.
//!
//! Nothing here fails: a definition that does not parse is shown raw with the parse error, and a
//! `$text` URL that the file source could not read is shown as "definition at <url>".

mod schema;
mod toc;

pub use schema::SchemaLine;
pub use toc::TocEntry;

use crate::catalog::{Entity, SpecValue};
use serde::Serialize;
use serde_json::Value;

/// HTTP methods in the order Swagger UI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What the API tab shows for an API entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "view", rename_all = "camelCase")]
pub enum ApiView {
    /// An OpenAPI document, understood.
    OpenApi(OpenApi),
    /// A definition in another format, with a table of contents.
    Outline {
        /// `asyncapi`, `graphql` or `grpc`.
        format: String,
        /// `info.title`, when the format has one.
        title: Option<String>,
        /// `info.version`, when the format has one.
        version: Option<String>,
        /// Channels, types or services and their rpcs.
        toc: Vec<TocEntry>,
        /// The definition as written.
        raw: String,
    },
    /// A definition shown as written: an unknown format, or one that did not parse.
    Raw {
        /// `spec.type`.
        format: String,
        /// The definition as written.
        raw: String,
        /// Why it could not be understood, when it should have been.
        error: Option<String>,
    },
    /// The definition lives at a URL the catalog did not read.
    Remote {
        /// Where.
        url: String,
    },
    /// The entity has no `spec.definition`.
    Missing,
}

/// An OpenAPI document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OpenApi {
    /// `openapi` (or `swagger`) version, e.g. `3.1.0`.
    pub spec_version: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Server URLs.
    pub servers: Vec<String>,
    /// Operations in path order, methods in the usual order within a path.
    pub operations: Vec<Operation>,
    /// OpenAPI 3.1 webhooks (the path is the webhook's name).
    pub webhooks: Vec<Operation>,
}

/// One operation: a method on a path.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Operation {
    /// Upper case: `GET`, `POST`, ….
    pub method: String,
    /// The path template, e.g. `/pets/{petId}`.
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Path-level and operation-level parameters.
    pub parameters: Vec<Parameter>,
    /// The request body.
    pub request_body: Option<Body>,
    /// Responses by status, in document order.
    pub responses: Vec<Response>,
}

/// A parameter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// Whether it must be given.
    pub required: bool,
    /// Its description.
    pub description: Option<String>,
    /// Its schema, as indented lines.
    pub schema: Vec<SchemaLine>,
}

/// A request body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Body {
    /// Its description.
    pub description: Option<String>,
    /// Whether it must be sent.
    pub required: bool,
    /// One schema per media type.
    pub content: Vec<MediaType>,
}

/// A schema for one media type.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaType {
    /// E.g. `application/json`.
    pub media_type: String,
    /// The schema, as indented lines.
    pub schema: Vec<SchemaLine>,
}

/// A response.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Response {
    /// `200`, `4XX`, `default`.
    pub status: String,
    /// Its description.
    pub description: Option<String>,
    /// One schema per media type.
    pub content: Vec<MediaType>,
}

/// Reads the API view of an entity's `spec.definition`, by `spec.type`.
pub fn view(entity: &Entity) -> ApiView {
    let format = entity.spec_str("type").unwrap_or("").trim().to_lowercase();
    let Some(definition) = entity.spec.get("definition").map(SpecValue::to_value) else {
        return ApiView::Missing;
    };
    if let Some(url) = placeholder_url(&definition) {
        return ApiView::Remote { url };
    }
    let (raw, parsed) = match definition {
        Value::String(s) => (crate::text::clean_lines(&s), None),
        Value::Null => return ApiView::Missing,
        other => (
            serde_yaml::to_string(&other).unwrap_or_default(),
            Some(other),
        ),
    };
    match format.as_str() {
        "openapi" => {
            let value = match parsed.map_or_else(|| parse(&raw), Ok) {
                Ok(v) => v,
                Err(error) => return raw_view(format, raw, Some(error)),
            };
            match openapi(&value) {
                Ok(api) => ApiView::OpenApi(api),
                Err(error) => raw_view(format, raw, Some(error)),
            }
        }
        "asyncapi" => {
            let value = match parsed.map_or_else(|| parse(&raw), Ok) {
                Ok(v) => v,
                Err(error) => return raw_view(format, raw, Some(error)),
            };
            if value.get("asyncapi").is_none() {
                let error = "not an AsyncAPI document: no `asyncapi` version field".into();
                return raw_view(format, raw, Some(error));
            }
            ApiView::Outline {
                title: info(&value, "title"),
                version: info(&value, "version"),
                toc: toc::asyncapi(&value, &raw),
                format,
                raw,
            }
        }
        "graphql" => ApiView::Outline {
            toc: toc::graphql(&raw),
            format,
            title: None,
            version: None,
            raw,
        },
        "grpc" => ApiView::Outline {
            toc: toc::grpc(&raw),
            format,
            title: None,
            version: None,
            raw,
        },
        _ => raw_view(format, raw, None),
    }
}

fn raw_view(format: String, raw: String, error: Option<String>) -> ApiView {
    ApiView::Raw { format, raw, error }
}

/// A `{$text|$json|$yaml: <url>}` left in place by the file source.
fn placeholder_url(definition: &Value) -> Option<String> {
    let map = definition.as_object().filter(|m| m.len() == 1)?;
    let (key, value) = map.iter().next()?;
    matches!(key.as_str(), "$text" | "$json" | "$yaml")
        .then(|| value.as_str())
        .flatten()
        .map(|s| crate::text::one_line(&crate::text::clean(s)))
}

/// Parses a YAML or JSON definition, with the line of a syntax error.
fn parse(raw: &str) -> Result<Value, String> {
    if raw.trim_start().starts_with('{') {
        if let Ok(v) = serde_json::from_str(raw) {
            return Ok(v);
        }
    }
    crate::yaml::from_str::<Value>(raw).map_err(|e| e.to_string())
}

fn info(doc: &Value, field: &str) -> Option<String> {
    doc.get("info")?.get(field).and_then(scalar)
}

/// A scalar as text (versions are often written as numbers: `version: 1.0`).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(crate::text::clean(s).into_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field)
        .and_then(scalar)
        .filter(|s| !s.trim().is_empty())
}

/// Understands an OpenAPI (or Swagger 2.0) document.
pub fn openapi(doc: &Value) -> Result<OpenApi, String> {
    let spec_version = text(doc, "openapi")
        .or_else(|| text(doc, "swagger"))
        .ok_or("not an OpenAPI document: no `openapi` version field")?;
    let mut api = OpenApi {
        title: info(doc, "title").unwrap_or_default(),
        version: info(doc, "version").unwrap_or_default(),
        description: info(doc, "description"),
        spec_version,
        ..OpenApi::default()
    };
    if let Some(servers) = doc.get("servers").and_then(Value::as_array) {
        api.servers = servers.iter().filter_map(|s| text(s, "url")).collect();
    } else if let Some(host) = text(doc, "host") {
        let scheme = doc
            .get("schemes")
            .and_then(|s| s.get(0))
            .and_then(scalar)
            .unwrap_or_else(|| "https".into());
        let base = text(doc, "basePath").unwrap_or_default();
        api.servers.push(format!("{scheme}://{host}{base}"));
    }
    match doc.get("paths") {
        Some(Value::Object(paths)) => {
            for (path, item) in paths {
                api.operations.extend(operations(doc, path, item));
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => return Err("`paths` must be a mapping of paths to operations".into()),
    }
    if let Some(Value::Object(hooks)) = doc.get("webhooks") {
        for (name, item) in hooks {
            api.webhooks.extend(operations(doc, name, item));
        }
    }
    Ok(api)
}

fn operations(doc: &Value, path: &str, item: &Value) -> Vec<Operation> {
    let item = schema::resolve(doc, item);
    let shared = item.get("parameters").and_then(Value::as_array);
    let path = crate::text::one_line(&crate::text::clean(path));
    let mut out = Vec::new();
    for method in METHODS {
        let Some(op) = item.get(method).filter(|o| o.is_object()) else {
            continue;
        };
        let mut operation = Operation {
            method: method.to_uppercase(),
            path: path.clone(),
            summary: text(op, "summary"),
            description: text(op, "description"),
            operation_id: text(op, "operationId"),
            tags: op
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(scalar).collect())
                .unwrap_or_default(),
            deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
            ..Operation::default()
        };
        let own = op.get("parameters").and_then(Value::as_array);
        for p in shared.into_iter().chain(own).flatten() {
            let p = schema::resolve(doc, p);
            let location = text(p, "in").unwrap_or_default();
            if location == "body" {
                // Swagger 2.0: the body is a parameter.
                operation.request_body = Some(Body {
                    description: text(p, "description"),
                    required: p.get("required").and_then(Value::as_bool) == Some(true),
                    content: vec![MediaType {
                        media_type: "body".into(),
                        schema: p
                            .get("schema")
                            .map_or_else(Vec::new, |s| schema::lines(doc, s)),
                    }],
                });
                continue;
            }
            let param = Parameter {
                name: text(p, "name").unwrap_or_default(),
                required: p.get("required").and_then(Value::as_bool) == Some(true),
                description: text(p, "description"),
                schema: schema::lines(doc, p.get("schema").unwrap_or(p)),
                location,
            };
            // An operation's parameter overrides the path's one of the same name and place.
            operation
                .parameters
                .retain(|q| !(q.name == param.name && q.location == param.location));
            operation.parameters.push(param);
        }
        if let Some(body) = op.get("requestBody") {
            let body = schema::resolve(doc, body);
            operation.request_body = Some(Body {
                description: text(body, "description"),
                required: body.get("required").and_then(Value::as_bool) == Some(true),
                content: content(doc, body),
            });
        }
        if let Some(Value::Object(responses)) = op.get("responses") {
            for (status, r) in responses {
                let r = schema::resolve(doc, r);
                let mut content = content(doc, r);
                if let Some(s) = r.get("schema") {
                    content.push(MediaType {
                        media_type: "body".into(),
                        schema: schema::lines(doc, s),
                    });
                }
                operation.responses.push(Response {
                    status: crate::text::clean(status).into_owned(),
                    description: text(r, "description"),
                    content,
                });
            }
        }
        out.push(operation);
    }
    out
}

fn content(doc: &Value, holder: &Value) -> Vec<MediaType> {
    let Some(Value::Object(map)) = holder.get("content") else {
        return Vec::new();
    };
    map.iter()
        .map(|(media, m)| MediaType {
            media_type: crate::text::clean(media).into_owned(),
            schema: m
                .get("schema")
                .map_or_else(Vec::new, |s| schema::lines(doc, s)),
        })
        .collect()
}

#[cfg(test)]
mod tests;
