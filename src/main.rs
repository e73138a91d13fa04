//! The `idp-tui` binary: parse the command line, install error reporting, and hand over to the
//! portal or a command.

use clap::Parser;
use idp_tui::cli::{self, Cli};
use std::process::ExitCode;

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    let cli = Cli::parse();
    match &cli.command {
        Some(command) => cli::run(&cli, command),
        None => idp_tui::tui::run(&cli),
    }
}
