//! The `integrations:` section of the config file: one entry per provider, each reached through
//! a Backstage source (`via: backstage`) or directly (`base_url` with `token_env` or
//! `token_command`), plus `plugins:` (see `docs/plugins.md`).

use crate::config::{HttpUrl, Seconds};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a live answer is fresh when the config does not say (`cache_ttl`).
pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

/// How long one provider may take when the config does not say (`timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `integrations:` section.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IntegrationsConfig {
    /// Seconds a fetched answer is fresh (default 60).
    pub cache_ttl: Option<Seconds>,
    /// Seconds one provider may take (default 10).
    pub timeout: Option<Seconds>,
    /// PagerDuty.
    pub pagerduty: Option<ProviderConfig>,
    /// Opsgenie.
    pub opsgenie: Option<ProviderConfig>,
    /// GitHub Actions.
    pub github: Option<ProviderConfig>,
    /// Argo CD.
    pub argocd: Option<ProviderConfig>,
    /// Kubernetes.
    pub kubernetes: Option<ProviderConfig>,
    /// SonarQube.
    pub sonarqube: Option<ProviderConfig>,
    /// External plugins: commands or HTTP endpoints that answer a signal.
    #[serde(default)]
    pub plugins: Vec<PluginConfig>,
}

/// Through the user's Backstage, or straight to the provider.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// Straight to the provider's API with its own token.
    #[default]
    Direct,
    /// Through a Backstage backend's plugin routes or proxy, with the Backstage token.
    Backstage,
}

/// One provider's entry.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// `direct` (default) or `backstage`.
    #[serde(default)]
    pub via: Via,
    /// With `via: backstage`: the name of the Backstage source in `sources:` (default: the
    /// first Backstage source).
    pub source: Option<String>,
    /// With `via: backstage`: use the Backstage proxy at `/api/proxy/<proxy_prefix>` instead
    /// of the plugin's own route.
    pub proxy_prefix: Option<String>,
    /// Direct: the provider's API base URL (defaults exist for PagerDuty, Opsgenie and GitHub).
    pub base_url: Option<HttpUrl>,
    /// Direct: an environment variable holding the provider's token.
    pub token_env: Option<String>,
    /// Direct: a command that prints the provider's token.
    pub token_command: Option<String>,
    /// Kubernetes direct: the namespace when the entity does not name one (default: all).
    pub namespace: Option<String>,
}

/// One plugin.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    /// Its name, shown as the signal's provider.
    pub name: String,
    /// A program and its arguments, run without a shell; the entity arrives as JSON on stdin.
    #[serde(default)]
    pub command: Vec<String>,
    /// Or an HTTP(S) endpoint asked with `GET ?entity=…&owner=…&annotations=…`.
    pub url: Option<HttpUrl>,
    /// Only for entities with this annotation (default: every entity).
    pub annotation: Option<String>,
    /// Seconds it may take (default: the integrations' `timeout`).
    pub timeout: Option<Seconds>,
}

impl IntegrationsConfig {
    /// The section of a config file (checked when the file was read); absent means no
    /// integrations.
    pub fn from_config(config: &crate::config::Config) -> Result<Self, String> {
        config.integrations.check()?;
        Ok(config.integrations.clone())
    }

    /// Checks what serde cannot: one token source, `base_url` only for direct access, plugins
    /// named once with a command or a URL.
    pub fn check(&self) -> Result<(), String> {
        for (name, p) in self.providers() {
            if p.token_env.is_some() && p.token_command.is_some() {
                return Err(format!(
                    "integrations.{name}: give only one of token_env and token_command"
                ));
            }
            if p.via == Via::Backstage && p.base_url.is_some() {
                return Err(format!(
                    "integrations.{name}: base_url is for direct access; with `via: backstage` the source's URL is used"
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for p in &self.plugins {
            if p.name.trim().is_empty() {
                return Err("integrations.plugins: a plugin needs a name".into());
            }
            if !seen.insert(p.name.as_str()) {
                return Err(format!("integrations.plugins: `{}` is named twice", p.name));
            }
            if p.command.is_empty() == p.url.is_none() {
                return Err(format!(
                    "integrations.plugins.{}: give either command (a list) or url",
                    p.name
                ));
            }
        }
        Ok(())
    }

    /// The configured built-in providers, by name.
    pub fn providers(&self) -> BTreeMap<&'static str, &ProviderConfig> {
        [
            ("pagerduty", &self.pagerduty),
            ("opsgenie", &self.opsgenie),
            ("github", &self.github),
            ("argocd", &self.argocd),
            ("kubernetes", &self.kubernetes),
            ("sonarqube", &self.sonarqube),
        ]
        .into_iter()
        .filter_map(|(n, p)| p.as_ref().map(|p| (n, p)))
        .collect()
    }

    /// True when nothing is configured.
    pub fn is_empty(&self) -> bool {
        self.providers().is_empty() && self.plugins.is_empty()
    }

    /// How long an answer is fresh.
    pub fn ttl(&self) -> Duration {
        self.cache_ttl.map_or(DEFAULT_TTL, |s| s.0)
    }

    /// How long one provider may take.
    pub fn timeout(&self) -> Duration {
        self.timeout.map_or(DEFAULT_TIMEOUT, |s| s.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<IntegrationsConfig, String> {
        let config = crate::config::Config::parse("c.yaml", text).map_err(|e| e.to_string())?;
        IntegrationsConfig::from_config(&config)
    }

    #[test]
    fn both_ways_of_reaching_a_provider_read() {
        let c = parse(
            "integrations:\n  cache_ttl: 30\n  pagerduty:\n    via: backstage\n    source: corp\n  github:\n    token_env: GH_TOKEN\n  plugins:\n    - name: jira\n      command: [./jira.sh, --fast]\n",
        )
        .unwrap();
        assert_eq!(c.ttl(), Duration::from_secs(30));
        assert_eq!(c.pagerduty.as_ref().unwrap().via, Via::Backstage);
        assert_eq!(
            c.github.as_ref().unwrap().token_env.as_deref(),
            Some("GH_TOKEN")
        );
        assert_eq!(c.plugins[0].command, ["./jira.sh", "--fast"]);
        assert_eq!(c.timeout(), DEFAULT_TIMEOUT);
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse("integrations:\n  pagerduty:\n    token_env: A\n    token_command: b\n")
            .unwrap_err();
        assert!(e.contains("integrations.pagerduty: give only one"), "{e}");
        let e = parse("integrations:\n  datadog: {}\n").unwrap_err();
        assert!(e.contains("unknown field `datadog`"), "{e}");
        assert!(e.starts_with("c.yaml:"), "{e}");
        let e = parse("integrations:\n  plugins:\n    - name: x\n").unwrap_err();
        assert!(e.contains("give either command"), "{e}");
        assert!(parse("theme: dark\n").unwrap().is_empty());
    }
}
