//! The search pane: the root of the portal. A query line that filters as you type, hints for
//! the query, and the ranked results (kind, name with matched characters, title, owner,
//! lifecycle).

use super::{Ctx, Outcome};
use crate::catalog::{Catalog, EntityId};
use crate::search::{Query, Results};
use crate::text;
use crate::tui::action::Action;
use crate::tui::marks::Marks;
use crate::tui::theme::Token;
use crate::tui::widgets::facets::FacetStep;
use crate::tui::widgets::line_edit::{Edit, LineEditor};
use crate::tui::widgets::list::{move_selection, window};
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// Most results kept per query: the best 1,000 (a query that matches more is refined, not
/// scrolled); the count still says how many matched, and that only the best are listed.
pub const RESULT_LIMIT: usize = 1000;

/// Longest query kept (a paste of a whole file must not make every keystroke slow).
const MAX_QUERY: usize = 256;

/// The search pane's state.
#[derive(Debug)]
pub struct SearchPane {
    /// The query line as typed, with its cursor.
    pub query: LineEditor,
    /// The results of the query over the index.
    pub results: Results,
    /// The selected row: of the favourites and recent entities then the results when the
    /// query is empty and there are some, else of the results.
    pub selected: usize,
    /// The query changed since the results were computed.
    stale: bool,
    /// Where the result rows were last drawn, for mouse clicks.
    drawn: crate::tui::widgets::list::RowsDrawn,
    /// The facet counts panel (`F2`).
    pub facets: crate::tui::widgets::facets::FacetPanel,
    /// The favourite and recent entities, by reference (kept in the state directory).
    pub marks: Marks,
    /// The marks found in the catalog (see [`SearchPane::pin`]), listed above the results of
    /// the empty query.
    pinned: Vec<Pinned>,
    /// What `pinned` was computed from: the catalog's address and size, and the marks.
    pinned_for: (usize, usize, Marks),
}

/// A favourite or recent entity found in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pinned {
    id: EntityId,
    favourite: bool,
}

impl Default for SearchPane {
    fn default() -> Self {
        SearchPane {
            query: LineEditor::with_limit(MAX_QUERY),
            results: Results::default(),
            selected: 0,
            stale: false,
            drawn: Default::default(),
            facets: Default::default(),
            marks: Marks::default(),
            pinned: Vec::new(),
            pinned_for: (0, 0, Marks::default()),
        }
    }
}

impl SearchPane {
    /// Takes new results, selecting `keep` when it is among them (else the first row).
    pub fn set_results(&mut self, results: Results, keep: Option<EntityId>) {
        self.results = results;
        self.selected = 0;
        if let Some(id) = keep {
            self.select_id(id);
        }
    }

    /// Selects the row of an entity among the results (after the pinned rows); returns false
    /// when it is not there.
    pub fn select_id(&mut self, id: EntityId) -> bool {
        match self.results.hits.iter().position(|h| h.id == id) {
            Some(pos) => {
                self.selected = self.pinned_shown() + pos;
                true
            }
            None => false,
        }
    }

    /// Finds the favourite and recent entities in the catalog (each once: a favourite is not
    /// listed again as recent). Cheap when nothing changed; `update` calls it after each
    /// action, so the rows and [`SearchPane::selected_id`] agree with the catalog.
    pub fn pin(&mut self, catalog: &Catalog) {
        let key = (catalog as *const Catalog as usize, catalog.len());
        if self.pinned_for.0 == key.0
            && self.pinned_for.1 == key.1
            && self.pinned_for.2 == self.marks
        {
            return;
        }
        let mut pinned: Vec<Pinned> = Vec::new();
        let found = |r: &String| match catalog.lookup(r) {
            crate::catalog::Lookup::Found(id) => Some(id),
            _ => None,
        };
        for id in self.marks.favourites.iter().filter_map(found) {
            if !pinned.iter().any(|p| p.id == id) {
                pinned.push(Pinned {
                    id,
                    favourite: true,
                });
            }
        }
        for id in self.marks.recent.iter().filter_map(found) {
            if !pinned.iter().any(|p| p.id == id) {
                pinned.push(Pinned {
                    id,
                    favourite: false,
                });
            }
        }
        // The selection stays on its entity, or at the top when it was there.
        let before = (self.selected > 0).then(|| self.selected_id()).flatten();
        self.pinned = pinned;
        self.pinned_for = (key.0, key.1, self.marks.clone());
        self.selected = self.selected.min(self.rows().saturating_sub(1));
        if let Some(id) = before {
            if self.selected_id() != Some(id) && !self.select_id(id) {
                self.selected = 0;
            }
        }
    }

    /// How many pinned rows are shown above the results (none while a query is typed).
    fn pinned_shown(&self) -> usize {
        if self.query.is_empty() {
            self.pinned.len()
        } else {
            0
        }
    }

    /// The selectable rows: the pinned ones shown, then the results.
    fn rows(&self) -> usize {
        self.pinned_shown() + self.results.hits.len()
    }

    /// True when the entity is a favourite (found in the catalog).
    fn is_favourite(&self, id: EntityId) -> bool {
        self.pinned.iter().any(|p| p.favourite && p.id == id)
    }

    /// The query, parsed.
    pub fn parsed_query(&self) -> Query {
        Query::parse(self.query.text())
    }

    /// Marks the results as asked for (by the app, inline or from its worker).
    pub fn take_stale(&mut self) -> bool {
        std::mem::replace(&mut self.stale, false)
    }

    /// True when the query changed and [`SearchPane::refresh`] must run before drawing.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// The selected entity, if any.
    pub fn selected_id(&self) -> Option<EntityId> {
        let shown = self.pinned_shown();
        match self.selected.checked_sub(shown) {
            None => self.pinned.get(self.selected).map(|p| p.id),
            Some(i) => self.results.hits.get(i).map(|h| h.id),
        }
    }

    /// Replaces the query (the cursor at its end); the results are stale until the next
    /// refresh.
    pub fn set_query(&mut self, query: String) {
        self.query.set(&query);
        self.query_changed();
    }

    fn query_changed(&mut self) {
        self.selected = 0;
        self.stale = true;
    }

    /// Handles an action while the search pane has focus.
    /// Query edits mark the results stale; the app re-runs the query (inline or on its worker).
    pub fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let len = self.rows();
        match self.facets.handle(action, &self.results.facets) {
            FacetStep::Consumed => return Outcome::Consumed,
            FacetStep::Add(filter) => {
                let query = format!("{} {filter}", self.query.text().trim_end());
                self.set_query(query.trim_start().to_string());
                return Outcome::Consumed;
            }
            FacetStep::Ignored => {}
        }
        if move_selection(&mut self.selected, len, action, ctx.page) {
            return Outcome::Consumed;
        }
        if let Action::Mouse(crate::tui::action::Mouse::Click { row, .. }) = action {
            return match self.drawn.hit(*row).filter(|&i| i < len) {
                Some(i) => {
                    self.selected = i;
                    Outcome::Consumed
                }
                None => Outcome::Ignored,
            };
        }
        match self.query.handle(action) {
            Edit::Changed => {
                self.query_changed();
                return Outcome::Consumed;
            }
            Edit::Kept => return Outcome::Consumed,
            Edit::Ignored => {}
        }
        match action {
            Action::Back if !self.query.is_empty() => {
                self.set_query(String::new());
                Outcome::Consumed
            }
            Action::Back => Outcome::Consumed,
            // `in:docs` searches the TechDocs pages, as `idp-tui search in:docs` does.
            Action::Open if self.parsed_query().in_docs() => {
                let words = self.parsed_query().words;
                if words.is_empty() {
                    return Outcome::Status(
                        "in:docs: type the words to look for in the docs".into(),
                    );
                }
                Outcome::Push(Box::new(super::docs_search::DocsSearchView::new(
                    ctx, words,
                )))
            }
            Action::Open => match self.selected_id() {
                Some(id) => Outcome::OpenEntity(id),
                None => Outcome::Status("nothing selected".into()),
            },
            _ => Outcome::Ignored,
        }
    }

    /// Draws the query line, hints and results.
    pub fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let hints = &self.results.hints;
        let hint_rows = hints.len().min(2) as u16;
        let [query_area, hint_area, list_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(hint_rows),
            Constraint::Min(0),
        ])
        .areas(area);
        // The facet panel, when open, sits between the hints and the results.
        let facet_rows = self.facets.height(&self.results.facets);
        let [facet_area, list_area] =
            Layout::vertical([Constraint::Length(facet_rows), Constraint::Min(0)]).areas(list_area);
        if facet_rows > 0 {
            self.facets
                .render(theme, &self.results.facets, facet_area, frame);
        }

        let prompt = "Search: ";
        let listed = self.results.hits.len();
        let count = if self.results.total > listed {
            format!(
                " best {listed} listed · {} of {}",
                self.results.total,
                ctx.catalog.len()
            )
        } else {
            format!(" {} of {}", self.results.total, ctx.catalog.len())
        };
        let room = (query_area.width as usize)
            .saturating_sub(text::width(prompt) + text::width(&count) + 1);
        // A long query shows the part around the cursor: that is where the user types.
        let view = self.query.view(room);
        let mut spans = vec![
            Span::styled(prompt, theme.style(Token::Accent)),
            Span::styled(view.shown.clone(), theme.style(Token::Text)),
        ];
        let used = text::width(prompt) + text::width(&view.shown);
        let pad = (query_area.width as usize).saturating_sub(used + text::width(&count));
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(count, theme.style(Token::Muted)));
        frame.render_widget(Paragraph::new(Line::from(spans)), query_area);
        let cursor = text::width(prompt) as u16 + view.cursor;
        let cursor_x = query_area.x + cursor.min(query_area.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(cursor_x, query_area.y));

        let hint_lines: Vec<Line> = hints
            .iter()
            .take(2)
            .map(|h| {
                Line::styled(
                    text::truncate(&format!("! {}", safe_line(h)), hint_area.width as usize)
                        .into_owned(),
                    theme.style(Token::Warning),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(hint_lines), hint_area);

        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.style(Token::Border));
        let inner = block.inner(list_area);
        frame.render_widget(block, list_area);
        if inner.height == 0 {
            return;
        }
        let columns = Columns::for_width(inner.width as usize);
        let [header_area, rows_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        frame.render_widget(
            Paragraph::new(columns.header(theme.style(Token::Muted))),
            header_area,
        );
        if self.parsed_query().in_docs() {
            let words = self.parsed_query().words.join(" ");
            let msg = if words.is_empty() {
                "in:docs searches the TechDocs pages: type the words to look for".to_string()
            } else {
                format!(
                    "in:docs: Enter lists the docs headings holding \"{}\"",
                    safe_line(&words)
                )
            };
            frame.render_widget(
                Paragraph::new(Line::styled(
                    text::truncate(&msg, rows_area.width as usize).into_owned(),
                    theme.style(Token::Accent),
                )),
                rows_area,
            );
            return;
        }
        if self.rows() == 0 {
            let msg = if ctx.catalog.is_empty() {
                "no entities yet"
            } else {
                "no entity matches; Esc clears the query"
            };
            frame.render_widget(
                Paragraph::new(Line::styled(msg, theme.style(Token::Muted))),
                rows_area,
            );
            return;
        }
        if self.pinned_shown() == 0 {
            let rows = window(
                self.selected,
                self.results.hits.len(),
                rows_area.height as usize,
            );
            self.drawn.record(rows_area, rows.start);
        } else {
            // The favourites and recent rows have headings among them: no click mapping.
            self.drawn.record(Rect::default(), 0);
        }
        let lines = self.lines(ctx, &columns, rows_area.height as usize);
        frame.render_widget(Paragraph::new(lines), rows_area);
    }

    /// The visible lines: with the empty query and marks, "★ Favourites", "Recent" and
    /// "All entities" headings above their rows (headings are not selectable).
    fn lines<'a>(&self, ctx: &Ctx<'a>, columns: &Columns, height: usize) -> Vec<Line<'a>> {
        let shown = self.pinned_shown();
        if shown == 0 {
            return window(self.selected, self.results.hits.len(), height)
                .map(|i| {
                    let hit = &self.results.hits[i];
                    self.row(ctx, columns, hit.id, &hit.name_matches, i == self.selected)
                })
                .collect();
        }
        enum Item {
            Heading(&'static str),
            Row(usize),
        }
        let mut items = Vec::with_capacity(shown + 3 + self.results.hits.len().min(height + shown));
        let mut group = None;
        for (i, p) in self.pinned.iter().enumerate() {
            if group != Some(p.favourite) {
                group = Some(p.favourite);
                items.push(Item::Heading(if p.favourite {
                    "★ Favourites"
                } else {
                    "Recent"
                }));
            }
            items.push(Item::Row(i));
        }
        items.push(Item::Heading("All entities"));
        // Only the results that can be on screen: the window never reaches further.
        let reach = (self.selected + height + 1).max(shown + height);
        items.extend((shown..self.rows().min(reach)).map(Item::Row));
        let at = items
            .iter()
            .position(|it| matches!(it, Item::Row(r) if *r == self.selected))
            .unwrap_or(0);
        // Keep the heading above the first row in sight at the top.
        let range = window(at, items.len(), height);
        let heading = ctx.theme.style(Token::Muted);
        items[range]
            .iter()
            .map(|it| match it {
                Item::Heading(h) => Line::styled(*h, heading),
                Item::Row(r) if *r < shown => {
                    let id = self.pinned[*r].id;
                    self.row(ctx, columns, id, &[], *r == self.selected)
                }
                Item::Row(r) => {
                    let hit = &self.results.hits[r - shown];
                    self.row(ctx, columns, hit.id, &hit.name_matches, *r == self.selected)
                }
            })
            .collect()
    }

    fn row<'a>(
        &self,
        ctx: &Ctx<'a>,
        columns: &Columns,
        id: EntityId,
        name_matches: &[usize],
        selected: bool,
    ) -> Line<'a> {
        let theme = ctx.theme;
        let e = ctx.catalog.get(id);
        let base = if selected {
            theme.style(Token::Selection)
        } else {
            Style::default()
        };
        let marker = if selected { "▶" } else { " " };
        let mut spans = vec![Span::styled(
            marker,
            theme.on_row(base, theme.style(Token::Accent)),
        )];
        spans.push(severity_marker(ctx, e, base));
        let kind = fit(e.kind_lower(), columns.kind);
        spans.push(Span::styled(
            kind,
            theme.on_row(base, theme.kind(e.kind_lower())),
        ));
        spans.push(Span::styled(" ", base));
        // A favourite's name starts with a star.
        let star = self.is_favourite(id);
        if star {
            spans.push(Span::styled(
                "★ ",
                theme.on_row(base, theme.style(Token::Accent)),
            ));
        }
        // The name with matched characters highlighted; positions are char indexes.
        let name_width = columns.name.saturating_sub(if star { 2 } else { 0 });
        let name = text::truncate(&e.metadata.name, name_width);
        let match_style = theme.on_row(base, theme.style(Token::Match));
        let mut run = String::new();
        let mut run_matched = false;
        for (ci, c) in name.chars().enumerate() {
            let m = name_matches.contains(&ci) && c != '…';
            if m != run_matched && !run.is_empty() {
                let style = if run_matched { match_style } else { base };
                spans.push(Span::styled(std::mem::take(&mut run), style));
            }
            run_matched = m;
            run.push(c);
        }
        if !run.is_empty() {
            spans.push(Span::styled(
                run,
                if run_matched { match_style } else { base },
            ));
        }
        let name_pad = name_width.saturating_sub(text::width(&name)) + 1;
        spans.push(Span::styled(" ".repeat(name_pad), base));
        if columns.title > 0 {
            let title = e
                .metadata
                .title
                .as_deref()
                .map(safe_line)
                .unwrap_or_default();
            spans.push(Span::styled(fit(&title, columns.title), base));
            spans.push(Span::styled(" ", base));
        }
        if columns.owner > 0 {
            let owner = ctx
                .catalog
                .owner_ref(id)
                .map(|r| r.name().to_string())
                .unwrap_or_default();
            spans.push(Span::styled(
                fit(&owner, columns.owner),
                theme.on_row(base, theme.style(Token::Muted)),
            ));
            spans.push(Span::styled(" ", base));
        }
        if columns.lifecycle > 0 {
            let lifecycle = e.spec_str("lifecycle").map(safe_line).unwrap_or_default();
            spans.push(Span::styled(fit(&lifecycle, columns.lifecycle), base));
        }
        Line::from(spans)
    }
}

/// The live severity of an entity whose status is known, as a mark and a colour (the mark
/// alone says it without colour): `✓` ok, `!` warn, `✗` crit, `?` unknown; a space otherwise.
fn severity_marker<'a>(ctx: &Ctx<'a>, e: &crate::catalog::Entity, base: Style) -> Span<'a> {
    use crate::live::Severity;
    let known = if ctx.live.is_empty() {
        None
    } else {
        ctx.live.get(&e.entity_ref().to_string())
    };
    let Some(report) = known else {
        return Span::styled(" ", base);
    };
    let (mark, token) = match report.worst() {
        Severity::Ok => ("✓", Token::Ok),
        Severity::Warn => ("!", Token::Warning),
        Severity::Crit => ("✗", Token::Error),
        Severity::Unknown => ("?", Token::Muted),
    };
    Span::styled(mark, ctx.theme.on_row(base, ctx.theme.style(token)))
}

/// Column widths for the results table at a given width; narrow terminals drop columns from
/// the right (lifecycle, owner, title) before squeezing the name.
struct Columns {
    kind: usize,
    name: usize,
    title: usize,
    owner: usize,
    lifecycle: usize,
}

impl Columns {
    fn for_width(width: usize) -> Columns {
        let marker = 2;
        let kind = 9;
        let rest = width.saturating_sub(marker + kind + 1);
        if rest < 40 {
            return Columns {
                kind,
                name: rest.saturating_sub(1),
                title: 0,
                owner: 0,
                lifecycle: 0,
            };
        }
        let lifecycle = if rest >= 70 { 11 } else { 0 };
        let owner = 16;
        let after = rest - lifecycle - owner - 3;
        let name = (after * 45 / 100).clamp(16, 36);
        let title = after.saturating_sub(name + 1);
        Columns {
            kind,
            name,
            title,
            owner,
            lifecycle,
        }
    }

    fn header(&self, style: Style) -> Line<'static> {
        let mut s = format!("  {} {} ", fit("KIND", self.kind), fit("NAME", self.name));
        if self.title > 0 {
            s.push_str(&fit("TITLE", self.title));
            s.push(' ');
        }
        if self.owner > 0 {
            s.push_str(&fit("OWNER", self.owner));
            s.push(' ');
        }
        if self.lifecycle > 0 {
            s.push_str(&fit("LIFECYCLE", self.lifecycle));
        }
        Line::styled(s, style)
    }
}

/// `s` cut or padded to exactly `width` columns.
pub fn fit(s: &str, width: usize) -> String {
    let cut = text::truncate(s, width);
    let pad = width.saturating_sub(text::width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_pads_and_cuts_to_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(text::width(&fit("日本語日本語", 5)), 5);
    }

    #[test]
    fn narrow_tables_drop_columns_instead_of_overflowing() {
        for width in [10, 30, 60, 100, 200] {
            let c = Columns::for_width(width);
            let total = 2 + c.kind + 1 + c.name + 1 + c.title + c.owner + c.lifecycle;
            assert!(total <= width + 3, "{width}: {total}");
        }
        assert_eq!(Columns::for_width(30).title, 0);
        assert!(Columns::for_width(100).lifecycle > 0);
    }
}
