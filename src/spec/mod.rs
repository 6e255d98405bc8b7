//! The user's input: serde types for the Gateway spec (`litegate/v1alpha1`), nothing else.
//!
//! Rules over these types live in `validate/`, decisions in `resolve`.

mod deployment;
mod secret_source;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

pub use deployment::{
    Autoscaling, ConfigMapKey, Database, Deployment, DisruptionBudget, IntOrPercent,
    NetworkPolicyOptions, PortOrEnv, Redis, Resources, Rollout, SecretsMode, SecretsOptions,
    Toleration,
};
pub use secret_source::{LITERAL_REFUSED, RemoteRef, SecretRef, SecretSource, is_source_refusal};

/// The only `apiVersion` this build understands.
pub const API_VERSION: &str = "litegate/v1alpha1";
/// The only `kind` this build understands.
pub const KIND: &str = "Gateway";

/// A whole spec file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Gateway {
    /// Always `litegate/v1alpha1`.
    #[schemars(extend("const" = API_VERSION))]
    pub api_version: String,
    /// Always `Gateway`.
    #[schemars(extend("const" = KIND))]
    pub kind: String,
    /// The gateway's name (the prefix of every object), namespace and labels.
    pub metadata: Metadata,
    /// Keyed by the provider's name, which models refer to.
    pub providers: BTreeMap<String, Provider>,
    /// The models clients can call; each becomes one `model_list` entry.
    pub models: Vec<Model>,
    #[serde(default)]
    /// How LiteLLM routes between deployments of one model name (`router_settings`).
    pub router: Router,
    #[serde(default)]
    /// LiteLLM-wide settings (`litellm_settings`).
    pub settings: Settings,
    /// LiteLLM settings litegate does not model, copied into config.yaml as they are.
    #[serde(default)]
    pub passthrough: Passthrough,
    /// How the proxy runs on Kubernetes; `masterKey` is the one field most specs need.
    pub deployment: Deployment,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// DNS-1123 label; the prefix of every object name.
    pub name: String,
    /// DNS-1123 label; omitted, the objects carry no namespace (kubectl's context decides).
    pub namespace: Option<String>,
    /// Added to every emitted object.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// For the function runtime only (`config.kubernetes.io/function` when the spec is a
    /// kustomize generator or kpt function config); never copied to emitted objects.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An upstream LLM provider and how to reach it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Provider {
    /// LiteLLM provider prefix (`openai`, `anthropic`, `ollama_chat`, ...). Left out only
    /// when every model of this provider takes its whole model string, prefix included,
    /// from the environment (`model: {env: NAME}`), or is `"*"`, LiteLLM's route to the
    /// provider each request names: then the pod's environment or the request names the
    /// provider, and nothing here can check it.
    #[serde(rename = "type")]
    pub provider_type: Option<String>,
    /// The provider's URL (`api_base`), or `{env: NAME}` for one the pod's environment gives;
    /// required for self-hosted types such as `ollama` and `azure`.
    pub api_base: Option<ValueOrEnv>,
    /// `api_version`, as Azure OpenAI needs it; also a value or `{env: NAME}`.
    pub api_version: Option<ValueOrEnv>,
    /// The provider's API key: a secret source, never a literal.
    pub api_key: Option<SecretSource>,
    /// Non-secret `litellm_params` for all of this provider's models.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// Secret `litellm_params` for all of this provider's models.
    #[serde(default)]
    pub credentials: BTreeMap<String, SecretSource>,
}

/// A non-secret value: written in the spec, or `{env: NAME}`, read by the proxy from its own
/// environment (`os.environ/NAME` in config.yaml), so one config serves many environments.
/// The container must have NAME (`deployment.env` or `deployment.configEnv`); litegate
/// never reads it.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[serde(untagged)]
pub enum ValueOrEnv {
    Value(String),
    Env(FromEnv),
}

/// By hand, so that a value of neither shape is refused in words a user reads ("a string,
/// or {env: NAME}") rather than serde's "did not match any variant of untagged enum".
impl<'de> Deserialize<'de> for ValueOrEnv {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueOrEnvVisitor)
    }
}

struct ValueOrEnvVisitor;

impl<'de> serde::de::Visitor<'de> for ValueOrEnvVisitor {
    type Value = ValueOrEnv;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string, or {env: NAME}")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ValueOrEnv, E> {
        Ok(ValueOrEnv::Value(v.to_owned()))
    }

    // A plain scalar YAML reads as another type has lost its text (`n` is `false`, `1.10`
    // is `1.1`): refused, with how to keep it.
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ValueOrEnv, E> {
        Err(not_text(if v {
            "a boolean (true)"
        } else {
            "a boolean (false)"
        }))
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<ValueOrEnv, E> {
        Err(not_text("a number"))
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<ValueOrEnv, E> {
        Err(not_text("a number"))
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<ValueOrEnv, E> {
        Err(not_text("a number"))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<ValueOrEnv, A::Error> {
        FromEnv::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(ValueOrEnv::Env)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FromEnv {
    /// The container env var LiteLLM reads the value from.
    pub env: String,
}

/// Names the type, never the value: the field may be one a user mistook for a secret's.
fn not_text<E: serde::de::Error>(what: &str) -> E {
    E::custom(format_args!(
        "YAML reads this unquoted value as {what}, not as text: quote it (\"...\"), or write {{env: NAME}}"
    ))
}

impl ValueOrEnv {
    /// As config.yaml writes it: the value, or `os.environ/NAME`.
    pub fn to_config(&self) -> String {
        match self {
            ValueOrEnv::Value(v) => v.clone(),
            ValueOrEnv::Env(e) => format!("os.environ/{}", e.env),
        }
    }

    /// The value written in the spec, if it is one.
    pub fn literal(&self) -> Option<&str> {
        match self {
            ValueOrEnv::Value(v) => Some(v),
            ValueOrEnv::Env(_) => None,
        }
    }
}

/// One deployment of a model behind a client-facing name.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Model {
    /// What clients ask for (`model_name`); repeated names form a load-balanced group.
    pub name: String,
    /// The name of a provider under `providers`.
    pub provider: String,
    /// The upstream model id, without the provider prefix; or `{env: NAME}`, read by the
    /// proxy from its environment when it starts (`os.environ/NAME`). With a provider
    /// `type`, NAME holds the id (config.yaml also gets `custom_llm_provider`); on a
    /// provider without one, NAME holds the whole `<provider>/<id>`. `"*"` routes every
    /// name asked for to this provider (on a provider without `type`: to the provider
    /// LiteLLM infers from the name).
    pub model: ValueOrEnv,
    /// Explicit `model_info.id`; defaults to `<name>--<provider>`.
    pub id: Option<String>,
    /// Rate limits of this deployment (`rpm`, `tpm`), in `litellm_params`: LiteLLM checks
    /// them before each call and weighs `simple-shuffle` by them.
    pub limits: Option<Limits>,
    /// `rpm` and `tpm` on the `model_list` entry itself, beside `litellm_params`, as older
    /// LiteLLM configs write them: read only by the usage-based and cost routing strategies.
    /// Not with `deployment.database`: a database row keeps no such keys.
    pub entry_limits: Option<Limits>,
    /// Seconds before a request to this model is abandoned.
    pub timeout: Option<u32>,
    /// Params stripped from requests to this model (`additional_drop_params`).
    #[serde(default)]
    pub drop_params: Vec<String>,
    /// Known LiteLLM/OpenAI params sent with every request to this model.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// Extra `model_info` fields.
    #[serde(default)]
    pub info: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Limits {
    /// Requests per minute this deployment accepts.
    pub rpm: Option<u64>,
    /// Tokens per minute this deployment accepts.
    pub tpm: Option<u64>,
}

/// LiteLLM `router_settings`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Router {
    /// `routing_strategy`, one LiteLLM knows (`simple-shuffle`, `least-busy`, ...).
    pub strategy: Option<String>,
    /// Retries of a failed request before its fallbacks are tried.
    pub num_retries: Option<u32>,
    /// Seconds before a routed request is abandoned.
    pub timeout: Option<u32>,
    /// Failures a deployment may have in a minute before it is cooled down.
    pub allowed_fails: Option<u32>,
    /// Seconds a failing deployment is taken out of rotation.
    pub cooldown_time: Option<u32>,
    /// Model name => names tried in order when it fails.
    #[serde(default)]
    pub fallbacks: BTreeMap<String, Vec<String>>,
    /// Model name => names tried when the context window is exceeded.
    #[serde(default)]
    pub context_window_fallbacks: BTreeMap<String, Vec<String>>,
}

/// LiteLLM `litellm_settings`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    /// Global `drop_params`: drops unsupported OpenAI params for every model (warned about).
    pub drop_params: Option<bool>,
    /// `request_timeout`: seconds before any request is abandoned.
    pub request_timeout: Option<u32>,
    /// Emit JSON logs (`json_logs`), as log pipelines in clusters expect.
    pub json_logs: Option<bool>,
}

/// Settings litegate does not model, copied as they are into config.yaml's sections of the
/// same names (LiteLLM's own keys, so a hand-written config's settings move over unchanged).
/// A key litegate sets from a spec field is refused here; secrets go in
/// `deployment.secretEnv` and are referred to as `os.environ/NAME`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Passthrough {
    #[serde(default)]
    /// Copied into config.yaml's `litellm_settings`.
    pub litellm_settings: BTreeMap<String, Value>,
    #[serde(default)]
    /// Copied into config.yaml's `router_settings`.
    pub router_settings: BTreeMap<String, Value>,
    #[serde(default)]
    /// Copied into config.yaml's `general_settings`.
    pub general_settings: BTreeMap<String, Value>,
}

impl Passthrough {
    /// Each section with its name, in config.yaml's order.
    pub fn sections(&self) -> [(&'static str, &BTreeMap<String, Value>); 3] {
        [
            ("router_settings", &self.router_settings),
            ("litellm_settings", &self.litellm_settings),
            ("general_settings", &self.general_settings),
        ]
    }
}
