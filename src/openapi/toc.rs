//! Tables of contents for AsyncAPI, GraphQL and gRPC definitions, each entry with the line of
//! the raw text it starts on, so a viewer can jump there.

use regex::Regex;
use serde::Serialize;
use serde_json::Value;
use std::sync::LazyLock;

/// Most entries listed; the rest of a huge definition is still in the raw text.
const MAX_ENTRIES: usize = 2_000;

/// One entry of a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// What it is: `channel`, `publish`, `type`, `query`, `service`, `rpc`, `message`, ….
    pub kind: String,
    /// Its name.
    pub name: String,
    /// More about it: an rpc's signature, an operation's summary.
    pub detail: Option<String>,
    /// 0 for top-level entries, 1 for entries inside them.
    pub depth: usize,
    /// The 1-based line of the raw text it starts on (0 when not found).
    pub line: usize,
}

fn entry(kind: &str, name: &str, detail: Option<String>, depth: usize, line: usize) -> TocEntry {
    TocEntry {
        kind: kind.to_string(),
        name: crate::text::one_line(&crate::text::clean(name)),
        detail: detail.map(|d| crate::text::one_line(&crate::text::clean(&d))),
        depth,
        line,
    }
}

/// The first line at or after `from` whose text starts with `key:` (quoted or not).
fn line_of(raw: &str, key: &str, from: usize) -> usize {
    raw.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            [
                format!("{key}:"),
                format!("\"{key}\":"),
                format!("'{key}':"),
            ]
            .iter()
            .any(|k| t.starts_with(k.as_str()))
        })
        .map_or(0, |(i, _)| i + 1)
}

/// Channels and their operations (AsyncAPI 2.x `publish`/`subscribe`; 3.x `operations`).
pub fn asyncapi(doc: &Value, raw: &str) -> Vec<TocEntry> {
    let mut out = Vec::new();
    let channels_line = line_of(raw, "channels", 1);
    if let Some(Value::Object(channels)) = doc.get("channels") {
        for (name, channel) in channels.iter().take(MAX_ENTRIES) {
            let line = line_of(raw, name, channels_line);
            let address = channel
                .get("address")
                .and_then(Value::as_str)
                .map(String::from);
            out.push(entry("channel", name, address, 0, line));
            for action in ["publish", "subscribe"] {
                if let Some(op) = channel.get(action) {
                    let summary = op
                        .get("summary")
                        .or_else(|| op.get("operationId"))
                        .and_then(Value::as_str)
                        .map(String::from);
                    out.push(entry(action, name, summary, 1, line_of(raw, action, line)));
                }
            }
        }
    }
    if let Some(Value::Object(ops)) = doc.get("operations") {
        let ops_line = line_of(raw, "operations", 1);
        for (name, op) in ops.iter().take(MAX_ENTRIES) {
            let action = op
                .get("action")
                .and_then(Value::as_str)
                .unwrap_or("operation");
            let channel = op
                .get("channel")
                .and_then(|c| c.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .map(|c| format!("on {c}"));
            out.push(entry(
                action,
                name,
                channel,
                0,
                line_of(raw, name, ops_line),
            ));
        }
    }
    out
}

static GRAPHQL_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:extend\s+)?(type|input|enum|interface|union|scalar|schema|directive)\b\s*@?(\w*)",
    )
    .expect("static regex")
});
static GRAPHQL_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\w+)\s*(\(|:)").expect("static regex"));

static GRAPHQL_ROOT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(query|mutation|subscription)\s*:\s*(\w+)").expect("static regex")
});

/// The root operation types: from a `schema { query: Root }` block, else the default names.
fn graphql_roots(raw: &str) -> Vec<(String, String)> {
    let mut roots = Vec::new();
    let mut in_schema = false;
    for line in raw.lines() {
        let t = line.trim_start();
        if t.starts_with("schema") && t.contains('{') {
            in_schema = true;
        } else if in_schema && t.starts_with('}') {
            break;
        } else if in_schema {
            if let Some(c) = GRAPHQL_ROOT.captures(line) {
                roots.push((c[2].to_string(), c[1].to_string()));
            }
        }
    }
    if roots.is_empty() {
        for (name, kind) in [
            ("Query", "query"),
            ("Mutation", "mutation"),
            ("Subscription", "subscription"),
        ] {
            roots.push((name.to_string(), kind.to_string()));
        }
    }
    roots
}

/// Type definitions, and the fields of the root query, mutation and subscription types.
pub fn graphql(raw: &str) -> Vec<TocEntry> {
    let roots = graphql_roots(raw);
    let mut out = Vec::new();
    let mut root_type: Option<String> = None;
    let mut in_block = false;
    let mut in_string = false;
    for (i, line) in raw.lines().enumerate() {
        if out.len() >= MAX_ENTRIES {
            break;
        }
        // Skip block strings ("""…""") used as descriptions.
        if line.matches("\"\"\"").count() % 2 == 1 {
            in_string = !in_string;
            continue;
        }
        if in_string || line.trim_start().starts_with('#') {
            continue;
        }
        if !in_block {
            if let Some(c) = GRAPHQL_DEF.captures(line) {
                let kind = &c[1];
                let name = if c[2].is_empty() { kind } else { &c[2] };
                out.push(entry(kind, name, None, 0, i + 1));
                in_block = line.contains('{') && !line.contains('}');
                root_type = roots
                    .iter()
                    .find(|(n, _)| kind == "type" && n == name)
                    .map(|(_, k)| k.clone());
            }
        } else if line.trim_start().starts_with('}') {
            in_block = false;
            root_type = None;
        } else if let (Some(kind), Some(c)) = (&root_type, GRAPHQL_FIELD.captures(line)) {
            let detail = line.trim().to_string();
            out.push(entry(kind, &c[1], Some(detail), 1, i + 1));
        }
    }
    out
}

static PROTO_DEF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*)(package|service|message|enum)\s+([\w.]+)").expect("static regex")
});
static PROTO_RPC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*rpc\s+(\w+)\s*\(\s*(stream\s+)?([\w.]+)\s*\)\s*returns\s*\(\s*(stream\s+)?([\w.]+)\s*\)")
        .expect("static regex")
});

/// Package, services with their rpcs, and top-level messages and enums.
pub fn grpc(raw: &str) -> Vec<TocEntry> {
    let mut out = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        if out.len() >= MAX_ENTRIES {
            break;
        }
        if let Some(c) = PROTO_RPC.captures(line) {
            let stream = |m: Option<regex::Match<'_>>| if m.is_some() { "stream " } else { "" };
            let detail = format!(
                "({}{}) returns ({}{})",
                stream(c.get(2)),
                &c[3],
                stream(c.get(4)),
                &c[5]
            );
            out.push(entry("rpc", &c[1], Some(detail), 1, i + 1));
        } else if let Some(c) = PROTO_DEF.captures(line) {
            // Nested messages and enums are left to the raw text.
            if c[1].is_empty() {
                out.push(entry(&c[2], &c[3], None, 0, i + 1));
            }
        }
    }
    out
}
