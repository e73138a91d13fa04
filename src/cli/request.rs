//! `idp-tui request PROMISE --values V.yaml [--out FILE] [--dry-run] [--json]`: a resource
//! request for a Kratix Promise (see docs/formats.md), its values checked against the CRD's
//! schema. The request goes to stdout, or to FILE; exit 1 on invalid values, with every error.

use super::output::EXIT_USER_ERROR;
use super::Settings;
use crate::catalog::Lookup;
use crate::formats::kratix;
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `request`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Promise: its name (`postgresql`) or its API's reference (`api:kratix/postgresql`).
    pub promise: String,
    /// A YAML or JSON file with the values, as the form keeps them: `name`, `namespace` and
    /// the spec's properties.
    #[arg(long, value_name = "FILE")]
    pub values: PathBuf,
    /// Write the request to FILE instead of stdout (an existing file is not replaced).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Check the values and print the request; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print `{valid, errors, request, written}` as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `request`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let catalog = super::load(settings)?;
    let candidates = [
        args.promise.clone(),
        format!("api:{}/{}", kratix::NAMESPACE, args.promise),
    ];
    let entity = candidates.iter().find_map(|c| match catalog.lookup(c) {
        Lookup::Found(id) => Some(catalog.get(id)),
        _ => None,
    });
    let Some(entity) = entity.filter(|e| e.spec_str("type") == Some("kratix-promise")) else {
        tell!("idp-tui: error: {}: no Kratix Promise of that name in the catalog (`idp-tui search type:kratix-promise` lists them)", args.promise);
        return Ok(ExitCode::from(EXIT_USER_ERROR));
    };
    let crd = entity
        .spec_str("definition")
        .ok_or_else(|| "the Promise's API has no definition".to_string())
        .and_then(|d| crate::yaml::from_str::<Value>(d).map_err(|e| e.to_string()))
        .and_then(|api| kratix::crd_from(&api));
    let crd = match crd {
        Ok(crd) => crd,
        Err(e) => {
            tell!("idp-tui: error: {}: {e}", entity.entity_ref());
            return Ok(ExitCode::from(EXIT_USER_ERROR));
        }
    };
    let values: Map<String, Value> = match std::fs::read_to_string(&args.values)
        .map_err(|e| e.to_string())
        .and_then(|t| crate::yaml::from_str::<Value>(&t).map_err(|e| e.to_string()))
    {
        Ok(Value::Object(map)) => map,
        Ok(Value::Null) => Map::new(),
        Ok(_) => {
            tell!(
                "idp-tui: error: {}: the values must be a mapping",
                args.values.display()
            );
            return Ok(ExitCode::from(EXIT_USER_ERROR));
        }
        Err(e) => {
            tell!("idp-tui: error: {}: {e}", args.values.display());
            return Ok(ExitCode::from(EXIT_USER_ERROR));
        }
    };
    let (request, errors) = match kratix::request(&crd, &values) {
        Ok(request) => (Some(request), Vec::new()),
        Err(errors) => (None, errors),
    };
    let mut written = None;
    if let (Some(request), Some(out), false) = (&request, &args.out, args.dry_run) {
        if out.exists() {
            tell!("idp-tui: error: {} exists: not overwritten", out.display());
            return Ok(ExitCode::from(EXIT_USER_ERROR));
        }
        std::fs::write(out, serde_yaml::to_string(request)?)?;
        written = Some(out.display().to_string());
    }
    if args.json {
        super::print_json(&json!({
            "valid": errors.is_empty(),
            "errors": errors,
            "request": request,
            "written": written,
        }))?;
    } else {
        for e in &errors {
            tell!("idp-tui: invalid: {e}");
        }
        match (&request, &written) {
            (Some(_), Some(path)) => tell!("idp-tui: wrote the {} request to {path}", crd.kind),
            (Some(request), None) => say_part!("{}", serde_yaml::to_string(request)?),
            (None, _) => {}
        }
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
