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

fn action(command: &str) -> UserCommand {
    UserCommand {
        key: Some("L".into()),
        title: "Test".into(),
        kinds: vec![],
        when: None,
        command: command.into(),
        mode: RunMode::Background,
        confirm: false.into(),
        inputs: None,
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
            .prepare(&e)
            .unwrap();
        assert_eq!(plan.argv, ["printf", "%s\\n", value, "end"], "{value:?}");
    }
}

#[test]
fn hostile_values_reach_the_real_program_unchanged() {
    for value in HOSTILE {
        let e = entity("svc", json!({"example.com/v": value}));
        let plan = action(r#"printf '[%s]\n' pre-${{ metadata.annotations["example.com/v"] }}"#)
            .prepare(&e)
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
    let plan = action("echo ${{ entity.metadata.name }}")
        .prepare(&e)
        .unwrap();
    assert_eq!(plan.argv, ["echo", "x; rm -rf ~"]);
    assert_eq!(plan.shell_line(), "echo 'x; rm -rf ~'");
}

#[test]
fn inside_an_explicit_shell_script_values_are_shell_quoted() {
    for value in HOSTILE {
        let e = entity("svc", json!({"example.com/v": value}));
        let plan =
            action(r#"sh -c 'printf "[%s]\n" ${{ metadata.annotations["example.com/v"] }}'"#)
                .prepare(&e)
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
        .prepare(&e)
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
        .prepare(&e)
        .unwrap();
    assert_eq!(plan.argv[4], "go-template={{.metadata.name}}");
}

#[test]
fn a_missing_value_is_an_error_not_an_empty_argument() {
    let e = entity("svc", json!({}));
    let err =
        action(r#"kubectl logs -l app=${{ metadata.annotations["backstage.io/kubernetes-id"] }}"#)
            .prepare(&e)
            .unwrap_err();
    assert!(matches!(err, CommandError::Render { .. }), "{err}");
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
        a.prepare(&entity("svc", json!({}))),
        Err(CommandError::NotApplicable { .. })
    ));
}

#[test]
fn open_mode_only_opens_web_urls() {
    let mut a = action("https://grafana.example/d/${{ metadata.name }}");
    a.mode = RunMode::Open;
    let plan = a.prepare(&entity("svc", json!({}))).unwrap();
    assert_eq!(plan.argv, [opener(), "https://grafana.example/d/svc"]);
    a.command = r#"${{ metadata.annotations["u"] }}"#.into();
    let err = a
        .prepare(&entity("svc", json!({"u": "file:///etc/passwd"})))
        .unwrap_err();
    assert!(matches!(err, CommandError::BadUrl { .. }), "{err}");
}

#[test]
fn broken_actions_are_reported_by_check() {
    for (command, needle) in [
        ("echo 'unclosed", "split"),
        ("echo ${{ entity.name", "closing }}"),
        ("echo {% if true %}x{% endif", "closing %}"),
        ("echo {# note", "closing #}"),
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
        .prepare(&entity("svc", json!({})))
        .unwrap();
    assert!(matches!(execute(&plan), Err(CommandError::Spawn { .. })));
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

/// Runs a user command's plan for an entity whose annotation `example.com/v` holds `value`, and
/// returns what the program printed (or the error that refused it).
fn run_with(command: &str, value: &str) -> Result<String, CommandError> {
    let e = entity("svc", json!({"example.com/v": value}));
    let plan = action(command).prepare(&e)?;
    Ok(execute(&plan)?.stdout)
}

const MARKER: &str = "/tmp/idp-tui-sec1-pwned";

/// A value that creates [`MARKER`] when any shell runs it as code, quoted or not.
const PAYLOADS: [&str; 6] = [
    "x; touch /tmp/idp-tui-sec1-pwned",
    "$(touch /tmp/idp-tui-sec1-pwned)",
    "`touch /tmp/idp-tui-sec1-pwned`",
    "\"; touch /tmp/idp-tui-sec1-pwned; echo \"",
    "'; touch /tmp/idp-tui-sec1-pwned; echo '",
    "\\'; touch /tmp/idp-tui-sec1-pwned; echo \\'",
];

#[test]
fn every_way_of_handing_a_script_to_a_shell_quotes_the_values() {
    let mut shells = vec!["sh", "bash", "dash"];
    for extra in ["zsh", "ksh", "fish"] {
        if std::process::Command::new(extra)
            .arg("-c")
            .arg("true")
            .status()
            .is_ok()
        {
            shells.push(extra);
        }
    }
    for shell in shells {
        let posix = shell != "fish";
        let mut forms = vec![
            format!("{shell} -c 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"),
            format!("env {shell} -c 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"),
            format!("/usr/bin/env {shell} -c 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"),
            format!("env -i PATH=/usr/bin:/bin {shell} -c 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"),
            format!("nice -n 5 {shell} -c 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"),
            format!("timeout 10 {shell} -c 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"),
        ];
        if posix {
            forms.push(format!("{shell} -ec 'printf \"[%s]\\n\" ${{{{ metadata.annotations[\"example.com/v\"] }}}}'"));
        }
        if shell == "bash" {
            forms.push(
                "bash -lc 'printf \"[%s]\\n\" ${{ metadata.annotations[\"example.com/v\"] }}'"
                    .into(),
            );
            forms.push("bash -o pipefail -c 'printf \"[%s]\\n\" ${{ metadata.annotations[\"example.com/v\"] }}'".into());
            forms.push(
                "/bin/bash -c 'printf \"[%s]\\n\" ${{ metadata.annotations[\"example.com/v\"] }}'"
                    .into(),
            );
        }
        for form in &forms {
            for value in PAYLOADS.iter().chain(&HOSTILE) {
                let out = run_with(form, value).unwrap_or_else(|e| panic!("{form}: {e}"));
                assert_eq!(out, format!("[{value}]\n"), "{form} with {value:?}");
            }
        }
    }
    assert!(
        !std::path::Path::new(MARKER).exists(),
        "a value ran as code"
    );
}

#[test]
fn a_value_inside_shell_quotes_is_quoted_for_those_quotes() {
    for form in [
        // Double quotes: single quotes would be literal there.
        r#"sh -c 'printf "%s\n" "Title: ${{ metadata.annotations["example.com/v"] }}"'"#,
        // Single quotes inside a double-quoted script.
        r#"sh -c "printf '%s\n' 'Title: ${{ metadata.annotations["example.com/v"] }}'""#,
        // Inside a command substitution inside double quotes.
        r#"bash -c 'printf "%s\n" "Title: $(printf %s ${{ metadata.annotations["example.com/v"] }})"'"#,
    ] {
        for value in PAYLOADS.iter().chain(&HOSTILE) {
            if value.contains('\n') && form.contains("$(") {
                continue; // $(…) drops trailing newlines, not a quoting matter.
            }
            let out = run_with(form, value).unwrap_or_else(|e| panic!("{form}: {e}"));
            assert_eq!(out, format!("Title: {value}\n"), "{form} with {value:?}");
        }
    }
    assert!(
        !std::path::Path::new(MARKER).exists(),
        "a value ran as code"
    );
}

#[test]
fn values_where_no_quoting_is_sound_are_refused_when_the_config_is_loaded() {
    for command in [
        // Backticks, ${…} and $'…' have their own quoting rules.
        "sh -c 'echo `echo ${{ metadata.name }}`'",
        "bash -c 'echo ${X:-${{ metadata.name }}}'",
        "bash -c \"echo $'${{ metadata.name }}'\"",
        // Right after `$` or a backslash, in a comment, in a here-document.
        "sh -c 'echo $${{ metadata.name }}'",
        "sh -c 'echo \\${{ metadata.name }}'",
        "sh -c 'echo hi # ${{ metadata.name }}'",
        "sh -c 'cat <<EOF\n${{ metadata.name }}\nEOF'",
        // csh quoting cannot hold every value.
        "csh -c 'echo ${{ metadata.name }}'",
        "tcsh -c 'echo ${{ metadata.name }}'",
        // The program itself, or a shell's options, from the catalog.
        "${{ metadata.name }} --help",
        "bash -o ${{ metadata.name }} -c 'echo hi'",
        // Code for other interpreters.
        "python3 -c 'print(\"${{ metadata.name }}\")'",
        "perl -e 'print \"${{ metadata.name }}\"'",
        "node -e 'console.log(\"${{ metadata.name }}\")'",
        "awk 'BEGIN { print \"${{ metadata.name }}\" }'",
        "env -S 'echo ${{ metadata.name }}'",
    ] {
        let err = action(command).check().unwrap_err().to_string();
        assert!(err.starts_with("action \"Test\": "), "{command}: {err}");
        assert!(!err.contains('\n'), "one line: {err}");
    }
    // The values-as-arguments way still works for all of them.
    for command in [
        "sh -c 'echo \"$1\"' sh ${{ metadata.name }}",
        "python3 -c 'import sys; print(sys.argv[1])' ${{ metadata.name }}",
    ] {
        action(command).check().unwrap();
    }
}

#[test]
fn ssh_and_watch_run_their_words_in_a_shell_so_values_there_are_quoted() {
    let e = entity("svc", json!({"example.com/v": "a; touch /tmp/x"}));
    let plan =
        action(r#"ssh -p 22 host tail /var/log/${{ metadata.annotations["example.com/v"] }}"#)
            .prepare(&e)
            .unwrap();
    assert_eq!(plan.argv[4], "tail");
    assert_eq!(plan.argv[5], "/var/log/'a; touch /tmp/x'");
    let plan = action(r#"watch -n 5 echo ${{ metadata.annotations["example.com/v"] }}"#)
        .prepare(&e)
        .unwrap();
    assert_eq!(plan.argv[4], "'a; touch /tmp/x'");
}

#[test]
fn a_value_starting_with_a_dash_is_refused_as_an_argument() {
    for value in [
        "-oProxyCommand=touch /tmp/idp-tui-sec1-pwned",
        "--help",
        "-",
    ] {
        for command in [
            r#"ssh ${{ metadata.annotations["example.com/v"] }}"#,
            r#"printf '%s\n' ${{ metadata.annotations["example.com/v"] }}"#,
            r#"sh -c 'cat ${{ metadata.annotations["example.com/v"] }}'"#,
            r#"sh -c 'cat "${{ metadata.annotations["example.com/v"] }}"'"#,
            // A shell's positional parameters go on to the script's commands.
            r#"sh -c 'cat "$1"' sh ${{ metadata.annotations["example.com/v"] }}"#,
        ] {
            let err = run_with(command, value).unwrap_err().to_string();
            assert!(
                err.contains("starts with '-'"),
                "{command} {value:?}: {err}"
            );
        }
    }
    // After `--` it is an operand; inside a word it cannot be an option.
    for (command, expected) in [
        (
            r#"printf '%s\n' -- ${{ metadata.annotations["example.com/v"] }}"#,
            "--\n--help\n",
        ),
        (
            r#"printf '%s\n' x${{ metadata.annotations["example.com/v"] }}"#,
            "x--help\n",
        ),
        (
            r#"sh -c 'printf "%s\n" -- ${{ metadata.annotations["example.com/v"] }}'"#,
            "--\n--help\n",
        ),
    ] {
        assert_eq!(run_with(command, "--help").unwrap(), expected, "{command}");
    }
}

#[test]
fn a_value_naming_a_shell_cannot_turn_later_words_into_a_script() {
    let e = entity(
        "svc",
        json!({"example.com/v": "sh", "example.com/w": "x; touch /tmp/y"}),
    );
    let err = action(r#"env ${{ metadata.annotations["example.com/v"] }} -c 'echo ${{ metadata.annotations["example.com/w"] }}'"#)
        .prepare(&e)
        .unwrap_err()
        .to_string();
    assert!(err.contains("names a program"), "{err}");
}

/// A user command asking for one input, `x`, used as its own argument and inside a shell script.
fn with_inputs(command: &str) -> UserCommand {
    let mut a = action(command);
    a.inputs = Some(json!({
        "type": "object",
        "required": ["x"],
        "properties": {"x": {"type": "string", "title": "X"}}
    }));
    a
}

fn inputs(x: &str) -> Values {
    let mut values = Values::new();
    values.insert("x".into(), json!(x));
    values
}

#[test]
fn an_input_value_is_one_inert_argument() {
    let e = entity("svc", json!({}));
    for value in HOSTILE.iter().chain(&["x; rm -rf ~", "$(id)"]) {
        let plan = with_inputs("printf '[%s]\\n' ${{ inputs.x }} end")
            .prepare_with(&e, &inputs(value))
            .unwrap();
        assert_eq!(plan.argv, ["printf", "[%s]\\n", value, "end"], "{value:?}");
        let out = execute(&plan).unwrap();
        assert_eq!(out.stdout, format!("[{value}]\n[end]\n"), "{value:?}");
    }
    assert!(!std::path::Path::new("/tmp/idp-tui-pwned").exists());
}

#[test]
fn an_input_value_inside_a_shell_script_is_quoted_for_its_spot() {
    let e = entity("svc", json!({}));
    for value in HOSTILE.iter().chain(&["$(id)", "--help"]) {
        for command in [
            "sh -c 'set -- ${{ inputs.x }}; printf \"[%s]\\n\" \"$1\"'",
            "sh -c 'printf \"[%s]\\n\" \"${{ inputs.x }}\"'",
            "sh -c \"printf '[%s]\\n' '${{ inputs.x }}'\"",
        ] {
            let planned = with_inputs(command).prepare_with(&e, &inputs(value));
            // A value starting a shell word with `-` is refused unless `--` came first.
            if value.starts_with('-') && !command.contains("set --") {
                let err = planned.unwrap_err().to_string();
                assert!(
                    err.contains("would be read as an option"),
                    "{command}: {err}"
                );
                continue;
            }
            let plan = planned.unwrap_or_else(|err| panic!("{command} with {value:?}: {err}"));
            let out = execute(&plan).unwrap();
            assert_eq!(
                out.stdout,
                format!("[{value}]\n"),
                "{command} with {value:?}"
            );
        }
    }
    assert!(!std::path::Path::new("/tmp/idp-tui-pwned").exists());
}

#[test]
fn an_input_value_that_looks_like_an_option_is_refused_unless_options_ended() {
    let e = entity("svc", json!({}));
    let err = with_inputs("kubectl scale ${{ inputs.x }}")
        .prepare_with(&e, &inputs("--help"))
        .unwrap_err();
    assert!(
        err.to_string().contains("would be read as an option"),
        "{err}"
    );
    let plan = with_inputs("printf '%s' -- ${{ inputs.x }}")
        .prepare_with(&e, &inputs("--help"))
        .unwrap();
    assert_eq!(plan.argv, ["printf", "%s", "--", "--help"]);
}

/// "Scale deployment": an integer `replicas` bounded 0–50 and an optional reason.
fn scale() -> UserCommand {
    let mut a =
        action("kubectl scale deploy/${{ metadata.name }} --replicas=${{ inputs.replicas }}");
    a.title = "Scale deployment".into();
    a.confirm = Confirm::Message("Scale ${{ metadata.name }} to ${{ inputs.replicas }}?".into());
    a.inputs = Some(json!({
        "type": "object",
        "required": ["replicas"],
        "properties": {
            "replicas": {"type": "integer", "title": "Replicas", "minimum": 0, "maximum": 50, "default": 2},
            "env": {"type": "string", "enum": ["staging", "production"], "default": "staging"},
            "ticket": {"type": "string", "pattern": "^[A-Z]+-[0-9]+$"}
        }
    }));
    a
}

#[test]
fn inputs_render_with_their_types_and_the_confirm_message_shows_them() {
    let e = entity("ledger", json!({}));
    let a = scale();
    a.check().unwrap();
    let form = a.input_form().unwrap();
    let values = values_from(&form, Values::new(), &["replicas=7".into()]).unwrap();
    assert_eq!(
        values["env"],
        json!("staging"),
        "defaults fill what was not given"
    );
    let plan = a.prepare_with(&e, &values).unwrap();
    assert_eq!(
        plan.argv,
        ["kubectl", "scale", "deploy/ledger", "--replicas=7"]
    );
    assert!(plan.confirm);
    assert_eq!(plan.message.as_deref(), Some("Scale ledger to 7?"));
}

#[test]
fn every_invalid_input_is_listed_with_its_name() {
    let form = scale().input_form().unwrap();
    let errors = values_from(
        &form,
        Values::from_iter([("env".to_string(), json!("moon"))]),
        &[
            "replicas=51".into(),
            "ticket=nope".into(),
            "colour=red".into(),
        ],
    )
    .unwrap_err();
    assert!(
        errors.iter().any(|e| e.starts_with("colour: no input")),
        "{errors:?}"
    );
    assert_eq!(errors.len(), 4, "every problem at once: {errors:?}");
    let errors = values_from(
        &form,
        Values::from_iter([("env".to_string(), json!("moon"))]),
        &["replicas=51".into(), "ticket=nope".into()],
    )
    .unwrap_err();
    let all = errors.join("\n");
    assert_eq!(errors.len(), 3, "{all}");
    assert!(
        all.contains("Replicas (replicas): must be at most 50"),
        "{all}"
    );
    assert!(
        all.contains("(env): must be one of: staging, production"),
        "{all}"
    );
    assert!(all.contains("(ticket)") && all.contains("pattern"), "{all}");
    // Text that does not parse is reported once (not also as a missing required value).
    let errors = values_from(&form, Values::new(), &["replicas=two".into()]).unwrap_err();
    assert_eq!(errors, ["Replicas (replicas): must be a whole number"]);
}

#[test]
fn an_action_with_inputs_planned_without_them_says_which_value_is_missing() {
    let err = scale().prepare(&entity("ledger", json!({}))).unwrap_err();
    assert!(matches!(err, CommandError::Render { .. }), "{err}");
}

#[test]
fn broken_inputs_schemas_are_refused_by_check() {
    let broken = [
        (json!("replicas"), "must be a JSON Schema object"),
        (json!({"properties": {}}), "`properties:` is empty"),
        (
            json!({"type": "array", "properties": {"a": {}}}),
            "type must be object",
        ),
        (
            json!({"properties": {"a": {"type": "integr"}}}),
            "type \"integr\" is not one of",
        ),
        (
            json!({"properties": {"a": {"type": "integer", "maximum": "50"}}}),
            "maximum must be a number",
        ),
        (
            json!({"properties": {"a": {"type": "string", "pattern": "(["}}}),
            "does not compile",
        ),
        (
            json!({"required": ["b"], "properties": {"a": {"type": "string"}}}),
            "no property \"b\"",
        ),
        (
            json!({"properties": {"a": {"type": "integer", "maximum": 50, "default": 100}}}),
            "inputs.a: the default 100 must be at most 50",
        ),
        (
            json!({"properties": {"o": {"type": "object", "properties": {"n": {"type": "nmber"}}}}}),
            "inputs.o.n: type",
        ),
    ];
    for (schema, expected) in broken {
        let mut a = action("echo hi");
        a.inputs = Some(schema.clone());
        let err = a.check().unwrap_err().to_string();
        assert!(err.contains(expected), "{schema}: {err}");
    }
}

#[test]
fn a_command_using_an_undeclared_input_is_refused_by_check() {
    let err = action("echo ${{ inputs.x }}")
        .check()
        .unwrap_err()
        .to_string();
    assert!(err.contains("declares no `inputs:`"), "{err}");
    let err = with_inputs("sh -c 'echo ${{ inputs.y }}'")
        .check()
        .unwrap_err()
        .to_string();
    assert!(err.contains("inputs.y"), "{err}");
    with_inputs("sh -c 'echo ${{ inputs.x }}'").check().unwrap();
    // Inside a nested object, as far as the schema lists properties.
    let nested = |command: &str| {
        let mut a = action(command);
        a.inputs = Some(serde_json::json!({
            "type": "object",
            "properties": {
                "db": {"type": "object", "properties": {"size": {"type": "integer"}}},
                "extra": {"type": "object"},
            },
        }));
        a.check()
    };
    nested("echo ${{ inputs.db.size }}").unwrap();
    let err = nested("echo ${{ inputs.db.sizee }}")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("inputs.db.sizee, which `inputs:` does not declare"),
        "{err}"
    );
    // A free-form object says nothing of what is inside it.
    nested("echo ${{ inputs.extra.anything }}").unwrap();
}

#[test]
fn confirm_reads_a_flag_or_a_message() {
    let read = |yaml: &str| serde_yaml::from_str::<UserCommand>(yaml).unwrap().confirm;
    assert_eq!(read("title: t\ncommand: x\n"), Confirm::Ask(false));
    assert_eq!(
        read("title: t\ncommand: x\nconfirm: true\n"),
        Confirm::Ask(true)
    );
    let message = read("title: t\ncommand: x\nconfirm: Really restart?\n");
    assert_eq!(message, Confirm::Message("Really restart?".into()));
    assert!(message.asks());
}

#[test]
fn a_nested_input_object_is_asked_field_by_field_and_rendered_by_its_path() {
    let e = entity("ledger", json!({}));
    let mut a = action(
        "deploy ${{ metadata.name }} --size=${{ inputs.db.size }} --engine=${{ inputs.db.engine }}",
    );
    a.inputs = Some(json!({
        "type": "object",
        "properties": {
            "db": {
                "type": "object",
                "title": "Database",
                "required": ["size"],
                "properties": {
                    "size": {"type": "integer", "title": "Size", "minimum": 1},
                    "engine": {"type": "string", "enum": ["pg", "my"], "default": "pg"}
                }
            }
        }
    }));
    a.check().unwrap();
    let form = a.input_form().unwrap();
    assert_eq!(form.field("db.size").unwrap().title, "Database › Size");
    // From a values file, the object as a mapping; from --set, the field by its path.
    let file = Values::from_iter([("db".to_string(), json!({"engine": "my"}))]);
    let values = values_from(&form, file, &["db.size=5".into()]).unwrap();
    assert_eq!(values["db"], json!({"engine": "my", "size": 5}));
    let plan = a.prepare_with(&e, &values).unwrap();
    assert_eq!(plan.argv, ["deploy", "ledger", "--size=5", "--engine=my"]);
    // Its checks are the field's, named by the path.
    let errors = values_from(&form, Values::new(), &["db.size=0".into()]).unwrap_err();
    assert_eq!(errors, ["Database › Size (db.size): must be at least 1"]);
}
