//! Other portals' descriptor files read into Backstage entities: Cortex `cortex.yaml`, OpsLevel
//! `opslevel.yml`, Atlassian Compass `compass.yml` and Port `port.yml` (plus Port blueprint and
//! export JSON). There is no second model: every file goes through one pipeline,
//!
//! 1. **parse** ([`parse`]): the file is read as YAML (merge keys `<<:` applied, `null` taken
//!    as absent everywhere) and its format's module maps it to [`Draft`]s: Backstage entities
//!    whose references to other files are still pending;
//! 2. **resolve** ([`resolve`]): once every file is parsed, the pending references (Cortex
//!    tags, OpsLevel aliases, Compass ids, Port identifiers) are looked up across all of them
//!    and written into the entities' specs; one that matches nothing is a warning at its line.
//!
//! What has no Backstage field is kept as an annotation under [`PREFIX`] (`idp-tui/raw.<key>`
//! and friends), never dropped silently; every entity carries its provenance
//! ([`FORMAT_ANNOTATION`], [`SOURCE_ID_ANNOTATION`], and its origin's file and line); every
//! mistake is a [`Problem`] at its file and line. The field-by-field tables are in
//! `docs/formats.md`.

mod blueprint;
mod compass;
mod cortex;
mod draft;
pub mod kratix;
mod opslevel;
mod port;
mod port_settle;
mod read;
mod resolve;

pub use draft::{Draft, Fate, FieldFate, PendingRef, RefField};
pub use resolve::{resolve, Resolved};

use crate::catalog::{Origin, Problem};
use std::sync::Arc;

/// The annotation prefix of everything idp-tui keeps from another portal's file.
pub const PREFIX: &str = "idp-tui/";

/// The annotation naming the format an entity was imported from (`cortex`, `opslevel`, …):
/// what the search filter `format:` reads.
pub const FORMAT_ANNOTATION: &str = "idp-tui/source-format";

/// The annotation holding the entity's identifier in its own portal (Cortex tag, OpsLevel
/// alias, Compass ARI, Port `blueprint/identifier`).
pub const SOURCE_ID_ANNOTATION: &str = "idp-tui/source-id";

/// The annotation holding, for a Port entity's properties kept as `port.io/property.<key>`
/// annotations, the titles their blueprint gives them: a JSON object from the annotation's key
/// to the title, which the entity page shows the values under.
pub const PORT_TITLES_ANNOTATION: &str = "port.io/property-titles";

/// A descriptor format idp-tui imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Cortex `cortex.yaml` (an OpenAPI document with `x-cortex-*` keys under `info`).
    Cortex,
    /// OpsLevel `opslevel.yml` (`version: 1` with `service:`, `component:` or `repository:`).
    OpsLevel,
    /// Atlassian Compass `compass.yml`.
    Compass,
    /// Port `port.yml` (one entity or a list) and Port blueprint or export JSON.
    Port,
}

impl Format {
    /// Every format, in the order the docs list them.
    pub const ALL: [Format; 4] = [
        Format::Cortex,
        Format::OpsLevel,
        Format::Compass,
        Format::Port,
    ];

    /// The format's lowercase name, as in `format:cortex` and [`FORMAT_ANNOTATION`].
    pub fn name(self) -> &'static str {
        match self {
            Format::Cortex => "cortex",
            Format::OpsLevel => "opslevel",
            Format::Compass => "compass",
            Format::Port => "port",
        }
    }

    /// The Backstage namespace the format's entities go in, so they never collide with the
    /// Backstage files beside them.
    pub fn namespace(self) -> &'static str {
        self.name()
    }

    /// The format of a file found by walking a directory, from its name: `cortex.yaml`/`.yml`
    /// (and any YAML file under a `.cortex/` folder but a
    /// `catalog-info` one), `opslevel.yml`/`.yaml`,
    /// `compass.yml`/`.yaml` (and the team map `compass-teams.yaml`), `port.yml`/`.yaml`.
    /// `None` for every other file.
    pub fn detect(path: &str) -> Option<Format> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        match name {
            "cortex.yaml" | "cortex.yml" => Some(Format::Cortex),
            "opslevel.yml" | "opslevel.yaml" => Some(Format::OpsLevel),
            "compass.yml" | "compass.yaml" => Some(Format::Compass),
            "compass-teams.yml" | "compass-teams.yaml" => Some(Format::Compass),
            "port.yml" | "port.yaml" => Some(Format::Port),
            _ if (name.ends_with(".yaml") || name.ends_with(".yml"))
                && path.contains(".cortex/")
                && !name.starts_with("catalog-info") =>
            {
                Some(Format::Cortex)
            }
            _ => None,
        }
    }

    /// The format of a file named on the command line: by name as [`Format::detect`]; a
    /// `.json` file that holds no Backstage entity (no `"apiVersion"`) is read as Port
    /// entity, blueprint or export JSON.
    pub fn detect_named(path: &str, text: &str) -> Option<Format> {
        Format::detect(path).or_else(|| {
            (path.ends_with(".json") && !text.contains("\"apiVersion\"")).then_some(Format::Port)
        })
    }

    /// Parses a format's name (`cortex`, `opslevel`, `compass`, `port`), ignoring case.
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

/// The Port blueprint files beside a `port.yml` or `port.yaml`: the JSON files in its folder
/// named `blueprints.json`, `blueprint.json` or `<name>.blueprint.json`, read with it so that
/// the blueprints steer its entities' mapping. Empty for every other file.
pub fn companions(path: &str) -> Vec<String> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if !matches!(name, "port.yml" | "port.yaml") {
        return Vec::new();
    }
    crate::vfs::dir_files(&crate::vfs::join(path, "."))
        .unwrap_or_default()
        .into_iter()
        .filter(|f| is_blueprint_file(f))
        .collect()
}

/// True for the file names [`companions`] picks: `blueprints.json`, `blueprint.json` and
/// `<name>.blueprint.json`.
pub fn is_blueprint_file(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    matches!(name, "blueprints.json" | "blueprint.json") || name.ends_with(".blueprint.json")
}

/// One file parsed and mapped, its references not yet resolved.
#[derive(Debug)]
pub struct Parsed {
    /// The file's format.
    pub format: Format,
    /// The file.
    pub path: Arc<str>,
    /// Its entities, in file order.
    pub drafts: Vec<Draft>,
    /// What is wrong in it, each at its line.
    pub problems: Vec<Problem>,
    /// OpsLevel `repository:` files: who owns a repository (no entity of their own).
    pub repositories: Vec<RepoOwner>,
    /// A Compass team map (`compass-teams.yaml`): team id (its last `/` segment, lowercase) →
    /// the Backstage group reference its components' owner becomes.
    pub teams: Vec<(String, String)>,
    /// Port blueprints the file holds (a blueprint file, or an export's `blueprints`).
    pub(crate) blueprints: Vec<blueprint::Blueprint>,
    /// Port entities' properties and relations, mapped in the second pass once every file's
    /// blueprints are known.
    pub(crate) port: Vec<port::Deferred>,
}

/// An OpsLevel `repository:` file: the owner of a repository, used as the fallback owner of
/// entities built from that repository.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepoOwner {
    /// The file's line of the `repository:` key.
    pub line: u32,
    /// The owning team's alias.
    pub owner: Option<String>,
    /// The tier alias.
    pub tier: Option<String>,
    /// The tags, `key:value`.
    pub tags: Vec<String>,
}

/// Reads one file of a known format. Never fails: a file that does not parse is a problem at
/// its line and no entity.
pub fn parse(format: Format, path: &Arc<str>, text: &str) -> Parsed {
    let mut parsed = Parsed {
        format,
        path: path.clone(),
        drafts: Vec::new(),
        problems: Vec::new(),
        repositories: Vec::new(),
        teams: Vec::new(),
        blueprints: Vec::new(),
        port: Vec::new(),
    };
    let json = path.ends_with(".json");
    let value = if json {
        read::json(path, text)
    } else {
        read::yaml(path, text)
    };
    let value = match value {
        Ok(v) => v,
        Err(problem) => {
            parsed.problems.push(problem);
            return parsed;
        }
    };
    let mut ctx = read::Ctx::new(format, path.clone(), text);
    if format == Format::OpsLevel && !json {
        read::yaml11_lint(&mut ctx);
    }
    match format {
        Format::Cortex => cortex::map(&mut ctx, &value),
        Format::OpsLevel => opslevel::map(&mut ctx, &value),
        Format::Compass if compass::is_team_map(path) => compass::teams(&mut ctx, &value),
        Format::Compass => compass::map(&mut ctx, &value),
        Format::Port => port::map(&mut ctx, &value),
    }
    parsed.drafts = ctx.drafts;
    parsed.problems.extend(ctx.problems);
    parsed.repositories = ctx.repositories;
    parsed.teams = ctx.teams;
    parsed.blueprints = ctx.blueprints;
    parsed.port = ctx.port;
    parsed
}

/// Parses and resolves a set of files at once: what `convert` and tests use. Each file's
/// text comes from `read`; a file `read` cannot give is a problem.
pub fn import(
    files: &[(Format, String)],
    read: impl Fn(&str) -> Result<String, String>,
) -> Vec<Resolved> {
    let parsed = files
        .iter()
        .map(|(format, path)| {
            let shared: Arc<str> = Arc::from(path.as_str());
            match read(path) {
                Ok(text) => parse(*format, &shared, &text),
                Err(e) => Parsed {
                    format: *format,
                    path: shared.clone(),
                    drafts: Vec::new(),
                    problems: vec![Problem::error(
                        Some(Origin::new(shared, None)),
                        format!("cannot read file: {e}"),
                    )],
                    repositories: Vec::new(),
                    teams: Vec::new(),
                    blueprints: Vec::new(),
                    port: Vec::new(),
                },
            }
        })
        .collect();
    resolve(parsed)
}

#[cfg(test)]
mod blueprint_tests;
#[cfg(test)]
mod tests;
