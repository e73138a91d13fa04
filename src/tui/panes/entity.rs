//! The entity view: a header (kind, ref, title, lifecycle, owner) and tabs from the registry
//! in [`crate::tui::tabs`]. Tab/Shift-Tab cycle the tabs, `y` copies the ref, Esc goes back.

use super::{Ctx, Outcome, View};
use crate::catalog::EntityId;
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::tabs::{tabs_for, EntityTab};
use crate::tui::theme::Token;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// One entity, shown in tabs.
pub struct EntityView {
    id: EntityId,
    tabs: Vec<Box<dyn EntityTab>>,
    active: usize,
    /// Where the tab bar was last drawn: its row, and each label's columns and tab, so a
    /// click switches to the tab under it.
    tab_bar: std::cell::RefCell<TabBar>,
    /// The entity-wide keys that work on this entity besides the tabs' (`favourite` always;
    /// `edit` when it has a local file; `launch_template` on a Template), for help and hints.
    own_keys: Vec<&'static str>,
}

/// The entity-wide keys that work on `id`'s page (see [`EntityView::keys`]).
fn own_keys(ctx: &Ctx, id: EntityId) -> Vec<&'static str> {
    let entity = ctx.catalog.get(id);
    let mut keys = vec![
        "next_tab",
        "prev_tab",
        "copy_ref",
        "ownership",
        "links",
        "favourite",
    ];
    if crate::tui::editing::EditRequest::for_origin(&entity.origin, "").is_ok() {
        keys.push("edit");
    }
    if entity.kind.eq_ignore_ascii_case("template") {
        keys.push("launch_template");
    }
    keys
}

/// The tab bar's row and, for each label, its first and past-the-last column and its tab.
type TabBar = (u16, Vec<(u16, u16, usize)>);

impl EntityView {
    /// The view of an entity, on its first tab.
    pub fn new(ctx: &Ctx, id: EntityId) -> Self {
        Self {
            id,
            tabs: tabs_for(ctx, id),
            active: 0,
            tab_bar: Default::default(),
            own_keys: own_keys(ctx, id),
        }
    }

    /// The labels of the tabs shown, in order.
    pub fn tab_titles(&self) -> Vec<&str> {
        self.tabs
            .iter()
            .filter(|t| t.shown())
            .map(|t| t.title())
            .collect()
    }

    /// Makes the tab with this title active; returns false (and changes nothing) when there
    /// is no such tab. A tab not shown yet (a Docs tab looking for a README) can be made
    /// active: it says "loading…", and the view goes back to its first tab if it does not
    /// apply after all.
    pub fn show_tab(&mut self, title: &str) -> bool {
        match self.tabs.iter().position(|t| t.title() == title) {
            Some(i) => {
                self.active = i;
                true
            }
            None => false,
        }
    }

    /// The index of the active tab.
    pub fn active_tab(&self) -> usize {
        self.active
    }

    /// Moves to the next (or previous) shown tab, wrapping around.
    fn step(&mut self, forward: bool) {
        let n = self.tabs.len();
        let mut i = self.active;
        for _ in 0..n {
            i = if forward {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            if self.tabs[i].shown() {
                self.active = i;
                return;
            }
        }
    }
}

impl View for EntityView {
    fn title(&self, ctx: &Ctx) -> String {
        ctx.catalog.get(self.id).metadata.name.clone()
    }

    fn mode(&self) -> Mode {
        self.tabs
            .get(self.active)
            .and_then(|t| t.mode())
            .unwrap_or(Mode::Entity)
    }

    fn entity(&self) -> Option<EntityId> {
        Some(self.id)
    }

    fn keys(&self) -> super::PaneKeys {
        let Some(tab) = self.tabs.get(self.active) else {
            return super::PaneKeys::default();
        };
        let keys = tab.keys();
        if tab.mode().is_some() {
            // A text field of the tab has focus: only its keys.
            return keys;
        }
        keys.and(&self.own_keys)
    }

    fn remap(&mut self, ctx: &Ctx, remap: &dyn Fn(EntityId) -> Option<EntityId>) -> bool {
        let Some(id) = remap(self.id) else {
            return false;
        };
        // Tabs hold state computed from the old catalog: build them anew on the same tab.
        self.id = id;
        self.tabs = tabs_for(ctx, id);
        self.own_keys = own_keys(ctx, id);
        self.active = self.active.min(self.tabs.len().saturating_sub(1));
        true
    }

    fn take_tasks(&mut self, area_width: u16) -> Vec<crate::tui::task::Task> {
        let active = self.active;
        let mut tasks = Vec::new();
        for (i, tab) in self.tabs.iter_mut().enumerate() {
            tasks.extend(tab.take_tasks(area_width, i == active));
        }
        tasks
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::LiveChanged = action {
            // A notice for every tab, on screen or not.
            for tab in &mut self.tabs {
                let _ = tab.handle(action, ctx);
            }
            return Outcome::Consumed;
        }
        if let Action::Reply(_) = action {
            // A reply goes to the tab that asked, on screen or not.
            let outcome = self
                .tabs
                .iter_mut()
                .map(|tab| tab.handle(action, ctx))
                .find(|o| !matches!(o, Outcome::Ignored))
                .unwrap_or(Outcome::Ignored);
            // A tab made active by name that turned out not to apply gives way.
            if self.tabs.get(self.active).is_some_and(|t| !t.shown()) {
                self.active = 0;
            }
            return outcome;
        }
        if let Action::Mouse(crate::tui::action::Mouse::Click { column, row }) = action {
            let bar = self.tab_bar.borrow();
            if *row == bar.0 {
                let hit = bar
                    .1
                    .iter()
                    .find(|(from, to, _)| (*from..*to).contains(column))
                    .map(|&(_, _, tab)| tab);
                drop(bar);
                return match hit {
                    Some(tab) => {
                        self.active = tab;
                        Outcome::Consumed
                    }
                    None => Outcome::Ignored,
                };
            }
        }
        if let Some(tab) = self.tabs.get_mut(self.active) {
            match tab.handle(action, ctx) {
                Outcome::Ignored => {}
                other => return other,
            }
        }
        match action {
            Action::NextTab => {
                self.step(true);
                Outcome::Consumed
            }
            Action::PrevTab => {
                self.step(false);
                Outcome::Consumed
            }
            Action::Ownership => {
                self.show_tab("Ownership");
                Outcome::Consumed
            }
            Action::CopyRef => {
                let r = ctx.catalog.get(self.id).entity_ref().to_string();
                Outcome::Copy {
                    text: r.clone(),
                    what: r,
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let e = ctx.catalog.get(self.id);
        let [header, tabs_area, body] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        let width = area.width as usize;

        // Line 1: kind, name and title. Line 2: ref, lifecycle, owner.
        let kind = e.kind.clone();
        let mut first = vec![
            Span::styled(format!("[{kind}] "), theme.kind(e.kind_lower())),
            Span::styled(e.metadata.name.clone(), theme.style(Token::Title)),
        ];
        if let Some(title) = e.metadata.title.as_deref() {
            first.push(Span::styled(
                format!(" — {}", safe_line(title)),
                theme.style(Token::Text),
            ));
        }
        let mut second = vec![Span::styled(
            e.entity_ref().to_string(),
            theme.style(Token::Muted),
        )];
        for (label, value) in [
            ("type", e.spec_str("type").map(safe_line)),
            ("lifecycle", e.spec_str("lifecycle").map(safe_line)),
            ("owner", ctx.catalog.owner_ref(self.id).map(|r| r.short())),
        ] {
            if let Some(v) = value {
                second.push(Span::styled(
                    format!("  {label} "),
                    theme.style(Token::Muted),
                ));
                second.push(Span::styled(v, theme.style(Token::Text)));
            }
        }
        frame.render_widget(
            Paragraph::new(vec![clip(first, width), clip(second, width)]),
            header,
        );

        let mut tab_spans = Vec::new();
        let mut hits = Vec::new();
        let mut x = tabs_area.x;
        let shown = self
            .tabs
            .iter()
            .enumerate()
            .filter(|(i, t)| *i == self.active || t.shown());
        for (i, tab) in shown {
            if !tab_spans.is_empty() {
                tab_spans.push(Span::styled(" │ ", theme.style(Token::Border)));
                x = x.saturating_add(3);
            }
            let label = if i == self.active {
                Span::styled(format!("▸{}", tab.title()), theme.style(Token::Selection))
            } else {
                Span::styled(format!(" {}", tab.title()), theme.style(Token::Muted))
            };
            let w = u16::try_from(crate::text::width(&label.content)).unwrap_or(u16::MAX);
            hits.push((x, x.saturating_add(w), i));
            x = x.saturating_add(w);
            tab_spans.push(label);
        }
        *self.tab_bar.borrow_mut() = (tabs_area.y, hits);
        frame.render_widget(Paragraph::new(clip(tab_spans, width)), tabs_area);

        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.style(Token::Border));
        let inner = block.inner(body);
        frame.render_widget(block, body);
        if let Some(tab) = self.tabs.get(self.active) {
            tab.render(ctx, inner, frame);
        }
    }
}

/// Cuts a line of spans to `width` columns (the last span that overflows ends with `…`).
pub fn clip(spans: Vec<Span<'_>>, width: usize) -> Line<'_> {
    let mut out = Vec::with_capacity(spans.len());
    let mut used = 0;
    for span in spans {
        let w = text::width(&span.content);
        if used + w <= width {
            used += w;
            out.push(span);
            continue;
        }
        let cut = text::truncate(&span.content, width - used).into_owned();
        if !cut.is_empty() {
            out.push(Span::styled(cut, span.style));
        }
        break;
    }
    Line::from(out)
}
