//! The second pass over Port files: once every file is parsed, the blueprints of all of them
//! are gathered and each Port entity's properties and relations are mapped — by its blueprint
//! when it is among them (a relation means what its target blueprint is; a property is checked
//! against its declared type), by their names when not.

use super::blueprint::{self, Blueprint, Meaning};
use super::draft::{slug, Fate, RefField};
use super::port::Deferred;
use super::read::{list, object, text};
use super::{Draft, Format, Parsed};
use crate::catalog::{Origin, Problem};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The second pass over Port files: the blueprints of every file are gathered (the first of
/// an identifier wins), then each entity's properties and relations are mapped with its
/// blueprint when there is one, by their names when not.
pub(super) fn settle(files: &mut [Parsed]) {
    let mut blueprints: HashMap<String, Blueprint> = HashMap::new();
    for file in files.iter_mut() {
        for bp in std::mem::take(&mut file.blueprints) {
            match blueprints.get(&bp.identifier.to_lowercase()) {
                Some(first) => {
                    let message = format!(
                        "blueprint {} is also defined in {}:{}: this one is ignored",
                        bp.identifier, first.path, first.line
                    );
                    file.problems.push(Problem::warning(
                        Some(Origin::new(bp.path.clone(), Some(bp.line))),
                        message,
                    ));
                }
                None => {
                    blueprints.insert(bp.identifier.to_lowercase(), bp);
                }
            }
        }
    }
    // (file, line, child key, the system's key): a System listing its parts.
    let mut parts: Vec<(usize, u32, String, String)> = Vec::new();
    for (index, file) in files.iter_mut().enumerate() {
        let mut s = Settle {
            path: file.path.clone(),
            problems: Vec::new(),
            blueprints: &blueprints,
        };
        for deferred in std::mem::take(&mut file.port) {
            let Some(d) = file.drafts.get_mut(deferred.draft) else {
                continue;
            };
            let bp = blueprints.get(&deferred.blueprint.to_lowercase());
            if bp.is_none() && !blueprints.is_empty() {
                // Said in the report, not as a warning: a catalog may hold blueprints for a
                // few of its entities only.
                if let Some(f) = d.fates.iter_mut().find(|f| f.field == "blueprint") {
                    f.to = "kind (the blueprint is not among those read: properties and relations mapped by their names)".into();
                }
            }
            s.properties(d, &deferred, bp);
            for (line, child, system) in s.relations(d, &deferred, bp) {
                parts.push((index, line, child, system));
            }
        }
        file.problems.extend(s.problems);
    }
    if parts.is_empty() {
        return;
    }
    // Each Port entity by its keys (case folded): (file, draft).
    let mut by_key: HashMap<String, (usize, usize)> = HashMap::new();
    for (f, file) in files.iter().enumerate() {
        for (i, d) in file.drafts.iter().enumerate() {
            if d.format == Format::Port {
                for k in &d.keys {
                    by_key.entry(k.to_lowercase()).or_insert((f, i));
                }
            }
        }
    }
    for (index, line, child, system) in parts {
        let found = by_key
            .get(&child.to_lowercase())
            .and_then(|&(f, i)| files.get_mut(f)?.drafts.get_mut(i));
        match found {
            Some(d) if d.refs.iter().any(|r| r.field == RefField::System) => {}
            Some(d) => d.pending(RefField::System, &system, &["system"], ("relations", line)),
            None => {
                if let Some(file) = files.get_mut(index) {
                    let message = format!(
                        "dangling reference: the system {system:?} lists {child:?}, which matches no port entity in the files read"
                    );
                    let origin = Some(Origin::new(file.path.clone(), Some(line)));
                    file.problems.push(Problem::warning(origin, message));
                }
            }
        }
    }
}

/// The state of the second pass over one file.
struct Settle<'b> {
    path: Arc<str>,
    problems: Vec<Problem>,
    blueprints: &'b HashMap<String, Blueprint>,
}

impl Settle<'_> {
    fn warn(&mut self, line: u32, message: String) {
        let origin = Some(Origin::new(self.path.clone(), Some(line)));
        self.problems.push(Problem::warning(origin, message));
    }

    fn error(&mut self, line: u32, message: String) {
        let origin = Some(Origin::new(self.path.clone(), Some(line)));
        self.problems.push(Problem::error(origin, message));
    }

    /// Maps an entity's relations: by the target blueprint its own blueprint declares for
    /// each, else by the relation's name. Returns the parts a System lists (line, the part's
    /// key, the system's key), written on the parts' side once every draft is known.
    fn relations(
        &mut self,
        d: &mut Draft,
        e: &Deferred,
        bp: Option<&Blueprint>,
    ) -> Vec<(u32, String, String)> {
        let mut parts = Vec::new();
        let kind = d.kind.clone();
        if let Some(bp) = bp {
            for (name, def) in &bp.relations {
                let set = e
                    .relations
                    .iter()
                    .any(|r| r.name == *name && !r.targets.is_empty());
                if def.required && !set {
                    self.error(
                        e.line,
                        format!(
                            "{}: relation `{name}` is required by blueprint {}, and not set (Port would reject the entity)",
                            e.identifier, bp.identifier
                        ),
                    );
                }
            }
        }
        for rel in &e.relations {
            let field = format!("relations.{}", rel.name);
            let declared = bp.and_then(|bp| bp.relations.get(&rel.name).map(|def| (bp, def)));
            if let (Some(bp), None) = (bp, declared) {
                self.warn(
                    rel.line,
                    format!(
                        "{}: relation `{}` is not declared by blueprint {}: mapped by its name",
                        e.identifier, rel.name, bp.identifier
                    ),
                );
            }
            let (meaning, target_blueprint) = match declared {
                Some((_, def)) => {
                    if !def.many && (rel.listed && rel.targets.len() > 1) {
                        self.error(
                            rel.line,
                            format!(
                                "{}: relation `{}` holds {} targets, but its blueprint allows one (`many: false`)",
                                e.identifier,
                                rel.name,
                                rel.targets.len()
                            ),
                        );
                    }
                    // Port's own blueprints (`_team`, `_user`) exist in every account.
                    let builtin = def.target.starts_with('_');
                    if !builtin && !self.blueprints.contains_key(&def.target.to_lowercase()) {
                        self.warn(
                            rel.line,
                            format!(
                                "{}: relation `{}` targets blueprint {}, which is not among the blueprints read: its targets are taken as {} entities",
                                e.identifier,
                                rel.name,
                                def.target,
                                blueprint::kind_of(&def.target)
                            ),
                        );
                    }
                    let m = blueprint::meaning(&kind, &rel.name, def.title.as_deref(), &def.target);
                    (m, Some(def.target.as_str()))
                }
                None => (by_name(&kind, &rel.name), None),
            };
            match meaning {
                Meaning::Kept(why) => {
                    let targets: Vec<&str> = rel.targets.iter().map(|(t, _)| t.as_str()).collect();
                    if !targets.is_empty() {
                        d.keep(&field, &field, &json!(targets));
                        if declared.is_some() {
                            d.titled(Some(why));
                        }
                    }
                }
                Meaning::PartOf => {
                    let system = d.keys.first().cloned().unwrap_or_default();
                    for (target, line) in &rel.targets {
                        let child = match target_blueprint {
                            Some(tb) => format!("{tb}/{target}"),
                            None => target.clone(),
                        };
                        parts.push((*line, child, system.clone()));
                    }
                    d.fate(&field, Fate::Mapped, "spec.system of each target");
                }
                Meaning::Field(ref_field, kinds) => {
                    for (target, line) in &rel.targets {
                        let key = match target_blueprint {
                            Some(tb) => format!("{tb}/{target}"),
                            None => target.clone(),
                        };
                        d.pending(ref_field, &key, kinds, (&field, *line));
                        if ref_field == RefField::Owner {
                            if let Some(last) = d.refs.last_mut() {
                                let kind = kinds.first().copied().unwrap_or("group");
                                last.fallback = Some(format!("{kind}:port/{}", slug(target)));
                            }
                        }
                    }
                }
            }
        }
        parts
    }

    /// Maps an entity's properties. With a blueprint, each value is checked against its
    /// declared type (a mismatch is an error at its line), a `format: url` property becomes a
    /// link titled with the property's title, and kept properties carry their titles.
    fn properties(&mut self, d: &mut Draft, e: &Deferred, bp: Option<&Blueprint>) {
        if let Some(bp) = bp {
            for key in &bp.required {
                let set = e
                    .properties
                    .iter()
                    .any(|(k, v, _)| k == key && !v.is_null());
                if !set {
                    self.error(
                        e.line,
                        format!(
                            "{}: property `{key}` is required by blueprint {}, and not set (Port would reject the entity)",
                            e.identifier, bp.identifier
                        ),
                    );
                }
            }
        }
        let kind = d.kind.clone();
        let mut undeclared = Vec::new();
        let mut titles = serde_json::Map::new();
        for (key, value, line) in &e.properties {
            let def = bp.and_then(|bp| bp.properties.get(key));
            if let (Some(bp), Some(def)) = (bp, def) {
                if let Some(why) = blueprint::mismatch(def, value) {
                    self.error(
                        *line,
                        format!(
                            "{}: property `{key}` {why} (blueprint {}); Port would reject the entity",
                            e.identifier, bp.identifier
                        ),
                    );
                }
            } else if bp.is_some() && !value.is_null() {
                undeclared.push(key.as_str());
            }
            // The fates this property recorded (none for an empty value) carry its title.
            let before = d.fates.len();
            property(d, key, value, &kind, def);
            if let Some(title) = def.and_then(|p| p.title.as_deref()) {
                for fate in d.fates.iter_mut().skip(before) {
                    fate.title = Some(title.to_string());
                    if fate.fate == Fate::Annotation {
                        titles.insert(fate.to.clone(), Value::String(title.to_string()));
                    }
                }
            }
        }
        if !titles.is_empty() {
            let text = Value::Object(titles).to_string();
            d.annotate(super::PORT_TITLES_ANNOTATION, &text);
        }
        if let (Some(bp), false) = (bp, undeclared.is_empty()) {
            self.warn(
                e.line,
                format!(
                    "{}: {} {} {} not declared by blueprint {}",
                    e.identifier,
                    if undeclared.len() == 1 {
                        "property"
                    } else {
                        "properties"
                    },
                    undeclared.join(", "),
                    if undeclared.len() == 1 { "is" } else { "are" },
                    bp.identifier
                ),
            );
        }
    }
}

/// What a relation means when no blueprint declares it: by its name, as
/// `port-labs/backstage-import` names them.
fn by_name(kind: &str, name: &str) -> Meaning {
    let lower = name.to_lowercase();
    match lower.as_str() {
        "system" => Meaning::Field(RefField::System, &["system"]),
        "domain" if kind == "System" => Meaning::Field(RefField::Domain, &["domain"]),
        "providesapi" | "providesapis" => Meaning::Field(RefField::ProvidesApis, &["api"]),
        "consumesapi" | "consumesapis" => Meaning::Field(RefField::ConsumesApis, &["api"]),
        "subcomponentof" => Meaning::Field(RefField::SubcomponentOf, &["component"]),
        "owninggroup" | "owner" | "_team" => Meaning::Field(RefField::Owner, &["group"]),
        l if (l.starts_with("dependson") || l == "components" || l == "resources")
            && matches!(kind, "Component" | "Resource") =>
        {
            Meaning::Field(RefField::DependsOn, &["component", "resource"])
        }
        _ => Meaning::Kept("no Backstage field for this relation name"),
    }
}

/// Maps one property: the ones Backstage has fields for are mapped, URLs (and properties the
/// blueprint declares `format: url`) become links, the rest are `port.io/property.<key>`
/// annotations. The caller titles the fates it records (none for an empty value).
fn property(
    d: &mut Draft,
    key: &str,
    value: &Value,
    kind: &str,
    def: Option<&blueprint::Property>,
) {
    let title = def.and_then(|p| p.title.as_deref());
    let field = format!("properties.{key}");
    if value.is_null() {
        d.fate(&field, Fate::Lost, "null");
        return;
    }
    match key {
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
        _ => {
            let url_format = def.is_some_and(|p| p.format.as_deref() == Some("url"));
            match value {
                Value::String(s)
                    if s.starts_with("https://")
                        || s.starts_with("http://")
                        || (url_format && s.contains("://")) =>
                {
                    let title = title.unwrap_or(key);
                    d.link(&field, Some(s.clone()), Some(title.to_string()), "");
                }
                Value::String(s) => {
                    let k = d.annotate(&format!("port.io/property.{key}"), s);
                    d.fate(&field, Fate::Annotation, k);
                }
                other => {
                    let k = d.annotate(&format!("port.io/property.{key}"), &other.to_string());
                    d.fate(&field, Fate::Annotation, k);
                }
            }
        }
    }
}
