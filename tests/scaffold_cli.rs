//! `idp-tui scaffold` and `idp-tui templates` through the real binary, on the embedded demo's
//! templates.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use idp_tui::catalog::{validate::validate, Entity, Origin, Severity};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const GO_VALUES: &str = r#"
name: invoice-sender
description: 'Sends "invoices": to merchants.'
owner: group:default/payments-team
system: payments-core
port: 9090
database: postgres
dbSize: small
enableMetrics: true
tags: [go, http]
repoUrl: github.com?owner=northwind&repo=invoice-sender
"#;

fn idp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        .current_dir(dir)
        // No user config: the embedded demo catalog.
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run idp-tui")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn go_service_end_to_end_writes_the_rendered_skeleton() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("v.yaml"), GO_VALUES).unwrap();
    let out = idp(
        dir.path(),
        &[
            "scaffold",
            "go-service",
            "--values",
            "v.yaml",
            "--out",
            "svc",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("publish:github runs on Backstage"),
        "{stdout}"
    );
    assert!(stdout.contains("Metrics dashboard: https://grafana.northwind.example/d/go-service?var-service=invoice-sender"), "{stdout}");
    let svc = dir.path().join("svc");
    assert_eq!(
        entries(&svc),
        [
            ".gitignore",
            "README.md",
            "catalog-info.yaml",
            "cmd",
            "go.mod",
            "invoice-sender.env.example",
            "main.go",
            "metrics.go",
            "static"
        ]
    );
    assert!(svc.join("cmd/invoice-sender/main.go").is_file());
    let logo = std::fs::read(svc.join("static/logo.txt")).unwrap();
    let original = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/demo/templates/go-service/skeleton/static/logo.txt"
    ))
    .unwrap();
    assert_eq!(
        logo, original,
        "copyWithoutTemplating keeps the file byte for byte"
    );
    let env = std::fs::read_to_string(svc.join("invoice-sender.env.example")).unwrap();
    assert!(
        env.contains("PORT=9090\nDATABASE_URL=postgres://invoice-sender:"),
        "{env}"
    );
    let yaml = std::fs::read_to_string(svc.join("catalog-info.yaml")).unwrap();
    let doc: Value = serde_yaml::from_str(&yaml).unwrap();
    let (entity, _) = Entity::from_value(doc, Origin::new("catalog-info.yaml", None)).unwrap();
    assert!(validate(&entity)
        .iter()
        .all(|p| p.severity != Severity::Error));
    assert_eq!(
        entity.entity_ref().as_str(),
        "component:default/invoice-sender"
    );
    assert_eq!(
        entity.metadata.description.as_deref(),
        Some("Sends \"invoices\": to merchants.")
    );
    assert_eq!(entity.metadata.tags, ["go", "http"]);
    assert_eq!(
        entity.spec["dependsOn"][0],
        "resource:invoice-sender-postgres"
    );
    assert_eq!(
        entries(dir.path()),
        ["svc", "v.yaml"],
        "no staging directory left"
    );
}

#[test]
fn metrics_file_is_left_out_when_metrics_are_off() {
    let dir = tempfile::tempdir().unwrap();
    let values = GO_VALUES.replace("enableMetrics: true", "enableMetrics: false");
    std::fs::write(dir.path().join("v.yaml"), values).unwrap();
    let out = idp(
        dir.path(),
        &[
            "scaffold",
            "go-service",
            "--values",
            "v.yaml",
            "--out",
            "svc",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svc = dir.path().join("svc");
    assert!(!svc.join("metrics.go").exists());
    let gomod = std::fs::read_to_string(svc.join("go.mod")).unwrap();
    assert!(!gomod.contains("prometheus"), "{gomod}");
    assert!(!text(&out.stdout).contains("Metrics dashboard"));
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("v.yaml"), GO_VALUES).unwrap();
    let out = idp(
        dir.path(),
        &[
            "scaffold",
            "go-service",
            "--values",
            "v.yaml",
            "--out",
            "svc",
            "--dry-run",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["dry_run"], true);
    let files: Vec<&str> = plan["plan"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"cmd/invoice-sender/main.go"), "{files:?}");
    assert!(plan["plan"]["files"][0]["size"].as_u64().unwrap() > 0);
    assert_eq!(
        plan["plan"]["registered"][0],
        "component:default/invoice-sender"
    );
    assert_eq!(entries(dir.path()), ["v.yaml"]);
}

#[test]
fn invalid_values_exit_1_listing_each_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("v.yaml"),
        "name: Not Valid\nport: 80\ndatabase: postgres\nrepoUrl: gitlab.com?owner=a&repo=b\n",
    )
    .unwrap();
    let out = idp(
        dir.path(),
        &[
            "scaffold",
            "go-service",
            "--values",
            "v.yaml",
            "--out",
            "svc",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for needle in [
        "Name (name): must match the pattern",
        "Description (description): is required",
        "Owner (owner): is required",
        "HTTP port (port): must be at least 1024",
        "Database size (dbSize): is required",
        "Repository location (repoUrl): host gitlab.com is not allowed",
    ] {
        assert!(err.contains(needle), "{needle} missing from:\n{err}");
    }
    assert_eq!(entries(dir.path()), ["v.yaml"]);
}

#[test]
fn malformed_values_file_and_unknown_template_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("list.yaml"), "- a\n- b\n").unwrap();
    let out = idp(
        dir.path(),
        &[
            "scaffold",
            "go-service",
            "--values",
            "list.yaml",
            "--out",
            "svc",
        ],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("must be a mapping"),
        "{}",
        text(&out.stderr)
    );
    let out = idp(
        dir.path(),
        &["scaffold", "no-such-template", "--out", "svc"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = idp(dir.path(), &["scaffold", "ledger-writer", "--out", "svc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a Template"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entries(dir.path()), ["list.yaml"]);
}

#[test]
fn existing_target_is_not_overwritten_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("v.yaml"),
        "name: handbook\nowner: group:default/payments-team\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("site")).unwrap();
    std::fs::write(dir.path().join("site/keep.md"), "mine").unwrap();
    let args = [
        "scaffold",
        "docs-site",
        "--values",
        "v.yaml",
        "--out",
        "site",
    ];
    let out = idp(dir.path(), &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not empty"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(entries(&dir.path().join("site")), ["keep.md"]);
    let mut with_flag = args.to_vec();
    with_flag.push("--overwrite");
    let out = idp(dir.path(), &with_flag);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        entries(&dir.path().join("site")),
        ["catalog-info.yaml", "docs", "keep.md", "mkdocs.yml"]
    );
    let info = std::fs::read_to_string(dir.path().join("site/catalog-info.yaml")).unwrap();
    assert!(
        info.contains("name: handbook") && info.contains("techdocs-ref"),
        "{info}"
    );
    assert!(text(&out.stdout).contains("Next steps"));
}

#[test]
fn templates_lists_the_demo_templates() {
    let dir = tempfile::tempdir().unwrap();
    let out = idp(dir.path(), &["templates", "--json"]);
    assert!(out.status.success());
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let refs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["ref"].as_str().unwrap())
        .collect();
    assert_eq!(
        refs,
        [
            "template:default/go-service",
            "template:default/docs-site",
            "template:kratix/request-postgresql"
        ]
    );
    assert_eq!(list[0]["owner"], "group:default/developer-experience");
    assert!(list[0]["problem"].is_null());
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_writing_leaves_no_staging_directory() {
    // A template whose skeleton has many files, so the write takes a while to interrupt.
    let work = tempfile::tempdir().unwrap();
    let tpl = work.path().join("catalog");
    std::fs::create_dir_all(tpl.join("skeleton")).unwrap();
    for i in 0..30_000 {
        std::fs::write(tpl.join(format!("skeleton/f{i}.txt")), "x".repeat(512)).unwrap();
    }
    std::fs::write(
        tpl.join("template.yaml"),
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: many\nspec:\n  owner: group:default/platform\n  type: service\n  steps:\n    - id: fetch\n      action: fetch:plain\n      input:\n        url: ./skeleton\n",
    )
    .unwrap();
    let out_parent = work.path().join("out-parent");
    std::fs::create_dir(&out_parent).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(["--catalog", "catalog", "scaffold", "many", "--out"])
        .arg(out_parent.join("new"))
        .current_dir(work.path())
        .env("XDG_CONFIG_HOME", work.path().join("config"))
        .env("HOME", work.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the staging directory to appear, then interrupt as a terminal's Ctrl-C does.
    let start = std::time::Instant::now();
    while std::fs::read_dir(&out_parent).unwrap().next().is_none() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the write ended before it could be interrupted"
        );
        assert!(start.elapsed().as_secs() < 120, "no staging directory");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    // SAFETY: sends a signal to the child we started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert_eq!(
        entries(&out_parent),
        Vec::<String>::new(),
        "nothing is left beside the target"
    );
}
