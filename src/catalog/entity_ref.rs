//! Entity references: `[kind:][namespace/]name`, parsed once into a canonical form.
//!
//! Follows Backstage's `parseEntityRef`: the kind ends at the first `:` (unless a `/` comes
//! first), the namespace at the first `/`; any part that is present must not be empty. The
//! canonical form is all lowercase, so references compare case-insensitively.

use std::fmt;

/// The namespace entities live in when they do not name one.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A canonical, lowercase reference to an entity: `kind:namespace/name`.
///
/// Stored as one shared string with the two separator offsets, so refs are cheap to hash and
/// compare, and a clone (the catalog's index key, an unresolved edge's target) copies no text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityRef {
    text: std::sync::Arc<str>,
    colon: u32,
    slash: u32,
}

/// Longest reference accepted, in bytes of its canonical form.
const MAX_REF_LEN: usize = 1024;

/// Why a string is not an entity reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// The reference is empty or has an empty kind, namespace or name.
    #[error("entity reference {0:?} is not of the form [<kind>:][<namespace>/]<name>")]
    Malformed(String),
    /// No kind was written and the field has no default kind.
    #[error("entity reference {0:?} has no kind (write it as e.g. \"component:{0}\")")]
    MissingKind(String),
    /// A part holds characters no kind, namespace or name can hold.
    #[error("entity reference {0:?} has an invalid {1}")]
    InvalidPart(String, &'static str),
    /// The reference is implausibly long.
    #[error("entity reference is too long ({0} characters)")]
    TooLong(usize),
}

impl EntityRef {
    /// Builds a reference from parts that are already known to be well formed.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        let mut text = String::with_capacity(kind.len() + namespace.len() + name.len() + 2);
        canonical_into(kind, namespace, name, &mut text);
        Self::from_canonical(text)
    }

    /// A reference from text already in canonical form (as [`EntityRef::parse_into`] writes
    /// it): only the separators are found.
    pub(crate) fn from_canonical(text: impl Into<std::sync::Arc<str>>) -> Self {
        let text = text.into();
        // Lowercasing can change byte lengths for non-ASCII text, so find the separators again.
        let colon = text.find(':').unwrap_or(0);
        let after = text.get(colon + 1..).and_then(|rest| rest.find('/'));
        let slash = after.map_or(colon, |i| colon + 1 + i);
        Self {
            colon: colon as u32,
            slash: slash as u32,
            text,
        }
    }

    /// Parses a reference written in an entity's spec, filling in the default kind of the field
    /// (`None` when the field has none, as for `dependsOn`) and the referring entity's namespace.
    pub fn parse(
        input: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
    ) -> Result<Self, RefError> {
        let mut text = String::new();
        Self::parse_into(input, default_kind, default_namespace, &mut text)?;
        Ok(Self::from_canonical(text))
    }

    /// Parses as [`EntityRef::parse`] does, appending the canonical text to `out` instead of
    /// allocating a reference (the catalog looks targets up by that text; on an error `out` is
    /// left as it was).
    pub(crate) fn parse_into(
        input: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
        out: &mut String,
    ) -> Result<(), RefError> {
        let (kind, namespace, name) = split(input)?;
        let kind = kind
            .or(default_kind)
            .ok_or_else(|| RefError::MissingKind(input.trim().to_string()))?;
        if !is_valid_kind(kind) {
            return Err(RefError::InvalidPart(input.trim().to_string(), "kind"));
        }
        let start = out.len();
        canonical_into(kind, namespace.unwrap_or(default_namespace), name, out);
        // Lowercasing can lengthen text: bound the canonical form, so it always parses back.
        let len = out.len() - start;
        if len > MAX_REF_LEN {
            out.truncate(start);
            return Err(RefError::TooLong(len));
        }
        Ok(())
    }

    /// Parses a reference a person typed, such as `payments-api` or `component:payments-api`:
    /// the kind may be missing (it is returned as `None`, lowercased otherwise) and the
    /// namespace defaults to `default`.
    pub fn parse_loose(input: &str) -> Result<(Option<String>, String, String), RefError> {
        let (kind, namespace, name) = split(input)?;
        if kind.is_some_and(|k| !is_valid_kind(k)) {
            return Err(RefError::InvalidPart(input.trim().to_string(), "kind"));
        }
        Ok((
            kind.map(str::to_lowercase),
            namespace.unwrap_or(DEFAULT_NAMESPACE).to_lowercase(),
            name.to_lowercase(),
        ))
    }

    /// The lowercase kind, e.g. `component`.
    pub fn kind(&self) -> &str {
        self.text.get(..self.colon as usize).unwrap_or_default()
    }

    /// The lowercase namespace, e.g. `default`.
    pub fn namespace(&self) -> &str {
        self.text
            .get(self.colon as usize + 1..self.slash as usize)
            .unwrap_or_default()
    }

    /// The lowercase name.
    pub fn name(&self) -> &str {
        self.text.get(self.slash as usize + 1..).unwrap_or_default()
    }

    /// The canonical string, `kind:namespace/name`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The shortest form that still names the entity from the default namespace:
    /// `component:payments-api` rather than `component:default/payments-api`.
    pub fn short(&self) -> String {
        if self.namespace() == DEFAULT_NAMESPACE {
            format!("{}:{}", self.kind(), self.name())
        } else {
            self.text.to_string()
        }
    }
}

/// Appends the canonical text of a reference, `kind:namespace/name` lowercased.
fn canonical_into(kind: &str, namespace: &str, name: &str, out: &mut String) {
    let start = out.len();
    for (part, sep) in [(kind, ":"), (namespace, "/"), (name, "")] {
        out.push_str(part);
        out.push_str(sep);
    }
    match out.get_mut(start..) {
        // The common case: lowercased in place.
        Some(tail) if tail.is_ascii() => tail.make_ascii_lowercase(),
        Some(tail) => {
            let lower = tail.to_lowercase();
            out.truncate(start);
            out.push_str(&lower);
        }
        None => {}
    }
}

/// Splits `[kind:][namespace/]name` into its parts.
fn split(input: &str) -> Result<(Option<&str>, Option<&str>, &str), RefError> {
    let input = input.trim();
    if input.len() > MAX_REF_LEN {
        return Err(RefError::TooLong(input.len()));
    }
    let mut colon = input.find(':');
    let slash = input.find('/');
    if let (Some(s), Some(c)) = (slash, colon) {
        if s < c {
            colon = None;
        }
    }
    let kind = colon.map(|c| input.get(..c).unwrap_or_default());
    let namespace = slash.map(|s| input.get(colon.map_or(0, |c| c + 1)..s).unwrap_or_default());
    let name_start = colon.map_or(0, |c| c + 1).max(slash.map_or(0, |s| s + 1));
    let name = input.get(name_start..).unwrap_or_default();
    if kind == Some("") || namespace == Some("") || name.is_empty() {
        return Err(RefError::Malformed(input.to_string()));
    }
    if input.chars().any(char::is_control) {
        return Err(RefError::InvalidPart(input.to_string(), "character"));
    }
    // Like Backstage, the parts are not checked against the naming rules here: a reference to
    // a name no entity can have simply resolves to nothing and is reported as dangling.
    Ok((kind, namespace, name))
}

/// Kinds are letters and digits (Backstage: `^[a-zA-Z][a-z0-9A-Z]*$`, at most 63 characters).
pub fn is_valid_kind(kind: &str) -> bool {
    let mut chars = kind.chars();
    kind.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

// The separators follow from the text, so the text alone is hashed: a reference hashes (and
// compares) as its canonical string, and maps keyed by references can be searched by `&str`.
impl std::hash::Hash for EntityRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl std::borrow::Borrow<str> for EntityRef {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntityRef({})", self.text)
    }
}

impl serde::Serialize for EntityRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for EntityRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s, None, DEFAULT_NAMESPACE).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str, kind: Option<&str>) -> Result<String, RefError> {
        EntityRef::parse(s, kind, "default").map(|r| r.to_string())
    }

    #[test]
    fn full_ref_is_lowercased_canonical() {
        assert_eq!(
            p("Component:Default/Payments-API", None).unwrap(),
            "component:default/payments-api"
        );
    }

    #[test]
    fn missing_parts_take_field_defaults() {
        assert_eq!(p("team-a", Some("group")).unwrap(), "group:default/team-a");
        assert_eq!(
            p("user:guest", Some("group")).unwrap(),
            "user:default/guest"
        );
        assert_eq!(
            EntityRef::parse("team-a", Some("group"), "alternative")
                .unwrap()
                .to_string(),
            "group:alternative/team-a"
        );
        assert_eq!(
            p("default/team-a", Some("group")).unwrap(),
            "group:default/team-a"
        );
    }

    #[test]
    fn depends_on_without_kind_is_an_error() {
        assert!(matches!(
            p("artists-db", None),
            Err(RefError::MissingKind(_))
        ));
    }

    #[test]
    fn empty_parts_are_malformed() {
        for bad in ["", ":x", "x:", "/x", "k:/x", "k:ns/"] {
            assert!(p(bad, Some("group")).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn odd_syntax_splits_as_backstage_does() {
        // kind ends at the first colon, namespace at the first slash after it.
        let r = EntityRef::parse("a:b:c/d/e", None, "default").unwrap();
        assert_eq!((r.kind(), r.namespace(), r.name()), ("a", "b:c", "d/e"));
        // A colon after the first slash belongs to the name.
        let r = EntityRef::parse("ns/na:me", Some("group"), "default").unwrap();
        assert_eq!(
            (r.kind(), r.namespace(), r.name()),
            ("group", "ns", "na:me")
        );
        // An email as owner (as Backstage's own templates write) is a ref to a missing group.
        assert_eq!(
            p("web@example.com", Some("group")).unwrap(),
            "group:default/web@example.com"
        );
        assert!(p("bad\u{1b}name", Some("group")).is_err());
        assert!(p("component:has space", None).is_ok());
    }

    #[test]
    fn canonical_form_of_a_long_non_ascii_ref_parses_back() {
        // Found by fuzzing: 'İ' lowercases to two characters, lengthening the ref.
        let input = "İ".repeat(400);
        if let Ok(r) = EntityRef::parse(&input, Some("group"), "default") {
            assert_eq!(EntityRef::parse(r.as_str(), None, "default").unwrap(), r);
        }
        let long = format!("group:default/{}", "İ".repeat(600));
        assert!(matches!(
            EntityRef::parse(&long, None, "default"),
            Err(RefError::TooLong(_))
        ));
    }

    #[test]
    fn very_long_entity_names_keep_their_parts() {
        let name = "n".repeat(70_000);
        let r = EntityRef::new("component", "default", &name);
        assert_eq!(r.name().len(), 70_000);
        assert_eq!(r.namespace(), "default");
    }

    #[test]
    fn a_map_of_refs_is_searched_by_canonical_text() {
        let r = EntityRef::parse("Component:Ops/Payments-API", None, "default").unwrap();
        let map: foldhash::HashMap<EntityRef, u32> = [(r.clone(), 7)].into_iter().collect();
        assert_eq!(map.get("component:ops/payments-api"), Some(&7));
        assert_eq!(map.get("component:ops/payments"), None);
        let back = EntityRef::from_canonical(r.as_str());
        assert_eq!(back, r);
        assert_eq!(
            (back.kind(), back.namespace(), back.name()),
            ("component", "ops", "payments-api")
        );
    }

    #[test]
    fn parts_are_accessible() {
        let r = EntityRef::parse("API:Prod/Orders", None, "default").unwrap();
        assert_eq!(
            (r.kind(), r.namespace(), r.name()),
            ("api", "prod", "orders")
        );
        assert_eq!(r.short(), "api:prod/orders");
        let d = EntityRef::new("api", "default", "orders");
        assert_eq!(d.short(), "api:orders");
    }

    #[test]
    fn loose_parse_leaves_kind_open() {
        assert_eq!(
            EntityRef::parse_loose("orders").unwrap(),
            (None, "default".into(), "orders".into())
        );
        assert_eq!(
            EntityRef::parse_loose("api:orders").unwrap().0.as_deref(),
            Some("api")
        );
    }
}
