//! Helpers shared by the remote-source tests: the captured Backstage responses, a test server
//! serving them, and sources with short timeouts.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason
#![allow(dead_code)]

pub mod live_mock;

use idp_tui::source::{BackstageSource, HttpOptions, LoadMode, LoadOptions, Secret, TokenSource};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The captured responses (`tests/data/backstage-api/`, copied from a real Backstage backend).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/backstage-api")
}

/// A captured response: status and body bytes.
pub fn fixture(name: &str) -> (u16, Vec<u8>) {
    let raw = std::fs::read(fixtures_dir().join(format!("{name}.http"))).unwrap();
    let split = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, 2))
        .or_else(|| {
            raw.windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|i| (i, 4))
        })
        .expect("a blank line after the headers");
    let head = String::from_utf8_lossy(&raw[..split.0]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, raw[split.0 + split.1..].to_vec())
}

/// `pageInfo.nextCursor` of a captured page.
pub fn next_cursor(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v["pageInfo"]["nextCursor"].as_str().unwrap().to_string()
}

/// Serves a fixture at by-query, for the request with this cursor (or without one).
pub async fn serve_fixture(server: &MockServer, name: &str, cursor: Option<&str>) {
    let (status, body) = fixture(name);
    let mock = Mock::given(method("GET")).and(path("/api/catalog/entities/by-query"));
    let mock = match cursor {
        Some(c) => mock.and(query_param("cursor", c)),
        None => mock.and(query_param_is_missing("cursor")),
    };
    mock.respond_with(
        ResponseTemplate::new(status).set_body_raw(body, "application/json; charset=utf-8"),
    )
    .mount(server)
    .await;
}

/// Answers the by-query request with this cursor with `response` (a slow page, a broken one).
pub async fn serve_at_cursor(server: &MockServer, cursor: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/api/catalog/entities/by-query"))
        .and(query_param("cursor", cursor))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Three pages of five: page 1, page 2 (its cursor), then the last page (for page 2's cursor).
pub async fn mount_three_pages(server: &MockServer) {
    let (_, page1) = fixture("by-query-limit5-page1");
    let (_, page2) = fixture("by-query-limit5-page2");
    serve_fixture(server, "by-query-limit5-page1", None).await;
    serve_fixture(server, "by-query-limit5-page2", Some(&next_cursor(&page1))).await;
    serve_fixture(server, "by-query-limit5-last", Some(&next_cursor(&page2))).await;
}

/// Fast timeouts and backoff, so failure tests take well under a second.
pub fn fast_http() -> HttpOptions {
    HttpOptions {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(10),
        retry_budget: Duration::from_secs(3),
        page_size: 5,
        max_body_bytes: 16 * 1024 * 1024,
        max_pages: 100,
        ..HttpOptions::default()
    }
}

/// A source named `test` for the server, with token `test-token` and fast options.
pub fn test_source(server: &MockServer) -> BackstageSource {
    let mut s = BackstageSource::from_url(&server.uri());
    s.name = "test".into();
    s.token = TokenSource::Literal(Secret::new("test-token"));
    s.http = fast_http();
    s
}

/// Load options with a cache directory.
pub fn options(cache_dir: &Path, mode: LoadMode, offline: bool) -> LoadOptions {
    LoadOptions {
        mode,
        offline,
        cache_dir: Some(cache_dir.to_path_buf()),
    }
}

/// A port nothing listens on (just freed).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server that answers exactly one request with `body`, then stops listening. Returns its URL.
pub fn one_shot_server(body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 8192];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        // The listener drops here: later connections are refused.
    });
    url
}

/// Every file under `dir`, recursively (to grep what a run left on disk).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The built binary, ready to run against a test server: HOME and its config, cache and state
/// directories inside `home` (nothing of the developer's is read or written), and no proxy
/// between it and the server on 127.0.0.1.
pub fn idp_command(home: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_idp-tui"));
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"));
    for proxy in [
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(proxy);
    }
    cmd
}

/// The first POST a test server received (a task submission) and its JSON body.
pub async fn the_post(server: &MockServer) -> (wiremock::Request, serde_json::Value) {
    let requests = server.received_requests().await.expect("recording is on");
    let mut posts = requests.into_iter().filter(|r| r.method.as_str() == "POST");
    let post = posts.next().expect("a POST was received");
    let body = serde_json::from_slice(&post.body).expect("the POST's body is JSON");
    (post, body)
}

/// Writes a file and dates it an hour back, so it counts as settled (not being written).
pub fn write_old(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600))
        .unwrap();
}
