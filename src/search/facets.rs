//! Facet counts: how many of a query's matches have each kind, owner, lifecycle and tag, the
//! most common first. Counted over every match (not only the hits shown), by number in the
//! index's string table, so 100,000 matches cost one pass over them and no hashing.

use super::{SearchIndex, Sym};

/// How many values of each facet are kept.
pub const FACET_TOP: usize = 6;

/// A query's matches counted by kind, owner, lifecycle and tag: `(value, matches)`, the most
/// common first (ties by value). A value is what the filter takes (`kind:VALUE`); an owner is
/// its name without kind and namespace, as `owner:NAME` matches it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// By `kind:`.
    pub kinds: Vec<(String, usize)>,
    /// By `owner:`.
    pub owners: Vec<(String, usize)>,
    /// By `lifecycle:`.
    pub lifecycles: Vec<(String, usize)>,
    /// By `tag:`.
    pub tags: Vec<(String, usize)>,
}

impl Facets {
    /// Each facet with its filter key, in display order.
    pub fn groups(&self) -> [(&'static str, &[(String, usize)]); 4] {
        [
            ("kind", &self.kinds),
            ("owner", &self.owners),
            ("lifecycle", &self.lifecycles),
            ("tag", &self.tags),
        ]
    }
}

impl SearchIndex {
    /// Counts the entities `matched` (indexes, as a search returns them) by facet, keeping the
    /// `top` most common values of each.
    pub fn facets(&self, matched: &[u32], top: usize) -> Facets {
        let n = self.strings.texts.len();
        let mut counts = [vec![0u32; n], vec![0u32; n], vec![0u32; n], vec![0u32; n]];
        for &i in matched {
            let Some(h) = self.hay.items.get(i as usize) else {
                continue;
            };
            for (c, sym) in [(0, h.kind), (1, h.owner_ref), (2, h.lifecycle)] {
                if let Some(slot) = counts[c].get_mut(sym as usize) {
                    *slot += 1;
                }
            }
            for &t in self.hay.text(i as usize).tags() {
                if let Some(slot) = counts[3].get_mut(t as usize) {
                    *slot += 1;
                }
            }
        }
        let [kinds, owners, lifecycles, tags] = counts;
        let owner_name = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
        Facets {
            kinds: self.most_common(&kinds, top, str::to_string),
            owners: self.most_common(&owners, top, owner_name),
            lifecycles: self.most_common(&lifecycles, top, str::to_string),
            tags: self.most_common(&tags, top, str::to_string),
        }
    }

    /// The `top` values counted most, as `shown` names them; empty values are left out.
    fn most_common(
        &self,
        counts: &[u32],
        top: usize,
        shown: impl Fn(&str) -> String,
    ) -> Vec<(String, usize)> {
        let mut found: Vec<(Sym, u32)> = counts
            .iter()
            .enumerate()
            .filter(|&(sym, &c)| c > 0 && !self.strings.text(sym as Sym).is_empty())
            .map(|(sym, &c)| (sym as Sym, c))
            .collect();
        found.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| self.strings.text(a.0).cmp(self.strings.text(b.0)))
        });
        found
            .into_iter()
            .take(top)
            .map(|(sym, c)| (shown(self.strings.text(sym)), c as usize))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::search::{Narrowing, Query};

    fn demo() -> (Catalog, SearchIndex) {
        let catalog = crate::source::load_blocking(&[crate::source::SourceSpec::demo()]);
        let index = SearchIndex::build(&catalog);
        (catalog, index)
    }

    #[test]
    fn facets_count_every_match_by_kind_owner_lifecycle_and_tag() {
        let (catalog, index) = demo();
        let results = Narrowing::default().search(&index, 0, &Query::parse(""), 5);
        assert_eq!(results.hits.len(), 5, "the hits are limited");
        let facets = &results.facets;
        // Counted over all 89, not the 5 shown.
        let components = catalog
            .ids()
            .filter(|&id| catalog.get(id).kind_lower() == "component")
            .count();
        assert_eq!(facets.kinds[0], ("component".to_string(), components));
        let kinds: usize = facets.kinds.iter().map(|(_, c)| c).sum();
        assert!(kinds <= catalog.len());
        let production = catalog
            .ids()
            .filter(|&id| catalog.get(id).spec_str("lifecycle") == Some("production"))
            .count();
        assert!(
            facets
                .lifecycles
                .contains(&("production".to_string(), production)),
            "{facets:?}"
        );
        assert!(facets.owners.len() <= FACET_TOP);
        assert!(facets.owners.windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(!facets.tags.is_empty());
        assert!(facets
            .groups()
            .iter()
            .all(|(_, g)| g.iter().all(|(v, _)| !v.is_empty())));
    }

    #[test]
    fn facets_follow_the_query_and_each_value_filters_as_counted() {
        let (_, index) = demo();
        let mut narrowing = Narrowing::default();
        let results = narrowing.search(&index, 0, &Query::parse("ledger"), 100);
        for (key, values) in results.facets.groups() {
            for (value, count) in values {
                let filtered = index.search(&Query::parse(&format!("ledger {key}:{value}")), 1000);
                assert_eq!(filtered.total, *count, "{key}:{value}");
            }
        }
        let none = narrowing.search(&index, 0, &Query::parse("zzzqqq"), 100);
        assert_eq!(none.facets, Facets::default());
    }
}
