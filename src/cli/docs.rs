//! `idp-tui docs REF [--page PAGE]`: an entity's TechDocs page rendered as text; without
//! `--page`, the index page followed by the page list.

use super::{load_entity, Settings};
use crate::markdown::{self, Document, LineKind, Options};
use crate::techdocs::{self, LinkTarget, NavTarget, Site};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Arguments of `docs`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entity: `kind:namespace/name`, or just `name` when that is unambiguous.
    pub reference: String,
    /// The page: its path in the site (`runbook.md`, `guides/setup`) or its title.
    #[arg(long, value_name = "PAGE")]
    pub page: Option<String>,
    /// Wrap to this many columns (default: the terminal's width, or 80).
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,
    /// Only list the pages.
    #[arg(long)]
    pub list: bool,
}

/// Runs `docs`.
pub fn run(settings: &Settings, args: &Args) -> color_eyre::Result<ExitCode> {
    let (catalog, id) = match load_entity(settings, &args.reference) {
        Ok(found) => found,
        Err(code) => return Ok(code),
    };
    let entity = catalog.get(id);
    if let Some(source) = crate::source::backstage_origin(&settings.sources, entity) {
        if !settings.offline {
            return super::docs_remote::run(source, entity, args);
        }
    }
    let root = techdocs::root_for(entity, &techdocs::roots(&settings.sources));
    let site = match Site::open(entity, &root) {
        Ok(site) => site,
        Err(e) => {
            tell!("idp-tui: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    for w in &site.warnings {
        tell!("idp-tui: {}: {w}", site.name);
    }
    if args.list {
        print_pages(&site);
        return Ok(ExitCode::SUCCESS);
    }
    let page = match &args.page {
        Some(p) => match site.find_page(p) {
            Ok(page) => page.to_string(),
            Err(e) => {
                tell!("idp-tui: {e}; its pages:");
                for (nav, page) in site.pages() {
                    tell!("  {page}  ({})", nav.title);
                }
                return Ok(ExitCode::from(2));
            }
        },
        None => match site.index_page() {
            Some(p) => p.to_string(),
            None => return Ok(ExitCode::from(1)),
        },
    };
    let text = match site.read_page(&page) {
        Ok(t) => t,
        Err(e) => {
            tell!("idp-tui: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let tty = std::io::stdout().is_terminal();
    let width = args.width.unwrap_or_else(|| {
        if tty {
            crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w))
        } else {
            80
        }
    });
    let doc = markdown::render(
        &text,
        &Options {
            width,
            number_links: true,
        },
    );
    print_document(&doc, tty);
    print_links(&site, &page, &doc);
    if args.page.is_none() {
        say!();
        print_pages(&site);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the lines, with bold/italic/underline on a terminal (attributes only, so it reads
/// the same under `NO_COLOR`).
fn print_document(doc: &Document, tty: bool) {
    use crossterm::style::{Attribute, Stylize};
    for line in &doc.lines {
        if !tty {
            say!("{}", line.text().trim_end());
            continue;
        }
        let mut out = String::new();
        for span in &line.spans {
            let s = &span.style;
            let mut styled = span.text.as_str().stylize();
            if s.strong || s.heading.is_some() {
                styled = styled.attribute(Attribute::Bold);
            }
            if s.emphasis || s.image {
                styled = styled.attribute(Attribute::Italic);
            }
            if s.link || matches!(line.kind, LineKind::Heading(1)) {
                styled = styled.attribute(Attribute::Underlined);
            }
            if s.strike {
                styled = styled.attribute(Attribute::CrossedOut);
            }
            if s.marker || s.code {
                styled = styled.attribute(Attribute::Dim);
            }
            out.push_str(&styled.to_string());
        }
        say!("{out}");
    }
}

/// The numbered links below the page, relative ones resolved to pages of the site.
fn print_links(site: &Site, page: &str, doc: &Document) {
    if doc.links.is_empty() {
        return;
    }
    say!("\nLinks:");
    for (i, link) in doc.links.iter().enumerate() {
        let target = match site.resolve_link(page, &link.url) {
            LinkTarget::Page { page, anchor } => match anchor {
                Some(a) => format!("page {page}#{a}"),
                None => format!("page {page}"),
            },
            LinkTarget::Anchor(a) => format!("#{a} on this page"),
            LinkTarget::External(url) => url,
            LinkTarget::Missing(p) => format!("{p} (not a page of this site)"),
        };
        say!("  [{}] {target}", i + 1);
    }
}

fn print_pages(site: &Site) {
    say!("Pages of {} ({}):", site.name, site.entity);
    for entry in &site.nav {
        let indent = "  ".repeat(entry.depth + 1);
        match &entry.target {
            NavTarget::Page(p) => say!("{indent}{}  ({p})", entry.title),
            NavTarget::Section => say!("{indent}{}/", entry.title),
            NavTarget::External(url) => say!("{indent}{}  <{url}>", entry.title),
        }
    }
}
