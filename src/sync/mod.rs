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

mod diff;
mod outcome;

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::admin::Request;
use crate::proxy::{Client, ClientOptions, MAX_BACKOFF};
use crate::served::{self, Difference};

pub use diff::{Desired, diff};
pub use outcome::{Outcome, SyncError};

#[derive(Debug, Clone)]
pub struct Options {
    pub client: ClientOptions,
    /// How long read-back may take to show the applied state (other replicas pick database
    /// changes up within LiteLLM's `proxy_config_reload_interval_seconds`).
    pub verify_timeout: Duration,
    pub dry_run: bool,
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
    let mut pass = Pass {
        proxy,
        options,
        retries_left: options.client.retries,
        delay: options.client.backoff,
        replaced: Vec::new(),
    };
    let mut first = true;
    loop {
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
        match pass.send_all(&todo, outcome) {
            Sent::All => return Ok(()),
            Sent::ReadAgain => {}
            Sent::Stopped(error) => return Err(error),
        }
    }
}

/// How a pass over the requests ended.
enum Sent {
    All,
    /// The proxy's state is to be read again before sending on.
    ReadAgain,
    Stopped(SyncError),
}

/// What carries over from one pass to the next: the retries left, and the ids whose row
/// the proxy could not load and that were replaced once already.
struct Pass<'a> {
    proxy: &'a Client,
    options: &'a Options,
    retries_left: u32,
    delay: Duration,
    replaced: Vec<String>,
}

impl Pass<'_> {
    fn send_all(&mut self, todo: &[Request], outcome: &mut Outcome) -> Sent {
        let proxy = self.proxy;
        for (i, request) in todo.iter().enumerate() {
            let Err(failure) = proxy.send(request) else {
                outcome.applied.push(request.clone());
                continue;
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
            let unloadable = failure.row_exists() && request.path == "/model/new";
            if unloadable && !self.replaced.contains(&id) {
                // A row under this id that the proxy cannot load (encrypted with a salt or
                // master key it no longer has): replaced once, then everything re-read.
                let delete = Request::delete_model(&id);
                if proxy.send(&delete).is_ok() {
                    outcome.applied.push(delete);
                    outcome.unloadable.push(proxy.scrub(&id));
                }
                self.replaced.push(id);
                return Sent::ReadAgain;
            }
            if failure.is_transient() && !unloadable && self.retries_left > 0 {
                self.retries_left -= 1;
                std::thread::sleep(self.delay);
                self.delay = (self.delay * 2).min(MAX_BACKOFF);
                return Sent::ReadAgain;
            }
            let cause: SyncError = if unloadable {
                SyncError::Unloadable {
                    id: proxy.scrub(&id),
                }
            } else {
                failure
                    .into_error(proxy, request, self.options.client.retries + 1)
                    .into()
            };
            if outcome.applied.is_empty() {
                return Sent::Stopped(cause);
            }
            return Sent::Stopped(SyncError::Midway {
                cause: Box::new(cause),
                applied: proxy.scrub(&describe(&outcome.applied)),
                left: proxy.scrub(&describe(&todo[i..])),
                missing: proxy.scrub(&deleted_not_recreated(&outcome.applied, &todo[i..])),
            });
        }
        Sent::All
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
