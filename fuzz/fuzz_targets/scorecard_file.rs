//! Any text as a scorecard file: parsed, then every card it yields is evaluated over the demo
//! catalog. Nothing may panic, and every error prints.
#![no_main]

use idp_tui::catalog::Catalog;
use idp_tui::scorecard::{parse_file, Date, Report};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CATALOG: OnceLock<Catalog> = OnceLock::new();

fuzz_target!(|s: &str| {
    let catalog = CATALOG.get_or_init(|| {
        idp_tui::source::load_blocking(&[idp_tui::source::SourceSpec::demo()])
    });
    let (cards, errors) = parse_file("fuzz.yaml", s);
    for e in &errors {
        let _ = e.to_string();
    }
    let today = Date::new(2026, 6, 15).expect("valid date");
    for card in &cards {
        let report = Report::build(card, catalog, today);
        let _ = report.distribution(card);
        let _ = report.by_owner(card, catalog);
    }
});
