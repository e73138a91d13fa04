//! The Docs tab: an entity's TechDocs (or README) as a page list beside the rendered page.
//! Up/Down/PageUp/PageDown/Home/End scroll, `]`/`[` go to the next/previous page, `/` finds
//! text on the page, `n`/`N` go to the next/previous match (or, with no search, select the
//! next/previous link) and Enter follows the selected link (another page of the site, an
//! anchor on this one; a web link opens in the local browser, or is copied with OSC 52 over
//! ssh). Esc clears a search first. A click on a page in the list opens it; a click on a link
//! selects it, a double click follows it.

use super::docs_page::{self, PageLoaded, PageRequest, Read, SiteQuery};
use super::EntityTab;
use crate::catalog::EntityId;
use crate::markdown::{self, Document, Options};
use crate::techdocs::{self, LinkTarget, NavTarget, Site, TECHDOCS_REF};
use crate::text;
use crate::tui::action::Action;
use crate::tui::panes::{Ctx, Outcome};
use crate::tui::reply::Reply;
use crate::tui::task::Task;
use crate::tui::theme::{Theme, Token};
use crate::tui::widgets::hyperlink;
use crate::tui::widgets::scroll::TextScroll;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// Where the tab is with the entity's site.
enum SiteState {
    /// Being found in the background (see [`docs_page`]).
    Reading,
    /// Found.
    Ready(Arc<Site>),
    /// The entity asks for docs (a techdocs-ref) that cannot be shown: why.
    Failed(String),
    /// No techdocs-ref and no README: the tab does not apply.
    Absent,
}

/// The Docs tab's state for one entity.
pub struct DocsTab {
    site: SiteState,
    /// The entity has a techdocs-ref: the tab is shown from the start, and says why when the
    /// site cannot be read. Without one, it is shown only once a README is found.
    annotated: bool,
    /// Index into the site's pages (not nav entries).
    page: usize,
    /// The current page's Markdown, or why it could not be read.
    text: Result<String, String>,
    scroll: TextScroll,
    /// A heading to show at the top, until the next scroll (anchors resolve at draw width).
    anchor: Option<String>,
    /// The selected link on the page.
    link: Option<usize>,
    /// The find prompt's text while it is open.
    find: Option<crate::tui::widgets::line_edit::LineEditor>,
    /// The text last searched for on this page.
    query: Option<String>,
    /// The page rendered at the last width drawn (rendering a page costs more than a frame).
    rendered: RefCell<Option<(usize, usize, Document)>>,
    /// The token of the page being read in the background; its answer is the one awaited.
    pending: Option<u64>,
    /// A page read to hand to the event loop (see [`EntityTab::take_tasks`]).
    request: Option<PageRequest>,
    /// Where the last draw put the page list, and the page with its first line shown, for
    /// clicks.
    drawn: Cell<Drawn>,
}

/// Where the Docs tab drew its parts.
#[derive(Debug, Clone, Copy, Default)]
struct Drawn {
    /// The page list (its nav entries one a line from the top).
    list: Rect,
    /// The page's text.
    page: Rect,
    /// The page's line drawn on the page's first row.
    start: usize,
}

/// The Docs tab applies to entities with a techdocs-ref, or a README beside their file. The
/// site is found in the background (never on the UI thread): until then the tab says
/// "loading…", or, for an entity without a techdocs-ref, is not shown.
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    let entity = ctx.catalog.get(id);
    // A remote entity's docs are the server's (see `remote_docs`): its files are not here.
    if crate::source::remote_origin(&entity.origin.path).is_some() {
        return None;
    }
    // Pages are read anywhere inside the catalog root the entity was loaded from (as
    // `idp-tui docs` does), never outside it.
    let root = techdocs::root_for(entity, &ctx.prefs.docs_roots);
    let token = docs_page::next_token();
    let query = SiteQuery {
        entity: Box::new(entity.clone()),
        root,
    };
    Some(Box::new(DocsTab {
        site: SiteState::Reading,
        annotated: entity.metadata.annotations.contains_key(TECHDOCS_REF),
        page: 0,
        text: Err(String::new()),
        scroll: TextScroll::default(),
        anchor: None,
        link: None,
        find: None,
        query: None,
        rendered: RefCell::new(None),
        pending: Some(token),
        request: Some(PageRequest {
            token,
            read: Read::Site(query),
            width: 0,
        }),
        drawn: Cell::default(),
    }))
}

impl DocsTab {
    /// A click: on a page in the list, opens it; on a link in the page, selects it (the
    /// double click's Enter then follows it).
    fn click(&mut self, column: u16, row: u16) -> Outcome {
        let drawn = self.drawn.get();
        let inside = |r: Rect| r.contains(ratatui::layout::Position::new(column, row));
        if inside(drawn.list) {
            let at = usize::from(row - drawn.list.y);
            let Some(site) = self.site() else {
                return Outcome::Ignored;
            };
            let Some(entry) = site.nav.get(at) else {
                return Outcome::Ignored;
            };
            if !matches!(entry.target, NavTarget::Page(_)) {
                return Outcome::Ignored;
            }
            let page = site.nav[..at]
                .iter()
                .filter(|e| matches!(e.target, NavTarget::Page(_)))
                .count();
            if page != self.page {
                self.open_page(page, None);
            }
            return Outcome::Consumed;
        }
        if !inside(drawn.page) {
            return Outcome::Ignored;
        }
        let line = drawn.start + usize::from(row - drawn.page.y);
        let column = usize::from(column - drawn.page.x);
        let link = self.rendered.borrow().as_ref().and_then(|(_, _, doc)| {
            let mut x = 0;
            doc.lines.get(line)?.spans.iter().find_map(|span| {
                let w = text::width(&span.text);
                let hit = (x..x + w).contains(&column);
                x += w;
                hit.then_some(span.link).flatten()
            })
        });
        match link {
            Some(i) => {
                self.link = Some(i);
                Outcome::Consumed
            }
            None => Outcome::Ignored,
        }
    }

    /// A page read: taken when it is the one this tab waits for, ignored otherwise.
    fn page_loaded(&mut self, loaded: &PageLoaded) -> Outcome {
        if self.pending != Some(loaded.token) {
            return Outcome::Ignored;
        }
        self.pending = None;
        if let Some(found) = &loaded.site {
            self.site = match found {
                Ok(site) => SiteState::Ready(Arc::clone(site)),
                Err(e) if self.annotated => SiteState::Failed(e.to_string()),
                // No techdocs-ref, and no README beside the file (the only way this fails).
                Err(_) => SiteState::Absent,
            };
            self.page = loaded.page;
        }
        self.text = loaded.text.clone();
        if let Some((width, doc)) = &loaded.document {
            self.rendered
                .replace(Some((loaded.page, *width, doc.clone())));
        }
        Outcome::Consumed
    }

    fn site(&self) -> Option<&Arc<Site>> {
        match &self.site {
            SiteState::Ready(site) => Some(site),
            _ => None,
        }
    }

    fn page_path(&self) -> Option<&str> {
        self.site()?.pages().nth(self.page).map(|(_, p)| p)
    }

    fn open_page(&mut self, page: usize, anchor: Option<&str>) {
        let Some(site) = self.site().cloned() else {
            return;
        };
        let Some(path) = site.pages().nth(page).map(|(_, p)| p.to_string()) else {
            return;
        };
        self.page = page;
        // Read in the background: until the answer comes, the page says "loading…".
        let token = docs_page::next_token();
        self.request = Some(PageRequest {
            token,
            read: Read::Page { site, page, path },
            width: 0,
        });
        self.pending = Some(token);
        self.text = Err(String::new());
        self.scroll.set(0);
        self.link = None;
        self.rendered.replace(None);
        self.anchor = anchor.map(String::from);
        self.query = None;
    }

    /// Moves to the next (or previous) line matching the search, wrapping around.
    fn jump_to_match(&mut self, forward: bool) -> Outcome {
        self.settle_anchor();
        let Some(query) = &self.query else {
            return Outcome::Ignored;
        };
        let matches = self
            .rendered
            .borrow()
            .as_ref()
            .map(|(_, _, d)| d.find(query))
            .unwrap_or_default();
        if matches.is_empty() {
            return Outcome::Status(format!("no match for {query:?} on this page"));
        }
        let next = if forward {
            matches
                .iter()
                .position(|&l| l > self.scroll.offset())
                .unwrap_or(0)
        } else {
            matches
                .iter()
                .rposition(|&l| l < self.scroll.offset())
                .unwrap_or(matches.len() - 1)
        };
        self.scroll.set(matches[next]);
        Outcome::Status(format!(
            "{query:?}: match {} of {}",
            next + 1,
            matches.len()
        ))
    }

    /// Keys while the find prompt is open: it takes the typing.
    fn handle_find(&mut self, action: &Action) -> Outcome {
        let Some(find) = &mut self.find else {
            return Outcome::Ignored;
        };
        if find.handle(action) != crate::tui::widgets::line_edit::Edit::Ignored {
            return Outcome::Consumed;
        }
        match action {
            Action::Back => self.find = None,
            Action::Open => {
                let query = self
                    .find
                    .take()
                    .map(|f| f.text().to_string())
                    .unwrap_or_default();
                if query.trim().is_empty() {
                    return Outcome::Consumed;
                }
                self.query = Some(query);
                // Search from the line above the top, so a match on the top line counts.
                self.scroll.set(self.scroll.offset().saturating_sub(1));
                return self.jump_to_match(true);
            }
            _ => {}
        }
        Outcome::Consumed
    }

    /// Turns a pending anchor into a scroll position, at the width last drawn.
    fn settle_anchor(&mut self) {
        if let Some(anchor) = self.anchor.take() {
            let line = self
                .rendered
                .borrow()
                .as_ref()
                .and_then(|(_, _, d)| d.anchor_line(&anchor))
                .unwrap_or(0);
            self.scroll.set(line);
        }
    }

    /// The page rendered at a width, from the cache when it is still valid.
    fn document(&self, width: usize) -> Option<std::cell::Ref<'_, Document>> {
        let text = self.text.as_ref().ok()?;
        let stale =
            !matches!(&*self.rendered.borrow(), Some((p, w, _)) if *p == self.page && *w == width);
        if stale {
            let doc = markdown::render(
                text,
                &Options {
                    width,
                    number_links: false,
                },
            );
            self.rendered.replace(Some((self.page, width, doc)));
        }
        std::cell::Ref::filter_map(self.rendered.borrow(), |r| r.as_ref().map(|(_, _, d)| d)).ok()
    }

    fn page_count(&self) -> usize {
        self.site().map_or(0, |s| s.pages().count())
    }

    fn link_count(&self) -> usize {
        self.rendered
            .borrow()
            .as_ref()
            .map_or(0, |(_, _, d)| d.links.len())
    }

    fn follow(&mut self) -> Outcome {
        let (Some(i), Some(from)) = (self.link, self.page_path().map(String::from)) else {
            return Outcome::Ignored;
        };
        let url = match self
            .rendered
            .borrow()
            .as_ref()
            .and_then(|(_, _, d)| d.links.get(i))
        {
            Some(l) => l.url.clone(),
            None => return Outcome::Ignored,
        };
        let Some(site) = self.site() else {
            return Outcome::Ignored;
        };
        let target = site.resolve_link(&from, &url);
        let index = match &target {
            LinkTarget::Page { page, .. } => site.pages().position(|(_, p)| p == page),
            _ => None,
        };
        match target {
            LinkTarget::Page { page, anchor } => match index {
                Some(index) => {
                    self.open_page(index, anchor.as_deref());
                    Outcome::Consumed
                }
                None => Outcome::Status(format!("{page} is not a page of this site")),
            },
            LinkTarget::Anchor(anchor) => {
                self.anchor = Some(anchor);
                self.settle_anchor();
                Outcome::Consumed
            }
            // Like the links list: opened here, copied over ssh (see `tui::opener`).
            LinkTarget::External(url) if crate::actions::is_web_url(&url) => Outcome::OpenUrl(url),
            LinkTarget::External(url) => Outcome::Copy {
                what: format!("link {url}"),
                text: url,
            },
            LinkTarget::Missing(path) => {
                Outcome::Status(format!("{path} is not a page of this site"))
            }
        }
    }
}

/// The theme style of a Markdown span.
fn span_style(theme: &Theme, s: &markdown::Style) -> Style {
    let mut style = if s.heading.is_some() {
        theme.style(Token::Title)
    } else if s.link {
        theme
            .style(Token::Accent)
            .add_modifier(Modifier::UNDERLINED)
    } else if s.marker || s.quote || s.image || s.code {
        theme.style(Token::Muted)
    } else {
        theme.style(Token::Text)
    };
    if s.strong {
        style = style.add_modifier(Modifier::BOLD);
    }
    if s.emphasis || s.image {
        style = style.add_modifier(Modifier::ITALIC);
    }
    if s.strike {
        style = style.add_modifier(Modifier::CROSSED_OUT);
    }
    style
}

impl EntityTab for DocsTab {
    fn title(&self) -> &str {
        "Docs"
    }

    fn take_tasks(&mut self, area_width: u16, on_screen: bool) -> Vec<Task> {
        // Only the tab on screen reads pages: a Docs tab never opened reads none. A tab not
        // shown yet finds out whether it applies at once, on screen or not.
        if !on_screen && self.shown() {
            return Vec::new();
        }
        let Some(mut request) = self.request.take() else {
            return Vec::new();
        };
        request.width = docs_page::page_width(area_width);
        vec![Task::ReadDocsPage(request)]
    }

    fn shown(&self) -> bool {
        self.annotated || matches!(self.site, SiteState::Ready(_))
    }

    fn mode(&self) -> Option<crate::tui::keymap::Mode> {
        self.find
            .is_some()
            .then_some(crate::tui::keymap::Mode::Search)
    }

    fn keys(&self) -> crate::tui::panes::PaneKeys {
        use crate::tui::panes::PaneKeys;
        if self.find.is_some() {
            return PaneKeys::moves_and(&["open"])
                .and(&PaneKeys::TYPING)
                .own("letters", "the words to find (Enter finds, Esc clears)");
        }
        PaneKeys::moves_and(&[
            "open",
            "next_page",
            "prev_page",
            "next_link",
            "prev_link",
            "filter",
        ])
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::Reply(Reply::DocsPage(loaded)) = action {
            return self.page_loaded(loaded);
        }
        if self.find.is_some() {
            return self.handle_find(action);
        }
        match action {
            Action::Filter => {
                self.find = Some(Default::default());
                Outcome::Consumed
            }
            Action::Back if self.query.is_some() => {
                self.query = None;
                Outcome::Consumed
            }
            Action::NextLink if self.query.is_some() => self.jump_to_match(true),
            Action::PrevLink if self.query.is_some() => self.jump_to_match(false),
            Action::NextPage if self.page + 1 < self.page_count() => {
                self.open_page(self.page + 1, None);
                Outcome::Consumed
            }
            Action::PrevPage if self.page > 0 => {
                self.open_page(self.page - 1, None);
                Outcome::Consumed
            }
            Action::NextLink | Action::PrevLink => {
                self.settle_anchor();
                let n = self.link_count();
                if n == 0 {
                    return Outcome::Status("no links on this page".into());
                }
                self.link = Some(match (self.link, action) {
                    (None, Action::NextLink) => 0,
                    (None, _) => n - 1,
                    (Some(i), Action::NextLink) => (i + 1) % n,
                    (Some(i), _) => (i + n - 1) % n,
                });
                if let Some(line) = self
                    .rendered
                    .borrow()
                    .as_ref()
                    .and_then(|(_, _, d)| d.links.get(self.link.unwrap_or(0)))
                    .and_then(|l| l.line)
                {
                    self.scroll.set(line.saturating_sub(2));
                }
                Outcome::Consumed
            }
            Action::Open => self.follow(),
            Action::Mouse(crate::tui::action::Mouse::Click { column, row }) => {
                self.click(*column, *row)
            }
            _ => {
                self.settle_anchor();
                if self.scroll.handle(action, ctx.page) {
                    return Outcome::Consumed;
                }
                Outcome::Ignored
            }
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        // Until the list and the page are drawn below, a click finds nothing.
        self.drawn.set(Drawn::default());
        let site = match &self.site {
            SiteState::Ready(site) => site,
            SiteState::Reading => {
                frame.render_widget(
                    Paragraph::new(Line::styled("loading…", theme.style(Token::Muted))),
                    area,
                );
                return;
            }
            SiteState::Failed(e) => {
                let lines: Vec<Line> = crate::tui::widgets::wrap::wrap(e, area.width as usize)
                    .into_iter()
                    .map(|l| Line::styled(l, theme.style(Token::Error)))
                    .collect();
                frame.render_widget(Paragraph::new(lines), area);
                return;
            }
            // Not shown; drawn only if the view asked for the tab by name before it knew.
            SiteState::Absent => return,
        };
        let mut drawn = Drawn::default();
        let list_width = docs_page::list_width(area.width);
        let [list_area, page_area] = if list_width > 0 {
            Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(area)
        } else {
            // Too narrow for two columns: the page alone.
            [Rect::new(area.x, area.y, 0, 0), area]
        };
        if list_area.width > 0 {
            let block = Block::default()
                .borders(Borders::RIGHT)
                .border_style(theme.style(Token::Border));
            let inner = block.inner(list_area);
            frame.render_widget(block, list_area);
            drawn.list = inner;
            self.drawn.set(drawn);
            let width = inner.width as usize;
            let mut page_index = 0;
            let mut lines = Vec::new();
            for entry in &site.nav {
                let indent = "  ".repeat(entry.depth.min(4));
                let (label, style) = match &entry.target {
                    NavTarget::Page(_) => {
                        let current = page_index == self.page;
                        page_index += 1;
                        let style = if current {
                            theme.style(Token::Selection)
                        } else {
                            theme.style(Token::Text)
                        };
                        (format!("{indent}{}", entry.title), style)
                    }
                    NavTarget::Section => (
                        format!("{indent}{}", entry.title),
                        theme.style(Token::Title),
                    ),
                    NavTarget::External(_) => (
                        format!("{indent}{} ↗", entry.title),
                        theme.style(Token::Muted),
                    ),
                };
                lines.push(Line::styled(
                    text::truncate(&label, width).into_owned(),
                    style,
                ));
            }
            frame.render_widget(Paragraph::new(lines), inner);
        }
        let width = docs_page::page_width(area.width);
        let page_area = Rect {
            x: page_area.x + u16::from(list_area.width > 0),
            width: page_area
                .width
                .saturating_sub(u16::from(list_area.width > 0)),
            ..page_area
        };
        if self.pending.is_some() {
            frame.render_widget(
                Paragraph::new(Line::styled("loading…", theme.style(Token::Muted))),
                page_area,
            );
            return;
        }
        let doc = match (&self.text, self.document(width.max(1))) {
            (Err(e), _) => {
                frame.render_widget(
                    Paragraph::new(Line::styled(e.clone(), theme.style(Token::Error))),
                    page_area,
                );
                return;
            }
            (_, Some(doc)) => doc,
            (_, None) => return,
        };
        let height = (page_area.height as usize).saturating_sub(usize::from(self.find.is_some()));
        let matches = self
            .query
            .as_deref()
            .map(|q| doc.find(q))
            .unwrap_or_default();
        let scrolled = self.scroll.start(doc.lines.len(), height);
        let start = match &self.anchor {
            Some(anchor) => doc
                .anchor_line(anchor)
                .unwrap_or(0)
                .min(doc.lines.len().saturating_sub(height)),
            None => scrolled,
        };
        self.drawn.set(Drawn {
            page: Rect {
                height: height as u16,
                ..page_area
            },
            start,
            ..drawn
        });
        let lines: Vec<Line> = doc
            .lines
            .iter()
            .skip(start)
            .take(height)
            .enumerate()
            .map(|(i, line)| {
                let matched = matches.binary_search(&(start + i)).is_ok();
                Line::from(
                    line.spans
                        .iter()
                        .map(|s| {
                            let mut style = span_style(theme, &s.style);
                            if s.link.is_some() && s.link == self.link {
                                style = style.patch(theme.style(Token::Selection));
                            }
                            if matched {
                                style = style.patch(theme.style(Token::Match));
                            }
                            Span::styled(s.text.clone(), style)
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), page_area);
        if let Some(find) = &self.find {
            let row = Rect {
                y: page_area.y + height as u16,
                height: 1,
                ..page_area
            };
            if row.y < page_area.bottom() {
                frame.render_widget(ratatui::widgets::Clear, row);
                find.render(
                    Span::styled("/", theme.style(Token::Accent)),
                    theme.style(Token::Text),
                    row,
                    frame,
                );
            }
        }
        if ctx.prefs.hyperlinks {
            // Web links become OSC 8 links, span by span; links between pages stay keys.
            let buf = frame.buffer_mut();
            for (row, line) in doc.lines.iter().skip(start).take(height).enumerate() {
                let y = page_area.y + row as u16;
                let mut x = 0usize;
                for span in &line.spans {
                    let w = text::width(&span.text);
                    if let Some(url) = span.link.and_then(|i| doc.links.get(i)).map(|l| &l.url) {
                        if x + w <= page_area.width as usize {
                            hyperlink::link_cells(buf, page_area.x + x as u16, y, w as u16, url);
                        }
                    }
                    x += w;
                }
            }
        }
    }
}
