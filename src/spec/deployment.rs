//! `deployment:`: how the LiteLLM proxy runs on Kubernetes. Every field is optional;
//! the defaults are the highly available shape described in README.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::{FromEnv, SecretSource, ValueOrEnv};

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Deployment {
    /// A pinned tag or digest; the default depends on `database`.
    pub image: Option<String>,
    /// Pod count (2 by default); excludes `autoscaling`.
    pub replicas: Option<u32>,
    /// `LITELLM_MASTER_KEY`: the admin key of the proxy, a secret source.
    pub master_key: Option<SecretSource>,
    /// The container and Service port (4000 by default).
    pub port: Option<u16>,
    /// Container requests and limits.
    pub resources: Option<Resources>,
    #[serde(default)]
    /// RollingUpdate `maxSurge` and `maxUnavailable`.
    pub rollout: Rollout,
    #[serde(default)]
    /// The PodDisruptionBudget.
    pub disruption_budget: DisruptionBudget,
    /// A HorizontalPodAutoscaler instead of a fixed `replicas`.
    pub autoscaling: Option<Autoscaling>,
    /// Seconds a stopping pod has to finish its requests (streams included).
    pub termination_grace_period_seconds: Option<u32>,
    /// Seconds a stopping pod keeps serving while endpoints drop it.
    pub pre_stop_sleep_seconds: Option<u32>,
    /// `--num_workers`: uvicorn workers per pod.
    pub workers: Option<u32>,
    /// A database makes models editable live through LiteLLM's admin API.
    pub database: Option<Database>,
    /// Shares rpm/tpm counters and router state across pods.
    pub redis: Option<Redis>,
    #[serde(default)]
    /// Who holds the secret values (`mode`), and how a rotation rolls the pods.
    pub secrets: SecretsOptions,
    #[serde(default)]
    /// Extra labels on the pod template.
    pub pod_labels: BTreeMap<String, String>,
    #[serde(default)]
    /// Extra annotations on the pod template (not `checksum/*`).
    pub pod_annotations: BTreeMap<String, String>,
    #[serde(default)]
    /// The pod's `nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    #[serde(default)]
    /// The pod's tolerations.
    pub tolerations: Vec<Toleration>,
    /// A Kubernetes `Affinity`, checked field by field against the API types.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub affinity: Option<Value>,
    /// An existing ServiceAccount for the pods (DNS-1123 subdomain); litegate does not
    /// emit it. Excludes `serviceAccount`.
    pub service_account_name: Option<String>,
    /// A ServiceAccount litegate emits for the pods (Helm's `serviceAccount.create: true`),
    /// e.g. carrying a cloud identity's annotations. Excludes `serviceAccountName`.
    pub service_account: Option<ServiceAccountOptions>,
    /// A Kubernetes `PodSecurityContext`, merged over litegate's (JSON merge patch: a
    /// field replaces, a map merges, `null` removes), e.g. `{runAsUser: 1000}` for an
    /// image that needs its own user.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub pod_security_context: Option<Value>,
    /// A Kubernetes container `SecurityContext`, merged over litegate's the same way, e.g.
    /// `{readOnlyRootFilesystem: false}` for an image that writes outside /tmp.
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub security_context: Option<Value>,
    /// `checkov.io/skipN` annotations saying why the output deliberately does not meet a
    /// checkov policy (true by default); `false` drops them, for clusters that do not run
    /// checkov and would only see noise.
    pub policy_annotations: Option<bool>,
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

/// The ServiceAccount litegate emits; its token is never mounted (LiteLLM does not call
/// the Kubernetes API), in the pods or by default.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountOptions {
    /// Its name (DNS-1123 subdomain); the gateway's name by default.
    pub name: Option<String>,
    /// Its annotations, e.g. `eks.amazonaws.com/role-arn` or `iam.gke.io/gcp-service-account`.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Container resources; quantities as Kubernetes writes them (`500m`, `1Gi`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    #[serde(default)]
    /// Requested quantities by resource (`cpu`, `memory`).
    pub requests: BTreeMap<String, String>,
    #[serde(default)]
    /// Limits by resource (`cpu`, `memory`).
    pub limits: BTreeMap<String, String>,
}

/// RollingUpdate parameters: a count (`1`) or a percentage (`"25%"`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollout {
    /// Pods added above the count during a rollout.
    pub max_surge: Option<IntOrPercent>,
    /// Pods that may be missing during a rollout.
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
    /// Pods that must stay up during a drain (the default budget is maxUnavailable 1).
    pub min_available: Option<u32>,
}

/// An `autoscaling/v2` HorizontalPodAutoscaler; the Deployment then has no `replicas`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscaling {
    /// At least 2: one pod makes every rollout and drain an outage.
    pub min_replicas: u32,
    /// At least `minReplicas`.
    pub max_replicas: u32,
    /// Average CPU utilization (percent of requests) to scale at.
    pub target_cpu_utilization: Option<u32>,
    /// Average memory utilization (percent of requests) to scale at.
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
    /// The ConfigMap's name, in the Deployment's namespace; litegate does not emit it.
    pub config_map: String,
    /// The key in the ConfigMap; the variable's name by default.
    pub key: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redis {
    /// The Redis host name, or `{env: NAME}` for one the pod's environment gives.
    pub host: ValueOrEnv,
    /// The Redis port (6379 by default), or `{env: NAME}`.
    pub port: Option<PortOrEnv>,
    /// The Redis password, a secret source.
    pub password: Option<SecretSource>,
}

/// A port written in the spec, or `{env: NAME}`, read by the proxy from its environment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortOrEnv {
    Port(u16),
    Env(FromEnv),
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretsOptions {
    #[serde(default)]
    /// `inline` (litegate writes the Secret), `external` or `external-secrets`.
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
    /// The store's name.
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
    /// The taint key the toleration matches.
    pub key: Option<String>,
    /// `Equal` (the default) or `Exists`.
    pub operator: Option<String>,
    /// The taint value, with `Equal`.
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: Option<String>,
    /// With `NoExecute`: how long the pod stays once tainted.
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
