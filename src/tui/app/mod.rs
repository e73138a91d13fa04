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
use crate::search::Narrowing;
use crate::source::SourceSpec;
use crate::startup::state::CatalogState;
use crossterm::event::KeyEvent;

mod data;
mod editing;
mod loading;
pub use crate::startup::state::{AfterLoad, BuiltReplacement, RebuildJob};
mod mouse;
pub use mouse::DOUBLE_CLICK;
mod pending;
mod remote;
mod replies;
mod screen;
mod searching;
mod settings;
use data::Data;
use pending::Pending;
use screen::Screen;
pub use searching::LOAD_SEARCH_INTERVAL;
use searching::{Searching, Select};
use settings::Settings;
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

/// The whole state of the portal, by concern. The fields are private to this module: the rest
/// of the TUI reads through accessors and changes the state through `update` (and the few
/// named setters used while starting).
pub struct App {
    /// The catalog, its search index, the sources' record, scores, initiatives, live reports.
    data: Data,
    /// The panes, the overlay, the status line, the terminal size, the theme and keys.
    screen: Screen,
    /// Preferences, the user's own commands, where heavy work runs, the clock.
    settings: Settings,
    /// Tasks asked for, remote jobs, scoring due, a confirmation awaited, searches awaited.
    pending: Pending,
}

impl App {
    /// An app over a catalog, with sources still to report (each starts as loading).
    pub fn new(catalog: Catalog, sources: &[SourceSpec], theme: Theme, keymap: Keymap) -> Self {
        let load = CatalogState::new(catalog, sources);
        let index = load.index();
        let mut narrowing = Narrowing::default();
        let mut search = SearchPane::default();
        search.set_results(
            narrowing.search(index, 0, &search.parsed_query(), RESULT_LIMIT),
            None,
        );
        let clock = Clock::system();
        // The built-in scorecard until `set_scorecards` says otherwise.
        let mut scores = Scoreboard::build(
            scorecard::Loaded {
                scorecards: scorecard::default_scorecards(),
                errors: Vec::new(),
            },
            load.catalog(),
            clock.today(),
        );
        scores.scored_over(Arc::clone(load.catalog()));
        App {
            data: Data {
                load,
                scores,
                initiatives: crate::governance::LoadedInitiatives::default(),
                live: crate::live::Reports::default(),
            },
            screen: Screen {
                search,
                stack: Vec::new(),
                overlay: None,
                status: None,
                size: (80, 24),
                spinner: 0,
                last_click: None,
                theme,
                keymap,
            },
            settings: Settings {
                prefs: Prefs {
                    hyperlinks: false,
                    docs_roots: crate::techdocs::roots(sources),
                    catalog_paths: crate::tui::widgets::burnup::local_paths(sources),
                    live: None,
                },
                user_commands: Vec::new(),
                background: false,
                clock,
            },
            pending: Pending {
                asked: Vec::new(),
                remote: remote::RemoteJobs::default(),
                scores_due: false,
                pending_confirm: None,
                refresh_started: Default::default(),
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
            },
        }
    }

    /// An app over a fully loaded catalog (no sources running): what tests use.
    pub fn loaded(catalog: Catalog) -> Self {
        App::new(catalog, &[], Theme::default(), Keymap::default())
    }

    /// The latest live report of each entity asked about.
    pub fn live_reports(&self) -> &crate::live::Reports {
        &self.data.live
    }

    /// The app's clock, as last read by `update`.
    pub fn clock(&self) -> &Clock {
        &self.settings.clock
    }

    /// Replaces the clock (tests fix the time with [`Clock::fixed`]).
    pub fn set_clock(&mut self, clock: Clock) {
        self.settings.clock = clock;
    }

    /// Moves a fixed clock forward (tests).
    pub fn advance_clock(&mut self, by: std::time::Duration) {
        self.settings.clock.advance(by);
    }

    /// The keymap mode of whatever has focus.
    pub fn mode(&self) -> Mode {
        match &self.screen.overlay {
            Some(Overlay::Help(_)) => Mode::Help,
            Some(Overlay::Palette(_)) => Mode::Palette,
            None => self.pane_mode(),
        }
    }

    /// The mode of the focused pane, ignoring overlays.
    pub fn pane_mode(&self) -> Mode {
        self.screen.stack.last().map_or(Mode::Search, |v| v.mode())
    }

    /// The action a key press stands for in the current mode. In the entity view, a key no
    /// binding uses may run a custom action bound to it in the config.
    pub fn action_for_key(&self, key: &KeyEvent) -> Option<Action> {
        let mode = self.mode();
        self.screen.keymap.action(mode, key).or_else(|| {
            if mode != Mode::Entity {
                return None;
            }
            let pressed = super::keymap::Key::from_event(key);
            self.settings
                .user_commands
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
        self.settings.user_commands = commands;
    }

    /// The user's own commands.
    pub fn user_commands(&self) -> &[crate::actions::ActionConfig] {
        &self.settings.user_commands
    }

    /// The custom actions that apply to the current entity, with their indices.
    pub fn custom_actions(&self) -> Vec<(usize, &crate::actions::ActionConfig)> {
        let Some(id) = self.current_entity() else {
            return Vec::new();
        };
        let entity = self.data.load.catalog().get(id);
        self.settings
            .user_commands
            .iter()
            .enumerate()
            .filter(|(_, a)| a.applies(entity))
            .collect()
    }

    /// Prepares custom action `index` on the current entity. A `confirm: true` action runs on
    /// the second press of its key (or second palette run); the first says what would run.
    pub fn run_custom(&mut self, index: usize) -> Option<Task> {
        let id = self.current_entity()?;
        let action = self.settings.user_commands.get(index)?;
        let entity = self.data.load.catalog().get(id);
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
        if plan.confirm && self.pending.pending_confirm != Some(index) {
            let again = action.key.clone().unwrap_or_else(|| "the command".into());
            self.pending.pending_confirm = Some(index);
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
        self.pending.pending_confirm = None;
        Some(Task::RunCommand(plan))
    }

    /// Rows a page moves: the terminal height less the header and status rows.
    pub fn page(&self) -> usize {
        usize::from(self.screen.size.1.saturating_sub(6)).max(1)
    }

    /// Work put off until after a frame (scoring the catalog once it is loaded). Returns true
    /// when it did something, so the caller redraws; when heavy work runs in the background
    /// it only queues the scoring (a `Task::Rescore`) and returns false.
    pub fn run_deferred(&mut self) -> bool {
        if !self.pending.scores_due {
            return false;
        }
        self.pending.scores_due = false;
        let job = self
            .data
            .scores
            .rescore_job(
                self.data.load.catalog().clone(),
                self.settings.clock.today(),
            )
            .with_live(crate::scorecard::board::LiveFacts {
                known: self.data.live.clone(),
                service: self.settings.prefs.live.as_ref().map(|h| Arc::clone(&h.0)),
            });
        if self.settings.background {
            self.pending.asked.push(Task::Rescore(job));
            return false;
        }
        self.rescored(job.run());
        true
    }

    /// Hands heavy work to the event loop from now on, to run off the UI thread: a source's
    /// replacement (`Task::Rebuild`) and scoring (`Task::Rescore`). Without this
    /// both run at once, as tests and benches want.
    pub fn work_in_background(&mut self) {
        self.settings.background = true;
        self.data.load.rebuild_in_background();
    }

    /// Takes scores computed over the catalog shown now; scores of a catalog replaced or
    /// changed since are dropped and the catalog scored again.
    pub(crate) fn rescored(&mut self, rescored: crate::scorecard::board::Rescored) {
        if !self.data.scores.take(rescored, self.data.load.catalog()) {
            self.pending.scores_due = true;
            return;
        }
        self.tell_panes(&Action::ScoresChanged);
    }

    /// Replaces the scorecards (from `--scorecard` or the config) and evaluates them; a
    /// scorecard that did not load is reported in the status line.
    pub fn set_scorecards(&mut self, loaded: scorecard::Loaded) {
        self.data.scores = Scoreboard::build(
            loaded,
            self.data.load.catalog(),
            self.settings.clock.today(),
        );
        self.data
            .scores
            .scored_over(Arc::clone(self.data.load.catalog()));
        if let Some(first) = self.data.scores.errors.first() {
            let more = self.data.scores.errors.len() - 1;
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
        self.data.initiatives = loaded;
    }

    /// What panes may read.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            scores: &self.data.scores,
            catalog: self.data.load.catalog(),
            index: self.data.load.index(),
            theme: &self.screen.theme,
            page: self.page(),
            prefs: &self.settings.prefs,
            live: &self.data.live,
            now: self.settings.clock.now(),
            initiatives: &self.data.initiatives,
        }
    }

    /// The pane stack and the search pane, each to change, beside what panes may read: a pane
    /// handles an action while it reads the rest of the state.
    fn panes_and_ctx(&mut self) -> (&mut Vec<Box<dyn View>>, &mut SearchPane, Ctx<'_>) {
        let page = self.page();
        let ctx = Ctx {
            scores: &self.data.scores,
            catalog: self.data.load.catalog(),
            index: self.data.load.index(),
            theme: &self.screen.theme,
            page,
            prefs: &self.settings.prefs,
            live: &self.data.live,
            now: self.settings.clock.now(),
            initiatives: &self.data.initiatives,
        };
        (&mut self.screen.stack, &mut self.screen.search, ctx)
    }

    /// Pushes a pane above the current one.
    pub fn push(&mut self, view: Box<dyn View>) {
        self.screen.stack.push(view);
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
        if let Some(view) = self.screen.stack.pop() {
            self.close(view);
        }
    }

    /// A pane leaves the stack: the work it still asked for (its last draft save) is run.
    fn close(&mut self, mut view: Box<dyn View>) {
        let width = self.screen.size.0;
        self.pending.asked.extend(view.take_tasks(width));
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
        while !self.screen.stack.is_empty() {
            self.pop();
        }
        self.screen.overlay = None;
        if let Some(q) = query {
            self.screen
                .search
                .set_query(crate::tui::widgets::wrap::safe_line(q));
            self.screen.search.take_stale();
            self.request_search(Select::First, false);
        }
    }

    /// Opens the link list of the current entity, or of the selected search result.
    pub fn open_links(&mut self) {
        let id = match self.screen.stack.last() {
            None => self.screen.search.selected_id(),
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
        let view = SourcesView::new(self.data.load.sources().statuses().to_vec());
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
        let title = match self.screen.stack.last() {
            Some(view) => view.title(&ctx),
            None => "search".to_string(),
        };
        let help = HelpOverlay::new(mode)
            .for_pane(&title, self.pane_keys())
            .with_extra(extra);
        self.screen.overlay = Some(Overlay::Help(help));
    }

    /// The keys of what has focus, for the hint bar: an overlay's whole mode, or the keys the
    /// focused pane answers now.
    pub fn focused_keys(&self) -> super::panes::PaneKeys {
        match self.screen.overlay {
            Some(_) => super::panes::PaneKeys::default(),
            None => self.pane_keys(),
        }
    }

    /// The keys the focused pane answers now (its tab's, its step's); every binding of the
    /// search mode on the search pane.
    pub fn pane_keys(&self) -> super::panes::PaneKeys {
        self.screen
            .stack
            .last()
            .map_or_else(super::panes::PaneKeys::default, |v| v.keys())
    }

    /// Shows a message in the status line.
    pub fn status_info(&mut self, text: impl Into<String>) {
        self.screen.status = Some(Status {
            text: crate::tui::widgets::wrap::safe_line(&text.into()),
            error: false,
        });
    }

    /// Shows an error in the status line.
    pub fn status_error(&mut self, text: impl Into<String>) {
        self.screen.status = Some(Status {
            text: crate::tui::widgets::wrap::safe_line(&text.into()),
            error: true,
        });
    }

    /// The breadcrumbs: `Search › ledger-writer › ledger-team`.
    pub fn breadcrumbs(&self) -> String {
        let ctx = self.ctx();
        let mut parts = vec!["Search".to_string()];
        parts.extend(self.screen.stack.iter().map(|v| v.title(&ctx)));
        parts.join(" › ")
    }

    /// The entity of the focused pane, if it shows one.
    pub fn current_entity(&self) -> Option<EntityId> {
        self.screen.stack.last().and_then(|v| v.entity())
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
            Action::Palette => self.screen.overlay = Some(Overlay::Palette(PaletteOverlay::new())),
            Action::Back => self.pop(),
            // `/` where nothing on screen filters or finds: to the query.
            Action::FocusSearch | Action::Filter => self.focus_search(None),
            // From the search pane: the selected result's ownership, in one key.
            Action::Ownership if self.screen.stack.is_empty() => {
                match self.screen.search.selected_id() {
                    Some(id) => self.open_entity_tab(id, "Ownership"),
                    None => self.status_info("no entity selected"),
                }
            }
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
    app.settings.clock.read();
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
    tasks.append(&mut app.pending.asked);
    // The favourites and recent entities: found in the catalog as it is now, kept on disk.
    app.screen.search.pin(app.data.load.catalog());
    tasks.extend(app.screen.search.marks.take_save().map(Task::SaveMarks));
    let width = app.screen.size.0;
    for view in &mut app.screen.stack {
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
            app.screen.spinner = app.screen.spinner.wrapping_add(1);
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
            app.screen.size = (w, h);
            return None;
        }
        Action::Quit => return Some(Task::Quit),
        Action::RunCommand(line) => {
            app.screen.status = None;
            return commands::run(app, &line);
        }
        Action::RunCustom(index) => {
            app.screen.status = None;
            return app.run_custom(index);
        }
        Action::Mouse(mouse) => {
            app.pending.pending_confirm = None;
            return app.mouse(mouse);
        }
        // Notices for the panes (see `App::tell_panes`), not for the focused one alone.
        notice @ (Action::SourcesChanged(_) | Action::ScoresChanged | Action::LiveChanged) => {
            app.tell_panes(&notice);
            return None;
        }
        _ => {}
    }
    app.pending.pending_confirm = None;
    app.screen.status = None;
    let page = app.page();
    match &mut app.screen.overlay {
        Some(Overlay::Help(help)) => {
            if !help.handle(&action, &app.screen.keymap, page) {
                app.screen.overlay = None;
            }
            return None;
        }
        Some(Overlay::Palette(palette)) => {
            return match palette.handle(&action, page) {
                PaletteOutcome::Open => None,
                PaletteOutcome::Close => {
                    app.screen.overlay = None;
                    None
                }
                PaletteOutcome::Run(line) => {
                    app.screen.overlay = None;
                    commands::run(app, &line)
                }
            };
        }
        None => {}
    }
    if app.screen.stack.is_empty()
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
