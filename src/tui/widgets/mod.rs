//! Widgets shared by panes: the status bar, a selection over a list, the list and tree filters (`/`),
//! text layout helpers.

pub mod burnup;
pub mod facets;
pub mod filter;
pub mod hyperlink;
pub mod line_edit;
pub mod list;
pub mod scroll;
pub mod status_bar;
pub mod tree_filter;
pub mod wrap;
