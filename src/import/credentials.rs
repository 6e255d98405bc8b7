//! Where `import` puts each credential it meets, so that none reaches the spec.
//!
//! A credential is a value under a secret-shaped key (`is_secret_name`, inherited by
//! everything below the key) or a value that looks like one (`is_secret_value`), at any
//! depth: in a header map, a list, a team's settings. A top-level secret param of a model
//! becomes a provider credential (`providers.X.credentials`); anywhere else, in a model's
//! params or info and in every settings section, the value becomes `os.environ/NAME`
//! with a `deployment.secretEnv` entry `NAME: {env: NAME}`, which LiteLLM resolves when
//! it loads config.yaml. NAME is derived from where the value stood (`SLACK_WEBHOOK_URL`,
//! `OPENAI_EXTRA_HEADERS_AUTHORIZATION`), never takes a name litegate or the config
//! already uses, and one literal keeps one name wherever it is repeated. Each move is
//! reported with the variable to export; a value is never printed, only compared by
//! digest.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Importer;
use super::names::{env_stem, join};
use super::out::SourceOut;
use crate::resolve::sha256_hex;
use crate::secret_shape::{env_reference, is_secret_name, is_secret_value};

/// A secret's identity: the env var it came from, or a digest of the literal (never
/// printed, only compared).
#[derive(Clone, PartialEq)]
pub(super) enum Secret {
    Env(String),
    Literal(String),
}

/// Where a literal was first met, and whether it was a mapping or list (to be exported as
/// its JSON text).
pub(super) struct Seen {
    at: String,
    json: bool,
    /// A placeholder (`none`, `EMPTY`, `not-needed`): one of a fixed list, so not a secret
    /// and safe to show.
    placeholder: Option<String>,
}

/// Keys people give a local server that checks none (vLLM, Ollama, LM Studio): LiteLLM
/// still needs some value, but none of these is a secret.
const PLACEHOLDER_KEYS: &[&str] = &[
    "any",
    "anything",
    "dummy",
    "empty",
    "fake",
    "ignored",
    "na",
    "n/a",
    "no-key",
    "nokey",
    "none",
    "not-needed",
    "not_needed",
    "notneeded",
    "placeholder",
    "sk-1234",
    "sk-dummy",
    "sk-no-key-required",
    "sk-xxx",
    "sk-xxxx",
    "unused",
    "x",
    "xxx",
    "xxxx",
];

/// `text` as written, if it is a placeholder (compared without case).
fn placeholder(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    PLACEHOLDER_KEYS
        .contains(&lower.as_str())
        .then(|| text.to_owned())
}

/// Where a value stands while it is walked: its path for messages, the stem its variable
/// would be named after, and what LiteLLM does with an `os.environ/` there.
#[derive(Clone)]
pub(super) struct Spot {
    pub path: String,
    pub stem: String,
    /// A string directly in a list: LiteLLM's loader resolves `os.environ/` in mappings only.
    pub in_list: bool,
    /// Inside a model's params: a database row (what `litegate sync` writes) has only its
    /// top-level params resolved.
    pub in_model: bool,
}

impl Spot {
    pub fn new(path: String, stem: String, in_model: bool) -> Self {
        Spot {
            path,
            stem,
            in_list: false,
            in_model,
        }
    }

    fn child(&self, key: &str) -> Spot {
        Spot {
            path: format!("{}.{key}", self.path),
            stem: format!("{}_{key}", self.stem),
            in_list: false,
            in_model: self.in_model,
        }
    }

    fn item(&self, i: usize) -> Spot {
        Spot {
            path: format!("{}[{i}]", self.path),
            stem: format!("{}_{i}", self.stem),
            in_list: true,
            in_model: self.in_model,
        }
    }
}

impl Importer<'_> {
    /// A secret value: `os.environ/X` is kept as the variable's name; a literal (a string,
    /// a number, or a mapping to export as JSON) is kept only to tell two literals apart.
    pub(super) fn secret(&mut self, path: &str, value: &Value) -> Option<Secret> {
        let (text, json) = match value {
            Value::Null => return None,
            Value::String(s) => match s.strip_prefix("os.environ/") {
                Some(var) => return Some(Secret::Env(var.into())),
                None => (s.clone(), false),
            },
            Value::Number(n) => (n.to_string(), false),
            Value::Object(_) | Value::Array(_) => (value.to_string(), true),
            Value::Bool(_) => {
                self.error(path, "a secret must be a string, not a boolean".into());
                return None;
            }
        };
        let digest = sha256_hex(text.as_bytes());
        self.literal_at
            .entry(digest.clone())
            .or_insert_with(|| Seen {
                at: path.to_owned(),
                json,
                placeholder: placeholder(&text),
            });
        Some(Secret::Literal(digest))
    }

    /// A secret source for the spec: the variable the config named, or for a literal the
    /// conventional name, with a warning that says to export it.
    pub(super) fn source(&mut self, secret: Secret, conventional: &str, target: &str) -> SourceOut {
        self.source_at(secret, conventional, target, None)
    }

    /// As `source`, for the entry at `here` (a literal met first elsewhere is named where
    /// this target takes it from, not only where it was first seen).
    pub(super) fn source_at(
        &mut self,
        secret: Secret,
        conventional: &str,
        target: &str,
        here: Option<&str>,
    ) -> SourceOut {
        let digest = match secret {
            Secret::Env(var) => return SourceOut::Env(var),
            Secret::Literal(digest) => digest,
        };
        let (first, json, placeholder) = self
            .literal_at
            .get(&digest)
            .map_or((String::new(), false, None), |s| {
                (s.at.clone(), s.json, s.placeholder.clone())
            });
        let at = here.unwrap_or(&first).to_owned();
        let same = if at == first {
            String::new()
        } else {
            format!(" (the same literal as at {first})")
        };
        let message = match placeholder {
            Some(p) => format!(
                "a placeholder key (\"{p}\"){same}, not a secret: a server that checks no key gets it, and LiteLLM needs some value; the spec keeps keys out of config.yaml, so {target} reads it from ${conventional}: export {conventional}={p} before rendering"
            ),
            None => {
                let what = if json { " (as JSON text)" } else { "" };
                format!(
                    "a literal secret{same}, not copied into the spec: {target} reads it from ${conventional}; export {conventional}{what} before rendering"
                )
            }
        };
        self.warn(&at, message);
        SourceOut::Env(conventional.into())
    }

    /// `value` as it may stand in config.yaml: every credential in it replaced by an
    /// `os.environ/NAME` reference, and every reference given to the container.
    /// `secret`: the value is under a secret-shaped key.
    pub(super) fn keep(&mut self, at: &Spot, value: &Value, secret: bool) -> Value {
        match value {
            Value::String(s) => {
                if let Some(var) = env_reference(s) {
                    self.provide(var);
                    value.clone()
                } else if secret || is_secret_value(s) {
                    Value::String(self.stash(at, s))
                } else {
                    value.clone()
                }
            }
            Value::Number(n) if secret => Value::String(self.stash(at, &n.to_string())),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    if is_secret_value(k) {
                        // Neither it nor a name derived from it may be shown.
                        self.error(&format!("{}.<redacted>", at.path), "this key looks like a secret, and a key cannot be read from the environment: rename it".into());
                        continue;
                    }
                    out.insert(
                        k.clone(),
                        self.keep(&at.child(k), v, secret || is_secret_name(k)),
                    );
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.keep(&at.item(i), v, secret))
                    .collect(),
            ),
            _ => value.clone(),
        }
    }

    /// Gives the container `var` from the environment of the render, unless it already
    /// has it as a non-secret value (`configEnv`: the model string or URL it also names).
    fn provide(&mut self, var: &str) {
        if self.config_env.contains_key(var) {
            return;
        }
        self.secret_env
            .entry(var.into())
            .or_insert_with(|| SourceOut::Env(var.into()));
    }

    /// Moves a literal to a variable: `os.environ/NAME`, and a warning naming NAME.
    fn stash(&mut self, at: &Spot, literal: &str) -> String {
        let digest = sha256_hex(literal.as_bytes());
        if let Some((var, first)) = self.stashed.get(&digest).cloned() {
            if first != at.path {
                self.warn(
                    &at.path,
                    format!("the same literal secret as at {first}: not copied; it is os.environ/{var} too"),
                );
            }
            return format!("os.environ/{var}");
        }
        let var = self.fresh_name(&env_stem(&at.stem));
        self.stashed.insert(digest, (var.clone(), at.path.clone()));
        self.provide(&var);
        self.warn(
            &at.path,
            format!(
                "a literal secret, not copied into the spec: it is now os.environ/{var}, from deployment.secretEnv.{var}; export {var} before rendering{}",
                self.caveat(at)
            ),
        );
        format!("os.environ/{var}")
    }

    /// What LiteLLM will not resolve at this spot.
    fn caveat(&self, at: &Spot) -> &'static str {
        if at.in_list && !at.path.contains("alert_to_webhook_url") {
            "; note that LiteLLM resolves os.environ/ in a list item only where the setting itself does (alert_to_webhook_url does): check this one"
        } else if at.in_model && self.database {
            "; note that with a database, litegate sync writes this model as a row, and LiteLLM resolves os.environ/ only in a row's top-level params: there this reference would stay unresolved"
        } else {
            ""
        }
    }

    /// `stem`, or `stem_2`, `stem_3`...: a name neither litegate nor the config uses.
    fn fresh_name(&mut self, stem: &str) -> String {
        let mut name = stem.to_owned();
        let mut n = 1;
        while self.reserved.contains(&name) {
            n += 1;
            name = format!("{stem}_{n}");
        }
        self.reserved.insert(name.clone());
        name
    }

    /// The names litegate gives the container itself: derived names must not take them.
    pub(super) fn reserve(&mut self, names: impl IntoIterator<Item = String>) {
        self.reserved.extend(names);
    }

    /// `environment_variables:` become secretEnv entries by name (values not copied),
    /// except the ones litegate already gives the container.
    pub(super) fn environment_variables(&mut self, section: Option<&Value>) {
        let Some(map) = section.and_then(Value::as_object).filter(|m| !m.is_empty()) else {
            return;
        };
        let (given, read): (Vec<&String>, Vec<&String>) = map
            .keys()
            .partition(|k| self.claimed.contains_key(*k) || self.config_env.contains_key(*k));
        for name in &read {
            self.provide(name);
        }
        let mut message = format!(
            "values are not copied: deployment.secretEnv reads {} from the environment when rendering",
            join(&read)
        );
        if read.is_empty() {
            message = "values are not copied".into();
        }
        for name in given {
            if let Some(by) = self.claimed.get(name.as_str()) {
                message.push_str(&format!("; {name} is already the container's, from {by}"));
            } else {
                message.push_str(&format!(
                    "; {name} is already the container's, from deployment.configEnv.{name}"
                ));
            }
        }
        self.warn("environment_variables", message);
    }

    /// The secretEnv entries, without the ones litegate gives the container itself (a
    /// reference to LITELLM_MASTER_KEY or a provider's key needs no entry, and one would
    /// collide, E019).
    pub(super) fn take_secret_env(&mut self) -> BTreeMap<String, SourceOut> {
        let mut out = std::mem::take(&mut self.secret_env);
        out.retain(|name, _| !self.claimed.contains_key(name));
        out
    }
}
