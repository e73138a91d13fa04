//! Live data against mock providers and a mock Backstage (bodies shaped like theirs, in
//! `tests/data/live/`): both ways of reaching each provider, the faults a network brings
//! (401/403, 404, 429 with Retry-After, slow, garbage, a redirect to another host), the
//! cache (`--offline`, a dead network), plugins, and the `oncall`/`status` commands.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod support;

use idp_tui::catalog::{Catalog, Lookup};
use idp_tui::config::Config;
use idp_tui::live::{Live, Report, Severity, Subject};
use idp_tui::source::{self, SourceSpec};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::live_mock;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn catalog_file() -> PathBuf {
    live_mock::live_data().join("catalog.yaml")
}

fn catalog() -> Catalog {
    source::load_blocking(&[SourceSpec::Files {
        name: "live".into(),
        paths: vec![catalog_file().display().to_string()],
    }])
}

fn subject(name: &str) -> Subject {
    let catalog = catalog();
    match catalog.lookup(name) {
        Lookup::Found(id) => Subject::of(&catalog, id),
        other => panic!("{name}: {other:?}"),
    }
}

/// A live service from config text; tokens come from `printf` commands, so no test touches
/// the environment.
fn live(config: &str, cache: Option<&Path>, offline: bool) -> Live {
    let config = Config::parse("test.yaml", config).expect("config parses");
    let backstages = config
        .source_specs()
        .into_iter()
        .filter_map(|s| match s {
            SourceSpec::Backstage(b) => Some(b),
            _ => None,
        })
        .collect();
    Live::new(
        config.integrations.clone(),
        backstages,
        cache.map(Path::to_path_buf),
        offline,
    )
}

/// Direct access to every provider on the mock, each with its own token.
fn direct(uri: &str, extra: &str) -> String {
    format!(
        "integrations:\n{extra}  pagerduty: {{base_url: {uri}/pd, token_command: 'printf pd-secret'}}\n  opsgenie: {{base_url: {uri}/og, token_command: 'printf og-secret'}}\n  github: {{base_url: {uri}/gh, token_command: 'printf gh-secret'}}\n  argocd: {{base_url: {uri}/argo, token_command: 'printf argo-secret'}}\n  kubernetes: {{base_url: {uri}/k8s, token_command: 'printf k8s-secret', namespace: payments}}\n  sonarqube: {{base_url: {uri}/sonar, token_command: 'printf sonar-secret'}}\n"
    )
}

/// Every provider through the mock Backstage, with only the Backstage token.
fn via_backstage(uri: &str) -> String {
    format!(
        "sources:\n  - type: backstage\n    name: corp\n    url: {uri}\n    token_command: 'printf bs-secret'\nintegrations:\n  pagerduty: {{via: backstage, source: corp}}\n  opsgenie: {{via: backstage}}\n  github: {{via: backstage, proxy_prefix: github-api}}\n  argocd: {{via: backstage}}\n  kubernetes: {{via: backstage}}\n  sonarqube: {{via: backstage}}\n"
    )
}

async fn fetch(live: &Live, name: &str) -> Report {
    live.fetch(&subject(name), false).await
}

fn severity(report: &Report, provider: &str) -> Severity {
    report
        .signal(provider)
        .unwrap_or_else(|| panic!("no {provider} signal in {report:#?}"))
        .severity
}

async fn requests_to(server: &MockServer, prefix: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().starts_with(prefix))
        .collect()
}

fn auth(r: &wiremock::Request) -> Option<String> {
    r.headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn direct_access_answers_who_is_on_call_and_how_every_provider_looks() {
    let server = live_mock::start(&catalog_file()).await;
    let live = live(&direct(&server.uri(), ""), None, false);
    let report = fetch(&live, "payments-api").await;
    assert_eq!(report.errors().count(), 0, "{report:#?}");

    // PagerDuty: the lowest escalation level only, one row per person, with the shift's end.
    let people: Vec<_> = report.oncall().collect();
    let ada = people.iter().find(|o| o.provider == "pagerduty").unwrap();
    assert_eq!(ada.name, "Ada Lovelace");
    assert_eq!(ada.email.as_deref(), Some("ada@acme.example"));
    assert_eq!(ada.level, Some(1));
    assert_eq!(ada.until.as_deref(), Some("2026-12-08T09:00:00Z"));
    assert_eq!(ada.target, "Payments primary");
    assert_eq!(
        people.iter().filter(|o| o.provider == "pagerduty").count(),
        1
    );
    // Opsgenie: the team's schedule, people inside an escalation included.
    let og: Vec<&str> = people
        .iter()
        .filter(|o| o.provider == "opsgenie")
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(og, ["linus@acme.example", "margaret@acme.example"]);

    let incidents: Vec<_> = report
        .incidents()
        .map(|i| (i.id.as_str(), i.urgency.as_str()))
        .collect();
    assert_eq!(
        incidents,
        [("Q1ABCD", "high"), ("Q2EFGH", "low"), ("77", "P3")]
    );

    assert_eq!(severity(&report, "pagerduty"), Severity::Crit);
    // The service's recent change events follow its incidents, newest first.
    let changes: Vec<_> = report
        .signal("pagerduty")
        .unwrap()
        .items
        .iter()
        .filter(|i| i.title.starts_with("change: "))
        .map(|i| (i.title.as_str(), i.detail.as_str(), i.when.as_deref()))
        .collect();
    assert_eq!(
        changes,
        [
            (
                "change: Deploy payments-api v2.14.0",
                "github-actions",
                Some("2026-12-07T12:30:00Z")
            ),
            (
                "change: Feature flag checkout-v2 at 50%",
                "launchdarkly",
                Some("2026-12-07T09:10:00Z")
            ),
        ]
    );
    let asked = requests_to(&server, "/pd/services/PSVC001/change_events").await;
    assert_eq!(
        asked.first().and_then(|r| r.url.query()),
        Some("limit=5&sort_by=timestamp")
    );
    assert_eq!(severity(&report, "opsgenie"), Severity::Warn);
    let gh = report.signal("github").unwrap();
    assert_eq!(gh.severity, Severity::Crit);
    assert_eq!(gh.headline, "1 of 2 workflows failing on main");
    assert_eq!(gh.items[0].title, "CI");
    assert!(gh.items[0].detail.starts_with("failure"));
    assert_eq!(severity(&report, "argocd"), Severity::Warn);
    let k8s = report.signal("kubernetes").unwrap();
    assert_eq!(k8s.severity, Severity::Crit);
    assert!(
        k8s.headline
            .starts_with("1 pod failing (CrashLoopBackOff) · 2/3 pods ready"),
        "{}",
        k8s.headline
    );
    let sonar = report.signal("sonarqube").unwrap();
    assert_eq!(
        (sonar.severity, sonar.headline.as_str()),
        (Severity::Crit, "quality gate failed · coverage 61.2%")
    );

    // Each provider got its own token, in its own scheme, and nobody else's.
    for (prefix, expected) in [
        ("/pd/", "Token token=pd-secret"),
        ("/og/", "GenieKey og-secret"),
        ("/gh/", "Bearer gh-secret"),
        ("/argo/", "Bearer argo-secret"),
        ("/k8s/", "Bearer k8s-secret"),
        ("/sonar/", "Bearer sonar-secret"),
    ] {
        let seen = requests_to(&server, prefix).await;
        assert!(!seen.is_empty(), "nothing asked under {prefix}");
        assert!(
            seen.iter().all(|r| auth(r).as_deref() == Some(expected)),
            "{prefix}"
        );
    }
    let pd = requests_to(&server, "/pd/oncalls").await;
    let query = pd[0].url.query().unwrap();
    assert!(
        query.contains("escalation_policy_ids%5B%5D=PEP0001"),
        "{query}"
    );
    assert_eq!(
        pd[0].headers.get("accept").unwrap(),
        "application/vnd.pagerduty+json;version=2"
    );
    let gh = requests_to(&server, "/gh/repos/acme/payments-api/actions/runs").await;
    assert_eq!(
        gh[0].headers.get("accept").unwrap(),
        "application/vnd.github+json"
    );
    assert_eq!(
        gh[0].headers.get("x-github-api-version").unwrap(),
        "2022-11-28"
    );
    assert!(gh[0].url.query().unwrap().contains("branch=main"));
    let k8s = requests_to(&server, "/k8s/api/v1/namespaces/payments/pods").await;
    assert!(k8s[0]
        .url
        .query()
        .unwrap()
        .contains("labelSelector=backstage.io%2Fkubernetes-id%3Dpayments-api"));
}

#[tokio::test]
async fn through_backstage_only_the_backstage_token_is_sent_and_origins_are_named() {
    let server = live_mock::start(&catalog_file()).await;
    let live = live(&via_backstage(&server.uri()), None, false);
    let report = fetch(&live, "payments-api").await;
    assert_eq!(report.errors().count(), 0, "{report:#?}");
    let ada = report.oncall().next().unwrap();
    assert_eq!(
        (ada.provider.as_str(), ada.name.as_str()),
        ("pagerduty", "Ada Lovelace")
    );
    assert_eq!(ada.target, "Payments escalation");
    let pd = report
        .results
        .iter()
        .find(|r| r.provider == "pagerduty")
        .unwrap();
    assert_eq!(pd.via, "backstage corp");
    assert_eq!(pd.from.as_deref(), Some("group:default/payments"));
    let og = report
        .results
        .iter()
        .find(|r| r.provider == "opsgenie")
        .unwrap();
    assert_eq!(og.from.as_deref(), Some("group:default/fintech"));
    assert_eq!(severity(&report, "kubernetes"), Severity::Crit);
    assert_eq!(severity(&report, "sonarqube"), Severity::Crit);
    assert_eq!(severity(&report, "github"), Severity::Crit);
    assert_eq!(severity(&report, "argocd"), Severity::Warn);

    let all = server.received_requests().await.unwrap();
    assert!(all
        .iter()
        .all(|r| auth(r).as_deref() == Some("Bearer bs-secret")));
    let deploy = report
        .signal("pagerduty")
        .unwrap()
        .items
        .iter()
        .find(|i| i.title == "change: Deploy payments-api v2.14.0")
        .expect("the change events come through the plugin's route too");
    assert_eq!(
        deploy.url.as_deref(),
        Some("https://github.com/acme/payments-api/releases/tag/v2.14.0")
    );
    for p in [
        "/api/pagerduty/services/PSVC001/change-events",
        "/api/pagerduty/oncall-users",
        "/api/proxy/opsgenie/api/v2/alerts",
        "/api/proxy/argocd/api/applications/payments-api",
        "/api/kubernetes/resources/workloads/query",
        "/api/sonarqube/findings",
        "/api/proxy/github-api/repos/acme/payments-api/actions/runs",
    ] {
        assert!(all.iter().any(|r| r.url.path() == p), "{p} was not asked");
    }
    let k8s = all
        .iter()
        .find(|r| r.url.path() == "/api/kubernetes/resources/workloads/query")
        .unwrap();
    let body: Value = serde_json::from_slice(&k8s.body).unwrap();
    assert_eq!(body["entityRef"], "component:default/payments-api");
    // The plugin routes are probed once for the session, not once per fetch.
    let _ = fetch(&live, "payments-api").await;
    let probes = requests_to(&server, "/api/pagerduty/health").await;
    assert_eq!(probes.len(), 1);
}

#[tokio::test]
async fn a_backstage_without_the_plugin_says_so_in_that_row_only() {
    let server = MockServer::builder().start().await;
    live_mock::mount(&server, &catalog_file()).await;
    let bare = MockServer::builder().start().await; // serves nothing: every route is 404
    let config = format!(
        "sources:\n  - {{type: backstage, name: bare, url: {}}}\n  - {{type: backstage, name: corp, url: {}}}\nintegrations:\n  pagerduty: {{via: backstage, source: bare}}\n  sonarqube: {{via: backstage, source: corp}}\n",
        bare.uri(),
        server.uri()
    );
    let report = fetch(&live(&config, None, false), "payments-api").await;
    let errors: Vec<_> = report.errors().collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "pagerduty");
    assert!(
        errors[0]
            .1
            .contains("the pagerduty backend plugin not found"),
        "{}",
        errors[0].1
    );
    assert_eq!(severity(&report, "pagerduty"), Severity::Unknown);
    assert!(report
        .signal("pagerduty")
        .unwrap()
        .headline
        .starts_with("unknown: "));
    assert_eq!(severity(&report, "sonarqube"), Severity::Crit);
}

/// A server whose GitHub routes answer `response`, the rest as the mock does.
async fn github_answers(response: ResponseTemplate) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(path_regex("^/gh/"))
        .respond_with(response)
        .with_priority(1)
        .mount(&server)
        .await;
    live_mock::mount(&server, &catalog_file()).await;
    server
}

async fn github_error(response: ResponseTemplate, extra: &str) -> (Report, MockServer) {
    let server = github_answers(response).await;
    let report = fetch(
        &live(&direct(&server.uri(), extra), None, false),
        "payments-api",
    )
    .await;
    (report, server)
}

fn github_message(report: &Report) -> String {
    report
        .errors()
        .find(|(p, _)| *p == "github")
        .map(|(_, m)| m.to_string())
        .unwrap_or_else(|| panic!("no github error in {report:#?}"))
}

#[tokio::test]
async fn refused_tokens_and_missing_things_are_named_and_stay_in_their_row() {
    for status in [401u16, 403] {
        let body = serde_json::json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com"});
        let (report, _s) =
            github_error(ResponseTemplate::new(status).set_body_json(body), "").await;
        let m = github_message(&report);
        assert!(
            m.contains(&format!(
                "refused the request (HTTP {status}: Bad credentials)"
            )),
            "{m}"
        );
        assert!(!m.contains("gh-secret"), "{m}");
        assert_eq!(severity(&report, "github"), Severity::Unknown);
        // The other providers still answer.
        assert_eq!(severity(&report, "sonarqube"), Severity::Crit);
        assert_eq!(report.errors().count(), 1);
    }
    let (report, _s) = github_error(ResponseTemplate::new(404), "").await;
    let m = github_message(&report);
    assert!(
        m.contains("/gh/repos/acme/payments-api not found") && m.contains("HTTP 404"),
        "{m}"
    );
}

#[tokio::test]
async fn a_short_retry_after_is_waited_for_and_the_request_retried() {
    let server = MockServer::builder().start().await;
    Mock::given(path("/gh/repos/acme/payments-api"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    live_mock::mount(&server, &catalog_file()).await;
    let started = std::time::Instant::now();
    let report = fetch(
        &live(&direct(&server.uri(), ""), None, false),
        "payments-api",
    )
    .await;
    assert_eq!(severity(&report, "github"), Severity::Crit, "{report:#?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(
        requests_to(&server, "/gh/repos/acme/payments-api")
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn a_long_retry_after_keeps_the_cached_answer_and_pauses_the_provider() {
    let server = MockServer::builder().start().await;
    live_mock::mount(&server, &catalog_file()).await;
    let cache = tempfile::tempdir().unwrap();
    // A TTL of a millisecond: every fetch asks again.
    let config = direct(&server.uri(), "  cache_ttl: 0.001\n");
    let first = fetch(&live(&config, Some(cache.path()), false), "payments-api").await;
    assert_eq!(severity(&first, "github"), Severity::Crit);

    server.reset().await;
    Mock::given(path_regex("^/gh/"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    live_mock::mount(&server, &catalog_file()).await;
    std::thread::sleep(Duration::from_millis(5));
    let second = fetch(&live(&config, Some(cache.path()), false), "payments-api").await;
    let m = github_message(&second);
    assert!(
        m.contains("rate limited") && m.contains("retry in 120 s"),
        "{m}"
    );
    let gh = second
        .results
        .iter()
        .find(|r| r.provider == "github")
        .unwrap();
    assert!(gh.stale);
    assert_eq!(
        gh.answer.signal.severity,
        Severity::Crit,
        "the last known value is kept"
    );
    assert!(second.stale());

    // The next fetch does not ask GitHub at all until the pause is over.
    let asked = requests_to(&server, "/gh/").await.len();
    let third = fetch(&live(&config, Some(cache.path()), false), "payments-api").await;
    assert_eq!(requests_to(&server, "/gh/").await.len(), asked);
    assert_eq!(severity(&third, "github"), Severity::Crit);
}

#[tokio::test]
async fn a_slow_provider_times_out_alone() {
    let response = ResponseTemplate::new(200)
        .set_body_json(live_mock::body("github-repo.json"))
        .set_delay(Duration::from_secs(5));
    let started = std::time::Instant::now();
    let (report, _s) = github_error(response, "  timeout: 0.5\n").await;
    assert!(started.elapsed() < Duration::from_secs(4));
    let m = github_message(&report);
    assert!(m.contains("timed out after 0.5 s"), "{m}");
    assert_eq!(
        report.signal("github").unwrap().headline,
        "unknown: timed out after 0.5 s"
    );
    assert_eq!(severity(&report, "pagerduty"), Severity::Crit);
}

#[tokio::test]
async fn garbage_and_html_answers_are_unreadable_not_a_crash() {
    let (report, _s) = github_error(
        ResponseTemplate::new(200).set_body_string("\u{1b}]0;pwned\u{7}{{{ not json"),
        "",
    )
    .await;
    let m = github_message(&report);
    assert!(
        m.starts_with("unreadable answer from") && m.contains("not JSON"),
        "{m}"
    );
    assert!(!m.contains('\u{1b}'));
    let (report, _s) = github_error(
        ResponseTemplate::new(200).set_body_raw("<html>login</html>", "text/html"),
        "",
    )
    .await;
    assert!(github_message(&report).contains("an HTML page"));
    // JSON of the wrong shape: no runs is "unknown", not an error or a panic.
    let (report, _s) = github_error(
        ResponseTemplate::new(200).set_body_json(serde_json::json!([1, {"workflow_runs": "x"}])),
        "",
    )
    .await;
    assert_eq!(severity(&report, "github"), Severity::Unknown);
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_with_the_token() {
    let elsewhere = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(live_mock::body("github-repo.json")))
        .mount(&elsewhere)
        .await;
    // Same machine, another port: another origin.
    let target = format!(
        "{}/steal",
        elsewhere.uri().replace("127.0.0.1", "localhost")
    );
    let (report, _s) = github_error(
        ResponseTemplate::new(302).insert_header("location", target.as_str()),
        "",
    )
    .await;
    let m = github_message(&report);
    assert!(m.contains("redirected to another host (localhost)"), "{m}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn offline_and_a_dead_network_show_the_last_values_marked_stale() {
    let server = MockServer::builder().start().await;
    live_mock::mount(&server, &catalog_file()).await;
    let cache = tempfile::tempdir().unwrap();
    let config = direct(&server.uri(), "  cache_ttl: 0.001\n");
    let fresh = fetch(&live(&config, Some(cache.path()), false), "payments-api").await;
    assert!(!fresh.stale());
    let fetched_at = fresh.fetched_at().unwrap();
    std::thread::sleep(Duration::from_millis(5));

    let offline = fetch(&live(&config, Some(cache.path()), true), "payments-api").await;
    assert!(offline.stale());
    assert_eq!(offline.errors().count(), 0);
    assert_eq!(offline.fetched_at(), Some(fetched_at));
    assert_eq!(offline.oncall().next().unwrap().name, "Ada Lovelace");
    let asked = server.received_requests().await.unwrap().len();

    drop(server); // the network is gone
    let dead = fetch(&live(&config, Some(cache.path()), false), "payments-api").await;
    assert!(dead.stale());
    assert_eq!(dead.errors().count(), 6, "{dead:#?}");
    assert_eq!(severity(&dead, "kubernetes"), Severity::Crit);
    assert!(asked > 0);

    // Nothing secret was written to the cache.
    for file in std::fs::read_dir(cache.path().join("live")).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        assert!(!text.contains("secret"), "{text}");
    }

    let nothing = tempfile::tempdir().unwrap();
    let cold = fetch(&live(&config, Some(nothing.path()), true), "payments-api").await;
    assert_eq!(severity(&cold, "github"), Severity::Unknown);
    assert!(github_message(&cold).contains("offline and nothing cached"));
}

#[tokio::test]
async fn an_unconfigured_provider_is_absent_and_an_unannotated_entity_has_nothing() {
    let server = live_mock::start(&catalog_file()).await;
    let config = format!(
        "integrations:\n  github: {{base_url: {}/gh, token_command: 'printf x'}}\n",
        server.uri()
    );
    let l = live(&config, None, false);
    let report = fetch(&l, "payments-api").await;
    let providers: Vec<_> = report.signals().map(|s| s.provider.as_str()).collect();
    assert_eq!(providers, ["github"]);
    assert!(fetch(&l, "quiet-lib").await.results.is_empty());
}

fn plugins_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/plugins")
}

#[tokio::test]
async fn plugins_answer_signals_by_command_and_by_http() {
    let server = MockServer::builder().start().await;
    Mock::given(path("/status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "severity": "warn",
            "headline": "2 open \u{1b}[31mbugs",
            "items": [{"title": "PAY-12", "detail": "Refunds fail for AMEX", "url": "https://jira.example/PAY-12"}]
        })))
        .mount(&server)
        .await;
    let script = plugins_dir().join("runbook-check.sh");
    let config = format!(
        "integrations:\n  plugins:\n    - name: runbook\n      command: [{}]\n    - name: jira\n      url: {}/status\n    - name: only-tagged\n      command: [/bin/false]\n      annotation: example.com/never\n",
        script.display(),
        server.uri()
    );
    let report = fetch(&live(&config, None, false), "payments-api").await;
    assert_eq!(report.errors().count(), 0, "{report:#?}");
    let runbook = report.signal("runbook").unwrap();
    assert_eq!(runbook.severity, Severity::Warn);
    assert_eq!(
        runbook.headline,
        "no runbook link for component:default/payments-api"
    );
    let jira = report.signal("jira").unwrap();
    assert_eq!(
        (jira.severity, jira.headline.as_str()),
        (Severity::Warn, "2 open bugs")
    );
    assert_eq!(jira.items[0].title, "PAY-12");
    assert!(report.signal("only-tagged").is_none());
    let asked = &server.received_requests().await.unwrap()[0];
    let query = asked.url.query().unwrap();
    assert!(
        query.contains("entity=component%3Adefault%2Fpayments-api"),
        "{query}"
    );
    assert!(
        query.contains("owner=group%3Adefault%2Fpayments"),
        "{query}"
    );
}

// --- the commands ---------------------------------------------------------------------------

fn idp(home: &Path, config: &str, args: &[&str]) -> std::process::Output {
    let file = home.join("config.yaml");
    std::fs::write(&file, config).unwrap();
    support::idp_command(home)
        .arg("--config")
        .arg(&file)
        .args(args)
        .env("MOCK_BACKSTAGE_TOKEN", "bs-secret")
        .env("MOCK_PD_TOKEN", "pd-secret")
        .env("MOCK_GH_TOKEN", "gh-secret")
        .output()
        .unwrap()
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn check_shapes(oncall: &Value, status: &Value) {
    assert_eq!(
        keys(oncall),
        [
            "errors",
            "fetched_at",
            "incidents",
            "oncall",
            "ref",
            "stale"
        ]
    );
    assert_eq!(
        keys(&oncall["oncall"][0]),
        ["email", "level", "name", "provider", "target", "until", "url"]
    );
    assert_eq!(
        keys(&oncall["incidents"][0]),
        [
            "created_at",
            "id",
            "provider",
            "status",
            "title",
            "urgency",
            "url"
        ]
    );
    assert_eq!(
        keys(status),
        ["errors", "fetched_at", "ref", "signals", "stale"]
    );
    assert_eq!(
        keys(&status["signals"][0]),
        ["headline", "items", "provider", "severity"]
    );
    assert_eq!(
        keys(&status["signals"][0]["items"][0]),
        ["detail", "title", "url", "when"]
    );
    assert_eq!(oncall["ref"], "component:default/payments-api");
    assert_eq!(oncall["stale"], false);
    assert!(oncall["fetched_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(oncall["oncall"][0]["name"], "Ada Lovelace");
    assert_eq!(oncall["oncall"][0]["email"], "ada@acme.example");
    assert_eq!(oncall["incidents"][0]["urgency"], "high");
    let severities: Vec<(&str, &str)> = status["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["provider"].as_str().unwrap(),
                s["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        severities,
        [
            ("pagerduty", "crit"),
            ("opsgenie", "warn"),
            ("github", "crit"),
            ("argocd", "warn"),
            ("kubernetes", "crit"),
            ("sonarqube", "crit")
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn oncall_and_status_through_backstage() {
    let server = live_mock::start(&catalog_file()).await;
    let home = tempfile::tempdir().unwrap();
    let config = live_mock::config(&server.uri(), true, &catalog_file());
    let oncall = json_of(&idp(
        home.path(),
        &config,
        &["oncall", "payments-api", "--json"],
    ));
    let status = json_of(&idp(
        home.path(),
        &config,
        &["status", "payments-api", "--json"],
    ));
    check_shapes(&oncall, &status);
    assert_eq!(oncall["errors"], serde_json::json!([]));
    assert_eq!(
        oncall["oncall"][0]["level"],
        Value::Null,
        "the plugin route gives no level"
    );
    let all = server.received_requests().await.unwrap();
    assert!(all
        .iter()
        .all(|r| auth(r).as_deref() == Some("Bearer bs-secret")));

    let text = idp(home.path(), &config, &["oncall", "payments-api"]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("Ada Lovelace <ada@acme.example>"),
        "{stdout}"
    );
    assert!(stdout.contains("[from group:default/payments]"), "{stdout}");
    assert!(!stdout.contains("bs-secret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn oncall_and_status_direct_and_the_exit_codes() {
    let server = live_mock::start(&catalog_file()).await;
    let home = tempfile::tempdir().unwrap();
    let config = live_mock::config(&server.uri(), false, &catalog_file());
    let oncall = json_of(&idp(
        home.path(),
        &config,
        &["oncall", "payments-api", "--json"],
    ));
    let status = json_of(&idp(
        home.path(),
        &config,
        &["status", "payments-api", "--json"],
    ));
    check_shapes(&oncall, &status);
    assert_eq!(oncall["oncall"][0]["level"], 1);
    assert_eq!(oncall["oncall"][0]["until"], "2026-12-08T09:00:00Z");

    let unknown = idp(home.path(), &config, &["status", "no-such-thing", "--json"]);
    assert_eq!(unknown.status.code(), Some(2));

    // A provider failing is listed, and the command still answers.
    drop(server);
    let broken = format!("{config}  timeout: 2\n");
    let out = idp(
        home.path(),
        &broken,
        &["status", "payments-api", "--json", "--refresh"],
    );
    let v = json_of(&out);
    assert_eq!(v["stale"], true);
    assert_eq!(v["errors"].as_array().unwrap().len(), 6);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot reach"),
        "{v}"
    );
    assert_eq!(
        v["signals"][0]["severity"], "crit",
        "the cached value stands in"
    );
}

/// An Opsgenie alert as the API lists it.
fn og_alert(n: usize) -> Value {
    serde_json::json!({
        "id": format!("alert-{n}"), "tinyId": n.to_string(), "message": format!("alert {n}"),
        "status": "open", "acknowledged": false, "priority": if n == 0 { "P1" } else { "P4" },
        "createdAt": "2026-12-07T12:00:00Z"
    })
}

#[tokio::test]
async fn opsgenie_open_alerts_are_read_page_by_page_on_the_same_host() {
    use wiremock::matchers::query_param;
    let server = MockServer::start().await;
    for (route, fixture) in [
        (r"^/og/v2/schedules$", "opsgenie-schedules.json"),
        (
            r"^/og/v2/schedules/[^/]+/on-calls$",
            "opsgenie-oncalls.json",
        ),
    ] {
        Mock::given(method("GET"))
            .and(path_regex(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(live_mock::body(fixture)))
            .mount(&server)
            .await;
    }
    let first: Vec<Value> = (0..100).map(og_alert).collect();
    // `paging.next` names another host: it is never followed (the token would go with it).
    Mock::given(method("GET"))
        .and(path("/og/v2/alerts"))
        .and(query_param("offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": first,
            "paging": {"next": "https://elsewhere.example/v2/alerts?offset=100", "first": "x"}
        })))
        .mount(&server)
        .await;
    let second: Vec<Value> = (100..103).map(og_alert).collect();
    Mock::given(method("GET"))
        .and(path("/og/v2/alerts"))
        .and(query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": second, "paging": {"first": "x"}
        })))
        .mount(&server)
        .await;
    let config = format!(
        "integrations:\n  opsgenie: {{base_url: {}/og, token_command: 'printf og-secret'}}\n",
        server.uri()
    );
    let report = fetch(&live(&config, None, false), "payments-api").await;
    let og = report.signal("opsgenie").unwrap();
    assert_eq!(
        og.headline.split(" · ").next(),
        Some("103 open alerts (1 P1/P2)"),
        "{og:?}"
    );
    assert_eq!(report.incidents().count(), 103);
    let offsets: Vec<String> = requests_to(&server, "/og/v2/alerts")
        .await
        .iter()
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "offset")
                .map(|(_, v)| v.to_string())
        })
        .collect();
    assert_eq!(offsets, ["0", "100"]);
}

/// A pod that is running and ready.
fn pod(name: &str) -> Value {
    serde_json::json!({
        "metadata": {"name": name},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                                          "state": {"running": {}}}]}
    })
}

#[tokio::test]
async fn kubernetes_lists_follow_continue_and_restart_once_when_the_token_expired() {
    use wiremock::matchers::{query_param, query_param_is_missing};
    let server = MockServer::start().await;
    let pods = "/k8s/api/v1/namespaces/payments/pods";
    // The first list gives a page and a token that has expired by the time it is used (410);
    // the list started again comes in two pages.
    Mock::given(method("GET"))
        .and(path(pods))
        .and(query_param_is_missing("continue"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "metadata": {"continue": "expired"}, "items": [pod("old-1")]
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(pods))
        .and(query_param("continue", "expired"))
        .respond_with(ResponseTemplate::new(410).set_body_json(serde_json::json!({
            "kind": "Status", "code": 410, "reason": "Expired"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(pods))
        .and(query_param_is_missing("continue"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "metadata": {"continue": "page-2"}, "items": [pod("api-1"), pod("api-2")]
        })))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(pods))
        .and(query_param("continue", "page-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "metadata": {}, "items": [pod("api-3")]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/k8s/apis/apps/v1/namespaces/payments/deployments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "metadata": {}, "items": []
        })))
        .mount(&server)
        .await;
    let config = format!(
        "integrations:\n  kubernetes: {{base_url: {}/k8s, token_command: 'printf k8s-secret', namespace: payments}}\n",
        server.uri()
    );
    let report = fetch(&live(&config, None, false), "payments-api").await;
    assert_eq!(report.errors().count(), 0, "{report:#?}");
    let k8s = report.signal("kubernetes").unwrap();
    let listed: Vec<&str> = k8s
        .items
        .iter()
        .filter_map(|i| i.title.strip_prefix("pod "))
        .collect();
    assert_eq!(listed, ["api-1", "api-2", "api-3"], "{k8s:?}");
    let continues: Vec<Option<String>> = requests_to(&server, pods)
        .await
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "continue")
                .map(|(_, v)| v.to_string())
        })
        .collect();
    assert_eq!(
        continues,
        [None, Some("expired".into()), None, Some("page-2".into())]
    );
}

#[tokio::test]
async fn deps_reverse_names_who_is_on_call_now_for_each_team_to_notify() {
    let server = live_mock::start(&catalog_file()).await;
    let home = tempfile::tempdir().unwrap();
    // The live catalog and a web front end that depends on payments-api, owned by the same
    // team (whose PagerDuty service names Ada Lovelace).
    let catalog = home.path().join("blast.yaml");
    let mut text = std::fs::read_to_string(catalog_file()).unwrap();
    text.push_str("\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout-web\nspec: {type: website, lifecycle: production, owner: payments, dependsOn: [component:payments-api]}\n");
    std::fs::write(&catalog, text).unwrap();
    let config = live_mock::config(&server.uri(), false, &catalog);
    let out = idp(home.path(), &config, &["deps", "--reverse", "payments-api"]);
    assert!(out.status.success(), "{out:?}");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("teams to notify (1):"), "{shown}");
    assert!(
        shown.contains("on call now: Ada Lovelace <ada@acme.example>  (pagerduty, level 1, until 2026-12-08T09:00:00Z)"),
        "{shown}"
    );
    let json = json_of(&idp(
        home.path(),
        &config,
        &["deps", "--reverse", "payments-api", "--json"],
    ));
    let team = &json["affected_owners"][0];
    assert_eq!(team["ref"], "group:default/payments", "{json}");
    assert_eq!(team["oncall_now"][0]["name"], "Ada Lovelace", "{json}");
    assert_eq!(team["oncall_now"][0]["provider"], "pagerduty");
    // Without integrations nothing is asked and the output is as before.
    let plain = format!(
        "sources:\n  - type: file\n    path: {}\n",
        catalog.display()
    );
    let json = json_of(&idp(
        home.path(),
        &plain,
        &["deps", "--reverse", "payments-api", "--json"],
    ));
    assert!(
        json["affected_owners"][0].get("oncall_now").is_none(),
        "{json}"
    );
}
