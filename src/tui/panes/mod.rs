//! The panes of the portal, one file each, and the [`View`] trait every pane on the stack
//! implements.
//!
//! The search pane is the root and always exists; other panes (the entity view, problems, and
//! the ones later features add: teams, scorecards, templates, sources) are pushed on a stack
//! above it, and `Esc` pops them. Overlays (help, palette) float above everything.
//!
//! # Adding a pane
//! 1. Create `panes/<name>.rs` with a struct holding the pane's state and `impl View for it`.
//!    `handle` gets every action the keymap produced (plus typed input) and answers with an
//!    [`Outcome`]; `render` draws from `&self` and the [`Ctx`] only (no I/O, no mutation).
//! 2. Add `pub mod <name>;` below.
//! 3. Make it reachable: a palette command in `tui/commands.rs` whose `run` pushes it with
//!    `app.push(Box::new(MyPane::new(..)))`.

pub mod docs_search;
pub mod entity;
pub mod form;
pub mod form_action;
mod form_draw;
pub mod help;
pub mod initiative;
pub mod initiatives;
pub mod insights;
pub mod links;
pub mod output;
pub mod palette;
pub mod problems;
pub mod raw;
pub mod scorecards;
pub mod search;
pub mod sources;
pub mod task;
pub mod teams;
pub mod templates;

use super::action::Action;
use super::keymap::Mode;
use super::theme::Theme;
use crate::catalog::{Catalog, EntityId};
use crate::search::SearchIndex;
use ratatui::layout::Rect;
use ratatui::Frame;

/// What a pane may read while it handles an action or draws: the app's shared state.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The catalog as loaded so far.
    pub catalog: &'a Catalog,
    /// The search index over it.
    pub index: &'a SearchIndex,
    /// The current theme.
    pub theme: &'a Theme,
    /// Every scorecard evaluated over the catalog.
    pub scores: &'a crate::scorecard::Scoreboard,
    /// Rows a PageUp/PageDown moves.
    pub page: usize,
    /// Preferences from the command line and config (hyperlinks, docs roots).
    pub prefs: &'a Prefs,
    /// The live reports kept so far, by entity (empty without `integrations:`).
    pub live: &'a crate::live::Reports,
    /// The time as `update` last read it (see [`crate::tui::clock`]): render reads no other
    /// clock.
    pub now: std::time::SystemTime,
    /// The initiatives (scorecard goals with deadlines) and those that did not load.
    pub initiatives: &'a crate::governance::LoadedInitiatives,
}

/// No initiatives, for code without an app.
pub static NO_INITIATIVES: crate::governance::LoadedInitiatives =
    crate::governance::LoadedInitiatives {
        initiatives: Vec::new(),
        errors: Vec::new(),
    };

/// What panes draw and read with, from the command line and the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefs {
    /// Draw URLs and emails as OSC 8 hyperlinks (`--hyperlinks`, `hyperlinks: true`).
    pub hyperlinks: bool,
    /// The catalog roots of the file sources: TechDocs are read anywhere inside them, never
    /// outside (the same rule as `idp-tui docs`).
    pub docs_roots: Vec<String>,
    /// The local paths of the file sources, as given: their git history feeds the burn-ups
    /// (see `widgets/burnup.rs`).
    pub catalog_paths: Vec<String>,
    /// The live-data service, when `integrations:` configures any provider (the Live tab).
    pub live: Option<crate::tui::tabs::live::LiveHandle>,
}

/// The defaults (no hyperlinks, docs read beside each entity's file), for code without an app.
pub static DEFAULT_PREFS: Prefs = Prefs {
    hyperlinks: false,
    docs_roots: Vec::new(),
    catalog_paths: Vec::new(),
    live: None,
};

/// The keys of the pane (or tab) on screen, for the help overlay and the hint bar: which of
/// its mode's bindings it answers, and the keys it reads itself (a form field's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneKeys {
    /// The actions (config names) of the mode's bindings the pane answers, besides those every
    /// pane answers ([`PaneKeys::EVERYWHERE`]); `None`: every binding of the mode.
    pub actions: Option<Vec<&'static str>>,
    /// Keys the pane reads itself, not through the keymap: `(keys, what they do)`.
    pub own: Vec<(String, String)>,
}

impl PaneKeys {
    /// Actions that work on every pane (help, palette, back, quit, reload, search).
    pub const EVERYWHERE: [&'static str; 6] =
        ["help", "palette", "back", "quit", "refresh", "search"];

    /// Moving in a list or a text.
    pub const MOVES: [&'static str; 6] = ["up", "down", "page_up", "page_down", "home", "end"];

    /// Typing into a one-line text field (a filter, the query).
    pub const TYPING: [&'static str; 3] = ["clear", "delete_char", "delete_word"];

    /// These actions (and the moves) of the mode's bindings, and no others.
    pub fn moves_and(actions: &[&'static str]) -> Self {
        let mut all: Vec<&'static str> = Self::MOVES.to_vec();
        all.extend_from_slice(actions);
        PaneKeys {
            actions: Some(all),
            own: Vec::new(),
        }
    }

    /// Adds actions.
    pub fn and(mut self, actions: &[&'static str]) -> Self {
        self.actions
            .get_or_insert_with(Vec::new)
            .extend_from_slice(actions);
        self
    }

    /// Adds a row for keys the pane reads itself.
    pub fn own(mut self, keys: &str, what: &str) -> Self {
        self.own.push((keys.to_string(), what.to_string()));
        self
    }

    /// The keys of a list's filter line while it is open (the `Search` mode's typing keys).
    pub fn filter_line() -> Self {
        PaneKeys::moves_and(&["open"]).and(&Self::TYPING).own(
            "letters",
            "type into the filter (Enter keeps it, Esc clears it)",
        )
    }

    /// Whether a binding to `action` is one of the pane's.
    pub fn answers(&self, action: &str) -> bool {
        match &self.actions {
            None => true,
            Some(actions) => Self::EVERYWHERE.contains(&action) || actions.contains(&action),
        }
    }
}

/// What a pane asks the app to do after handling an action.
pub enum Outcome {
    /// The pane did not use the action; the app's global handling applies (Esc pops the pane,
    /// `?` opens help, …).
    Ignored,
    /// The pane used the action; redraw.
    Consumed,
    /// Open an entity view above this pane.
    OpenEntity(EntityId),
    /// Open an entity view above this pane on the tab with this title (its first tab when it
    /// has no such tab).
    OpenEntityTab(EntityId, &'static str),
    /// Push another pane.
    Push(Box<dyn View>),
    /// Close this pane.
    Pop,
    /// Close this pane and show the message in the status line.
    PopWith(String),
    /// Close this pane and hand the action it got to the pane below (a template run the
    /// server refused: the progress pane closes, the form marks the refused fields).
    PassDown,
    /// Run the template on the Backstage server it came from: the app opens a progress pane
    /// and the loop starts the task in the background.
    RunRemote(Box<crate::tui::remote_task::RemoteRun>),
    /// Fetch a remote entity's TechDocs page in the background; the result comes back to the
    /// tab that asked as `Reply::RemoteDocs`.
    FetchDocs(crate::tui::remote_task::DocsRequest),
    /// Copy text to the clipboard; `what` says what it was, for the status line.
    Copy {
        /// The text.
        text: String,
        /// A short description, e.g. `component:default/ledger-writer`.
        what: String,
    },
    /// Show a message in the status line.
    Status(String),
    /// Show an error in the status line.
    Error(String),
    /// Open a URL in the local browser, or copy it when there is none (over ssh).
    OpenUrl(String),
    /// Close this pane and run a custom action's command (an action form's values, rendered
    /// and confirmed).
    RunCommand(crate::actions::Plan),
    /// Open a file at a line in the user's editor, then reload its source.
    Edit(crate::tui::editing::EditRequest),
    /// Add entities to the open catalog (a template's `catalog:register`), then show the
    /// message in the status line.
    Register {
        /// The new entities.
        entities: Vec<crate::catalog::Entity>,
        /// What to tell the user.
        message: String,
    },
}

/// A pane on the stack above the search pane.
pub trait View: Send {
    /// A short title for the breadcrumbs, such as the entity's name.
    fn title(&self, ctx: &Ctx) -> String;
    /// The keymap mode that applies while this pane has focus.
    fn mode(&self) -> Mode;
    /// Handles an action (see [`Outcome`]).
    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome;
    /// Draws the pane into `area`. Must not mutate anything.
    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame);
    /// The entity this pane shows, if any (palette commands act on it).
    fn entity(&self) -> Option<EntityId> {
        None
    }
    /// The keys this pane answers now (its tab's, its step's), for the help overlay and the
    /// hint bar; by default every binding of its mode.
    fn keys(&self) -> PaneKeys {
        PaneKeys::default()
    }
    /// The catalog was rebuilt (a source refreshed) and entity ids changed: `remap` gives an
    /// old id's new one (`None` when the entity is gone). Returns false when the pane should
    /// close. By default a pane that shows an entity closes (it cannot follow the change) and
    /// the others stay.
    fn remap(&mut self, ctx: &Ctx, remap: &dyn Fn(EntityId) -> Option<EntityId>) -> bool {
        let _ = (ctx, remap);
        self.entity().is_none()
    }
    /// Work the pane asked for since it was last asked (a docs page to read, a draft to save,
    /// a plan, files to write, live data), given the width it is drawn at. `update` returns it
    /// as tasks; the answers come back to [`View::handle`] as
    /// [`Action::Reply`](crate::tui::action::Action::Reply), which the pane knows by the token
    /// or job number it asked with (and ignores otherwise).
    fn take_tasks(&mut self, area_width: u16) -> Vec<crate::tui::task::Task> {
        let _ = area_width;
        Vec::new()
    }
}
