//! Any text as a `${{ }}` template, an expression and a step condition, over a small
//! Backstage-like context. Nothing may panic; errors print; no rendered text is longer than
//! the limit (`idp_tui::expr::MAX_TEXT`). Run it with `-rss_limit_mb=2048`: the limits must keep
//! every input far below that.
#![no_main]

use idp_tui::expr::Expr;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use std::sync::OnceLock;

static ENGINE: OnceLock<(Expr, Value)> = OnceLock::new();

fuzz_target!(|s: &str| {
    let (expr, context) = ENGINE.get_or_init(|| {
        let context = json!({
            "parameters": {
                "name": "ledger",
                "port": 8080,
                "repoUrl": "github.com?owner=northwind&repo=ledger",
                "owner": "group:default/payments",
                "tags": ["a", "b"],
                "nested": {"x": null, "y": [1, 2, 3]}
            },
            "steps": {"fetch": {"output": {"remoteUrl": "https://example.com"}}},
            "user": {"entity": {"metadata": {"name": "ada"}}}
        });
        (Expr::new(), context)
    });
    match expr.render_str(s, context) {
        Ok(text) => assert!(text.len() <= idp_tui::expr::MAX_TEXT),
        Err(e) => {
            let _ = e.to_string();
        }
    }
    if let Err(e) = expr.eval(s, context) {
        let _ = e.to_string();
    }
    let _ = expr.condition(&Value::String(s.to_string()), context);
    let _ = expr.render_value(&json!({"a": s, "b": [s]}), context);
});
