//! LiteLLM's model admin API as litegate speaks it: the row each config.yaml entry should
//! be, and the requests that take a row from one state to another. `plan` lists these
//! requests and `sync` sends them, so the two always agree to the byte.
//!
//! What the requests are follows LiteLLM 1.106.2's source
//! (`proxy/management_endpoints/model_management_endpoints.py`; see docs/live-updates.md):
//! - `POST /model/new` creates the row under `model_info.id`.
//! - `PATCH /model/{id}/update` (`patch_model`) merges: it sets every key it is given in
//!   `litellm_params` and `model_info` and leaves the others as they were. (The older
//!   `POST /model/update` merges `litellm_params` the same way and ignores `model_info`.)
//!   So a change that only sets keys is a PATCH, and a change that drops a key is
//!   `POST /model/delete` then `POST /model/new` under the same id. config.yaml keeps
//!   listing the model under that id, so between the two requests the pods keep serving
//!   it (`ProxyConfig._delete_deployment` evicts only ids in neither source), except the
//!   one pod that takes the delete, which drops it from its router until the new row lands.
//! - Every row litegate writes carries `model_info.managed_by: litegate`, the gateway's
//!   name, the digest of the row and the keys it set, so `sync` can tell its rows from
//!   people's, see whether a row is current without trusting what `/model/info` masks,
//!   and know which keys a PATCH would leave behind.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::resolve::sha256_hex;

/// `model_info` keys litegate sets on every row it writes.
pub const MANAGED_BY: &str = "managed_by";
pub const MANAGER: &str = "litegate";
pub const GATEWAY: &str = "gateway";
pub const DIGEST: &str = "litegate_digest";
pub const KEYS: &str = "litegate_keys";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Value,
}

impl Request {
    pub fn new_model(row: &Value) -> Self {
        Request {
            method: "POST",
            path: "/model/new".into(),
            body: row.clone(),
        }
    }

    pub fn update_model(id: &str, row: &Value) -> Self {
        Request {
            method: "PATCH",
            path: format!("/model/{id}/update"),
            body: row.clone(),
        }
    }

    pub fn delete_model(id: &str) -> Self {
        Request {
            method: "POST",
            path: "/model/delete".into(),
            body: json!({ "id": id }),
        }
    }

    /// The model id the request is about.
    pub fn model_id(&self) -> &str {
        self.body
            .pointer("/model_info/id")
            .or_else(|| self.body.get("id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// The row litegate wants for a config.yaml `model_list` entry: the entry as it stands
/// (secrets are `os.environ/NAME` strings, resolved on each pod) plus the marks.
pub fn desired_row(entry: &Value, gateway: &str) -> Value {
    let mut info = entry
        .get("model_info")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    info.insert(MANAGED_BY.into(), MANAGER.into());
    info.insert(GATEWAY.into(), gateway.into());
    let mut row = json!({
        "model_name": entry.get("model_name").cloned().unwrap_or(Value::Null),
        "litellm_params": entry.get("litellm_params").cloned().unwrap_or_else(|| json!({})),
        "model_info": Value::Object(info),
    });
    let keys: Vec<Value> = set_keys(&row).into_iter().map(Value::from).collect();
    row["model_info"][KEYS] = Value::Array(keys);
    // serde_json's maps are sorted, so the compact text is canonical.
    let digest = sha256_hex(row.to_string().as_bytes());
    row["model_info"][DIGEST] = Value::from(digest);
    row
}

/// `litellm_params.<key>` and `model_info.<key>` for every key the row sets.
fn set_keys(row: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for section in ["litellm_params", "model_info"] {
        for key in row
            .get(section)
            .and_then(Value::as_object)
            .map(Map::keys)
            .into_iter()
            .flatten()
        {
            out.insert(format!("{section}.{key}"));
        }
    }
    out
}

/// The keys a row says litegate set on it, when litegate wrote it.
fn recorded_keys(row: &Value) -> Option<BTreeSet<String>> {
    row.pointer(&format!("/model_info/{KEYS}"))?
        .as_array()?
        .iter()
        .map(|k| k.as_str().map(str::to_owned))
        .collect()
}

pub fn digest(row: &Value) -> Option<&str> {
    row.pointer(&format!("/model_info/{DIGEST}"))?.as_str()
}

/// Whether litegate wrote this row for this gateway.
/// The gateway a row says its litegate wrote it for, when litegate wrote it.
pub fn gateway_of(row: &Value) -> Option<&str> {
    let info = row.get("model_info")?;
    (info.get(MANAGED_BY)?.as_str()? == MANAGER)
        .then(|| info.get(GATEWAY)?.as_str())
        .flatten()
}

pub fn owned_by(row: &Value, gateway: &str) -> bool {
    let info = row.get("model_info");
    info.and_then(|i| i.get(MANAGED_BY)).and_then(Value::as_str) == Some(MANAGER)
        && info.and_then(|i| i.get(GATEWAY)).and_then(Value::as_str) == Some(gateway)
}

/// The requests that turn `current` (a row litegate may have written) into `desired`:
/// nothing when the digests match, a PATCH when every key the old row set is still set,
/// else a delete and a new row under the same id (a PATCH would leave the dropped key).
pub fn replace(id: &str, current: &Value, desired: &Value) -> Vec<Request> {
    if digest(current).is_some() && digest(current) == digest(desired) {
        return Vec::new();
    }
    let still_set = recorded_keys(current)
        .is_some_and(|old| old.is_subset(&recorded_keys(desired).unwrap_or_default()));
    if still_set {
        vec![Request::update_model(id, desired)]
    } else {
        vec![Request::delete_model(id), Request::new_model(desired)]
    }
}

/// Puts requests in the order they are sent: deletes of models that left, then updates,
/// then each replaced model's delete right before its new row, then new rows; each kind by
/// model id. Keeping a replace's two requests together keeps short the time in which the
/// pod that took the delete serves no deployment for that id.
pub fn in_order(mut requests: Vec<Request>) -> Vec<Request> {
    let created: BTreeSet<String> = requests
        .iter()
        .filter(|r| r.path == "/model/new")
        .map(|r| r.model_id().to_owned())
        .collect();
    let deleted: BTreeSet<String> = requests
        .iter()
        .filter(|r| r.path == "/model/delete")
        .map(|r| r.model_id().to_owned())
        .collect();
    // (group, model id, step): a replace's delete (step 0) and new (step 1) share group 2.
    requests.sort_by_cached_key(|r| {
        let id = r.model_id();
        let replaced = created.contains(id) && deleted.contains(id);
        let (group, step) = match (r.method, r.path.as_str()) {
            ("POST", "/model/delete") if !replaced => (0, 0),
            ("PATCH", _) => (1, 0),
            ("POST", "/model/delete") => (2, 0),
            _ if replaced => (2, 1),
            _ => (3, 0),
        };
        (group, id.to_owned(), step)
    });
    requests
}

/// The ids a delete + new replaces, in order: the model is not served on the pod that
/// takes the sync between the two.
pub fn replaced_ids(requests: &[Request]) -> Vec<String> {
    let created: BTreeSet<&str> = requests
        .iter()
        .filter(|r| r.path == "/model/new")
        .map(Request::model_id)
        .collect();
    requests
        .iter()
        .filter(|r| r.path == "/model/delete" && created.contains(r.model_id()))
        .map(|r| r.model_id().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(params: Value) -> Value {
        json!({
            "model_name": "gpt-4o",
            "litellm_params": params,
            "model_info": { "id": "gpt-4o--openai" },
        })
    }

    #[test]
    fn the_row_carries_marks_keys_and_a_digest_of_everything_else() {
        let row = desired_row(
            &entry(json!({ "model": "openai/gpt-4o", "api_key": "os.environ/OPENAI_API_KEY" })),
            "llm",
        );
        assert_eq!(row["model_info"][MANAGED_BY], "litegate");
        assert_eq!(row["model_info"][GATEWAY], "llm");
        assert_eq!(
            row["model_info"][KEYS],
            json!([
                "litellm_params.api_key",
                "litellm_params.model",
                "model_info.gateway",
                "model_info.id",
                "model_info.managed_by"
            ])
        );
        assert!(owned_by(&row, "llm"));
        assert!(!owned_by(&row, "other"));
        let again = desired_row(
            &entry(json!({ "api_key": "os.environ/OPENAI_API_KEY", "model": "openai/gpt-4o" })),
            "llm",
        );
        assert_eq!(digest(&row), digest(&again), "key order must not matter");
    }

    #[test]
    fn setting_keys_is_a_patch_and_dropping_one_is_a_replacement() {
        let old = desired_row(
            &entry(json!({ "model": "openai/gpt-4o", "timeout": 30 })),
            "g",
        );
        let same = replace("gpt-4o--openai", &old, &old);
        assert!(same.is_empty());

        let more = desired_row(
            &entry(json!({ "model": "openai/gpt-4o", "timeout": 60, "rpm": 5 })),
            "g",
        );
        let patch = replace("gpt-4o--openai", &old, &more);
        assert_eq!(patch.len(), 1);
        assert_eq!(
            (patch[0].method, patch[0].path.as_str()),
            ("PATCH", "/model/gpt-4o--openai/update")
        );

        let fewer = desired_row(&entry(json!({ "model": "openai/gpt-4o" })), "g");
        let swap = replace("gpt-4o--openai", &old, &fewer);
        let shape: Vec<_> = swap.iter().map(|r| (r.method, r.path.as_str())).collect();
        assert_eq!(shape, [("POST", "/model/delete"), ("POST", "/model/new")]);
    }

    #[test]
    fn a_row_litegate_did_not_write_is_replaced_whole() {
        let foreign = json!({
            "model_name": "gpt-4o",
            "litellm_params": { "model": "openai/gpt-4o" },
            "model_info": { "id": "gpt-4o--openai", "db_model": true },
        });
        let desired = desired_row(&entry(json!({ "model": "openai/gpt-4o" })), "g");
        assert_eq!(replace("gpt-4o--openai", &foreign, &desired).len(), 2);
    }
}
