//! Word wrapping of styled spans by display width, and table layout.

use super::{Span, Style};
use crate::text::width;
use unicode_width::UnicodeWidthChar;

/// A word may be made of several styled pieces (`**bold**,` is "bold" then ","): it is never
/// broken between them.
enum Token {
    Word(Vec<Span>),
    Space(Style),
    Break,
}

fn tokens(spans: &[Span]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Vec<Span> = Vec::new();
    let end_word = |word: &mut Vec<Span>, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    for span in spans {
        let mut piece = String::new();
        for c in span.text.chars() {
            if c == '\n' || c.is_whitespace() {
                if !piece.is_empty() {
                    word.push(Span {
                        text: std::mem::take(&mut piece),
                        style: span.style,
                        link: span.link,
                    });
                }
                end_word(&mut word, &mut out);
                out.push(if c == '\n' {
                    Token::Break
                } else {
                    Token::Space(span.style)
                });
            } else {
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            word.push(Span {
                text: piece,
                style: span.style,
                link: span.link,
            });
        }
    }
    end_word(&mut word, &mut out);
    out
}

/// Appends text to a line, merging with the last span when style and link agree.
fn push(line: &mut Vec<Span>, span: Span) {
    if let Some(last) = line.last_mut() {
        if last.style == span.style && last.link == span.link {
            last.text.push_str(&span.text);
            return;
        }
    }
    line.push(span);
}

fn trim_end(line: &mut Vec<Span>) {
    while let Some(last) = line.last_mut() {
        let trimmed = last.text.trim_end().len();
        if trimmed == 0 {
            line.pop();
        } else {
            last.text.truncate(trimmed);
            break;
        }
    }
}

/// Wraps spans to `max` columns. Words longer than a line are cut; `\n` forces a break.
pub fn wrap(spans: &[Span], max: usize) -> Vec<Vec<Span>> {
    let max = max.max(1);
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for token in tokens(spans) {
        match token {
            Token::Break => {
                trim_end(&mut line);
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            Token::Space(style) => {
                if used > 0 && used < max {
                    push(&mut line, Span::new(" ", style));
                    used += 1;
                }
            }
            Token::Word(pieces) => {
                let w: usize = pieces.iter().map(|p| width(&p.text)).sum();
                if used > 0 && used + w > max {
                    trim_end(&mut line);
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                for piece in pieces {
                    for c in piece.text.chars() {
                        let cw = c.width().unwrap_or(0);
                        if used > 0 && used + cw > max {
                            lines.push(std::mem::take(&mut line));
                            used = 0;
                        }
                        push(
                            &mut line,
                            Span {
                                text: c.to_string(),
                                style: piece.style,
                                link: piece.link,
                            },
                        );
                        used += cw;
                    }
                }
            }
        }
    }
    trim_end(&mut line);
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// How a table column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left (the default).
    Left,
    /// Centred.
    Center,
    /// Right.
    Right,
}

/// Column widths that fit `max` columns including the ` │ ` separators: each column as wide as
/// its widest cell, the widest columns narrowed first when the table does not fit.
pub fn column_widths(rows: &[Vec<Vec<Span>>], ncols: usize, max: usize) -> Vec<usize> {
    let mut widths = vec![1usize; ncols];
    // The longest word of each column: narrowing below it would cut words.
    let mut words = vec![1usize; ncols];
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(ncols) {
            let text: String = cell.iter().map(|s| s.text.as_str()).collect();
            widths[i] = widths[i].max(width(&text));
            let longest = text.split_whitespace().map(width).max().unwrap_or(0);
            words[i] = words[i].max(longest);
        }
    }
    let budget = max.saturating_sub(3 * ncols.saturating_sub(1));
    while widths.iter().sum::<usize>() > budget {
        // Narrow the widest column that can lose a column without cutting a word; when none
        // can, the widest column.
        let pick = widths
            .iter()
            .enumerate()
            .filter(|(i, w)| **w > words[*i])
            .max_by_key(|(_, w)| **w)
            .or_else(|| widths.iter().enumerate().max_by_key(|(_, w)| **w));
        let Some((i, &w)) = pick else {
            break;
        };
        if w <= 3 {
            break;
        }
        widths[i] = w - 1;
    }
    widths
}

/// Pads wrapped cell content to a column width.
pub fn pad(mut spans: Vec<Span>, col: usize, align: Align, style: Style) -> Vec<Span> {
    let w: usize = spans.iter().map(|s| width(&s.text)).sum();
    let gap = col.saturating_sub(w);
    let (left, right) = match align {
        Align::Left => (0, gap),
        Align::Right => (gap, 0),
        Align::Center => (gap / 2, gap - gap / 2),
    };
    if left > 0 {
        spans.insert(0, Span::new(" ".repeat(left), style));
    }
    if right > 0 {
        spans.push(Span::new(" ".repeat(right), style));
    }
    spans
}
