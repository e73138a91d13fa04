//! Palette commands: a registry other features extend.
//!
//! # Adding a command
//! Add a [`Command`] to [`COMMANDS`]: its name, a usage string, a one-line description,
//! the arguments to offer in the palette (`choices`, may be empty) and `run`, which changes the
//! [`App`] (push a pane with `app.push(..)`, set the theme, …) and may return an [`Task`].
//! An `Err(message)` is shown in the status line.

use super::app::App;
use super::panes::initiatives::InitiativesView;
use super::panes::palette::Entry;
use super::panes::problems::ProblemsView;
use super::panes::scorecards::ScorecardsView;
use super::panes::teams::TeamsView;
use super::panes::templates::TemplatesView;
use super::task::Task;
use super::theme::Theme;

/// One palette command.
pub struct Command {
    /// The word typed to run it, e.g. `theme`.
    pub name: &'static str,
    /// How it is called, e.g. `theme NAME`.
    pub usage: &'static str,
    /// What it does, in one line.
    pub description: &'static str,
    /// Arguments to list in the palette as separate entries (`theme dark`, `theme light`).
    pub choices: fn() -> Vec<String>,
    /// Runs it with the rest of the line (trimmed; empty when none was given).
    pub run: fn(&mut App, &str) -> Result<Option<Task>, String>,
}

fn no_choices() -> Vec<String> {
    Vec::new()
}

/// Every command, in palette order.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "search",
        usage: "search [QUERY]",
        description: "go to search (with a query)",
        choices: no_choices,
        run: |app, arg| {
            app.focus_search(if arg.is_empty() { None } else { Some(arg) });
            Ok(None)
        },
    },
    Command {
        name: "templates",
        usage: "templates",
        description: "create something from a Software Template",
        choices: no_choices,
        run: |app, _| {
            let view = TemplatesView::new(&app.ctx());
            app.push(Box::new(view));
            Ok(None)
        },
    },
    Command {
        name: "problems",
        usage: "problems",
        description: "list catalog problems",
        choices: no_choices,
        run: |app, _| {
            app.push(Box::new(ProblemsView::new()));
            Ok(None)
        },
    },
    Command {
        name: "teams",
        usage: "teams",
        description: "list teams: members, what they own, who has nobody in it",
        choices: no_choices,
        run: |app, _| {
            let view = TeamsView::new(&app.ctx());
            app.push(Box::new(view));
            Ok(None)
        },
    },
    Command {
        name: "scorecards",
        usage: "scorecards",
        description: "levels, owner leaderboard and failing rules per scorecard",
        choices: no_choices,
        run: |app, _| {
            let view = ScorecardsView::new(&app.ctx());
            app.push(Box::new(view));
            Ok(None)
        },
    },
    Command {
        name: "initiatives",
        usage: "initiatives",
        description: "scorecard initiatives: progress, status, deadline, owners, action items",
        choices: no_choices,
        run: |app, _| {
            let view = InitiativesView::new(&app.ctx());
            app.push(Box::new(view));
            Ok(None)
        },
    },
    Command {
        name: "insights",
        usage: "insights",
        description: "catalog completeness per team, ownership, template adoption, problems",
        choices: no_choices,
        run: |app, _| {
            let (view, job) = super::panes::insights::InsightsView::counting(app.catalog().clone());
            app.push(Box::new(view));
            Ok(Some(Task::CountStats(job)))
        },
    },
    Command {
        name: "sources",
        usage: "sources",
        description: "show each source's state, entities, last refresh and error",
        choices: no_choices,
        run: |app, _| {
            app.open_sources();
            Ok(None)
        },
    },
    Command {
        name: "refresh",
        usage: "refresh [SOURCE]",
        description: "reload all sources, or one, in the background",
        choices: no_choices,
        run: |app, arg| app.refresh(arg),
    },
    Command {
        name: "theme",
        usage: "theme NAME",
        description: "switch the colour theme",
        choices: || Theme::names().into_iter().map(String::from).collect(),
        run: |app, arg| {
            let theme = Theme::builtin(arg).map_err(|e| e.to_string())?;
            app.status_info(format!("theme: {}", theme.name));
            app.set_theme(theme);
            Ok(None)
        },
    },
    Command {
        name: "action",
        usage: "action TITLE",
        description: "run a custom action on the entity (by title or key)",
        choices: no_choices,
        run: |app, arg| {
            let index = app
                .custom_actions()
                .into_iter()
                .find(|(_, a)| a.title.eq_ignore_ascii_case(arg) || a.key.as_deref() == Some(arg))
                .map(|(i, _)| i)
                .ok_or_else(|| {
                    format!(
                        "no action {:?} for this entity",
                        crate::tui::widgets::wrap::safe_line(arg)
                    )
                })?;
            Ok(app.run_custom(index))
        },
    },
    Command {
        name: "links",
        usage: "links",
        description: "open or copy the entity's links (source, view URL, metadata.links)",
        choices: no_choices,
        run: |app, _| {
            app.open_links();
            Ok(None)
        },
    },
    Command {
        name: "raw",
        usage: "raw",
        description: "the entity as YAML or JSON (`r` switches, `/` finds)",
        choices: no_choices,
        run: |app, _| match app.current_entity() {
            Some(id) => {
                let view = super::panes::raw::RawView::new(&app.ctx(), id);
                app.push(Box::new(view));
                Ok(None)
            }
            None => Err("no entity selected: open one first".into()),
        },
    },
    Command {
        name: "help",
        usage: "help",
        description: "show the keys",
        choices: no_choices,
        run: |app, _| {
            app.open_help();
            Ok(None)
        },
    },
    Command {
        name: "quit",
        usage: "quit",
        description: "leave idp-tui",
        choices: no_choices,
        run: |_, _| Ok(Some(Task::Quit)),
    },
];

/// The palette's entries: each command, expanded by its choices.
pub fn entries() -> Vec<Entry> {
    let mut out = Vec::new();
    for c in COMMANDS {
        let choices = (c.choices)();
        if choices.is_empty() {
            out.push(Entry {
                line: c.name.to_string(),
                description: c.description,
            });
        }
        for choice in choices {
            out.push(Entry {
                line: format!("{} {choice}", c.name),
                description: c.description,
            });
        }
    }
    out
}

/// Runs a command line such as `theme light`; unknown commands and failures go to the status
/// line.
pub fn run(app: &mut App, line: &str) -> Option<Task> {
    let line = line.trim();
    let (name, arg) = line.split_once(' ').unwrap_or((line, ""));
    let Some(command) = COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name)) else {
        let known: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        app.status_error(format!(
            "unknown command {:?} (commands: {})",
            crate::tui::widgets::wrap::safe_line(name),
            known.join(", ")
        ));
        return None;
    };
    match (command.run)(app, arg.trim()) {
        Ok(effect) => effect,
        Err(message) => {
            app.status_error(format!("{}: {message}", command.usage));
            None
        }
    }
}
