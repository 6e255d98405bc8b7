//! `deployment:`: how the LiteLLM proxy runs on Kubernetes. Every field is optional;
//! the defaults are the highly available shape described in README.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::SecretSource;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Deployment {
    /// A pinned tag or digest; the default depends on `database`.
    pub image: Option<String>,
    pub replicas: Option<u32>,
    pub master_key: Option<SecretSource>,
    pub port: Option<u16>,
    pub resources: Option<Resources>,
    #[serde(default)]
    pub rollout: Rollout,
    #[serde(default)]
    pub disruption_budget: DisruptionBudget,
    pub autoscaling: Option<Autoscaling>,
    pub termination_grace_period_seconds: Option<u32>,
    pub pre_stop_sleep_seconds: Option<u32>,
    /// `--num_workers`: uvicorn workers per pod.
    pub workers: Option<u32>,
    /// A database makes models editable live through LiteLLM's admin API.
    pub database: Option<Database>,
    /// Shares rpm/tpm counters and router state across pods.
    pub redis: Option<Redis>,
    #[serde(default)]
    pub secrets: SecretsOptions,
    #[serde(default)]
    pub pod_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub pod_annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default)]
    pub tolerations: Vec<Toleration>,
    /// A Kubernetes `Affinity`, checked field by field against the API types.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub affinity: Option<Value>,
    pub service_account_name: Option<String>,
    /// A Kubernetes `PodSecurityContext`, merged over litegate's (JSON merge patch: a
    /// field replaces, a map merges, `null` removes), e.g. `{runAsUser: 1000}` for an
    /// image that needs its own user.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub pod_security_context: Option<Value>,
    /// A Kubernetes container `SecurityContext`, merged over litegate's the same way, e.g.
    /// `{readOnlyRootFilesystem: false}` for an image that writes outside /tmp.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub security_context: Option<Value>,
    /// A NetworkPolicy that admits only these callers to the proxy's port.
    pub network_policy: Option<NetworkPolicyOptions>,
    /// Plain (non-secret) env vars on the container, e.g. `HF_HUB_OFFLINE: "1"`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Non-secret env vars from a ConfigMap managed elsewhere (one per environment, say),
    /// read by the pod when it starts, never by litegate: what `{env: NAME}` values need.
    #[serde(default)]
    pub config_env: BTreeMap<String, ConfigMapKey>,
    /// Secret env vars, each from a secret source like the keys: they go in the Secret (so
    /// `checksum/secret` covers them) and can be referred to as `os.environ/NAME`.
    #[serde(default)]
    pub secret_env: BTreeMap<String, SecretSource>,
}

/// Container resources; quantities as Kubernetes writes them (`500m`, `1Gi`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default)]
    pub requests: BTreeMap<String, String>,
    #[serde(default)]
    pub limits: BTreeMap<String, String>,
}

/// RollingUpdate parameters: a count (`1`) or a percentage (`"25%"`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollout {
    pub max_surge: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum IntOrPercent {
    Int(i32),
    Percent(String),
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DisruptionBudget {
    pub min_available: Option<u32>,
}

/// An `autoscaling/v2` HorizontalPodAutoscaler; the Deployment then has no `replicas`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscaling {
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub target_cpu_utilization: Option<u32>,
    pub target_memory_utilization: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// The Postgres URL, `DATABASE_URL` in the container.
    pub url: SecretSource,
    /// `LITELLM_SALT_KEY`: what LiteLLM encrypts stored params with. Without it, the master
    /// key, and a master-key rotation leaves every stored row unreadable. Set once, kept.
    #[serde(rename = "saltKey")]
    pub salt_key: Option<SecretSource>,
}

/// A key of a ConfigMap: `{configMap: NAME}`, or `{configMap: NAME, key: KEY}` when the
/// key is not named like the variable.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ConfigMapKey {
    pub config_map: String,
    /// The key in the ConfigMap; the variable's name by default.
    pub key: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    pub host: String,
    pub port: Option<u16>,
    pub password: Option<SecretSource>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsOptions {
    #[serde(default)]
    pub mode: SecretsMode,
    /// With `external-secrets`: the SecretStore or ClusterSecretStore the keys are in.
    pub store: Option<SecretStoreRef>,
    /// With `external-secrets`: how often ESO re-reads the keys (`1h` by default).
    #[serde(rename = "refreshInterval")]
    pub refresh_interval: Option<String>,
    /// A token (a date, a counter) whose change rolls the pods: rotation without a
    /// controller, when litegate cannot see the values.
    pub rotation: Option<String>,
    /// Stakater Reloader runs in the cluster, so a rotated Secret rolls the pods by itself.
    #[serde(default)]
    pub reloader: bool,
}

impl SecretsMode {
    /// As the spec writes it.
    pub fn name(self) -> &'static str {
        match self {
            SecretsMode::Inline => "inline",
            SecretsMode::External => "external",
            SecretsMode::ExternalSecrets => "external-secrets",
        }
    }
}

/// An External Secrets Operator store.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretStoreRef {
    pub name: String,
    /// `SecretStore` (the default, in the gateway's namespace) or `ClusterSecretStore`.
    pub kind: Option<String>,
}

/// Who holds the secret values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SecretsMode {
    /// `env`/`file` sources are read when rendering and written to `<name>-secrets`.
    #[default]
    Inline,
    /// litegate reads no secret value: every source must be a `secretRef`.
    External,
    /// litegate reads no secret value: `remote` sources become an `ExternalSecret` that
    /// External Secrets Operator turns into `<name>-secrets`; `secretRef` ones stay as they are.
    ExternalSecrets,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Toleration {
    pub key: Option<String>,
    pub operator: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
    pub toleration_seconds: Option<i64>,
}

/// Who may call the proxy: the NetworkPolicy litegate emits admits these peers to the
/// proxy's port and nothing else (egress is left alone: the proxy must reach providers).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkPolicyOptions {
    /// Kubernetes `NetworkPolicyPeer`s: `podSelector`, `namespaceSelector`, `ipBlock`.
    #[schemars(with = "Vec<serde_json::Map<String, Value>>")]
    pub from: Vec<Value>,
}
