//! Reading a docs page off the UI thread: the Docs tab asks with a [`PageRequest`] (the event
//! loop runs it on a blocking task), and the answer comes back as a [`PageLoaded`] action. Each
//! request has a token of its own, so the answer to a page the user has already left is
//! dropped.

use crate::markdown::{self, Document, Options};
use crate::techdocs::Site;
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

/// Read this page of a site and lay it out at this width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// Matches the answer to the question.
    pub token: u64,
    /// The site the page belongs to.
    pub site: Arc<Site>,
    /// The page's index among the site's pages.
    pub page: usize,
    /// The page's path in the site.
    pub path: String,
    /// The layout width (see [`page_width`]).
    pub width: usize,
}

/// The answer to a [`PageRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLoaded {
    /// The request's token.
    pub token: u64,
    /// The page's index among the site's pages.
    pub page: usize,
    /// The Markdown, or why it could not be read.
    pub text: Result<String, String>,
    /// The page laid out at the request's width (none when it could not be read).
    pub document: Option<(usize, Document)>,
}

impl PageRequest {
    /// Reads and lays out the page: file I/O and Markdown parsing, for a blocking task.
    pub fn run(self) -> PageLoaded {
        let text = self.site.read_page(&self.path).map_err(|e| e.to_string());
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
            page: self.page,
            text,
            document,
        }
    }
}
