//! A client for LiteLLM's model admin API, shared by `sync` and `verify`: one HTTP
//! exchange at a time, transient failures retried with backoff, the master key sent as a
//! bearer token and never shown. Any text from the proxy is scrubbed of every form of the
//! key (`secret_forms`: any letter case, hex, base64, JSON- and URL-escaped) and of anything
//! secret-shaped, before it is cut to length.

use std::time::Duration;

use serde_json::Value;

use crate::admin::Request;
use crate::secret_forms::scrub_known;

/// Where the proxy is and how patiently to talk to it.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The proxy's base URL, e.g. `http://127.0.0.1:4000`.
    pub url: String,
    pub master_key: String,
    /// The env var the master key came from, for messages.
    pub master_key_env: String,
    /// Per request, connection included.
    pub timeout: Duration,
    /// How many times a transient failure is retried before giving up.
    pub retries: u32,
    /// The first retry's delay; it doubles on each retry, up to 10 s.
    pub backoff: Duration,
    /// The largest answer read, in bytes: see [`answer_limit`].
    pub max_answer: u64,
}

/// How large an answer may be for a spec of `models` models: `/model/info` shows about
/// 8 KB a row (LiteLLM 1.106.2, measured), so 4,500 models answer 35 MB. Room for as many
/// rows again as the spec has, and 16 MiB for rows it does not know, bounds what a proxy
/// can make litegate hold without refusing a large gateway.
pub fn answer_limit(models: usize) -> u64 {
    const BASE: u64 = 16 << 20;
    const PER_MODEL: u64 = 32 << 10;
    BASE.saturating_add(PER_MODEL.saturating_mul(models as u64))
}

pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// What can go wrong talking to a proxy; every text from it is scrubbed first.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error(
        "{url} rejected the master key from ${env} (HTTP {status}): check that it is this proxy's master key"
    )]
    Unauthorized {
        url: String,
        env: String,
        status: u16,
    },
    #[error(
        "{url} did not take the key from ${env} as its master key, and has no database to look \
         other keys up in (\"No connected db.\"): check the key; note that without a database \
         models cannot change live either (roll out instead)"
    )]
    NotMasterKey { url: String, env: String },
    #[error(
        "{url} has no database (\"No DB Connected\"), so it cannot change models live: roll out \
         instead (litegate render, then apply; `litegate plan` shows the rollout), or give the \
         spec deployment.database"
    )]
    NoDatabase { url: String },
    #[error("cannot reach {url} after {attempts} attempt(s): {cause}")]
    Unreachable {
        url: String,
        attempts: u32,
        cause: String,
    },
    #[error("{request} was refused (HTTP {status}): {message}")]
    Refused {
        request: String,
        status: u16,
        message: String,
    },
    #[error(
        "{url} answered {request} with more than {limit_mib} MiB, more than a gateway of this \
         spec's size should: point --url at the right proxy"
    )]
    TooLarge {
        url: String,
        request: String,
        limit_mib: u64,
    },
    #[error("{url} answered GET {path} with something other than a model list: {message}")]
    BadInfo {
        url: String,
        path: &'static str,
        message: String,
    },
}

/// What went wrong with one request.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No answer (refused, reset, timed out): worth retrying.
    Transport(String),
    /// A 5xx other than "No DB Connected": worth retrying.
    Server { status: u16, body: String },
    /// Any other answer that is not a 2xx: final.
    Status { status: u16, body: String },
    /// An answer larger than `ClientOptions::max_answer`: final.
    TooLarge { limit: u64 },
}

impl Failure {
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, Failure::Transport(_) | Failure::Server { .. })
    }

    /// LiteLLM stored the write but could not reload it (`raise_if_reload_degraded_serving`):
    /// it is applied, and the pod serves it once its next reload works.
    pub(crate) fn saved_but_not_live(&self) -> bool {
        matches!(self, Failure::Server { body, .. } if body.contains("was saved to the database, but"))
    }

    /// The proxy's words for this failure, scrubbed, then cut to what a message shows.
    pub(crate) fn message(&self, proxy: &Client) -> String {
        match self {
            Failure::Server { body, .. } | Failure::Status { body, .. } => {
                shown(&proxy.scrub(&proxy_message(body)))
            }
            Failure::Transport(cause) => shown(&proxy.scrub(cause)),
            Failure::TooLarge { limit } => format!("an answer over {} MiB", limit >> 20),
        }
    }

    /// `/model/new` under an id that already has a row in the database, one the proxy
    /// cannot load (nothing shows it in `/model/info`).
    pub(crate) fn row_exists(&self) -> bool {
        matches!(self, Failure::Server { body, .. } if body.contains("Failed to add model to db"))
    }
}

impl Failure {
    pub(crate) fn into_error(self, proxy: &Client, request: &Request, attempts: u32) -> ProxyError {
        let url = proxy.shown_url.clone();
        match self {
            Failure::Status { status, .. } if status == 401 || status == 403 => {
                ProxyError::Unauthorized {
                    url,
                    env: proxy.key_env.clone(),
                    status,
                }
            }
            Failure::Status { body, .. } if no_database(&body) => ProxyError::NoDatabase { url },
            // A DB-less proxy looks a key that is not its master key up in the database
            // it does not have, and says only that.
            Failure::Status { status: 400, body } if body.contains("no_db_connection") => {
                ProxyError::NotMasterKey {
                    url,
                    env: proxy.key_env.clone(),
                }
            }
            Failure::Status { status, body } | Failure::Server { status, body } => {
                ProxyError::Refused {
                    request: proxy.scrub(&format!("{} {}", request.method, request.path)),
                    status,
                    message: shown(&proxy.scrub(&proxy_message(&body))),
                }
            }
            Failure::TooLarge { limit } => ProxyError::TooLarge {
                url,
                request: proxy.scrub(&format!("{} {}", request.method, request.path)),
                limit_mib: limit >> 20,
            },
            Failure::Transport(cause) => ProxyError::Unreachable {
                url,
                attempts,
                cause: shown(&proxy.scrub(&cause)),
            },
        }
    }
}

/// LiteLLM 1.106.2 says "No DB Connected" on /model/new, /model/delete and /model/update,
/// and "DB not connected" on PATCH /model/{id}/update.
fn no_database(body: &str) -> bool {
    body.contains("No DB Connected") || body.contains("DB not connected")
}

/// LiteLLM answers errors as `{"error": {"message": ...}}` or `{"detail": ...}`; whole,
/// to be scrubbed before `shown` cuts it (a cut first could split a key and leave its
/// first characters past the scrubber's reach).
fn proxy_message(body: &str) -> String {
    let parsed: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = parsed
        .pointer("/error/message")
        .or_else(|| parsed.get("detail"))
        .or_else(|| parsed.get("error"));
    match message {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => body.to_owned(),
    }
}

/// How much of the proxy's (already scrubbed) words a message shows.
const SHOWN_CHARS: usize = 300;

/// Scrubbed text cut to `SHOWN_CHARS` characters, on a char boundary, marked when cut.
fn shown(scrubbed: &str) -> String {
    match scrubbed.char_indices().nth(SHOWN_CHARS) {
        Some((end, _)) => format!("{}...", &scrubbed[..end]),
        None => scrubbed.to_owned(),
    }
}

pub struct Client {
    agent: ureq::Agent,
    url: String,
    /// `url` as messages show it, scrubbed like the proxy's words.
    pub shown_url: String,
    key: String,
    pub key_env: String,
    retries: u32,
    backoff: Duration,
    max_answer: u64,
}

impl Client {
    pub fn new(options: &ClientOptions) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let url = options.url.trim_end_matches('/').to_owned();
        let shown_url = scrub(&url, &options.master_key);
        Client {
            agent,
            url,
            shown_url,
            key: options.master_key.clone(),
            key_env: options.master_key_env.clone(),
            retries: options.retries,
            backoff: options.backoff,
            max_answer: options.max_answer,
        }
    }

    /// `GET /model/info`'s `data`, retrying transient failures.
    pub fn model_info(&self) -> Result<Vec<Value>, ProxyError> {
        self.data("/model/info")
    }

    /// The model names `GET /v1/models` lists: what clients can ask for.
    pub fn model_names(&self) -> Result<Vec<String>, ProxyError> {
        Ok(self
            .data("/v1/models")?
            .iter()
            .filter_map(|m| m.get("id")?.as_str().map(str::to_owned))
            .collect())
    }

    /// The `data` list a GET answers with, retrying transient failures.
    fn data(&self, path: &'static str) -> Result<Vec<Value>, ProxyError> {
        let read = Request {
            method: "GET",
            path: path.into(),
            body: Value::Null,
        };
        let mut delay = self.backoff;
        let mut attempt = 0;
        let body = loop {
            attempt += 1;
            match self.call(&read) {
                Ok(body) => break body,
                Err(failure) if failure.is_transient() && attempt <= self.retries => {
                    std::thread::sleep(delay);
                    delay = (delay * 2).min(MAX_BACKOFF);
                }
                Err(failure) => return Err(failure.into_error(self, &read, attempt)),
            }
        };
        let parsed: Value = serde_json::from_str(&body).map_err(|e| ProxyError::BadInfo {
            url: self.shown_url.clone(),
            path,
            message: self.scrub(&e.to_string()),
        })?;
        match parsed.get("data") {
            Some(Value::Array(rows)) => Ok(rows.clone()),
            _ => Err(ProxyError::BadInfo {
                url: self.shown_url.clone(),
                path,
                message: "no `data` list".into(),
            }),
        }
    }

    pub(crate) fn send(&self, request: &Request) -> Result<(), Failure> {
        self.call(request).map(drop)
    }

    /// One HTTP exchange; the body of a 2xx answer.
    pub(crate) fn call(&self, request: &Request) -> Result<String, Failure> {
        let url = format!("{}{}", self.url, request.path);
        let auth = format!("Bearer {}", self.key);
        let result = match request.method {
            "GET" => self.agent.get(&url).header("Authorization", &auth).call(),
            "PATCH" => self
                .agent
                .patch(&url)
                .header("Authorization", &auth)
                .send_json(&request.body),
            _ => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(&request.body),
        };
        let mut response = result.map_err(|e| Failure::Transport(e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_answer)
            .read_to_string()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Failure::TooLarge {
                    limit: self.max_answer,
                },
                e => Failure::Transport(e.to_string()),
            })?;
        match status {
            200..=299 => Ok(body),
            500..=599 if !no_database(&body) => Err(Failure::Server { status, body }),
            _ => Err(Failure::Status { status, body }),
        }
    }

    /// The proxy's words, without the master key in any form should it echo it back.
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, &self.key)
    }

    /// Requests to print: a delete carries an id the proxy gave.
    pub fn scrub_requests(&self, requests: &mut [Request]) {
        for r in requests {
            r.path = scrub_known(&r.path, &[self.key.as_bytes()]);
            scrub_strings(&mut r.body, &|s| scrub_known(s, &[self.key.as_bytes()]));
        }
    }
}

/// Every form of `key`, then anything secret-shaped, out of `text`.
fn scrub(text: &str, key: &str) -> String {
    let known = scrub_known(text, &[key.as_bytes()]);
    crate::secret_shape::scrub(&known).into_owned()
}

fn scrub_strings(value: &mut Value, clean: &dyn Fn(&str) -> String) {
    match value {
        Value::String(s) => *s = clean(s),
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_strings(v, clean)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_strings(v, clean)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_key_is_scrubbed_before_the_message_is_cut() {
        let key = "sk-unit-master-0123456789abcdef0123456789";
        let body = json!({"detail": format!("{}{key} and then more", "x".repeat(290))});
        let message = shown(&scrub(&proxy_message(&body.to_string()), key));
        assert!(!message.contains("sk-unit"), "{message}");
        assert!(
            message.contains("<redacted>") && message.ends_with("..."),
            "{message}"
        );
        let wide = "é".repeat(400);
        assert_eq!(shown(&wide).chars().count(), SHOWN_CHARS + 3);
        assert_eq!(shown("short"), "short");
    }

    #[test]
    fn proxy_errors_are_read_from_litellm_shapes() {
        assert_eq!(
            proxy_message(r#"{"error":{"message":"bad thing","type":"auth_error"}}"#),
            "bad thing"
        );
        assert_eq!(proxy_message(r#"{"detail":"nope"}"#), "nope");
        assert_eq!(proxy_message("plain"), "plain");
    }
}
