//! Remote scaffolding and remote TechDocs against a Backstage test server: a template run on
//! the server it came from (steps, log, output links), a 400 mapped to fields, a 401, a failed
//! task, garbage events, a server that stops answering; TechDocs pages, a 404, garbage and a
//! huge page. Through the library and through the binary.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod support;

use idp_tui::backstage::tasks::{
    self, FollowError, FollowOptions, SubmitError, TaskEvent, TaskRequest,
};
use idp_tui::backstage::techdocs::{self, RemoteDocsError};
use idp_tui::catalog::EntityRef;
use idp_tui::source::BackstageError;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::process::Output;
use std::time::Duration;
use support::*;
use wiremock::matchers::{
    body_partial_json, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TASKS: &str = "/api/scaffolder/v2/tasks";

fn quick() -> FollowOptions {
    FollowOptions {
        poll_min: Duration::from_millis(10),
        poll_max: Duration::from_millis(40),
        timeout: Duration::from_secs(10),
    }
}

fn request() -> TaskRequest {
    let mut values = Map::new();
    values.insert("name".into(), json!("billing"));
    let mut secrets = Map::new();
    secrets.insert("apiKey".into(), json!("very-secret-value"));
    TaskRequest {
        template_ref: "template:default/go-service".into(),
        values,
        secrets,
    }
}

/// Serves `events` (a JSON array) as every answer to the events of `task`.
async fn serve_events(server: &MockServer, task: &str, events: Value) {
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/{task}/events")))
        .respond_with(ResponseTemplate::new(200).set_body_json(events))
        .mount(server)
        .await;
}

fn log(id: u64, step: &str, status: Option<&str>, message: &str) -> Value {
    let mut body = json!({ "message": message, "stepId": step });
    if let Some(s) = status {
        body["status"] = json!(s);
    }
    json!({ "id": id, "taskId": "task-1", "type": "log", "body": body, "createdAt": "2026-11-23T10:00:00Z" })
}

/// A task that logs and completes its three steps over two polls, with output links.
async fn mount_successful_task(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "task-1" })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-1/events")))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            log(
                1,
                "fetch",
                Some("processing"),
                "Beginning step Fetch skeleton"
            ),
            log(
                2,
                "fetch",
                None,
                "Fetching template content\u{1b}[31m from github"
            ),
            log(
                3,
                "fetch",
                Some("completed"),
                "Finished step Fetch skeleton"
            ),
        ])))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-1/events")))
        .and(query_param("after", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            log(4, "publish", Some("completed"), "Published"),
            log(5, "register", Some("completed"), "Registered"),
            {"id": 6, "taskId": "task-1", "type": "completion", "createdAt": "x",
             "body": {"message": "Run completed with status: completed",
                      "output": {"links": [
                          {"title": "Repository", "url": "https://github.com/acme/billing"},
                          {"title": "Open in catalog", "entityRef": "component:default/billing"}
                      ]}}}
        ])))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-1")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "id": "task-1", "status": "completed" })),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_task_is_submitted_followed_and_its_links_read() {
    let server = MockServer::start().await;
    mount_successful_task(&server).await;
    let source = test_source(&server);
    let id = tasks::submit(&source, &request()).await.unwrap();
    assert_eq!(id, "task-1");
    let mut events = Vec::new();
    let result = tasks::follow(&source, &id, quick(), |e| events.push(e))
        .await
        .unwrap();
    assert!(result.succeeded(), "{result:?}");
    let links: Vec<_> = result
        .output
        .links
        .iter()
        .map(|l| (l.title.as_str(), l.url.as_deref(), l.entity_ref.as_deref()))
        .collect();
    assert_eq!(
        links,
        [
            ("Repository", Some("https://github.com/acme/billing"), None),
            ("Open in catalog", None, Some("component:default/billing"))
        ]
    );
    let steps: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            TaskEvent::Step { step, state } => Some(format!("{step}:{}", state.word())),
            _ => None,
        })
        .collect();
    assert_eq!(
        steps,
        [
            "fetch:running",
            "fetch:done",
            "publish:done",
            "register:done"
        ]
    );
    assert!(events.contains(&TaskEvent::Log {
        step: Some("fetch".into()),
        line: "Fetching template content from github".into()
    }));
    // The body carried the values and the secrets apart, with the token, to the server only.
    let (post, body) = the_post(&server).await;
    assert_eq!(body["templateRef"], "template:default/go-service");
    assert_eq!(body["values"]["name"], "billing");
    assert_eq!(body["secrets"]["apiKey"], "very-secret-value");
    assert_eq!(
        post.headers.get("authorization").unwrap(),
        "Bearer test-token"
    );
}

#[tokio::test]
async fn a_400_names_each_field_the_server_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "errors": [
            {"property": "instance.name", "message": "does not match pattern \"^[a-z0-9-]+$\"",
             "name": "pattern", "path": ["name"], "stack": "instance.name does not match pattern"},
            {"property": "instance", "message": "requires property \"owner\"",
             "name": "required", "argument": "owner", "path": []}
        ]})))
        .mount(&server)
        .await;
    let err = tasks::submit(&test_source(&server), &request())
        .await
        .unwrap_err();
    let SubmitError::Invalid { errors, .. } = &err else {
        panic!("{err}");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, [Some("name"), Some("owner")]);
    assert!(
        err.to_string().contains("owner: requires property"),
        "{err}"
    );
}

#[tokio::test]
async fn a_401_says_the_token_was_rejected_and_never_shows_it() {
    let server = MockServer::start().await;
    let (status, body) = fixture("error-401-bad-token");
    Mock::given(method("POST"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = tasks::submit(&test_source(&server), &request())
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(
            err,
            SubmitError::Server(BackstageError::Unauthorized { status: 401, .. })
        ),
        "{message}"
    );
    assert!(message.contains("token rejected by"), "{message}");
    assert!(!message.contains("test-token"));
}

#[tokio::test]
async fn a_404_names_the_template_and_a_500_the_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(404))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let err = tasks::submit(&test_source(&server), &request())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("template:default/go-service (or the scaffolder API) not found on"),
        "{err}"
    );
    Mock::given(method("POST"))
        .and(path(TASKS))
        .respond_with(ResponseTemplate::new(500).set_body_string("<html>oops</html>"))
        .mount(&server)
        .await;
    let err = tasks::submit(&test_source(&server), &request())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 500"), "{err}");
    // A POST is never retried: it may have started a task.
    let posts = server.received_requests().await.unwrap();
    assert_eq!(posts.len(), 2);
}

#[tokio::test]
async fn a_failed_task_reports_its_error_and_failed_step() {
    let server = MockServer::start().await;
    serve_events(
        &server,
        "task-9",
        json!([
            log(1, "publish", Some("processing"), "Publishing"),
            log(2, "publish", Some("failed"), "Error: repository already exists"),
            {"id": 3, "type": "completion", "body": {"message": "Run completed with status: failed",
                "error": {"name": "Error", "message": "repository acme/billing already exists"}}}
        ]),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-9")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "status": "failed" })))
        .mount(&server)
        .await;
    let mut events = Vec::new();
    let result = tasks::follow(&test_source(&server), "task-9", quick(), |e| events.push(e))
        .await
        .unwrap();
    assert!(!result.succeeded());
    assert_eq!(result.status, "failed");
    assert_eq!(
        result.error.as_deref(),
        Some("repository acme/billing already exists")
    );
    assert!(events.contains(&TaskEvent::Step {
        step: "publish".into(),
        state: tasks::StepState::Failed
    }));
}

#[tokio::test]
async fn garbage_events_lose_track_of_the_task_and_say_it_may_still_run() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-2/events")))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"not\": \"an array\""))
        .mount(&server)
        .await;
    let err = tasks::follow(&test_source(&server), "task-2", quick(), |_| {})
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, FollowError::Lost { .. }), "{message}");
    assert!(
        message.starts_with("lost track of task task-2:"),
        "{message}"
    );
    assert!(message.contains("not a JSON array"), "{message}");
    assert!(
        message.ends_with("it may still be running on the server"),
        "{message}"
    );
}

#[tokio::test]
async fn events_that_are_not_events_are_skipped() {
    let server = MockServer::start().await;
    serve_events(
        &server,
        "task-3",
        json!([
            42, "text", null, {"id": "x1", "type": "log", "body": "not an object"},
            {"id": 7, "type": "completion", "body": {"message": "done"}}
        ]),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-3")))
        .respond_with(ResponseTemplate::new(200).set_body_string("garbage"))
        .mount(&server)
        .await;
    let mut events = Vec::new();
    let result = tasks::follow(&test_source(&server), "task-3", quick(), |e| events.push(e))
        .await
        .unwrap();
    assert_eq!(result.status, "completed");
    assert_eq!(
        events,
        [TaskEvent::Log {
            step: None,
            line: "done".into()
        }]
    );
}

#[tokio::test]
async fn a_server_that_stops_answering_mid_task_loses_track_with_the_task_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-4/events")))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([log(
            1,
            "fetch",
            Some("processing"),
            "go"
        )])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{TASKS}/task-4/events")))
        .and(query_param("after", "1"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let mut source = test_source(&server);
    source.http.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let mut events = Vec::new();
    let err = tasks::follow(&source, "task-4", quick(), |e| events.push(e))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = err.to_string();
    assert!(
        message.starts_with("lost track of task task-4:"),
        "{message}"
    );
    assert!(message.contains("no complete response within"), "{message}");
    assert_eq!(events.len(), 2, "the step and its log line arrived first");
}

#[tokio::test]
async fn following_stops_at_the_total_timeout_and_says_the_task_still_runs() {
    let server = MockServer::start().await;
    serve_events(&server, "task-5", json!([])).await;
    let options = FollowOptions {
        timeout: Duration::from_millis(300),
        ..quick()
    };
    let err = tasks::follow(&test_source(&server), "task-5", options, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, FollowError::TimedOut { .. }), "{err}");
    assert!(
        err.to_string().contains("task task-5 had not finished"),
        "{err}"
    );
    assert!(
        err.to_string().ends_with("it is still running there"),
        "{err}"
    );
    // Backed off: far fewer polls than one per 10 ms.
    let polls = server.received_requests().await.unwrap().len();
    assert!(polls < 20, "{polls} polls in 300 ms");
}

// --- TechDocs ---------------------------------------------------------------------------

const DOCS: &str = "/api/techdocs/static/docs/default/component/orders-service";
const META: &str = "/api/techdocs/metadata/techdocs/default/component/orders-service";

fn page_html(body: &str) -> String {
    format!(
        "<html><head><title>t</title></head><body><nav class=\"md-nav\"><a href=\"runbook/\">Runbook</a></nav>\
         <div class=\"md-content\"><article>{body}</article></div><footer>footer</footer></body></html>"
    )
}

async fn mount_docs(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(META))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "site_name": "Orders", "site_description": "How orders work",
            "files": ["index.html", "runbook/index.html", "sitemap.xml"]
        })))
        .mount(server)
        .await;
    serve_page(
        server,
        "index.html",
        page_html("<h1>Orders</h1><p>Takes <em>orders</em>.</p><ol><li>one</li></ol>"),
    )
    .await;
    serve_page(
        server,
        "runbook/index.html",
        page_html("<h2>Paging</h2><pre><code>kubectl rollout restart</code></pre>"),
    )
    .await;
}

/// Serves `html` as the page `page` of orders-service's published docs.
async fn serve_page(server: &MockServer, page: &str, html: String) {
    Mock::given(method("GET"))
        .and(path(format!("{DOCS}/{page}")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(html, "text/html"))
        .mount(server)
        .await;
}

fn orders() -> EntityRef {
    EntityRef::new("Component", "default", "orders-service")
}

#[tokio::test]
async fn a_remote_page_is_rendered_from_its_article() {
    let server = MockServer::start().await;
    mount_docs(&server).await;
    let source = test_source(&server);
    let site = techdocs::metadata(&source, &orders()).await.unwrap();
    assert_eq!(site.name, "Orders");
    assert_eq!(site.pages, ["index.html", "runbook/index.html"]);
    let page = techdocs::page(&source, &orders(), "", 60).await.unwrap();
    let text = page.lines.join("\n");
    assert!(text.contains("# Orders"), "{text}");
    assert!(text.contains("1. one"), "{text}");
    assert!(
        !text.contains("footer") && !text.contains("Runbook"),
        "{text}"
    );
    assert_eq!(page.nav, ["runbook/index.html"]);
    let page = techdocs::page(&source, &orders(), "runbook", 60)
        .await
        .unwrap();
    assert!(page.lines.join("\n").contains("kubectl rollout restart"));
}

#[tokio::test]
async fn no_published_docs_is_a_404_that_names_the_source() {
    let server = MockServer::start().await;
    let err = techdocs::metadata(&test_source(&server), &orders())
        .await
        .unwrap_err();
    assert!(matches!(err, RemoteDocsError::NotPublished { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "no TechDocs published for component:default/orders-service on test"
    );
}

#[tokio::test]
async fn garbage_metadata_and_a_huge_page_are_errors_not_crashes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(META))
        .respond_with(ResponseTemplate::new(200).set_body_string("{{{"))
        .mount(&server)
        .await;
    serve_page(
        &server,
        "index.html",
        page_html(&"<p>row</p>".repeat(500_000)),
    )
    .await;
    let source = test_source(&server);
    let err = techdocs::metadata(&source, &orders()).await.unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");
    let err = techdocs::page(&source, &orders(), "", 80)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("larger than"), "{err}");
}

// --- The binary -------------------------------------------------------------------------

fn idp(home: &Path, args: &[&str]) -> Output {
    idp_command(home)
        .args(args)
        .env("BACKSTAGE_TOKEN", "cli-secret-token")
        .env("USER", "tester")
        .output()
        .unwrap()
}

/// `scaffold go-service --values VALUES --remote` on the catalog served at `server`, with
/// `extra` arguments.
fn scaffold_remote(home: &Path, server: &MockServer, values: &str, extra: &[&str]) -> Output {
    let uri = server.uri();
    let mut args = vec![
        "--catalog",
        &uri,
        "scaffold",
        "go-service",
        "--values",
        values,
        "--remote",
    ];
    args.extend_from_slice(extra);
    idp(home, &args)
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn values_file(dir: &Path) -> String {
    let p = dir.join("values.yaml");
    std::fs::write(
        &p,
        "name: billing\nowner: group:default/team-platform\nrepoUrl: github.com?owner=acme&repo=billing\n",
    )
    .unwrap();
    p.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn scaffold_remote_streams_steps_and_prints_the_links() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    mount_successful_task(&server).await;
    let home = tempfile::tempdir().unwrap();
    let values = values_file(home.path());
    let out = scaffold_remote(home.path(), &server, &values, &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("task task-1 started on 127.0.0.1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[done   ] fetch — Fetch skeleton"),
        "{stderr}"
    );
    assert!(
        stdout.contains("Repository: https://github.com/acme/billing"),
        "{stdout}"
    );
    assert!(!stdout.contains("cli-secret-token") && !stderr.contains("cli-secret-token"));

    let out = scaffold_remote(home.path(), &server, &values, &["--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["task_id"], "task-1");
    assert_eq!(v["status"], "completed");
    assert_eq!(v["links"][0]["url"], "https://github.com/acme/billing");
    let (_, body) = the_post(&server).await;
    assert_eq!(body["values"]["name"], "billing");
    assert_eq!(body["values"]["owner"], "group:default/team-platform");
}

#[tokio::test(flavor = "multi_thread")]
async fn scaffold_remote_exits_non_zero_on_a_400_and_a_failed_task() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    Mock::given(method("POST"))
        .and(path(TASKS))
        .and(body_partial_json(
            json!({ "values": { "name": "bad name" } }),
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({ "errors": [
            {"property": "instance.name", "message": "does not match pattern", "path": ["name"]}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(TASKS))
        .and(header("authorization", "Bearer cli-secret-token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "task-f" })))
        .mount(&server)
        .await;
    serve_events(&server, "task-f", json!([
            {"id": 1, "type": "completion", "body": {"message": "failed", "error": {"message": "boom"}}}
        ])).await;
    let home = tempfile::tempdir().unwrap();
    let bad = home.path().join("bad.yaml");
    std::fs::write(&bad, "name: bad name\n").unwrap();
    let bad = bad.display().to_string();
    let out = scaffold_remote(home.path(), &server, &bad, &["--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["errors"][0]["field"], "name");

    let values = values_file(home.path());
    let out = scaffold_remote(home.path(), &server, &values, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("task task-f failed: boom"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scaffold_remote_refuses_a_local_template_and_an_unknown_source() {
    let home = tempfile::tempdir().unwrap();
    let out = idp(home.path(), &["scaffold", "go-service", "--remote"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not from a Backstage source"),
        "{}",
        text(&out.stderr)
    );
    let out = idp(home.path(), &["scaffold", "go-service", "--remote", "prod"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no Backstage source named \"prod\""),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn docs_of_a_remote_entity_come_from_the_techdocs_api() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    mount_docs(&server).await;
    let home = tempfile::tempdir().unwrap();
    let out = idp(
        home.path(),
        &["--catalog", &server.uri(), "docs", "orders-service"],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("# Orders"), "{stdout}");
    assert!(stdout.contains("runbook  (runbook/index.html)"), "{stdout}");
    let out = idp(
        home.path(),
        &[
            "--catalog",
            &server.uri(),
            "docs",
            "orders-service",
            "--page",
            "runbook",
        ],
    );
    assert!(text(&out.stdout).contains("kubectl rollout restart"));
}

#[tokio::test(flavor = "multi_thread")]
async fn docs_without_published_techdocs_point_at_the_source_location() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/catalog/entities/by-query"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "items": [{"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
                "metadata": {"name": "orders-service", "annotations": {
                    "backstage.io/source-location": "url:https://github.com/acme/orders/tree/main/"}},
                "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}}],
            "totalItems": 1, "pageInfo": {}
        })))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let out = idp(
        home.path(),
        &["--catalog", &server.uri(), "docs", "orders-service"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no TechDocs published for component:default/orders-service on 127.0.0.1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("its source is at https://github.com/acme/orders/tree/main/"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_task_submission_never_follows_a_redirect_to_another_origin() {
    // A 307 keeps the method and the body: followed, it sent the template's secrets to whoever
    // the server named (reqwest only drops the Authorization header).
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "stolen" })))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    for status in [307, 308] {
        server.reset().await;
        Mock::given(method("POST"))
            .and(path(TASKS))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Location", format!("{}{TASKS}", elsewhere.uri())),
            )
            .mount(&server)
            .await;
        let err = tasks::submit(&test_source(&server), &request())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("redirect"), "{status}: {err}");
        assert!(!err.to_string().contains("very-secret-value"), "{err}");
    }
    let leaked = elsewhere.received_requests().await.unwrap();
    assert!(
        leaked.is_empty(),
        "the body reached another origin: {leaked:?}"
    );
    // A redirect within the same server is still followed.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(TASKS))
        .respond_with(
            ResponseTemplate::new(307).insert_header("Location", format!("{}/moved", server.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/moved"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": "t-1" })))
        .mount(&server)
        .await;
    let id = tasks::submit(&test_source(&server), &request())
        .await
        .unwrap();
    assert_eq!(id, "t-1");
}

#[test]
fn deeply_nested_lists_are_refused_at_once_with_a_true_message() {
    // Before: html2text spent time growing with the square of the depth, then said the output
    // was "not wide enough".
    let n = 5_000;
    let html = page_html(&format!(
        "{}deep{}",
        "<ul><li>".repeat(n),
        "</li></ul>".repeat(n)
    ));
    let err = techdocs::render_html(html.as_bytes(), 80).unwrap_err();
    assert_eq!(
        err,
        "the page nests its elements more than 64 deep: not rendered"
    );
    // A list nested ten deep is still rendered.
    let html = page_html(&format!(
        "{}ten{}",
        "<ul><li>".repeat(10),
        "</li></ul>".repeat(10)
    ));
    let (lines, _) = techdocs::render_html(html.as_bytes(), 80).unwrap();
    assert!(lines.iter().any(|l| l.contains("ten")), "{lines:?}");
}
