//! `idp-tui action KEY|TITLE REF`: runs a custom action (or a built-in link) on an entity;
//! `--dry-run` prints the argument vector instead. An action with `inputs:` takes their
//! values from `--values FILE` and `--set KEY=VALUE`, checked as the portal's form checks
//! them (exit 1 listing every invalid value).

use super::{load_entity, print_json, Settings};
use crate::user_commands::{self, execute, PreparedCommand, RunMode};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Arguments of `action`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The action's key or title (a built-in link by its title, e.g. "Open source location").
    pub action: String,
    /// The entity: `kind:namespace/name`, or just `name` when that is unambiguous.
    pub reference: String,
    /// Print the command as its argument vector; run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run without asking, even when the action asks for confirmation.
    #[arg(long, short)]
    pub yes: bool,
    /// Print JSON (the plan, and the output of a background action).
    #[arg(long)]
    pub json: bool,
    /// A YAML or JSON mapping with the values of the action's inputs.
    #[arg(long, value_name = "FILE")]
    pub values: Option<std::path::PathBuf>,
    /// One input's value, typed as the form types it (repeatable; after `--values`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

/// Runs `action`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let (catalog, id) = match load_entity(settings, &args.reference) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let entity = catalog.get(id);
    let configured = &settings.config.actions;
    let links = user_commands::builtin_links(entity);
    let plan = match user_commands::find(configured, &args.action) {
        Some(action) => match inputs(action, args)? {
            Ok(values) => action.prepare_with(entity, &values),
            Err(code) => return Ok(code),
        },
        None => match links
            .iter()
            .find(|l| l.title.eq_ignore_ascii_case(args.action.trim()))
        {
            Some(link) if args.values.is_none() && args.sets.is_empty() => {
                Ok(PreparedCommand::open(&link.title, &link.url))
            }
            Some(link) => {
                tell!(
                    "idp-tui: error: {:?} is a link: --values and --set are for actions that declare `inputs:`",
                    link.title
                );
                return Ok(ExitCode::from(2));
            }
            None => {
                tell!(
                    "idp-tui: no action {:?}; actions for {}:",
                    args.action,
                    entity.entity_ref()
                );
                for a in configured.iter().filter(|a| a.applies(entity)) {
                    tell!("  {}  {}", a.key.as_deref().unwrap_or("-"), a.title);
                }
                for l in &links {
                    tell!("  -  {}  ({})", l.title, l.url);
                }
                return Ok(ExitCode::from(2));
            }
        },
    };
    let plan = match plan {
        Ok(p) => p,
        Err(e) => {
            tell!("idp-tui: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if args.dry_run {
        if args.json {
            print_json(&plan)?;
        } else {
            if let Some(message) = &plan.message {
                say!("confirm: {message}");
            }
            say!("argv: {:?}", plan.argv);
            say!("shell: {}", visible(&plan.shell_line()));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if plan.confirm && !args.yes && !confirm(&plan)? {
        tell!("idp-tui: not run");
        return Ok(ExitCode::from(2));
    }
    let outcome = match execute(&plan) {
        Ok(o) => o,
        Err(e) => {
            tell!("idp-tui: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    if plan.mode == RunMode::Open && outcome.code.is_none() {
        tell!(
            "idp-tui: {} is still running after {}s; left to finish",
            plan.argv.first().map_or("the opener", String::as_str),
            user_commands::OPENER_WAIT.as_secs()
        );
    }
    if plan.mode == RunMode::Background {
        if args.json {
            print_json(&serde_json::json!({
                "argv": plan.argv, "code": outcome.code,
                "stdout": outcome.stdout, "stderr": outcome.stderr,
            }))?;
        } else {
            say_part!("{}", outcome.stdout);
            tell_part!("{}", outcome.stderr);
        }
    }
    Ok(match outcome.code {
        Some(0) | None => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
    })
}

/// The values of the action's inputs (from `--values` and `--set`, over the defaults), or the
/// exit code after saying what is wrong: 1 with every invalid value, 2 for unreadable input.
fn inputs(
    action: &user_commands::UserCommand,
    args: &Args,
) -> color_eyre::Result<Result<user_commands::Values, ExitCode>> {
    let Some(form) = action.input_form() else {
        if args.values.is_some() || !args.sets.is_empty() {
            tell!(
                "idp-tui: error: {:?} declares no inputs: --values and --set do not apply",
                action.title
            );
            return Ok(Err(ExitCode::from(2)));
        }
        return Ok(Ok(user_commands::Values::new()));
    };
    let file = match &args.values {
        None => user_commands::Values::new(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| crate::yaml::from_str::<serde_json::Value>(&t).map_err(|e| e.to_string()))
        {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(serde_json::Value::Null) => user_commands::Values::new(),
            Ok(_) => {
                tell!(
                    "idp-tui: error: {}: the values must be a mapping",
                    path.display()
                );
                return Ok(Err(ExitCode::from(2)));
            }
            Err(e) => {
                tell!("idp-tui: error: {}: {e}", path.display());
                return Ok(Err(ExitCode::from(2)));
            }
        },
    };
    match user_commands::values_from(&form, file, &args.sets) {
        Ok(values) => Ok(Ok(values)),
        Err(errors) => {
            if args.json {
                print_json(&serde_json::json!({"valid": false, "errors": errors}))?;
            }
            for e in &errors {
                tell!(
                    "idp-tui: invalid: {}",
                    crate::text::one_line(&crate::text::clean(e))
                );
            }
            Ok(Err(ExitCode::FAILURE))
        }
    }
}

/// Asks on the terminal; without one, refuses (a script must pass `--yes`).
fn confirm(plan: &PreparedCommand) -> color_eyre::Result<bool> {
    if !std::io::stdin().is_terminal() {
        tell!(
            "idp-tui: {:?} asks for confirmation; pass --yes to run it",
            plan.title
        );
        return Ok(false);
    }
    if let Some(message) = &plan.message {
        tell!("{message}");
    }
    tell_part!("Run {}? [y/N] ", visible(&plan.shell_line()));
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Shows control characters (a newline inside a quoted argument) as escapes, leaving quotes as
/// they are so the line can be pasted into a shell.
fn visible(line: &str) -> String {
    line.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_debug().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}
