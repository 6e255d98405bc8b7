//! What the proxy serves against what the spec wants: the requests between them, and the
//! rows sync will not touch (another gateway's under the spec's ids).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::admin::{self, Request};
use crate::served::{self, Difference};

/// The spec's side: the gateway's name and the row each owned id should be.
#[derive(Debug, Clone)]
pub struct Desired {
    pub gateway: String,
    pub rows: BTreeMap<String, Value>,
}

impl Desired {
    /// From config.yaml's `model_list` entries, keyed by `model_info.id`.
    pub fn new(gateway: &str, entries: &BTreeMap<String, Value>) -> Self {
        Desired {
            gateway: gateway.to_owned(),
            rows: entries
                .iter()
                .map(|(id, entry)| (id.clone(), admin::desired_row(entry, gateway)))
                .collect(),
        }
    }
}

/// What it takes to make a proxy serve the spec's rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// In the order they are sent.
    pub requests: Vec<Request>,
    /// Rows under a spec id that litegate does not own for this gateway: never written.
    pub conflicts: Vec<Conflict>,
}

/// A database row under one of the spec's ids that is not this gateway's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub id: String,
    /// The gateway whose litegate wrote it, or `None` when no litegate did (a person, the UI).
    pub owner: Option<String>,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.owner {
            Some(gateway) => write!(f, "{}: a row gateway {gateway} owns", self.id),
            None => write!(f, "{}: a row litegate did not write", self.id),
        }
    }
}

/// The requests that make `served` (the `data` of `GET /model/info`) match `desired`:
/// a missing row (absent, or only in config.yaml) is created, a row that differs is
/// patched, or replaced when it has a key the spec does not set (a PATCH merges and
/// cannot remove one), and a row litegate wrote for this gateway whose id left the spec is
/// deleted. A row under a spec id that is not this gateway's is a conflict, never written;
/// rows of other gateways and people's rows elsewhere, and config-only models, are left alone.
pub fn diff(desired: &Desired, served: &[Value]) -> Diff {
    let by_id: BTreeMap<&str, &Value> = served
        .iter()
        .filter_map(|row| Some((row.pointer("/model_info/id")?.as_str()?, row)))
        .collect();
    let mut out = Diff::default();
    for (id, want) in &desired.rows {
        match by_id.get(id.as_str()) {
            Some(row) if is_db_row(row) && !admin::owned_by(row, &desired.gateway) => {
                out.conflicts.push(Conflict {
                    id: id.clone(),
                    owner: admin::gateway_of(row).map(str::to_owned),
                });
            }
            Some(row) if is_db_row(row) => out.requests.extend(repair(id, row, want)),
            _ => out.requests.push(Request::new_model(want)),
        }
    }
    for (id, row) in &by_id {
        if is_db_row(row)
            && admin::owned_by(row, &desired.gateway)
            && !desired.rows.contains_key(*id)
        {
            out.requests.push(Request::delete_model(id));
        }
    }
    out.requests = admin::in_order(std::mem::take(&mut out.requests));
    out
}

/// What an owned row needs: nothing, a PATCH, or delete + new.
fn repair(id: &str, row: &Value, want: &Value) -> Vec<Request> {
    match served::difference(row, want) {
        Difference::ExtraKey(_) => vec![Request::delete_model(id), Request::new_model(want)],
        difference => {
            let requests = admin::replace(id, row, want);
            if requests.is_empty() && difference != Difference::None {
                // Edited by hand (the UI, a script): the digest is stale, the row is not.
                vec![Request::update_model(id, want)]
            } else {
                requests
            }
        }
    }
}

fn is_db_row(row: &Value) -> bool {
    row.pointer("/model_info/db_model").and_then(Value::as_bool) == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn desired() -> Desired {
        let entries = [("a--x", "a"), ("b--x", "b")]
            .into_iter()
            .map(|(id, name)| {
                (
                    id.to_owned(),
                    json!({
                        "model_name": name,
                        "litellm_params": {"model": format!("openai/{name}")},
                        "model_info": {"id": id},
                    }),
                )
            })
            .collect();
        Desired::new("gw", &entries)
    }

    fn as_row(mut row: Value) -> Value {
        row["model_info"]["db_model"] = json!(true);
        row
    }

    #[test]
    fn config_only_models_get_a_row_and_current_rows_nothing() {
        let d = desired();
        let config_only = json!({"model_name": "a", "litellm_params": {}, "model_info": {"id": "a--x", "db_model": false}});
        let current_b = as_row(d.rows["b--x"].clone());
        let todo = diff(&d, &[config_only, current_b]).requests;
        let shape: Vec<_> = todo
            .iter()
            .map(|r| (r.path.as_str(), r.model_id()))
            .collect();
        assert_eq!(shape, [("/model/new", "a--x")]);
    }

    #[test]
    fn only_this_gateways_own_rows_are_deleted() {
        let d = desired();
        let mut ours = as_row(admin::desired_row(
            &json!({"model_name": "old", "litellm_params": {"model": "openai/old"}, "model_info": {"id": "old--x"}}),
            "gw",
        ));
        let theirs = as_row(admin::desired_row(
            &json!({"model_name": "t", "litellm_params": {"model": "openai/t"}, "model_info": {"id": "t--x"}}),
            "other-gw",
        ));
        let people = json!({"model_name": "ui", "litellm_params": {"model": "openai/ui"}, "model_info": {"id": "ui-made", "db_model": true}});
        let mut served = vec![
            as_row(d.rows["a--x"].clone()),
            as_row(d.rows["b--x"].clone()),
            theirs,
            people,
        ];
        served.push(ours.take());
        let todo = diff(&d, &served).requests;
        let shape: Vec<_> = todo
            .iter()
            .map(|r| (r.path.as_str(), r.model_id()))
            .collect();
        assert_eq!(shape, [("/model/delete", "old--x")]);
    }
}
