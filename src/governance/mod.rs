//! Governance: scorecard initiatives with deadlines (and, built on the same core, catalog
//! diffs between revisions, history and platform insights).
//!
//! An initiative asks the entities a scorecard applies to (narrowed by its own filter) to reach
//! a level, or pass a list of rules, by a deadline. Its status — draft, scheduled, in progress,
//! delayed, done — is computed for a given day, so every front end and test injects "today".
//! This module knows nothing of terminals: `idp-tui initiatives` is its command-line face.

pub mod diff;
pub mod git;
#[cfg(test)]
pub(crate) mod git_fixture;
pub mod history;
pub mod initiative;
pub mod progress;
pub mod revision;
pub mod schedule;
pub mod stats;

pub use initiative::{
    demo_initiatives, load_for, load_paths, parse_file, Initiative, InitiativeError,
    LoadedInitiatives, Target,
};
pub use progress::{
    bind, board_action_items, entity_action_items, tally_from_board, ActionItem, EntityProgress,
    Goal, OwnerProgress, Progress,
};
pub use schedule::{days_text, Milestone, Schedule, Status};

#[cfg(test)]
mod tests;
