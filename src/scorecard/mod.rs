//! Scorecards: rules about entities grouped in levels (Bronze, Silver, Gold…), weighted into a
//! score, with waivers, per-owner roll-ups and "what is missing for the next level".
//!
//! Scorecards are our own small YAML format (`apiVersion: idp-tui/v1`, `kind: Scorecard`; see
//! `docs/scorecards.md`). This module knows nothing of terminals: the CLI (`idp-tui score`) and
//! the TUI are two front ends on it.

pub mod board;
pub mod check;
mod compile;
pub mod evaluate;
pub mod load;
pub mod model;
pub mod path;
pub mod waiver;

pub use board::Scoreboard;
pub use check::Check;
pub use evaluate::{evaluate, evaluate_live, EntityScore, OwnerRollup, Report, Verdict};
pub use load::{default_scorecards, load_paths, parse_file, Loaded, ScorecardError};
pub use model::{Level, Rule, Scorecard};
pub use path::Path;
pub use waiver::{Date, Waiver};

#[cfg(test)]
mod tests;

#[cfg(test)]
mod live_tests;
