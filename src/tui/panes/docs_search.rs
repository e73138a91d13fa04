//! The docs search pane: what `in:docs WORDS` finds in the search pane, as `idp-tui search
//! in:docs WORDS` finds it on the command line. The TechDocs sites are read off the UI thread
//! (a [`PageRequest`] with [`Read::Search`], returned as a `Task::ReadDocsPage`; the answer
//! comes back as `Reply::DocsPage`); until it comes the pane says
//! "searching…". Enter opens the entity's Docs tab, Esc goes back to the query.

use super::{Ctx, Outcome, View};
use crate::catalog::{EntityId, Lookup};
use crate::techdocs::TECHDOCS_REF;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::reply::Reply;
use crate::tui::tabs::docs_page::{self, DocsFound, DocsQuery, PageLoaded, PageRequest, Read};
use crate::tui::task::Task;
use crate::tui::theme::Token;
use crate::tui::widgets::filter::FilteredList;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;

/// Most headings listed (as the command line's default limit).
const LIMIT: usize = 200;

/// The docs headings matching the words of an `in:docs` query.
pub struct DocsSearchView {
    words: Vec<String>,
    /// The search to hand to the event loop (taken once).
    request: Option<PageRequest>,
    /// The token of the search awaited.
    pending: Option<u64>,
    /// What was found, once the answer is in.
    found: Vec<DocsFound>,
    /// Sites that could not be read.
    problems: Option<String>,
    /// The `/` filter over what was found, and the selection.
    list: FilteredList,
}

impl DocsSearchView {
    /// Starts searching the docs of every entity with a techdocs-ref for `words`.
    pub fn new(ctx: &Ctx, words: Vec<String>) -> Self {
        let entities: Vec<_> = ctx
            .catalog
            .ids()
            .map(|id| ctx.catalog.get(id))
            .filter(|e| e.metadata.annotations.contains_key(TECHDOCS_REF))
            .filter(|e| crate::source::remote_origin(&e.origin.path).is_none())
            .cloned()
            .collect();
        let token = docs_page::next_token();
        let request = PageRequest {
            token,
            read: Read::Search(DocsQuery {
                entities: Arc::new(entities),
                roots: ctx.prefs.docs_roots.clone(),
                words: words.clone(),
                limit: LIMIT,
            }),
            width: 0,
        };
        Self {
            words,
            request: Some(request),
            pending: Some(token),
            found: Vec::new(),
            problems: None,
            list: FilteredList::new(0),
        }
    }

    /// The headings found so far (none until the answer is in).
    pub fn found(&self) -> &[DocsFound] {
        &self.found
    }

    /// The search's answer: taken when it is the one awaited, ignored otherwise.
    fn page_loaded(&mut self, loaded: &PageLoaded) -> Outcome {
        if self.pending != Some(loaded.token) {
            return Outcome::Ignored;
        }
        self.pending = None;
        self.found = loaded.found.clone();
        self.problems = loaded.text.clone().err().filter(|e| !e.is_empty());
        let found = &self.found;
        self.list.set_rows(found.len(), |i| found_text(&found[i]));
        self.list.select_row(0);
        Outcome::Consumed
    }

    fn entity_of(ctx: &Ctx, found: &DocsFound) -> Option<EntityId> {
        match ctx.catalog.lookup(&found.entity_ref) {
            Lookup::Found(id) => Some(id),
            _ => None,
        }
    }
}

/// What the `/` filter matches a heading on: the entity, the page and the heading.
fn found_text(f: &DocsFound) -> String {
    format!("{} {} {}", f.entity_ref, f.page, f.heading)
}

impl View for DocsSearchView {
    fn title(&self, _ctx: &Ctx) -> String {
        format!("docs: {}", safe_line(&self.words.join(" ")))
    }

    fn mode(&self) -> Mode {
        self.list.mode(Mode::List)
    }

    fn keys(&self) -> super::PaneKeys {
        if self.list.filter().editing() {
            return super::PaneKeys::filter_line();
        }
        super::PaneKeys::moves_and(&["open", "filter"])
    }

    fn take_tasks(&mut self, _area_width: u16) -> Vec<Task> {
        self.request
            .take()
            .map(Task::ReadDocsPage)
            .into_iter()
            .collect()
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::Reply(Reply::DocsPage(loaded)) = action {
            return self.page_loaded(loaded);
        }
        let found = &self.found;
        if self
            .list
            .handle(action, ctx.page, |i| found_text(&found[i]))
        {
            return Outcome::Consumed;
        }
        match action {
            Action::Open => match self.list.selected_row().and_then(|i| self.found.get(i)) {
                Some(f) => match Self::entity_of(ctx, f) {
                    Some(id) => Outcome::OpenEntityTab(id, "Docs"),
                    None => {
                        Outcome::Status(format!("{} is no longer in the catalog", f.entity_ref))
                    }
                },
                None => Outcome::Status("nothing found".into()),
            },
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let [head, list, foot, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
            Constraint::Length(1),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let words = safe_line(&self.words.join(" "));
        let title = match (self.pending, self.found.len()) {
            (Some(_), _) => format!("Docs matching \"{words}\": searching…"),
            (None, n) => format!("Docs matching \"{words}\": {n} heading(s)"),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(&title, width).into_owned(),
                theme.style(Token::Title),
            )),
            head,
        );
        let mut lines: Vec<Line> = Vec::new();
        if self.pending.is_none() && self.found.is_empty() {
            lines.push(Line::styled(
                "  no docs heading holds every word",
                theme.style(Token::Muted),
            ));
        }
        let rows = list
            .height
            .saturating_sub(u16::from(self.problems.is_some())) as usize;
        let current = self.list.selected_row();
        for i in self
            .list
            .visible_in(Rect::new(list.x, list.y, list.width, rows as u16))
        {
            let Some(f) = self.found.get(i) else {
                continue;
            };
            let selected = Some(i) == current;
            let (base, marker) = theme.row_start(selected);
            let at = match &f.anchor {
                Some(a) => format!("{}#{a}", f.page),
                None => f.page.clone(),
            };
            let spans = vec![
                marker,
                Span::styled(
                    safe_line(&f.entity_ref),
                    theme.on_row(base, theme.style(Token::Accent)),
                ),
                Span::styled(
                    format!("  {}", safe_line(&at)),
                    theme.on_row(base, theme.style(Token::Muted)),
                ),
                Span::styled(format!("  {}", safe_line(&f.heading)), base),
            ];
            lines.push(super::entity::clip(spans, width));
        }
        if let Some(p) = &self.problems {
            lines.push(Line::styled(
                text::truncate(&format!("  ! {}", safe_line(p)), width).into_owned(),
                theme.style(Token::Warning),
            ));
        }
        frame.render_widget(Paragraph::new(lines), list);
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(
                    "Enter open the entity's docs · / filter · Esc back to the query",
                    width,
                )
                .into_owned(),
                theme.style(Token::Muted),
            )),
            hint,
        );
    }
}
