//! The template form pane: one page at a time (with a page indicator), each field edited in
//! place (tui-textarea for text), messages under the fields, a review page with secrets masked
//! and the dry-run plan, then create. Every change marks the draft for saving (the app hands
//! it to the draft writer, off the UI thread); reopening offers it. The plan and the write run
//! as [`Job`]s on a worker thread; their answers come back as [`Reply::Scaffold`], and the
//! pane shows "working…" meanwhile.
//!
//! Keys: Tab/Shift-Tab or Down/Up move between fields, Ctrl-N/Ctrl-B or PageDown/PageUp
//! between pages, Left/Right change a choice, Space toggles, Enter picks or moves on, Esc
//! closes the form (the draft stays). Drawing is in `form_draw.rs`.

use super::{Ctx, Outcome, View};
use crate::scaffolder::draft::{Drafts, Typed};
use crate::scaffolder::form::{candidates, Candidate, FieldKind, Values};
use crate::scaffolder::input::{edit_text, parse_input, repo_url_parts, repo_url_value};
use crate::scaffolder::jobs::{self, Job, JobDone, PlanJob, WriteJob, WriteResult};
use crate::scaffolder::plan::Plan;
use crate::scaffolder::render::{user_value, Output};
use crate::scaffolder::session::{Session, Stage};
use crate::scaffolder::validate::{check_all, FieldError};
use crate::scaffolder::Template;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::remote_task::RemoteUpdate;
use crate::tui::reply::Reply;
use crate::tui::widgets::line_edit::{one_line_paste, textarea_key};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tui_textarea::TextArea;

/// Where the pane is, beyond the session's fill/review.
#[derive(Debug)]
pub enum Step {
    /// A draft was found (its values and typed texts): resume it (Enter, `y`) or start
    /// afresh (`n`).
    Resume((Values, Typed)),
    /// Filling pages, or reviewing (see the session's stage).
    Form,
    /// The target is not empty: `y` writes into it anyway, anything else cancels.
    ConfirmOverwrite,
    /// An action's command is shown to be confirmed: `y` or Enter runs it, anything else
    /// goes back to the review.
    ConfirmRun,
    /// Created: the output to show.
    Done {
        /// What was written.
        summary: String,
        /// The template's output links and text.
        output: Output,
    },
}

/// The form pane's state.
pub struct FormView {
    /// The form being filled.
    pub session: Session,
    /// Resume, form, confirm or done.
    pub step: Step,
    /// The editor of the focused text field (or of the target directory on the review).
    pub editor: TextArea<'static>,
    /// The highlighted choice of a select, multi-select or picker.
    pub cursor: usize,
    /// The focused picker's catalog candidates (computed when it gains focus).
    pub candidates: Vec<Candidate>,
    /// Esc closed the focused picker's candidate row (the typed text stays); typing, Left or
    /// Right opens it again, and a second Esc closes the form.
    pub picker_closed: bool,
    /// The review's plan (or why there is none).
    pub plan: Option<Result<Plan, String>>,
    /// What the whole submission gets wrong, checked on entering the review: listed at its
    /// top, and Enter goes to the first field to fix.
    pub review_errors: Vec<FieldError>,
    /// The review's scroll offset in lines.
    pub scroll: usize,
    /// The Backstage server the template came from, when it came from one.
    pub server: Option<String>,
    /// Create runs the template on `server` (the default for a remote template) rather than
    /// here; Ctrl-T on the review switches.
    pub run_remote: bool,
    /// The plan job awaited (the plan shown is older, or none).
    pub planning: Option<u64>,
    /// The write job awaited: until it answers, the form only says "working…".
    pub writing: Option<u64>,
    /// Create was asked for while the plan was being computed: write once it is in
    /// (`true`: overwrite was confirmed).
    create_when_planned: Option<bool>,
    /// The newest plan job's id, shared with the jobs so older ones skip their work.
    plan_latest: Arc<AtomicU64>,
    /// Jobs for the app to start.
    jobs: Vec<Job>,
    /// Set when the form fills a custom action's inputs: the review shows the command, and
    /// Enter runs it (see `form_command.rs`).
    pub user_command: Option<super::form_command::CommandRun>,
}

impl FormView {
    /// Opens a template's form. Its saved draft is read by a job, off the UI thread, and
    /// offered when the answer comes (see [`FormView::job_done`]).
    pub fn new(template: Template, ctx: &Ctx, drafts: Option<Drafts>) -> Self {
        let session = Session::start_fresh(template, drafts);
        let jobs = session.draft_load_job().into_iter().collect();
        let mut view = FormView {
            session,
            step: Step::Form,
            editor: TextArea::default(),
            cursor: 0,
            candidates: Vec::new(),
            picker_closed: false,
            plan: None,
            review_errors: Vec::new(),
            scroll: 0,
            server: None,
            run_remote: false,
            planning: None,
            writing: None,
            create_when_planned: None,
            plan_latest: Arc::new(AtomicU64::new(0)),
            jobs,
            user_command: None,
        };
        view.server =
            crate::source::remote_origin(&view.session.template.origin.path).map(str::to_string);
        view.run_remote = view.server.is_some();
        view.focus_changed(ctx);
        view
    }

    /// Loads the editor and the choice cursor for the focused field.
    fn focus_changed(&mut self, ctx: &Ctx) {
        self.cursor = 0;
        self.picker_closed = false;
        self.candidates.clear();
        let Some(field) = self.session.focused().cloned() else {
            self.editor = TextArea::default();
            return;
        };
        let value = self.session.values.get(&field.key).cloned();
        let text = match &field.kind {
            FieldKind::RepoUrl { allowed_hosts, .. } => {
                let (mut host, owner, repo) = repo_url_parts(value.as_ref());
                if host.is_empty() && allowed_hosts.len() == 1 {
                    host = allowed_hosts[0].clone();
                }
                format!("{host}/{owner}/{repo}")
                    .trim_end_matches('/')
                    .to_string()
            }
            FieldKind::EntityPicker { multi: true, .. } => String::new(),
            // Text that did not parse is shown as typed, with its message.
            _ if self.session.typed.contains_key(&field.key) => self
                .session
                .typed
                .get(&field.key)
                .cloned()
                .unwrap_or_default(),
            _ => edit_text(&field, value.as_ref()),
        };
        self.editor = editor(&text, &field.kind, field.placeholder.as_deref());
        match &field.kind {
            FieldKind::Select { choices } => {
                self.cursor = value
                    .and_then(|v| choices.iter().position(|c| c.value == v))
                    .unwrap_or(0);
            }
            FieldKind::EntityPicker { .. } => {
                self.candidates = candidates(&field, ctx.catalog);
            }
            _ => {}
        }
    }

    /// True when the focused field is a catalog picker showing its candidates.
    pub fn picker_open(&self) -> bool {
        !self.picker_closed
            && matches!(
                self.session.focused().map(|f| &f.kind),
                Some(FieldKind::EntityPicker { .. })
            )
    }

    /// The candidates of the focused picker that match what was typed.
    pub fn filtered(&self) -> Vec<&Candidate> {
        let typed = self.editor_text().to_lowercase();
        let needle = typed.trim();
        self.candidates
            .iter()
            .filter(|c| {
                needle.is_empty()
                    || c.value.to_lowercase().contains(needle)
                    || c.title.to_lowercase().contains(needle)
            })
            .collect()
    }

    /// The editor's text.
    pub fn editor_text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Parses the editor into the focused field's value (and saves the draft).
    fn commit_editor(&mut self) {
        let Some(field) = self.session.focused().cloned() else {
            return;
        };
        let text = self.editor_text();
        let parsed = match &field.kind {
            FieldKind::RepoUrl { .. } => {
                let mut parts = text.trim().splitn(3, '/');
                let (h, o, r) = (
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                );
                Ok(repo_url_value(h, o, r))
            }
            // The multi-picker's editor is only its filter.
            FieldKind::EntityPicker { multi: true, .. } => return,
            _ => parse_input(&field, &text),
        };
        match parsed {
            Ok(v) => self.session.set_value(&field.key, v),
            Err(m) => self.session.set_typed(&field.key, text, m),
        }
    }

    fn set(&mut self, key: &str, value: Option<Value>) {
        self.session.set_value(key, value);
    }

    /// Handles a raw key on the focused field.
    fn field_key(&mut self, key: &KeyEvent) {
        let Some(field) = self.session.focused().cloned() else {
            return;
        };
        let value = self.session.values.get(&field.key).cloned();
        let plain = key.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE;
        match (&field.kind, key.code) {
            (FieldKind::Boolean, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                let now = value.and_then(|v| v.as_bool()).unwrap_or(false);
                self.set(&field.key, Some(Value::Bool(!now)));
            }
            (FieldKind::Select { choices }, KeyCode::Left | KeyCode::Right) if plain => {
                if choices.is_empty() {
                    return;
                }
                let n = choices.len();
                // The first press on an unset select picks the highlighted choice.
                if value.is_some() {
                    self.cursor = step(self.cursor, n, key.code == KeyCode::Left);
                }
                self.set(&field.key, Some(choices[self.cursor % n].value.clone()));
            }
            (FieldKind::MultiSelect { choices }, KeyCode::Left | KeyCode::Right) if plain => {
                self.cursor = step(self.cursor, choices.len(), key.code == KeyCode::Left);
            }
            (FieldKind::MultiSelect { choices }, KeyCode::Char(' ')) => {
                if let Some(c) = choices.get(self.cursor) {
                    self.toggle(&field.key, value, c.value.clone());
                }
            }
            (FieldKind::EntityPicker { .. }, KeyCode::Left | KeyCode::Right) if plain => {
                let n = self.filtered().len();
                self.cursor = step(self.cursor, n, key.code == KeyCode::Left);
            }
            (FieldKind::Select { .. } | FieldKind::MultiSelect { .. } | FieldKind::Hidden, _) => {}
            (FieldKind::Boolean, _) => {}
            _ => {
                // Readline's keys first (Ctrl-U), then tui-textarea's own.
                if textarea_key(&mut self.editor, key) || self.editor.input(*key) {
                    if matches!(field.kind, FieldKind::EntityPicker { .. }) {
                        self.cursor = 0;
                    }
                    self.commit_editor();
                }
            }
        }
    }

    fn toggle(&mut self, key: &str, current: Option<Value>, item: Value) {
        let mut list = current
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        match list.iter().position(|v| *v == item) {
            Some(i) => {
                list.remove(i);
            }
            None => list.push(item),
        }
        let value = (!list.is_empty()).then_some(Value::Array(list));
        self.set(key, value);
    }

    /// Enter on the focused field: pick a candidate, add a line, or move on.
    fn enter(&mut self, ctx: &Ctx) {
        let Some(field) = self.session.focused().cloned() else {
            self.next_page(ctx);
            return;
        };
        match &field.kind {
            FieldKind::TextArea { .. } | FieldKind::Json => {
                self.editor.insert_newline();
                self.commit_editor();
            }
            // A closed picker picks nothing: Enter moves on with the text as typed.
            FieldKind::EntityPicker { .. } if self.picker_closed => self.next_field(ctx),
            FieldKind::EntityPicker { multi, .. } => {
                let Some(pick) = self.filtered().get(self.cursor).map(|c| c.value.clone()) else {
                    return self.next_field(ctx);
                };
                if *multi {
                    let current = self.session.values.get(&field.key).cloned();
                    self.toggle(&field.key, current, Value::String(pick));
                } else {
                    self.editor = editor(&pick, &field.kind, None);
                    self.set(&field.key, Some(Value::String(pick)));
                    self.next_field(ctx);
                }
            }
            FieldKind::MultiSelect { choices } => {
                if let Some(c) = choices.get(self.cursor) {
                    let current = self.session.values.get(&field.key).cloned();
                    self.toggle(&field.key, current, c.value.clone());
                }
            }
            _ => {
                let last = self.session.focus + 1 >= self.session.visible_fields().len();
                if last {
                    self.next_page(ctx);
                } else {
                    self.next_field(ctx);
                }
            }
        }
    }

    fn next_field(&mut self, ctx: &Ctx) {
        self.session.next_field();
        self.focus_changed(ctx);
    }

    fn prev_field(&mut self, ctx: &Ctx) {
        self.session.prev_field();
        self.focus_changed(ctx);
    }

    fn next_page(&mut self, ctx: &Ctx) -> Option<String> {
        match self.session.next_page() {
            Err(errors) => {
                self.focus_changed(ctx);
                Some(refusal(&errors))
            }
            Ok(()) if self.session.stage == Stage::Review => {
                self.enter_review(ctx);
                None
            }
            Ok(()) => {
                self.focus_changed(ctx);
                None
            }
        }
    }

    /// Builds the plan (in memory) and puts the target directory in the editor; checks the
    /// whole submission, each problem also shown under its field.
    fn enter_review(&mut self, ctx: &Ctx) {
        self.scroll = 0;
        self.review_errors = check_all(&self.session.form, &self.session.values);
        for e in &self.review_errors {
            if !e.key.is_empty() {
                self.session.set_input_error(&e.key, e.message.clone());
            }
        }
        if self.user_command.is_some() {
            // An action writes no files: its review shows the command instead of a plan.
            self.render_command(ctx);
            return;
        }
        let name = self
            .session
            .values
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| crate::scaffolder::form::is_entity_name(n))
            .unwrap_or("new-project")
            .to_string();
        self.editor = TextArea::new(vec![format!("./{name}")]);
        self.editor.move_cursor(tui_textarea::CursorMove::End);
        self.replan(ctx);
    }

    fn target(&self) -> String {
        self.editor_text().trim().to_string()
    }

    /// Asks for a new plan (on the worker); the one shown stays until it is in.
    fn replan(&mut self, ctx: &Ctx) {
        // `${{ user.ref }}`/`${{ user.entity }}`: the login name, and its User entity when the
        // catalog has one.
        let user = std::env::var("USER")
            .ok()
            .map(|u| format!("user:default/{u}"));
        let entity = user.as_deref().and_then(|r| match ctx.catalog.lookup(r) {
            crate::catalog::Lookup::Found(id) => Some(ctx.catalog.get(id).to_value()),
            _ => None,
        });
        let id = jobs::next_id();
        self.plan_latest.store(id, Ordering::Relaxed);
        self.planning = Some(id);
        self.jobs.push(Job::Plan(PlanJob {
            id,
            template: self.session.template.clone(),
            form: self.session.form.clone(),
            values: self.session.values.clone(),
            user: user_value(user.as_deref(), entity),
            target: self.target(),
            latest: Arc::clone(&self.plan_latest),
        }));
    }

    /// Goes back to a field's page with the field focused (the values stay). False when no
    /// shown page has it.
    fn go_to_field(&mut self, key: &str, ctx: &Ctx) -> bool {
        let Some(page) = self
            .session
            .form
            .pages
            .iter()
            .position(|p| p.fields.iter().any(|f| f.key == key))
        else {
            return false;
        };
        self.session.stage = Stage::Fill;
        self.session.page = page;
        self.session.focus = self
            .session
            .visible_fields()
            .iter()
            .position(|f| f.key == key)
            .unwrap_or(0);
        self.focus_changed(ctx);
        true
    }

    /// Enter on a review with problems: to the first field to fix.
    fn jump_to_error(&mut self, ctx: &Ctx) -> Outcome {
        let Some(first) = self
            .review_errors
            .iter()
            .find(|e| !e.key.is_empty())
            .cloned()
        else {
            let all: Vec<String> = self
                .review_errors
                .iter()
                .map(|e| e.message.clone())
                .collect();
            return Outcome::Status(format!("cannot create: {}", all.join("; ")));
        };
        self.go_to_field(&first.key, ctx);
        Outcome::Status(format!("fix {}: {}", first.title, first.message))
    }

    /// Hands the values to the app to run the template on `server` (secrets apart).
    fn run_on(&mut self, server: String) -> Outcome {
        let (values, secrets) = self.session.form.submission(&self.session.values);
        let template = &self.session.template;
        Outcome::RunRemote(Box::new(crate::tui::remote_task::RemoteRun {
            template_ref: template.entity_ref.as_str().to_string(),
            title: template.title.clone(),
            server,
            steps: template
                .steps
                .iter()
                .map(|s| (s.id.clone(), s.name.clone()))
                .collect(),
            values,
            secrets,
        }))
    }

    /// Asks for the plan to be written (on the worker): at once when the plan is in, else as
    /// soon as it is.
    fn create(&mut self, overwrite: bool) -> Outcome {
        if self.planning.is_some() {
            self.create_when_planned = Some(overwrite);
            return Outcome::Status("working…".into());
        }
        let Some(Ok(plan)) = &self.plan else {
            return Outcome::Status("the plan has errors: fix them first".into());
        };
        let id = jobs::next_id();
        self.writing = Some(id);
        self.step = Step::Form;
        self.jobs.push(Job::Write(WriteJob {
            id,
            plan: plan.clone(),
            target: PathBuf::from(self.target()),
            overwrite,
        }));
        Outcome::Status("working…".into())
    }

    /// A job's answer: a plan for the review, or what a write did. Answers this form no
    /// longer waits for are ignored.
    fn job_done(&mut self, done: &JobDone) -> Outcome {
        match done {
            JobDone::DraftLoaded(d) if d.template == self.session.template.entity_ref => {
                // Offered only while the form is being filled: not over a review or a prompt.
                if let Some(values) = self.session.offered(d.load.clone()) {
                    if matches!(self.step, Step::Form) {
                        self.step = Step::Resume(values);
                    }
                }
                Outcome::Consumed
            }
            JobDone::Plan(p) if self.planning == Some(p.id) => {
                self.planning = None;
                self.plan = Some(p.result.clone());
                match self.create_when_planned.take() {
                    Some(overwrite) if self.session.stage == Stage::Review => {
                        self.create(overwrite)
                    }
                    _ => Outcome::Consumed,
                }
            }
            JobDone::Write(w) if self.writing == Some(w.id) => {
                self.writing = None;
                match &w.result {
                    WriteResult::NotFree => {
                        self.step = Step::ConfirmOverwrite;
                        Outcome::Consumed
                    }
                    WriteResult::Failed(e) => Outcome::Status(format!("nothing was written: {e}")),
                    WriteResult::Written(report) => {
                        self.session.discard_draft();
                        let Some(Ok(plan)) = &self.plan else {
                            return Outcome::Consumed;
                        };
                        let summary = format!(
                            "Wrote {} file(s), {} bytes, to {}",
                            report.files,
                            report.bytes,
                            report.target.display()
                        );
                        self.step = Step::Done {
                            summary: summary.clone(),
                            output: plan.output.clone(),
                        };
                        Outcome::Register {
                            entities: plan.entities.clone(),
                            message: summary,
                        }
                    }
                }
            }
            JobDone::Draft(saved) if self.session.draft_path().as_deref() == Some(&saved.path) => {
                // The header shows the last draft problem until a save works again.
                self.session.warning = saved.result.clone().err();
                Outcome::Ignored
            }
            _ => Outcome::Ignored,
        }
    }
}

/// Why the page cannot be left: the first field's title and message, and how many more.
fn refusal(errors: &[FieldError]) -> String {
    let Some(first) = errors.first() else {
        return String::new();
    };
    let more = match errors.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    format!(
        "fix before leaving the page: {} {}{more}",
        first.title, first.message
    )
}

/// The cursor moved one step left or right among `n` choices, wrapping.
fn step(cursor: usize, n: usize, left: bool) -> usize {
    let n = n.max(1);
    if left {
        (cursor + n - 1) % n
    } else {
        (cursor + 1) % n
    }
}

/// A tui-textarea editor holding `text`, masked for secrets, cursor at the end.
fn editor(text: &str, kind: &FieldKind, placeholder: Option<&str>) -> TextArea<'static> {
    let mut e = TextArea::new(text.split('\n').map(str::to_string).collect());
    if matches!(kind, FieldKind::Secret { .. }) {
        e.set_mask_char('•');
    }
    if let Some(p) = placeholder {
        e.set_placeholder_text(crate::tui::widgets::wrap::safe_line(p));
    }
    e.set_cursor_line_style(ratatui::style::Style::default());
    e.move_cursor(tui_textarea::CursorMove::Bottom);
    e.move_cursor(tui_textarea::CursorMove::End);
    e
}

impl View for FormView {
    fn title(&self, _ctx: &Ctx) -> String {
        crate::tui::widgets::wrap::safe_line(&self.session.template.title)
    }

    fn mode(&self) -> Mode {
        Mode::Form
    }

    fn keys(&self) -> super::PaneKeys {
        form_keys(self)
    }

    fn take_tasks(&mut self, _area_width: u16) -> Vec<crate::tui::task::Task> {
        let mut jobs: Vec<Job> = self
            .session
            .take_draft_ops()
            .into_iter()
            .map(Job::Draft)
            .collect();
        jobs.append(&mut self.jobs);
        jobs.into_iter()
            .map(|job| crate::tui::task::Task::Scaffold(Box::new(job)))
            .collect()
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        match action {
            Action::Reply(Reply::Scaffold(done)) => return self.job_done(done),
            Action::Reply(Reply::TemplateRun(_, RemoteUpdate::Invalid(errors))) => {
                return self
                    .server_errors(errors, ctx)
                    .map_or(Outcome::Ignored, Outcome::Error)
            }
            _ => {}
        }
        if self.writing.is_some() {
            // Files are being written: nothing may change the plan or close the form until
            // the write answers (quitting waits for it).
            return match action {
                Action::Quit => Outcome::Ignored,
                _ => Outcome::Status("working… (writing the files)".into()),
            };
        }
        match &self.step {
            Step::Resume(values) => {
                let values = values.clone();
                return match action {
                    Action::Open
                    | Action::Key(KeyEvent {
                        code: KeyCode::Char('y'),
                        ..
                    }) => {
                        self.session.resume(values);
                        self.step = Step::Form;
                        self.focus_changed(ctx);
                        Outcome::Status("draft resumed".into())
                    }
                    Action::Key(KeyEvent {
                        code: KeyCode::Char('n'),
                        ..
                    }) => {
                        self.session.discard_draft();
                        self.step = Step::Form;
                        Outcome::Status("draft discarded".into())
                    }
                    Action::Back => Outcome::Ignored,
                    _ => Outcome::Consumed,
                };
            }
            Step::ConfirmOverwrite => {
                return match action {
                    Action::Key(KeyEvent {
                        code: KeyCode::Char('y'),
                        ..
                    }) => self.create(true),
                    Action::Quit => Outcome::Ignored,
                    _ => {
                        self.step = Step::Form;
                        Outcome::Status("not written".into())
                    }
                };
            }
            Step::ConfirmRun => {
                return match action {
                    Action::Open
                    | Action::Key(KeyEvent {
                        code: KeyCode::Char('y'),
                        ..
                    }) => self.run_now(),
                    Action::Quit => Outcome::Ignored,
                    _ => self.cancel_run(),
                };
            }
            Step::Done { .. } => {
                return match action {
                    Action::Open | Action::Back => Outcome::Pop,
                    Action::Quit => Outcome::Ignored,
                    _ => Outcome::Consumed,
                };
            }
            Step::Form => {}
        }
        if self.session.stage == Stage::Review {
            return match action {
                Action::PrevField => {
                    self.scroll = self.scroll.saturating_sub(1);
                    Outcome::Consumed
                }
                Action::NextField => {
                    self.scroll += 1;
                    Outcome::Consumed
                }
                Action::PrevPage => {
                    // From the review, back to the last page: never refused.
                    let _ = self.session.prev_page();
                    self.focus_changed(ctx);
                    Outcome::Consumed
                }
                Action::Open | Action::NextPage if !self.review_errors.is_empty() => {
                    self.jump_to_error(ctx)
                }
                Action::Open | Action::NextPage if self.user_command.is_some() => {
                    self.run_user_command()
                }
                // An action's review has no target directory to type into.
                Action::Key(_) | Action::Paste(_) if self.user_command.is_some() => {
                    Outcome::Consumed
                }
                Action::Open | Action::NextPage => match (&self.server, self.run_remote) {
                    (Some(server), true) => self.run_on(server.clone()),
                    _ => self.create(false),
                },
                Action::Key(k)
                    if k.code == KeyCode::Char('t')
                        && k.modifiers == KeyModifiers::CONTROL
                        && self.server.is_some() =>
                {
                    self.run_remote = !self.run_remote;
                    Outcome::Status(if self.run_remote {
                        "Enter runs the template on its Backstage server".into()
                    } else {
                        "Enter runs the template here, into the target directory".into()
                    })
                }
                Action::Key(k) => {
                    if textarea_key(&mut self.editor, k) || self.editor.input(*k) {
                        self.replan(ctx);
                    }
                    Outcome::Consumed
                }
                Action::Paste(p) => {
                    self.editor.insert_str(one_line_paste(p));
                    self.replan(ctx);
                    Outcome::Consumed
                }
                _ => Outcome::Ignored,
            };
        }
        match action {
            Action::NextField => self.next_field(ctx),
            Action::PrevField => self.prev_field(ctx),
            Action::NextPage => {
                if let Some(m) = self.next_page(ctx) {
                    return Outcome::Status(m);
                }
            }
            Action::PrevPage => {
                let refused = self.session.prev_page().err();
                self.focus_changed(ctx);
                if let Some(errors) = refused {
                    return Outcome::Status(refusal(&errors));
                }
            }
            // Esc in an open picker closes the picker, not the form.
            Action::Back if self.picker_open() => {
                self.picker_closed = true;
                return Outcome::Status(
                    "picker closed (typing opens it again; Esc closes the form)".into(),
                );
            }
            Action::Open => self.enter(ctx),
            Action::Key(k) => {
                self.picker_closed = false;
                self.field_key(k);
            }
            Action::Paste(p) => {
                let multi_line = matches!(
                    self.session.focused().map(|f| &f.kind),
                    Some(FieldKind::TextArea { .. } | FieldKind::Json)
                );
                let cleaned = if multi_line {
                    crate::text::clean_owned(p.replace("\r\n", "\n").replace('\r', "\n"))
                } else {
                    one_line_paste(p)
                };
                if self.editor.insert_str(cleaned) {
                    self.commit_editor();
                }
            }
            _ => return Outcome::Ignored,
        }
        Outcome::Consumed
    }

    fn render(&self, ctx: &Ctx, area: ratatui::layout::Rect, frame: &mut ratatui::Frame) {
        super::form_draw::render(self, ctx, area, frame);
    }

    fn remap(
        &mut self,
        _ctx: &Ctx,
        remap: &dyn Fn(crate::catalog::EntityId) -> Option<crate::catalog::EntityId>,
    ) -> bool {
        // An action's form follows its entity through a rebuild, and closes when it is gone
        // (its draft stays).
        match &mut self.user_command {
            Some(run) => match remap(run.entity) {
                Some(id) => {
                    run.entity = id;
                    true
                }
                None => false,
            },
            None => true,
        }
    }
}

impl FormView {
    /// The server refused the values of a run from this form: each error is shown at its
    /// field, and the form goes back to the first one. Returns the message for the status
    /// line.
    fn server_errors(
        &mut self,
        errors: &[crate::backstage::tasks::FieldError],
        ctx: &Ctx,
    ) -> Option<String> {
        let mut first = None;
        let mut general = Vec::new();
        for e in errors {
            match e
                .field
                .as_deref()
                .filter(|f| self.session.form.field(f).is_some())
            {
                Some(key) => {
                    self.session
                        .set_input_error(key, format!("the server says: {}", e.message));
                    first.get_or_insert_with(|| key.to_string());
                }
                None => general.push(e.message.clone()),
            }
        }
        if let Some(key) = &first {
            // Back to the page of the first refused field, focused; the values stay.
            self.go_to_field(key, ctx);
        }
        let marked = errors.len() - general.len();
        let mut message = format!("the server refused {} value(s)", errors.len());
        if marked > 0 {
            message.push_str(": fix the marked fields");
        }
        if !general.is_empty() {
            message.push_str(&format!(": {}", general.join("; ")));
        }
        Some(message)
    }
}

/// The keys of the form as it stands: the step's (a draft to resume, a directory to confirm,
/// the review) or the focused field's own keys beside the form's bindings.
fn form_keys(form: &FormView) -> super::PaneKeys {
    use super::PaneKeys;
    let fields = ["next_field", "prev_field", "next_page", "prev_page", "open"];
    match &form.step {
        Step::Resume(_) => {
            return PaneKeys::moves_and(&[])
                .own("y, Enter", "resume the draft")
                .own("n", "discard the draft")
        }
        Step::ConfirmOverwrite => {
            return PaneKeys::moves_and(&[])
                .own("y", "write into the non-empty directory")
                .own("any other key", "do not write")
        }
        Step::ConfirmRun => {
            return PaneKeys::moves_and(&[])
                .own("y, Enter", "run the command")
                .own("any other key", "do not run")
        }
        Step::Done { .. } => return PaneKeys::moves_and(&["open"]),
        Step::Form => {}
    }
    if form.session.stage == Stage::Review {
        let mut keys = PaneKeys::moves_and(&fields)
            .own("Up / Down", "scroll the plan")
            .own("letters, Left / Right", "edit the target directory");
        if form.server.is_some() {
            keys = keys.own("Ctrl-T", "run here or on the Backstage server");
        }
        return keys;
    }
    let keys = PaneKeys::moves_and(&fields);
    match form.session.focused().map(|f| &f.kind) {
        Some(FieldKind::Boolean) => keys.own("Space, Left / Right", "switch yes / no"),
        Some(FieldKind::Select { .. }) => keys.own("Left / Right", "change the choice"),
        Some(FieldKind::MultiSelect { .. }) => keys
            .own("Left / Right", "move between the choices")
            .own("Space", "tick / untick the choice"),
        Some(FieldKind::EntityPicker { .. }) => keys
            .own("letters", "filter the candidates")
            .own("Left / Right", "move between the candidates")
            .own("Enter", "pick the candidate"),
        Some(FieldKind::TextArea { .. } | FieldKind::Json) => keys
            .own("letters, arrows", "edit the field")
            .own("Enter", "a new line"),
        Some(FieldKind::Hidden) | None => keys,
        Some(_) => keys.own(
            "letters, Left / Right, Home / End, Ctrl-A / Ctrl-E",
            "edit the field",
        ),
    }
}
