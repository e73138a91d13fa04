//! Any text as an API entity's `spec.definition`, with the type chosen by the first byte
//! (OpenAPI, AsyncAPI, GraphQL, gRPC, other). Nothing may panic.
#![no_main]

use idp_tui::catalog::{Entity, Origin};
use idp_tui::openapi::view;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::sync::Arc;

const TYPES: [&str; 5] = ["openapi", "asyncapi", "graphql", "grpc", "trpc"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = TYPES[usize::from(first) % TYPES.len()];
    let value = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "API",
        "metadata": {"name": "fuzz"},
        "spec": {"type": kind, "lifecycle": "production", "owner": "team", "definition": text},
    });
    if let Ok((entity, _)) = Entity::from_value(value, Origin::new(Arc::from("fuzz.yaml"), Some(1)))
    {
        let _ = format!("{:?}", view(&entity));
    }
    // The same text parsed as YAML and handed over as a structured definition.
    if let Ok(doc) = serde_yaml::from_str::<serde_json::Value>(text) {
        let _ = idp_tui::openapi::openapi(&doc);
    }
});
