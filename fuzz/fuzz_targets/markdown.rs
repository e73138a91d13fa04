//! Any text as a Markdown page, rendered at a width from the first byte. Nothing may panic, no
//! line is wider than the width (a lone wide character may not fit a very small width), and no
//! control character reaches the model.
#![no_main]

use idp_tui::markdown::{render, slug, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let options = Options {
        width: usize::from(first),
        number_links: first % 2 == 1,
    };
    let doc = render(text, &options);
    for line in &doc.lines {
        for span in &line.spans {
            assert!(
                !span.text.chars().any(|c| c.is_control()),
                "control character in {:?}",
                span.text
            );
        }
    }
    let _ = doc.plain();
    let _ = doc.title();
    let _ = doc.find("a");
    for h in &doc.headings {
        let _ = doc.anchor_line(&slug(&h.text));
    }
});
