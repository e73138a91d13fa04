//! The Ownership tab: who owns the entity, the owner's parents, members with emails, on-call
//! and contact links; for a Group or User also what it owns (and a user's groups).
//!
//! Keys: Up/Down move, Enter opens the highlighted person, group or entity, `y` copies the
//! highlighted email, ref, on-call id or link, `r` (on a group) adds what child groups own,
//! `/` filters the rows (those that match, under their section's heading). A click selects a
//! row, a double click opens it.

use super::EntityTab;
use crate::catalog::EntityId;
use crate::live::human_age;
use crate::ownership::{self, is_party_kind, Party};
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::panes::{Ctx, Outcome, PaneKeys};
use crate::tui::theme::Token;
use crate::tui::widgets::hyperlink;
use crate::tui::widgets::tree_filter::FilteredTree;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// One line of the tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The text (already safe to draw).
    pub text: String,
    /// How to draw it.
    pub style: Token,
    /// What `y` copies, and how the status line names it.
    pub copy: Option<(String, String)>,
    /// What Enter opens.
    pub open: Option<EntityId>,
    /// A link on the line: the text shown and its URL (drawn as OSC 8 when enabled).
    pub link: Option<(String, String)>,
}

impl Row {
    fn heading(text: impl Into<String>) -> Self {
        Row {
            text: text.into(),
            style: Token::Title,
            copy: None,
            open: None,
            link: None,
        }
    }

    fn note(text: impl Into<String>, style: Token) -> Self {
        Row {
            text: format!("  {}", text.into()),
            style,
            copy: None,
            open: None,
            link: None,
        }
    }

    fn party(ctx: &Ctx, p: &Party) -> Self {
        let mut text = format!("  {}", p.reference.short());
        if !p.resolved {
            text.push_str("  [unresolved: not in the catalog]");
        }
        let contact = safe_line(&p.contact());
        if !contact.is_empty() {
            text.push_str("  ");
            text.push_str(&contact);
        }
        let copy = match &p.email {
            Some(e) => (e.clone(), e.clone()),
            None => (p.reference.to_string(), p.reference.to_string()),
        };
        Row {
            text,
            style: if p.resolved {
                Token::Text
            } else {
                Token::Error
            },
            copy: Some(copy),
            open: ctx.catalog.id_of(&p.reference),
            link: p
                .email
                .as_deref()
                .and_then(|e| Some((safe_line(e), crate::tui::widgets::hyperlink::mailto(e)?))),
        }
    }
}

/// The Ownership tab's state for one entity: its rows, computed once, and the `/` filter
/// with the selection.
pub struct OwnershipTab {
    id: EntityId,
    /// The entity is a Group: `r` switches what it owns between direct and with child groups.
    group: bool,
    with_children: bool,
    rows: Vec<Row>,
    list: FilteredTree,
}

/// The Ownership tab applies to every entity.
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    Some(Box::new(OwnershipTab::new(ctx, id)))
}

impl OwnershipTab {
    /// The tab for an entity.
    pub fn new(ctx: &Ctx, id: EntityId) -> Self {
        let mut tab = OwnershipTab {
            id,
            group: ctx.catalog.get(id).kind_lower() == "group",
            with_children: false,
            rows: Vec::new(),
            list: FilteredTree::new(0),
        };
        tab.set_rows(tab.build_rows(ctx));
        tab.list.select_row(tab.first_selectable());
        tab
    }

    /// New rows (built again): filtered again, the selected line kept by position.
    fn set_rows(&mut self, rows: Vec<Row>) {
        self.rows = rows;
        let rows = &self.rows;
        self.list.set_rows(
            rows.len(),
            |i| rows[i].text.clone(),
            |i| heading_of(rows, i),
        );
    }

    /// The rows, for tests and callers that want the content without drawing.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    fn first_selectable(&self) -> usize {
        self.rows
            .iter()
            .position(|r| r.copy.is_some() || r.open.is_some())
            .unwrap_or(0)
    }

    fn build_rows(&self, ctx: &Ctx) -> Vec<Row> {
        let catalog = ctx.catalog;
        let card = ownership::owner_card(catalog, self.id);
        let kind = catalog.get(self.id).kind_lower();
        let party = is_party_kind(kind);
        let mut rows = Vec::new();
        rows.push(Row::heading(if party { "Contact" } else { "Owner" }));
        match &card.owner {
            None => rows.push(Row::note(
                "none: spec.owner is missing (an ownership gap)",
                Token::Error,
            )),
            Some(owner) => {
                rows.push(Row::party(ctx, owner));
                if let Some(owner_id) = catalog.id_of(&owner.reference) {
                    let owner_kind = catalog.get(owner_id).kind_lower();
                    if owner_kind == "group" && !ownership::staffed(catalog, owner_id) {
                        rows.push(Row::note(
                            "no members in this group or any group below it (an ownership gap)",
                            Token::Warning,
                        ));
                    } else if !is_party_kind(owner_kind) {
                        rows.push(Row::note(
                            format!("the owner is a {owner_kind}, not a Group or User"),
                            Token::Warning,
                        ));
                    }
                }
            }
        }
        if !card.parents.is_empty() || card.parent_loop.is_some() {
            rows.push(Row::heading("Parents"));
            rows.extend(card.parents.iter().map(|p| Row::party(ctx, p)));
            if let Some(looped) = &card.parent_loop {
                rows.push(Row::note(
                    format!("parent loop: {} comes round again", looped.short()),
                    Token::Warning,
                ));
            }
        }
        let owner_is_group = card
            .owner
            .as_ref()
            .is_some_and(|o| o.resolved && o.reference.kind() == "group");
        if owner_is_group {
            rows.push(Row::heading(format!("Members ({})", card.members.len())));
            if card.members.is_empty() {
                rows.push(Row::note("none", Token::Muted));
            }
            rows.extend(card.members.iter().map(|m| Row::party(ctx, m)));
        }
        if kind == "user" {
            let groups = ownership::groups_of(catalog, self.id);
            rows.push(Row::heading(format!("Groups ({})", groups.len())));
            rows.extend(groups.iter().map(|g| Row::party(ctx, g)));
        }
        rows.push(Row::heading("On-call"));
        if card.oncall.is_empty() {
            rows.push(Row::note(
                "no pagerduty.com/… or opsgenie.com/… annotation on the entity or its owner",
                Token::Muted,
            ));
        }
        for o in &card.oncall {
            rows.push(Row {
                text: format!(
                    "  {}  {}  (on {})",
                    safe_line(&o.annotation),
                    safe_line(&o.value),
                    o.from.short()
                ),
                style: Token::Text,
                copy: Some((o.value.clone(), format!("{} {}", o.annotation, o.value))),
                open: None,
                link: url_link(&o.value),
            });
        }
        on_call_now(ctx, self.id, &mut rows);
        if !card.links.is_empty() {
            rows.push(Row::heading("Links"));
            for l in &card.links {
                let url = safe_line(&l.url);
                let text = match &l.title {
                    Some(t) => format!("  {}  {url}", safe_line(t)),
                    None => format!("  {url}"),
                };
                rows.push(Row {
                    text,
                    style: Token::Text,
                    copy: Some((l.url.clone(), l.url.clone())),
                    open: None,
                    link: url_link(&l.url),
                });
            }
        }
        if party {
            let owned = ownership::owned_by(catalog, self.id, self.with_children);
            let how = match (kind, self.with_children) {
                ("group", false) => "  (r: with child groups)",
                ("group", true) => "  (with child groups; r: direct only)",
                _ => "",
            };
            rows.push(Row::heading(format!("Owns ({}){how}", owned.len())));
            if owned.is_empty() {
                rows.push(Row::note("nothing", Token::Muted));
            }
            for o in owned {
                let mut text = format!("  {}", o.reference.short());
                if let Some(via) = &o.via {
                    text.push_str(&format!("  (via {})", via.short()));
                }
                rows.push(Row {
                    text,
                    style: Token::Text,
                    copy: Some((o.reference.to_string(), o.reference.to_string())),
                    open: Some(o.id),
                    link: None,
                });
            }
        }
        rows
    }
}

impl EntityTab for OwnershipTab {
    fn title(&self) -> &str {
        "Ownership"
    }

    fn mode(&self) -> Option<Mode> {
        self.list.filter().editing().then_some(Mode::Search)
    }

    fn keys(&self) -> PaneKeys {
        if self.list.filter().editing() {
            return PaneKeys::filter_line();
        }
        let toggle: &[&'static str] = if self.group { &["toggle_view"] } else { &[] };
        PaneKeys::moves_and(&["open", "copy_ref", "filter"]).and(toggle)
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::LiveChanged = action {
            // Who is on call may have changed: the rows are derived again.
            self.set_rows(self.build_rows(ctx));
            return Outcome::Consumed;
        }
        let rows = &self.rows;
        if self.list.handle(
            action,
            ctx.page,
            |i| rows.get(i).map(|r| r.text.clone()).unwrap_or_default(),
            |i| heading_of(rows, i),
        ) {
            return Outcome::Consumed;
        }
        let row = self.list.selected_row().and_then(|i| self.rows.get(i));
        match action {
            Action::CopyRef => match row.and_then(|r| r.copy.clone()) {
                Some((text, what)) => Outcome::Copy { text, what },
                // Nothing to copy on this line: the entity view copies the entity's ref.
                None => Outcome::Ignored,
            },
            Action::Open => match row.and_then(|r| r.open) {
                Some(id) if id != self.id => Outcome::OpenEntity(id),
                Some(_) => Outcome::Consumed,
                None => Outcome::Status("nothing to open on this line".into()),
            },
            Action::ToggleView if self.group => {
                self.with_children = !self.with_children;
                self.set_rows(self.build_rows(ctx));
                Outcome::Consumed
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let width = area.width as usize;
        let theme = ctx.theme;
        let [area, foot] = Layout::vertical([
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        let selected = self.list.selected_row();
        let visible = self.list.visible_in(area);
        let lines: Vec<Line> = visible
            .iter()
            .map(|&i| {
                let r = &self.rows[i];
                if Some(i) == selected {
                    // The row's colour gives way to the selection's; `▶` marks it.
                    let text = match r.text.strip_prefix("  ") {
                        Some(rest) => format!("▶ {rest}"),
                        None => format!("▶{}", r.text),
                    };
                    return Line::styled(
                        text::truncate(&text, width).into_owned(),
                        theme.on_row(theme.style(Token::Selection), theme.style(r.style)),
                    );
                }
                Line::styled(
                    text::truncate(&r.text, width).into_owned(),
                    theme.style(r.style),
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        if ctx.prefs.hyperlinks {
            for (line, &i) in visible.iter().enumerate() {
                if let Some((shown, url)) = &self.rows[i].link {
                    let row = Rect::new(area.x, area.y + line as u16, area.width, 1);
                    hyperlink::link_text(frame.buffer_mut(), row, shown, url);
                }
            }
        }
    }
}

/// The heading a row is under (its "parent" for the `/` filter); none for a heading.
fn heading_of(rows: &[Row], i: usize) -> Option<usize> {
    if rows.get(i)?.style == Token::Title {
        return None;
    }
    rows.get(..i)?.iter().rposition(|r| r.style == Token::Title)
}

/// "On call now": the people the live providers say are on call for the entity (from its own
/// annotations or its owning group's), where that came from, and how old the answer is. Absent
/// when no live provider applies; "asking…" until the first answer.
fn on_call_now(ctx: &Ctx, id: EntityId, rows: &mut Vec<Row>) {
    if !super::live::applies(ctx, id) {
        return;
    }
    rows.push(Row::heading("On call now"));
    let entity = ctx.catalog.get(id).entity_ref().to_string();
    let Some(report) = ctx.live.get(&entity) else {
        rows.push(Row::note("asking the live providers…", Token::Muted));
        return;
    };
    let age = match report.age(ctx.now) {
        Some(age) if report.stale() => format!(" · {} old (stale)", human_age(age)),
        Some(age) => format!(" · {} ago", human_age(age)),
        None => String::new(),
    };
    let mut any = false;
    for result in &report.results {
        for o in &result.answer.oncall {
            any = true;
            let mut text = o.name.clone();
            if let Some(email) = o.email.as_ref().filter(|e| **e != o.name) {
                text.push_str(&format!(" <{email}>"));
            }
            if let Some(level) = o.level {
                text.push_str(&format!(" · level {level}"));
            }
            if let Some(until) = &o.until {
                text.push_str(&format!(" · until {until}"));
            }
            let from = match &result.from {
                Some(holder) => format!("from {holder}"),
                None => "from the entity".to_string(),
            };
            text.push_str(&format!(" · {} ({}, {from}){age}", o.target, o.provider));
            let copy = o.email.clone().unwrap_or_else(|| o.name.clone());
            rows.push(Row {
                // Cleaned before the indent: cleaning trims the line's ends.
                text: format!("  {}", safe_line(&text)),
                style: Token::Text,
                copy: Some((copy.clone(), copy)),
                open: None,
                link: o.url.as_deref().and_then(url_link),
            });
        }
        let on_call_provider = matches!(result.provider.as_str(), "pagerduty" | "opsgenie");
        if let (true, true, Some(error)) = (
            on_call_provider,
            result.answer.oncall.is_empty(),
            &result.error,
        ) {
            any = true;
            rows.push(Row::note(
                safe_line(&format!("{}: unknown: {error}", result.provider)),
                Token::Warning,
            ));
        }
    }
    if !any {
        rows.push(Row::note(format!("nobody known{age}"), Token::Muted));
    }
}

/// A link to `url` shown as itself, when it is one that may be linked.
fn url_link(url: &str) -> Option<(String, String)> {
    hyperlink::safe_url(url).map(|u| (safe_line(u), u.to_string()))
}
