//! The app's state and `update`, the only function that changes it. Keys reach `update` as
//! [`Action`]s (through the keymap), and so do load events, ticks and resizes. `update` may
//! return an [`Effect`] for the event loop to carry out (quit, write to the clipboard).

use super::action::Action;
use super::commands;
use super::keymap::{Keymap, Mode};
use super::panes::entity::EntityView;
use super::panes::help::HelpOverlay;
use super::panes::palette::{PaletteOutcome, PaletteOverlay};
use super::panes::problems::ProblemsView;
use super::panes::search::SearchPane;
use super::panes::{Ctx, Outcome, View};
use super::theme::Theme;
use crate::catalog::{Catalog, EntityId};
use crate::scorecard::{self, Date, Scoreboard};
use crate::search::{SearchIndex, Searcher};
use crate::source::{LoadEvent, SourceSpec};
use crossterm::event::KeyEvent;

/// Something the event loop must do for `update`: the only ways state reaches the outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Restore the terminal and exit.
    Quit,
    /// Copy text to the clipboard (OSC 52).
    Copy(String),
}

/// How far a source has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceState {
    /// Still loading: units done and the total when known.
    Loading {
        /// Files or pages done.
        done: usize,
        /// The total, when known.
        total: Option<usize>,
    },
    /// Finished.
    Done,
    /// Failed with this message.
    Failed(String),
}

/// A source and its state, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceStatus {
    /// The source's name.
    pub name: String,
    /// Its state.
    pub state: SourceState,
}

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
    /// The catalog loaded so far.
    pub catalog: Catalog,
    /// The search index over it, remembering the last query so typing narrows it.
    pub searcher: Searcher,
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
    /// The sources and how far each has got.
    pub sources: Vec<SourceStatus>,
    /// The status line message.
    pub status: Option<Status>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// The spinner frame, advanced by ticks while something loads.
    pub spinner: usize,
    /// The scorecards evaluated over the catalog; re-evaluated when loading finishes.
    pub scores: Scoreboard,
}

impl App {
    /// An app over a catalog, with sources still to report (each starts as loading).
    pub fn new(catalog: Catalog, sources: &[SourceSpec], theme: Theme, keymap: Keymap) -> Self {
        let mut searcher = Searcher::new(SearchIndex::build(&catalog));
        let mut search = SearchPane::default();
        search.refresh(&mut searcher);
        // The built-in scorecard until `set_scorecards` says otherwise.
        let scores = Scoreboard::build(
            scorecard::Loaded {
                scorecards: scorecard::default_scorecards(),
                errors: Vec::new(),
            },
            &catalog,
            Date::today(),
        );
        App {
            catalog,
            searcher,
            search,
            stack: Vec::new(),
            overlay: None,
            theme,
            keymap,
            sources: sources
                .iter()
                .map(|s| SourceStatus {
                    name: s.name().to_string(),
                    state: SourceState::Loading {
                        done: 0,
                        total: None,
                    },
                })
                .collect(),
            status: None,
            size: (80, 24),
            spinner: 0,
            scores,
        }
    }

    /// An app over a fully loaded catalog (no sources running): what tests use.
    pub fn loaded(catalog: Catalog) -> Self {
        App::new(catalog, &[], Theme::default(), Keymap::default())
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

    /// The action a key press stands for in the current mode.
    pub fn action_for_key(&self, key: &KeyEvent) -> Option<Action> {
        self.keymap.action(self.mode(), key)
    }

    /// True while any source is still loading (the spinner ticks only then).
    pub fn is_loading(&self) -> bool {
        self.sources
            .iter()
            .any(|s| matches!(s.state, SourceState::Loading { .. }))
    }

    /// Rows a page moves: the terminal height less the header and status rows.
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(6)).max(1)
    }

    /// Replaces the scorecards (from `--scorecard` or the config) and evaluates them; a
    /// scorecard that did not load is reported in the status line.
    pub fn set_scorecards(&mut self, loaded: scorecard::Loaded) {
        self.scores = Scoreboard::build(loaded, &self.catalog, Date::today());
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

    /// What panes may read.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            scores: &self.scores,
            catalog: &self.catalog,
            index: self.searcher.index(),
            theme: &self.theme,
            page: self.page(),
        }
    }

    /// Pushes a pane above the current one.
    pub fn push(&mut self, view: Box<dyn View>) {
        self.stack.push(view);
    }

    /// Opens an entity view.
    pub fn open_entity(&mut self, id: EntityId) {
        let view = EntityView::new(&self.ctx(), id);
        self.push(Box::new(view));
    }

    /// Opens an entity view on the tab with this title (its first tab when there is none).
    pub fn open_entity_tab(&mut self, id: EntityId, tab: &str) {
        let mut view = EntityView::new(&self.ctx(), id);
        view.show_tab(tab);
        self.push(Box::new(view));
    }

    /// Closes every pane and focuses the query, optionally replacing it.
    pub fn focus_search(&mut self, query: Option<&str>) {
        self.stack.clear();
        self.overlay = None;
        if let Some(q) = query {
            self.search
                .set_query(crate::tui::widgets::wrap::safe_line(q));
            self.search.refresh(&mut self.searcher);
        }
    }

    /// Opens the help overlay for the focused pane.
    pub fn open_help(&mut self) {
        self.overlay = Some(Overlay::Help(HelpOverlay::new(self.pane_mode())));
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

    fn load(&mut self, event: LoadEvent) {
        match event {
            LoadEvent::Progress {
                source,
                done,
                total,
            } => {
                if let Some(s) = self.sources.get_mut(source) {
                    s.state = SourceState::Loading { done, total };
                }
            }
            LoadEvent::Batch {
                entities, problems, ..
            } => {
                for p in problems {
                    self.catalog.add_problem(p);
                }
                for e in entities {
                    self.catalog.insert(e);
                }
                self.searcher.index_mut().extend(&self.catalog);
                self.search.refresh(&mut self.searcher);
            }
            LoadEvent::Done { source, error } => {
                if let Some(s) = self.sources.get_mut(source) {
                    s.state = match error {
                        Some(e) => SourceState::Failed(crate::tui::widgets::wrap::safe_line(&e)),
                        None => SourceState::Done,
                    };
                }
                self.catalog.check_references();
                if !self.is_loading() {
                    // Score once the whole catalog is in: relations only resolve then.
                    self.scores.rescore(&self.catalog, Date::today());
                }
            }
        }
    }

    fn apply(&mut self, outcome: Outcome, action: Action) -> Option<Effect> {
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
                self.stack.pop();
                None
            }
            Outcome::Copy { text, what } => {
                self.status_info(format!("copied {what} to the clipboard (OSC 52)"));
                Some(Effect::Copy(text))
            }
            Outcome::Status(text) => {
                self.status_info(text);
                None
            }
            Outcome::Ignored => self.global(action),
        }
    }

    /// What an action does when the focused pane does not use it.
    fn global(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Quit => return Some(Effect::Quit),
            Action::Help => self.open_help(),
            Action::Palette => self.overlay = Some(Overlay::Palette(PaletteOverlay::new())),
            Action::Back => {
                self.stack.pop();
            }
            Action::FocusSearch => self.focus_search(None),
            // From the search pane: the selected result's ownership, in one key.
            Action::Ownership if self.stack.is_empty() => match self.search.selected_id() {
                Some(id) => self.open_entity_tab(id, "Ownership"),
                None => self.status_info("no entity selected"),
            },
            Action::Problems => self.push(Box::new(ProblemsView::new())),
            _ => {}
        }
        None
    }
}

/// Applies an action to the state. Returns what the event loop must do, if anything.
pub fn update(app: &mut App, action: Action) -> Option<Effect> {
    match action {
        Action::Load(event) => {
            app.load(event);
            return None;
        }
        Action::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            return None;
        }
        Action::Resize(w, h) => {
            app.size = (w, h);
            return None;
        }
        Action::Quit => return Some(Effect::Quit),
        Action::RunCommand(line) => {
            app.status = None;
            return commands::run(app, &line);
        }
        _ => {}
    }
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
    let ctx = Ctx {
        scores: &app.scores,
        catalog: &app.catalog,
        index: app.searcher.index(),
        theme: &app.theme,
        page,
    };
    let outcome = match app.stack.last_mut() {
        Some(view) => view.handle(&action, &ctx),
        None => {
            let outcome = app.search.handle(&action, &ctx);
            if app.search.is_stale() {
                app.search.refresh(&mut app.searcher);
            }
            outcome
        }
    };
    app.apply(outcome, action)
}
