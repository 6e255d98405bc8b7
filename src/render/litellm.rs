//! Resolved -> LiteLLM's `config.yaml`, as typed serde structs: an impossible field cannot
//! be written, and secrets can only appear as `os.environ/NAME` references.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::names::{DATABASE_URL_ENV, MASTER_KEY_ENV};
use crate::resolve::{RedisPort, Resolved, ResolvedModel};

#[derive(Debug, Serialize)]
pub struct LiteLlmConfig {
    pub model_list: Vec<ModelEntry>,
    #[serde(skip_serializing_if = "RouterSettings::is_empty")]
    pub router_settings: RouterSettings,
    #[serde(skip_serializing_if = "LitellmSettings::is_empty")]
    pub litellm_settings: LitellmSettings,
    pub general_settings: GeneralSettings,
}

#[derive(Debug, Serialize)]
pub struct ModelEntry {
    pub model_name: String,
    pub litellm_params: LitellmParams,
    pub model_info: ModelInfo,
    /// `entryLimits`: read by LiteLLM's usage-based and cost routing only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tpm: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct LitellmParams {
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Always `os.environ/NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<EnvRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tpm: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub additional_drop_params: Vec<String>,
    /// Secret params (`aws_secret_access_key`, ...) as env references.
    #[serde(flatten)]
    pub credentials: BTreeMap<String, EnvRef>,
    /// Non-secret params; keys never collide with the fields above (validated).
    #[serde(flatten)]
    pub params: BTreeMap<String, Value>,
}

/// A reference LiteLLM resolves from the container env: `os.environ/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRef(pub String);

impl Serialize for EnvRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("os.environ/{}", self.0))
    }
}

#[derive(Debug, Serialize)]
pub struct ModelInfo {
    pub id: String,
    /// Which config this entry belongs to ([`CONFIG_STAMP`]); set by [`stamp`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub litegate_config: Option<String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

pub use crate::names::CONFIG_STAMP;

/// Stamps every entry with the digest of its config. Without a database that is the
/// whole config.yaml as it stands unstamped, the same on every entry: any edit is one
/// rollout, and a pod serves one render whole. With a database, models change one row at
/// a time while settings roll the pods, so each entry's stamp covers the entry alone and
/// an edit to one model changes one stamp (and `sync` one row). Derived from the output
/// only, never from time; no secret value is in its input (keys are `os.environ/NAME`).
pub fn stamp(config: &mut LiteLlmConfig, database: bool) {
    let short = |input: &[u8]| crate::resolve::sha256_hex(input)[..STAMP_HEX_DIGITS].to_owned();
    for entry in &mut config.model_list {
        entry.model_info.litegate_config = None;
    }
    if database {
        for entry in &mut config.model_list {
            let digest = short(&serde_json::to_vec(&*entry).unwrap_or_default());
            entry.model_info.litegate_config = Some(digest);
        }
    } else {
        let digest = short(&serde_json::to_vec(&*config).unwrap_or_default());
        for entry in &mut config.model_list {
            entry.model_info.litegate_config = Some(digest.clone());
        }
    }
}

/// 64 bits: an identity to compare, not a seal; every byte counts toward the 1 MiB limit.
const STAMP_HEX_DIGITS: usize = 16;

#[derive(Debug, Default, Serialize)]
pub struct RouterSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_retries: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_fails: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_time: Option<u32>,
    /// LiteLLM's shape: a list of single-key maps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fallbacks: Vec<BTreeMap<String, Vec<String>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context_window_fallbacks: Vec<BTreeMap<String, Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_port: Option<RedisPort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis_password: Option<EnvRef>,
    /// `passthrough.router_settings`.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl RouterSettings {
    fn is_empty(&self) -> bool {
        self.routing_strategy.is_none()
            && self.num_retries.is_none()
            && self.timeout.is_none()
            && self.allowed_fails.is_none()
            && self.cooldown_time.is_none()
            && self.fallbacks.is_empty()
            && self.context_window_fallbacks.is_empty()
            && self.redis_host.is_none()
            && self.extra.is_empty()
    }
}

#[derive(Debug, Default, Serialize)]
pub struct LitellmSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_logs: Option<bool>,
    /// `passthrough.litellm_settings`.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl LitellmSettings {
    fn is_empty(&self) -> bool {
        self.drop_params.is_none()
            && self.request_timeout.is_none()
            && self.json_logs.is_none()
            && self.extra.is_empty()
    }
}

#[derive(Debug, Serialize)]
pub struct GeneralSettings {
    pub master_key: EnvRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<EnvRef>,
    /// Needed for `/model/new`, `/model/update`, `/model/delete`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_model_in_db: Option<bool>,
    /// `passthrough.general_settings`.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// config.yaml without its model list: what a running proxy reads only at start, even
/// with a database (the admin API edits models, not settings).
#[derive(Debug, Serialize)]
pub struct SettingsView<'a> {
    pub router_settings: &'a RouterSettings,
    pub litellm_settings: &'a LitellmSettings,
    pub general_settings: &'a GeneralSettings,
}

impl LiteLlmConfig {
    pub fn settings(&self) -> SettingsView<'_> {
        SettingsView {
            router_settings: &self.router_settings,
            litellm_settings: &self.litellm_settings,
            general_settings: &self.general_settings,
        }
    }
}

pub fn config(r: &Resolved) -> LiteLlmConfig {
    LiteLlmConfig {
        model_list: r.models.iter().map(model_entry).collect(),
        router_settings: router_settings(r),
        litellm_settings: LitellmSettings {
            drop_params: r.settings.drop_params,
            request_timeout: r.settings.request_timeout,
            json_logs: r.settings.json_logs,
            extra: r.passthrough.litellm_settings.clone(),
        },
        general_settings: GeneralSettings {
            master_key: EnvRef(MASTER_KEY_ENV.to_owned()),
            database_url: r.database.then(|| EnvRef(DATABASE_URL_ENV.to_owned())),
            store_model_in_db: r.database.then_some(true),
            extra: r.passthrough.general_settings.clone(),
        },
    }
}

fn model_entry(m: &ResolvedModel) -> ModelEntry {
    ModelEntry {
        model_name: m.name.clone(),
        litellm_params: LitellmParams {
            model: m.litellm_model.clone(),
            api_base: m.api_base.clone(),
            api_version: m.api_version.clone(),
            api_key: m.api_key_env.clone().map(EnvRef),
            rpm: m.rpm,
            tpm: m.tpm,
            timeout: m.timeout,
            additional_drop_params: m.drop_params.clone(),
            credentials: m
                .credential_env
                .iter()
                .map(|(k, v)| (k.clone(), EnvRef(v.clone())))
                .collect(),
            params: m.params.clone(),
        },
        model_info: ModelInfo {
            id: m.id.clone(),
            litegate_config: None,
            extra: m.info.clone(),
        },
        rpm: m.entry_limits.and_then(|l| l.rpm),
        tpm: m.entry_limits.and_then(|l| l.tpm),
    }
}

fn router_settings(r: &Resolved) -> RouterSettings {
    let as_list = |map: &BTreeMap<String, Vec<String>>| {
        map.iter()
            .map(|(k, v)| BTreeMap::from([(k.clone(), v.clone())]))
            .collect()
    };
    RouterSettings {
        routing_strategy: r.router.strategy.clone(),
        num_retries: r.router.num_retries,
        timeout: r.router.timeout,
        allowed_fails: r.router.allowed_fails,
        cooldown_time: r.router.cooldown_time,
        fallbacks: as_list(&r.router.fallbacks),
        context_window_fallbacks: as_list(&r.router.context_window_fallbacks),
        redis_host: r.redis.as_ref().map(|x| x.host.clone()),
        redis_port: r.redis.as_ref().map(|x| x.port.clone()),
        redis_password: r
            .redis
            .as_ref()
            .and_then(|x| x.password_env.clone())
            .map(EnvRef),
        extra: r.passthrough.router_settings.clone(),
    }
}

/// Every `os.environ/NAME` in the config LiteLLM may resolve, with where it stands
/// (`model_list[0]...`). Walks the serialized form, so a reference typed by hand into
/// `params` is found too. An entry's `model_name` and `model_info` are left out: LiteLLM
/// resolves neither (`model_name: os.environ/X` is that literal name).
pub fn env_references(config: &LiteLlmConfig) -> Vec<(String, String)> {
    fn walk(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
        if path.starts_with("model_list[")
            && (path.ends_with("].model_name") || path.contains("].model_info"))
        {
            return;
        }
        match value {
            Value::String(s) => {
                if let Some(name) = s.strip_prefix("os.environ/") {
                    out.push((path.to_owned(), name.to_owned()));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), out);
                }
            }
            Value::Object(map) => {
                for (k, v) in map {
                    let child = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, &child, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::to_value(config) {
        walk(&value, "", &mut out);
    }
    out
}
