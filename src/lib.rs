//! idp-tui: a terminal internal developer portal that reads Backstage's formats.
//!
//! The core (`catalog`, `source`, `search` and the other views) knows nothing of terminals; the
//! `tui` and `cli` modules are two front ends on it.

pub mod background;
pub mod backstage;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod documents;
pub mod expr;
pub mod formats;
pub mod governance;
pub mod graph;
pub mod live;
pub mod markdown;
pub mod openapi;
pub mod ownership;
pub mod scaffolder;
pub mod scorecard;
pub mod search;
pub mod snapshot;
pub mod source;
pub mod startup;
pub mod synthetic;
pub mod techdocs;
pub mod text;
pub mod token;
pub mod tui;
pub mod user_commands;
pub mod vfs;
pub mod yaml;

#[cfg(test)]
pub(crate) mod fixtures;
