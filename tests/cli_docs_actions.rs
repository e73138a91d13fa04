//! The `docs`, `api` and `action` commands and `search in:docs`, through the real binary.

use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        // Never pick up the developer's own config file.
        .env("XDG_CONFIG_HOME", "/nonexistent-idp-tui-config")
        .env("HOME", "/nonexistent-idp-tui-home")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn docs_without_page_prints_the_index_then_the_page_list_as_plain_text() {
    let o = run(&["docs", "ledger-writer", "--width", "60"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("ledger-writer\n═════════════\n"), "{out}");
    assert!(out.contains("Pages of ledger-writer"), "{out}");
    assert!(out.contains("  On-call runbook  (runbook.md)"), "{out}");
    assert!(out.contains("[2] page runbook.md"), "{out}");
    assert!(!out.contains('\u{1b}'), "no escape codes when piped");
    assert!(out.lines().all(|l| l.chars().count() <= 60), "{out}");
}

#[test]
fn docs_page_by_name_and_unknown_page_lists_pages() {
    let o = run(&["docs", "ledger-writer", "--page", "runbook"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Database connections exhausted"));
    assert!(!stdout(&o).contains("Pages of"));
    let o = run(&["docs", "ledger-writer", "--page", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("architecture.md"), "{}", stderr(&o));
}

#[test]
fn docs_of_an_entity_without_any_says_so() {
    let catalog = format!("{DATA}/actions/hostile.yaml");
    let o = run(&["--catalog", &catalog, "docs", "hostile"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("has no docs"), "{}", stderr(&o));
    // The demo's payments-api keeps its docs in its repository (url: techdocs-ref).
    let o = run(&["docs", "payments-api"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("docs are built from https://github.com/northwind/payments-api"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn docs_refuse_a_techdocs_ref_outside_the_catalog() {
    let catalog = format!("{DATA}/docs-site");
    let o = run(&["--catalog", &catalog, "docs", "escaper"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("outside the catalog root"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "--catalog",
        &catalog,
        "docs",
        "handbook",
        "--page",
        "Deploying",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Rolling back"));
    assert!(
        stdout(&o).contains("page guides/setup.md"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn search_in_docs_finds_headings() {
    let o = run(&["search", "in:docs", "hot", "accounts"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o).trim(),
        "docs  component:default/ledger-writer  runbook.md#hot-accounts  Hot accounts"
    );
}

#[test]
fn api_lists_operations_and_json_has_details() {
    let catalog = format!("{DATA}/apis");
    let o = run(&["--catalog", &catalog, "api", "petstore"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("GET     /pets          List all pets"),
        "{out}"
    );
    let o = run(&["--catalog", &catalog, "api", "petstore31", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["view"], "openApi");
    assert_eq!(v["webhooks"][0]["path"], "newPet");
}

#[test]
fn api_with_a_broken_definition_shows_it_raw_with_the_error() {
    let catalog = format!("{DATA}/apis");
    let o = run(&["--catalog", &catalog, "api", "broken-openapi"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("could not be read"), "{}", stderr(&o));
    assert!(stdout(&o).contains("[unclosed"));
    let o = run(&["--catalog", &catalog, "api", "remote-openapi"]);
    assert_eq!(
        stdout(&o).trim(),
        "definition at https://example.com/openapi.yaml"
    );
}

fn action(args: &[&str]) -> Output {
    let config = format!("{DATA}/actions/config.yaml");
    let catalog = format!("{DATA}/actions/hostile.yaml");
    let mut all = vec!["--config", &config, "--catalog", &catalog, "action"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn an_action_passes_hostile_values_as_literal_arguments() {
    let o = action(&["E", "hostile"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "x; rm -rf ~ $(touch /tmp/idp-tui-pwned) `id` it's\ncomponent:default/hostile\n"
    );
    let o = action(&["Script", "hostile", "--yes"]);
    assert_eq!(
        stdout(&o),
        "[a \"quoted\" $(touch /tmp/idp-tui-pwned); echo done]\n"
    );
    assert!(!std::path::Path::new("/tmp/idp-tui-pwned").exists());
}

#[test]
fn dry_run_prints_the_argument_vector_and_runs_nothing() {
    let o = action(&["tail logs", "hostile", "--dry-run", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["argv"],
        serde_json::json!(["kubectl", "logs", "-l", "app=hostile", "--tail=200"])
    );
}

#[test]
fn a_confirmed_action_without_a_terminal_or_yes_is_not_run() {
    let o = action(&["S", "hostile"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
}

#[test]
fn an_unknown_action_lists_the_ones_that_apply() {
    let o = action(&["nope", "hostile"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("Tail logs"), "{}", stderr(&o));
}

#[test]
fn built_in_links_run_by_title() {
    let o = run(&["action", "Service dashboard", "ledger-writer", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("https://grafana.northwind.example/d/ledger-writer"));
}

/// Runs `action` with a fake `xdg-open` first on `PATH`: a shell script with this body.
fn action_with_opener(script: &str, args: &[&str]) -> (Output, tempfile::TempDir) {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let opener = dir.path().join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\n{script}\n")).expect("write the opener");
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .arg("action")
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-idp-tui-config")
        .env("HOME", "/nonexistent-idp-tui-home")
        .env("PATH", path)
        .output()
        .expect("the binary runs");
    (o, dir)
}

#[test]
fn opening_a_link_waits_for_the_opener() {
    // The opener takes a moment before it hands the URL on: the command returns after that.
    let (o, dir) = action_with_opener(
        r#"sleep 0.3; printf '%s' "$1" > "$(dirname "$0")/opened""#,
        &["Service dashboard", "ledger-writer"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let opened = std::fs::read_to_string(dir.path().join("opened")).unwrap_or_default();
    assert_eq!(opened, "https://grafana.northwind.example/d/ledger-writer");
}

#[test]
fn a_failing_opener_is_reported_with_its_status_and_what_it_said() {
    let (o, _dir) = action_with_opener(
        r#"echo "xdg-open: no method available for opening '$1'" >&2; exit 3"#,
        &["Service dashboard", "ledger-writer"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("exit status: 3"), "{err}");
    assert!(
        err.contains(
            "no method available for opening 'https://grafana.northwind.example/d/ledger-writer'"
        ),
        "{err}"
    );
}

#[test]
fn docs_work_with_a_catalog_file_named_without_a_directory() {
    // `--catalog catalog-info.yaml` from the file's own folder: its root is the current
    // directory (it used to be the empty path, which no directory check accepted).
    let o = Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args([
            "--catalog",
            "catalog-info.yaml",
            "docs",
            "handbook",
            "--page",
            "Setup",
        ])
        .current_dir(format!("{DATA}/docs-site"))
        .env("XDG_CONFIG_HOME", "/nonexistent-idp-tui-config")
        .env("HOME", "/nonexistent-idp-tui-home")
        .output()
        .expect("the binary runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let relative = stdout(&o);
    let o = run(&[
        "--catalog",
        &format!("{DATA}/docs-site/catalog-info.yaml"),
        "docs",
        "handbook",
        "--page",
        "Setup",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(relative, stdout(&o), "the same page either way");
}

#[test]
fn an_action_with_inputs_takes_them_from_set_as_inert_arguments() {
    let o = action(&[
        "R",
        "hostile",
        "--set",
        "replicas=7",
        "--set",
        "reason=x; rm -rf ~ $(touch /tmp/idp-tui-pwned)",
        "--yes",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "scale\ndeploy/hostile\n--replicas=7\n--\nx; rm -rf ~ $(touch /tmp/idp-tui-pwned)\n"
    );
    assert!(!std::path::Path::new("/tmp/idp-tui-pwned").exists());
}

#[test]
fn an_action_with_inputs_reads_a_values_file_and_set_overrides_it() {
    let values = format!("{DATA}/actions/scale-values.yaml");
    let o = action(&["R", "hostile", "--values", &values, "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("confirm: Scale hostile to 12 replicas?"),
        "{out}"
    );
    assert!(
        out.contains(r#""--replicas=12", "--", "$(id); rm -rf ~"]"#),
        "{out}"
    );
    let o = action(&[
        "R",
        "hostile",
        "--values",
        &values,
        "--set",
        "replicas=0",
        "--dry-run",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["argv"][4], "--replicas=0");
    assert_eq!(v["message"], "Scale hostile to 0 replicas?");
}

#[test]
fn invalid_inputs_exit_1_listing_every_one() {
    let o = action(&["R", "hostile", "--set", "replicas=51", "--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("idp-tui: invalid: Replicas (replicas): must be at most 50"),
        "{err}"
    );
    assert!(
        err.contains("idp-tui: invalid: Reason (reason): is required"),
        "{err}"
    );
    let o = action(&["R", "hostile", "--set", "replicas=many", "--set", "size=3"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("must be a whole number"), "{err}");
    assert!(err.contains("size: no input of that name"), "{err}");
    let o = action(&["E", "hostile", "--set", "x=1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("declares no inputs"), "{}", stderr(&o));
}
