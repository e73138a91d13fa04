//! The Overview tab: description, tags, links, annotations, and the entity's relations grouped
//! by type. Up/Down select a related entity, Enter opens it; a missing target is marked.
//! The tab opens at its top whatever the terminal's height: while the selected relation is
//! below the screen, Down scrolls to it; Up on the first relation, PageUp and Home scroll
//! back to the top. `/` filters the relations (the shared list filter: Esc clears it).
//!
//! A group can own tens of thousands of entities, so a frame formats only the rows it shows:
//! the text above the relations is laid out once per width and theme, and the relations are
//! placed by counting, then only the visible ones are turned into lines.

use super::EntityTab;
use crate::catalog::{EntityId, RelationType, Target};
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::panes::{Ctx, Outcome, PaneKeys};
use crate::tui::theme::Token;
use crate::tui::widgets::filter::{Filter, FilterKey};
use crate::tui::widgets::hyperlink;
use crate::tui::widgets::list::move_selection;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::{safe_line, wrap};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::cell::{Cell, RefCell};

/// The Overview tab's state for one entity.
#[derive(Debug)]
pub struct Overview {
    id: EntityId,
    /// Index of the selected relation target (when the entity has relations).
    selected: usize,
    /// The text's scroll (when the entity has no relations to select).
    scroll: TextScroll,
    /// The first line shown (when the entity has relations); the selection is kept visible
    /// once the user moves it.
    top: usize,
    /// The selection was moved onto a relation (Down, End…): drawing keeps it on screen even
    /// when the layout changed since the key (a resize).
    follow: bool,
    /// The header's length and the height at the last draw (the layout is only known when
    /// drawn); `(0, 0)` before the first.
    drawn: Cell<(usize, usize)>,
    /// The lines above the relations, for the width and theme they were laid out at.
    header: RefCell<Option<Header>>,
    /// The `/` filter over the relations.
    filter: Filter,
    /// The screen row and the first line of the last draw, for mouse clicks.
    shown_at: Cell<(u16, u16, usize)>,
}

/// The lines above the relations, laid out for one width and theme.
#[derive(Debug)]
struct Header {
    width: usize,
    theme: String,
    lines: Vec<Line<'static>>,
}

/// One line of the relations section.
#[derive(Debug, Clone, Copy)]
enum RelationRow {
    /// The section's heading, `Relations`.
    Heading,
    /// `(none)` when the entity has no relations.
    None,
    /// The name of a relation type, above its targets.
    Type(RelationType),
    /// The target at this index of [`relation_targets`].
    Target(usize),
}

/// The Overview tab applies to every entity.
pub fn make(_ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    Some(Box::new(Overview {
        id,
        selected: 0,
        scroll: TextScroll::default(),
        top: 0,
        follow: false,
        drawn: Cell::new((0, 0)),
        header: RefCell::new(None),
        filter: Filter::default(),
        shown_at: Cell::new((0, 0, 0)),
    }))
}

/// The entity's relations in display order: grouped by type in [`RelationType::ALL`] order.
pub fn relation_targets(ctx: &Ctx<'_>, id: EntityId) -> Vec<(RelationType, Target)> {
    let mut out: Vec<(usize, RelationType, Target)> = ctx
        .catalog
        .edges(id)
        .filter_map(|e| {
            let place = RelationType::ALL.iter().position(|r| *r == e.relation)?;
            Some((place, e.relation, e.target))
        })
        .collect();
    // Stable: within a type, the catalog's order.
    out.sort_by_key(|&(place, ..)| place);
    out.into_iter().map(|(_, r, t)| (r, t)).collect()
}

/// What the `/` filter matches a relation on: its type, the target's ref and title.
fn relation_text(ctx: &Ctx, relation: RelationType, target: &Target) -> String {
    let title = match target {
        Target::Resolved(id) => ctx.catalog.get(*id).metadata.title.as_deref(),
        Target::Missing(_) => None,
    };
    format!(
        "{} {} {}",
        relation.as_str(),
        ctx.catalog.target_ref(target),
        title.unwrap_or_default()
    )
}

impl Overview {
    /// The selected relation target, if any.
    pub fn selected_target(&self, ctx: &Ctx<'_>) -> Option<(RelationType, Target)> {
        self.targets(ctx).into_iter().nth(self.selected)
    }

    /// The relations listed: all of them, or those passing the `/` filter.
    fn targets(&self, ctx: &Ctx<'_>) -> Vec<(RelationType, Target)> {
        let mut targets = relation_targets(ctx, self.id);
        if self.filter.active() {
            targets.retain(|(relation, target)| {
                self.filter.matches(&relation_text(ctx, *relation, target))
            });
        }
        targets
    }

    /// Lays out the text above the relations at a width.
    fn header_lines(&self, ctx: &Ctx, width: usize) -> Vec<Line<'static>> {
        let theme = ctx.theme;
        let e = ctx.catalog.get(self.id);
        let heading = |s: &'static str| Line::styled(s, theme.style(Token::Title));
        let mut lines: Vec<Line> = Vec::new();

        lines.push(heading("Description"));
        match e
            .metadata
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
        {
            Some(d) => lines.extend(
                wrap(d, width.saturating_sub(2))
                    .into_iter()
                    .map(|l| Line::raw(format!("  {l}"))),
            ),
            None => lines.push(Line::styled("  (none)", theme.style(Token::Muted))),
        }
        lines.push(Line::raw(""));

        if !e.metadata.tags.is_empty() {
            let tags: Vec<String> = e.metadata.tags.iter().map(|t| safe_line(t)).collect();
            lines.push(heading("Tags"));
            lines.extend(
                wrap(&tags.join(", "), width.saturating_sub(2))
                    .into_iter()
                    .map(|l| Line::raw(format!("  {l}"))),
            );
            lines.push(Line::raw(""));
        }

        if !e.metadata.links.is_empty() {
            lines.push(heading("Links"));
            for link in &e.metadata.links {
                let title = link.title.as_deref().map(safe_line).unwrap_or_default();
                let url = safe_line(&link.url);
                let line = if title.is_empty() {
                    format!("  {url}")
                } else {
                    format!("  {title}  {url}")
                };
                lines.push(Line::raw(text::truncate(&line, width).into_owned()));
            }
            lines.push(Line::raw(""));
        }

        // Port properties kept as annotations, under the titles their blueprint gives them.
        let titles: Vec<(String, String)> = e
            .metadata
            .annotations
            .get(crate::formats::PORT_TITLES_ANNOTATION)
            .and_then(|t| {
                serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(t).ok()
            })
            .into_iter()
            .flatten()
            .filter_map(|(key, title)| {
                let value = e.metadata.annotations.get(&key)?;
                Some((safe_line(title.as_str()?), safe_line(value)))
            })
            .collect();
        if !titles.is_empty() {
            lines.push(heading("Port properties"));
            let title_width = titles
                .iter()
                .map(|(t, _)| text::width(t))
                .max()
                .unwrap_or(0)
                .min(width / 2);
            for (title, value) in &titles {
                let title = crate::tui::panes::search::fit(title, title_width);
                let value =
                    text::truncate(value, width.saturating_sub(title_width + 4)).into_owned();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {title}  "), theme.style(Token::Muted)),
                    Span::raw(value),
                ]));
            }
            lines.push(Line::raw(""));
        }

        if !e.metadata.annotations.is_empty() {
            lines.push(heading("Annotations"));
            let key_width = e
                .metadata
                .annotations
                .keys()
                .map(|k| text::width(&safe_line(k)))
                .max()
                .unwrap_or(0)
                .min(width / 2);
            for (k, v) in &e.metadata.annotations {
                let key = crate::tui::panes::search::fit(&safe_line(k), key_width);
                let value =
                    text::truncate(&safe_line(v), width.saturating_sub(key_width + 4)).into_owned();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {key}  "), theme.style(Token::Muted)),
                    Span::raw(value),
                ]));
            }
            lines.push(Line::raw(""));
        }

        lines
    }

    /// The relations section, a row per line; and the row of each target.
    fn relation_rows(targets: &[(RelationType, Target)]) -> (Vec<RelationRow>, Vec<usize>) {
        let mut rows = Vec::with_capacity(targets.len() + 2);
        let mut positions = Vec::with_capacity(targets.len());
        rows.push(RelationRow::Heading);
        if targets.is_empty() {
            rows.push(RelationRow::None);
        }
        let mut last: Option<RelationType> = None;
        for (i, (relation, _)) in targets.iter().enumerate() {
            if last != Some(*relation) {
                rows.push(RelationRow::Type(*relation));
                last = Some(*relation);
            }
            positions.push(rows.len());
            rows.push(RelationRow::Target(i));
        }
        (rows, positions)
    }

    /// Moves the selection or the text for a movement key; false for any other action.
    fn move_in(
        &mut self,
        targets: &[(RelationType, Target)],
        action: &Action,
        page: usize,
    ) -> bool {
        let (header, drawn_height) = self.drawn.get();
        let height = if drawn_height == 0 {
            page
        } else {
            drawn_height
        }
        .max(1);
        let (_, positions) = Self::relation_rows(targets);
        let row = |i: usize| header + positions.get(i).copied().unwrap_or(0);
        let below = row(self.selected) >= self.top + height;
        match action {
            // The first relation is still below the screen: bring it into view first.
            Action::Down if below => {
                self.top = row(self.selected) + 1 - height;
                self.follow = true;
                return true;
            }
            Action::Up | Action::PageUp if self.selected == 0 => {
                let step = if matches!(action, Action::Up) {
                    1
                } else {
                    page.max(1)
                };
                self.top = self.top.saturating_sub(step);
                self.follow = false;
                return true;
            }
            Action::Home => {
                self.selected = 0;
                self.top = 0;
                self.follow = false;
                return true;
            }
            _ => {}
        }
        if !move_selection(&mut self.selected, targets.len(), action, page) {
            return false;
        }
        let at = row(self.selected);
        self.follow = true;
        if at < self.top {
            self.top = at;
        } else if at >= self.top + height {
            self.top = at + 1 - height;
        }
        true
    }

    fn target_line(&self, ctx: &Ctx, i: usize, target: &Target, width: usize) -> Line<'static> {
        let theme = ctx.theme;
        let selected = i == self.selected;
        let base = if selected {
            theme.style(Token::Selection)
        } else {
            Style::default()
        };
        let marker = if selected { "  ▶ " } else { "    " };
        let reference = ctx.catalog.target_ref(target);
        let mut spans = vec![Span::styled(
            marker,
            theme.on_row(base, theme.style(Token::Accent)),
        )];
        let room = width.saturating_sub(4);
        let r = text::truncate(reference.as_str(), room).into_owned();
        let used = text::width(&r);
        spans.push(Span::styled(
            r,
            theme.on_row(base, theme.kind(reference.kind())),
        ));
        match target {
            Target::Resolved(id) => {
                let e = ctx.catalog.get(*id);
                if let Some(title) = e.metadata.title.as_deref() {
                    let t = text::truncate(&safe_line(title), room.saturating_sub(used + 2))
                        .into_owned();
                    if !t.is_empty() {
                        spans.push(Span::styled(
                            format!("  {t}"),
                            theme.on_row(base, theme.style(Token::Muted)),
                        ));
                    }
                }
            }
            Target::Missing(_) => {
                let note = text::truncate("  ✗ missing", room.saturating_sub(used)).into_owned();
                spans.push(Span::styled(
                    note,
                    theme.on_row(base, theme.style(Token::Error)),
                ));
            }
        }
        Line::from(spans)
    }
}

impl EntityTab for Overview {
    fn title(&self) -> &str {
        "Overview"
    }

    fn mode(&self) -> Option<Mode> {
        self.filter.editing().then_some(Mode::Search)
    }

    fn keys(&self) -> PaneKeys {
        if self.filter.editing() {
            PaneKeys::filter_line()
        } else {
            PaneKeys::moves_and(&["open", "filter"])
        }
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let has_relations = ctx.catalog.edges(self.id).next().is_some();
        if has_relations {
            match self.filter.handle(action) {
                FilterKey::Changed => {
                    // The first relation that passes, on screen.
                    self.selected = 0;
                    self.follow = true;
                    return Outcome::Consumed;
                }
                FilterKey::Consumed => return Outcome::Consumed,
                FilterKey::Ignored => {}
            }
        }
        let targets = self.targets(ctx);
        if let Action::Mouse(crate::tui::action::Mouse::Click { row, .. }) = action {
            // The relation on the clicked line, if it is one.
            let (y, height, start) = self.shown_at.get();
            let (header, _) = self.drawn.get();
            let (rows, _) = Self::relation_rows(&targets);
            let line = (*row >= y && *row < y + height).then(|| start + usize::from(row - y));
            let hit = line
                .and_then(|l| l.checked_sub(header))
                .and_then(|r| rows.get(r).copied());
            return match hit {
                Some(RelationRow::Target(i)) => {
                    self.selected = i;
                    self.follow = true;
                    Outcome::Consumed
                }
                _ => Outcome::Ignored,
            };
        }
        if !has_relations {
            // Nothing to select: movement scrolls the text instead.
            return if self.scroll.handle(action, ctx.page) {
                Outcome::Consumed
            } else {
                Outcome::Ignored
            };
        }
        if self.move_in(&targets, action, ctx.page) {
            return Outcome::Consumed;
        }
        match action {
            Action::Open => match targets.get(self.selected) {
                Some((_, Target::Resolved(id))) => Outcome::OpenEntity(*id),
                Some((_, Target::Missing(r))) => {
                    Outcome::Status(format!("{r} is not in the catalog"))
                }
                None => Outcome::Ignored,
            },
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let width = area.width as usize;
        let height = area.height as usize;
        let mut cache = self.header.borrow_mut();
        if !cache
            .as_ref()
            .is_some_and(|h| h.width == width && h.theme == ctx.theme.name)
        {
            *cache = Some(Header {
                width,
                theme: ctx.theme.name.clone(),
                lines: self.header_lines(ctx, width),
            });
        }
        let header = &cache.as_ref().expect("laid out above").lines;
        let all = if self.filter.shown() {
            relation_targets(ctx, self.id).len()
        } else {
            0
        };
        let targets = self.targets(ctx);
        let footer = self.filter.footer(ctx.theme, targets.len(), all, width);
        let height = height.saturating_sub(usize::from(footer.is_some()));
        if let Some(line) = footer {
            let y = area.y + height as u16;
            frame.render_widget(Paragraph::new(line), Rect::new(area.x, y, area.width, 1));
        }
        let area = Rect::new(area.x, area.y, area.width, height as u16);
        let (rows, positions) = Self::relation_rows(&targets);
        let len = header.len() + rows.len();
        self.drawn.set((header.len(), height));
        let start = if positions.is_empty() {
            self.scroll.start(len, height)
        } else {
            let top = self.top.min(len.saturating_sub(height));
            match positions.get(self.selected) {
                // Keep the selected relation visible once the user moved onto it.
                Some(&row) if self.follow => {
                    let at = header.len() + row;
                    top.clamp((at + 1).saturating_sub(height), at)
                }
                _ => top,
            }
        };
        self.shown_at.set((area.y, area.height, start));
        let muted = ctx.theme.style(Token::Muted);
        let visible: Vec<Line> = (start..len.min(start + height))
            .map(|at| match at.checked_sub(header.len()) {
                None => header[at].clone(),
                Some(row) => match rows[row] {
                    RelationRow::Heading => {
                        Line::styled("Relations", ctx.theme.style(Token::Title))
                    }
                    RelationRow::None if self.filter.active() => {
                        Line::styled("  (none match the filter · Esc clears it)", muted)
                    }
                    RelationRow::None => Line::styled("  (none)", muted),
                    RelationRow::Type(relation) => {
                        Line::styled(format!("  {}", relation.as_str()), muted)
                    }
                    RelationRow::Target(i) => self.target_line(ctx, i, &targets[i].1, width),
                },
            })
            .collect();
        frame.render_widget(Paragraph::new(visible), area);
        if ctx.prefs.hyperlinks {
            // metadata.links and annotations whose value is a URL (source location, view URL…).
            let e = ctx.catalog.get(self.id);
            let urls = e
                .metadata
                .links
                .iter()
                .map(|l| l.url.as_str())
                .chain(e.metadata.annotations.values().map(|v| {
                    // `url:https://…` (a source location) links its URL part.
                    v.strip_prefix("url:").unwrap_or(v)
                }))
                .filter_map(hyperlink::safe_url)
                .map(|u| (safe_line(u), u))
                .collect::<Vec<_>>();
            hyperlink::link_all(
                frame.buffer_mut(),
                area,
                true,
                urls.iter().map(|(shown, url)| (shown.as_str(), *url)),
            );
        }
    }
}
