use super::*;

fn doc(md: &str, width: usize) -> Document {
    render(
        md,
        &Options {
            width,
            number_links: false,
        },
    )
}

fn texts(d: &Document) -> Vec<String> {
    d.lines
        .iter()
        .map(|l| l.text().trim_end().to_string())
        .collect()
}

fn span_with<'a>(d: &'a Document, text: &str) -> &'a Span {
    d.lines
        .iter()
        .flat_map(|l| &l.spans)
        .find(|s| s.text.contains(text))
        .unwrap_or_else(|| panic!("no span containing {text:?} in {:#?}", d.lines))
}

#[test]
fn headings_are_styled_underlined_and_anchored() {
    let d = doc("# Ledger writer\n\ntext\n\n## Hot accounts\n\n### Deep", 80);
    assert_eq!(
        texts(&d),
        [
            "Ledger writer",
            "═════════════",
            "",
            "text",
            "",
            "Hot accounts",
            "────────────",
            "",
            "Deep"
        ]
    );
    assert_eq!(d.lines[0].kind, LineKind::Heading(1));
    assert_eq!(d.lines[8].kind, LineKind::Heading(3));
    assert_eq!(d.title(), Some("Ledger writer"));
    assert_eq!(d.anchor_line("#hot-accounts"), Some(5));
    assert_eq!(d.headings.len(), 3);
}

#[test]
fn emphasis_strong_strike_and_code_keep_their_style() {
    let d = doc("a *soft* **loud** ~~gone~~ `code` end", 80);
    assert_eq!(texts(&d), ["a soft loud gone code end"]);
    assert!(span_with(&d, "soft").style.emphasis);
    assert!(span_with(&d, "loud").style.strong);
    assert!(span_with(&d, "gone").style.strike);
    assert!(span_with(&d, "code").style.code);
    assert!(!span_with(&d, "end").style.strong);
}

#[test]
fn paragraphs_wrap_to_the_width_by_words() {
    let d = doc(
        "one two three four five six seven eight nine ten eleven",
        20,
    );
    for l in &d.lines {
        assert!(l.width() <= 20, "{:?}", l.text());
    }
    assert_eq!(texts(&d)[0], "one two three four");
    assert_eq!(
        texts(&d).join(" "),
        "one two three four five six seven eight nine ten eleven"
    );
}

#[test]
fn a_word_longer_than_the_line_is_cut_not_overflowing() {
    let long = "x".repeat(55);
    let d = doc(&long, 20);
    assert_eq!(d.lines.len(), 3);
    assert!(d.lines.iter().all(|l| l.width() <= 20));
}

#[test]
fn wide_characters_wrap_by_display_width() {
    let d = doc(&"日本語 ".repeat(10), 20);
    assert!(d.lines.iter().all(|l| l.width() <= 20), "{:?}", texts(&d));
    assert!(d.lines.len() > 1);
}

#[test]
fn punctuation_after_styled_text_stays_on_its_word() {
    let d = doc("aaaa bbbb **cccc**, dddd", 20);
    assert!(
        texts(&d).iter().any(|l| l.contains("cccc,")),
        "{:?}",
        texts(&d)
    );
}

#[test]
fn nested_and_ordered_lists_indent_and_number() {
    let d = doc(
        "- apple\n- banana\n  - inner one\n  - inner two\n- cherry\n\n3. third\n4. fourth\n",
        80,
    );
    assert_eq!(
        texts(&d),
        [
            "• apple",
            "• banana",
            "  ◦ inner one",
            "  ◦ inner two",
            "• cherry",
            "",
            "3. third",
            "4. fourth"
        ]
    );
    assert!(span_with(&d, "• ").style.marker);
}

#[test]
fn list_item_continuation_lines_align_under_the_text() {
    let d = doc("1. alpha beta gamma delta epsilon zeta", 20);
    let t = texts(&d);
    assert!(t[0].starts_with("1. alpha"));
    assert!(
        t[1].starts_with("   ") && !t[1].starts_with("    "),
        "{t:?}"
    );
}

#[test]
fn task_list_items_show_their_state() {
    let d = doc("- [x] done\n- [ ] todo", 80);
    assert_eq!(texts(&d), ["• [x] done", "• [ ] todo"]);
}

#[test]
fn block_quotes_get_a_bar_on_every_line() {
    let d = doc(
        "> The ledger is append-only. Mistakes are corrected with a reversing entry.\n>\n> Second.",
        30,
    );
    let t = texts(&d);
    assert!(t.iter().all(|l| l.starts_with('│')), "{t:?}");
    assert!(t.len() >= 4);
    assert!(span_with(&d, "ledger").style.quote);
    let d = doc("before\n\n> quoted", 30);
    assert_eq!(
        texts(&d),
        ["before", "", "│ quoted"],
        "the gap before a quote has no bar"
    );
}

#[test]
fn tables_align_columns_by_display_width() {
    let d = doc(
        "| Name | Size |\n|---|--:|\n| 日本 | 1 |\n| ledger-db | 200 |\n",
        80,
    );
    let t = texts(&d);
    assert_eq!(t[0], "Name      │ Size");
    assert_eq!(t[1], "──────────┼─────");
    assert_eq!(t[2], "日本      │    1");
    assert_eq!(t[3], "ledger-db │  200");
    assert!(d.lines.iter().all(|l| l.kind == LineKind::Table));
    assert!(span_with(&d, "Name").style.strong);
}

#[test]
fn a_table_wider_than_the_screen_wraps_inside_its_cells() {
    let row = "| short | a long cell that goes on and on and on about nothing at all |";
    let d = doc(&format!("| a | b |\n|---|---|\n{row}\n"), 40);
    assert!(d.lines.iter().all(|l| l.width() <= 40), "{:?}", texts(&d));
    assert!(d.lines.len() > 3);
}

#[test]
fn a_header_of_empty_cells_is_left_out() {
    let d = doc("| | |\n|---|---|\n| Owner | Ledger Team |\n", 80);
    assert_eq!(texts(&d), ["Owner │ Ledger Team"]);
}

#[test]
fn fenced_code_keeps_its_lines_and_spacing() {
    let d = doc("```sql\nSELECT a,\n       b\t-- tab\nFROM t;\n```\n", 20);
    assert_eq!(
        texts(&d),
        ["    SELECT a,", "           b    -- tab", "    FROM t;"]
    );
    assert!(d.lines.iter().all(|l| l.kind == LineKind::Code));
    assert!(span_with(&d, "SELECT").style.code);
}

#[test]
fn links_keep_text_and_target() {
    let d = doc(
        "See the [runbook](runbook.md#hot-accounts) and <https://x.example>.",
        80,
    );
    assert_eq!(d.links.len(), 2);
    assert_eq!(d.links[0].text, "runbook");
    assert_eq!(d.links[0].url, "runbook.md#hot-accounts");
    assert_eq!(d.links[0].line, Some(0));
    let span = span_with(&d, "runbook");
    assert!(span.style.link);
    assert_eq!(span.link, Some(0));
    assert_eq!(d.links[1].url, "https://x.example");
}

#[test]
fn numbered_links_for_plain_output() {
    let d = render(
        "[a](https://a.example) and [b](b.md)",
        &Options {
            width: 80,
            number_links: true,
        },
    );
    assert_eq!(texts(&d), ["a[1] and b[2]"]);
}

#[test]
fn images_show_their_alt_text() {
    let d = doc(
        "![The write path](images/write-path.svg) and ![](x.png)",
        80,
    );
    assert_eq!(texts(&d), ["[image: The write path] and [image]"]);
    assert!(span_with(&d, "write path").style.image);
}

#[test]
fn horizontal_rules_span_the_width() {
    let d = doc("above\n\n---\n\nbelow", 30);
    assert_eq!(
        texts(&d),
        ["above", "", "─".repeat(30).as_str(), "", "below"]
    );
    assert_eq!(d.lines[2].kind, LineKind::Rule);
}

#[test]
fn escape_sequences_in_markdown_never_reach_the_model() {
    let md = "# Title\u{1b}]0;pwned\u{7}\n\ntext \u{1b}[31mred\u{1b}[0m\n\n```\ncode\u{1b}[2J\n```\n\n| a\u{9b}1m |\n|---|\n| b |\n\n[x](http://e\u{1b}[1m.example)";
    let d = doc(md, 80);
    for l in &d.lines {
        for s in &l.spans {
            assert!(!s.text.chars().any(|c| c.is_control()), "{:?}", s.text);
        }
    }
    assert!(d.links.iter().all(|l| !l.url.chars().any(char::is_control)));
    assert_eq!(d.title(), Some("Title"));
}

#[test]
fn empty_and_odd_input_does_not_panic() {
    assert!(doc("", 80).lines.is_empty());
    for md in [
        "-",
        ">",
        "|",
        "```",
        "- \n  - \n",
        "[](",
        "<div>",
        &"*".repeat(10_000),
        &"> ".repeat(500),
        &"- ".repeat(500),
    ] {
        let d = doc(md, 20);
        for l in &d.lines {
            let _ = l.text();
        }
    }
}

#[test]
fn html_comments_are_dropped_and_other_html_shown_as_text() {
    let d = doc("<!-- hidden -->\n\ntext\n\n<div>shown</div>\n", 80);
    assert_eq!(texts(&d), ["text", "", "<div>shown</div>"]);
}

#[test]
fn find_matches_lines_ignoring_case() {
    let d = doc("Alpha\n\nbeta ALPHA\n\ngamma", 80);
    assert_eq!(d.find("alpha"), [0, 2]);
    assert!(d.find("").is_empty());
}

#[test]
fn slugs_follow_mkdocs() {
    assert_eq!(
        slug("Database connections exhausted"),
        "database-connections-exhausted"
    );
    assert_eq!(slug("  What's new?  "), "whats-new");
    assert_eq!(slug("a - b"), "a-b");
}

#[test]
fn tabs_in_text_and_html_become_spaces_not_raw_cells() {
    let doc = render("a\tb\n\n<div>\tx\ty</div>\n", &Options::default());
    let all: String = doc
        .lines
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.text.clone()))
        .collect();
    assert!(!all.contains('\t'), "{all:?}");
    assert!(all.contains("a    b"), "{all:?}");
}
