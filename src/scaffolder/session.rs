//! A form being filled: the current page and field, the values, each field's message, and the
//! draft changes it asks for (taken with [`Session::take_draft_ops`]; the session does no I/O
//! after loading the draft). Front ends (the TUI form pane) drive it and draw it; it has no
//! terminal code, so the navigation rules are tested here.

use super::draft::{DraftLoad, DraftOp, Drafts, Typed};
use super::form::{Field, Form, Values};
use super::validate::{check_field, check_page, FieldError};
use super::Template;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Filling a page of the form.
    Fill,
    /// Reviewing every value (secrets masked) and the plan before creating.
    Review,
}

/// A form being filled.
#[derive(Debug)]
pub struct Session {
    /// The template.
    pub template: Template,
    /// Its form.
    pub form: Form,
    /// The values so far.
    pub values: Values,
    /// The page shown (an index into `form.pages`).
    pub page: usize,
    /// The focused field, as an index into the page's visible fields.
    pub focus: usize,
    /// Each field's current message, by key.
    pub errors: BTreeMap<String, String>,
    /// The text of each field whose input does not parse (kept, shown and saved in the draft;
    /// the field has no value meanwhile, and its page cannot be left).
    pub typed: Typed,
    /// Filling or reviewing.
    pub stage: Stage,
    /// The last draft problem (cannot save), for the status line.
    pub warning: Option<String>,
    drafts: Option<Drafts>,
    /// Values changed since the draft was last taken for saving.
    draft_dirty: bool,
    /// Draft changes not yet taken (a removal).
    draft_ops: Vec<DraftOp>,
}

impl Session {
    /// Starts a form with the fields' defaults, and says whether a draft is waiting to be
    /// resumed (a damaged draft is reported as a warning and ignored). Reads the draft here:
    /// the portal uses [`Session::start_fresh`] and [`Session::draft_load_job`] instead.
    pub fn start(template: Template, drafts: Option<Drafts>) -> (Session, Option<(Values, Typed)>) {
        let mut s = Session::start_fresh(template, drafts);
        let load = s
            .drafts
            .as_ref()
            .map(|d| d.load(&s.template.entity_ref, &s.form));
        let draft = load.and_then(|l| s.offered(l));
        (s, draft)
    }

    /// Starts a form with the fields' defaults, without reading its draft.
    pub fn start_fresh(template: Template, drafts: Option<Drafts>) -> Session {
        let form = Form::from_template(&template);
        let values = form.initial_values();
        let mut s = Session {
            template,
            form,
            values,
            page: 0,
            focus: 0,
            errors: BTreeMap::new(),
            typed: Typed::new(),
            stage: Stage::Fill,
            warning: None,
            drafts,
            draft_dirty: false,
            draft_ops: Vec::new(),
        };
        s.page = s.form.shown_pages(&s.values).first().copied().unwrap_or(0);
        s.focus = s.autofocus();
        s
    }

    /// The job that reads this form's saved draft, when drafts are kept.
    pub fn draft_load_job(&self) -> Option<super::jobs::Job> {
        let drafts = self.drafts.clone()?;
        Some(super::jobs::Job::LoadDraft(Box::new(
            super::jobs::DraftLoadJob {
                drafts,
                template: self.template.entity_ref.clone(),
                form: self.form.clone(),
            },
        )))
    }

    /// What a draft read for this form offers: values and typed texts to resume (none when
    /// empty), or nothing with the warning kept when the draft was damaged.
    pub fn offered(&mut self, load: DraftLoad) -> Option<(Values, Typed)> {
        match load {
            DraftLoad::Found(v, t) if !v.is_empty() || !t.is_empty() => Some((v, t)),
            DraftLoad::Corrupt(w) => {
                self.warning = Some(w);
                None
            }
            _ => None,
        }
    }

    /// Takes a draft's values over the defaults, and its typed texts (with their messages).
    pub fn resume(&mut self, draft: (Values, Typed)) {
        let (values, typed) = draft;
        self.values.extend(values);
        for (key, text) in typed {
            let Some(field) = self.form.field(&key) else {
                continue;
            };
            if let Err(message) = super::input::parse_input(field, &text) {
                self.values.remove(&key);
                self.errors.insert(key.clone(), message);
                self.typed.insert(key, text);
            }
        }
        self.focus = self
            .focus
            .min(self.visible_fields().len().saturating_sub(1));
    }

    /// Declines a draft (or the form was created): the draft is to be deleted.
    pub fn discard_draft(&mut self) {
        if let Some(d) = &self.drafts {
            self.draft_dirty = false;
            self.draft_ops.push(d.discard_op(&self.template.entity_ref));
        }
    }

    /// The draft file of this form, when drafts are kept.
    pub fn draft_path(&self) -> Option<std::path::PathBuf> {
        self.drafts
            .as_ref()
            .map(|d| d.path_for(&self.template.entity_ref))
    }

    /// The draft changes to carry out, in order: a removal, then the values as they are now
    /// when they changed since the last call.
    pub fn take_draft_ops(&mut self) -> Vec<DraftOp> {
        if std::mem::take(&mut self.draft_dirty) {
            if let Some(d) = &self.drafts {
                match d.save_op(
                    &self.template.entity_ref,
                    &self.form,
                    &self.values,
                    &self.typed,
                ) {
                    Ok(op) => self.draft_ops.push(op),
                    Err(w) => self.warning = Some(w),
                }
            }
        }
        std::mem::take(&mut self.draft_ops)
    }

    fn autofocus(&self) -> usize {
        self.visible_fields()
            .iter()
            .position(|f| f.autofocus)
            .unwrap_or(0)
    }

    /// The fields shown on the current page.
    pub fn visible_fields(&self) -> Vec<&Field> {
        self.form
            .pages
            .get(self.page)
            .map(|p| p.visible_fields(&self.values).collect())
            .unwrap_or_default()
    }

    /// The focused field.
    pub fn focused(&self) -> Option<&Field> {
        self.visible_fields().get(self.focus).copied()
    }

    /// `(n, of)`: the current page's number among the shown pages, and how many are shown.
    pub fn page_indicator(&self) -> (usize, usize) {
        let shown = self.form.shown_pages(&self.values);
        let n = shown
            .iter()
            .position(|&p| p == self.page)
            .map_or(1, |i| i + 1);
        (n, shown.len())
    }

    /// Sets (or clears, with `None`) a field's value: checks it, and marks the draft changed.
    pub fn set_value(&mut self, key: &str, value: Option<Value>) {
        self.typed.remove(key);
        match value {
            Some(v) => {
                self.values.insert(key.to_string(), v);
            }
            None => {
                self.values.remove(key);
            }
        }
        if let Some(f) = self.form.field(key) {
            match check_field(f, self.values.get(key)) {
                Some(m) => self.errors.insert(key.to_string(), m),
                None => self.errors.remove(key),
            };
        }
        self.save_draft();
    }

    /// Records a message for a field (the server refused its value).
    pub fn set_input_error(&mut self, key: &str, message: String) {
        self.errors.insert(key.to_string(), message);
    }

    /// A field's text does not parse (a word in a number, an unfinished JSON object): the
    /// text is kept with its message, and the field has no value until it parses, so what
    /// is shown is what would be submitted. The draft keeps the text.
    pub fn set_typed(&mut self, key: &str, text: String, message: String) {
        self.values.remove(key);
        self.errors.insert(key.to_string(), message);
        self.typed.insert(key.to_string(), text);
        self.save_draft();
    }

    /// The fields of the current page whose text does not parse, as errors.
    fn unparsed_on_page(&self) -> Vec<FieldError> {
        self.visible_fields()
            .into_iter()
            .filter(|f| self.typed.contains_key(&f.key))
            .map(|f| FieldError {
                key: f.key.clone(),
                title: f.title.clone(),
                message: self.errors.get(&f.key).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// Refuses to leave the page while a field's text does not parse: focus on the first.
    fn refuse_unparsed(&mut self) -> Result<(), Vec<FieldError>> {
        let unparsed = self.unparsed_on_page();
        let Some(first) = unparsed.first() else {
            return Ok(());
        };
        let first = first.key.clone();
        self.focus = self
            .visible_fields()
            .iter()
            .position(|f| f.key == first)
            .unwrap_or(0);
        Err(unparsed)
    }

    fn save_draft(&mut self) {
        self.draft_dirty = self.drafts.is_some();
    }

    /// Moves the focus to the next field (wrapping).
    pub fn next_field(&mut self) {
        let n = self.visible_fields().len();
        if n > 0 {
            self.focus = (self.focus + 1) % n;
        }
    }

    /// Moves the focus to the previous field (wrapping).
    pub fn prev_field(&mut self) {
        let n = self.visible_fields().len();
        if n > 0 {
            self.focus = (self.focus + n - 1) % n;
        }
    }

    /// Leaves the page forward: refused, with every field's message, while the page has
    /// errors; after the last shown page comes the review.
    pub fn next_page(&mut self) -> Result<(), Vec<FieldError>> {
        if self.stage == Stage::Review {
            return Ok(());
        }
        self.refuse_unparsed()?;
        let errors = check_page(&self.form, self.page, &self.values);
        if !errors.is_empty() {
            for e in &errors {
                self.errors.insert(e.key.clone(), e.message.clone());
            }
            let first = errors[0].key.clone();
            self.focus = self
                .visible_fields()
                .iter()
                .position(|f| f.key == first)
                .unwrap_or(0);
            return Err(errors);
        }
        let shown = self.form.shown_pages(&self.values);
        match shown.iter().find(|&&p| p > self.page) {
            Some(&next) => {
                self.page = next;
                self.focus = self.autofocus();
            }
            None => self.stage = Stage::Review,
        }
        Ok(())
    }

    /// Goes back a page (from the review, to the last page); refused while a field's text
    /// does not parse, as going forward is.
    pub fn prev_page(&mut self) -> Result<(), Vec<FieldError>> {
        if self.stage == Stage::Review {
            self.stage = Stage::Fill;
            return Ok(());
        }
        self.refuse_unparsed()?;
        let shown = self.form.shown_pages(&self.values);
        if let Some(&prev) = shown.iter().rev().find(|&&p| p < self.page) {
            self.page = prev;
            self.focus = 0;
        }
        Ok(())
    }

    /// The review: every submitted value as `(page title, field title, shown text)`,
    /// secrets masked.
    pub fn review(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for i in self.form.shown_pages(&self.values) {
            let page = &self.form.pages[i];
            for f in page.visible_fields(&self.values) {
                let shown = super::input::display_value(f, self.values.get(&f.key));
                out.push((page.title.clone(), f.title.clone(), shown));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entity, Origin};
    use serde_json::json;

    fn template() -> Template {
        let e = Entity::from_value(
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                "metadata": {"name": "t"}, "spec": {"parameters": [
                    {"title": "One", "required": ["name"], "properties": {
                        "name": {"type": "string", "pattern": "^[a-z]+$"},
                        "deep": {"type": "boolean", "default": false},
                        "token": {"type": "string", "ui:field": "Secret", "ui:autofocus": true}}},
                    {"title": "Deep", "when": "${{ parameters.deep }}",
                     "properties": {"depth": {"type": "integer"}}},
                    {"title": "Last", "properties": {"note": {"type": "string"}}}]}}),
            Origin::new("t.yaml", None),
        )
        .unwrap()
        .0;
        Template::from_entity(&e).unwrap()
    }

    #[test]
    fn page_with_errors_cannot_be_left() {
        let (mut s, _) = Session::start(template(), None);
        assert_eq!(s.focused().unwrap().key, "token", "ui:autofocus");
        let errors = s.next_page().unwrap_err();
        assert_eq!(errors[0].key, "name");
        assert_eq!(s.page, 0);
        assert_eq!(
            s.focused().unwrap().key,
            "name",
            "focus moves to the first error"
        );
        s.set_value("name", Some(json!("Bad")));
        assert!(s.errors["name"].contains("pattern"));
        s.set_value("name", Some(json!("good")));
        assert!(!s.errors.contains_key("name"));
        s.next_page().unwrap();
        assert_eq!(
            s.form.pages[s.page].title, "Last",
            "the Deep page is skipped"
        );
        assert_eq!(s.page_indicator(), (2, 2));
    }

    #[test]
    fn conditional_page_joins_when_its_condition_holds() {
        let (mut s, _) = Session::start(template(), None);
        s.set_value("name", Some(json!("good")));
        s.set_value("deep", Some(json!(true)));
        assert_eq!(s.page_indicator(), (1, 3));
        s.next_page().unwrap();
        assert_eq!(s.form.pages[s.page].title, "Deep");
        s.next_page().unwrap();
        s.next_page().unwrap();
        assert_eq!(s.stage, Stage::Review);
        s.prev_page().unwrap();
        assert_eq!(s.stage, Stage::Fill);
        s.prev_page().unwrap();
        assert_eq!(s.form.pages[s.page].title, "Deep");
    }

    #[test]
    fn fields_wrap_and_review_masks_secrets() {
        let (mut s, _) = Session::start(template(), None);
        s.set_value("token", Some(json!("very-secret")));
        s.next_field();
        assert_eq!(s.focus, 0, "wraps from the last field to the first");
        s.prev_field();
        assert_eq!(s.focused().unwrap().key, "token");
        let review = s.review();
        let token = review.iter().find(|r| r.1 == "token").unwrap();
        assert_eq!(token.2, crate::scaffolder::input::MASK);
        assert!(review.iter().all(|r| !r.2.contains("very-secret")));
    }

    fn apply(s: &mut Session) {
        for op in s.take_draft_ops() {
            op.apply().unwrap();
        }
    }

    #[test]
    fn every_change_saves_a_draft_that_a_new_session_offers() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = || Some(Drafts::in_dir(dir.path()));
        let (mut s, offered) = Session::start(template(), drafts());
        assert!(offered.is_none());
        s.set_value("name", Some(json!("abc")));
        s.set_value("token", Some(json!("very-secret")));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "a change touches no disk by itself"
        );
        let ops = s.take_draft_ops();
        assert_eq!(ops.len(), 1, "two changes, one save: {ops:?}");
        assert!(s.take_draft_ops().is_empty(), "nothing changed since");
        ops[0].apply().unwrap();
        let (mut again, offered) = Session::start(template(), drafts());
        let offered = offered.expect("a draft is offered");
        assert_eq!(offered.0.get("name"), Some(&json!("abc")));
        assert!(!offered.0.contains_key("token"));
        again.resume(offered);
        assert_eq!(again.values.get("name"), Some(&json!("abc")));
        again.set_value("name", Some(json!("abcd")));
        again.discard_draft();
        let ops = again.take_draft_ops();
        assert!(
            matches!(ops.as_slice(), [DraftOp::Discard { .. }]),
            "a discard drops the edit before it: {ops:?}"
        );
        again.set_value("name", Some(json!("after")));
        apply(&mut again);
        let offered = Session::start(template(), drafts()).1.expect("re-saved");
        assert_eq!(offered.0.get("name"), Some(&json!("after")));
        again.discard_draft();
        apply(&mut again);
        assert!(Session::start(template(), drafts()).1.is_none());
    }

    #[test]
    fn damaged_draft_becomes_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = Drafts::in_dir(dir.path());
        std::fs::write(drafts.path_for(&template().entity_ref), "not json").unwrap();
        let (s, offered) = Session::start(template(), Some(drafts));
        assert!(offered.is_none());
        assert!(s.warning.unwrap().contains("damaged"));
    }
}
