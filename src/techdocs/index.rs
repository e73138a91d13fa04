//! `in:docs` search: an index of the titles and headings of every entity's docs pages, built
//! on demand (it reads files), so ordinary catalog search never pays for it.

use super::{root_for, Site, TECHDOCS_REF};
use crate::catalog::{Catalog, EntityId};
use crate::markdown::{render, Options};

/// One heading (or page title) that can be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsHit {
    /// The entity whose docs hold it.
    pub entity: EntityId,
    /// The page, relative to the docs directory.
    pub page: String,
    /// The page's title.
    pub page_title: String,
    /// The heading's text (the page title for a page match).
    pub heading: String,
    /// The heading's anchor, `None` for the page itself.
    pub anchor: Option<String>,
    haystack: String,
}

/// The headings of every docs page in a catalog.
#[derive(Debug, Clone, Default)]
pub struct DocsIndex {
    hits: Vec<DocsHit>,
    /// Sites that could not be read, as messages.
    pub problems: Vec<String>,
}

impl DocsIndex {
    /// Reads the docs of every entity with a techdocs-ref annotation (README fallbacks are not
    /// indexed: probing every entity's folder would cost a file check per entity).
    pub fn build(catalog: &Catalog, roots: &[String]) -> Self {
        let mut index = Self::default();
        for id in catalog.ids() {
            let entity = catalog.get(id);
            if !entity.metadata.annotations.contains_key(TECHDOCS_REF) {
                continue;
            }
            let site = match Site::open(entity, &root_for(entity, roots)) {
                Ok(site) => site,
                Err(e) => {
                    index.problems.push(e.to_string());
                    continue;
                }
            };
            index.add_site(id, &site);
        }
        index
    }

    /// Adds the pages of one site.
    pub fn add_site(&mut self, entity: EntityId, site: &Site) {
        for (nav, page) in site.pages() {
            let mut push = |heading: &str, anchor: Option<String>| {
                self.hits.push(DocsHit {
                    entity,
                    page: page.to_string(),
                    page_title: nav.title.clone(),
                    heading: heading.to_string(),
                    anchor,
                    haystack: heading.to_lowercase(),
                });
            };
            push(&nav.title, None);
            let Ok(text) = site.read_page(page) else {
                continue;
            };
            let doc = render(&text, &Options::default());
            for h in &doc.headings {
                if h.text != nav.title {
                    push(&h.text, Some(h.anchor.clone()));
                }
            }
        }
    }

    /// The number of indexed headings and titles.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    /// Headings containing every word (lowercase), best first: page titles, then headings that
    /// start with the first word, then the rest in site order.
    pub fn search(&self, words: &[String], limit: usize) -> Vec<&DocsHit> {
        let mut found: Vec<(usize, usize, &DocsHit)> = self
            .hits
            .iter()
            .enumerate()
            .filter(|(_, h)| words.iter().all(|w| h.haystack.contains(w.as_str())))
            .map(|(i, h)| {
                let rank = if h.anchor.is_none() {
                    0
                } else if words
                    .first()
                    .is_some_and(|w| h.haystack.starts_with(w.as_str()))
                {
                    1
                } else {
                    2
                };
                (rank, i, h)
            })
            .collect();
        found.sort_by_key(|(rank, i, _)| (*rank, *i));
        found.into_iter().take(limit).map(|(_, _, h)| h).collect()
    }
}
