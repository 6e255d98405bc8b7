//! Canonical YAML text from serde values: one writer for every file litegate emits.

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use crate::Error;

/// Serializes with serde-saphyr's defaults: 2-space indent, block scalars for multi-line
/// strings, YAML 1.1 look-alikes (`no`, `3.10`) quoted so every reader keeps them strings.
pub fn to_string<T: Serialize>(value: &T, what: &'static str) -> Result<String, Error> {
    serde_saphyr::to_string(value).map_err(|e| Error::Serialize {
        what,
        message: e.to_string(),
    })
}

/// A Kubernetes object with `apiVersion`, `kind`, `metadata` first and every map sorted.
pub fn manifest<T: Serialize>(object: &T) -> Result<String, Error> {
    let value = serde_json::to_value(object).map_err(|e| Error::Serialize {
        what: "a manifest",
        message: e.to_string(),
    })?;
    to_string(&HeadFirst(&value), "a manifest")
}

const HEAD: [&str; 3] = ["apiVersion", "kind", "metadata"];

struct HeadFirst<'a>(&'a Value);

impl Serialize for HeadFirst<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Value::Object(map) = self.0 else {
            return self.0.serialize(s);
        };
        let mut out = s.serialize_map(Some(map.len()))?;
        for key in HEAD {
            if let Some(v) = map.get(key) {
                out.serialize_entry(key, v)?;
            }
        }
        for (k, v) in map.iter().filter(|(k, _)| !HEAD.contains(&k.as_str())) {
            out.serialize_entry(k, v)?;
        }
        out.end()
    }
}
