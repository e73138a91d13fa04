//! How one provider is reached: straight to its API, through a Backstage proxy path (the same
//! API, another base URL and the Backstage token), or through a Backstage backend plugin's own
//! routes. Tokens are resolved here and handed only to the endpoint of the host they belong to.

use super::config::{ProviderConfig, Via};
use super::error::LiveError;
use super::http::{Auth, Endpoint};
use crate::source::{BackstageSource, Secret, TokenSource};
use std::time::Duration;

/// Which paths a provider asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The provider's own API paths: direct, or through a Backstage proxy entry.
    Upstream {
        /// True when through Backstage's proxy (some proxies map a sub-path, e.g. Argo CD's
        /// `/api/v1`).
        proxied: bool,
    },
    /// A Backstage backend plugin's routes (`/api/pagerduty/…`, `/api/kubernetes/…`,
    /// `/api/sonarqube/…`).
    Plugin,
}

/// A provider's way in.
#[derive(Debug, Clone)]
pub struct Access {
    /// Which paths to ask.
    pub route: Route,
    /// The endpoint: the provider's base URL, the proxy path, or the Backstage base URL.
    pub endpoint: Endpoint,
    /// With Backstage: the source's name (for messages and the probe).
    pub backstage: Option<String>,
    /// Kubernetes direct: the namespace when the entity names none.
    pub namespace: Option<String>,
}

/// The facts about each built-in provider that the config does not give.
struct Defaults {
    base_url: Option<&'static str>,
    token_env: &'static str,
    /// The proxy prefix used with `via: backstage` when none is configured and the provider
    /// has no plugin route of its own.
    proxy_prefix: Option<&'static str>,
    /// True when a Backstage backend plugin serves this provider.
    has_plugin: bool,
}

fn defaults(provider: &str) -> Defaults {
    let d = |base_url, token_env, proxy_prefix, has_plugin| Defaults {
        base_url,
        token_env,
        proxy_prefix,
        has_plugin,
    };
    match provider {
        "pagerduty" => d(
            Some("https://api.pagerduty.com"),
            "PAGERDUTY_TOKEN",
            None,
            true,
        ),
        "opsgenie" => d(
            Some("https://api.opsgenie.com"),
            "OPSGENIE_API_KEY",
            Some("opsgenie/api"),
            false,
        ),
        "github" => d(Some("https://api.github.com"), "GITHUB_TOKEN", None, false),
        "argocd" => d(None, "ARGOCD_AUTH_TOKEN", Some("argocd/api"), false),
        "kubernetes" => d(None, "KUBERNETES_TOKEN", None, true),
        "sonarqube" => d(None, "SONARQUBE_TOKEN", None, true),
        _ => d(None, "", None, false),
    }
}

/// How a direct request carries the provider's token.
fn direct_auth(provider: &str, token: Option<Secret>) -> Auth {
    match (provider, token) {
        (_, None) => Auth::None,
        ("pagerduty", Some(t)) => Auth::Scheme("Token token=", t),
        ("opsgenie", Some(t)) => Auth::Scheme("GenieKey ", t),
        (_, Some(t)) => Auth::Bearer(t),
    }
}

/// Works out a provider's access from its config and the Backstage sources.
pub fn resolve(
    provider: &'static str,
    config: &ProviderConfig,
    backstages: &[BackstageSource],
    timeout: Duration,
) -> Result<Access, LiveError> {
    let d = defaults(provider);
    let mut access = match config.via {
        Via::Direct => {
            let base = config
                .base_url
                .as_ref()
                .map(|u| u.0.as_str())
                .or(d.base_url)
                .ok_or_else(|| {
                    LiveError::Config(format!("integrations.{provider}: base_url is needed"))
                })?;
            let token = match (&config.token_env, &config.token_command) {
                (_, Some(cmd)) => TokenSource::Command(cmd.clone()),
                (Some(var), None) => TokenSource::Env(var.clone()),
                (None, None) => TokenSource::Env(d.token_env.to_string()),
            };
            let secret = token
                .resolve()
                .map_err(|e| LiveError::Token(e.to_string()))?;
            Access {
                route: Route::Upstream { proxied: false },
                endpoint: Endpoint::new(base, direct_auth(provider, secret), timeout)?,
                backstage: None,
                namespace: config.namespace.clone(),
            }
        }
        Via::Backstage => {
            let source = match &config.source {
                Some(name) => backstages.iter().find(|b| &b.name == name).ok_or_else(|| {
                    LiveError::Config(format!(
                        "integrations.{provider}: no Backstage source named `{name}` in sources"
                    ))
                })?,
                None => backstages.first().ok_or_else(|| {
                    LiveError::Config(format!(
                        "integrations.{provider}: `via: backstage` needs a Backstage source in sources"
                    ))
                })?,
            };
            let token = source
                .token
                .resolve()
                .map_err(|e| LiveError::Token(e.to_string()))?;
            let auth = token.map_or(Auth::None, Auth::Bearer);
            let prefix = config.proxy_prefix.as_deref().or(d.proxy_prefix);
            let (route, base) = match prefix {
                Some(prefix) => (
                    Route::Upstream { proxied: true },
                    format!(
                        "{}/api/proxy/{}",
                        source.url.trim().trim_end_matches('/'),
                        prefix.trim_matches('/')
                    ),
                ),
                None if d.has_plugin => (Route::Plugin, source.url.trim().to_string()),
                None => {
                    return Err(LiveError::Config(format!(
                        "integrations.{provider}: Backstage has no route for it; set proxy_prefix to your proxy entry"
                    )))
                }
            };
            Access {
                route,
                endpoint: Endpoint::new(&base, auth, timeout)?,
                backstage: Some(source.name.clone()),
                namespace: config.namespace.clone(),
            }
        }
    };
    // The upstream APIs name their version in headers (a proxy passes them on).
    if matches!(access.route, Route::Upstream { .. }) {
        access.endpoint = match provider {
            "pagerduty" => access
                .endpoint
                .accept("application/vnd.pagerduty+json;version=2"),
            "github" => access
                .endpoint
                .accept("application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28"),
            _ => access.endpoint,
        };
    }
    Ok(access)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backstage() -> Vec<BackstageSource> {
        let mut b = BackstageSource::from_url("http://bs.local:7007/");
        b.name = "corp".into();
        b.token = TokenSource::None;
        vec![b]
    }

    #[test]
    fn via_backstage_picks_plugin_routes_or_the_proxy() {
        let t = Duration::from_secs(1);
        let pd = ProviderConfig {
            via: Via::Backstage,
            ..Default::default()
        };
        let a = resolve("pagerduty", &pd, &backstage(), t).unwrap();
        assert_eq!(a.route, Route::Plugin);
        assert_eq!(a.backstage.as_deref(), Some("corp"));
        let og = resolve("opsgenie", &pd, &backstage(), t).unwrap();
        assert_eq!(og.route, Route::Upstream { proxied: true });
        assert_eq!(
            og.endpoint.url(&["v2", "alerts"], &[]).as_str(),
            "http://bs.local:7007/api/proxy/opsgenie/api/v2/alerts"
        );
        let gh = resolve("github", &pd, &backstage(), t).unwrap_err();
        assert!(gh.to_string().contains("proxy_prefix"), "{gh}");
        let missing = ProviderConfig {
            source: Some("nope".into()),
            ..pd
        };
        assert!(resolve("pagerduty", &missing, &backstage(), t)
            .unwrap_err()
            .to_string()
            .contains("nope"));
    }

    #[test]
    fn direct_needs_a_base_url_where_there_is_no_public_api() {
        let t = Duration::from_secs(1);
        let e = resolve("argocd", &ProviderConfig::default(), &[], t).unwrap_err();
        assert!(e.to_string().contains("base_url is needed"), "{e}");
        assert!(resolve("github", &ProviderConfig::default(), &[], t).is_ok());
    }
}
