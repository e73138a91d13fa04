//! A catalog kept in git, read as it was at a revision: where the catalog paths sit in their
//! repository ([`Located`]), one revision loaded into a [`Catalog`] ([`Located::load`]), and
//! the scores at each commit that touched the catalog, cached by commit
//! ([`Located::history`]). `idp-tui diff` and `idp-tui history` use it, and so do the portal's
//! burn-ups.
//!
//! Loading files is the file source's work, a module governance may not use: the front end
//! passes it in as a [`LoadCatalogFiles`].

use super::git::{GitError, Repo};
use super::history::{self, Record};
use super::Initiative;
use crate::catalog::Catalog;
use crate::scorecard::{Date, Scorecard};
use std::path::{Path, PathBuf};

/// Loads local catalog files into a catalog: `(source name, paths)`. The front ends pass the
/// file source's blocking load.
pub type LoadCatalogFiles<'a> = &'a dyn Fn(&str, Vec<String>) -> Catalog;

/// The name of the directory, in the cache directory, holding each commit's evaluation.
pub const CACHE_DIR_NAME: &str = "history";

/// The catalog paths inside their git repository.
#[derive(Debug, Clone)]
pub struct Located {
    /// The repository.
    pub repo: Repo,
    /// Each path relative to the repository's top (`/`-separated, empty for the top itself),
    /// and whether it is a directory.
    pub paths: Vec<(String, bool)>,
}

/// One revision's catalog, the prefix its entities' file paths carry, and the temporary copy
/// its files were read from (kept until this is dropped).
#[derive(Debug)]
pub struct Revision {
    /// The catalog as it was.
    pub catalog: Catalog,
    /// The directory its paths start with, ending in `/` (strip it to compare two sides).
    pub root: String,
    _copy: Option<tempfile::TempDir>,
}

fn with_slash(path: &Path) -> String {
    let mut s = path.to_string_lossy().into_owned();
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// Finds the repository holding the catalog paths (the first path's), with each path relative
/// to its top. Every path must be inside that one repository.
pub fn locate(paths: &[String]) -> Result<Located, GitError> {
    let first = paths.first().map_or(".", String::as_str);
    let repo = Repo::discover(Path::new(first))?;
    let mut rels = Vec::new();
    for p in paths {
        let rel = repo
            .relative(Path::new(p))
            .ok_or_else(|| GitError::Outside {
                path: p.clone(),
                root: repo.root.display().to_string(),
            })?;
        rels.push((rel, Path::new(p).is_dir()));
    }
    Ok(Located { repo, paths: rels })
}

impl Located {
    /// The catalog as it is at `rev` (read out of git, nothing checked out), or in the work
    /// tree when `rev` is `None`.
    pub fn load(&self, rev: Option<&str>, load: LoadCatalogFiles) -> Result<Revision, GitError> {
        let commit = rev.map(|rev| self.repo.resolve(rev)).transpose()?;
        self.load_commit(rev.unwrap_or("work tree"), commit.as_deref(), load)
    }

    /// The catalog at `commit` (a resolved hash), or in the work tree when `None`; `label`
    /// names it to the loader.
    fn load_commit(
        &self,
        label: &str,
        commit: Option<&str>,
        load: LoadCatalogFiles,
    ) -> Result<Revision, GitError> {
        let (base, copy) = match commit {
            Some(commit) => {
                let dir = tempfile::tempdir()?;
                for (rel, is_dir) in &self.paths {
                    let prefix = if *is_dir {
                        rel.as_str()
                    } else {
                        rel.rsplit_once('/').map_or("", |(parent, _)| parent)
                    };
                    self.repo.copy_out(commit, prefix, dir.path())?;
                }
                (dir.path().to_path_buf(), Some(dir))
            }
            None => (
                std::fs::canonicalize(&self.repo.root).unwrap_or_else(|_| self.repo.root.clone()),
                None,
            ),
        };
        let paths: Vec<String> = self
            .paths
            .iter()
            .map(|(rel, _)| {
                let p: PathBuf = if rel.is_empty() {
                    base.clone()
                } else {
                    base.join(rel)
                };
                p.to_string_lossy().into_owned()
            })
            .collect();
        Ok(Revision {
            catalog: load(label, paths),
            root: with_slash(&base),
            _copy: copy,
        })
    }

    /// The scorecards and initiatives evaluated at the commits that touched the catalog (on or
    /// after `since`), oldest first, one commit per day: the day's last, which is the point a
    /// series keeps ([`history::series`]). Each commit's records are read from `cache` when
    /// they were computed before with the same scorecards and initiatives, and written there
    /// when they are computed now (a cache that cannot be written only costs the work again).
    /// With `max_days`, only the latest that many days are evaluated.
    pub fn history(
        &self,
        cards: &[Scorecard],
        initiatives: &[Initiative],
        since: Option<Date>,
        max_days: Option<usize>,
        cache: &Path,
        load: LoadCatalogFiles,
    ) -> Result<Vec<Record>, GitError> {
        let fingerprint = history::fingerprint(cards, initiatives);
        let prefixes: Vec<String> = self.paths.iter().map(|(r, _)| r.clone()).collect();
        // Newest first: the first commit seen on a day is its last.
        let mut days: std::collections::BTreeMap<Date, String> = Default::default();
        for (commit, date) in self.repo.commits_touching(&prefixes, since)? {
            if days.contains_key(&date) {
                continue;
            }
            if max_days.is_some_and(|m| days.len() >= m) {
                break;
            }
            days.insert(date, commit);
        }
        let mut out = Vec::new();
        for (date, commit) in days {
            let file = cache.join(format!("{commit}-{fingerprint}.json"));
            if let Some(records) = std::fs::read(&file)
                .ok()
                .and_then(|b| serde_json::from_slice::<Vec<Record>>(&b).ok())
            {
                out.extend(records);
                continue;
            }
            // `git log` gave the full hash: nothing to resolve.
            let side = self.load_commit(&commit, Some(&commit), load)?;
            let records = history::evaluate(
                &side.catalog,
                cards,
                initiatives,
                date,
                "git",
                Some(&commit),
            );
            if std::fs::create_dir_all(cache).is_ok() {
                if let Ok(text) = serde_json::to_vec(&records) {
                    let _ = std::fs::write(&file, text);
                }
            }
            out.extend(records);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::git_fixture::catalog_history;

    fn catalog_path(repo: &tempfile::TempDir) -> Vec<String> {
        vec![repo.path().join("catalog").to_string_lossy().into_owned()]
    }

    #[test]
    fn history_evaluates_each_days_last_commit_oldest_first_and_caches_it() {
        let repo = catalog_history();
        let cache = tempfile::tempdir().unwrap();
        let located = locate(&catalog_path(&repo)).unwrap();
        assert_eq!(located.paths, [("catalog".to_string(), true)]);
        let cards = crate::scorecard::default_scorecards();
        let initiatives = crate::governance::demo_initiatives(Date::parse("2026-12-07").unwrap());
        let records = located
            .history(
                &cards,
                &initiatives,
                None,
                None,
                cache.path(),
                &crate::source::load_files_blocking,
            )
            .unwrap();
        let basics: Vec<(&str, usize, usize)> = records
            .iter()
            .filter(|r| r.name == "production-basics")
            .map(|r| (r.date.as_str(), r.passing, r.total))
            .collect();
        // Four commits touched the catalog; the 2nd of January's last one counts (web added).
        assert_eq!(
            basics,
            [
                ("2027-01-01", 1, 2),
                ("2027-01-02", 2, 3),
                ("2027-01-03", 3, 3)
            ]
        );
        let card = records
            .iter()
            .find(|r| r.kind == "scorecard" && r.date == "2027-01-03")
            .unwrap();
        assert_eq!(card.by_owner["group:default/team-b"], [2, 2]);
        assert_eq!(card.commit.as_deref().map(str::len), Some(40));
        let cached: Vec<PathBuf> = std::fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(cached.len(), 3, "{cached:?}");

        // The next reading takes the cached records, not the commits: tamper with one to see.
        let newest = cache
            .path()
            .join(format!("{}-{}.json", card.commit.as_deref().unwrap(), {
                history::fingerprint(&cards, &initiatives)
            }));
        let mut tampered: Vec<Record> =
            serde_json::from_slice(&std::fs::read(&newest).unwrap()).unwrap();
        for r in &mut tampered {
            r.passing = 0;
        }
        std::fs::write(&newest, serde_json::to_vec(&tampered).unwrap()).unwrap();
        let again = located
            .history(
                &cards,
                &initiatives,
                None,
                Some(2),
                cache.path(),
                &crate::source::load_files_blocking,
            )
            .unwrap();
        let basics: Vec<(&str, usize)> = again
            .iter()
            .filter(|r| r.name == "production-basics")
            .map(|r| (r.date.as_str(), r.passing))
            .collect();
        // `max_days: 2` keeps the latest two days.
        assert_eq!(basics, [("2027-01-02", 2), ("2027-01-03", 0)]);
    }

    #[test]
    fn a_revision_loads_as_it_was_and_the_work_tree_as_it_is() {
        let repo = catalog_history();
        std::fs::remove_file(repo.path().join("catalog/web.yaml")).unwrap();
        let located = locate(&catalog_path(&repo)).unwrap();
        let names = |r: &Revision| {
            let mut n: Vec<String> = r
                .catalog
                .ids()
                .map(|id| r.catalog.get(id).entity_ref().to_string())
                .filter(|n| n.starts_with("component:"))
                .collect();
            n.sort();
            n
        };
        let first = located
            .load(Some("HEAD~3"), &crate::source::load_files_blocking)
            .unwrap();
        assert_eq!(
            names(&first),
            ["component:default/api", "component:default/worker"]
        );
        let work = located
            .load(None, &crate::source::load_files_blocking)
            .unwrap();
        assert_eq!(
            names(&work),
            ["component:default/api", "component:default/worker"]
        );
        assert!(work.root.ends_with('/'));
        let head = located
            .load(Some("HEAD"), &crate::source::load_files_blocking)
            .unwrap();
        assert_eq!(names(&head).len(), 3);
    }

    #[test]
    fn paths_in_two_places_or_outside_git_are_refused() {
        let repo = catalog_history();
        let elsewhere = tempfile::tempdir().unwrap();
        let mut paths = catalog_path(&repo);
        paths.push(elsewhere.path().to_string_lossy().into_owned());
        let err = locate(&paths).unwrap_err();
        assert!(
            matches!(err, GitError::Outside { .. }),
            "{err}: a second path outside the repository"
        );
        assert!(err.to_string().contains("is not inside the git repository"));
        let err = locate(&[elsewhere.path().to_string_lossy().into_owned()]).unwrap_err();
        assert!(matches!(err, GitError::Failed { .. }), "{err}");
    }
}
