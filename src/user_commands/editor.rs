//! Opening a file at a line in the user's editor (`$VISUAL`, else `$EDITOR`, else `vi`), as
//! git and k9s do. The editor setting is split into words (`code --wait`, `emacs -nw`) and the
//! file is one more argument: nothing runs through a shell, so a file named `x; rm -rf ~.yaml`
//! is a file name, never a command.
//!
//! The line goes where the editor reads it: `+LINE` before the file for vi, vim, nvim, nano,
//! emacs, helix, micro, kakoune and the like; `-g FILE:LINE` for VS Code (with `--wait`, so the
//! portal reloads the file once it is closed); `FILE:LINE` for Sublime Text; no line for an
//! editor we do not know.

/// The editor to use: `$VISUAL`, else `$EDITOR`, else `vi` (empty settings are skipped).
pub fn configured() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// The program and arguments that open `path` at `line` (1-based) in `editor` (a setting
/// such as `vim` or `code --wait`). Fails when the setting does not split into words (an
/// unclosed quote) or is empty.
pub fn command(editor: &str, path: &str, line: Option<u32>) -> Result<Vec<String>, String> {
    // Only the setting is split; the path is added as one word afterwards.
    let mut argv = shell_words::split(editor).map_err(|e| format!("editor {editor:?}: {e}"))?;
    let Some(program) = argv.first() else {
        return Err("the editor setting ($VISUAL, $EDITOR) is empty".into());
    };
    let name = std::path::Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name).to_string();
    match (Family::of(&name), line) {
        (Family::PlusLine, Some(line)) => {
            argv.push(format!("+{line}"));
            argv.push(path.to_string());
        }
        (Family::VsCode, line) => {
            // Without --wait, `code` hands the file to a running window and returns at once:
            // the portal would reload before the edit.
            if !argv.iter().any(|a| a == "--wait" || a == "-w") {
                argv.push("--wait".into());
            }
            match line {
                Some(line) => {
                    argv.push("-g".into());
                    argv.push(format!("{path}:{line}"));
                }
                None => argv.push(path.to_string()),
            }
        }
        (Family::Sublime, Some(line)) => argv.push(format!("{path}:{line}")),
        _ => argv.push(path.to_string()),
    }
    Ok(argv)
}

/// How an editor is told the line.
enum Family {
    /// `+LINE FILE`.
    PlusLine,
    /// `--wait -g FILE:LINE`.
    VsCode,
    /// `FILE:LINE`.
    Sublime,
    /// No line.
    Unknown,
}

impl Family {
    fn of(program: &str) -> Family {
        match program {
            "vi" | "vim" | "nvim" | "gvim" | "view" | "nano" | "pico" | "emacs" | "emacsclient"
            | "hx" | "helix" | "micro" | "kak" | "joe" | "jed" | "ne" | "mg" | "mcedit" => {
                Family::PlusLine
            }
            "code" | "code-insiders" | "codium" | "vscodium" | "cursor" => Family::VsCode,
            "subl" | "sublime_text" => Family::Sublime,
            _ => Family::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attack: a catalog file whose name is a shell command. It must reach the editor as
    /// one argument, whatever the editor setting looks like.
    #[test]
    fn a_file_named_like_a_command_is_one_argument() {
        let path = "catalog/x; rm -rf ~.yaml";
        for editor in ["vim", "code --wait", "my-editor", "emacs -nw"] {
            let argv = command(editor, path, Some(3)).unwrap();
            let last = argv.last().unwrap();
            assert!(
                last == path || last == &format!("{path}:3"),
                "{editor}: {argv:?}"
            );
            assert!(
                !argv.iter().any(|a| a == "rm" || a == "-rf"),
                "{editor}: {argv:?}"
            );
        }
        let path = "it's $(reboot) `id`.yaml";
        assert_eq!(
            command("nvim", path, None).unwrap(),
            vec!["nvim".to_string(), path.to_string()]
        );
    }

    #[test]
    fn each_editor_family_gets_the_line_its_own_way() {
        let argv = |editor: &str| command(editor, "a b.yaml", Some(12)).unwrap();
        for vi_like in [
            "vi",
            "vim",
            "nvim",
            "nano",
            "emacs",
            "hx",
            "micro",
            "/usr/bin/vim",
        ] {
            assert_eq!(argv(vi_like), [vi_like, "+12", "a b.yaml"], "{vi_like}");
        }
        assert_eq!(
            argv("emacs -nw"),
            ["emacs", "-nw", "+12", "a b.yaml"],
            "the setting's own words stay"
        );
        assert_eq!(argv("code"), ["code", "--wait", "-g", "a b.yaml:12"]);
        assert_eq!(argv("code -w"), ["code", "-w", "-g", "a b.yaml:12"]);
        assert_eq!(argv("subl -w"), ["subl", "-w", "a b.yaml:12"]);
        assert_eq!(argv("my-editor"), ["my-editor", "a b.yaml"]);
        assert_eq!(
            command("vim", "a.yaml", None).unwrap(),
            ["vim", "a.yaml"],
            "no line, no +"
        );
    }

    #[test]
    fn a_setting_that_does_not_split_is_an_error() {
        assert!(command("vim 'unclosed", "a.yaml", None).is_err());
        assert!(command("  ", "a.yaml", None).is_err());
    }
}
