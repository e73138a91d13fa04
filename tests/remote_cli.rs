//! The binary against a Backstage test server: `--catalog URL`, `fetch`, then `--offline`.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod support;

use std::path::Path;
use std::process::Output;
use support::*;
use wiremock::MockServer;

/// Runs idp-tui with its config, cache and home inside `home`, and a token in the environment.
fn idp(home: &Path, args: &[&str]) -> Output {
    idp_command(home)
        .args(args)
        .env("BACKSTAGE_TOKEN", "cli-secret-token")
        .output()
        .unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn search_reads_a_live_catalog_given_by_url() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    let home = tempfile::tempdir().unwrap();
    let out = idp(
        home.path(),
        &["--catalog", &server.uri(), "search", "orders", "--json"],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("component:default/orders-service"),
        "{stdout}"
    );
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        request.headers.get("authorization").unwrap(),
        "Bearer cli-secret-token"
    );
    assert!(!stdout.contains("cli-secret-token"));
    assert!(!text(&out.stderr).contains("cli-secret-token"));
}

#[test]
fn fetch_then_offline_works_without_the_server() {
    // A server that answers the one fetch request, then is gone.
    let url = one_shot_server(fixture("by-query-all-ordered").1);
    let home = tempfile::tempdir().unwrap();
    let out = idp(home.path(), &["--catalog", &url, "fetch"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.starts_with("127.0.0.1: 61 entities in"), "{stdout}");

    let out = idp(
        home.path(),
        &["--catalog", &url, "--offline", "show", "orders-service"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("orders-service"));
    assert!(
        text(&out.stderr).contains("offline, using the cached copy from"),
        "{}",
        text(&out.stderr)
    );

    // Online again but the server is gone: the cached copy stands in, and says why.
    let out = idp(home.path(), &["--catalog", &url, "show", "orders-service"]);
    assert!(
        out.status.success(),
        "{:?} {} {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&format!("cannot reach {url}")), "{stderr}");
    assert!(stderr.contains("using the cached copy from"), "{stderr}");
}

#[test]
fn a_damaged_cache_is_called_damaged_not_missing() {
    let url = one_shot_server(fixture("by-query-all-ordered").1);
    let home = tempfile::tempdir().unwrap();
    let out = idp(home.path(), &["--catalog", &url, "fetch"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // One bit in the cache's saved time; then the server is gone.
    let sources = std::fs::read_dir(home.path().join("cache"))
        .unwrap()
        .flatten()
        .flat_map(|d| {
            std::fs::read_dir(d.path().join("sources"))
                .into_iter()
                .flatten()
        })
        .flatten()
        .map(|e| e.path())
        .collect::<Vec<_>>();
    assert_eq!(sources.len(), 1, "{sources:?}");
    let mut bytes = std::fs::read(&sources[0]).unwrap();
    bytes[19] |= 0x80;
    std::fs::write(&sources[0], bytes).unwrap();
    let out = idp(home.path(), &["--catalog", &url, "search", "orders"]);
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("no cached copy"), "{stderr}");
    assert!(
        stderr.contains("the cached copy cannot be used") && stderr.contains("damaged"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn fetch_reports_a_rejected_token_and_fails() {
    let server = MockServer::start().await;
    serve_fixture(&server, "error-401-bad-token", None).await;
    let home = tempfile::tempdir().unwrap();
    let out = idp(
        home.path(),
        &["--catalog", &server.uri(), "fetch", "--json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["ok"], false);
    assert_eq!(
        json[0]["error"],
        format!(
            "token rejected by {} (HTTP 401: Illegal token): set BACKSTAGE_TOKEN",
            server.uri()
        )
    );
    assert!(!text(&out.stdout).contains("cli-secret-token"));
}

#[test]
fn offline_without_a_cache_says_to_fetch_first() {
    let home = tempfile::tempdir().unwrap();
    let out = idp(
        home.path(),
        &[
            "--catalog",
            "http://127.0.0.1:9",
            "--offline",
            "search",
            "x",
        ],
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("offline and no cached copy yet; run `idp-tui fetch` while online"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn fetch_by_name_from_the_config_file() {
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-empty", None).await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.yaml");
    std::fs::write(
        &config,
        format!(
            "sources:\n  - name: local\n    type: file\n    path: {}\n  - name: prod\n    type: backstage\n    url: {}\n    token_env: PROD_TOKEN\n",
            home.path().display(),
            server.uri()
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let out = idp(
        home.path(),
        &["--config", &config, "fetch", "--source", "prod"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("prod: 0 entities"));
    let out = idp(
        home.path(),
        &["--config", &config, "fetch", "--source", "nope"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no source named `nope`; the sources are: local, prod"),
        "{}",
        text(&out.stderr)
    );
}

/// Every file under `dir` whose name ends in `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_ending(&path, suffix));
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_on_a_live_catalog_writes_its_cache_but_no_start_up_snapshot() {
    // The fetch replaces all a snapshot would hold: each command would decode one and write
    // the next for nothing.
    let server = MockServer::start().await;
    serve_fixture(&server, "by-query-all-ordered", None).await;
    let home = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = idp(
            home.path(),
            &["--catalog", &server.uri(), "search", "orders", "--json"],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("component:default/orders-service"));
    }
    assert!(
        files_ending(home.path(), ".snapshot").is_empty(),
        "{:?}",
        files_ending(home.path(), ".snapshot")
    );
    // The source's own cache is written: offline, the command still answers.
    let out = idp(
        home.path(),
        &[
            "--catalog",
            &server.uri(),
            "--offline",
            "search",
            "orders",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("component:default/orders-service"));
}
