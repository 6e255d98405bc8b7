//! `litegate import CONFIG.yaml`: an existing LiteLLM config.yaml becomes a Gateway spec.
//!
//! Models keep their names, params and explicit ids; deployments that share a provider
//! type, `api_base`, `api_version` and keys become one provider. Keys never travel: an
//! `os.environ/X` becomes `{env: X}`, a literal becomes an `env` source with a warning that
//! names the variable to export, and its value is dropped on the spot. Settings litegate
//! models go to their fields, the rest to `passthrough`; what cannot be carried over is
//! reported with its path, never dropped silently.

mod out;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::resolve::DEFAULTS;
use crate::secret_shape::{is_secret_name, is_secret_value};
use crate::validate::catalog::catalog;
use crate::validate::passthrough::modelled;
use out::{
    DatabaseOut, DeploymentOut, LimitsOut, MetadataOut, ModelOut, PassthroughOut, ProviderOut,
    RedisOut, RouterOut, SettingsOut, SourceOut, SpecOut,
};

/// What an import gives: the spec's text, and what the user should know about it.
#[derive(Debug)]
pub struct Imported {
    pub spec: String,
    pub warnings: Vec<String>,
}

/// Why a config cannot be imported: each problem with its path in the config.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct Failed(pub Vec<String>);

/// `litellm_params` keys whose values are secrets, whatever their value looks like.
const SECRET_PARAMS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "azure_ad_token",
    "client_secret",
    "vertex_credentials",
];

/// Reads a LiteLLM config; `env` looks up a variable (only for an `api_base` given as
/// `os.environ/X`, which the spec needs as a URL; never for a secret).
pub fn import(
    text: &str,
    name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Imported, Failed> {
    let config: Value = serde_saphyr::from_str(text)
        .map_err(|e| Failed(vec![format!("the file is not YAML: {e}")]))?;
    let Some(config) = config.as_object() else {
        return Err(Failed(vec![
            "the file is not a LiteLLM config: its top level is not a mapping".into(),
        ]));
    };
    let mut im = Importer {
        warnings: Vec::new(),
        errors: Vec::new(),
        env,
        groups: Vec::new(),
        secret_env: BTreeMap::new(),
        redis: None,
        literal_at: BTreeMap::new(),
    };
    let models = im.models(config.get("model_list"));
    let router = im.router(config.get("router_settings"));
    let (settings, litellm_extra) = im.litellm_settings(config.get("litellm_settings"));
    let (master_key, database, general_extra) = im.general_settings(config.get("general_settings"));
    let passthrough = PassthroughOut {
        litellm_settings: litellm_extra,
        router_settings: router.1,
        general_settings: general_extra,
    };
    im.environment_variables(config.get("environment_variables"));
    for key in config.keys() {
        if !matches!(
            key.as_str(),
            "model_list"
                | "router_settings"
                | "litellm_settings"
                | "general_settings"
                | "environment_variables"
        ) {
            im.warn(
                key,
                format!(
                    "the `{key}` section is not imported: litegate does not model it; add what it needs by hand"
                ),
            );
        }
    }
    if !im.errors.is_empty() {
        return Err(Failed(im.errors));
    }

    let (providers, models) = im.providers_and_models(models);
    let spec = SpecOut {
        api_version: crate::spec::API_VERSION,
        kind: crate::spec::KIND,
        metadata: MetadataOut { name: name.into() },
        providers,
        models,
        router: router.0,
        settings,
        passthrough,
        deployment: DeploymentOut {
            image: if database.is_some() {
                DEFAULTS.database_image
            } else {
                DEFAULTS.image
            }
            .into(),
            master_key,
            database: database.map(|url| DatabaseOut { url }),
            redis: im.redis.take(),
            secret_env: std::mem::take(&mut im.secret_env),
        },
    };
    let body = serde_saphyr::to_string(&spec).map_err(|e| Failed(vec![e.to_string()]))?;
    Ok(Imported {
        spec: format!(
            "# yaml-language-server: $schema=./litegate.schema.json\n\
             # Imported by `litegate import`: review it, then `litegate validate` and `render`.\n{body}"
        ),
        warnings: im.warnings,
    })
}

struct Importer<'a> {
    warnings: Vec<String>,
    errors: Vec<String>,
    env: &'a dyn Fn(&str) -> Option<String>,
    /// Provider groups in order of first use.
    groups: Vec<Group>,
    secret_env: BTreeMap<String, SourceOut>,
    redis: Option<RedisOut>,
    /// Where each literal secret was first seen (by digest), for the warning.
    literal_at: BTreeMap<String, String>,
}

/// One model_list entry, read.
struct ModelIn {
    name: String,
    group: usize,
    upstream: String,
    id: Option<String>,
    limits: LimitsOut,
    timeout: Option<u64>,
    drop_params: Vec<String>,
    params: BTreeMap<String, Value>,
    info: BTreeMap<String, Value>,
}

/// What makes deployments one provider.
#[derive(Clone, PartialEq)]
struct Group {
    provider_type: String,
    api_base: Option<String>,
    api_version: Option<String>,
    /// A secret's identity: the env var it came from, or a digest of the literal (never
    /// printed, only compared).
    api_key: Option<Secret>,
    credentials: BTreeMap<String, Secret>,
}

#[derive(Clone, PartialEq)]
enum Secret {
    Env(String),
    Literal(String),
}

impl Importer<'_> {
    fn warn(&mut self, path: &str, message: String) {
        self.warnings.push(format!("{path}: {message}"));
    }

    fn error(&mut self, path: &str, message: String) {
        self.errors.push(format!("{path}: {message}"));
    }

    fn models(&mut self, list: Option<&Value>) -> Vec<ModelIn> {
        let Some(list) = list.and_then(Value::as_array) else {
            self.error("model_list", "missing, or not a list of models".into());
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, entry) in list.iter().enumerate() {
            let path = format!("model_list[{i}]");
            let Some(name) = entry.get("model_name").and_then(Value::as_str) else {
                self.error(&path, "has no `model_name` string".into());
                continue;
            };
            let Some(params) = entry.get("litellm_params").and_then(Value::as_object) else {
                self.error(&path, "has no `litellm_params` mapping".into());
                continue;
            };
            if let Some(model) = self.model(&path, name, params, entry.get("model_info")) {
                out.push(model);
            }
        }
        out
    }

    fn model(
        &mut self,
        path: &str,
        name: &str,
        params: &Map<String, Value>,
        info: Option<&Value>,
    ) -> Option<ModelIn> {
        let at = format!("{path}.litellm_params");
        let Some(full) = params.get("model").and_then(Value::as_str) else {
            self.error(&at, "has no `model` string".into());
            return None;
        };
        let Some((provider_type, upstream)) = full.split_once('/') else {
            self.error(
                &format!("{at}.model"),
                format!("\"{full}\" has no provider prefix; write it as <provider>/{full} (e.g. openai/{full})"),
            );
            return None;
        };
        let c = catalog();
        if !c.provider_types.contains(provider_type) {
            let hint =
                crate::suggest::help(provider_type, c.provider_types.iter().map(String::as_str))
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
            self.error(
                &format!("{at}.model"),
                format!("unknown provider prefix \"{provider_type}\"{hint}"),
            );
            return None;
        }
        let mut group = Group {
            provider_type: provider_type.into(),
            api_base: None,
            api_version: None,
            api_key: None,
            credentials: BTreeMap::new(),
        };
        let mut model = ModelIn {
            name: name.into(),
            group: 0,
            upstream: upstream.into(),
            id: None,
            limits: LimitsOut::default(),
            timeout: None,
            drop_params: Vec::new(),
            params: BTreeMap::new(),
            info: BTreeMap::new(),
        };
        for (key, value) in params {
            let p = format!("{at}.{key}");
            match key.as_str() {
                "model" => {}
                "api_base" => group.api_base = self.url(&p, value),
                "api_version" => group.api_version = self.plain_string(&p, value),
                "api_key" => group.api_key = self.secret(&p, value),
                "rpm" => model.limits.rpm = self.count(&p, value),
                "tpm" => model.limits.tpm = self.count(&p, value),
                "timeout" => model.timeout = self.count(&p, value),
                "additional_drop_params" => {
                    model.drop_params = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                }
                _ if SECRET_PARAMS.contains(&key.as_str()) || is_env_ref(value) => {
                    if let Some(secret) = self.secret(&p, value) {
                        group.credentials.insert(key.clone(), secret);
                    }
                }
                _ if c.is_known_param(key) => {
                    model.params.insert(key.clone(), value.clone());
                }
                _ => self.warn(
                    &p,
                    format!(
                        "not imported: not a param LiteLLM {} knows, so it would be forwarded to the provider as a request field",
                        c.litellm_version
                    ),
                ),
            }
        }
        if let Some(info) = info.and_then(Value::as_object) {
            for (key, value) in info {
                if key == "id" {
                    model.id = match value {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    };
                } else {
                    model.info.insert(key.clone(), value.clone());
                }
            }
        }
        model.group = match self.groups.iter().position(|g| *g == group) {
            Some(i) => i,
            None => {
                self.groups.push(group);
                self.groups.len() - 1
            }
        };
        Some(model)
    }

    fn url(&mut self, path: &str, value: &Value) -> Option<String> {
        let text = self.plain_string(path, value)?;
        let Some(var) = text.strip_prefix("os.environ/") else {
            return Some(text);
        };
        match (self.env)(var) {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                self.warn(
                    path,
                    format!("the spec needs the URL itself: read it from ${var} while importing"),
                );
                Some(url)
            }
            _ => {
                self.error(
                    path,
                    format!(
                        "os.environ/{var}: the spec needs the URL itself; export {var} while importing, or edit the config"
                    ),
                );
                None
            }
        }
    }

    fn plain_string(&mut self, path: &str, value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.error(path, "is not a string".into());
                None
            }
        }
    }

    fn count(&mut self, path: &str, value: &Value) -> Option<u64> {
        match value.as_f64() {
            Some(f) if f >= 0.0 && f.fract() == 0.0 && f <= u32::MAX as f64 => Some(f as u64),
            _ => {
                self.error(path, "is not a whole, non-negative number".into());
                None
            }
        }
    }

    /// A secret value: `os.environ/X` is kept as the variable's name; a literal is kept
    /// only to tell two literals apart, and named by the caller.
    fn secret(&mut self, path: &str, value: &Value) -> Option<Secret> {
        match value {
            Value::String(s) => match s.strip_prefix("os.environ/") {
                Some(var) => Some(Secret::Env(var.into())),
                None => {
                    let digest = crate::resolve::sha256_hex(s.as_bytes());
                    self.literal_at
                        .entry(digest.clone())
                        .or_insert_with(|| path.to_owned());
                    Some(Secret::Literal(digest))
                }
            },
            Value::Null => None,
            _ => {
                self.error(path, "a secret must be a string".into());
                None
            }
        }
    }

    fn router(&mut self, section: Option<&Value>) -> (RouterOut, BTreeMap<String, Value>) {
        let mut out = RouterOut::default();
        let mut extra = BTreeMap::new();
        for (key, value) in section.and_then(Value::as_object).into_iter().flatten() {
            let p = format!("router_settings.{key}");
            match key.as_str() {
                "routing_strategy" => out.strategy = self.plain_string(&p, value),
                "num_retries" => out.num_retries = self.count(&p, value),
                "timeout" => out.timeout = self.count(&p, value),
                "allowed_fails" => out.allowed_fails = self.count(&p, value),
                "cooldown_time" => out.cooldown_time = self.count(&p, value),
                "fallbacks" => out.fallbacks = self.fallbacks(&p, value),
                "context_window_fallbacks" => {
                    out.context_window_fallbacks = self.fallbacks(&p, value);
                }
                "redis_host" => {
                    let host = self.plain_string(&p, value);
                    self.redis_mut().host = host.unwrap_or_default();
                }
                "redis_port" => {
                    let port = self.count(&p, value);
                    self.redis_mut().port = port;
                }
                "redis_password" => {
                    if let Some(secret) = self.secret(&p, value) {
                        let source =
                            self.source(secret, "REDIS_PASSWORD", "deployment.redis.password");
                        self.redis_mut().password = Some(source);
                    }
                }
                _ => {
                    let v = self.passthrough_value(&p, key, value);
                    extra.insert(key.clone(), v);
                }
            }
        }
        (out, extra)
    }

    fn redis_mut(&mut self) -> &mut RedisOut {
        self.redis.get_or_insert_with(RedisOut::default)
    }

    fn fallbacks(&mut self, path: &str, value: &Value) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        for (i, item) in value.as_array().into_iter().flatten().enumerate() {
            for (from, to) in item.as_object().into_iter().flatten() {
                let targets: Vec<String> = to
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str().map(str::to_owned))
                    .collect();
                out.insert(from.clone(), targets);
            }
            if !item.is_object() {
                self.error(
                    &format!("{path}[{i}]"),
                    "is not a {name: [names]} mapping".into(),
                );
            }
        }
        out
    }

    fn litellm_settings(
        &mut self,
        section: Option<&Value>,
    ) -> (SettingsOut, BTreeMap<String, Value>) {
        let mut out = SettingsOut::default();
        let mut extra = BTreeMap::new();
        for (key, value) in section.and_then(Value::as_object).into_iter().flatten() {
            let p = format!("litellm_settings.{key}");
            match (key.as_str(), value) {
                ("drop_params", Value::Bool(b)) => out.drop_params = Some(*b),
                ("json_logs", Value::Bool(b)) => out.json_logs = Some(*b),
                ("request_timeout", _) => out.request_timeout = self.count(&p, value),
                _ if modelled("litellm_settings", key).is_some() => {
                    self.error(&p, "has a value of the wrong type".into());
                }
                _ => {
                    let v = self.passthrough_value(&p, key, value);
                    extra.insert(key.clone(), v);
                }
            }
        }
        (out, extra)
    }

    fn general_settings(
        &mut self,
        section: Option<&Value>,
    ) -> (SourceOut, Option<SourceOut>, BTreeMap<String, Value>) {
        let mut master = None;
        let mut database = None;
        let mut store = false;
        let mut extra = BTreeMap::new();
        for (key, value) in section.and_then(Value::as_object).into_iter().flatten() {
            let p = format!("general_settings.{key}");
            match key.as_str() {
                "master_key" => {
                    if let Some(secret) = self.secret(&p, value) {
                        master =
                            Some(self.source(secret, "LITELLM_MASTER_KEY", "deployment.masterKey"));
                    }
                }
                "database_url" => {
                    if let Some(secret) = self.secret(&p, value) {
                        database =
                            Some(self.source(secret, "DATABASE_URL", "deployment.database.url"));
                    }
                }
                "store_model_in_db" => store = value.as_bool() == Some(true),
                _ => {
                    let v = self.passthrough_value(&p, key, value);
                    extra.insert(key.clone(), v);
                }
            }
        }
        if store && database.is_none() {
            self.warn(
                "general_settings.store_model_in_db",
                "not imported: without database_url there is no database to store models in".into(),
            );
        }
        let master = master.unwrap_or_else(|| {
            self.warn(
                "general_settings.master_key",
                "missing: the spec reads the master key from $LITELLM_MASTER_KEY (LiteLLM refuses to start without one)".into(),
            );
            SourceOut::Env("LITELLM_MASTER_KEY".into())
        });
        (master, database, extra)
    }

    fn environment_variables(&mut self, section: Option<&Value>) {
        for (key, _) in section.and_then(Value::as_object).into_iter().flatten() {
            self.secret_env
                .entry(key.clone())
                .or_insert_with(|| SourceOut::Env(key.clone()));
        }
        if let Some(map) = section.and_then(Value::as_object).filter(|m| !m.is_empty()) {
            let names: Vec<&str> = map.keys().map(String::as_str).collect();
            self.warn(
                "environment_variables",
                format!(
                    "values are not copied: deployment.secretEnv reads {} from the environment when rendering",
                    names.join(", ")
                ),
            );
        }
    }

    /// A passthrough value: literal secrets become `os.environ/NAME` plus a secretEnv entry;
    /// `os.environ/NAME` references get their secretEnv entry, so the container has them.
    fn passthrough_value(&mut self, path: &str, key: &str, value: &Value) -> Value {
        match value {
            Value::String(s) => {
                if let Some(var) = s.strip_prefix("os.environ/") {
                    self.secret_env
                        .entry(var.into())
                        .or_insert_with(|| SourceOut::Env(var.into()));
                    value.clone()
                } else if is_secret_name(key) || is_secret_value(s) {
                    let var = env_name(path);
                    self.warn(
                        path,
                        format!("a literal secret: not copied; the spec reads it from ${var} (deployment.secretEnv)"),
                    );
                    self.secret_env
                        .insert(var.clone(), SourceOut::Env(var.clone()));
                    Value::String(format!("os.environ/{var}"))
                } else {
                    value.clone()
                }
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            self.passthrough_value(&format!("{path}.{k}"), k, v),
                        )
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.passthrough_value(&format!("{path}[{i}]"), key, v))
                    .collect(),
            ),
            _ => value.clone(),
        }
    }

    /// A secret source for the spec: the variable the config named, or for a literal the
    /// conventional name, with a warning that says to export it.
    fn source(&mut self, secret: Secret, conventional: &str, path: &str) -> SourceOut {
        match secret {
            Secret::Env(var) => SourceOut::Env(var),
            Secret::Literal(digest) => {
                let at = self.literal_at.get(&digest).cloned().unwrap_or_default();
                self.warn(
                    &at,
                    format!(
                        "a literal secret, not copied into the spec: {path} reads it from ${conventional}; export it before rendering"
                    ),
                );
                SourceOut::Env(conventional.into())
            }
        }
    }

    fn providers_and_models(
        &mut self,
        models: Vec<ModelIn>,
    ) -> (BTreeMap<String, ProviderOut>, Vec<ModelOut>) {
        let names = provider_names(&self.groups);
        let mut providers = BTreeMap::new();
        let groups = std::mem::take(&mut self.groups);
        for (group, name) in groups.iter().zip(&names) {
            let prefix = name.to_ascii_uppercase().replace('-', "_");
            let path = |what: &str| format!("providers.{name}.{what}");
            let api_key = group
                .api_key
                .clone()
                .map(|s| self.source(s, &format!("{prefix}_API_KEY"), &path("apiKey")));
            let credentials = group
                .credentials
                .iter()
                .map(|(k, s)| {
                    let var = format!("{prefix}_{}", k.to_ascii_uppercase());
                    (
                        k.clone(),
                        self.source(s.clone(), &var, &path(&format!("credentials.{k}"))),
                    )
                })
                .collect();
            providers.insert(
                name.clone(),
                ProviderOut {
                    provider_type: group.provider_type.clone(),
                    api_base: group.api_base.clone(),
                    api_version: group.api_version.clone(),
                    api_key,
                    credentials,
                },
            );
        }
        // Default ids are <name>--<provider>: two deployments of one name on one provider
        // (a load-balanced group) need explicit ids.
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let out = models
            .into_iter()
            .map(|m| {
                let provider = names[m.group].clone();
                let default_id = format!("{}--{provider}", m.name);
                let n = seen.entry(default_id.clone()).or_insert(0);
                *n += 1;
                let id =
                    m.id.or_else(|| (*n > 1).then(|| format!("{default_id}--{n}")));
                ModelOut {
                    name: m.name,
                    provider,
                    model: m.upstream,
                    id,
                    limits: (m.limits.rpm.is_some() || m.limits.tpm.is_some()).then_some(m.limits),
                    timeout: m.timeout,
                    drop_params: m.drop_params,
                    params: m.params,
                    info: m.info,
                }
            })
            .collect();
        (providers, out)
    }
}

fn is_env_ref(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.starts_with("os.environ/"))
}

/// `litellm_settings.cache_params.password` => `CACHE_PARAMS_PASSWORD`.
fn env_name(path: &str) -> String {
    let tail = path.split_once('.').map_or(path, |(_, rest)| rest);
    tail.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Readable, unique provider names: the type (`openai`, `azure`...), then `-2`, `-3`.
fn provider_names(groups: &[Group]) -> Vec<String> {
    let mut used = BTreeSet::new();
    groups
        .iter()
        .map(|g| {
            let base: String = g
                .provider_type
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let mut name = base.clone();
            let mut n = 1;
            while !used.insert(name.clone()) {
                n += 1;
                name = format!("{base}-{n}");
            }
            name
        })
        .collect()
}
