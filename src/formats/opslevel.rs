//! OpsLevel `opslevel.yml`: `version: 1` and one of `service:` (the older name),
//! `component:` (with a component `type`) or `repository:` (who owns the repository, no
//! entity). Read as OpsLevel reads it where YAML 1.1 differs (see
//! [`yaml11_lint`](super::read::yaml11_lint)); merge keys `<<:` are applied on reading.

use super::draft::{slug, tag, Fate, RefField};
use super::read::{list, object, text, Ctx};
use super::{Draft, Format, Parsed, RepoOwner};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The service fields [`map`] knows; every other one is kept as `idp-tui/raw.<key>`.
const KNOWN: [&str; 16] = [
    "name",
    "type",
    "lifecycle",
    "tier",
    "product",
    "owner",
    "system",
    "language",
    "framework",
    "description",
    "aliases",
    "tags",
    "repositories",
    "tools",
    "dependencies",
    "alert_sources",
];

/// OpsLevel's alias of a name: lowercase, every run of other characters one `_`
/// ("Order Workflow Service" → `order_workflow_service`).
pub(super) fn alias(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Maps one `opslevel.yml`.
pub(super) fn map(ctx: &mut Ctx<'_>, root: &Value) {
    if ctx.path.ends_with(".yaml") {
        ctx.warn(
            1,
            "OpsLevel reads only `opslevel.yml`: this `opslevel.yaml` is read by idp-tui but not by OpsLevel",
        );
    }
    let Some(root) = root.as_object() else {
        ctx.error(1, "not an OpsLevel file: expected a mapping with `version` and `service`, `component` or `repository`");
        return;
    };
    match text(root.get("version")) {
        Some(v) if v == "1" => {}
        Some(v) => {
            let line = ctx.line("version", 1);
            ctx.warn(
                line,
                format!("version {v:?}: only version 1 exists; read as version 1"),
            );
        }
        None => {}
    }
    let present: Vec<&str> = ["service", "component", "repository"]
        .into_iter()
        .filter(|k| root.get(*k).is_some_and(|v| !v.is_null()))
        .collect();
    let Some(&which) = present.first() else {
        ctx.error(
            1,
            "not an OpsLevel file: no `service:`, `component:` or `repository:` section",
        );
        return;
    };
    let line = ctx.line(which, 1);
    if present.len() > 1 {
        ctx.warn(
            line,
            format!("more than one of service, component and repository: only `{which}` is read"),
        );
    }
    let Some(body) = object(root.get(which)) else {
        ctx.error(line, format!("`{which}` must be a mapping"));
        return;
    };
    if which == "repository" {
        let tags = list(body.get("tags"))
            .into_iter()
            .filter_map(|t| {
                Some(format!(
                    "{}:{}",
                    text(t.get("key"))?,
                    text(t.get("value")).unwrap_or_default()
                ))
            })
            .collect();
        ctx.repositories.push(RepoOwner {
            line,
            owner: text(body.get("owner")),
            tier: text(body.get("tier")),
            tags,
        });
        return;
    }
    let Some(name) = text(body.get("name")) else {
        let at = ctx.line("name", line);
        ctx.error(
            at,
            format!("`{which}.name` is missing or empty: the file was not read"),
        );
        return;
    };
    let own_alias = alias(&name);
    if slug(&own_alias).is_empty() {
        ctx.error(
            ctx.line("name", line),
            format!("name {name:?} has no letter or digit"),
        );
        return;
    }
    let mut d = ctx.draft("Component", &own_alias.replace('_', "-"), line);
    let f = |k: &str| format!("{which}.{k}");
    d.source_id(&own_alias);
    d.fate(&f("name"), Fate::Mapped, "metadata.name");
    d.meta(&f("name"), "title", Value::String(name.clone()));
    let spec_type = if which == "component" {
        text(body.get("type")).unwrap_or_else(|| "service".into())
    } else {
        "service".into()
    };
    d.set(&f("type"), "type", Value::String(spec_type.to_lowercase()));
    match text(body.get("lifecycle")) {
        Some(lc) => {
            let lower = lc.to_lowercase();
            let mapped = match lower.as_str() {
                "pre-alpha" | "alpha" | "beta" => "experimental".to_string(),
                "generally_available" => "production".to_string(),
                "end-of-life" | "end_of_life" => "deprecated".to_string(),
                other => tag(other).replace(':', "-"),
            };
            d.set(&f("lifecycle"), "lifecycle", Value::String(mapped));
            d.label(&f("lifecycle"), "opslevel.com/lifecycle", &lc);
        }
        None => {
            d.spec.insert("lifecycle".into(), json!("unknown"));
        }
    }
    if let Some(tier) = text(body.get("tier")) {
        d.label(&f("tier"), "opslevel.com/tier", &tier);
    }
    if let Some(product) = text(body.get("product")) {
        d.label(&f("product"), "opslevel.com/product", &product);
    }
    if let Some(owner) = text(body.get("owner")) {
        d.set(
            &f("owner"),
            "owner",
            Value::String(format!("group:opslevel/{}", slug(&owner))),
        );
    }
    if let Some(system) = text(body.get("system")) {
        d.set(
            &f("system"),
            "system",
            Value::String(format!("system:opslevel/{}", slug(&system))),
        );
    }
    for key in ["language", "framework"] {
        if let Some(v) = text(body.get(key)) {
            d.tag(&f(key), &v);
        }
    }
    if let Some(desc) = text(body.get("description")) {
        d.meta(&f("description"), "description", Value::String(desc));
    }
    let aliases: Vec<String> = list(body.get("aliases"))
        .into_iter()
        .filter_map(|a| text(Some(a)))
        .collect();
    if !aliases.is_empty() {
        d.keys.extend(aliases.iter().cloned());
        let key = d.annotate("idp-tui/aliases", &aliases.join(","));
        d.fate(&f("aliases"), Fate::Annotation, key);
    }
    tags(&mut d, body.get("tags"), &f("tags"));
    repositories(&mut d, body.get("repositories"), &f("repositories"));
    for tool in list(body.get("tools")) {
        let title = text(tool.get("name")).map(|n| match text(tool.get("environment")) {
            Some(env) => format!("{n} ({env})"),
            None => n,
        });
        let category = text(tool.get("category")).unwrap_or_default();
        d.link(&f("tools"), text(tool.get("url")), title, &category);
    }
    let deps_line = ctx.line("dependencies", line);
    let mut notes = Vec::new();
    for dep in list(body.get("dependencies")) {
        let Some(a) = text(dep.get("alias")) else {
            continue;
        };
        let at = super::read::line_of_value(ctx.text, "alias", deps_line, &a).unwrap_or(deps_line);
        d.pending(
            RefField::DependsOn,
            &a,
            &["component", "resource"],
            (&f("dependencies"), at),
        );
        if dep.get("notes").is_some_and(|n| !n.is_null()) {
            notes.push(dep.clone());
        }
    }
    if !notes.is_empty() {
        d.keep(&f("dependencies"), "dependencies", &Value::Array(notes));
    }
    let mut other_alerts = Vec::new();
    for source in list(body.get("alert_sources")) {
        let kind = text(source.get("type")).unwrap_or_default().to_lowercase();
        match (kind.as_str(), text(source.get("external_id"))) {
            ("pagerduty", Some(id)) => {
                d.annotate("pagerduty.com/service-id", &id);
                d.fate(
                    &f("alert_sources"),
                    Fate::Mapped,
                    "pagerduty.com/service-id",
                );
            }
            ("opsgenie", Some(id)) => {
                let key = d.annotate("idp-tui/opsgenie-service-id", &id);
                d.fate(&f("alert_sources"), Fate::Annotation, key);
            }
            _ => other_alerts.push(source.clone()),
        }
    }
    if !other_alerts.is_empty() {
        d.keep(
            &f("alert_sources"),
            "alert_sources",
            &Value::Array(other_alerts),
        );
    }
    if let Some(props) = object(body.get("properties")) {
        for (key, value) in props {
            let field = format!("{which}.properties.{key}");
            match value {
                Value::Null => d.fate(&field, Fate::Lost, "null"),
                Value::String(s) => {
                    let k = d.annotate(&format!("opslevel.com/property.{key}"), s);
                    d.fate(&field, Fate::Annotation, k);
                }
                other => {
                    let k = d.annotate(&format!("opslevel.com/property.{key}"), &other.to_string());
                    d.fate(&field, Fate::Annotation, k);
                }
            }
        }
    }
    for (key, value) in body {
        if !KNOWN.contains(&key.as_str()) && key != "properties" && key != "<<" {
            d.keep(&f(key), key, value);
        }
    }
    ctx.drafts.push(d);
}

/// `tags:` — labels when each key is unique and fits label syntax, else `key:value` tags;
/// the raw list is always kept (OpsLevel allows one key twice).
fn tags(d: &mut Draft, value: Option<&Value>, field: &str) {
    let pairs: Vec<(String, String)> = list(value)
        .into_iter()
        .filter_map(|t| {
            Some((
                text(t.get("key"))?,
                text(t.get("value")).unwrap_or_default(),
            ))
        })
        .collect();
    if pairs.is_empty() {
        return;
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (k, _) in &pairs {
        *counts.entry(k.as_str()).or_default() += 1;
    }
    for (k, v) in &pairs {
        let unique = counts.get(k.as_str()) == Some(&1);
        let as_label = unique
            && crate::catalog::validate::is_valid_key(k)
            && crate::catalog::validate::is_valid_label_value(v);
        if as_label {
            d.label(field, k, v);
        } else {
            d.tag(field, &format!("{k}:{v}"));
        }
    }
    let raw: Vec<Value> = pairs
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    d.keep(field, "tags", &Value::Array(raw));
}

/// The first repository: the project-slug and source-location annotations.
fn repositories(d: &mut Draft, value: Option<&Value>, field: &str) {
    let repos = list(value);
    let Some(first) = repos.first() else { return };
    let name = text(first.get("name"));
    let provider = text(first.get("provider"))
        .unwrap_or_else(|| "github".into())
        .to_lowercase();
    let path = text(first.get("path")).unwrap_or_default();
    let path = path.trim_matches('/');
    match (name, provider.as_str()) {
        (Some(name), "github") => {
            d.annotate("github.com/project-slug", &name);
            let tail = if path.is_empty() {
                String::new()
            } else {
                format!("/{path}")
            };
            d.annotate(
                "backstage.io/source-location",
                &format!("url:https://github.com/{name}/tree/HEAD{tail}"),
            );
            d.fate(field, Fate::Mapped, "github.com/project-slug");
        }
        (Some(name), "gitlab") => {
            d.annotate("gitlab.com/project-slug", &name);
            d.fate(field, Fate::Mapped, "gitlab.com/project-slug");
        }
        _ => d.keep(field, "repositories", &Value::Array(vec![(*first).clone()])),
    }
    if repos.len() > 1 {
        let rest: Vec<Value> = repos.iter().skip(1).map(|r| (*r).clone()).collect();
        d.keep(field, "repositories", &Value::Array(rest));
    }
}

/// What needs every OpsLevel file: a System for each system alias used (OpsLevel files never
/// define systems), and the owner of a `repository:` file given to the components of that
/// repository that name none.
pub(super) fn settle(files: &mut [Parsed]) {
    let mut made: HashMap<String, ()> = HashMap::new();
    for file in files.iter() {
        for d in file
            .drafts
            .iter()
            .filter(|d| d.format == Format::OpsLevel && d.kind == "System")
        {
            made.insert(d.name.to_lowercase(), ());
        }
    }
    // The directory of each repository file, with its owner.
    let owners: Vec<(String, String)> = files
        .iter()
        .flat_map(|f| {
            let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            f.repositories
                .iter()
                .filter_map(move |r| Some((dir.clone(), r.owner.clone()?)))
        })
        .collect();
    for file in files.iter_mut() {
        let mut systems = Vec::new();
        for d in file
            .drafts
            .iter_mut()
            .filter(|d| d.format == Format::OpsLevel)
        {
            if !d.spec.contains_key("owner") {
                let dir = format!("{}/", file.path.rsplit_once('/').map_or("", |(d, _)| d));
                let found = owners
                    .iter()
                    .filter(|(o, _)| dir.starts_with(&format!("{o}/")))
                    .max_by_key(|(o, _)| o.len());
                if let Some((_, owner)) = found {
                    d.set(
                        "repository.owner",
                        "owner",
                        Value::String(format!("group:opslevel/{}", slug(owner))),
                    );
                }
            }
            let Some(system) = d.spec.get("system").and_then(Value::as_str) else {
                continue;
            };
            let name = system.rsplit('/').next().unwrap_or(system).to_string();
            if made.insert(name.to_lowercase(), ()).is_none() {
                let mut s = Draft::new(Format::OpsLevel, "System", &name, d.line);
                s.source_id(&name);
                if let Some(owner) = d.spec.get("owner") {
                    s.spec.insert("owner".into(), owner.clone());
                }
                s.metadata.insert(
                    "description".into(),
                    Value::String(format!("OpsLevel system {name} (named by its components)")),
                );
                systems.push(s);
            }
        }
        file.drafts.extend(systems);
    }
}
