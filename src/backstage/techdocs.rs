//! TechDocs of a remote entity, from the backend's TechDocs API: the site's metadata
//! (`/api/techdocs/metadata/techdocs/{namespace}/{kind}/{name}`) for its name and page list,
//! and the built pages (`/api/techdocs/static/docs/{namespace}/{kind}/{name}/{path}`), whose
//! main content (MkDocs puts it in `<article>`, inside `.md-content`) is rendered as terminal
//! text by html2text. A 404 means nothing is published for the entity.

use super::{api_url, build_client, get_with_retries, Expect};
use super::{BackstageError, BackstageSource};
use crate::catalog::EntityRef;
use crate::text::{clean, clean_lines, one_line, truncate};
use serde_json::Value;

/// Largest page read, in bytes: a bigger one is refused, not rendered.
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Most lines of a rendered page kept; a longer page ends with a note.
pub const MAX_PAGE_LINES: usize = 20_000;

/// Deepest nesting of elements (counted from the page's article) rendered: far deeper than a
/// built TechDocs page (a list nested ten deep is about twenty), and rendered in well under a
/// second at any width.
pub const MAX_PAGE_DEPTH: usize = 64;

/// The annotation that says where an entity's source lives, for "open it there".
pub const SOURCE_LOCATION: &str = "backstage.io/source-location";

/// Why remote docs cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum RemoteDocsError {
    /// 404: the backend has no TechDocs for this entity.
    #[error("no TechDocs published for {entity} on {source_name}")]
    NotPublished {
        /// The entity.
        entity: String,
        /// The source's name.
        source_name: String,
    },
    /// Anything else: auth, network, garbage.
    #[error(transparent)]
    Server(BackstageError),
}

/// A published site: its name, description and pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemoteSite {
    /// `site_name` (the entity's name when missing).
    pub name: String,
    /// `site_description`.
    pub description: Option<String>,
    /// The HTML pages, as paths under the site (`index.html`, `guides/setup/index.html`),
    /// the index first; empty when the metadata does not list `files`.
    pub pages: Vec<String>,
}

/// A page rendered as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePage {
    /// The page's path under the site.
    pub path: String,
    /// The rendered text, cleaned, one entry per line.
    pub lines: Vec<String>,
    /// Pages of the same site linked from the page's navigation, when the metadata had none.
    pub nav: Vec<String>,
}

fn triplet(entity: &EntityRef) -> [String; 3] {
    [
        entity.namespace().to_ascii_lowercase(),
        entity.kind().to_ascii_lowercase(),
        entity.name().to_ascii_lowercase(),
    ]
}

fn map_error(e: BackstageError, entity: &EntityRef, source: &BackstageSource) -> RemoteDocsError {
    match e {
        BackstageError::NoCatalogApi { .. } => RemoteDocsError::NotPublished {
            entity: entity.as_str().to_string(),
            source_name: source.name.clone(),
        },
        other => RemoteDocsError::Server(other),
    }
}

async fn get(
    source: &BackstageSource,
    segments: &[&str],
    expect: Expect,
) -> Result<Vec<u8>, BackstageError> {
    let mut source = source.clone();
    source.http.max_body_bytes = source.http.max_body_bytes.min(MAX_PAGE_BYTES);
    let shown = source.shown_url();
    let url = api_url(&source, segments)?;
    let client = build_client(&source)?;
    let token = source.token.resolve().map_err(|e| BackstageError::Token {
        url: shown.clone(),
        source: e,
    })?;
    get_with_retries(&client, url, token.as_ref(), &source, &shown, expect).await
}

/// Reads the site's metadata.
pub async fn metadata(
    source: &BackstageSource,
    entity: &EntityRef,
) -> Result<RemoteSite, RemoteDocsError> {
    let [ns, kind, name] = triplet(entity);
    let body = get(
        source,
        &["api", "techdocs", "metadata", "techdocs", &ns, &kind, &name],
        Expect::Json,
    )
    .await
    .map_err(|e| map_error(e, entity, source))?;
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        RemoteDocsError::Server(BackstageError::BadBody {
            url: source.shown_url(),
            detail: format!(
                "the TechDocs metadata is not JSON: {}",
                one_line(&clean(&e.to_string()))
            ),
        })
    })?;
    Ok(read_metadata(&value, entity.name()))
}

/// The site's name, description and HTML pages from its `techdocs_metadata.json`.
pub fn read_metadata(value: &Value, fallback_name: &str) -> RemoteSite {
    let text = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .map(|s| truncate(&one_line(&clean(s)), 200).into_owned())
            .filter(|s| !s.trim().is_empty())
    };
    let mut pages: Vec<String> = value
        .get("files")
        .and_then(Value::as_array)
        .map(|files| {
            files
                .iter()
                .filter_map(Value::as_str)
                .filter(|f| is_page(f))
                .take(5_000)
                .map(|f| clean(f).into_owned())
                .collect()
        })
        .unwrap_or_default();
    pages.sort_by_key(|p| (p != "index.html", p.matches('/').count(), p.clone()));
    pages.dedup();
    RemoteSite {
        name: text("site_name").unwrap_or_else(|| fallback_name.to_string()),
        description: text("site_description"),
        pages,
    }
}

/// An HTML page of the site, not a 404 page, asset or search index.
fn is_page(path: &str) -> bool {
    path.ends_with(".html")
        && path != "404.html"
        && !path.starts_with("assets/")
        && !path.starts_with("search/")
        && !path.split('/').any(|s| s == ".." || s.is_empty())
}

/// The path of a page as a reader would name it: `guides/setup` for `guides/setup/index.html`.
pub fn page_title(path: &str) -> String {
    let p = path
        .trim_end_matches("index.html")
        .trim_end_matches(".html")
        .trim_end_matches('/');
    if p.is_empty() {
        "index".into()
    } else {
        p.to_string()
    }
}

/// The page path to fetch for what a user typed: `guides/setup`, `guides/setup/`, or the file.
pub fn page_path(input: &str) -> String {
    let p = input.trim().trim_start_matches('/');
    if p.is_empty() || p == "index" {
        "index.html".into()
    } else if p.ends_with(".html") {
        p.to_string()
    } else {
        format!("{}/index.html", p.trim_end_matches('/'))
    }
}

/// Fetches a page and renders it at `width` columns.
pub async fn page(
    source: &BackstageSource,
    entity: &EntityRef,
    path: &str,
    width: usize,
) -> Result<RemotePage, RemoteDocsError> {
    let path = page_path(path);
    let [ns, kind, name] = triplet(entity);
    let mut segments: Vec<&str> = vec!["api", "techdocs", "static", "docs", &ns, &kind, &name];
    segments.extend(path.split('/').filter(|s| !s.is_empty() && *s != ".."));
    let body = get(source, &segments, Expect::Html)
        .await
        .map_err(|e| map_error(e, entity, source))?;
    let (lines, nav) = render_html(&body, width).map_err(|detail| {
        RemoteDocsError::Server(BackstageError::BadBody {
            url: source.shown_url(),
            detail,
        })
    })?;
    Ok(RemotePage { path, lines, nav })
}

/// Renders a built TechDocs page as text lines: only its main content (`<article>`, else
/// `.md-content`, `<main>`, the body), without the header links MkDocs adds to headings.
/// Also returns the site pages its navigation links to. Errors are messages.
pub fn render_html(html: &[u8], width: usize) -> Result<(Vec<String>, Vec<String>), String> {
    if html.len() > MAX_PAGE_BYTES {
        return Err(format!("the page is larger than {MAX_PAGE_BYTES} bytes"));
    }
    let config = html2text::config::plain();
    let dom = config
        .parse_html(html)
        .map_err(|e| format!("the page is not HTML: {e}"))?;
    let mut nav = Vec::new();
    collect_nav(&dom.document, false, &mut nav);
    let main = find(&dom.document, &|n| has_name(n, "article"))
        .or_else(|| find(&dom.document, &|n| has_class(n, "md-content")))
        .or_else(|| find(&dom.document, &|n| has_name(n, "main")))
        .or_else(|| find(&dom.document, &|n| has_name(n, "body")));
    let Some(main) = main else {
        return Ok((vec!["(the page is empty)".into()], nav));
    };
    strip(&main, &|n| {
        has_class(n, "headerlink") || has_name(n, "script") || has_name(n, "style")
    });
    // html2text's work grows with the square of the nesting (each level re-lays its
    // children out narrower), and past a few dozen levels it fails with "not wide enough".
    if nested_deeper_than(&main, MAX_PAGE_DEPTH) {
        return Err(format!(
            "the page nests its elements more than {MAX_PAGE_DEPTH} deep: not rendered"
        ));
    }
    let mut fragment = Vec::new();
    main.serialize(&mut fragment)
        .map_err(|e| format!("cannot read the page: {e}"))?;
    let text = html2text::config::plain()
        .link_footnotes(true)
        .string_from_read(fragment.as_slice(), width.clamp(20, 400))
        .map_err(|e| format!("cannot render the page: {e}"))?;
    let text = clean_lines(&text);
    let mut lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.len() > MAX_PAGE_LINES {
        lines.truncate(MAX_PAGE_LINES);
        lines.push(format!("… (cut at {MAX_PAGE_LINES} lines)"));
    }
    if lines.is_empty() {
        lines.push("(the page is empty)".into());
    }
    nav.dedup();
    Ok((lines, nav))
}

fn element_name(node: &html2text::Handle) -> Option<String> {
    match &node.data {
        html2text::Element { name, .. } => Some(name.local.to_string()),
        _ => None,
    }
}

fn has_name(node: &html2text::Handle, want: &str) -> bool {
    element_name(node).is_some_and(|n| n == want)
}

fn attr(node: &html2text::Handle, want: &str) -> Option<String> {
    match &node.data {
        html2text::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == want)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

fn has_class(node: &html2text::Handle, class: &str) -> bool {
    attr(node, "class").is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// True when elements under `root` nest more than `limit` deep (iterative).
fn nested_deeper_than(root: &html2text::Handle, limit: usize) -> bool {
    let mut stack = vec![(root.clone(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        let children = node.children.borrow();
        stack.extend(children.iter().map(|c| (c.clone(), depth + 1)));
    }
    false
}

/// The first node, depth first, that `want` accepts (iterative: a deep page cannot overflow
/// the stack).
fn find(
    root: &html2text::Handle,
    want: &dyn Fn(&html2text::Handle) -> bool,
) -> Option<html2text::Handle> {
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        if want(&node) {
            return Some(node);
        }
        let children = node.children.borrow();
        stack.extend(children.iter().rev().cloned());
    }
    None
}

/// Removes every descendant `drop` accepts.
fn strip(root: &html2text::Handle, drop: &dyn Fn(&html2text::Handle) -> bool) {
    let mut stack = vec![root.clone()];
    while let Some(node) = stack.pop() {
        node.children.borrow_mut().retain(|c| !drop(c));
        stack.extend(node.children.borrow().iter().cloned());
    }
}

/// Relative links to pages of the site inside `<nav>` elements, as page paths.
fn collect_nav(root: &html2text::Handle, _in_nav: bool, out: &mut Vec<String>) {
    let mut stack = vec![(root.clone(), false)];
    while let Some((node, in_nav)) = stack.pop() {
        let in_nav = in_nav || has_name(&node, "nav");
        if in_nav && has_name(&node, "a") && out.len() < 5_000 {
            if let Some(href) = attr(&node, "href") {
                if let Some(p) = nav_page(&href) {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        let children = node.children.borrow();
        stack.extend(children.iter().rev().map(|c| (c.clone(), in_nav)));
    }
}

/// A nav link as a page path, when it points inside the site (relative, no scheme, no `..`).
fn nav_page(href: &str) -> Option<String> {
    let href = href.split(['#', '?']).next()?.trim();
    if href.contains(':') || href.starts_with('/') || href.split('/').any(|s| s == "..") {
        return None;
    }
    let href = href.trim_start_matches("./");
    let path = page_path(href);
    is_page(&path).then(|| clean(&path).into_owned())
}

/// Where to read the source of an entity without published docs: its
/// `backstage.io/source-location` (without the `url:` prefix), cleaned.
pub fn source_location(entity: &crate::catalog::Entity) -> Option<String> {
    entity
        .metadata
        .annotations
        .get(SOURCE_LOCATION)
        .map(|v| one_line(&clean(v)))
        .map(|v| v.strip_prefix("url:").unwrap_or(&v).to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"<!doctype html><html><head><title>Orders</title>
<script>alert(1)</script></head><body>
<header class="md-header">Site header</header>
<nav class="md-nav"><a href="./">Home</a><a href="guides/setup/">Setup</a>
<a href="https://elsewhere.example/">Out</a><a href="../../x/">Up</a></nav>
<div class="md-content"><article class="md-content__inner">
<h1 id="orders">Orders service<a class="headerlink" href="#orders">¶</a></h1>
<p>Takes <strong>orders</strong> and <a href="https://example.com/api">the API</a>.</p>
<ul><li>first</li><li>second</li></ul>
<pre><code>make run
</code></pre>
<p>Evil: &#x1b;[31mred</p>
</article></div>
<footer>Made with MkDocs</footer></body></html>"##;

    #[test]
    fn only_the_article_is_rendered_with_headings_lists_code_and_links() {
        let (lines, nav) = render_html(PAGE.as_bytes(), 80).unwrap();
        let text = lines.join("\n");
        assert!(text.contains("# Orders service"), "{text}");
        assert!(text.contains("* first"), "{text}");
        assert!(text.contains("make run"), "{text}");
        assert!(text.contains("https://example.com/api"), "{text}");
        for gone in ["Site header", "Made with MkDocs", "alert(1)", "¶", "Home"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
        assert!(
            text.contains("Evil: [31mred"),
            "the escape is gone, its text stays: {text}"
        );
        for line in &lines {
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        assert_eq!(nav, ["index.html", "guides/setup/index.html"]);
    }

    #[test]
    fn a_page_without_article_falls_back_to_the_body_and_garbage_does_not_panic() {
        let (lines, _) = render_html(b"<p>just text</p>", 40).unwrap();
        assert_eq!(lines, ["just text"]);
        let (lines, _) = render_html(&[0xff, 0xfe, 0x00, 0x01], 40).unwrap();
        assert!(!lines.is_empty());
        // Deep nesting is refused with the reason, before html2text (and never a panic).
        let deep = "<div>".repeat(2_000) + "deep" + &"</div>".repeat(2_000);
        let err = render_html(deep.as_bytes(), 40).unwrap_err();
        assert!(err.contains("nests its elements more than"), "{err}");
    }

    #[test]
    fn metadata_lists_html_pages_index_first() {
        let site = read_metadata(
            &serde_json::json!({
                "site_name": "Orders\u{1b}[2J",
                "site_description": "How orders work",
                "files": ["sitemap.xml", "guides/setup/index.html", "404.html",
                          "assets/x.html", "index.html", "faq/index.html", 7, "../etc/x.html"]
            }),
            "orders",
        );
        assert_eq!(site.name, "Orders");
        assert_eq!(
            site.pages,
            ["index.html", "faq/index.html", "guides/setup/index.html"]
        );
        assert_eq!(
            read_metadata(&serde_json::json!({}), "orders").name,
            "orders"
        );
    }

    #[test]
    fn page_names_and_paths_round_trip() {
        assert_eq!(page_path(""), "index.html");
        assert_eq!(page_path("guides/setup"), "guides/setup/index.html");
        assert_eq!(page_path("guides/setup/"), "guides/setup/index.html");
        assert_eq!(page_path("faq.html"), "faq.html");
        assert_eq!(page_title("guides/setup/index.html"), "guides/setup");
        assert_eq!(page_title("index.html"), "index");
    }
}
