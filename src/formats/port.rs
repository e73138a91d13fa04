//! Port: `port.yml` (one entity or a list of entities) and Port JSON (an entity, a list, or an
//! export holding `entities`, `blueprints` and `teams`). An entity's blueprint picks its kind;
//! its relations name other entities by identifier (resolved across files).

use super::draft::{slug, Fate, RefField};
use super::read::{list, object, text, Ctx};
use serde_json::{json, Map, Value};

/// Maps a Port file.
pub(super) fn map(ctx: &mut Ctx<'_>, root: &Value) {
    match root {
        Value::Array(items) => {
            let mut from = 1;
            for item in items {
                from = entity(ctx, item, from);
            }
        }
        Value::Object(obj) if obj.contains_key("identifier") && obj.contains_key("schema") => {
            ctx.warn(
                1,
                "a Port blueprint: it describes entities but holds none; nothing was read",
            );
        }
        Value::Object(obj) if obj.contains_key("identifier") => {
            entity(ctx, root, 1);
        }
        Value::Object(obj) => {
            let mut from = 1;
            for team in list(obj.get("teams")) {
                from = team_of(ctx, team, from);
            }
            let entities = list(obj.get("entities"));
            if entities.is_empty() && !obj.contains_key("blueprints") && !obj.contains_key("teams")
            {
                ctx.error(
                    1,
                    "not a Port file: expected an entity (with `identifier` and `blueprint`), a list of them, or an export with `entities`",
                );
            }
            for item in entities {
                from = entity(ctx, item, from);
            }
        }
        _ => ctx.error(
            1,
            "not a Port file: expected an entity or a list of entities",
        ),
    }
}

/// A Port team (export `teams`) as a Group.
fn team_of(ctx: &mut Ctx<'_>, team: &Value, from: u32) -> u32 {
    let Some(name) = text(team.get("name")) else {
        return from;
    };
    let line = ctx.line("name", from);
    let mut d = ctx.draft("Group", &name, line);
    d.source_id(&name);
    d.set("teams.name", "type", json!("team"));
    d.spec.insert("children".into(), json!([]));
    if let Some(desc) = text(team.get("description")) {
        d.meta("teams.description", "description", Value::String(desc));
    }
    ctx.drafts.push(d);
    line + 1
}

/// Maps one entity; returns the line to look for the next one from.
fn entity(ctx: &mut Ctx<'_>, value: &Value, from: u32) -> u32 {
    let line = ctx.line("identifier", from);
    let next = line + 1;
    let Some(obj) = value.as_object() else {
        ctx.error(line, "a Port entity must be a mapping");
        return next;
    };
    let Some(identifier) = text(obj.get("identifier")) else {
        ctx.error(
            line,
            "`identifier` is missing or empty: the entity was not read",
        );
        return next;
    };
    if slug(&identifier).is_empty() {
        ctx.error(
            line,
            format!("identifier {identifier:?} has no letter or digit"),
        );
        return next;
    }
    let blueprint = text(obj.get("blueprint")).unwrap_or_else(|| {
        ctx.warn(
            line,
            format!("{identifier}: `blueprint` is missing: read as a service"),
        );
        "service".into()
    });
    let props = object(obj.get("properties"));
    let prop = |k: &str| props.and_then(|p| text(p.get(k)));
    let kind = match blueprint.to_lowercase().as_str() {
        "component" | "service" | "_service" | "microservice" => "Component",
        "api" => "API",
        "resource" => "Resource",
        "system" => "System",
        "domain" => "Domain",
        "group" | "_team" | "team" => "Group",
        "user" | "_user" => "User",
        _ => "Resource",
    };
    let mut d = ctx.draft(kind, &identifier, line);
    d.source_id(&format!("{blueprint}/{identifier}"));
    d.keys.push(identifier.clone());
    d.fate("identifier", Fate::Mapped, "metadata.name");
    d.fate("blueprint", Fate::Mapped, "kind");
    if let Some(title) = text(obj.get("title")) {
        d.meta("title", "title", Value::String(title));
    }
    match kind {
        "Component" => {
            let t = prop("type").unwrap_or_else(|| "service".into());
            d.spec
                .insert("type".into(), Value::String(slug(&t.to_lowercase())));
            let lc = prop("lifecycle").unwrap_or_else(|| "unknown".into());
            d.spec
                .insert("lifecycle".into(), Value::String(lc.to_lowercase()));
        }
        "API" => {
            let t = prop("type")
                .unwrap_or_else(|| "openapi".into())
                .to_lowercase()
                .replace(' ', "");
            d.spec.insert("type".into(), Value::String(t));
            let lc = prop("lifecycle").unwrap_or_else(|| "unknown".into());
            d.spec
                .insert("lifecycle".into(), Value::String(lc.to_lowercase()));
            let def = [
                "definitionOpenAPI",
                "definitionAsyncAPI",
                "definitionGRPC",
                "definitionGraphQL",
            ]
            .iter()
            .find_map(|k| prop(k))
            .unwrap_or_else(|| format!("# no definition in the Port entity {identifier}"));
            d.spec.insert("definition".into(), Value::String(def));
        }
        "Resource" => {
            let t = if blueprint.eq_ignore_ascii_case("resource") {
                prop("type").unwrap_or_else(|| "resource".into())
            } else {
                blueprint.clone()
            };
            d.spec
                .insert("type".into(), Value::String(slug(&t.to_lowercase())));
        }
        "Group" => {
            d.spec.insert("type".into(), json!("team"));
            d.spec.insert("children".into(), json!([]));
        }
        "User" => {
            d.spec.insert("memberOf".into(), json!([]));
        }
        _ => {}
    }
    let teams: Vec<String> = list(obj.get("team").or(obj.get("teams")))
        .into_iter()
        .filter_map(|t| text(Some(t)))
        .collect();
    if let Some(first) = teams.first() {
        d.pending(
            RefField::Owner,
            first,
            &["group"],
            ("team", ctx.line("team", line)),
        );
        if let Some(last) = d.refs.last_mut() {
            last.fallback = Some(format!("group:port/{}", slug(first)));
        }
        if teams.len() > 1 {
            d.keep("team", "teams", &json!(teams.get(1..)));
        }
    }
    if let Some(icon) = obj.get("icon") {
        d.keep("icon", "icon", icon);
    }
    if let Some(props) = props {
        properties(&mut d, props, kind);
    }
    if let Some(rels) = object(obj.get("relations")) {
        let rel_line = ctx.line("relations", line);
        for (name, targets) in rels {
            let field = format!("relations.{name}");
            let targets: Vec<String> = list(Some(targets))
                .into_iter()
                .filter_map(|t| text(Some(t)))
                .collect();
            let lower = name.to_lowercase();
            let (ref_field, kinds): (RefField, &'static [&'static str]) = match lower.as_str() {
                "system" => (RefField::System, &["system"]),
                "domain" if kind == "System" => (RefField::Domain, &["domain"]),
                "providesapi" | "providesapis" => (RefField::ProvidesApis, &["api"]),
                "consumesapi" | "consumesapis" => (RefField::ConsumesApis, &["api"]),
                "subcomponentof" => (RefField::SubcomponentOf, &["component"]),
                "owninggroup" | "owner" | "_team" => (RefField::Owner, &["group"]),
                l if (l.starts_with("dependson") || l == "components" || l == "resources")
                    && matches!(kind, "Component" | "Resource") =>
                {
                    (RefField::DependsOn, &["component", "resource"])
                }
                _ => {
                    if !targets.is_empty() {
                        d.keep(&field, &format!("relations.{name}"), &json!(targets));
                    }
                    continue;
                }
            };
            for target in targets {
                let at = ctx
                    .text
                    .lines()
                    .enumerate()
                    .skip(rel_line.saturating_sub(1) as usize)
                    .find(|(_, l)| l.contains(&target))
                    .map_or(rel_line, |(i, _)| i as u32 + 1);
                d.pending(ref_field, &target, kinds, (&field, at));
                if ref_field == RefField::Owner {
                    if let Some(last) = d.refs.last_mut() {
                        last.fallback = Some(format!("group:port/{}", slug(&target)));
                    }
                }
            }
        }
    }
    for key in ["createdAt", "createdBy", "updatedAt", "updatedBy"] {
        if obj.contains_key(key) {
            d.fate(key, Fate::Lost, "audit field");
        }
    }
    for (key, value) in obj {
        let known = [
            "identifier",
            "title",
            "blueprint",
            "team",
            "teams",
            "icon",
            "properties",
            "relations",
            "createdAt",
            "createdBy",
            "updatedAt",
            "updatedBy",
        ];
        if !known.contains(&key.as_str()) {
            d.keep(key, key, value);
        }
    }
    ctx.drafts.push(d);
    next
}

/// Properties: the ones Backstage has fields for are mapped, URLs become links, the rest are
/// `port.io/property.<key>` annotations.
fn properties(d: &mut super::Draft, props: &Map<String, Value>, kind: &str) {
    for (key, value) in props {
        let field = format!("properties.{key}");
        if value.is_null() {
            d.fate(&field, Fate::Lost, "null");
            continue;
        }
        match key.as_str() {
            "type" | "lifecycle" if matches!(kind, "Component" | "API" | "Resource") => {
                d.fate(&field, Fate::Mapped, format!("spec.{key}"));
            }
            "definitionOpenAPI" | "definitionAsyncAPI" | "definitionGRPC" | "definitionGraphQL"
                if kind == "API" =>
            {
                d.fate(&field, Fate::Mapped, "spec.definition");
            }
            "description" => {
                if let Some(s) = text(Some(value)) {
                    d.meta(&field, "description", Value::String(s));
                }
            }
            "tags" => {
                for t in list(Some(value)).into_iter().filter_map(|t| text(Some(t))) {
                    d.tag(&field, &t);
                }
            }
            "labels" => {
                for (k, v) in object(Some(value)).into_iter().flatten() {
                    if let Some(v) = text(Some(v)) {
                        d.label(&field, k, &v);
                    }
                }
            }
            "annotations" => {
                for (k, v) in object(Some(value)).into_iter().flatten() {
                    if let Some(v) = text(Some(v)) {
                        let key = d.annotate(k, &v);
                        d.fate(&field, Fate::Mapped, format!("metadata.annotations[{key}]"));
                    }
                }
            }
            "links" => {
                for l in list(Some(value)) {
                    let url = text(l.get("url")).or_else(|| text(Some(l)));
                    d.link(&field, url, text(l.get("title")), "");
                }
            }
            "email" if kind == "User" => {
                d.set(&field, "profile", json!({"email": value}));
            }
            _ => match value {
                Value::String(s) if s.starts_with("https://") || s.starts_with("http://") => {
                    d.link(&field, Some(s.clone()), Some(key.clone()), "");
                }
                Value::String(s) => {
                    let k = d.annotate(&format!("port.io/property.{key}"), s);
                    d.fate(&field, Fate::Annotation, k);
                }
                other => {
                    let k = d.annotate(&format!("port.io/property.{key}"), &other.to_string());
                    d.fate(&field, Fate::Annotation, k);
                }
            },
        }
    }
}
