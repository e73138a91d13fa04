//! The second pass: once every file is parsed, references by identifier (Cortex tags, OpsLevel
//! aliases, Compass ARIs, Port identifiers) are looked up across all the files and written into
//! the entities' specs. A reference that matches nothing is a warning at its line and is kept
//! as an `idp-tui/unresolved.<field>` annotation, not invented.

use super::{Draft, Fate, Format, Parsed, RepoOwner, PREFIX};
use crate::catalog::{Origin, Problem};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// One file after resolution: its entities, ready to be read as Backstage documents.
#[derive(Debug)]
pub struct Resolved {
    /// The file's format.
    pub format: Format,
    /// The file.
    pub path: Arc<str>,
    /// Its entities, in file order.
    pub drafts: Vec<Draft>,
    /// Its problems (parse, mapping and resolution), each at a line.
    pub problems: Vec<Problem>,
    /// OpsLevel repository ownership records it holds.
    pub repositories: Vec<RepoOwner>,
}

/// The kinds whose spec requires an owner.
const OWNED: [&str; 5] = ["component", "api", "resource", "system", "domain"];

/// Resolves the references of every file against all of them.
pub fn resolve(mut files: Vec<Parsed>) -> Vec<Resolved> {
    super::cortex::settle(&mut files);
    super::opslevel::settle(&mut files);
    super::port_settle::settle(&mut files);
    // identifier (per format, case folded) → (reference, kind)
    let mut index: HashMap<(Format, String), Vec<(String, String)>> = HashMap::new();
    // A Compass team map: a team's key → its group, found like any other identifier.
    let team_map = files.iter().any(|f| !f.teams.is_empty());
    for file in &files {
        for (team, group) in &file.teams {
            index
                .entry((
                    Format::Compass,
                    format!("{}{team}", super::compass::TEAM_PREFIX),
                ))
                .or_default()
                .push((group.clone(), "group".into()));
        }
    }
    for file in &files {
        for draft in &file.drafts {
            for key in &draft.keys {
                index
                    .entry((draft.format, key.to_lowercase()))
                    .or_default()
                    .push((draft.reference(), draft.kind.to_lowercase()));
            }
        }
    }
    files
        .into_iter()
        .map(|mut file| {
            let path = file.path.clone();
            for draft in &mut file.drafts {
                let refs = std::mem::take(&mut draft.refs);
                for pending in refs {
                    let found = index
                        .get(&(draft.format, pending.key.to_lowercase()))
                        .and_then(|candidates| {
                            candidates
                                .iter()
                                .find(|(_, kind)| {
                                    pending.kinds.is_empty()
                                        || pending.kinds.contains(&kind.as_str())
                                })
                                .map(|(r, _)| r.clone())
                        });
                    let target = match (found, &pending.fallback) {
                        (Some(found), _) => found,
                        (None, Some(fallback)) => {
                            if let Some(team) = pending
                                .key
                                .strip_prefix(super::compass::TEAM_PREFIX)
                                .filter(|_| team_map)
                            {
                                file.problems.push(Problem::warning(
                                    Some(Origin::new(path.clone(), Some(pending.line))),
                                    format!(
                                        "Compass team {team} is not in the team map (compass-teams.yaml): the owner is {fallback}, and the team id stays in annotation {PREFIX}owner-id"
                                    ),
                                ));
                            }
                            fallback.clone()
                        }
                        (None, None) => {
                            file.problems.push(Problem::warning(
                                Some(Origin::new(path.clone(), Some(pending.line))),
                                format!(
                                    "dangling reference: {} {:?} matches no {} entity in the files read; kept as annotation {PREFIX}unresolved.{}",
                                    pending.source,
                                    pending.key,
                                    draft.format.name(),
                                    pending.field.key()
                                ),
                            ));
                            let key = format!("{PREFIX}unresolved.{}", pending.field.key());
                            let before = draft
                                .metadata
                                .get("annotations")
                                .and_then(|a| a.get(&key))
                                .and_then(Value::as_str)
                                .map(str::to_string);
                            let value = match before {
                                Some(b) => format!("{b},{}", pending.key),
                                None => pending.key.clone(),
                            };
                            let key = draft.annotate(&key, &value);
                            draft.fate(&pending.source, Fate::Annotation, key);
                            continue;
                        }
                    };
                    let field = pending.field.key();
                    if pending.field.is_list() {
                        let list = draft
                            .spec
                            .entry(field)
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(items) = list {
                            if !items.iter().any(|i| i.as_str() == Some(target.as_str())) {
                                items.push(Value::String(target));
                            }
                        }
                    } else if !draft.spec.contains_key(field) {
                        draft.spec.insert(field.into(), Value::String(target));
                    } else {
                        let key = format!("{PREFIX}raw.more-{field}");
                        let key = draft.annotate(&key, &pending.key);
                        draft.fate(&pending.source, Fate::Annotation, key);
                        continue;
                    }
                    draft.fate(&pending.source, Fate::Mapped, format!("spec.{field}"));
                }
                if OWNED.contains(&draft.kind.to_lowercase().as_str())
                    && !draft.spec.contains_key("owner")
                {
                    let owner = format!("group:{}/unowned", draft.namespace);
                    file.problems.push(Problem::warning(
                        Some(Origin::new(path.clone(), Some(draft.line))),
                        format!(
                            "{} has no owner in the file: spec.owner is set to {owner}",
                            draft.name
                        ),
                    ));
                    draft.spec.insert("owner".into(), Value::String(owner));
                }
            }
            Resolved {
                format: file.format,
                path,
                drafts: file.drafts,
                problems: file.problems,
                repositories: file.repositories,
            }
        })
        .collect()
}
