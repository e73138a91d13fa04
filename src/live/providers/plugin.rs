//! The plugin road: an external command (run without a shell, the entity as JSON on stdin) or
//! an HTTP endpoint (the entity as query parameters) answers with one signal in the same JSON
//! as `status --json` (`severity`, `headline`, `items`). The contract is in `docs/plugins.md`.
//! The answer is capped in size and time, and its text is cleaned like any server's.

use crate::live::config::PluginConfig;
use crate::live::error::LiveError;
use crate::live::http::{Auth, Endpoint};
use crate::live::model::{tidy, tidy_opt, Answer, Item, Severity, Signal};
use crate::live::subject::Subject;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest answer read from a plugin.
pub const MAX_OUTPUT: usize = 256 * 1024;

/// Rows kept from one answer.
const MAX_ITEMS: usize = 100;

/// True when the plugin is for this entity (it names no annotation, or the entity has it).
pub fn applies(plugin: &PluginConfig, subject: &Subject) -> bool {
    plugin
        .annotation
        .as_deref()
        .map_or(true, |key| subject.annotation(key).is_some())
}

/// What a plugin receives on stdin.
pub fn input(subject: &Subject) -> Value {
    let (kind, rest) = subject
        .entity()
        .split_once(':')
        .unwrap_or(("", subject.entity()));
    let (namespace, name) = rest.split_once('/').unwrap_or(("default", rest));
    json!({
        "entity": subject.entity(),
        "kind": kind,
        "namespace": namespace,
        "name": name,
        "owner": subject.owner,
        "annotations": subject.this.annotations,
    })
}

/// Asks the plugin.
pub async fn fetch(
    plugin: &PluginConfig,
    subject: &Subject,
    timeout: Duration,
) -> Result<Answer, LiveError> {
    let name = plugin.name.clone();
    let failed = |detail: String| LiveError::Plugin {
        name: name.clone(),
        detail,
    };
    let body = if let Some(url) = &plugin.url {
        let endpoint = Endpoint::new(&url.0, Auth::None, timeout)?;
        let annotations = serde_json::to_string(&subject.this.annotations).unwrap_or_default();
        let owner = subject.owner.clone().unwrap_or_default();
        endpoint
            .get(
                &[],
                &[
                    ("entity", subject.entity()),
                    ("owner", &owner),
                    ("annotations", &annotations),
                ],
            )
            .await?
    } else {
        let argv = plugin.command.clone();
        let stdin = input(subject).to_string();
        let out = tokio::task::spawn_blocking(move || run(&argv, stdin.as_bytes(), timeout))
            .await
            .map_err(|e| failed(e.to_string()))?;
        let bytes = out.map_err(failed)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| failed(format!("answer is not JSON ({})", tidy(&e.to_string()))))?
    };
    parse(&plugin.name, &body).map_err(failed)
}

/// Reads a plugin's answer: `{severity, headline, items: [{title, detail, url, when}]}`.
pub fn parse(provider: &str, body: &Value) -> Result<Answer, String> {
    let word = body
        .get("severity")
        .and_then(Value::as_str)
        .ok_or("answer has no `severity`")?;
    let severity = Severity::parse(word)
        .ok_or_else(|| format!("severity `{}` is not ok, warn, crit or unknown", tidy(word)))?;
    let s = |v: &Value, key: &str| tidy_opt(v.get(key).and_then(Value::as_str));
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .take(MAX_ITEMS)
        .filter_map(|i| {
            Some(Item {
                title: s(i, "title")?,
                detail: s(i, "detail").unwrap_or_default(),
                url: s(i, "url"),
                when: s(i, "when"),
            })
        })
        .collect();
    Ok(Answer {
        signal: Signal {
            provider: provider.to_string(),
            severity,
            headline: s(body, "headline").unwrap_or_default(),
            items,
        },
        oncall: Vec::new(),
        incidents: Vec::new(),
    })
}

/// Runs a command without a shell, writes `stdin`, and returns its standard output; kills it
/// past `timeout` or when it prints more than [`MAX_OUTPUT`].
pub fn run(argv: &[String], stdin: &[u8], timeout: Duration) -> Result<Vec<u8>, String> {
    let (program, args) = argv.split_first().ok_or("no command")?;
    let program = crate::config::expand_home(program);
    let mut child = Command::new(&program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", tidy(&program)))?;
    if let Some(mut pipe) = child.stdin.take() {
        let input = stdin.to_vec();
        // A plugin that does not read its input must not block us: write on a thread.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let too_large = Arc::new(AtomicBool::new(false));
    let stdout = child.stdout.take().map(|mut pipe| {
        let flag = Arc::clone(&too_large);
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = (&mut pipe)
                .take(MAX_OUTPUT as u64 + 1)
                .read_to_end(&mut out);
            if out.len() > MAX_OUTPUT {
                flag.store(true, Ordering::Relaxed);
            }
            out
        })
    });
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let _ = (&mut pipe).take(4096).read_to_end(&mut out);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            out
        })
    });
    let started = Instant::now();
    let status = loop {
        if too_large.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("printed more than {MAX_OUTPUT} bytes"));
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {} s", timeout.as_secs_f32()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let out = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
    if out.len() > MAX_OUTPUT {
        return Err(format!("printed more than {MAX_OUTPUT} bytes"));
    }
    if !status.success() {
        let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        let first = String::from_utf8_lossy(&err);
        let line = first.lines().next().map(tidy).unwrap_or_default();
        return Err(if line.is_empty() {
            format!("failed ({status})")
        } else {
            format!("failed ({status}): {line}")
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn answer_is_read_and_cleaned() {
        let a = parse(
            "jira",
            &json!({"severity": "WARN", "headline": "3 open\u{1b}[2J bugs", "items": [{"title": "BUG-1", "url": "https://j/1"}, {"detail": "no title"}]}),
        )
        .unwrap();
        assert_eq!(a.signal.severity, Severity::Warn);
        assert_eq!(a.signal.headline, "3 open bugs");
        assert_eq!(a.signal.items.len(), 1);
        assert!(parse("x", &json!({"severity": "purple"}))
            .unwrap_err()
            .contains("purple"));
        assert!(parse("x", &json!({"headline": "h"}))
            .unwrap_err()
            .contains("severity"));
    }

    #[test]
    fn command_gets_stdin_and_its_output_is_returned() {
        let out = run(&sh("cat"), b"{\"entity\":1}", Duration::from_secs(5)).unwrap();
        assert_eq!(out, b"{\"entity\":1}");
    }

    #[test]
    fn slow_loud_and_failing_commands_are_stopped_with_a_reason() {
        let slow = run(&sh("sleep 5"), b"", Duration::from_millis(200)).unwrap_err();
        assert!(slow.contains("timed out"), "{slow}");
        let loud = run(&sh("yes"), b"", Duration::from_secs(10)).unwrap_err();
        assert!(loud.contains("more than"), "{loud}");
        let failed = run(
            &sh("echo 'no \u{1b}[31mtoken' >&2; exit 4"),
            b"",
            Duration::from_secs(5),
        )
        .unwrap_err();
        assert!(
            failed.contains("exit status: 4") && failed.contains("no token"),
            "{failed}"
        );
        let missing = run(
            &["/nonexistent/plugin".to_string()],
            b"",
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(missing.contains("cannot run"), "{missing}");
    }

    #[test]
    fn no_shell_interprets_the_arguments() {
        let out = run(
            &["echo".into(), "$HOME;".into(), "`id`".into()],
            b"",
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(out, b"$HOME; `id`\n");
    }
}
