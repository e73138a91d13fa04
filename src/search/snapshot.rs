//! The search index as a snapshot stores it: every prepared haystack, so a start from a
//! snapshot (see [`crate::snapshot`]) lowercases, joins and ranks nothing. Strings every
//! entity repeats (kinds, owners, tags…) are stored once and referred to by number.

use super::{byte_mask, Haystack, Haystacks, Interner, SearchIndex};
use nucleo_matcher::Utf32String;

/// A [`SearchIndex`] in serialisable form, field by field in columns (one list per field,
/// in entity order), which MessagePack writes and reads faster than one record per entity.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct IndexSnapshot {
    /// The distinct filter values and tags; the numbers below index into it.
    strings: Vec<String>,
    names: Vec<String>,
    titles: Vec<String>,
    metas: Vec<String>,
    descriptions: Vec<String>,
    /// Per entity: kind, namespace, lifecycle, type, owner ref, system, format (string
    /// numbers).
    fields: Vec<[u32; 7]>,
    /// Per entity: how many tags; the tags themselves follow in `tags`.
    tag_counts: Vec<u32>,
    tags: Vec<u32>,
    ranks: Vec<u32>,
    browse_keys: Vec<u64>,
}

/// The text of a prepared field (nucleo keeps it as bytes or as characters).
fn text(s: &Utf32String) -> String {
    s.to_string()
}

/// The prepared field back from its text, character for character (not segmented again).
fn prepared(text: String) -> Utf32String {
    if text.is_ascii() {
        Utf32String::Ascii(text.into_boxed_str())
    } else {
        Utf32String::Unicode(text.chars().collect())
    }
}

impl SearchIndex {
    /// The index in serialisable form.
    pub fn to_snapshot(&self) -> IndexSnapshot {
        let hay = &self.hay;
        let n = hay.items.len();
        let mut out = IndexSnapshot {
            // Interned strings are numbered already: the numbers are kept.
            strings: self.strings.texts.iter().map(|t| t.to_string()).collect(),
            names: Vec::with_capacity(n),
            titles: Vec::with_capacity(n),
            metas: Vec::with_capacity(n),
            descriptions: Vec::with_capacity(n),
            fields: Vec::with_capacity(n),
            tag_counts: Vec::with_capacity(n),
            tags: Vec::with_capacity(hay.tags.len()),
            ranks: Vec::with_capacity(n),
            browse_keys: Vec::with_capacity(n),
        };
        for i in 0..n {
            let t = hay.text(i);
            let (h, name, description, tags) = (t.h, t.name(), t.description(), t.tags());
            out.names.push(name.to_string());
            out.titles.push(text(&h.title32));
            out.metas.push(text(&h.meta32));
            out.descriptions.push(description.to_string());
            out.fields.push(h.fields());
            out.tag_counts.push(tags.len() as u32);
            out.tags.extend_from_slice(tags);
            out.ranks.push(h.rank);
            out.browse_keys.push(h.browse_key);
        }
        out
    }

    /// Rebuilds an index from its snapshot; fails when the columns do not fit together.
    pub fn from_snapshot(s: IndexSnapshot) -> Result<SearchIndex, String> {
        let n = s.names.len();
        if [
            s.titles.len(),
            s.metas.len(),
            s.descriptions.len(),
            s.fields.len(),
            s.tag_counts.len(),
            s.ranks.len(),
            s.browse_keys.len(),
        ]
        .iter()
        .any(|&len| len != n)
        {
            return Err("search index columns differ in length".into());
        }
        let mut strings = Interner::default();
        // The snapshot's numbers as this index numbers its strings (the same, unless the
        // snapshot repeats a string).
        let numbers: Vec<u32> = s.strings.iter().map(|t| strings.get(t)).collect();
        let get = |i: u32| {
            numbers
                .get(i as usize)
                .copied()
                .ok_or_else(|| format!("string {i} out of range"))
        };
        let mut tags = s.tags.into_iter();
        let mut hay = Haystacks {
            items: Vec::with_capacity(n),
            name_starts: Vec::with_capacity(n),
            ..Haystacks::default()
        };
        let columns = s
            .names
            .into_iter()
            .zip(s.titles)
            .zip(s.metas)
            .zip(s.descriptions);
        for (i, (((name, title), meta), description)) in columns.enumerate() {
            let [kind, namespace, lifecycle, spec_type, owner_ref, system, format] = s.fields[i];
            let tag_list = (0..s.tag_counts[i])
                .map(|_| get(tags.next().ok_or("tags run short")?))
                .collect::<Result<Vec<_>, String>>()?;
            let (description, tags) = hay.push_text(&name, |d| d.push_str(&description), tag_list);
            hay.items.push(Haystack {
                masks: [byte_mask(&name), byte_mask(&title), byte_mask(&meta)],
                name32: Utf32String::from(name.as_str()),
                title32: prepared(title),
                meta32: prepared(meta),
                description,
                kind: get(kind)?,
                namespace: get(namespace)?,
                lifecycle: get(lifecycle)?,
                spec_type: get(spec_type)?,
                owner_ref: get(owner_ref)?,
                system: get(system)?,
                format: get(format)?,
                tags,
                rank: s.ranks[i],
                browse_key: s.browse_keys[i],
            });
        }
        Ok(SearchIndex { hay, strings })
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;
    use crate::search::{Query, SearchIndex};

    #[test]
    fn an_index_read_back_answers_every_query_as_the_original() {
        let catalog = Catalog::from_entities(crate::synthetic::generate(2_000, 5), vec![]);
        let original = SearchIndex::build(&catalog);
        let bytes = rmp_serde::to_vec(&original.to_snapshot()).unwrap();
        let back = SearchIndex::from_snapshot(rmp_serde::from_slice(&bytes).unwrap()).unwrap();
        assert_eq!(back.len(), original.len());
        for q in [
            "",
            "pay",
            "ledgr wrk",
            "kind:api",
            "owner:team tag:java",
            "zzzz",
        ] {
            let query = Query::parse(q);
            let (a, b) = (original.search(&query, 50), back.search(&query, 50));
            assert_eq!(a.hits, b.hits, "{q}");
            assert_eq!(a.total, b.total, "{q}");
        }
        // The index still grows as entities arrive.
        let mut back = back;
        let more = Catalog::from_entities(crate::synthetic::generate(2_100, 5), vec![]);
        back.extend(&more);
        assert_eq!(back.len(), 2_100);
    }

    #[test]
    fn columns_that_do_not_fit_are_refused() {
        let catalog = Catalog::from_entities(crate::synthetic::generate(20, 5), vec![]);
        let mut s = SearchIndex::build(&catalog).to_snapshot();
        s.ranks.pop();
        assert!(SearchIndex::from_snapshot(s).is_err());
        let mut s = SearchIndex::build(&catalog).to_snapshot();
        s.fields[0][0] = 99_999;
        assert!(SearchIndex::from_snapshot(s).is_err());
    }
}
