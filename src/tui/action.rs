//! Every intent the portal acts on. Keys become actions through the keymap; load events,
//! ticks and resizes arrive as actions too, so `update` is the only place state changes.

use crate::source::LoadEvent;

/// One thing to do.
#[derive(Debug)]
pub enum Action {
    /// Leave the portal.
    Quit,
    /// Open (or close) the help overlay.
    Help,
    /// Open the command palette.
    Palette,
    /// Go back: close an overlay, leave a pane, or clear a non-empty query.
    Back,
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// Move up a page.
    PageUp,
    /// Move down a page.
    PageDown,
    /// Jump to the first row.
    Home,
    /// Jump to the last row.
    End,
    /// Open the selected item (entity, problem, command).
    Open,
    /// The next tab of the entity view.
    NextTab,
    /// The previous tab of the entity view.
    PrevTab,
    /// Copy the current entity's reference to the clipboard (OSC 52); in a tab, the
    /// highlighted email, ref, on-call id or link.
    CopyRef,
    /// The next page: of a document (Docs tab), or of a form (refused while it has errors).
    NextPage,
    /// The previous page of a document or form.
    PrevPage,
    /// Select the next link on the page (Docs tab).
    NextLink,
    /// Select the previous link on the page (Docs tab).
    PrevLink,
    /// Open the ownership of the selected search result or the current entity.
    Ownership,
    /// List the entity's links (source location, view/edit URLs, `metadata.links`) to open.
    Links,
    /// Switch a view: forward/reverse dependencies, or a group's ownership with child groups.
    ToggleView,
    /// Follow dependencies one level deeper.
    DepthMore,
    /// Follow dependencies one level less deep.
    DepthLess,
    /// Unfold the highlighted tree node.
    Expand,
    /// Fold the highlighted tree node (or go to its parent).
    Collapse,
    /// Go to the search pane with the query focused.
    FocusSearch,
    /// Filter the focused list, or find in the focused text (`/`); where there is neither,
    /// go to the search pane.
    Filter,
    /// Show or hide the facet counts of the search pane's query.
    Facets,
    /// Open the problems pane.
    Problems,
    /// Reload every source in the background.
    Refresh,
    /// Open the Sources pane.
    Sources,
    /// Open the file behind the entity (or the problem) in `$VISUAL`/`$EDITOR` at its line,
    /// then reload it.
    Edit,
    /// Star or unstar the entity (or the selected result) as a favourite.
    Favourite,
    /// On a Template's entity page: open its form, as the templates list does.
    LaunchTemplate,
    /// Delete what is before the cursor in the text field (all of it with the cursor at the
    /// end), as readline's Ctrl-U.
    ClearInput,
    /// Delete the character before the cursor.
    DeleteChar,
    /// Delete the word before the cursor (Ctrl-W, Alt-Backspace).
    DeleteWord,
    /// Delete the character under the cursor (Delete).
    DeleteNextChar,
    /// Delete from the cursor to the end of the field (Ctrl-K).
    KillToEnd,
    /// Move the text cursor one character left.
    CursorLeft,
    /// Move the text cursor one character right.
    CursorRight,
    /// Move the text cursor to the start of the field (Home, Ctrl-A).
    LineStart,
    /// Move the text cursor to the end of the field (End, Ctrl-E).
    LineEnd,
    /// Type a character into the focused text field.
    Input(char),
    /// Pasted text (bracketed paste), for the focused text field.
    Paste(String),
    /// The mouse, with capture on (`mouse: true`, the default).
    Mouse(Mouse),
    /// The next field of a form.
    NextField,
    /// The previous field of a form.
    PrevField,
    /// A key the focused form field edits with (tui-textarea), unbound in the form's keymap.
    Key(crossterm::event::KeyEvent),
    /// Run a palette command line such as `theme light`.
    RunCommand(String),
    /// A source reported progress, entities or its end.
    Load(LoadEvent),
    /// Start from this snapshot of the last load (the start-up machine asks); `update`
    /// answers with `Task::Restored`.
    Restore(Box<crate::snapshot::Snapshot>),
    /// What a background task found (see [`Reply`](super::reply::Reply)): `update` routes it
    /// to whoever asked.
    Reply(super::reply::Reply),
    /// The spinner's clock (only while something loads).
    Tick,
    /// A frame reached the screen: work put off until the user saw the catalog (scoring it,
    /// freeing retired catalogs, the writes after a load) may start now.
    Drawn,
    /// The terminal has a new size.
    Resize(u16, u16),
    /// Run the user's command (a custom action from the config) with this index on the current
    /// entity.
    RunUserCommand(usize),
    /// A message for the status line from work the loop ran (a link opened, a command's
    /// summary).
    Info(String),
    /// Background work the state waits for died (a rebuild or scoring panicked, already
    /// reported by the panic hook): the portal ends with this error.
    Failed(String),
    /// Something failed in the background that the user should know of (the log file cannot
    /// be written): shown in the status line.
    Warn(String),
    /// The sources' statuses changed (progress, done, failed): panes that show them update.
    SourcesChanged(Vec<crate::source::SourceStatus>),
    /// The scorecards were evaluated again (or their results dropped, pending a new
    /// evaluation): panes that keep rows derived from them derive them again.
    ScoresChanged,
    /// Live data arrived for an entity (kept by the app, read through `Ctx::live`): panes
    /// that derive rows from it derive them again.
    LiveChanged,
}

/// What the mouse did, at a screen cell (column, row from the top left, 0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    /// The wheel turned up.
    ScrollUp {
        /// The column.
        column: u16,
        /// The row.
        row: u16,
    },
    /// The wheel turned down.
    ScrollDown {
        /// The column.
        column: u16,
        /// The row.
        row: u16,
    },
    /// The left button was pressed: a row under it is selected, a tab switched to.
    Click {
        /// The column.
        column: u16,
        /// The row.
        row: u16,
    },
}

impl Mouse {
    /// The cell the event happened at, `(column, row)`.
    pub fn at(&self) -> (u16, u16) {
        match *self {
            Mouse::ScrollUp { column, row }
            | Mouse::ScrollDown { column, row }
            | Mouse::Click { column, row } => (column, row),
        }
    }
}

/// A bindable action: its name in the config file, how to make it, and the description the
/// help overlay shows.
pub type Bindable = (&'static str, fn() -> Action, &'static str);

/// The actions a key can be bound to.
pub const BINDABLE: [Bindable; 45] = [
    ("quit", || Action::Quit, "quit"),
    ("help", || Action::Help, "show the keys"),
    ("palette", || Action::Palette, "command palette"),
    ("back", || Action::Back, "back / close / clear query"),
    ("up", || Action::Up, "move up"),
    ("down", || Action::Down, "move down"),
    ("page_up", || Action::PageUp, "page up"),
    ("page_down", || Action::PageDown, "page down"),
    ("home", || Action::Home, "first row"),
    ("end", || Action::End, "last row"),
    ("open", || Action::Open, "open the selected item"),
    ("next_tab", || Action::NextTab, "next tab"),
    ("prev_tab", || Action::PrevTab, "previous tab"),
    ("copy_ref", || Action::CopyRef, "copy the entity ref"),
    ("next_page", || Action::NextPage, "next page"),
    ("prev_page", || Action::PrevPage, "previous page"),
    ("next_link", || Action::NextLink, "select the next link"),
    ("prev_link", || Action::PrevLink, "select the previous link"),
    ("ownership", || Action::Ownership, "open ownership"),
    ("links", || Action::Links, "the entity's links to open"),
    (
        "toggle_view",
        || Action::ToggleView,
        "switch forward / reverse",
    ),
    ("depth_more", || Action::DepthMore, "one level deeper"),
    ("depth_less", || Action::DepthLess, "one level less deep"),
    ("expand", || Action::Expand, "unfold the tree node"),
    (
        "collapse",
        || Action::Collapse,
        "fold the node / go to parent",
    ),
    ("search", || Action::FocusSearch, "go to search"),
    (
        "filter",
        || Action::Filter,
        "filter the list / find (else go to search)",
    ),
    (
        "facets",
        || Action::Facets,
        "facet counts (kind, owner, lifecycle, tag)",
    ),
    ("problems", || Action::Problems, "list catalog problems"),
    ("refresh", || Action::Refresh, "reload the sources"),
    ("sources", || Action::Sources, "show the sources"),
    ("edit", || Action::Edit, "edit the file in $EDITOR"),
    (
        "favourite",
        || Action::Favourite,
        "star / unstar as a favourite",
    ),
    (
        "launch_template",
        || Action::LaunchTemplate,
        "fill this template's form",
    ),
    (
        "clear",
        || Action::ClearInput,
        "delete to the start of the field",
    ),
    ("delete_char", || Action::DeleteChar, "delete a character"),
    ("delete_word", || Action::DeleteWord, "delete a word"),
    (
        "delete_next_char",
        || Action::DeleteNextChar,
        "delete the character under the cursor",
    ),
    (
        "kill_to_end",
        || Action::KillToEnd,
        "delete to the end of the field",
    ),
    ("cursor_left", || Action::CursorLeft, "cursor left"),
    ("cursor_right", || Action::CursorRight, "cursor right"),
    ("line_start", || Action::LineStart, "cursor to the start"),
    ("line_end", || Action::LineEnd, "cursor to the end"),
    ("next_field", || Action::NextField, "next field"),
    ("prev_field", || Action::PrevField, "previous field"),
];

impl Action {
    /// The action a config name stands for, such as `copy_ref`.
    pub fn from_name(name: &str) -> Option<Action> {
        BINDABLE
            .iter()
            .find(|(n, _, _)| *n == name.trim())
            .map(|(_, make, _)| make())
    }

    /// The config name of a bindable action (`None` for input, load events and the like).
    pub fn name(&self) -> Option<&'static str> {
        let name = match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Palette => "palette",
            Action::Back => "back",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Home => "home",
            Action::End => "end",
            Action::Open => "open",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::CopyRef => "copy_ref",
            Action::NextPage => "next_page",
            Action::PrevPage => "prev_page",
            Action::NextLink => "next_link",
            Action::PrevLink => "prev_link",
            Action::Ownership => "ownership",
            Action::Links => "links",
            Action::ToggleView => "toggle_view",
            Action::DepthMore => "depth_more",
            Action::DepthLess => "depth_less",
            Action::Expand => "expand",
            Action::Collapse => "collapse",
            Action::FocusSearch => "search",
            Action::Filter => "filter",
            Action::Facets => "facets",
            Action::Problems => "problems",
            Action::Refresh => "refresh",
            Action::Sources => "sources",
            Action::Edit => "edit",
            Action::Favourite => "favourite",
            Action::LaunchTemplate => "launch_template",
            Action::ClearInput => "clear",
            Action::DeleteChar => "delete_char",
            Action::DeleteWord => "delete_word",
            Action::DeleteNextChar => "delete_next_char",
            Action::KillToEnd => "kill_to_end",
            Action::CursorLeft => "cursor_left",
            Action::CursorRight => "cursor_right",
            Action::LineStart => "line_start",
            Action::LineEnd => "line_end",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            _ => return None,
        };
        Some(name)
    }

    /// The one-line description of a bindable action.
    pub fn description(&self) -> &'static str {
        self.name()
            .and_then(|n| BINDABLE.iter().find(|(b, _, _)| *b == n))
            .map_or("", |(_, _, d)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bindable_name_round_trips() {
        for (name, make, desc) in BINDABLE {
            let action = make();
            assert_eq!(action.name(), Some(name));
            assert_eq!(Action::from_name(name).and_then(|a| a.name()), Some(name));
            assert_eq!(action.description(), desc);
        }
        assert!(Action::from_name("launch_rockets").is_none());
    }
}
