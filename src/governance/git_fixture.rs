//! A catalog repository built for tests: a temporary git repository with a catalog in
//! `catalog/` and commits on three days that add, change, re-own and fix entities. Used by the
//! history tests here and by the portal's burn-up tests.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with the author and commit dates set to `date`, and no user or system
/// configuration.
pub(crate) fn git_at(dir: &Path, date: &str, args: &[&str]) {
    let o = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs (the history tests need the git binary)");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

const TEAMS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-b}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-c}\nspec: {type: team, children: []}\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: core}\nspec: {owner: team-a}\n";

/// A service of `owner`; it reaches Bronze on the built-in scorecard when its description is
/// long enough (20 characters).
fn component(name: &str, owner: &str, description: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {description}\nspec: {{type: service, lifecycle: production, system: core, owner: {owner}}}\n"
    )
}

/// The repository, with Bronze on the built-in scorecard (and so the demo's
/// `production-basics`) reached by:
///
/// - 2027-01-01: `api` (team-a) yes, `worker` (team-a, description too short) no: 1 of 2;
/// - 2027-01-02, two commits: `worker`'s description fixed (2 of 2), then `web` (team-b,
///   too short) added: the day ends at 2 of 3;
/// - 2027-01-03: `web` fixed and `worker` moved to team-b: 3 of 3.
///
/// Per team: team-a 1/2, 2/2, 1/1; team-b none, 0/1, 2/2; team-c owns nothing.
pub(crate) fn catalog_history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("catalog")).unwrap();
    let write =
        |file: &str, text: &str| std::fs::write(root.join("catalog").join(file), text).unwrap();
    let commit = |date: &str, message: &str| {
        git_at(root, date, &["add", "-A"]);
        git_at(root, date, &["commit", "-q", "-m", message]);
    };
    git_at(root, "2027-01-01T09:00:00Z", &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("README.md"), "Not part of the catalog.\n").unwrap();
    write("teams.yaml", TEAMS);
    write(
        "api.yaml",
        &component("api", "team-a", "The API serving everything to everyone."),
    );
    write("worker.yaml", &component("worker", "team-a", "Works."));
    commit("2027-01-01T09:00:00Z", "api and worker");
    write(
        "worker.yaml",
        &component(
            "worker",
            "team-a",
            "Works through the queue, all night long.",
        ),
    );
    commit("2027-01-02T09:00:00Z", "describe worker");
    write("web.yaml", &component("web", "team-b", "Web."));
    commit("2027-01-02T15:00:00Z", "add web");
    write(
        "web.yaml",
        &component("web", "team-b", "The web site customers sign in to."),
    );
    write(
        "worker.yaml",
        &component(
            "worker",
            "team-b",
            "Works through the queue, all night long.",
        ),
    );
    commit(
        "2027-01-03T09:00:00Z",
        "describe web, move worker to team-b",
    );
    dir
}
