//! The form pane filling a custom action's `inputs:` (Port's self-service actions): the same
//! pages, validation and drafts as a template, but its review shows the command the values
//! render to (each value one argument, quoted as for entity values) instead of files, and
//! Enter runs it — after a confirmation showing the command and the `confirm:` message when
//! the action asks for one. Running closes the form and drops its draft.

use super::form::{FormView, Step};
use super::{Ctx, Outcome};
use crate::actions::{ActionConfig, Plan};
use crate::catalog::EntityId;
use crate::scaffolder::draft::Drafts;
use crate::scaffolder::session::Stage;

/// What an action's form runs, and the command its values render to.
#[derive(Debug, Clone)]
pub struct ActionRun {
    /// The action.
    pub action: ActionConfig,
    /// The entity it runs on.
    pub entity: EntityId,
    /// The command rendered on entering the review (or why it cannot be).
    pub command: Option<Result<Plan, String>>,
}

impl FormView {
    /// Opens the form of an action's inputs, to run it on an entity (`None` when the action
    /// declares no inputs).
    pub fn for_action(
        action: &ActionConfig,
        entity: EntityId,
        ctx: &Ctx,
        drafts: Option<Drafts>,
    ) -> Option<Self> {
        let template = action.input_template(ctx.catalog.get(entity))?;
        let mut view = FormView::new(template, ctx, drafts);
        view.action = Some(ActionRun {
            action: action.clone(),
            entity,
            command: None,
        });
        Some(view)
    }

    /// Renders the command for the review from the values.
    pub(super) fn render_command(&mut self, ctx: &Ctx) {
        // A nested object's fields go back in their object, as `${{ inputs.… }}` reads them.
        let values = self.session.form.nested(&self.session.values);
        if let Some(run) = &mut self.action {
            let entity = ctx.catalog.get(run.entity);
            run.command = Some(
                run.action
                    .plan_with(entity, &values)
                    .map_err(|e| e.to_string()),
            );
        }
    }

    /// Enter on an action's review: ask first when the action wants it, else run.
    pub(super) fn run_action(&mut self) -> Outcome {
        let Some(run) = &self.action else {
            return Outcome::Ignored;
        };
        match &run.command {
            Some(Ok(plan)) if plan.confirm => {
                self.step = Step::ConfirmRun;
                Outcome::Consumed
            }
            Some(Ok(_)) => self.run_now(),
            Some(Err(e)) => Outcome::Error(format!("cannot run: {e}")),
            None => Outcome::Consumed,
        }
    }

    /// Runs the rendered command: the form closes and its draft goes.
    pub(super) fn run_now(&mut self) -> Outcome {
        let Some(Some(Ok(plan))) = self.action.as_ref().map(|r| r.command.clone()) else {
            return Outcome::Consumed;
        };
        self.session.discard_draft();
        self.step = Step::Form;
        Outcome::RunCommand(plan)
    }

    /// Any key but `y`/Enter on the confirmation: back to the review, nothing run.
    pub(super) fn cancel_run(&mut self) -> Outcome {
        self.step = Step::Form;
        self.session.stage = Stage::Review;
        Outcome::Status("not run".into())
    }
}
