//! Opening a link from the portal: with the local opener (`xdg-open`, `open`) when there is a
//! browser here, else (over ssh, or with no opener installed) by copying it with OSC 52 so the
//! user's own terminal has it. The opener is spawned, never waited on by the UI, and its output
//! never reaches the screen.

use super::clipboard;
use std::io::Write;

/// How a link is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Way {
    /// Start this program with the URL.
    Open(String),
    /// Copy the URL with OSC 52; the text says why it was not opened.
    Copy(&'static str),
}

/// Chooses how to open a link: over ssh the browser would open on the remote host (if at all),
/// so the link is copied; without an opener it is copied too.
pub fn choose(over_ssh: bool, opener: Option<String>) -> Way {
    match (over_ssh, opener) {
        (true, _) => Way::Copy("over ssh there is no browser here"),
        (false, None) => Way::Copy("no xdg-open or open found"),
        (false, Some(program)) => Way::Open(program),
    }
}

/// True in an ssh session (`SSH_CONNECTION` or `SSH_TTY` set).
pub fn over_ssh() -> bool {
    ["SSH_CONNECTION", "SSH_TTY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// The platform's opener, when it is on `PATH`.
pub fn local_opener() -> Option<String> {
    let program = crate::user_commands::opener();
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .any(|p| p.is_file())
        .then(|| program.to_string())
}

/// Opens or copies `url` as `way` says; returns the message for the status line. A failed
/// start falls back to copying.
pub fn carry_out(way: Way, url: &str, out: &mut impl Write) -> std::io::Result<String> {
    let shown = crate::text::one_line(&crate::text::clean(url));
    let reason = match way {
        Way::Open(program) => match spawn(&program, url) {
            Ok(()) => return Ok(format!("opened {shown}")),
            Err(e) => format!("{program} failed: {e}"),
        },
        Way::Copy(reason) => reason.to_string(),
    };
    clipboard::copy(out, url)?;
    Ok(format!(
        "copied {shown} to the clipboard (OSC 52): {reason}"
    ))
}

/// Starts the opener detached from the screen, and reaps it on a thread of its own.
fn spawn(program: &str, url: &str) -> std::io::Result<()> {
    let mut child = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Opens `url` the way this session allows (see [`choose`]).
pub fn open_or_copy(url: &str, out: &mut impl Write) -> std::io::Result<String> {
    carry_out(choose(over_ssh(), local_opener()), url, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_or_no_opener_copies_and_a_local_opener_opens() {
        assert_eq!(
            choose(true, Some("xdg-open".into())),
            Way::Copy("over ssh there is no browser here")
        );
        assert_eq!(choose(false, None), Way::Copy("no xdg-open or open found"));
        assert_eq!(
            choose(false, Some("xdg-open".into())),
            Way::Open("xdg-open".into())
        );
    }

    #[test]
    fn copying_writes_osc52_and_says_why() {
        let mut out = Vec::new();
        let msg = carry_out(
            Way::Copy("over ssh there is no browser here"),
            "https://ex.io/runbook",
            &mut out,
        )
        .unwrap();
        assert_eq!(
            msg,
            "copied https://ex.io/runbook to the clipboard (OSC 52): over ssh there is no browser here"
        );
        assert_eq!(out, clipboard::osc52("https://ex.io/runbook").into_bytes());
    }

    #[test]
    fn an_opener_that_cannot_start_falls_back_to_copying() {
        let mut out = Vec::new();
        let msg = carry_out(
            Way::Open("/nonexistent/idp-tui-opener".into()),
            "https://ex.io",
            &mut out,
        )
        .unwrap();
        assert!(msg.starts_with("copied https://ex.io to the clipboard (OSC 52): /nonexistent/idp-tui-opener failed"), "{msg}");
        assert!(!out.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_working_opener_is_started_with_the_url_and_nothing_is_copied() {
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen");
        let script = dir.path().join("opener");
        std::fs::write(
            &script,
            format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", seen.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut out = Vec::new();
        let msg = carry_out(
            Way::Open(script.display().to_string()),
            "https://ex.io/a?b=c;d",
            &mut out,
        )
        .unwrap();
        assert_eq!(msg, "opened https://ex.io/a?b=c;d");
        assert!(out.is_empty());
        // The opener runs on its own; wait for what it wrote rather than for a fixed time.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::fs::read_to_string(&seen).unwrap_or_default() != "https://ex.io/a?b=c;d" {
            assert!(std::time::Instant::now() < deadline, "the opener never ran");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}
