//! The scaffolder: Backstage Software Templates (`scaffolder.backstage.io/v1beta3`) as forms,
//! dry-run plans and files on disk, with no terminal code.
//!
//! The flow is template → [`form::Form`] → values (checked by [`validate`]) → [`plan::Plan`]
//! (every step run in memory; nothing touches the disk) → [`write::write`] (all files or none,
//! only inside the target directory). [`draft`] keeps half-filled forms, [`draft_writer`] saves
//! them off the UI thread; [`jobs`] carries plans and writes to a worker thread.

pub mod actions;
pub mod catalog_yaml;
pub mod draft;
pub mod draft_writer;
mod fieldset;
pub mod form;
pub mod input;
pub mod jobs;
pub mod picker;
pub mod plan;
pub mod render;
pub mod session;
pub mod template;
pub mod validate;
pub mod write;

#[cfg(test)]
mod fieldset_tests;

pub use form::{Field, FieldKind, Form, Values};

pub use plan::{Plan, PlanError};
pub use template::{Template, TemplateError};
