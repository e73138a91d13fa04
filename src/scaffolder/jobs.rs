//! Slow scaffolder work a front end hands to a worker thread: a plan (rendering reads the
//! skeleton files) and a write (creates files, syncs them). A [`Job`] carries everything it
//! needs by value; its answer names the job's id, so a front end can drop answers it no longer
//! waits for.

use super::draft::{DraftLoad, DraftOp, Drafts};
use super::draft_writer::DraftSaved;
use super::form::{Form, Values};
use super::plan::{plan, Plan, PlanError};
use super::write::{target_is_free, write, WriteReport};
use super::Template;
use crate::catalog::EntityRef;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh job id, unique in the process.
pub fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Work for a worker thread (or, from the command line and tests, to run in place).
#[derive(Debug)]
pub enum Job {
    /// Save or remove a draft (debounced by the draft writer).
    Draft(DraftOp),
    /// Compute a plan.
    Plan(PlanJob),
    /// Write a plan's files.
    Write(WriteJob),
    /// Read a template's saved draft (the state directory may be on a slow disk).
    LoadDraft(Box<DraftLoadJob>),
}

/// The read of a template's saved draft, for the form that just opened.
#[derive(Debug)]
pub struct DraftLoadJob {
    /// Where drafts are kept.
    pub drafts: Drafts,
    /// The template whose draft to read.
    pub template: EntityRef,
    /// Its form: only its known, non-secret fields are taken from the draft.
    pub form: Form,
}

/// What reading a template's draft found.
#[derive(Debug)]
pub struct DraftLoaded {
    /// The template whose draft was read.
    pub template: EntityRef,
    /// What was found.
    pub load: DraftLoad,
}

/// A finished job's answer.
#[derive(Debug)]
pub enum JobDone {
    /// A plan (or why there is none).
    Plan(PlanDone),
    /// What a write did.
    Write(WriteDone),
    /// A draft was written or removed (or failed to be).
    Draft(DraftSaved),
    /// A template's draft was read.
    DraftLoaded(DraftLoaded),
}

impl Job {
    /// Runs the job on this thread (a draft is written at once). `None`: a plan that was
    /// overtaken by a newer one before it started.
    pub fn run_here(self) -> Option<JobDone> {
        match self {
            Job::Draft(op) => Some(JobDone::Draft(DraftSaved {
                path: op.path().to_path_buf(),
                result: op.apply(),
            })),
            Job::Plan(job) => job.run().map(JobDone::Plan),
            Job::Write(job) => Some(JobDone::Write(job.run())),
            Job::LoadDraft(job) => Some(JobDone::DraftLoaded(DraftLoaded {
                load: job.drafts.load(&job.template, &job.form),
                template: job.template,
            })),
        }
    }
}

/// A dry run of a template over the values.
#[derive(Debug)]
pub struct PlanJob {
    /// This job's id.
    pub id: u64,
    /// The template.
    pub template: Template,
    /// Its form.
    pub form: Form,
    /// The values.
    pub values: Values,
    /// The `user` context.
    pub user: Value,
    /// The target directory as typed.
    pub target: String,
    /// The id of the newest plan asked for: an older job skips its work.
    pub latest: Arc<AtomicU64>,
}

/// A plan, or the message saying why there is none.
#[derive(Debug)]
pub struct PlanDone {
    /// The job's id.
    pub id: u64,
    /// The plan, or what is wrong.
    pub result: Result<Plan, String>,
}

impl PlanJob {
    /// Computes the plan, unless a newer plan was asked for meanwhile.
    pub fn run(self) -> Option<PlanDone> {
        if self.latest.load(Ordering::Relaxed) != self.id {
            return None;
        }
        let result = plan(
            &self.template,
            &self.form,
            &self.values,
            self.user,
            &self.target,
        )
        .map_err(|e| match e {
            PlanError::Invalid(errors) => errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        });
        Some(PlanDone {
            id: self.id,
            result,
        })
    }
}

/// Writing a plan's files into a target directory.
#[derive(Debug)]
pub struct WriteJob {
    /// This job's id.
    pub id: u64,
    /// What to write.
    pub plan: Plan,
    /// Where.
    pub target: PathBuf,
    /// Write into a non-empty target (the user confirmed).
    pub overwrite: bool,
}

/// What a write did.
#[derive(Debug)]
pub enum WriteResult {
    /// Every file was written.
    Written(WriteReport),
    /// The target is not empty: ask before writing into it. Nothing was written.
    NotFree,
    /// Nothing was written, for this reason.
    Failed(String),
}

/// A write's answer.
#[derive(Debug)]
pub struct WriteDone {
    /// The job's id.
    pub id: u64,
    /// What happened.
    pub result: WriteResult,
}

impl WriteJob {
    /// Writes the files (all or none).
    pub fn run(self) -> WriteDone {
        let result = if !self.overwrite && !target_is_free(&self.target) {
            WriteResult::NotFree
        } else {
            match write(&self.plan, &self.target, self.overwrite) {
                Ok(report) => WriteResult::Written(report),
                Err(e) => WriteResult::Failed(e.to_string()),
            }
        };
        WriteDone {
            id: self.id,
            result,
        }
    }
}
