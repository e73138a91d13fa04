//! Live data: who is on call now, open incidents, CI runs, deployments, workloads and quality
//! gates, from providers reached through the user's Backstage or directly, plus external
//! plugins. An overlay on the catalog, never part of it: answers are cached per entity and
//! provider with a TTL ([`cache`]), shown with their age, and a provider that fails is
//! "unknown: <reason>" in its own row only.
//!
//! No terminal code lives here: `idp-tui oncall`/`status` and the TUI's Live tab are two front
//! ends on [`Live::fetch`] and [`Live::cached`].

pub mod access;
pub mod cache;
pub mod config;
pub mod error;
pub mod http;
pub mod model;
pub mod providers;
pub mod report;
pub mod subject;

pub use config::IntegrationsConfig;
pub use error::LiveError;
pub use model::{Answer, Incident, Item, OnCallEntry, Severity, Signal};
pub use report::{ProviderResult, Report, Reports, NO_REPORTS};
pub use subject::Subject;

use crate::backstage::BackstageSource;
use access::{Access, Route};
use cache::{Entries, Entry};
use config::PluginConfig;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

/// One provider that applies to an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// A built-in provider, by name (`pagerduty`, `github`, …).
    Builtin(&'static str),
    /// A configured plugin, by its index in `integrations.plugins`.
    Plugin(usize),
}

/// The built-in providers in the order they are shown: on-call first.
pub const BUILTINS: [&str; 6] = [
    "pagerduty",
    "opsgenie",
    "github",
    "argocd",
    "kubernetes",
    "sonarqube",
];

/// The live-data service of one session: the integrations config, the Backstage sources they
/// may go through, the cache, and what each Backstage was found to serve (probed once).
#[derive(Debug)]
pub struct Live {
    config: IntegrationsConfig,
    backstages: Vec<BackstageSource>,
    cache_dir: Option<PathBuf>,
    offline: bool,
    probes: tokio::sync::Mutex<HashMap<(String, &'static str), Option<u16>>>,
}

impl Live {
    /// A service over `config`, going through the Backstage sources `backstages`, caching
    /// under `cache_dir` (none: no cache), and never touching the network when `offline`.
    pub fn new(
        config: IntegrationsConfig,
        backstages: Vec<BackstageSource>,
        cache_dir: Option<PathBuf>,
        offline: bool,
    ) -> Self {
        Self {
            config,
            backstages,
            cache_dir,
            offline,
            probes: tokio::sync::Mutex::default(),
        }
    }

    /// The integrations config.
    pub fn config(&self) -> &IntegrationsConfig {
        &self.config
    }

    /// True when no provider and no plugin is configured.
    pub fn is_empty(&self) -> bool {
        self.config.is_empty()
    }

    /// The configured providers that apply to the entity (an unconfigured one is absent).
    pub fn providers(&self, subject: &Subject) -> Vec<Provider> {
        let configured = self.config.providers();
        let mut out: Vec<Provider> = BUILTINS
            .iter()
            .filter(|name| configured.contains_key(*name) && applies(name, subject))
            .map(|name| Provider::Builtin(name))
            .collect();
        out.extend(
            self.config
                .plugins
                .iter()
                .enumerate()
                .filter(|(_, p)| providers::plugin::applies(p, subject))
                .map(|(i, _)| Provider::Plugin(i)),
        );
        out
    }

    /// The last answers on disk, without the network: fresh ones as they are, older ones
    /// marked stale, providers with nothing cached left out.
    pub fn cached(&self, subject: &Subject) -> Report {
        // No provider applies (most entities of a big catalog, when scoring): no file to read.
        let planned = self.providers(subject);
        let entries = if planned.is_empty() {
            Entries::default()
        } else {
            self.load(subject)
        };
        let now = SystemTime::now();
        let results = planned
            .iter()
            .filter_map(|p| {
                let name = self.name(p);
                let entry = entries.get(&name)?;
                Some(self.result_of(p, subject, entry, now, None))
            })
            .collect();
        Report {
            entity: subject.entity().to_string(),
            results,
        }
    }

    /// Asks every provider that applies, in parallel. An answer younger than the TTL is
    /// served from the cache unless `force`; a provider that fails falls back on its cached
    /// answer (marked stale) or, with none, is unknown with the reason. With `--offline`
    /// only the cache is read.
    pub async fn fetch(&self, subject: &Subject, force: bool) -> Report {
        let mut entries = self.load(subject);
        let planned = self.providers(subject);
        let now = SystemTime::now();
        let jobs = planned.iter().map(|p| {
            let cached = entries.get(&self.name(p)).cloned();
            self.one(p, subject, cached, force, now)
        });
        let outcomes = futures::future::join_all(jobs).await;
        let mut changed = false;
        let mut results = Vec::new();
        for (p, (result, fresh)) in planned.iter().zip(outcomes) {
            if let Some(entry) = fresh {
                entries.insert(self.name(p), entry);
                changed = true;
            }
            results.push(result);
        }
        if changed {
            if let Some(dir) = &self.cache_dir {
                if let Err(e) = cache::store(dir, subject.entity(), &entries) {
                    tracing::warn!(error = %e, "cannot write the live cache");
                }
            }
        }
        Report {
            entity: subject.entity().to_string(),
            results,
        }
    }

    /// The entity to ask who is on call for a team: the team itself when a provider applies
    /// to it (its own or its parents' annotations), else the first of `paged_by` (entities
    /// whose on-call annotations page the team, such as the affected services it owns) that a
    /// provider applies to. `None` when no provider applies to any.
    pub fn oncall_subject(
        &self,
        catalog: &crate::catalog::Catalog,
        team: &crate::catalog::EntityRef,
        paged_by: &[&crate::catalog::EntityRef],
    ) -> Option<Subject> {
        std::iter::once(team)
            .chain(paged_by.iter().copied())
            .filter_map(|r| catalog.id_of(r))
            .map(|id| Subject::of(catalog, id))
            .find(|subject| !self.providers(subject).is_empty())
    }

    /// Whether a Backstage serves a provider's plugin routes, asked once per session and
    /// source (the first fetch through it asks; the answer is kept): the HTTP status of the
    /// route's cheap probe, or `None` when the server could not be reached.
    async fn probe_route(&self, access: &Access, provider: &'static str) -> Option<u16> {
        let key = (access.backstage.clone().unwrap_or_default(), provider);
        let mut probes = self.probes.lock().await;
        if let Some(status) = probes.get(&key) {
            return *status;
        }
        let (path, query): (&[&str], &[(&str, &str)]) = match provider {
            "pagerduty" => (&["api", "pagerduty", "health"], &[]),
            "kubernetes" => (&["api", "kubernetes", "clusters"], &[]),
            _ => (&["api", "sonarqube", "instanceUrl"], &[("instanceKey", "")]),
        };
        let status = access
            .endpoint
            .status_of(reqwest::Method::GET, path, query)
            .await;
        probes.insert(key, status);
        status
    }

    fn load(&self, subject: &Subject) -> Entries {
        self.cache_dir
            .as_ref()
            .map(|d| cache::load(d, subject.entity()))
            .unwrap_or_default()
    }

    fn name(&self, p: &Provider) -> String {
        match p {
            Provider::Builtin(n) => (*n).to_string(),
            Provider::Plugin(i) => self
                .config
                .plugins
                .get(*i)
                .map_or_else(String::new, |p| p.name.clone()),
        }
    }

    fn via(&self, p: &Provider) -> String {
        match p {
            Provider::Plugin(_) => "plugin".into(),
            Provider::Builtin(n) => match self.config.providers().get(n) {
                Some(c) if c.via == config::Via::Backstage => {
                    let source = c
                        .source
                        .clone()
                        .or_else(|| self.backstages.first().map(|b| b.name.clone()))
                        .unwrap_or_default();
                    format!("backstage {source}")
                }
                _ => "direct".into(),
            },
        }
    }

    fn result_of(
        &self,
        p: &Provider,
        subject: &Subject,
        entry: &Entry,
        now: SystemTime,
        error: Option<String>,
    ) -> ProviderResult {
        ProviderResult {
            provider: self.name(p),
            answer: entry.answer.clone(),
            fetched_at: Some(entry.fetched()),
            stale: entry.age(now) > self.config.ttl(),
            error,
            via: self.via(p),
            from: origin(p, subject),
        }
    }

    async fn one(
        &self,
        p: &Provider,
        subject: &Subject,
        cached: Option<Entry>,
        force: bool,
        now: SystemTime,
    ) -> (ProviderResult, Option<Entry>) {
        let name = self.name(p);
        let via = self.via(p);
        if let Some(entry) = &cached {
            let fresh = entry.age(now) <= self.config.ttl();
            if self.offline || (fresh && !force) || entry.paused(now) {
                return (self.result_of(p, subject, entry, now, None), None);
            }
        } else if self.offline {
            let mut r = ProviderResult::unknown(&name, &via, &LiveError::Offline.to_string());
            r.from = origin(p, subject);
            return (r, None);
        }
        let timeout = self.config.timeout();
        let outcome = match tokio::time::timeout(timeout, self.ask(p, subject)).await {
            Ok(outcome) => outcome,
            Err(_) => Err((LiveError::Timeout(timeout), None)),
        };
        match outcome {
            Ok((answer, paused)) => {
                let entry = Entry::now(answer, paused);
                let mut r = self.result_of(p, subject, &entry, now, None);
                // Just fetched: fresh, whatever the clock's rounding says.
                r.stale = false;
                (r, Some(entry))
            }
            Err((error, paused)) => {
                let message = error.to_string();
                match cached {
                    Some(mut entry) => {
                        let mut r = self.result_of(p, subject, &entry, now, Some(message));
                        r.stale = true;
                        // A spent rate limit is remembered, so the next fetch waits for it.
                        let pause = match &error {
                            LiveError::RateLimited { retry_after, .. } => Some(now + *retry_after),
                            _ => paused,
                        };
                        let store = pause.map(|t| {
                            entry.paused_until = Some(cache::unix(t));
                            entry
                        });
                        (r, store)
                    }
                    None => {
                        let mut r = ProviderResult::unknown(&name, &via, &message);
                        r.from = origin(p, subject);
                        (r, None)
                    }
                }
            }
        }
    }

    /// Resolves the provider's access, checks the probe, and fetches.
    async fn ask(
        &self,
        p: &Provider,
        subject: &Subject,
    ) -> Result<(Answer, Option<SystemTime>), (LiveError, Option<SystemTime>)> {
        let timeout = self.config.timeout();
        let name = match p {
            Provider::Plugin(i) => {
                let plugin: &PluginConfig = self
                    .config
                    .plugins
                    .get(*i)
                    .ok_or((LiveError::Config("no such plugin".into()), None))?;
                let t = plugin.timeout.map_or(timeout, |s| s.0);
                return providers::plugin::fetch(plugin, subject, t)
                    .await
                    .map(|a| (a, None))
                    .map_err(|e| (e, None));
            }
            Provider::Builtin(name) => *name,
        };
        let configured = self.config.providers();
        let config = configured
            .get(name)
            .ok_or((LiveError::Config(format!("{name} is not configured")), None))?;
        let access =
            access::resolve(name, config, &self.backstages, timeout).map_err(|e| (e, None))?;
        if access.route == Route::Plugin {
            if let Some(404) = self.probe_route(&access, name).await {
                return Err((
                    LiveError::NotFound {
                        host: access.endpoint.host(),
                        what: format!("the {name} backend plugin"),
                    },
                    None,
                ));
            }
        }
        let result = match name {
            "pagerduty" => providers::pagerduty::fetch(&access, subject).await,
            "opsgenie" => providers::opsgenie::fetch(&access, subject).await,
            "github" => providers::github::fetch(&access, subject).await,
            "argocd" => providers::argocd::fetch(&access, subject).await,
            "kubernetes" => providers::kubernetes::fetch(&access, subject).await,
            _ => providers::sonarqube::fetch(&access, subject).await,
        };
        let paused = access.endpoint.paused_until();
        result.map(|a| (a, paused)).map_err(|e| (e, paused))
    }
}

/// True when a built-in provider finds what it needs in the entity's annotations.
fn applies(name: &str, subject: &Subject) -> bool {
    match name {
        "pagerduty" => providers::pagerduty::applies(subject),
        "opsgenie" => providers::opsgenie::applies(subject),
        "github" => providers::github::applies(subject),
        "argocd" => providers::argocd::applies(subject),
        "kubernetes" => providers::kubernetes::applies(subject),
        "sonarqube" => providers::sonarqube::applies(subject),
        _ => false,
    }
}

/// The entity whose annotation an on-call provider uses, when it is not the subject itself.
fn origin(p: &Provider, subject: &Subject) -> Option<String> {
    let found = match p {
        Provider::Builtin("pagerduty") => subject.inherited(&providers::pagerduty::ANNOTATIONS),
        Provider::Builtin("opsgenie") => subject.inherited(&["opsgenie.com/team"]),
        _ => None,
    }?;
    (found.from != subject.entity()).then_some(found.from)
}

pub use crate::text::human_age;
