//! Laying untrusted text out in display columns: one cell-safe line, or wrapped paragraphs.

use crate::text;
use unicode_width::UnicodeWidthChar;

/// Columns a tab expands to.
const TAB: usize = 4;

/// A string made safe for one row: no control characters, newlines or tabs.
pub fn safe_line(s: &str) -> String {
    text::one_line(&text::clean(s))
}

/// One line of code or of a raw definition, for the screen: control characters dropped, tabs
/// expanded to the next stop, and its indentation and inner spacing kept (unlike
/// [`safe_line`], which folds them).
pub fn code_line(s: &str) -> String {
    let mut line = String::new();
    for c in text::clean(s).chars() {
        match c {
            '\t' => {
                let col = text::width(&line);
                line.extend(std::iter::repeat(' ').take(TAB - col % TAB));
            }
            c if c.is_control() => {}
            c => line.push(c),
        }
    }
    line
}

/// Wraps multi-line text to `width` columns: each source line stays a line (so lists and
/// paragraphs keep their shape), tabs expand to spaces, long lines break at spaces where they
/// can and mid-word where they must, and control characters are dropped.
pub fn wrap(input: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let cleaned = text::clean(input);
    let mut out = Vec::new();
    for raw in cleaned.lines() {
        let mut line = String::new();
        for c in raw.chars() {
            match c {
                '\t' => {
                    let col = text::width(&line);
                    line.extend(std::iter::repeat(' ').take(TAB - col % TAB));
                }
                c if c.is_control() => {}
                c => line.push(c),
            }
        }
        wrap_line(line.trim_end(), width, &mut out);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn wrap_line(line: &str, width: usize, out: &mut Vec<String>) {
    if text::width(line) <= width {
        out.push(line.to_string());
        return;
    }
    let mut current = String::new();
    let mut used = 0;
    for word in line.split_inclusive(' ') {
        let w = text::width(word);
        if used + w.saturating_sub(usize::from(word.ends_with(' '))) > width && used > 0 {
            out.push(current.trim_end().to_string());
            current.clear();
            used = 0;
        }
        if w > width {
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > width {
                    out.push(std::mem::take(&mut current));
                    used = 0;
                }
                current.push(c);
                used += cw;
            }
        } else {
            current.push_str(word);
            used += w;
        }
    }
    if !current.trim_end().is_empty() {
        out.push(current.trim_end().to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_the_width_and_keep_source_lines() {
        let lines = wrap("one two three four five six\n\n- item\tx", 10);
        assert!(lines.iter().all(|l| text::width(l) <= 10), "{lines:?}");
        assert_eq!(lines[0], "one two");
        assert!(lines.contains(&String::new()));
        assert_eq!(lines.last().unwrap(), "- item  x");
    }

    #[test]
    fn a_word_longer_than_the_width_is_broken() {
        let lines = wrap(&"x".repeat(25), 10);
        assert_eq!(lines, vec!["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let lines = wrap("日本語のテキスト", 6);
        assert!(lines.iter().all(|l| text::width(l) <= 6), "{lines:?}");
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn control_characters_never_survive() {
        let lines = wrap("a\u{1b}]0;pwned\u{7}b\u{1b}[31mc\rd", 40);
        assert!(lines.iter().all(|l| !l.chars().any(char::is_control)));
        assert_eq!(safe_line("x\ny\tz\u{7}"), "x y z");
    }
}
