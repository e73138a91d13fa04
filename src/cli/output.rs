//! The one road for command output. Every line a command prints goes through here:
//!
//! - text is cleaned as the portal cleans it ([`crate::text::clean_lines`]): a file name or a
//!   server's message holding `ESC ] 0;…` or OSC 52 cannot retitle, clear or fill the
//!   clipboard of the terminal it reaches; `--json` output is written exactly (its strings are
//!   JSON-escaped, so no raw control character is in it);
//! - a reader that goes away early (`idp-tui search '' | head -1`) ends the command quietly with
//!   exit code 0, as ripgrep does; any other failure to write the output is an error.

use std::io::{self, Write};

// These macros are visible to every command module through `#[macro_use]` on `mod output` in
// `cli/mod.rs`.

/// Appends a formatted line to a `String` (like `println!`, but into a buffer).
macro_rules! outln {
    ($out:expr) => {
        $out.push('\n')
    };
    ($out:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($out, $($arg)*);
    }};
}

/// Prints a line of command output (cleaned) on stdout: the CLI's `println!`.
macro_rules! say {
    () => {
        $crate::cli::output::out("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::output::out(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints command output (cleaned) on stdout without a newline: the CLI's `print!`.
macro_rules! say_part {
    ($($arg:tt)*) => {
        $crate::cli::output::out(&format!($($arg)*))
    };
}

/// Prints a line (cleaned) on stderr: the CLI's `eprintln!`.
macro_rules! tell {
    () => {
        $crate::cli::output::err("\n")
    };
    ($($arg:tt)*) => {
        $crate::cli::output::err(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Prints (cleaned) on stderr without a newline: the CLI's `eprint!`.
macro_rules! tell_part {
    ($($arg:tt)*) => {
        $crate::cli::output::err(&format!($($arg)*))
    };
}

/// The exit code of a command that could not do what was asked: a bad flag value, a bad or
/// missing config file, a missing file, the output not writable (clap's usage errors are 2
/// too). Panics exit 101.
pub const EXIT_USER_ERROR: u8 = 2;

/// Writes text to stdout, cleaned.
pub fn out(text: &str) {
    let cleaned = crate::text::clean_lines(text);
    finish(
        write_all(&mut io::stdout().lock(), cleaned.as_bytes()),
        true,
    );
}

/// Writes text to stderr, cleaned. A closed stderr is ignored.
pub fn err(text: &str) {
    let cleaned = crate::text::clean_lines(text);
    finish(
        write_all(&mut io::stderr().lock(), cleaned.as_bytes()),
        false,
    );
}

fn write_all(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(bytes).and_then(|()| w.flush())
}

/// What a failed write means: a reader that went away ends the command quietly (exit 0); any
/// other failure of stdout (a full disk) is a one-line error.
fn finish(result: io::Result<()>, stdout: bool) {
    match result {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            if stdout {
                std::process::exit(0);
            }
        }
        Err(e) if stdout => {
            let _ = writeln!(io::stderr(), "idp-tui: error: cannot write the output: {e}");
            std::process::exit(i32::from(EXIT_USER_ERROR));
        }
        Err(_) => {}
    }
}

/// Writes text to stdout (cleaned); kept for the commands that build their output first.
pub fn emit(text: &str) -> io::Result<()> {
    out(text);
    Ok(())
}

/// Writes a value as pretty JSON to stdout, exactly (not cleaned: JSON escapes every control
/// character in its strings).
pub fn emit_json(value: &impl serde::Serialize) -> color_eyre::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    finish(write_all(&mut io::stdout().lock(), text.as_bytes()), true);
    Ok(())
}

/// Prints an error that ended a command as one line, `idp-tui: error: …` (the causes joined
/// with `: `, cleaned), and returns [`EXIT_USER_ERROR`].
pub fn report(error: &color_eyre::Report) -> std::process::ExitCode {
    err(&format!("idp-tui: error: {}\n", one_line(error)));
    std::process::ExitCode::from(EXIT_USER_ERROR)
}

/// An error and its causes on one clean line; a cause already said by the one before it (an
/// I/O error its wrapper quotes) is not repeated.
fn one_line(error: &color_eyre::Report) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    crate::text::one_line(&crate::text::clean(&line))
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_error_and_its_causes_are_one_clean_line() {
        use color_eyre::eyre::{eyre, WrapErr};
        let e = Err::<(), _>(eyre!("c.yaml:3: bad\u{1b}]0;x\u{7}\nvalue"))
            .wrap_err("reading the config file")
            .unwrap_err();
        assert_eq!(
            super::one_line(&e),
            "reading the config file: c.yaml:3: bad value"
        );
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = color_eyre::Report::new(crate::config::ConfigError::Read {
            path: "c.yaml".into(),
            source: io,
        })
        .wrap_err("reading the --config file");
        let line = super::one_line(&e);
        assert_eq!(line.matches("not found").count(), 1, "{line}");
    }
}
