//! A Backstage entity being built from another portal's file: its metadata and spec as JSON,
//! the references still to resolve, and what became of every source field (for
//! `convert --json`).

use super::{Format, FORMAT_ANNOTATION, PREFIX, SOURCE_ID_ANNOTATION};
use crate::catalog::validate::{is_valid_key, is_valid_label_value, is_valid_name, is_valid_tag};
use serde_json::{json, Map, Value};

/// What became of one field of the source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// Written into a Backstage field.
    Mapped,
    /// Kept as an annotation (Backstage has no field for it).
    Annotation,
    /// Not representable, or dropped (said why).
    Lost,
}

/// One source field and where it went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldFate {
    /// The field in the source file, e.g. `info.x-cortex-owners`.
    pub field: String,
    /// Mapped, kept as an annotation, or lost.
    pub fate: Fate,
    /// Where it went (`spec.owner`, an annotation key) or why it was lost.
    pub to: String,
    /// The field's title in its portal, when it has one (a Port blueprint's property title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A spec field a pending reference fills once resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefField {
    /// `spec.dependsOn` (a list).
    DependsOn,
    /// `spec.system`.
    System,
    /// `spec.domain`.
    Domain,
    /// `spec.subdomainOf`.
    SubdomainOf,
    /// `spec.owner` (falls back to the written guess when unresolved).
    Owner,
    /// `spec.parent` of a Group.
    Parent,
    /// `spec.providesApis` (a list).
    ProvidesApis,
    /// `spec.consumesApis` (a list).
    ConsumesApis,
    /// `spec.subcomponentOf`.
    SubcomponentOf,
}

impl RefField {
    /// The spec key.
    pub fn key(self) -> &'static str {
        match self {
            RefField::DependsOn => "dependsOn",
            RefField::System => "system",
            RefField::Domain => "domain",
            RefField::SubdomainOf => "subdomainOf",
            RefField::Owner => "owner",
            RefField::Parent => "parent",
            RefField::ProvidesApis => "providesApis",
            RefField::ConsumesApis => "consumesApis",
            RefField::SubcomponentOf => "subcomponentOf",
        }
    }

    /// True for the fields that hold a list.
    pub fn is_list(self) -> bool {
        matches!(
            self,
            RefField::DependsOn | RefField::ProvidesApis | RefField::ConsumesApis
        )
    }
}

/// A reference to another file's entity by its identifier in the source portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRef {
    /// The spec field it fills.
    pub field: RefField,
    /// The identifier: a Cortex tag, an OpsLevel alias, a Compass ARI, a Port identifier.
    pub key: String,
    /// The kinds it may resolve to, lowercase (empty: any).
    pub kinds: &'static [&'static str],
    /// The reference to use when nothing matches, if a guess is sound (an owner); else the
    /// reference is dropped from the spec with a warning.
    pub fallback: Option<String>,
    /// The source field, for messages.
    pub source: String,
    /// Its line.
    pub line: u32,
}

/// One entity being mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The source format.
    pub format: Format,
    /// `Component`, `Group`, …
    pub kind: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata` besides name and namespace.
    pub metadata: Map<String, Value>,
    /// `spec`.
    pub spec: Map<String, Value>,
    /// The line the entity starts on.
    pub line: u32,
    /// Identifiers other files use for it (tag, aliases, ARI, identifier).
    pub keys: Vec<String>,
    /// References to resolve.
    pub refs: Vec<PendingRef>,
    /// What became of each source field.
    pub fates: Vec<FieldFate>,
    /// Identifiers of entities this one declares as its children (Cortex `x-cortex-children`,
    /// Port `components`), with their line: the edge is written on the child's side.
    pub children: Vec<(String, u32)>,
}

impl Draft {
    /// A draft of `kind` named `name` (made a valid Backstage name) in the format's namespace.
    pub fn new(format: Format, kind: &str, name: &str, line: u32) -> Draft {
        let mut draft = Draft {
            format,
            kind: kind.to_string(),
            namespace: format.namespace().to_string(),
            name: slug(name),
            metadata: Map::new(),
            spec: Map::new(),
            line,
            keys: Vec::new(),
            refs: Vec::new(),
            fates: Vec::new(),
            children: Vec::new(),
        };
        draft.annotate(FORMAT_ANNOTATION, format.name());
        draft
    }

    /// `kind:namespace/name`, lowercase as the catalog keys it.
    pub fn reference(&self) -> String {
        format!("{}:{}/{}", self.kind, self.namespace, self.name).to_lowercase()
    }

    /// Sets the source identifier annotation and indexes it for resolution.
    pub fn source_id(&mut self, id: &str) {
        self.annotate(SOURCE_ID_ANNOTATION, id);
        self.keys.push(id.to_string());
    }

    /// Records a field's fate.
    pub fn fate(&mut self, field: &str, fate: Fate, to: impl Into<String>) {
        self.fates.push(FieldFate {
            field: field.to_string(),
            fate,
            to: to.into(),
            title: None,
        });
    }

    /// Gives the last recorded fate its title in the source portal.
    pub fn titled(&mut self, title: Option<&str>) {
        if let (Some(last), Some(title)) = (self.fates.last_mut(), title) {
            last.title = Some(title.to_string());
        }
    }

    /// Sets `metadata.<key>` and records the field as mapped there.
    pub fn meta(&mut self, field: &str, key: &str, value: Value) {
        self.metadata.insert(key.to_string(), value);
        self.fate(field, Fate::Mapped, format!("metadata.{key}"));
    }

    /// Sets `spec.<key>` and records the field as mapped there.
    pub fn set(&mut self, field: &str, key: &str, value: Value) {
        self.spec.insert(key.to_string(), value);
        self.fate(field, Fate::Mapped, format!("spec.{key}"));
    }

    /// Sets an annotation (the key made valid, the value as given).
    pub fn annotate(&mut self, key: &str, value: &str) -> String {
        let key = annotation_key(key);
        let annotations = self
            .metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = annotations {
            map.insert(key.clone(), Value::String(value.to_string()));
        }
        key
    }

    /// Keeps a field with no Backstage home as `idp-tui/raw.<name>` (JSON unless a string).
    pub fn keep(&mut self, field: &str, name: &str, value: &Value) {
        if super::read::is_empty(value) {
            return;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let key = self.annotate(&format!("{PREFIX}raw.{name}"), &text);
        self.fate(field, Fate::Annotation, key);
    }

    /// Sets a label when key and value fit Backstage's label syntax; else keeps it as an
    /// annotation. Returns true when it became a label.
    pub fn label(&mut self, field: &str, key: &str, value: &str) -> bool {
        let value = value.trim();
        if is_valid_key(key) && is_valid_label_value(value) {
            let labels = self
                .metadata
                .entry("labels")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = labels {
                map.insert(key.to_string(), Value::String(value.to_string()));
            }
            self.fate(field, Fate::Mapped, format!("metadata.labels[{key}]"));
            true
        } else {
            let to = self.annotate(key, value);
            self.fate(field, Fate::Annotation, to);
            false
        }
    }

    /// Adds a tag (made valid); a value that cannot become a tag is kept as an annotation.
    pub fn tag(&mut self, field: &str, value: &str) {
        let tag = tag(value);
        if tag.is_empty() {
            self.keep(field, "tags", &Value::String(value.to_string()));
            return;
        }
        let tags = self
            .metadata
            .entry("tags")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = tags {
            if !items.iter().any(|t| t.as_str() == Some(tag.as_str())) {
                items.push(Value::String(tag));
            }
        }
        self.fate(field, Fate::Mapped, "metadata.tags");
    }

    /// Adds a link; one without a URL is lost (Backstage requires it).
    pub fn link(&mut self, field: &str, url: Option<String>, title: Option<String>, kind: &str) {
        let Some(url) = url else {
            self.fate(field, Fate::Lost, "a link without a url");
            return;
        };
        let mut link = Map::new();
        link.insert("url".into(), Value::String(url));
        if let Some(title) = title {
            link.insert("title".into(), Value::String(title));
        }
        if !kind.is_empty() {
            link.insert("type".into(), Value::String(kind.to_lowercase()));
        }
        let links = self
            .metadata
            .entry("links")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = links {
            items.push(Value::Object(link));
        }
        self.fate(field, Fate::Mapped, "metadata.links");
    }

    /// A reference to resolve in the second pass.
    pub fn pending(
        &mut self,
        field: RefField,
        key: &str,
        kinds: &'static [&'static str],
        at: (&str, u32),
    ) {
        self.refs.push(PendingRef {
            field,
            key: key.to_string(),
            kinds,
            fallback: None,
            source: at.0.to_string(),
            line: at.1,
        });
    }

    /// The entity as a Backstage document.
    pub fn to_value(&self) -> Value {
        let mut metadata = Map::new();
        metadata.insert("name".into(), Value::String(self.name.clone()));
        metadata.insert("namespace".into(), Value::String(self.namespace.clone()));
        for (k, v) in &self.metadata {
            metadata.insert(k.clone(), v.clone());
        }
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": self.kind,
            "metadata": metadata,
            "spec": self.spec,
        })
    }
}

/// A valid Backstage name from any text: letters, digits and `-_.` kept, every other run of
/// characters one `-`, trimmed to start and end with a letter or digit, at most 63 characters.
/// Empty when the text has no letter or digit.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed: String = out
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .chars()
        .take(63)
        .collect();
    let trimmed = trimmed.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
    debug_assert!(trimmed.is_empty() || is_valid_name(trimmed));
    trimmed.to_string()
}

/// A valid Backstage tag from any text: lowercase, every run of other characters one `-`;
/// empty when nothing is left.
pub fn tag(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '+' | '#') {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let tag: String = out.trim_end_matches('-').chars().take(63).collect();
    let tag = tag.trim_end_matches('-').to_string();
    if is_valid_tag(&tag) {
        tag
    } else {
        String::new()
    }
}

/// An annotation key made valid: its name part (after the last `/`) slugged.
fn annotation_key(key: &str) -> String {
    if is_valid_key(key) {
        return key.to_string();
    }
    match key.rsplit_once('/') {
        Some((prefix, name)) => {
            let name = slug(name);
            let name = if name.is_empty() {
                "value".into()
            } else {
                name
            };
            format!("{prefix}/{name}")
        }
        None => slug(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_tags_are_made_valid() {
        assert_eq!(slug("Order Workflow Service"), "Order-Workflow-Service");
        assert_eq!(slug("  --café!!x-- "), "caf-x");
        assert_eq!(slug("ünïcödé"), "n-c-d");
        assert_eq!(slug("!!!"), "");
        assert_eq!(slug(&"a".repeat(100)).len(), 63);
        assert_eq!(tag("Exposure:External Ship"), "exposure:external-ship");
        assert_eq!(tag("Go"), "go");
        assert_eq!(tag("___"), "");
        assert_eq!(
            annotation_key("idp-tui/meta.Cost Center"),
            "idp-tui/meta.Cost-Center"
        );
    }
}
