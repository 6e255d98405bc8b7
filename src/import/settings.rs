//! The settings sections: what the spec models goes to its fields (router, settings,
//! deployment), the rest to `passthrough` with its credentials moved; sections the spec
//! has no place for are named with what to do.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::Importer;
use super::credentials::Spot;
use super::out::{
    DatabaseOut, DeploymentOut, PortOut, RedisOut, RouterOut, SettingsOut, SourceOut,
};
use crate::defaults::DEFAULTS;
use crate::validate::passthrough::modelled;

impl Importer<'_> {
    pub(super) fn router(
        &mut self,
        section: Option<&Value>,
    ) -> (RouterOut, BTreeMap<String, Value>) {
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
                    if let Some(host) = self.plain_or_env(&p, value) {
                        self.redis_mut().host = host;
                    }
                }
                "redis_port" => {
                    let port = match value.as_str() {
                        Some(text) if text.starts_with("os.environ/") => {
                            self.plain_or_env(&p, value).map(PortOut::Env)
                        }
                        _ => self.count(&p, value).map(PortOut::Number),
                    };
                    self.redis_mut().port = port;
                }
                "redis_password" => {
                    if let Some(secret) = self.secret(&p, value) {
                        let source =
                            self.source(secret, "REDIS_PASSWORD", "deployment.redis.password");
                        self.redis_mut().password = Some(source);
                        self.claim(
                            crate::names::REDIS_PASSWORD_ENV,
                            "deployment.redis.password",
                        );
                    }
                }
                _ => {
                    self.setting(&mut extra, "router_settings", key, value);
                }
            }
        }
        (out, extra)
    }

    /// A passthrough setting into `extra`, its credentials moved to variables named after
    /// its place (`cache_params.password` => `CACHE_PARAMS_PASSWORD`).
    pub(super) fn setting(
        &mut self,
        extra: &mut BTreeMap<String, Value>,
        section: &str,
        key: &str,
        value: &Value,
    ) {
        let one = Value::Object(Map::from_iter([(key.to_owned(), value.clone())]));
        let spot = Spot::new(section.into(), String::new(), false);
        if let Value::Object(kept) = self.keep(&spot, &one, false) {
            extra.extend(kept);
        }
    }

    pub(super) fn redis_mut(&mut self) -> &mut RedisOut {
        self.redis.get_or_insert_with(RedisOut::default)
    }

    pub(super) fn fallbacks(&mut self, path: &str, value: &Value) -> BTreeMap<String, Vec<String>> {
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
            if item.is_object() {
                continue;
            }
            // LiteLLM's Router.validate_fallbacks checks `fallbacks` at start; elsewhere
            // (context_window_fallbacks) it passes over an item that is not a mapping.
            let at = format!("{path}[{i}]");
            if path.ends_with(".fallbacks") {
                self.error(
                    &at,
                    "is not a {name: [names]} mapping: LiteLLM refuses it too, and its router does not start (\"Item ... is not a dictionary\")".into(),
                );
            } else {
                self.warn(
                    &at,
                    "is not a {name: [names]} mapping, and LiteLLM passes over it: not imported"
                        .into(),
                );
            }
        }
        out
    }

    pub(super) fn litellm_settings(
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
                    self.setting(&mut extra, "litellm_settings", key, value);
                }
            }
        }
        (out, extra)
    }

    pub(super) fn general_settings(
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
                    self.setting(&mut extra, "general_settings", key, value);
                }
            }
        }
        if store && database.is_none() {
            // LiteLLM reads DATABASE_URL from its environment when the file gives none.
            self.warn(
                "general_settings.store_model_in_db",
                format!("without database_url, LiteLLM reads the database from ${DB}: the spec says so, deployment.database.url: {{env: {DB}}}; export {DB} before rendering", DB = crate::names::DATABASE_URL_ENV),
            );
            database = Some(SourceOut::Env(crate::names::DATABASE_URL_ENV.into()));
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

    pub(super) fn other_sections(&mut self, config: &Map<String, Value>) {
        for key in config.keys() {
            if !matches!(
                key.as_str(),
                "model_list"
                    | "router_settings"
                    | "litellm_settings"
                    | "general_settings"
                    | "environment_variables"
            ) {
                let what = match key.as_str() {
                    "mcp_servers" => "MCP servers are not in the spec: with a database, add them through LiteLLM's UI or its /v1/mcp/server API; without one, keep them in a config of your own".into(),
                    "files_settings" => "LiteLLM's files API settings are not in the spec: add them by hand to a config of your own if you use /v1/files".into(),
                    _ => format!("litegate does not model the `{key}` section; add what it needs by hand"),
                };
                self.warn(key, format!("not imported: {what}"));
            }
        }
    }

    pub(super) fn deployment(
        &mut self,
        master_key: SourceOut,
        database: Option<SourceOut>,
    ) -> DeploymentOut {
        DeploymentOut {
            image: if database.is_some() {
                DEFAULTS.database_image
            } else {
                DEFAULTS.image
            }
            .into(),
            master_key,
            database: database.map(|url| {
                self.warn(
                    "general_settings.database_url",
                    format!(
                        "a database needs a salt key, which the spec reads from ${SALT}: export \
                         the value your proxy has in {SALT}, or, if it ran without one, the master \
                         key's (stored models are encrypted with it), or they become unreadable",
                        SALT = crate::names::SALT_KEY_ENV
                    ),
                );
                DatabaseOut {
                    url,
                    salt_key: SourceOut::Env(crate::names::SALT_KEY_ENV.into()),
                }
            }),
            redis: self.redis.take(),
            config_env: std::mem::take(&mut self.config_env),
            secret_env: self.take_secret_env(),
        }
    }
}

/// The provider names `litellm_settings.custom_provider_map` registers.
pub(super) fn custom_providers(config: &Map<String, Value>) -> BTreeSet<String> {
    config
        .get("litellm_settings")
        .and_then(|s| s.get("custom_provider_map"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("provider").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}
