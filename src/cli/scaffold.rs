//! `idp-tui scaffold TEMPLATE --values FILE --out DIR`: runs a Software Template without a
//! terminal — the same validation, plan and safe write as the form — and `idp-tui templates`,
//! which lists the templates of the catalog.

use super::{load, print_json, Settings};
use crate::catalog::{Catalog, EntityId, Lookup};
use crate::scaffolder::plan::{plan, Plan, PlanError, StepStatus};
use crate::scaffolder::render::user_value;
use crate::scaffolder::write::{write, WriteError};
use crate::scaffolder::{Form, Template, Values};
use color_eyre::eyre::{eyre, WrapErr};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `scaffold`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template: `template:namespace/name`, or just its name.
    pub template: String,
    /// A YAML or JSON file with the form's values (field key: value). Fields it leaves out
    /// take their defaults.
    #[arg(long, value_name = "FILE")]
    pub values: Option<PathBuf>,
    /// The directory to create. It must not exist or be empty, unless --overwrite is given.
    #[arg(long, value_name = "DIR", required_unless_present = "remote")]
    pub out: Option<PathBuf>,
    /// Run the template on a Backstage backend instead: the source it was loaded from, or the
    /// named one. Step progress goes to stderr, the output links to stdout.
    #[arg(long, value_name = "SOURCE", num_args = 0..=1, default_missing_value = "", conflicts_with_all = ["out", "dry_run", "overwrite"])]
    pub remote: Option<String>,
    /// With --remote: stop following the task after this many seconds (it goes on running on
    /// the server).
    #[arg(long, value_name = "SECS", default_value_t = 1800, requires = "remote")]
    pub timeout: u64,
    /// Print the plan (steps, files, output) and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write into a non-empty --out directory, replacing files of the same name.
    #[arg(long)]
    pub overwrite: bool,
    /// The user running the template, for `${{ user.ref }}` and `${{ user.entity }}`
    /// (default: user:default/$USER).
    #[arg(long, value_name = "REF")]
    pub user: Option<String>,
    /// Print the plan and the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `templates`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Finds a template by reference or name: a bare name means a Template first.
pub fn find_template(catalog: &Catalog, input: &str) -> Result<EntityId, ExitCode> {
    if !input.contains(':') {
        if let Lookup::Found(id) = catalog.lookup(&format!("template:{input}")) {
            return Ok(id);
        }
    }
    super::show::resolve(catalog, input)
}

/// Reads a values file (YAML or JSON) into form values.
pub fn read_values(path: &std::path::Path) -> color_eyre::Result<Values> {
    let text = std::fs::read_to_string(path)
        .wrap_err_with(|| format!("reading the values file {}", path.display()))?;
    let doc: Value = crate::yaml::from_str(&text)
        .wrap_err_with(|| format!("{} is not valid YAML or JSON", path.display()))?;
    match crate::catalog::entity::clean_value(doc) {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Values::new()),
        other => Err(eyre!(
            "{}: the values must be a mapping of field names to values, not {}",
            path.display(),
            crate::catalog::entity::type_name(&other)
        )),
    }
}

/// Runs `scaffold`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let catalog = load(settings)?;
    let id = match find_template(&catalog, &args.template) {
        Ok(id) => id,
        Err(code) => return Ok(code),
    };
    let template = match Template::from_entity(catalog.get(id)) {
        Ok(t) => t,
        Err(e) => {
            tell!("idp-tui: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let form = Form::from_template(&template);
    let mut values = form.initial_values();
    if let Some(path) = &args.values {
        // A nested object's values may be given as a mapping, as Backstage takes them.
        values.extend(form.flatten(read_values(path)?));
    }
    if let Some(name) = &args.remote {
        let source = match super::scaffold_remote::remote_source(
            &settings.sources,
            catalog.get(id),
            Some(name.as_str()),
        ) {
            Ok(s) => s,
            Err(message) => {
                tell!("idp-tui: {message}");
                return Ok(ExitCode::from(2));
            }
        };
        return super::scaffold_remote::run(
            &source,
            &template,
            &form,
            &values,
            std::time::Duration::from_secs(args.timeout.max(1)),
            args.json,
        );
    }
    let Some(out) = &args.out else {
        tell!("idp-tui: --out DIR is needed to run a template locally");
        return Ok(ExitCode::from(2));
    };
    let user_ref = args.user.clone().or_else(|| {
        std::env::var("USER")
            .ok()
            .map(|u| format!("user:default/{u}"))
    });
    let user_entity = user_ref.as_deref().and_then(|r| match catalog.lookup(r) {
        Lookup::Found(id) => Some(catalog.get(id).to_value()),
        _ => None,
    });
    let target = out.to_string_lossy().to_string();
    let plan = match plan(
        &template,
        &form,
        &values,
        user_value(user_ref.as_deref(), user_entity),
        &target,
    ) {
        Ok(p) => p,
        Err(PlanError::Invalid(errors)) => {
            if args.json {
                print_json(&json!({ "ok": false, "errors": errors }))?;
            } else {
                tell!("idp-tui: the values are invalid:");
                for e in &errors {
                    tell!("  {e}");
                }
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            if args.json {
                print_json(&json!({ "ok": false, "error": e.to_string() }))?;
            } else {
                tell!("idp-tui: {e}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    if args.dry_run {
        if args.json {
            print_json(&json!({ "ok": true, "dry_run": true, "plan": plan }))?;
        } else {
            print_plan(&plan);
            say!("\nDry run: nothing was written.");
        }
        return Ok(ExitCode::SUCCESS);
    }
    remove_staging_on_interrupt();
    match write(&plan, out, args.overwrite) {
        Ok(report) => {
            if args.json {
                print_json(&json!({ "ok": true, "plan": plan, "written": report }))?;
            } else {
                print_plan(&plan);
                say!(
                    "\nWrote {} file(s), {} bytes, to {}.",
                    report.files,
                    report.bytes,
                    report.target.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let hint = matches!(e, WriteError::NotEmpty(_))
                .then_some(" (use --overwrite, or choose another --out)")
                .unwrap_or_default();
            if args.json {
                print_json(&json!({ "ok": false, "error": e.to_string() }))?;
            } else {
                tell!("idp-tui: nothing was written: {e}{hint}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// From here on, Ctrl-C (or SIGTERM, SIGHUP) removes the staging directory of the write in
/// progress before the process ends with 130: a signal runs no destructor, so without this the
/// half-written `.idp-tui-scaffold-*` directory stayed beside the target.
fn remove_staging_on_interrupt() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(_) => return,
        };
        // The handlers are installed here, before the write starts, not on the thread.
        let signals = runtime.block_on(async {
            Some((
                signal(SignalKind::interrupt()).ok()?,
                signal(SignalKind::terminate()).ok()?,
                signal(SignalKind::hangup()).ok()?,
            ))
        });
        let Some((mut interrupt, mut terminate, mut hangup)) = signals else {
            return;
        };
        std::thread::spawn(move || {
            runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                    _ = hangup.recv() => {}
                }
            });
            crate::scaffolder::write::remove_staging();
            std::process::exit(130);
        });
    }
}

fn size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Prints a plan as text: steps, files, registered entities, output.
fn print_plan(plan: &Plan) {
    say!("Plan for {} into {}", plan.template, plan.target);
    say!("\nSteps:");
    for s in &plan.steps {
        let mark = match s.status {
            StepStatus::Local => "run ",
            StepStatus::SkippedByCondition => "skip",
            StepStatus::RunsOnBackstage => "bks ",
            StepStatus::Unknown => "??? ",
        };
        say!("  [{mark}] {} — {} ({})", s.id, s.name, s.action);
        if s.status == StepStatus::SkippedByCondition {
            say!("         its `if` is false");
        }
        for m in &s.messages {
            say!("         {m}");
        }
    }
    say!(
        "\nFiles ({}, {}):",
        plan.files.len(),
        size(plan.total_size())
    );
    for f in &plan.files {
        say!("  {:<48} {:>10}", f.path, size(f.size));
    }
    for r in &plan.registered {
        say!("\nRegisters {r} in the catalog.");
    }
    if !plan.output.links.is_empty() || !plan.output.text.is_empty() {
        say!("\nOutput:");
        print_output(&plan.output, "  ");
    }
}

/// Prints a template's output links (`title: url`) and text blocks, each line indented.
pub(super) fn print_output(output: &crate::scaffolder::render::Output, indent: &str) {
    for l in &output.links {
        let to = l.target();
        say!("{indent}{}: {to}", l.title);
    }
    for t in &output.text {
        say!("{indent}{}", t.title);
        for line in t.content.lines() {
            say!("{indent}  {line}");
        }
    }
}

/// Runs `templates`.
pub fn list(settings: &Settings, args: &ListArgs) -> color_eyre::Result<ExitCode> {
    let catalog = load(settings)?;
    let rows: Vec<Value> = catalog
        .ids()
        .map(|id| (id, catalog.get(id)))
        .filter(|(_, e)| e.kind.eq_ignore_ascii_case("template"))
        .map(|(id, e)| {
            let supported = Template::from_entity(e).err().map(|err| err.to_string());
            json!({
                "ref": e.entity_ref().as_str(),
                "title": e.display_name(),
                "description": e.metadata.description,
                "owner": catalog.owner_ref(id).map(|r| r.as_str().to_string()),
                "tags": e.metadata.tags,
                "type": e.spec_str("type"),
                "problem": supported,
            })
        })
        .collect();
    if args.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        say!("No templates in the catalog.");
    }
    for r in &rows {
        let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
        say!("{}  {}", s("ref"), s("title"));
        let tags: Vec<&str> = r["tags"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        say!("    owner: {}  tags: {}", s("owner"), tags.join(", "));
        if !s("description").is_empty() {
            say!(
                "    {}",
                crate::text::truncate(&crate::text::one_line(&s("description")), 100)
            );
        }
        if !s("problem").is_empty() {
            say!("    cannot run: {}", s("problem"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
