//! `litegate sync`: makes a running, database-backed LiteLLM serve the spec's models, through
//! its admin API, touching only the rows litegate owns.
//!
//! It reads `GET /model/info`, computes the requests that take the rows to the spec (the
//! same requests `plan` prints, from `admin`), sends them in order, and reads back until
//! the proxy reports no difference. A second run finds nothing to do and sends no write.
//!
//! Failures: connection errors and 5xx answers are retried with exponential backoff,
//! always by reading the proxy's state again and recomputing what is left, so a request
//! whose answer was lost is never sent twice blindly. 401/403, "No DB Connected" and other
//! refusals are not retried. The master key is sent as a bearer token and never printed:
//! any text from the proxy is scrubbed of every form of it (`secret_forms`: any letter
//! case, hex, base64, JSON- and URL-escaped) and of anything secret-shaped, before it is
//! cut to length, and so is any id the proxy gave that sync prints.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::admin::{self, Request};
use crate::proxy::{Client, ClientOptions, MAX_BACKOFF, ProxyError};
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

#[derive(Debug, Clone)]
pub struct Options {
    pub client: ClientOptions,
    /// How long read-back may take to show the applied state (other replicas pick database
    /// changes up within LiteLLM's `proxy_config_reload_interval_seconds`).
    pub verify_timeout: Duration,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub url: String,
    pub gateway: String,
    pub dry_run: bool,
    /// What the first read-back called for; with `--dry-run`, the drift.
    pub planned: Vec<Request>,
    /// What was sent and accepted, in order (a retried request appears once per success).
    pub applied: Vec<Request>,
    /// The last read-back showed no difference (not checked with `--dry-run`).
    pub in_sync: bool,
    /// Ids whose stored row the proxy could not load (encrypted with a salt key, or a
    /// master key, it no longer has), deleted and created again from the spec.
    pub unloadable: Vec<String>,
    /// Writes the proxy stored but said it does not serve yet, with its words: read-back
    /// then waited for the pod's reload.
    pub saved_not_live: Vec<String>,
    /// Why sync stopped, when it failed: `applied` then says what was sent before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Outcome {
    pub fn to_text(&self) -> String {
        let mut s = format!("sync: gateway {} at {}\n", self.gateway, self.url);
        if self.planned.is_empty() {
            s.push_str("in sync: no request needed\n");
            return s;
        }
        s.push_str(if self.dry_run {
            "drift: these requests would make the proxy match the spec, in order:\n"
        } else {
            "sent, in order:\n"
        });
        let list = if self.dry_run {
            &self.planned
        } else {
            &self.applied
        };
        for r in list {
            s.push_str(&format!("  {} {} {}\n", r.method, r.path, r.body));
        }
        if !self.unloadable.is_empty() {
            s.push_str(&format!(
                "replaced stored rows the proxy could not load (encrypted with a \
                 LITELLM_SALT_KEY, or a master key, it no longer has): {}\n",
                self.unloadable.join(", ")
            ));
        }
        for note in &self.saved_not_live {
            s.push_str(&format!(
                "stored, but not live on the pod that took it until its next reload: {note}\n"
            ));
        }
        if !self.dry_run {
            s.push_str(&format!(
                "applied {} request(s); read back: in sync\n",
                self.applied.len()
            ));
        }
        s
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Talking to the proxy failed, or it refused a request.
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    #[error(
        "after applying, {url} still differs from the spec after {seconds} s of read-back: {left}. \
         A pod that has not reloaded yet (proxy_config_reload_interval_seconds) shows the old \
         rows: run sync again, or point --url at one pod"
    )]
    NotConverged {
        url: String,
        seconds: u64,
        left: String,
    },
    #[error(
        "{cause}\n  applied before the failure: {applied}\n  not applied: {left}{missing}\n  sync \
         reads the proxy's state first, so running it again finishes the job"
    )]
    Midway {
        cause: Box<SyncError>,
        applied: String,
        left: String,
        /// Empty, or a line naming the ids a replace deleted and did not re-create.
        missing: String,
    },
    /// Rows under the spec's ids that are not this gateway's: sync writes none of them.
    #[error(
        "rows under this spec's ids are not gateway {gateway}'s, so sync writes nothing: {rows}. \
         Give the models other ids (models[].id), or remove those rows if they are stale"
    )]
    Conflict { gateway: String, rows: String },
    /// `/model/new` keeps failing because a row the proxy cannot load holds the id.
    #[error(
        "POST /model/new for {id} fails with \"Failed to add model to db\" although the proxy \
         shows no row for it, even after deleting that row: the database holds a row this proxy \
         cannot load, encrypted with a LITELLM_SALT_KEY (or, without one, a master key) it no \
         longer has. Restore the old key, or delete the row in the database"
    )]
    Unloadable { id: String },
}

/// Runs a sync against the proxy at `options.url`.
pub fn sync(desired: &Desired, options: &Options) -> Result<Outcome, Failed> {
    let proxy = Client::new(&options.client);
    let mut outcome = Outcome {
        url: proxy.shown_url.clone(),
        gateway: desired.gateway.clone(),
        dry_run: options.dry_run,
        planned: Vec::new(),
        applied: Vec::new(),
        in_sync: false,
        unloadable: Vec::new(),
        saved_not_live: Vec::new(),
        error: None,
    };
    let done = apply(desired, options, &proxy, &mut outcome)
        .and_then(|()| read_back(desired, options, &proxy, &mut outcome));
    // What is printed may carry ids the proxy gave.
    proxy.scrub_requests(&mut outcome.planned);
    proxy.scrub_requests(&mut outcome.applied);
    match done {
        Ok(()) => Ok(outcome),
        Err(error) => {
            outcome.error = Some(proxy.scrub(&error.to_string()));
            Err(Failed {
                error,
                outcome: Box::new(outcome),
            })
        }
    }
}

/// A sync that stopped: why, and what it had sent by then.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Failed {
    pub error: SyncError,
    /// With `error` set; `applied` lists what was sent before the failure.
    pub outcome: Box<Outcome>,
}

/// Sends what the proxy's state calls for, re-reading it after each transient failure;
/// fills `planned` (the first read's answer) and `applied`.
fn apply(
    desired: &Desired,
    options: &Options,
    proxy: &Client,
    outcome: &mut Outcome,
) -> Result<(), SyncError> {
    let mut retries_left = options.client.retries;
    let mut delay = options.client.backoff;
    let mut first = true;
    // Ids whose row the proxy could not load and that were replaced once already.
    let mut replaced: Vec<String> = Vec::new();
    'rounds: loop {
        let todo = diff(desired, &proxy.model_info()?);
        if !todo.conflicts.is_empty() {
            return Err(SyncError::Conflict {
                gateway: desired.gateway.clone(),
                rows: todo
                    .conflicts
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        let todo = todo.requests;
        if first {
            outcome.planned = todo.clone();
            first = false;
            if options.dry_run {
                return Ok(());
            }
        }
        if todo.is_empty() {
            outcome.in_sync = true;
            return Ok(());
        }
        for (i, request) in todo.iter().enumerate() {
            let failure = match proxy.send(request) {
                Ok(()) => {
                    outcome.applied.push(request.clone());
                    continue;
                }
                Err(failure) => failure,
            };
            let id = request.model_id().to_owned();
            if failure.saved_but_not_live() {
                // Stored: read-back waits for the pod's next reload to serve it.
                outcome.applied.push(request.clone());
                outcome.saved_not_live.push(format!(
                    "{}: {}",
                    proxy.scrub(&id),
                    failure.message(proxy)
                ));
                continue;
            }
            if failure.row_exists() && request.path == "/model/new" && !replaced.contains(&id) {
                // A row under this id that the proxy cannot load (encrypted with a salt or
                // master key it no longer has): replaced once, then everything re-read.
                replaced.push(id.clone());
                let delete = Request::delete_model(&id);
                if proxy.send(&delete).is_ok() {
                    outcome.applied.push(delete);
                    outcome.unloadable.push(proxy.scrub(&id));
                }
                continue 'rounds;
            }
            let unloadable = failure.row_exists() && request.path == "/model/new";
            if failure.is_transient() && !unloadable && retries_left > 0 {
                retries_left -= 1;
                std::thread::sleep(delay);
                delay = (delay * 2).min(MAX_BACKOFF);
                continue 'rounds;
            }
            let cause: SyncError = if unloadable {
                SyncError::Unloadable {
                    id: proxy.scrub(&id),
                }
            } else {
                failure
                    .into_error(proxy, request, options.client.retries + 1)
                    .into()
            };
            if outcome.applied.is_empty() {
                return Err(cause);
            }
            return Err(SyncError::Midway {
                cause: Box::new(cause),
                applied: proxy.scrub(&describe(&outcome.applied)),
                left: proxy.scrub(&describe(&todo[i..])),
                missing: proxy.scrub(&deleted_not_recreated(&outcome.applied, &todo[i..])),
            });
        }
        return Ok(());
    }
}

/// Ids a replace deleted and whose new row was not sent: the pods that took the delete
/// serve no deployment for them until it is.
fn deleted_not_recreated(applied: &[Request], left: &[Request]) -> String {
    let ids: Vec<&str> = applied
        .iter()
        .filter(|r| r.path == "/model/delete")
        .map(Request::model_id)
        .filter(|id| {
            left.iter()
                .any(|r| r.path == "/model/new" && r.model_id() == *id)
        })
        .collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!(
            "\n  deleted and not yet re-created (the pods that took the delete serve none of \
             them meanwhile): {}",
            ids.join(", ")
        )
    }
}

/// Everything was sent: reads back, without sending again, until the proxy agrees.
fn read_back(
    desired: &Desired,
    options: &Options,
    proxy: &Client,
    outcome: &mut Outcome,
) -> Result<(), SyncError> {
    if outcome.in_sync || options.dry_run {
        return Ok(());
    }
    let started = Instant::now();
    let mut wait = options.client.backoff;
    loop {
        let served = proxy.model_info()?;
        let left = diff(desired, &served).requests;
        if left.is_empty() {
            outcome.in_sync = true;
            return Ok(());
        }
        if started.elapsed() >= options.verify_timeout {
            return Err(SyncError::NotConverged {
                url: proxy.shown_url.clone(),
                seconds: options.verify_timeout.as_secs(),
                left: proxy.scrub(&why_left(desired, &served, &left)),
            });
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(MAX_BACKOFF);
    }
}

/// Each request still called for, with what differs: `gpt-4o--openai (litellm_params.temperature)`.
fn why_left(desired: &Desired, served: &[Value], left: &[Request]) -> String {
    left.iter()
        .map(|r| {
            let id = r.model_id();
            let row = served
                .iter()
                .find(|s| s.pointer("/model_info/id").and_then(Value::as_str) == Some(id));
            let what = match (row, desired.rows.get(id)) {
                (Some(row), Some(want)) => match served::difference(row, want) {
                    Difference::Value(at) | Difference::ExtraKey(at) => at,
                    Difference::None => "its digest".into(),
                },
                (None, _) => "no row".into(),
                (Some(_), None) => "no longer in the spec".into(),
            };
            format!("{} {} ({id}: {what})", r.method, r.path)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(requests: &[Request]) -> String {
    if requests.is_empty() {
        return "none".into();
    }
    requests
        .iter()
        .map(|r| format!("{} {} ({})", r.method, r.path, r.model_id()))
        .collect::<Vec<_>>()
        .join(", ")
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
