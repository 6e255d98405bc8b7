//! `litegate verify`: do the running proxies serve the spec? Pod by pod, from what each
//! one says it serves (`GET /model/info` and `GET /v1/models`), not from what was applied.
//!
//! Without a database the config is the truth: every model entry of config.yaml carries a
//! `model_info.litegate_config` stamp ([`crate::render::litellm::stamp`]), so a pod serves
//! the spec when it lists every expected id with the expected stamp, every model name, and
//! no stamped model the spec no longer has. With a database the rows litegate owns are the
//! truth, and a pod serves the spec when `sync` would send it nothing: the same comparison
//! (`sync::diff`), so `verify` and `sync --dry-run` never disagree.
//!
//! A URL behind a Service reaches some pod per connection: each URL is read `samples`
//! times on fresh connections, and the distinct configs seen are counted.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::admin::Request;
use crate::proxy::{Client, ClientOptions, MAX_BACKOFF, ProxyError};
use crate::render::litellm::CONFIG_STAMP;
use crate::resolve::sha256_hex;
use crate::sync::{self, Desired};

/// What the spec says a pod should serve.
#[derive(Debug, Clone)]
pub struct Expected {
    pub gateway: String,
    /// With a database, rows are compared as `sync` compares them.
    pub database: bool,
    /// config.yaml's entries by `model_info.id`.
    pub models: BTreeMap<String, Value>,
    desired: Desired,
}

impl Expected {
    pub fn new(gateway: &str, models: BTreeMap<String, Value>, database: bool) -> Self {
        Expected {
            gateway: gateway.to_owned(),
            database,
            desired: Desired::new(gateway, &models),
            models,
        }
    }

    /// The identity of the config the spec renders, as [`fingerprint`] reads it off a pod.
    pub fn config(&self) -> String {
        fingerprint(self.models.values(), &self.gateway)
    }
}

/// A short identity of the config a pod serves for `gateway`: over the id and stamp of
/// each stamped model, but those another gateway's `sync` wrote (a shared database).
fn fingerprint<'a>(models: impl Iterator<Item = &'a Value>, gateway: &str) -> String {
    let mut pairs: Vec<(String, String)> = models
        .filter_map(|m| {
            let info = m.get("model_info")?;
            let id = info.get("id")?.as_str()?.to_owned();
            let stamp = info.get(CONFIG_STAMP)?.as_str()?.to_owned();
            let theirs = info
                .get(crate::admin::GATEWAY)
                .and_then(Value::as_str)
                .is_some_and(|g| g != gateway);
            (!theirs).then_some((id, stamp))
        })
        .collect();
    pairs.sort();
    let text: String = pairs.iter().map(|(id, s)| format!("{id}={s}\n")).collect();
    sha256_hex(text.as_bytes())[..12].to_owned()
}

/// What one read of one URL showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Read {
    /// The config the pod serves (`fingerprint`), when it answered.
    pub config: Option<String>,
    /// Why the pod does not serve the spec; empty when it does.
    pub problems: Vec<String>,
}

/// Compares what a pod serves with what the spec says.
pub fn check(expected: &Expected, info: &[Value], names: &[String]) -> Read {
    let mut problems = if expected.database {
        database_problems(expected, info)
    } else {
        config_problems(expected, info)
    };
    let listed: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = expected
        .models
        .values()
        .filter_map(|m| m.get("model_name")?.as_str())
        .collect();
    for name in wanted.difference(&listed) {
        problems.push(format!("model name {name}: not listed by /v1/models"));
    }
    Read {
        config: Some(fingerprint(info.iter(), &expected.gateway)),
        problems,
    }
}

fn config_problems(expected: &Expected, info: &[Value]) -> Vec<String> {
    let served: BTreeMap<&str, &Value> = info
        .iter()
        .filter_map(|m| Some((m.pointer("/model_info/id")?.as_str()?, m)))
        .collect();
    let stamp = |m: &Value| {
        m.pointer(&format!("/model_info/{CONFIG_STAMP}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut out = Vec::new();
    for (id, want) in &expected.models {
        match served.get(id.as_str()) {
            None => out.push(format!("{id}: missing")),
            Some(row) if stamp(row) != stamp(want) => out.push(format!(
                "{id}: on another config (stamp {}, the spec's is {})",
                stamp(row).unwrap_or_else(|| "none".into()),
                stamp(want).unwrap_or_default()
            )),
            Some(_) => {}
        }
    }
    for (id, row) in &served {
        if !expected.models.contains_key(*id) && stamp(row).is_some() {
            out.push(format!("{id}: served, but no longer in the spec"));
        }
    }
    out
}

fn database_problems(expected: &Expected, info: &[Value]) -> Vec<String> {
    let diff = sync::diff(&expected.desired, info);
    let conflicts = diff
        .conflicts
        .iter()
        .map(|c| format!("{c}, under an id of this spec"));
    diff.requests
        .iter()
        .map(|r| format!("{}: {}", r.model_id(), why(r)))
        .chain(conflicts)
        .collect()
}

/// What a request `sync` would send says about the row it concerns.
fn why(request: &Request) -> &'static str {
    match (request.method, request.path.as_str()) {
        ("POST", "/model/new") => "no database row yet (sync would create it)",
        ("POST", "/model/delete") => "a row litegate owns that the spec no longer has",
        _ => "its database row differs from the spec (sync would update it)",
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub urls: Vec<String>,
    pub client: ClientOptions,
    /// Reads per URL, each on a fresh connection (a Service spreads them over its pods).
    pub samples: u32,
    /// Poll until every URL serves the spec, for at most this long; `None`: read once.
    pub wait: Option<Duration>,
}

/// Every read of one URL.
#[derive(Debug, Clone, Serialize)]
pub struct UrlReport {
    pub url: String,
    pub serves: bool,
    /// The distinct configs its reads showed (more than one: pods behind it disagree).
    pub configs: Vec<String>,
    pub reads: u32,
    /// Every problem any read found, deduplicated, sorted.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub gateway: String,
    pub database: bool,
    /// The config the spec renders.
    pub config: String,
    pub models: usize,
    pub urls: Vec<UrlReport>,
    /// Seconds spent waiting, when `--wait` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited_seconds: Option<u64>,
}

impl Report {
    pub fn serves(&self) -> bool {
        self.urls.iter().all(|u| u.serves)
    }

    pub fn to_text(&self) -> String {
        let mode = if self.database { "database" } else { "config" };
        let mut s = format!(
            "verify: gateway {}, {} model(s), config {} ({mode} mode)\n",
            self.gateway, self.models, self.config
        );
        for u in &self.urls {
            let configs = u.configs.join(", ");
            if u.serves {
                s.push_str(&format!(
                    "  {}: serves the spec (config {configs}, {} read(s))\n",
                    u.url, u.reads
                ));
                continue;
            }
            s.push_str(&format!(
                "  {}: does not serve the spec (config {}, {} read(s))\n",
                u.url,
                if configs.is_empty() {
                    "unknown"
                } else {
                    &configs
                },
                u.reads
            ));
            for p in &u.problems {
                s.push_str(&format!("    {p}\n"));
            }
        }
        let good = self.urls.iter().filter(|u| u.serves).count();
        s.push_str(&format!("{good} of {} serve the spec", self.urls.len()));
        if let Some(waited) = self.waited_seconds {
            s.push_str(&format!(" (after {waited} s)"));
        }
        s.push('\n');
        s
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Reads every URL (`samples` times each) and compares; with `wait`, again with backoff
/// until all serve the spec or the deadline passes. Only a key the proxy refuses, or an
/// answer that is no model list, is an error: an unreachable URL does not serve the spec.
pub fn verify(expected: &Expected, options: &Options) -> Result<Report, ProxyError> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        let mut urls = Vec::new();
        for url in &options.urls {
            urls.push(read_url(expected, options, url)?);
        }
        let report = Report {
            gateway: expected.gateway.clone(),
            database: expected.database,
            config: expected.config(),
            models: expected.models.len(),
            urls,
            waited_seconds: options.wait.map(|_| started.elapsed().as_secs()),
        };
        let deadline = options.wait.unwrap_or_default();
        if report.serves() || started.elapsed() + delay > deadline {
            return Ok(report);
        }
        std::thread::sleep(delay);
        delay = (delay * 2).min(MAX_BACKOFF);
    }
}

fn read_url(expected: &Expected, options: &Options, url: &str) -> Result<UrlReport, ProxyError> {
    let client_options = ClientOptions {
        url: url.to_owned(),
        ..options.client.clone()
    };
    let mut configs = BTreeSet::new();
    let mut problems = BTreeSet::new();
    let mut shown_url = String::new();
    for _ in 0..options.samples.max(1) {
        // A new client, so a new connection: behind a Service, maybe another pod.
        let client = Client::new(&client_options);
        shown_url.clone_from(&client.shown_url);
        let read = client
            .model_info()
            .and_then(|info| Ok((info, client.model_names()?)));
        match read {
            Ok((info, names)) => {
                let read = check(expected, &info, &names);
                configs.extend(read.config);
                problems.extend(read.problems.into_iter().map(|p| client.scrub(&p)));
            }
            Err(e @ (ProxyError::Unreachable { .. } | ProxyError::Refused { .. })) => {
                problems.insert(format!("not answering: {e}"));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(UrlReport {
        url: shown_url,
        serves: problems.is_empty(),
        configs: configs.into_iter().collect(),
        reads: options.samples.max(1),
        problems: problems.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: &str, name: &str, stamp: &str) -> Value {
        json!({"model_name": name, "litellm_params": {"model": "openai/x"},
               "model_info": {"id": id, "litegate_config": stamp}})
    }

    fn expected() -> Expected {
        let models = [("a--x", "a", "s1"), ("b--x", "b", "s2")]
            .into_iter()
            .map(|(id, n, s)| (id.to_owned(), entry(id, n, s)))
            .collect();
        Expected::new("gw", models, false)
    }

    #[test]
    fn a_pod_on_the_spec_s_config_serves_it() {
        let e = expected();
        let info = [entry("a--x", "a", "s1"), entry("b--x", "b", "s2")];
        let read = check(&e, &info, &["a".into(), "b".into()]);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.config.as_deref(), Some(e.config().as_str()));
    }

    #[test]
    fn missing_stale_and_leftover_models_are_named() {
        let e = expected();
        let info = [entry("a--x", "a", "old"), entry("c--x", "c", "s9")];
        let read = check(&e, &info, &["a".into(), "c".into()]);
        assert_eq!(
            read.problems,
            [
                "a--x: on another config (stamp old, the spec's is s1)",
                "b--x: missing",
                "c--x: served, but no longer in the spec",
                "model name b: not listed by /v1/models",
            ]
        );
        assert_ne!(read.config.as_deref(), Some(e.config().as_str()));
    }

    #[test]
    fn a_hand_written_model_on_the_pod_is_not_ours_to_judge() {
        let e = expected();
        let mut info = vec![entry("a--x", "a", "s1"), entry("b--x", "b", "s2")];
        info.push(json!({"model_name": "mine", "model_info": {"id": "mine"}}));
        let read = check(&e, &info, &["a".into(), "b".into(), "mine".into()]);
        assert!(read.problems.is_empty());
        assert_eq!(read.config.as_deref(), Some(e.config().as_str()));
    }
}
