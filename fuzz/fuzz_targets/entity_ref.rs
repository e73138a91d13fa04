//! Entity reference parsing: never panics, and whatever parses prints back to itself.
#![no_main]

use idp_tui::catalog::EntityRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(r) = EntityRef::parse(s, Some("group"), "default") {
        let again = EntityRef::parse(r.as_str(), None, "default").expect("canonical form parses");
        assert_eq!(again, r);
    }
    let _ = EntityRef::parse_loose(s);
});
