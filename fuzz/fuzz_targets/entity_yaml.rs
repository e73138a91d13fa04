//! Any bytes as a catalog file: split into documents, parsed, turned into entities, validated
//! and put in a catalog. Nothing may panic.
#![no_main]

use idp_tui::catalog::{Catalog, Entity, Origin};
use idp_tui::source::documents::parse_documents;
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path: Arc<str> = Arc::from("fuzz.yaml");
    let (docs, mut problems) = parse_documents(&path, text);
    let mut entities = Vec::new();
    for d in docs {
        match Entity::from_value(d.value, Origin::new(path.clone(), Some(d.line))) {
            Ok((e, p)) => {
                entities.push(e);
                problems.extend(p);
            }
            Err(p) => problems.push(p),
        }
    }
    let catalog = Catalog::from_entities(entities, problems);
    for p in catalog.problems() {
        let _ = p.to_string();
    }
});
