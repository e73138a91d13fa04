//! Dependency trees over the catalog's relations: what an entity needs (forward), what needs
//! it (reverse, the blast radius), and the domain → system → component structure.
//!
//! A [`Tree`] is built breadth first from one entity by walking edges only, so its cost is the
//! size of the tree, not of the catalog. Every entity is expanded once, at the shallowest depth
//! it is reached; later occurrences are kept as leaves marked [`Mark::Seen`], or
//! [`Mark::Cycle`] when the edge closes a cycle. Unresolved references are [`Mark::Missing`]
//! leaves, and entities at the depth limit whose edges were cut are [`Mark::DepthLimit`].

mod cycles;
pub mod export;
mod impact;

pub use impact::{impact, AffectedOwner, Impact};

use crate::catalog::{Catalog, EntityId, EntityRef, RelationType, Target};
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by entity id with a cheap hash: ids are small dense integers, so SipHash's
/// protection against chosen keys buys nothing and costs a third of a tree's build time.
pub(crate) type IdMap<V> = HashMap<EntityId, V, BuildHasherDefault<IdHasher>>;

/// Hashes an [`EntityId`] by multiplying it with a large odd constant (Fibonacci hashing).
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (u64::from(n) ^ self.0).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The depth a tree is cut at unless asked otherwise.
pub const DEFAULT_DEPTH: usize = 5;

/// Which way a tree follows relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// What the entity needs: `dependsOn`, `consumesApi`, and each API's providers.
    Forward,
    /// What needs the entity: `dependencyOf`, `providesApi`, and each API's consumers.
    Reverse,
    /// What the entity is made of: `hasPart` (domain → subdomains and systems → components,
    /// APIs and resources → subcomponents).
    Structure,
}

impl Direction {
    /// The relations followed from every node, in the order children are listed.
    pub fn relations(self) -> &'static [RelationType] {
        match self {
            Self::Forward => &[
                RelationType::DependsOn,
                RelationType::ConsumesApi,
                RelationType::ApiProvidedBy,
            ],
            Self::Reverse => &[
                RelationType::DependencyOf,
                RelationType::ProvidesApi,
                RelationType::ApiConsumedBy,
            ],
            Self::Structure => &[RelationType::HasPart],
        }
    }

    /// The other of forward and reverse (structure stays structure).
    pub fn flipped(self) -> Self {
        match self {
            Self::Forward => Self::Reverse,
            Self::Reverse => Self::Forward,
            Self::Structure => Self::Structure,
        }
    }
}

/// How a node in a tree ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// The entity is expanded here (its children, if any, follow).
    Expanded,
    /// The reference resolves to nothing in the catalog.
    Missing,
    /// The entity is expanded elsewhere in the tree, at the same or a shallower depth.
    Seen,
    /// The edge closes a cycle: the entity is expanded elsewhere and leads back here.
    Cycle,
    /// The entity has further edges, cut by the depth limit.
    DepthLimit,
}

/// One node of a [`Tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The entity (or the unresolved reference) at this node.
    pub target: Target,
    /// The relation from the parent to this node; `None` for the root.
    pub relation: Option<RelationType>,
    /// Levels below the root (the root is 0).
    pub depth: usize,
    /// The parent node's index; `None` for the root.
    pub parent: Option<usize>,
    /// Child node indices, in display order. Breadth-first building gives a node's children
    /// consecutive indices, so a range holds them without a list per node.
    pub children: std::ops::Range<usize>,
    /// How the node ended.
    pub mark: Mark,
}

/// A tree of relations from one entity, stored as a flat list of nodes (the root is node 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Which relations the tree follows.
    pub direction: Direction,
    /// The depth it was cut at.
    pub depth_limit: usize,
    /// The nodes; `nodes[0]` is the root.
    pub nodes: Vec<Node>,
    root: EntityId,
    /// Every distinct entity in the tree with the node that expands it (the root included).
    expanded: IdMap<usize>,
}

impl Tree {
    /// The root entity.
    pub fn root(&self) -> EntityId {
        self.root
    }

    /// The number of distinct entities in the tree besides the root: the blast radius of a
    /// reverse tree.
    pub fn size(&self) -> usize {
        self.expanded.len() - 1
    }

    /// Distinct entities in the tree besides the root, in breadth-first order.
    pub fn entities(&self) -> Vec<EntityId> {
        let mut out: Vec<(usize, EntityId)> = self
            .expanded
            .iter()
            .filter(|(_, &node)| node != 0)
            .map(|(&id, &node)| (node, id))
            .collect();
        out.sort_unstable();
        out.into_iter().map(|(_, id)| id).collect()
    }

    /// Distinct unresolved references in the tree.
    pub fn missing(&self) -> Vec<&EntityRef> {
        let mut seen = HashSet::new();
        self.nodes
            .iter()
            .filter_map(|n| match &n.target {
                Target::Missing(r) if seen.insert(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// The number of nodes whose further edges the depth limit cut.
    pub fn truncated(&self) -> usize {
        self.count(Mark::DepthLimit)
    }

    /// The number of edges marked as closing a cycle.
    pub fn cycles(&self) -> usize {
        self.count(Mark::Cycle)
    }

    fn count(&self, mark: Mark) -> usize {
        self.nodes.iter().filter(|n| n.mark == mark).count()
    }

    /// The node that expands an entity, if the entity is in the tree.
    pub fn node_of(&self, id: EntityId) -> Option<usize> {
        self.expanded.get(&id).copied()
    }
}

/// The forward dependency tree of an entity: what it needs, down to `depth` levels.
pub fn forward(catalog: &Catalog, root: EntityId, depth: usize) -> Tree {
    build(catalog, root, Direction::Forward, depth)
}

/// The reverse dependency tree of an entity: what needs it, down to `depth` levels.
pub fn reverse(catalog: &Catalog, root: EntityId, depth: usize) -> Tree {
    build(catalog, root, Direction::Reverse, depth)
}

/// The structure below a domain, system or component (`hasPart`), down to `depth` levels.
pub fn structure(catalog: &Catalog, root: EntityId, depth: usize) -> Tree {
    build(catalog, root, Direction::Structure, depth)
}

/// Where a structure overview starts: domains that are not a subdomain of another domain in
/// the catalog, then systems in no domain, each sorted by reference. Walks the whole catalog.
pub fn structure_roots(catalog: &Catalog) -> Vec<EntityId> {
    let top = |kind: &str, parent_kind: &str| {
        let mut ids: Vec<EntityId> = catalog
            .ids()
            .filter(|&id| catalog.get(id).kind_lower() == kind)
            .filter(|&id| {
                !catalog
                    .related(id, RelationType::PartOf)
                    .any(|p| catalog.get(p).kind_lower() == parent_kind)
            })
            .collect();
        ids.sort_by(|a, b| {
            catalog
                .get(*a)
                .entity_ref()
                .cmp(catalog.get(*b).entity_ref())
        });
        ids
    };
    let mut roots = top("domain", "domain");
    roots.extend(top("system", "domain"));
    roots
}

/// Builds a tree breadth first, expanding each entity once at its shallowest depth.
pub fn build(catalog: &Catalog, root: EntityId, direction: Direction, depth: usize) -> Tree {
    let relations = direction.relations();
    let mut tree = Tree {
        direction,
        depth_limit: depth,
        nodes: vec![Node {
            target: Target::Resolved(root),
            relation: None,
            depth: 0,
            parent: None,
            children: 0..0,
            mark: Mark::Expanded,
        }],
        root,
        expanded: IdMap::default(),
    };
    tree.expanded.insert(root, 0);
    let mut queue = VecDeque::from([0usize]);
    let mut edges: Vec<(usize, RelationType, Target)> = Vec::new();
    let order = catalog.ref_order();
    while let Some(i) = queue.pop_front() {
        let Target::Resolved(id) = tree.nodes[i].target else {
            continue;
        };
        edges.clear();
        edges.extend(catalog.edges(id).filter_map(|e| {
            let rank = relations.iter().position(|r| *r == e.relation)?;
            Some((rank, e.relation, e.target))
        }));
        if edges.is_empty() {
            continue;
        }
        let child_depth = tree.nodes[i].depth + 1;
        if child_depth > depth {
            tree.nodes[i].mark = Mark::DepthLimit;
            continue;
        }
        // Children are listed by relation, then by reference: two resolved targets compare by
        // their rank in reference order (the same order, without comparing strings).
        edges.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| match (&a.2, &b.2) {
                (Target::Resolved(x), Target::Resolved(y)) => {
                    order[x.index()].cmp(&order[y.index()])
                }
                (x, y) => catalog.target_ref(x).cmp(catalog.target_ref(y)),
            })
        });
        let first = tree.nodes.len();
        tree.nodes[i].children = first..first + edges.len();
        tree.nodes.reserve(edges.len());
        for (_, relation, target) in edges.drain(..) {
            let index = tree.nodes.len();
            let mark = match target {
                Target::Missing(_) => Mark::Missing,
                Target::Resolved(t) => match tree.expanded.get(&t) {
                    Some(_) => Mark::Seen,
                    None => {
                        tree.expanded.insert(t, index);
                        queue.push_back(index);
                        Mark::Expanded
                    }
                },
            };
            tree.nodes.push(Node {
                target,
                relation: Some(relation),
                depth: child_depth,
                parent: Some(i),
                children: 0..0,
                mark,
            });
        }
    }
    cycles::mark_cycles(&mut tree);
    tree
}

#[cfg(test)]
mod tests;
