//! A compact JSON value for entity specs.
//!
//! A catalog of 100,000 entities holds a million small spec values. `serde_json::Value` (with
//! `preserve_order`) is 80 bytes per value and keeps a hash index per object; this value is 24
//! bytes, objects are a boxed slice of `(key, value)` pairs in written order (specs have a
//! handful of keys, so a linear scan finds one faster than hashing), and every string and list
//! is boxed to its exact length. It serialises exactly as the `Value` it was built from, so
//! caches and `--json` output do not change; code that needs a real `Value` (templates, the
//! API view) converts with [`SpecValue::to_value`].

use serde_json::{Map, Number, Value};
use std::fmt;

/// A JSON value held compactly; see the module documentation.
#[derive(Clone, Default, PartialEq)]
pub enum SpecValue {
    /// `null`, or an absent spec.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as serde_json holds it.
    Number(Number),
    /// A string.
    String(Box<str>),
    /// A list.
    Array(Box<[SpecValue]>),
    /// A mapping, in written order.
    Object(Box<[(Box<str>, SpecValue)]>),
}

static NULL: SpecValue = SpecValue::Null;

impl SpecValue {
    /// The value of a key of an object; `None` for a missing key or a value that is not an
    /// object.
    pub fn get(&self, key: &str) -> Option<&SpecValue> {
        match self {
            SpecValue::Object(entries) => entries.iter().find(|(k, _)| &**k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SpecValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_array(&self) -> Option<&[SpecValue]> {
        match self {
            SpecValue::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this is a mapping.
    pub fn as_object(&self) -> Option<&[(Box<str>, SpecValue)]> {
        match self {
            SpecValue::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// True for a list.
    pub fn is_array(&self) -> bool {
        matches!(self, SpecValue::Array(_))
    }

    /// True for a mapping.
    pub fn is_object(&self) -> bool {
        matches!(self, SpecValue::Object(_))
    }

    /// A short name for the value's type, for messages (as [`super::entity::type_name`]).
    pub fn type_name(&self) -> &'static str {
        match self {
            SpecValue::Null => "null",
            SpecValue::Bool(_) => "a boolean",
            SpecValue::Number(_) => "a number",
            SpecValue::String(_) => "a string",
            SpecValue::Array(_) => "a list",
            SpecValue::Object(_) => "a mapping",
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, SpecValue::Null)
    }

    /// The value as a `serde_json::Value` (a deep copy).
    pub fn to_value(&self) -> Value {
        match self {
            SpecValue::Null => Value::Null,
            SpecValue::Bool(b) => Value::Bool(*b),
            SpecValue::Number(n) => Value::Number(n.clone()),
            SpecValue::String(s) => Value::String(s.to_string()),
            SpecValue::Array(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            SpecValue::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

impl From<Value> for SpecValue {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => SpecValue::Null,
            Value::Bool(b) => SpecValue::Bool(b),
            Value::Number(n) => SpecValue::Number(n),
            Value::String(s) => SpecValue::String(s.into_boxed_str()),
            Value::Array(items) => SpecValue::Array(items.into_iter().map(Self::from).collect()),
            Value::Object(map) => SpecValue::Object(
                map.into_iter()
                    .map(|(k, v)| (k.into_boxed_str(), Self::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Map<String, Value>> for SpecValue {
    fn from(map: Map<String, Value>) -> Self {
        SpecValue::from(Value::Object(map))
    }
}

impl From<&SpecValue> for Value {
    fn from(value: &SpecValue) -> Self {
        value.to_value()
    }
}

impl PartialEq<Value> for SpecValue {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (SpecValue::Null, Value::Null) => true,
            (SpecValue::Bool(a), Value::Bool(b)) => a == b,
            (SpecValue::Number(a), Value::Number(b)) => a == b,
            (SpecValue::String(a), Value::String(b)) => **a == **b,
            (SpecValue::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (SpecValue::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(&**k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<&str> for SpecValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl std::ops::Index<&str> for SpecValue {
    type Output = SpecValue;

    /// The value of a key, or `null` (as `serde_json::Value` indexes).
    fn index(&self, key: &str) -> &SpecValue {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for SpecValue {
    type Output = SpecValue;

    /// The item at a position of a list, or `null`.
    fn index(&self, i: usize) -> &SpecValue {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl fmt::Debug for SpecValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_value(), f)
    }
}

impl serde::Serialize for SpecValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            SpecValue::Null => s.serialize_unit(),
            SpecValue::Bool(b) => s.serialize_bool(*b),
            SpecValue::Number(n) => n.serialize(s),
            SpecValue::String(v) => s.serialize_str(v),
            SpecValue::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            SpecValue::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries.iter() {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for SpecValue {
    /// Builds the compact value directly (not through a `Value` first: the caches decode a
    /// million of these per 100,000 entities), with `Value`'s rules: a repeated key keeps its
    /// first place and its last value, and a float that is not finite reads as `null`.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SpecVisitor)
    }
}

struct SpecVisitor;

/// Past this many keys, a mapping finds repeated keys with a hash map, not a scan.
const SCAN_KEYS: usize = 16;

impl<'de> serde::de::Visitor<'de> for SpecVisitor {
    type Value = SpecValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<SpecValue, E> {
        Ok(SpecValue::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<SpecValue, E> {
        Ok(SpecValue::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<SpecValue, E> {
        Ok(SpecValue::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<SpecValue, E> {
        Ok(Number::from_f64(v).map_or(SpecValue::Null, SpecValue::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<SpecValue, E> {
        Ok(SpecValue::String(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<SpecValue, E> {
        Ok(SpecValue::String(v.into_boxed_str()))
    }

    fn visit_none<E>(self) -> Result<SpecValue, E> {
        Ok(SpecValue::Null)
    }

    fn visit_unit<E>(self) -> Result<SpecValue, E> {
        Ok(SpecValue::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<SpecValue, D::Error> {
        serde::Deserialize::deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<SpecValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(SpecValue::Array(items.into_boxed_slice()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SpecValue, A::Error> {
        let mut entries: Vec<(Box<str>, SpecValue)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        let mut positions: Option<std::collections::HashMap<Box<str>, usize>> = None;
        while let Some(key) = map.next_key::<String>()? {
            let value: SpecValue = map.next_value()?;
            let key = key.into_boxed_str();
            if entries.len() == SCAN_KEYS && positions.is_none() {
                positions = Some(
                    entries
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect(),
                );
            }
            let seen = match &mut positions {
                Some(p) => match p.get(&key) {
                    Some(&i) => Some(i),
                    None => {
                        p.insert(key.clone(), entries.len());
                        None
                    }
                },
                None => entries.iter().position(|(k, _)| *k == key),
            };
            match seen {
                Some(i) => entries[i].1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(SpecValue::Object(entries.into_boxed_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_value_and_serialises_the_same() {
        let v = json!({"type": "service", "z": [1, -2, 2.5, true, null, {"b": "x", "a": []}],
                       "a": {}, "owner": "team"});
        let s = SpecValue::from(v.clone());
        assert_eq!(s.to_value(), v);
        assert_eq!(s, v);
        // Key order is kept (the catalog is built with serde_json's preserve_order).
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        let back: SpecValue = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn lookups_behave_like_value() {
        let s = SpecValue::from(json!({"dependsOn": ["component:a"], "type": "service"}));
        assert_eq!(s.get("type").and_then(SpecValue::as_str), Some("service"));
        assert_eq!(s["dependsOn"][0].as_str(), Some("component:a"));
        assert!(s["missing"].is_null());
        assert!(s["dependsOn"][7].is_null());
        assert!(s["type"]["x"].is_null());
        assert_eq!(s.as_object().map(<[_]>::len), Some(2));
        assert!(SpecValue::from(json!("x")).get("x").is_none());
    }

    /// Any JSON value, a few levels deep, with repeated keys and odd numbers.
    fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            "[a-c]{0,3}|ü".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-c]{1,2}", inner), 0..24)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn decodes_as_through_a_value_in_json_and_messagepack(v in any_value()) {
            let from_value = SpecValue::from(v.clone());
            let json = serde_json::to_string(&v).unwrap();
            let direct: SpecValue = serde_json::from_str(&json).unwrap();
            let via: SpecValue = SpecValue::from(serde_json::from_str::<Value>(&json).unwrap());
            proptest::prop_assert_eq!(&direct, &via);
            let packed = rmp_serde::to_vec(&v).unwrap();
            let direct: SpecValue = rmp_serde::from_slice(&packed).unwrap();
            let via = SpecValue::from(rmp_serde::from_slice::<Value>(&packed).unwrap());
            proptest::prop_assert_eq!(&direct, &via);
            proptest::prop_assert_eq!(direct, from_value);
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_its_last_value() {
        for n in [3, 40] {
            let mut text = String::from("{");
            for i in 0..n {
                text.push_str(&format!("\"k{i}\": {i}, "));
            }
            text.push_str("\"k1\": \"last\"}");
            let direct: SpecValue = serde_json::from_str(&text).unwrap();
            let via = SpecValue::from(serde_json::from_str::<Value>(&text).unwrap());
            assert_eq!(direct, via, "{n} keys");
            assert_eq!(direct.as_object().unwrap()[1].0.as_ref(), "k1");
            assert_eq!(direct["k1"], "last");
        }
    }

    #[test]
    fn is_small() {
        assert!(std::mem::size_of::<SpecValue>() <= 24);
    }
}
