//! Writing command output: built in a `String`, then written at once, so a reader that goes
//! away early (`idp-tui deps x | head`) ends the command quietly instead of crashing it.

use std::io::{self, Write};

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
pub(crate) use outln;

/// Writes text to stdout; a closed pipe is not an error.
pub fn emit(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes a value as pretty JSON to stdout; a closed pipe is not an error.
pub fn emit_json(value: &impl serde::Serialize) -> color_eyre::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    emit(&text)?;
    Ok(())
}
