//! The Docs tab of an entity from a Backstage source: its TechDocs as the backend publishes
//! them, fetched in the background when asked (Enter; over a slow link nothing is fetched for
//! an entity only glanced at). `]`/`[` go to the next/previous page of the site, Up/Down and
//! the usual keys scroll. Without published docs, the tab says so and shows where the source
//! is (`backstage.io/source-location`); `y` copies that.

use super::EntityTab;
use crate::backstage::techdocs::{self, page_title};
use crate::catalog::{EntityId, EntityRef};
use crate::tui::action::Action;
use crate::tui::panes::{Ctx, Outcome};
use crate::tui::remote_task::{DocsFetched, DocsRequest};
use crate::tui::reply::Reply;
use crate::tui::theme::Token;
use crate::tui::widgets::scroll::TextScroll;
use crate::tui::widgets::wrap::safe_line;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Where the tab is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Nothing fetched yet.
    Idle,
    /// A page was asked for.
    Loading(String),
    /// A page, rendered.
    Page(Vec<String>),
    /// Nothing published (true), or another failure, with its message.
    Failed(String, bool),
}

/// The remote Docs tab's state for one entity.
pub struct RemoteDocsTab {
    server: String,
    entity: EntityRef,
    location: Option<String>,
    site: Option<String>,
    /// The site's pages (from the metadata, else the page's navigation).
    pages: Vec<String>,
    page: usize,
    /// Where the tab is.
    pub state: State,
    scroll: TextScroll,
}

/// The remote Docs tab applies to entities loaded from a Backstage server.
pub fn make(ctx: &Ctx, id: EntityId) -> Option<Box<dyn EntityTab>> {
    let entity = ctx.catalog.get(id);
    let server = crate::source::remote_origin(&entity.origin.path)?.to_string();
    Some(Box::new(RemoteDocsTab {
        server,
        entity: entity.entity_ref().clone(),
        location: techdocs::source_location(entity),
        site: None,
        pages: Vec::new(),
        page: 0,
        state: State::Idle,
        scroll: TextScroll::default(),
    }))
}

impl RemoteDocsTab {
    /// A fetch finished: taken when it is the page this tab waits for, ignored otherwise.
    fn remote_docs(&mut self, fetched: &DocsFetched) -> Outcome {
        if fetched.entity != self.entity || fetched.server != self.server {
            return Outcome::Ignored;
        }
        if !matches!(&self.state, State::Loading(p) if *p == fetched.page) {
            return Outcome::Ignored;
        }
        if let Some(Ok(site)) = &fetched.site {
            self.site = Some(safe_line(&site.name));
            if !site.pages.is_empty() {
                self.pages = site.pages.clone();
            }
        }
        self.state = match &fetched.page_result {
            Ok(page) => {
                if self.pages.is_empty() && !page.nav.is_empty() {
                    self.pages = std::iter::once("index.html".to_string())
                        .chain(page.nav.iter().filter(|p| *p != "index.html").cloned())
                        .collect();
                }
                if let Some(i) = self.pages.iter().position(|p| *p == page.path) {
                    self.page = i;
                }
                self.scroll = TextScroll::default();
                State::Page(page.lines.iter().map(|l| safe_line(l)).collect())
            }
            Err((message, not_published)) => State::Failed(safe_line(message), *not_published),
        };
        Outcome::Consumed
    }

    fn request(&mut self, page: String) -> Outcome {
        self.state = State::Loading(page.clone());
        Outcome::FetchDocs(DocsRequest {
            server: self.server.clone(),
            entity: self.entity.clone(),
            metadata: self.site.is_none(),
            page,
            width: 0,
        })
    }

    fn current(&self) -> String {
        self.pages
            .get(self.page)
            .cloned()
            .unwrap_or_else(|| "index.html".into())
    }
}

impl EntityTab for RemoteDocsTab {
    fn title(&self) -> &str {
        "Docs"
    }

    fn keys(&self) -> crate::tui::panes::PaneKeys {
        crate::tui::panes::PaneKeys::moves_and(&["open", "next_page", "prev_page"])
    }

    fn handle(&mut self, action: &Action, ctx: &Ctx) -> Outcome {
        if let Action::Reply(Reply::RemoteDocs(fetched)) = action {
            return self.remote_docs(fetched);
        }
        if matches!(self.state, State::Page(_)) && self.scroll.handle(action, ctx.page) {
            return Outcome::Consumed;
        }
        match action {
            Action::Open if !matches!(self.state, State::Loading(_)) => {
                let page = self.current();
                self.request(page)
            }
            Action::NextPage if self.page + 1 < self.pages.len() => {
                self.page += 1;
                let page = self.current();
                self.request(page)
            }
            Action::PrevPage if self.page > 0 && !self.pages.is_empty() => {
                self.page -= 1;
                let page = self.current();
                self.request(page)
            }
            Action::CopyRef if matches!(self.state, State::Failed(_, true)) => {
                match &self.location {
                    Some(loc) => Outcome::Copy {
                        text: loc.clone(),
                        what: "the source location".into(),
                    },
                    None => Outcome::Ignored,
                }
            }
            _ => Outcome::Ignored,
        }
    }

    fn render(&self, ctx: &Ctx, area: Rect, frame: &mut Frame) {
        let theme = ctx.theme;
        let width = area.width as usize;
        let cut = |s: String| crate::text::truncate(&s, width).into_owned();
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
        let where_ = match (&self.site, self.pages.len()) {
            (Some(site), n) if n > 1 => format!(
                "{site} · page {}/{n}: {} · ]/[ pages",
                self.page + 1,
                page_title(&self.current())
            ),
            (Some(site), _) => site.clone(),
            (None, _) => format!("TechDocs on {}", safe_line(&self.server)),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(cut(where_), theme.style(Token::Title))),
            head,
        );
        let lines: Vec<Line> = match &self.state {
            State::Idle => vec![
                Line::raw(cut(format!(
                    "{} comes from {}.",
                    self.entity,
                    safe_line(&self.server)
                ))),
                Line::styled(
                    "Enter fetches its TechDocs from the server.",
                    theme.style(Token::Accent),
                ),
            ],
            State::Loading(page) => vec![Line::styled(
                cut(format!("fetching {}…", page_title(page))),
                theme.style(Token::Muted),
            )],
            State::Failed(message, not_published) => {
                let mut out = vec![Line::styled(
                    cut(message.clone()),
                    theme.style(Token::Error),
                )];
                if *not_published {
                    out.push(Line::raw(match &self.location {
                        Some(loc) => cut(format!("Its source: {} (y copies it)", safe_line(loc))),
                        None => "It has no backstage.io/source-location to open instead.".into(),
                    }));
                } else {
                    out.push(Line::styled(
                        "Enter tries again.",
                        theme.style(Token::Muted),
                    ));
                }
                out
            }
            State::Page(page) => {
                let rows = body.height as usize;
                let start = self.scroll.start(page.len(), rows);
                page.iter()
                    .skip(start)
                    .take(rows)
                    .map(|l| Line::raw(cut(l.clone())))
                    .collect()
            }
        };
        frame.render_widget(Paragraph::new(lines), body);
    }
}
