//! `idp-tui oncall REF` and `idp-tui status REF`: who is on call now and how the entity looks
//! live, from the providers configured under `integrations:`. Exit 0 when answered (providers
//! that failed are listed under `errors`), 2 when the entity is unknown.

use super::output::{emit, emit_json};
use super::{load_entity, Settings};
use crate::live::report::rfc3339;
use crate::live::{human_age, Report, Subject};
use crate::text::one_line;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::SystemTime;

/// Arguments of `oncall` and `status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entity: `kind:namespace/name`, or just `name` when that is unambiguous.
    pub reference: String,
    /// Ask the providers even when the cached answer is younger than the TTL.
    #[arg(long)]
    pub refresh: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn fetch(settings: &Settings, args: &Args) -> color_eyre::Result<Result<Report, ExitCode>> {
    let live = settings.live_service();
    let (catalog, id) = match load_entity(settings, &args.reference) {
        Ok(found) => found,
        Err(code) => return Ok(Err(code)),
    };
    let subject = Subject::of(&catalog, id);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(Ok(runtime.block_on(live.fetch(&subject, args.refresh))))
}

fn common(report: &Report) -> (Value, bool, Value) {
    let errors: Vec<Value> = report
        .errors()
        .map(|(p, m)| json!({"provider": p, "message": m}))
        .collect();
    (
        report
            .fetched_at()
            .map(rfc3339)
            .map_or(Value::Null, Value::String),
        report.stale(),
        Value::Array(errors),
    )
}

/// The JSON of `oncall --json`.
pub fn oncall_json(report: &Report) -> Value {
    let (fetched_at, stale, errors) = common(report);
    json!({
        "ref": report.entity,
        "oncall": report.oncall().map(|o| json!({
            "provider": o.provider, "target": o.target, "level": o.level, "name": o.name,
            "email": o.email, "until": o.until, "url": o.url,
        })).collect::<Vec<_>>(),
        "incidents": report.incidents().map(|i| json!({
            "provider": i.provider, "id": i.id, "title": i.title, "status": i.status,
            "urgency": i.urgency, "created_at": i.created_at, "url": i.url,
        })).collect::<Vec<_>>(),
        "fetched_at": fetched_at,
        "stale": stale,
        "errors": errors,
    })
}

/// The JSON of `status --json`.
pub fn status_json(report: &Report) -> Value {
    let (fetched_at, stale, errors) = common(report);
    json!({
        "ref": report.entity,
        "signals": report.signals().map(|s| json!({
            "provider": s.provider, "severity": s.severity.as_str(), "headline": s.headline,
            "items": s.items.iter().map(|i| json!({
                "title": i.title, "detail": i.detail, "url": i.url, "when": i.when,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "fetched_at": fetched_at,
        "stale": stale,
        "errors": errors,
    })
}

/// Runs `oncall`.
pub fn oncall(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let report = match fetch(settings, args)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if args.json {
        emit_json(&oncall_json(&report))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    outln!(out, "{}", report.entity);
    let people: Vec<_> = report.oncall().collect();
    if people.is_empty() {
        outln!(out, "on call now: nobody known");
    } else {
        outln!(out, "on call now:");
        for r in &report.results {
            for o in &r.answer.oncall {
                let mut line = format!("  {:<10} {}", o.provider, one_line(&o.name));
                if let Some(e) = &o.email {
                    line.push_str(&format!(" <{}>", one_line(e)));
                }
                if let Some(l) = o.level {
                    line.push_str(&format!("  level {l}"));
                }
                line.push_str(&format!(
                    "  until {}",
                    o.until.as_deref().unwrap_or("further notice")
                ));
                line.push_str(&format!("  ({})", one_line(&o.target)));
                if let Some(from) = &r.from {
                    line.push_str(&format!("  [from {from}]"));
                }
                outln!(out, "{line}");
            }
        }
    }
    let incidents: Vec<_> = report.incidents().collect();
    if !incidents.is_empty() {
        outln!(out, "open incidents:");
        for i in incidents {
            outln!(
                out,
                "  {:<10} #{} {}  {} {}  {}",
                i.provider,
                one_line(&i.id),
                one_line(&i.title),
                one_line(&i.status),
                one_line(&i.urgency),
                i.created_at.as_deref().unwrap_or("")
            );
        }
    }
    footer(&mut out, &report);
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `status`.
pub fn status(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let report = match fetch(settings, args)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if args.json {
        emit_json(&status_json(&report))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    outln!(out, "{}", report.entity);
    if report.results.is_empty() {
        outln!(
            out,
            "no live provider applies (see `integrations:` in docs/configuration.md)"
        );
    }
    for r in &report.results {
        let s = &r.answer.signal;
        outln!(
            out,
            "{:<8} {:<11} {}  ({})",
            s.severity.as_str(),
            s.provider,
            one_line(&s.headline),
            r.via
        );
        for i in &s.items {
            let mut line = format!("         - {}", one_line(&i.title));
            if !i.detail.is_empty() {
                line.push_str(&format!(": {}", one_line(&i.detail)));
            }
            if let Some(u) = &i.url {
                line.push_str(&format!("  {}", one_line(u)));
            }
            outln!(out, "{line}");
        }
    }
    footer(&mut out, &report);
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn footer(out: &mut String, report: &Report) {
    if let Some(age) = report.age(SystemTime::now()) {
        let stale = if report.stale() { ", stale" } else { "" };
        outln!(out, "fetched {} ago{stale}", human_age(age));
    }
    for (provider, message) in report.errors() {
        outln!(out, "error: {provider}: {}", one_line(message));
    }
}
