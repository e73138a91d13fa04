//! `idp-tui convert PATH... --to backstage [--out DIR] [--json]`: other portals' descriptors
//! (Cortex, OpsLevel, Compass, Port) written as Backstage catalog YAML, so a team can migrate.
//! Every problem is printed as `path:line: severity: message` on stderr; exit 1 when a file
//! had an error (the other files are still converted).

use super::output::EXIT_USER_ERROR;
use crate::catalog::Severity;
use crate::formats::{self, Format, Resolved};
use crate::vfs;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The catalog format `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// Backstage catalog-info YAML.
    Backstage,
}

/// Arguments of `convert`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Descriptor files or directories: cortex.yaml, opslevel.yml, compass.yml, port.yml, and
    /// Port JSON named explicitly. Directories are walked for the descriptor file names.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// The format to write.
    #[arg(long, value_enum, default_value = "backstage")]
    pub to: Target,
    /// Write one catalog-info.yaml per source file under DIR, keeping the source folders
    /// (default: all entities on stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace files that already exist under --out.
    #[arg(long)]
    pub force: bool,
    /// Print a JSON report instead of the YAML: per file and entity, every source field and
    /// whether it was mapped, kept as an annotation or lost.
    #[arg(long)]
    pub json: bool,
}

/// Runs `convert`.
pub fn run(args: &Args) -> color_eyre::Result<ExitCode> {
    let mut files: Vec<(Format, String, String)> = Vec::new(); // (format, path, base)
    for path in &args.paths {
        if vfs::is_dir(path) {
            let found = match vfs::yaml_files(path) {
                Ok(found) => found,
                Err(e) => {
                    tell!("idp-tui: error: cannot read directory {path}: {e}");
                    return Ok(ExitCode::from(EXIT_USER_ERROR));
                }
            };
            let before = files.len();
            files.extend(
                found
                    .into_iter()
                    .filter_map(|f| Some((Format::detect(&f)?, f, path.clone()))),
            );
            if files.len() == before {
                tell!("idp-tui: warning: {path}: no cortex.yaml, opslevel.yml, compass.yml or port.yml found");
            }
        } else {
            let text = vfs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned());
            let format = match &text {
                Ok(text) => Format::detect_named(path, text),
                Err(e) => {
                    tell!("idp-tui: error: cannot read {path}: {e}");
                    return Ok(ExitCode::from(EXIT_USER_ERROR));
                }
            };
            let Some(format) = format else {
                tell!("idp-tui: error: {path}: not a descriptor idp-tui converts (cortex.yaml, opslevel.yml, compass.yml, port.yml or Port JSON)");
                return Ok(ExitCode::from(EXIT_USER_ERROR));
            };
            let base = Path::new(path)
                .parent()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push((format, path.clone(), base));
        }
    }
    // The Port blueprints beside a port.yml steer its mapping: read them with it.
    let companions: Vec<(Format, String, String)> = files
        .iter()
        .flat_map(|(_, p, base)| {
            formats::companions(p)
                .into_iter()
                .map(move |c| (Format::Port, c, base.clone()))
        })
        .collect();
    for companion in companions {
        if !files.iter().any(|(_, p, _)| *p == companion.1) {
            files.push(companion);
        }
    }
    let list: Vec<(Format, String)> = files.iter().map(|(f, p, _)| (*f, p.clone())).collect();
    let resolved = formats::import(&list, |p| {
        vfs::read(p)
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "not valid UTF-8".to_string()))
    });
    let mut errors = 0;
    for p in resolved.iter().flat_map(|r| &r.problems) {
        errors += usize::from(p.severity == Severity::Error);
        tell!("{p}");
    }
    let mut written: Vec<Option<PathBuf>> = vec![None; resolved.len()];
    if let Some(out) = &args.out {
        let mut used = HashSet::new();
        for (i, file) in resolved.iter().enumerate() {
            if file.drafts.is_empty() {
                continue;
            }
            let base = files.get(i).map_or("", |(_, _, b)| b.as_str());
            let target = output_path(out, base, &file.path, file.format, &mut used);
            if target.exists() && !args.force {
                tell!(
                    "idp-tui: error: {} exists: not overwritten (--force replaces it)",
                    target.display()
                );
                return Ok(ExitCode::from(EXIT_USER_ERROR));
            }
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&target, yaml_of(file))?;
            written[i] = Some(target);
        }
    }
    if args.json {
        super::print_json(&report(&resolved, &written))?;
    } else if args.out.is_none() {
        for file in &resolved {
            if !file.drafts.is_empty() {
                say_part!("{}", yaml_of(file));
            }
        }
    } else {
        let count: usize = resolved.iter().map(|r| r.drafts.len()).sum();
        let files_written = written.iter().flatten().count();
        tell!("idp-tui: wrote {count} entities in {files_written} file(s)");
    }
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Where a source file's entities go under `out`: its folder below the argument it was found
/// in, as `catalog-info.yaml` (`catalog-info.<format>.yaml`, then a number, when taken).
fn output_path(
    out: &Path,
    base: &str,
    source: &str,
    format: Format,
    used: &mut HashSet<PathBuf>,
) -> PathBuf {
    let dir = Path::new(source).parent().unwrap_or(Path::new(""));
    let rel = dir.strip_prefix(base).unwrap_or(Path::new(""));
    // Never outside `out`: only plain folder names are kept, without a leading dot (Backstage
    // discovery and idp-tui walks pass hidden folders by, `.cortex/` among them).
    let rel: PathBuf = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => {
                let n = n.to_string_lossy();
                let n = n.trim_start_matches('.');
                (!n.is_empty()).then(|| n.to_string())
            }
            _ => None,
        })
        .collect();
    let folder = out.join(rel);
    let mut candidates = vec![
        folder.join("catalog-info.yaml"),
        folder.join(format!("catalog-info.{}.yaml", format.name())),
    ];
    candidates.extend(
        (2..)
            .take(1000)
            .map(|n| folder.join(format!("catalog-info.{}-{n}.yaml", format.name()))),
    );
    candidates
        .into_iter()
        .find(|c| used.insert(c.clone()))
        .unwrap_or_else(|| folder.join("catalog-info.yaml"))
}

/// A file's entities as Backstage YAML documents, with where they came from.
fn yaml_of(file: &Resolved) -> String {
    let mut out = format!(
        "# Converted by idp-tui from {} ({}); see docs/formats.md\n",
        file.path,
        file.format.name()
    );
    for (i, draft) in file.drafts.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_yaml::to_string(&draft.to_value()).unwrap_or_default());
    }
    out
}

/// The `--json` report.
fn report(resolved: &[Resolved], written: &[Option<PathBuf>]) -> Value {
    let files: Vec<Value> = resolved
        .iter()
        .zip(written)
        .map(|(file, out)| {
            let entities: Vec<Value> = file
                .drafts
                .iter()
                .map(|d| {
                    json!({
                        "ref": d.reference(),
                        "line": d.line,
                        "fields": d.fates,
                    })
                })
                .collect();
            json!({
                "source": file.path.as_ref(),
                "format": file.format,
                "output": out.as_ref().map(|p| p.display().to_string()),
                "entities": entities,
                "problems": serde_json::to_value(&file.problems).unwrap_or_default(),
            })
        })
        .collect();
    json!({ "files": files })
}
