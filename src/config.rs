//! The configuration file: sources, theme and other preferences, read from the platform config
//! directory (`~/.config/idp-tui/config.yaml` on Linux) or `--config FILE`.

use crate::source::SourceSpec;
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
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
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
    pub actions: Vec<crate::actions::ActionConfig>,
    /// Sections other features read (kept so a newer config still loads).
    #[serde(flatten)]
    pub other: std::collections::BTreeMap<String, serde_yaml::Value>,
}

impl Config {
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
        Self::parse(&shown, &text)
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_yaml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_string(),
            line: e.location().map_or(0, |l| l.line()),
            message: e.to_string(),
        })?;
        crate::actions::check_all(&config.actions).map_err(|e| {
            let title = match &e {
                crate::actions::ActionError::Invalid { action, .. } => action.clone(),
                _ => String::new(),
            };
            ConfigError::Invalid {
                path: path.to_string(),
                line: line_of_action(text, &title),
                message: e.to_string(),
            }
        })?;
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
            })
            .collect()
    }
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
        assert_eq!(c.actions[0].mode, crate::actions::Mode::Background);
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
    fn empty_file_is_the_default() {
        assert_eq!(Config::parse("c.yaml", "\n").unwrap(), Config::default());
    }
}
