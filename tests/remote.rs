//! The Backstage source against a test server serving responses captured from a real Backstage
//! backend (`tests/data/backstage-api/`): paging, auth errors, retries, timeouts, bad
//! bodies, and the offline cache around them.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod support;

use idp_tui::backstage::{self, BackstageError, Page};
use idp_tui::source::{
    cache, load_blocking_with, spawn_with, LoadEvent, LoadMode, LoadOptions, SourceSpec,
    SourceState,
};
use std::time::{Duration, Instant};
use support::*;
use wiremock::matchers::{method, path, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BY_QUERY: &str = "/api/catalog/entities/by-query";

async fn fetch_all(
    source: &idp_tui::source::BackstageSource,
) -> (Result<usize, BackstageError>, Vec<Page>) {
    let mut pages = Vec::new();
    let result = backstage::fetch(source, |p| pages.push(p)).await;
    (result, pages)
}

#[tokio::test]
async fn paging_follows_next_cursor_and_hands_over_each_page() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let source = test_source(&server);
    let (result, pages) = fetch_all(&source).await;
    // 61 entities in pages of 5: the last page (13th) holds one.
    assert_eq!(result.unwrap(), 11);
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages.iter().map(|p| p.loaded).collect::<Vec<_>>(),
        [5, 10, 11]
    );
    assert!(pages.iter().all(|p| p.total == Some(61)));
    let first = &pages[0].entities[0];
    assert_eq!(
        first.entity_ref().as_str(),
        "component:default/payments-service"
    );
    assert_eq!(&*first.origin.path, server.uri());
    // The server's relations are kept, dependencyOf included (not derivable from the spec).
    let relations = first.server_relations.as_ref().unwrap();
    assert!(relations
        .iter()
        .any(|(t, r)| t.as_str() == "dependencyOf"
            && r.as_str() == "component:payments/legacy-checkout"));
    // Every request carried the token and the page size.
    for request in server.received_requests().await.unwrap() {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            "Bearer test-token"
        );
        assert!(request.url.query().unwrap().contains("limit=5"));
    }
}

#[tokio::test]
async fn rejected_token_says_which_server_and_what_to_set() {
    let server = MockServer::start().await;
    serve_fixture(&server, "error-401-bad-token", None).await;
    let mut source = test_source(&server);
    source.token = idp_tui::source::TokenSource::Env("MY_BACKSTAGE_TOKEN".into());
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "token rejected by {} (HTTP 401: Illegal token): set MY_BACKSTAGE_TOKEN",
            server.uri()
        )
    );
    // Not retried: a wrong token does not get better.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn missing_token_is_rejected_with_the_servers_reason() {
    let server = MockServer::start().await;
    serve_fixture(&server, "error-401-no-token", None).await;
    let mut source = test_source(&server);
    source.token = idp_tui::source::TokenSource::None;
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("Missing credentials"), "{msg}");
    assert!(msg.ends_with("set BACKSTAGE_TOKEN"), "{msg}");
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn wrong_base_url_is_a_404_with_a_hint() {
    let server = MockServer::start().await;
    let (status, body) = fixture("error-404-unknown-route");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(status).set_body_bytes(body))
        .mount(&server)
        .await;
    let err = backstage::fetch(&test_source(&server), |_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no catalog API at {}: is this the backend's base URL?",
            server.uri()
        )
    );
}

#[tokio::test]
async fn a_500_is_retried_and_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BY_QUERY))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    let (result, pages) = fetch_all(&test_source(&server)).await;
    assert_eq!(result.unwrap(), 61);
    assert_eq!(pages.len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_429_waits_as_long_as_retry_after_says() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BY_QUERY))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_fixture(&server, "by-query-empty", None).await;
    let started = Instant::now();
    let (result, _) = fetch_all(&test_source(&server)).await;
    assert_eq!(result.unwrap(), 0);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_gives_up_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BY_QUERY))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let started = Instant::now();
    let err = backstage::fetch(&test_source(&server), |_| {})
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(err.to_string(), format!("{}: HTTP 503", server.uri()));
}

#[tokio::test]
async fn persistent_5xx_stops_after_the_configured_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let err = backstage::fetch(&test_source(&server), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, BackstageError::Status { status: 502, .. }));
    // One try and two retries.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_slow_server_times_out_with_the_limit_in_the_message() {
    let server = MockServer::start().await;
    let (status, body) = fixture("by-query-empty");
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_bytes(body)
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let mut source = test_source(&server);
    source.http.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        err.to_string(),
        format!("{}: no complete response within 0.3 s", server.uri())
    );
}

#[tokio::test]
async fn truncated_json_is_reported_as_a_bad_body() {
    let server = MockServer::start().await;
    let (_, body) = fixture("by-query-limit5-page1");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(body[..body.len() / 2].to_vec()))
        .mount(&server)
        .await;
    let err = backstage::fetch(&test_source(&server), |_| {})
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}: the response is not the catalog's JSON",
            server.uri()
        )),
        "{msg}"
    );
    assert!(msg.contains("EOF"), "{msg}");
}

#[tokio::test]
async fn garbage_and_html_bodies_are_reported_not_parsed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[1, 2, 3]"))
        .mount(&server)
        .await;
    let err = backstage::fetch(&test_source(&server), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, BackstageError::BadBody { .. }), "{err}");

    let html = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<!doctype html><title>Backstage</title>", "text/html"),
        )
        .mount(&html)
        .await;
    let err = backstage::fetch(&test_source(&html), |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTML page"), "{err}");
}

#[tokio::test]
async fn items_that_are_not_entities_become_problems_and_the_rest_load() {
    let server = MockServer::start().await;
    let body = serde_json::json!({
        "items": [
            {"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
             "metadata": {"name": "ok\u{1b}[31m"}, "spec": {"type": "service"}},
            {"kind": "Component"},
            "a string",
            null
        ],
        "totalItems": 4,
        "pageInfo": {}
    });
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let (result, pages) = fetch_all(&test_source(&server)).await;
    assert_eq!(result.unwrap(), 1);
    assert_eq!(pages[0].entities[0].metadata.name, "ok");
    let errors = pages[0]
        .problems
        .iter()
        .filter(|p| p.message.contains("not an entity"))
        .count();
    assert_eq!(errors, 2, "{:?}", pages[0].problems);
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_reading_it_all() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-limit5-page1", None).await;
    let mut source = test_source(&server);
    source.http.max_body_bytes = 4096;
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: response larger than 4096 bytes; refusing to read it",
            server.uri()
        )
    );
}

#[tokio::test]
async fn the_token_is_not_sent_to_another_host_on_redirect() {
    let target = MockServer::start().await;
    serve_fixture(&target, "by-query-empty", None).await;
    let other_host = target.uri().replace("127.0.0.1", "localhost");
    let origin = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{other_host}{BY_QUERY}?limit=5")),
        )
        .mount(&origin)
        .await;
    let (result, _) = fetch_all(&test_source(&origin)).await;
    assert_eq!(result.unwrap(), 0);
    let at_origin = origin.received_requests().await.unwrap();
    assert!(at_origin[0].headers.get("authorization").is_some());
    let at_target = target.received_requests().await.unwrap();
    assert_eq!(at_target.len(), 1);
    assert!(at_target[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn nothing_listening_is_a_connection_error_after_retries() {
    let port = free_port();
    let mut source =
        idp_tui::source::BackstageSource::from_url(&format!("http://127.0.0.1:{port}"));
    source.http = fast_http();
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert!(matches!(err, BackstageError::Connect { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot reach http://127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn an_unknown_host_is_a_dns_error() {
    let mut source = idp_tui::source::BackstageSource::from_url("http://no-such-host.invalid:7007");
    source.http = fast_http();
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, BackstageError::Dns { .. }),
        "expected a DNS error, got {err:?}"
    );
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
}

#[tokio::test]
async fn tls_to_a_plain_http_server_is_a_tls_or_connect_error_not_a_panic() {
    let server = MockServer::start().await;
    let url = server.uri().replace("http://", "https://");
    let mut source = idp_tui::source::BackstageSource::from_url(&url);
    source.http = fast_http();
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert!(
        matches!(
            err,
            BackstageError::Tls { .. } | BackstageError::Connect { .. }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_ca_file_that_is_not_pem_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, "not a certificate").unwrap();
    let mut source = idp_tui::source::BackstageSource::from_url("https://x.example");
    source.ca_file = Some(ca.display().to_string());
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert!(matches!(err, BackstageError::CaFile { .. }), "{err:?}");
    assert!(err.to_string().contains("ca.pem"), "{err}");
}

#[tokio::test]
async fn the_server_going_away_mid_paging_fails_the_load_and_keeps_the_pages_read() {
    // A one-shot server: answers the first request with page 1 (which has a next cursor), then
    // stops listening.
    let (_, body) = fixture("by-query-limit5-page1");
    let url = one_shot_server(body);
    let mut source = idp_tui::source::BackstageSource::from_url(&url);
    source.http = fast_http();
    source.http.page_size = 5;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    spawn_with(0, SourceSpec::Backstage(source), tx, LoadOptions::default());
    let mut streamed = 0;
    let mut error = None;
    while let Some(event) = rx.recv().await {
        match event {
            LoadEvent::Batch { entities, .. } => streamed += entities.len(),
            LoadEvent::Done { error: e, .. } => error = e,
            _ => {}
        }
    }
    assert_eq!(streamed, 5, "the first page streamed in before the failure");
    let error = error.expect("the load failed");
    assert!(error.starts_with(&format!("cannot reach {url}")), "{error}");
}

#[tokio::test]
async fn an_empty_catalog_loads_as_empty_and_is_cached() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-empty", None).await;
    let dir = tempfile::tempdir().unwrap();
    let loaded = load_blocking_with(
        &[SourceSpec::Backstage(test_source(&server))],
        &options(dir.path(), LoadMode::NetworkFirst, false),
    );
    assert!(loaded.catalog.is_empty());
    assert_eq!(loaded.sources[0].state, SourceState::Ready);
    let cached = cache::read(
        &cache::path_for(dir.path(), "test", &server.uri()),
        &server.uri(),
    )
    .unwrap()
    .unwrap();
    assert!(cached.entities.is_empty());
}

#[tokio::test]
async fn startup_sends_the_cache_first_then_swaps_in_the_fresh_load() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let source = test_source(&server);
    // An earlier load left a cache with other content.
    let old: Vec<_> = idp_tui::synthetic::generate(20, 1);
    let key = server.uri();
    cache::write(
        &cache::path_for(dir.path(), "test", &key),
        &key,
        &old,
        &[],
        cache::Encoding::MessagePack,
    )
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    spawn_with(
        0,
        SourceSpec::Backstage(source),
        tx,
        options(dir.path(), LoadMode::Startup, false),
    );
    let mut kinds = Vec::new();
    let mut set = idp_tui::source::SourceSet::new(&[SourceSpec::Backstage(test_source(&server))]);
    while let Some(event) = rx.recv().await {
        kinds.extend(match &event {
            LoadEvent::Cached { .. } => Some("cached".to_string()),
            LoadEvent::Batch { entities, .. } => Some(format!("batch {}", entities.len())),
            LoadEvent::Replace { entities, .. } => Some(format!("replace {}", entities.len())),
            LoadEvent::Progress { .. } => None,
            LoadEvent::Save(_) => Some("save".to_string()),
            LoadEvent::Done { error, .. } => Some(format!("done {error:?}")),
        });
        set.apply(event);
    }
    assert_eq!(
        kinds,
        [
            "cached".to_string(),
            format!("batch {}", old.len()),
            "replace 11".into(),
            "save".into(),
            "done None".into()
        ]
    );
    let loaded = set.into_loaded();
    assert_eq!(loaded.catalog.len(), 11);
    assert_eq!(loaded.sources[0].state, SourceState::Ready);
    // The new load is what the cache holds now, written from the catalog.
    let cached = cache::read(&cache::path_for(dir.path(), "test", &key), &key)
        .unwrap()
        .unwrap();
    assert_eq!(cached.entities.len(), 11);
}

#[tokio::test]
async fn a_stale_cache_stays_when_the_refresh_fails() {
    let server = MockServer::start().await;
    serve_fixture(&server, "error-401-bad-token", None).await;
    let dir = tempfile::tempdir().unwrap();
    let key = server.uri();
    let path = cache::path_for(dir.path(), "test", &key);
    let old = idp_tui::synthetic::generate(30, 2);
    cache::write(&path, &key, &old, &[], cache::Encoding::MessagePack).unwrap();
    let before = std::fs::read(&path).unwrap();
    for mode in [LoadMode::Startup, LoadMode::NetworkFirst] {
        let loaded = load_blocking_with(
            &[SourceSpec::Backstage(test_source(&server))],
            &options(dir.path(), mode, false),
        );
        assert_eq!(loaded.catalog.len(), old.len(), "{mode:?}");
        let status = &loaded.sources[0];
        assert_eq!(status.state, SourceState::Failed);
        assert!(status.cached_at.is_some());
        assert!(
            status.error.as_deref().unwrap().contains("token rejected"),
            "{status:?}"
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "cache untouched");
}

#[tokio::test]
async fn a_corrupt_cache_is_a_warning_and_the_next_load_replaces_it() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    let dir = tempfile::tempdir().unwrap();
    let key = server.uri();
    let path = cache::path_for(dir.path(), "test", &key);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"IDPTUIC\n\x02\0\0\0\x01\0\0\0\0\0\0\0\0garbage").unwrap();
    let loaded = load_blocking_with(
        &[SourceSpec::Backstage(test_source(&server))],
        &options(dir.path(), LoadMode::Startup, false),
    );
    assert_eq!(loaded.catalog.len(), 61);
    assert_eq!(loaded.sources[0].state, SourceState::Ready);
    assert_eq!(
        cache::read(&path, &key).unwrap().unwrap().entities.len(),
        61
    );
    // Offline, the damaged cache would have been the only thing: a warning, then an error.
    std::fs::write(&path, b"garbage").unwrap();
    let loaded = load_blocking_with(
        &[SourceSpec::Backstage(test_source(&server))],
        &options(dir.path(), LoadMode::Startup, true),
    );
    assert!(loaded.catalog.is_empty());
    assert!(loaded
        .catalog
        .problems()
        .any(|p| p.message.contains("cache is damaged")));
    assert_eq!(
        loaded.sources[0].error.as_deref(),
        Some("offline and no cached copy yet; run `idp-tui fetch` while online")
    );
}

#[tokio::test]
async fn an_unwritable_cache_directory_is_a_warning_and_the_data_still_loads() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let loaded = load_blocking_with(
        &[SourceSpec::Backstage(test_source(&server))],
        &options(&not_a_dir, LoadMode::Startup, false),
    );
    assert_eq!(loaded.catalog.len(), 61);
    assert_eq!(loaded.sources[0].state, SourceState::Ready);
    assert!(loaded
        .catalog
        .problems()
        .any(|p| p.message.contains("cache not written")));
}

#[tokio::test]
async fn the_token_never_reaches_the_cache_file() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    let dir = tempfile::tempdir().unwrap();
    load_blocking_with(
        &[SourceSpec::Backstage(test_source(&server))],
        &options(dir.path(), LoadMode::NetworkFirst, false),
    );
    let bytes = std::fs::read(cache::path_for(dir.path(), "test", &server.uri())).unwrap();
    assert!(bytes.len() > 10_000);
    assert!(!bytes.windows(10).any(|w| w == b"test-token"));
}

#[tokio::test]
async fn pages_use_query_param_cursor_not_a_new_search() {
    // The cursor request must not repeat filters; Backstage rejects mixing them (400).
    let server = MockServer::start().await;
    let (_, page1) = fixture("by-query-limit5-page1");
    let next = next_cursor(&page1);
    Mock::given(method("GET"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(page1))
        .mount(&server)
        .await;
    serve_fixture(&server, "error-400-bad-cursor", Some(&next)).await;
    let err = backstage::fetch(&test_source(&server), |_| {})
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("HTTP 400: Malformed cursor"), "{msg}");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].url.query().unwrap().contains("cursor="));
}

/// Collects a source's events, Progress left out, as short strings, folding them into a
/// catalog as a consumer does: once the source is done, the cache it asked for is written.
async fn event_kinds(spec: SourceSpec, options: LoadOptions) -> Vec<String> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    spawn_with(0, spec.clone(), tx, options);
    let mut set = idp_tui::source::SourceSet::new(std::slice::from_ref(&spec));
    let mut kinds = Vec::new();
    while let Some(event) = rx.recv().await {
        kinds.extend(match &event {
            LoadEvent::Cached { .. } => Some("cached".to_string()),
            LoadEvent::Batch { entities, .. } => Some(format!("batch {}", entities.len())),
            LoadEvent::Replace { entities, .. } => Some(format!("replace {}", entities.len())),
            LoadEvent::Progress { .. } => None,
            LoadEvent::Save(_) => Some("save".to_string()),
            LoadEvent::Done { error, .. } => Some(format!("done {error:?}")),
        });
        set.apply(event);
    }
    let loaded = set.into_loaded();
    assert!(
        !loaded
            .catalog
            .problems()
            .any(|p| p.message.contains("cache not written")),
        "the cache is written"
    );
    kinds
}

#[tokio::test]
async fn a_refresh_keeps_the_shown_data_until_the_new_load_is_complete() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let spec = SourceSpec::Backstage(test_source(&server));
    // Online: no batches while paging, one replacement at the end.
    let kinds = event_kinds(spec.clone(), options(dir.path(), LoadMode::Refresh, false)).await;
    assert_eq!(kinds, ["replace 11", "save", "done None"]);
    // Offline: the cache written by that load replaces what is shown, marked as cached.
    let kinds = event_kinds(spec, options(dir.path(), LoadMode::Refresh, true)).await;
    assert_eq!(kinds, ["cached", "replace 11", "done None"]);
}

#[tokio::test]
async fn first_start_without_a_cache_streams_pages_as_they_arrive() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let kinds = event_kinds(
        SourceSpec::Backstage(test_source(&server)),
        options(dir.path(), LoadMode::Startup, false),
    )
    .await;
    assert_eq!(
        kinds,
        ["batch 5", "batch 5", "batch 1", "save", "done None"]
    );
}

#[tokio::test]
async fn a_server_that_pages_forever_is_stopped() {
    let server = MockServer::start().await;
    let (_, body) = fixture("by-query-empty");
    let empty: serde_json::Value = serde_json::from_slice(&body).unwrap();
    Mock::given(method("GET"))
        .respond_with(move |request: &wiremock::Request| {
            // Always a fresh cursor: the previous one plus a letter.
            let cursor = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let mut page = empty.clone();
            page["pageInfo"]["nextCursor"] = format!("{cursor}x").into();
            ResponseTemplate::new(200).set_body_json(page)
        })
        .mount(&server)
        .await;
    let mut source = test_source(&server);
    source.http.max_pages = 7;
    let err = backstage::fetch(&source, |_| {}).await.unwrap_err();
    assert!(
        matches!(err, BackstageError::TooManyPages { pages: 7, .. }),
        "{err}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 7);
}

#[tokio::test]
async fn a_large_cache_arrives_in_chunks_so_the_first_are_shown_early() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}", free_port());
    let mut source = idp_tui::source::BackstageSource::from_url(&url);
    source.name = "big".into();
    let entities = idp_tui::synthetic::generate(25_000, 3);
    let n = entities.len();
    cache::write(
        &cache::path_for(dir.path(), "big", &source.shown_url()),
        &source.shown_url(),
        &entities,
        &[],
        cache::Encoding::MessagePack,
    )
    .unwrap();
    let kinds = event_kinds(
        SourceSpec::Backstage(source),
        options(dir.path(), LoadMode::Startup, true),
    )
    .await;
    // Chunks of cache::CHUNK entities, each decoded on a worker and sent as soon as it is.
    let mut expected = vec!["cached".to_string()];
    let mut left = n;
    while left > 0 {
        expected.push(format!("batch {}", left.min(cache::CHUNK)));
        left -= left.min(cache::CHUNK);
    }
    expected.push("done None".into());
    assert!(expected.len() > 4, "{expected:?}");
    assert_eq!(kinds, expected);
}

#[tokio::test]
async fn pages_are_handed_on_in_order_with_running_totals() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let mut seen = Vec::new();
    let total = backstage::fetch(&test_source(&server), |page: Page| {
        let names: Vec<String> = page
            .entities
            .iter()
            .map(|e| e.metadata.name.clone())
            .collect();
        seen.push((page.loaded, page.total, names));
    })
    .await
    .unwrap();
    assert_eq!(total, 11);
    let loaded: Vec<usize> = seen.iter().map(|(l, _, _)| *l).collect();
    assert_eq!(loaded, [5, 10, 11], "running totals, in page order");
    let names: Vec<String> = seen.into_iter().flat_map(|(_, _, n)| n).collect();
    assert_eq!(names.len(), 11);
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 11, "each entity once: {names:?}");
}

#[tokio::test]
async fn a_decoded_page_is_handed_on_while_the_next_is_still_on_its_way() {
    let server = MockServer::start().await;
    let (_, page1) = fixture("by-query-limit5-page1");
    let (_, page2) = fixture("by-query-limit5-page2");
    serve_fixture(&server, "by-query-limit5-page1", None).await;
    // Page 2 takes its time, as a busy server's might.
    let slow = Duration::from_secs(2);
    serve_at_cursor(
        &server,
        &next_cursor(&page1),
        ResponseTemplate::new(200)
            .set_body_raw(page2.clone(), "application/json")
            .set_delay(slow),
    )
    .await;
    serve_fixture(&server, "by-query-limit5-last", Some(&next_cursor(&page2))).await;
    let started = Instant::now();
    let mut arrivals = Vec::new();
    let total = backstage::fetch(&test_source(&server), |page: Page| {
        arrivals.push((page.loaded, started.elapsed()));
    })
    .await
    .unwrap();
    assert_eq!(total, 11);
    let loaded: Vec<usize> = arrivals.iter().map(|(l, _)| *l).collect();
    assert_eq!(loaded, [5, 10, 11]);
    // The first page is shown without waiting for the slow second one.
    assert!(
        arrivals[0].1 < slow / 2,
        "page 1 came after {:?}",
        arrivals[0].1
    );
    assert!(
        arrivals[1].1 >= slow,
        "page 2 came after {:?}",
        arrivals[1].1
    );
}

#[tokio::test]
async fn a_page_that_does_not_decode_ends_the_load_after_the_pages_before_it() {
    let server = MockServer::start().await;
    let (_, page1) = fixture("by-query-limit5-page1");
    let (_, page2) = fixture("by-query-limit5-page2");
    serve_fixture(&server, "by-query-limit5-page1", None).await;
    // Page 2's head reads (so the next page may already be asked for), its items do not.
    let broken = serde_json::json!({
        "items": {"not": "a list"},
        "totalItems": 11,
        "pageInfo": {"nextCursor": next_cursor(&page2)},
    });
    serve_at_cursor(
        &server,
        &next_cursor(&page1),
        ResponseTemplate::new(200).set_body_json(broken),
    )
    .await;
    serve_fixture(&server, "by-query-limit5-last", Some(&next_cursor(&page2))).await;
    let (result, pages) = fetch_all(&test_source(&server)).await;
    let err = result.unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}: the response is not the catalog's JSON",
            server.uri()
        )),
        "{err}"
    );
    // Page 1 is kept; nothing after the broken page is handed on.
    let loaded: Vec<usize> = pages.iter().map(|p| p.loaded).collect();
    assert_eq!(loaded, [5]);
    let first: serde_json::Value = serde_json::from_slice(&page1).unwrap();
    let names: Vec<&str> = pages[0]
        .entities
        .iter()
        .map(|e| e.metadata.name.as_str())
        .collect();
    let expected: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn done_comes_as_soon_as_the_data_is_in_and_the_cache_is_written_from_the_catalog_after() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    spawn_with(
        0,
        SourceSpec::Backstage(test_source(&server)),
        tx,
        options(&not_a_dir, LoadMode::NetworkFirst, false),
    );
    let mut kinds = Vec::new();
    let mut set = idp_tui::source::SourceSet::new(&[SourceSpec::Backstage(test_source(&server))]);
    while let Some(event) = rx.recv().await {
        kinds.extend(match &event {
            LoadEvent::Batch {
                entities, problems, ..
            } => Some(format!("batch {} {}", entities.len(), problems.len())),
            LoadEvent::Save(save) => Some(format!("save {}", save.source())),
            LoadEvent::Done { error, .. } => Some(format!("done {error:?}")),
            _ => None,
        });
        set.apply(event);
    }
    // The catalog is usable at Done; the source asks for its cache just before, and writes
    // nothing itself: nothing follows Done.
    assert_eq!(
        kinds,
        ["batch 5 0", "batch 5 0", "batch 1 0", "save 0", "done None"]
    );
    assert_eq!(set.catalog().len(), 11);
    assert_eq!(set.statuses()[0].state, SourceState::Ready);
    // Written from the catalog once the load is over: refused, a warning, the entities
    // untouched.
    let loaded = set.into_loaded();
    assert_eq!(loaded.catalog.len(), 11);
    let warning = loaded
        .catalog
        .problems()
        .find(|p| p.message.contains("cache not written"))
        .expect("the refused write is a warning");
    assert_eq!(warning.severity, idp_tui::catalog::Severity::Warning);
    // The same load with a writable directory: the cache holds every entity once the
    // catalog is saved, and nothing before.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    spawn_with(
        0,
        SourceSpec::Backstage(test_source(&server)),
        tx,
        options(dir.path(), LoadMode::NetworkFirst, false),
    );
    let mut set = idp_tui::source::SourceSet::new(&[SourceSpec::Backstage(test_source(&server))]);
    while let Some(event) = rx.recv().await {
        set.apply(event);
    }
    let key = server.uri();
    let path = cache::path_for(dir.path(), "test", &key);
    assert!(
        !path.exists(),
        "written from the catalog, not by the source"
    );
    let loaded = set.into_loaded();
    assert!(!loaded
        .catalog
        .problems()
        .any(|p| p.message.contains("cache")));
    let cached = cache::read(&path, &key).unwrap().unwrap();
    assert_eq!(cached.entities.len(), 11);
    // No write is left running (other tests' small writes finish well within the wait).
    assert!(idp_tui::background::wait_for_writes(Duration::from_secs(
        10
    )));
}

#[tokio::test]
async fn confirming_a_snapshot_sends_the_cache_age_not_its_entities_then_the_refresh() {
    let server = MockServer::start().await;
    mount_three_pages(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let spec = SourceSpec::Backstage(test_source(&server));
    // No cache yet: nothing streamed, one replacement at the end (so whatever the snapshot
    // held of this source is replaced, never added to).
    let kinds = event_kinds(spec.clone(), options(dir.path(), LoadMode::Confirm, false)).await;
    assert_eq!(kinds, ["replace 11", "save", "done None"]);
    // With the cache that load wrote: its age and no entities (the snapshot has them), then
    // the refresh from the server.
    let kinds = event_kinds(spec.clone(), options(dir.path(), LoadMode::Confirm, false)).await;
    assert_eq!(
        kinds,
        ["cached", "batch 0", "replace 11", "save", "done None"]
    );
    // Offline: only the age.
    let kinds = event_kinds(spec, options(dir.path(), LoadMode::Confirm, true)).await;
    assert_eq!(kinds, ["cached", "batch 0", "done None"]);
}

/// A server whose every page is page 1 of the captured catalog (five entities) with the
/// `nextCursor` that `next` gives for the cursor asked for.
async fn paging_server(next: fn(&str) -> String) -> MockServer {
    let server = MockServer::start().await;
    let (_, body) = fixture("by-query-limit5-page1");
    let page1: serde_json::Value = serde_json::from_slice(&body).unwrap();
    Mock::given(method("GET"))
        .and(path(BY_QUERY))
        .respond_with(move |request: &wiremock::Request| {
            let cursor = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let mut page = page1.clone();
            page["pageInfo"]["nextCursor"] = next(&cursor).into();
            ResponseTemplate::new(200).set_body_json(page)
        })
        .mount(&server)
        .await;
    server
}

/// Loads from `server` over a cache of 30 entities; asserts the load failed with `why`, the
/// cache file is untouched and its entities are what is shown.
async fn assert_fails_and_keeps_the_cache(
    server: &MockServer,
    source: idp_tui::source::BackstageSource,
    why: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let key = server.uri();
    let path = cache::path_for(dir.path(), "test", &key);
    let old = idp_tui::synthetic::generate(30, 2);
    cache::write(&path, &key, &old, &[], cache::Encoding::MessagePack).unwrap();
    let before = std::fs::read(&path).unwrap();
    let options = options(dir.path(), LoadMode::NetworkFirst, false);
    let loaded = tokio::task::spawn_blocking(move || {
        load_blocking_with(&[SourceSpec::Backstage(source)], &options)
    })
    .await
    .unwrap();
    let status = &loaded.sources[0];
    assert_eq!(status.state, SourceState::Failed, "{status:?}");
    assert!(
        status.error.as_deref().unwrap_or_default().contains(why),
        "{status:?}"
    );
    assert_eq!(loaded.catalog.len(), old.len());
    assert_eq!(std::fs::read(&path).unwrap(), before, "cache untouched");
}

#[tokio::test]
async fn a_cursor_cycle_longer_than_one_page_is_caught_at_its_first_repeat() {
    // No cursor → A → B → C → A → …: before, it looped until max_pages, holding every page.
    let server = paging_server(|cursor| {
        match cursor {
            "" => "A",
            "A" => "B",
            "B" => "C",
            _ => "A",
        }
        .to_string()
    })
    .await;
    let (result, _) = fetch_all(&test_source(&server)).await;
    let err = result.unwrap_err();
    assert!(matches!(err, BackstageError::CursorLoop { .. }), "{err}");
    assert!(err.to_string().contains("already sent"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 4);
    assert_fails_and_keeps_the_cache(&server, test_source(&server), "already sent").await;
}

#[tokio::test]
async fn fresh_cursors_forever_stop_at_the_entity_limit() {
    let server = paging_server(|cursor| format!("{cursor}x")).await;
    let mut source = test_source(&server);
    source.http.max_entities = 12;
    let (result, _) = fetch_all(&source).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, BackstageError::TooManyEntities { limit: 12, .. }),
        "{err}"
    );
    // Pages of five: the third passes twelve.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert_fails_and_keeps_the_cache(&server, source, "more than 12 entities").await;
}

#[tokio::test]
async fn fresh_cursors_forever_stop_at_the_byte_limit() {
    let server = paging_server(|cursor| format!("{cursor}x")).await;
    let mut source = test_source(&server);
    source.http.max_bytes = 1024 * 1024;
    source.http.max_entities = usize::MAX;
    source.http.max_pages = 10_000;
    let (result, _) = fetch_all(&source).await;
    let err = result.unwrap_err();
    assert!(
        matches!(err, BackstageError::TooManyBytes { megabytes: 1, .. }),
        "{err}"
    );
    // A page is about 7 KB: the limit is passed at page 150 or so, long before max_pages.
    let requests = server.received_requests().await.unwrap().len();
    assert!((100..300).contains(&requests), "{requests} requests");
    assert_fails_and_keeps_the_cache(&server, source, "more than 1 MB").await;
}
