//! Drafts: a half-filled form's values (never secrets), so a dropped SSH connection or a crash
//! loses nothing. One JSON file per template in `state_dir()/drafts/`, written atomically (a
//! temporary file, synced, renamed over the old one). A change becomes a [`DraftOp`] on the UI
//! thread (no I/O); the portal hands it to the [`super::draft_writer`], which writes it off the
//! UI thread; the command line and tests [`DraftOp::apply`] it at once.

use super::form::{Form, Values};
use crate::catalog::EntityRef;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Texts typed into fields that do not parse yet (an unfinished JSON object, a word in a
/// number), by field key: kept in the form and in its draft so nothing typed is lost.
pub type Typed = BTreeMap<String, String>;

/// What loading a draft found.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftLoad {
    /// No draft for this template.
    None,
    /// A draft with these values, and the texts typed into fields that did not parse.
    Found(Values, Typed),
    /// A draft that could not be read; it is ignored, with this warning for the user.
    Corrupt(String),
}

/// The drafts directory.
#[derive(Debug, Clone)]
pub struct Drafts {
    dir: PathBuf,
}

impl Drafts {
    /// Drafts in `config::state_dir()/drafts`.
    pub fn open_default() -> Self {
        Self::in_dir(crate::config::state_dir().join("drafts"))
    }

    /// Drafts in a given directory (tests, custom state dirs).
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The draft file of a template: its reference with `:` and `/` made file-safe.
    pub fn path_for(&self, template: &EntityRef) -> PathBuf {
        let name: String = template
            .as_str()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.json"))
    }

    /// Saves the form's values without its secrets, now. An error is a warning for the user
    /// (an unwritable state directory must never stop the form).
    pub fn save(&self, template: &EntityRef, form: &Form, values: &Values) -> Result<(), String> {
        self.save_op(template, form, values, &Typed::new())?.apply()
    }

    /// The write that saves the form's values and the texts typed into fields that do not
    /// parse yet, without secrets (serialised here, written by whoever applies it).
    pub fn save_op(
        &self,
        template: &EntityRef,
        form: &Form,
        values: &Values,
        typed: &Typed,
    ) -> Result<DraftOp, String> {
        let typed: Typed = typed
            .iter()
            .filter(|(k, _)| form.field(k).is_some_and(|f| !f.is_secret()))
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect();
        let mut doc = serde_json::json!({
            "template": template.as_str(),
            "values": form.without_secrets(values),
        });
        if !typed.is_empty() {
            doc["typed"] = serde_json::json!(typed);
        }
        let bytes = serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?;
        Ok(DraftOp::Save {
            path: self.path_for(template),
            bytes,
        })
    }

    /// The removal of a template's draft.
    pub fn discard_op(&self, template: &EntityRef) -> DraftOp {
        DraftOp::Discard {
            path: self.path_for(template),
        }
    }

    /// Loads a template's draft.
    pub fn load(&self, template: &EntityRef, form: &Form) -> DraftLoad {
        let path = self.path_for(template);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return DraftLoad::None,
            Err(e) => {
                return DraftLoad::Corrupt(format!("cannot read the draft {}: {e}", path.display()))
            }
        };
        let corrupt = || {
            DraftLoad::Corrupt(format!(
                "the draft {} is damaged and was ignored",
                path.display()
            ))
        };
        let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else {
            return corrupt();
        };
        let Some(Value::Object(values)) = doc.get("values") else {
            return corrupt();
        };
        // Keep only known, non-secret fields: a draft from an older template version may hold
        // fields that no longer exist (or a nested object kept whole, as one JSON field was:
        // spread into its fields).
        let values: Values = form
            .flatten(values.clone())
            .iter()
            .filter(|(k, _)| form.field(k).is_some_and(|f| !f.is_secret()))
            .map(|(k, v)| (k.clone(), crate::catalog::entity::clean_value(v.clone())))
            .collect();
        let typed: Typed = match doc.get("typed") {
            Some(Value::Object(typed)) => typed
                .iter()
                .filter(|(k, _)| form.field(k).is_some_and(|f| !f.is_secret()))
                .filter_map(|(k, v)| Some((k.clone(), crate::text::clean_lines(v.as_str()?))))
                .collect(),
            _ => Typed::new(),
        };
        DraftLoad::Found(values, typed)
    }

    /// Deletes a template's draft now (after a successful run, or when the user declines it).
    pub fn discard(&self, template: &EntityRef) -> Result<(), String> {
        self.discard_op(template).apply()
    }
}

/// One change to a draft file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftOp {
    /// Write these bytes (the draft document) to the file.
    Save {
        /// The draft file.
        path: PathBuf,
        /// Its new content.
        bytes: Vec<u8>,
    },
    /// Delete the file (a missing file is fine).
    Discard {
        /// The draft file.
        path: PathBuf,
    },
}

impl DraftOp {
    /// The draft file this change is for.
    pub fn path(&self) -> &Path {
        match self {
            DraftOp::Save { path, .. } | DraftOp::Discard { path } => path,
        }
    }

    /// Carries the change out now. A save is atomic: on any failure (a full disk, a read-only
    /// directory) the old draft stays as it was and no partial file is left.
    pub fn apply(&self) -> Result<(), String> {
        match self {
            DraftOp::Save { path, bytes } => write_atomic(path, bytes)
                .map_err(|e| format!("cannot save the draft to {}: {e}", path.display())),
            DraftOp::Discard { path } => match std::fs::remove_file(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(format!("cannot delete the draft: {e}")),
            },
        }
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entity, Origin};
    use crate::scaffolder::Template;
    use serde_json::json;

    fn form() -> (EntityRef, Form) {
        let e = Entity::from_value(
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                   "metadata": {"name": "t"}, "spec": {"parameters": {"properties": {
                       "name": {"type": "string"},
                       "token": {"type": "string", "ui:field": "Secret"},
                       "pw": {"type": "string", "ui:widget": "password"}}}}}),
            Origin::new("t.yaml", None),
        )
        .unwrap()
        .0;
        let t = Template::from_entity(&e).unwrap();
        (t.entity_ref.clone(), Form::from_template(&t))
    }

    fn values() -> Values {
        let mut v = Values::new();
        v.insert("name".into(), json!("svc"));
        v.insert("token".into(), json!("tok-123"));
        v.insert("pw".into(), json!("pa55word"));
        v
    }

    #[test]
    fn draft_round_trips_without_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = Drafts::in_dir(dir.path().join("drafts"));
        let (r, f) = form();
        drafts.save(&r, &f, &values()).unwrap();
        let text = std::fs::read_to_string(drafts.path_for(&r)).unwrap();
        assert!(
            !text.contains("tok-123") && !text.contains("pa55word"),
            "{text}"
        );
        let DraftLoad::Found(v, _) = drafts.load(&r, &f) else {
            panic!("no draft")
        };
        assert_eq!(v.get("name"), Some(&json!("svc")));
        assert_eq!(v.len(), 1);
        drafts.discard(&r).unwrap();
        assert_eq!(drafts.load(&r, &f), DraftLoad::None);
    }

    #[test]
    fn corrupt_draft_is_ignored_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = Drafts::in_dir(dir.path());
        let (r, f) = form();
        std::fs::write(drafts.path_for(&r), b"{\"values\": [tru").unwrap();
        assert!(matches!(drafts.load(&r, &f), DraftLoad::Corrupt(m) if m.contains("damaged")));
    }

    #[test]
    fn unwritable_directory_is_a_warning_not_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        // The drafts "directory" is below a regular file: it cannot be created.
        let drafts = Drafts::in_dir(blocker.join("drafts"));
        let (r, f) = form();
        let err = drafts.save(&r, &f, &values()).unwrap_err();
        assert!(err.contains("cannot save the draft"), "{err}");
    }

    #[test]
    fn draft_file_name_is_safe() {
        let drafts = Drafts::in_dir("/x");
        let r = EntityRef::new("template", "default", "go-service");
        assert_eq!(
            drafts.path_for(&r),
            PathBuf::from("/x/template_default_go-service.json")
        );
    }
}
