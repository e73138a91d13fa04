//! `idp-tui owner` and `idp-tui deps` through the built binary, on the fixtures in tests/data/
//! and the embedded demo catalog.

use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HOME", env!("CARGO_MANIFEST_DIR")) // no user config file can leak in
        .env_remove("XDG_CONFIG_HOME")
        // File sources keep a cache: keep it out of the checkout.
        .env("XDG_CACHE_HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("the binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(args: &[&str]) -> Value {
    let text = stdout(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}\n{text}"))
}

fn data(name: &str) -> String {
    format!("tests/data/{name}")
}

fn strs(v: &Value, field: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x[field].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn owner_json_has_owner_members_parents_oncall_and_links() {
    let v = json(&[
        "--catalog",
        &data("group-hierarchy-3-levels.yaml"),
        "owner",
        "payments-api",
        "--json",
    ]);
    assert_eq!(v["ref"], "component:default/payments-api");
    assert_eq!(v["owner"]["ref"], "group:default/payments-team");
    assert_eq!(v["owner"]["resolved"], true);
    assert_eq!(v["owner"]["email"], "payments@acme.example");
    assert_eq!(
        strs(&v["members"], "ref"),
        ["user:default/alice", "user:default/bob"]
    );
    assert_eq!(
        strs(&v["members"], "email"),
        ["alice@acme.example", "bob@acme.example"]
    );
    assert_eq!(
        strs(&v["parents"], "ref"),
        ["group:default/engineering", "group:default/acme"]
    );
    assert_eq!(
        strs(&v["oncall"], "annotation"),
        [
            "pagerduty.com/service-id",
            "opsgenie.com/component-selector",
            "pagerduty.com/integration-key"
        ]
    );
    assert_eq!(
        strs(&v["links"], "title"),
        ["#payments", "Payments runbook"]
    );
    assert!(v.get("owns").is_none(), "a component owns nothing: {v}");
}

#[test]
fn unresolved_owner_is_marked_in_json_and_text() {
    let v = json(&[
        "--catalog",
        &data("ownership-gaps.yaml"),
        "owner",
        "ghost-owned-service",
        "--json",
    ]);
    assert_eq!(v["owner"]["ref"], "group:default/ghost-team");
    assert_eq!(v["owner"]["resolved"], false);
    assert_eq!(v["members"], serde_json::json!([]));
    let text = stdout(&[
        "--catalog",
        &data("ownership-gaps.yaml"),
        "owner",
        "ghost-owned-service",
    ]);
    assert!(
        text.contains("group:default/ghost-team  [unresolved: not in the catalog]"),
        "{text}"
    );
    let none = json(&[
        "--catalog",
        &data("ownership-gaps.yaml"),
        "owner",
        "ownerless-template",
        "--json",
    ]);
    assert!(none["owner"].is_null());
}

#[test]
fn group_owner_lists_owns_directly_and_with_children() {
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "--catalog".to_string(),
            data("group-hierarchy-3-levels.yaml"),
            "owner".into(),
            "group:acme".into(),
            "--json".into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let direct = args(&[]);
    let v = json(&direct.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(v["owns"], serde_json::json!([]));
    let all = args(&["--include-children"]);
    let v = json(&all.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        v["owns"],
        serde_json::json!([
            "system:default/commerce",
            "component:default/payments-api",
            "component:default/storefront"
        ])
    );
    assert_eq!(v["owned"][1]["via"], "group:default/payments-team");
}

#[test]
fn user_in_two_groups_lists_both_and_what_they_own() {
    let v = json(&[
        "--catalog",
        &data("user-in-two-groups.yaml"),
        "owner",
        "erin",
        "--json",
    ]);
    assert_eq!(
        strs(&v["groups"], "ref"),
        ["group:default/blue-team", "group:default/red-team"]
    );
    assert_eq!(
        v["owns"],
        serde_json::json!([
            "component:default/erins-script",
            "component:default/blue-service",
            "component:default/red-service"
        ])
    );
}

/// Runs a command expected to exit with `code`, and returns its stdout.
fn stdout_with_code(args: &[&str], code: i32) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn gaps_json_lists_each_reason_and_exits_1() {
    let text = stdout_with_code(
        &[
            "--catalog",
            &data("ownership-gaps.yaml"),
            "owner",
            "--gaps",
            "--json",
        ],
        1,
    );
    let v: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(
        strs(&v, "reason"),
        [
            // A Component without an owner is rejected, so no `no-owner` gap is left.
            "unresolved-owner",
            "owner-has-no-members",
            "owner-not-a-group-or-user"
        ]
    );
    assert_eq!(v[0]["owner"], "group:default/ghost-team");
    assert!(v[1]["origin"]
        .as_str()
        .unwrap()
        .ends_with("ownership-gaps.yaml:55"));
}

#[test]
fn demo_gaps_find_the_memberless_data_platform_team_and_exit_1() {
    let text = stdout_with_code(&["owner", "--gaps"], 1);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("resource:default/analytics-warehouse  owner-has-no-members"));
    assert!(text.contains("group:default/data-platform-team"));
}

#[test]
fn catalog_without_gaps_exits_0_in_text_and_json() {
    let catalog = data("group-hierarchy-3-levels.yaml");
    let text = stdout_with_code(&["--catalog", &catalog, "owner", "--gaps"], 0);
    assert_eq!(text, "", "no gap lines expected");
    let json_text = stdout_with_code(&["--catalog", &catalog, "owner", "--gaps", "--json"], 0);
    let v: Value = serde_json::from_str(&json_text).expect("json");
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn parent_loop_does_not_hang_the_owner_command() {
    let v = json(&[
        "--catalog",
        &data("group-parent-loop.yaml"),
        "owner",
        "orphan-service",
        "--json",
    ]);
    assert_eq!(v["parent_loop"], "group:default/loop-a");
    assert_eq!(strs(&v["parents"], "ref"), ["group:default/loop-b"]);
}

#[test]
fn unknown_or_ambiguous_ref_exits_2_with_a_hint() {
    let out = run(&["owner", "no-such-thing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no entity matches"));
    let out = run(&["deps", "no-such-thing", "--reverse"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn deps_json_marks_the_cycle_once() {
    let v = json(&[
        "--catalog",
        &data("dependency-cycle.yaml"),
        "deps",
        "cycle-entry",
        "--json",
    ]);
    assert_eq!(v["ref"], "component:default/cycle-entry");
    assert_eq!(v["cycles"], 1);
    let back = &v["children"][0]["children"][0]["children"][0]["children"][0];
    assert_eq!(back["ref"], "component:default/cycle-a");
    assert_eq!(back["cycle"], true);
    assert_eq!(back["children"], serde_json::json!([]));
}

#[test]
fn deps_reverse_json_has_blast_radius_and_affected_owners() {
    let v = json(&[
        "--catalog",
        &data("api-consumer-provider.yaml"),
        "deps",
        "orders-db",
        "--reverse",
        "--json",
    ]);
    assert_eq!(v["direction"], "reverse");
    assert_eq!(v["size"], 5);
    assert_eq!(
        strs(&v["affected_owners"], "ref"),
        [
            "group:default/orders-team",
            "group:default/shop-team",
            "group:default/data-team"
        ]
    );
    assert_eq!(v["affected_owners"][1]["oncall"][0]["value"], "PSHOP01");
    let api = &v["children"][0]["children"][0];
    assert_eq!(api["relation"], "providesApi");
    assert_eq!(
        strs(&api["children"], "relation"),
        ["apiConsumedBy", "apiConsumedBy"]
    );
}

#[test]
fn deps_reports_missing_nodes_and_truncation() {
    let v = json(&[
        "--catalog",
        &data("dangling-ref.yaml"),
        "deps",
        "needs-ghost",
        "--json",
    ]);
    assert_eq!(
        v["missing_refs"],
        serde_json::json!([
            "component:default/ghost-service",
            "resource:default/ghost-db"
        ])
    );
    assert_eq!(v["children"][1]["missing"], true);
    let text = stdout(&[
        "--catalog",
        &data("diamond.yaml"),
        "deps",
        "top",
        "--depth",
        "1",
    ]);
    assert!(
        text.contains("2 node(s) cut at depth 1 (use --depth to see more)"),
        "{text}"
    );
    let out = run(&["deps", "top", "--depth", "500"]);
    assert!(!out.status.success());
}

#[test]
fn deps_text_is_a_box_drawn_tree() {
    let text = stdout(&["--catalog", &data("diamond.yaml"), "deps", "top"]);
    assert!(text.starts_with(
        "component:default/top\n├── dependsOn component:default/left\n│   └── dependsOn component:default/bottom\n"
    ), "{text}");
    assert!(text.contains("4 dependencies"), "{text}");
}

#[test]
fn deps_dot_and_mermaid_are_graphs() {
    let dot = stdout(&["--catalog", &data("diamond.yaml"), "deps", "top", "--dot"]);
    assert!(dot.starts_with("digraph deps {") && dot.trim_end().ends_with('}'));
    assert_eq!(dot.matches(" -> ").count(), 5);
    let mermaid = stdout(&[
        "--catalog",
        &data("diamond.yaml"),
        "deps",
        "top",
        "--mermaid",
    ]);
    assert!(mermaid.starts_with("graph LR\n"));
    let out = run(&["deps", "top", "--dot", "--json"]);
    assert!(!out.status.success(), "formats are exclusive");
}

#[test]
fn demo_structure_and_reverse_tree_work_on_the_embedded_catalog() {
    let text = stdout(&["deps", "--structure", "payments"]);
    assert!(text.contains("├── hasPart domain:default/risk"), "{text}");
    let v = json(&["deps", "ledger-db", "--reverse", "--json"]);
    let owners = strs(&v["affected_owners"], "ref");
    assert!(
        owners.contains(&"group:default/checkout-team".to_string()),
        "{owners:?}"
    );
    assert!(v["size"].as_u64().unwrap() >= 10);
    let v = json(&["deps", "settlement-batch", "--json"]);
    assert_eq!(
        v["missing_refs"],
        serde_json::json!(["component:default/legacy-mainframe-bridge"])
    );
}

#[test]
fn output_into_a_closed_pipe_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(["deps", "--structure"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // the reader goes away before anything is written
    let status = child.wait().expect("wait");
    let mut err = String::new();
    child.stderr.take().map(|mut s| s.read_to_string(&mut err));
    assert!(status.success(), "{status:?} {err}");
    assert!(!err.contains("panicked"), "{err}");
}
