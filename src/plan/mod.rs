//! `litegate plan OLD NEW`: what applying NEW over OLD changes, per object, and what that
//! does to running pods. Pure: two views in, a `Plan` out, and its text or JSON.
//!
//! Verdicts: `none` (no pod restarts and no admin requests; objects outside the pod
//! template, such as a Service, labels or `spec.replicas`, may still change and are listed),
//! `live` (only model changes, with a database: LiteLLM applies them through its admin API,
//! with the exact requests listed; the Deployment is byte-identical), `rollout` (the pod
//! template changed, and which of its fields did). A Secret is only ever compared by the
//! sha256 of its content: no secret value is kept in a view or a plan.

mod fields;
mod view;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::admin::{self, Request};
use crate::render::KINDS;

pub use fields::{FieldChange, SecretKeys};
pub use view::View;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Unchanged,
    Changed,
    Added,
    Removed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    None,
    Live,
    Rollout,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectChange {
    pub kind: &'static str,
    pub name: String,
    pub change: Change,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelChanges {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Each field of a changed model, by its spec path, old and new value.
    pub fields: Vec<FieldChange>,
}

impl ModelChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub verdict: Verdict,
    /// For `rollout`: the pod-template fields that changed (annotation names such as
    /// `checksum/secret`, `image`, or a path under `spec.template`).
    pub reasons: Vec<String>,
    pub objects: Vec<ObjectChange>,
    pub models: ModelChanges,
    /// For `live`: the admin API requests, in order (deletes, updates, adds; each by id).
    pub requests: Vec<Request>,
    /// The Secret's keys that changed, by name; never a value.
    pub secret_keys: SecretKeys,
    /// Changes that lose data, whatever the verdict (a new salt key).
    pub destructive: Vec<String>,
    /// What the verdict alone does not say.
    pub notes: Vec<String>,
    /// For `rollout`: how fast the pods are replaced, from NEW's Deployment strategy.
    #[serde(skip)]
    pub pace: String,
}

impl Plan {
    /// True when any object changes: `plan` then exits 3.
    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| o.change != Change::Unchanged)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn to_text(&self) -> String {
        let mut s = String::from("objects:\n");
        for o in &self.objects {
            let change = serde_json::to_value(o.change).unwrap_or_default();
            s.push_str(&format!(
                "  {:<24} {:<28} {}\n",
                o.kind,
                o.name,
                change.as_str().unwrap_or_default()
            ));
        }
        let m = &self.models;
        if !m.is_empty() {
            s.push_str("models:\n");
            for (sign, ids) in [("+", &m.added), ("~", &m.changed), ("-", &m.removed)] {
                for id in ids {
                    s.push_str(&format!("  {sign} {id}\n"));
                }
            }
            for field in &m.fields {
                s.push_str(&format!("  {}\n", field.to_text()));
            }
        }
        for line in self.secret_keys.lines() {
            s.push_str(&format!("{line}\n"));
        }
        for d in &self.destructive {
            s.push_str(&format!("DESTRUCTIVE: {d}\n"));
        }
        match self.verdict {
            Verdict::None if self.has_changes() => s.push_str(
                "verdict: none (kubectl apply changes the objects above; no pod restarts)\n",
            ),
            Verdict::None => s.push_str("verdict: none (nothing changes)\n"),
            Verdict::Live => {
                s.push_str(
                    "verdict: live (no pod restarts: LiteLLM applies these through its admin API)\n",
                );
                s.push_str("requests, in order:\n");
                for r in &self.requests {
                    s.push_str(&format!("  {} {} {}\n", r.method, r.path, r.body));
                }
            }
            Verdict::Rollout => {
                s.push_str(&format!(
                    "verdict: rollout (every pod is replaced, {})\n",
                    self.pace
                ));
                s.push_str("because the pod template changed:\n");
                for r in &self.reasons {
                    s.push_str(&format!("  {r}\n"));
                }
            }
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        s
    }
}

/// Compares two views.
/// How the Deployment's rolling update replaces pods, in words.
fn pace(view: &View) -> String {
    let rolling = view
        .objects
        .get("Deployment")
        .and_then(|d| d.pointer("/spec/strategy/rollingUpdate"));
    let field = |name: &str| {
        rolling
            .and_then(|r| r.get(name))
            .map_or_else(String::new, |v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    };
    match (field("maxSurge").as_str(), field("maxUnavailable").as_str()) {
        ("1", "0") => "one at a time".into(),
        (surge, "0") => format!("{surge} at a time, none down before its replacement is ready"),
        (surge, unavailable) => {
            format!("{surge} new at a time, with up to {unavailable} down meanwhile")
        }
    }
}

pub fn plan(old: &View, new: &View) -> Plan {
    let reasons = rollout_reasons(old, new);
    let (models, mut requests) = model_changes(old, new);
    let secret_keys = fields::secret_keys(old.objects.get("Secret"), new.objects.get("Secret"));
    let mut destructive = Vec::new();
    if secret_keys.destroys_stored_models() {
        destructive.push(format!(
            "{} (deployment.database.saltKey) changed: every model stored in the database \
             becomes unreadable (LiteLLM encrypts stored params with it); keep the old salt \
             key unless the stored models are to be re-created",
            crate::names::SALT_KEY_ENV
        ));
    }
    let mut notes = Vec::new();
    let verdict = if !reasons.is_empty() {
        if !models.is_empty() {
            notes.push(
                "the new pods read the new config.yaml: the model changes need no admin request"
                    .into(),
            );
        }
        Verdict::Rollout
    } else if !models.is_empty() {
        // Without a database the pod template carries checksum/config, so a model edit
        // changed it above; here NEW has a database.
        Verdict::Live
    } else {
        Verdict::None
    };
    if verdict == Verdict::Live {
        notes.extend(briefly_missing(&requests));
    } else {
        requests.clear();
    }
    if reasons.is_empty() && new.database() && old.settings() != new.settings() {
        notes.push(
            "config.yaml settings outside model_list changed; LiteLLM reads them only when a \
             pod starts, so they take effect at the next restart \
             (kubectl rollout restart deployment)"
                .into(),
        );
    }
    Plan {
        pace: pace(new),
        verdict,
        reasons,
        objects: object_changes(old, new),
        models,
        requests,
        secret_keys,
        destructive,
        notes,
    }
}

/// Each kind either side has, and whether it was added, removed, changed or kept.
fn object_changes(old: &View, new: &View) -> Vec<ObjectChange> {
    KINDS
        .iter()
        .filter_map(|&(kind, _)| {
            let (o, n) = (old.objects.get(kind), new.objects.get(kind));
            let change = match (o, n) {
                (None, None) => return None,
                (Some(_), None) => Change::Removed,
                (None, Some(_)) => Change::Added,
                (Some(a), Some(b)) if a == b => Change::Unchanged,
                _ => Change::Changed,
            };
            let name = n
                .or(o)
                .and_then(|v| v.pointer("/metadata/name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Some(ObjectChange { kind, name, change })
        })
        .collect()
}

/// The pod-template fields that differ, named: any one rolls every pod.
fn rollout_reasons(old: &View, new: &View) -> Vec<String> {
    let template = |v: &View| {
        v.objects
            .get("Deployment")
            .and_then(|d| d.pointer("/spec/template"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut reasons = Vec::new();
    diff_paths(&template(old), &template(new), "", &mut reasons);
    name_reasons(reasons)
}

/// The models added, changed and removed, with the fields each edit changes, and the admin
/// requests that apply them live, in the order they must be sent.
fn model_changes(old: &View, new: &View) -> (ModelChanges, Vec<Request>) {
    let (old_models, new_models) = (old.models(), new.models());
    let mut models = ModelChanges::default();
    let gateway = new.gateway();
    let mut requests = Vec::new();
    for id in old_models.keys() {
        if !new_models.contains_key(id) {
            models.removed.push(id.clone());
            requests.push(Request::delete_model(id));
        }
    }
    for (id, entry_new) in &new_models {
        let desired = admin::desired_row(entry_new, gateway);
        match old_models.get(id) {
            None => {
                models.added.push(id.clone());
                requests.push(Request::new_model(&desired));
            }
            Some(entry_old) if entry_old != entry_new => {
                models.changed.push(id.clone());
                let label = model_label(&new_models, id, entry_new);
                models
                    .fields
                    .extend(fields::model_fields(&label, entry_old, entry_new));
                let current = admin::desired_row(entry_old, old.gateway());
                requests.extend(admin::replace(id, &current, &desired));
            }
            Some(_) => {}
        }
    }
    (models, admin::in_order(requests))
}

/// The note for models a live plan replaces (delete + new): missing on the syncing pod
/// for the moment between the two requests.
fn briefly_missing(requests: &[Request]) -> Option<String> {
    let replaced = admin::replaced_ids(requests);
    (!replaced.is_empty()).then(|| {
        format!(
            "briefly missing: {} on the one pod that takes the sync, between its \
             /model/delete and /model/new, sent back to back (0.1-0.2 s measured): a \
             removed key cannot be patched away; other pods reload both at once unless \
             their reload falls between the two",
            replaced.join(", ")
        )
    })
}

fn model_label(models: &BTreeMap<String, Value>, id: &str, entry: &Value) -> String {
    let name = entry.get("model_name").and_then(Value::as_str);
    match name {
        Some(name)
            if models
                .values()
                .filter(|m| m.get("model_name").and_then(Value::as_str) == Some(name))
                .count()
                == 1 =>
        {
            name.to_owned()
        }
        _ => id.to_owned(),
    }
}

/// Every leaf path (under the pod template) where `a` and `b` differ.
fn diff_paths(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                let sub = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                diff_paths(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    &sub,
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff_paths(p, q, &format!("{at}[{i}]"), out);
            }
        }
        _ if a == b => {}
        _ => out.push(at.to_owned()),
    }
}

/// Annotation changes are named by the annotation (`checksum/secret`), a container image
/// change is `image`, anything else by its path under `spec.template`.
fn name_reasons(paths: Vec<String>) -> Vec<String> {
    let mut annotations = Vec::new();
    let mut others = Vec::new();
    for p in paths {
        if let Some(key) = p.strip_prefix("metadata.annotations.") {
            annotations.push(key.to_owned());
        } else if p.starts_with("spec.containers[") && p.ends_with("].image") {
            others.push("image".to_owned());
        } else {
            others.push(format!("spec.template.{p}"));
        }
    }
    annotations.sort();
    others.sort();
    others.dedup();
    annotations.extend(others);
    annotations
}
