//! `idp-tui completions SHELL` and `idp-tui man`: the shell completion script and the man page,
//! both generated from the command line's own definition, so they never fall behind it.

use super::output::emit;
use super::Cli;
use clap::CommandFactory;
use std::process::ExitCode;

/// The shells completions are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    /// bash (`source <(idp-tui completions bash)`).
    Bash,
    /// zsh (write it to a file named `_idp-tui` on `$fpath`).
    Zsh,
    /// fish (write it to `~/.config/fish/completions/idp-tui.fish`).
    Fish,
    /// PowerShell (`idp-tui completions powershell | Out-String | Invoke-Expression`).
    Powershell,
}

/// `idp-tui completions SHELL`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the completion script for a shell to stdout.
pub fn completions(args: &CompletionsArgs) -> color_eyre::Result<ExitCode> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    let generator = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    clap_complete::generate(generator, &mut command, "idp-tui", &mut script);
    emit(&String::from_utf8_lossy(&script))?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the man page (roff, section 1) to stdout: `idp-tui man > idp-tui.1`.
pub fn man() -> color_eyre::Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    emit(&String::from_utf8_lossy(&page))?;
    Ok(ExitCode::SUCCESS)
}
