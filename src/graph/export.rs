//! A [`Tree`] as text other tools read: an indented tree with box-drawing characters, JSON,
//! Graphviz DOT and Mermaid.

use super::{Mark, Tree};
use crate::catalog::{Catalog, EntityRef, RelationType, Target};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The note shown after a node's reference for how the node ended (empty when expanded).
pub fn mark_note(mark: Mark) -> &'static str {
    match mark {
        Mark::Expanded => "",
        Mark::Missing => "[missing: not in the catalog]",
        Mark::Seen => "(repeated: expanded elsewhere)",
        Mark::Cycle => "↺ cycle back-edge",
        Mark::DepthLimit => "… (cut at the depth limit)",
    }
}

/// The tree as indented text, one node a line, with `├──`, `└──` and `│` guides.
pub fn to_text(catalog: &Catalog, tree: &Tree) -> String {
    let mut out = String::new();
    // (node, the guide prefix of its children, whether it is its parent's last child)
    let mut stack: Vec<(usize, String, bool)> = vec![(0, String::new(), true)];
    while let Some((i, prefix, last)) = stack.pop() {
        let node = &tree.nodes[i];
        let reference = catalog.target_ref(&node.target);
        let note = mark_note(node.mark);
        let child_prefix = match node.parent {
            None => {
                let _ = write!(out, "{reference}");
                String::new()
            }
            Some(_) => {
                let branch = if last { "└── " } else { "├── " };
                let relation = node.relation.map(RelationType::as_str).unwrap_or_default();
                let _ = write!(out, "{prefix}{branch}{relation} {reference}");
                format!("{prefix}{}", if last { "    " } else { "│   " })
            }
        };
        if !note.is_empty() {
            let _ = write!(out, "  {note}");
        }
        out.push('\n');
        let count = node.children.len();
        for (k, child) in node.children.clone().enumerate().rev() {
            stack.push((child, child_prefix.clone(), k + 1 == count));
        }
    }
    out
}

/// The tree as JSON: `{ref, relation, missing?, cycle?, seen?, truncated?, children[]}` per
/// node (the root's relation is `null`).
pub fn to_json(catalog: &Catalog, tree: &Tree) -> Value {
    // Children always come after their parent, so building from the end up needs no recursion.
    let mut built: Vec<Option<Value>> = vec![None; tree.nodes.len()];
    for i in (0..tree.nodes.len()).rev() {
        let node = &tree.nodes[i];
        let children: Vec<Value> = node
            .children
            .clone()
            .filter_map(|c| built[c].take())
            .collect();
        let mut v = json!({
            "ref": catalog.target_ref(&node.target),
            "relation": node.relation,
        });
        match node.mark {
            Mark::Expanded => {}
            Mark::Missing => v["missing"] = true.into(),
            Mark::Cycle => v["cycle"] = true.into(),
            Mark::Seen => v["seen"] = true.into(),
            Mark::DepthLimit => v["truncated"] = true.into(),
        }
        v["children"] = children.into();
        built[i] = Some(v);
    }
    built[0].take().unwrap_or(Value::Null)
}

/// One distinct edge of a tree, for the graph formats.
struct GraphEdge<'a> {
    from: &'a EntityRef,
    to: &'a EntityRef,
    relation: RelationType,
    cycle: bool,
}

/// The distinct nodes (with whether they are missing) and edges of a tree, in tree order.
fn graph_of<'a>(
    catalog: &'a Catalog,
    tree: &'a Tree,
) -> (Vec<(&'a EntityRef, bool)>, Vec<GraphEdge<'a>>) {
    let mut nodes = Vec::new();
    let mut seen_nodes = HashSet::new();
    let mut edges = Vec::new();
    let mut seen_edges = HashSet::new();
    for node in &tree.nodes {
        let reference = catalog.target_ref(&node.target);
        if seen_nodes.insert(reference) {
            nodes.push((reference, matches!(node.target, Target::Missing(_))));
        }
        let (Some(parent), Some(relation)) = (node.parent, node.relation) else {
            continue;
        };
        let from = catalog.target_ref(&tree.nodes[parent].target);
        if seen_edges.insert((from, reference, relation)) {
            edges.push(GraphEdge {
                from,
                to: reference,
                relation,
                cycle: node.mark == Mark::Cycle,
            });
        }
    }
    (nodes, edges)
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The tree as a Graphviz DOT digraph: missing entities dashed, cycle edges red.
pub fn to_dot(catalog: &Catalog, tree: &Tree) -> String {
    let (nodes, edges) = graph_of(catalog, tree);
    let mut out = String::from("digraph deps {\n  rankdir=LR;\n  node [shape=box];\n");
    for (reference, missing) in nodes {
        let style = if missing { " [style=dashed]" } else { "" };
        let _ = writeln!(out, "  {}{style};", dot_quote(reference.as_str()));
    }
    for e in edges {
        let extra = if e.cycle { ", color=red" } else { "" };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{extra}];",
            dot_quote(e.from.as_str()),
            dot_quote(e.to.as_str()),
            dot_quote(e.relation.as_str())
        );
    }
    out.push_str("}\n");
    out
}

/// The tree as a Mermaid flowchart: missing entities and cycle edges drawn dotted.
pub fn to_mermaid(catalog: &Catalog, tree: &Tree) -> String {
    let (nodes, edges) = graph_of(catalog, tree);
    let mut ids: HashMap<&EntityRef, usize> = HashMap::new();
    let mut out = String::from("graph LR\n");
    for (k, (reference, missing)) in nodes.into_iter().enumerate() {
        ids.insert(reference, k);
        let label = reference.as_str().replace('"', "#quot;");
        let label = if missing {
            format!("{label} (missing)")
        } else {
            label
        };
        let _ = writeln!(out, "  n{k}[\"{label}\"]");
    }
    for e in edges {
        let (Some(a), Some(b)) = (ids.get(e.from), ids.get(e.to)) else {
            continue;
        };
        let arrow = if e.cycle { "-.->" } else { "-->" };
        let label = if e.cycle {
            format!("{} (cycle)", e.relation)
        } else {
            e.relation.to_string()
        };
        let _ = writeln!(out, "  n{a} {arrow}|{label}| n{b}");
    }
    out
}
