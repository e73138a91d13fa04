//! The configuration file: sources, theme and other preferences, read from the platform config
//! directory (`~/.config/idp-tui/config.yaml` on Linux) or `--config FILE`.

pub use crate::live::config::Seconds;
use crate::source::{BackstageSource, HttpOptions, Secret, SourceSpec, TokenSource};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A problem with the configuration file, naming the file and where.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read config: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid YAML, or a key has the wrong shape.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The 1-based line (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One configured source.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceConfig {
    /// Local catalog files.
    File {
        /// A short name.
        name: Option<String>,
        /// A file or directory (`~` expands to the home directory).
        path: Option<String>,
        /// Several files or directories.
        #[serde(default)]
        paths: Vec<String>,
    },
    /// A Backstage backend's catalog API.
    Backstage {
        /// A short name (default: the host name).
        name: Option<String>,
        /// The backend's base URL (http:// or https://).
        url: HttpUrl,
        /// An environment variable holding the token (default: `BACKSTAGE_TOKEN`).
        token_env: Option<String>,
        /// A command that prints the token, such as `pass show backstage`.
        token_command: Option<String>,
        /// The token itself (discouraged: prefer `token_env` or `token_command`).
        token: Option<Secret>,
        /// A PEM file of extra CA certificates to trust.
        ca_file: Option<String>,
        /// Seconds allowed for one request (default 60).
        timeout: Option<Seconds>,
        /// Seconds allowed to connect (default 10).
        connect_timeout: Option<Seconds>,
        /// Retries after a connection error, 429 or 5xx (default 4).
        retries: Option<u32>,
        /// Entities per page (default 500).
        page_size: Option<PageSize>,
        /// Most entities one load reads before it fails (default 2,000,000).
        max_entities: Option<Limit>,
        /// Most megabytes of pages one load reads before it fails (default 4096).
        max_megabytes: Option<Limit>,
    },
}

/// An `http://` or `https://` URL, checked when the config is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(pub String);

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match reqwest::Url::parse(s.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                Ok(HttpUrl(s.trim().to_string()))
            }
            _ => Err(serde::de::Error::custom(format!(
                "url: `{}` is not an http:// or https:// URL",
                crate::text::clean(&s)
            ))),
        }
    }
}

/// A page size between 1 and 10,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(pub usize);

impl<'de> Deserialize<'de> for PageSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        if (1..=10_000).contains(&n) {
            Ok(PageSize(n as usize))
        } else {
            Err(serde::de::Error::custom(format!(
                "page_size must be between 1 and 10000, found {n}"
            )))
        }
    }
}

/// A paging limit: a whole number from 1 to 1,000,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub u64);

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        if (1..=1_000_000_000).contains(&n) {
            Ok(Limit(n))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected a limit between 1 and 1000000000, found {n}"
            )))
        }
    }
}

/// The whole configuration file. An unknown top-level section is kept in `other` and named in
/// a warning (a config written for a newer idp-tui still loads); unknown keys inside a known
/// section stay errors.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Config {
    /// Catalog sources, in order.
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// The theme name.
    pub theme: Option<String>,
    /// Scorecard files or directories.
    #[serde(default)]
    pub scorecards: Vec<String>,
    /// Key bindings that replace the defaults, by mode (`search`, `entity`, …) then key.
    #[serde(default)]
    pub keys: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Custom actions run on the selected entity (see `docs/actions.md`).
    #[serde(default)]
    pub actions: Vec<crate::user_commands::UserCommand>,
    /// Draw URLs and emails as OSC 8 hyperlinks (off by default: not every terminal copes).
    #[serde(default, deserialize_with = "on_off")]
    pub hyperlinks: bool,
    /// Capture the mouse (wheel, click, double click); `false` leaves it to the terminal, so
    /// its own text selection works. Unset: on.
    #[serde(default, deserialize_with = "mouse_on_off")]
    pub mouse: Option<bool>,
    /// Watch local catalog files and reload a source when its files change (default `true`;
    /// see [`Config::watch`]).
    #[serde(default, rename = "watch")]
    pub watch_files: Option<bool>,
    /// Live providers and plugins (`integrations:`; see `docs/configuration.md`).
    #[serde(default)]
    pub integrations: crate::live::IntegrationsConfig,
    /// Sections other features read (kept so a newer config still loads).
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_yaml::Value>,
    /// Things worth telling the user about the file that do not stop it loading.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Config {
    /// Whether local catalog files are watched (`watch:`, on unless `false`).
    pub fn watch(&self) -> bool {
        self.watch_files.unwrap_or(true)
    }

    /// The default location of the config file.
    pub fn default_path() -> Option<PathBuf> {
        project_dirs().map(|d| d.config_dir().join("config.yaml"))
    }

    /// Reads a config file. Returns `Ok(None)` when `path` is the default location and nothing
    /// is there.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut config = Self::parse(&shown, &text)?;
        if config.has_literal_token() && readable_by_others(path) {
            config.warnings.push(format!(
                "{shown}: holds an API token and is readable by other users; run `chmod 600 {shown}` or use token_env / token_command"
            ));
        }
        Ok(config)
    }

    /// True when a source has its token written in the file.
    pub fn has_literal_token(&self) -> bool {
        self.sources
            .iter()
            .any(|s| matches!(s, SourceConfig::Backstage { token: Some(_), .. }))
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let mut config: Config = crate::yaml::from_str(text).map_err(|e| {
            let message = e.to_string();
            // Beside a flattened field serde points at the start of the file: a message that
            // names a top-level key (`hyperlinks: …`) is placed at that key's line instead.
            let key_line = message.split_once(':').and_then(|(key, _)| {
                let is_key =
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                is_key.then_some(())?;
                text.lines()
                    .position(|l| l.starts_with(&format!("{key}:")))
                    .map(|i| i + 1)
            });
            let located = e.location().map(|l| l.line());
            // Inside a list item serde points at the item (or, through the top-level key, at
            // its section): an unknown key is placed at its own line, found from there on.
            let field_line = unknown_field(&message)
                .and_then(|field| line_of_key(text, field, located.or(key_line).unwrap_or(1)));
            let line = field_line.or(key_line).or(located).unwrap_or(0);
            // The prefix names the line; serde's own ` at line N column M` would contradict it.
            let message = match message.rsplit_once(" at line ") {
                Some((head, tail))
                    if line > 0 && tail.split(" column ").all(|n| n.parse::<usize>().is_ok()) =>
                {
                    head.to_string()
                }
                _ => message,
            };
            ConfigError::Invalid {
                path: path.to_string(),
                line,
                message,
            }
        })?;
        for key in config.other.keys() {
            let line = text
                .lines()
                .position(|l| l.starts_with(&format!("{key}:")))
                .map_or(0, |i| i + 1);
            config.warnings.push(format!(
                "{path}:{line}: unknown section `{}`: ignored (a setting of a newer idp-tui, or a typo)",
                crate::text::one_line(key)
            ));
        }
        crate::user_commands::check_all(&config.actions).map_err(|e| {
            let (title, message) = match &e {
                crate::user_commands::CommandError::Invalid { command, message } => {
                    (command.clone(), message.as_str())
                }
                _ => (String::new(), ""),
            };
            let title_line = line_of_action(text, &title);
            // An error in the `inputs:` schema or the `confirm:` message points at that key.
            let key = ["inputs", "confirm"]
                .into_iter()
                .find(|k| message.starts_with(k));
            ConfigError::Invalid {
                path: path.to_string(),
                line: key
                    .and_then(|k| line_in_action(text, title_line, k))
                    .unwrap_or(title_line),
                message: e.to_string(),
            }
        })?;
        config
            .integrations
            .check()
            .map_err(|message| ConfigError::Invalid {
                path: path.to_string(),
                line: text
                    .lines()
                    .position(|l| l.starts_with("integrations:"))
                    .map_or(0, |i| i + 1),
                message,
            })?;
        for (i, s) in config.sources.iter().enumerate() {
            if let SourceConfig::Backstage {
                token_env,
                token_command,
                token,
                ..
            } = s
            {
                let given = [
                    token_env.is_some(),
                    token_command.is_some(),
                    token.is_some(),
                ];
                if given.iter().filter(|&&g| g).count() > 1 {
                    return Err(ConfigError::Invalid {
                        path: path.to_string(),
                        line: source_line(text, i),
                        message: format!(
                            "sources[{i}]: give only one of token_env, token_command and token"
                        ),
                    });
                }
            }
        }
        Ok(config)
    }

    /// The sources this config names, as source specs.
    pub fn source_specs(&self) -> Vec<SourceSpec> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                SourceConfig::File { name, path, paths } => SourceSpec::Files {
                    name: name.clone().unwrap_or_else(|| format!("files-{}", i + 1)),
                    paths: path.iter().chain(paths).map(|p| expand_home(p)).collect(),
                },
                SourceConfig::Backstage {
                    name,
                    url,
                    token_env,
                    token_command,
                    token,
                    ca_file,
                    timeout,
                    connect_timeout,
                    retries,
                    page_size,
                    max_entities,
                    max_megabytes,
                } => {
                    let mut b = BackstageSource::from_url(&url.0);
                    if let Some(name) = name {
                        b.name = name.clone();
                    }
                    b.token = match (token_env, token_command, token) {
                        (Some(var), _, _) => TokenSource::Env(var.clone()),
                        (_, Some(cmd), _) => TokenSource::Command(cmd.clone()),
                        (_, _, Some(t)) => TokenSource::Literal(t.clone()),
                        _ => TokenSource::Env("BACKSTAGE_TOKEN".into()),
                    };
                    b.ca_file = ca_file.as_deref().map(expand_home);
                    let d = HttpOptions::default();
                    b.http = HttpOptions {
                        timeout: timeout.map_or(d.timeout, |s| s.0),
                        connect_timeout: connect_timeout.map_or(d.connect_timeout, |s| s.0),
                        retries: retries.unwrap_or(d.retries),
                        page_size: page_size.map_or(d.page_size, |p| p.0),
                        max_entities: max_entities.map_or(d.max_entities, |l| l.0 as usize),
                        max_bytes: max_megabytes.map_or(d.max_bytes, |l| l.0 * 1024 * 1024),
                        ..d
                    };
                    SourceSpec::Backstage(b)
                }
            })
            .collect()
    }
}

/// `hyperlinks: true|false`, with a message naming the key when it is anything else.
fn on_off<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::Bool(b) => Ok(b),
        other => Err(serde::de::Error::custom(format!(
            "hyperlinks: expected true or false, found `{}`",
            crate::text::one_line(&crate::text::clean(
                serde_yaml::to_string(&other).unwrap_or_default().trim()
            ))
        ))),
    }
}

/// `mouse: true|false`, with a message naming the key when it is anything else.
fn mouse_on_off<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::Bool(b) => Ok(Some(b)),
        other => Err(serde::de::Error::custom(format!(
            "mouse: expected true or false, found `{}`",
            crate::text::one_line(&crate::text::clean(
                serde_yaml::to_string(&other).unwrap_or_default().trim()
            ))
        ))),
    }
}

/// The key a serde "unknown field `KEY`" message names.
fn unknown_field(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("unknown field `")?;
    rest.split_once('`').map(|(field, _)| field)
}

/// The 1-based line, at or after `from`, where `key:` starts (after indentation or a list
/// item's `- `).
fn line_of_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let wanted = format!("{key}:");
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            let l = l.trim_start();
            let l = l.strip_prefix("- ").map_or(l, str::trim_start);
            l.starts_with(&wanted)
        })
        .map(|(i, _)| i + 1)
}

/// The line of an action's `title:` under `actions:` (serde_yaml keeps no positions after
/// parsing), 0 when it cannot be found.
fn line_of_action(text: &str, title: &str) -> usize {
    let start = text
        .lines()
        .position(|l| l.trim_end() == "actions:")
        .unwrap_or(0);
    text.lines()
        .enumerate()
        .skip(start)
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            t.strip_prefix("title:")
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == title)
        })
        .map_or(0, |(i, _)| i + 1)
}

/// The line of `key:` in the list item of `actions:` that holds 1-based line `at` (the item's
/// `title:`), when the item has that key.
fn line_in_action(text: &str, at: usize, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let start = (0..at.checked_sub(1)?)
        .rev()
        .chain(std::iter::once(at - 1))
        .find(|&i| {
            lines
                .get(i)
                .is_some_and(|l| l.trim_start().starts_with("- "))
        })
        .or(Some(at - 1))?;
    let dash = indent(lines.get(start)?);
    let item = lines.get(start)?.trim_start().trim_start_matches("- ");
    if item.starts_with(&format!("{key}:")) {
        return Some(start + 1);
    }
    lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .take_while(|(_, l)| l.trim().is_empty() || indent(l) > dash)
        .find(|(_, l)| l.trim_start().starts_with(&format!("{key}:")))
        .map(|(i, _)| i + 1)
}

/// The line where the `i`-th item of `sources:` starts (best effort; 0 when not found).
fn source_line(text: &str, i: usize) -> usize {
    let mut in_sources = false;
    let mut item_indent = None;
    let mut seen = 0;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("sources:") {
            in_sources = true;
            continue;
        }
        if !in_sources || line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 && !line.starts_with('-') {
            break;
        }
        if line.trim_start().starts_with('-') && *item_indent.get_or_insert(indent) == indent {
            if seen == i {
                return n + 1;
            }
            seen += 1;
        }
    }
    0
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

/// The platform directories for config, cache, state and data.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "idp-tui", "idp-tui")
}

/// The directory for logs and drafts.
pub fn state_dir() -> PathBuf {
    project_dirs()
        .map(|d| {
            d.state_dir()
                .unwrap_or_else(|| d.data_local_dir())
                .to_path_buf()
        })
        .unwrap_or_else(|| std::env::temp_dir().join("idp-tui"))
}

/// The directory for caches.
pub fn cache_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.cache_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join("idp-tui-cache"))
}

/// Expands a leading `~/` to the home directory.
pub fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(b)) => b.home_dir().join(rest).to_string_lossy().to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn file_sources_and_theme() {
        let c = Config::parse(
            "c.yaml",
            "sources:\n  - name: local\n    type: file\n    path: ./cat\ntheme: light\n",
        )
        .unwrap();
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(
            c.source_specs(),
            [SourceSpec::Files {
                name: "local".into(),
                paths: vec!["./cat".into()]
            }]
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = Config::parse(
            "c.yaml",
            "theme: dark\nsources:\n  - type: ftp\n    path: x\n",
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("c.yaml:3:"), "{msg}");
        assert!(msg.contains("ftp"), "{msg}");
    }

    #[test]
    fn actions_are_typed_and_checked_with_file_and_line() {
        let c = Config::parse(
            "c.yaml",
            "actions:\n  - key: L\n    title: Tail logs\n    kinds: [component]\n    command: kubectl logs -l app=${{ entity.metadata.name }}\n    mode: background\n",
        )
        .unwrap();
        assert_eq!(c.actions.len(), 1);
        assert_eq!(c.actions[0].mode, crate::user_commands::RunMode::Background);
        let err = Config::parse(
            "c.yaml",
            "theme: dark\nactions:\n  - key: L\n    title: Broken\n    command: echo 'unclosed\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.yaml:4:"), "{err}");
        let err = Config::parse(
            "c.yaml",
            "actions:\n  - title: T\n    command: x\n    mode: sideways\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("c.yaml:4:") || err.starts_with("c.yaml:2:"),
            "{err}"
        );
        assert!(err.contains("sideways"), "{err}");
    }

    #[test]
    fn mouse_is_on_unless_turned_off_and_a_wrong_value_names_file_line_and_key() {
        assert_eq!(Config::default().mouse, None);
        assert_eq!(
            Config::parse("c.yaml", "theme: dark\n").unwrap().mouse,
            None
        );
        assert_eq!(
            Config::parse("c.yaml", "theme: dark\nmouse: false\n")
                .unwrap()
                .mouse,
            Some(false)
        );
        let e = Config::parse("c.yaml", "theme: dark\nmouse: sometimes\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("c.yaml:2") && e.contains("mouse: expected true or false"),
            "{e}"
        );
    }

    #[test]
    fn a_broken_inputs_schema_is_a_config_error_at_its_line() {
        let text = "actions:\n  - title: Fine\n    command: echo\n  - key: S\n    title: Scale\n    command: kubectl scale --replicas=${{ inputs.replicas }}\n    inputs:\n      properties:\n        replicas: {type: integr}\n";
        let err = Config::parse("c.yaml", text).unwrap_err().to_string();
        assert!(err.starts_with("c.yaml:7: "), "{err}");
        assert!(
            err.contains("action \"Scale\": inputs.replicas: type \"integr\""),
            "{err}"
        );
        let ok = text.replace("integr", "integer");
        let c = Config::parse("c.yaml", &ok).unwrap();
        assert!(c.actions[1].input_form().is_some());
    }

    #[test]
    fn catalog_files_are_watched_unless_watch_is_false() {
        assert!(Config::default().watch());
        assert!(Config::parse("c.yaml", "theme: dark\n").unwrap().watch());
        assert!(!Config::parse("c.yaml", "watch: false\n").unwrap().watch());
        assert!(Config::parse("c.yaml", "watch: maybe\n").is_err());
    }

    #[test]
    fn hyperlinks_are_off_by_default_and_a_wrong_value_names_file_line_and_key() {
        assert!(!Config::default().hyperlinks);
        assert!(!Config::parse("c.yaml", "theme: dark\n").unwrap().hyperlinks);
        assert!(
            Config::parse("c.yaml", "theme: dark\nhyperlinks: true\n")
                .unwrap()
                .hyperlinks
        );
        let err = Config::parse("c.yaml", "theme: dark\nhyperlinks: sometimes\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.yaml:2:"), "{err}");
        assert!(err.contains("hyperlinks"), "{err}");
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(Config::parse("c.yaml", "\n").unwrap(), Config::default());
    }

    const REMOTE: &str = "theme: dark
sources:
  - name: local
    type: file
    paths: [./a, ./b]
  - name: prod
    type: backstage
    url: https://backstage.example.com/
    token_command: pass show backstage
    ca_file: /etc/ssl/internal.pem
    timeout: 2.5
    retries: 1
    page_size: 100
  - type: backstage
    url: http://127.0.0.1:7007
";

    #[test]
    fn backstage_sources_become_specs_with_their_options() {
        let c = Config::parse("c.yaml", REMOTE).unwrap();
        let specs = c.source_specs();
        let SourceSpec::Backstage(prod) = &specs[1] else {
            panic!("{specs:?}")
        };
        assert_eq!(prod.name, "prod");
        assert_eq!(
            prod.token,
            TokenSource::Command("pass show backstage".into())
        );
        assert_eq!(prod.ca_file.as_deref(), Some("/etc/ssl/internal.pem"));
        assert_eq!(prod.http.timeout, Duration::from_millis(2500));
        assert_eq!(prod.http.retries, 1);
        assert_eq!(prod.http.page_size, 100);
        let SourceSpec::Backstage(local) = &specs[2] else {
            panic!("{specs:?}")
        };
        assert_eq!(local.name, "127.0.0.1");
        assert_eq!(local.token, TokenSource::Env("BACKSTAGE_TOKEN".into()));
        assert_eq!(local.http, HttpOptions::default());
    }

    #[test]
    fn a_bad_url_names_file_line_and_key() {
        let err = Config::parse(
            "c.yaml",
            "sources:\n  - type: backstage\n    url: backstage.example.com\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.yaml:"), "{err}");
        assert!(err.contains("url"), "{err}");
        assert!(err.contains("not an http:// or https:// URL"), "{err}");
        let err = Config::parse(
            "c.yaml",
            "sources:\n  - type: backstage\n    url: https://x\n    tokn_env: X\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("tokn_env"), "{err}");
        let err = Config::parse(
            "c.yaml",
            "sources:\n  - type: backstage\n    url: https://x\n    timeout: -1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("seconds"), "{err}");
    }

    #[test]
    fn two_token_sources_are_refused_at_their_line() {
        let text = "theme: dark\nsources:\n  - type: file\n    path: x\n  - type: backstage\n    url: https://x\n    token_env: A\n    token_command: b\n";
        let err = Config::parse("c.yaml", text).unwrap_err().to_string();
        assert_eq!(
            err,
            "c.yaml:5: sources[1]: give only one of token_env, token_command and token"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_literal_token_in_a_world_readable_file_is_warned_about_and_never_shown() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(
            &path,
            "sources:\n  - type: backstage\n    url: https://x\n    token: s3cr3t-t0ken\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("readable by other users"));
        assert!(!format!("{c:?} {:?}", c.source_specs()).contains("s3cr3t"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Config::load(&path).unwrap().warnings.is_empty());
    }

    #[test]
    fn the_shipped_example_config_loads_with_its_two_sources() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config.yaml");
        let c = Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.theme.as_deref(), Some("dark"));
        let specs = c.source_specs();
        assert_eq!(specs.len(), 2, "{specs:?}");
        assert!(
            matches!(&specs[0], SourceSpec::Files { name, .. } if name == "local"),
            "{specs:?}"
        );
        let SourceSpec::Backstage(b) = &specs[1] else {
            panic!("the second source is a Backstage backend: {specs:?}");
        };
        assert_eq!(b.name, "prod");
        assert_eq!(b.token, TokenSource::Env("BACKSTAGE_TOKEN".into()));
        assert_eq!(b.http.max_entities, 1_000_000);
        assert_eq!(b.http.max_bytes, 2048 * 1024 * 1024);
        let scale =
            crate::user_commands::find(&c.actions, "Scale deployment").expect("the example");
        let form = scale.input_form().expect("inputs");
        let values = crate::user_commands::values_from(&form, Default::default(), &[]).unwrap();
        assert_eq!(values["replicas"], 2);
        assert!(crate::user_commands::values_from(
            &form,
            Default::default(),
            &["replicas=51".into()]
        )
        .is_err());
    }

    #[test]
    fn paging_limits_are_read_and_checked() {
        let text = "sources:\n  - type: backstage\n    url: https://x\n    max_entities: 50\n    max_megabytes: 3\n";
        let c = Config::parse("c.yaml", text).unwrap();
        let SourceSpec::Backstage(b) = &c.source_specs()[0] else {
            panic!("a Backstage source")
        };
        assert_eq!((b.http.max_entities, b.http.max_bytes), (50, 3 << 20));
        let err = Config::parse("c.yaml", &text.replace("50", "0"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("between 1 and 1000000000"), "{err}");
    }

    #[test]
    fn an_unknown_section_is_a_warning_and_an_unknown_key_in_a_known_one_an_error() {
        let text = "theme: dark\n\nfuture_section:\n  a: 1\n";
        let c = Config::parse("c.yaml", text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.theme.as_deref(), Some("dark"));
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].starts_with("c.yaml:3: unknown section `future_section`"),
            "{:?}",
            c.warnings
        );
        let err = Config::parse(
            "c.yaml",
            "sources:\n  - type: backstage\n    url: https://x\n    tokn_env: T\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("unknown field `tokn_env`"), "{err}");
        assert!(err.starts_with("c.yaml:4: "), "the key's own line: {err}");
        assert!(!err.contains("at line"), "no second, different line: {err}");
        let err = Config::parse(
            "c.yaml",
            "theme: dark\nsources:\n  - type: file\n    paths: [a]\n  - type: backstage\n    url: https://x\n    # a comment\n    retries: 2\n    tokn_env: T\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.yaml:9: "), "{err}");
        let err = Config::parse(
            "c.yaml",
            "theme: dark\nintegrations:\n  pagerduty:\n    tokn: 5\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.yaml:4: "), "{err}");
    }

    #[test]
    fn a_token_of_the_wrong_type_is_refused_without_echoing_it() {
        for value in [
            "918273645546372819",
            "-918273",
            "9182.736",
            "true",
            "[918273, 645]",
        ] {
            let text =
                format!("sources:\n  - type: backstage\n    url: https://x\n    token: {value}\n");
            let err = Config::parse("c.yaml", &text).unwrap_err().to_string();
            assert!(err.contains("token"), "{err}");
            for digits in ["918273", "9182"] {
                assert!(!err.contains(digits), "the secret is echoed: {err}");
            }
        }
    }
}
