//! What a plan names inside a change: the spec field of a model that changed, with its
//! old and new value, and the Secret keys that changed, by name only (never a value).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::names::SALT_KEY_ENV;
use crate::resolve::sha256_hex;
use crate::secret_shape::scrub;
use crate::validate::STAMPED_INFO;

/// One model field, as the spec names it: `models[gpt-4o].params.temperature: 0.2 -> 0.3`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub path: String,
    /// `null` when the field was not set.
    pub old: Value,
    pub new: Value,
}

impl FieldChange {
    pub fn to_text(&self) -> String {
        format!(
            "{}: {} -> {}",
            self.path,
            shown(&self.old),
            shown(&self.new)
        )
    }
}

fn shown(value: &Value) -> String {
    match value {
        Value::Null => "(unset)".to_owned(),
        // config.yaml holds no secret value (keys are os.environ/ references), but a plan
        // is printed in CI logs: anything shaped like a credential is scrubbed all the same.
        other => scrub(&other.to_string()).into_owned(),
    }
}

/// The Secret keys that differ between two plans' sides, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SecretKeys {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl SecretKeys {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// The text lines, one per key: `Secret key OPENAI_API_KEY changed (value not shown)`.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (what, keys) in [
            ("added", &self.added),
            ("changed", &self.changed),
            ("removed", &self.removed),
        ] {
            for key in keys {
                out.push(format!("Secret key {key} {what} (value not shown)"));
            }
        }
        out
    }

    /// A salt key that appears, changes or goes: LiteLLM encrypts the models it stores
    /// with it (or with the master key when there is none), so the stored rows can no
    /// longer be decrypted.
    pub fn destroys_stored_models(&self) -> bool {
        [&self.added, &self.changed, &self.removed]
            .iter()
            .any(|keys| keys.iter().any(|k| k == SALT_KEY_ENV))
    }
}

/// Per key, a digest of the key and its value: enough to tell which key changed, and,
/// with the key mixed in, not a bare hash of a value that could be looked up.
pub fn key_digests(content: &Map<String, Value>) -> Map<String, Value> {
    let mut digests = Map::new();
    for section in ["data", "stringData"] {
        let Some(entries) = content.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (key, value) in entries {
            let text = format!("{section}\0{key}\0{value}");
            digests.insert(key.clone(), Value::String(sha256_hex(text.as_bytes())));
        }
    }
    digests
}

/// The keys whose digests differ between two sealed Secrets (`content.keys`).
pub fn secret_keys(old: Option<&Value>, new: Option<&Value>) -> SecretKeys {
    let keys = |v: Option<&Value>| -> BTreeMap<String, Value> {
        v.and_then(|s| s.pointer("/content/keys"))
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let (old, new) = (keys(old), keys(new));
    let mut out = SecretKeys::default();
    for (key, digest) in &new {
        match old.get(key) {
            None => out.added.push(key.clone()),
            Some(d) if d != digest => out.changed.push(key.clone()),
            Some(_) => {}
        }
    }
    out.removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    out
}

/// Every field of one `model_list` entry that differs, named as the spec names it under
/// `models[label]`.
pub fn model_fields(label: &str, old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut leaves = Vec::new();
    diff_leaves(old, new, &mut Vec::new(), &mut leaves);
    leaves
        .into_iter()
        // The stamps litegate writes change with any edit of the config: not the user's field.
        .filter(|(path, ..)| {
            !(path.first().is_some_and(|p| p == "model_info")
                && path
                    .get(1)
                    .is_some_and(|k| STAMPED_INFO.contains(&k.as_str())))
        })
        .map(|(path, old, new)| FieldChange {
            path: format!("models[{label}].{}", spec_field(&path)),
            old,
            new,
        })
        .collect()
}

/// A config.yaml path inside a model entry -> the spec field it comes from.
fn spec_field(path: &[String]) -> String {
    let rest = |from: usize| path[from..].join(".");
    match path.first().map(String::as_str) {
        Some("model_name") => "name".to_owned(),
        Some("model_info") => format!("info.{}", rest(1)),
        Some("litellm_params") => {
            let field = match path.get(1).map(String::as_str) {
                Some("model") => "model",
                Some("rpm") => "limits.rpm",
                Some("tpm") => "limits.tpm",
                Some("timeout") => "timeout",
                Some("additional_drop_params") => "dropParams",
                // Set on the provider; the model's entry is where it shows.
                Some("api_base") => "provider.apiBase",
                Some("api_version") => "provider.apiVersion",
                Some("api_key") => "provider.apiKey",
                _ => return format!("params.{}", rest(1)),
            };
            field.to_owned()
        }
        Some("rpm" | "tpm") => format!("entryLimits.{}", rest(0)),
        _ => rest(0),
    }
}

/// Leaves that differ; a list is one leaf (its order matters, its items have no names).
fn diff_leaves(
    a: &Value,
    b: &Value,
    at: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Value, Value)>,
) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                at.push(k.clone());
                diff_leaves(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    at,
                    out,
                );
                at.pop();
            }
        }
        _ if a == b => {}
        _ => out.push((at.clone(), a.clone(), b.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_param_edit_is_named_as_the_spec_names_it() {
        let old = json!({"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o", "temperature": 0.2}});
        let new = json!({"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o", "temperature": 0.3, "rpm": 10}});
        let lines: Vec<String> = model_fields("gpt-4o", &old, &new)
            .iter()
            .map(FieldChange::to_text)
            .collect();
        assert_eq!(
            lines,
            [
                "models[gpt-4o].limits.rpm: (unset) -> 10",
                "models[gpt-4o].params.temperature: 0.2 -> 0.3"
            ]
        );
        // rpm beside litellm_params is entryLimits, not limits.
        let entry = json!({"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}, "rpm": 500});
        let lines: Vec<String> = model_fields("gpt-4o", &entry, &json!({"model_name": "gpt-4o", "litellm_params": {"model": "openai/gpt-4o"}, "rpm": 600}))
            .iter()
            .map(FieldChange::to_text)
            .collect();
        assert_eq!(lines, ["models[gpt-4o].entryLimits.rpm: 500 -> 600"]);
    }

    #[test]
    fn secret_keys_are_told_apart_by_digest_only() {
        let seal =
            |data: Value| json!({"content": {"keys": key_digests(data.as_object().expect("map"))}});
        let old = seal(json!({"stringData": {"A": "NEVER-PRINT-1", "B": "x", "C": "y"}}));
        let new = seal(json!({"stringData": {"A": "NEVER-PRINT-2", "B": "x", "D": "z"}}));
        assert!(!new.to_string().contains("NEVER-PRINT"));
        let keys = secret_keys(Some(&old), Some(&new));
        assert_eq!(
            keys.lines(),
            [
                "Secret key D added (value not shown)",
                "Secret key A changed (value not shown)",
                "Secret key C removed (value not shown)"
            ]
        );
        assert!(!keys.destroys_stored_models());
    }
}
