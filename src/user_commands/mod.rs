//! The user's own commands, like k9s plugins: the config file's `actions:` section (the docs'
//! "custom actions") declares commands bound to keys and kinds, run on the selected entity. In
//! code they are commands ([`UserCommand`]), never "actions": that word is taken by the TUI's
//! key intents (`tui::action::Action`) and the scaffolder's steps.
//!
//! A command is split into words first and each word is rendered with `${{ }}` expressions
//! afterwards, so a value from the catalog is always exactly one argument: an entity titled
//! `x; rm -rf ~` can never run `rm`. Commands run without a shell; a word that *is* a shell
//! script (`sh -c '…'`, `bash -lc`, `env sh -c`, `ssh host …`) gets each value quoted for its
//! spot in the script instead ([`shell`]), and a value that would start an
//! argument with `-` is refused unless `--` came before it.
//!
//! Also here: the built-in links ([`BuiltinLink`]) for the annotations and links every portal
//! shows.

use crate::catalog::Entity;
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

pub mod editor;
mod inputs;
mod shell;

pub use inputs::{check_schema, values_from};

/// Most bytes of a background command's output kept.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// How long [`execute`] waits for the opener in `open` mode. An opener hands the URL to a
/// running browser and exits at once; one that starts the browser itself may run as long as the
/// browser does, so past this it is left running (and reaped when it ends).
pub const OPENER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How a user command runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunMode {
    /// In the terminal: the TUI steps aside until the command ends.
    #[default]
    Terminal,
    /// In the background, its output captured into a pane.
    Background,
    /// The command is a URL to open in a browser.
    Open,
}

/// One user command: an entry of the config file's `actions:` list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserCommand {
    /// The key that runs it in the TUI (e.g. `L`).
    pub key: Option<String>,
    /// What the help overlay and palette call it.
    pub title: String,
    /// Entity kinds it applies to (any kind when empty).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// An expression over the entity; the action is hidden when it is false or empty.
    pub when: Option<String>,
    /// The command (or URL, for `open`), with `${{ entity.… }}` expressions.
    pub command: String,
    /// How it runs.
    #[serde(default)]
    pub mode: RunMode,
    /// Ask before running: `true`, or a message shown above the command.
    #[serde(default)]
    pub confirm: Confirm,
    /// What the action asks for before it runs, as a JSON Schema object (the subset the
    /// scaffolder's form supports); the values are `${{ inputs.KEY }}` in the command.
    #[serde(default)]
    pub inputs: Option<serde_json::Value>,
}

/// The values of a user command's inputs, keyed by input (what the form or `--set` gave).
pub type Values = serde_json::Map<String, serde_json::Value>;

/// Whether a user command asks before it runs: `confirm: true`, or `confirm: "a message"` (which
/// asks too, and is shown above the command).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Confirm {
    /// `confirm: true` asks, `false` does not.
    Ask(bool),
    /// Asks, showing this message (with `${{ }}` expressions) above the command.
    Message(String),
}

impl Default for Confirm {
    fn default() -> Self {
        Confirm::Ask(false)
    }
}

impl From<bool> for Confirm {
    fn from(ask: bool) -> Self {
        Confirm::Ask(ask)
    }
}

impl Confirm {
    /// True when the action asks before running.
    pub fn asks(&self) -> bool {
        match self {
            Confirm::Ask(ask) => *ask,
            Confirm::Message(_) => true,
        }
    }
}

/// Why a user command cannot be prepared or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The action is written wrongly (bad template, unbalanced quotes, empty command).
    #[error("action {command:?}: {message}")]
    Invalid {
        /// The command's title.
        command: String,
        /// What is wrong.
        message: String,
    },
    /// Rendering failed for this entity (typically a value it does not have).
    #[error("action {command:?} on {entity}: {message}")]
    Render {
        /// The command's title.
        command: String,
        /// The entity.
        entity: String,
        /// What failed.
        message: String,
    },
    /// The action's kinds or `when` exclude this entity.
    #[error("action {command:?} does not apply to {entity}")]
    NotApplicable {
        /// The command's title.
        command: String,
        /// The entity.
        entity: String,
    },
    /// An `open` action that did not produce one http(s) URL.
    #[error("action {command:?}: {url:?} is not an http(s) URL; not opened")]
    BadUrl {
        /// The command's title.
        command: String,
        /// What it produced.
        url: String,
    },
    /// The program could not be started.
    #[error("cannot run {program}: {message}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        message: String,
    },
    /// The opener ran and failed: the URL was not opened.
    #[error("{program} could not open {url} ({status}){}", stderr_suffix(.stderr))]
    Opener {
        /// The opener.
        program: String,
        /// The URL.
        url: String,
        /// How it ended (`exit status: 3`, `signal: 9 (SIGKILL)`).
        status: String,
        /// What it wrote on standard error, cleaned (bounded).
        stderr: String,
    },
}

/// `: what it said` after an opener's failure, when it said anything.
fn stderr_suffix(stderr: &str) -> String {
    match stderr.trim() {
        "" => String::new(),
        said => format!(": {said}"),
    }
}

/// A prepared command: the argument vector, ready to run without a shell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreparedCommand {
    /// The action's title.
    pub title: String,
    /// How it runs.
    pub mode: RunMode,
    /// Ask before running.
    pub confirm: bool,
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// The `confirm:` message, rendered and cleaned, shown above the command when asking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl PreparedCommand {
    /// The command as a copy-pasteable shell line (every argument quoted as needed).
    pub fn shell_line(&self) -> String {
        shell_words::join(&self.argv)
    }

    /// A prepared command that opens a URL with the platform's opener.
    pub fn open(title: &str, url: &str) -> Self {
        Self {
            title: title.to_string(),
            mode: RunMode::Open,
            confirm: false,
            argv: vec![opener().to_string(), url.to_string()],
            message: None,
        }
    }
}

/// What a finished command left (its exit code and output).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandOutput {
    /// The exit code (`None` when killed by a signal, or not waited for).
    pub code: Option<i32>,
    /// Standard output (background mode), cleaned for display.
    pub stdout: String,
    /// Standard error (background mode), cleaned for display.
    pub stderr: String,
}

/// The program that opens URLs here.
pub fn opener() -> &'static str {
    if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    }
}

/// The expression environment. With `scripts`, it has the `__idp_sh` filter that
/// [`shell::annotate`] puts on every value in a script: it quotes the value for its spot and
/// refuses one that would start a word with `-`.
fn environment(scripts: bool, undefined: UndefinedBehavior) -> Environment<'static> {
    let mut env = Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
        .variable_delimiters("${{", "}}")
        .build()
    {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(undefined);
    if scripts {
        env.add_filter(
            "__idp_sh",
            |value: minijinja::Value,
             dialect: String,
             place: String,
             guard: bool|
             -> Result<String, minijinja::Error> {
                if value.is_undefined() {
                    return Err(minijinja::Error::from(minijinja::ErrorKind::UndefinedError));
                }
                let text = if value.is_none() {
                    String::new()
                } else {
                    value.to_string()
                };
                if guard {
                    refuse_dash(&text).map_err(|message| {
                        minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message)
                    })?;
                }
                Ok(shell::quote(&text, &dialect, &place))
            },
        );
    }
    env
}

/// A value that starts an argument must not start with `-`: the program would read it as an
/// option (`ssh -oProxyCommand=…` runs a command).
fn refuse_dash(value: &str) -> Result<(), String> {
    if !value.starts_with('-') {
        return Ok(());
    }
    let shown: String = crate::text::one_line(&crate::text::clean(value))
        .chars()
        .take(40)
        .collect();
    Err(format!(
        "the value {shown:?} starts with '-' and would be read as an option; put `--` before it in the command"
    ))
}

/// What expressions see: the entity's fields at the top level (`metadata.name`), the entity as
/// `entity`, its reference as `ref`, and the values of the action's inputs as `inputs`.
fn context(entity: &Entity, inputs: &Values) -> minijinja::Value {
    let doc = entity.to_value();
    let mut map = match &doc {
        serde_json::Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    map.insert("entity".into(), doc);
    map.insert("ref".into(), entity.entity_ref().as_str().into());
    map.insert("inputs".into(), serde_json::Value::Object(inputs.clone()));
    minijinja::Value::from_serialize(&map)
}

/// Template regions (`${{ … }}`, `{% … %}`, `{# … #}`) are kept whole while the command is split
/// into words: they are swapped for private-use markers, split, then swapped back.
fn words(command: &str) -> Result<Vec<String>, String> {
    let mut regions = Vec::new();
    let mut masked = String::new();
    let mut rest = command;
    loop {
        let Some(found) = shell::next_region(rest) else {
            masked.push_str(rest);
            break;
        };
        let (start, end, _) = found?;
        masked.push_str(rest.get(..start).unwrap_or_default());
        masked.push_str(&format!("\u{E000}{}\u{E001}", regions.len()));
        regions.push(rest.get(start..end).unwrap_or_default().to_string());
        rest = rest.get(end..).unwrap_or_default();
    }
    let split =
        shell_words::split(&masked).map_err(|e| format!("cannot split the command: {e}"))?;
    Ok(split
        .into_iter()
        .map(|w| {
            let mut out = w;
            for (i, region) in regions.iter().enumerate() {
                out = out.replace(&format!("\u{E000}{i}\u{E001}"), region);
            }
            out
        })
        .collect())
}

impl UserCommand {
    /// Checks the action without an entity: a title, a command that splits into words and
    /// templates that compile.
    pub fn check(&self) -> Result<(), CommandError> {
        let invalid = |message: String| CommandError::Invalid {
            command: self.title.clone(),
            message,
        };
        if self.title.trim().is_empty() {
            return Err(invalid("title is empty".into()));
        }
        if self.key.as_deref().is_some_and(|k| k.trim().is_empty()) {
            return Err(invalid("key is empty".into()));
        }
        let words = words(&self.command).map_err(&invalid)?;
        if words.is_empty() {
            return Err(invalid("command is empty".into()));
        }
        let env = environment(true, UndefinedBehavior::Strict);
        let roles = self.roles(&words).map_err(&invalid)?;
        for (w, role) in words.iter().zip(&roles) {
            let template = match role {
                shell::Role::Script(dialect) => {
                    shell::annotate(w, *dialect).map_err(|e| invalid(format!("in {w:?}: {e}")))?
                }
                shell::Role::Argument => w.clone(),
            };
            let compiled = env
                .template_from_str(&template)
                .map_err(|e| invalid(format!("in {w:?}: {e}")))?;
            let mut used: Vec<String> = compiled.undeclared_variables(true).into_iter().collect();
            used.sort();
            inputs::undeclared(self, &used).map_err(&invalid)?;
        }
        if let Some(schema) = &self.inputs {
            check_schema(schema).map_err(&invalid)?;
        }
        if let Confirm::Message(message) = &self.confirm {
            env.template_from_str(message)
                .map_err(|e| invalid(format!("confirm: {e}")))?;
        }
        if let Some(when) = &self.when {
            if has_end_delimiter(when) {
                return Err(invalid("when: unexpected `}}` in the expression".into()));
            }
            env.compile_expression(strip_delimiters(when))
                .map_err(|e| invalid(format!("when: {e}")))?;
        }
        Ok(())
    }

    /// What each word of the command is: an `open` action's words are a URL, never run.
    fn roles(&self, words: &[String]) -> Result<Vec<shell::Role>, String> {
        if self.mode == RunMode::Open {
            return Ok(vec![shell::Role::Argument; words.len()]);
        }
        shell::roles(words, |i| shell::has_value(&words[i]))
    }

    /// True when the action applies to the entity: its kind is listed (or none are) and `when`
    /// is true. A `when` that fails to evaluate hides the action.
    pub fn applies(&self, entity: &Entity) -> bool {
        let kind_ok = self.kinds.is_empty()
            || self
                .kinds
                .iter()
                .any(|k| k.eq_ignore_ascii_case(entity.kind_lower()));
        if !kind_ok {
            return false;
        }
        let Some(when) = &self.when else {
            return true;
        };
        if has_end_delimiter(when) {
            return false;
        }
        let env = environment(false, UndefinedBehavior::Chainable);
        let Ok(expr) = env.compile_expression(strip_delimiters(when)) else {
            return false;
        };
        expr.eval(context(entity, &Values::new()))
            .is_ok_and(|v| v.is_true())
    }

    /// Renders the command for an entity into an argument vector.
    pub fn prepare(&self, entity: &Entity) -> Result<PreparedCommand, CommandError> {
        self.prepare_with(entity, &Values::new())
    }

    /// Renders the command for an entity with the values of its inputs
    /// (`${{ inputs.KEY }}`), each quoted exactly like an entity value.
    pub fn prepare_with(
        &self,
        entity: &Entity,
        inputs: &Values,
    ) -> Result<PreparedCommand, CommandError> {
        let entity_ref = entity.entity_ref().to_string();
        if !self.applies(entity) {
            return Err(CommandError::NotApplicable {
                command: self.title.clone(),
                entity: entity_ref,
            });
        }
        let invalid = |message: String| CommandError::Invalid {
            command: self.title.clone(),
            message,
        };
        let words = words(&self.command).map_err(&invalid)?;
        let roles = self.roles(&words).map_err(&invalid)?;
        let ctx = context(entity, inputs);
        let plain = environment(false, UndefinedBehavior::Strict);
        let scripts = environment(true, UndefinedBehavior::Strict);
        let render_error = |message: String| CommandError::Render {
            command: self.title.clone(),
            entity: entity_ref.clone(),
            message,
        };
        let mut argv = Vec::with_capacity(words.len());
        for (i, (word, role)) in words.iter().zip(&roles).enumerate() {
            let rendered = match role {
                shell::Role::Script(dialect) => {
                    let template = shell::annotate(word, *dialect).map_err(&invalid)?;
                    scripts.render_str(&template, ctx.clone())
                }
                shell::Role::Argument => plain.render_str(word, ctx.clone()),
            }
            .map_err(|e| render_error(e.to_string()))?;
            // The `-` came from a value (the command does not start the word with one), and
            // no `--` before it says options have ended.
            if self.mode != RunMode::Open
                && !word.starts_with('-')
                && !words[..i].iter().any(|w| w == "--")
            {
                refuse_dash(&rendered).map_err(&render_error)?;
            }
            argv.push(rendered);
        }
        // A value that names a program (`env ${{ x }} -c '…'` with x = sh) would make later
        // words, rendered as plain arguments, into code.
        let rendered_roles = match self.mode {
            RunMode::Open => Ok(roles.clone()),
            _ => shell::roles(&argv, |_| false),
        };
        if let Ok(now) = rendered_roles {
            if let Some(i) = (0..argv.len()).find(|&i| now[i] != roles[i]) {
                let named = (0..i)
                    .rev()
                    .find(|&j| shell::has_value(&words[j]))
                    .map_or("", |j| argv[j].as_str());
                return Err(render_error(format!(
                    "a value names a program ({}) that would run word {} as code; refused",
                    crate::text::one_line(&crate::text::clean(named)),
                    i + 1
                )));
            }
        }
        if self.mode == RunMode::Open {
            let url = argv.join(" ");
            if argv.len() != 1 || !is_web_url(&url) {
                return Err(CommandError::BadUrl {
                    command: self.title.clone(),
                    url,
                });
            }
            let mut plan = PreparedCommand::open(&self.title, &url);
            plan.confirm = self.confirm.asks();
            plan.message = self.message(&plain, &ctx);
            return Ok(plan);
        }
        Ok(PreparedCommand {
            title: self.title.clone(),
            mode: self.mode,
            confirm: self.confirm.asks(),
            message: self.message(&plain, &ctx),
            argv,
        })
    }
}

impl UserCommand {
    /// The `confirm:` message rendered for the entity and inputs, on one line and cleaned
    /// (the text as written when it does not render: it is only shown, never run).
    fn message(&self, env: &Environment<'static>, ctx: &minijinja::Value) -> Option<String> {
        let Confirm::Message(message) = &self.confirm else {
            return None;
        };
        let shown = env
            .render_str(message, ctx.clone())
            .unwrap_or_else(|_| message.clone());
        Some(crate::text::one_line(&crate::text::clean(&shown)))
    }
}

/// minijinja 2.24 panics on an expression holding `}}` (found by fuzzing `expr_render`):
/// such a `when` is refused before it reaches the compiler.
fn has_end_delimiter(when: &str) -> bool {
    strip_delimiters(when).contains("}}")
}

fn strip_delimiters(expr: &str) -> &str {
    let t = expr.trim();
    t.strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(t)
        .trim()
}

/// True for `http://` and `https://` URLs: the only ones opened from catalog data.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Checks a list of user commands: each one, and that no two share a key or a title.
pub fn check_all(actions: &[UserCommand]) -> Result<(), CommandError> {
    for (i, a) in actions.iter().enumerate() {
        a.check()?;
        for b in &actions[..i] {
            if a.key.is_some() && a.key == b.key {
                return Err(CommandError::Invalid {
                    command: a.title.clone(),
                    message: format!(
                        "key {:?} is already used by {:?}",
                        a.key.as_deref().unwrap_or(""),
                        b.title
                    ),
                });
            }
            if a.title.eq_ignore_ascii_case(&b.title) {
                return Err(CommandError::Invalid {
                    command: a.title.clone(),
                    message: "another action has the same title".into(),
                });
            }
        }
    }
    Ok(())
}

/// Finds a user command by its key (exactly) or its title (ignoring case).
pub fn find<'a>(actions: &'a [UserCommand], key_or_title: &str) -> Option<&'a UserCommand> {
    actions
        .iter()
        .find(|a| a.key.as_deref() == Some(key_or_title))
        .or_else(|| {
            actions
                .iter()
                .find(|a| a.title.eq_ignore_ascii_case(key_or_title.trim()))
        })
}

/// A link every entity view offers without configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BuiltinLink {
    /// What to call it.
    pub title: String,
    /// Where it goes (always http or https).
    pub url: String,
}

/// The built-in links: the source location, the view and edit URLs, and `metadata.links`.
pub fn builtin_links(entity: &Entity) -> Vec<BuiltinLink> {
    let mut out = Vec::new();
    let annotations = &entity.metadata.annotations;
    let mut add = |title: String, url: &str| {
        let url = url.trim();
        if is_web_url(url) && !out.iter().any(|l: &BuiltinLink| l.url == url) {
            out.push(BuiltinLink {
                title,
                url: url.to_string(),
            });
        }
    };
    if let Some(loc) = annotations.get("backstage.io/source-location") {
        if let Some(url) = loc.trim().strip_prefix("url:") {
            add("Open source location".into(), url);
        }
    }
    if let Some(url) = annotations.get("backstage.io/view-url") {
        add("View in source control".into(), url);
    }
    if let Some(url) = annotations.get("backstage.io/edit-url") {
        add("Edit the catalog file".into(), url);
    }
    for link in &entity.metadata.links {
        let title = link
            .title
            .as_deref()
            .map(crate::text::one_line)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| link.url.clone());
        add(title, &link.url);
    }
    out
}

/// Runs a prepared command. `Terminal` inherits the terminal and waits; `Background` captures
/// (bounded, cleaned) output; `Open` waits up to [`OPENER_WAIT`] for the opener and turns its
/// failure into [`CommandError::Opener`] (an opener still running at the bound gives
/// `code: None`).
pub fn execute(plan: &PreparedCommand) -> Result<CommandOutput, CommandError> {
    let (program, args) = plan.argv.split_first().ok_or_else(|| CommandError::Spawn {
        program: String::new(),
        message: "empty command".into(),
    })?;
    let spawn_err = |e: std::io::Error| CommandError::Spawn {
        program: program.clone(),
        message: e.to_string(),
    };
    let mut command = std::process::Command::new(program);
    command.args(args);
    match plan.mode {
        RunMode::Terminal => {
            let status = command.status().map_err(spawn_err)?;
            Ok(CommandOutput {
                code: status.code(),
                ..CommandOutput::default()
            })
        }
        RunMode::Background => {
            let output = command
                .stdin(std::process::Stdio::null())
                .output()
                .map_err(spawn_err)?;
            let text = |bytes: &[u8]| {
                let bytes = &bytes[..bytes.len().min(MAX_OUTPUT_BYTES)];
                crate::text::clean_lines(&String::from_utf8_lossy(bytes))
            };
            Ok(CommandOutput {
                code: output.status.code(),
                stdout: text(&output.stdout),
                stderr: text(&output.stderr),
            })
        }
        RunMode::Open => {
            // Standard error goes to an unnamed file, not a pipe: a browser the opener starts
            // inherits it and may write to it long after we stop reading.
            let mut log = tempfile::tempfile().map_err(spawn_err)?;
            let child = command
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(log.try_clone().map_err(spawn_err)?)
                .spawn()
                .map_err(spawn_err)?;
            match wait_bounded(child, OPENER_WAIT) {
                Some(Ok(status)) if status.success() => Ok(CommandOutput {
                    code: status.code(),
                    ..CommandOutput::default()
                }),
                Some(Ok(status)) => Err(CommandError::Opener {
                    program: program.clone(),
                    url: args.last().cloned().unwrap_or_default(),
                    status: status.to_string(),
                    stderr: read_log(&mut log),
                }),
                Some(Err(e)) => Err(spawn_err(e)),
                None => Ok(CommandOutput::default()),
            }
        }
    }
}

/// Waits for a child at most `bound`: `None` when it is still running then. Either way it is
/// reaped when it ends (a thread waits for it), so it never lingers as a zombie.
pub(crate) fn wait_bounded(
    mut child: std::process::Child,
    bound: std::time::Duration,
) -> Option<std::io::Result<std::process::ExitStatus>> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    rx.recv_timeout(bound).ok()
}

/// The start of what a command wrote to `log`, cleaned for display.
fn read_log(log: &mut std::fs::File) -> String {
    use std::io::{Read, Seek};
    let mut bytes = Vec::new();
    if log.rewind().is_ok() {
        let _ = log.take(MAX_OUTPUT_BYTES as u64).read_to_end(&mut bytes);
    }
    crate::text::clean_lines(&String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
mod tests;
