//! Git for the tests that build a catalog repository: commands with fixed dates and no user or
//! system configuration.

use std::path::Path;
use std::process::Command;

/// Runs git in `dir` with the author and commit dates set to `date`; fails the test when git
/// fails or is missing.
pub fn git_at(dir: &Path, date: &str, args: &[&str]) {
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
        .expect("git runs (the tests on git repositories need the git binary)");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
