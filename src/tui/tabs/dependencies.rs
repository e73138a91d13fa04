//! The Dependencies tab: the entity's dependency tree, forward (what it needs) or reverse (what
//! needs it: the blast radius, with the teams to notify and their on-call, naming who is on
//! call now when live providers are configured: the tab asks them for the first teams when the
//! reverse tree is built). For a Domain or System it shows the structure (`hasPart`) instead.
//!
//! Keys: Up/Down move, Right/Left expand and collapse, Enter opens the node's entity, `r`
//! switches forward/reverse, `+`/`-` change the depth, `y` copies the node's ref, `/` filters
//! the tree (the nodes that match and the path to them). A click selects a node, a double
//! click opens it.

use super::EntityTab;
use crate::catalog::{EntityId, Target};
use crate::graph::{self, export::mark_note, Direction, Impact, Mark, Tree, DEFAULT_DEPTH};
use crate::text;
use crate::tui::action::Action;
use crate::tui::keymap::Mode;
use crate::tui::panes::{Ctx, Outcome, PaneKeys};
use crate::tui::theme::Token;
use crate::tui::widgets::tree_filter::FilteredTree;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::collections::HashSet;

/// The deepest tree the tab builds.
pub const MAX_DEPTH: usize = 20;

/// The Dependencies tab's state for one entity. The tree and its visible rows are computed
/// when the direction, depth or folding changes, never while drawing.
pub struct Dependencies {
    id: EntityId,
    direction: Direction,
    depth: usize,
    tree: Tree,
    impact: Option<Impact>,
    collapsed: HashSet<usize>,
    /// The node index of each visible row, in display order.
    rows: Vec<usize>,
    /// The row of each row's parent node (`None` for the root), aligned with `rows`.
    parents: Vec<Option<usize>>,
    /// Each row's text for the `/` filter (its relation and ref), aligned with `rows`.
    texts: Vec<String>,
    /// The `/` filter over the rows, and the selection.
    list: FilteredTree,
    /// The summary line, computed with the tree (counting walks every node).
    summary: String,
    /// Live fetches of the teams' on-call, until `update` takes them.
    live_wanted: Vec<super::live::LiveRequest>,
    /// The entities whose on-call was asked for; dropping their senders cancels the fetches.
    live_asked: Vec<(String, tokio::sync::oneshot::Sender<()>)>,
}

/// The teams to notify whose on-call the tab asks of the live providers, at most.
const ONCALL_TEAMS: usize = 20;

/// The tab applies to entities that take part in dependencies, and (as structure) to domains
/// and systems.
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    let direction = match ctx.catalog.get(id).kind_lower() {
        "component" | "api" | "resource" => Direction::Forward,
        "domain" | "system" => Direction::Structure,
        _ => return None,
    };
    Some(Box::new(Dependencies::new(ctx, id, direction)))
}

impl Dependencies {
    /// The tab for an entity, showing `direction` at the default depth.
    pub fn new(ctx: &Ctx, id: EntityId, direction: Direction) -> Self {
        let mut tab = Dependencies {
            id,
            direction,
            depth: DEFAULT_DEPTH,
            tree: graph::build(ctx.catalog, id, direction, 0),
            impact: None,
            collapsed: HashSet::new(),
            rows: Vec::new(),
            parents: Vec::new(),
            texts: Vec::new(),
            list: FilteredTree::new(0),
            summary: String::new(),
            live_wanted: Vec::new(),
            live_asked: Vec::new(),
        };
        tab.rebuild(ctx);
        tab
    }

    /// Asks who is on call now for the first teams to notify (each entity once per tab).
    fn ask_oncall(&mut self, ctx: &Ctx) {
        let (Some(impact), Some(live)) = (&self.impact, &ctx.prefs.live) else {
            return;
        };
        for o in impact.owners.iter().take(ONCALL_TEAMS) {
            let paged_by: Vec<_> = o.oncall.iter().map(|c| &c.from).collect();
            let Some(subject) = live
                .0
                .oncall_subject(ctx.catalog, &o.owner.reference, &paged_by)
            else {
                continue;
            };
            let entity = subject.entity().to_string();
            if self.live_asked.iter().any(|(e, _)| *e == entity) {
                continue;
            }
            if let Some((request, cancel)) = super::live::fetch(ctx, subject) {
                self.live_wanted.push(request);
                self.live_asked.push((entity, cancel));
            }
        }
    }

    /// Who is on call now for a team to notify, from the live data the portal has: names,
    /// at most three, and how many more.
    fn oncall_now(ctx: &Ctx, o: &graph::AffectedOwner) -> Option<String> {
        let mut people: Vec<String> = std::iter::once(&o.owner.reference)
            .chain(o.oncall.iter().map(|c| &c.from))
            .filter_map(|r| ctx.live.get(&r.to_string()))
            .flat_map(|report| report.oncall().map(|p| safe_line(&p.name)))
            .collect();
        people.dedup();
        if people.is_empty() {
            return None;
        }
        let more = people.len().saturating_sub(3);
        people.truncate(3);
        let mut text = format!("on call now: {}", people.join(", "));
        if more > 0 {
            text.push_str(&format!(" +{more}"));
        }
        Some(text)
    }

    fn rebuild(&mut self, ctx: &Ctx) {
        self.tree = graph::build(ctx.catalog, self.id, self.direction, self.depth);
        self.impact =
            (self.direction == Direction::Reverse).then(|| graph::impact(ctx.catalog, &self.tree));
        self.collapsed.clear();
        self.summary = self.summary();
        self.reflow(ctx);
        self.list.select_row(0);
        self.ask_oncall(ctx);
    }

    /// Recomputes the visible rows after folding changed, and filters them again.
    fn reflow(&mut self, ctx: &Ctx) {
        self.rows.clear();
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            self.rows.push(i);
            if !self.collapsed.contains(&i) {
                stack.extend(self.tree.nodes[i].children.clone().rev());
            }
        }
        let mut row_of = vec![None; self.tree.nodes.len()];
        for (row, &node) in self.rows.iter().enumerate() {
            row_of[node] = Some(row);
        }
        self.parents = self
            .rows
            .iter()
            .map(|&node| self.tree.nodes[node].parent.and_then(|p| row_of[p]))
            .collect();
        self.texts = self
            .rows
            .iter()
            .map(|&node| {
                let n = &self.tree.nodes[node];
                let reference = ctx.catalog.target_ref(&n.target).to_string();
                match n.relation {
                    Some(rel) => format!("{} {reference}", rel.as_str()),
                    None => reference,
                }
            })
            .collect();
        let (texts, parents) = (&self.texts, &self.parents);
        self.list.set_rows(
            self.rows.len(),
            |i| texts[i].clone(),
            |i| parents.get(i).copied().flatten(),
        );
    }

    /// The direction shown.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The depth limit.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The number of visible rows.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The node on the selected row; None when no row is shown (a filter matching nothing).
    fn selected_node(&self) -> Option<usize> {
        self.list
            .selected_row()
            .and_then(|row| self.rows.get(row))
            .copied()
    }

    /// The guides before a node: `│   ` or spaces for each ancestor level, then `├── ` or
    /// `└── `. Walks the node's ancestors only.
    fn guides(&self, node: usize) -> String {
        let is_last = |n: usize| {
            self.tree.nodes[n]
                .parent
                .and_then(|p| self.tree.nodes[p].children.clone().next_back())
                == Some(n)
        };
        let mut parts = Vec::new();
        let mut current = node;
        let mut own = true;
        while let Some(parent) = self.tree.nodes[current].parent {
            let last = is_last(current);
            parts.push(match (own, last) {
                (true, true) => "└── ",
                (true, false) => "├── ",
                (false, true) => "    ",
                (false, false) => "│   ",
            });
            own = false;
            current = parent;
        }
        parts.reverse();
        parts.concat()
    }

    fn summary(&self) -> String {
        let what = match self.direction {
            Direction::Forward => "Forward: what it needs",
            Direction::Reverse => "Reverse: what needs it",
            Direction::Structure => "Structure",
        };
        let count = match self.direction {
            Direction::Reverse => format!("blast radius {}", self.tree.size()),
            Direction::Forward => format!("{} dependencies", self.tree.size()),
            Direction::Structure => format!("{} parts", self.tree.size()),
        };
        let mut s = format!("{what} · depth {} · {count}", self.depth);
        let missing = self.tree.missing().len();
        if missing > 0 {
            s.push_str(&format!(" · {missing} missing"));
        }
        if self.tree.cycles() > 0 {
            s.push_str(&format!(" · {} cycle edge(s)", self.tree.cycles()));
        }
        if self.tree.truncated() > 0 {
            s.push_str(&format!(
                " · {} cut at depth {} (+ to see more)",
                self.tree.truncated(),
                self.depth
            ));
        }
        s
    }

    fn row_line<'a>(&self, ctx: &Ctx<'a>, node: usize, selected: bool, width: usize) -> Line<'a> {
        let theme = ctx.theme;
        let n = &self.tree.nodes[node];
        let fold = if n.children.is_empty() {
            " "
        } else if self.collapsed.contains(&node) {
            "▸"
        } else {
            "▾"
        };
        let reference = safe_line(&ctx.catalog.target_ref(&n.target).short());
        let mut spans = vec![
            Span::styled(if selected { "▶" } else { " " }, theme.style(Token::Accent)),
            Span::styled(
                format!("{}{fold} ", self.guides(node)),
                theme.style(Token::Border),
            ),
        ];
        if let Some(rel) = n.relation {
            spans.push(Span::styled(
                format!("{} ", rel.as_str()),
                theme.style(Token::Muted),
            ));
        }
        let ref_style = match (&n.target, n.mark) {
            (Target::Missing(_), _) => theme.style(Token::Error),
            (_, Mark::Cycle) => theme.style(Token::Warning),
            (Target::Resolved(id), _) => theme.kind(ctx.catalog.get(*id).kind_lower()),
        };
        spans.push(Span::styled(reference, ref_style));
        let note = mark_note(n.mark);
        if !note.is_empty() {
            let style = match n.mark {
                Mark::Missing => theme.style(Token::Error),
                Mark::Cycle | Mark::DepthLimit => theme.style(Token::Warning),
                _ => theme.style(Token::Muted),
            };
            spans.push(Span::styled(format!("  {note}"), style));
        }
        let mut line = crate::tui::panes::entity::clip(spans, width);
        if selected {
            line = theme.select_line(line);
        }
        line
    }

    /// How many lines the teams panel would fill: a heading, one per team, one for unowned.
    fn team_line_count(&self) -> usize {
        self.impact
            .as_ref()
            .map_or(0, |i| 1 + i.owners.len() + usize::from(i.unowned > 0))
    }

    /// The teams panel's first `max` lines (only those are built: a hub has thousands).
    fn team_lines<'a>(&self, ctx: &Ctx<'a>, width: usize, max: usize) -> Vec<Line<'a>> {
        let theme = ctx.theme;
        let Some(impact) = &self.impact else {
            return Vec::new();
        };
        if max == 0 {
            return Vec::new();
        }
        let mut lines = vec![Line::styled(
            format!("Teams to notify ({})", impact.owners.len()),
            theme.style(Token::Title),
        )];
        for o in impact.owners.iter().take(max - 1) {
            let mut s = format!("  {}  {} affected", o.owner.reference.short(), o.entities);
            if !o.owner.resolved {
                s.push_str("  [unresolved]");
            }
            if let Some(email) = &o.owner.email {
                s.push_str(&format!("  {}", safe_line(email)));
            }
            if let Some(now) = Self::oncall_now(ctx, o) {
                s.push_str(&format!("  {now}"));
            }
            let oncall: Vec<String> = o
                .oncall
                .iter()
                .take(3)
                .map(|c| format!("{} {}", provider_short(&c.annotation), safe_line(&c.value)))
                .collect();
            if !oncall.is_empty() {
                s.push_str(&format!("  on-call: {}", oncall.join(", ")));
                if o.oncall.len() > 3 {
                    s.push_str(&format!(" +{}", o.oncall.len() - 3));
                }
            }
            lines.push(Line::raw(text::truncate(&s, width).into_owned()));
        }
        if impact.unowned > 0 && lines.len() < max {
            lines.push(Line::styled(
                format!("  {} affected with no owner", impact.unowned),
                theme.style(Token::Warning),
            ));
        }
        lines
    }
}

/// A short provider label for an on-call annotation key.
fn provider_short(annotation: &str) -> &'static str {
    if annotation.starts_with("pagerduty.com/") {
        "pagerduty"
    } else {
        "opsgenie"
    }
}

impl EntityTab for Dependencies {
    fn take_tasks(&mut self, _area_width: u16, _on_screen: bool) -> Vec<crate::tui::task::Task> {
        self.live_wanted
            .drain(..)
            .map(|r| crate::tui::task::Task::FetchLive(Box::new(r)))
            .collect()
    }

    fn title(&self) -> &str {
        if self.direction == Direction::Structure {
            "Structure"
        } else {
            "Dependencies"
        }
    }

    fn mode(&self) -> Option<Mode> {
        self.list.filter().editing().then_some(Mode::Search)
    }

    fn keys(&self) -> PaneKeys {
        if self.list.filter().editing() {
            return PaneKeys::filter_line();
        }
        let toggle: &[&'static str] = if self.direction == Direction::Structure {
            &[]
        } else {
            &["toggle_view"]
        };
        PaneKeys::moves_and(&[
            "open",
            "copy_ref",
            "depth_more",
            "depth_less",
            "expand",
            "collapse",
            "filter",
        ])
        .and(toggle)
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        let (texts, parents) = (&self.texts, &self.parents);
        if self.list.handle(
            action,
            ctx.page,
            |i| texts.get(i).cloned().unwrap_or_default(),
            |i| parents.get(i).copied().flatten(),
        ) {
            return Outcome::Consumed;
        }
        // The view's own keys need no row: they work while a filter matches nothing.
        match action {
            Action::ToggleView if self.direction != Direction::Structure => {
                self.direction = self.direction.flipped();
                self.rebuild(ctx);
                return Outcome::Consumed;
            }
            Action::DepthMore => {
                self.depth = (self.depth + 1).min(MAX_DEPTH);
                self.rebuild(ctx);
                return Outcome::Consumed;
            }
            Action::DepthLess => {
                self.depth = self.depth.saturating_sub(1).max(1);
                self.rebuild(ctx);
                return Outcome::Consumed;
            }
            _ => {}
        }
        let Some(node) = self.selected_node() else {
            // A filter matching nothing: no row to act on.
            return Outcome::Ignored;
        };
        match action {
            Action::Expand => {
                self.collapsed.remove(&node);
                self.reflow(ctx);
                Outcome::Consumed
            }
            Action::Collapse => {
                let n = &self.tree.nodes[node];
                if !n.children.is_empty() && !self.collapsed.contains(&node) {
                    self.collapsed.insert(node);
                    self.reflow(ctx);
                } else if let Some(parent) = n.parent {
                    // On a leaf or a folded node, Left goes to the parent, as in file trees.
                    if let Some(row) = self.rows.iter().position(|&r| r == parent) {
                        self.list.select_row(row);
                    }
                }
                Outcome::Consumed
            }
            Action::Open => match &self.tree.nodes[node].target {
                Target::Resolved(id) if *id != self.id => Outcome::OpenEntity(*id),
                Target::Resolved(_) => Outcome::Consumed,
                Target::Missing(r) => Outcome::Status(format!("{r} is not in the catalog")),
            },
            Action::CopyRef => {
                let r = ctx
                    .catalog
                    .target_ref(&self.tree.nodes[node].target)
                    .to_string();
                Outcome::Copy {
                    text: r.clone(),
                    what: r,
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let width = area.width as usize;
        let team_count = self.team_line_count();
        let team_height = if team_count == 0 {
            0
        } else {
            (team_count.min(u16::MAX as usize) as u16)
                .min(area.height / 3)
                .max(1)
        };
        let teams = self.team_lines(ctx, width, team_height as usize);
        let [summary, tree_area, foot, teams_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(self.list.footer_height()),
            Constraint::Length(team_height),
        ])
        .areas(area);
        if let Some(line) = self.list.footer(ctx.theme, width) {
            frame.render_widget(Paragraph::new(line), foot);
        }
        frame.render_widget(
            Paragraph::new(Line::styled(
                text::truncate(&self.summary, width).into_owned(),
                ctx.theme.style(Token::Muted),
            )),
            summary,
        );
        let selected = self.list.selected_row();
        let lines: Vec<Line> = self
            .list
            .visible_in(tree_area)
            .into_iter()
            .map(|row| self.row_line(ctx, self.rows[row], Some(row) == selected, width))
            .collect();
        frame.render_widget(Paragraph::new(lines), tree_area);
        if team_height > 0 {
            frame.render_widget(
                Paragraph::new(
                    teams
                        .into_iter()
                        .take(team_height as usize)
                        .collect::<Vec<_>>(),
                ),
                teams_area,
            );
        }
    }
}
