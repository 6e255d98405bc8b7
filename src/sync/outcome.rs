//! What a sync did and why it stopped: the report printed as text or JSON, and the errors.

use serde::Serialize;

use crate::admin::Request;
use crate::proxy::ProxyError;

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
