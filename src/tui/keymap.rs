//! Keys are data: for each [`Mode`], a list of bindings (key, action name, description). The
//! help overlay and the footer hints are generated from it, and users override it from the
//! config's `keys` section (`mode → key → action name`).
//!
//! Ctrl-C always quits and cannot be rebound, so a broken config never traps a user.

use super::action::{Action, BINDABLE};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;

/// Which set of bindings applies: the focused pane or overlay decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// The search pane (its query is a text field: plain characters are typed).
    Search,
    /// The entity view.
    Entity,
    /// List panes such as problems.
    List,
    /// The command palette (a text field).
    Palette,
    /// The help overlay.
    Help,
    /// A template form: keys not bound here edit the focused field.
    Form,
}

impl Mode {
    /// Every mode.
    pub const ALL: [Mode; 6] = [
        Mode::Search,
        Mode::Entity,
        Mode::List,
        Mode::Palette,
        Mode::Help,
        Mode::Form,
    ];

    /// The mode's name in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Search => "search",
            Mode::Entity => "entity",
            Mode::List => "list",
            Mode::Palette => "palette",
            Mode::Help => "help",
            Mode::Form => "form",
        }
    }

    /// True when the mode has a text field, so plain characters are typed, not bound.
    pub fn has_text_field(self) -> bool {
        matches!(self, Mode::Search | Mode::Palette)
    }
}

/// A key with its modifiers, comparable and printable (`Ctrl-P`, `Shift-Tab`, `F1`, `q`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt (Shift only matters for non-character keys).
    pub modifiers: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// A Ctrl chord.
    pub const fn ctrl(c: char) -> Self {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Normalises a terminal key event: Shift is folded into characters (`Shift-a` is `A`) and
    /// Shift-Tab is `BackTab`.
    pub fn from_event(event: &KeyEvent) -> Self {
        let mut modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            KeyCode::BackTab => KeyCode::BackTab,
            other => other,
        };
        if !matches!(code, KeyCode::Char(_)) {
            modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        }
        Key { code, modifiers }
    }

    /// Parses a key as written in the config: `ctrl-p`, `alt-x`, `shift-tab`, `f1`, `enter`,
    /// `esc`, `up`, `pagedown`, `space`, `?`, `q`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let lower = text.trim().to_ascii_lowercase();
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = lower.as_str();
        loop {
            if let Some(r) = rest
                .strip_prefix("ctrl-")
                .or_else(|| rest.strip_prefix("c-"))
            {
                modifiers |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest
                .strip_prefix("alt-")
                .or_else(|| rest.strip_prefix("m-"))
            {
                modifiers |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" | "page_up" => KeyCode::PageUp,
            "pagedown" | "pgdn" | "page_down" => KeyCode::PageDown,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f')
                && f.len() > 1
                && f.get(1..).unwrap_or_default().parse::<u8>().is_ok() =>
            {
                match f.get(1..).unwrap_or_default().parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(format!("unknown key {text:?}")),
                }
            }
            _ => {
                // A single character keeps its case as written (`G` differs from `g`).
                let original = text.trim();
                // ASCII lowercasing keeps the length, so this is the same place in `original`.
                let rest_original = original
                    .get(original.len().saturating_sub(rest.len())..)
                    .unwrap_or(rest);
                let mut chars = rest_original.chars();
                let c = match (chars.next(), chars.next()) {
                    (Some(c), None) => Some(c),
                    _ => None,
                };
                match c {
                    Some(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                        KeyCode::Char(c.to_ascii_lowercase())
                    }
                    Some(c) => KeyCode::Char(c),
                    None => return Err(format!("unknown key {text:?}")),
                }
            }
        };
        Ok(Key { code, modifiers })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PageUp"),
            KeyCode::PageDown => f.write_str("PageDown"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding: a key, the action's config name, and whether the footer shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The key.
    pub key: Key,
    /// The action's config name (see [`BINDABLE`]).
    pub action: &'static str,
    /// Shown in the footer hints.
    pub footer: bool,
}

impl Binding {
    /// The action's one-line description.
    pub fn description(&self) -> &'static str {
        BINDABLE
            .iter()
            .find(|(n, _, _)| *n == self.action)
            .map_or("", |(_, _, d)| d)
    }
}

/// The bindings of every mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    modes: BTreeMap<Mode, Vec<Binding>>,
}

/// The key that always quits.
pub const CTRL_C: Key = Key::ctrl('c');

/// A binding of `key` to the action named `action`, in the footer hints when `footer`.
fn bind(key: Key, action: &'static str, footer: bool) -> Binding {
    Binding {
        key,
        action,
        footer,
    }
}

fn list_moves() -> Vec<Binding> {
    use KeyCode::*;
    vec![
        bind(Key::plain(Up), "up", false),
        bind(Key::plain(Down), "down", false),
        bind(Key::ctrl('k'), "up", false),
        bind(Key::ctrl('j'), "down", false),
        bind(Key::plain(PageUp), "page_up", false),
        bind(Key::plain(PageDown), "page_down", false),
        bind(Key::plain(Home), "home", false),
        bind(Key::plain(End), "end", false),
    ]
}

/// The keys every entity page and list pane shares: filter, search, help, palette, quit and
/// the vi moves.
fn pane_keys() -> Vec<Binding> {
    use KeyCode::*;
    vec![
        bind(Key::plain(Char('/')), "filter", true),
        bind(Key::plain(Char('s')), "search", false),
        bind(Key::plain(Char('?')), "help", true),
        bind(Key::plain(F(1)), "help", false),
        bind(Key::ctrl('p'), "palette", false),
        bind(Key::plain(Char('q')), "quit", false),
        bind(Key::plain(Char('k')), "up", false),
        bind(Key::plain(Char('j')), "down", false),
        bind(Key::plain(Char('g')), "home", false),
        bind(Key::plain(Char('G')), "end", false),
    ]
}

/// The readline keys of a one-line text field (see `widgets::line_edit`).
fn line_keys() -> Vec<Binding> {
    use KeyCode::*;
    vec![
        bind(Key::plain(Left), "cursor_left", false),
        bind(Key::plain(Right), "cursor_right", false),
        bind(Key::plain(Home), "line_start", false),
        bind(Key::ctrl('a'), "line_start", false),
        bind(Key::plain(End), "line_end", false),
        bind(Key::ctrl('e'), "line_end", false),
        bind(Key::plain(Backspace), "delete_char", false),
        bind(Key::plain(Delete), "delete_next_char", false),
        bind(Key::ctrl('w'), "delete_word", false),
        bind(
            Key {
                code: Backspace,
                modifiers: KeyModifiers::ALT,
            },
            "delete_word",
            false,
        ),
        bind(Key::ctrl('u'), "clear", false),
        bind(Key::ctrl('k'), "kill_to_end", false),
    ]
}

/// The list moves of a mode with a text field: Home/End and Ctrl-K edit the line there.
fn text_list_moves() -> Vec<Binding> {
    use KeyCode::*;
    vec![
        bind(Key::plain(Up), "up", false),
        bind(Key::plain(Down), "down", false),
        bind(Key::ctrl('j'), "down", false),
        bind(Key::plain(PageUp), "page_up", false),
        bind(Key::plain(PageDown), "page_down", false),
    ]
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::*;
        let mut modes = BTreeMap::new();
        let mut search = vec![
            bind(Key::plain(Enter), "open", true),
            bind(Key::plain(Esc), "back", false),
            bind(Key::ctrl('p'), "palette", true),
            bind(Key::ctrl('o'), "ownership", true),
            bind(Key::plain(F(1)), "help", true),
            bind(Key::ctrl('s'), "favourite", false),
        ];
        search.extend(line_keys());
        search.extend(text_list_moves());
        search.push(bind(Key::ctrl('r'), "refresh", false));
        // The facet panel: F2 shows it, Tab / Shift-Tab pick a value, Enter adds it.
        search.push(bind(Key::plain(F(2)), "facets", false));
        search.push(bind(Key::plain(Tab), "next_tab", false));
        search.push(bind(Key::plain(BackTab), "prev_tab", false));
        modes.insert(Mode::Search, search);

        let mut entity = vec![
            bind(Key::plain(Enter), "open", true),
            bind(Key::plain(Esc), "back", true),
            bind(Key::plain(Tab), "next_tab", true),
            bind(Key::plain(BackTab), "prev_tab", false),
            bind(Key::plain(Char('y')), "copy_ref", true),
            bind(Key::plain(Char(']')), "next_page", false),
            bind(Key::plain(Char('[')), "prev_page", false),
            bind(Key::plain(Char('n')), "next_link", false),
            bind(Key::plain(Char('N')), "prev_link", false),
        ];
        entity.extend(pane_keys());
        entity.extend([
            bind(Key::plain(Char('o')), "ownership", false),
            bind(Key::plain(Char('O')), "links", false),
            bind(Key::plain(Char('e')), "edit", false),
            bind(Key::plain(Char('*')), "favourite", false),
            bind(Key::plain(Char('t')), "launch_template", false),
            bind(Key::plain(Char('r')), "toggle_view", false),
            bind(Key::plain(Char('+')), "depth_more", false),
            bind(Key::plain(Char('=')), "depth_more", false),
            bind(Key::plain(Char('-')), "depth_less", false),
            bind(Key::plain(Right), "expand", false),
            bind(Key::plain(Char('l')), "expand", false),
            bind(Key::plain(Left), "collapse", false),
            bind(Key::plain(Char('h')), "collapse", false),
        ]);
        entity.extend(list_moves());
        entity.push(bind(Key::plain(Char('R')), "refresh", false));
        entity.push(bind(Key::ctrl('r'), "refresh", false));
        modes.insert(Mode::Entity, entity);

        let mut list = vec![
            bind(Key::plain(Enter), "open", true),
            bind(Key::plain(Esc), "back", true),
            // Panes with several pages (the Scorecards pane: one per scorecard).
            bind(Key::plain(Tab), "next_tab", false),
            bind(Key::plain(BackTab), "prev_tab", false),
        ];
        list.extend(pane_keys());
        list.extend([
            // The links list copies the highlighted link.
            bind(Key::plain(Char('y')), "copy_ref", false),
            bind(Key::plain(Char('O')), "links", false),
            // The Problems pane opens the problem's file.
            bind(Key::plain(Char('e')), "edit", false),
        ]);
        list.extend(list_moves());
        list.push(bind(Key::plain(Char('R')), "refresh", false));
        list.push(bind(Key::ctrl('r'), "refresh", false));
        modes.insert(Mode::List, list);

        let mut palette = vec![
            bind(Key::plain(Enter), "open", true),
            bind(Key::plain(Esc), "back", true),
        ];
        palette.extend(line_keys());
        palette.extend(text_list_moves());
        modes.insert(Mode::Palette, palette);

        modes.insert(
            Mode::Help,
            vec![
                bind(Key::plain(Esc), "back", true),
                bind(Key::plain(Char('?')), "back", false),
                bind(Key::plain(F(1)), "back", false),
                bind(Key::plain(Char('q')), "back", false),
                bind(Key::plain(Up), "up", false),
                bind(Key::plain(Down), "down", false),
                bind(Key::plain(Char('k')), "up", false),
                bind(Key::plain(Char('j')), "down", false),
                bind(Key::plain(PageUp), "page_up", false),
                bind(Key::plain(PageDown), "page_down", false),
                bind(Key::plain(Home), "home", false),
                bind(Key::plain(End), "end", false),
                bind(Key::plain(Char('g')), "home", false),
                bind(Key::plain(Char('G')), "end", false),
            ],
        );
        modes.insert(
            Mode::Form,
            vec![
                bind(Key::plain(Tab), "next_field", true),
                bind(Key::plain(BackTab), "prev_field", false),
                bind(Key::plain(Down), "next_field", false),
                bind(Key::plain(Up), "prev_field", false),
                bind(Key::ctrl('n'), "next_page", true),
                bind(Key::plain(PageDown), "next_page", false),
                bind(Key::ctrl('b'), "prev_page", true),
                bind(Key::plain(PageUp), "prev_page", false),
                bind(Key::plain(Enter), "open", false),
                bind(Key::plain(Esc), "back", true),
                bind(Key::plain(F(1)), "help", true),
                bind(Key::ctrl('p'), "palette", false),
            ],
        );
        Keymap { modes }
    }
}

impl Keymap {
    /// The default bindings with the config's overrides applied. Returns every override that
    /// could not be used (unknown mode, key or action), so the caller can show them.
    pub fn with_overrides(
        overrides: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> (Keymap, Vec<String>) {
        let mut keymap = Keymap::default();
        let mut errors = Vec::new();
        for (mode_name, keys) in overrides {
            let Some(mode) = Mode::ALL.into_iter().find(|m| m.as_str() == mode_name) else {
                errors.push(format!(
                    "keys: unknown mode {mode_name:?} (modes: search, entity, list, palette, help, form)"
                ));
                continue;
            };
            for (key_text, action_name) in keys {
                let key = match Key::parse(key_text) {
                    Ok(k) => k,
                    Err(e) => {
                        errors.push(format!("keys.{mode_name}: {e}"));
                        continue;
                    }
                };
                if key == CTRL_C {
                    errors.push(format!("keys.{mode_name}: Ctrl-C always quits"));
                    continue;
                }
                let bindings = keymap.modes.entry(mode).or_default();
                if action_name == "none" {
                    bindings.retain(|b| b.key != key);
                    continue;
                }
                let Some((name, _, _)) = BINDABLE.iter().find(|(n, _, _)| n == action_name) else {
                    errors.push(format!(
                        "keys.{mode_name}.{key_text}: unknown action {action_name:?}"
                    ));
                    continue;
                };
                bindings.retain(|b| b.key != key);
                bindings.push(Binding {
                    key,
                    action: name,
                    footer: false,
                });
            }
        }
        (keymap, errors)
    }

    /// The bindings of a mode, in display order.
    pub fn bindings(&self, mode: Mode) -> &[Binding] {
        self.modes.get(&mode).map_or(&[], Vec::as_slice)
    }

    /// The action for a key in a mode. In modes with a text field, plain characters are
    /// typed rather than looked up.
    pub fn action(&self, mode: Mode, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        if key == CTRL_C {
            return Some(Action::Quit);
        }
        if mode.has_text_field() {
            if let KeyCode::Char(c) = key.code {
                if key.modifiers.is_empty() {
                    return Some(Action::Input(c));
                }
            }
        }
        let bound = self
            .bindings(mode)
            .iter()
            .find(|b| b.key == key)
            .and_then(|b| Action::from_name(b.action));
        // In a form every other key edits the focused field.
        match (bound, mode) {
            (None, Mode::Form) => Some(Action::Key(*event)),
            (bound, _) => bound,
        }
    }

    /// Why custom actions' keys will not run them from the entity view: a key that does not
    /// parse, one a built-in binding takes first, or one an earlier action already has. Each
    /// such action still runs from the palette; the messages say so, for the start-up warning.
    pub fn custom_key_conflicts(
        &self,
        commands: &[crate::user_commands::UserCommand],
    ) -> Vec<String> {
        let mut out = Vec::new();
        let mut taken: Vec<(Key, &str)> = Vec::new();
        for command in commands {
            let Some(text) = command.key.as_deref() else {
                continue;
            };
            let title = &command.title;
            let key = match Key::parse(text) {
                Ok(key) => key,
                Err(e) => {
                    out.push(format!(
                        "action {title:?}: {e}; it runs from the palette only"
                    ));
                    continue;
                }
            };
            let builtin = if key == CTRL_C {
                Some("quit")
            } else {
                self.bindings(Mode::Entity)
                    .iter()
                    .find(|b| b.key == key)
                    .map(|b| b.action)
            };
            if let Some(builtin) = builtin {
                out.push(format!(
                    "action {title:?}: key {key} is bound to {builtin} in the entity view; \
                     it runs from the palette only (pick another key, or rebind {builtin} under keys:)"
                ));
            } else if let Some((_, first)) = taken.iter().find(|(k, _)| *k == key) {
                out.push(format!(
                    "action {title:?}: key {key} already runs action {first:?}; it runs from the palette only"
                ));
            } else {
                taken.push((key, title));
            }
        }
        out
    }

    /// Bindings grouped by action, in order: `(["Up", "Ctrl-K"], "move up")`. Feeds the help
    /// overlay and docs.
    pub fn grouped(&self, mode: Mode) -> Vec<(Vec<String>, &'static str)> {
        let mut out: Vec<(Vec<String>, &'static str, &'static str)> = Vec::new();
        for b in self.bindings(mode) {
            match out.iter_mut().find(|(_, a, _)| *a == b.action) {
                Some((keys, _, _)) => keys.push(b.key.to_string()),
                None => out.push((vec![b.key.to_string()], b.action, b.description())),
            }
        }
        if mode != Mode::Help {
            out.push((vec!["Ctrl-C".into()], "quit", "quit from anywhere"));
        }
        out.into_iter().map(|(k, _, d)| (k, d)).collect()
    }

    /// The help rows of the pane on screen: the bindings of its mode it answers, grouped by
    /// action, then the keys it reads itself.
    pub fn grouped_for(
        &self,
        mode: Mode,
        pane: &crate::tui::panes::PaneKeys,
    ) -> Vec<(Vec<String>, String)> {
        let answered: Vec<&Binding> = self
            .bindings(mode)
            .iter()
            .filter(|b| pane.answers(b.action))
            .collect();
        let mut out: Vec<(Vec<String>, &'static str, &'static str)> = Vec::new();
        for b in answered {
            match out.iter_mut().find(|(_, a, _)| *a == b.action) {
                Some((keys, _, _)) => keys.push(b.key.to_string()),
                None => out.push((vec![b.key.to_string()], b.action, b.description())),
            }
        }
        let mut rows: Vec<(Vec<String>, String)> = out
            .into_iter()
            .map(|(k, _, d)| (k, d.to_string()))
            .collect();
        rows.extend(pane.own.iter().map(|(k, d)| (vec![k.clone()], d.clone())));
        if mode != Mode::Help {
            rows.push((vec!["Ctrl-C".into()], "quit from anywhere".into()));
        }
        rows
    }

    /// Footer hints for the pane on screen: `(key, description)` of the bindings of its mode
    /// marked for the footer that it answers.
    pub fn hints_for(
        &self,
        mode: Mode,
        pane: &crate::tui::panes::PaneKeys,
    ) -> Vec<(String, &'static str)> {
        self.hints(mode)
            .into_iter()
            .filter(|(key, _)| {
                self.bindings(mode)
                    .iter()
                    .find(|b| b.footer && b.key.to_string() == *key)
                    .is_some_and(|b| pane.answers(b.action))
            })
            .collect()
    }

    /// Footer hints for a mode: `(key, description)` of the bindings marked for the footer.
    pub fn hints(&self, mode: Mode) -> Vec<(String, &'static str)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for b in self.bindings(mode).iter().filter(|b| b.footer) {
            if !seen.contains(&b.action) {
                seen.push(b.action);
                out.push((b.key.to_string(), short_hint(b.action, b.description())));
            }
        }
        out
    }
}

fn short_hint(action: &str, description: &'static str) -> &'static str {
    match action {
        "open" => "open",
        "back" => "back",
        "palette" => "commands",
        "help" => "help",
        "next_tab" => "tabs",
        "copy_ref" => "copy ref",
        "ownership" => "owner",
        "search" => "search",
        "filter" => "filter",
        "facets" => "facets",
        _ => description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new_with_kind(code, modifiers, KeyEventKind::Press)
    }

    #[test]
    fn keys_parse_as_written_in_the_config() {
        assert_eq!(Key::parse("ctrl-p").unwrap(), Key::ctrl('p'));
        assert_eq!(Key::parse("C-P").unwrap(), Key::ctrl('p'));
        assert_eq!(
            Key::parse("shift-tab").unwrap(),
            Key::plain(KeyCode::BackTab)
        );
        assert_eq!(Key::parse("F1").unwrap(), Key::plain(KeyCode::F(1)));
        assert_eq!(Key::parse("G").unwrap(), Key::plain(KeyCode::Char('G')));
        assert_eq!(Key::parse("-").unwrap(), Key::plain(KeyCode::Char('-')));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f99").is_err());
        assert!(Key::parse("").is_err());
    }

    #[test]
    fn printed_keys_parse_back_to_the_same_key() {
        let map = Keymap::default();
        for mode in Mode::ALL {
            for b in map.bindings(mode) {
                assert_eq!(Key::parse(&b.key.to_string()).unwrap(), b.key, "{}", b.key);
            }
        }
    }

    #[test]
    fn plain_characters_are_typed_in_the_search_field_but_bound_elsewhere() {
        let map = Keymap::default();
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert!(matches!(
            map.action(Mode::Search, &q),
            Some(Action::Input('q'))
        ));
        assert!(matches!(map.action(Mode::Entity, &q), Some(Action::Quit)));
        let shifted = ev(KeyCode::Char('Q'), KeyModifiers::SHIFT);
        assert!(matches!(
            map.action(Mode::Search, &shifted),
            Some(Action::Input('Q'))
        ));
    }

    #[test]
    fn ctrl_c_quits_in_every_mode() {
        let map = Keymap::default();
        for mode in Mode::ALL {
            let a = map.action(mode, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL));
            assert!(matches!(a, Some(Action::Quit)), "{mode:?}");
        }
    }

    #[test]
    fn custom_action_keys_that_cannot_run_them_are_reported() {
        let action = |key: &str, title: &str| crate::user_commands::UserCommand {
            key: Some(key.to_string()),
            title: title.to_string(),
            kinds: vec![],
            when: None,
            command: "true".to_string(),
            mode: Default::default(),
            confirm: false.into(),
            inputs: None,
        };
        let actions = [
            action("L", "Tail logs"),
            action("L", "Restart"),
            action("y", "Yank"),
            action("ctrl-c", "Cancel"),
            action("hyper-space", "Warp"),
            action("K", "Kubernetes"),
        ];
        let messages = Keymap::default().custom_key_conflicts(&actions);
        assert_eq!(messages.len(), 4, "{messages:#?}");
        assert!(messages[0].contains("\"Restart\"") && messages[0].contains("\"Tail logs\""));
        assert!(messages[1].contains("\"Yank\"") && messages[1].contains("copy"));
        assert!(messages[2].contains("\"Cancel\"") && messages[2].contains("quit"));
        assert!(messages[3].contains("\"Warp\""));
        assert!(messages.iter().all(|m| m.contains("palette only")));
        // Unbinding the built-in frees its key for the action.
        let overrides = BTreeMap::from([(
            "entity".to_string(),
            BTreeMap::from([("y".to_string(), "none".to_string())]),
        )]);
        let (map, _) = Keymap::with_overrides(&overrides);
        assert_eq!(
            map.custom_key_conflicts(&actions[2..3]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn overrides_replace_bindings_and_report_what_they_cannot_use() {
        let mut overrides = BTreeMap::new();
        overrides.insert(
            "entity".to_string(),
            BTreeMap::from([
                ("c".to_string(), "copy_ref".to_string()),
                ("y".to_string(), "none".to_string()),
                ("x".to_string(), "launch_rockets".to_string()),
                ("ctrl-c".to_string(), "help".to_string()),
            ]),
        );
        overrides.insert("sidebar".to_string(), BTreeMap::new());
        let (map, errors) = Keymap::with_overrides(&overrides);
        let c = ev(KeyCode::Char('c'), KeyModifiers::NONE);
        let y = ev(KeyCode::Char('y'), KeyModifiers::NONE);
        assert!(matches!(
            map.action(Mode::Entity, &c),
            Some(Action::CopyRef)
        ));
        assert!(map.action(Mode::Entity, &y).is_none());
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("launch_rockets")));
        assert!(errors.iter().any(|e| e.contains("sidebar")));
        assert!(errors.iter().any(|e| e.contains("Ctrl-C always quits")));
    }

    #[test]
    fn help_groups_keys_of_the_same_action() {
        let grouped = Keymap::default().grouped(Mode::Entity);
        let up = grouped.iter().find(|(_, d)| *d == "move up").unwrap();
        assert_eq!(
            up.0,
            vec!["k".to_string(), "Up".to_string(), "Ctrl-K".to_string()]
        );
        assert!(grouped
            .iter()
            .any(|(k, _)| k == &vec!["Ctrl-C".to_string()]));
    }
}

#[cfg(test)]
mod docs_tests {
    use super::*;

    /// docs/keys.md is written by hand; this keeps it from falling behind the keymap.
    #[test]
    fn keys_doc_mentions_every_default_key_and_action() {
        let doc = include_str!("../../docs/keys.md");
        let map = Keymap::default();
        for mode in Mode::ALL {
            for b in map.bindings(mode) {
                assert!(
                    doc.contains(&format!("`{}`", b.key)),
                    "docs/keys.md lacks {} ({})",
                    b.key,
                    mode.as_str()
                );
            }
        }
        for (name, _, _) in BINDABLE {
            assert!(
                doc.contains(&format!("`{name}`")),
                "docs/keys.md lacks {name}"
            );
        }
        for c in crate::tui::commands::COMMANDS {
            assert!(doc.contains(c.usage), "docs/keys.md lacks {}", c.usage);
        }
    }
}
