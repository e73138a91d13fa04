//! Reading docs off the UI thread: the Docs tab asks with a [`PageRequest`] (the event loop
//! runs it on a blocking task), and the answer comes back as a [`PageLoaded`] action. The first
//! request of a tab finds the entity's site too (reading `mkdocs.yml` and listing its docs
//! folder), then reads its index page. Each request has a token of its own, so the answer to a
//! page or an entity the user has already left is dropped.

use crate::catalog::Entity;
use crate::markdown::{self, Document, Options};
use crate::techdocs::{DocsError, Site};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Columns the Docs tab's page list takes in an area `area_width` wide (0 when the area is too
/// narrow for it and the page is shown alone).
pub fn list_width(area_width: u16) -> u16 {
    if area_width >= 50 {
        (area_width / 4).clamp(12, 30)
    } else {
        0
    }
}

/// Columns the page's text is laid out in, in an area `area_width` wide: what the list leaves,
/// less one (the list's border, or a right margin when the page is alone).
pub fn page_width(area_width: u16) -> usize {
    let page = area_width.saturating_sub(list_width(area_width));
    usize::from(page.saturating_sub(1)).max(1)
}

/// A new token, never given out before in this process.
pub fn next_token() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// An entity whose site is still to be found, and the catalog root it is read inside.
#[derive(Debug, Clone)]
pub struct SiteQuery {
    /// The entity (a copy: the catalog stays on the UI thread).
    pub entity: Box<Entity>,
    /// The catalog root nothing is read outside of (see [`crate::techdocs::root_for`]).
    pub root: String,
}

// Two questions about the same entity's site under the same root are the same question
// (`Entity` itself is not `Eq`: a spec may hold a NaN).
impl PartialEq for SiteQuery {
    fn eq(&self, other: &Self) -> bool {
        self.entity.entity_ref() == other.entity.entity_ref()
            && self.entity.origin == other.entity.origin
            && self.root == other.root
    }
}

impl Eq for SiteQuery {}

/// A search of the docs headings of some entities (`in:docs` in the search pane), read
/// off the UI thread as a page is.
#[derive(Debug, Clone)]
pub struct DocsQuery {
    /// The entities with a techdocs-ref (copies: the catalog stays on the UI thread).
    pub entities: Arc<Vec<Entity>>,
    /// The catalog roots nothing is read outside of.
    pub roots: Vec<String>,
    /// The words every heading found holds.
    pub words: Vec<String>,
    /// Most headings to return.
    pub limit: usize,
}

impl PartialEq for DocsQuery {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.entities, &other.entities)
            && self.roots == other.roots
            && self.words == other.words
            && self.limit == other.limit
    }
}

impl Eq for DocsQuery {}

/// One heading (or page) a docs search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsFound {
    /// The entity whose docs hold it.
    pub entity_ref: String,
    /// The page, relative to the docs directory.
    pub page: String,
    /// The heading's text (the page title for a page match).
    pub heading: String,
    /// The heading's anchor, `None` for the page itself.
    pub anchor: Option<String>,
}

impl DocsQuery {
    /// Reads every site and searches its headings: file I/O, for a blocking task. Sites that
    /// cannot be read are listed in the answer's text.
    fn run(self, token: u64) -> PageLoaded {
        let refs: Vec<String> = self
            .entities
            .iter()
            .map(|e| e.entity_ref().as_str().to_string())
            .collect();
        let catalog = crate::catalog::Catalog::from_entities(self.entities.iter().cloned(), vec![]);
        let index = crate::techdocs::DocsIndex::build(&catalog, &self.roots);
        let found = index
            .search(&self.words, self.limit)
            .into_iter()
            .map(|h| DocsFound {
                entity_ref: catalog.get(h.entity).entity_ref().as_str().to_string(),
                page: h.page.clone(),
                heading: h.heading.clone(),
                anchor: h.anchor.clone(),
            })
            .filter(|f| refs.contains(&f.entity_ref))
            .collect();
        PageLoaded {
            token,
            site: None,
            page: 0,
            text: if index.problems.is_empty() {
                Ok(String::new())
            } else {
                Err(index.problems.join("; "))
            },
            document: None,
            found,
        }
    }
}

/// What a request reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// The docs headings matching a search, across entities.
    Search(DocsQuery),
    /// The entity's site, then its index page.
    Site(SiteQuery),
    /// A page of a site already found.
    Page {
        /// The site.
        site: Arc<Site>,
        /// The page's index among the site's pages.
        page: usize,
        /// The page's path in the site.
        path: String,
    },
}

/// Read this (and lay it out at this width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Matches the answer to the question.
    pub token: u64,
    /// What to read.
    pub read: Read,
    /// The layout width (see [`page_width`]).
    pub width: usize,
}

/// The answer to a [`PageRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLoaded {
    /// The request's token.
    pub token: u64,
    /// The site, when the request had to find it, or why it could not be read.
    pub site: Option<Result<Arc<Site>, DocsError>>,
    /// The page's index among the site's pages.
    pub page: usize,
    /// The Markdown, or why it could not be read.
    pub text: Result<String, String>,
    /// The page laid out at the request's width (none when it could not be read).
    pub document: Option<(usize, Document)>,
    /// What a docs search found (empty for a page).
    pub found: Vec<DocsFound>,
}

impl PageRequest {
    /// Finds the site if asked, reads and lays out the page: file I/O and Markdown parsing,
    /// for a blocking task.
    pub fn run(self) -> PageLoaded {
        let (found, site, page, path) = match self.read {
            Read::Search(query) => return query.run(self.token),
            Read::Page { site, page, path } => (None, site, page, path),
            Read::Site(query) => match Site::open(&query.entity, &query.root) {
                Ok(site) => {
                    let site = Arc::new(site);
                    let Some((page, path)) = index_page(&site) else {
                        return PageLoaded {
                            token: self.token,
                            text: Err(format!("{}: no Markdown pages found", site.docs_dir)),
                            site: Some(Ok(site)),
                            page: 0,
                            document: None,
                            found: Vec::new(),
                        };
                    };
                    (Some(Ok(Arc::clone(&site))), site, page, path)
                }
                Err(e) => {
                    return PageLoaded {
                        token: self.token,
                        text: Err(e.to_string()),
                        site: Some(Err(e)),
                        page: 0,
                        document: None,
                        found: Vec::new(),
                    }
                }
            },
        };
        let text = site.read_page(&path).map_err(|e| e.to_string());
        let document = text.as_ref().ok().map(|t| {
            let doc = markdown::render(
                t,
                &Options {
                    width: self.width,
                    number_links: false,
                },
            );
            (self.width, doc)
        });
        PageLoaded {
            token: self.token,
            site: found,
            page,
            text,
            document,
            found: Vec::new(),
        }
    }
}

/// The page a site opens on (its index, else its first page) and its path.
fn index_page(site: &Site) -> Option<(usize, String)> {
    let first = site.index_page()?;
    let page = site.pages().position(|(_, p)| p == first)?;
    Some((page, first.to_string()))
}
