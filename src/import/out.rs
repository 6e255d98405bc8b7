//! The spec as `import` writes it: serde types shaped like `spec::Gateway`, holding only
//! what an import can produce (every secret is an `env` source).
//!
//! Why not the spec types themselves: they are read-only by design (`Deserialize` only;
//! `SecretSource` is deserialized by hand so a literal is refused without being echoed),
//! they hold what an import never writes (file, secretRef and remote sources, resources,
//! probes, autoscaling), and a `Serialize` added to them would have to keep every default
//! out of the written spec field by field. These types can only say what import may say:
//! a secret here cannot be anything but `{env: NAME}`, and `tests/import.rs` checks that
//! every spec it writes compiles, so parses as a `Gateway`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecOut {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: MetadataOut,
    pub providers: BTreeMap<String, ProviderOut>,
    pub models: Vec<ModelOut>,
    #[serde(skip_serializing_if = "RouterOut::is_empty")]
    pub router: RouterOut,
    #[serde(skip_serializing_if = "SettingsOut::is_empty")]
    pub settings: SettingsOut,
    #[serde(skip_serializing_if = "PassthroughOut::is_empty")]
    pub passthrough: PassthroughOut,
    pub deployment: DeploymentOut,
}

#[derive(Serialize)]
pub struct MetadataOut {
    pub name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProviderOut {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_base: Option<ValueOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<ValueOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<SourceOut>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub credentials: BTreeMap<String, SourceOut>,
}

#[derive(Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceOut {
    Env(String),
}

/// A non-secret value: as written, or `{env: NAME}` for the pod to read.
#[derive(Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ValueOut {
    Value(String),
    Env(SourceOut),
}

/// `deployment.configEnv` entry: the ConfigMap whose key of the variable's name holds it.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigKeyOut {
    pub config_map: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelOut {
    pub name: String,
    pub provider: String,
    pub model: ValueOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<LimitsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_limits: Option<LimitsOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drop_params: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub info: BTreeMap<String, Value>,
}

#[derive(Default, Serialize)]
pub struct LimitsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpm: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tpm: Option<u64>,
}

#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouterOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_fails: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cooldown_time: Option<u64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fallbacks: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context_window_fallbacks: BTreeMap<String, Vec<String>>,
}

impl RouterOut {
    pub fn is_empty(&self) -> bool {
        self.strategy.is_none()
            && self.num_retries.is_none()
            && self.timeout.is_none()
            && self.allowed_fails.is_none()
            && self.cooldown_time.is_none()
            && self.fallbacks.is_empty()
            && self.context_window_fallbacks.is_empty()
    }
}

#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_params: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_logs: Option<bool>,
}

impl SettingsOut {
    pub fn is_empty(&self) -> bool {
        self.drop_params.is_none() && self.request_timeout.is_none() && self.json_logs.is_none()
    }
}

#[derive(Default, Serialize)]
pub struct PassthroughOut {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub litellm_settings: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub router_settings: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub general_settings: BTreeMap<String, Value>,
}

impl PassthroughOut {
    pub fn is_empty(&self) -> bool {
        self.litellm_settings.is_empty()
            && self.router_settings.is_empty()
            && self.general_settings.is_empty()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentOut {
    pub image: String,
    pub master_key: SourceOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redis: Option<RedisOut>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub config_env: BTreeMap<String, ConfigKeyOut>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secret_env: BTreeMap<String, SourceOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseOut {
    pub url: SourceOut,
    pub salt_key: SourceOut,
}

#[derive(Serialize)]
pub struct RedisOut {
    pub host: ValueOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<SourceOut>,
}

impl Default for RedisOut {
    /// An empty host, which validate names, when the config sets only a port or password.
    fn default() -> Self {
        Self {
            host: ValueOut::Value(String::new()),
            port: None,
            password: None,
        }
    }
}

/// `deployment.redis.port`: a number, or `{env: X}`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum PortOut {
    Number(u64),
    Env(ValueOut),
}
