//! Reading an MkDocs site: `mkdocs.yml` (`site_name`, `docs_dir`, `nav`) or, without a nav, the
//! Markdown files of `docs/` with `index.md` first.

use super::{child, read_text, DocsError, NavEntry, NavTarget, Site, SiteKind};
use crate::catalog::EntityRef;
use crate::vfs;
use serde_yaml::Value;

/// Deepest nav nesting followed, and most entries kept: bounds work on a hostile mkdocs.yml.
const MAX_NAV_DEPTH: usize = 16;
const MAX_NAV_ENTRIES: usize = 5_000;

/// Folds `.` and `..` in a path relative to the docs directory; `None` when it climbs out.
pub fn normalise_rel(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/');
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Reads the MkDocs site in `dir`.
pub fn mkdocs_site(
    entity: EntityRef,
    name: &str,
    dir: &str,
    root: &str,
) -> Result<Site, DocsError> {
    let mut site = Site {
        entity,
        name: name.to_string(),
        kind: SiteKind::MkDocs,
        docs_dir: child(dir, "docs"),
        root: root.to_string(),
        nav: Vec::new(),
        warnings: Vec::new(),
    };
    let config = ["mkdocs.yml", "mkdocs.yaml"]
        .iter()
        .map(|f| child(dir, f))
        .find(|p| vfs::size(p).is_ok());
    let mut nav = None;
    if let Some(path) = config {
        let text = read_text(&path)?;
        let yaml: Value = crate::yaml::from_str(&text).map_err(|e| DocsError::Mkdocs {
            path: path.clone(),
            line: e.location().map_or(0, |l| l.line()),
            message: e.to_string(),
        })?;
        if !(yaml.is_mapping() || yaml.is_null()) {
            return Err(DocsError::Mkdocs {
                path,
                line: 1,
                message: "expected a mapping of settings".into(),
            });
        }
        if let Some(n) = yaml.get("site_name").and_then(Value::as_str) {
            site.name = crate::text::one_line(n);
        }
        if let Some(d) = yaml.get("docs_dir") {
            let Some(d) = d.as_str() else {
                return Err(DocsError::Mkdocs {
                    path,
                    line: 0,
                    message: "docs_dir must be a string".into(),
                });
            };
            site.docs_dir = child(dir, d);
            if !vfs::is_within(&site.docs_dir, root) {
                return Err(DocsError::Escape {
                    origin: path,
                    path: d.to_string(),
                    root: root.to_string(),
                });
            }
        }
        nav = yaml.get("nav").cloned();
    }
    match nav {
        Some(Value::Sequence(items)) => {
            walk_nav(&items, 0, &mut site);
        }
        Some(Value::Null) | None => list_docs(&mut site)?,
        Some(_) => site
            .warnings
            .push("nav is not a list: pages listed from docs/".into()),
    }
    if site.nav.is_empty() {
        list_docs(&mut site)?;
    }
    if site.pages().next().is_none() {
        return Err(DocsError::Empty {
            dir: site.docs_dir.clone(),
        });
    }
    Ok(site)
}

fn walk_nav(items: &[Value], depth: usize, site: &mut Site) {
    if depth > MAX_NAV_DEPTH {
        site.warnings
            .push("nav nested too deeply: rest skipped".into());
        return;
    }
    for item in items {
        if site.nav.len() >= MAX_NAV_ENTRIES {
            site.warnings.push("nav too long: rest skipped".into());
            return;
        }
        match item {
            Value::String(page) => add_page(site, None, page, depth),
            Value::Mapping(map) => {
                for (k, v) in map {
                    let title = match k {
                        Value::String(s) => crate::text::one_line(&crate::text::clean(s)),
                        _ => continue,
                    };
                    match v {
                        Value::String(page) => add_page(site, Some(title), page, depth),
                        Value::Sequence(children) => {
                            site.nav.push(NavEntry {
                                title,
                                depth,
                                target: NavTarget::Section,
                            });
                            walk_nav(children, depth + 1, site);
                        }
                        _ => site.warnings.push(format!(
                            "nav entry {title:?} is neither a page nor a section"
                        )),
                    }
                }
            }
            _ => site
                .warnings
                .push("a nav entry is neither a page nor a section".into()),
        }
    }
}

fn add_page(site: &mut Site, title: Option<String>, page: &str, depth: usize) {
    let page = crate::text::one_line(&crate::text::clean(page));
    if page.contains("://") || page.starts_with("mailto:") {
        site.nav.push(NavEntry {
            title: title.unwrap_or_else(|| page.clone()),
            depth,
            target: NavTarget::External(page),
        });
        return;
    }
    let Some(rel) = normalise_rel(&page).filter(|p| !p.is_empty()) else {
        site.warnings.push(format!(
            "nav page {page} is outside the docs directory: skipped"
        ));
        return;
    };
    if vfs::size(&child(&site.docs_dir, &rel)).is_err() {
        site.warnings.push(format!("nav page {rel} does not exist"));
    }
    let title = title.unwrap_or_else(|| page_title(site, &rel));
    site.nav.push(NavEntry {
        title,
        depth,
        target: NavTarget::Page(rel),
    });
}

/// Lists `docs/`: `index.md` (or `README.md`) first, then by path; nested folders indent.
fn list_docs(site: &mut Site) -> Result<(), DocsError> {
    if !vfs::is_dir(&site.docs_dir) {
        return Err(DocsError::Read {
            path: site.docs_dir.clone(),
            message: "no mkdocs.yml nav and no docs directory".into(),
        });
    }
    let files = vfs::files_with_extensions(&site.docs_dir, &[".md", ".markdown"]).map_err(|e| {
        DocsError::Read {
            path: site.docs_dir.clone(),
            message: e.to_string(),
        }
    })?;
    let prefix = child(&site.docs_dir, "_");
    let prefix = prefix.trim_end_matches('_');
    let mut rels: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(prefix).map(str::to_string))
        .collect();
    let rank = |p: &str| match p.to_ascii_lowercase().as_str() {
        "index.md" => 0,
        "readme.md" => 1,
        _ => 2,
    };
    rels.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.cmp(b)));
    for rel in rels.into_iter().take(MAX_NAV_ENTRIES) {
        let depth = rel.matches('/').count();
        let title = page_title(site, &rel);
        site.nav.push(NavEntry {
            title,
            depth,
            target: NavTarget::Page(rel),
        });
    }
    Ok(())
}

/// A page's first `# ` heading, else its file name without extension.
fn page_title(site: &Site, rel: &str) -> String {
    let fallback = || {
        rel.rsplit('/')
            .next()
            .unwrap_or(rel)
            .trim_end_matches(".md")
            .trim_end_matches(".markdown")
            .replace(['-', '_'], " ")
    };
    let Ok(text) = site.read_page(rel) else {
        return fallback();
    };
    text.lines()
        .take(200)
        .find_map(|l| l.strip_prefix("# "))
        .map(|t| crate::text::one_line(t.trim_end_matches('#')))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(fallback)
}
