//! A mock of the live providers and of a Backstage backend's plugin routes and proxy paths,
//! answering with bodies shaped like theirs (`tests/data/live/`). Shared by the live tests and
//! the demo server (`cargo run --example live_mock`).
//!
//! One server plays every role: the providers' own APIs under `/pd`, `/og`, `/gh`, `/argo`,
//! `/k8s` and `/sonar` (direct access), and Backstage at the root: the catalog at
//! `/api/catalog/entities/by-query`, plugin routes at `/api/pagerduty`, `/api/kubernetes` and
//! `/api/sonarqube`, proxies at `/api/proxy/opsgenie/api`, `/api/proxy/argocd/api` and
//! `/api/proxy/github-api`. Ids in paths are matched loosely, so any annotated entity gets an
//! answer.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The directory of the response bodies.
pub fn live_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/live")
}

/// A response body from `tests/data/live/`.
pub fn body(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(live_data().join(name)).expect("a live fixture");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn json(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body(name))
}

/// The `by-query` page of a catalog file's entities (one page, no cursor).
pub fn by_query(catalog_yaml: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(catalog_yaml).expect("a catalog file");
    let items: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&text)
        .filter_map(|doc| serde::Deserialize::deserialize(doc).ok())
        .collect();
    serde_json::json!({"items": items, "totalItems": items.len(), "pageInfo": {}})
}

/// Mounts every route on `server`; the catalog served is `catalog_yaml`'s entities.
pub async fn mount(server: &MockServer, catalog_yaml: &Path) {
    let routes: Vec<(&str, &str, &str)> = vec![
        // Backstage catalog.
        ("GET", r"^/api/catalog/entities/by-query$", ""),
        // PagerDuty, direct (REST v2) and through the Backstage proxy.
        (
            "GET",
            r"^(/pd|/api/proxy/pagerduty)/services/[^/]+$",
            "pagerduty-service.json",
        ),
        (
            "GET",
            r"^(/pd|/api/proxy/pagerduty)/oncalls$",
            "pagerduty-oncalls.json",
        ),
        (
            "GET",
            r"^(/pd|/api/proxy/pagerduty)/incidents$",
            "pagerduty-incidents.json",
        ),
        // PagerDuty's Backstage backend plugin.
        (
            "GET",
            r"^(/pd|/api/proxy/pagerduty)/services/[^/]+/change_events$",
            "pagerduty-change-events.json",
        ),
        ("GET", r"^/api/pagerduty/health$", ""),
        (
            "GET",
            r"^/api/pagerduty/services/[^/]+/change-events$",
            "pagerduty-change-events.json",
        ),
        (
            "GET",
            r"^/api/pagerduty/services/[^/]+$",
            "pagerduty-service.json",
        ),
        (
            "GET",
            r"^/api/pagerduty/oncall-users$",
            "backstage-pagerduty-oncall-users.json",
        ),
        (
            "GET",
            r"^/api/pagerduty/services/[^/]+/incidents$",
            "backstage-pagerduty-incidents.json",
        ),
        // Opsgenie, direct and through the proxy.
        (
            "GET",
            r"^(/og|/api/proxy/opsgenie/api)/v2/schedules$",
            "opsgenie-schedules.json",
        ),
        (
            "GET",
            r"^(/og|/api/proxy/opsgenie/api)/v2/schedules/[^/]+/on-calls$",
            "opsgenie-oncalls.json",
        ),
        (
            "GET",
            r"^(/og|/api/proxy/opsgenie/api)/v2/alerts$",
            "opsgenie-alerts.json",
        ),
        // GitHub, direct and through an operator's proxy entry.
        (
            "GET",
            r"^(/gh|/api/proxy/github-api)/repos/[^/]+/[^/]+$",
            "github-repo.json",
        ),
        (
            "GET",
            r"^(/gh|/api/proxy/github-api)/repos/[^/]+/[^/]+/actions/runs$",
            "github-runs.json",
        ),
        // Argo CD: direct under /api/v1, Roadie's proxy maps /argocd/api onto it.
        (
            "GET",
            r"^(/argo/api/v1|/api/proxy/argocd/api)/applications/[^/]+$",
            "argocd-application.json",
        ),
        // Kubernetes: the backend plugin, and an API server.
        ("GET", r"^/api/kubernetes/clusters$", ""),
        (
            "POST",
            r"^/api/kubernetes/resources/workloads/query$",
            "backstage-kubernetes-workloads.json",
        ),
        (
            "GET",
            r"^/k8s/api/v1/(namespaces/[^/]+/)?pods$",
            "kubernetes-pods.json",
        ),
        (
            "GET",
            r"^/k8s/apis/apps/v1/(namespaces/[^/]+/)?deployments$",
            "kubernetes-deployments.json",
        ),
        // SonarQube: the backend plugin, and the server.
        ("GET", r"^/api/sonarqube/instanceUrl$", ""),
        (
            "GET",
            r"^/api/sonarqube/findings$",
            "backstage-sonarqube-findings.json",
        ),
        (
            "GET",
            r"^/sonar/api/measures/component$",
            "sonarqube-measures.json",
        ),
    ];
    for (verb, pattern, file) in routes {
        let response = match (pattern, file) {
            (p, _) if p.contains("by-query") => {
                ResponseTemplate::new(200).set_body_json(by_query(catalog_yaml))
            }
            (p, _) if p.contains("health") => {
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"status": "ok"}))
            }
            (p, _) if p.contains("clusters") => ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"items": [{"name": "prod-eu", "authProvider": "serviceAccount"}]}),
            ),
            (p, _) if p.contains("instanceUrl") => ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"instanceUrl": "https://sonar.acme.example"})),
            (_, f) => json(f),
        };
        Mock::given(method(verb))
            .and(path_regex(pattern))
            .respond_with(response)
            .mount(server)
            .await;
    }
}

/// A config file for the mock at `uri`: `backstage` mode reaches every provider through the
/// Backstage at `uri`; `direct` mode reaches each at its own base URL with its own token
/// variable, and reads the catalog from `catalog`.
pub fn config(uri: &str, backstage: bool, catalog: &Path) -> String {
    if backstage {
        format!(
            "sources:\n  - type: backstage\n    name: mock\n    url: {uri}\n    token_env: MOCK_BACKSTAGE_TOKEN\nintegrations:\n  pagerduty: {{via: backstage, source: mock}}\n  opsgenie: {{via: backstage, source: mock}}\n  github: {{via: backstage, source: mock, proxy_prefix: github-api}}\n  argocd: {{via: backstage, source: mock}}\n  kubernetes: {{via: backstage, source: mock}}\n  sonarqube: {{via: backstage, source: mock}}\n"
        )
    } else {
        format!(
            "sources:\n  - type: file\n    path: {}\nintegrations:\n  pagerduty: {{base_url: {uri}/pd, token_env: MOCK_PD_TOKEN}}\n  opsgenie: {{base_url: {uri}/og, token_env: MOCK_OG_TOKEN}}\n  github: {{base_url: {uri}/gh, token_env: MOCK_GH_TOKEN}}\n  argocd: {{base_url: {uri}/argo, token_env: MOCK_ARGO_TOKEN}}\n  kubernetes: {{base_url: {uri}/k8s, token_env: MOCK_K8S_TOKEN}}\n  sonarqube: {{base_url: {uri}/sonar, token_env: MOCK_SONAR_TOKEN}}\n",
            catalog.display()
        )
    }
}

/// Starts the mock on a free port (its own server, not a pooled one: dropping it closes the
/// port, which is how tests cut the network).
pub async fn start(catalog_yaml: &Path) -> MockServer {
    let server = MockServer::builder().start().await;
    mount(&server, catalog_yaml).await;
    server
}
