use super::*;
use crate::catalog::Catalog;
use crate::source::file::load_all;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/docs-site");

fn fixture() -> Catalog {
    let (entities, problems) = load_all(&[FIXTURE.to_string()]);
    Catalog::from_entities(entities, problems)
}

fn open(catalog: &Catalog, name: &str) -> Result<Site, DocsError> {
    let crate::catalog::Lookup::Found(id) = catalog.lookup(name) else {
        panic!("{name} not in the fixture");
    };
    Site::open(catalog.get(id), FIXTURE)
}

fn titles(site: &Site) -> Vec<(usize, &str)> {
    site.nav
        .iter()
        .map(|e| (e.depth, e.title.as_str()))
        .collect()
}

#[test]
fn mkdocs_nav_is_flattened_with_sections_indented() {
    let site = open(&fixture(), "handbook").unwrap();
    assert_eq!(site.name, "The Handbook");
    assert_eq!(site.kind, SiteKind::MkDocs);
    assert_eq!(
        titles(&site),
        [
            (0, "Home"),
            (0, "Guides"),
            (1, "Setup"),
            (1, "Deploying"),
            (0, "Source")
        ]
    );
    assert_eq!(site.nav[1].target, NavTarget::Section);
    assert_eq!(
        site.nav[4].target,
        NavTarget::External("https://github.com/northwind/handbook".into())
    );
    assert_eq!(site.index_page(), Some("index.md"));
}

#[test]
fn a_nav_entry_climbing_out_of_the_docs_is_skipped_with_a_warning() {
    let site = open(&fixture(), "handbook").unwrap();
    assert!(site.pages().all(|(_, p)| !p.contains("..")));
    assert!(
        site.warnings.iter().any(|w| w.contains("../../secret.md")),
        "{:?}",
        site.warnings
    );
}

#[test]
fn pages_are_read_and_found_by_path_or_title() {
    let site = open(&fixture(), "handbook").unwrap();
    assert!(site
        .read_page("guides/deploy.md")
        .unwrap()
        .contains("Rolling back"));
    assert_eq!(site.find_page("guides/setup").unwrap(), "guides/setup.md");
    assert_eq!(site.find_page("deploying").unwrap(), "guides/deploy.md");
    assert!(matches!(
        site.find_page("nope"),
        Err(DocsError::NoPage { .. })
    ));
}

#[test]
fn relative_links_resolve_between_pages() {
    let site = open(&fixture(), "handbook").unwrap();
    let page = |p: &str, a: Option<&str>| LinkTarget::Page {
        page: p.into(),
        anchor: a.map(String::from),
    };
    assert_eq!(
        site.resolve_link("index.md", "guides/deploy.md#rolling-back"),
        page("guides/deploy.md", Some("rolling-back"))
    );
    assert_eq!(
        site.resolve_link("guides/setup.md", "../index.md"),
        page("index.md", None)
    );
    assert_eq!(
        site.resolve_link("guides/setup.md", "./deploy/"),
        page("guides/deploy.md", None)
    );
    assert_eq!(
        site.resolve_link("guides/deploy.md", "setup.html"),
        page("guides/setup.md", None)
    );
    assert_eq!(
        site.resolve_link("guides/setup.md", "#prerequisites"),
        LinkTarget::Anchor("prerequisites".into())
    );
    assert_eq!(
        site.resolve_link("index.md", "https://x.example/a"),
        LinkTarget::External("https://x.example/a".into())
    );
    assert!(matches!(
        site.resolve_link("guides/setup.md", "nothing.md"),
        LinkTarget::Missing(_)
    ));
}

#[test]
fn a_link_climbing_out_of_the_docs_is_missing_not_followed() {
    let site = open(&fixture(), "handbook").unwrap();
    assert!(matches!(
        site.resolve_link("guides/setup.md", "../../../../etc/passwd"),
        LinkTarget::Missing(_)
    ));
}

#[test]
fn reading_a_page_outside_the_root_is_refused() {
    let site = open(&fixture(), "handbook").unwrap();
    let err = site.read_page("../../Cargo.toml").unwrap_err();
    assert!(matches!(err, DocsError::Escape { .. }), "{err}");
}

#[test]
fn a_techdocs_ref_climbing_out_of_the_catalog_root_is_refused() {
    let err = open(&fixture(), "escaper").unwrap_err();
    assert!(matches!(err, DocsError::Escape { .. }), "{err}");
    assert!(
        err.to_string().contains("outside the catalog root"),
        "{err}"
    );
}

#[test]
fn an_unknown_techdocs_ref_names_the_file_and_value() {
    let err = open(&fixture(), "odd-ref").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DocsError::BadRef { .. }));
    assert!(
        msg.contains("catalog-info.yaml:") && msg.contains("git:somewhere"),
        "{msg}"
    );
}

#[test]
fn a_url_techdocs_ref_says_where_the_docs_are() {
    let err = open(&fixture(), "remote-docs").unwrap_err();
    assert!(
        err.to_string()
            .contains("https://github.com/northwind/remote-docs"),
        "{err}"
    );
}

#[test]
fn a_techdocs_ref_to_a_missing_directory_is_a_read_error() {
    let err = open(&fixture(), "missing-dir").unwrap_err();
    assert!(matches!(err, DocsError::Read { .. }), "{err}");
    assert!(err.to_string().contains("nowhere"), "{err}");
}

#[test]
fn without_techdocs_ref_the_readme_beside_the_catalog_file_is_used() {
    let site = open(&fixture(), "readme-only").unwrap();
    assert_eq!(site.kind, SiteKind::Readme);
    let page = site.index_page().unwrap();
    assert!(site
        .read_page(page)
        .unwrap()
        .contains("without a docs site"));
}

#[test]
fn without_docs_or_readme_the_error_says_so() {
    let catalog = Catalog::from_entities(
        crate::source::file::load_all(&["embedded:org/teams.yaml".into()]).0,
        vec![],
    );
    let id = catalog.ids().next().unwrap();
    let err = Site::open(catalog.get(id), "embedded:").unwrap_err();
    assert!(matches!(err, DocsError::NoDocs { .. }), "{err}");
}

#[test]
fn without_nav_docs_are_listed_index_first_then_by_path() {
    let site = open(&fixture(), "no-nav").unwrap();
    assert_eq!(
        titles(&site),
        [
            (0, "Welcome"),
            (0, "Zebra page"),
            (0, "b plain"),
            (1, "Nested")
        ]
    );
}

#[test]
fn broken_mkdocs_yml_reports_file_and_line() {
    let err = open(&fixture(), "broken-mkdocs").unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, DocsError::Mkdocs { .. }));
    assert!(msg.contains("broken-mkdocs/mkdocs.yml:"), "{msg}");
}

#[test]
fn the_embedded_demo_ledger_writer_has_its_site() {
    let (entities, _) = crate::source::file::load_all(&[crate::vfs::DEMO_ROOT.into()]);
    let catalog = Catalog::from_entities(entities, vec![]);
    let crate::catalog::Lookup::Found(id) = catalog.lookup("ledger-writer") else {
        panic!("demo has ledger-writer");
    };
    let site = Site::open(catalog.get(id), "embedded:").unwrap();
    let pages: Vec<&str> = site.pages().map(|(_, p)| p).collect();
    assert_eq!(pages, ["index.md", "architecture.md", "runbook.md"]);
    assert!(site
        .read_page("runbook.md")
        .unwrap()
        .contains("Hot accounts"));
    assert_eq!(
        site.resolve_link(
            "architecture.md",
            "runbook.md#database-connections-exhausted"
        ),
        LinkTarget::Page {
            page: "runbook.md".into(),
            anchor: Some("database-connections-exhausted".into())
        }
    );
}

#[test]
fn docs_index_finds_page_titles_and_headings() {
    let catalog = fixture();
    let index = DocsIndex::build(&catalog, &[FIXTURE.to_string()]);
    let hits = index.search(&["rolling".into()], 10);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].page, "guides/deploy.md");
    assert_eq!(hits[0].anchor.as_deref(), Some("rolling-back"));
    let hits = index.search(&["setting".into()], 10);
    assert_eq!(hits[0].page_title, "Setup");
    assert!(index.search(&["zzz-nothing".into()], 10).is_empty());
    // The broken sites are reported, not fatal.
    assert!(index.problems.iter().any(|p| p.contains("odd-ref")));
}

#[test]
fn a_page_larger_than_the_string_limit_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    let page: String = (0..5_000)
        .map(|i| format!("## Section {i}\n\nSome text for section {i}.\n\n"))
        .collect();
    assert!(page.len() > crate::text::MAX_TEXT_LEN * 2);
    std::fs::write(dir.path().join("docs/index.md"), &page).unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: big, annotations: {backstage.io/techdocs-ref: 'dir:.'}}\nspec: {type: service, lifecycle: production, owner: a}\n",
    )
    .unwrap();
    let root = dir.path().to_string_lossy().to_string();
    let (entities, _) = load_all(std::slice::from_ref(&root));
    let site = Site::open(&entities[0], &root).unwrap();
    let text = site.read_page("index.md").unwrap();
    assert_eq!(text, page);
    let doc = crate::markdown::render(&text, &crate::markdown::Options::default());
    assert_eq!(doc.headings.len(), 5_000);
    assert_eq!(doc.anchor_line("section-4999").map(|l| l > 0), Some(true));
}
