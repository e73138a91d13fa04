//! Cortex `cortex.yaml`: an OpenAPI document whose `info` holds the entity (`x-cortex-tag`,
//! `x-cortex-type`, owners, dependencies, …). Services become Components, teams Groups (with a
//! User per member), custom types Resources, and domains Systems or Domains by what they hold
//! (settled across files, see [`settle`]).

use super::draft::{slug, Fate, RefField};
use super::read::{list, object, text, Ctx};
use super::{Draft, Format, Parsed, PREFIX};
use serde_json::{json, Map, Value};

/// The `x-cortex-*` keys mapped by [`map`]; every other one is kept as `idp-tui/raw.<key>`.
const MAPPED: [&str; 20] = [
    "x-cortex-tag",
    "x-cortex-type",
    "x-cortex-owners",
    "x-cortex-groups",
    "x-cortex-service-groups",
    "x-cortex-link",
    "x-cortex-custom-metadata",
    "x-cortex-dependency",
    "x-cortex-parents",
    "x-cortex-domain-parents",
    "x-cortex-children",
    "x-cortex-team",
    "x-cortex-git",
    "x-cortex-oncall",
    "x-cortex-slack",
    "x-cortex-static-analysis",
    "x-cortex-k8s",
    "x-cortex-sentry",
    "x-cortex-issues",
    "x-cortex-description",
];

/// Maps one Cortex descriptor.
pub(super) fn map(ctx: &mut Ctx<'_>, root: &Value) {
    let Some(info) = object(root.get("info")) else {
        ctx.error(
            1,
            "not a Cortex descriptor: it has no `info` mapping (Cortex keeps the entity under `info`)",
        );
        return;
    };
    let info_line = ctx.line("info", 1);
    let tag_line = ctx.line("x-cortex-tag", info_line);
    let Some(tag) = text(info.get("x-cortex-tag")) else {
        ctx.error(
            tag_line,
            "x-cortex-tag is missing or empty: a Cortex entity needs a tag; the file was not read",
        );
        return;
    };
    if slug(&tag).is_empty() {
        ctx.error(
            tag_line,
            format!("x-cortex-tag {tag:?} has no letter or digit to make a Backstage name of"),
        );
        return;
    }
    let cortex_type = text(info.get("x-cortex-type"))
        .unwrap_or_else(|| "service".into())
        .to_lowercase();
    let kind = match cortex_type.as_str() {
        "service" => "Component",
        "team" => "Group",
        "domain" => "Domain",
        _ => "Resource",
    };
    let mut d = ctx.draft(kind, &tag, info_line);
    d.source_id(&tag);
    d.fate("info.x-cortex-tag", Fate::Mapped, "metadata.name");
    d.fate("info.x-cortex-type", Fate::Mapped, "kind");
    if let Some(title) = text(info.get("title")) {
        d.meta("info.title", "title", Value::String(title));
    }
    for key in ["description", "x-cortex-description"] {
        if let Some(desc) = text(info.get(key)) {
            if !d.metadata.contains_key("description") {
                d.meta(&format!("info.{key}"), "description", Value::String(desc));
            }
        }
    }
    let custom = object(info.get("x-cortex-custom-metadata"));
    match kind {
        "Component" => {
            d.spec.insert("type".into(), json!("service"));
            let lifecycle = custom
                .and_then(|m| text(m.get("lifecycle")))
                .unwrap_or_else(|| "production".into());
            d.spec
                .insert("lifecycle".into(), Value::String(lifecycle.to_lowercase()));
        }
        "Group" => {
            d.spec.insert("type".into(), json!("team"));
            d.spec.insert("children".into(), json!([]));
        }
        "Resource" => {
            d.spec
                .insert("type".into(), Value::String(cortex_type.clone()));
            if let Some(def) = info.get("x-cortex-definition") {
                d.keep("info.x-cortex-definition", "definition", def);
            }
        }
        _ => {}
    }
    owners(ctx, &mut d, info, info_line);
    for key in ["x-cortex-groups", "x-cortex-service-groups"] {
        for group in list(info.get(key))
            .into_iter()
            .filter_map(|v| text(Some(v)))
        {
            d.tag(&format!("info.{key}"), &group);
        }
    }
    for link in list(info.get("x-cortex-link")) {
        let kind = text(link.get("type")).unwrap_or_default();
        d.link(
            "info.x-cortex-link",
            text(link.get("url")),
            text(link.get("name")),
            &kind,
        );
    }
    if let Some(custom) = custom {
        for (key, value) in custom {
            let field = format!("info.x-cortex-custom-metadata.{key}");
            let value = match value {
                Value::Object(m) if m.contains_key("value") => m.get("value").unwrap_or(value),
                other => other,
            };
            match value {
                Value::Null => d.fate(&field, Fate::Lost, "null"),
                Value::Object(_) | Value::Array(_) => d.keep(&field, &format!("meta.{key}"), value),
                scalar => {
                    let s = text(Some(scalar)).unwrap_or_default();
                    if !d.label(&field, &slug(key), &s) {
                        // `label` kept it under the bare key: move it under our prefix.
                        if let Some(Value::Object(a)) = d.metadata.get_mut("annotations") {
                            a.remove(&slug(key));
                        }
                        d.fates.pop();
                        d.keep(&field, &format!("meta.{key}"), scalar);
                    }
                }
            }
        }
    }
    dependencies(ctx, &mut d, info, info_line);
    let parents: Vec<String> = ["x-cortex-parents", "x-cortex-domain-parents"]
        .iter()
        .flat_map(|k| list(info.get(*k)))
        .filter_map(|p| text(p.get("tag")).or_else(|| text(Some(p))))
        .collect();
    let parent_line = ctx.line("x-cortex-parents", info_line);
    let parent_line = if parent_line == info_line {
        ctx.line("x-cortex-domain-parents", info_line)
    } else {
        parent_line
    };
    for (i, parent) in parents.iter().enumerate() {
        let field = "info.x-cortex-parents";
        if i > 0 {
            d.keep(field, "parents", &json!(parents.get(1..)));
            break;
        }
        match kind {
            "Domain" => d.pending(
                RefField::SubdomainOf,
                parent,
                &["domain"],
                (field, parent_line),
            ),
            "Group" => d.pending(RefField::Parent, parent, &["group"], (field, parent_line)),
            _ => d.pending(RefField::System, parent, &["system"], (field, parent_line)),
        }
    }
    let children_line = ctx.line("x-cortex-children", info_line);
    for child in list(info.get("x-cortex-children")) {
        if let Some(tag) = text(child.get("tag")).or_else(|| text(Some(child))) {
            d.children.push((tag, children_line));
            d.fate("info.x-cortex-children", Fate::Mapped, "the child's spec");
        }
    }
    if let Some(team) = object(info.get("x-cortex-team")) {
        members(ctx, &mut d, team, info_line);
    }
    integrations(&mut d, info);
    for (key, value) in info {
        if key.starts_with("x-cortex-")
            && !MAPPED.contains(&key.as_str())
            && key != "x-cortex-definition"
        {
            let name = key.trim_start_matches("x-cortex-");
            d.keep(&format!("info.{key}"), name, value);
        } else if !key.starts_with("x-cortex-") && !matches!(key.as_str(), "title" | "description")
        {
            d.fate(&format!("info.{key}"), Fate::Lost, "an OpenAPI info field");
        }
    }
    let api = api_of(ctx, &mut d, root);
    ctx.drafts.push(d);
    ctx.drafts.extend(api);
}

/// Owners: the first group owner is `spec.owner`; email owners make a `user:` owner when there
/// is no group; Slack owners are links; the rest are kept.
fn owners(ctx: &Ctx<'_>, d: &mut Draft, info: &Map<String, Value>, info_line: u32) {
    let field = "info.x-cortex-owners";
    let line = ctx.line("x-cortex-owners", info_line);
    let mut extra = Vec::new();
    let mut email_owner = None;
    for owner in list(info.get("x-cortex-owners")) {
        let kind = text(owner.get("type")).unwrap_or_default().to_lowercase();
        let name = text(owner.get("name"));
        match (kind.as_str(), name) {
            ("group", Some(name)) if !d.refs.iter().any(|r| r.field == RefField::Owner) => {
                let provider = text(owner.get("provider")).unwrap_or_default();
                let short = name.rsplit('/').next().unwrap_or(&name);
                let guess = format!("group:{}/{}", d.namespace, slug(short));
                d.pending(RefField::Owner, &name, &["group"], (field, line));
                if let Some(last) = d.refs.last_mut() {
                    last.fallback = Some(guess);
                }
                if !provider.is_empty() || short != name {
                    d.annotate(
                        &format!("{PREFIX}owner-provider"),
                        &format!("{provider}:{name}"),
                    );
                }
            }
            ("email", _) => {
                if let Some(email) = text(owner.get("email")).or_else(|| text(owner.get("name"))) {
                    if email_owner.is_none() {
                        email_owner = Some(email);
                    } else {
                        extra.push(owner.clone());
                    }
                }
            }
            ("slack", Some(channel)) => {
                let chan = channel.trim_start_matches('#').to_string();
                d.link(
                    field,
                    Some(format!("slack://channel?name={chan}")),
                    Some(format!("#{chan}")),
                    "chat",
                );
            }
            _ => extra.push(owner.clone()),
        }
    }
    if let Some(email) = email_owner {
        let has_group = d.refs.iter().any(|r| r.field == RefField::Owner);
        if has_group {
            extra.push(json!({"type": "EMAIL", "email": email}));
        } else {
            let local = email.split('@').next().unwrap_or(&email);
            d.set(
                field,
                "owner",
                Value::String(format!("user:{}/{}", d.namespace, slug(local))),
            );
        }
    }
    if !extra.is_empty() {
        d.keep(field, "owners", &Value::Array(extra));
    }
}

/// `x-cortex-dependency`, list form or map form (`cortex:` list, `aws:` tags).
fn dependencies(ctx: &Ctx<'_>, d: &mut Draft, info: &Map<String, Value>, info_line: u32) {
    let field = "info.x-cortex-dependency";
    let line = ctx.line("x-cortex-dependency", info_line);
    let value = info.get("x-cortex-dependency");
    let deps = match value {
        Some(Value::Object(m)) => {
            for (source, v) in m {
                if source != "cortex" {
                    d.fate(
                        &format!("{field}.{source}"),
                        Fate::Lost,
                        "not representable in Backstage",
                    );
                    d.keep(
                        &format!("{field}.{source}"),
                        &format!("dependency-{source}"),
                        v,
                    );
                }
            }
            list(m.get("cortex"))
        }
        other => list(other),
    };
    let mut details = Vec::new();
    for dep in deps {
        let Some(tag) = text(dep.get("tag")).or_else(|| text(Some(dep))) else {
            continue;
        };
        let dep_line = super::read::line_of_value(ctx.text, "tag", line, &tag).unwrap_or(line);
        d.pending(
            RefField::DependsOn,
            &tag,
            &["component", "resource"],
            (field, dep_line),
        );
        if dep.as_object().is_some_and(|o| o.len() > 1) {
            details.push(dep.clone());
        }
    }
    if !details.is_empty() {
        d.keep(field, "dependency", &Value::Array(details));
    }
}

/// A team's members: a User each (named by the email's local part), and the Group's members.
fn members(ctx: &mut Ctx<'_>, d: &mut Draft, team: &Map<String, Value>, info_line: u32) {
    let line = ctx.line("members", info_line);
    let mut refs = Vec::new();
    for member in list(team.get("members")) {
        let email = text(member.get("email"));
        let display = text(member.get("name"));
        let name = email
            .as_deref()
            .and_then(|e| e.split('@').next())
            .map(str::to_string)
            .or(display.clone())
            .unwrap_or_default();
        if slug(&name).is_empty() {
            ctx.warn(
                line,
                "x-cortex-team member with neither name nor email: skipped",
            );
            continue;
        }
        let mut user = ctx.draft("User", &name, line);
        let mut profile = Map::new();
        if let Some(display) = display {
            profile.insert("displayName".into(), Value::String(display));
        }
        if let Some(email) = email {
            profile.insert("email".into(), Value::String(email));
        }
        user.set(
            "info.x-cortex-team.members",
            "profile",
            Value::Object(profile),
        );
        user.spec.insert("memberOf".into(), json!([d.reference()]));
        if let Some(role) = member.get("role").filter(|r| !r.is_null()) {
            user.keep("info.x-cortex-team.members.role", "role", role);
        }
        refs.push(Value::String(user.reference()));
        ctx.drafts.push(user);
    }
    if !refs.is_empty() {
        d.set("info.x-cortex-team.members", "members", Value::Array(refs));
    }
    if let Some(groups) = team.get("groups") {
        d.keep("info.x-cortex-team.groups", "team-groups", groups);
    }
}

/// Git, on-call, Slack, SonarQube, Kubernetes, Sentry and Jira: Backstage's annotations.
fn integrations(d: &mut Draft, info: &Map<String, Value>) {
    if let Some(git) = object(info.get("x-cortex-git")) {
        let field = "info.x-cortex-git";
        for (host, repo) in git {
            let Some(slug_) = text(repo.get("repository")) else {
                continue;
            };
            match host.as_str() {
                "github" => {
                    d.annotate("github.com/project-slug", &slug_);
                    let base = text(repo.get("basepath")).unwrap_or_default();
                    let base = base.trim_matches('/');
                    let tail = if base.is_empty() {
                        String::new()
                    } else {
                        format!("/{base}")
                    };
                    d.annotate(
                        "backstage.io/source-location",
                        &format!("url:https://github.com/{slug_}/tree/HEAD{tail}"),
                    );
                    d.fate(field, Fate::Mapped, "github.com/project-slug");
                }
                "gitlab" => {
                    d.annotate("gitlab.com/project-slug", &slug_);
                    d.fate(field, Fate::Mapped, "gitlab.com/project-slug");
                }
                _ => d.keep(&format!("{field}.{host}"), &format!("git-{host}"), repo),
            }
        }
    }
    if let Some(oncall) = object(info.get("x-cortex-oncall")) {
        for (provider, v) in oncall {
            let field = format!("info.x-cortex-oncall.{provider}");
            let id = text(v.get("id"));
            let kind = text(v.get("type"))
                .unwrap_or_else(|| "SERVICE".into())
                .to_uppercase();
            let key = match (provider.as_str(), kind.as_str()) {
                ("pagerduty", "SERVICE") => "pagerduty.com/service-id",
                ("pagerduty", "SCHEDULE") => "idp-tui/pagerduty-schedule-id",
                ("pagerduty", _) => "idp-tui/pagerduty-escalation-policy-id",
                ("opsgenie", "SCHEDULE") => "idp-tui/opsgenie-schedule-id",
                ("opsgenie", _) => "opsgenie.com/team",
                _ => "",
            };
            match id {
                Some(id) if !key.is_empty() => {
                    d.annotate(key, &id);
                    let fate = if key.starts_with(PREFIX) {
                        Fate::Annotation
                    } else {
                        Fate::Mapped
                    };
                    d.fate(&field, fate, key);
                }
                _ => d.keep(&field, &format!("oncall-{provider}"), v),
            }
        }
    }
    if let Some(slack) = object(info.get("x-cortex-slack")) {
        for chan in list(slack.get("channels")) {
            if let Some(name) = text(chan.get("name")) {
                let name = name.trim_start_matches('#').to_string();
                d.link(
                    "info.x-cortex-slack",
                    Some(format!("slack://channel?name={name}")),
                    Some(format!("#{name}")),
                    "chat",
                );
            }
        }
    }
    if let Some(sa) = object(info.get("x-cortex-static-analysis")) {
        for (tool, v) in sa {
            let field = format!("info.x-cortex-static-analysis.{tool}");
            match (tool.as_str(), text(v.get("project"))) {
                ("sonarqube", Some(project)) => {
                    d.annotate("sonarqube.org/project-key", &project);
                    d.fate(&field, Fate::Mapped, "sonarqube.org/project-key");
                }
                _ => d.keep(&field, &format!("static-analysis-{tool}"), v),
            }
        }
    }
    if let Some(k8s) = object(info.get("x-cortex-k8s")) {
        let first = k8s
            .values()
            .flat_map(|v| list(Some(v)))
            .find_map(|w| text(w.get("identifier")));
        if let Some((ns, name)) = first.as_deref().and_then(|i| i.split_once('/')) {
            d.annotate("backstage.io/kubernetes-namespace", ns);
            d.annotate("backstage.io/kubernetes-id", name);
            d.fate(
                "info.x-cortex-k8s",
                Fate::Mapped,
                "backstage.io/kubernetes-id",
            );
        }
        d.keep("info.x-cortex-k8s", "k8s", &Value::Object(k8s.clone()));
    }
    if let Some(project) = info
        .get("x-cortex-sentry")
        .and_then(|s| text(s.get("project")))
    {
        d.annotate("sentry.io/project-slug", &project);
        d.fate(
            "info.x-cortex-sentry",
            Fate::Mapped,
            "sentry.io/project-slug",
        );
    }
    if let Some(jira) = info.get("x-cortex-issues").and_then(|i| i.get("jira")) {
        match list(jira.get("projects"))
            .first()
            .and_then(|p| text(p.get("name")))
        {
            Some(key) => {
                d.annotate("jira/project-key", &key);
                d.fate("info.x-cortex-issues", Fate::Mapped, "jira/project-key");
            }
            None => d.keep("info.x-cortex-issues", "issues", jira),
        }
    }
}

/// An API entity when the descriptor is a real OpenAPI document (non-empty `paths`).
fn api_of(ctx: &Ctx<'_>, d: &mut Draft, root: &Value) -> Option<Draft> {
    let paths = object(root.get("paths")).filter(|p| !p.is_empty())?;
    let _ = paths;
    let mut api = ctx.draft("API", &d.name, ctx.line("paths", d.line));
    api.keys.clone_from(&d.keys);
    api.set("paths", "type", json!("openapi"));
    api.spec.insert(
        "lifecycle".into(),
        d.spec
            .get("lifecycle")
            .cloned()
            .unwrap_or(json!("production")),
    );
    api.spec
        .insert("definition".into(), Value::String(ctx.text.to_string()));
    if let Some(title) = d.metadata.get("title") {
        api.metadata.insert("title".into(), title.clone());
    }
    api.refs = d
        .refs
        .iter()
        .filter(|r| r.field == RefField::Owner)
        .cloned()
        .collect();
    if let Some(owner) = d.spec.get("owner") {
        api.spec.insert("owner".into(), owner.clone());
    }
    if d.kind == "Component" {
        d.spec
            .insert("providesApis".into(), json!([api.reference()]));
    }
    Some(api)
}

/// Settles what needs every Cortex file: children declared from the parent's side become the
/// child's parent edge, and each domain becomes a System (it holds services or resources), a
/// Domain (it holds or has domains, or holds nothing), or both (a System in the Domain).
pub(super) fn settle(files: &mut [Parsed]) {
    // Children from the parent's side: (child tag, parent tag, parent kind, line).
    let declared: Vec<(String, String, String, u32)> = files
        .iter()
        .flat_map(|f| &f.drafts)
        .flat_map(|d| {
            let parent = d.keys.first().cloned().unwrap_or_default();
            d.children
                .iter()
                .map(move |(c, line)| (c.to_lowercase(), parent.clone(), d.kind.clone(), *line))
        })
        .collect();
    for d in files.iter_mut().flat_map(|f| f.drafts.iter_mut()) {
        if d.format != Format::Cortex || d.kind == "API" {
            continue;
        }
        let Some(tag) = d.keys.first().map(|k| k.to_lowercase()) else {
            continue;
        };
        for (_, parent, parent_kind, line) in declared.iter().filter(|(c, ..)| *c == tag) {
            let (field, kinds_): (RefField, &'static [&'static str]) =
                match (parent_kind.as_str(), d.kind.as_str()) {
                    ("Group", "Group") => (RefField::Parent, &["group"]),
                    ("Group", _) => continue,
                    (_, "Domain") => (RefField::SubdomainOf, &["domain"]),
                    (_, "Group" | "User") => continue,
                    _ => (RefField::System, &["system"]),
                };
            if !d.refs.iter().any(|r| r.field == field) {
                d.pending(field, parent, kinds_, ("info.x-cortex-children", *line));
            }
        }
    }
    // What each domain holds.
    let mut holds_other: std::collections::HashSet<String> = Default::default();
    let mut holds_domain: std::collections::HashSet<String> = Default::default();
    let mut has_parent: std::collections::HashSet<String> = Default::default();
    for d in files
        .iter()
        .flat_map(|f| &f.drafts)
        .filter(|d| d.format == Format::Cortex)
    {
        for r in &d.refs {
            match r.field {
                RefField::System => {
                    holds_other.insert(r.key.to_lowercase());
                }
                RefField::SubdomainOf => {
                    holds_domain.insert(r.key.to_lowercase());
                    if let Some(k) = d.keys.first() {
                        has_parent.insert(k.to_lowercase());
                    }
                }
                _ => {}
            }
        }
    }
    for file in files.iter_mut() {
        let mut systems = Vec::new();
        for d in file
            .drafts
            .iter_mut()
            .filter(|d| d.format == Format::Cortex && d.kind == "Domain")
        {
            let tag = d.keys.first().map(|k| k.to_lowercase()).unwrap_or_default();
            let is_system = holds_other.contains(&tag);
            let is_domain = holds_domain.contains(&tag) || has_parent.contains(&tag) || !is_system;
            if is_system && !is_domain {
                d.kind = "System".into();
            } else if is_system {
                let mut system = d.clone();
                system.kind = "System".into();
                system.refs.retain(|r| r.field == RefField::Owner);
                system
                    .spec
                    .insert("domain".into(), Value::String(d.reference()));
                system.fates.clear();
                system.fate(
                    "info.x-cortex-type",
                    Fate::Mapped,
                    "kind: System and kind: Domain",
                );
                systems.push(system);
            }
        }
        file.drafts.extend(systems);
    }
}
