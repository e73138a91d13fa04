use super::*;
use crate::catalog::{Catalog, Lookup};
use crate::source::file::load_all;

const APIS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/apis");

fn api(name: &str) -> ApiView {
    let (entities, _) = load_all(&[APIS.to_string()]);
    let catalog = Catalog::from_entities(entities, vec![]);
    let Lookup::Found(id) = catalog.lookup(name) else {
        panic!("no {name} in tests/data/apis");
    };
    view(catalog.get(id))
}

fn openapi_of(name: &str) -> OpenApi {
    match api(name) {
        ApiView::OpenApi(api) => api,
        other => panic!("{name}: expected OpenAPI, got {other:#?}"),
    }
}

fn schema_text(lines: &[SchemaLine]) -> Vec<String> {
    lines
        .iter()
        .map(|l| format!("{}{}", "  ".repeat(l.depth), l.text))
        .collect()
}

#[test]
fn openapi_30_petstore_lists_operations_with_details() {
    let api = openapi_of("petstore");
    assert_eq!(api.spec_version, "3.0.0");
    assert_eq!(api.title, "Swagger Petstore");
    assert_eq!(api.version, "1.0.0");
    assert_eq!(api.servers, ["http://petstore.swagger.io/v1"]);
    let ops: Vec<(&str, &str, Option<&str>)> = api
        .operations
        .iter()
        .map(|o| (o.method.as_str(), o.path.as_str(), o.summary.as_deref()))
        .collect();
    assert_eq!(
        ops,
        [
            ("GET", "/pets", Some("List all pets")),
            ("POST", "/pets", Some("Create a pet")),
            ("GET", "/pets/{petId}", Some("Info for a specific pet")),
        ]
    );
    let list = &api.operations[0];
    assert_eq!(list.parameters[0].name, "limit");
    assert_eq!(list.parameters[0].location, "query");
    assert!(!list.parameters[0].required);
    assert_eq!(list.parameters[0].schema[0].text, "integer (int32)");
    assert_eq!(list.responses[0].status, "200");
    assert_eq!(
        schema_text(&list.responses[0].content[0].schema),
        [
            "array of Pet (Pets)",
            "  []: object (Pet)",
            "    id*: integer (int64)",
            "    name*: string",
            "    tag: string"
        ]
    );
    assert_eq!(api.operations[2].parameters[0].name, "petId");
    assert!(api.operations[2].parameters[0].required);
}

#[test]
fn openapi_31_petstore_with_webhooks_and_type_arrays() {
    let api = openapi_of("petstore31");
    assert_eq!(api.spec_version, "3.1.0");
    assert_eq!(api.webhooks.len(), 1);
    assert_eq!(api.webhooks[0].path, "newPet");
    assert_eq!(api.webhooks[0].method, "POST");
    let body = api.webhooks[0].request_body.as_ref().unwrap();
    assert_eq!(body.content[0].media_type, "application/json");
    assert!(body.content[0].schema[0].text.contains("(Pet)"));
    assert!(!api.operations.is_empty());
}

#[test]
fn real_world_sized_definition_through_text_placeholder() {
    let api = openapi_of("petstore-full");
    assert_eq!(api.title, "Swagger Petstore - OpenAPI 3.1");
    assert!(api.operations.len() >= 19, "{}", api.operations.len());
    let update = api
        .operations
        .iter()
        .find(|o| o.operation_id.as_deref() == Some("updatePet"))
        .unwrap();
    assert_eq!(update.method, "PUT");
    assert!(update.request_body.as_ref().unwrap().required);
    assert!(update.responses.iter().any(|r| r.status == "400"));
}

#[test]
fn recursive_schemas_stop_at_the_cycle() {
    let api = openapi_of("recursive-schemas");
    assert_eq!(api.version, "2", "numeric versions are shown");
    let get = &api.operations[0];
    assert_eq!(get.parameters[0].name, "id", "path-level parameters apply");
    let lines = schema_text(&get.responses[0].content[0].schema);
    assert_eq!(lines[0], "object (Node)");
    assert!(
        lines.contains(&"  id*: string | null".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"  parent: Node (recursive, see above)".to_string()),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("loop: A (recursive")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("gone: #/components/schemas/Missing (unresolved)")),
        "{lines:#?}"
    );
    assert!(lines.len() < 20, "{lines:#?}");
    assert!(api.operations[1].deprecated);
}

#[test]
fn a_definition_that_does_not_parse_is_shown_raw_with_the_error() {
    match api("broken-openapi") {
        ApiView::Raw { raw, error, format } => {
            assert_eq!(format, "openapi");
            assert!(raw.contains("[unclosed"));
            let error = error.unwrap();
            assert!(error.contains("line"), "{error}");
        }
        other => panic!("{other:#?}"),
    }
    match api("not-openapi") {
        ApiView::Raw { error, .. } => assert!(error.unwrap().contains("no `openapi` version")),
        other => panic!("{other:#?}"),
    }
}

#[test]
fn a_url_placeholder_shows_where_the_definition_is() {
    assert_eq!(
        api("remote-openapi"),
        ApiView::Remote {
            url: "https://example.com/openapi.yaml".into()
        }
    );
}

#[test]
fn asyncapi_lists_channels_and_operations() {
    match api("streetlights") {
        ApiView::Outline {
            format,
            toc,
            title,
            raw,
            ..
        } => {
            assert_eq!(format, "asyncapi");
            assert!(title.is_some());
            let channel = toc.iter().find(|e| e.kind == "channel").unwrap();
            assert!(channel.line > 0);
            assert!(raw
                .lines()
                .nth(channel.line - 1)
                .unwrap()
                .contains(&channel.name));
            assert!(toc
                .iter()
                .any(|e| e.depth == 1 && (e.kind == "publish" || e.kind == "subscribe")));
        }
        other => panic!("{other:#?}"),
    }
}

#[test]
fn graphql_lists_types_and_root_fields() {
    match api("starwars-graphql") {
        ApiView::Outline { toc, raw, .. } => {
            assert!(
                toc.iter().any(|e| e.kind == "type" && e.name == "Film"),
                "{toc:#?}"
            );
            let query = toc
                .iter()
                .find(|e| e.kind == "query" && e.name == "allFilms")
                .unwrap();
            assert_eq!(query.depth, 1);
            assert!(raw
                .lines()
                .nth(query.line - 1)
                .unwrap()
                .contains("allFilms"));
        }
        other => panic!("{other:#?}"),
    }
}

#[test]
fn grpc_lists_services_and_rpcs_of_the_demo() {
    let (entities, _) = load_all(&[crate::vfs::DEMO_ROOT.into()]);
    let catalog = Catalog::from_entities(entities, vec![]);
    let Lookup::Found(id) = catalog.lookup("fraud-scoring-grpc") else {
        panic!("demo API missing");
    };
    match view(catalog.get(id)) {
        ApiView::Outline { toc, .. } => {
            assert!(toc
                .iter()
                .any(|e| e.kind == "service" && e.name == "FraudScoring"));
            let rpc = toc.iter().find(|e| e.name == "ScorePayment").unwrap();
            assert_eq!(
                rpc.detail.as_deref(),
                Some("(ScorePaymentRequest) returns (ScorePaymentResponse)")
            );
            assert_eq!(rpc.depth, 1);
        }
        other => panic!("{other:#?}"),
    }
}

#[test]
fn every_demo_api_has_a_useful_view() {
    let (entities, _) = load_all(&[crate::vfs::DEMO_ROOT.into()]);
    for e in entities.iter().filter(|e| e.kind_lower() == "api") {
        match view(e) {
            ApiView::OpenApi(api) => assert!(!api.operations.is_empty(), "{}", e.metadata.name),
            ApiView::Outline { toc, .. } => assert!(!toc.is_empty(), "{}", e.metadata.name),
            // A Kratix Promise's definition is its CRD, shown as written.
            ApiView::Raw {
                format,
                error: None,
                ..
            } if format == "kratix-promise" => {}
            other => panic!("{}: {other:#?}", e.metadata.name),
        }
    }
}

#[test]
fn swagger_20_bodies_and_hosts_are_understood() {
    let doc: Value = serde_yaml::from_str(
        "swagger: '2.0'\ninfo: {title: Old, version: '1'}\nhost: api.example\nbasePath: /v1\nschemes: [https]\npaths:\n  /things:\n    post:\n      parameters:\n        - {name: body, in: body, required: true, schema: {type: object, properties: {a: {type: string}}}}\n      responses:\n        '200': {description: ok, schema: {type: string}}\n",
    )
    .unwrap();
    let api = openapi(&doc).unwrap();
    assert_eq!(api.servers, ["https://api.example/v1"]);
    let op = &api.operations[0];
    assert!(op.parameters.is_empty());
    assert!(op.request_body.as_ref().unwrap().required);
    assert_eq!(op.responses[0].content[0].schema[0].text, "string");
}

#[test]
fn hostile_strings_in_definitions_are_cleaned() {
    let doc = serde_json::json!({"openapi": "3.0.0", "info": {"title": "T\u{1b}]0;x\u{7}", "version": "1"},
        "paths": {"/a\u{1b}[2J": {"get": {"summary": "s\u{9b}1m", "responses": {}}}}});
    let api = openapi(&doc).unwrap();
    assert_eq!(api.title, "T");
    assert_eq!(api.operations[0].path, "/a");
    assert_eq!(api.operations[0].summary.as_deref(), Some("s"));
}

#[test]
fn paths_of_the_wrong_type_are_an_error_not_a_panic() {
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": ["x"]});
    assert!(openapi(&doc).unwrap_err().contains("paths"));
    let doc = serde_json::json!({"openapi": "3.0.0", "paths": {"/x": "nope", "/y": {"get": 5}}});
    assert!(openapi(&doc).unwrap().operations.is_empty());
}

#[test]
fn a_definition_larger_than_the_string_limit_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut oas = String::from("openapi: 3.0.0\ninfo: {title: Big, version: '1'}\npaths:\n");
    for i in 0..3_000 {
        oas.push_str(&format!(
            "  /things/{i}:\n    get:\n      summary: Get thing number {i} with a fairly long summary line\n      responses:\n        '200': {{description: ok}}\n"
        ));
    }
    assert!(oas.len() > crate::text::MAX_TEXT_LEN * 4);
    std::fs::write(dir.path().join("big.oas.yaml"), &oas).unwrap();
    std::fs::write(
        dir.path().join("api.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: big}\nspec: {type: openapi, lifecycle: production, owner: a, definition: {$text: ./big.oas.yaml}}\n",
    )
    .unwrap();
    let (entities, problems) = load_all(&[dir.path().join("api.yaml").to_string_lossy().into()]);
    assert!(problems.is_empty(), "{problems:?}");
    let ApiView::OpenApi(api) = view(&entities[0]) else {
        panic!("expected the big definition to parse");
    };
    assert_eq!(api.operations.len(), 3_000);
    assert_eq!(api.operations[2_999].path, "/things/2999");
}
