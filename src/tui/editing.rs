//! `e`: the file behind what is on screen (the entity's catalog file, a problem's file) opened
//! at its line in the user's editor. The pane says which file ([`EditRequest`], through
//! `Outcome::Edit`); `update` returns `Task::Edit`; the loop suspends the portal as it does for
//! a terminal-mode custom action, runs the editor ([`run`]), takes the terminal back and sends
//! what happened as `Reply::Edited`; `update` then reloads the source that file belongs to.
//! The command line is built by [`crate::user_commands::editor`]: no shell, the path one argument.

use crate::catalog::Origin;
use crate::source::SourceId;

/// A file to open in the editor, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRequest {
    /// The file, as the catalog knows it.
    pub path: String,
    /// The 1-based line, when known.
    pub line: Option<u32>,
    /// The sources to reload after the edit (filled in by the app; empty: every source).
    pub sources: Vec<SourceId>,
}

/// What the editor run left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// What was opened.
    pub request: EditRequest,
    /// The editor's exit code (`None`: killed by a signal), or why it could not run.
    pub result: Result<Option<i32>, String>,
}

impl EditRequest {
    /// The request for an origin, or the one-line reason there is no local file to edit: an
    /// entity from a Backstage server, or one of the demo compiled into idp-tui. `what` names
    /// it for the message (`component:default/ledger`).
    pub fn for_origin(origin: &Origin, what: &str) -> Result<EditRequest, String> {
        let path = origin.path.as_ref();
        if crate::source::remote_origin(path).is_some() {
            return Err(format!(
                "{what} comes from a Backstage server: it has no local file to edit"
            ));
        }
        if path.starts_with("embedded:") {
            return Err(format!(
                "{what} is in the demo catalog compiled into idp-tui: no file to edit"
            ));
        }
        if path.is_empty() {
            return Err(format!("{what} has no file to edit"));
        }
        Ok(EditRequest {
            path: path.to_string(),
            line: origin.line,
            sources: Vec::new(),
        })
    }

    /// The file and line as `path:line`, cleaned for the status line.
    pub fn place(&self) -> String {
        let path = crate::tui::widgets::wrap::safe_line(&self.path);
        match self.line {
            Some(line) => format!("{path}:{line}"),
            None => path,
        }
    }
}

/// Runs the editor on the request, with the terminal (the caller has suspended the portal):
/// `$VISUAL`, else `$EDITOR`, else `vi`, split into words; never a shell.
pub fn run(request: EditRequest) -> Edited {
    let editor = crate::user_commands::editor::configured();
    let result = crate::user_commands::editor::command(&editor, &request.path, request.line)
        .and_then(|argv| {
            let (program, args) = argv
                .split_first()
                .ok_or_else(|| "empty editor command".to_string())?;
            std::process::Command::new(program)
                .args(args)
                .status()
                .map(|status| status.code())
                .map_err(|e| format!("could not start the editor {program:?}: {e}"))
        });
    Edited { request, result }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_and_demo_entities_say_they_have_no_local_file() {
        let remote = Origin::new("https://backstage.example.com/api/catalog", None);
        let err = EditRequest::for_origin(&remote, "component:default/a").unwrap_err();
        assert!(err.contains("Backstage server") && err.contains("no local file"));
        let demo = Origin::new("embedded:demo/catalog.yaml", Some(3));
        assert!(EditRequest::for_origin(&demo, "x")
            .unwrap_err()
            .contains("demo"));
        let file = Origin::new("catalog/a b.yaml", Some(7));
        let request = EditRequest::for_origin(&file, "x").unwrap();
        assert_eq!(request.place(), "catalog/a b.yaml:7");
    }
}
