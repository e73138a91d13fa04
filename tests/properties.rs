//! Property tests: entity references round-trip through their canonical form, and no query,
//! reference or text cleaning input makes anything panic.

use idp_tui::catalog::EntityRef;
use idp_tui::search::{Query, SearchIndex};
use proptest::prelude::*;

fn part() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][-A-Za-z0-9_.]{0,20}[A-Za-z0-9]"
}

proptest! {
    #[test]
    fn refs_round_trip(kind in "[A-Za-z][A-Za-z0-9]{0,10}", ns in "[a-z0-9]{1,10}", name in part()) {
        let written = format!("{kind}:{ns}/{name}");
        let r = EntityRef::parse(&written, None, "default").unwrap();
        prop_assert_eq!(r.as_str(), written.to_lowercase());
        let again = EntityRef::parse(r.as_str(), None, "default").unwrap();
        prop_assert_eq!(&again, &r);
        let parts = (kind.to_lowercase(), ns.to_lowercase(), name.to_lowercase());
        prop_assert_eq!(
            (again.kind(), again.namespace(), again.name()),
            (parts.0.as_str(), parts.1.as_str(), parts.2.as_str())
        );
    }

    #[test]
    fn ref_parsing_never_panics(s in "\\PC{0,40}") {
        let _ = EntityRef::parse(&s, Some("group"), "default");
        let _ = EntityRef::parse(&s, None, "default");
        let _ = EntityRef::parse_loose(&s);
    }

    #[test]
    fn cleaning_leaves_no_controls(s in "[\\x00-\\x{ff}\\x{202a}-\\x{202e}\\x{200b}a-z]{0,60}") {
        let cleaned = idp_tui::text::clean(&s);
        prop_assert!(!cleaned.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
        let line = idp_tui::text::one_line(&cleaned);
        prop_assert!(!line.chars().any(char::is_control));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn search_never_panics(q in "\\PC{0,30}") {
        thread_local! {
            static INDEX: SearchIndex = SearchIndex::build(
                &idp_tui::source::load_blocking(&[idp_tui::source::SourceSpec::demo()]));
        }
        INDEX.with(|index| {
            let r = index.search(&Query::parse(&q), 20);
            assert!(r.hits.len() <= 20);
        });
    }
}

/// Inputs the fuzzers once crashed on, kept so the fixes stay fixed.
#[test]
fn fuzz_regressions() {
    for entry in std::fs::read_dir("tests/data/fuzz").unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("expr_render") {
            expr_input_is_an_error_not_a_panic(&String::from_utf8_lossy(&bytes), &name);
        }
        if name.starts_with("markdown") {
            markdown_has_no_control_characters(&bytes, &name);
        }
        if name.starts_with("entity_ref") {
            let s = String::from_utf8_lossy(&bytes);
            if let Ok(r) = EntityRef::parse(&s, Some("group"), "default") {
                assert_eq!(
                    EntityRef::parse(r.as_str(), None, "default").unwrap(),
                    r,
                    "{name}"
                );
            }
        }
    }
}

/// The `expr_render` fuzz target's checks: rendering, evaluating and using the text as a
/// condition give results or errors, never a panic.
fn expr_input_is_an_error_not_a_panic(s: &str, name: &str) {
    let expr = idp_tui::expr::Expr::new();
    let context = serde_json::json!({"parameters": {"name": "x"}});
    let _ = expr.render_str(s, &context);
    let evaluated = expr.eval(s, &context);
    if s.contains("}}") {
        let e = evaluated.as_ref().expect_err(name);
        assert!(e.to_string().contains("unexpected `}}`"), "{name}: {e}");
    }
    if name.contains("slow") || name.contains("oom") {
        // Inputs that once took gigabytes or minutes are refused, at once: `*` multiplies
        // numbers only (as in Backstage), and whatever grows a value is bounded.
        let refused = |e: &idp_tui::expr::ExprError| {
            let e = e.to_string();
            e.contains("`*` multiplies numbers only")
                || e.contains("template too expensive")
                || e.contains("more than")
        };
        let e = evaluated.as_ref().expect_err(name);
        assert!(refused(e), "{name}: {e}");
        let rendered = expr.render_str(&format!("${{{{ {s} }}}}"), &context);
        assert!(
            rendered.as_ref().is_err_and(refused),
            "{name}: {rendered:?}"
        );
    }
    let _ = expr.condition(&serde_json::Value::String(s.to_string()), &context);
}

/// The `markdown` fuzz target's checks: the first byte is the width, the rest the page; no
/// rendered span holds a control character (a tab or newline would land raw in a cell).
fn markdown_has_no_control_characters(bytes: &[u8], name: &str) {
    let Some((&first, rest)) = bytes.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let options = idp_tui::markdown::Options {
        width: usize::from(first),
        number_links: first % 2 == 1,
    };
    let doc = idp_tui::markdown::render(&text, &options);
    assert!(!doc.lines.is_empty(), "{name}: the page shows something");
    for line in &doc.lines {
        for span in &line.spans {
            assert!(
                !span.text.chars().any(char::is_control),
                "{name}: control character in {:?}",
                span.text
            );
        }
    }
}
