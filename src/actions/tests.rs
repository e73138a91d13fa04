use super::*;
use crate::catalog::Origin;
use serde_json::json;

fn entity(name: &str, annotations: serde_json::Value) -> Entity {
    Entity::from_value(
        json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": name, "title": "Title", "annotations": annotations,
                "links": [{"url": "https://grafana.example/d/x", "title": "Dashboard"},
                          {"url": "javascript:alert(1)", "title": "Evil"}]},
            "spec": {"type": "service", "owner": "team-a", "lifecycle": "production"}}),
        Origin::new("t.yaml", Some(1)),
    )
    .unwrap()
    .0
}

fn action(command: &str) -> ActionConfig {
    ActionConfig {
        key: Some("L".into()),
        title: "Test".into(),
        kinds: vec![],
        when: None,
        command: command.into(),
        mode: Mode::Background,
        confirm: false,
    }
}

const HOSTILE: [&str; 8] = [
    "x; rm -rf ~",
    "$(touch /tmp/idp-tui-pwned)",
    "`touch /tmp/idp-tui-pwned`",
    "it's \"quoted\"",
    "two\nlines",
    "a && b || c | d > /tmp/idp-tui-out",
    "*",
    "${HOME}",
];

#[test]
fn each_value_is_one_literal_argument() {
    for value in HOSTILE {
        let e = entity("svc", json!({"example.com/v": value}));
        let plan = action(r#"printf '%s\n' ${{ metadata.annotations["example.com/v"] }} end"#)
            .plan(&e)
            .unwrap();
        assert_eq!(plan.argv, ["printf", "%s\\n", value, "end"], "{value:?}");
    }
}

#[test]
fn hostile_values_reach_the_real_program_unchanged() {
    for value in HOSTILE {
        let e = entity("svc", json!({"example.com/v": value}));
        let plan = action(r#"printf '[%s]\n' pre-${{ metadata.annotations["example.com/v"] }}"#)
            .plan(&e)
            .unwrap();
        let out = execute(&plan).unwrap();
        assert_eq!(out.code, Some(0));
        assert_eq!(out.stdout, format!("[pre-{value}]\n"), "{value:?}");
    }
    assert!(!std::path::Path::new("/tmp/idp-tui-pwned").exists());
    assert!(!std::path::Path::new("/tmp/idp-tui-out").exists());
}

#[test]
fn an_entity_named_like_a_command_cannot_run_it() {
    let e = entity("x; rm -rf ~", json!({}));
    let plan = action("echo ${{ entity.metadata.name }}").plan(&e).unwrap();
    assert_eq!(plan.argv, ["echo", "x; rm -rf ~"]);
    assert_eq!(plan.shell_line(), "echo 'x; rm -rf ~'");
}

#[test]
fn inside_an_explicit_shell_script_values_are_shell_quoted() {
    for value in HOSTILE {
        let e = entity("svc", json!({"example.com/v": value}));
        let plan =
            action(r#"sh -c 'printf "[%s]\n" ${{ metadata.annotations["example.com/v"] }}'"#)
                .plan(&e)
                .unwrap();
        let out = execute(&plan).unwrap();
        assert_eq!(
            out.stdout,
            format!("[{value}]\n"),
            "{value:?}: {:?}",
            plan.argv
        );
    }
    assert!(!std::path::Path::new("/tmp/idp-tui-pwned").exists());
}

#[test]
fn expressions_with_spaces_stay_one_word() {
    let e = entity("ledger-writer", json!({}));
    let plan = action("kubectl logs -l app=${{ entity.metadata.name | upper }} --tail=200")
        .plan(&e)
        .unwrap();
    assert_eq!(
        plan.argv,
        ["kubectl", "logs", "-l", "app=LEDGER-WRITER", "--tail=200"]
    );
}

#[test]
fn literal_double_braces_are_not_templates() {
    let e = entity("svc", json!({}));
    let plan = action("kubectl get pods -o go-template='{{.metadata.name}}'")
        .plan(&e)
        .unwrap();
    assert_eq!(plan.argv[4], "go-template={{.metadata.name}}");
}

#[test]
fn a_missing_value_is_an_error_not_an_empty_argument() {
    let e = entity("svc", json!({}));
    let err =
        action(r#"kubectl logs -l app=${{ metadata.annotations["backstage.io/kubernetes-id"] }}"#)
            .plan(&e)
            .unwrap_err();
    assert!(matches!(err, ActionError::Render { .. }), "{err}");
}

#[test]
fn when_and_kinds_hide_actions_that_do_not_apply() {
    let mut a = action("echo hi");
    a.when = Some(r#"metadata.annotations["backstage.io/kubernetes-id"]"#.into());
    assert!(!a.applies(&entity("svc", json!({}))));
    assert!(a.applies(&entity("svc", json!({"backstage.io/kubernetes-id": "svc"}))));
    assert!(!a.applies(&entity("svc", json!({"backstage.io/kubernetes-id": ""}))));
    a.when = Some("${{ spec.lifecycle == 'production' }}".into());
    assert!(a.applies(&entity("svc", json!({}))));
    a.kinds = vec!["API".into()];
    assert!(!a.applies(&entity("svc", json!({}))));
    assert!(matches!(
        a.plan(&entity("svc", json!({}))),
        Err(ActionError::NotApplicable { .. })
    ));
}

#[test]
fn open_mode_only_opens_web_urls() {
    let mut a = action("https://grafana.example/d/${{ metadata.name }}");
    a.mode = Mode::Open;
    let plan = a.plan(&entity("svc", json!({}))).unwrap();
    assert_eq!(plan.argv, [opener(), "https://grafana.example/d/svc"]);
    a.command = r#"${{ metadata.annotations["u"] }}"#.into();
    let err = a
        .plan(&entity("svc", json!({"u": "file:///etc/passwd"})))
        .unwrap_err();
    assert!(matches!(err, ActionError::BadUrl { .. }), "{err}");
}

#[test]
fn broken_actions_are_reported_by_check() {
    for (command, needle) in [
        ("echo 'unclosed", "split"),
        ("echo ${{ entity.name", "closing"),
        ("echo ${{ entity. }}", "in "),
        ("   ", "empty"),
    ] {
        let err = action(command).check().unwrap_err().to_string();
        assert!(err.contains(needle), "{command:?}: {err}");
    }
    let mut twice = vec![action("echo a"), action("echo b")];
    twice[1].title = "Other".into();
    assert!(check_all(&twice)
        .unwrap_err()
        .to_string()
        .contains("already used"));
}

#[test]
fn actions_are_found_by_key_or_title() {
    let actions = vec![action("echo a")];
    assert!(find(&actions, "L").is_some());
    assert!(find(&actions, "test").is_some());
    assert!(find(&actions, "l").is_none());
}

#[test]
fn builtin_links_come_from_annotations_and_links_and_skip_non_web_urls() {
    let e = entity(
        "svc",
        json!({"backstage.io/source-location": "url:https://github.com/n/svc/",
               "backstage.io/view-url": "https://github.com/n/svc/blob/main/catalog-info.yaml"}),
    );
    let links = builtin_links(&e);
    let titles: Vec<&str> = links.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Open source location",
            "View in source control",
            "Dashboard"
        ]
    );
    assert_eq!(links[0].url, "https://github.com/n/svc/");
}

#[test]
fn a_program_that_does_not_exist_is_a_spawn_error() {
    let plan = action("idp-tui-no-such-program-xyz")
        .plan(&entity("svc", json!({})))
        .unwrap();
    assert!(matches!(execute(&plan), Err(ActionError::Spawn { .. })));
}

#[test]
fn a_when_holding_the_end_delimiter_is_refused_not_a_panic() {
    let mut a = action("echo ${{ entity.metadata.name }}");
    a.when = Some("${{ a }} }}".into());
    let err = a.check().unwrap_err().to_string();
    assert!(err.contains("unexpected `}}`"), "{err}");
    assert!(!a.applies(&entity("svc", json!({}))));
}

/// The state letter of a process in `/proc` (`Z` for a zombie), or `None` once it is gone.
fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S …`: the state follows the last `)`.
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

#[test]
fn an_opener_still_running_at_the_bound_is_left_alone_and_reaped_when_it_ends() {
    let child = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("sleep runs");
    let pid = child.id();
    let started = std::time::Instant::now();
    assert!(wait_bounded(child, std::time::Duration::from_millis(100)).is_none());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        matches!(process_state(pid), Some('S' | 'R')),
        "still running"
    );
    // It ends (here: killed); nobody is left holding it as a zombie.
    let killed = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while let Some(state) = process_state(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "the ended opener was never reaped (state {state})"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn an_opener_that_ends_within_the_bound_gives_its_status() {
    let child = std::process::Command::new("sh")
        .args(["-c", "exit 3"])
        .spawn()
        .expect("sh runs");
    let pid = child.id();
    let status = wait_bounded(child, std::time::Duration::from_secs(10))
        .expect("ended")
        .expect("waited");
    assert_eq!(status.code(), Some(3));
    assert_eq!(process_state(pid), None, "reaped, not a zombie");
}
