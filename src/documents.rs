//! Splitting a YAML file into documents and parsing each on its own, so one broken document
//! never hides the others, and every error carries its line in the file. Every document passes
//! the [`yaml`](crate::yaml) guard first, on one budget for the whole file.

use crate::catalog::{Origin, Problem};
use crate::yaml::{self, Budget, Refusal};
use serde_json::Value;
use std::sync::Arc;

/// Most documents read from one file; the rest are reported, not parsed.
pub const MAX_DOCUMENTS: usize = 200_000;

/// One parsed document and the 1-based line it starts on.
#[derive(Debug)]
pub struct Document {
    /// The first line of the document's content.
    pub line: u32,
    /// The document as JSON.
    pub value: Value,
}

/// Parses every document of a YAML file. Documents that do not parse (or nest too deeply)
/// become problems with their line; the others are returned. A file whose aliases expand past
/// its budget is refused whole: one problem, no document.
pub fn parse_documents(path: &Arc<str>, text: &str) -> (Vec<Document>, Vec<Problem>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut docs = Vec::new();
    let mut problems = Vec::new();
    let mut budget = Budget::for_len(text.len());
    for (count, (start_line, chunk)) in split(text).into_iter().enumerate() {
        if count >= MAX_DOCUMENTS {
            problems.push(Problem::error(
                Some(Origin::new(path.clone(), Some(start_line))),
                format!("more than {MAX_DOCUMENTS} documents in one file: the rest were not read"),
            ));
            break;
        }
        if chunk.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            continue;
        }
        match yaml::check_with(chunk, &mut budget) {
            Ok(()) => {}
            Err(refusal @ Refusal::TooDeep { .. }) => {
                problems.push(Problem::error(
                    Some(Origin::new(
                        path.clone(),
                        Some(start_line + refusal.line() as u32 - 1),
                    )),
                    format!("YAML does not parse: {refusal}"),
                ));
                continue;
            }
            Err(refusal @ Refusal::TooLarge { .. }) => {
                let line = start_line + refusal.line() as u32 - 1;
                return (
                    Vec::new(),
                    vec![Problem::error(
                        Some(Origin::new(path.clone(), Some(line))),
                        format!("{refusal}: the file was not loaded"),
                    )],
                );
            }
        }
        match serde_yaml::from_str::<Value>(chunk) {
            Ok(Value::Null) => {}
            Ok(value) => docs.push(Document {
                line: first_content_line(chunk) + start_line,
                value,
            }),
            Err(e) => {
                let line = e
                    .location()
                    .map(|l| start_line + l.line() as u32 - 1)
                    .unwrap_or(start_line);
                problems.push(Problem::error(
                    Some(Origin::new(path.clone(), Some(line))),
                    format!("YAML does not parse: {}", describe(&e)),
                ));
            }
        }
    }
    (docs, problems)
}

/// Moves each problem of `problems` that names a field of a document of this file (its origin
/// is `path` at the document's first line) to the line of that field, or of its nearest
/// ancestor written in the file, and clears the field. `text` is the file's text. Each
/// document with such a problem is walked once; a file without one is not walked at all.
pub fn locate_fields(path: &str, text: &str, problems: &mut [Problem]) {
    if !problems.iter().any(|p| p.field.is_some()) {
        return;
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let chunks = split(text);
    // Per document walked: its first content line, its chunk's first line, its fields.
    let mut walked: Vec<(u32, u32, yaml::FieldLines)> = Vec::new();
    for problem in problems.iter_mut() {
        let Some(field) = problem.field.take() else {
            continue;
        };
        let Some(origin) = problem.origin.as_mut().filter(|o| &*o.path == path) else {
            continue;
        };
        let Some(doc_line) = origin.line else {
            continue;
        };
        if !walked.iter().any(|(line, _, _)| *line == doc_line) {
            let Some((start, chunk)) = chunks
                .iter()
                .find(|(start, chunk)| start + first_content_line(chunk) == doc_line)
            else {
                continue;
            };
            walked.push((doc_line, *start, yaml::field_lines(chunk)));
        }
        let found = walked
            .iter()
            .find(|(line, _, _)| *line == doc_line)
            .and_then(|(_, start, lines)| {
                let line = lines.line(&field.pointer, field.item.as_deref())?;
                Some(start + u32::try_from(line).ok()? - 1)
            });
        if let Some(line) = found {
            origin.line = Some(line);
        }
    }
}

/// serde_yaml's message, without the position it repeats (we give the file line ourselves).
fn describe(e: &serde_yaml::Error) -> String {
    let msg = e.to_string();
    match msg.find(" at line ") {
        Some(i) => msg.get(..i).unwrap_or_default().to_string(),
        None => msg,
    }
}

/// The 0-based offset of the first line that is not blank, a comment or a directive.
fn first_content_line(chunk: &str) -> u32 {
    chunk
        .lines()
        .position(|l| {
            let t = l.trim();
            !(t.is_empty() || t.starts_with('#') || t.starts_with('%'))
        })
        .unwrap_or(0) as u32
}

/// Splits at document markers: `---` or `...` at the start of a line. A marker at column 0
/// cannot appear inside a block scalar (its content is indented) nor inside flow content, so
/// this split is exact for well-formed YAML. Returns each chunk with its 1-based first line.
pub(crate) fn split(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut offset = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = |m: &str| {
            bare.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        };
        if is_marker("---") || is_marker("...") {
            out.push((start_line, text.get(start..offset).unwrap_or_default()));
            // Content may follow `--- ` on the same line (`--- !tag` or `--- {a: 1}`).
            let rest = bare.get(3..).unwrap_or_default();
            if is_marker("---") && !rest.trim().is_empty() && !rest.trim().starts_with('#') {
                start = offset + 3;
                start_line = i as u32 + 1;
            } else {
                start = offset + line.len();
                start_line = i as u32 + 2;
            }
        }
        offset += line.len();
    }
    out.push((start_line, text.get(start..).unwrap_or_default()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Document>, Vec<Problem>) {
        parse_documents(&Arc::from("f.yaml"), text)
    }

    #[test]
    fn documents_keep_their_lines() {
        let (docs, problems) = parse("# header\na: 1\n---\n\nb: 2\n---\nc: 3\n");
        assert!(problems.is_empty());
        assert_eq!(docs.iter().map(|d| d.line).collect::<Vec<_>>(), [2, 5, 7]);
    }

    #[test]
    fn a_broken_document_does_not_hide_its_neighbours() {
        let (docs, problems) = parse("a: 1\n---\nb: [unclosed\nc: 2\n---\nd: 4\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(problems.len(), 1);
        let line = problems[0].origin.as_ref().unwrap().line.unwrap();
        assert!((3..=5).contains(&line), "error line {line}");
        assert!(problems[0].message.starts_with("YAML does not parse"));
    }

    #[test]
    fn markers_inside_block_scalars_are_indented_and_not_split() {
        let (docs, problems) = parse("spec:\n  definition: |\n    ---\n    openapi: 3.0.0\n");
        assert!(problems.is_empty());
        assert_eq!(docs.len(), 1);
        assert!(docs[0].value["spec"]["definition"]
            .as_str()
            .unwrap()
            .starts_with("---\n"));
    }

    #[test]
    fn problems_move_to_their_fields_line_in_their_own_document() {
        use crate::catalog::Field;
        let text =
            "\u{feff}# c\na: 1\n---\nkind: X\nspec:\n  owner: 3\n  deps:\n    - b\n    - a\n";
        let (docs, _) = parse(text);
        let at = |line: u32, field: Field| {
            Problem::error(Some(Origin::new("f.yaml", Some(line))), "x").at_field(field)
        };
        let mut problems = vec![
            at(docs[1].line, Field::at(&["spec", "owner"])),
            at(docs[1].line, Field::item(&["spec", "deps"], "a")),
            at(docs[1].line, Field::at(&["spec", "lifecycle"])),
            at(docs[0].line, Field::at(&["a"])),
            Problem::error(Some(Origin::new("other.yaml", Some(4))), "y")
                .at_field(Field::at(&["a"])),
        ];
        locate_fields("f.yaml", text, &mut problems);
        let lines: Vec<Option<u32>> = problems
            .iter()
            .map(|p| p.origin.as_ref().and_then(|o| o.line))
            .collect();
        assert_eq!(lines, [Some(6), Some(9), Some(5), Some(2), Some(4)]);
        assert!(problems.iter().all(|p| p.field.is_none()));
    }

    #[test]
    fn bom_crlf_and_empty_documents() {
        let (docs, problems) = parse("\u{feff}---\r\na: 1\r\n---\r\n# only a comment\r\n---\r\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].value["a"], 1);
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let (docs, _) = parse("a: 'Yes'\nb: yes\nc: on\n");
        assert_eq!(docs[0].value["b"], "yes");
        assert_eq!(docs[0].value["c"], "on");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let (docs, problems) = parse(&text);
        assert!(docs.is_empty());
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn a_wide_alias_bomb_in_any_document_refuses_the_file_in_one_problem() {
        // One 10,000-item anchored list referenced 10,000 times (~50 KB): 3.9 GB expanded.
        let bomb = format!(
            "items: &a [{}]\nrefs: [{}]\n",
            vec!["x"; 10_000].join(","),
            vec!["*a"; 10_000].join(",")
        );
        let text = format!("a: 1\n---\n{bomb}---\nb: 2\n");
        let (docs, problems) = parse(&text);
        assert!(docs.is_empty(), "{} documents", docs.len());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            "f.yaml:4: error: too expensive to read: its aliases expand to more than 64 times its size: the file was not loaded"
        );
    }

    #[test]
    fn deep_flow_nesting_is_one_document_problem_and_its_neighbours_load() {
        let n = 400_000; // 800 KB: 374 s in libyaml before the guard
        let text = format!(
            "a: 1\n---\nb: {}{}\n---\nc: 3\n",
            "[".repeat(n),
            "]".repeat(n)
        );
        let (docs, problems) = parse(&text);
        assert_eq!(docs.len(), 2, "{problems:?}");
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "f.yaml:3: error: YAML does not parse: collections nested more than 128 deep"
        );
    }
}
