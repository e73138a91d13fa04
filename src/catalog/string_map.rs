//! A small sorted map of strings, for `metadata.labels` and `metadata.annotations`.
//!
//! Entities carry a few labels and annotations each; a `BTreeMap<String, String>` spends a
//! 540-byte node on even one entry. This map is one boxed slice of `(key, value)` pairs sorted
//! by key: lookups are a binary search, iteration is in key order (as the `BTreeMap` was), and
//! it serialises as the same JSON/YAML mapping.

use std::collections::BTreeMap;
use std::fmt;

/// String keys to string values, sorted by key, each key once.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct StringMap {
    entries: Box<[(Box<str>, Box<str>)]>,
}

impl StringMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        position(&self.entries, key)
    }

    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.position(key).ok().map(|i| &*self.entries[i].1)
    }

    /// True when the key is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets a key's value (replacing any earlier one). Rebuilds the map: meant for the few
    /// edits made after loading, not for building one entry at a time.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        let mut entries = std::mem::take(&mut self.entries).into_vec();
        match position(&entries, &key) {
            Ok(i) => entries[i].1 = value.into_boxed_str(),
            Err(i) => entries.insert(i, (key.into_boxed_str(), value.into_boxed_str())),
        }
        self.entries = entries.into_boxed_slice();
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the map has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|(k, _)| &**k)
    }

    /// The values, in key order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|(_, v)| &**v)
    }
}

fn position(entries: &[(Box<str>, Box<str>)], key: &str) -> Result<usize, usize> {
    entries.binary_search_by(|(k, _)| (**k).cmp(key))
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for StringMap {
    /// Builds a map; when a key repeats, the last value wins (as inserting into a map does).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(Box<str>, Box<str>)> = iter
            .into_iter()
            .map(|(k, v)| (k.into().into_boxed_str(), v.into().into_boxed_str()))
            .collect();
        // A stable sort keeps repeats in input order, so keeping the last of each run keeps
        // the last value written.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Box<str>, Box<str>)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match out.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => out.push(entry),
            }
        }
        Self {
            entries: out.into_boxed_slice(),
        }
    }
}

impl From<BTreeMap<String, String>> for StringMap {
    fn from(map: BTreeMap<String, String>) -> Self {
        map.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a StringMap {
    type Item = (&'a str, &'a str);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Box<str>, Box<str>)>,
        fn(&'a (Box<str>, Box<str>)) -> (&'a str, &'a str),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (&**k, &**v))
    }
}

impl fmt::Debug for StringMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl serde::Serialize for StringMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for StringMap {
    /// Reads the pairs straight into the map (the caches write them sorted, so usually no sort
    /// is needed); repeated keys keep the last value, as a `BTreeMap` would.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor)
    }
}

struct PairsVisitor;

impl<'de> serde::de::Visitor<'de> for PairsVisitor {
    type Value = StringMap;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of strings to strings")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<StringMap, A::Error> {
        let mut entries: Vec<(Box<str>, Box<str>)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((k, v)) = map.next_entry::<String, String>()? {
            entries.push((k.into_boxed_str(), v.into_boxed_str()));
        }
        if entries.windows(2).all(|w| w[0].0 < w[1].0) {
            return Ok(StringMap {
                entries: entries.into_boxed_slice(),
            });
        }
        Ok(entries
            .into_iter()
            .map(|(k, v)| (String::from(k), String::from(v)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_lookup_and_last_write_wins() {
        let mut m: StringMap = [("b", "2"), ("a", "1"), ("b", "3")].into_iter().collect();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("b"), Some("3"));
        assert_eq!(m.get("c"), None);
        assert!(m.contains_key("a"));
        m.insert("0", "z");
        m.insert("a", "one");
        assert_eq!(m.keys().collect::<Vec<_>>(), ["0", "a", "b"]);
        assert_eq!(m.values().collect::<Vec<_>>(), ["z", "one", "3"]);
    }

    #[test]
    fn serialises_as_the_btreemap_did() {
        let tree: BTreeMap<String, String> = [("z".into(), "1".into()), ("a".into(), "2".into())]
            .into_iter()
            .collect();
        let m = StringMap::from(tree.clone());
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        let back: StringMap = serde_json::from_str(r#"{"z":"1","a":"2"}"#).unwrap();
        assert_eq!(back, m);
        // Repeats keep the last value, sorted or not, in JSON and in MessagePack.
        for text in [
            r#"{"a":"1","b":"2","a":"3"}"#,
            r#"{"a":"1","a":"3","b":"2"}"#,
        ] {
            let back: StringMap = serde_json::from_str(text).unwrap();
            let tree: BTreeMap<String, String> = serde_json::from_str(text).unwrap();
            assert_eq!(back, StringMap::from(tree), "{text}");
            assert_eq!(back.get("a"), Some("3"));
        }
        let packed = rmp_serde::to_vec(&m).unwrap();
        assert_eq!(rmp_serde::from_slice::<StringMap>(&packed).unwrap(), m);
        assert!(serde_json::from_str::<StringMap>(r#"{"a": 1}"#).is_err());
    }
}
