//! Marks the repeated edges of a tree that close a cycle.
//!
//! A tree expands each entity once, so every cycle among its entities has at least one edge
//! that is a repeat (a [`Mark::Seen`] leaf): the expansion itself is acyclic. A repeat whose
//! target lies in the same strongly connected component as its parent is on a cycle, and is
//! re-marked [`Mark::Cycle`]. Components come from Tarjan's algorithm, run iteratively over
//! the tree's own nodes, so the cost is the tree's size and deep graphs cannot overflow the
//! stack.

use super::{Mark, Tree};
use crate::catalog::Target;

const UNSET: usize = usize::MAX;

/// Re-marks every [`Mark::Seen`] node whose edge closes a cycle as [`Mark::Cycle`].
pub(super) fn mark_cycles(tree: &mut Tree) {
    let n = tree.nodes.len();
    // The vertex of a node: the node that expands its entity (itself when it is that node).
    let vertex = |tree: &Tree, node: usize| match tree.nodes[node].target {
        Target::Resolved(id) => tree.expanded.get(&id).copied(),
        Target::Missing(_) => None,
    };
    let mut index = vec![UNSET; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut component = vec![UNSET; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut calls: Vec<(usize, usize)> = vec![(0, 0)];
    let mut next = 0usize;
    let mut components = 0usize;
    index[0] = next;
    low[0] = next;
    next += 1;
    stack.push(0);
    on_stack[0] = true;
    while let Some(&(v, pos)) = calls.last() {
        if let Some(child) = tree.nodes[v].children.clone().nth(pos) {
            if let Some(last) = calls.last_mut() {
                last.1 += 1;
            }
            let Some(w) = vertex(tree, child) else {
                continue;
            };
            if index[w] == UNSET {
                index[w] = next;
                low[w] = next;
                next += 1;
                stack.push(w);
                on_stack[w] = true;
                calls.push((w, 0));
            } else if on_stack[w] {
                low[v] = low[v].min(index[w]);
            }
            continue;
        }
        calls.pop();
        if let Some(&(parent, _)) = calls.last() {
            low[parent] = low[parent].min(low[v]);
        }
        if low[v] == index[v] {
            while let Some(w) = stack.pop() {
                on_stack[w] = false;
                component[w] = components;
                if w == v {
                    break;
                }
            }
            components += 1;
        }
    }
    for node in 0..n {
        if tree.nodes[node].mark != Mark::Seen {
            continue;
        }
        let (Some(parent), Some(w)) = (tree.nodes[node].parent, vertex(tree, node)) else {
            continue;
        };
        if component[w] != UNSET && component[w] == component[parent] {
            tree.nodes[node].mark = Mark::Cycle;
        }
    }
}
