//! Test helpers: load the YAML fixtures in `tests/data/` and the embedded demo catalog.

use crate::catalog::{Catalog, EntityId, Lookup};
use crate::source::{self, SourceSpec};

/// Loads `tests/data/<name>` into a catalog.
pub(crate) fn fixture(name: &str) -> Catalog {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    assert!(std::path::Path::new(&path).exists(), "no fixture {path}");
    source::load_blocking(&[SourceSpec::Files {
        name: "test".into(),
        paths: vec![path],
    }])
}

/// Loads the embedded Northwind demo catalog.
pub(crate) fn demo() -> Catalog {
    source::load_blocking(&[SourceSpec::demo()])
}

/// The id of the one entity a person would call `name`; panics when there is not exactly one.
pub(crate) fn id(catalog: &Catalog, name: &str) -> EntityId {
    match catalog.lookup(name) {
        Lookup::Found(id) => id,
        other => panic!("{name}: {other:?}"),
    }
}
