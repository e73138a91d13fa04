//! Atlassian Compass `compass.yml`: one component per file, identified by its ARI (`id`), with
//! dependencies on other components by ARI (resolved across files in the second pass).

use super::draft::{slug, Fate, RefField};
use super::read::{list, object, text, Ctx};
use serde_json::Value;

/// The keys [`map`] knows; every other one is kept as `idp-tui/raw.<key>`.
const KNOWN: [&str; 10] = [
    "configVersion",
    "name",
    "id",
    "description",
    "typeId",
    "ownerId",
    "fields",
    "links",
    "relationships",
    "labels",
];

/// How a team map entry is keyed among the identifiers of the second pass: apart from
/// component ARIs.
pub(super) const TEAM_PREFIX: &str = "team:";

/// A team id as the map keys it: the last `/` segment of the ARI (the team's uuid, the same in
/// `ari:cloud:teams::team/…` and `ari:cloud:identity::team/…`), lowercase.
fn team_key(id: &str) -> String {
    id.trim().rsplit('/').next().unwrap_or(id).to_lowercase()
}

/// True for a Compass team map file, `compass-teams.yaml` (or `.yml`).
pub(super) fn is_team_map(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    matches!(name, "compass-teams.yaml" | "compass-teams.yml")
}

/// Reads a team map: `<team ARI or uuid>: <group reference>` per line (`group:default/payments`,
/// or a bare group name in the `default` namespace). A value that is not a group reference is
/// an error at its line, and its entry is skipped.
pub(super) fn teams(ctx: &mut Ctx<'_>, root: &Value) {
    let Some(map) = root.as_object() else {
        if !super::read::is_empty(root) {
            ctx.error(
                1,
                "not a Compass team map: expected `<team id>: <group reference>` lines",
            );
        }
        return;
    };
    for (id, group) in map {
        let at = ctx.line(id, 1);
        let parsed = text(Some(group))
            .and_then(|g| crate::catalog::EntityRef::parse(&g, Some("group"), "default").ok());
        match parsed.filter(|r| r.kind().eq_ignore_ascii_case("group")) {
            Some(group) => ctx.teams.push((team_key(id), group.to_string())),
            None => ctx.error(
                at,
                format!("team {id:?}: {group} is not a group reference (such as group:default/payments)"),
            ),
        }
    }
}

/// Maps one `compass.yml`.
pub(super) fn map(ctx: &mut Ctx<'_>, root: &Value) {
    let Some(root) = root.as_object() else {
        ctx.error(
            1,
            "not a Compass file: expected a mapping with `name` and `typeId`",
        );
        return;
    };
    let Some(name) = text(root.get("name")) else {
        let line = ctx.line("name", 1);
        ctx.error(
            line,
            "`name` is missing or empty: a Compass component needs a name; the file was not read",
        );
        return;
    };
    if slug(&name).is_empty() {
        let line = ctx.line("name", 1);
        ctx.error(
            line,
            format!("name {name:?} has no letter or digit to make a Backstage name of"),
        );
        return;
    }
    if let Some(v) = text(root.get("configVersion")).filter(|v| v != "1") {
        let line = ctx.line("configVersion", 1);
        ctx.warn(
            line,
            format!("configVersion {v:?}: only version 1 is known; read as version 1"),
        );
    }
    let line = ctx.line("name", 1);
    // Compass names are display names ("Storefront Web"): the entity name is their lowercase slug.
    let mut d = ctx.draft("Component", &name.to_lowercase(), 1);
    d.fate("name", Fate::Mapped, "metadata.name");
    d.meta("name", "title", Value::String(name.clone()));
    if let Some(id) = text(root.get("id")) {
        d.source_id(&id);
        d.annotate("compass.atlassian.com/component-id", &id);
        d.fate("id", Fate::Mapped, "compass.atlassian.com/component-id");
    }
    if let Some(desc) = text(root.get("description")) {
        d.meta("description", "description", Value::String(desc));
    }
    let type_id = text(root.get("typeId")).unwrap_or_else(|| {
        let at = ctx.line("typeId", line);
        ctx.warn(at, "`typeId` is missing: read as OTHER");
        "OTHER".into()
    });
    let spec_type = match type_id.to_uppercase().as_str() {
        "SERVICE" => "service".to_string(),
        "LIBRARY" => "library".to_string(),
        "APPLICATION" => "website".to_string(),
        "OTHER" => "other".to_string(),
        other => slug(&other.to_lowercase()),
    };
    d.set("typeId", "type", Value::String(spec_type));
    match text(root.get("ownerId")) {
        Some(owner) => {
            let uuid = team_key(&owner);
            let short: String = uuid
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(8)
                .collect();
            let placeholder = format!("group:compass/team-{short}");
            // A team id cannot be looked up offline: a `compass-teams.yaml` read with the
            // files maps it to a Backstage group (in the second pass); without one it is a
            // placeholder Group name a Backstage file (or a real Group) can define.
            let at = ctx.line("ownerId", line);
            d.pending(
                RefField::Owner,
                &format!("{TEAM_PREFIX}{uuid}"),
                &["group"],
                ("ownerId", at),
            );
            if let Some(last) = d.refs.last_mut() {
                last.fallback = Some(placeholder);
            }
            d.annotate("idp-tui/owner-id", &owner);
        }
        None => d.fate("ownerId", Fate::Lost, "null: no owner"),
    }
    let fields = object(root.get("fields"));
    if let Some(tier) = fields.and_then(|f| text(f.get("tier"))) {
        d.label("fields.tier", "compass.atlassian.com/tier", &tier);
    }
    let lifecycle = match fields.and_then(|f| text(f.get("lifecycle"))) {
        Some(lc) => {
            let mapped = match lc.to_lowercase().as_str() {
                "active" => "production",
                "pre-release" => "experimental",
                "deprecated" => "deprecated",
                _ => "unknown",
            };
            d.label(
                "fields.lifecycle",
                "compass.atlassian.com/lifecycle",
                &slug(&lc),
            );
            mapped
        }
        None => "unknown",
    };
    d.spec
        .insert("lifecycle".into(), Value::String(lifecycle.into()));
    if let Some(fields) = fields {
        for (k, v) in fields
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "tier" | "lifecycle"))
        {
            d.keep(&format!("fields.{k}"), &format!("field.{k}"), v);
        }
    }
    let mut repo_seen = false;
    for link in list(root.get("links")) {
        let kind = text(link.get("type")).unwrap_or_else(|| "OTHER_LINK".into());
        let url = text(link.get("url"));
        if kind.eq_ignore_ascii_case("REPOSITORY") && !repo_seen {
            if let Some(url) = &url {
                repo_seen = true;
                d.annotate("backstage.io/source-location", &format!("url:{url}"));
                if let Some(rest) = url.strip_prefix("https://github.com/") {
                    let slug_: Vec<&str> =
                        rest.trim_end_matches(".git").split('/').take(2).collect();
                    if slug_.len() == 2 {
                        d.annotate("github.com/project-slug", &slug_.join("/"));
                    }
                }
                d.fate("links", Fate::Mapped, "backstage.io/source-location");
                continue;
            }
        }
        let title = text(link.get("name")).or_else(|| Some(kind.to_lowercase().replace('_', " ")));
        d.link("links", url, title, &kind);
    }
    let rel_line = ctx.line("relationships", line);
    match root.get("relationships") {
        Some(Value::Object(rels)) => {
            for (kind, targets) in rels {
                let field = format!("relationships.{kind}");
                if kind == "DEPENDS_ON" {
                    for ari in list(Some(targets))
                        .into_iter()
                        .filter_map(|t| text(Some(t)))
                    {
                        let at = ctx
                            .text
                            .lines()
                            .enumerate()
                            .skip(rel_line as usize)
                            .find(|(_, l)| l.contains(&ari))
                            .map_or(rel_line, |(i, _)| i as u32 + 1);
                        d.pending(RefField::DependsOn, &ari, &[], (&field, at));
                    }
                } else {
                    d.keep(&field, &format!("relationships.{kind}"), targets);
                }
            }
        }
        Some(other) if !super::read::is_empty(other) => {
            d.keep("relationships", "relationships", other)
        }
        _ => {}
    }
    for label in list(root.get("labels"))
        .into_iter()
        .filter_map(|l| text(Some(l)))
    {
        d.tag("labels", &label);
    }
    for field in list(root.get("customFields")) {
        let Some(name) = text(field.get("name")) else {
            continue;
        };
        match field.get("value") {
            None | Some(Value::Null) => d.fate(&format!("customFields.{name}"), Fate::Lost, "null"),
            Some(value) => {
                let v = match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let key = d.annotate(&format!("compass.atlassian.com/field.{}", slug(&name)), &v);
                d.fate(&format!("customFields.{name}"), Fate::Annotation, key);
            }
        }
    }
    for (key, value) in root {
        if !KNOWN.contains(&key.as_str()) && key != "customFields" {
            d.keep(key, key, value);
        }
    }
    ctx.drafts.push(d);
}
