//! Walks pulldown-cmark's events and lays blocks out as [`Line`]s.

use super::wrap::{column_widths, pad, wrap, Align};
use super::{slug, Document, Heading, Line, LineKind, Link, Options, Span, Style};
use crate::text::{clean, width};
use pulldown_cmark::{Alignment, Event, HeadingLevel, Parser, Tag, TagEnd, TextMergeStream};

/// Renders Markdown into styled lines wrapped to `options.width`.
pub fn render(markdown: &str, options: &Options) -> Document {
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    opts.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    opts.insert(pulldown_cmark::Options::ENABLE_TASKLISTS);
    opts.insert(pulldown_cmark::Options::ENABLE_FOOTNOTES);
    let mut r = Renderer {
        width: options.width.max(20),
        number_links: options.number_links,
        ..Renderer::default()
    };
    for event in TextMergeStream::new(Parser::new_ext(markdown, opts)) {
        r.event(event);
    }
    r.flush(LineKind::Text);
    r.doc
}

/// A block that prefixes the lines inside it.
enum Container {
    Quote,
    List { next: Option<u64> },
    Item { marker: String, first: bool },
}

#[derive(Default)]
struct Table {
    aligns: Vec<Align>,
    rows: Vec<Vec<Vec<Span>>>,
    header: bool,
    row: Vec<Vec<Span>>,
}

#[derive(Default)]
struct Renderer {
    width: usize,
    number_links: bool,
    doc: Document,
    inline: Vec<Span>,
    strong: u32,
    emphasis: u32,
    strike: u32,
    heading: Option<u8>,
    link: Option<usize>,
    image_alt: Option<String>,
    code: Option<String>,
    html: Option<String>,
    table: Option<Table>,
    containers: Vec<Container>,
    pending_blank: bool,
}

impl Renderer {
    fn style(&self) -> Style {
        Style {
            strong: self.strong > 0 || self.table.as_ref().is_some_and(|t| t.header),
            emphasis: self.emphasis > 0,
            strike: self.strike > 0,
            link: self.link.is_some(),
            heading: self.heading,
            quote: self
                .containers
                .iter()
                .any(|c| matches!(c, Container::Quote)),
            ..Style::default()
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        let text = one_cell_per_char(&clean(text));
        if let Some(alt) = &mut self.image_alt {
            alt.push_str(&text);
            return;
        }
        if let Some(i) = self.link {
            if let Some(l) = self.doc.links.get_mut(i) {
                l.text.push_str(&text);
            }
        }
        self.inline.push(Span {
            text,
            style,
            link: self.link,
        });
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some(code) = &mut self.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        if let Some(html) = &mut self.html {
            match event {
                Event::Html(t) | Event::Text(t) => html.push_str(&t),
                Event::End(TagEnd::HtmlBlock) => self.end_html(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t, self.style()),
            Event::Code(t) => {
                let style = Style {
                    code: true,
                    ..self.style()
                };
                self.text(&t, style);
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, self.style()),
            Event::SoftBreak => self.text(" ", self.style()),
            Event::HardBreak => self.inline.push(Span::new("\n", self.style())),
            Event::InlineHtml(t) => {
                if t.trim_start().to_ascii_lowercase().starts_with("<br") {
                    self.inline.push(Span::new("\n", self.style()));
                }
            }
            Event::Html(t) => self.text(&t, self.style()),
            Event::FootnoteReference(name) => {
                let text = format!("[^{}]", clean(&name));
                self.text(&text, self.style());
            }
            Event::TaskListMarker(done) => {
                let style = Style {
                    marker: true,
                    ..self.style()
                };
                self.inline
                    .push(Span::new(if done { "[x] " } else { "[ ] " }, style));
            }
            Event::Rule => {
                self.flush(LineKind::Text);
                let avail = self.available();
                let rule = Style {
                    marker: true,
                    ..Style::default()
                };
                self.emit(LineKind::Rule, vec![Span::new("─".repeat(avail), rule)]);
                self.pending_blank = true;
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::FootnoteDefinition(_) | Tag::DefinitionList => {
                self.flush(LineKind::Text)
            }
            Tag::DefinitionListTitle | Tag::DefinitionListDefinition => self.flush(LineKind::Text),
            Tag::Heading { level, .. } => {
                self.flush(LineKind::Text);
                self.pending_blank = true;
                self.heading = Some(heading_level(level));
            }
            Tag::BlockQuote(_) => {
                self.flush(LineKind::Text);
                // The gap before a quote belongs outside it: no bar on it.
                self.blank_if_pending();
                self.containers.push(Container::Quote);
            }
            Tag::CodeBlock(_) => {
                self.flush(LineKind::Text);
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.flush(LineKind::Text);
                self.html = Some(String::new());
            }
            Tag::List(start) => {
                self.flush(LineKind::Text);
                self.containers.push(Container::List { next: start });
            }
            Tag::Item => {
                self.flush(LineKind::Text);
                let depth = self
                    .containers
                    .iter()
                    .filter(|c| matches!(c, Container::List { .. }))
                    .count();
                let marker = match self.containers.iter_mut().rev().find_map(|c| match c {
                    Container::List { next } => Some(next),
                    _ => None,
                }) {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => ["• ", "◦ ", "▪ "][depth.saturating_sub(1) % 3].to_string(),
                };
                self.containers.push(Container::Item {
                    marker,
                    first: true,
                });
            }
            Tag::Table(aligns) => {
                self.flush(LineKind::Text);
                self.table = Some(Table {
                    aligns: aligns
                        .into_iter()
                        .map(|a| match a {
                            Alignment::Center => Align::Center,
                            Alignment::Right => Align::Right,
                            _ => Align::Left,
                        })
                        .collect(),
                    ..Table::default()
                });
            }
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.header = true;
                }
            }
            Tag::TableRow | Tag::TableCell => {}
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strong => self.strong += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Superscript | Tag::Subscript | Tag::MetadataBlock(_) => {}
            Tag::Link { dest_url, .. } => {
                self.doc.links.push(Link {
                    text: String::new(),
                    url: crate::text::one_line(&clean(&dest_url)),
                    line: None,
                });
                self.link = Some(self.doc.links.len() - 1);
            }
            Tag::Image { .. } => self.image_alt = Some(String::new()),
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::FootnoteDefinition | TagEnd::DefinitionList => {
                self.flush(LineKind::Text);
                self.pending_blank = true;
            }
            TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => {
                self.flush(LineKind::Text)
            }
            TagEnd::Heading(level) => {
                let level = heading_level(level);
                self.flush(LineKind::Heading(level));
                self.heading = None;
                self.pending_blank = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush(LineKind::Text);
                self.containers.pop();
                self.pending_blank = true;
            }
            TagEnd::CodeBlock | TagEnd::HtmlBlock => {}
            TagEnd::List(_) => {
                self.flush(LineKind::Text);
                self.containers.pop();
                if !self
                    .containers
                    .iter()
                    .any(|c| matches!(c, Container::List { .. }))
                {
                    self.pending_blank = true;
                }
            }
            TagEnd::Item => {
                self.flush(LineKind::Text);
                if matches!(
                    self.containers.last(),
                    Some(Container::Item { first: true, .. })
                ) {
                    self.emit(LineKind::Text, Vec::new());
                }
                self.containers.pop();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline);
                if let Some(t) = &mut self.table {
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    // A header of empty cells (`| | |`) is left out.
                    let empty = t.header
                        && row
                            .iter()
                            .all(|c| c.iter().all(|s| s.text.trim().is_empty()));
                    if !empty {
                        t.rows.push(row);
                    } else {
                        t.header = false;
                    }
                    if t.header && matches!(tag, TagEnd::TableHead) {
                        t.rows.push(Vec::new()); // the rule under the header
                    }
                    t.header = false;
                }
            }
            TagEnd::Table => self.end_table(),
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Superscript | TagEnd::Subscript | TagEnd::MetadataBlock(_) => {}
            TagEnd::Link => {
                if let (true, Some(i)) = (self.number_links, self.link) {
                    let style = Style {
                        marker: true,
                        ..Style::default()
                    };
                    self.inline.push(Span::new(format!("[{}]", i + 1), style));
                }
                self.link = None;
            }
            TagEnd::Image => {
                let alt = self.image_alt.take().unwrap_or_default();
                let text = if alt.trim().is_empty() {
                    "[image]".to_string()
                } else {
                    format!("[image: {}]", alt.trim())
                };
                let style = Style {
                    image: true,
                    ..self.style()
                };
                self.text(&text, style);
            }
        }
    }

    /// Columns left for content after the current prefix.
    fn available(&self) -> usize {
        let prefix: usize = self
            .containers
            .iter()
            .map(|c| match c {
                Container::Quote => 2,
                Container::List { .. } => 0,
                Container::Item { marker, .. } => width(marker),
            })
            .sum();
        self.width.saturating_sub(prefix).max(10)
    }

    /// The spans that start a line: quote bars and list markers (the marker only on an item's
    /// first line, spaces after).
    fn prefix(&mut self, blank: bool) -> Vec<Span> {
        let marker = Style {
            marker: true,
            ..Style::default()
        };
        let mut out = Vec::new();
        for c in &mut self.containers {
            match c {
                Container::Quote => out.push(Span::new(if blank { "│" } else { "│ " }, marker)),
                Container::List { .. } => {}
                Container::Item { marker: m, first } => {
                    if *first && !blank {
                        out.push(Span::new(m.clone(), marker));
                        *first = false;
                    } else if !blank {
                        out.push(Span::new(" ".repeat(width(m)), marker));
                    }
                }
            }
        }
        out
    }

    fn emit(&mut self, kind: LineKind, content: Vec<Span>) {
        self.blank_if_pending();
        let mut spans = self.prefix(false);
        spans.extend(content);
        let index = self.doc.lines.len();
        for s in &spans {
            if let Some(link) = s.link.and_then(|i| self.doc.links.get_mut(i)) {
                link.line.get_or_insert(index);
            }
        }
        self.doc.lines.push(Line { kind, spans });
    }

    /// Puts the blank line owed between two blocks.
    fn blank_if_pending(&mut self) {
        if self.pending_blank && !self.doc.lines.is_empty() {
            let blank = self.prefix(true);
            let blank = if blank.iter().all(|s| s.text.trim().is_empty()) {
                Vec::new()
            } else {
                blank
            };
            self.doc.lines.push(Line {
                kind: LineKind::Blank,
                spans: blank,
            });
        }
        self.pending_blank = false;
    }

    /// Lays out the pending inline text as wrapped lines of `kind`.
    fn flush(&mut self, kind: LineKind) {
        if self.table.is_some() {
            return;
        }
        let inline = std::mem::take(&mut self.inline);
        if inline.iter().all(|s| s.text.trim().is_empty()) {
            return;
        }
        let text: String = inline.iter().map(|s| s.text.as_str()).collect();
        let first =
            self.doc.lines.len() + usize::from(self.pending_blank && !self.doc.lines.is_empty());
        for line in wrap(&inline, self.available()) {
            self.emit(kind, line);
        }
        if let LineKind::Heading(level) = kind {
            let text = crate::text::one_line(&text);
            let rule = match level {
                1 => Some("═"),
                2 => Some("─"),
                _ => None,
            };
            if let Some(rule) = rule {
                let w = width(&text).min(self.available());
                let style = Style {
                    marker: true,
                    heading: Some(level),
                    ..Style::default()
                };
                self.emit(
                    LineKind::HeadingRule,
                    vec![Span::new(rule.repeat(w), style)],
                );
            }
            self.doc.headings.push(Heading {
                level,
                anchor: slug(&text),
                text,
                line: first,
            });
        }
    }

    fn end_code(&mut self) {
        let code = self.code.take().unwrap_or_default();
        let code = clean(&code);
        let style = Style {
            code: true,
            ..Style::default()
        };
        let indent = Style {
            marker: true,
            ..Style::default()
        };
        for line in code.trim_end_matches('\n').split('\n') {
            let line = line.replace('\t', "    ");
            self.emit(
                LineKind::Code,
                vec![Span::new("    ", indent), Span::new(line, style)],
            );
        }
        self.pending_blank = true;
    }

    fn end_html(&mut self) {
        let html = self.html.take().unwrap_or_default();
        let html = clean(&html);
        let trimmed = html.trim();
        if trimmed.is_empty() || (trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
            return;
        }
        for line in trimmed.lines() {
            let line = one_cell_per_char(line);
            self.emit(LineKind::Text, vec![Span::new(line, Style::default())]);
        }
        self.pending_blank = true;
    }

    fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let ncols = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        if ncols == 0 {
            return;
        }
        let widths = column_widths(&table.rows, ncols, self.available());
        let rule = Style {
            marker: true,
            ..Style::default()
        };
        for row in &table.rows {
            if row.is_empty() {
                let parts: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                self.emit(LineKind::Table, vec![Span::new(parts.join("─┼─"), rule)]);
                continue;
            }
            let cells: Vec<Vec<Vec<Span>>> = (0..ncols)
                .map(|i| wrap(row.get(i).map_or(&[][..], Vec::as_slice), widths[i]))
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for l in 0..height {
                let mut spans = Vec::new();
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        spans.push(Span::new(" │ ", rule));
                    }
                    let content = cell.get(l).cloned().unwrap_or_default();
                    let align = table.aligns.get(i).copied().unwrap_or(Align::Left);
                    spans.extend(pad(content, widths[i], align, Style::default()));
                }
                // Trailing padding would only make copied text ragged.
                if let Some(last) = spans.last_mut() {
                    if last.text.trim().is_empty() && last.link.is_none() {
                        spans.pop();
                    }
                }
                self.emit(LineKind::Table, spans);
            }
        }
        self.pending_blank = true;
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Tabs and line breaks that [`clean`] keeps (they are fine in a whole document) become spaces
/// inside a span: a terminal cell must never hold a control character.
fn one_cell_per_char(s: &str) -> String {
    s.replace('\t', "    ").replace(['\n', '\r'], " ")
}
