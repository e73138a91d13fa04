//! Search queries over the demo catalog: never panic, never more hits than asked for.
#![no_main]

use idp_tui::search::{Query, SearchIndex};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static INDEX: OnceLock<SearchIndex> = OnceLock::new();

fuzz_target!(|s: &str| {
    let index = INDEX.get_or_init(|| {
        SearchIndex::build(&idp_tui::source::load_blocking(&[idp_tui::source::SourceSpec::demo()]))
    });
    let r = index.search(&Query::parse(s), 10);
    assert!(r.hits.len() <= 10);
});
