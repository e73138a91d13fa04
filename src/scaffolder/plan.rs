//! The dry run: every step of a template run in memory, giving the plan the user reviews —
//! each step with its status, each file with its size and a preview, the output links and
//! text. Nothing touches the disk here; [`super::write`] writes a plan.

use super::actions::{self, ActionContext, ActionError, StepOutcome, Workspace};
use super::form::{Form, Values};
use super::render::{render_output, Output, RunContext};
use super::template::Template;
use super::validate::{check_all, FieldError};
use crate::catalog::Entity;
use crate::expr::{Expr, ExprError};
use serde_json::{json, Value};

/// How many lines of each file the plan keeps as a preview.
pub const PREVIEW_LINES: usize = 40;

/// Why a template could not be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The values do not pass validation; one entry per field.
    #[error("{} field(s) are invalid: {}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// A step's input or `if:` did not render.
    #[error("step {step}: {source}")]
    Render {
        /// The step id.
        step: String,
        /// The expression error.
        source: ExprError,
    },
    /// A step failed (a path escaping the target, a missing skeleton, a bad input).
    #[error("step {step} ({action}): {source}")]
    Step {
        /// The step id.
        step: String,
        /// The action id.
        action: String,
        /// What went wrong.
        source: ActionError,
    },
    /// The output did not render.
    #[error("output: {0}")]
    Output(ExprError),
}

/// What happened to a step in the plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    /// Runs locally.
    Local,
    /// Its `if:` was false.
    SkippedByCondition,
    /// Needs a Backstage server; skipped locally.
    RunsOnBackstage,
    /// Not an action we know; skipped.
    Unknown,
}

/// One step of the plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StepReport {
    /// The step id.
    pub id: String,
    /// The step name.
    pub name: String,
    /// The action id.
    pub action: String,
    /// What happens to it.
    pub status: StepStatus,
    /// What it reports (files fetched, log lines, why it was skipped); secrets masked.
    pub messages: Vec<String>,
}

/// One file the plan would write.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlannedFile {
    /// The path relative to the target directory (`/`-separated).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// True when it is not UTF-8 text (no preview).
    pub binary: bool,
    /// True when it is written executable (its skeleton file was).
    pub executable: bool,
    /// The first [`PREVIEW_LINES`] lines, cleaned for display, secrets masked.
    pub preview: String,
    /// The contents to write.
    #[serde(skip)]
    pub contents: Vec<u8>,
}

/// The result of a dry run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    /// The template's reference.
    pub template: String,
    /// The target directory as given.
    pub target: String,
    /// Every step, in order.
    pub steps: Vec<StepReport>,
    /// Every file, sorted by path.
    pub files: Vec<PlannedFile>,
    /// The output links and text.
    pub output: Output,
    /// References of the entities `catalog:register` would add.
    pub registered: Vec<String>,
    /// The entities `catalog:register` would add to the open catalog.
    #[serde(skip)]
    pub entities: Vec<Entity>,
}

impl Plan {
    /// The total size of the files in bytes.
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Validates the values, then runs every step in memory. `user` is the `user` context
/// (`{ ref, entity }`); `target` is where the files would go (for messages and origins).
pub fn plan(
    template: &Template,
    form: &Form,
    values: &Values,
    user: Value,
    target: &str,
) -> Result<Plan, PlanError> {
    let errors = check_all(form, values);
    if !errors.is_empty() {
        return Err(PlanError::Invalid(errors));
    }
    let (parameters, secrets) = form.submission(values);
    let mut cx = RunContext::new(parameters, secrets, user);
    // Password fields stay parameters (as in Backstage) but are masked like secrets.
    cx.masked = form
        .fields()
        .filter(|f| f.is_secret())
        .filter_map(|f| cx.parameters.get(&f.key).and_then(Value::as_str))
        .map(str::to_string)
        .collect();
    let expr = Expr::new();
    let mut workspace = Workspace::default();
    let mut entities = Vec::new();
    let mut steps = Vec::new();
    // The folder a publish step publishes: `catalog:register`'s `catalogInfoPath` is inside it.
    let mut source_path: Option<String> = None;
    let mut ran_on_backstage = false;
    let template_ref = template.entity_ref.to_string();
    for step in &template.steps {
        let render_err = |source| PlanError::Render {
            step: step.id.clone(),
            source,
        };
        let ctx = cx.to_value();
        let report = |status, messages: Vec<String>| StepReport {
            id: step.id.clone(),
            name: crate::text::one_line(&step.name),
            action: crate::text::one_line(&step.action),
            status,
            messages: messages
                .iter()
                .map(|m| crate::text::clean_owned(cx.mask(m)))
                .collect(),
        };
        if let Some(cond) = &step.condition {
            if !expr.condition(cond, &ctx).map_err(render_err)? {
                steps.push(report(StepStatus::SkippedByCondition, vec![]));
                continue;
            }
        }
        let iterations = match &step.each {
            Some(each) => each_items(&expr, each, &ctx).map_err(|e| match e {
                EachError::Render(source) => render_err(source),
                EachError::Input(message) => PlanError::Step {
                    step: step.id.clone(),
                    action: step.action.clone(),
                    source: ActionError::Input(message),
                },
            })?,
            None => vec![None],
        };
        let mut status = StepStatus::Local;
        let mut messages = Vec::new();
        let mut output = json!({});
        for iteration in iterations {
            let mut ctx = ctx.clone();
            if let (Some(each), Value::Object(map)) = (&iteration, &mut ctx) {
                map.insert("each".into(), each.clone());
            }
            let mut kept = Vec::new();
            let input = if actions::runs_locally(&step.action) {
                expr.render_value(&step.input, &ctx).map_err(render_err)?
            } else {
                render_leniently(&expr, &step.input, &ctx, &mut kept)
            };
            if step.action.starts_with("publish:") {
                source_path = input
                    .get("sourcePath")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            let input = match (step.action.as_str(), &source_path) {
                ("catalog:register", Some(root)) => under_source_path(input, root),
                _ => input,
            };
            let mut acx = ActionContext {
                expr: &expr,
                template_file: &template.origin.path,
                template_ref: &template_ref,
                target,
                workspace: &mut workspace,
                registered: &mut entities,
            };
            let outcome = match actions::run(&step.action, &input, &mut acx) {
                // The file may come from a step that runs on Backstage (`fetch:cookiecutter`,
                // `fetch:rails`): there it is registered; here it cannot be.
                Err(ActionError::NotGenerated { file }) if ran_on_backstage => {
                    StepOutcome::RunsOnBackstage(format!(
                        "{file} is not among the files made here (a step that runs on Backstage may make it): registered on Backstage"
                    ))
                }
                other => other.map_err(|source| PlanError::Step {
                    step: step.id.clone(),
                    action: step.action.clone(),
                    source,
                })?,
            };
            ran_on_backstage |= !matches!(outcome, StepOutcome::Done { .. });
            let (this_status, this_messages, this_output) = match outcome {
                StepOutcome::Done { output, messages } => (StepStatus::Local, messages, output),
                StepOutcome::RunsOnBackstage(m) => {
                    (StepStatus::RunsOnBackstage, vec![m], json!({}))
                }
                StepOutcome::Unknown(m) => (StepStatus::Unknown, vec![m], json!({})),
            };
            status = this_status;
            messages.extend(this_messages);
            messages.extend(kept);
            output = match iteration {
                // With `each:`, every output is the list of what each run gave, as Backstage
                // collects them.
                Some(_) => append_outputs(output, this_output),
                None => this_output,
            };
        }
        steps.push(report(status, messages));
        cx.steps
            .insert(step.id.clone(), json!({ "output": output }));
    }
    let output = render_output(&expr, &template.output, &cx).map_err(PlanError::Output)?;
    let executable = workspace.executable;
    let files = workspace
        .files
        .into_iter()
        .map(|(path, contents)| {
            let mut file = planned_file(path, contents, &cx);
            file.executable = executable.contains(&file.path);
            file
        })
        .collect();
    Ok(Plan {
        template: template.entity_ref.to_string(),
        target: target.to_string(),
        registered: entities
            .iter()
            .map(|e| e.entity_ref().to_string())
            .collect(),
        entities,
        steps,
        files,
        output,
    })
}

/// Renders the input of a step that runs on Backstage. An expression that fails here (a filter
/// only the server has, such as `now`) keeps its text, with a warning, as Backstage's dry-run
/// keeps it: the step does not run here, so it must not stop the local run.
fn render_leniently(expr: &Expr, value: &Value, ctx: &Value, kept: &mut Vec<String>) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_leniently(expr, v, ctx, kept))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render_leniently(expr, v, ctx, kept)))
                .collect(),
        ),
        other => expr.render_value(other, ctx).unwrap_or_else(|e| {
            kept.push(format!(
                "warning: kept `{}` as written: {} (Backstage renders it when the step runs)",
                e.template, e.message
            ));
            other.clone()
        }),
    }
}

/// `catalog:register`'s input with `catalogInfoPath` inside the published folder: Backstage
/// reads it from the published repository, whose root is the publish step's `sourcePath`.
fn under_source_path(mut input: Value, root: &str) -> Value {
    if let Some(obj) = input.as_object_mut() {
        let path = obj
            .get("catalogInfoPath")
            .and_then(Value::as_str)
            .unwrap_or("/catalog-info.yaml");
        let joined = format!(
            "{}/{}",
            root.trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        obj.insert("catalogInfoPath".into(), Value::String(joined));
    }
    input
}

/// Most runs of one step with `each:`.
pub const MAX_EACH: usize = 10_000;

/// Why a step's `each:` gave no runs.
enum EachError {
    Render(crate::expr::ExprError),
    Input(String),
}

/// The runs of a step with `each:`, as Backstage makes them (`Object.entries` of the rendered
/// value): a list's items with their index (as text) for `each.key`, an object's entries, a
/// text's characters; a number or boolean runs the step once without `each`.
fn each_items(expr: &Expr, each: &Value, ctx: &Value) -> Result<Vec<Option<Value>>, EachError> {
    let value = expr.render_value(each, ctx).map_err(EachError::Render)?;
    let entries: Vec<(String, Value)> = match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Value::Object(map) => map.into_iter().collect(),
        Value::String(text) => text
            .chars()
            .enumerate()
            .map(|(i, c)| (i.to_string(), Value::String(c.to_string())))
            .collect(),
        Value::Null => {
            return Err(EachError::Input(
                "each: must be a list or an object, found null".into(),
            ))
        }
        _ => Vec::new(),
    };
    if entries.len() > MAX_EACH {
        return Err(EachError::Input(format!(
            "each: {} runs, more than {MAX_EACH}",
            entries.len()
        )));
    }
    if entries.is_empty() {
        return Ok(vec![None]);
    }
    Ok(entries
        .into_iter()
        .map(|(key, value)| Some(json!({ "key": key, "value": value })))
        .collect())
}

/// Adds one run's outputs to the lists of a step with `each:`.
fn append_outputs(mut all: Value, one: Value) -> Value {
    if let (Value::Object(all_map), Value::Object(one_map)) = (&mut all, one) {
        for (name, value) in one_map {
            match all_map
                .entry(name)
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(items) => items.push(value),
                other => *other = Value::Array(vec![value]),
            }
        }
    }
    all
}

fn planned_file(path: String, contents: Vec<u8>, cx: &RunContext) -> PlannedFile {
    let (binary, preview) = match std::str::from_utf8(&contents) {
        Ok(text) => {
            let head: Vec<&str> = text.lines().take(PREVIEW_LINES).collect();
            let mut preview = head.join("\n");
            if text.lines().nth(PREVIEW_LINES).is_some() {
                preview.push_str("\n…");
            }
            (false, crate::text::clean_owned(cx.mask(&preview)))
        }
        Err(_) => (true, String::new()),
    };
    PlannedFile {
        path,
        size: contents.len() as u64,
        binary,
        executable: false,
        preview,
        contents,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Origin;
    use crate::scaffolder::render::user_value;

    fn template(steps: Value) -> Template {
        let e = Entity::from_value(
            json!({"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
                   "metadata": {"name": "t"}, "spec": {
                       "parameters": {"properties": {"items": {"type": "array"}}},
                       "steps": steps}}),
            Origin::new("t.yaml", None),
        )
        .unwrap()
        .0;
        Template::from_entity(&e).unwrap()
    }

    #[test]
    fn each_runs_the_step_once_per_item_and_collects_outputs() {
        let t = template(json!([
            {"id": "loop", "action": "debug:log",
             "each": "${{ parameters.items }}", "input": {"message": "${{ each.key }}=${{ each.value }}"}},
            {"id": "none", "action": "debug:log", "each": "${{ parameters.missing }}",
             "input": {"message": "x"}}
        ]));
        let form = Form::from_template(&t);
        let mut values = Values::new();
        values.insert("items".into(), json!(["a", "b"]));
        let p = plan(&t, &form, &values, user_value(None, None), "out").unwrap_err();
        // `each:` over nothing is Backstage's TypeError (Object.entries of undefined).
        assert!(
            p.to_string().contains("each: must be a list or an object"),
            "{p}"
        );
        let t = template(json!([{"id": "loop", "action": "debug:log",
            "each": "${{ parameters.items }}", "input": {"message": "${{ each.key }}=${{ each.value }}"}}]));
        let p = plan(&t, &form, &values, user_value(None, None), "out").unwrap();
        assert_eq!(p.steps[0].status, StepStatus::Local);
        assert_eq!(p.steps[0].messages, ["0=a", "1=b"]);
        // A hostile loop stops before it runs.
        values.insert("items".into(), json!(vec!["x"; MAX_EACH + 1]));
        let err = plan(&t, &form, &values, user_value(None, None), "out").unwrap_err();
        assert!(err.to_string().contains("more than 10000"), "{err}");
    }

    #[test]
    fn bad_expression_in_a_step_names_the_step() {
        let t = template(json!([{"id": "broken", "action": "debug:log",
            "input": {"message": "${{ parameters.items | nosuchfilter }}"}}]));
        let form = Form::from_template(&t);
        let err = plan(&t, &form, &Values::new(), user_value(None, None), "out").unwrap_err();
        assert!(err.to_string().starts_with("step broken:"), "{err}");
    }

    #[test]
    fn register_of_a_file_a_server_step_would_make_runs_on_backstage_not_fails() {
        // As docs-template-cookiecutter: fetch:cookiecutter makes catalog-info.yaml on
        // Backstage; Backstage's dry-run completes, so the local plan must too.
        let register = json!({"id": "register", "action": "catalog:register",
            "input": {"catalogInfoPath": "/catalog-info.yaml"}});
        let t = template(json!([{"id": "fetch", "action": "fetch:cookiecutter",
            "input": {"url": "./skeleton"}}, register.clone()]));
        let form = Form::from_template(&t);
        let p = plan(&t, &form, &Values::new(), user_value(None, None), "out").unwrap();
        assert_eq!(p.steps[1].status, StepStatus::RunsOnBackstage);
        assert!(p.steps[1].messages[0].contains("catalog-info.yaml"));
        // With nothing that could make it, the file is missing: an error, as before.
        let t = template(json!([register]));
        let err = plan(&t, &form, &Values::new(), user_value(None, None), "out").unwrap_err();
        assert!(
            err.to_string().contains("not among the generated files"),
            "{err}"
        );
    }

    #[test]
    fn template_without_steps_plans_nothing() {
        let t = template(json!([]));
        let form = Form::from_template(&t);
        let p = plan(&t, &form, &Values::new(), user_value(None, None), "out").unwrap();
        assert!(p.steps.is_empty() && p.files.is_empty());
    }
}
