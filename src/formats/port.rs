//! Port: `port.yml` (one entity or a list of entities) and Port JSON (an entity, a list, or an
//! export holding `entities`, `blueprints` and `teams`). An entity's blueprint picks its kind;
//! its properties and relations are kept for the second pass (`port_settle`), which maps them
//! once every file's blueprints are known.

use super::blueprint;
use super::draft::{slug, Fate, RefField};
use super::read::{list, object, text, Ctx};
use serde_json::{json, Value};

/// A Port entity's properties and relations as written, kept from the first pass until every
/// file's blueprints are known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Deferred {
    /// The entity's index in its file's drafts.
    pub(super) draft: usize,
    /// Its identifier, for messages.
    pub(super) identifier: String,
    /// Its blueprint, as written.
    pub(super) blueprint: String,
    /// The line of its `identifier`.
    pub(super) line: u32,
    /// `properties`: key, value, line.
    pub(super) properties: Vec<(String, Value, u32)>,
    /// `relations`.
    pub(super) relations: Vec<Rel>,
}

/// One relation of an entity: its targets and their lines.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rel {
    /// The relation's name.
    pub(super) name: String,
    /// The line of its name.
    pub(super) line: u32,
    /// Its targets, each with its line.
    pub(super) targets: Vec<(String, u32)>,
    /// True when written as a list.
    pub(super) listed: bool,
}

/// Maps a Port file: entities become drafts (their properties and relations wait for
/// [`settle`]), blueprints are kept for it.
pub(super) fn map(ctx: &mut Ctx<'_>, root: &Value) {
    match root {
        Value::Array(items) => {
            let mut from = 1;
            for item in items {
                from = if blueprint::is_blueprint(item) {
                    blueprint::read(ctx, item, from)
                } else {
                    entity(ctx, item, from)
                };
            }
        }
        Value::Object(_) if blueprint::is_blueprint(root) => {
            blueprint::read(ctx, root, 1);
        }
        Value::Object(obj) if obj.contains_key("identifier") => {
            entity(ctx, root, 1);
        }
        Value::Object(obj) => {
            let mut from = ctx.line("blueprints", 1);
            for item in list(obj.get("blueprints")) {
                from = blueprint::read(ctx, item, from);
            }
            let mut from = ctx.line("teams", 1);
            for team in list(obj.get("teams")) {
                from = team_of(ctx, team, from);
            }
            let entities = list(obj.get("entities"));
            if entities.is_empty() && !obj.contains_key("blueprints") && !obj.contains_key("teams")
            {
                ctx.error(
                    1,
                    "not a Port file: expected an entity (with `identifier` and `blueprint`), a list of them, a blueprint, or an export with `entities`",
                );
            }
            let mut from = ctx.line("entities", 1);
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
    // Port keeps its teams in the `_team` blueprint: relations to it name `_team/<name>`.
    d.keys.push(format!("_team/{name}"));
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
    let kind = blueprint::kind_of(&blueprint);
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
    let props_line = ctx.line("properties", line);
    let properties = props
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone(), ctx.line(k, props_line)))
        .collect();
    let mut relations = Vec::new();
    if let Some(rels) = object(obj.get("relations")) {
        let rel_line = ctx.line("relations", line);
        for (name, targets) in rels {
            let listed = targets.is_array();
            let targets: Vec<(String, u32)> = list(Some(targets))
                .into_iter()
                .filter_map(|t| text(Some(t)))
                .map(|t| {
                    let at = ctx
                        .text
                        .lines()
                        .enumerate()
                        .skip(rel_line.saturating_sub(1) as usize)
                        .find(|(_, l)| l.contains(&t))
                        .map_or(rel_line, |(i, _)| i as u32 + 1);
                    (t, at)
                })
                .collect();
            relations.push(Rel {
                name: name.clone(),
                line: ctx.line(name, rel_line),
                targets,
                listed,
            });
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
    ctx.port.push(Deferred {
        draft: ctx.drafts.len(),
        identifier,
        blueprint,
        line,
        properties,
        relations,
    });
    ctx.drafts.push(d);
    next
}
