//! Markdown for the terminal: a page becomes a list of styled lines, wrapped to a width, that
//! the TUI draws with its theme and the command line prints as plain text.
//!
//! This module knows nothing of terminals. Every string that reaches the model has been through
//! [`crate::text::clean`], so a page cannot smuggle escape sequences into the terminal. Links keep
//! their target so a front end can follow them or draw them as OSC 8 hyperlinks.

mod render;
mod wrap;

pub use render::render;

/// How an inline piece of text is styled; a front end maps these to colours and attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Style {
    /// `**strong**`.
    pub strong: bool,
    /// `*emphasis*`.
    pub emphasis: bool,
    /// `~~strikethrough~~`.
    pub strike: bool,
    /// `` `inline code` `` and fenced code blocks.
    pub code: bool,
    /// The text of a link.
    pub link: bool,
    /// An image, shown as its alt text.
    pub image: bool,
    /// Inside a heading of this level (1–6).
    pub heading: Option<u8>,
    /// Inside a block quote.
    pub quote: bool,
    /// Decoration added by the renderer: list bullets, quote bars, table rules, link numbers.
    pub marker: bool,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The text, cleaned, never containing a newline.
    pub text: String,
    /// Its style.
    pub style: Style,
    /// Index into [`Document::links`] when the text is (part of) a link.
    pub link: Option<usize>,
}

impl Span {
    /// A span without a link.
    pub fn new(text: impl Into<String>, style: Style) -> Self {
        Self {
            text: text.into(),
            style,
            link: None,
        }
    }
}

/// What a line belongs to, so a front end can style whole lines (code background, rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Body text, list items and quotes.
    Text,
    /// A heading of this level.
    Heading(u8),
    /// The underline drawn below a level 1 or 2 heading.
    HeadingRule,
    /// A line of a code block (not wrapped).
    Code,
    /// A horizontal rule.
    Rule,
    /// A line of a table.
    Table,
    /// An empty line between blocks.
    Blank,
}

/// One rendered line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What the line belongs to.
    pub kind: LineKind,
    /// Its spans, left to right.
    pub spans: Vec<Span>,
}

impl Line {
    /// The line's text without styles.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }

    /// The line's width in terminal columns.
    pub fn width(&self) -> usize {
        self.spans.iter().map(|s| crate::text::width(&s.text)).sum()
    }
}

/// A heading of the page, for a table of contents and `#anchor` links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1–6.
    pub level: u8,
    /// The heading's text.
    pub text: String,
    /// The anchor MkDocs gives it (`## Hot accounts` → `hot-accounts`).
    pub anchor: String,
    /// The index of its first line in [`Document::lines`].
    pub line: usize,
}

/// A link on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link's text.
    pub text: String,
    /// Where it points, as written (cleaned): a URL, a relative page path or `#anchor`.
    pub url: String,
    /// The first line it appears on.
    pub line: Option<usize>,
}

/// A rendered page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The lines, top to bottom.
    pub lines: Vec<Line>,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Links in order; [`Span::link`] indexes into this.
    pub links: Vec<Link>,
}

impl Document {
    /// The page as plain text, one line per line, without styles.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            out.push_str(line.text().trim_end());
            out.push('\n');
        }
        out
    }

    /// The text of the first level 1 heading, if any.
    pub fn title(&self) -> Option<&str> {
        self.headings
            .iter()
            .find(|h| h.level == 1)
            .map(|h| h.text.as_str())
    }

    /// The indices of lines containing `needle`, ignoring case (for `/` search in a page).
    pub fn find(&self, needle: &str) -> Vec<usize> {
        let needle = needle.to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.text().to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect()
    }

    /// The line a `#anchor` points to.
    pub fn anchor_line(&self, anchor: &str) -> Option<usize> {
        let anchor = anchor.trim_start_matches('#');
        self.headings
            .iter()
            .find(|h| h.anchor == anchor)
            .map(|h| h.line)
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The width to wrap to, in columns (at least 20 is used).
    pub width: usize,
    /// Append `[n]` after each link's text, for plain output with a list of links below.
    pub number_links: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            width: 80,
            number_links: false,
        }
    }
}

/// The anchor MkDocs' default `toc` extension gives a heading: lowercase, punctuation dropped,
/// runs of spaces and hyphens turned into one hyphen.
pub fn slug(heading: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in heading.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' {
            gap = true;
        }
    }
    out
}

#[cfg(test)]
mod tests;
