//! Fuzzy search over the catalog, with inline filters (`kind:component owner:ledger-team`).
//!
//! The [`SearchIndex`] is built once per catalog change and holds prepared, lowercased
//! haystacks, so a keystroke only scores strings. It is `Send + Sync`, so matching can run on a
//! worker while the UI stays responsive.

use crate::catalog::{Catalog, EntityId, RelationType};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;

/// The filter keys a query understands.
pub const FILTER_KEYS: [&str; 7] = [
    "kind",
    "owner",
    "tag",
    "lifecycle",
    "type",
    "namespace",
    "system",
];

/// A parsed query: free-text words and `key:value` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Lowercased free-text words; each must match.
    pub words: Vec<String>,
    /// Filters; an entity must match every one (any of a filter's comma-separated values).
    pub filters: Vec<(String, Vec<String>)>,
    /// Hints for the user, such as an unknown filter key.
    pub hints: Vec<String>,
}

impl Query {
    /// Parses a query as typed.
    pub fn parse(input: &str) -> Self {
        let mut q = Query::default();
        for token in input.split_whitespace() {
            if let Some((key, value)) = token.split_once(':') {
                let key = key.to_lowercase();
                if FILTER_KEYS.contains(&key.as_str()) {
                    let values: Vec<String> = value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(str::to_lowercase)
                        .collect();
                    if values.is_empty() {
                        q.hints.push(format!(
                            "{key}: needs a value, e.g. {key}:{}",
                            example(&key)
                        ));
                    } else {
                        q.filters.push((key, values));
                    }
                    continue;
                }
                if !key.is_empty() && !value.is_empty() && !key.contains('/') {
                    q.hints.push(format!(
                        "unknown filter {key}: (known: {}); searching for it as text",
                        FILTER_KEYS.join(", ")
                    ));
                }
            }
            q.words.push(token.to_lowercase());
        }
        q
    }

    /// True when the query neither filters nor has words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.filters.is_empty()
    }
}

fn example(key: &str) -> &'static str {
    match key {
        "kind" => "component",
        "owner" => "ledger-team",
        "tag" => "java",
        "lifecycle" => "production",
        "type" => "service",
        "namespace" => "default",
        _ => "payments",
    }
}

/// Prepared text of one entity.
#[derive(Debug, Clone)]
struct Haystack {
    name: String,
    title: String,
    tags: String,
    owner: String,
    description: String,
    kind: String,
    namespace: String,
    lifecycle: String,
    spec_type: String,
    owner_ref: String,
    system: String,
    tag_list: Vec<String>,
    /// Tie-breaker: entities that more things depend on rank first among equal matches.
    weight: u32,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The entity.
    pub id: EntityId,
    /// Higher is better.
    pub score: i64,
    /// Character positions in the entity's name that matched, for highlighting.
    pub name_matches: Vec<usize>,
}

/// Results of one query.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// Hits, best first, at most the requested limit.
    pub hits: Vec<Hit>,
    /// How many entities matched in all (before the limit).
    pub total: usize,
    /// Hints about the query.
    pub hints: Vec<String>,
}

/// Prepared haystacks for a catalog.
pub struct SearchIndex {
    items: Vec<Haystack>,
    matcher: SkimMatcherV2,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SearchIndex({} entities)", self.items.len())
    }
}

/// Longest prefix of a description that is fuzzy-matched; long descriptions cost time per key.
const DESCRIPTION_PREFIX: usize = 240;

impl SearchIndex {
    /// Prepares every entity of a catalog.
    pub fn build(catalog: &Catalog) -> Self {
        let mut index = Self {
            items: Vec::with_capacity(catalog.len()),
            matcher: SkimMatcherV2::default().ignore_case(),
        };
        index.extend(catalog);
        index
    }

    /// Prepares the entities added to the catalog since the index was built (ids past the
    /// end of the index). Tie-break weights of earlier entities are not updated.
    pub fn extend(&mut self, catalog: &Catalog) {
        for id in catalog.ids().skip(self.items.len()) {
            let e = catalog.get(id);
            let owner_ref = catalog
                .owner_ref(id)
                .map(|r| r.to_string())
                .unwrap_or_default();
            let owner = owner_ref.rsplit('/').next().unwrap_or("").to_string();
            let weight = catalog
                .edges(id)
                .iter()
                .filter(|e| {
                    matches!(
                        e.relation,
                        RelationType::DependencyOf
                            | RelationType::ApiConsumedBy
                            | RelationType::HasPart
                    )
                })
                .count() as u32;
            let description = e.metadata.description.as_deref().unwrap_or("");
            let description: String = description.chars().take(DESCRIPTION_PREFIX).collect();
            self.items.push(Haystack {
                name: e.metadata.name.to_lowercase(),
                title: e.metadata.title.as_deref().unwrap_or("").to_lowercase(),
                tags: e.metadata.tags.join(" ").to_lowercase(),
                owner,
                description: description.to_lowercase(),
                kind: e.kind_lower().to_string(),
                namespace: e.entity_ref().namespace().to_string(),
                lifecycle: e.spec_str("lifecycle").unwrap_or("").to_lowercase(),
                spec_type: e.spec_str("type").unwrap_or("").to_lowercase(),
                owner_ref,
                system: e.spec_str("system").unwrap_or("").to_lowercase(),
                tag_list: e.metadata.tags.iter().map(|t| t.to_lowercase()).collect(),
                weight,
            });
        }
    }

    /// The number of prepared entities.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is prepared.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Runs a query and returns at most `limit` hits, best first.
    pub fn search(&self, query: &Query, limit: usize) -> Results {
        let mut scored: Vec<(i64, u32, usize)> = Vec::new();
        for (i, h) in self.items.iter().enumerate() {
            if !query.filters.iter().all(|(k, vs)| filter_matches(h, k, vs)) {
                continue;
            }
            let mut total = 0i64;
            let mut all = true;
            for word in &query.words {
                match self.score_word(h, word) {
                    Some(s) => total += s,
                    None => {
                        all = false;
                        break;
                    }
                }
            }
            if all {
                scored.push((total, h.weight, i));
            }
        }
        let total = scored.len();
        let by_rank = |a: &(i64, u32, usize), b: &(i64, u32, usize)| {
            b.0.cmp(&a.0)
                .then_with(|| {
                    kind_rank(&self.items[a.2].kind).cmp(&kind_rank(&self.items[b.2].kind))
                })
                .then(b.1.cmp(&a.1))
                .then_with(|| self.items[a.2].name.cmp(&self.items[b.2].name))
                .then(a.2.cmp(&b.2))
        };
        if query.words.is_empty() {
            // No text to rank by: a stable, browsable order (kind, then name).
            scored.sort_by(|a, b| {
                let (x, y) = (&self.items[a.2], &self.items[b.2]);
                kind_rank(&x.kind)
                    .cmp(&kind_rank(&y.kind))
                    .then(x.name.cmp(&y.name))
                    .then(a.2.cmp(&b.2))
            });
        } else if scored.len() > limit {
            scored.select_nth_unstable_by(limit, by_rank);
            scored.truncate(limit);
            scored.sort_by(by_rank);
        } else {
            scored.sort_by(by_rank);
        }
        scored.truncate(limit);
        let hits = scored
            .into_iter()
            .map(|(score, _, i)| Hit {
                id: EntityId(i as u32),
                score,
                name_matches: self.name_matches(i, &query.words),
            })
            .collect();
        Results {
            hits,
            total,
            hints: query.hints.clone(),
        }
    }

    /// Scores one word against an entity: name matches outrank title, tag and owner matches,
    /// which outrank description matches; exact and prefix name matches come first.
    fn score_word(&self, h: &Haystack, word: &str) -> Option<i64> {
        let m = &self.matcher;
        let mut best: Option<i64> = None;
        let take = |best: &mut Option<i64>, s: Option<i64>| {
            if let Some(s) = s {
                *best = Some(best.map_or(s, |b| b.max(s)));
            }
        };
        if let Some(s) = name_score(m, &h.name, word) {
            take(&mut best, Some(s));
        }
        if !h.title.is_empty() {
            take(
                &mut best,
                m.fuzzy_match(&h.title, word).map(|s| s * 3 + 5_000),
            );
        }
        if !h.tags.is_empty() {
            take(
                &mut best,
                m.fuzzy_match(&h.tags, word).map(|s| s * 2 + 2_000),
            );
        }
        if !h.owner.is_empty() {
            take(
                &mut best,
                m.fuzzy_match(&h.owner, word).map(|s| s * 2 + 2_000),
            );
        }
        if best.is_none() && !h.description.is_empty() {
            return m.fuzzy_match(&h.description, word);
        }
        best
    }

    /// Character positions of the name matched by the query's words.
    fn name_matches(&self, i: usize, words: &[String]) -> Vec<usize> {
        let mut out: Vec<usize> = words
            .iter()
            .filter_map(|w| self.matcher.fuzzy_indices(&self.items[i].name, w))
            .flat_map(|(_, idx)| idx)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Scores a word against a name in tiers: exact, prefix, substring, then fuzzy matches with
/// the fewest skipped characters (so the typo `ledgr` prefers `ledger-writer`, one skip, over
/// `ledger-reader`, three), each tier above any title, tag or description match.
fn name_score(m: &SkimMatcherV2, name: &str, word: &str) -> Option<i64> {
    if name == word {
        return Some(1_000_000);
    }
    if name.starts_with(word) {
        return Some(800_000 - name.len() as i64);
    }
    if let Some(pos) = name.find(word) {
        return Some(600_000 - pos as i64 * 10 - name.len() as i64);
    }
    let (score, idx) = m.fuzzy_indices(name, word)?;
    let first = *idx.first()? as i64;
    let last = *idx.last()? as i64;
    let skipped = first + (last - first + 1 - idx.len() as i64);
    Some(400_000 - skipped * 1_000 + score)
}

fn filter_matches(h: &Haystack, key: &str, values: &[String]) -> bool {
    values.iter().any(|v| match key {
        "kind" => h.kind == *v,
        "owner" => h.owner == *v || h.owner_ref == *v || h.owner_ref.ends_with(&format!(":{v}")),
        "tag" => h.tag_list.iter().any(|t| t == v),
        "lifecycle" => h.lifecycle == *v,
        "type" => h.spec_type == *v,
        "namespace" => h.namespace == *v,
        "system" => {
            h.system == *v
                || h.system.ends_with(&format!("/{v}"))
                || h.system.ends_with(&format!(":{v}"))
        }
        _ => false,
    })
}

/// Kinds in the order a browsing user expects them; also breaks ties between equal matches,
/// since most searches are for a service.
fn kind_rank(kind: &str) -> usize {
    const ORDER: [&str; 9] = [
        "component",
        "api",
        "resource",
        "system",
        "domain",
        "group",
        "user",
        "template",
        "location",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Entity, Origin};
    use serde_json::json;

    fn comp(name: &str, extra: serde_json::Value) -> Entity {
        let mut v = json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
            "metadata": {"name": name},
            "spec": {"type": "service", "lifecycle": "production", "owner": "ledger-team"}});
        if let Some(m) = extra.get("metadata") {
            for (k, val) in m.as_object().unwrap() {
                v["metadata"][k] = val.clone();
            }
        }
        if let Some(s) = extra.get("spec") {
            for (k, val) in s.as_object().unwrap() {
                v["spec"][k] = val.clone();
            }
        }
        Entity::from_value(v, Origin::new("t.yaml", None))
            .unwrap()
            .0
    }

    fn names(catalog: &Catalog, q: &str) -> Vec<String> {
        let index = SearchIndex::build(catalog);
        index
            .search(&Query::parse(q), 50)
            .hits
            .iter()
            .map(|h| catalog.get(h.id).metadata.name.clone())
            .collect()
    }

    fn catalog() -> Catalog {
        Catalog::from_entities(
            [
                comp("ledger-reader", json!({})),
                comp("ledger-writer", json!({"metadata": {"tags": ["java"]}})),
                comp(
                    "audit-log",
                    json!({"metadata": {"description": "Writes the ledger of changes"}}),
                ),
                comp(
                    "billing",
                    json!({"spec": {"dependsOn": ["component:ledger-writer"], "lifecycle": "experimental", "owner": "billing-team"}}),
                ),
                comp("pay", json!({"metadata": {"title": "Ledger gateway"}})),
            ],
            vec![],
        )
    }

    #[test]
    fn typo_finds_ledger_writer_first() {
        assert_eq!(names(&catalog(), "ledgr")[0], "ledger-writer");
    }

    #[test]
    fn name_matches_outrank_title_and_description() {
        let n = names(&catalog(), "ledger");
        assert_eq!(n.len(), 4, "{n:?}");
        assert_eq!(n[3], "audit-log", "description match last: {n:?}");
        assert_eq!(n[2], "pay", "title match after names: {n:?}");
    }

    #[test]
    fn exact_name_comes_first() {
        let c = Catalog::from_entities(
            [comp("pay-gateway", json!({})), comp("pay", json!({}))],
            vec![],
        );
        assert_eq!(names(&c, "pay")[0], "pay");
    }

    #[test]
    fn filters_combine_with_text() {
        let c = catalog();
        assert_eq!(names(&c, "lifecycle:experimental"), ["billing"]);
        assert_eq!(names(&c, "tag:java ledger"), ["ledger-writer"]);
        assert_eq!(names(&c, "owner:billing-team"), ["billing"]);
        assert_eq!(names(&c, "owner:group:default/billing-team"), ["billing"]);
        assert_eq!(names(&c, "kind:api").len(), 0);
        assert_eq!(names(&c, "kind:Component,API").len(), 5);
        // A description that mentions both words matches too, below the name match.
        assert_eq!(
            names(&c, "type:service ledger writer"),
            ["ledger-writer", "audit-log"]
        );
    }

    #[test]
    fn unknown_filter_gives_a_hint() {
        let q = Query::parse("colour:blue ledger");
        assert_eq!(q.hints.len(), 1);
        assert!(q.hints[0].contains("unknown filter colour:"));
        assert!(Query::parse("kind:").hints[0].contains("needs a value"));
    }

    #[test]
    fn empty_query_lists_everything_in_stable_order() {
        let n = names(&catalog(), "");
        assert_eq!(
            n,
            [
                "audit-log",
                "billing",
                "ledger-reader",
                "ledger-writer",
                "pay"
            ]
        );
    }

    #[test]
    fn highlights_and_limits() {
        let c = catalog();
        let index = SearchIndex::build(&c);
        let r = index.search(&Query::parse("ledger"), 2);
        assert_eq!(r.hits.len(), 2);
        assert_eq!(r.total, 4);
        assert_eq!(r.hits[0].name_matches, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn odd_queries_do_not_panic() {
        let index = SearchIndex::build(&catalog());
        for q in [
            "::::",
            "\u{1b}[",
            "日本",
            "a:b:c",
            &"x".repeat(5000),
            ":",
            "kind:,,",
        ] {
            let _ = index.search(&Query::parse(q), 10);
        }
    }
}
