//! Secrets through the real binary: a Backstage token (from `token_env`) and scaffolder
//! Secret/password values never reach the output, `--json`, error messages or any file the
//! program writes (cache, state, drafts). The TUI side (log file, screen) is in tests/pty.rs.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

mod support;

use std::path::Path;
use std::process::Output;
use support::*;
use wiremock::MockServer;

const TOKEN: &str = "tok-5b1e77-do-not-leak";

fn idp(home: &Path, args: &[&str]) -> Output {
    idp_command(home)
        .args(args)
        .current_dir(home)
        .env("IDP_TEST_TOKEN", TOKEN)
        .env("IDP_TUI_LOG", "trace")
        .env("NO_COLOR", "1")
        .output()
        .expect("run idp-tui")
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Fails naming the place when `secret` is in the output or in any file under `dir`.
fn assert_nowhere(secret: &str, outputs: &[(String, Output)], dir: &Path) {
    for (what, out) in outputs {
        assert!(
            !contains(&out.stdout, secret),
            "{secret} in stdout of {what}"
        );
        assert!(
            !contains(&out.stderr, secret),
            "{secret} in stderr of {what}"
        );
    }
    for f in support::files_under(dir) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!contains(&bytes, secret), "{secret} in {}", f.display());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_backstage_token_is_sent_but_never_printed_or_stored() {
    let good = MockServer::start().await;
    serve_fixture(&good, "by-query-all-ordered", None).await;
    let bad = MockServer::start().await;
    serve_fixture(&bad, "error-401-bad-token", None).await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("idp.yaml");
    std::fs::write(
        &config,
        format!(
            "sources:\n  - name: good\n    type: backstage\n    url: {}\n    token_env: IDP_TEST_TOKEN\n  - name: bad\n    type: backstage\n    url: {}\n    token_env: IDP_TEST_TOKEN\n",
            good.uri(),
            bad.uri()
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let runs: Vec<&[&str]> = vec![
        &["fetch"],
        &["fetch", "--json"],
        &["fetch", "--source", "bad"],
        &["search", "orders", "--json"],
        &["show", "orders-service", "--json"],
        &["validate", "--json"],
        &["--offline", "search", "orders", "--json"],
    ];
    let mut outputs = Vec::new();
    for args in runs {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        outputs.push((args.join(" "), idp(home.path(), &all)));
    }
    // The runs did what they should: data from the good server, the 401 reported.
    let search = &outputs[3].1;
    assert!(
        String::from_utf8_lossy(&search.stdout).contains("orders-service"),
        "{}",
        String::from_utf8_lossy(&search.stderr)
    );
    let rejected = &outputs[2].1;
    assert!(!rejected.status.success());
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&rejected.stdout),
        String::from_utf8_lossy(&rejected.stderr)
    );
    assert!(said.contains("401"), "{said}");
    assert!(
        !support::files_under(&home.path().join("cache")).is_empty(),
        "a cache was written"
    );
    // The token was really sent to both servers.
    for server in [&good, &bad] {
        let requests = server.received_requests().await.unwrap();
        assert!(!requests.is_empty());
        assert!(requests.iter().all(|r| r
            .headers
            .get("authorization")
            .is_some_and(|v| v == format!("Bearer {TOKEN}").as_str())));
    }
    assert_nowhere(TOKEN, &outputs, home.path());
}

#[test]
fn scaffolder_secrets_never_reach_json_output() {
    let home = tempfile::tempdir().unwrap();
    let template = std::fs::canonicalize("tests/data/templates/secrets/template.yaml").unwrap();
    let template = template.display().to_string();
    std::fs::write(
        home.path().join("v.yaml"),
        "name: leaky-svc\ntoken: s3cret-T0KEN-value\npw: hunter2-pa55word\n",
    )
    .unwrap();
    let mut outputs = Vec::new();
    for args in [
        vec![
            "scaffold",
            "leaky",
            "--values",
            "v.yaml",
            "--out",
            "a",
            "--dry-run",
            "--json",
        ],
        vec![
            "scaffold",
            "leaky",
            "--values",
            "v.yaml",
            "--out",
            "b",
            "--dry-run",
        ],
        vec![
            "scaffold", "leaky", "--values", "v.yaml", "--out", "c", "--json",
        ],
    ] {
        let mut all = vec!["--catalog", template.as_str()];
        all.extend(args.iter().copied());
        let out = idp(home.path(), &all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push((args.join(" "), out));
    }
    let json = String::from_utf8_lossy(&outputs[0].1.stdout).to_string();
    assert!(json.contains("leaky-svc"), "the plan is there: {json}");
    // The written files hold what the template asked for: that is the user's choice. Only
    // output, JSON and state are checked.
    let written = std::fs::read_to_string(home.path().join("c/config.txt")).unwrap();
    assert!(written.contains("name=leaky-svc"), "{written}");
    for secret in ["s3cret-T0KEN-value", "hunter2-pa55word"] {
        assert_nowhere(secret, &outputs, &home.path().join("state"));
    }
}
