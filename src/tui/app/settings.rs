//! The app's settings: what the user chose (or the tests fixed) before the first key.

use crate::tui::clock::Clock;
use crate::tui::panes::Prefs;

/// How the app behaves, set once at start.
pub(super) struct Settings {
    /// Hyperlinks on or off, where TechDocs may be read, the live service.
    pub(super) prefs: Prefs,
    /// The user's own commands (the config file's `actions:`), run on the current entity.
    pub(super) user_commands: Vec<crate::actions::ActionConfig>,
    /// CPU-bound work (a replacement's rebuild, scoring) is returned as a task to run off the UI
    /// thread (see [`super::App::work_in_background`]); otherwise it runs at once.
    pub(super) background: bool,
    /// The time, read once per update: what render, scoring and load pacing see.
    pub(super) clock: Clock,
}

impl super::App {
    /// Hyperlinks on or off, where TechDocs may be read, the live service.
    pub fn prefs(&self) -> &Prefs {
        &self.settings.prefs
    }

    /// Turns OSC 8 hyperlinks on or off (`--hyperlinks` or the config).
    pub fn set_hyperlinks(&mut self, on: bool) {
        self.settings.prefs.hyperlinks = on;
    }

    /// Sets where the file sources are on disk (their git history feeds the burn-ups); `new`
    /// takes them from the sources, tests set them here.
    pub fn set_catalog_paths(&mut self, paths: Vec<String>) {
        self.settings.prefs.catalog_paths = paths;
    }

    /// Sets the live service the panes ask for on-call, CI and deployments.
    pub fn set_live_service(&mut self, live: crate::tui::tabs::live::LiveHandle) {
        self.settings.prefs.live = Some(live);
    }
}
