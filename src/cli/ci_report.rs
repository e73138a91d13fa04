//! CI-native output shared by `validate`, `score`, `initiatives` and `diff`: GitHub workflow
//! commands, JUnit XML, SARIF 2.1.0 (code-scanning upload) and Markdown tables. A command turns
//! its results into [`Check`]s — one test case each, failed or passed — and picks a writer.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How a command prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people (the default).
    Text,
    /// JSON, as `--json` prints it.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), shown on the diff.
    Github,
    /// JUnit XML, for CI test reports (GitLab, Jenkins, …).
    Junit,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// A Markdown table, for a pull-request comment or a job summary.
    Markdown,
}

impl Format {
    /// The format asked for: `--format`, else JSON with `--json`, else text.
    pub fn pick(format: Option<Format>, json: bool) -> Format {
        format.unwrap_or(if json { Format::Json } else { Format::Text })
    }
}

/// How bad a failed check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Fails the build.
    Error,
    /// Worth fixing.
    Warning,
    /// For information.
    Notice,
}

/// Why a check failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// How bad.
    pub level: Level,
    /// What is wrong.
    pub message: String,
}

/// One test case: a rule applied to a subject (an entity, a file), failed or passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The group it belongs to: a scorecard, an initiative, a file.
    pub suite: String,
    /// The subject: an entity reference, usually.
    pub subject: String,
    /// The rule's id (`catalog` for catalog problems).
    pub rule: String,
    /// The file the subject was read from, when known.
    pub file: Option<String>,
    /// The 1-based line in that file, when known.
    pub line: Option<u32>,
    /// `None` when the check passed.
    pub failure: Option<Failure>,
}

/// A rule's description for SARIF's rule table.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    /// The rule's id, as [`Check::rule`] names it.
    pub id: String,
    /// A short title.
    pub title: String,
    /// How to fix it, when known.
    pub help: Option<String>,
}

/// Text for a workflow command's message: `%`, CR and LF escaped as GitHub requires.
fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Text for a workflow command's property: also `:` and `,`.
fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command per failed check (`::error`, `::warning`, `::notice`), then a
/// `::notice` that sums up, so a clean run says so too.
pub fn github(tool: &str, checks: &[Check]) -> String {
    let mut out = String::new();
    let mut failed = 0;
    for c in checks {
        let Some(f) = &c.failure else { continue };
        failed += 1;
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        let mut props = Vec::new();
        if let Some(file) = &c.file {
            props.push(format!("file={}", github_property(file)));
            if let Some(line) = c.line {
                props.push(format!("line={line}"));
            }
        }
        props.push(format!(
            "title={}",
            github_property(&format!("{} {}", c.rule, c.subject))
        ));
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            github_data(&f.message)
        );
    }
    let _ = writeln!(
        out,
        "::notice title={}::{} check(s), {failed} failed",
        github_property(tool),
        checks.len()
    );
    out
}

/// Text escaped for XML content and attributes.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control character, even escaped.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one `<testsuite>` per suite (in first-seen order), one `<testcase>` per check;
/// a failed check carries a `<failure>` (errors and warnings alike: JUnit has no warnings).
pub fn junit(tool: &str, checks: &[Check]) -> String {
    let mut suites: Vec<(&str, Vec<&Check>)> = Vec::new();
    for c in checks {
        match suites.iter_mut().find(|(name, _)| *name == c.suite) {
            Some((_, cases)) => cases.push(c),
            None => suites.push((&c.suite, vec![c])),
        }
    }
    let failures = checks.iter().filter(|c| c.failure.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{failures}\">",
        xml(tool),
        checks.len()
    );
    for (name, cases) in suites {
        let failed = cases.iter().filter(|c| c.failure.is_some()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\">",
            xml(name),
            cases.len()
        );
        for c in cases {
            let mut attrs = format!(
                "name=\"{}\" classname=\"{}\"",
                xml(&format!("{} {}", c.subject, c.rule)),
                xml(&c.suite)
            );
            if let Some(file) = &c.file {
                let _ = write!(attrs, " file=\"{}\"", xml(file));
                if let Some(line) = c.line {
                    let _ = write!(attrs, " line=\"{line}\"");
                }
            }
            match &c.failure {
                None => {
                    let _ = writeln!(out, "    <testcase {attrs}/>");
                }
                Some(f) => {
                    let kind = match f.level {
                        Level::Error => "error",
                        Level::Warning => "warning",
                        Level::Notice => "notice",
                    };
                    let _ = writeln!(out, "    <testcase {attrs}>");
                    let _ = writeln!(
                        out,
                        "      <failure type=\"{kind}\" message=\"{}\"/>",
                        xml(&f.message)
                    );
                    let _ = writeln!(out, "    </testcase>");
                }
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// SARIF 2.1.0 with one run: the rules that failed (described from `rules` when known) and one
/// result per failed check, located at its file and line.
pub fn sarif(tool: &str, checks: &[Check], rules: &[RuleInfo]) -> Value {
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for c in checks.iter().filter(|c| c.failure.is_some()) {
        let next = used.len();
        used.entry(&c.rule).or_insert(next);
    }
    let mut ordered: Vec<(&str, usize)> = used.iter().map(|(k, v)| (*k, *v)).collect();
    ordered.sort_by_key(|(_, i)| *i);
    let rule_table: Vec<Value> = ordered
        .iter()
        .map(|(id, _)| {
            let info = rules.iter().find(|r| r.id == *id);
            let mut rule = json!({
                "id": id,
                "shortDescription": {"text": info.map_or(*id, |r| r.title.as_str())},
            });
            if let Some(help) = info.and_then(|r| r.help.as_deref()) {
                rule["help"] = json!({ "text": help });
            }
            rule
        })
        .collect();
    let results: Vec<Value> = checks
        .iter()
        .filter_map(|c| {
            let f = c.failure.as_ref()?;
            let mut result = json!({
                "ruleId": c.rule,
                "ruleIndex": used.get(c.rule.as_str()),
                "level": match f.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Notice => "note",
                },
                "message": {"text": format!("{}: {}", c.subject, f.message)},
            });
            if let Some(file) = &c.file {
                let mut physical = json!({"artifactLocation": {"uri": file.replace('\\', "/")}});
                if let Some(line) = c.line {
                    physical["region"] = json!({ "startLine": line });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            Some(result)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": tool,
                "rules": rule_table,
            }},
            "results": results,
        }],
    })
}

/// Text for a Markdown table cell: one line, pipes and angle brackets escaped.
pub fn md_cell(text: &str) -> String {
    crate::text::one_line(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A Markdown table; cells are escaped.
pub fn md_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        headers.iter().map(|_| "---|").collect::<String>()
    );
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// A Markdown table of the failed checks (what `validate` and `score` print), or a line
/// saying there are none.
pub fn markdown(title: &str, checks: &[Check]) -> String {
    let mut out = format!("### {}\n\n", md_cell(title));
    let failed: Vec<&Check> = checks.iter().filter(|c| c.failure.is_some()).collect();
    let _ = writeln!(out, "{} check(s), {} failed.\n", checks.len(), failed.len());
    if failed.is_empty() {
        return out;
    }
    let rows: Vec<Vec<String>> = failed
        .iter()
        .map(|c| {
            let f = c
                .failure
                .as_ref()
                .map_or((Level::Notice, ""), |f| (f.level, f.message.as_str()));
            let place = match (&c.file, c.line) {
                (Some(file), Some(line)) => format!("{file}:{line}"),
                (Some(file), None) => file.clone(),
                _ => String::new(),
            };
            vec![
                match f.0 {
                    Level::Error => "error",
                    Level::Warning => "warning",
                    Level::Notice => "notice",
                }
                .to_string(),
                c.subject.clone(),
                c.rule.clone(),
                f.1.to_string(),
                place,
            ]
        })
        .collect();
    out.push_str(&md_table(
        &["Level", "Subject", "Rule", "Message", "Where"],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(failure: Option<(Level, &str)>) -> Check {
        Check {
            suite: "production-readiness".into(),
            subject: "component:default/a,b".into(),
            rule: "has-owner".into(),
            file: Some("cat:alog.yaml".into()),
            line: Some(3),
            failure: failure.map(|(level, m)| Failure {
                level,
                message: m.into(),
            }),
        }
    }

    #[test]
    fn workflow_commands_escape_data_and_properties() {
        let out = github(
            "idp-tui",
            &[check(Some((Level::Error, "100% wrong\nhere")))],
        );
        assert_eq!(
            out.lines().next().unwrap(),
            "::error file=cat%3Aalog.yaml,line=3,title=has-owner component%3Adefault/a%2Cb::100%25 wrong%0Ahere"
        );
        assert_eq!(
            out.lines().nth(1).unwrap(),
            "::notice title=idp-tui::1 check(s), 1 failed"
        );
    }

    #[test]
    fn junit_escapes_and_counts_failures_per_suite() {
        let out = junit(
            "t",
            &[
                check(None),
                check(Some((Level::Warning, "a <b> & \"c\"\u{1b}"))),
            ],
        );
        assert!(
            out.contains("<testsuite name=\"production-readiness\" tests=\"2\" failures=\"1\">")
        );
        assert!(out.contains("message=\"a &lt;b&gt; &amp; &quot;c&quot; \""));
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn sarif_lists_only_failed_rules_and_results() {
        let v = sarif(
            "idp-tui",
            &[check(None), check(Some((Level::Notice, "x")))],
            &[RuleInfo {
                id: "has-owner".into(),
                title: "Owner".into(),
                help: Some("Set spec.owner".into()),
            }],
        );
        let run = &v["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), 1);
        assert_eq!(run["results"][0]["level"], "note");
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["help"]["text"],
            "Set spec.owner"
        );
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(md_cell("a|b\nc <x>"), "a\\|b c &lt;x&gt;");
    }
}
