//! The `idp-tui` binary: parse the command line, install error reporting, and hand over to the
//! portal or a command.

use clap::Parser;
use idp_tui::cli::{self, Cli};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: entities are decoded on tokio's workers and
/// freed or kept on the UI thread, and glibc's malloc spent as much time on that traffic as
/// the catalog itself (benches/HISTORY.md, "The allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // color-eyre's report is for real crashes (panics); an error a user can fix (a bad config,
    // a missing file, a bad flag value) is one line, `idp-tui: error: …`, exit code 2.
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => idp_tui::tui::run(&cli),
    };
    result.unwrap_or_else(|e| cli::report(&e))
}
