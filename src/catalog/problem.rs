//! Problems found while loading and checking a catalog: each names where it is and what is
//! wrong, so a user can fix it.

use super::EntityRef;
use std::fmt;
use std::sync::Arc;

/// How bad a problem is: errors fail `validate`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The entity (or document, or file) is wrong and was not loaded as written.
    Error,
    /// Something looks off, but the entity is still in the catalog.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// Where an entity or problem comes from: a file (or URL) and a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The file path, `embedded:…` for the demo compiled into the binary, or a server URL.
    pub path: Arc<str>,
    /// The 1-based line, when known.
    pub line: Option<u32>,
}

impl Origin {
    /// An origin at a line of a file.
    pub fn new(path: impl Into<Arc<str>>, line: Option<u32>) -> Self {
        Self {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// One thing wrong with the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file and line, when known.
    pub origin: Option<Origin>,
    /// The entity concerned, when known.
    pub entity: Option<EntityRef>,
    /// What is wrong, in words a catalog author can act on.
    pub message: String,
    /// The field the problem is about, while its line is not known yet: the file source
    /// moves the origin to the field's line and clears it (see `documents::locate_fields`).
    pub field: Option<Field>,
}

/// A field of a document: a JSON pointer (`/spec/owner`, `/metadata/links/0`), and for an
/// item of a list of strings whose order the catalog changes (`dependsOn` is sorted), the
/// item's text instead of its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The pointer, each segment escaped as RFC 6901 says (`~` as `~0`, `/` as `~1`).
    pub pointer: Box<str>,
    /// The text of the item of the list at `pointer` the problem is about.
    pub item: Option<Box<str>>,
}

impl Field {
    /// The field at these keys (or list indices written as numbers).
    pub fn at(segments: &[&str]) -> Field {
        Field {
            pointer: pointer(segments).into_boxed_str(),
            item: None,
        }
    }

    /// The item of the list at `segments` whose text is `item`.
    pub fn item(segments: &[&str], item: &str) -> Field {
        Field {
            item: Some(item.into()),
            ..Field::at(segments)
        }
    }
}

/// A JSON pointer made of `segments`, each escaped (`~` as `~0`, `/` as `~1`).
pub fn pointer(segments: &[&str]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    }
    out
}

impl Problem {
    /// An error at an origin.
    pub fn error(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            origin,
            entity: None,
            message: message.into(),
            field: None,
        }
    }

    /// A warning at an origin.
    pub fn warning(origin: Option<Origin>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(origin, message)
        }
    }

    /// The same problem, about a field of its document (its line is found where the file was
    /// read).
    pub fn at_field(mut self, field: Field) -> Self {
        self.field = Some(field);
        self
    }

    /// The same problem, attributed to an entity.
    pub fn with_entity(mut self, entity: EntityRef) -> Self {
        self.entity = Some(entity);
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        write!(f, "{}: ", self.severity)?;
        if let Some(entity) = &self.entity {
            write!(f, "{entity}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Problem", 5)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("path", &self.origin.as_ref().map(|o| &*o.path))?;
        st.serialize_field("line", &self.origin.as_ref().and_then(|o| o.line))?;
        st.serialize_field("ref", &self.entity)?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
}
