//! The app's state and `update`, the only function that changes it. Keys reach `update` as
//! [`Action`]s (through the keymap), and so do load events, ticks, resizes and the answers of
//! background work (one action, [`Action::Reply`], routed to whoever asked: see `replies.rs`).
//! `update` returns the [`Task`]s the event loop must run (quit, copy, read a page, save a
//! draft, rebuild, …): the only way work leaves the state.

use super::action::Action;
use super::clock::Clock;
use super::commands;
use super::keymap::{Keymap, Mode};
use super::panes::entity::EntityView;
use super::panes::help::HelpOverlay;
use super::panes::links::LinksView;
use super::panes::palette::{PaletteOutcome, PaletteOverlay};
use super::panes::problems::ProblemsView;
use super::panes::search::{SearchPane, RESULT_LIMIT};
use super::panes::sources::SourcesView;
use super::panes::{Ctx, Outcome, Prefs, View};
use super::search_worker::{SearchDone, SearchRequest};
use super::task::Task;
use super::theme::Theme;
use crate::catalog::{Catalog, EntityId};
use crate::scorecard::{self, Scoreboard};
use crate::search::{Narrowing, SearchIndex};
use crate::source::{SourceSpec, SourceTracker};
use crossterm::event::KeyEvent;

mod editing;
mod loading;
pub use loading::{AfterLoad, BuiltReplacement, RebuildJob};
mod mouse;
pub use mouse::DOUBLE_CLICK;
mod remote;
mod replies;
mod searching;
pub use searching::LOAD_SEARCH_INTERVAL;
use searching::{Searching, Select};
use std::sync::Arc;

/// A floating panel above the panes.
pub enum Overlay {
    /// The keys of the mode underneath.
    Help(HelpOverlay),
    /// The command palette.
    Palette(PaletteOverlay),
}

/// A message in the status line, until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The text (already safe to draw).
    pub text: String,
    /// True for errors (drawn in the error style).
    pub error: bool,
}

/// The whole state of the portal.
pub struct App {
    /// The catalog loaded so far; shared (read-only) with the snapshot writer after a load.
    pub catalog: Arc<Catalog>,
    /// The search index over it, shared with the search worker while it searches.
    pub index: Arc<SearchIndex>,
    /// Search state: versions, the worker, the query awaited, load coalescing.
    searching: Searching,
    /// The search pane (the root; always there).
    pub search: SearchPane,
    /// Panes above the search pane; the last one has focus.
    pub stack: Vec<Box<dyn View>>,
    /// The overlay above everything, if one is open.
    pub overlay: Option<Overlay>,
    /// The colour theme.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: Keymap,
    /// The sources: each one's state, entity count, last refresh and error.
    pub sources: SourceTracker,
    /// The status line message.
    pub status: Option<Status>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The spinner frame, advanced by ticks while something loads.
    pub spinner: usize,
    /// The user's own commands (the config file's `actions:`), run on the current entity.
    user_commands: Vec<crate::actions::ActionConfig>,
    /// A `confirm: true` action waiting for its key to be pressed again.
    pending_confirm: Option<usize>,
    /// The scorecards evaluated over the catalog; re-evaluated when loading finishes.
    pub scores: Scoreboard,
    /// The catalog changed and the scores were not yet recomputed: done after the next frame
    /// (see [`App::run_deferred`]) or before the next user action, whichever comes first.
    scores_due: bool,
    /// Hyperlinks on or off, and where TechDocs may be read.
    pub prefs: Prefs,
    /// Remote template runs: the next job number.
    remote: remote::RemoteJobs,
    /// The tasks asked for while `update` handles an action (a template run, a docs fetch, a
    /// rebuild, scoring, a closed pane's last draft): `update` returns them with the rest.
    asked: Vec<Task>,
    /// Whether the state differs from the snapshot on disk, and a write is due.
    snapshot: SnapshotState,
    /// A source's replacement being built, and what waits for it.
    replacing: loading::Replacing,
    /// CPU-bound work (a replacement's rebuild, scoring) is returned as a task to run off the UI
    /// thread (see [`App::work_in_background`]); otherwise it runs at once.
    background: bool,
    /// The time, read once per update: what render, scoring and load pacing see.
    clock: Clock,
    /// The latest live report of each entity asked about (see `tabs::live`).
    live: crate::live::Reports,
    /// The last mouse click, when and where: a second one there soon after opens the row.
    last_click: Option<(std::time::SystemTime, (u16, u16))>,
    /// The initiatives (see [`App::set_initiatives`]); none until set.
    initiatives: crate::governance::LoadedInitiatives,
}

/// When the state should be written as the next start's snapshot.
#[derive(Debug, Default)]
struct SnapshotState {
    /// Sources changed the catalog since the snapshot the app started from (if any).
    dirty: bool,
    /// Every source is done and the state is dirty: written at the next chance.
    due: bool,
}

impl App {
    /// An app over a catalog, with sources still to report (each starts as loading).
    pub fn new(catalog: Catalog, sources: &[SourceSpec], theme: Theme, keymap: Keymap) -> Self {
        let index = Arc::new(SearchIndex::build(&catalog));
        let mut narrowing = Narrowing::default();
        let mut search = SearchPane::default();
        search.set_results(
            narrowing.search(&index, 0, &search.parsed_query(), RESULT_LIMIT),
            None,
        );
        let clock = Clock::system();
        // The built-in scorecard until `set_scorecards` says otherwise.
        let mut scores = Scoreboard::build(
            scorecard::Loaded {
                scorecards: scorecard::default_scorecards(),
                errors: Vec::new(),
            },
            &catalog,
            clock.today(),
        );
        let catalog = Arc::new(catalog);
        scores.scored_over(Arc::clone(&catalog));
        App {
            catalog,
            index,
            searching: Searching {
                version: 0,
                behind: false,
                ranks_stale: false,
                narrowing,
                on_worker: false,
                generation: 0,
                awaiting: None,
                load_due: false,
                load_last: None,
                load_interval: LOAD_SEARCH_INTERVAL,
            },
            search,
            stack: Vec::new(),
            overlay: None,
            theme,
            keymap,
            sources: SourceTracker::new(sources),
            status: None,
            size: (80, 24),
            spinner: 0,
            user_commands: Vec::new(),
            pending_confirm: None,
            scores,
            scores_due: false,
            prefs: Prefs {
                hyperlinks: false,
                docs_roots: crate::techdocs::roots(sources),
                catalog_paths: crate::tui::widgets::burnup::local_paths(sources),
                live: None,
            },
            remote: remote::RemoteJobs::default(),
            asked: Vec::new(),
            snapshot: SnapshotState::default(),
            replacing: loading::Replacing::default(),
            background: false,
            clock,
            live: crate::live::Reports::default(),
            last_click: None,
            initiatives: crate::governance::LoadedInitiatives::default(),
        }
    }

    /// An app over a fully loaded catalog (no sources running): what tests use.
    pub fn loaded(catalog: Catalog) -> Self {
        App::new(catalog, &[], Theme::default(), Keymap::default())
    }

    /// The latest live report of each entity asked about.
    pub fn live_reports(&self) -> &crate::live::Reports {
        &self.live
    }

    /// The app's clock, as last read by `update`.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Replaces the clock (tests fix the time with [`Clock::fixed`]).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Moves a fixed clock forward (tests).
    pub fn advance_clock(&mut self, by: std::time::Duration) {
        self.clock.advance(by);
    }

    /// The keymap mode of whatever has focus.
    pub fn mode(&self) -> Mode {
        match &self.overlay {
            Some(Overlay::Help(_)) => Mode::Help,
            Some(Overlay::Palette(_)) => Mode::Palette,
            None => self.pane_mode(),
        }
    }

    /// The mode of the focused pane, ignoring overlays.
    pub fn pane_mode(&self) -> Mode {
        self.stack.last().map_or(Mode::Search, |v| v.mode())
    }

    /// The action a key press stands for in the current mode. In the entity view, a key no
    /// binding uses may run a custom action bound to it in the config.
    pub fn action_for_key(&self, key: &KeyEvent) -> Option<Action> {
        let mode = self.mode();
        self.keymap.action(mode, key).or_else(|| {
            if mode != Mode::Entity {
                return None;
            }
            let pressed = super::keymap::Key::from_event(key);
            self.user_commands
                .iter()
                .position(|a| {
                    a.key
                        .as_deref()
                        .and_then(|k| super::keymap::Key::parse(k).ok())
                        == Some(pressed)
                })
                .map(Action::RunCustom)
        })
    }

    /// Sets the user's own commands (the config file's `actions:`).
    pub fn set_user_commands(&mut self, commands: Vec<crate::actions::ActionConfig>) {
        self.user_commands = commands;
    }

    /// The user's own commands.
    pub fn user_commands(&self) -> &[crate::actions::ActionConfig] {
        &self.user_commands
    }

    /// The custom actions that apply to the current entity, with their indices.
    pub fn custom_actions(&self) -> Vec<(usize, &crate::actions::ActionConfig)> {
        let Some(id) = self.current_entity() else {
            return Vec::new();
        };
        let entity = self.catalog.get(id);
        self.user_commands
            .iter()
            .enumerate()
            .filter(|(_, a)| a.applies(entity))
            .collect()
    }

    /// Prepares custom action `index` on the current entity. A `confirm: true` action runs on
    /// the second press of its key (or second palette run); the first says what would run.
    pub fn run_custom(&mut self, index: usize) -> Option<Task> {
        let id = self.current_entity()?;
        let action = self.user_commands.get(index)?;
        let entity = self.catalog.get(id);
        if !action.applies(entity) {
            let message = format!(
                "{} does not apply to {}",
                crate::tui::widgets::wrap::safe_line(&action.title),
                entity.entity_ref()
            );
            self.status_info(message);
            return None;
        }
        if action.inputs.is_some() {
            // Its inputs are asked for first: the form runs it (see `panes/form_action.rs`).
            let action = action.clone();
            let form = super::panes::form::FormView::for_action(
                &action,
                id,
                &self.ctx(),
                Some(crate::scaffolder::draft::Drafts::open_default()),
            );
            if let Some(form) = form {
                self.push(Box::new(form));
            }
            return None;
        }
        let plan = match action.plan(entity) {
            Ok(plan) => plan,
            Err(e) => {
                self.status_error(crate::tui::widgets::wrap::safe_line(&e.to_string()));
                return None;
            }
        };
        if plan.confirm && self.pending_confirm != Some(index) {
            let again = action.key.clone().unwrap_or_else(|| "the command".into());
            self.pending_confirm = Some(index);
            let message = plan
                .message
                .as_deref()
                .map_or(String::new(), |m| format!("{m} "));
            self.status_info(format!(
                "{message}run {}? press {again} again to confirm",
                crate::tui::widgets::wrap::safe_line(&plan.shell_line())
            ));
            return None;
        }
        self.pending_confirm = None;
        Some(Task::RunCommand(plan))
    }

    /// Rows a page moves: the terminal height less the header and status rows.
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(6)).max(1)
    }

    /// Work put off until after a frame (scoring the catalog once it is loaded). Returns true
    /// when it did something, so the caller redraws; when heavy work runs in the background
    /// it only queues the scoring (a `Task::Rescore`) and returns false.
    pub fn run_deferred(&mut self) -> bool {
        if !self.scores_due {
            return false;
        }
        self.scores_due = false;
        let job = self
            .scores
            .rescore_job(self.catalog.clone(), self.clock.today())
            .with_live(crate::scorecard::board::LiveFacts {
                known: self.live.clone(),
                service: self.prefs.live.as_ref().map(|h| Arc::clone(&h.0)),
            });
        if self.background {
            self.asked.push(Task::Rescore(job));
            return false;
        }
        self.rescored(job.run());
        true
    }

    /// Hands heavy work to the event loop from now on, to run off the UI thread: a source's
    /// replacement (`Task::Rebuild`) and scoring (`Task::Rescore`). Without this
    /// both run at once, as tests and benches want.
    pub fn work_in_background(&mut self) {
        self.background = true;
    }

    /// Takes scores computed over the catalog shown now; scores of a catalog replaced or
    /// changed since are dropped and the catalog scored again.
    pub(crate) fn rescored(&mut self, rescored: crate::scorecard::board::Rescored) {
        if !self.scores.take(rescored, &self.catalog) {
            self.scores_due = true;
            return;
        }
        self.tell_panes(&Action::ScoresChanged);
    }

    /// Replaces the scorecards (from `--scorecard` or the config) and evaluates them; a
    /// scorecard that did not load is reported in the status line.
    pub fn set_scorecards(&mut self, loaded: scorecard::Loaded) {
        self.scores = Scoreboard::build(loaded, &self.catalog, self.clock.today());
        self.scores.scored_over(Arc::clone(&self.catalog));
        if let Some(first) = self.scores.errors.first() {
            let more = self.scores.errors.len() - 1;
            let more = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            self.status_error(format!("scorecard not loaded: {first}{more}"));
        }
    }

    /// Replaces the initiatives (from the scorecard paths, or the demo's); one that did not
    /// load is reported in the status line.
    pub fn set_initiatives(&mut self, loaded: crate::governance::LoadedInitiatives) {
        if let Some(first) = loaded.errors.first() {
            let more = match loaded.errors.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more)"),
            };
            self.status_error(format!("initiative not loaded: {first}{more}"));
        }
        self.initiatives = loaded;
    }

    /// What panes may read.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            scores: &self.scores,
            catalog: &self.catalog,
            index: &self.index,
            theme: &self.theme,
            page: self.page(),
            prefs: &self.prefs,
            live: &self.live,
            now: self.clock.now(),
            initiatives: &self.initiatives,
        }
    }

    /// The pane stack and the search pane, each to change, beside what panes may read: a pane
    /// handles an action while it reads the rest of the state.
    fn panes_and_ctx(&mut self) -> (&mut Vec<Box<dyn View>>, &mut SearchPane, Ctx<'_>) {
        let page = self.page();
        let ctx = Ctx {
            scores: &self.scores,
            catalog: &self.catalog,
            index: &self.index,
            theme: &self.theme,
            page,
            prefs: &self.prefs,
            live: &self.live,
            now: self.clock.now(),
            initiatives: &self.initiatives,
        };
        (&mut self.stack, &mut self.search, ctx)
    }

    /// Pushes a pane above the current one.
    pub fn push(&mut self, view: Box<dyn View>) {
        self.stack.push(view);
    }

    /// Opens an entity view.
    pub fn open_entity(&mut self, id: EntityId) {
        self.opened(id);
        let view = EntityView::new(&self.ctx(), id);
        self.push(Box::new(view));
    }

    /// Opens an entity view on the tab with this title (its first tab when there is none).
    pub fn open_entity_tab(&mut self, id: EntityId, tab: &str) {
        self.opened(id);
        let mut view = EntityView::new(&self.ctx(), id);
        view.show_tab(tab);
        self.push(Box::new(view));
    }

    /// Closes the focused pane, keeping the work it still asked for (its last draft save).
    pub fn pop(&mut self) {
        if let Some(view) = self.stack.pop() {
            self.close(view);
        }
    }

    /// A pane leaves the stack: the work it still asked for (its last draft save) is run.
    fn close(&mut self, mut view: Box<dyn View>) {
        let width = self.size.0;
        self.asked.extend(view.take_tasks(width));
    }

    /// Tells every pane of a change they may show (sources' statuses, new scores); what they
    /// answer is not used.
    fn tell_panes(&mut self, notice: &Action) {
        let (stack, _, ctx) = self.panes_and_ctx();
        for view in stack.iter_mut() {
            let _ = view.handle(notice, &ctx);
        }
    }

    /// Closes every pane and focuses the query, optionally replacing it.
    pub fn focus_search(&mut self, query: Option<&str>) {
        while !self.stack.is_empty() {
            self.pop();
        }
        self.overlay = None;
        if let Some(q) = query {
            self.search
                .set_query(crate::tui::widgets::wrap::safe_line(q));
            self.search.take_stale();
            self.request_search(Select::First, false);
        }
    }

    /// Opens the link list of the current entity, or of the selected search result.
    pub fn open_links(&mut self) {
        let id = match self.stack.last() {
            None => self.search.selected_id(),
            Some(view) => view.entity(),
        };
        match id {
            Some(id) => {
                let view = LinksView::new(&self.ctx(), id);
                self.push(Box::new(view));
            }
            None => self.status_info("no entity selected: links belong to an entity"),
        }
    }

    /// Opens the Sources pane.
    pub fn open_sources(&mut self) {
        let view = SourcesView::new(self.sources.statuses().to_vec());
        self.push(Box::new(view));
    }

    /// Opens the help overlay for the focused pane: its keys, under its name.
    pub fn open_help(&mut self) {
        let mode = self.pane_mode();
        let extra = if mode == Mode::Entity {
            self.custom_actions()
                .into_iter()
                .map(|(_, a)| {
                    let key = a.key.clone().unwrap_or_else(|| "-".into());
                    (key, format!("{} (action)", a.title))
                })
                .collect()
        } else {
            Vec::new()
        };
        let ctx = self.ctx();
        let title = match self.stack.last() {
            Some(view) => view.title(&ctx),
            None => "search".to_string(),
        };
        let help = HelpOverlay::new(mode)
            .for_pane(&title, self.pane_keys())
            .with_extra(extra);
        self.overlay = Some(Overlay::Help(help));
    }

    /// The keys of what has focus, for the hint bar: an overlay's whole mode, or the keys the
    /// focused pane answers now.
    pub fn focused_keys(&self) -> super::panes::PaneKeys {
        match self.overlay {
            Some(_) => super::panes::PaneKeys::default(),
            None => self.pane_keys(),
        }
    }

    /// The keys the focused pane answers now (its tab's, its step's); every binding of the
    /// search mode on the search pane.
    pub fn pane_keys(&self) -> super::panes::PaneKeys {
        self.stack
            .last()
            .map_or_else(super::panes::PaneKeys::default, |v| v.keys())
    }

    /// Shows a message in the status line.
    pub fn status_info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: crate::tui::widgets::wrap::safe_line(&text.into()),
            error: false,
        });
    }

    /// Shows an error in the status line.
    pub fn status_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: crate::tui::widgets::wrap::safe_line(&text.into()),
            error: true,
        });
    }

    /// The breadcrumbs: `Search › ledger-writer › ledger-team`.
    pub fn breadcrumbs(&self) -> String {
        let ctx = self.ctx();
        let mut parts = vec!["Search".to_string()];
        parts.extend(self.stack.iter().map(|v| v.title(&ctx)));
        parts.join(" › ")
    }

    /// The entity of the focused pane, if it shows one.
    pub fn current_entity(&self) -> Option<EntityId> {
        self.stack.last().and_then(|v| v.entity())
    }

    fn apply(&mut self, outcome: Outcome, action: Action) -> Option<Task> {
        match outcome {
            Outcome::Consumed => None,
            Outcome::OpenEntity(id) => {
                self.open_entity(id);
                None
            }
            Outcome::OpenEntityTab(id, tab) => {
                self.open_entity_tab(id, tab);
                None
            }
            Outcome::Push(view) => {
                self.push(view);
                None
            }
            Outcome::Pop => {
                self.pop();
                None
            }
            Outcome::PopWith(message) => {
                self.pop();
                self.status_info(message);
                None
            }
            // Only a reply is passed down (see `replies.rs`); from a key it is a pop.
            Outcome::PassDown => {
                self.pop();
                None
            }
            Outcome::RunRemote(run) => Some(self.start_remote(*run)),
            Outcome::FetchDocs(request) => Some(self.fetch_docs(request)),
            Outcome::Copy { text, what } => {
                self.status_info(format!("copied {what} to the clipboard (OSC 52)"));
                Some(Task::Copy(text))
            }
            Outcome::Status(text) => {
                self.status_info(text);
                None
            }
            Outcome::Error(text) => {
                self.status_error(text);
                None
            }
            Outcome::OpenUrl(url) => Some(Task::OpenUrl(url)),
            Outcome::RunCommand(plan) => {
                self.pop();
                Some(Task::RunCommand(plan))
            }
            Outcome::Edit(request) => Some(self.edit(request)),
            Outcome::Register { entities, message } => {
                self.register(entities, message);
                None
            }
            Outcome::Ignored => self.global(action),
        }
    }

    /// What an action does when the focused pane does not use it.
    fn global(&mut self, action: Action) -> Option<Task> {
        match action {
            Action::Quit => return Some(Task::Quit),
            Action::Help => self.open_help(),
            Action::Palette => self.overlay = Some(Overlay::Palette(PaletteOverlay::new())),
            Action::Back => self.pop(),
            // `/` where nothing on screen filters or finds: to the query.
            Action::FocusSearch | Action::Filter => self.focus_search(None),
            // From the search pane: the selected result's ownership, in one key.
            Action::Ownership if self.stack.is_empty() => match self.search.selected_id() {
                Some(id) => self.open_entity_tab(id, "Ownership"),
                None => self.status_info("no entity selected"),
            },
            Action::Problems => self.push(Box::new(ProblemsView::new())),
            Action::Links => self.open_links(),
            Action::Refresh => return self.refresh("").unwrap_or(None),
            Action::Sources => self.open_sources(),
            Action::Edit => return self.edit_current(),
            Action::Favourite => self.toggle_favourite(),
            Action::LaunchTemplate => self.launch_template(),
            _ => {}
        }
        None
    }
}

/// Applies an action to the state. Returns the tasks the event loop's executor must run: the
/// action's own (quit, copy, a refresh, …) first, then the work asked for while handling it (a
/// docs page to read, scaffold jobs, a template run, a docs fetch, live data, a rebuild,
/// scoring). After [`Action::Drawn`] it also returns the work put off until a frame was shown.
pub fn update(app: &mut App, action: Action) -> Vec<Task> {
    app.clock.read();
    let drawn = matches!(action, Action::Drawn);
    let background = matches!(
        action,
        Action::Load(_)
            | Action::Restore(_)
            | Action::Reply(_)
            | Action::Tick
            | Action::Resize(..)
            | Action::Warn(_)
            | Action::Failed(_)
            | Action::Info(_)
            | Action::SourcesChanged(_)
            | Action::ScoresChanged
            | Action::LiveChanged
            | Action::Drawn
    );
    if !background || drawn {
        // Whatever the user does next sees up-to-date scores; after a frame, scoring starts.
        app.run_deferred();
    }
    let own = update_state(app, action);
    let mut tasks: Vec<Task> = own.into_iter().collect();
    tasks.append(&mut app.asked);
    // The favourites and recent entities: found in the catalog as it is now, kept on disk.
    app.search.pin(&app.catalog);
    tasks.extend(app.search.marks.take_save().map(Task::SaveMarks));
    let width = app.size.0;
    for view in &mut app.stack {
        tasks.extend(view.take_tasks(width));
    }
    if drawn {
        let retired = app.retired_catalogs();
        if !retired.is_empty() {
            tasks.push(Task::Retire(retired));
        }
        tasks.extend(app.writes_due().map(Task::WriteAfterLoad));
    }
    tasks
}

fn update_state(app: &mut App, action: Action) -> Option<Task> {
    match action {
        Action::Reply(reply) => {
            app.reply(reply);
            return None;
        }
        Action::Load(event) => {
            app.load(event);
            return None;
        }
        Action::Restore(snapshot) => return Some(Task::Restored(app.restore(*snapshot))),
        Action::Drawn => return None,
        Action::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            app.search_loaded();
            return None;
        }
        Action::Failed(what) => {
            app.status_error(what);
            return None;
        }
        Action::Warn(warning) => {
            app.status_error(warning);
            return None;
        }
        Action::Info(message) => {
            app.status_info(message);
            return None;
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            return None;
        }
        Action::Quit => return Some(Task::Quit),
        Action::RunCommand(line) => {
            app.status = None;
            return commands::run(app, &line);
        }
        Action::RunCustom(index) => {
            app.status = None;
            return app.run_custom(index);
        }
        Action::Mouse(mouse) => {
            app.pending_confirm = None;
            return app.mouse(mouse);
        }
        // Notices for the panes (see `App::tell_panes`), not for the focused one alone.
        notice @ (Action::SourcesChanged(_) | Action::ScoresChanged | Action::LiveChanged) => {
            app.tell_panes(&notice);
            return None;
        }
        _ => {}
    }
    app.pending_confirm = None;
    app.status = None;
    let page = app.page();
    match &mut app.overlay {
        Some(Overlay::Help(help)) => {
            if !help.handle(&action, &app.keymap, page) {
                app.overlay = None;
            }
            return None;
        }
        Some(Overlay::Palette(palette)) => {
            return match palette.handle(&action, page) {
                PaletteOutcome::Open => None,
                PaletteOutcome::Close => {
                    app.overlay = None;
                    None
                }
                PaletteOutcome::Run(line) => {
                    app.overlay = None;
                    commands::run(app, &line)
                }
            };
        }
        None => {}
    }
    if app.stack.is_empty()
        && app.is_searching()
        && matches!(action, Action::Open | Action::Ownership)
    {
        // Typed then Enter in one burst: open what the query finds, not what was on screen.
        app.finish_search();
    }
    let (stack, search, ctx) = app.panes_and_ctx();
    let outcome = match stack.last_mut() {
        Some(view) => view.handle(&action, &ctx),
        None => {
            let outcome = search.handle(&action, &ctx);
            if search.take_stale() {
                app.request_search(Select::First, false);
            } else if search.take_facets_due() {
                app.request_search(Select::Current, false);
            }
            outcome
        }
    };
    app.apply(outcome, action)
}
