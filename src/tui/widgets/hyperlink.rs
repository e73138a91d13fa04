//! OSC 8 hyperlinks, cell by cell. A link put inside a `Span` would count the escape sequence
//! as visible width and break ratatui's diffing, so links are applied *after* a line is drawn:
//! the cells showing the link text are grouped into chunks of at least two columns, the first
//! cell of each chunk carries `ESC ] 8 ;; URL ESC \ text ESC ] 8 ;; ESC \` as its symbol, and
//! the other cells of the chunk are marked `skip`. Every column keeps its cell, so widths,
//! wide characters and the diff stay right.
//!
//! Only safe URLs are linked (see [`safe_url`]): catalog text is untrusted, and a URL with an
//! escape or bell in it could end the sequence early and talk to the terminal.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

/// Longest URL put in a link; terminals cap theirs near here (longer ones are drawn plain).
pub const MAX_URL: usize = 2048;

/// The URL when it may be linked: `http://`, `https://`, `mailto:` or `file://` with something
/// after the scheme, at most [`MAX_URL`] bytes, and nothing but printable ASCII (no control
/// character, space, escape or bell anywhere). Anything else (`javascript:`, a URL with ESC in it) gets `None`.
pub fn safe_url(url: &str) -> Option<&str> {
    if url.is_empty() || url.len() > MAX_URL {
        return None;
    }
    // OSC 8 wants a percent-encoded URI: printable ASCII only, which also keeps out escapes,
    // bells, C1 controls and bidi overrides.
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = ["https://", "http://", "mailto:", "file://"]
        .iter()
        .find(|scheme| lower.starts_with(**scheme))
        .and_then(|scheme| url.get(scheme.len()..))?;
    (!rest.is_empty()).then_some(url)
}

/// The `mailto:` URL for an email address, when it looks like one and is safe.
pub fn mailto(email: &str) -> Option<String> {
    let email = email.trim();
    let (user, host) = email.split_once('@')?;
    if user.is_empty() || host.is_empty() || email.contains([':', '/', '?', '#']) {
        return None;
    }
    let url = format!("mailto:{email}");
    safe_url(&url).is_some().then_some(url)
}

/// The sequence a chunk's first cell carries.
fn wrapped(url: &str, text: &str) -> String {
    format!("\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\")
}

/// One drawn character of a row: its first column and its width (a wide one covers two).
struct Glyph {
    x: u16,
    width: u16,
}

/// The characters drawn on row `y` of `area`, skipping the columns wide characters cover.
fn glyphs(buf: &Buffer, area: Rect, y: u16) -> Vec<(Glyph, String)> {
    let mut out = Vec::new();
    let mut x = area.x;
    let end = area.right().min(buf.area.right());
    while x < end {
        let Some(cell) = buf.cell((x, y)) else { break };
        // A cell already part of a link stands for no text, so no other link overlaps it.
        let (symbol, width) = if cell.skip || cell.symbol().contains('\x1b') {
            ("\0".to_string(), 1)
        } else {
            let s = cell.symbol().to_string();
            let w = (s.width() as u16).clamp(1, 2);
            (s, w)
        };
        out.push((Glyph { x, width }, symbol));
        x += width;
    }
    out
}

/// Makes the `width` columns at (`x`, `y`) a link to `url`, keeping the characters drawn there.
/// Returns false, changing nothing, when the URL is not safe, the span is under two columns
/// or it is not inside the buffer.
pub fn link_cells(buf: &mut Buffer, x: u16, y: u16, width: u16, url: &str) -> bool {
    let Some(url) = safe_url(url) else {
        return false;
    };
    let area = Rect::new(x, y, width, 1).intersection(buf.area);
    if area.width < 2 || area.height == 0 || area.x != x {
        return false;
    }
    let row = glyphs(buf, area, y);
    // Chunks of at least two columns that never split a wide character; a last chunk of one
    // column joins the one before (a one-column chunk would make ratatui's diff skip the cell
    // after it).
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut current_width = 0;
    for (i, (g, _)) in row.iter().enumerate() {
        if g.x + g.width > area.right() {
            break; // a wide character cut by the end of the area
        }
        current.push(i);
        current_width += g.width;
        if current_width >= 2 {
            chunks.push(std::mem::take(&mut current));
            current_width = 0;
        }
    }
    if !current.is_empty() {
        match chunks.last_mut() {
            Some(last) => last.extend(current),
            None => return false,
        }
    }
    for chunk in chunks {
        let text: String = chunk.iter().map(|&i| row[i].1.as_str()).collect();
        let first = &row[chunk[0]].0;
        let last = &row[chunk[chunk.len() - 1]].0;
        for cx in first.x + 1..last.x + last.width {
            if let Some(cell) = buf.cell_mut((cx, y)) {
                cell.set_skip(true);
            }
        }
        if let Some(cell) = buf.cell_mut((first.x, y)) {
            cell.set_symbol(&wrapped(url, &text));
        }
    }
    true
}

/// Links every place `text` is drawn in `area` to `url`; returns how many places were linked.
/// Text cut short by the edge of the area is not linked (it would not be the whole link).
pub fn link_text(buf: &mut Buffer, area: Rect, text: &str, url: &str) -> usize {
    if text.is_empty() || safe_url(url).is_none() {
        return 0;
    }
    let area = area.intersection(buf.area);
    let mut linked = 0;
    for y in area.top()..area.bottom() {
        let row = glyphs(buf, area, y);
        let mut line = String::new();
        let mut starts = Vec::with_capacity(row.len());
        for (g, s) in &row {
            starts.push((line.len(), g.x));
            line.push_str(s);
        }
        let mut from = 0;
        while let Some(found) = line.get(from..).and_then(|l| l.find(text)) {
            let begin = from + found;
            let end = begin + text.len();
            from = end;
            let Some(&(_, x)) = starts.iter().find(|(b, _)| *b == begin) else {
                continue;
            };
            let width = text.width() as u16;
            if link_cells(buf, x, y, width, url) {
                linked += 1;
            }
        }
    }
    linked
}

/// Links each `(text, url)` pair wherever its text is drawn in `area`, when `enabled`.
pub fn link_all<'a>(
    buf: &mut Buffer,
    area: Rect,
    enabled: bool,
    links: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    if !enabled {
        return;
    }
    // Longest first: a URL that is the start of another must not cut the longer one in two.
    let mut links: Vec<(&str, &str)> = links.into_iter().collect();
    links.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    for (text, url) in links {
        link_text(buf, area, text, url);
    }
}

/// The text a row shows on screen, with the link sequences taken out again: what a reader
/// sees. For tests and for checking that linking never changes the visible text.
pub fn visible_row(buf: &Buffer, y: u16) -> String {
    let mut out = String::new();
    let mut x = buf.area.x;
    while x < buf.area.right() {
        let Some(cell) = buf.cell((x, y)) else { break };
        if cell.skip {
            x += 1;
            continue;
        }
        let symbol = cell.symbol();
        let shown = strip_links(symbol);
        out.push_str(&shown);
        x += (shown.width() as u16).max(1);
    }
    out
}

/// `s` without OSC 8 sequences.
pub fn strip_links(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("\x1b]8;") {
        out.push_str(rest.get(..start).unwrap_or_default());
        match rest.get(start..).and_then(|r| r.find("\x1b\\")) {
            Some(end) => rest = rest.get(start + end + 2..).unwrap_or_default(),
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Widget};

    fn drawn(text: &str, width: u16) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, 2));
        Paragraph::new(Line::raw(text.to_string())).render(buf.area, &mut buf);
        buf
    }

    fn symbols(buf: &Buffer, y: u16) -> Vec<String> {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn only_web_mail_and_file_urls_without_controls_are_safe() {
        assert!(safe_url("https://example.com/runbook").is_some());
        assert!(safe_url("HTTP://example.com").is_some());
        assert!(safe_url("mailto:team@example.com").is_some());
        assert!(safe_url("file:///srv/docs/index.html").is_some());
        for bad in [
            "javascript:alert(1)",
            "https://evil.example/\x1b]8;;https://bank\x1b\\",
            "https://evil.example/\x07",
            "https://a b",
            "https://x\u{9b}",
            "data:text/html,hi",
            "https://",
            "",
            "ftp://x",
        ] {
            assert!(safe_url(bad).is_none(), "{bad:?} must not be linked");
        }
        let long = format!("https://x.example/{}", "a".repeat(MAX_URL));
        assert!(safe_url(&long).is_none());
        assert_eq!(
            mailto("alice@example.com").as_deref(),
            Some("mailto:alice@example.com")
        );
        assert!(mailto("not an email").is_none());
        assert!(mailto("x@y\x1b[2J").is_none());
    }

    #[test]
    fn linked_cells_carry_osc8_and_the_visible_text_is_unchanged() {
        let mut buf = drawn("see https://ex.io/a now", 30);
        let before = visible_row(&buf, 0);
        assert_eq!(
            link_text(
                &mut buf,
                Rect::new(0, 0, 40, 2),
                "https://ex.io/a",
                "https://ex.io/a"
            ),
            1
        );
        assert_eq!(visible_row(&buf, 0), before);
        let s = symbols(&buf, 0);
        assert_eq!(s[3], " ", "the cell before the link is untouched");
        assert_eq!(s[4], "\x1b]8;;https://ex.io/a\x1b\\ht\x1b]8;;\x1b\\");
        assert!(buf[(5, 0)].skip, "the chunk's second cell is skipped");
        assert_eq!(s[6], "\x1b]8;;https://ex.io/a\x1b\\tp\x1b]8;;\x1b\\");
        // 15 columns: seven chunks of two, the last of three.
        assert_eq!(s[16], "\x1b]8;;https://ex.io/a\x1b\\o/a\x1b]8;;\x1b\\");
        assert!(buf[(17, 0)].skip && buf[(18, 0)].skip);
        assert!(!buf[(19, 0)].skip, "the cell after the link is drawn");
        assert_eq!(s[19], " ");
        assert_eq!(s[20], "n");
    }

    #[test]
    fn wide_characters_are_never_split_and_columns_stay_aligned() {
        let text = "x 文档链接😀 y";
        let mut buf = drawn(text, 20);
        let before = visible_row(&buf, 0);
        // A URL must be percent-encoded ASCII: a raw non-ASCII one is drawn plain.
        assert_eq!(
            link_text(
                &mut buf,
                Rect::new(0, 0, 40, 2),
                "文档链接😀",
                "https://ex.io/文"
            ),
            0
        );
        let mut buf = drawn(text, 20);
        assert_eq!(
            link_text(
                &mut buf,
                Rect::new(0, 0, 40, 2),
                "文档链接😀",
                "https://ex.io/d"
            ),
            1
        );
        assert_eq!(visible_row(&buf, 0), before);
        let s = symbols(&buf, 0);
        // Each wide character is a chunk of its own, starting at its own column.
        for (x, c) in [(2, "文"), (4, "档"), (6, "链"), (8, "接"), (10, "😀")] {
            assert_eq!(
                s[x],
                format!("\x1b]8;;https://ex.io/d\x1b\\{c}\x1b]8;;\x1b\\")
            );
            assert!(buf[(x as u16 + 1, 0)].skip);
        }
        assert_eq!(s[13], "y", "the text after keeps its column");
        assert!(!buf[(13, 0)].skip);
    }

    #[test]
    fn a_narrow_then_wide_chunk_and_an_odd_tail_stay_whole() {
        let mut buf = drawn("a文bcd", 10);
        assert!(link_cells(&mut buf, 0, 0, 6, "https://ex.io"));
        let s = symbols(&buf, 0);
        assert_eq!(s[0], "\x1b]8;;https://ex.io\x1b\\a文\x1b]8;;\x1b\\");
        assert!(buf[(1, 0)].skip && buf[(2, 0)].skip);
        assert_eq!(s[3], "\x1b]8;;https://ex.io\x1b\\bcd\x1b]8;;\x1b\\");
        assert!(buf[(4, 0)].skip && buf[(5, 0)].skip && !buf[(6, 0)].skip);
    }

    #[test]
    fn hostile_or_tiny_links_change_nothing() {
        let clean = drawn("click javascript:alert(1) x", 30);
        for url in [
            "javascript:alert(1)",
            "https://a/\x1b]52;c;AAAA\x07",
            "https://a/\x07",
        ] {
            let mut buf = clean.clone();
            assert_eq!(
                link_text(&mut buf, Rect::new(0, 0, 40, 2), "javascript:alert(1)", url),
                0
            );
            assert_eq!(buf, clean, "{url:?} changed the buffer");
        }
        let mut buf = drawn("x", 5);
        let before = buf.clone();
        assert!(
            !link_cells(&mut buf, 0, 0, 1, "https://ex.io"),
            "one column is left plain"
        );
        assert_eq!(buf, before);
    }

    #[test]
    fn text_cut_by_the_edge_is_not_linked() {
        let mut buf = drawn("see https://ex.io/long", 12);
        assert_eq!(
            link_text(
                &mut buf,
                Rect::new(0, 0, 40, 2),
                "https://ex.io/long",
                "https://ex.io/long"
            ),
            0
        );
    }

    #[test]
    fn a_url_inside_a_longer_one_does_not_split_it() {
        let mut buf = drawn("https://ex.io/a/b https://ex.io", 40);
        link_all(
            &mut buf,
            Rect::new(0, 0, 40, 1),
            true,
            [
                ("https://ex.io", "https://ex.io"),
                ("https://ex.io/a/b", "https://ex.io/a/b"),
            ],
        );
        let s = symbols(&buf, 0);
        assert!(
            s[0].starts_with("\x1b]8;;https://ex.io/a/b\x1b\\"),
            "{}",
            s[0]
        );
        assert!(
            s[14].starts_with("\x1b]8;;https://ex.io/a/b\x1b\\"),
            "{}",
            s[14]
        );
        assert!(
            s[18].starts_with("\x1b]8;;https://ex.io\x1b\\"),
            "{}",
            s[18]
        );
        assert_eq!(
            visible_row(&buf, 0),
            "https://ex.io/a/b https://ex.io         "
        );
    }

    #[test]
    fn disabled_links_leave_the_buffer_alone() {
        let mut buf = drawn("https://ex.io", 20);
        let before = buf.clone();
        link_all(
            &mut buf,
            before.area,
            false,
            [("https://ex.io", "https://ex.io")],
        );
        assert_eq!(buf, before);
        link_all(
            &mut buf,
            before.area,
            true,
            [("https://ex.io", "https://ex.io")],
        );
        assert_ne!(buf, before);
    }

    #[test]
    fn the_diff_after_a_link_still_sends_changed_cells() {
        // ratatui's diff skips the cell after any multi-column symbol; chunks of two or more
        // columns make that the chunk's own (skipped) cell, never the next character.
        let mut prev = drawn("https://ex.io ab", 20);
        link_text(
            &mut prev,
            Rect::new(0, 0, 40, 2),
            "https://ex.io",
            "https://ex.io",
        );
        let mut next = drawn("https://ex.io cd", 20);
        link_text(
            &mut next,
            Rect::new(0, 0, 40, 2),
            "https://ex.io",
            "https://ex.io",
        );
        let diff = prev.diff(&next);
        let xs: Vec<u16> = diff
            .iter()
            .filter(|(_, y, _)| *y == 0)
            .map(|(x, _, _)| *x)
            .collect();
        assert!(xs.contains(&14) && xs.contains(&15), "{xs:?}");
        assert!(diff.iter().all(|(_, _, c)| !c.skip));
    }
}
