//! Untrusted text: cleaning strings from catalogs and servers before they can reach a terminal,
//! and measuring them in display columns.
//!
//! ratatui passes control characters in our data straight into buffer cells, so every string is
//! cleaned where it enters the model ([`clean`]) and again where it is laid out on one line
//! ([`one_line`]).

use std::borrow::Cow;
use std::time::Duration;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Longest string kept from untrusted input; longer strings are cut with an ellipsis. Bounds
/// memory and layout work for hostile files (a 1 MB single-line description).
pub const MAX_TEXT_LEN: usize = 64 * 1024;

/// Removes escape sequences (CSI, OSC, DCS, APC, PM, SOS and two-byte ESC sequences), C0 and C1
/// control characters other than newline and tab, bidirectional overrides and invisible
/// zero-width characters. Returns the input unchanged (borrowed) when it is already clean.
pub fn clean(input: &str) -> Cow<'_, str> {
    if input.len() <= MAX_TEXT_LEN && !input.chars().any(needs_cleaning) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len().min(MAX_TEXT_LEN + 4));
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() >= MAX_TEXT_LEN {
            out.push('…');
            break;
        }
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | '_' | '^' | 'X') => skip_string(&mut chars),
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{9f}' | '\u{9e}' | '\u{98}' => skip_string(&mut chars),
            c if needs_cleaning(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Cleans an owned string, reusing it when nothing needs to change.
pub fn clean_owned(input: String) -> String {
    match clean(&input) {
        Cow::Borrowed(_) => input,
        Cow::Owned(s) => s,
    }
}

/// Cleans a multi-line document (a docs page, an API definition) line by line, so only a
/// single over-long line is cut, never the document as a whole.
pub fn clean_lines(input: &str) -> String {
    if input.len() <= MAX_TEXT_LEN {
        return clean(input).into_owned();
    }
    let mut out = String::with_capacity(input.len());
    for (i, line) in input.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&clean(line));
    }
    out
}

fn needs_cleaning(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        // Zero-width joiners (U+200C/D) stay: emoji sequences and several scripts need them.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}' | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{2028}' | '\u{2029}')
        // Invisible characters that carry hidden text or split a name without showing it: tag
        // characters (U+E0000–E007F spell ASCII no one sees), the combining grapheme joiner,
        // Hangul and Khmer fillers, the Mongolian vowel separator, interlinear annotations.
        || matches!(c, '\u{e0000}'..='\u{e007f}' | '\u{034f}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}' | '\u{180e}' | '\u{3164}' | '\u{ffa0}' | '\u{fff9}'..='\u{fffb}')
}

/// Skips a CSI sequence: parameter and intermediate bytes up to a final byte in `@`..=`~`.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) || !(' '..='?').contains(&c) {
            break;
        }
    }
}

/// Skips a control string (OSC, DCS, APC, PM, SOS) up to BEL, ST or `ESC \`.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// Lays a cleaned string out on one line: newlines and tabs become spaces, runs of spaces fold,
/// and any control character left is dropped.
pub fn one_line(input: &str) -> String {
    let mut out = String::with_capacity(input.len().min(512));
    let mut last_space = false;
    for c in input.chars() {
        let c = if c == '\n' || c == '\t' || c == '\r' {
            ' '
        } else {
            c
        };
        if c.is_control() {
            continue;
        }
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
        } else {
            last_space = false;
        }
        out.push(c);
    }
    out.trim().to_string()
}

/// Display width in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` display columns, ending with `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// How long ago, in a few characters: `40 s`, `12 min`, `3 h`, `2 d`.
pub fn human_age(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("plain text\nwith\ttab"), Cow::Borrowed(_)));
    }

    #[test]
    fn osc_title_change_is_removed() {
        assert_eq!(clean("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(
            clean("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "alink"
        );
    }

    #[test]
    fn csi_and_c1_sequences_are_removed() {
        assert_eq!(clean("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(clean("x\u{9b}2Jy"), "xy");
        assert_eq!(clean("\u{1b}P1$r\u{1b}\\ok"), "ok");
        assert_eq!(clean("\u{1b}_apc\u{9c}ok"), "ok");
    }

    #[test]
    fn every_c0_and_c1_control_but_newline_and_tab_is_dropped() {
        let all: String = (0u32..0x20)
            .chain(0x7f..0xa0)
            .filter_map(char::from_u32)
            .collect();
        let cleaned = clean(&all);
        assert!(
            cleaned.chars().all(|c| c == '\n' || c == '\t'),
            "{cleaned:?}"
        );
    }

    #[test]
    fn bidi_overrides_and_zero_width_are_dropped() {
        assert_eq!(clean("pay\u{202e}ments\u{200b}"), "payments");
        // The Arabic letter mark is a bidi control too; word joiners are invisible.
        assert_eq!(clean("\u{2066}a\u{2069}\u{061c}b\u{2060}c"), "abc");
        assert_eq!(
            clean("👩\u{200d}💻"),
            "👩\u{200d}💻",
            "emoji sequences keep their joiner"
        );
    }

    #[test]
    fn tag_characters_and_the_grapheme_joiner_are_dropped() {
        // Unicode tag characters spell invisible ASCII ("ignore previous…"); U+034F is an
        // invisible combining mark that splits a name in two for search but not for the eye.
        let tagged: String = "ok"
            .chars()
            .chain("\u{e0001}hidden\u{e007f}".chars().map(|c| {
                char::from_u32(if c.is_ascii() {
                    0xe0000 + c as u32
                } else {
                    c as u32
                })
                .unwrap_or(c)
            }))
            .collect();
        assert_eq!(clean(&tagged), "ok");
        assert_eq!(clean("pay\u{34f}ments"), "payments");
        assert_eq!(clean("\u{e0000}a\u{e007f}"), "a");
    }

    #[test]
    fn huge_strings_are_bounded() {
        let big = "x".repeat(MAX_TEXT_LEN * 3);
        assert!(clean(&big).len() <= MAX_TEXT_LEN + 4);
    }

    #[test]
    fn long_documents_are_cleaned_line_by_line_not_cut() {
        let doc = "line \u{1b}[31mred\u{1b}[0m\n".repeat(MAX_TEXT_LEN / 4);
        let cleaned = clean_lines(&doc);
        assert_eq!(cleaned.lines().count(), MAX_TEXT_LEN / 4);
        assert!(cleaned.lines().all(|l| l == "line red"));
        let hostile_line = "x".repeat(MAX_TEXT_LEN * 2);
        assert!(clean_lines(&hostile_line).len() <= MAX_TEXT_LEN + 4);
    }

    #[test]
    fn one_line_folds_whitespace() {
        assert_eq!(one_line("a\n\n b\tc  "), "a b c");
    }

    #[test]
    fn truncate_counts_display_width() {
        assert_eq!(truncate("payments", 5), "paym…");
        assert_eq!(truncate("日本語テキスト", 5), "日本…");
        assert_eq!(truncate("ok", 5), "ok");
    }
}
