//! TechDocs in the terminal: finds an entity's documentation site from its
//! `backstage.io/techdocs-ref: dir:<path>` annotation (an MkDocs site: `mkdocs.yml` and `docs/`)
//! or, without one, the README beside its catalog file, and reads its pages.
//!
//! Pages are only ever read inside the catalog root the entity was loaded from: a techdocs-ref,
//! `docs_dir`, nav entry or link that climbs out with `..` is refused. See
//! <https://backstage.io/docs/features/techdocs/how-to-guides#how-to-use-techdocs-ref-annotation>.

mod index;
mod nav;

pub use index::{DocsHit, DocsIndex};

use crate::catalog::{Entity, EntityRef};
use crate::source::SourceSpec;
use crate::vfs;

/// The annotation that points at an entity's docs.
pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// Largest page read, in bytes.
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// Why an entity's docs cannot be shown; each names the entity, file or path involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocsError {
    /// Neither a techdocs-ref nor a README beside the catalog file.
    #[error("{entity} has no docs: no {TECHDOCS_REF} annotation and no README.md beside {file}")]
    NoDocs {
        /// The entity.
        entity: EntityRef,
        /// Its catalog file.
        file: String,
    },
    /// The annotation is not `dir:` or `url:` followed by something.
    #[error(
        "{origin}: {entity}: {TECHDOCS_REF} {value:?} is not understood (expected dir:<path>)"
    )]
    BadRef {
        /// The entity.
        entity: EntityRef,
        /// Where it is defined.
        origin: String,
        /// The annotation's value.
        value: String,
    },
    /// The docs are built from a remote location (`url:`), which only a Backstage backend serves.
    #[error("{entity}: the docs are built from {location}; open them there or in Backstage")]
    Remote {
        /// The entity.
        entity: EntityRef,
        /// The remote location.
        location: String,
    },
    /// A path that leaves the catalog root.
    #[error("{origin}: {path} is outside the catalog root {root}: not read")]
    Escape {
        /// Where the path was written.
        origin: String,
        /// The path.
        path: String,
        /// The catalog root.
        root: String,
    },
    /// A file or directory that could not be read.
    #[error("{path}: cannot read: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// `mkdocs.yml` is not valid YAML or has the wrong shape.
    #[error("{path}:{line}: invalid mkdocs.yml: {message}")]
    Mkdocs {
        /// The file.
        path: String,
        /// The 1-based line (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The site has no Markdown pages.
    #[error("{dir}: no Markdown pages found")]
    Empty {
        /// The docs directory.
        dir: String,
    },
    /// A page asked for by name that the site does not have.
    #[error("{entity} has no docs page {page:?}")]
    NoPage {
        /// The entity.
        entity: EntityRef,
        /// The page asked for.
        page: String,
    },
}

/// Where a site came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// An MkDocs site (`mkdocs.yml`, or a `docs/` folder).
    MkDocs,
    /// A README beside the catalog file.
    Readme,
}

/// What a nav entry leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NavTarget {
    /// A page: its path relative to the docs directory (`runbook.md`, `guides/setup.md`).
    Page(String),
    /// A section heading with the entries below it.
    Section,
    /// A link off the site.
    External(String),
}

/// One entry of the page list, in order; nested nav sections are flattened with a depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavEntry {
    /// The title to show.
    pub title: String,
    /// 0 at the top level.
    pub depth: usize,
    /// What it leads to.
    pub target: NavTarget,
}

/// Where a link on a page leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Another page of the site, possibly at an anchor.
    Page {
        /// The page, relative to the docs directory.
        page: String,
        /// The heading anchor, without `#`.
        anchor: Option<String>,
    },
    /// An anchor on the same page, without `#`.
    Anchor(String),
    /// A URL off the site.
    External(String),
    /// A relative link to nothing on the site (or out of it).
    Missing(String),
}

/// An entity's documentation site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The entity.
    pub entity: EntityRef,
    /// The site's name (`site_name`, else the entity's name).
    pub name: String,
    /// Where it came from.
    pub kind: SiteKind,
    /// The directory pages are relative to.
    pub docs_dir: String,
    /// The catalog root nothing is read outside of.
    pub root: String,
    /// The page list.
    pub nav: Vec<NavEntry>,
    /// Things skipped while reading the site (a nav entry outside the docs, a bad entry).
    pub warnings: Vec<String>,
}

/// The catalog roots of some sources: nothing outside them is read for docs.
pub fn roots(sources: &[SourceSpec]) -> Vec<String> {
    sources
        .iter()
        .flat_map(|s| match s {
            SourceSpec::Files { paths, .. } => paths.iter().map(|p| vfs::root_of(p)).collect(),
            // Remote entities have no local files to read docs from.
            SourceSpec::Backstage(_) => Vec::new(),
        })
        .collect()
}

/// The root an entity was loaded under: the longest of `roots` holding its file, else the
/// directory of its file.
pub fn root_for(entity: &Entity, roots: &[String]) -> String {
    let file = &*entity.origin.path;
    roots
        .iter()
        .filter(|r| vfs::is_within(file, r))
        .max_by_key(|r| r.len())
        .cloned()
        .unwrap_or_else(|| vfs::root_of(file))
}

/// `dir/rel` for a directory path as [`vfs`] writes them, folding `.` and `..`.
pub(crate) fn child(dir: &str, rel: &str) -> String {
    let base = if dir.ends_with('/') || dir.ends_with(':') || dir.is_empty() {
        format!("{dir}_")
    } else {
        format!("{dir}/_")
    };
    vfs::join(&base, rel)
}

impl Site {
    /// Finds and reads the site of an entity loaded under `root` (see [`root_for`]).
    pub fn open(entity: &Entity, root: &str) -> Result<Site, DocsError> {
        let file = entity.origin.path.to_string();
        let reference = entity.entity_ref().clone();
        let Some(value) = entity.metadata.annotations.get(TECHDOCS_REF) else {
            return readme_site(entity, root);
        };
        let value = value.trim();
        let bad = || DocsError::BadRef {
            entity: reference.clone(),
            origin: entity.origin.to_string(),
            value: value.to_string(),
        };
        let (kind, target) = value.split_once(':').ok_or_else(bad)?;
        let target = target.trim();
        if target.is_empty() {
            return Err(bad());
        }
        match kind.trim() {
            "dir" => {}
            "url" => {
                return Err(DocsError::Remote {
                    entity: reference,
                    location: target.to_string(),
                })
            }
            _ => return Err(bad()),
        }
        let dir = vfs::join(&file, target);
        if !vfs::is_within(&dir, root) {
            return Err(DocsError::Escape {
                origin: entity.origin.to_string(),
                path: target.to_string(),
                root: root.to_string(),
            });
        }
        if !vfs::is_dir(&dir) {
            return Err(DocsError::Read {
                path: dir,
                message: "no such directory".into(),
            });
        }
        nav::mkdocs_site(reference, &entity.metadata.name, &dir, root)
    }

    /// The pages, in nav order, without sections and external links.
    pub fn pages(&self) -> impl Iterator<Item = (&NavEntry, &str)> + '_ {
        self.nav.iter().filter_map(|e| match &e.target {
            NavTarget::Page(p) => Some((e, p.as_str())),
            _ => None,
        })
    }

    /// The page shown first: `index.md` (or `README.md`) when the site has one, else the first.
    pub fn index_page(&self) -> Option<&str> {
        let pages: Vec<&str> = self.pages().map(|(_, p)| p).collect();
        ["index.md", "README.md", "readme.md"]
            .iter()
            .find_map(|i| pages.iter().find(|p| **p == *i).copied())
            .or_else(|| pages.first().copied())
    }

    /// Finds a page by its path (with or without `.md`) or its title, ignoring case.
    pub fn find_page(&self, input: &str) -> Result<&str, DocsError> {
        let wanted = input.trim().trim_start_matches("./").to_lowercase();
        let stem = |p: &str| p.trim_end_matches(".md").to_lowercase();
        self.pages()
            .find(|(_, p)| p.to_lowercase() == wanted || stem(p) == wanted.trim_end_matches(".md"))
            .or_else(|| self.pages().find(|(e, _)| e.title.to_lowercase() == wanted))
            .map(|(_, p)| p)
            .ok_or_else(|| DocsError::NoPage {
                entity: self.entity.clone(),
                page: input.to_string(),
            })
    }

    /// The full path of a page, refusing one outside the catalog root.
    fn page_path(&self, page: &str) -> Result<String, DocsError> {
        let path = child(&self.docs_dir, page);
        if !vfs::is_within(&path, &self.root) || !within_on_disk(&path, &self.root) {
            return Err(DocsError::Escape {
                origin: self.docs_dir.clone(),
                path: page.to_string(),
                root: self.root.clone(),
            });
        }
        Ok(path)
    }

    /// Reads a page's Markdown, cleaned of control characters.
    pub fn read_page(&self, page: &str) -> Result<String, DocsError> {
        let path = self.page_path(page)?;
        read_text(&path)
    }

    /// Where a link written on `from_page` leads: relative links resolve against that page's
    /// folder; `foo/` means `foo/index.md`; `foo.html` means `foo.md`.
    pub fn resolve_link(&self, from_page: &str, href: &str) -> LinkTarget {
        let href = href.trim();
        if href.is_empty() {
            return LinkTarget::Missing(String::new());
        }
        if href.contains("://") || href.starts_with("mailto:") {
            return LinkTarget::External(href.to_string());
        }
        if let Some(anchor) = href.strip_prefix('#') {
            return LinkTarget::Anchor(anchor.to_string());
        }
        let (path, anchor) = match href.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string()).filter(|a| !a.is_empty())),
            None => (href, None),
        };
        let base = match from_page.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{}", path.trim_start_matches('/')),
            None => path.trim_start_matches('/').to_string(),
        };
        let Some(joined) = nav::normalise_rel(&base) else {
            return LinkTarget::Missing(href.to_string());
        };
        let mut candidates = vec![joined.clone()];
        if let Some(stem) = joined.strip_suffix(".html") {
            candidates.push(format!("{stem}.md"));
        }
        let dir = joined.trim_end_matches('/');
        candidates.push(format!("{dir}.md"));
        candidates.push(if dir.is_empty() {
            "index.md".to_string()
        } else {
            format!("{dir}/index.md")
        });
        for c in candidates {
            if self.pages().any(|(_, p)| *p == c) {
                return LinkTarget::Page { page: c, anchor };
            }
        }
        LinkTarget::Missing(joined)
    }
}

/// On disk, also compares the real paths so a symlink inside the root cannot lead out of it.
fn within_on_disk(path: &str, root: &str) -> bool {
    if path.starts_with(vfs::EMBEDDED_PREFIX) {
        return true;
    }
    match (std::fs::canonicalize(path), std::fs::canonicalize(root)) {
        (Ok(p), Ok(r)) => p.starts_with(r),
        // A missing file is reported when it is read.
        _ => true,
    }
}

/// Reads a text file of at most [`MAX_PAGE_BYTES`], as cleaned UTF-8 (invalid bytes replaced).
pub(crate) fn read_text(path: &str) -> Result<String, DocsError> {
    let err = |message: String| DocsError::Read {
        path: path.to_string(),
        message,
    };
    match vfs::size(path) {
        Ok(n) if n > MAX_PAGE_BYTES => {
            return Err(err(format!("over the {MAX_PAGE_BYTES}-byte limit")))
        }
        Err(e) => return Err(err(e.to_string())),
        Ok(_) => {}
    }
    let bytes = vfs::read(path).map_err(|e| err(e.to_string()))?;
    Ok(crate::text::clean_lines(&String::from_utf8_lossy(&bytes)))
}

/// The README fallback: `README.md` beside the entity's catalog file.
fn readme_site(entity: &Entity, root: &str) -> Result<Site, DocsError> {
    let file = entity.origin.path.to_string();
    for name in ["README.md", "readme.md", "Readme.md"] {
        let path = vfs::join(&file, name);
        if vfs::is_within(&path, root) && vfs::size(&path).is_ok() {
            return Ok(Site {
                entity: entity.entity_ref().clone(),
                name: entity.metadata.name.clone(),
                kind: SiteKind::Readme,
                docs_dir: vfs::root_of(&path),
                root: root.to_string(),
                nav: vec![NavEntry {
                    title: "README".into(),
                    depth: 0,
                    target: NavTarget::Page(name.to_string()),
                }],
                warnings: Vec::new(),
            });
        }
    }
    Err(DocsError::NoDocs {
        entity: entity.entity_ref().clone(),
        file,
    })
}

#[cfg(test)]
mod tests;
